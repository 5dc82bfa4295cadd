"""Paper 003: Ma & Fattahi (NeurIPS 2022), "Blessing of depth in linear regression: deeper models
have flatter landscape around the true solution". Spec: shared/papers/003.md.

Experiments (config/blessing_of_depth.yaml; spec section 0):
  landscape (E1, Fig. 1 top), decrease (E1b, fig1_lp), constant (E2, Fig. 1 bottom),
  decay (E3, Fig. 3), geometric and speedup (E4, Fig. 4), matrix (E5, Fig. 2 top),
  relu (E6, Fig. 2 bottom), digits (E7p, table1_digits), lad (E8, table_lad),
  timescales (E9, fig_timescales), balance (balancedness, fig_balance).
Models: the N-layer diagonal network on the l1 loss (kernels/diagonal.py), deep matrix
factorization (kernels/deep_matrix.py), deep ReLU nets and the digits MLP (kernels/relu_net.py).
E7 (ResNets on CIFAR, Table 1) needs a GPU and the CIFAR files: a paper-scale rule that stops
with one line when the data are absent, never part of the targets.
"""

from __future__ import annotations

from collections.abc import Mapping

from ... import sweeps

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
EXPERIMENTS = (
    "landscape",
    "decrease",
    "constant",
    "decay",
    "geometric",
    "speedup",
    "matrix",
    "relu",
    "digits",
    "lad",
    "timescales",
    "balance",
)
ID_AXES = ("part", "N")  # a job is one depth N, or the whole experiment (part "all")
DATASETS = ("regression", "matrix", "relu", "digits")
DATASET = {e: "regression" for e in EXPERIMENTS} | {
    "matrix": "matrix",
    "relu": "relu",
    "digits": "digits",
}
# figure -> the experiments (cubes) it draws; paper figures are figN, the others say what they show
FIGURES = {
    "fig1": ["landscape", "constant"],
    "fig1_lp": ["decrease"],
    "fig2": ["matrix", "relu"],
    "fig3": ["decay", "constant"],
    "fig4": ["geometric", "speedup"],
    "fig_timescales": ["timescales"],
    "fig_balance": ["balance"],
    "table_lad": ["lad"],
    "table1_digits": ["digits"],
}
PER_DEPTH = ("constant", "decay", "geometric", "matrix", "relu", "timescales", "balance")


def _base(experiment: str, model: Mapping) -> dict:
    return {
        "kind": experiment,
        "dataset": DATASET[experiment],
        "log_per_decade": int(model["log_per_decade"]),
    }


def sweep(section: Mapping, scale: str, experiment: str) -> list[dict]:
    """The training jobs of one experiment at one scale: one per depth, or one for all."""
    experiments = section[scale]["experiments"]
    if experiment not in experiments:
        allowed = ", ".join(experiments)
        raise ValueError(f"unknown experiment {experiment!r} at scale {scale} (allowed: {allowed})")
    spec, model = dict(experiments[experiment]), section["model"]
    spec.pop("reps", None)
    base = _base(experiment, model)
    if experiment == "geometric":
        depths = sorted({int(r["N"]) for r in spec["runs"]})
        return [
            {
                **base,
                "N": N,
                "init_convention": spec["init_convention"],
                "log_points": int(model["log_points"]),
                "runs": [
                    {
                        k: float(r[k]) if k != "T" else int(r[k])
                        for k in ("alpha", "eta0", "rho", "T")
                    }
                    for r in spec["runs"]
                    if int(r["N"]) == N
                ],
            }
            for N in depths
        ]
    if experiment == "balance":
        return [
            {
                **base,
                "N": int(N),
                "T": int(T),
                "alpha": float(spec["alpha"]),
                "eta": float(spec["eta"]),
            }
            for N, T in zip(spec["N"], spec["T"], strict=True)
        ]
    if experiment == "relu":
        deepest = max(spec["N"])
        clean = spec.pop("clean_reference")
        return [
            {**base, **{k: v for k, v in spec.items() if k != "N"}, "N": int(N),
             "clean": bool(clean and N == deepest)}
            for N in spec["N"]
        ]  # fmt: skip
    if experiment in PER_DEPTH:
        return [
            {**base, **{k: v for k, v in spec.items() if k != "N"}, "N": int(N)} for N in spec["N"]
        ]
    job = {**base, "part": "all", **spec}
    if "N" in job and isinstance(job["N"], list):
        job["depths"] = [int(n) for n in job.pop("N")]
    return [job]


def experiment_seeds(settings: Mapping, experiment: str, seeds: list[int]) -> list[int]:
    """The seeds of an experiment: its leading ``reps`` configured seeds, or all of them."""
    return sweeps.leading_seeds(seeds, settings["experiments"][experiment].get("reps"))


def figure_list(section: Mapping, scale: str) -> list[str]:
    return list(FIGURES)


def figure_inputs(figure: str) -> list[str]:
    """The experiments (cubes) a figure draws from."""
    return list(FIGURES[figure])


