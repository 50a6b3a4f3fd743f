"""Cross-study tables from small hand-made cohorts (expected values worked out by hand)."""

import re

import pandas as pd
import pytest

from peermentor.analysis.stats import codes_summary, participation
from peermentor.publish.compare import (
    harmonise_outcomes,
    share_outcomes,
    share_studies,
    share_themes,
    study_characteristics,
    summary_markdown,
    theme_crosswalk,
)
from peermentor.publish.privacy import share_stats

FIVE = {"id": "sat", "type": "likert", "construct": "satisfaction", "scale": {"min": 1, "max": 5}}
SEVEN = {"id": "happy", "type": "likert", "construct": "satisfaction",
         "scale": {"min": 1, "max": 7}}
PROGRAMS = {
    "alpha": {"institution": "A U", "country": "X", "design": "1:1",
              "roles": {"mentor": "M", "mentee": "E", "excluded": "Ex"},
              "excluded_roles": ["excluded"],
              "cohorts": {"2021": {"invited": {"total": 20}}},
              "codebook": [FIVE],
              "qualitative": {"categories": [{"id": "gains", "label": "Gains"},
                                             {"id": "odd", "label": "Odd one"}]}},
    "beta": {"institution": "B U", "country": "Y", "design": "group",
             "roles": {"mentor": "M", "mentee": "E"},
             "cohorts": {"2022": {"invited": {"mentor": 5, "mentee": 10}}},
             "codebook": [SEVEN]},
}


def test_study_characteristics_counts_rates_and_roles():
    alpha = pd.DataFrame({"role": ["mentor"] * 3 + ["mentee"] * 4 + ["excluded"]})
    beta = pd.DataFrame({"role": ["mentor"] * 5 + ["mentee"] * 1})
    stats = pd.concat([
        participation(beta, PROGRAMS["beta"], "2022").assign(program="beta", year="2022"),
        participation(alpha, PROGRAMS["alpha"], "2021").assign(program="alpha", year="2021"),
    ])
    table = study_characteristics(stats, PROGRAMS).set_index("program")
    assert list(table.index) == ["alpha", "beta"]  # sorted
    assert table.loc["alpha", ["invited", "responded", "analysed", "excluded"]].tolist() == [
        20, 8, 7, 1]
    assert table.loc["alpha", "response_rate"] == 40.0
    assert table.loc["beta", "invited"] == 15  # summed over roles
    assert table.loc["beta", "response_rate"] == 40.0
    assert table.loc["beta", "invited_mentee"] == 10 and table.loc["beta", "responded_mentee"] == 1
    assert pd.isna(table.loc["beta", "responded_excluded"])


def _stats(program, year, item, mean, n, group="mentor", sd=1.0):
    return pd.DataFrame({"program": program, "year": year, "section": "s", "item": item,
                         "option": "", "group": group, "statistic": ["mean", "sd", "n"],
                         "value": [mean, sd, n]})


def test_outcomes_put_1_to_5_and_1_to_7_on_one_scale():
    stats = pd.concat([_stats("alpha", "2021", "sat", 4.0, 10),
                       _stats("beta", "2022", "happy", 5.5, 6)])
    table = harmonise_outcomes(stats, PROGRAMS)
    assert table["construct"].unique().tolist() == ["satisfaction"]
    pomp = dict(zip(table["program"], table["pomp"], strict=True))
    assert pomp == {"alpha": pytest.approx(75.0), "beta": pytest.approx(75.0)}
    assert table["scale"].tolist() == ["1-5", "1-7"]
    assert set(table["statistic"]) == {"mean_0_100"}


def test_outcome_mean_has_a_t_interval_by_hand():
    # mean 4, SD 1, n 10 on 1-5: t(0.975, 9) = 2.262157, half-width 2.262157 / sqrt(10)
    # = 0.715357 -> 3.284643 to 4.715357 -> 0-100: 57.116 to 92.884.
    row = harmonise_outcomes(_stats("alpha", "2021", "sat", 4.0, 10), PROGRAMS).iloc[0]
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (57.12, 92.88)


