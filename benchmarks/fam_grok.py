"""(b) Paper 004: l1-regularized sparse recovery by the subgradient method, alpha x beta1 grid.

Pipeline call: kernels.diagonal.grok_diagonal with W0 (B, 1, n), per-member alpha and beta1,
method "subgradient" (grokking_norms/runs.py _sparse_seed), n = 100, N = 30, zeta = 1e-6.
The benchmark logs only t = 0 and T (log_steps = snap_steps = [0]); the kernel still tracks the
train / test errors and their first hits at every step, as in the pipeline.

FLOPs per configuration-step: residual X b 2Nn, minus y N, gradient X^T r 2Nn, update 6n
(beta2 b, + g, beta1 h, +, alpha *, b -): 4Nn + 6n + N (the per-step error tracking, ~3N + 3n,
is not counted).
"""

from __future__ import annotations

import numpy as np

from implicit_bias.kernels import diagonal as kd
from implicit_bias.papers.grokking_norms import datasets as gds

from . import batched
from .common import Impl

NAME = "grok_subgrad"
PAPER = "004"
REGIME = "small"
TITLE = "l1 sparse recovery, subgradient"

SIZES = {
    "tiny": {"n": 12, "N": 6, "n_alpha": 2, "n_beta1": 2, "T": 5},
    "quick": {"n": 100, "N": 30, "n_alpha": 4, "n_beta1": 8, "T": 1000},
    "full": {"n": 100, "N": 30, "n_alpha": 4, "n_beta1": 8, "T": 10000},
}
EPS = 1e-3


def problem(size: dict) -> dict:
    n = size["n"]
    prob = gds.sparse_recovery(n=n, s=min(5, n // 2), N=size["N"], seed=0)
    W0 = gds.init_factors(n, 1e-6, L=1, seed=0)
    alphas = np.array([0.03, 0.1, 0.2, 0.3][: size["n_alpha"]])
    beta1 = np.geomspace(1e-5, 1e-2, size["n_beta1"])
    a, b1 = np.meshgrid(alphas, beta1, indexing="ij")
    return {
        "X": np.ascontiguousarray(prob.X),
        "XT": np.ascontiguousarray(prob.X.T),
        "y": np.ascontiguousarray(prob.y),
        "b_star": np.ascontiguousarray(prob.b_star),
        "b0": W0[0].copy(),
        "alpha": a.ravel().copy(),
        "beta1": b1.ravel().copy(),
        "beta2": np.zeros(a.size),
        "B": a.size,
    }


def gemm_shapes(p: dict):
    """The two products of a batched step: R = X Bv (N, n, B) and G = X^T R (n, N, B)."""
    N, n = p["X"].shape
    return (N, n, p["B"]), (n, N, p["B"])


def flops_per_config_step(p: dict) -> float:
    N, n = p["X"].shape
    return 4 * N * n + 6 * n + N


def initial_state(p: dict) -> np.ndarray:
    return np.repeat(p["b0"][None], p["B"], axis=0)


def numpy_loop(p: dict, T: int) -> np.ndarray:
    X, y = p["X"], p["y"]
    out = []
    for a, b1, b2 in zip(p["alpha"], p["beta1"], p["beta2"], strict=True):
        b = p["b0"].copy()
        for _ in range(T):
            g = X.T @ (X @ b - y)
            b = b - a * (g + b2 * b + b1 * np.sign(b))
        out.append(b)
    return np.stack(out)


def kernel(p: dict, T: int) -> np.ndarray:
    """kernels.diagonal.grok_diagonal on the batch: from GROK_BLAS_MIN_B members on, states
    (n, B) with the batch innermost and both products with X as dgemm on all members."""
    W0 = np.broadcast_to(p["b0"], (p["B"], 1, p["b0"].size))
    out = kd.grok_diagonal(
        p["X"],
        p["y"],
        p["b_star"],
        W0,
        T,
        alpha=p["alpha"],
        beta1=p["beta1"],
        beta2=p["beta2"],
        method="subgradient",
        log_steps=np.array([0]),
        snap_steps=np.array([0]),
        eps1=EPS,
        eps2=EPS,
    )
    if out["t_end"] != T:
        raise RuntimeError(f"grok_diagonal stopped at t = {out['t_end']} < {T}")
    return out["W"][:, 0, :].copy()


def experimental(p: dict, T: int) -> np.ndarray:
    Bv = np.ascontiguousarray(np.broadcast_to(p["b0"][:, None], (p["b0"].size, p["B"])))
    batched.grok_steps_batched(
        p["X"], p["XT"], p["y"], p["b_star"], Bv, p["alpha"], p["beta1"], p["beta2"], T, EPS, EPS
    )
    return Bv.T.copy()


def torch_impls(torch) -> list[Impl]:
    def per_config(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        y = torch.from_numpy(p["y"])
        out = []
        with torch.no_grad():
            for a, b1, b2 in zip(p["alpha"], p["beta1"], p["beta2"], strict=True):
                b = torch.from_numpy(p["b0"]).clone()
                for _ in range(T):
                    g = X.T @ (X @ b - y)
                    b = b - a * (g + b2 * b + b1 * torch.sign(b))
                out.append(b.numpy())
        return np.stack(out)

    def batch(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        XT = torch.from_numpy(p["XT"])
        y = torch.from_numpy(p["y"])[:, None]
        a, b1, b2 = (torch.from_numpy(p[k]) for k in ("alpha", "beta1", "beta2"))
        with torch.no_grad():
            b = torch.from_numpy(p["b0"])[:, None].repeat(1, p["B"])
            for _ in range(T):
                G = XT @ (X @ b - y)
                b = b - a * (G + b2 * b + b1 * torch.sign(b))
        return b.T.contiguous().numpy()

    return [
        Impl("torch per-config", "torch-per-config", per_config),
        Impl("torch batched", "torch-batched", batch),
    ]


def impls(p: dict, torch) -> list[Impl]:
    out = [Impl("numpy loop", "numpy-loop", numpy_loop)]
    if torch is not None:
        out += torch_impls(torch)
    out += [
        Impl(
            "kernel grok_diagonal (batched)",
            "kernel-batched",
            kernel,
            deterministic_check=True,
            note="project kernel, batch innermost (n, B): dgemm per product, full bookkeeping",
        ),
        Impl(
            "batched numba+dgemm (bench)",
            "experimental-batched",
            experimental,
            deterministic_check=True,
            note="benchmarks/batched.py grok_steps_batched: the update and t1/t2 only",
        ),
    ]
    return out
