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

import functools
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
    "gd_stop_status",
    "log_grid",
    "metrics_from_sums",
    "residual",
    "run_gd",
    "run_gd_chunked",
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
    """r = X beta - y, in place (the blocked loop of the depth-D models)."""
    _residual_loss(XT, y, beta, r)


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
    metrics_from_sums(loss, test, q2, v2, vs2, sig, off_l1, off_max, out)


@numba.njit(cache=True)
def metrics_from_sums(loss, test, q2, v2, vs2, sig, off_l1, off_max, out):
    """One row of METRICS from the sums and maxima of _metrics_row (norms from squared sums)."""
    out[0] = loss
    out[1] = test
    out[2] = math.sqrt(q2)
    out[3] = math.sqrt(v2)
    out[4] = math.sqrt(vs2)
    out[5] = sig
    out[6] = off_l1
    out[7] = off_max


@numba.njit(cache=True)
def gd_stop_status(loss, tol, t, max_steps):
    """run_gd's stopping rule at the start of step t; -1 means: keep going."""
    if not math.isfinite(loss):
        return STATUS_DIVERGED
    if loss <= tol:
        return STATUS_CONVERGED
    if t >= max_steps:
        return STATUS_MAX_STEPS
    return -1


@numba.njit(cache=True)
def _run_gd_init(XT, w, u, v, y, alpha, n_grid):
    """Buffers and carried state of run_gd: beta, r = X beta - y, r_new, steps, metrics."""
    d, n = XT.shape
    beta = np.empty(d)
    r = np.empty(n)
    r_new = np.empty(n)
    for j in range(d):
        beta[j] = v[j] + alpha * (w[j] * w[j] - u[j] * u[j])
    residual(XT, y, beta, r)
    steps = np.empty(n_grid + 1, dtype=np.int64)
    metrics = np.empty((n_grid + 1, N_METRICS))
    return beta, r, r_new, steps, metrics


@numba.njit(cache=True)
def _run_gd_segment(
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
    refresh_every,
    beta,
    r,
    r_new,
    steps,
    metrics,
    n_logged,
    k,
    t,
    t_stop,
):
    """The loop of run_gd from step t with its carried state, until it stops or reaches t_stop.

    Returns (n_logged, k, t, status, loss): status -1 means t_stop was reached (resume from t),
    else the run ended and its last row is written; loss is the last L evaluated.
    """
    n = XT.shape[1]
    n_grid = log_steps.shape[0]
    loss = math.nan
    while t < t_stop:
        if refresh_every > 0 and t > 0 and t % refresh_every == 0:
            # the fused step accumulates rounding in r; rebuild it from beta
            residual(XT, y, beta, r)
        loss = 0.0
        for i in range(n):
            loss += r[i] * r[i]
        loss /= 2.0 * n
        status = gd_stop_status(loss, tol, t, max_steps)
        if status >= 0:
            steps[n_logged] = t
            _metrics_row(loss, beta, beta_star, w, u, v, alpha, s, n, metrics[n_logged])
            return n_logged + 1, k, t, status, loss
        while k < n_grid and log_steps[k] < t:
            k += 1
        if k < n_grid and log_steps[k] == t:
            steps[n_logged] = t
            _metrics_row(loss, beta, beta_star, w, u, v, alpha, s, n, metrics[n_logged])
            n_logged += 1
            k += 1
        gd_step(XT, r, r_new, w, u, v, beta, eta, alpha, train_v)
        t += 1
    return n_logged, k, t, -1, loss


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
    beta, r, r_new, steps, metrics = _run_gd_init(XT, w, u, v, y, alpha, log_steps.shape[0])
    # t = max_steps always stops, so one segment runs the whole loop; plain int64 arguments
    # (not literals) share the compiled segment with the chunked driver
    zero = np.int64(0)
    n_logged, _, t, status, _ = _run_gd_segment(
        XT, y, beta_star, s, w, u, v, alpha, eta, train_v, tol, max_steps, log_steps,
        np.int64(refresh_every), beta, r, r_new, steps, metrics, zero, zero, zero,
        np.int64(max_steps + 1),
    )  # fmt: skip
    return steps[:n_logged].copy(), metrics[:n_logged].copy(), t, status


