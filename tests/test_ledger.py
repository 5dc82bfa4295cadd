"""The reproduction ledger: complete for every paper, consistent with the claims, and every
claim able to fail (a passing and a failing input per claim id, tests/test_<paper>_claims.py).
"""

from __future__ import annotations

import importlib
import re

import pytest
from conftest import ROOT, load_repo_config

from implicit_bias import IMPLEMENTED_PAPERS, PAPERS, claims, ledger

PAPERS_DIR = ROOT.parent / "shared" / "papers"
DOCS = ROOT / "docs"


def paper_items(paper: str) -> set[str]:
    """Every 'Figure N' (1..max) and 'Table N' the paper's text mentions."""
    number = PAPERS[paper][0]
    (text_file,) = PAPERS_DIR.glob(f"{number}_*.txt")
    text = text_file.read_text()
    figs = [int(n) for n in re.findall(r"\b(?:Figures?|Fig\.)\s?(\d+)", text)]
    tables = {int(n) for n in re.findall(r"\bTable\s?(\d+)", text)}
    top = max(n for n in figs if n < 100)  # "Figures 3603" is an arXiv id, not a figure
    return {f"Figure {i}" for i in range(1, top + 1)} | {f"Table {i}" for i in tables}


# (last figure number, table numbers) of each paper, as read from its text (checked below where
# the texts are on the machine), so that the ledger's completeness is tested on any checkout.
PAPER_ITEMS = {
    "benign_overfitting": (2, ()),
    "step_size_bias": (6, ()),
    "matrix_sensing": (5, ()),
    "blessing_of_depth": (6, (1,)),
    "grokking_norms": (57, ()),
}


def recorded_items(paper: str) -> set[str]:
    last, tables = PAPER_ITEMS[paper]
    return {f"Figure {i}" for i in range(1, last + 1)} | {f"Table {i}" for i in tables}


@pytest.mark.parametrize("paper", IMPLEMENTED_PAPERS)
def test_every_figure_and_table_of_the_paper_is_in_its_ledger(paper):
    have = [item.id for item in ledger.load(paper)]
    assert sorted(have) == sorted(recorded_items(paper)), paper


@pytest.mark.parametrize("paper", IMPLEMENTED_PAPERS)
def test_the_recorded_item_list_matches_the_paper_text(paper):
    if not PAPERS_DIR.exists():
        pytest.skip("the papers' texts are not on this machine")
    assert recorded_items(paper) == paper_items(paper), paper


@pytest.mark.parametrize("paper", IMPLEMENTED_PAPERS)
def test_every_output_named_in_the_ledger_is_built_at_quick_scale(paper):
    config = load_repo_config()
    module = importlib.import_module(f"implicit_bias.papers.{paper}")
    built = set(module.figure_list(config[paper], "quick"))
    named = {out for item in ledger.load(paper) for out in item.outputs}
    assert named - built == set(), f"{paper}: ledger names outputs the pipeline does not build"
    extras = set(ledger.extras(paper))
    assert built - named - extras == set(), f"{paper}: built figures that no ledger item names"
    assert extras <= built, f"{paper}: ledger extras the pipeline does not build"


@pytest.mark.parametrize("paper", IMPLEMENTED_PAPERS)
def test_every_claim_names_ledger_items_and_states_its_source(paper):
    ids = {item.id for item in ledger.load(paper)}
    specs = claims.load(paper)
    assert specs, f"{paper} registers no claims"
    for spec in specs.values():
        assert set(spec.figures) <= ids, f"{paper}/{spec.id} names {spec.figures}"
        assert re.search(r"(Sec|§|Fig|Table|Eq|Thm|Theorem|Lemma|Cor|App|Remark)", spec.source), (
            f"{paper}/{spec.id}: source must give the paper's section/figure/equation"
        )


def _controls(paper: str) -> dict:
    return importlib.import_module(f"test_{paper}_claims").CONTROLS


@pytest.mark.parametrize("paper", IMPLEMENTED_PAPERS)
def test_every_claim_has_a_negative_control(paper):
    assert set(_controls(paper)) == set(claims.load(paper)), paper


def _control_cases():
    for paper in IMPLEMENTED_PAPERS:
        for cid in claims.load(paper):
            yield pytest.param(paper, cid, id=f"{paper}-{cid}")


@pytest.mark.parametrize(("paper", "cid"), list(_control_cases()))
def test_claim_passes_on_its_effect_and_fails_without_it(paper, cid):
    """The passing input shows the paper's effect, the failing input lacks or reverses it."""
    passing, failing = _controls(paper)[cid]
    spec = claims.load(paper)[cid]
    assert claims.status_of(paper, cid, *passing()) == "PASS"
    assert claims.status_of(paper, cid, *failing()) == ("DEVIATES" if spec.deviates else "FAIL")


# ------------------------------------------------------------------ status derivation


@pytest.mark.parametrize(
    ("statuses", "derived"),
    [
        (["PASS", "PASS"], "REPRODUCED"),
        (["PASS", "N/A"], "REPRODUCED"),
        (["PASS", "FAIL"], "PARTIAL"),
        (["PASS", "DEVIATES"], "PARTIAL"),
        (["DEVIATES", "N/A"], "DEVIATES"),
        (["FAIL", "DEVIATES"], "NOT REPRODUCED"),
        (["FAIL"], "NOT REPRODUCED"),
        (["N/A"], "PARTIAL"),
        ([], "PARTIAL"),
    ],
)
def test_status_is_derived_from_the_claims(statuses, derived):
    assert ledger.derive(statuses) == derived
    assert ledger.derive(statuses, has_outputs=False) == "MISSING"


