"""Importers: map a REDCap, Qualtrics or Excel export onto the canonical ``responses.csv``.

The mapping lives in the programme's YAML under ``import:`` (see
docs/data-contract.md); every key is optional::

    import:
      respondent_id: record_id          # export column with the respondent id
      role: {column: role, values: {"1": mentor, "2": mentee}}
      complete_when:                    # rows kept only when every condition holds
        survey_complete: ["2"]
        survey_timestamp: {not: ["[not completed]"]}
      missing_values: ["-99"]           # export codes meaning "no answer"
      columns: {programme_appropriate: Q5_1}      # item id -> export column
      values: {participated_twice: {"1": "1", "2": "0"}}   # item id -> export code -> value

Errors name the export file, its row (counting the header as row 1), the
export column and the value; the mapped table is checked against the
codebook's pandera schema before anything is written.

>>> parse_choices("1, Strongly disagree | 2, Disagree | a, Other, please say")
{'1': 'Strongly disagree', '2': 'Disagree', 'a': 'Other, please say'}
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from peermentor.cohorts import YEAR
from peermentor.config import CHOICE_SEP, response_columns
from peermentor.schema import response_schema, soft_range_breaches
from peermentor.validate import (
    CohortValidationError,
    Failure,
    RawTable,
    read_raw_table,
    validate_frame,
    where,
)

#: Data rows start on this row of the file (1-based): after the header, and for
#: Qualtrics after its question-text and ImportId rows.
FIRST_DATA_ROW = {"redcap": 2, "qualtrics": 4, "xlsx": 2}
DEFAULT_ID_COLUMN = {"qualtrics": "ResponseId", "xlsx": "respondent_id"}  # redcap: 1st column
DICTIONARY_FIELD = "Variable / Field Name"
DICTIONARY_TYPE = "Field Type"
DICTIONARY_CHOICES = "Choices, Calculations, OR Slider Labels"
DICTIONARY_VALIDATION = "Text Validation Type OR Show Slider Number"
DICTIONARY_IDENTIFIER = "Identifier?"
#: The data dictionary's columns as REDCap's API (``content=metadata``) names them.
API_DICTIONARY_COLUMNS = {
    "field_name": DICTIONARY_FIELD, "form_name": "Form Name",
    "section_header": "Section Header", "field_type": DICTIONARY_TYPE,
    "field_label": "Field Label", "select_choices_or_calculations": DICTIONARY_CHOICES,
    "field_note": "Field Note", "text_validation_type_or_show_slider_number":
    DICTIONARY_VALIDATION, "text_validation_min": "Text Validation Min",
    "text_validation_max": "Text Validation Max", "identifier": DICTIONARY_IDENTIFIER,
    "branching_logic": "Branching Logic (Show field only if...)",
    "required_field": "Required Field?", "custom_alignment": "Custom Alignment",
    "question_number": "Question Number (surveys only)",
    "matrix_group_name": "Matrix Group Name", "matrix_ranking": "Matrix Ranking?",
    "field_annotation": "Field Annotation",
}
CHECKBOX_SEP = "___"  # REDCap exports a checkbox field as <field>___<code>, one per option
REPEAT_COLUMN = "redcap_repeat_instrument"
#: REDCap text validations whose answers identify a person.
IDENTIFYING_VALIDATIONS = re.compile(r"^(email|phone\w*|zipcode|postalcode\w*|ssn|mrn\w*)$")
#: Field or column names that identify a person whatever the dictionary says: date of
#: birth, e-mail, phone, names, address, medical record number.
IDENTIFYING_NAME = re.compile(
    r"(^|_)(dob|d_o_b|birth_?(date|day|place)|date_of_birth|place_of_birth|\w*e_?mail\w*|"
    r"\w*phone\w*|mobile|cell|fax|"
    r"name|first_?name|last_?name|given_?name|family_?name|full_?name|surname|initials|"
    r"address\w*|street|city|post_?code|postal_?code|zip_?code|zip|mrn|medical_record\w*|"
    r"record_number|ssn|social_security\w*|nhs_?number|ip_?address)(_|$)"
)
#: REDCap validations holding a date or time: typed, kept out of analysis by default.
DATE_VALIDATIONS = re.compile(r"^(date|datetime|datetime_seconds)_(ymd|mdy|dmy)$|^time")
#: REDCap validations of numbers (``number_2dp_comma_decimal`` and so on).
NUMBER_VALIDATIONS = re.compile(r"^(integer|number(_[1-4]dp)?(_comma_decimal)?)$")
COMMA_DECIMAL = re.compile(r"^[+-]?[0-9]+,[0-9]+$")


def identifying(name: str, validation: str | None = None, flagged: str | None = None) -> str | None:
    """Why a field identifies a person (flag, validation type or name), or None.

    >>> identifying("dob"), identifying("contact", "email"), identifying("RecipientEmail")
    ('its name looks identifying', "REDCap validation 'email'", 'its name looks identifying')
    >>> identifying("meeting_hours") is None, identifying("rename_ok") is None
    (True, True)
    """
    if str(flagged or "").strip().lower() == "y":
        return "flagged as an identifier in the data dictionary"
    if validation and IDENTIFYING_VALIDATIONS.match(str(validation).strip()):
        return f"REDCap validation '{str(validation).strip()}'"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name)).lower()
    snake = re.sub(r"[^a-z0-9]+", "_", snake)
    return "its name looks identifying" if IDENTIFYING_NAME.search(snake) else None


@dataclass(frozen=True)
class Problem:
    """A problem of the mapped export, at a row of the export file.

    Kept apart from validate's :class:`Failure` on purpose: ``row`` here counts the
    file's rows as a spreadsheet shows them (header = row 1; an .xlsx has no
    lines), may carry an Excel cell, and the rule reads as a sentence after the
    value; Failure's ``row`` is a data row beside a file line. Both build the
    place with :func:`peermentor.validate.where` and are raised in the same
    exception family (reading failures of a CSV export pass through as Failures).
    """

    file: str
    row: int | None  # row of the file, header = row 1
    column: str | None
    value: str | None
    rule: str
    respondent: str | None = None
    cell: str | None = None  # Excel cell reference, e.g. "C5"

    def message(self) -> str:
        position = None
        if self.row is not None:
            who = f" (respondent {self.respondent})" if self.respondent else ""
            position = f"row {self.row}{who}"
        value = "" if self.value is None else f"value {self.value!r}: "
        return f"{where(self.file, position, self.column, self.cell)}: {value}{self.rule}"


class ImportProblems(CohortValidationError):
    """Raised with every problem of one export (Problems, and Failures of reading it)."""

    heading = "import problem(s)"

    @property
    def problems(self) -> list[Problem | Failure]:
        return self.failures


def _fail(path, rule, row=None, column=None, value=None) -> ImportProblems:
    return ImportProblems([Problem(str(path), row, column, value, rule)])


# ---------------------------------------------------------------- reading files


def _read_csv_export(path: str | Path, extra_header_rows: int = 0,
                     notes: list[str] | None = None, unique_header: bool = True) -> RawTable:
    """Read a CSV export through the canonical reader (see peermentor.validate).

    UTF-8 only (BOM fine), separator sniffed, ragged lines and unclosed quotes
    refused: its failures name the file's line (and byte offset) and pass through
    unchanged. The frame is indexed by row as a spreadsheet numbers records
    (header = row 1), which the import messages use.
    """
    try:
        table = read_raw_table(path, require_rows=False, extra_header_rows=extra_header_rows,
                               unique_header=unique_header)
    except CohortValidationError as err:
        raise ImportProblems(err.failures) from None
    first = 2 + extra_header_rows
    table.frame.index = range(first, first + len(table.frame))
    if notes is not None:  # e.g. a semicolon-separated export, read with a warning
        notes += [note.removeprefix(f"{path}: ") for note in table.notes]
    return table


def read_text_csv(path: str | Path, notes: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV export as text (empty cells missing), indexed by file row number."""
    return _read_csv_export(path, notes=notes).frame


