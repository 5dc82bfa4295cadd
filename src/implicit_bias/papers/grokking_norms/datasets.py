"""The data of paper 004 (spec 004.md section 4), deterministic from a seed.

Every draw comes from rng_stream(4, seed, stream, *sizes) with one stream per role, so that data,
measurements, noise and initialization are independent and a sweep over one of them leaves the
others unchanged:

  0 b* (support, values)        1 Gaussian measurement rows      2 coherent columns
  3 noise xi                    4 vector initialization          5 U*, V* of A*
  6 completion sample Omega     7 sensing factors X^(1), X^(2)   8 matrix initialization
  9 teacher A*, B*              10 training inputs               11 test inputs
  12 student initialization     13 sinusoid measurements         14 sparse polynomial

Gaussian measurement rows are drawn for all N rows whatever tau, and the first floor(tau N) are
then replaced by coherent rows: the tau sweep shares its Gaussian rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from ...data import rng_stream
from ...store import cf
from . import KEY

__all__ = [
    "DIGIT_ZERO",
    "MatrixProblem",
    "RNG_TAG",
    "SINUSOID",
    "SparseRecovery",
    "TeacherStudent",
    "completion_operator",
    "completion_sample",
    "digit_signal",
    "init_factors",
    "local_coherence",
    "low_rank_matrix",
    "matrix_init",
    "matrix_problem",
    "measurement_matrix",
    "mutual_coherence",
    "polynomial_features",
    "polynomial_problem",
    "realify",
    "sensing_operator",
    "sinusoid_problem",
    "sinusoid_signal",
    "sparse_recovery",
    "sparse_signal",
    "student_init",
    "teacher_student",
    "to_dataset",
]

RNG_TAG = 4
(
    _BSTAR,
    _MEAS,
    _COHERENT,
    _NOISE,
    _INIT,
    _UV,
    _OMEGA,
    _SENSE,
    _MINIT,
    _TEACHER,
    _XTRAIN,
    _XTEST,
    _STUDENT,
    _SINE,
    _POLY,
) = range(15)

X_VARIANCES = ("1/n", "1/N")
COHERENT_MODES = ("random", "first")

# scikit-learn load_digits().images[0] (UCI optdigits, a zero), 4-bit grey levels 0..16.
DIGIT_ZERO = np.array(
    [
        [0, 0, 5, 13, 9, 1, 0, 0],
        [0, 0, 13, 15, 10, 15, 5, 0],
        [0, 3, 15, 2, 0, 11, 8, 0],
        [0, 4, 12, 0, 0, 8, 8, 0],
        [0, 5, 8, 0, 0, 9, 8, 0],
        [0, 4, 11, 0, 1, 12, 7, 0],
        [0, 2, 14, 5, 10, 12, 0, 0],
        [0, 0, 6, 13, 10, 0, 0, 0],
    ],
    dtype=np.float64,
)

# Fig. 38-40 sinusoid: frequencies F, amplitudes A and phases phi (spec 4.2).
SINUSOID = {
    "F": (10, 25, 40, 75, 95),
    "A": (1.0, 0.8, 1.2, 1.5, 0.5),
    "phi": (0.0, math.pi / 4, 3 * math.pi / 8, 3 * math.pi / 4, math.pi),
}


# --------------------------------------------------------------------------- sparse recovery


def sparse_signal(n: int, s: int, seed: int = 0) -> np.ndarray:
    """b* (n,): s indices uniform without replacement, values i.i.d. N(0, 1/n) (spec 4.1)."""
    if not 1 <= s <= n:
        raise ValueError(f"need 1 <= s <= n, got s={s}, n={n}")
    rng = rng_stream(RNG_TAG, seed, _BSTAR, n, s)
    while True:
        b = np.zeros(n)
        idx = rng.choice(n, size=s, replace=False)
        b[idx] = rng.standard_normal(s) / math.sqrt(n)
        if np.any(b != 0):  # resample an all-zero draw
            return b


def measurement_matrix(
    n: int,
    N: int,
    tau: float = 0.0,
    seed: int = 0,
    *,
    x_var: str = "1/n",
    coherent: str = "random",
    Phi=None,
) -> tuple[np.ndarray, np.ndarray]:
    """X (N, n): N1 = min(floor(tau N), n) coherent rows Phi[:, c_i]^T, the rest i.i.d. Gaussian
    with variance 1/n (paper) or 1/N (reference code). coherent = "random" picks N1 distinct random
    columns, "first" the first N1. Returns (X, c) with c the coherent columns (N1,)."""
    if not 0.0 <= tau <= 1.0:
        raise ValueError(f"tau must be in [0, 1], got {tau}")
    if x_var not in X_VARIANCES:
        raise ValueError(f"x_var must be one of {X_VARIANCES}, got {x_var!r}")
    if coherent not in COHERENT_MODES:
        raise ValueError(f"coherent must be one of {COHERENT_MODES}, got {coherent!r}")
    var = 1.0 / n if x_var == "1/n" else 1.0 / N
    X = rng_stream(RNG_TAG, seed, _MEAS, n, N).standard_normal((N, n)) * math.sqrt(var)
    N1 = min(int(math.floor(tau * N + 1e-12)), n)
    if coherent == "random":
        c = rng_stream(RNG_TAG, seed, _COHERENT, n, N).permutation(n)[:N1]
    else:
        c = np.arange(N1)
    Phi = np.eye(n) if Phi is None else np.asarray(Phi)
    X = X.astype(Phi.dtype, copy=False)
    X[:N1] = Phi[:, c].T
    return X, c.astype(np.int64)


def mutual_coherence(X, Phi=None) -> float:
    """mu(X^T, Phi) = max_ij |<X_i,:, Phi_:,j>| / (||X_i,:|| ||Phi_:,j||) (spec section 9)."""
    X = np.asarray(X)
    Phi = np.eye(X.shape[1]) if Phi is None else np.asarray(Phi)
    G = np.abs(X.conj() @ Phi)
    G /= np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(Phi, axis=0)[None, :]
    return float(G.max())


@dataclass(frozen=True)
class SparseRecovery:
    """One compressed-sensing draw: y* = X~ b* + xi with X~ = X Phi (spec 4.1)."""

    X: np.ndarray  # (N, n) = X~ (X Phi; X itself when Phi = I)
    y: np.ndarray  # (N,)
    xi: np.ndarray  # (N,) noise contained in y
    b_star: np.ndarray  # (n,)
    coherent_cols: np.ndarray  # (N1,) columns of Phi used as coherent rows
    tau: float
    seed: int
    x_var: str = "1/n"
    attrs: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.X.shape[1])

    @property
    def N(self) -> int:
        return int(self.X.shape[0])

    @property
    def s(self) -> int:
        return int(np.count_nonzero(self.b_star))


def sparse_recovery(
    n: int = 100,
    s: int = 5,
    N: int = 30,
    *,
    seed: int = 0,
    tau: float = 0.0,
    x_var: str = "1/n",
    coherent: str = "random",
    snr: float = math.inf,
    b_star=None,
    Phi=None,
) -> SparseRecovery:
    """The E-SR problem; b_star overrides the random s-sparse signal (then s is ignored).

    snr < inf adds xi ~ N(0, sigma^2 I) with sigma^2 = E||a*||^2 / (N snr), E||a*||^2 = s / n for
    the random signal (||a*||^2 of b_star when given)."""
    b = sparse_signal(n, s, seed) if b_star is None else np.asarray(b_star, dtype=np.float64)
    if b.shape != (n,):
        raise ValueError(f"b_star must have shape ({n},), got {b.shape}")
    X, c = measurement_matrix(n, N, tau, seed, x_var=x_var, coherent=coherent, Phi=Phi)
    Xt = X if Phi is None else X @ np.asarray(Phi)
    signal = Xt @ b
    xi = np.zeros(N)
    if math.isfinite(snr):
        if not snr > 0:
            raise ValueError(f"snr must be > 0, got {snr}")
        energy = s / n if b_star is None else float(b @ b)
        xi = rng_stream(RNG_TAG, seed, _NOISE, N).standard_normal(N) * math.sqrt(energy / (N * snr))
    y = signal + xi
    return SparseRecovery(
        X=np.ascontiguousarray(Xt),
        y=y,
        xi=y - signal,
        b_star=b,
        coherent_cols=c,
        tau=float(tau),
        seed=int(seed),
        x_var=x_var,
        attrs={"snr": float(snr), "coherent": coherent},
    )


def init_factors(
    n: int, zeta: float, *, L: int = 1, seed: int = 0, kind: str = "gaussian"
) -> np.ndarray:
    """W0 (L, n): B_k i.i.d. zeta N(0, 1/n) (paper) or zeta 1_n ("ones", reference code; identical
    factors stay identical, so for even L the product stays >= 0)."""
    if kind == "gaussian":
        z = rng_stream(RNG_TAG, seed, _INIT, L, n).standard_normal((L, n)) / math.sqrt(n)
    elif kind == "ones":
        z = np.ones((L, n))
    else:
        raise ValueError(f"init kind must be 'gaussian' or 'ones', got {kind!r}")
    return np.ascontiguousarray(float(zeta) * z)


def digit_signal() -> np.ndarray:
    """b* (64,) of Figs. 36-37: the 8x8 zero divided by 16, values < 0.5 set to 0 (s = 22), in
    row-major pixel order."""
    img = DIGIT_ZERO / 16.0
    return np.where(img < 0.5, 0.0, img).ravel()


def realify(Xc, yc=None, bc=None):
    """Real form of complex least squares: X = [[Re, -Im], [Im, Re]], y = (Re, Im), b = (Re, Im).
    ||X b - y|| and X^T (X b - y) equal their complex counterparts (Hermitian gradient)."""
    Xc = np.asarray(Xc)
    X = np.block([[Xc.real, -Xc.imag], [Xc.imag, Xc.real]])
    out = [np.ascontiguousarray(X)]
    for v in (yc, bc):
        if v is not None:
            out.append(np.concatenate([np.real(v), np.imag(v)]))
    return tuple(out) if len(out) > 1 else out[0]


def sinusoid_problem(n: int = 100, N: int = 40, seed: int = 0) -> dict:
    """Figs. 38-40: complex b* on F with amplitudes A and phases phi, Phi the unitary DFT, X~ =
    M Phi^H with M complex Gaussian (N(0,1) + i N(0,1)) / sqrt(2n) (spec 4.2 proposal).

    Returns the real form (X (2N, 2n), y (2N,), b_star (2n,) = (Re, Im)) for
    grok_diagonal(..., pairs=True), plus the complex Xc, bc, Phi and the time signal a_star."""
    F, A, phi = SINUSOID["F"], SINUSOID["A"], SINUSOID["phi"]
    if max(F) >= n:
        raise ValueError(f"n must exceed the largest frequency {max(F)}, got {n}")
    bc = np.zeros(n, dtype=np.complex128)
    for k, a, p in zip(F, A, phi, strict=True):
        bc[k] = a * np.exp(1j * p)
    jk = np.outer(np.arange(n), np.arange(n))
    Phi = np.exp(-2j * np.pi * jk / n) / math.sqrt(n)
    rng = rng_stream(RNG_TAG, seed, _SINE, n, N)
    M = (rng.standard_normal((N, n)) + 1j * rng.standard_normal((N, n))) / math.sqrt(2 * n)
    Xc = M @ Phi.conj().T
    yc = Xc @ bc
    X, y, b_star = realify(Xc, yc, bc)
    return {
        "X": X,
        "y": y,
        "b_star": b_star,
        "Xc": Xc,
        "yc": yc,
        "bc": bc,
        "Phi": Phi,
        "a_star": sinusoid_signal(bc, Phi),
    }


def sinusoid_signal(bc, Phi) -> np.ndarray:
    """a(t) = sqrt(n) Re((Phi^H b)_t) = sum_k Re(b_k e^{2 pi i k t / n}) (spec 4.2)."""
    bc = np.asarray(bc)
    if bc.dtype.kind != "c":  # real form (Re, Im)
        m = bc.shape[0] // 2
        bc = bc[:m] + 1j * bc[m:]
    return math.sqrt(bc.shape[0]) * np.real(np.asarray(Phi).conj().T @ bc)


def polynomial_features(x) -> np.ndarray:
    """q(x) (N, m(m+1)/2 + m): x_i x_j for i <= j (row-major pairs), then x_i."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    i, j = np.triu_indices(x.shape[1])
    return np.hstack([x[:, i] * x[:, j], x])


