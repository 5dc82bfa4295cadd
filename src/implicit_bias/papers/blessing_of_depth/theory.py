"""Reference formulas of paper 003 (spec section 9): Lemma 5's phi, the scalings of Theorems 1-4
and the E9 time scales. Constants hidden in the theorems are unknown, so every reference here
is a shape (a slope or a scaling) to be fitted with one free constant, never an absolute value.
"""

from __future__ import annotations

import math

import numpy as np

from ...kernels.diagonal import population_subgm, with_endpoint

__all__ = [
    "decrease_reference",
    "escape_factor",
    "expected_l1_risk",
    "fitting_times",
    "lad_recovery_threshold",
    "onset_ratio",
    "onset_reference",
    "phi",
    "plateau_floor",
    "polynomial_decay",
    "population_trajectory",
    "zero_predictor_mse",
]


def phi(s, p: float, sigma_o: float):
    """phi(s) = sqrt(2/pi) (1 - p + p s / sqrt(s^2 + sigma_o^2)) (Lemma 5, N(0, sigma_o^2)
    outliers; uses E[exp(-eps^2 / (2 s^2))], the squared norm of Lemma 5, spec 11.2)."""
    s = np.asarray(s, dtype=np.float64)
    return math.sqrt(2.0 / math.pi) * (1.0 - p + p * s / np.sqrt(s * s + sigma_o**2))


def expected_l1_risk(err):
    """E|<theta - theta*, x>| = sqrt(2/pi) ||theta - theta*|| for x ~ N(0, I)."""
    return math.sqrt(2.0 / math.pi) * np.asarray(err, dtype=np.float64)


def decrease_reference(gamma, N: int, c: float):
    """D_N(gamma) = c gamma^N: linear for N = 1 (Thm. 1); c = c' d / sqrt(m) for N >= 2 (Thm. 4)."""
    return float(c) * np.asarray(gamma, dtype=np.float64) ** int(N)


def lad_recovery_threshold(d: int, p: float) -> float:
    """m >= 2 pi d / (1 - 2p)^2: the proof's sufficient condition for Thm. 1(ii) (all true
    solutions global, LAD exact)."""
    if not 0 <= p < 0.5:
        raise ValueError(f"need 0 <= p < 1/2, got {p}")
    return 2.0 * math.pi * d / (1.0 - 2.0 * p) ** 2


def escape_factor(m: int, p: float, k: int) -> float:
    """sqrt(m (1 - p)^2 / k): how much longer SubGM stays near the truth than it took to get
    there (Thms. 2-3)."""
    return math.sqrt(m * (1.0 - p) ** 2 / k)


def onset_reference(alpha, N: int):
    """Scale of the convergence time T_bar times N eta: log(1/alpha) (N = 2, Thm. 2) and
    alpha^(-(N-2)/N) (N >= 3, Thm. 3); alpha is the product-scale init."""
    alpha = np.asarray(alpha, dtype=np.float64)
    if N < 2:
        raise ValueError(f"the time scale is defined for N >= 2, got {N}")
    if N == 2:
        return np.log(1.0 / alpha)
    return alpha ** (-(N - 2) / N)


def onset_ratio(onset, alpha, N: int, eta: float):
    """onset N eta / onset_reference(alpha, N): roughly constant in alpha (E9, spec 9)."""
    return np.asarray(onset, dtype=np.float64) * N * eta / onset_reference(alpha, N)


def fitting_times(theta_star, N: int, eta: float, alpha: float) -> np.ndarray:
    """Stage durations of the incremental fitting (App. proofs, stage i of k; eqs. 10, 54,
    79-81): with theta* sorted decreasingly, stage i lasts T_i = ||theta*_{i:}|| / (N eta
    theta*_i) * onset_reference(alpha, N), ||theta*_{i:}|| the norm of the coordinates not yet
    fitted; coordinate i is fitted at cumsum(T)[i]. Unit constant (a shape)."""
    th = np.sort(np.asarray(theta_star, dtype=np.float64)[np.asarray(theta_star) > 0])[::-1]
    tail = np.sqrt(np.cumsum((th**2)[::-1])[::-1])
    return tail / (N * eta * th) * float(onset_reference(alpha, N))


def polynomial_decay(t, E0: float, c: float, N: int):
    """Exact solution of dE/dt = -c E^((2N-2)/N), E(0) = E0, N >= 3:
    (E0^(-(N-2)/N) + ((N-2)/N) c t)^(-N/(N-2)) (the corrected eq. (96)-(97), spec 11.5)."""
    if N < 3:
        raise ValueError(f"polynomial decay holds for N >= 3, got {N}")
    q = (N - 2) / N
    return (E0 ** (-q) + q * c * np.asarray(t, dtype=np.float64)) ** (-1.0 / q)


def plateau_floor(N: int, eta: float, theta_max: float, alpha_prod: float, d: int, k: int):
    """max(N eta theta*_max, sqrt(d - k) alpha_prod): the step-size floor of Thms. 2-3 and the
    off-support init floor observed in the over-parameterized regime (spec 11.3)."""
    return max(N * eta * theta_max, math.sqrt(d - k) * alpha_prod)


def zero_predictor_mse(theta_norm: float = 1.0) -> float:
    """E[sin^2(theta*^T x)] = (1 - exp(-2 ||theta*||^2)) / 2 for x ~ N(0, I) (E6 reference)."""
    return (1.0 - math.exp(-2.0 * theta_norm**2)) / 2.0


def population_trajectory(
    theta_star, W0, eta: float, p: float, sigma_o: float, T: int, log_steps
) -> dict:
    """SubGM on the expected loss xi ||theta(w) - theta*|| (spec 3.6) from W0 (N, d), copied.

    Returns steps and err at them (NaN after an exact hit of theta*)."""
    W = np.array(W0, dtype=np.float64, order="C")
    grid = with_endpoint(log_steps, int(T))
    err = population_subgm(
        np.ascontiguousarray(theta_star, dtype=np.float64),
        W,
        float(p),
        float(sigma_o),
        float(eta),
        int(T),
        grid,
    )
    return {"steps": grid, "err": err, "W": W}
