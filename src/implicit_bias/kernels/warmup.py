"""Compile every kernel once (or load it from Numba's on-disk cache).

Run by the workflow's ``compile_kernels`` rule before training, so that parallel jobs do not
all compile, and write, the same cache entries at once.
"""

from __future__ import annotations

import numpy as np


def compile_all() -> list[str]:
    """Call each kernel on a tiny problem with the argument types the pipeline uses."""
    from ..data import rng_stream, sparse_regression
    from . import diagonal, lasso

    data = sparse_regression(12, 6, 2, 0.1, rng_stream(0))
    for train_v in (True, False):
        diagonal.train_shortcut_net(data, alpha=2.0, eta=1e-3, eps=1e-3, tol=1e-12, max_steps=20,
                                    train_v=train_v)
    lasso.lasso_path(data.XT, data.y, np.array([0.5, 0.1]))
    lasso.lasso_cd(data.XT, data.y, 0.1, np.zeros(data.d))
    return ["diagonal.run_gd", "diagonal.gd_step", "lasso.lasso_cd", "lasso.lasso_path"]
