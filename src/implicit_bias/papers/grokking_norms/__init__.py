"""Paper 004: grokking beyond the Euclidean norm of model parameters. Spec: shared/papers/004.md.

Library part: data generators (datasets.py), least-squares / basis-pursuit baselines (solvers.py)
and the closed-form reference lines and stopping rules (theory.py). The training kernels live in
kernels/diagonal.py (grok_diagonal: sparse recovery, ISTA, projected, depth-L diagonal nets),
kernels/nuclear.py (matrix completion / sensing with the nuclear norm) and
kernels/teacher_student.py (two-layer ReLU teacher-student with l1 / l2 / l* / Sobolev penalties).

Workflow part (config/grokking_norms.yaml): every experiment has a `kind`:
  sparse   vector problems (sparse recovery, depth-L diagonal nets, digit / sinusoid / polynomial);
           one job per s (or per (s, N) with `split: N`) runs methods x alpha x beta1 x beta2 on
           each (N, tau, L) problem for a batch of seeds.
  matrix   matrix completion / sensing with the nuclear norm, one job (or one per N).
  teacher  two-layer ReLU teacher-student (l1 / l2 / l* / Sobolev), one job (or one per alpha).
  nn       modular addition MLP / LSTM and MNIST: paper scale only, GPU-only (see runs.train_nn).
A job names itself by `part` (e.g. `s5`, `s5_N50`, `all`); its data file is the ground truth of
its problem family per seed, which the job redraws and checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import product

from ... import sweeps

KEY = "grokking_norms"
TITLE = "Grokking beyond the Euclidean norm of model parameters"
REFERENCES = (
    "Grokking beyond the Euclidean norm of model parameters, anonymous ICLR submission "
    "(later ICML 2025)"
)
ID_AXES = ("part",)
KINDS = ("sparse", "matrix", "teacher", "nn")
# figure -> experiments (cubes) it draws on; the first is its own.
FIGURES: dict[str, tuple[str, ...]] = {
    "fig1": ("ab_grid",),
    "fig2": ("anatomy",),
    "fig3": ("teacher_student",),
    "fig4": ("completion",),
    "fig5": ("matrix_grid",),
    "fig8": ("n_sweep",),
    "fig9": ("n_sweep",),
    "fig10": ("n_sweep",),
    "fig12": ("ab_grid",),
    "fig13": ("methods",),
    "fig14": ("methods",),
    "fig25": ("no_understanding",),
    "fig27": ("coherence",),
    "fig29": ("coherence",),
    "fig30": ("depth_small",),
    "fig31": ("depth_small",),
    "fig33": ("depth_large",),
    "fig36": ("digit",),
    "fig38": ("sinusoid",),
    "fig41": ("polynomial",),
    "fig42": ("matrix_grid",),
    "fig43": ("sensing",),
    "fig45": ("matrix_coherence",),
    "fig50": ("sobolev",),
}
# Experiments the claims read (the GPU-only nn experiments have no cube at quick scale).
CHECKED = (
    "anatomy",
    "ab_grid",
    "n_sweep",
    "no_understanding",
    "coherence",
    "depth_small",
    "depth_large",
    "digit",
    "completion",
    "matrix_grid",
    "matrix_coherence",
    "teacher_student",
    "methods",
    "sinusoid",
    "polynomial",
    "sensing",
    "sobolev",
)
SIGNALS = ("random", "digit", "sinusoid", "polynomial")
SPARSE_METHODS = ("subgradient", "ista", "projected")
MATRIX_METHODS = ("subgradient", "svt", "projected")
TS_PENALTIES = ("l1", "l2", "nuc", "sobolev")


def _as_list(value, length: int) -> list:
    return list(value) if isinstance(value, list) else [value] * length


def _T_of(spec: Mapping, alpha: float, beta: float, T: int) -> int:
    """T = min(T, ceil(T_scale / (alpha beta))) when T_scale is set (spec section 6)."""
    scale = spec.get("T_scale")
    if scale and beta > 0:
        return int(min(T, math.ceil(scale / (alpha * beta))))
    return int(T)


def truth_key(spec: Mapping, model: Mapping, s: int | None = None) -> str:
    """The ground truth a problem is drawn around: its data file (one per seed)."""
    kind = spec["kind"]
    if kind == "sparse":
        signal = spec.get("signal", "random")
        if signal == "random":
            return f"sparse_n{model['n']}_s{s}"
        if signal == "polynomial":
            return f"polynomial_m{spec.get('m', 10)}_s{s}"
        return signal
    if kind == "matrix":
        return f"matrix_{spec.get('n1', 10)}x{spec.get('n2', 10)}_r{spec.get('r', 2)}"
    if kind == "teacher":
        return f"teacher_d{spec.get('d', 100)}_r{spec['r']}_c{spec.get('c', 2)}"
    return f"nn_{spec['task']}"


def _sparse_jobs(name: str, spec: Mapping, model: Mapping) -> list[dict]:
    L = list(spec.get("L", [1]))
    zeta = _as_list(spec["zeta"], len(L))
    T_L = _as_list(spec["T"], len(L))
    signal = spec.get("signal", "random")
    s_list = list(spec.get("s", [5])) if signal in ("random", "polynomial") else [0]
    tau = [float(t) for t in spec.get("tau", [0.0])]
    alpha = [float(a) for a in spec["alpha"]]
    beta1 = [float(b) for b in spec.get("beta1", [0.0])]
    beta2 = [float(b) for b in spec.get("beta2", [0.0])]
    methods = list(spec.get("methods", ["subgradient"]))
    common = {
        "kind": "sparse",
        "signal": signal,
        "n": int(model["n"]),
        "x_var": model["x_var"],
        "init": model["init"],
        "coherent": model["coherent"],
        "eps1": float(spec.get("eps1", model["eps1"])),
        "eps2": float(spec.get("eps2", model["eps2"])),
        "alpha_rule": spec.get("alpha_rule", "fixed"),
        "snaps": bool(spec.get("snaps", False)),
        "m": int(spec.get("m", 10)),
    }
    jobs = []
    for s in s_list:
        groups = [list(spec["N"])] if spec.get("split") != "N" else [[N] for N in spec["N"]]
        for Ns in groups:
            runs = []
            for N, t, (k, depth) in product(Ns, tau, enumerate(L)):
                for method, a, b1, b2 in product(methods, alpha, beta1, beta2):
                    if depth > 1 and method != "subgradient":
                        continue
                    runs.append(
                        {
                            "N": int(N),
                            "tau": t,
                            "L": int(depth),
                            "zeta": float(zeta[k]),
                            "method": method,
                            "alpha": a,
                            "beta1": b1,
                            "beta2": b2,
                            "T": _T_of(spec, a, b1, T_L[k]),
                        }
                    )
            part = (f"s{s}" if signal != "digit" and signal != "sinusoid" else signal) + (
                f"_N{Ns[0]}" if spec.get("split") == "N" else ""
            )
            jobs.append(
                {
                    **common,
                    "part": part,
                    "s": int(s),
                    "truth": truth_key(spec, model, s),
                    "runs": runs,
                }
            )
    return jobs


def _matrix_jobs(name: str, spec: Mapping, model: Mapping) -> list[dict]:
    tau = [float(t) for t in spec.get("tau", [0.0])]
    methods = list(spec.get("methods", ["subgradient"]))
    common = {
        "kind": "matrix",
        "problem": spec["problem"],
        "n1": int(spec.get("n1", 10)),
        "n2": int(spec.get("n2", 10)),
        "r": int(spec.get("r", 2)),
        "sv": model["sv"],
        "init": model["matrix_init"],
        "zeta": float(spec["zeta"]),
        "eps1": float(spec.get("eps1", model["eps1"])),
        "eps2": float(spec.get("eps2", model["eps2"])),
        "truth": truth_key(spec, model),
    }
    groups = [list(spec["N"])] if spec.get("split") != "N" else [[N] for N in spec["N"]]
    jobs = []
    for Ns in groups:
        runs = [
            {
                "N": int(N),
                "tau": t,
                "method": method,
                "alpha": float(a),
                "beta_star": float(b),
                "T": _T_of(spec, float(a), float(b), spec["T"]),
            }
            for N, t, method, a, b in product(Ns, tau, methods, spec["alpha"], spec["beta_star"])
        ]
        part = f"N{Ns[0]}" if spec.get("split") == "N" else "all"
        jobs.append({**common, "part": part, "runs": runs})
    return jobs


def _teacher_jobs(name: str, spec: Mapping, model: Mapping) -> list[dict]:
    penalty = spec["penalty"]
    if penalty == "l2":
        penalty = model["penalty_l2"]
    common = {
        "kind": "teacher",
        "d": int(spec.get("d", 100)),
        "r": int(spec["r"]),
        "c": int(spec.get("c", 2)),
        "N": int(spec.get("N", 100)),
        "N_test": int(spec.get("N_test", 1000)),
        "penalty": penalty,
        "optimizer": spec.get("optimizer", "adam"),
        "T": int(spec["T"]),
        "truth": truth_key(spec, model),
    }
    alphas = [float(a) for a in spec["alpha"]]
    groups = [alphas] if spec.get("split") != "alpha" else [[a] for a in alphas]
    jobs = []
    for k, group in enumerate(groups):
        runs = [{"alpha": a, "beta": float(b)} for a in group for b in spec["beta"]]
        part = "all" if len(groups) == 1 else f"alpha{k}"
        jobs.append({**common, "part": part, "runs": runs})
    return jobs


def _nn_jobs(name: str, spec: Mapping, model: Mapping) -> list[dict]:
    return [
        {
            "kind": "nn",
            "part": f"{m}_{p}",
            "task": spec["task"],
            "model": m,
            "penalty": p,
            "alpha": [float(a) for a in spec["alpha"]],
            "epochs": int(spec["epochs"]),
            "truth": truth_key(spec, model),
        }
        for m in spec["models"]
        for p in spec["penalties"]
    ]


def sweep(section: Mapping, scale: str, experiment: str) -> list[dict]:
    """The training jobs of one experiment at one scale."""
    experiments = section[scale]["experiments"]
    if experiment not in experiments:
        allowed = ", ".join(experiments)
        raise ValueError(f"unknown experiment {experiment!r} at scale {scale} (allowed: {allowed})")
    spec, model = experiments[experiment], section["model"]
    build = {
        "sparse": _sparse_jobs,
        "matrix": _matrix_jobs,
        "teacher": _teacher_jobs,
        "nn": _nn_jobs,
    }[spec["kind"]]
    return build(experiment, spec, model)


def experiments(section: Mapping, scale: str) -> list[str]:
    return list(section[scale]["experiments"])


def experiment_seeds(settings: Mapping, experiment: str, seeds: list[int]) -> list[int]:
    """Every configured seed (`seeds: all`) or the first one (`first`, single-run figures)."""
    which = settings["experiments"][experiment].get("seeds", "all")
    return list(seeds if which == "all" else seeds[:1])


def figure_list(section: Mapping, scale: str) -> list[str]:
    """Figures whose experiments this scale runs (every figure at both scales)."""
    have = set(section[scale]["experiments"])
    return [fig for fig, exps in FIGURES.items() if all(e in have for e in exps)]


def figure_inputs(figure: str) -> list[str]:
    """The experiments (cubes) a figure draws from."""
    return list(FIGURES[figure])


def claims_experiments(section: Mapping, scale: str) -> list[str]:
    have = set(section[scale]["experiments"])
    return [e for e in CHECKED if e in have]


def check(section: Mapping) -> list[str]:
    """Problems a schema cannot express, as one-line messages."""
    problems = []
    n = section["model"]["n"]
    for scale in ("quick", "paper"):
        exps = section[scale]["experiments"]
        where = f"{KEY}.{scale}.experiments"
        missing = [e for e in CHECKED if e not in exps]
        if missing:
            problems.append(
                f"{where}: missing experiment(s) {', '.join(missing)} "
                f"(allowed: every one of {', '.join(CHECKED)})"
            )
        for name, spec in exps.items():
            kind = spec["kind"]
            if kind == "sparse":
                L = spec.get("L", [1])
                for key in ("zeta", "T"):
                    if isinstance(spec.get(key), list) and len(spec[key]) != len(L):
                        problems.append(
                            f"{where}.{name}.{key}: {len(spec[key])} values for {len(L)} depths "
                            "(allowed: one value, or one per entry of L)"
                        )
                signal = spec.get("signal", "random")
                if signal == "random":
                    for s in spec.get("s", [5]):
                        if s > n:
                            problems.append(f"{where}.{name}.s: {s} > n = {n} (allowed: 1..n)")
                methods = spec.get("methods", ["subgradient"])
                if "projected" in methods:
                    big = [N for N in spec["N"] if N > (n if signal == "random" else 10**9)]
                    if big:
                        problems.append(
                            f"{where}.{name}.N: projected subgradient needs N <= n = {n}, got {big}"
                        )
                if max(L) > 1 and any(m != "subgradient" for m in methods):
                    problems.append(
                        f"{where}.{name}.methods: depth L > 1 runs only 'subgradient' "
                        f"(allowed: [subgradient] with L = {L})"
                    )
            elif kind == "matrix":
                n12 = spec.get("n1", 10) * spec.get("n2", 10)
                big = [N for N in spec["N"] if N > n12]
                if big:
                    problems.append(
                        f"{where}.{name}.N: {big} exceeds n1 n2 = {n12} (allowed: 1..n1 n2)"
                    )
            elif kind == "nn" and scale == "quick":
                problems.append(
                    f"{where}.{name}: kind 'nn' is GPU-only (allowed at scale paper only)"
                )
    return problems


# ----------------------------------------------------------------------------- workflow interface
DATA_SOURCES = ["data.py", "papers/grokking_norms/datasets.py", "papers/grokking_norms/runs.py"]


def job_kernels(job: Mapping) -> list[str]:
    return {"sparse": ["diagonal"], "matrix": ["nuclear"]}.get(job["kind"], [])


def job_sources(job: Mapping) -> list[str]:
    sources = [
        "papers/grokking_norms/runs.py",
        "papers/grokking_norms/datasets.py",
        "papers/grokking_norms/solvers.py",
        "papers/grokking_norms/theory.py",
    ]
    if job["kind"] == "teacher":
        sources.append("kernels/teacher_student.py")
    return sources


def data_key(job: Mapping) -> dict:
    """One ground truth per (family, seed): every N, tau, method and step size shares it."""
    return {"truth": job["truth"]}


def data_params(model: Mapping, wildcards: Mapping) -> dict:
    return {"truth": wildcards["truth"], "seed": int(wildcards["seed"]), "model": dict(model)}


def data_mem_mb(model: Mapping, wildcards: Mapping) -> int:
    return 500


def _steps(job: Mapping) -> float:
    if job["kind"] == "sparse":
        return sum(r["T"] * r["N"] * job["n"] * r["L"] for r in job["runs"]) * 1.5e-9
    if job["kind"] == "matrix":
        return sum(r["T"] for r in job["runs"]) * 3e-5
    if job["kind"] == "teacher":
        per = 4e-6 * job["r"] * (3 if job["penalty"] == "sobolev" else 1)
        return len(job["runs"]) * job["T"] * per
    return 3600.0


def resources(job: Mapping, n_seeds: int, settings: Mapping) -> dict:
    """Memory (MB) and runtime (minutes, 3x margin): measured costs per step on one core, about
    1.5 ns per N n L entry (vectors), 20-30 us per SVD step (10 x 10), 1.5 ms at r = 500 (TS)."""
    log_mb = 8 * 12 * 2 * sum(len(job.get("runs", [])) for _ in range(1)) * 1e4 / 1e6
    return {
        "mem_mb": int(800 + n_seeds * log_mb),
        "runtime": int(10 + 3 * n_seeds * _steps(job) / 60),
    }


def cube_settings(settings: Mapping, experiment: str, seeds: list[int]) -> dict:
    """What one experiment ran with, stored in its cube."""
    return sweeps.experiment_record(
        settings, experiment, experiment_seeds(settings, experiment, seeds)
    )
