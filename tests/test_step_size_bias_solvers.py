"""Paper 001 (step-size bias): data generator and reference solvers (spec 001.md sections 3, 4).

Two kinds of data: the package's draw (rng_stream streams) and the spec's reference scheme
(np.random.default_rng(seed), section 3.3), on which the spec's [OBSERVED] numbers were measured.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from implicit_bias.papers.step_size_bias import datasets, solvers

MU, SX2 = 5.0, 5.0


def spec_data(seed=0, mu=MU, d=100, N=50):
    """The spec's section 3.3 scheme: X first, then xi, from one default_rng(seed)."""
    rng = np.random.default_rng(seed)
    X = mu + math.sqrt(SX2) * rng.standard_normal((N, d))
    xi = 0.1 * rng.standard_normal(N)
    b_star = datasets.beta_star(d, 5)
    return X, X @ b_star + xi, b_star


@pytest.fixture(scope="module")
def spec0():
    X, y, b_star = spec_data(0)
    out = {"X": X, "y": y, "beta_star": b_star, "l1": solvers.l1_baseline(X, y)}
    out["l2"] = solvers.l2_baseline(X, y)
    out["minS"] = solvers.min_stability_measure(X, y)
    out["minlam"] = {D: solvers.min_lambda_max(X, y, D) for D in (2, 3, 4)}
    return out


@pytest.fixture(scope="module")
def pkg0():
    return datasets.as_problem(datasets.generate(seed=0))


def _resid(X, y, beta):
    return float(np.max(np.abs(X @ beta - y)))


# ----------------------------------------------------------------------------- data


def test_generate_layout_attrs_and_cf():
    ds = datasets.generate(d=30, N=12, k=3, mu=2.0, sigma_x2=3.0, noise_sd=0.2, seed=7)
    assert ds["X"].dims == ("sample", "feature") and ds["X"].shape == (12, 30)
    assert ds["y"].dims == ds["xi"].dims == ("sample",)
    assert ds["beta_star"].dims == ds["z_init"].dims == ("feature",)
    assert ds["z_kick"].dims == ("kick",) and ds["z_kick"].size == 4 * 30
    assert {k: ds.attrs[k] for k in ("d", "N", "k", "mu", "sigma_x2", "noise_sd", "seed")} == {
        "d": 30,
        "N": 12,
        "k": 3,
        "mu": 2.0,
        "sigma_x2": 3.0,
        "noise_sd": 0.2,
        "seed": 7,
    }
    for name, var in ds.data_vars.items():
        assert var.dtype == np.float64, name
        assert var.attrs.get("long_name") and var.attrs.get("units") == "1", name
    # The noise is stored as realized in y.
    np.testing.assert_array_equal(
        ds["y"].values - ds["X"].values @ ds["beta_star"].values, ds["xi"]
    )


def test_beta_star_sparsity_and_norms():
    b = datasets.beta_star(100, 5)
    assert np.count_nonzero(b) == 5 and np.all(b[:5] == 1 / math.sqrt(5)) and np.all(b[5:] == 0)
    assert math.isclose(np.linalg.norm(b), 1.0) and math.isclose(b.sum(), math.sqrt(5))
    with pytest.raises(ValueError):
        datasets.beta_star(4, 5)


def test_distribution_of_the_draw():
    d, N, mu, sx2, sd = 100, 4000, 5.0, 5.0, 0.1
    p = datasets.as_problem(datasets.generate(d=d, N=N, mu=mu, sigma_x2=sx2, noise_sd=sd, seed=3))
    X = p["X"]
    # Column means: each ~ N(mu, sx2/N); max over d columns within 5 standard errors.
    assert np.max(np.abs(X.mean(axis=0) - mu)) < 5 * math.sqrt(sx2 / N)
    assert abs(X.mean() - mu) < 5 * math.sqrt(sx2 / (N * d))
    # Column variances: standard error sx2 sqrt(2/N).
    assert np.max(np.abs(X.var(axis=0, ddof=1) - sx2)) < 5 * sx2 * math.sqrt(2 / N)
    # Columns are uncorrelated: off-diagonal correlations ~ N(0, 1/N).
    C = np.corrcoef(X, rowvar=False)
    assert np.max(np.abs(C[~np.eye(d, dtype=bool)])) < 5.5 / math.sqrt(N)
    assert abs(p["xi"].std(ddof=1) - sd) < 5 * sd / math.sqrt(2 * N)
    assert abs(p["xi"].mean()) < 5 * sd / math.sqrt(N)
    for z in (p["z_init"], p["z_kick"]):
        assert abs(z.mean()) < 5 / math.sqrt(z.size) and abs(z.var() - 1) < 5 * math.sqrt(
            2 / z.size
        )
    np.testing.assert_allclose(p["y"], X @ p["beta_star"] + p["xi"], rtol=0, atol=1e-12)


