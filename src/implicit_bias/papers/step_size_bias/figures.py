"""Figures 1-6 of paper 001, drawn from the cubes only (the first seed: the paper shows single
curves; the cubes hold every seed)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import xarray as xr

from ... import plotting

TITLES = {
    "fig1": r"Fig. 1: test loss vs $\alpha$, $\beta = u_+^2 - u_-^2$, $\mu = 5$",
    "fig3": r"Fig. 3: effect of the data mean $\mu$",
    "fig4": r"Fig. 4: effect of the depth $D$, $\beta = u_+^D - u_-^D$",
    "fig5": r"Fig. 5: UV model $\beta = u_+ \circ v_+ - u_- \circ v_-$",
    "fig6": r"Fig. 6: random normal initialization shape",
}
# Runs stopped by the step cap are drawn hollow when they are nearly interpolating.
HOLLOW_LOSS = 1e-4


def _panel_loss(ax, panel: xr.Dataset, title: str) -> None:
    """Test loss against alpha, one curve per step size, with the l1 / l2 baselines."""
    labels = [str(s) for s in panel["eta_spec"].values]
    colors = sns.color_palette("viridis_r", n_colors=len(labels))
    alpha = panel["alpha"].values
    for color, label in zip(colors, labels, strict=True):
        run = panel.sel(eta_spec=label)
        test, status, loss = (
            run["test_excess"].values,
            run["status"].values,
            run["train_loss"].values,
        )
        ok = status == 0
        eta = float(np.nanmean(run["eta"].values))
        ax.plot(
            alpha[ok],
            test[ok],
            marker="o",
            color=color,
            label=f"$\\eta$ = {label}" + ("" if "eta*" not in label else f" = {eta:.2g}"),
        )
        near = (status == 1) & (loss <= HOLLOW_LOSS)
        ax.plot(
            alpha[near],
            test[near],
            marker="o",
            linestyle="none",
            markerfacecolor="none",
            color=color,
        )
    ax.plot(
        alpha,
        panel["gf_test_excess"].values,
        color="grey",
        linewidth=1,
        linestyle="-.",
        label=r"gradient flow ($\eta \to 0$)",
    )
    ax.axhline(
        float(panel["l1_test_excess"]),
        color="tab:green",
        linestyle="--",
        label=r"min-$\ell_1$ interpolator",
    )
    ax.axhline(
        float(panel["l2_test_excess"]),
        color="tab:blue",
        linestyle="--",
        label=r"min-$\ell_2$ interpolator",
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=r"initialization scale $\alpha$",
        ylabel=r"test loss $\mathbb{E}[(\langle\beta-\beta^*, x\rangle)^2]$",
        title=title,
    )


def _panels(cube: xr.Dataset, seed) -> list[tuple[xr.Dataset, str]]:
    out = []
    for mu in cube["mu"].values:
        for D in cube["D"].values:
            panel = cube.sel(mu=mu, D=D, seed=seed)
            if np.all(panel["status"].values == 3):
                continue
            out.append((panel, f"$\\mu$ = {int(mu)}, D = {int(D)}"))
    return out


def loss_figure(
    experiment: str, cube: xr.Dataset, references: Sequence[xr.Dataset], outputs: Sequence[str]
) -> None:
    plotting.setup()
    seed = cube["seed"].values[0]
    panels = _panels(cube, seed)
    if experiment == "fig4":  # the D = 2 curves of Fig. 1 for comparison
        panels = [(p, t) for ref in references for p, t in _panels(ref, seed)] + panels
    fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 4.6), squeeze=False)
    for ax, (panel, title) in zip(axes[0], panels, strict=True):
        _panel_loss(ax, panel, title)
    axes[0][-1].legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle(
        f"{TITLES[experiment]} (data seed {int(seed)}; hollow: step cap, $L \\leq$ 1e-4)", y=1.02
    )
    plotting.save(fig, outputs)


def stability_figure(cube: xr.Dataset, outputs: Sequence[str]) -> None:
    """Fig. 2: lambda_max, its bounds and the stability measure against eta, one panel per alpha."""
    plotting.setup()
    seed = cube["seed"].values[0]
    data = cube.isel(mu=0, D=0).sel(seed=seed)
    alphas = data["alpha"].values
    fig, axes = plt.subplots(1, len(alphas), figsize=(5.2 * len(alphas), 4.6), squeeze=False)
    eta = data["eta"].values
    order = np.argsort(eta)
    for ax, alpha in zip(axes[0], alphas, strict=True):
        run = data.sel(alpha=alpha).isel(eta_spec=order)
        ok = run["status"].values == 0
        x = eta[order][ok]
        for name, color, label in (
            ("lam_max", "tab:green", r"$\lambda_{max}$"),
            ("UB", "tab:red", r"$\langle u_+^2+u_-^2, 4\hat{E}(x^2)\rangle$ (upper bound)"),
            (
                "S",
                "lightskyblue",
                r"$\langle u_+^2+u_-^2, 4(\hat{E}x)^2\rangle$ (stability measure)",
            ),
            ("W", "tab:blue", r"$\|\beta \circ 4(\hat{E}x)^2\|_1$"),
        ):
            ax.plot(x, run[name].values[ok], color=color, marker=".", label=label)
        grid = np.geomspace(eta.min(), eta.max(), 50)
        ax.plot(grid, 2 / grid, color="black", linestyle=":", label=r"$2/\eta$")
        ax.axhline(
            float(data["min_lam_max"]),
            color="tab:green",
            linestyle=":",
            label=r"min $\lambda_{max}$ over interpolators",
        )
        ax.axhline(
            float(data["min_stability"]),
            color="tab:blue",
            linestyle=":",
            label="min stability measure",
        )
        if ok.any():
            ax.plot(x[-1], run["lam_max"].values[ok][-1], "o", color="tab:green", markersize=9)
        ax.set(
            xscale="log", yscale="log", xlabel=r"step size $\eta$", title=f"$\\alpha$ = {alpha:g}"
        )
    axes[0][0].set_ylabel("value at the GD solution")
    axes[0][-1].legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle(
        f"Fig. 2: stability quantities vs $\\eta$ ($\\mu$ = 5, data seed {int(seed)};"
        " dot: largest converged $\\eta$)",
        y=1.02,
    )
    plotting.save(fig, outputs)


def draw(
    experiment: str, cube: xr.Dataset, references: Sequence[xr.Dataset], outputs: Sequence[str]
) -> None:
    if experiment == "fig2":
        stability_figure(cube, outputs)
    else:
        loss_figure(experiment, cube, references, outputs)
