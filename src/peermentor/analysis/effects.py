"""Per-cohort effect sizes with 95% CIs for the declared between-role comparison.

:func:`cohort_effects` reads the cohorts' tidy statistics (``stats.csv``: per-role ``n``,
``mean``, ``sd``, yes-``count``, and the Mann-Whitney ``rbc`` and ``p``) and returns one
row per cohort x item x comparison x metric. Every number comes from pingouin, scipy or
statsmodels:

Likert items (first-named role A vs second B):

* ``rank_biserial``: the rank-biserial r 2U/(nA nB) - 1 (stats.csv) with the Mann-Whitney
  p of the cohort's declared variant (``p_method`` ``mann_whitney_<variant>``, see
  :data:`peermentor.analysis.mannwhitney.MWU_VARIANTS`; the default ``r_correct`` where a paper
  declares none). CI: Fisher z of r with SE sqrt((nA + nB + 1) / (3 nA nB)),
  the normal-approximation interval of R's effectsize::rank_biserial (Ben-Shachar et al.
  2020; SE of U under H0, King, Rosopa & Minium 2011). It grows with nA + nB, never with
  nA x nB work.
* ``hedges_g``: standardised mean difference (pooled SD, small-sample corrected):
  scipy's ``ttest_ind_from_stats`` t, turned into g by ``pingouin.compute_effsize_from_t``,
  CI by ``pingouin.compute_esci`` (SE sqrt((nA+nB)/(nA nB) + g^2/(2(nA+nB))), t on
  nA + nB - 2 df), beside the Student t-test p.

Yes/no items (yes-share of A vs B):

* ``risk_difference``: Newcombe's hybrid score interval (built from Wilson score
  intervals; statsmodels ``confint_proportions_2indep(method="newcomb")``) beside the
  Miettinen-Nurminen score test p: both score methods, named in ``ci_method`` and
  ``p_method``.
* ``risk_ratio``: Wald interval and Wald test on the log scale (Katz): one family
  (:func:`peermentor.analysis.methods.risk_ratio`, which ``stats.csv`` shows too).
* ``odds_ratio``: by the rule of :func:`peermentor.analysis.methods.odds_ratio` (which ``stats.csv``
  shows too): where any expected cell count is below 5, the conditional maximum-likelihood
  odds ratio with its exact interval beside Fisher's exact p, as R's ``fisher.test``
  reports them; otherwise the sample odds ratio with Woolf's interval beside the Wald p
  of the log odds ratio. Each family whole, named in ``ci_method`` and ``p_method``.

``ci_method`` and ``p_method`` are keys of :data:`peermentor.analysis.methods.CI_METHODS` and
:data:`peermentor.analysis.methods.P_METHODS`.

``pool_estimate`` / ``pool_se`` carry each effect on the scale that is pooled across
cohorts (:mod:`peermentor.analysis.meta`): Fisher z for r, log for ratios (Woolf SE; 0.5 added to
every cell of a table with a zero cell, as metafor's escalc does), g and the risk
difference as they are (Wald SE). ``direction`` says which way is positive.

>>> import pandas as pd
>>> program = {"roles": {"a": "A", "b": "B"}, "comparison": ["a", "b"],
...            "codebook": [{"id": "y", "text": "Y", "type": "binary", "construct": "v"}]}
>>> stats = pd.DataFrame({"program": "p", "year": "2024", "section": "s", "item": "y",
...     "option": "", "group": ["a", "a", "b", "b"], "statistic": ["n", "count"] * 2,
...     "value": [10, 8, 10, 4]})
>>> out = cohort_effects(stats, {"p": program}).set_index("metric")
>>> round(float(out.loc["risk_difference", "estimate"]), 2), out.loc["risk_ratio", "direction"]
(0.4, '>1 = a higher than b')
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as sps
from statsmodels.stats import proportion as smprop
from statsmodels.stats.contingency_tables import Table2x2

from peermentor.analysis import methods
from peermentor.analysis.mannwhitney import DEFAULT_MWU_VARIANT
from peermentor.analysis.precision import DETECTABLE_COLUMNS, ci_half_width, detectable_fields
from peermentor.analysis.stats import comparison_pair, round_values
from peermentor.ingest.config import asked_roles
from peermentor.ingest.itemtypes import item_type

EFFECT_COLUMNS = [
    "program",
    "year",
    "construct",
    "item",
    "item_type",
    "comparison",
    "role_a",
    "role_b",
    "n_a",
    "n_b",
    "metric",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "p",
    "p_method",
    "direction",
    "pool_scale",
    "pool_estimate",
    "pool_se",
    *DETECTABLE_COLUMNS,
    "note",
]

#: Metrics whose "no difference" value is 1 (ratios); the others' is 0.
RATIO_METRICS = frozenset({"risk_ratio", "odds_ratio"})


def _nan() -> float:
    return float("nan")


def rank_biserial_ci(r: float, n_a: int, n_b: int, level: float = 0.95) -> tuple[float, float]:
    """Normal-approximation CI of a two-sample rank-biserial r on the Fisher z scale.

    As R's effectsize::rank_biserial: ``tanh(atanh(r) +/- z * sqrt((nA+nB+1)/(3 nA nB)))``.
    NaN when |r| = 1 (the z scale has no finite point).

    >>> [round(v, 2) for v in rank_biserial_ci(0.5, 10, 10)]
    [0.03, 0.79]
    """
    if not (n_a and n_b) or not math.isfinite(r) or abs(r) >= 1:
        return _nan(), _nan()
    crit = float(sps.norm.ppf(1 - (1 - level) / 2))
    z, se = float(np.arctanh(r)), rank_biserial_se(n_a, n_b)
    return float(np.tanh(z - crit * se)), float(np.tanh(z + crit * se))


def rank_biserial_se(n_a: int, n_b: int) -> float:
    """SE of Fisher's z of a rank-biserial r (effectsize::rank_biserial)."""
    return math.sqrt((n_a + n_b + 1) / (3 * n_a * n_b))


