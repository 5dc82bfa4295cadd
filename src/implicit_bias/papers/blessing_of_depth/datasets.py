"""The data of paper 003 (spec 003.md section 4), deterministic from the seed.

Each draw uses one stream, rng_stream(3, seed, <stream id>, sizes...), and inside it the draw
order of the spec, so passing ``rng=np.random.default_rng(seed)`` instead reproduces the spec's
pilot data (its [OBSERVED] numbers) exactly. Streams:
    0 robust sparse regression (E1-E4, E8, E9): supp, theta* values, X, S, eps
    1 variant-B layer shapes U ~ U[0.5, 1.5] (N, d)
    2 deep matrix recovery (E5): U, V, A, S, eps;        3 its Gaussian init
    4 ReLU data (E6): supp, values, X, X_test, S, eps;   5 its Gaussian init
    6 the Lemma 5 direction z of E8
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ...data import rng_stream
from ...kernels.relu_net import init_relu
from ...store import cf
from . import KEY

__all__ = [
    "RNG_TAG",
    "init_shapes",
    "lemma5_direction",
    "digits_data",
    "from_dataset",
    "matrix_init",
    "matrix_recovery",
    "relu_data",
    "relu_init",
    "robust_regression",
    "to_dataset",
    "under_parameterized",
]

RNG_TAG = 3
_REGRESSION, _SHAPES, _MATRIX, _MATRIX_INIT, _RELU, _RELU_INIT, _LEMMA5 = range(7)


def _n_outliers(p: float, m: int) -> int:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"need 0 <= p < 1, got {p}")
    return int(round(p * m))


def robust_regression(
    seed: int = 0,
    d: int = 500,
    m: int = 300,
    k: int = 5,
    p: float = 0.1,
    sigma_o: float = 10.0,
    theta_star=None,
    rng: np.random.Generator | None = None,
) -> dict:
    """y = X theta* + eps (spec 4.1): x_j ~ N(0, I_d), theta* >= 0 k-sparse with U[0.5, 1.5]
    values on a uniformly random support, eps_j ~ N(0, sigma_o^2) on a uniformly random set S of
    round(p m) rows and 0 elsewhere. A given theta_star (d,) skips the first two draws (E8).

    Returns X (m, d), y, eps, S (sorted), theta_star, supp (sorted), L_star = mean |eps| (the
    loss of every true solution) and the parameters.
    """
    if d < 1 or m < 1 or not 1 <= k <= d:
        raise ValueError(f"need d, m >= 1 and 1 <= k <= d, got d={d}, m={m}, k={k}")
    n_out = _n_outliers(p, m)
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _REGRESSION, d, m, k)
    if theta_star is None:
        supp = rng.choice(d, k, replace=False)
        theta = np.zeros(d)
        theta[supp] = rng.uniform(0.5, 1.5, k)
    else:
        theta = np.array(theta_star, dtype=np.float64)
        if theta.shape != (d,):
            raise ValueError(f"theta_star must have shape ({d},), got {theta.shape}")
        supp = np.flatnonzero(theta)
        k = supp.size
    X = rng.standard_normal((m, d))
    S = rng.choice(m, n_out, replace=False)
    eps = np.zeros(m)
    eps[S] = rng.normal(0.0, sigma_o, n_out)
    y = X @ theta + eps
    return {
        "X": X,
        "y": y,
        "eps": eps,
        "S": np.sort(S).astype(np.int64),
        "theta_star": theta,
        "supp": np.sort(supp).astype(np.int64),
        "L_star": float(np.mean(np.abs(eps))),
        "d": int(d),
        "m": int(m),
        "k": int(k),
        "p": float(p),
        "sigma_o": float(sigma_o),
        "seed": int(seed),
        "kind": "regression",
    }


def under_parameterized(seed: int = 0, d: int = 20, m: int = 400, p: float = 0.1) -> dict:
    """E8 data: theta* = (1, 1, 1, 0, ...), p m outliers N(0, 100), m >> d (spec 8, item 26)."""
    theta = np.zeros(d)
    theta[:3] = 1.0
    return robust_regression(seed, d, m, 3, p, 10.0, theta_star=theta)


def init_shapes(seed: int, N: int, d: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Variant-B layer shapes U (N, d) i.i.d. U[0.5, 1.5] (spec 3.3); init = c U."""
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _SHAPES, N, d)
    return rng.uniform(0.5, 1.5, (N, d))


