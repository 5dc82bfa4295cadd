"""Paper 002: Li, Ma & Zhang (COLT 2018), algorithmic regularization in over-parameterized matrix
sensing and quadratic-activation networks. Spec: shared/papers/002.md.

Experiments (config/matrix_sensing.yaml):
  sensing  Figs. 1-2: factorized GD from U_0 = alpha I (r = 5, m = 5dr), one job per d running
           the whole alpha grid as a batch; the Fig. 2 alphas continue to a later step.
  long     Fig. 3: the alpha = 0.01 run for 10^5 steps.
  rank1    Fig. 4: projected GD on X against factorized GD, r = 1, one job per (d, m/d).
  network  Fig. 5: SGD and GD from U_0 = I on the quadratic network (variant nn) and SGD with
           Gaussian sensing (variant gaussian; its GD panel is the alpha = 1 run of Fig. 1).
A repeat is one draw of the sensing matrices for the same X*: the configured seeds are the repeats.
"""

from __future__ import annotations

from collections.abc import Mapping

from ... import sweeps

KEY = "matrix_sensing"
TITLE = (
    "Algorithmic Regularization in Over-parameterized Matrix Sensing and Neural Networks "
    "with Quadratic Activations"
)
REFERENCES = "Li, Ma and Zhang, COLT 2018, arXiv:1712.09203"
EXPERIMENTS = ("sensing", "long", "rank1", "network")
ID_AXES = ("variant", "d", "m_over_d")  # the axes that name a training job's output
FIGURES = {"fig1": "sensing", "fig2": "sensing", "fig3": "long", "fig4": "rank1", "fig5": "network"}
# Data files: Gaussian sensing in float32 / float64, or rank-one network inputs.
MEASUREMENTS = ("gaussian32", "gaussian64", "rankone")


def packed_size(d: int) -> int:
    """D = d(d+1)/2, the number of free entries of a symmetric d x d matrix."""
    return d * (d + 1) // 2


def _gd(job: dict, model: Mapping) -> dict:
    job.update(eta=float(model["eta"]), convention=model["convention"])
    return job


def _draw(d: int, r: int, m: int, model: Mapping, measurement: str) -> dict:
    return {
        "d": int(d),
        "r": int(r),
        "m": int(m),
        "truth_seed": int(model["truth_seed"]),
        "measurement": measurement,
    }


def _gaussian(model: Mapping) -> str:
    return "gaussian32" if model["sensing_dtype"] == "float32" else "gaussian64"


def sweep(section: Mapping, scale: str, experiment: str) -> list[dict]:
    """The training jobs of one experiment at one scale."""
    experiments = section[scale]["experiments"]
    if experiment not in experiments:
        allowed = ", ".join(experiments)
        raise ValueError(f"unknown experiment {experiment!r} at scale {scale} (allowed: {allowed})")
    spec, model = experiments[experiment], section["model"]
    jobs = []
    if experiment in ("sensing", "long"):
        for d in spec["d"]:
            alpha = [float(a) for a in spec["alpha"]]
            T_alpha = [int(spec["T"])] * len(alpha)
            if experiment == "sensing":
                more = spec["fig2"]
                T_alpha = [
                    max(T, int(more["T"])) if a in more["alpha"] else T
                    for a, T in zip(alpha, T_alpha, strict=True)
                ]
            job = _draw(d, spec["r"], 5 * d * spec["r"], model, _gaussian(model))
            job.update(
                kind="sensing",
                alpha=alpha,
                T_alpha=T_alpha,
                T=int(spec["T"]),
                log_every=int(model["log_every"]),
                min_norm=experiment == "sensing",
            )
            jobs.append(_gd(job, model))
    elif experiment == "rank1":
        for d in spec["d"]:
            for ratio in spec["m_over_d"]:
                m = int(ratio) * int(d)
                if m >= packed_size(d):
                    continue  # over-determined: the data alone fix X (spec section 8)
                job = _draw(d, 1, m, model, _gaussian(model))
                job.update(
                    kind="rank1",
                    m_over_d=int(ratio),
                    alpha=float(spec["alpha"]),
                    T=int(spec["T"]),
                    tol=float(spec["tol"]),
                    log_every=int(model["log_every"]),
                )
                jobs.append(_gd(job, model))
    else:
        d, r = int(spec["d"]), int(spec["r"])
        for variant in spec["variants"]:
            job = _draw(d, r, 5 * d * r, model, "rankone" if variant == "nn" else "gaussian64")
            job.update(kind="network", variant=variant, convention=model["convention"])
            job["sgd"] = {
                "eta": float(spec["sgd"]["eta"]),
                "T": int(spec["sgd"]["T"] if variant == "nn" else spec["gaussian_sgd_T"]),
                "log_every": int(spec["sgd"]["log_every"]),
            }
            if variant == "nn":  # the Gaussian GD panel is Fig. 1's alpha = 1 run
                job["gd"] = {k: spec["gd"][k] for k in ("eta", "T", "log_every")}
            jobs.append(job)
    return jobs


def experiment_seeds(settings: Mapping, experiment: str, seeds: list[int]) -> list[int]:
    """The repeats (sensing draws) of an experiment: its leading ``reps`` seeds, or all."""
    return sweeps.leading_seeds(seeds, settings["experiments"][experiment].get("reps"))


def figure_list(section: Mapping, scale: str) -> list[str]:
    return list(FIGURES)


def figure_inputs(figure: str) -> list[str]:
    """The experiments (cubes) a figure draws from."""
    extra = {"fig5": ["sensing"]}  # the Gaussian GD panel
    return [FIGURES[figure], *extra.get(figure, [])]


