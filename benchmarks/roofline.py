"""This machine's roofline: measured float64 FLOP rates and memory bandwidth.

- dgemm: NumPy's BLAS on a square n x n product (2 n^3 FLOPs), on 1 thread and on all cores;
  the 1-thread figure is one core's peak for the small regime, the all-core one the large
  regime's reference.
- Numba FMA loop: eight dependent v = a v + b per element of an L1-resident vector, repeated
  (16 FLOPs per element and pass; the chains of neighbouring elements overlap), the rate
  hand-written jitted code reaches without BLAS (FMA contraction allowed).
- STREAM triad: a = b + s c over arrays far larger than the caches, 24 bytes per element moved
  (no write-allocate counted, as STREAM), on 1 thread and on all cores (prange).
"""

from __future__ import annotations

import time

import numba
import numpy as np

from .common import best_time, cpu_count, threads


@numba.njit(cache=True, fastmath={"contract"})
def _fma_loop(y, a, b, reps):
    n = y.shape[0]
    for _ in range(reps):
        for i in range(n):
            v = y[i]
            v = v * a + b
            v = v * a + b
            v = v * a + b
            v = v * a + b
            v = v * a + b
            v = v * a + b
            v = v * a + b
            v = v * a + b
            y[i] = v


@numba.njit(cache=True)
def _dot_pair(A1, B1, C1, A2, B2, C2, reps):
    for _ in range(reps):
        np.dot(A1, B1, C1)
        np.dot(A2, B2, C2)


def dot_pair_gflops(shape1, shape2, nthreads: int, min_time: float = 0.3) -> float:
    """dgemm rate (GFLOP/s) of the two products ((m, k) @ (k, n)) of one batched step, at the
    family's own shapes and thread count: the best of calling them from a jitted loop (as the
    batched kernels do; no call overhead) and through np.matmul (Numba's np.dot is up to 6x
    slower for a short-and-wide left factor such as (8, 2500) @ (2500, 5050))."""
    rng = np.random.default_rng(2)
    mats = []
    flops = 0.0
    for m, k, n in (shape1, shape2):
        mats += [rng.standard_normal((m, k)), rng.standard_normal((k, n)), np.empty((m, n))]
        flops += 2.0 * m * k * n
    reps = max(1, int(2e7 / flops))

    def numpy_pair():
        for _ in range(reps):
            np.matmul(mats[0], mats[1], out=mats[2])
            np.matmul(mats[3], mats[4], out=mats[5])

    with threads(nthreads):
        _dot_pair(*mats, 1)
        sec = best_time(lambda: _dot_pair(*mats, reps), 3, min_time)
        numpy_pair()
        sec = min(sec, best_time(numpy_pair, 3, min_time))
    return flops * reps / sec / 1e9


@numba.njit(cache=True, parallel=True)
def _triad(a, b, c, s):
    for i in numba.prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def gemm_gflops(n: int, nthreads: int, repeat: int) -> float:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n))
    Bm = rng.standard_normal((n, n))
    C = np.empty((n, n))
    with threads(nthreads):
        np.matmul(A, Bm, out=C)
        sec = best_time(lambda: np.matmul(A, Bm, out=C), repeat, 0.5)
    return 2.0 * n**3 / sec / 1e9


def fma_gflops(reps: int, repeat: int) -> float:
    y = np.zeros(512)  # v -> 2 under v = v / 2 + 1: no overflow, no subnormals
    with threads(1):
        _fma_loop(y, 0.5, 1.0, 1)
        sec = best_time(lambda: _fma_loop(y, 0.5, 1.0, reps), repeat, 0.3)
    return 16.0 * y.size * reps / sec / 1e9


def triad_gbs(n: int, nthreads: int, repeat: int) -> float:
    a = np.zeros(n)
    b = np.ones(n)
    c = np.full(n, 2.0)
    with threads(nthreads):
        _triad(a, b, c, 3.0)
        sec = best_time(lambda: _triad(a, b, c, 3.0), repeat, 0.5)
    return 24.0 * n / sec / 1e9


def measure(scale: str, log=print) -> dict:
    """All roofline numbers; `quick` uses smaller problems (less accurate, a few seconds)."""
    quick = scale != "full"
    ncores = cpu_count()
    t0 = time.perf_counter()
    n_gemm = 1500 if quick else 3000
    n_triad = 2**24 if quick else 2**26  # 3 x 128 MB or 3 x 512 MB
    rep = 2 if quick else 4
    out = {
        "cores": ncores,
        "gemm_n": n_gemm,
        "gemm_1t_gflops": gemm_gflops(n_gemm, 1, rep),
        "gemm_all_gflops": gemm_gflops(n_gemm, ncores, rep),
        "numba_fma_1t_gflops": fma_gflops(20_000 if quick else 100_000, rep),
        "triad_n": n_triad,
        "triad_1t_gbs": triad_gbs(n_triad, 1, rep),
        "triad_all_gbs": triad_gbs(n_triad, ncores, rep),
    }
    # one core's peak: the best of what BLAS and jitted loops reach on it
    out["peak_1core_gflops"] = max(out["gemm_1t_gflops"], out["numba_fma_1t_gflops"])
    out["peak_machine_gflops"] = max(out["gemm_all_gflops"], out["peak_1core_gflops"])
    out["seconds"] = time.perf_counter() - t0
    log(
        f"  roofline: dgemm 1 thread {out['gemm_1t_gflops']:.1f} GFLOP/s, {ncores} threads "
        f"{out['gemm_all_gflops']:.1f}; Numba FMA loop {out['numba_fma_1t_gflops']:.1f}; "
        f"triad {out['triad_1t_gbs']:.1f} GB/s (1 thread), {out['triad_all_gbs']:.1f} GB/s "
        f"({ncores})"
    )
    return out
