"""What a comparison of two groups can detect: precision before results.

Peer-mentoring surveys are small (10 mentors against 9 mentees), and a "no significant
difference" from such groups says little. This module states, for every two-group
comparison, the **smallest true effect the test would find with 80% power** at a
two-sided alpha of 0.05: a property of the group sizes alone, computed before looking at
the answers. It is *not* the "observed" or post-hoc power of the difference found,
which is a function of the p-value and adds nothing to it.

The power calculations are statsmodels' (``TTestIndPower``, ``NormalIndPower``,
``GofChisquarePower``); they agree with R's ``pwr`` (``pwr.t2n.test``,
``pwr.2p2n.test``, ``pwr.chisq.test``) to 3 decimals (``tests/test_precision.py``).

* ``"d"``: Cohen's d of a two-sample Student t-test.
* ``"h"``: Cohen's h (``2 asin sqrt(p1) - 2 asin sqrt(p2)``) of a two-proportion z-test.
* ``"rank_biserial"``: a Mann-Whitney test. Its power is taken as that of a t-test with
  each group's size multiplied by the test's asymptotic relative efficiency under
  normality, 3/pi = 0.955 (Lehmann 2006, Nonparametrics, ch. 2), which gives the
  detectable d; that d is read as a rank-biserial r = 2 AUC - 1 with AUC = Phi(d/sqrt 2)
  (pingouin's ``convert_effsize(d, "cohen", "AUC")``: the two groups normal with equal
  SDs). Below 4 per group no Mann-Whitney outcome reaches p < 0.05 at all: then nothing
  is detectable (NaN).

>>> round(detectable_effect(10, 9, "d"), 3)  # R: pwr.t2n.test(n1=10, n2=9, power=0.8)$d
1.366
>>> round(detectable_effect(42, 48, "h"), 3)  # R: pwr.2p2n.test(n1=42, n2=48, power=0.8)$h
0.592
>>> round(detectable_effect(10, 9, "rank_biserial"), 3)
0.679
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pingouin as pg
from statsmodels.stats.power import GofChisquarePower, NormalIndPower, TTestIndPower

#: Asymptotic relative efficiency of the Mann-Whitney test to the t-test (normal data).
ARE_MANN_WHITNEY = 3 / math.pi
#: Cohen's (1988) "medium" effects: the yardstick of an "underpowered claim".
CONVENTIONAL = {"d": 0.5, "h": 0.5, "w": 0.3}
ALPHA = 0.05
POWER = 0.8
METRICS = ("d", "h", "rank_biserial")

#: Columns this module adds to ``effects.csv`` (all functions of n_a and n_b, and for
#: yes/no items of role B's observed share: a disclosure layer withholds them with n).
DETECTABLE_COLUMNS = ["detectable_scale", "detectable_std", "detectable_effect",
                      "ci_half_width"]
#: Columns added to ``pooled.csv`` by :func:`with_halving`.
HALVING_COLUMNS = ["typical_n", "cohorts_to_halve_ci"]


def _solve(power_class, **kwargs) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = float(power_class().solve_power(effect_size=None, **kwargs))
        except (ValueError, RuntimeError, FloatingPointError):
            return float("nan")
    return value if math.isfinite(value) and value > 0 else float("nan")


@lru_cache(maxsize=65536)
def _detectable(n1: float, n2: float, metric: str, alpha: float, power: float) -> float:
    if metric == "h":
        h = _solve(NormalIndPower, nobs1=n1, ratio=n2 / n1, alpha=alpha, power=power)
        return h if h <= math.pi else float("nan")  # |h| cannot exceed pi
    if metric == "rank_biserial":
        # the smallest two-sided exact p of a Mann-Whitney test is 2 / C(n1 + n2, n1)
        if 2 / math.comb(int(n1) + int(n2), int(n1)) > alpha:
            return float("nan")
        d = _solve(TTestIndPower, nobs1=n1 * ARE_MANN_WHITNEY, ratio=n2 / n1, alpha=alpha,
                   power=power)
        return d
    return _solve(TTestIndPower, nobs1=n1, ratio=n2 / n1, alpha=alpha, power=power)


def _check(n1, n2, metric: str) -> tuple[int, int]:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    n1, n2 = int(n1), int(n2)
    if n1 < 1 or n2 < 1:
        raise ValueError(f"group sizes must be at least 1, got {n1} and {n2}")
    return n1, n2


def detectable_effect(n1: int, n2: int, metric: str = "d", alpha: float = ALPHA,
                      power: float = POWER) -> float:
    """Smallest effect a two-sided test of two groups of ``n1`` and ``n2`` detects with
    probability ``power`` at level ``alpha``, on ``metric``'s scale (always positive).

    NaN when nothing is detectable (a t-test needs 2 in each group; a Mann-Whitney test
    4, or 3 against at least 5; no Cohen's h above pi).

    >>> round(detectable_effect(20, 20), 3)  # R: pwr.t2n.test(n1=20, n2=20, power=0.8)$d
    0.909
    >>> import math; math.isnan(detectable_effect(3, 3, "rank_biserial"))
    True
    """
    n1, n2 = _check(n1, n2, metric)
    if metric == "d" and (n1 < 2 or n2 < 2):
        return float("nan")
    if metric == "rank_biserial":
        d = detectable_d_mann_whitney(n1, n2, alpha, power)
        return d_to_rank_biserial(d)
    return _detectable(float(n1), float(n2), metric, float(alpha), float(power))


def detectable_d_mann_whitney(n1: int, n2: int, alpha: float = ALPHA,
                              power: float = POWER) -> float:
    """The Cohen's d a two-sided Mann-Whitney test detects (t-test at 3/pi of each n).

    >>> round(detectable_d_mann_whitney(10, 9), 3)  # R: pwr.t2n.test(n1=10*3/pi, n2=9*3/pi)$d
    1.402
    """
    n1, n2 = _check(n1, n2, "rank_biserial")
    return _detectable(float(n1), float(n2), "rank_biserial", float(alpha), float(power))


def d_to_rank_biserial(d: float) -> float:
    """Rank-biserial r = 2 AUC - 1 of two normal groups d SDs apart (pingouin's AUC).

    >>> round(d_to_rank_biserial(0.5), 3)
    0.276
    """
    if not math.isfinite(d):
        return float("nan")
    return 2 * float(pg.convert_effsize(d, "cohen", "AUC")) - 1


def detectable_w(n: int, categories: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Cohen's w a chi-square test of two groups over ``categories`` answers detects
    (``categories - 1`` degrees of freedom, ``n`` people in all).

    >>> round(detectable_w(90, 6), 3)  # R: pwr.chisq.test(N=90, df=5, power=0.8)$w
    0.378
    """
    return _solve(GofChisquarePower, nobs=int(n), n_bins=int(categories), alpha=alpha,
                  power=power)


def power_at(effect: float, n1: int, n2: int, metric: str = "d",
             alpha: float = ALPHA) -> float:
    """Power of the test at a given true ``effect`` (d, or h; Mann-Whitney as for
    :func:`detectable_effect`, with ``effect`` a d).

    >>> round(power_at(0.5, 10, 9), 3)  # R: pwr.t2n.test(n1=10, n2=9, d=0.5)$power
    0.177
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if metric == "h":
            return float(NormalIndPower().power(effect, n1, alpha, ratio=n2 / n1))
        scale = ARE_MANN_WHITNEY if metric == "rank_biserial" else 1.0
        return float(TTestIndPower().power(effect, n1 * scale, alpha, ratio=n2 / n1))


def proportion_at_h(baseline: float, h: float) -> float:
    """The proportion ``h`` above ``baseline`` on Cohen's arcsine scale, or below it when
    nothing that far above exists (statsmodels' ``proportion_effectsize`` inverted).

    >>> round(proportion_at_h(0.5, 0.5), 4)
    0.7397
    """
    if not (math.isfinite(baseline) and math.isfinite(h)):
        return float("nan")
    phi = math.asin(math.sqrt(baseline))
    up = phi + h / 2
    return math.sin(up) ** 2 if up <= math.pi / 2 else math.sin(max(phi - h / 2, 0.0)) ** 2


def _own_metric(metric: str, p_a: float, p_b: float) -> float:
    if metric == "risk_difference":
        return p_a - p_b
    if metric == "risk_ratio":
        return p_a / p_b if p_b > 0 else float("nan")
    if metric == "odds_ratio":
        if 0 < p_b < 1 and 0 < p_a < 1:
            return (p_a / (1 - p_a)) / (p_b / (1 - p_b))
        return float("nan")
    raise ValueError(metric)


def detectable_fields(metric: str, n_a: int, n_b: int, baseline: float | None = None,
                      alpha: float = ALPHA, power: float = POWER) -> dict:
    """The detectable-effect columns of one ``effects.csv`` row.

    ``detectable_scale`` names the standardised scale of the power calculation (``d``
    or ``h``), ``detectable_std`` its value, and ``detectable_effect`` the same effect on
    the row's own ``metric``: d for Hedges' g; the rank-biserial r of the Mann-Whitney
    test's detectable d; for yes/no metrics, the proportion ``h`` above role B's observed
    share ``baseline`` (below it when nothing that far above exists), as a difference or
    ratio. All are positive sizes; either direction is tested.

    >>> {k: round(v, 3) if isinstance(v, float) else v
    ...  for k, v in detectable_fields("risk_difference", 42, 48, 0.5).items()}
    {'detectable_scale': 'h', 'detectable_std': 0.592, 'detectable_effect': 0.279}
    """
    if metric == "hedges_g":
        d = detectable_effect(n_a, n_b, "d", alpha, power)
        return {"detectable_scale": "d", "detectable_std": d, "detectable_effect": d}
    if metric == "rank_biserial":
        d = detectable_d_mann_whitney(n_a, n_b, alpha, power)
        return {"detectable_scale": "d", "detectable_std": d,
                "detectable_effect": d_to_rank_biserial(d)}
    h = detectable_effect(n_a, n_b, "h", alpha, power)
    p_b = float("nan") if baseline is None else float(baseline)
    own = _own_metric(metric, proportion_at_h(p_b, h), p_b)
    if metric == "risk_difference" and math.isfinite(own):
        own = abs(own)
    elif metric in ("risk_ratio", "odds_ratio") and math.isfinite(own) and 0 < own < 1:
        own = 1 / own  # the same distance the other way round, as a ratio above 1
    return {"detectable_scale": "h", "detectable_std": h, "detectable_effect": own}


def ci_half_width(low: float, high: float, scale: str) -> float:
    """Half the width of a CI on the pooled scale (``identity``, ``log`` or ``atanh``).

    >>> round(ci_half_width(0.5, 2.0, "log"), 4)
    0.6931
    """
    transform = {"identity": lambda v: v, "log": np.log, "atanh": np.arctanh}[scale]
    with np.errstate(all="ignore"):
        width = (float(transform(high)) - float(transform(low))) / 2
    return width if math.isfinite(width) else float("nan")


# --------------------------------------------------------------------------- pooled rows


def with_halving(pooled: pd.DataFrame, effects: pd.DataFrame) -> pd.DataFrame:
    """Add to ``pooled.csv`` how many more cohorts of the typical size would halve the CI.

    A random-effects CI's half-width is proportional to the pooled SE, with
    ``1 / se^2 = sum 1 / (v_i + tau2)``; a new cohort with the typical within-cohort
    variance ``v`` (the median of the pooled cohorts') adds ``1 / (v + tau2)``. Halving
    the SE needs ``3 / se^2`` more, so ``m = ceil(3 (v + tau2) / se^2)`` cohorts, with
    tau2 held at its estimate (z interval; Knapp-Hartung's t interval narrows a little
    more as k grows). ``typical_n`` is the median of the cohorts' n_a + n_b (blank
    where a group size is withheld).

    >>> effects = pd.DataFrame({"program": ["a", "b"], "year": "2024", "construct": "v",
    ...     "comparison": "x_vs_y", "metric": "hedges_g", "pool_se": [0.3, 0.3],
    ...     "n_a": [20, 30], "n_b": [20, 30]})
    >>> pooled = pd.DataFrame({"construct": ["v"], "comparison": "x_vs_y",
    ...     "metric": "hedges_g", "cohorts": "a 2024; b 2024", "se": [0.3 / 2 ** 0.5],
    ...     "tau2": [0.0]})
    >>> with_halving(pooled, effects)[HALVING_COLUMNS].iloc[0].tolist()
    [50, 6]
    """
    out = pooled.copy()
    typical_n, needed = [], []
    for _, row in pooled.iterrows():
        cohorts = {tuple(c.rsplit(" ", 1)) for c in str(row["cohorts"]).split("; ")}
        rows = effects[(effects["construct"] == row["construct"])
                       & (effects["comparison"] == row["comparison"])
                       & (effects["metric"] == row["metric"])]
        rows = rows[[(p, str(y)) in cohorts for p, y in zip(rows["program"], rows["year"],
                                                            strict=True)]]
        rows = rows.drop_duplicates(["program", "year"], keep="first")
        v = float(np.median(pd.to_numeric(rows["pool_se"], errors="coerce") ** 2))
        se, tau2 = float(row["se"]), float(row["tau2"])
        needed.append(math.ceil(3 * (v + tau2) / se**2 - 1e-9) if se > 0 else pd.NA)
        sizes = (pd.to_numeric(rows["n_a"], errors="coerce")
                 + pd.to_numeric(rows["n_b"], errors="coerce"))
        typical_n.append(int(round(float(sizes.median()))) if sizes.notna().all()
                         and len(sizes) else pd.NA)
    out["typical_n"] = pd.array(typical_n, dtype="Int64")
    out["cohorts_to_halve_ci"] = pd.array(needed, dtype="Int64")
    return out


# --------------------------------------------------------------------------- the audit

#: ``finding`` of an underpowered "no difference" claim (one per paper).
UNDERPOWERED = "underpowered claim"
UNDERPOWERED_FINDING = "no_difference_claims_underpowered"


def _sizes(values: list[dict], item: str | None, a: str, b: str) -> tuple | None:
    """The printed sizes of roles a and b for an item (an n its values are of), else the
    number who responded in each role."""
    for keys in (("denominator",), ("responded",)):
        found = {}
        for e in values:
            if keys == ("denominator",) and e.get("item") == item and "denominator" in e:
                found.setdefault(e.get("group"), int(e["denominator"]))
            elif keys == ("responded",) and e["statistic"] == "responded":
                try:
                    found.setdefault(e.get("group"), int(e["printed"]))
                except ValueError:
                    continue
        if a in found and b in found:
            return found[a], found[b]
    return None


def _claim_test(item: dict, rank_test: bool) -> tuple[str, int]:
    """(scale, categories) of the test behind a claim about ``item``."""
    kind = item.get("type")
    if kind == "binary" or (kind == "single_choice" and len(item.get("choices", {})) == 2):
        return "h", 2
    if kind == "single_choice":
        return "w", len(item.get("choices", {}))
    return ("rank_biserial" if rank_test and kind in ("likert", "numeric") else "d"), 0


def claim_power_checks(published: dict, program: dict | None) -> list[list]:
    """One audit row per published claim of no difference (``claim: not_significant``):
    the effect its comparison could detect with 80% power at alpha = 0.05, flagged
    ``underpowered claim`` when it exceeds Cohen's medium effect (d = h = 0.5, w = 0.3).

    Group sizes are the printed ones (the n the item's values are of, else the numbers
    who responded); the test is the paper's (a declared Mann-Whitney variant makes
    Likert and numeric items rank tests), a two-proportion test for two categories and a
    chi-square test for more. Rows: ``program, source, check, printed, expected,
    verdict, explanation, finding`` (:data:`peermentor.papers.audit.AUDIT_COLUMNS`).
    """
    program_id = published["program"]
    values = [{**e, "printed": str(e["printed"])} for e in published["values"]]
    items = {i["id"]: i for i in (program or {}).get("codebook", [])}
    roles = (program or {}).get("roles", {})
    rank_test = bool(published.get("mann_whitney"))
    rows = []
    for e in values:
        if e.get("claim") != "not_significant" or "_vs_" not in str(e.get("group")):
            continue
        a, b = e["group"].split("_vs_", 1)
        sizes = _sizes(values, e.get("item"), a, b)
        if sizes is None:
            continue
        n_a, n_b = sizes
        item = items.get(e.get("item"), {})
        scale, categories = _claim_test(item, rank_test)
        who = f"{n_a} {roles.get(a, a)} vs {n_b} {roles.get(b, b)}"
        if scale == "w":
            size = detectable_w(n_a + n_b, categories)
            shown, conventional = f"w = {size:.2f}", CONVENTIONAL["w"]
            how = (f"a chi-square test of {categories} answers ({categories - 1} df) at "
                   f"alpha = 0.05 has 80% power only for w >= {size:.2f}")
            miss = ""
        else:
            if scale == "rank_biserial":
                size = detectable_d_mann_whitney(n_a, n_b)
                t_d = detectable_effect(n_a, n_b, "d")
                how = (f"a two-sided Mann-Whitney test at alpha = 0.05 has "
                       f"80% power only for d >= {size:.2f} (rank-biserial r >= "
                       f"{d_to_rank_biserial(size):.2f}; a t-test: d >= {t_d:.2f})")
                name = "d"
            else:
                size = detectable_effect(n_a, n_b, scale)
                name = scale
                test = "t-test" if scale == "d" else "two-proportion test"
                how = (f"a two-sided {test} at alpha = 0.05 has 80% power only for "
                       f"{name} >= {size:.2f}")
            shown, conventional = f"{name} = {size:.2f}", CONVENTIONAL[name]
            hit = power_at(conventional, n_a, n_b, "h" if name == "h" else scale)
            miss = (f"; a true {name} = {conventional} would be found with probability "
                    f"{hit:.2f} (missed {100 * (1 - hit):.0f}% of the time)")
        under = not math.isfinite(size) or size > conventional
        explanation = (f"{who}: {how}{miss}. " + (
            "A non-significant result from these groups cannot rule out a medium "
            "difference." if under else
            f"The groups could detect a medium effect ({conventional})."))
        rows.append([
            program_id, e["source"],
            f"power of a 'no difference' claim: {_where(e)}", e["printed"],
            f"detectable effect at most {'w' if scale == 'w' else name} = {conventional} "
            "(Cohen's medium) at 80% power",
            UNDERPOWERED if under else "consistent",
            f"detectable {shown}; {explanation}",
            UNDERPOWERED_FINDING if under else "",
        ])
    return rows


def _where(entry: dict) -> str:
    a, b = str(entry["group"]).split("_vs_", 1)
    return f"{entry.get('item', '')} ({a} vs {b})"


# --------------------------------------------------------------------------- the report


def _fmt(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.2f}"


def detectable_text(row) -> str:
    """``d >= 1.37`` / ``r >= 0.68 (d >= 1.40)`` / ``h >= 1.29 (risk difference >= 0.53 at
    role B's share)`` for one effects row, or why nothing is detectable."""
    if pd.isna(row["detectable_std"]):
        return "nothing (groups too small for this test)"
    std = f"{row['detectable_scale']} \u2265 {_fmt(row['detectable_std'])}"
    metric = row["metric"]
    if metric == "hedges_g":
        return std
    if metric == "rank_biserial":
        return f"r \u2265 {_fmt(row['detectable_effect'])} ({std})"
    own = metric.replace("_", " ")
    if pd.isna(row["detectable_effect"]):
        return std
    return f"{std} ({own} \u2265 {_fmt(row['detectable_effect'])} at the second role's share)"