def polynomial_problem(m: int = 10, s: int = 5, N: int = 40, seed: int = 0) -> SparseRecovery:
    """Fig. 41: p*(x) = q(x)^T a* with s coefficients N(0, 1/n), x ~ N(0, I_m), feature columns
    normalized to unit norm (b* lives in the normalized coordinates; spec 4.2 proposal)."""
    n = m * (m + 1) // 2 + m
    rng = rng_stream(RNG_TAG, seed, _POLY, m, N)
    Q = polynomial_features(rng.standard_normal((N, m)))
    Q /= np.linalg.norm(Q, axis=0)[None, :]
    b = sparse_signal(n, s, seed)
    return SparseRecovery(
        X=np.ascontiguousarray(Q),
        y=Q @ b,
        xi=np.zeros(N),
        b_star=b,
        coherent_cols=np.zeros(0, dtype=np.int64),
        tau=0.0,
        seed=int(seed),
        x_var="normalized",
        attrs={"m": int(m)},
    )


# --------------------------------------------------------------------------- matrices


def _haar(n: int, rng: np.random.Generator) -> np.ndarray:
    """Haar orthogonal n x n: QR of a Gaussian matrix with the signs of diag(R) made positive."""
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))[None, :]


def low_rank_matrix(n1: int, n2: int, r: int, seed: int = 0, *, sv: str = "one") -> dict:
    """A* (n1, n2) of rank r from the random orthogonal model (spec 4.3).

    sv = "one": A* = U* V*^T, U*, V* the first r columns of Haar matrices U_full, V_full.
    sv = "frob" (reference code): A* = G1 G2^T / sqrt(r) rescaled to ||A*||_F = sqrt(n1 n2);
    U_full, V_full then complete its singular vectors. Returns A, U (n1, r), V (n2, r), U_full,
    V_full, sigma (r,)."""
    if not 1 <= r <= min(n1, n2):
        raise ValueError(f"need 1 <= r <= min(n1, n2), got r={r}")
    rng = rng_stream(RNG_TAG, seed, _UV, n1, n2, r)
    if sv == "one":
        U_full, V_full = _haar(n1, rng), _haar(n2, rng)
        sigma = np.ones(r)
    elif sv == "frob":
        G1, G2 = rng.standard_normal((n1, r)), rng.standard_normal((n2, r))
        A = G1 @ G2.T / math.sqrt(r)
        A *= math.sqrt(n1 * n2) / np.linalg.norm(A)
        Uf, sig, Vh = np.linalg.svd(A)
        U_full, V_full, sigma = Uf, Vh.T, sig[:r]
    else:
        raise ValueError(f"sv must be 'one' or 'frob', got {sv!r}")
    U, V = U_full[:, :r], V_full[:, :r]
    return {
        "A": (U * sigma[None, :]) @ V.T,
        "U": U,
        "V": V,
        "U_full": U_full,
        "V_full": V_full,
        "sigma": sigma,
    }


