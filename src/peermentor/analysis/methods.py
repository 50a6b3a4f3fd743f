"""The named methods behind every interval and p-value of ``effects.csv``, and the two
ratio estimators every output shares.

``ci_method`` and ``p_method`` in ``effects.csv`` hold a key of :data:`CI_METHODS` and
:data:`P_METHODS`: a fixed vocabulary, each key one computation, so that a reader (or a
test) can recompute every number by the method its label names. The descriptions are
what the cohort report and the README show.

:func:`odds_ratio` and :func:`risk_ratio` are the only places a 2x2 table becomes a
ratio with a 95% CI: ``stats.csv``, ``effects.csv``, the cohort report and the site all
show their numbers. The odds ratio is chosen by a stated rule (:data:`EXACT_BELOW`):

* **small cells** (any expected count, row total x column total / N, below 5, Cochran's
  rule for an exact test): the conditional maximum-likelihood odds ratio with its exact
  conditional interval beside Fisher's exact p, as R's ``fisher.test`` reports them;
* **otherwise**: the sample odds ratio ad / bc with Woolf's interval on the log scale
  beside the Wald z test of the log odds ratio (0.5 added to every cell of a table with
  a zero cell).

The exact interval's cost grows with the table's smallest margin (a search over the
noncentral hypergeometric distribution: 175 CPU-s for a 2x2 table of 500,000 people); a
table with an expected count below 5 has a smallest margin below sqrt(5 N) (1,581 at
N = 500,000, a few milliseconds), so the rule keeps a cohort's report linear in its size.

>>> r = odds_ratio(3, 4, 1, 4)   # R ?fisher.test, tea tasting: expected counts of 2
>>> r["ci_method"], r["p_method"], round(r["estimate"], 4), round(r["p"], 4)
('exact_conditional', 'fisher_exact', 6.4083, 0.4857)
>>> odds_ratio(380, 420, 220, 480)["ci_method"]
'woolf_log'
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from peermentor.analysis.mannwhitney import MWU_VARIANTS

# scipy and statsmodels are imported where a ratio is computed, not here: the results
# site reads the vocabulary below and should not pay for them.

#: Short descriptions of the Mann-Whitney variants (:data:`MWU_VARIANTS` has the long
#: ones, with the software each matches).
MWU_SHORT = {
    "r_exact": "exact null distribution without ties (R wilcox.test default for small "
               "samples; with ties as r_correct)",
    "r_correct": "normal approximation with tie and continuity correction (R wilcox.test "
                 "exact=FALSE, SciPy asymptotic)",
    "r_uncorrected": "normal approximation with tie correction, no continuity correction "
                     "(SPSS Asymp. Sig.)",
    "textbook_normal": "textbook normal approximation, no tie or continuity correction",
    "textbook_normal_cc": "textbook normal approximation with continuity correction, no "
                          "tie correction",
    "spss_exact": "SPSS Exact Sig. [2*(1-tailed Sig.)], not corrected for ties",
    "scipy_exact": "SciPy method='exact' (no-ties distribution, U truncated)",
    "exact_conditional": "exact permutation distribution given the ties (SAS EXACT, coin)",
    "exact_conditional_doubled": "exact permutation distribution given the ties, doubled "
                                 "smaller tail (SciPy PermutationMethod)",
}

#: ``p_method`` key of the Mann-Whitney p computed under a variant.
MWU_PREFIX = "mann_whitney_"

#: Every ``p_method`` of effects.csv: key -> what computed the p-value.
P_METHODS: dict[str, str] = {
    **{f"{MWU_PREFIX}{variant}": f"Mann-Whitney U, {MWU_SHORT[variant]}"
       for variant in MWU_VARIANTS},
    "student_t": "Student's two-sample t-test, pooled variance (scipy ttest_ind_from_stats)",
    "score_miettinen_nurminen": "score test of the difference, Miettinen-Nurminen "
                                "(statsmodels test_proportions_2indep)",
    "wald_log_risk_ratio": "Wald z test of the log risk ratio (statsmodels Table2x2)",
    "fisher_exact": "Fisher's exact test, two-sided (scipy fisher_exact, as R fisher.test)",
    "wald_log_odds_ratio": "Wald z test of the log odds ratio, Woolf SE "
                           "(statsmodels Table2x2)",
}

#: Every ``ci_method`` of effects.csv: key -> what computed the 95% interval.
CI_METHODS: dict[str, str] = {
    "fisher_z_rank_biserial": "Fisher z of r, SE sqrt((nA+nB+1)/(3 nA nB)) "
                              "(as R effectsize::rank_biserial)",
    "hedges_g_t": "SE sqrt((nA+nB)/(nA nB) + g^2/(2(nA+nB))), t on nA+nB-2 df "
                  "(pingouin.compute_esci)",
    "newcombe_hybrid_score": "Newcombe hybrid score interval from Wilson intervals "
                             "(statsmodels)",
    "katz_log": "Wald on the log scale, Katz SE (statsmodels Table2x2)",
    "exact_conditional": "exact conditional interval of the conditional MLE odds ratio "
                         "(scipy odds_ratio kind='conditional', as R fisher.test)",
    "woolf_log": "Woolf: Wald on the log scale of the sample odds ratio "
                 "(statsmodels Table2x2)",
}

#: The odds ratio is exact conditional when any expected cell count is below this.
EXACT_BELOW = 5.0
ODDS_RATIO_RULE = (
    "odds ratio: conditional MLE with exact conditional CI and Fisher's exact p when any "
    f"expected cell count is below {EXACT_BELOW:g}; otherwise the sample odds ratio with "
    "Woolf's log-scale CI and Wald p (0.5 added to every cell of a table with a zero cell)")
ZERO_CELL = "0.5 added to every cell (zero cell)"


def mwu_p_method(variant: str) -> str:
    """The ``p_method`` key of a Mann-Whitney p under ``variant``.

    >>> mwu_p_method("textbook_normal_cc")
    'mann_whitney_textbook_normal_cc'
    """
    if variant not in MWU_VARIANTS:
        raise ValueError(f"unknown Mann-Whitney variant {variant!r}; use one of "
                         f"{list(MWU_VARIANTS)}")
    return MWU_PREFIX + variant


def _table(count_a: int, n_a: int, count_b: int, n_b: int) -> np.ndarray:
    """Rows A, B; columns yes, no."""
    return np.array([[count_a, n_a - count_a], [count_b, n_b - count_b]], dtype=np.int64)


def _nan() -> float:
    return float("nan")


def _large_sample(table: np.ndarray):
    """statsmodels' Table2x2 of the counts (0.5 added to every cell with a zero) and a note."""
    from statsmodels.stats.contingency_tables import Table2x2

    zero = bool((table == 0).any())
    return Table2x2(table + 0.5 if zero else table.astype(float), shift_zeros=False), (
        ZERO_CELL if zero else "")


