"""Faults: a killed run resumes to the same cubes, a failed job is reported with its log, a
diverging run is recorded, a bad config stops with one line, and results do not depend on the
number of cores. End-to-end tests run the real Snakefile on the tiny test configuration."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import SNAKEMAKE, copy_workflow, snakemake

from implicit_bias import claims, store
from implicit_bias.store import STATUS_CODES, read_dataset, write_dataset

TEST_CONFIG = ".test/config/config.yaml"
BO = "benign_overfitting"
CUBES = [f"results/{BO}/cube_dimension.nc", f"results/{BO}/cube_dynamics.nc"]


@pytest.fixture(scope="module")
def sm_env(tmp_path_factory) -> dict:
    """Environment for Snakemake subprocesses.

    The SLURM executor plugin runs `scontrol show config` when Snakemake starts; where SLURM's
    client is installed but no controller answers, that waits 10 s per call. A stub that fails
    at once keeps these tests fast; the local executor never uses scontrol.
    """
    env = dict(os.environ)
    if shutil.which("scontrol"):
        stub = tmp_path_factory.mktemp("stub")
        (stub / "scontrol").write_text("#!/bin/sh\nexit 1\n")
        (stub / "scontrol").chmod(0o755)
        env["PATH"] = f"{stub}{os.pathsep}{env['PATH']}"
    return env


def run(workdir: Path, *extra: str, env: dict, check: bool = True, configs=(TEST_CONFIG,)):
    # Targets and --config go first: --configfile takes every following word as a file.
    return snakemake(workdir, *extra, "--configfile", *configs, check=check, env=env)


def assert_every_netcdf_opens(workdir: Path) -> int:
    files = sorted((workdir / "results").rglob("*.nc"))
    for path in files:
        read_dataset(path)  # raises on a partial or corrupt file
    return len(files)


def assert_same_cubes(a: Path, b: Path) -> None:
    for cube in CUBES:
        xr.testing.assert_identical(read_dataset(a / cube), read_dataset(b / cube))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, sm_env) -> Path:
    """An uninterrupted run of the test configuration's cubes on 2 cores."""
    workdir = copy_workflow(tmp_path_factory.mktemp("reference"))
    run(workdir, *CUBES, "--cores", "2", env=sm_env)
    return workdir


# ------------------------------------------------------------------------- atomic writes
def _small_dataset() -> xr.Dataset:
    return xr.Dataset({"x": ("i", np.arange(5.0))}, attrs={"title": "t"})


def test_write_dataset_renames_a_temporary_file(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", spy)
    target = tmp_path / "out.nc"
    write_dataset(_small_dataset(), target)
    [(src, dst)] = renames
    assert dst == target and src.parent == target.parent and src != target
    assert not src.name.endswith(".nc"), "the temporary name must not look like a result file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nc"]
    xr.testing.assert_identical(read_dataset(target), _small_dataset())


