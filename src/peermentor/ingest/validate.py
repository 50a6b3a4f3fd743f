"""Validate one cohort's raw files against its programme's codebook.

Raw files are only read. A cohort that passes gets a validated copy of its
responses and codes; one that fails gets a failure report naming file, line,
respondent, column, value and rule, and no validated output.

Reading is strict about what would silently change the data and lenient about
what does not (see ``docs/data-contract.md``, "Reading the files"):

* UTF-8 only (a byte-order mark is fine); any other encoding fails, naming the
  byte offset and line, because guessing between cp1252, Latin-1 and MacRoman
  could silently change labels;
* CRLF or LF line endings; blank lines are skipped;
* comma-separated; a semicolon, tab or pipe separated file (Excel in many
  locales) is read with a warning;
* every line must have exactly as many fields as the header;
* columns outside the codebook are dropped with a warning.

A file that is plainly one record per line (no quote character, no blank line,
every line with the header's number of fields: what most exports are) is read by
``pandas.read_csv``'s C parser; any other file by a line-tracking reader in Python
that names the line of every problem. Both give the same table.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "responses.csv"
>>> _ = path.write_bytes("\\ufeffrespondent_id;role\\r\\nR1;mentor\\r\\n".encode())
>>> table = read_raw_table(path)
>>> table.frame.to_dict("records"), list(table.lines), table.delimiter
([{'respondent_id': 'R1', 'role': 'mentor'}], [2], ';')
"""

from __future__ import annotations

import csv
import difflib
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peermentor.ingest import notices
from peermentor.ingest.config import load_program, response_columns
from peermentor.ingest.schema import (
    CODES_COLUMNS,
    codes_schema,
    map_likert_labels,
    response_schema,
    soft_range_breaches,
    to_typed,
)

if TYPE_CHECKING:
    import pandera.pandas as pa

logger = notices.logger(__name__)

FAILURE_COLUMNS = ["file", "line", "row", "respondent_id", "column", "value", "rule"]
#: Field separators recognised in a header line; the comma is canonical.
DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAVE_AS_UTF8 = "save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8 (Comma delimited)')"


def where(file: str, position: str | None = None, column: str | None = None,
          cell: str | None = None) -> str:
    """Where a failure is, for the start of its message: only the parts that are known.

    >>> where("redcap.csv", "row 3", "sat", cell=None)
    "redcap.csv, row 3, column 'sat'"
    """
    parts = [file, position, column and f"column '{column}'", cell and f"cell {cell}"]
    return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class Failure:
    file: str
    line: int | None  # line in the file, counting the header as line 1
    respondent_id: str | None
    column: str | None
    value: str | None
    rule: str
    row: int | None = None  # data row (1 = first row after the header), when known

    def message(self) -> str:
        position = None
        if self.line is not None:
            if self.row is not None:
                who = f", respondent {self.respondent_id}" if self.respondent_id else ""
                position = f"line {self.line} (data row {self.row}{who})"
            elif self.line == 1:
                position = "line 1 (header)"
            else:
                position = f"line {self.line}"
        value = "" if self.value is None else f"value {self.value!r} "
        return f"{where(self.file, position, self.column)}: {value}breaks rule: {self.rule}"


class CohortValidationError(ValueError):
    """Raised with every failure of a cohort, one per line of the message.

    ``failures`` are :class:`Failure` or anything else with a ``message()``
    (the importers' ``Problem``).
    """

    heading = "validation failure(s)"

    def __init__(self, failures: list):
        self.failures = failures
        lines = [f"{len(failures)} {self.heading}:"] + [f.message() for f in failures]
        super().__init__("\n  ".join(lines))


@dataclass
class RawTable:
    """A raw CSV read as text: one row per data line, empty cells missing."""

    frame: pd.DataFrame
    lines: Sequence[int]  # file line on which each data row starts (header = line 1)
    delimiter: str = ","
    header_rows: list[list[str]] = field(default_factory=list)  # rows after the header, kept


def _fail(path, rule, line=None, value=None, column=None, row=None, respondent=None):
    return CohortValidationError([Failure(str(path), line, respondent, column, value, rule, row)])


