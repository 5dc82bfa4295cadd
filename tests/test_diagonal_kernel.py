import math

import numpy as np
import pytest

from implicit_bias.data import rng_stream, sparse_regression
from implicit_bias.kernels.diagonal import (
    METRICS,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_MAX_STEPS,
    diagonal_net_beta,
    gd_step,
    log_grid,
    residual,
    run_gd,
    train_shortcut_net,
)
from implicit_bias.papers.benign_overfitting import alpha_of


def _loss(XT, y, w, u, v, alpha):
    r = XT.T @ (v + alpha * (w * w - u * u)) - y
    return r @ r / (2 * y.size)


def _reference_step(XT, y, w, u, v, alpha, eta, train_v):
    """Plain two-pass GD step: r = X beta - y, g = X^T r / n, simultaneous update."""
    n = y.size
    beta = v + alpha * (w * w - u * u)
    g = XT @ (XT.T @ beta - y) / n
    w_new = w * (1 - 2 * eta * alpha * g)
    u_new = u * (1 + 2 * eta * alpha * g)
    v_new = v - eta * g if train_v else v.copy()
    return w_new, u_new, v_new


def _reference_run(XT, y, w, u, v, alpha, eta, train_v, tol, max_steps):
    """NumPy GD with the spec's stopping rule (loss checked before each update)."""
    t = 0
    while True:
        loss = _loss(XT, y, w, u, v, alpha)
        if loss <= tol or t >= max_steps:
            return t, v + alpha * (w * w - u * u)
        w, u, v = _reference_step(XT, y, w, u, v, alpha, eta, train_v)
        t += 1


def _state(d, rng, scale=0.5):
    return (
        np.abs(rng.standard_normal(d)) * scale,
        np.abs(rng.standard_normal(d)) * scale,
        rng.standard_normal(d) * scale,
    )


def _tiny_problem(d=40, n=10, seed=0):
    return sparse_regression(d, n, 3, 0.1, rng_stream(99, d, seed))