def test_outcome_percent_has_a_wilson_interval():
    # Wilson 95% interval of 35/42 (Newcombe 1998's formula by hand): 0.6940 to 0.9168.
    stats = _binary_stats("alpha", "mentor", 35, 42)
    row = harmonise_outcomes(stats, BINARY).iloc[0]
    assert row["statistic"] == "percent_positive"
    assert (round(row["ci_low"], 1), round(row["ci_high"], 1)) == (69.4, 91.7)


def test_outcomes_never_pool_roles_into_all():
    stats = pd.concat([_binary_stats("alpha", "mentor", 30, 40),
                       _binary_stats("alpha", "all", 40, 60)])
    assert harmonise_outcomes(stats, BINARY)["group"].tolist() == ["mentor"]


def test_theme_crosswalk_maps_and_flags_unmapped():
    codes = pd.DataFrame({"category": ["gains", "gains", "odd"],
                          "role": ["mentee", "mentor", "mentor"]})
    framework = {"themes": {"benefit": {"label": "Benefits"}},
                 "mapping": {"alpha": {"gains": "benefit"}}}
    table = theme_crosswalk([("alpha", "2021", codes)], PROGRAMS, framework)
    rows = table.set_index("category")
    assert rows.loc["gains", ["theme", "theme_label", "roles", "segments"]].tolist() == [
        "benefit", "Benefits", "mentor;mentee", 2]
    assert rows.loc["odd", "theme"] == "unmapped"


def test_summary_has_three_sections_and_no_nan():
    beta = {**PROGRAMS["beta"], "cohorts": {}, "reconstructed": True}
    flow = participation(pd.DataFrame({"role": ["mentor"]}), beta, "2022")
    studies = study_characteristics(flow.assign(program="beta", year="2022"), {"beta": beta})
    outcomes = harmonise_outcomes(
        pd.concat([_stats("beta", "2022", "happy", 4.0, 1, "mentor")]), PROGRAMS
    )
    assert len(outcomes) == 1 and pd.isna(outcomes["ci_low"].iloc[0])  # n = 1: no interval
    text = summary_markdown(studies, outcomes, theme_crosswalk([], PROGRAMS, {}))
    for heading in ["## Studies", "## Outcomes by construct", "## Themes across studies"]:
        assert heading in text
    assert "Reconstructed data" in text
    assert "nan" not in text.lower().replace("nance", "")


def _binary_stats(program, group, count, n):
    return pd.DataFrame({"program": program, "year": "2021", "section": "s", "item": "yes",
                         "option": "", "group": group, "statistic": ["count", "n", "percent"],
                         "value": [count, n, 100 * count / n]})


BINARY = {"alpha": {"codebook": [{"id": "yes", "type": "binary", "construct": "again"}]}}


def shared_outcomes(stats, threshold=5):
    """outcomes.csv's rows for ``stats`` as the disclosure policy shares them."""
    table = harmonise_outcomes(stats, BINARY)
    return share_outcomes(table, share_stats(stats, BINARY["alpha"], threshold), threshold)


def test_shared_outcomes_hide_small_counts_and_their_percentages():
    stats = pd.concat([_binary_stats("alpha", "mentor", 3, 40),
                       _binary_stats("alpha", "mentee", 0, 4),
                       _binary_stats("alpha", "other", 30, 44)])
    table = harmonise_outcomes(stats, BINARY)
    assert table.set_index("group").loc["mentor", ["n", "count"]].tolist() == [40, 3]
    shared = share_outcomes(table, share_stats(stats, BINARY["alpha"])).set_index("group")
    assert shared.loc["mentor", ["n", "count", "raw_value", "pomp"]].tolist() == [
        40, "<5", "suppressed", "suppressed"]
    # The interval stays, widened over every count "<5" could hide (1 to 4 of 40): from
    # the Wilson lower bound of 1/40 to the upper bound of 4/40, by hand from Wilson's
    # formula, p~ +- z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n), z = 1.959964. The true
    # count's own interval (3/40: 2.58 to 19.86) lies inside it.
    assert shared.loc["mentor", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.4427, 23.0518], abs=1e-4)
    assert shared.loc["mentor", "ci_method"].startswith(
        "Wilson score interval (statsmodels), widened")
    assert shared.loc["other", "ci_method"] == "Wilson score interval (statsmodels)"
    # a group of fewer than 5 shows its size marker and nothing else, not even a zero
    assert shared.loc["mentee", ["n", "count", "pomp"]].tolist() == ["<5"] + ["suppressed"] * 2
    assert shared.loc["other", ["n", "count", "pomp"]].tolist() == [44, 30, pytest.approx(68.1818)]
    assert share_outcomes(table, share_stats(stats, BINARY["alpha"], 0), 0).equals(table)