def test_determinism_and_stream_separation():
    a, b = datasets.generate(seed=0), datasets.generate(seed=0)
    xr.testing.assert_identical(a, b)
    c = datasets.generate(seed=1)
    assert not np.array_equal(a["X"], c["X"]) and not np.array_equal(a["z_init"], c["z_init"])
    assert not np.array_equal(a["z_kick"], c["z_kick"])
    # z_init / z_kick come from their own streams: independent of N and of the data draw.
    e = datasets.generate(N=60, seed=0)
    np.testing.assert_array_equal(a["z_init"], e["z_init"])
    np.testing.assert_array_equal(a["z_kick"], e["z_kick"])
    assert not np.allclose(a["z_init"], a["X"].values[0])
    # mu only shifts the shared standard normals (the mu = 0 / 5 / 10 figures share the draw).
    f = datasets.generate(mu=10.0, seed=0)
    np.testing.assert_allclose(f["X"].values - 10.0, a["X"].values - 5.0, atol=1e-13)
    np.testing.assert_allclose(f["xi"], a["xi"], rtol=0, atol=1e-14)


def test_as_problem(pkg0):
    assert pkg0["X"].flags.c_contiguous and pkg0["XT"].flags.c_contiguous
    np.testing.assert_array_equal(pkg0["XT"], pkg0["X"].T)
    assert pkg0["X"].shape == (50, 100) and pkg0["z_kick"].shape == (400,)
    assert (pkg0["mu"], pkg0["sigma_x2"]) == (5.0, 5.0)
    assert math.isclose(pkg0["noise_var"], 0.01)


def test_test_excess_matches_monte_carlo():
    rng = np.random.default_rng(11)
    d, mu, sx2, M = 20, 2.0, 3.0, 400_000
    b_star = datasets.beta_star(d, 4)
    beta = b_star + 0.3 * rng.standard_normal(d)
    delta = beta - b_star
    x = mu + math.sqrt(sx2) * rng.standard_normal((M, d))
    proj2 = (x @ delta) ** 2
    exact = datasets.test_excess(beta, b_star, mu, sx2)
    assert abs(proj2.mean() - exact) < 5 * proj2.std() / math.sqrt(M)
    # Closed form of the same mean: Var + mean^2 of <delta, x>.
    assert math.isclose(exact, sx2 * delta @ delta + (mu * delta.sum()) ** 2, rel_tol=1e-12)
    # Population loss with label noise of variance 0.04: 0.5 E[(<beta, x> - y)^2].
    sq = 0.5 * (x @ beta - x @ b_star - 0.2 * rng.standard_normal(M)) ** 2
    pop = datasets.test_population(beta, b_star, mu, sx2, noise_var=0.04)
    assert abs(sq.mean() - pop) < 5 * sq.std() / math.sqrt(M)
    assert datasets.test_excess(b_star, b_star, mu, sx2) == 0.0
    # Null risk of beta = 0 at the paper's setting (section 3.2): 5 + 25 * 5 = 130.
    assert math.isclose(datasets.test_excess(np.zeros(100), datasets.beta_star(100, 5), 5, 5), 130)


# ------------------------------------------------------------------- baselines, minS, minlam


@pytest.mark.parametrize("which", ["spec", "pkg"])
def test_baselines_interpolate(which, spec0, pkg0):
    p = spec0 if which == "spec" else pkg0
    X, y = p["X"], p["y"]
    b1 = p["l1"] if which == "spec" else solvers.l1_baseline(X, y)
    b2 = p["l2"] if which == "spec" else solvers.l2_baseline(X, y)
    assert _resid(X, y, b1) < 1e-8 and _resid(X, y, b2) < 1e-10
    assert np.abs(b1).sum() < np.abs(b2).sum() and np.linalg.norm(b2) < np.linalg.norm(b1)
    # The l1 solution is a vertex: at most N non-zeros.
    assert np.count_nonzero(np.abs(b1) > 1e-9) <= X.shape[0]


