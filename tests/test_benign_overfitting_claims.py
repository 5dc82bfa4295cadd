"""Negative controls of paper 000's claims: each claim id passes on an input that shows the
paper's effect and fails on one where the effect is absent or reversed (tests/test_ledger.py).

Passing inputs are the committed fixtures in tests/data/benign_overfitting/ (the quick run's
cubes, seeds 0-2, reduced: the dimension sweep without its curves) where the claim passes there,
and a cube made from the theory's rates (``theory_cube``) for the claims that FAIL on the quick
run (Z2.5b, Z2.6-ours, Z2.6-hybrid, Z2.6-gap, Z2.10). Failing inputs perturb the passing one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import xarray as xr
from conftest import ROOT, load_repo_config

from implicit_bias import claims
from implicit_bias.papers.benign_overfitting import KEY, theory
from implicit_bias.store import STATUS_CODES

DATA = ROOT / "tests" / "data" / KEY
QUICK_D = (100, 300, 1000, 3000, 10000)
FROZEN = ("Z2.5b", "Z2.6-ours", "Z2.6-hybrid", "Z2.6-gap", "Z2.10")  # FAIL on the quick run


@functools.cache
def settings() -> dict:
    cfg = load_repo_config()[KEY]
    return {"scale": "quick", "model": cfg["model"], **cfg["quick"]}


@functools.cache
def _real(name: str) -> xr.Dataset:
    with xr.open_dataset(DATA / f"{name}.nc") as ds:
        return ds.load()


@functools.cache
def theory_cube() -> xr.Dataset:
    """A Fig. 2 sweep on the quick grid with the paper's effect: hybrid and ours follow the
    near-optimal order, w^2-u^2 and min-l1 the slow sigma^2/ln(d/n), min-l2 its exact risk."""
    d = np.array(QUICK_D)
    n = np.round(3 * np.sqrt(d)).astype(int)
    hybrid = 1.6 * theory.rate_optimal(d, n, 3, 0.1)
    curves = {
        "ours": 1.25 * hybrid,
        "quad": 1.8 * theory.rate_min_l1(d, n, 0.1),
        "hybrid": hybrid,
        "min_l2": theory.min_l2_risk(d, n, 0.1),
    }
    curves["min_l1"] = 0.97 * curves["quad"]
    methods = list(curves)
    noise = 1 + 0.02 * np.random.default_rng(0).standard_normal((len(methods), d.size, 3))
    test = np.stack([curves[m] for m in methods])[:, :, None] * noise
    v = np.broadcast_to((0.085 * np.sqrt(n / d))[None, :, None], test.shape).copy()
    return xr.Dataset(
        {
            "test_error": (("estimator", "d", "seed"), test),
            "status": (("estimator", "d", "seed"), np.zeros(test.shape, np.int8)),
            "v_norm": (("estimator", "d", "seed"), v),
            "lasso_multiplier": (
                ("d", "seed"),
                np.repeat(np.where(d < 1000, 0.5, 1.0)[:, None], 3, 1),
            ),
        },
        coords={"estimator": methods, "d": d, "n": ("d", n), "seed": [0, 1, 2]},
    )


Cubes = tuple[dict, dict]


# ----------------------------------------------------------------------------- Fig. 1 inputs
def dynamics() -> Cubes:
    return {"dynamics": _real("dynamics")}, settings()


def _t1() -> float:
    return 1096.0  # T1 of the fixture's run (Z1.3 measures it)


def dynamics_with(edit: Callable[[xr.Dataset], None]) -> Callable[[], Cubes]:
    def make() -> Cubes:
        cube = _real("dynamics").copy(deep=True)
        edit(cube)
        return {"dynamics": cube}, settings()

    return make


def _curve(name: str, change: Callable[[np.ndarray, np.ndarray], np.ndarray]):
    """Edit one logged curve of the run (``change(t, values)``); its final value follows."""

    def edit(cube: xr.Dataset) -> None:
        var = cube[f"{name}_curve"]
        values = var.sel(estimator="ours").isel(d=0, seed=0).values.copy()
        new = change(cube["t"].values.astype(float), values)
        var.loc[{"estimator": "ours"}] = new.reshape(1, 1, -1)
        cube[name].loc[{"estimator": "ours"}] = new[np.isfinite(new)][-1]

    return edit


def _last(value: Callable[[np.ndarray], float]):
    """Set the last logged value (the final state) of a curve to ``value(values)``."""

    def change(t, v):
        k = np.flatnonzero(np.isfinite(v))[-1]
        v[k] = value(v)
        return v

    return change


def _not_converged(cube: xr.Dataset) -> None:
    cube["status"].loc[{"estimator": "ours"}] = STATUS_CODES["max_steps"]
    _curve("train_loss", _last(lambda v: 1e-3))(cube)


def _min_l2_test(cube: xr.Dataset) -> float:
    return float(cube["test_error"].sel(estimator="min_l2").isel(d=0, seed=0))


def _test_near_min_l2(cube: xr.Dataset) -> None:
    target = _min_l2_test(cube) / 10
    _curve("test_error", _last(lambda v: target))(cube)


def _bump(t, v):  # the loss rises once in Stage 2
    k = np.flatnonzero(np.isfinite(v) & (t > 5 * _t1()))[0]
    v[k] = 10 * v[k - 1]
    return v


# ----------------------------------------------------------------------------- Fig. 2 inputs
def dimension() -> Cubes:
    return {"dimension": _real("dimension")}, settings()


def made_dimension() -> Cubes:
    return {"dimension": theory_cube()}, settings()


def dimension_with(edit: Callable[[xr.Dataset], None], base: str = "real") -> Callable[[], Cubes]:
    def make() -> Cubes:
        cube = (_real("dimension") if base == "real" else theory_cube()).copy(deep=True)
        edit(cube)
        return {"dimension": cube}, settings()

    return make


def _set(method: str, values: Callable[[xr.Dataset], np.ndarray]):
    def edit(cube: xr.Dataset) -> None:
        new = np.asarray(values(cube))
        if new.ndim == 1:
            new = np.broadcast_to(new[:, None], (cube.sizes["d"], cube.sizes["seed"]))
        cube["test_error"].loc[{"estimator": method}] = new

    return edit


def _te(cube: xr.Dataset, method: str) -> np.ndarray:
    return cube["test_error"].sel(estimator=method).values.copy()


def _swap_ours_quad(cube: xr.Dataset) -> None:
    ours, quad = _te(cube, "ours"), _te(cube, "quad")
    cube["test_error"].loc[{"estimator": "ours"}] = quad
    cube["test_error"].loc[{"estimator": "quad"}] = ours


def _quad_fast(cube: xr.Dataset) -> np.ndarray:
    """w^2-u^2 decaying like d^-1/2 from its d = 100 value (the fast rate it should not have)."""
    d = cube["d"].values.astype(float)
    return _te(cube, "quad")[0:1, :] * (d[:, None] / d[0]) ** -0.5


def _flat(method: str):
    return _set(method, lambda c: np.broadcast_to(_te(c, method)[2:3, :], _te(c, method).shape))


def _status_quad_failed(cube: xr.Dataset) -> None:
    cube["status"].loc[{"estimator": "quad", "d": 1000, "seed": 0}] = STATUS_CODES["max_steps"]


def _v_large(cube: xr.Dataset) -> None:
    cube["v_norm"].loc[{"estimator": "ours"}] = 3 * cube["v_norm"].sel(estimator="ours")


def _lambda_at_edge(cube: xr.Dataset) -> None:
    cube["lasso_multiplier"].loc[{"d": 1000, "seed": 0}] = 10.0


CONTROLS: dict[str, tuple[Callable[[], Cubes], Callable[[], Cubes]]] = {
    # Fig. 1: the quick run passes every claim; the failing inputs remove one effect each.
    "Z1.1": (dynamics, dynamics_with(_not_converged)),
    "Z1.2": (dynamics, dynamics_with(_curve("train_loss", _bump))),
    "Z1.3": (  # Stage 1 ends 5x later than the logistic estimate
        dynamics,
        dynamics_with(_curve("signal_error", lambda t, v: np.where(t < 5 * _t1(), 1.0, v))),
    ),
    "Z1.4a": (  # Stage 1 lasts a fifth of the run
        dynamics,
        dynamics_with(
            _curve("signal_error", lambda t, v: np.where(t < 0.2 * np.nanmax(t), 1.0, v))
        ),
    ),
    "Z1.4b": (  # v has its final size already in Stage 1
        dynamics,
        dynamics_with(_curve("v_norm", lambda t, v: np.where(t >= 100, np.nanmax(v), v))),
    ),
    "Z1.5a": (dynamics, dynamics_with(_curve("train_loss", lambda t, v: 0.1 * v))),
    "Z1.5b": (dynamics, dynamics_with(_curve("q_norm", lambda t, v: 0.5 * v))),
    "Z1.6a": (  # the quadratic part loses half the signal in Stage 2
        dynamics,
        dynamics_with(_curve("q_norm", lambda t, v: np.where(t > 3 * _t1(), 0.5 * v, v))),
    ),
    "Z1.6b": (dynamics, dynamics_with(_curve("v_norm", lambda t, v: 5 * v))),
    "Z1.7a": (dynamics, dynamics_with(_curve("test_error", _last(lambda v: 0.05)))),
    "Z1.7b": (dynamics, dynamics_with(_test_near_min_l2)),
    "Z1.7c": (
        dynamics,
        dynamics_with(_curve("test_error", _last(lambda v: 10 * np.nanmin(v[v > 0])))),
    ),
    # Fig. 2: the quick run where it passes, the theory cube where the quick run fails.
    "Z2.1": (dimension, dimension_with(_status_quad_failed)),
    "Z2.2": (dimension, dimension_with(_set("min_l2", lambda c: 0.5 * _te(c, "min_l2")))),
    "Z2.3": (dimension, dimension_with(_set("ours", lambda c: 0.05 * _te(c, "min_l2")))),
    "Z2.4": (dimension, dimension_with(_set("ours", lambda c: 3 * _te(c, "hybrid")))),
    "Z2.5a": (dimension, dimension_with(_swap_ours_quad)),
    "Z2.5b": (
        made_dimension,
        dimension_with(_set("quad", lambda c: 1.8 * _te(c, "ours")), base="theory"),
    ),
    "Z2.6-ours": (made_dimension, dimension_with(_flat("ours"), base="theory")),
    "Z2.6-hybrid": (made_dimension, dimension_with(_flat("hybrid"), base="theory")),
    "Z2.6-quad": (dimension, dimension_with(_set("quad", _quad_fast))),
    "Z2.6-gap": (
        made_dimension,
        dimension_with(_set("quad", lambda c: 2 * _te(c, "ours")), base="theory"),
    ),
    "Z2.7": (dimension, dimension_with(_set("quad", lambda c: 2 * _te(c, "min_l1")))),
    "Z2.8": (dimension, dimension_with(_swap_ours_quad)),
    "Z2.9": (dimension, dimension_with(_v_large)),
    "Z2.10": (made_dimension, dimension_with(_lambda_at_edge, base="theory")),
    "Z2.11": (dimension, dimension_with(_set("quad", lambda c: _te(c, "quad")[::-1]))),
    "Z2.12": (dimension, dimension_with(_set("hybrid", lambda c: 1.2 * _te(c, "ours")))),
}


def test_quick_run_statuses_are_recorded():
    """The committed quick-run fixtures give the statuses the ledger reports (seeds 0-2)."""
    cubes = {"dynamics": _real("dynamics"), "dimension": _real("dimension")}
    rows = {r.claim: r.status for r in claims.evaluate(KEY, cubes, settings())}
    assert {c for c, s in rows.items() if s != "PASS"} == set(FROZEN)
    assert all(rows[c] == "FAIL" for c in FROZEN)


def test_theory_cube_passes_every_fig2_claim():
    rows = claims.evaluate(KEY, {"dimension": theory_cube()}, settings())
    assert {r.claim: r.status for r in rows if r.claim.startswith("Z2")} == {
        r.claim: "PASS" for r in rows if r.claim.startswith("Z2")
    }
    assert all(r.status == "N/A" for r in rows if r.claim.startswith("Z1"))
