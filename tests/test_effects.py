"""Per-cohort effects: values typed from reference implementations' documentation or by hand."""

import math

import pandas as pd
import pingouin as pg
import pytest

from peermentor.analysis.effects import (
    EFFECT_COLUMNS,
    binary_effects,
    cohort_effects,
    likert_effects,
    rank_biserial_ci,
)

# R's mtcars (datasets package): mpg for automatic (am = 0) and manual (am = 1) cars.
MPG_AUTO = [21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
            14.7, 21.5, 15.5, 15.2, 13.3, 19.2]
MPG_MANUAL = [21.0, 21.0, 22.8, 32.4, 30.4, 33.9, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4]


def test_rank_biserial_ci_matches_effectsize_documentation():
    # effectsize::rank_biserial(mpg ~ am, data = mtcars) prints
    # r (rank biserial) = -0.66, 95% CI [-0.84, -0.36].
    r = float(pg.mwu(MPG_AUTO, MPG_MANUAL)["RBC"].iloc[0])
    low, high = rank_biserial_ci(r, len(MPG_AUTO), len(MPG_MANUAL))
    assert (round(r, 2), round(low, 2), round(high, 2)) == (-0.66, -0.84, -0.36)


def test_rank_biserial_of_one_has_no_interval():
    assert all(math.isnan(v) for v in rank_biserial_ci(1.0, 5, 5))


def test_odds_ratio_matches_r_fisher_test_tea_tasting():
    # R's ?fisher.test example (Fisher's tea tasting, 3/4 vs 1/4), two-sided:
    # p-value = 0.4857, 95% CI 0.2117329 to 621.9337505, odds ratio 6.408309.
    row = {r["metric"]: r for r in binary_effects(3, 4, 1, 4)}["odds_ratio"]
    # scipy's root finding agrees with R's to 4 decimals (6.40832 vs 6.408309).
    assert round(row["estimate"], 4) == 6.4083
    assert round(row["ci_low"], 4) == 0.2117
    # The upper limit sits on a nearly flat tail where R's uniroot stops early
    # (scipy: 626.24); agreement to 1%.
    assert row["ci_high"] == pytest.approx(621.93, rel=0.01)
    assert round(row["p"], 4) == 0.4857


def test_risk_difference_matches_newcombe_1998_example():
    # Newcombe (1998), Stat Med 17:873-890, Table II, 56/70 vs 48/80: difference 0.2000,
    # method 10 (hybrid score) interval 0.0524 to 0.3339.
    row = binary_effects(56, 70, 48, 80)[0]
    assert row["metric"] == "risk_difference"
    assert round(row["estimate"], 4) == 0.2
    assert (round(row["ci_low"], 4), round(row["ci_high"], 4)) == (0.0524, 0.3339)


def test_risk_ratio_by_hand():
    # 38/42 vs 22/48: (38/42) / (22/48) = 1.974; log-scale SE
    # sqrt(1/38 - 1/42 + 1/22 - 1/48) = sqrt(0.027128) = 0.1647, so the Katz interval is
    # exp(0.68008 -/+ 1.96 * 0.1647) = exp(0.35725), exp(1.00291) = 1.429 to 2.726.
    row = {r["metric"]: r for r in binary_effects(38, 42, 22, 48)}["risk_ratio"]
    assert round(row["estimate"], 3) == 1.974
    assert round(row["pool_se"], 4) == 0.1647
    assert (round(row["ci_low"], 3), round(row["ci_high"], 3)) == (1.429, 2.726)


def test_zero_cell_adds_half_to_every_cell_for_pooling_only():
    rows = {r["metric"]: r for r in binary_effects(10, 10, 3, 10)}
    assert rows["risk_difference"]["estimate"] == pytest.approx(0.7)
    # escalc(measure="OR", add=1/2, to="only0"): log((10.5 * 7.5) / (0.5 * 3.5))
    assert rows["odds_ratio"]["pool_estimate"] == pytest.approx(math.log(10.5 * 7.5 / 1.75))
    assert "0.5 added" in rows["odds_ratio"]["note"]
    assert rows["odds_ratio"]["estimate"] == math.inf  # conditional MLE with a zero cell