def lemma5_direction(
    seed: int, d: int, k: int = 5, norms=(0.1, 1.0, 10.0), rng: np.random.Generator | None = None
) -> np.ndarray:
    """k-sparse z, N(0, 1) values on a uniformly random support, scaled to each norm: (len, d)."""
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _LEMMA5, d, k)
    supp = rng.choice(d, k, replace=False)
    z = np.zeros(d)
    z[supp] = rng.standard_normal(k)
    z /= np.linalg.norm(z)
    return np.array([float(s) * z for s in norms])


def matrix_recovery(
    seed: int = 0,
    d: int = 20,
    r: int = 3,
    m: int = 180,
    p: float = 0.05,
    sigma_o: float = 10.0,
    rng: np.random.Generator | None = None,
) -> dict:
    """E5 (spec 4.2): X* = U V^T with U, V (d, r) i.i.d. N(0, 1), unnormalized; A (m, d^2) i.i.d.
    N(0, 1) (row i = vec(A_i)); y = A vec(X*) + eps with round(p m) N(0, sigma_o^2) outliers."""
    if not 1 <= r <= d or m < 1:
        raise ValueError(f"need 1 <= r <= d and m >= 1, got r={r}, d={d}, m={m}")
    n_out = _n_outliers(p, m)
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _MATRIX, d, r, m)
    U = rng.standard_normal((d, r))
    V = rng.standard_normal((d, r))
    Xstar = U @ V.T
    A = rng.standard_normal((m, d * d))
    S = rng.choice(m, n_out, replace=False)
    eps = np.zeros(m)
    eps[S] = rng.normal(0.0, sigma_o, n_out)
    y = A @ Xstar.reshape(-1) + eps
    return {
        "A": A,
        "y": y,
        "eps": eps,
        "S": np.sort(S).astype(np.int64),
        "Xstar": Xstar,
        "L_star": float(np.mean(np.abs(eps))),
        "d": int(d),
        "r": int(r),
        "m": int(m),
        "p": float(p),
        "sigma_o": float(sigma_o),
        "seed": int(seed),
        "kind": "matrix",
    }


def matrix_init(
    seed: int, N: int, d: int, alpha: float = 1e-3, rng: np.random.Generator | None = None
) -> np.ndarray:
    """W0 (N, d, d), i.i.d. N(0, alpha^(2/N) / d) entries: ||W_1...W_N|| is of order alpha."""
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _MATRIX_INIT, N, d)
    return float(alpha) ** (1.0 / N) / math.sqrt(d) * rng.standard_normal((N, d, d))