def _decode(raw: bytes, path: str | Path) -> str:
    """UTF-8 text (BOM dropped), or a failure naming the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(path, f"the file is UTF-16 (Excel 'Unicode Text'), not UTF-8: {SAVE_AS_UTF8}",
                    line=1, value=f"0x{raw[0]:02X}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        offset = err.start
        line_start = raw.rfind(b"\n", 0, offset) + 1
        line = raw.count(b"\n", 0, offset) + 1
        byte = raw[offset:offset + 1]
        # What the byte would mean in the usual suspect, to help the reader find it.
        as_cp1252 = byte.decode("cp1252", errors="replace")
        raise _fail(
            path,
            f"the file is not UTF-8: byte offset {offset} (byte {offset - line_start + 1} of "
            f"line {line}) is not valid UTF-8 (in Windows-1252/Latin-1 it reads "
            f"{as_cp1252!r}); {SAVE_AS_UTF8}",
            line=line,
            value=f"0x{byte[0]:02X}",
        ) from None


def _sniff_delimiter(header_line: str) -> str:
    """The header's field separator (csv.Sniffer, comma preferred); comma if unsure."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _records(text: str, delimiter: str, path) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of every non-blank record (quotes may span lines)."""
    # strict: an unclosed quote is an error, not a value swallowing the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, previous = [], 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return records
        except csv.Error as err:
            hint = ""
            if "unexpected end of data" in str(err):
                hint = " (a quoted value that starts here is never closed)"
            elif "expected after" in str(err):
                hint = ' (text after a closing quote; write a quote inside a value as "")'
            raise _fail(path, f"cannot be read as CSV: {err}{hint}", line=previous + 1) from None
        if any(f.strip() for f in fields):  # blank lines and lines of bare separators
            records.append((previous + 1, reader.line_num, fields))
        previous = reader.line_num


