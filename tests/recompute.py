"""Recompute every p-value (and odds-ratio interval) of effects.csv by the method its label
names, from the validated answers: written here from scipy, statsmodels and the textbook
formulas, not through the package's code path (which reads stats.csv).

:data:`P_BY_METHOD` maps each ``p_method`` key of :data:`peermentor.analysis.methods.P_METHODS` to
a function of the two roles' answers (``x`` for the first-named role, ``y`` the second;
0/1 for yes/no items). :func:`check_effects` returns every disagreement.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio
from statsmodels.stats import proportion as smprop

from peermentor.analysis.mannwhitney import mwu_p


def _textbook(x, y, correction: float) -> float:
    """z = (|U - n1 n2 / 2| - correction) / sqrt(n1 n2 (N + 1) / 12), no tie correction."""
    n1, n2 = len(x), len(y)
    ranks = sps.rankdata(np.concatenate([x, y]))
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    z = max(abs(u - n1 * n2 / 2) - correction, 0) / math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    return float(min(1.0, 2 * sps.norm.sf(z)))


def _asymptotic(x, y, continuity: bool) -> float:
    return float(sps.mannwhitneyu(x, y, method="asymptotic",
                                  use_continuity=continuity).pvalue)


def _r_exact(x, y) -> float:
    # R's wilcox.test: exact without ties (n < 50), else the corrected normal approximation
    tied = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
    if tied or len(x) >= 50 or len(y) >= 50:
        return _asymptotic(x, y, True)
    return float(sps.mannwhitneyu(x, y, method="exact").pvalue)


def _table(x, y) -> np.ndarray:
    return np.array([[x.sum(), len(x) - x.sum()], [y.sum(), len(y) - y.sum()]], dtype=float)


def _wald_log(x, y, ratio: str) -> tuple[float, float]:
    """Log ratio and its large-sample SE by hand, 0.5 added to every cell with a zero."""
    (a, b), (c, d) = _table(x, y) + (0.5 if (_table(x, y) == 0).any() else 0.0)
    if ratio == "odds":
        return math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return (math.log((a / (a + b)) / (c / (c + d))),
            math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)))


def _wald_p(x, y, ratio: str) -> float:
    estimate, se = _wald_log(x, y, ratio)
    return float(2 * sps.norm.sf(abs(estimate / se)))


def _score_p(x, y) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels also forms an odds ratio on the way
        return float(smprop.test_proportions_2indep(
            x.sum(), len(x), y.sum(), len(y), method="score", compare="diff").pvalue)


P_BY_METHOD = {
    "mann_whitney_r_exact": _r_exact,
    "mann_whitney_r_correct": lambda x, y: _asymptotic(x, y, True),
    "mann_whitney_r_uncorrected": lambda x, y: _asymptotic(x, y, False),
    "mann_whitney_textbook_normal": lambda x, y: _textbook(x, y, 0.0),
    "mann_whitney_textbook_normal_cc": lambda x, y: _textbook(x, y, 0.5),
    "mann_whitney_scipy_exact": lambda x, y: float(
        sps.mannwhitneyu(x, y, method="exact").pvalue),
    # the exact variants SciPy has no option for: the package's rank-sum dynamic
    # programme, checked against R, SPSS and coin in tests/test_consistency.py
    "mann_whitney_spss_exact": lambda x, y: mwu_p(x, y, "spss_exact"),
    "mann_whitney_exact_conditional": lambda x, y: mwu_p(x, y, "exact_conditional"),
    "mann_whitney_exact_conditional_doubled": lambda x, y: mwu_p(
        x, y, "exact_conditional_doubled"),
    "student_t": lambda x, y: float(sps.ttest_ind(x, y, equal_var=True).pvalue),
    "score_miettinen_nurminen": lambda x, y: _score_p(x, y),
    "wald_log_risk_ratio": lambda x, y: _wald_p(x, y, "risk"),
    "fisher_exact": lambda x, y: float(sps.fisher_exact(_table(x, y).astype(int)).pvalue),
    "wald_log_odds_ratio": lambda x, y: _wald_p(x, y, "odds"),
}


def odds_ratio_interval(x, y, ci_method: str) -> tuple[float, float, float]:
    """The odds ratio and its 95% CI by the named method."""
    if ci_method == "exact_conditional":
        found = odds_ratio(_table(x, y).astype(int), kind="conditional")
        ci = found.confidence_interval(0.95)
        return float(found.statistic), float(ci.low), float(ci.high)
    assert ci_method == "woolf_log", ci_method
    estimate, se = _wald_log(x, y, "odds")
    half = sps.norm.isf(0.025) * se
    return math.exp(estimate), math.exp(estimate - half), math.exp(estimate + half)


def expected_odds_ratio_method(x, y) -> str:
    """The rule as the README states it: exact where any expected count is below 5."""
    table = _table(x, y)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    return "exact_conditional" if (expected < 5).any() else "woolf_log"


def _close(a: float, b: float) -> bool:
    return (math.isinf(a) and a == b) or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _answers(frame: pd.DataFrame, row, programs: dict | None) -> pd.Series:
    """The row's outcome per respondent: an item's answers, or a multi-item scale's score
    (scored by the package, :mod:`peermentor.analysis.measurement`: the p method is what is checked
    here, not the scoring, which tests/test_measurement.py checks against R's psych)."""
    if row.item_type != "scale":
        return pd.to_numeric(frame[row.item], errors="coerce")
    from peermentor.analysis.measurement import scale_score, scored_items

    program = (programs or {})[row.program]
    scale = next(s for s in program["scales"] if s["id"] == row.item)
    return scale_score(scored_items(frame, program, scale), scale)


def check_effects(effects: pd.DataFrame, validated: Path,
                  programs: dict | None = None) -> tuple[int, list[str]]:
    """(p-values recomputed, disagreements) for an effects.csv against the validated
    answers under ``validated`` (``<program>/<year>.responses.csv``); ``programs`` (configs
    by id) where a row is a multi-item scale's score."""
    problems, checked = [], 0
    answers: dict[tuple[str, str], pd.DataFrame] = {}
    # a value withheld for privacy (a marker, or blank) has nothing to recompute
    effects = effects.assign(**{c: pd.to_numeric(effects[c], errors="coerce")
                                for c in ("estimate", "ci_low", "ci_high", "p")})
    for row in effects.itertuples():
        key = (row.program, str(row.year))
        if key not in answers:
            answers[key] = pd.read_csv(validated / row.program / f"{row.year}.responses.csv",
                                       dtype={"role": str})
        frame = answers[key]
        outcome = _answers(frame, row, programs)
        x = outcome[frame["role"] == row.role_a].dropna().to_numpy(float)
        y = outcome[frame["role"] == row.role_b].dropna().to_numpy(float)
        where = f"{row.program} {row.year} {row.item} {row.metric}"
        if row.p_method not in P_BY_METHOD:
            problems.append(f"{where}: p_method {row.p_method!r} is not a known method")
            continue
        if row.metric == "odds_ratio":
            rule = expected_odds_ratio_method(x, y)
            if row.ci_method != rule:
                problems.append(f"{where}: ci_method {row.ci_method}, the rule gives {rule}")
            elif not pd.isna(row.estimate):
                again = odds_ratio_interval(x, y, row.ci_method)
                shown = (row.estimate, row.ci_low, row.ci_high)
                if not all(_close(float(a), float(b)) for a, b in zip(shown, again,
                                                                      strict=True)):
                    problems.append(f"{where}: {shown} but {row.ci_method} gives {again}")
        if pd.isna(row.p):
            continue  # withheld or undefined: nothing to recompute
        p = P_BY_METHOD[row.p_method](x, y)
        checked += 1
        if not math.isclose(float(row.p), p, rel_tol=1e-6, abs_tol=1e-12):
            problems.append(f"{where}: p {row.p} but {row.p_method} gives {p}")
    return checked, problems
