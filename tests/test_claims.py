"""The claims table: formatting, status rules and combination of per-paper files."""

from __future__ import annotations

import math

import pytest

from implicit_bias import claims


def test_check_status_follows_the_condition():
    assert claims.check("p", "c1", "s", 1.0, "<= 2", 1.0 <= 2).status == "PASS"
    assert claims.check("p", "c1", "s", 3.0, "<= 2", 3.0 <= 2).status == "FAIL"
    assert claims.check("p", "c1", "s", math.nan, "<= 2", math.nan <= 2).status == "FAIL"


def test_unknown_status_is_rejected():
    with pytest.raises(ValueError, match="status"):
        claims.Claim("p", "c", "s", "1", "1", "OK")


def test_fmt_is_compact():
    assert claims.fmt(0.000123456) == "0.0001235"
    assert claims.fmt([1.0, 2.5e-7]) == "[1, 2.5e-07]"
    assert claims.fmt(3) == "3"


def test_combine_writes_csv_and_markdown(tmp_path):
    a = [claims.check("p0", "A", "x | y", 1.0, "<= 2", True)]
    b = [
        claims.check("p1", "B", "z", 5.0, "<= 2", False),
        claims.not_applicable("p1", "C", "w", "too small"),
    ]
    claims.write_csv(a, tmp_path / "a.csv")
    claims.write_csv(b, tmp_path / "b.csv")
    rows = claims.combine(
        [tmp_path / "a.csv", tmp_path / "b.csv"], tmp_path / "all.csv", tmp_path / "all.md"
    )
    assert [r.claim for r in rows] == ["A", "B", "C"]
    assert claims.read_csv(tmp_path / "all.csv") == rows
    md = (tmp_path / "all.md").read_text()
    assert "3 checks: 1 PASS, 1 FAIL, 1 N/A." in md
    assert "x \\| y" in md and "**FAIL**" in md