def odds_ratio(count_a: int, n_a: int, count_b: int, n_b: int) -> dict:
    """Odds ratio of yes (A vs B) with its 95% CI and p, by the rule :data:`EXACT_BELOW`.

    Returns ``estimate``, ``ci_low``, ``ci_high``, ``p``, ``ci_method``, ``p_method`` (keys
    of :data:`CI_METHODS` and :data:`P_METHODS`) and ``note``. A table with an empty row
    or column has no odds ratio (NaN, with a note).

    By hand: 38 x 26 / (4 x 22) = 11.227, SE sqrt(1/38 + 1/4 + 1/22 + 1/26) = 0.6002,
    exp(log 11.227 -/+ 1.96 x 0.6002) = 3.46 to 36.4 (expected counts 14 to 32: Woolf).

    >>> r = odds_ratio(38, 42, 22, 48)
    >>> r["ci_method"], round(r["estimate"], 3), [round(v, 2) for v in (r["ci_low"], r["ci_high"])]
    ('woolf_log', 11.227, [3.46, 36.4])
    """
    from scipy import stats as sps
    from scipy.stats.contingency import odds_ratio as conditional_odds_ratio

    table = _table(count_a, n_a, count_b, n_b)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(rows, cols) / table.sum()
    if (rows == 0).any() or (cols == 0).any():
        return {"estimate": _nan(), "ci_low": _nan(), "ci_high": _nan(),
                "p": float(sps.fisher_exact(table).pvalue), "ci_method": "exact_conditional",
                "p_method": "fisher_exact",
                "note": "everyone, or no one, answered yes: no odds ratio"}
    if (expected < EXACT_BELOW).any():
        conditional = conditional_odds_ratio(table, kind="conditional")
        ci = conditional.confidence_interval(confidence_level=0.95)
        return {"estimate": float(conditional.statistic), "ci_low": float(ci.low),
                "ci_high": float(ci.high), "p": float(sps.fisher_exact(table).pvalue),
                "ci_method": "exact_conditional", "p_method": "fisher_exact", "note": ""}
    fitted, note = _large_sample(table)
    low, high = fitted.oddsratio_confint(alpha=0.05)
    return {"estimate": float(fitted.oddsratio), "ci_low": float(low), "ci_high": float(high),
            "p": float(fitted.oddsratio_pvalue()), "ci_method": "woolf_log",
            "p_method": "wald_log_odds_ratio", "note": note}


