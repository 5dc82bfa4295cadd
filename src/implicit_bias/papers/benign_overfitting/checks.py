"""Acceptance checks of paper 000 (spec section 9), measured from its two cubes.

Z1.* are the Fig. 1 checks (one trajectory), Z2.* the Fig. 2 checks (test loss against d).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from ...claims import Claim, check, not_applicable
from . import KEY, theory
from .analysis import seed_stats, stage1_time, trajectory


def claims(dynamics: xr.Dataset, dimension: xr.Dataset, settings: Mapping) -> list[Claim]:
    return dynamics_claims(dynamics, settings) + dimension_claims(dimension, settings)


def _row(claim: str, statement: str, measured, expected: str, ok) -> Claim:
    return check(KEY, claim, statement, measured, expected, ok)


def dynamics_claims(cube: xr.Dataset, settings: Mapping) -> list[Claim]:
    model, acc, runs = settings["model"], settings["acceptance"], settings["dynamics"]
    traj = trajectory(cube)
    run = cube.sel(estimator="ours").isel(d=0, seed=0)
    d, n = int(cube["d"][0]), int(cube["n"][0])
    sigma = model["sigma"]
    t = traj["t"].values
    loss, test = traj["train_loss"].values, traj["test_error"].values
    q, v = traj["q_norm"].values, traj["v_norm"].values
    t_end = float(run["iterations"])
    t1 = stage1_time(cube, model, traj)
    t1_ref = float(
        theory.t1_reference(
            float(run["alpha"]), model["eps"], float(run["step_size"]), 1 / np.sqrt(model["s"])
        )
    )
    v_scale = sigma * np.sqrt(n / d)
    min_l2 = float(cube["test_error"].sel(estimator="min_l2").isel(d=0, seed=0))
    at_t1 = {
        name: float(np.interp(t1, t, traj[name].values)) if np.isfinite(t1) else np.nan
        for name in ("train_loss", "q_norm", "v_norm")
    }
    after_t1 = test[t >= t1] if np.isfinite(t1) else np.array([np.nan])
    where = (
        f"Fig. 1 run (d={d}, n={n}, eta={float(run['step_size']):g}, seed {int(cube['seed'][0])})"
    )
    rows = [
        _row(
            "Z1.1",
            f"{where} converges: L(T_end) <= tol and T_end <= {acc['dynamics_max_steps']}",
            [float(loss[-1]), t_end],
            f"L <= {runs['tol']:g}, T_end <= {acc['dynamics_max_steps']}",
            int(run["status"]) == 0
            and loss[-1] <= runs["tol"]
            and t_end <= acc["dynamics_max_steps"],
        ),
        _row(
            "Z1.2",
            "L(t) is non-increasing and ||v(t)||_2 non-decreasing on the logged grid",
            [float(np.max(np.diff(loss))), float(np.min(np.diff(v)))],
            "max dL <= 0, min d||v|| >= 0",
            np.all(np.diff(loss) <= 1e-15) and np.all(np.diff(v) >= -1e-15),
        ),
        _row(
            "Z1.3",
            "Stage 1 ends (T1 exists) near the logistic-growth time T1_ref = "
            "ln(beta_min/(alpha eps^2))/(4 eta alpha beta_min)",
            [t1, t1_ref, t1 / t1_ref],
            "0.7 <= T1/T1_ref <= 2.0",
            np.isfinite(t1) and 0.7 <= t1 / t1_ref <= 2.0,
        ),
        _row("Z1.4a", "Stage 1 is short: T1/T_end", t1 / t_end, "<= 0.05", t1 / t_end <= 0.05),
        _row(
            "Z1.4b",
            "v is still small at T1: ||v(T1)||_2 / ||v(T_end)||_2",
            at_t1["v_norm"] / v[-1],
            "<= 0.5",
            at_t1["v_norm"] <= 0.5 * v[-1],
        ),
        _row(
            "Z1.5a",
            "at T1 the signal is fitted and the noise is not: L(T1) ~ sigma^2/2",
            at_t1["train_loss"],
            "in [2.5e-3, 7.5e-3]",
            2.5e-3 <= at_t1["train_loss"] <= 7.5e-3,
        ),
        _row(
            "Z1.5b",
            "at T1 the quadratic part carries the signal: ||alpha(w^2-u^2)(T1)||_2",
            at_t1["q_norm"],
            ">= 0.85",
            at_t1["q_norm"] >= 0.85,
        ),
        _row(
            "Z1.6a",
            "end state: ||alpha(w^2-u^2)||_2",
            float(q[-1]),
            "in [0.90, 1.05]",
            0.90 <= q[-1] <= 1.05,
        ),
        _row(
            "Z1.6b",
            "end state: v fits the noise, ||v||_2 / (sigma sqrt(n/d))",
            float(v[-1] / v_scale),
            "in [0.6, 1.2]",
            0.6 <= v[-1] / v_scale <= 1.2,
        ),
        _row(
            "Z1.7a",
            "benign overfitting: test loss ||beta(T_end)-beta*||^2",
            float(test[-1]),
            f"<= {acc['dynamics_max_test_error']:g}",
            test[-1] <= acc["dynamics_max_test_error"],
        ),
        _row(
            "Z1.7b",
            "far below the min-l2 interpolator on the same data: min-l2 test / test(T_end)",
            min_l2 / float(test[-1]),
            ">= 100",
            min_l2 / test[-1] >= 100,
        ),
        _row(
            "Z1.7c",
            "Stage 2 costs little: test(T_end) / min_{t >= T1} test(t)",
            float(test[-1] / np.min(after_t1)),
            "<= 3",
            test[-1] <= 3 * np.min(after_t1),
        ),
    ]
    return rows


def dimension_claims(cube: xr.Dataset, settings: Mapping) -> list[Claim]:
    model, runs, acc = settings["model"], settings["dimension"], settings["acceptance"]
    sigma = model["sigma"]
    methods = [str(m) for m in cube["estimator"].values]
    mean, _ = seed_stats(cube)
    d = cube["d"].values.astype(int)
    n = cube["n"].values.astype(int)

    def m(method):
        return mean.sel(estimator=method).values

    def need(*names):
        missing = [x for x in names if x not in methods]
        return f"method(s) {', '.join(missing)} not in the sweep" if missing else ""

    rows: list[Claim] = []
    gd = [x for x in ("ours", "quad") if x in methods]
    status = cube["status"].sel(estimator=gd)
    curve_nan = bool(np.isnan(cube["test_error"].sel(estimator=gd)).any()) if gd else False
    rows.append(
        _row(
            "Z2.1",
            f"every GD run ({', '.join(gd)}) reaches L <= {runs['tol']:g} before max_steps, no NaN",
            f"{int((status == 0).sum())}/{status.size} converged",
            "all converged",
            bool((status == 0).all()) and not curve_nan,
        )
    )

    if why := need("min_l2"):
        rows.append(not_applicable(KEY, "Z2.2", "min-l2 matches the isotropic theory", why))
    else:
        ratio = m("min_l2") / theory.min_l2_risk(d, n, sigma)
        rows.append(
            _row(
                "Z2.2",
                "min-l2 sanity: mean test / ((1-n/d) + sigma^2 n/(d-n-1)) for every d",
                list(ratio),
                "in [0.8, 1.25]",
                np.all((ratio >= 0.8) & (ratio <= 1.25)),
            )
        )

    big = d >= 1000
    if why := need("ours", "min_l2"):
        rows.append(not_applicable(KEY, "Z2.3", "ours << min-l2", why))
    elif not big.any():
        rows.append(
            not_applicable(KEY, "Z2.3", "ours << min-l2 for d >= 1000", "no d >= 1000 in the sweep")
        )
    else:
        ratio = m("min_l2")[big] / m("ours")[big]
        rows.append(
            _row(
                "Z2.3",
                "ours << min-l2: mean_l2/mean_ours for every d >= 1000",
                list(ratio),
                ">= 100",
                np.all(ratio >= 100),
            )
        )

    if why := need("ours", "hybrid"):
        rows.append(not_applicable(KEY, "Z2.4", "ours close to hybrid", why))
    else:
        ratio = m("ours") / m("hybrid")
        limit = np.where(d >= 300, 2.0, 2.5)
        rows.append(
            _row(
                "Z2.4",
                "ours close to hybrid: mean_ours/mean_hybrid (<= 2 for d >= 300, <= 2.5 below)",
                list(ratio),
                "<= 2.0 (2.5 at d < 300)",
                np.all(ratio <= limit),
            )
        )

    unset = (
        "threshold set to null for this scale in config/benign_overfitting.yaml (no power there)"
    )
    if why := need("ours", "quad"):
        rows.append(not_applicable(KEY, "Z2.5a", "ours beats quad", why))
        rows.append(not_applicable(KEY, "Z2.5b", "the gap grows with d", why))
    else:
        ratio = m("quad") / m("ours")
        sel = d >= acc["ratio_min_d"]
        if sel.any() and acc["ratio_min"] is not None:
            rows.append(
                _row(
                    "Z2.5a",
                    f"ours beats w^2-u^2: mean_quad/mean_ours for every d >= {acc['ratio_min_d']}",
                    list(ratio[sel]),
                    f">= {acc['ratio_min']:g}",
                    np.all(ratio[sel] >= acc["ratio_min"]),
                )
            )
        else:
            rows.append(
                not_applicable(
                    KEY, "Z2.5a", "ours beats quad", f"no d >= {acc['ratio_min_d']} or {unset}"
                )
            )
        if acc["ratio_growth_min"] is None:
            rows.append(
                not_applicable(
                    KEY, "Z2.5b", "the quad/ours gap grows from d = 1000 to d_max", unset
                )
            )
        elif 1000 in d and d.max() > 1000:
            r1000, rmax = float(ratio[d == 1000][0]), float(ratio[-1])
            rows.append(
                _row(
                    "Z2.5b",
                    f"the gap grows: quad/ours ratio at d_max={d.max()} vs at d=1000",
                    [rmax, r1000],
                    f"ratio(d_max) >= ratio(1000) + {acc['ratio_growth_min']:g}",
                    rmax >= r1000 + acc["ratio_growth_min"],
                )
            )
        else:
            rows.append(
                not_applicable(
                    KEY, "Z2.5b", "the gap grows with d", "d = 1000 and a larger d needed"
                )
            )

    fit = d >= acc["rate_min_d"]
    if fit.sum() < 2:
        rows.append(
            not_applicable(
                KEY,
                "Z2.6",
                "rates (log-log slopes)",
                f"fewer than 2 points with d >= {acc['rate_min_d']}",
            )
        )
    else:
        slopes = {
            x: theory.loglog_slope(d[fit], m(x)[fit])
            for x in ("ours", "hybrid", "quad")
            if x in methods
        }
        limits = {
            "ours": ("<=", acc["ours_slope_max"]),
            "hybrid": ("<=", acc["hybrid_slope_max"]),
            "quad": (">=", acc["quad_slope_min"]),
        }
        for x, slope in slopes.items():
            op, limit = limits[x]
            statement = (
                f"rate: log-log slope of the mean test loss of {x} over d >= {acc['rate_min_d']}"
            )
            if limit is None:
                rows.append(not_applicable(KEY, f"Z2.6-{x}", statement, unset))
                continue
            ok = slope <= limit if op == "<=" else slope >= limit
            rows.append(_row(f"Z2.6-{x}", statement, slope, f"{op} {limit:g}", ok))
        if "ours" in slopes and "quad" in slopes:
            gap = slopes["quad"] - slopes["ours"]
            rows.append(
                _row(
                    "Z2.6-gap",
                    f"ours decays faster than w^2-u^2: slope_quad - slope_ours over "
                    f"d >= {acc['rate_min_d']}",
                    gap,
                    f">= {acc['slope_gap_min']:g}",
                    gap >= acc["slope_gap_min"],
                )
            )

    if why := need("quad", "min_l1"):
        rows.append(not_applicable(KEY, "Z2.7", "w^2-u^2 ~ min-l1", why))
    else:
        l1 = m("min_l1")
        sel = (d >= 300) & np.isfinite(l1)
        if sel.any():
            rel = np.abs(m("quad")[sel] - l1[sel]) / l1[sel]
            rows.append(
                _row(
                    "Z2.7",
                    "w^2-u^2 from small init ~ min-l1 interpolator: |quad-l1|/l1 for "
                    "d >= 300 with the LP",
                    list(rel),
                    "<= 0.3",
                    np.all(rel <= 0.3),
                )
            )
        else:
            rows.append(not_applicable(KEY, "Z2.7", "quad ~ min-l1", "the LP ran at no d >= 300"))

    order = [x for x in ("hybrid", "ours", "quad", "min_l2") if x in methods]
    at_max = [float(m(x)[-1]) for x in order]
    rows.append(
        _row(
            "Z2.8",
            f"ordering at d_max={d.max()}: {' < '.join(order)}",
            at_max,
            "increasing",
            len(order) == 4 and bool(np.all(np.diff(at_max) > 0)),
        )
    )

    if why := need("ours"):
        rows.append(not_applicable(KEY, "Z2.9", "||v|| fits the noise", why))
    else:
        vmean = (
            cube["v_norm"]
            .sel(estimator="ours")
            .where(cube["status"].sel(estimator="ours") == 0)
            .mean("seed")
        )
        ratio = vmean.values / (sigma * np.sqrt(n / d))
        rows.append(
            _row(
                "Z2.9",
                "v fits the noise: mean ||v||_2 / (sigma sqrt(n/d)) for every d",
                list(ratio),
                "in [0.6, 1.2]",
                np.all((ratio >= 0.6) & (ratio <= 1.2)),
            )
        )

    if why := need("hybrid"):
        rows.append(not_applicable(KEY, "Z2.10", "hybrid lambda not at the grid edge", why))
    else:
        # The multiplier with the best seed-mean hybrid test loss at each d: the grid must bracket
        # it. At d < 300 (n < 52) the hybrid loss is flat below 0.5 and the edge value 0.1 wins
        # about one seed triple in ten, so those d are not tested.
        best = cube["hybrid_path_test_error"].mean("seed").idxmin("lambda_multiplier").values
        tested = d >= 300
        rows.append(
            _row(
                "Z2.10",
                "the lambda multiplier with the best mean hybrid test loss at each "
                "d >= 300 is inside the grid",
                list(best[tested]),
                "all in {0.2, 0.5, 1, 2}",
                tested.any() and bool(np.all(np.isin(best[tested], [0.2, 0.5, 1.0, 2.0]))),
            )
        )
    return rows