def check(section: Mapping) -> list[str]:
    """Problems a schema cannot express, as one-line messages."""
    problems = []
    for scale in ("quick", "paper"):
        where = f"{KEY}.{scale}.experiments"
        exp = section[scale]["experiments"]
        sensing = exp["sensing"]
        missing = sorted(set(sensing["fig2"]["alpha"]) - set(sensing["alpha"]))
        if missing:
            problems.append(
                f"{where}.sensing.fig2.alpha: {missing} not in the alpha grid "
                f"(allowed: values of {where}.sensing.alpha)"
            )
        for name in ("sensing", "long"):
            r = exp[name]["r"]
            for d in exp[name]["d"]:
                if 5 * d * r >= packed_size(d):
                    problems.append(
                        f"{where}.{name}.d: d = {d}, r = {r} gives m = 5dr = {5 * d * r} >= "
                        f"d(d+1)/2 = {packed_size(d)} (allowed: d >= 10 r, under-determined)"
                    )
        rank1 = exp["rank1"]
        if not sweep(section, scale, "rank1"):
            problems.append(
                f"{where}.rank1.m_over_d: every (d, m/d) pair is over-determined "
                "(allowed: m = (m/d) d < d(d+1)/2)"
            )
        for d in rank1["d"]:
            if all(ratio * d >= packed_size(d) for ratio in rank1["m_over_d"]):
                problems.append(
                    f"{where}.rank1: d = {d} has no m/d with m < d(d+1)/2 = {packed_size(d)}"
                )
        net = exp["network"]
        if net["r"] > net["d"]:
            problems.append(f"{where}.network.r: must be <= d = {net['d']}")
        if "gaussian" in net["variants"] and not (
            net["d"] in sensing["d"] and net["r"] == sensing["r"] and 1.0 in sensing["alpha"]
        ):
            problems.append(
                f"{where}.network.variants: the gaussian variant draws its GD panel from the "
                f"sensing run alpha = 1 at d = {net['d']}, r = {net['r']} "
                "(allowed: add them to sensing.d / sensing.alpha, or drop 'gaussian')"
            )
    return problems


# ----------------------------------------------------------------------------- workflow interface
DATA_SOURCES = ["data.py", "papers/matrix_sensing/datasets.py"]


def job_kernels(job: Mapping) -> list[str]:
    return ["matrix"]


def job_sources(job: Mapping) -> list[str]:
    sources = ["papers/matrix_sensing/runs.py", "papers/matrix_sensing/datasets.py"]
    if job.get("min_norm"):
        sources.append("papers/matrix_sensing/solvers.py")
    return sources


def data_key(job: Mapping) -> dict:
    """One draw per (measurement type, d, r, m, repeat): every alpha and method shares it."""
    return {k: job[k] for k in ("measurement", "d", "r", "m")}


def data_params(model: Mapping, wildcards: Mapping) -> dict:
    """Arguments of datasets.problem for the data file named by ``wildcards``."""
    return {
        "measurement": wildcards["measurement"],
        "d": int(wildcards["d"]),
        "r": int(wildcards["r"]),
        "m": int(wildcards["m"]),
        "truth_seed": int(model["truth_seed"]),
        "rep": int(wildcards["seed"]),
    }


def _G_mb(measurement: str, d: int, m: int) -> float:
    if measurement == "rankone":
        return 8 * m * d / 1e6
    return (4 if measurement == "gaussian32" else 8) * m * packed_size(d) / 1e6


def data_mem_mb(model: Mapping, wildcards: Mapping) -> int:
    """The draw holds G once (to measure y and hash it) plus a float64 row block."""
    d, m = int(wildcards["d"]), int(wildcards["m"])
    return int(400 + 1.2 * _G_mb(wildcards["measurement"], d, m))


def resources(job: Mapping, n_seeds: int, settings: Mapping) -> dict:
    """Memory (MB) and runtime (minutes, 3x margin). A GD step makes one pass over G: about
    0.3 ns per float32 entry plus 0.1 ns per entry for each run still in the batch (twice that
    in float64; measured at d = 100 on one core); PGD adds an eigendecomposition (~d^3 / 3e8 s);
    batch-1 SGD costs ~1e-8 d^2 s (network) or ~1e-10 d^3 s (Gaussian) per step."""
    d, m = job["d"], job["m"]
    G_mb = _G_mb(job["measurement"], d, m)
    entries = m * packed_size(d)
    scale = 1e-9 if job["measurement"] == "gaussian32" else 2e-9
    if job["kind"] == "sensing":
        # runs leave the batch as they end
        T = job["T_alpha"]
        seconds = entries * scale * (0.3 * max(T) + 0.1 * sum(T)) + max(T) * 2e-4 * len(T)
        if job.get("min_norm"):
            seconds += m * m * packed_size(d) * 1e-10
    elif job["kind"] == "rank1":
        seconds = job["T"] * (2 * entries * scale * 0.4 + d**3 / 3e8 + 1e-3)
    else:
        per_step = 1e-8 * d * d if job["variant"] == "nn" else 1e-10 * d**3
        gd = job["gd"]["T"] * 4 * m * d * d * 1e-10 if "gd" in job else 0.0
        seconds = job["sgd"]["T"] * per_step + gd + 30
    return {
        "mem_mb": int(600 + 3 * G_mb + 8 * 8 * d * d / 1e6),
        "runtime": int(10 + 3 * n_seeds * seconds / 60),
    }


def cube_settings(settings: Mapping, experiment: str, seeds: list[int]) -> dict:
    """What one experiment ran with, stored in its cube."""
    return sweeps.experiment_record(
        settings, experiment, experiment_seeds(settings, experiment, seeds)
    )
