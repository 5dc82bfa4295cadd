"""(e) Paper 002: factorized GD for matrix sensing, U <- U - 2 eta M(UU^T - X*) U, alpha batch.

Pipeline call: kernels.matrix.sensing_gd_step on a batch U (K, d, d) that shares the packed
sensing matrix G (m, D), D = d(d+1)/2 (what run_sensing_gd does per step), d = 100, r = 5,
m = 5 d r = 2500, float64 G (G is 101 MB: every pass over it streams from memory).

FLOPs per configuration-step: X = U U^T 2d^3, residuals G svec(X) 2mD, gradient r G 2mD,
M U 2d^3, minus y m, step 2d^2: 4mD + 4d^3 + m + 2d^2 (svec/smat are copies, not counted).
"""

from __future__ import annotations

import math

import numpy as np

from implicit_bias.kernels import matrix as km
from implicit_bias.papers.matrix_sensing import datasets as mds

from .common import Impl

NAME = "sensing_gd"
PAPER = "002"
REGIME = "matrix"
TITLE = "matrix sensing factorized GD, d=100"

SIZES = {
    "tiny": {"d": 6, "r": 2, "m": 30, "K": 3, "T": 5, "threads": 2},
    "quick": {"d": 100, "r": 5, "m": 2500, "K": 8, "T": 3, "threads": 2},
    "full": {"d": 100, "r": 5, "m": 2500, "K": 8, "T": 15, "threads": 2},
}
ETA = 0.0025
C = km.CONVENTIONS["true"]


def problem(size: dict) -> dict:
    draw = mds.matrix_sensing(size["d"], size["r"], size["m"], seed=0, dtype=np.float64)
    K = size["K"]
    return {
        "G": np.ascontiguousarray(draw["G"]),
        "y": np.ascontiguousarray(draw["y"]),
        "d": size["d"],
        "alpha": np.geomspace(1.0, 1e-3, K),
        "B": K,
        "threads": size["threads"],
    }


def gemm_shapes(p: dict):
    """The two products of a batched step: R = G S^T (m, D, K) and g = R^T G (K, m, D)."""
    m, D = p["G"].shape
    return (m, D, p["B"]), (p["B"], m, D)


def flops_per_config_step(p: dict) -> float:
    m, D = p["G"].shape
    d = p["d"]
    return 4 * m * D + 4 * d**3 + m + 2 * d * d


def data_bytes(p: dict) -> int:
    return p["G"].nbytes


def initial_state(p: dict) -> np.ndarray:
    d = p["d"]
    return (p["alpha"][:, None, None] * np.eye(d)).reshape(p["B"], -1)


def _packing(d: int):
    i, j = np.triu_indices(d)
    w = np.where(i == j, 1.0, math.sqrt(2.0))
    return i, j, w


def numpy_loop(p: dict, T: int) -> np.ndarray:
    """Per alpha: A(UU^T) = G svec(UU^T), M = smat(G^T r / m), U -= 2 eta M U."""
    G, y, d = p["G"], p["y"], p["d"]
    m = G.shape[0]
    i, j, w = _packing(d)
    out = []
    for alpha in p["alpha"]:
        U = alpha * np.eye(d)
        for _ in range(T):
            r = G @ ((U @ U.T)[i, j] * w) - y
            gp = (G.T @ r) / m / w
            M = np.zeros((d, d))
            M[i, j] = gp
            M[j, i] = gp
            U = U - C * ETA * (M @ U)
        out.append(U.ravel())
    return np.stack(out)


def kernel(p: dict, T: int) -> np.ndarray:
    U = p["alpha"][:, None, None] * np.eye(p["d"])
    for _ in range(T):
        U = km.sensing_gd_step(U, p["G"], p["y"], ETA, "true")
    return U.reshape(p["B"], -1)


def torch_impls(torch, nt: int, K: int) -> list[Impl]:
    def setup(p):
        d = p["d"]
        i, j, w = _packing(d)
        return (
            torch.from_numpy(p["G"]),
            torch.from_numpy(p["y"]),
            torch.from_numpy(i),
            torch.from_numpy(j),
            torch.from_numpy(w),
        )

    def per_config(p: dict, T: int) -> np.ndarray:
        G, y, i, j, w = setup(p)
        d = p["d"]
        m = G.shape[0]
        out = []
        with torch.no_grad():
            for alpha in p["alpha"]:
                U = float(alpha) * torch.eye(d, dtype=torch.float64)
                for _ in range(T):
                    r = G @ ((U @ U.T)[i, j] * w) - y
                    gp = (G.T @ r) / m / w
                    M = torch.zeros((d, d), dtype=torch.float64)
                    M[i, j] = gp
                    M[j, i] = gp
                    U = U - C * ETA * (M @ U)
                out.append(U.reshape(-1).numpy())
        return np.stack(out)

    def batch(p: dict, T: int) -> np.ndarray:
        G, y, i, j, w = setup(p)
        d = p["d"]
        m = G.shape[0]
        with torch.no_grad():
            alpha = torch.from_numpy(p["alpha"])
            U = alpha[:, None, None] * torch.eye(d, dtype=torch.float64)
            for _ in range(T):
                R = ((U @ U.transpose(1, 2))[:, i, j] * w) @ G.T - y
                gp = (R @ G) / m / w
                M = torch.zeros((K, d, d), dtype=torch.float64)
                M[:, i, j] = gp
                M[:, j, i] = gp
                U = U - C * ETA * (M @ U)
        return U.reshape(K, -1).numpy()

    return [
        Impl("torch per-config", "torch-per-config", per_config, nt, data_passes=2 * K),
        Impl("torch batched", "torch-batched", batch, nt, data_passes=2),
    ]


def impls(p: dict, torch) -> list[Impl]:
    nt = p["threads"]
    K = p["B"]
    out = [Impl("numpy loop", "numpy-loop", numpy_loop, nt, data_passes=2 * K)]
    if torch is not None:
        out += torch_impls(torch, nt, K)
    out.append(
        Impl(
            "kernel sensing_gd_step (batched)",
            "kernel-batched",
            kernel,
            nt,
            deterministic_check=True,
            note="project kernel: one pass over G per step for the whole batch, 16-row blocks"
            " in two lanes on Numba threads (BLAS on one thread), two BLAS products per block",
            data_passes=1,
        )
    )
    out.append(
        Impl(
            "kernel sensing_gd_step, 1 thread",
            "kernel-batched",
            kernel,
            1,
            deterministic_check=True,
            note="the same on one thread, as in pipeline jobs (one job per core)",
            data_passes=1,
        )
    )
    return out
