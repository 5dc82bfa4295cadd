"""Paper 003 through the workflow: sweep expansion, config checks, a job's cube against a direct
package call, the claims logic on hand-made cubes, and a tiny end-to-end run of its rules."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, copy_workflow, load_repo_config, snakemake

from implicit_bias import claims
from implicit_bias.claims import read_csv
from implicit_bias.config import ConfigError, validate_config
from implicit_bias.kernels import diagonal as kd
from implicit_bias.papers import blessing_of_depth as bd
from implicit_bias.papers.blessing_of_depth import cifar, datasets, runs
from implicit_bias.store import STATUS_CODES, read_dataset

SCHEMAS = ROOT / "workflow" / "schemas"
KEY = bd.KEY


@pytest.fixture(scope="module")
def config() -> dict:
    return validate_config(load_repo_config(), SCHEMAS)


def settings_of(section: dict, scale: str = "quick") -> dict:
    return {"scale": scale, "model": section["model"], **section[scale]}


# ----------------------------------------------------------------------------- sweeps and config
def test_sweeps_batch_configs_per_job(config):
    section = config[KEY]
    assert [j["N"] for j in bd.sweep(section, "quick", "constant")] == [1, 2, 3]
    geo = bd.sweep(section, "quick", "geometric")
    assert [j["N"] for j in geo] == [2, 3] and all(len(j["runs"]) == 3 for j in geo)
    (land,) = bd.sweep(section, "quick", "landscape")
    assert land["part"] == "all" and land["depths"] == [1, 2, 3]
    relu = bd.sweep(section, "paper", "relu")
    assert [j["clean"] for j in relu] == [False, False, True]
    quick = settings_of(section)
    assert bd.experiment_seeds(quick, "landscape", [3, 4, 5]) == [3]
    assert bd.experiment_seeds(quick, "constant", [3, 4, 5]) == [3, 4]
    assert bd.experiment_seeds(quick, "digits", [3, 4, 5]) == [3, 4, 5]
    assert set(bd.FIGURES) >= {"fig1", "fig2", "fig3", "fig4", "fig1_lp", "table1_digits"}
    for experiment in bd.EXPERIMENTS:
        for scale in ("quick", "paper"):
            assert bd.sweep(section, scale, experiment)


def _quick(c):
    return c[KEY]["quick"]["experiments"]


BAD = {
    "negative step": (
        lambda c: _quick(c)["constant"].update(eta=-1e-3),
        ["quick.experiments.constant.eta", "> 0"],
    ),
    "unknown key": (
        lambda c: _quick(c)["relu"].update(width=8),
        ["unknown key 'width'", "allowed:"],
    ),
    "bad convention": (
        lambda c: _quick(c)["geometric"].update(init_convention="both"),
        ["init_convention", "allowed: layer, product"],
    ),
    "rho not below 1": (lambda c: _quick(c)["geometric"]["runs"][0].update(rho=1.0), ["rho", "1"]),
    "even grid": (lambda c: _quick(c)["landscape"].update(grid=40), ["landscape.grid", "odd"]),
    "milestone after T": (
        lambda c: _quick(c)["decay"].update(milestones=[10, 10**7]),
        ["decay.milestones", "allowed: steps < T"],
    ),
    "balance T per N": (
        lambda c: _quick(c)["balance"].update(T=[100]),
        ["balance.T", "one T per N"],
    ),
    "relu depth 1": (lambda c: _quick(c)["relu"].update(N=[1, 2]), ["relu.N", "N >= 2"]),
    "k above d": (
        lambda c: c[KEY]["model"]["regression"].update(k=600),
        ["model.regression.k", "allowed: k <= d"],
    ),
    "outlier fraction": (lambda c: c[KEY]["model"]["regression"].update(p=1.5), ["regression.p"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_paper_003_config_is_one_clear_line(case):
    mutate, fragments = BAD[case]
    config = copy.deepcopy(load_repo_config())
    mutate(config)
    with pytest.raises(ConfigError) as err:
        validate_config(config, SCHEMAS)
    message = str(err.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_cifar_needs_paper_scale_and_data(tmp_path):
    assert "paper scale only" in cifar.require("quick", {"data_dir": str(tmp_path)})
    missing = cifar.require("paper", {"data_dir": str(tmp_path / "cifar")})
    assert "not found" in missing and cifar.KEY_PATH in missing and "\n" not in missing


# --------------------------------------------------------------------------------- jobs, cubes
def _draw(seed=0):
    return datasets.to_dataset(datasets.robust_regression(seed, d=30, m=20, k=3))


def test_cube_equals_direct_kernel_call():
    job = {"kind": "constant", "dataset": "regression", "log_per_decade": 10, "N": 2,
           "alpha": 1e-3, "eta": 4e-3, "T": 800}  # fmt: skip
    data = [_draw(0), _draw(1)]
    part = runs.train(job, data)
    cube = runs.build_cube([part], {"test": 1}, "constant")
    assert cube.attrs["experiment"] == "constant" and cube["err"].attrs["units"] == "1"
    assert cube["status"].dtype == np.int8
    draw = datasets.from_dataset(data[1])
    steps = kd.with_endpoint(kd.log_grid(800, 10), 800)
    out = kd.subgm_diagonal(
        draw["X"], draw["y"], draw["theta_star"], kd.init_layers(2, 30, 1e-3), 800,
        eta=4e-3, log_steps=steps,
    )  # fmt: skip
    direct = xr.DataArray(out["metrics"]["err"], coords={"t": steps}, dims="t")
    xr.testing.assert_allclose(cube["err"].sel(N=2, seed=1, drop=True).reset_coords(drop=True),
                               direct, rtol=1e-12)  # fmt: skip
    assert float(cube["err_min"].sel(N=2, seed=1)) == pytest.approx(out["err_min"], rel=1e-12)


def test_diverging_run_is_recorded_not_raised():
    job = {"kind": "constant", "dataset": "regression", "log_per_decade": 10, "N": 3,
           "alpha": 1.0, "eta": 50.0, "T": 200}  # fmt: skip
    part = runs.train(job, [_draw(0)])
    assert int(part["status"].squeeze()) == STATUS_CODES["diverged"]
    assert int(part["stop_step"].squeeze()) < 200


# ----------------------------------------------------------------------- claims, hand-made cubes
def _constant_cube(err_min3=0.02, late3=0.03):
    """E2 cube with N = 1, 2, 3 on two seeds: N=1 overfits, N=2 escapes, N=3 stays."""
    t = np.array([0, 10, 100, 1000, 10000])
    seeds = [0, 1]
    err = np.empty((3, 2, t.size))
    loss = np.empty_like(err)
    err[0] = [2.8, 2.0, 3.0, 4.0, 4.5]
    err[1] = [2.8, 2.8, 0.03, 0.2, 1.0]
    err[2] = [2.8, 2.8, 2.8, err_min3, late3]
    loss[0] = [2.0, 1.0, 0.1, 0.01, 0.001]
    loss[1] = [2.0, 2.0, 0.8, 0.78, 0.7]
    loss[2] = [2.0, 2.0, 2.0, 0.85, 0.851]
    return xr.Dataset(
        {
            "err": (("N", "seed", "t"), err),
            "train_loss": (("N", "seed", "t"), loss),
            "err_min": (("N", "seed"), err.min(-1)),
            "t_min": (("N", "seed"), t[err.argmin(-1)]),
            "t_onset": (("N", "seed"), [[-1, -1], [100, 100], [1000, 1000]]),
            "L_star": (("seed",), [0.85, 0.85]),
            "theta_norm": (("seed",), [2.8, 2.8]),
        },
        coords={"N": [1, 2, 3], "seed": seeds, "t": t},
        attrs={"eta": 4e-3},
    )


SETTINGS = {"scale": "quick", "acceptance": {"t_min_N2_min": 50, "onset_ratio_spread": 2.0,
            "onset_r2_min": 0.95, "geometric_slope_tol": 0.25, "matrix_N4_median_max": 0.05,
            "matrix_N2_median_min": 0.15}}  # fmt: skip


def _statuses(cubes: dict, ids) -> dict:
    """The registered claims ``ids`` of paper 003 on hand-made ``cubes``."""
    return {r.claim: r.status for r in claims.evaluate(KEY, cubes, SETTINGS, ids=ids)}


E2_IDS = ["E2.8", "E2.9", "E2.10", "E2.11", "E2.12"]


def test_constant_step_claims_pass_and_fail():
    assert _statuses({"constant": _constant_cube()}, E2_IDS) == {
        "E2.8": "PASS", "E2.9": "PASS", "E2.10": "PASS", "E2.11": "PASS", "E2.12": "N/A",
    }  # fmt: skip
    # N=3 drifting away (err(T) > 2.5 min err) fails E2.10
    assert _statuses({"constant": _constant_cube(late3=0.09)}, ["E2.10"]) == {"E2.10": "FAIL"}
    # without the constant cube every E2 claim is N/A, none raises
    assert set(_statuses({}, E2_IDS).values()) == {"N/A"}


def _matrix_cube(r4):
    rel = np.array([[0.3, 0.25], [0.01, 0.2], [r4, r4]])
    t_min = [[10, 10], [50, 50], [80, 80]]
    return xr.Dataset(
        {"err_rel_min": (("N", "seed"), rel), "t_min": (("N", "seed"), t_min)},
        coords={"N": [2, 3, 4], "seed": [0, 1]},
    )


def test_matrix_claims_pass_and_fail():
    ids = ["E5.20", "E5.20b", "E5.21", "E5.22"]
    good = _statuses({"matrix": _matrix_cube(0.02)}, ids)
    # N = 4 (0.02) is not below N = 3 on seed 0 (0.01): "outperforms shallower models" fails
    assert good == {"E5.20": "PASS", "E5.20b": "FAIL", "E5.21": "PASS", "E5.22": "PASS"}
    assert _statuses({"matrix": _matrix_cube(0.005)}, ["E5.20b"]) == {"E5.20b": "PASS"}
    bad = _statuses({"matrix": _matrix_cube(0.2)}, ids)
    assert bad["E5.20"] == "FAIL" and bad["E5.21"] == "FAIL"


def test_timescale_and_lad_claims():
    alpha = np.array([1e-2, 1e-3, 1e-4])
    onset = np.array([[1000 + 400 * np.log(1 / a) for a in alpha]])
    ratio = onset * 2 * 2e-3 / np.log(1 / alpha)
    cube = xr.Dataset(
        {"t_onset": (("seed", "N", "alpha"), onset[None]),
         "onset_ratio": (("seed", "N", "alpha"), ratio[None])},
        coords={"seed": [0], "N": [2], "alpha": alpha},
    )  # fmt: skip
    assert _statuses({"timescales": cube}, ["E9.1", "E9.2"]) == {"E9.1": "PASS", "E9.2": "PASS"}
    cube["onset_ratio"][:] = [[[1.0, 3.0, 1.0]]]
    assert _statuses({"timescales": cube}, ["E9.1"]) == {"E9.1": "FAIL"}
    lad = xr.Dataset(
        {"under_err": (("seed", "case"), [[1e-12]]), "under_gap": (("seed", "case"), [[1e-14]]),
         "over_err": (("seed",), [24.0]), "over_loss": (("seed",), [1e-12]),
         "theta_norm": (("seed",), [2.8]), "projection": (("seed", "norm"), [[0.75, 0.8]]),
         "phi": (("seed", "norm"), [[0.72, 0.95]])},
        coords={"seed": [0], "case": ["d20_m400"], "norm": [1.0, 10.0]},
    )  # fmt: skip
    status = _statuses({"lad": lad}, ["E8.26", "E8.27", "E8.28"])
    assert status == {"E8.26": "PASS", "E8.27": "PASS", "E8.28": "FAIL"}


def test_no_deviates_and_cifar_is_not_applicable():
    assert not any(spec.deviates for spec in claims.load(KEY).values())
    (row,) = claims.evaluate(KEY, {}, SETTINGS, ids=["E7.1"])
    assert row.status == "N/A" and "GPU" in row.statement


# --------------------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_paper_003_rules_end_to_end(tmp_path: Path):
    work = copy_workflow(tmp_path)
    args = (
        "blessing_of_depth",
        "--config",
        "papers=[blessing_of_depth]",
        "seeds=[0]",
        "seeds_per_job=1",
        "--configfile",
        ".test/config/blessing_of_depth.yaml",
    )
    snakemake(work, *args, "--cores", "2")
    for fig in bd.FIGURES:
        for ext in ("pdf", "png"):
            assert (work / "results" / "figures" / KEY / f"{fig}.{ext}").stat().st_size > 0
    for experiment in bd.EXPERIMENTS:
        cube = read_dataset(work / "results" / KEY / f"cube_{experiment}.nc")
        assert cube.attrs["paper"] == KEY and "config_sha256" in cube.attrs
    rows = read_csv(work / "results" / KEY / "claims.csv")
    ids = {r.claim for r in rows}
    assert {"E1.1", "E2.9", "E4.19", "E5.20", "E6.24", "E7.1", "E7p.1", "E8.28", "E9.1"} <= ids
    assert all(r.status in ("PASS", "FAIL", "N/A") for r in rows)
    again = snakemake(work, *args, "--cores", "2", "-n")
    assert "Nothing to be done" in again.stdout + again.stderr
    proc = snakemake(work, "results/blessing_of_depth/cifar/table1.csv", "--cores", "1",
                     "--config", "scale=paper", check=False)  # fmt: skip
    assert proc.returncode != 0
    assert "E7 (CIFAR table): CIFAR data directory 'data/cifar' not found" in proc.stderr
