"""Claims: each paper's acceptance checks, one small registered function per claim.

A claim tests one statement of a paper on the cubes. It is written once, next to its source
and tolerance::

    @claim(
        KEY, "Z1.3",
        figures=("Figure 1",),
        statement="Stage 1 ends near the logistic-growth time T1_ref",
        source='Sec. 4.1, Fig. 1: "the first stage ends at T1 = ..."',
        expected="0.7 <= T1/T1_ref <= 2.0",
        tolerance_source="spec: section 9 (Z1.3)",
    )
    def stage_one_time(ctx: Context) -> Outcome:
        ratio = ...
        return Outcome(ratio, 0.7 <= ratio <= 2.0)

``evaluate(paper, cubes, settings)`` runs every registered claim of a paper, in registration
order, and returns the rows of the claims table.

Status values:
  PASS / FAIL  the check ran and met / missed its expectation;
  N/A          the check cannot apply at this scale (the check raised ``NotApplicable(why)``);
  DEVIATES     the check missed its expectation and the claim is registered with ``deviates=``:
               evidence that the paper's own setting contradicts the statement. A DEVIATES row
               that starts to meet its expectation reports PASS.

``tolerance_source`` starts with where the tolerance comes from: ``paper:`` (the paper's own
words, error bars or orders of magnitude), ``spec:`` (the implementation spec), ``calibration:``
(measured on seeds that are not the checked ones, which it names) or ``exact:`` (an ordering or
identity with no slack).
"""

from __future__ import annotations

import csv
import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

STATUSES = ("PASS", "FAIL", "N/A", "DEVIATES")
TOLERANCE_ORIGINS = ("paper:", "spec:", "calibration:", "exact:")


@dataclass(frozen=True)
class Claim:
    """One row of the claims table."""

    paper: str
    claim: str
    figures: str
    statement: str
    source: str
    measured: str
    expected: str
    tolerance_source: str
    status: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"claim status must be one of {STATUSES}, got {self.status!r}")


COLUMNS = tuple(f.name for f in fields(Claim))


class NotApplicable(Exception):
    """Raised by a check that cannot apply at this scale; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """What a check measured and whether it met its expectation.

    ``detail`` is appended to the statement (the run it was measured on, e.g. "d=10000, seed 0");
    ``expected`` replaces the registered expectation when it depends on the configuration.
    """

    measured: Any
    ok: bool
    detail: str = ""
    expected: str | None = None


@dataclass(frozen=True)
class ClaimSpec:
    paper: str
    id: str
    figures: tuple[str, ...]
    statement: str
    source: str
    expected: str
    tolerance_source: str
    check: Callable[[Context], Outcome]
    deviates: str = ""


# paper -> claim id -> spec, in registration order
REGISTRY: dict[str, dict[str, ClaimSpec]] = {}


def claim(
    paper: str,
    id: str,
    *,
    figures: Sequence[str],
    statement: str,
    source: str,
    expected: str,
    tolerance_source: str,
    deviates: str = "",
) -> Callable[[Callable[[Context], Outcome]], Callable[[Context], Outcome]]:
    """Register ``check(ctx) -> Outcome`` as claim ``id`` of ``paper``."""
    if not figures or not all(isinstance(f, str) and f for f in figures):
        raise ValueError(f"claim {paper}/{id}: figures must name the paper's figures or tables")
    for name, value in (("statement", statement), ("source", source), ("expected", expected)):
        if not value.strip():
            raise ValueError(f"claim {paper}/{id}: {name} must not be empty")
    if not tolerance_source.startswith(TOLERANCE_ORIGINS):
        raise ValueError(
            f"claim {paper}/{id}: tolerance_source must start with one of {TOLERANCE_ORIGINS}, "
            f"got {tolerance_source[:40]!r}"
        )

    def register(check: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        claims_of = REGISTRY.setdefault(paper, {})
        if id in claims_of and claims_of[id].check.__qualname__ != check.__qualname__:
            raise ValueError(f"claim {paper}/{id} is registered twice")
        claims_of[id] = ClaimSpec(
            paper,
            id,
            tuple(figures),
            statement,
            source,
            expected,
            tolerance_source,
            check,
            deviates,
        )
        return check

    return register


class Context:
    """The cubes and settings a paper's claims read, with a cache for shared analyses."""

    def __init__(self, cubes: Mapping[str, Any], settings: Mapping) -> None:
        self.cubes = dict(cubes)
        self.settings = settings
        self._memo: dict[str, Any] = {}

    def cube(self, experiment: str):
        if experiment not in self.cubes:
            raise NotApplicable(f"no {experiment!r} cube at this scale")
        return self.cubes[experiment]

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per context: analyses several claims share."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


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
    if getattr(value, "ndim", 0):  # numpy arrays
        return fmt(value.tolist())  # type: ignore[attr-defined]
    try:  # numpy scalars
        return fmt(value.item())  # type: ignore[attr-defined]
    except AttributeError:
        return str(value)


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Mapping):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v) for v in value)
    if hasattr(value, "tolist"):
        return _has_nan(value.tolist())  # type: ignore[attr-defined]
    return False


