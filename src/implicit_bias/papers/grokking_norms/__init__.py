"""Paper 004: grokking beyond the Euclidean norm of model parameters. Spec: shared/papers/004.md.

Library part: data generators (datasets.py), least-squares / basis-pursuit baselines (solvers.py)
and the closed-form reference lines and stopping rules (theory.py). The training kernels live in
kernels/diagonal.py (grok_diagonal: sparse recovery, ISTA, projected, depth-L diagonal nets),
kernels/nuclear.py (matrix completion / sensing with the nuclear norm) and
kernels/teacher_student.py (two-layer ReLU teacher-student with l1 / l2 / l* / Sobolev penalties).
"""

KEY = "grokking_norms"
TITLE = "Grokking beyond the Euclidean norm of model parameters"
REFERENCES = (
    "Grokking beyond the Euclidean norm of model parameters, anonymous ICLR submission "
    "(later ICML 2025)"
)
