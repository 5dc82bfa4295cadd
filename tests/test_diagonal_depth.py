"""Depth-D and UV diagonal networks (Nacson et al. 2022): kernels, Hessian, stability, driver."""

import numpy as np
import pytest

from implicit_bias.kernels import diagonal as dg
from implicit_bias.kernels.diagonal import (
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_MAX_STEPS,
    STATUS_UNSTABLE_FROZEN,
    depth_steps,
    diagonal_beta,
    hessian,
    initial_sharpness,
    lambda_max_at_solution,
    stability_quantities,
    train_diagonal_net,
    uv_steps,
)

MODELS = [(2, "depth"), (3, "depth"), (4, "depth"), (2, "uv")]
ETA_STAR = 0.008  # 2 / min lambda_max for the seed-0 data below (spec: 0.007994)


# --- NumPy references ------------------------------------------------------------------------


def _beta(theta, D, model):
    if model == "uv":
        u_p, v_p, u_m, v_m = theta
        return u_p * v_p - u_m * v_m
    return theta[0] ** D - theta[1] ** D


def _loss(X, y, theta, D, model):
    r = X @ _beta(theta, D, model) - y
    return r @ r / (2 * y.size)


def _grad(X, y, theta, D, model):
    """Closed-form gradient of L w.r.t. every parameter vector."""
    g = X.T @ (X @ _beta(theta, D, model) - y) / y.size
    if model == "uv":
        u_p, v_p, u_m, v_m = theta
        return [g * v_p, g * u_p, -g * v_m, -g * u_m]
    u_p, u_m = theta
    return [D * u_p ** (D - 1) * g, -D * u_m ** (D - 1) * g]


def _reference_run(X, y, theta, D, model, eta, T_w, steps):
    """Plain NumPy GD with the linear warm-up."""
    theta = [p.copy() for p in theta]
    for t in range(steps):
        eta_t = eta * min(1.0, (t + 1) / T_w)
        grads = _grad(X, y, theta, D, model)
        theta = [p - eta_t * gp for p, gp in zip(theta, grads, strict=True)]
    return theta


def _kernel(X, y, theta, D, model, eta, T_w, t0, t_stop, tol=0.0, t_min=10**9):
    """Run the jitted loop in place on theta; returns (t, loss, status, r, g)."""
    XT = np.ascontiguousarray(X.T)
    r = np.empty(y.size)
    g = np.empty(X.shape[1])
    if model == "uv":
        out = uv_steps(X, XT, y, *theta, eta, T_w, t0, t_stop, tol, t_min, r, g)
    else:
        out = depth_steps(X, XT, y, *theta, D, eta, T_w, t0, t_stop, tol, t_min, r, g)
    return (*out, r, g)


def _random_problem(seed, n=11, d=13, n_params=2):
    # n % 4 and d % 4 != 0 exercise the four-row blocks and their tails
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    theta = [0.5 + 0.5 * rng.random(d) for _ in range(n_params)]
    return X, y, theta


def _spec_data(seed=0, mu=5.0, sigma2=5.0, n=50, d=100):
    """Spec section 3.3: x ~ N(mu 1, sigma2 I), beta* = 1/sqrt(5) on 5 coords, noise sd 0.1."""
    rng = np.random.default_rng(seed)
    X = mu + np.sqrt(sigma2) * rng.standard_normal((n, d))
    xi = 0.1 * rng.standard_normal(n)
    beta_star = np.zeros(d)
    beta_star[:5] = 1 / np.sqrt(5)
    return X, X @ beta_star + xi, beta_star


def _test_excess(beta, beta_star, mu=5.0, sigma2=5.0):
    delta = beta - beta_star
    return sigma2 * delta @ delta + mu**2 * delta.sum() ** 2


def _assert_sandwich(q, rtol=1e-9):
    assert q["W"] <= q["S"] * (1 + rtol)
    assert q["S"] <= q["lam_max"] * (1 + rtol)
    assert q["lam_max"] <= q["UB"] * (1 + rtol)