#: Columns Qualtrics adds that are not answers: Text iQ analyses of a text answer
#: ("Q5 - Topics", "Q5 - Sentiment Score", ...), whose ImportIds start with QID too.
TEXT_IQ = re.compile(
    r" - (Actionability|Effort( Numeric)?|Emotion( Intensity)?|(Parent )?Topics|"
    r"Sentiment( Polarity| Score)?|Topic Sentiment (Label|Score)|Topic Hierarchy Level \d+)$"
)
#: A legacy-format export ("Use legacy format" ticked, or before 2016) starts V1..V10.
LEGACY_COLUMNS = ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10"]


def _import_id(cell: str | None) -> str | None:
    """The ImportId of a Qualtrics third header row, as JSON or as 2016-17 wrote it.

    >>> _import_id('{"ImportId":"QID1"}'), _import_id("{'ImportId': 'QID5_1'}")
    ('QID1', 'QID5_1')
    """
    if cell is None:
        return None
    try:
        return str(json.loads(cell)["ImportId"])
    except (TypeError, ValueError, KeyError):
        pass
    match = re.fullmatch(r"\{'ImportId': '([^']*)'(, '[^']*': '[^']*')*\}", cell.strip())
    return match.group(1) if match else None


def read_qualtrics(
    path: str | Path, notes: list[str] | None = None
) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """A Qualtrics CSV export: answers, column -> question text, column -> ImportId.

    Qualtrics writes three header rows: column names, question text, and JSON
    such as ``{"ImportId":"QID1"}`` (2016-17 exports: ``{'ImportId': 'QID1'}``);
    the last one tells a real export apart from a file whose extra rows were
    deleted (whose first answers we must not skip). A column name that appears more
    than once (side-by-side questions in 2016-17 exports) is renamed to its
    ImportId. Text iQ columns are dropped. A legacy-format export (V1..V10, two
    header rows) is refused with how to export it again.
    """
    notes = [] if notes is None else notes
    table = _read_csv_export(path, extra_header_rows=2, notes=notes, unique_header=False)
    head, columns = table.header_rows, list(table.frame.columns)
    if columns[:len(LEGACY_COLUMNS)] == LEGACY_COLUMNS:
        raise _fail(path, "a legacy-format Qualtrics export (columns V1..V10, two header "
                    "rows): export again as CSV with 'Use legacy format' unticked "
                    "(Data & Analysis > Export & Import > Export Data > More options)",
                    row=1, column="V1")
    if len(head) < 2:
        raise _fail(path, "expected Qualtrics' three header rows (names, question text, "
                    "ImportId JSON)", row=len(head) + 2)
    import_ids = [_import_id(cell) for cell in head[1]]
    for column, cell, import_id in zip(columns, head[1], import_ids, strict=True):
        if import_id is None:
            raise _fail(
                path,
                'expected the ImportId row of a Qualtrics export, e.g. {"ImportId":"QID1"} '
                "(no header rows removed; a file opened and saved in Excel may lose it)",
                row=3, column=str(column), value=cell or None,
            )
    counts = pd.Series(columns).value_counts()
    renamed = [import_id if counts[column] > 1 else column
               for column, import_id in zip(columns, import_ids, strict=True)]
    if len(set(renamed)) < len(renamed):
        raise _fail(path, "repeated column names whose ImportIds repeat too: export again "
                    "with unique question export tags", row=1)
    for column in counts[counts > 1].index:
        ids = [i for c, i in zip(columns, import_ids, strict=True) if c == column]
        notes.append(f"column name '{column}' appears {len(ids)} times (side-by-side "
                     f"question): read as {', '.join(ids)}, its ImportIds")
    frame = table.frame.set_axis(renamed, axis=1)
    texts = dict(zip(renamed, head[0], strict=True))
    ids = dict(zip(renamed, import_ids, strict=True))
    text_iq = [c for c in renamed if TEXT_IQ.search(c)]
    if text_iq:
        notes.append(f"{len(text_iq)} Text iQ column(s) not answers, left out: "
                     + ", ".join(text_iq))
        frame = frame.drop(columns=text_iq)
        texts = {c: t for c, t in texts.items() if c not in text_iq}
        ids = {c: i for c, i in ids.items() if c not in text_iq}
    return frame, texts, ids


#: Qualtrics' response types (``Status``), as numeric and as choice-text exports write
#: them: previews and test responses are not answers, spam is not trusted, imports were
#: entered into Qualtrics from a file.
RESPONSE_TYPES = {
    "0": "response", "ip address": "response", "16": "response", "offline": "response",
    "1": "preview", "survey preview": "preview", "17": "preview",
    "offline survey preview": "preview", "offline preview": "preview",
    "2": "test", "survey test": "test", "test response": "test",
    "4": "imported", "imported": "imported",
    "8": "spam", "spam": "spam", "9": "spam", "preview spam": "spam",
    "survey preview spam": "spam", "12": "spam", "imported spam": "spam",
}
#: ``DistributionChannel`` values that mark a preview or a test whatever ``Status`` says
#: (a preview exported and imported again keeps channel "preview").
CHANNEL_TYPES = {"preview": "preview", "test": "test"}
#: What each kind is called on the console.
KIND_NAMES = {"preview": "survey preview", "test": "survey test", "spam": "spam",
              "imported": "imported response"}
#: Left out unless ``import.leave_out`` says otherwise. Imported responses were entered
#: from a file (paper forms, another tool, a copied survey): the scaffold keeps them when
#: an export holds nothing else, and every run says how many it left out or kept.
DEFAULT_LEAVE_OUT = ["preview", "test", "spam", "imported"]


def response_kinds(frame: pd.DataFrame) -> pd.Series:
    """Per row of a Qualtrics export: ``response``, ``preview``, ``test``, ``spam``,
    ``imported``, or ``unknown`` (a Status we do not know), from ``Status`` (numeric or
    choice text) and ``DistributionChannel``.

    >>> frame = pd.DataFrame({"Status": ["0", "Survey Preview", "IP Address", "Imported",
    ...                                  "Imported", "8"],
    ...                       "DistributionChannel": ["anonymous", "preview", "anonymous",
    ...                                               "preview", None, None]})
    >>> response_kinds(frame).tolist()
    ['response', 'preview', 'response', 'preview', 'imported', 'spam']
    """
    kinds = pd.Series("response", index=frame.index, dtype=object)
    if "Status" in frame:
        status = frame["Status"].fillna("").str.strip().str.casefold()
        kinds = status.map(RESPONSE_TYPES).fillna("unknown").where(status != "", "response")
    if "DistributionChannel" in frame:
        channel = frame["DistributionChannel"].fillna("").str.strip().str.casefold()
        marked = channel.map(CHANNEL_TYPES)
        kinds = kinds.where(marked.isna() | (kinds == "spam"), marked)
    return kinds


def _kind_counts(frame: pd.DataFrame, kinds: pd.Series, mask: pd.Series) -> str:
    """'2 survey previews (Status 'Survey Preview'), 1 spam (Status 8)' for the rows in mask."""
    parts = []
    for kind in ("preview", "test", "spam", "imported", "unknown"):
        rows = mask & (kinds == kind)
        if not rows.any():
            continue
        seen = []
        for column in ("Status", "DistributionChannel"):
            if column in frame:
                values = sorted(set(frame.loc[rows, column].dropna()))
                seen += [f"{column} {v!r}" for v in values]
        name = KIND_NAMES.get(kind, "response of unknown type")
        parts.append(f"{int(rows.sum())} {name}{'s' if rows.sum() > 1 else ''} "
                     f"({', '.join(seen)})")
    return ", ".join(parts)


