"""Figures 1-6 of paper 001, drawn from the cubes only (the first seed: the paper shows single
curves; the cubes hold every seed)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import xarray as xr

from ... import plotting
from ...store import STATUS_CODES

TITLES = {
    "fig1": r"Fig. 1: test loss vs $\alpha$, $\beta = u_+^2 - u_-^2$, $\mu = 5$",
    "fig3": r"Fig. 3: effect of the data mean $\mu$",
    "fig4": r"Fig. 4: effect of the depth $D$, $\beta = u_+^D - u_-^D$",
    "fig5": r"Fig. 5: UV model $\beta = u_+ \circ v_+ - u_- \circ v_-$",
    "fig6": r"Fig. 6: random normal initialization shape",
}
# Runs stopped by the step cap are drawn hollow when they are nearly interpolating.
HOLLOW_LOSS = 1e-4
CONVERGED = STATUS_CODES["converged"]
MAX_STEPS = STATUS_CODES["max_steps"]
NOT_RUN = STATUS_CODES["not_run"]
# Height of one row of the "not converged" band above the curves, in decades per decade of data.
BAND_ROW = 0.09


def _not_converged_band(ax, rows: list[tuple[np.ndarray, tuple]]) -> None:
    """Mark runs without a usable solution (diverged, stopped far from interpolation, frozen at
    an unstable minimum) with an x in a band above the curves, one row per step size."""
    rows = [(x, c) for x, c in rows if len(x)]
    if not rows:
        return
    lo, hi = ax.get_ylim()
    decades = np.log10(hi / lo)
    top = hi * 10 ** (decades * BAND_ROW * (len(rows) + 0.6))
    ax.set_ylim(lo, top)
    ax.axhline(hi, color="0.6", linewidth=0.8)
    middle = hi * 10 ** (decades * BAND_ROW * (len(rows) + 0.6) / 2)
    ax.text(
        1.01,
        middle,
        "not\nconverged",
        transform=ax.get_yaxis_transform(),
        va="center",
        ha="left",
        fontsize="x-small",
        color="0.35",
    )
    for k, (x, color) in enumerate(rows):
        y = hi * 10 ** (decades * BAND_ROW * (k + 0.8))
        ax.plot(x, np.full(len(x), y), "x", color=color, markersize=7, mew=1.6, clip_on=False)


def _panel_loss(ax, panel: xr.Dataset, title: str) -> None:
    """Test loss against alpha, one curve per step size, with the l1 / l2 baselines.

    Converged runs: filled markers joined by a line that breaks at any alpha without a converged
    run (never bridged). Step cap with L <= HOLLOW_LOSS: hollow marker, no line. Diverged or
    otherwise unfinished runs: an x in the band above the curves.
    """
    labels = [str(s) for s in panel["eta_spec"].values]
    colors = sns.color_palette("viridis_r", n_colors=len(labels))
    alpha = panel["alpha"].values
    failed_rows, any_hollow = [], False
    for color, label in zip(colors, labels, strict=True):
        run = panel.sel(eta_spec=label)
        test, status, loss = (
            run["test_excess"].values,
            run["status"].values,
            run["train_loss"].values,
        )
        ok = status == CONVERGED
        eta = float(np.nanmean(run["eta"].values))
        name = f"$\\eta$ = {eta:.2g}" + (f" ({label})" if "eta*" in label else "")
        ax.plot(alpha, np.where(ok, test, np.nan), marker="o", color=color, label=name)
        near = (status == MAX_STEPS) & (loss <= HOLLOW_LOSS)
        any_hollow |= bool(near.any())
        ax.plot(
            alpha[near],
            test[near],
            marker="o",
            linestyle="none",
            markerfacecolor="none",
            markersize=9,
            markeredgewidth=1.4,
            color=color,
            zorder=4,  # on top of a converged marker at the same loss
        )
        failed_rows.append((alpha[~ok & ~near & (status != NOT_RUN)], color))
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
    _not_converged_band(ax, failed_rows)
    if any_hollow:
        ax.plot([], [], "o", color="0.3", markerfacecolor="none", label="step cap, $L \\leq$ 1e-4")
    if any(len(x) for x, _ in failed_rows):
        ax.plot([], [], "x", color="0.3", mew=1.6, label="diverged / not converged")
    ax.legend(
        fontsize="x-small",
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncol=2,
        title=f"{title}: $\\eta^*$ = 2/min $\\lambda_{{max}}$ = {float(panel['eta_star']):.3g}",
        title_fontsize="x-small",
    )


def _panels(cube: xr.Dataset, seed) -> list[tuple[xr.Dataset, str]]:
    out = []
    model = cube.attrs.get("model", "depth")
    shape = cube.attrs.get("shape", "ones")
    for mu in cube["mu"].values:
        for D in cube["D"].values:
            panel = cube.sel(mu=mu, D=D, seed=seed)
            if np.all(panel["status"].values == NOT_RUN):
                continue
            if model == "uv":
                title = f"UV model, $\\mu$ = {int(mu)}"
            else:
                title = f"$\\mu$ = {int(mu)}, D = {int(D)}"
            if shape == "normal":
                title += r", $u_\pm = \alpha z$"
            out.append((panel, title))
    return out


def loss_figure(
    experiment: str, cube: xr.Dataset, references: Sequence[xr.Dataset], outputs: Sequence[str]
) -> None:
    plotting.setup()
    seed = cube["seed"].values[0]
    panels = _panels(cube, seed)
    if experiment == "fig4":  # the D = 2 curves of Fig. 1 for comparison
        panels = [
            (p, t + " (Fig. 1)") for ref in references for p, t in _panels(ref, seed)
        ] + panels
    fig, axes = plt.subplots(1, len(panels), figsize=(6.0 * len(panels), 6.4), squeeze=False)
    for ax, (panel, title) in zip(axes[0], panels, strict=True):
        _panel_loss(ax, panel, title)
    fig.suptitle(f"{TITLES[experiment]} (data seed {int(seed)})", y=1.0)
    fig.tight_layout()
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
        ok = run["status"].values == CONVERGED
        x = eta[order]
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
            # only converged runs (the paper's "all convergent step sizes"); a gap is not bridged
            ax.plot(x, np.where(ok, run[name].values, np.nan), color=color, marker=".", label=label)
        if (~ok).any():
            ax.plot(
                x[~ok],
                2 / x[~ok],
                "x",
                color="0.3",
                markersize=8,
                mew=1.6,
                label=r"not converged (drawn on $2/\eta$)",
            )
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
            last = np.flatnonzero(ok)[-1]
            ax.plot(x[last], run["lam_max"].values[last], "o", color="tab:green", markersize=9)
        ax.set(
            xscale="log", yscale="log", xlabel=r"step size $\eta$", title=f"$\\alpha$ = {alpha:g}"
        )
    axes[0][0].set_ylabel("value at the GD solution")
    handles = {}
    for ax in axes[0]:  # every panel's entries once (a panel may lack the "not converged" mark)
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    axes[0][-1].legend(
        handles.values(),
        handles.keys(),
        fontsize="small",
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
    )
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
