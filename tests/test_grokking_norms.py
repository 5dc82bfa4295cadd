"""Paper 004 (grokking beyond the Euclidean norm): kernels, data, solvers, theory and figures."""

import math

import numpy as np
import pytest
import xarray as xr

from implicit_bias.kernels import diagonal as dg
from implicit_bias.kernels import teacher_student as ts
from implicit_bias.papers.grokking_norms import datasets as ds
from implicit_bias.papers.grokking_norms import solvers, theory


def _problem(n=40, s=3, N=15, seed=0):
    return ds.sparse_recovery(n, s, N, seed=seed)


def _h(b):
    return np.sign(b)  # numpy's sign has sign(0) = 0, as the spec requires


def _csign(b):
    m = b.size // 2
    z = b[:m] + 1j * b[m:]
    mod = np.abs(z)
    h = np.where(mod > 0, z / np.where(mod > 0, mod, 1), 0)
    return np.concatenate([h.real, h.imag])


def _ref_shallow(X, y, b, T, alpha, beta1, beta2, method, decay_b=None, pairs=False):
    b = b.copy()
    P = X.T @ np.linalg.inv(X @ X.T) if method == "projected" else None
    h = _csign if pairs else _h
    for t in range(T):
        a = alpha if decay_b is None else alpha * (1 + decay_b) / (decay_b + t + 1)
        G = X.T @ (X @ b - y) + beta2 * b
        if method == "subgradient":
            b = b - a * (G + beta1 * h(b))
        elif method == "ista":
            z = b - a * G
            if pairs:
                m = z.size // 2
                zc = z[:m] + 1j * z[m:]
                zc = np.maximum(np.abs(zc) - a * beta1, 0) * np.exp(1j * np.angle(zc))
                b = np.concatenate([zc.real, zc.imag])
            else:
                b = np.sign(z) * np.maximum(np.abs(z) - a * beta1, 0)
        else:
            z = b - a * beta1 * h(b)
            b = z - P @ (X @ z - y)
    return b


def _ref_deep(X, y, W, T, alpha, beta1, beta2):
    W = W.copy()
    for _ in range(T):
        b = np.prod(W, axis=0)
        g = X.T @ (X @ b - y)
        new = np.empty_like(W)
        for k in range(W.shape[0]):
            p = np.prod(np.delete(W, k, axis=0), axis=0)
            new[k] = (1 - alpha * beta2) * W[k] - alpha * g * p - alpha * beta1 * np.sign(W[k])
        W = new
    return W


# --- update rules against plain NumPy ----------------------------------------------------------


@pytest.mark.parametrize("method", ["subgradient", "ista", "projected"])
@pytest.mark.parametrize("decay_b", [None, 3.0])
def test_shallow_update_rules_match_numpy(method, decay_b):
    p = _problem()
    b0 = ds.init_factors(p.n, 0.05, seed=1)[0]
    b0[:4] = 0.0  # exercise sign(0) = 0
    kw = dict(alpha=0.3, beta1=0.02, beta2=0.01 if method != "projected" else 0.0)
    out = dg.grok_diagonal(p.X, p.y, p.b_star, b0[None], 25, method=method, decay_b=decay_b, **kw)
    ref = _ref_shallow(p.X, p.y, b0, 25, method=method, decay_b=decay_b, **kw)
    np.testing.assert_allclose(out["b"], ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["subgradient", "ista"])
def test_complex_pairs_match_numpy(method):
    rng = np.random.default_rng(3)
    Xc = (rng.standard_normal((6, 8)) + 1j * rng.standard_normal((6, 8))) / 4
    bc = np.zeros(8, complex)
    bc[[1, 5]] = [1 + 1j, -0.5j]
    X, y, bs = ds.realify(Xc, Xc @ bc, bc)
    b0 = 0.01 * rng.standard_normal(16)
    b0[3] = b0[11] = 0.0
    kw = dict(alpha=0.2, beta1=0.03, beta2=0.0)
    out = dg.grok_diagonal(X, y, bs, b0[None], 20, method=method, pairs=True, **kw)
    ref = _ref_shallow(X, y, b0, 20, method=method, pairs=True, **kw)
    np.testing.assert_allclose(out["b"], ref, rtol=0, atol=1e-12)