def run_gd_chunked(
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
    *,
    progress,
):
    """run_gd in segments sized by ``progress`` (a progress.Progress), reporting between them.

    Same arguments, state and results as run_gd (bit for bit): every loop variable is carried
    from one segment to the next.
    """
    beta, r, r_new, steps, metrics = _run_gd_init(XT, w, u, v, y, alpha, log_steps.shape[0])
    n_logged, k, t = 0, 0, 0
    while True:
        t_stop = progress.next_stop(t, max_steps + 1)
        n_logged, k, t, status, loss = _run_gd_segment(
            XT, y, beta_star, s, w, u, v, alpha, eta, train_v, tol, max_steps, log_steps,
            refresh_every, beta, r, r_new, steps, metrics, n_logged, k, t, t_stop,
        )  # fmt: skip
        if status >= 0:
            break
        progress.update(t, loss)
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
    progress=None,
) -> dict:
    """GD from v = 0, w = u = eps (so beta = 0), logging on log_grid(max_steps, per_decade).

    With ``progress`` (a progress.Progress) the loop runs in segments and reports between them;
    the results are the same bit for bit.
    """
    XT = data.XT
    if XT.dtype != np.float64 or not XT.flags.c_contiguous:
        raise ValueError("data.XT must be a C-contiguous float64 array")
    d = data.d
    w = np.full(d, float(eps))
    u = np.full(d, float(eps))
    v = np.zeros(d)
    grid = log_grid(max_steps, per_decade)
    runner = run_gd if progress is None else functools.partial(run_gd_chunked, progress=progress)
    steps, metrics, t_end, status = runner(
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


# ---------------------------------------------------------------------------------------------
# Nacson et al. (2022): depth-D model beta = u_p^D - u_m^D and UV model
# beta = u_p * v_p - u_m * v_m, loss L = ||X beta - y||^2 / (2N), linear warm-up
# eta_t = eta * min(1, (t + 1) / T_w). Here X has shape (N, d) and XT = X.T (both C-contiguous):
# g = X^T r / N is accumulated from the rows of X and r = X beta - y from the rows of XT, so both
# mat-vecs are axpy loops over contiguous rows, four rows at a time, that vectorize without
# reassociating any sum across the vector lanes (no fastmath).
# ---------------------------------------------------------------------------------------------

__all__ += [
    "STATUS_UNSTABLE_FROZEN",
    "depth_residual",
    "depth_step",
    "depth_steps",
    "diagonal_beta",
    "hessian",
    "initial_sharpness",
    "lambda_max_at_solution",
    "stability_quantities",
    "diagonal_batch_steps",
    "train_diagonal_net",
    "train_diagonal_nets",
    "uv_residual",
    "uv_step",
    "uv_steps",
]

STATUS_UNSTABLE_FROZEN = 4
STATUS_NAMES = {
    STATUS_CONVERGED: "converged",
    STATUS_MAX_STEPS: "max_steps",
    STATUS_DIVERGED: "diverged",
    STATUS_UNSTABLE_FROZEN: "unstable_frozen",
}
LOSS_DIVERGED = 1e12  # L above this (or not finite) counts as divergence
LOSS_FROZEN = 1e-20  # below this the GD updates are lost to float64 rounding
EDGE_RTOL = 1e-3  # a minimum is stable if lambda_max <= (2 / eta) (1 + EDGE_RTOL)
KICK_SCALE = 1e-6  # relative size of the multiplicative kick off a frozen unstable minimum
HOLD_STEPS, KICK_HOLD_STEPS = 1_000, 10_000
MIN_WARMUP, WARMUP_FACTOR = 25_000, 150.0


@numba.njit(cache=True)
def _ipow(x, k):
    """x**k for an integer k >= 0 by repeated multiplication (no libm pow per step).

    Branches for k <= 4 (same rounding as the loop) let LLVM unswitch and vectorize callers.
    """
    if k == 1:
        return x
    if k == 2:
        return x * x
    if k == 3:
        return x * x * x
    if k == 4:
        return x * x * x * x
    p = 1.0
    for _ in range(k):
        p *= x
    return p


@numba.njit(cache=True)
def _warmup_eta(eta, T_w, t):
    """eta_t = eta * min(1, (t + 1) / T_w)."""
    return eta * min(1.0, (t + 1) / T_w)


@numba.njit(cache=True)
def _half_mse(r):
    """L = r.r / (2N)."""
    n = r.shape[0]
    s = 0.0
    for i in range(n):
        s += r[i] * r[i]
    return s / (2.0 * n)


@numba.njit(cache=True)
def _gradient(X, r, g):
    """g = X^T r / N from the rows of X (N, d), four rows per pass over g."""
    n, d = X.shape
    for j in range(d):
        g[j] = 0.0
    m = n - n % 4
    for i in range(0, m, 4):
        r0 = r[i]
        r1 = r[i + 1]
        r2 = r[i + 2]
        r3 = r[i + 3]
        for j in range(d):
            g[j] += (X[i, j] * r0 + X[i + 1, j] * r1) + (X[i + 2, j] * r2 + X[i + 3, j] * r3)
    for i in range(m, n):
        ri = r[i]
        for j in range(d):
            g[j] += X[i, j] * ri
    for j in range(d):
        g[j] /= n


@numba.njit(cache=True)
def _residual_loss(XT, y, beta, r):
    """r = X beta - y from the rows of XT (d, N), four rows per pass over r; returns L."""
    d, n = XT.shape
    for i in range(n):
        r[i] = -y[i]
    m = d - d % 4
    for j in range(0, m, 4):
        b0 = beta[j]
        b1 = beta[j + 1]
        b2 = beta[j + 2]
        b3 = beta[j + 3]
        for i in range(n):
            r[i] += (XT[j, i] * b0 + XT[j + 1, i] * b1) + (XT[j + 2, i] * b2 + XT[j + 3, i] * b3)
    for j in range(m, d):
        bj = beta[j]
        for i in range(n):
            r[i] += XT[j, i] * bj
    return _half_mse(r)


@numba.njit(cache=True)
def _stop_status(loss, t, t_stop, tol, t_min):
    """Kernel stopping rule at the start of step t; -1 means: keep going."""
    if not loss <= LOSS_DIVERGED:  # also catches NaN and inf
        return STATUS_DIVERGED
    if loss <= tol and t >= t_min:
        return STATUS_CONVERGED
    if t >= t_stop:
        return STATUS_MAX_STEPS
    return -1


@numba.njit(cache=True)
def depth_residual(XT, y, u_p, u_m, D, r, g):
    """r = X beta - y with beta = u_p^D - u_m^D, in place (g holds beta); returns L."""
    for j in range(u_p.shape[0]):
        g[j] = _ipow(u_p[j], D) - _ipow(u_m[j], D)
    return _residual_loss(XT, y, g, r)


@numba.njit(cache=True)
def depth_step(X, XT, y, u_p, u_m, D, eta_t, r, g):
    """One GD step of the depth-D model with step eta_t; returns L at the new state.

    On entry r = X beta - y at the current state; on exit (u_p, u_m) and r are advanced and
    g holds the new beta (g = X^T r / N is overwritten coordinate by coordinate). The update
        u_p <- u_p - eta_t D g u_p^(D-1),   u_m <- u_m + eta_t D g u_m^(D-1)
    uses the same g for both (simultaneous); no clipping for odd D.
    """
    _gradient(X, r, g)
    for j in range(u_p.shape[0]):
        # s first, so D = 2 at eta/2 and UV at eta round identically (eta_t D is exact)
        s = eta_t * D * g[j]
        up = u_p[j]
        um = u_m[j]
        up = up - s * _ipow(up, D - 1)
        um = um + s * _ipow(um, D - 1)
        u_p[j] = up
        u_m[j] = um
        g[j] = _ipow(up, D) - _ipow(um, D)
    return _residual_loss(XT, y, g, r)


@numba.njit(cache=True)
def depth_steps(X, XT, y, u_p, u_m, D, eta, T_w, t0, t_stop, tol, t_min, r, g):
    """GD on the depth-D model from step index t0; (u_p, u_m) are updated in place.

    L(t) is evaluated at the start of step t, before the update. Returns (t, L(t), status) at
    the first t >= t0 with: L not finite or L > 1e12 -> STATUS_DIVERGED; L <= tol and
    t >= t_min -> STATUS_CONVERGED; t >= t_stop -> STATUS_MAX_STEPS. r (N,) and g (d,) are work
    buffers; on return r = X beta - y and g = beta at the returned state.
    """
    loss = depth_residual(XT, y, u_p, u_m, D, r, g)
    t = t0
    while True:
        status = _stop_status(loss, t, t_stop, tol, t_min)
        if status >= 0:
            return t, loss, status
        loss = depth_step(X, XT, y, u_p, u_m, D, _warmup_eta(eta, T_w, t), r, g)
        t += 1


@numba.njit(cache=True)
def uv_residual(XT, y, u_p, v_p, u_m, v_m, r, g):
    """r = X beta - y with beta = u_p v_p - u_m v_m, in place (g holds beta); returns L."""
    for j in range(u_p.shape[0]):
        g[j] = u_p[j] * v_p[j] - u_m[j] * v_m[j]
    return _residual_loss(XT, y, g, r)


@numba.njit(cache=True)
def uv_step(X, XT, y, u_p, v_p, u_m, v_m, eta_t, r, g):
    """One simultaneous GD step of the UV model with step eta_t; returns L at the new state.

    u_p <- u_p - eta_t g v_p, v_p <- v_p - eta_t g u_p, u_m <- u_m + eta_t g v_m,
    v_m <- v_m + eta_t g u_m. Buffers as in depth_step.
    """
    _gradient(X, r, g)
    for j in range(u_p.shape[0]):
        s = eta_t * g[j]
        up = u_p[j]
        vp = v_p[j]
        um = u_m[j]
        vm = v_m[j]
        up, vp = up - s * vp, vp - s * up
        um, vm = um + s * vm, vm + s * um
        u_p[j] = up
        v_p[j] = vp
        u_m[j] = um
        v_m[j] = vm
        g[j] = up * vp - um * vm
    return _residual_loss(XT, y, g, r)


@numba.njit(cache=True)
def uv_steps(X, XT, y, u_p, v_p, u_m, v_m, eta, T_w, t0, t_stop, tol, t_min, r, g):
    """GD on the UV model; same contract as depth_steps."""
    loss = uv_residual(XT, y, u_p, v_p, u_m, v_m, r, g)
    t = t0
    while True:
        status = _stop_status(loss, t, t_stop, tol, t_min)
        if status >= 0:
            return t, loss, status
        loss = uv_step(X, XT, y, u_p, v_p, u_m, v_m, _warmup_eta(eta, T_w, t), r, g)
        t += 1


_PARAM_NAMES = {"depth": ("u_p", "u_m"), "uv": ("u_p", "v_p", "u_m", "v_m")}


def _unpack(params, model: str) -> tuple[np.ndarray, ...]:
    """Parameters as float64 arrays in the order of _PARAM_NAMES[model] (dict or sequence)."""
    if model not in _PARAM_NAMES:
        raise ValueError(f"model must be 'depth' or 'uv', got {model!r}")
    names = _PARAM_NAMES[model]
    seq = [params[k] for k in names] if isinstance(params, dict) else list(params)
    if len(seq) != len(names):
        raise ValueError(f"model {model!r} needs {len(names)} parameter vectors, got {len(seq)}")
    return tuple(np.asarray(p, dtype=np.float64) for p in seq)


def _check_depth(D) -> int:
    if int(D) != D or D < 2:
        raise ValueError(f"D must be an integer >= 2, got {D}")
    return int(D)


def diagonal_beta(params, D: int = 2, model: str = "depth") -> np.ndarray:
    """beta = u_p^D - u_m^D (depth) or u_p v_p - u_m v_m (uv)."""
    p = _unpack(params, model)
    if model == "uv":
        return p[0] * p[1] - p[2] * p[3]
    D = _check_depth(D)
    return p[0] ** D - p[1] ** D


def _ntk_weights(params, D: int, model: str) -> tuple[np.ndarray, float]:
    """(w, c) with J^T J / N = c X diag(w) X^T / N: the per-coordinate squared Jacobian scale."""
    p = _unpack(params, model)
    if model == "uv":
        return p[0] ** 2 + p[1] ** 2 + p[2] ** 2 + p[3] ** 2, 1.0
    D = _check_depth(D)
    return p[0] ** (2 * (D - 1)) + p[1] ** (2 * (D - 1)), float(D * D)


def lambda_max_at_solution(X, params, D: int = 2, model: str = "depth") -> float:
    """lambda_max of the Hessian at an interpolating point, from the N x N matrix J^T J / N.

    Depth D: (D^2 / N) X diag(u_p^(2(D-1)) + u_m^(2(D-1))) X^T; UV: X diag(u_p^2 + v_p^2 +
    u_m^2 + v_m^2) X^T / N. Exact only where g = 0 (spec section 2.6).
    """
    X = np.asarray(X, dtype=np.float64)
    w, c = _ntk_weights(params, D, model)
    return float(np.linalg.eigvalsh(c / X.shape[0] * ((X * w) @ X.T))[-1])


def hessian(X, y, params, D: int = 2, model: str = "depth") -> np.ndarray:
    """Full Hessian of L w.r.t. theta = (u_p, u_m) (2d x 2d) or (u_p, v_p, u_m, v_m) (4d x 4d).

    H = J J^T / N + sum_n r_n grad^2 f(x_n) / N, whose second part is diagonal (depth:
    D (D-1) u^(D-2) (+-g)) or couples u_i with v_i (uv: +-g_i).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    p = _unpack(params, model)
    n, d = X.shape
    g = X.T @ (X @ diagonal_beta(p, D, model) - y) / n
    if model == "uv":
        u_p, v_p, u_m, v_m = p
        J = np.hstack([v_p * X, u_p * X, -v_m * X, -u_m * X]).T
        H = J @ J.T / n
        i = np.arange(d)
        H[i, d + i] += g
        H[d + i, i] += g
        H[2 * d + i, 3 * d + i] -= g
        H[3 * d + i, 2 * d + i] -= g
        return H
    D = _check_depth(D)
    u_p, u_m = p
    J = np.hstack([D * u_p ** (D - 1) * X, -D * u_m ** (D - 1) * X]).T
    H = J @ J.T / n
    H[np.diag_indices(2 * d)] += np.concatenate(
        [D * (D - 1) * u_p ** (D - 2) * g, -D * (D - 1) * u_m ** (D - 2) * g]
    )
    return H


def initial_sharpness(X, y, params, D: int = 2, model: str = "depth") -> float:
    """Largest eigenvalue of the full Hessian (used for the warm-up length at the init)."""
    return float(np.linalg.eigvalsh(hessian(X, y, params, D, model))[-1])


def stability_quantities(X, params, D: int = 2, model: str = "depth") -> dict:
    """lam_max, S, UB, W of spec section 2.6 at (what should be) an interpolating point.

    With w, c as in lambda_max_at_solution, Ex = mean of x, Ex2 = mean of x^2:
        S = c <w, Ex^2> <= lam_max <= UB = c <w, Ex2>          (Lemmas 4.1, 6.1, C.1)
    p = 1/sqrt(N) in the Rayleigh quotient gives S, Cauchy-Schwarz gives UB.
    Depth D: W = D^2 sum |beta|^q Ex^2, q = 2(D-1)/D (Theorem 6.2 LHS; W <= S for even D or
    theta >= 0). UV: W = 2 ||beta Ex^2||_1, since 2|u_p v_p - u_m v_m| <= u_p^2 + v_p^2 +
    u_m^2 + v_m^2 coordinate-wise, so W <= S always; with u = v it is half the D = 2 value,
    like lam_max (UV at eta is the D = 2 model at eta/2).
    """
    X = np.asarray(X, dtype=np.float64)
    w, c = _ntk_weights(params, D, model)
    ex2 = X.mean(axis=0) ** 2
    ex_sq = (X * X).mean(axis=0)
    beta = diagonal_beta(params, D, model)
    if model == "uv":
        W = 2.0 * float(np.sum(np.abs(beta) * ex2))
    else:
        q = 2.0 * (D - 1) / D
        W = c * float(np.sum(np.abs(beta) ** q * ex2))
    return {
        "lam_max": lambda_max_at_solution(X, params, D, model),
        "S": c * float(w @ ex2),
        "UB": c * float(w @ ex_sq),
        "W": W,
    }


class _DiagRun:
    """The stopping rule of spec 2.5 for one run, fed with the stops of the step kernels.

    A driver advances the parameters with depth_steps / uv_steps (one run) or diagonal_batch_steps
    (a batch) up to ``t_stop`` with ``t_min`` as the earliest convergence, and hands every stop to
    :meth:`on_stop`. Pausing a kernel and resuming it is exact (it rebuilds the residual from the
    parameters as the step does), so segment boundaries never change a trajectory.
    """

    DONE, GO, RESTART = 0, 1, 2

    def __init__(self, theta0, T_w, max_extra_steps, per_decade, eta, max_retries, rng):
        self.theta0 = theta0
        self.T_w = int(T_w)
        self.max_extra_steps = int(max_extra_steps)
        self.per_decade = int(per_decade)
        self.lam_edge = 2.0 / eta * (1.0 + EDGE_RTOL)
        self.max_retries = int(max_retries)
        self.retries = 0
        self.rng = rng
        self.start()

    def start(self) -> None:
        """(Re)start from theta0 with the current T_w."""
        self.max_steps = self.T_w + self.max_extra_steps
        self.grid = log_grid(self.max_steps, self.per_decade)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.k = 0  # index of the next grid point not yet logged
        self.t = 0
        self.t_stop = 0  # the first kernel call only evaluates L(0)
        self.t_hold = 0
        self.kicks = 0
        self.loss = math.nan
        self.status = -1

    @property
    def t_min(self) -> int:
        return max(self.T_w, self.t_hold)

    def on_stop(self, t, loss, code, theta, X, D, model) -> int:
        """Handle a kernel stop at step t with L(t) = loss; returns DONE, GO or RESTART.

        theta (the parameter vectors at t) may be kicked in place. RESTART: diverged with
        retries left, so T_w is doubled and the caller resets theta to theta0.
        """
        t = int(t)
        self.t, self.loss = t, float(loss)
        if self.k < self.grid.size and self.grid[self.k] == t:
            self.steps.append(t)
            self.losses.append(self.loss)
            self.k += 1
        if code == STATUS_DIVERGED:
            if self.retries < self.max_retries:
                self.retries += 1
                self.T_w *= 2
                self.start()
                return self.RESTART
            return self._end(STATUS_DIVERGED)
        if code == STATUS_CONVERGED:
            if lambda_max_at_solution(X, theta, D, model) <= self.lam_edge:
                return self._end(STATUS_CONVERGED)
            # linearly unstable minimum: exact-arithmetic GD leaves it, so look again later
            self.t_hold = t + HOLD_STEPS
            if self.loss < LOSS_FROZEN:
                if self.kicks > 0:
                    return self._end(STATUS_UNSTABLE_FROZEN)
                d = theta[0].shape[0]
                z = self.rng.standard_normal(len(theta) * d)
                for i, p in enumerate(theta):
                    p *= 1.0 + KICK_SCALE * z[i * d : (i + 1) * d]
                self.kicks = 1
                self.t_hold = t + KICK_HOLD_STEPS
            return self.GO
        if t >= self.max_steps:
            return self._end(STATUS_MAX_STEPS)
        self.t_stop = min(
            self.max_steps, int(self.grid[self.k]) if self.k < self.grid.size else self.max_steps
        )
        return self.GO

    def _end(self, status: int) -> int:
        self.status = status
        if not self.steps or self.steps[-1] != self.t:
            self.steps.append(self.t)
            self.losses.append(self.loss)
        return self.DONE

    def result(self, X, theta, D, model, lambda0) -> dict:
        """The result dict of train_diagonal_net for the final parameters theta."""
        theta = tuple(np.ascontiguousarray(p) for p in theta)
        params = dict(zip(_PARAM_NAMES[model], theta, strict=True))
        if all(np.all(np.isfinite(p)) for p in theta):
            stab = stability_quantities(X, theta, D, model)
        else:
            stab = {"lam_max": math.nan, "S": math.nan, "UB": math.nan, "W": math.nan}
        return {
            "status": STATUS_NAMES[self.status],
            "status_code": int(self.status),
            "t_end": int(self.t),
            "T_w_used": int(self.T_w),
            "retries": int(self.retries),
            "max_steps": int(self.max_steps),
            "kicks": int(self.kicks),
            "loss": float(self.loss),
            "beta": diagonal_beta(theta, D, model),
            "params": params,
            **stab,
            "steps": np.array(self.steps, dtype=np.int64),
            "losses": np.array(self.losses),
            "lambda0": float(lambda0),
        }


def _prepare(X, y, model, D, init_shape):
    """Validated (X, XT, y, D, init shape) shared by the one-run and batch drivers."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    XT = np.ascontiguousarray(X.T)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n, d = X.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}")
    if model not in _PARAM_NAMES:
        raise ValueError(f"model must be 'depth' or 'uv', got {model!r}")
    D = _check_depth(D) if model == "depth" else 2
    shape = np.ones(d) if init_shape is None else np.asarray(init_shape, dtype=np.float64)
    if shape.shape != (d,):
        raise ValueError(f"init_shape must have shape ({d},), got {shape.shape}")
    return X, XT, y, D, shape


