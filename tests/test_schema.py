"""Schema built from a codebook: good values pass, bad values fail with file, line, column, rule."""

from pathlib import Path

import pandas as pd
import pytest

from peermentor.cohorts import CohortDiscoveryError, discover_cohorts
from peermentor.validate import CohortValidationError, run, validate_cohort

PROGRAM = {
    "program": "demo",
    "roles": {"mentor": "Mentors", "mentee": "Mentees"},
    "codebook": [
        {"id": "sat", "text": "Satisfied?", "type": "likert", "scale": {"min": 1, "max": 5}},
        {"id": "again", "text": "Again?", "type": "binary"},
        {"id": "year", "text": "Year", "type": "single_choice",
         "choices": {"y1": "Y1", "y2": "Y2"}},
        {"id": "age", "text": "Age", "type": "numeric", "min": 18, "max": 70},
        {
            "id": "why",
            "text": "Why?",
            "type": "multi_choice",
            "choices": {"a": "A", "b": "B", "c": "C"},
            "max_selected": 2,
        },
        {"id": "pref", "text": "Rank", "type": "ranking", "choices": {"x": "X", "y": "Y"}},
        {"id": "comment", "text": "Comments", "type": "free_text"},
    ],
    "qualitative": {
        "categories": [
            {
                "id": "support",
                "label": "Support",
                "subcategories": [{"label": "Academic", "raised_by": ["mentee"]}],
            }
        ]
    },
}
HEADER = "respondent_id,role,sat,again,year,age,why__a,why__b,why__c,pref__x,pref__y,comment"
GOOD_ROWS = [
    "R1,mentor,5,1,y1,24,1,0,0,1,2,fine",
    "R2,mentee,1,0,y2,19.5,,,,,,",
    "R3,mentee,,,,,0,1,1,2,1,\"quoted, with comma\"",
]


def write(tmp_path: Path, rows: list[str], name: str = "responses.csv", header=HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def failures_for(tmp_path: Path, rows: list[str], header=HEADER):
    path = write(tmp_path, rows, header=header)
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, path, None)
    return path, info.value.failures


def test_good_rows_pass_and_are_typed(tmp_path):
    responses, codes = validate_cohort(PROGRAM, write(tmp_path, GOOD_ROWS), None)
    assert list(responses["respondent_id"]) == ["R1", "R2", "R3"]
    assert responses["sat"].tolist()[:2] == [5, 1] and pd.isna(responses["sat"].iloc[2])
    assert str(responses["sat"].dtype) == "Int64"
    assert responses["age"].iloc[1] == pytest.approx(19.5)
    assert codes.empty and list(codes.columns)[:2] == ["segment_id", "respondent_id"]


@pytest.mark.parametrize(
    ("row", "column", "value", "rule_words"),
    [
        ("R9,mentor,7,1,y1,24,1,0,0,1,2,", "sat", "7", "from 1 to 5"),
        ("R9,mentor,Agree,1,y1,24,1,0,0,1,2,", "sat", "Agree", "whole number"),
        ("R9,mentor,2.5,1,y1,24,1,0,0,1,2,", "sat", "2.5", "whole number"),
        ("R9,mentor,3,2,y1,24,1,0,0,1,2,", "again", "2", "binary"),
        ("R9,mentor,3,1,y9,24,1,0,0,1,2,", "year", "y9", "choice codes"),
        ("R9,mentor,3,1,y1,12,1,0,0,1,2,", "age", "12", "from 18 to 70"),
        ("R9,boss,3,1,y1,24,1,0,0,1,2,", "role", "boss", "roles"),
        ("R9,mentor,3,1,y1,24,1,0,0,3,2,", "pref__x", "3", "rank from 1 to 2"),
        ("R9,mentor,3,1,y1,24,yes,0,0,1,2,", "why__a", "yes", "ticked"),
    ],
)
def test_bad_value_names_file_line_column_value_rule(tmp_path, row, column, value, rule_words):
    path, failures = failures_for(tmp_path, [GOOD_ROWS[0], row])
    assert len(failures) == 1
    failure = failures[0]
    assert (failure.file, failure.line, failure.respondent_id) == (str(path), 3, "R9")
    assert (failure.column, failure.value) == (column, value)
    assert rule_words in failure.rule
    message = failure.message()
    assert str(path) in message and "line 3" in message and f"'{column}'" in message


