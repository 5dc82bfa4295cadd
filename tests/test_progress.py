"""Progress lines of long training loops: rate limiting, chunked kernels, training logs."""

from __future__ import annotations

import functools
import logging

import numpy as np
import pytest
from conftest import BENIGN_OVERFITTING_MODEL

from implicit_bias import progress as pg
from implicit_bias.data import rng_stream, sparse_regression
from implicit_bias.kernels import deep_matrix, diagonal, nuclear
from implicit_bias.progress import Progress, run_label


class Clock:
    """A fake monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def assert_same(a, b, path="out"):
    """Bitwise equality of nested driver outputs (NaN equal to NaN)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    else:
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), path


# ------------------------------------------------------------------------------------ reporter
def test_rate_limit_first_line_after_5_s_then_every_30_s(caplog):
    clock = Clock()
    p = Progress("fig1/ours_d100 seed 0", 10_000, clock=clock, logger=logging.getLogger("t"))
    caplog.set_level(logging.INFO)
    calls = []
    assert not p.update(10, lambda: calls.append(1))
    clock.now += 4.9
    assert not p.due() and not p.update(20, 1.0)
    assert calls == []  # a lazy loss is not evaluated before a line is due
    clock.now += 0.2
    assert p.due() and p.update(1200, 3.2e-4)
    assert caplog.messages[-1] == (
        "progress fig1/ours_d100 seed 0: step 1200/10000 (12%), loss 3.20e-04, 5 s elapsed"
    )
    for dt in (1.0, 10.0, 18.0):  # 29 s after the first line: still quiet
        clock.now += dt
        assert not p.update(1300, 1.0)
    clock.now += 1.0
    assert p.update(5000, lambda: np.array([1e-3, np.nan, 2e-3]))
    assert caplog.messages[-1].endswith(
        "step 5000/10000 (50%), loss 1.00e-03..2.00e-03 (2 of 3 runs), 35 s elapsed"
    )
    assert p.lines == 2 and len(caplog.records) == 2
    p.finish(9000, 1e-8, 0)
    assert caplog.messages[-1] == (
        "done fig1/ours_d100 seed 0: 9000 steps, loss 1.00e-08, status converged, 35.1 s"
    )
    p.finish(9000, [1.0, 2.0], [0, 2, 2])
    assert caplog.messages[-1].endswith("status converged x1, diverged x2, 35.1 s")


def test_unknown_total_and_label():
    clock = Clock()
    lines = []

    class Log:
        def info(self, fmt, *args):
            lines.append(fmt % args)

    p = Progress("x", clock=clock, logger=Log(), first_after_s=0.0, unit="epoch")
    assert p.update(3)
    assert lines == ["progress x: epoch 3, 0 s elapsed"]
    job = {"experiment": "fig2", "method": "ours", "d": 1000, "eta": 1e-5}
    assert run_label(job, ("method", "d"), seed=3, alpha=0.5) == "fig2/ours_d1000 seed 3 alpha 0.5"


def test_segments_adapt_to_about_one_second_of_work():
    clock = Clock()
    p = Progress("x", clock=clock)
    assert p.next_stop(0, 10**9) == pg.FIRST_CHUNK
    clock.now += 0.001  # 1000 steps in 1 ms: grow, but at most 16x per segment
    assert p.next_stop(1000, 10**9) == 1000 + 16 * pg.FIRST_CHUNK
    clock.now += 0.032  # 16000 steps in 32 ms: 500k steps per second
    assert p.next_stop(17_000, 10**9) == 17_000 + 256_000
    clock.now += 2.0  # slower than expected: shrink to the measured rate
    assert p.next_stop(273_000, 10**9) == 273_000 + 128_000
    assert p.next_stop(401_000, 401_005) == 401_005  # never past the end
    fixed = Progress("x", clock=clock, chunk=3)
    assert [fixed.next_stop(t, 8) for t in (0, 3, 6)] == [3, 6, 8]
    with pytest.raises(ValueError):
        Progress("x", chunk=0)