def relu_data(
    seed: int = 0,
    d: int = 50,
    k: int = 2,
    m: int = 1500,
    p: float = 0.05,
    sigma_o: float = 5.0,
    m_test: int = 5000,
    rng: np.random.Generator | None = None,
) -> dict:
    """E6 (spec 4.3): y_i = sin(theta*^T x_i) + eps_i, x_i ~ N(0, I_d), theta* k-sparse with N(0, 1)
    values then ||theta*|| = 1, round(p m) outliers N(0, sigma_o^2); a clean test set of m_test.

    Inputs are returned transposed, XT (d, m) and XT_test (d, m_test), for the ReLU kernel;
    f_train / f_test are the clean targets sin(theta*^T x) (f_train gives the p = 0 reference).
    """
    n_out = _n_outliers(p, m)
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _RELU, d, m)
    supp = rng.choice(d, k, replace=False)
    theta = np.zeros(d)
    theta[supp] = rng.standard_normal(k)
    theta /= np.linalg.norm(theta)
    X = rng.standard_normal((m, d))
    X_test = rng.standard_normal((m_test, d))
    S = rng.choice(m, n_out, replace=False)
    eps = np.zeros(m)
    eps[S] = rng.normal(0.0, sigma_o, n_out)
    f_train = np.sin(X @ theta)
    return {
        "XT": np.ascontiguousarray(X.T),
        "y": f_train + eps,
        "f_train": f_train,
        "eps": eps,
        "S": np.sort(S).astype(np.int64),
        "XT_test": np.ascontiguousarray(X_test.T),
        "f_test": np.sin(X_test @ theta),
        "theta_star": theta,
        "d": int(d),
        "k": int(k),
        "m": int(m),
        "m_test": int(m_test),
        "p": float(p),
        "sigma_o": float(sigma_o),
        "seed": int(seed),
        "kind": "relu",
    }


def relu_init(
    seed: int,
    N: int,
    d: int = 50,
    h: int = 64,
    alpha: float = 1e-2,
    rng: np.random.Generator | None = None,
) -> list[np.ndarray]:
    """Layers (h, d), (h, h)..., (1, h), entries i.i.d. N(0, alpha^(2/N) / d) (paper's init)."""
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _RELU_INIT, N, d, h)
    return init_relu(rng, N, d, h, alpha)


def to_dataset(draw: dict) -> xr.Dataset:
    """An xr.Dataset with CF attributes of a draw from robust_regression, matrix_recovery or
    relu_data (the kind is read from draw["kind"])."""
    kind = draw.get("kind")
    if kind == "digits":
        ds = xr.Dataset(
            {
                "X_train": (("sample", "pixel"), draw["X_train"]),
                "y_train": (("sample",), draw["y_train"]),
                "y_clean": (("sample",), draw["y_clean"]),
                "X_test": (("test_sample", "pixel"), draw["X_test"]),
                "y_test": (("test_sample",), draw["y_test"]),
            },
            attrs={
                "n_test": draw["n_test"],
                "label_noise": draw["label_noise"],
                "seed": draw["seed"],
                "kind": kind,
                "paper": KEY,
            },
        )
        cf(ds["X_train"], "training images (8 x 8 pixels / 16)")
        cf(ds["y_train"], "training labels after label noise")
        cf(ds["y_clean"], "training labels before label noise")
        cf(ds["X_test"], "test images (8 x 8 pixels / 16)")
        cf(ds["y_test"], "test labels (clean)")
        return ds
    mask = np.zeros(draw["y"].shape[0], dtype=np.int8)
    mask[draw["S"]] = 1
    if kind == "regression":
        data = {
            "X": (("sample", "coordinate"), draw["X"]),
            "y": (("sample",), draw["y"]),
            "eps": (("sample",), draw["eps"]),
            "outlier": (("sample",), mask),
            "theta_star": (("coordinate",), draw["theta_star"]),
        }
        attrs = {n: draw[n] for n in ("d", "m", "k", "p", "sigma_o", "seed", "L_star")}
    elif kind == "matrix":
        data = {
            "A": (("sample", "entry"), draw["A"]),
            "y": (("sample",), draw["y"]),
            "eps": (("sample",), draw["eps"]),
            "outlier": (("sample",), mask),
            "Xstar": (("row", "col"), draw["Xstar"]),
        }
        attrs = {n: draw[n] for n in ("d", "r", "m", "p", "sigma_o", "seed", "L_star")}
    elif kind == "relu":
        data = {
            "XT": (("coordinate", "sample"), draw["XT"]),
            "y": (("sample",), draw["y"]),
            "eps": (("sample",), draw["eps"]),
            "outlier": (("sample",), mask),
            "XT_test": (("coordinate", "test_sample"), draw["XT_test"]),
            "f_test": (("test_sample",), draw["f_test"]),
            "theta_star": (("coordinate",), draw["theta_star"]),
        }
        attrs = {n: draw[n] for n in ("d", "k", "m", "m_test", "p", "sigma_o", "seed")}
    else:
        raise ValueError(f"unknown draw kind {kind!r} (allowed: regression, matrix, relu, digits)")
    ds = xr.Dataset(data, attrs={**attrs, "kind": kind, "paper": KEY})
    cf(ds["y"], "measurements including outlier noise")
    cf(ds["eps"], "outlier noise, N(0, sigma_o^2) on the outlier set and 0 elsewhere")
    cf(ds["outlier"], "1 if the sample is corrupted", flag_values=np.array([0, 1], np.int8))
    if kind == "regression":
        cf(ds["X"], "design x_j ~ N(0, I_d)")
        cf(ds["theta_star"], "ground truth theta*, non-negative and k-sparse")
    elif kind == "matrix":
        cf(ds["A"], "sensing matrices, row i = vec(A_i) in C order, i.i.d. N(0, 1)")
        cf(ds["Xstar"], "ground truth X* = U V^T of rank r")
    else:
        cf(ds["XT"], "training inputs x_i ~ N(0, I_d), transposed")
        cf(ds["XT_test"], "clean test inputs, transposed")
        cf(ds["f_test"], "clean test targets sin(theta*^T x)")
        cf(ds["theta_star"], "ground truth direction theta*, 2-sparse with unit norm")
    return ds


