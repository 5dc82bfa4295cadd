"""Paper 002: Li, Ma & Zhang (COLT 2018), algorithmic regularization in over-parameterized matrix
sensing and quadratic-activation networks. Spec: shared/papers/002.md.
"""

KEY = "matrix_sensing"
