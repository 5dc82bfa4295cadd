"""Claims of paper 003 (Ma & Fattahi 2022), measured from its cubes: one registered function each.

Ids are the experiment and the spec's criterion number (E2.9 is criterion 9 of spec 003.md
section 8, on E2); ids with a letter suffix are claims of the paper the spec has no criterion
for (e.g. E5.20b: "the 4-layer model outperforms shallower models", N = 4 against N = 3).
Single-seed experiments (E1, E1b, E3, E4, E8, E9, balancedness) use the first configured seed;
the others must hold for every seed. Thresholds are the paper's where it states one, else the
spec's; the few that depend on the quick scale's step size come from the config's
``acceptance`` block (config/blessing_of_depth.yaml says why).

Claims of theorems that no figure draws are filed under the figure that illustrates the theorem:
Thms. 1 and 4 (flatness, E1b, LAD) and Thms. 2-3 (balancedness, time scales, Lemma 5) under
Figure 1, the paper's motivating example of all four.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...claims import Context, NotApplicable, Outcome, claim
from . import KEY
from .cifar import PAPER_TABLE

FIG1, FIG2, FIG3, FIG4 = ("Figure 1",), ("Figure 2",), ("Figure 3",), ("Figure 4",)
ROUNDOFF = 1e-9  # a loss change smaller than this is float round-off, not a descent


# ------------------------------------------------------------------------------------ helpers
def _first_seed(cube: xr.Dataset) -> xr.Dataset:
    return cube.isel(seed=0)


def _final(cube: xr.Dataset, name: str = "err") -> xr.DataArray:
    """Each run's value at its last logged (finite) step."""
    da = cube[name]

    def last(v):
        ok = np.flatnonzero(np.isfinite(v))
        return v[ok[-1]] if ok.size else np.nan

    return xr.apply_ufunc(last, da, input_core_dims=[["t"]], vectorize=True)


def _slope(x, y) -> float:
    x, y = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(x[ok], y[ok], 1)[0])


def _seeds(cube: xr.Dataset) -> list[int]:
    return [int(s) for s in cube["seed"].values]


def _depths(cube: xr.Dataset, name: str = "N") -> list[int]:
    return [int(n) for n in cube[name].values]


def _need(cube: xr.Dataset, depths, what: str) -> None:
    missing = [N for N in depths if N not in _depths(cube)]
    if missing:
        raise NotApplicable(f"needs N = {list(depths)} in {what}")


def _acc(ctx: Context, key: str) -> float:
    return float(ctx.settings["acceptance"][key])


def _values(da: xr.DataArray) -> list:
    return np.asarray(da.values).tolist()


# ------------------------------------------------------------------------- Figure 1, top (E1)
def _land(ctx: Context) -> xr.Dataset:
    return _first_seed(ctx.cube("landscape"))


def _along(c: xr.Dataset, N: int, a: float = 0.0, b: float = 0.0) -> float:
    return float(c["loss_change"].sel(N=N).sel(a=a, b=b, method="nearest"))


@claim(
    KEY,
    "E1.1",
    figures=FIG1,
    statement="N=1: w* is not stationary (||g_min|| in [0.15, 0.45]) and the loss drops along d: "
    "L(w*+a d)-L* <= -0.02 at a = radius, grid min <= -0.02, linear in a "
    "(|D(a) - 2 D(a/2)| <= 0.1 |D(a)|)",
    source='Sec. 1.1, Fig. 1 (first row): "for the 1-layer model, the true solution has strictly '
    'negative directions along both sub-gradient and negative curvature"',
    expected="[0.15, 0.45]; <= -0.02; <= -0.02; <= 0.1",
    tolerance_source="spec: section 8, criterion 1",
)
def e1_n1_descends_along_d(ctx: Context) -> Outcome:
    c = _land(ctx)
    _need(c, (1,), "landscape.N")
    a = float(c["a"].max())
    g = float(c["g_min_norm"].sel(N=1))
    d1, d_half = _along(c, 1, a=a), _along(c, 1, a=a / 2)
    gmin = float(c["loss_change"].sel(N=1).min())
    ok = (
        0.15 <= g <= 0.45
        and d1 <= -0.02
        and gmin <= -0.02
        and abs(d1 - 2 * d_half) <= 0.1 * abs(d1)
    )
    return Outcome({"g_min": g, "D(a)": d1, "D(a/2)": d_half, "grid min": gmin}, ok)


@claim(
    KEY,
    "E1.5",
    figures=FIG1,
    statement="N=1: the loss also drops along the negative-curvature direction h: "
    "min_b L(w* + b h) - L* < 0 (beyond round-off 1e-9)",
    source='Sec. 1.1, Fig. 1 (first row): "for the 1-layer model, the true solution has strictly '
    'negative directions along both sub-gradient and negative curvature"',
    expected="< -1e-9",
    tolerance_source="exact: strict descent; 1e-9 is float round-off of a mean of 300 terms",
)
def e1_n1_descends_along_h(ctx: Context) -> Outcome:
    c = _land(ctx)
    _need(c, (1,), "landscape.N")
    along_h = c["loss_change"].sel(N=1).sel(a=0.0, method="nearest")
    i = int(np.argmin(along_h.values))
    low = float(along_h.values[i])
    return Outcome({"min_b D(0, b)": low, "at b": float(along_h["b"][i])}, low < -ROUNDOFF)