def load(paper: str) -> dict[str, ClaimSpec]:
    """The registered claims of ``paper`` (importing its ``checks`` module registers them)."""
    from . import IMPLEMENTED_PAPERS

    if paper in IMPLEMENTED_PAPERS:
        importlib.import_module(f"implicit_bias.papers.{paper}.checks")
    return REGISTRY.get(paper, {})


def run(spec: ClaimSpec, ctx: Context) -> Claim:
    """One claim's row. A NaN in what was measured never passes."""
    base = {
        "paper": spec.paper,
        "claim": spec.id,
        "figures": "; ".join(spec.figures),
        "source": spec.source,
        "tolerance_source": spec.tolerance_source,
    }
    try:
        out = spec.check(ctx)
    except NotApplicable as why:
        return Claim(
            **base,
            statement=f"{spec.statement} [not applicable: {why}]",
            measured="",
            expected=spec.expected,
            status="N/A",
        )
    ok = bool(out.ok) and not _has_nan(out.measured)
    status = "PASS" if ok else ("DEVIATES" if spec.deviates else "FAIL")
    statement = spec.statement + (f" ({out.detail})" if out.detail else "")
    if status == "DEVIATES":
        statement += f" [deviates: {spec.deviates}]"
    return Claim(
        **base,
        statement=statement,
        measured=fmt(out.measured),
        expected=out.expected if out.expected is not None else spec.expected,
        status=status,
    )


def evaluate(
    paper: str, cubes: Mapping[str, Any], settings: Mapping, ids: Iterable[str] | None = None
) -> list[Claim]:
    """Every registered claim of ``paper`` (or those in ``ids``) measured on ``cubes``."""
    specs = load(paper)
    wanted = list(specs) if ids is None else list(ids)
    unknown = [i for i in wanted if i not in specs]
    if unknown:
        raise KeyError(f"paper {paper}: unknown claim id(s) {unknown}")
    ctx = Context(cubes, settings)
    return [run(specs[i], ctx) for i in wanted]


def status_of(paper: str, id: str, cubes: Mapping[str, Any], settings: Mapping) -> str:
    """The status of one claim on ``cubes`` (what the negative-control tests assert on)."""
    return evaluate(paper, cubes, settings, ids=[id])[0].status


def evaluate_files(
    paper: str, cube_paths: Iterable[str | Path], settings: Mapping, out: str | Path
) -> list[Claim]:
    """The claims rule: read the cubes (keyed by their ``experiment`` attribute), write the rows."""
    from .store import read_dataset

    cubes = {}
    for path in cube_paths:
        cube = read_dataset(path)
        cubes[cube.attrs["experiment"]] = cube
    rows = evaluate(paper, cubes, settings)
    write_csv(rows, out)
    return rows


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
        "| paper | claim | figures | statement | source | measured | expected "
        "| tolerance from | status |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [
            r.paper,
            r.claim,
            r.figures,
            r.statement,
            r.source,
            r.measured,
            r.expected,
            r.tolerance_source,
            f"**{r.status}**",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def combine(inputs: Iterable[str | Path], csv_out: str | Path, md_out: str | Path) -> list[Claim]:
    """Concatenate per-paper claim files into the project's claims table (CSV and Markdown)."""
    rows = [row for path in inputs for row in read_csv(path)]
    write_csv(rows, csv_out)
    Path(md_out).write_text(to_markdown(rows))
    return rows