def check(section: Mapping) -> list[str]:
    """Problems a schema cannot express, as one-line messages."""
    problems = []
    for scale in ("quick", "paper"):
        where = f"{KEY}.{scale}.experiments"
        exp = section[scale]["experiments"]
        land = exp["landscape"]
        if land["grid"] % 2 == 0:
            problems.append(
                f"{where}.landscape.grid: {land['grid']} is even (allowed: an odd count, so a = 0 "
                "lies on the grid)"
            )
        if min(exp["relu"]["N"]) < 2:
            problems.append(f"{where}.relu.N: {exp['relu']['N']} (allowed: depths N >= 2)")
        decay = exp["decay"]
        if any(t >= decay["T"] for t in decay["milestones"]):
            problems.append(
                f"{where}.decay.milestones: {decay['milestones']} (allowed: steps < T = "
                f"{decay['T']})"
            )
        bal = exp["balance"]
        if len(bal["T"]) != len(bal["N"]):
            problems.append(
                f"{where}.balance.T: {len(bal['T'])} values for {len(bal['N'])} depths "
                "(allowed: one T per N)"
            )
        runs = exp["geometric"]["runs"]
        pairs = [(r["N"], r["alpha"]) for r in runs]
        if len(set(pairs)) != len(pairs):
            problems.append(
                f"{where}.geometric.runs: repeated (N, alpha) (allowed: each pair at most once)"
            )
        if len(exp["timescales"]["alpha"]) < 3:
            problems.append(
                f"{where}.timescales.alpha: {exp['timescales']['alpha']} (allowed: at least 3 "
                "values, for the onset fit)"
            )
    reg = section["model"]["regression"]
    if reg["k"] > reg["d"]:
        problems.append(f"{KEY}.model.regression.k: {reg['k']} (allowed: k <= d = {reg['d']})")
    mat = section["model"]["matrix"]
    if mat["r"] > mat["d"]:
        problems.append(f"{KEY}.model.matrix.r: {mat['r']} (allowed: r <= d = {mat['d']})")
    rel = section["model"]["relu"]
    if rel["k"] > rel["d"]:
        problems.append(f"{KEY}.model.relu.k: {rel['k']} (allowed: k <= d = {rel['d']})")
    return problems


# ----------------------------------------------------------------------------- workflow interface
DATA_SOURCES = ["data.py", "papers/blessing_of_depth/datasets.py"]
KERNELS = {
    "constant": ["diagonal"],
    "decay": ["diagonal"],
    "geometric": ["diagonal"],
    "speedup": ["diagonal"],
    "timescales": ["diagonal"],
    "balance": ["diagonal"],
    "matrix": ["deep_matrix"],
}


def job_kernels(job: Mapping) -> list[str]:
    """Numba kernel modules the job compiles (the compile rule runs them once first)."""
    return list(KERNELS.get(job["kind"], []))


def job_sources(job: Mapping) -> list[str]:
    """Package sources a job runs besides its Numba kernels."""
    sources = ["papers/blessing_of_depth/runs.py", "papers/blessing_of_depth/datasets.py"]
    kind = job["kind"]
    if kind in ("landscape", "decrease", "lad"):
        sources.append("papers/blessing_of_depth/solvers.py")
    if kind in ("constant", "timescales", "lad"):
        sources.append("papers/blessing_of_depth/theory.py")
    if kind in ("relu", "digits"):
        sources.append("kernels/relu_net.py")
    return sources


def data_key(job: Mapping) -> dict:
    """One draw per (data set, seed), shared by every job that uses it."""
    return {"dataset": job["dataset"]}


def data_params(model: Mapping, wildcards: Mapping) -> dict:
    """Arguments of the data rule for the file named by ``wildcards``."""
    dataset = wildcards["dataset"]
    return {"dataset": dataset, "seed": int(wildcards["seed"]), **model[dataset]}


def data_mem_mb(model: Mapping, wildcards: Mapping) -> int:
    spec = model[wildcards["dataset"]]
    if wildcards["dataset"] == "regression":
        floats = spec["m"] * spec["d"]
    elif wildcards["dataset"] == "matrix":
        floats = spec["m"] * spec["d"] ** 2
    elif wildcards["dataset"] == "relu":
        floats = (spec["m"] + spec["m_test"]) * spec["d"]
    else:
        floats = 1797 * 64
    return int(400 + 3 * 8 * floats / 1e6)


def resources(job: Mapping, n_seeds: int, settings: Mapping) -> dict:
    """Memory (MB) and runtime (minutes, 3x margin) from spec section 7: diagonal SubGM costs
    ~2 m d ns per step, deep matrix ~0.05 ms, ReLU ~(m h (d + (N-2) h)) ns, an LP ~1 s."""
    reg = settings["model"]["regression"]
    step = 2e-9 * reg["m"] * reg["d"] + 1e-6
    kind = job["kind"]
    if kind in ("constant", "decay", "balance"):
        seconds = job["T"] * step
    elif kind == "geometric":
        seconds = sum(r["T"] for r in job["runs"]) * step
    elif kind == "speedup":
        seconds = 2 * job["T"] * step
    elif kind == "timescales":
        seconds = len(job["alpha"]) * job["T"] * step
    elif kind == "matrix":
        seconds = job["T"] * 6e-5
    elif kind == "relu":
        rel = settings["model"]["relu"]
        flops = 3 * rel["m"] * job["h"] * (rel["d"] + (job["N"] - 2) * job["h"] + 1)
        seconds = job["T"] * flops * 1e-9 * (2 if job.get("clean") else 1)
    elif kind == "digits":
        seconds = 2 * len(job["depths"]) * job["epochs"] * 0.3
    else:
        seconds = 60.0
    return {"mem_mb": 1000, "runtime": int(10 + 3 * n_seeds * seconds / 60)}


def cube_settings(settings: Mapping, experiment: str, seeds: list[int]) -> dict:
    """What one experiment ran with, stored in its cube."""
    return sweeps.experiment_record(
        settings, experiment, experiment_seeds(settings, experiment, seeds)
    )