@claim(
    KEY,
    "E1.2",
    figures=FIG1,
    statement="N=2,3: w* is Clarke-stationary (||g_min|| <= 1e-8) and the grid min of "
    "L - L* is >= -0.01 |grid min(N=1)|",
    source='Sec. 1.1, Fig. 1 (first row): "these descent directions almost disappear in 2- and '
    '3-layer models"',
    expected="<= 1e-8; >= -0.01 x |N=1 min|",
    tolerance_source="spec: section 8, criterion 2",
)
def e1_descent_disappears(ctx: Context) -> Outcome:
    c = _land(ctx)
    _need(c, (1, 2, 3), "landscape.N")
    g = [float(c["g_min_norm"].sel(N=N)) for N in (2, 3)]
    mins = [float(c["loss_change"].sel(N=N).min()) for N in (2, 3)]
    m1 = float(c["loss_change"].sel(N=1).min())
    ok = max(g) <= 1e-8 and min(mins) >= -0.01 * abs(m1)
    return Outcome({"g_min": g, "grid min": mins, "N=1 grid min": m1}, ok)


@claim(
    KEY,
    "E1.3",
    figures=FIG1,
    statement="N=3 is flatter than N=2 along d: |D_3(a)| <= 0.05 |D_2(a)| at a = radius",
    source='Sec. 3.3, Thm. 4: "the most descent direction from w* can reduce the loss by at most '
    'O(d/sqrt(m) gamma^N), which decreases exponentially with N"',
    expected="|D_3| <= 0.05 |D_2|",
    tolerance_source="spec: section 8, criterion 3",
)
def e1_deeper_is_flatter(ctx: Context) -> Outcome:
    c = _land(ctx)
    _need(c, (2, 3), "landscape.N")
    a = float(c["a"].max())
    d2, d3 = _along(c, 2, a=a), _along(c, 3, a=a)
    return Outcome({"N=2": d2, "N=3": d3}, abs(d3) <= 0.05 * abs(d2))


# ------------------------------------------------------------- Thms. 1 and 4 by LP (E1b)
def _dec(ctx: Context) -> xr.Dataset:
    return _first_seed(ctx.cube("decrease"))


def _band(gamma, lo, hi):
    return (gamma >= lo * 0.999) & (gamma <= hi * 1.001)


@claim(
    KEY,
    "E1b.5",
    figures=FIG1,
    statement="worst-case l_inf decrease D_N(gamma) scales as gamma^N: log-log slope of D_1 over "
    "gamma in [1e-3, 3e-2] in [0.9, 1.1], of D_2 over [1e-2, 0.1] in [1.9, 2.1]; direct LPs "
    "D_off(tau) = c_off tau to 1% where D >= 1e-6",
    source='Thm. 1 ("L(w) - L(w*) <~ -p0 p gamma") and Thm. 4 ("inf {L(w*) - L(w)} >~ '
    '-(d/sqrt(m)) gamma^N")',
    expected="[0.9, 1.1]; [1.9, 2.1]; <= 0.01",
    tolerance_source="spec: section 8, criterion 5 (tau0 = 1e-4, calibration: seed 3, "
    "config decrease.tau0)",
)
def e1b_slopes(ctx: Context) -> Outcome:
    c = _dec(ctx)
    _need(c, (1, 2), "decrease.N")
    gamma = c["gamma"].values
    sel1, sel2 = _band(gamma, 1e-3, 3e-2), _band(gamma, 1e-2, 0.1)
    if sel1.sum() < 2 or sel2.sum() < 2:
        raise NotApplicable("needs two gamma in [1e-3, 3e-2] and in [1e-2, 0.1]")
    s1 = _slope(gamma[sel1], c["D"].sel(N=1).values[sel1])
    s2 = _slope(gamma[sel2], c["D"].sel(N=2).values[sel2])
    direct, tau = c["D_off_direct"].values, c["tau"].values
    use = direct >= 1e-6
    rel = np.abs(direct[use] / (float(c["c_off"]) * tau[use]) - 1.0)
    worst = float(rel.max()) if rel.size else float("nan")
    ok = 0.9 <= s1 <= 1.1 and 1.9 <= s2 <= 2.1 and rel.size > 0 and worst <= 0.01
    return Outcome({"slope D_1": s1, "slope D_2": s2, "max rel. dev. of c_off tau": worst}, ok)


@claim(
    KEY,
    "E1b.6",
    figures=FIG1,
    statement="at gamma = 0.1 the worst-case decrease shrinks with depth: D_1 >= 5 D_2 and "
    "D_2 >= 5 D_3",
    source='Sec. 1.1: "the steepest descent direction can reduce the loss by at most O(gamma^N), '
    'which decreases exponentially with N" (Thm. 4)',
    expected="ratios >= 5",
    tolerance_source="spec: section 8, criterion 6",
)
def e1b_depth_order(ctx: Context) -> Outcome:
    c = _dec(ctx)
    _need(c, (1, 2, 3), "decrease.N")
    if not np.any(np.isclose(c["gamma"].values, 0.1)):
        raise NotApplicable("needs gamma = 0.1")
    D = [float(c["D"].sel(N=N, gamma=0.1, method="nearest")) for N in (1, 2, 3)]
    return Outcome(D, D[0] >= 5 * D[1] and D[1] >= 5 * D[2])


@claim(
    KEY,
    "E1b.7",
    figures=FIG1,
    statement="over-parameterized (m < d): theta* has a strict descent direction in every "
    "l_inf ball, D_1(gamma) > 0 for every gamma, and D_1(1e-2)/1e-2 >= 0.1 (= p, p0 ~ 1)",
    source='Thm. 1 (over-parameterized regime): "inf_{||w - w*||_inf <= gamma} {L(w) - L(w*)} '
    '<~ -p0 p gamma"',
    expected="> 0; >= 0.1",
    tolerance_source="spec: section 8, criterion 7",
)
def e1b_theorem1(ctx: Context) -> Outcome:
    c = _dec(ctx)
    _need(c, (1,), "decrease.N")
    if not np.any(np.isclose(c["gamma"].values, 1e-2)):
        raise NotApplicable("needs gamma = 1e-2")
    D1 = c["D"].sel(N=1).values
    c1 = float(c["D"].sel(N=1, gamma=1e-2, method="nearest")) / 1e-2
    return Outcome({"min D_1": float(D1.min()), "D_1(1e-2)/1e-2": c1}, D1.min() > 0 and c1 >= 0.1)


