"""The claims table: registration, status rules, formatting and combination of per-paper files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from implicit_bias import claims

SPEC = dict(
    figures=("Figure 1",),
    statement="loss below 2",
    source='Sec. 1, Fig. 1: "the loss is small"',
    expected="<= 2",
    tolerance_source="paper: Fig. 1",
)


@pytest.fixture
def registry():
    """Claims registered under a throw-away paper key, removed afterwards."""
    yield "_test_paper"
    claims.REGISTRY.pop("_test_paper", None)


def _register(paper, cid, value, **extra):
    @claims.claim(paper, cid, **{**SPEC, **extra})
    def check(ctx):
        v = ctx.cube("a")["x"] * value
        return claims.Outcome(v, v <= 2, detail="run 0")

    return check


def test_status_follows_the_check(registry):
    _register(registry, "C1", 1.0)
    _register(registry, "C2", 3.0)
    _register(registry, "C3", math.nan)
    rows = claims.evaluate(registry, {"a": {"x": 1.0}}, {})
    assert [r.status for r in rows] == ["PASS", "FAIL", "FAIL"]  # NaN never passes
    assert rows[0].statement == "loss below 2 (run 0)"
    assert rows[0].source == SPEC["source"] and rows[0].tolerance_source == "paper: Fig. 1"
    assert rows[0].figures == "Figure 1"


def test_missing_cube_is_not_applicable_with_the_reason(registry):
    _register(registry, "C1", 1.0)
    (row,) = claims.evaluate(registry, {}, {})
    assert row.status == "N/A" and "no 'a' cube" in row.statement


def test_a_deviating_claim_reports_deviates_on_a_miss_and_pass_on_a_hit(registry):
    _register(registry, "D1", 3.0, deviates="spec section 11: fails in the paper's setting")
    assert claims.status_of(registry, "D1", {"a": {"x": 1.0}}, {}) == "DEVIATES"
    assert claims.status_of(registry, "D1", {"a": {"x": 0.5}}, {}) == "PASS"


def test_unknown_ids_and_bad_registrations_are_rejected(registry):
    _register(registry, "C1", 1.0)
    with pytest.raises(KeyError, match="unknown claim"):
        claims.evaluate(registry, {}, {}, ids=["nope"])
    with pytest.raises(ValueError, match="registered twice"):
        _register_other(registry)
    with pytest.raises(ValueError, match="figures"):
        claims.claim(registry, "X", **{**SPEC, "figures": ()})
    with pytest.raises(ValueError, match="source"):
        claims.claim(registry, "X", **{**SPEC, "source": " "})


def _register_other(paper):
    @claims.claim(paper, "C1", **SPEC)
    def another(ctx):
        return claims.Outcome(0, True)


def test_unknown_status_is_rejected():
    with pytest.raises(ValueError, match="status"):
        claims.Claim("p", "c", "Figure 1", "s", "src", "1", "1", "exact: x", "OK")


def test_fmt_is_compact():
    assert claims.fmt(0.000123456) == "0.0001235"
    assert claims.fmt([1.0, 2.5e-7]) == "[1, 2.5e-07]"
    assert claims.fmt(3) == "3"
    assert claims.fmt(np.array([1.0, 2.0])) == "[1, 2]"
    assert claims.fmt(np.float64(0.5)) == "0.5"


def test_combine_writes_csv_and_markdown(tmp_path):
    def row(paper, cid, statement, status):
        return claims.Claim(
            paper, cid, "Figure 1", statement, "Fig. 1", "1", "<= 2", "exact: x", status
        )

    claims.write_csv([row("p0", "A", "x | y", "PASS")], tmp_path / "a.csv")
    claims.write_csv([row("p1", "B", "z", "FAIL"), row("p1", "C", "w", "N/A")], tmp_path / "b.csv")
    rows = claims.combine(
        [tmp_path / "a.csv", tmp_path / "b.csv"], tmp_path / "all.csv", tmp_path / "all.md"
    )
    assert [r.claim for r in rows] == ["A", "B", "C"]
    assert claims.read_csv(tmp_path / "all.csv") == rows
    md = (tmp_path / "all.md").read_text()
    assert "3 checks: 1 PASS, 1 FAIL, 1 N/A." in md
    assert "x \\| y" in md and "**FAIL**" in md and "tolerance from" in md
