"""Data files, training jobs and cubes of paper 004.

A data file holds the ground truth of one problem family for one seed (b*, A* or the teacher);
a training job redraws its measurements from the same seed, checks the truth against the file and
runs every configuration of the job (sparse / matrix / teacher kinds, see __init__) for its batch
of seeds. Runs that share a problem and a step count are one batched kernel call. A job's output
has dims (run, seed, t): `run` carries the configuration as coordinates (N, tau, L, method, alpha,
beta1, beta2 / beta_star / beta); build_cube unstacks it into dims named after the paper's
symbols. NaN / inf iterates are recorded as status "diverged" with the step, never raised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import groupby

import numpy as np
import xarray as xr

from ...kernels.diagonal import GROK_METRICS, grok_log_grid, log_grid, with_endpoint
from ...progress import Progress, run_label
from ...store import STATUS_CODES, cf, provenance, status_attrs
from . import ID_AXES, KEY, REFERENCES, TITLE, solvers, theory
from . import datasets as ds

# `update` is the update rule (xarray reserves `method` in Dataset.sel)
SPARSE_AXES = ("N", "tau", "L", "update", "alpha", "beta1", "beta2")
MATRIX_AXES = ("N", "tau", "update", "alpha", "beta_star")
TEACHER_AXES = ("alpha", "beta")
AXES = {"sparse": SPARSE_AXES, "matrix": MATRIX_AXES, "teacher": TEACHER_AXES}

METRIC_ATTRS = {
    "train_error": "relative train error ||X b - y*|| / ||y*||",
    "test_error": "relative test error ||b - b*|| / ||b*||",
    "l1_norm": "||b||_1",
    "l2_norm": "||b||_2",
    "linf_norm": "||b||_inf",
    "u_support": "u(t) = ||b_I||_2 on the support I of b*",
    "v_offsupport": "v(t) = ||b_{I^c}||_2 off the support",
    "grad_ratio": "gradient ratio R = ||beta1 h(b)|| / ||G(b)||",
    "mae": "mean absolute error ||b - b*||_1 / n",
    "nuclear_norm": "||A||_*",
    "fro_norm": "||A||_F",
    "nuclear_error": "||A - A*||_* / sqrt(n1 n2)",
    "train_mse": "train MSE (1/N) sum ||y_theta(x) - y*(x)||^2",
    "test_mse": "test MSE on N_test fresh inputs",
    "penalty": "penalty Omega(theta) (Sobolev: the Jacobian term)",
    "l0": "number of weights with |w| >= 1e-4",
    "l1": "||A||_1 + ||B||_1",
    "l2": "sqrt(||A||_F^2 + ||B||_F^2)",
    "nuc": "||A||_* + ||B||_*",
}
SCALAR_ATTRS = {
    "t1": "first step with train error <= eps1 (-1: never)",
    "t2": "first step with test error <= eps2 (-1: never)",
    "t1_stable": "t_stable of the train error (K=3, 5 %, M=2)",
    "t2_stable": "t_stable of the test error (K=3, 5 %, M=2)",
    "t_end": "last step run",
    "etr_min": "minimum train error over all steps",
    "ete_min": "minimum test error over all steps",
    "alpha_eff": "step size used (alpha / lambda_max for alpha_rule lambda_max)",
    "T": "step budget of the run",
    "zeta": "initialization scale",
    "lsq_error": "test error of the least-squares / minimum-norm solution b_hat",
    "bhat_l1": "||b_hat||_1",
    "bhat_l2": "||b_hat||_2",
    "bhat_linf": "||b_hat||_inf",
    "bhat_err_linf": "||b_hat - b*||_inf (matrices: ||A_hat - A*||_2)",
    "bstar_l1": "||b*||_1 (matrices: ||A*||_*)",
    "bstar_l2": "||b*||_2 (matrices: ||A*||_F)",
    "lambda_max": "lambda_max(X^T X)",
    "rho": "rho = max over the non-zero eigenvalues of |1 - alpha (lambda_k + beta2)|",
    "t1_bound": "Thm C.8 t1 bound (p = inf, row-space rho)",
    "dt_pred": "Delta t = ||b_hat - b*||_inf / (alpha beta) (reference-code predictor)",
    "dt_paper": "Delta t = ||b_hat||_inf / (alpha beta) (paper, Thm 2.1)",
    "status": None,
}


# ------------------------------------------------------------------------------------------ data
def _hit_times(out: Mapping, k: int, steps, m: Mapping, T: int) -> dict:
    """Memorization / generalization times of run k of a kernel call: first hits (t1, t2),
    stable steps, the last step and the best errors."""
    return {
        "t1": int(out["t1"][k]),
        "t2": int(out["t2"][k]),
        "t1_stable": theory.t_stable(steps, m["train_error"], T=T),
        "t2_stable": theory.t_stable(steps, m["test_error"], T=T),
        "t_end": int(out["t_end"]),
        "etr_min": float(out["etr_min"][k]),
        "ete_min": float(out["ete_min"][k]),
    }


def _progress(job: Mapping, log, total: int, **what) -> Progress | None:
    """A progress reporter for one kernel call (a batch of runs) of a job (None without a log)."""
    if not log:
        return None
    return Progress(run_label(job, ID_AXES, **what), total, logger=log)


def _finish(progress: Progress | None, out: Mapping, loss_key: str) -> None:
    """Summary line of a finished batch: last step, last logged loss of each run, status."""
    if progress is not None:
        loss = np.asarray(out["metrics"][loss_key])
        progress.finish(out["t_end"], loss[..., -1] if loss.shape[-1] else None, out["status"])


def _parse(truth: str) -> dict:
    parts = truth.split("_")
    out = {"family": parts[0]}
    for p in parts[1:]:
        if "x" in p:
            out["n1"], out["n2"] = (int(v) for v in p.split("x"))
        else:
            out[p[0]] = int(p[1:])
    return out


def truth(truth_key: str, seed: int, model: Mapping | None = None) -> xr.Dataset:
    """The ground truth named by ``truth_key`` for one seed (the data file)."""
    k = _parse(truth_key)
    fam = k["family"]
    model = model or {}
    if fam == "sparse":
        vars_ = {"b_star": ("j", ds.sparse_signal(k["n"], k["s"], seed))}
    elif fam == "digit":
        vars_ = {"b_star": ("j", ds.digit_signal())}
    elif fam == "sinusoid":
        vars_ = {"b_star": ("j", ds.sinusoid_problem(100, 2, seed)["b_star"])}
    elif fam == "polynomial":
        n = k["m"] * (k["m"] + 1) // 2 + k["m"]
        vars_ = {"b_star": ("j", ds.sparse_signal(n, k["s"], seed))}
    elif fam == "matrix":
        A = ds.low_rank_matrix(k["n1"], k["n2"], k["r"], seed, sv=model.get("sv", "one"))["A"]
        vars_ = {"A_star": (("i", "k"), A)}
    elif fam == "teacher":
        p = ds.teacher_student(k["d"], k["r"], k["c"], 1, 1, seed)
        vars_ = {"A_star": (("h", "x"), p.A_star), "B_star": (("o", "h"), p.B_star)}
    else:  # nn tasks draw their data on the GPU machine
        vars_ = {}
    out = xr.Dataset(vars_)
    for name in out.data_vars:
        cf(out[name], f"ground truth {name}")
    out.attrs.update(paper=KEY, truth=truth_key, seed=int(seed))
    return out


def _check_truth(data: xr.Dataset, name: str, value: np.ndarray) -> None:
    if not np.array_equal(data[name].values, value):
        raise ValueError(f"{name} of seed {data.attrs['seed']} differs from its data file")


# -------------------------------------------------------------------------------------- sparse
def _sparse_problem(job: Mapping, N: int, tau: float, seed: int):
    """(X, y, b*, pairs) of one problem, drawn as datasets.py draws it."""
    signal = job["signal"]
    if signal == "random":
        p = ds.sparse_recovery(
            job["n"], job["s"], N, seed=seed, tau=tau, x_var=job["x_var"], coherent=job["coherent"]
        )
        return p.X, p.y, p.b_star, False
    if signal == "digit":
        b = ds.digit_signal()
        p = ds.sparse_recovery(b.size, N=N, seed=seed, x_var=job["x_var"], b_star=b)
        return p.X, p.y, p.b_star, False
    if signal == "polynomial":
        p = ds.polynomial_problem(job["m"], job["s"], N, seed)
        return p.X, p.y, p.b_star, False
    p = ds.sinusoid_problem(100, N, seed)
    return p["X"], p["y"], p["b_star"], True


def _grid(T: int, kind: str) -> np.ndarray:
    # every 1000 steps (spec 2.4), thinned at paper-scale T so a run logs <= ~3000 rows
    if kind == "matrix":
        return grok_log_grid(T, every=max(10_000, T // 1000))
    return grok_log_grid(T, every=max(1000, T // 2000))


def _sparse_seed(job: Mapping, data: xr.Dataset, seed: int, log) -> list[dict]:
    from ...kernels.diagonal import grok_diagonal

    results = []
    runs = list(job["runs"])
    key = lambda r: (r["N"], r["tau"], r["L"], r["zeta"])  # noqa: E731
    for (N, tau, L, zeta), group in groupby(sorted(runs, key=key), key=key):
        group = list(group)
        X, y, b_star, pairs = _sparse_problem(job, N, tau, seed)
        _check_truth(data, "b_star", b_star)
        n = b_star.size
        W0 = ds.init_factors(n, zeta, L=L, seed=seed, kind=job["init"])
        lam = np.linalg.eigvalsh(X @ X.T)
        lam_max = float(lam[-1])
        for (method, T), members in groupby(
            sorted(group, key=lambda r: (r["method"], r["T"])), key=lambda r: (r["method"], r["T"])
        ):
            members = list(members)
            scale = 1.0 / lam_max if job["alpha_rule"] == "lambda_max" else 1.0
            a = np.array([m["alpha"] * scale for m in members])
            b1 = np.array([m["beta1"] for m in members])
            b2 = np.array([m["beta2"] for m in members])
            snap = log_grid(T, 50) if job["snaps"] else np.array([T])
            what = {"seed": seed, "N": N, "tau": tau, "L": L, "method": method}
            progress = _progress(job, log, T, **what, runs=len(members))
            out = grok_diagonal(
                X,
                y,
                b_star,
                np.broadcast_to(W0, (len(members), *W0.shape)),
                T,
                alpha=a,
                beta1=b1,
                beta2=b2,
                method=method,
                pairs=pairs,
                log_steps=_grid(T, "sparse"),
                snap_steps=snap,
                eps1=job["eps1"],
                eps2=job["eps2"],
                progress=progress,
            )
            _finish(progress, out, "train_error")
            for k, run in enumerate(members):
                bhat = solvers.least_squares(X, y, run["beta2"])
                ab = a[k] * run["beta1"]
                rho = theory.rho_rowspace(X, a[k], run["beta2"])
                m = {name: out["metrics"][name][k] for name in GROK_METRICS}
                steps = out["steps"]
                status = int(out["status"][k])
                if status == STATUS_CODES["diverged"]:
                    log.warning("run %s seed %d diverged at step %d", run, seed, out["t_end"])
                results.append(
                    {
                        "run": run,
                        "steps": steps,
                        "metrics": m,
                        "snap_steps": out["snap_steps"],
                        "snaps": out["snaps"][k],
                        "scalars": {
                            **_hit_times(out, k, steps, m, T),
                            "alpha_eff": float(a[k]),
                            "T": int(T),
                            "zeta": float(zeta),
                            "lsq_error": float(
                                np.linalg.norm(bhat - b_star) / np.linalg.norm(b_star)
                            ),
                            "bhat_l1": float(np.abs(bhat).sum()),
                            "bhat_l2": float(np.linalg.norm(bhat)),
                            "bhat_linf": float(np.abs(bhat).max()),
                            "bhat_err_linf": float(np.abs(bhat - b_star).max()),
                            "bstar_l1": float(np.abs(b_star).sum()),
                            "bstar_l2": float(np.linalg.norm(b_star)),
                            "lambda_max": lam_max,
                            "rho": float(rho),
                            "t1_bound": theory.t1_bound(
                                float(np.abs(diag_product(W0) - bhat).max()),
                                a[k],
                                run["beta1"],
                                rho,
                            )
                            if L == 1
                            else math.nan,
                            "dt_pred": theory.delta_t(bhat, a[k], run["beta1"], b_star)
                            if ab > 0
                            else math.inf,
                            "dt_paper": theory.delta_t(bhat, a[k], run["beta1"])
                            if ab > 0
                            else math.inf,
                            "status": status,
                        },
                    }
                )
        log.info("seed %d: N=%d tau=%g L=%d done (%d runs)", seed, N, tau, L, len(group))
    return results


def diag_product(W: np.ndarray) -> np.ndarray:
    return np.prod(W, axis=0)


# -------------------------------------------------------------------------------------- matrix
def _matrix_seed(job: Mapping, data: xr.Dataset, seed: int, log) -> list[dict]:
    from ...kernels.nuclear import NUCLEAR_METRICS, nuclear_gd

    n1, n2 = job["n1"], job["n2"]
    results = []
    key = lambda r: (r["N"], r["tau"])  # noqa: E731
    for (N, tau), group in groupby(sorted(job["runs"], key=key), key=key):
        p = ds.matrix_problem(
            n1, n2, job["r"], N, problem=job["problem"], tau=tau, seed=seed, sv=job["sv"]
        )
        _check_truth(data, "A_star", p.A_star)
        A0 = ds.matrix_init(n1, n2, job["zeta"], kind=job["init"], seed=seed)
        A_hat = solvers.matrix_least_squares(p.X, p.y, n1, n2)
        lsq = float(np.linalg.norm(A_hat - p.A_star) / np.linalg.norm(p.A_star))
        err2 = float(np.linalg.norm(A_hat - p.A_star, 2))
        for (method, T), members in groupby(
            sorted(group, key=lambda r: (r["method"], r["T"])), key=lambda r: (r["method"], r["T"])
        ):
            members = list(members)
            a = np.array([m["alpha"] for m in members])
            bn = np.array([m["beta_star"] for m in members])
            what = {"seed": seed, "N": N, "tau": tau, "method": method}
            progress = _progress(job, log, T, **what, runs=len(members))
            out = nuclear_gd(
                p.X,
                p.y,
                p.A_star,
                np.broadcast_to(A0, (len(members), n1, n2)),
                T,
                alpha=a,
                beta_nuc=bn,
                method=method,
                log_steps=_grid(T, "matrix"),
                snap_steps=np.array([T]),
                eps1=job["eps1"],
                eps2=job["eps2"],
                progress=progress,
            )
            _finish(progress, out, "train_error")
            for k, run in enumerate(members):
                m = {name: out["metrics"][name][k] for name in NUCLEAR_METRICS}
                steps = out["steps"]
                ab = run["alpha"] * run["beta_star"]
                status = int(out["status"][k])
                if status == STATUS_CODES["diverged"]:
                    log.warning("run %s seed %d diverged at step %d", run, seed, out["t_end"])
                results.append(
                    {
                        "run": run,
                        "steps": steps,
                        "metrics": m,
                        "sv": out["sv"][k],
                        "scalars": {
                            **_hit_times(out, k, steps, m, T),
                            "T": int(T),
                            "lsq_error": lsq,
                            "bhat_err_linf": err2,
                            "bstar_l1": float(np.linalg.svd(p.A_star, compute_uv=False).sum()),
                            "bstar_l2": float(np.linalg.norm(p.A_star)),
                            "dt_pred": err2 / ab if ab > 0 else math.inf,
                            "dt_paper": float(np.linalg.norm(A_hat, 2)) / ab
                            if ab > 0
                            else math.inf,
                            "status": status,
                        },
                        "sv_hat": np.linalg.svd(A_hat, compute_uv=False),
                    }
                )
        log.info("seed %d: N=%d tau=%g done", seed, N, tau)
    return results


# ------------------------------------------------------------------------------------- teacher
def _teacher_seed(job: Mapping, data: xr.Dataset, seed: int, log) -> list[dict]:
    from ...kernels.teacher_student import TS_METRICS, train_teacher_student

    p = ds.teacher_student(job["d"], job["r"], job["c"], job["N"], job["N_test"], seed)
    _check_truth(data, "A_star", p.A_star)
    A0, B0 = ds.student_init(job["d"], job["r"], job["c"], seed)
    T = job["T"]
    steps = with_endpoint(
        np.concatenate([log_grid(T, 40), np.arange(0, T + 1, max(1, T // 400))]), T
    )
    results = []
    for run in job["runs"]:
        progress = _progress(job, log, T, seed=seed, alpha=run["alpha"], beta=run["beta"])
        out = train_teacher_student(
            p,
            A0,
            B0,
            T,
            lr=run["alpha"],
            beta=run["beta"],
            penalty=job["penalty"],
            optimizer=job["optimizer"],
            log_steps=steps,
            progress=progress,
        )
        if progress is not None:
            tr = out["train_mse"]
            t_end = int(np.sum(~np.isnan(tr))) - 1  # the loss is evaluated up to the stop
            progress.finish(t_end, tr[t_end] if t_end >= 0 else None, out["status"])
        m = {name: out["metrics"][name] for name in TS_METRICS}
        times = theory.nn_times(out["steps"], m["train_mse"], m["test_mse"])
        diverged = out["status"] == "diverged"
        if diverged:
            log.warning("run %s seed %d diverged", run, seed)
        tr = out["train_mse"]
        hit = np.flatnonzero(tr <= 1e-3)
        results.append(
            {
                "run": run,
                "steps": out["steps"],
                "metrics": m,
                "scalars": {
                    "t1": int(hit[0]) if hit.size else -1,
                    "t2": int(times["t2_argmin"]) if times["t2_argmin"] is not None else -1,
                    "t2_stable": float(times["t2"]) if times["t2"] is not None else math.nan,
                    "ete_min": float(np.nanmin(m["test_mse"])),
                    "ystar2": float(np.mean(np.sum(p.Y_test**2, axis=1))),
                    "T": int(T),
                    "status": STATUS_CODES["diverged" if diverged else "max_steps"],
                },
            }
        )
        log.info(
            "seed %d: %s done, min test MSE %.3g", seed, run, results[-1]["scalars"]["ete_min"]
        )
    return results


# ---------------------------------------------------------------------------------------- jobs
def train_nn(job: Mapping, log) -> xr.Dataset:
    """The GPU-only neural-network grids (modular addition MLP / LSTM, MNIST)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SystemExit(
            f"grokking_norms {job['task']}: GPU-only experiment, needs PyTorch with a CUDA device "
            "(not a dependency of this pipeline; run it on a GPU machine with torch installed)"
        ) from None
    raise SystemExit(
        f"grokking_norms {job['task']}: the PyTorch training loop is not part of this pipeline "
        "yet (spec 3.5-3.6); paper scale only"
    )


