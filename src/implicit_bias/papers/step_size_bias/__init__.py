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


def experiment_seeds(settings: Mapping, experiment: str, seeds: list[int]) -> list[int]:
    """The paper shows single curves; every figure here is drawn for each configured seed."""
    return list(seeds)


def figure_list(section: Mapping, scale: str) -> list[str]:
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


# ----------------------------------------------------------------------------- workflow interface
DATA_SOURCES = ["data.py", "papers/step_size_bias/datasets.py"]


def job_kernels(job: Mapping) -> list[str]:
    return ["diagonal"]


def job_sources(job: Mapping) -> list[str]:
    return ["papers/step_size_bias/solvers.py", "papers/step_size_bias/runs.py", "baselines.py"]


def data_key(job: Mapping) -> dict:
    """One draw per (mu, seed), shared by every figure with that mean."""
    return {"mu": job["mu"]}


def data_params(model: Mapping, wildcards: Mapping) -> dict:
    """Arguments of datasets.generate for the data file named by ``wildcards`` (mu, seed)."""
    return {
        "d": model["d"],
        "N": model["N"],
        "k": model["k"],
        "mu": int(wildcards["mu"]),
        "sigma_x2": model["sigma_x2"],
        "noise_sd": model["noise_sd"],
        "seed": int(wildcards["seed"]),
    }


def data_mem_mb(model: Mapping, wildcards: Mapping) -> int:
    return 300


def resources(job: Mapping, n_seeds: int, settings: Mapping) -> dict:
    """~1.5 us per GD step, up to T_w + max_extra_steps steps per run (3x margin)."""
    runs = len(job["alpha"]) * (len(job["eta_abs"]) + len(job["eta_rel"]))
    seconds = runs * (1e6 + job["max_extra_steps"]) * 1.5e-6
    return {"mem_mb": 800, "runtime": int(10 + 3 * n_seeds * seconds / 60)}


def cube_settings(settings: Mapping, experiment: str, seeds: list[int]) -> dict:
    """What one figure ran with, stored in its cube."""
    return {
        "scale": settings["scale"],
        "model": settings["model"],
        "max_extra_steps": settings.get("max_extra_steps"),
        experiment: settings["experiments"][experiment],
        "seeds": experiment_seeds(settings, experiment, seeds),
        "experiment": experiment,
    }


def figure_inputs(experiment: str) -> list[str]:
    """Other figures' cubes a figure draws from: Fig. 4 compares depths with Fig. 1's D = 2."""
    return ["fig1"] if experiment == "fig4" else []
