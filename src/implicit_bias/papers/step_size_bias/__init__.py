"""Paper 001: Nacson, Ravichandran, Srebro & Soudry (ICML 2022), implicit bias of the step size
in linear diagonal neural networks. Spec: shared/papers/001.md. Work in progress: data, solvers
and the depth-D / UV kernels exist; the workflow rules do not yet.
"""

KEY = "step_size_bias"
