"""Reproductions of five papers on the implicit regularization of gradient methods.

The package holds what the Snakemake workflow calls: data generators, Numba kernels,
baselines, the NetCDF cube store, figures and the claims checks. Importing it is cheap:
nothing here imports Numba until a kernel module is imported.
"""

__version__ = "0.1.0"

# Pipeline key -> (paper number, short title). The key names paths, config sections and targets.
PAPERS: dict[str, tuple[str, str]] = {
    "benign_overfitting": (
        "000",
        "Implicit regularization leads to benign overfitting (Zhou & Ge 2023)",
    ),
    "step_size_bias": ("001", "Step size and the implicit bias of diagonal linear networks"),
    "matrix_sensing": ("002", "Over-parameterized matrix sensing from small initialization"),
    "blessing_of_depth": ("003", "Blessing of depth for robust l1 regression"),
    "grokking_norms": ("004", "Grokking beyond the Euclidean norm"),
}

# Papers whose rules exist; config validation only allows these.
IMPLEMENTED_PAPERS: tuple[str, ...] = (
    "benign_overfitting",
    "step_size_bias",
    "matrix_sensing",
    "blessing_of_depth",
    "grokking_norms",
)
