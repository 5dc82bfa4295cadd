"""Paper 001: Nacson, Ravichandran, Srebro & Soudry (ICML 2022), implicit bias of the step size
in linear diagonal neural networks. Spec: shared/papers/001.md.

Every figure is a grid of GD runs (initialization scale alpha x step size eta) on one data draw
per (mu, seed), for one model: beta = u+^D - u-^D (D = 2, 3, 4) or u+ v+ - u- v- (UV). A
training job runs the whole grid of one panel (mu, D) of one figure, on a batch of seeds.
"""

from __future__ import annotations

from collections.abc import Mapping

KEY = "step_size_bias"
TITLE = "Implicit Bias of the Step Size in Linear Diagonal Neural Networks"
REFERENCES = "Nacson, Ravichandran, Srebro and Soudry, ICML 2022 (PMLR 162)"
EXPERIMENTS = ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6")
ID_AXES = ("mu", "D")  # the axes that name a training job's output


def job(experiment: str, mu: int, D: int, section: Mapping, scale: str) -> dict:
    """Everything one training job (one panel of one figure) needs."""
    model, runs = section["model"], section[scale]
    spec = section[scale]["experiments"][experiment]
    return {
        "experiment": experiment,
        "mu": int(mu),
        "D": int(D),
        "model": spec["model"],
        "shape": spec["shape"],
        "alpha": [float(a) for a in spec["alpha"]],
        "eta_abs": [float(e) for e in spec.get("eta_abs", [])],
        "eta_rel": [float(e) for e in spec.get("eta_rel", [])],
        "d": model["d"],
        "N": model["N"],
        "k": model["k"],
        "sigma_x2": model["sigma_x2"],
        "noise_sd": model["noise_sd"],
        "tol": model["tol"],
        "warmup_min": model["warmup_min"],
        "warmup_factor": model["warmup_factor"],
        "max_extra_steps": runs.get("max_extra_steps", model["max_extra_steps"]),
    }


def sweep(section: Mapping, scale: str, experiment: str) -> list[dict]:
    """The training jobs of one figure at one scale: one per panel (mu, D)."""
    experiments = section[scale]["experiments"]
    if experiment not in experiments:
        allowed = ", ".join(experiments)
        raise ValueError(f"unknown experiment {experiment!r} at scale {scale} (allowed: {allowed})")
    spec = experiments[experiment]
    return [job(experiment, mu, D, section, scale) for mu in spec["mu"] for D in spec["D"]]


def experiment_seeds(experiment: str, seeds: list[int]) -> list[int]:
    """The paper shows single curves; every figure here is drawn for each configured seed."""
    return list(seeds)


def figures(section: Mapping, scale: str) -> list[str]:
    """The figures of the configured scale (one per experiment)."""
    return [e for e in EXPERIMENTS if e in section[scale]["experiments"]]


def check(section: Mapping) -> list[str]:
    """Problems a schema cannot express, as one-line messages."""
    problems = []
    for scale in ("quick", "paper"):
        for name, spec in section[scale]["experiments"].items():
            where = f"step_size_bias.{scale}.experiments.{name}"
            if spec["model"] == "uv" and list(spec["D"]) != [2]:
                depths = spec["D"]
                problems.append(f"{where}.D: the uv model has depth 2 (allowed: [2]), got {depths}")
            if not spec.get("eta_abs") and not spec.get("eta_rel"):
                problems.append(f"{where}: no step size (allowed: a non-empty eta_abs or eta_rel)")
    return problems