def likert_effects(values: dict, n_a: int, n_b: int,
                   mwu_variant: str = DEFAULT_MWU_VARIANT) -> list[dict]:
    """Rank-biserial r and Hedges' g rows from per-role summaries.

    ``values``: ``mean_a``, ``sd_a``, ``mean_b``, ``sd_b`` and the Mann-Whitney ``rbc``
    and ``p`` (NaN when missing), that ``p`` computed under ``mwu_variant`` (the cohort's
    declared variant, which the row's ``p_method`` names).
    """
    rows = []
    r = values.get("rbc", _nan())
    if math.isfinite(r):
        low, high = rank_biserial_ci(r, n_a, n_b)
        finite = abs(r) < 1
        rows.append({
            "metric": "rank_biserial", "estimate": r, "ci_low": low, "ci_high": high,
            "ci_method": "fisher_z_rank_biserial",
            "p": values.get("p", _nan()),
            "p_method": methods.mwu_p_method(mwu_variant),
            "pool_scale": "atanh",
            "pool_estimate": float(np.arctanh(r)) if finite else _nan(),
            "pool_se": rank_biserial_se(n_a, n_b) if finite else _nan(),
            "note": "" if finite else "|r| = 1: no interval on the Fisher z scale; not pooled",
        })
    g = low = high = p = se = _nan()
    note = ""
    if n_a >= 2 and n_b >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, p = sps.ttest_ind_from_stats(values["mean_a"], values["sd_a"], n_a,
                                            values["mean_b"], values["sd_b"], n_b)
        if math.isfinite(t):
            g = float(pg.compute_effsize_from_t(t, nx=n_a, ny=n_b, eftype="hedges"))
            low, high = (float(v) for v in pg.compute_esci(
                stat=g, nx=n_a, ny=n_b, eftype="hedges", decimals=12))
            se = (high - low) / (2 * float(sps.t.ppf(0.975, n_a + n_b - 2)))
        else:
            note = "no spread in either role: standardised difference undefined"
    else:
        note = "fewer than 2 answers in a role: standardised difference undefined"
    rows.append({
        "metric": "hedges_g", "estimate": g, "ci_low": low, "ci_high": high,
        "ci_method": "hedges_g_t",
        "p": float(p), "p_method": "student_t",
        "pool_scale": "identity", "pool_estimate": g, "pool_se": se, "note": note,
    })
    return rows


