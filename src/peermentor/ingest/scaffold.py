"""Scaffold a programme config from a REDCap data dictionary or a Qualtrics export.

    python -m peermentor.scaffold redcap redcap_dictionary.csv --program my-prog \\
        > config/programs/my-prog.yaml
    python -m peermentor.scaffold qualtrics qualtrics.csv --program my-prog --role-column Q1 \\
        > config/programs/my-prog.yaml

The output loads with :func:`peermentor.ingest.config.load_program` and carries the
``import:`` mapping; whatever the instrument cannot tell (a Likert scale or a
list of options, labels of Qualtrics codes, roles) is marked ``# TODO``.

>>> slug("Year 1 (pre-clinical)")
'year_1_pre_clinical'
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap

import pandas as pd
import yaml

from peermentor.ingest import notices
from peermentor.ingest.cohorts import CohortDiscoveryError, check_program_id
from peermentor.ingest.constructs import construct_todo
from peermentor.ingest.importers.qualtrics import DEFAULT_LEAVE_OUT, read_qualtrics, response_kinds
from peermentor.ingest.importers.readers import ImportProblems, identifying, read_text_csv
from peermentor.ingest.importers.redcap import (
    DATE_VALIDATIONS,
    DICTIONARY_FIELD,
    DICTIONARY_IDENTIFIER,
    DICTIONARY_TYPE,
    DICTIONARY_VALIDATION,
    EVENT_COLUMN,
    NUMBER_VALIDATIONS,
    REPEAT_COLUMN,
    answered_rows,
    event_forms,
    read_redcap_dictionary,
)
from peermentor.ingest.qsf import MULTI_SELECTORS, NOT_ANSWERS, QsfError, describe, read_qsf

# Named, not __name__: run as ``python -m peermentor.ingest.scaffold`` it is __main__,
# outside the peermentor loggers that main() routes to the console.
logger = notices.logger("peermentor.ingest.scaffold")

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
#: Words in the end labels of a radio scale that make it a Likert item.
LIKERT_WORDS = re.compile(
    r"agree|satisf|likely|important|useful|helpful|confident|poor|excellent|never|always|"
    r"not at all|extremely|very",
    re.IGNORECASE,
)
NONE = re.compile(r"^\s*none\b", re.IGNORECASE)
SKIPPED_REDCAP_TYPES = ("descriptive", "file", "sql", "signature")


def slug(text: str) -> str:
    """An id made of [a-z0-9_], starting with a letter."""
    out = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return out if re.match(r"^[a-z]", out) else f"x_{out}".rstrip("_")


def _plain(text) -> str:
    """Field label without REDCap's HTML and piping markup."""
    if text is None or pd.isna(text):
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(text))).strip()


