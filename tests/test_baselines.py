import math

import numpy as np
import pytest

from implicit_bias.baselines import (
    _min_l1_dual,
    excess_risk,
    hybrid_interpolator,
    min_l1_interpolator,
    min_l2_expected_risk,
    min_l2_interpolator,
)
from implicit_bias.data import n_samples, rng_stream, sparse_regression

MULTS = (0.1, 0.2, 0.5, 1, 2, 5, 10)


@pytest.fixture(scope="module")
def small():
    d = 400
    return sparse_regression(d, n_samples(d), 3, 0.1, rng_stream(31, d, 0))


@pytest.fixture(scope="module")
def big():
    d = 2000
    data = sparse_regression(d, n_samples(d), 3, 0.1, rng_stream(32, d, 0))
    return data, {
        "l2": min_l2_interpolator(data.XT, data.y),
        "l1": min_l1_interpolator(data.XT, data.y),
        "hybrid": hybrid_interpolator(data.XT, data.y, 0.1, MULTS, data.beta_star),
    }


def _max_resid(data, beta):
    return np.max(np.abs(data.XT.T @ beta - data.y))


def test_min_l2_interpolates_and_is_min_norm(small):
    beta = min_l2_interpolator(small.XT, small.y)
    assert _max_resid(small, beta) < 1e-8
    ref = np.linalg.lstsq(small.XT.T, small.y, rcond=None)[0]
    np.testing.assert_allclose(beta, ref, rtol=0, atol=1e-10)
    # orthogonal to the null space of X: beta lies in the row space
    coef = np.linalg.lstsq(small.XT, beta, rcond=None)[0]
    np.testing.assert_allclose(small.XT @ coef, beta, rtol=0, atol=1e-10)


def test_min_l1_interpolates_and_has_smallest_l1(small):
    beta = min_l1_interpolator(small.XT, small.y)
    assert _max_resid(small, beta) < 1e-7
    l1 = np.sum(np.abs(beta))
    assert l1 <= np.sum(np.abs(min_l2_interpolator(small.XT, small.y)))
    hyb = hybrid_interpolator(small.XT, small.y, 0.1, MULTS, small.beta_star)
    assert l1 <= np.sum(np.abs(hyb["beta"])) + 1e-9
    # a basic solution has at most n nonzeros
    assert np.count_nonzero(np.abs(beta) > 1e-12) <= small.n


def test_min_l1_primal_and_dual_lp_agree(small):
    primal = min_l1_interpolator(small.XT, small.y)
    dual = _min_l1_dual(small.XT, small.y)
    assert _max_resid(small, dual) < 1e-7
    assert math.isclose(np.sum(np.abs(primal)), np.sum(np.abs(dual)), rel_tol=1e-8)
    np.testing.assert_allclose(primal, dual, rtol=0, atol=1e-7)


def test_min_l1_reports_lp_failure():
    # inconsistent equations: two identical samples with different labels
    XT = np.ones((5, 2))
    y = np.array([1.0, -1.0])
    with pytest.raises(RuntimeError, match="LP"):
        min_l1_interpolator(XT, y)


def test_hybrid_interpolates_every_multiplier(small):
    res = hybrid_interpolator(small.XT, small.y, 0.1, MULTS, small.beta_star)
    np.testing.assert_array_equal(res["multipliers"], np.array(MULTS, dtype=float))
    expected_lams = np.array(MULTS) * 0.1 * math.sqrt(math.log(small.d) / small.n)
    np.testing.assert_allclose(res["lambdas"], expected_lams, rtol=1e-15)
    assert res["test_errors"].shape == (len(MULTS),)
    assert res["lasso_test_errors"].shape == (len(MULTS),)
    assert res["best_index"] == int(np.argmin(res["test_errors"]))
    assert _max_resid(small, res["beta"]) < 1e-8
    assert math.isclose(
        excess_risk(res["beta"], small.beta_star), res["test_errors"][res["best_index"]]
    )


def test_hybrid_without_beta_star(small):
    res = hybrid_interpolator(small.XT, small.y, 0.1)
    assert np.all(np.isnan(res["test_errors"]))
    assert np.all(np.isnan(res["lasso_test_errors"]))
    assert res["best_index"] == 0
    assert _max_resid(small, res["beta"]) < 1e-8


def test_risks_at_d2000(big):
    data, sol = big
    for name in ("l2", "l1"):
        tol = 1e-8 if name == "l2" else 1e-7
        assert _max_resid(data, sol[name]) < tol
    assert _max_resid(data, sol["hybrid"]["beta"]) < 1e-8

    risk_l2 = excess_risk(sol["l2"], data.beta_star)
    expected = min_l2_expected_risk(data.d, data.n, 0.1)
    assert 0.75 * expected <= risk_l2 <= 1.25 * expected
    risk_l1 = excess_risk(sol["l1"], data.beta_star)
    risk_h = excess_risk(sol["hybrid"]["beta"], data.beta_star)
    assert risk_l1 * 10 <= risk_l2
    assert risk_h * 10 <= risk_l2
    # ell1 norms: basis pursuit is the smallest interpolator
    l1 = np.sum(np.abs(sol["l1"]))
    assert l1 <= np.sum(np.abs(sol["l2"]))
    assert l1 <= np.sum(np.abs(sol["hybrid"]["beta"]))


def test_excess_risk_and_expected_risk_formula():
    assert excess_risk(np.array([1.0, 2.0]), np.array([0.0, 0.0])) == 5.0
    # d=10^4, n=300: (1 - 0.03) + 0.01 * 300 / 9699
    assert math.isclose(
        min_l2_expected_risk(10_000, 300, 0.1), 0.97 + 0.01 * 300 / 9699, rel_tol=1e-14
    )
    assert math.isclose(min_l2_expected_risk(100, 30, 0.0, beta_star_norm2=2.0), 1.4)
    with pytest.raises(ValueError):
        min_l2_expected_risk(30, 30, 0.1)
