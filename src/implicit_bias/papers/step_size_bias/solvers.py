"""Baselines and reference solvers of paper 001 (spec 001.md section 4).

The design is X (N, d) with rows = samples. Depth D uses p = 2(D-1)/D. At an interpolating
solution with u+ * u- = 0 the Hessian weights are w = |beta|^p, so (section 2.6, 4.4)

    F(beta)   = lambda_max((D^2/N) X diag(|beta|^p) X^T),
    S_D(beta) = D^2 sum_i |beta_i|^p Ehat_x_i^2.

min S_D is a weighted basis pursuit (an LP for D = 2), min F is a convex eigenvalue problem
(an SDP for D = 2), solved by smoothed L-BFGS over the affine space of interpolators. The
gradient-flow (eta -> 0) limit is found from its convex dual by damped Newton.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve, eigh, null_space
from scipy.optimize import linprog, minimize

from ...baselines import min_l1_interpolator, min_l2_interpolator, weighted_min_l1_interpolator

__all__ = [
    "CONTINUATION",
    "eta_star",
    "gf_dual",
    "gf_prediction",
    "l1_baseline",
    "l2_baseline",
    "lambda_max_beta",
    "lambda_max_lower_bound",
    "min_lambda_max",
    "min_stability_measure",
    "stability_measure_beta",
    "weighted_lp_lower_bound",
]

# (tau_rel, eps) stages of the smoothed lambda_max: log-sum-exp sharpness tau = tau_rel / F(beta0)
# and |b| ~ sqrt(b^2 + eps^2). Relative tau keeps the smoothing error (<= ln N / tau) a fixed
# fraction of lambda_max. At mu = 5 (F ~ 250) the first four stages are the spec's absolute
# (0.05, 0.2, 1, 5); at mu = 0 (F ~ 6, top eigenvalues coalescing) those left minlam 1-2 % high.
# The fifth stage brings the certified gap (lambda_max_lower_bound) from ~1e-3 to ~2e-4 there.
CONTINUATION = ((12.5, 1e-3), (50.0, 1e-4), (250.0, 1e-5), (1250.0, 1e-6), (6250.0, 1e-7))

# As for basis pursuit in baselines.py: tight tolerances keep spurious tiny entries out of beta.
_LBFGS_OPTIONS = {"maxiter": 20_000, "maxfun": 50_000, "maxcor": 30, "ftol": 1e-15, "gtol": 1e-12}


def _design(X, y=None):
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be (N, d), got shape {X.shape}")
    if y is None:
        return X
    y = np.ascontiguousarray(y, dtype=np.float64)
    if y.shape != (X.shape[0],):
        raise ValueError(f"need X (N, d) and y (N,), got {X.shape} and {y.shape}")
    return X, y


def _p_of(D: int) -> float:
    if int(D) != D or D < 2:
        raise ValueError(f"depth D must be an integer >= 2, got {D}")
    return 2.0 * (D - 1) / D


# ----------------------------------------------------------------------------- baselines


def l1_baseline(X, y) -> np.ndarray:
    """argmin ||beta||_1 s.t. X beta = y (basis pursuit LP)."""
    X, y = _design(X, y)
    return min_l1_interpolator(X.T, y)


def l2_baseline(X, y) -> np.ndarray:
    """X^T (X X^T)^{-1} y, the min-l2 interpolator."""
    X, y = _design(X, y)
    return min_l2_interpolator(X.T, y)


# ----------------------------------------------------------------------------- stability quantities


def lambda_max_beta(X, beta, D: int = 2) -> float:
    """F(beta): lambda_max of the Hessian at the interpolating theta with u+ * u- = 0 and
    u+^D - u-^D = beta, i.e. lambda_max((D^2/N) X diag(|beta|^p) X^T) (the N x N form)."""
    X = _design(X)
    w = np.abs(np.asarray(beta, dtype=np.float64)) ** _p_of(D)
    A = (D * D / X.shape[0]) * (X * w) @ X.T
    return float(eigh(A, eigvals_only=True, check_finite=False)[-1])


def stability_measure_beta(X, beta, D: int = 2) -> float:
    """D^2 sum_i |beta_i|^p Ehat_x_i^2: W_D of section 2.6, the objective of min S."""
    X = _design(X)
    c = D * D * X.mean(axis=0) ** 2
    return float(c @ (np.abs(np.asarray(beta, dtype=np.float64)) ** _p_of(D)))


# ------------------------------------------------------------------------- weighted basis pursuit


def _weighted_l1(X, y, c) -> tuple[float, np.ndarray]:
    """min sum_i c_i |beta_i| s.t. X beta = y: (value, beta)."""
    beta = weighted_min_l1_interpolator(X.T, y, c)
    return float(c @ np.abs(beta)), beta


def _interpolator_space(X, y):
    """beta_l2 and an orthonormal basis Z of ker X: every interpolator is beta_l2 + Z c."""
    return min_l2_interpolator(X.T, y), null_space(X)


def _smoothed_weighted_lp(X, y, c, p, beta0, schedule=CONTINUATION) -> tuple[float, np.ndarray]:
    """min sum_i c_i |beta_i|^p over X beta = y for p > 1 by L-BFGS over the null space, with
    |b| ~ sqrt(b^2 + eps^2) (|b|^p has an unbounded second derivative at 0 for p < 2)."""
    beta_l2, Z = _interpolator_space(X, y)
    best_beta = np.asarray(beta0, dtype=np.float64).copy()
    best = float(c @ np.abs(best_beta) ** p)
    coef = Z.T @ (best_beta - beta_l2)
    for _, eps in schedule:

        def fun(cz, eps=eps):
            beta = beta_l2 + Z @ cz
            a = np.sqrt(beta * beta + eps * eps)
            ap = a**p
            return float(c @ ap), Z.T @ (c * p * ap / (a * a) * beta)

        coef = minimize(fun, coef, jac=True, method="L-BFGS-B", options=_LBFGS_OPTIONS).x
        beta = beta_l2 + Z @ coef
        val = float(c @ np.abs(beta) ** p)
        if val < best:
            best, best_beta = val, beta
    return best, best_beta


def min_stability_measure(X, y, D: int = 2) -> tuple[float, np.ndarray]:
    """min over X beta = y of D^2 sum_i |beta_i|^p Ehat_x_i^2 ("minS"); returns (value, beta).

    D = 2: the LP min sum 4 Ehat_x_i^2 |beta_i| (exact). D >= 3: convex but not linear, solved by
    smoothed L-BFGS from the l1 solution (an upper bound; weighted_lp_lower_bound brackets it).
    """
    X, y = _design(X, y)
    p = _p_of(D)
    c = D * D * X.mean(axis=0) ** 2
    if D == 2:
        return _weighted_l1(X, y, c)
    return _smoothed_weighted_lp(X, y, c, p, min_l1_interpolator(X.T, y))


def weighted_lp_lower_bound(X, y, c, p: float, beta=None) -> float:
    """A certified lower bound on min_{X b = y} sum_i c_i |b_i|^p (c > 0, p >= 1).

    p = 1: the LP optimum. p > 1: weak duality, any nu gives y^T nu - sum_i f_i*((X^T nu)_i) with
    f_i*(s) = (p - 1) c_i (|s| / (c_i p))^q, q = p / (p - 1). nu starts from the stationarity
    condition X^T nu = c p |beta|^(p-1) sign(beta) at the given beta and is improved by L-BFGS.
    """
    X, y = _design(X, y)
    c = np.asarray(c, dtype=np.float64)
    if p == 1:
        return _weighted_l1(X, y, c)[0]
    if p < 1:
        raise ValueError(f"need p >= 1, got {p}")
    c = np.maximum(c, 1e-300)
    q = p / (p - 1.0)
    if beta is None:
        beta = min_l1_interpolator(X.T, y)
    beta = np.asarray(beta, dtype=np.float64)
    target = c * p * np.abs(beta) ** (p - 1.0) * np.sign(beta)
    nu0 = np.linalg.lstsq(X.T, target, rcond=None)[0]

    def neg_dual(nu):
        s = X.T @ nu
        r = np.abs(s) / (c * p)
        val = y @ nu - (p - 1.0) * float(c @ r**q)
        # d/ds of (p-1) c (|s|/(cp))^q is r^(q-1) sign(s) (q (p-1)/p = 1).
        grad = y - X @ (r ** (q - 1.0) * np.sign(s))
        return -val, -grad

    nu = minimize(neg_dual, nu0, jac=True, method="L-BFGS-B", options=_LBFGS_OPTIONS).x
    return -min(neg_dual(nu)[0], neg_dual(nu0)[0])


# ----------------------------------------------------------------------------- min lambda_max


def _smoothed_lambda_max(beta, X, D, p, tau, eps):
    """Log-sum-exp of the eigenvalues of (D^2/N) X diag(a^p) X^T, a = sqrt(beta^2 + eps^2), and
    its gradient in beta (spec section 4.4)."""
    k = D * D / X.shape[0]
    a = np.sqrt(beta * beta + eps * eps)
    ap = a**p
    ev, V = eigh(k * (X * ap) @ X.T, check_finite=False)
    m = ev[-1]
    e = np.exp(tau * (ev - m))
    s = e.sum()
    # x_i^T G x_i with G = V diag(softmax(tau ev)) V^T, for every column x_i of X.
    XtV = X.T @ V
    quad = (XtV * XtV) @ (e / s)
    return m + math.log(s) / tau, k * quad * p * ap / (a * a) * beta


def min_lambda_max(
    X, y, D: int = 2, beta0=None, model: str = "diag", schedule=CONTINUATION
) -> tuple[float, np.ndarray]:
    """min over interpolators of the Hessian's lambda_max, "minlam" (spec 4.4); (value, beta).

    beta = beta_l2 + Z c with Z a basis of ker X; the smoothed objective is minimized by L-BFGS
    over c through the (tau_rel, eps) continuation, starting at beta0 (default: the l1 solution;
    projected onto the interpolators). The value is F at the returned beta with exact |beta|,
    never above F at the start.

    model="uv" (D = 2 only): the UV model u+ v+ - u- v-, whose weights u^2 + v^2 >= 2|u v| give
    exactly half the D = 2 value at the same beta.
    """
    X, y = _design(X, y)
    if model not in ("diag", "uv"):
        raise ValueError(f"model must be 'diag' or 'uv', got {model!r}")
    if model == "uv" and D != 2:
        raise ValueError("the UV model has depth 2")
    p = _p_of(D)
    beta_l2, Z = _interpolator_space(X, y)
    if beta0 is None:
        beta0 = min_l1_interpolator(X.T, y)
    beta0 = np.asarray(beta0, dtype=np.float64)
    coef = Z.T @ (beta0 - beta_l2)
    best_beta = beta_l2 + Z @ coef
    best = f_start = lambda_max_beta(X, best_beta, D)
    for tau_rel, eps in schedule:
        tau = tau_rel / f_start

        def fun(cz, tau=tau, eps=eps):
            val, grad = _smoothed_lambda_max(beta_l2 + Z @ cz, X, D, p, tau, eps)
            return val, Z.T @ grad

        coef = minimize(fun, coef, jac=True, method="L-BFGS-B", options=_LBFGS_OPTIONS).x
        beta = beta_l2 + Z @ coef
        val = lambda_max_beta(X, beta, D)
        # The smoothed surrogate lies above F; keep the best exact value seen.
        if val < best:
            best, best_beta = val, beta
    if model == "uv":
        best *= 0.5
    return best, best_beta


def lambda_max_lower_bound(X, y, beta, D: int = 2) -> float:
    """A certified lower bound on minlam, from the eigenvectors v_j of the Hessian at beta.

    For any G = sum_j w_j v_j v_j^T (w in the simplex), lambda_max(A) >= <G, A>, so
    minlam >= min_{X b = y} (D^2/N) sum_i (x_i^T G x_i) |b_i|^p. D = 2: this is maximized over w
    jointly with the dual of the weighted basis pursuit, one LP in (nu, w): max y^T nu s.t.
    |X^T nu| <= K w, sum w = 1, K_ij = (4/N) (x_i^T v_j)^2. Tight at the minimizer even when its
    top eigenvalues coalesce (mu = 0). D >= 3: the best of w = e_top and the log-sum-exp weights
    w = softmax(tau ev) of the smoothed objective (the G whose stationarity the solver reaches);
    tight when the top eigenvalue is simple, within ~0.5 % when they coalesce (mu = 0).
    """
    X, y = _design(X, y)
    N, d = X.shape
    p = _p_of(D)
    w = np.abs(np.asarray(beta, dtype=np.float64)) ** p
    ev, V = eigh((D * D / N) * (X * w) @ X.T, check_finite=False)
    K = (D * D / N) * (X.T @ V) ** 2
    if D > 2:
        best = weighted_lp_lower_bound(X, y, K[:, -1], p, beta=beta)
        for tau_rel in CONTINUATION[-2:]:
            soft = np.exp(tau_rel[0] / ev[-1] * (ev - ev[-1]))
            best = max(best, weighted_lp_lower_bound(X, y, K @ (soft / soft.sum()), p, beta=beta))
        return best
    m = K.shape[1]
    res = linprog(
        np.concatenate([-y, np.zeros(m)]),
        A_ub=np.block([[X.T, -K], [-X.T, -K]]),
        b_ub=np.zeros(2 * d),
        A_eq=np.concatenate([np.zeros(N), np.ones(m)])[None, :],
        b_eq=[1.0],
        bounds=[(None, None)] * N + [(0, None)] * m,
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"lambda_max lower-bound LP failed: {res.message}")
    return -float(res.fun)


def eta_star(X, y, D: int = 2, model: str = "diag") -> float:
    """eta* = 2 / minlam, the largest step size with a linearly stable interpolating minimum."""
    return 2.0 / min_lambda_max(X, y, D, model=model)[0]


# ----------------------------------------------------------------------------- gradient flow


def _dual_d2(X, y, a):
    """Phi(nu) = sum_i 2 a_i cosh((X^T nu)_i) - nu^T y (up to a constant), as exp(log a +- z)
    to avoid overflow when a is tiny and |z| large; returns (Phi, grad, Hess, beta)."""
    with np.errstate(divide="ignore"):
        la = np.log(a)

    def phi(nu, derivs=True):
        z = X.T @ nu
        with np.errstate(over="ignore"):
            ep, em = np.exp(la + z), np.exp(la - z)
            # 2a (cosh z - 1): dropping the constant 2a keeps Armijo tests precise at large a.
            excess = np.where(
                np.abs(z) < 1.0, 4.0 * np.exp(la) * np.sinh(0.5 * z) ** 2, ep + em - 2 * a
            )
        val = float(np.sum(excess) - nu @ y)
        if not derivs:
            return val
        small = np.abs(z) < 1.0
        beta = np.where(small, 2.0 * np.exp(la) * np.sinh(np.where(small, z, 0.0)), ep - em)
        return val, X @ beta - y, (X * (ep + em)) @ X.T, beta

    return phi


def _H_D(z, D):
    """H_D(z) - H_D(0), H_D(0) = D - 2; written with expm1/log1p so that it stays accurate at
    small |z| (large alpha), where the constant would swamp the Armijo test."""
    e = 2.0 / (D - 2)
    return 0.5 * (D - 2) * (np.expm1(-e * np.log1p(-z)) + np.expm1(-e * np.log1p(z)))


def _h_D(z, D):
    """h_D = H_D', the same difference written without cancellation at small |z|."""
    e = D / (D - 2)
    return np.expm1(-e * np.log1p(-z)) - np.expm1(-e * np.log1p(z))


