"""Data generation, training jobs and the cube of paper 000.

A training job runs one configuration (method, d) on a batch of seeds and returns a small
Dataset with dims (seed,) and (seed, t). The cube stacks them along (estimator, d).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ...data import SparseRegression
from ...progress import Progress, run_label
from ...store import STATUS_CODES, cf, provenance, status_attrs
from . import GD_METHODS, ID_AXES, KEY, REFERENCES, TITLE
from .datasets import as_problem

# Metrics the kernel logs (kernels.diagonal.METRICS) with their CF names.
CURVE_ATTRS = {
    "train_loss": ("training loss L = ||X beta - y||^2 / (2n)", "1"),
    "test_error": ("test loss ||beta - beta*||_2^2", "1"),
    "q_norm": ("||alpha (w^2 - u^2)||_2", "1"),
    "v_norm": ("||v||_2", "1"),
    "v_support_norm": ("||v_S||_2 on the support of beta*", "1"),
    "signal_error": ("max_k in S |(d/n) v_k + alpha (w_k^2 - u_k^2) - beta*_k|", "1"),
    "q_offsupport_l1": ("||alpha (w^2 - u^2)_{S^c}||_1", "1"),
    "q_offsupport_max": ("max_j not in S |alpha (w_j^2 - u_j^2)|", "1"),
}
FINAL_ATTRS = {
    **{k: (f"final {v[0]}", v[1]) for k, v in CURVE_ATTRS.items()},
    "iterations": ("GD steps to reach the tolerance (T_end)", "1"),
    "beta_l1_norm": ("||beta||_1 of the returned interpolator", "1"),
    "b_xi": ("B_xi = ||X^T xi / n||_inf", "1"),
    "xt_xi_norm": ("||X^T xi||_2", "1"),
    "lasso_multiplier": ("selected lambda / (sigma sqrt(ln d / n)) of the hybrid", "1"),
    "hybrid_path_test_error": ("hybrid test loss ||beta - beta*||_2^2 per lambda", "1"),
    "lasso_path_test_error": ("Lasso test loss ||beta - beta*||_2^2 per lambda", "1"),
}


# ----------------------------------------------------------------------------- training
def _train_loss(data: SparseRegression, beta: np.ndarray) -> float:
    r = data.XT.T @ beta - data.y
    return float(r @ r / (2 * data.n))


def _run_gd(job: Mapping, data: SparseRegression, progress: Progress | None = None) -> dict:
    from ...kernels.diagonal import METRICS, train_shortcut_net

    out = train_shortcut_net(
        data,
        alpha=job["alpha"],
        eta=job["eta"],
        eps=job["eps"],
        tol=job["tol"],
        max_steps=job["max_steps"],
        train_v=job["train_v"],
        per_decade=job["log_per_decade"],
        progress=progress,
    )
    final = {m: float(out["metrics"][m][-1]) for m in METRICS}
    return {
        "final": {
            **final,
            "iterations": float(out["t_end"]),
            "beta_l1_norm": float(np.abs(out["beta"]).sum()),
        },
        "status": int(out["status"]),
        "steps": np.asarray(out["steps"]),
        "curves": {m: np.asarray(out["metrics"][m]) for m in METRICS},
    }


def _run_baseline(job: Mapping, data: SparseRegression) -> dict:
    from ... import baselines

    extra: dict = {}
    method = job["method"]
    if method == "min_l2":
        beta = baselines.min_l2_interpolator(data.XT, data.y)
    elif method == "min_l1":
        beta = baselines.min_l1_interpolator(data.XT, data.y)
    elif method == "hybrid":
        res = baselines.hybrid_interpolator(
            data.XT, data.y, data.sigma, job["lasso_multipliers"], beta_star=data.beta_star
        )
        beta = res["beta"]
        extra = {
            "lasso_multiplier": float(res["multipliers"][res["best_index"]]),
            "hybrid_path_test_error": np.asarray(res["test_errors"], float),
            "lasso_path_test_error": np.asarray(res["lasso_test_errors"], float),
        }
    else:
        raise ValueError(f"unknown baseline {method!r}")
    diverged = not np.all(np.isfinite(beta))
    return {
        "final": {
            "train_loss": _train_loss(data, beta),
            "test_error": float(np.sum((beta - data.beta_star) ** 2)),
            "beta_l1_norm": float(np.abs(beta).sum()),
        },
        "status": STATUS_CODES["diverged" if diverged else "converged"],
        "extra": extra,
    }


def train(job: Mapping, datasets: Sequence[xr.Dataset], log=None) -> xr.Dataset:
    """Run one configuration on each seed's data; return dims (seed,) and, for GD, (seed, t)."""
    seeds = [int(ds.attrs["seed"]) for ds in datasets]
    results = []
    for seed, ds in zip(seeds, datasets, strict=True):
        data = as_problem(ds)
        start = time.perf_counter()
        if job["method"] in GD_METHODS:
            progress = None
            if log:
                label = run_label(job, ID_AXES, seed=seed)
                progress = Progress(label, job["max_steps"], logger=log)
            res = _run_gd(job, data, progress)
            if progress is not None:
                final = res["final"]
                progress.finish(final["iterations"], final["train_loss"], res["status"])
        else:
            res = _run_baseline(job, data)
        xi_corr = data.XT @ data.xi
        res["final"]["b_xi"] = float(np.max(np.abs(xi_corr)) / data.n)
        res["final"]["xt_xi_norm"] = float(np.linalg.norm(xi_corr))
        if log:
            log.info(
                "%s d=%d seed=%d: train loss %.4g, test %.4g, status %d, %.2f s",
                job["method"],
                data.d,
                seed,
                res["final"]["train_loss"],
                res["final"]["test_error"],
                res["status"],
                time.perf_counter() - start,
            )
        results.append(res)

    out = xr.Dataset(coords={"seed": ("seed", np.array(seeds, dtype=np.int64))})
    for name in results[0]["final"]:
        out[name] = ("seed", np.array([r["final"][name] for r in results]))
    out["status"] = ("seed", np.array([r["status"] for r in results], dtype=np.int8))
    if job["method"] in GD_METHODS:
        t = np.unique(np.concatenate([r["steps"] for r in results]))
        out = out.assign_coords(t=("t", t))
        for name in results[0]["curves"]:
            arr = np.full((len(seeds), t.size), np.nan)
            for i, r in enumerate(results):
                arr[i, np.searchsorted(t, r["steps"])] = r["curves"][name]
            out[f"{name}_curve"] = (("seed", "t"), arr)
    if job["method"] == "hybrid":
        out = out.assign_coords(lambda_multiplier=("lambda_multiplier", job["lasso_multipliers"]))
        out["lasso_multiplier"] = (
            "seed",
            np.array([r["extra"]["lasso_multiplier"] for r in results]),
        )
        for name in ("hybrid_path_test_error", "lasso_path_test_error"):
            out[name] = (
                ("seed", "lambda_multiplier"),
                np.stack([r["extra"][name] for r in results]),
            )
    out.attrs.update({k: v for k, v in job.items() if not isinstance(v, (list, dict, bool))})
    out.attrs["train_v"] = int(job.get("train_v", False))
    return out


