"""Full-batch gradient descent on diagonal linear networks (Zhou & Ge 2023, eq. (1)-(2)).

Model: beta = v + alpha * (w*w - u*u), loss L = ||X beta - y||^2 / (2n).
With r = X beta - y and g = X^T r / n the simultaneous GD update is
    w <- w * (1 - 2 eta alpha g),  u <- u * (1 + 2 eta alpha g),  v <- v - eta g.
The "quad" baseline beta = w*w - u*u is the same kernel with train_v=False and v = 0.

The design is passed transposed, XT with shape (d, n), so that one step is a single pass
over its rows (fused step). All kernels are serial and run without fastmath so
that results are bit-reproducible.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from implicit_bias.data import SparseRegression

__all__ = [
    "METRICS",
    "STATUS_CONVERGED",
    "STATUS_DIVERGED",
    "STATUS_MAX_STEPS",
    "diagonal_net_beta",
    "gd_step",
    "log_grid",
    "residual",
    "run_gd",
    "train_shortcut_net",
]

METRICS: tuple[str, ...] = (
    "train_loss",
    "test_error",
    "q_norm",
    "v_norm",
    "v_support_norm",
    "signal_error",
    "q_offsupport_l1",
    "q_offsupport_max",
)
N_METRICS = len(METRICS)

STATUS_CONVERGED, STATUS_MAX_STEPS, STATUS_DIVERGED = 0, 1, 2


def log_grid(max_steps: int, per_decade: int = 50) -> np.ndarray:
    """Logging steps {0..9} U {floor(10**(k/per_decade))}, capped at max_steps, sorted, unique."""
    if per_decade < 1:
        raise ValueError(f"per_decade must be >= 1, got {per_decade}")
    max_steps = int(max_steps)
    if max_steps < 0:
        raise ValueError(f"max_steps must be >= 0, got {max_steps}")
    vals = set(range(min(9, max_steps) + 1))
    k = 0
    while True:
        q, rem = divmod(k, per_decade)
        # exact powers of ten where possible, so floor() never lands one below
        val = 10**q if rem == 0 else math.floor(10.0 ** (k / per_decade))
        if val > max_steps:
            break
        vals.add(int(val))
        k += 1
    return np.array(sorted(vals), dtype=np.int64)


@numba.njit(cache=True)
def residual(XT, y, beta, r):
    """r = X beta - y, in place, skipping zero coefficients."""
    d, n = XT.shape
    for i in range(n):
        r[i] = -y[i]
    for j in range(d):
        b = beta[j]
        if b != 0.0:
            row = XT[j]
            for i in range(n):
                r[i] += row[i] * b


@numba.njit(cache=True)
def _coord_update(j, g, w, u, v, beta, eta, alpha, train_v):
    """GD update of coordinate j given g_j = (X^T r / n)_j; returns the change of beta_j."""
    c = 2.0 * eta * alpha
    w[j] *= 1.0 - c * g
    u[j] *= 1.0 + c * g
    if train_v:
        v[j] -= eta * g
    b = v[j] + alpha * (w[j] * w[j] - u[j] * u[j])
    db = b - beta[j]
    beta[j] = b
    return db


@numba.njit(cache=True)
def gd_step(XT, r, r_new, w, u, v, beta, eta, alpha, train_v):
    """One simultaneous GD step, fused into a single pass over the rows of XT.

    On entry r = X beta - y and beta = v + alpha (w^2 - u^2); both are advanced in place.
    r_new is a length-n work buffer. Every coordinate update needs only its own
    g_j = XT[j] . r / n (old r), so the new residual is accumulated in the same pass.
    Rows go in blocks of 4: four independent dot products give instruction-level
    parallelism without reassociating any sum (no fastmath needed), and r_new is
    read once per block.
    """
    d, n = XT.shape
    for i in range(n):
        r_new[i] = r[i]
    m = d - d % 4
    for j in range(0, m, 4):
        a0 = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for i in range(n):
            ri = r[i]
            a0 += XT[j, i] * ri
            a1 += XT[j + 1, i] * ri
            a2 += XT[j + 2, i] * ri
            a3 += XT[j + 3, i] * ri
        d0 = _coord_update(j, a0 / n, w, u, v, beta, eta, alpha, train_v)
        d1 = _coord_update(j + 1, a1 / n, w, u, v, beta, eta, alpha, train_v)
        d2 = _coord_update(j + 2, a2 / n, w, u, v, beta, eta, alpha, train_v)
        d3 = _coord_update(j + 3, a3 / n, w, u, v, beta, eta, alpha, train_v)
        if d0 != 0.0 or d1 != 0.0 or d2 != 0.0 or d3 != 0.0:
            for i in range(n):
                r_new[i] += (XT[j, i] * d0 + XT[j + 1, i] * d1) + (
                    XT[j + 2, i] * d2 + XT[j + 3, i] * d3
                )
    for j in range(m, d):
        a0 = 0.0
        for i in range(n):
            a0 += XT[j, i] * r[i]
        d0 = _coord_update(j, a0 / n, w, u, v, beta, eta, alpha, train_v)
        if d0 != 0.0:
            for i in range(n):
                r_new[i] += XT[j, i] * d0
    for i in range(n):
        r[i] = r_new[i]


@numba.njit(cache=True)
def _metrics_row(loss, beta, beta_star, w, u, v, alpha, s, n, out):
    """Fill one row of METRICS; O(d), no allocation. NaN propagates into the maxima."""
    d = beta.shape[0]
    ratio = d / n
    test = 0.0
    q2 = 0.0
    v2 = 0.0
    vs2 = 0.0
    sig = 0.0
    off_l1 = 0.0
    off_max = 0.0
    for j in range(d):
        e = beta[j] - beta_star[j]
        test += e * e
        q = alpha * (w[j] * w[j] - u[j] * u[j])
        q2 += q * q
        v2 += v[j] * v[j]
        if j < s:
            vs2 += v[j] * v[j]
            # Lemma 7 criterion: the signal is fitted by (d/n) v_S + q_S
            es = abs(ratio * v[j] + q - beta_star[j])
            if not es <= sig:
                sig = es
        else:
            aq = abs(q)
            off_l1 += aq
            if not aq <= off_max:
                off_max = aq
    out[0] = loss
    out[1] = test
    out[2] = math.sqrt(q2)
    out[3] = math.sqrt(v2)
    out[4] = math.sqrt(vs2)
    out[5] = sig
    out[6] = off_l1
    out[7] = off_max


@numba.njit(cache=True)
def run_gd(
    XT,
    y,
    beta_star,
    s,
    w,
    u,
    v,
    alpha,
    eta,
    train_v,
    tol,
    max_steps,
    log_steps,
    refresh_every=5000,
):
    """Run GD from the given (w, u, v), updated in place, until L <= tol.

    L(t) is evaluated at the start of iteration t, before the update: stop with t_end = t
    if L(t) <= tol (converged), if t == max_steps, or if L(t) is not finite (diverged).
    Metrics are recorded at every grid step in log_steps (sorted) that is < t_end, and
    always at t_end as the last row.

    Returns (steps, metrics, t_end, status) with steps int64 (n_logged,) and
    metrics float64 (n_logged, len(METRICS)).
    """
    d, n = XT.shape
    beta = np.empty(d)
    r = np.empty(n)
    r_new = np.empty(n)
    for j in range(d):
        beta[j] = v[j] + alpha * (w[j] * w[j] - u[j] * u[j])
    residual(XT, y, beta, r)

    n_grid = log_steps.shape[0]
    steps = np.empty(n_grid + 1, dtype=np.int64)
    metrics = np.empty((n_grid + 1, N_METRICS))
    n_logged = 0
    k = 0
    t = 0
    status = STATUS_MAX_STEPS
    while True:
        if refresh_every > 0 and t > 0 and t % refresh_every == 0:
            # the fused step accumulates rounding in r; rebuild it from beta
            residual(XT, y, beta, r)
        loss = 0.0
        for i in range(n):
            loss += r[i] * r[i]
        loss /= 2.0 * n
        if not math.isfinite(loss):
            status = STATUS_DIVERGED
            break
        if loss <= tol:
            status = STATUS_CONVERGED
            break
        if t >= max_steps:
            status = STATUS_MAX_STEPS
            break
        while k < n_grid and log_steps[k] < t:
            k += 1
        if k < n_grid and log_steps[k] == t:
            steps[n_logged] = t
            _metrics_row(loss, beta, beta_star, w, u, v, alpha, s, n, metrics[n_logged])
            n_logged += 1
            k += 1
        gd_step(XT, r, r_new, w, u, v, beta, eta, alpha, train_v)
        t += 1
    steps[n_logged] = t
    _metrics_row(loss, beta, beta_star, w, u, v, alpha, s, n, metrics[n_logged])
    n_logged += 1
    return steps[:n_logged].copy(), metrics[:n_logged].copy(), t, status


def diagonal_net_beta(w, u, v, alpha) -> np.ndarray:
    """beta = v + alpha (w^2 - u^2)."""
    w = np.asarray(w, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    return v + float(alpha) * (w * w - u * u)


def train_shortcut_net(
    data: SparseRegression,
    alpha: float,
    eta: float,
    eps: float,
    tol: float,
    max_steps: int,
    train_v: bool = True,
    per_decade: int = 50,
) -> dict:
    """GD from v = 0, w = u = eps (so beta = 0), logging on log_grid(max_steps, per_decade)."""
    XT = data.XT
    if XT.dtype != np.float64 or not XT.flags.c_contiguous:
        raise ValueError("data.XT must be a C-contiguous float64 array")
    d = data.d
    w = np.full(d, float(eps))
    u = np.full(d, float(eps))
    v = np.zeros(d)
    grid = log_grid(max_steps, per_decade)
    steps, metrics, t_end, status = run_gd(
        XT,
        np.ascontiguousarray(data.y, dtype=np.float64),
        np.ascontiguousarray(data.beta_star, dtype=np.float64),
        int(data.s),
        w,
        u,
        v,
        float(alpha),
        float(eta),
        bool(train_v),
        float(tol),
        int(max_steps),
        grid,
    )
    return {
        "steps": steps,
        "metrics": {name: metrics[:, i].copy() for i, name in enumerate(METRICS)},
        "beta": diagonal_net_beta(w, u, v, alpha),
        "w": w,
        "u": u,
        "v": v,
        "t_end": int(t_end),
        "status": int(status),
    }
