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
            # GD on w^2 - u^2 itself (alpha = 1) with the effective step of the
            # shortcut's quadratic part.
            spec.update(alpha=1.0, eta=float(eta) * alpha, eps=float(model["eps_quad"]))
        else:
            spec.update(alpha=alpha, eta=float(eta), eps=float(model["eps_quad"]))
        spec.update(train_v=False, quad_step=model["quad_step"], **gd)
    elif method == "hybrid":
        spec.update(
            sigma=float(model["sigma"]),
            lasso_multipliers=[float(m) for m in model["lasso_multipliers"]],
        )
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


def figure_list(section: Mapping, scale: str) -> list[str]:
    return list(FIGURES)


def check(section: Mapping) -> list[str]:
    """Problems a schema cannot express, as one-line messages: every d must give 0 < n < d."""
    ratio = section["model"]["n_ratio"]
    problems = []
    for scale in ("quick", "paper"):
        for d in [*section[scale]["dimension"]["d"], section[scale]["dynamics"]["d"]]:
            n = n_samples(d, ratio)
            if not 0 < n < d:
                problems.append(
                    f"{KEY}.{scale}: d = {d} gives n = round({ratio}*sqrt(d)) = {n}; "
                    "allowed: d with 0 < n < d (over-parameterized)"
                )
    return problems


def experiment_seeds(settings: Mapping, experiment: str, seeds: list[int]) -> list[int]:
    """Fig. 1 is a single trajectory: it uses the first seed."""
    return list(seeds[:1]) if experiment == "dynamics" else list(seeds)


# ----------------------------------------------------------------------------- workflow interface
# Numba kernel modules and other package sources each method runs (rule inputs: editing one
# re-trains exactly the jobs that use it).
METHOD_KERNELS = {
    "ours": ["diagonal"],
    "quad": ["diagonal"],
    "hybrid": ["lasso"],
    "min_l2": [],
    "min_l1": [],
}
METHOD_SOURCES = {
    "ours": ["papers/benign_overfitting/runs.py"],
    "quad": ["papers/benign_overfitting/runs.py"],
    "hybrid": ["baselines.py", "papers/benign_overfitting/runs.py"],
    "min_l2": ["baselines.py", "papers/benign_overfitting/runs.py"],
    "min_l1": ["baselines.py", "papers/benign_overfitting/runs.py"],
}
DATA_SOURCES = ["data.py", "papers/benign_overfitting/datasets.py"]


def job_kernels(job: Mapping) -> list[str]:
    return METHOD_KERNELS[job["method"]]


def job_sources(job: Mapping) -> list[str]:
    return METHOD_SOURCES[job["method"]]


def data_key(job: Mapping) -> dict:
    """The data a job trains on: one draw per (d, seed), shared by methods and experiments."""
    return {"d": job["d"]}


def data_params(model: Mapping, wildcards: Mapping) -> dict:
    """Arguments of datasets.generate for the data file named by ``wildcards`` (d, seed)."""
    d, seed = int(wildcards["d"]), int(wildcards["seed"])
    return {
        "d": d,
        "n": n_samples(d, model["n_ratio"]),
        "s": model["s"],
        "sigma": model["sigma"],
        "seed": seed,
    }


def data_mem_mb(model: Mapping, wildcards: Mapping) -> int:
    """X float64 plus a copy while it is written."""
    d = int(wildcards["d"])
    return int(300 + 16 * d * n_samples(d, model["n_ratio"]) / 1e6)


def resources(job: Mapping, n_seeds: int, settings: Mapping) -> dict:
    """Memory (MB) and runtime (minutes, 3x margin) of one training job, from spec section 7:
    ~0.5 ns per entry of X per GD step; the shortcut model needs ~5/(eta sqrt(d)) steps and
    w^2-u^2 three times as many; the LP needs ~250 bytes per entry of X."""
    entries = job["n"] * job["d"]
    mem_mb = 500 + (250 if job["method"] == "min_l1" else 24) * entries / 1e6
    eta = settings["dimension"]["eta"]
    steps = {"ours": 6, "quad": 18}.get(job["method"], 0) / (eta * job["d"] ** 0.5)
    seconds = min(steps, job.get("max_steps", 0)) * entries * 0.5e-9 + 1e-6 * entries
    return {"mem_mb": int(mem_mb), "runtime": int(10 + 3 * n_seeds * seconds / 60)}


def cube_settings(settings: Mapping, experiment: str, seeds: list[int]) -> dict:
    """What one experiment ran with, stored in its cube (only this, so a change to the other
    experiment does not rebuild it)."""
    return {
        "scale": settings["scale"],
        "model": settings["model"],
        experiment: settings[experiment],
        "seeds": experiment_seeds(settings, experiment, seeds),
        "experiment": experiment,
    }


def figure_inputs(experiment: str) -> list[str]:
    return []