def test_realify_is_the_complex_problem():
    sp = ds.sinusoid_problem(seed=2)
    r = sp["X"] @ sp["b_star"] - sp["y"]
    assert np.max(np.abs(r)) < 1e-12
    b = np.random.default_rng(0).standard_normal(sp["b_star"].size)
    m = b.size // 2
    bc = b[:m] + 1j * b[m:]
    gc = sp["Xc"].conj().T @ (sp["Xc"] @ bc - sp["yc"])
    g = sp["X"].T @ (sp["X"] @ b - sp["y"])
    np.testing.assert_allclose(g, np.concatenate([gc.real, gc.imag]), atol=1e-12)
    t = np.arange(100)
    a = sum(
        A * np.cos(2 * np.pi * k * t / 100 + ph)
        for k, A, ph in zip(ds.SINUSOID["F"], ds.SINUSOID["A"], ds.SINUSOID["phi"], strict=True)
    )
    np.testing.assert_allclose(sp["a_star"], a, atol=1e-12)


@pytest.mark.parametrize("L", [2, 3])
def test_deep_update_matches_numpy(L):
    p = _problem()
    W0 = ds.init_factors(p.n, 0.5, L=L, seed=2)
    W0[0, :3] = 0.0
    kw = dict(alpha=0.2, beta1=1e-3, beta2=1e-2)
    out = dg.grok_diagonal(p.X, p.y, p.b_star, W0, 30, **kw)
    np.testing.assert_allclose(out["W"], _ref_deep(p.X, p.y, W0, 30, **kw), rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["b"], np.prod(out["W"], axis=0), atol=1e-15)


def test_depth_one_equals_shallow_subgradient():
    p = _problem()
    b0 = ds.init_factors(p.n, 0.1, seed=0)
    kw = dict(alpha=0.2, beta1=1e-3, beta2=1e-2)
    deep = _ref_deep(p.X, p.y, b0, 40, **kw)[0]
    out = dg.grok_diagonal(p.X, p.y, p.b_star, b0, 40, **kw)
    np.testing.assert_allclose(out["b"], deep, atol=1e-13)


def test_projected_interpolates_after_one_step():
    p = _problem()
    out = dg.grok_diagonal(
        p.X, p.y, p.b_star, ds.init_factors(p.n, 1e-6), 3, method="projected", log_steps=[0, 1, 2]
    )
    assert out["metrics"]["train_error"][0] > 0.5
    assert np.all(out["metrics"]["train_error"][1:] < 1e-12)
    assert out["t1"] == 1


def test_batch_members_equal_single_runs():
    p = _problem()
    W0 = np.stack([ds.init_factors(p.n, z, seed=3) for z in (1e-6, 1e-3, 1e-1)])
    alpha, beta1 = np.array([0.1, 0.2, 0.3]), np.array([1e-3, 1e-2, 0.0])
    batch = dg.grok_diagonal(p.X, p.y, p.b_star, W0, 200, alpha=alpha, beta1=beta1)
    for i in range(3):
        one = dg.grok_diagonal(p.X, p.y, p.b_star, W0[i], 200, alpha=alpha[i], beta1=beta1[i])
        np.testing.assert_array_equal(batch["b"][i], one["b"])
        for k in dg.GROK_METRICS:
            np.testing.assert_array_equal(batch["metrics"][k][i], one["metrics"][k])
        assert batch["t1"][i] == one["t1"]


