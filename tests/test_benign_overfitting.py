"""Paper 000: training jobs, the cube, and the claims logic on hand-made cubes."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from conftest import BENIGN_OVERFITTING_MODEL as MODEL

from implicit_bias import claims
from implicit_bias.papers import benign_overfitting as bo
from implicit_bias.papers.benign_overfitting import datasets, runs, theory
from implicit_bias.store import STATUS_CODES, read_dataset, write_dataset

ACCEPTANCE = {
    "dynamics_max_steps": 200000,
    "dynamics_max_test_error": 5e-3,
    "rate_min_d": 1000,
    "ours_slope_max": -0.33,
    "hybrid_slope_max": -0.33,
    "quad_slope_min": -0.30,
    "slope_gap_min": 0.12,
    "ratio_min_d": 3000,
    "ratio_min": 1.5,
    "ratio_growth_min": 0.4,
}


@pytest.fixture(scope="module")
def tiny_runs():
    data = [datasets.generate(d=200, n=42, s=3, sigma=0.1, seed=s) for s in (0, 1)]
    out = {}
    for method in bo.METHODS:
        out[method] = runs.train(bo.job(method, 200, MODEL, 1e-4, 1e-4), data)
    return out


def test_generate_is_deterministic_and_seed_dependent():
    a, b = datasets.generate(50, 21, 3, 0.1, 0), datasets.generate(50, 21, 3, 0.1, 0)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a["XT"], datasets.generate(50, 21, 3, 0.1, 1)["XT"])


def test_training_job_outputs(tiny_runs):
    ours = tiny_runs["ours"]
    assert ours["test_error_curve"].dims == ("seed", "t")
    assert (ours["status"] == 0).all()
    assert (ours["train_loss"] <= 1e-4).all()
    # the last logged value of each curve is the final state
    for seed in ours["seed"].values:
        curve = ours["test_error_curve"].sel(seed=seed).dropna("t")
        assert float(curve[-1]) == float(ours["test_error"].sel(seed=seed))
        assert float(curve["t"][-1]) == float(ours["iterations"].sel(seed=seed))
    assert tiny_runs["hybrid"]["hybrid_path_test_error"].dims == ("seed", "lambda_multiplier")
    for method in ("min_l2", "min_l1", "hybrid"):
        assert (tiny_runs[method]["train_loss"] < 1e-12).all(), method  # interpolators


def test_diverging_run_is_recorded_not_raised():
    data = [datasets.generate(d=200, n=42, s=3, sigma=0.1, seed=0)]
    job = {**bo.job("ours", 200, MODEL, 1e-4, 1e-4), "eta": 10.0}
    out = runs.train(job, data)
    assert int(out["status"][0]) == STATUS_CODES["diverged"]


def test_cube_stacks_runs_and_round_trips(tiny_runs, tmp_path):
    cube = runs.build_cube(list(tiny_runs.values()), {"scale": "quick"}, "dimension")
    assert list(cube["estimator"].values) == list(bo.METHODS)
    assert cube["test_error"].dims == ("estimator", "d", "seed")
    assert cube["lasso_multiplier"].dims == ("d", "seed")
    np.testing.assert_array_equal(
        cube["test_error"].sel(estimator="quad", d=200).values,
        tiny_runs["quad"]["test_error"].values,
    )
    assert np.isnan(cube["iterations"].sel(estimator="min_l2")).all()
    write_dataset(cube, tmp_path / "cube.nc", compress=True)
    with xr.open_dataset(tmp_path / "cube.nc") as reopened:
        xr.testing.assert_identical(reopened.load(), cube)


def test_method_not_run_has_status_not_run(tiny_runs):
    other_d = runs.train(
        bo.job("ours", 300, MODEL, 1e-4, 1e-4), [datasets.generate(300, 52, 3, 0.1, 0)]
    )
    cube = runs.build_cube(
        [tiny_runs["ours"].sel(seed=[0]), tiny_runs["min_l1"].sel(seed=[0]), other_d],
        {},
        "dimension",
    )
    assert int(cube["status"].sel(estimator="min_l1", d=300, seed=0)) == STATUS_CODES["not_run"]
    assert np.isnan(float(cube["test_error"].sel(estimator="min_l1", d=300, seed=0)))


# ----------------------------------------------------------------------------- claims logic
def synthetic_dimension_cube(d=(1000, 3000, 10000, 31623, 100000), seeds=(0, 1, 2), swap=False):
    """A cube with the paper's expected behaviour (rates from the theory), optionally with
    the shortcut model and w^2-u^2 swapped (which must fail the checks)."""
    d = np.array(d)
    n = np.round(3 * np.sqrt(d)).astype(int)
    rng = np.random.default_rng(0)
    hybrid = 1.6 * theory.rate_optimal(d, n, 3, 0.1)
    curves = {
        "hybrid": hybrid,
        "ours": 1.25 * hybrid,
        "quad": 1.8 * theory.rate_min_l1(d, n, 0.1),
        "min_l2": theory.min_l2_risk(d, n, 0.1),
    }
    curves["min_l1"] = curves["quad"] * 0.97
    if swap:
        curves["ours"], curves["quad"] = curves["quad"], curves["ours"]
    methods = list(curves)
    noise = 1 + 0.02 * rng.standard_normal((len(methods), d.size, len(seeds)))
    test = np.stack([curves[m] for m in methods])[:, :, None] * noise
    v = 0.1 * np.sqrt(n / d) * 0.85
    lam = np.array([0.1, 0.2, 0.5, 1, 2, 5, 10])
    path = (1 + (np.log(lam) - np.log(0.7)) ** 2)[None, None, :] * hybrid[:, None, None]
    return xr.Dataset(
        {
            "test_error": (("estimator", "d", "seed"), test),
            "status": (("estimator", "d", "seed"), np.zeros(test.shape, np.int8)),
            "v_norm": (
                ("estimator", "d", "seed"),
                np.broadcast_to(v[None, :, None], test.shape).copy(),
            ),
            "hybrid_path_test_error": (
                ("d", "seed", "lambda_multiplier"),
                np.broadcast_to(path, (d.size, len(seeds), lam.size)).copy(),
            ),
            "lasso_multiplier": (
                ("d", "seed"),
                np.full((d.size, len(seeds)), lam[np.argmin(path[0, 0])]),
            ),
        },
        coords={
            "estimator": methods,
            "d": d,
            "n": ("d", n),
            "seed": list(seeds),
            "lambda_multiplier": lam,
        },
    )


SETTINGS = {
    "scale": "test",
    "model": MODEL,
    "dimension": {"tol": 1e-4},
    "dynamics": {"tol": 1e-5},
    "acceptance": ACCEPTANCE,
}


def dimension_rows(cube, settings=SETTINGS) -> dict:
    """The claims on a Fig. 2 cube alone (the Fig. 1 claims are then not applicable)."""
    return {r.claim: r for r in claims.evaluate(bo.KEY, {"dimension": cube}, settings)}


def test_claims_pass_on_expected_behaviour():
    rows = dimension_rows(synthetic_dimension_cube())
    failed = [(c, r.measured) for c, r in rows.items() if c.startswith("Z2") and r.status != "PASS"]
    assert not failed
    assert all(r.status == "N/A" for c, r in rows.items() if c.startswith("Z1"))
    assert "no 'dynamics' cube" in rows["Z1.1"].statement


def test_claims_fail_when_ours_and_quad_swap():
    rows = dimension_rows(synthetic_dimension_cube(swap=True))
    for claim in ("Z2.4", "Z2.5a", "Z2.6-ours", "Z2.6-gap", "Z2.8"):
        assert rows[claim].status == "FAIL", claim


def test_claims_fail_on_non_converged_run():
    cube = synthetic_dimension_cube()
    cube["status"].loc[{"estimator": "quad", "d": 1000, "seed": 0}] = STATUS_CODES["max_steps"]
    assert dimension_rows(cube)["Z2.1"].status == "FAIL"


def test_claims_null_threshold_is_not_applicable():
    settings = {
        **SETTINGS,
        "acceptance": {**ACCEPTANCE, "quad_slope_min": None, "ratio_growth_min": None},
    }
    rows = dimension_rows(synthetic_dimension_cube(), settings)
    assert rows["Z2.6-quad"].status == "N/A" and rows["Z2.5b"].status == "N/A"
    assert "not applicable" in rows["Z2.5b"].statement


def test_claims_missing_method_is_not_applicable():
    cube = synthetic_dimension_cube().drop_sel(estimator="min_l1")
    assert dimension_rows(cube)["Z2.7"].status == "N/A"


def test_dynamics_claims_on_a_real_short_run(tmp_path):
    """Fig. 1 claims on a d = 1000 run: the two-stage picture must already be there."""
    data = [datasets.generate(d=1000, n=95, s=3, sigma=0.1, seed=0)]
    parts = [runs.train(bo.job(m, 1000, MODEL, 1e-5, 1e-5), data) for m in bo.DYNAMICS_METHODS]
    cube = runs.build_cube(parts, {}, "dynamics")
    write_dataset(cube, tmp_path / "dyn.nc")
    rows = {
        r.claim: r
        for r in claims.evaluate(bo.KEY, {"dynamics": read_dataset(tmp_path / "dyn.nc")}, SETTINGS)
    }
    for claim in ("Z1.1", "Z1.2", "Z1.3", "Z1.5a", "Z1.5b", "Z1.7b"):
        assert rows[claim].status == "PASS", (claim, rows[claim].measured)
    assert all(r.status == "N/A" for c, r in rows.items() if c.startswith("Z2"))


def test_fig2_marks_runs_that_did_not_converge(tmp_path):
    """A d where a seed did not converge is drawn hollow; one where none did, as a cross."""
    from matplotlib import pyplot as plt

    from implicit_bias.papers.benign_overfitting import figures

    cube = synthetic_dimension_cube()
    cube["status"].loc[{"estimator": "quad", "d": 3000, "seed": 1}] = STATUS_CODES["max_steps"]
    cube["status"].loc[{"estimator": "ours", "d": 100000}] = STATUS_CODES["diverged"]
    cube["test_error"].loc[{"estimator": "ours", "d": 100000}] = np.nan
    saved = {}
    real_save = figures.plotting.save

    def keep(fig, outputs):
        saved["fig"] = fig
        real_save(fig, outputs)

    figures.plotting.save = keep
    try:
        figures.fig2(cube, MODEL, [str(tmp_path / "fig2.png")])
    finally:
        figures.plotting.save = real_save
    labels = saved["fig"].axes[0].get_legend().get_texts()
    text = " ".join(t.get_text() for t in labels)
    assert "hollow" in text and "no seed converged" in text
    plt.close("all")
