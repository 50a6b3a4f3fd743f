"""Scaffold a programme config from a REDCap data dictionary or a Qualtrics export.

    python -m peermentor.scaffold redcap redcap_dictionary.csv --program my-prog \\
        > config/programs/my-prog.yaml
    python -m peermentor.scaffold qualtrics qualtrics.csv --program my-prog --role-column Q1 \\
        > config/programs/my-prog.yaml

The output loads with :func:`peermentor.config.load_program` and carries the
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

from peermentor.cohorts import CohortDiscoveryError, check_program_id
from peermentor.constructs import construct_todo
from peermentor.importers import (
    DATE_VALIDATIONS,
    DICTIONARY_FIELD,
    DICTIONARY_IDENTIFIER,
    DICTIONARY_TYPE,
    DICTIONARY_VALIDATION,
    EVENT_COLUMN,
    NUMBER_VALIDATIONS,
    REPEAT_COLUMN,
    ImportProblems,
    identifying,
    read_qualtrics,
    read_redcap_dictionary,
    read_text_csv,
)

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
                     export_columns: list[str] | None = None) -> tuple[list[str], list[str]]:
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
    main = main if main in forms else forms[0]
    return [main], [f for f in forms if f != main]


def from_redcap(path: str, program: str, role_field: str = "role",
                export: str | None = None) -> str:
    """Programme YAML from a REDCap data dictionary (and, optionally, a raw export)."""
    dictionary = read_redcap_dictionary(path)
    draft = Draft(program, path)
    fields = list(dictionary[DICTIONARY_FIELD])
    frame = None if export is None else read_text_csv(export)
    columns = None if frame is None else list(frame.columns)
    repeating = _first_seen(frame, REPEAT_COLUMN)
    events = _first_seen(frame, EVENT_COLUMN)
    once = dictionary[~dictionary.get("Form Name", pd.Series(dtype=str)).isin(repeating)]
    required, others = respondent_forms(once, role_field, columns)
    draft.spec = {
        "format": "redcap",
        "respondent_id": fields[0],
        "role": {"column": role_field},
        # Only records whose respondent instrument is marked Complete (2) are analysed.
        "complete_when": {f"{form}_complete": ["2"] for form in required},
    }
    if others:
        draft.spec_todo.append(f"complete_when requires {', '.join(required)} only; add "
                               f"{', '.join(f + '_complete' for f in others)} if every "
                               "respondent must complete it too")
    if len(events) > 1:
        draft.spec["events"] = {e: slug(re.sub(r"_arm_[0-9]+$", "", e)) for e in events}
        draft.spec_todo.append("events -> waves: list them in time order (first = before, "
                               "last = after); responses.csv holds the last wave")
    for instrument in repeating:
        draft.spec.setdefault("repeating", {})[instrument] = {f"{instrument}_count": "count"}
        draft.add({"id": f"{instrument}_count", "text": f"Number of {instrument} entries",
                   "type": "numeric", "min": 0, "section": slug(instrument)},
                  f"{instrument} repeats: add summaries under import.repeating.{instrument} "
                  "({sum: field}, {mean: field}, {mode: field}) and an item for each")
    for _, row in dictionary.iloc[1:].iterrows():
        field, kind = row[DICTIONARY_FIELD], row[DICTIONARY_TYPE]
        text = _plain(row.get("Field Label")) or field
        section = slug(_plain(row.get("Form Name")) or "survey")
        if row.get("Form Name") in repeating:
            draft.skipped.append(f"{field} (repeating instrument {row['Form Name']}: "
                                 "summarised under import.repeating)")
            continue
        if field == role_field:
            if not row["choices"]:
                draft.role_todo = f"role field '{field}' has no choices; list the role codes"
                continue
            draft.roles = {slug(label): label for label in row["choices"].values()}
            draft.spec["role"]["values"] = {c: slug(lab) for c, lab in row["choices"].items()}
            continue
        if kind in SKIPPED_REDCAP_TYPES:
            draft.skipped.append(f"{field} ({kind})")
            continue
        validation = row.get(DICTIONARY_VALIDATION)
        validation = None if pd.isna(validation) else str(validation).strip()
        reason = identifying(field, validation, row.get(DICTIONARY_IDENTIFIER))
        if reason:
            draft.skipped.append(f"{field} (identifying: {reason})")
            continue
        if kind == "text" and validation and DATE_VALIDATIONS.match(validation):
            draft.skipped.append(f"{field} ({validation}: a date or time, kept out of analysis)")
            continue
        item = {"id": field, "text": text, "section": section}
        todo = []
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
            draft.value_map(field, values)
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
        elif kind in ("text", "notes"):
            item["type"] = "free_text"
            if validation:
                todo.append(f"REDCap validation '{validation}' has no codebook type; kept as "
                            "free_text (or remove the item)")
        else:
            item["type"] = "free_text"
            todo.append(f"REDCap field type '{kind}' not recognised; kept as free_text")
        draft.add(item, *todo)
    if not draft.roles:
        draft.roles = {"respondent": "Respondents"}
        draft.role_todo = draft.role_todo or (
            f"no field '{role_field}' (pass --role-field): list the roles, and map the role "
            "field's codes under import.role")
    return draft.yaml()


def _tokens(values: pd.Series) -> list[str]:
    return sorted({v.strip() for cell in values.dropna() for v in str(cell).split(",")},
                  key=lambda v: (len(v), v))


def from_qualtrics(path: str, program: str, role_column: str | None = None) -> str:
    """Programme YAML from a Qualtrics CSV export (numeric values)."""
    frame, texts, import_ids = read_qualtrics(path)
    draft = Draft(program, path)
    draft.spec = {
        "format": "qualtrics",
        "respondent_id": "ResponseId",
        # Finished is 1 for submitted responses (True when exported as choice text).
        "complete_when": {"Finished": ["1"]},
    }
    if "Finished" in frame and frame["Finished"].isin(["True", "False"]).all():
        draft.spec["complete_when"]["Finished"] = ["True"]  # exported as choice text
    if "Status" in frame:
        # Leave out previews (1, 17), test responses (2) and spam (8, 9, 12).
        draft.spec["complete_when"]["Status"] = {"not": ["1", "2", "8", "9", "12", "17"]}
    if (frame.astype(str) == "-99").any().any():
        draft.spec["missing_values"] = ["-99"]  # "seen but unanswered", as recoded
    missing = set(draft.spec.get("missing_values", []))
    columns = {}
    for column, import_id in import_ids.items():
        if not str(import_id).startswith("QID"):
            continue  # metadata: dates, progress, IP address, recipient fields, ...
        values = frame[column].where(~frame[column].isin(missing))
        if column == role_column:
            codes = _tokens(values)
            draft.roles = {slug(f"role_{c}"): f"TODO label of code {c}" for c in codes}
            draft.spec["role"] = {"column": column,
                                  "values": {c: slug(f"role_{c}") for c in codes}}
            draft.role_todo = ("name the roles (ids and labels) and keep import.role.values "
                               "in step")
            continue
        reason = identifying(column) or (identifying(slug(texts[column])) and
                                         "its question asks for identifying details")
        if reason:
            draft.skipped.append(f"{column} (identifying: {reason})")
            continue
        item_id = slug(column)
        item = {"id": item_id, "text": texts.get(column) or column}
        columns[item_id] = column
        numeric = pd.to_numeric(values.dropna(), errors="coerce")
        if str(import_id).endswith("_TEXT") or values.dropna().empty:
            item["type"] = "free_text"
            draft.add(item, *([] if str(import_id).endswith("_TEXT") else
                              ["no answers in the export to tell the type; set it"]))
        elif values.dropna().str.contains(",").any():
            choices, mapping = _choices({c: f"TODO label of code {c}" for c in _tokens(values)})
            item.update(type="multi_choice", choices=choices)
            draft.value_map(item_id, mapping)
            draft.add(item, "multiple answer: label the codes; add any option nobody chose")
        elif numeric.notna().all() and (numeric == numeric.round()).all():
            codes = _tokens(values)
            if "_" in str(import_id) and len(codes) <= 11:  # a matrix statement
                lo, hi = int(numeric.min()), int(numeric.max())
                item.update(type="likert", scale={"min": lo, "max": hi})
                draft.add(item, f"scale taken from the answers seen ({lo}-{hi}); check it "
                                "and add its labels")
            else:
                choices, mapping = _choices({c: f"TODO label of code {c}" for c in codes})
                item.update(type="single_choice", choices=choices)
                draft.value_map(item_id, mapping)
                draft.add(item, "label the codes, add options nobody chose, or make it "
                                "likert/binary/numeric (or multi_choice: nobody ticked two)")
        elif numeric.notna().all():
            item["type"] = "numeric"
            draft.add(item)
        else:
            item["type"] = "free_text"
            draft.add(item)
    draft.spec["columns"] = columns
    if not draft.roles:
        draft.roles = {"respondent": "Respondents"}
        draft.role_todo = ("no role question given (pass --role-column); list the roles and "
                           "map the role column's codes under import.role")
        draft.spec["role"] = {"column": "TODO"}
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
        "      > config/programs/my-prog.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", choices=["redcap", "qualtrics"], help="kind of file")
    parser.add_argument("path", help="REDCap data dictionary CSV, or Qualtrics export CSV")
    parser.add_argument("--program", required=True,
                        help="programme id: lower-case letters, digits and '-'")
    parser.add_argument("--role-field", default="role",
                        help="REDCap: the radio/dropdown field holding the role (default: role)")
    parser.add_argument("--export", default=None,
                        help="REDCap: the raw export (redcap.csv), to require only the "
                        "survey instruments it holds in complete_when")
    parser.add_argument("--role-column", default=None,
                        help="Qualtrics: the column (e.g. Q1) of the role question")
    args = parser.parse_args(argv)
    try:
        check_program_id(args.program)
        if args.source == "redcap":
            text = from_redcap(args.path, args.program, args.role_field, args.export)
        else:
            text = from_qualtrics(args.path, args.program, args.role_column)
    except (ImportProblems, CohortDiscoveryError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
