"""Map an export's columns and codes onto the codebook (the programme's ``import:``
block): respondent id, role, each item's column or checkbox columns, answer codes,
missing-value codes; every problem named with file, row, column and value."""

from __future__ import annotations

import re

import pandas as pd
from openpyxl.utils import get_column_letter

from peermentor.ingest import notices
from peermentor.ingest.config import CHOICE_SEP, response_columns
from peermentor.ingest.importers.readers import (
    COMMA_DECIMAL,
    DEFAULT_ID_COLUMN,
    ImportProblems,
    Problem,
    _as_written,
    _number_text,
    identifying,
)
from peermentor.ingest.importers.redcap import (
    CHECKBOX_SEP,
    DICTIONARY_IDENTIFIER,
    DICTIONARY_VALIDATION,
    _norm,
)
from peermentor.ingest.itemtypes import item_type
from peermentor.ingest.schema import response_schema, soft_range_breaches
from peermentor.ingest.validate import (
    validate_frame,
)

logger = notices.logger(__name__)


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
            logger.warning(f"column '{name}' (item {item['id']}) identifies respondents "
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
        if item_type(item).one_code:
            values = self.from_labels(values, item)
        mapping = self.choice_map(item, name)
        if item["type"] == "binary" and mapping is None:
            mapping = {"0": "0", "1": "1"}
        if mapping is not None and {"0", "1"} <= set(mapping) and "true" not in mapping:
            # TRUE/FALSE where the field's codes are 0/1 (a file saved from R or Excel)
            logical = values.str.upper().isin(["TRUE", "FALSE"]).fillna(False)
            if logical.any():
                logger.warning(f"column '{name}' (item {item['id']}): read "
                               f"{int(logical.sum())} TRUE/FALSE answer(s) as the field's "
                               "codes 1/0")
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
            if item_type(item).per_choice:
                self.expanded(item)
            else:
                self.single(item)
        return self.out[response_columns(self.program)]


def _config_place(config_path, program: dict, keys: list, parent: str) -> str:
    """Where in the programme's YAML a key is (``config/programs/p.yaml, line 12``), or
    where it would go (under ``parent``), for messages that say what to change."""
    from peermentor.ingest.config import yaml_line

    path = config_path or f"config/programs/{program.get('program', '<program>')}.yaml"
    line = yaml_line(path, keys) if config_path else None
    if line is None and config_path:
        line = yaml_line(path, parent.split("."))
        return f"{path} (the {parent}: block, line {line})" if line else str(path)
    return f"{path}, line {line}" if line else str(path)


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
    """Check the mapped table against the codebook; report in export coordinates (an answer
    outside a soft range is kept, with a warning)."""
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
    for b in soft_range_breaches(table, program).itertuples(index=False):
        logger.warning(
            f"row {b.row} (respondent {table.at[b.row, 'respondent_id']}), column "
            f"'{source.get(b.item, b.item)}': value '{b.value}' is outside "
            f"{'-' if pd.isna(b.min) else _number_text(b.min)} to "
            f"{'-' if pd.isna(b.max) else _number_text(b.max)}, the item's soft range (REDCap "
            "lets a user save it after a warning); kept")


def _map_rows(program, spec, fmt, frame, export, dictionary_frame) -> pd.DataFrame:
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
        # Only mapped columns travel on: names, e-mails, IP addresses stay in data/raw.
        unused = [c for c in frame.columns if c not in mapper.used]
        if unused:
            logger.warning(f"{len(unused)} export column(s) not mapped, left out: "
                           + ", ".join(unused))
    table = _as_written(table)
    _validate_mapped(table, mapper, program, export, fmt, frame.columns)
    return table.reset_index(drop=True)
