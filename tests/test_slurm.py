"""The test-config pipeline through a real (one-node) SLURM with the slurm profile.

Starts the local cluster with scripts/start-local-slurm.sh (root; installs packages with
apt-get on a fresh machine), runs the tiny configuration once locally and once through
``--workflow-profile workflow/profiles/slurm``, and checks that jobs really went through
SLURM and that every cube equals the local run's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import xarray as xr
import yaml
from conftest import ROOT, copy_workflow, snakemake

from implicit_bias.store import read_dataset

pytestmark = pytest.mark.slow

START = ROOT / "scripts" / "start-local-slurm.sh"
STOP = ROOT / "scripts" / "stop-local-slurm.sh"
PROFILE = "workflow/profiles/slurm"
TEST_CONFIG = ["--configfile", ".test/config/config.yaml"]


def _slurm_up() -> bool:
    try:
        proc = subprocess.run(["sinfo", "-h"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


@pytest.fixture(scope="module")
def local_slurm():
    """A running one-node SLURM; stopped afterwards only if this fixture started it."""
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        pytest.fail("snakemake-executor-plugin-slurm is missing: pip install -e '.[dev]'")
    if _slurm_up():
        yield
        return
    if os.geteuid() != 0:
        pytest.skip(
            f"local SLURM not started: needs root to install and run it (uid {os.geteuid()})"
        )
    if shutil.which("slurmctld") is None and shutil.which("apt-get") is None:
        pytest.skip("local SLURM not started: SLURM is not installed and apt-get is unavailable")
    proc = subprocess.run(["bash", str(START)], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        why = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
        pytest.skip(f"local SLURM could not be installed or started: {why[0]}")
    try:
        yield
    finally:
        subprocess.run(["bash", str(STOP)], capture_output=True, text=True, timeout=120)


def _slurm_overrides() -> list[str]:
    """The profile's settings made to fit the local node: its default partition, its CPUs,
    and quick status polls (test jobs take seconds)."""
    profile = yaml.safe_load((ROOT / PROFILE / "config.yaml").read_text())
    partition = subprocess.run(
        ["sinfo", "-h", "-o", "%P"], capture_output=True, text=True, check=True
    ).stdout.split()
    default = next((p.rstrip("*") for p in partition if p.endswith("*")), partition[0])
    cpus = subprocess.run(
        ["sinfo", "-h", "-o", "%c"], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    # --default-resources replaces the profile's list, so pass it whole with the partition set
    resources = {**profile["default-resources"], "slurm_partition": default}
    return [
        "--default-resources",
        *(f"{k}={v}" for k, v in resources.items() if v != ""),
        "--cores",
        str(min(int(cpus), int(profile["cores"]))),
        "--slurm-init-seconds-before-status-checks",
        "8",
        "--slurm-keep-successful-logs",
    ]


def test_slurm_run_equals_local_run(local_slurm, tmp_path):
    local = copy_workflow(_mkdir(tmp_path / "local"))
    cluster = copy_workflow(_mkdir(tmp_path / "slurm"))

    t0 = time.perf_counter()
    snakemake(local, "--cores", "2", *TEST_CONFIG)
    t_local = time.perf_counter() - t0

    t0 = time.perf_counter()
    proc = snakemake(cluster, "--workflow-profile", PROFILE, *_slurm_overrides(), *TEST_CONFIG)
    t_slurm = time.perf_counter() - t0
    print(f"\ntest config wall time: local {t_local:.1f} s, SLURM {t_slurm:.1f} s")
    text = proc.stdout + proc.stderr

    # jobs went through sbatch, training ones bundled into group jobs
    job_ids = set(re.findall(r"submitted with SLURM jobid (\d+)", text))
    assert job_ids, text
    assert "Group job train_benign_overfitting" in text, text
    slurm_logs = cluster / ".snakemake" / "slurm_logs"
    assert any(slurm_logs.glob("group_train_benign_overfitting*/*.log")), text

    # each training job ran inside one of those SLURM jobs, Numba on `threads` (1) threads,
    # its cache on the shared working directory
    train_logs = sorted((cluster / "logs" / "benign_overfitting" / "train").rglob("*.log"))
    assert train_logs
    for log in train_logs:
        head = log.read_text()
        found = re.search(r"NUMBA_NUM_THREADS=(\S+) NUMBA_CACHE_DIR=(\S*) SLURM_JOB_ID=(\d+)", head)
        assert found, f"{log}:\n{head}"
        assert found.group(1) == "1" and found.group(3) in job_ids, head
        assert found.group(2) == str(cluster / "results" / ".numba-cache"), head
    assert any((cluster / "results" / ".numba-cache").rglob("*.nbi"))

    cubes = sorted(p.relative_to(local) for p in (local / "results").glob("*/cube*.nc"))
    assert cubes
    for rel in cubes:
        xr.testing.assert_identical(read_dataset(local / rel), read_dataset(cluster / rel))
    assert (cluster / "results/tables/claims.csv").read_text() == (
        local / "results/tables/claims.csv"
    ).read_text()


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path
