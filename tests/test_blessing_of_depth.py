"""Paper 003 (Ma & Fattahi 2022): N-layer diagonal SubGM on the l1 loss, landscape tools, LPs,
data generators and reference formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from implicit_bias.data import rng_stream
from implicit_bias.kernels import diagonal as dg
from implicit_bias.papers.blessing_of_depth import KEY
from implicit_bias.papers.blessing_of_depth import datasets as ds
from implicit_bias.papers.blessing_of_depth import solvers as sv
from implicit_bias.papers.blessing_of_depth import theory as th


@pytest.fixture(scope="module")
def small():
    """A small over-parameterized instance with the paper's noise model."""
    return ds.robust_regression(seed=5, d=40, m=30, k=3, p=0.1, sigma_o=10.0)


# --- NumPy references ------------------------------------------------------------------------


def _eta(kind, eta0, rho, milestones, factor, t):
    if kind == "piecewise":
        return eta0 * factor ** sum(1 for s in milestones if s <= t)
    if kind == "geometric":
        return eta0 * rho**t
    return eta0


def _subgrad(X, y, W):
    """Algorithm 1's direction with the descent sign: (X^T sign(r) / m) * P_a."""
    r = X @ np.prod(W, axis=0) - y
    q = X.T @ np.sign(r) / y.size
    return q[None, :] * sv.layer_partials(W)


def _reference_subgm(X, y, W, T, kind="constant", eta0=1e-2, rho=1.0, milestones=(), factor=0.1):
    W = W.copy()
    for t in range(T):
        W = W - _eta(kind, eta0, rho, milestones, factor, t) * _subgrad(X, y, W)
    return W


# --- diagonal SubGM kernel ---------------------------------------------------------------------


@pytest.mark.parametrize("N", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "kind,rho,milestones",
    [("constant", 1.0, ()), ("piecewise", 1.0, (7, 15)), ("geometric", 0.97, ())],
)
def test_subgm_matches_numpy(small, N, kind, rho, milestones):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    U = ds.init_shapes(1, N, X.shape[1])
    W0 = dg.init_layers(N, X.shape[1], 0.05, "product", U)
    T = 25
    out = dg.subgm_diagonal(
        X, y, theta, W0, T, schedule=kind, eta=0.02, rho=rho, milestones=milestones, factor=0.3
    )
    ref = _reference_subgm(X, y, W0, T, kind, 0.02, rho, milestones, 0.3)
    assert np.max(np.abs(out["W"] - ref)) <= 1e-12 * max(1.0, np.max(np.abs(ref)))
    # logged metrics at the last step against the reference state
    theta_T = np.prod(ref, axis=0)
    assert out["steps"][-1] == T
    assert out["metrics"]["err"][-1] == pytest.approx(np.linalg.norm(theta_T - theta), rel=1e-12)
    assert out["metrics"]["train_loss"][-1] == pytest.approx(
        float(sv.l1_loss(X, y, ref)), rel=1e-12
    )


def test_subgm_batch_equals_single_runs(small):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    d = X.shape[1]
    W0 = np.stack([dg.init_layers(3, d, a, "layer") for a in (0.3, 0.2)])
    kw = dict(schedule="geometric", rho=[0.99, 0.995], milestones=())
    batch = dg.subgm_diagonal(X, y, theta, W0, 40, eta=[0.05, 0.03], **kw)
    for b, (e, r) in enumerate([(0.05, 0.99), (0.03, 0.995)]):
        one = dg.subgm_diagonal(X, y, theta, W0[b], 40, schedule="geometric", eta=e, rho=r)
        # from SUBGM_BLAS_MIN_B members on, the products are dgemm: equal up to summation order
        np.testing.assert_allclose(batch["W"][b], one["W"], rtol=1e-12)
        np.testing.assert_allclose(batch["metrics"]["err"][b], one["metrics"]["err"], rtol=1e-12)


