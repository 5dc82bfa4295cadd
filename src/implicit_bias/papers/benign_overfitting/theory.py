"""Reference formulas of paper 000 (spec section 10): rates, Stage-1 time, v's noise fit."""

from __future__ import annotations

import numpy as np


def min_l2_risk(d, n, sigma, beta_star_norm2=1.0):
    """E||beta_l2 - beta*||^2 = ||beta*||^2 (1 - n/d) + sigma^2 n / (d - n - 1) (isotropic X)."""
    d, n = np.asarray(d, float), np.asarray(n, float)
    return beta_star_norm2 * (1 - n / d) + sigma**2 * n / (d - n - 1)


def rate_optimal(d, n, s, sigma):
    """Order of the hybrid and shortcut-model test loss: sigma^2 (s ln(d/s)/n + n/d)."""
    d, n = np.asarray(d, float), np.asarray(n, float)
    return sigma**2 * (s * np.log(d / s) / n + n / d)


def rate_min_l1(d, n, sigma):
    """Order of the min-l1 interpolator's test loss: sigma^2 / ln(d/n)."""
    d, n = np.asarray(d, float), np.asarray(n, float)
    return sigma**2 / np.log(d / n)


def t1_reference(alpha, eps, eta, beta_min):
    """Stage-1 time of the logistic growth of alpha w_k^2 from alpha eps^2 to beta_min."""
    return np.log(beta_min / (alpha * eps**2)) / (4 * eta * alpha * beta_min)


def stage1_end(t, signal_error, b_xi, sigma, n, d, c1=1.0):
    """T1 = first logged t with max_k |(d/n) v_k + q_k - beta*_k| <= C1 (B_xi + sigma sqrt(n/d))."""
    threshold = c1 * (b_xi + sigma * np.sqrt(n / d))
    hit = np.flatnonzero(np.asarray(signal_error) <= threshold)
    return float(np.asarray(t)[hit[0]]) if hit.size else float("nan")


def v_noise_fit(t, eta, d, n, xt_xi_norm):
    """||v_noise(t)|| ~ a_t ||X^T xi||, a_t = (1 - (1 - eta d/n)^t)/d (eqs. 3-4).

    It tends to ||X^T xi||/d ~ sigma sqrt(n/d).
    """
    t = np.asarray(t, float)
    return (1 - (1 - eta * d / n) ** t) / d * xt_xi_norm


def stage2_loss(t, t1, loss_t1, eta, d, n):
    """NTK-like Stage-2 decay L(t) ~ L(T1) exp(-2 eta (d/n)(t - T1)) for t >= T1."""
    t = np.asarray(t, float)
    out = loss_t1 * np.exp(-2 * eta * (d / n) * (t - t1))
    return np.where(t >= t1, out, np.nan)


def loglog_slope(x, y):
    """Least-squares slope of log10 y against log10 x."""
    x, y = np.log10(np.asarray(x, float)), np.log10(np.asarray(y, float))
    return float(np.polyfit(x, y, 1)[0])