def test_crash_during_write_leaves_no_file_at_final_path(tmp_path, monkeypatch):
    def crash(self, path, *args, **kwargs):
        Path(path).write_bytes(b"CDF\x01 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", crash)
    target = tmp_path / "out.nc"
    with pytest.raises(OSError, match="disk full"):
        write_dataset(_small_dataset(), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_killed_writer_keeps_the_previous_file(tmp_path):
    """A process killed mid-write (no cleanup runs) leaves the old file whole at the final path."""
    target = tmp_path / "out.nc"
    write_dataset(_small_dataset(), target)
    script = f"""
import os
from pathlib import Path
import numpy as np, xarray as xr
from implicit_bias.store import write_dataset

def killed(self, path, *args, **kwargs):
    Path(path).write_bytes(b"CDF\\x01 half a file")
    os._exit(137)

xr.Dataset.to_netcdf = killed
write_dataset(xr.Dataset({{"x": ("i", np.zeros(3))}}), {str(target)!r})
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 137, proc.stderr
    xr.testing.assert_identical(read_dataset(target), _small_dataset())
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert leftovers and all(not name.endswith(".nc") for name in leftovers)


# ------------------------------------------------------------------------- kill -9 and resume
def _training_state(workdir: Path) -> tuple[int, int]:
    """(training jobs started, training outputs written) of paper 000."""
    logs = list((workdir / "logs" / BO / "train").rglob("*.log"))
    runs = list((workdir / "results" / BO / "runs").rglob("*.nc"))
    return len(logs), len(runs)


@pytest.mark.slow
def test_kill_9_mid_training_then_rerun_gives_the_same_cubes(reference, tmp_path, sm_env):
    workdir = copy_workflow(tmp_path)
    cmd = [*SNAKEMAKE, *CUBES, "--cores", "2", "--configfile", TEST_CONFIG]
    with open(tmp_path / "killed.log", "w") as log:
        # Own process group: kill -9 hits Snakemake and every job it started.
        proc = subprocess.Popen(
            cmd,
            cwd=workdir,
            env=sm_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and proc.poll() is None:
                started, written = _training_state(workdir)
                if written >= 1 and started > written:  # some runs done, others mid-training
                    break
                time.sleep(0.05)
            assert proc.poll() is None, "the run finished before it could be killed"
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    started, written = _training_state(workdir)
    assert 1 <= written < 12, "kill must land mid-training (12 training jobs in the test config)"
    assert_every_netcdf_opens(workdir)
    assert not (workdir / CUBES[0]).exists()

    # The killed Snakemake leaves its lock (and maybe outputs not yet marked complete): the same
    # command refuses to run until unlocked, then --rerun-incomplete finishes the work.
    refused = run(workdir, *CUBES, "--cores", "2", env=sm_env, check=False)
    assert refused.returncode != 0
    assert "--unlock" in refused.stdout + refused.stderr or "incomplete" in refused.stderr
    run(workdir, "--unlock", env=sm_env)
    run(workdir, *CUBES, "--cores", "2", "--rerun-incomplete", env=sm_env)
    assert assert_every_netcdf_opens(workdir) >= written + len(CUBES)
    assert_same_cubes(reference, workdir)


# ------------------------------------------------------------------------- determinism
@pytest.mark.slow
def test_cubes_identical_on_1_and_2_cores(reference, tmp_path, sm_env):
    """--cores 1 against the --cores 2 reference; the kill test compares two --cores 2 runs and
    tests/test_workflow.py::test_rerun_gives_identical_cubes two clean ones."""
    workdir = copy_workflow(tmp_path)
    run(workdir, *CUBES, "--cores", "1", env=sm_env)
    assert_same_cubes(reference, workdir)


# ------------------------------------------------------------------------- a failing job
@pytest.mark.slow
def test_failed_job_is_reported_with_its_log_and_other_papers_finish(tmp_path, sm_env):
    """A corrupt input (a truncated data file) fails paper 000's d = 100 training jobs; with
    --keep-going its other figure and paper 003's requested figure are still built."""
    workdir = copy_workflow(tmp_path)
    (workdir / "only_d100.yaml").write_text(f"{BO}:\n  quick:\n    dimension:\n      d: [100]\n")
    corrupt = workdir / f"results/{BO}/data/d100/seed0.nc"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"CDF\x01 truncated")
    other = "results/figures/blessing_of_depth/fig_balance.png"
    proc = run(
        workdir,
        BO,
        other,
        "--keep-going",
        "--cores",
        "2",
        "--config",
        "papers=[benign_overfitting,blessing_of_depth]",
        env=sm_env,
        check=False,
        configs=(TEST_CONFIG, ".test/config/blessing_of_depth.yaml", "only_d100.yaml"),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Error in rule benign_overfitting_train" in out
    for method in ("ours", "quad", "hybrid", "min_l2", "min_l1"):
        log = f"logs/{BO}/train/dimension/{method}_d100_s0.log"
        assert f"log: {log} (check log file(s) for error details)" in out, method
        text = (workdir / log).read_text()
        assert "job failed" in text and "seed0.nc" in text, text[-2000:]
    # --keep-going: what does not depend on the failed jobs is built, in both papers.
    assert (workdir / other).stat().st_size > 0
    assert (workdir / f"results/figures/{BO}/fig1.png").stat().st_size > 0
    assert not (workdir / f"results/figures/{BO}/fig2.png").exists()
    assert_every_netcdf_opens_except(workdir, corrupt)


def assert_every_netcdf_opens_except(workdir: Path, bad: Path) -> None:
    for path in sorted((workdir / "results").rglob("*.nc")):
        if path != bad:
            read_dataset(path)


# ------------------------------------------------------------------------- divergence
@pytest.mark.slow
def test_diverging_step_size_is_recorded_and_figures_and_claims_build(tmp_path, sm_env):
    workdir = copy_workflow(tmp_path)
    text = (workdir / TEST_CONFIG).read_text()
    assert text.count("eta: 1.0e-5") == 2
    (workdir / "diverge.yaml").write_text(text.replace("eta: 1.0e-5", "eta: 1.0"))
    run(workdir, "--cores", "2", env=sm_env, configs=("diverge.yaml",))

    dim = read_dataset(workdir / CUBES[0])
    assert "diverged" in dim["status"].attrs["flag_meanings"]
    gd = dim.sel(estimator=["ours", "quad"])
    assert (gd["status"] == STATUS_CODES["diverged"]).all()
    # The step it diverged at: T_end, well before the step budget.
    steps = gd["iterations"].values
    assert np.all(np.isfinite(steps)) and np.all((steps >= 1) & (steps < 1000)), steps
    baselines = dim.sel(estimator=["hybrid", "min_l2", "min_l1"])
    assert (baselines["status"] == STATUS_CODES["converged"]).all()
    dyn = read_dataset(workdir / CUBES[1])
    assert int(dyn["status"].sel(estimator="ours", d=1000, seed=0)) == STATUS_CODES["diverged"]

    for fig in ("fig1", "fig2"):
        for ext in ("pdf", "png"):
            assert (workdir / f"results/figures/{BO}/{fig}.{ext}").stat().st_size > 0
    rows = {r.claim: r for r in claims.read_csv(workdir / "results/tables/claims.csv")}
    assert rows["Z2.1"].status == "FAIL" and "0/4" in rows["Z2.1"].measured
    assert rows["Z2.2"].status == "PASS"  # the min-l2 baseline is unaffected


# ------------------------------------------------------------------------- malformed configs
# name -> (how to break it, fragments of the one line). Kinds: "yaml" = an extra --configfile
# merged over the test config, "config" = --config words, "edit" = (file, old, new) in the copy.
# tests/test_config.py covers other cases (scale, papers, seeds, paper 000's eta, d, methods...).
MALFORMED = {
    # types
    "seeds_per_job as text": (
        "config",
        ["seeds_per_job=two"],
        ["seeds_per_job: got 'two'", "expected an integer"],
    ),
    "papers not a list": (
        "config",
        ["papers=benign_overfitting"],
        ["papers: got 'benign_overfitting'", "expected a list"],
    ),
    "sweep given as a word": (
        "yaml",
        "matrix_sensing: {quick: {experiments: {sensing: {alpha: small}}}}",
        ["matrix_sensing.quick.experiments.sensing.alpha", "expected a list"],
    ),
    "fractional size": (
        "yaml",
        "blessing_of_depth: {model: {regression: {d: 40.5}}}",
        ["blessing_of_depth.model.regression.d: got 40.5", "expected an integer"],
    ),
    "section not a mapping": (
        "yaml",
        "step_size_bias: {quick: [fig1]}",
        ["step_size_bias.quick", "expected a mapping"],
    ),
    "step size true": (
        "yaml",
        f"{BO}: {{quick: {{dynamics: {{eta: true}}}}}}",
        [f"{BO}.quick.dynamics.eta: got True", "expected a number"],
    ),
    # ranges
    "negative tolerance": (
        "yaml",
        f"{BO}: {{quick: {{dynamics: {{tol: -1.0e-4}}}}}}",
        [f"{BO}.quick.dynamics.tol", "must be > 0"],
    ),
    "rank zero": (
        "yaml",
        "matrix_sensing: {quick: {experiments: {sensing: {r: 0}}}}",
        ["matrix_sensing.quick.experiments.sensing.r", "must be >= 1"],
    ),
    "depth above the limit": (
        "yaml",
        "blessing_of_depth: {quick: {experiments: {constant: {N: [13]}}}}",
        ["blessing_of_depth.quick.experiments.constant.N[0]", "maximum of 12"],
    ),
    "outlier fraction 1": (
        "yaml",
        "blessing_of_depth: {model: {regression: {p: 1.0}}}",
        ["blessing_of_depth.model.regression.p", "maximum of 1"],
    ),
    "depth not allowed": (
        "yaml",
        "step_size_bias: {quick: {experiments: {fig4: {D: [5]}}}}",
        ["step_size_bias.quick.experiments.fig4.D[0]", "allowed: 2, 3, 4"],
    ),
    "infinite step size": (
        "yaml",
        f"{BO}: {{quick: {{dimension: {{eta: .inf}}}}}}",
        [f"{BO}.quick.dimension.eta", "must be a finite number, got inf"],
    ),
    # unknown keys
    "unknown experiment": (
        "yaml",
        "step_size_bias: {quick: {experiments: {fig7: {mu: [5]}}}}",
        ["step_size_bias.quick.experiments: unknown key 'fig7'", "fig6"],
    ),
    "misspelt sweep key": (
        "yaml",
        "matrix_sensing: {quick: {experiments: {sensing: {alphas: [1.0]}}}}",
        ["matrix_sensing.quick.experiments.sensing: unknown key 'alphas'", "alpha"],
    ),
    "unknown hyperparameter": (
        "yaml",
        f"{BO}: {{quick: {{dimension: {{learning_rate: 0.1}}}}}}",
        [f"{BO}.quick.dimension: unknown key 'learning_rate'", "eta"],
    ),
    "numeric key": (
        "yaml",
        "1: 2\nfoo: 3",
        ["(top level): unknown key 1, 'foo'"],
    ),
    # empty sweeps
    "empty alpha grid": (
        "yaml",
        "step_size_bias: {quick: {experiments: {fig1: {alpha: []}}}}",
        ["step_size_bias.quick.experiments.fig1.alpha", "must not be empty"],
    ),
    "empty dimension list": (
        "yaml",
        "matrix_sensing: {quick: {experiments: {rank1: {d: []}}}}",
        ["matrix_sensing.quick.experiments.rank1.d", "must not be empty"],
    ),
    "empty depth list": (
        "yaml",
        "blessing_of_depth: {quick: {experiments: {constant: {N: []}}}}",
        ["blessing_of_depth.quick.experiments.constant.N", "must not be empty"],
    ),
    # bad YAML in the shipped config files
    "unclosed list in config.yaml": (
        "edit",
        ("config/config.yaml", "seeds: [", "seeds: [[ "),
        ["malformed YAML in config/config.yaml line"],
    ),
    "tab indentation": (
        "edit",
        ("config/matrix_sensing.yaml", "\n  quick:", "\n\tquick:"),
        ["malformed YAML in config/matrix_sensing.yaml line"],
    ),
    "mapping inside a value": (
        "edit",
        ("config/step_size_bias.yaml", "max_extra_steps: 500000", "max_extra_steps: 5: 6"),
        ["malformed YAML in config/step_size_bias.yaml line"],
    ),
    # paths: no key chooses where outputs go (always results/), so none can escape it; the
    # one path key, the read-only CIFAR folder, must not be empty.
    "output folder outside results": (
        "config",
        ["outdir=../elsewhere"],
        ["(top level): unknown key 'outdir'"],
    ),
    "empty data folder": (
        "yaml",
        "blessing_of_depth: {paper: {cifar: {data_dir: ''}}}",
        ["blessing_of_depth.paper.cifar.data_dir", "non-empty"],
    ),
}


def _snapshot(root: Path) -> dict:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _run_malformed(case: str, workdir: Path, env: dict) -> dict:
    kind, payload, _ = MALFORMED[case]
    copy_workflow(workdir)
    done = workdir / f"results/{BO}/cube_dimension.nc"
    done.parent.mkdir(parents=True)
    done.write_bytes(b"finished earlier")
    before = _snapshot(workdir / "results")
    args, configs = [], [TEST_CONFIG]
    if kind == "config":
        args = ["--config", *payload]
    elif kind == "yaml":
        (workdir / "bad.yaml").write_text(payload + "\n")
        configs.append("bad.yaml")
    else:
        name, old, new = payload
        text = (workdir / name).read_text()
        assert old in text, (name, old)
        (workdir / name).write_text(text.replace(old, new, 1))
    proc = run(workdir, "--cores", "1", *args, env=env, check=False, configs=configs)
    return {"proc": proc, "before": before, "after": _snapshot(workdir / "results")}


@pytest.fixture(scope="module")
def malformed_runs(tmp_path_factory, sm_env) -> dict:
    """Every malformed case through Snakemake, a few at a time (each stops at parse time)."""
    root = tmp_path_factory.mktemp("malformed")
    dirs = {case: root / f"case{i}" for i, case in enumerate(MALFORMED)}
    for d in dirs.values():
        d.mkdir()
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        futures = {c: pool.submit(_run_malformed, c, d, sm_env) for c, d in dirs.items()}
        return {case: future.result() for case, future in futures.items()}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_config_gives_one_line_and_runs_nothing(case, malformed_runs):
    fragments = MALFORMED[case][2]
    result = malformed_runs[case]
    proc = result["proc"]
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert out.count("config error:") == 1, out
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("config error: ")]
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert "Traceback" not in out and "Error in rule" not in out
    assert result["after"] == result["before"], "results/ must not change"


def test_at_least_twenty_malformed_configs():
    assert len(MALFORMED) >= 20
