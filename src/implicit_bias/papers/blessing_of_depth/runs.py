"""Training jobs and cubes of paper 003.

A job runs one configuration (usually one depth N) of one experiment for a batch of seeds, each
seed on its own data draw, and returns an xr.Dataset with a leading ``seed`` dimension and the
job's axes (N, alpha, ...) as length-1 or full coordinates. ``build_cube`` merges the jobs of an
experiment. Kinds (spec 003.md section 0):
  landscape  E1   loss slices L(w* + a d + b h) - L(w*) and the direction diagnostics;
  decrease   E1b  worst-case l_inf decrease D_N(gamma) by LP;
  constant   E2   SubGM, constant step, product init (plus the expected-loss skeleton);
  decay      E3   SubGM, piecewise-constant step;
  geometric  E4   SubGM, geometric step, one run per (N, alpha) of the configured table;
  speedup    E4   criterion 19: geometric vs constant step to a target error;
  matrix     E5   deep matrix recovery;      relu  E6  deep ReLU nets;
  digits     E7p  MLP on digits, cross-entropy vs l1;
  lad        E8   LAD recovery, Lemma 5 and LAD-Lasso;
  timescales E9   first-hitting times of err <= ||theta*|| / 2;
  balance         variant-B init: layer imbalance on and off the support.
Diverging runs (|w| > 1e6 or NaN) are recorded with status "diverged" and their stop step.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ...data import rng_stream
from ...kernels import diagonal as kd
from ...progress import Progress, run_label
from ...store import STATUS_CODES, cf, provenance, status_attrs
from . import ID_AXES, KEY, REFERENCES, TITLE, datasets, solvers, theory

DIVERGED = STATUS_CODES["diverged"]
DIAGONAL_METRICS = {
    "train_loss": ("training loss L(w) = (1/m) sum_j |<theta(w), x_j> - y_j|", "1"),
    "err": ("generalization error ||theta(w) - theta*||_2", "1"),
    "support_err": ("error on the support ||theta_S - theta*_S||_2", "1"),
    "offsupport_norm": ("off-support residual ||theta off supp theta*||_2", "1"),
    "imbalance": ("layer imbalance b(t) = max_{a<b} ||w_a - w_b||_inf", "1"),
    "imbalance_support": ("layer imbalance on the support of theta*", "1"),
    "imbalance_offsupport": ("layer imbalance off the support of theta*", "1"),
    "topk_recovered": ("1 if the k largest |theta_i| are the support of theta*", "1"),
}


def _progress(
    job: Mapping, draw: dict, log, total: int, unit: str = "step", **what
) -> Progress | None:
    """A progress reporter for one training run of a job (None without a log)."""
    if not log:
        return None
    label = run_label(job, ID_AXES, seed=int(draw["seed"]), **what)
    return Progress(label, total, logger=log, unit=unit)


def _finish(progress: Progress | None, out: dict) -> None:
    """Summary line of a finished SubGM run (or batch): steps, last logged loss, status."""
    if progress is not None:
        loss = np.asarray(out["metrics"]["train_loss"])
        progress.finish(out["t_end"], loss[..., -1] if loss.shape[-1] else None, out["status"])


def _draw_scalars(draw: dict) -> xr.Dataset:
    """Per-seed constants of a regression draw: L*, ||theta*||, theta*_max, min theta*_i."""
    theta = draw["theta_star"]
    return xr.Dataset(
        {
            "L_star": float(draw["L_star"]),
            "theta_norm": float(np.linalg.norm(theta)),
            "theta_max": float(theta.max()),
            "theta_min": float(theta[theta > 0].min()),
            "dimension": int(draw["d"]),
            "sparsity": int(draw["k"]),
            "outlier_fraction": float(draw["p"]),
            "sigma_o": float(draw["sigma_o"]),
        }
    )


def _stop_step(steps: np.ndarray, err: np.ndarray, status: int, t_end: int) -> int:
    """The last step a run computed: t_end, or the last finite logged step if it diverged."""
    if status != DIVERGED:
        return int(t_end)
    ok = np.flatnonzero(np.isfinite(err))
    return int(steps[ok[-1]]) if ok.size else 0


def _diagonal_run(out: dict, steps: np.ndarray, status_key: str = "status") -> dict:
    """One (unbatched) subgm_diagonal output as arrays on ``steps``."""
    logged = out["steps"]
    pos = np.searchsorted(steps, logged)
    traj = {}
    for name in kd.SUBGM_METRICS:
        v = np.full(steps.size, np.nan)
        v[pos] = out["metrics"][name]
        traj[name] = v
    status = int(out[status_key])
    return {
        "traj": traj,
        "status": status,
        "err_min": float(out["err_min"]),
        "t_min": int(out["t_min"]),
        "t_onset": int(out["t_hit"]),
        "stop_step": _stop_step(steps, traj["err"], status, out["t_end"]),
    }


def _runs_dataset(runs: list[dict], labels: dict, steps: np.ndarray) -> xr.Dataset:
    """Stack _diagonal_run records over the label axes (C order of ``labels``)."""
    lead = tuple(labels)
    shape = tuple(len(v) for v in labels.values())
    ds = xr.Dataset(coords={**labels, "t": steps})
    for name in kd.SUBGM_METRICS:
        ds[name] = ((*lead, "t"), np.stack([r["traj"][name] for r in runs]).reshape(*shape, -1))
    for name in ("status", "err_min", "t_min", "t_onset", "stop_step"):
        ds[name] = (lead, np.array([r[name] for r in runs]).reshape(shape))
    return ds


# ------------------------------------------------------------------------------- E1 and E1b
def _landscape(job: Mapping, draw: dict, log) -> xr.Dataset:
    X, y, theta = draw["X"], draw["y"], draw["theta_star"]
    grid = np.linspace(-job["radius"], job["radius"], job["grid"])
    parts = []
    for N in job["depths"]:
        dirs = solvers.descent_directions(X, y, theta, N)
        surf = solvers.landscape_slice(X, y, dirs["W_star"], dirs["d"], dirs["h"], grid, grid)
        parts.append(
            xr.Dataset(
                {
                    "loss_change": (("a", "b"), surf),
                    "g_min_norm": dirs["g_min_norm"],
                    "lambda_min": dirs["lambda_min"],
                    "d_dot_h": dirs["d_dot_h"],
                    "lifted": int(dirs["mode"] != "steepest"),
                },
                coords={"a": grid, "b": grid},
            ).expand_dims(N=[int(N)])
        )
        if log:
            log.info(
                "N=%d: ||g_min|| %.3g, lambda_min %.3g, min over the grid %.3g",
                N,
                dirs["g_min_norm"],
                dirs["lambda_min"],
                surf.min(),
            )
    return xr.merge([xr.concat(parts, "N"), _draw_scalars(draw)])


def _decrease(job: Mapping, draw: dict, log) -> xr.Dataset:
    X, eps, theta = draw["X"], draw["eps"], draw["theta_star"]
    off = np.flatnonzero(theta == 0)
    tau0 = float(job["tau0"])
    gamma = np.asarray(job["gamma"], dtype=np.float64)
    c_off = solvers.decrease_coefficient(X, eps, off, tau0)
    c_full = solvers.decrease_coefficient(X, eps, None, tau0)
    D = np.empty((len(job["depths"]), gamma.size))
    by_lp = np.zeros(D.shape, dtype=np.int8)
    for i, N in enumerate(job["depths"]):
        for j, g in enumerate(gamma):
            if N == 1:  # the whole ball: exact worst case of the 1-layer model
                D[i, j] = solvers.worst_case_decrease(X, eps, g)
                by_lp[i, j] = 1
            else:  # balanced w*, off-support perturbations (certificate, spec E1b)
                D[i, j] = solvers.balanced_decrease(X, eps, theta, g, N, tau0, c_off)
                by_lp[i, j] = int(g**N > tau0)
        if log:
            log.info("N=%d: D = %s", N, np.array2string(D[i], precision=4))
    tau = np.asarray(job["tau_check"], dtype=np.float64)
    direct = np.array([solvers.worst_case_decrease(X, eps, t, off) for t in tau])
    ds = xr.Dataset(
        {
            "D": (("N", "gamma"), D),
            "by_lp": (("N", "gamma"), by_lp),
            "D_off_direct": (("tau",), direct),
            "c_off": c_off,
            "c_full": c_full,
        },
        coords={"N": list(job["depths"]), "gamma": gamma, "tau": tau},
    )
    return xr.merge([ds, _draw_scalars(draw)])


# ----------------------------------------------------------------------------- E2, E3, E9, B
def _log_steps(job: Mapping, T: int) -> np.ndarray:
    return kd.with_endpoint(kd.log_grid(T, job["log_per_decade"]), T)


def _subgm(job: Mapping, draw: dict, log) -> xr.Dataset:
    """E2 (constant), E3 (decay) and the balancedness runs: one depth, one init."""
    X, y, theta = draw["X"], draw["y"], draw["theta_star"]
    N, T, d = int(job["N"]), int(job["T"]), theta.size
    U = datasets.init_shapes(draw["seed"], N, d) if job["kind"] == "balance" else None
    W0 = kd.init_layers(N, d, job["alpha"], "product", U)
    steps = _log_steps(job, T)
    schedule = "piecewise" if job["kind"] == "decay" else "constant"
    progress = _progress(job, draw, log, T)
    out = kd.subgm_diagonal(
        X,
        y,
        theta,
        W0,
        T,
        schedule=schedule,
        eta=job["eta"],
        milestones=job.get("milestones", ()),
        factor=job.get("factor", 0.1),
        log_steps=steps,
        err_hit=0.5 * float(np.linalg.norm(theta)),
        progress=progress,
    )
    _finish(progress, out)
    run = _diagonal_run(out, steps)
    ds = _runs_dataset([run], {"N": [N]}, steps)
    if job["kind"] == "constant":
        pop = theory.population_trajectory(
            theta, W0, job["eta"], draw["p"], draw["sigma_o"], T, steps
        )
        ds["err_population"] = (("N", "t"), pop["err"][None, : steps.size])
    if job["kind"] == "balance":
        ds["imbalance_support_0"] = (("N",), [run["traj"]["imbalance_support"][0]])
        ds["imbalance_offsupport_0"] = (("N",), [run["traj"]["imbalance_offsupport"][0]])
    if log:
        log.info(
            "N=%d: err_min %.4g at t=%d, err(T) %.4g, L(T) - L* %.3g, onset %d, status %d",
            N,
            run["err_min"],
            run["t_min"],
            run["traj"]["err"][-1],
            run["traj"]["train_loss"][-1] - draw["L_star"],
            run["t_onset"],
            run["status"],
        )
    return xr.merge([ds, _draw_scalars(draw)])


def _timescales(job: Mapping, draw: dict, log) -> xr.Dataset:
    X, y, theta = draw["X"], draw["y"], draw["theta_star"]
    N, d = int(job["N"]), theta.size
    alpha = [float(a) for a in job["alpha"]]
    W0 = np.stack([kd.init_layers(N, d, a, "product") for a in alpha])
    progress = _progress(job, draw, log, int(job["T"]), alphas=len(alpha))
    out = kd.subgm_diagonal(
        X,
        y,
        theta,
        W0,
        int(job["T"]),
        eta=job["eta"],
        log_steps=np.array([0]),
        err_hit=0.5 * float(np.linalg.norm(theta)),
        stop_at_hit=True,
        progress=progress,
    )
    if progress is not None:  # only t = 0 is logged: no final loss
        progress.finish(out["t_end"], None, out["status"])
    onset = out["t_hit"].astype(np.float64)
    onset[onset < 0] = np.nan  # not reached within the cap
    ratio = theory.onset_ratio(onset, np.array(alpha), N, job["eta"])
    if log:
        log.info("N=%d: onsets %s, ratios %s", N, onset, np.round(ratio, 3))
    ds = xr.Dataset(
        {
            "t_onset": (("N", "alpha"), onset[None]),
            "onset_ratio": (("N", "alpha"), ratio[None]),
            "status": (("N", "alpha"), out["status"][None]),
        },
        coords={"N": [N], "alpha": alpha},
    )
    return xr.merge([ds, _draw_scalars(draw)])


# --------------------------------------------------------------------------------------- E4
def _geometric(job: Mapping, draw: dict, log) -> xr.Dataset:
    X, y, theta = draw["X"], draw["y"], draw["theta_star"]
    N, d = int(job["N"]), theta.size
    parts = []
    for run in job["runs"]:
        T = int(run["T"])
        steps = kd.linear_grid(T, job["log_points"])
        W0 = kd.init_layers(N, d, run["alpha"], job["init_convention"])
        progress = _progress(job, draw, log, T, alpha=float(run["alpha"]))
        out = kd.subgm_diagonal(
            X, y, theta, W0, T, schedule="geometric", eta=run["eta0"], rho=run["rho"],
            log_steps=steps, progress=progress,
        )  # fmt: skip
        _finish(progress, out)
        rec = _diagonal_run(out, steps)
        part = _runs_dataset([rec], {"N": [N], "alpha": [float(run["alpha"])]}, steps)
        for key in ("eta0", "rho", "T"):
            part[key] = (("N", "alpha"), [[run[key]]])
        parts.append(part)
        if log:
            log.info(
                "N=%d alpha=%g: err_min %.3g, err(T) %.3g, status %d",
                N,
                run["alpha"],
                rec["err_min"],
                rec["traj"]["err"][-1],
                rec["status"],
            )
    ds = xr.merge(parts, join="outer")
    return xr.merge([ds, _draw_scalars(draw)])


def _speedup(job: Mapping, draw: dict, log) -> xr.Dataset:
    X, y, theta = draw["X"], draw["y"], draw["theta_star"]
    N, T, d = int(job["N"]), int(job["T"]), theta.size
    W0 = kd.init_layers(N, d, job["alpha"], "product")
    steps = _log_steps(job, T)
    runs = []
    for schedule, eta, rho in (
        ("geometric", job["eta0"], job["rho"]),
        ("constant", job["eta"], 1.0),
    ):
        progress = _progress(job, draw, log, T, schedule=schedule)
        out = kd.subgm_diagonal(
            X, y, theta, W0, T, schedule=schedule, eta=eta, rho=rho, log_steps=steps,
            err_hit=float(job["err"]), stop_at_hit=True, progress=progress,
        )  # fmt: skip
        _finish(progress, out)
        runs.append(_diagonal_run(out, steps))
        if log:
            log.info("%s: err <= %g at t = %d", schedule, job["err"], out["t_hit"])
    ds = _runs_dataset(runs, {"schedule": ["geometric", "constant"]}, steps)
    return xr.merge([ds, _draw_scalars(draw)])


# ---------------------------------------------------------------------------------- E5, E6
def _matrix(job: Mapping, draw: dict, log) -> xr.Dataset:
    from ...kernels import deep_matrix as km

    N, T = int(job["N"]), int(job["T"])
    steps = _log_steps(job, T)
    W0 = datasets.matrix_init(draw["seed"], N, draw["d"], job["alpha"])
    progress = _progress(job, draw, log, T)
    out = km.subgm_deep_matrix(
        draw["A"], draw["y"], draw["Xstar"], W0, job["eta"], T, steps, progress=progress
    )
    _finish(progress, out)
    norm = float(np.linalg.norm(draw["Xstar"]))
    pos = np.searchsorted(steps, out["steps"])
    traj = {}
    for name in km.MATRIX_METRICS:
        traj[name] = np.full(steps.size, np.nan)
        traj[name][pos] = out["metrics"][name]
    stop = _stop_step(steps, traj["err"], out["status"], out["t_end"])
    if log:
        log.info(
            "N=%d: rel err_min %.4g at t=%d, rel err(T) %.4g, status %d",
            N,
            out["err_min"] / norm,
            out["t_min"],
            traj["err"][-1] / norm,
            out["status"],
        )
    return xr.Dataset(
        {
            "err": (("N", "t"), traj["err"][None]),
            "err_rel": (("N", "t"), traj["err"][None] / norm),
            "train_loss": (("N", "t"), traj["train_loss"][None]),
            "err_min": (("N",), [out["err_min"]]),
            "err_rel_min": (("N",), [out["err_min"] / norm]),
            "t_min": (("N",), [out["t_min"]]),
            "status": (("N",), [out["status"]]),
            "stop_step": (("N",), [stop]),
            "Xstar_norm": norm,
            "L_star": float(draw["L_star"]),
        },
        coords={"N": [N], "t": steps},
    )


def _relu(job: Mapping, draw: dict, log) -> xr.Dataset:
    from ...kernels import relu_net as kr

    N, T = int(job["N"]), int(job["T"])
    steps = _log_steps(job, T)
    Ws = datasets.relu_init(draw["seed"], N, draw["d"], job["h"], job["alpha"])
    labels = {"noisy": draw["y"]}
    if job.get("clean"):
        labels["clean"] = draw["f_train"]  # p = 0: the model-mismatch reference
    ds = xr.Dataset(coords={"N": [N], "t": steps})
    for name, y in labels.items():
        start = time.perf_counter()
        progress = _progress(job, draw, log, T, labels=name)
        out = kr.subgm_relu(
            Ws, draw["XT"], y, draw["XT_test"], draw["f_test"], job["eta"], T, steps, progress
        )
        _finish(progress, out)
        pos = np.searchsorted(steps, out["steps"])
        mse = np.full(steps.size, np.nan)
        mse[pos] = out["metrics"]["test_mse"]
        suffix = "" if name == "noisy" else "_clean"
        ds[f"test_mse{suffix}"] = (("N", "t"), mse[None])
        if name == "noisy":
            loss = np.full(steps.size, np.nan)
            loss[pos] = out["metrics"]["train_loss"]
            ds["train_loss"] = (("N", "t"), loss[None])
            ds["status"] = (("N",), [out["status"]])
            ds["stop_step"] = (("N",), [_stop_step(steps, mse, out["status"], out["t_end"])])
        if log:
            log.info(
                "N=%d %s labels: test MSE(T) %.4g, min %.4g at t=%d (%.0f s)",
                N,
                name,
                mse[-1],
                out["mse_min"],
                out["t_min"],
                time.perf_counter() - start,
            )
    ds["zero_mse"] = float(np.mean(draw["f_test"] ** 2))
    return ds


# --------------------------------------------------------------------------------- E7p, E8
def _digits(job: Mapping, draw: dict, log) -> xr.Dataset:
    from ...kernels import relu_net as kr

    losses = list(kr.MLP_LOSSES)
    epochs = int(job["epochs"])
    shape = (len(job["depths"]), len(losses))
    acc = {k: np.full((*shape, epochs), np.nan) for k in ("train_acc", "test_acc", "train_loss")}
    status = np.zeros(shape, dtype=np.int64)
    for i, depth in enumerate(job["depths"]):
        for j, loss in enumerate(losses):
            progress = _progress(
                job, draw, log, epochs, unit="epoch", depth=int(depth), objective=loss
            )
            out = kr.train_mlp(
                draw["X_train"], draw["y_train"], draw["X_test"], draw["y_test"],
                hidden=int(depth), width=job["width"], loss=loss, lr=job[f"lr_{loss}"],
                epochs=epochs, batch=job["batch"], momentum=job["momentum"],
                decay_every=job["decay_every"], decay=job["decay"],
                rng=rng_stream(datasets.RNG_TAG, draw["seed"], 8, int(depth), j),
                progress=progress,
            )  # fmt: skip
            if progress is not None:
                done = np.isfinite(out["train_loss"])
                last = out["train_loss"][done][-1] if done.any() else None
                progress.finish(int(done.sum()), last, out["status"])
            for key in acc:
                acc[key][i, j] = out[key]
            status[i, j] = out["status"]
            if log:
                log.info(
                    "depth %d, %s: best test accuracy %.3f", depth, loss, np.nanmax(out["test_acc"])
                )
    dims = ("depth", "loss", "epoch")
    ds = xr.Dataset(
        {k: (dims, v) for k, v in acc.items()},
        coords={"depth": list(job["depths"]), "loss": losses, "epoch": np.arange(1, epochs + 1)},
    )
    ds["best_test_acc"] = ds["test_acc"].max("epoch")
    ds["status"] = (("depth", "loss"), status)
    return ds


def _lad(job: Mapping, draw: dict, log) -> xr.Dataset:
    X, y, eps, theta = draw["X"], draw["y"], draw["eps"], draw["theta_star"]
    cases, err_u, gap_u = [], [], []
    for d, m in job["under"]:
        u = datasets.under_parameterized(draw["seed"], int(d), int(m), draw["p"])
        fit = solvers.lad(u["X"], u["y"])
        loss_star = float(np.mean(np.abs(u["X"] @ u["theta_star"] - u["y"])))
        cases.append(f"d{d}_m{m}")
        err_u.append(float(np.linalg.norm(fit["theta"] - u["theta_star"])))
        gap_u.append(loss_star - fit["loss"])
    over = solvers.lad(X, y)
    z = datasets.lemma5_direction(draw["seed"], theta.size, draw["k"], job["norms"])
    lemma = [solvers.lemma5_direction_error(X, eps, zi, draw["p"], draw["sigma_o"]) for zi in z]
    lasso = [solvers.lad_lasso(X, y, lam) for lam in job["lasso_lambda"]]
    ds = xr.Dataset(
        {
            "under_err": (("case",), err_u),
            "under_gap": (("case",), gap_u),
            "over_err": float(np.linalg.norm(over["theta"] - theta)),
            "over_loss": over["loss"],
            "over_nnz": int(np.sum(np.abs(over["theta"]) > 1e-9)),
            "projection": (("norm",), [r["projection"] for r in lemma]),
            "phi": (("norm",), [r["phi"] for r in lemma]),
            "deviation": (("norm",), [r["deviation"] for r in lemma]),
            "lasso_err": (("lam",), [float(np.linalg.norm(r["theta"] - theta)) for r in lasso]),
            "lasso_nnz": (("lam",), [int(np.sum(np.abs(r["theta"]) > 1e-8)) for r in lasso]),
        },
        coords={"case": cases, "norm": list(job["norms"]), "lam": list(job["lasso_lambda"])},
    )
    if log:
        log.info(
            "under-parameterized LAD errors %s, over-parameterized %.4g", err_u, ds["over_err"]
        )
    return xr.merge([ds, _draw_scalars(draw)])


TRAINERS = {
    "landscape": _landscape,
    "decrease": _decrease,
    "constant": _subgm,
    "decay": _subgm,
    "balance": _subgm,
    "timescales": _timescales,
    "geometric": _geometric,
    "speedup": _speedup,
    "matrix": _matrix,
    "relu": _relu,
    "digits": _digits,
    "lad": _lad,
}


def train(job: Mapping, data: Sequence[xr.Dataset], log=None) -> xr.Dataset:
    """Every run of one job on each seed's draw, stacked along ``seed``."""
    parts = []
    for ds in data:
        start = time.perf_counter()
        draw = datasets.from_dataset(ds)
        part = TRAINERS[job["kind"]](job, draw, log)
        parts.append(part.expand_dims(seed=[int(draw["seed"])]))
        if log:
            log.info("seed %d done in %.1f s", draw["seed"], time.perf_counter() - start)
    out = xr.concat(parts, dim="seed", join="outer")
    if "status" in out:
        out["status"] = out["status"].astype(np.int8)
    out.attrs.update(_scalar_attrs(job))
    return out


