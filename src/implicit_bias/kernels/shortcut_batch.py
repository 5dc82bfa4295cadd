"""Batched GD on paper 000's model: B configurations sharing the data X in one call.

Model (as kernels.diagonal): beta = v + alpha (w*w - u*u), L = ||X beta - y||^2 / (2n),
r = X beta - y, g = X^T r / n, w <- w (1 - 2 eta alpha g), u <- u (1 + 2 eta alpha g),
v <- v - eta g if train_v. alpha, eta, eps and train_v may differ between members; each member
follows run_gd's stop rule and logging contract on its own.

Layout: batch outermost, states (B, d) C-contiguous. With the live members' residuals R (L, n)
and betas Beta (L, d) the two products per step are R @ X (gradients) and Beta @ X^T (residuals),
BLAS dgemm with the short batch dimension as rows. Measured with OpenBLAS (SkylakeX) at
(n, d, B) = (500, 10^4, 64), 2 threads: R @ X ~110-125 GFLOP/s and Beta @ X^T ~94-104 in this
layout, against 72-84 for the batch-innermost one ((d, B) states); square dgemm ~150-160.

Threading: the columns are cut into _PARTS fixed parts taken by Numba's threads, each calling
one-thread BLAS (the driver limits BLAS to one thread). Per part, block by block of columns, the
gradient block R @ X_blk and the update of those columns while it is in cache (beta into the
part's buffer), then the part's Beta_p @ X_p^T; the parts' residuals are summed in part order.
There is no handover between thread pools inside a step: with OpenBLAS threading the products
and the update between them, a step costs 217-231 us per configuration with a serial update and
~325 with a prange one (OpenBLAS's idle threads spin against Numba's), ~190 here. The split does
not depend on the thread count, so neither do the results. X is read through data.XT (d, n) only
(R @ X as R @ XT_blk.T): a reblocked copy of X would cost 23-31 ms per call, two steps of a batch
of 64. What is left is mostly BLAS: the two products alone take ~178 us per configuration-step
(OpenBLAS at these skinny shapes runs at ~75 % of square dgemm); the update adds 10-20 (it
streams W, U, V: 30 MB a step) and the logged metrics, fused into the same pass, ~5 on logged
steps.

Members that stop (converged, max_steps or diverged) leave the live list and the residual rows
are compacted, so the products shrink with the batch; their state rows are left as they were.
A non-finite member stops at its next loss evaluation and never mixes with the others (each
product row depends on its own member only). No fastmath: results repeat bit for bit and equal
run_gd's up to float64 reordering (its fused step sums in another order).
"""

from __future__ import annotations

import math
import operator

import numba
import numpy as np
import scipy.linalg.cython_blas  # noqa: F401  (Numba's np.dot calls this BLAS: load it before limiting)
from threadpoolctl import threadpool_limits

from implicit_bias.data import SparseRegression
from implicit_bias.kernels.diagonal import (
    METRICS,
    N_METRICS,
    _metrics_row,
    gd_stop_status,
    log_grid,
    metrics_from_sums,
)

__all__ = ["train_shortcut_nets"]

# Column parts (each with its own partial residual); fixed so that results do not depend on the
# number of threads.
_PARTS = 2
# Most columns per gradient block inside a part.
_BLOCK = 2048
# Lane sums of the logged metrics (see _metrics_partial): 32 or more vectorize fully.
_LANES = 64


@numba.njit(cache=True)
def _beta_row(w, u, v, alpha, out):
    """out = v + alpha (w^2 - u^2), the operations of diagonal_net_beta."""
    for j in range(w.shape[0]):
        out[j] = v[j] + alpha * (w[j] * w[j] - u[j] * u[j])