def train(job: Mapping, data: Sequence[xr.Dataset], log) -> xr.Dataset:
    """Every run of one job for each seed (one data file per seed, in the job's seed order)."""
    kind = job["kind"]
    if kind == "nn":
        return train_nn(job, log)
    seeds = list(job["seeds"])
    if len(data) != len(seeds):
        raise ValueError(f"{len(data)} data files for {len(seeds)} seeds")
    by_seed = {}
    for seed, d in zip(seeds, data, strict=True):
        if int(d.attrs["seed"]) != seed:
            raise ValueError(f"data file of seed {d.attrs['seed']} given for seed {seed}")
        run = {"sparse": _sparse_seed, "matrix": _matrix_seed, "teacher": _teacher_seed}[kind]
        by_seed[seed] = run(job, d, seed, log)
    return _to_dataset(job, by_seed)


def _to_dataset(job: Mapping, by_seed: Mapping[int, list[dict]]) -> xr.Dataset:
    kind = job["kind"]
    axes = AXES[kind]
    seeds = list(by_seed)
    first = by_seed[seeds[0]]
    runs = [r["run"] for r in first]
    steps = np.unique(np.concatenate([r["steps"] for rs in by_seed.values() for r in rs]))
    R, S, Tn = len(runs), len(seeds), steps.size
    coords = {"seed": seeds, "t": steps}
    ds_ = {}
    for name in first[0]["metrics"]:
        arr = np.full((R, S, Tn), np.nan)
        for j, seed in enumerate(seeds):
            for i, res in enumerate(by_seed[seed]):
                arr[i, j, np.searchsorted(steps, res["steps"])] = res["metrics"][name]
        ds_[name] = (("run", "seed", "t"), arr)
    for name in first[0]["scalars"]:
        vals = np.array(
            [[by_seed[s][i]["scalars"][name] for s in seeds] for i in range(R)], dtype=np.float64
        )
        ds_[name] = (("run", "seed"), vals)
    if "snaps" in first[0] and first[0]["snap_steps"].size > 1:
        snap = np.unique(np.concatenate([r["snap_steps"] for r in first]))
        n = first[0]["snaps"].shape[-1]
        arr = np.full((R, S, snap.size, n), np.nan)
        for j, seed in enumerate(seeds):
            for i, res in enumerate(by_seed[seed]):
                arr[i, j, np.searchsorted(snap, res["snap_steps"])] = res["snaps"]
        ds_["b"] = (("run", "seed", "t_snap", "j"), arr)
        coords["t_snap"] = snap
    if kind == "matrix":
        q = first[0]["sv"].shape[-1]
        arr = np.full((R, S, Tn, q), np.nan)
        hat = np.full((R, S, q), np.nan)
        for j, seed in enumerate(seeds):
            for i, res in enumerate(by_seed[seed]):
                arr[i, j, np.searchsorted(steps, res["steps"])] = res["sv"]
                hat[i, j] = res["sv_hat"]
        ds_["sigma"] = (("run", "seed", "t", "i"), arr)
        ds_["sigma_hat"] = (("run", "seed", "i"), hat)
        coords["i"] = np.arange(1, q + 1)
    for ax in axes:
        coords[ax] = ("run", [r["method" if ax == "update" else ax] for r in runs])
    out = xr.Dataset(ds_, coords=coords)
    out.attrs.update(kind=kind, part=job["part"])
    for key in ("s", "n", "n1", "n2", "r", "d", "c", "signal", "problem", "penalty", "optimizer"):
        if key in job:
            out.attrs[key] = job[key]
    return out