def _scalar_attrs(job: Mapping) -> dict:
    """Settings that NetCDF can hold as attributes (lists of numbers become arrays)."""
    attrs = {}
    for key, value in job.items():
        if isinstance(value, bool):
            attrs[key] = int(value)
        elif isinstance(value, (int, float, str)):
            attrs[key] = value
        elif (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        ):
            attrs[key] = np.asarray(value)
    return attrs


# ----------------------------------------------------------------------------------- cubes
VARIABLES = {
    **DIAGONAL_METRICS,
    "err_population": ("err of SubGM on the expected loss xi ||theta - theta*|| (spec 3.6)", "1"),
    "err_min": ("minimum over every step of the generalization error", "1"),
    "t_min": ("step of the minimum error", "1"),
    "t_onset": ("first step with err <= ||theta*|| / 2 (NaN or -1: never)", "1"),
    "onset_ratio": ("t_onset N eta / (log(1/alpha) for N = 2, alpha^(-(N-2)/N) for N >= 3)", "1"),
    "stop_step": ("last step the run computed", "1"),
    "imbalance_support_0": ("layer imbalance on the support at t = 0", "1"),
    "imbalance_offsupport_0": ("layer imbalance off the support at t = 0", "1"),
    "L_star": ("L* = (1/m) sum_j |eps_j|, the loss of every true solution", "1"),
    "theta_norm": ("||theta*||_2", "1"),
    "theta_max": ("largest entry of theta*", "1"),
    "theta_min": ("smallest nonzero entry of theta*", "1"),
    "dimension": ("dimension d of theta", "1"),
    "sparsity": ("sparsity k of theta*", "1"),
    "outlier_fraction": ("fraction p of corrupted samples", "1"),
    "sigma_o": ("standard deviation of the outlier noise", "1"),
    "loss_change": ("L(w* + a d + b h) - L(w*), unsmoothed l1 loss", "1"),
    "g_min_norm": ("norm of the minimum-norm Clarke subgradient at w*", "1"),
    "lambda_min": ("smallest eigenvalue of the smoothed Hessian at w*", "1"),
    "d_dot_h": ("<d, h>", "1"),
    "lifted": ("1 if d is the lifted off-support direction (w* Clarke-stationary)", "1"),
    "D": ("worst-case loss decrease in the l_inf ball of radius gamma", "1"),
    "by_lp": ("1 if D was solved as an LP, 0 if c_off gamma^N", "1"),
    "D_off_direct": ("off-support worst-case decrease D_off(tau) by direct LP", "1"),
    "c_off": ("c_off = D_off(tau0) / tau0, off-support columns", "1"),
    "c_full": ("D_1(tau0) / tau0, all columns", "1"),
    "eta0": ("initial step size of the geometric schedule", "1"),
    "rho": ("decay factor of the geometric schedule eta0 rho^t", "1"),
    "T": ("number of SubGM iterations", "1"),
    "err_rel": ("relative error ||W_1...W_N - X*||_F / ||X*||_F", "1"),
    "err_rel_min": ("minimum over every step of the relative error", "1"),
    "Xstar_norm": ("||X*||_F", "1"),
    "test_mse": ("test MSE mean (f_W(x) - sin(theta*^T x))^2 on clean test points", "1"),
    "test_mse_clean": ("test MSE of the net trained on clean labels (p = 0)", "1"),
    "zero_mse": ("test MSE of the zero predictor", "1"),
    "train_acc": ("training accuracy on the noisy labels", "1"),
    "test_acc": ("test accuracy", "1"),
    "best_test_acc": ("best test accuracy over epochs", "1"),
    "under_err": ("||theta_LAD - theta*||_2, under-parameterized", "1"),
    "under_gap": ("L(theta*) - min L, under-parameterized", "1"),
    "over_err": ("||theta_LAD - theta*||_2, over-parameterized (spec 4.1 data)", "1"),
    "over_loss": ("training loss of the over-parameterized LAD", "1"),
    "over_nnz": ("nonzeros of the over-parameterized LAD", "1"),
    "projection": ("<q, z/||z||>, q = (1/m) sum_j sign(<x_j, z> + eps_j) x_j", "1"),
    "phi": ("phi(||z||) of Lemma 5 (Gaussian outliers)", "1"),
    "deviation": ("||q - phi z/||z||||", "1"),
    "lasso_err": ("||theta_LAD-Lasso - theta*||_2", "1"),
    "lasso_nnz": ("nonzeros of the LAD-Lasso solution", "1"),
}
COORDS = {
    "seed": "seed of the data draw",
    "N": "depth N (number of layers)",
    "t": "iteration t",
    "alpha": "initialization scale alpha",
    "a": "coefficient a of the direction d",
    "b": "coefficient b of the direction h",
    "gamma": "radius gamma of the l_inf ball",
    "tau": "l_inf radius tau of the off-support perturbation of theta",
    "schedule": "step-size schedule",
    "depth": "hidden layers of the MLP",
    "loss": "training loss: ce = cross-entropy, l1 = eq. (12)",
    "epoch": "epoch",
    "case": "under-parameterized problem (d, m)",
    "norm": "||z|| of the Lemma 5 direction",
    "lam": "LAD-Lasso penalty lambda",
}