# ---------------------------------------------------------------------- Figure 1, bottom (E2)
def _const(ctx: Context) -> xr.Dataset:
    cube = ctx.cube("constant")
    _need(cube, (1, 2, 3), "constant.N")
    return cube


@claim(
    KEY,
    "E2.8",
    figures=FIG1,
    statement="N=1 overfits: min_t err >= 0.5 ||theta*||, err(T) >= ||theta*||, "
    "L(T) <= 0.05 L*, every seed",
    source='Sec. 1.1, Fig. 1 (second row): "a 1-layer model easily overfits to noise, leading to '
    'a vacuous generalization error"',
    expected=">= 0.5; >= 1; <= 0.05",
    tolerance_source="spec: section 8, criterion 8",
)
def e2_one_layer_overfits(ctx: Context) -> Outcome:
    cube = _const(ctx)
    norm, L_star = cube["theta_norm"], cube["L_star"]
    n1 = cube["err_min"].sel(N=1) / norm
    fin = _final(cube).sel(N=1) / norm
    loss = _final(cube, "train_loss").sel(N=1) / L_star
    ok = bool((n1 >= 0.5).all() and (fin >= 1).all() and (loss <= 0.05).all())
    return Outcome(
        {"min err/||theta*||": _values(n1), "err(T)/||theta*||": _values(fin),
         "L(T)/L*": _values(loss)}, ok)  # fmt: skip


@claim(
    KEY,
    "E2.9",
    figures=FIG1,
    statement="N=2 converges, then escapes to an overfitted solution: min_t err <= 0.05, "
    "err(T) >= 4 min_t err, L(T) <= L* - 0.003, every seed",
    source='Sec. 3.2 (Thm. 2, "see Figure 1e"): "After this escape time, the algorithm may '
    'slowly converge to an overfitted solution with a better training loss"',
    expected="<= 0.05; >= 4; <= -0.003",
    tolerance_source="spec: section 8, criterion 9",
)
def e2_two_layer_escapes(ctx: Context) -> Outcome:
    cube = _const(ctx)
    e2 = cube["err_min"].sel(N=2)
    ratio = _final(cube).sel(N=2) / e2
    gap = _final(cube, "train_loss").sel(N=2) - cube["L_star"]
    ok = bool((e2 <= 0.05).all() and (ratio >= 4).all() and (gap <= -0.003).all())
    return Outcome({"min err": _values(e2), "err(T)/min": _values(ratio), "L(T)-L*": _values(gap)},
                   ok)  # fmt: skip


@claim(
    KEY,
    "E2.10",
    figures=FIG1,
    statement="N=3 generalizes better than N=2 and stays near theta*: min_t err <= 0.035 and "
    "< N=2's, err(T) <= 2.5 min_t err, |L(T) - L*| <= 0.005, every seed",
    source='Sec. 3.2: "Figures 1e and 1f show that 3-layer model enjoys a better generalization '
    "error compared to 2-layer model ... for deeper models, SubGM stays close to the ground truth "
    'for a longer time"',
    expected="<= 0.035; < N=2; <= 2.5; <= 0.005",
    tolerance_source="spec: section 8, criterion 10",
)
def e2_three_layer_better(ctx: Context) -> Outcome:
    cube = _const(ctx)
    e2, e3 = cube["err_min"].sel(N=2), cube["err_min"].sel(N=3)
    ratio = _final(cube).sel(N=3) / e3
    gap = abs(_final(cube, "train_loss").sel(N=3) - cube["L_star"])
    ok = bool((e3 <= 0.035).all() and (e3 < e2).all() and (ratio <= 2.5).all())
    ok &= bool((gap <= 0.005).all())
    return Outcome(
        {"min err": _values(e3), "N=2 min err": _values(e2), "err(T)/min": _values(ratio),
         "|L(T)-L*|": _values(gap)}, ok)  # fmt: skip


@claim(
    KEY,
    "E2.11",
    figures=FIG1,
    statement="depth slows training: t_min(N=3) > t_min(N=2) > t_floor, and the first t with "
    "err < ||theta*||/2 is later for N=3, every seed",
    source='Sec. 3.2: "3-layer model enjoys a better generalization error compared to 2-layer '
    'model, but suffers from a slower convergence rate" (Figs. 1e, 1f)',
    expected="t_min N=3 > N=2 > t_floor; onset N=3 > N=2",
    tolerance_source="spec: section 8, criterion 11 (t_floor = 2e3 at eta = 2e-3, scaled by "
    "1/eta: config acceptance.t_min_N2_min)",
)
def e2_depth_slows(ctx: Context) -> Outcome:
    cube = _const(ctx)
    floor = int(_acc(ctx, "t_min_N2_min"))
    t2, t3 = cube["t_min"].sel(N=2), cube["t_min"].sel(N=3)
    o2, o3 = cube["t_onset"].sel(N=2), cube["t_onset"].sel(N=3)
    ok = bool((t3 > t2).all() and (t2 > floor).all() and (o2 > 0).all() and (o3 > o2).all())
    return Outcome(
        {"t_min N=2": _values(t2), "t_min N=3": _values(t3), "onset N=2": _values(o2),
         "onset N=3": _values(o3)}, ok,
        expected=f"t_min N=3 > N=2 > {floor}; onset N=3 > N=2")  # fmt: skip


