"""Paper 004 matrix models: nuclear-norm kernels and the matrix data generators."""

import numpy as np
import pytest

from implicit_bias.kernels import nuclear as nu
from implicit_bias.papers.grokking_norms import datasets as ds
from implicit_bias.papers.grokking_norms import solvers, theory


def _uvt(A, floor=1e-12):
    U, s, Vt = np.linalg.svd(A)
    k = min(A.shape)
    keep = s >= floor
    return U[:, :k][:, keep] @ Vt[:k][keep]


def _ref(p, A, T, alpha, beta_nuc, beta2, method):
    n1, n2 = p.shape
    X, y = p.X, p.y
    P = X.T @ np.linalg.inv(X @ X.T)
    for _ in range(T):
        a = A.ravel(order="F")
        G = (X.T @ (X @ a - y)).reshape((n1, n2), order="F") + beta2 * A
        if method == "subgradient":
            A = A - alpha * (G + beta_nuc * _uvt(A))
        elif method == "svt":
            U, s, Vt = np.linalg.svd(A - alpha * G, full_matrices=False)
            A = (U * np.maximum(s - alpha * beta_nuc, 0)) @ Vt
        else:
            Z = A - alpha * beta_nuc * _uvt(A)
            z = Z.ravel(order="F")
            A = (z - P @ (X @ z - y)).reshape((n1, n2), order="F")
    return A


@pytest.mark.parametrize("problem", ["completion", "sensing"])
@pytest.mark.parametrize("method", ["subgradient", "svt", "projected"])
def test_nuclear_updates_match_numpy(problem, method):
    p = ds.matrix_problem(6, 5, 2, 18, problem=problem, seed=1)
    A0 = ds.matrix_init(6, 5, 0.3, kind="gaussian", seed=2)
    kw = dict(alpha=0.4, beta_nuc=0.05, beta2=0.0 if method == "projected" else 0.02)
    out = nu.nuclear_gd(p.X, p.y, p.A_star, A0, 20, method=method, **kw)
    np.testing.assert_allclose(out["A"], _ref(p, A0, 20, method=method, **kw), atol=1e-12)


def test_nuclear_metrics_hitting_times_and_batch():
    p = ds.matrix_problem(6, 6, 1, 24, seed=3)
    A0 = np.stack([ds.matrix_init(6, 6, z) for z in (1e-6, 1e-2)])
    grid = np.array([0, 3, 50])
    out = nu.nuclear_gd(
        p.X, p.y, p.A_star, A0, 50, alpha=1.0, beta_nuc=1e-2, log_steps=grid, eps1=0.05
    )
    for i in range(2):
        one = nu.nuclear_gd(
            p.X, p.y, p.A_star, A0[i], 50, alpha=1.0, beta_nuc=1e-2, log_steps=grid, eps1=1e-6
        )
        np.testing.assert_array_equal(out["A"][i], one["A"])
        np.testing.assert_array_equal(out["sv"][i], one["sv"])
    A = A0[1]
    etr = []
    for t in range(51):
        etr.append(np.linalg.norm(p.X @ A.ravel(order="F") - p.y) / np.linalg.norm(p.y))
        if t in grid:
            k = list(grid).index(t)
            s = np.linalg.svd(A, compute_uv=False)
            G = p.mask * (A - p.A_star)
            want = [
                np.linalg.norm(p.X @ A.ravel(order="F") - p.y) / np.linalg.norm(p.y),
                np.linalg.norm(A - p.A_star) / np.linalg.norm(p.A_star),
                s.sum(),
                np.linalg.norm(A),
                1e-2 * np.linalg.norm(_uvt(A)) / np.linalg.norm(G),
                np.linalg.svd(A - p.A_star, compute_uv=False).sum() / 6,
            ]
            got = [out["metrics"][m][1, k] for m in nu.NUCLEAR_METRICS]
            np.testing.assert_allclose(got, want, rtol=1e-9)
            np.testing.assert_allclose(out["sv"][1, k], s, atol=1e-12)
        A = _ref(p, A, 1, 1.0, 1e-2, 0.0, "subgradient")
    etr = np.array(etr)
    assert (etr <= 0.05).any() and out["t1"][1] == np.argmax(etr <= 0.05)
    assert out["etr_min"][1] == pytest.approx(etr.min(), rel=1e-9)


