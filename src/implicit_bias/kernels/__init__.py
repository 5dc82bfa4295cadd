"""Numba kernels: diagonal-linear-network gradient descent and coordinate-descent Lasso."""