@claim(
    KEY,
    "E2.12",
    figures=FIG1,
    statement="full run (eta = 1e-3, T = 1e6): err(T) >= 1.0 for N=2 and <= 0.1 for N=3",
    source='Sec. 3.2: "for deeper models, SubGM stays close to the ground truth for a longer '
    'time" (Figs. 1e, 1f)',
    expected=">= 1.0; <= 0.1",
    tolerance_source="spec: section 8, criterion 12",
)
def e2_full_escape(ctx: Context) -> Outcome:
    cube = _const(ctx)
    T, eta = int(cube["t"].max()), float(cube.attrs.get("eta", np.nan))
    if ctx.settings["scale"] != "paper" or T < 1_000_000 or not np.isclose(eta, 1e-3):
        raise NotApplicable(f"paper scale only (here eta = {eta:g}, T = {T:g})")
    err_T = _final(cube)
    ok = bool((err_T.sel(N=2) >= 1.0).all() and (err_T.sel(N=3) <= 0.1).all())
    return Outcome({"N=2": _values(err_T.sel(N=2)), "N=3": _values(err_T.sel(N=3))}, ok)


# ------------------------------------------------------------- Thms. 2-3: balance, time scales
def _bal(ctx: Context) -> tuple[xr.Dataset, float]:
    cube = ctx.cube("balance")
    return _first_seed(cube), float(cube.attrs.get("alpha", 1e-3))


@claim(
    KEY,
    "B.29",
    figures=FIG1,
    statement="balanced solution from a perturbed (variant B) init: on-support imbalance at T "
    "<= 0.02 min_i theta*_i^(1/N), each N",
    source='Sec. 3.2 (Thms. 2-3): "SubGM converges to a particular solution of the form '
    '(theta*^(1/N), ..., theta*^(1/N))"',
    expected="<= bound",
    tolerance_source="spec: section 8, criterion 29",
)
def balance_on_support(ctx: Context) -> Outcome:
    c, _ = _bal(ctx)
    on, bound = [], []
    for N in _depths(c):
        run = c.sel(N=N)
        on.append(float(_final(run, "imbalance_support")))
        bound.append(0.02 * float(run["theta_min"]) ** (1.0 / N))
    return Outcome({"N": _depths(c), "imbalance": on, "bound": bound},
                   all(a <= b for a, b in zip(on, bound, strict=True)))  # fmt: skip


@claim(
    KEY,
    "B.30",
    figures=FIG1,
    statement="off-support imbalance at t_min <= 10 alpha^(1/N), each N (nearest logged step)",
    source='Thm. 3 (balanced property): "|w_il - w_jl| = O(alpha^(1/N)) for theta*_l = 0"',
    expected="<= bound",
    tolerance_source="spec: section 8, criterion 30 (the O() constant is 10)",
)
def balance_off_support(ctx: Context) -> Outcome:
    c, alpha = _bal(ctx)
    off, bound = [], []
    for N in _depths(c):
        run = c.sel(N=N)
        t_min = int(run["t_min"])
        off.append(float(run["imbalance_offsupport"].dropna("t").sel(t=t_min, method="nearest")))
        bound.append(10 * alpha ** (1.0 / N))
    return Outcome({"N": _depths(c), "imbalance": off, "bound": bound},
                   all(a <= b for a, b in zip(off, bound, strict=True)))  # fmt: skip


@claim(
    KEY,
    "E9.1",
    figures=FIG1,
    statement="Thms. 2-3 time scales: onset N eta / (log(1/alpha) for N = 2, alpha^(-(N-2)/N) "
    "for N >= 3) varies by less than a factor spread across alpha, each N",
    source='Thm. 2 ("(1/eta) log(1/alpha) <~ T <~ (k^1.5/eta) log(1/alpha)") and Thm. 3 '
    '("(1/(N eta)) alpha^(-(N-2)/N) <~ T")',
    expected="max/min < spread",
    tolerance_source="spec: section 9, E9 acceptance (config acceptance.onset_ratio_spread)",
)
def e9_time_scales(ctx: Context) -> Outcome:
    c = _first_seed(ctx.cube("timescales"))
    lim = _acc(ctx, "onset_ratio_spread")
    spread = {}
    for N in _depths(c):
        r = c["onset_ratio"].sel(N=N).values
        spread[f"N={N}"] = float(np.max(r) / np.min(r)) if np.all(np.isfinite(r)) else np.nan
    ok = all(np.isfinite(v) and v < lim for v in spread.values())
    return Outcome(spread, ok, expected=f"max/min < {lim:g}")


@claim(
    KEY,
    "E9.2",
    figures=FIG1,
    statement="N=2: the onset time is affine in log(1/alpha) (R^2 of the linear fit)",
    source='Thm. 2 (convergence guarantee): "(1/eta) log(1/alpha) <~ T <~ (k^1.5/eta) '
    'log(1/alpha)"',
    expected=">= R^2 min",
    tolerance_source="spec: section 9, E9 acceptance (config acceptance.onset_r2_min)",
)
def e9_two_layer_log(ctx: Context) -> Outcome:
    c = _first_seed(ctx.cube("timescales"))
    _need(c, (2,), "timescales.N")
    lo = _acc(ctx, "onset_r2_min")
    x = np.log(1.0 / c["alpha"].values)
    y = c["t_onset"].sel(N=2).values
    if not np.all(np.isfinite(y)):
        return Outcome(y.tolist(), False, expected="every onset reached")
    coef = np.polyfit(x, y, 1)
    fit = np.polyval(coef, x)
    r2 = 1.0 - np.sum((y - fit) ** 2) / np.sum((y - y.mean()) ** 2)
    return Outcome({"R^2": r2, "steps per decade": float(coef[0] * np.log(10))}, r2 >= lo,
                   expected=f">= {lo:g}")  # fmt: skip


# ------------------------------------------------------------------- Thm. 1 and Lemma 5 (E8)
def _lad(ctx: Context) -> xr.Dataset:
    return _first_seed(ctx.cube("lad"))