def test_min_stability_measure_is_the_weighted_lp(spec0):
    X, y = spec0["X"], spec0["y"]
    val, beta = spec0["minS"]
    assert _resid(X, y, beta) < 1e-8
    assert math.isclose(val, solvers.stability_measure_beta(X, beta), rel_tol=1e-12)
    # Beats the l1, l2 and minlam interpolators on its own objective.
    for other in (spec0["l1"], spec0["l2"], spec0["minlam"][2][1]):
        assert val <= solvers.stability_measure_beta(X, other) * (1 + 1e-9)


def test_sandwich_minS_minlam_lambda_at_l1(spec0, pkg0):
    for X, y, b1, minS, minlam in (
        (spec0["X"], spec0["y"], spec0["l1"], spec0["minS"][0], spec0["minlam"][2][0]),
        (pkg0["X"], pkg0["y"], None, None, None),
    ):
        b1 = solvers.l1_baseline(X, y) if b1 is None else b1
        minS = solvers.min_stability_measure(X, y)[0] if minS is None else minS
        minlam = solvers.min_lambda_max(X, y)[0] if minlam is None else minlam
        lam_l1 = solvers.lambda_max_beta(X, b1)
        assert minS <= minlam <= lam_l1 and minlam >= 0.9 * lam_l1


@pytest.mark.parametrize("D", [2, 3, 4])
def test_minlam_is_valid_and_certified(spec0, D):
    X, y = spec0["X"], spec0["y"]
    val, beta = spec0["minlam"][D]
    assert _resid(X, y, beta) < 1e-9
    assert math.isclose(val, solvers.lambda_max_beta(X, beta, D), rel_tol=1e-12)
    assert val <= solvers.lambda_max_beta(X, spec0["l1"], D)
    # Optimality: a certified lower bound (weak duality) within 1e-5 of the value.
    lb = solvers.lambda_max_lower_bound(X, y, beta, D)
    assert lb <= val * (1 + 1e-9) and val <= lb * (1 + 1e-5)
    # Lemma 4.1 / 6.1 at the minimizer: W_D <= lambda_max <= UB_D (u+ u- = 0, so S_D = W_D).
    p = 2 * (D - 1) / D
    ub = D * D * (np.abs(beta) ** p) @ (X**2).mean(axis=0)
    assert solvers.stability_measure_beta(X, beta, D) <= val <= ub


def test_minS_deep_is_bracketed(spec0):
    X, y = spec0["X"], spec0["y"]
    for D in (3, 4):
        val, beta = solvers.min_stability_measure(X, y, D)
        p = 2 * (D - 1) / D
        lb = solvers.weighted_lp_lower_bound(X, y, D * D * X.mean(axis=0) ** 2, p, beta=beta)
        assert _resid(X, y, beta) < 1e-9
        assert lb <= val <= lb * (1 + 1e-5) and val <= spec0["minlam"][D][0]


def test_eta_star_ordering_and_uv(spec0, pkg0):
    X, y = spec0["X"], spec0["y"]
    etas = [2 / spec0["minlam"][D][0] for D in (2, 3, 4)]
    assert etas[0] > etas[1] > etas[2]
    assert math.isclose(solvers.eta_star(X, y, 2), etas[0], rel_tol=1e-9)
    # UV model: weights u^2 + v^2 = 2|beta| at u = v = sqrt|beta|, half the D = 2 Hessian.
    lam_uv, beta = solvers.min_lambda_max(X, y, model="uv")
    assert math.isclose(lam_uv, 0.5 * spec0["minlam"][2][0], rel_tol=1e-9)
    w = 2 * np.abs(beta)
    direct = np.linalg.eigvalsh((X * w) @ X.T / X.shape[0])[-1]
    assert math.isclose(lam_uv, direct, rel_tol=1e-10)
    assert math.isclose(solvers.eta_star(X, y, model="uv"), 2 * etas[0], rel_tol=1e-9)
    with pytest.raises(ValueError):
        solvers.min_lambda_max(X, y, D=3, model="uv")
    pk = [solvers.eta_star(pkg0["X"], pkg0["y"], D) for D in (2, 3, 4)]
    assert pk[0] > pk[1] > pk[2]
    # Spec 9.1 acceptance windows (the paper's Fig. 4 values +-30 %) on the package's draw.
    assert 0.006 <= pk[0] <= 0.010
    assert 0.7 * 0.0061 <= pk[1] <= 1.3 * 0.0061 and 0.7 * 0.0034 <= pk[2] <= 1.3 * 0.0034
    b_star = pkg0["beta_star"]
    l1 = datasets.test_excess(solvers.l1_baseline(pkg0["X"], pkg0["y"]), b_star, MU, SX2)
    l2 = datasets.test_excess(solvers.l2_baseline(pkg0["X"], pkg0["y"]), b_star, MU, SX2)
    assert 0.005 <= l1 <= 0.06 and 1.5 <= l2 <= 4 and l2 / l1 >= 30


