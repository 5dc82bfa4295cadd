"""Shared machinery: thread control, timing, the correctness check and one result row per run.

Every family module defines NAME, PAPER, REGIME ("small", "large" or "matrix"), TITLE,
SIZES {"tiny", "quick", "full"}, problem(size) -> dict, initial_state(problem),
flops_per_config_step(problem), gemm_shapes(problem) (the two products of a batched step) and
impls(problem, torch) -> list[Impl]; optionally check_problem(size) (the problem the correctness
check runs on) and data_bytes(problem) (the shared data matrix). Each Impl runs the family's
update for T steps on all B configurations of the problem and returns the final parameters as one
float64 array whose first axis is the configuration, so that every implementation can be compared
with the NumPy loop.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np
from threadpoolctl import threadpool_limits

# Implementation kinds: numpy-loop (the reference: one configuration at a time), torch-per-config,
# torch-batched, kernel (the project's, one call per configuration), kernel-batched (the
# project's, one call for the batch) and experimental-batched (benchmarks/batched.py).
REFERENCE = "numpy-loop"


@dataclass
class Impl:
    """One implementation of a family's T-step update over all B configurations."""

    name: str
    kind: str
    fn: Callable[[dict, int], np.ndarray]
    threads: int = 1
    deterministic_check: bool = False  # the kernels must give bitwise equal repeats
    note: str = ""
    # passes over the shared data matrix per step for the whole batch (large/matrix regimes:
    # the data do not fit in cache, so this gives the bandwidth the run streams them at)
    data_passes: float | None = None


@dataclass
class Row:
    family: str
    paper: str
    regime: str
    impl: str
    kind: str
    B: int
    T: int
    threads: int
    seconds: float
    per_config_step_us: float
    flops_per_config_step: float
    gflops: float
    check_rel_err: float
    check_ok: bool
    deterministic: bool | None
    note: str = ""
    extra: dict = field(default_factory=dict)


def load_torch():
    """PyTorch if installed (the `bench` extra), else None: the torch rows are then skipped."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@contextlib.contextmanager
def threads(n: int, torch=None):
    """Run BLAS (every loaded OpenBLAS/MKL), Numba's parallel layer and PyTorch on n threads."""
    old_numba = numba.get_num_threads()
    old_torch = torch.get_num_threads() if torch is not None else None
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    if torch is not None:
        torch.set_num_threads(n)
    try:
        with threadpool_limits(n):
            yield
    finally:
        numba.set_num_threads(old_numba)
        if torch is not None:
            torch.set_num_threads(old_torch)


def best_time(fn: Callable[[], object], repeat: int, min_time: float) -> float:
    """Best wall time of fn() over at least `repeat` calls and until `min_time` seconds have
    passed (the minimum filters out interference from other processes on the machine)."""
    best = float("inf")
    spent = 0.0
    k = 0
    while k < repeat or spent < min_time:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        k += 1
        if k >= 50:
            break
    return best


def rel_err(a: np.ndarray, ref: np.ndarray) -> float:
    """max |a - ref| / max |ref| (inf if shapes differ or a is not finite)."""
    a = np.asarray(a, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if a.shape != ref.shape or not np.all(np.isfinite(a)):
        return float("inf")
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(a - ref)) / scale)


def check_family(mod, p: dict, torch, T: int, rtol: float = 1e-10) -> dict[str, dict]:
    """Run every implementation for T steps and compare with the NumPy loop.

    The error is taken on the displacement from the initial state (the parameters move little
    in a few steps, so comparing the states themselves would hide a wrong update). Returns
    {impl name: {"rel_err", "ok", "deterministic"}}; kernels are run twice and must agree bit
    for bit.
    """
    impls = mod.impls(p, torch)
    ref_impl = next(i for i in impls if i.kind == REFERENCE)
    s0 = mod.initial_state(p)
    with threads(ref_impl.threads, torch):
        ref = ref_impl.fn(p, T) - s0
    out = {}
    for impl in impls:
        with threads(impl.threads, torch):
            got = impl.fn(p, T)
            det = None
            if impl.deterministic_check:
                det = bool(np.array_equal(got, impl.fn(p, T), equal_nan=True))
        err = rel_err(got - s0, ref)
        out[impl.name] = {"rel_err": err, "ok": err <= rtol, "deterministic": det}
    return out


def bench_family(
    mod, scale: str, torch, repeat: int, min_time: float, check_T: int = 5, log=print
) -> list[Row]:
    """Correctness check at check_T steps, then time every implementation at the scale's T."""
    size = mod.SIZES[scale]
    p = mod.problem(size)
    p_check = mod.check_problem(size) if hasattr(mod, "check_problem") else p
    checks = check_family(mod, p_check, torch, check_T)
    T = int(size["T"])
    B = int(p["B"])
    flops = float(mod.flops_per_config_step(p))
    data_bytes = float(mod.data_bytes(p)) if hasattr(mod, "data_bytes") else None
    from .roofline import dot_pair_gflops  # roofline imports this module

    nt = int(size.get("threads", 1))
    shape_gflops = dot_pair_gflops(*mod.gemm_shapes(p), nt)
    log(
        f"  dgemm at this family's two batched products, {nt} thread(s): {shape_gflops:.1f} GFLOP/s"
    )
    rows = []
    for impl in mod.impls(p, torch):
        with threads(impl.threads, torch):
            impl.fn(p, min(T, check_T))  # compile / warm caches outside the timing
            sec = best_time(lambda impl=impl: impl.fn(p, T), repeat, min_time)
        c = checks[impl.name]
        row = Row(
            family=mod.NAME,
            paper=mod.PAPER,
            regime=mod.REGIME,
            impl=impl.name,
            kind=impl.kind,
            B=B,
            T=T,
            threads=impl.threads,
            seconds=sec,
            per_config_step_us=sec / (B * T) * 1e6,
            flops_per_config_step=flops,
            gflops=flops * B * T / sec / 1e9,
            check_rel_err=c["rel_err"],
            check_ok=c["ok"],
            deterministic=c["deterministic"],
            note=impl.note,
            extra={k: v for k, v in size.items() if k != "T"},
        )
        row.extra["shape_gemm_gflops"] = shape_gflops
        if data_bytes is not None and impl.data_passes is not None:
            row.extra["data_GBs"] = impl.data_passes * data_bytes * T / sec / 1e9
        log(
            f"  {mod.NAME:<14} {impl.name:<37} {row.per_config_step_us:10.3f} us/config-step"
            f"  {row.gflops:7.2f} GFLOP/s  err {row.check_rel_err:.1e}"
        )
        rows.append(row)
    return rows