@claim(
    KEY,
    "E8.26",
    figures=FIG1,
    statement="under-parameterized LAD recovers theta*: ||theta_LAD - theta*|| <= 1e-6 and "
    "L(theta*) - min L <= 1e-9 (m >~ d)",
    source='Thm. 1 (under-parameterized regime): "inf_{w* in W} inf_w {L(w) - L(w*)} >= 0" and '
    'Sec. 3.1: "As soon as m >~ d, all true solutions become global"',
    expected="<= 1e-6; <= 1e-9",
    tolerance_source="spec: section 8, criterion 26 (1e-9 = HiGHS precision, spec 11.12)",
)
def e8_under_parameterized(ctx: Context) -> Outcome:
    c = _lad(ctx)
    ok = bool((c["under_err"] <= 1e-6).all() and (c["under_gap"] <= 1e-9).all())
    return Outcome(
        {"cases": [str(v) for v in c["case"].values], "err": _values(c["under_err"]),
         "gap": _values(c["under_gap"])}, ok)  # fmt: skip


@claim(
    KEY,
    "E8.27",
    figures=FIG1,
    statement="over-parameterized (the Fig. 1 data): the global minimizer of the 1-layer l1 "
    "loss interpolates and is far from theta*: ||theta_LAD - theta*|| >= ||theta*||, min L <= 1e-9",
    source='Sec. 3.1: "despite their convexity, 1-layer models are not suitable for the robust '
    'linear regression since the set of true solutions ... is unidentifiable" (Thm. 1)',
    expected=">= ||theta*||; <= 1e-9",
    tolerance_source="spec: section 8, criterion 27",
)
def e8_over_parameterized(ctx: Context) -> Outcome:
    c = _lad(ctx)
    err, norm, loss = float(c["over_err"]), float(c["theta_norm"]), float(c["over_loss"])
    return Outcome({"err": err, "||theta*||": norm, "loss": loss}, err >= norm and loss <= 1e-9)


@claim(
    KEY,
    "E8.28",
    figures=FIG1,
    statement="Lemma 5: the sub-gradient keeps the direction of z, "
    "|<q, z/||z||> - phi(||z||)| <= 0.1 at each tested ||z||",
    source='Lemma 5 / Prop. 1 (App. E, G.1): "E[Sign(<x,u> + eps)<x,v>] = phi(u) <u/||u||, v>"',
    expected="|diff| <= 0.1",
    tolerance_source="spec: section 8, criterion 28",
)
def e8_lemma5(ctx: Context) -> Outcome:
    c = _lad(ctx)
    dev = np.abs(c["projection"] - c["phi"])
    return Outcome(
        {"||z||": _values(c["norm"]), "<q, z/||z||>": _values(c["projection"]),
         "phi": _values(c["phi"])}, bool((dev <= 0.1).all()))  # fmt: skip


# -------------------------------------------------------------------------- Figure 2 (E5, E6)
def _mat(ctx: Context) -> xr.Dataset:
    cube = ctx.cube("matrix")
    _need(cube, (2, 3, 4), "matrix.N")
    return cube


@claim(
    KEY,
    "E5.20",
    figures=FIG2,
    statement="deep matrix recovery, every seed: min over N in {3,4} of min_t err_rel <= 0.25 x "
    "N=2's, and N=4's <= 0.5 x N=2's",
    source='Sec. 5, Fig. 2 (first row): "the 4-layer model outperforms shallower models"',
    expected="<= 0.25; <= 0.5",
    tolerance_source="spec: section 8, criterion 20",
)
def e5_depth_beats_two(ctx: Context) -> Outcome:
    rel = _mat(ctx)["err_rel_min"]
    r2, r3, r4 = rel.sel(N=2), rel.sel(N=3), rel.sel(N=4)
    ok = bool((np.minimum(r3, r4) <= 0.25 * r2).all() and (r4 <= 0.5 * r2).all())
    return Outcome({"N=2": _values(r2), "N=3": _values(r3), "N=4": _values(r4)}, ok)


@claim(
    KEY,
    "E5.20b",
    figures=FIG2,
    statement="deep matrix recovery, every seed: the 4-layer model also beats the 3-layer one, "
    "min_t err_rel(N=4) < min_t err_rel(N=3)",
    source='Sec. 5, Fig. 2 (first row): "the 4-layer model outperforms shallower models"',
    expected="N=4 < N=3",
    tolerance_source="exact: ordering (the spec's pilot found it seed-dependent, spec 11.10)",
)
def e5_four_beats_three(ctx: Context) -> Outcome:
    rel = _mat(ctx)["err_rel_min"]
    r3, r4 = rel.sel(N=3), rel.sel(N=4)
    return Outcome({"N=3": _values(r3), "N=4": _values(r4)}, bool((r4 < r3).all()))


@claim(
    KEY,
    "E5.21",
    figures=FIG2,
    statement="median over seeds of min_t err_rel: N=4 small (<= 0.05), N=2 large (>= 0.15)",
    source='Sec. 5, Fig. 2 (first row): "the 4-layer model outperforms shallower models, '
    'achieving a generalization error that is proportional to the step-size"',
    expected="N=4 <= 0.05; N=2 >= 0.15",
    tolerance_source="spec: section 8, criterion 21 (config acceptance.matrix_N4_median_max, "
    "matrix_N2_median_min)",
)
def e5_levels(ctx: Context) -> Outcome:
    rel = _mat(ctx)["err_rel_min"]
    hi, lo = _acc(ctx, "matrix_N4_median_max"), _acc(ctx, "matrix_N2_median_min")
    m4, m2 = float(np.median(rel.sel(N=4))), float(np.median(rel.sel(N=2)))
    return Outcome({"N=4": m4, "N=2": m2}, m4 <= hi and m2 >= lo,
                   expected=f"N=4 <= {hi:g}; N=2 >= {lo:g}")  # fmt: skip


