"""Schema built from a codebook: good values pass, bad values fail with file, line, column, rule."""

from pathlib import Path

import pandas as pd
import pytest

from peermentor.ingest.cohorts import CohortDiscoveryError, discover_cohorts
from peermentor.ingest.schema import _numbers
from peermentor.ingest.validate import (
    CohortJobFailed,
    CohortValidationError,
    run,
    validate_cohort,
)

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
        ("R9,mentor,3,1,y9,24,1,0,0,1,2,", "year", "y9", "choice codes: y1 (Y1), y2 (Y2)"),
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
    assert ("again", 1, "required column is missing from the file") in rules
    assert ("respondent_id", 2, "must be unique: 'R1' is on lines 2 and 4") in rules
    assert ("respondent_id", 4, "must be unique: 'R1' is on lines 2 and 4") in rules
    assert ("sat", 4, "must be a whole number from 1 to 5") in rules


@pytest.mark.parametrize("content", ["", "\n\r\n  \n", ",,,\n,,\n"])
def test_empty_file_is_a_clear_failure(tmp_path, content):
    path = tmp_path / "responses.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, path, None)
    assert f"{path}: breaks rule: file is empty" in str(info.value)


def only_failure(path, codes=False):
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, None if codes else path, path if codes else None)
    assert len(info.value.failures) == 1, info.value.failures
    return info.value.failures[0], str(info.value)


def test_header_only_is_a_clear_failure(tmp_path):
    failure, message = only_failure(write(tmp_path, []))
    assert failure.line == 1 and "no data rows" in failure.rule
    assert f"{tmp_path / 'responses.csv'}, line 1 (header): breaks rule" in message


@pytest.mark.parametrize(
    ("rows", "line", "count", "words"),
    [
        ([GOOD_ROWS[0], "R9,mentor,3,1,y1,24,1,0,0,1,2,note,extra"], 3, 13, "unquoted comma"),
        ([GOOD_ROWS[0], "R9,mentor,3,1,y1"], 3, 5, "separator is missing"),
        (["R9,mentor,3,1,y1,24,1,0,0,1,\"2", "x\""], 2, 11, "runs over 2 lines"),
    ],
)
def test_ragged_row_names_line_and_field_counts(tmp_path, rows, line, count, words):
    path = write(tmp_path, rows)
    failure, message = only_failure(path)
    assert (failure.line, failure.row, failure.respondent_id) == (line, line - 1, "R9")
    assert f"has {count} fields but the header has 12" in failure.rule and words in failure.rule
    assert f"{path}, line {line} (data row {line - 1}, respondent R9)" in message


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ('R9,mentor,3,1,y1,24,1,0,0,1,2,"open quote', "never closed"),
        ('R9,mentor,3,1,y1,24,1,0,0,1,2,"quoted" after', "after a closing quote"),
    ],
)
def test_broken_quotes_name_the_line(tmp_path, row, words):
    path = write(tmp_path, [GOOD_ROWS[0], row, GOOD_ROWS[1]])
    failure, message = only_failure(path)
    assert failure.line == 3 and words in failure.rule
    assert f"{path}, line 3: breaks rule: cannot be read as CSV" in message


def test_every_ragged_line_is_reported_with_its_true_line(tmp_path):
    # Blank lines and a quoted value over two lines shift file lines away from rows.
    rows = ["", GOOD_ROWS[0], 'R2,mentee,1,0,y2,19,,,,,,"two', 'lines"', "", "R3,mentee", "R4"]
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, write(tmp_path, rows), None)
    assert [(f.line, f.row) for f in info.value.failures] == [(7, 3), (8, 4)]


def test_duplicate_header_column_is_named(tmp_path):
    path = write(tmp_path, ["R1,mentor,5,1,y1,24,1,0,0,1,2,x,4"], header=HEADER + ",sat")
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, path, None)
    failure = info.value.failures[0]
    assert (failure.line, failure.column) == (1, "sat")
    assert "appears twice in the header (fields 3 and 13)" in failure.rule
    assert f"{path}, line 1 (header), column 'sat'" in failure.message()


def test_duplicate_ids_name_both_lines(tmp_path):
    path = write(tmp_path, [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0].replace("5,1", "4,1")])
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, path, None)
    messages = [f.message() for f in info.value.failures]
    assert messages == [
        f"{path}, line {line} (data row {line - 1}, respondent R1), column 'respondent_id': "
        "value 'R1' breaks rule: must be unique: 'R1' is on lines 2 and 4"
        for line in (2, 4)
    ]


def test_duplicate_segment_ids_and_unknown_role_in_codes(tmp_path):
    header = "segment_id,respondent_id,source,role,category,subcategory"
    path = write(tmp_path, ["S1,,interview,mentee,support,", "S1,,interview,boss,support,"],
                 "codes.csv", header)
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(PROGRAM, None, path)
    found = {(f.line, f.column, f.value, f.rule.split(":")[0]) for f in info.value.failures}
    assert found == {
        (2, "segment_id", "S1", "must be unique"),
        (3, "segment_id", "S1", "must be unique"),
        (3, "role", "boss", "must be one of the programme's roles"),
    }
    assert all(str(path) in f.message() for f in info.value.failures)