@numba.njit(cache=True)
def _metrics_partial(w, u, v, bs, alpha, ratio, n_sig, S, acc):
    """Add the sums and maxima of _metrics_row over one block of columns to acc (7,) =
    (test, q2, v2, v_support2, signal max, offsupport l1, offsupport max); the first n_sig columns
    are in the support. S (5, _LANES) is scratch.

    Without fastmath a loop-carried float sum does not vectorize, an elementwise update of lane
    sums does: the off-support columns go _LANES at a time into S (2.2 -> 1.0 ns per column), the
    lanes are added in order at the end (a reordering of the sums only). A member whose loss is
    finite has a finite state, so the NaN rule of _metrics_row's maxima does not arise here.
    """
    test = acc[0]
    q2 = acc[1]
    v2 = acc[2]
    vs2 = acc[3]
    sig = acc[4]
    for j in range(n_sig):
        q = alpha * (w[j] * w[j] - u[j] * u[j])
        e = (v[j] + q) - bs[j]
        test += e * e
        q2 += q * q
        v2 += v[j] * v[j]
        vs2 += v[j] * v[j]
        es = abs(ratio * v[j] + q - bs[j])
        if not es <= sig:
            sig = es
    nb = w.shape[0]
    n_rows = (nb - n_sig) // _LANES
    j1 = n_sig + n_rows * _LANES
    S[:] = 0.0
    w2 = w[n_sig:j1].reshape((n_rows, _LANES))
    u2 = u[n_sig:j1].reshape((n_rows, _LANES))
    v2_ = v[n_sig:j1].reshape((n_rows, _LANES))
    b2 = bs[n_sig:j1].reshape((n_rows, _LANES))
    lanes = S.shape[1]  # a run-time trip count, so that the lane loop is vectorized, not unrolled
    for r in range(n_rows):
        for k in range(lanes):
            q = alpha * (w2[r, k] * w2[r, k] - u2[r, k] * u2[r, k])
            e = (v2_[r, k] + q) - b2[r, k]
            S[0, k] += e * e
            S[1, k] += q * q
            S[2, k] += v2_[r, k] * v2_[r, k]
            aq = abs(q)
            S[3, k] += aq
            x = S[4, k]
            S[4, k] = aq if not aq <= x else x
    l1 = acc[5]
    off_max = acc[6]
    for k in range(lanes):
        test += S[0, k]
        q2 += S[1, k]
        v2 += S[2, k]
        l1 += S[3, k]
        if not S[4, k] <= off_max:
            off_max = S[4, k]
    for j in range(j1, nb):
        q = alpha * (w[j] * w[j] - u[j] * u[j])
        e = (v[j] + q) - bs[j]
        test += e * e
        q2 += q * q
        v2 += v[j] * v[j]
        aq = abs(q)
        l1 += aq
        if not aq <= off_max:
            off_max = aq
    acc[0] = test
    acc[1] = q2
    acc[2] = v2
    acc[3] = vs2
    acc[4] = sig
    acc[5] = l1
    acc[6] = off_max


@numba.njit(cache=True)
def _update_block(G, W, U, V, Be, slots, alpha, eta, train_v, n, j0, c0, beta_star, s, M, S,
                  log):  # fmt: skip
    """GD update of the columns j0.. j0 + G.shape[1] of every live member from its gradient block
    G (L, width); the new beta goes to columns j0 - c0.. of the part's buffer Be. If log, the
    metrics of the old state are first added to M[i] (see _metrics_partial).

    Unit-stride slices of each row: with them the update loop vectorizes (1.5x faster)."""
    nb = G.shape[1]
    j1 = j0 + nb
    ratio = W.shape[1] / n
    n_sig = min(max(s - j0, 0), nb)
    for i in range(G.shape[0]):
        m = slots[i]
        a = alpha[m]
        e = eta[m]
        c = 2.0 * e * a
        gi = G[i]
        bi = Be[i, j0 - c0 : j1 - c0]
        wm = W[m, j0:j1]
        um = U[m, j0:j1]
        vm = V[m, j0:j1]
        if log:
            _metrics_partial(wm, um, vm, beta_star[j0:j1], a, ratio, n_sig, S, M[i])
        if train_v[m]:
            for j in range(nb):
                g = gi[j] / n
                w = wm[j] * (1.0 - c * g)
                u = um[j] * (1.0 + c * g)
                v = vm[j] - e * g
                wm[j] = w
                um[j] = u
                vm[j] = v
                bi[j] = v + a * (w * w - u * u)
        else:
            for j in range(nb):
                g = gi[j] / n
                w = wm[j] * (1.0 - c * g)
                u = um[j] * (1.0 + c * g)
                wm[j] = w
                um[j] = u
                bi[j] = vm[j] + a * (w * w - u * u)


