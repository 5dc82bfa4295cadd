"""Reduce paper 002's quick-scale cubes (seeds 0, 1, 2) to the fixtures of
tests/test_matrix_sensing_claims.py: only the variables and attributes the claims read, zlib.

    python tests/data/matrix_sensing/make_fixtures.py results/matrix_sensing
"""

from __future__ import annotations

import sys
from pathlib import Path

import xarray as xr

COMMON = ["stop_step", "status", "m"]
KEEP = {
    "sensing": ["train_error", "test_error", "eigvals", "Xstar_eigvals", *COMMON],
    "long": ["train_error", "test_error", "Xstar_eigvals", *COMMON],
    "rank1": ["final_test_error", "final_train_error", *COMMON],
    "network": ["train_error", "test_error", "trace", "Xstar_eigvals", *COMMON],
}
ATTRS = ("paper", "experiment", "T", "r", "d", "eta", "tol", "convention")


def reduce(cube: xr.Dataset, experiment: str) -> xr.Dataset:
    out = cube[KEEP[experiment]]
    if "eigvals" in out:
        out = out.sel(k=slice(1, int(cube.attrs["r"]) + 1))  # the claims read k <= r + 1
    out.attrs = {k: cube.attrs[k] for k in ATTRS if k in cube.attrs}
    return out


def main(results: str) -> None:
    here = Path(__file__).parent
    for experiment in KEEP:
        cube = xr.load_dataset(Path(results) / f"cube_{experiment}.nc")
        small = reduce(cube, experiment)
        for var in small.variables.values():
            var.attrs = {}
            var.encoding = {}
        enc = {v: {"zlib": True, "complevel": 9} for v in small.data_vars}
        small.to_netcdf(here / f"{experiment}.nc", encoding=enc)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/matrix_sensing")
