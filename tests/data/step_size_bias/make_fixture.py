"""Rebuild the paper-001 test cubes from a quick run (seeds 0, 1, 2).

    python tests/data/step_size_bias/make_fixture.py results/step_size_bias

Keeps the variables the claims read, with zlib compression (~40 KB per figure).
"""

from __future__ import annotations

import sys
from pathlib import Path

from implicit_bias.store import read_dataset

KEEP = (
    "status test_excess train_loss eta eta_star l1_test_excess l2_test_excess l1_norm l1_lam_max "
    "min_lam_max min_stability gf_test_excess dist_l1 dist_l2 beta_l1_norm effective_alpha "
    "effective_gf_test_excess lam_max S UB W"
).split()


def main(results: str) -> None:
    out = Path(__file__).parent
    for path in sorted(Path(results).glob("cube_fig*.nc")):
        cube = read_dataset(path)
        small = cube[[v for v in KEEP if v in cube]]
        small.attrs = {k: cube.attrs[k] for k in ("paper", "experiment", "model", "shape")}
        encoding = {v: {"zlib": True, "complevel": 9} for v in small.data_vars}
        small.to_netcdf(out / path.name, encoding=encoding)


if __name__ == "__main__":
    main(sys.argv[1])