# --- kernels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("D", "model"), MODELS)
def test_steps_match_numpy_loop(D, model):
    n_params = 4 if model == "uv" else 2
    X, y, theta = _random_problem(1, n_params=n_params)
    eta, T_w, steps = 0.02, 20, 50  # 20 warm-up steps, then constant
    ref = _reference_run(X, y, theta, D, model, eta, T_w, steps)

    mine = [p.copy() for p in theta]
    t, loss, status, r, g = _kernel(X, y, mine, D, model, eta, T_w, 0, steps)
    assert (t, status) == (steps, STATUS_MAX_STEPS)
    for p, q in zip(mine, ref, strict=True):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    assert loss == pytest.approx(_loss(X, y, ref, D, model), rel=1e-12)
    # buffers on return: r = X beta - y, g = beta at the returned state
    np.testing.assert_allclose(r, X @ _beta(ref, D, model) - y, rtol=0, atol=1e-12)
    np.testing.assert_allclose(g, _beta(ref, D, model), rtol=0, atol=1e-12)

    # restarting at t0 (chunked driver calls) is bit-identical to one call
    chunked = [p.copy() for p in theta]
    _kernel(X, y, chunked, D, model, eta, T_w, 0, 17)
    _kernel(X, y, chunked, D, model, eta, T_w, 17, steps)
    for p, q in zip(chunked, mine, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(("D", "model"), MODELS)
def test_update_direction_is_the_gradient(D, model):
    X, y, theta = _random_problem(2, n=7, d=9, n_params=4 if model == "uv" else 2)
    eta, h = 1e-3, 1e-6
    nxt = [p.copy() for p in theta]
    _kernel(X, y, nxt, D, model, eta, 1, 0, 1)  # T_w = 1: eta_0 = eta
    for k, (p, q) in enumerate(zip(theta, nxt, strict=True)):
        recovered = (p - q) / eta
        fd = np.empty_like(p)
        for j in range(p.size):
            plus = [a.copy() for a in theta]
            minus = [a.copy() for a in theta]
            plus[k][j] += h
            minus[k][j] -= h
            fd[j] = (_loss(X, y, plus, D, model) - _loss(X, y, minus, D, model)) / (2 * h)
        np.testing.assert_allclose(recovered, fd, rtol=1e-6, atol=1e-8)


def test_kernel_stopping_rule():
    X, y, theta = _random_problem(3)
    # L <= tol is ignored before t_min, then stops with status converged
    t, loss, status, *_ = _kernel(X, y, theta, 2, "depth", 0.02, 5, 0, 10_000, tol=1e9, t_min=7)
    assert (t, status) == (7, STATUS_CONVERGED)
    # a huge step blows up: status diverged with L > 1e12 or not finite
    X, y, theta = _random_problem(3)
    t, loss, status, *_ = _kernel(X, y, theta, 2, "depth", 50.0, 1, 0, 10_000)
    assert status == STATUS_DIVERGED
    assert not loss <= 1e12
    assert t < 10_000


def test_depth2_product_shrinks_by_the_gd_factor():
    """u_p u_m(t+1) = u_p u_m(t) (1 - 4 eta_t^2 g^2), warm-up included."""
    X, y, theta = _random_problem(4)
    eta, T_w = 0.05, 5
    for t in range(12):
        g = X.T @ (X @ _beta(theta, 2, "depth") - y) / y.size
        eta_t = eta * min(1.0, (t + 1) / T_w)
        expected = theta[0] * theta[1] * (1 - 4 * eta_t**2 * g**2)
        _kernel(X, y, theta, 2, "depth", eta, T_w, t, t + 1)
        np.testing.assert_allclose(theta[0] * theta[1], expected, rtol=1e-12, atol=0)


def test_balanced_uv_equals_depth2_at_half_step():
    """With u = v the UV model at eta is the D = 2 model at eta / 2 (same rounding here)."""
    X, y, _ = _spec_data()
    d = X.shape[1]
    eta, T_w, steps = 0.012, 1000, 3000
    sq = [np.full(d, 1.0), np.full(d, 1.0)]
    uv = [np.full(d, 1.0) for _ in range(4)]
    _, loss_sq, *_ = _kernel(X, y, sq, 2, "depth", eta / 2, T_w, 0, steps)
    _, loss_uv, *_ = _kernel(X, y, uv, 2, "uv", eta, T_w, 0, steps)
    np.testing.assert_array_equal(uv[0], uv[1])
    np.testing.assert_array_equal(diagonal_beta(uv, model="uv"), diagonal_beta(sq, D=2))
    assert loss_uv == loss_sq


# --- Hessian and stability quantities ----------------------------------------------------------


@pytest.mark.parametrize(("D", "model"), MODELS)
def test_hessian_matches_finite_differences(D, model):
    X, y, theta = _random_problem(5, n=4, d=6, n_params=4 if model == "uv" else 2)
    H = hessian(X, y, theta, D, model)
    m = sum(p.size for p in theta)
    assert H.shape == (m, m)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12)
    flat = np.concatenate(theta)
    h = 1e-5

    def grad_flat(v):
        return np.concatenate(_grad(X, y, np.split(v, len(theta)), D, model))

    fd = np.empty((m, m))
    for k in range(m):
        e = np.zeros(m)
        e[k] = h
        fd[:, k] = (grad_flat(flat + e) - grad_flat(flat - e)) / (2 * h)
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-7)
    assert initial_sharpness(X, y, theta, D, model) == pytest.approx(np.linalg.eigvalsh(fd)[-1])