@pytest.mark.parametrize(
    "kw",
    [
        dict(schedule="constant"),
        dict(schedule="piecewise", milestones=(60, 150), factor=0.3),
        dict(schedule="geometric", rho=np.linspace(0.99, 0.999, 5)),
    ],
)
def test_subgm_wide_batch_equals_single_runs(small, kw):
    # from SUBGM_BLAS_MIN_B members on, the batch runs as (d, B) columns with dgemm products:
    # the same runs up to the summation order of the products
    X, y, theta = small["X"], small["y"], small["theta_star"]
    d = X.shape[1]
    B = 5
    assert B > dg.SUBGM_BLAS_MIN_B
    W0 = np.stack([dg.init_layers(3, d, a) for a in np.geomspace(0.3, 0.03, B)])
    W0[0, 0, :2] = 0.0  # exercise sign(0) = 0 and zero layer products
    eta = np.linspace(0.01, 0.03, B)
    eta[2] = 50.0  # this member diverges, the others go on
    hit = 0.7 * float(np.linalg.norm(theta))
    common = dict(log_steps=np.arange(0, 201, 7), err_hit=hit)
    batch = dg.subgm_diagonal(X, y, theta, W0, 200, eta=eta, **kw, **common)
    assert (batch["status"] == dg.STATUS_DIVERGED).tolist() == [i == 2 for i in range(B)]
    assert (batch["t_hit"] >= 0).any()  # the hitting times are exercised
    close = dict(rtol=1e-10, atol=1e-14)
    for i in range(B):
        one_kw = {k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        one = dg.subgm_diagonal(X, y, theta, W0[i], 200, eta=eta[i], **one_kw, **common)
        for key in ("status", "t_hit", "t_min"):
            assert batch[key][i] == one[key], key
        np.testing.assert_allclose(batch["W"][i], one["W"], **close)
        np.testing.assert_allclose(batch["err_min"][i], one["err_min"], **close)
        for k in dg.SUBGM_METRICS:
            np.testing.assert_allclose(
                batch["metrics"][k][i], one["metrics"][k], **close, err_msg=k
            )


def test_subgm_running_min_and_hitting_time(small):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    W = dg.init_layers(2, X.shape[1], 0.1)
    T = 60
    errs = []
    Wr = W.copy()
    for _ in range(T + 1):
        errs.append(np.linalg.norm(np.prod(Wr, axis=0) - theta))
        Wr = Wr - 0.05 * _subgrad(X, y, Wr)
    errs = np.array(errs)
    hit = 0.5 * (errs.max() + errs.min())
    out = dg.subgm_diagonal(X, y, theta, W, T, eta=0.05, err_hit=hit, log_steps=np.arange(T + 1))
    assert out["t_min"] == int(np.argmin(errs))
    assert out["err_min"] == pytest.approx(errs.min(), rel=1e-12)
    first = int(np.flatnonzero(errs <= hit)[0]) if np.any(errs <= hit) else -1
    assert out["t_hit"] == first
    np.testing.assert_allclose(out["metrics"]["err"], errs, rtol=1e-12)
    if first >= 0:
        stopped = dg.subgm_diagonal(X, y, theta, W, T, eta=0.05, err_hit=hit, stop_at_hit=True)
        assert stopped["t_end"] == first


def test_subgm_metrics_definitions(small):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    W0 = dg.init_layers(3, X.shape[1], 0.2, "product", ds.init_shapes(2, 3, X.shape[1]))
    out = dg.subgm_diagonal(X, y, theta, W0, 0)
    supp = theta != 0
    th0 = np.prod(W0, axis=0)
    met = {k: v[0] for k, v in out["metrics"].items()}
    imb = np.max([np.abs(W0[a] - W0[b]) for a in range(3) for b in range(a + 1, 3)], axis=0)
    assert met["support_err"] == pytest.approx(np.linalg.norm((th0 - theta)[supp]))
    assert met["offsupport_norm"] == pytest.approx(np.linalg.norm(th0[~supp]))
    assert met["imbalance_support"] == pytest.approx(imb[supp].max())
    assert met["imbalance_offsupport"] == pytest.approx(imb[~supp].max())
    assert met["imbalance"] == pytest.approx(imb.max())
    topk = set(np.argsort(-np.abs(th0))[: supp.sum()]) == set(np.flatnonzero(supp))
    assert met["topk_recovered"] == float(topk)
    # the truth itself is recovered
    W_true = np.stack([theta] + [np.ones_like(theta)] * 2)
    assert dg.subgm_diagonal(X, y, theta, W_true, 0)["metrics"]["topk_recovered"][0] == 1.0


def test_subgm_flags_divergence(small):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    W0 = dg.init_layers(3, X.shape[1], 1.0, "layer")
    out = dg.subgm_diagonal(X, y, theta, np.stack([W0, W0]), 200, eta=[50.0, 1e-3])
    assert out["status"][0] == dg.STATUS_DIVERGED
    assert out["status"][1] == dg.STATUS_MAX_STEPS
    assert np.all(np.isfinite(out["metrics"]["err"][1]))


def test_identical_init_keeps_layers_identical(small):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    out = dg.subgm_diagonal(X, y, theta, dg.init_layers(3, X.shape[1], 1e-2), 200, eta=0.05)
    assert np.max(out["metrics"]["imbalance"]) == 0.0


def test_subgradient_sign_is_descent():
    """Spec 11.1: at a random point every r_j != 0, L is differentiable and -g descends."""
    rng = rng_stream(99, 3)
    X = rng.standard_normal((15, 8))
    y = rng.standard_normal(15)
    W = rng.uniform(0.5, 1.5, (3, 8))
    g = _subgrad(X, y, W)
    L0 = float(sv.l1_loss(X, y, W))
    assert float(sv.l1_loss(X, y, W - 1e-6 * g)) < L0
    h = 1e-7
    fd = (float(sv.l1_loss(X, y, W - h * g)) - float(sv.l1_loss(X, y, W + h * g))) / (2 * h)
    assert fd == pytest.approx(-np.sum(g * g), rel=1e-4)
    out = dg.subgm_diagonal(X, y, np.zeros(8), W, 1, eta=1e-6)
    assert out["metrics"]["train_loss"][1] < L0


def test_step_size_and_init_conventions():
    ms = np.array([10, 20], dtype=np.int64)
    assert dg.step_size(0, 0.1, 0.5, ms, 0.1, 30) == 0.1
    assert dg.step_size(1, 1e-3, 1.0, ms, 0.1, 9) == 1e-3
    assert dg.step_size(1, 1e-3, 1.0, ms, 0.1, 10) == pytest.approx(1e-4)
    assert dg.step_size(1, 1e-3, 1.0, ms, 0.1, 25) == pytest.approx(1e-5)
    assert dg.step_size(2, 0.3, 0.99, ms, 0.1, 100) == pytest.approx(0.3 * 0.99**100)
    W = dg.init_layers(3, 4, 1e-3, "product")
    np.testing.assert_allclose(np.prod(W, axis=0), 1e-3)
    W = dg.init_layers(3, 4, 1e-3, "layer")
    np.testing.assert_allclose(W, 1e-3)
    with pytest.raises(ValueError):
        dg.init_layers(2, 4, 1e-3, "other")
    assert dg.linear_grid(1000, 10)[-1] == 1000
    np.testing.assert_array_equal(dg.with_endpoint([0, 5, 50], 20), [0, 5, 20])


def test_population_dynamics_matches_numpy():
    theta = np.array([1.2, 0.7, 0.0, 0.0])
    W0 = dg.init_layers(3, 4, 1e-2)
    p, sig, eta, T = 0.1, 10.0, 0.05, 300
    W = W0.copy()
    errs = []
    for _ in range(T + 1):
        z = theta - np.prod(W, axis=0)
        s = np.linalg.norm(z)
        errs.append(s)
        W = W + eta * th.phi(s, p, sig) * (z / s)[None] * sv.layer_partials(W)
    out = th.population_trajectory(theta, W0, eta, p, sig, T, np.arange(T + 1))
    np.testing.assert_allclose(out["err"], errs, rtol=1e-11)
    assert errs[-1] < 0.1 * errs[0]  # the noiseless skeleton fits the signal


# --- smoothed loss, landscape directions -------------------------------------------------------


def test_smoothed_gradient_and_hessian_finite_differences(small):
    X, y = small["X"][:, :6], small["y"]
    rng = rng_stream(99, 4)
    W = rng.uniform(0.2, 1.0, (3, 6))
    eps = 1e-2  # a smoothing that keeps finite differences well conditioned
    g = sv.smoothed_grad(X, y, W, eps)
    H = sv.smoothed_hessian(X, y, W, eps)
    h = 1e-6
    fd_g = np.zeros_like(W)
    fd_H = np.zeros_like(H)
    for idx in range(W.size):
        e = np.zeros(W.size)
        e[idx] = h
        Wp, Wm = W + e.reshape(W.shape), W - e.reshape(W.shape)
        fd_g.flat[idx] = (sv.smoothed_loss(X, y, Wp, eps) - sv.smoothed_loss(X, y, Wm, eps)) / (
            2 * h
        )
        fd_H[:, idx] = (
            sv.smoothed_grad(X, y, Wp, eps) - sv.smoothed_grad(X, y, Wm, eps)
        ).ravel() / (2 * h)
    np.testing.assert_allclose(g, fd_g, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(H, fd_H, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_min_norm_subgradient_known_case():
    # r_1 = 0 (kink), r_2 = 1: g0 = (0, 1/2), A = x_1 / 2 = (1/2, 1/2); the minimum-norm element
    # of {(s/2, 1/2 + s/2)} is s = -1/2, i.e. (-1/4, 1/4).
    X = np.array([[1.0, 1.0], [0.0, 1.0]])
    y = np.array([0.0, -1.0])
    g, s = sv.min_norm_subgradient(X, y, np.zeros((1, 2)) + np.array([[0.0, 0.0]]))
    np.testing.assert_allclose(g[0], [-0.25, 0.25], atol=1e-12)
    np.testing.assert_allclose(s, [-0.5], atol=1e-12)


def test_descent_directions_shapes_and_flatness(small):
    X, y, theta = small["X"], small["y"], small["theta_star"]
    res = {N: sv.descent_directions(X, y, theta, N) for N in (1, 2, 3)}
    for N, r in res.items():
        assert r["d"].shape == r["h"].shape == (N, X.shape[1])
        assert np.linalg.norm(r["d"]) == pytest.approx(1.0)
    assert res[1]["mode"] == "steepest" and res[1]["g_min_norm"] > 1e-3
    assert res[2]["mode"] == res[3]["mode"] == "lifted_offsupport"
    a = np.array([0.0, 0.1, 0.2])
    drops = {
        N: sv.landscape_slice(X, y, r["W_star"], r["d"], r["h"], a, [0.0])[:, 0]
        for N, r in res.items()
    }
    for N in (1, 2, 3):
        assert drops[N][0] == 0.0
    # deeper is flatter along d near w*
    assert abs(drops[3][2]) < abs(drops[2][2]) < abs(drops[1][2])
    # along the lifted direction the product moves by exactly a^N c v, so the drop is O(a^N)
    assert drops[2][2] == pytest.approx(4 * drops[2][1], rel=0.05)


# --- LPs -------------------------------------------------------------------------------------


def test_worst_case_decrease_identity_design():
    """X = I: min mean|Delta - eps| over |Delta| <= tau gives D = mean(min(tau, |eps|))."""
    eps = np.array([0.0, 0.5, -2.0, 0.05, 0.0, 3.0])
    X = np.eye(6)
    for tau in (0.01, 0.1, 1.0, 5.0):
        want = float(np.mean(np.minimum(tau, np.abs(eps))))
        assert sv.worst_case_decrease(X, eps, tau) == pytest.approx(want, abs=1e-9)
    theta = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])  # supp = {0, 4}
    off = [1, 2, 3, 5]
    for gamma, N in ((0.5, 2), (0.3, 3), (0.05, 2)):
        tau = gamma**N
        want = float(np.sum(np.minimum(tau, np.abs(eps[off])))) / eps.size
        assert sv.balanced_decrease(X, eps, theta, gamma, N) == pytest.approx(want, abs=1e-9)
    assert sv.decrease_coefficient(X, eps) == pytest.approx(4 / 6, rel=1e-6)


def test_lad_exact_recovery_under_parameterized():
    """Thm. 1(ii): m well above 2 pi d / (1 - 2p)^2, so theta* is the LAD solution."""
    data = ds.under_parameterized(seed=0, d=10, m=200, p=0.1)
    assert data["m"] >= th.lad_recovery_threshold(10, 0.1)
    res = sv.lad(data["X"], data["y"])
    assert np.linalg.norm(res["theta"] - data["theta_star"]) <= 1e-6
    assert res["loss"] == pytest.approx(data["L_star"], abs=1e-9)


def test_lad_interpolates_over_parameterized(small):
    res = sv.lad(small["X"], small["y"])
    assert res["loss"] <= 1e-9
    assert res["loss"] <= small["L_star"]


def test_lad_lasso_limits(small):
    X, y = small["X"], small["y"]
    big = (
        float(np.max(np.abs(X.T @ np.sign(y)))) / y.size + 1.0
    )  # above the zero-solution KKT bound
    assert np.max(np.abs(sv.lad_lasso(X, y, big)["theta"])) <= 1e-9
    tiny = sv.lad_lasso(X, y, 1e-8)
    assert tiny["loss"] <= 1e-5


def test_lemma5_statistic_concentrates():
    rng = rng_stream(99, 5)
    m, d, p, sig = 40_000, 5, 0.2, 3.0
    X = rng.standard_normal((m, d))
    eps = np.where(rng.random(m) < p, sig * rng.standard_normal(m), 0.0)
    for s in (0.3, 3.0):
        z = np.array([1.0, -2.0, 0.0, 0.5, 0.0])
        z *= s / np.linalg.norm(z)
        r = sv.lemma5_direction_error(X, eps, z, p, sig)
        assert r["projection"] == pytest.approx(r["phi"], abs=0.02)
        assert r["deviation"] <= 0.03


# --- data ------------------------------------------------------------------------------------


def test_robust_regression_distribution_and_determinism():
    a = ds.robust_regression(seed=1, d=200, m=400, k=5, p=0.1, sigma_o=10.0)
    b = ds.robust_regression(seed=1, d=200, m=400, k=5, p=0.1, sigma_o=10.0)
    c = ds.robust_regression(seed=2, d=200, m=400, k=5, p=0.1, sigma_o=10.0)
    for key in ("X", "y", "eps", "S", "theta_star"):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["X"], c["X"])
    X, eps, theta = a["X"], a["eps"], a["theta_star"]
    assert abs(X.mean()) < 4 / math.sqrt(X.size)
    assert X.var() == pytest.approx(1.0, abs=0.02)
    assert a["S"].size == 40 and np.count_nonzero(eps) == 40
    assert np.all(eps[np.setdiff1d(np.arange(400), a["S"])] == 0)
    assert 6.0 < eps[a["S"]].std() < 14.0  # sigma_o = 10 from 40 draws
    assert np.count_nonzero(theta) == 5 and np.all(theta >= 0)
    assert np.all((theta[a["supp"]] >= 0.5) & (theta[a["supp"]] <= 1.5))
    np.testing.assert_allclose(a["y"], X @ theta + eps, rtol=0, atol=1e-12)
    assert a["L_star"] == pytest.approx(np.mean(np.abs(eps)))


