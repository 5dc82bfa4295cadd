"""Benchmark suite: the project's Numba kernels against NumPy and PyTorch, and this machine's
roofline. Entry point: ``python -m benchmarks.run`` (see the README section "Benchmarks")."""
