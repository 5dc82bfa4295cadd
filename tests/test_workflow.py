"""End-to-end runs of the real Snakefile on the tiny test configuration (.test/config)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import copy_workflow, snakemake

from implicit_bias import claims, ledger
from implicit_bias.papers.benign_overfitting import datasets as bo_data
from implicit_bias.papers.benign_overfitting import runs as bo_runs
from implicit_bias.store import read_dataset

pytestmark = pytest.mark.slow

TEST_CONFIG = [".test/config/config.yaml"]
BO = "benign_overfitting"
FIGURES = [f"results/figures/{BO}/fig{i}.{ext}" for i in (1, 2) for ext in ("pdf", "png")]


def run(workdir: Path, *extra: str, env=None):
    # Targets and --config go first: --configfile takes every following word as a file.
    return snakemake(workdir, *extra, "--cores", "2", "--configfile", *TEST_CONFIG, env=env)


def jobs_run(proc) -> dict[str, int]:
    """Rule -> job count from Snakemake's job statistics table."""
    counts: dict[str, int] = {}
    text = proc.stdout + proc.stderr
    if "Job stats:" not in text:
        return counts
    table = text.split("Job stats:", 1)[1].splitlines()[3:]
    for line in table:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            break
        counts[parts[0]] = int(parts[1])
    return counts


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One full tiny run, shared by the tests of this module."""
    workdir = copy_workflow(tmp_path_factory.mktemp("run_a"))
    run(workdir)
    return workdir


def test_outputs_exist(built):
    for path in [
        *FIGURES,
        f"results/{BO}/cube_dynamics.nc",
        f"results/{BO}/cube_dimension.nc",
        "results/tables/claims.csv",
        "results/tables/claims.md",
        "results/tables/ledger.csv",
        "results/tables/ledger.md",
        "results/tables/ledger_summary.csv",
        "results/tables/ledger_summary.md",
    ]:
        assert (built / path).stat().st_size > 0, path


def test_cube_layout_and_attributes(built):
    with xr.open_dataset(built / f"results/{BO}/cube_dimension.nc") as cube:
        assert set(cube["test_error"].dims) == {"estimator", "d", "seed"}
        assert list(cube["d"].values) == [100, 1000]
        assert list(cube["n"].values) == [30, 95]
        assert set(cube["estimator"].values) == {"ours", "quad", "hybrid", "min_l2", "min_l1"}
        assert cube["test_error_curve"].dims == ("estimator", "d", "seed", "t")
        for name, var in cube.data_vars.items():
            assert "long_name" in var.attrs and "units" in var.attrs, name
        for key in (
            "config",
            "git_commit",
            "implicit_bias_version",
            "numba_version",
            "Conventions",
        ):
            assert key in cube.attrs
        assert (cube["status"].values == 0).all()


def test_cube_value_equals_direct_package_call(built):
    """The cube's test loss of one run equals a direct call of the package on the same data."""
    cube = read_dataset(built / f"results/{BO}/cube_dimension.nc")
    data = bo_data.generate(d=1000, n=95, s=3, sigma=0.1, seed=0)
    job = {
        "method": "ours",
        "d": 1000,
        "n": 95,
        "alpha": float(cube["alpha"].sel(estimator="ours", d=1000)),
        "eta": 1e-5,
        "eps": 1e-10,
        "train_v": True,
        "tol": 1e-4,
        "max_steps": 20_000_000,
        "log_per_decade": 50,
    }
    direct = bo_runs.train(job, [data])
    np.testing.assert_allclose(
        cube["test_error"].sel(estimator="ours", d=1000, seed=0),
        direct["test_error"].sel(seed=0),
        rtol=1e-12,
    )
    from implicit_bias.baselines import min_l2_interpolator

    problem = bo_data.as_problem(data)
    beta = min_l2_interpolator(problem.XT, problem.y)
    np.testing.assert_allclose(
        cube["test_error"].sel(estimator="min_l2", d=1000, seed=0),
        np.sum((beta - problem.beta_star) ** 2),
        rtol=1e-10,
    )


def test_claims_table_has_every_check(built):
    rows = claims.read_csv(built / "results/tables/claims.csv")
    assert [r.claim for r in rows] == list(claims.load(BO))  # every registered claim, in order
    assert all(r.paper == BO and r.status in claims.STATUSES for r in rows)
    assert all(r.source and r.tolerance_source and r.figures for r in rows)


def test_ledger_lists_every_item_with_its_claims(built):
    rows = ledger.read_csv(built / "results/tables/ledger.csv")
    assert [r["item"] for r in rows] == [it.id for it in ledger.load(BO)]
    table = {r.claim: r.status for r in claims.read_csv(built / "results/tables/claims.csv")}
    for row in rows:
        for entry in filter(None, row["claims"].split("; ")):
            cid, status = entry.rsplit(" ", 1)
            assert table[cid] == status
    (summary,) = ledger.read_csv(built / "results/tables/ledger_summary.csv")
    assert int(summary["items"]) == len(rows)


