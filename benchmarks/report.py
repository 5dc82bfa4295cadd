"""Speed-ups, roofline fractions and targets; CSV / JSON / figure output and the printed tables."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path

from .common import Row

# The issue's targets (ratios per configuration-step, side by side on a 2-core machine).
SMALL_VS_NUMPY = 10.0
SMALL_VS_TORCH_PER_CONFIG = 30.0
SMALL_PEAK_FRACTION = 0.5  # of one core's measured peak
LARGE_VS_TORCH_BATCHED = 1.5
LARGE_GEMM_FRACTION = 0.6  # of the measured all-core dgemm rate
COMPILE_FRACTION = 0.1  # of a quick-scale rebuild
CANDIDATES = ("kernel", "kernel-batched", "experimental-batched")


def peak_for(row: Row, roof: dict) -> float:
    """The roofline a row is measured against: one core for the small regime (every small-regime
    row runs on one thread), the all-core dgemm rate for the large and matrix regimes."""
    if row.regime == "small":
        return roof["peak_1core_gflops"]
    return roof["gemm_all_gflops"]


def _by_kind(rows: list[Row], family: str, kind: str) -> Row | None:
    return next((r for r in rows if r.family == family and r.kind == kind), None)


def _row_of(table: list[dict], family: str, kind: str) -> dict | None:
    return next((r for r in table if r["family"] == family and r["kind"] == kind), None)


def annotate(rows: list[Row], roof: dict) -> list[dict]:
    """Rows as dicts with speed-ups against the NumPy loop and both PyTorch variants."""
    out = []
    for r in rows:
        d = asdict(r)
        extra = d.pop("extra")
        skip = ("data_GBs", "shape_gemm_gflops")
        d.update({f"size_{k}": v for k, v in extra.items() if k not in skip})
        d["peak_gflops"] = peak_for(r, roof)
        d["peak_fraction"] = r.gflops / d["peak_gflops"]
        d["shape_gemm_gflops"] = extra.get("shape_gemm_gflops")
        d["shape_gemm_fraction"] = (
            r.gflops / d["shape_gemm_gflops"] if d["shape_gemm_gflops"] else None
        )
        if "data_GBs" in extra:
            d["data_GBs"] = extra["data_GBs"]
            d["bandwidth_fraction"] = extra["data_GBs"] / roof["triad_all_gbs"]
        for kind, key in (
            ("numpy-loop", "x_numpy"),
            ("torch-per-config", "x_torch_per_config"),
            ("torch-batched", "x_torch_batched"),
        ):
            ref = _by_kind(rows, r.family, kind)
            d[key] = ref.per_config_step_us / r.per_config_step_us if ref else None
        out.append(d)
    return out


def targets(table: list[dict], compile_info: dict | None) -> list[dict]:
    """One line per (kernel row, target): value, threshold, met."""
    out = []

    def add(row, name, value, threshold, ref_kind=None):
        # ceiling: the ratio a kernel running at the full measured peak would reach
        ref = _row_of(table, row["family"], ref_kind) if ref_kind else None
        ceiling = row["peak_gflops"] / ref["gflops"] if ref else None
        out.append(
            {
                "family": row["family"],
                "impl": row["impl"],
                "target": name,
                "value": value,
                "threshold": threshold,
                "ceiling": ceiling,
                "met": None if value is None else bool(value >= threshold),
            }
        )

    for row in table:
        if row["kind"] not in CANDIDATES:
            continue
        if row["regime"] == "small":
            add(row, "x NumPy loop", row["x_numpy"], SMALL_VS_NUMPY, "numpy-loop")
            add(
                row,
                "x torch per-config",
                row["x_torch_per_config"],
                SMALL_VS_TORCH_PER_CONFIG,
                "torch-per-config",
            )
            add(row, "fraction of 1-core peak", row["peak_fraction"], SMALL_PEAK_FRACTION)
        else:
            add(
                row,
                "x torch batched",
                row["x_torch_batched"],
                LARGE_VS_TORCH_BATCHED,
                "torch-batched",
            )
            add(row, "fraction of dgemm (all cores)", row["peak_fraction"], LARGE_GEMM_FRACTION)
    if compile_info:
        frac = compile_info["cold_fraction_of_rebuild"]
        out.append(
            {
                "family": "compile",
                "impl": "warmup: " + ",".join(compile_info["modules"]),
                "target": "cold compile / quick rebuild (at most)",
                "value": frac,
                "threshold": COMPILE_FRACTION,
                "met": bool(frac < COMPILE_FRACTION),
            }
        )
    return out


def _fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _pct(v) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def print_tables(table: list[dict], goals: list[dict], roof: dict, log=print) -> None:
    head = (
        f"{'family':<13} {'implementation':<37} {'B':>3} {'T':>6} {'thr':>3} "
        f"{'us/cfg-step':>11} {'GFLOP/s':>8} {'%peak':>6} {'%gemm':>6} {'xNumPy':>7} "
        f"{'xTorchPC':>8} {'xTorchB':>7} {'GB/s':>6} {'err':>7} det"
    )
    log("")
    log(head)
    log("-" * len(head))
    for r in table:
        det = {None: "-", True: "yes", False: "NO"}[r["deterministic"]]
        log(
            f"{r['family']:<13} {r['impl']:<37} {r['B']:>3} {r['T']:>6} {r['threads']:>3} "
            f"{r['per_config_step_us']:>11.3f} {r['gflops']:>8.2f} "
            f"{100 * r['peak_fraction']:>5.1f}% {_pct(r['shape_gemm_fraction']):>6} "
            f"{_fmt(r['x_numpy'], '7.2f'):>7} "
            f"{_fmt(r['x_torch_per_config'], '8.2f'):>8} {_fmt(r['x_torch_batched'], '7.2f'):>7} "
            f"{_fmt(r.get('data_GBs'), '6.1f'):>6} {r['check_rel_err']:>7.1e} {det}"
        )
    log(
        f"\n%peak: small regime vs one core ({roof['peak_1core_gflops']:.1f} GFLOP/s), large and "
        f"matrix vs dgemm on {roof['cores']} cores ({roof['gemm_all_gflops']:.1f} GFLOP/s); "
        f"%gemm: vs dgemm at the family's own two batched products (same threads); GB/s: rate "
        f"the shared data matrix is streamed at (triad {roof['triad_all_gbs']:.1f} GB/s)."
    )
    log("")
    log(
        f"{'family':<13} {'implementation':<37} {'target':<38} {'value':>8} {'need':>6} "
        f"{'ceiling':>8}  met"
    )
    for g in goals:
        met = {None: "n/a", True: "yes", False: "NO"}[g["met"]]
        log(
            f"{g['family']:<13} {g['impl'][:37]:<37} {g['target'][:38]:<38} "
            f"{_fmt(g['value'], '8.2f'):>8} {g['threshold']:>6.2f} "
            f"{_fmt(g.get('ceiling'), '8.1f'):>8}  {met}"
        )
    log("ceiling: the ratio a kernel would reach at the full measured peak (100 %).")


def write(out_dir: Path, meta: dict, table: list[dict], goals: list[dict]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    cols = list(table[0]) if table else []
    for r in table:
        cols += [k for k in r if k not in cols]
    with open(out_dir / "results.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in table:
            w.writerow(r)
    with open(out_dir / "results.json", "w") as fh:
        json.dump({**meta, "rows": table, "targets": goals}, fh, indent=2, default=str)
    figure(out_dir / "speedups.png", table, meta)


def figure(path: Path, table: list[dict], meta: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    families = list(dict.fromkeys(r["family"] for r in table))
    kinds = [k for k in ("torch-per-config", "torch-batched", *CANDIDATES)]
    kinds = [k for k in kinds if any(r["kind"] == k for r in table)]
    colors = dict(zip(kinds, plt.cm.tab10.colors, strict=False))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.8 / max(len(kinds), 1)
    x = np.arange(len(families))
    for k, kind in enumerate(kinds):
        sp = []
        fr = []
        for fam in families:
            cand = [r for r in table if r["family"] == fam and r["kind"] == kind]
            row = min(cand, key=lambda r: r["per_config_step_us"]) if cand else None
            sp.append(row["x_numpy"] if row and row["x_numpy"] else np.nan)
            fr.append(row["peak_fraction"] if row else np.nan)
        axes[0].bar(x + (k - (len(kinds) - 1) / 2) * width, sp, width, label=kind,
                    color=colors[kind])  # fmt: skip
        axes[1].bar(x + (k - (len(kinds) - 1) / 2) * width, fr, width, label=kind,
                    color=colors[kind])  # fmt: skip
    labels = [f"{f}\n({next(r['regime'] for r in table if r['family'] == f)})" for f in families]
    axes[0].set_yscale("log")
    axes[0].axhline(1.0, color="k", lw=0.8)
    axes[0].axhline(SMALL_VS_NUMPY, color="gray", ls="--", lw=0.8, label="target 10x (small)")
    axes[0].set_ylabel("speed-up per configuration-step vs NumPy loop")
    axes[1].axhline(SMALL_PEAK_FRACTION, color="gray", ls="--", lw=0.8, label="50 % (small)")
    axes[1].axhline(LARGE_GEMM_FRACTION, color="gray", ls=":", lw=0.8, label="60 % (large)")
    axes[1].set_ylabel("fraction of measured peak (1 core / all-core dgemm)")
    for ax in axes:
        ax.set_xticks(x, labels, fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    axes[1].legend(fontsize=7, loc="upper left")
    load = meta.get("loadavg_start")
    fig.suptitle(
        f"float64, {meta.get('cores')} cores, scale {meta.get('scale')}, "
        f"load average at start {load[0]:.2f}"
        if load
        else "benchmarks",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
