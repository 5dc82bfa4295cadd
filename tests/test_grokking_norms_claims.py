"""Negative controls of paper 004's claims: each claim id passes on an input that shows the
paper's effect and fails (DEVIATES where registered so) on one where the effect is absent or
reversed (tests/test_ledger.py runs them).

The inputs are the committed fixtures in tests/data/grokking_norms/ (the quick run's cubes, seeds
0-2, reduced by make_fixtures.py), edited. Where a claim passes on the quick run the fixture is
the passing input and an edit removes the effect; where it FAILs or DEVIATES on the quick run
(listed in ``ON_QUICK_RUN``) an edit that puts the paper's effect in makes the passing input and
the fixture itself is the failing one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, load_repo_config

from implicit_bias import claims
from implicit_bias.papers.grokking_norms import KEY, analysis

DATA = ROOT / "tests" / "data" / KEY
Cubes = tuple[dict, dict]
Edit = Callable[[xr.Dataset], xr.Dataset]
TIMES = ("t1", "t2", "t1_stable", "t2_stable", "t_end", "T")
# the status of the claims that do not pass on the quick run (seeds 0-2)
ON_QUICK_RUN = {
    "A3.error_vs_alpha": "DEVIATES",
    "A12.error_vs_alpha": "DEVIATES",
    "A12.outlier_undertrained": "N/A",  # every run of the quick grid settled
    "A8.error_vs_tau": "FAIL",
    "M.t1_bound": "FAIL",
    "A15.gradient_ratio": "FAIL",
    "POLY.grokking": "FAIL",
    "A9.L3": "FAIL",
    "A9.error_vs_L": "FAIL",
    "A10.L3": "FAIL",
    "A10.error_vs_L": "FAIL",
    "A11.staircase": "FAIL",
    "SEN.svt": "FAIL",
    "A14.memorization": "FAIL",
    "A14.l1_generalizes": "FAIL",
}


@functools.cache
def settings() -> dict:
    cfg = load_repo_config()[KEY]
    return {"scale": "quick", "model": cfg["model"], **cfg["quick"]}


@functools.cache
def _real(name: str) -> xr.Dataset:
    with xr.open_dataset(DATA / f"{name}.nc") as ds:
        return ds.load()


def real(*names: str) -> Callable[[], Cubes]:
    return lambda: ({n: _real(n) for n in names}, settings())


def edited(name: str, *edits: Edit, also: tuple[str, ...] = ()) -> Callable[[], Cubes]:
    """The fixture ``name`` with ``edits`` applied in order (plus untouched ``also`` cubes)."""

    def make() -> Cubes:
        cube = _real(name).copy(deep=True)
        for edit in edits:
            cube = edit(cube)
        return {name: cube, **{n: _real(n) for n in also}}, settings()

    return make


# ----------------------------------------------------------------------------------- edits
def _where(cube: xr.Dataset, sel: dict) -> xr.DataArray:
    cond = xr.DataArray(True)
    for dim, v in sel.items():
        cond = cond & cube[dim].isin(np.atleast_1d(v))
    return cond


def scale(var: str, k: float, **sel) -> Edit:
    """Multiply ``var`` by ``k`` where the coordinates match ``sel``."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        cube[var] = xr.where(_where(cube, sel), cube[var] * k, cube[var]).astype(cube[var].dtype)
        return cube

    return edit


def setv(var: str, value, **sel) -> Edit:
    """Set ``var`` to ``value`` (a number, or a function of the cube) where ``sel`` matches."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        v = value(cube) if callable(value) else value
        cube[var] = xr.where(_where(cube, sel), v, cube[var]).astype(cube[var].dtype)
        return cube

    return edit


def add(var: str, v: float, **sel) -> Edit:
    return setv(var, lambda c: c[var] + v, **sel)


def stretch(k: float) -> Edit:
    """Every step k times later (the curves and the recorded times)."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        cube = cube.assign_coords(t=cube["t"] * k)
        for name in TIMES:
            if name in cube:
                cube[name] = cube[name].where(cube[name] < 0, cube[name] * k)
        return cube

    return edit