def test_second_run_has_nothing_to_do(built):
    proc = run(built, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_sweep_change_reruns_only_dependents(built):
    proc = run(built, "-n", "--config", "seeds_per_job=1")  # no-op for one seed
    assert "Nothing to be done" in proc.stdout + proc.stderr
    # A new step size re-trains the two GD methods (both experiments share it here) only.
    edited = built / "edited.yaml"
    edited.write_text(
        (built / TEST_CONFIG[0])
        .read_text()
        .replace("eta: 1.0e-5\n      tol: 1.0e-4", "eta: 2.0e-5\n      tol: 1.0e-4")
    )
    proc = snakemake(built, "-n", "--cores", "2", "--configfile", str(edited))  # no targets
    counts = jobs_run(proc)
    assert counts.get("benign_overfitting_train") == 4  # ours, quad x d in {100, 1000}
    assert "benign_overfitting_data" not in counts
    assert counts.get("benign_overfitting_cube") == 1  # dimension only; dynamics untouched
    assert counts.get("benign_overfitting_fig2") == 1 and "benign_overfitting_fig1" not in counts


def test_kernel_edit_reruns_training(built):
    """Kernel sources are inputs of the training rules: an edit re-trains the runs that use it."""
    import implicit_bias.kernels.diagonal as kernel

    source = Path(kernel.__file__)
    original, stat = source.read_bytes(), source.stat()
    try:
        source.write_bytes(original + b"\n# an edit\n")
        counts = jobs_run(run(built, "-n"))
    finally:
        source.write_bytes(original)
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # keeps Numba's cache valid
    # GD runs use the diagonal kernel: ours and quad at d in {100, 1000}, and the Fig. 1 run.
    assert counts.get("benign_overfitting_train") == 5
    assert "benign_overfitting_data" not in counts
    assert "Nothing to be done" in run(built, "-n").stdout + run(built, "-n").stderr


def test_single_figure_target_builds_only_what_it_needs(tmp_path):
    workdir = copy_workflow(tmp_path)
    proc = run(workdir, "-n", f"results/figures/{BO}/fig1.png")
    counts = jobs_run(proc)
    assert counts.get("benign_overfitting_fig1") == 1
    assert "benign_overfitting_fig2" not in counts and "claims_table" not in counts
    assert counts.get("benign_overfitting_train") == 2  # ours + min_l2 of the dynamics run
    counts = jobs_run(run(workdir, "-n", BO))  # the paper's target rule: its figures and claims
    assert counts.get("benign_overfitting_fig1") == 1 and counts.get("benign_overfitting_fig2") == 1
    assert counts.get("benign_overfitting_claims") == 1 and "claims_table" not in counts
    assert counts.get("benign_overfitting_train") == 12
    # Paper 001: Fig. 4 needs its own panel and Fig. 1's D = 2 panel, on one data draw.
    counts = jobs_run(run(workdir, "-n", "results/figures/step_size_bias/fig4.png"))
    assert counts.get("step_size_bias_figure") == 1 and counts.get("step_size_bias_train") == 2
    assert counts.get("step_size_bias_data") == 1 and "step_size_bias_claims" not in counts


def test_rerun_gives_identical_cubes(built, tmp_path):
    """Determinism: a fresh checkout with the same seeds produces identical cubes."""
    other = copy_workflow(tmp_path)
    run(other, f"results/{BO}/cube_dimension.nc", f"results/{BO}/cube_dynamics.nc")
    for name in ("cube_dimension.nc", "cube_dynamics.nc"):
        xr.testing.assert_identical(
            read_dataset(built / f"results/{BO}/{name}"),
            read_dataset(other / f"results/{BO}/{name}"),
        )


def trained(workdir: Path) -> set[str]:
    """Training jobs that ran here (a job served from the cache leaves no log text)."""
    logs = (workdir / "logs" / BO / "train").rglob("*.log")
    return {p.name.rsplit("_s", 1)[0] for p in logs if p.stat().st_size > 0}


def test_between_workflow_cache(tmp_path):
    """A second checkout with the same config takes training from the cache; a change misses it."""
    env = {**os.environ, "SNAKEMAKE_OUTPUT_CACHE": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    target = f"results/{BO}/cube_dynamics.nc"
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first, second = copy_workflow(tmp_path / "first"), copy_workflow(tmp_path / "second")
    run(first, target, "--cache", env=env)
    assert trained(first) == {"ours_d1000", "min_l2_d1000"}

    proc = run(second, target, "--cache", env=env)
    log = proc.stdout + proc.stderr
    assert f"output file results/{BO}/runs/dynamics/ours_d1000/s0.nc from cache" in log
    assert trained(second) == set(), "no training job may run in the second checkout"
    xr.testing.assert_identical(read_dataset(first / target), read_dataset(second / target))

    # A changed tolerance is a new cache key for the GD run only.
    edited = second / "edited.yaml"
    edited.write_text((second / TEST_CONFIG[0]).read_text().replace("tol: 1.0e-5", "tol: 2.0e-5"))
    shutil.rmtree(second / "results")
    shutil.rmtree(second / "logs")
    snakemake(second, target, "--cache", "--cores", "2", "--configfile", str(edited), env=env)
    assert trained(second) == {"ours_d1000"}


def test_paper_scale_plan(workflow_copy):
    """`--config scale=paper -n` plans the paper's own sweep in a small number of jobs."""
    proc = snakemake(workflow_copy, "-n", "--config", "scale=paper", "--quiet", "rules")
    counts = jobs_run(proc)
    total = sum(v for k, v in counts.items() if k != "total")
    assert counts.get("benign_overfitting_train", 0) >= 30
    # every selected paper plans its training, and batching keeps the DAG far below 10^4 jobs
    for paper in ("step_size_bias", "matrix_sensing", "blessing_of_depth", "grokking_norms"):
        assert counts.get(f"{paper}_train", 0) >= 1, paper
    assert total <= 1000