def _interval_and_p(count_a, n_a, count_b, n_b, compare: str, ci: str, test: str):
    """statsmodels CI and test p for two proportions; NaN where undefined (e.g. 0/0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            low, high = smprop.confint_proportions_2indep(count_a, n_a, count_b, n_b,
                                                          method=ci, compare=compare)
            p = smprop.test_proportions_2indep(count_a, n_a, count_b, n_b, method=test,
                                               compare=compare).pvalue
        except (ValueError, ZeroDivisionError, FloatingPointError):
            return _nan(), _nan(), _nan()
    return float(low), float(high), float(p)


def log_ratio(count_a: int, n_a: int, count_b: int, n_b: int,
              metric: str = "odds_ratio") -> tuple[float, float]:
    """Log odds (or risk) ratio and its large-sample SE, as metafor's escalc computes them.

    statsmodels' Table2x2 on the counts; 0.5 is added to every cell of a table with a
    zero cell (escalc's ``add=1/2, to="only0"``).

    >>> [round(v, 4) for v in log_ratio(4, 123, 11, 139, "risk_ratio")]  # BCG trial 1
    [-0.8893, 0.5706]
    """
    table = np.array([[count_a, n_a - count_a], [count_b, n_b - count_b]], dtype=float)
    fitted = Table2x2(table + 0.5 if (table == 0).any() else table)
    if metric == "risk_ratio":
        return float(fitted.log_riskratio), float(fitted.log_riskratio_se)
    return float(fitted.log_oddsratio), float(fitted.log_oddsratio_se)


def binary_pool_inputs(count_a: int, n_a: int, count_b: int,
                       n_b: int) -> dict[str, tuple[str, float, float]]:
    """What pooling takes from a yes/no item: ``{metric: (pool_scale, estimate, se)}``.

    Risk difference with its Wald SE (NaN when neither role varies); log risk and odds
    ratios with their large-sample SEs (:func:`log_ratio`). The coverage test of the
    pooled intervals feeds these, as ``effects.csv`` does, to :func:`peermentor.analysis.meta.pool`.

    By hand, 38/42 vs 22/48: sqrt(0.9048 x 0.0952 / 42 + 0.4583 x 0.5417 / 48) = 0.0850;
    sqrt(1/38 - 1/42 + 1/22 - 1/48) = 0.1647; sqrt(1/38 + 1/4 + 1/22 + 1/26) = 0.6002.

    >>> {m: round(v[2], 4) for m, v in binary_pool_inputs(38, 42, 22, 48).items()}
    {'risk_difference': 0.085, 'risk_ratio': 0.1647, 'odds_ratio': 0.6002}
    """
    pa, pb = count_a / n_a, count_b / n_b
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wald_var = smprop.test_proportions_2indep(count_a, n_a, count_b, n_b, method="wald",
                                                  compare="diff", return_results=True).variance
    return {
        "risk_difference": ("identity", pa - pb,
                            math.sqrt(wald_var) if wald_var > 0 else _nan()),
        "risk_ratio": ("log", *log_ratio(count_a, n_a, count_b, n_b, "risk_ratio")),
        "odds_ratio": ("log", *log_ratio(count_a, n_a, count_b, n_b, "odds_ratio")),
    }


def binary_effects(count_a: int, n_a: int, count_b: int, n_b: int) -> list[dict]:
    """Risk difference, risk ratio and odds ratio rows for yes-counts of roles A and B.

    >>> rows = binary_effects(38, 42, 22, 48)
    >>> [(r["metric"], round(r["estimate"], 3)) for r in rows[:2]]
    [('risk_difference', 0.446), ('risk_ratio', 1.974)]
    """
    zero = 0 in (count_a, n_a - count_a, count_b, n_b - count_b)
    pooled = binary_pool_inputs(count_a, n_a, count_b, n_b)
    # statsmodels' Miettinen-Nurminen interval fails to bracket some small tables
    # (e.g. 9/10 vs 3/10), so the difference takes Newcombe's hybrid score interval.
    rd_low, rd_high, rd_p = _interval_and_p(count_a, n_a, count_b, n_b, "diff",
                                            "newcomb", "score")
    odds = methods.odds_ratio(count_a, n_a, count_b, n_b)
    if zero and not odds["note"]:  # exact conditional: only the pooled scale is corrected
        odds["note"] = "0.5 added to every cell for the pooled log scale (zero cell)"
    no_variance = not math.isfinite(pooled["risk_difference"][2])
    found = {
        "risk_difference": {
            "estimate": count_a / n_a - count_b / n_b, "ci_low": rd_low, "ci_high": rd_high,
            "ci_method": "newcombe_hybrid_score", "p": rd_p,
            "p_method": "score_miettinen_nurminen",
            "note": "no variance (all or none said yes): not pooled" if no_variance else ""},
        "risk_ratio": methods.risk_ratio(count_a, n_a, count_b, n_b),
        "odds_ratio": odds,
    }
    return [{"metric": metric, **row, "pool_scale": pooled[metric][0],
             "pool_estimate": pooled[metric][1], "pool_se": pooled[metric][2]}
            for metric, row in found.items()]


def direction_text(metric: str, role_a: str, role_b: str) -> str:
    """How to read the sign of an effect.

    >>> direction_text("odds_ratio", "mentor", "mentee")
    '>1 = mentor higher than mentee'
    """
    if metric in RATIO_METRICS:
        return f">1 = {role_a} higher than {role_b}"
    return f"positive = {role_a} higher than {role_b}"


def _scale_roles(scale: dict, program: dict) -> dict:
    """A multi-item scale as an outcome: put to the roles asked every one of its items."""
    items = {i["id"]: i for i in program.get("codebook", [])}
    asked = [set(asked_roles(program, items[i])) for i in scale["items"] if i in items]
    return {**scale, "roles": [r for r in program["roles"] if all(r in a for a in asked)]}


def cohort_effects(stats: pd.DataFrame, programs: dict[str, dict],
                   mwu_variants: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """Effects of every multi-item scale score (first, as ``item_type`` ``scale``: the
    outcome of its construct) and every Likert and yes/no item for each cohort's declared
    comparison.

    ``stats``: one or more cohorts' ``stats.csv`` rows; ``programs``: configs by id;
    ``mwu_variants``: the Mann-Whitney variant each ``(program, year)``'s stats.csv p was
    computed under (its paper's declared one, :func:`peermentor.papers.published.mwu_variant`),
    :data:`~peermentor.analysis.mannwhitney.DEFAULT_MWU_VARIANT` for a cohort not listed, as
    :func:`peermentor.analysis.stats.analyse_cohort` does. Items without a construct keep an
    empty ``construct`` (they are not pooled).
    """
    mwu_variants = mwu_variants or {}
    rows = []
    stats = stats.assign(year=stats["year"].astype(str),
                         option=stats["option"].fillna("").astype(str))
    stats = stats[stats["option"] == ""]
    for (program_id, year), cohort in stats.groupby(["program", "year"], sort=True):
        program = programs.get(program_id)
        if program is None:
            continue
        value = {
            (i, g, s): v for i, g, s, v in zip(cohort["item"], cohort["group"],
                                              cohort["statistic"], cohort["value"], strict=True)
        }
        # a scale score is one outcome of its construct; its items carry none
        outcomes = [{**_scale_roles(scale, program), "type": "scale"}
                    for scale in program.get("scales", [])]
        for item in [*outcomes, *program.get("codebook", [])]:
            # a scale score is compared as a Likert item is: by ranks
            headline = "rank_biserial" if item["type"] == "scale" else item_type(item).effect
            if headline is None:
                continue
            pair = comparison_pair(item, program)
            if pair is None:
                continue
            a, b = pair
            item_id = item["id"]
            n_a, n_b = value.get((item_id, a, "n")), value.get((item_id, b, "n"))
            if not n_a or not n_b or math.isnan(n_a) or math.isnan(n_b):
                continue
            n_a, n_b = int(n_a), int(n_b)
            baseline = None
            if headline == "rank_biserial":
                vs = f"{a}_vs_{b}"
                found = likert_effects({
                    "mean_a": value.get((item_id, a, "mean"), _nan()),
                    "sd_a": value.get((item_id, a, "sd"), _nan()),
                    "mean_b": value.get((item_id, b, "mean"), _nan()),
                    "sd_b": value.get((item_id, b, "sd"), _nan()),
                    "rbc": value.get((item_id, vs, "rbc"), _nan()),
                    "p": value.get((item_id, vs, "p"), _nan()),
                }, n_a, n_b, mwu_variants.get((program_id, str(year)), DEFAULT_MWU_VARIANT))
            else:
                found = binary_effects(int(value[(item_id, a, "count")]), n_a,
                                       int(value[(item_id, b, "count")]), n_b)
                baseline = value[(item_id, b, "count")] / n_b
            for row in found:
                # what the comparison could detect: a function of n_a and n_b (and, for
                # yes/no items, role B's share), never of the observed effect
                row |= detectable_fields(row["metric"], n_a, n_b, baseline)
                row["ci_half_width"] = ci_half_width(row["ci_low"], row["ci_high"],
                                                     row["pool_scale"])
                rows.append({
                    "program": program_id, "year": str(year),
                    "construct": item.get("construct") or "", "item": item_id,
                    "item_type": item["type"], "comparison": f"{a}_vs_{b}",
                    "role_a": a, "role_b": b, "n_a": n_a, "n_b": n_b,
                    "direction": direction_text(row["metric"], a, b), **row,
                })
    table = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    for col in ("n_a", "n_b"):
        table[col] = table[col].astype("Int64")
    # Byte-stable CSVs across platforms, as stats.csv (10 significant digits).
    for col in ("estimate", "ci_low", "ci_high", "p", "pool_estimate", "pool_se",
                "detectable_std", "detectable_effect", "ci_half_width"):
        table[col] = round_values(table[col].astype(float))
    return table.reset_index(drop=True)
