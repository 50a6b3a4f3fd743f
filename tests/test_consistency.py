"""GRIM, GRIMMER, SPRITE and Mann-Whitney variants on consistent and inconsistent inputs."""

import itertools
import statistics

import numpy as np
import pytest
from scipy import stats as sps

from peermentor.analysis.mannwhitney import mwu_p, rank_sum_distribution
from peermentor.papers.consistency import (
    attainable_mwu_p,
    grim,
    grim_percent_counts,
    grim_totals,
    grimmer,
    round_half_up,
    sprite,
)


def test_grim_on_brown_and_heathers_example():
    # Brown & Heathers (2017): a mean of 5.19 cannot come from 28 integers.
    assert not grim("5.19", 28)
    assert grim("5.18", 28) and grim_totals("5.18", 28) == [145]


def test_grim_keeps_trailing_zeros_of_a_printed_string():
    # 3.50 with n=3 needs T/3 in [3.495, 3.505): no whole T; 3.5 (one decimal) allows none
    # either, but 3.7 with n=3 allows T=11 (3.667 rounds to 3.7).
    assert not grim("3.50", 3)
    assert grim("3.7", 3) and not grim("3.70", 3)


def test_grim_for_percentages():
    # UNC: "95% of all students" fits 102 of 107, and no count of 90.
    assert grim_percent_counts("95", 107) == [102]
    assert grim_percent_counts("95", 90) == []
    # Ulsan Table 1: 3 of 19 is 15.8%, so a printed 6% fits no count of 3.
    assert 3 not in grim_percent_counts("6", 19)
    assert grim_percent_counts("16", 19) == [3]


def test_grimmer_by_hand():
    # n=2, mean 1.5: only {1,2} (SD 0.707) and {0,3} (SD 2.121) and wider pairs exist.
    assert grimmer("1.5", "0.71", 2)
    assert grimmer("1.5", "2.12", 2)
    assert not grimmer("1.5", "0.72", 2)
    assert not grimmer("1.5", "0.70", 2)


def test_grimmer_passes_what_only_the_scale_bounds_rule_out():
    # Mean 5.0, SD 1.0, n=3 is GRIMMER-consistent ({4, 5, 6}) but impossible on 1..5.
    assert grimmer("5.0", "1.0", 3)
    assert sprite(3, "5.0", "1.0", 1, 5) == []


def test_sprite_finds_every_sample_and_nothing_else():
    """Brute force over all 5^5 ordered samples agrees with the enumeration."""
    n, mean, sd = 5, "3.2", "1.3"
    brute = sorted({
        tuple(sorted(s)) for s in itertools.product(range(1, 6), repeat=n)
        if str(round_half_up(statistics.mean(s), 1)) == mean
        and str(round_half_up(statistics.stdev(s), 1)) == sd
    })
    assert brute and sprite(n, mean, sd, 1, 5) == brute


def test_sprite_on_ulsan_table2():
    # Typed from Table 2: mentors n=10 3.5±0.7, mentees n=9 3.7±0.9; both are attainable.
    for sample in sprite(10, "3.5", "0.7", 1, 5):
        assert statistics.mean(sample) == 3.5
        assert round_half_up(statistics.stdev(sample), 1) == round_half_up(0.7, 1)
    assert sprite(10, "3.5", "0.7", 1, 5) and sprite(9, "3.7", "0.9", 1, 5)


def test_mwu_variants_against_hand_computed_values():
    x, y = [1, 2, 3, 4], [5, 6, 7, 8]
    # Exact: 2 of the C(8,4)=70 splits are as extreme, so p = 2/70, whatever the rule.
    for variant in ("r_exact", "spss_exact", "scipy_exact", "exact_conditional",
                    "exact_conditional_doubled"):
        assert mwu_p(x, y, variant) == pytest.approx(2 / 70)
    # Normal approximation: U=0, mean 8, SD sqrt(12); z = -7.5/sqrt(12) with continuity.
    assert mwu_p(x, y, "r_correct") == pytest.approx(0.030383, abs=1e-6)
    assert mwu_p(x, y, "r_uncorrected") == pytest.approx(0.020921, abs=1e-6)
    with pytest.raises(ValueError, match="unknown Mann-Whitney variant"):
        mwu_p(x, y, "bogus")


def test_r_wilcox_test_help_page_example():
    # R ?wilcox.test, Hollander & Wolfe (1973) p. 69: R prints W = 35, p-value = 0.1272
    # for alternative = "greater" (exact); the two-sided p is twice the smaller tail.
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    assert mwu_p(x, y, "r_exact") == pytest.approx(2 * 0.1272, abs=2e-4)
    # exact = FALSE, correct = FALSE (H&W large-sample approximation): z = 10/sqrt(200/3)
    # = 1.2247, one-sided 0.1103 (normal table), two-sided 0.2207.
    assert mwu_p(x, y, "r_uncorrected") == pytest.approx(0.2207, abs=1e-4)


