"""Synthetic sparse linear regression data (Zhou & Ge 2023, App. E).

y = X beta* + xi with x_i ~ N(0, I_d), xi_i ~ N(0, sigma^2), beta* s-sparse with unit norm.
The design is stored transposed, XT with shape (d, n), because the kernels stream over its rows.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

__all__ = [
    "SparseRegression",
    "as_design",
    "n_samples",
    "rng_stream",
    "sparse_beta_star",
    "sparse_regression",
]


def rng_stream(*key: int) -> np.random.Generator:
    """Independent generator for a tuple of non-negative integer keys, e.g. (paper, d, seed)."""
    if len(key) == 0:
        raise ValueError("rng_stream needs at least one key")
    entropy = []
    for k in key:
        if isinstance(k, bool):
            raise ValueError(f"rng key must be an int, got {k!r}")
        try:
            k_int = operator.index(k)
        except TypeError as err:
            raise ValueError(f"rng key must be an int, got {k!r}") from err
        if k_int < 0:
            raise ValueError(f"rng key must be non-negative, got {k_int}")
        entropy.append(int(k_int))
    return np.random.default_rng(np.random.SeedSequence(entropy))


def as_design(XT, y) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert a transposed design XT (d, n) and responses y (n,) to C float64."""
    XT = np.ascontiguousarray(XT, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if XT.ndim != 2 or y.ndim != 1 or XT.shape[1] != y.shape[0]:
        raise ValueError(f"need XT (d, n) and y (n,), got {XT.shape} and {y.shape}")
    return XT, y


def n_samples(d: int, ratio: float = 3.0) -> int:
    """n = round(ratio * sqrt(d)); the paper fixes d/n = sqrt(d)/3."""
    return int(round(ratio * math.sqrt(d)))


def sparse_beta_star(d: int, s: int = 3) -> np.ndarray:
    """(1/sqrt(s)) * (+1, -1, +1, ...) on the first s coordinates, zero elsewhere."""
    if not 1 <= s <= d:
        raise ValueError(f"need 1 <= s <= d, got s={s}, d={d}")
    beta_star = np.zeros(d, dtype=np.float64)
    signs = np.where(np.arange(s) % 2 == 0, 1.0, -1.0)
    beta_star[:s] = signs / math.sqrt(s)
    return beta_star


@dataclass(frozen=True)
class SparseRegression:
    """One draw of the sparse regression problem."""

    XT: np.ndarray  # (d, n), C-contiguous float64: X transposed
    y: np.ndarray  # (n,)
    xi: np.ndarray  # (n,) noise contained in y, exactly y - X beta*
    beta_star: np.ndarray  # (d,)
    sigma: float

    @property
    def d(self) -> int:
        return int(self.XT.shape[0])

    @property
    def n(self) -> int:
        return int(self.XT.shape[1])

    @property
    def s(self) -> int:
        return int(np.count_nonzero(self.beta_star))


def sparse_regression(
    d: int, n: int, s: int, sigma: float, rng: np.random.Generator
) -> SparseRegression:
    """Draw XT ~ N(0,1)^(d x n) directly in (d, n) layout (no transposed copy), then xi, then y."""
    if d < 1 or n < 1:
        raise ValueError(f"need d, n >= 1, got d={d}, n={n}")
    if sigma < 0:
        raise ValueError(f"sigma must be non-negative, got {sigma}")
    beta_star = sparse_beta_star(d, s)
    XT = rng.standard_normal((d, n))
    noise = float(sigma) * rng.standard_normal(n)
    signal = XT.T @ beta_star
    y = signal + noise
    # Store the noise as realized in y (differs from the draw by at most an ulp),
    # so that y - X beta* == xi holds bit for bit.
    xi = y - signal
    return SparseRegression(
        XT=np.ascontiguousarray(XT, dtype=np.float64),
        y=y,
        xi=xi,
        beta_star=beta_star,
        sigma=float(sigma),
    )