@pytest.mark.parametrize(("D", "model"), MODELS)
def test_lambda_max_at_an_interpolating_point(D, model):
    X, _, theta = _random_problem(6, n=5, d=8, n_params=4 if model == "uv" else 2)
    y = X @ _beta(theta, D, model)  # g = 0: theta interpolates
    H = hessian(X, y, theta, D, model)
    ev = np.linalg.eigvalsh(H)
    w = (
        sum(p**2 for p in theta)
        if model == "uv"
        else D**2 * (theta[0] ** (2 * (D - 1)) + theta[1] ** (2 * (D - 1)))
    )
    small = np.linalg.eigvalsh((X * w) @ X.T / X.shape[0])
    # the nonzero spectrum of J J^T / N is that of J^T J / N; the rest is zero
    np.testing.assert_allclose(ev[-X.shape[0] :], small, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ev[: -X.shape[0]], 0.0, atol=1e-10)
    assert lambda_max_at_solution(X, theta, D, model) == pytest.approx(ev[-1], rel=1e-10)
    # the dict form used by the driver gives the same
    names = ("u_p", "v_p", "u_m", "v_m") if model == "uv" else ("u_p", "u_m")
    as_dict = dict(zip(names, theta, strict=True))
    assert lambda_max_at_solution(X, as_dict, D, model) == lambda_max_at_solution(
        X, theta, D, model
    )


@pytest.mark.parametrize(("D", "model"), MODELS)
def test_stability_sandwich_at_interpolating_points(D, model):
    X, _, _ = _spec_data()
    rng = np.random.default_rng(7)
    d = X.shape[1]
    for _ in range(3):
        # theta >= 0, so W <= S also holds for odd D
        theta = [rng.random(d) * rng.random(d) for _ in range(4 if model == "uv" else 2)]
        q = stability_quantities(X, theta, D, model)
        assert set(q) == {"lam_max", "S", "UB", "W"}
        _assert_sandwich(q)
        assert q["lam_max"] == pytest.approx(lambda_max_at_solution(X, theta, D, model))


# --- driver ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec_data():
    return _spec_data()


@pytest.fixture(scope="module")
def l2_excess(spec_data):
    X, y, beta_star = spec_data
    return _test_excess(X.T @ np.linalg.solve(X @ X.T, y), beta_star)


def test_driver_small_step_reaches_l2_baseline(spec_data, l2_excess):
    X, y, beta_star = spec_data
    out = train_diagonal_net(X, y, 1.0, 1e-4)
    assert out["status"] == "converged"
    assert out["status_code"] == STATUS_CONVERGED
    assert abs(_test_excess(out["beta"], beta_star) / l2_excess - 1) < 0.05
    # lambda0 ~ 8 alpha^2 lambda_max(X X^T) / N ~ 2e4, so the 25_000 floor sets T_w
    assert out["lambda0"] == pytest.approx(2.0e4, rel=0.1)
    assert out["T_w_used"] == 25_000
    assert out["T_w_used"] <= out["t_end"] < out["max_steps"]
    assert out["loss"] <= 1e-8
    assert out["lam_max"] <= 2 / 1e-4 * (1 + 1e-3)
    np.testing.assert_allclose(out["beta"], out["params"]["u_p"] ** 2 - out["params"]["u_m"] ** 2)
    # trajectory: log grid from 0, ending at t_end with the final loss
    steps, losses = out["steps"], out["losses"]
    assert steps[0] == 0 and steps[-1] == out["t_end"]
    assert np.all(np.diff(steps) > 0)
    assert losses[0] == pytest.approx(y @ y / (2 * y.size))
    assert losses[-1] == out["loss"]


