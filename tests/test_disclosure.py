"""Disclosure control against an attacker: a planted cohort opens each route of issue 18.

The planted cohort has, on purpose, every kind of small cell the issue's table lists: a
yes/no item where 4 of 42 mentors said no (risk difference, risk and odds ratios each pin
it), a 2x2 demographic table with a small cell (Fisher's p pins it), a categorical item
with small cells (the chi-square p pins them), Likert answers of 9-10 people with a few
at one level (mean, SD, median and quartiles pin them), a group of 2 (its mean is one
person's answer), and coded segments whose total gives a role's small count away. Each
test checks the route is open in what the statistics hold, then closed in what is shared.
A comparison with no small cell keeps every statistic.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from peermentor.analysis.effects import cohort_effects
from peermentor.analysis.precision import detectable_effect
from peermentor.analysis.stats import analyse_cohort
from peermentor.publish.compare import (
    harmonise_outcomes,
    share_outcomes,
    share_themes,
    theme_crosswalk,
)
from peermentor.publish.privacy import (
    LABEL_COLUMNS,
    SUPPRESSED,
    share_reproduction,
    share_stats,
    withhold_comparisons,
)

LEVELS = [1, 2, 3, 4, 5]
PROGRAM = {
    "program": "planted",
    "roles": {"mentor": "Mentors", "mentee": "Mentees", "faculty": "Faculty"},
    "comparison": ["mentor", "mentee"],
    "cohorts": {"2024": {"invited": {"mentor": 50, "mentee": 60, "faculty": 4}}},
    "codebook": [
        {"id": "gender", "text": "Gender", "type": "single_choice", "section": "demographics",
         "choices": {"f": "Female", "m": "Male"}},
        {"id": "year", "text": "Year", "type": "single_choice", "section": "demographics",
         "choices": {"y1": "Y1", "y2": "Y2", "y3": "Y3"}},
        {"id": "age", "text": "Age", "type": "numeric", "section": "demographics"},
        {"id": "beneficial", "text": "Beneficial?", "type": "binary", "construct": "benefit"},
        {"id": "useful", "text": "Useful?", "type": "binary", "construct": "value"},
        {"id": "sat", "text": "Satisfied?", "type": "likert", "construct": "satisfaction",
         "section": "satisfaction", "scale": {"min": 1, "max": 5}},
        {"id": "fit", "text": "Good fit?", "type": "likert", "construct": "fit",
         "section": "satisfaction", "scale": {"min": 1, "max": 5}},
    ],
    "qualitative": {"categories": [{"id": "gain", "label": "Gains"}]},
}


def planted() -> pd.DataFrame:
    """42 mentors, 48 mentees and 2 faculty, answers fixed by hand."""
    mentors, mentees, faculty = 42, 48, 2
    role = ["mentor"] * mentors + ["mentee"] * mentees + ["faculty"] * faculty

    def column(mentor: list, mentee: list, other: list) -> list:
        assert len(mentor) == mentors and len(mentee) == mentees and len(other) == faculty
        return mentor + mentee + other

    return pd.DataFrame({
        "respondent_id": [f"r{i:03d}" for i in range(len(role))],
        "role": role,
        # 2x2 with a small cell: 40 / 2 of mentors, 38 / 10 of mentees
        "gender": column(["f"] * 40 + ["m"] * 2, ["f"] * 38 + ["m"] * 10, ["f", "m"]),
        # 3 categories, small cells in both roles
        "year": column(["y1"] * 20 + ["y2"] * 19 + ["y3"] * 3,
                       ["y1"] * 30 + ["y2"] * 16 + ["y3"] * 2, ["y3", "y3"]),
        "age": column([24.0 + i % 5 for i in range(mentors)],
                      [22.0 + i % 4 for i in range(mentees)], [89.0, 47.0]),
        # UNC's route: 38 of 42 mentors (4 said no) against 22 of 48 mentees
        "beneficial": column([1] * 38 + [0] * 4, [1] * 22 + [0] * 26, [1, 1]),
        # no small cell anywhere: 30/12 against 20/28
        "useful": column([1] * 30 + [0] * 12, [1] * 20 + [0] * 28, [1, 0]),
        # Likert with a few at the ends
        "sat": column([2] * 1 + [3] * 3 + [4] * 30 + [5] * 8,
                      [1] * 2 + [2] * 6 + [3] * 15 + [4] * 20 + [5] * 5, [5, 5]),
        "fit": column([3] * 10 + [4] * 20 + [5] * 12, [3] * 10 + [4] * 20 + [5] * 18, [4, 4]),
    })


def codes() -> pd.DataFrame:
    """Coded segments: 6 from mentees and 3 from mentors under one category."""
    roles = ["mentee"] * 6 + ["mentor"] * 3
    return pd.DataFrame({"segment_id": [str(i) for i in range(len(roles))],
                         "respondent_id": "", "source": "interview", "role": roles,
                         "category": "gain", "subcategory": ""})


@pytest.fixture(scope="module")
def stats() -> pd.DataFrame:
    return analyse_cohort(planted(), codes(), PROGRAM, "2024")


@pytest.fixture(scope="module")
def shared(stats) -> pd.DataFrame:
    return share_stats(stats, PROGRAM, 5)


def value(frame: pd.DataFrame, item: str, group: str, statistic: str, option: str = ""):
    rows = frame[(frame["item"] == item) & (frame["group"] == group)
                 & (frame["statistic"] == statistic) & (frame["option"].fillna("") == option)]
    assert len(rows) == 1, (item, group, statistic, option)
    return rows.iloc[0]


# --------------------------------------------------------------------------------------
# The attacks, written here from scipy and the standard library (not the pipeline's code)
# --------------------------------------------------------------------------------------


def fits(candidate: float, shown: float, decimals: int | None) -> bool:
    """Does ``candidate`` print as ``shown`` (``decimals`` None: as stored, 10 digits)?"""
    if decimals is None:
        return math.isclose(candidate, shown, rel_tol=1e-8, abs_tol=1e-12)
    return abs(candidate - shown) <= 0.5 * 10 ** -decimals + 1e-9


def two_by_two_attack(n_a: int, n_b: int, yes_b: int | None, shown: dict) -> set[int]:
    """Every mentor yes-count consistent with the mentees' count and the shown statistics
    (``shown``: name -> value as stored: rd, rr, or, p)."""
    found = set()
    for yes_a in range(n_a + 1):
        for b in ([yes_b] if yes_b is not None else range(n_b + 1)):
            table = [[yes_a, n_a - yes_a], [b, n_b - b]]
            # the sample odds ratio with its Wald p on the log scale, as effects.csv
            # reports them (Woolf); Fisher's p as the demographic balance test does
            cells = np.array(table, dtype=float).ravel()
            log_or = (np.log(cells[0] * cells[3] / (cells[1] * cells[2]))
                      if cells.all() else float("nan"))
            wald = 2 * sps.norm.sf(abs(log_or) / np.sqrt((1 / cells).sum())) \
                if cells.all() else float("nan")
            got = {"rd": yes_a / n_a - b / n_b,
                   "rr": (yes_a / n_a) / (b / n_b) if b else float("nan"),
                   "or": math.exp(log_or) if cells.all() else float("nan"),
                   "p": wald, "fisher_p": sps.fisher_exact(table).pvalue}
            if all(fits(got[k], v, None) for k, v in shown.items()):
                found.add(yes_a)
    return found


def distributions(n: int, k: int = 5):
    """Every split of n answers over k levels (stars and bars, itertools)."""
    for bars in itertools.combinations(range(n + k - 1), k - 1):
        edges = (-1, *bars, n + k - 1)
        yield [edges[i + 1] - edges[i] - 1 for i in range(k)]


def likert_attack(n: int, shown: dict) -> dict[int, set[int]]:
    """For each level, every count consistent with the shown mean, SD, median, quartiles
    (``shown``: name -> (value, decimals)), recomputed with numpy for each candidate."""
    found: dict[int, set[int]] = {level: set() for level in LEVELS}
    for counts in distributions(n):
        total = sum(level * c for level, c in zip(LEVELS, counts, strict=True))
        if "mean" in shown and not fits(total / n, *shown["mean"]):
            continue  # cheap first: most candidates miss the mean
        answers = np.repeat(LEVELS, counts).astype(float)
        got = {"mean": answers.mean(), "sd": answers.std(ddof=1),
               "median": np.quantile(answers, 0.5), "q1": np.quantile(answers, 0.25),
               "q3": np.quantile(answers, 0.75)}
        if all(fits(got[k], v, d) for k, (v, d) in shown.items()):
            for level, count in zip(LEVELS, counts, strict=True):
                found[level].add(count)
    return found


def shown_summary(frame: pd.DataFrame, item: str, group: str) -> dict:
    """The Likert summary a report shows for one group: value and printed decimals."""
    out = {}
    for statistic in ("mean", "sd", "median", "q1", "q3"):
        row = value(frame, item, group, statistic)
        if pd.notna(row["value"]):
            places = row.get("decimals", float("nan"))
            out[statistic] = (float(row["value"]), None if pd.isna(places) else int(places))
    return out


# --------------------------------------------------------------------------------------
# Each route: open in the statistics, closed in what is shared
# --------------------------------------------------------------------------------------


def test_risk_difference_ratio_and_odds_ratio_each_pin_a_small_cell_until_withheld(stats,
                                                                                   shared):
    effects = cohort_effects(stats, {"planted": PROGRAM}).set_index(["item", "metric"])
    rows = effects.loc["beneficial"]
    # open: each statistic alone, with the 22 of 48 mentees shown, leaves one count: 38
    for metric, name in (("risk_difference", "rd"), ("risk_ratio", "rr"), ("odds_ratio", "or")):
        assert two_by_two_attack(42, 48, 22, {name: rows.loc[metric, "estimate"]}) == {38}
    assert two_by_two_attack(42, 48, 22, {"p": rows.loc["odds_ratio", "p"]}) == {38}
    # closed: the shared effects keep their labels and sizes, nothing computed from counts
    withheld = withhold_comparisons(effects.reset_index().assign(later_column=1.0), shared)
    beneficial = withheld[withheld["item"] == "beneficial"]
    # every number computed from the counts goes, a column added later too; what the
    # two group sizes alone give (what such a test could detect) stays
    numbers = beneficial.drop(columns=[c for c in beneficial if c in LABEL_COLUMNS
                                       or c in ("n_a", "n_b", "detectable_std")])
    assert numbers.isna().all().all(), numbers
    assert beneficial["detectable_std"].notna().all()
    assert beneficial["note"].str.startswith("withheld: a test or effect size").all()
    assert value(shared, "beneficial", "mentor", "count")["shown"] == SUPPRESSED
    for statistic in ("p", "odds_ratio", "odds_ratio_ci_low", "risk_ratio"):
        assert pd.isna(value(shared, "beneficial", "mentor_vs_mentee", statistic)["value"])


def test_a_withheld_group_size_is_not_given_back_by_what_the_sizes_could_detect(stats,
                                                                               shared):
    # the detectable effect (d or h) is a function of the two group sizes: beside one size
    # it gives the other back, so it goes wherever a size is withheld, not only for a small group
    effects = cohort_effects(stats, {"planted": PROGRAM})
    row = effects[(effects["item"] == "beneficial") & (effects["metric"] == "odds_ratio")]
    n_a, n_b = int(row["n_a"].iloc[0]), int(row["n_b"].iloc[0])
    scale, shown = row["detectable_scale"].iloc[0], float(row["detectable_std"].iloc[0])
    fits = [n for n in range(2, 200)
            if math.isclose(detectable_effect(n_a, n, scale), shown, rel_tol=1e-9)]
    assert fits == [n_b]  # open: the shown d and n_a pin n_b
    hidden = shared.copy()  # the mentees' n hidden as secondary suppression would hide it
    at = (hidden["item"] == "beneficial") & (hidden["group"] == "mentee") & (
        hidden["statistic"] == "n") & (hidden["option"] == "")
    assert at.sum() == 1
    hidden.loc[at, ["value", "shown", "rule"]] = [float("nan"), SUPPRESSED, "complementary"]
    out = withhold_comparisons(row, hidden)
    assert out["n_b"].iloc[0] == SUPPRESSED
    assert out[["detectable_std", "detectable_effect"]].isna().all().all()  # closed
    # with both sizes shown the d stays (the test above)
    assert withhold_comparisons(row, shared)["detectable_std"].notna().all()


def test_a_comparison_with_no_small_cell_keeps_every_statistic(stats, shared):
    effects = cohort_effects(stats, {"planted": PROGRAM})
    useful = effects[effects["item"] == "useful"].reset_index(drop=True)
    kept = withhold_comparisons(useful, shared).reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, useful, check_dtype=False)
    for statistic in ("p", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high",
                      "risk_ratio", "risk_ratio_ci_low", "risk_ratio_ci_high"):
        row = value(shared, "useful", "mentor_vs_mentee", statistic)
        assert row["shown"] == "" and row["value"] == value(
            stats, "useful", "mentor_vs_mentee", statistic)["value"]
    for group in ("mentor", "mentee"):
        for statistic in ("n", "count", "percent"):
            assert value(shared, "useful", group, statistic)["shown"] == ""


def test_fisher_p_of_a_two_by_two_demographic_is_withheld(stats, shared):
    p = value(stats, "gender", "mentor_vs_mentee", "p")["value"]
    # open: with the mentees' 38 / 10 and the mentors' 42 shown, Fisher's p leaves one
    # count of female mentors
    assert two_by_two_attack(42, 48, 38, {"fisher_p": p}) == {40}
    assert value(shared, "gender", "mentor_vs_mentee", "p")["shown"] == SUPPRESSED


def test_chi_square_p_of_a_table_with_small_cells_is_withheld(stats, shared):
    p = value(stats, "year", "mentor_vs_mentee", "p")["value"]
    # open: the column totals (50, 35, 5) and the shown 20, 30 leave (y2, y3) of mentors
    # free between 17 and 21 (y3 from 1 to 4, with 1 to 4 mentees); the p pins them
    found = set()
    for y3_mentor in range(1, 5):
        y2_mentor = 42 - 20 - y3_mentor
        table = [[20, y2_mentor, y3_mentor], [30, 35 - y2_mentor, 5 - y3_mentor]]
        if min(table[1]) < 0:
            continue
        if fits(sps.chi2_contingency(table, correction=False).pvalue, p, None):
            found.add(y3_mentor)
    assert found == {3}
    for statistic in ("p", "chi2", "cramers_v", "dof"):
        assert value(shared, "year", "mentor_vs_mentee", statistic)["shown"] == SUPPRESSED


def test_likert_summary_shows_only_what_pins_no_small_answer(stats, shared):
    # mentors: 1 answered 2, 3 answered 3 (two small cells) among 42
    full = {s: (float(value(stats, "sat", "mentor", s)["value"]), None)
            for s in ("mean", "sd", "median", "q1", "q3")}
    assert full["mean"][0] == pytest.approx((2 + 9 + 120 + 40) / 42)
    # shared: what is shown, at its printed precision, leaves every small count open
    shown = shown_summary(shared, "sat", "mentor")
    assert shown["mean"] == (4.1, 1)  # 1 decimal, and no more than the attack allows
    assert all(places == 1 for s, (_, places) in shown.items() if s in ("mean", "sd"))
    found = likert_attack(42, shown)
    truth = dict(zip(LEVELS, [0, 1, 3, 30, 8], strict=True))
    assert all(truth[level] in found[level] for level in LEVELS)  # the truth is possible
    assert all(len(found[level]) > 1 for level in LEVELS if 0 < truth[level] < 5), found
    # the group without a small answer (all of 10, 20, 12 / 10, 20, 18) keeps full precision
    assert value(shared, "fit", "mentor", "mean")["value"] == value(
        stats, "fit", "mentor", "mean")["value"]
    # no test between roles where a small answer is in either role's distribution
    assert value(shared, "sat", "mentor_vs_mentee", "p")["shown"] == SUPPRESSED
    assert value(shared, "fit", "mentor_vs_mentee", "p")["shown"] == ""
    # the Holm-adjusted p of 'fit' is computed from the withheld p of 'sat'
    assert value(shared, "fit", "mentor_vs_mentee", "p_holm")["shown"] == SUPPRESSED


def test_nine_answers_mean_sd_median_and_quartiles_pin_a_distribution():
    # Ulsan's route, at its size: 9 answers, 1 at level 2, 4 at 3, 4 at 4
    answers = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(9)],
                            "role": ["mentee"] * 9, "sat": [2, 3, 3, 3, 3, 4, 4, 4, 4]})
    program = {"roles": {"mentee": "E"}, "codebook": [PROGRAM["codebook"][5]]}
    tidy = analyse_cohort(answers, None, program, "2024")
    full = {s: (float(value(tidy, "sat", "mentee", s)["value"]), 2 if s in ("mean", "sd")
                else None) for s in ("mean", "sd", "median", "q1", "q3")}
    pinned = likert_attack(9, full)
    assert pinned[2] == {1} and pinned[3] == {4}  # open: one distribution fits
    shown = shown_summary(share_stats(tidy, program, 5), "sat", "mentee")
    found = likert_attack(9, shown)
    assert len(found[2]) > 1 and len(found[3]) > 1 and len(found[4]) > 1, (shown, found)


def test_a_group_below_the_threshold_shows_its_size_marker_and_nothing_else(stats, shared):
    faculty = shared[shared["group"] == "faculty"]
    assert len(faculty) > 10
    sizes = faculty[faculty["statistic"].isin(["n", "responded"])]
    assert set(sizes["shown"]) == {"<5"}
    others = faculty.drop(sizes.index)
    others = others[~others["statistic"].isin(["invited", "raised", "segments"])]
    assert others["value"].isna().all(), others[others["value"].notna()]
    assert set(others["shown"]) == {SUPPRESSED}
    # their 89 and 47 years: no mean, SD or median, and not through 'all' minus the others
    assert value(stats, "age", "faculty", "mean")["value"] == 68.0
    for statistic in ("mean", "sd", "median"):
        assert pd.isna(value(shared, "age", "faculty", statistic)["value"])
        assert pd.isna(value(shared, "age", "all", statistic)["value"])
        assert pd.notna(value(shared, "age", "mentor", statistic)["value"])


def test_segment_totals_do_not_give_a_role_count_away(stats, shared):
    # open: themes.csv's 9 segments minus the report's 6 from mentees = 3 from mentors
    assert value(stats, "gain", "mentor", "segments")["value"] == 3
    assert value(shared, "gain", "mentor", "segments")["shown"] == "<5"
    assert value(shared, "gain", "all", "segments")["shown"] == SUPPRESSED
    crosswalk = theme_crosswalk([("planted", "2024", codes())], {"planted": PROGRAM}, {})
    assert share_themes(crosswalk, shared)["segments"].tolist() == [SUPPRESSED]


def test_outcomes_of_a_withheld_percentage_keep_only_what_n_and_the_marker_say(stats, shared):
    table = harmonise_outcomes(stats, {"planted": PROGRAM})
    out = share_outcomes(table, shared).set_index(["item", "group"])
    assert out.loc[("beneficial", "mentor"), "pomp"] == SUPPRESSED
    # the interval is the union over 38 to 41 yes of 42, the same whatever the truth
    low, high = (out.loc[("beneficial", "mentor"), c] for c in ("ci_low", "ci_high"))
    assert (low, high) == pytest.approx((77.9349, 99.5785), abs=1e-4)
    # a coarsened Likert mean: the 0-100 value is that of the 1-decimal mean
    assert out.loc[("sat", "mentor"), "raw_value"] == 4.1
    assert out.loc[("sat", "mentor"), "pomp"] == pytest.approx(77.5)
    assert "rounded to 1 decimal" in out.loc[("sat", "mentor"), "ci_method"]


def test_reproduction_shows_a_computed_count_only_where_the_paper_printed_it(shared):
    rows = pd.DataFrame({
        "program": "planted", "year": "2024", "statistic": ["count", "count", "p", "p"],
        "item": ["beneficial", "year", "beneficial", "useful"], "option": ["", "y3", "", ""],
        "group": ["mentor", "mentor", "mentor_vs_mentee", "mentor_vs_mentee"],
        "published": ["38", "4", "no differences", "<0.05"],
        "computed": ["38", "3", "0.000123", "0.0012"],
        "precision": ["exact", "exact", "p >= 0.05", "p < 0.05"],
        "status": ["reproduced", "differs", "assumed", "reproduced"]})
    got = share_reproduction(rows.assign(computed=[
        rows.at[0, "computed"], rows.at[1, "computed"], rows.at[2, "computed"],
        str(value(shared, "useful", "mentor_vs_mentee", "p")["value"])]), shared)
    # 38 is the paper's own number; 3 differs from the printed 4 and is small; the p of a
    # withheld comparison goes; the p of a shared comparison stays as computed
    assert got["computed"].tolist()[:3] == ["38", SUPPRESSED, SUPPRESSED]
    assert got["computed"].iloc[3] == str(value(shared, "useful", "mentor_vs_mentee", "p")[
        "value"])
    assert got["published"].equals(rows["published"])


# --------------------------------------------------------------------------------------
# The pipeline's own check (peermentor.publish.disclosure): what the disclosure rule runs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [5, 10])
def test_the_check_finds_no_hidden_count_in_what_is_shared(stats, threshold):
    from peermentor.publish.disclosure import attack_cohort, failures

    shared = share_stats(stats, PROGRAM, threshold)
    findings = attack_cohort(stats, shared, PROGRAM, threshold)
    assert (findings["verdict"] == "protected").sum() >= 30
    assert failures(findings).empty, failures(findings)


def test_the_check_fails_a_table_that_gives_a_count_away(stats, shared):
    """Put back one withheld value at a time: the check names the cell it gives away."""
    from peermentor.publish.disclosure import attack_cohort, failures

    def leak(item, group, statistic):
        out = shared.copy()
        at = out.index[(out["item"] == item) & (out["group"] == group)
                       & (out["statistic"] == statistic) & (out["option"] == "")]
        truth = value(stats, item, group, statistic)["value"]
        out.loc[at, ["value", "shown", "rule"]] = [truth, "", ""]
        return failures(attack_cohort(stats, out, PROGRAM, 5))

    # 38 of 42 mentors: the percentage 90.48 pins the 4 who said no
    found = leak("beneficial", "mentor", "percent")
    assert ((found["item"] == "beneficial") & (found["verdict"] == "disclosed")).any(), found
    # the risk ratio beside it: shown for a table with a hidden cell
    found = leak("beneficial", "mentor_vs_mentee", "risk_ratio")
    assert (found["verdict"] == "policy").any(), found
    # the mean of a group of 2: a statistic of a group below the threshold
    found = leak("age", "faculty", "mean")
    assert len(found), found


def test_at_threshold_10_u_with_r_and_pool_se_do_not_give_a_group_of_9_back():
    """Issue 18's routes at threshold 10: 9 mentees are a group below it, shown as <10.
    In the raw statistics U beside r, and the pooled-scale SE (its formula is named in
    ``ci_method``), each pin the 9; in what is shared both are withheld."""
    program = {"program": "nine", "roles": {"mentor": "Mentors", "mentee": "Mentees"},
               "comparison": ["mentor", "mentee"],
               "codebook": [{"id": "sat", "text": "Satisfied?", "type": "likert",
                             "construct": "satisfaction", "section": "satisfaction",
                             "scale": {"min": 1, "max": 5}}]}
    answers = pd.DataFrame({
        "respondent_id": [f"r{i:02d}" for i in range(21)],
        "role": ["mentor"] * 12 + ["mentee"] * 9,
        "sat": [5, 5, 4, 4, 4, 4, 3, 3, 5, 4, 2, 4] + [3, 3, 4, 2, 3, 5, 4, 3, 1]})
    stats = analyse_cohort(answers, None, program, "2024")
    effects = cohort_effects(stats, {"nine": program})
    r_row = effects[effects["metric"] == "rank_biserial"].iloc[0]
    n_a = int(r_row["n_a"])
    u = value(stats, "sat", "mentor_vs_mentee", "U")["value"]
    r = value(stats, "sat", "mentor_vs_mentee", "rbc")["value"]
    # open in the raw statistics: r = 2U / (nA nB) - 1, and SE = sqrt((nA+nB+1)/(3 nA nB))
    by_u = [n for n in range(1, 200) if math.isclose(2 * u / (n_a * n) - 1, r, rel_tol=1e-9)]
    by_se = [n for n in range(1, 200) if math.isclose(
        math.sqrt((n_a + n + 1) / (3 * n_a * n)), r_row["pool_se"], rel_tol=1e-9)]
    assert by_u == [9] and by_se == [9]
    # closed in what is shared: the group's size is its marker, U, r and pool_se are gone
    shared = share_stats(stats, program, 10)
    assert value(shared, "sat", "mentee", "n")["shown"] == "<10"
    for statistic in ("U", "rbc", "p"):
        assert pd.isna(value(shared, "sat", "mentor_vs_mentee", statistic)["value"])
    out = withhold_comparisons(effects, shared, 10)
    assert (out["n_b"] == "<10").all()
    assert out[["estimate", "ci_low", "ci_high", "p", "pool_estimate", "pool_se",
                "detectable_std"]].isna().all().all()
    # at threshold 5 the 9 mentees are no small group: their size and the effect sizes
    # stay (at 2 decimals, as one answer level is small: the coarsened rule)
    kept = withhold_comparisons(effects, share_stats(stats, program, 5), 5)
    assert (kept["n_b"].astype(str) == "9").all()
    assert kept[["estimate", "ci_low", "ci_high", "pool_se"]].notna().all().all()
