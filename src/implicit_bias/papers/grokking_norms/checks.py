"""Claims of paper 004 (Grokking beyond the Euclidean norm of model parameters), measured from the
cubes only: importing this module registers every claim (claims.py).

The claims live next to their sources and tolerances in
  claims_sparse.py   shallow sparse recovery (Figs. 1, 2, 8-29, 36-41),
  claims_depth.py    depth-L diagonal networks (Figs. 30-35),
  claims_matrix.py   matrix completion / sensing with the nuclear norm (Figs. 4, 5, 42-46),
  claims_teacher.py  two-layer ReLU teacher-student (Figs. 3, 47, 50);
the shared definitions (t1, "generalized", medians) in analysis.py. The paper's figures and their
status are in ledger.yaml.
"""

from __future__ import annotations

import importlib

from .analysis import (  # noqa: F401 (the figures and tests use these)
    at_step,
    final,
    generalized,
    inversions,
    med,
    never_inf,
    slope,
    squeeze,
    t2_gen,
    t_memorized,
)

# registration order = the paper's order (the claims table lists them so)
for _module in ("claims_sparse", "claims_depth", "claims_matrix", "claims_teacher"):
    importlib.import_module(f"{__package__}.{_module}")