# ---------------------------------------------------------------------------------------- cube
def _cf(cube: xr.Dataset) -> xr.Dataset:
    for name in cube.data_vars:
        if name == "status":
            cube[name].attrs.update(status_attrs())
        elif name in METRIC_ATTRS:
            cf(cube[name], METRIC_ATTRS[name])
        elif name in SCALAR_ATTRS and SCALAR_ATTRS[name]:
            units = "steps" if name.startswith(("t1", "t2", "t_", "dt_", "T")) else "1"
            cf(cube[name], SCALAR_ATTRS[name], units)
        elif name == "b":
            cf(cube[name], "iterate b^(t) on the snapshot grid")
        elif name == "sigma":
            cf(cube[name], "singular values sigma_i(A^(t)), descending")
        elif name == "sigma_hat":
            cf(cube[name], "singular values of the least-squares solution A_hat")
        elif name == "ystar2":
            cf(cube[name], "mean ||y*||^2 on the test set")
    names = {
        "t": "step t (t = 0 is the initialization)",
        "t_snap": "step t of the iterate snapshots",
        "seed": "seed",
        "N": "number of measurements N",
        "tau": "coherence parameter tau",
        "L": "depth L",
        "update": "update rule (subgradient, ista / svt, projected)",
        "alpha": "learning rate alpha",
        "beta1": "l1 coefficient beta1",
        "beta2": "l2 coefficient beta2",
        "beta_star": "nuclear-norm coefficient beta_*",
        "beta": "penalty coefficient beta",
        "j": "coordinate j",
        "i": "singular value index i",
        "s": "sparsity s",
    }
    for name, long in names.items():
        if name in cube.coords:
            cube[name].attrs.update(long_name=long, units="steps" if name.startswith("t") else "1")
    return cube