def _dual_deep(X, y, a, D):
    """Phi(nu) = sum_i (a_i / s_i) H_D(s_i (X^T nu)_i) - nu^T y (up to a constant), a = alpha_i^D,
    s = alpha_i^(D-2); +inf outside |s X^T nu| < 1. beta_i = a_i h_D(s_i (X^T nu)_i)."""
    s = a ** ((D - 2.0) / D)
    e2 = (2.0 * D - 2.0) / (D - 2.0)

    def phi(nu, derivs=True):
        z = s * (X.T @ nu)
        if not np.all(np.abs(z) < 1.0):
            return math.inf if not derivs else (math.inf, None, None, None)
        val = float(np.sum(a / s * _H_D(z, D)) - nu @ y)
        if not derivs:
            return val
        beta = a * _h_D(z, D)
        curv = a * s * (D / (D - 2.0)) * ((1.0 - z) ** -e2 + (1.0 + z) ** -e2)
        return val, X @ beta - y, (X * curv) @ X.T, beta

    return phi


def _newton(phi, nu, tol, max_iter=500):
    """Damped Newton with Armijo backtracking on a convex dual; infeasible or overflowing trial
    points have Phi = inf and are backtracked from. Returns (nu, beta, converged)."""
    val, grad, H, beta = phi(nu)
    if not math.isfinite(val):
        raise ValueError("the start of the dual Newton iteration is infeasible")
    for _ in range(max_iter):
        done = np.max(np.abs(grad)) <= tol
        try:
            step = cho_solve(cho_factor(H, check_finite=False), -grad, check_finite=False)
        except (LinAlgError, ValueError):
            step = np.linalg.lstsq(H, -grad, rcond=None)[0]
        if done:
            # One more full step polishes the residual to rounding level (quadratic convergence).
            new = phi(nu + step)
            if math.isfinite(new[0]) and np.max(np.abs(new[1])) < np.max(np.abs(grad)):
                nu, beta = nu + step, new[3]
            return nu, beta, True
        dec = float(-grad @ step)
        t = 1.0
        # Within rounding of the optimum the decrease is invisible in Phi: take the full step.
        if dec > 1e-13 * (1.0 + abs(val)):
            while True:
                trial = phi(nu + t * step, derivs=False)
                if math.isfinite(trial) and trial <= val - 1e-4 * t * dec:
                    break
                t *= 0.5
                if t < 1e-20:
                    return nu, beta, False
        new = phi(nu + t * step)
        if not math.isfinite(new[0]):
            return nu, beta, False
        nu = nu + t * step
        val, grad, H, beta = new
    return nu, beta, bool(np.max(np.abs(grad)) <= tol)


