"""Deep matrix recovery and deep ReLU SubGM kernels of paper 003 against plain NumPy steps."""

from __future__ import annotations

import numpy as np
import pytest

from implicit_bias.data import rng_stream
from implicit_bias.kernels import deep_matrix as dm
from implicit_bias.kernels import relu_net as rn
from implicit_bias.papers.blessing_of_depth import datasets as ds


def _matrix_grads(A, y, W):
    """dL/dW_a = (W_1...W_{a-1})^T G (W_{a+1}...W_N)^T, G = mat(A^T sign(r)) / m."""
    N, d, _ = W.shape
    r = A @ dm.end_to_end(W).ravel() - y
    G = (np.sign(r) @ A / y.size).reshape(d, d)
    out = []
    for a in range(N):
        left = dm.end_to_end(W[:a]) if a > 0 else np.eye(d)
        right = dm.end_to_end(W[a + 1 :]) if a < N - 1 else np.eye(d)
        out.append(left.T @ G @ right.T)
    return np.stack(out)


@pytest.fixture(scope="module")
def mat():
    return ds.matrix_recovery(seed=2, d=6, r=2, m=40, p=0.1, sigma_o=10.0)


@pytest.mark.parametrize("N", [1, 2, 3, 4])
def test_deep_matrix_matches_numpy(mat, N):
    A, y, Xs = mat["A"], mat["y"], mat["Xstar"]
    W0 = ds.matrix_init(1, N, 6, alpha=0.5)
    T, eta = 30, 0.02
    out = dm.subgm_deep_matrix(A, y, Xs, W0, eta, T, log_steps=np.arange(T + 1))
    W = W0.copy()
    errs = []
    for t in range(T + 1):
        errs.append(np.linalg.norm(dm.end_to_end(W) - Xs))
        if t < T:
            W = W - eta * _matrix_grads(A, y, W)
    W_T = W
    assert np.max(np.abs(out["W"] - W_T)) <= 1e-12 * max(1.0, np.max(np.abs(W_T)))
    np.testing.assert_allclose(out["metrics"]["err"], errs, rtol=1e-11)
    assert out["err_min"] == pytest.approx(min(errs), rel=1e-11)
    assert out["t_min"] == int(np.argmin(errs))
    assert out["metrics"]["train_loss"][-1] == pytest.approx(
        dm.l1_loss(A, y, dm.end_to_end(W_T)), rel=1e-11
    )


def test_deep_matrix_gradient_finite_difference(mat):
    """Away from kinks (every r_i != 0) the l1 loss is smooth: FD directional derivative."""
    A, y = mat["A"], mat["y"]
    W = rng_stream(99, 7).standard_normal((3, 6, 6)) * 0.5
    G = _matrix_grads(A, y, W)
    V = rng_stream(99, 8).standard_normal(W.shape)
    h = 1e-7
    fd = dm.l1_loss(A, y, dm.end_to_end(W + h * V)) - dm.l1_loss(A, y, dm.end_to_end(W - h * V))
    assert fd / (2 * h) == pytest.approx(np.sum(G * V), rel=1e-5)


def test_deep_matrix_divergence_is_flagged(mat):
    out = dm.subgm_deep_matrix(
        mat["A"], mat["y"], mat["Xstar"], ds.matrix_init(0, 3, 6, 1.0), 1e3, 50
    )
    assert out["status"] == dm.STATUS_DIVERGED


@pytest.fixture(scope="module")
def relu():
    return ds.relu_data(seed=1, d=7, m=60, p=0.1, sigma_o=5.0, m_test=30)


@pytest.mark.parametrize("N", [2, 3, 4])
def test_relu_matches_numpy(relu, N):
    Ws0 = ds.relu_init(0, N, 7, 9, alpha=1.0)
    T, eta = 25, 0.05
    out = rn.subgm_relu(Ws0, relu["XT"], relu["y"], relu["XT_test"], relu["f_test"], eta, T)
    Ws = [W.copy() for W in Ws0]
    for _ in range(T):
        _, grads = rn.relu_subgradient(Ws, relu["XT"], relu["y"])
        Ws = [W - eta * g for W, g in zip(Ws, grads, strict=True)]
    for a, b in zip(out["Ws"], Ws, strict=True):
        assert np.max(np.abs(a - b)) <= 1e-12 * max(1.0, np.max(np.abs(b)))
    mse = np.mean((rn.relu_forward(Ws, relu["XT_test"]) - relu["f_test"]) ** 2)
    assert out["metrics"]["test_mse"][-1] == pytest.approx(mse, rel=1e-12)
    assert out["steps"][-1] == T