def test_driver_large_step_ends_at_the_edge_of_stability(spec_data, l2_excess):
    X, y, beta_star = spec_data
    eta = 0.75 * ETA_STAR
    out = train_diagonal_net(X, y, 1.0, eta)
    assert out["status"] == "converged"
    assert out["kicks"] == 0
    assert out["lam_max"] <= 2 / eta * (1 + 1e-3)
    assert out["lam_max"] * eta / 2 >= 0.95
    _assert_sandwich(out)
    # large steps move GD far from the l2 (kernel) solution
    assert _test_excess(out["beta"], beta_star) < 0.2 * l2_excess


def test_driver_diverges_after_retries(spec_data):
    X, y, _ = spec_data
    out = train_diagonal_net(X, y, 1.0, 1.0, T_w=100)
    assert out["status"] == "diverged"
    assert out["status_code"] == STATUS_DIVERGED
    assert out["retries"] == 2
    assert out["T_w_used"] == 400
    assert not out["loss"] <= 1e12


def test_driver_max_steps(spec_data):
    X, y, _ = spec_data
    out = train_diagonal_net(X, y, 1.0, 1e-4, T_w=100, max_extra_steps=50, model="uv")
    assert out["status"] == "max_steps"
    assert out["status_code"] == STATUS_MAX_STEPS
    assert out["t_end"] == out["max_steps"] == 150
    assert out["steps"][-1] == 150
    assert set(out["params"]) == {"u_p", "v_p", "u_m", "v_m"}


