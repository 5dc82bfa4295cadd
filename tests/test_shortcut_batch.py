"""Batched GD on paper 000's model (kernels.shortcut_batch): every member equals its single run,
diverged members are isolated, results repeat bit for bit, segmented runs equal one call."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from implicit_bias.data import SparseRegression, rng_stream, sparse_regression
from implicit_bias.kernels import shortcut_batch as sb
from implicit_bias.kernels.diagonal import (
    METRICS,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_MAX_STEPS,
    train_shortcut_net,
)
from implicit_bias.kernels.shortcut_batch import train_shortcut_nets
from implicit_bias.progress import Progress

pytestmark = pytest.mark.filterwarnings(
    "ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning"
)

# d > 2 * _BLOCK: several gradient blocks per part, lane rows and tails in the logged metrics
D, N = 4500, 12
H = N / D  # step sizes in units of n / d (about 1 / lambda_max(X^T X / n))
# converged, converged (quad), max_steps, diverged, converged, converged (quad). The last loss
# before each stop is at least 4 % above tol and the stopping one 0.2 % below it (checked in
# test_members_equal_their_single_runs), so both implementations stop at the same step.
MEMBERS = {
    "alpha": [2.0, 3.0, 1.0, 2.0, 10.0, 1.0],
    "eta": [0.5 * H, 0.1 * H, 0.002 * H, 20 * H, 0.1 * H, 0.05 * H],
    "eps": [1e-3, 0.2, 1e-3, 1e-3, 1e-4, 0.3],
    "train_v": [True, False, True, True, True, False],
}
STATUS = [STATUS_CONVERGED] * 2 + [STATUS_MAX_STEPS, STATUS_DIVERGED] + [STATUS_CONVERGED] * 2
TOL, MAX_STEPS = 1e-4, 400
PER_DECADE = 1000  # every step up to MAX_STEPS is on the grid: all rows are compared


@pytest.fixture(scope="module")
def data():
    return sparse_regression(D, N, 3, 0.1, rng_stream(11))


@pytest.fixture(scope="module")
def batch(data):
    return train_shortcut_nets(data, **MEMBERS, tol=TOL, max_steps=MAX_STEPS, per_decade=PER_DECADE)


def _member(m):
    return {k: v[m] for k, v in MEMBERS.items()}


def assert_same(a, b, path="out"):
    """Bitwise equality of nested results (NaN equal to NaN)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    else:
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), path


def test_members_equal_their_single_runs(data, batch):
    assert len(batch) == len(STATUS)
    for m, res in enumerate(batch):
        ref = train_shortcut_net(data, **_member(m), tol=TOL, max_steps=MAX_STEPS,
                                 per_decade=PER_DECADE)  # fmt: skip
        assert res.keys() == ref.keys()
        assert res["metrics"].keys() == set(METRICS)
        assert (res["status"], ref["status"]) == (STATUS[m], STATUS[m]), m
        assert res["t_end"] == ref["t_end"], m
        np.testing.assert_array_equal(res["steps"], ref["steps"])
        assert res["steps"].dtype == np.int64
        loss = ref["metrics"]["train_loss"]
        if STATUS[m] == STATUS_DIVERGED:
            assert not np.isfinite(res["metrics"]["train_loss"][-1])
            assert np.all(np.isfinite(res["metrics"]["train_loss"][:-1]))
            continue
        if STATUS[m] == STATUS_CONVERGED:  # not a razor-edge stop
            assert loss[-1] < 0.998 * TOL and loss[-2] > 1.04 * TOL
        for key in ("beta", "w", "u", "v"):
            np.testing.assert_allclose(res[key], ref[key], rtol=1e-9, atol=0, err_msg=key)
        for key in METRICS:
            np.testing.assert_allclose(
                res["metrics"][key], ref["metrics"][key], rtol=1e-9, atol=1e-300, err_msg=key
            )
        if not MEMBERS["train_v"][m]:
            assert np.all(res["v"] == 0.0)
        np.testing.assert_array_equal(
            res["beta"], res["v"] + MEMBERS["alpha"][m] * (res["w"] ** 2 - res["u"] ** 2)
        )


def test_a_diverging_member_leaves_the_others_alone(data, batch):
    # the same batch without the diverging member: the others are unchanged (bitwise here; to
    # rounding in general, as BLAS may order a sum differently for another number of rows)
    keep = [m for m in range(len(STATUS)) if STATUS[m] != STATUS_DIVERGED]
    sub = {k: [v[m] for m in keep] for k, v in MEMBERS.items()}
    alone = train_shortcut_nets(data, **sub, tol=TOL, max_steps=MAX_STEPS, per_decade=PER_DECADE)
    for res, m in zip(alone, keep, strict=True):
        for key in ("beta", "w", "u", "v"):
            np.testing.assert_allclose(batch[m][key], res[key], rtol=1e-12, atol=0)
        assert (batch[m]["t_end"], batch[m]["status"]) == (res["t_end"], res["status"])


