"""(d) Paper 000, large regime: GD on beta = v + alpha (w^2 - u^2), 64 configurations sharing X.

Project kernels: kernels.diagonal.train_shortcut_net (-> run_gd, fused gd_step) once per
configuration, and the batched kernels.shortcut_batch.train_shortcut_nets, one call for the 64
(batch outermost, two dgemm per step split over fixed column parts, update fused per column
block; it logs its metrics at every grid step, here every step, as run_gd does). The
benchmarks/batched.py shortcut_steps_batched rows (batch innermost, BLAS-threaded products)
stay for comparison. Sizes: n = 500, d = 10^4 (X is 40 MB, far above the per-core L2), an
8 x 8 alpha x eta grid.

FLOPs per configuration-step: X^T r 2nd, X beta 2nd, minus y n, loss 2n, update 13 d
(g / n, 2 eta alpha g, w, u, v updates 7, beta 4): 4nd + 13d + 3n.
"""

from __future__ import annotations

import numpy as np

from implicit_bias.data import SparseRegression, rng_stream, sparse_regression
from implicit_bias.kernels import diagonal as kd
from implicit_bias.kernels import shortcut_batch as ksb

from . import batched
from .common import Impl

NAME = "shortcut_gd"
PAPER = "000"
REGIME = "large"
TITLE = "v + alpha(w^2-u^2) GD, n=500, d=1e4"

SIZES = {
    "tiny": {"d": 40, "n": 10, "n_alpha": 2, "n_eta": 2, "T": 5, "threads": 2},
    "quick": {"d": 10_000, "n": 500, "n_alpha": 8, "n_eta": 8, "T": 3, "threads": 2},
    "full": {"d": 10_000, "n": 500, "n_alpha": 8, "n_eta": 8, "T": 20, "threads": 2},
}
EPS = 1e-3  # w = u = eps at t = 0 (the paper's 1e-10 leaves w, u frozen over a few steps)


def problem(size: dict) -> dict:
    data = sparse_regression(size["d"], size["n"], 3, 0.1, rng_stream(0))
    alphas = np.geomspace(1.0, 1e3, size["n_alpha"])
    etas = np.geomspace(1e-6, 1e-4, size["n_eta"])
    a, e = np.meshgrid(alphas, etas, indexing="ij")
    return {
        "data": data,
        "X": np.ascontiguousarray(data.XT.T),
        "XT": data.XT,
        "y": np.ascontiguousarray(data.y),
        "alpha": a.ravel().copy(),
        "eta": e.ravel().copy(),
        "B": a.size,
        "threads": size["threads"],
    }


def gemm_shapes(p: dict):
    """The two products of a batched step: G = X^T R (d, n, B) and R = X Beta (n, d, B)."""
    n, d = p["X"].shape
    return (d, n, p["B"]), (n, d, p["B"])


def flops_per_config_step(p: dict) -> float:
    n, d = p["X"].shape
    return 4 * n * d + 13 * d + 3 * n


def data_bytes(p: dict) -> int:
    return p["X"].nbytes


def initial_state(p: dict) -> np.ndarray:
    d = p["X"].shape[1]
    return np.concatenate([np.full((p["B"], 2 * d), EPS), np.zeros((p["B"], d))], axis=1)


def numpy_loop(p: dict, T: int) -> np.ndarray:
    X, y = p["X"], p["y"]
    n, d = X.shape
    out = []
    for alpha, eta in zip(p["alpha"], p["eta"], strict=True):
        w = np.full(d, EPS)
        u = np.full(d, EPS)
        v = np.zeros(d)
        for _ in range(T):
            r = X @ (v + alpha * (w * w - u * u)) - y
            g = X.T @ r / n
            w = w * (1 - 2 * eta * alpha * g)
            u = u * (1 + 2 * eta * alpha * g)
            v = v - eta * g
        out.append(np.concatenate([w, u, v]))
    return np.stack(out)


def kernel(p: dict, T: int) -> np.ndarray:
    """kernels.diagonal.train_shortcut_net per configuration, as paper 000's runs.py calls it."""
    data: SparseRegression = p["data"]
    out = []
    for alpha, eta in zip(p["alpha"], p["eta"], strict=True):
        res = kd.train_shortcut_net(
            data, alpha=float(alpha), eta=float(eta), eps=EPS, tol=-1.0, max_steps=T
        )
        if res["t_end"] != T:
            raise RuntimeError(f"run_gd stopped at t = {res['t_end']} < {T}")
        out.append(np.concatenate([res["w"], res["u"], res["v"]]))
    return np.stack(out)


