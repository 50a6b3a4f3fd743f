"""The export shapes real projects come in (issue 19), each built here from a small file:
choice-text Qualtrics exports, text Status values, rank order, a survey file (.qsf),
REDCap completion per event, soft ranges, surveys of one role."""

from __future__ import annotations

import csv
import json
import logging

import pandas as pd
import pytest

from peermentor.ingest import scaffold
from peermentor.ingest.config import ConfigError, load_program
from peermentor.ingest.importers import ImportProblems, import_cohort
from peermentor.ingest.validate import CohortValidationError, validate_cohort

META = [("StartDate", "Start Date", "startDate"), ("Status", "Response Type", "status"),
        ("Finished", "Finished", "finished"), ("ResponseId", "Response ID", "_recordId"),
        ("DistributionChannel", "Distribution Channel", "distributionChannel")]


def qualtrics_csv(path, questions: list[tuple[str, str, str]], rows: list[list[str]]):
    """A Qualtrics export: META then (column, question text, ImportId) columns."""
    columns = META + questions
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow([c[0] for c in columns])
        out.writerow([c[1] for c in columns])
        out.writerow([json.dumps({"ImportId": c[2]}) for c in columns])
        out.writerows(rows)
    return path


def scaffold_yaml(tmp_path, capsys, argv: list[str], name: str = "shape"):
    code = scaffold.main([*argv, "--program", name])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    path = tmp_path / f"{name}.yaml"
    path.write_text(captured.out, encoding="utf-8")
    return load_program(path), path, captured.err


def row(response: str, status: str, *answers: str, finished: str = "True",
        channel: str = "anonymous") -> list[str]:
    return ["2024-05-01 10:00:00", status, finished, response, channel, *answers]


CHOICE_TEXT_QUESTIONS = [
    ("Q1", "How satisfied are you with your mentor?", "QID1"),
    ("Q2", "Highest degree", "QID2"),
    ("Q3", "Where did you meet? - Selected Choice", "QID3"),
    ("Q4_1", "Rank what helped most - Advice", "QID4_1"),
    ("Q4_2", "Rank what helped most - Support", "QID4_2"),
    ("Q4_3", "Rank what helped most - Contacts", "QID4_3"),
    ("Q5", "Would you mentor again?", "QID5"),
]
DEGREE = "Graduate degree (MA, MS, PhD)"


def choice_text_export(tmp_path):
    rows = [
        row("R_1", "IP Address", "Very satisfied", DEGREE, "Cafe,Library", "1", "2", "3", "Yes"),
        row("R_2", "IP Address", "Somewhat dissatisfied", "Bachelor", "Library", "3", "1", "2",
            "No"),
        row("R_3", "IP Address", "Very satisfied", DEGREE, "Cafe", "2", "3", "1", "Yes"),
        row("R_4", "Survey Preview", "", "", "", "", "", "", "", channel="preview"),
        row("R_5", "Survey Test", "Very satisfied", "Bachelor", "Cafe", "1", "2", "3", "Yes",
            channel="test"),
        row("R_6", "Spam", "Very dissatisfied", "Bachelor", "Cafe", "1", "2", "3", "No"),
        row("R_7", "IP Address", "Very satisfied", "Bachelor", "", "", "", "", "",
            finished="False"),
        row("R_8", "Imported", "Very satisfied", "Bachelor", "Cafe", "1", "2", "3", "Yes"),
    ]
    return qualtrics_csv(tmp_path / "qualtrics.csv", CHOICE_TEXT_QUESTIONS, rows)


