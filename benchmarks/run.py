"""Run the benchmark suite: `python -m benchmarks.run [--quick] [--only FAMILY,...]`.

For every kernel family the same work (same data, same steps, float64) is timed side by side:
the plain per-configuration NumPy loop, PyTorch per configuration and batched (if installed),
the project's kernel as the pipeline calls it, and, where the project has no batched kernel with
the batch innermost, an experimental one from benchmarks/batched.py. Every implementation is
first checked against the NumPy loop (relative error of the displacement after a few steps at
most 1e-10; kernels must repeat bit for bit). Writes results.csv, results.json and
speedups.png to --out and prints the tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np

from . import compile_time, fam_depth, fam_grok, fam_large, fam_matrix, fam_subgm, report, roofline
from .common import bench_family, cpu_count, load_torch

FAMILIES = {m.NAME: m for m in (fam_depth, fam_grok, fam_subgm, fam_large, fam_matrix)}
OUT = Path(__file__).resolve().parent / "out"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small step counts (under a minute)")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(FAMILIES)}")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default %(default)s)")
    ap.add_argument("--no-compile", action="store_true", help="skip the compile-time runs")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch rows")
    ap.add_argument(
        "--rebuild-seconds",
        type=float,
        default=compile_time.QUICK_REBUILD_S,
        help="wall time of a quick-scale rebuild the compile time is compared with",
    )
    ap.add_argument("--repeat", type=int, default=None, help="timed calls per row (at least)")
    ap.add_argument(
        "--min-time", type=float, default=None, help="seconds of timed calls per row (at least)"
    )
    args = ap.parse_args(argv)
    scale = "quick" if args.quick else "full"
    names = [n for n in args.only.split(",") if n] or list(FAMILIES)
    unknown = sorted(set(names) - set(FAMILIES))
    if unknown:
        ap.error(f"unknown families {unknown}; choose from {', '.join(FAMILIES)}")
    torch = None if args.no_torch else load_torch()
    repeat, min_time = (1, 0.05) if args.quick else (3, 0.5)
    repeat = repeat if args.repeat is None else args.repeat
    min_time = min_time if args.min_time is None else args.min_time

    start = time.perf_counter()
    meta = {
        "scale": scale,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpu": _cpu_model(),
        "cores": cpu_count(),
        "loadavg_start": list(os.getloadavg()),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threading_layer_env": os.environ.get("NUMBA_THREADING_LAYER", "default"),
        "torch": getattr(torch, "__version__", None),
        "float": "float64",
        "families": names,
        "repeat": repeat,
        "min_time_s": min_time,
        "threads_policy": "per row: threadpoolctl (BLAS), numba.set_num_threads and "
        "torch.set_num_threads all set to the row's `threads`",
    }
    print(
        f"benchmarks ({scale}): {meta['cpu']}, {meta['cores']} cores, load average "
        f"{', '.join(f'{x:.2f}' for x in meta['loadavg_start'])}; torch {meta['torch']}"
    )
    roof = roofline.measure(scale)
    rows = []
    errors = {}
    for name in names:
        mod = FAMILIES[name]
        print(f"{name} (paper {mod.PAPER}, {mod.REGIME} regime): {mod.TITLE}")
        try:
            rows += bench_family(mod, scale, torch, repeat, min_time)
        except Exception as exc:  # one broken family must not hide the others' numbers
            errors[name] = f"{type(exc).__name__}: {exc}"
            print(f"  FAILED: {errors[name]}")
    comp = None
    if not args.no_compile:
        modules = ["lasso", "matrix"] if args.quick else None
        try:
            comp = compile_time.measure(modules, args.rebuild_seconds)
        except Exception as exc:
            errors["compile"] = f"{type(exc).__name__}: {exc}"
            print(f"  compile FAILED: {errors['compile']}")
    table = report.annotate(rows, roof)
    goals = report.targets(table, comp)
    meta.update(
        {
            "loadavg_end": list(os.getloadavg()),
            "seconds": time.perf_counter() - start,
            "roofline": roof,
            "compile": comp,
            "errors": errors,
        }
    )
    report.print_tables(table, goals, roof)
    report.write(args.out, meta, table, goals)
    print(
        f"\nwrote {args.out}/results.csv, results.json, speedups.png in {meta['seconds']:.0f} s; "
        f"load average at start {meta['loadavg_start'][0]:.2f}, at end "
        f"{meta['loadavg_end'][0]:.2f}"
    )
    bad = [r for r in table if not r["check_ok"] or r["deterministic"] is False]
    return 1 if errors or bad else 0


if __name__ == "__main__":
    sys.exit(main())
