"""`snakemake --report results/report.html`: every figure grouped by paper with its caption, the
claims table and the reproduction ledger."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, copy_workflow, load_repo_config, snakemake

from implicit_bias import IMPLEMENTED_PAPERS

TEST_CONFIG = ".test/config/config.yaml"
REPORT = ROOT / "workflow" / "report"


def _report_data(html: str, name: str) -> dict:
    """One of the JSON blocks (`var results = {...};`) the HTML report embeds."""
    match = re.search(rf"var {name} = (\{{.*?\}});\s*</script>", html, re.S)
    assert match, f"no {name} block in the report"
    return json.loads(match.group(1))


def test_every_figure_has_a_caption_file():
    """At both scales, each figure a paper draws has workflow/report/<paper>/<figure>.rst."""
    import importlib

    config = load_repo_config()
    for paper in IMPLEMENTED_PAPERS:
        module = importlib.import_module(f"implicit_bias.papers.{paper}")
        for scale in ("quick", "paper"):
            for figure in module.figure_list(config[paper], scale):
                assert (REPORT / paper / f"{figure}.rst").is_file(), (paper, figure)


@pytest.mark.slow
def test_report_holds_every_figure_and_the_claims_table(tmp_path):
    env = dict(os.environ)
    if shutil.which("scontrol"):  # see tests/test_faults.py::sm_env
        (tmp_path / "stub").mkdir()
        (tmp_path / "stub" / "scontrol").write_text("#!/bin/sh\nexit 1\n")
        (tmp_path / "stub" / "scontrol").chmod(0o755)
        env["PATH"] = f"{tmp_path / 'stub'}{os.pathsep}{env['PATH']}"
    (tmp_path / "wf").mkdir()
    workdir = copy_workflow(tmp_path / "wf")
    snakemake(workdir, "--cores", "2", "--configfile", TEST_CONFIG, env=env)
    snakemake(workdir, "--report", "results/report.html", "--configfile", TEST_CONFIG, env=env)
    html = (workdir / "results" / "report.html").read_text()
    results = _report_data(html, "results")
    categories = _report_data(html, "categories")

    figures = sorted(p.relative_to(workdir) for p in (workdir / "results/figures").rglob("*.png"))
    assert len(figures) == 2  # paper 000: fig1, fig2
    for figure in map(str, figures):
        paper, name = figure.split("/")[-2], Path(figure).stem
        assert figure in results, f"{figure} not in the report"
        assert categories[paper][name] == [figure]
        caption = results[figure]["caption"]
        assert f"<strong>Fig. {name[3:]}</strong>" in caption  # the paper figure it reproduces
        assert "<strong>Config:</strong> scale" in caption and ">quick<" in caption
        assert "seeds" in caption and "cube_" in caption
        assert results[figure]["mime_type"] == "image/png"
        assert _embedded(results[figure]) == (workdir / figure).read_bytes()
    tables = {
        "claims": "results/tables/claims.csv",
        "ledger": "results/tables/ledger.csv",
        "summary": "results/tables/ledger_summary.csv",
    }
    assert categories["ledger"] == {name: [path] for name, path in tables.items()}
    assert "acceptance check" in results[tables["claims"]]["caption"]
    assert "Reproduction ledger" in results[tables["ledger"]]["caption"]
    for path in tables.values():
        assert results[path]["mime_type"] == "text/csv"
        assert _embedded(results[path]) == (workdir / path).read_bytes()


def _embedded(record: dict) -> bytes:
    """The file's bytes as the self-contained report carries them (a base64 data URI)."""
    return base64.b64decode(record["data_uri"].split("base64,", 1)[1])