@numba.njit(cache=True, parallel=True)
def _parts_pass(XT, R, L, slots, W, U, V, alpha, eta, train_v, beta_star, s, block, bounds,
                Gbuf, Bbuf, Pbuf, Mbuf, Sbuf, log):  # fmt: skip
    """One GD step of the live members, the column parts in parallel: per block of columns the
    gradient block R X_blk (one dgemm) and its update, then the part's X_p beta_p (one dgemm)
    into Pbuf[p]. If log, Mbuf[p, i] gets part p's metric sums of slot i (old state)."""
    n = XT.shape[1]
    Rl = R[:L]
    for p in numba.prange(bounds.shape[0] - 1):
        c0 = bounds[p]
        c1 = bounds[p + 1]
        Be = Bbuf[p, : L * (c1 - c0)].reshape((L, c1 - c0))
        M = Mbuf[p]
        if log:
            M[:L] = 0.0
        for j0 in range(c0, c1, block):
            j1 = min(j0 + block, c1)
            G = Gbuf[p, : L * (j1 - j0)].reshape((L, j1 - j0))
            np.dot(Rl, XT[j0:j1].T, G)
            _update_block(G, W, U, V, Be, slots, alpha, eta, train_v, n, j0, c0, beta_star, s, M,
                          Sbuf[p], log)  # fmt: skip
        Pp = Pbuf[p, : L * n].reshape((L, n))
        if c1 > c0:
            np.dot(Be, XT[c0:c1], Pp)
        else:
            Pp[:] = 0.0


@numba.njit(cache=True, parallel=True)
def _log_rows(todo, t, W, U, V, Bout, alpha, beta_star, s, n, loss, steps, metrics, n_logged):
    """Last metrics row (step t, _metrics_row) of each member in todo; Bout[m] gets its beta."""
    for q in numba.prange(todo.shape[0]):
        m = todo[q]
        _beta_row(W[m], U[m], V[m], alpha[m], Bout[m])
        k = n_logged[m]
        steps[m, k] = t
        _metrics_row(loss[m], Bout[m], beta_star, W[m], U[m], V[m], alpha[m], s, n, metrics[m, k])
        n_logged[m] = k + 1


@numba.njit(cache=True)
def _segment(
    XT,
    y,
    beta_star,
    s,
    W,
    U,
    V,
    Bout,
    alpha,
    eta,
    train_v,
    tol,
    max_steps,
    log_steps,
    block,
    bounds,
    slots,
    R,
    Gbuf,
    Bbuf,
    Pbuf,
    Mbuf,
    Sbuf,
    todo,
    steps,
    metrics,
    n_logged,
    t_end,
    status,
    loss,
    t,
    k,
    L,
    t_stop,
):
    """The batch loop from step t (L live members, slots[:L]) until none is live or t = t_stop.

    On entry Pbuf[p, i] holds part p's X beta of slot i. Returns (t, k, L).
    """
    d, n = XT.shape
    P = bounds.shape[0] - 1
    n_grid = log_steps.shape[0]
    while t < t_stop and L > 0:
        # run_gd's stop rule on L(t), for every live member
        n_stop = 0
        for i in range(L):
            m = slots[i]
            acc = 0.0
            off = i * n
            for q in range(n):
                r = Pbuf[0, off + q]
                for p in range(1, P):
                    r += Pbuf[p, off + q]
                r -= y[q]
                R[i, q] = r
                acc += r * r
            lm = acc / (2.0 * n)
            loss[m] = lm
            st = gd_stop_status(lm, tol, t, max_steps)
            if st >= 0:
                status[m] = st
                t_end[m] = t
                n_stop += 1
        while k < n_grid and log_steps[k] < t:
            k += 1
        on_grid = k < n_grid and log_steps[k] == t
        if on_grid:
            k += 1
        if n_stop > 0:
            n_todo = 0
            live = 0
            for i in range(L):
                m = slots[i]
                if status[m] >= 0:
                    todo[n_todo] = m
                    n_todo += 1
                else:
                    if live != i:
                        slots[live] = m
                        R[live] = R[i]
                    live += 1
            _log_rows(
                todo[:n_todo], t, W, U, V, Bout, alpha, beta_star, s, n, loss, steps, metrics,
                n_logged,
            )  # fmt: skip
            L = live
            if L == 0:
                break
        _parts_pass(XT, R, L, slots, W, U, V, alpha, eta, train_v, beta_star, s, block, bounds,
                    Gbuf, Bbuf, Pbuf, Mbuf, Sbuf, on_grid)  # fmt: skip
        if on_grid:
            # the grid row at t of the members that go on, from the pass's partial sums
            for i in range(L):
                m = slots[i]
                row = metrics[m, n_logged[m]]
                acc = Mbuf[0, i]
                test = acc[0]
                q2 = acc[1]
                v2 = acc[2]
                vs2 = acc[3]
                sig = acc[4]
                off_l1 = acc[5]
                off_max = acc[6]
                for p in range(1, P):
                    acc = Mbuf[p, i]
                    test += acc[0]
                    q2 += acc[1]
                    v2 += acc[2]
                    vs2 += acc[3]
                    if not acc[4] <= sig:
                        sig = acc[4]
                    off_l1 += acc[5]
                    if not acc[6] <= off_max:
                        off_max = acc[6]
                metrics_from_sums(loss[m], test, q2, v2, vs2, sig, off_l1, off_max, row)
                steps[m, n_logged[m]] = t
                n_logged[m] += 1
        t += 1
    return t, k, L