def _header_failures(header: list[str], path) -> list[Failure]:
    failures, seen = [], {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            failures.append(Failure(
                str(path), 1, None, name, None,
                f"column name appears twice in the header (fields {seen[name]} and {position})",
            ))
        seen.setdefault(name, position)
    return failures


def _ragged_failure(path, line, row, fields, header, delimiter, spans) -> Failure:
    name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    if len(fields) > len(header):
        hint = f"an unquoted {name} inside a value splits it; quote such values"
    elif spans > 1:
        hint = f"a quoted value runs over {spans} lines; check for a missing closing quote"
    else:
        hint = "a separator is missing, or the line was cut short"
    respondent = fields[0] if header and header[0] == "respondent_id" and fields else None
    rule = (f"has {len(fields)} fields but the header has {len(header)}: every line needs "
            f"one value per column ({hint})")
    return Failure(str(path), line, respondent or None, None, None, rule, row)


#: ASCII whitespace, as str.strip sees it: a line of only these and separators is blank.
_BLANK_BYTES = np.array([9, 10, 11, 12, 13, 28, 29, 30, 31, 32], dtype=np.uint8)


def _chunks(body: bytes, size: int = 1 << 23):
    """(start, stop) of consecutive pieces of about ``size`` bytes, each ending a line."""
    start = 0
    while start < len(body):
        stop = body.find(b"\n", start + size) + 1 or len(body)
        yield start, stop
        start = stop


def _per_line(chunk: np.ndarray, delimiter: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Separators and other non-blank bytes on each line of ``chunk`` (None: an empty line)."""
    ends = np.flatnonzero(chunk == ord("\n"))
    if not len(ends) or ends[-1] != len(chunk) - 1:
        ends = np.append(ends, len(chunk))  # the file's last line has no line break
    starts = np.concatenate([[0], ends[:-1] + 1])
    content = ends - starts - (chunk[np.maximum(ends - 1, 0)] == ord("\r"))
    if (content <= 0).any():
        return None, np.zeros(0)
    counts = []
    for mask in (chunk == delimiter, ~np.isin(chunk, _BLANK_BYTES) & (chunk != delimiter)):
        total = np.cumsum(mask, dtype=np.int32)  # total[i]: such bytes in chunk[: i + 1]
        before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
        counts.append(total[ends - 1] - before)
    return counts[0], counts[1]


def _plain_lines(raw: bytes, delimiter: str) -> pd.DataFrame | None:
    """Header and data rows (columns 0, 1, ...) of a plainly one-record-per-line file, or None.

    Plainly: no quote character (so no separator or line break inside a value), no
    NUL byte, no lone carriage return, no blank line or line of bare separators, and
    every line with as many separators as the header. Such a file reads the same with
    the C parser as with the line-tracking reader, data row i on line i + 1; any other
    file goes to that reader, which names the line of each problem.
    """
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    body = body.rstrip(b"\r\n")  # trailing line breaks: skipped by both readers
    if b'"' in body or b"\x00" in body or body.count(b"\r") != body.count(b"\r\n"):
        return None
    data = np.frombuffer(body, dtype=np.uint8)
    expected = None
    for start, stop in _chunks(body):  # bounded temporaries, whatever the file's size
        separators, meaningful = _per_line(data[start:stop], ord(delimiter))
        if separators is None or (meaningful == 0).any():  # blank or bare-separator line
            return None
        expected = separators[0] if expected is None else expected
        if (separators != expected).any():
            return None
    return pd.read_csv(io.BytesIO(body), sep=delimiter, header=None, dtype=str,
                       na_filter=False, quoting=csv.QUOTE_NONE, skip_blank_lines=False,
                       encoding="utf-8", engine="c")


def read_raw_table(
    path: str | Path, require_rows: bool = True, extra_header_rows: int = 0,
    unique_header: bool = True,
) -> RawTable:
    """Read a raw CSV as text, or raise CohortValidationError saying what is wrong.

    ``require_rows=False`` accepts a header without data rows (validated outputs
    of a cohort that has no codes, for instance). ``extra_header_rows`` rows after
    the header (Qualtrics' question text and ImportId rows) are returned apart, in
    ``header_rows``; they must have as many fields as the header too.
    ``unique_header=False`` lets a caller rename repeated column names itself (2016-17
    Qualtrics exports repeat them; their ImportIds tell the columns apart).
    """
    raw = Path(path).read_bytes()
    text = _decode(raw, path)
    if not text.strip():
        raise _fail(path, "file is empty: expected a header row and one row per respondent")
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = _sniff_delimiter(first_line)
    plain = None if extra_header_rows else _plain_lines(raw, delimiter)
    if plain is not None:
        del text  # the C parser's table is all that is kept
        header = plain.iloc[0].tolist()
        frame = plain.iloc[1:].reset_index(drop=True)
        extra, data, lines = [], None, range(2, 1 + len(plain))
    else:
        records = _records(text, delimiter, path)
        if not records:  # nothing but separators
            raise _fail(path, "file is empty: expected a header row and one row per respondent")
        (_, _, header), data = records[0], records[1 + extra_header_rows:]
        extra = records[1:1 + extra_header_rows]
        lines = [line for line, _, _ in data]
    # Excel leaves trailing separators: name such fields so they can be reported and dropped.
    header = [name.strip() or f"(unnamed field {i})" for i, name in enumerate(header, 1)]
    failures = _header_failures(header, path) if unique_header else []
    if not lines and require_rows:
        failures.append(Failure(str(path), 1, None, None, None,
                                "the file has a header but no data rows"))
    if data is not None:
        numbered = [(None, record) for record in extra] + list(enumerate(data, start=1))
        for row, (line, last, fields) in numbered:
            if len(fields) != len(header):
                spans = last - line + 1
                failures.append(
                    _ragged_failure(path, line, row, fields, header, delimiter, spans))
    if failures:
        raise CohortValidationError(failures)
    if delimiter != ",":
        with notices.about(path):
            logger.warning(
                f"fields are separated by {_DELIMITER_NAMES[delimiter]}s, not commas; read "
                f"with '{delimiter}' as the separator (decimal commas will fail validation)"
            )
    if data is not None:
        frame = pd.DataFrame([fields for _, _, fields in data], columns=header, dtype=str)
    else:
        frame.columns = header
    frame = frame.mask(frame == "")  # empty cells are missing answers
    return RawTable(frame, lines, delimiter, [fields for _, _, fields in extra])


def read_raw_csv(path: str | Path, require_rows: bool = True) -> pd.DataFrame:
    """Read a raw CSV as text; empty cells become missing values (see read_raw_table)."""
    return read_raw_table(path, require_rows).frame


def _describe_rule(check: str) -> str:
    known = {
        "field_uniqueness": "must be unique (appears on more than one row)",
        "not_nullable": "must not be empty",
        "column_in_dataframe": "required column is missing from the file",
    }
    if check in known:
        return known[check]
    return check


def _missing_column_rule(column: str, frame: pd.DataFrame, expected: list[str]) -> str:
    rule = _describe_rule("column_in_dataframe")
    extras = [c for c in frame.columns if c not in expected]
    close = difflib.get_close_matches(column, extras, n=1)
    return f"{rule} (did you mean '{close[0]}'?)" if close else rule


def _duplicate_rule(frame: pd.DataFrame, column: str, value: str, lines: list[int]) -> str:
    # Name every line holding the value, so either copy can be found and fixed.
    where = [str(lines[i]) for i in range(len(frame)) if frame[column].iloc[i] == value]
    listed = f"{', '.join(where[:-1])} and {where[-1]}" if len(where) > 1 else where[0]
    return f"must be unique: {value!r} is on lines {listed}"


def _failures_from(
    err: pa.errors.SchemaErrors, frame: pd.DataFrame, path: str, lines: list[int]
) -> list[Failure]:
    failures = []
    seen_row_rules: set[tuple[int, str]] = set()
    expected = list(err.schema.columns)
    for row in err.failure_cases.itertuples(index=False):
        index = None if pd.isna(row.index) else int(row.index)
        column = None if pd.isna(row.column) else str(row.column)
        value = None if pd.isna(row.failure_case) else str(row.failure_case)
        rule = _describe_rule(row.check)
        if row.check == "column_in_dataframe":
            column, value = value, None
            rule = _missing_column_rule(column, frame, expected)
        elif row.check == "field_uniqueness" and value is not None:
            rule = _duplicate_rule(frame, column, value, lines)
        elif row.schema_context == "DataFrameSchema" and index is not None:
            # A rule over several columns of a row: report the row once; the
            # rule's text names the item and its columns.
            if (index, row.check) in seen_row_rules:
                continue
            seen_row_rules.add((index, row.check))
            column, value = None, None
        respondent = None
        if index is not None and "respondent_id" in frame and index in frame.index:
            rid = frame.at[index, "respondent_id"]
            respondent = None if pd.isna(rid) else str(rid)
        if index is None:
            # Whole-column problems (a missing column) belong to the header line.
            line, data_row = (1 if row.check == "column_in_dataframe" else None), None
        else:
            line, data_row = lines[index], index + 1
        failures.append(Failure(path, line, respondent, column, value, rule, data_row))
    failures.sort(key=lambda f: (f.line or 0, f.column or "", f.rule))
    return failures


def validate_frame(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, path: str, lines: list[int] | None = None
) -> list[Failure]:
    """Every failure of ``frame`` against ``schema`` (``lines``: file line of each row)."""
    if lines is None:
        lines = [i + 2 for i in range(len(frame))]  # one line per row after the header
    import pandera.pandas as pa  # lazy, as in peermentor.ingest.schema: load_validated needs none

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return _failures_from(err, frame, path, lines)
    return []


def _warn_extra_columns(frame: pd.DataFrame, expected: list[str], path, what: str) -> None:
    """Warn, naming the file and the columns, about columns the contract does not know."""
    extra = [c for c in frame.columns if c not in expected]
    if extra:
        logger.warning(
            "%s: ignoring %d column(s) not in %s: %s; they are left out of the validated "
            "table", path, len(extra), what, ", ".join(f"'{c}'" for c in extra),
        )


def _read_and_check(path, schema, expected, what, prepare=None, after=None):
    """Read one raw file and validate it; return (frame of known columns, failures).
    ``after(frame, lines)``, if given, looks at a frame that passed."""
    try:
        table = read_raw_table(path)
    except CohortValidationError as err:
        return None, err.failures
    frame = table.frame if prepare is None else prepare(table.frame)
    # Extra columns stay during validation (the schema is not strict) so that a
    # missing column can be matched to a misspelt one.
    failures = validate_frame(frame, schema, str(path), table.lines)
    if after and not failures:
        after(frame, table.lines)
    _warn_extra_columns(frame, expected, path, what)
    return frame[[c for c in frame.columns if c in expected]], failures


def _warn_soft_ranges(frame: pd.DataFrame, lines, program: dict, path) -> None:
    """A warning per answer outside a numeric item's soft range (kept, not refused)."""
    ids = frame["respondent_id"] if "respondent_id" in frame else None
    for breach in soft_range_breaches(frame, program).itertuples(index=False):
        position = frame.index.get_loc(breach.row)
        who = f", respondent {ids.iloc[position]}" if ids is not None else ""
        logger.warning("%s, line %s%s, column '%s': value '%s' is outside %s to %s, the "
                       "item's soft range (soft_range: true); kept", path, lines[position],
                       who, breach.item, breach.value, _g(breach.min), _g(breach.max))


def _g(number) -> str:
    return "-" if number is None or pd.isna(number) else f"{number:g}"


def validate_cohort(
    program: dict,
    responses_path: str | Path | None,
    codes_path: str | Path | None,
    warn_soft_ranges: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a cohort's raw files; return typed responses and codes.

    Either file may be absent (``None``); its result is then an empty table with
    the canonical columns. Raises :class:`CohortValidationError` listing every
    failure in both files. Warnings (extra columns, a non-comma separator) and notes
    (Likert labels read as numbers) are logged (:mod:`peermentor.ingest.notices`).
    """
    failures: list[Failure] = []
    responses = pd.DataFrame(columns=response_columns(program), dtype=str)
    codes = pd.DataFrame(columns=CODES_COLUMNS, dtype=str)
    if responses_path is not None:

        def labels_to_numbers(frame: pd.DataFrame) -> pd.DataFrame:
            with notices.about(responses_path):
                return map_likert_labels(frame, program)

        frame, found = _read_and_check(
            responses_path, response_schema(program), response_columns(program),
            f"the codebook of {program.get('program', 'the programme')}", labels_to_numbers,
            warn_soft_ranges and (lambda frame, lines: _warn_soft_ranges(
                frame, lines, program, responses_path)),
        )
        failures += found
        responses = responses if frame is None else frame
    if codes_path is not None:
        frame, found = _read_and_check(
            codes_path, codes_schema(program), CODES_COLUMNS, "the codes.csv columns"
        )
        failures += found
        codes = codes if frame is None else frame
    if failures:
        raise CohortValidationError(failures)
    responses = responses[response_columns(program)]
    return to_typed(responses, program), codes[CODES_COLUMNS]


def load_validated(responses_path: str | Path, codes_path: str | Path, program: dict):
    """Read a cohort's validated files back with analysis types."""
    responses = to_typed(read_raw_csv(responses_path, require_rows=False), program)
    codes = read_raw_csv(codes_path, require_rows=False)
    return responses, codes


def write_failure_report(failures: list[Failure], path: str | Path) -> None:
    report = pd.DataFrame([f.__dict__ for f in failures], columns=FAILURE_COLUMNS)
    for column in ("line", "row"):
        report[column] = report[column].astype("Int64")
    report.to_csv(path, index=False, lineterminator="\n")


class CohortJobFailed(RuntimeError):
    """A cohort's validation failed; the message names file, line, column and rule."""


def run(
    program: dict,
    responses_path: str | None,
    codes_path: str | None,
    out_responses: str,
    out_codes: str,
    failures_path: str,
    log=sys.stderr,
    warn_soft_ranges: bool = True,
) -> None:
    """Validate and write outputs, or write the failure report and raise
    :class:`CohortJobFailed` with every problem (an ordinary error, not ``SystemExit``,
    which Snakemake's worker threads would take for an interrupt of the whole run).

    Warnings and notes go to ``log``, warnings also to the console (unless ``log`` is it).
    """
    # As the validation log has always shown them: "WARNING: ...", "INFO: ...".
    levels = "%(levelname)s: %(message)s"
    with notices.route(log, sys.stderr, console_format=levels, log_format=levels):
        try:
            responses, codes = validate_cohort(program, responses_path, codes_path,
                                               warn_soft_ranges)
        except CohortValidationError as err:
            write_failure_report(err.failures, failures_path)
            print(f"{err}\nFailure report: {failures_path}", file=log)
            raise CohortJobFailed(f"Validation failed: {err}\nFailure report: "
                                  f"{failures_path}") from None
    write_failure_report([], failures_path)
    responses.to_csv(out_responses, index=False, lineterminator="\n")
    codes.to_csv(out_codes, index=False, lineterminator="\n")
    print(
        f"validated {len(responses)} responses and {len(codes)} coded segments", file=log
    )


def validate_job(input, output, log) -> None:
    """The validation step of the ``cohort_report`` job (:mod:`peermentor.run.cohort_job`).

    Runs in a worker thread of the Snakemake process (``force-use-threads``), so pandas
    and pandera are imported once per run, not once per cohort. A failed validation
    raises :class:`CohortJobFailed` carrying the failure report's message.
    """
    with open(log.validation, "w", encoding="utf-8") as handle:
        # An imported cohort's out-of-range answers were named by the import, at the
        # export's own rows (only an imported cohort's job reads the export's waves).
        imported = bool(input.get("waves"))
        run(program=load_program(input.program), responses_path=input.get("raw_responses"),
            codes_path=input.get("raw_codes"), out_responses=output.responses,
            out_codes=output.codes, failures_path=log.failures, log=handle,
            warn_soft_ranges=not imported)