_DIGITS = 7


def digits_data(
    seed: int = 0,
    n_test: int = 500,
    label_noise: float = 0.1,
    rng: np.random.Generator | None = None,
) -> dict:
    """E7p (spec 3.9): scikit-learn's digits (1797 8x8 images, shipped with the package), pixels
    scaled to [0, 1], a random split with n_test held out, and label_noise of the training
    labels redrawn uniformly from the 10 classes (the new label may equal the old one)."""
    from sklearn.datasets import load_digits  # only this data set needs scikit-learn

    images, labels = load_digits(return_X_y=True)
    if not 0 < n_test < labels.size:
        raise ValueError(f"need 0 < n_test < {labels.size}, got {n_test}")
    if rng is None:
        rng = rng_stream(RNG_TAG, seed, _DIGITS, n_test)
    order = rng.permutation(labels.size)
    test, train = order[:n_test], order[n_test:]
    y_clean = labels[train].astype(np.int64)
    noisy = rng.choice(train.size, int(round(label_noise * train.size)), replace=False)
    y_train = y_clean.copy()
    y_train[noisy] = rng.integers(0, 10, noisy.size)
    return {
        "X_train": images[train] / 16.0,
        "y_train": y_train,
        "y_clean": y_clean,
        "X_test": images[test] / 16.0,
        "y_test": labels[test].astype(np.int64),
        "n_test": int(n_test),
        "label_noise": float(label_noise),
        "seed": int(seed),
        "kind": "digits",
    }


def from_dataset(ds: xr.Dataset) -> dict:
    """The draw dict of ``to_dataset`` back from its xr.Dataset (arrays as C-contiguous float64
    / int64, the sets S and supp recomputed)."""
    draw = {name: np.ascontiguousarray(ds[name].values) for name in ds.data_vars}
    draw.update(ds.attrs)
    kind = draw["kind"]
    if kind != "digits":
        draw["S"] = np.flatnonzero(draw.pop("outlier")).astype(np.int64)
    if "theta_star" in draw and kind == "regression":
        draw["supp"] = np.flatnonzero(draw["theta_star"]).astype(np.int64)
    if kind == "relu":
        theta = draw["theta_star"]
        draw["f_train"] = np.sin(theta @ draw["XT"])
    return draw
