"""Training jobs and cubes of paper 001.

A job runs the alpha x eta grid of one panel (mu, D) of one figure on a batch of seeds, after
computing the panel's references on each draw: the l1 and l2 interpolators, min lambda_max over
interpolators (whose 2/minlam = eta* scales the relative step sizes), the minimal stability
measure and the gradient-flow prediction for each alpha.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ...progress import Progress, run_label
from ...store import STATUS_CODES, cf, provenance, status_attrs
from . import ID_AXES, KEY, REFERENCES, TITLE, solvers
from .datasets import as_problem, test_excess

RUN_ATTRS = {
    "test_excess": ("test loss E_x[(beta - beta*)^T x]^2 (excess risk)", "1"),
    "train_loss": ("final training loss L", "1"),
    "iterations": ("GD steps T_end", "1"),
    "warmup_steps": ("length T_w of the linear warm-up used", "1"),
    "kicks": ("kicks off a frozen unstable minimum", "1"),
    "lam_max": ("lambda_max of the Hessian at the solution", "1"),
    "S": ("stability measure <u+^2 + u-^2, 4 (E x)^2> (Lemma 4.1 lower bound)", "1"),
    "UB": ("<u+^2 + u-^2, 4 E(x^2)> (Lemma 4.1 upper bound)", "1"),
    "W": ("||beta o 4 (E x)^2||_1 (Theorem 4.2)", "1"),
    "beta_l1_norm": ("||beta||_1", "1"),
    "dist_l1": ("||beta - beta_l1||_1 / ||beta_l1||_1", "1"),
    "dist_l2": ("||beta - beta_l2||_2 / ||beta_l2||_2", "1"),
    "effective_alpha": ("mean sqrt(u+ u-) at the end (effective initialization)", "1"),
    "effective_gf_test_excess": (
        "test loss of the hypentropy interpolator with a = u+ u- (end)",
        "1",
    ),
    "eta": ("step size eta", "1"),
    "l1_test_excess": ("test loss of the min-l1 interpolator", "1"),
    "l2_test_excess": ("test loss of the min-l2 interpolator", "1"),
    "l1_norm": ("||beta_l1||_1", "1"),
    "l1_lam_max": ("lambda_max at the min-l1 interpolator", "1"),
    "min_lam_max": ("min over interpolators of lambda_max (minlam)", "1"),
    "min_stability": ("min over interpolators of the stability measure (minS)", "1"),
    "eta_star": ("eta* = 2 / minlam", "1"),
    "gf_test_excess": ("test loss of the gradient-flow (eta -> 0) limit", "1"),
}


def eta_labels(job: Mapping) -> list[str]:
    """Coordinate labels of the step sizes: absolute values, then multiples of eta*."""
    return [f"{e:g}" for e in job["eta_abs"]] + [f"{f:g} eta*" for f in job["eta_rel"]]


def _references(prob: Mapping, job: Mapping) -> dict:
    X, y, bs = prob["X"], prob["y"], prob["beta_star"]
    D, uv = job["D"], job["model"] == "uv"
    beta_l1, beta_l2 = solvers.l1_baseline(X, y), solvers.l2_baseline(X, y)
    minlam, _ = solvers.min_lambda_max(X, y, D, beta0=beta_l1, model="uv" if uv else "diag")
    min_s = solvers.min_stability_measure(X, y, D)[0] if D == 2 else math.nan
    shape = prob["z_init"] if job["shape"] == "normal" else np.ones(X.shape[1])
    gf = []
    for alpha in job["alpha"]:
        # The UV model with u = v follows the D = 2 model at half the step: same flow limit.
        scale = (alpha * np.abs(shape)) ** D
        try:
            gf.append(
                test_excess(
                    solvers.gf_prediction(X, y, D=D, scale=scale), bs, prob["mu"], prob["sigma_x2"]
                )
            )
        except RuntimeError:
            gf.append(math.nan)
    ex = {"mu": prob["mu"], "sigma_x2": prob["sigma_x2"]}
    return {
        "beta_l1": beta_l1,
        "beta_l2": beta_l2,
        "l1_test_excess": test_excess(beta_l1, bs, **ex),
        "l2_test_excess": test_excess(beta_l2, bs, **ex),
        "l1_norm": float(np.abs(beta_l1).sum()),
        "l1_lam_max": solvers.lambda_max_beta(X, beta_l1, D) * (0.5 if uv else 1.0),
        "min_lam_max": minlam,
        "min_stability": min_s,
        "eta_star": 2.0 / minlam,
        "gf_test_excess": np.array(gf),
        "shape": shape,
    }


def _train_grid(prob, ref, job, alphas, etas, seed, progress: Progress | None = None) -> list:
    """Every (alpha, eta) run of one draw as one batch (kernels.diagonal.train_diagonal_nets)."""
    from ...kernels.diagonal import train_diagonal_nets

    return train_diagonal_nets(
        prob["X"],
        prob["y"],
        alphas,
        etas,
        D=job["D"],
        model=job["model"],
        init_shape=ref["shape"],
        warmup=(job["warmup_min"], job["warmup_factor"]),
        tol=job["tol"],
        max_extra_steps=job["max_extra_steps"],
        kick_seed=seed,
        progress=progress,
    )


def _summary(prob, ref, job, res) -> dict:
    """The cube's per-run variables from one train_diagonal_net result."""
    X, y = prob["X"], prob["y"]
    beta = res["beta"]
    out = {
        "status": res["status_code"],
        "test_excess": test_excess(beta, prob["beta_star"], prob["mu"], prob["sigma_x2"]),
        "train_loss": res["loss"],
        "iterations": res["t_end"],
        "warmup_steps": res["T_w_used"],
        "kicks": res["kicks"],
        "lam_max": res["lam_max"],
        "S": res["S"],
        "UB": res["UB"],
        "W": res["W"],
        "beta_l1_norm": float(np.abs(beta).sum()),
        "dist_l1": float(np.abs(beta - ref["beta_l1"]).sum() / np.abs(ref["beta_l1"]).sum()),
        "dist_l2": float(np.linalg.norm(beta - ref["beta_l2"]) / np.linalg.norm(ref["beta_l2"])),
        "effective_alpha": math.nan,
        "effective_gf_test_excess": math.nan,
    }
    if job["model"] == "depth" and job["D"] == 2 and res["status"] == "converged":
        product = res["params"]["u_p"] * res["params"]["u_m"]
        out["effective_alpha"] = float(np.mean(np.sqrt(np.abs(product))))
        try:
            beta_eff = solvers.gf_prediction(X, y, D=2, scale=np.abs(product))
            out["effective_gf_test_excess"] = test_excess(
                beta_eff, prob["beta_star"], prob["mu"], prob["sigma_x2"]
            )
        except (RuntimeError, ValueError):
            pass
    return out


