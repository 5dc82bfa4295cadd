"""Shared fixtures: repository paths and a tiny copy of the workflow to run Snakemake in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def copy_workflow(dest: Path) -> Path:
    """A fresh checkout-like copy (Snakefile, workflow/, config/, .test/) without results."""
    for name in ("Snakefile",):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("workflow", "config", ".test"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def snakemake(
    workdir: Path, *args: str, check: bool = True, env=None
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [*SNAKEMAKE, *args], cwd=workdir, capture_output=True, text=True, env=env, timeout=900
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def workflow_copy(tmp_path: Path) -> Path:
    return copy_workflow(tmp_path)


def load_repo_config() -> dict:
    """config/config.yaml merged with every paper's sweep file, as the Snakefile loads them."""
    from implicit_bias import IMPLEMENTED_PAPERS
    from implicit_bias.config import load_yaml

    config = load_yaml(ROOT / "config" / "config.yaml")
    for paper in IMPLEMENTED_PAPERS:
        config.update(load_yaml(ROOT / "config" / f"{paper}.yaml"))
    return config


# paper 000 model settings of the unit tests (small problems, the spec's tolerances)
BENIGN_OVERFITTING_MODEL = {
    "sigma": 0.1,
    "s": 3,
    "n_ratio": 3.0,
    "c_alpha": 100.0,
    "eps": 1e-10,
    "eps_quad": 1e-15,
    "quad_step": "alpha_scaled",
    "max_steps": 2_000_000,
    "lasso_multipliers": [0.1, 0.2, 0.5, 1, 2, 5, 10],
    "t1_constant": 1.0,
    "log_per_decade": 50,
}
