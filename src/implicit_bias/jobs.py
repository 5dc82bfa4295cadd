"""Glue for the thin scripts in ``workflow/scripts``: threads, logging, file locking.

Call :func:`start` first in a script, before anything imports Numba: Snakemake sets the
BLAS/OpenMP thread variables from ``threads`` but not Numba's.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
from contextlib import contextmanager


def write_benchmark(path: str, wall_start: float, cpu_start: float) -> None:
    """Wall time, CPU time and peak memory of this job, in the columns of Snakemake's benchmarks."""
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hms = time.strftime("%H:%M:%S", time.gmtime(wall))
    with open(path, "w") as fh:
        fh.write("s\th:m:s\tmax_rss\tcpu_time\n")
        fh.write(f"{wall:.4f}\t{hms}\t{peak_kib / 1024:.2f}\t{cpu:.2f}\n")


@contextmanager
def job(snakemake, benchmark: str | None = None):
    """Run a script body with its log file as stderr/stdout and thread counts pinned.

    With ``benchmark``, the job's own wall/CPU time and peak memory are written there (for
    rules that are cached between workflows, where Snakemake's ``benchmark:`` is not allowed).
    """
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    threads = str(max(1, int(getattr(snakemake, "threads", 1))))
    os.environ["NUMBA_NUM_THREADS"] = threads
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)
    # Cluster file systems often lack POSIX locks; HDF5 must be told before it loads.
    os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
    # In a SLURM job the package may sit on a read-only or node-local path: keep Numba's
    # cache in the shared working directory, where the compile_kernel jobs fill it once.
    if "SLURM_JOB_ID" in os.environ:
        os.environ.setdefault("NUMBA_CACHE_DIR", os.path.abspath("results/.numba-cache"))
    log_path = snakemake.log[0] if len(snakemake.log) else None
    stream = open(log_path, "w") if log_path else sys.stderr  # noqa: SIM115
    old_err, old_out = sys.stderr, sys.stdout
    sys.stderr = sys.stdout = stream
    logging.basicConfig(
        stream=stream,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        force=True,
    )
    logging.info("rule %s, wildcards %s", snakemake.rule, dict(snakemake.wildcards))
    logging.info(
        "NUMBA_NUM_THREADS=%s NUMBA_CACHE_DIR=%s SLURM_JOB_ID=%s",
        threads,
        os.environ.get("NUMBA_CACHE_DIR", ""),
        os.environ.get("SLURM_JOB_ID", ""),
    )
    try:
        yield logging.getLogger(snakemake.rule)
        if benchmark:
            write_benchmark(benchmark, wall_start, cpu_start)
    except BaseException:
        logging.exception("job failed")
        raise
    finally:
        stream.flush()
        sys.stderr, sys.stdout = old_err, old_out
        if log_path:
            stream.close()
