"""Baselines of paper 004: least-squares / minimum-norm interpolants and basis pursuit.

b_hat = (X~^T X~ + beta2 I)^+ X~^T y* (spec 3.1(e); beta2 I, not the reference code's scalar added
to every entry), its matrix analogue vec A_hat = (X^T X + beta2 I)^+ X^T y*, and basis pursuit
min ||b||_1 s.t. X~ b = y* as an exact LP (scipy HiGHS, via baselines.min_l1_interpolator) for the
convex-programming figures 6-7. Nuclear-norm minimisation (an SDP) is not provided.
"""

from __future__ import annotations

import numpy as np

from ...baselines import min_l1_interpolator

__all__ = [
    "basis_pursuit",
    "least_squares",
    "matrix_least_squares",
    "row_space_basis",
    "row_space_projector",
]


def least_squares(X, y, beta2: float = 0.0) -> np.ndarray:
    """b_hat = (X^T X + beta2 I)^+ X^T y; for beta2 = 0 the minimum-norm least-squares solution
    X^+ y (the limit of GD from b = 0)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if beta2 == 0.0:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    if beta2 < 0:
        raise ValueError(f"beta2 must be >= 0, got {beta2}")
    n = X.shape[1]
    return np.linalg.solve(X.T @ X + beta2 * np.eye(n), X.T @ y)


def matrix_least_squares(X, y, n1: int, n2: int, beta2: float = 0.0) -> np.ndarray:
    """A_hat (n1, n2) with column-major vec A_hat = (X^T X + beta2 I)^+ X^T y. For completion with
    beta2 = 0 it is A* on Omega and 0 elsewhere."""
    return least_squares(X, y, beta2).reshape((n1, n2), order="F")


def row_space_basis(X, tol: float | None = None) -> np.ndarray:
    """V (n, rank): orthonormal basis of the row space of X (right singular vectors)."""
    X = np.asarray(X, dtype=np.float64)
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    if tol is None:
        tol = max(X.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    return Vt[s > tol].T


def row_space_projector(X) -> np.ndarray:
    """P = X^T (X X^T)^{-1} (n, N): b - P (X b - y) is the projection on {X b = y} (needs full
    row rank)."""
    X = np.asarray(X, dtype=np.float64)
    return np.linalg.solve(X @ X.T, X).T


def basis_pursuit(X, y) -> np.ndarray:
    """argmin ||b||_1 s.t. X b = y (noiseless basis pursuit, the eps = 1e-8 program of Fig. 7 with
    an exact equality), as the HiGHS LP of baselines.min_l1_interpolator."""
    X = np.asarray(X, dtype=np.float64)
    return min_l1_interpolator(np.ascontiguousarray(X.T), np.asarray(y, dtype=np.float64))
