"""NetCDF store: atomic writes, CF attributes and provenance.

Files are written under a temporary name and renamed, so a killed job never leaves a
partial NetCDF that a later job could read.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from . import __version__
from .sweeps import digest

# Status codes of a training run, stored as int8 with CF flag attributes.
STATUS_CODES = {"converged": 0, "max_steps": 1, "diverged": 2, "not_run": 3, "unstable_frozen": 4}


def cf(da: xr.DataArray, long_name: str, units: str = "1", **extra: object) -> xr.DataArray:
    """Attach CF ``long_name`` and ``units`` (``"1"`` = dimensionless)."""
    da.attrs.update(long_name=long_name, units=units, **extra)
    return da


def status_attrs() -> dict:
    return {
        "long_name": "run status",
        "units": "1",
        "flag_values": np.array(list(STATUS_CODES.values()), dtype=np.int8),
        "flag_meanings": " ".join(STATUS_CODES),
    }


def git_revision(start: str | Path | None = None) -> str:
    """Commit hash of the checkout holding this package ("+dirty" if modified), or "unknown"."""
    where = Path(start) if start else Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def software_versions() -> dict[str, str]:
    import numba
    import scipy

    return {
        "implicit_bias_version": __version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "numba_version": numba.__version__,
        "xarray_version": xr.__version__,
    }


def provenance(config: Mapping, title: str, references: str = "") -> dict[str, str]:
    """Global attributes of a cube: CF header, the resolved config, code and software versions."""
    return {
        "Conventions": "CF-1.11",
        "title": title,
        "references": references,
        "source": "implicit_bias pipeline (Snakemake + Numba)",
        "config": json.dumps(config, sort_keys=True),
        "config_sha256": digest(config),
        "git_commit": git_revision(),
        **software_versions(),
    }


def _encoding(ds: xr.Dataset, compress: bool) -> dict:
    enc = {}
    for name, var in ds.data_vars.items():
        e: dict = {}
        if compress and var.ndim > 0 and var.dtype.kind in "fiu":
            e.update(zlib=True, complevel=4, shuffle=True)
        if var.dtype.kind == "f":
            e["_FillValue"] = np.nan
        enc[name] = e
    return enc


def write_dataset(ds: xr.Dataset, path: str | Path, compress: bool = False) -> None:
    """Write ``ds`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        ds.to_netcdf(tmp, engine="netcdf4", encoding=_encoding(ds, compress))
        # Data on disk before the rename, so a node crash cannot leave a renamed partial file.
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


def read_dataset(path: str | Path) -> xr.Dataset:
    """Load a NetCDF file fully into memory and close it."""
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()