@pytest.mark.parametrize("train_v", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("d", [13, 16, 37])  # exercise the 4-row blocks and the tail
def test_gd_step_matches_numpy_reference(train_v, seed, d):
    rng = rng_stream(5, seed, d)
    n = 9
    XT = rng.standard_normal((d, n))
    y = rng.standard_normal(n)
    w, u, v = _state(d, rng)
    alpha, eta = 2.5, 0.01
    w_ref, u_ref, v_ref = _reference_step(XT, y, w, u, v, alpha, eta, train_v)

    beta = v + alpha * (w * w - u * u)
    r = np.empty(n)
    residual(XT, y, beta, r)
    r_new = np.empty(n)
    w1, u1, v1 = w.copy(), u.copy(), v.copy()
    gd_step(XT, r, r_new, w1, u1, v1, beta, eta, alpha, train_v)
    np.testing.assert_allclose(w1, w_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(u1, u_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(v1, v_ref, rtol=0, atol=1e-12)
    if not train_v:
        np.testing.assert_array_equal(v1, v)
    # the in-place beta and residual describe the new state
    np.testing.assert_allclose(beta, diagonal_net_beta(w1, u1, v1, alpha), rtol=0, atol=1e-12)
    np.testing.assert_allclose(r, XT.T @ beta - y, rtol=0, atol=1e-12)


def test_gd_step_several_steps_match_reference():
    rng = rng_stream(6)
    d, n = 21, 8
    XT = rng.standard_normal((d, n))
    y = rng.standard_normal(n)
    w, u, v = _state(d, rng)
    alpha, eta = 1.5, 0.02
    beta = v + alpha * (w * w - u * u)
    r = np.empty(n)
    residual(XT, y, beta, r)
    r_new = np.empty(n)
    w1, u1, v1 = w.copy(), u.copy(), v.copy()
    for _ in range(20):
        gd_step(XT, r, r_new, w1, u1, v1, beta, eta, alpha, True)
        w, u, v = _reference_step(XT, y, w, u, v, alpha, eta, True)
    np.testing.assert_allclose(w1, w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(u1, u, rtol=0, atol=1e-12)
    np.testing.assert_allclose(v1, v, rtol=0, atol=1e-12)


def test_step_gradients_match_finite_differences():
    rng = rng_stream(7)
    d, n = 12, 7
    XT = rng.standard_normal((d, n))
    y = rng.standard_normal(n)
    w, u, v = _state(d, rng)
    alpha, eta, h = 3.0, 1e-7, 1e-6

    beta = v + alpha * (w * w - u * u)
    g = XT @ (XT.T @ beta - y) / n
    r = np.empty(n)
    residual(XT, y, beta, r)
    w1, u1, v1 = w.copy(), u.copy(), v.copy()
    gd_step(XT, r, np.empty(n), w1, u1, v1, beta, eta, alpha, True)
    grad_w = (w - w1) / eta
    grad_u = (u - u1) / eta
    grad_v = (v - v1) / eta

    fd_w, fd_u, fd_v = np.empty(d), np.empty(d), np.empty(d)
    for j in range(d):
        e = np.zeros(d)
        e[j] = h
        fd_w[j] = (_loss(XT, y, w + e, u, v, alpha) - _loss(XT, y, w - e, u, v, alpha)) / (2 * h)
        fd_u[j] = (_loss(XT, y, w, u + e, v, alpha) - _loss(XT, y, w, u - e, v, alpha)) / (2 * h)
        fd_v[j] = (_loss(XT, y, w, u, v + e, alpha) - _loss(XT, y, w, u, v - e, alpha)) / (2 * h)
    np.testing.assert_allclose(grad_w, fd_w, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_u, fd_u, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_v, fd_v, rtol=1e-6, atol=1e-8)
    # and the closed forms of eq. (2)
    np.testing.assert_allclose(fd_w, 2 * alpha * g * w, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fd_u, -2 * alpha * g * u, rtol=1e-6, atol=1e-8)


def _run(data, w, u, v, alpha, eta, train_v, tol, max_steps, grid=None, refresh=5000):
    """run_gd on a SparseRegression; w, u, v are updated in place."""
    if grid is None:
        grid = log_grid(max_steps)
    return run_gd(
        data.XT, data.y, data.beta_star, data.s, w, u, v,
        alpha, eta, train_v, tol, max_steps, grid, refresh,
    )  # fmt: skip


# Small problem that converges in a few hundred steps.
_ALPHA, _ETA, _EPS, _TOL = 5.0, 0.01, 1e-3, 1e-6


@pytest.mark.parametrize("train_v", [True, False])
def test_run_gd_stops_like_numpy_loop(train_v):
    data = _tiny_problem()
    d = data.d
    w0 = np.full(d, _EPS)
    t_ref, beta_ref = _reference_run(
        data.XT, data.y, w0, w0.copy(), np.zeros(d), _ALPHA, _ETA, train_v, _TOL, 100_000
    )
    assert 50 < t_ref < 100_000

    w, u, v = w0.copy(), w0.copy(), np.zeros(d)
    grid = log_grid(100_000)
    steps, metrics, t_end, status = _run(data, w, u, v, _ALPHA, _ETA, train_v, _TOL, 100_000, grid)
    assert status == STATUS_CONVERGED
    assert t_end == t_ref
    beta = diagonal_net_beta(w, u, v, _ALPHA)
    np.testing.assert_allclose(beta, beta_ref, rtol=0, atol=1e-10)
    if not train_v:
        assert np.all(v == 0.0)

    # the logged steps are the grid steps before t_end, then t_end itself
    expected = np.append(grid[grid < t_end], t_end)
    np.testing.assert_array_equal(steps, expected)
    assert steps.dtype == np.int64
    assert metrics.shape == (expected.size, len(METRICS))
    # the final loss meets tol; the one logged just before does not
    assert metrics[-1, 0] <= _TOL < metrics[-2, 0]


def test_run_gd_final_metrics_match_numpy():
    data = _tiny_problem(seed=3)
    d, n = data.d, data.n
    w, u, v = np.full(d, _EPS), np.full(d, _EPS), np.zeros(d)
    steps, metrics, t_end, status = _run(data, w, u, v, _ALPHA, _ETA, True, _TOL, 50_000)
    assert status == STATUS_CONVERGED
    m = dict(zip(METRICS, metrics[-1], strict=True))
    q = _ALPHA * (w * w - u * u)
    beta = v + q
    r = data.XT.T @ beta - data.y
    np.testing.assert_allclose(m["train_loss"], r @ r / (2 * n), rtol=1e-8)
    np.testing.assert_allclose(m["test_error"], np.sum((beta - data.beta_star) ** 2), rtol=1e-12)
    np.testing.assert_allclose(m["q_norm"], np.linalg.norm(q), rtol=1e-12)
    np.testing.assert_allclose(m["v_norm"], np.linalg.norm(v), rtol=1e-12)
    np.testing.assert_allclose(m["v_support_norm"], np.linalg.norm(v[:3]), rtol=1e-12)
    sig = np.max(np.abs(d / n * v[:3] + q[:3] - data.beta_star[:3]))
    np.testing.assert_allclose(m["signal_error"], sig, rtol=1e-12)
    np.testing.assert_allclose(m["q_offsupport_l1"], np.sum(np.abs(q[3:])), rtol=1e-12)
    np.testing.assert_allclose(m["q_offsupport_max"], np.max(np.abs(q[3:])), rtol=1e-12)
    # the logged training loss never increases on this well-conditioned run after the start
    assert np.all(np.diff(metrics[:, 0]) <= 1e-15)


def test_run_gd_t_end_on_grid_is_not_duplicated():
    data = _tiny_problem()
    d = data.d
    w0 = np.full(d, _EPS)
    t_ref, _ = _reference_run(
        data.XT, data.y, w0, w0.copy(), np.zeros(d), _ALPHA, _ETA, True, _TOL, 100_000
    )
    grid = np.array([0, 3, t_ref, t_ref + 5], dtype=np.int64)
    steps, metrics, t_end, _ = _run(
        data, w0.copy(), w0.copy(), np.zeros(d), _ALPHA, _ETA, True, _TOL, 100_000, grid
    )
    assert t_end == t_ref
    np.testing.assert_array_equal(steps, [0, 3, t_ref])
    assert metrics.shape == (3, len(METRICS))


def test_run_gd_max_steps():
    data = _tiny_problem()
    d = data.d
    w, u, v = np.full(d, _EPS), np.full(d, _EPS), np.zeros(d)
    steps, metrics, t_end, status = _run(data, w, u, v, _ALPHA, _ETA, True, _TOL, 17)
    assert status == STATUS_MAX_STEPS
    assert t_end == 17
    grid = log_grid(17)
    assert grid[-1] == 17
    np.testing.assert_array_equal(steps, grid)
    assert metrics[-1, 0] > _TOL
    # zero steps allowed: the initial state is logged once
    steps0, _, t0, status0 = _run(data, w, u, v, _ALPHA, _ETA, True, _TOL, 0)
    assert (t0, status0) == (0, STATUS_MAX_STEPS)
    np.testing.assert_array_equal(steps0, [0])


def test_run_gd_divergence_is_a_status():
    data = _tiny_problem()
    d = data.d
    w, u, v = np.full(d, 0.5), np.full(d, 0.5), np.zeros(d)
    steps, metrics, t_end, status = _run(data, w, u, v, 100.0, 10.0, True, _TOL, 10_000)
    assert status == STATUS_DIVERGED
    assert t_end < 10_000
    assert steps[-1] == t_end
    assert not np.isfinite(metrics[-1, 0])


def test_refresh_does_not_change_results():
    data = sparse_regression(203, 43, 3, 0.1, rng_stream(8))
    d = data.d
    alpha = alpha_of(d, data.n, 0.1, 100.0)
    out = []
    for refresh in (1, 97, 0):  # every step, a few times, never
        w, u, v = np.full(d, 1e-6), np.full(d, 1e-6), np.zeros(d)
        _, metrics, t_end, status = _run(
            data, w, u, v, alpha, 1e-5, True, 0.0, 3000, refresh=refresh
        )
        assert (t_end, status) == (3000, STATUS_MAX_STEPS)
        out.append((diagonal_net_beta(w, u, v, alpha), metrics))
    for beta, metrics in out[1:]:
        np.testing.assert_allclose(beta, out[0][0], rtol=0, atol=1e-10)
        np.testing.assert_allclose(metrics, out[0][1], rtol=1e-8, atol=1e-12)


def test_log_grid():
    g = log_grid(10**6)
    assert g.dtype == np.int64
    assert np.all(np.diff(g) > 0)
    np.testing.assert_array_equal(g[:10], np.arange(10))
    assert g[-1] == 10**6
    # powers of ten are exact
    assert {10, 100, 1000, 10**4, 10**5} <= set(g.tolist())
    # about per_decade points in each decade once the integers stop colliding
    for lo in (10**3, 10**4, 10**5):
        count = np.sum((g >= lo) & (g < 10 * lo))
        assert count == 50
    g20 = log_grid(10**5, per_decade=20)
    assert np.sum((g20 >= 10**4) & (g20 < 10**5)) == 20
    # capped at max_steps
    assert log_grid(1234).max() <= 1234
    np.testing.assert_array_equal(log_grid(5), np.arange(6))
    assert len(log_grid(10**5)) == len(set(log_grid(10**5).tolist()))


def test_alpha_of_matches_the_papers_values():
    assert math.isclose(alpha_of(50_000, 671, 0.1, 100.0), 47_146, rel_tol=1e-3)
    assert math.isclose(alpha_of(10_000, 300, 0.1, 100.0), 16_773, rel_tol=1e-3)
    assert math.isclose(alpha_of(100, 30, 0.1, 100.0), 1_043, rel_tol=1e-3)
    assert math.isclose(alpha_of(10_000, 300, 0.1, 1.0), 167.73, rel_tol=1e-3)


def test_train_shortcut_net_dict():
    data = sparse_regression(300, 52, 3, 0.1, rng_stream(11))
    alpha = alpha_of(data.d, data.n, 0.1, 100.0)
    res = train_shortcut_net(data, alpha, 1e-4, 1e-10, 1e-4, 200_000, per_decade=10)
    assert res["status"] == STATUS_CONVERGED
    assert set(res["metrics"]) == set(METRICS)
    assert all(m.shape == res["steps"].shape for m in res["metrics"].values())
    assert res["steps"][-1] == res["t_end"]
    np.testing.assert_array_equal(
        res["beta"], diagonal_net_beta(res["w"], res["u"], res["v"], alpha)
    )
    assert res["metrics"]["train_loss"][-1] <= 1e-4
    assert res["metrics"]["train_loss"][0] > 0.1  # starts from beta = 0
    # it interpolates almost, and beats the null predictor by far
    assert res["metrics"]["test_error"][-1] < 0.1
    # the quad variant leaves v at zero
    quad = train_shortcut_net(data, alpha, 1e-4, 1e-10, 1e-4, 200_000, train_v=False)
    assert np.all(quad["v"] == 0.0)
    assert quad["status"] == STATUS_CONVERGED
