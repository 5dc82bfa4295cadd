"""Baselines of paper 002 that are not gradient runs (spec 002.md section 4).

The minimum-Frobenius-norm interpolant X_LS = smat(G^T (G G^T)^{-1} y): the limit of GD on the
unfactorized X from X_0 = 0, symmetric but generally indefinite. Its svec is the projection of
svec(X*) onto the row space of G, so its relative test error is about sqrt(1 - m/D): the data
alone do not determine X* when m < D.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ...kernels.matrix import smat

__all__ = ["min_norm_interpolant"]


def min_norm_interpolant(G: np.ndarray, y: np.ndarray, d: int, chunk: int = 1024) -> np.ndarray:
    """argmin ||X||_F subject to <A_i, X> = y_i, X symmetric (needs m <= D, G of full row rank)."""
    m = G.shape[0]
    # G G^T in float64 by row blocks, so a float32 G is never copied whole
    K = np.empty((m, m))
    for i in range(0, m, chunk):
        Gi = G[i : i + chunk].astype(np.float64)
        for j in range(0, m, chunk):
            K[i : i + chunk, j : j + chunk] = Gi @ G[j : j + chunk].astype(np.float64).T
    z = cho_solve(cho_factor(K), np.asarray(y, dtype=np.float64))
    g = sum(z[i : i + chunk] @ G[i : i + chunk].astype(np.float64) for i in range(0, m, chunk))
    return smat(g, d)