# ----------------------------------------------------------------------------- gradient flow


def _hypentropy(beta, a):
    """Q_alpha(beta) = sum a q(beta / a), q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2)."""
    z = beta / a
    return float(np.sum(a * (2 - np.sqrt(4 + z * z) + z * np.arcsinh(z / 2))))


def test_gf_d2_kkt_and_primal_optimality(spec0):
    X, y = spec0["X"], spec0["y"]
    rng = np.random.default_rng(5)
    Z = np.linalg.svd(X)[2][X.shape[0] :].T  # orthonormal basis of ker X
    for alpha in np.logspace(-2, 0.5, 11):
        beta, nu = solvers.gf_dual(X, y, alpha)
        a = alpha**2
        assert _resid(X, y, beta) < 1e-10
        np.testing.assert_allclose(beta, 2 * a * np.sinh(X.T @ nu), rtol=1e-9, atol=1e-13)
        q0 = _hypentropy(beta, a)
        for scale in (1e-3, 1e-1):
            for _ in range(5):
                assert _hypentropy(beta + scale * Z @ rng.standard_normal(Z.shape[1]), a) > q0


def test_gf_limits_l1_and_l2(spec0):
    X, y = spec0["X"], spec0["y"]
    l1n = np.abs(spec0["l1"]).sum()
    for D in (2, 3, 4):
        norms = [np.abs(solvers.gf_prediction(X, y, al, D)).sum() for al in (1e-3, 1e-2, 0.1, 1)]
        assert np.all(np.diff(norms) > 0)  # the l1 -> l2 transition is monotone in alpha
        assert norms[0] <= l1n * (1.005 if D == 2 else 1.0001) and norms[0] >= l1n * (1 - 1e-9)
        b_big = solvers.gf_prediction(X, y, 10.0, D)
        assert np.linalg.norm(b_big - spec0["l2"]) <= 1e-6 * np.linalg.norm(spec0["l2"])


def test_gf_deep_kkt_and_matches_small_step_gd(spec0):
    X, y = spec0["X"], spec0["y"]
    for D in (3, 4):
        for alpha in np.logspace(-1.5, 0.25, 8):
            beta, nu = solvers.gf_dual(X, y, alpha, D)
            z = alpha ** (D - 2) * (X.T @ nu)
            e = D / (D - 2)
            assert _resid(X, y, beta) < 1e-9 and np.max(np.abs(z)) < 1
            np.testing.assert_allclose(
                beta, alpha**D * ((1 - z) ** -e - (1 + z) ** -e), rtol=1e-8, atol=1e-12
            )
    # Independent check of the D = 3 formula: plain GD with a small step from u+ = u- = 1.
    N, D, eta = X.shape[0], 3, 2e-5
    up, um = np.ones(X.shape[1]), np.ones(X.shape[1])
    for _ in range(60_000):
        g = X.T @ (X @ (up**3 - um**3) - y) / N
        up, um = up - eta * D * up**2 * g, um + eta * D * um**2 * g
    gd = up**3 - um**3
    assert _resid(X, y, gd) < 1e-5
    assert np.linalg.norm(gd - solvers.gf_prediction(X, y, 1.0, 3)) < 1e-4


def test_gf_scale_argument(spec0, pkg0):
    X, y = spec0["X"], spec0["y"]
    np.testing.assert_allclose(
        solvers.gf_prediction(X, y, scale=np.full(100, 0.01)), solvers.gf_prediction(X, y, 0.1)
    )
    z = pkg0["z_init"]
    for alpha in (0.01, 0.1, 1.0, 3.16):
        beta, nu = solvers.gf_dual(X, y, scale=alpha**2 * z**2)
        assert _resid(X, y, beta) < 1e-10
        np.testing.assert_allclose(beta, 2 * alpha**2 * z**2 * np.sinh(X.T @ nu), atol=1e-12)
    with pytest.raises(ValueError):
        solvers.gf_prediction(X, y, scale=-np.ones(100))


# ----------------------------------------------------------------------------- spec's numbers