@claim(
    KEY,
    "E5.22",
    figures=FIG2,
    statement="(soft) deeper factorizations train more slowly: N=2 reaches its minimum before "
    "N=4 in >= 2/3 of the seeds",
    source='Sec. 3.2: "such improvement comes at the expense of a slower convergence rate" '
    "(Thm. 3), carried to Fig. 2 by Sec. 5",
    expected=">= 2/3",
    tolerance_source="spec: section 8, criterion 22",
)
def e5_depth_slows(ctx: Context) -> Outcome:
    cube = _mat(ctx)
    t2, t4 = cube["t_min"].sel(N=2).values, cube["t_min"].sel(N=4).values
    frac = float(np.mean(t2 < t4))
    return Outcome({"t_min N=2": t2.tolist(), "t_min N=4": t4.tolist(), "fraction": frac},
                   frac >= 2 / 3 - 1e-9)  # fmt: skip


def _relu(ctx: Context) -> xr.Dataset:
    cube = ctx.cube("relu")
    _need(cube, (2, 3, 4), "relu.N")
    return cube


def _onset(mse: xr.DataArray) -> float:
    """First logged t with test MSE < 0.9 x its initial value (NaN if never)."""
    v = mse.values
    hit = np.flatnonzero(v < 0.9 * v[0])
    return float(mse["t"].values[hit[0]]) if hit.size else float("nan")


@claim(
    KEY,
    "E6.23",
    figures=FIG2,
    statement="deep ReLU nets: the onset (first t with test MSE < 0.9 x initial) is later for "
    "deeper nets, N=2 < N=3 < N=4, every seed",
    source='Sec. 3.2: "deeper models take longer to train" (Thm. 3), carried to ReLU nets by '
    'Sec. 5: "the desirable optimization landscape of deeper models extends to ... deep ReLU '
    'networks" (Abstract, Fig. 2)',
    expected="increasing in N",
    tolerance_source="spec: section 8, criterion 23",
)
def e6_onset_order(ctx: Context) -> Outcome:
    cube = _relu(ctx)
    onsets = {
        s: [_onset(cube["test_mse"].sel(N=N, seed=s)) for N in (2, 3, 4)] for s in _seeds(cube)
    }
    ok = all(np.all(np.isfinite(v)) and v[0] < v[1] < v[2] for v in onsets.values())
    return Outcome({f"seed {s}": v for s, v in onsets.items()}, ok)


@claim(
    KEY,
    "E6.24",
    figures=FIG2,
    statement="deep ReLU nets at T: test MSE(N=4) <= 0.8 min_t test MSE(N=2) and test "
    "MSE(N=3) <= min_t test MSE(N=2), every seed",
    source='Sec. 5, Fig. 2 (second row): "SubGM can achieve this model-mismatch error on a '
    '4-layer ReLU model with only 1500 samples, even if 5% of the measurements are corrupted"',
    expected="<= 0.8 x; <= 1 x",
    tolerance_source="spec: section 8, criterion 24",
)
def e6_depth_beats_two(ctx: Context) -> Outcome:
    cube = _relu(ctx)
    final = _final(cube, "test_mse")
    min2 = cube["test_mse"].sel(N=2).min("t")
    f4, f3 = final.sel(N=4), final.sel(N=3)
    ok = bool((f4 <= 0.8 * min2).all() and (f3 <= min2).all())
    return Outcome({"N=4 (T)": _values(f4), "N=3 (T)": _values(f3), "N=2 min": _values(min2)}, ok)


@claim(
    KEY,
    "E6.25",
    figures=FIG2,
    statement="min_t test MSE(N=4) <= 1.5 x the clean-label reference (model-mismatch line)",
    source='Sec. 5, Fig. 2 (second row): "SubGM can achieve this model-mismatch error on a '
    '4-layer ReLU model"',
    expected="<= 1.5 x",
    tolerance_source="spec: section 8, criterion 25",
)
def e6_mismatch(ctx: Context) -> Outcome:
    cube = _relu(ctx)
    if "test_mse_clean" not in cube or not np.isfinite(cube["test_mse_clean"].sel(N=4)).any():
        raise NotApplicable("the clean-label run is paper scale only (relu.clean_reference)")
    m4 = cube["test_mse"].sel(N=4).min("t")
    ref = cube["test_mse_clean"].sel(N=4).min("t")
    return Outcome(
        {"N=4 min": _values(m4), "clean ref": _values(ref)}, bool((m4 <= 1.5 * ref).all())
    )


# ------------------------------------------------------------------------------ Figure 3 (E3)
def _decay(ctx: Context) -> xr.Dataset:
    return _first_seed(ctx.cube("decay"))


@claim(
    KEY,
    "E3.13",
    figures=FIG3,
    statement="N = 4, 5, 6 with step decay: min_t err <= 0.03 each, max/min of the final "
    "errors <= 1.3",
    source='App. B.1, Fig. 3: "deeper models share similar generalization error"',
    expected="<= 0.03; <= 1.3",
    tolerance_source="spec: section 8, criterion 13",
)
def e3_similar(ctx: Context) -> Outcome:
    c = _decay(ctx)
    err_T = _final(c)
    ratio = float(err_T.max() / err_T.min())
    ok = bool((c["err_min"] <= 0.03).all()) and ratio <= 1.3
    return Outcome({"N": _depths(c), "min err": _values(c["err_min"]), "final max/min": ratio}, ok)


@claim(
    KEY,
    "E3.14",
    figures=FIG3,
    statement="onset (first t with err < ||theta*||/2) non-decreasing in N = 4, 5, 6",
    source='Sec. 3.2: "the convergence rate deteriorates with N" (Thm. 3: T >~ '
    "alpha^(-(N-2)/N)/(N eta))",
    expected="non-decreasing, all > 0",
    tolerance_source="exact: ordering",
)
def e3_onset_order(ctx: Context) -> Outcome:
    onset = _decay(ctx)["t_onset"].values
    return Outcome(onset.tolist(), bool(np.all(onset > 0) and np.all(np.diff(onset) >= 0)))


def _decay_vs_constant(ctx: Context):
    c = _decay(ctx)
    const = ctx.cube("constant")
    seed = int(c["seed"])
    if seed not in _seeds(const) or not {1, 2} <= set(_depths(const)):
        raise NotApplicable(f"E2 has no N = 1, 2 runs for seed {seed}")
    return c, const.sel(seed=seed)