def _member_values(name, value, B, dtype):
    """value as a length-B array (a scalar or a length-1 array is broadcast)."""
    a = np.asarray(value)
    if a.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    if a.ndim == 1 and a.size not in (1, B):
        raise ValueError(f"{name} has {a.size} values for a batch of {B}")
    if dtype is np.bool_:
        if a.dtype != np.bool_ and not (
            np.issubdtype(a.dtype, np.integer) and np.all((a == 0) | (a == 1))
        ):
            raise ValueError(f"{name} must be boolean, got {a.dtype} values {a.ravel()[:4]}")
        return np.ascontiguousarray(np.broadcast_to(a.astype(np.bool_), (B,)))
    try:
        out = np.ascontiguousarray(np.broadcast_to(a.astype(np.float64), (B,)))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric, got {a.dtype}") from err
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite, got {out[~np.isfinite(out)][:4]}")
    return out


def _batch_size(**values) -> int:
    sizes = {k: np.size(v) for k, v in values.items() if np.ndim(v) == 1 and np.size(v) != 1}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"batch arguments have different lengths: {sizes}")
    return next(iter(sizes.values()), 1)


def _part_bounds(d: int) -> np.ndarray:
    """Column bounds of the parts: equal widths rounded to multiples of 8 (aligned rows)."""
    b = [min(d, ((p * d) // _PARTS + 7) // 8 * 8) for p in range(_PARTS)] + [d]
    b[0] = 0
    return np.array(b, dtype=np.int64)


def _block_cols(width: int) -> int:
    """Columns per gradient block: the part split into blocks of at most _BLOCK, equal widths
    rounded up to a multiple of 8."""
    nb = -(-width // _BLOCK)
    return max(8, (-(-width // nb) + 7) // 8 * 8)


def train_shortcut_nets(
    data: SparseRegression,
    alpha,
    eta,
    eps,
    tol: float,
    max_steps: int,
    train_v=True,
    per_decade: int = 50,
    progress=None,
) -> list[dict]:
    """train_shortcut_net for a batch: one result per member, same keys and meaning.

    alpha, eta, eps and train_v are scalars or length-B arrays (broadcast); every member starts
    from v = 0, w = u = eps and stops on its own. The returned w, u, v and beta of the members are
    rows of shared (B, d) arrays. With ``progress`` (a progress.Progress) the loop runs in
    segments and reports between them (the loss of each run, NaN once stopped); the results are
    the same bit for bit.
    """
    XT = data.XT
    if not isinstance(XT, np.ndarray) or XT.ndim != 2:
        raise ValueError("data.XT must be a 2-D array (d, n)")
    if XT.dtype != np.float64 or not XT.flags.c_contiguous:
        raise ValueError("data.XT must be a C-contiguous float64 array")
    d, n = XT.shape
    if d < 1 or n < 1:
        raise ValueError(f"data.XT must be non-empty, got shape {XT.shape}")
    y = np.ascontiguousarray(data.y, dtype=np.float64)
    beta_star = np.ascontiguousarray(data.beta_star, dtype=np.float64)
    if y.shape != (n,):
        raise ValueError(f"data.y must have shape ({n},), got {y.shape}")
    if beta_star.shape != (d,):
        raise ValueError(f"data.beta_star must have shape ({d},), got {beta_star.shape}")
    s = int(data.s)
    B = _batch_size(alpha=alpha, eta=eta, eps=eps, train_v=train_v)
    alpha = _member_values("alpha", alpha, B, np.float64)
    eta = _member_values("eta", eta, B, np.float64)
    eps = _member_values("eps", eps, B, np.float64)
    train_v = _member_values("train_v", train_v, B, np.bool_)
    tol = float(tol)
    if math.isnan(tol):
        raise ValueError("tol must not be NaN")
    try:
        max_steps = operator.index(max_steps)
    except TypeError as err:
        raise ValueError(f"max_steps must be an integer, got {max_steps!r}") from err
    if max_steps < 0:
        raise ValueError(f"max_steps must be >= 0, got {max_steps}")
    grid = log_grid(max_steps, per_decade)

    # every buffer is written here once: first touches of fresh pages inside the parallel kernel
    # cost ~1 ms per MB on the 2-core test VM (a first step 2-2.5x slower), in NumPy 0.15-0.3
    W = np.repeat(eps[:, None], d, axis=1)
    U = W.copy()
    V = np.full((B, d), 0.0)
    Bout = np.full((B, d), np.nan)
    bounds = _part_bounds(d)
    width = int(np.max(np.diff(bounds)))
    block = _block_cols(width)
    slots = np.arange(B, dtype=np.int64)
    R = np.full((B, n), 0.0)
    Gbuf = np.full((_PARTS, B * block), 0.0)
    Bbuf = np.full((_PARTS, B * width), 0.0)
    # beta = 0 at the start (w = u), so X beta = 0 without a product
    Pbuf = np.full((_PARTS, B * n), 0.0)
    Mbuf = np.full((_PARTS, B, 7), 0.0)
    Sbuf = np.full((_PARTS, 5, _LANES), 0.0)
    todo = np.empty(B, dtype=np.int64)
    steps = np.empty((B, grid.size + 1), dtype=np.int64)
    metrics = np.empty((B, grid.size + 1, N_METRICS))
    n_logged = np.zeros(B, dtype=np.int64)
    t_end = np.zeros(B, dtype=np.int64)
    status = np.full(B, -1, dtype=np.int64)
    loss = np.full(B, np.nan)
    args = (XT, y, beta_star, s, W, U, V, Bout, alpha, eta, train_v, tol, max_steps, grid, block,
            bounds, slots, R, Gbuf, Bbuf, Pbuf, Mbuf, Sbuf, todo, steps, metrics, n_logged, t_end,
            status, loss)  # fmt: skip
    t, k, L = 0, 0, B
    with threadpool_limits(limits=1, user_api="blas"):
        if progress is None:
            t, k, L = _segment(*args, t, k, L, max_steps + 1)
        else:
            while True:
                t_stop = progress.next_stop(t, max_steps + 1)
                t, k, L = _segment(*args, t, k, L, t_stop)
                if L == 0:
                    break
                progress.update(t, lambda: np.where(status < 0, loss, np.nan))
    out = []
    for m in range(B):
        nl = int(n_logged[m])
        out.append(
            {
                "steps": steps[m, :nl].copy(),
                "metrics": {name: metrics[m, :nl, i].copy() for i, name in enumerate(METRICS)},
                "beta": Bout[m],
                "w": W[m],
                "u": U[m],
                "v": V[m],
                "t_end": int(t_end[m]),
                "status": int(status[m]),
            }
        )
    return out
