import math

import numpy as np
import pytest

from implicit_bias.data import (
    SparseRegression,
    n_samples,
    rng_stream,
    sparse_beta_star,
    sparse_regression,
)


def test_rng_stream_reproducible_and_key_dependent():
    a = rng_stream(0, 100, 1).standard_normal(5)
    b = rng_stream(0, 100, 1).standard_normal(5)
    c = rng_stream(0, 100, 2).standard_normal(5)
    d = rng_stream(0, 1001).standard_normal(5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, d)
    # numpy integer keys behave like Python ints
    np.testing.assert_array_equal(a, rng_stream(np.int64(0), np.int32(100), 1).standard_normal(5))


@pytest.mark.parametrize("key", [(-1,), (0, -5), (1.5,), ("3",), (True,), ()])
def test_rng_stream_rejects_bad_keys(key):
    with pytest.raises(ValueError):
        rng_stream(*key)


def test_n_samples_matches_spec_table():
    table = {100: 30, 300: 52, 1000: 95, 3000: 164, 10_000: 300, 50_000: 671, 10**6: 3000}
    for d, n in table.items():
        assert n_samples(d) == n
    assert n_samples(400, ratio=2.0) == 40


@pytest.mark.parametrize("s", [1, 3, 4, 7])
def test_sparse_beta_star(s):
    d = 20
    b = sparse_beta_star(d, s)
    assert b.shape == (d,) and b.dtype == np.float64
    assert np.count_nonzero(b) == s
    assert np.all(b[s:] == 0.0)
    assert math.isclose(np.linalg.norm(b), 1.0, rel_tol=1e-14)
    expected_signs = np.array([1.0 if k % 2 == 0 else -1.0 for k in range(s)])
    np.testing.assert_array_equal(np.sign(b[:s]), expected_signs)
    np.testing.assert_allclose(np.abs(b[:s]), 1.0 / math.sqrt(s), rtol=1e-15)


def test_sparse_beta_star_rejects_bad_s():
    with pytest.raises(ValueError):
        sparse_beta_star(5, 0)
    with pytest.raises(ValueError):
        sparse_beta_star(5, 6)


def test_sparse_regression_layout_and_exact_noise():
    d, n, s, sigma = 300, 52, 3, 0.1
    data = sparse_regression(d, n, s, sigma, rng_stream(0, d, 0))
    assert isinstance(data, SparseRegression)
    assert data.XT.shape == (d, n)
    assert data.XT.dtype == np.float64 and data.XT.flags.c_contiguous
    assert data.y.shape == (n,) and data.xi.shape == (n,)
    assert (data.d, data.n, data.s, data.sigma) == (d, n, s, sigma)
    np.testing.assert_array_equal(data.beta_star, sparse_beta_star(d, s))
    # the stored noise is exactly what y contains
    np.testing.assert_array_equal(data.y - data.XT.T @ data.beta_star, data.xi)


def test_sparse_regression_same_key_same_data():
    d, n = 200, 40
    a = sparse_regression(d, n, 3, 0.1, rng_stream(7, d, 0))
    b = sparse_regression(d, n, 3, 0.1, rng_stream(7, d, 0))
    c = sparse_regression(d, n, 3, 0.1, rng_stream(7, d, 1))
    np.testing.assert_array_equal(a.XT, b.XT)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.XT, c.XT)
    assert not np.array_equal(a.xi, c.xi)


def test_design_statistics():
    # columns of X are the rows of XT: n draws of one feature
    d, n = 2000, 400
    XT = sparse_regression(d, n, 3, 0.1, rng_stream(1, d, 0)).XT
    col_mean = XT.mean(axis=1)
    col_var = XT.var(axis=1, ddof=1)
    # pooled mean of n d standard normals
    assert abs(XT.mean()) < 5.0 / math.sqrt(n * d)
    # sqrt(n) * column means are N(0, 1): their mean square is 1 +- sqrt(2/d)
    z2 = n * col_mean**2
    assert abs(z2.mean() - 1.0) < 5.0 * math.sqrt(2.0 / d)
    # no column mean is extreme (union bound over d columns)
    assert np.max(np.abs(col_mean)) * math.sqrt(n) < math.sqrt(2.0 * math.log(2.0 * d)) + 2.0
    # column variances: each has SE sqrt(2/(n-1)); their average has SE sqrt(2/((n-1) d))
    assert abs(col_var.mean() - 1.0) < 5.0 * math.sqrt(2.0 / ((n - 1) * d))
    assert np.all(np.abs(col_var - 1.0) < 6.0 * math.sqrt(2.0 / (n - 1)))
    # distinct features are uncorrelated: sample correlations are about N(0, 1/n)
    corr = (XT[:50] @ XT[50:100].T) / n
    assert abs(np.mean(corr**2) * n - 1.0) < 5.0 * math.sqrt(2.0 / corr.size)


def test_noise_statistics():
    d, n, sigma = 10, 20_000, 0.3
    data = sparse_regression(d, n, 3, sigma, rng_stream(2, d, 0))
    xi = data.xi
    assert abs(xi.mean()) < 5.0 * sigma / math.sqrt(n)
    # the sample std has SE about sigma / sqrt(2n)
    assert abs(xi.std(ddof=1) - sigma) < 5.0 * sigma / math.sqrt(2.0 * n)
    # noise is independent of the design
    corr = data.XT @ xi / (n * sigma)
    assert np.max(np.abs(corr)) < 5.0 / math.sqrt(n)


def test_zero_noise():
    data = sparse_regression(50, 10, 2, 0.0, rng_stream(3))
    np.testing.assert_array_equal(data.xi, np.zeros(10))
    np.testing.assert_array_equal(data.y, data.XT.T @ data.beta_star)