@pytest.mark.parametrize(
    "L, method, extra",
    [
        (1, "subgradient", {}),
        (1, "subgradient", {"pairs": True, "decay_b": 3.0, "beta2": 1e-2}),
        (1, "ista", {}),
        (1, "ista", {"pairs": True}),
        (1, "projected", {}),
        (1, "projected", {"pairs": True}),
        (2, "subgradient", {"beta2": 1e-2}),
        (3, "subgradient", {}),
    ],
)
def test_wide_batch_equals_single_runs(L, method, extra):
    # from GROK_BLAS_MIN_B members on, the batch runs as (n, B) columns with dgemm products:
    # the same runs up to the summation order of the products
    p = _problem()
    B = dg.GROK_BLAS_MIN_B + 1
    W0 = np.stack([ds.init_factors(p.n, z, L=L, seed=3) for z in np.geomspace(0.05, 0.5, B)])
    if L > 1:
        W0[:, 0, :2] = 0.0  # exercise sign(0) = 0
    alpha = np.linspace(0.05, 0.3, B)
    if method != "projected":  # (whose iterates grow at most linearly)
        alpha[1] = 500.0  # this member diverges, the others go on
    beta1 = np.geomspace(1e-4, 1e-2, B)
    kw = dict(method=method, log_steps=np.arange(0, 201, 7), snap_steps=[0, 50, 200], **extra)
    batch = dg.grok_diagonal(p.X, p.y, p.b_star, W0, 200, alpha=alpha, beta1=beta1, **kw)
    diverged = batch["status"] == dg.STATUS_DIVERGED
    assert diverged.tolist() == [i == 1 and method != "projected" for i in range(B)]
    close = dict(rtol=1e-10, atol=1e-14)
    if method == "projected" and extra.get("pairs"):
        # near-zero complex moduli amplify rounding: a 1e-15 relative change of y moves the
        # single run itself by ~3e-10 here
        close["atol"] = 1e-8
    for i in range(B):
        one = dg.grok_diagonal(p.X, p.y, p.b_star, W0[i], 200, alpha=alpha[i], beta1=beta1[i], **kw)
        for key in ("status", "t1", "t2"):
            assert batch[key][i] == one[key], key
        n_log, n_snap = one["steps"].size, one["snap_steps"].size  # the diverged run stops early
        np.testing.assert_allclose(batch["W"][i], one["W"], **close)
        np.testing.assert_allclose(batch["snaps"][i, :n_snap], one["snaps"], **close)
        for k in ("etr_min", "ete_min"):
            np.testing.assert_allclose(batch[k][i], one[k], **close)
        for k in dg.GROK_METRICS:
            if method == "projected" and k in ("train_error", "grad_ratio"):
                continue  # X b = y to rounding: both are ratios of rounding errors
            np.testing.assert_allclose(
                batch["metrics"][k][i, :n_log], one["metrics"][k], **close, err_msg=k
            )