def test_repeat_and_thread_count_give_the_same_bits(data, batch):
    kw = dict(MEMBERS, tol=TOL, max_steps=MAX_STEPS, per_decade=PER_DECADE)
    assert_same(batch, train_shortcut_nets(data, **kw))
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = train_shortcut_nets(data, **kw)
    finally:
        numba.set_num_threads(old)
    assert_same(batch, one)


class Recorder(Progress):
    """Segments of n steps; records every update."""

    def __init__(self, n):
        super().__init__("test", chunk=n, first_after_s=0.0, min_interval_s=0.0)
        self.calls = []

    def update(self, step, loss=None):
        self.calls.append((step, np.array(loss() if callable(loss) else loss)))
        return super().update(step, loss)


@pytest.mark.parametrize("n", [1, 7, 10_000])
def test_segmented_run_is_bitwise_the_single_call(data, batch, n):
    p = Recorder(n)
    kw = dict(MEMBERS, tol=TOL, max_steps=MAX_STEPS, per_decade=PER_DECADE)
    assert_same(batch, train_shortcut_nets(data, **kw, progress=p))
    steps = [s for s, _ in p.calls]
    assert steps == list(range(n, MAX_STEPS + 1, n))[: len(steps)]
    if n == 1:
        assert len(steps) == MAX_STEPS  # the max_steps member keeps the batch going to the end
        # one loss per run, NaN once stopped: after step 200 only the max_steps member runs
        loss = p.calls[199][1]
        assert loss.shape == (len(STATUS),)
        assert np.isfinite(loss[2]) and np.all(np.isnan(np.delete(loss, 2)))


def test_scalars_broadcast_and_logging_defaults():
    data = sparse_regression(61, 17, 3, 0.1, rng_stream(3))
    kw = dict(alpha=2.0, eta=0.005, eps=1e-3, tol=1e-6, max_steps=3000)
    (res,) = train_shortcut_nets(data, **kw)
    ref = train_shortcut_net(data, **kw)
    assert res["status"] == ref["status"] == STATUS_CONVERGED
    assert res["t_end"] == ref["t_end"]
    np.testing.assert_array_equal(res["steps"], ref["steps"])
    np.testing.assert_allclose(res["beta"], ref["beta"], rtol=1e-9)
    # a length-3 alpha broadcasts the other arguments; zero steps log the start once
    out = train_shortcut_nets(data, [1.0, 2.0, 3.0], 0.005, 1e-3, 1e-6, 0, train_v=False)
    assert [(r["t_end"], r["status"], r["steps"].tolist()) for r in out] == [
        (0, STATUS_MAX_STEPS, [0])
    ] * 3
    assert all(np.all(r["beta"] == 0.0) for r in out)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(alpha=[1.0, 2.0], eta=[0.1, 0.2, 0.3]), "different lengths"),
        (dict(alpha=np.ones((2, 2))), "alpha must be a scalar or a 1-D array"),
        (dict(alpha=[]), "alpha must not be empty"),
        (dict(eta=[0.1, np.nan]), "eta must be finite"),
        (dict(eps=np.inf), "eps must be finite"),
        (dict(alpha="big"), "alpha must be numeric"),
        (dict(train_v=[1, 2]), "train_v must be boolean"),
        (dict(train_v=[0.5]), "train_v must be boolean"),
        (dict(tol=np.nan), "tol must not be NaN"),
        (dict(max_steps=-1), "max_steps must be >= 0"),
        (dict(max_steps=2.5), "max_steps must be an integer"),
        (dict(per_decade=0), "per_decade must be >= 1"),
    ],
)
def test_bad_arguments_are_named(kw, match):
    data = sparse_regression(20, 8, 3, 0.1, rng_stream(0))
    args = dict(alpha=1.0, eta=0.01, eps=1e-3, tol=1e-6, max_steps=10) | kw
    with pytest.raises(ValueError, match=match):
        train_shortcut_nets(data, **args)


def test_bad_data_is_rejected():
    good = sparse_regression(20, 8, 3, 0.1, rng_stream(0))
    args = dict(alpha=1.0, eta=0.01, eps=1e-3, tol=1e-6, max_steps=10)
    for XT in (good.XT.astype(np.float32), np.asfortranarray(good.XT), good.XT[:, :, None]):
        bad = SparseRegression(XT, good.y, good.xi, good.beta_star, good.sigma)
        with pytest.raises(ValueError, match="data.XT"):
            train_shortcut_nets(bad, **args)
    bad = SparseRegression(good.XT, good.y[:-1], good.xi, good.beta_star, good.sigma)
    with pytest.raises(ValueError, match="data.y"):
        train_shortcut_nets(bad, **args)
    bad = SparseRegression(good.XT, good.y, good.xi, good.beta_star[:-1], good.sigma)
    with pytest.raises(ValueError, match="data.beta_star"):
        train_shortcut_nets(bad, **args)


def test_parts_and_blocks_cover_the_columns():
    for d in (1, 7, 8, 13, 61, 4500, 10_000):
        b = sb._part_bounds(d)
        assert b[0] == 0 and b[-1] == d and np.all(np.diff(b) >= 0)
        block = sb._block_cols(int(np.max(np.diff(b))))
        assert block % 8 == 0 and block <= max(8, sb._BLOCK)