def train(job: Mapping, datasets: Sequence[xr.Dataset], log=None) -> xr.Dataset:
    """All runs of one panel on each seed's draw: dims (seed, alpha, eta_spec)."""
    labels = eta_labels(job)
    seeds = [int(ds.attrs["seed"]) for ds in datasets]
    shape = (len(seeds), len(job["alpha"]), len(labels))
    runs: dict[str, np.ndarray] = {}
    refs: dict[str, list] = {}
    etas = np.empty((len(seeds), len(labels)))
    for i, (seed, ds) in enumerate(zip(seeds, datasets, strict=True)):
        prob = as_problem(ds)
        ref = _references(prob, job)
        for name in (
            "l1_test_excess",
            "l2_test_excess",
            "l1_norm",
            "l1_lam_max",
            "min_lam_max",
            "min_stability",
            "eta_star",
            "gf_test_excess",
        ):
            refs.setdefault(name, []).append(ref[name])
        etas[i] = list(job["eta_abs"]) + [f * ref["eta_star"] for f in job["eta_rel"]]
        grid = [(a, e) for a in range(len(job["alpha"])) for e in range(len(labels))]
        alphas = [job["alpha"][a] for a, _ in grid]
        eta_grid = [float(etas[i, e]) for _, e in grid]
        start = time.perf_counter()
        progress = None
        if log:
            label = run_label(job, ID_AXES, seed=seed) + f" ({len(grid)} runs)"
            progress = Progress(label, logger=log)
        results = _train_grid(prob, ref, job, alphas, eta_grid, seed, progress)
        elapsed = time.perf_counter() - start
        for (a, e), res in zip(grid, results, strict=True):
            out = _summary(prob, ref, job, res)
            for name, value in out.items():
                runs.setdefault(name, np.full(shape, np.nan))[i, a, e] = value
            if log:
                log.info(
                    "seed %d alpha %g eta %.4g: %s test %.4g lam %.4g steps %d",
                    seed,
                    job["alpha"][a],
                    etas[i, e],
                    res["status"],
                    out["test_excess"],
                    out["lam_max"],
                    out["iterations"],
                )
        if progress is not None:
            progress.finish(
                max(r["t_end"] for r in results),
                [r["loss"] for r in results],
                [r["status_code"] for r in results],
            )
        if log:
            log.info("seed %d: %d runs in %.1f s", seed, len(grid), elapsed)
    dims = ("seed", "alpha", "eta_spec")
    out = xr.Dataset(coords={"seed": seeds, "alpha": job["alpha"], "eta_spec": labels})
    for name, arr in runs.items():
        out[name] = (dims, arr.astype(np.int8) if name == "status" else arr)
    out["eta"] = (("seed", "eta_spec"), etas)
    for name, values in refs.items():
        out[name] = (("seed", "alpha") if name == "gf_test_excess" else ("seed",), np.array(values))
    out.attrs.update({k: v for k, v in job.items() if not isinstance(v, (list, dict))})
    return out


def build_cube(runs: Sequence[xr.Dataset], config: Mapping, experiment: str) -> xr.Dataset:
    """Stack the panels of one figure into a (mu, D, seed, alpha, eta_spec) cube."""
    parts = [
        run.expand_dims(mu=[int(run.attrs["mu"])], D=[int(run.attrs["D"])]).drop_attrs()
        for run in runs
    ]
    cube = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    cube = cube.sortby(["mu", "D"])
    cube["status"] = cube["status"].fillna(STATUS_CODES["not_run"]).astype(np.int8)
    for name, var in cube.data_vars.items():
        if name in RUN_ATTRS:
            cf(var, *RUN_ATTRS[name])
    cube["status"].attrs = status_attrs()
    cf(cube["mu"], "mean mu of every input coordinate")
    cf(cube["D"], "depth D of the diagonal network")
    cf(cube["alpha"], "initialization scale alpha")
    cf(cube["seed"], "random seed of the data draw")
    cube["eta_spec"].attrs.update(long_name="step size: absolute, or a multiple of eta*")
    first = runs[0].attrs
    cube.attrs = provenance(config, f"{TITLE}: {experiment}", REFERENCES)
    cube.attrs.update(paper=KEY, experiment=experiment, model=first["model"], shape=first["shape"])
    return cube
