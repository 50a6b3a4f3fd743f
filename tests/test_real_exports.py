"""Real REDCap and Qualtrics exports from public repositories (tests/fixtures/real/, each
with its SOURCE.md), scaffolded and imported as the README tells a user, with no edit to
the generated YAML. What the import keeps is checked against the raw files read with
the csv module, not against the pipeline's own output.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from peermentor.ingest import scaffold
from peermentor.ingest.config import load_program
from peermentor.ingest.importers import ImportProblems, import_cohort

REAL = Path(__file__).parent / "fixtures" / "real"


def raw_rows(path: Path, header_rows: int = 1) -> list[dict]:
    """An export's data rows as the csv module reads them (Qualtrics: 3 header rows)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[header_rows:]]


def scaffolded(tmp_path, capsys, name: str, *argv: str) -> tuple[dict, Path, str]:
    """(programme, its YAML, the scaffold's console) for a fixture, as the README says."""
    folder = REAL / name
    if (folder / "redcap.csv").exists():
        args = ["redcap", str(folder / "redcap_dictionary.csv"), "--export",
                str(folder / "redcap.csv")]
    else:
        args = ["qualtrics", str(folder / "qualtrics.csv")]
    assert scaffold.main([*args, *argv, "--program", name]) == 0
    captured = capsys.readouterr()
    path = tmp_path / f"{name}.yaml"
    path.write_text(captured.out, encoding="utf-8")
    return load_program(path), path, captured.err


def imported(program: dict, name: str, path: Path | None = None):
    folder = REAL / name
    if (folder / "redcap.csv").exists():
        return import_cohort(program, "redcap", folder / "redcap.csv",
                             folder / "redcap_dictionary.csv", "2024", path)
    return import_cohort(program, "qualtrics", folder / "qualtrics.csv", None, "2024", path)


def test_every_fixture_names_its_source_commit_and_licence():
    folders = sorted(p for p in REAL.iterdir() if p.is_dir())
    assert len(folders) == 12
    for folder in folders:
        source = (folder / "SOURCE.md").read_text()
        assert "https://github.com/" in source and "commit `" in source, folder
        assert "- Licence: " in source, folder


# ------------------------------------------------------------------ Qualtrics


def test_choice_text_labels_with_commas_stay_whole_and_scales_are_likert(tmp_path, capsys, caplog):
    """EasyQualtrics' choice-text export: commas inside single answers, text scales."""
    program, path, console = scaffolded(tmp_path, capsys, "easyqualtrics-ex")
    items = {item["id"]: item for item in program["codebook"]}
    assert items["education"]["type"] == "single_choice"
    assert items["income"]["type"] == "single_choice"
    assert items["csat"]["type"] == "likert" and items["churn"]["type"] == "likert"
    assert items["drivers_1"]["scale"]["labels"][5] == "Very satisfied"
    assert items["spanish_hispanic_latino"]["type"] == "binary"
    assert items["elig1"]["type"] == "multi_choice" and items["race"]["type"] == "multi_choice"
    # the ambiguous columns are said on the console and marked TODO
    assert "column Education: answers such as" in console
    assert "column Race: answers such as" in console
    caplog.clear()  # what the import logs, not the scaffold
    table = imported(program, "easyqualtrics-ex", path).responses
    notes = caplog.messages
    raw = raw_rows(REAL / "easyqualtrics-ex/qualtrics.csv", 3)
    assert len(table) == len(raw) == 100
    by_id = table.set_index("respondent_id")
    degree = "Graduate or professional degree (MA, MS, MBA, PhD, JD, MD, DDS)"
    code = next(c for c, label in items["education"]["choices"].items() if label == degree)
    holders = {r["ResponseId"] for r in raw if r["Education"] == degree}
    assert holders and set(by_id.index[by_id["education"] == code]) == holders
    income = next(c for c, label in items["income"]["choices"].items()
                  if label == "$50,000-$74,999")
    assert (by_id["income"] == income).sum() == sum(r["Income"] == "$50,000-$74,999"
                                                    for r in raw)
    scale = list(items["csat"]["scale"]["labels"].values())
    for row in raw:  # each answer is its label's point on the scale
        assert by_id.at[row["ResponseId"], "csat"] == str(scale.index(row["CSAT"]) + 1)
    both = [r["ResponseId"] for r in raw if r["Race"] == "White,Asian"]
    assert both and (by_id.loc[both, ["race__white", "race__asian"]] == "1").all().all()
    assert (by_id.loc[both].filter(like="race__").astype(int).sum(axis=1) == 2).all()
    assert any("kept 100 imported responses (Status 'Imported')" in n for n in notes)
    assert "all 100 answers are imported responses (Status 'Imported')" in console
    assert program["import"]["leave_out"] == ["preview", "test", "spam"]