def _qualtrics_rows(frame: pd.DataFrame, spec: dict, path: str, notes: list[str],
                    where_: str = "import.leave_out") -> pd.DataFrame:
    """The rows of a Qualtrics export that are responses: previews, test responses, spam
    and imports (``import.leave_out``, default :data:`DEFAULT_LEAVE_OUT`) left out, counted in
    ``notes``; an export holding nothing else is refused, naming what it holds."""
    leave_out = [str(k) for k in spec.get("leave_out", DEFAULT_LEAVE_OUT)]
    kinds = response_kinds(frame)
    out = kinds.isin(leave_out)
    kept_unusual = ~out & kinds.isin(["imported", "unknown"])
    if kept_unusual.any():
        notes.append(f"kept {_kind_counts(frame, kinds, kept_unusual)}: import.leave_out "
                     f"({', '.join(leave_out) or 'nothing'}) does not leave them out; add "
                     "imported to it to leave imported responses out")
    if out.all() and len(frame):
        listed = ", ".join(leave_out)
        kept = [k for k in leave_out if k not in set(kinds[out])]
        raise _fail(path, f"every one of the {len(frame)} responses is left out: "
                    f"{_kind_counts(frame, kinds, out)}. import.leave_out leaves out "
                    f"{listed} (a survey preview or test is not an answer; an imported "
                    f"response was entered from a file). To analyse them "
                    f"deliberately, write `leave_out: [{', '.join(kept)}]` under import: in "
                    f"{where_}, or export the real responses")
    if out.any():
        notes.append(f"left out {_kind_counts(frame, kinds, out)} (import.leave_out: "
                     f"{', '.join(leave_out)})")
    return frame[~out]


def read_xlsx(path: str | Path, sheet: str | int = 0) -> pd.DataFrame:
    """First (or named) sheet of a workbook as text, indexed by Excel row number."""
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
    except ValueError as err:  # unknown sheet name, broken workbook
        raise _fail(path, f"cannot read the workbook: {err}") from err
    except Exception as err:  # zip/XML errors from a file that is not xlsx
        raise _fail(path, f"not an Excel .xlsx workbook ({type(err).__name__}: {err})") from err
    frame.index = range(2, 2 + len(frame))
    return frame


def parse_choices(text: str) -> dict[str, str]:
    """REDCap's "code, label | code, label" choices as {code: label}."""
    choices = {}
    for part in str(text).split("|"):
        if not part.strip():
            continue
        code, sep, label = part.partition(",")
        if not sep:
            raise ValueError(f"choice {part.strip()!r} has no 'code, label' comma")
        choices[code.strip()] = label.strip()
    return choices


def read_redcap_dictionary(path: str | Path, notes: list[str] | None = None) -> pd.DataFrame:
    """A REDCap data dictionary, one row per field, with parsed ``choices``."""
    frame = read_text_csv(path, notes)
    if DICTIONARY_FIELD not in frame and "field_name" in frame:
        # The same dictionary as REDCap's API and its R and Python clients export it.
        frame = frame.rename(columns=API_DICTIONARY_COLUMNS)
    missing = [c for c in (DICTIONARY_FIELD, DICTIONARY_TYPE) if c not in frame]
    if missing:
        raise _fail(path, f"not a REDCap data dictionary: missing header(s) {missing}", row=1)
    if DICTIONARY_CHOICES not in frame:
        frame[DICTIONARY_CHOICES] = pd.NA
    parsed, problems = [], []
    for row, kind, text in zip(
        frame.index, frame[DICTIONARY_TYPE], frame[DICTIONARY_CHOICES], strict=True
    ):
        choices = {}
        if kind in ("radio", "dropdown", "checkbox") and not pd.isna(text):
            try:
                choices = parse_choices(text)
            except ValueError as err:
                problems.append(Problem(str(path), row, DICTIONARY_CHOICES, text, str(err)))
        elif kind == "yesno":
            choices = {"1": "Yes", "0": "No"}
        elif kind == "truefalse":
            choices = {"1": "True", "0": "False"}
        parsed.append(choices)
    if problems:
        raise ImportProblems(problems)
    frame["choices"] = parsed
    return frame.set_index(DICTIONARY_FIELD, drop=False)


# ---------------------------------------------------------------- mapping


def _norm(code: str) -> str:
    """REDCap's checkbox column suffix for a code: lower case, other characters '_'."""
    return re.sub(r"[^a-z0-9_]", "_", str(code).strip().lower())


def event_forms(frame: pd.DataFrame, forms: list[str]) -> dict[str, list[str]]:
    """The instruments each event of a longitudinal export holds: REDCap leaves
    ``<form>_complete`` empty in the events a form is not designated for.

    >>> frame = pd.DataFrame({"redcap_event_name": ["a_arm_1", "b_arm_1"],
    ...                       "x_complete": ["2", None], "y_complete": ["0", "1"]})
    >>> event_forms(frame, ["x", "y"])
    {'a_arm_1': ['x', 'y'], 'b_arm_1': ['y']}
    """
    held = {}
    for event, rows in frame.groupby(EVENT_COLUMN, sort=False):
        held[event] = [f for f in forms if f"{f}_complete" in rows and
                       rows[f"{f}_complete"].notna().any()]
    return held


def _form_of(column: str) -> str | None:
    return column[: -len("_complete")] if column.endswith("_complete") else None


def answered_rows(frame: pd.DataFrame, form: str, dictionary: pd.DataFrame | None) -> pd.Series:
    """Rows answering at least one field of REDCap instrument ``form`` (a checkbox field
    counts when a box is ticked; the record id and the status columns do not)."""
    if dictionary is None or "Form Name" not in dictionary:
        return pd.Series(False, index=frame.index)
    fields = dictionary.loc[dictionary["Form Name"] == form]
    fields = fields[fields[DICTIONARY_FIELD] != dictionary[DICTIONARY_FIELD].iloc[0]]
    answered = pd.Series(False, index=frame.index)
    for field, kind in zip(fields[DICTIONARY_FIELD], fields[DICTIONARY_TYPE], strict=True):
        if kind == "checkbox":
            prefix = f"{field}{CHECKBOX_SEP}".lower()
            for column in [c for c in frame.columns if c.lower().startswith(prefix)]:
                answered |= frame[column] == "1"
        elif kind != "descriptive" and field in frame:
            answered |= frame[field].notna()
    return answered


def _condition_masks(frame: pd.DataFrame, conditions: dict, path: str,
                     dictionary: pd.DataFrame | None = None,
                     held: dict | None = None) -> dict[str, tuple[str, pd.Series, pd.Series]]:
    """Per ``import.complete_when`` condition (as text): its column, the rows it applies
    to (a ``<form>_complete`` condition applies in the events that hold the form) and
    the rows that meet it (rows it does not apply to meet it)."""
    masks = {}
    for column, rule in conditions.items():
        if column not in frame:
            raise _fail(path, f"import.complete_when names column '{column}', which the "
                        "export does not have", row=1, column=column)
        values = frame[column].fillna("")
        applies = pd.Series(True, index=frame.index)
        form = _form_of(column)
        if held and form and EVENT_COLUMN in frame:
            applies = frame[EVENT_COLUMN].map(lambda e, f=form: f in held.get(e, [])).astype(bool)
        if rule == "answered":  # marked Unverified or Complete, or holding an answer
            name = f"{column} answered"
            meets = values.isin(["1", "2"]) | answered_rows(frame, form or column, dictionary)
        elif isinstance(rule, dict):
            wanted = [str(v) for v in rule["not"]]
            name, meets = f"{column} not in {wanted}", ~values.isin(wanted)
        else:
            wanted = [str(v) for v in rule]
            name, meets = f"{column} in {wanted}", values.isin(wanted)
        masks[name] = (column, applies, meets | ~applies)
    return masks


