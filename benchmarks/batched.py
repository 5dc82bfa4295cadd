"""Experimental batched kernels, for comparison with the project's kernels only.

B configurations that share the data are one call. Their states are (d, B) arrays, batch innermost,
so that the two products with the data per step are matrix-matrix products, G = X^T R (d, B) and
R = X Beta - y (N, B), done by BLAS dgemm through np.dot(a, b, out) inside the jitted loop (no
allocation per step), and every elementwise update is one loop over contiguous rows of length B
that the compiler vectorizes across configurations. A hand-blocked 4 x 4 Numba GEMM reached
~37 GFLOP/s on one core at (d, N, B) = (100, 50, 32), dgemm ~74, hence BLAS. No fastmath: the
update loops keep the order of operations of the project's kernels.

Each function advances its state in place for exactly T steps (a member whose loss stops being
finite or exceeds 1e12 is frozen, as the project's kernels flag divergence).
"""

from __future__ import annotations

import math

import numba
import numpy as np

LOSS_DIVERGED = 1e12


@numba.njit(cache=True)
def _residual(X, Beta, y, R):
    """R = X Beta - y[:, None] (one dgemm)."""
    np.dot(X, Beta, R)
    N, B = R.shape
    for i in range(N):
        yi = y[i]
        for b in range(B):
            R[i, b] -= yi


@numba.njit(cache=True)
def _mark_diverged(R, live):
    """live[b] = False once L_b = ||R[:, b]||^2 / (2N) is not finite or above 1e12."""
    N, B = R.shape
    for b in range(B):
        if not live[b]:
            continue
        s = 0.0
        for i in range(N):
            s += R[i, b] * R[i, b]
        if not s / (2.0 * N) <= LOSS_DIVERGED:
            live[b] = False


@numba.njit(cache=True)
def grok_steps_batched(X, XT, y, b_star, Bv, alpha, beta1, beta2, T, eps1, eps2):
    """Paper 004's subgradient method (depth 1) on a batch: Bv (n, B) in place.

    b <- b - alpha (X^T (X b - y) + beta2 b + beta1 sign(b)), with the project kernel's per-step
    bookkeeping: relative train / test errors and their first hits t1 (<= eps1), t2 (<= eps2).
    """
    N, n = X.shape
    B = Bv.shape[1]
    R = np.empty((N, B))
    G = np.empty((n, B))
    t1 = np.full(B, -1, dtype=np.int64)
    t2 = np.full(B, -1, dtype=np.int64)
    etr = np.empty(B)
    ete = np.empty(B)
    ny = math.sqrt(np.sum(y * y))
    nb = math.sqrt(np.sum(b_star * b_star))
    if ny == 0.0:
        ny = 1.0
    if nb == 0.0:
        nb = 1.0
    for t in range(T + 1):
        _residual(X, Bv, y, R)
        for b in range(B):
            etr[b] = 0.0
            ete[b] = 0.0
        for i in range(N):
            for b in range(B):
                etr[b] += R[i, b] * R[i, b]
        for j in range(n):
            bs = b_star[j]
            for b in range(B):
                e = Bv[j, b] - bs
                ete[b] += e * e
        for b in range(B):
            if t1[b] < 0 and math.sqrt(etr[b]) / ny <= eps1:
                t1[b] = t
            if t2[b] < 0 and math.sqrt(ete[b]) / nb <= eps2:
                t2[b] = t
        if t == T:
            break
        np.dot(XT, R, G)
        for j in range(n):
            for b in range(B):
                v = Bv[j, b]
                h = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
                Bv[j, b] = v - alpha[b] * (G[j, b] + beta2[b] * v + beta1[b] * h)
    return t1, t2


