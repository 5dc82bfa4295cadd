"""Compile a kernel module once (or load it from Numba's on-disk cache).

Run by the workflow's ``compile_kernel`` rule before training, so that parallel jobs do not
all compile, and write, the same cache entries at once.
"""

from __future__ import annotations

import numpy as np

KERNELS = ("diagonal", "lasso")


def compile_kernel(name: str) -> list[str]:
    """Call the kernels of module ``name`` on a tiny problem with the pipeline's argument types."""
    from ..data import rng_stream, sparse_regression

    data = sparse_regression(12, 6, 2, 0.1, rng_stream(0))
    if name == "diagonal":
        from . import diagonal

        for train_v in (True, False):
            diagonal.train_shortcut_net(
                data, alpha=2.0, eta=1e-3, eps=1e-3, tol=1e-12, max_steps=20, train_v=train_v
            )
        X = np.ascontiguousarray(data.XT.T)
        for model in ("depth", "uv"):
            diagonal.train_diagonal_net(
                X, data.y, 0.5, 1e-3, D=2, model=model, T_w=5, tol=1e-30, max_extra_steps=20
            )
        return ["diagonal.run_gd", "diagonal.gd_step", "diagonal.depth_steps", "diagonal.uv_steps"]
    if name == "lasso":
        from . import lasso

        lasso.lasso_path(data.XT, data.y, np.array([0.5, 0.1]))
        lasso.lasso_cd(data.XT, data.y, 0.1, np.zeros(data.d))
        return ["lasso.lasso_cd", "lasso.lasso_path"]
    raise ValueError(f"unknown kernel module {name!r} (allowed: {', '.join(KERNELS)})")