def test_spec_seed0_numbers(spec0):
    """Spec sections 4, 12 [OBSERVED] (seed 0, mu = 5), reproduced to 0.1 %."""
    X, y, b_star = spec0["X"], spec0["y"], spec0["beta_star"]

    def te(b):
        return datasets.test_excess(b, b_star, MU, SX2)

    rel = 1e-3
    assert te(spec0["l1"]) == pytest.approx(0.01570, rel=rel)
    assert np.abs(spec0["l1"]).sum() == pytest.approx(2.467, rel=rel)
    assert te(spec0["l2"]) == pytest.approx(2.602, rel=rel)
    assert spec0["minS"][0] == pytest.approx(244.57, rel=rel)
    assert spec0["minlam"][2][0] == pytest.approx(250.17, rel=rel)
    assert 2 / spec0["minlam"][2][0] == pytest.approx(0.007994, rel=rel)
    assert spec0["minlam"][3][0] == pytest.approx(374.2, rel=rel)
    assert 2 / spec0["minlam"][3][0] == pytest.approx(0.00534, rel=rel)
    assert spec0["minlam"][4][0] == pytest.approx(508.6, rel=rel)
    assert 2 / spec0["minlam"][4][0] == pytest.approx(0.00393, rel=rel)
    lam_l1 = [solvers.lambda_max_beta(X, spec0["l1"], D) for D in (2, 3, 4)]
    assert lam_l1 == pytest.approx([250.44, 399.3, 612.3], rel=rel)
    # ||minlam beta||_1 / ||beta_l1||_1 ~ 1 (obs 1.000-1.002 over seeds).
    assert np.abs(spec0["minlam"][2][1]).sum() / np.abs(spec0["l1"]).sum() < 1.005
    for alpha, obs in ((0.01, 0.02700), (0.03, 0.06729), (0.1, 0.6055), (0.3, 2.239), (1, 2.598)):
        assert te(solvers.gf_prediction(X, y, alpha)) == pytest.approx(obs, rel=rel)


@pytest.mark.parametrize(
    "seed,l1,l2,e2,e3,e4",
    [
        (1, 0.0163, 1.931, 0.00759, 0.00491, 0.00344),
        (2, 0.0190, 2.731, 0.00798, 0.00540, 0.00400),
        (3, 0.0098, 1.978, 0.00897, 0.00579, 0.00409),
        (4, 0.0239, 2.497, 0.00810, 0.00547, 0.00393),
    ],
)
def test_spec_seed_table(seed, l1, l2, e2, e3, e4):
    """Spec section 12 seed spread, to 1 % (the table has 2-3 significant digits)."""
    X, y, b_star = spec_data(seed)
    got = [
        datasets.test_excess(f(X, y), b_star, MU, SX2)
        for f in (solvers.l1_baseline, solvers.l2_baseline)
    ]
    got += [solvers.eta_star(X, y, D) for D in (2, 3, 4)]
    assert got == pytest.approx([l1, l2, e2, e3, e4], rel=1e-2)


@pytest.mark.parametrize(
    "mu,l1,l2,lam_l1", [(0.0, 0.01963, 2.764, 14.47), (10.0, 0.01600, 2.612, 988.0)]
)
def test_spec_other_means(mu, l1, l2, lam_l1):
    X, y, b_star = spec_data(0, mu=mu)
    b1 = solvers.l1_baseline(X, y)
    assert datasets.test_excess(b1, b_star, mu, SX2) == pytest.approx(l1, rel=1e-3)
    assert datasets.test_excess(solvers.l2_baseline(X, y), b_star, mu, SX2) == pytest.approx(
        l2, rel=1e-3
    )
    assert solvers.lambda_max_beta(X, b1) == pytest.approx(lam_l1, rel=1e-3)


def test_minlam_mean_zero_is_certified():
    """mu = 0: the top eigenvalues coalesce at the minimizer (an SDP with a degenerate optimum);
    the relative tau schedule still lands within 1e-3 of the certified lower bound."""
    X, y, _ = spec_data(0, mu=0.0)
    val, beta = solvers.min_lambda_max(X, y)
    lb = solvers.lambda_max_lower_bound(X, y, beta)
    assert lb <= val <= lb * (1 + 1e-3)
    top = np.linalg.eigvalsh((4 / X.shape[0]) * (X * np.abs(beta)) @ X.T)[-3:]
    assert top[0] > 0.99 * top[-1]  # degenerate: at least three eigenvalues within 1 %
    assert val < 0.5 * solvers.lambda_max_beta(X, solvers.l1_baseline(X, y))