def test_relu_subgradient_finite_difference(relu):
    """Back-propagation against central differences at a generic point (no kink crossed)."""
    Ws = ds.relu_init(3, 3, 7, 9, alpha=1.0)
    _, grads = rn.relu_subgradient(Ws, relu["XT"], relu["y"])
    rng = rng_stream(99, 9)
    V = [rng.standard_normal(W.shape) for W in Ws]

    def loss(s):
        Wt = [W + s * v for W, v in zip(Ws, V, strict=True)]
        return np.mean(np.abs(rn.relu_forward(Wt, relu["XT"]) - relu["y"]))

    h = 1e-7
    fd = (loss(h) - loss(-h)) / (2 * h)
    assert fd == pytest.approx(sum(np.sum(g * v) for g, v in zip(grads, V, strict=True)), rel=1e-5)


def test_relu_init_scale():
    Ws = rn.init_relu(rng_stream(99, 10), 4, 50, 200, 1e-2)
    assert Ws[1].std() == pytest.approx((1e-2) ** 0.25 / np.sqrt(50), rel=0.05)
    with pytest.raises(ValueError):
        rn.init_relu(rng_stream(99, 10), 1, 50, 64, 1e-2)


# ------------------------------------------------------------------ E7p: the digits MLP
def _mlp_problem(seed=3, n=40, n_in=7, C=4):
    rng = rng_stream(99, seed)
    X = rng.standard_normal((n, n_in))
    labels = rng.integers(0, C, n)
    layers = rn.init_mlp(rng, [n_in, 6, 5, C])
    return X, labels, layers


@pytest.mark.parametrize("loss", rn.MLP_LOSSES)
def test_mlp_gradient_finite_difference(loss):
    """At a random point every ReLU and |.| is away from its kink: the subgradient is the
    gradient, so central differences match it."""
    X, labels, layers = _mlp_problem()
    _, grads = rn.mlp_loss_grad(layers, X, labels, loss)
    rng = rng_stream(99, 4)
    h = 1e-6
    for a, (W, b) in enumerate(layers):
        for param, grad in ((W, grads[a][0]), (b, grads[a][1])):
            V = rng.standard_normal(param.shape)
            param += h * V
            up = rn.mlp_loss_grad(layers, X, labels, loss)[0]
            param -= 2 * h * V
            down = rn.mlp_loss_grad(layers, X, labels, loss)[0]
            param += h * V
            assert (up - down) / (2 * h) == pytest.approx(np.sum(grad * V), rel=1e-5, abs=1e-9)


def test_mlp_sgd_epoch_matches_numpy():
    """One epoch of train_mlp equals plain momentum SGD (v <- mu v + g, w <- w - lr v) with the
    same batches and initial layers (1e-12)."""
    X, labels, _ = _mlp_problem(n=20)
    kw = dict(hidden=2, width=5, loss="l1", lr=0.05, epochs=1, batch=8, momentum=0.9,
              decay_every=1, decay=0.5)  # fmt: skip
    out = rn.train_mlp(X, labels, X, labels, rng=rng_stream(99, 7), **kw)
    rng = rng_stream(99, 7)
    layers = rn.init_mlp(rng, [X.shape[1], 5, 5, int(labels.max()) + 1])
    vel = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]
    order = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], 8):
        idx = order[start : start + 8]
        _, grads = rn.mlp_loss_grad(layers, X[idx], labels[idx], "l1")
        for a in range(len(layers)):
            vel[a] = (0.9 * vel[a][0] + grads[a][0], 0.9 * vel[a][1] + grads[a][1])
            layers[a] = (layers[a][0] - 0.05 * vel[a][0], layers[a][1] - 0.05 * vel[a][1])
    for (W, b), (W_ref, b_ref) in zip(out["layers"], layers, strict=True):
        np.testing.assert_allclose(W, W_ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b, b_ref, rtol=1e-12, atol=1e-12)
    assert out["status"] == 1


def test_digits_split_and_label_noise():
    draw = ds.digits_data(seed=5, n_test=400, label_noise=0.1)
    n_train = 1797 - 400
    assert draw["X_train"].shape == (n_train, 64) and draw["X_test"].shape == (400, 64)
    assert 0.0 <= draw["X_train"].min() and draw["X_train"].max() <= 1.0
    changed = np.mean(draw["y_train"] != draw["y_clean"])
    # round(0.1 n) labels are redrawn uniformly: 9/10 of them change
    assert changed == pytest.approx(0.09, abs=0.025)
    assert np.array_equal(np.bincount(draw["y_test"], minlength=10) > 20, np.ones(10, bool))
    again = ds.from_dataset(ds.to_dataset(draw))
    assert np.array_equal(again["y_train"], draw["y_train"])
