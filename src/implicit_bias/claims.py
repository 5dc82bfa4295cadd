"""Claims: each paper's acceptance checks, measured from its cubes, as rows of one table.

Status values:
  PASS / FAIL  the check ran and met / missed its expectation;
  N/A          the check cannot apply at this scale (the statement says why);
  DEVIATES     the paper's own claim does not hold in its own stated setting (documented
               in the paper's spec); the statement gives the reason.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

STATUSES = ("PASS", "FAIL", "N/A", "DEVIATES")


@dataclass(frozen=True)
class Claim:
    paper: str
    claim: str
    statement: str
    measured: str
    expected: str
    status: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"claim status must be one of {STATUSES}, got {self.status!r}")


COLUMNS = tuple(f.name for f in fields(Claim))


def fmt(value: object) -> str:
    """Numbers with 4 significant digits; sequences element-wise."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fmt(v)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    try:  # numpy scalars
        return fmt(value.item())  # type: ignore[attr-defined]
    except AttributeError:
        return str(value)


def check(
    paper: str, claim: str, statement: str, measured: object, expected: str, ok: bool
) -> Claim:
    """A claim row; a NaN anywhere in ``measured`` fails the check."""
    return Claim(paper, claim, statement, fmt(measured), expected, "PASS" if bool(ok) else "FAIL")


def not_applicable(paper: str, claim: str, statement: str, why: str, expected: str = "") -> Claim:
    return Claim(paper, claim, f"{statement} [not applicable: {why}]", "", expected, "N/A")


def write_csv(rows: Iterable[Claim], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))


def read_csv(path: str | Path) -> list[Claim]:
    with Path(path).open(newline="") as fh:
        return [Claim(**row) for row in csv.DictReader(fh)]


def to_markdown(rows: Sequence[Claim]) -> str:
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [
        "# Claims",
        "",
        f"{len(rows)} checks: {summary}.",
        "",
        "| paper | claim | statement | measured | expected | status |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r.paper, r.claim, r.statement, r.measured, r.expected, f"**{r.status}**"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def combine(inputs: Iterable[str | Path], csv_out: str | Path, md_out: str | Path) -> list[Claim]:
    """Concatenate per-paper claim files into the project's claims table (CSV and Markdown)."""
    rows = [row for path in inputs for row in read_csv(path)]
    write_csv(rows, csv_out)
    Path(md_out).write_text(to_markdown(rows))
    return rows
