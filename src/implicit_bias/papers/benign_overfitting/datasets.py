"""The data of paper 000: one draw (X, xi, y, beta*) per (d, seed), stored as NetCDF."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...data import SparseRegression, rng_stream, sparse_regression
from ...store import cf
from . import KEY, RNG_TAG


def generate(d: int, n: int, s: int, sigma: float, seed: int) -> xr.Dataset:
    """One draw (X, xi, y, beta*) for (d, seed); the same (d, seed) always gives the same draw."""
    data = sparse_regression(d, n, s, sigma, rng_stream(RNG_TAG, seed, d))
    ds = xr.Dataset(
        {
            "XT": (("feature", "sample"), data.XT),
            "y": (("sample",), data.y),
            "xi": (("sample",), data.xi),
            "beta_star": (("feature",), data.beta_star),
        },
        attrs={"d": d, "n": n, "s": s, "sigma": sigma, "seed": seed, "paper": KEY},
    )
    cf(ds["XT"], "design matrix X transposed (rows x_i ~ N(0, I_d))")
    cf(ds["y"], "responses y = X beta* + xi")
    cf(ds["xi"], "noise xi ~ N(0, sigma^2)")
    cf(ds["beta_star"], "sparse ground truth beta*")
    return ds


def as_problem(ds: xr.Dataset) -> SparseRegression:
    return SparseRegression(
        XT=np.ascontiguousarray(ds["XT"].values, dtype=np.float64),
        y=ds["y"].values.astype(np.float64),
        xi=ds["xi"].values.astype(np.float64),
        beta_star=ds["beta_star"].values.astype(np.float64),
        sigma=float(ds.attrs["sigma"]),
    )
