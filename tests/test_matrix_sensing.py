"""Paper 002 (Li, Ma & Zhang 2018): data, packed measurement operator, GD/PGD/SGD kernels."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from implicit_bias.data import rng_stream
from implicit_bias.kernels import matrix as km
from implicit_bias.papers.matrix_sensing import KEY
from implicit_bias.papers.matrix_sensing import datasets as ds


def full_A(G: np.ndarray, d: int) -> np.ndarray:
    """The symmetric d x d sensing matrices A_i = smat(G_i), as an (m, d, d) stack."""
    return np.stack([km.smat(g.astype(np.float64), d) for g in G])


@pytest.fixture(scope="module")
def small():
    return ds.matrix_sensing(6, 2, m=40, seed=3)


# ------------------------------------------------------------------------------ packed operator
def test_svec_smat_inner_product():
    rng = rng_stream(99, 0)
    A = rng.standard_normal((5, 5))
    A = A + A.T
    B = rng.standard_normal((5, 5))
    B = B + B.T
    assert km.svec(A).shape == (15,)
    assert km.svec(A) @ km.svec(B) == pytest.approx(np.sum(A * B), rel=1e-13)
    np.testing.assert_allclose(km.smat(km.svec(A), 5), A, rtol=1e-15, atol=1e-15)
    # batched svec / smat act slice by slice
    stack = np.stack([A, B])
    np.testing.assert_allclose(km.smat(km.svec(stack), 5), stack, rtol=1e-15, atol=1e-15)


def test_operator_M_matches_loop(small):
    G, d = small["G"], small["d"]
    m = G.shape[0]
    A = full_A(G, d)
    rng = rng_stream(99, 1)
    Q = rng.standard_normal((d, d))
    Q = Q + Q.T
    ref = np.zeros((d, d))
    for i in range(m):
        ref += np.sum(A[i] * Q) * A[i]
    ref /= m
    np.testing.assert_allclose(km.operator_M(G, Q), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(km.measure(G, Q), [np.sum(a * Q) for a in A], rtol=1e-12)
    # float32 G: same operator up to single precision
    G32 = G.astype(np.float32)
    np.testing.assert_allclose(km.operator_M(G32, Q), ref, rtol=1e-4, atol=1e-4)


def test_measurements_are_inner_products(small):
    A = full_A(small["G"], small["d"])
    y_ref = np.array([np.sum(a * small["Xstar"]) for a in A])
    np.testing.assert_allclose(small["y"], y_ref, rtol=1e-12, atol=1e-12)


def test_nonsymmetric_A_equivalence():
    """Only sym(A_i) matters: the gradient with full A_i, (1/m) sum res_i (A_i + A_i^T) U, equals
    2 M U with A_i replaced by sym(A_i); and svec(sym(A)) of an i.i.d. N(0,1) A is N(0, I_D)."""
    d, m = 5, 30
    rng = rng_stream(99, 2)
    A = rng.standard_normal((m, d, d))
    U = rng.standard_normal((d, d))
    Xstar = ds.ground_truth(d, 2, seed=1)["Xstar"]
    y = np.einsum("ikl,kl->i", A, Xstar)
    res = np.einsum("ikl,kl->i", A, U @ U.T) - y
    grad_full = np.einsum("i,ikl->kl", res, A + A.transpose(0, 2, 1)) @ U / m
    G = km.svec(0.5 * (A + A.transpose(0, 2, 1)))
    np.testing.assert_allclose(G @ km.svec(Xstar), y, rtol=1e-12)
    eta = 0.01
    step = km.sensing_gd_step(U, G, y, eta)
    np.testing.assert_allclose((U - step) / eta, grad_full, rtol=1e-9, atol=1e-12)
    # distribution: many draws of sym(A) in svec coordinates have unit variance everywhere
    S = km.svec(0.5 * (lambda Z: Z + Z.transpose(0, 2, 1))(rng.standard_normal((20000, 4, 4))))
    assert np.all(np.abs(S.var(axis=0) - 1.0) < 0.05)
    assert np.all(np.abs(S.mean(axis=0)) < 0.04)


# ------------------------------------------------------------------------------ GD step
def f_loss(U, A, y):
    res = np.einsum("ikl,kl->i", A, U @ U.T) - y
    return 0.5 * np.mean(res**2)


def test_gd_step_matches_reference_and_finite_differences(small):
    G, y, d = small["G"], small["y"], small["d"]
    A = full_A(G, d)
    m = G.shape[0]
    U = rng_stream(99, 3).standard_normal((d, d)) * 0.7  # non-symmetric on purpose
    eta = 0.003
    # plain NumPy reference: loop over i with the full matrices
    res = np.array([np.sum(A[i] * (U @ U.T)) - y[i] for i in range(m)])
    grad_ref = sum(res[i] * (A[i] + A[i].T) for i in range(m)) @ U / m
    new = km.sensing_gd_step(U, G, y, eta)
    np.testing.assert_allclose(new, U - eta * grad_ref, rtol=1e-12, atol=1e-13)
    # the step's gradient against central finite differences of f(U)
    grad = (U - new) / eta
    h = 1e-6
    fd = np.empty_like(U)
    for k in range(d):
        for j in range(d):
            E = np.zeros_like(U)
            E[k, j] = h
            fd[k, j] = (f_loss(U + E, A, y) - f_loss(U - E, A, y)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-7)
    # eq. (5) convention = exact gradient with half the step
    np.testing.assert_allclose(
        km.sensing_gd_step(U, G, y, eta, "eq5"), km.sensing_gd_step(U, G, y, eta / 2), rtol=1e-14
    )


def test_batched_step_and_run_equal_separate_runs(small):
    G, y, Xstar = small["G"], small["y"], small["Xstar"]
    rng = rng_stream(99, 4)
    Ub = rng.standard_normal((3, 6, 6))
    batch = km.sensing_gd_step(Ub, G, y, 0.01)
    for k in range(3):
        np.testing.assert_allclose(batch[k], km.sensing_gd_step(Ub[k], G, y, 0.01), atol=1e-12)
    alphas = [1.0, 0.1, 1e-3]
    out = km.run_sensing_gd(G, y, Xstar, alphas, 400, eta=0.01)
    for k, a in enumerate(alphas):
        one = km.run_sensing_gd(G, y, Xstar, [a], 400, eta=0.01)
        np.testing.assert_allclose(out["U"][k], one["U"][0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(out["metrics"][k], one["metrics"][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out["eigvals"][k], one["eigvals"][0], rtol=1e-12, atol=1e-12)
    assert out["steps"][0] == 0 and out["steps"][-1] == 400
    assert np.all(out["status"] == km.STATUS_MAX_STEPS)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sweep_matches_products_on_any_thread_count(dtype):
    """The lanes of the one-pass sweep: R = S G^T - y and g = R G, bitwise equal on 1 and 2
    Numba threads (70 rows: 5 blocks, the last one short, split over the two lanes)."""
    import numba

    rng = rng_stream(99, 5)
    G = rng.standard_normal((70, 21)).astype(dtype)
    y = rng.standard_normal(70)
    S = rng.standard_normal((3, 21))
    R_ref = S.astype(dtype).astype(np.float64) @ G.T.astype(np.float64) - y
    g_ref = R_ref.astype(dtype).astype(np.float64) @ G.astype(np.float64)
    rtol = 1e-12 if dtype == np.float64 else 1e-4
    old = numba.get_num_threads()
    out = []
    try:
        for n in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(n)
            R, g = km._sweep(G, y, S)
            np.testing.assert_allclose(R, R_ref, rtol=rtol, atol=rtol)
            np.testing.assert_allclose(g, g_ref, rtol=rtol, atol=rtol * 10)
            out.append((R, g))
    finally:
        numba.set_num_threads(old)
    for R, g in out[1:]:
        np.testing.assert_array_equal(R, out[0][0])
        np.testing.assert_array_equal(g, out[0][1])


def test_per_run_step_counts_equal_separate_runs(small):
    G, y, Xstar = small["G"], small["y"], small["Xstar"]
    out = km.run_sensing_gd(G, y, Xstar, [1.0, 0.1], [100, 300], eta=0.01)
    assert {100, 300} <= set(out["steps"].tolist())
    np.testing.assert_array_equal(out["stop_step"], [100, 300])
    after = out["steps"] > 100
    assert np.isnan(out["metrics"][0, after]).all() and np.isfinite(out["metrics"][1]).all()
    for k, (a, T) in enumerate([(1.0, 100), (0.1, 300)]):
        one = km.run_sensing_gd(G, y, Xstar, [a], T, eta=0.01)
        np.testing.assert_allclose(out["U"][k], one["U"][0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(out["final"][k], one["final"][0], rtol=1e-12)


def test_run_logs_initial_state_and_uses_log_grid(small):
    G, y, Xstar = small["G"], small["y"], small["Xstar"]
    out = km.run_sensing_gd(G, y, Xstar, [0.5], 123, eta=0.01)
    steps = out["steps"]
    assert steps[-1] == 123 and np.all(np.diff(steps) > 0) and steps[0] == 0
    m0 = dict(zip(km.METRICS, out["metrics"][0, 0], strict=True))
    X0 = 0.25 * np.eye(6)
    assert m0["trace"] == pytest.approx(1.5)
    assert m0["test_error"] == pytest.approx(np.linalg.norm(X0 - Xstar) / np.linalg.norm(Xstar))
    res0 = km.measure(G, X0) - y
    assert m0["train_error"] == pytest.approx(np.linalg.norm(res0) / np.linalg.norm(y))
    np.testing.assert_allclose(out["eigvals"][0, 0], 0.25)
    np.testing.assert_array_equal(out["final"][0], out["metrics"][0, -1])


def test_divergence_is_a_status_not_an_exception(small):
    G, y, Xstar = small["G"], small["y"], small["Xstar"]
    out = km.run_sensing_gd(G, y, Xstar, [1e-3, 100.0], 300, eta=0.01)
    assert out["status"][1] == km.STATUS_DIVERGED
    assert out["stop_step"][1] < 300
    assert np.isnan(out["final"][1]).all()
    assert np.isnan(out["metrics"][1, -1]).all()
    # the stable member of the batch is unaffected
    one = km.run_sensing_gd(G, y, Xstar, [1e-3], 300, eta=0.01)
    assert out["status"][0] == km.STATUS_MAX_STEPS
    np.testing.assert_allclose(out["U"][0], one["U"][0], atol=1e-12)
    # the other drivers too
    pgd = km.run_pgd(G, y, Xstar, 300, eta=50.0)
    assert pgd["status"][0] == km.STATUS_DIVERGED
    nn = ds.quadratic_network(6, 2, m=40, seed=3)
    idx = ds.sgd_indices(6, 40, 200)
    sgd = km.run_nn_sgd(nn["Xd"], nn["y"], nn["Xstar"], idx, eta=5.0, U0=10 * np.eye(6))
    assert sgd["status"][0] == km.STATUS_DIVERGED
    gd = km.run_nn_gd(nn["Xd"], nn["y"], nn["Xstar"], 200, eta=5.0, U0=10 * np.eye(6))
    assert gd["status"][0] == km.STATUS_DIVERGED


def test_tolerance_stop_is_converged(small):
    G, y, Xstar = small["G"], small["y"], small["Xstar"]
    out = km.run_sensing_gd(G, y, Xstar, [1e-3, 1e-2], 20000, eta=0.01, tol=1e-3)
    assert np.all(out["status"] == km.STATUS_CONVERGED)
    assert np.all(out["stop_step"] < 20000)
    assert np.all(out["final"][:, 0] < 1e-3)


# ------------------------------------------------------------------------------ PGD
def test_proj_psd():
    rng = rng_stream(99, 5)
    Z = rng.standard_normal((5, 5))
    Z = Z + Z.T
    P = km.proj_psd(Z)
    np.testing.assert_allclose(P, P.T, atol=1e-14)
    assert np.linalg.eigvalsh(P)[0] > -1e-12  # PSD
    np.testing.assert_allclose(km.proj_psd(P), P, atol=1e-12)  # idempotent
    # projection onto a convex cone: Z - P is NSD and orthogonal to P
    assert np.linalg.eigvalsh(Z - P)[-1] < 1e-12
    assert abs(np.sum(P * (Z - P))) < 1e-12
    # nearest in Frobenius among many random PSD matrices (and PSD ones near P)
    dist = np.linalg.norm(Z - P)
    for _ in range(500):
        B = rng.standard_normal((5, 5))
        W = B @ B.T * rng.uniform(0, 1)
        assert np.linalg.norm(Z - W) >= dist - 1e-12
        W2 = km.proj_psd(P + 1e-2 * rng.standard_normal((5, 5)))
        assert np.linalg.norm(Z - W2) >= dist - 1e-12
    # a PSD input is returned unchanged; the symmetric part is what gets projected
    np.testing.assert_allclose(km.proj_psd(P + (Z - Z.T)), P, atol=1e-12)


def test_pgd_step_matches_reference(small):
    G, y, d = small["G"], small["y"], small["d"]
    A = full_A(G, d)
    X = km.proj_psd(rng_stream(99, 6).standard_normal((d, d)))
    eta = 0.01
    res = np.einsum("ikl,kl->i", A, X) - y
    grad = 2.0 * np.einsum("i,ikl->kl", res, A) / G.shape[0]  # f(X) = (1/m) sum res^2
    np.testing.assert_allclose(
        km.pgd_step(X, G, y, eta), km.proj_psd(X - eta * grad), rtol=1e-10, atol=1e-12
    )
    out = km.run_pgd(G, y, small["Xstar"], 5, eta=eta, X0=X, tol=None)
    Xr = X
    for _ in range(5):
        Xr = km.pgd_step(Xr, G, y, eta)
    np.testing.assert_allclose(out["X"][0], Xr, atol=1e-12)


# ------------------------------------------------------------------------------ data
def test_ground_truth_normalization_and_determinism():
    for d, r in ((100, 5), (200, 5), (50, 1)):
        gt = ds.ground_truth(d, r, seed=0)
        U, X = gt["Ustar"], gt["Xstar"]
        np.testing.assert_allclose(np.linalg.norm(U, axis=0), 1.0, rtol=1e-14)
        lam = np.linalg.eigvalsh(X)
        assert lam[0] > -1e-12 and np.sum(lam > 1e-10) == r  # PSD, rank r
        assert np.trace(X) == pytest.approx(r)
        # ||X*|| is only close to 1 (unit columns, not orthonormal): 1 + O(sqrt(r/d))
        assert abs(lam[-1] - 1.0) <= 3 * math.sqrt(r / d) + 1e-12
        if r == 1:
            assert lam[-1] == pytest.approx(1.0)
    a = ds.matrix_sensing(10, 2, seed=4, rep=0)
    b = ds.matrix_sensing(10, 2, seed=4, rep=0)
    c = ds.matrix_sensing(10, 2, seed=4, rep=1)
    e = ds.matrix_sensing(10, 2, seed=5, rep=0)
    for k in ("Xstar", "G", "y"):
        np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_array_equal(a["Xstar"], c["Xstar"])  # X* fixed across repeats
    assert not np.array_equal(a["G"], c["G"])  # sensing resampled per repeat
    assert not np.array_equal(a["Xstar"], e["Xstar"])
    assert a["m"] == 5 * 10 * 2 and a["G"].shape == (100, 55)


def test_sensing_distribution():
    dr = ds.matrix_sensing(30, 2, seed=0)
    G, y, Xs = dr["G"], dr["y"], dr["Xstar"]
    n = G.size
    assert G.dtype == np.float64 and y.dtype == np.float64
    assert abs(G.mean()) < 5 / math.sqrt(n)
    assert abs(G.var() - 1.0) < 5 * math.sqrt(2 / n)
    # y_i = <A_i, X*> ~ N(0, ||X*||_F^2)
    m = y.size
    assert abs(np.mean(y**2) / np.sum(Xs**2) - 1.0) < 5 * math.sqrt(2 / m)
    assert abs(y.mean()) < 5 * np.linalg.norm(Xs) / math.sqrt(m)
    # the float32 option stores G in single precision but y in double, consistent with G
    d32 = ds.matrix_sensing(30, 2, seed=0, dtype=np.float32)
    assert d32["G"].dtype == np.float32 and d32["y"].dtype == np.float64
    np.testing.assert_allclose(d32["y"], d32["G"].astype(np.float64) @ km.svec(Xs), rtol=1e-12)


def test_quadratic_network_data():
    nn = ds.quadratic_network(20, 2, m=4000, seed=0)
    Xd, y, Xs = nn["Xd"], nn["y"], nn["Xstar"]
    assert Xd.shape == (4000, 20) and nn["variant"] == "nn"
    np.testing.assert_allclose(y, np.einsum("ij,jk,ik->i", Xd, Xs, Xd), rtol=1e-10, atol=1e-14)
    assert abs(Xd.mean()) < 5 / math.sqrt(Xd.size)
    assert abs(Xd.var() - 1.0) < 5 * math.sqrt(2 / Xd.size)
    # x^T X* x with x ~ N(0, I): mean tr X* = r, variance 2 ||X*||_F^2
    assert np.all(y >= 0)
    assert abs(y.mean() - 2.0) < 5 * math.sqrt(2 * np.sum(Xs**2) / y.size)
    assert abs(y.var() / (2 * np.sum(Xs**2)) - 1.0) < 0.2
    g = ds.quadratic_network(20, 2, m=100, seed=0, variant="gaussian")
    assert g["G"].dtype == np.float64 and g["variant"] == "gaussian"
    np.testing.assert_array_equal(g["Xstar"], nn["Xstar"])
    with pytest.raises(ValueError):
        ds.quadratic_network(20, 2, variant="relu")
    idx = ds.sgd_indices(20, 50, 50000, seed=0)
    np.testing.assert_array_equal(idx, ds.sgd_indices(20, 50, 50000, seed=0))
    assert idx.min() == 0 and idx.max() == 49
    counts = np.bincount(idx, minlength=50)
    chi2 = np.sum((counts - 1000.0) ** 2 / 1000.0)
    assert chi2 < 100  # 49 degrees of freedom


def test_to_dataset_netcdf_roundtrip(tmp_path):
    for draw in (ds.matrix_sensing(5, 1, seed=0), ds.quadratic_network(5, 1, seed=0)):
        dset = ds.to_dataset(draw)
        assert dset.attrs["paper"] == KEY
        for v in dset.data_vars.values():
            assert v.attrs["long_name"] and v.attrs["units"] == "1"
        path = tmp_path / f"{draw['variant']}.nc"
        dset.to_netcdf(path)
        back = xr.load_dataset(path)
        np.testing.assert_array_equal(back["y"].values, draw["y"])
        assert back.attrs["m"] == draw["m"]


# ------------------------------------------------------------------------------ quadratic network
def test_nn_steps_match_reference():
    nn = ds.quadratic_network(6, 2, m=30, seed=1)
    Xd, y = nn["Xd"], nn["y"]
    U = rng_stream(99, 7).standard_normal((6, 6)) * 0.5
    A = np.einsum("ik,il->ikl", Xd, Xd)  # A_i = x_i x_i^T
    G = km.svec(A)
    np.testing.assert_allclose(
        km.nn_gd_step(U, Xd, y, 0.01), km.sensing_gd_step(U, G, y, 0.01), rtol=1e-11, atol=1e-13
    )
    idx = ds.sgd_indices(6, 30, 50, seed=1)
    ref = U.copy()
    for i in idx:  # U <- U - 2 eta (||U^T x||^2 - y) x x^T U
        v = ref.T @ Xd[i]
        ref = ref - 2 * 0.01 * (v @ v - y[i]) * np.outer(Xd[i], v)
    U1 = U.copy()
    assert km.nn_sgd_steps(U1, Xd, y, idx, 2 * 0.01)
    np.testing.assert_allclose(U1, ref, rtol=1e-12, atol=1e-13)
    out = km.run_nn_sgd(Xd, y, nn["Xstar"], idx, eta=0.01, U0=U, log_steps=[0, 7, 20])
    np.testing.assert_allclose(out["U"][0], ref, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(out["steps"], [0, 7, 20, 50])
    # Gaussian-variant SGD against the same single-sample rule with A_i = smat(G_i)
    g = ds.quadratic_network(6, 2, m=30, seed=1, variant="gaussian")
    refg = np.eye(6)
    for i in idx:
        Ai = km.smat(g["G"][i], 6)
        refg = refg - 2 * 0.01 * (np.sum(Ai * (refg @ refg.T)) - g["y"][i]) * Ai @ refg
    outg = km.run_sensing_sgd(g["G"], g["y"], g["Xstar"], idx, eta=0.01, log_steps=[0, 10])
    np.testing.assert_allclose(outg["U"][0], refg, rtol=1e-12, atol=1e-13)


# ------------------------------------------------------------------------------ the paper's effects
def test_small_init_generalizes_large_init_does_not():
    """Fig. 1/2 at tiny size: same G, same T; alpha = 1e-3 recovers X*, alpha = 1 interpolates."""
    dr = ds.matrix_sensing(30, 2, seed=0)  # m = 300 < D = 465
    out = km.run_sensing_gd(dr["G"], dr["y"], dr["Xstar"], [1.0, 1e-3], 3000, eta=0.0025)
    assert np.all(out["status"] == km.STATUS_MAX_STEPS)
    (tr1, te1), (tr3, te3) = out["final"][0, :2], out["final"][1, :2]
    assert te1 > 1.0  # large init: test error O(1)
    assert te3 < 0.05  # small init: close to X*
    assert te1 / te3 > 30
    assert te1 / tr1 > 5 and te3 / tr3 < 3  # the train-test gap closes as alpha decreases
    # initial test error ~ 1 at small alpha (Fig. 3 caption)
    assert out["metrics"][1, 0, 1] == pytest.approx(1.0, abs=1e-3)
    # eigen-structure: top r eigenvalues match X*, the (r+1)-th stays small only for small alpha
    lam_star = np.linalg.eigvalsh(dr["Xstar"])[::-1][:2]
    np.testing.assert_allclose(out["eigvals"][1, -1, :2], lam_star, rtol=0.05)
    assert out["eigvals"][1, -1, 2] < 0.02 and out["eigvals"][0, -1, 2] > 0.2


def test_quadratic_network_from_identity():
    """Fig. 5 at tiny size (spec section 11.2): with Gaussian A_i (L5-G) GD and SGD from U_0 = I
    drive the train error down while the test error stays large; with the literal A_i = x_i x_i^T
    (L5-NN) the trace collapses from d to about r and GD generalizes instead."""
    d, r = 30, 2
    g = ds.quadratic_network(d, r, seed=0, variant="gaussian")
    gd = km.run_sensing_gd(g["G"], g["y"], g["Xstar"], [1.0], 3000, eta=0.0025)
    idx = ds.sgd_indices(d, g["m"], 20000, seed=0)
    sgd = km.run_sensing_sgd(g["G"], g["y"], g["Xstar"], idx, eta=8e-5, log_steps=[0, 10000])
    for out in (gd, sgd):
        m = out["metrics"][0]
        assert out["status"][0] == km.STATUS_MAX_STEPS
        assert m[-1, 0] < 0.2 * m[0, 0]  # train error falls
        assert m[-1, 1] > 1.5  # test error stays large
    nn = ds.quadratic_network(d, r, seed=0, variant="nn")
    out = km.run_nn_gd(nn["Xd"], nn["y"], nn["Xstar"], 2000, eta=0.0025)
    fin = dict(zip(km.METRICS, out["final"][0], strict=True))
    assert out["metrics"][0, 0, 3] == pytest.approx(d)  # tr(U_0 U_0^T) = d
    assert fin["trace"] < r + 1.0  # automatic trace decay (spec section 10 item 6)
    assert fin["test_error"] < 0.3 and fin["pop_risk"] < 0.3
    assert 1.5 < fin["test_error"] / fin["train_error"] < 8


def test_min_norm_interpolant():
    from implicit_bias.papers.matrix_sensing.solvers import min_norm_interpolant

    dr = ds.matrix_sensing(12, 1, m=40, seed=0)
    G, y, Xs = dr["G"], dr["y"], dr["Xstar"]
    X = min_norm_interpolant(G, y, 12, chunk=16)  # chunks smaller than m on purpose
    np.testing.assert_allclose(km.measure(G, X), y, rtol=1e-9, atol=1e-10)
    # svec(X_LS) is the orthogonal projection of svec(X*) onto the row space of G
    P = G.T @ np.linalg.solve(G @ G.T, G)
    np.testing.assert_allclose(km.svec(X), P @ km.svec(Xs), rtol=1e-9, atol=1e-10)
    assert np.linalg.norm(X) < np.linalg.norm(Xs)
