"""Paper 004 through the workflow: sweep expansion, config checks, jobs and cubes, the claims
logic on hand-made cubes, and a tiny end-to-end run of its rules."""

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
from implicit_bias.kernels.diagonal import grok_diagonal, grok_log_grid
from implicit_bias.papers import grokking_norms as gn
from implicit_bias.papers.grokking_norms import datasets, runs
from implicit_bias.store import STATUS_CODES

SCHEMAS = ROOT / "workflow" / "schemas"
KEY = gn.KEY


@pytest.fixture(scope="module")
def config() -> dict:
    return validate_config(load_repo_config(), SCHEMAS)


def settings_of(section: dict, scale: str = "quick") -> dict:
    return {"scale": scale, "model": section["model"], **section[scale]}


class _Log:
    def info(self, *a):
        pass

    warning = info


# ----------------------------------------------------------------------------- sweeps and config
def test_quick_and_paper_sweeps(config):
    section = config[KEY]
    anatomy = gn.sweep(section, "quick", "anatomy")
    assert [j["part"] for j in anatomy] == ["s5"] and len(anatomy[0]["runs"]) == 6
    grid = gn.sweep(section, "quick", "ab_grid")[0]["runs"]
    T = {(r["alpha"], r["beta1"]): r["T"] for r in grid}
    assert T[0.1, 1e-2] == 30_000 and T[0.01, 1e-5] == 1_000_000  # min(T, 30 / (alpha beta1))
    coh = gn.sweep(section, "quick", "coherence")
    assert [j["part"] for j in coh] == ["s5_N30", "s5_N50", "s5_N70", "s5_N90"]
    depth = gn.sweep(section, "quick", "depth_small")[0]["runs"]
    assert {(r["L"], r["zeta"], r["T"]) for r in depth} == {
        (1, 1e-6, 100_000),
        (2, 1e-2, 500_000),
        (3, 0.1, 1_000_000),
    }
    quick = settings_of(section)
    assert gn.experiment_seeds(quick, "anatomy", [3, 4, 5]) == [3, 4, 5]
    assert gn.experiment_seeds(quick, "ab_grid", [3, 4, 5]) == [3]
    # GPU-only grids exist at paper scale only
    assert "modular_addition" not in section["quick"]["experiments"]
    assert gn.sweep(section, "paper", "mnist")[0]["kind"] == "nn"
    figs = gn.figure_list(section, "quick")
    assert figs == gn.figure_list(section, "paper") and "fig1" in figs and "fig50" in figs


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (lambda s: s["model"].update(x_var="1/d"), "allowed: 1/n, 1/N"),
        (lambda s: s["model"].update(init="zeros"), "allowed: gaussian, ones"),
        (lambda s: s["quick"]["experiments"]["anatomy"].update(kind="cnn"), "allowed: sparse"),
        (lambda s: s["quick"]["experiments"]["anatomy"].update(T=0), "must be >= 1"),
        (lambda s: s["quick"]["experiments"]["ab_grid"].update(alpha=[-0.1]), "must be > 0"),
        (lambda s: s["quick"]["experiments"]["anatomy"].update(gamma=1), "unknown key 'gamma'"),
        (
            lambda s: s["quick"]["experiments"]["depth_small"].update(zeta=[0.1, 0.2]),
            "depth_small.zeta: 2 values for 3 depths",
        ),
        (
            lambda s: s["quick"]["experiments"]["methods"].update(N=[120]),
            "projected subgradient needs N <= n = 100",
        ),
        (
            lambda s: s["quick"]["experiments"]["completion"].update(N=[200]),
            "exceeds n1 n2 = 100",
        ),
        (
            lambda s: s["quick"]["experiments"].update(mnist=s["paper"]["experiments"]["mnist"]),
            "kind 'nn' is GPU-only (allowed at scale paper only)",
        ),
        (lambda s: s["quick"]["experiments"].pop("anatomy"), "missing experiment(s) anatomy"),
        (lambda s: s["paper"]["acceptance"].pop("a1_t1"), "'a1_t1' is required"),
    ],
)
def test_bad_paper_004_config_is_one_clear_line(mutate, fragment):
    cfg = load_repo_config()
    cfg["papers"] = [KEY]
    mutate(cfg[KEY])
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, SCHEMAS)
    assert fragment in str(err.value) and "\n" not in str(err.value)