def risk_ratio(count_a: int, n_a: int, count_b: int, n_b: int) -> dict:
    """Risk ratio P(yes | A) / P(yes | B) with the Katz log-scale 95% CI and Wald p.

    0.5 is added to every cell of a table with a zero cell (as metafor's escalc); a role
    with no answers has no ratio.

    >>> r = risk_ratio(38, 42, 22, 48)
    >>> round(r["estimate"], 3), round(r["ci_low"], 3), round(r["ci_high"], 3)
    (1.974, 1.429, 2.726)
    """
    if not n_a or not n_b:
        return {"estimate": _nan(), "ci_low": _nan(), "ci_high": _nan(), "p": _nan(),
                "ci_method": "katz_log", "p_method": "wald_log_risk_ratio",
                "note": "a role has no answers: no risk ratio"}
    fitted, note = _large_sample(_table(count_a, n_a, count_b, n_b))
    low, high = fitted.riskratio_confint(alpha=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = float(fitted.riskratio_pvalue())
    return {"estimate": float(fitted.riskratio), "ci_low": float(low), "ci_high": float(high),
            "p": p if math.isfinite(p) else _nan(), "ci_method": "katz_log",
            "p_method": "wald_log_risk_ratio", "note": note}


def legend(ci_keys, p_keys) -> str:
    """One sentence naming what each method key of a table means, for its caption.

    >>> print(legend(["woolf_log"], ["wald_log_odds_ratio"]))  # doctest: +ELLIPSIS
    Methods (ci_method, p_method): woolf_log = Woolf: ...; wald_log_odds_ratio = Wald z ...
    """
    parts = [f"{key} = {CI_METHODS[key]}" for key in dict.fromkeys(ci_keys) if key in CI_METHODS]
    parts += [f"{key} = {P_METHODS[key]}" for key in dict.fromkeys(p_keys) if key in P_METHODS]
    return f"Methods (ci_method, p_method): {'; '.join(parts)}." if parts else ""


#: Why pooled.csv uses the setting it does by default (config/config.yaml ``pooling:``).
POOLING_WHY = (
    "By default REML with the z test and interval (pooling: method: reml, knapp_hartung: "
    "false in config/config.yaml): metafor's default, so pooled rows can be set beside "
    "most published meta-analyses, and calibrated in this project's coverage test (93-96% "
    "of 95% CIs cover the truth on simulated consortia of 20 cohorts, every metric; "
    "tests/test_coverage.py). knapp_hartung: true (t on k - 1 df) was as well calibrated "
    "there and is the safer choice with few cohorts and real heterogeneity.")


def pooling_statement(methods: list[tuple[str, str]]) -> str:
    """Which setting a pooled table used (its distinct ``method``, ``ci_method`` pairs)
    and why that is the default.

    >>> pooling_statement([("REML", "z")])[:40]
    'This table: REML, z interval and test. B'
    """
    used = "; ".join(f"{m}, {'z interval and test' if c == 'z' else c}"
                     for m, c in dict.fromkeys(methods))
    return (f"This table: {used}. " if used else "") + POOLING_WHY


def describe(key: str) -> str:
    """What a ``ci_method`` or ``p_method`` key means (the key itself if it is none).

    >>> describe("fisher_exact")
    "Fisher's exact test, two-sided (scipy fisher_exact, as R fisher.test)"
    """
    return CI_METHODS.get(key) or P_METHODS.get(key) or key
