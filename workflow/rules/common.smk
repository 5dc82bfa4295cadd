# Config helpers, wildcard constraints and sweep expansion shared by every paper.
# Rule files hold rules only; each input/params/resources function they need is built here
# from the paper's module (src/implicit_bias/papers/<paper>/).
import importlib
from pathlib import Path

import implicit_bias
from implicit_bias import sweeps

SCALE = config["scale"]
SEEDS = config["seeds"]
PACKAGE_DIR = Path(implicit_bias.__file__).resolve().parent


wildcard_constraints:
    experiment=r"[a-z][a-z0-9_]*",
    config_id=r"[A-Za-z0-9_\-]+",
    seeds=r"s\d+(_\d+)*",
    d=r"\d+",
    mu=r"\d+",
    seed=r"\d+",
    kernel=r"[a-z_]+",


def package_files(*names):
    """Absolute paths of package sources, listed as inputs so an edit reruns what uses them."""
    return [str(PACKAGE_DIR / name) for name in names]


def paper_module(paper):
    return importlib.import_module(f"implicit_bias.papers.{paper}")


def scale_config(paper):
    """The paper's model constants and the sweeps of the configured scale."""
    section = config[paper]
    return {"scale": SCALE, "model": section["model"], **section[SCALE]}


_SWEEPS = {}


def expand_sweep(paper, experiment):
    """{config_id: job} for one experiment: the sweep defined once in config/<paper>.yaml."""
    if (paper, experiment) not in _SWEEPS:
        paper_mod = paper_module(paper)
        jobs = {}
        for job in paper_mod.sweep(config[paper], SCALE, experiment):
            # A job names itself by the ID_AXES it has (experiments may differ in axes).
            axes = {axis: job[axis] for axis in paper_mod.ID_AXES if axis in job}
            jobs[sweeps.config_id(axes)] = job
        _SWEEPS[paper, experiment] = jobs
    return _SWEEPS[paper, experiment]


def seed_batches(paper, experiment):
    settings = scale_config(paper)
    seeds = paper_module(paper).experiment_seeds(settings, experiment, SEEDS)
    return [
        sweeps.chunk_label(c)
        for c in sweeps.seed_chunks(seeds, config["seeds_per_job"])
    ]


def run_files(paper, experiment):
    """Every per-job result file of one experiment."""
    return [
        f"results/{paper}/runs/{experiment}/{cid}/{batch}.nc"
        for cid in expand_sweep(paper, experiment)
        for batch in seed_batches(paper, experiment)
    ]


def paper_targets(paper):
    """Figures and the claims file of one paper (its target rule's inputs)."""
    figures = [
        f"results/figures/{paper}/{fig}.{ext}"
        for fig in paper_module(paper).figure_list(config[paper], SCALE)
        for ext in ("pdf", "png")
    ]
    return figures + [f"results/{paper}/claims.csv"]


def kernel_flags(*kernels):
    """Inputs that make a training job wait for its kernels to be compiled once."""
    return [f"results/.kernels/{kernel}.txt" for kernel in kernels]


# ---------------------------------------------------------------- input functions of the rules
def _job(paper, wildcards):
    return expand_sweep(paper, wildcards.experiment)[wildcards.config_id]


def training_params(paper):
    """Hyperparameters of one training job: its rerun trigger and cache key."""

    def params(wildcards):
        return {
            **_job(paper, wildcards),
            "experiment": wildcards.experiment,
            "seeds": sweeps.parse_chunk(wildcards.seeds),
        }

    return params


def training_data(paper, pattern):
    """The data files (``pattern`` formatted with the job's data key and a seed) a job reads."""

    def files(wildcards):
        key = paper_module(paper).data_key(_job(paper, wildcards))
        return [
            pattern.format(**key, seed=s) for s in sweeps.parse_chunk(wildcards.seeds)
        ]

    return files


def training_code(paper):
    """Kernel and package sources a job runs: editing one re-trains the jobs that use it."""

    def files(wildcards):
        paper_mod, job = paper_module(paper), _job(paper, wildcards)
        kernels = [f"kernels/{k}.py" for k in paper_mod.job_kernels(job)]
        return package_files(*kernels, *paper_mod.job_sources(job))

    return files


def training_kernels(paper):
    def files(wildcards):
        return kernel_flags(*paper_module(paper).job_kernels(_job(paper, wildcards)))

    return files


def training_resource(paper, name):
    def value(wildcards):
        n_seeds = len(sweeps.parse_chunk(wildcards.seeds))
        job = _job(paper, wildcards)
        return paper_module(paper).resources(job, n_seeds, scale_config(paper))[name]

    return value


def data_params(paper):
    def params(wildcards):
        return paper_module(paper).data_params(config[paper]["model"], dict(wildcards))

    return params


def data_mem_mb(paper):
    def value(wildcards):
        return paper_module(paper).data_mem_mb(config[paper]["model"], dict(wildcards))

    return value


def cube_runs(paper):
    def files(wildcards):
        return run_files(paper, wildcards.experiment)

    return files


def cube_params(paper):
    def params(wildcards):
        paper_mod = paper_module(paper)
        return paper_mod.cube_settings(scale_config(paper), wildcards.experiment, SEEDS)

    return params


def settings_params(paper):
    def params(wildcards):
        return scale_config(paper)

    return params


def figure_reference(paper):
    """Cubes a figure needs besides its own (e.g. Fig. 4 of paper 001 redraws Fig. 1's D = 2)."""

    def files(wildcards):
        name = (
            wildcards.figure if hasattr(wildcards, "figure") else wildcards.experiment
        )
        extra = paper_module(paper).figure_inputs(name)
        return [f"results/{paper}/cube_{name}.nc" for name in extra]

    return files