def _frozen_problem():
    """y = 0: the init beta = 0 is an exact minimum with L = 0, unstable for eta > 2/lam."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 8))
    lam = lambda_max_at_solution(X, (np.ones(8), np.ones(8)))
    return X, np.zeros(5), 1.2 * 2 / lam


def test_driver_kicks_off_a_frozen_unstable_minimum():
    X, y, eta = _frozen_problem()
    out = train_diagonal_net(X, y, 1.0, eta, T_w=10, max_extra_steps=50_000)
    assert out["kicks"] == 1
    assert out["status"] == "converged"
    assert out["t_end"] >= 10 + 10_000  # held after the kick
    assert out["lam_max"] <= 2 / eta


def test_driver_flags_unstable_frozen(monkeypatch):
    X, y, eta = _frozen_problem()
    monkeypatch.setattr(dg, "KICK_SCALE", 0.0)  # the kick cannot move it
    out = train_diagonal_net(X, y, 1.0, eta, T_w=10, max_extra_steps=50_000)
    assert out["status"] == "unstable_frozen"
    assert out["status_code"] == STATUS_UNSTABLE_FROZEN
    assert out["kicks"] == 1
    assert out["t_end"] == 10 + 10_000
    assert out["lam_max"] > 2 / eta


# --- batches: train_diagonal_nets / diagonal_batch_steps ------------------------------------


def _assert_same_run(batch, one, rtol):
    """A batch member against its one-run result: identical control flow, close values."""
    for key in ("status", "t_end", "T_w_used", "retries", "kicks", "max_steps"):
        assert batch[key] == one[key], key
    np.testing.assert_array_equal(batch["steps"], one["steps"])
    np.testing.assert_allclose(batch["losses"], one["losses"], rtol=rtol)
    np.testing.assert_allclose(batch["beta"], one["beta"], rtol=rtol, atol=1e-14)


@pytest.mark.parametrize(("D", "model"), MODELS)
def test_batch_steps_match_numpy_reference(D, model):
    """Per-run step sizes and warm-ups, members at different step counts."""
    n_params = 4 if model == "uv" else 2
    X, y, theta = _random_problem(7, n_params=n_params)
    etas = np.array([0.02, 0.05, 0.01])
    T_w = np.array([5, 1, 40])
    t0 = np.array([0, 3, 11])
    B, (N, d) = etas.size, X.shape
    P = np.stack([np.stack([p * (1 + 0.1 * b) for p in theta]) for b in range(B)], axis=-1)
    P0 = P.copy()
    steps = 17
    t = t0.copy()
    R, G, Beta = np.empty((N, B)), np.empty((d, B)), np.empty((d, B))
    loss, code = np.empty(B), np.empty(B, dtype=np.int64)
    made = dg.diagonal_batch_steps(
        X, np.ascontiguousarray(X.T), y, P, model == "uv", D, etas, T_w, t, t0 + steps, 0.0,
        np.full(B, 10**9), 10**9, R, G, Beta, loss, code,
    )  # fmt: skip
    assert made == steps
    np.testing.assert_array_equal(t, t0 + steps)
    np.testing.assert_array_equal(code, STATUS_MAX_STEPS)
    for b in range(B):
        ref = [p.copy() for p in P0[:, :, b]]
        for s in range(t0[b], t0[b] + steps):
            eta_t = etas[b] * min(1.0, (s + 1) / T_w[b])
            grads = _grad(X, y, ref, D, model)
            ref = [p - eta_t * gp for p, gp in zip(ref, grads, strict=True)]
        np.testing.assert_allclose(P[:, :, b], np.array(ref), rtol=1e-12)
        assert loss[b] == pytest.approx(_loss(X, y, ref, D, model), rel=1e-12)


def test_batch_steps_stop_at_the_first_event_and_budget():
    X, y, theta = _random_problem(3)
    B, (N, d) = 3, X.shape
    P = np.stack([np.stack(theta)] * B, axis=-1)
    t = np.zeros(B, dtype=np.int64)
    bufs = (np.empty((N, B)), np.empty((d, B)), np.empty((d, B)), np.empty(B))
    code = np.empty(B, dtype=np.int64)
    args = (X, np.ascontiguousarray(X.T), y, P, False, 2, np.full(B, 0.01), np.ones(B, np.int64))
    t_stop = np.array([50, 20, 90])
    made = dg.diagonal_batch_steps(*args, t, t_stop, 0.0, np.full(B, 10**9), 10**9, *bufs, code)
    assert made == 20 and list(code) == [-1, STATUS_MAX_STEPS, -1]
    made = dg.diagonal_batch_steps(*args, t, t_stop + 100, 0.0, np.full(B, 10**9), 7, *bufs, code)
    assert made == 7 and np.all(code == -1) and np.all(t == 27)


@pytest.mark.parametrize(("D", "model"), [(2, "depth"), (3, "depth"), (2, "uv")])
def test_batch_members_equal_single_runs(spec_data, D, model):
    """Stable step sizes (no catapult): only dgemm's summation order differs."""
    X, y, _ = spec_data
    alphas = [0.1, 0.1, 0.3, 0.05]
    etas = [1e-4, 0.3 * ETA_STAR, 0.1 * ETA_STAR, 2e-4]
    kw = dict(D=D, model=model, T_w=300, max_extra_steps=20_000, tol=1e-6)
    batch = dg.train_diagonal_nets(X, y, alphas, etas, **kw)
    assert len(batch) == 4
    for alpha, eta, res in zip(alphas, etas, batch, strict=True):
        _assert_same_run(res, train_diagonal_net(X, y, alpha, eta, **kw), rtol=1e-8)
    assert {r["status"] for r in batch} <= {"converged", "max_steps"}


def test_batch_isolates_a_diverging_run(spec_data):
    X, y, _ = spec_data
    kw = dict(T_w=100, max_extra_steps=3000, tol=1e-6)
    batch = dg.train_diagonal_nets(X, y, [1.0, 0.1, 0.1], [1.0, 1e-4, 2e-4], **kw)
    one = train_diagonal_net(X, y, 1.0, 1.0, **kw)
    assert batch[0]["status"] == one["status"] == "diverged"
    assert batch[0]["retries"] == 2 and batch[0]["T_w_used"] == 400
    for res, eta in zip(batch[1:], [1e-4, 2e-4], strict=True):
        _assert_same_run(res, train_diagonal_net(X, y, 0.1, eta, **kw), rtol=1e-9)


