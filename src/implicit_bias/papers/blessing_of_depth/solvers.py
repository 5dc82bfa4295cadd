"""Landscape slices (E1), LP certificates of the worst-case loss decrease (E1b), LAD baselines
and the Lemma 5 direction check (E8) of paper 003 (spec sections 3.5, 5, 10).

Layers are stacked as W (N, d) (or (..., N, d) for many points); theta(W) = prod_a W[a] and
P_a = prod_{b != a} W[b]. Gradients and Hessians are with respect to vec(W) = (w_1, ..., w_N).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog, lsq_linear
from scipy.sparse import csr_matrix, hstack, identity, vstack

__all__ = [
    "SMOOTHING_EPS",
    "balanced_decrease",
    "balanced_solution",
    "decrease_coefficient",
    "descent_directions",
    "l1_loss",
    "lad",
    "lad_lasso",
    "landscape_slice",
    "lemma5_direction_error",
    "lemma5_statistic",
    "layer_partials",
    "min_norm_subgradient",
    "smoothed_grad",
    "smoothed_hessian",
    "smoothed_loss",
    "worst_case_decrease",
]

SMOOTHING_EPS = 1e-7  # |r| -> sqrt(r^2 + eps), the paper's footnote 2
_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


# --------------------------------------------------------------------------------- the model
def balanced_solution(theta_star, N: int) -> np.ndarray:
    """w* = (theta*^(1/N), ..., theta*^(1/N)) as (N, d); needs theta* >= 0."""
    theta_star = np.asarray(theta_star, dtype=np.float64)
    if np.any(theta_star < 0):
        raise ValueError("the balanced solution needs theta* >= 0")
    return np.tile(theta_star ** (1.0 / N), (int(N), 1))


def layer_partials(W) -> np.ndarray:
    """P (N, d) with P_a = prod_{b != a} w_b (ones for N = 1); no division by w_a."""
    W = np.asarray(W, dtype=np.float64)
    N = W.shape[0]
    P = np.ones_like(W)
    for a in range(N):
        for b in range(N):
            if b != a:
                P[a] *= W[b]
    return P


def l1_loss(X, y, W) -> np.ndarray:
    """L(w) = (1/m) sum_j |<theta(w), x_j> - y_j| for W (..., N, d); returns shape (...)."""
    theta = np.prod(np.asarray(W, dtype=np.float64), axis=-2)
    r = theta @ np.asarray(X).T - y
    return np.mean(np.abs(r), axis=-1)


def smoothed_loss(X, y, W, eps: float = SMOOTHING_EPS) -> float:
    """L_eps(w) = (1/m) sum_j sqrt(r_j^2 + eps)."""
    r = X @ np.prod(W, axis=0) - y
    return float(np.mean(np.sqrt(r * r + eps)))


def smoothed_grad(X, y, W, eps: float = SMOOTHING_EPS) -> np.ndarray:
    """grad L_eps (N, d): (1/m) sum_j phi'(r_j) x_j * P_a, phi'(r) = r / sqrt(r^2 + eps)."""
    W = np.asarray(W, dtype=np.float64)
    r = X @ np.prod(W, axis=0) - y
    q = X.T @ (r / np.sqrt(r * r + eps)) / y.size
    return q[None, :] * layer_partials(W)


def smoothed_hessian(X, y, W, eps: float = SMOOTHING_EPS) -> np.ndarray:
    """Hessian of L_eps w.r.t. vec(W), (N d, N d) (spec 3.5).

    (1/m) sum_j phi''(r_j) J_j J_j^T with J_j = (x_j * P_a)_a, phi'' = eps / (r^2 + eps)^(3/2),
    plus the blocks B_ab = diag((1/m) sum_j phi'(r_j) x_j * P_ab), a != b, P_ab = prod_{c != a,b}.
    """
    W = np.asarray(W, dtype=np.float64)
    N, d = W.shape
    m = y.size
    r = X @ np.prod(W, axis=0) - y
    den = r * r + eps
    P = layer_partials(W)
    J = np.concatenate([X * P[a] for a in range(N)], axis=1)  # (m, N d), row j = J_j
    H = (J * (eps / den**1.5)[:, None]).T @ J / m
    q = X.T @ (r / np.sqrt(den)) / m
    for a in range(N):
        for b in range(N):
            if a == b:
                continue
            Pab = np.ones(d)
            for c in range(N):
                if c not in (a, b):
                    Pab *= W[c]
            idx = np.arange(d)
            H[a * d + idx, b * d + idx] += q * Pab
    return H


# -------------------------------------------------------------------- E1: landscape directions
def _clarke_parts(X, y, W, zero_tol: float):
    """Fixed part g0 = (1/m) sum_{r_j != 0} sign(r_j) x_j and A = X_Z^T / m over |r_j| <= tol."""
    m = y.size
    r = X @ np.prod(W, axis=0) - y
    Z = np.abs(r) <= zero_tol * max(1.0, float(np.max(np.abs(y))))
    g0 = X[~Z].T @ np.sign(r[~Z]) / m
    return g0, X[Z].T / m


def min_norm_subgradient(X, y, W, zero_tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-norm element of the Clarke subdifferential {((g0 + A s) * P_a)_a : |s| <= 1}.

    Residuals with |r_j| <= zero_tol max(1, max|y|) count as kinks. Solved as the bounded least
    squares min ||diag(wt)(g0 + A s)||, wt_i = sqrt(sum_a P_a,i^2) (bvls). Returns (g_min (N, d),
    s).
    """
    W = np.asarray(W, dtype=np.float64)
    g0, A = _clarke_parts(X, y, W, zero_tol)
    P = layer_partials(W)
    if A.shape[1] == 0:
        return g0[None, :] * P, np.zeros(0)
    wt = np.sqrt(np.sum(P * P, axis=0))
    res = lsq_linear(A * wt[:, None], -g0 * wt, bounds=(-1.0, 1.0), method="bvls")
    return (g0 + A @ res.x)[None, :] * P, res.x


def descent_directions(X, y, theta_star, N: int, eps: float = SMOOTHING_EPS) -> dict:
    """The directions d and h of Fig. 1 at the balanced w* (spec section 5, E1).

    d: -g_min/||g_min|| if ||g_min|| > 1e-8 (N = 1); otherwise the lifted off-support direction
    d_1 = sign(v)|v|^(1/N), d_a = |v|^(1/N), v = -(g0 + A s)_off (s minimizing its norm on the
    box, ||v||_inf = 1), normalized in l2. h: eigenvector of the smallest eigenvalue of the
    smoothed Hessian with <grad L_eps, h> <= 0 (not orthogonalized against d).
    """
    W = balanced_solution(theta_star, N)
    g_min, _ = min_norm_subgradient(X, y, W)
    gnorm = float(np.linalg.norm(g_min))
    if gnorm > 1e-8:
        dvec = -g_min / gnorm
        mode = "steepest"
    else:
        off = np.asarray(theta_star) == 0
        g0, A = _clarke_parts(X, y, W, 1e-10)
        res = lsq_linear(A[off], -g0[off], bounds=(-1.0, 1.0), method="bvls")
        v = np.zeros_like(g0)
        v[off] = -(g0[off] + A[off] @ res.x)
        v /= np.max(np.abs(v))
        root = np.abs(v) ** (1.0 / N)
        dvec = np.tile(root, (N, 1))
        dvec[0] = np.sign(v) * root
        dvec /= np.linalg.norm(dvec)
        mode = "lifted_offsupport"
    H = smoothed_hessian(X, y, W, eps)
    lam, vecs = np.linalg.eigh(H)
    h = vecs[:, 0].reshape(W.shape)
    if np.sum(smoothed_grad(X, y, W, eps) * h) > 0:
        h = -h
    return {
        "W_star": W,
        "d": dvec,
        "h": h,
        "g_min_norm": gnorm,
        "lambda_min": float(lam[0]),
        "d_dot_h": float(np.sum(dvec * h)),
        "mode": mode,
    }


def landscape_slice(X, y, W_star, dvec, hvec, a_grid, b_grid, chunk: int = 256) -> np.ndarray:
    """L(w* + a d + b h) - L(w*) (unsmoothed) on the grid, shape (len(a_grid), len(b_grid))."""
    X = np.asarray(X, dtype=np.float64)
    a = np.asarray(a_grid, dtype=np.float64)
    b = np.asarray(b_grid, dtype=np.float64)
    A, Bg = np.meshgrid(a, b, indexing="ij")
    pts = W_star[None] + A.reshape(-1, 1, 1) * dvec[None] + Bg.reshape(-1, 1, 1) * hvec[None]
    out = np.concatenate([l1_loss(X, y, pts[i : i + chunk]) for i in range(0, len(pts), chunk)])
    return out.reshape(A.shape) - float(l1_loss(X, y, W_star))


# ------------------------------------------------------------ E1b: worst-case decrease by LP
def _l1_fit_lp(Xc, eps, tau: float):
    """min (1/m) sum |Xc Delta - eps| over |Delta_i| <= tau: LP in (Delta, t)."""
    m, dc = Xc.shape
    Xs = csr_matrix(Xc)
    Im = identity(m, format="csr")
    A_ub = vstack([hstack([Xs, -Im]), hstack([-Xs, -Im])], format="csr")
    b_ub = np.concatenate([eps, -eps])
    c = np.concatenate([np.zeros(dc), np.full(m, 1.0 / m)])
    bounds = [(-tau, tau)] * dc + [(0.0, None)] * m
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs", options=_LP_OPTIONS)
    if res.status != 0:
        raise RuntimeError(f"worst-case decrease LP failed: {res.message}")
    return res


def worst_case_decrease(X, eps, tau: float, cols=None) -> float:
    """D(tau) = L* - min_{||Delta||_inf <= tau} (1/m) sum_j |<x_j, Delta> - eps_j| (Delta on cols).

    With all columns this is the exact worst-case decrease of the 1-layer model (and of the
    unbalanced solution (theta*, 1, ..., 1) perturbed in w_1) in an l_inf ball of radius tau.
    HiGHS is accurate to about 1e-9 absolute.
    """
    X = np.asarray(X, dtype=np.float64)
    eps = np.asarray(eps, dtype=np.float64)
    Xc = X if cols is None else X[:, np.asarray(cols)]
    if tau == 0:
        return 0.0
    res = _l1_fit_lp(Xc, eps, float(tau))
    return float(np.mean(np.abs(eps)) - res.fun)


def decrease_coefficient(X, eps, cols=None, tau0: float = 1e-3) -> float:
    """c = D(tau0) / tau0: D is concave piecewise linear with D(0) = 0, so D = c tau below the
    first breakpoint (spec section 5, E1b)."""
    return worst_case_decrease(X, eps, tau0, cols) / tau0


def balanced_decrease(
    X, eps, theta_star, gamma: float, N: int, tau0: float = 1e-3, c_off: float | None = None
) -> float:
    """Certified decrease D_N^V(gamma) = D_off(gamma^N) around the balanced w* (off-support
    perturbations only; {prod_a Dw_a : ||Dw_a||_inf <= gamma} = {||Dtheta||_inf <= gamma^N}).
    For gamma^N <= tau0 it is c_off gamma^N from one LP at tau0 (HiGHS precision); pass c_off
    (decrease_coefficient on the off-support columns) to reuse it across calls."""
    off = np.flatnonzero(np.asarray(theta_star) == 0)
    tau = float(gamma) ** int(N)
    if tau <= tau0:
        if c_off is None:
            c_off = decrease_coefficient(X, eps, off, tau0)
        return float(c_off) * tau
    return worst_case_decrease(X, eps, tau, off)


# ----------------------------------------------------------------------- E8 and spec 10 LPs
def lad(X, y) -> dict:
    """Least absolute deviations argmin (1/m)||X theta - y||_1 (HiGHS LP in (theta, t))."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m, d = X.shape
    Xs = csr_matrix(X)
    Im = identity(m, format="csr")
    res = linprog(
        np.concatenate([np.zeros(d), np.full(m, 1.0 / m)]),
        A_ub=vstack([hstack([Xs, -Im]), hstack([-Xs, -Im])], format="csr"),
        b_ub=np.concatenate([y, -y]),
        bounds=[(None, None)] * d + [(0.0, None)] * m,
        method="highs",
        options=_LP_OPTIONS,
    )
    if res.status != 0:
        raise RuntimeError(f"LAD LP failed: {res.message}")
    theta = res.x[:d]
    return {"theta": theta, "loss": float(np.mean(np.abs(X @ theta - y))), "lp_objective": res.fun}


def lad_lasso(X, y, lam: float) -> dict:
    """argmin (1/m)||X theta - y||_1 + lam ||theta||_1 as an LP in (theta+, theta-, t) >= 0."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m, d = X.shape
    Xs = csr_matrix(X)
    Im = identity(m, format="csr")
    res = linprog(
        np.concatenate([np.full(2 * d, float(lam)), np.full(m, 1.0 / m)]),
        A_ub=vstack([hstack([Xs, -Xs, -Im]), hstack([-Xs, Xs, -Im])], format="csr"),
        b_ub=np.concatenate([y, -y]),
        bounds=(0.0, None),
        method="highs",
        options=_LP_OPTIONS,
    )
    if res.status != 0:
        raise RuntimeError(f"LAD-Lasso LP failed: {res.message}")
    theta = res.x[:d] - res.x[d : 2 * d]
    return {
        "theta": theta,
        "loss": float(np.mean(np.abs(X @ theta - y))),
        "objective": float(res.fun),
    }


def lemma5_statistic(X, eps, z) -> np.ndarray:
    """q = (1/m) sum_j sign(<x_j, z> + eps_j) x_j: the empirical sub-gradient direction at
    theta = theta* - z (Lemma 5 / Proposition 1)."""
    X = np.asarray(X, dtype=np.float64)
    return X.T @ np.sign(X @ np.asarray(z, dtype=np.float64) + eps) / X.shape[0]


def lemma5_direction_error(X, eps, z, p: float, sigma_o: float) -> dict:
    """<q, z/||z||> against phi(||z||) (Lemma 5 with Gaussian outliers), and ||q - phi z/||z||||."""
    from .theory import phi

    z = np.asarray(z, dtype=np.float64)
    s = float(np.linalg.norm(z))
    q = lemma5_statistic(X, eps, z)
    ph = float(phi(s, p, sigma_o))
    return {
        "norm": s,
        "projection": float(q @ z / s),
        "phi": ph,
        "deviation": float(np.linalg.norm(q - ph * z / s)),
    }
