"""The data of paper 002 (spec 002.md section 3).

Ground truth X* = U* U*^T with U* (d, r) Gaussian and unit-norm columns (||X*|| ~ 1, not
rescaled: the paper's text). Sensing matrices are drawn packed: G (m, D), D = d(d+1)/2, i.i.d.
N(0, 1), row i = svec(sym(A_i)). This is exactly the law of sym(A_i) for A_i with i.i.d. N(0, 1)
entries (diagonal N(0, 1), off-diagonal N(0, 1/2), times sqrt 2 in svec), and only sym(A_i) enters
<A_i, X> for symmetric X. Measurements y_i = <A_i, X*> are noiseless.

Streams (rng_stream keys): X* from (2, seed, 0, d, r), fixed across repeats; G from
(2, seed, 1, d, r, m, rep); network inputs from (2, seed, 2, d, r, m, rep); SGD sample indices
from (2, seed, 3, d, m, rep). So every alpha / method of one (d, r, m, rep) sees the same G.

The workflow's data files (``problem``) hold X*, y and the network inputs but not G (up to
0.8 GB per draw at the paper's sizes): a training job redraws G from its stream with
``load_problem`` and checks it against the SHA-256 stored in the file.
"""

from __future__ import annotations

import hashlib

import numpy as np
import xarray as xr

from ...data import rng_stream
from ...kernels.matrix import svec
from ...store import cf
from . import KEY

__all__ = [
    "MEASUREMENT_DTYPES",
    "RNG_TAG",
    "VARIANTS",
    "g_digest",
    "ground_truth",
    "load_problem",
    "matrix_sensing",
    "problem",
    "quadratic_network",
    "sensing_matrices",
    "sgd_indices",
    "to_dataset",
]

RNG_TAG = 2  # this paper's first stream key (papers 000/001 use 0/1)
_TRUTH, _SENSING, _INPUTS, _SGD = 0, 1, 2, 3
VARIANTS = ("nn", "gaussian")  # L5-NN: A_i = x_i x_i^T;  L5-G: Gaussian A_i (spec section 11.2)


def _check(d: int, r: int, m: int | None = None) -> int:
    if not 1 <= r <= d:
        raise ValueError(f"need 1 <= r <= d, got r={r}, d={d}")
    m = 5 * d * r if m is None else int(m)
    if m < 1:
        raise ValueError(f"need m >= 1, got {m}")
    return m


def ground_truth(d: int, r: int, seed: int = 0) -> dict:
    """U* (d, r) with i.i.d. N(0, 1) entries then unit columns, and X* = U* U*^T (PSD, tr = r)."""
    _check(d, r)
    Ustar = rng_stream(RNG_TAG, seed, _TRUTH, d, r).standard_normal((d, r))
    Ustar /= np.linalg.norm(Ustar, axis=0)
    return {"Ustar": Ustar, "Xstar": Ustar @ Ustar.T}


