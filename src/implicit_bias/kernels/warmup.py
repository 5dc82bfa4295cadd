"""Compile a kernel module once (or load it from Numba's on-disk cache).

Run by the workflow's ``compile_kernel`` rule before training, so that parallel jobs do not
all compile, and write, the same cache entries at once.
"""

from __future__ import annotations

import numpy as np

KERNELS = ("diagonal", "lasso", "matrix", "deep_matrix", "nuclear")


def compile_kernel(name: str) -> list[str]:
    """Call the kernels of module ``name`` on a tiny problem with the pipeline's argument types.

    Each kernel runs once in one call and once in segments (the path of a training job that
    reports progress), so both are in the cache.
    """
    from ..data import rng_stream, sparse_regression
    from ..progress import Progress

    def chunks():
        return Progress("compile", chunk=2)

    data = sparse_regression(12, 6, 2, 0.1, rng_stream(0))
    if name == "diagonal":
        from . import diagonal

        for train_v in (True, False):
            for progress in (None, chunks()):
                diagonal.train_shortcut_net(
                    data, alpha=2.0, eta=1e-3, eps=1e-3, tol=1e-12, max_steps=20,
                    train_v=train_v, progress=progress,
                )  # fmt: skip
        X = np.ascontiguousarray(data.XT.T)
        for model in ("depth", "uv"):
            diagonal.train_diagonal_net(
                X, data.y, 0.5, 1e-3, D=2, model=model, T_w=5, tol=1e-30, max_extra_steps=20
            )
            for progress in (None, chunks()):
                diagonal.train_diagonal_nets(
                    X, data.y, 0.5, [1e-3, 2e-3], D=2, model=model, T_w=5, tol=1e-30,
                    max_extra_steps=20, progress=progress,
                )  # fmt: skip
        # the l1 SubGM of paper 003, every schedule, and its population skeleton
        theta_star = np.ascontiguousarray(data.beta_star)
        W0 = diagonal.init_layers(2, data.d, 1e-2)
        for schedule in diagonal.SCHEDULES:
            for progress in (None, chunks()):
                diagonal.subgm_diagonal(
                    X, data.y, theta_star, W0, 5, schedule=schedule, rho=0.9, milestones=(2,),
                    progress=progress,
                )  # fmt: skip
        diagonal.population_subgm(theta_star, W0.copy(), 0.1, 1.0, 1e-3, 3, np.arange(4))
        # paper 004: sparse recovery (every method, complex pairs) and a depth-2 diagonal net
        Xs, ys = np.ascontiguousarray(data.XT[:6].T), data.y  # (6, 6)
        b0 = np.full((1, 6), 1e-3)
        for progress in (None, chunks()):
            for method in diagonal.GROK_METHODS:
                diagonal.grok_diagonal(
                    Xs, ys, theta_star[:6], b0, 3, method=method, progress=progress
                )
            diagonal.grok_diagonal(
                Xs, ys, theta_star[:6], b0, 3, pairs=True, decay_b=1.0, progress=progress
            )
            diagonal.grok_diagonal(
                Xs, ys, theta_star[:6], np.full((2, 6), 0.1), 3, progress=progress
            )
        return [
            "diagonal.grok_diagonal_steps",
            "diagonal._grok_segment",
            "diagonal.run_gd",
            "diagonal._run_gd_segment",
            "diagonal.gd_step",
            "diagonal.depth_steps",
            "diagonal.uv_steps",
            "diagonal.diagonal_batch_steps",
            "diagonal.subgm_diagonal_steps",
            "diagonal._subgm_segment",
            "diagonal.population_subgm",
        ]
    if name == "deep_matrix":
        from . import deep_matrix

        rng = rng_stream(0, 1)
        A = rng.standard_normal((8, 9))
        Xstar = rng.standard_normal((3, 3))
        W0 = 0.1 * rng.standard_normal((2, 3, 3))
        for progress in (None, chunks()):
            deep_matrix.subgm_deep_matrix(
                A, A @ Xstar.ravel(), Xstar, W0, 1e-3, 5, progress=progress
            )
        return ["deep_matrix.subgm_deep_matrix_steps", "deep_matrix._deep_matrix_segment"]
    if name == "nuclear":
        from . import nuclear

        rng = rng_stream(0, 2)
        A_star = rng.standard_normal((3, 1)) @ rng.standard_normal((1, 4))
        X = rng.standard_normal((6, 12))
        for method in nuclear.NUCLEAR_METHODS:
            for progress in (None, chunks()):
                nuclear.nuclear_gd(
                    X, X @ nuclear.vec(A_star), A_star, 1e-3 * np.eye(3, 4), 3, method=method,
                    progress=progress,
                )  # fmt: skip
        return ["nuclear.nuclear_steps", "nuclear._nuclear_segment"]
    if name == "lasso":
        from . import lasso

        lasso.lasso_path(data.XT, data.y, np.array([0.5, 0.1]))
        lasso.lasso_cd(data.XT, data.y, 0.1, np.zeros(data.d))
        return ["lasso.lasso_cd", "lasso.lasso_path"]
    if name == "matrix":
        from . import matrix

        rng = rng_stream(0, 1)
        Xd, U = rng.standard_normal((8, 4)), np.eye(4)
        matrix.nn_sgd_steps(U, Xd, np.ones(8), np.arange(8, dtype=np.int64), 1e-3)
        # the sensing sweep for both measurement dtypes (G is float32 in some experiments)
        Gs = rng.standard_normal((20, 10))
        for dtype in (np.float64, np.float32):
            matrix.sensing_gd_step(0.1 * np.eye(4), Gs.astype(dtype), np.ones(20), 1e-3)
        return ["matrix.nn_sgd_steps", "matrix._sweep_blocks"]
    raise ValueError(f"unknown kernel module {name!r} (allowed: {', '.join(KERNELS)})")