@claim(
    KEY,
    "E3.15",
    figures=FIG3,
    statement="N = 4, 5, 6 outperform the 1-layer model and the late 2-layer model of Fig. 1: "
    "final err <= 0.05, <= 0.05 x (E2 N=1 min err) and < E2 N=2 err(T), same seed",
    source='App. B.1, Fig. 3: "deeper models share similar generalization error, outperforming '
    '1- and 2-layer models presented in Figure 1"',
    expected="<= 0.05; <= 0.05 x N=1 min; < N=2 err(T)",
    tolerance_source="spec: section 8, criterion 15",
)
def e3_beats_shallow(ctx: Context) -> Outcome:
    c, const = _decay_vs_constant(ctx)
    err_T = _final(c)
    e1 = float(const["err_min"].sel(N=1))
    late2 = float(_final(const).sel(N=2))
    ok = bool((err_T <= 0.05).all() and (err_T <= 0.05 * e1).all() and (err_T < late2).all())
    return Outcome({"final err": _values(err_T), "E2 N=1 min": e1, "E2 N=2 err(T)": late2}, ok)


@claim(
    KEY,
    "E3.15b",
    figures=FIG3,
    statement="N = 4, 5, 6 also beat the best error the 2-layer model of Fig. 1 ever reaches: "
    "final err < E2 N=2 min_t err, same seed",
    source='App. B.1, Fig. 3: "deeper models share similar generalization error, outperforming '
    '1- and 2-layer models presented in Figure 1"',
    expected="< N=2 min err",
    tolerance_source="exact: ordering",
)
def e3_beats_best_two(ctx: Context) -> Outcome:
    c, const = _decay_vs_constant(ctx)
    err_T = _final(c)
    best2 = float(const["err_min"].sel(N=2))
    return Outcome({"final err": _values(err_T), "E2 N=2 min": best2}, bool((err_T < best2).all()))


# ------------------------------------------------------------------------------ Figure 4 (E4)
def _geo(ctx: Context) -> xr.Dataset:
    return _first_seed(ctx.cube("geometric"))


@claim(
    KEY,
    "E4.16",
    figures=FIG4,
    statement="geometric step, N=3, smallest alpha: final err <= 1e-6; ln err falls at the rate "
    "ln rho over the last half of the run (linear convergence); every constant-step N=3 run of "
    "E2 stays >= 0.015",
    source='App. B.2, Fig. 4: "a geometric step-size improves the convergence rate to linear ... '
    'achieving a generalization error in the order of 10^-6"',
    expected="<= 1e-6; |slope/ln rho - 1| <= tol; >= 0.015",
    tolerance_source="spec: section 8, criterion 16 (tol: config "
    "acceptance.geometric_slope_tol = the spec's 25%)",
)
def e4_linear_to_1e6(ctx: Context) -> Outcome:
    c = _geo(ctx)
    _need(c, (3,), "geometric.runs")
    a0 = min(float(a) for a in c["alpha"].values)
    run = c.sel(N=3, alpha=a0)
    if not np.isfinite(float(run["T"])):
        raise NotApplicable(f"no N = 3 run at alpha = {a0:g}")
    T, rho = float(run["T"]), float(run["rho"])
    t, err = run["t"].values, run["err"].values
    keep = (t >= T / 2) & (t <= T) & np.isfinite(err)
    slope = float(np.polyfit(t[keep], np.log(err[keep]), 1)[0]) if keep.sum() >= 2 else np.nan
    const = ctx.cube("constant")
    e2 = float(const["err_min"].sel(N=3).min()) if 3 in _depths(const) else np.nan
    final = float(_final(run))
    tol = _acc(ctx, "geometric_slope_tol")
    ok = final <= 1e-6 and abs(slope / np.log(rho) - 1.0) <= tol and e2 >= 0.015
    return Outcome(
        {"alpha": a0, "final err": final, "slope/ln rho": slope / np.log(rho),
         "E2 N=3 min err": e2}, ok, expected=f"<= 1e-6; within {tol:g}; >= 0.015")  # fmt: skip


@claim(
    KEY,
    "E4.17",
    figures=FIG4,
    statement="geometric step: the final err decreases as alpha decreases "
    "(0.1 -> 0.01 -> 0.001), each N",
    source='App. B: "Our goal is to verify our theoretical results and show the benefits of both '
    'small initialization and geometric step-size" (Fig. 4: alpha = 0.1, 0.01, 0.001)',
    expected="strictly decreasing",
    tolerance_source="exact: ordering",
)
def e4_small_init(ctx: Context) -> Outcome:
    c = _geo(ctx)
    err_T = _final(c)
    alphas = sorted((float(a) for a in c["alpha"].values), reverse=True)
    mono = {}
    for N in _depths(c):
        v = [float(err_T.sel(N=N, alpha=a)) for a in alphas]
        mono[f"N={N}"] = [x for x in v if np.isfinite(x)]
    ok = all(len(v) >= 2 and np.all(np.diff(v) < 0) for v in mono.values())
    return Outcome(mono, ok)


@claim(
    KEY,
    "E4.18",
    figures=FIG4,
    statement="geometric step at alpha = 1e-3 and 1e-2: final err(N=3) < final err(N=2)",
    source='App. B.2, Fig. 4: "SubGM with geometric step-size performs surprisingly well on '
    'deeper models ... This further supports the benefits of depth"',
    expected="N=3 < N=2",
    tolerance_source="exact: ordering",
)
def e4_depth(ctx: Context) -> Outcome:
    c = _geo(ctx)
    _need(c, (2, 3), "geometric.runs")
    alphas = [float(a) for a in c["alpha"].values]
    both = [a for a in (1e-3, 1e-2) if np.any(np.isclose(a, alphas))]
    if not both:
        raise NotApplicable("needs alpha = 1e-3 or 1e-2")
    err_T = _final(c)
    pairs = {
        f"alpha={a:g}": [float(err_T.sel(N=N, alpha=a, method="nearest")) for N in (3, 2)]
        for a in both
    }
    return Outcome(pairs, all(v[0] < v[1] for v in pairs.values()))


