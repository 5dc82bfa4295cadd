"""Sub-gradient method for robust deep matrix recovery (Ma & Fattahi 2022, Sec. 5, Fig. 2).

Model X_hat = W_1 W_2 ... W_N with square W_a (d, d); loss L = (1/m) sum_i |<A_i, X_hat> - y_i|.
With r = A vec(X_hat) - y, s = sign(r) (sign(0) = 0) and G = mat(A^T s) / m, the simultaneous
SubGM step is W_a <- W_a - eta (W_1...W_{a-1})^T G (W_{a+1}...W_N)^T. The sensing matrices are
stored as A (m, d^2), row i = vec(A_i) in C order.

Numba, serial, no fastmath: the whole step loop runs in one call with preallocated buffers.
At the spec's quick size (d = 20, m = 180) it took 0.035 / 0.041 / 0.046 ms per iteration
(N = 2 / 3 / 4) on one core, against 0.041 / 0.045 / 0.053 ms for the same step in NumPy with
1-thread BLAS (many small calls, each dominated by call overhead), so Numba is used. A is also
kept transposed so both mat-vecs are axpy loops that vectorize without reassociating a sum.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .diagonal import STATUS_DIVERGED, STATUS_MAX_STEPS, log_grid, with_endpoint

__all__ = [
    "MATRIX_METRICS",
    "end_to_end",
    "l1_loss",
    "subgm_deep_matrix",
    "subgm_deep_matrix_chunked",
    "subgm_deep_matrix_steps",
]

MATRIX_METRICS: tuple[str, ...] = ("train_loss", "err")  # err = ||X_hat - X*||_F
W_DIVERGED = 1e6


def end_to_end(W) -> np.ndarray:
    """X_hat = W[0] @ W[1] @ ... @ W[N-1] for W (N, d, d)."""
    W = np.asarray(W, dtype=np.float64)
    out = W[0]
    for a in range(1, W.shape[0]):
        out = out @ W[a]
    return out


def l1_loss(A, y, Xhat) -> float:
    """(1/m) sum_i |<A_i, X_hat> - y_i| with A (m, d^2)."""
    return float(np.mean(np.abs(np.asarray(A) @ np.asarray(Xhat).reshape(-1) - y)))


@numba.njit(cache=True)
def _mm(A, B, out):
    """out = A B (square, C order): i-k-j loops, the inner one contiguous."""
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            out[i, j] = 0.0
        for k in range(n):
            a = A[i, k]
            for j in range(n):
                out[i, j] += a * B[k, j]


@numba.njit(cache=True)
def _mm_tn(A, B, out):
    """out = A^T B: k-i-j loops, the inner one contiguous."""
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            out[i, j] = 0.0
    for k in range(n):
        for i in range(n):
            a = A[k, i]
            for j in range(n):
                out[i, j] += a * B[k, j]


@numba.njit(cache=True)
def _transpose(A, out):
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            out[j, i] = A[i, j]


@numba.njit(cache=True)
def _products(W, Lp, Rs):
    """Lp[a] = W_0...W_{a-1} (Lp[0] = I, Lp[N] = X_hat), Rs[a] = W_{a+1}...W_{N-1} (Rs[N-1] = I)."""
    N, d, _ = W.shape
    for i in range(d):
        for j in range(d):
            v = 1.0 if i == j else 0.0
            Lp[0, i, j] = v
            Rs[N - 1, i, j] = v
    for a in range(N):
        _mm(Lp[a], W[a], Lp[a + 1])
    for a in range(N - 2, -1, -1):
        _mm(W[a + 1], Rs[a + 1], Rs[a])


@numba.njit(cache=True)
def _measure(AT, y, Xhat, r):
    """r = A vec(X_hat) - y from the rows of AT (d^2, m) (axpy loops that vectorize without
    reassociating a sum); returns mean |r|."""
    D, m = AT.shape
    xv = Xhat.reshape(D)
    for i in range(m):
        r[i] = -y[i]
    for j in range(D):
        xj = xv[j]
        for i in range(m):
            r[i] += AT[j, i] * xj
    tot = 0.0
    for i in range(m):
        tot += abs(r[i])
    return tot / m


@numba.njit(cache=True)
def _frob_err(Xhat, Xstar):
    d = Xhat.shape[0]
    e = 0.0
    for i in range(d):
        for j in range(d):
            z = Xhat[i, j] - Xstar[i, j]
            e += z * z
    return math.sqrt(e)


@numba.njit(cache=True)
def _deep_matrix_segment(
    A, AT, y, Xstar, W, eta, T, log_steps, metrics, err_min, t_min, k, t, t_stop
):
    """The loop of subgm_deep_matrix_steps from step t (grid pointer k) with the carried running
    minimum (err_min, t_min), until the run ends or t reaches t_stop.

    Returns (k, t, status, err_min, t_min, loss): status -1 means t_stop was reached (resume
    from t); loss is the last L evaluated.
    """
    N, d, _ = W.shape
    m, D = A.shape
    n_log = log_steps.shape[0]
    Lp = np.empty((N + 1, d, d))
    Rs = np.empty((N, d, d))
    G = np.empty((d, d))
    tmp = np.empty((d, d))
    grad = np.empty((d, d))
    RsT = np.empty((d, d))
    r = np.empty(m)
    gv = G.reshape(D)
    loss = math.nan
    while t < t_stop:
        _products(W, Lp, Rs)
        loss = _measure(AT, y, Lp[N], r)
        e = _frob_err(Lp[N], Xstar)
        if not (math.isfinite(loss) and math.isfinite(e)):
            return k, t, STATUS_DIVERGED, err_min, t_min, loss
        if e < err_min:
            err_min = e
            t_min = t
        while k < n_log and log_steps[k] < t:
            k += 1
        if k < n_log and log_steps[k] == t:
            metrics[k, 0] = loss
            metrics[k, 1] = e
            k += 1
        if t >= T:
            return k, t, STATUS_MAX_STEPS, err_min, t_min, loss
        for j in range(D):
            gv[j] = 0.0
        for i in range(m):
            si = 1.0 if r[i] > 0.0 else (-1.0 if r[i] < 0.0 else 0.0)
            if si != 0.0:
                for j in range(D):
                    gv[j] += si * A[i, j]
        for j in range(D):
            gv[j] /= m
        wmax = 0.0
        for a in range(N):
            _mm_tn(Lp[a], G, tmp)
            _transpose(Rs[a], RsT)
            _mm(tmp, RsT, grad)
            for i in range(d):
                for j in range(d):
                    w = W[a, i, j] - eta * grad[i, j]
                    W[a, i, j] = w
                    aw = abs(w)
                    if not aw <= wmax:
                        wmax = aw
        t += 1
        if not wmax <= W_DIVERGED:
            return k, t, STATUS_DIVERGED, err_min, t_min, loss
    return k, t, -1, err_min, t_min, loss


@numba.njit(cache=True)
def subgm_deep_matrix_steps(A, AT, y, Xstar, W, eta, T, log_steps):
    """SubGM with constant eta for t = 0..T on W (N, d, d), in place; AT = A^T (C order).

    The state at t is evaluated before its update (no update at T): err(t) every step (exact
    running minimum), and (loss, err) at log_steps (sorted). Stops with STATUS_DIVERGED if an
    entry exceeds 1e6 or is NaN. Returns (metrics (n_log, 2), n_logged, status, err_min, t_min,
    t_end); rows past n_logged are NaN.
    """
    metrics = np.full((log_steps.shape[0], 2), np.nan)
    # the loop always ends at t = T, so one segment runs it all (int64 zeros, not literals:
    # the chunked driver uses the same compiled segment)
    zero = np.int64(0)
    k, t, status, err_min, t_min, _ = _deep_matrix_segment(
        A, AT, y, Xstar, W, eta, T, log_steps, metrics, np.inf, zero, zero, zero, T + 1
    )
    return metrics, k, status, err_min, t_min, t


def subgm_deep_matrix_chunked(A, AT, y, Xstar, W, eta, T, log_steps, progress):
    """subgm_deep_matrix_steps in segments sized by ``progress`` (a progress.Progress),
    reporting the training loss between them; the same results bit for bit."""
    metrics = np.full((log_steps.shape[0], 2), np.nan)
    err_min, t_min, k, t = np.inf, 0, 0, 0
    while True:
        k, t, status, err_min, t_min, loss = _deep_matrix_segment(
            A, AT, y, Xstar, W, eta, T, log_steps, metrics, err_min, t_min, k, t,
            progress.next_stop(t, T + 1),
        )  # fmt: skip
        if status >= 0:
            return metrics, k, status, err_min, t_min, t
        progress.update(t, loss)


def subgm_deep_matrix(A, y, Xstar, W0, eta: float, T: int, log_steps=None, progress=None) -> dict:
    """SubGM on the deep factorization from W0 (N, d, d); A (m, d^2), y (m,), Xstar (d, d).

    log_steps defaults to log_grid(T, 40) plus T. Returns steps, metrics {train_loss, err},
    W (final factors), Xhat, status, err_min, t_min, t_end. With ``progress`` (a
    progress.Progress) the loop runs in segments and reports between them (same results).
    """
    A = np.ascontiguousarray(A, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    Xstar = np.ascontiguousarray(Xstar, dtype=np.float64)
    W = np.array(W0, dtype=np.float64, order="C")
    if W.ndim != 3 or W.shape[1] != W.shape[2]:
        raise ValueError(f"W0 must have shape (N, d, d), got {W.shape}")
    d = W.shape[1]
    if A.shape != (y.shape[0], d * d) or Xstar.shape != (d, d):
        raise ValueError(f"need A (m, {d * d}), y (m,), Xstar ({d}, {d})")
    if not eta > 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    T = int(T)
    grid = with_endpoint(log_grid(T, 40) if log_steps is None else log_steps, T)
    args = (A, np.ascontiguousarray(A.T), y, Xstar, W, float(eta), T, grid)
    if progress is None:
        metrics, n, status, err_min, t_min, t_end = subgm_deep_matrix_steps(*args)
    else:
        metrics, n, status, err_min, t_min, t_end = subgm_deep_matrix_chunked(*args, progress)
    return {
        "steps": grid[:n],
        "metrics": {name: metrics[:n, i] for i, name in enumerate(MATRIX_METRICS)},
        "W": W,
        "Xhat": end_to_end(W),
        "status": int(status),
        "err_min": float(err_min),
        "t_min": int(t_min),
        "t_end": int(t_end),
    }
