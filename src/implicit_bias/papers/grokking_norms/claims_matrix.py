"""Claims of paper 004 on matrix completion and sensing with the nuclear norm (Sec. 2, App. D;
Figs. 4, 5, 42-46).

t2 of the alpha-beta_* sweep is t_stable of the runs that generalized (cube ``t2 >= 0``) and
settled before T/2; a run that never generalized counts as +inf in orderings and never enters a
fit. ``bstar_l1`` of a matrix cube is ||A*||_* and ``sigma_hat`` the singular values of A_hat.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...claims import Context, NotApplicable, Outcome, claim
from . import KEY
from .analysis import (
    error_slopes_in_alpha,
    faster_along,
    final,
    generalized,
    inversions,
    med,
    never_inf,
    quantile,
    slope,
    squeeze,
    t2_gen,
    value,
)


def _acc(ctx: Context) -> dict:
    return ctx.settings["acceptance"]


# ============================================================ Fig. 4: matrix completion anatomy
def _completion(ctx: Context) -> dict:
    def compute():
        cube = ctx.cube("completion")
        b = float(cube["beta_star"].max())
        c = squeeze(cube.sel(beta_star=b), "seed", "i", "t")
        return {"cube": cube, "c": c, "beta": b, "alpha": float(cube["alpha"].max())}

    return ctx.memo("completion", compute)


@claim(
    KEY,
    "A11.t1",
    figures=("Figure 4",),
    statement="matrix completion 10x10, r = 2, alpha = 1: memorization step t1 (E_tr <= eps1), "
    "median over seeds",
    source='Sec. 2: "the update A(t) first moves near the least square solution A_hat"; Fig. 4: '
    '"G dominates beta_* h until memorization"',
    expected="<= 100",
    tolerance_source="spec: A11 (t1(1e-3) <= 100)",
)
def a11_t1(ctx: Context) -> Outcome:
    t1 = value(med(never_inf(_completion(ctx)["c"]["t1"])))
    lim = _acc(ctx)["a11_t1"]
    return Outcome(t1, t1 <= lim, expected=f"<= {lim:g}")


@claim(
    KEY,
    "A11.theory_t2",
    figures=("Figure 4",),
    statement="t2 (t_stable of the seeds that generalized) against the predicted t1 + "
    "||A_hat - A*||_2 / (alpha beta_*) (Thm 2.2, reference-code form), median ratio; "
    "t2 alpha beta_* reported",
    source='Thm 2.2: "t2 := t1 + Delta t with Delta t = Theta(floor(sigma_max(A_hat) / (alpha '
    'beta_*)))"',
    expected="ratio in [0.3, 5]",
    tolerance_source="spec: A3/A11 (ratio window [0.3, 5]; spec 9 for the form)",
)
def a11_theory_t2(ctx: Context) -> Outcome:
    d = _completion(ctx)
    c = d["c"]
    gen = generalized(c)
    if not bool(gen.any()):
        return Outcome("no seed generalized", False)
    t2 = c["t2_stable"].where(gen)
    ratio = value(med(t2 / (never_inf(c["t1"]) + c["dt_pred"])))
    const = value(med(t2 * d["alpha"] * d["beta"]))
    lo, hi = _acc(ctx)["a3_ratio"]
    return Outcome(
        {"ratio": ratio, "t2 alpha beta_*": const},
        lo <= ratio <= hi,
        expected=f"ratio in [{lo:g}, {hi:g}]",
    )


@claim(
    KEY,
    "A11.final_error",
    figures=("Figure 4",),
    statement="matrix completion: final E_te = ||A - A*||_F / ||A*||_F (median over seeds)",
    source='Fig. 4: "make ||A(t)||_* converge to ||A*||_* at t2, and so A(t2) = A*"',
    expected="<= 5e-3",
    tolerance_source="spec: A11 (final E_te <= 5e-3, pilot 1.8e-3)",
)
def a11_final_error(ctx: Context) -> Outcome:
    fin = value(med(final(_completion(ctx)["c"]["test_error"])))
    thr = _acc(ctx)["a11_final_test"]
    return Outcome(fin, fin <= thr, expected=f"<= {thr:g}")


@claim(
    KEY,
    "A11.nuclear_norm",
    figures=("Figure 4",),
    statement="matrix completion: ||A(T)||_* / ||A*||_* (median over seeds)",
    source='Fig. 4: "beta_* h(A) dominates and make ||A(t)||_* converge to ||A*||_* at t2"',
    expected="1 +- 1 %",
    tolerance_source="spec: A11 (||A||_* -> 2.000 +- 1 %)",
)
def a11_nuclear_norm(ctx: Context) -> Outcome:
    c = _completion(ctx)["c"]
    nuc = value(med(final(c["nuclear_norm"]) / c["bstar_l1"]))
    return Outcome(nuc, abs(nuc - 1) <= 0.01)


@claim(
    KEY,
    "A11.signal_sv",
    figures=("Figure 4",),
    statement="matrix completion: the signal singular values sigma_1, sigma_2 -> 1 (median over "
    "seeds of the worst deviation)",
    source='Fig. 4: "evolution of singular values ... A(t2) = A*" (Sigma* = I_r, App. D.4)',
    expected="<= 0.01",
    tolerance_source="spec: A11 (sigma_1, sigma_2 -> 1 +- 0.01)",
)
def a11_signal_sv(ctx: Context) -> Outcome:
    cube, c = _completion(ctx)["cube"], _completion(ctx)["c"]
    r = int(cube.attrs.get("r", 2))
    sig = final(c["sigma"]).sel(i=c["i"].values[:r])
    dev = value(med(np.abs(sig - 1).max("i")))
    return Outcome(dev, dev <= 0.01)


def _deaths(c: xr.Dataset, r: int, thr: float = 1e-2) -> xr.DataArray:
    """First step after t1 at which each non-signal singular value is below thr, per seed."""
    t1 = never_inf(c["t1"]).clip(min=1)
    sig = c["sigma"].isel(i=slice(r, None))
    after = sig.where(sig["t"] >= t1)
    pos = xr.DataArray(np.arange(sig.sizes["t"]), dims="t")
    first = xr.where(after < thr, pos, sig.sizes["t"]).min("t")
    t = xr.DataArray(np.append(sig["t"].values, np.inf).astype(float), dims="k")
    return t.isel(k=first).drop_vars("k", errors="ignore")


@claim(
    KEY,
    "A11.staircase",
    figures=("Figure 4",),
    statement="matrix completion: multiscale singular-value decay, i.e. the non-signal sigma_i "
    "that start above 2e-2 after memorization die (< 1e-2) one after the other, smallest "
    "sigma_i(A_hat) first, spread over at least a decade of steps (per seed: decades spanned and "
    "inversions of the death order against sigma_i(A_hat); median decades, total inversions)",
    source='Sec. 2: "The small singular value after memorization converges to {sigma, 0 <= sigma '
    '< alpha beta_*}, followed by the next smaller one until the larger one"; Fig. 4: '
    '"Generalization happened through a multiscale singular value decay phenomenon"',
    expected="median span >= 1 decade, no inversion",
    tolerance_source="paper: 'multiscale' read as deaths spanning at least one decade (spec A11 "
    "pilot: 60 ... 3.2e4, 2.7 decades); the order exact",
)
def a11_staircase(ctx: Context) -> Outcome:
    d = _completion(ctx)
    c = d["c"]
    if "sigma_hat" not in c:
        raise NotApplicable("the cube has no singular values of A_hat")
    r = int(d["cube"].attrs.get("r", 2))
    deaths = _deaths(c, r)
    hat = c["sigma_hat"].isel(i=slice(r, None))
    spans, inv = [], 0
    for seed in c["seed"].values if "seed" in c.dims else [None]:
        sel = {} if seed is None else {"seed": seed}
        dt, h = deaths.sel(sel).values, hat.sel(sel).values
        live = h > 2e-2
        dt, h = dt[live], h[live]
        if dt.size < 2 or not np.all(np.isfinite(dt)):
            spans.append(0.0 if dt.size < 2 else float("nan"))
            continue
        spans.append(float(np.log10(dt.max() / max(dt.min(), 1.0))))
        inv += inversions(dt[np.argsort(h)])
    span = float(np.median(spans))
    return Outcome({"decades": span, "inversions": inv}, span >= 1 and inv == 0)


@claim(
    KEY,
    "A11.gradient_ratio",
    figures=("Figure 4",),
    statement="matrix completion, seeds that generalized: R = ||beta_* UV^T|| / ||G|| is O(1) "
    "between t1 and t2 (5-95 % range, medians; alpha = 1 memorizes in one step, so the "
    "pre-memorization part is empty)",
    source='Fig. 4: "From memorization beta_* h(A(t)) dominates"',
    expected="within [0.3, 3]",
    tolerance_source="spec: A1 (R in [0.3, 3] for t1 <= t <= t2)",
)
def a11_gradient_ratio(ctx: Context) -> Outcome:
    c = _completion(ctx)["c"]
    gen = generalized(c)
    if not bool(gen.any()):
        return Outcome("no seed generalized", False)
    R = c["grad_ratio"]
    mid = R.where((R["t"] >= never_inf(c["t1"])) & (R["t"] <= never_inf(c["t2"]))).where(gen)
    lo, hi = value(med(quantile(mid, 0.05))), value(med(quantile(mid, 0.95)))
    return Outcome([lo, hi], lo >= 0.3 and hi <= 3)


@claim(
    KEY,
    "A11.no_nuclear",
    figures=("Figure 4",),
    statement="beta_* = 0: E_te stays at ||P_Omega^c A*|| / ||A*|| (the least-squares completion), "
    "worst seed",
    source='App. D.6.2: "for N < n1 n2, if we just regularize the Frobenius norm (standard l2) '
    "without regularizing the nuclear norm (l*), we can't reach the optimal solution\"",
    expected="|diff| < 1e-3",
    tolerance_source="spec: A11 / section 8 (plateau identities |diff| < 1e-3)",
)
def a11_no_nuclear(ctx: Context) -> Outcome:
    cube = _completion(ctx)["cube"]
    if not bool((cube["beta_star"] == 0).any()):
        raise NotApplicable("no beta_* = 0 run")
    z = squeeze(cube.sel(beta_star=0.0), "seed")
    dev = value(np.abs(final(z["test_error"]) - z["lsq_error"]).max())
    return Outcome(dev, dev < 1e-3)


# ================================================================ Figs. 5, 42: alpha x beta_*
def _grid(ctx: Context) -> dict:
    def compute():
        c = squeeze(ctx.cube("matrix_grid").isel(seed=0), "alpha", "beta_star")
        c = c.sel(beta_star=c["beta_star"].values[c["beta_star"].values > 0])
        gen = generalized(c)
        ok = gen & (c["t2_stable"] < c["T"] / 2)
        return {"c": c, "ab": c["alpha"] * c["beta_star"], "gen": gen, "ok": ok}

    return ctx.memo("grid", compute)


@claim(
    KEY,
    "A12.t2_constant",
    figures=("Figure 5",),
    statement="matrix completion: t2 alpha beta_* constant over alpha in {0.1, 1} x beta_* in "
    "{1e-4, 1e-3} (runs that generalized and settled; max/min - 1, values reported)",
    source='Fig. 5: "We can see that t2 ∝ ||A_hat||_{2->2} / alpha beta_*"',
    expected="<= 25 %",
    tolerance_source="spec: A12 (constant within +-25 %)",
)
def a12_t2_constant(ctx: Context) -> Outcome:
    d = _grid(ctx)
    c = d["c"]
    alphas = [a for a in c["alpha"].values if a in (0.1, 1.0)] or list(c["alpha"].values)
    betas = [b for b in c["beta_star"].values if b in (1e-4, 1e-3)] or list(c["beta_star"].values)
    sel = {"alpha": alphas, "beta_star": betas}
    const = (c["t2_stable"] * d["ab"]).where(d["ok"]).sel(sel).values.ravel()
    const = const[np.isfinite(const)]
    tol = _acc(ctx)["a12_const_tol"]
    if const.size < 2:
        return Outcome({"n_points": int(const.size)}, False, expected=f"<= {tol:.0%}")
    spread = float(const.max() / const.min() - 1)
    return Outcome(
        {"spread": spread, "values": const.tolist()}, spread <= tol, expected=f"<= {tol:.0%}"
    )


@claim(
    KEY,
    "A12.t2_slope",
    figures=("Figure 5",),
    statement="matrix completion: log-log slope of t2 (t_stable) against alpha beta_*, runs that "
    "generalized and settled",
    source='Fig. 5: "t2 ∝ ||A_hat||_{2->2} / alpha beta_*"',
    expected="-1 +- 0.1, >= 3 runs",
    tolerance_source="spec: A12 (slope -1.0 +- 0.1)",
)
def a12_t2_slope(ctx: Context) -> Outcome:
    d = _grid(ctx)
    ok = d["ok"]
    s = slope(d["ab"].where(ok).values, d["c"]["t2_stable"].where(ok).values)
    tol = _acc(ctx)["a12_slope_tol"]
    n = int(ok.sum())
    return Outcome(
        {"slope": s, "n_points": n}, abs(s + 1) <= tol and n >= 3, expected=f"-1 +- {tol:g}"
    )


@claim(
    KEY,
    "A12.error_vs_beta",
    figures=("Figure 5",),
    statement="matrix completion: final E_te proportional to beta_* at the largest alpha, runs "
    "that generalized and settled (log-log slope)",
    source='Fig. 5: "||A(t2) - A*||_F ∝ alpha beta_*, i.e. small alpha beta_* require longer time '
    'to converge, but do so at a lower generalization error"',
    expected="slope 1 +- 0.1, >= 2 runs",
    tolerance_source="spec: section 8 general rules (matrix power-law slopes +- 0.1)",
)
def a12_error_vs_beta(ctx: Context) -> Outcome:
    d = _grid(ctx)
    c = d["c"]
    a = float(c["alpha"].max())
    ok = d["ok"].sel(alpha=a)
    s = slope(c["beta_star"].where(ok).values, final(c["test_error"]).sel(alpha=a).where(ok).values)
    n = int(ok.sum())
    tol = _acc(ctx)["a12_slope_tol"]
    return Outcome(
        {"slope": s, "n_points": n}, abs(s - 1) <= tol and n >= 2, detail=f"alpha = {a:g}"
    )


@claim(
    KEY,
    "A12.error_vs_alpha",
    figures=("Figure 5",),
    statement="matrix completion: final E_te proportional to alpha at fixed beta_* (the alpha half "
    "of 'error ∝ alpha beta_*'): log-log slope against alpha per beta_*",
    source='Fig. 5: "||A(t2) - A*||_F ∝ alpha beta_*"',
    expected="slope 1 +- 0.1 for every beta_* with >= 2 such runs",
    tolerance_source="spec: section 8 general rules (matrix power-law slopes +- 0.1)",
    deviates="the error at stability is the nuclear-norm bias of f(A), proportional to beta_* and "
    "independent of alpha (f's minimizer does not depend on alpha; the matrix analogue of spec "
    "10.2 / A3, where the pilot shows the vector error changing < 20 % over a 20x range of alpha)",
)
def a12_error_vs_alpha(ctx: Context) -> Outcome:
    d = _grid(ctx)
    c = d["c"]
    if c.sizes["alpha"] < 2:
        raise NotApplicable("one alpha only")
    slopes = error_slopes_in_alpha(c, d["ok"], "beta_star", "beta_*")
    if not slopes:
        raise NotApplicable("no beta_* with two alphas that generalized")
    tol = _acc(ctx)["a12_slope_tol"]
    return Outcome(slopes, all(abs(s - 1) <= tol for s in slopes.values()))


@claim(
    KEY,
    "A12.outlier_undertrained",
    figures=("Figure 5", "Figure 42"),
    statement="the runs at the small-alpha beta_* end that did not generalize or settle before "
    "T/2 (alpha beta_* below that of every run that did) had a budget T below 5x their predicted "
    "t2 = t1 + ||A_hat - A*||_2 / (alpha beta_*): T / predicted per such run",
    source='Fig. 5: "The outlier for very small alpha beta_* is due to insufficient training '
    '(Figure 42)"',
    expected="every T / predicted t2 < 5",
    tolerance_source="spec: A3 (t2 / predicted in [0.3, 5])",
)
def a12_outlier(ctx: Context) -> Outcome:
    d = _grid(ctx)
    c, ab, ok = d["c"], d["ab"], d["ok"]
    if not bool(ok.any()):
        return Outcome("no run generalized and settled", False)
    bad = (~ok) & (ab < float(ab.where(ok).min()))
    if not bool(bad.any()):
        raise NotApplicable("every run at the small-alpha beta_* end settled: no outlier")
    _, hi = _acc(ctx)["a3_ratio"]
    budget = c["T"] / (c["t1"].where(c["t1"] >= 0, 0) + c["dt_pred"])
    got = {
        f"alpha={a:g}, beta_*={b:g}": value(budget.sel(alpha=a, beta_star=b))
        for a in c["alpha"].values
        for b in c["beta_star"].values
        if bool(bad.sel(alpha=a, beta_star=b))
    }
    return Outcome(got, all(v < hi for v in got.values()), expected=f"every T / predicted < {hi:g}")


@claim(
    KEY,
    "A12.faster_with_alpha_beta",
    figures=("Figure 42",),
    statement="matrix completion: t2 (t_stable) decreases with beta_* at every alpha and with "
    "alpha at every beta_*, over the runs that generalized and settled (inversions)",
    source='App. D.6.3, Fig. 42: "larger alpha and/or beta_* lead to fast convergence"',
    expected="no inversion, >= 1 comparison",
    tolerance_source="exact: ordering",
)
def a12_faster(ctx: Context) -> Outcome:
    d = _grid(ctx)
    t2 = d["c"]["t2_stable"].where(d["ok"])
    n = faster_along(t2, ("alpha", "beta_star"))
    return Outcome(n, n["inversions"] == 0 and n["comparisons"] >= 1)


@claim(
    KEY,
    "A12.error_grows_with_beta",
    figures=("Figure 42",),
    statement="matrix completion: final E_te increases with beta_* at every alpha, over the runs "
    "that settled before T/2 (an under-trained run has no converged error, Fig. 5's outlier): "
    "inversions per alpha",
    source='App. D.6.3, Fig. 42: "larger alpha and/or beta_* lead to fast convergence and do so at '
    'a suboptimal value of the test error"',
    expected="no inversion, >= 1 comparison",
    tolerance_source="exact: ordering",
)
def a12_error_grows(ctx: Context) -> Outcome:
    c = _grid(ctx)["c"]
    fin = final(c["test_error"]).where(c["t2_stable"] < c["T"] / 2)
    inv, pairs = {}, 0
    for a in c["alpha"].values:
        v = fin.sel(alpha=a).values
        v = v[np.isfinite(v)]
        inv[f"alpha={a:g}"] = inversions(v)
        pairs += max(v.size - 1, 0)
    return Outcome(inv, pairs >= 1 and all(v == 0 for v in inv.values()))


# ========================================================== Figs. 43-44: matrix sensing
def _sensing(ctx: Context, method: str) -> Outcome:
    c = squeeze(ctx.cube("sensing").isel(seed=0), "update")
    if method not in c["update"].values:
        raise NotApplicable(f"no {method} run")
    sub = c.sel(update=method)
    nuc = value(final(sub["nuclear_norm"]) / sub["bstar_l1"])
    gen = bool(generalized(sub))
    return Outcome(
        {"generalized": gen, "E_te(T)": value(final(sub["test_error"])), "||A||_*/||A*||_*": nuc},
        gen and abs(nuc - 1) <= 0.01,
    )


@claim(
    KEY,
    "SEN.projected",
    figures=("Figure 43",),
    statement="matrix sensing, projected subgradient: the run generalizes (E_te <= eps2) and "
    "||A(T)||_* -> ||A*||_*",
    source='Fig. 43: "From memorization beta_* h(A(t)) dominates and make ||A(t)||_1 converge to '
    '||A*||_1 at t2, and so A(t2) = A*" (projected; ||.||_1 stands for ||.||_*, spec 10.6)',
    expected="generalized, ||A||_* within 1 %",
    tolerance_source="spec: A11 (||A||_* within 1 %)",
)
def sen_projected(ctx: Context) -> Outcome:
    return _sensing(ctx, "projected")


@claim(
    KEY,
    "SEN.svt",
    figures=("Figure 44",),
    statement="matrix sensing, proximal gradient (SVT): the run generalizes (E_te <= eps2) and "
    "||A(T)||_* -> ||A*||_*",
    source='Fig. 44: "From memorization beta_* h(A(t)) dominates and make ||A(t)||_1 converge to '
    '||A*||_1 at t2, and so A(t2) = A*" (proximal; ||.||_1 stands for ||.||_*, spec 10.6)',
    expected="generalized, ||A||_* within 1 %",
    tolerance_source="spec: A11 (||A||_* within 1 %)",
)
def sen_svt(ctx: Context) -> Outcome:
    return _sensing(ctx, "svt")


# ============================================================ Figs. 45-46: matrix coherence
def _mcoh(ctx: Context) -> xr.Dataset:
    return ctx.memo("mcoh", lambda: squeeze(ctx.cube("matrix_coherence"), "N", "tau", "seed"))


@claim(
    KEY,
    "A13.coherent_sampling",
    figures=("Figure 45", "Figure 46"),
    statement="matrix completion: sampling the most locally coherent entries first (tau -> 1) "
    "lowers the median final E_te, at every N (inversions summed over N)",
    source='Sec. 2: "as tau -> 1, performance improves, and the number of examples required to '
    "generalize decreases exponentially, as does the time it takes the models to do so (Figures "
    '45 and 46)"',
    expected="decreasing in tau, <= 1 inversion in total",
    tolerance_source="spec: A13 (E_te decreasing in tau for N in {40, 50, 60}, one inversion)",
)
def a13_coherent_sampling(ctx: Context) -> Outcome:
    c = _mcoh(ctx)
    fin = med(final(c["test_error"]))
    per = {f"N={N}": fin.sel(N=N).values.tolist() for N in c["N"].values}
    inv = sum(inversions(-fin.sel(N=N).values) for N in c["N"].values)
    return Outcome(per, inv <= 1)


@claim(
    KEY,
    "A13.t2_vs_tau",
    figures=("Figure 45", "Figure 46"),
    statement="matrix completion: t2 (t_stable of the runs that generalized, +inf for the others; "
    "median over seeds) decreases with tau at every N (inversions summed over N)",
    source='Sec. 2: "as tau -> 1 ... the number of examples required to generalize decreases '
    'exponentially, as does the time it takes the models to do so"',
    expected="non-increasing in tau, <= 1 inversion in total, >= 1 finite comparison",
    tolerance_source="spec: section 8 general rules (orderings of medians, one inversion in 2-D "
    "sweeps)",
)
def a13_t2_vs_tau(ctx: Context) -> Outcome:
    c = _mcoh(ctx)
    t2 = med(t2_gen(c))
    per = {f"N={N}": t2.sel(N=N).values.tolist() for N in c["N"].values}
    inv = sum(inversions(-t2.sel(N=N).values) for N in c["N"].values)
    finite = sum(max(int(np.isfinite(t2.sel(N=N).values).sum()) - 1, 0) for N in c["N"].values)
    return Outcome(per, inv <= 1 and finite >= 1)


@claim(
    KEY,
    "A13.samples_vs_tau",
    figures=("Figure 45", "Figure 46"),
    statement="matrix completion: the smallest N at which most seeds generalize (E_te <= eps2) "
    "does not grow with tau (+inf where none of the sweep's N does)",
    source='Sec. 2: "as tau -> 1 ... the number of examples required to generalize decreases '
    'exponentially"',
    expected="non-increasing in tau, finite at the largest tau",
    tolerance_source="exact: ordering",
)
def a13_samples_vs_tau(ctx: Context) -> Outcome:
    c = _mcoh(ctx)
    gen = generalized(c)
    share = gen.mean("seed") if "seed" in gen.dims else gen.astype(float)
    N = c["N"].values
    nmin = []
    for tau in c["tau"].values:
        hit = N[(share.sel(tau=tau) > 0.5).values]
        nmin.append(float(hit.min()) if hit.size else float("inf"))
    return Outcome(
        dict(zip([f"tau={t:g}" for t in c["tau"].values], nmin, strict=True)),
        inversions([-v for v in nmin]) == 0 and np.isfinite(nmin[-1]),
    )