def test_r_and_stata_printed_outputs_on_the_same_data():
    # S. Sen, "Stata and R ranksum test p-values differ": ranks of groups 0 (n=5) and
    # 1 (n=6). R wilcox.test prints W = 24, p-value = 0.1255 (exact, no ties); Stata
    # ranksum prints z = 1.643, Prob > |z| = 0.1003 (normal, no continuity correction).
    group0, group1 = [11, 9, 4, 5, 10], [7, 6, 3, 2, 1, 8]
    assert mwu_p(group0, group1, "r_exact") == pytest.approx(0.1255, abs=1e-4)
    assert mwu_p(group0, group1, "r_uncorrected") == pytest.approx(0.1003, abs=1e-4)
    # SPSS's exact 2*(1-tailed) and SAS's exact are the same number without ties.
    assert mwu_p(group0, group1, "spss_exact") == pytest.approx(0.1255, abs=1e-4)
    assert mwu_p(group0, group1, "exact_conditional") == pytest.approx(0.1255, abs=1e-4)


def test_tied_variants_by_hand():
    # x = (1, 1), y = (1, 2, 3): midranks 2, 2 | 2, 4, 5; S = 4, U = 1, n1 n2 / 2 = 3.
    x, y = [1, 1], [1, 2, 3]
    # Conditional on the ties, the 10 splits give S = 4 (3 ways), 6 (3), 7 (3), 9 (1);
    # E(S) = 6. Distance rule: |S - 6| >= 2 for S = 4 and 9, so 4/10. Doubled: 2 x 3/10.
    assert mwu_p(x, y, "exact_conditional") == pytest.approx(0.4)
    assert mwu_p(x, y, "exact_conditional_doubled") == pytest.approx(0.6)
    # No-ties distribution of U for n = 2, 3: P(U <= 1) = 2/10, doubled 0.4.
    assert mwu_p(x, y, "spss_exact") == pytest.approx(0.4)
    # Tie-corrected variance 6/12 x (6 - 24/20) = 2.4; textbook variance 6 x 6/12 = 3.
    # z = 2/sqrt(2.4) = 1.2910 -> 0.19671; 1.5/sqrt(2.4) = 0.96825 -> 0.33292;
    # 2/sqrt(3) = 1.1547 -> 0.24821; 1.5/sqrt(3) = 0.86603 -> 0.38648 (two-sided).
    assert mwu_p(x, y, "r_uncorrected") == pytest.approx(0.19671, abs=1e-5)
    assert mwu_p(x, y, "r_correct") == pytest.approx(0.33292, abs=1e-5)
    assert mwu_p(x, y, "textbook_normal") == pytest.approx(0.24821, abs=1e-5)
    assert mwu_p(x, y, "textbook_normal_cc") == pytest.approx(0.38648, abs=1e-5)
    # R cannot compute an exact p with ties and prints the corrected normal one.
    assert mwu_p(x, y, "r_exact") == pytest.approx(0.33292, abs=1e-5)


def test_half_integer_u_is_not_truncated():
    # x = (1, 2), y = (2, 3): midranks 1, 2.5 | 2.5, 4, U = 0.5. Without ties, U over the
    # 6 splits is 0, 1, 2, 2, 3, 4: P(U <= 0.5) = 1/6, so SPSS's 2*(1-tailed) is 1/3.
    # SciPy truncates the larger U, 3.5, to 3 and doubles P(U >= 3) = 2/6.
    assert mwu_p([1, 2], [2, 3], "spss_exact") == pytest.approx(1 / 3)
    assert mwu_p([1, 2], [2, 3], "scipy_exact") == pytest.approx(2 / 3)


def test_rank_sum_distribution_by_hand_and_against_scipy_permutation():
    # Ranks 1, 2.5, 2.5, 4 (doubled 2, 5, 5, 8), two drawn: sums 3.5, 5, 6.5, 2 ways each.
    prob = rank_sum_distribution([2, 5, 5, 8], 2)
    assert {s: round(p * 6) for s, p in enumerate(prob) if p} == {7: 2, 10: 2, 13: 2}
    # SciPy's permutation test enumerates every split; the DP must agree.
    x, y = [1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5]
    enumerated = sps.mannwhitneyu(x, y, method=sps.PermutationMethod(n_resamples=np.inf))
    assert mwu_p(x, y, "exact_conditional_doubled") == pytest.approx(enumerated.pvalue)


def test_exact_variants_refuse_huge_samples():
    with pytest.raises(ValueError, match="normal-approximation variant"):
        rank_sum_distribution(list(range(2, 2 * 1000, 2)), 10)


def test_ulsan_table2_all_three_p_attainable_under_one_variant():
    # Typed from Table 2 (mentors n=10, mentees n=9, 1..5): 3.5±0.7 vs 3.7±0.9, p 0.68;
    # 3.4±1.2 vs 3.9±1.2, p 0.33; 3.6±0.5 vs 3.8±1.0, p 0.60.
    table = [(("3.5", "0.7"), ("3.7", "0.9"), "0.68"), (("3.4", "1.2"), ("3.9", "1.2"), "0.33"),
             (("3.6", "0.5"), ("3.8", "1.0"), "0.60")]
    for (m1, s1), (m2, s2), p in table:
        found = attainable_mwu_p(sprite(10, m1, s1, 1, 5), sprite(9, m2, s2, 1, 5))
        assert p in found["textbook_normal_cc"]
    # By hand for the 0.68 pair: ranks give U = 39.5; mean 45, textbook variance
    # 10 x 9 x 20 / 12 = 150; z = (5.5 - 0.5)/sqrt(150) = 0.40825, two-sided 0.6831.
    x, y = (2, 3, 3, 3, 4, 4, 4, 4, 4, 4), (2, 3, 3, 4, 4, 4, 4, 4, 5)
    assert round(mwu_p(x, y, "textbook_normal_cc"), 4) == 0.6831