def test_a_verdict_can_lower_but_never_raise_the_status():
    assert ledger.lower("REPRODUCED", "PARTIAL") == "PARTIAL"
    assert ledger.lower("NOT REPRODUCED", "REPRODUCED") == "NOT REPRODUCED"
    assert ledger.lower("PARTIAL", "DEVIATES") == "DEVIATES"


def _claim(paper, cid, figures, status):
    return claims.Claim(paper, cid, figures, "s", "Fig. 1", "1", "<= 2", "exact: order", status)


def test_ledger_rows_follow_their_claims(tmp_path, monkeypatch):
    path = tmp_path / "ledger.yaml"
    path.write_text(
        "paper: benign_overfitting\nitems:\n"
        "  - {id: Figure 1, outputs: [fig1], verdict: REPRODUCED, note: n}\n"
        "  - {id: Figure 2, outputs: [fig2], verdict: PARTIAL, note: n}\n"
        "  - {id: Table 1, outputs: [], verdict: MISSING, note: not built}\n"
    )
    monkeypatch.setattr(ledger, "ledger_path", lambda paper: path)
    rows = ledger.build(
        ["benign_overfitting"],
        [
            _claim("benign_overfitting", "A", "Figure 1", "PASS"),
            _claim("benign_overfitting", "B", "Figure 1; Figure 2", "FAIL"),
            _claim("benign_overfitting", "C", "Figure 2", "PASS"),
        ],
    )
    assert [(r.item.id, r.derived, r.status) for r in rows] == [
        ("Figure 1", "PARTIAL", "PARTIAL"),
        ("Figure 2", "PARTIAL", "PARTIAL"),
        ("Table 1", "MISSING", "MISSING"),
    ]
    with pytest.raises(ValueError, match="not in benign_overfitting's ledger"):
        ledger.build(
            ["benign_overfitting"], [_claim("benign_overfitting", "D", "Figure 9", "PASS")]
        )


def test_ledger_rejects_items_without_outputs_that_claim_a_result(tmp_path):
    path = tmp_path / "ledger.yaml"
    path.write_text(
        "paper: p\nitems:\n  - {id: Figure 1, outputs: [], verdict: PARTIAL, note: n}\n"
    )
    with pytest.raises(ValueError, match="must be MISSING"):
        ledger.load("p", path)


def test_registered_claims_need_a_source_and_tolerance_origin():
    with pytest.raises(ValueError, match="tolerance_source"):
        claims.claim(
            "p",
            "X",
            figures=("Figure 1",),
            statement="s",
            source="Fig. 1",
            expected="e",
            tolerance_source="tuned",
        )


def test_a_nan_never_passes_and_not_applicable_is_reported():
    @claims.claim(
        "_selftest",
        "N1",
        figures=("Figure 1",),
        statement="s",
        source="Fig. 1",
        expected="<= 1",
        tolerance_source="exact: bound",
    )
    def _nan(ctx):
        return claims.Outcome(float("nan"), True)

    @claims.claim(
        "_selftest",
        "N2",
        figures=("Figure 1",),
        statement="s",
        source="Fig. 1",
        expected="<= 1",
        tolerance_source="exact: bound",
    )
    def _missing(ctx):
        ctx.cube("absent")
        return claims.Outcome(0.0, True)

    ctx = claims.Context({}, {})
    rows = [claims.run(claims.REGISTRY["_selftest"][i], ctx) for i in ("N1", "N2")]
    claims.REGISTRY.pop("_selftest")
    assert [r.status for r in rows] == ["FAIL", "N/A"]
    assert "no 'absent' cube" in rows[1].statement


# ------------------------------------------------------------------ the README agrees


def test_readme_status_table_is_the_recorded_ledger_summary():
    entries = ledger.read_csv(DOCS / "ledger_summary.csv")
    assert ledger.readme_block(ROOT / "README.md") == ledger.summary_markdown(entries)


def test_recorded_ledger_matches_the_ledger_files():
    """docs/ledger.csv (the last quick run, `make ledger`) lists every item with the status its
    recorded claims and the current verdict give."""
    recorded = ledger.read_csv(DOCS / "ledger.csv")
    for paper in IMPLEMENTED_PAPERS:
        items = {it.id: it for it in ledger.load(paper)}
        rows = {r["item"]: r for r in recorded if r["paper"] == paper}
        assert set(rows) == set(items), paper
        for iid, row in rows.items():
            statuses = [c.rsplit(" ", 1)[1] for c in row["claims"].split("; ") if c]
            derived = ledger.derive(statuses, bool(items[iid].outputs))
            assert row["status"] == ledger.lower(derived, items[iid].verdict), (paper, iid)


def test_readme_says_reproduced_only_where_the_ledger_does():
    text = (ROOT / "README.md").read_text().lower()
    block = ledger.readme_block(ROOT / "README.md").lower()
    outside = text.replace(block, "")
    assert "reproduced (" not in outside
