"""Gradient methods for over-parameterized matrix sensing (Li, Ma & Zhang, COLT 2018).

Measurements are stored packed (spec 002 section 3.2): row i of G (m, D), D = d(d+1)/2, is
svec(sym(A_i)) with svec(X) = [X_kk ; sqrt(2) X_kl (k < l)], so that for symmetric X
    <A_i, X> = G_i . svec(X)   and   M(Q) = (1/m) sum_i <A_i, Q> A_i = smat(G^T G svec(Q) / m).

Factorized GD (eq. (1)-(2)) on f(U) = 1/(2m) sum_i (y_i - <A_i, UU^T>)^2 with a full d x d U:
    U <- U - c eta M(UU^T - X*) U,   c = 2 for the exact gradient ("true"), 1 for eq. (5) ("eq5").
Several initializations alpha that share one G run as a batch: one pass over G per step gives
the residuals R = S G^T (S = stacked svec(U_k U_k^T)) and the gradients R G of all K runs, in
row blocks that stay in cache between their two BLAS products (_sweep), so G is read from memory
once per step for the whole batch instead of twice per run.

Also here: projected GD on X with PSD projection (section 2.3), and SGD / full GD for the
quadratic-activation network y = ||U^T x||^2, i.e. rank-one measurements A_i = x_i x_i^T
(section 2.4). Every driver logs the metrics of section 2.5 on a given step grid; a run whose
iterate stops being finite ends with STATUS_DIVERGED instead of raising.
"""

from __future__ import annotations

import contextlib
import functools
import math

import numba
import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = [
    "CONVENTIONS",
    "METRICS",
    "STATUS_CONVERGED",
    "STATUS_DIVERGED",
    "STATUS_MAX_STEPS",
    "diagnostics",
    "measure",
    "nn_gd_step",
    "nn_sgd_steps",
    "operator_M",
    "pgd_step",
    "proj_psd",
    "run_nn_gd",
    "run_nn_sgd",
    "run_pgd",
    "run_sensing_gd",
    "run_sensing_sgd",
    "sensing_gd_step",
    "smat",
    "svec",
    "svec_index",
]

# Same codes as implicit_bias.store.STATUS_CODES.
STATUS_CONVERGED, STATUS_MAX_STEPS, STATUS_DIVERGED = 0, 1, 2

# Factor c in U <- U - c eta M U: the exact gradient of eq. (1) is 2 M U; eq. (5) drops the 2.
CONVENTIONS = {"true": 2.0, "eq5": 1.0}

METRICS: tuple[str, ...] = (
    "train_error",  # ||A(X) - y|| / ||y||
    "test_error",  # ||X - X*||_F / ||X*||_F
    "loss",  # f = (1/2m) sum_i res_i^2
    "trace",  # tr X = ||U||_F^2
    "perp_error",  # ||P X P||_F, P = I - Q Q^T the complement of span(X*)
    "E_norm",  # ||P U|| (spectral) = sqrt(lambda_max(P X P))
    "E_fro",  # ||P U||_F = sqrt(tr(P X P))
    "signal_smin",  # sigma_min(Q^T U) = sqrt(lambda_min(Q^T X Q))
    "eig_tail_sum",  # sum of the eigenvalues of X below the logged top ones
    "pop_risk",  # relative population risk of the quadratic network, x ~ N(0, I)
)
N_METRICS = len(METRICS)

# Residuals this large are treated as divergence before they overflow to inf.
_HUGE = 1e100


