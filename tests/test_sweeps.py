"""Sweep expansion: seed batches, config ids and the jobs of paper 000."""

from __future__ import annotations

import pytest
from conftest import ROOT, load_repo_config

from implicit_bias import sweeps
from implicit_bias.config import validate_config
from implicit_bias.papers import benign_overfitting as bo


def test_seed_chunks_keep_order_and_cover_all():
    assert sweeps.seed_chunks([5, 3, 9, 1], 3) == [[5, 3, 9], [1]]
    assert sweeps.seed_chunks([0, 1, 2], 1) == [[0], [1], [2]]
    with pytest.raises(ValueError):
        sweeps.seed_chunks([0], 0)


@pytest.mark.parametrize("seeds", [[0], [0, 1, 2], [12, 7]])
def test_chunk_label_round_trip(seeds):
    assert sweeps.parse_chunk(sweeps.chunk_label(seeds)) == seeds


def test_parse_chunk_rejects_garbage():
    with pytest.raises(ValueError, match="seed-batch label"):
        sweeps.parse_chunk("0_1")


def test_config_id_is_short_and_float_free():
    assert sweeps.config_id({"method": "ours", "d": 1000}) == "ours_d1000"
    cid = sweeps.config_id({"method": "ours", "eta": 1e-5})
    assert cid.startswith("ours_eta-") and "e-05" not in cid and len(cid) < 20
    assert cid != sweeps.config_id({"method": "ours", "eta": 2e-5})
    assert cid == sweeps.config_id({"method": "ours", "eta": 1e-5})


def _config():
    return validate_config(load_repo_config(), ROOT / "workflow" / "schemas")


def test_quick_sweep_of_paper_000():
    section = _config()["benign_overfitting"]
    jobs = bo.sweep(section, "quick", "dimension")
    assert {j["d"] for j in jobs} == {100, 300, 1000, 3000, 10000}
    assert {j["method"] for j in jobs} == set(bo.METHODS)
    ours = next(j for j in jobs if j["method"] == "ours" and j["d"] == 10000)
    assert ours["n"] == 300 and ours["eta"] == 1e-5 and ours["eps"] == 1e-10
    assert ours["alpha"] == pytest.approx(16773, rel=1e-3)  # spec section 7 table
    quad = next(j for j in jobs if j["method"] == "quad" and j["d"] == 10000)
    # w^2-u^2 takes the effective step eta*alpha(d) of the shortcut's quadratic part
    assert quad["alpha"] == 1.0 and quad["eta"] == pytest.approx(1e-5 * ours["alpha"])
    assert quad["eps"] == 1e-15 and quad["train_v"] is False
    # baselines do not depend on GD settings, so changing eta does not rerun them
    l2 = next(j for j in jobs if j["method"] == "min_l2")
    assert set(l2) == {"method", "d", "n"}


def test_paper_scale_uses_the_papers_values():
    section = _config()["benign_overfitting"]
    jobs = bo.sweep(section, "paper", "dimension")
    assert max(j["d"] for j in jobs) == 100000
    assert all(j["eta"] == 1e-6 for j in jobs if j["method"] == "ours")
    assert not any(j["method"] == "min_l1" and j["d"] > 10000 for j in jobs)
    dyn = bo.sweep(section, "paper", "dynamics")
    ours = next(j for j in dyn if j["method"] == "ours")
    assert (ours["d"], ours["n"], ours["tol"]) == (50000, 671, 1e-5)
    assert ours["alpha"] == pytest.approx(47146, rel=1e-3)  # Fig. 1 caption value


def test_dynamics_uses_first_seed_only():
    assert bo.experiment_seeds({}, "dynamics", [4, 5, 6]) == [4]
    assert bo.experiment_seeds({}, "dimension", [4, 5, 6]) == [4, 5, 6]