def _completion_fix(frame, column: str, rule, applies: pd.Series, dictionary,
                    place) -> str:
    """What to change in the YAML so that a condition holding on no row keeps the
    respondents who answered."""
    form = _form_of(column)
    at = place(["import", "complete_when", column])
    if form and rule != "answered":
        count = int((answered_rows(frame, form, dictionary) & applies).sum())
        if count:
            return (f"no record has {form} marked Complete (2); to keep the {count} that "
                    f"answered it, write `{column}: answered` ({at})")
    if column == "Finished":
        return (f"no response is finished; to analyse unfinished ones, remove Finished from "
                f"import.complete_when ({at})")
    seen = ", ".join(repr(v) for v in frame.loc[applies, column].fillna("").value_counts()
                     .index[:5])
    return f"{column} holds {seen} here; change its accepted values ({at})"


def _complete_rows(frame: pd.DataFrame, conditions: dict, path: str, notes: list[str],
                   dictionary: pd.DataFrame | None = None, held: dict | None = None,
                   place=lambda keys: "config/programs/<program>.yaml") -> pd.Series:
    """Rows meeting every condition; refuses an export where none does, counting each
    and saying which YAML line to change and to what.

    >>> frame = pd.DataFrame({"a_complete": ["2", "0"], "b_complete": ["0", "0"]})
    >>> _complete_rows(frame, {"a_complete": ["2"], "b_complete": ["2"]}, "x.csv", [])
    Traceback (most recent call last):
    ...
    peermentor.importers.ImportProblems: 1 import problem(s):
      x.csv: none of the 2 responses counts as complete under import.complete_when: \
a_complete in ['2'] holds on 1 of 2 rows; b_complete in ['2'] holds on 0 of 2 rows. \
b_complete holds '0' here; change its accepted values (config/programs/<program>.yaml)
    """
    masks = _condition_masks(frame, conditions, path, dictionary, held)
    keep = pd.Series(True, index=frame.index)
    for _, _, mask in masks.values():
        keep &= mask
    counts = "; ".join(f"{name} holds on {int((meets & applies).sum())} of "
                       f"{int(applies.sum())} rows" for name, (_, applies, meets)
                       in masks.items() if applies.any())
    if not keep.any():
        fixes = [_completion_fix(frame, column, conditions[column], applies, dictionary,
                                 place)
                 for _, (column, applies, meets) in masks.items()
                 if applies.any() and not (meets & applies).any()]
        raise _fail(path, f"none of the {len(frame)} responses counts as complete under "
                    f"import.complete_when: {counts}" + "".join(f". {fix}" for fix in fixes))
    if masks and not any(applies.any() for _, applies, _ in masks.values()):
        events = ", ".join(sorted(set(frame[EVENT_COLUMN]))) if EVENT_COLUMN in frame else ""
        notes.append(f"no import.complete_when condition applies to event(s) {events} (they "
                     f"hold none of its instruments): all {len(frame)} rows kept")
    elif not keep.all():
        notes.append(f"{(~keep).sum()} of {len(frame)} rows not complete under "
                     f"import.complete_when ({counts}), left out")
    return keep


