"""Display tables for the notebook: reshaped from tidy stats, labelled, no NaN shown."""

import pandas as pd

from peermentor.analysis.stats import analyse_cohort
from peermentor.publish import report

PROGRAM = {
    "program": "demo",
    "title": "Demo programme",
    "institution": "Demo U",
    "country": "Nowhere",
    "design": "1:1 peer mentoring",
    "reconstructed": True,
    "roles": {"mentor": "Mentors", "mentee": "Mentees"},
    "comparison": ["mentor", "mentee"],
    "cohorts": {"2024": {"invited": {"mentor": 4, "mentee": 6}}},
    "codebook": [
        {"id": "sat", "text": "Satisfied?", "type": "likert", "scale": {"min": 1, "max": 5}},
        {"id": "where", "text": "Where did you meet?", "type": "single_choice",
         "choices": {"cafe": "Cafe", "library": "Library"}},
        {"id": "phase", "text": "Phase (mentors only)", "type": "single_choice",
         "roles": ["mentor"], "choices": {"pre": "Preclinical", "cli": "Clinical"}},
    ],
}
RESPONSES = pd.DataFrame({
    "respondent_id": ["a", "b", "c", "d", "e"],
    "role": ["mentor", "mentor", "mentee", "mentee", "mentee"],
    "sat": pd.array([4, 5, 2, 3, pd.NA], dtype="Int64"),
    "where": ["cafe", "library", "cafe", "cafe", None],
    "phase": ["pre", "cli", None, None, None],
})


def stats():
    return analyse_cohort(RESPONSES, None, PROGRAM, "2024")


# The demo cohort is tiny: formatting tests switch small-cell suppression off.
OFF = 0


def test_participation_table_rows_and_rate():
    table = report.participation_table(stats(), PROGRAM, threshold=OFF)
    assert table.loc["Invited", "All"] == "10"
    assert table.loc["Responded", "Mentees"] == "3"
    assert table.loc["Response rate (%)", "All"] == "50"


def test_likert_table_formats_mean_sd_n_by_role():
    table = report.likert_table(stats(), PROGRAM, threshold=OFF)
    assert table.loc["Satisfied?", "Mentors: mean ± SD (n)"] == "4.50 ± 0.71 (2)"
    assert table.loc["Satisfied?", "Mentees: mean ± SD (n)"] == "2.50 ± 0.71 (2)"
    assert "p" in table.columns


def test_choice_table_has_answered_row_and_no_nan():
    table = report.choice_table(stats(), PROGRAM, threshold=OFF)
    where = table.loc["Where did you meet?"]
    assert where.loc["(answered, n)", "Mentees"] == "2"
    assert where.loc["Cafe", "Mentees"] == "2 (100%)"
    assert where.loc["Library", "Mentors"] == "1 (50%)"
    phase = table.loc["Phase (mentors only)"]
    assert phase.loc["Clinical", "Mentors"] == "1 (50%)"
    assert phase.loc["Clinical", "Mentees"] == ""  # not asked: blank, never NaN
    assert not table.isna().any().any()


def test_banner_flags_reconstruction_only_for_the_reconstructed_years():
    program = {**PROGRAM, "reconstruction_notes": "2019 is a RECONSTRUCTION.",
               "cohorts": {"2019": {"published": {"responded": {"total": 5}}},
                           "2024": {"invited": {"mentor": 4, "mentee": 6}}}}
    text = report.banner(program, "2019")
    assert "Reconstructed data, not real answers" in text and "RECONSTRUCTION" in text
    later = report.banner(program, "2024")  # a new year of the same programme: real answers
    assert "Reconstructed" not in later and "RECONSTRUCTION" not in later
    assert "Reconstructed" not in report.banner({**program, "reconstructed": False}, "2019")
    assert "python -m" not in text and "data/raw" not in text  # no developer text


