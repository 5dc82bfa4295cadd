"""Training jobs and cubes of paper 002.

A job trains every run that shares one sensing draw, for a batch of repeats (seeds):
  sensing / long  the alpha grid of one d, batched (runs leave the batch at their own T);
  rank1           projected GD on X and factorized GD from alpha I, one (d, m/d);
  network         batch-1 SGD (and, for the network variant, full GD) from U_0 = I.
Every run logs the metrics of kernels.matrix.METRICS and the top eigenvalues of UU^T on a grid
(every ``log_every`` steps plus a log-spaced early grid); the cube of an experiment stacks the
jobs along d (and m/d, or the network variant).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ...kernels import matrix as km
from ...kernels.diagonal import log_grid
from ...progress import Progress, run_label
from ...store import STATUS_CODES, cf, provenance, status_attrs
from . import ID_AXES, KEY, REFERENCES, TITLE
from .datasets import load_problem, sgd_indices

METRIC_ATTRS = {
    "train_error": "relative train error ||A(UU^T) - y|| / ||y||",
    "test_error": "relative test error ||UU^T - X*||_F / ||X*||_F",
    "loss": "training loss f(U) = (1/2m) sum_i (<A_i, UU^T> - y_i)^2",
    "trace": "tr(UU^T) = ||U||_F^2",
    "perp_error": "||P UU^T P||_F, P the projector off span(X*)",
    "E_norm": "||E|| = ||P U|| (spectral), the error directions",
    "E_fro": "||E||_F = ||P U||_F",
    "signal_smin": "sigma_min(Q^T U), Q an orthonormal basis of span(X*)",
    "eig_tail_sum": "sum of the eigenvalues of UU^T below the top n_eig",
    "pop_risk": "relative population risk of the quadratic network, x ~ N(0, I)",
}
FINAL_ATTRS = {
    "status": None,
    "stop_step": ("step at which the run stopped", "1"),
    "rank": ("number of eigenvalues of the final iterate above 1e-3", "1"),
    "min_norm_test_error": ("test error of the minimum-Frobenius-norm interpolant", "1"),
}


def grid(T: int, log_every: int) -> np.ndarray:
    """Every ``log_every`` steps plus 20 log-spaced points per decade (the early escape)."""
    return np.union1d(np.arange(0, T + 1, log_every), log_grid(T, 20))


def _traj(out: dict, k: int, steps: np.ndarray) -> dict[str, np.ndarray]:
    """Run k of a driver's output on ``steps`` (NaN where it did not log)."""
    pos = np.searchsorted(steps, out["steps"])
    metrics = np.full((steps.size, km.N_METRICS), np.nan)
    metrics[pos] = out["metrics"][k]
    eig = np.full((steps.size, out["eigvals"].shape[-1]), np.nan)
    eig[pos] = out["eigvals"][k]
    return {"metrics": metrics, "eigvals": eig}


def _final_rank(X: np.ndarray) -> int:
    return int(np.sum(np.linalg.eigvalsh(X) > 1e-3)) if np.all(np.isfinite(X)) else -1


def _progress(job: Mapping, prob: dict, log, total: int, **what) -> Progress | None:
    """A progress reporter for one driver call of a job (None without a log)."""
    if not log:
        return None
    return Progress(run_label(job, ID_AXES, rep=prob["rep"], **what), total, logger=log)


def _finish(progress: Progress | None, out: dict) -> None:
    """The summary line of a finished driver call: last step, final train errors, status."""
    if progress is not None:
        progress.finish(out["stop_step"].max(), out["final"][:, 0], out["status"])


def _dataset(runs: list[dict], labels: dict, steps: np.ndarray) -> xr.Dataset:
    """Stack run records (each: metrics (t, M), eigvals (t, k), status, stop_step, rank) with
    leading coordinates ``labels`` (name -> values, in the order of ``runs``' nesting)."""
    lead = tuple(labels)
    shape = tuple(len(v) for v in labels.values())
    metrics = np.stack([r["metrics"] for r in runs]).reshape(*shape, steps.size, km.N_METRICS)
    eig = np.stack([r["eigvals"] for r in runs])
    eig = eig.reshape(*shape, steps.size, eig.shape[-1])
    ds = xr.Dataset(
        coords={**labels, "t": steps, "k": np.arange(1, eig.shape[-1] + 1)},
    )
    for j, name in enumerate(km.METRICS):
        ds[name] = ((*lead, "t"), metrics[..., j])
    ds["eigvals"] = ((*lead, "t", "k"), eig)
    for name in ("status", "stop_step", "rank"):
        values = np.array([r[name] for r in runs]).reshape(shape)
        ds[name] = (lead, values)
    return ds


