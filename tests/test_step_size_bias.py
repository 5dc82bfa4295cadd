"""Paper 001: sweep expansion, config checks, a training job, the cube and the claims logic."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import ROOT, load_repo_config

from implicit_bias import claims
from implicit_bias.claims import STATUSES
from implicit_bias.config import ConfigError, validate_config
from implicit_bias.papers import step_size_bias as ssb
from implicit_bias.papers.step_size_bias import datasets, runs
from implicit_bias.store import STATUS_CODES

SCHEMAS = ROOT / "workflow" / "schemas"


@pytest.fixture(scope="module")
def config() -> dict:
    return load_repo_config()


def test_quick_sweep_has_one_job_per_panel(config):
    section = validate_config(config, SCHEMAS)["step_size_bias"]
    assert ssb.figure_list(section, "quick") == list(ssb.EXPERIMENTS)
    fig3 = ssb.sweep(section, "quick", "fig3")
    assert [(j["mu"], j["D"]) for j in fig3] == [(0, 2), (10, 2)]
    job = ssb.sweep(section, "quick", "fig1")[0]
    assert job["max_extra_steps"] == 500_000 and job["tol"] == 1e-8
    assert ssb.sweep(section, "paper", "fig4")[1]["D"] == 4


@pytest.mark.parametrize(
    "mutate, fragment",
    [
        (
            lambda s: s["quick"]["experiments"]["fig5"].update(D=[3]),
            "fig5.D: the uv model has depth 2",
        ),
        (
            lambda s: s["quick"]["experiments"]["fig1"].update(eta_abs=[], eta_rel=[]),
            "no step size",
        ),
        (lambda s: s["quick"]["experiments"]["fig1"].update(D=[5]), "allowed: 2, 3, 4"),
        (lambda s: s["quick"]["experiments"]["fig1"].update(alpha=[-1.0]), "must be > 0"),
        (lambda s: s["quick"]["experiments"].update(fig7={}), "unknown key 'fig7'"),
        (lambda s: s["quick"]["experiments"]["fig2"].update(model="cnn"), "allowed: depth, uv"),
    ],
)
def test_bad_paper_001_config_is_one_clear_line(config, mutate, fragment):
    cfg = copy.deepcopy(config)
    cfg["papers"] = ["step_size_bias"]
    mutate(cfg["step_size_bias"])
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, SCHEMAS)
    assert fragment in str(err.value) and "\n" not in str(err.value)


@pytest.fixture(scope="module")
def small_panel():
    job = {
        "experiment": "fig1",
        "mu": 5,
        "D": 2,
        "model": "depth",
        "shape": "ones",
        "alpha": [0.1, 1.0],
        "eta_abs": [1e-4],
        "eta_rel": [0.9],
        "d": 100,
        "N": 50,
        "k": 5,
        "sigma_x2": 5.0,
        "noise_sd": 0.1,
        "tol": 1e-8,
        "warmup_min": 25000,
        "warmup_factor": 150,
        "max_extra_steps": 500_000,
    }
    data = [datasets.generate(mu=5, seed=s) for s in (0, 1)]
    return job, runs.train(job, data)


def test_training_job_reproduces_the_step_size_effect(small_panel):
    job, out = small_panel
    assert out["test_excess"].dims == ("seed", "alpha", "eta_spec")
    assert list(out["eta_spec"].values) == ["0.0001", "0.9 eta*"]
    assert (out["status"] == STATUS_CODES["converged"]).all()
    np.testing.assert_allclose(
        out["eta"].sel(eta_spec="0.9 eta*"), 0.9 * out["eta_star"], rtol=1e-12
    )
    # alpha = 1: a small step gives the l2 interpolator, a step near eta* lands near l1.
    small = out["test_excess"].sel(alpha=1.0, eta_spec="0.0001")
    large = out["test_excess"].sel(alpha=1.0, eta_spec="0.9 eta*")
    assert (np.abs(small / out["l2_test_excess"] - 1) < 0.05).all()
    assert (large < 0.1 * small).all()
    # at the edge of stability lambda_max = 2/eta
    edge = (
        out["lam_max"].sel(alpha=1.0, eta_spec="0.9 eta*") * out["eta"].sel(eta_spec="0.9 eta*") / 2
    )
    assert ((edge > 0.95) & (edge <= 1.001)).all()


def test_cube_and_claims_on_a_real_panel(small_panel):
    job, out = small_panel
    cube = runs.build_cube([out], {"scale": "test"}, "fig1")
    assert cube["test_excess"].dims == ("mu", "D", "seed", "alpha", "eta_spec")
    rows = claims.evaluate("step_size_bias", {"fig1": cube}, {})
    ids = {r.claim: r for r in rows}
    assert all(r.status in STATUSES for r in rows)
    for claim in ("N0.1a", "N0.3a", "N1.2", "N1.4"):
        assert ids[claim].status == "PASS", (claim, ids[claim].measured)
    # claims of the figures that were not run cannot apply
    for r in rows:
        if "Figure 1" not in r.figures:
            assert r.status == "N/A", (r.claim, r.status)


def test_claims_fail_when_large_steps_do_not_help(small_panel):
    """A cube where the large step gives the small step's loss must fail the step-size claims."""
    job, out = small_panel
    broken = out.copy(deep=True)
    broken["test_excess"].loc[{"eta_spec": "0.9 eta*"}] = broken["test_excess"].sel(
        eta_spec="0.0001"
    )
    cubes = {"fig1": runs.build_cube([broken], {}, "fig1")}
    rows = {r.claim: r for r in claims.evaluate("step_size_bias", cubes, {})}
    assert rows["N1.2"].status == "FAIL" and rows["N1.3"].status == "FAIL"


def test_not_run_panels_keep_their_status(small_panel):
    job, out = small_panel
    other = out.copy(deep=True).assign_attrs(mu=10)
    cube = runs.build_cube([out, other.sel(seed=[0])], {}, "fig3")
    assert int(cube["status"].sel(mu=10, seed=1).max()) == STATUS_CODES["not_run"]
