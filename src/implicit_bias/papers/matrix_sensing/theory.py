"""Reference curves of paper 002 (spec 002.md section 10), computed from what the cubes store.

population_test_error  m -> infinity dynamics: with U_0 = alpha I, U_t stays diagonal in the
                       eigenbasis of X*, u_k <- u_k (1 - c eta (u_k^2 - lambda_k)).
lazy_floor             alpha = 1: GD barely moves X - X* in the null space of the measurements,
                       test ~ sqrt(1 - m/D) ||I - X*||_F / ||X*||_F.
min_norm_test_error    the minimum-Frobenius interpolant keeps a sqrt(1 - m/D) share of X*.
escape_time            the logistic escape of an eigen-direction from alpha^2 to lambda.
psd_statistical_dimension  m above which X* (rank 1) is the only PSD point consistent with the
                       data (conic integral geometry): where projected GD starts to recover.
"""

from __future__ import annotations

import math

import numpy as np

from ...kernels.matrix import CONVENTIONS


def packed_size(d: int) -> int:
    return d * (d + 1) // 2


def population_test_error(
    lam_star, d: int, alpha: float, eta: float, steps, convention: str = "true"
) -> np.ndarray:
    """Relative test error ||X_t - X*||_F / ||X*||_F of the population dynamics at ``steps``.

    lam_star: the non-zero eigenvalues of X* (the other d - r are 0).
    """
    lam = np.zeros(int(d))
    lam_star = np.asarray(lam_star, dtype=np.float64)
    lam[: lam_star.size] = lam_star
    steps = np.asarray(steps, dtype=np.int64)
    c = CONVENTIONS[convention]
    u = np.full(int(d), float(alpha))
    out = np.empty(steps.size)
    norm = np.linalg.norm(lam_star)
    t = 0
    for i, s in enumerate(steps):
        for _ in range(int(s) - t):
            u = u * (1.0 - c * eta * (u * u - lam))
        t = int(s)
        out[i] = np.linalg.norm(u * u - lam) / norm
    return out


def lazy_floor(lam_star, d: int, m: int) -> float:
    """Test error of GD from U_0 = I that only fits the data:
    sqrt(1 - m/D) ||I - X*||_F / ||X*||_F."""
    lam_star = np.asarray(lam_star, dtype=np.float64)
    fro2 = float(np.sum(lam_star**2))
    dist2 = d - 2 * float(lam_star.sum()) + fro2
    return math.sqrt(max(1.0 - m / packed_size(d), 0.0) * dist2 / fro2)


def min_norm_test_error(d: int, m: int) -> float:
    """Expected test error of the minimum-Frobenius-norm interpolant, sqrt(1 - m/D)."""
    return math.sqrt(max(1.0 - m / packed_size(d), 0.0))


def escape_time(lam: float, alpha: float, eta: float, convention: str = "true") -> float:
    """Steps for an eigenvalue to grow from alpha^2 to lam: ln(lam / alpha^2) / (2 c eta lam)."""
    return math.log(lam / alpha**2) / (2 * CONVENTIONS[convention] * eta * lam)


def psd_statistical_dimension(d: int) -> float:
    """Statistical dimension of the PSD cone's tangent cone at a rank-1 point: 1 + (d-1) +
    (d-1) d / 4 (spec section 10 item 5); about 25.75 d at d = 100."""
    return 1.0 + (d - 1) + (d - 1) * d / 4.0