def build_cube(runs: Sequence[xr.Dataset], config: Mapping, experiment: str) -> xr.Dataset:
    """Stack the jobs of one experiment: seed batches along seed, runs unstacked into the
    configuration dims (N, tau, L, method, alpha, beta1, beta2 / beta_star / beta), and the
    sparsity s of sparse jobs as a dim."""
    kind = runs[0].attrs["kind"]
    axes = list(AXES[kind])
    by_part: dict[str, list[xr.Dataset]] = {}
    for r in runs:
        by_part.setdefault(r.attrs["part"], []).append(r)
    parts = []
    for part in by_part.values():
        merged = xr.concat(part, dim="seed", join="outer") if len(part) > 1 else part[0]
        stacked = merged.set_index(run=axes).unstack("run")
        if kind == "sparse":
            stacked = stacked.expand_dims(s=[int(part[0].attrs["s"])])
        parts.append(stacked.drop_attrs())
    cube = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    cube = cube.sortby([d for d in cube.dims if d in (*axes, "s", "seed")])
    cube["status"] = cube["status"].fillna(STATUS_CODES["not_run"]).astype(np.int8)
    cube = _cf(cube)
    cube.attrs = provenance(config, f"{TITLE}: {experiment}", REFERENCES)
    cube.attrs.update(paper=KEY, experiment=experiment, kind=kind)
    first = runs[0].attrs
    for key in ("n", "n1", "n2", "r", "d", "c", "signal", "problem", "penalty", "optimizer"):
        if key in first:
            cube.attrs[key] = first[key]
    return cube
