"""Figures 1-5 of paper 002, drawn from the cubes only (spec 002.md section 5).

Errors are the paper's relative errors: train ||A(UU^T) - y|| / ||y||, test ||UU^T - X*||_F /
||X*||_F. Curves are means over the repeats (sensing draws) with +-1 std error bars or bands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ... import plotting
from ...store import STATUS_CODES
from . import theory

FIGURES = ("fig1", "fig2", "fig3", "fig4", "fig5")
KINDS = ("train_error", "test_error")


def _alpha_label(alpha: float) -> str:
    exponent = np.log10(alpha)
    if abs(exponent - round(exponent)) < 1e-9:
        e = int(round(exponent))
        return "1.0" if e == 0 else rf"$10^{{{e}}}$"
    return rf"$10^{{{exponent:.1f}}}$"


def _band(ax, t, values: xr.DataArray, **style):
    """Mean over ``rep`` as a line with a +-1 std band; NaN steps are skipped."""
    mean = values.mean("rep").values
    std = values.std("rep").values if values.sizes["rep"] > 1 else np.zeros_like(mean)
    ok = np.isfinite(mean)
    (line,) = ax.plot(t[ok], mean[ok], **style)
    if values.sizes["rep"] > 1:
        lo = np.clip(mean - std, mean * 1e-3, None)
        ax.fill_between(t[ok], lo[ok], (mean + std)[ok], color=line.get_color(), alpha=0.15, lw=0)
    return line


def _at(cube: xr.Dataset, name: str, t: int) -> xr.DataArray:
    return cube[name].sel(t=t)


def fig1(cubes: Mapping[str, xr.Dataset]):
    """Error after T steps against alpha (decreasing to the right), train and test, each d."""
    cube = cubes["sensing"]
    T = int(cube.attrs.get("T", cube["t"].max()))
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    colors = plotting.palette([f"d={d}" for d in cube["d"].values])
    alpha = cube["alpha"].values
    for d in cube["d"].values:
        sub = cube.sel(d=d)
        color = colors[f"d={d}"]
        for name, style in (("train_error", "--"), ("test_error", "-")):
            v = _at(sub, name, T)
            mean, std = v.mean("rep").values, v.std("rep").values
            kind = "training" if name == "train_error" else "test"
            ax.errorbar(
                alpha,
                mean,
                yerr=std,
                color=color,
                ls=style,
                marker="o" if kind == "test" else "s",
                ms=5,
                capsize=3,
                label=f"d={d} {kind} error",
            )
        m = int(sub["m"])
        lam = sub["Xstar_eigvals"].values
        ax.axhline(
            float(sub["min_norm_test_error"].mean()),
            color=color,
            ls=":",
            lw=1.2,
            label=rf"d={d} min-$\|X\|_F$ interpolant (test)",
        )
        ax.plot(  # a wide bar behind the alpha = 1 test marker, so that both stay visible
            [1.0],
            [theory.lazy_floor(lam, int(d), m)],
            marker="_",
            ms=22,
            mew=2.5,
            color=color,
            alpha=0.6,
            ls="none",
            zorder=1,
            label=rf"d={d} null-space floor at $\alpha=1$",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(alpha.max() * 1.5, alpha.min() / 1.5)  # alpha decreases to the right (paper)
    ax.set_xlabel(r"initialization scale $\alpha$ ($U_0 = \alpha I$)")
    ax.set_ylabel("Error")
    r = int(cube.attrs.get("r", 5))
    ax.set_title(f"Fig. 1: error after {T:,} GD steps, m = 5dr, r = {r}, step 0.0025")
    ax.legend(fontsize=7.5, ncol=2, loc="lower left")
    return fig


def _largest_d(cube: xr.Dataset) -> xr.Dataset:
    return cube.sel(d=cube["d"].values.max())


def fig2(cubes: Mapping[str, xr.Dataset]):
    """(a) train/test error against iteration for alpha = 1 and the smallest alpha, from t = 500;
    (b) eigenvalues of UU^T on span(X*) (smallest) and off it (largest)."""
    cube = _largest_d(cubes["sensing"])
    d, m = int(cube["d"]), int(cube["m"])
    alphas = [a for a in (1.0, float(cube["alpha"].min())) if a in cube["alpha"].values]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 4.6))
    colors = plotting.palette(["a", "b"])
    lam = cube["Xstar_eigvals"].values
    eta, conv = float(cube.attrs.get("eta", 0.0025)), cube.attrs.get("convention", "true")
    for color, alpha in zip(colors.values(), alphas, strict=False):
        run = cube.sel(alpha=alpha)
        T = int(run["stop_step"].max())
        t = run["t"].values
        keep = (t >= 500) & (t <= T)
        label = _alpha_label(alpha)
        for name, style, kind in (("test_error", "-", "test"), ("train_error", "--", "train")):
            _band(
                ax,
                t[keep],
                run[name][:, keep],
                color=color,
                ls=style,
                label=rf"{kind} $\alpha$={label}",
            )
        pop = theory.population_test_error(lam, d, alpha, eta, t[keep], conv)
        ax.plot(
            t[keep],
            pop,
            color=color,
            ls=":",
            lw=1.2,
            label=rf"test, $m\to\infty$ (population), $\alpha$={label}",
        )
        tb = t[(t > 0) & (t <= T)]
        on = run["signal_smin"].sel(t=tb) ** 2
        off = run["E_norm"].sel(t=tb) ** 2
        _band(
            bx,
            tb,
            on,
            color=color,
            ls="-",
            label=rf"on span(X*): $\lambda_{{min}}(Q^TUU^TQ)$, $\alpha$={label}",
        )
        _band(
            bx,
            tb,
            off,
            color=color,
            ls="--",
            label=rf"off span(X*): $\lambda_{{max}}(PUU^TP)$, $\alpha$={label}",
        )
    bx.axhline(lam.min(), color="0.4", ls=":", lw=1.2, label=r"$\lambda_r(X^*)$")
    ax.set_yscale("log")
    ax.set_xlabel("Number of iterations")
    ax.set_ylabel("Error")
    ax.set_title(f"Fig. 2 (a): d = {d}, m = {m}, step 0.0025 (from iteration 500)")
    ax.legend(fontsize=7.5, loc="best")
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_xlabel("Number of iterations")
    bx.set_ylabel(r"eigenvalue of $UU^T$")
    bx.set_title("(b) small $\\alpha$: the error directions stay far below the signal")
    bx.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def fig3(cubes: Mapping[str, xr.Dataset]):
    """Test error against iteration for the long run from U_0 = alpha I (alpha = 0.01)."""
    cube = cubes["long"]
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    colors = plotting.palette([f"d={d}" for d in cube["d"].values])
    eta, conv = float(cube.attrs.get("eta", 0.0025)), cube.attrs.get("convention", "true")
    floor = np.inf
    for d in cube["d"].values:
        for alpha in cube["alpha"].values:
            run = cube.sel(d=d, alpha=alpha)
            color = colors[f"d={d}"]
            t = run["t"].values
            _band(ax, t, run["test_error"], color=color, label=f"d={d} test error")
            _band(
                ax,
                t,
                run["train_error"],
                color=color,
                ls="--",
                lw=1,
                alpha=0.7,
                label=f"d={d} train error",
            )
            pop = theory.population_test_error(
                run["Xstar_eigvals"].values, int(d), float(alpha), eta, t, conv
            )
            ax.plot(t, pop, color=color, ls=":", lw=1.2, label=rf"d={d} $m\to\infty$ (population)")
            floor = min(floor, float(pop.min()))
    ax.set_yscale("log")
    lo = min(float(np.nanmin(cube["test_error"].values)), floor)
    ax.set_ylim(max(lo / 3, 1e-6), 2.0)  # the population curve's floor stays in view
    ax.set_xlabel("Number of iterations")
    ax.set_ylabel("Error")
    alpha = ", ".join(_alpha_label(a) for a in cube["alpha"].values)
    ax.set_title(
        rf"Fig. 3: $U_0 = \alpha I$, $\alpha$ = {alpha}, m = 5dr (test error starts at ~1)"
    )
    ax.legend(fontsize=8)
    return fig


def fig4(cubes: Mapping[str, xr.Dataset]):
    """Final test error against m/d: projected GD on X vs factorized GD, rank 1."""
    cube = cubes["rank1"]
    fig, ax = plt.subplots(figsize=(9.6, 4.6))
    colors = plotting.palette([f"d={d}" for d in cube["d"].values])
    converged = STATUS_CODES["converged"]
    ds = cube["d"].values
    for i, d in enumerate(ds):
        color = colors[f"d={d}"]
        x = cube["m_over_d"].values + 0.3 * (i - (len(ds) - 1) / 2)  # d side by side, not hidden
        for method, marker, style, name in (
            ("pgd", "o", "-", "PGD on X"),
            ("gd", "s", "--", "GD on U"),
        ):
            v = cube["final_test_error"].sel(d=d, solver=method)
            mean, std = v.mean("rep").values, v.std("rep").values
            ok = np.isfinite(mean)
            done = (cube["status"].sel(d=d, solver=method) == converged).all("rep").values
            # the line joins runs that met the train tolerance; capped runs are hollow, unjoined
            ax.plot(
                x[ok],
                np.where(done, mean, np.nan)[ok],
                color=color,
                marker=marker,
                ls=style,
                label=f"{name}, d={d}",
            )
            ax.errorbar(x[ok], mean[ok], yerr=std[ok], fmt="none", ecolor=color, capsize=3)
            capped = ok & ~done
            ax.plot(x[capped], mean[capped], marker=marker, mfc="white", mec=color, ls="none")
        ax.axvline(
            theory.psd_statistical_dimension(int(d)) / d,
            color=color,
            ls=":",
            lw=1.2,
            label=f"PSD recovery threshold, d={d}",
        )
    tol = float(cube.attrs.get("tol", 1e-3))
    ax.plot(
        [], [], marker="o", mfc="white", mec="0.3", ls="none",
        label=f"hollow: stopped at the step cap (train error > {tol:g})",
    )  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("number of measurements m / d")
    ax.set_ylabel(r"test error $\|\hat X - X^*\|_F / \|X^*\|_F$")
    cap = int(cube.attrs.get("T", 10000))
    ax.set_title(f"Fig. 4: rank r = 1, step 0.0025, stop at train error < {tol:g} or {cap:,} steps")
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the data
    fig.tight_layout()
    return fig


def fig5(cubes: Mapping[str, xr.Dataset]):
    """SGD (a) and GD (b) from U_0 = I: rows Gaussian sensing (the caption's outcome) and the
    literal quadratic network A_i = x_i x_i^T (which generalizes: spec section 11.2)."""
    cube, sensing = cubes["network"], cubes["sensing"]
    variants = [v for v in ("gaussian", "nn") if v in cube["variant"].values]
    fig, axes = plt.subplots(len(variants), 2, figsize=(12, 4.2 * len(variants)), squeeze=False)
    colors = plotting.palette(["train", "test"])
    for row, variant in zip(axes, variants, strict=True):
        net = cube.sel(variant=variant)
        runs = {"sgd": net.sel(algorithm="sgd")}
        if variant == "nn":
            runs["gd"] = net.sel(algorithm="gd")
        else:  # the Gaussian GD panel is the alpha = 1 sensing run (same d, r, m)
            runs["gd"] = sensing.sel(d=int(cube.attrs.get("d", net["m"].item() // 25)), alpha=1.0)
        name = {"gaussian": "Gaussian $A_i$", "nn": r"quadratic network $A_i = x_i x_i^T$"}
        for ax, algo in zip(row, ("sgd", "gd"), strict=True):
            run = runs[algo].isel(rep=0)
            t = run["t"].values
            for var, kind in zip(KINDS, ("train", "test"), strict=True):
                v = run[var].values
                ok = np.isfinite(v) & (t > 0)
                ax.plot(t[ok], v[ok], color=colors[kind], marker=".", ms=3, label=f"{kind} error")
            train, test = (run[v].values[np.isfinite(run[v].values)][-1] for v in KINDS)
            if variant == "gaussian":  # the caption's outcome: is train at 1e-7 yet?
                outcome = f"test stays {test:.2g}; train {train:.1g} at the end (paper: 1e-7)"
            else:
                outcome = f"deviates: it generalizes, test {test:.2g} at the end"
            ax.set_yscale("log")
            ax.set_xlabel("Number of iterations" + (" (one sample each)" if algo == "sgd" else ""))
            ax.set_ylabel("Error")
            panel = "(a) SGD" if algo == "sgd" else "(b) GD"
            title = f"{name[variant]}: {outcome}"
            ax.set_title(f"{panel}, $U_0 = I$, {title}", fontsize=9)
            ax.legend(fontsize=8)
    d, r = cube.attrs.get("d", 100), cube.attrs.get("r", 5)
    fig.suptitle(f"Fig. 5: d = {d}, r = {r}, m = 5dr; SGD step 8e-5, GD step 0.0025", y=1.0)
    fig.tight_layout()
    return fig


DRAW = {"fig1": fig1, "fig2": fig2, "fig3": fig3, "fig4": fig4, "fig5": fig5}


def draw(figure: str, cubes: Mapping[str, xr.Dataset], outputs: Sequence[str]) -> None:
    if figure not in DRAW:
        raise ValueError(f"unknown figure {figure!r} (allowed: {', '.join(DRAW)})")
    plotting.setup()
    plotting.save(DRAW[figure](cubes), outputs)