def test_spec_generation_order_reproduces_pilot():
    """The spec's order with default_rng(0) gives its pilot dataset (||theta*|| and L*)."""
    a = ds.robust_regression(rng=np.random.default_rng(0))
    assert np.linalg.norm(a["theta_star"]) == pytest.approx(2.8073, abs=1e-4)
    assert a["L_star"] == pytest.approx(0.85554, abs=1e-5)


def test_matrix_and_relu_data():
    mr = ds.matrix_recovery(seed=0)
    assert np.linalg.matrix_rank(mr["Xstar"]) == 3
    assert mr["A"].shape == (180, 400) and np.count_nonzero(mr["eps"]) == 9
    np.testing.assert_allclose(mr["y"] - mr["eps"], mr["A"] @ mr["Xstar"].ravel(), atol=1e-10)
    W0 = ds.matrix_init(0, 4, 20, 1e-3)
    assert W0.std() == pytest.approx(1e-3 ** (1 / 4) / math.sqrt(20), rel=0.1)
    np.testing.assert_array_equal(W0, ds.matrix_init(0, 4, 20, 1e-3))
    rd = ds.relu_data(seed=0, m=800, m_test=300)
    assert np.count_nonzero(rd["theta_star"]) == 2
    assert np.linalg.norm(rd["theta_star"]) == pytest.approx(1.0)
    assert np.count_nonzero(rd["eps"]) == 40
    np.testing.assert_allclose(rd["f_test"], np.sin(rd["theta_star"] @ rd["XT_test"]))
    Ws = ds.relu_init(0, 3, 50, 64, 1e-2)
    assert [W.shape for W in Ws] == [(64, 50), (64, 64), (1, 64)]
    # zero predictor MSE on the clean test set near its closed form
    assert np.mean(rd["f_test"] ** 2) == pytest.approx(th.zero_predictor_mse(1.0), abs=0.05)