def test_choice_text_export_typed_from_its_answers(tmp_path, capsys, caplog):
    path = choice_text_export(tmp_path)
    program, config, console = scaffold_yaml(tmp_path, capsys, ["qualtrics", str(path)])
    items = {item["id"]: item for item in program["codebook"]}
    # a common rating scale written as text is a Likert item with every label
    assert items["q1"]["type"] == "likert"
    assert list(items["q1"]["scale"]["labels"].values()) == [
        "Very dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied",
        "Somewhat satisfied", "Very satisfied"]
    # a label with commas (comma and space) is one answer, said on the console
    assert items["q2"]["type"] == "single_choice" and DEGREE in items["q2"]["choices"].values()
    assert f"column Q2: answers such as {DEGREE!r} hold commas" in console
    assert "# TODO: answers such as" in config.read_text()
    # answers joined by a bare comma: a multiple answer, also said and marked TODO
    assert items["q3"]["type"] == "multi_choice"
    assert "column Q3: answers such as 'Cafe,Library' hold commas without a space" in console
    # every answered row ranks 1..3 once each: rank order, never Likert
    assert items["q4"]["type"] == "ranking"
    assert items["q4"]["choices"] == {"1": "Advice", "2": "Support", "3": "Contacts"}
    assert items["q5"]["type"] == "binary"
    # imported responses (entered from a file) are left out by default, said on the console
    assert program["import"]["leave_out"] == ["preview", "test", "spam", "imported"]
    assert "1 of 8 responses were imported into Qualtrics from a file: the import leaves " \
        "them out" in console

    caplog.clear()  # what the import logs, not the scaffold
    table = import_cohort(program, "qualtrics", path, None, "2024", config).responses
    notes = caplog.messages
    by_id = table.set_index("respondent_id")
    # no preview, test, spam, import or unfinished response
    assert list(by_id.index) == ["R_1", "R_2", "R_3"]
    degree = next(c for c, label in items["q2"]["choices"].items() if label == DEGREE)
    assert by_id["q2"].tolist() == [degree, by_id.at["R_2", "q2"], degree]
    assert by_id["q1"].tolist() == ["5", "2", "5"]
    assert by_id[["q3__cafe", "q3__library"]].values.tolist() == [["1", "1"], ["0", "1"],
                                                                   ["1", "0"]]
    assert by_id.at["R_2", "q4__2"] == "1" and by_id["q5"].tolist() == ["1", "0", "1"]
    assert ("left out 1 survey preview (Status 'Survey Preview', DistributionChannel "
            "'preview'), 1 survey test (Status 'Survey Test', DistributionChannel 'test'), "
            "1 spam (Status 'Spam', DistributionChannel 'anonymous'), 1 imported response "
            "(Status 'Imported', DistributionChannel 'anonymous') (import.leave_out: "
            "preview, test, spam, imported)") in notes
    assert any(n.startswith("1 of 4 rows not complete") for n in notes)


def test_a_label_with_commas_is_never_split_and_unknown_answers_stay_whole(tmp_path):
    path = qualtrics_csv(tmp_path / "qualtrics.csv", [("Q3", "Where?", "QID3")], [
        row("R_1", "0", "Cafe, bar or pub,Library", finished="1"),
        row("R_2", "0", "Cafe, bar", finished="1"),
    ])
    program = {"program": "shape", "roles": {"mentor": "Mentors"}, "codebook": [
        {"id": "where", "text": "Where?", "type": "multi_choice",
         "choices": {"pub": "Cafe, bar or pub", "lib": "Library"}}],
        "import": {"format": "qualtrics", "role": {"value": "mentor"},
                   "columns": {"where": "Q3"}}}
    with pytest.raises(ImportProblems) as info:
        import_cohort(program, "qualtrics", path)
    # R_1 reads as its two declared labels; R_2's answer is named whole, not in pieces
    assert "row 5, column 'Q3': value 'Cafe, bar': no entry for this option" in str(info.value)
    assert "row 4" not in str(info.value)


@pytest.mark.parametrize(("status", "channel", "kind"), [
    ("1", "anonymous", "survey preview"), ("Survey Preview", "preview", "survey preview"),
    ("0", "preview", "survey preview"), ("2", "anonymous", "survey test"),
    ("Survey Test", "test", "survey test"), ("8", "anonymous", "spam"),
])
def test_an_export_of_nothing_but_previews_or_tests_is_refused_saying_so(tmp_path, status,
                                                                        channel, kind):
    path = qualtrics_csv(tmp_path / "qualtrics.csv", [("Q1", "Sat?", "QID1")],
                         [row(f"R_{i}", status, "4", channel=channel) for i in range(3)])
    program = {"program": "shape", "roles": {"mentor": "Mentors"}, "codebook": [
        {"id": "sat", "text": "Sat?", "type": "likert", "scale": {"min": 1, "max": 5}}],
        "import": {"format": "qualtrics", "role": {"value": "mentor"},
                   "columns": {"sat": "Q1"}}}
    with pytest.raises(ImportProblems) as info:
        import_cohort(program, "qualtrics", path)
    assert f"every one of the 3 responses is left out: 3 {kind}s" in str(info.value)
    assert "To analyse them deliberately, write `leave_out: [" in str(info.value)
    program["import"]["leave_out"] = []  # deliberately included
    assert len(import_cohort(program, "qualtrics", path).responses) == 3


