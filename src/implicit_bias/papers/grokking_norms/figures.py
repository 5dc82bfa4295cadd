"""Figures of paper 004, drawn from the cubes only (spec 004.md section 5).

Steps are plotted as t + 1 on a log axis; train error solid, test error dashed; t1 / t2 marked by
vertical lines with the delay Delta t. Single-run figures show the first seed; summaries show the
median over seeds. Where one figure combines several of the paper's, its title says which.

A run *generalized* only if its cube's t2 >= 0 (analysis.generalized, the definition the claims
use; teacher-student: test MSE below predicting 0). Summary panels draw a run (or a median) that
never generalized as an x at its step budget T, bridged by no line and outside every fit; curve
panels name such runs in their title or legend. Their t_stable is never drawn as a generalization
time. t1 is the shared memorization step (analysis.t_memorized). Log error axes stop a decade
below the lowest level a run settles at when a curve goes on to float precision, and say so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ... import plotting
from . import FIGURES
from .analysis import final, generalized, med, never_inf, squeeze, t_memorized

TRAIN = {"linestyle": "-", "linewidth": 1.3}
TEST = {"linestyle": "--", "linewidth": 1.3}
NEVER = {"marker": "x", "s": 50, "linewidths": 1.6, "zorder": 4}
TINY = 1e-10  # a curve that reaches this is at float precision
NOTE = {"fontsize": "x-small", "color": "0.25"}
BELOW = (0.5, -0.24)  # legend anchor under an axes, clear of its x label


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    e = np.floor(np.log10(abs(x)))
    m = x / 10**e
    return rf"$10^{{{int(e)}}}$" if abs(m - 1) < 1e-9 else rf"${m:.3g}\cdot10^{{{int(e)}}}$"


def _eps(cube: xr.Dataset, which: str = "eps2") -> float:
    """The experiment's eps1 / eps2, as its training jobs used it (from the cube's config)."""
    cfg = json.loads(cube.attrs.get("config") or "{}")
    spec = cfg.get(cube.attrs.get("experiment", cfg.get("experiment", "")), {})
    return float(spec.get(which, cfg.get("model", {}).get(which, 1e-3)))


def _one(da: xr.DataArray, **sel) -> xr.DataArray:
    """Select labels (dims absent are ignored) and the first seed; squeeze the size-1 dims."""
    sel = {k: v for k, v in sel.items() if k in da.dims}
    da = da.sel(sel)
    if "seed" in da.dims:
        da = da.isel(seed=0)
    return da.squeeze(drop=True)


def _gen(cube: xr.Dataset, **sel) -> bool:
    """Whether the first seed's run at ``sel`` generalized (analysis.generalized)."""
    return bool(_one(generalized(cube), **sel))


def _never(cube: xr.Dataset, dim: str, fmt=str, **sel) -> str:
    """'never generalized: dim = a, b' for the first seed's runs along dim ('' if none)."""
    bad = [fmt(v) for v in cube[dim].values if not _gen(cube, **{dim: v}, **sel)]
    return f"never generalized: {_dim_label(dim)} = {', '.join(bad)}" if bad else ""


def _dim_label(dim: str) -> str:
    return {
        "beta1": r"$\beta_1$",
        "beta_star": r"$\beta_*$",
        "beta": r"$\beta$",
        "tau": r"$\tau$",
    }.get(dim, dim)


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


def _floor_values(ax, keep, low, what, where=(0.02, 0.02)):
    """Floor the log y-axis a decade below the smallest value in keep when a value in low (float
    precision) lies below it, and say so on the panel."""

    def flat(vs):
        vs = [np.asarray(v, dtype=float).ravel() for v in vs]
        vs = [v[np.isfinite(v) & (v > 0)] for v in vs]
        return np.concatenate(vs) if vs else np.array([])

    keep, low = flat(keep), flat(low)
    keep = keep[keep > TINY]
    if not keep.size or not low.size:
        return False
    lo = 10 ** (np.floor(np.log10(keep.min())) - 1)  # the decade below the lowest kept value
    if low.min() >= lo:
        return False
    ax.set_ylim(bottom=lo)
    _note(ax, f"axis floor {_fmt(lo)}: {what} below it are at float precision", where)
    return True


def _floor(ax, curves: Sequence[xr.DataArray], what="curves", where=(0.02, 0.02)):
    """_floor_values for curves over t: a curve that reaches TINY is at float precision there."""
    keep, low = [], []
    for da in curves:
        v = np.asarray(da.values, dtype=float)
        v = v[np.isfinite(v) & (v > 0)]
        if v.size:
            (keep if v.min() > TINY else low).append(v)
    _floor_values(ax, keep, low, what, where)


def _mark(ax, t1: float, t2: float, color="tab:red"):
    """t1, t2 as vertical lines and the delay Delta t as a double arrow (finite, >= 0 only)."""
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


def _times(cube: xr.Dataset, **sel) -> tuple[float, float, str]:
    """(t1, t2, note) of the first seed's run: t1 the shared memorization step, t2 the first step
    with E_te <= eps2 when the run generalized (else NaN, and the note says so)."""
    t1 = float(_one(t_memorized(cube["train_error"], _eps(cube, "eps1")), **sel))
    if _gen(cube, **sel):
        return t1, float(_one(cube["t2"], **sel)), ""
    fin = float(_one(final(cube["test_error"]), **sel))
    eps2 = _eps(cube)
    return (
        t1,
        np.nan,
        f"never generalized: $E_{{te}}$ ends at {fin:.2g} > $\\varepsilon_2$ = {eps2:g}",
    )


def _errors(ax, cube: xr.Dataset, color, label=None, mark=False, lw=None, **sel):
    tr = _one(cube["train_error"], **sel)
    te = _one(cube["test_error"], **sel)
    wide = {} if lw is None else {"linewidth": lw, "alpha": 0.6}
    _curve(ax, tr, {**TRAIN, **wide}, color=color, label=label)
    _curve(ax, te, {**TEST, **wide}, color=color)
    note = ""
    if mark:
        t1, t2, note = _times(cube, **sel)
        _mark(ax, t1, t2)
    return [tr, te], note


def _style_legend(ax, title=None, loc="best", extra=(), **kw):
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Line2D([], [], color="k", **TRAIN), plt.Line2D([], [], color="k", **TEST)]
    labels += ["train", "test"]
    for h in extra:
        handles.append(h)
        labels.append(h.get_label())
    kw.setdefault("title_fontsize", "x-small")
    return ax.legend(handles, labels, title=title, fontsize="x-small", loc=loc, **kw)


def _colors(values) -> dict:
    return plotting.palette([str(v) for v in values])


def _never_handle(text="never generalized: x at the budget $T$"):
    return plt.Line2D([], [], color="0.3", marker="x", linestyle="none", label=text)


