"""(a) Paper 001: GD on the depth-D diagonal net beta = u_p^D - u_m^D, an alpha x eta grid.

Pipeline call: kernels.diagonal.diagonal_batch_steps on the whole alpha x eta grid of one draw
(through train_diagonal_nets); train_diagonal_net's one-run kernel depth_steps is timed per
configuration beside it. d = 100, N = 50, D = 2, linear warm-up T_w = 25000.

FLOPs per configuration-step (D = 2): gradient X^T r 2Nd, residual X beta 2Nd, minus y N,
loss 2N, update 10 d (g / N, eta_t D g, two axpy-like updates of 2 each, beta 3): 4Nd + 10d + 3N.
"""

from __future__ import annotations

import numpy as np

from implicit_bias.kernels import diagonal as kd
from implicit_bias.papers.step_size_bias.datasets import as_problem, generate

from .common import Impl

NAME = "depth_gd"
PAPER = "001"
REGIME = "small"
TITLE = "diagonal net GD (depth D=2)"

SIZES = {
    "tiny": {"d": 12, "N": 6, "n_alpha": 2, "n_eta": 2, "T": 5},
    "quick": {"d": 100, "N": 50, "n_alpha": 4, "n_eta": 8, "T": 300},
    "full": {"d": 100, "N": 50, "n_alpha": 4, "n_eta": 8, "T": 3000},
}
T_W = 25_000  # kernels.diagonal.MIN_WARMUP: every step of the benchmark is in the warm-up
D = 2


def check_problem(size: dict) -> dict:
    """No warm-up, so that a few steps move the parameters well above rounding."""
    return {**problem(size), "T_w": 1}


def problem(size: dict) -> dict:
    prob = as_problem(generate(d=size["d"], N=size["N"], seed=0))
    alphas = np.array([0.01, 0.1, 0.5, 1.0][: size["n_alpha"]])
    etas = np.geomspace(1e-5, 1e-4, size["n_eta"])
    a, e = np.meshgrid(alphas, etas, indexing="ij")
    return {
        "X": prob["X"],
        "XT": prob["XT"],
        "y": prob["y"],
        "alpha": a.ravel().copy(),
        "eta": e.ravel().copy(),
        "B": a.size,
        "T_w": T_W,
    }


def gemm_shapes(p: dict):
    """The two products of a batched step: G = X^T R (d, N, B) and R = X Beta (N, d, B)."""
    N, d = p["X"].shape
    return (d, N, p["B"]), (N, d, p["B"])


def flops_per_config_step(p: dict) -> float:
    N, d = p["X"].shape
    return 4 * N * d + 10 * d + 3 * N


def initial_state(p: dict) -> np.ndarray:
    d = p["X"].shape[1]
    return np.repeat(p["alpha"][:, None], 2 * d, axis=1)


def numpy_loop(p: dict, T: int) -> np.ndarray:
    """What the paper's author writes: one configuration at a time, NumPy vector ops."""
    X, y = p["X"], p["y"]
    N, d = X.shape
    out = []
    for alpha, eta in zip(p["alpha"], p["eta"], strict=True):
        u_p = np.full(d, alpha)
        u_m = np.full(d, alpha)
        r = X @ (u_p**D - u_m**D) - y
        for t in range(T):
            eta_t = eta * min(1.0, (t + 1) / p["T_w"])
            g = X.T @ r / N
            s = eta_t * D * g
            u_p, u_m = u_p - s * u_p ** (D - 1), u_m + s * u_m ** (D - 1)
            r = X @ (u_p**D - u_m**D) - y
        out.append(np.concatenate([u_p, u_m]))
    return np.stack(out)


def kernel(p: dict, T: int) -> np.ndarray:
    """kernels.diagonal.depth_steps per configuration, as train_diagonal_net calls it."""
    X, XT, y = p["X"], p["XT"], p["y"]
    N, d = X.shape
    r = np.empty(N)
    g = np.empty(d)
    out = []
    for alpha, eta in zip(p["alpha"], p["eta"], strict=True):
        u_p = np.full(d, alpha)
        u_m = np.full(d, alpha)
        t, _, _ = kd.depth_steps(X, XT, y, u_p, u_m, D, eta, p["T_w"], 0, T, -1.0, 0, r, g)
        if t != T:
            raise RuntimeError(f"depth_steps stopped at t = {t} < {T}")
        out.append(np.concatenate([u_p, u_m]))
    return np.stack(out)


def kernel_batched(p: dict, T: int) -> np.ndarray:
    """kernels.diagonal.diagonal_batch_steps on the whole grid, as train_diagonal_nets calls it."""
    X, XT, y = p["X"], p["XT"], p["y"]
    N, d = X.shape
    B = p["B"]
    P = np.ascontiguousarray(np.broadcast_to(p["alpha"], (2, d, B)))
    t = np.zeros(B, dtype=np.int64)
    made = kd.diagonal_batch_steps(
        X, XT, y, P, False, D, p["eta"], np.full(B, p["T_w"], dtype=np.int64), t,
        np.full(B, T, dtype=np.int64), -1.0, np.zeros(B, dtype=np.int64), T,
        np.empty((N, B)), np.empty((d, B)), np.empty((d, B)), np.empty(B),
        np.empty(B, dtype=np.int64),
    )  # fmt: skip
    if made != T:
        raise RuntimeError(f"diagonal_batch_steps stopped after {made} < {T} steps")
    return np.concatenate([P[0].T, P[1].T], axis=1)


def torch_impls(torch) -> list[Impl]:
    def per_config(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        y = torch.from_numpy(p["y"])
        N, d = X.shape
        out = []
        with torch.no_grad():
            for alpha, eta in zip(p["alpha"], p["eta"], strict=True):
                u_p = torch.full((d,), float(alpha), dtype=torch.float64)
                u_m = u_p.clone()
                r = X @ (u_p**D - u_m**D) - y
                for t in range(T):
                    eta_t = float(eta) * min(1.0, (t + 1) / p["T_w"])
                    s = (eta_t * D) * (X.T @ r / N)
                    u_p, u_m = u_p - s * u_p ** (D - 1), u_m + s * u_m ** (D - 1)
                    r = X @ (u_p**D - u_m**D) - y
                out.append(torch.cat([u_p, u_m]).numpy())
        return np.stack(out)

    def batch(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        XT = torch.from_numpy(p["XT"])
        y = torch.from_numpy(p["y"])[:, None]
        eta = torch.from_numpy(p["eta"])
        N, d = X.shape
        with torch.no_grad():
            u_p = torch.from_numpy(p["alpha"]).repeat(d, 1)
            u_m = u_p.clone()
            R = X @ (u_p**D - u_m**D) - y
            for t in range(T):
                s = (eta * (min(1.0, (t + 1) / p["T_w"]) * D)) * (XT @ R / N)
                u_p, u_m = u_p - s * u_p ** (D - 1), u_m + s * u_m ** (D - 1)
                R = X @ (u_p**D - u_m**D) - y
        return torch.cat([u_p.T, u_m.T], dim=1).numpy()

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
            "kernel depth_steps (per config)",
            "kernel",
            kernel,
            deterministic_check=True,
            note="project kernel, one call per configuration",
        ),
        Impl(
            "kernel diagonal_batch_steps (batched)",
            "kernel-batched",
            kernel_batched,
            deterministic_check=True,
            note="project kernel, batch innermost (d, B): one dgemm per product, per-run stops",
        ),
    ]
    return out