def test_all_preview_export_refused_saying_so_then_imported_deliberately(tmp_path, capsys):
    """EasyQualtrics' developer export: every response a preview (DistributionChannel)."""
    program, path, console = scaffolded(tmp_path, capsys, "easyqualtrics-dev")
    assert "every response is a survey preview, test or spam (20)" in console
    with pytest.raises(ImportProblems) as info:
        imported(program, "easyqualtrics-dev", path)
    message = str(info.value)
    assert "every one of the 20 responses is left out: 20 survey previews (Status " \
        "'Imported', DistributionChannel 'preview')" in message
    assert f"write `leave_out: [test, spam, imported]` under import: in {path}" in message
    program["import"]["leave_out"] = ["test", "spam"]  # the user's deliberate choice
    table = imported(program, "easyqualtrics-dev", path).responses
    assert len(table) == 20
    items = {item["id"]: item for item in program["codebook"]}
    ranking = items["q9_rank_order"]
    assert ranking["type"] == "ranking" and len(ranking["choices"]) == 5
    raw = raw_rows(REAL / "easyqualtrics-dev/qualtrics.csv", 3)
    by_id = table.set_index("respondent_id")
    for row in raw:
        assert by_id.at[row["ResponseId"], "q9_rank_order__1"] == row["Q9 Rank order_1"]
    assert items["q10_matrix_table_1"]["type"] == "likert"
    assert items["q10_matrix_table_1"]["scale"]["labels"][1] == "Strongly disagree"
    assert items["q13_end_of_survey"]["type"] == "binary"
    # names, e-mail addresses and phone numbers of the form field stay behind
    assert not any(c.startswith("q8_form_field") for c in table.columns)


@pytest.mark.parametrize("qsf", [False, True])
def test_text_status_previews_and_unfinished_left_out_with_a_line(tmp_path, capsys, caplog, qsf):
    """The preservation tutorial's export: Status 'IP Address' / 'Survey Preview'."""
    folder = REAL / "preserving-survey"
    extra = ["--qsf", str(folder / "survey.qsf")] if qsf else []
    program, path, console = scaffolded(tmp_path, capsys, "preserving-survey", *extra)
    assert "2 of 25 responses are previews, tests or spam" in console
    caplog.clear()  # what the import logs, not the scaffold
    table = imported(program, "preserving-survey", path).responses
    notes = caplog.messages
    raw = raw_rows(folder / "qualtrics.csv", 3)
    kept = [r for r in raw if r["Status"] == "IP Address" and r["Finished"] == "True"]
    assert sorted(table["respondent_id"]) == sorted(r["ResponseId"] for r in kept)
    assert any("left out 2 survey previews (Status 'Survey Preview'" in n for n in notes)
    assert any("1 of 23 rows not complete" in n for n in notes)
    items = {item["id"]: item for item in program["codebook"]}
    assert items["consent"]["type"] == "binary"
    assert (table["consent"] == "1").sum() == sum(r["consent"] == "Yes" for r in kept)
    assert "Harry Potter" not in table.to_csv() and "555" not in table.to_csv()
    if qsf:  # typed from the survey file: the sliders are numbers with their range
        assert items["age_1"] == {**items["age_1"], "type": "numeric", "min": 0, "max": 100}
        assert set(items["gender"]["choices"].values()) == {
            "Male", "Female", "Non-binary / third gender", "Prefer not to say"}


def test_numeric_export_with_text_iq_and_german_headers(tmp_path, capsys, caplog):
    program, path, _ = scaffolded(tmp_path, capsys, "qualtrics-sample")
    caplog.clear()  # what the import logs, not the scaffold
    table = imported(program, "qualtrics-sample", path).responses
    notes = caplog.messages
    assert table["respondent_id"].tolist() == ["R_2YPOQ602ER1jkf1"]
    assert any("Text iQ column(s) not answers, left out: Q2 - Topics" in n for n in notes)


def test_test_responses_refused_saying_survey_test(tmp_path, capsys):
    """QualtricsTools' 2016 sample: every response a generated test response (Status 2)."""
    folder = REAL / "qualtricstools-sample"
    program, path, _ = scaffolded(tmp_path, capsys, "qualtricstools-sample", "--qsf",
                                  str(folder / "survey.qsf"))
    with pytest.raises(ImportProblems, match=r"every one of the 5 responses is left out: 5 "
                       r"survey tests \(Status '2'\).*write "
                       r"`leave_out: \[preview, spam, imported\]`"):
        imported(program, "qualtricstools-sample", path)
    program["import"]["leave_out"] = ["preview", "spam"]
    table = imported(program, "qualtricstools-sample", path).responses
    assert len(table) == 5
    items = {item["id"]: item for item in program["codebook"]}
    assert items["q2_favorite"]["type"] == "single_choice"  # from the .qsf: MC SAVR
    assert set(items["q2_favorite"]["choices"].values()) == {"Canteloupe", "Kiwi", "Pomagranite"}


# --------------------------------------------------------------------- REDCap


