"""Static checks that CI runs: ruff, snakefmt and Snakemake's own linter are clean."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, copy_workflow

BIN = [sys.executable, "-m"]


def _run(args, cwd=ROOT):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean():
    proc = _run([*BIN, "ruff", "check", "."])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakefmt_is_clean():
    proc = _run([*BIN, "snakefmt", "--check", "."])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_snakemake_lint_is_clean(tmp_path):
    proc = _run([*BIN, "snakemake", "--lint"], cwd=copy_workflow(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Congratulations, your workflow is in a good condition!" in proc.stdout + proc.stderr
