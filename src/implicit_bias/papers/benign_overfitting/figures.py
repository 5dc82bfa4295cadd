"""Figures 1 and 2 of paper 000, drawn from its cubes only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ... import plotting
from ...store import STATUS_CODES
from . import theory
from .analysis import seed_stats, stage1_time, trajectory

LABELS = {
    "ours": r"$v+\alpha(w^{\odot 2}-u^{\odot 2})$ (ours)",
    "quad": r"$w^{\odot 2}-u^{\odot 2}$",
    "hybrid": "hybrid (Lasso + min-$\\ell_2$)",
    "min_l2": r"min-$\ell_2$ interpolator",
    "min_l1": r"min-$\ell_1$ interpolator (LP)",
}


def fig1(cube: xr.Dataset, model: Mapping, outputs: Sequence[str]) -> None:
    """Left: L(t) and ||beta(t)-beta*||^2; right: ||alpha(w^2-u^2)|| and ||v||; red line at T1."""
    plotting.setup()
    import matplotlib.pyplot as plt

    traj = trajectory(cube)
    run = cube.sel(estimator="ours").isel(d=0, seed=0)
    d, n = int(cube["d"][0]), int(cube["n"][0])
    eta, alpha = float(run["step_size"]), float(run["alpha"])
    t1 = stage1_time(cube, model, traj)
    t1_ref = theory.t1_reference(alpha, model["eps"], eta, 1 / np.sqrt(model["s"]))
    t = traj["t"].values
    shown = t >= 1  # log axis
    colors = plotting.palette(["train", "test", "q", "v"])

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(
        t[shown],
        traj["train_loss"].values[shown],
        color=colors["train"],
        label=r"training loss $L(t)$",
    )
    left.plot(
        t[shown],
        traj["test_error"].values[shown],
        color=colors["test"],
        label=r"test loss $\|\beta^{(t)}-\beta^*\|_2^2$",
    )
    if np.isfinite(t1):
        loss_t1 = float(np.interp(t1, t, traj["train_loss"].values))
        tt = t[t >= t1]
        left.plot(
            tt,
            theory.stage2_loss(tt, t1, loss_t1, eta, d, n),
            color=colors["train"],
            label=r"Stage 2: $L(T_1)\,e^{-2\eta (d/n)(t-T_1)}$",
            **plotting.THEORY_STYLE,
        )
    status = int(run["status"])
    if status != 0:  # the run stopped without reaching the tolerance: say so on the curve
        name = {v: k for k, v in STATUS_CODES.items()}.get(status, str(status))
        left.plot(
            t[-1],
            traj["train_loss"].values[-1],
            "x",
            color="black",
            mew=2,
            ms=9,
            label=f"run stopped, not converged ({name})",
        )
    left.set(xscale="log", yscale="log", xlabel="iteration $t$", ylabel="loss")
    left.set_title(f"losses (d = {d}, n = {n}, $\\eta$ = {eta:g})")

    right.plot(
        t[shown],
        traj["q_norm"].values[shown],
        color=colors["q"],
        label=r"$\|\alpha(w^{\odot 2}-u^{\odot 2})\|_2$",
    )
    right.plot(t[shown], traj["v_norm"].values[shown], color=colors["v"], label=r"$\|v\|_2$")
    right.plot(
        t[shown],
        theory.v_noise_fit(t[shown], eta, d, n, float(run["xt_xi_norm"])),
        color=colors["v"],
        label=r"noise fit $a_t\|X^\top\xi\|_2$",
        **plotting.THEORY_STYLE,
    )
    right.axhline(
        model["sigma"] * np.sqrt(n / d), color="grey", linestyle=":", label=r"$\sigma\sqrt{n/d}$"
    )
    right.set(xscale="log", yscale="log", xlabel="iteration $t$", ylabel="norm")
    right.set_ylim(bottom=max(1e-6, float(np.nanmin(traj["v_norm"].values[t >= 1])) / 3))
    right.set_title(r"quadratic part and linear part of $\beta$")

    for ax in (left, right):
        if np.isfinite(t1):
            ax.axvline(t1, **plotting.MARKER_STYLE, label=f"$T_1$ = {t1:.0f} (end of Stage 1)")
        ax.axvline(
            t1_ref,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"$T_1$ logistic estimate = {t1_ref:.0f}",
        )
        # below the axes: the curves fill the whole panel
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.suptitle(
        r"Fig. 1: training dynamics of $\beta = v+\alpha(w^{\odot 2}-u^{\odot 2})$", y=1.02
    )
    plotting.save(fig, outputs)


def fig2(cube: xr.Dataset, model: Mapping, outputs: Sequence[str]) -> None:
    """Test loss against d (log-log): mean line, +-1 std band, dashed order of each method.

    Left: the paper's three methods (hybrid, ours, w^2-u^2) and our extra min-l1 LP curve; right:
    the min-l2 interpolator (an extra curve near 1, on its own axis so it does not flatten the
    others). A d at which some seed of a method did not converge is drawn hollow, is not joined
    by the line, and is left out of the fitted order line; its mean is over the converged seeds.
    """
    plotting.setup()
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    mean, std = seed_stats(cube)
    d, n = cube["d"].values.astype(float), cube["n"].values.astype(float)
    sigma, s = model["sigma"], model["s"]
    methods = [str(m) for m in cube["estimator"].values]
    colors = plotting.palette(methods)
    references = {
        "ours": (theory.rate_optimal(d, n, s, sigma), r"order $\sigma^2(s\ln(d/s)/n+n/d)$"),
        "hybrid": (theory.rate_optimal(d, n, s, sigma), r"order $\sigma^2(s\ln(d/s)/n+n/d)$"),
        "quad": (theory.rate_min_l1(d, n, sigma), r"order $\sigma^2/\ln(d/n)$"),
        "min_l1": (theory.rate_min_l1(d, n, sigma), r"order $\sigma^2/\ln(d/n)$"),
        "min_l2": (theory.min_l2_risk(d, n, sigma), r"$(1-n/d)+\sigma^2 n/(d-n-1)$ (no fit)"),
    }
    n_seeds = cube.sizes["seed"]
    ran = cube["status"] != STATUS_CODES["not_run"]
    converged = (cube["status"] == 0).sum("seed")
    incomplete = (converged < ran.sum("seed")).values  # (estimator, d)

    fig, (ax, ax_l2) = plt.subplots(
        1, 2, figsize=(11, 5), gridspec_kw={"width_ratios": [2.6, 1], "wspace": 0.3}
    )
    any_hollow = any_failed = False
    for i, method in enumerate(methods):
        target = ax_l2 if method == "min_l2" else ax
        m, sd = mean.sel(estimator=method).values, std.sel(estimator=method).values
        ok = np.isfinite(m)
        full = ok & ~incomplete[i]
        part = ok & incomplete[i]
        color = colors[method]
        target.plot(
            d, np.where(full, m, np.nan), marker="o", color=color, label=LABELS.get(method, method)
        )
        if part.any():
            any_hollow = True
            target.plot(d[part], m[part], "o", mfc="white", mec=color, mew=1.5, ls="none", zorder=5)
        failed = ~ok & ran.isel(estimator=i).any("seed").values
        if failed.any():  # no seed converged: a cross on the bottom axis
            any_failed = True
            target.plot(
                d[failed],
                np.full(failed.sum(), 0.02),
                "x",
                color=color,
                mew=2,
                ms=9,
                ls="none",
                zorder=5,
                clip_on=False,
                transform=target.get_xaxis_transform(),
            )
        target.fill_between(
            d[full],
            np.maximum(m[full] - sd[full], m[full] * 0.05),
            m[full] + sd[full],
            color=color,
            alpha=0.2,
            linewidth=0,
        )
        ref, what = references.get(method, (None, ""))
        if ref is None or not full.any():
            continue
        if method != "min_l2":
            ref = plotting.fit_scale(ref[full], m[full]) * ref
        target.plot(d, ref, color=color, label=f"  {what}", **plotting.THEORY_STYLE)
    handles, labels = ax.get_legend_handles_labels()
    if any_hollow:
        handles.append(
            Line2D([], [], marker="o", mfc="white", mec="grey", linestyle="none", mew=1.5)
        )
        labels.append("hollow: some seeds did not converge\n(mean of the others, not fitted)")
    if any_failed:
        handles.append(Line2D([], [], marker="x", color="grey", mew=2, linestyle="none"))
        labels.append("x on the axis: no seed converged")
    seeds = f"{n_seeds} seed" + ("s" if n_seeds > 1 else "")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="dimension $d$  ($n = 3\\sqrt{d}$)",
        ylabel=r"test loss $\|\beta-\beta^*\|_2^2$",
    )
    ax.set_title(f"Fig. 2: test loss vs dimension (mean $\\pm$ std over {seeds})")
    ax.legend(
        handles, labels, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2
    )
    ax_l2.set(xscale="log", yscale="log", xlabel="dimension $d$")
    ax_l2.set_title(r"min-$\ell_2$ interpolator (extra)")
    ax_l2.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14))
    plotting.save(fig, outputs)
