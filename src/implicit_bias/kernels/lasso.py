"""Cyclic coordinate-descent Lasso on the transposed design XT (d, n).

Objective: (1/(2n)) ||y - X beta||^2 + lam ||beta||_1, no intercept (the sklearn scaling).
Convergence is certified by the duality gap at a rescaled dual point, so the result does
not depend on a heuristic step-size criterion.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from implicit_bias.data import as_design

__all__ = ["lasso_cd", "lasso_path"]

# Passes over the active set between two checks of its (cheap) restricted duality gap.
_ACTIVE_CHECK_EVERY = 5
# Cap on consecutive restricted passes, so that a full pass (which can grow the support) is
# never postponed indefinitely.
_ACTIVE_MAX_PASSES = 1000


@numba.njit(cache=True)
def _row_norms2(XT):
    d, n = XT.shape
    out = np.empty(d)
    for j in range(d):
        acc = 0.0
        for i in range(n):
            acc += XT[j, i] * XT[j, i]
        out[j] = acc
    return out


@numba.njit(cache=True)
def _cd_pass(XT, idx, m, beta, rho, norms2, n_lam):
    """One cyclic pass over coordinates idx[:m]; rho = y - X beta is kept up to date."""
    n = XT.shape[1]
    for k in range(m):
        j = idx[k]
        nj = norms2[j]
        if nj == 0.0:
            continue
        acc = 0.0
        for i in range(n):
            acc += XT[j, i] * rho[i]
        z = acc + nj * beta[j]
        # soft-thresholding: exact minimizer along coordinate j
        if z > n_lam:
            b_new = (z - n_lam) / nj
        elif z < -n_lam:
            b_new = (z + n_lam) / nj
        else:
            b_new = 0.0
        delta = b_new - beta[j]
        if delta != 0.0:
            beta[j] = b_new
            for i in range(n):
                rho[i] -= XT[j, i] * delta


@numba.njit(cache=True)
def _duality_gap(XT, y, idx, m, beta, rho, n_lam):
    """Duality gap of the problem restricted to idx[:m] (all of it when idx covers [d]).

    Scaled by n: primal P = ||rho||^2/2 + n lam ||beta||_1, dual D(theta) = y.theta - ||theta||^2/2
    at theta = rho * min(1, n lam / max_j |X_j . rho|). Returns (P - D) / n.
    """
    n = XT.shape[1]
    max_corr = 0.0
    l1 = 0.0
    for k in range(m):
        j = idx[k]
        acc = 0.0
        for i in range(n):
            acc += XT[j, i] * rho[i]
        a = abs(acc)
        if a > max_corr:
            max_corr = a
        l1 += abs(beta[j])
    rr = 0.0
    ry = 0.0
    for i in range(n):
        rr += rho[i] * rho[i]
        ry += rho[i] * y[i]
    scale = 1.0
    if max_corr > n_lam:
        scale = n_lam / max_corr
    gap = 0.5 * rr * (1.0 + scale * scale) + n_lam * l1 - scale * ry
    return gap / n


@numba.njit(cache=True)
def _lasso_cd_core(XT, y, lam, beta, norms2, tol, max_epochs):
    """Fit in place from the warm start in beta. Returns (passes, gap).

    Full cyclic passes alternate with passes restricted to the current support
    (working-set strategy); only the gap over all d coordinates can stop the fit.
    Every pass, full or restricted, counts as one epoch.
    """
    d, n = XT.shape
    n_lam = n * lam
    rho = y.copy()
    for j in range(d):
        b = beta[j]
        if b != 0.0:
            for i in range(n):
                rho[i] -= XT[j, i] * b
    yy = 0.0
    for i in range(n):
        yy += y[i] * y[i]
    target = tol * yy / (2.0 * n)

    all_idx = np.arange(d)
    active = np.empty(d, dtype=np.int64)
    epochs = 0
    gap = math.inf
    while epochs < max_epochs:
        _cd_pass(XT, all_idx, d, beta, rho, norms2, n_lam)
        epochs += 1
        gap = _duality_gap(XT, y, all_idx, d, beta, rho, n_lam)
        if gap <= target:
            break
        m = 0
        for j in range(d):
            if beta[j] != 0.0:
                active[m] = j
                m += 1
        if m == 0:
            continue
        inner = 0
        while epochs < max_epochs and inner < _ACTIVE_MAX_PASSES:
            _cd_pass(XT, active, m, beta, rho, norms2, n_lam)
            epochs += 1
            inner += 1
            if inner % _ACTIVE_CHECK_EVERY == 0:
                # restricted gap is a lower bound of the full one: aim below the target
                if _duality_gap(XT, y, active, m, beta, rho, n_lam) <= 0.1 * target:
                    break
    if epochs >= max_epochs:
        gap = _duality_gap(XT, y, all_idx, d, beta, rho, n_lam)
    return epochs, gap


def lasso_cd(XT, y, lam, beta0, tol=1e-10, max_epochs=100_000) -> tuple[np.ndarray, int, float]:
    """Minimize (1/(2n))||y - X beta||^2 + lam ||beta||_1 from the warm start beta0.

    Stops when the duality gap is <= tol * ||y||^2 / (2n) or after max_epochs passes.
    Returns (beta, epochs, gap).
    """
    XT, y = as_design(XT, y)
    if lam < 0:
        raise ValueError(f"lam must be non-negative, got {lam}")
    beta = np.array(beta0, dtype=np.float64, copy=True)
    if beta.shape != (XT.shape[0],):
        raise ValueError(f"beta0 must have shape ({XT.shape[0]},), got {beta.shape}")
    norms2 = _row_norms2(XT)
    epochs, gap = _lasso_cd_core(XT, y, float(lam), beta, norms2, float(tol), int(max_epochs))
    return beta, int(epochs), float(gap)


def lasso_path(XT, y, lams, tol=1e-10, max_epochs=100_000) -> np.ndarray:
    """Lasso solutions for every lam, shape (len(lams), d), in the order of lams.

    Fitted from the largest lam to the smallest, each warm-started from the previous one.
    """
    XT, y = as_design(XT, y)
    lams = np.asarray(lams, dtype=np.float64).ravel()
    if np.any(lams < 0):
        raise ValueError("all lams must be non-negative")
    d = XT.shape[0]
    norms2 = _row_norms2(XT)
    out = np.empty((lams.size, d))
    beta = np.zeros(d)
    for k in np.argsort(-lams, kind="stable"):
        _lasso_cd_core(XT, y, float(lams[k]), beta, norms2, float(tol), int(max_epochs))
        out[k] = beta
    return out
