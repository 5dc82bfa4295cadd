"""Shared analysis of paper 004's cubes: the helpers the claims (and figures) measure with.

One definition is shared by the claims and the figures: a run *generalized* only if its cube's
``t2 >= 0`` (the first logged step with test error <= eps2 of its experiment; -1 means never).
The t_stable times (``t2_stable``) of a run that never generalized are the step at which its
error settled at a bad level, not a generalization time: they never enter a fit or a t2
comparison. In orderings a run that never generalized counts as t2 = +inf (the paper: "t2 -> inf").
The teacher-student cubes log t2 as the argmin of the test MSE (spec 2.3), which every run has;
there a run generalized if its test MSE went below mean ||y*||^2 (better than predicting 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import xarray as xr


def final(da: xr.DataArray) -> xr.DataArray:
    """Value at the last logged step of each run (runs of one cube may end at different T)."""
    pos = xr.DataArray(np.arange(da.sizes["t"]), dims="t")
    last = xr.where(da.notnull(), pos, -1).max("t")
    return da.isel(t=last.clip(min=0)).where(last >= 0)


def at_step(da: xr.DataArray, t: xr.DataArray) -> xr.DataArray:
    """da at the logged step nearest to t (per run)."""
    idx = np.abs(da["t"] - t).argmin("t")
    return da.isel(t=idx)


def squeeze(cube: xr.Dataset, *keep: str) -> xr.Dataset:
    """Drop the size-1 dims except ``keep`` (sweep axes stay dims even with one value)."""
    return cube.squeeze([d for d in cube.dims if cube.sizes[d] == 1 and d not in keep], drop=True)


def med(da: xr.DataArray) -> xr.DataArray:
    """Median over seeds (spec 8: sweeps are judged on medians over 3 seeds); NaN (a seed left
    out) is skipped."""
    if "seed" not in da.dims:
        return da
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all seeds left out: NaN
        return da.median("seed")


def quantile(da: xr.DataArray, q: float) -> xr.DataArray:
    """The q-quantile over the steps of each run (NaN for a run left out)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return da.quantile(q, "t").drop_vars("quantile")


def never_inf(t: xr.DataArray) -> xr.DataArray:
    """A first-hit step with -1 (never) as +inf."""
    return t.where(t >= 0, np.inf)


def generalized(cube: xr.Dataset) -> xr.DataArray:
    """The runs that generalized (see the module docstring)."""
    if cube.attrs.get("kind") == "teacher" or "test_mse" in cube:
        return cube["ete_min"] < cube["ystar2"]
    return cube["t2"] >= 0


def t2_gen(cube: xr.Dataset, var: str = "t2_stable") -> xr.DataArray:
    """``var`` of the runs that generalized, +inf for the others (never generalized)."""
    return cube[var].where(generalized(cube), np.inf)


def t_memorized(train: xr.DataArray, eps1: float = 1e-3) -> xr.DataArray:
    """t1 = first logged t with E_tr <= max(eps1, 2 E_tr(T)): memorization reaches the
    O(alpha beta1) neighbourhood of b_hat (Thm C.8), whose train-error floor can exceed eps1
    (spec 10.1); the threshold is lifted to twice that floor where it does. +inf if never."""
    thr = np.maximum(eps1, 2 * final(train))
    pos = xr.DataArray(np.arange(train.sizes["t"]), dims="t")
    first = xr.where(train <= thr, pos, train.sizes["t"]).min("t")
    t = xr.DataArray(np.append(train["t"].values, np.inf).astype(float), dims="k")
    return t.isel(k=first).drop_vars("k", errors="ignore")


def first_below(da: xr.DataArray, thr: float) -> xr.DataArray:
    """First logged t with da <= thr (+inf if never)."""
    pos = xr.DataArray(np.arange(da.sizes["t"]), dims="t")
    first = xr.where(da <= thr, pos, da.sizes["t"]).min("t")
    t = xr.DataArray(np.append(da["t"].values, np.inf).astype(float), dims="k")
    return t.isel(k=first).drop_vars("k", errors="ignore")


def value(x) -> float:
    return float(np.asarray(x).squeeze())


def inversions(values) -> int:
    """Number of decreases in a sequence meant to be non-decreasing (inf == inf is no decrease)."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return int(np.sum(v[1:] < v[:-1]))


def faster_along(t2, axes) -> dict:
    """Inversions of "t2 decreases as each of ``axes`` grows" (every line of the grid along one
    axis, the other axes fixed; NaN points left out), and how many comparisons were made."""
    inv, pairs = 0, 0
    for other in axes:
        for v in t2[other].values:
            row = t2.sel({other: v}).values
            row = row[np.isfinite(row)]
            pairs += max(row.size - 1, 0)
            inv += inversions(-row)
    return {"inversions": inv, "comparisons": pairs}


def error_slopes_in_alpha(c, ok, beta: str, label: str | None = None) -> dict:
    """Log-log slope of the final E_te against alpha at each value of ``beta`` (the runs in
    ``ok`` only; a beta with fewer than two such alphas is left out)."""
    fin = final(c["test_error"])
    slopes = {}
    for b in c[beta].values:
        keep = ok.sel({beta: b})
        if int(keep.sum()) >= 2:
            slopes[f"{label or beta}={b:g}"] = slope(
                c["alpha"].where(keep).values, fin.sel({beta: b}).where(keep).values
            )
    return slopes


def slope(x, y) -> float:
    """Least-squares slope of log y against log x over the finite positive points."""
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def eps(settings: Mapping, experiment: str, which: str) -> float:
    """The experiment's t1 (eps1) or t2 (eps2) threshold, as the training jobs used it."""
    spec = settings.get("experiments", {}).get(experiment, {})
    return float(spec.get(which, settings.get("model", {}).get(which, 1e-3)))