def _speedup(ctx: Context) -> tuple[float, float, float]:
    sp = ctx.cube("speedup")
    s = _first_seed(sp)
    tg = float(s["t_onset"].sel(schedule="geometric"))
    tc = float(s["t_onset"].sel(schedule="constant"))
    return tg, tc, float(sp.attrs.get("err", 0.03))


@claim(
    KEY,
    "E4.19",
    figures=FIG4,
    statement="geometric step (eta0 = 0.1, rho = 0.999) reaches err <= 0.03 at least 10x sooner "
    "than constant eta = 1e-3 (N = 3, product init alpha = 1e-3)",
    source='App. B.2, Fig. 4: "a geometric steps-size can lead to a 1000-fold reduction in the '
    'required number of iterations"',
    expected=">= 10",
    tolerance_source="spec: section 8, criterion 19 (a 10x speed-up to err 0.03; the paper's "
    "1000-fold is claim E4.19p)",
)
def e4_speedup(ctx: Context) -> Outcome:
    tg, tc, err = _speedup(ctx)
    ratio = tc / tg if tg > 0 and tc > 0 else float("nan")
    return Outcome({"target err": err, "geometric": tg, "constant": tc, "ratio": ratio},
                   tg > 0 and tc > 0 and tc >= 10 * tg)  # fmt: skip


@claim(
    KEY,
    "E4.19p",
    figures=FIG4,
    statement="the paper's 1000-fold: geometric step reaches the target err at least 1000x "
    "sooner than the constant step (same runs as E4.19)",
    source='App. B.2, Fig. 4: "a geometric steps-size can lead to a 1000-fold reduction in the '
    'required number of iterations"',
    expected=">= 1000",
    tolerance_source="paper: App. B.2, 1000-fold",
)
def e4_speedup_1000(ctx: Context) -> Outcome:
    tg, tc, err = _speedup(ctx)
    ratio = tc / tg if tg > 0 and tc > 0 else float("nan")
    return Outcome({"target err": err, "geometric": tg, "constant": tc, "ratio": ratio},
                   tg > 0 and tc > 0 and tc >= 1000 * tg)  # fmt: skip


# ------------------------------------------------------------ Table 1 (E7) and its proxy (E7p)
@claim(
    KEY,
    "E7.1",
    figures=("Table 1", "Figure 5", "Figure 6"),
    statement="ResNet-18/34/50 on CIFAR-10/100 with 10% label noise: l1 beats CE in best test "
    f"accuracy (paper: CE {PAPER_TABLE[('cifar10', 'ce')]} / {PAPER_TABLE[('cifar100', 'ce')]}, "
    f"l1 {PAPER_TABLE[('cifar10', 'l1')]} / {PAPER_TABLE[('cifar100', 'l1')]} %)",
    source='Sec. 5, Table 1: "l1-loss outperforms cross-entropy loss significantly"; App. B.3, '
    "Figs. 5-6",
    expected="l1 > CE, each ResNet and data set",
    tolerance_source="exact: ordering",
)
def e7_cifar(ctx: Context) -> Outcome:
    """Reads a ``cifar`` cube (best_test_acc over dataset x arch x loss) when one is given; the
    pipeline makes none (GPU, PyTorch and the CIFAR files are absent), so at every scale it runs
    here it is N/A and the digits proxy E7p stands in."""
    if "cifar" not in ctx.cubes:
        raise NotApplicable(
            "needs a GPU, PyTorch and the CIFAR files, which these machines lack (nothing is "
            "downloaded); the digits proxy E7p runs instead"
        )
    best = ctx.cube("cifar")["best_test_acc"]
    gap = best.sel(loss="l1") - best.sel(loss="ce")
    return Outcome({"l1 - CE": _values(gap)}, bool((gap > 0).all()))


def _digits(ctx: Context) -> tuple[xr.DataArray, xr.DataArray]:
    best = ctx.cube("digits")["best_test_acc"].mean("seed")
    return best.sel(loss="ce"), best.sel(loss="l1")


@claim(
    KEY,
    "E7p.1",
    figures=("Table 1",),
    statement="digits proxy of Table 1 (10% label noise, MLPs with 1-3 hidden layers for "
    "ResNet-18/34/50): l1 beats cross-entropy in best test accuracy (mean over seeds), each depth",
    source='Sec. 5, Table 1: "l1-loss outperforms cross-entropy loss significantly"',
    expected="l1 > CE, each depth",
    tolerance_source="exact: ordering (Table 1: l1 above CE in all six entries)",
)
def e7p_l1_beats_ce(ctx: Context) -> Outcome:
    ce, l1 = _digits(ctx)
    return Outcome({"depth": _values(ce["depth"]), "CE": _values(ce), "l1": _values(l1)},
                   bool((l1 > ce).all()))  # fmt: skip


@claim(
    KEY,
    "E7p.2",
    figures=("Table 1",),
    statement="digits proxy of Table 1: the deeper l1 model performs better, best test accuracy "
    "(mean over seeds) increasing with the number of hidden layers",
    source='Sec. 5, Table 1: "we do observe that the deeper model performs better on CIFAR-100, '
    'which aligns with our theoretical result"',
    expected="l1 increasing in depth",
    tolerance_source="exact: ordering (Table 1, CIFAR-100 l1: 73.14 < 74.86 < 76.46)",
)
def e7p_l1_depth(ctx: Context) -> Outcome:
    _, l1 = _digits(ctx)
    v = l1.values
    return Outcome({"depth": _values(l1["depth"]), "l1": v.tolist()}, bool(np.all(np.diff(v) > 0)))