class _Mapper:
    """Maps one export (already read as text, indexed by file row) onto the codebook."""

    def __init__(self, program, spec, fmt, frame, path, dictionary=None):
        self.program, self.spec, self.fmt = program, spec, fmt
        self.frame, self.path, self.dictionary = frame, str(path), dictionary
        self.missing = {str(v) for v in spec.get("missing_values", [])}
        self.problems: list[Problem] = []
        self.source: dict[str, str] = {}  # canonical column -> export column (for messages)
        self.out = pd.DataFrame(index=frame.index)
        self.used: set[str] = set()  # export columns read, to report the others
        self.notes: list[str] = []  # what the log should say (identifying columns left out)

    def problem(self, row, column, value, rule):
        self.problems.append(Problem(self.path, row, column, value, rule))

    def column(self, name: str, key: str) -> pd.Series:
        if name not in self.frame:
            self.problem(1, name, None, f"column not in the export (named by {key})")
            return pd.Series(pd.NA, index=self.frame.index, dtype="string")
        self.used.add(name)
        values = self.frame[name]
        return values.where(~values.isin(self.missing))

    def recode(self, series: pd.Series, mapping: dict[str, str], column: str, key: str):
        """Map each answer through ``mapping``; unmapped answers are problems."""
        out = series.copy()
        for row, value in series.dropna().items():
            if value in mapping:
                out[row] = str(mapping[value])
            else:
                known = ", ".join(mapping) or "none"
                self.problem(row, column, value, f"no entry for this code under {key} "
                             f"(known: {known})")
        return out

    def choice_map(self, item: dict, field: str) -> dict | None:
        """Export code -> codebook value for an item, or None to take answers as they are.

        Choice items: codes that are already choice codes map to themselves; REDCap
        dictionary codes whose label equals a choice's label map to that choice;
        ``import.values`` adds to and overrides both.
        """
        explicit = {str(k): v for k, v in self.spec.get("values", {}).get(item["id"], {}).items()}
        if "choices" not in item:
            return explicit or None
        mapping = {str(code): str(code) for code in item["choices"]}
        if self.dictionary is not None and field in self.dictionary.index:
            labels = {str(label).strip().casefold(): str(code)
                      for code, label in item["choices"].items()}
            for code, label in self.dictionary.at[field, "choices"].items():
                if label.strip().casefold() in labels and code not in mapping:
                    mapping[code] = labels[label.strip().casefold()]
        mapping.update(explicit)
        return mapping

    @staticmethod
    def label_codes(item: dict) -> dict[str, str]:
        """Answer label (case-folded) -> codebook code, for "Use choice text" exports."""
        if item["type"] == "likert":
            labels = item["scale"].get("labels", {})
        elif item["type"] == "binary":
            labels = item.get("labels") or {"1": "Yes", "0": "No"}
        else:
            labels = item.get("choices", {})
        return {str(label).strip().casefold(): str(code) for code, label in labels.items()}

    def from_labels(self, values: pd.Series, item: dict) -> pd.Series:
        """Answers written as their label (Qualtrics "Use choice text") -> codes."""
        labels = self.label_codes(item)
        codes = {str(c) for c in item.get("choices", {})}
        if not labels:
            return values
        folded = values.str.strip().str.casefold()
        hit = folded.isin(labels) & ~values.isin(codes)
        return values.where(~hit, folded.map(labels))

    def split_labels(self, cell: str, item: dict, mapping: dict) -> list[str]:
        """A multiple answer's codes or labels, split only at commas between declared
        codes and labels (a label holding commas stays whole); an answer that cannot be
        read so is returned whole, to be reported as it is (or, when made of plain codes
        only, as its codes, so the unknown one is named).

        >>> m = _Mapper({}, {}, "qualtrics", pd.DataFrame(), "x.csv")
        >>> item = {"type": "multi_choice", "choices": {"ma": "MA, MS or PhD", "ba": "BA"}}
        >>> m.split_labels("BA,MA, MS or PhD", item, {"ma": "ma", "ba": "ba"})
        ['ba', 'ma']
        >>> m.split_labels("MA, MS", item, {"ma": "ma", "ba": "ba"})
        ['MA, MS']
        >>> m.split_labels("ba,7", item, {"ma": "ma", "ba": "ba"})
        ['ba', '7']
        """
        labels = self.label_codes(item)
        known = {**{k.casefold(): k for k in mapping}, **labels,
                 **{v.casefold(): v for v in self.missing}}
        parts = cell.split(",")
        # ways[i]: the codes of a reading of parts[:i], or None if none reads them
        ways: list[list[str] | None] = [[]] + [None] * len(parts)
        for end in range(1, len(parts) + 1):
            for start in range(end - 1, -1, -1):
                piece = ",".join(parts[start:end]).strip().casefold()
                if ways[start] is not None and piece in known:
                    ways[end] = [*ways[start], known[piece]]
                    break
        if ways[-1] is not None:
            return ways[-1]
        if all(re.fullmatch(r"-?\w+", part) for part in parts):
            return [part.strip() for part in parts]  # numeric codes: name the unknown one
        return [cell.strip()]

    def respondent_and_role(self):
        default = self.frame.columns[0] if self.fmt == "redcap" else DEFAULT_ID_COLUMN[self.fmt]
        id_column = self.spec.get("respondent_id", default)
        self.out["respondent_id"] = self.column(id_column, "import.respondent_id")
        # An id that is an e-mail address (or a name) would carry it into every output.
        reason = identifying(id_column) if id_column != default else None
        looks = self.out["respondent_id"].fillna("").str.contains("@", regex=False)
        if reason or looks.any():
            row = looks.idxmax() if looks.any() else 1
            self.problem(row, id_column, None, "respondent ids must not identify anyone ("
                         + (reason or "an e-mail address") + "): name the record id or "
                         "response id column under import.respondent_id")
        self.source["respondent_id"] = id_column
        role = self.spec.get("role", {})
        if "value" in role:  # a survey of one role: no role question
            self.out["role"] = pd.Series(str(role["value"]), index=self.frame.index,
                                         dtype="string")
            self.source["role"] = "import.role.value"
            return
        role_column = role.get("column", "role")
        values = self.column(role_column, "import.role.column")
        if "values" in role:
            mapping = {str(k): v for k, v in role["values"].items()}
            values = self.recode(values, mapping, role_column, "import.role.values")
        self.out["role"] = values
        self.source["role"] = role_column

    def field_info(self, field: str) -> dict:
        """The data dictionary's row of a field (REDCap), or {}."""
        if self.dictionary is None or field not in self.dictionary.index:
            return {}
        row = self.dictionary.loc[field]
        return {k: (None if pd.isna(v) else v) for k, v in row.items() if k != "choices"}

    def _dates(self, values: pd.Series, column: str, key: str) -> pd.Series:
        parsed = pd.to_datetime(values, format="ISO8601", errors="coerce")
        for row, value in values[values.notna() & parsed.isna()].items():
            self.problem(row, column, value, f"not a date as REDCap and Qualtrics export "
                         f"them (YYYY-MM-DD, optionally with a time), read for {key}")
        return parsed

    def elapsed(self, values: pd.Series, column: str, item_id: str) -> pd.Series:
        """A date answer as the time since ``import.dates.<item>.from`` (numeric text).

        Days are 24 hours, weeks 7 days, months 30.4375 days and years 365.25 days.
        """
        spec = self.spec["dates"][item_id]
        key = f"import.dates.{item_id}"
        source = spec["from"]
        if source in self.frame:
            self.used.add(source)
            start = self._dates(self.frame[source], source, key)
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", source):
            start = pd.Series(pd.Timestamp(source), index=values.index)
        else:
            self.problem(1, source, None, f"{key}.from is neither an export column nor a date "
                         "YYYY-MM-DD")
            return values
        days = (self._dates(values, column, key) - start).dt.total_seconds() / 86400
        per = {"days": 1, "weeks": 7, "months": 30.4375, "years": 365.25}[spec.get("unit",
                                                                             "days")]
        return (days / per).map(lambda v: None if pd.isna(v) else _number_text(v)).astype(
            values.dtype)

    def identifying(self, item: dict, name: str) -> str | None:
        info = self.field_info(name)
        return (identifying(name, info.get(DICTIONARY_VALIDATION), info.get(DICTIONARY_IDENTIFIER))
                or identifying(item["id"]))

    def single(self, item: dict):
        name = self.spec.get("columns", {}).get(item["id"], item["id"])
        reason = self.identifying(item, name)
        if reason:
            # Never copied out of data/raw, even when the codebook asks for it.
            self.notes.append(f"column '{name}' (item {item['id']}) identifies respondents "
                              f"({reason}): its answers are left out")
            self.used.add(name)
            self.out[item["id"]] = pd.Series(pd.NA, index=self.frame.index, dtype="string")
            self.source[item["id"]] = name
            return
        values = self.column(name, f"import.columns.{item['id']}")
        if item["id"] in self.spec.get("dates", {}):
            values = self.elapsed(values, name, item["id"])
        if item["type"] == "numeric":
            # number_Ndp_comma_decimal fields, and Excel in comma-decimal locales: 3,5 is 3.5
            values = values.where(~values.fillna("").str.match(COMMA_DECIMAL),
                                  values.str.replace(",", ".", regex=False))
        if item["type"] in ("likert", "binary", "single_choice"):
            values = self.from_labels(values, item)
        mapping = self.choice_map(item, name)
        if item["type"] == "binary" and mapping is None:
            mapping = {"0": "0", "1": "1"}
        if mapping is not None and {"0", "1"} <= set(mapping) and "true" not in mapping:
            # TRUE/FALSE where the field's codes are 0/1 (a file saved from R or Excel)
            logical = values.str.upper().isin(["TRUE", "FALSE"]).fillna(False)
            if logical.any():
                self.notes.append(f"column '{name}' (item {item['id']}): read {int(logical.sum())}"
                                  " TRUE/FALSE answer(s) as the field's codes 1/0")
                values = values.where(~logical, values.str.upper().map({"TRUE": "1",
                                                                         "FALSE": "0"}))
        if mapping is not None and item["type"] != "free_text":
            values = self.recode(values, mapping, name, f"import.values.{item['id']}")
        self.out[item["id"]] = values
        self.source[item["id"]] = name

    def expanded(self, item: dict):
        """Multiple response or ranking: one canonical column per choice."""
        columns = self.spec.get("columns", {}).get(item["id"])
        if isinstance(columns, dict) or item["type"] == "ranking" or self.fmt == "xlsx":
            columns = columns or {c: f"{item['id']}{CHOICE_SEP}{c}" for c in item["choices"]}
            for code in item["choices"]:
                canonical = f"{item['id']}{CHOICE_SEP}{code}"
                self.out[canonical] = self.column(
                    columns.get(code, canonical), f"import.columns.{item['id']}.{code}"
                )
                self.source[canonical] = columns.get(code, canonical)
            return
        name = columns or item["id"]
        if self.fmt == "redcap":
            ticks = self.checkbox_ticks(item, name)
        else:
            ticks = self.comma_ticks(item, name)
        for code in item["choices"]:
            canonical = f"{item['id']}{CHOICE_SEP}{code}"
            self.out[canonical] = ticks[str(code)]

    def _ticked(self, row, answered: dict, codes, column, value, item, mapping):
        """Record one ticked export code (a choice, several, or [] for 'none of these')."""
        if value in self.missing:
            answered[row] = None  # an explicit "no answer" code wins
            return
        if value not in mapping:
            known = ", ".join(mapping) or "none"
            self.problem(row, column, value, f"no entry for this option under "
                         f"import.values.{item['id']} (known: {known})")
            return
        targets = mapping[value]
        for target in [targets] if isinstance(targets, str) else targets:
            if target not in codes:
                self.problem(row, column, value, f"import.values.{item['id']} maps it to "
                             f"'{target}', not a choice of the item")
            elif answered.get(row, 0) is not None:
                codes[target][row] = "1"
        answered.setdefault(row, 0)

    def _tick_table(self, answered: dict, codes: dict) -> dict[str, pd.Series]:
        """Per choice code: '1'/'0' for answered rows, missing for the others."""
        table = {}
        for code in codes:
            series = pd.Series(pd.NA, index=self.frame.index, dtype="string")
            for row, state in answered.items():
                if state is not None:
                    series[row] = codes[code].get(row, "0")
            table[code] = series
        return table

    def checkbox_ticks(self, item: dict, field: str) -> dict[str, pd.Series]:
        """REDCap checkboxes: columns ``<field>___<code>`` of 0/1.

        REDCap writes 0 for every option of an unanswered (or hidden) field, so a
        row with no option ticked is *not answered*; give the instrument a
        "None of these" option, mapped to ``[]``, to record an explicit none.
        """
        prefix = f"{field}{CHECKBOX_SEP}".lower()
        columns = [c for c in self.frame.columns if c.lower().startswith(prefix)]
        if not columns:
            self.problem(1, f"{field}{CHECKBOX_SEP}*", None, "no checkbox columns for "
                         f"field '{field}' (import.columns.{item['id']})")
            return self._tick_table({}, {str(code): {} for code in item["choices"]})
        self.used.update(columns)
        mapping = self.choice_map(item, field)
        by_suffix = {_norm(code): code for code in [*mapping, *self.missing]}
        answered: dict = {}
        codes: dict = {str(code): {} for code in item["choices"]}
        for column in columns:
            suffix = column[len(prefix):]
            export_code = by_suffix.get(_norm(suffix), suffix)
            for row, value in self.frame[column].items():
                if pd.isna(value) or value == "0":
                    continue
                if value != "1":
                    self.problem(row, column, value, "a checkbox must be 0 or 1")
                    continue
                self._ticked(row, answered, codes, column, export_code, item, mapping)
        return self._tick_table(answered, codes)

    def comma_ticks(self, item: dict, name: str) -> dict[str, pd.Series]:
        """Qualtrics multiple answer: one column of comma-separated codes."""
        mapping = self.choice_map(item, name)
        answered: dict = {}
        codes: dict = {str(code): {} for code in item["choices"]}
        if name not in self.frame:
            self.problem(1, name, None, f"column not in the export (import.columns.{item['id']})")
        else:
            self.used.add(name)
            for row, cell in self.frame[name].dropna().items():
                for value in self.split_labels(cell, item, mapping):
                    self._ticked(row, answered, codes, name, value, item, mapping)
        return self._tick_table(answered, codes)

    def run(self) -> pd.DataFrame:
        self.respondent_and_role()
        for item in self.program.get("codebook", []):
            if item["type"] in ("multi_choice", "ranking"):
                self.expanded(item)
            else:
                self.single(item)
        return self.out[response_columns(self.program)]