@numba.njit(cache=True)
def subgm_steps_batched(X, XT, y, theta_star, W, eta, T):
    """Paper 003's SubGM on the L-layer diagonal net on a batch: W (L, d, B) in place.

    r = X theta - y, q = X^T sign(r) / m, w_a <- w_a - eta q prod_{c != a} w_c (old layers),
    theta = prod_a w_a; err = ||theta - theta*|| is tracked every step (running minimum).
    """
    m, d = X.shape
    L = W.shape[0]
    B = W.shape[2]
    Theta = np.empty((d, B))
    R = np.empty((m, B))
    Q = np.empty((d, B))
    P = np.empty((L, B))
    err_min = np.full(B, np.inf)
    err = np.empty(B)
    for j in range(d):
        for b in range(B):
            p = 1.0
            for a in range(L):
                p *= W[a, j, b]
            Theta[j, b] = p
    for t in range(T + 1):
        for b in range(B):
            err[b] = 0.0
        for j in range(d):
            ts = theta_star[j]
            for b in range(B):
                z = Theta[j, b] - ts
                err[b] += z * z
        for b in range(B):
            e = math.sqrt(err[b])
            if e < err_min[b]:
                err_min[b] = e
        if t == T:
            break
        _residual(X, Theta, y, R)
        for i in range(m):
            for b in range(B):
                v = R[i, b]
                R[i, b] = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
        np.dot(XT, R, Q)
        for j in range(d):
            for a in range(L):
                for b in range(B):
                    P[a, b] = 1.0
                for c in range(L):
                    if c != a:
                        for b in range(B):
                            P[a, b] *= W[c, j, b]
            for b in range(B):
                Theta[j, b] = 1.0
            for a in range(L):
                for b in range(B):
                    w = W[a, j, b] - eta[b] * (Q[j, b] / m) * P[a, b]
                    W[a, j, b] = w
                    Theta[j, b] *= w
    return err_min


@numba.njit(cache=True)
def _shortcut_row(G, W, U, V, Beta, alpha, eta, n, j):
    """Paper 000's update of row j: w *= 1 - 2 eta alpha g, u *= 1 + 2 eta alpha g,
    v -= eta g, beta = v + alpha (w^2 - u^2), g = G / n."""
    for b in range(G.shape[1]):
        g = G[j, b] / n
        c = 2.0 * eta[b] * alpha[b]
        w = W[j, b] * (1.0 - c * g)
        u = U[j, b] * (1.0 + c * g)
        v = V[j, b] - eta[b] * g
        W[j, b] = w
        U[j, b] = u
        V[j, b] = v
        Beta[j, b] = v + alpha[b] * (w * w - u * u)


@numba.njit(cache=True, parallel=True)
def _shortcut_update_parallel(G, W, U, V, Beta, alpha, eta, n):
    for j in numba.prange(G.shape[0]):
        _shortcut_row(G, W, U, V, Beta, alpha, eta, n, j)


@numba.njit(cache=True)
def _shortcut_update_serial(G, W, U, V, Beta, alpha, eta, n):
    for j in range(G.shape[0]):
        _shortcut_row(G, W, U, V, Beta, alpha, eta, n, j)


@numba.njit(cache=True)
def shortcut_steps_batched(X, XT, y, W, U, V, alpha, eta, T, parallel):
    """Paper 000's GD on v + alpha (w^2 - u^2) for a batch sharing X: W, U, V (d, B) in place.

    Two dgemm per step on all B configurations (threaded by BLAS) and one fused update pass,
    split over Numba's threads if `parallel`.
    """
    n, d = X.shape
    B = W.shape[1]
    Beta = np.empty((d, B))
    G = np.empty((d, B))
    R = np.empty((n, B))
    live = np.ones(B, dtype=np.bool_)
    for j in range(d):
        for b in range(B):
            Beta[j, b] = V[j, b] + alpha[b] * (W[j, b] * W[j, b] - U[j, b] * U[j, b])
    _residual(X, Beta, y, R)
    for _ in range(T):
        np.dot(XT, R, G)
        if parallel:
            _shortcut_update_parallel(G, W, U, V, Beta, alpha, eta, n)
        else:
            _shortcut_update_serial(G, W, U, V, Beta, alpha, eta, n)
        _residual(X, Beta, y, R)
        _mark_diverged(R, live)
    return live