def test_scaffold_with_a_survey_file_types_every_question_exactly(tmp_path, capsys):
    """A .qsf with the question types of a mentoring survey, and its numeric export."""
    def sq(qid, tag, kind, selector, sub=None, choices=None, answers=None, recodes=None,
           config=None, text="Question"):
        payload = {"QuestionID": qid, "DataExportTag": tag, "QuestionType": kind,
                   "Selector": selector, "SubSelector": sub, "QuestionText": f"<b>{text}</b>",
                   "Choices": {k: {"Display": v} for k, v in (choices or {}).items()},
                   "ChoiceOrder": list(choices or {}), "Configuration": config or {}}
        if answers:
            payload["Answers"] = {k: {"Display": v} for k, v in answers.items()}
            payload["AnswerOrder"] = list(answers)
        if recodes:
            payload["RecodeValues"] = recodes
        return {"Element": "SQ", "PrimaryAttribute": qid, "Payload": payload}

    # listed high to low, as Qualtrics' agreement scale is
    agree = {"1": "Strongly agree", "2": "Somewhat agree", "3": "Neither agree nor disagree",
             "4": "Somewhat disagree", "5": "Strongly disagree"}
    survey = {"SurveyEntry": {"SurveyID": "SV_1"}, "SurveyElements": [
        {"Element": "BL", "Payload": []},
        sq("QID1", "role", "MC", "SAVR", "TX", {"1": "Mentor", "2": "Mentee"}),
        sq("QID2", "useful", "MC", "SAVR", "TX", agree,
           recodes={"1": "10", "2": "20", "3": "30", "4": "40", "5": "50"}),
        sq("QID3", "topics", "MC", "MAVR", "TX", {"1": "Careers", "2": "Exams, OSCEs",
                                                  "3": "Wellbeing"}),
        sq("QID4", "skills", "Matrix", "Likert", "SingleAnswer",
           {"1": "Listening", "2": "Feedback"}, answers=agree),
        sq("QID5", "helped", "RO", "DND", "TX", {"1": "Advice", "2": "Support"}),
        sq("QID6", "hours", "Slider", "HSLIDER", None, {"1": "Hours a month"},
           config={"CSSliderMin": 0, "CSSliderMax": 40}),
        sq("QID7", "comments", "TE", "ML"),
        sq("QID8", "intro", "DB", "TB"),
        sq("QID9", "again", "MC", "SAVR", "TX", {"1": "Yes", "2": "No"},
           recodes={"1": "1", "2": "2"}),
    ]}
    (tmp_path / "survey.qsf").write_text(json.dumps(survey))
    questions = [("role", "Role", "QID1"), ("useful", "Useful", "QID2"),
                 ("topics", "Topics", "QID3"), ("skills_1", "Skills - Listening", "QID4_1"),
                 ("skills_2", "Skills - Feedback", "QID4_2"), ("helped_1", "Helped - Advice",
                                                                "QID5_1"),
                 ("helped_2", "Helped - Support", "QID5_2"), ("hours_1", "Hours", "QID6_1"),
                 ("comments", "Comments", "QID7_TEXT")]
    path = qualtrics_csv(tmp_path / "qualtrics.csv", questions, [
        row("R_1", "0", "1", "50", "1,2", "4", "5", "1", "2", "12", "good", finished="1"),
        row("R_2", "0", "2", "20", "3", "2", "1", "2", "1", "3", "", finished="1"),
    ])
    program, config, _ = scaffold_yaml(tmp_path, capsys, [
        "qualtrics", str(path), "--qsf", str(tmp_path / "survey.qsf"), "--role-column", "role"])
    items = {item["id"]: item for item in program["codebook"]}
    assert program["roles"] == {"mentor": "Mentor", "mentee": "Mentee"}
    assert items["useful"]["type"] == "likert"
    assert items["useful"]["scale"]["labels"][5] == "Strongly agree"
    assert program["import"]["values"]["useful"] == {"10": "5", "20": "4", "30": "3",
                                                      "40": "2", "50": "1"}
    assert items["topics"]["type"] == "multi_choice"
    assert items["topics"]["choices"]["2"] == "Exams, OSCEs"  # the label, commas and all
    assert items["skills_1"]["type"] == items["skills_2"]["type"] == "likert"
    assert items["helped"]["type"] == "ranking"
    assert items["hours_1"] == {**items["hours_1"], "type": "numeric", "min": 0, "max": 40}
    assert items["comments"]["type"] == "free_text"
    assert "intro" not in items
    table = import_cohort(program, "qualtrics", path, None, "2024", config).responses
    by_id = table.set_index("respondent_id")
    assert by_id["role"].tolist() == ["mentor", "mentee"]
    assert by_id["useful"].tolist() == ["1", "4"]  # 50 is Strongly disagree, 20 Somewhat agree
    assert by_id["skills_1"].tolist() == ["2", "4"]  # answer 4 is Somewhat disagree
    assert by_id[["topics__1", "topics__2", "topics__3"]].values.tolist() == [
        ["1", "1", "0"], ["0", "0", "1"]]
    assert by_id["helped__1"].tolist() == ["1", "2"]