# ----------------------------------------------------------------------------- cube
def build_cube(runs: Sequence[xr.Dataset], config: Mapping, experiment: str) -> xr.Dataset:
    """Stack per-job results into a (estimator, d, seed[, t]) cube with CF and provenance attrs.

    A (method, d) pair that was not run (e.g. the LP above its size limit) has status not_run.
    """
    parts = []
    for run in runs:
        method, d = run.attrs["method"], int(run.attrs["d"])
        part = run.expand_dims(estimator=[method], d=[d])
        part = part.assign_coords(
            n=("d", [int(run.attrs["n"])]),
        )
        if "eta" in run.attrs:
            part["step_size"] = (("estimator", "d"), [[float(run.attrs["eta"])]])
            part["alpha"] = (("estimator", "d"), [[float(run.attrs["alpha"])]])
        part.attrs = {}
        parts.append(part)
    cube = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop_conflicts")
    # Curves end at different t; keep only the logged steps.
    if "t" in cube.dims:
        cube = cube.sortby("t")
    cube = cube.sortby("d")
    order = [
        m for m in ("ours", "quad", "hybrid", "min_l2", "min_l1") if m in cube["estimator"].values
    ]
    cube = cube.sel(estimator=order)
    cube["status"] = cube["status"].fillna(STATUS_CODES["not_run"]).astype(np.int8)
    # Data diagnostics are the same for every method on a (d, seed): keep one copy.
    for name in ("b_xi", "xt_xi_norm"):
        cube[name] = cube[name].max("estimator", skipna=True)
    if "lasso_multiplier" in cube:
        for name in ("lasso_multiplier", "hybrid_path_test_error", "lasso_path_test_error"):
            cube[name] = cube[name].sel(estimator="hybrid", drop=True)
    _annotate(cube)
    cube.attrs = provenance(config, f"{TITLE}: {experiment}", REFERENCES)
    cube.attrs.update(paper=KEY, experiment=experiment)
    return cube


def _annotate(cube: xr.Dataset) -> None:
    for name, var in cube.data_vars.items():
        base = name[: -len("_curve")] if name.endswith("_curve") else name
        if base in CURVE_ATTRS and name.endswith("_curve"):
            cf(var, *CURVE_ATTRS[base])
        elif base in FINAL_ATTRS:
            cf(var, *FINAL_ATTRS[base])
    cube["status"].attrs = status_attrs()
    if "step_size" in cube:
        cf(cube["step_size"], "GD step size eta (of the parametrization trained)")
        cf(cube["alpha"], "scale alpha of the quadratic part")
    cf(cube["d"], "dimension d")
    cf(cube["n"], "number of samples n = round(3 sqrt(d))")
    cf(cube["seed"], "random seed of the data draw")
    cube["estimator"].attrs.update(
        long_name="estimator",
        description="ours: v + alpha(w^2-u^2); quad: w^2-u^2; "
        "hybrid: Lasso + min-l2 of the residual;"
        " min_l2 / min_l1: minimum-norm interpolators",
    )
    if "t" in cube.coords:
        cf(cube["t"], "GD iteration t")
    if "lambda_multiplier" in cube.coords:
        cf(cube["lambda_multiplier"], "lambda / (sigma sqrt(ln d / n))")