@pytest.mark.parametrize("kick_scale", [None, 0.0])
def test_batch_kicks_like_single_runs(monkeypatch, kick_scale):
    if kick_scale is not None:
        monkeypatch.setattr(dg, "KICK_SCALE", kick_scale)
    X, y, eta = _frozen_problem()
    kw = dict(T_w=10, max_extra_steps=50_000, kick_seed=[5, 6])
    batch = dg.train_diagonal_nets(X, y, 1.0, [eta, eta], **kw)
    for res, seed in zip(batch, [5, 6], strict=True):
        one = train_diagonal_net(X, y, 1.0, eta, T_w=10, max_extra_steps=50_000, kick_seed=seed)
        assert res["kicks"] == one["kicks"] == 1
        assert res["status"] == one["status"]
        assert res["status"] == ("unstable_frozen" if kick_scale == 0.0 else "converged")
        assert res["t_end"] == one["t_end"]


def test_batch_is_segment_invariant_and_deterministic(spec_data):
    from implicit_bias.progress import Progress

    X, y, _ = spec_data
    args = (X, y, [1.0, 0.1, 0.3], [1.0, 1e-4, 0.5 * ETA_STAR])
    kw = dict(T_w=100, max_extra_steps=5000, tol=1e-6)
    ref = dg.train_diagonal_nets(*args, **kw)
    again = dg.train_diagonal_nets(*args, **kw)
    chunked = dg.train_diagonal_nets(*args, **kw, progress=Progress("t", chunk=37))
    for a, b, c in zip(ref, again, chunked, strict=True):
        for key in ("beta", "steps", "losses", "t_end", "loss"):
            np.testing.assert_array_equal(a[key], b[key])
            np.testing.assert_array_equal(a[key], c[key])


def test_batch_of_one_is_a_single_run(spec_data):
    X, y, _ = spec_data
    kw = dict(T_w=100, max_extra_steps=2000)
    one = train_diagonal_net(X, y, 0.3, 1e-3, **kw)
    (batch,) = dg.train_diagonal_nets(X, y, [0.3], 1e-3, **kw)
    np.testing.assert_array_equal(batch["beta"], one["beta"])
    np.testing.assert_array_equal(batch["losses"], one["losses"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(alpha=[0.1, 0.2], eta=[1e-4, 1e-4, 1e-4]), "alpha must be a scalar or have shape"),
        (dict(alpha=0.1, eta=[1e-4, -1.0]), "eta must be > 0"),
        (dict(alpha=0.1, eta=[1e-4, 1e-4], T_w=[10, 20, 30]), "T_w must be a scalar"),
        (dict(alpha=0.1, eta=[1e-4, 1e-4], kick_seed=np.random.default_rng(0)), "kick_seed"),
        (dict(alpha=0.1, eta=[1e-4, 1e-4], model="mlp"), "model must be 'depth' or 'uv'"),
    ],
)
def test_batch_rejects_bad_input(kwargs, match):
    X, y, _ = _random_problem(0)
    with pytest.raises(ValueError, match=match):
        dg.train_diagonal_nets(X, y, **kwargs)


def test_warmup_rule_is_a_parameter(spec_data):
    """T_w = max(warmup_min, ceil(warmup_factor eta lambda0)) for one run and for a batch."""
    X, y, _ = spec_data
    eta = 5e-5  # eta lambda0 ~ 1: stable, no restart doubles T_w
    kw = dict(max_extra_steps=10, tol=-1.0)
    one = train_diagonal_net(X, y, 1.0, eta, warmup=(100, 200.0), **kw)
    assert one["T_w_used"] == max(100, int(np.ceil(200.0 * eta * one["lambda0"])))
    assert one["T_w_used"] > 100 and one["retries"] == 0  # lambda0 ~ 2e4: the factor decides
    batch = dg.train_diagonal_nets(X, y, [1.0, 0.01], eta, warmup=(100, 200.0), **kw)
    assert batch[0]["T_w_used"] == one["T_w_used"]
    assert batch[1]["T_w_used"] == 100  # a small init has a small lambda0
    assert [r["max_steps"] for r in batch] == [r["T_w_used"] + 10 for r in batch]