def reverse(dim: str) -> Edit:
    """The sweep axis ``dim`` relabelled in reverse: every variable's trend along it flips."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        return cube.assign_coords({dim: cube[dim].values[::-1]}).sortby(dim)

    return edit


def copy_from(var: str, src: dict, **dst) -> Edit:
    """``var`` at ``dst`` replaced by its values at ``src`` (a flat sweep)."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        return setv(var, lambda c: c[var].sel(src, drop=True), **dst)(cube)

    return edit


def _t_mem(cube: xr.Dataset, **sel) -> xr.DataArray:
    c = cube.sel(sel) if sel else cube
    return analysis.t_memorized(c["train_error"], 1e-3)


# ------------------------------------------------------------------------ hand-made cubes
def _staircase(hats) -> Callable[[], Cubes]:
    """A matrix completion run whose non-signal singular values decay linearly at alpha beta_*
    from sigma_hat (Thm D.12): the deaths are as spread as the sigma_hat."""

    def make() -> Cubes:
        cube = _real("completion").copy(deep=True)
        gamma = float(cube["alpha"].max() * cube["beta_star"].max())
        sig_hat = np.concatenate([[1.0, 1.0], hats])
        t = cube["t"].values.astype(float)
        curves = np.maximum(sig_hat[None, :] - gamma * t[:, None], 1e-4)
        curves[:, :2] = 1.0
        da = xr.DataArray(curves, coords={"t": cube["t"], "i": cube["i"]}, dims=("t", "i"))
        cube["sigma"] = da.broadcast_like(cube["sigma"]).transpose(*cube["sigma"].dims)
        hat = xr.DataArray(sig_hat, coords={"i": cube["i"]}, dims="i")
        cube["sigma_hat"] = hat.broadcast_like(cube["sigma_hat"]).transpose(*cube["sigma_hat"].dims)
        cube["t1"] = xr.ones_like(cube["t1"])
        return {"completion": cube}, settings()

    return make


def _grid_inverted(cube: xr.Dataset) -> xr.Dataset:
    """t2_stable turned upside down: larger alpha beta takes longer (still settled)."""
    return setv("t2_stable", lambda c: 1e8 / c["t2_stable"])(cube)


def _slope_half(cube: xr.Dataset) -> xr.Dataset:
    """t2_stable ∝ (alpha beta)^-1/2 instead of ^-1 (the square root of 2e4 t2_stable)."""
    return setv("t2_stable", lambda c: np.sqrt(c["t2_stable"] * 1e5 * 0.2))(cube)


def _error_prop_alpha(cube: xr.Dataset) -> xr.Dataset:
    """Every alpha gets the test curve of the largest alpha times alpha / max alpha: the error
    ∝ alpha beta at fixed beta."""
    top = float(cube["alpha"].max())
    return setv(
        "test_error", lambda c: c["test_error"].sel(alpha=top, drop=True) * c["alpha"] / top
    )(cube)