def test_hedges_g_by_hand():
    # A: 5, 4, 4, 3 (mean 4, SD sqrt(2/3)); B: 3, 2, 2, 1 (mean 2, same SD).
    # d = 2 / sqrt(2/3) = 2.44949; J = 1 - 3 / (4 * 8 - 9) = 0.869565; g = 2.12999.
    # SE = sqrt(8/16 + g^2 / 16) = 0.885193; t(0.975, 6) = 2.446912.
    sd = math.sqrt(2 / 3)
    rows = likert_effects({"mean_a": 4, "sd_a": sd, "mean_b": 2, "sd_b": sd,
                           "rbc": 1.0, "p": 0.03}, 4, 4)
    g = {r["metric"]: r for r in rows}["hedges_g"]
    assert round(g["estimate"], 4) == 2.1300
    assert round(g["ci_low"], 3) == round(2.12999 - 2.446912 * 0.885193, 3)
    assert round(g["pool_se"], 4) == 0.8852
    r = {r["metric"]: r for r in rows}["rank_biserial"]
    assert math.isnan(r["pool_se"]) and "not pooled" in r["note"]


def _stats(rows):
    return pd.DataFrame(rows, columns=["program", "year", "section", "item", "option", "group",
                                       "statistic", "value"])


def test_cohort_effects_one_row_per_item_comparison_metric():
    program = {
        "roles": {"mentor": "M", "mentee": "E"}, "comparison": ["mentor", "mentee"],
        "codebook": [
            {"id": "sat", "text": "S", "type": "likert", "construct": "programme_value",
             "scale": {"min": 1, "max": 5}},
            {"id": "again", "text": "A", "type": "binary"},
            {"id": "only", "text": "O", "type": "binary", "roles": ["mentor"]},
        ],
    }
    rows = []
    for role, n, mean, sd, count in [("mentor", 10, 4.0, 1.0, 8), ("mentee", 9, 3.0, 1.0, 3)]:
        rows += [("p", "2024", "s", "sat", "", role, "n", n),
                 ("p", "2024", "s", "sat", "", role, "mean", mean),
                 ("p", "2024", "s", "sat", "", role, "sd", sd),
                 ("p", "2024", "s", "again", "", role, "n", n),
                 ("p", "2024", "s", "again", "", role, "count", count)]
    rows += [("p", "2024", "s", "sat", "", "mentor_vs_mentee", "rbc", 0.5),
             ("p", "2024", "s", "sat", "", "mentor_vs_mentee", "p", 0.06)]
    table = cohort_effects(_stats(rows), {"p": program})
    assert list(table.columns) == EFFECT_COLUMNS
    assert table[["item", "metric"]].values.tolist() == [
        ["sat", "rank_biserial"], ["sat", "hedges_g"], ["again", "risk_difference"],
        ["again", "risk_ratio"], ["again", "odds_ratio"]]
    assert set(table["comparison"]) == {"mentor_vs_mentee"}
    assert table["construct"].tolist()[:2] == ["programme_value"] * 2
    assert table["construct"].tolist()[2] == ""  # not mapped yet: listed, never pooled
    assert table.loc[0, "direction"] == "positive = mentor higher than mentee"
    assert (table["n_a"] == 10).all() and (table["n_b"] == 9).all()


def _program(**extra):
    return {"program": "demo", "roles": {"mentor": "M", "mentee": "E"},
            "codebook": [{"id": "sat", "text": "S", "type": "likert", "section": "sat",
                          "scale": {"min": 1, "max": 5}},
                         {"id": "fun", "text": "F", "type": "likert", "section": "sat",
                          "scale": {"min": 1, "max": 5}},
                         {"id": "again", "text": "A", "type": "binary"}], **extra}


def test_no_test_heading_without_tests_and_the_yaml_line_that_adds_one():
    from peermentor.publish.report import table_heading

    empty = pd.DataFrame(columns=["item", "group", "statistic", "section", "value"])
    heading, note = table_heading(empty, _program(), "likert")
    assert "Mann-Whitney" not in heading and "Holm" not in heading
    assert "`comparison: [mentor, mentee]`" in note and "config/programs/demo.yaml" in note
    heading, note = table_heading(empty, _program(), "binary")
    assert "Fisher" not in heading and "comparison: [mentor, mentee]" in note


def test_likert_heading_names_the_holm_family():
    from peermentor.publish.report import table_heading

    stats = pd.DataFrame({
        "section": "sat", "item": ["sat", "fun", "sat", "fun"],
        "group": "mentor_vs_mentee", "statistic": ["p", "p", "p_holm", "p_holm"],
        "value": [0.01, 0.2, 0.02, 0.2]})
    program = _program(comparison=["mentor", "mentee"])
    heading, note = table_heading(stats, program, "likert")
    assert "Mann-Whitney" in heading and note == ""
    assert "Holm family: the Likert items of each codebook section, section 'sat' (2 tests)" \
        in heading
