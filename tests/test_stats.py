"""Per-cohort statistics against values worked out by hand or with scipy directly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from peermentor.analysis import stats

Z975 = sps.norm.ppf(0.975)


def program(**extra) -> dict:
    base = {
        "program": "demo",
        "roles": {"mentor": "Mentors", "mentee": "Mentees", "other": "Informal"},
        "excluded_roles": ["other"],
        "comparison": ["mentor", "mentee"],
        "cohorts": {"2020": {"invited": {"mentor": 20, "mentee": 25, "total": 60}}},
        "codebook": [],
    }
    base.update(extra)
    return base


def responses(roles: list[str], **columns) -> pd.DataFrame:
    data = {"respondent_id": [f"r{i:02d}" for i in range(len(roles))], "role": roles}
    data.update(columns)
    return pd.DataFrame(data)


def value(df: pd.DataFrame, statistic: str, group: str, item: str | None = None,
          option: str = "") -> float:
    sel = df[(df["statistic"] == statistic) & (df["group"] == group) & (df["option"] == option)]
    if item is not None:
        sel = sel[sel["item"] == item]
    assert len(sel) == 1, (statistic, group, item, option, sel)
    return float(sel["value"].iloc[0])


def has(df: pd.DataFrame, statistic: str, group: str) -> bool:
    return bool(((df["statistic"] == statistic) & (df["group"] == group)).any())


# ----------------------------------------------------------------------------- shape


def test_every_function_returns_the_tidy_columns():
    prog = program(codebook=[{"id": "q", "text": "Q", "type": "likert",
                              "scale": {"min": 1, "max": 5}}])
    resp = responses(["mentor", "mentee"], q=[4, 2])
    outputs = [
        stats.participation(resp, prog, 2020),
        stats.demographics(resp, prog),
        stats.likert_summary(resp, prog),
        stats.likert_tests(resp, prog),
        stats.binary_summary(resp, prog),
        stats.choice_summary(resp, prog),
        stats.numeric_summary(resp, prog),
        stats.multi_choice_summary(resp, prog),
        stats.ranking_summary(resp, prog),
        stats.codes_summary(pd.DataFrame(), prog),
    ]
    for out in outputs:
        assert list(out.columns) == stats.COLUMNS
        assert out["value"].dtype == np.float64


# ----------------------------------------------------------------------------- participation


def test_participation_flow_with_invited_counts_and_exclusions():
    resp = responses(["mentor"] * 4 + ["mentee"] * 5 + ["other"] * 2)
    out = stats.participation(resp, program(), "2020")
    assert value(out, "invited", "mentor") == 20
    assert value(out, "responded", "mentor") == 4
    assert value(out, "response_rate", "mentor") == pytest.approx(20.0)
    assert value(out, "response_rate", "mentee") == pytest.approx(20.0)
    assert value(out, "excluded", "other") == 2
    assert value(out, "analysed", "other") == 0
    assert not has(out, "invited", "other")  # unknown: omitted, not 0
    assert not has(out, "response_rate", "other")
    assert value(out, "invited", "all") == 60
    assert value(out, "responded", "all") == 11
    assert value(out, "analysed", "all") == 9
    assert value(out, "excluded", "all") == 2
    assert value(out, "response_rate", "all") == pytest.approx(100 * 11 / 60)


def test_participation_without_invited_and_sum_of_roles():
    resp = responses(["mentor", "mentee", "mentee"])
    unknown = stats.participation(resp, program(cohorts={}), 2020)
    assert not (unknown["statistic"] == "invited").any()
    assert not (unknown["statistic"] == "response_rate").any()
    summed = stats.participation(
        resp,
        program(roles={"mentor": "M", "mentee": "E"}, excluded_roles=[],
                cohorts={"2020": {"invited": {"mentor": 4, "mentee": 6}}}),
        2020,
    )
    assert value(summed, "invited", "all") == 10
    assert value(summed, "response_rate", "all") == pytest.approx(30.0)


# ----------------------------------------------------------------------------- likert


LIKERT = {"id": "q1", "text": "Q1", "type": "likert", "section": "sat",
          "scale": {"min": 1, "max": 5}}


def test_likert_summary_by_hand():
    resp = responses(["mentor"] * 4 + ["mentee"] * 3 + ["other"],
                     q1=[1, 2, 2, 5, 4, None, 4, 1])
    out = stats.likert_summary(resp, program(codebook=[LIKERT]))
    # mentor: 1, 2, 2, 5 -> mean 2.5, squared deviations 2.25+.25+.25+6.25 = 9, sd sqrt(9/3)
    assert value(out, "n", "mentor") == 4
    assert value(out, "mean", "mentor") == pytest.approx(2.5)
    assert value(out, "sd", "mentor") == pytest.approx(math.sqrt(3))
    assert value(out, "median", "mentor") == pytest.approx(2.0)
    assert value(out, "q1", "mentor") == pytest.approx(1.75)
    assert value(out, "q3", "mentor") == pytest.approx(2.75)
    assert value(out, "count", "mentor", option="2") == 2
    assert value(out, "percent", "mentor", option="2") == pytest.approx(50.0)
    assert value(out, "count", "mentor", option="3") == 0
    # mentee: the missing answer is not counted
    assert value(out, "n", "mentee") == 2
    assert value(out, "percent", "mentee", option="4") == pytest.approx(100.0)
    # all = analysed roles only (the excluded 'other' answer 1 is left out)
    assert value(out, "n", "all") == 6
    assert value(out, "mean", "all") == pytest.approx(18 / 6)
    assert value(out, "count", "all", option="1") == 1
    assert not has(out, "n", "other")


def test_likert_tests_match_scipy_and_rank_biserial_by_hand():
    mentor, mentee = [5, 4, 4, 3, 5], [2, 3, 1, 3]
    resp = responses(["mentor"] * 5 + ["mentee"] * 4, q1=mentor + mentee)
    out = stats.likert_tests(resp, program(codebook=[LIKERT]))
    ref = sps.mannwhitneyu(mentor, mentee, alternative="two-sided")
    # U of the mentors by hand: pairs with mentor > mentee, ties count one half
    u_hand = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in mentor for b in mentee)
    assert value(out, "U", "mentor_vs_mentee") == pytest.approx(u_hand)
    assert value(out, "U", "mentor_vs_mentee") == pytest.approx(ref.statistic)
    assert value(out, "p", "mentor_vs_mentee") == pytest.approx(ref.pvalue)
    assert value(out, "rbc", "mentor_vs_mentee") == pytest.approx(2 * u_hand / 20 - 1)
    assert value(out, "rbc", "mentor_vs_mentee") > 0  # mentors answer higher
    # a single-item family: Holm leaves p unchanged
    assert value(out, "p_holm", "mentor_vs_mentee") == pytest.approx(ref.pvalue)


def test_holm_within_a_section_family_only():
    items = [
        {**LIKERT, "id": "a"},
        {**LIKERT, "id": "b"},
        {**LIKERT, "id": "c"},
        {**LIKERT, "id": "d", "section": "other_section"},
        {**LIKERT, "id": "e", "roles": ["mentor"]},  # one role asked: no test
    ]
    roles = ["mentor"] * 6 + ["mentee"] * 6
    cols = {
        "a": [5, 5, 4, 5, 4, 5, 1, 2, 1, 2, 1, 2],
        "b": [4, 3, 4, 5, 3, 4, 3, 2, 3, 3, 2, 4],
        "c": [3, 3, 2, 4, 3, 3, 3, 2, 4, 3, 3, 3],
        "d": [5, 5, 4, 5, 4, 5, 1, 2, 1, 2, 1, 2],
        "e": [3] * 6 + [None] * 6,
    }
    out = stats.likert_tests(responses(roles, **cols), program(codebook=items))
    raw = {}
    for item in "abcd":
        x, y = cols[item][:6], cols[item][6:]
        raw[item] = sps.mannwhitneyu(x, y, alternative="two-sided").pvalue
        assert value(out, "p", "mentor_vs_mentee", item) == pytest.approx(raw[item])
    # Holm by hand for the family {a, b, c}: sort, multiply by m - i, running max, cap at 1
    fam = sorted("abc", key=raw.get)
    adjusted, running = {}, 0.0
    for i, item in enumerate(fam):
        running = max(running, min(1.0, (3 - i) * raw[item]))
        adjusted[item] = running
    for item in "abc":
        assert value(out, "p_holm", "mentor_vs_mentee", item) == pytest.approx(adjusted[item])
    assert adjusted[fam[0]] == pytest.approx(3 * raw[fam[0]])  # the case is non-trivial
    # 'd' is alone in its section: not adjusted for a, b, c
    assert value(out, "p_holm", "mentor_vs_mentee", "d") == pytest.approx(raw["d"])
    assert not (out["item"] == "e").any()


# ----------------------------------------------------------------------------- binary


BINARY = {"id": "again", "text": "Mentor again?", "type": "binary", "section": "outcomes"}


def test_binary_two_by_two_odds_and_risk_ratio():
    # mentors 8/10 yes, mentees 3/10 yes
    resp = responses(["mentor"] * 10 + ["mentee"] * 10,
                     again=[1] * 8 + [0] * 2 + [1] * 3 + [0] * 7)
    out = stats.binary_summary(resp, program(codebook=[BINARY]))
    g = "mentor_vs_mentee"
    assert value(out, "count", "mentor") == 8
    assert value(out, "n", "mentor") == 10
    assert value(out, "percent", "mentee") == pytest.approx(30.0)
    assert value(out, "percent", "all") == pytest.approx(55.0)
    # Expected count of "no" among mentors 9 * 10 / 20 = 4.5 < 5: the exact conditional
    # odds ratio. R: fisher.test(matrix(c(8, 2, 3, 7), 2, byrow = TRUE)) prints
    # odds ratio 8.153063, 95% CI 0.8821175 to 127.0558418, p-value = 0.06978.
    # (R's uniroot stops at its default tolerance: agreement to 1e-4.)
    assert value(out, "odds_ratio", g) == pytest.approx(8.153063, rel=1e-4)
    assert value(out, "odds_ratio_ci_low", g) == pytest.approx(0.8821175, rel=1e-4)
    assert value(out, "odds_ratio_ci_high", g) == pytest.approx(127.0558, rel=1e-3)
    risk = 0.8 / 0.3
    se_log_rr = math.sqrt(1 / 8 - 1 / 10 + 1 / 3 - 1 / 10)
    assert value(out, "risk_ratio", g) == pytest.approx(risk)
    assert value(out, "risk_ratio_ci_low", g) == pytest.approx(
        math.exp(math.log(risk) - Z975 * se_log_rr))
    assert value(out, "risk_ratio_ci_high", g) == pytest.approx(
        math.exp(math.log(risk) + Z975 * se_log_rr))
    assert value(out, "p", g) == pytest.approx(0.0697785, rel=1e-5)


def test_binary_large_table_gets_the_woolf_odds_ratio():
    # 80/100 vs 30/100: every expected count >= 5, so the sample odds ratio with
    # Woolf's interval (by hand: SE sqrt(1/80 + 1/20 + 1/30 + 1/70)).
    resp = responses(["mentor"] * 100 + ["mentee"] * 100,
                     again=[1] * 80 + [0] * 20 + [1] * 30 + [0] * 70)
    out = stats.binary_summary(resp, program(codebook=[BINARY]))
    g = "mentor_vs_mentee"
    odds = (80 * 70) / (20 * 30)
    se_log_or = math.sqrt(1 / 80 + 1 / 20 + 1 / 30 + 1 / 70)
    assert value(out, "odds_ratio", g) == pytest.approx(odds)
    assert value(out, "odds_ratio_ci_low", g) == pytest.approx(
        math.exp(math.log(odds) - Z975 * se_log_or))
    assert value(out, "odds_ratio_ci_high", g) == pytest.approx(
        math.exp(math.log(odds) + Z975 * se_log_or))


def test_binary_zero_cell_adds_one_half_to_every_cell():
    resp = responses(["mentor"] * 5 + ["mentee"] * 5, again=[1] * 5 + [1, 1, 0, 0, 0])
    out = stats.binary_summary(resp, program(codebook=[BINARY]))
    g = "mentor_vs_mentee"
    # Risk ratio: [[5, 0], [2, 3]] + 0.5 -> [[5.5, 0.5], [2.5, 3.5]]
    assert value(out, "risk_ratio", g) == pytest.approx((5.5 / 6) / (2.5 / 6))
    # Odds ratio: expected counts below 5, so exact conditional on the raw counts, as
    # R's fisher.test(matrix(c(5, 0, 2, 3), 2, byrow = TRUE)): Inf, CI 0.4933712 to Inf.
    assert value(out, "odds_ratio", g) == math.inf
    assert value(out, "odds_ratio_ci_low", g) == pytest.approx(0.4933712, rel=1e-4)
    # Fisher exact uses the raw counts
    assert value(out, "p", g) == pytest.approx(sps.fisher_exact([[5, 0], [2, 3]]).pvalue)


def test_binary_item_of_one_role_gets_descriptives_only():
    item = {**BINARY, "roles": ["mentor"]}
    resp = responses(["mentor"] * 3 + ["mentee"] * 2, again=[1, 0, 1, None, None])
    out = stats.binary_summary(resp, program(codebook=[item]))
    assert value(out, "percent", "mentor") == pytest.approx(200 / 3)
    assert set(out["group"]) == {"mentor", "all"}


# ----------------------------------------------------------------------------- choices


def test_choice_summary_counts_and_fisher_for_two_by_two():
    item = {"id": "spec", "text": "Specialty", "type": "single_choice",
            "choices": {"med": "Medicine", "surg": "Surgery", "other": "Other"}}
    resp = responses(["mentor"] * 5 + ["mentee"] * 4,
                     spec=["med", "med", "med", "surg", None, "med", "surg", "surg", "surg"])
    out = stats.choice_summary(resp, program(codebook=[item]))
    assert value(out, "n", "mentor") == 4
    assert value(out, "percent", "mentor", option="med") == pytest.approx(75.0)
    assert value(out, "count", "mentor", option="other") == 0
    assert value(out, "percent", "all", option="surg") == pytest.approx(4 / 8 * 100)
    # 'other' was never chosen, so the observed table is 2x2: Fisher exact
    p = sps.fisher_exact([[3, 1], [1, 3]]).pvalue
    assert value(out, "p", "mentor_vs_mentee") == pytest.approx(p)
    assert not has(out, "chi2", "mentor_vs_mentee")


def test_choice_summary_chi_square_matches_scipy_and_skips_demographics():
    item = {"id": "year", "text": "Year", "type": "single_choice",
            "choices": {"y1": "1", "y2": "2", "y3": "3"}}
    demo = {**item, "id": "gender", "section": "demographics"}
    a = ["y1"] * 5 + ["y2"] * 3 + ["y3"] * 2
    b = ["y1"] * 1 + ["y2"] * 4 + ["y3"] * 5
    resp = responses(["mentor"] * 10 + ["mentee"] * 10, year=a + b, gender=a + b)
    out = stats.choice_summary(resp, program(codebook=[item, demo]))
    chi2, p, dof, _ = sps.chi2_contingency([[5, 3, 2], [1, 4, 5]], correction=False)
    assert value(out, "chi2", "mentor_vs_mentee") == pytest.approx(chi2)
    assert value(out, "dof", "mentor_vs_mentee") == 2
    assert value(out, "p", "mentor_vs_mentee") == pytest.approx(p)
    assert value(out, "cramers_v", "mentor_vs_mentee") == pytest.approx(math.sqrt(chi2 / 20))
    assert set(out["item"]) == {"year"}


def test_choice_codes_read_as_numbers_still_match():
    item = {"id": "grade", "text": "Grade", "type": "single_choice",
            "choices": {"1": "One", "2": "Two"}}
    resp = responses(["mentor"] * 3, grade=[1.0, 2.0, np.nan])
    out = stats.choice_summary(resp, program(codebook=[item], comparison=None))
    assert value(out, "count", "mentor", option="1") == 1
    assert value(out, "n", "mentor") == 2


# ----------------------------------------------------------------------------- demographics


def test_demographics_numeric_and_categorical_balance():
    age = {"id": "age", "text": "Age", "type": "numeric", "section": "demographics"}
    gender = {"id": "gender", "text": "Gender", "type": "single_choice",
              "section": "demographics", "choices": {"f": "F", "m": "M"}}
    ages_a, ages_b = [24, 25, 27, 30], [23, 24, 26]
    resp = responses(["mentor"] * 4 + ["mentee"] * 3 + ["other"],
                     age=ages_a + ages_b + [60], gender=list("ffmmfmmf"))
    out = stats.demographics(resp, program(codebook=[age, gender]))
    ref = sps.mannwhitneyu(ages_a, ages_b, alternative="two-sided")
    assert value(out, "mean", "mentor", "age") == pytest.approx(26.5)
    assert value(out, "sd", "mentee", "age") == pytest.approx(np.std(ages_b, ddof=1))
    assert value(out, "median", "all", "age") == pytest.approx(25.0)
    assert value(out, "U", "mentor_vs_mentee", "age") == pytest.approx(ref.statistic)
    assert value(out, "p", "mentor_vs_mentee", "age") == pytest.approx(ref.pvalue)
    assert value(out, "percent", "mentee", "gender", "m") == pytest.approx(200 / 3)
    assert value(out, "p", "mentor_vs_mentee", "gender") == pytest.approx(
        sps.fisher_exact([[2, 2], [1, 2]]).pvalue)
    assert not has(out, "n", "other")


# ----------------------------------------------------------------------------- multiple response


def test_multi_choice_denominator_is_respondents_who_answered_ulsan_table_3():
    # Ulsan Table 3: 10 mentors and 9 mentees, two mentees gave no answer;
    # "Strengthen academic achievement" 2 of 7 mentees = 29 %, mentors 4 of 10 = 40 %.
    item = {"id": "purpose", "text": "Purpose", "type": "multi_choice",
            "choices": {"teach": "Teach juniors", "strengthen": "Strengthen achievement"}}
    teach = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0] + [0] * 7 + [None, None]
    strengthen = [0] * 10 + [1, 1, 0, 0, 0, 0, 0] + [None, None]
    resp = responses(["mentor"] * 10 + ["mentee"] * 9,
                     purpose__teach=teach, purpose__strengthen=strengthen)
    out = stats.multi_choice_summary(resp, program(codebook=[item]))
    assert value(out, "n", "mentee") == 7
    assert value(out, "count", "mentee", option="strengthen") == 2
    assert value(out, "percent", "mentee", option="strengthen") == pytest.approx(28.5714285714)
    assert round(value(out, "percent", "mentee", option="strengthen")) == 29
    assert value(out, "percent", "mentor", option="teach") == pytest.approx(40.0)
    assert value(out, "n", "all") == 17
    assert value(out, "percent", "all", option="teach") == pytest.approx(400 / 17)


def test_multi_choice_partly_filled_row_counts_as_answered():
    item = {"id": "m", "text": "M", "type": "multi_choice", "choices": {"x": "X", "y": "Y"}}
    resp = responses(["mentor"] * 2, m__x=[1, None], m__y=[None, None])
    out = stats.multi_choice_summary(resp, program(codebook=[item]))
    assert value(out, "n", "mentor") == 1
    assert value(out, "percent", "mentor", option="x") == pytest.approx(100.0)


# ----------------------------------------------------------------------------- ranking


def test_ranking_borda_order_by_hand():
    item = {"id": "level", "text": "Preferred mentor level", "type": "ranking",
            "choices": {"res": "Resident", "fac": "Faculty", "stu": "Student"}}
    # k = 3: rank 1 -> 3 points, 2 -> 2, 3 -> 1
    ranks = {
        "level__res": [1, 1, 2, 3, None],
        "level__fac": [2, 3, 1, 1, None],
        "level__stu": [3, 2, 3, 2, None],
    }
    resp = responses(["mentee"] * 5, **ranks)
    out = stats.ranking_summary(resp, program(codebook=[item]))
    # res: 3+3+2+1 = 9, fac: 2+1+3+3 = 9, stu: 1+2+1+2 = 6
    assert value(out, "n", "mentee") == 4
    assert value(out, "borda_points", "mentee", option="res") == 9
    assert value(out, "borda_points", "mentee", option="fac") == 9
    assert value(out, "borda_points", "mentee", option="stu") == 6
    assert value(out, "borda_rank", "mentee", option="res") == 1  # tie shares first place
    assert value(out, "borda_rank", "mentee", option="fac") == 1
    assert value(out, "borda_rank", "mentee", option="stu") == 3
    assert value(out, "mean_rank", "mentee", option="stu") == pytest.approx(2.5)
    assert value(out, "share_first", "mentee", option="res") == pytest.approx(50.0)
    assert value(out, "share_first", "mentee", option="stu") == pytest.approx(0.0)
    assert value(out, "n", "mentor") == 0  # mentors gave no ranking: no order
    assert math.isnan(value(out, "borda_rank", "mentor", option="res"))


def test_ranking_strict_order():
    item = {"id": "p", "text": "P", "type": "ranking", "choices": {"a": "A", "b": "B", "c": "C"}}
    resp = responses(["mentor"] * 2, p__a=[3, 3], p__b=[1, 1], p__c=[2, 2])
    out = stats.ranking_summary(resp, program(codebook=[item]))
    order = out[(out["group"] == "mentor") & (out["statistic"] == "borda_rank")]
    assert dict(zip(order["option"], order["value"], strict=True)) == {"a": 3, "b": 1, "c": 2}


# ----------------------------------------------------------------------------- codes


QUAL = {"categories": [
    {"id": "benefits", "label": "Benefits", "subcategories": [
        {"label": "Grades", "raised_by": ["mentee"]},
        {"label": "Responsibility", "raised_by": ["mentor"]}]},
    {"id": "negatives", "label": "Negative experiences"},
]}


def test_codes_summary_segments_and_raised():
    codes = pd.DataFrame({
        "segment_id": ["s1", "s2", "s3", "s4"],
        "respondent_id": ["", "", "", ""],
        "source": ["interview"] * 4,
        "role": ["mentee", "mentee", "mentor", "mentor"],
        "category": ["benefits", "benefits", "benefits", "newcat"],
        "subcategory": ["Grades", "Grades", "Responsibility", ""],
    })
    out = stats.codes_summary(codes, program(qualitative=QUAL))
    assert value(out, "segments", "mentee", "benefits") == 2
    assert value(out, "segments", "mentor", "benefits") == 1
    assert value(out, "segments", "mentee", "benefits", "Grades") == 2
    assert value(out, "raised", "mentor", "benefits", "Grades") == 0
    assert value(out, "raised", "mentor", "benefits", "Responsibility") == 1
    assert value(out, "raised", "mentee", "negatives") == 0  # listed, never coded
    assert value(out, "raised", "mentor", "newcat") == 1  # coded, not listed
    assert set(out["section"]) == {"qualitative"}
    assert list(dict.fromkeys(out["item"])) == ["benefits", "negatives", "newcat"]


def test_codes_summary_empty():
    assert stats.codes_summary(None, program()).empty
    empty = pd.DataFrame(columns=["segment_id", "respondent_id", "source", "role", "category",
                                  "subcategory"])
    assert stats.codes_summary(empty, program()).empty


# ----------------------------------------------------------------------------- assembly


def full_program() -> dict:
    return program(
        qualitative=QUAL,
        codebook=[
            {"id": "age", "text": "Age", "type": "numeric", "section": "demographics"},
            {"id": "gender", "text": "Gender", "type": "single_choice",
             "section": "demographics", "choices": {"f": "F", "m": "M"}},
            {**LIKERT, "id": "useful"},
            {**LIKERT, "id": "enjoy"},
            BINARY,
            {"id": "why", "text": "Why", "type": "multi_choice", "section": "motives",
             "choices": {"x": "X", "y": "Y", "z": "Z"}},
            {"id": "pref", "text": "Pref", "type": "ranking", "section": "motives",
             "choices": {"a": "A", "b": "B"}},
            {"id": "comment", "text": "Comment", "type": "free_text"},
        ],
    )


def full_responses(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 23
    roles = ["mentor"] * 9 + ["mentee"] * 11 + ["other"] * 3
    resp = responses(
        roles,
        age=rng.integers(20, 35, n).astype(float),
        gender=rng.choice(["f", "m"], n),
        useful=rng.integers(1, 6, n).astype(float),
        enjoy=rng.integers(1, 6, n).astype(float),
        again=rng.integers(0, 2, n).astype(float),
        why__x=rng.integers(0, 2, n).astype(float),
        why__y=rng.integers(0, 2, n).astype(float),
        why__z=rng.integers(0, 2, n).astype(float),
        pref__a=[1.0, 2.0] * 11 + [1.0],
        pref__b=[2.0, 1.0] * 11 + [2.0],
        comment=["text"] * n,
    )
    resp.loc[[2, 12], "useful"] = np.nan
    resp.loc[[3], ["why__x", "why__y", "why__z"]] = np.nan
    return resp


def full_codes() -> pd.DataFrame:
    return pd.DataFrame({
        "segment_id": ["1", "2", "3"], "respondent_id": ["", "", ""],
        "source": ["focus_group"] * 3, "role": ["mentor", "mentee", "mentee"],
        "category": ["benefits", "benefits", "negatives"], "subcategory": ["Grades", "", ""],
    })


def test_analyse_cohort_is_byte_identical_across_runs_and_row_orders():
    prog = full_program()
    first = stats.analyse_cohort(full_responses(), full_codes(), prog, "2020")
    second = stats.analyse_cohort(full_responses(), full_codes(), prog, "2020")
    shuffled = full_responses().sample(frac=1, random_state=3)
    third = stats.analyse_cohort(shuffled, full_codes().iloc[::-1], prog, "2020")
    text = first.to_csv(index=False)
    assert text == second.to_csv(index=False)
    assert text == third.to_csv(index=False)
    keys = ["section", "item", "option", "group", "statistic"]
    assert not first.duplicated(keys).any()


def test_analyse_cohort_columns_order_and_rounding():
    prog = full_program()
    out = stats.analyse_cohort(full_responses(), full_codes(), prog, 2020)
    assert list(out.columns) == ["program", "year", *stats.COLUMNS]
    assert set(out["program"]) == {"demo"} and set(out["year"]) == {"2020"}
    sections = list(dict.fromkeys(out["section"]))
    assert sections == ["participation", "demographics", "sat", "outcomes", "motives",
                        "qualitative"]
    sat_items = list(dict.fromkeys(out.loc[out["section"] == "sat", "item"]))
    assert sat_items == ["useful", "enjoy"]
    useful = out[(out["item"] == "useful") & (out["option"] == "")]
    assert list(dict.fromkeys(useful["group"])) == ["mentor", "mentee", "all",
                                                    "mentor_vs_mentee"]
    levels = out[(out["item"] == "useful") & (out["group"] == "mentor")
                 & (out["statistic"] == "count")]
    assert levels["option"].tolist() == ["1", "2", "3", "4", "5"]
    firsts = useful[useful["group"] == "mentor"]["statistic"].tolist()
    assert firsts == ["n", "mean", "sd", "median", "q1", "q3"]
    finite = out["value"].dropna()
    assert all(len(f"{v:.15g}".replace("-", "").replace(".", "").lstrip("0")
                   .split("e")[0]) <= 10 for v in finite)
    assert not (out["item"] == "comment").any()


def test_round_values_keeps_ten_significant_digits():
    out = stats.round_values(pd.Series([1 / 3, 123456789.987654321, np.nan, -0.0]))
    assert out.iloc[0] == 0.3333333333
    assert out.iloc[1] == 123456790.0
    assert np.isnan(out.iloc[2])
    assert math.copysign(1, out.iloc[3]) == 1


def test_mann_whitney_on_half_a_million_respondents_builds_no_pair_matrix():
    # pingouin.mwu builds an n1 x n2 matrix (here 2.5e5 x 2.5e5 = 6.25e10 cells) and runs
    # out of memory; the tie-corrected normal approximation needs only the ranks.
    n = 250_000
    answers = np.tile([1, 2, 3, 4, 5], 2 * n // 5)
    resp = pd.DataFrame({"respondent_id": np.arange(2 * n).astype(str),
                         "role": ["mentor"] * n + ["mentee"] * n, "q1": answers})
    out = stats.likert_tests(resp, program(codebook=[LIKERT]))
    # Both roles hold the same 1..5 mix, so U = n^2/2 exactly, r = 0 and p = 1.
    assert value(out, "U", "mentor_vs_mentee") == n * n / 2
    assert value(out, "rbc", "mentor_vs_mentee") == 0
    assert value(out, "p", "mentor_vs_mentee") == 1


def test_declared_variant_gives_the_p_of_likert_tests():
    # Hand calculation: x = (1, 1) vs y = (1, 2, 3), textbook variance 3, continuity 0.5:
    # z = 1.5/sqrt(3) = 0.86603, two-sided p = 0.38648; R's correct=TRUE gives 0.33292.
    resp = responses(["mentor"] * 2 + ["mentee"] * 3, q1=[1, 1, 1, 2, 3])
    prog = program(codebook=[LIKERT])
    textbook = stats.likert_tests(resp, prog, "textbook_normal_cc")
    assert value(textbook, "p", "mentor_vs_mentee") == pytest.approx(0.38648, abs=1e-5)
    assert value(stats.likert_tests(resp, prog), "p", "mentor_vs_mentee") == pytest.approx(
        0.33292, abs=1e-5)
    assert value(textbook, "rbc", "mentor_vs_mentee") < 0  # mentors answer lower