def _sensing(job: Mapping, prob: dict, log) -> xr.Dataset:
    T_alpha = np.asarray(job["T_alpha"], dtype=np.int64)
    steps = np.union1d(grid(int(T_alpha.max()), job["log_every"]), T_alpha)
    progress = _progress(job, prob, log, int(T_alpha.max()), alphas=len(job["alpha"]))
    out = km.run_sensing_gd(
        prob["G"],
        prob["y"],
        prob["Xstar"],
        job["alpha"],
        T_alpha,
        eta=job["eta"],
        convention=job["convention"],
        log_steps=steps,
        r=job["r"],
        progress=progress,
    )
    _finish(progress, out)
    runs = []
    for k, alpha in enumerate(job["alpha"]):
        U = out["U"][k]
        runs.append(
            {
                **_traj(out, k, steps),
                "status": out["status"][k],
                "stop_step": out["stop_step"][k],
                "rank": _final_rank(U @ U.T),
            }
        )
        if log:
            final = dict(zip(km.METRICS, out["final"][k], strict=True))
            log.info(
                "alpha %g: train %.4g test %.4g at t = %d",
                alpha,
                final["train_error"],
                final["test_error"],
                out["stop_step"][k],
            )
    ds = _dataset(runs, {"alpha": list(job["alpha"])}, steps)
    if job.get("min_norm"):
        from .solvers import min_norm_interpolant

        X_ls = min_norm_interpolant(prob["G"], prob["y"], job["d"])
        err = np.linalg.norm(X_ls - prob["Xstar"]) / np.linalg.norm(prob["Xstar"])
        ds["min_norm_test_error"] = float(err)
    return ds


def _rank1(job: Mapping, prob: dict, log) -> xr.Dataset:
    steps = grid(job["T"], job["log_every"])
    G, y, Xstar = prob["G"], prob["y"], prob["Xstar"]
    progress = _progress(job, prob, log, job["T"], solver="pgd")
    pgd = km.run_pgd(
        G, y, Xstar, job["T"], eta=job["eta"], tol=job["tol"], log_steps=steps, r=1,
        progress=progress,
    )  # fmt: skip
    _finish(progress, pgd)
    progress = _progress(job, prob, log, job["T"], solver="gd")
    gd = km.run_sensing_gd(
        G,
        y,
        Xstar,
        [job["alpha"]],
        job["T"],
        eta=job["eta"],
        convention=job["convention"],
        log_steps=steps,
        tol=job["tol"],
        r=1,
        progress=progress,
    )
    _finish(progress, gd)
    runs = []
    for name, out, X in (("pgd", pgd, pgd["X"][0]), ("gd", gd, gd["U"][0] @ gd["U"][0].T)):
        runs.append(
            {
                **_traj(out, 0, steps),
                "status": out["status"][0],
                "stop_step": out["stop_step"][0],
                "rank": _final_rank(X),
                "final": out["final"][0],
            }
        )
        if log:
            log.info(
                "%s: test %.4g train %.4g, stopped at %d (status %d)",
                name,
                out["final"][0][1],
                out["final"][0][0],
                out["stop_step"][0],
                out["status"][0],
            )
    ds = _dataset(runs, {"solver": ["pgd", "gd"]}, steps)
    finals = np.stack([r["final"] for r in runs])
    for j, name in enumerate(km.METRICS):
        ds[f"final_{name}"] = (("solver",), finals[:, j])
    return ds


def _network(job: Mapping, prob: dict, log) -> xr.Dataset:
    sgd, rep = job["sgd"], prob["rep"]
    idx = sgd_indices(job["d"], job["m"], sgd["T"], prob["truth_seed"], rep)
    sgd_steps = grid(sgd["T"], sgd["log_every"])
    kw = {"convention": job["convention"], "r": job["r"]}
    outs = {}
    progress = _progress(job, prob, log, idx.size, algorithm="sgd")
    if job["variant"] == "nn":
        outs["sgd"] = km.run_nn_sgd(
            prob["Xd"], prob["y"], prob["Xstar"], idx, sgd["eta"], log_steps=sgd_steps, **kw,
            progress=progress,
        )  # fmt: skip
        _finish(progress, outs["sgd"])
        gd = job["gd"]
        gd_steps = grid(gd["T"], gd["log_every"])
        progress = _progress(job, prob, log, gd["T"], algorithm="gd")
        outs["gd"] = km.run_nn_gd(
            prob["Xd"], prob["y"], prob["Xstar"], gd["T"], gd["eta"], log_steps=gd_steps, **kw,
            progress=progress,
        )  # fmt: skip
        _finish(progress, outs["gd"])
    else:
        outs["sgd"] = km.run_sensing_sgd(
            prob["G"], prob["y"], prob["Xstar"], idx, sgd["eta"], log_steps=sgd_steps, **kw,
            progress=progress,
        )  # fmt: skip
        _finish(progress, outs["sgd"])
    steps = np.unique(np.concatenate([o["steps"] for o in outs.values()]))
    runs = []
    for name, out in outs.items():
        U = out["U"][0]
        runs.append(
            {
                **_traj(out, 0, steps),
                "status": out["status"][0],
                "stop_step": out["stop_step"][0],
                "rank": _final_rank(U @ U.T),
            }
        )
        if log:
            log.info(
                "%s %s: train %.4g test %.4g after %d steps",
                job["variant"],
                name,
                out["final"][0][0],
                out["final"][0][1],
                out["stop_step"][0],
            )
    return _dataset(runs, {"algorithm": list(outs)}, steps)


