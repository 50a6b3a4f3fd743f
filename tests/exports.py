"""Test helpers: turn a canonical cohort into the exports REDCap and Qualtrics would give.

Formats as the vendors document them:

- REDCap "CSV / Microsoft Excel (raw data)" record export: the record id first,
  ``redcap_survey_identifier`` and ``<instrument>_timestamp`` (a date, or
  "[not completed]") for survey instruments, one column per field, checkbox
  fields as ``<field>___<code>`` of 0/1 (0 for every option of an unanswered
  field), and ``<instrument>_complete`` (0 Incomplete, 1 Unverified, 2 Complete);
  plus the data dictionary CSV (one row per field: "Variable / Field Name",
  "Form Name", "Field Type", "Choices, Calculations, OR Slider Labels", ...).
- Qualtrics CSV export ("numeric values"): three header rows (column names,
  question text, ``{"ImportId":...}``), the metadata columns, single answers
  as recode values, multiple answers as comma-separated recode values, matrix
  statements as ``Qn_k``, and -99 for "seen but unanswered" when so recoded.

Every choice gets a vendor-style numeric code (letters for one REDCap checkbox
field); multiple-response items get a "None of these" option for respondents
who answered but ticked nothing, which the ``import:`` block maps to ``[]``.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pandas as pd

from peermentor.ingest.config import CHOICE_SEP

DICTIONARY_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
]
FORM = "mentoring_survey"
NONE_CODE = "98"
UNANSWERED = "-99"
QUALTRICS_META = [
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Asia/Seoul"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Asia/Seoul"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Asia/Seoul"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]


def _codes(item: dict, letters: bool = False) -> dict[str, str]:
    """Vendor code for each codebook choice code: 1, 2, ... (or a, b, ...)."""
    keys = "abcdefghijklmnopqrstuvwxyz" if letters else [str(i) for i in range(1, 27)]
    return {choice: keys[i] for i, choice in enumerate(item["choices"])}


def _is_answered(row: pd.Series, columns: list[str]) -> bool:
    return bool(row[columns].notna().any())


def redcap_export(program: dict, responses: pd.DataFrame, folder: Path) -> dict:
    """Write redcap.csv + redcap_dictionary.csv; return the programme with its import block."""
    roles = {role: str(i) for i, role in enumerate(program["roles"], start=1)}
    dictionary = [
        {"Variable / Field Name": "record_id", "Form Name": FORM, "Field Type": "text",
         "Field Label": "Record ID"},
        {"Variable / Field Name": "role", "Form Name": FORM, "Field Type": "radio",
         "Field Label": "Your role in the programme",
         "Choices, Calculations, OR Slider Labels": " | ".join(
             f"{code}, {program['roles'][role]}" for role, code in roles.items())},
    ]
    values: dict = {}
    letters_item = None
    for item in program["codebook"]:
        field = {"Variable / Field Name": item["id"], "Form Name": FORM,
                 "Field Label": item["text"]}
        if item["type"] == "likert":
            scale = item["scale"]
            labels = {int(k): v for k, v in scale.get("labels", {}).items()}
            field["Field Type"] = "radio"
            field["Choices, Calculations, OR Slider Labels"] = " | ".join(
                f"{v}, {labels.get(v, v)}" for v in range(scale["min"], scale["max"] + 1))
        elif item["type"] == "binary":
            field["Field Type"] = "yesno"
        elif item["type"] == "single_choice":
            field["Field Type"] = "dropdown" if len(item["choices"]) > 4 else "radio"
            field["Choices, Calculations, OR Slider Labels"] = " | ".join(
                f"{code}, {item['choices'][c]}" for c, code in _codes(item).items())
        elif item["type"] == "multi_choice":
            letters_item = letters_item or item["id"]  # one field with letter codes
            codes = _codes(item, letters=item["id"] == letters_item)
            field["Field Type"] = "checkbox"
            field["Choices, Calculations, OR Slider Labels"] = " | ".join(
                [f"{code}, {item['choices'][c]}" for c, code in codes.items()]
                + [f"{NONE_CODE}, None of these"])
            values[item["id"]] = {NONE_CODE: []}
        else:
            raise NotImplementedError(item["type"])
        dictionary.append(field)
    pd.DataFrame(dictionary, columns=DICTIONARY_HEADER).to_csv(
        folder / "redcap_dictionary.csv", index=False, lineterminator="\r\n")

    rows = []
    for i, (_, answer) in enumerate(responses.iterrows()):
        row = {"record_id": answer["respondent_id"], "redcap_survey_identifier": "",
               f"{FORM}_timestamp": f"2019-06-{1 + i % 28:02d} 10:{i % 60:02d}:00",
               "role": roles[answer["role"]]}
        for item in program["codebook"]:
            if item["type"] == "single_choice":
                code = answer[item["id"]]
                row[item["id"]] = "" if pd.isna(code) else _codes(item)[code]
            elif item["type"] == "multi_choice":
                codes = _codes(item, letters=item["id"] == letters_item)
                cols = [f"{item['id']}{CHOICE_SEP}{c}" for c in item["choices"]]
                for choice, code in codes.items():
                    ticked = answer[f"{item['id']}{CHOICE_SEP}{choice}"]
                    row[f"{item['id']}___{code}"] = "1" if ticked == "1" else "0"
                answered_none = _is_answered(answer, cols) and (answer[cols] == "0").all()
                row[f"{item['id']}___{NONE_CODE}"] = "1" if answered_none else "0"
            else:
                value = answer[item["id"]]
                row[item["id"]] = "" if pd.isna(value) else value
        row[f"{FORM}_complete"] = "2"
        rows.append(row)
    # A respondent who opened the survey and left: REDCap keeps the record.
    partial = dict(rows[0], record_id="PARTIAL-1", role="1")
    partial[f"{FORM}_timestamp"] = "[not completed]"
    partial[f"{FORM}_complete"] = "0"
    rows.append(partial)
    pd.DataFrame(rows).to_csv(folder / "redcap.csv", index=False, lineterminator="\n")

    configured = copy.deepcopy(program)
    configured["import"] = {
        "format": "redcap",
        "respondent_id": "record_id",
        "role": {"column": "role", "values": {code: role for role, code in roles.items()}},
        "complete_when": {f"{FORM}_complete": ["2"],
                          f"{FORM}_timestamp": {"not": ["[not completed]"]}},
        "values": values,
    }
    return configured


# C901 allowed: a branch per item type of Qualtrics' column layout, as its export writes them
def qualtrics_export(program: dict, responses: pd.DataFrame, folder: Path) -> dict:  # noqa: C901
    """Write qualtrics.csv; return the programme with its import block."""
    roles = {role: str(i) for i, role in enumerate(program["roles"], start=1)}
    header = [(name, text, json.dumps(iid, separators=(",", ":")))
              for name, text, iid in QUALTRICS_META]
    header.append(("Q1", "Your role in the programme", '{"ImportId":"QID1"}'))
    columns, values = {}, {}
    likert = [item for item in program["codebook"] if item["type"] == "likert"]
    q = 1
    for item in program["codebook"]:
        if item["type"] == "likert":
            k = likert.index(item) + 1  # one matrix question, one statement per item
            name, qid = f"Q50_{k}", f"QID50_{k}"
            text = f"How satisfied were you? - {item['text']}"
        else:
            q += 1
            name, qid, text = f"Q{q}", f"QID{q}", item["text"]
        header.append((name, text, json.dumps({"ImportId": qid}, separators=(",", ":"))))
        columns[item["id"]] = name
        if item["type"] == "binary":
            values[item["id"]] = {"1": "1", "2": "0"}  # Qualtrics' default Yes=1, No=2
        elif item["type"] in ("single_choice", "multi_choice"):
            values[item["id"]] = {code: c for c, code in _codes(item).items()}
            if item["type"] == "multi_choice":
                values[item["id"]][NONE_CODE] = []

    def meta(i, finished="1", status="0", progress="100"):
        return {"StartDate": f"2019-06-{1 + i % 28:02d} 09:00:00",
                "EndDate": f"2019-06-{1 + i % 28:02d} 09:12:00", "Status": status,
                "IPAddress": "", "Progress": progress, "Duration (in seconds)": "720",
                "Finished": finished, "RecordedDate": f"2019-06-{1 + i % 28:02d} 09:12:01",
                "ResponseId": f"R_{i:015d}", "RecipientLastName": "", "RecipientFirstName": "",
                "RecipientEmail": "", "LocationLatitude": "", "LocationLongitude": "",
                "DistributionChannel": "anonymous", "UserLanguage": "EN"}

    rows = []
    for i, (_, answer) in enumerate(responses.iterrows()):
        row = meta(i)
        row["ExternalReference"] = answer["respondent_id"]
        row["Q1"] = roles[answer["role"]]
        for item in program["codebook"]:
            name = columns[item["id"]]
            if item["type"] == "multi_choice":
                cols = [f"{item['id']}{CHOICE_SEP}{c}" for c in item["choices"]]
                asked = answer["role"] in (item.get("roles") or program["roles"])
                if not asked:
                    row[name] = ""  # not displayed: Qualtrics leaves it empty
                elif not _is_answered(answer, cols):
                    row[name] = UNANSWERED  # seen but unanswered, recoded -99
                else:
                    ticked = [_codes(item)[c] for c in item["choices"]
                              if answer[f"{item['id']}{CHOICE_SEP}{c}"] == "1"]
                    row[name] = ",".join(ticked) or NONE_CODE
            elif item["type"] == "single_choice":
                code = answer[item["id"]]
                row[name] = UNANSWERED if pd.isna(code) else _codes(item)[code]
            elif item["type"] == "binary":
                row[name] = {"1": "1", "0": "2"}.get(answer[item["id"]], UNANSWERED)
            else:
                row[name] = UNANSWERED if pd.isna(answer[item["id"]]) else answer[item["id"]]
        rows.append(row)
    # A respondent who stopped half way, and the researcher's own preview.
    rows.append(dict(rows[0], **meta(90, finished="0", progress="45"),
                     ExternalReference="PARTIAL-1"))
    rows.append(dict(rows[1], **meta(91, status="1"), ExternalReference="PREVIEW-1"))
    with (folder / "qualtrics.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        for part in range(3):
            writer.writerow([h[part] for h in header])
        for row in rows:
            writer.writerow([row.get(h[0], "") for h in header])

    configured = copy.deepcopy(program)
    configured["import"] = {
        "format": "qualtrics",
        "respondent_id": "ExternalReference",
        "role": {"column": "Q1", "values": {code: role for role, code in roles.items()}},
        "complete_when": {"Finished": ["1"], "Status": ["0"]},
        "missing_values": [UNANSWERED],
        "columns": columns,
        "values": values,
    }
    return configured


def write_redcap(folder: Path, fields: list[dict], rows: list[dict],
                 columns: list[str] | None = None) -> None:
    """redcap_dictionary.csv (CRLF, as REDCap writes it) and redcap.csv from plain rows."""
    pd.DataFrame(fields, columns=DICTIONARY_HEADER).to_csv(
        folder / "redcap_dictionary.csv", index=False, lineterminator="\r\n")
    pd.DataFrame(rows, columns=columns).to_csv(folder / "redcap.csv", index=False,
                                               lineterminator="\n")


def redcap_survey_project(folder: Path) -> None:
    """A survey project as a real one looks: a survey every respondent fills in, a
    staff-only data-entry form (no timestamp) and an optional second survey that some
    respondents never open ('[not completed]', complete 0)."""
    fields = [
        {"Variable / Field Name": "record_id", "Form Name": "mentoring_survey",
         "Field Type": "text", "Field Label": "Record ID"},
        {"Variable / Field Name": "role", "Form Name": "mentoring_survey", "Field Type": "radio",
         "Field Label": "Your role", "Choices, Calculations, OR Slider Labels":
             "1, Mentor | 2, Mentee", "Required Field?": "y"},
        {"Variable / Field Name": "sat", "Form Name": "mentoring_survey", "Field Type": "radio",
         "Field Label": "How satisfied were you with the programme?",
         "Choices, Calculations, OR Slider Labels":
             "1, Very dissatisfied | 2, Dissatisfied | 3, Neutral | 4, Satisfied | "
             "5, Very satisfied"},
        {"Variable / Field Name": "staff_check", "Form Name": "staff_notes",
         "Field Type": "yesno", "Field Label": "Eligibility checked"},
        {"Variable / Field Name": "useful", "Form Name": "optional_feedback",
         "Field Type": "yesno", "Field Label": "Was the programme useful?"},
    ]
    columns = ["record_id", "redcap_survey_identifier", "mentoring_survey_timestamp", "role",
               "sat", "mentoring_survey_complete", "staff_check", "staff_notes_complete",
               "optional_feedback_timestamp", "useful", "optional_feedback_complete"]
    rows = [
        ["1", "", "2024-05-01 10:00:00", "1", "4", "2", "1", "2", "2024-05-01 10:05:00", "1",
         "2"],
        ["2", "", "2024-05-02 11:00:00", "2", "5", "2", "", "0", "[not completed]", "", "0"],
        ["3", "", "2024-05-02 12:00:00", "1", "2", "2", "", "0", "", "", ""],
        ["4", "", "[not completed]", "2", "3", "0", "", "0", "", "", ""],
    ]
    write_redcap(folder, fields, [dict(zip(columns, r, strict=True)) for r in rows], columns)


def redcap_field_types_project(folder: Path) -> None:
    """One field of each common REDCap type, as the data dictionary and raw export write
    them: a slider with its own range, number_1dp / number_2dp_comma_decimal, a calc
    field, dates and datetimes, and identifying fields nobody flagged (e-mail by
    validation, date of birth and names by field name)."""
    survey = "evaluation"
    fields = [
        {"Variable / Field Name": "record_id", "Field Type": "text", "Field Label": "ID"},
        {"Variable / Field Name": "role", "Field Type": "radio", "Field Label": "Role",
         "Choices, Calculations, OR Slider Labels": "1, Mentor | 2, Mentee"},
        {"Variable / Field Name": "closeness", "Field Type": "slider",
         "Field Label": "How close did you feel to your partner?",
         "Choices, Calculations, OR Slider Labels": "Distant | | Very close",
         "Text Validation Type OR Show Slider Number": "number",
         "Text Validation Min": "1", "Text Validation Max": "10"},
        {"Variable / Field Name": "hours", "Field Type": "text", "Field Label": "Hours spent",
         "Text Validation Type OR Show Slider Number": "number_1dp",
         "Text Validation Min": "0", "Text Validation Max": "200"},
        {"Variable / Field Name": "km", "Field Type": "text", "Field Label": "Distance (km)",
         "Text Validation Type OR Show Slider Number": "number_2dp_comma_decimal"},
        {"Variable / Field Name": "hours_per_week", "Field Type": "calc",
         "Field Label": "Hours per week", "Choices, Calculations, OR Slider Labels":
             "round([hours]/12,2)"},
        {"Variable / Field Name": "first_meeting", "Field Type": "text",
         "Field Label": "Date of first meeting",
         "Text Validation Type OR Show Slider Number": "date_dmy"},
        {"Variable / Field Name": "last_login", "Field Type": "text", "Field Label": "Last login",
         "Text Validation Type OR Show Slider Number": "datetime_seconds_ymd"},
        {"Variable / Field Name": "contact", "Field Type": "text",
         "Field Label": "Where can we reach you?",
         "Text Validation Type OR Show Slider Number": "email"},
        {"Variable / Field Name": "dob", "Field Type": "text", "Field Label": "Birthday",
         "Text Validation Type OR Show Slider Number": "date_ymd"},
        {"Variable / Field Name": "mentor_name", "Field Type": "text",
         "Field Label": "Your mentor"},
        {"Variable / Field Name": "comments", "Field Type": "notes", "Field Label": "Comments"},
    ]
    for field in fields:
        field["Form Name"] = survey
    rows = [  # raw export: dates as Y-M-D whatever the display format, comma decimals kept
        ["1", "", "2024-05-01 10:00:00", "1", "7", "12.5", "3,25", "1.04", "2024-01-15",
         "2024-05-01 09:59:58", "ann@example.org", "2001-02-03", "Bob Example", "good", "2"],
        ["2", "", "2024-05-02 10:00:00", "2", "10", "30.0", "12,00", "2.5", "2024-01-20",
         "2024-05-02 09:00:01", "cy@example.org", "2002-03-04", "Dee Example", "", "2"],
        ["3", "", "2024-05-03 10:00:00", "2", "1", "", "0,5", "", "", "", "", "", "", "", "2"],
    ]
    columns = ["record_id", "redcap_survey_identifier", f"{survey}_timestamp",
               *[f["Variable / Field Name"] for f in fields[1:]], f"{survey}_complete"]
    write_redcap(folder, fields, [dict(zip(columns, r, strict=True)) for r in rows], columns)


def qualtrics_2016_export(program: dict, responses: pd.DataFrame, folder: Path) -> dict:
    """qualtrics.csv as the 2016-17 exports wrote it, from :func:`qualtrics_export`'s.

    Three header rows with the ImportId row written as a Python dict
    (``{'ImportId': 'QID1'}``); the first two matrix statements made a side-by-side
    question, whose columns share one name (told apart by ImportId only); and two Text
    iQ columns analysing a text answer, whose ImportIds start with QID too.
    """
    configured = qualtrics_export(program, responses, folder)
    path = folder / "qualtrics.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        names, texts, ids, *rows = list(csv.reader(fh))
    ids = [str(json.loads(cell)).replace('"', "'") for cell in ids]  # {'ImportId': 'QID1'}
    columns = configured["import"]["columns"]
    for k in (1, 2):  # Q50_1, Q50_2 -> both "Q50_1", ImportIds QID50#1_1 and QID50#2_1
        i = names.index(f"Q50_{k}")
        names[i], ids[i] = "Q50_1", f"{{'ImportId': 'QID50#{k}_1'}}"
        item = next(item for item, column in columns.items() if column == f"Q50_{k}")
        columns[item] = f"QID50#{k}_1"
    for suffix, value in (("Topics", "Mentoring"), ("Sentiment Score", "2")):
        names.append(f"Q2 - {suffix}")
        texts.append(f"Q2 - {suffix}")
        ids.append(f"{{'ImportId': 'QID2_TEXT_f00715df{suffix.replace(' ', '')}'}}")
        rows = [[*row, value] for row in rows]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([names, texts, ids, *rows])
    return configured


LONGITUDINAL_EVENTS = ("baseline_arm_1", "end_of_year_arm_1")


def redcap_longitudinal_project(folder: Path, events=LONGITUDINAL_EVENTS) -> None:
    """A pre/post mentoring evaluation as a longitudinal REDCap project exports it.

    Events baseline_arm_1 (enrolment with the role, and the survey) and
    end_of_year_arm_1 (the survey again, and a repeating meeting_log instrument filled
    in after each meeting). Raw export with redcap_event_name,
    redcap_repeat_instrument, redcap_repeat_instance, *_timestamp and
    [not completed]; ``events`` picks the events exported (one, for a one-event
    export). Record 3 left the end-of-year survey unfinished, record 6 never reached
    it; record 3 logged no meeting.
    """
    survey, log = "mentoring_survey", "meeting_log"
    fields = [
        ("record_id", "enrolment", "text", "Record ID", "", ""),
        ("role", "enrolment", "radio", "Your role", "1, Mentor | 2, Mentee", ""),
        ("sat", survey, "radio", "How satisfied are you with your studies?",
         "1, Very dissatisfied | 2, Dissatisfied | 3, Neutral | 4, Satisfied | "
         "5, Very satisfied", ""),
        ("useful", survey, "yesno", "Do you have someone to ask for advice?", "", ""),
        ("meeting_date", log, "text", "Date of the meeting", "", "date_ymd"),
        ("meeting_hours", log, "text", "How long did you meet (hours)?", "", "number_1dp"),
        ("meeting_mode", log, "radio", "How did you meet?",
         "1, Face to face | 2, Video call | 3, Text message", ""),
    ]
    dictionary = [{"Variable / Field Name": f, "Form Name": form, "Field Type": kind,
                   "Field Label": label, "Choices, Calculations, OR Slider Labels": choices,
                   "Text Validation Type OR Show Slider Number": validation}
                  for f, form, kind, label, choices, validation in fields]
    columns = ["record_id", "redcap_event_name", "redcap_repeat_instrument",
               "redcap_repeat_instance", "role", "enrolment_complete",
               f"{survey}_timestamp", "sat", "useful", f"{survey}_complete",
               f"{log}_timestamp", "meeting_date", "meeting_hours", "meeting_mode",
               f"{log}_complete"]
    base, follow = LONGITUDINAL_EVENTS
    # record, role, (baseline sat, useful), (end-of-year sat, useful, complete) or None
    people = [
        ("1", "1", ("3", "0"), ("4", "1", "2")),
        ("2", "1", ("2", "0"), ("4", "1", "2")),
        ("3", "1", ("4", "1"), ("", "", "0")),
        ("4", "2", ("3", "1"), ("5", "1", "2")),
        ("5", "2", ("4", "0"), ("3", "0", "2")),
        ("6", "2", ("3", "0"), None),
    ]
    meetings = {  # record: (date, hours, mode) per meeting
        "1": [("2024-02-01", "1.5", "1"), ("2024-03-01", "2.0", "1"), ("2024-04-01", "1.0", "2")],
        "2": [("2024-02-03", "1.0", "2"), ("2024-03-03", "0.5", "2")],
        "4": [("2024-02-10", "1.0", "3")],
        "5": [("2024-02-11", "2.0", "1"), ("2024-03-11", "2.0", "1")],
    }
    rows = []
    for record, role, (sat0, useful0), end in people:
        rows.append({"record_id": record, "redcap_event_name": base, "role": role,
                     "enrolment_complete": "2", f"{survey}_timestamp": "2023-09-01 10:00:00",
                     "sat": sat0, "useful": useful0, f"{survey}_complete": "2"})
        if end is not None:
            sat1, useful1, complete = end
            stamp = "2024-06-01 10:00:00" if complete == "2" else "[not completed]"
            rows.append({"record_id": record, "redcap_event_name": follow,
                         f"{survey}_timestamp": stamp, "sat": sat1, "useful": useful1,
                         f"{survey}_complete": complete})
        for i, (date, hours, mode) in enumerate(meetings.get(record, []), start=1):
            rows.append({"record_id": record, "redcap_event_name": follow,
                         "redcap_repeat_instrument": log, "redcap_repeat_instance": str(i),
                         f"{log}_timestamp": f"{date} 18:00:00", "meeting_date": date,
                         "meeting_hours": hours, "meeting_mode": mode,
                         f"{log}_complete": "2"})
    rows = [r for r in rows if r["redcap_event_name"] in events]
    write_redcap(folder, dictionary, rows, columns)


LONGITUDINAL_PROGRAM = {
    "program": "long-prog", "title": "t", "institution": "i", "country": "c", "design": "d",
    "roles": {"mentor": "Mentors", "mentee": "Mentees"}, "comparison": ["mentor", "mentee"],
    "cohorts": {"2024": {"invited": {"mentor": 3, "mentee": 3}}},
    "codebook": [
        {"id": "sat", "text": "How satisfied are you with your studies?", "type": "likert",
         "scale": {"min": 1, "max": 5}},
        {"id": "useful", "text": "Do you have someone to ask for advice?", "type": "binary"},
        {"id": "meetings", "text": "Meetings logged", "type": "numeric", "min": 0,
         "section": "meetings"},
        {"id": "meeting_hours_total", "text": "Hours of meetings logged", "type": "numeric",
         "min": 0, "section": "meetings"},
        {"id": "meeting_mode_usual", "text": "Usual way of meeting", "type": "single_choice",
         "choices": {"face_to_face": "Face to face", "video": "Video call",
                     "text": "Text message"}, "section": "meetings"},
    ],
    "import": {
        "format": "redcap", "respondent_id": "record_id",
        "role": {"column": "role", "values": {"1": "mentor", "2": "mentee"}},
        "complete_when": {"mentoring_survey_complete": ["2"]},
        "events": {"baseline_arm_1": "baseline", "end_of_year_arm_1": "follow_up"},
        "repeating": {"meeting_log": {"meetings": "count",
                                      "meeting_hours_total": {"sum": "meeting_hours"},
                                      "meeting_mode_usual": {"mode": "meeting_mode"}}},
    },
}