def test_lemma5_direction_and_shapes():
    z = ds.lemma5_direction(0, 50, 5, (0.1, 1.0, 10.0))
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), [0.1, 1.0, 10.0])
    assert np.all(np.count_nonzero(z, axis=1) == 5)
    U = ds.init_shapes(0, 3, 1000)
    assert U.min() >= 0.5 and U.max() <= 1.5 and U.mean() == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("kind", ["regression", "matrix", "relu"])
def test_to_dataset_cf(kind):
    draw = {
        "regression": lambda: ds.robust_regression(0, d=30, m=20, k=2),
        "matrix": lambda: ds.matrix_recovery(0, d=5, r=2, m=30),
        "relu": lambda: ds.relu_data(0, d=6, m=40, m_test=10),
    }[kind]()
    out = ds.to_dataset(draw)
    assert isinstance(out, xr.Dataset) and out.attrs["paper"] == KEY
    for var in out.data_vars.values():
        assert "long_name" in var.attrs and "units" in var.attrs
    assert int(out["outlier"].sum()) == draw["S"].size


# --- theory ----------------------------------------------------------------------------------


def test_phi_limits_and_polynomial_decay_ode():
    c = math.sqrt(2 / math.pi)
    assert th.phi(1e9, 0.1, 10.0) == pytest.approx(c)
    assert th.phi(0.0, 0.1, 10.0) == pytest.approx(0.9 * c)
    E0, cc, N = 0.5, 2.0, 4
    t = np.array([0.0, 3.0, 10.0])
    E = th.polynomial_decay(t, E0, cc, N)
    h = 1e-5
    dE = (th.polynomial_decay(t + h, E0, cc, N) - th.polynomial_decay(t - h, E0, cc, N)) / (2 * h)
    np.testing.assert_allclose(dE, -cc * E ** ((2 * N - 2) / N), rtol=1e-6)
    assert E[0] == pytest.approx(E0)


def test_time_scales():
    assert th.onset_reference(1e-3, 2) == pytest.approx(math.log(1e3))
    assert th.onset_reference(1e-3, 4) == pytest.approx(1e-3 ** (-0.5))
    assert th.onset_ratio(5100, 1e-3, 2, 2e-3) == pytest.approx(5100 * 4e-3 / math.log(1e3))
    T = th.fitting_times(np.array([1.0, 0.0, 2.0]), 3, 1e-3, 1e-3)
    scale = 1e-3 ** (-1 / 3) / (3 * 1e-3)
    np.testing.assert_allclose(T, [math.sqrt(5) / 2 * scale, 1.0 * scale])
    assert th.lad_recovery_threshold(20, 0.1) == pytest.approx(2 * math.pi * 20 / 0.64)
    assert th.escape_factor(300, 0.1, 5) == pytest.approx(math.sqrt(300 * 0.81 / 5))
