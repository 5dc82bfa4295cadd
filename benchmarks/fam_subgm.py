"""(c) Paper 003: sub-gradient method on the l1 loss of an L-layer diagonal net, alpha x eta grid.

Pipeline call: kernels.diagonal.subgm_diagonal with W0 (B, L, d) and per-member eta
(blessing_of_depth/runs.py _timescales), d = 500, m = 300, L = 3, constant step.

FLOPs per configuration-step: residual X theta 2md, minus y m, gradient X^T sign(r) 2md, q / m d,
layer products L(L-1) d, update (eta q once, then L times w - g P and theta *= w) (3L + 1) d,
error ||theta - theta*|| 3d: 4md + m + (L(L-1) + 3L + 5) d.
"""

from __future__ import annotations

import numpy as np

from implicit_bias.kernels import diagonal as kd
from implicit_bias.papers.blessing_of_depth import datasets as bds

from . import batched
from .common import Impl

NAME = "subgm_l1"
PAPER = "003"
REGIME = "small"
TITLE = "l1 SubGM, 3-layer diagonal net"

SIZES = {
    "tiny": {"d": 12, "m": 8, "L": 3, "n_alpha": 2, "n_eta": 2, "T": 5},
    "quick": {"d": 500, "m": 300, "L": 3, "n_alpha": 4, "n_eta": 8, "T": 100},
    "full": {"d": 500, "m": 300, "L": 3, "n_alpha": 4, "n_eta": 8, "T": 1000},
}


def problem(size: dict) -> dict:
    draw = bds.robust_regression(seed=0, d=size["d"], m=size["m"], k=min(5, size["d"] // 2))
    alphas = np.array([1e-2, 3e-3, 1e-3, 3e-4][: size["n_alpha"]])
    etas = np.geomspace(1e-3, 4e-3, size["n_eta"])
    a, e = np.meshgrid(alphas, etas, indexing="ij")
    L, d = size["L"], size["d"]
    W0 = np.stack([kd.init_layers(L, d, float(al), "product") for al in a.ravel()])
    X = np.ascontiguousarray(draw["X"], dtype=np.float64)
    return {
        "X": X,
        "XT": np.ascontiguousarray(X.T),
        "y": np.ascontiguousarray(draw["y"], dtype=np.float64),
        "theta_star": np.ascontiguousarray(draw["theta_star"], dtype=np.float64),
        "W0": W0,
        "eta": e.ravel().copy(),
        "B": a.size,
    }


def gemm_shapes(p: dict):
    """The two products of a batched step: R = X Theta (m, d, B) and Q = X^T S (d, m, B)."""
    m, d = p["X"].shape
    return (m, d, p["B"]), (d, m, p["B"])


def flops_per_config_step(p: dict) -> float:
    m, d = p["X"].shape
    L = p["W0"].shape[1]
    return 4 * m * d + m + (L * (L - 1) + 3 * L + 5) * d


def initial_state(p: dict) -> np.ndarray:
    return p["W0"].reshape(p["B"], -1).copy()


def numpy_loop(p: dict, T: int) -> np.ndarray:
    X, y = p["X"], p["y"]
    m = X.shape[0]
    out = []
    for W0, eta in zip(p["W0"], p["eta"], strict=True):
        W = W0.copy()
        L = W.shape[0]
        for _ in range(T):
            q = X.T @ np.sign(X @ W.prod(axis=0) - y) / m
            P = np.stack([np.delete(W, a, axis=0).prod(axis=0) for a in range(L)])
            W = W - eta * q * P
        out.append(W.ravel())
    return np.stack(out)


def kernel(p: dict, T: int) -> np.ndarray:
    """kernels.diagonal.subgm_diagonal on the whole batch (from SUBGM_BLAS_MIN_B members on, the
    members are the contiguous inner dimension and both products with X are dgemm)."""
    out = kd.subgm_diagonal(
        p["X"],
        p["y"],
        p["theta_star"],
        p["W0"],
        T,
        eta=p["eta"],
        log_steps=np.array([0]),
        err_hit=0.5 * float(np.linalg.norm(p["theta_star"])),
    )
    if out["t_end"] != T:
        raise RuntimeError(f"subgm_diagonal stopped at t = {out['t_end']} < {T}")
    return out["W"].reshape(p["B"], -1).copy()


def experimental(p: dict, T: int) -> np.ndarray:
    W = np.ascontiguousarray(p["W0"].transpose(1, 2, 0))  # (L, d, B)
    batched.subgm_steps_batched(p["X"], p["XT"], p["y"], p["theta_star"], W, p["eta"], T)
    return W.transpose(2, 0, 1).reshape(p["B"], -1).copy()


def torch_impls(torch) -> list[Impl]:
    def per_config(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        y = torch.from_numpy(p["y"])
        m = X.shape[0]
        out = []
        with torch.no_grad():
            for W0, eta in zip(p["W0"], p["eta"], strict=True):
                W = torch.from_numpy(W0).clone()
                L = W.shape[0]
                for _ in range(T):
                    q = X.T @ torch.sign(X @ W.prod(dim=0) - y) / m
                    P = torch.stack([torch.cat([W[:a], W[a + 1 :]]).prod(dim=0) for a in range(L)])
                    W = W - float(eta) * q * P
                out.append(W.reshape(-1).numpy())
        return np.stack(out)

    def batch(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        XT = torch.from_numpy(p["XT"])
        y = torch.from_numpy(p["y"])[:, None]
        eta = torch.from_numpy(p["eta"])
        m = X.shape[0]
        with torch.no_grad():
            W = torch.from_numpy(np.ascontiguousarray(p["W0"].transpose(1, 2, 0)))  # (L, d, B)
            L = W.shape[0]
            for _ in range(T):
                Q = XT @ torch.sign(X @ W.prod(dim=0) - y) / m
                P = torch.stack([torch.cat([W[:a], W[a + 1 :]]).prod(dim=0) for a in range(L)])
                W = W - eta * Q * P
        return W.permute(2, 0, 1).reshape(p["B"], -1).numpy()

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
            "kernel subgm_diagonal (batched)",
            "kernel-batched",
            kernel,
            deterministic_check=True,
            note="project kernel, batch innermost (d, B): one dgemm per product with X",
        ),
        Impl(
            "batched numba+dgemm (bench)",
            "experimental-batched",
            experimental,
            deterministic_check=True,
            note="benchmarks/batched.py subgm_steps_batched: batch innermost, dgemm per product",
        ),
    ]
    return out
