"""REDCap: the data dictionary, events and arms, repeating instruments, completion.

A REDCap project exports its records (one row per record, event and repeat instance)
and a data dictionary (one row per field: its form, type, choices and validation).
These functions read the dictionary, tell which rows answered which instrument, keep
the rows the programme's ``complete_when`` accepts, split the repeating instruments
out (``instances.csv``) and the events into waves (``waves.csv``).

>>> parse_choices("1, Strongly disagree | 2, Disagree | a, Other, please say")
{'1': 'Strongly disagree', '2': 'Disagree', 'a': 'Other, please say'}
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from peermentor.ingest import notices
from peermentor.ingest.cohorts import YEAR
from peermentor.ingest.importers.readers import (
    ImportProblems,
    Problem,
    _fail,
    _number_text,
    read_text_csv,
)

logger = notices.logger(__name__)

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


#: REDCap validations holding a date or time: typed, kept out of analysis by default.
DATE_VALIDATIONS = re.compile(r"^(date|datetime|datetime_seconds)_(ymd|mdy|dmy)$|^time")


#: REDCap validations of numbers (``number_2dp_comma_decimal`` and so on).
NUMBER_VALIDATIONS = re.compile(r"^(integer|number(_[1-4]dp)?(_comma_decimal)?)$")


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


def read_redcap_dictionary(path: str | Path) -> pd.DataFrame:
    """A REDCap data dictionary, one row per field, with parsed ``choices``."""
    frame = read_text_csv(path)
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


def _complete_rows(frame: pd.DataFrame, conditions: dict, path: str,
                   dictionary: pd.DataFrame | None = None, held: dict | None = None,
                   place=lambda keys: "config/programs/<program>.yaml") -> pd.Series:
    """Rows meeting every condition; refuses an export where none does, counting each
    and saying which YAML line to change and to what.

    >>> frame = pd.DataFrame({"a_complete": ["2", "0"], "b_complete": ["0", "0"]})
    >>> _complete_rows(frame, {"a_complete": ["2"], "b_complete": ["2"]}, "x.csv")
    Traceback (most recent call last):
    ...
    peermentor.ingest.importers.readers.ImportProblems: 1 import problem(s):
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
        logger.warning(f"no import.complete_when condition applies to event(s) {events} "
                       f"(they hold none of its instruments): all {len(frame)} rows kept")
    elif not keep.all():
        logger.warning(f"{(~keep).sum()} of {len(frame)} rows not complete under "
                       f"import.complete_when ({counts}), left out")
    return keep


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
