"""Paper 003: Ma & Fattahi (NeurIPS 2022), "Blessing of depth in linear regression: deeper models
have flatter landscape around the true solution". Spec: shared/papers/003.md.

Library part only: N-layer diagonal SubGM in kernels/diagonal.py, deep matrix recovery in
kernels/deep_matrix.py, deep ReLU SubGM in kernels/relu_net.py; data in ``datasets``, landscape
slices, LPs and baselines in ``solvers``, reference formulas and time scales in ``theory``.
"""

KEY = "blessing_of_depth"
TITLE = (
    "Blessing of Depth in Linear Regression: Deeper Models Have Flatter Landscape Around the "
    "True Solution"
)
REFERENCES = (
    "J. Ma and S. Fattahi, Blessing of depth in linear regression: deeper models have flatter "
    "landscape around the true solution, Advances in Neural Information Processing Systems 35 "
    "(NeurIPS 2022)."
)
