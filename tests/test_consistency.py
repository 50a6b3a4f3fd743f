"""GRIM, GRIMMER, SPRITE and Mann-Whitney variants on consistent and inconsistent inputs."""

import itertools
import statistics

import pytest

from peermentor.consistency import (
    attainable_mwu_p,
    grim,
    grim_percent_counts,
    grim_totals,
    grimmer,
    mwu_p,
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
    # Exact: 2 of the C(8,4)=70 splits are as extreme, so p = 2/70.
    assert mwu_p(x, y, "exact") == pytest.approx(2 / 70)
    assert mwu_p(x, y, "permutation") == pytest.approx(2 / 70)
    # Normal approximation: U=0, mean 8, SD sqrt(12); z = -7.5/sqrt(12) with continuity.
    assert mwu_p(x, y, "normal_cc") == pytest.approx(0.030383, abs=1e-6)
    assert mwu_p(x, y, "normal") == pytest.approx(0.020921, abs=1e-6)
    with pytest.raises(ValueError, match="unknown Mann-Whitney variant"):
        mwu_p(x, y, "bogus")


def test_permutation_variant_accounts_for_ties():
    # With heavy ties the exact-ignoring-ties and the tie-aware permutation p differ.
    x, y = [1, 1, 1, 2, 2], [2, 2, 3, 3, 3]
    assert mwu_p(x, y, "permutation") != pytest.approx(mwu_p(x, y, "exact"))


def test_ulsan_printed_p_068_is_attainable_under_no_variant():
    first, second = sprite(10, "3.5", "0.7", 1, 5), sprite(9, "3.7", "0.9", 1, 5)
    attainable = attainable_mwu_p(first, second)
    assert set(attainable) == {"normal_cc", "normal", "exact", "permutation"}
    assert all("0.68" not in values for values in attainable.values())
    # ... while Table 2's 0.33 and 0.60 are each attainable under some variant.
    attitude = attainable_mwu_p(sprite(10, "3.4", "1.2", 1, 5), sprite(9, "3.9", "1.2", 1, 5),
                                variants=["normal_cc"])
    assert "0.33" in attitude["normal_cc"]
    content = attainable_mwu_p(sprite(10, "3.6", "0.5", 1, 5), sprite(9, "3.8", "1.0", 1, 5),
                               variants=["exact"])
    assert "0.60" in content["exact"]
