"""The Mann-Whitney (Wilcoxon rank-sum) test as each statistics package prints it.

A two-sided p-value of the same data differs between R, SPSS, SAS, Stata, StatXact/coin,
SciPy and the textbook formula (ties, continuity correction, exact or normal, the
two-sided rule): :data:`MWU_VARIANTS` names each, :func:`mwu_p` computes it. The cohort
statistics use the variant a cohort's paper declares (:data:`DEFAULT_MWU_VARIANT`
otherwise), and the audit of the papers asks which variant a printed p fits
(:mod:`peermentor.papers.consistency`). The normal-approximation and no-ties exact
p-values come from SciPy; the exact distribution of the rank sum given ties, which SciPy
only reaches by enumerating every split, is built here by dynamic programming
(:func:`rank_sum_distribution`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Every standard way a two-sided Mann-Whitney (Wilcoxon rank-sum) p-value is printed,
#: keyed by the software and option it matches; software that prints the same number
#: is listed with it. ``U`` is the statistic of the first sample (midranks for ties),
#: ``S`` its rank sum, ``N = n1 + n2``.
MWU_VARIANTS: dict[str, str] = {
    "r_exact": (
        "R wilcox.test(x, y) (R's default for n < 50; also exact=TRUE): exact null "
        "distribution of U without ties, two-sided min(1, 2 x the smaller tail); with ties "
        "R (before 4.6.0, not checked against later releases) warns 'cannot compute exact "
        "p-value with ties' and prints r_correct instead"
    ),
    "r_correct": (
        "R wilcox.test(exact=FALSE) (correct=TRUE, the default): normal approximation, "
        "tie-corrected variance, continuity correction 0.5 towards the mean, 2 x P(Z >= |z|); "
        "also SAS NPAR1WAY WILCOXON 'Two-Sided Pr > |Z|' (CORRECT=YES, its default), SciPy "
        "mannwhitneyu(method='asymptotic'), pingouin.mwu on tied data"
    ),
    "r_uncorrected": (
        "R wilcox.test(exact=FALSE, correct=FALSE): normal approximation, tie-corrected "
        "variance, no continuity correction; also SPSS 'Asymp. Sig. (2-tailed)', Stata "
        "ranksum 'Prob > |z|', SAS NPAR1WAY CORRECT=NO, SciPy use_continuity=False"
    ),
    "textbook_normal": (
        "textbook normal approximation without tie correction: "
        "z = (U - n1 n2/2) / sqrt(n1 n2 (N+1)/12), no continuity correction, 2 x P(Z >= |z|)"
    ),
    "textbook_normal_cc": (
        "textbook normal approximation without tie correction, continuity correction 0.5"
    ),
    "spss_exact": (
        "SPSS 'Exact Sig. [2*(1-tailed Sig.)]' (footnote 'Not corrected for ties'): twice "
        "the probability, under the no-ties distribution of U, of a U at least as far from "
        "n1 n2/2 on the observed side; a half-integer U from ties is kept, not truncated"
    ),
    "scipy_exact": (
        "SciPy mannwhitneyu(method='exact'): the no-ties distribution with the larger U "
        "truncated to an integer (int(40.5) = 40), 2 x P(U >= that)"
    ),
    "exact_conditional": (
        "SAS NPAR1WAY EXACT WILCOXON 'Two-Sided Pr >= |S - Mean|', R coin::wilcox_test("
        "distribution='exact'), StatXact: the exact permutation distribution of S given "
        "the tied midranks, two-sided by distance |S - E(S)|, i.e. of U from n1 n2/2 "
        "(Stata ranksum's exact option uses this distribution too; its two-sided rule is "
        "this one or exact_conditional_doubled, not checked here)"
    ),
    "exact_conditional_doubled": (
        "SciPy mannwhitneyu(method=PermutationMethod()) (scipy.stats.permutation_test's "
        "two-sided rule): the exact permutation distribution of S given the tied midranks, "
        "two-sided as min(1, 2 x the smaller tail)"
    ),
}


#: Variant of cohorts whose paper declares none: what R and SciPy print for tied
#: survey data, computed in O(n log n).
DEFAULT_MWU_VARIANT = "r_correct"


def mwu_method_statement(variant: str, first: str = "the first group") -> str:
    """One sentence for a report: which Mann-Whitney variant gave its p-values, and
    which way the rank-biserial r points.

    >>> text = mwu_method_statement("r_exact", "mentors")
    >>> text.startswith("Mann-Whitney p-values: R wilcox.test(x, y)")
    True
    >>> "positive when mentors answer higher" in text
    True
    """
    if variant not in MWU_VARIANTS:
        raise ValueError(f"unknown Mann-Whitney variant {variant!r}; use one of "
                         f"{list(MWU_VARIANTS)}")
    return (f"Mann-Whitney p-values: {MWU_VARIANTS[variant]} (variant `{variant}`). "
            f"U is that of {first}; the rank-biserial r = 2U/(n1 n2) - 1 is positive when "
            f"{first} answer higher, negative when lower.")


def _scipy_stats():
    """``scipy.stats``, imported on first use, not at the top: Snakemake imports this
    module at every start and most runs never compute a Mann-Whitney p."""
    from scipy import stats

    return stats


def _doubled_ranks(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, int]:
    """Twice the pooled midranks (whole numbers) and the size of the first sample."""
    pooled = np.concatenate([np.asarray(x, float), np.asarray(y, float)])
    if not len(x) or not len(y) or np.isnan(pooled).any():
        raise ValueError("Mann-Whitney needs two non-empty samples without missing values")
    return np.rint(2 * _scipy_stats().rankdata(pooled)).astype(np.int64), len(x)


#: Largest pooled sample the exact variants accept: the rank-sum table has
#: n1 x N(N+1) cells (30 MB at N = 200), fine for surveys, not for whole-school exports.
EXACT_MAX_N = 200


def rank_sum_distribution(doubled_ranks: Sequence[int], n1: int) -> np.ndarray:
    """Null distribution of twice the rank sum of ``n1`` of the given (doubled) ranks.

    Returns ``prob`` with ``prob[s]`` = P(2S = s) when ``n1`` of the pooled items are
    drawn at random, ties kept at their midranks (the conditional distribution SAS
    EXACT, StatXact and coin use; with distinct ranks it is the usual no-ties
    distribution). Built by dynamic programming over the tie groups, choosing ``j`` of
    a group of ``t`` in ``C(t, j)`` ways, in O(groups x n1 x N^2) time; nothing
    enumerates the C(N, n1) splits.

    >>> rank_sum_distribution([2, 4, 6], 1)[[2, 4, 6]].tolist()   # ranks 1, 2, 3
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    >>> prob = rank_sum_distribution([2, 5, 5, 8], 2)            # ranks 1, 2.5, 2.5, 4
    >>> {s: round(p * 6) for s, p in enumerate(prob) if p}
    {7: 2, 10: 2, 13: 2}
    """
    ranks = np.asarray(doubled_ranks, dtype=np.int64)
    if len(ranks) > EXACT_MAX_N:
        raise ValueError(f"exact Mann-Whitney p for N={len(ranks)} > {EXACT_MAX_N}; use a "
                         "normal-approximation variant")
    values, sizes = np.unique(ranks, return_counts=True)
    top = int(ranks.sum())
    ways = np.zeros((n1 + 1, top + 1))
    ways[0, 0] = 1.0
    seen_k = seen_s = 0  # only ways[:seen_k + 1, :seen_s + 1] can be non-zero so far
    for value, size in zip(values.tolist(), sizes.tolist(), strict=True):
        new = np.zeros_like(ways)
        for j in range(min(size, n1) + 1):
            shift, rows = j * value, min(seen_k, n1 - j) + 1
            new[j : j + rows, shift : shift + seen_s + 1] += (
                math.comb(size, j) * ways[:rows, : seen_s + 1])
        ways = new
        seen_k, seen_s = min(n1, seen_k + size), seen_s + size * value
    return ways[n1] / math.comb(len(ranks), n1)


def _normal_p(u: float, n1: int, n2: int, variance: float, correction: float) -> float:
    distance = max(abs(u - n1 * n2 / 2) - correction, 0.0)
    return float(min(1.0, 2 * _scipy_stats().norm.sf(distance / math.sqrt(variance))))


def mwu_p(x: Sequence[float], y: Sequence[float], variant: str = "r_correct") -> float:
    """Two-sided Mann-Whitney p-value of ``x`` vs ``y`` under one of :data:`MWU_VARIANTS`.

    On the example of R's ``?wilcox.test`` (Hollander & Wolfe 1973, p. 69) R prints
    W = 35 and a one-sided exact p-value = 0.1272, so the two-sided p is twice that:

    >>> x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    >>> y = [1.15, 0.88, 0.90, 0.74, 1.21]
    >>> round(mwu_p(x, y, "r_exact") / 2, 4)
    0.1272
    """
    if variant not in MWU_VARIANTS:
        raise ValueError(f"unknown Mann-Whitney variant {variant!r}; use one of "
                         f"{list(MWU_VARIANTS)}")
    doubled, n1 = _doubled_ranks(x, y)
    n2, n = len(doubled) - n1, len(doubled)
    ties = len(np.unique(doubled)) < n
    sps = _scipy_stats()
    if variant in ("r_correct", "r_uncorrected") or (variant == "r_exact" and ties):
        # SciPy's asymptotic p equals R's, SAS's and SPSS's normal approximation.
        return float(sps.mannwhitneyu(x, y, method="asymptotic",
                                      use_continuity=variant != "r_uncorrected").pvalue)
    if variant == "scipy_exact":
        return float(sps.mannwhitneyu(x, y, method="exact").pvalue)
    u = (int(doubled[:n1].sum()) - n1 * (n1 + 1)) / 2  # U of x, possibly half-integer
    if variant.startswith("textbook"):
        correction = 0.5 if variant == "textbook_normal_cc" else 0.0
        return _normal_p(u, n1, n2, n1 * n2 * (n + 1) / 12, correction)
    if variant in ("r_exact", "spss_exact"):
        # No-ties distribution; distance of U from n1 n2/2 (symmetric, so both tails agree).
        prob = rank_sum_distribution(np.arange(2, 2 * n + 1, 2), n1)
        distance = int(abs(2 * u - n1 * n2))  # 2|U - n1 n2/2|, a whole number
        # 2S at the lower tail's edge; an odd edge (half-integer U) has no mass, so the
        # tail stops at the whole U below it instead of truncating U upwards.
        s_low = n1 * (n1 + 1) + n1 * n2 - distance
        return float(min(1.0, 2 * prob[: s_low + 1].sum()))
    prob = rank_sum_distribution(doubled, n1)
    observed, centre = int(doubled[:n1].sum()), n1 * (n + 1)
    if variant == "exact_conditional":
        sums = np.arange(len(prob))
        return float(min(1.0, prob[np.abs(sums - centre) >= abs(observed - centre)].sum()))
    return float(min(1.0, 2 * min(prob[: observed + 1].sum(), prob[observed:].sum())))
