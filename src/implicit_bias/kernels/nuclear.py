"""Matrix completion / sensing with a nuclear-norm penalty (paper 004, spec 004.md section 3.3).

f(A) = 1/2 ||X vec(A) - y*||^2 + beta2/2 ||A||_F^2 + beta_* ||A||_*, vec column-major, with a
dense measurement operator X (N, n1 n2): completion rows are one-hot, sensing rows are
X2_k (x) X1_k. With G(A) = unvec(X^T (X vec A - y*)) + beta2 A and h(A) = U V^T (pairs with
sigma_i < sv_floor dropped, the analogue of sign(0) = 0), update t uses alpha_t (see
diagonal.grok_step_size) and
  subgradient (0): A <- A - alpha_t (G(A) + beta_* h(A))                       one SVD of A
  proximal / SVT (1): Z = A - alpha_t G(A); A <- U max(Sigma - alpha_t beta_*, 0) V^T   SVD of Z
  projected (2): Z = A - alpha_t beta_* h(A); A <- Z - unvec(Pt^T (X vec Z - y*)),
                 Pt = (X X^T)^{-1} X; for completion this resets the observed entries.

The whole loop runs in Numba; the SVD is LAPACK gesdd through np.linalg.svd and dominates the
step at 10 x 10 (the two mat-vecs with the 100-column X cost well under a microsecond). The
state is vec(A), so the C-ordered view vec(A).reshape(n2, n1) is A^T: every operation used here
(SVD, U V^T, singular-value shrinkage) commutes with transposition.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from .diagonal import (
    STATUS_DIVERGED,
    STATUS_MAX_STEPS,
    _grid_pointer,
    _live,
    _n_live,
    _project_affine,
    _track_errors,
    _xt_r,
    grok_log_grid,
    grok_step_size,
    log_grid,
    with_endpoint,
)

__all__ = [
    "NUCLEAR_METHODS",
    "NUCLEAR_METRICS",
    "nuclear_chunked",
    "nuclear_gd",
    "nuclear_steps",
    "nuclear_subgradient",
    "svt",
    "unvec",
    "vec",
]

NUCLEAR_METHODS = {"subgradient": 0, "svt": 1, "projected": 2}
NUCLEAR_METRICS: tuple[str, ...] = (
    "train_error",  # ||X vec A - y*|| / ||y*||
    "test_error",  # ||A - A*||_F / ||A*||_F
    "nuclear_norm",  # ||A||_*
    "fro_norm",  # ||A||_F
    "grad_ratio",  # ||beta_* U V^T||_F / ||G(A)||_F
    "nuclear_error",  # ||A - A*||_* / sqrt(n1 n2) (Fig. 5 right)
)
N_NUCLEAR_METRICS = len(NUCLEAR_METRICS)
A_DIVERGED = 1e12


def vec(A) -> np.ndarray:
    """Column-major vec: vec(A)[j n1 + i] = A[i, j]."""
    return np.asarray(A, dtype=np.float64).ravel(order="F")


def unvec(a, n1: int, n2: int) -> np.ndarray:
    return np.asarray(a).reshape((n1, n2), order="F")


def nuclear_subgradient(A, sv_floor: float = 1e-12) -> np.ndarray:
    """h(A) = U V^T over the singular pairs with sigma_i >= sv_floor (NumPy reference)."""
    U, s, Vt = np.linalg.svd(np.asarray(A, dtype=np.float64), full_matrices=False)
    keep = s >= sv_floor
    return U[:, keep] @ Vt[keep]


def svt(Z, gamma: float) -> np.ndarray:
    """Singular-value soft threshold U max(Sigma - gamma, 0) V^T (NumPy reference)."""
    U, s, Vt = np.linalg.svd(np.asarray(Z, dtype=np.float64), full_matrices=False)
    return (U * np.maximum(s - gamma, 0.0)[None, :]) @ Vt


@numba.njit(cache=True)
def _uvt_into(U, s, Vt, floor, out):
    """out (flat, rows of U times cols of Vt) = sum over sigma_l >= floor of U[:, l] Vt[l]."""
    p, k = U.shape
    q = Vt.shape[1]
    for i in range(p * q):
        out[i] = 0.0
    kept = 0
    for l in range(k):
        if s[l] >= floor:
            kept += 1
            for i in range(p):
                u = U[i, l]
                for j in range(q):
                    out[i * q + j] += u * Vt[l, j]
    return kept


@numba.njit(cache=True)
def _nuclear_init(y, a_star, Bm, n, k, n_log, n_snap):
    """Outputs and carried state of nuclear_steps at t = 0: metrics, svs, snaps, status, t1,
    t2, etr_min, ete_min and the error scales ny, na."""
    metrics = np.full((Bm, n_log, N_NUCLEAR_METRICS), np.nan)
    svs = np.full((Bm, n_log, k), np.nan)
    snaps = np.full((Bm, n_snap, n), np.nan)
    status = np.full(Bm, STATUS_MAX_STEPS, dtype=np.int64)
    t1 = np.full(Bm, -1, dtype=np.int64)
    t2 = np.full(Bm, -1, dtype=np.int64)
    etr_min = np.full(Bm, np.inf)
    ete_min = np.full(Bm, np.inf)
    ny = math.sqrt(np.sum(y * y))
    na = math.sqrt(np.sum(a_star * a_star))
    ny = ny if ny > 0.0 else 1.0  # y* = 0: report absolute errors
    na = na if na > 0.0 else 1.0
    return metrics, svs, snaps, status, t1, t2, etr_min, ete_min, ny, na


@numba.njit(cache=True)
def _nuclear_segment(
    X,
    XT,
    y,
    a_star,
    Pt,
    Avec,
    n1,
    n2,
    alpha,
    beta_nuc,
    beta2,
    method,
    decay_b,
    sv_floor,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    stop_mult,
    metrics,
    svs,
    snaps,
    status,
    t1,
    t2,
    etr_min,
    ete_min,
    ny,
    na,
    k_log,
    k_snap,
    t,
    t_stop,
):
    """The loop of nuclear_steps from step t (grid pointers k_log, k_snap) with its carried
    state, until the run ends or t reaches t_stop. Returns (k_log, k_snap, t, done)."""
    Bm, n = Avec.shape
    N = y.shape[0]
    k = min(n1, n2)
    r = np.empty(N)
    g = np.empty(n)
    h = np.empty(n)
    z = np.empty(n)
    dvec = np.empty(n)
    while t < t_stop:
        k_log, log_now = _grid_pointer(log_steps, k_log, t)
        k_snap, snap_now = _grid_pointer(snap_steps, k_snap, t)
        all_done = True
        last = t >= T
        for m in range(Bm):
            if status[m] == STATUS_DIVERGED:
                continue
            a = Avec[m]
            finite, etr, ete = _track_errors(
                XT,
                y,
                a,
                a_star,
                r,
                ny,
                na,
                A_DIVERGED,
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
            if snap_now:
                for j in range(n):
                    snaps[m, k_snap, j] = a[j]
            if last and not log_now:
                continue
            if method != 2 or log_now:
                _xt_r(X, r, g)
            kept = 0
            if method != 1 or log_now:
                U, s, Vt = np.linalg.svd(a.reshape((n2, n1)), full_matrices=False)
                kept = _uvt_into(U, s, Vt, sv_floor, h)
            if log_now:
                row = metrics[m, k_log]
                row[0] = etr
                row[1] = ete
                nuc = 0.0
                for l in range(k):
                    nuc += s[l]
                    svs[m, k_log, l] = s[l]
                row[2] = nuc
                fro = 0.0
                gn = 0.0
                for j in range(n):
                    fro += a[j] * a[j]
                    gj = g[j] + beta2[m] * a[j]
                    gn += gj * gj
                row[3] = math.sqrt(fro)
                hn = beta_nuc[m] * math.sqrt(kept)
                row[4] = hn / math.sqrt(gn) if gn > 0.0 else np.inf
                for j in range(n):
                    dvec[j] = a[j] - a_star[j]
                sd = np.linalg.svd(dvec.reshape((n2, n1)), False)[1]
                row[5] = np.sum(sd) / math.sqrt(n1 * n2)
            if last:
                continue
            al = grok_step_size(alpha[m], decay_b, t)
            bn = beta_nuc[m]
            b2 = beta2[m]
            if method == 0:
                for j in range(n):
                    a[j] = a[j] - al * (g[j] + b2 * a[j] + bn * h[j])
            elif method == 1:
                for j in range(n):
                    z[j] = a[j] - al * (g[j] + b2 * a[j])
                U, s, Vt = np.linalg.svd(z.reshape((n2, n1)), full_matrices=False)
                gam = al * bn
                for j in range(n):
                    a[j] = 0.0
                q = Vt.shape[1]
                for l in range(k):
                    sl = s[l] - gam
                    if sl > 0.0:
                        for i in range(U.shape[0]):
                            u = U[i, l] * sl
                            for j in range(q):
                                a[i * q + j] += u * Vt[l, j]
            else:
                for j in range(n):
                    z[j] = a[j] - al * bn * h[j]
                _project_affine(XT, y, Pt, z, a, r)
        if log_now:
            k_log += 1
        if snap_now:
            k_snap += 1
        if t >= T or _n_live(status) == 0 or (stop_mult > 0.0 and all_done):
            return k_log, k_snap, t, True
        t += 1
    return k_log, k_snap, t, False


@numba.njit(cache=True)
def nuclear_steps(
    X,
    XT,
    y,
    a_star,
    Pt,
    Avec,
    n1,
    n2,
    alpha,
    beta_nuc,
    beta2,
    method,
    decay_b,
    sv_floor,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    stop_mult,
):
    """Batch of members Avec (B, n1 n2) (column-major vec) in place, sharing (X, y*, A*).

    At every t = 0..T the state is evaluated before its update (as grok_diagonal_steps): exact
    first steps t1 (E_tr <= eps1) and t2 (E_te <= eps2), running minima, NUCLEAR_METRICS and all
    singular values at t in log_steps, vec(A) at t in snap_steps. Divergence (E_tr > 1e12 or
    NaN) freezes a member; stop_mult > 0 ends the run once every live member has t >= stop_mult t2.

    Returns (metrics (B, n_log, 6), sv (B, n_log, min(n1, n2)), n_logged, snaps (B, n_snap,
    n1 n2), n_snapped, status, t1, t2, etr_min, ete_min, t_end).
    """
    Bm, n = Avec.shape
    metrics, svs, snaps, status, t1, t2, etr_min, ete_min, ny, na = _nuclear_init(
        y, a_star, Bm, n, min(n1, n2), log_steps.shape[0], snap_steps.shape[0]
    )
    # the loop always ends at t = T, so one segment runs it all (int64 zeros, not literals:
    # the chunked driver uses the same compiled segment)
    zero = np.int64(0)
    k_log, k_snap, t, _ = _nuclear_segment(
        X, XT, y, a_star, Pt, Avec, n1, n2, alpha, beta_nuc, beta2, method, decay_b, sv_floor, T,
        log_steps, snap_steps, eps1, eps2, stop_mult, metrics, svs, snaps, status, t1, t2,
        etr_min, ete_min, ny, na, zero, zero, zero, T + 1,
    )  # fmt: skip
    return metrics, svs, k_log, snaps, k_snap, status, t1, t2, etr_min, ete_min, t


def nuclear_chunked(
    X,
    XT,
    y,
    a_star,
    Pt,
    Avec,
    n1,
    n2,
    alpha,
    beta_nuc,
    beta2,
    method,
    decay_b,
    sv_floor,
    T,
    log_steps,
    snap_steps,
    eps1,
    eps2,
    stop_mult,
    progress,
):
    """nuclear_steps in segments sized by ``progress`` (a progress.Progress), reporting the
    train errors of the live members between them; the same results bit for bit."""
    Bm, n = Avec.shape
    metrics, svs, snaps, status, t1, t2, etr_min, ete_min, ny, na = _nuclear_init(
        y, a_star, Bm, n, min(n1, n2), log_steps.shape[0], snap_steps.shape[0]
    )
    k_log, k_snap, t = 0, 0, 0
    while True:
        k_log, k_snap, t, done = _nuclear_segment(
            X, XT, y, a_star, Pt, Avec, n1, n2, alpha, beta_nuc, beta2, method, decay_b,
            sv_floor, T, log_steps, snap_steps, eps1, eps2, stop_mult, metrics, svs, snaps,
            status, t1, t2, etr_min, ete_min, ny, na, k_log, k_snap, t,
            progress.next_stop(t, T + 1),
        )  # fmt: skip
        if done:
            return metrics, svs, k_log, snaps, k_snap, status, t1, t2, etr_min, ete_min, t
        progress.update(t, lambda: _live(np.linalg.norm(Avec @ XT - y, axis=1) / ny, status))


def _per_member(v, B: int, name: str) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(B, float(a))
    if a.shape != (B,):
        raise ValueError(f"{name} must be a scalar or have shape ({B},), got {a.shape}")
    return np.ascontiguousarray(a)


def nuclear_gd(
    X,
    y,
    A_star,
    A0,
    T: int,
    *,
    alpha=0.1,
    beta_nuc=1e-4,
    beta2=0.0,
    method: str = "subgradient",
    decay_b: float | None = None,
    sv_floor: float = 1e-12,
    log_steps=None,
    snap_steps=None,
    eps1: float = 1e-3,
    eps2: float = 1e-3,
    stop_mult: float = 0.0,
    progress=None,
) -> dict:
    """Run nuclear_steps from A0 (n1, n2) or a batch (B, n1, n2); X (N, n1 n2) acts on the
    column-major vec (datasets.matrix_problem builds it). alpha, beta_nuc, beta2 are scalars or
    per member. log_steps defaults to grok_log_grid(T, every=10_000) (spec 2.4, matrices),
    snap_steps to log_grid(T, 20) plus T.

    Returns steps, metrics {name: (B, n_log)}, sv (B, n_log, min(n1, n2)) descending, snap_steps,
    snaps (B, n_snap, n1, n2), A (B, n1, n2) final, status, t1, t2 (-1 if never), etr_min,
    ete_min, t_end; a single A0 gives unbatched arrays. With ``progress`` (a progress.Progress)
    the loop runs in segments and reports between them (same results)."""
    A_star = np.asarray(A_star, dtype=np.float64)
    n1, n2 = A_star.shape
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    N = y.shape[0]
    if X.shape != (N, n1 * n2):
        raise ValueError(f"X must have shape ({N}, {n1 * n2}), got {X.shape}")
    A0 = np.asarray(A0, dtype=np.float64)
    single = A0.ndim == 2
    A = A0[None] if single else A0
    if A.shape[1:] != (n1, n2):
        raise ValueError(f"A0 must have shape ({n1}, {n2}) or (B, {n1}, {n2}), got {A0.shape}")
    if method not in NUCLEAR_METHODS:
        raise ValueError(f"method must be one of {list(NUCLEAR_METHODS)}, got {method!r}")
    T = int(T)
    if T < 0:
        raise ValueError(f"T must be >= 0, got {T}")
    B = A.shape[0]
    Avec = np.ascontiguousarray(A.transpose(0, 2, 1).reshape(B, n1 * n2))
    a = _per_member(alpha, B, "alpha")
    bn = _per_member(beta_nuc, B, "beta_nuc")
    b2 = _per_member(beta2, B, "beta2")
    if not (np.all(a > 0) and np.all(bn >= 0) and np.all(b2 >= 0)):
        raise ValueError("need alpha > 0, beta_nuc >= 0 and beta2 >= 0")
    if method == "projected":
        Pt = np.ascontiguousarray(np.linalg.solve(X @ X.T, X))
    else:
        Pt = np.zeros((1, 1))
    grid = with_endpoint(grok_log_grid(T, every=10_000) if log_steps is None else log_steps, T)
    snap = with_endpoint(log_grid(T, 20) if snap_steps is None else snap_steps, T)
    if progress is None:
        runner = nuclear_steps
    else:
        runner = functools.partial(nuclear_chunked, progress=progress)
    metrics, sv, n_log, snaps, n_snap, status, t1, t2, etr_min, ete_min, t_end = runner(
        X,
        np.ascontiguousarray(X.T),
        y,
        vec(A_star),
        Pt,
        Avec,
        n1,
        n2,
        a,
        bn,
        b2,
        NUCLEAR_METHODS[method],
        -1.0 if decay_b is None else float(decay_b),
        float(sv_floor),
        T,
        grid,
        snap,
        float(eps1),
        float(eps2),
        float(stop_mult),
    )
    out = {
        "steps": grid[:n_log],
        "metrics": {name: metrics[:, :n_log, i] for i, name in enumerate(NUCLEAR_METRICS)},
        "sv": sv[:, :n_log],
        "snap_steps": snap[:n_snap],
        "snaps": snaps[:, :n_snap].reshape(B, n_snap, n2, n1).transpose(0, 1, 3, 2),
        "A": Avec.reshape(B, n2, n1).transpose(0, 2, 1).copy(),
        "status": status,
        "t1": t1,
        "t2": t2,
        "etr_min": etr_min,
        "ete_min": ete_min,
        "t_end": int(t_end),
    }
    if single:
        for key in ("sv", "snaps", "A", "status", "t1", "t2", "etr_min", "ete_min"):
            out[key] = out[key][0]
        out["metrics"] = {k: v[0] for k, v in out["metrics"].items()}
    return out