def _summary(ax, x, y, ok, T, color, label=None, marker="o", ls="-", dodge=0.0, **kw) -> int:
    """y where ok (the line joins consecutive ok points only), an x at the budget T elsewhere,
    shifted by dodge along x (series whose x would coincide stay visible). Returns the x count."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.asarray(ok, dtype=bool) & np.isfinite(y)
    T = np.broadcast_to(np.asarray(T, dtype=float), x.shape)
    ax.plot(x, np.where(ok, y, np.nan), marker=marker, linestyle=ls, color=color, label=label, **kw)
    if (~ok).any():
        ax.scatter(x[~ok] + dodge, T[~ok], color=color, **NEVER)
    return int((~ok).sum())


def _dodge(values, k: int, width: float) -> float:
    """Offset of series k of len(values) across width (centred)."""
    return (k - (len(values) - 1) / 2) * width / max(len(values), 1)


def _note(ax, text, where=(0.02, 0.02), **kw):
    if text:
        ax.text(
            *where,
            text,
            transform=ax.transAxes,
            ha="left" if where[0] < 0.5 else "right",
            va="bottom" if where[1] < 0.5 else "top",
            **{**NOTE, **kw},
        )


def _fit(ax, x, y, color="0.2", label="fit"):
    """Least-squares line of log y on log x over the finite points, drawn over their range."""
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        return
    k, c = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    xs = np.geomspace(x[ok].min(), x[ok].max(), 20)
    ax.plot(xs, np.exp(c) * xs**k, color=color, lw=2.2, alpha=0.35, label=f"{label}: slope {k:.2f}")


# ----------------------------------------------------------------------------- sparse recovery
def _ab_figure(cube, beta, err, ylabels, refs, title):
    """Figs. 1 / 5: t2 and the error at t2 against alpha beta for the runs that generalized and
    settled (filled, fitted), settled late (hollow, not fitted) or never generalized (x at T)."""
    c = squeeze(cube.isel(seed=0), "alpha", beta)
    c = c.sel({beta: c[beta].values[c[beta].values > 0]})  # log axis in alpha beta
    gen = generalized(c)
    settled = gen & (c["t2_stable"] < c["T"] / 2)
    eps2 = _eps(cube)
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 5))
    colors = _colors(c["alpha"].values)
    fits = {"t2": ([], []), "err": ([], [])}
    sizes = dict(zip(c["alpha"].values, np.linspace(90, 28, c.sizes["alpha"]), strict=True))
    for a in c["alpha"].values:  # smaller markers on top: coinciding runs stay visible
        s = c.sel(alpha=a)
        col = colors[str(a)]
        ms = float(sizes[a])
        x = a * s[beta].values
        g, ok = gen.sel(alpha=a).values, settled.sel(alpha=a).values
        t2, T = s["t2_stable"].values, s["T"].values
        e2 = np.array(
            [
                float(s[err].sel({beta: b}).sel(t=t, method="nearest"))
                for b, t in zip(s[beta].values, t2, strict=True)
            ]
        )
        eT = final(s[err]).values
        for ax, y, yT, key in ((axes[0], t2, T, "t2"), (axes[1], e2, eT, "err")):
            ax.scatter(x[ok], y[ok], s=ms, color=col, label=rf"$\alpha$ = {a:g}", zorder=3)
            ax.scatter(x[g & ~ok], y[g & ~ok], s=ms, facecolors="none", edgecolors=col, zorder=3)
            ax.scatter(x[~g], yT[~g], color=col, **{**NEVER, "s": ms})
            fits[key][0].extend(x[ok])
            fits[key][1].extend(y[ok])
    ab = (c["alpha"] * c[beta]).values.ravel()
    order = np.argsort(ab)
    for var, style, lab in refs:
        axes[0].plot(ab[order], c[var].values.ravel()[order], **style, label=lab)
    axes[1].plot(
        ab[order], ab[order], color="k", **plotting.THEORY_STYLE, label=r"$\propto\alpha\beta$"
    )
    _fit(axes[0], *fits["t2"], label="fit (filled)")
    _fit(axes[1], *fits["err"], label="fit (filled)")
    hollow = plt.Line2D(
        [],
        [],
        marker="o",
        mfc="none",
        mec="0.3",
        ls="none",
        label=r"generalized, $t_{stable}\geq T/2$: "
        "still settling (under-trained), not fitted",
    )
    never = _never_handle(
        rf"never generalized ($E_{{te}}>\varepsilon_2$ = {eps2:g}): x at the budget $T$"
        + "\n(right: error at $T$), not fitted"
    )
    xl = r"$\alpha\beta_1$" if beta == "beta1" else r"$\alpha\beta_*$"
    _loglog(axes[0], xl, ylabels[0])
    _loglog(axes[1], xl, ylabels[1])
    proxies = [
        p for p, n in ((hollow, int((gen & ~settled).sum())), (never, int((~gen).sum()))) if n
    ]
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        ax.legend(
            [*h, *proxies],
            [*lab, *(p.get_label() for p in proxies)],
            fontsize="x-small",
            loc="upper center",
            bbox_to_anchor=BELOW,
            ncol=2,
        )
    fig.suptitle(title)
    return fig


def fig1(cubes):
    return _ab_figure(
        cubes["ab_grid"],
        "beta1",
        "mae",
        (r"$t_2$ ($t_{stable}$ of $E_{te}$)", r"$\|b^{(t_2)}-b^*\|_1/n$"),
        (
            (
                "dt_pred",
                {"color": "k", **plotting.THEORY_STYLE},
                r"$\|\hat b-b^*\|_\infty/(\alpha\beta_1)$",
            ),
            (
                "dt_paper",
                {"color": "gray", "linestyle": ":"},
                r"$\|\hat b\|_\infty/(\alpha\beta_1)$ (paper)",
            ),
        ),
        r"Fig. 1: $t_2$ and error at $t_2$ vs $\alpha\beta_1$ (n=100, s=5, N=30, first seed)",
    )


def fig12(cubes):
    return _grid_curves(
        cubes["ab_grid"],
        "beta1",
        r"Fig. 12: $\alpha\times\beta_1$ grid (n=100, s=5, N=30; dotted: $t_2$ = $t_{stable}$ of "
        r"$E_{te}$, runs that generalized)",
    )


def _grid_curves(cube, beta, title):
    alphas = cube["alpha"].values
    fig, axes = plt.subplots(1, len(alphas), figsize=(5 * len(alphas), 4.6), sharey=True)
    axes = np.atleast_1d(axes)
    colors = _colors(cube[beta].values)
    curves = []
    for ax, a in zip(axes, alphas, strict=True):
        for b in cube[beta].values:
            sel = {"alpha": a, beta: b}
            gen = _gen(cube, **sel)
            lab = rf"{_dim_label(beta)} = {_fmt(b)}" + ("" if gen else " (never generalized)")
            cs, _ = _errors(ax, cube, colors[str(b)], label=lab, **sel)
            curves += cs
            if gen and b > 0:
                t2 = float(_one(cube["t2_stable"], **sel))
                ax.axvline(t2 + 1, color=colors[str(b)], lw=1.1, ls=":")
        ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
        _loglog(ax)
        ax.set_title(rf"$\alpha$ = {a:g}")
        _style_legend(
            ax,
            loc="upper center",
            bbox_to_anchor=BELOW,
            ncol=2,
            extra=[plt.Line2D([], [], color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")],
        )
    _floor(axes[0], curves, r"$E_{tr}$ of $\beta = 0$ runs")
    fig.suptitle(title)
    return fig


def fig2(cubes):
    cube = cubes["anatomy"]
    sel = {"update": "subgradient", "beta1": float(cube["beta1"].max())}
    fig, axes = plt.subplots(1, 4, figsize=(21, 4.6))
    ax = axes[0]
    _, note = _errors(ax, cube, "tab:blue", mark=True, **sel)
    _loglog(ax)
    ax2 = ax.twinx()
    _curve(ax2, _one(cube["grad_ratio"], **sel), {"linewidth": 1}, color="tab:green")
    ax2.set_yscale("log")
    ax2.set_ylabel(r"$R(t)=\|\beta_1 h\|/\|G\|$", color="tab:green")
    g = generalized(cube).sel(sel)
    note = (note + "\n" if note else "") + f"{int(g.sum())}/{g.size} seeds generalized"
    _style_legend(
        ax,
        title=f"first seed; {note}",
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=2,
        extra=[
            plt.Line2D([], [], color="tab:green", lw=1, label="R(t) (right axis)"),
            plt.Line2D([], [], color="tab:red", lw=0.9, label=r"$t_1$, $t_2$"),
        ],
    )
    ax.set_title(r"$E_{tr}$, $E_{te}$ and $R(t)$")
    ax = axes[1]
    _curve(
        ax, _one(cube["l1_norm"], **sel), {"linewidth": 1.3}, color="tab:blue", label=r"$\|b\|_1$"
    )
    _curve(
        ax, _one(cube["l2_norm"], **sel), {"linewidth": 1.3}, color="tab:orange", label=r"$\|b\|_2$"
    )
    for var, col, ls, lab in (
        ("bstar_l1", "tab:blue", "--", r"$\|b^*\|_1$"),
        ("bhat_l1", "tab:blue", ":", r"$\|\hat b\|_1$ (memorization)"),
        ("bstar_l2", "tab:orange", "--", r"$\|b^*\|_2$"),
    ):
        ax.axhline(float(_one(cube[var], **sel)), color=col, ls=ls, lw=1.2, label=lab)
    _loglog(ax, ylabel="norm")
    ax.set_ylim(1e-3, None)
    ax.legend(fontsize="x-small", loc="lower right")
    ax.set_title(r"$\|b\|_1$ falls to $\|b^*\|_1$; $\|b\|_2$ grows (axis from $10^{-3}$)")
    ax = axes[2]
    b = _one(cube["b"], **sel)
    ax.plot(b["t_snap"].values + 1, b.values, lw=0.7)
    ax.set_xscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("$b_j^{(t)}$")
    ax.set_title("components (Fig. 11)")
    ax = axes[3]
    b1 = sel["beta1"]
    styles = {  # subgradient and ISTA nearly coincide: the wide pale line is the subgradient
        "subgradient": {"linewidth": 4, "alpha": 0.35, "linestyle": "-"},
        "ista": {"linewidth": 1.3, "linestyle": "--"},
        "projected": {"linewidth": 1.3, "linestyle": "-."},
    }
    colors = plotting.palette(list(styles))
    for m in [m for m in styles if m in cube["update"].values]:
        _curve(
            ax, _one(cube["test_error"], update=m, beta1=b1), styles[m], color=colors[m], label=m
        )
    _curve(
        ax,
        _one(cube["test_error"], update="subgradient", beta1=0.0),
        TEST,
        color="k",
        label=r"subgradient, $\beta_1=0$",
    )
    ax.axhline(
        float(_one(cube["lsq_error"], **sel)),
        color="gray",
        **plotting.THEORY_STYLE,
        label=r"$\|(I-VV^T)b^*\|/\|b^*\|$",
    )
    ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")
    _loglog(ax, ylabel="test error")
    ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW, ncol=2)
    ax.set_title(r"test error per method and without $\ell_1$")
    fig.suptitle(r"Fig. 2 (and 11): one run, n=100, s=5, N=30, $\alpha$=0.1, $\beta_1$=" + _fmt(b1))
    return fig


def _bound_note(ax, x, t1, bound, xname="N"):
    """Say on the panel where the measured t1 exceeds Thm C.8's t1 (and by how much)."""
    t1, bound = np.asarray(t1, dtype=float), np.asarray(bound, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = t1 / bound
    over = np.isfinite(r) & (r > 1)
    if not over.any():
        return
    where = ", ".join(f"{v:g}" for v in np.asarray(x)[over])
    _note(
        ax,
        f"measured > bound at {xname} = {where} (up to x{np.nanmax(r[over]):.3g})",
        (0.98, 0.98),
        color="tab:red",
    )


def fig8(cubes):
    cube = squeeze(cubes["n_sweep"], "N", "seed")
    N = cube["N"].values
    eps1, eps2 = _eps(cube, "eps1"), _eps(cube)
    T = med(cube["T"]).values
    gen = generalized(cube)
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    t1 = med(t_memorized(cube["train_error"], eps1))
    bound = med(cube["t1_bound"])
    ax = axes[0]
    _summary(
        ax,
        N,
        t1.values,
        np.isfinite(t1.values),
        T,
        "tab:blue",
        label=r"measured $t_1$: first $E_{tr}\leq\max(\varepsilon_1, 2E_{tr}(T))$",
    )
    ax.plot(
        N,
        bound,
        "k",
        **plotting.THEORY_STYLE,
        label=r"Thm C.8 $t_1$ ($p=\infty$, row-space $\rho$)",
    )
    _bound_note(ax, N, t1.values, bound.values)
    ax.set_yscale("log")
    ax.set_xlabel("$N$")
    ax.set_ylabel("$t_1$")
    ax.legend(
        fontsize="x-small",
        loc="upper center",
        bbox_to_anchor=BELOW,
        title="Thm C.8's $t_1$: the step after which $\\|b-\\hat b\\|_\\infty\\leq "
        "2\\alpha\\beta_1/(1-\\rho)$,\n"
        "i.e. $E_{tr}$ at its memorization floor (not at a fixed $\\varepsilon_1$); for $N<n$,\n"
        "$\\beta_2=0$ every $\\rho_p\\geq 1$: $\\rho$ is taken over the row space",
        title_fontsize="x-small",
    )
    ax = axes[1]
    t2 = med(never_inf(cube["t2_stable"].where(gen)))
    never = _summary(
        ax,
        N,
        t2.values,
        np.isfinite(t2.values),
        T,
        "tab:blue",
        label=r"measured $t_2$ ($t_{stable}$ of $E_{te}$, seeds that generalized)",
    )
    ax.plot(
        N,
        t1 + med(cube["dt_pred"]),
        "k",
        **plotting.THEORY_STYLE,
        label=r"$t_1+\|\hat b-b^*\|_\infty/(\alpha\beta_1)$",
    )
    ax.plot(
        N,
        t1 + med(cube["dt_paper"]),
        color="gray",
        linestyle=":",
        label=r"$t_1+\|\hat b\|_\infty/(\alpha\beta_1)$ (paper)",
    )
    ax.set_yscale("log")
    ax.set_xlabel("$N$")
    ax.set_ylabel("$t_2$")
    ax.legend(
        handles=[
            *ax.get_legend_handles_labels()[0],
            *[
                _never_handle(
                    rf"median never generalized ($E_{{te}}>\varepsilon_2$ = {eps2:g}): x at $T$"
                )
            ][: min(never, 1)],
        ],
        fontsize="x-small",
        loc="upper center",
        bbox_to_anchor=BELOW,
    )
    ax = axes[2]
    fin = med(final(cube["test_error"]))
    lsq = med(cube["lsq_error"])
    lo = 1e-5
    ax.plot(N, fin, "o-", label=r"final $E_{te}$")
    ax.plot(N, np.maximum(lsq, lo), "s--", label=r"$E_{te}(\hat b)$ (memorization)")
    tiny = lsq.values < lo
    if tiny.any():
        ax.plot(N[tiny], np.full(tiny.sum(), lo), "v", color="tab:orange", ms=9)
        _note(
            ax,
            rf"triangle: $E_{{te}}(\hat b)<${_fmt(lo)} ($N=n$: $\hat b=b^*$)",
            (0.02, 0.02),
        )
    ax.axhline(eps2, color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")
    ax.set_yscale("log")
    ax.set_ylim(lo / 2, 2)
    ax.set_xlabel("$N$")
    ax.set_ylabel("relative test error")
    ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW)
    fig.suptitle(
        r"Fig. 8: times and errors vs N (n=100, s=5, $\alpha$=0.1, $\beta_1$={}; medians over {} "
        "seeds, a seed that never generalized counts as $+\\infty$)".format(
            _fmt(float(cubes["n_sweep"]["beta1"].max())), cube.sizes.get("seed", 1)
        )
    )
    return fig


def fig9(cubes):
    cube = cubes["n_sweep"]
    fig, ax = plt.subplots(figsize=(8, 5.5))
    colors = _colors(cube["N"].values)
    for N in cube["N"].values:
        lab = f"N = {N}" + ("" if _gen(cube, N=N) else " (never generalized)")
        _errors(ax, cube, colors[str(N)], label=lab, N=N)
    ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
    _loglog(ax)
    _style_legend(
        ax,
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        extra=[plt.Line2D([], [], color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")],
    )
    ax.set_title("Fig. 9: train/test error per N (first seed)")
    return fig


def fig10(cubes):
    cube = cubes["n_sweep"]
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    colors = _colors(cube["N"].values)
    for N in cube["N"].values:
        u = _one(cube["u_support"], N=N).values
        v = _one(cube["v_offsupport"], N=N).values
        lab = f"N = {N}" + ("" if _gen(cube, N=N) else " (never generalized)")
        ax.plot(u, v, color=colors[str(N)], label=lab)
        t = _one(cube["u_support"], N=N)["t"].values
        for tt in (1e2, 1e3, 1e4, 1e5):
            k = np.searchsorted(t, tt)
            if k < t.size:
                ax.plot(u[k], v[k], "o", color=colors[str(N)], ms=3)
    bs = float(_one(cube["bstar_l2"], N=cube["N"].values[0]))
    ax.plot(bs, 0, "k*", ms=12, label="$b^*$")
    ax.set_xlabel(r"$u(t)=\|b_I\|_2$")
    ax.set_ylabel(r"$v(t)=\|b_{I^c}\|_2$")
    ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    ax.set_title("Fig. 10: landscape path, first seed (dots at t = 1e2, 1e3, 1e4, 1e5)")
    return fig


def fig13(cubes):
    cube = cubes["methods"]
    methods, svals = cube["update"].values, cube["s"].values
    fig, axes = plt.subplots(
        len(methods),
        len(svals),
        figsize=(4.6 * len(svals), 3.9 * len(methods)),
        squeeze=False,
        sharey="row",
    )
    colors = _colors(cube["N"].values)
    for i, m in enumerate(methods):
        curves = []
        for j, s in enumerate(svals):
            ax = axes[i, j]
            for N in cube["N"].values:
                cs, _ = _errors(ax, cube, colors[str(N)], label=f"N={N}", update=m, s=s, N=N)
                curves += cs
            ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
            _loglog(ax)
            never = _never(cube, "N", update=m, s=s)
            ax.set_title(f"{m}, s = {s}" + (f"\n{never}" if never else ""), fontsize="small")
        _floor(axes[i, 0], curves, r"$E_{tr}$ (and $E_{te}$)", where=(0.02, 0.02))
    _style_legend(
        axes[0, -1],
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        extra=[plt.Line2D([], [], color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")],
    )
    fig.suptitle(
        "Figs. 13 / 17 / 21: ISTA, projected subgradient and subgradient, s x N sweep (first seed)"
    )
    return fig


def fig14(cubes):
    cube = cubes["methods"].isel(seed=0)
    eps1 = _eps(cubes["methods"], "eps1")
    methods, svals = cube["update"].values, cube["s"].values
    fig, axes = plt.subplots(len(methods), 2, figsize=(13, 4.3 * len(methods)), squeeze=False)
    colors = _colors(svals)
    sizes = dict(zip(svals, np.linspace(10, 4, svals.size), strict=True))
    N = cube["N"].values
    for i, m in enumerate(methods):
        errs, ratios, never = [], [], 0
        for s in svals:
            sub = squeeze(cube.sel(update=m, s=s), "N")
            c = colors[str(s)]
            t1 = t_memorized(sub["train_error"], eps1).values
            never += int((~np.isfinite(t1)).sum())
            _summary(  # larger markers below: runs that coincide stay visible
                axes[i, 0],
                N,
                t1,
                np.isfinite(t1),
                sub["T"].values,
                c,
                label=f"s={s}",
                markersize=float(sizes[s]),
            )
            axes[i, 0].plot(N, sub["t1_bound"], color=c, **plotting.THEORY_STYLE)
            ratios.append(t1 / sub["t1_bound"].values)
            axes[i, 1].plot(N, sub["ete_min"], "o-", color=c, label=rf"s={s}")
            axes[i, 1].plot(N, sub["etr_min"], "^:", color=c)
            errs += [sub["ete_min"].values, sub["etr_min"].values]
        r = np.array(ratios)
        over = np.isfinite(r) & (r > 1)
        if over.any():
            Ns = sorted({int(n) for n in np.broadcast_to(N, r.shape)[over]})
            _note(
                axes[i, 0],
                f"measured > bound at N = {', '.join(map(str, Ns))} (up to x"
                f"{np.nanmax(r[over]):.3g}):\n$E_{{tr}}$ falls again at generalization, below "
                "twice its\nmemorization plateau; the measured $t_1$ dates that fall",
                (0.98, 0.02),
                color="tab:red",
            )
        if _floor_values(axes[i, 1], errs, errs, "min errors", where=(0.02, 0.3)):
            lo = axes[i, 1].get_ylim()[0]
            for k, s in enumerate(svals):
                for v in errs[2 * k : 2 * k + 2]:
                    cut = v < lo
                    axes[i, 1].scatter(
                        N[cut],
                        np.full(cut.sum(), lo * 1.4),
                        marker="v",
                        color=colors[str(s)],
                        edgecolors="k",
                        linewidths=0.4,
                        zorder=4,
                    )
            _note(axes[i, 1], r"$\blacktriangledown$: below the floor", (0.02, 0.22))
        axes[i, 0].set_yscale("log")
        axes[i, 1].set_yscale("log")
        axes[i, 0].set_ylabel(f"{m}: $t_1$")
        axes[i, 1].set_ylabel("min error")
        extra = [
            plt.Line2D(
                [], [], color="0.3", marker="o", label=r"left: measured $t_1$; right: min $E_{te}$"
            ),
            plt.Line2D([], [], color="0.3", marker="^", ls=":", label=r"min $E_{tr}$"),
            plt.Line2D([], [], color="0.3", **plotting.THEORY_STYLE, label=r"Thm C.8 $t_1$"),
        ]
        if never:
            extra.append(_never_handle("never memorized: x at $T$"))
        h = axes[i, 1].get_legend_handles_labels()[0]
        axes[i, 1].legend(
            handles=[*h, *extra], fontsize="x-small", loc="center left", bbox_to_anchor=(1.02, 0.5)
        )
    for ax in axes[-1]:
        ax.set_xlabel("$N$")
    fig.suptitle(
        "Figs. 14-16 / 18-20 / 22-24: measured $t_1$ (first $E_{tr}\\leq\\max(\\varepsilon_1, "
        "2E_{tr}(T))$) with Thm C.8's $t_1$, and minimal errors vs N (first seed)\n"
        "Thm C.8's $t_1$ is the step after which "
        "$\\|b-\\hat b\\|_\\infty\\leq 2\\alpha\\beta_1/(1-\\rho)$ "
        "($\\rho$ over the row space: for $N<n$, $\\beta_2=0$ every $\\rho_p\\geq 1$)",
        fontsize="medium",
    )
    return fig


def fig25(cubes):
    cube = cubes["no_understanding"]
    fig, axes = plt.subplots(2, 3, figsize=(17, 9.5))
    colors = _colors(cube["beta1"].values)
    for row, scale in enumerate(("linear", "log")):
        ax, axn = axes[row, 0], axes[row, 1]
        for b in cube["beta1"].values:
            c = colors[str(b)]
            wide = 3.0 if b == 0 else None  # beta1 = 0 first and wide: the curves coincide early
            _errors(ax, cube, c, label=rf"$\beta_1$ = {_fmt(b)}", lw=wide, beta1=b)
            _curve(
                axn,
                _one(cube["l1_norm"], beta1=b),
                {"linewidth": 3.0, "alpha": 0.6} if b == 0 else {"linewidth": 1.3},
                color=c,
                label=rf"$\|b\|_1$, $\beta_1$={_fmt(b)}",
            )
            _curve(
                axn,
                _one(cube["l2_norm"], beta1=b),
                {"linewidth": 2.5 if b == 0 else 1, "linestyle": ":"},
                color=c,
                label=rf"$\|b\|_2$, $\beta_1$={_fmt(b)}",
            )
        ax.axhline(
            float(_one(cube["lsq_error"], beta1=0.0)),
            color="gray",
            **plotting.THEORY_STYLE,
            label=r"least-squares test error $E_{te}(\hat b)$",
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
        ax.set_ylabel(f"relative error ({scale} scale)")
        axn.set_ylabel(f"norm ({scale} scale)")
        if row == 1:
            _style_legend(ax, loc="upper center", bbox_to_anchor=BELOW, ncol=2)
            axn.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW, ncol=2)
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
    ax.set_ylabel(r"$b_j^{(t)}$, $\beta_1=0$")
    fig.suptitle(
        (
            r"Fig. 25 (and 26): grokking without understanding, $\zeta$=10, "
            r"$\beta_2$={} (top linear, bottom log scale; first seed)"
        ).format(_fmt(float(cube["beta2"].max())))
    )
    return fig


def fig27(cubes):
    cube = cubes["coherence"]
    Ns = cube["N"].values
    fig, axes = plt.subplots(1, len(Ns), figsize=(4.6 * len(Ns), 4.4), sharey=True)
    axes = np.atleast_1d(axes)
    colors = _colors(cube["tau"].values)
    for ax, N in zip(axes, Ns, strict=True):
        for tau in cube["tau"].values:
            _errors(ax, cube, colors[str(tau)], label=rf"$\tau$ = {tau:g}", N=N, tau=tau)
        ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
        _loglog(ax)
        never = _never(cube, "tau", fmt=lambda v: f"{v:g}", N=N)
        ax.set_title(f"N = {N}" + (f"\n{never}" if never else ""), fontsize="small")
    _style_legend(
        axes[-1],
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        extra=[plt.Line2D([], [], color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")],
    )
    fig.suptitle(r"Fig. 27: coherence $\tau$ in compressed sensing (first seed)")
    return fig


def fig29(cubes):
    cube = squeeze(cubes["coherence"], "N", "tau", "seed")
    eps1, eps2 = _eps(cubes["coherence"], "eps1"), _eps(cubes["coherence"])
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    colors = _colors(cube["N"].values)
    tau = cube["tau"].values
    fin = med(final(cube["test_error"]))
    t2 = med(never_inf(cube["t2_stable"].where(generalized(cube))))
    t1 = med(t_memorized(cube["train_error"], eps1))
    T = med(cube["T"])
    count = [0, 0, 0]
    for k, N in enumerate(cube["N"].values):
        c = colors[str(N)]
        axes[0].plot(tau, fin.sel(N=N), "o-", color=c, label=f"N={N}")
        for j, (ax, y) in ((1, (axes[1], t2)), (2, (axes[2], t1))):
            yv = y.sel(N=N).values
            count[j] += _summary(
                ax,
                tau,
                yv,
                np.isfinite(yv),
                T.sel(N=N).values,
                c,
                label=f"N={N}",
                dodge=_dodge(cube["N"].values, k, 0.1),
            )
    axes[0].axhline(eps2, color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")
    labels = (
        r"final $E_{te}$",
        r"$t_2$ ($t_{stable}$ of $E_{te}$, seeds that generalized)",
        r"$t_1$ (first $E_{tr}\leq\max(\varepsilon_1, 2E_{tr}(T))$)",
    )
    nevers = (
        None,
        _never_handle(rf"never generalized ($E_{{te}}>\varepsilon_2$ = {eps2:g}): x at $T$"),
        _never_handle("never memorized: x at $T$"),
    )
    for ax, lab, nv, n in zip(axes, labels, nevers, count, strict=True):
        ax.set_yscale("log")
        ax.set_xlabel(r"$\tau$")
        ax.set_ylabel(lab)
        h = ax.get_legend_handles_labels()[0] + ([nv] if nv is not None and n else [])
        ax.legend(handles=h, fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW, ncol=3)
    fig.suptitle(
        r"Figs. 28-29: error and times vs $\tau$ (medians over {} seeds; a seed that never "
        r"generalized counts as $+\infty$)".format(cube.sizes.get("seed", 1))
    )
    return fig


def _depth_curves(cube, title):
    Ns = cube["N"].values
    fig, axes = plt.subplots(1, len(Ns), figsize=(5.5 * len(Ns), 4.6), sharey=True)
    axes = np.atleast_1d(axes)
    colors = _colors(cube["L"].values)
    curves = []
    for ax, N in zip(axes, Ns, strict=True):
        for L in cube["L"].values:
            cs, _ = _errors(ax, cube, colors[str(L)], label=f"L = {L}", N=N, L=L)
            curves += cs
        ax.axhline(
            float(_one(cube["lsq_error"], N=N, L=1)),
            color="gray",
            **plotting.THEORY_STYLE,
            label="least squares",
        )
        ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")
        _loglog(ax)
        never = _never(cube, "L", N=N)
        ax.set_title(f"N = {N}" + (f"; {never}" if never else ""), fontsize="small")
    _floor(axes[0], curves, r"$E_{tr}$ of $L = 1$", where=(0.98, 0.02))
    _style_legend(axes[-1], loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle(title)
    return fig


def fig30(cubes):
    return _depth_curves(
        cubes["depth_small"],
        r"Fig. 30: depth L, small init ($\zeta$ = 1e-6 / 1e-2 / 0.1 for L = 1/2/3), "
        r"$\beta_1=\beta_2=0$ (first seed)",
    )


def _depth_summary(cube, axes):
    colors = _colors(cube["L"].values)
    N = cube["N"].values
    first = cube.isel(seed=0)
    eps1, eps2 = _eps(cube, "eps1"), _eps(cube)
    never = 0
    width = float(np.diff(N).min()) if N.size > 1 else 1.0
    for k, L in enumerate(cube["L"].values):
        c = colors[str(L)]
        sub = squeeze(first.sel(L=L), "N")
        dodge = _dodge(cube["L"].values, k, 0.5 * width)
        axes[0].plot(N, final(sub["test_error"]), "o-", color=c, label=f"L={L}")
        never += _summary(
            axes[1],
            N,
            sub["t2"].values,
            generalized(sub).values,
            sub["T"].values,
            c,
            label=rf"$t_2$ ($E_{{te}}\leq\varepsilon_2$), L={L}",
            dodge=dodge,
        )
        t1 = t_memorized(sub["train_error"], eps1).values
        never += _summary(
            axes[1],
            N,
            t1,
            np.isfinite(t1),
            sub["T"].values,
            c,
            marker="^",
            ls=":",
            label=rf"$t_1$ (memorized), L={L}",
            dodge=dodge,
        )
    axes[0].axhline(eps2, color="0.5", lw=0.8, ls="-.", label=rf"$\varepsilon_2$ = {eps2:g}")
    axes[0].set_ylabel(r"final $E_{te}$")
    axes[1].set_ylabel(r"step ($t_2$: circles, $t_1$: triangles)")
    for ax in axes:
        ax.set_yscale("log")
        ax.set_xlabel("$N$")
        ax.set_xticks(N)
        ax.set_xlim(N.min() - 0.6 * width, N.max() + 0.6 * width)
    axes[0].legend(fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW, ncol=2)
    extra = [_never_handle("never generalized / memorized: x at the budget $T$")] if never else []
    axes[1].legend(
        handles=[*axes[1].get_legend_handles_labels()[0], *extra],
        fontsize="x-small",
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=2,
    )


def fig31(cubes):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    _depth_summary(cubes["depth_small"], axes)
    fig.suptitle(
        "Figs. 31-32: final test error and times vs N per depth L (small init, first seed)"
    )
    return fig


def fig33(cubes):
    cube = cubes["depth_large"]
    Ns = cube["N"].values
    fig, axes = plt.subplots(1, len(Ns) + 2, figsize=(5.2 * (len(Ns) + 2), 4.6))
    colors = _colors(cube["L"].values)
    curves = []
    for ax, N in zip(axes[: len(Ns)], Ns, strict=True):
        for L in cube["L"].values:
            cs, _ = _errors(ax, cube, colors[str(L)], label=f"L = {L}", N=N, L=L)
            curves += cs
        ax.axhline(
            float(_one(cube["lsq_error"], N=N, L=1)),
            color="gray",
            **plotting.THEORY_STYLE,
            label="least squares",
        )
        ax.axhline(_eps(cube), color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")
        _loglog(ax)
        never = _never(cube, "L", N=N)
        ax.set_title(f"N = {N}" + (f"; {never}" if never else ""), fontsize="small")
    _style_legend(axes[0], loc="upper center", bbox_to_anchor=BELOW, ncol=3)
    _depth_summary(cube, axes[len(Ns) :])
    fig.suptitle(
        r"Figs. 33-35: depth L, large init $\zeta$=1 with $\beta_2$={}, $\beta_1$=0 "
        "(first seed)".format(_fmt(float(cube["beta2"].max())))
    )
    return fig


def _signal_panels(cube, axes, bstar_l1=None, **sel):
    """Errors (t1, t2 marked), R(t) and ||b||_1 with ||b*||_1 (and ||b_hat||_1 unless bstar_l1 is
    given: the complex case, whose cube norms of b* and b_hat are not the modulus norm)."""
    _, note = _errors(axes[0], cube, "tab:blue", mark=True, **sel)
    axes[0].axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
    _loglog(axes[0])
    _curve(axes[1], _one(cube["grad_ratio"], **sel), {"linewidth": 1}, color="tab:green")
    _loglog(axes[1], ylabel=r"$R(t)=\|\beta_1 h\|/\|G\|$")
    _curve(
        axes[2],
        _one(cube["l1_norm"], **sel),
        {"linewidth": 1.3},
        color="tab:blue",
        label=r"$\|b^{(t)}\|_1$",
    )
    ref = float(_one(cube["bstar_l1"], **sel)) if bstar_l1 is None else bstar_l1
    axes[2].axhline(ref, color="k", **plotting.THEORY_STYLE, label=r"$\|b^*\|_1$")
    if bstar_l1 is None:
        axes[2].axhline(
            float(_one(cube["bhat_l1"], **sel)),
            color="tab:blue",
            ls=":",
            lw=1.2,
            label=r"$\|\hat b\|_1$ (memorization)",
        )
    axes[2].set_xscale("log")
    axes[2].set_xlabel("step $t$")
    axes[2].set_ylabel(r"$\|b\|_1$ (linear scale)")
    axes[2].legend(fontsize="x-small", loc="lower right")
    return note


def _eps_handle():
    return plt.Line2D([], [], color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")


def _t_handle():
    return plt.Line2D([], [], color="tab:red", lw=0.9, label=r"$t_1$, $t_2$")


def fig36(cubes):
    cube = cubes["digit"]
    N = int(cube["N"].max())
    fig = plt.figure(figsize=(17, 9))
    grid = fig.add_gridspec(2, 8, height_ratios=(1.5, 1), hspace=0.75)
    top = [fig.add_subplot(grid[0, 3 * k : 3 * k + 2]) for k in range(3)]
    note = _signal_panels(cube, top, N=N)
    # fewer measurements: the test error of the other N of the sweep, for contrast
    others = [int(k) for k in cube["N"].values if int(k) != N]
    for k, (Nk, ls) in enumerate(zip(others, (":", "-."), strict=False)):
        lab = f"test, N={Nk}" + ("" if _gen(cube, N=Nk) else " (never generalized)")
        _curve(
            top[0],
            _one(cube["test_error"], N=Nk),
            {"linestyle": ls, "linewidth": 1.2},
            color=("tab:gray", "tab:olive")[k],
            label=lab,
        )
    _style_legend(
        top[0],
        title=f"N = {N} (blue); {note}" if note else f"N = {N} (blue)",
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=3,
        extra=[_eps_handle(), _t_handle()],
    )
    b = _one(cube["b"], N=N)
    t = b["t_snap"].values
    picks = np.unique(np.searchsorted(t, np.geomspace(1, t[-1], 8)).clip(0, t.size - 1))
    for k, i in enumerate(picks[:8]):
        ax = fig.add_subplot(grid[1, k])
        ax.imshow(b.values[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"t={t[i]}", fontsize="x-small")
        ax.axis("off")
    fig.suptitle(
        f"Figs. 36-37: 8x8 digit (s = 22), N = {N}: errors, R(t), "
        + r"$\|b\|_1$ and the reconstruction over steps (first seed)"
    )
    return fig


def fig38(cubes):
    from .datasets import SINUSOID, sinusoid_signal

    cube = cubes["sinusoid"]
    fig, axes = plt.subplots(1, 4, figsize=(21, 4.6))
    b = _one(cube["b"])
    n = b.sizes["j"] // 2
    jk = np.outer(np.arange(n), np.arange(n))
    Phi = np.exp(-2j * np.pi * jk / n) / np.sqrt(n)
    bstar = np.zeros(n, dtype=complex)
    for k, A, p in zip(SINUSOID["F"], SINUSOID["A"], SINUSOID["phi"], strict=True):
        bstar[k] = A * np.exp(1j * p)
    # ||b||_1 of a complex b is the sum of the moduli (the paper's norm; the kernel logs l1_norm
    # so for complex pairs), the reference line too
    note = _signal_panels(cube, axes[1:], bstar_l1=float(np.abs(bstar).sum()))
    _style_legend(
        axes[1],
        title=note or None,
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=3,
        extra=[_eps_handle(), _t_handle()],
    )
    axes[0].plot(sinusoid_signal(bstar, Phi), "k", lw=2, label="$a^*$")
    bT = b.values[-1]
    axes[0].plot(
        sinusoid_signal(bT[:n] + 1j * bT[n:], Phi),
        "tab:orange",
        lw=1,
        label=f"reconstruction, t = {int(b['t_snap'][-1])}",
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
    axes[0].legend(fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW, ncol=3)
    axes[3].set_ylabel(r"$\|b\|_1=\sum_k|b_k|$ (modulus)")
    fig.suptitle("Figs. 38-40: sinusoid (complex sparse recovery in the DFT basis, first seed)")
    return fig


def fig41(cubes):
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    note = _signal_panels(cubes["polynomial"], axes)
    _style_legend(
        axes[0],
        title=note or None,
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=3,
        extra=[_eps_handle(), _t_handle()],
    )
    fig.suptitle("Fig. 41: sparse polynomial (m = 10, n = 65, s = 5, first seed)")
    return fig


# ------------------------------------------------------------------------------------- matrices
def fig4(cubes):
    cube = cubes["completion"]
    sel = {"beta_star": float(cube["beta_star"].max())}
    fig, axes = plt.subplots(1, 4, figsize=(21, 4.6))
    _, note = _errors(axes[0], cube, "tab:blue", mark=True, **sel)
    _curve(
        axes[0],
        _one(cube["test_error"], beta_star=0.0),
        TEST,
        color="gray",
        label=r"test, $\beta_*=0$",
    )
    axes[0].axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
    _loglog(axes[0])
    g = generalized(cube).sel(sel)
    note = (note + "\n" if note else "") + f"{int(g.sum())}/{g.size} seeds generalized"
    _style_legend(
        axes[0],
        title=f"first seed; {note}",
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=3,
        extra=[_eps_handle(), plt.Line2D([], [], color="tab:red", lw=0.9, label=r"$t_1$, $t_2$")],
    )
    _curve(axes[1], _one(cube["grad_ratio"], **sel), {"linewidth": 1}, color="tab:green")
    axes[1].axhline(1, color="k", lw=0.6)
    _loglog(axes[1], ylabel=r"$\|\beta_* UV^T\|_F/\|G\|_F$")
    _curve(
        axes[2],
        _one(cube["nuclear_norm"], **sel),
        {"linewidth": 1.3},
        color="tab:blue",
        label=r"$\|A^{(t)}\|_*$",
    )
    axes[2].axhline(
        float(_one(cube["bstar_l1"], **sel)),
        color="k",
        **plotting.THEORY_STYLE,
        label=r"$\|A^*\|_*$",
    )
    axes[2].set_xscale("log")
    axes[2].set_xlabel("step $t$")
    axes[2].set_ylabel(r"$\|A^{(t)}\|_*$ (linear scale)")
    axes[2].legend(fontsize="x-small", loc="lower right")
    _sigmas(axes[3], _one(cube["sigma"], **sel), legend=True)
    fig.suptitle(
        r"Fig. 4: matrix completion 10x10, r=2, N=%d, $\alpha$=%g, $\beta_*$=%s"  # noqa: UP031
        % (int(cube["N"].max()), float(cube["alpha"].max()), _fmt(sel["beta_star"]))
    )
    return fig


def _sigmas(ax, sv: xr.DataArray, legend=False):
    t = sv["t"].values + 1
    curves = []
    for i in sv["i"].values:
        v = sv.sel(i=i)
        curves.append(v)
        vv = v.values
        ok = np.isfinite(vv) & (vv > 0)
        ax.plot(t[ok], vv[ok], lw=0.9, label=rf"$\sigma_{{{i}}}$")
    _loglog(ax, ylabel=r"$\sigma_i(A^{(t)})$")
    _floor(ax, curves, r"$\sigma_i$ set to 0", where=(0.98, 0.02))
    if legend:
        ax.legend(fontsize="xx-small", ncol=2, loc="lower left")


def fig5(cubes):
    return _ab_figure(
        cubes["matrix_grid"],
        "beta_star",
        "nuclear_error",
        (r"$t_2$ ($t_{stable}$ of $E_{te}$)", r"$\|A^{(t_2)}-A^*\|_*/\sqrt{n_1n_2}$"),
        (
            (
                "dt_pred",
                {"color": "k", **plotting.THEORY_STYLE},
                r"$\|\hat A-A^*\|_2/(\alpha\beta_*)$",
            ),
            (
                "dt_paper",
                {"color": "gray", "linestyle": ":"},
                r"$\|\hat A\|_2/(\alpha\beta_*)$ (paper)",
            ),
        ),
        r"Fig. 5: matrix completion, $t_2$ and error at $t_2$ vs $\alpha\beta_*$ (first seed)",
    )


def fig42(cubes):
    return _grid_curves(
        cubes["matrix_grid"],
        "beta_star",
        r"Fig. 42: matrix completion $\alpha\times\beta_*$ grid (dotted: $t_2$ = $t_{stable}$ of "
        r"$E_{te}$, runs that generalized; first seed)",
    )


def fig43(cubes):
    cube = cubes["sensing"]
    order = {
        "projected": "Fig. 43: projected subgradient",
        "svt": "Fig. 44: SVT (proximal)",
        "subgradient": "subgradient (for contrast)",
    }
    methods = [m for m in order if m in cube["update"].values]
    fig, axes = plt.subplots(len(methods), 3, figsize=(18, 5.6 * len(methods)), squeeze=False)
    for row, m in zip(axes, methods, strict=True):
        curves, note = _errors(row[0], cube, "tab:blue", mark=True, update=m)
        row[0].axhline(_eps(cube), color="0.5", lw=0.8, ls="-.")
        _loglog(row[0])
        _floor(row[0], curves, r"$E_{tr}$", where=(0.98, 0.02))
        extra = [_eps_handle(), plt.Line2D([], [], color="tab:red", lw=0.9, label=r"$t_1$, $t_2$")]
        if m != "projected":  # after the projection G is at float precision: R(t) is meaningless
            ratio_ax = row[0].twinx()
            _curve(
                ratio_ax, _one(cube["grad_ratio"], update=m), {"linewidth": 0.8}, color="tab:green"
            )
            ratio_ax.set_yscale("log")
            ratio_ax.set_ylabel(r"$R(t)=\|\beta_* h\|/\|G\|$", color="tab:green")
            extra.append(plt.Line2D([], [], color="tab:green", lw=0.8, label="R(t) (right axis)"))
        _style_legend(
            row[0],
            title=note or None,
            loc="upper center",
            bbox_to_anchor=BELOW,
            ncol=3,
            extra=extra,
        )
        row[0].set_title(order[m])
        _curve(row[1], _one(cube["nuclear_norm"], update=m), {"linewidth": 1.3}, color="tab:blue")
        row[1].axhline(float(_one(cube["bstar_l1"], update=m)), color="k", **plotting.THEORY_STYLE)
        row[1].set_xscale("log")
        row[1].set_xlabel("step $t$")
        row[1].set_ylabel(r"$\|A\|_*$ (dashed: $\|A^*\|_*$; linear)")
        _sigmas(row[2], _one(cube["sigma"], update=m))
    fig.suptitle(
        "Figs. 43-44: matrix sensing (10x10, r=2, N=%d), first seed" % int(cube["N"].max())  # noqa: UP031
    )
    return fig


def fig45(cubes):
    cube = squeeze(cubes["matrix_coherence"], "N", "tau", "seed")
    eps2 = _eps(cubes["matrix_coherence"])
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    colors = _colors(cube["N"].values)
    fin = med(final(cube["test_error"]))
    t2 = med(never_inf(cube["t2_stable"].where(generalized(cube))))
    T = med(cube["T"])
    tau = cube["tau"].values
    never = 0
    for k, N in enumerate(cube["N"].values):
        c = colors[str(N)]
        axes[0].plot(tau, fin.sel(N=N), "o-", color=c, label=f"N={N}")
        y = t2.sel(N=N).values
        never += _summary(
            axes[1],
            tau,
            y,
            np.isfinite(y),
            T.sel(N=N).values,
            c,
            label=f"N={N}",
            dodge=_dodge(cube["N"].values, k, 0.1),
        )
    axes[0].axhline(eps2, color="0.5", lw=0.8, ls="-.", label=r"$\varepsilon_2$")
    nevers = (
        None,
        _never_handle(rf"never generalized ($E_{{te}}>\varepsilon_2$ = {eps2:g}): x at $T$")
        if never
        else None,
    )
    for ax, lab, nv in zip(
        axes,
        (r"final $E_{te}$", r"$t_2$ ($t_{stable}$ of $E_{te}$, seeds that generalized)"),
        nevers,
        strict=True,
    ):
        ax.set_yscale("log")
        ax.set_xlabel(r"$\tau$ (coherence-ordered sampling)")
        ax.set_ylabel(lab)
        h = ax.get_legend_handles_labels()[0] + ([nv] if nv is not None else [])
        ax.legend(handles=h, fontsize="x-small", loc="upper center", bbox_to_anchor=BELOW, ncol=4)
    fig.suptitle(
        "Figs. 45-46: matrix completion, sampling high local coherence first (medians over {} "
        "seeds; a seed that never generalized counts as $+\\infty$)".format(
            cube.sizes.get("seed", 1)
        )
    )
    return fig


# -------------------------------------------------------------------------------- teacher-student
def _ts(cube, title):
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    colors = _colors(cube["beta"].values)
    curves = []
    y0 = float(_one(cube["ystar2"]).max())  # the same test set for every run
    for b in cube["beta"].values:
        c = colors[str(b)]
        sel = {"beta": b, "alpha": float(cube["alpha"].values[0])}
        gen = _gen(cube, **sel)
        lab = rf"$\beta$ = {_fmt(b)}" + ("" if gen else " (never below predicting 0)")
        tr, te = _one(cube["train_mse"], **sel), _one(cube["test_mse"], **sel)
        curves += [tr, te]
        _curve(axes[0], tr, TRAIN, color=c, label=lab)
        _curve(axes[0], te, TEST, color=c)
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
        if gen:
            axes[0].axvline(float(_one(cube["t2"], **sel)) + 1, color=c, lw=1.1, ls=":")
    _loglog(axes[0], ylabel="MSE")
    axes[0].axhline(y0, color="0.4", lw=1, ls="-.")
    _floor(axes[0], curves, "train MSEs", where=(0.98, 0.02))
    _style_legend(
        axes[0],
        loc="upper center",
        bbox_to_anchor=BELOW,
        ncol=2,
        extra=[
            plt.Line2D(
                [], [], color="0.4", lw=1, ls="-.", label=r"predicting 0 (mean $\|y^*\|^2$)"
            ),
            plt.Line2D(
                [], [], color="0.3", lw=1.1, ls=":", label="argmin test MSE (runs below it)"
            ),
        ],
    )
    _loglog(axes[1], ylabel=r"$\|A\|_1+\|B\|_1$")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("step $t$")
    axes[2].set_ylabel(r"$\ell_0$ (|w| $\geq 10^{-4}$)")
    axes[1].legend(fontsize="x-small", loc="lower left")
    fig.suptitle(title)
    return fig


def fig3(cubes):
    cube = cubes["teacher_student"]
    return _ts(
        cube,
        r"Figs. 3 / 47: ReLU teacher-student (d=100, r=%d, N=100), Adam lr $\alpha$=%g, "  # noqa: UP031
        r"$\ell_1$ penalty (first seed)"
        % (int(cube.attrs.get("r", 0)), float(cube["alpha"].values[0])),
    )


def fig50(cubes):
    cube = cubes["sobolev"]
    return _ts(
        cube,
        r"Fig. 50: Sobolev training (Jacobian matching), r=%d, Adam lr $\alpha$=%g, "  # noqa: UP031
        "T=%d (first seed)"
        % (int(cube.attrs.get("r", 0)), float(cube["alpha"].values[0]), int(cube["t"].max())),
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