TRAINERS = {"sensing": _sensing, "rank1": _rank1, "network": _network}


def train(job: Mapping, datasets: Sequence[xr.Dataset], log=None) -> xr.Dataset:
    """Every run of one job on each repeat's draw, stacked along ``rep``."""
    parts = []
    for ds in datasets:
        start = time.perf_counter()
        prob = load_problem(ds)
        part = TRAINERS[job["kind"]](job, prob, log)
        parts.append(part.expand_dims(rep=[prob["rep"]]))
        if log:
            log.info("repeat %d done in %.1f s", prob["rep"], time.perf_counter() - start)
    out = xr.concat(parts, dim="rep", join="outer")
    first = load_problem(datasets[0])
    lam = np.linalg.eigvalsh(first["Xstar"])[::-1][: job["r"]]
    out["Xstar_eigvals"] = (("k_star",), lam)
    out = out.assign_coords(k_star=np.arange(1, lam.size + 1))
    for key in ("rep", "stop_step", "rank"):
        if key in out and key != "rep":
            out[key] = out[key].astype(np.int64)
    out["status"] = out["status"].astype(np.int8)
    out.attrs.update(
        {
            k: v
            for k, v in job.items()
            if isinstance(v, (int, float, str)) and not isinstance(v, bool)
        }
    )
    return out


def _cf(cube: xr.Dataset) -> xr.Dataset:
    for name, text in METRIC_ATTRS.items():
        if name in cube:
            cf(cube[name], text)
        if f"final_{name}" in cube:
            cf(cube[f"final_{name}"], f"{text}, at the stopping step")
    for name, attrs in FINAL_ATTRS.items():
        if name in cube and attrs:
            cf(cube[name], *attrs)
    cube["status"].attrs = status_attrs()
    cf(cube["eigvals"], "eigenvalues of UU^T (PGD: X), largest first")
    cf(cube["Xstar_eigvals"], "eigenvalues of X*, largest first")
    coords = {
        "t": "iteration t",
        "k": "eigenvalue index (largest first)",
        "k_star": "eigenvalue index of X*",
        "rep": "repeat: seed of the sensing draw (X* fixed)",
        "d": "dimension d (X* is d x d)",
        "alpha": "initialization scale alpha (U_0 = alpha I)",
        "m_over_d": "measurements per dimension m / d",
        "solver": "pgd: projected GD on X; gd: factorized GD on U",
        "variant": "nn: A_i = x_i x_i^T (quadratic network); gaussian: Gaussian A_i",
        "algorithm": "sgd: batch-1 SGD; gd: full-batch GD",
    }
    for name, text in coords.items():
        if name in cube.coords:
            cf(cube[name], text)
    return cube


STACK_AXES = {
    "sensing": ("d",),
    "long": ("d",),
    "rank1": ("d", "m_over_d"),
    "network": ("variant",),
}


def build_cube(runs: Sequence[xr.Dataset], config: Mapping, experiment: str) -> xr.Dataset:
    """Stack the jobs of one experiment along STACK_AXES[experiment]."""
    axes = STACK_AXES[experiment]
    parts = []
    for run in runs:
        labels = {a: [run.attrs[a]] for a in axes}
        part = run.expand_dims(labels)
        part["m"] = (axes, np.full([1] * len(axes), run.attrs["m"]))
        parts.append(part.drop_attrs())
    cube = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    cube = cube.sortby(list(axes))
    cube["status"] = cube["status"].fillna(STATUS_CODES["not_run"]).astype(np.int8)
    # X* depends on (d, r) only: one spectrum per d
    others = [a for a in axes if a != "d"]
    if others:
        cube["Xstar_eigvals"] = cube["Xstar_eigvals"].max(others)
    cf(cube["m"], "number of measurements m")
    cube = _cf(cube)
    first = runs[0].attrs
    cube.attrs = provenance(config, f"{TITLE}: {experiment}", REFERENCES)
    cube.attrs.update(paper=KEY, experiment=experiment)
    # scalar job settings the figures and checks read (T of Fig. 1, r, eta, tol, ...)
    for key in ("T", "r", "d", "eta", "tol", "convention", "truth_seed"):
        if key in first and key not in cube.dims:
            cube.attrs[key] = first[key]
    return cube