def _check_redcap_header(frame: pd.DataFrame, export, dictionary, fields: pd.DataFrame) -> None:
    """A raw-data export starts with the record id field; a labels export does not."""
    first = str(fields[DICTIONARY_FIELD].iloc[0]) if len(fields) else None
    if first is not None and frame.columns[0] != first:
        raise _fail(export, f"expected the record id field '{first}' (first field of "
                    f"{Path(dictionary).name}) as the first column; export 'CSV / Microsoft "
                    "Excel (raw data)' with variable names as headers", row=1,
                    column=str(frame.columns[0]))


EVENT_COLUMN = "redcap_event_name"
INSTANCE_COLUMN = "redcap_repeat_instance"


def _number_text(value: float) -> str:
    """A number as the canonical files write it: 3, 2.5 (no float noise).

    >>> _number_text(3.0), _number_text(0.1 + 0.2), _number_text(12.25)
    ('3', '0.3', '12.25')
    """
    value = round(float(value), 9)
    return str(int(value)) if value == int(value) else repr(value)


def _split_repeating(frame: pd.DataFrame, spec: dict, path: str):
    """(rows of the survey, rows of repeating instruments) of a REDCap export.

    A repeating instrument must be declared under ``import.repeating`` (how to
    summarise its instances per respondent); others are refused, row by row.
    """
    if REPEAT_COLUMN not in frame:
        return frame, frame.iloc[0:0]
    declared = spec.get("repeating", {})
    repeats = frame[REPEAT_COLUMN].notna()
    problems = [
        Problem(path, row, REPEAT_COLUMN, instrument,
                f"repeating instrument '{instrument}' is not declared: say under "
                f"import.repeating.{instrument} how to summarise its instances per respondent "
                "(count, sum, mean, mode), or export without it")
        for row, instrument in frame.loc[repeats, REPEAT_COLUMN].items()
        if instrument not in declared
    ]
    if problems:
        raise ImportProblems(problems)
    return frame[~repeats], frame[repeats]


def repeat_instances(repeats: pd.DataFrame, spec: dict, id_column: str,
                     path: str) -> pd.DataFrame:
    """The declared repeating instruments as a long table of instances.

    Columns ``respondent_id, wave, instrument, instance, field, value``: one row per
    instance and field that a summary under ``import.repeating`` reads (``wave`` from
    ``import.events``, else empty).
    """
    rows, problems = [], []
    for instrument, summaries in spec.get("repeating", {}).items():
        fields = sorted({how[next(iter(how))] for how in summaries.values()
                         if isinstance(how, dict)})
        block = repeats[repeats[REPEAT_COLUMN] == instrument]
        for field in fields:
            if field not in repeats:
                problems.append(Problem(path, 1, field, None, "column not in the export (named "
                                        f"by import.repeating.{instrument})"))
                continue
            events = spec.get("events", {})
            waves = block[EVENT_COLUMN].map(events) if EVENT_COLUMN in block and events \
                else pd.Series("", index=block.index)
            for row, record, wave, instance, value in zip(
                block.index, block[id_column], waves,
                block.get(INSTANCE_COLUMN, block[id_column]), block[field], strict=True,
            ):
                rows.append({"respondent_id": record, "wave": wave, "instrument": instrument,
                             "instance": instance, "field": field, "value": value,
                             "row": row})
    if problems:
        raise ImportProblems(problems)
    return pd.DataFrame(rows, columns=["respondent_id", "wave", "instrument", "instance",
                                       "field", "value", "row"])


def summarise_instances(instances: pd.DataFrame, repeats: pd.DataFrame, spec: dict,
                        id_column: str, path: str) -> dict[str, dict[str, str]]:
    """Per summary column (a codebook item id): respondent -> value as text.

    ``count`` counts the instances of the instrument; ``{sum: field}``,
    ``{mean: field}`` and ``{mode: field}`` summarise a field over them (comma
    decimals read as points; the mode's ties go to the smallest code). A
    respondent without instances has a count and a sum of 0, and no mean or mode.

    >>> repeats = pd.DataFrame({"record_id": ["1", "1", "2"],
    ...     "redcap_repeat_instrument": ["log"] * 3, "redcap_repeat_instance": ["1", "2", "1"],
    ...     "hours": ["1,5", "2", "1"], "mode": ["1", "1", "2"]}, index=[3, 4, 5])
    >>> spec = {"repeating": {"log": {"meetings": "count", "hours_total": {"sum": "hours"},
    ...                               "usual_mode": {"mode": "mode"}}}}
    >>> long = repeat_instances(repeats, spec, "record_id", "x.csv")
    >>> summarise_instances(long, repeats, spec, "record_id", "x.csv")
    {'meetings': {'1': '2', '2': '1'}, 'hours_total': {'1': '3.5', '2': '1'}, \
'usual_mode': {'1': '1', '2': '2'}}
    """
    out, problems = {}, []
    for instrument, summaries in spec.get("repeating", {}).items():
        block = repeats[repeats[REPEAT_COLUMN] == instrument]
        for column, how in summaries.items():
            if how == "count":
                out[column] = {str(k): str(v) for k, v in
                               block.groupby(id_column, sort=True).size().items()}
                continue
            kind, field = next(iter(how.items()))
            values = instances[(instances["instrument"] == instrument)
                               & (instances["field"] == field)].dropna(subset=["value"])
            if kind == "mode":
                out[column] = {str(k): str(v.mode().sort_values().iloc[0]) for k, v in
                               values.groupby("respondent_id", sort=True)["value"]}
                continue
            numbers = pd.to_numeric(values["value"].str.replace(",", ".", regex=False),
                                    errors="coerce")
            problems += [Problem(path, row, field, value, "not a number (summed under "
                                 f"import.repeating.{instrument}.{column})")
                         for row, value in values.loc[numbers.isna(), ["row", "value"]]
                         .itertuples(index=False)]
            grouped = numbers.groupby(values["respondent_id"], sort=True)
            result = grouped.sum() if kind == "sum" else grouped.mean()
            out[column] = {str(k): _number_text(v) for k, v in result.items()}
    if problems:
        raise ImportProblems(problems)
    return out


