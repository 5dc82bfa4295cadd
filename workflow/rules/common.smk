# Config helpers, wildcard constraints and sweep expansion shared by every paper.
import importlib
from pathlib import Path

import implicit_bias
from implicit_bias import sweeps

SCALE = config["scale"]
SEEDS = config["seeds"]
PACKAGE_DIR = Path(implicit_bias.__file__).resolve().parent


wildcard_constraints:
    experiment=r"[a-z_]+",
    config_id=r"[A-Za-z0-9_\-]+",
    seeds=r"s\d+(_\d+)*",
    d=r"\d+",
    seed=r"\d+",


def package_files(*names):
    """Absolute paths of package sources, listed as inputs so an edit reruns what uses them."""
    return [str(PACKAGE_DIR / name) for name in names]


def paper_module(paper):
    return importlib.import_module(f"implicit_bias.papers.{paper}")


def scale_config(paper):
    """The paper's model constants and the sweeps of the configured scale."""
    section = config[paper]
    return {"scale": SCALE, "model": section["model"], **section[SCALE]}


def expand_sweep(paper, experiment):
    """{config_id: job} for one experiment: the sweep defined once in config/<paper>.yaml."""
    paper_mod = paper_module(paper)
    jobs = {}
    for job in paper_mod.sweep(config[paper], SCALE, experiment):
        cid = sweeps.config_id({axis: job[axis] for axis in paper_mod.ID_AXES})
        jobs[cid] = job
    return jobs


def seed_batches(paper, experiment):
    seeds = paper_module(paper).experiment_seeds(experiment, SEEDS)
    return [sweeps.chunk_label(c) for c in sweeps.seed_chunks(seeds, config["seeds_per_job"])]


def run_files(paper, experiment):
    """Every per-job result file of one experiment."""
    return [
        f"results/{paper}/runs/{experiment}/{cid}/{batch}.nc"
        for cid in expand_sweep(paper, experiment)
        for batch in seed_batches(paper, experiment)
    ]


def paper_targets(paper):
    """Figures and the claims file of one paper (its target rule's inputs)."""
    paper_mod = paper_module(paper)
    figures = [
        f"results/figures/{paper}/{fig}.{ext}" for fig in paper_mod.FIGURES for ext in ("pdf", "png")
    ]
    return figures + [f"results/{paper}/claims.csv"]


rule compile_kernels:
    """Compile the Numba kernels once, so parallel training jobs load them from the cache."""
    input:
        package_files("kernels/diagonal.py", "kernels/lasso.py", "kernels/warmup.py"),
    output:
        "results/.kernels/compiled.txt",
    log:
        "logs/compile_kernels.log",
    script:
        "../scripts/compile_kernels.py"
