"""Paper 000: Zhou & Ge (ICML 2023), benign overfitting of v + alpha(w^2 - u^2).

Experiments (spec 000.md):
  dynamics   Fig. 1, one GD trajectory of the shortcut model (stages 1 and 2);
  dimension  Fig. 2, test loss against d for the shortcut model, w^2 - u^2 and the
             hybrid / min-l2 / min-l1 interpolators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ...data import n_samples

KEY = "benign_overfitting"
TITLE = "Implicit Regularization Leads to Benign Overfitting for Sparse Linear Regression"
REFERENCES = "Zhou and Ge, ICML 2023, arXiv:2302.00257"
EXPERIMENTS = ("dynamics", "dimension")
METHODS = ("ours", "quad", "hybrid", "min_l2", "min_l1")
GD_METHODS = ("ours", "quad")
ID_AXES = ("method", "d")  # the axes that name a training job's output
FIGURES = ("fig1", "fig2")
DYNAMICS_METHODS = ("ours", "min_l2")  # min-l2 is the reference of check Z1.7
# Stream tag of this paper's random draws, so papers never share a stream.
RNG_TAG = 0


def alpha_of(d: int, n: int, sigma: float, c_alpha: float) -> float:
    """alpha = c d / (sigma n ln n (sqrt(ln d / n) + sqrt(n / d))) (paper, Fig. 1 caption)."""
    return c_alpha * d / (sigma * n * math.log(n) * (math.sqrt(math.log(d) / n) + math.sqrt(n / d)))


def job(method: str, d: int, model: Mapping, eta: float, tol: float) -> dict:
    """Everything one training configuration needs, and nothing it does not use.

    A value that a method does not read is left out, so changing it does not rerun the method.
    """
    n = n_samples(d, model["n_ratio"])
    spec: dict = {"method": method, "d": int(d), "n": n}
    gd = {
        "tol": float(tol),
        "max_steps": int(model["max_steps"]),
        "log_per_decade": int(model["log_per_decade"]),
    }
    alpha = alpha_of(d, n, model["sigma"], model["c_alpha"])
    if method == "ours":
        spec.update(alpha=alpha, eta=float(eta), eps=float(model["eps"]), train_v=True, **gd)
    elif method == "quad":
        if model["quad_step"] == "alpha_scaled":
            # GD on w^2 - u^2 itself (alpha = 1) with the effective step of the shortcut's quadratic part.
            spec.update(alpha=1.0, eta=float(eta) * alpha, eps=float(model["eps_quad"]))
        else:
            spec.update(alpha=alpha, eta=float(eta), eps=float(model["eps_quad"]))
        spec.update(train_v=False, quad_step=model["quad_step"], **gd)
    elif method == "hybrid":
        spec.update(sigma=float(model["sigma"]), lasso_multipliers=[float(m) for m in model["lasso_multipliers"]])
    elif method not in ("min_l2", "min_l1"):
        raise ValueError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    return spec


def sweep(section: Mapping, scale: str, experiment: str) -> list[dict]:
    """The training configurations of one experiment at one scale, in a stable order."""
    model, runs = section["model"], section[scale][experiment]
    if experiment == "dimension":
        return [
            job(method, d, model, runs["eta"], runs["tol"])
            for d in runs["d"]
            for method in runs["methods"]
            if not (method == "min_l1" and d > runs["min_l1_max_d"])
        ]
    if experiment == "dynamics":
        return [job(m, runs["d"], model, runs["eta"], runs["tol"]) for m in DYNAMICS_METHODS]
    raise ValueError(f"unknown experiment {experiment!r} (allowed: {', '.join(EXPERIMENTS)})")


def experiment_seeds(experiment: str, seeds: list[int]) -> list[int]:
    """Fig. 1 is a single trajectory: it uses the first seed."""
    return list(seeds[:1]) if experiment == "dynamics" else list(seeds)