def _add_summaries(frame: pd.DataFrame, summaries: dict, spec: dict, id_column: str,
                   dictionary: pd.DataFrame | None):
    """The survey rows with one column per summary, as if the export had it (and the
    dictionary with the summarised field's row under the new column's name)."""
    frame = frame.copy()
    for declared in spec.get("repeating", {}).values():
        for column, how in declared.items():
            values = frame[id_column].map(summaries[column]).astype(frame[id_column].dtype)
            if how == "count" or next(iter(how)) == "sum":
                values = values.fillna("0")  # no meeting logged: none, for 0 hours
            frame[column] = values
            field = None if how == "count" else how[next(iter(how))]
            if dictionary is not None and field in dictionary.index and \
                    column not in dictionary.index:  # the mode's codes keep their labels
                dictionary = pd.concat([dictionary, dictionary.loc[[field]].rename(
                    index={field: column})])
    return frame, dictionary


def _year_events(spec: dict, year: str | None, path: str) -> list[str] | None:
    """The events of survey ``year`` when ``import.events`` maps events to years, else None."""
    events = spec.get("events")
    if not events or year is None or not all(YEAR.match(str(w)) for w in events.values()):
        return None
    mine = [e for e, w in events.items() if str(w) == str(year)]
    if not mine:
        raise _fail(path, f"no event is declared as survey year {year} under "
                    f"import.events ({', '.join(f'{e}: {w}' for e, w in events.items())})")
    return mine


def _waves(frame: pd.DataFrame, spec: dict, path: str,
           year: str | None = None) -> dict[str, pd.DataFrame]:
    """Survey rows per wave (``import.events``: REDCap event -> wave), in declared order.

    Without ``import.events`` an export must hold one event (or none). When every wave
    is a survey year (``year_2024_arm_1: "2024"``), the cohort ``year`` keeps its own
    event only: the same export can sit in each year's folder.
    """
    events = spec.get("events")
    mine = _year_events(spec, year, path)
    if mine is not None:
        frame = frame[frame[EVENT_COLUMN].isin(mine)] if EVENT_COLUMN in frame else frame
        events = {e: str(w) for e, w in events.items() if e in mine}
    if EVENT_COLUMN not in frame:
        return {"": frame}
    if not events:
        if frame[EVENT_COLUMN].nunique() > 1:
            names = ", ".join(sorted(frame[EVENT_COLUMN].dropna().unique()))
            raise _fail(path, f"several events ({names}): declare which is which wave under "
                        "import.events (e.g. {baseline_arm_1: baseline, end_of_year_arm_1: "
                        "follow_up}), or export one event", row=1, column=EVENT_COLUMN)
        return {"": frame}
    unknown = ~frame[EVENT_COLUMN].isin(list(events))
    if unknown.any():
        known = ", ".join(events)
        raise ImportProblems([Problem(path, row, EVENT_COLUMN, value, "event not declared "
                                      f"under import.events (declared: {known})")
                              for row, value in frame.loc[unknown, EVENT_COLUMN].items()])
    waves = {}
    for event, wave in events.items():
        rows = frame[frame[EVENT_COLUMN] == event]
        if len(rows):
            waves[wave] = pd.concat([waves[wave], rows]) if wave in waves else rows
    return waves


def _carry_role(frame: pd.DataFrame, id_column: str, role_column: str) -> pd.DataFrame:
    """Each record's role on every event's row (REDCap asks it at one event only)."""
    if role_column not in frame or id_column not in frame:
        return frame
    first = frame.dropna(subset=[role_column]).groupby(id_column, sort=False)[role_column].first()
    frame = frame.copy()
    frame[role_column] = frame[role_column].fillna(frame[id_column].map(first))
    return frame


def _config_place(config_path, program: dict, keys: list, parent: str) -> str:
    """Where in the programme's YAML a key is (``config/programs/p.yaml, line 12``), or
    where it would go (under ``parent``), for messages that say what to change."""
    from peermentor.config import yaml_line

    path = config_path or f"config/programs/{program.get('program', '<program>')}.yaml"
    line = yaml_line(path, keys) if config_path else None
    if line is None and config_path:
        line = yaml_line(path, parent.split("."))
        return f"{path} (the {parent}: block, line {line})" if line else str(path)
    return f"{path}, line {line}" if line else str(path)


def _as_written(table: pd.DataFrame) -> pd.DataFrame:
    """The table as validation will read it back from CSV (same text, same dtypes)."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    buffer.seek(0)
    text = pd.read_csv(buffer, dtype=str, keep_default_na=False, na_values=[""])
    text.index = table.index
    return text


def _duplicate_ids(table: pd.DataFrame, path, id_column: str) -> list[Problem]:
    """Each repeated respondent id, naming every export row that carries it."""
    ids = table["respondent_id"]
    problems = []
    for value, rows in ids[ids.duplicated(keep=False)].dropna().groupby(ids).groups.items():
        listed = ", ".join(str(r) for r in rows)
        problems += [Problem(str(path), row, id_column, value, f"respondent id appears on rows "
                             f"{listed}; each respondent once") for row in rows]
    return problems


def _validate_mapped(table: pd.DataFrame, mapper, program, path, fmt, sheet_columns=()):
    """Check the mapped table against the codebook; report in export coordinates."""
    sheet_columns = list(sheet_columns)
    file_rows = list(table.index)
    source = mapper.source if mapper is not None else {}
    # What the mapping already found (an unknown code, a missing column) is listed once,
    # with everything the codebook's rules find in the rest.
    mapped = list(mapper.problems) if mapper is not None else []
    known = {(p.row, p.column) for p in mapped}
    absent = {p.column for p in mapped if p.row == 1}
    problems = mapped + _duplicate_ids(table, path, source.get("respondent_id",
                                                               "respondent_id"))
    repeated = {p.value for p in problems}
    # validate_frame numbers rows by position (line = position + 2): give it a plain
    # index and translate positions back to the export's own rows.
    failures = validate_frame(table.reset_index(drop=True), response_schema(program), str(path))
    for failure in failures:
        if failure.column == "respondent_id" and failure.value in repeated:
            continue  # already reported above, with the export's rows
        position = None if failure.line is None or failure.line < 2 else failure.line - 2
        row = None if position is None else file_rows[position]
        column, cell = failure.column, None
        if column:
            column = source.get(column, column)
        if (row, column) in known or column in absent:
            continue
        if column and row and fmt == "xlsx" and column in sheet_columns:
            cell = f"{get_column_letter(sheet_columns.index(column) + 1)}{row}"
        problems.append(Problem(str(path), row, column, failure.value, failure.rule,
                                failure.respondent_id, cell))
    if problems:
        raise ImportProblems(problems)
    return [
        f"row {b.row} (respondent {table.at[b.row, 'respondent_id']}), column "
        f"'{source.get(b.item, b.item)}': value '{b.value}' is outside "
        f"{'-' if pd.isna(b.min) else _number_text(b.min)} to "
        f"{'-' if pd.isna(b.max) else _number_text(b.max)}, the item's soft range (REDCap "
        "lets a user save it after a warning); kept"
        for b in soft_range_breaches(table, program).itertuples(index=False)
    ]


@dataclass
class Imported:
    """What one export gives: the responses table (the last wave present), the table of
    every declared wave (``wave`` column; empty without ``import.events``), and the
    instances of repeating instruments (long; empty without ``import.repeating``)."""

    responses: pd.DataFrame
    waves: pd.DataFrame
    instances: pd.DataFrame


def import_export(
    program: dict,
    fmt: str,
    export: str | Path,
    dictionary: str | Path | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Map one export onto the canonical responses table (text), validated.

    Rows that ``import.complete_when`` does not count as complete are dropped.
    Raises :class:`ImportProblems` naming file, row, column and value. ``notes``,
    if given, receives what a reviewer should know (rows dropped, columns unused).
    See :func:`import_cohort` for longitudinal exports and repeating instruments.
    """
    return import_cohort(program, fmt, export, dictionary, notes).responses


