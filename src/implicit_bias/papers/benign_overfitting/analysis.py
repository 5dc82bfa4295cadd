"""Quantities derived from the cubes of paper 000, shared by the figures and the checks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from . import theory


def trajectory(cube: xr.Dataset, method: str = "ours") -> xr.Dataset:
    """The first run of ``method`` in a dynamics cube, with the final state appended at T_end."""
    run = cube.sel(estimator=method).isel(d=0, seed=0)
    curves = {
        name[: -len("_curve")]: run[name] for name in run.data_vars if name.endswith("_curve")
    }
    t = run["t"].values
    keep = np.isfinite(run["train_loss_curve"].values)
    t_end = float(run["iterations"])
    steps = np.append(t[keep], t_end) if t_end not in t[keep] else t[keep]
    data = {}
    for name, da in curves.items():
        vals = da.values[keep]
        if t_end not in t[keep]:
            vals = np.append(vals, float(run[name]))
        data[name] = ("t", vals)
    return xr.Dataset(data, coords={"t": steps.astype(float)})


def stage1_time(cube: xr.Dataset, model: Mapping, traj: xr.Dataset | None = None) -> float:
    traj = trajectory(cube) if traj is None else traj
    run = cube.isel(d=0, seed=0)
    d, n = float(cube["d"][0]), float(cube["n"][0])
    return theory.stage1_end(
        traj["t"],
        traj["signal_error"],
        float(run["b_xi"]),
        model["sigma"],
        n,
        d,
        model["t1_constant"],
    )


def seed_stats(cube: xr.Dataset, var: str = "test_error") -> tuple[xr.DataArray, xr.DataArray]:
    """Mean and standard deviation over seeds (NaN where a method was not run)."""
    values = cube[var].where(cube["status"] == 0)
    return values.mean("seed"), values.std("seed", ddof=0)