# ------------------------------------------------------------------------------ packed symmetric
@functools.lru_cache(maxsize=16)
def svec_index(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column indices of the upper triangle (row-major) and the svec weights 1 / sqrt 2."""
    i, j = np.triu_indices(int(d))
    w = np.where(i == j, 1.0, math.sqrt(2.0))
    for a in (i, j, w):
        a.setflags(write=False)
    return i, j, w


def svec(X: np.ndarray) -> np.ndarray:
    """Packed upper triangle of a symmetric (..., d, d) array: (..., D), off-diagonals * sqrt 2."""
    i, j, w = svec_index(X.shape[-1])
    return X[..., i, j] * w


def smat(g: np.ndarray, d: int) -> np.ndarray:
    """Inverse of svec: (..., D) -> symmetric (..., d, d)."""
    i, j, w = svec_index(d)
    v = g / w
    S = np.zeros((*g.shape[:-1], d, d), dtype=np.float64)
    S[..., i, j] = v
    S[..., j, i] = v
    return S


def measure(G: np.ndarray, X: np.ndarray) -> np.ndarray:
    """A(X) = (<A_i, X>)_i for symmetric X (d, d); float64, whatever G's dtype."""
    s = svec(X).astype(G.dtype, copy=False)
    return (G @ s).astype(np.float64, copy=False)


def operator_M(G: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """M(Q) = (1/m) sum_i <A_i, Q> A_i for symmetric Q, as two BLAS products with G."""
    m = G.shape[0]
    r = measure(G, Q)
    return smat((r.astype(G.dtype, copy=False) @ G).astype(np.float64) / m, Q.shape[-1])


# ------------------------------------------------------------------------------ factorized GD step
# Rows of G per block of the one-pass residual/gradient sweep: a 16-row block (16 D values)
# stays in L1/L2 between its two products. The block loop is jitted: at d = 100, m = 2500, K = 8
# on one BLAS thread, two whole-G products are 1.3x (float32) to 1.7x (float64) slower and blocks
# of 32-64 rows 2-2.7x slower (OpenBLAS is inefficient at these skinny shapes).
_BLOCK = 16
# The blocks are split into _LANES contiguous runs, each with its own gradient accumulator, summed
# in lane order at the end: Numba threads take the lanes (1.0x on one thread, 2.0x on two: 27 ->
# 55 GFLOP/s at the sizes above, where letting OpenBLAS thread the blocks gains nothing), and the
# result is the same bit for bit whatever the thread count.
_LANES = 2


@numba.njit(cache=True, parallel=True)
def _sweep_blocks(G, y, St, R, g, block):
    """Body of _sweep: fills R (m, K) and g (K, D) block by block (see _sweep)."""
    m, D = G.shape
    K = St.shape[1]
    n_blocks = (m + block - 1) // block
    acc = np.empty((_LANES, K, D), G.dtype)
    for lane in numba.prange(_LANES):
        P = np.empty((block, K), G.dtype)
        Rc = np.empty((K, block), G.dtype)
        gi = np.empty((K, D), G.dtype)
        a = acc[lane]
        a[:] = 0
        for blk in range(lane * n_blocks // _LANES, (lane + 1) * n_blocks // _LANES):
            i0 = blk * block
            b = min(block, m - i0)
            Gi = G[i0 : i0 + b]
            Pb = P[:b]
            np.dot(Gi, St, Pb)
            Rt = Rc if b == block else np.empty((K, b), G.dtype)
            for i in range(b):
                for k in range(K):
                    # residual in float64, rounded to G's dtype for the gradient product
                    v = np.float64(Pb[i, k]) - y[i0 + i]
                    R[i0 + i, k] = v
                    Rt[k, i] = v
            np.dot(Rt, Gi, gi)
            a += gi
    for k in range(K):
        for c in range(D):
            s = acc[0, k, c]
            for lane in range(1, _LANES):
                s += acc[lane, k, c]
            g[k, c] = s


@functools.cache
def _threadpools() -> ThreadpoolController:
    return ThreadpoolController()


@contextlib.contextmanager
def _lanes_on_numba_threads():
    """BLAS on one thread while the sweep's lanes run on several Numba threads.

    OpenBLAS threads keep spinning after a threaded call (the small U U^T and M U products) and
    then take the cores from the lanes: 15.0 ms per step at K = 8 on two threads against 8.6 ms
    with BLAS on one (measured at the sizes above).
    """
    if numba.get_num_threads() <= 1:
        yield
        return
    with _threadpools().limit(limits=1, user_api="blas"):
        yield


def _sweep(G: np.ndarray, y: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Residuals R = S G^T - y (K, m) and unnormalized gradients g = R G (K, D) of a batch of
    packed symmetric iterates S (K, D), in one pass over G.

    Row block i of G gives its residuals R_i = G_i s_k - y_i and adds R_i G_i to g while the
    block is in cache, so G is read from memory once per step for the whole batch. S is cast
    to G's dtype, never G to S's (G32 @ S64 would copy all of G on every call).
    """
    G = np.ascontiguousarray(G)
    St = np.ascontiguousarray(S.T, dtype=G.dtype)  # (D, K)
    K, (m, D) = S.shape[0], G.shape
    R = np.empty((m, K))  # returned as R.T: the row layout the logged norms are taken on
    g = np.empty((K, D), dtype=G.dtype)
    if K and m:
        _sweep_blocks(G, np.ascontiguousarray(y, dtype=np.float64), St, R, g, _BLOCK)
    else:
        g[:] = 0
    return R.T, g


def _residuals(
    G: np.ndarray, y: np.ndarray, U: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a batch U (K, d, d): X_k = U_k U_k^T, R_k = A(X_k) - y and g_k = R_k G (see _sweep)."""
    X = U @ np.swapaxes(U, -1, -2)
    R, g = _sweep(G, y, svec(X))
    return X, R, g


def _descend(U: np.ndarray, g: np.ndarray, m: int, step: float) -> np.ndarray:
    """U_k - step * M_k U_k with M_k = smat(g_k / m)."""
    return U - step * (smat(g.astype(np.float64, copy=False) / m, U.shape[-1]) @ U)


def sensing_gd_step(
    U: np.ndarray, G: np.ndarray, y: np.ndarray, eta: float, convention: str = "true"
) -> np.ndarray:
    """One GD step U <- U - c eta M(UU^T - X*) U; U is (d, d) or a batch (K, d, d)."""
    c = CONVENTIONS[convention]
    Ub = U[None] if U.ndim == 2 else U
    with _lanes_on_numba_threads():
        _, _, g = _residuals(G, y, Ub)
        out = _descend(Ub, g, G.shape[0], c * eta)
    return out[0] if U.ndim == 2 else out


# ------------------------------------------------------------------------------ metrics
def diagnostics(
    X: np.ndarray, res: np.ndarray, y: np.ndarray, Xstar: np.ndarray, Q: np.ndarray, n_eig: int
) -> tuple[np.ndarray, np.ndarray]:
    """METRICS and the top n_eig eigenvalues of X (descending) for one symmetric iterate X.

    res = A(X) - y over the training set; Q (d, r) is an orthonormal basis of span(X*).
    """
    out = np.empty(N_METRICS)
    Xs_fro = np.linalg.norm(Xstar)
    delta = X - Xstar
    out[0] = np.linalg.norm(res) / np.linalg.norm(y)
    out[1] = np.linalg.norm(delta) / Xs_fro
    out[2] = 0.5 * float(res @ res) / res.shape[0]
    out[3] = np.trace(X)
    P = np.eye(X.shape[0]) - Q @ Q.T
    PXP = P @ X @ P
    out[4] = np.linalg.norm(PXP)
    out[5] = math.sqrt(max(np.linalg.eigvalsh(PXP)[-1], 0.0))
    out[6] = math.sqrt(max(np.trace(PXP), 0.0))
    out[7] = math.sqrt(max(np.linalg.eigvalsh(Q.T @ X @ Q)[0], 0.0))
    lam = np.linalg.eigvalsh(X)[::-1]
    out[8] = lam[n_eig:].sum()
    # E[(x^T D x)^2] = 2||D||_F^2 + (tr D)^2 for x ~ N(0, I) (spec section 2.5)
    out[9] = math.sqrt(
        (2 * np.sum(delta**2) + np.trace(delta) ** 2) / (2 * Xs_fro**2 + np.trace(Xstar) ** 2)
    )
    return out, lam[:n_eig].copy()


def _orth(Xstar: np.ndarray, r: int | None) -> np.ndarray:
    """Orthonormal basis of the top-r eigenspace of X* (r = numerical rank if None)."""
    lam, V = np.linalg.eigh(Xstar)
    if r is None:
        r = int(np.sum(lam > 1e-10 * max(lam[-1], 1e-300)))
    return V[:, ::-1][:, : max(r, 1)]


def _grid(T: int, log_steps) -> np.ndarray:
    if log_steps is None:
        from .diagonal import log_grid

        log_steps = log_grid(T, 20)
    steps = np.unique(np.append(np.asarray(log_steps, dtype=np.int64), T))
    if steps[0] < 0 or steps[-1] > T:
        raise ValueError(f"log steps must lie in [0, {T}]")
    return steps


def _result(steps, K, n_eig):
    return {
        "steps": steps,
        "metric_names": METRICS,
        "metrics": np.full((K, steps.size, N_METRICS), np.nan),
        "eigvals": np.full((K, steps.size, n_eig), np.nan),
        "status": np.full(K, STATUS_MAX_STEPS, dtype=np.int8),
        "stop_step": np.full(K, int(steps[-1]), dtype=np.int64),
        # metrics at stop_step (converged runs stop off the grid); NaN for diverged runs
        "final": np.full((K, N_METRICS), np.nan),
    }


# ------------------------------------------------------------------------------ drivers
def run_sensing_gd(
    G: np.ndarray,
    y: np.ndarray,
    Xstar: np.ndarray,
    alphas,
    T,
    eta: float = 0.0025,
    convention: str = "true",
    log_steps=None,
    tol: float | None = None,
    n_eig: int | None = None,
    r: int | None = None,
    progress=None,
) -> dict:
    """Factorized GD from U_0 = alpha I for every alpha in ``alphas``, batched over alpha.

    Run k takes T steps (T may be one number per alpha: the batch shrinks as runs end), or
    stops when train_error < tol (checked before each update: spec section 2.3/L4).
    Returns steps (n_log,), metrics (K, n_log, len(METRICS)), eigvals (K, n_log, n_eig; top
    eigenvalues of UU^T, default r + 5), status (K,), stop_step (K,) and the final U (K, d, d).
    Metrics of a run after it stopped are NaN; ``final`` (K, len(METRICS)) holds those at
    stop_step. ``progress`` (a progress.Progress) gets the train errors of the running ones.
    """
    alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    T_run = np.broadcast_to(np.asarray(T, dtype=np.int64), alphas.shape).copy()
    if np.any(T_run < 0):
        raise ValueError(f"step counts must be >= 0, got {T}")
    T = int(T_run.max())
    d = Xstar.shape[0]
    Q = _orth(Xstar, r)
    n_eig = min(d, Q.shape[1] + 5 if n_eig is None else n_eig)
    steps = _grid(T, np.append(np.asarray([] if log_steps is None else log_steps), T_run))
    if log_steps is None:
        steps = np.union1d(steps, _grid(T, None))
    out = _result(steps, alphas.size, n_eig)
    out["stop_step"][:] = T_run
    step = CONVENTIONS[convention] * eta
    U = alphas[:, None, None] * np.eye(d)
    active = np.arange(alphas.size)
    li = 0
    y_norm = np.linalg.norm(y)
    with np.errstate(over="ignore", invalid="ignore"), _lanes_on_numba_threads():
        for t in range(T + 1):
            X, R, g = _residuals(G, y, U)
            if progress is not None and progress.due():
                progress.update(t, np.linalg.norm(R, axis=1) / y_norm)
            bad = ~np.all(np.abs(R) < _HUGE, axis=1)  # NaN compares False
            logging = steps[li] == t
            done = np.zeros(active.size, dtype=bool)
            for a, k in enumerate(active):
                if bad[a]:
                    out["status"][k], out["stop_step"][k] = STATUS_DIVERGED, t
                    out["final"][k] = np.nan
                    done[a] = True
                    continue
                converged = tol is not None and np.linalg.norm(R[a]) < tol * np.linalg.norm(y)
                last = t == T_run[k]
                if logging or converged or last:
                    vals, lam = diagnostics(X[a], R[a], y, Xstar, Q, n_eig)
                    if logging:
                        out["metrics"][k, li], out["eigvals"][k, li] = vals, lam
                    out["final"][k] = vals
                if converged:
                    out["status"][k], out["stop_step"][k] = STATUS_CONVERGED, t
                done[a] = converged or last
            if logging:
                li += 1
            if done.any():
                keep = ~done
                out.setdefault("U", np.full((alphas.size, d, d), np.nan))
                for a in np.flatnonzero(done):
                    out["U"][active[a]] = U[a]
                active, U, g = active[keep], U[keep], g[keep]
            if active.size == 0:
                break
            U = _descend(U, g, G.shape[0], step)
    return out


def proj_psd(Z: np.ndarray) -> np.ndarray:
    """Nearest PSD matrix in Frobenius norm: V max(lam, 0) V^T of the symmetric part of Z."""
    lam, V = np.linalg.eigh(0.5 * (Z + Z.T))
    return (V * np.maximum(lam, 0.0)) @ V.T


def pgd_step(X: np.ndarray, G: np.ndarray, y: np.ndarray, eta: float) -> np.ndarray:
    """X <- Proj_PSD(X - eta grad f), f(X) = (1/m) sum_i (<A_i, X> - y_i)^2, grad = 2 M(X - X*)."""
    res = measure(G, X) - y
    grad = 2.0 * smat((res.astype(G.dtype, copy=False) @ G).astype(np.float64), X.shape[0])
    return proj_psd(X - eta * grad / G.shape[0])


def run_pgd(
    G: np.ndarray,
    y: np.ndarray,
    Xstar: np.ndarray,
    T: int,
    eta: float = 0.0025,
    tol: float | None = 1e-3,
    log_steps=None,
    X0: np.ndarray | None = None,
    n_eig: int | None = None,
    r: int | None = None,
    progress=None,
) -> dict:
    """Projected GD on X from X_0 (default 0) with the same outputs as run_sensing_gd (K = 1)."""
    d = Xstar.shape[0]
    Q = _orth(Xstar, r)
    n_eig = min(d, Q.shape[1] + 5 if n_eig is None else n_eig)
    steps = _grid(T, log_steps)
    out = _result(steps, 1, n_eig)
    X = np.zeros((d, d)) if X0 is None else np.array(X0, dtype=np.float64)
    m = G.shape[0]
    li = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T + 1):
            R, g = _sweep(G, y, svec(X)[None])
            res = R[0]
            if progress is not None and progress.due():
                progress.update(t, np.linalg.norm(res) / np.linalg.norm(y))
            if not np.all(np.abs(res) < _HUGE):
                out["status"][0], out["stop_step"][0] = STATUS_DIVERGED, t
                out["final"][0] = np.nan
                break
            converged = tol is not None and np.linalg.norm(res) < tol * np.linalg.norm(y)
            if steps[li] == t or converged or t == T:
                vals, lam = diagnostics(X, res, y, Xstar, Q, n_eig)
                if steps[li] == t:
                    out["metrics"][0, li], out["eigvals"][0, li] = vals, lam
                    li += 1
                out["final"][0] = vals
            if converged:
                out["status"][0], out["stop_step"][0] = STATUS_CONVERGED, t
                break
            if t == T:
                break
            X = proj_psd(X - eta * 2.0 * smat(g[0].astype(np.float64) / m, d))
    out["X"] = X[None]
    return out


# ------------------------------------------------------------------------------ quadratic network
def nn_gd_step(
    U: np.ndarray, Xd: np.ndarray, y: np.ndarray, eta: float, convention: str = "true"
) -> np.ndarray:
    """Full GD on f(U) = (1/2m) sum_i (||U^T x_i||^2 - y_i)^2: U <- U - c eta M U, with
    M U = (1/m) Xd^T diag(res) Xd U computed without any d x d x m tensor."""
    V = Xd @ U
    res = np.einsum("ij,ij->i", V, V) - y
    return U - CONVENTIONS[convention] * eta * (Xd.T @ (res[:, None] * V)) / Xd.shape[0]


@numba.njit(cache=True)
def nn_sgd_steps(U, Xd, y, idx, step):
    """Batch-1 SGD steps in place: v = U^T x_i, res = v.v - y_i, U -= step res x_i v^T.
    step = c eta. Returns False as soon as U stops being finite."""
    d = U.shape[0]
    v = np.empty(d)
    for n in range(idx.shape[0]):
        i = idx[n]
        x = Xd[i]
        for b in range(d):
            acc = 0.0
            for a in range(d):
                acc += U[a, b] * x[a]
            v[b] = acc
        res = -y[i]
        for b in range(d):
            res += v[b] * v[b]
        if not np.isfinite(res):
            return False
        for a in range(d):
            s = step * res * x[a]
            for b in range(d):
                U[a, b] -= s * v[b]
    return True


def _nn_residual(U, Xd, y):
    V = Xd @ U
    return U @ U.T, np.einsum("ij,ij->i", V, V) - y


def _run_chunked(U, advance, residual, y, Xstar, T, log_steps, r, n_eig, progress=None):
    """Shared loop of the SGD/NN drivers: advance(U, t0, t1) performs steps t0..t1-1 in place
    and returns False on divergence; residual(U) gives (X, res) on the full training set.
    ``progress`` (a progress.Progress) gets the train error at the logged steps."""
    d = Xstar.shape[0]
    Q = _orth(Xstar, r)
    n_eig = min(d, Q.shape[1] + 5 if n_eig is None else n_eig)
    steps = _grid(T, log_steps)
    out = _result(steps, 1, n_eig)
    t = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for li, s in enumerate(steps):
            ok = advance(U, t, int(s)) if s > t else True
            t = int(s)
            X, res = residual(U)
            if not ok or not np.all(np.abs(res) < _HUGE) or not np.all(np.isfinite(U)):
                out["status"][0], out["stop_step"][0] = STATUS_DIVERGED, t
                out["final"][0] = np.nan
                break
            out["metrics"][0, li], out["eigvals"][0, li] = diagnostics(X, res, y, Xstar, Q, n_eig)
            out["final"][0] = out["metrics"][0, li]
            if progress is not None:
                progress.update(t, out["final"][0, 0])
    out["U"] = U[None]
    return out


def run_nn_sgd(
    Xd: np.ndarray,
    y: np.ndarray,
    Xstar: np.ndarray,
    idx: np.ndarray,
    eta: float = 8e-5,
    U0: np.ndarray | None = None,
    convention: str = "true",
    log_steps=None,
    n_eig: int | None = None,
    r: int | None = None,
    progress=None,
) -> dict:
    """Batch-1 SGD on the quadratic network from U_0 (default I); idx[t] is the sample of step t
    and T = len(idx). Metrics use the whole training set; outputs as run_sensing_gd (K = 1)."""
    d = Xd.shape[1]
    U = np.eye(d) if U0 is None else np.array(U0, dtype=np.float64)
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    step = CONVENTIONS[convention] * eta
    Xd = np.ascontiguousarray(Xd, dtype=np.float64)

    def advance(U, t0, t1):
        return nn_sgd_steps(U, Xd, y, idx[t0:t1], step)

    return _run_chunked(
        U,
        advance,
        lambda U: _nn_residual(U, Xd, y),
        y,
        Xstar,
        idx.size,
        log_steps,
        r,
        n_eig,
        progress,
    )


def run_nn_gd(
    Xd: np.ndarray,
    y: np.ndarray,
    Xstar: np.ndarray,
    T: int,
    eta: float = 0.0025,
    U0: np.ndarray | None = None,
    convention: str = "true",
    log_steps=None,
    n_eig: int | None = None,
    r: int | None = None,
    progress=None,
) -> dict:
    """Full-batch GD on the quadratic network from U_0 (default I); outputs as run_nn_sgd."""
    d = Xd.shape[1]
    U = np.eye(d) if U0 is None else np.array(U0, dtype=np.float64)

    def advance(U, t0, t1):
        for _ in range(t0, t1):
            U[...] = nn_gd_step(U, Xd, y, eta, convention)
        return bool(np.all(np.isfinite(U)))

    return _run_chunked(
        U, advance, lambda U: _nn_residual(U, Xd, y), y, Xstar, T, log_steps, r, n_eig, progress
    )


def run_sensing_sgd(
    G: np.ndarray,
    y: np.ndarray,
    Xstar: np.ndarray,
    idx: np.ndarray,
    eta: float = 8e-5,
    alpha: float = 1.0,
    convention: str = "true",
    log_steps=None,
    n_eig: int | None = None,
    r: int | None = None,
    progress=None,
) -> dict:
    """Batch-1 SGD with Gaussian sensing matrices (variant L5-G) from U_0 = alpha I:
    U <- U - c eta res_i A_i U with A_i = smat(G_i), O(d^3) per step."""
    d = Xstar.shape[0]
    U = alpha * np.eye(d)
    idx = np.asarray(idx, dtype=np.int64)
    step = CONVENTIONS[convention] * eta

    def advance(U, t0, t1):
        for i in idx[t0:t1]:
            A = smat(G[i].astype(np.float64), d)
            AU = A @ U
            res = np.sum(U * AU) - y[i]  # <A_i, UU^T> = tr(U^T A_i U)
            U -= (step * res) * AU
        return bool(np.all(np.isfinite(U)))

    def residual(U):
        X = U @ U.T
        return X, measure(G, X) - y

    return _run_chunked(U, advance, residual, y, Xstar, idx.size, log_steps, r, n_eig, progress)