# ----------------------------------------------------------------------------- jobs and cubes
def _job(**runs_over) -> dict:
    model = {"n": 100, "x_var": "1/n", "init": "gaussian", "coherent": "random"}
    model.update(eps1=1e-3, eps2=1e-3)
    spec = {"kind": "sparse", "s": [5], "N": [30], "alpha": [0.1], "beta1": [1e-3, 1e-2]}
    spec.update(zeta=1e-6, T=3000, snaps=True, **runs_over)
    return gn.sweep({"model": model, "quick": {"experiments": {"x": spec}}}, "quick", "x")[0]


def test_cube_equals_direct_kernel_call():
    job = _job()
    seeds = [0, 1]
    data = [runs.truth(job["truth"], s) for s in seeds]
    out = runs.train({**job, "seeds": seeds}, data, _Log())
    cube = runs.build_cube([out], {"test": True}, "x")
    assert set(cube["test_error"].dims) == {"s", "N", "tau", "L", "update", "alpha", "beta1"} | {
        "beta2",
        "seed",
        "t",
    }
    for seed in seeds:
        p = datasets.sparse_recovery(100, 5, 30, seed=seed)
        W0 = datasets.init_factors(100, 1e-6, seed=seed)
        ref = grok_diagonal(
            p.X, p.y, p.b_star, W0, 3000, alpha=0.1, beta1=1e-2, log_steps=grok_log_grid(3000)
        )
        got = cube["test_error"].sel(seed=seed, beta1=1e-2).squeeze(drop=True)
        got = got.reset_coords(drop=True)
        expect = xr.DataArray(ref["metrics"]["test_error"], coords={"t": ref["steps"]}, dims="t")
        xr.testing.assert_allclose(got.dropna("t"), expect.astype(got.dtype), rtol=1e-12)
        assert int(cube["t1"].sel(seed=seed, beta1=1e-2).squeeze()) == int(ref["t1"])
    assert cube["status"].dtype == np.int8 and "flag_meanings" in cube["status"].attrs
    assert cube["test_error"].attrs["long_name"] and cube.attrs["Conventions"] == "CF-1.11"


def test_divergence_is_recorded_not_raised():
    job = _job(alpha=[50.0], beta1=[1e-3])
    out = runs.train({**job, "seeds": [0]}, [runs.truth(job["truth"], 0)], _Log())
    assert int(out["status"].squeeze()) == STATUS_CODES["diverged"]


def test_training_job_checks_its_data_file():
    job = _job()
    wrong = runs.truth(job["truth"], 1)
    wrong.attrs["seed"] = 0
    with pytest.raises(ValueError, match="differs from its data file"):
        runs.train({**job, "seeds": [0]}, [wrong], _Log())


# ----------------------------------------------------------------------------- claims logic
SETTINGS = {
    "model": {"n": 100, "eps1": 1e-3, "eps2": 1e-3},
    "experiments": {},
    "acceptance": {
        "a3_slope_tol": 0.05,
        "a3_const_tol": 0.1,
        "a3_ratio": [0.3, 5.0],
        "a3_err_slope_tol": 0.05,
        "a14_train_steps": 100,
        "a14_drop_decades": 2.0,
        "a15_final_test": 2e-3,
    },
}


def status(cid: str, cubes: dict) -> str:
    return claims.status_of(KEY, cid, cubes, SETTINGS)


def _ab_cube(noise: float = 0.0, power: float = 1.0) -> xr.Dataset:
    """t2 = 0.2 / (alpha beta1), final error = 50 beta1: the paper's scalings; beta1 = 1e-2
    saturates (E_te 0.6) and never generalizes (t2 = -1)."""
    alpha = np.array([0.01, 0.1])
    beta1 = np.array([1e-5, 1e-4, 1e-2])
    a, b = np.meshgrid(alpha, beta1, indexing="ij")
    t2 = 0.2 / (a * b) ** power * (1 + noise * np.array([[0, 1, 0], [1, 0, 0]]))
    err = np.where(b < 1e-3, 50 * b, 0.6)
    t = np.array([0.0, 1e7])
    curve = np.stack([np.ones_like(err), err], axis=-1)
    dims = ("alpha", "beta1")
    cube = xr.Dataset(
        {
            "t2": (dims, np.where(b < 1e-3, 1.0, -1.0)),
            "t2_stable": (dims, t2),
            "T": (dims, np.full_like(t2, 1e9)),
            "dt_pred": (dims, 0.1 / (a * b)),
            "test_error": ((*dims, "t"), curve),
        },
        coords={"alpha": alpha, "beta1": beta1, "t": t},
    )
    return cube.expand_dims(seed=[0])