def test_projected_completion_resets_observed_entries():
    p = ds.matrix_problem(5, 5, 1, 10, seed=0)
    out = nu.nuclear_gd(p.X, p.y, p.A_star, ds.matrix_init(5, 5), 3, method="projected")
    np.testing.assert_allclose(out["A"][p.rows, p.cols], p.A_star[p.rows, p.cols], atol=1e-14)


def test_pure_nuclear_staircase():
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    V, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    sig = np.array([0.93, 0.56, 0.32, 0.12, 0.04])
    A = (U * sig) @ V.T
    gamma = 0.05
    death = theory.pure_nuclear_death_times(sig, gamma)
    np.testing.assert_array_equal(death, [18, 11, 6, 2, 0])
    scalar = sig.copy()
    for t in range(1, 25):
        A = A - gamma * nu.nuclear_subgradient(A)
        scalar = np.abs(scalar - gamma)  # Thm D.12: sigma_i -> |sigma_i - gamma|
        s = np.linalg.svd(A, compute_uv=False)
        np.testing.assert_allclose(s, np.sort(scalar)[::-1], atol=1e-12)
        assert np.all(s[death < t] < gamma) if np.any(death < t) else True


def test_low_rank_truth_and_coherence():
    t = ds.low_rank_matrix(10, 8, 2, seed=4)
    np.testing.assert_allclose(np.linalg.svd(t["A"], compute_uv=False)[:3], [1, 1, 0], atol=1e-12)
    np.testing.assert_allclose(t["U_full"].T @ t["U_full"], np.eye(10), atol=1e-12)
    f = ds.low_rank_matrix(10, 10, 2, seed=4, sv="frob")
    assert np.linalg.norm(f["A"]) == pytest.approx(10.0)
    assert np.linalg.matrix_rank(f["A"]) == 2
    mu, nu_, P = ds.local_coherence(t["U"], t["V"])
    assert mu.mean() == pytest.approx(1.0) and nu_.mean() == pytest.approx(1.0)  # sum = n / r r
    rows, cols = ds.completion_sample(P, 30, 1.0, seed=0)
    flat = np.sort(P.ravel())[::-1]
    np.testing.assert_allclose(np.sort(P[rows, cols])[::-1], flat[:30])
    r0, c0 = ds.completion_sample(P, 30, 0.0, seed=0)
    assert len(set(zip(r0.tolist(), c0.tolist(), strict=True))) == 30
    r5, c5 = ds.completion_sample(P, 30, 0.5, seed=0)
    np.testing.assert_allclose(np.sort(P[r5[:15], c5[:15]])[::-1], flat[:15])


def test_uniform_sampling_is_uniform():
    P = np.zeros((6, 6))
    hits = np.zeros((6, 6))
    for seed in range(300):
        r, c = ds.completion_sample(P, 12, 0.0, seed=seed)
        hits[r, c] += 1
    # each entry is observed with probability 12/36: 100 expected, sd ~ 8
    assert hits.min() > 65 and hits.max() < 135


def test_operators_and_least_squares():
    p = ds.matrix_problem(7, 5, 2, 20, seed=0)
    np.testing.assert_allclose(p.X @ p.A_star.ravel(order="F"), p.y, atol=1e-14)
    Ah = solvers.matrix_least_squares(p.X, p.y, 7, 5)
    np.testing.assert_allclose(Ah, p.A_star * p.mask, atol=1e-12)
    assert theory.unobserved_fraction(p.A_star, p.mask) == pytest.approx(
        np.linalg.norm(Ah - p.A_star) / np.linalg.norm(p.A_star)
    )
    s = ds.matrix_problem(7, 5, 2, 20, problem="sensing", tau=0.25, seed=0)
    np.testing.assert_allclose(s.X @ s.A_star.ravel(order="F"), s.y, atol=1e-12)
    truth = ds.low_rank_matrix(7, 5, 2, seed=0)
    np.testing.assert_allclose(s.X1[:5], truth["U_full"][:, :5].T)  # floor(0.25 * 20) = 5 <= 7
    np.testing.assert_allclose(s.X2[:5], truth["V_full"][:, :5].T)
    assert abs(s.X1[5:].var() * 7 - 1) < 0.35  # 105 entries of variance 1/n1
    d = ds.to_dataset(p)
    assert d.attrs["vec_order"] == "column-major" and "long_name" in d["A_star"].attrs
