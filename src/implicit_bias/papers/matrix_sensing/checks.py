"""Claims of paper 002 (Li, Ma & Zhang 2018), one registered function per claim.

Every claim tests a statement of the paper's Appendix B (the only experiments) or of the theory
it illustrates (Sec. 3, App. A), measured from the cubes: means over the repeats (sensing draws)
unless a claim says otherwise. Tolerances are the paper's numbers where it gives any, else the
spec's (shared/papers/002.md section 9; thresholds stated for d = 100 / 200 apply to those d, and a
claim that needs a d, a step or a run the scale does not have is N/A). Two claims carry statements
of the paper that its own setting contradicts (spec section 11): they report DEVIATES.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...claims import Context, NotApplicable, Outcome, claim
from ...store import STATUS_CODES
from . import KEY

DIVERGED = STATUS_CODES["diverged"]
FIGURES = ("Figure 1", "Figure 2", "Figure 3", "Figure 4", "Figure 5")
SETUP = 'App. B: "We use step size 0.0025 and run gradient descent for 10^4 iterations"'
FIG1 = (
    'App. B, Fig. 1: "the gap between the training and test error narrows down as α decreases"; '
    '"smaller initializations enjoy better generalization performance than larger '
    'initializations"'
)
FIG2 = (
    'App. B, Fig. 2: "When α = 1.0, despite the training error decreases below 10−4, the test '
    'error remains to be on the order of 10−1"'
)
FIG3 = (
    'App. B, Fig. 3: "Figure 3 confirms that test error goes down gradually"; caption: "Test '
    "error keeps decreasing as the number of iterations goes to 10^5 ... the initial test error "
    'is approximately 1"'
)
FIG4 = (
    'App. B, Fig. 4: "Projected gradient descent (PGD) requires more samples to recover X* '
    'accurately, than gradient descent on the factorized model"'
)
FIG5 = (
    'App. B, Fig. 5: "Figure 5(a) shows that despite the training error decreases to 10−7, the '
    'test error remains large"'
)


def _mean(v: xr.DataArray) -> float:
    return float(v.mean("rep"))


# ----------------------------------------------------------------------------- shared analyses
def _sensing(ctx: Context) -> tuple[xr.Dataset, int, xr.Dataset]:
    """The Fig. 1 cube, its T (the paper's 10^4, quick 5000) and its values at T."""
    cube = ctx.cube("sensing")
    T = int(cube.attrs["T"])
    return cube, T, cube.sel(t=T)


def _ds(cube: xr.Dataset) -> list[int]:
    return [int(d) for d in cube["d"].values]


def _alpha_small(cube: xr.Dataset) -> float:
    a = float(cube["alpha"].min())
    if a > 1e-3:
        raise NotApplicable(f"the smallest alpha is {a:g} > 1e-3")
    return a


def _need_alpha_one(cube: xr.Dataset) -> None:
    if 1.0 not in cube["alpha"].values:
        raise NotApplicable("alpha = 1 is not in the sweep")


def _spec_ds(cube: xr.Dataset, table: dict[int, float]) -> list[int]:
    ds = [d for d in _ds(cube) if d in table]
    if not ds:
        raise NotApplicable(f"the spec gives this threshold for d in {sorted(table)} only")
    return ds


def _last(values: np.ndarray, t: np.ndarray) -> tuple[int, float]:
    """The last finite logged value and its step."""
    ok = np.isfinite(values)
    if not ok.any():
        raise NotApplicable("the run logged no finite value")
    i = np.flatnonzero(ok)[-1]
    return int(t[i]), float(values[i])


# ----------------------------------------------------------------------------- all figures
@claim(
    KEY,
    "L1.1",
    figures=FIGURES,
    statement="every run stays finite at the paper's step sizes (diverged runs per experiment)",
    source=SETUP + '; Fig. 5: "We initialize with U0 = Id and use step size 8×10−5"',
    expected="0 diverged runs in every experiment",
    tolerance_source="exact: a count",
)
def every_run_finite(ctx: Context) -> Outcome:
    if not ctx.cubes:
        raise NotApplicable("no cubes")
    diverged = {
        name: int((cube["status"] == DIVERGED).sum()) for name, cube in sorted(ctx.cubes.items())
    }
    return Outcome(diverged, sum(diverged.values()) == 0)


# ----------------------------------------------------------------------------- Fig. 1
TEST_SMALL_MAX = {100: 1e-2, 200: 2e-2}


@claim(
    KEY,
    "L1.2",
    figures=("Figure 1",),
    statement="large init still fits the data: train error at alpha = 1 after T steps, each d",
    source=FIG1 + "; " + FIG2,
    expected="<= 0.1",
    tolerance_source="spec: section 9.1 item 2 (train(alpha = 1) <= 0.1)",
)
def large_init_fits(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    _need_alpha_one(cube)
    train = [_mean(at["train_error"].sel(d=d, alpha=1.0)) for d in _ds(cube)]
    test = [_mean(at["test_error"].sel(d=d, alpha=1.0)) for d in _ds(cube)]
    detail = f"d = {_ds(cube)}, t = {T}; test error there {[round(v, 3) for v in test]}"
    return Outcome(train, max(train) <= 0.1, detail)


@claim(
    KEY,
    "L1.3",
    figures=("Figure 1",),
    statement="small init generalizes: test error at the smallest alpha (<= 1e-3) after T steps",
    source=FIG1,
    expected="<= 1e-2 (d=100), <= 2e-2 (d=200)",
    tolerance_source="spec: section 9.1 item 3",
)
def small_init_generalizes(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    a = _alpha_small(cube)
    ds = _spec_ds(cube, TEST_SMALL_MAX)
    test = [_mean(at["test_error"].sel(d=d, alpha=a)) for d in ds]
    ok = all(v <= TEST_SMALL_MAX[d] for v, d in zip(test, ds, strict=True))
    return Outcome(test, ok, f"alpha = {a:g}, d = {ds}, t = {T}")


@claim(
    KEY,
    "L1.4",
    figures=("Figure 1",),
    statement="the train-test gap narrows: test/train at alpha = 1 and at the smallest alpha, "
    "each d",
    source=FIG1,
    expected=">= 20 at alpha = 1; <= 3 at alpha <= 1e-3",
    tolerance_source="spec: section 9.1 item 4",
)
def gap_narrows(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    _need_alpha_one(cube)
    a = _alpha_small(cube)

    def ratio(d, alpha):
        sel = at.sel(d=d, alpha=alpha)
        return _mean(sel["test_error"]) / _mean(sel["train_error"])

    big = [ratio(d, 1.0) for d in _ds(cube)]
    small = [ratio(d, a) for d in _ds(cube)]
    return Outcome(
        {"alpha=1": big, f"alpha={a:g}": small},
        min(big) >= 20 and max(small) <= 3,
        f"d = {_ds(cube)}, t = {T}",
    )


@claim(
    KEY,
    "L1.5",
    figures=("Figure 1",),
    statement="test error decreases with alpha: max over consecutive alphas (decreasing) of "
    "test(alpha_{k+1}) / test(alpha_k), each d",
    source=FIG1,
    expected="<= 1.15",
    tolerance_source="spec: section 9.1 item 5 (15% slack for the 3-repeat mean)",
)
def test_decreases_with_alpha(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    alphas = sorted(cube["alpha"].values, reverse=True)
    if len(alphas) < 2:
        raise NotApplicable("needs two alphas")
    worst = []
    for d in _ds(cube):
        test = [_mean(at["test_error"].sel(d=d, alpha=a)) for a in alphas]
        worst.append(max(b / a for a, b in zip(test[:-1], test[1:], strict=True)))
    return Outcome(worst, max(worst) <= 1.15, f"alphas {[float(a) for a in alphas]}, t = {T}")


@claim(
    KEY,
    "L1.6",
    figures=("Figure 1",),
    statement="dynamic range: test(alpha = 1) / test(smallest alpha), each d",
    source=FIG1,
    expected=">= 100",
    tolerance_source="spec: section 9.1 item 6",
)
def dynamic_range(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    _need_alpha_one(cube)
    a = _alpha_small(cube)
    rng = [
        _mean(at["test_error"].sel(d=d, alpha=1.0)) / _mean(at["test_error"].sel(d=d, alpha=a))
        for d in _ds(cube)
    ]
    return Outcome(rng, min(rng) >= 100, f"alpha = 1 vs {a:g}, t = {T}")


@claim(
    KEY,
    "L1.7",
    figures=("Figure 1",),
    statement="the larger d lies above the smaller d: test_dmax(alpha) / test_dmin(alpha) at "
    "alpha = 1 and the smallest alpha",
    source='App. B, Fig. 1 legend: "d=100 test error", "d=200 test error" (m = 5dr, so D/m '
    "doubles from d = 100 to 200)",
    expected=">= 0.8",
    tolerance_source="spec: section 9.1 item 7",
)
def larger_d_worse(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    ds = _ds(cube)
    if len(ds) < 2:
        raise NotApplicable(f"this scale runs a single d (d = {ds[0]})")
    _need_alpha_one(cube)
    a = _alpha_small(cube)
    lo, hi = min(ds), max(ds)
    ratios = [
        _mean(at["test_error"].sel(d=hi, alpha=x)) / _mean(at["test_error"].sel(d=lo, alpha=x))
        for x in (1.0, a)
    ]
    return Outcome(ratios, min(ratios) >= 0.8, f"d = {hi} vs {lo}, t = {T}")


@claim(
    KEY,
    "L1.8",
    figures=("Figure 1",),
    statement="the iterate stays low rank at small alpha: top r eigenvalues of UU^T vs X*'s "
    "(max relative deviation) and lambda_{r+1}(UU^T) at the smallest alpha; lambda_{r+1} at "
    "alpha = 1 (every repeat)",
    source='Sec. 3: "(a) The (r + 1)-th singular value σ_{r+1}(U_t) remains small for any t ≥ 0; '
    '(b) The top r singular vectors and singular values of U_t U_t^T converge to those of X*"',
    expected="<= 0.05; <= 1e-2; >= 0.5",
    tolerance_source="spec: section 9.1 item 8",
)
def low_rank_iterate(ctx: Context) -> Outcome:
    cube, T, at = _sensing(ctx)
    _need_alpha_one(cube)
    a = _alpha_small(cube)
    r = int(cube.attrs["r"])
    dev, tail_small, tail_big = [], [], []
    for d in _ds(cube):
        lam_star = cube["Xstar_eigvals"].sel(d=d).values
        small = at["eigvals"].sel(d=d, alpha=a)
        dev.append(float(np.max(np.abs(small.values[:, :r] / lam_star - 1))))
        tail_small.append(float(small.sel(k=r + 1).max()))
        tail_big.append(float(at["eigvals"].sel(d=d, alpha=1.0, k=r + 1).min()))
    return Outcome(
        {"max rel dev": dev, f"lambda_r+1({a:g})": tail_small, "lambda_r+1(1)": tail_big},
        max(dev) <= 0.05 and max(tail_small) <= 1e-2 and min(tail_big) >= 0.5,
        f"r = {r}, t = {T}",
    )


# ----------------------------------------------------------------------------- Fig. 2
L2_SMALL_MAX = {100: 5e-3, 200: 2e-2}
L2_SEPARATION = {100: 300.0, 200: 100.0}


def _fig2(ctx: Context) -> dict:
    """The Fig. 2 runs: alpha = 1 and the smallest alpha at the largest d, to the Fig. 2 T."""

    def compute():
        cube = ctx.cube("sensing")
        d = max(_ds(cube))
        if d not in L2_SMALL_MAX:
            raise NotApplicable(f"the spec gives Fig. 2 thresholds for d = 100 or 200, not {d}")
        _need_alpha_one(cube)
        a = _alpha_small(cube)
        big, small = cube.sel(d=d, alpha=1.0), cube.sel(d=d, alpha=a)
        T2 = int(big["stop_step"].max())
        return {"d": d, "alpha": a, "big": big, "small": small, "T2": T2}

    return ctx.memo("fig2", compute)


@claim(
    KEY,
    "L2.1",
    figures=("Figure 2",),
    statement="small init: test and train error at the end of the Fig. 2 run",
    source='App. B, Fig. 2: "Further comparison between the generalization performance of large '
    'versus small initializations" (y-axis 10−4 ... 10−1)',
    expected="both <= 5e-3 (d=100), <= 2e-2 (d=200)",
    tolerance_source="spec: section 9.2 item 1",
)
def small_init_end(ctx: Context) -> Outcome:
    f = _fig2(ctx)
    at = f["small"].sel(t=f["T2"])
    test, train = _mean(at["test_error"]), _mean(at["train_error"])
    lim = L2_SMALL_MAX[f["d"]]
    detail = f"alpha = {f['alpha']:g}, d = {f['d']}, t = {f['T2']}"
    return Outcome({"test": test, "train": train}, test <= lim and train <= lim, detail)


@claim(
    KEY,
    "L2.2",
    figures=("Figure 2",),
    statement="large init fits the data: train error at alpha = 1 at the end of the Fig. 2 run",
    source=FIG2,
    expected="< 1e-4",
    tolerance_source="paper: App. B, Fig. 2 text (training error below 10−4)",
)
def large_init_train(ctx: Context) -> Outcome:
    f = _fig2(ctx)
    train = _mean(f["big"]["train_error"].sel(t=f["T2"]))
    return Outcome(train, train < 1e-4, f"d = {f['d']}, t = {f['T2']}")


@claim(
    KEY,
    "L2.3",
    figures=("Figure 2",),
    statement="separation at the end of the Fig. 2 run: test(alpha = 1) / test(smallest alpha)",
    source='App. B, Fig. 2: "Further comparison between the generalization performance of large '
    'versus small initializations"',
    expected=">= 300 (d=100), >= 100 (d=200)",
    tolerance_source="spec: section 9.2 item 3",
)
def separation(ctx: Context) -> Outcome:
    f = _fig2(ctx)
    sep = _mean(f["big"]["test_error"].sel(t=f["T2"])) / _mean(
        f["small"]["test_error"].sel(t=f["T2"])
    )
    lim = L2_SEPARATION[f["d"]]
    return Outcome(sep, sep >= lim, f"alpha = 1 vs {f['alpha']:g}, d = {f['d']}, t = {f['T2']}")


@claim(
    KEY,
    "L2.4",
    figures=("Figure 2",),
    statement="with alpha = 1 the test error stays on the order of 1e-1 (at the end of the "
    "Fig. 2 run)",
    source=FIG2,
    expected="in [10^-1.5, 10^-0.5] = [0.032, 0.32]",
    tolerance_source="paper: 'on the order of 10−1', read as within half a decade of 0.1",
    deviates="with m = 5dr < d(d+1)/2 GD from U_0 = I barely moves UU^T in the null space of the "
    "measurements, which keeps ~sqrt(1 - m/D) ||I - X*||_F: the alpha = 1 test error is ~3 "
    "(d = 100) or ~5.4 (d = 200), spec 10.2 and 11.1 (Fig. 1's own y-axis reaches 10^1)",
)
def large_init_test_order(ctx: Context) -> Outcome:
    f = _fig2(ctx)
    test = _mean(f["big"]["test_error"].sel(t=f["T2"]))
    return Outcome(test, 10**-1.5 <= test <= 10**-0.5, f"d = {f['d']}, t = {f['T2']}")


# ----------------------------------------------------------------------------- Fig. 3
L3_T = 10000  # the first experiment's horizon ("the same set of parameters")
L3_MAX = {100: 2e-2, 200: 1e-1}


@claim(
    KEY,
    "L3.2",
    figures=("Figure 3",),
    statement="from the initial test error ~1 the alpha = 0.01 run goes down to a small test "
    "error by t = 10^4, each d",
    source=FIG3,
    expected="test(10^4) <= 2e-2 (d=100), <= 1e-1 (d=200)",
    tolerance_source="spec: section 9.3 item 2",
)
def long_run_reaches_small_error(ctx: Context) -> Outcome:
    cube = ctx.cube("long")
    run = cube.sel(alpha=float(cube["alpha"].values[0]))
    T = int(run["stop_step"].max())
    if T < L3_T:
        raise NotApplicable(f"the run stops at {T} < {L3_T}")
    ds = _spec_ds(cube, L3_MAX)
    test = [_mean(run["test_error"].sel(d=d, t=L3_T)) for d in ds]
    start = [round(_mean(run["test_error"].sel(d=d, t=0)), 4) for d in ds]
    ok = all(v <= L3_MAX[d] for v, d in zip(test, ds, strict=True))
    return Outcome(test, ok, f"d = {ds}; test(0) = {start}")


@claim(
    KEY,
    "L3.3",
    figures=("Figure 3",),
    statement="test error keeps decreasing after the fit: largest ratio test(t_next)/test(t) "
    "between logged steps in [t_ref, T], and test(T)/test(t_ref), each d",
    source=FIG3,
    expected="every ratio <= 1 (no increase); test(T) < test(t_ref)",
    tolerance_source="exact: monotone non-increase on the logged grid (the paper: 'keeps "
    "decreasing'); t_ref from config acceptance.fig3_t_ref",
)
def keeps_decreasing(ctx: Context) -> Outcome:
    cube = ctx.cube("long")
    run = cube.sel(alpha=float(cube["alpha"].values[0]))
    T = int(run["stop_step"].max())
    t_ref = int(ctx.settings.get("acceptance", {}).get("fig3_t_ref", L3_T))
    if t_ref >= T:
        raise NotApplicable(f"the run stops at {T} <= t_ref = {t_ref}")
    t = run["t"].values
    window = (t >= t_ref) & (t <= T)
    step, overall = [], []
    for d in _ds(cube):
        mean = run["test_error"].sel(d=d).mean("rep").values[window]
        step.append(float(np.max(mean[1:] / mean[:-1])))
        overall.append(float(mean[-1] / mean[0]))
    return Outcome(
        {"max step ratio": step, "test(T)/test(t_ref)": overall},
        max(step) <= 1.0 and max(overall) < 1.0,
        f"t_ref = {t_ref}, T = {T}, {int(window.sum())} logged steps",
    )


# ----------------------------------------------------------------------------- Fig. 4
def _fig4(ctx: Context) -> dict:
    def compute():
        cube = ctx.cube("rank1")
        test = cube["final_test_error"].mean("rep")
        return {"cube": cube, "gd": test.sel(solver="gd"), "pgd": test.sel(solver="pgd")}

    return ctx.memo("fig4", compute)


@claim(
    KEY,
    "L4.1",
    figures=("Figure 4",),
    statement="factorized GD recovers X*: max test error over (d, m/d); max over m/d >= 20",
    source='App. B, Fig. 4: "gradient descent on the factorized model consistently recovers X* '
    'accurately"',
    expected="<= 3e-2; <= 3e-3",
    tolerance_source="spec: section 9.4 item 1",
)
def gd_recovers(ctx: Context) -> Outcome:
    f = _fig4(ctx)
    gd = f["gd"]
    vals = gd.values[np.isfinite(gd.values)]
    if not vals.size:
        raise NotApplicable("no factorized GD run")
    many = gd.where(f["cube"]["m_over_d"] >= 20).values
    many = many[np.isfinite(many)]
    top_many = float(many.max()) if many.size else float("nan")
    ok = vals.max() <= 3e-2 and (many.size == 0 or many.max() <= 3e-3)
    measured = {"all": float(vals.max())}
    if many.size:
        measured["m/d>=20"] = top_many
    return Outcome(measured, ok)


@claim(
    KEY,
    "L4.2",
    figures=("Figure 4",),
    statement="PGD does not recover X* at the smallest m/d (5d), each d",
    source=FIG4,
    expected=">= 0.5",
    tolerance_source="spec: section 9.4 item 2",
)
def pgd_fails_at_few_samples(ctx: Context) -> Outcome:
    f = _fig4(ctx)
    lo = int(f["cube"]["m_over_d"].min())
    ds = _ds(f["cube"])
    at_lo = [float(f["pgd"].sel(d=d, m_over_d=lo)) for d in ds]
    return Outcome(at_lo, all(v >= 0.5 for v in at_lo), f"m = {lo}d, d = {ds}")


@claim(
    KEY,
    "L4.3",
    figures=("Figure 4",),
    statement="PGD needs more samples: at d = 100, test(largest m/d) / test(5d)",
    source=FIG4,
    expected="<= 0.3",
    tolerance_source="spec: section 9.4 item 3",
)
def pgd_improves_with_m(ctx: Context) -> Outcome:
    f = _fig4(ctx)
    if 100 not in _ds(f["cube"]):
        raise NotApplicable("needs d = 100")
    row = f["pgd"].sel(d=100).dropna("m_over_d")
    if row.sizes["m_over_d"] < 2 or 5 not in row["m_over_d"].values:
        raise NotApplicable("needs m/d = 5 and a larger m/d at d = 100")
    ratio = float(row.isel(m_over_d=-1) / row.sel(m_over_d=5))
    return Outcome(ratio, ratio <= 0.3, f"largest m/d = {int(row['m_over_d'][-1])}")


@claim(
    KEY,
    "L4.4",
    figures=("Figure 4",),
    statement="PGD is worse for larger d: test_dmax(m/d) / test_dmin(m/d) for the m/d >= 20 run "
    "at both d",
    source='App. B, Fig. 4: "the performance of projected gradient descent gets even worse as d '
    'increases from 100 to 150"',
    expected=">= 1 (every such m/d)",
    tolerance_source="exact: an ordering",
)
def pgd_worse_with_d(ctx: Context) -> Outcome:
    f = _fig4(ctx)
    ds = _ds(f["cube"])
    if len(ds) < 2:
        raise NotApplicable("needs two values of d")
    lo, hi = min(ds), max(ds)
    pgd = f["pgd"]
    common = [
        int(k)
        for k in f["cube"]["m_over_d"].values
        if k >= 20
        and np.isfinite(pgd.sel(d=lo, m_over_d=k))
        and np.isfinite(pgd.sel(d=hi, m_over_d=k))
    ]
    if not common:
        raise NotApplicable("no m/d >= 20 is run at both the smallest and the largest d")
    ratios = [float(pgd.sel(d=hi, m_over_d=k) / pgd.sel(d=lo, m_over_d=k)) for k in common]
    return Outcome(ratios, min(ratios) >= 1, f"d = {hi} vs {lo}, m/d = {common}")


@claim(
    KEY,
    "L4.5",
    figures=("Figure 4",),
    statement="GD beats PGD: max test_GD / test_PGD over m/d <= 20, each d",
    source='App. B, Fig. 4: "We found that the performance of PGD is much worse compared to '
    'gradient descent on the factorized model"',
    expected="<= 0.1",
    tolerance_source="spec: section 9.4 item 5",
)
def gd_beats_pgd(ctx: Context) -> Outcome:
    f = _fig4(ctx)
    ratios = (f["gd"] / f["pgd"]).where(f["cube"]["m_over_d"] <= 20).values
    ratios = ratios[np.isfinite(ratios)]
    if not ratios.size:
        raise NotApplicable("no m/d <= 20 with both solvers")
    return Outcome(float(ratios.max()), ratios.max() <= 0.1)


# ----------------------------------------------------------------------------- Fig. 5
LARGE_TEST = 0.5  # "does not generalize": at least half the error of predicting X = 0
TRAIN_PAPER = 1e-7


def _large_init_outcome(train: float, test: float, detail: str) -> Outcome:
    return Outcome(
        {"train": train, "test": test}, train <= TRAIN_PAPER and test >= LARGE_TEST, detail
    )


@claim(
    KEY,
    "L5.1",
    figures=("Figure 5",),
    statement="(a) SGD from U_0 = I (Gaussian sensing matrices, spec 11.2): train error reaches "
    "1e-7 while the test error stays large (values at the end of the run)",
    source=FIG5 + '; caption: "Stochastic gradient descent, when initialized with the identity '
    'matrix, does not generalize to test data"',
    expected="train <= 1e-7 and test >= 0.5",
    tolerance_source="paper: App. B, Fig. 5 (train 10−7); spec: section 9.5 item 5 (test >= 0.5 "
    "= large)",
)
def sgd_gaussian(ctx: Context) -> Outcome:
    net = ctx.cube("network")
    if "gaussian" not in net["variant"].values:
        raise NotApplicable("variant gaussian not run")
    run = net.sel(variant="gaussian", algorithm="sgd").mean("rep")
    t_end, train = _last(run["train_error"].values, run["t"].values)
    test = float(run["test_error"].sel(t=t_end))
    return _large_init_outcome(train, test, f"{t_end} SGD steps, step 8e-5")


@claim(
    KEY,
    "L5.2",
    figures=("Figure 5",),
    statement="(b) GD from U_0 = I on the same kind of instance (the alpha = 1 run of Fig. 1, "
    "Gaussian sensing): train error below 1e-7 while the test error stays large (end of run)",
    source='App. B, Fig. 5: "Figure 5(b) shows that gradient descent also gets stuck at a point '
    'with large test error, despite the training error being less than 10−7"',
    expected="train <= 1e-7 and test >= 0.5",
    tolerance_source="paper: App. B, Fig. 5 (train 10−7); spec: section 9.5 item 5 (test >= 0.5 "
    "= large)",
)
def gd_gaussian(ctx: Context) -> Outcome:
    net = ctx.cube("network")
    if "gaussian" not in net["variant"].values:
        raise NotApplicable("variant gaussian not run")
    sensing = ctx.cube("sensing")
    d = int(net.attrs["d"])
    if d not in sensing["d"].values or 1.0 not in sensing["alpha"].values:
        raise NotApplicable(f"no alpha = 1 sensing run at d = {d}")
    run = sensing.sel(d=d, alpha=1.0).mean("rep")
    t_end, train = _last(run["train_error"].values, run["t"].values)
    test = float(run["test_error"].sel(t=t_end))
    return _large_init_outcome(train, test, f"{t_end} GD steps, step 0.0025, d = {d}")


@claim(
    KEY,
    "L5.3",
    figures=("Figure 5",),
    statement="on the quadratic network (A_i = x_i x_i^T) the identity term of Lemma A.1 acts "
    "like weight decay: GD from U_0 = I shrinks tr(UU^T) from d to about tr(X*) = r within "
    "2000 steps",
    source='App. A, Lemma A.1: "(1/m) Σ〈Ai, X〉Ai 1{...} − 2X − tr(X) Id" is small; "there is '
    'an additional scaling of the identity term compared to Lemma 2.3"',
    expected="tr(UU^T) at t = 2000 <= r + 1",
    tolerance_source="spec: section 9.5 item 3 (tr <= 6 at r = 5)",
)
def trace_collapse(ctx: Context) -> Outcome:
    net = ctx.cube("network")
    if "nn" not in net["variant"].values:
        raise NotApplicable("variant nn not run")
    gd = net.sel(variant="nn", algorithm="gd").mean("rep")
    t = gd["t"].values
    ok = np.isfinite(gd["trace"].values) & (t <= 2000)
    if not ok.any():
        raise NotApplicable("the network GD run logged no trace up to t = 2000")
    i = np.flatnonzero(ok)[-1]
    trace, r = float(gd["trace"].values[i]), int(net.attrs["r"])
    start = float(gd["trace"].sel(t=0))
    return Outcome(trace, trace <= r + 1, f"t = {int(t[i])}, tr(U_0 U_0^T) = {start:g}, r = {r}")


@claim(
    KEY,
    "L5.5",
    figures=("Figure 5",),
    statement="on the quadratic network (A_i = x_i x_i^T, the paper's literal setting) SGD (a) "
    "and GD (b) from U_0 = I do not generalize: test error at the end of each run",
    source=FIG5 + '; "Figure 5(b) shows that gradient descent also gets stuck at a point with '
    'large test error"',
    expected="both >= 0.5",
    tolerance_source="spec: section 9.5 item 5 (test >= 0.5 = the paper's claim reproduced)",
    deviates="with A_i = x_i x_i^T, M(Q) ~ 2Q + tr(Q) I (Lemma A.1) shrinks tr(UU^T) from d to "
    "~r like weight decay (L5.3), so from U_0 = I the literal network generalizes like a small "
    "init; Gaussian A_i give the caption's outcome (L5.1, L5.2), spec 11.2",
)
def network_does_not_generalize(ctx: Context) -> Outcome:
    net = ctx.cube("network")
    if "nn" not in net["variant"].values:
        raise NotApplicable("variant nn not run")
    nn = net.sel(variant="nn").mean("rep")
    out, steps = {}, []
    for algo in ("sgd", "gd"):
        run = nn.sel(algorithm=algo)
        t_end, test = _last(run["test_error"].values, run["t"].values)
        out[f"{algo.upper()} test"] = test
        out[f"{algo.upper()} train"] = float(run["train_error"].sel(t=t_end))
        steps.append(f"{algo.upper()} {t_end} steps")
    ok = out["SGD test"] >= LARGE_TEST and out["GD test"] >= LARGE_TEST
    return Outcome(out, ok, ", ".join(steps))