def _warmup_length(X, y, theta0, D, model, eta, T_w, warmup) -> tuple[int, float]:
    """(T_w, lambda0): T_w = max(warmup_min, ceil(warmup_factor eta lambda0)) unless given."""
    lambda0 = initial_sharpness(X, y, theta0, D, model)
    if T_w is None:
        warmup_min, warmup_factor = warmup
        T_w = max(warmup_min, math.ceil(warmup_factor * eta * lambda0))
    T_w = int(T_w)
    if T_w < 1:
        raise ValueError(f"T_w must be >= 1, got {T_w}")
    return T_w, lambda0


def _kick_rng(kick_seed) -> np.random.Generator:
    if isinstance(kick_seed, np.random.Generator):
        return kick_seed
    return np.random.default_rng(np.random.SeedSequence([int(kick_seed), 1]))


def train_diagonal_net(
    X,
    y,
    alpha: float,
    eta: float,
    *,
    D: int = 2,
    model: str = "depth",
    init_shape=None,
    T_w: int | None = None,
    warmup: tuple[int, float] = (MIN_WARMUP, WARMUP_FACTOR),
    tol: float = 1e-8,
    max_extra_steps: int = 2_000_000,
    chunk: int = 1000,
    kick_seed: int | np.random.Generator = 0,
    per_decade: int = 20,
    max_retries: int = 2,
    progress=None,
) -> dict:
    """Full-batch GD on the depth-D ("depth") or UV ("uv") model with the rule of spec 2.5.

    Init: every parameter vector = alpha * init_shape (default ones), so beta(0) = 0.
    Warm-up: eta_t = eta min(1, (t+1)/T_w); T_w = max(warmup_min, ceil(warmup_factor eta
    lambda0)) if not given, with (warmup_min, warmup_factor) = ``warmup`` (default 25_000, 150)
    and lambda0 = initial_sharpness at the init. max_steps = T_w + max_extra_steps.
    Stop at t >= max(T_w, t_hold) with L <= tol if lambda_max_at_solution <= (2/eta)(1 + 1e-3)
    ("converged"); otherwise hold for 1000 steps, and if L < 1e-20 (frozen) kick once,
    theta <- theta (1 + 1e-6 z) with z ~ N(0, I) over the concatenated parameters, and hold
    10_000 steps; frozen again -> "unstable_frozen". On divergence (L not finite or > 1e12)
    restart from the init with T_w doubled, at most max_retries times, then "diverged".
    z comes from kick_seed when it is a Generator, else from
    default_rng(SeedSequence([kick_seed, 1])), created once per call.
    The training loss is logged on log_grid(max_steps, per_decade) below t_end, and at t_end.
    ``progress`` (a progress.Progress) is updated between the kernel calls of every chunk.
    """
    X, XT, y, D, shape = _prepare(X, y, model, D, init_shape)
    if not eta > 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    n, d = X.shape
    theta0 = tuple(float(alpha) * shape for _ in _PARAM_NAMES[model])
    T_w, lambda0 = _warmup_length(X, y, theta0, D, model, eta, T_w, warmup)
    run = _DiagRun(
        theta0, T_w, max_extra_steps, per_decade, float(eta), max_retries, _kick_rng(kick_seed)
    )
    r = np.empty(n)
    g = np.empty(d)
    while True:
        theta = tuple(p.copy() for p in theta0)
        if progress is not None:
            progress.total_steps = run.max_steps
        while True:
            t_stop = min(run.t_stop, run.t + int(chunk))
            if model == "uv":
                t, loss, code = uv_steps(
                    X,
                    XT,
                    y,
                    *theta,
                    float(eta),
                    run.T_w,
                    run.t,
                    t_stop,
                    float(tol),
                    run.t_min,
                    r,
                    g,
                )
            else:
                t, loss, code = depth_steps(
                    X, XT, y, *theta, D, float(eta), run.T_w, run.t, t_stop, float(tol), run.t_min,
                    r, g,
                )  # fmt: skip
            action = run.on_stop(t, loss, code, theta, X, D, model)
            if action != run.GO:
                break
            if progress is not None and code != STATUS_CONVERGED:
                progress.update(t, loss)
        if action == run.DONE:
            break
        if progress is not None:
            progress.logger.info(
                "%s: diverged at step %d, restarting with T_w = %d", progress.label, t, run.T_w
            )
    out = run.result(X, theta, D, model, lambda0)
    return out


# A batch of runs on one (X, y): the alpha x eta grid of a figure panel. The states are
# (k, d, B) arrays, batch innermost, so that the two products with the data per step are
# matrix-matrix products done by BLAS dgemm, G = X^T R (d, B) and R = X Beta - y (N, B), and the
# update is one loop over contiguous rows of length B that vectorizes across runs. Every run keeps
# its own step counter, warm-up, step size and stopping rule; dgemm sums in another order than
# the row loops of depth_step, so a batch member equals its one-run trajectory up to
# floating-point reordering.
DIAG_BATCH_MIN_B = 2


@numba.njit(cache=True)
def _batch_beta(P, uv, D, Beta):
    """Beta = u_p^D - u_m^D (depth) or u_p v_p - u_m v_m (uv), columns = runs."""
    d, B = Beta.shape
    for j in range(d):
        for b in range(B):
            if uv:
                Beta[j, b] = P[0, j, b] * P[1, j, b] - P[2, j, b] * P[3, j, b]
            else:
                Beta[j, b] = _ipow(P[0, j, b], D) - _ipow(P[1, j, b], D)


@numba.njit(cache=True)
def _batch_residual(X, y, Beta, R, loss):
    """R = X Beta - y (one dgemm) and loss[b] = ||R[:, b]||^2 / (2N)."""
    np.dot(X, Beta, R)
    N, B = R.shape
    for b in range(B):
        loss[b] = 0.0
    for i in range(N):
        yi = y[i]
        for b in range(B):
            r = R[i, b] - yi
            R[i, b] = r
            loss[b] += r * r
    for b in range(B):
        loss[b] /= 2.0 * N


@numba.njit(cache=True)
def diagonal_batch_steps(
    X, XT, y, P, uv, D, eta, T_w, t, t_stop, tol, t_min, budget, R, G, Beta, loss, code
):
    """GD on a batch of depth-D (uv False) or UV (uv True) runs sharing (X, y); P in place.

    P is (2, d, B) = (u_p, u_m) or (4, d, B) = (u_p, v_p, u_m, v_m); eta, T_w, t, t_stop, t_min
    are per run (t advanced in place). Each run follows depth_steps / uv_steps: L(t) at the
    start of step t, then the step with eta_t = eta min(1, (t+1)/T_w). Returns the number of
    steps made, at the first step where some run meets its stopping rule (code[b] >= 0, as
    depth_steps' status; -1 for the others) or after ``budget`` steps. On return loss[b] = L(t[b]).
    R (N, B), G (d, B), Beta (d, B) are work buffers.
    """
    N = X.shape[0]
    d, B = Beta.shape
    es = np.empty(B)
    _batch_beta(P, uv, D, Beta)
    _batch_residual(X, y, Beta, R, loss)
    n_steps = 0
    while True:
        stop = False
        for b in range(B):
            code[b] = _stop_status(loss[b], t[b], t_stop[b], tol, t_min[b])
            if code[b] >= 0:
                stop = True
        if stop or n_steps >= budget:
            return n_steps
        for b in range(B):
            # as depth_step: eta_t D first (exact for D = 2), the UV step has no factor D
            es[b] = _warmup_eta(eta[b], T_w[b], t[b])
            if not uv:
                es[b] = es[b] * D
        np.dot(XT, R, G)
        if uv:
            for j in range(d):
                for b in range(B):
                    s = es[b] * (G[j, b] / N)
                    up = P[0, j, b]
                    vp = P[1, j, b]
                    um = P[2, j, b]
                    vm = P[3, j, b]
                    up, vp = up - s * vp, vp - s * up
                    um, vm = um + s * vm, vm + s * um
                    P[0, j, b] = up
                    P[1, j, b] = vp
                    P[2, j, b] = um
                    P[3, j, b] = vm
                    Beta[j, b] = up * vp - um * vm
        else:
            for j in range(d):
                for b in range(B):
                    s = es[b] * (G[j, b] / N)
                    up = P[0, j, b]
                    um = P[1, j, b]
                    up = up - s * _ipow(up, D - 1)
                    um = um + s * _ipow(um, D - 1)
                    P[0, j, b] = up
                    P[1, j, b] = um
                    Beta[j, b] = _ipow(up, D) - _ipow(um, D)
        _batch_residual(X, y, Beta, R, loss)
        for b in range(B):
            t[b] += 1
        n_steps += 1


def _per_run(value, B: int, name: str, dtype=np.float64) -> np.ndarray:
    a = np.asarray(value, dtype=dtype)
    if a.ndim == 0:
        return np.full(B, a[()], dtype=dtype)
    if a.shape != (B,):
        raise ValueError(f"{name} must be a scalar or have shape ({B},), got {a.shape}")
    return a.copy()


def train_diagonal_nets(
    X,
    y,
    alpha,
    eta,
    *,
    D: int = 2,
    model: str = "depth",
    init_shape=None,
    T_w=None,
    warmup: tuple[int, float] = (MIN_WARMUP, WARMUP_FACTOR),
    tol: float = 1e-8,
    max_extra_steps: int = 2_000_000,
    kick_seed=0,
    per_decade: int = 20,
    max_retries: int = 2,
    progress=None,
) -> list[dict]:
    """train_diagonal_net for B runs on the same (X, y) in one batch; a list of B results.

    alpha, eta, T_w (None: each run's from ``warmup``) and kick_seed are scalars or length-B
    sequences;
    each run has its own warm-up, stopping rule, kicks (z from default_rng(SeedSequence([kick_seed,
    1])), so equal seeds give equal z as in separate calls) and restarts. A run that stops leaves
    the batch, the others go on. Results equal separate train_diagonal_net calls up to
    floating-point reordering (dgemm); a batch of one is a train_diagonal_net call. ``progress``
    gets the batch's largest step and every live run's loss between kernel segments.
    """
    X, XT, y, D, shape = _prepare(X, y, model, D, init_shape)
    alpha = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    eta = np.atleast_1d(np.asarray(eta, dtype=np.float64))
    if alpha.ndim != 1 or eta.ndim != 1:
        raise ValueError("alpha and eta must be scalars or 1-d sequences")
    B = max(alpha.size, eta.size)
    alpha = _per_run(alpha if alpha.size > 1 else alpha[0], B, "alpha")
    eta = _per_run(eta if eta.size > 1 else eta[0], B, "eta")
    if not np.all(eta > 0):
        raise ValueError(f"eta must be > 0, got {eta[~(eta > 0)][0]}")
    if isinstance(kick_seed, np.random.Generator):
        raise ValueError("kick_seed of a batch must be an int or a sequence of ints")
    seeds = _per_run(kick_seed, B, "kick_seed", np.int64)
    T_ws = [None] * B if T_w is None else list(_per_run(T_w, B, "T_w", np.int64))
    kw = dict(D=D, model=model, init_shape=shape, warmup=warmup, tol=tol,
              max_extra_steps=max_extra_steps, per_decade=per_decade,
              max_retries=max_retries)  # fmt: skip
    if B < DIAG_BATCH_MIN_B:
        T_w0 = None if T_ws[0] is None else int(T_ws[0])
        one = train_diagonal_net(
            X, y, alpha[0], eta[0], T_w=T_w0, kick_seed=int(seeds[0]), progress=progress, **kw
        )
        return [one]

    n, d = X.shape
    names = _PARAM_NAMES[model]
    runs, lambda0 = [], []
    for b in range(B):
        theta0 = tuple(float(alpha[b]) * shape for _ in names)
        T_w_b, lam0 = _warmup_length(X, y, theta0, D, model, eta[b], T_ws[b], warmup)
        lambda0.append(lam0)
        runs.append(_DiagRun(theta0, T_w_b, max_extra_steps, per_decade, eta[b], max_retries,
                             _kick_rng(seeds[b])))  # fmt: skip
    final: list = [None] * B
    live = list(range(B))
    P = np.stack([np.stack(runs[b].theta0, axis=0) for b in live], axis=-1)
    t = np.zeros(B, dtype=np.int64)
    uv = model == "uv"
    budget_all = np.iinfo(np.int64).max
    done_steps = 0
    while live:
        L = len(live)
        eta_l = eta[live].copy()
        T_w_l = np.array([runs[b].T_w for b in live], dtype=np.int64)
        t_stop = np.array([runs[b].t_stop for b in live], dtype=np.int64)
        t_min = np.array([runs[b].t_min for b in live], dtype=np.int64)
        R, G, Beta = np.empty((n, L)), np.empty((d, L)), np.empty((d, L))
        loss, code = np.empty(L), np.empty(L, dtype=np.int64)
        keep = list(range(L))
        while len(keep) == L:
            if progress is not None:
                progress.total_steps = max(runs[b].max_steps for b in live)
                budget = progress.next_stop(done_steps, budget_all) - done_steps
            else:
                budget = budget_all
            done_steps += diagonal_batch_steps(
                X, XT, y, P, uv, D, eta_l, T_w_l, t, t_stop, float(tol), t_min, budget,
                R, G, Beta, loss, code,
            )  # fmt: skip
            for c in np.flatnonzero(code >= 0):
                run, step = runs[live[c]], int(t[c])
                theta = tuple(P[i, :, c] for i in range(len(names)))
                action = run.on_stop(step, loss[c], code[c], theta, X, D, model)
                if action == run.DONE:
                    final[live[c]] = tuple(p.copy() for p in theta)
                    keep.remove(c)
                elif action == run.RESTART:
                    for i in range(len(names)):
                        P[i, :, c] = run.theta0[i]
                    t[c] = 0
                    T_w_l[c] = run.T_w
                    if progress is not None:
                        progress.logger.info(
                            "%s: run %d (alpha %g, eta %.4g) diverged at step %d, "
                            "restarting with T_w = %d",
                            progress.label, live[c], alpha[live[c]], eta[live[c]], step, run.T_w,
                        )  # fmt: skip
                t_stop[c] = run.t_stop
                t_min[c] = run.t_min
            if progress is not None:
                progress.update(int(t.max()), loss.copy())
        # a run left: the batch goes on with the others, packed contiguous
        P = np.ascontiguousarray(P[:, :, keep])
        t = t[keep].copy()
        live = [live[c] for c in keep]
    return [runs[b].result(X, final[b], D, model, lambda0[b]) for b in range(B)]