def test_scaffold_refuses_a_role_field_or_column_that_is_not_there(tmp_path, capsys):
    (tmp_path / "dictionary.csv").write_text(
        '"Variable / Field Name","Form Name","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels"\n'
        "record_id,survey,text,ID,\n"
        'mentor_type,survey,radio,Type,"1, Peer | 2, Near-peer"\n')
    code = scaffold.main(["redcap", str(tmp_path / "dictionary.csv"), "--program", "p",
                          "--role-field", "role"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--role-field role: " in err and "has no such field (radio and dropdown fields: " \
        "mentor_type)" in err
    path = choice_text_export(tmp_path)
    assert scaffold.main(["qualtrics", str(path), "--program", "p", "--role-column", "Q9"]) == 2
    assert "--role-column Q9: " in capsys.readouterr().err


def test_a_survey_of_one_role_gets_a_constant_role(tmp_path, capsys):
    (tmp_path / "redcap_dictionary.csv").write_text(
        '"Variable / Field Name","Form Name","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels"\n'
        "record_id,survey,text,ID,\n"
        'sat,survey,radio,Satisfied,"1, Very dissatisfied | 2, 2 | 3, 3 | 4, 4 | 5, Very '
        'satisfied"\n')
    (tmp_path / "redcap.csv").write_text("record_id,sat,survey_complete\n1,4,2\n2,5,2\n")
    program, config, console = scaffold_yaml(tmp_path, capsys, [
        "redcap", str(tmp_path / "redcap_dictionary.csv"), "--export",
        str(tmp_path / "redcap.csv")])
    assert program["import"]["role"] == {"value": "respondent"}
    assert "every record gets the one role 'respondent'" in console
    table = import_cohort(program, "redcap", tmp_path / "redcap.csv",
                          tmp_path / "redcap_dictionary.csv").responses
    assert table["role"].tolist() == ["respondent", "respondent"]
    config.write_text(config.read_text().replace("value: respondent", "value: mentor"))
    with pytest.raises(ConfigError, match=r"shape.yaml, line \d+: import.role.value 'mentor' "
                       r"is not a role \(roles: respondent\)"):
        load_program(config)


LONGITUDINAL_DICTIONARY = (
    '"Variable / Field Name","Form Name","Field Type","Field Label",'
    '"Choices, Calculations, OR Slider Labels"\n'
    "record_id,intake,text,ID,\n"
    'role,intake,radio,Role,"1, Mentor | 2, Mentee"\n'
    'sat,check_in,radio,Satisfied,"1, Not at all | 2, 2 | 3, 3 | 4, 4 | 5, Very"\n')


def test_longitudinal_completion_per_event_on_the_forms_it_holds(tmp_path, capsys, caplog):
    """intake is held by the first event only, check_in by the second; nobody marked
    check_in Complete."""
    (tmp_path / "redcap_dictionary.csv").write_text(LONGITUDINAL_DICTIONARY)
    (tmp_path / "redcap.csv").write_text(
        "record_id,redcap_event_name,role,intake_complete,sat,check_in_complete\n"
        "1,start_arm_1,1,2,,\n"
        "1,month_3_arm_1,,,4,0\n"
        "2,start_arm_1,2,2,,\n"
        "2,month_3_arm_1,,,,0\n"
        "3,start_arm_1,1,0,,\n")
    program, config, console = scaffold_yaml(tmp_path, capsys, [
        "redcap", str(tmp_path / "redcap_dictionary.csv"), "--export",
        str(tmp_path / "redcap.csv")])
    spec = program["import"]
    assert spec["complete_when"] == {"intake_complete": ["2"], "check_in_complete": "answered"}
    assert spec["events"] == {"start_arm_1": "start", "month_3_arm_1": "month_3"}
    assert "no record has check_in marked Complete (2) in some event that holds it" in console
    caplog.clear()  # what the import logs, not the scaffold
    result = import_cohort(program, "redcap", tmp_path / "redcap.csv",
                           tmp_path / "redcap_dictionary.csv", "2024", config)
    notes = caplog.messages
    waves = result.waves.set_index(["wave", "respondent_id"])
    # start: record 3 did not complete intake; month_3: record 2 answered nothing
    assert sorted(waves.index) == [("month_3", "1"), ("start", "1"), ("start", "2")]
    assert result.responses["respondent_id"].tolist() == ["1"]
    assert result.responses["role"].tolist() == ["mentor"]  # carried from the start event
    assert "wave start: 1 of 3 rows not complete under import.complete_when " \
        "(intake_complete in ['2'] holds on 2 of 3 rows), left out" in notes
    # from REDCap's instrument-event mapping instead of the export
    (tmp_path / "events.csv").write_text("arm_num,unique_event_name,form\n"
                                         "1,start_arm_1,intake\n1,month_3_arm_1,check_in\n")
    program, config, _ = scaffold_yaml(tmp_path, capsys, [
        "redcap", str(tmp_path / "redcap_dictionary.csv"), "--export",
        str(tmp_path / "redcap.csv"), "--event-map", str(tmp_path / "events.csv")], "mapped")
    assert program["import"]["event_forms"] == {"start_arm_1": ["intake"],
                                                "month_3_arm_1": ["check_in"]}


def test_soft_range_kept_with_a_warning_likert_codes_stay_hard(tmp_path, caplog):
    program = {"program": "shape", "roles": {"mentor": "Mentors"}, "codebook": [
        {"id": "hours", "text": "Hours", "type": "numeric", "min": 0, "max": 20,
         "soft_range": True},
        {"id": "sat", "text": "Sat", "type": "likert", "scale": {"min": 1, "max": 5}}]}
    path = tmp_path / "responses.csv"
    path.write_text("respondent_id,role,hours,sat\nA,mentor,35,4\nB,mentor,5,3\n")
    with caplog.at_level(logging.WARNING, logger="peermentor.ingest.validate"):
        responses, _ = validate_cohort(program, path, None)
    assert responses["hours"].tolist() == [35, 5]
    assert f"{path}, line 2, respondent A, column 'hours': value '35' is outside 0 to 20, " \
        "the item's soft range (soft_range: true); kept" in caplog.text
    path.write_text("respondent_id,role,hours,sat\nA,mentor,35,7\n")
    with pytest.raises(CohortValidationError, match="column 'sat': value '7' breaks rule"):
        validate_cohort(program, path, None)
    program["codebook"][0]["soft_range"] = False
    path.write_text("respondent_id,role,hours,sat\nA,mentor,35,4\n")
    with pytest.raises(CohortValidationError, match="must be a number from 0 to 20"):
        validate_cohort(program, path, None)


def test_small_groups_said_without_their_small_counts():
    from peermentor.publish.report import _mean_sd, small_cohort_note, small_groups

    program = {"roles": {"mentor": "Mentors", "mentee": "Mentees"}}
    one = pd.DataFrame({"role": ["mentor"]})
    assert small_groups(one, program, 5) == [
        "fewer than 5 respondents in all (small_cell_threshold): their counts are shown as "
        "<5, and a standard deviation or a test needs more answers than a group may have",
        "Mentees: no respondents: nothing is reported for them and no test compares them "
        "with another role"]
    answers = pd.DataFrame({"role": ["mentor"] * 3 + ["mentee"] * 4})
    assert small_groups(answers, program, 5) == [
        "Mentors: fewer than 5 respondents: their counts are shown as <5",
        "Mentees: fewer than 5 respondents: their counts are shown as <5"]
    many = pd.DataFrame({"role": ["mentor"] * 9 + ["mentee"] * 2})
    assert small_groups(many, program, 5) == [
        "Mentees: fewer than 5 respondents: their counts are shown as <5"]
    assert small_cohort_note(many, program, 0) == ""
    assert _mean_sd({}, "y", "mentor", 2) == "no answers"
