"""Rebuild the claim-test fixtures of paper 003 from a quick run's cubes.

    .venv/bin/python tests/data/blessing_of_depth/make_fixtures.py results/blessing_of_depth

Keeps, of each cube, the variables and attributes the claims read (checks.py), zlib-compressed
(about 100 kB in all).
"""

from __future__ import annotations

import sys
from pathlib import Path

from implicit_bias.store import read_dataset

HERE = Path(__file__).resolve().parent
KEEP = {
    "landscape": ["loss_change", "g_min_norm"],
    "decrease": ["D", "D_off_direct", "c_off"],
    "constant": ["err", "train_loss", "err_min", "t_min", "t_onset", "theta_norm", "L_star"],
    "decay": ["err", "err_min", "t_onset"],
    "geometric": ["err", "T", "rho"],
    "speedup": ["t_onset"],
    "matrix": ["err_rel_min", "t_min"],
    "relu": ["test_mse"],
    "digits": ["best_test_acc"],
    "lad": ["under_err", "under_gap", "over_err", "over_loss", "theta_norm", "projection", "phi"],
    "timescales": ["t_onset", "onset_ratio"],
    "balance": ["imbalance_support", "imbalance_offsupport", "t_min", "theta_min"],
}
ATTRS = ("experiment", "eta", "alpha", "err", "N")


def main(results: str) -> None:
    for experiment, names in KEEP.items():
        cube = read_dataset(Path(results) / f"cube_{experiment}.nc")
        ds = cube[names].load()
        ds.attrs = {k: cube.attrs[k] for k in ATTRS if k in cube.attrs}
        encoding = {name: {"zlib": True, "complevel": 9} for name in names}
        ds.to_netcdf(HERE / f"{experiment}.nc", encoding=encoding)
        print(experiment, (HERE / f"{experiment}.nc").stat().st_size)


if __name__ == "__main__":
    main(sys.argv[1])
