"""The benchmark suite's correctness checks at tiny sizes: every implementation of every kernel
family against the plain NumPy loop, the kernels bitwise repeatable. PyTorch is optional (the
`bench` extra): only its rows are skipped without it."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT))

from benchmarks import common, report, run  # noqa: E402

FAMILIES = list(run.FAMILIES.values())


def _problem(mod):
    size = mod.SIZES["tiny"]
    return mod.check_problem(size) if hasattr(mod, "check_problem") else mod.problem(size)


@pytest.mark.parametrize("mod", FAMILIES, ids=[m.NAME for m in FAMILIES])
def test_kernels_match_numpy_loop(mod):
    checks = common.check_family(mod, _problem(mod), None, T=5)
    kinds = {i.name: i.kind for i in mod.impls(_problem(mod), None)}
    assert any(k.startswith("kernel") for k in kinds.values())
    for name, c in checks.items():
        assert c["ok"], f"{mod.NAME} {name}: relative error {c['rel_err']:.2e}"
        if c["deterministic"] is not None:
            assert c["deterministic"], f"{mod.NAME} {name} is not bitwise repeatable"


@pytest.mark.parametrize("mod", FAMILIES, ids=[m.NAME for m in FAMILIES])
def test_torch_matches_numpy_loop(mod):
    torch = pytest.importorskip("torch")
    checks = common.check_family(mod, _problem(mod), torch, T=5)
    torch_rows = [n for n in checks if n.startswith("torch")]
    assert len(torch_rows) == 2
    for name in torch_rows:
        assert checks[name]["ok"], f"{mod.NAME} {name}: {checks[name]['rel_err']:.2e}"


def test_check_catches_a_wrong_update():
    mod = run.FAMILIES["depth_gd"]
    p = _problem(mod)
    wrong = mod.kernel({**p, "eta": 1.01 * p["eta"]}, 5)  # a 1 % error in the step size
    ref = mod.numpy_loop(p, 5) - mod.initial_state(p)
    assert common.rel_err(wrong - mod.initial_state(p), ref) > 1e-4


def test_report_outputs(tmp_path):
    mod = run.FAMILIES["grok_subgrad"]
    rows = common.bench_family(mod, "tiny", None, repeat=1, min_time=0.0, log=lambda *a: None)
    roof = {
        "cores": 2,
        "peak_1core_gflops": 50.0,
        "gemm_all_gflops": 90.0,
        "triad_all_gbs": 20.0,
    }
    table = report.annotate(rows, roof)
    goals = report.targets(table, {"modules": ["lasso"], "cold_fraction_of_rebuild": 0.01})
    assert {r["kind"] for r in table} >= {"numpy-loop", "kernel-batched"}
    assert all(r["x_numpy"] > 0 for r in table)
    assert goals[-1]["met"] is True
    meta = {"scale": "tiny", "cores": 2, "loadavg_start": [0.0, 0.0, 0.0]}
    report.write(tmp_path, meta, table, goals)
    data = json.loads((tmp_path / "results.json").read_text())
    assert len(data["rows"]) == len(rows)
    assert (tmp_path / "results.csv").read_text().startswith("family,")
    assert (tmp_path / "speedups.png").stat().st_size > 1000