def test_missing_column_names_header_and_suggests_misspelling(tmp_path):
    path = write(tmp_path, GOOD_ROWS[:1], header=HEADER.replace(",again,", ",agian,"))
    failure, message = only_failure(path)
    assert (failure.line, failure.column) == (1, "again")
    assert "required column is missing from the file (did you mean 'agian'?)" in failure.rule
    assert f"{path}, line 1 (header), column 'again'" in message


def test_extra_columns_warn_with_file_and_names_and_are_dropped(tmp_path, caplog):
    path = write(tmp_path, [r + ",2024-01-01,x" for r in GOOD_ROWS],
                 header=HEADER + ",timestamp,notes")
    with caplog.at_level("WARNING", logger="peermentor.ingest.validate"):
        responses, _ = validate_cohort(PROGRAM, path, None)
    assert "timestamp" not in responses and "notes" not in responses
    assert list(responses.columns) == HEADER.split(",")
    warning = caplog.records[-1]
    assert warning.levelname == "WARNING"
    assert str(path) in warning.getMessage()
    assert "2 column(s) not in the codebook of demo: 'timestamp', 'notes'" in warning.getMessage()


LABELLED = {
    **PROGRAM,
    "codebook": [
        {**PROGRAM["codebook"][0],
         "scale": {"min": 1, "max": 5, "labels": {1: "Strongly disagree", 4: "Agree",
                                                  5: "Strongly agree"}}},
        *PROGRAM["codebook"][1:],
    ],
}


def test_trailing_separators_are_unnamed_extra_columns(tmp_path, caplog):
    path = write(tmp_path, [r + ",," for r in GOOD_ROWS], header=HEADER + ",,")
    with caplog.at_level("WARNING", logger="peermentor.ingest.validate"):
        responses, _ = validate_cohort(PROGRAM, path, None)
    assert list(responses.columns) == HEADER.split(",")
    assert "'(unnamed field 13)', '(unnamed field 14)'" in caplog.text


def test_likert_labels_from_the_codebook_become_numbers(tmp_path, caplog):
    rows = [GOOD_ROWS[0].replace("R1,mentor,5", "R1,mentor,Agree"),
            GOOD_ROWS[1].replace("R2,mentee,1", "R2,mentee,strongly  DISAGREE"), GOOD_ROWS[2]]
    path = write(tmp_path, rows)
    with caplog.at_level("INFO", logger="peermentor.ingest.validate"):
        responses, _ = validate_cohort(LABELLED, path, None)
    assert responses["sat"].tolist()[:2] == [4, 1]
    assert "column 'sat': read 2 Likert label(s) as numbers: 'Agree' -> 4" in caplog.text


@pytest.mark.parametrize(
    ("program", "value", "words"),
    [
        (LABELLED, "Neutral", "or one of its labels (1 = Strongly disagree, 4 = Agree, "
                              "5 = Strongly agree)"),
        (PROGRAM, "Agree", "the codebook gives no labels for it"),
    ],
)
def test_likert_text_that_is_no_label_fails_naming_value_and_labels(
    tmp_path, program, value, words
):
    bad = GOOD_ROWS[1].replace("R2,mentee,1", f"R2,mentee,{value}")
    path = write(tmp_path, [GOOD_ROWS[0], bad])
    with pytest.raises(CohortValidationError) as info:
        validate_cohort(program, path, None)
    [failure] = info.value.failures
    assert (failure.line, failure.column, failure.value) == (3, "sat", value)
    assert words in failure.rule
    assert f"{path}, line 3 (data row 2, respondent R2), column 'sat'" in failure.message()


def test_non_utf8_file_fails_naming_line_byte_and_what_to_do(tmp_path):
    path = tmp_path / "responses.csv"
    text = "\n".join([HEADER, GOOD_ROWS[0], GOOD_ROWS[1].replace(",,,,,,", ",,,,,,Café")])
    path.write_bytes(text.encode("cp1252"))
    failure, message = only_failure(path)
    offset = text.encode("cp1252").index(b"\xe9")
    assert (failure.line, failure.value) == (3, "0xE9")
    assert f"byte offset {offset}" in failure.rule and "'é'" in failure.rule
    assert f"{path}, line 3: value '0xE9' breaks rule: the file is not UTF-8" in message
    assert "save the file as UTF-8" in message


def test_utf16_file_fails_naming_the_encoding(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text("\n".join([HEADER, GOOD_ROWS[0]]), encoding="utf-16")
    failure, message = only_failure(path)
    assert failure.line == 1 and "UTF-16" in failure.rule and str(path) in message


@pytest.mark.parametrize(
    ("delimiter", "encoding", "newline", "warned"),
    [
        (",", "utf-8-sig", "\r\n", False),  # Excel's 'CSV UTF-8': BOM and CRLF
        (";", "utf-8-sig", "\r\n", True),   # Excel in locales with decimal commas
        ("\t", "utf-8", "\n", True),
    ],
)
def test_bom_crlf_and_other_delimiters_read_like_the_canonical_file(
    tmp_path, caplog, delimiter, encoding, newline, warned
):
    import csv

    canonical, _ = validate_cohort(PROGRAM, write(tmp_path, GOOD_ROWS), None)
    other = tmp_path / "other.csv"
    with other.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator=newline)
        writer.writerows(csv.reader([HEADER, *GOOD_ROWS]))
    with caplog.at_level("WARNING", logger="peermentor.ingest.validate"):
        responses, _ = validate_cohort(PROGRAM, other, None)
    pd.testing.assert_frame_equal(responses, canonical)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    if warned:
        assert len(warnings) == 1 and str(other) in warnings[0] and "not commas" in warnings[0]
    else:
        assert warnings == []