@pytest.mark.parametrize("n, hidden, outside", [(42, range(38, 42), 37), (42, range(1, 5), 5),
                                                 (9, range(1, 5), 0), (9, range(5, 9), 9)])
def test_a_widened_interval_is_the_same_for_every_count_it_hides(n, hidden, outside):
    # Whatever the true count behind a marker, the shared row must read the same, or
    # the interval would give the count away; and it must contain each count's own
    # Wilson interval, or it would cover less than 95%.
    rows = [shared_outcomes(_binary_stats("alpha", "mentor", c, n)) for c in hidden]
    shown = ["n", "count", "raw_value", "pomp", "ci_low", "ci_high", "ci_method"]
    assert all(r[shown].equals(rows[0][shown]) for r in rows), [r[shown] for r in rows]
    assert isinstance(rows[0]["ci_low"].iloc[0], float)
    for c in hidden:
        own = harmonise_outcomes(_binary_stats("alpha", "mentor", c, n), BINARY).iloc[0]
        assert rows[0]["ci_low"].iloc[0] <= own["ci_low"] <= own["ci_high"] <= rows[0][
            "ci_high"].iloc[0]
    # a count just outside the hidden set is shown
    assert shared_outcomes(_binary_stats("alpha", "mentor", outside, n))["count"].iloc[
        0] == outside


def test_shared_studies_and_themes_hide_small_counts():
    beta = pd.DataFrame({"role": ["mentor"] * 5 + ["mentee"] * 1})
    flow = participation(beta, PROGRAMS["beta"], "2022").assign(program="beta", year="2022")
    shared = share_studies(study_characteristics(flow, PROGRAMS),
                           share_stats(flow, PROGRAMS["beta"])).iloc[0]
    assert (shared["responded_mentor"], shared["responded_mentee"]) == (5, "<5")
    # 6 responded = 5 mentors + the hidden mentee: the total (and its rate) go too
    assert (shared["responded"], shared["response_rate"]) == ("suppressed", "suppressed")
    # none excluded: the total 0 would say that the single mentee was not excluded either
    assert shared["excluded"] == "suppressed"
    themes = pd.DataFrame({"category": ["gains"] * 5 + ["odd"] * 2,
                           "role": ["mentor"] * 5 + ["mentee"] * 2})
    crosswalk = theme_crosswalk([("alpha", "2021", themes)], PROGRAMS, {})
    coded = codes_summary(themes, PROGRAMS["alpha"]).assign(program="alpha", year="2021")
    assert share_themes(crosswalk, share_stats(coded, PROGRAMS["alpha"]))[
        "segments"].tolist() == [5, "<5"]


def test_summary_states_the_rule_and_shows_markers():
    stats = pd.concat([_binary_stats("alpha", "mentor", 3, 40),
                       _binary_stats("alpha", "other", 30, 44),
                       _stats("beta", "2022", "happy", 5.5, 6, "mentee")])  # no mentor cell
    shared = pd.concat([share_stats(stats[stats["program"] == "alpha"], BINARY["alpha"]),
                        share_stats(stats[stats["program"] == "beta"], PROGRAMS["beta"])])
    outcomes = share_outcomes(harmonise_outcomes(stats, {**PROGRAMS, **BINARY}), shared)
    flow = participation(pd.DataFrame({"role": ["mentor"] * 3}), PROGRAMS["beta"], "2022")
    flow = flow.assign(program="beta", year="2022")
    studies = share_studies(study_characteristics(flow, PROGRAMS),
                            share_stats(flow, PROGRAMS["beta"]))
    text = summary_markdown(studies, outcomes, theme_crosswalk([], PROGRAMS, {}), threshold=5)
    # under studies and each of the two outcome tables (percentages, means)
    assert text.count('counts from 1 to 4 are shown as "<5"') == 3
    assert re.search(r"\|\s*suppressed\s*\|", text)
    assert "<5" in text and "68.2" in text  # numbers still formatted next to markers
    assert "nan" not in text.lower().replace("nance", "")
