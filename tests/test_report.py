"""Display tables for the notebook: reshaped from tidy stats, labelled, no NaN shown."""

import pandas as pd

from peermentor import report
from peermentor.stats import analyse_cohort

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


def test_participation_table_rows_and_rate():
    table = report.participation_table(stats(), PROGRAM)
    assert table.loc["Invited", "All"] == "10"
    assert table.loc["Responded", "Mentees"] == "3"
    assert table.loc["Response rate (%)", "All"] == "50"


def test_likert_table_formats_mean_sd_n_by_role():
    table = report.likert_table(stats(), PROGRAM)
    assert table.loc["Satisfied?", "Mentors: mean ± SD (n)"] == "4.50 ± 0.71 (2)"
    assert table.loc["Satisfied?", "Mentees: mean ± SD (n)"] == "2.50 ± 0.71 (2)"
    assert "p" in table.columns


def test_choice_table_has_answered_row_and_no_nan():
    table = report.choice_table(stats(), PROGRAM)
    where = table.loc["Where did you meet?"]
    assert where.loc["(answered, n)", "Mentees"] == "2"
    assert where.loc["Cafe", "Mentees"] == "2 (100%)"
    assert where.loc["Library", "Mentors"] == "1 (50%)"
    phase = table.loc["Phase (mentors only)"]
    assert phase.loc["Clinical", "Mentors"] == "1 (50%)"
    assert phase.loc["Clinical", "Mentees"] == ""  # not asked: blank, never NaN
    assert not table.isna().any().any()


def test_banner_flags_reconstruction():
    text = report.banner(PROGRAM, "2024")
    assert "Reconstructed data, not real answers" in text
    assert "Reconstructed" not in report.banner({**PROGRAM, "reconstructed": False}, "2024")