# ---------------------------------------------------------------------------------------------
# Ma & Fattahi (2022), "Blessing of depth": N-layer diagonal network theta = w_1 * ... * w_N
# (elementwise) on the l1 loss L(w) = (1/m) sum_j |<theta(w), x_j> - y_j|, trained by the
# sub-gradient method (Algorithm 1 with the sign of spec 003 section 11.1):
#     r = X theta - y,  q = X^T sign(r) / m,  w_a <- w_a - eta_t q * P_a,  P_a = prod_{b != a} w_b,
# all layers from the old w. sign(0) = 0. The mat-vecs reuse _residual_loss (rows of XT) and
# _gradient (rows of X) of the depth-D kernels above. A batch of B configurations that share the
# data (inits, alpha, step sizes) is one call; the batch is the outer index of W (B, N, d) so each
# configuration keeps the contiguous row loops of the single-run case.
# ---------------------------------------------------------------------------------------------

__all__ += [
    "SCHEDULES",
    "SUBGM_METRICS",
    "diagonal_product",
    "init_layers",
    "linear_grid",
    "population_subgm",
    "step_size",
    "subgm_diagonal",
    "subgm_diagonal_chunked",
    "subgm_diagonal_steps",
    "with_endpoint",
]

SCHEDULES = {"constant": 0, "piecewise": 1, "geometric": 2}
SUBGM_METRICS: tuple[str, ...] = (
    "train_loss",  # (1/m) sum |r_j|
    "err",  # ||theta - theta*||_2
    "support_err",  # ||theta_supp - theta*_supp||_2
    "offsupport_norm",  # ||theta off supp||_2
    "imbalance",  # b(t) = max_{a<b} ||w_a - w_b||_inf
    "imbalance_support",  # the same max restricted to supp theta*
    "imbalance_offsupport",  # ... and to its complement
    "topk_recovered",  # 1 if the k largest |theta_i| are exactly supp theta*, else 0
)
N_SUBGM_METRICS = len(SUBGM_METRICS)
W_DIVERGED = 1e6  # |w| above this (or NaN) flags the run as diverged (spec 003 section 3.4)


def with_endpoint(grid, T: int) -> np.ndarray:
    """grid (int) restricted to [0, T] with T appended: sorted, unique int64."""
    g = np.asarray(grid, dtype=np.int64)
    return np.unique(np.concatenate([g[(g >= 0) & (g <= T)], [int(T)]]))


def linear_grid(T: int, n: int = 200) -> np.ndarray:
    """About n+1 linearly spaced logging steps in [0, T], both ends included (geometric steps)."""
    if T < 0 or n < 1:
        raise ValueError(f"need T >= 0 and n >= 1, got T={T}, n={n}")
    return np.unique(np.round(np.linspace(0, T, n + 1)).astype(np.int64))


def init_layers(N: int, d: int, alpha: float, convention: str = "product", U=None) -> np.ndarray:
    """Initial layers W0 (N, d): c * U with c = alpha^(1/N) ("product") or alpha ("layer").

    U (N, d) is the variant-B shape (i.i.d. U[0.5, 1.5]); None means all ones (identical layers).
    Under "product" theta(0) = alpha * prod_a U_a, under "layer" alpha^N * prod_a U_a.
    """
    if int(N) != N or N < 1:
        raise ValueError(f"N must be an integer >= 1, got {N}")
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    if convention == "product":
        c = float(alpha) ** (1.0 / N)
    elif convention == "layer":
        c = float(alpha)
    else:
        raise ValueError(f"init convention must be 'product' or 'layer', got {convention!r}")
    shape = np.ones((int(N), int(d))) if U is None else np.asarray(U, dtype=np.float64)
    if shape.shape != (N, d):
        raise ValueError(f"U must have shape ({N}, {d}), got {shape.shape}")
    return np.ascontiguousarray(c * shape)


def diagonal_product(W) -> np.ndarray:
    """theta = prod_a W[..., a, :] for W (N, d) or (B, N, d)."""
    return np.prod(np.asarray(W, dtype=np.float64), axis=-2)


@numba.njit(cache=True)
def step_size(kind, eta0, rho, milestones, factor, t):
    """eta_t: constant eta0 (kind 0); eta0 * factor^#{milestones <= t} (kind 1); eta0 rho^t (2)."""
    if kind == 1:
        e = eta0
        for i in range(milestones.shape[0]):
            if milestones[i] <= t:
                e *= factor
        return e
    if kind == 2:
        return eta0 * rho**t
    return eta0


@numba.njit(cache=True)
def _subgm_layer_update(W, theta, q, eta_t, P):
    """w_a <- w_a - eta_t q * P_a for every a from the old layers; theta <- prod_a w_a.

    P (N,) is scratch. P_a is a direct product over b != a (N <= ~8), so no division by
    possibly-zero w_a. Returns max_a,i |w_a,i| after the update (NaN if any NaN).
    """
    N, d = W.shape
    wmax = 0.0
    for i in range(d):
        for a in range(N):
            p = 1.0
            for b in range(N):
                if b != a:
                    p *= W[b, i]
            P[a] = p
        g = eta_t * q[i]
        th = 1.0
        for a in range(N):
            w = W[a, i] - g * P[a]
            W[a, i] = w
            th *= w
            aw = abs(w)
            if not aw <= wmax:
                wmax = aw
        theta[i] = th
    return wmax


@numba.njit(cache=True)
def _l1_mean(r):
    s = 0.0
    for i in range(r.shape[0]):
        s += abs(r[i])
    return s / r.shape[0]


@numba.njit(cache=True)
def _sign_into(r, s):
    """s = sign(r) with sign(0) = 0."""
    for i in range(r.shape[0]):
        v = r[i]
        s[i] = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)


@numba.njit(cache=True)
def _err(theta, theta_star):
    e = 0.0
    for i in range(theta.shape[0]):
        z = theta[i] - theta_star[i]
        e += z * z
    return math.sqrt(e)


@numba.njit(cache=True)
def _subgm_metrics(loss, W, theta, theta_star, out):
    """Fill one row of SUBGM_METRICS; O(N^2 d), no allocation. The support is theta* != 0."""
    N, d = W.shape
    e_all = 0.0
    e_sup = 0.0
    off2 = 0.0
    imb_s = 0.0
    imb_o = 0.0
    min_sup = math.inf
    max_off = 0.0
    for i in range(d):
        z = theta[i] - theta_star[i]
        e_all += z * z
        imb = 0.0
        for a in range(N):
            for b in range(a + 1, N):
                v = abs(W[a, i] - W[b, i])
                if not v <= imb:
                    imb = v
        at = abs(theta[i])
        if theta_star[i] != 0.0:
            e_sup += z * z
            if not imb <= imb_s:
                imb_s = imb
            if at < min_sup:
                min_sup = at
        else:
            off2 += theta[i] * theta[i]
            if not imb <= imb_o:
                imb_o = imb
            if not at <= max_off:
                max_off = at
    out[0] = loss
    out[1] = math.sqrt(e_all)
    out[2] = math.sqrt(e_sup)
    out[3] = math.sqrt(off2)
    out[4] = max(imb_s, imb_o)
    out[5] = imb_s
    out[6] = imb_o
    out[7] = 1.0 if min_sup > max_off else 0.0


# From this batch size on, the products with X of all members are two dgemm per step on the
# (d, B) state (measured at d = 500, m = 300, N = 3: 40 against 62 us per member-step at B = 2,
# but 70 against 62 at B = 1); a single run keeps its own mat-vecs, the unrolled loops.
SUBGM_BLAS_MIN_B = 2


@numba.njit(cache=True)
def _subgm_init(X, XT, y, W, n_log):
    """Outputs, carried state and buffers of subgm_diagonal_steps at t = 0 (see there): metrics,
    status, err_min, t_min, t_hit, theta, r, Wk. From SUBGM_BLAS_MIN_B members on, theta is
    (d, B), r (m, B) and the layers Wk (N, d, B) (batch innermost, so that the products with X
    are matrix-matrix); below, theta is (B, d), r (B, m) and W itself is updated."""
    B, N, d = W.shape
    m = y.shape[0]
    cols = B >= SUBGM_BLAS_MIN_B
    metrics = np.full((B, n_log, N_SUBGM_METRICS), np.nan)
    status = np.full(B, STATUS_MAX_STEPS, dtype=np.int64)
    err_min = np.full(B, np.inf)
    t_min = np.zeros(B, dtype=np.int64)
    t_hit = np.full(B, -1, dtype=np.int64)
    if cols:
        theta = np.empty((d, B))
        r = np.empty((m, B))
        Wk = np.empty((N, d, B))
    else:
        theta = np.empty((B, d))
        r = np.empty((B, m))
        Wk = np.empty((1, 1, B))
    for b in range(B):
        for i in range(d):
            p = 1.0
            for a in range(N):
                w = W[b, a, i]
                p *= w
                if cols:
                    Wk[a, i, b] = w
            if cols:
                theta[i, b] = p
            else:
                theta[b, i] = p
        if not cols:
            _residual_loss(XT, y, theta[b], r[b])
        wmax = 0.0
        for a in range(N):
            for i in range(d):
                aw = abs(W[b, a, i])
                if not aw <= wmax:
                    wmax = aw
        if not wmax <= W_DIVERGED:
            status[b] = STATUS_DIVERGED
    if cols:
        for b in range(B):
            if status[b] == STATUS_DIVERGED:
                _subgm_freeze(W, Wk, theta, b, False)
        _subgm_residuals(X, theta, y, r, status)
    return metrics, status, err_min, t_min, t_hit, theta, r, Wk


@numba.njit(cache=True)
def _subgm_residuals(X, Theta, y, R, status):
    """R = X Theta - y for the columns of Theta (one dgemm); diverged members' columns zero."""
    np.dot(X, Theta, R)
    B = R.shape[1]
    for i in range(R.shape[0]):
        yi = y[i]
        for b in range(B):
            R[i, b] -= yi
    for b in range(B):
        if status[b] == STATUS_DIVERGED:
            for i in range(R.shape[0]):
                R[i, b] = 0.0


@numba.njit(cache=True)
def _subgm_freeze(W, Wk, Theta, b, store):
    """Zero diverged member b's working columns (after storing its layers in W if ``store``):
    the batched products of the others never see its non-finite values."""
    N, d, _ = Wk.shape
    for a in range(N):
        for i in range(d):
            if store:
                W[b, a, i] = Wk[a, i, b]
            Wk[a, i, b] = 0.0
    for i in range(d):
        Theta[i, b] = 0.0