def sensing_matrices(
    d: int, r: int, m: int, seed: int = 0, rep: int = 0, dtype=np.float64
) -> np.ndarray:
    """G (m, D) i.i.d. N(0, 1) in ``dtype``: the packed svec(sym(A_i)) of spec section 3.2."""
    rng = rng_stream(RNG_TAG, seed, _SENSING, d, r, m, rep)
    return rng.standard_normal((m, d * (d + 1) // 2), dtype=np.dtype(dtype).type)


def _measure_f64(G: np.ndarray, Xstar: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """y = G svec(X*) in float64 even for a float32 G, in row blocks (no full-size f64 copy)."""
    s = svec(Xstar)
    return np.concatenate(
        [G[i : i + chunk].astype(np.float64) @ s for i in range(0, G.shape[0], chunk)]
    )


def matrix_sensing(
    d: int, r: int, m: int | None = None, seed: int = 0, rep: int = 0, dtype=np.float64
) -> dict:
    """One matrix-sensing draw: Ustar, Xstar, G (m, D) in ``dtype``, y (m,) float64 and the sizes.

    m defaults to 5 d r (the paper's setting). X* depends on (d, r, seed) only; G on rep too.
    """
    m = _check(d, r, m)
    truth = ground_truth(d, r, seed)
    G = sensing_matrices(d, r, m, seed, rep, dtype)
    return {
        **truth,
        "G": G,
        "y": _measure_f64(G, truth["Xstar"]),
        "d": int(d),
        "r": int(r),
        "m": m,
        "seed": int(seed),
        "rep": int(rep),
        "variant": "gaussian",
    }


def quadratic_network(
    d: int, r: int, m: int | None = None, seed: int = 0, rep: int = 0, variant: str = "nn"
) -> dict:
    """Data of the quadratic-activation network (spec sections 3.3, 11.2), all float64.

    variant "nn" (L5-NN): inputs Xd (m, d) ~ N(0, I_d), y_i = ||U*^T x_i||^2 = <x_i x_i^T, X*>.
    variant "gaussian" (L5-G): the matrix_sensing draw with float64 G instead of inputs.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (allowed: {', '.join(VARIANTS)})")
    if variant == "gaussian":
        return matrix_sensing(d, r, m, seed, rep, np.float64)
    m = _check(d, r, m)
    truth = ground_truth(d, r, seed)
    Xd = rng_stream(RNG_TAG, seed, _INPUTS, d, r, m, rep).standard_normal((m, d))
    y = np.sum((Xd @ truth["Ustar"]) ** 2, axis=1)
    return {
        **truth,
        "Xd": Xd,
        "y": y,
        "d": int(d),
        "r": int(r),
        "m": m,
        "seed": int(seed),
        "rep": int(rep),
        "variant": "nn",
    }


def sgd_indices(d: int, m: int, T: int, seed: int = 0, rep: int = 0) -> np.ndarray:
    """T sample indices, uniform on {0..m-1} with replacement (batch-1 SGD, spec section 2.4)."""
    return rng_stream(RNG_TAG, seed, _SGD, d, m, rep).integers(0, m, size=int(T), dtype=np.int64)


def to_dataset(draw: dict) -> xr.Dataset:
    """An xr.Dataset with CF attributes of a draw from matrix_sensing or quadratic_network."""
    data = {
        "Ustar": (("row", "factor"), draw["Ustar"]),
        "Xstar": (("row", "col"), draw["Xstar"]),
        "y": (("measurement",), draw["y"]),
    }
    if "G" in draw:
        data["G"] = (("measurement", "packed"), draw["G"])
    if "Xd" in draw:
        data["Xd"] = (("measurement", "row"), draw["Xd"])
    attrs = {k: draw[k] for k in ("d", "r", "m", "seed", "rep", "variant")}
    ds = xr.Dataset(data, attrs={**attrs, "paper": KEY})
    cf(ds["Ustar"], "ground-truth factor U*, Gaussian with unit-norm columns")
    cf(ds["Xstar"], "ground-truth matrix X* = U* U*^T")
    cf(ds["y"], "noiseless measurements y_i = <A_i, X*>")
    if "G" in ds:
        cf(ds["G"], "packed sensing matrices svec(sym(A_i)), i.i.d. N(0, 1)")
    if "Xd" in ds:
        cf(ds["Xd"], "network inputs x_i ~ N(0, I_d), A_i = x_i x_i^T")
    return ds


# measurement type of a data file -> dtype of G (None: rank-one network inputs, no G)
MEASUREMENT_DTYPES = {"gaussian32": np.float32, "gaussian64": np.float64, "rankone": None}


def g_digest(G: np.ndarray) -> str:
    """SHA-256 of G's bytes (C order), its dtype and shape."""
    h = hashlib.sha256(f"{G.dtype.str}{G.shape}".encode())
    h.update(np.ascontiguousarray(G).data)
    return h.hexdigest()


def problem(measurement: str, d: int, r: int, m: int, truth_seed: int = 0, rep: int = 0):
    """The data file of one draw: X*, U*, y (and Xd for rank-one measurements), with G's digest."""
    if measurement not in MEASUREMENT_DTYPES:
        allowed = ", ".join(MEASUREMENT_DTYPES)
        raise ValueError(f"unknown measurement {measurement!r} (allowed: {allowed})")
    dtype = MEASUREMENT_DTYPES[measurement]
    if dtype is None:
        draw = quadratic_network(d, r, m, truth_seed, rep, "nn")
    else:
        draw = matrix_sensing(d, r, m, truth_seed, rep, dtype)
    ds = to_dataset({k: v for k, v in draw.items() if k != "G"})
    ds.attrs["measurement"] = measurement
    ds.attrs["truth_seed"] = int(truth_seed)
    if dtype is not None:
        ds.attrs["G_sha256"] = g_digest(draw["G"])
        ds.attrs["G_dtype"] = np.dtype(dtype).name
    return ds


def load_problem(ds: xr.Dataset) -> dict:
    """The arrays of a data file as a dict, with G redrawn (and verified) for Gaussian sensing."""
    a = ds.attrs
    out = {
        "Ustar": ds["Ustar"].values,
        "Xstar": ds["Xstar"].values,
        "y": ds["y"].values,
        **{k: int(a[k]) for k in ("d", "r", "m", "rep", "truth_seed")},
        "measurement": a["measurement"],
    }
    if "Xd" in ds:
        out["Xd"] = ds["Xd"].values
    if "G_sha256" in a:
        G = sensing_matrices(
            out["d"], out["r"], out["m"], out["truth_seed"], out["rep"], a["G_dtype"]
        )
        if g_digest(G) != a["G_sha256"]:
            raise RuntimeError(
                "the redrawn sensing matrices differ from those the data file was made with "
                "(different NumPy random generator?); delete results/matrix_sensing/data and rerun"
            )
        out["G"] = G
    return out