def gf_dual(X, y, alpha=None, D: int = 2, scale=None, gtol: float = 1e-10):
    """Gradient-flow limit of the depth-D model from u+ = u- = alpha_i (spec sections 2.7, 4.5);
    returns (beta, nu) with X beta = y and

        D = 2:  beta = 2 a sinh(X^T nu),              a = alpha^2 (or scale, e.g. u+ * u-),
        D >= 3: beta = a h_D(alpha_i^(D-2) (X^T nu)), a = alpha^D (or scale = alpha_i^D),

    h_D(z) = (1-z)^(-D/(D-2)) - (1+z)^(-D/(D-2)). scale is a per-coordinate alpha_i^D (the
    conserved product u+ * u- for D = 2). Damped Newton on the convex dual; for max(a) < 1 the
    scale is continued down from max(a) = 1 by factors of sqrt(10), each stage warm-started, so
    tiny alpha needs no huge first step. Stops at max |X beta - y| <= gtol * max(1, max |y|).
    """
    X, y = _design(X, y)
    _p_of(D)
    if scale is None:
        if alpha is None:
            raise ValueError("give alpha or scale")
        a = np.full(X.shape[1], float(alpha) ** D)
    else:
        a = np.broadcast_to(np.asarray(scale, dtype=np.float64), (X.shape[1],)).copy()
    if np.any(a < 0) or not np.any(a > 0) or not np.all(np.isfinite(a)):
        raise ValueError("the scale must be finite, non-negative and not all zero")
    if D > 2 and np.any(a == 0):
        raise ValueError("D >= 3 needs a positive scale on every coordinate")
    tol = gtol * max(1.0, float(np.max(np.abs(y))))
    amax = float(a.max())
    n_stages = max(0, math.ceil(2.0 * math.log10(1.0 / amax))) if amax < 1.0 else 0
    nu = np.zeros(X.shape[0])
    for k in range(n_stages, -1, -1):
        # Multiplier of a: 10^(k/2) but capped so that max(a) never exceeds 1 in the stages.
        mult = min(10.0 ** (0.5 * k), 1.0 / amax) if k > 0 else 1.0
        a_k = a * mult
        # For D >= 3 the previous nu stays feasible: |z| = alpha^(D-2) |X^T nu| shrinks with alpha.
        phi = _dual_d2(X, y, a_k) if D == 2 else _dual_deep(X, y, a_k, D)
        # Intermediate stages only need a warm start, not full accuracy.
        nu, beta, ok = _newton(phi, nu, tol if k == 0 else 1e4 * tol)
    if not ok:
        raise RuntimeError(f"gradient-flow dual Newton did not converge (D={D}, max a={amax:g})")
    return beta, nu


def gf_prediction(X, y, alpha=None, D: int = 2, scale=None) -> np.ndarray:
    """beta of the gradient-flow (eta -> 0) limit; see gf_dual."""
    return gf_dual(X, y, alpha, D=D, scale=scale)[0]