@numba.njit(cache=True)
def _subgm_store(W, Wk, status):
    """Write the final layers of the members that did not diverge back to W (B, N, d)."""
    B, N, d = W.shape
    if B < SUBGM_BLAS_MIN_B:
        return
    for b in range(B):
        if status[b] == STATUS_DIVERGED:
            continue
        for a in range(N):
            for i in range(d):
                W[b, a, i] = Wk[a, i, b]


@numba.njit(cache=True)
def _record_err(e, t, b, err_hit, err_min, t_min, t_hit):
    """Running minimum of ||theta - theta*|| (with its step) and the first step at or below
    err_hit, of member b at step t; returns whether b has hit."""
    if e < err_min[b]:
        err_min[b] = e
        t_min[b] = t
    if t_hit[b] < 0 and e <= err_hit:
        t_hit[b] = t
    return t_hit[b] >= 0


@numba.njit(cache=True)
def _subgm_segment_cols(
    X,
    XT,
    y,
    theta_star,
    W,
    kind,
    eta0,
    rho,
    milestones,
    factor,
    T,
    log_steps,
    err_hit,
    stop_at_hit,
    metrics,
    status,
    err_min,
    t_min,
    t_hit,
    Theta,
    R,
    Wk,
    k,
    t,
    t_stop,
):
    """_subgm_segment from SUBGM_BLAS_MIN_B members on: the members are the columns of Theta
    (d, B), R (m, B) and Wk (N, d, B), both products with X are dgemm on all of them (no
    allocation per step), and a member that diverges is stored in W at once."""
    B, N, d = W.shape
    m = y.shape[0]
    n_log = log_steps.shape[0]
    Q = np.empty((d, B))
    P = np.empty((N, B))
    err = np.empty(B)
    et = np.empty(B)
    wmax = np.empty(B)
    cw = np.empty((N, d))
    cth = np.empty(d)
    cr = np.empty(m)
    while t < t_stop:
        while k < n_log and log_steps[k] < t:
            k += 1
        log_now = k < n_log and log_steps[k] == t
        all_hit = True
        # err = ||theta - theta*|| of every member, summed over i in the order of _err
        for b in range(B):
            err[b] = 0.0
        for i in range(d):
            ts = theta_star[i]
            for b in range(B):
                z = Theta[i, b] - ts
                err[b] += z * z
        for b in range(B):
            if status[b] == STATUS_DIVERGED:
                continue
            if not _record_err(math.sqrt(err[b]), t, b, err_hit, err_min, t_min, t_hit):
                all_hit = False
            if log_now:
                for a in range(N):
                    for i in range(d):
                        cw[a, i] = Wk[a, i, b]
                for i in range(d):
                    cth[i] = Theta[i, b]
                for i in range(m):
                    cr[i] = R[i, b]
                _subgm_metrics(_l1_mean(cr), cw, cth, theta_star, metrics[b, k])
        if log_now:
            k += 1
        if t >= T or (stop_at_hit and all_hit):
            return k, t, True
        # sign of the residuals in place (R is recomputed below), then Q = X^T sign(R)
        for i in range(m):
            for b in range(B):
                v = R[i, b]
                R[i, b] = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
        np.dot(XT, R, Q)
        for b in range(B):
            wmax[b] = 0.0
            if status[b] == STATUS_DIVERGED:
                et[b] = 0.0  # its zero columns then stay zero
            else:
                et[b] = step_size(kind, eta0[b], rho[b], milestones, factor, t)
        for i in range(d):
            for a in range(N):
                for b in range(B):
                    P[a, b] = 1.0
                for c in range(N):
                    if c != a:
                        for b in range(B):
                            P[a, b] *= Wk[c, i, b]
            for b in range(B):
                Theta[i, b] = 1.0
            for a in range(N):
                for b in range(B):
                    w = Wk[a, i, b] - (et[b] * (Q[i, b] / m)) * P[a, b]
                    Wk[a, i, b] = w
                    Theta[i, b] *= w
                    aw = abs(w)
                    if not aw <= wmax[b]:
                        wmax[b] = aw
        for b in range(B):
            if status[b] != STATUS_DIVERGED and not wmax[b] <= W_DIVERGED:
                status[b] = STATUS_DIVERGED
                _subgm_freeze(W, Wk, Theta, b, True)
        _subgm_residuals(X, Theta, y, R, status)
        t += 1
    return k, t, False


@numba.njit(cache=True)
def _subgm_segment_rows(
    X,
    XT,
    y,
    theta_star,
    W,
    kind,
    eta0,
    rho,
    milestones,
    factor,
    T,
    log_steps,
    err_hit,
    stop_at_hit,
    metrics,
    status,
    err_min,
    t_min,
    t_hit,
    theta,
    r,
    k,
    t,
    t_stop,
):
    """_subgm_segment for a batch below SUBGM_BLAS_MIN_B: the members are the rows of theta
    (B, d), r (B, m) and W (updated in place), each with its own mat-vecs."""
    B, N, d = W.shape
    m = y.shape[0]
    n_log = log_steps.shape[0]
    s = np.empty(m)
    q = np.empty(d)
    P = np.empty(N)
    while t < t_stop:
        while k < n_log and log_steps[k] < t:
            k += 1
        log_now = k < n_log and log_steps[k] == t
        all_hit = True
        for b in range(B):
            if status[b] == STATUS_DIVERGED:
                continue
            if not _record_err(_err(theta[b], theta_star), t, b, err_hit, err_min, t_min, t_hit):
                all_hit = False
            if log_now:
                _subgm_metrics(_l1_mean(r[b]), W[b], theta[b], theta_star, metrics[b, k])
        if log_now:
            k += 1
        if t >= T or (stop_at_hit and all_hit):
            return k, t, True
        for b in range(B):
            if status[b] == STATUS_DIVERGED:
                continue
            eta_t = step_size(kind, eta0[b], rho[b], milestones, factor, t)
            _sign_into(r[b], s)
            _gradient(X, s, q)
            wmax = _subgm_layer_update(W[b], theta[b], q, eta_t, P)
            if not wmax <= W_DIVERGED:
                status[b] = STATUS_DIVERGED
                continue
            _residual_loss(XT, y, theta[b], r[b])
        t += 1
    return k, t, False


@numba.njit(cache=True)
def _subgm_segment(
    X,
    XT,
    y,
    theta_star,
    W,
    kind,
    eta0,
    rho,
    milestones,
    factor,
    T,
    log_steps,
    err_hit,
    stop_at_hit,
    metrics,
    status,
    err_min,
    t_min,
    t_hit,
    theta,
    r,
    Wk,
    k,
    t,
    t_stop,
):
    """The loop of subgm_diagonal_steps from step t (grid pointer k) with its carried state
    (from _subgm_init), until the run ends or t reaches t_stop. Returns (k, t, done)."""
    if W.shape[0] >= SUBGM_BLAS_MIN_B:
        return _subgm_segment_cols(
            X, XT, y, theta_star, W, kind, eta0, rho, milestones, factor, T, log_steps, err_hit,
            stop_at_hit, metrics, status, err_min, t_min, t_hit, theta, r, Wk, k, t, t_stop,
        )  # fmt: skip
    return _subgm_segment_rows(
        X, XT, y, theta_star, W, kind, eta0, rho, milestones, factor, T, log_steps, err_hit,
        stop_at_hit, metrics, status, err_min, t_min, t_hit, theta, r, k, t, t_stop,
    )  # fmt: skip


@numba.njit(cache=True)
def subgm_diagonal_steps(
    X, XT, y, theta_star, W, kind, eta0, rho, milestones, factor, T, log_steps, err_hit, stop_at_hit
):
    """SubGM on a batch of N-layer diagonal networks that share (X, y); W (B, N, d) in place.

    Member b uses eta_t = step_size(kind, eta0[b], rho[b], milestones, factor, t). At every
    t = 0..T the state w^(t) is evaluated before its update: L(t), err(t) (exact running
    minimum err_min / t_min and first hitting time t_hit of err <= err_hit), and the metrics
    row if t is in log_steps (sorted). No update at t = T. A member whose |w| exceeds 1e6 or
    turns NaN is frozen with status STATUS_DIVERGED and logs NaN from then on. With
    stop_at_hit the run ends at the first t where every live member has hit (t_end < T).

    Returns (metrics (B, n_log, len(SUBGM_METRICS)), n_logged, status (B,), err_min (B,),
    t_min (B,), t_hit (B,) (-1 if never), t_end). Rows past n_logged are NaN.
    """
    metrics, status, err_min, t_min, t_hit, theta, r, Wk = _subgm_init(
        X, XT, y, W, log_steps.shape[0]
    )
    # the loop always ends at t = T, so one segment runs it all (int64 zeros, not literals:
    # the chunked driver uses the same compiled segment)
    zero = np.int64(0)
    k, t, _ = _subgm_segment(
        X, XT, y, theta_star, W, kind, eta0, rho, milestones, factor, T, log_steps, err_hit,
        stop_at_hit, metrics, status, err_min, t_min, t_hit, theta, r, Wk, zero, zero, T + 1,
    )  # fmt: skip
    _subgm_store(W, Wk, status)
    return metrics, k, status, err_min, t_min, t_hit, t


def subgm_diagonal_chunked(
    X,
    XT,
    y,
    theta_star,
    W,
    kind,
    eta0,
    rho,
    milestones,
    factor,
    T,
    log_steps,
    err_hit,
    stop_at_hit,
    progress,
):
    """subgm_diagonal_steps in segments sized by ``progress`` (a progress.Progress), reporting
    the training loss of the live members between them; the same results bit for bit."""
    metrics, status, err_min, t_min, t_hit, theta, r, Wk = _subgm_init(
        X, XT, y, W, log_steps.shape[0]
    )
    # the members are the columns of r from SUBGM_BLAS_MIN_B on, its rows below
    axis = 0 if W.shape[0] >= SUBGM_BLAS_MIN_B else 1
    k, t = 0, 0
    while True:
        k, t, done = _subgm_segment(
            X, XT, y, theta_star, W, kind, eta0, rho, milestones, factor, T, log_steps, err_hit,
            stop_at_hit, metrics, status, err_min, t_min, t_hit, theta, r, Wk, k, t,
            progress.next_stop(t, T + 1),
        )  # fmt: skip
        if done:
            _subgm_store(W, Wk, status)
            return metrics, k, status, err_min, t_min, t_hit, t
        progress.update(t, lambda: _live(np.mean(np.abs(r), axis=axis), status))


def _live(values, status):
    """values with NaN for the diverged members of a batch (progress lines)."""
    return np.where(status == STATUS_DIVERGED, np.nan, values)


def _per_member(v, B: int, name: str) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(B, float(a))
    if a.shape != (B,):
        raise ValueError(f"{name} must be a scalar or have shape ({B},), got {a.shape}")
    return np.ascontiguousarray(a)


