"""Closed-form reference lines and stopping rules of paper 004 (spec 004.md sections 2.3 and 9).

Vectors: Q = X~^T X~ + beta2 I, b_hat = Q^+ X~^T y*, rho_p = ||I - alpha Q||_{p->p}, with the
practical rho over the non-zero eigenvalues of X~^T X~ when N < n (the null space has eigenvalue
exactly 1). Matrices use the same formulas with n := n1 n2 and beta_* in place of beta1.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "delta_t",
    "expected_lsq_test_error",
    "first_hit",
    "lsq_residual_expected",
    "lsq_test_error",
    "matrix_delta_t",
    "matrix_dof",
    "matrix_n_min",
    "memorization_radius",
    "nn_times",
    "oscillation_threshold",
    "predicted_t2",
    "pure_nuclear_death_times",
    "pure_sign_steps",
    "rho_p",
    "rho_rowspace",
    "subgradient_gap_bound",
    "t1_bound",
    "t1_corollary",
    "t_stable",
    "unobserved_fraction",
]


# --------------------------------------------------------------------------- stopping rules


def first_hit(steps, errors, eps: float, T: int | None = None):
    """First logged step with errors <= eps (spec 2.3 rules 1-2); T (or None) if never."""
    steps = np.asarray(steps)
    hit = np.flatnonzero(np.asarray(errors) <= eps)
    return int(steps[hit[0]]) if hit.size else T


def t_stable(steps, errors, K: int = 3, tol: float = 0.05, M: int = 2, T: int | None = None):
    """Reference-code stable step: E_final = mean of the last K logged values; the first logged
    step i such that M consecutive logged values from i lie within E_final (1 +- tol). Returns T
    (or None) if there is none. Meaningless for runs that never generalize: report the error at
    that step with it."""
    steps = np.asarray(steps)
    e = np.asarray(errors, dtype=np.float64)
    if e.size < max(K, M):
        return T
    final = float(np.mean(e[-K:]))
    ok = np.abs(e - final) <= tol * abs(final)
    run = np.convolve(ok.astype(np.int64), np.ones(M, dtype=np.int64), mode="valid")
    idx = np.flatnonzero(run == M)
    return int(steps[idx[0]]) if idx.size else T


def nn_times(steps, train, test, *, train_thr: float = 1e-3, test_rel: float = 1.05):
    """Neural-network t1, t2 (spec 2.3): reference code argmin of train / test loss (first
    occurrence) and the proposal (first train <= train_thr, first test <= test_rel min test).
    Returns {t1_argmin, t2_argmin, t1, t2} (None where never)."""
    steps = np.asarray(steps)
    train = np.asarray(train)
    test = np.asarray(test)
    return {
        "t1_argmin": int(steps[np.nanargmin(train)]),
        "t2_argmin": int(steps[np.nanargmin(test)]),
        "t1": first_hit(steps, train, train_thr),
        "t2": first_hit(steps, test, test_rel * np.nanmin(test)),
    }


# --------------------------------------------------------------------------- memorization


def _Q(X, beta2):
    X = np.asarray(X, dtype=np.float64)
    return X.T @ X + beta2 * np.eye(X.shape[1])


def rho_p(X, alpha: float, beta2: float = 0.0, p=np.inf) -> float:
    """||I - alpha Q||_{p->p} for p in {1, 2, inf} (for N < n and beta2 = 0 it is >= 1)."""
    M = np.eye(np.shape(X)[1]) - alpha * _Q(X, beta2)
    if p == 2:
        return float(np.linalg.norm(M, 2))
    if p in (1, np.inf):
        return float(np.linalg.norm(M, 1 if p == 1 else np.inf))
    raise ValueError(f"p must be 1, 2 or inf, got {p}")


def rho_rowspace(X, alpha: float, beta2: float = 0.0, rtol: float = 1e-10) -> float:
    """Practical rho = max over the non-zero eigenvalues lambda_k of X^T X of |1 - alpha
    (lambda_k + beta2)| (reference code; used in place of rho_p in the t1 bound)."""
    lam = np.linalg.eigvalsh(np.asarray(X, dtype=np.float64) @ np.asarray(X).T)
    lam = lam[lam > rtol * max(lam.max(), 0.0)]
    return float(np.max(np.abs(1.0 - alpha * (lam + beta2))))


def t1_bound(dist1: float, alpha: float, beta1: float, rho: float, n: int = 1, p=np.inf):
    """Thm C.8: t1 = ceil(-ln(1 + (1 - rho) ||b1 - b_hat||_p / (alpha beta1 n^{1/p})) / ln rho);
    Figs 8/14 plot it without the ceiling for p = inf. dist1 = ||b^(1) - b_hat||_p. Returns the
    real value (apply ceil for the theorem); inf if rho >= 1 or alpha beta1 = 0."""
    if not 0.0 < rho < 1.0 or alpha * beta1 <= 0.0:
        return math.inf
    npow = 1.0 if p == np.inf else n ** (1.0 / p)
    return -math.log1p((1.0 - rho) * dist1 / (alpha * beta1 * npow)) / math.log(rho)


def t1_corollary(dist1: float, alpha: float, beta1: float, rho: float, n: int = 1, p=np.inf):
    """Cor. C.2: ceil(-ln((1 - rho) dist1 / (alpha beta1 n^{1/p})) / ln rho) if dist1 >
    alpha beta1 / (1 - rho), else 0."""
    if not 0.0 < rho < 1.0:
        return math.inf
    npow = 1.0 if p == np.inf else n ** (1.0 / p)
    if dist1 <= alpha * beta1 / (1.0 - rho):
        return 0
    return math.ceil(-math.log((1.0 - rho) * dist1 / (alpha * beta1 * npow)) / math.log(rho))


def memorization_radius(alpha: float, beta1: float, rho: float, n: int = 1, p=np.inf) -> float:
    """||b^(t) - b_hat||_p <= 2 alpha beta1 n^{1/p} / (1 - rho) for t >= t1 (Thm C.8)."""
    npow = 1.0 if p == np.inf else n ** (1.0 / p)
    return 2.0 * alpha * beta1 * npow / (1.0 - rho) if rho < 1.0 else math.inf


# --------------------------------------------------------------------------- generalization


def delta_t(b_hat, alpha: float, beta1: float, b_star=None) -> float:
    """Delta t = ||b_hat||_inf / (alpha beta1) (paper, Thm 2.1) or, given b_star, the better
    predictor ||b_hat - b*||_inf / (alpha beta1) (reference code)."""
    b_hat = np.asarray(b_hat)
    v = b_hat if b_star is None else b_hat - np.asarray(b_star)
    return float(np.max(np.abs(v))) / (alpha * beta1)


def predicted_t2(t1: float, b_hat, alpha: float, beta1: float, b_star=None) -> float:
    """t2 = t1 + Delta t (Thm 2.1)."""
    return float(t1) + delta_t(b_hat, alpha, beta1, b_star)


def matrix_delta_t(A_hat, alpha: float, beta_nuc: float, A_star=None) -> float:
    """Delta t = sigma_max(A_hat) / (alpha beta_*) (paper) or ||A_hat - A*||_2 / (alpha beta_*)
    (reference code) when A_star is given."""
    M = np.asarray(A_hat) if A_star is None else np.asarray(A_hat) - np.asarray(A_star)
    return float(np.linalg.norm(M, 2)) / (alpha * beta_nuc)


def lsq_test_error(X, b_star) -> float:
    """||(I - V V^T) b*|| / ||b*||: test error of the min-norm interpolant (Thm C.10, noiseless,
    beta2 = 0), the plateau of beta1 = 0 runs."""
    X = np.asarray(X, dtype=np.float64)
    b = np.asarray(b_star, dtype=np.float64)
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    V = Vt[s > max(X.shape) * np.finfo(float).eps * s[0]].T
    return float(np.linalg.norm(b - V @ (V.T @ b)) / np.linalg.norm(b))


def expected_lsq_test_error(N: int, n: int) -> float:
    """sqrt(1 - N/n) for Gaussian X~ (E ||(I - V V^T) b*||^2 = (1 - N/n) ||b*||^2)."""
    return math.sqrt(max(0.0, 1.0 - N / n))


def lsq_residual_expected(X, b_star, beta2: float, sigma_xi: float = 0.0) -> float:
    """Thm C.9 in the form derived in its proof (spec 9, item 10): E ||X b_hat - y*||^2 =
    sum_i (beta2 / (lam_i + beta2))^2 (lam_i (V^T b*)_i^2 + sigma^2) + sigma^2 (N - r)."""
    X = np.asarray(X, dtype=np.float64)
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > max(X.shape) * np.finfo(float).eps * s[0]
    lam = s[keep] ** 2
    proj = Vt[keep] @ np.asarray(b_star, dtype=np.float64)
    shrink = (beta2 / (lam + beta2)) ** 2 if beta2 > 0 else np.zeros_like(lam)
    return float(
        np.sum(shrink * (lam * proj**2 + sigma_xi**2)) + sigma_xi**2 * (X.shape[0] - lam.size)
    )


def unobserved_fraction(A_star, mask) -> float:
    """||P_{Omega^c} A*||_F / ||A*||_F: test error of the completion least-squares solution."""
    A = np.asarray(A_star)
    return float(np.linalg.norm(A * (1 - np.asarray(mask))) / np.linalg.norm(A))


def oscillation_threshold(X, beta2: float = 0.0, n: int | None = None) -> float:
    """beta1 above (lambda_max(X^T X) + beta2) / sqrt(n) gives neither memorization nor
    generalization (Thm C.4); for matrices pass n = min(n1, n2) (Thm D.5)."""
    X = np.asarray(X, dtype=np.float64)
    lam = float(np.linalg.norm(X, 2) ** 2)
    return (lam + beta2) / math.sqrt(X.shape[1] if n is None else n)


def pure_sign_steps(b1, gamma: float) -> int:
    """b <- b - gamma sign(b) is stationary (||b||_inf <= gamma) after floor(||b1||_inf / gamma)
    steps (Lemma C.11 / Thm C.12)."""
    return int(math.floor(float(np.max(np.abs(b1))) / gamma))


def pure_nuclear_death_times(sigmas, gamma: float) -> np.ndarray:
    """A <- A - gamma U V^T maps sigma_i -> |sigma_i - gamma|; sigma_i stops decaying after
    floor(sigma_i / gamma) steps (Thm D.12): the staircase order of the singular values."""
    return np.floor(np.asarray(sigmas, dtype=np.float64) / gamma).astype(np.int64)


def subgradient_gap_bound(R: float, Lip: float, alphas) -> float:
    """Thm C.3: f_best - f* <= (R^2 + Lip^2 sum alpha_t^2) / (2 sum alpha_t)."""
    a = np.asarray(alphas, dtype=np.float64)
    return float((R * R + Lip * Lip * np.sum(a * a)) / (2.0 * np.sum(a)))


def matrix_dof(n1: int, n2: int, r: int) -> int:
    """Degrees of freedom r (n1 + n2 - r) of a rank-r n1 x n2 matrix."""
    return r * (n1 + n2 - r)


def matrix_n_min(n1: int, n2: int, r: int) -> float:
    """Reference-code sample size max(n1, n2) r ln max(n1, n2) (about 46 for 10 x 10, r = 2)."""
    n = max(n1, n2)
    return n * r * math.log(n)
