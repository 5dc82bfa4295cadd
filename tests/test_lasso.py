import math

import numpy as np
import pytest

from implicit_bias.data import rng_stream, sparse_regression
from implicit_bias.kernels.lasso import lasso_cd, lasso_path


def _objective(XT, y, beta, lam):
    r = y - XT.T @ beta
    return r @ r / (2 * y.size) + lam * np.sum(np.abs(beta))


def _fista(XT, y, lam, iters):
    """Accelerated proximal gradient reference with step 1/L, L = ||X||_2^2 / n."""
    n = y.size
    step = n / np.linalg.norm(XT, 2) ** 2
    beta = np.zeros(XT.shape[0])
    z = beta.copy()
    t = 1.0
    for _ in range(iters):
        grad = XT @ (XT.T @ z - y) / n
        x = z - step * grad
        beta_next = np.sign(x) * np.maximum(np.abs(x) - step * lam, 0.0)
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        z = beta_next + (t - 1) / t_next * (beta_next - beta)
        beta, t = beta_next, t_next
    return beta


def _assert_kkt(XT, y, beta, lam, rel=1e-6):
    n = y.size
    corr = XT @ (y - XT.T @ beta) / n
    assert np.max(np.abs(corr)) <= lam * (1 + rel)
    on = beta != 0
    np.testing.assert_allclose(corr[on], lam * np.sign(beta[on]), rtol=0, atol=rel * lam)


@pytest.fixture(scope="module")
def problem():
    return sparse_regression(500, 67, 3, 0.1, rng_stream(21, 500, 0))


@pytest.mark.parametrize("mult", [0.1, 0.5, 1.0, 5.0])
def test_kkt_conditions(problem, mult):
    XT, y = problem.XT, problem.y
    d, n = XT.shape
    lam = mult * 0.1 * math.sqrt(math.log(d) / n)
    beta, epochs, gap = lasso_cd(XT, y, lam, np.zeros(d))
    assert gap <= 1e-10 * (y @ y) / (2 * n)
    assert 0 < epochs < 100_000
    assert np.count_nonzero(beta) > 0
    _assert_kkt(XT, y, beta, lam)


def test_zero_above_lambda_max(problem):
    XT, y = problem.XT, problem.y
    lam_max = np.max(np.abs(XT @ y)) / y.size
    beta, _, gap = lasso_cd(XT, y, lam_max * 1.001, np.zeros(XT.shape[0]))
    assert np.all(beta == 0.0)
    assert abs(gap) < 1e-14
    beta, _, _ = lasso_cd(XT, y, lam_max * 0.9, np.zeros(XT.shape[0]))
    assert np.count_nonzero(beta) >= 1


def test_agrees_with_fista_strongly_convex():
    # n > d: strongly convex, so the minimizer is unique and FISTA converges linearly
    rng = rng_stream(22)
    d, n = 30, 90
    XT = rng.standard_normal((d, n))
    beta_true = np.zeros(d)
    beta_true[:5] = [1.0, -2.0, 0.5, 0.3, -0.1]
    y = XT.T @ beta_true + 0.3 * rng.standard_normal(n)
    lam = 0.08
    beta_cd, _, _ = lasso_cd(XT, y, lam, np.zeros(d), tol=1e-14)
    beta_ref = _fista(XT, y, lam, 5000)
    np.testing.assert_allclose(beta_cd, beta_ref, rtol=0, atol=1e-9)
    assert np.count_nonzero(beta_cd) < d  # the penalty is active


def test_agrees_with_fista_high_dimensional(problem):
    XT, y = problem.XT, problem.y
    d, n = XT.shape
    lam = 0.05
    beta_cd, _, _ = lasso_cd(XT, y, lam, np.zeros(d), tol=1e-14)
    beta_ref = _fista(XT, y, lam, 20_000)
    f_cd, f_ref = _objective(XT, y, beta_cd, lam), _objective(XT, y, beta_ref, lam)
    assert f_cd <= f_ref + 1e-12
    assert f_ref - f_cd < 1e-9
    np.testing.assert_allclose(beta_cd, beta_ref, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(beta_cd != 0, np.abs(beta_ref) > 1e-8)


def test_warm_start_reaches_same_solution(problem):
    XT, y = problem.XT, problem.y
    d = XT.shape[0]
    lam = 0.01
    cold, _, _ = lasso_cd(XT, y, lam, np.zeros(d), tol=1e-14)
    start = np.random.default_rng(0).standard_normal(d)
    warm, _, _ = lasso_cd(XT, y, lam, start, tol=1e-14)
    np.testing.assert_allclose(warm, cold, rtol=0, atol=1e-7)
    # beta0 is not modified
    assert not np.all(start == warm)


def test_max_epochs_caps_work(problem):
    XT, y = problem.XT, problem.y
    _, epochs, gap = lasso_cd(XT, y, 0.002, np.zeros(XT.shape[0]), max_epochs=3)
    assert epochs == 3
    assert gap > 1e-10 * (y @ y) / (2 * y.size)


def test_lasso_path_order(problem):
    XT, y = problem.XT, problem.y
    d = XT.shape[0]
    lams = np.array([0.02, 0.2, 0.002, 0.05])  # deliberately unsorted
    path = lasso_path(XT, y, lams)
    assert path.shape == (lams.size, d)
    for k, lam in enumerate(lams):
        single, _, _ = lasso_cd(XT, y, lam, np.zeros(d))
        np.testing.assert_allclose(path[k], single, rtol=0, atol=1e-6)
        _assert_kkt(XT, y, path[k], lam)
    # larger lam, sparser solution
    nnz = [np.count_nonzero(path[k]) for k in np.argsort(lams)]
    assert nnz == sorted(nnz, reverse=True)


def test_bad_inputs(problem):
    with pytest.raises(ValueError):
        lasso_cd(problem.XT, problem.y[:-1], 0.1, np.zeros(problem.d))
    with pytest.raises(ValueError):
        lasso_cd(problem.XT, problem.y, -0.1, np.zeros(problem.d))
    with pytest.raises(ValueError):
        lasso_cd(problem.XT, problem.y, 0.1, np.zeros(problem.d + 1))
