"""Rebuild the claim-test fixtures of paper 004 from a quick run's cubes (seeds 0, 1, 2).

    python tests/data/grokking_norms/make_fixtures.py results/grokking_norms

Each cube keeps the curves its claims read (float32) on a thinned step grid (every step up to
10, then 30 per decade, and every run's last step; completion keeps its grid) and the per-run
scalars the claims read; the iterate snapshots and the size-1 sweep axes (kept as scalar
coordinates) are dropped. tests/test_grokking_norms_claims.py checks the claims' statuses on the
fixtures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr

HERE = Path(__file__).resolve().parent
CURVES = {
    "anatomy": (
        "train_error",
        "test_error",
        "l1_norm",
        "l2_norm",
        "u_support",
        "v_offsupport",
        "grad_ratio",
    ),
    "ab_grid": ("train_error", "test_error"),
    "n_sweep": ("train_error", "test_error"),
    "methods": ("train_error", "test_error"),
    "no_understanding": ("test_error", "l1_norm"),
    "coherence": ("test_error",),
    "depth_small": ("train_error", "test_error"),
    "depth_large": ("train_error", "test_error"),
    "digit": ("train_error", "test_error", "grad_ratio", "l1_norm"),
    "sinusoid": ("train_error", "test_error", "grad_ratio", "l1_norm"),
    "polynomial": ("train_error", "test_error", "grad_ratio", "l1_norm"),
    "completion": ("test_error", "nuclear_norm", "grad_ratio", "sigma"),
    "matrix_grid": ("test_error",),
    "sensing": ("test_error", "nuclear_norm"),
    "matrix_coherence": ("test_error",),
    "teacher_student": ("test_mse",),
    "sobolev": ("test_mse",),
}


# the singular-value deaths (A11.staircase) are read on the logged grid itself
FULL_GRID = ("completion",)
# the per-run scalars the claims read
SCALARS = (
    "t1",
    "t2",
    "t2_stable",
    "T",
    "lsq_error",
    "bhat_l1",
    "bhat_l2",
    "bstar_l1",
    "bstar_l2",
    "dt_pred",
    "dt_paper",
    "t1_bound",
    "ete_min",
    "ystar2",
    "sigma_hat",
)


def thin_steps(cube: xr.Dataset) -> np.ndarray:
    t = cube["t"].values
    keep = set(t[t <= 10].tolist())
    top = max(float(t.max()), 10.0)
    for target in np.logspace(1, np.log10(top), int(30 * np.log10(top / 10)) + 1):
        keep.add(int(t[np.abs(t - target).argmin()]))
    for name in ("T", "t_end"):
        if name in cube:
            keep.update(int(v) for v in np.unique(cube[name].values) if v in t)
    keep.add(int(t[-1]))
    return np.array(sorted(keep))


def reduce(cube: xr.Dataset, experiment: str) -> xr.Dataset:
    curves = [v for v in CURVES[experiment] if v in cube]
    scalars = [v for v in SCALARS if v in cube]
    out = cube[scalars + curves]
    if experiment not in FULL_GRID:
        out = out.sel(t=thin_steps(cube))
    out = out.squeeze([d for d in out.dims if out.sizes[d] == 1 and d != "seed"])
    for v in curves:
        out[v] = out[v].astype(np.float32)
    out.attrs = {
        k: v for k, v in cube.attrs.items() if k in ("experiment", "kind", "n", "r", "n1", "n2")
    }
    return out


def main(root: str) -> None:
    from implicit_bias.store import read_dataset

    for path in sorted(Path(root).glob("cube_*.nc")):
        cube = read_dataset(path)
        name = cube.attrs["experiment"]
        if name not in CURVES:
            continue
        small = reduce(cube, name)
        enc = {v: {"zlib": True, "complevel": 9} for v in small.data_vars}
        small.to_netcdf(HERE / f"{name}.nc", encoding=enc)
        print(name, (HERE / f"{name}.nc").stat().st_size)


if __name__ == "__main__":
    main(sys.argv[1])