# ------------------------------------------------------------------------- chunked == one call
def chunked(n=3):
    """A reporter that cuts the kernel loop into segments of n steps."""
    return Progress("test", chunk=n, first_after_s=0.0, min_interval_s=0.0)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
@pytest.mark.parametrize(
    "eta, tol, max_steps", [(1e-2, 1e-10, 6000), (5.0, 1e-8, 300), (1e-3, 1e-30, 500)]
)
@pytest.mark.parametrize("train_v", [True, False])
def test_run_gd_chunked_is_bitwise_the_single_call(eta, tol, max_steps, train_v):
    # max_steps > refresh_every: the residual rebuild at t = 5000 falls inside a segment
    data = sparse_regression(40, 14, 3, 0.1, rng_stream(0))
    kw = dict(alpha=2.0, eta=eta, eps=1e-3, tol=tol, max_steps=max_steps, train_v=train_v)
    ref = diagonal.train_shortcut_net(data, **kw)
    for n in (1, 7, 1000):
        assert_same(ref, diagonal.train_shortcut_net(data, **kw, progress=chunked(n)))


def test_depth_and_uv_runs_report_between_their_chunks():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 20)) + 1.0
    y = X @ np.r_[np.ones(3), np.zeros(17)]
    for model in ("depth", "uv"):
        kw = dict(model=model, T_w=200, tol=1e-10, max_extra_steps=5000)
        ref = diagonal.train_diagonal_net(X, y, 0.5, 0.05, **kw)
        p = chunked()
        assert_same(ref, diagonal.train_diagonal_net(X, y, 0.5, 0.05, **kw, progress=p))
        assert p.lines > 0 and p.total_steps == 200 + 5000


def _subgm_problem(B=3):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 20))
    theta = np.zeros(20)
    theta[:3] = [1.0, 0.5, 2.0]
    y = X @ theta + 0.1 * rng.standard_normal(30)
    alphas = np.resize([1e-3, 1e-2, 1e-1], B)
    W0 = np.stack([diagonal.init_layers(3, 20, a) for a in alphas])
    return X, y, theta, W0


@pytest.mark.parametrize("B", [3, 8])  # both batch columns, with a few and many members
@pytest.mark.parametrize(
    "kw",
    [
        dict(schedule="piecewise", eta=5e-2, milestones=(100, 300)),
        dict(schedule="geometric", eta=[1e-2, 2e-2, 3e-2], rho=0.999),
        dict(schedule="constant", eta=[1e-2, 50.0, 1e-2]),  # one member diverges
        dict(schedule="constant", eta=2e-2, err_hit=1.5, stop_at_hit=True),
    ],
)
def test_subgm_diagonal_chunked_is_bitwise_the_single_call(kw, B):
    X, y, theta, W0 = _subgm_problem(B)
    kw = {k: (np.resize(v, B) if isinstance(v, list) else v) for k, v in kw.items()}
    ref = diagonal.subgm_diagonal(X, y, theta, W0, 600, **kw)
    for n in (1, 13):
        assert_same(ref, diagonal.subgm_diagonal(X, y, theta, W0, 600, **kw, progress=chunked(n)))
    one = {k: (v[0] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    ref = diagonal.subgm_diagonal(X, y, theta, W0[0], 600, **one)
    assert_same(ref, diagonal.subgm_diagonal(X, y, theta, W0[0], 600, **one, progress=chunked()))


@pytest.mark.parametrize("B", [3, diagonal.GROK_BLAS_MIN_B + 1])  # member rows / batch columns
@pytest.mark.parametrize(
    "L, method", [(1, "subgradient"), (1, "ista"), (1, "projected"), (2, "subgradient")]
)
def test_grok_diagonal_chunked_is_bitwise_the_single_call(L, method, B):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((12, 24)) / np.sqrt(12)
    b_star = np.zeros(24)
    b_star[:2] = [1.0, -1.0]
    y = X @ b_star
    W0 = np.full((B, L, 24), 0.3 if L > 1 else 1e-3)
    for kw in (
        dict(alpha=[0.05, 0.1, 100.0], beta1=1e-2, beta2=1e-3, decay_b=10.0),
        dict(alpha=0.2, beta1=1e-3, stop_mult=1.5, eps2=0.2, eps1=0.2),
        dict(alpha=0.1, beta1=1e-3, pairs=True, snap_steps=[0, 5, 100, 799]),
    ):
        kw["alpha"] = np.resize(kw["alpha"], B)
        ref = diagonal.grok_diagonal(X, y, b_star, W0, 800, method=method, **kw)
        for n in (1, 11):
            got = diagonal.grok_diagonal(
                X, y, b_star, W0, 800, method=method, **kw, progress=chunked(n)
            )
            assert_same(ref, got)


@pytest.mark.parametrize("eta", [1e-2, 5.0])  # 5.0 diverges
def test_deep_matrix_chunked_is_bitwise_the_single_call(eta):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 16))
    Xstar = rng.standard_normal((4, 1)) @ rng.standard_normal((1, 4))
    y = A @ Xstar.ravel()
    y[:3] += 5.0
    W0 = 0.3 * rng.standard_normal((3, 4, 4))
    ref = deep_matrix.subgm_deep_matrix(A, y, Xstar, W0, eta, 700)
    for n in (1, 9):
        got = deep_matrix.subgm_deep_matrix(A, y, Xstar, W0, eta, 700, progress=chunked(n))
        assert_same(ref, got)


