"""Numba compile time: first calls in a fresh process with an empty on-disk cache, then again in
a second fresh process that finds the cache warm.

Each process runs kernels.warmup.compile_kernel for the chosen modules, the pipeline's own
compile step (the `compile_kernel` rule), and reports the seconds per module. The cold total is
compared with a quick-scale rebuild (`make run`, 711 s on 2 cores as measured in the README).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

QUICK_REBUILD_S = 711.0  # README: `make run` took 11 min 51 s from a clean clone on 2 cores

_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numba, numpy
from implicit_bias.kernels import warmup
out = {"import_s": time.perf_counter() - t0, "modules": {}}
for name in sys.argv[1:]:
    t = time.perf_counter()
    warmup.compile_kernel(name)
    out["modules"][name] = time.perf_counter() - t
print(json.dumps(out))
"""


def _run(modules: list[str], cache_dir: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *modules],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"compile subprocess failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(modules: list[str] | None = None, rebuild_s: float = QUICK_REBUILD_S, log=print):
    from implicit_bias.kernels.warmup import KERNELS

    modules = list(KERNELS) if modules is None else list(modules)
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        cold = _run(modules, cache)
        warm = _run(modules, cache)
    cold_s = sum(cold["modules"].values())
    warm_s = sum(warm["modules"].values())
    out = {
        "modules": modules,
        "cold_s": cold_s,
        "warm_s": warm_s,
        "cold_per_module_s": cold["modules"],
        "warm_per_module_s": warm["modules"],
        "import_s": {"cold": cold["import_s"], "warm": warm["import_s"]},
        "quick_rebuild_s": rebuild_s,
        "cold_fraction_of_rebuild": cold_s / rebuild_s,
    }
    log(
        f"  compile ({', '.join(modules)}): cold {cold_s:.1f} s, warm cache {warm_s:.2f} s, "
        f"cold = {100 * out['cold_fraction_of_rebuild']:.1f} % of a {rebuild_s:.0f} s rebuild"
    )
    return out
