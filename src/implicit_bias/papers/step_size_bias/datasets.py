"""The data of paper 001 (spec 001.md section 3): one sparse regression draw per (d, seed).

x_n ~ N(mu 1, sigma_x^2 I_d), y_n = <beta*, x_n> + xi_n, xi_n ~ N(0, noise_sd^2), and
beta* = (1/sqrt(k)) 1_S with S the first k coordinates. The design is stored with rows =
samples, X (N, d), as in the spec.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ...data import as_design, rng_stream
from ...store import cf
from . import KEY

__all__ = ["RNG_TAG", "as_problem", "beta_star", "generate", "test_excess", "test_population"]

# Stream tag of this paper's random draws (paper 000 uses 0), so papers never share a stream.
RNG_TAG = 1


def beta_star(d: int, k: int) -> np.ndarray:
    """1/sqrt(k) on the first k coordinates, 0 elsewhere (all non-zeros positive, unit l2 norm)."""
    if not 1 <= k <= d:
        raise ValueError(f"need 1 <= k <= d, got k={k}, d={d}")
    b = np.zeros(d, dtype=np.float64)
    b[:k] = 1.0 / math.sqrt(k)
    return b


def generate(
    d: int = 100,
    N: int = 50,
    k: int = 5,
    mu: float = 5.0,
    sigma_x2: float = 5.0,
    noise_sd: float = 0.1,
    seed: int = 0,
) -> xr.Dataset:
    """One draw (X, y, xi, beta*, z_init, z_kick); the same (d, seed) always gives the same draw.

    mu is not part of the stream key: the draws for mu in {0, 5, 10} share their standard normals,
    so the figures that compare data means differ only by the shift.
    """
    if N < 1 or d < 1:
        raise ValueError(f"need d, N >= 1, got d={d}, N={N}")
    if sigma_x2 < 0 or noise_sd < 0:
        raise ValueError(f"need sigma_x2, noise_sd >= 0, got {sigma_x2}, {noise_sd}")
    b_star = beta_star(d, k)
    rng = rng_stream(RNG_TAG, seed, d)
    # X first, then the label noise: the order of the spec's reference scheme (section 3.3).
    X = float(mu) + math.sqrt(sigma_x2) * rng.standard_normal((N, d))
    noise = float(noise_sd) * rng.standard_normal(N)
    signal = X @ b_star
    y = signal + noise
    # Keep the noise as realized in y, so that y - X beta* == xi holds bit for bit.
    xi = y - signal
    # Separate streams: adding or changing these never moves the data draw.
    z_init = rng_stream(RNG_TAG, seed, d, 1).standard_normal(d)
    z_kick = rng_stream(RNG_TAG, seed, d, 2).standard_normal(4 * d)
    ds = xr.Dataset(
        {
            "X": (("sample", "feature"), X),
            "y": (("sample",), y),
            "xi": (("sample",), xi),
            "beta_star": (("feature",), b_star),
            "z_init": (("feature",), z_init),
            "z_kick": (("kick",), z_kick),
        },
        attrs={
            "d": int(d),
            "N": int(N),
            "k": int(k),
            "mu": float(mu),
            "sigma_x2": float(sigma_x2),
            "noise_sd": float(noise_sd),
            "seed": int(seed),
            "paper": KEY,
        },
    )
    cf(ds["X"], "design matrix X, rows x_n ~ N(mu 1, sigma_x^2 I_d)")
    cf(ds["y"], "responses y = X beta* + xi")
    cf(ds["xi"], "label noise xi ~ N(0, noise_sd^2)")
    cf(ds["beta_star"], "sparse ground truth beta*")
    cf(ds["z_init"], "random initialization shape z ~ N(0, I_d) (u+ = u- = alpha z)")
    cf(ds["z_kick"], "kick direction z ~ N(0, I) for frozen unstable minima (length 4d)")
    return ds


def as_problem(ds: xr.Dataset) -> dict:
    """NumPy float64 arrays of one draw: X (N, d) and XT (d, N), both C-contiguous, and the rest."""
    XT, y = as_design(ds["X"].values.T, ds["y"].values)
    return {
        "X": np.ascontiguousarray(ds["X"].values, dtype=np.float64),
        "XT": XT,
        "y": y,
        "xi": ds["xi"].values.astype(np.float64),
        "beta_star": ds["beta_star"].values.astype(np.float64),
        "z_init": ds["z_init"].values.astype(np.float64),
        "z_kick": ds["z_kick"].values.astype(np.float64),
        "mu": float(ds.attrs["mu"]),
        "sigma_x2": float(ds.attrs["sigma_x2"]),
        "noise_var": float(ds.attrs["noise_sd"]) ** 2,
    }


def test_excess(beta, beta_star, mu: float, sigma_x2: float) -> float:
    """E_x[<beta - beta*, x>^2] = sigma_x^2 ||delta||^2 + mu^2 (1^T delta)^2 (spec section 3.2)."""
    delta = np.asarray(beta, dtype=np.float64) - np.asarray(beta_star, dtype=np.float64)
    return float(sigma_x2 * (delta @ delta) + mu**2 * delta.sum() ** 2)


def test_population(beta, beta_star, mu: float, sigma_x2: float, noise_var: float = 0.01) -> float:
    """Population training loss (1): 0.5 E[(<beta, x> - y)^2], label noise included."""
    return 0.5 * (test_excess(beta, beta_star, mu, sigma_x2) + float(noise_var))


# pytest would otherwise collect these two as tests when imported into a test module.
test_excess.__test__ = False
test_population.__test__ = False