def test_run_copies_warnings_to_the_log(tmp_path):
    import io

    path = write(tmp_path, [r + ",x" for r in GOOD_ROWS], header=HEADER + ",notes")
    log = io.StringIO()
    out_r, out_c = tmp_path / "v.csv", tmp_path / "c.csv"
    run(PROGRAM, str(path), None, str(out_r), str(out_c), str(tmp_path / "f.csv"), log=log)
    assert f"WARNING: {path}: ignoring 1 column(s)" in log.getvalue()
    assert "notes" not in out_r.read_text().splitlines()[0]


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
    with pytest.raises(CohortJobFailed) as info:
        run(PROGRAM, str(path), None, str(out_r), str(out_c), str(report))
    assert "line 3" in str(info.value) and "'sat'" in str(info.value)
    assert not out_r.exists() and not out_c.exists()
    table = pd.read_csv(report)
    assert table.loc[0, ["line", "column", "value"]].tolist() == [3, "sat", 7]
    assert path.read_bytes() == before  # raw input untouched


def test_discovery_rejects_non_year_and_unknown_programme(tmp_path, caplog):
    raw, programs = tmp_path / "raw", tmp_path / "programs"
    programs.mkdir()
    (programs / "known.yaml").write_text("program: known\n")
    for folder in ["known/2021", "known/spring", "unknown/2022", "known/notes"]:
        (raw / folder).mkdir(parents=True)
    for folder in ["known/2021", "known/spring", "unknown/2022"]:
        (raw / folder / "responses.csv").write_text("respondent_id,role\n")
    with pytest.raises(CohortDiscoveryError) as info:
        discover_cohorts(raw, programs)
    # a cluster job step looks only at its own cohorts' folders, not at the broken others
    assert [(c.program, c.year) for c in discover_cohorts(
        raw, programs, only={("known", "2021"), ("known", "2030")})] == [("known", "2021")]
    with pytest.raises(CohortDiscoveryError, match="programme 'unknown' has no config"):
        discover_cohorts(raw, programs, only={("unknown", "2022")})
    message = str(info.value)
    assert "'spring' is not a four-digit year" in message
    assert "programme 'unknown' has no config" in message and "unknown.yaml" in message
    (raw / "known/spring/responses.csv").unlink()
    (raw / "unknown/2022/responses.csv").unlink()
    (raw / "unknown/2022").rmdir()  # an empty year folder is an error (test_importers)
    caplog.clear()
    cohorts = discover_cohorts(raw, programs)
    notes = caplog.messages
    assert [(c.program, c.year, c.has_responses, c.has_codes) for c in cohorts] == [
        ("known", "2021", True, False)
    ]
    # other folders holding nothing usable are warned about, not silently skipped
    assert [n.split("': ")[0] for n in notes] == [f"'{raw / 'known/notes'}",
                                                 f"'{raw / 'known/spring'}"]


def test_likert_label_keys_must_be_scale_points(tmp_path):
    import yaml

    from peermentor.ingest.config import ConfigError, load_program

    item = {"id": "sat", "text": "S", "type": "likert",
            "scale": {"min": 1, "max": 5, "labels": {1: "Low", 5: "High"}}}
    config = {"program": "demo", "title": "t", "institution": "i", "country": "c",
              "design": "d", "roles": {"mentor": "M"}, "cohorts": {}, "codebook": [item]}
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(config))
    assert load_program(path)["codebook"][0]["scale"]["labels"][5] == "High"
    item["scale"]["labels"] = {1: "Low", 7: "Off the scale"}
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError,
                       match=r"demo.yaml, line \d+: item 'sat': scale label key 7 must be"):
        load_program(path)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
@pytest.mark.parametrize("texts", [
    ["1", "2", "2", None], ["1", "2", "2"], ["1.5", "2", "2"], [None, None], [],
    ["a", "a"], ["1", "x", "1"],
    [" 3", "3", "1e3", "1e3", "-0", "0", "inf", "NaN", "1_000", "1_000"],
    ["9007199254740993", "9007199254740993", "1"], ["18446744073709551615"] * 2, ["", "", "4"],
])
def test_numbers_parses_like_pandas_to_numeric(texts, dtype):
    # _numbers parses each distinct text once; pandas' own to_numeric is the reference
    values = pd.Series(texts, dtype=dtype, name="q", index=range(10, 10 + len(texts)))
    pd.testing.assert_series_equal(_numbers(values), pd.to_numeric(values, errors="coerce"))