def test_soft_range_values_kept_and_listed_true_false_read_as_codes(tmp_path, capsys, caplog):
    """REDCapR's 'simple' project: heights 7 and 6 against 130-215; sex as TRUE/FALSE."""
    program, path, console = scaffolded(tmp_path, capsys, "redcapr-simple")
    assert "no role field (--role-field): every record gets the one role 'respondent'" \
        in console
    items = {item["id"]: item for item in program["codebook"]}
    assert items["height"]["soft_range"] is True and items["height"]["min"] == 130
    caplog.clear()  # what the import logs, not the scaffold
    table = imported(program, "redcapr-simple", path).responses.set_index(
        "respondent_id")
    notes = caplog.messages
    raw = {r["record_id"]: r for r in raw_rows(REAL / "redcapr-simple/redcap.csv")}
    assert table.at["1", "height"] == raw["1"]["height"] == "7"  # kept, not refused
    assert any("row 2 (respondent 1), column 'height': value '7' is outside 130 to 215, the "
               "item's soft range" in n for n in notes)
    assert any("read 5 TRUE/FALSE answer(s) as the field's codes 1/0" in n for n in notes)
    assert table.at["2", "sex"] == ("1" if raw["2"]["sex"] == "TRUE" else "0")
    assert (table["role"] == "respondent").all()


def test_no_record_complete_keeps_those_who_answered(tmp_path, capsys):
    """REDCapR's clinical-trial-1: 500 records, every demographics_complete 0."""
    program, path, console = scaffolded(tmp_path, capsys, "redcapr-clinical-trial-1")
    assert program["import"]["complete_when"] == {"demographics_complete": "answered"}
    assert "no record has demographics marked Complete (2)" in console
    assert "# TODO: no record has demographics marked Complete (2)" in path.read_text()
    table = imported(program, "redcapr-clinical-trial-1", path).responses
    assert len(table) == 500
    raw = raw_rows(REAL / "redcapr-clinical-trial-1/redcap.csv")
    assert all(r["demographics_complete"] == "0" for r in raw)
    # as the scaffold first wrote it (Complete only), the refusal says what to change
    program["import"]["complete_when"] = {"demographics_complete": ["2"]}
    with pytest.raises(ImportProblems) as info:
        imported(program, "redcapr-clinical-trial-1", path)
    assert "no record has demographics marked Complete (2); to keep the 500 that answered " \
        f"it, write `demographics_complete: answered` ({path}, line " in str(info.value)


def test_longitudinal_completion_judged_per_event(tmp_path, capsys):
    """REDCapR's longitudinal project: each event holds its own instruments."""
    program, path, _ = scaffolded(tmp_path, capsys, "redcapr-longitudinal")
    result = imported(program, "redcapr-longitudinal", path)
    raw = raw_rows(REAL / "redcapr-longitudinal/redcap.csv")
    dose_1 = {r["study_id"] for r in raw if r["redcap_event_name"] == "dose_1_arm_1"}
    assert set(result.waves.loc[result.waves["wave"] == "dose_1", "respondent_id"]) == dose_1
    items = {item["id"] for item in program["codebook"]}
    assert "given_birth" in items  # a yes/no question, not a date of birth
    assert not items & {"first_name", "last_name", "email", "telephone_1", "dob"}


def test_instrument_event_mapping_and_api_dictionary(tmp_path, capsys):
    folder = REAL / "redcapapi-offline"
    program, path, _ = scaffolded(tmp_path, capsys, "redcapapi-offline", "--event-map",
                                  str(folder / "instrument_designations.csv"))
    mapping = raw_rows(folder / "instrument_designations.csv")
    assert program["import"]["event_forms"]["event_1_arm_1"] == [
        r["form"] for r in mapping if r["unique_event_name"] == "event_1_arm_1"]
    assert len(imported(program, "redcapapi-offline", path).responses) == 20
    # redcapAPI's metadata.csv: the API's column names (field_name, form_name, ...)
    program, path, _ = scaffolded(tmp_path, capsys, "redcapapi-extdata")
    assert len(imported(program, "redcapapi-extdata", path).responses) == 21


@pytest.mark.parametrize("name", ["redcapr-survey", "redcapr-vignette-repeating"])
def test_survey_and_repeating_projects_import_without_identifiers(tmp_path, capsys, name):
    program, path, _ = scaffolded(tmp_path, capsys, name)
    table = imported(program, name, path).responses
    raw = raw_rows(REAL / name / "redcap.csv")
    ids = {r[next(iter(r))] for r in raw}
    assert set(table["respondent_id"]) <= ids and len(table)
    text = table.to_csv()
    for row in raw:
        for field in ("email", "first_name", "last_name", "telephone_1"):
            if row.get(field):
                assert row[field] not in text


def test_fixture_copy_for_the_pipeline(tmp_path):
    """The layout the pipeline tests use: files as data/raw expects them."""
    folder = tmp_path / "data/raw/x/2024"
    shutil.copytree(REAL / "redcapr-simple", folder, ignore=shutil.ignore_patterns("*.md"))
    assert sorted(p.name for p in folder.iterdir()) == ["redcap.csv", "redcap_dictionary.csv"]
    assert yaml.safe_load("a: 1") == {"a": 1}