def kernel_batched(p: dict, T: int) -> np.ndarray:
    """kernels.shortcut_batch.train_shortcut_nets: the 64 configurations in one call."""
    res = ksb.train_shortcut_nets(
        p["data"], alpha=p["alpha"], eta=p["eta"], eps=EPS, tol=-1.0, max_steps=T
    )
    if any(r["t_end"] != T for r in res):
        raise RuntimeError(f"train_shortcut_nets stopped before t = {T}")
    return np.stack([np.concatenate([r["w"], r["u"], r["v"]]) for r in res])


def experimental(p: dict, T: int, parallel: bool = True) -> np.ndarray:
    d = p["X"].shape[1]
    W = np.full((d, p["B"]), EPS)
    U = W.copy()
    V = np.zeros((d, p["B"]))
    batched.shortcut_steps_batched(
        p["X"], p["XT"], p["y"], W, U, V, p["alpha"], p["eta"], T, parallel
    )
    return np.concatenate([W.T, U.T, V.T], axis=1)


def experimental_serial_update(p: dict, T: int) -> np.ndarray:
    return experimental(p, T, parallel=False)


def torch_impls(torch, nt: int, B: int) -> list[Impl]:
    def per_config(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        XT = torch.from_numpy(p["XT"])
        y = torch.from_numpy(p["y"])
        n, d = X.shape
        out = []
        with torch.no_grad():
            for alpha, eta in zip(p["alpha"], p["eta"], strict=True):
                alpha, eta = float(alpha), float(eta)
                w = torch.full((d,), EPS, dtype=torch.float64)
                u = w.clone()
                v = torch.zeros(d, dtype=torch.float64)
                for _ in range(T):
                    g = XT @ (X @ (v + alpha * (w * w - u * u)) - y) / n
                    w = w * (1 - 2 * eta * alpha * g)
                    u = u * (1 + 2 * eta * alpha * g)
                    v = v - eta * g
                out.append(torch.cat([w, u, v]).numpy())
        return np.stack(out)

    def batch(p: dict, T: int) -> np.ndarray:
        X = torch.from_numpy(p["X"])
        XT = torch.from_numpy(p["XT"])
        y = torch.from_numpy(p["y"])[:, None]
        alpha = torch.from_numpy(p["alpha"])
        eta = torch.from_numpy(p["eta"])
        n, d = X.shape
        with torch.no_grad():
            W = torch.full((d, p["B"]), EPS, dtype=torch.float64)
            U = W.clone()
            V = torch.zeros((d, p["B"]), dtype=torch.float64)
            for _ in range(T):
                G = XT @ (X @ (V + alpha * (W * W - U * U)) - y) / n
                W = W * (1 - 2 * eta * alpha * G)
                U = U * (1 + 2 * eta * alpha * G)
                V = V - eta * G
        return torch.cat([W.T, U.T, V.T], dim=1).numpy()

    return [
        Impl("torch per-config", "torch-per-config", per_config, nt, data_passes=2 * B),
        Impl("torch batched", "torch-batched", batch, nt, data_passes=2),
    ]


def impls(p: dict, torch) -> list[Impl]:
    nt = p["threads"]
    B = p["B"]
    out = [Impl("numpy loop", "numpy-loop", numpy_loop, nt, data_passes=2 * B)]
    if torch is not None:
        out += torch_impls(torch, nt, B)
    out += [
        Impl(
            "kernel run_gd (per config)",
            "kernel",
            kernel,
            nt,
            deterministic_check=True,
            note="project kernel, serial (1 core), one fused pass over X per config-step",
            data_passes=B,
        ),
        Impl(
            "kernel train_shortcut_nets (batched)",
            "kernel-batched",
            kernel_batched,
            nt,
            deterministic_check=True,
            note="project kernel: 2 dgemm/step on 2 fixed column parts (1-thread BLAS each), "
            "update and logged metrics fused per column block",
            data_passes=2,
        ),
        Impl(
            "batched dgemm, prange update (bench)",
            "experimental-batched",
            experimental,
            nt,
            deterministic_check=True,
            note="benchmarks/batched.py shortcut_steps_batched: 2 dgemm/step, prange update",
            data_passes=2,
        ),
        Impl(
            "batched dgemm, serial update (bench)",
            "experimental-batched",
            experimental_serial_update,
            nt,
            deterministic_check=True,
            note="as above with the update on one thread (no Numba/BLAS thread-pool handover)",
            data_passes=2,
        ),
    ]
    return out
