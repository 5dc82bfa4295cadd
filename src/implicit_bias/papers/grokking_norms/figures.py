"""Figures of paper 004, drawn from the cubes only (spec 004.md section 5).

Steps are plotted as t + 1 on a log axis; train error solid, test error dashed; t1 / t2 marked by
vertical lines with the delay Delta t. Single-run figures show the first seed; summaries show the
median over seeds. Where one figure combines several of the paper's, its title says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ... import plotting
from . import FIGURES
from .checks import final, squeeze

TRAIN = {"linestyle": "-", "linewidth": 1.3}
TEST = {"linestyle": "--", "linewidth": 1.3}


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    e = np.floor(np.log10(abs(x)))
    m = x / 10**e
    return rf"$10^{{{int(e)}}}$" if abs(m - 1) < 1e-9 else rf"${m:.3g}\cdot10^{{{int(e)}}}$"


def _one(da: xr.DataArray, **sel) -> xr.DataArray:
    """Select labels (dims absent are ignored) and the first seed; squeeze the size-1 dims."""
    sel = {k: v for k, v in sel.items() if k in da.dims}
    da = da.sel(sel)
    if "seed" in da.dims:
        da = da.isel(seed=0)
    return da.squeeze(drop=True)


def _curve(ax, da: xr.DataArray, style: dict, **kw):
    t = da["t"].values
    v = da.values
    ok = np.isfinite(v) & (v > 0)
    return ax.plot(t[ok] + 1, v[ok], **style, **kw)


def _loglog(ax, xlabel="step $t$", ylabel="relative error"):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _mark(ax, t1: float, t2: float, color="tab:red"):
    """t1, t2 as vertical lines and the delay Delta t as a double arrow."""
    good = [t for t in (t1, t2) if np.isfinite(t) and t >= 0]
    for t in good:
        ax.axvline(t + 1, color=color, lw=0.9, alpha=0.7)
    if len(good) == 2 and t2 > t1:
        y = 0.9
        ax.annotate(
            "",
            xy=(t2 + 1, y),
            xytext=(t1 + 1, y),
            xycoords=("data", "axes fraction"),
            arrowprops={"arrowstyle": "<->", "color": color},
        )
        ax.text(
            np.sqrt((t1 + 1) * (t2 + 1)),
            y + 0.02,
            r"$\Delta t$",
            transform=ax.get_xaxis_transform(),
            ha="center",
            color=color,
        )


def _errors(ax, cube: xr.Dataset, color, label=None, mark=False, **sel):
    _curve(ax, _one(cube["train_error"], **sel), TRAIN, color=color, label=label)
    _curve(ax, _one(cube["test_error"], **sel), TEST, color=color)
    if mark:
        _mark(ax, float(_one(cube["t1"], **sel)), float(_one(cube["t2"], **sel)))


def _style_legend(ax, title=None, loc="best"):
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Line2D([], [], color="k", **TRAIN), plt.Line2D([], [], color="k", **TEST)]
    labels += ["train", "test"]
    ax.legend(handles, labels, title=title, fontsize="x-small", loc=loc)


def _colors(values) -> dict:
    return plotting.palette([str(v) for v in values])


# ----------------------------------------------------------------------------- sparse recovery
def fig1(cubes):
    cube = cubes["ab_grid"]
    cube = cube.sel(beta1=cube["beta1"].values[cube["beta1"].values > 0])  # log axis in alpha beta1
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = _colors(cube["alpha"].values)
    for a in cube["alpha"].values:
        sub = squeeze(cube.sel(alpha=a).isel(seed=0), "beta1")
        ab = a * sub["beta1"].values
        t2 = sub["t2_stable"].values
        T = sub["T"].values
        under = t2 >= T / 2  # no stable step before the budget: under-trained (the paper's outlier)
        mae = np.array(
            [
                float(sub["mae"].sel(beta1=b).sel(t=t, method="nearest"))
                for b, t in zip(sub["beta1"].values, t2, strict=False)
            ]
        )
        c = colors[str(a)]
        for ax, y in ((axes[0], t2), (axes[1], mae)):
            ax.scatter(ab[~under], y[~under], color=c, label=rf"$\alpha$ = {a:g}")
            ax.scatter(ab[under], y[under], facecolors="none", edgecolors=c)
    sub = squeeze(cube.isel(seed=0), "alpha", "beta1")
    ab = (sub["alpha"] * sub["beta1"]).values.ravel()
    order = np.argsort(ab)
    pred = sub["dt_pred"].values.ravel()[order]
    paper = sub["dt_paper"].values.ravel()[order]
    axes[0].plot(
        ab[order],
        pred,
        color="k",
        **plotting.THEORY_STYLE,
        label=r"$\|\hat b-b^*\|_\infty/(\alpha\beta_1)$",
    )
    axes[0].plot(
        ab[order],
        paper,
        color="gray",
        linestyle=":",
        label=r"$\|\hat b\|_\infty/(\alpha\beta_1)$ (paper)",
    )
    axes[1].plot(ab[order], ab[order], color="k", **plotting.THEORY_STYLE, label=r"$\alpha\beta_1$")
    _loglog(axes[0], r"$\alpha\beta_1$", r"$t_2$ (stable step of $E_{te}$)")
    _loglog(axes[1], r"$\alpha\beta_1$", r"$\|b^{(t_2)}-b^*\|_1/n$")
    axes[0].legend(fontsize="x-small")
    axes[1].legend(fontsize="x-small")
    fig.suptitle(
        r"Fig. 1: $t_2$ and error at $t_2$ vs $\alpha\beta_1$ (hollow: no stable step before $T$)"
    )
    return fig


def fig12(cubes):
    cube = cubes["ab_grid"]
    alphas = cube["alpha"].values
    fig, axes = plt.subplots(1, len(alphas), figsize=(4.2 * len(alphas), 3.8), sharey=True)
    colors = _colors(cube["beta1"].values)
    for ax, a in zip(np.atleast_1d(axes), alphas, strict=False):
        for b in cube["beta1"].values:
            _errors(ax, cube, colors[str(b)], label=rf"$\beta_1$ = {_fmt(b)}", alpha=a, beta1=b)
            t2 = float(_one(cube["t2_stable"], alpha=a, beta1=b))
            if b > 0 and t2 >= 0:
                ax.axvline(t2 + 1, color=colors[str(b)], lw=0.7, alpha=0.6)
        _loglog(ax)
        ax.set_title(rf"$\alpha$ = {a:g}")
    _style_legend(np.atleast_1d(axes)[-1])
    fig.suptitle(r"Fig. 12: $\alpha\times\beta_1$ grid (n=100, s=5, N=30; vertical: stable $t_2$)")
    return fig


def fig2(cubes):
    cube = cubes["anatomy"]
    sel = {"update": "subgradient", "beta1": float(cube["beta1"].max())}
    fig, axes = plt.subplots(1, 4, figsize=(19, 4))
    ax = axes[0]
    _errors(ax, cube, "tab:blue", mark=True, **sel)
    _loglog(ax)
    ax2 = ax.twinx()
    _curve(ax2, _one(cube["grad_ratio"], **sel), {"linewidth": 1}, color="tab:green", label="R(t)")
    ax2.set_yscale("log")
    ax2.set_ylabel(r"$R(t)=\|\beta_1 h\|/\|G\|$", color="tab:green")
    _style_legend(ax)
    ax.set_title(r"$E_{tr}$, $E_{te}$ and $R(t)$")
    ax = axes[1]
    l1 = _one(cube["l1_norm"], **sel)
    l2 = _one(cube["l2_norm"], **sel)
    _curve(ax, l1, {"linewidth": 1.3}, color="tab:blue", label=r"$\|b\|_1$")
    _curve(ax, l2, {"linewidth": 1.3}, color="tab:orange", label=r"$\|b\|_2$")
    ax.axhline(
        float(_one(cube["bstar_l1"], **sel)),
        color="tab:blue",
        **plotting.THEORY_STYLE,
        label=r"$\|b^*\|_1$",
    )
    ax.axhline(
        float(_one(cube["bstar_l2"], **sel)),
        color="tab:orange",
        **plotting.THEORY_STYLE,
        label=r"$\|b^*\|_2$",
    )
    _loglog(ax, ylabel="norm")
    ax.set_ylim(1e-3, None)
    ax.legend(fontsize="x-small")
    ax.set_title(r"$\|b\|_1$ falls to $\|b^*\|_1$; $\|b\|_2$ grows")
    ax = axes[2]
    b = _one(cube["b"], **sel)
    t = b["t_snap"].values + 1
    ax.plot(t, b.values, lw=0.7)
    ax.set_xscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("$b_j^{(t)}$")
    ax.set_title("components (Fig. 11)")
    ax = axes[3]
    colors = plotting.palette(["subgradient", "ista", "projected", "none"])
    for m in cube["update"].values:
        _curve(
            ax,
            _one(cube["test_error"], update=m, beta1=sel["beta1"]),
            TEST,
            color=colors[str(m)],
            label=str(m),
        )
    _curve(
        ax,
        _one(cube["test_error"], update="subgradient", beta1=0.0),
        TEST,
        color="k",
        label=r"$\beta_1=0$",
    )
    ax.axhline(
        float(_one(cube["lsq_error"], **sel)),
        color="gray",
        **plotting.THEORY_STYLE,
        label=r"$\|(I-VV^T)b^*\|/\|b^*\|$",
    )
    _loglog(ax, ylabel="test error")
    ax.legend(fontsize="x-small")
    ax.set_title("methods and no $\\ell_1$")
    fig.suptitle(
        r"Fig. 2 (and 11): one run, n=100, s=5, N=30, $\alpha$=0.1, $\beta_1$=" + _fmt(sel["beta1"])
    )
    return fig


def fig8(cubes):
    cube = squeeze(cubes["n_sweep"], "N", "seed")
    N = cube["N"].values
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    t1 = cube["t1"].where(cube["t1"] >= 0).median("seed")
    axes[0].plot(N, t1, "o-", label=r"experiment $t_1$ ($E_{tr}\leq\varepsilon_1$)")
    axes[0].plot(
        N,
        cube["t1_bound"].median("seed"),
        "k",
        **plotting.THEORY_STYLE,
        label="Thm C.8 bound ($p=\\infty$)",
    )
    axes[0].set_yscale("log")
    axes[0].set_xlabel("$N$")
    axes[0].set_ylabel("$t_1$")
    axes[0].legend(fontsize="x-small")
    t2 = cube["t2_stable"].median("seed")
    tt1 = cube["t1_stable"].median("seed")
    axes[1].plot(N, t2, "o-", label="experiment $t_2$ (stable)")
    axes[1].plot(
        N,
        tt1 + cube["dt_pred"].median("seed"),
        "k",
        **plotting.THEORY_STYLE,
        label=r"$t_1+\|\hat b-b^*\|_\infty/(\alpha\beta_1)$",
    )
    axes[1].plot(
        N,
        tt1 + cube["dt_paper"].median("seed"),
        color="gray",
        linestyle=":",
        label=r"$t_1+\|\hat b\|_\infty/(\alpha\beta_1)$",
    )
    axes[1].set_yscale("log")
    axes[1].set_xlabel("$N$")
    axes[1].set_ylabel("$t_2$")
    axes[1].legend(fontsize="x-small")
    final_te = final(cube["test_error"]).median("seed")
    axes[2].plot(N, final_te, "o-", label=r"final $E_{te}$")
    axes[2].plot(
        N, cube["lsq_error"].median("seed"), "s--", label=r"$E_{te}(\hat b)$ (memorization)"
    )
    axes[2].set_yscale("log")
    axes[2].set_ylim(1e-5, 2)
    axes[2].set_xlabel("$N$")
    axes[2].set_ylabel("relative test error")
    axes[2].legend(fontsize="x-small")
    fig.suptitle(
        r"Fig. 8: bounds vs N (n=100, s=5, $\alpha$=0.1, $\beta_1$={}; medians over seeds)".format(
            _fmt(float(cubes["n_sweep"]["beta1"].max()))
        )
    )
    return fig


def fig9(cubes):
    cube = cubes["n_sweep"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colors = _colors(cube["N"].values)
    for N in cube["N"].values:
        _errors(ax, cube, colors[str(N)], label=f"N = {N}", N=N)
    _loglog(ax)
    _style_legend(ax, loc="lower left")
    ax.set_title("Fig. 9: train/test error per N (first seed)")
    return fig


def fig10(cubes):
    cube = cubes["n_sweep"]
    fig, ax = plt.subplots(figsize=(6, 5))
    colors = _colors(cube["N"].values)
    for N in cube["N"].values:
        u = _one(cube["u_support"], N=N).values
        v = _one(cube["v_offsupport"], N=N).values
        ax.plot(u, v, color=colors[str(N)], label=f"N = {N}")
        t = _one(cube["u_support"], N=N)["t"].values
        for tt in (1e2, 1e3, 1e4, 1e5):
            k = np.searchsorted(t, tt)
            if k < t.size:
                ax.plot(u[k], v[k], "o", color=colors[str(N)], ms=3)
    bs = float(_one(cube["bstar_l2"], N=cube["N"].values[0]))
    ax.plot(bs, 0, "k*", ms=12, label="$b^*$")
    ax.set_xlabel(r"$u(t)=\|b_I\|_2$")
    ax.set_ylabel(r"$v(t)=\|b_{I^c}\|_2$")
    ax.legend(fontsize="x-small")
    ax.set_title("Fig. 10: landscape path (dots at t = 1e2, 1e3, 1e4, 1e5)")
    return fig


def fig13(cubes):
    cube = cubes["methods"]
    methods, svals = cube["update"].values, cube["s"].values
    fig, axes = plt.subplots(
        len(methods),
        len(svals),
        figsize=(4.3 * len(svals), 3.4 * len(methods)),
        squeeze=False,
        sharey=True,
    )
    colors = _colors(cube["N"].values)
    for i, m in enumerate(methods):
        for j, s in enumerate(svals):
            ax = axes[i, j]
            for N in cube["N"].values:
                _errors(ax, cube, colors[str(N)], label=f"N={N}", update=m, s=s, N=N)
            _loglog(ax)
            ax.set_title(f"{m}, s = {s}")
    _style_legend(axes[0, -1], loc="lower left")
    fig.suptitle("Figs. 13 / 17 / 21: subgradient, projected subgradient and ISTA, s x N sweep")
    return fig


def fig14(cubes):
    cube = cubes["methods"].isel(seed=0)
    methods, svals = cube["update"].values, cube["s"].values
    fig, axes = plt.subplots(len(methods), 2, figsize=(10, 3.4 * len(methods)), squeeze=False)
    colors = _colors(svals)
    N = cube["N"].values
    for i, m in enumerate(methods):
        for s in svals:
            sub = squeeze(cube.sel(update=m, s=s), "N")
            c = colors[str(s)]
            axes[i, 0].plot(N, sub["t1"].where(sub["t1"] >= 0), "o-", color=c, label=f"s={s}")
            axes[i, 0].plot(N, sub["t1_bound"], color=c, **plotting.THEORY_STYLE)
            axes[i, 1].plot(N, sub["ete_min"], "o-", color=c, label=rf"min $E_{{te}}$, s={s}")
            axes[i, 1].plot(N, sub["etr_min"], "^:", color=c)
        axes[i, 0].set_yscale("log")
        axes[i, 1].set_yscale("log")
        axes[i, 0].set_ylabel(f"{m}: $t_1$")
        axes[i, 1].set_ylabel("min error")
        axes[i, 0].legend(fontsize="x-small", title="dashed: Thm C.8")
        axes[i, 1].legend(fontsize="x-small", title=r"dotted: min $E_{tr}$")
    for ax in axes[-1]:
        ax.set_xlabel("$N$")
    fig.suptitle("Figs. 14-16 / 18-20 / 22-24: $t_1$ with its bound and minimal errors vs N")
    return fig


def fig25(cubes):
    cube = cubes["no_understanding"]
    fig, axes = plt.subplots(2, 3, figsize=(16, 7.5))
    colors = _colors(cube["beta1"].values)
    for row, scale in enumerate(("linear", "log")):
        ax, axn = axes[row, 0], axes[row, 1]
        for b in cube["beta1"].values:
            c = colors[str(b)]
            _errors(ax, cube, c, label=rf"$\beta_1$ = {_fmt(b)}", beta1=b)
            _curve(
                axn,
                _one(cube["l1_norm"], beta1=b),
                {"linewidth": 1.3},
                color=c,
                label=rf"$\|b\|_1$, $\beta_1$={_fmt(b)}",
            )
            _curve(
                axn,
                _one(cube["l2_norm"], beta1=b),
                {"linewidth": 1, "linestyle": ":"},
                color=c,
                label=r"$\|b\|_2$",
            )
        ax.axhline(
            float(_one(cube["lsq_error"], beta1=0.0)),
            color="gray",
            **plotting.THEORY_STYLE,
            label="least-squares error",
        )
        axn.axhline(
            float(_one(cube["bstar_l1"], beta1=0.0)),
            color="k",
            **plotting.THEORY_STYLE,
            label=r"$\|b^*\|_1$",
        )
        for a in (ax, axn):
            a.set_xscale("log")
            a.set_yscale(scale)
            a.set_xlabel("step $t$")
        ax.set_ylabel("relative error")
        axn.set_ylabel("norm")
        _style_legend(ax)
        axn.legend(fontsize="x-small")
    b = _one(cube["b"], beta1=0.0)
    ax = axes[0, 2]
    im = ax.pcolormesh(
        np.arange(b.sizes["j"]),
        b["t_snap"].values + 1,
        b.values,
        cmap="RdBu_r",
        shading="auto",
        vmin=-np.abs(b.values).max(),
        vmax=np.abs(b.values).max(),
    )
    ax.set_yscale("log")
    ax.set_xlabel("coordinate $j$")
    ax.set_ylabel("step $t$")
    fig.colorbar(im, ax=ax, label="$b_j^{(t)}$")
    ax.set_title(r"Fig. 26: components, $\beta_1=0$")
    ax = axes[1, 2]
    ax.plot(b["t_snap"].values + 1, b.values, lw=0.6)
    ax.set_xscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("$b_j^{(t)}$")
    fig.suptitle(
        (
            r"Fig. 25 (and 26): grokking without understanding, $\zeta$=10, "
            r"$\beta_2$={} (top linear, bottom log scale)"
        ).format(_fmt(float(cube["beta2"].max())))
    )
    return fig


def fig27(cubes):
    cube = cubes["coherence"]
    Ns = cube["N"].values
    fig, axes = plt.subplots(1, len(Ns), figsize=(4.2 * len(Ns), 3.8), sharey=True)
    colors = _colors(cube["tau"].values)
    for ax, N in zip(np.atleast_1d(axes), Ns, strict=False):
        for tau in cube["tau"].values:
            _errors(ax, cube, colors[str(tau)], label=rf"$\tau$ = {tau:g}", N=N, tau=tau)
        _loglog(ax)
        ax.set_title(f"N = {N}")
    _style_legend(np.atleast_1d(axes)[0], loc="lower left")
    fig.suptitle(r"Fig. 27: coherence $\tau$ in compressed sensing (first seed)")
    return fig


def fig29(cubes):
    cube = squeeze(cubes["coherence"], "N", "tau", "seed")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    colors = _colors(cube["N"].values)
    tau = cube["tau"].values
    fin = final(cube["test_error"])
    for N in cube["N"].values:
        c = colors[str(N)]
        axes[0].plot(tau, fin.sel(N=N).median("seed"), "o-", color=c, label=f"N={N}")
        axes[1].plot(tau, cube["t2_stable"].sel(N=N).median("seed"), "o-", color=c, label=f"N={N}")
        axes[2].plot(tau, cube["t1_stable"].sel(N=N).median("seed"), "o-", color=c, label=f"N={N}")
    for ax, lab in zip(
        axes,
        (r"final $E_{te}$", r"$t_2$ (stable $E_{te}$)", r"$t_1$ (stable $E_{tr}$)"),
        strict=False,
    ):
        ax.set_yscale("log")
        ax.set_xlabel(r"$\tau$")
        ax.set_ylabel(lab)
        ax.legend(fontsize="x-small")
    fig.suptitle(r"Figs. 28-29: error and times vs $\tau$ (medians over seeds)")
    return fig


def _depth_curves(cube, title):
    Ns = cube["N"].values
    fig, axes = plt.subplots(1, len(Ns), figsize=(5 * len(Ns), 4), sharey=True)
    colors = _colors(cube["L"].values)
    for ax, N in zip(np.atleast_1d(axes), Ns, strict=False):
        for L in cube["L"].values:
            _errors(ax, cube, colors[str(L)], label=f"L = {L}", N=N, L=L)
        ax.axhline(
            float(_one(cube["lsq_error"], N=N, L=1)),
            color="gray",
            **plotting.THEORY_STYLE,
            label="least squares",
        )
        _loglog(ax)
        ax.set_title(f"N = {N}")
    _style_legend(np.atleast_1d(axes)[0], loc="lower left")
    fig.suptitle(title)
    return fig


def fig30(cubes):
    return _depth_curves(
        cubes["depth_small"],
        r"Fig. 30: depth L, small init ($\zeta$ = 1e-6 / 1e-2 / 0.1 for L = 1/2/3), "
        r"$\beta_1=\beta_2=0$",
    )


def _depth_summary(cube, axes):
    colors = _colors(cube["L"].values)
    N = cube["N"].values
    first = cube.isel(seed=0)
    for L in cube["L"].values:
        c = colors[str(L)]
        sub = squeeze(first.sel(L=L), "N")
        axes[0].plot(N, final(sub["test_error"]), "o-", color=c, label=f"L={L}")
        axes[1].plot(
            N,
            sub["t2"].where(sub["t2"] >= 0),
            "o-",
            color=c,
            label=rf"$E_{{te}}\leq 10^{{-2}}$, L={L}",
        )
        axes[1].plot(
            N, sub["t1"].where(sub["t1"] >= 0), "^:", color=c, label=rf"$t_1$ (memorized), L={L}"
        )
    axes[0].set_ylabel(r"final $E_{te}$")
    axes[1].set_ylabel(r"step ($t_2$: circles, $t_1$: triangles)")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_xlabel("$N$")
        ax.legend(fontsize="x-small")


def fig31(cubes):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    _depth_summary(cubes["depth_small"], axes)
    fig.suptitle("Figs. 31-32: final test error and times vs N per depth L (small init)")
    return fig


def fig33(cubes):
    cube = cubes["depth_large"]
    Ns = cube["N"].values
    fig, axes = plt.subplots(1, len(Ns) + 2, figsize=(5 * (len(Ns) + 2), 4))
    colors = _colors(cube["L"].values)
    for ax, N in zip(axes[: len(Ns)], Ns, strict=False):
        for L in cube["L"].values:
            _errors(ax, cube, colors[str(L)], label=f"L = {L}", N=N, L=L)
        ax.axhline(float(_one(cube["lsq_error"], N=N, L=1)), color="gray", **plotting.THEORY_STYLE)
        _loglog(ax)
        ax.set_title(f"N = {N}")
    _style_legend(axes[0], loc="lower left")
    _depth_summary(cube, axes[len(Ns) :])
    fig.suptitle(
        r"Figs. 33-35: depth L, large init $\zeta$=1 with $\beta_2$={}, $\beta_1$=0".format(
            _fmt(float(cube["beta2"].max()))
        )
    )
    return fig


def _signal_panels(cube, axes, **sel):
    _errors(axes[0], cube, "tab:blue", mark=True, **sel)
    _loglog(axes[0])
    _style_legend(axes[0])
    _curve(axes[1], _one(cube["grad_ratio"], **sel), {"linewidth": 1}, color="tab:green")
    _loglog(axes[1], ylabel=r"$R(t)$")
    _curve(axes[2], _one(cube["l1_norm"], **sel), {"linewidth": 1.3}, color="tab:blue")
    axes[2].axhline(
        float(_one(cube["bstar_l1"], **sel)),
        color="k",
        **plotting.THEORY_STYLE,
        label=r"$\|b^*\|_1$",
    )
    _loglog(axes[2], ylabel=r"$\|b\|_1$")
    axes[2].legend(fontsize="x-small")


def fig36(cubes):
    cube = cubes["digit"]
    N = int(cube["N"].max())
    fig = plt.figure(figsize=(16, 6.5))
    top = [fig.add_subplot(2, 3, k) for k in (1, 2, 3)]
    _signal_panels(cube, top, N=N)
    # fewer measurements: the test error of the other N of the sweep, for contrast
    others = [int(k) for k in cube["N"].values if int(k) != N]
    for k, (Nk, ls) in enumerate(zip(others, (":", "-.", (0, (1, 3))), strict=False)):
        _curve(
            top[0],
            _one(cube["test_error"], N=Nk),
            {"linestyle": ls, "linewidth": 1},
            color=("tab:gray", "tab:olive", "tab:brown")[k],
            label=f"test, N={Nk}",
        )
    top[0].legend(fontsize="x-small")
    b = _one(cube["b"], N=N)
    t = b["t_snap"].values
    picks = np.unique(np.searchsorted(t, np.geomspace(1, t[-1], 8)).clip(0, t.size - 1))
    for k, i in enumerate(picks[:8]):
        ax = fig.add_subplot(2, 8, 9 + k)
        ax.imshow(b.values[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"t={t[i]}", fontsize="x-small")
        ax.axis("off")
    fig.suptitle(
        f"Figs. 36-37: 8x8 digit (s = 22), N = {N}: errors, R(t), "
        + r"$\|b\|_1$ and the reconstruction over steps"
    )
    return fig


def fig38(cubes):
    from .datasets import SINUSOID, sinusoid_signal

    cube = cubes["sinusoid"]
    fig, axes = plt.subplots(1, 4, figsize=(19, 4))
    _signal_panels(cube, axes[1:])
    b = _one(cube["b"])
    n = b.sizes["j"] // 2
    jk = np.outer(np.arange(n), np.arange(n))
    Phi = np.exp(-2j * np.pi * jk / n) / np.sqrt(n)
    bstar = np.zeros(n, dtype=complex)
    for k, A, p in zip(SINUSOID["F"], SINUSOID["A"], SINUSOID["phi"], strict=False):
        bstar[k] = A * np.exp(1j * p)
    axes[0].plot(sinusoid_signal(bstar, Phi), "k", lw=2, label="$a^*$")
    bT = b.values[-1]
    axes[0].plot(
        sinusoid_signal(bT[:n] + 1j * bT[n:], Phi),
        "tab:orange",
        lw=1,
        label="reconstruction (T)",
    )
    mid = b.values[b.sizes["t_snap"] // 2]
    axes[0].plot(
        sinusoid_signal(mid[:n] + 1j * mid[n:], Phi),
        "tab:blue",
        lw=0.8,
        alpha=0.7,
        label=f"t = {int(b['t_snap'][b.sizes['t_snap'] // 2])}",
    )
    axes[0].set_xlabel("time index")
    axes[0].legend(fontsize="x-small")
    fig.suptitle("Figs. 38-40: sinusoid (complex sparse recovery in the DFT basis)")
    return fig


def fig41(cubes):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    _signal_panels(cubes["polynomial"], axes)
    fig.suptitle("Fig. 41: sparse polynomial (m = 10, n = 65, s = 5)")
    return fig


# ------------------------------------------------------------------------------------- matrices
def fig4(cubes):
    cube = cubes["completion"]
    sel = {"beta_star": float(cube["beta_star"].max())}
    fig, axes = plt.subplots(1, 4, figsize=(19, 4))
    _errors(axes[0], cube, "tab:blue", mark=True, **sel)
    _curve(
        axes[0],
        _one(cube["test_error"], beta_star=0.0),
        TEST,
        color="gray",
        label=r"test, $\beta_*=0$",
    )
    _loglog(axes[0])
    _style_legend(axes[0])
    _curve(axes[1], _one(cube["grad_ratio"], **sel), {"linewidth": 1}, color="tab:green")
    axes[1].axhline(1, color="k", lw=0.6)
    _loglog(axes[1], ylabel=r"$\|\beta_* UV^T\|_F/\|G\|_F$")
    _curve(axes[2], _one(cube["nuclear_norm"], **sel), {"linewidth": 1.3}, color="tab:blue")
    axes[2].axhline(
        float(_one(cube["bstar_l1"], **sel)),
        color="k",
        **plotting.THEORY_STYLE,
        label=r"$\|A^*\|_*$",
    )
    _loglog(axes[2], ylabel=r"$\|A^{(t)}\|_*$")
    axes[2].legend(fontsize="x-small")
    sv = _one(cube["sigma"], **sel)
    t = sv["t"].values + 1
    for i in sv["i"].values:
        v = sv.sel(i=i).values
        ok = np.isfinite(v) & (v > 0)
        axes[3].plot(t[ok], v[ok], lw=1, label=rf"$\sigma_{{{i}}}$")
    _loglog(axes[3], ylabel=r"$\sigma_i(A^{(t)})$")
    axes[3].legend(fontsize="xx-small", ncol=2)
    fig.suptitle(
        r"Fig. 4: matrix completion 10x10, r=2, N=%d, $\alpha$=%g, $\beta_*$=%s"  # noqa: UP031
        % (int(cube["N"].max()), float(cube["alpha"].max()), _fmt(sel["beta_star"]))
    )
    return fig


def fig5(cubes):
    cube = squeeze(cubes["matrix_grid"].isel(seed=0), "alpha", "beta_star")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = _colors(cube["alpha"].values)
    for a in cube["alpha"].values:
        sub = cube.sel(alpha=a)
        ab = a * sub["beta_star"].values
        t2 = sub["t2_stable"].values
        under = t2 >= sub["T"].values / 2
        err = np.array(
            [
                float(sub["nuclear_error"].sel(beta_star=b).sel(t=t, method="nearest"))
                for b, t in zip(sub["beta_star"].values, t2, strict=False)
            ]
        )
        c = colors[str(a)]
        for ax, y in ((axes[0], t2), (axes[1], err)):
            ax.scatter(ab[~under], y[~under], color=c, label=rf"$\alpha$ = {a:g}")
            ax.scatter(ab[under], y[under], facecolors="none", edgecolors=c)
    ab = (cube["alpha"] * cube["beta_star"]).values.ravel()
    order = np.argsort(ab)
    axes[0].plot(
        ab[order],
        cube["dt_pred"].values.ravel()[order],
        "k",
        **plotting.THEORY_STYLE,
        label=r"$\|\hat A-A^*\|_2/(\alpha\beta_*)$",
    )
    axes[0].plot(
        ab[order],
        cube["dt_paper"].values.ravel()[order],
        color="gray",
        linestyle=":",
        label=r"$\|\hat A\|_2/(\alpha\beta_*)$ (paper)",
    )
    axes[1].plot(ab[order], ab[order], "k", **plotting.THEORY_STYLE, label=r"$\alpha\beta_*$")
    _loglog(axes[0], r"$\alpha\beta_*$", r"$t_2$ (stable step of $E_{te}$)")
    _loglog(axes[1], r"$\alpha\beta_*$", r"$\|A^{(t_2)}-A^*\|_*/\sqrt{n_1n_2}$")
    axes[0].legend(fontsize="x-small")
    axes[1].legend(fontsize="x-small")
    fig.suptitle(r"Fig. 5: matrix completion, $t_2$ and error at $t_2$ vs $\alpha\beta_*$")
    return fig


def fig42(cubes):
    cube = cubes["matrix_grid"]
    alphas = cube["alpha"].values
    fig, axes = plt.subplots(1, len(alphas), figsize=(5 * len(alphas), 4), sharey=True)
    colors = _colors(cube["beta_star"].values)
    for ax, a in zip(np.atleast_1d(axes), alphas, strict=False):
        for b in cube["beta_star"].values:
            _errors(ax, cube, colors[str(b)], label=rf"$\beta_*$ = {_fmt(b)}", alpha=a, beta_star=b)
        _loglog(ax)
        ax.set_title(rf"$\alpha$ = {a:g}")
    _style_legend(np.atleast_1d(axes)[0], loc="lower left")
    fig.suptitle(r"Fig. 42: matrix completion $\alpha\times\beta_*$ grid")
    return fig


def fig43(cubes):
    cube = cubes["sensing"]
    methods = cube["update"].values
    fig, axes = plt.subplots(len(methods), 3, figsize=(15, 3.4 * len(methods)), squeeze=False)
    for row, m in zip(axes, methods, strict=False):
        _errors(row[0], cube, "tab:blue", mark=True, update=m)
        _loglog(row[0])
        _style_legend(row[0])
        # own axis: after the projection G ~ 0, so R(t) spans many more decades than the errors
        ratio_ax = row[0].twinx()
        _curve(ratio_ax, _one(cube["grad_ratio"], update=m), {"linewidth": 0.8}, color="tab:green")
        ratio_ax.set_yscale("log")
        ratio_ax.set_ylabel(r"$R(t)=\|\beta_* h\|/\|G\|$", color="tab:green")
        row[0].set_title(str(m))
        _curve(row[1], _one(cube["nuclear_norm"], update=m), {"linewidth": 1.3}, color="tab:blue")
        row[1].axhline(float(_one(cube["bstar_l1"], update=m)), color="k", **plotting.THEORY_STYLE)
        _loglog(row[1], ylabel=r"$\|A\|_*$ (dashed: $\|A^*\|_*$)")
        sv = _one(cube["sigma"], update=m)
        for i in sv["i"].values:
            v = sv.sel(i=i).values
            ok = np.isfinite(v) & (v > 0)
            row[2].plot(sv["t"].values[ok] + 1, v[ok], lw=0.9)
        _loglog(row[2], ylabel=r"$\sigma_i(A^{(t)})$")
    fig.suptitle(
        "Figs. 43-44: matrix sensing (10x10, r=2, N=70) with subgradient, SVT (proximal) and "
        "projected subgradient"
    )
    return fig


def fig45(cubes):
    cube = squeeze(cubes["matrix_coherence"], "N", "tau", "seed")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    colors = _colors(cube["N"].values)
    fin = final(cube["test_error"])
    for N in cube["N"].values:
        c = colors[str(N)]
        axes[0].plot(cube["tau"], fin.sel(N=N).median("seed"), "o-", color=c, label=f"N={N}")
        axes[1].plot(
            cube["tau"], cube["t2_stable"].sel(N=N).median("seed"), "o-", color=c, label=f"N={N}"
        )
    for ax, lab in zip(axes, (r"final $E_{te}$ (median)", r"$t_2$ (stable, median)"), strict=False):
        ax.set_yscale("log")
        ax.set_xlabel(r"$\tau$ (coherence-ordered sampling)")
        ax.set_ylabel(lab)
        ax.legend(fontsize="x-small")
    fig.suptitle("Figs. 45-46: matrix completion, sampling high local coherence first")
    return fig


# -------------------------------------------------------------------------------- teacher-student
def _ts(cube, title):
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
    colors = _colors(cube["beta"].values)
    for b in cube["beta"].values:
        c = colors[str(b)]
        sel = {"beta": b, "alpha": float(cube["alpha"].values[0])}
        _curve(
            axes[0], _one(cube["train_mse"], **sel), TRAIN, color=c, label=rf"$\beta$ = {_fmt(b)}"
        )
        _curve(axes[0], _one(cube["test_mse"], **sel), TEST, color=c)
        _curve(
            axes[1],
            _one(cube["l1"], **sel),
            {"linewidth": 1.2},
            color=c,
            label=rf"$\beta$ = {_fmt(b)}",
        )
        _curve(
            axes[2],
            _one(cube["l0"], **sel),
            {"linewidth": 1.2},
            color=c,
            label=rf"$\beta$ = {_fmt(b)}",
        )
        t2 = float(_one(cube["t2"], **sel))
        if t2 >= 0:
            axes[0].axvline(t2 + 1, color=c, lw=0.7)
    _loglog(axes[0], ylabel="MSE")
    _style_legend(axes[0], loc="lower left")
    _loglog(axes[1], ylabel=r"$\|A\|_1+\|B\|_1$")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("step $t$")
    axes[2].set_ylabel(r"$\ell_0$ (|w| $\geq 10^{-4}$)")
    axes[1].legend(fontsize="x-small")
    fig.suptitle(title)
    return fig


def fig3(cubes):
    cube = cubes["teacher_student"]
    return _ts(
        cube,
        r"Figs. 3 / 47: ReLU teacher-student (d=100, r=%d, N=100), Adam lr $\alpha$=%g, "  # noqa: UP031
        r"$\ell_1$ penalty (vertical: argmin test)"
        % (int(cube.attrs.get("r", 0)), float(cube["alpha"].values[0])),
    )


def fig50(cubes):
    cube = cubes["sobolev"]
    return _ts(
        cube,
        r"Fig. 50: Sobolev training (Jacobian matching), r=%d, Adam lr $\alpha$=%g"  # noqa: UP031
        % (int(cube.attrs.get("r", 0)), float(cube["alpha"].values[0])),
    )


DRAW: dict[str, Callable] = {name: globals()[name] for name in FIGURES}


def draw(figure: str, cubes: Mapping[str, xr.Dataset], outputs: Sequence[str]) -> None:
    if figure not in DRAW:
        raise ValueError(f"unknown figure {figure!r} (allowed: {', '.join(DRAW)})")
    plotting.setup()
    fig = DRAW[figure](cubes)
    fig.tight_layout()
    if fig._suptitle is not None:  # above the panel titles
        fig._suptitle.set_y(1.03)
    plotting.save(fig, outputs)