def test_metrics_and_hitting_times_match_numpy_trajectory():
    p = _problem(n=50, s=3, N=25)
    b0 = ds.init_factors(p.n, 1e-6)[0]
    kw = dict(alpha=0.5, beta1=1e-3, beta2=0.0)
    T = 3000
    grid = np.array([0, 1, 7, 100, 2999, 3000])
    out = dg.grok_diagonal(
        p.X, p.y, p.b_star, b0[None], T, log_steps=grid, snap_steps=[5], eps1=0.1, eps2=0.5, **kw
    )
    b = b0.copy()
    etr, ete, rows = [], [], {}
    sup = p.b_star != 0
    for t in range(T + 1):
        r = p.X @ b - p.y
        etr.append(np.linalg.norm(r) / np.linalg.norm(p.y))
        ete.append(np.linalg.norm(b - p.b_star) / np.linalg.norm(p.b_star))
        if t in grid:
            G = p.X.T @ r
            h = np.where(np.abs(b) >= 1e-3, np.sign(b), 0.0)
            rows[t] = [
                etr[-1],
                ete[-1],
                np.abs(b).sum(),
                np.linalg.norm(b),
                np.abs(b).max(),
                np.linalg.norm(b[sup]),
                np.linalg.norm(b[~sup]),
                kw["beta1"] * np.linalg.norm(h) / np.linalg.norm(G),
                np.abs(b - p.b_star).mean(),
            ]
        if t == 5:
            snap = b.copy()
        b = _ref_shallow(p.X, p.y, b, 1, method="subgradient", **kw)
    etr, ete = np.array(etr), np.array(ete)
    assert out["t1"] == np.argmax(etr <= 0.1) and (etr <= 0.1).any()
    assert out["t2"] == np.argmax(ete <= 0.5) and (ete <= 0.5).any()
    np.testing.assert_allclose(out["etr_min"], etr.min(), rtol=1e-9)
    np.testing.assert_allclose(out["ete_min"], ete.min(), rtol=1e-9)
    for i, t in enumerate(grid):
        got = [out["metrics"][k][i] for k in dg.GROK_METRICS]
        np.testing.assert_allclose(got, rows[t], rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(out["snaps"][0], snap, atol=1e-14)


def test_early_stop_and_divergence():
    p = _problem(n=50, s=3, N=25)
    b0 = ds.init_factors(p.n, 1e-6)
    out = dg.grok_diagonal(
        p.X, p.y, p.b_star, b0, 10**6, alpha=0.5, beta1=1e-3, eps2=5e-2, stop_mult=2.0
    )
    assert out["t2"] > 0 and out["t_end"] == 2 * out["t2"]
    assert out["status"] == dg.STATUS_CONVERGED
    lam = np.linalg.eigvalsh(p.X @ p.X.T).max()
    bad = dg.grok_diagonal(p.X, p.y, p.b_star, b0, 5000, alpha=2.5 / lam, beta1=0.0)
    assert bad["status"] == dg.STATUS_DIVERGED and bad["t_end"] < 5000


def test_grid_and_argument_checks():
    g = dg.grok_log_grid(5000)
    assert g[0] == 0 and g[-1] == 5000 and np.all(np.diff(g) > 0)
    assert set(range(1000)) <= set(g) and {2000, 3000, 4000} <= set(g)
    p = _problem()
    with pytest.raises(ValueError):
        dg.grok_diagonal(p.X, p.y, p.b_star, np.ones((2, p.n)), 5, method="ista")
    with pytest.raises(ValueError):
        dg.grok_diagonal(p.X, p.y, p.b_star, np.ones((1, p.n)), 5, method="newton")


# --- data ------------------------------------------------------------------------------------


def test_sparse_signal_distribution_and_determinism():
    n, s = 100, 5
    draws = np.array([ds.sparse_signal(n, s, seed) for seed in range(600)])
    assert np.all(np.count_nonzero(draws, axis=1) == s)
    vals = draws[draws != 0]
    assert abs(vals.mean()) < 4 * math.sqrt(1 / n / vals.size)
    assert abs(vals.var() * n - 1) < 0.1  # 3000 values: sd of the ratio ~ 0.026
    counts = np.count_nonzero(draws, axis=0)  # support uniform: 30 expected per index
    assert counts.min() > 10 and counts.max() < 55
    np.testing.assert_array_equal(ds.sparse_signal(n, s, 7), ds.sparse_signal(n, s, 7))
    assert not np.array_equal(ds.sparse_signal(n, s, 7), ds.sparse_signal(n, s, 8))


@pytest.mark.parametrize("x_var", ["1/n", "1/N"])
def test_measurements_variance_and_coherence(x_var):
    n, N = 100, 60
    X, c = ds.measurement_matrix(n, N, 0.0, seed=1, x_var=x_var)
    target = 1 / n if x_var == "1/n" else 1 / N
    assert abs(X.var() / target - 1) < 0.05  # 6000 entries
    assert c.size == 0
    Xt, c = ds.measurement_matrix(n, N, 0.5, seed=1, x_var=x_var)
    assert c.size == 30 and np.unique(c).size == 30
    np.testing.assert_array_equal(Xt[:30], np.eye(n)[c])
    np.testing.assert_array_equal(Xt[30:], X[30:])  # the tau sweep shares its Gaussian rows
    assert ds.mutual_coherence(Xt) == pytest.approx(1.0)
    assert ds.mutual_coherence(X) < 0.7
    _, first = ds.measurement_matrix(n, N, 0.5, seed=1, coherent="first")
    np.testing.assert_array_equal(first, np.arange(30))
    _, all_rows = ds.measurement_matrix(n, N, 1.0, seed=1)
    assert all_rows.size == N


def test_sparse_recovery_noise_and_dataset():
    p = ds.sparse_recovery(100, 5, 30, seed=4, snr=1e2)
    np.testing.assert_allclose(p.y - p.X @ p.b_star, p.xi, atol=1e-15)
    assert 0 < np.linalg.norm(p.xi) < 1
    q = ds.sparse_recovery(100, 5, 30, seed=4)
    assert np.all(q.xi == 0) and np.array_equal(q.X, p.X)
    d = ds.to_dataset(q)
    assert d["X"].shape == (30, 100) and d.attrs["s"] == 5
    assert all("long_name" in d[v].attrs and "units" in d[v].attrs for v in d.data_vars)


def test_realistic_signals():
    b = ds.digit_signal()
    assert b.shape == (64,) and np.count_nonzero(b) == 22 and b.max() <= 1 and b[b > 0].min() >= 0.5
    pp = ds.polynomial_problem(m=10, s=5, N=40, seed=0)
    assert pp.X.shape == (40, 65) and pp.s == 5
    np.testing.assert_allclose(np.linalg.norm(pp.X, axis=0), 1.0)
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(ds.polynomial_features(x), [[1, 2, 3, 4, 6, 9, 1, 2, 3]])


def test_init_switch_even_depth_ones_is_nonnegative():
    W = ds.init_factors(10, 0.1, L=2, kind="ones")
    assert np.all(np.prod(W, axis=0) >= 0)
    g = ds.init_factors(10000, 2.0, seed=5)
    assert abs(g.var() * 10000 / 4 - 1) < 0.05


# --- solvers and theory ----------------------------------------------------------------------


def test_least_squares_and_basis_pursuit():
    p = ds.sparse_recovery(100, 5, 40, seed=0)
    bh = solvers.least_squares(p.X, p.y)
    np.testing.assert_allclose(bh, np.linalg.pinv(p.X) @ p.y, atol=1e-12)
    b2 = solvers.least_squares(p.X, p.y, 0.1)
    np.testing.assert_allclose((p.X.T @ p.X + 0.1 * np.eye(100)) @ b2, p.X.T @ p.y, atol=1e-12)
    e = np.linalg.norm(bh - p.b_star) / np.linalg.norm(p.b_star)
    assert theory.lsq_test_error(p.X, p.b_star) == pytest.approx(e, rel=1e-9)
    bp = solvers.basis_pursuit(p.X, p.y)
    assert np.linalg.norm(bp - p.b_star) < 1e-6  # N = 40 >> s log(n/s): exact recovery
    P = solvers.row_space_projector(p.X)
    np.testing.assert_allclose(p.X @ (bh - P @ (p.X @ bh - p.y)), p.y, atol=1e-12)


def test_stopping_rules_on_hand_made_trajectories():
    steps = np.array([0, 10, 20, 30, 40, 50, 60, 70])
    err = np.array([1.0, 0.8, 0.5, 0.11, 0.2, 0.101, 0.1, 0.099])
    assert theory.first_hit(steps, err, 0.5) == 20
    assert theory.first_hit(steps, err, 0.01, T=70) == 70
    # E_final = 0.1; 0.11 is outside 5 %, (0.101, 0.1) is the first stable pair
    assert theory.t_stable(steps, err) == 50
    assert theory.t_stable(steps, [1, 2, 3, 4, 5, 6, 7, 100], T=-1) == -1
    nt = theory.nn_times(steps, err[::-1], err)
    assert nt["t2_argmin"] == 70 and nt["t1_argmin"] == 0 and nt["t2"] == 50


def test_memorization_bound_and_pure_sign_dynamics():
    p = ds.sparse_recovery(100, 5, 30, seed=0)
    lam = np.linalg.eigvalsh(p.X @ p.X.T)
    rho = theory.rho_rowspace(p.X, 0.1)
    assert rho == pytest.approx(max(abs(1 - 0.1 * lam.min()), abs(1 - 0.1 * lam.max())))
    assert theory.rho_p(p.X, 0.1, p=2) == pytest.approx(1.0)  # null space when N < n
    t_small = theory.t1_bound(1.0, 0.1, 1e-5, rho)
    assert t_small > theory.t1_bound(1.0, 0.1, 1e-3, rho) > 0
    assert math.isinf(theory.t1_bound(1.0, 0.1, 1e-5, 1.0))
    b = np.array([0.35, -0.07, 0.0, 0.2])
    gamma = 0.05
    k = theory.pure_sign_steps(b, gamma)
    for _ in range(k + 1):
        b = b - gamma * np.sign(b)
    assert np.max(np.abs(b)) <= gamma + 1e-15
    bh = solvers.least_squares(p.X, p.y)
    assert theory.delta_t(bh, 0.1, 1e-5) == pytest.approx(np.abs(bh).max() / 1e-6)
    assert theory.predicted_t2(10, bh, 0.1, 1e-5, p.b_star) == pytest.approx(
        10 + np.abs(bh - p.b_star).max() / 1e-6
    )


# --- teacher-student -------------------------------------------------------------------------


def _small_ts(seed=0):
    data = ds.teacher_student(d=6, r=9, c=2, N=12, N_test=20, seed=seed)
    A0, B0 = ds.student_init(6, 9, 2, seed=seed)
    return data, A0, B0


def _fd(f, W, eps=1e-6):
    g = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += eps
        Wm[idx] -= eps
        g[idx] = (f(Wp) - f(Wm)) / (2 * eps)
    return g


def test_loss_and_sobolev_gradients_match_finite_differences():
    data, A, B = _small_ts()
    loss, dA, dB = ts.loss_and_grad(A, B, data.X, data.Y)
    assert loss == pytest.approx(np.sum((np.maximum(data.X @ A.T, 0) @ B.T - data.Y) ** 2) / 12)
    np.testing.assert_allclose(
        dA, _fd(lambda W: ts.loss_and_grad(W, B, data.X, data.Y)[0], A), atol=1e-6
    )
    np.testing.assert_allclose(
        dB, _fd(lambda W: ts.loss_and_grad(A, W, data.X, data.Y)[0], B), atol=1e-6
    )
    J = ts.student_jacobians(data.A_star, data.B_star, data.X)
    x = data.X[3]
    Jx = data.B_star @ np.diag((data.A_star @ x > 0).astype(float)) @ data.A_star
    np.testing.assert_allclose(J[3], Jx, atol=1e-14)
    S, sA, sB = ts.sobolev_loss_and_grad(A, B, data.X, J)
    Ji = ts.student_jacobians(A, B, data.X)
    assert S == pytest.approx(np.sum((Ji - J) ** 2) / 12)
    # masks are piecewise constant: small perturbations keep them, so FD is exact here
    np.testing.assert_allclose(
        sA, _fd(lambda W: ts.sobolev_loss_and_grad(W, B, data.X, J)[0], A, 1e-8), atol=1e-5
    )
    np.testing.assert_allclose(
        sB, _fd(lambda W: ts.sobolev_loss_and_grad(A, W, data.X, J)[0], B, 1e-8), atol=1e-5
    )


def test_penalty_subgradients():
    W = np.array([[1.0, -2.0, 0.0], [0.0, 3.0, -0.5]])
    np.testing.assert_array_equal(ts.penalty_grad(W, "l1"), np.sign(W))
    assert ts.penalty_grad(W, "l1")[0, 2] == 0.0
    np.testing.assert_allclose(ts.penalty_grad(W, "l2"), W / np.linalg.norm(W))
    np.testing.assert_allclose(ts.penalty_grad(W, "l2sq"), W)
    for kind in ("l2", "l2sq", "nuc"):
        np.testing.assert_allclose(
            ts.penalty_grad(W, kind), _fd(lambda M, k=kind: ts.penalty_value(M, k), W), atol=1e-6
        )
    assert ts.penalty_value(W, "nuc") == pytest.approx(np.linalg.svd(W, compute_uv=False).sum())


@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_training_loop_matches_manual_steps(optimizer):
    data, A0, B0 = _small_ts(1)
    lr, beta, T = 1e-2, 1e-2, 5
    out = ts.train_teacher_student(
        data, A0, B0, T, lr=lr, beta=beta, penalty="l1", optimizer=optimizer, log_steps=[0, T]
    )
    A, B = A0.copy(), B0.copy()
    mom = [np.zeros_like(A), np.zeros_like(A), np.zeros_like(B), np.zeros_like(B)]
    for t in range(1, T + 1):
        _, dA, dB = ts.loss_and_grad(A, B, data.X, data.Y)
        gA, gB = dA + beta * np.sign(A), dB + beta * np.sign(B)
        if optimizer == "gd":
            A, B = A - lr * gA, B - lr * gB
        else:
            new = []
            for W, g, m, v in ((A, gA, mom[0], mom[1]), (B, gB, mom[2], mom[3])):
                m[:] = 0.9 * m + 0.1 * g
                v[:] = 0.999 * v + 0.001 * g * g
                mh, vh = m / (1 - 0.9**t), v / (1 - 0.999**t)
                new.append(W - lr * mh / (np.sqrt(vh) + 1e-8))
            A, B = new
    np.testing.assert_allclose(out["A"], A, atol=1e-12)
    np.testing.assert_allclose(out["B"], B, atol=1e-12)
    assert out["metrics"]["test_mse"][-1] == pytest.approx(ts.mse(A, B, data.X_test, data.Y_test))
    assert out["metrics"]["l1"][0] == pytest.approx(np.abs(A0).sum() + np.abs(B0).sum())


def test_teacher_student_distributions():
    data = ds.teacher_student(d=50, r=200, c=2, N=30, N_test=40, seed=0)
    assert abs(data.A_star.var() - 1) < 0.05  # 1e4 entries
    assert abs(data.B_star.var() * 200**2 - 1) < 0.3  # 400 entries
    A, B = ds.student_init(50, 200, 2, seed=0)
    assert abs(A.var() * 200 - 1) < 0.05 and A.shape == (200, 50) and B.shape == (2, 200)
    np.testing.assert_allclose(data.Y, np.maximum(data.X @ data.A_star.T, 0) @ data.B_star.T)
    assert ds.to_dataset(data)["X_test"].shape == (40, 50)


def test_zero_measurements_do_not_divide_by_zero():
    X = np.eye(4)[:2]  # coherent rows off the support: y* = 0
    b_star = np.array([0.0, 0.0, 1.0, -1.0])
    out = dg.grok_diagonal(X, X @ b_star, b_star, np.full((1, 4), 0.5), 3, beta1=0.1)
    assert np.isfinite(out["metrics"]["train_error"]).all()


# --- figures: never-generalized runs, axis floors, one l1 definition (issue 15) ----------------


def _fig_cube(experiment: str, eps2: float, **variables) -> xr.Dataset:
    import json

    cube = xr.Dataset(variables)
    cfg = {"experiment": experiment, experiment: {"eps2": eps2}, "model": {"eps1": 1e-3}}
    cube.attrs.update(config=json.dumps(cfg), experiment=experiment)
    return cube


def test_summary_draws_never_generalized_at_the_budget_without_a_line():
    import matplotlib.pyplot as plt

    from implicit_bias.papers.grokking_norms import figures

    fig, ax = plt.subplots()
    n = figures._summary(ax, [1, 2, 3, 4], [10, 20, 30, 40], [True, True, False, True], 1e3, "k")
    y = ax.lines[0].get_ydata()
    assert n == 1 and np.isnan(y[2]) and np.isfinite(y[[0, 1, 3]]).all()  # no bridge over 3
    assert ax.collections[0].get_offsets().tolist() == [[3.0, 1e3]]  # the x sits at T
    plt.close(fig)


def test_fig1_fits_only_runs_that_generalized():
    """t2 = -1 (never reached eps2): an x at the budget T and outside the fit, whatever its
    t_stable (here tiny, which would pull a fit away from slope -1)."""
    import matplotlib.pyplot as plt

    from implicit_bias.papers.grokking_norms import figures

    alpha, beta1, t = np.array([0.01, 0.1]), np.array([1e-5, 1e-4, 1e-2]), np.arange(5)
    ab = alpha[:, None] * beta1[None, :]
    gen = beta1[None, :] < 1e-3 + 0 * ab
    dims = ("seed", "alpha", "beta1")
    coords = {"seed": [0], "alpha": alpha, "beta1": beta1}

    def scalar(v):
        return xr.DataArray(np.asarray(v, dtype=float)[None], dims=dims, coords=coords)

    cube = _fig_cube(
        "ab_grid",
        0.1,
        t2=scalar(np.where(gen, 0.2 / ab, -1)),
        t2_stable=scalar(np.where(gen, 0.2 / ab, 5.0)),
        T=scalar(np.full(ab.shape, 1e7)),
        dt_pred=scalar(0.1 / ab),
        dt_paper=scalar(0.3 / ab),
        mae=xr.DataArray(
            np.broadcast_to(ab[None, None], (1, t.size, *ab.shape)).copy(),
            dims=("seed", "t", "alpha", "beta1"),
            coords={**coords, "t": t},
        ),
    )
    fig = figures.fig1({"ab_grid": cube})
    left = fig.axes[0]
    fits = [ln.get_label() for ln in left.lines if ln.get_label().startswith("fit")]
    assert fits == ["fit (filled): slope -1.00"]
    xs = np.concatenate([c.get_offsets() for c in left.collections])
    never = {(round(float(x), 12), float(y)) for x, y in xs if y == 1e7}
    assert never == {(round(a * 1e-2, 12), 1e7) for a in alpha}
    assert any("never generalized" in text.get_text() for text in left.get_legend().get_texts())
    plt.close(fig)


def test_error_axis_floor_only_when_a_curve_is_at_float_precision():
    import matplotlib.pyplot as plt

    from implicit_bias.papers.grokking_norms import figures

    t = np.arange(50)
    exact = xr.DataArray(np.geomspace(1, 1e-15, 50), dims="t", coords={"t": t})
    lasso = xr.DataArray(np.geomspace(1, 2e-3, 50), dims="t", coords={"t": t})
    fig, (a, b) = plt.subplots(1, 2)
    for ax in (a, b):
        ax.set_yscale("log")
    figures._floor(a, [exact, lasso])
    figures._floor(b, [lasso])
    assert a.get_ylim()[0] == pytest.approx(1e-4) and "float precision" in a.texts[0].get_text()
    assert not b.texts
    plt.close(fig)


def test_fig38_l1_reference_is_the_complex_modulus_norm():
    """The curve logs sum |z_k| for complex pairs; the line must be ||b*||_1 = sum_k A_k too, not
    the cube's sum |Re| + |Im| of the real-stacked b*."""
    import matplotlib.pyplot as plt

    from implicit_bias.papers.grokking_norms import figures
    from implicit_bias.papers.grokking_norms.datasets import SINUSOID

    t, ts = np.arange(6), np.array([0, 2, 5])
    n = 100

    def curve(v):
        return xr.DataArray(np.asarray(v, dtype=float)[None], dims=("seed", "t"), coords={"t": t})

    def scalar(v):
        return xr.DataArray([float(v)], dims="seed")

    cube = _fig_cube(
        "sinusoid",
        1e-2,
        train_error=curve(np.geomspace(1, 1e-4, 6)),
        test_error=curve(np.geomspace(1, 1e-3, 6)),
        grad_ratio=curve(np.geomspace(1e-3, 1, 6)),
        l1_norm=curve(np.linspace(0, 5, 6)),
        t2=scalar(5),
        bstar_l1=scalar(7.0),
        b=xr.DataArray(np.ones((1, 3, 2 * n)), dims=("seed", "t_snap", "j"), coords={"t_snap": ts}),
    ).assign_coords(seed=[0])
    fig = figures.fig38({"sinusoid": cube})
    levels = [ln.get_ydata()[0] for ln in fig.axes[3].lines if len(set(ln.get_ydata())) == 1]
    assert levels == [pytest.approx(sum(SINUSOID["A"]))]  # 5.0, not 7.0
    plt.close(fig)