def build_cube(runs: Sequence[xr.Dataset], config: Mapping, experiment: str) -> xr.Dataset:
    """Merge the jobs of one experiment (disjoint N or parts, shared seeds) into its cube."""
    common = dict(runs[0].attrs)
    for run in runs[1:]:
        common = {
            k: v for k, v in common.items() if k in run.attrs and np.array_equal(run.attrs[k], v)
        }
    cube = xr.merge(
        [run.drop_attrs() for run in runs],
        join="outer",
        compat="no_conflicts",
        combine_attrs="drop",
    )
    cube = cube.sortby([d for d in ("N", "seed", "alpha", "t") if d in cube.dims])
    if "status" in cube:
        cube["status"] = cube["status"].fillna(STATUS_CODES["not_run"]).astype(np.int8)
        cube["status"].attrs = status_attrs()
    for name, (text, units) in VARIABLES.items():
        if name in cube:
            cf(cube[name], text, units)
    for name, text in COORDS.items():
        if name in cube.coords:
            cf(cube[name], text)
    cube.attrs = provenance(config, f"{TITLE}: {experiment}", REFERENCES)
    cube.attrs.update(paper=KEY, experiment=experiment)
    for key, value in common.items():
        if key not in cube.dims and key not in ("kind", "dataset", "part"):
            cube.attrs[key] = value
    return cube