@pytest.mark.parametrize(
    ("row", "rule_words"),
    [
        ("R9,mentor,3,1,y1,24,1,,0,1,2,", "fill every one of why__a, why__b, why__c"),
        ("R9,mentor,3,1,y1,24,1,1,1,1,2,", "at most 2"),
        ("R9,mentor,3,1,y1,24,1,0,0,1,1,", "distinct"),
    ],
)
def test_row_rules_report_the_row_once(tmp_path, row, rule_words):
    _, failures = failures_for(tmp_path, [row])
    assert len(failures) == 1
    assert failures[0].line == 2 and rule_words in failures[0].rule


def test_all_failures_at_once_duplicate_id_and_missing_column(tmp_path):
    header = HEADER.replace(",again", "")
    rows = [r.replace(",1,y1", ",y1").replace(",0,y2", ",y2") for r in GOOD_ROWS[:2]]
    rows.append("R1,mentee,9,y1,30,,,,,,")
    _, failures = failures_for(tmp_path, rows, header=header)
    rules = {(f.column, f.line, f.rule.split(" (")[0]) for f in failures}
    assert ("again", None, "required column is missing from the file") in rules
    assert ("respondent_id", 2, "must be unique") in rules
    assert ("respondent_id", 4, "must be unique") in rules
    assert ("sat", 4, "must be a whole number from 1 to 5") in rules


def test_empty_file_is_a_clear_failure(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CohortValidationError, match="responses.csv: breaks rule: file is empty"):
        validate_cohort(PROGRAM, path, None)


def test_codes_schema_checks_category_and_subcategory(tmp_path):
    header = "segment_id,respondent_id,source,role,category,subcategory"
    good = write(tmp_path, ["S1,,focus_group,mentee,support,Academic"], "codes.csv", header)
    _, codes = validate_cohort(PROGRAM, None, good)
    assert codes["category"].tolist() == ["support"]
    bad = write(
        tmp_path,
        ["S1,,focus_group,mentee,support,Financial", "S2,,podcast,mentee,career,"],
        "codes.csv",
        header,
    )
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, None, bad)
    found = {(f.line, f.column, f.value) for f in info.value.failures}
    assert (2, None, None) in found  # unknown subcategory: a row rule
    assert (3, "source", "podcast") in found
    assert (3, "category", "career") in found


def test_run_writes_report_and_no_outputs_on_failure(tmp_path):
    path = write(tmp_path, [GOOD_ROWS[0], "R9,mentor,7,1,y1,24,1,0,0,1,2,"])
    before = path.read_bytes()
    out_r, out_c, report = tmp_path / "v.csv", tmp_path / "c.csv", tmp_path / "fail.csv"
    with pytest.raises(SystemExit) as info:
        run(PROGRAM, str(path), None, str(out_r), str(out_c), str(report))
    assert "line 3" in str(info.value) and "'sat'" in str(info.value)
    assert not out_r.exists() and not out_c.exists()
    table = pd.read_csv(report)
    assert table.loc[0, ["line", "column", "value"]].tolist() == [3, "sat", 7]
    assert path.read_bytes() == before  # raw input untouched


def test_discovery_rejects_non_year_and_unknown_programme(tmp_path):
    raw, programs = tmp_path / "raw", tmp_path / "programs"
    programs.mkdir()
    (programs / "known.yaml").write_text("program: known\n")
    for folder in ["known/2021", "known/spring", "unknown/2022", "known/notes"]:
        (raw / folder).mkdir(parents=True)
    for folder in ["known/2021", "known/spring", "unknown/2022"]:
        (raw / folder / "responses.csv").write_text("respondent_id,role\n")
    with pytest.raises(CohortDiscoveryError) as info:
        discover_cohorts(raw, programs)
    message = str(info.value)
    assert "'spring' is not a four-digit year" in message
    assert "programme 'unknown' has no config" in message and "unknown.yaml" in message
    (raw / "known/spring/responses.csv").unlink()
    (raw / "unknown/2022/responses.csv").unlink()
    cohorts = discover_cohorts(raw, programs)
    assert [(c.program, c.year, c.has_responses, c.has_codes) for c in cohorts] == [
        ("known", "2021", True, False)
    ]