def import_cohort(
    program: dict,
    fmt: str,
    export: str | Path,
    dictionary: str | Path | None = None,
    notes: list[str] | None = None,
    year: str | None = None,
    config_path: str | Path | None = None,
) -> Imported:
    """Map one export onto the canonical tables (text), validated: see :class:`Imported`.

    REDCap: rows of a repeating instrument declared under ``import.repeating`` are
    summarised per respondent into the columns it names; events map to waves under
    ``import.events``, each wave mapped and validated on its own, with the role
    carried from the event that asks it; events declared as survey years keep only
    the cohort ``year``'s.
    """
    notes = [] if notes is None else notes
    spec = program.get("import", {})
    if spec.get("format", fmt) != fmt:
        raise _fail(export, f"the programme config says import.format: {spec['format']}, "
                    f"but the cohort folder holds a {fmt} file")
    dictionary_frame = None
    instances = repeat_instances(pd.DataFrame(columns=[REPEAT_COLUMN]), {}, "", "")
    if fmt == "xlsx":
        frame = read_xlsx(export, spec.get("sheet", 0))
    elif fmt == "qualtrics":
        frame = read_qualtrics(export, notes)[0]
    else:
        frame = read_text_csv(export, notes)
        if dictionary:
            dictionary_frame = read_redcap_dictionary(dictionary, notes)
            _check_redcap_header(frame, export, dictionary, dictionary_frame)
        frame, repeats = _split_repeating(frame, spec, str(export))
        mine = _year_events(spec, year, str(export))
        if mine is not None and EVENT_COLUMN in repeats:  # a year's meetings, not others'
            repeats = repeats[repeats[EVENT_COLUMN].isin(mine)]
        id_column = spec.get("respondent_id", frame.columns[0])
        if len(repeats) or spec.get("repeating"):
            instances = repeat_instances(repeats, spec, id_column, str(export))
            summaries = summarise_instances(instances, repeats, spec, id_column, str(export))
            frame, dictionary_frame = _add_summaries(frame, summaries, spec, id_column,
                                                     dictionary_frame)
            notes.append(f"{len(repeats)} instance(s) of repeating instruments "
                         f"({', '.join(spec['repeating'])}) summarised per respondent into "
                         + ", ".join(c for d in spec["repeating"].values() for c in d))
        frame = _carry_role(frame, id_column, spec.get("role", {}).get("column", "role"))
    if frame.empty:
        raise _fail(export, "no responses: the export has a header but no data rows",
                    row=FIRST_DATA_ROW[fmt])
    if fmt == "qualtrics":
        frame = _qualtrics_rows(frame, spec, str(export), notes, _config_place(
            config_path, program, ["import", "leave_out"], "import"))
    held = None
    if fmt == "redcap" and EVENT_COLUMN in frame:
        forms = [_form_of(c) for c in frame.columns if c.endswith("_complete")]
        held = spec.get("event_forms") or event_forms(frame, forms)

    def place(keys):
        return _config_place(config_path, program, keys, "import.complete_when")

    waves = _waves(frame, spec, str(export), year) if fmt == "redcap" else {"": frame}
    tables = {}
    for wave, rows in waves.items():
        where_ = f" ({EVENT_COLUMN} of wave {wave})" if wave else ""
        wave_notes: list[str] = []
        rows = rows[_complete_rows(rows, spec.get("complete_when", {}), str(export) + where_,
                                   wave_notes, dictionary_frame, held, place)]
        notes += [f"wave {wave}: {n}" if wave else n for n in wave_notes]
        tables[wave] = _map_rows(program, spec, fmt, rows, export, dictionary_frame, notes)
    last = list(tables)[-1]
    if len(tables) > 1 or (spec.get("events") and list(tables) != [str(year)]):
        counts = ", ".join(f"{w} {len(t)}" for w, t in tables.items())
        notes.append(f"waves (respondents): {counts}; responses.csv holds wave {last}")
        long = pd.concat([t.assign(wave=w) for w, t in tables.items()], ignore_index=True)
        long.insert(2, "wave", long.pop("wave"))
    else:
        long = pd.DataFrame(columns=["respondent_id", "role", "wave"])
    instances = instances.drop(columns="row")
    instances.insert(1, "wave", instances.pop("wave"))
    return Imported(tables[last], long, instances)


def _map_rows(program, spec, fmt, frame, export, dictionary_frame, notes) -> pd.DataFrame:
    """Map and validate the complete rows of one wave."""
    if fmt == "xlsx" and not spec.get("columns") and not spec.get("values"):
        # The canonical layout already: only codes meaning "no answer" and roles to map.
        missing = {str(v) for v in spec.get("missing_values", [])}
        table = frame.where(~frame.isin(missing))
        mapper = None
        absent = [c for c in response_columns(program) if c not in table]
        if absent:
            raise ImportProblems([Problem(str(export), 1, c, None, "required column is "
                                          "missing from the sheet") for c in absent])
        if "role" in spec and "values" in spec["role"]:
            helper = _Mapper(program, spec, fmt, frame, export)
            mapping = {str(k): v for k, v in spec["role"]["values"].items()}
            table["role"] = helper.recode(table["role"], mapping, "role", "import.role.values")
            if helper.problems:
                raise ImportProblems(helper.problems)
        table = table[response_columns(program)]
    else:
        mapper = _Mapper(program, spec, fmt, frame, export, dictionary_frame)
        table = mapper.run()
        notes += [n for n in mapper.notes if n not in notes]
        # Only mapped columns travel on: names, e-mails, IP addresses stay in data/raw.
        unused = [c for c in frame.columns if c not in mapper.used]
        note = f"{len(unused)} export column(s) not mapped, left out: " + ", ".join(unused)
        if unused and note not in notes:
            notes.append(note)
    table = _as_written(table)
    notes += _validate_mapped(table, mapper, program, export, fmt, frame.columns)
    return table.reset_index(drop=True)


def write_atomically(table: pd.DataFrame, path: str | Path) -> None:
    """Write a CSV via a temporary file in the same folder, so a failure leaves nothing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            table.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(program: dict, fmt: str, export: str, dictionary: str | None, out: str,
        log=sys.stderr, waves_out: str | None = None, instances_out: str | None = None,
        year: str | None = None, console=None, config_path: str | None = None) -> None:
    """Import one cohort's export for the pipeline, or raise :class:`ImportProblems`.

    ``waves_out`` and ``instances_out``, if given, receive :class:`Imported`'s other
    two tables (header only when the export has no waves or repeating instruments).
    What a reviewer should know (rows or columns left out, values read differently) goes
    to ``log`` and, as ``Warning:`` lines that ``./run.sh`` shows, to ``console``.
    """
    notes: list[str] = []
    try:
        imported = import_cohort(program, fmt, export, dictionary, notes, year, config_path)
    except ImportProblems as err:
        for note in notes:
            print(f"{export}: {note}", file=log)
        print(err, file=log)
        raise
    write_atomically(imported.responses, out)
    if waves_out:
        write_atomically(imported.waves, waves_out)
    if instances_out:
        write_atomically(imported.instances, instances_out)
    for note in notes:
        print(f"{export}: {note}", file=log)
        if console is not None:
            print(f"Warning: {export}: {note}", file=console, flush=True)
    print(f"imported {len(imported.responses)} complete responses from {export} ({fmt})",
          file=log)


def import_job(input, output, params, wildcards, log_path: str) -> None:
    """The ``import_export`` job, called from the rule's ``run:`` block (in a worker thread
    of the Snakemake process, as validation): a failed import raises an ordinary error
    whose message lists every problem, which ``./run.sh`` shows."""
    from peermentor.config import load_program
    from peermentor.validate import CohortJobFailed

    with open(log_path, "w", encoding="utf-8") as log:
        try:
            run(program=load_program(input.program), fmt=params.format, export=input.export,
                dictionary=input.get("dictionary"), out=output.responses, log=log,
                waves_out=output.waves, instances_out=output.instances, year=wildcards.year,
                console=sys.stderr, config_path=input.program)
        except ImportProblems as err:
            raise CohortJobFailed(f"Import failed: {err}") from None