def _error_flat(beta: str) -> Edit:
    """Every beta > 0 gets the test curve of the smallest beta > 0: no trend in beta."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        b = cube[beta].values
        b0 = float(b[b > 0].min())
        return setv("test_error", lambda c: c["test_error"].sel({beta: b0}, drop=True))(cube)

    return edit


def _t2_times(k: float, L: int | None = None) -> Edit:
    """First-hit t2 set to k x the memorization step (of depth L)."""

    def edit(cube: xr.Dataset) -> xr.Dataset:
        if L is None:
            t1 = analysis.t_memorized(cube["train_error"], 1e-3)
            return setv("t2", lambda c: np.ceil(k * t1))(cube)
        return setv("t2", lambda c: np.ceil(k * c["t1"]), L=L)(cube)

    return edit


# -------------------------------------------------------------------------------- controls
ANAT = "anatomy"

CONTROLS: dict[str, tuple[Callable[[], Cubes], Callable[[], Cubes]]] = {
    # Fig. 2: the default run
    "A1.t1": (real(ANAT), edited(ANAT, stretch(10))),
    "A1.t2": (real(ANAT), edited(ANAT, setv("t2", -1.0))),
    "A1.delay": (real(ANAT), edited(ANAT, _t2_times(2))),
    "A1.memorization_plateau": (real(ANAT), edited(ANAT, add("lsq_error", 0.1))),
    "A1.final_error": (real(ANAT), edited(ANAT, add("test_error", 1e-2))),
    "A1.l1_norm": (real(ANAT), edited(ANAT, scale("bstar_l1", 1.1))),
    "A1.l2_grows": (real(ANAT), edited(ANAT, setv("l2_norm", lambda c: c["bhat_l2"]))),
    "A1.l1_falls": (real(ANAT), edited(ANAT, setv("l1_norm", lambda c: c["bhat_l1"]))),
    "A1.landscape": (real(ANAT), edited(ANAT, scale("v_offsupport", 100))),
    "A1.gradient_ratio": (real(ANAT), edited(ANAT, scale("grad_ratio", 10))),
    "A1.theory_t2": (real(ANAT), edited(ANAT, scale("dt_pred", 100))),
    "A2.no_l1": (real(ANAT), edited(ANAT, scale("test_error", 0.5, beta1=0.0))),
    "A5.method_t2": (real(ANAT), edited(ANAT, scale("t2", 2, update="ista"))),
    "A5.projected_step1": (
        real(ANAT),
        edited(ANAT, setv("train_error", 1e-3, update="projected", t=1)),
    ),
    # Figs. 1 and 12: the alpha x beta1 grid
    "A3.t2_slope": (real("ab_grid"), edited("ab_grid", _slope_half)),
    "A3.t2_constant": (real("ab_grid"), edited("ab_grid", scale("t2_stable", 1.5, alpha=0.1))),
    "A3.theory_delta_t": (real("ab_grid"), edited("ab_grid", scale("dt_pred", 100))),
    "A3.error_vs_beta1": (real("ab_grid"), edited("ab_grid", _error_flat("beta1"))),
    "A3.error_vs_alpha": (
        edited("ab_grid", _error_prop_alpha),
        real("ab_grid"),
    ),
    "A3.error_grows_with_beta1": (real("ab_grid"), edited("ab_grid", reverse("beta1"))),
    "A3.faster_with_alpha_beta1": (real("ab_grid"), edited("ab_grid", _grid_inverted)),
    "A3.outlier_undertrained": (
        real("ab_grid"),
        edited("ab_grid", scale("dt_pred", 1e-3, alpha=0.01, beta1=1e-5)),
    ),
    # Figs. 8-10: the N sweep
    "A4.no_recovery_N10": (real("n_sweep"), edited("n_sweep", scale("test_error", 1e-2, N=10))),
    "A4.recovery_N30": (real("n_sweep"), edited("n_sweep", scale("test_error", 10))),
    "A4.t2_decreases": (real("n_sweep"), edited("n_sweep", reverse("N"))),
    "A4.t1_bound": (real("n_sweep"), edited("n_sweep", scale("t1_bound", 0.1))),
    "A4.theory_t2": (real("n_sweep"), edited("n_sweep", scale("dt_pred", 100))),
    # Figs. 13-24: the methods over s x N
    "M.methods_agree": (real("methods"), edited("methods", scale("t2", 2, update="ista"))),
    "M.nmin_vs_s": (real("methods"), edited("methods", reverse("s"))),
    "M.t1_bound": (edited("methods", scale("t1_bound", 1e3)), real("methods")),
    # Figs. 25-26: grokking without understanding
    "A7.plateau": (real("no_understanding"), edited("no_understanding", scale("test_error", 0.5))),
    "A7.transition": (real("no_understanding"), edited("no_understanding", stretch(100))),
    "A7.l1_norm": (real("no_understanding"), edited("no_understanding", scale("bhat_l1", 2))),
    # Figs. 27-29: coherence
    "A8.error_vs_tau": (
        edited(
            "coherence",
            copy_from("test_error", {"tau": 0.0}, tau=0.2),
            scale("test_error", 1.2, tau=0.2),
        ),
        real("coherence"),
    ),
    "A8.t2_vs_tau": (real("coherence"), edited("coherence", reverse("tau"))),
    "A8.tau1": (real("coherence"), edited("coherence", scale("test_error", 1e-2, tau=1.0))),
    # Figs. 36-41: realistic signals
    "A15.digit": (real("digit"), edited("digit", _t2_times(2))),
    "A15.digit_partial": (real("digit"), edited("digit", scale("test_error", 1e-3, N=32))),
    "A15.gradient_ratio": (edited("digit", scale("grad_ratio", 0.1)), real("digit")),
    "A15.l1_norm": (real("digit"), edited("digit", scale("bstar_l1", 1.1))),
    "SIN.grokking": (real("sinusoid"), edited("sinusoid", _t2_times(2))),
    "SIN.gradient_ratio": (real("sinusoid"), edited("sinusoid", scale("grad_ratio", 10))),
    "SIN.l1_norm": (real("sinusoid"), edited("sinusoid", scale("l1_norm", 1.1))),
    "POLY.grokking": (edited("polynomial", _t2_times(20)), real("polynomial")),
    # Figs. 30-35: depth
    "A9.L1_plateau": (real("depth_small"), edited("depth_small", scale("test_error", 1.1, L=1))),
    "A9.L2_N50": (real("depth_small"), edited("depth_small", scale("test_error", 10, L=2))),
    "A9.L2_N70": (real("depth_small"), edited("depth_small", scale("test_error", 10, L=2))),
    "A9.no_delay": (
        real("depth_small"),
        edited("depth_small", setv("t2", lambda c: c["t1"] + 1, L=2)),
    ),
    "A9.L3": (
        edited("depth_small", setv("t1", 5000.0, L=3), setv("t2", 1000.0, L=3)),
        real("depth_small"),
    ),
    "A9.error_vs_L": (edited("depth_small", scale("test_error", 0.01, L=3)), real("depth_small")),
    "A10.L1_plateau": (real("depth_large"), edited("depth_large", scale("test_error", 1.1, L=1))),
    "A10.L2_N50": (real("depth_large"), edited("depth_large", _t2_times(1, L=2))),
    "A10.L2_N70": (real("depth_large"), edited("depth_large", _t2_times(1, L=2))),
    "A10.L3": (
        edited("depth_large", setv("t1", 1000.0, L=3), setv("t2", 2000.0, L=3)),
        real("depth_large"),
    ),
    "A10.error_vs_L": (edited("depth_large", scale("test_error", 0.01, L=3)), real("depth_large")),
    # Fig. 4: matrix completion
    "A11.t1": (real("completion"), edited("completion", setv("t1", 1000.0))),
    "A11.theory_t2": (real("completion"), edited("completion", scale("dt_pred", 100))),
    "A11.final_error": (real("completion"), edited("completion", add("test_error", 1e-2))),
    "A11.nuclear_norm": (real("completion"), edited("completion", scale("bstar_l1", 1.1))),
    "A11.signal_sv": (real("completion"), edited("completion", scale("sigma", 1.1))),
    "A11.staircase": (
        _staircase([0.5, 0.3, 0.15, 0.08, 0.04, 0.03, 0.025, 0.022]),
        _staircase([0.3] * 8),
    ),
    "A11.gradient_ratio": (real("completion"), edited("completion", scale("grad_ratio", 10))),
    "A11.no_nuclear": (
        real("completion"),
        edited("completion", scale("test_error", 0.5, beta_star=0.0)),
    ),
    # Figs. 5 and 42: the alpha x beta_* grid
    "A12.t2_constant": (
        real("matrix_grid"),
        edited("matrix_grid", scale("t2_stable", 2, alpha=1.0)),
    ),
    "A12.t2_slope": (real("matrix_grid"), edited("matrix_grid", _slope_half)),
    "A12.error_vs_beta": (real("matrix_grid"), edited("matrix_grid", _error_flat("beta_star"))),
    "A12.error_vs_alpha": (
        edited("matrix_grid", _error_prop_alpha),
        real("matrix_grid"),
    ),
    "A12.outlier_undertrained": (
        edited(
            "matrix_grid",
            setv("t2_stable", lambda c: c["T"], alpha=0.1, beta_star=1e-4),
            scale("dt_pred", 10, alpha=0.1, beta_star=1e-4),
        ),
        edited(
            "matrix_grid",
            setv("t2_stable", lambda c: c["T"], alpha=0.1, beta_star=1e-4),
            scale("dt_pred", 0.01, alpha=0.1, beta_star=1e-4),
        ),
    ),
    "A12.faster_with_alpha_beta": (real("matrix_grid"), edited("matrix_grid", _grid_inverted)),
    "A12.error_grows_with_beta": (real("matrix_grid"), edited("matrix_grid", reverse("beta_star"))),
    # Figs. 43-44: matrix sensing
    "SEN.projected": (real("sensing"), edited("sensing", setv("t2", -1.0, update="projected"))),
    "SEN.svt": (edited("sensing", setv("t2", 1000.0, update="svt")), real("sensing")),
    # Figs. 45-46: matrix coherence
    "A13.coherent_sampling": (real("matrix_coherence"), edited("matrix_coherence", reverse("tau"))),
    "A13.t2_vs_tau": (real("matrix_coherence"), edited("matrix_coherence", reverse("tau"))),
    "A13.samples_vs_tau": (real("matrix_coherence"), edited("matrix_coherence", reverse("tau"))),
    # Figs. 3, 47, 50: teacher-student
    "A14.memorization": (
        edited("teacher_student", setv("t1", 50.0)),
        real("teacher_student"),
    ),
    "A14.l1_generalizes": (
        edited("teacher_student", scale("test_mse", 10, beta=0.0)),
        real("teacher_student"),
    ),
    "A14.delay_order": (real("teacher_student"), edited("teacher_student", reverse("beta"))),
    "TS.sobolev_delay": (real("sobolev"), edited("sobolev", reverse("beta"))),
}


def test_every_claim_has_a_control():
    assert set(CONTROLS) == set(claims.load(KEY))


@pytest.mark.parametrize("cid", sorted(ON_QUICK_RUN))
def test_quick_run_status_of_the_claims_that_do_not_pass(cid):
    """The fixtures are the quick run: these claims read there what the ledger reports."""
    cubes = {p.stem: _real(p.stem) for p in sorted(DATA.glob("*.nc"))}
    assert claims.status_of(KEY, cid, cubes, settings()) == ON_QUICK_RUN[cid]


def test_every_other_claim_passes_on_the_quick_run():
    cubes = {p.stem: _real(p.stem) for p in sorted(DATA.glob("*.nc"))}
    rows = claims.evaluate(KEY, cubes, settings())
    bad = {r.claim: r.status for r in rows if r.claim not in ON_QUICK_RUN and r.status != "PASS"}
    assert bad == {}


def test_never_generalized_runs_stay_out_of_fits_and_orderings():
    """A run with t2 = -1 enters an ordering as +inf and never a fit, whatever its t2_stable."""
    cube = _real("coherence").copy(deep=True)
    cube["t2"][:] = -1.0
    cube["t2_stable"][:] = 10.0  # settled at once, at a bad level
    assert claims.status_of(KEY, "A8.t2_vs_tau", {"coherence": cube}, settings()) == "FAIL"
    grid = _real("ab_grid").copy(deep=True)
    grid["t2"][:] = -1.0
    assert claims.status_of(KEY, "A3.t2_slope", {"ab_grid": grid}, settings()) == "FAIL"