def test_ab_grid_claims_pass_and_fail_on_hand_made_cubes():
    ids = ("A3.t2_slope", "A3.t2_constant", "A3.theory_delta_t", "A3.error_vs_beta1")
    assert {cid: status(cid, {"ab_grid": _ab_cube()}) for cid in ids} == dict.fromkeys(ids, "PASS")
    assert status("A3.t2_constant", {"ab_grid": _ab_cube(noise=0.5)}) == "FAIL"
    slow = {"ab_grid": _ab_cube(power=0.5)}
    assert status("A3.t2_slope", slow) == "FAIL" and status("A3.t2_constant", slow) == "FAIL"
    # error ∝ beta1 does not depend on alpha: the alpha half of 'error ∝ alpha beta1' deviates
    assert status("A3.error_vs_alpha", {"ab_grid": _ab_cube()}) == "DEVIATES"


def _ab_cube_with_memorization(t1_alpha: float) -> xr.Dataset:
    """t2 = t1 + 0.2 / (alpha beta1) with t1 = t1_alpha / alpha (Thm 2.1); beta1 = 0 gives t1."""
    alpha = np.array([0.01, 0.1])
    beta1 = np.array([0.0, 1e-5, 1e-4, 1e-3])
    a, b = np.meshgrid(alpha, beta1, indexing="ij")
    t1 = t1_alpha / a
    with np.errstate(divide="ignore"):
        t2 = np.where(b > 0, t1 + 0.2 / (a * b), -1.0)
    err = np.where(b > 0, 50 * b, 0.84)
    curve = np.stack([np.ones_like(err), err], axis=-1)
    dims = ("alpha", "beta1")
    cube = xr.Dataset(
        {
            "t1": (dims, t1),
            "t2": (dims, np.where(b > 0, 1.0, -1.0)),
            "t2_stable": (dims, t2),
            "T": (dims, np.full_like(t2, 1e9)),
            "dt_pred": (dims, np.where(b > 0, 0.1 / np.where(b > 0, a * b, 1), np.nan)),
            "test_error": ((*dims, "t"), curve),
        },
        coords={"alpha": alpha, "beta1": beta1, "t": [0.0, 1e7]},
    )
    return cube.expand_dims(seed=[0])


def _measured(row) -> dict[str, float]:
    return {k: float(v) for k, v in (p.split(": ") for p in row.measured.split("; "))}


def test_ab_grid_slope_over_the_runs_that_grok():
    # t1 = 100 / alpha is a third of t2 at alpha beta1 = 1e-3: the runs that grok (t2 >= 10 t1)
    # keep the paper's -1, the delay t2 - t1 too
    cubes = {"ab_grid": _ab_cube_with_memorization(100.0)}
    (row,) = claims.evaluate(KEY, cubes, SETTINGS, ids=["A3.t2_slope"])
    got = _measured(row)
    assert row.status == "PASS", row
    assert got["n_points"] == 4  # beta1 = 1e-3 (t2 = 3 t1) is left out
    assert abs(got["slope t2 - t1"] + 1) < 1e-9
    # a delay that does not scale as 1 / (alpha beta1) still fails
    cube = _ab_cube_with_memorization(1.0)
    b = cube["beta1"]
    slow = cube["t1"] + 0.2 / np.sqrt(cube["alpha"] * b)
    cube["t2_stable"] = cube["t2_stable"].where(b == 0, slow)
    assert status("A3.t2_slope", {"ab_grid": cube}) == "FAIL"


def test_a_run_that_never_generalized_is_no_point_of_the_fit():
    cube = _ab_cube()
    cube["t2"].loc[{"alpha": 0.1, "beta1": 1e-5}] = -1.0  # never reached eps2 ...
    cube["t2_stable"].loc[{"alpha": 0.1, "beta1": 1e-5}] = 5.0  # ... and settled at once
    (row,) = claims.evaluate(KEY, {"ab_grid": cube}, SETTINGS, ids=["A3.t2_slope"])
    assert row.status == "PASS" and _measured(row)["n_points"] == 3


