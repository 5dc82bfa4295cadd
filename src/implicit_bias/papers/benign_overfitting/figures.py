"""Figures 1 and 2 of paper 000, drawn from its cubes only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ... import plotting
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
            t1_ref, color="grey", linestyle="--", linewidth=1, label=f"$T_1$ theory = {t1_ref:.0f}"
        )
        # below the axes: the curves fill the whole panel
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.suptitle(
        r"Fig. 1: training dynamics of $\beta = v+\alpha(w^{\odot 2}-u^{\odot 2})$", y=1.02
    )
    plotting.save(fig, outputs)


def fig2(cube: xr.Dataset, model: Mapping, outputs: Sequence[str]) -> None:
    """Test loss against d (log-log): mean line, +-1 std band, dashed order of each method."""
    plotting.setup()
    import matplotlib.pyplot as plt

    mean, std = seed_stats(cube)
    d, n = cube["d"].values.astype(float), cube["n"].values.astype(float)
    sigma, s = model["sigma"], model["s"]
    methods = [str(m) for m in cube["estimator"].values]
    colors = plotting.palette(methods)
    references = {
        "ours": theory.rate_optimal(d, n, s, sigma),
        "hybrid": theory.rate_optimal(d, n, s, sigma),
        "quad": theory.rate_min_l1(d, n, sigma),
        "min_l1": theory.rate_min_l1(d, n, sigma),
    }

    fig, ax = plt.subplots(figsize=(7.2, 5))
    for method in methods:
        m, sd = mean.sel(estimator=method).values, std.sel(estimator=method).values
        ok = np.isfinite(m)
        ax.plot(d[ok], m[ok], marker="o", color=colors[method], label=LABELS.get(method, method))
        ax.fill_between(
            d[ok],
            np.maximum(m[ok] - sd[ok], m[ok] * 0.05),
            m[ok] + sd[ok],
            color=colors[method],
            alpha=0.2,
            linewidth=0,
        )
        if method == "min_l2":
            ref, what = theory.min_l2_risk(d, n, sigma), r"$(1-n/d)+\sigma^2 n/(d-n-1)$"
        elif method in references:
            c = plotting.fit_scale(references[method][ok], m[ok])
            ref = c * references[method]
            what = (
                r"order $\sigma^2(s\ln(d/s)/n+n/d)$"
                if method in ("ours", "hybrid")
                else r"order $\sigma^2/\ln(d/n)$"
            )
        else:
            continue
        ax.plot(d[ok], ref[ok], color=colors[method], label=f"  {what}", **plotting.THEORY_STYLE)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="dimension $d$  ($n = 3\\sqrt{d}$)",
        ylabel=r"test loss $\|\beta-\beta^*\|_2^2$",
    )
    n_seeds = cube.sizes["seed"]
    seeds = f"{n_seeds} seed" + ("s" if n_seeds > 1 else "")
    ax.set_title(f"Fig. 2: test loss vs dimension (mean $\\pm$ std over {seeds})")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    plotting.save(fig, outputs)