def local_coherence(U, V) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu_i = (n1/r) ||U_i,:||^2, nu_j = (n2/r) ||V_j,:||^2 and P_ij = mu_i + nu_j."""
    U, V = np.asarray(U), np.asarray(V)
    r = U.shape[1]
    mu = U.shape[0] / r * np.sum(U * U, axis=1)
    nu = V.shape[0] / r * np.sum(V * V, axis=1)
    return mu, nu, mu[:, None] + nu[None, :]


def completion_sample(P, N: int, tau: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Omega (rows, cols), N distinct entries: the floor(tau N) largest P_ij (ties broken by the
    column-major index), then N - floor(tau N) uniformly without replacement among the rest."""
    P = np.asarray(P)
    n1, n2 = P.shape
    if not 1 <= N <= n1 * n2:
        raise ValueError(f"need 1 <= N <= n1 n2 = {n1 * n2}, got {N}")
    if not 0.0 <= tau <= 1.0:
        raise ValueError(f"tau must be in [0, 1], got {tau}")
    flat = P.ravel(order="F")
    N1 = int(math.floor(tau * N + 1e-12))
    order = np.argsort(-flat, kind="stable")
    top = order[:N1]
    rest = order[N1:]
    rng = rng_stream(RNG_TAG, seed, _OMEGA, n1, n2, N)
    pick = np.concatenate([top, np.sort(rest)[rng.permutation(rest.size)[: N - N1]]])
    return (pick % n1).astype(np.int64), (pick // n1).astype(np.int64)


def completion_operator(rows, cols, n1: int, n2: int) -> np.ndarray:
    """X (N, n1 n2): row k = e_{j_k} (x) e_{i_k}, one-hot at column-major vec index j n1 + i."""
    rows, cols = np.asarray(rows), np.asarray(cols)
    X = np.zeros((rows.size, n1 * n2))
    X[np.arange(rows.size), cols * n1 + rows] = 1.0
    return X


def sensing_operator(X1, X2) -> np.ndarray:
    """X (N, n1 n2) with row k = X2_k (x) X1_k (face-splitting product), so X vec(A) =
    (X1_k^T A X2_k)_k for column-major vec."""
    X1, X2 = np.asarray(X1), np.asarray(X2)
    return np.ascontiguousarray((X2[:, :, None] * X1[:, None, :]).reshape(X1.shape[0], -1))


def _sensing_factor(full, N, tau, rng):
    n = full.shape[0]
    X = rng.standard_normal((N, n)) / math.sqrt(n)  # variance 1/n_k (spec 4.3 proposal)
    N1 = min(int(math.floor(tau * N + 1e-12)), n)
    X[:N1] = full[:, :N1].T
    return X


@dataclass(frozen=True)
class MatrixProblem:
    """Matrix completion or sensing: y = X vec(A*), vec column-major (spec 4.3)."""

    X: np.ndarray  # (N, n1 n2)
    y: np.ndarray  # (N,)
    A_star: np.ndarray  # (n1, n2)
    U: np.ndarray  # (n1, r)
    V: np.ndarray  # (n2, r)
    problem: str
    tau: float
    seed: int
    rows: np.ndarray | None = None  # completion: Omega
    cols: np.ndarray | None = None
    X1: np.ndarray | None = None  # sensing factors
    X2: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.A_star.shape

    @property
    def N(self) -> int:
        return int(self.y.shape[0])

    @property
    def mask(self) -> np.ndarray:
        """M_Omega (n1, n2) for completion."""
        m = np.zeros(self.A_star.shape)
        m[self.rows, self.cols] = 1.0
        return m


def matrix_problem(
    n1: int = 10,
    n2: int = 10,
    r: int = 2,
    N: int = 80,
    *,
    problem: str = "completion",
    tau: float = 0.0,
    seed: int = 0,
    sv: str = "one",
) -> MatrixProblem:
    """Completion with coherence-ordered sampling or sensing with coherent rows (spec 4.3)."""
    truth = low_rank_matrix(n1, n2, r, seed, sv=sv)
    A = truth["A"]
    if problem == "completion":
        _, _, P = local_coherence(truth["U"], truth["V"])
        rows, cols = completion_sample(P, N, tau, seed)
        X = completion_operator(rows, cols, n1, n2)
        return MatrixProblem(
            X, A[rows, cols], A, truth["U"], truth["V"], problem, tau, seed, rows=rows, cols=cols
        )
    if problem == "sensing":
        rng = rng_stream(RNG_TAG, seed, _SENSE, n1, n2, N)
        X1 = _sensing_factor(truth["U_full"], N, tau, rng)
        X2 = _sensing_factor(truth["V_full"], N, tau, rng)
        y = np.einsum("ki,ij,kj->k", X1, A, X2)
        return MatrixProblem(
            sensing_operator(X1, X2), y, A, truth["U"], truth["V"], problem, tau, seed, X1=X1, X2=X2
        )
    raise ValueError(f"problem must be 'completion' or 'sensing', got {problem!r}")


def matrix_init(n1: int, n2: int, zeta: float = 1e-6, *, kind: str = "identity", seed: int = 0):
    """A^(1) = zeta I (rectangular identity) or zeta N(0, 1/(n1 n2)) i.i.d. (spec 3.3)."""
    if kind == "identity":
        return float(zeta) * np.eye(n1, n2)
    if kind == "gaussian":
        g = rng_stream(RNG_TAG, seed, _MINIT, n1, n2).standard_normal((n1, n2))
        return float(zeta) * g / math.sqrt(n1 * n2)
    raise ValueError(f"matrix init kind must be 'identity' or 'gaussian', got {kind!r}")


# --------------------------------------------------------------------------- teacher-student


@dataclass(frozen=True)
class TeacherStudent:
    """y*(x) = B* relu(A* x), rows of X are inputs (spec 4.4)."""

    X: np.ndarray  # (N, d)
    Y: np.ndarray  # (N, c)
    X_test: np.ndarray  # (N_test, d)
    Y_test: np.ndarray  # (N_test, c)
    A_star: np.ndarray  # (r, d)
    B_star: np.ndarray  # (c, r)
    seed: int


def teacher_student(
    d: int = 100, r: int = 500, c: int = 2, N: int = 100, N_test: int = 1000, seed: int = 0
) -> TeacherStudent:
    """A*_ij ~ N(0, 1), B*_ij ~ N(0, 1/r^2), x ~ N(0, I_d); N train and N_test test inputs."""
    rng = rng_stream(RNG_TAG, seed, _TEACHER, d, r, c)
    A = rng.standard_normal((r, d))
    B = rng.standard_normal((c, r)) / r
    X = rng_stream(RNG_TAG, seed, _XTRAIN, d, N).standard_normal((N, d))
    Xt = rng_stream(RNG_TAG, seed, _XTEST, d, N_test).standard_normal((N_test, d))
    return TeacherStudent(
        X=X,
        Y=np.maximum(X @ A.T, 0.0) @ B.T,
        X_test=Xt,
        Y_test=np.maximum(Xt @ A.T, 0.0) @ B.T,
        A_star=A,
        B_star=B,
        seed=int(seed),
    )


def student_init(d: int, r: int, c: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A (r, d) ~ N(0, 1/r), B (c, r) ~ N(0, 1/c): variance 1 / (number of rows) (spec 4.4)."""
    rng = rng_stream(RNG_TAG, seed, _STUDENT, d, r, c)
    return rng.standard_normal((r, d)) / math.sqrt(r), rng.standard_normal((c, r)) / math.sqrt(c)


# --------------------------------------------------------------------------- NetCDF


def to_dataset(problem) -> xr.Dataset:
    """An xr.Dataset with CF attributes of a SparseRecovery, MatrixProblem or TeacherStudent."""
    if isinstance(problem, SparseRecovery):
        ds = xr.Dataset(
            {
                "X": (("measurement", "coordinate"), problem.X),
                "y": (("measurement",), problem.y),
                "xi": (("measurement",), problem.xi),
                "b_star": (("coordinate",), problem.b_star),
                "coherent_cols": (("coherent",), problem.coherent_cols),
            },
            attrs={
                "paper": KEY,
                "kind": "sparse_recovery",
                "n": problem.n,
                "N": problem.N,
                "s": problem.s,
                "tau": problem.tau,
                "seed": problem.seed,
                "x_var": problem.x_var,
                **problem.attrs,
            },
        )
        cf(ds["X"], "measurement matrix X~ = X Phi")
        cf(ds["y"], "measurements y* = X~ b* + xi")
        cf(ds["xi"], "measurement noise")
        cf(ds["b_star"], "sparse ground truth b*")
        cf(ds["coherent_cols"], "columns of Phi used as coherent measurement rows")
        return ds
    if isinstance(problem, MatrixProblem):
        n1, n2 = problem.shape
        data = {
            "X": (("measurement", "vec_entry"), problem.X),
            "y": (("measurement",), problem.y),
            "A_star": (("row", "col"), problem.A_star),
            "U_star": (("row", "rank"), problem.U),
            "V_star": (("col", "rank"), problem.V),
        }
        if problem.rows is not None:
            data["omega_row"] = (("measurement",), problem.rows)
            data["omega_col"] = (("measurement",), problem.cols)
        ds = xr.Dataset(
            data,
            attrs={
                "paper": KEY,
                "kind": problem.problem,
                "n1": n1,
                "n2": n2,
                "N": problem.N,
                "tau": problem.tau,
                "seed": problem.seed,
                "vec_order": "column-major",
            },
        )
        cf(ds["X"], "measurement operator on column-major vec(A)")
        cf(ds["y"], "measurements y* = X vec(A*)")
        cf(ds["A_star"], "low-rank ground truth A*")
        cf(ds["U_star"], "left singular vectors of A*")
        cf(ds["V_star"], "right singular vectors of A*")
        if problem.rows is not None:
            cf(ds["omega_row"], "row index of an observed entry")
            cf(ds["omega_col"], "column index of an observed entry")
        return ds
    if isinstance(problem, TeacherStudent):
        ds = xr.Dataset(
            {
                "X": (("sample", "input"), problem.X),
                "Y": (("sample", "output"), problem.Y),
                "X_test": (("test_sample", "input"), problem.X_test),
                "Y_test": (("test_sample", "output"), problem.Y_test),
                "A_star": (("hidden", "input"), problem.A_star),
                "B_star": (("output", "hidden"), problem.B_star),
            },
            attrs={"paper": KEY, "kind": "teacher_student", "seed": problem.seed},
        )
        cf(ds["X"], "training inputs x ~ N(0, I_d)")
        cf(ds["Y"], "teacher outputs B* relu(A* x)")
        cf(ds["X_test"], "test inputs")
        cf(ds["Y_test"], "teacher outputs on the test inputs")
        cf(ds["A_star"], "teacher first layer A*")
        cf(ds["B_star"], "teacher second layer B*")
        return ds
    raise TypeError(f"to_dataset: unsupported problem type {type(problem).__name__}")