def test_digit_partial_row_checks_the_smallest_N():
    t = np.array([0.0, 1e3, 3e5])
    N = np.array([32, 48, 56])

    def cube(final32):
        te = np.array([[1.0, 0.5, final32], [1.0, 0.3, 4e-4], [1.0, 1e-3, 3e-4]])
        tr = np.array([[1.0, 1e-4, 1e-5], [1.0, 1e-4, 1e-5], [1.0, 1e-4, 1e-5]])
        return xr.Dataset(
            {
                "test_error": (("N", "t"), te),
                "train_error": (("N", "t"), tr),
                "t1": (("N",), np.array([500.0, 500.0, 500.0])),
            },
            coords={"N": N, "t": t},
        ).expand_dims(seed=[0])

    (row,) = claims.evaluate(KEY, {"digit": cube(0.7)}, SETTINGS, ids=["A15.digit_partial"])
    assert row.status == "PASS" and "N=48: 0.0004" in row.measured
    assert status("A15.digit_partial", {"digit": cube(1e-3)}) == "FAIL"


def _coherence_cube(errors: list[float]) -> xr.Dataset:
    fin = np.array(errors)[None, :, None]
    curve = np.stack([np.ones_like(fin), fin], axis=-1)
    return xr.Dataset(
        {"test_error": (("N", "tau", "seed", "t"), curve)},
        coords={"N": [50], "tau": [0.0, 0.5, 1.0], "seed": [0], "t": [0, 10]},
    )


def test_matrix_coherence_claim_pass_and_fail():
    ok = {"matrix_coherence": _coherence_cube([0.4, 0.04, 0.01])}
    assert status("A13.coherent_sampling", ok) == "PASS"
    bad = {"matrix_coherence": _coherence_cube([0.01, 0.04, 0.4])}
    assert status("A13.coherent_sampling", bad) == "FAIL"


def _ts_cube(argmins: list[int]) -> xr.Dataset:
    beta = [0.0, 1e-4, 1e-3, 1e-2]
    t = np.arange(0, 20_001, 100)
    test = np.full((1, 1, len(beta), t.size), 40.0)
    for k, tm in enumerate(argmins, start=1):
        test[0, 0, k] = np.where(t >= tm, 0.5, 40.0)
    dims = ("seed", "alpha", "beta")
    return xr.Dataset(
        {
            "test_mse": ((*dims, "t"), test),
            "t1": (dims, np.full((1, 1, 4), 100.0)),
            "t2": (dims, np.array([[[20000.0, *argmins]]])),
            "ete_min": (dims, test.min(axis=-1)),
            "ystar2": (dims, np.full((1, 1, 4), 1.0)),
        },
        coords={"seed": [0], "alpha": [1e-3], "beta": beta, "t": t},
    )


def test_teacher_student_claims_pass_and_fail():
    good = {"teacher_student": _ts_cube([14000, 8000, 5000])}
    assert status("A14.delay_order", good) == "PASS"
    assert status("A14.memorization", good) == "PASS"
    assert status("A14.l1_generalizes", good) == "FAIL"  # 40 -> 0.5 is 1.9 decades
    assert status("A14.delay_order", {"teacher_student": _ts_cube([5000, 8000, 14000])}) == "FAIL"


def test_claims_without_their_cubes_are_not_applicable_and_only_error_vs_alpha_deviates(config):
    rows = claims.evaluate(KEY, {}, settings_of(config[KEY]))
    assert {r.status for r in rows} == {"N/A"}
    deviating = {cid for cid, spec in claims.load(KEY).items() if spec.deviates}
    assert deviating == {"A3.error_vs_alpha", "A12.error_vs_alpha"}


# ----------------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_paper_004_rules_end_to_end(tmp_path: Path):
    workdir = copy_workflow(tmp_path)
    args = ["grokking_norms", "--cores", "2", "--config", "papers=[grokking_norms]"]
    snakemake(workdir, *args, "--configfile", ".test/config/grokking_norms.yaml")
    for fig in ("fig1", "fig2", "fig4", "fig50"):
        for ext in ("pdf", "png"):
            assert (workdir / f"results/figures/{KEY}/{fig}.{ext}").stat().st_size > 0
    rows = read_csv(workdir / f"results/{KEY}/claims.csv")
    assert len(rows) > 30 and {r.status for r in rows} <= {"PASS", "FAIL", "N/A", "DEVIATES"}
    again = snakemake(workdir, *args, "--configfile", ".test/config/grokking_norms.yaml", "-n")
    assert "Nothing to be done" in again.stdout + again.stderr


def test_section_is_copied_not_mutated(config):
    section = copy.deepcopy(config[KEY])
    gn.sweep(section, "quick", "anatomy")
    assert section == config[KEY]