def subgm_diagonal(
    X,
    y,
    theta_star,
    W0,
    T: int,
    *,
    schedule: str = "constant",
    eta=1e-3,
    rho=1.0,
    milestones=(),
    factor: float = 0.1,
    log_steps=None,
    err_hit: float = -1.0,
    stop_at_hit: bool = False,
    progress=None,
) -> dict:
    """SubGM on the l1 loss of the N-layer diagonal network from W0 (N, d) or a batch (B, N, d).

    schedule: "constant" (eta), "piecewise" (eta * factor^#{milestones <= t}, Fig. 3) or
    "geometric" (eta * rho^t, Fig. 4). eta and rho may differ per batch member. log_steps
    defaults to log_grid(T, 40) plus T. Returns steps (n,), metrics {name: (B, n) or (n,)},
    W (final layers), theta, status, err_min, t_min, t_hit (first t with err <= err_hit, -1 if
    never), t_end; a single W0 (N, d) gives unbatched arrays. With ``progress`` (a
    progress.Progress) the loop runs in segments and reports between them (same results).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    XT = np.ascontiguousarray(X.T)
    y = np.ascontiguousarray(y, dtype=np.float64)
    theta_star = np.ascontiguousarray(theta_star, dtype=np.float64)
    m, d = X.shape
    if y.shape != (m,) or theta_star.shape != (d,):
        raise ValueError(f"need y ({m},) and theta_star ({d},), got {y.shape}, {theta_star.shape}")
    W = np.array(W0, dtype=np.float64, order="C")
    single = W.ndim == 2
    if single:
        W = W[None]
    if W.ndim != 3 or W.shape[2] != d or W.shape[1] < 1:
        raise ValueError(f"W0 must have shape (N, {d}) or (B, N, {d}), got {np.shape(W0)}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {list(SCHEDULES)}, got {schedule!r}")
    T = int(T)
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}")
    B = W.shape[0]
    eta0 = _per_member(eta, B, "eta")
    rho_b = _per_member(rho, B, "rho")
    if not np.all(eta0 > 0):
        raise ValueError(f"eta must be > 0, got {eta}")
    ms = np.ascontiguousarray(np.sort(np.asarray(milestones, dtype=np.int64).reshape(-1)))
    grid = with_endpoint(log_grid(T, 40) if log_steps is None else log_steps, T)
    if progress is None:
        runner = subgm_diagonal_steps
    else:
        runner = functools.partial(subgm_diagonal_chunked, progress=progress)
    metrics, n_logged, status, err_min, t_min, t_hit, t_end = runner(
        X,
        XT,
        y,
        theta_star,
        W,
        SCHEDULES[schedule],
        eta0,
        rho_b,
        ms,
        float(factor),
        T,
        grid,
        float(err_hit),
        bool(stop_at_hit),
    )
    steps = grid[:n_logged]
    metrics = metrics[:, :n_logged]
    out = {
        "steps": steps,
        "metrics": {name: metrics[:, :, i] for i, name in enumerate(SUBGM_METRICS)},
        "W": W,
        "theta": diagonal_product(W),
        "status": status,
        "err_min": err_min,
        "t_min": t_min,
        "t_hit": t_hit,
        "t_end": int(t_end),
    }
    if single:
        for key in ("W", "theta", "status", "err_min", "t_min", "t_hit"):
            out[key] = out[key][0]
        out["metrics"] = {k: v[0] for k, v in out["metrics"].items()}
    return out


@numba.njit(cache=True)
def population_subgm(theta_star, W, xi_fn_p, xi_fn_sigma, eta, T, log_steps):
    """SubGM on the expected loss xi(s) ||theta(w) - theta*||, s = ||theta* - theta(w)|| (spec 3.6).

    w_a <- w_a + eta xi(s) (theta* - theta)/s * P_a with xi(s) = sqrt(2/pi) (1 - p + p s /
    sqrt(s^2 + sigma^2)) (Lemma 5, Gaussian outliers; p = xi_fn_p, sigma = xi_fn_sigma). W (N, d)
    in place. Returns err (n_log,) at log_steps (sorted, <= T), NaN where not reached.
    """
    N, d = W.shape
    n_log = log_steps.shape[0]
    out = np.full(n_log, np.nan)
    theta = np.empty(d)
    q = np.empty(d)
    P = np.empty(N)
    c = math.sqrt(2.0 / math.pi)
    for i in range(d):
        p = 1.0
        for a in range(N):
            p *= W[a, i]
        theta[i] = p
    k = 0
    for t in range(T + 1):
        s = _err(theta, theta_star)
        while k < n_log and log_steps[k] < t:
            k += 1
        if k < n_log and log_steps[k] == t:
            out[k] = s
            k += 1
        if t == T or s == 0.0:
            break
        xi = c * (1.0 - xi_fn_p + xi_fn_p * s / math.sqrt(s * s + xi_fn_sigma * xi_fn_sigma))
        # q = -xi (theta* - theta)/s so the generic update w_a - eta q P_a is the descent step
        for i in range(d):
            q[i] = -xi * (theta_star[i] - theta[i]) / s
        _subgm_layer_update(W, theta, q, eta, P)
    return out


# ------------------------------------------------------------------------------------------------
# Paper 004 (grokking beyond the Euclidean norm, spec 004.md sections 3.1-3.2): sparse recovery by
# (sub)gradient descent with l1 / l2 penalties, ISTA and projected subgradient (depth 1), and the
# depth-L diagonal network b = B_1 * ... * B_L. One kernel covers all of them; members of a batch
# share (X, y*) and carry their own (alpha, beta1, beta2).

__all__ += [
    "GROK_METHODS",
    "GROK_METRICS",
    "grok_diagonal",
    "grok_diagonal_chunked",
    "grok_diagonal_steps",
    "grok_log_grid",
    "grok_step_size",
]

GROK_METHODS = {"subgradient": 0, "ista": 1, "projected": 2}
GROK_METRICS: tuple[str, ...] = (
    "train_error",  # ||X b - y*||_2 / ||y*||_2
    "test_error",  # ||b - b*||_2 / ||b*||_2
    "l1_norm",  # ||b||_1 (complex pairs: sum of moduli)
    "l2_norm",  # ||b||_2
    "linf_norm",  # ||b||_inf (complex pairs: largest modulus)
    "u_support",  # ||b_I||_2, I = supp b*
    "v_offsupport",  # ||b_{I^c}||_2
    "grad_ratio",  # R = ||beta1 h(b)||_2 / ||G(b)||_2, h zeroed where |b_j| < h_zero
    "mae",  # ||b - b*||_1 / n (Fig. 1 right)
)
N_GROK_METRICS = len(GROK_METRICS)
B_DIVERGED = 1e12  # E_tr above this (or NaN) flags a member as diverged


def grok_log_grid(T: int, per_decade: int = 100, every: int = 1000, dense: int = 1000):
    """Spec 004 section 2.4: every t < dense, ~per_decade log-spaced steps, every `every` steps
    (0 = none), and T; sorted unique int64."""
    T = int(T)
    parts = [np.arange(min(dense, T + 1), dtype=np.int64), log_grid(T, per_decade)]
    if every > 0:
        parts.append(np.arange(0, T + 1, int(every), dtype=np.int64))
    return with_endpoint(np.concatenate(parts), T)


@numba.njit(cache=True)
def grok_step_size(alpha, decay_b, t):
    """alpha_t of update t = 0, 1, ... (the paper's step t + 1): alpha if decay_b < 0, else the
    square-summable schedule a / (decay_b + t + 1) with a = alpha (1 + decay_b), so alpha_0 = alpha
    (spec 3.1(a), Thm C.13)."""
    if decay_b < 0.0:
        return alpha
    return alpha * (1.0 + decay_b) / (decay_b + t + 1.0)


@numba.njit(cache=True)
def _sgn(x):
    """sign with sign(0) = 0 (spec 2.1, as PyTorch autograd)."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


@numba.njit(cache=True)
def _h_into(b, h, pairs, zero_below):
    """h = sign(b), entries with |b_j| < zero_below set to 0. With pairs, b = (Re, Im) halves of a
    complex vector and h is the complex sign b / |b| (spec 4.2 sinusoid)."""
    n = b.shape[0]
    if pairs:
        m = n // 2
        for j in range(m):
            mod = math.sqrt(b[j] * b[j] + b[j + m] * b[j + m])
            if mod > 0.0 and mod >= zero_below:
                h[j] = b[j] / mod
                h[j + m] = b[j + m] / mod
            else:
                h[j] = 0.0
                h[j + m] = 0.0
    else:
        for j in range(n):
            h[j] = _sgn(b[j]) if abs(b[j]) >= zero_below else 0.0


@numba.njit(cache=True)
def _xb_minus_y(XT, b, y, r):
    """r = X b - y from the rows of XT (n, N): axpy form, vectorised over the N samples."""
    n, N = XT.shape
    for i in range(N):
        r[i] = -y[i]
    for j in range(n):
        bj = b[j]
        if bj != 0.0:
            for i in range(N):
                r[i] += XT[j, i] * bj


@numba.njit(cache=True)
def _project_affine(XT, y, Pt, z, out, r):
    """out = z - P^T (X z - y): the projection of z onto {b : X b = y} (projected methods);
    r holds the residual X z - y. out may be z itself."""
    _xb_minus_y(XT, z, y, r)
    for j in range(z.shape[0]):
        out[j] = z[j]
    for i in range(r.shape[0]):
        c = r[i]
        for j in range(z.shape[0]):
            out[j] -= Pt[i, j] * c


@numba.njit(cache=True)
def _n_live(status):
    """Runs of a batch that have not diverged."""
    live = 0
    for m in range(status.shape[0]):
        if status[m] != STATUS_DIVERGED:
            live += 1
    return live


@numba.njit(cache=True)
def _grid_pointer(steps, k, t):
    """Advance k past the grid points below t; True if t itself is on the grid."""
    while k < steps.shape[0] and steps[k] < t:
        k += 1
    return k, k < steps.shape[0] and steps[k] == t


@numba.njit(cache=True)
def _track_errors(
    XT, y, b, b_star, r, ny, nb, bound, eps1, eps2, t, m, t1, t2, status, etr_min, ete_min
):
    """Residual r = X b - y, relative train/test errors and the first hits t1 (train <= eps1)
    and t2 (test <= eps2) of run m at step t. Returns (finite, E_tr, E_te); a train error
    above ``bound`` (or NaN) marks the run diverged."""
    _xb_minus_y(XT, b, y, r)
    s = 0.0
    for i in range(r.shape[0]):
        s += r[i] * r[i]
    etr = math.sqrt(s) / ny
    if not etr <= bound:
        status[m] = STATUS_DIVERGED
        return False, etr, math.nan
    s = 0.0
    for j in range(b.shape[0]):
        d = b[j] - b_star[j]
        s += d * d
    ete = math.sqrt(s) / nb
    _record_hits(etr, ete, t, m, eps1, eps2, t1, t2, status, etr_min, ete_min)
    return True, etr, ete


@numba.njit(cache=True)
def _record_hits(etr, ete, t, m, eps1, eps2, t1, t2, status, etr_min, ete_min):
    """Running minima of the relative errors of run m at step t and the first hits t1
    (train <= eps1) and t2 (test <= eps2, which marks the run converged)."""
    etr_min[m] = min(etr_min[m], etr)
    ete_min[m] = min(ete_min[m], ete)
    if t1[m] < 0 and etr <= eps1:
        t1[m] = t
    if t2[m] < 0 and ete <= eps2:
        t2[m] = t
        status[m] = STATUS_CONVERGED


@numba.njit(cache=True)
def _xt_r(X, r, g):
    """g = X^T r from the rows of X (N, n): axpy form, vectorised over the n coordinates."""
    N, n = X.shape
    for j in range(n):
        g[j] = 0.0
    for i in range(N):
        ri = r[i]
        for j in range(n):
            g[j] += X[i, j] * ri


@numba.njit(cache=True)
def _grok_metrics(b, b_star, support, r, g, h, beta1, beta2, pairs, h_zero, ny, nb, out):
    n = b.shape[0]
    s = 0.0
    for i in range(r.shape[0]):
        s += r[i] * r[i]
    out[0] = math.sqrt(s) / ny
    d2 = 0.0
    d1 = 0.0
    l1 = 0.0
    l2 = 0.0
    linf = 0.0
    u2 = 0.0
    v2 = 0.0
    gn = 0.0
    for j in range(n):
        bj = b[j]
        d = bj - b_star[j]
        d2 += d * d
        d1 += abs(d)
        l2 += bj * bj
        if support[j]:
            u2 += bj * bj
        else:
            v2 += bj * bj
        gj = g[j] + beta2 * bj
        gn += gj * gj
    if pairs:
        m = n // 2
        for j in range(m):
            mod = math.sqrt(b[j] * b[j] + b[j + m] * b[j + m])
            l1 += mod
            linf = max(linf, mod)
    else:
        for j in range(n):
            l1 += abs(b[j])
            linf = max(linf, abs(b[j]))
    _h_into(b, h, pairs, h_zero)
    hn = 0.0
    for j in range(n):
        hn += h[j] * h[j]
    out[1] = math.sqrt(d2) / nb
    out[2] = l1
    out[3] = math.sqrt(l2)
    out[4] = linf
    out[5] = math.sqrt(u2)
    out[6] = math.sqrt(v2)
    out[7] = beta1 * math.sqrt(hn) / math.sqrt(gn) if gn > 0.0 else np.inf
    out[8] = d1 / n


# From this batch size on, the products with X of all members are two dgemm per step on the
# (n, B) state; below it each member's mat-vecs are the axpy loops (faster for a few columns, and
# bit for bit the unbatched arithmetic).
GROK_BLAS_MIN_B = 4


@numba.njit(cache=True)
def _grok_init(y, b_star, W, n_log, n_snap):
    """Outputs and carried state of grok_diagonal_steps at t = 0: metrics, snaps, status, t1,
    t2, etr_min, ete_min, the iterates Bv and factors Wk, and the error scales ny, nb. From
    GROK_BLAS_MIN_B members on, Bv is (n, B) and Wk (L, n, B) for L > 1 (batch innermost, so
    that the products with X are matrix-matrix); below, Bv is (B, n) and W itself is updated."""
    Bm, L, n = W.shape
    cols = Bm >= GROK_BLAS_MIN_B
    N = y.shape[0]
    metrics = np.full((Bm, n_log, N_GROK_METRICS), np.nan)
    snaps = np.full((Bm, n_snap, n), np.nan)
    status = np.full(Bm, STATUS_MAX_STEPS, dtype=np.int64)
    t1 = np.full(Bm, -1, dtype=np.int64)
    t2 = np.full(Bm, -1, dtype=np.int64)
    etr_min = np.full(Bm, np.inf)
    ete_min = np.full(Bm, np.inf)
    Bv = np.empty((n, Bm)) if cols else np.empty((Bm, n))
    Wk = np.empty((L, n, Bm)) if cols and L > 1 else np.empty((1, 1, Bm))
    ny = 0.0
    for i in range(N):
        ny += y[i] * y[i]
    ny = math.sqrt(ny)
    nb = 0.0
    for j in range(n):
        nb += b_star[j] * b_star[j]
    nb = math.sqrt(nb)
    if ny == 0.0:  # y* = 0 (e.g. coherent rows off the support): report absolute errors
        ny = 1.0
    if nb == 0.0:
        nb = 1.0
    for m in range(Bm):
        for j in range(n):
            p = 1.0
            for k in range(L):
                w = W[m, k, j]
                p *= w
                if cols and L > 1:
                    Wk[k, j, m] = w
            if cols:
                Bv[j, m] = p
            else:
                Bv[m, j] = p
    return metrics, snaps, status, t1, t2, etr_min, ete_min, Bv, Wk, ny, nb


@numba.njit(cache=True)
def _grok_residuals(X, Z, y, R):
    """R = X Z - y for the columns of Z (one dgemm)."""
    np.dot(X, Z, R)
    for i in range(R.shape[0]):
        yi = y[i]
        for m in range(R.shape[1]):
            R[i, m] -= yi


@numba.njit(cache=True)
def _grok_freeze(W, Wk, Bv, R, G, m):
    """Store diverged member m's state in W and zero its working columns: the batched products
    of the others never see its non-finite values, and its zero updates stay finite."""
    L = W.shape[1]
    for i in range(R.shape[0]):
        R[i, m] = 0.0
    for j in range(Bv.shape[0]):
        for k in range(L):
            if L > 1:
                W[m, k, j] = Wk[k, j, m]
                Wk[k, j, m] = 0.0
            else:
                W[m, 0, j] = Bv[j, m]
        Bv[j, m] = 0.0
        G[j, m] = 0.0


@numba.njit(cache=True)
def _grok_update(X, y, PtT, Bv, Wk, G, Z, Rz, Q, at, beta1, beta2, method, pairs, old):
    """One update of every member in place from G = X^T (X b - y) (spec: grok_diagonal_steps);
    at[m] = alpha_t of member m, 0 for a diverged member, whose zero columns then stay zero."""
    n, Bm = Bv.shape
    L = Wk.shape[0] if Wk.shape[1] == n else 1
    half = n // 2
    if L > 1:
        for j in range(n):
            for m in range(Bm):
                a = at[m]
                b1 = beta1[m]
                b2 = beta2[m]
                for k in range(L):
                    old[k] = Wk[k, j, m]
                p = 1.0
                for k in range(L):
                    q = 1.0
                    for kk in range(L):
                        if kk != k:
                            q *= old[kk]
                    w = (1.0 - a * b2) * old[k] - a * G[j, m] * q - a * b1 * _sgn(old[k])
                    Wk[k, j, m] = w
                    p *= w
                Bv[j, m] = p
    elif method == 0:
        if pairs:
            for j in range(half):
                for m in range(Bm):
                    u = Bv[j, m]
                    v = Bv[j + half, m]
                    mod = math.sqrt(u * u + v * v)
                    hu = u / mod if mod > 0.0 else 0.0
                    hv = v / mod if mod > 0.0 else 0.0
                    a = at[m]
                    Bv[j, m] = u - a * (G[j, m] + beta2[m] * u + beta1[m] * hu)
                    Bv[j + half, m] = v - a * (G[j + half, m] + beta2[m] * v + beta1[m] * hv)
        else:
            for j in range(n):
                for m in range(Bm):
                    v = Bv[j, m]
                    Bv[j, m] = v - at[m] * (G[j, m] + beta2[m] * v + beta1[m] * _sgn(v))
    elif method == 1:
        if pairs:
            for j in range(half):
                for m in range(Bm):
                    a = at[m]
                    gam = a * beta1[m]
                    u = Bv[j, m]
                    v = Bv[j + half, m]
                    zu = u - a * (G[j, m] + beta2[m] * u)
                    zv = v - a * (G[j + half, m] + beta2[m] * v)
                    mod = math.sqrt(zu * zu + zv * zv)
                    f = (mod - gam) / mod if mod > gam else 0.0
                    Bv[j, m] = zu * f
                    Bv[j + half, m] = zv * f
        else:
            for j in range(n):
                for m in range(Bm):
                    a = at[m]
                    gam = a * beta1[m]
                    v = Bv[j, m]
                    z = v - a * (G[j, m] + beta2[m] * v)
                    az = abs(z)
                    Bv[j, m] = _sgn(z) * (az - gam) if az > gam else 0.0
    else:
        if pairs:
            for j in range(half):
                for m in range(Bm):
                    u = Bv[j, m]
                    v = Bv[j + half, m]
                    mod = math.sqrt(u * u + v * v)
                    hu = u / mod if mod > 0.0 else 0.0
                    hv = v / mod if mod > 0.0 else 0.0
                    c = at[m] * beta1[m]
                    Z[j, m] = u - c * hu
                    Z[j + half, m] = v - c * hv
        else:
            for j in range(n):
                for m in range(Bm):
                    v = Bv[j, m]
                    Z[j, m] = v - at[m] * beta1[m] * _sgn(v)
        _grok_residuals(X, Z, y, Rz)  # b = z - P^T (X z - y)
        np.dot(PtT, Rz, Q)
        for j in range(n):
            for m in range(Bm):
                Bv[j, m] = Z[j, m] - Q[j, m]


@numba.njit(cache=True)
def _grok_segment_cols(
    X,
    XT,
    y,
    b_star,
    support,
    W,
    alpha,
    beta1,
    beta2,
    method,
    decay_b,
    pairs,
    Pt,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    h_zero,
    stop_mult,
    metrics,
    snaps,
    status,
    t1,
    t2,
    etr_min,
    ete_min,
    Bv,
    Wk,
    ny,
    nb,
    k_log,
    k_snap,
    t,
    t_stop,
):
    """_grok_segment from GROK_BLAS_MIN_B members on: the members are the columns of Bv (n, B)
    and Wk (L, n, B), both products with X are dgemm on all of them (no allocation per step),
    and a member that diverges is stored in W at once."""
    Bm, L, n = W.shape
    N = y.shape[0]
    R = np.zeros((N, Bm))
    G = np.zeros((n, Bm))
    Z = np.empty((n, Bm)) if method == 2 else np.empty((1, 1))
    Rz = np.empty((N, Bm)) if method == 2 else np.empty((1, 1))
    Q = np.empty((n, Bm)) if method == 2 else np.empty((1, 1))
    PtT = np.ascontiguousarray(Pt.T)
    sr = np.empty(Bm)
    se = np.empty(Bm)
    at = np.empty(Bm)
    cb = np.empty(n)
    cr = np.empty(N)
    cg = np.empty(n)
    h = np.empty(n)
    old = np.empty(L)
    while t < t_stop:
        k_log, log_now = _grid_pointer(log_steps, k_log, t)
        k_snap, snap_now = _grid_pointer(snap_steps, k_snap, t)
        all_done = True
        last = t >= T
        _grok_residuals(X, Bv, y, R)
        # relative errors, first hits and running minima (as _track_errors, batch innermost)
        for m in range(Bm):
            sr[m] = 0.0
            se[m] = 0.0
        for i in range(N):
            for m in range(Bm):
                sr[m] += R[i, m] * R[i, m]
        for j in range(n):
            bs = b_star[j]
            for m in range(Bm):
                d = Bv[j, m] - bs
                se[m] += d * d
        for m in range(Bm):
            at[m] = 0.0
            if status[m] == STATUS_DIVERGED:
                continue
            etr = math.sqrt(sr[m]) / ny
            if not etr <= B_DIVERGED:
                status[m] = STATUS_DIVERGED
                _grok_freeze(W, Wk, Bv, R, G, m)
                continue
            ete = math.sqrt(se[m]) / nb
            _record_hits(etr, ete, t, m, eps1, eps2, t1, t2, status, etr_min, ete_min)
            if t2[m] < 0 or t < stop_mult * t2[m]:
                all_done = False
            at[m] = grok_step_size(alpha[m], decay_b, t)
        live = _n_live(status)
        need_g = log_now or (not last and (L > 1 or method != 2))
        if need_g and live > 0:
            np.dot(XT, R, G)
        if log_now or snap_now:
            for m in range(Bm):
                if status[m] == STATUS_DIVERGED:
                    continue
                for j in range(n):
                    cb[j] = Bv[j, m]
                if log_now:
                    for i in range(N):
                        cr[i] = R[i, m]
                    for j in range(n):
                        cg[j] = G[j, m]
                    _grok_metrics(
                        cb, b_star, support, cr, cg, h, beta1[m], beta2[m], pairs, h_zero, ny,
                        nb, metrics[m, k_log],
                    )  # fmt: skip
                if snap_now:
                    for j in range(n):
                        snaps[m, k_snap, j] = cb[j]
        if not last and live > 0:
            _grok_update(X, y, PtT, Bv, Wk, G, Z, Rz, Q, at, beta1, beta2, method, pairs, old)
            if method == 2:  # the projection moves zero columns onto {X b = y}
                for m in range(Bm):
                    if status[m] == STATUS_DIVERGED:
                        for j in range(n):
                            Bv[j, m] = 0.0
        if log_now:
            k_log += 1
        if snap_now:
            k_snap += 1
        if t >= T or live == 0 or (stop_mult > 0.0 and all_done):
            return k_log, k_snap, t, True
        t += 1
    return k_log, k_snap, t, False


@numba.njit(cache=True)
def _grok_segment_rows(
    X,
    XT,
    y,
    b_star,
    support,
    W,
    alpha,
    beta1,
    beta2,
    method,
    decay_b,
    pairs,
    Pt,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    h_zero,
    stop_mult,
    metrics,
    snaps,
    status,
    t1,
    t2,
    etr_min,
    ete_min,
    bvec,
    ny,
    nb,
    k_log,
    k_snap,
    t,
    t_stop,
):
    """_grok_segment for a batch below GROK_BLAS_MIN_B: the members are the rows of bvec (B, n)
    and of W (L > 1, updated in place), each with its own mat-vecs."""
    Bm, L, n = W.shape
    N = y.shape[0]
    r = np.empty(N)
    rz = np.empty(N)
    g = np.empty(n)
    h = np.empty(n)
    z = np.empty(n)
    old = np.empty(L)
    while t < t_stop:
        k_log, log_now = _grid_pointer(log_steps, k_log, t)
        k_snap, snap_now = _grid_pointer(snap_steps, k_snap, t)
        all_done = True
        last = t >= T
        for m in range(Bm):
            if status[m] == STATUS_DIVERGED:
                continue
            b = bvec[m]
            finite, etr, ete = _track_errors(
                XT,
                y,
                b,
                b_star,
                r,
                ny,
                nb,
                B_DIVERGED,
                eps1,
                eps2,
                t,
                m,
                t1,
                t2,
                status,
                etr_min,
                ete_min,
            )
            if not finite:
                continue
            if t2[m] < 0 or t < stop_mult * t2[m]:
                all_done = False
            need_g = log_now or (not last and (L > 1 or method != 2))
            if need_g:
                _xt_r(X, r, g)
            if log_now:
                row = metrics[m, k_log]
                _grok_metrics(
                    b, b_star, support, r, g, h, beta1[m], beta2[m], pairs, h_zero, ny, nb, row
                )
            if snap_now:
                for j in range(n):
                    snaps[m, k_snap, j] = b[j]
            if last:
                continue
            a = grok_step_size(alpha[m], decay_b, t)
            b1 = beta1[m]
            b2 = beta2[m]
            if L > 1:
                Wm = W[m]
                for j in range(n):
                    for k in range(L):
                        old[k] = Wm[k, j]
                    p = 1.0
                    for k in range(L):
                        q = 1.0
                        for kk in range(L):
                            if kk != k:
                                q *= old[kk]
                        w = (1.0 - a * b2) * old[k] - a * g[j] * q - a * b1 * _sgn(old[k])
                        Wm[k, j] = w
                        p *= w
                    b[j] = p
            elif method == 0:
                _h_into(b, h, pairs, 0.0)
                for j in range(n):
                    b[j] = b[j] - a * (g[j] + b2 * b[j] + b1 * h[j])
            elif method == 1:
                gam = a * b1
                for j in range(n):
                    z[j] = b[j] - a * (g[j] + b2 * b[j])
                if pairs:
                    half = n // 2
                    for j in range(half):
                        mod = math.sqrt(z[j] * z[j] + z[j + half] * z[j + half])
                        f = (mod - gam) / mod if mod > gam else 0.0
                        b[j] = z[j] * f
                        b[j + half] = z[j + half] * f
                else:
                    for j in range(n):
                        az = abs(z[j])
                        b[j] = _sgn(z[j]) * (az - gam) if az > gam else 0.0
            else:
                _h_into(b, h, pairs, 0.0)
                for j in range(n):
                    z[j] = b[j] - a * b1 * h[j]
                _project_affine(XT, y, Pt, z, b, rz)
        if log_now:
            k_log += 1
        if snap_now:
            k_snap += 1
        if t >= T or _n_live(status) == 0 or (stop_mult > 0.0 and all_done):
            return k_log, k_snap, t, True
        t += 1
    return k_log, k_snap, t, False


@numba.njit(cache=True)
def _grok_segment(
    X,
    XT,
    y,
    b_star,
    support,
    W,
    alpha,
    beta1,
    beta2,
    method,
    decay_b,
    pairs,
    Pt,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    h_zero,
    stop_mult,
    metrics,
    snaps,
    status,
    t1,
    t2,
    etr_min,
    ete_min,
    Bv,
    Wk,
    ny,
    nb,
    k_log,
    k_snap,
    t,
    t_stop,
):
    """The loop of grok_diagonal_steps from step t (grid pointers k_log, k_snap) with its
    carried state (from _grok_init), until the run ends or t reaches t_stop. Returns (k_log,
    k_snap, t, done)."""
    if W.shape[0] >= GROK_BLAS_MIN_B:
        return _grok_segment_cols(
            X, XT, y, b_star, support, W, alpha, beta1, beta2, method, decay_b, pairs, Pt, T,
            log_steps, snap_steps, eps1, eps2, h_zero, stop_mult, metrics, snaps, status, t1, t2,
            etr_min, ete_min, Bv, Wk, ny, nb, k_log, k_snap, t, t_stop,
        )  # fmt: skip
    return _grok_segment_rows(
        X, XT, y, b_star, support, W, alpha, beta1, beta2, method, decay_b, pairs, Pt, T,
        log_steps, snap_steps, eps1, eps2, h_zero, stop_mult, metrics, snaps, status, t1, t2,
        etr_min, ete_min, Bv, ny, nb, k_log, k_snap, t, t_stop,
    )  # fmt: skip


@numba.njit(cache=True)
def _grok_store(W, Wk, Bv, status):
    """Write the final state of the members that did not diverge back to W (B, L, n)."""
    Bm, L, n = W.shape
    if Bm < GROK_BLAS_MIN_B:
        if L == 1:  # the depth-1 state lives in bvec (B, n) during the run
            for m in range(Bm):
                for j in range(n):
                    W[m, 0, j] = Bv[m, j]
        return
    for m in range(Bm):
        if status[m] == STATUS_DIVERGED:
            continue
        for k in range(L):
            for j in range(n):
                W[m, k, j] = Wk[k, j, m] if L > 1 else Bv[j, m]


@numba.njit(cache=True)
def grok_diagonal_steps(
    X,
    XT,
    y,
    b_star,
    support,
    W,
    alpha,
    beta1,
    beta2,
    method,
    decay_b,
    pairs,
    Pt,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    h_zero,
    stop_mult,
):
    """Sparse recovery on W (B, L, n) in place, b = prod_k W[:, k]; members share (X, y*, b*).

    Update t (t = 0..T-1, the paper's step t+1; alpha_t = grok_step_size(alpha, decay_b, t)),
    with r = X b - y*, g = X^T r, h = sign (sign(0) = 0; complex sign with pairs):
      L = 1, method 0 (subgradient): b <- b - alpha_t (g + beta2 b + beta1 h(b))
      L = 1, method 1 (ISTA):        z = b - alpha_t (g + beta2 b); b <- S_{alpha_t beta1}(z)
      L = 1, method 2 (projected):   z = b - alpha_t beta1 h(b); b <- z - Pt^T (X z - y*),
                                     Pt = (X X^T)^{-1} X (N, n)
      L > 1 (subgradient, simultaneous in k, from the old factors):
        B_k <- (1 - alpha_t beta2) B_k - alpha_t g * prod_{m != k} B_m - alpha_t beta1 sign(B_k)
    At every t = 0..T the state is evaluated before its update: exact first steps t1 (E_tr <=
    eps1) and t2 (E_te <= eps2), running minima of E_tr / E_te, the GROK_METRICS row at t in
    log_steps and b at t in snap_steps (both sorted). A member with E_tr > 1e12 or NaN is frozen
    as STATUS_DIVERGED. With stop_mult > 0 the run ends at the first t where every live member
    has t2 >= 0 and t >= stop_mult * t2.

    Returns (metrics (B, n_log, N_GROK_METRICS), n_logged, snaps (B, n_snap, n), n_snapped,
    status (B,), t1 (B,), t2 (B,) (-1 if never), etr_min (B,), ete_min (B,), t_end).
    """
    n_log = log_steps.shape[0]
    metrics, snaps, status, t1, t2, etr_min, ete_min, Bv, Wk, ny, nb = _grok_init(
        y, b_star, W, n_log, snap_steps.shape[0]
    )
    # the loop always ends at t = T, so one segment runs it all (int64 zeros, not literals:
    # the chunked driver uses the same compiled segment)
    zero = np.int64(0)
    k_log, k_snap, t, _ = _grok_segment(
        X, XT, y, b_star, support, W, alpha, beta1, beta2, method, decay_b, pairs, Pt, T,
        log_steps, snap_steps, eps1, eps2, h_zero, stop_mult, metrics, snaps, status, t1, t2,
        etr_min, ete_min, Bv, Wk, ny, nb, zero, zero, zero, T + 1,
    )  # fmt: skip
    _grok_store(W, Wk, Bv, status)
    return metrics, k_log, snaps, k_snap, status, t1, t2, etr_min, ete_min, t


def _grok_train_errors(X, Bv, y, B):
    """||X b - y|| of every member from the carried state of either layout (progress lines)."""
    if B >= GROK_BLAS_MIN_B:
        return np.linalg.norm(X @ Bv - y[:, None], axis=0)
    return np.linalg.norm(Bv @ X.T - y, axis=1)


def grok_diagonal_chunked(
    X,
    XT,
    y,
    b_star,
    support,
    W,
    alpha,
    beta1,
    beta2,
    method,
    decay_b,
    pairs,
    Pt,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    h_zero,
    stop_mult,
    progress,
):
    """grok_diagonal_steps in segments sized by ``progress`` (a progress.Progress), reporting
    the train errors of the live members between them; the same results bit for bit."""
    metrics, snaps, status, t1, t2, etr_min, ete_min, Bv, Wk, ny, nb = _grok_init(
        y, b_star, W, log_steps.shape[0], snap_steps.shape[0]
    )
    k_log, k_snap, t = 0, 0, 0
    while True:
        k_log, k_snap, t, done = _grok_segment(
            X, XT, y, b_star, support, W, alpha, beta1, beta2, method, decay_b, pairs, Pt, T,
            log_steps, snap_steps, eps1, eps2, h_zero, stop_mult, metrics, snaps, status, t1,
            t2, etr_min, ete_min, Bv, Wk, ny, nb, k_log, k_snap, t, progress.next_stop(t, T + 1),
        )  # fmt: skip
        if done:
            break
        progress.update(t, lambda: _live(_grok_train_errors(X, Bv, y, W.shape[0]) / ny, status))
    _grok_store(W, Wk, Bv, status)
    return metrics, k_log, snaps, k_snap, status, t1, t2, etr_min, ete_min, t


def grok_diagonal(
    X,
    y,
    b_star,
    W0,
    T: int,
    *,
    alpha=0.1,
    beta1=1e-5,
    beta2=0.0,
    method: str = "subgradient",
    decay_b: float | None = None,
    pairs: bool = False,
    log_steps=None,
    snap_steps=None,
    eps1: float = 1e-3,
    eps2: float = 1e-3,
    h_zero: float = 1e-3,
    stop_mult: float = 0.0,
    progress=None,
) -> dict:
    """Run grok_diagonal_steps on X (N, n) = X~, y* (N,), b* (n,) from W0 (L, n) or (B, L, n).

    alpha, beta1, beta2: scalars or one value per member. method: "subgradient", "ista" or
    "projected" (the last two need L = 1; projected needs N <= n and X of full row rank).
    decay_b: None for a constant step, else alpha_t = alpha (1 + decay_b) / (decay_b + t + 1).
    pairs: b = (Re, Im) of a complex vector (n even), complex sign / modulus shrinkage.
    log_steps defaults to grok_log_grid(T), snap_steps to log_grid(T, 50) plus T (<= ~450 rows).
    Returns steps, metrics {name: (B, n_log) or (n_log,)}, snap_steps, snaps (B, n_snap, n), W,
    b (final), status, t1, t2 (-1 if never), etr_min, ete_min, t_end; a single W0 (L, n) gives
    unbatched arrays. With ``progress`` (a progress.Progress) the loop runs in segments and
    reports between them (same results).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    b_star = np.ascontiguousarray(b_star, dtype=np.float64)
    N, n = X.shape
    if y.shape != (N,) or b_star.shape != (n,):
        raise ValueError(f"need y ({N},) and b_star ({n},), got {y.shape}, {b_star.shape}")
    W = np.array(W0, dtype=np.float64, order="C")
    single = W.ndim == 2
    if single:
        W = W[None]
    if W.ndim != 3 or W.shape[2] != n or W.shape[1] < 1:
        raise ValueError(f"W0 must have shape (L, {n}) or (B, L, {n}), got {np.shape(W0)}")
    if method not in GROK_METHODS:
        raise ValueError(f"method must be one of {list(GROK_METHODS)}, got {method!r}")
    L = W.shape[1]
    if L > 1 and method != "subgradient":
        raise ValueError(f"depth L = {L} > 1 supports only method='subgradient'")
    if pairs and n % 2:
        raise ValueError(f"pairs=True needs an even n, got {n}")
    T = int(T)
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}")
    B = W.shape[0]
    a = _per_member(alpha, B, "alpha")
    b1 = _per_member(beta1, B, "beta1")
    b2 = _per_member(beta2, B, "beta2")
    if not (np.all(a > 0) and np.all(b1 >= 0) and np.all(b2 >= 0)):
        raise ValueError("need alpha > 0, beta1 >= 0 and beta2 >= 0")
    if method == "projected":
        if N > n:
            raise ValueError(f"projected subgradient needs N <= n, got N={N}, n={n}")
        Pt = np.ascontiguousarray(np.linalg.solve(X @ X.T, X))  # (X X^T)^{-1} X
    else:
        Pt = np.zeros((1, 1))
    support = np.ascontiguousarray(b_star != 0)
    grid = with_endpoint(grok_log_grid(T) if log_steps is None else log_steps, T)
    snap = with_endpoint(log_grid(T, 50) if snap_steps is None else snap_steps, T)
    if progress is None:
        runner = grok_diagonal_steps
    else:
        runner = functools.partial(grok_diagonal_chunked, progress=progress)
    metrics, n_log, snaps, n_snap, status, t1, t2, etr_min, ete_min, t_end = runner(
        X,
        np.ascontiguousarray(X.T),
        y,
        b_star,
        support,
        W,
        a,
        b1,
        b2,
        GROK_METHODS[method],
        -1.0 if decay_b is None else float(decay_b),
        bool(pairs),
        Pt,
        T,
        grid,
        snap,
        float(eps1),
        float(eps2),
        float(h_zero),
        float(stop_mult),
    )
    out = {
        "steps": grid[:n_log],
        "metrics": {name: metrics[:, :n_log, i] for i, name in enumerate(GROK_METRICS)},
        "snap_steps": snap[:n_snap],
        "snaps": snaps[:, :n_snap],
        "W": W,
        "b": diagonal_product(W),
        "status": status,
        "t1": t1,
        "t2": t2,
        "etr_min": etr_min,
        "ete_min": ete_min,
        "t_end": int(t_end),
    }
    if single:
        for key in ("snaps", "W", "b", "status", "t1", "t2", "etr_min", "ete_min"):
            out[key] = out[key][0]
        out["metrics"] = {k: v[0] for k, v in out["metrics"].items()}
    return out