def _choices(codes: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Codebook choices, and export code -> choice code for codes not usable as keys."""
    choices, values = {}, {}
    for code, label in codes.items():
        key = code if CODE.match(code) else slug(f"code_{code}")
        choices[key] = label or code
        if key != code:
            values[code] = key
    return choices, values


def _is_likert(codes: dict[str, str]) -> bool:
    try:
        numbers = [int(c) for c in codes]
    except ValueError:
        return False
    ends = " ".join([codes[str(min(numbers))], codes[str(max(numbers))]])
    consecutive = sorted(numbers) == list(range(min(numbers), max(numbers) + 1))
    return consecutive and 4 <= len(numbers) <= 11 and bool(LIKERT_WORDS.search(ends))


def _range(row: pd.Series) -> dict[str, float]:
    """min/max of a number or slider field (comma decimals allowed), as set in the dictionary.

    >>> _range(pd.Series({"Text Validation Min": "1,5", "Text Validation Max": "10"}))
    {'min': 1.5, 'max': 10}
    """
    out = {}
    for key, column in (("min", "Text Validation Min"), ("max", "Text Validation Max")):
        value = row.get(column)
        if value is not None and not pd.isna(value) and str(value).strip():
            number = float(str(value).strip().replace(",", "."))
            out[key] = int(number) if number == int(number) else number
    return out


class Draft:
    """A programme config being written: keys, items, and TODO comments per item."""

    def __init__(self, program: str, source: str):
        self.program, self.source = program, source
        self.roles: dict[str, str] = {}
        self.items: list[tuple[dict, list[str]]] = []
        self.skipped: list[str] = []
        self.spec: dict = {}
        self.role_todo: str | None = None
        self.spec_todo: list[str] = []

    def add(self, item: dict, *todo: str) -> None:
        self.items.append((item, list(todo)))

    def value_map(self, item_id: str, mapping: dict) -> None:
        if mapping:
            self.spec.setdefault("values", {})[item_id] = mapping

    def yaml(self) -> str:
        def dump(data, indent=0) -> list[str]:
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)
            return [" " * indent + line for line in text.splitlines()]

        lines = [
            f"# Scaffolded by `python -m peermentor.scaffold` from {self.source}.",
            "# Review every TODO, then add the cohort years under `cohorts:`.",
            *dump({
                "program": self.program,
                "title": f"TODO: title of {self.program}",
                "institution": "TODO",
                "country": "TODO",
                "design": "TODO: one sentence on the mentoring programme",
            }),
        ]
        if self.role_todo:
            lines.append(f"# TODO: {self.role_todo}")
        lines += dump({"roles": self.roles})
        if len(self.roles) >= 2:
            lines.append("# TODO: the two roles compared in effects and tests (first vs second; "
                         "effects are positive when the first is higher)")
            lines += dump({"comparison": list(self.roles)[:2]})
        lines += [
            "# TODO: one entry per survey year, e.g. \"2024\": {invited: {total: 120}}",
            "cohorts: {}",
            "codebook:",
        ]
        for item, todo in self.items:
            todo = [*todo, *construct_todo(item)]
            lines += [f"  # TODO: {note}" for note in todo]
            lines += dump([item], indent=2)
        if self.skipped:
            lines.append("  # Not in the codebook (no analysable answer, or identifying):")
            lines += [f"  #   {note}" for note in self.skipped]
        lines += [f"# TODO: {todo}" for todo in self.spec_todo]
        lines.append("import:")
        lines += dump(self.spec, indent=2)
        return "\n".join(lines) + "\n"


def _first_seen(frame: pd.DataFrame | None, column: str) -> list[str]:
    """Values of an export column in order of first appearance (events, instruments)."""
    if frame is None or column not in frame:
        return []
    return list(dict.fromkeys(frame[column].dropna()))


def respondent_forms(dictionary: pd.DataFrame, role_field: str,
                     export_columns: list[str] | None = None,
                     frame: pd.DataFrame | None = None) -> tuple[list[str], list[str]]:
    """(instruments every respondent completes, other instruments) for ``complete_when``.

    Respondents fill in survey instruments: with an export, those are the forms it
    carries a ``<form>_timestamp`` column for (a one-event export carries only that
    event's forms); otherwise the forms the export has a ``<form>_complete`` column for,
    or, from the dictionary alone, every form. Of these, the one holding the role
    field (else the first) is required; the others (staff-only, optional or
    follow-up forms) are left to the user, since requiring them refuses everyone who
    skipped an optional form.

    >>> d = pd.DataFrame({"Variable / Field Name": ["id", "role", "notes", "extra"],
    ...                   "Form Name": ["survey", "survey", "staff", "optional"]})
    >>> respondent_forms(d, "role", ["id", "survey_timestamp", "role", "survey_complete",
    ...                              "staff_complete", "optional_timestamp",
    ...                              "optional_complete"])
    (['survey'], ['optional'])
    """
    forms = list(dict.fromkeys(dictionary.get("Form Name", pd.Series(dtype=str)).dropna()))
    if export_columns is not None:
        surveys = [f for f in forms if f"{f}_timestamp" in export_columns]
        forms = surveys or [f for f in forms if f"{f}_complete" in export_columns]
    if not forms:
        return [], []
    by_field = dictionary.set_index(DICTIONARY_FIELD)["Form Name"] if "Form Name" in \
        dictionary else pd.Series(dtype=str)
    main = by_field.get(role_field) if role_field in by_field.index else None
    if main not in forms and frame is not None:  # the form most records answered
        answered = {f: int(answered_rows(frame, f, dictionary).sum()) for f in forms}
        main = max(forms, key=lambda f: answered[f])
    main = main if main in forms else forms[0]
    return [main], [f for f in forms if f != main]


def read_event_map(path: str) -> dict[str, list[str]]:
    """REDCap's instrument-event mapping (``arm_num, unique_event_name, form``): the
    instruments each event holds."""
    frame = read_text_csv(path)
    missing = [c for c in ("unique_event_name", "form") if c not in frame]
    if missing:
        raise ScaffoldError(f"{path}: not a REDCap instrument-event mapping (Project Setup > "
                            f"Designate instruments for my events > Download): no column "
                            f"{', '.join(missing)}")
    mapping: dict[str, list[str]] = {}
    for event, form in zip(frame["unique_event_name"], frame["form"], strict=True):
        mapping.setdefault(str(event), []).append(str(form))
    return mapping


def _completion(draft: Draft, frame: pd.DataFrame | None, required: list[str],
                held: dict[str, list[str]]) -> None:
    """``complete_when`` for the required instruments: Complete (2), or, when the export
    marks no record Complete (in some event that holds the instrument), the records that
    answered it."""
    conditions: dict = {}
    for form in required:
        column = f"{form}_complete"
        if frame is None or column not in frame:
            conditions[column] = ["2"]
            continue
        groups = ([frame[frame[EVENT_COLUMN] == e] for e, forms in held.items() if form in forms]
                  if held else [frame])
        if all((rows[column] == "2").any() for rows in groups):
            # Only records whose respondent instrument is marked Complete (2) are analysed.
            conditions[column] = ["2"]
            continue
        conditions[column] = "answered"
        where_ = " in some event that holds it" if held else ""
        note = (f"no record has {form} marked Complete (2){where_}: complete_when keeps the "
                f"records that answered it or marked it Unverified or Complete ({column}: "
                "answered); "
                "write ['2'] if only forms marked Complete count")
        draft.spec_todo.append(note)
        logger.warning(note)
    draft.spec["complete_when"] = conditions


def from_redcap(path: str, program: str, role_field: str | None = None,
                export: str | None = None, event_map: str | None = None) -> str:
    """Programme YAML from a REDCap data dictionary (and, optionally, a raw export and
    the project's instrument-event mapping)."""
    dictionary = read_redcap_dictionary(path)
    draft = Draft(program, path)
    fields = list(dictionary[DICTIONARY_FIELD])
    if role_field is not None and role_field not in fields:
        choices = [f for f, k in zip(fields, dictionary[DICTIONARY_TYPE], strict=True)
                   if k in ("radio", "dropdown")]
        raise ScaffoldError(f"--role-field {role_field}: {path} has no such field (radio and "
                            f"dropdown fields: {', '.join(choices) or 'none'}); leave the "
                            "option out for a survey of one role")
    if role_field is None and "role" in fields:
        role_field = "role"
    frame = None if export is None else read_text_csv(export)
    columns = None if frame is None else list(frame.columns)
    repeating = _first_seen(frame, REPEAT_COLUMN)
    events = _first_seen(frame, EVENT_COLUMN)
    once = dictionary[~dictionary.get("Form Name", pd.Series(dtype=str)).isin(repeating)]
    required, others = respondent_forms(once, role_field or "", columns, frame)
    held = read_event_map(event_map) if event_map else (
        event_forms(frame, [*required, *others]) if frame is not None and len(events) > 1
        else {})
    if len(events) > 1 or event_map:
        # Completion is judged per event on the instruments it holds: each event's first
        # respondent instrument is required where the event holds it.
        candidates = [*required, *others]
        firsts = [next((f for f in candidates if f in forms), None) for forms in held.values()]
        required = [f for f in candidates if f in firsts]
        others = [f for f in candidates if f not in required]
    draft.spec = {"format": "redcap", "respondent_id": fields[0]}
    draft.spec["role"] = {"column": role_field} if role_field else {"value": "respondent"}
    _completion(draft, frame, required, held)
    if others:
        draft.spec_todo.append(f"complete_when requires {', '.join(required)} only; add "
                               f"{', '.join(f + '_complete' for f in others)} if every "
                               "respondent must complete it too")
    if event_map:
        draft.spec["event_forms"] = held
    if len(events) > 1:
        draft.spec["events"] = {e: slug(re.sub(r"_arm_[0-9]+$", "", e)) for e in events}
        draft.spec_todo.append("events -> waves: list them in time order (first = before, "
                               "last = after); responses.csv holds the last wave. In each "
                               "event, a <form>_complete condition holds where the event "
                               "has the form")
    for instrument in repeating:
        draft.spec.setdefault("repeating", {})[instrument] = {f"{instrument}_count": "count"}
        draft.add({"id": f"{instrument}_count", "text": f"Number of {instrument} entries",
                   "type": "numeric", "min": 0, "section": slug(instrument)},
                  f"{instrument} repeats: add summaries under import.repeating.{instrument} "
                  "({sum: field}, {mean: field}, {mode: field}) and an item for each")
    for _, row in dictionary.iloc[1:].iterrows():
        _redcap_field(draft, row, role_field, repeating)
    if not draft.roles:
        draft.roles = {"respondent": "Respondents"}
        draft.role_todo = draft.role_todo or (
            "a survey of one role (no role field; --role-field names one): name it, e.g. "
            "roles: {mentor: Mentors} and import.role: {value: mentor}")
        logger.warning(f"{path}: no role field (--role-field): every record gets the one "
                       "role 'respondent' (import.role.value); name it in the YAML")
    return draft.yaml()


def _redcap_field(draft: Draft, row: pd.Series, role_field: str | None,
                  repeating: list[str]) -> None:
    """One row of a REDCap data dictionary into ``draft``: the role field's codes, a
    skipped field (repeating, identifying, a date, a type with no answers) with why, or
    a codebook item."""
    field, kind = row[DICTIONARY_FIELD], row[DICTIONARY_TYPE]
    text = _plain(row.get("Field Label")) or field
    section = slug(_plain(row.get("Form Name")) or "survey")
    if row.get("Form Name") in repeating:
        draft.skipped.append(f"{field} (repeating instrument {row['Form Name']}: "
                             "summarised under import.repeating)")
        return
    if field == role_field:
        if not row["choices"]:
            draft.role_todo = f"role field '{field}' has no choices; list the role codes"
            return
        draft.roles = {slug(label): label for label in row["choices"].values()}
        draft.spec["role"]["values"] = {c: slug(lab) for c, lab in row["choices"].items()}
        return
    if kind in SKIPPED_REDCAP_TYPES:
        draft.skipped.append(f"{field} ({kind})")
        return
    validation = row.get(DICTIONARY_VALIDATION)
    validation = None if pd.isna(validation) else str(validation).strip()
    reason = identifying(field, validation, row.get(DICTIONARY_IDENTIFIER))
    if reason:
        draft.skipped.append(f"{field} (identifying: {reason})")
        return
    if kind == "text" and validation and DATE_VALIDATIONS.match(validation):
        draft.skipped.append(f"{field} ({validation}: a date or time, kept out of analysis)")
        return
    item, todo, values = _redcap_item(row, field, kind, validation, text, section)
    draft.value_map(field, values)
    draft.add(item, *todo)


def _redcap_item(row: pd.Series, field: str, kind: str, validation: str | None, text: str,
                 section: str) -> tuple[dict, list[str], dict]:
    """The codebook item of a REDCap field by its field type and validation, what the
    user should check in it, and how its answer codes map onto the item's choices."""
    item = {"id": field, "text": text, "section": section}
    todo, value_map = [], {}
    if kind in ("radio", "dropdown") and _is_likert(row["choices"]):
        numbers = sorted(int(c) for c in row["choices"])
        lo, hi = numbers[0], numbers[-1]
        labels = {lo: row["choices"][str(lo)], hi: row["choices"][str(hi)]}
        item.update(type="likert", scale={"min": lo, "max": hi, "labels": labels})
    elif kind in ("radio", "dropdown", "checkbox"):
        codes = dict(row["choices"])
        none = [c for c, label in codes.items() if kind == "checkbox" and NONE.search(label)]
        for code in none:  # ticked "none of these": answered, no option applies
            del codes[code]
        choices, values = _choices(codes)
        values.update({code: [] for code in none})
        item.update(type="multi_choice" if kind == "checkbox" else "single_choice",
                    choices=choices)
        value_map = values
        if kind != "checkbox" and len(choices) >= 4 and _is_likert(
            {c: "very" for c in codes}
        ):
            todo.append("if this is a rating scale, make it type: likert with a scale")
        if kind == "checkbox" and not none:
            todo.append("REDCap exports an unanswered checkbox as all 0, read as not "
                        "answered; map a 'None of these' option to [] under import.values")
    elif kind in ("yesno", "truefalse"):
        item["type"] = "binary"
    elif kind == "slider":
        # REDCap's slider runs 0-100 unless the dictionary sets its min and max.
        item.update({"type": "numeric", "min": 0, "max": 100, **_range(row)})
    elif kind == "calc":
        item["type"] = "numeric"
    elif kind == "text" and validation and NUMBER_VALIDATIONS.match(validation):
        item.update(type="numeric", **_range(row))
        if "min" in item or "max" in item:
            # REDCap lets a user save a value outside min/max after a warning
            item["soft_range"] = True
    elif kind in ("text", "notes"):
        item["type"] = "free_text"
        if validation:
            todo.append(f"REDCap validation '{validation}' has no codebook type; kept as "
                        "free_text (or remove the item)")
    else:
        item["type"] = "free_text"
        todo.append(f"REDCap field type '{kind}' not recognised; kept as free_text")
    return item, todo, value_map


#: Common rating scales, low to high, as Qualtrics offers them (and REDCap users type
#: them): an answer written as text ("Use choice text") is read as its point on the scale.
TEXT_SCALES: list[tuple[str, ...]] = [
    ("Strongly disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree",
     "Strongly agree"),
    ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    ("Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
     "Somewhat agree", "Agree", "Strongly agree"),
    ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    ("Extremely dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied",
     "Somewhat satisfied", "Extremely satisfied"),
    ("Very dissatisfied", "Somewhat dissatisfied", "Neither satisfied nor dissatisfied",
     "Somewhat satisfied", "Very satisfied"),
    ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied",
     "Very satisfied"),
    ("Extremely dissatisfied", "Moderately dissatisfied", "Slightly dissatisfied",
     "Neither satisfied nor dissatisfied", "Slightly satisfied", "Moderately satisfied",
     "Extremely satisfied"),
    ("Extremely unlikely", "Somewhat unlikely", "Neither likely nor unlikely", "Somewhat likely",
     "Extremely likely"),
    ("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"),
    ("Definitely will not", "Probably will not", "Might or might not", "Probably will",
     "Definitely will"),
    ("Definitely not", "Probably not", "Might or might not", "Probably yes", "Definitely yes"),
    ("Never", "Sometimes", "About half the time", "Most of the time", "Always"),
    ("Never", "Rarely", "Sometimes", "Often", "Always"),
    ("Never", "Rarely", "Sometimes", "Very often", "Always"),
    ("Extremely difficult", "Somewhat difficult", "Neither easy nor difficult", "Somewhat easy",
     "Extremely easy"),
    ("Very difficult", "Somewhat difficult", "Neither easy nor difficult", "Somewhat easy",
     "Very easy"),
    ("Very difficult", "Difficult", "Neither easy nor difficult", "Easy", "Very easy"),
    ("Not at all important", "Slightly important", "Moderately important", "Very important",
     "Extremely important"),
    ("Not at all useful", "Slightly useful", "Moderately useful", "Very useful",
     "Extremely useful"),
    ("Not at all helpful", "Slightly helpful", "Moderately helpful", "Very helpful",
     "Extremely helpful"),
    ("Not at all confident", "Slightly confident", "Somewhat confident", "Very confident",
     "Extremely confident"),
    ("Extremely bad", "Somewhat bad", "Neither good nor bad", "Somewhat good", "Extremely good"),
    ("Poor", "Fair", "Good", "Very good", "Excellent"),
    ("Terrible", "Poor", "Average", "Good", "Excellent"),
    ("Not at all", "Slightly", "Moderately", "Very", "Extremely"),
]
YES_NO = {"yes": "1", "no": "0"}
#: A comma that separates the answers of a multiple-answer question in a choice-text
#: export ("Asian,White"): no space after it and not inside a number ("$50,000").
ANSWER_COMMA = re.compile(r"(?<!\d),(?!\s)|,(?![\s\d])")


class ScaffoldError(ValueError):
    """An option names something the file does not have (a role field or column)."""


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u2019", "'")).strip().casefold()


def text_scale(labels) -> tuple[str, ...] | None:
    """The common rating scale (:data:`TEXT_SCALES`) holding every label, or None.

    >>> text_scale(["Somewhat agree", "strongly agree"])[0]
    'Strongly disagree'
    >>> text_scale(["Agree", "Somewhat agree"])[1:3], text_scale(["Yes", "No"])
    (('Disagree', 'Somewhat disagree'), None)
    """
    seen = {_fold(label) for label in labels if str(label).strip()}
    if not seen:
        return None
    for scale in TEXT_SCALES:
        if seen <= {_fold(label) for label in scale}:
            return scale
    return None


def _natural(text: str):
    """Sort key that puts '5-10 years' before '18-24 years' and '$25,000' before '$100,000'."""
    return [(0, int(t.replace(",", ""))) if t.replace(",", "").isdigit() else (1, t.casefold())
            for t in re.split(r"(\d[\d,]*)", text) if t]


def _label_choices(labels: list[str]) -> dict[str, str]:
    """Codebook choices for answers written as labels: short readable codes, unique."""
    choices: dict[str, str] = {}
    for label in labels:
        code = slug(label)[:40].rstrip("_") or "x"
        base, n = code, 2
        while code in choices:
            code, n = f"{base}_{n}", n + 1
        choices[code] = label
    return choices


class _Qualtrics:
    """Types the columns of one Qualtrics export (with its .qsf, if given) for a Draft."""

    def __init__(self, draft: Draft, frame: pd.DataFrame, texts: dict, import_ids: dict,
                 questions: dict | None):
        self.draft, self.frame, self.texts, self.ids = draft, frame, texts, import_ids
        self.questions = questions
        self.columns: dict = {}
        self.choice_text = bool(
            ("Finished" in frame and frame["Finished"].dropna().isin(["True", "False"]).all()
             and frame["Finished"].notna().any())
            or ("Status" in frame and (~frame["Status"].dropna().str.fullmatch(r"-?\d+")).any()))
        self.missing = set()
        self.ids_used: set[str] = set()

    def item_id(self, name: str) -> str:
        base = slug(name)
        item_id, n = base, 2
        while item_id in self.ids_used:
            item_id, n = f"{base}_{n}", n + 1
        self.ids_used.add(item_id)
        return item_id

    def values(self, column: str) -> pd.Series:
        values = self.frame[column]
        return values.where(~values.isin(self.missing)).dropna()

    def add(self, column: str, item: dict, *todo: str, values: dict | None = None) -> None:
        self.columns[item["id"]] = column
        self.draft.value_map(item["id"], values or {})
        self.draft.add(item, *todo)

    # ------------------------------------------------------------ from the .qsf

    def scale_item(self, item: dict, options: list[tuple[str, str]], column: str,
                   what: str) -> tuple[dict, dict, list[str]]:
        """A question of single answers among ``options`` ((export code, label), in the
        survey's order): likert (a known rating scale), binary (Yes/No) or single_choice."""
        labels = [label for _, label in options]
        scale = text_scale(labels)
        values: dict = {}
        if scale:  # each code goes to its label's point, whatever order the survey lists
            points = {_fold(label): n for n, label in enumerate(scale, start=1)}
            item.update(type="likert", scale={"min": 1, "max": len(scale), "labels": {
                n: label for n, label in enumerate(scale, start=1)}})
            if not self.choice_text:
                values = {code: str(points[_fold(label)]) for code, label in options
                          if code != str(points[_fold(label)])}
            return item, values, []
        if {_fold(x) for x in labels} == set(YES_NO):
            item["type"] = "binary"
            if not self.choice_text:
                values = {code: YES_NO[_fold(label)] for code, label in options
                          if code != YES_NO[_fold(label)]}
            return item, values, []
        if self.choice_text:
            item.update(type="single_choice", choices=_label_choices(labels))
            return item, {}, []
        choices, values = _choices(dict(options))
        item.update(type="single_choice", choices=choices)
        todo = []
        if len(options) >= 4 and _is_likert(dict(options)):
            todo.append(f"{what} reads like a rating scale: make it type: likert with a scale")
        return item, values, todo

    def from_qsf(self, column: str, described) -> bool:
        """Type ``column`` from the .qsf; False when the .qsf does not tell."""
        question, part = described.question, described.part
        kind, selector = question.kind, question.selector
        text = self.texts.get(column) or column
        item = {"id": self.item_id(column), "text": text}
        if described.text_entry or kind == "TE" or (kind == "Matrix" and selector == "TE"):
            item["type"] = "free_text"
            self.add(column, item)
            return True
        if kind in NOT_ANSWERS:
            self.draft.skipped.append(f"{column} (.qsf: {kind}, not an answer)")
            self.ids_used.discard(item["id"])
            return True
        if kind == "RO":
            self.ids_used.discard(item["id"])
            ranking = self.rankings.setdefault(question.qid, {
                "item": {"id": self.item_id(question.tag), "text": question.text or text,
                         "type": "ranking", "choices": {}}, "columns": {}})
            code = part if CODE.match(str(part)) else slug(f"c_{part}")
            ranking["item"]["choices"][code] = question.choices.get(part, part)
            ranking["columns"][code] = column
            return True
        if kind in ("Slider", "CS") or (kind == "Matrix" and selector == "CS"):
            item["type"] = "numeric"
            config = question.configuration
            if kind == "Slider" and "CSSliderMin" in config and "CSSliderMax" in config:
                item.update(min=config["CSSliderMin"], max=config["CSSliderMax"])
            self.add(column, item)
            return True
        if part is not None and part not in question.choices:
            # e.g. one column per answer of a multiple-answer matrix (2016-17 layout)
            self.ids_used.discard(item["id"])
            return False
        if kind == "MC" and part is not None:  # one column per choice (2016-17 layout)
            self.ids_used.discard(item["id"])
            return False
        if kind == "MC" or (kind == "Matrix" and part is not None):
            if kind == "MC":
                order, labels = question.choice_order, question.choices
            else:
                order, labels = question.answer_order, question.answers
            options = [(labels[i] if self.choice_text else question.code(i), labels[i])
                       for i in order]
            multiple = (question.selector in MULTI_SELECTORS or
                        question.sub_selector == "MultipleAnswer")
            if question.selector == "NPS":
                item.update(type="likert", scale={"min": 0, "max": 10, "labels": {
                    0: "Not at all likely", 10: "Extremely likely"}})
                self.add(column, item)
            elif multiple:
                if self.choice_text:
                    item.update(type="multi_choice",
                                choices=_label_choices([label for _, label in options]))
                    self.add(column, item)
                else:
                    choices, values = _choices(dict(options))
                    item.update(type="multi_choice", choices=choices)
                    self.add(column, item, values=values)
            else:
                item, values, todo = self.scale_item(item, options, column, "the question")
                self.add(column, item, *todo, values=values)
            return True
        self.ids_used.discard(item["id"])
        return False

    # ------------------------------------------------------- from the answers

    def rank_groups(self, columns: list[str]) -> dict[str, list[str]]:
        """Columns of one question (QIDn_1, QIDn_2, ...) whose every answered row holds
        the ranks 1..k once each: a rank-order question, never a set of Likert items."""
        groups: dict[str, list[str]] = {}
        for column in columns:
            match = re.fullmatch(r"(QID\d+)_(\d+)", str(self.ids[column]))
            if match:
                groups.setdefault(match.group(1), []).append(column)
        found = {}
        for qid, members in groups.items():
            if len(members) < 2:
                continue
            block = self.frame[members].apply(lambda s: s.where(~s.isin(self.missing)))
            answered = block.dropna(how="all")
            if answered.empty or answered.isna().any().any():
                continue
            ranks = answered.apply(pd.to_numeric, errors="coerce")
            expected = set(range(1, len(members) + 1))
            if ranks.notna().all().all() and all(set(row) == expected
                                                 for row in ranks.astype(int).values.tolist()):
                found[qid] = members
        return found

    def guess(self, column: str) -> None:
        """Type ``column`` from its answers alone, marking every guess TODO."""
        values = self.values(column)
        import_id = str(self.ids[column])
        item = {"id": self.item_id(column), "text": self.texts.get(column) or column}
        numeric = pd.to_numeric(values, errors="coerce")
        if import_id.endswith("_TEXT") and len(values) and numeric.notna().all():
            item["type"] = "numeric"
            self.add(column, item, "a text entry whose every answer is a number: typed "
                     "numeric; make it free_text if it is not a quantity")
        elif import_id.endswith("_TEXT") or values.empty:
            item["type"] = "free_text"
            self.add(column, item, *([] if import_id.endswith("_TEXT") else
                                     ["no answers in the export to tell the type; set it"]))
        elif values.str.contains(",").any() and pd.to_numeric(
                values.str.split(",").explode().str.strip(), errors="coerce").notna().all():
            codes = sorted({v.strip() for cell in values for v in cell.split(",")},
                           key=lambda v: (len(v), v))
            choices, mapping = _choices({c: f"TODO label of code {c}" for c in codes})
            item.update(type="multi_choice", choices=choices)
            self.add(column, item, "multiple answer: label the codes; add any option nobody "
                     "chose", values=mapping)
        elif numeric.notna().all() and (numeric == numeric.round()).all():
            codes = sorted(set(values), key=lambda v: float(v))
            lo, hi = int(numeric.min()), int(numeric.max())
            if "_" in import_id and len(codes) <= 11 and hi - lo <= 10:  # a matrix statement
                item.update(type="likert", scale={"min": lo, "max": hi})
                self.add(column, item, f"scale taken from the answers seen ({lo}-{hi}); check "
                         "it and add its labels")
            elif len(codes) > 11 or hi - lo > 10:
                item["type"] = "numeric"
                self.add(column, item, "numbers: check it is not a code list")
            else:
                choices, mapping = _choices({c: f"TODO label of code {c}" for c in codes})
                item.update(type="single_choice", choices=choices)
                self.add(column, item, "label the codes, add options nobody chose, or make it "
                         "likert/binary/numeric (or multi_choice: nobody ticked two)",
                         values=mapping)
        elif numeric.notna().all():
            item["type"] = "numeric"
            self.add(column, item)
        else:
            self.guess_labels(column, item, values)

    def guess_labels(self, column: str, item: dict, values: pd.Series) -> None:
        """A choice-text column: a known rating scale, Yes/No, or choices from the labels."""
        distinct = sorted(set(values), key=_natural)
        scale = text_scale(distinct)
        if scale:
            item.update(type="likert", scale={"min": 1, "max": len(scale), "labels": dict(
                enumerate(scale, start=1))})
            self.add(column, item, f"answers read as the {len(scale)}-point scale "
                     f"'{scale[0]}' .. '{scale[-1]}' ({len(distinct)} of its labels seen); "
                     "check it")
            return
        if {_fold(v) for v in distinct} <= set(YES_NO):
            item["type"] = "binary"
            self.add(column, item)
            return
        split = [v for v in distinct if ANSWER_COMMA.search(v)]
        if split:
            options = sorted({p.strip() for v in distinct for p in ANSWER_COMMA.split(v)},
                             key=_natural)
            item.update(type="multi_choice", choices=_label_choices(options))
            note = (f"answers such as {split[0]!r} hold commas without a space, read as a "
                    "multiple answer; if it is one answer, make it single_choice with that "
                    "label (or scaffold with --qsf)")
            self.add(column, item, note)
            logger.warning(f"column {column}: {note}")
        elif len(distinct) <= 15:
            item.update(type="single_choice", choices=_label_choices(distinct))
            todo = ["choices from the answers seen: add options nobody chose, order them"]
            commas = [v for v in distinct if "," in v]
            if commas:
                note = (f"answers such as {commas[0]!r} hold commas, read as one answer each "
                        "(a label with commas stays whole); if this is a multiple-answer "
                        "question, make it multi_choice (or scaffold with --qsf)")
                todo.append(note)
                logger.warning(f"column {column}: {note}")
            self.add(column, item, *todo)
        else:
            item["type"] = "free_text"
            self.add(column, item, f"{len(distinct)} different answers: kept as free text")

    def run(self, role_column: str | None) -> None:
        self.rankings: dict = {}
        answer_columns = [c for c, i in self.ids.items() if str(i).startswith("QID")
                          and c != role_column and not re.search(
                              r"_(DO|FIRST_CLICK|LAST_CLICK|PAGE_SUBMIT|CLICK_COUNT)$", str(i))]
        ranked = {} if self.questions else self.rank_groups(answer_columns)
        ranked_columns = {c: qid for qid, cols in ranked.items() for c in cols}
        for column in answer_columns:
            reason = identifying(column) or (identifying(slug(self.texts.get(column, "")))
                                             and "its question asks for identifying details")
            if reason:
                self.draft.skipped.append(f"{column} (identifying: {reason})")
                continue
            if column in ranked_columns:
                qid = ranked_columns[column]
                stem, _, label = str(self.texts.get(column, column)).rpartition(" - ")
                ranking = self.rankings.setdefault(qid, {
                    "item": {"id": self.item_id(re.sub(r"_\d+$", "", column)),
                             "text": stem or column, "type": "ranking", "choices": {}},
                    "columns": {}, "todo": ["rank order: every answered row ranks 1.."
                                            f"{len(ranked[qid])}; check the choice labels"]})
                code = str(self.ids[column]).rsplit("_", 1)[1]
                ranking["item"]["choices"][code] = label or f"TODO label of choice {code}"
                ranking["columns"][code] = column
                continue
            described = describe(str(self.ids[column]), self.questions) if self.questions \
                else None
            if described is None or not self.from_qsf(column, described):
                if self.questions:
                    logger.warning(f"column {column}: not found in the .qsf (or a question "
                                   "type it does not describe); typed from its answers")
                self.guess(column)
        for ranking in self.rankings.values():
            self.columns[ranking["item"]["id"]] = ranking["columns"]
            self.draft.add(ranking["item"], *ranking.get("todo", []))


def from_qualtrics(path: str, program: str, role_column: str | None = None,
                   qsf: str | None = None) -> str:
    """Programme YAML from a Qualtrics CSV export (numeric values or choice text), typed
    exactly from the survey file (``qsf``) when given, else guessed from the answers."""
    frame, texts, import_ids = read_qualtrics(path)
    questions = read_qsf(qsf) if qsf else None
    draft = Draft(program, f"{path} and {qsf}" if qsf else path)
    typer = _Qualtrics(draft, frame, texts, import_ids, questions)
    # 2016-17 exports name the response id ResponseID
    draft.spec = {"format": "qualtrics", "respondent_id": next(
        (c for c in ("ResponseId", "ResponseID") if c in frame), "ResponseId")}
    if "Finished" in frame:
        # Finished is 1 for submitted responses (True when exported as choice text).
        draft.spec["complete_when"] = {"Finished": ["True"] if typer.choice_text else ["1"]}
    # Previews, test responses, spam and imports are left out (Status, numeric or text,
    # and DistributionChannel); an export whose answers were all imported keeps them
    # (some tools export every response as Imported), saying so.
    draft.spec["leave_out"] = list(DEFAULT_LEAVE_OUT)
    kinds = response_kinds(frame)
    imported = kinds == "imported"
    if imported.any() and not (kinds == "response").any():
        draft.spec["leave_out"].remove("imported")
        draft.spec_todo.append(f"import.leave_out: all {int(imported.sum())} answers were "
                               "imported into Qualtrics from a file, so they are kept; add "
                               "imported to leave them out")
        logger.warning(f"{path}: all {int(imported.sum())} answers are imported responses "
                       "(Status 'Imported'): the scaffold keeps them (import.leave_out without "
                       "imported)")
    elif imported.any():
        logger.warning(f"{path}: {int(imported.sum())} of {len(frame)} responses were imported "
                       "into Qualtrics from a file: the import leaves them out (remove imported "
                       "from import.leave_out to keep them)")
    left = kinds.isin(draft.spec["leave_out"]) & ~imported
    if left.all() and len(frame):
        logger.warning(f"{path}: every response is a survey preview, test or spam "
                       f"({int(left.sum())}); the import will refuse it: export the real "
                       "responses, or, to analyse these deliberately, empty import.leave_out")
    elif left.any():
        logger.warning(f"{path}: {int(left.sum())} of {len(frame)} responses are previews, "
                       "tests or spam: the import leaves them out (import.leave_out)")
    if (frame.astype(str) == "-99").any().any():
        draft.spec["missing_values"] = ["-99"]  # "seen but unanswered", as recoded
    typer.missing = set(draft.spec.get("missing_values", []))
    if role_column is not None:
        if role_column not in frame:
            asked = ", ".join(c for c, i in import_ids.items() if str(i).startswith("QID"))
            raise ScaffoldError(f"--role-column {role_column}: {path} has no such column "
                                f"(its question columns: {asked}); leave the option out for "
                                "a survey of one role")
        values = typer.values(role_column)
        described = describe(str(import_ids[role_column]), questions) if questions else None
        if described is not None and described.question.kind == "MC":
            options = {(label if typer.choice_text else described.question.code(i)): label
                       for i, label in described.question.choices.items()}
            draft.roles = {slug(label): label for label in options.values()}
            draft.spec["role"] = {"column": role_column,
                                  "values": {c: slug(label) for c, label in options.items()}}
            draft.role_todo = "check the role ids (they come from the .qsf's labels)"
        elif typer.choice_text and pd.to_numeric(values, errors="coerce").isna().any():
            labels = sorted(set(values), key=_natural)
            draft.roles = {slug(label): label for label in labels}
            draft.spec["role"] = {"column": role_column,
                                  "values": {label: slug(label) for label in labels}}
            draft.role_todo = "check the role ids (they come from the answers seen)"
        else:
            codes = sorted(set(values), key=lambda v: (len(v), v))
            draft.roles = {slug(f"role_{c}"): f"TODO label of code {c}" for c in codes}
            draft.spec["role"] = {"column": role_column,
                                  "values": {c: slug(f"role_{c}") for c in codes}}
            draft.role_todo = ("name the roles (ids and labels) and keep import.role.values "
                               "in step")
    else:
        draft.roles = {"respondent": "Respondents"}
        draft.spec["role"] = {"value": "respondent"}
        draft.role_todo = ("a survey of one role (no --role-column): name it, e.g. roles: "
                           "{mentor: Mentors} and import.role: {value: mentor}")
        logger.warning(f"{path}: no role question given (--role-column): every response gets "
                       "the one role 'respondent' (import.role.value); name it in the YAML")
    typer.run(role_column)
    draft.spec["columns"] = typer.columns
    return draft.yaml()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m peermentor.scaffold",
        description=textwrap.fill(
            "Write a programme config (YAML, on standard output) from a REDCap data "
            "dictionary or a Qualtrics CSV export, with the import: mapping filled in and "
            "TODO comments where the instrument cannot tell. Save it as "
            "config/programs/<program>.yaml, review the TODOs, then put the export in "
            "data/raw/<program>/<year>/ (redcap.csv + redcap_dictionary.csv, or "
            "qualtrics.csv).",
            width=88,
        ),
        epilog="examples:\n"
        "  python -m peermentor.scaffold redcap redcap_dictionary.csv --program my-prog \\\n"
        "      > config/programs/my-prog.yaml\n"
        "  python -m peermentor.scaffold qualtrics export.csv --program my-prog "
        "--role-column Q1 \\\n"
        "      --qsf survey.qsf > config/programs/my-prog.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", choices=["redcap", "qualtrics"], help="kind of file")
    parser.add_argument("path", help="REDCap data dictionary CSV, or Qualtrics export CSV")
    parser.add_argument("--program", required=True,
                        help="programme id: lower-case letters, digits and '-'")
    parser.add_argument("--role-field", default=None,
                        help="REDCap: the radio/dropdown field holding the role (default: a "
                        "field named role; without one, a survey of one role)")
    parser.add_argument("--export", default=None,
                        help="REDCap: the raw export (redcap.csv), to propose completion "
                        "rules that fit it (which instruments, events and statuses it holds)")
    parser.add_argument("--event-map", default=None,
                        help="REDCap longitudinal: the instrument-event mapping CSV (Project "
                        "Setup > Designate instruments for my events > Download), to judge "
                        "completion per event on the instruments each event holds")
    parser.add_argument("--role-column", default=None,
                        help="Qualtrics: the column (e.g. Q1) of the role question (default: "
                        "a survey of one role)")
    parser.add_argument("--qsf", default=None,
                        help="Qualtrics: the survey file (.qsf: Tools > Import/Export > "
                        "Export Survey), to type every question exactly")
    args = parser.parse_args(argv)

    try:
        check_program_id(args.program)
        # What the draft cannot tell, and what reading the files noticed: "warning: ...".
        with notices.route(console=sys.stderr, console_format="warning: %(message)s"):
            if args.source == "redcap":
                text = from_redcap(args.path, args.program, args.role_field, args.export,
                                   args.event_map)
            else:
                text = from_qualtrics(args.path, args.program, args.role_column, args.qsf)
    except (ImportProblems, CohortDiscoveryError, FileNotFoundError, ScaffoldError,
            QsfError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
