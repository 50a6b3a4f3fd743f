"""What the site's comparison pages say (peermentor.publish.pages), on small tables typed here."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from peermentor.publish import pages

PROGRAMS = {
    "alpha": {"roles": {"mentor": "Mentors", "mentee": "Mentees"},
              "codebook": [{"id": "take_again", "text": "Would you take part again?"},
                           {"id": "worth_it", "text": "Was it worthwhile?"}]},
    "beta": {"roles": {"mentor": "Peer mentors", "non_mentor": "Non-mentors"},
             "codebook": [{"id": "is_valued", "text": "Is mentoring valuable?"}]},
}
CONSTRUCTS = {"constructs": {
    "continued_participation": {"label": "Taking part again", "definition": "d",
                                "better": "higher"},
    "programme_value": {"label": "Overall value of the programme", "definition": "d",
                        "better": "higher"}}}
LABELS = pages.Labels(PROGRAMS, CONSTRUCTS)
IDS = re.compile(r"continued_participation|programme_value|mentor_vs|non_mentor|take_again|"
                 r"is_valued|worth_it")


def effect(program, year, construct, item, comparison, metric, estimate, low, high, p=0.5):
    return {"program": program, "year": year, "construct": construct, "item": item,
            "item_type": "binary", "comparison": comparison, "role_a": "mentor",
            "role_b": comparison.split("_vs_")[1], "metric": metric, "estimate": estimate,
            "ci_low": low, "ci_high": high, "p": p, "ci_method": "m", "p_method": "pm"}


def test_two_pooled_cohorts_get_a_figure_and_a_sentence_in_words():
    effects = pd.DataFrame([
        effect("alpha", "2023", "continued_participation", "take_again", "mentor_vs_mentee",
               "odds_ratio", 2.5, 1.2, 5.1),
        effect("alpha", "2024", "continued_participation", "take_again", "mentor_vs_mentee",
               "odds_ratio", 1.8, 0.9, 3.6),
        effect("alpha", "2024", "continued_participation", "take_again", "mentor_vs_mentee",
               "risk_difference", 0.2, 0.01, 0.4)])
    pooled = pd.DataFrame([{"construct": "continued_participation",
                            "comparison": "mentor_vs_mentee", "metric": "odds_ratio", "k": 2,
                            "estimate": 2.1, "ci_low": 1.3, "ci_high": 3.4, "pi_low": 1.1,
                            "pi_high": 4.0, "tau2": 0.01, "i2": 12.0, "method": "REML",
                            "ci_method": "z"}])
    forest = {"continued_participation__mentor_vs_mentee__odds_ratio": "img/forest/x.png"}
    page = pages.outcomes_page(pd.DataFrame(), effects, pooled, LABELS, forest, {})
    (section,) = page["sections"]
    assert section["label"] == "Taking part again"
    (comparison,) = section["comparisons"]
    assert comparison["label"] == "Mentors vs mentees"
    (block,) = comparison["blocks"]  # one figure: the odds ratio, not the risk difference
    assert block["figure"]["src"] == "img/forest/x.png"
    sentence = block["sentence"]
    assert sentence.startswith("2 cohorts (1 programme) compared mentors with mentees on "
                               "\u201cWould you take part again?\u201d: mentors scored higher")
    assert "Pooled odds ratio 2.10 (95% CI 1.30 to 3.40)" in sentence
    assert "between 1.10 and 4.00 (95% prediction interval)" in sentence
    assert "I\u00b2 = 12%" in sentence
    assert not IDS.search(sentence + block["figure"]["alt"])
    assert page["effects_table"] is None and page["pooled_table"]["rows"]


def test_a_single_cohort_gets_no_figure_but_its_effect_in_words_and_in_the_table():
    effects = pd.DataFrame([
        effect("beta", "2019", "programme_value", "is_valued", "mentor_vs_non_mentor",
               "odds_ratio", 2.7056, 0.2078, 146.93, p=0.62),
        effect("beta", "2019", "programme_value", "is_valued", "mentor_vs_non_mentor",
               "risk_ratio", 1.04, 0.95, 1.14, p=0.6)])
    forest = {"programme_value__mentor_vs_non_mentor__odds_ratio": "img/forest/y.png"}
    page = pages.outcomes_page(pd.DataFrame(), effects, pd.DataFrame(), LABELS, forest,
                               {("beta", "2019"): "../cohorts/beta/2019/report.html"})
    (block,) = page["sections"][0]["comparisons"][0]["blocks"]
    assert block["figure"] is None
    assert block["sentence"] == (
        "Only beta 2019 compared peer mentors with non-mentors on this construct, so nothing "
        "is pooled: on \u201cIs mentoring valuable?\u201d, no clear difference between peer "
        "mentors and non-mentors: odds ratio 2.71 (95% CI 0.21 to 147, p = 0.62).")
    (row,) = page["effects_table"]["rows"]
    assert row[1] == {"text": "beta 2019", "href": "../cohorts/beta/2019/report.html",
                      "class": "nowrap"}
    assert row[2:5] == ["Is mentoring valuable?", "Peer mentors vs non-mentors", "odds ratio"]
    assert row[5]["text"] == "2.71 (0.21 to 147)" and row[6]["text"] == "0.62"
    assert row[9] == "RR 1.04 (0.95 to 1.14)"
    assert page["pooled_table"] is None
    assert page["pooled_empty"].startswith("Nothing was pooled. Pooling needs two or more")
    section = page["sections"][0]
    shown = [section["label"], row[0], *row[2:5], row[7], row[9], block["sentence"],
             page["pooled_empty"]]
    assert not IDS.search(" ".join(shown))


def test_levels_keep_percent_and_mean_apart_and_show_markers_as_they_are():
    outcomes = pd.DataFrame([
        {"program": "alpha", "year": "2024", "construct": "programme_value", "item": "worth_it",
         "group": "mentee", "n": "9", "count": "<5", "statistic": "percent_positive",
         "pomp": "suppressed", "ci_low": "1.99", "ci_high": "73.3", "raw_value": "suppressed",
         "scale": "0/1"},
        {"program": "alpha", "year": "2024", "construct": "programme_value", "item": "worth_it",
         "group": "mentor", "n": "10", "count": "", "statistic": "mean_0_100",
         "pomp": "62.5", "ci_low": "49.85", "ci_high": "75.15", "raw_value": "3.5",
         "scale": "1-5"}])
    table = pages.levels_table(outcomes, LABELS, {})
    first, second = table["rows"]
    assert first[3] == "Mentees" and first[5]["text"] == "<5"
    assert first[6]["text"] == "suppressed (CI 2 to 73)" and first[7] == first[8] == ""
    assert second[6] == "" and second[7]["text"] == "3.50 on 1\u20135"
    assert second[8]["text"] == "62 (50 to 75)"


def test_audit_page_opens_with_findings_and_lists_failed_checks_first():
    checks = pd.DataFrame([
        ["p", "Table 1", "GRIM: a", "3.5", "3.5", "consistent", "fine", ""],
        ["p", "Table 2", "percentage vs count: meeting_hours", "6%", "16%", "inconsistent",
         "3/19 = 15.79%", "Table 2 prints 6% for 3 of 19"],
        ["p", "Table 3", "GRIM: b", "2.1", "2.1", "consistent", "fine", ""]],
        columns=["program", "source", "check", "printed", "expected", "verdict",
                 "explanation", "finding"])
    page = pages.audit_page(checks)
    (finding,) = page["findings"]
    assert finding["title"] == "Table 2 prints 6% for 3 of 19"
    assert finding["checks"] == ["percentage vs count: meeting hours"]
    assert [r[1] for r in page["table"]["rows"]] == ["inconsistent", "consistent",
                                                       "consistent"]
    assert page["table"]["row_classes"] == ["flagged", "", ""]


def test_numbers_for_display():
    assert pages.fmt_ci(0.0001, -0.0004, 0.5) == "0.00 (0.00 to 0.50)"  # no "-0.00"
    assert pages.fmt_ci("suppressed", 1, 2) == "suppressed (1.00 to 2.00)"
    assert pages.fmt_p(0.0009) == "<0.001" and pages.fmt_p("") == ""
    assert pages.fmt_ratio(618.48) == "618"


def test_forest_plot_speaks_the_reader_s_language_and_flags_what_it_cannot_draw():
    from peermentor.publish import forest

    effects = pd.DataFrame([
        effect("alpha", "2023", "continued_participation", "take_again", "mentor_vs_mentee",
               "odds_ratio", 2.5, 1.2, 5.1),
        effect("alpha", "2024", "continued_participation", "take_again", "mentor_vs_mentee",
               "odds_ratio", float("inf"), 1.9, float("inf"))]).assign(
        direction="positive = mentor higher than mentee")
    fig = forest.forest_plot(effects, None, "Taking part again: Mentors vs mentees", LABELS)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["alpha 2023", "alpha 2024"]
    assert ax.get_xlabel() == "odds ratio with 95% CI (> 1: mentors higher)"
    assert [t.get_text().strip() for t in ax.texts] == ["not estimable (infinite or zero)"]
    assert len(ax.lines) == 1 + 1 + 1  # one CI line, one square, the line of no difference
    noted = effects.assign(note=["", "0.5 added to every cell for the pooled log scale "
                                     "(zero cell)"])
    fig = forest.forest_plot(noted, None, "t", LABELS)
    assert [t.get_text().strip() for t in fig.axes[0].texts] == [
        "not estimable (a zero cell); pooled with 0.5 added to each cell"]


def test_two_programmes_failing_in_the_same_year_keep_their_own_downloads(tmp_path):
    """A failed cohort's page offers its validation problems as a CSV; two programmes
    failing in the same year must not overwrite each other's (each file was named for
    its year alone)."""
    from peermentor.publish import site

    layout = {name: str(tmp_path / "results" / name) for name in site.LAYOUT}
    layout["failures"] = str(tmp_path / "results/logs/validate/{program}/{year}.failures.csv")
    for program in ("alpha", "beta"):
        failures = tmp_path / f"results/logs/validate/{program}/2024.failures.csv"
        failures.parent.mkdir(parents=True)
        failures.write_text(f"file,line,column,value,rule\n{program}.csv,3,age,x,integer\n")
    out = tmp_path / "results/site"
    site.build_site(layout, out, [("alpha", "2024"), ("beta", "2024")], PROGRAMS)
    for program in ("alpha", "beta"):
        page = (out / f"failures/{program}-2024.html").read_text(encoding="utf-8")
        link = re.search(r'href="\.\./(data/[^"]+\.csv)"', page).group(1)
        assert f"{program}.csv,3" in (out / link).read_text(encoding="utf-8")


def test_a_failed_cohorts_page_says_where_each_problem_is_not_whose_or_what(tmp_path):
    """The partial site after a failed validation is a shared output: an outsider reading
    every file of it finds no respondent id and no answer of the failed rows (a
    duplicated id is quoted by its rule's text too), only file, line, column and rule."""
    from peermentor.ingest.validate import CohortJobFailed, run
    from peermentor.publish import site

    program = {"program": "alpha", "roles": {"mentor": "Mentors"},
               "codebook": [{"id": "town", "text": "Town", "type": "single_choice",
                             "choices": {"a": "A", "b": "B"}}]}
    raw = tmp_path / "responses.csv"
    raw.write_text("respondent_id,role,town\nsecret-r17,mentor,a\nsecret-r17,mentor,b\n"
                   "r18,mentor,Secretborough\n", encoding="utf-8")
    failures = tmp_path / "results/logs/validate/alpha/2024.failures.csv"
    failures.parent.mkdir(parents=True)
    with open(tmp_path / "log", "w") as log, pytest.raises(CohortJobFailed):
        run(program, str(raw), None, str(tmp_path / "r.csv"), str(tmp_path / "c.csv"),
            str(failures), log=log)
    full = failures.read_text(encoding="utf-8")
    assert "secret-r17" in full and "Secretborough" in full  # the attack has a target

    layout = {name: str(tmp_path / "results" / name) for name in site.LAYOUT}
    layout["failures"] = str(tmp_path / "results/logs/validate/{program}/{year}.failures.csv")
    out = tmp_path / "results/site"
    site.build_site(layout, out, [("alpha", "2024")], {"alpha": program})
    shared = {p: p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()
              and p.suffix in (".html", ".csv")}
    assert [p for p, text in shared.items()
            if "secret-r17" in text or "Secretborough" in text] == []
    page = shared[out / "failures/alpha-2024.html"]
    assert "responses.csv" in page and "town" in page and "respondent_id" in page
    assert "must be unique: (withheld) is on lines 2 and 3" in page