def test_small_counts_are_suppressed_by_default_zeros_are_not():
    participation = report.participation_table(stats(), PROGRAM)
    # 4 mentors invited are hidden, so the total of 10 goes too (10 - 6 = 4)
    assert participation.loc["Invited", "Mentors"] == "<5"
    assert participation.loc["Invited", "Mentees"] == "6"
    assert participation.loc["Invited", "All"] == "suppressed"
    # 2 mentors and 3 mentees responded: groups under 5 show at most a marker, not even a
    # zero (0 of "<5" excluded would say that every one of them was analysed) ...
    for role in ("Mentors", "Mentees"):
        shown = participation.loc[["Responded", "Analysed", "Excluded",
                                   "Response rate (%)"], role]
        assert set(shown) <= {"<5", "suppressed"}, shown
    # ... nor their total: with every role small, "All excluded: 0" gives each role's 0 back
    assert participation.loc["Excluded", "All"] == "suppressed"
    # the 5 who answered are still counted once
    assert "5" in set(participation.loc[["Responded", "Analysed"], "All"])
    likert = report.likert_table(stats(), PROGRAM)
    # no mean, SD, median or test of a group of fewer than 5
    assert likert.loc["Satisfied?", "Mentors: mean ± SD (n)"] == "suppressed (<5)"
    assert likert.loc["Satisfied?", "Mentors: median [IQR]"] == "suppressed"
    assert likert.loc["Satisfied?", "p"] == "suppressed"
    where = report.choice_table(stats(), PROGRAM).loc["Where did you meet?"]
    assert where.loc["(answered, n)", "All"] == "<5"
    assert where.loc["Cafe", "Mentees"] == "suppressed"  # no percentage either
    assert where.loc["Library", "Mentees"] == "suppressed"  # not even a zero


def test_threshold_is_configurable():
    where = report.choice_table(stats(), PROGRAM, threshold=3).loc["Where did you meet?"]
    # All: 3 cafe + 1 library = 4 answered; the 1 is hidden, so the 3 must go too
    assert where.loc["Library", "All"] == "<3"
    assert where.loc["Cafe", "All"] == "suppressed"
    assert where.loc["(answered, n)", "All"] == "4"
    assert where.loc["Cafe", "Mentees"] == "suppressed"  # 2 mentees: a group under 3
    assert "from 1 to 2 are shown as \"<3\"" in report.suppression_note(3)


def test_binary_numeric_and_ranking_tables_suppress_small_counts():
    program = {
        "roles": {"mentor": "Mentors", "mentee": "Mentees"},
        "codebook": [
            {"id": "again", "text": "Again?", "type": "binary"},
            {"id": "age", "text": "Age", "type": "numeric"},
            {"id": "pref", "text": "Rank", "type": "ranking", "choices": {"x": "X", "y": "Y"}},
        ],
    }
    answers = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(12)],
        "role": ["mentor"] * 10 + ["mentee"] * 2,
        "again": [1] * 8 + [0] * 2 + [1, 0],
        "age": [20.0] * 12,
        "pref__x": [1] * 3 + [2] * 9,
        "pref__y": [2] * 3 + [1] * 9,
    })
    tidy = analyse_cohort(answers, None, program, "2024")
    binary = report.binary_table(tidy, program).loc["Again?"]
    # 2 of 10 mentors said no: showing 8 of 10 would give the 2 away
    assert binary["Mentors"] == "suppressed/10"
    # 2 mentees: a group under 5 shows its size and nothing else; so all's 9 (= 8 + 1)
    # and 12 (= 10 + 2) go
    assert binary["Mentees"] == "suppressed/<5"
    assert binary["All"] == "suppressed/suppressed"
    assert report.numeric_table(tidy, program).loc["Age", "Mentees"] == "suppressed (n=<5)"
    assert report.numeric_table(tidy, program).loc["Age", "Mentors"].startswith("20.0 ± 0.0")
    ranking = report.ranking_table(tidy, program).loc["Rank"]
    assert ranking.loc[("Mentors", "X"), "Ranked first (%)"] == "suppressed"  # 3 people
    # 7 ranked Y first: 70% would give away the 3 who ranked X first (10 - 7), and a mean
    # rank of a group with a small rank count could pin it: the group's ranks go
    assert ranking.loc[("Mentors", "Y"), "Ranked first (%)"] == "suppressed"
    assert ranking.loc[("Mentors", "Y"), "Mean rank"] == "suppressed"
    assert ranking.loc[("Mentors", "Y"), "n"] == "10"


def test_report_embeds_figures_at_the_resolution_they_are_saved():
    # report.py may not import figures (figures imports report): the two must agree
    from peermentor.publish import figures

    assert report.PNG_DPI == figures.DPI
