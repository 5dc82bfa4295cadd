"""Explicit interpolators used as baselines: min-l2, min-l1 (basis pursuit), hybrid.

All functions take the transposed design XT with shape (d, n) and assume n < d.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import linprog

from implicit_bias.data import as_design
from implicit_bias.kernels.lasso import lasso_path

__all__ = [
    "excess_risk",
    "hybrid_interpolator",
    "min_l1_interpolator",
    "min_l2_expected_risk",
    "min_l2_interpolator",
]

# HiGHS options for basis pursuit. Presolve only costs time on this dense LP (about 21 s
# instead of 27 s at d=1e4, n=300); the default 1e-7 feasibility tolerance lets a basic
# variable end at about -5e-8, which puts a spurious wrong-sign entry into beta.
_BP_OPTIONS = {
    "presolve": False,
    "primal_feasibility_tolerance": 1e-9,
    "dual_feasibility_tolerance": 1e-9,
}


def _gram_cholesky(XT):
    """Cholesky factor of G = X X^T (n x n), cost n^2 d."""
    return cho_factor(XT.T @ XT, lower=True, check_finite=False)


def _min_norm_fit(XT, factor, target):
    """X^T (X X^T)^{-1} target: the min-l2 solution of X b = target."""
    return XT @ cho_solve(factor, target, check_finite=False)


def _check_interpolates(XT, y, beta, what):
    resid = np.max(np.abs(XT.T @ beta - y))
    if not resid <= 1e-6 * max(1.0, float(np.max(np.abs(y)))):
        raise RuntimeError(f"{what}: solution does not interpolate, max |X beta - y| = {resid:.3e}")


def min_l2_interpolator(XT, y) -> np.ndarray:
    """beta = X^T (X X^T)^{-1} y, the limit of GD on beta from zero."""
    XT, y = as_design(XT, y)
    return _min_norm_fit(XT, _gram_cholesky(XT), y)


def min_l1_interpolator(XT, y) -> np.ndarray:
    """Basis pursuit argmin ||beta||_1 s.t. X beta = y, as the primal LP in z = (p, q) >= 0.

    min 1^T z s.t. [X, -X] z = y, beta = p - q. This was faster than the dual LP
    (max y^T nu s.t. ||X^T nu||_inf <= 1, see _min_l1_dual) at d=1e4, n=300.
    """
    XT, y = as_design(XT, y)
    beta = weighted_min_l1_interpolator(XT, y, np.ones(XT.shape[0]))
    _check_interpolates(XT, y, beta, "basis pursuit LP")
    return beta


def weighted_min_l1_interpolator(XT, y, c) -> np.ndarray:
    """argmin sum_i c_i |beta_i| s.t. X beta = y (c >= 0): the LP in (p, q) >= 0, beta = p - q."""
    XT, y = as_design(XT, y)
    d = XT.shape[0]
    X = XT.T
    c = np.asarray(c, dtype=np.float64)
    res = linprog(
        np.concatenate([c, c]),
        A_eq=np.hstack([X, -X]),
        b_eq=y,
        bounds=(0, None),
        method="highs",
        options=_BP_OPTIONS,
    )
    if res.status != 0:
        raise RuntimeError(f"basis pursuit LP failed: {res.message}")
    return res.x[:d] - res.x[d:]


def _min_l1_dual(XT, y) -> np.ndarray:
    """Basis pursuit via its dual LP: min -y^T nu s.t. -1 <= X^T nu <= 1 (n free variables).

    The primal beta is the vector of multipliers: beta = mu_+ - mu_-, where scipy reports
    the marginals of the <= rows as -mu. Kept as an independent check of the primal LP.
    """
    XT, y = as_design(XT, y)
    d = XT.shape[0]
    res = linprog(
        -y,
        A_ub=np.vstack([XT, -XT]),
        b_ub=np.ones(2 * d),
        bounds=(None, None),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"basis pursuit dual LP failed: {res.message}")
    marg = res.ineqlin.marginals
    beta = marg[d:] - marg[:d]
    _check_interpolates(XT, y, beta, "basis pursuit dual LP")
    return beta


def hybrid_interpolator(
    XT, y, sigma, multipliers=(0.1, 0.2, 0.5, 1, 2, 5, 10), beta_star=None
) -> dict:
    """Lasso followed by a min-l2 fit of its residual (Muthukumar et al. 2020).

    beta_L = Lasso(lam), lam = m sigma sqrt(ln(d)/n) for every multiplier m, and
    beta_H = beta_L + X^T (X X^T)^{-1} (y - X beta_L). The multiplier is picked by the
    test error of beta_H (oracle selection, as in the paper).
    """
    XT, y = as_design(XT, y)
    d, n = XT.shape
    mults = np.asarray(multipliers, dtype=np.float64).ravel()
    lams = mults * float(sigma) * math.sqrt(math.log(d) / n)
    betas_lasso = lasso_path(XT, y, lams)
    factor = _gram_cholesky(XT)
    betas_h = np.empty_like(betas_lasso)
    for k in range(mults.size):
        b_l = betas_lasso[k]
        betas_h[k] = b_l + _min_norm_fit(XT, factor, y - XT.T @ b_l)
    if beta_star is None:
        test_errors = np.full(mults.size, np.nan)
        lasso_test_errors = np.full(mults.size, np.nan)
        best = 0
    else:
        test_errors = np.array([excess_risk(b, beta_star) for b in betas_h])
        lasso_test_errors = np.array([excess_risk(b, beta_star) for b in betas_lasso])
        best = int(np.argmin(test_errors))
    return {
        "multipliers": mults,
        "lambdas": lams,
        "test_errors": test_errors,
        "lasso_test_errors": lasso_test_errors,
        "best_index": best,
        "beta": betas_h[best].copy(),
    }


def excess_risk(beta, beta_star) -> float:
    """||beta - beta*||_2^2, the excess test risk for isotropic x."""
    diff = np.asarray(beta, dtype=np.float64) - np.asarray(beta_star, dtype=np.float64)
    return float(diff @ diff)


def min_l2_expected_risk(d, n, sigma, beta_star_norm2=1.0) -> float:
    """E||beta_l2 - beta*||^2 = ||beta*||^2 (1 - n/d) + sigma^2 n / (d - n - 1) (Hastie et al.)."""
    if d <= n + 1:
        raise ValueError(f"need d > n + 1, got d={d}, n={n}")
    return float(beta_star_norm2 * (1.0 - n / d) + sigma**2 * n / (d - n - 1))