@pytest.mark.parametrize("method", list(nuclear.NUCLEAR_METHODS))
def test_nuclear_chunked_is_bitwise_the_single_call(method):
    rng = np.random.default_rng(4)
    A_star = rng.standard_normal((4, 1)) @ rng.standard_normal((1, 4))
    X = rng.standard_normal((14, 16)) / np.sqrt(14)
    y = X @ nuclear.vec(A_star)
    A0 = np.broadcast_to(1e-2 * np.eye(4), (3, 4, 4))
    for kw in (
        dict(alpha=np.array([0.1, 500.0, 0.3]), beta_nuc=1e-2, beta2=1e-3, decay_b=5.0),
        dict(alpha=0.5, beta_nuc=1e-2, eps1=0.3, eps2=0.3, stop_mult=1.2),
    ):
        ref = nuclear.nuclear_gd(X, y, A_star, A0, 500, method=method, **kw)
        for n in (1, 17):
            got = nuclear.nuclear_gd(
                X, y, A_star, A0, 500, method=method, **kw, progress=chunked(n)
            )
            assert_same(ref, got)


# --------------------------------------------------------------------------- training job logs
def test_training_job_logs_progress_and_a_final_line(caplog, monkeypatch):
    from implicit_bias.papers import benign_overfitting as bo
    from implicit_bias.papers.benign_overfitting import datasets, runs

    # every update is due: a short run shows what a long one writes every 30 s
    eager = functools.partial(Progress, first_after_s=0.0, min_interval_s=0.0, chunk=500)
    monkeypatch.setattr(runs, "Progress", eager)
    data = [datasets.generate(d=200, n=42, s=3, sigma=0.1, seed=s) for s in (0, 1)]
    model = {**BENIGN_OVERFITTING_MODEL, "lasso_multipliers": [0.1, 1.0]}
    job = {**bo.job("ours", 200, model, 1e-4, 1e-4), "experiment": "dimension"}
    caplog.set_level(logging.INFO)
    with_log = runs.train(job, data, log=logging.getLogger("benign_overfitting_train"))
    lines = caplog.messages
    progress = [m for m in lines if m.startswith("progress dimension/ours_d200 seed 0: step ")]
    assert len(progress) >= 2 and "/2000000 (0%), loss " in progress[0]
    done = [m for m in lines if m.startswith("done dimension/ours_d200 seed ")]
    assert len(done) == 2 and all("status converged" in m for m in done)
    # the chunked run gives the job's output bit for bit
    silent = runs.train(job, data)
    for name in silent.data_vars:
        np.testing.assert_array_equal(with_log[name].values, silent[name].values, err_msg=name)
