"""Validate one cohort's raw files against its programme's codebook.

Raw files are only read. A cohort that passes gets a validated copy of its
responses and codes; one that fails gets a failure report naming file, line,
respondent, column, value and rule, and no validated output.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from peermentor.config import response_columns
from peermentor.schema import CODES_COLUMNS, codes_schema, response_schema, to_typed

FAILURE_COLUMNS = ["file", "line", "respondent_id", "column", "value", "rule"]


@dataclass(frozen=True)
class Failure:
    file: str
    line: int | None  # line in the file, counting the header as line 1
    respondent_id: str | None
    column: str | None
    value: str | None
    rule: str

    def message(self) -> str:
        where = [self.file]
        if self.line is not None:
            who = f", respondent {self.respondent_id}" if self.respondent_id else ""
            where.append(f"line {self.line} (data row {self.line - 1}{who})")
        if self.column:
            where.append(f"column '{self.column}'")
        value = "" if self.value is None else f"value {self.value!r} "
        return f"{', '.join(where)}: {value}breaks rule: {self.rule}"


class CohortValidationError(ValueError):
    """Raised with every failure of a cohort, one per line of the message."""

    def __init__(self, failures: list[Failure]):
        self.failures = failures
        lines = [f"{len(failures)} validation failure(s):"] + [f.message() for f in failures]
        super().__init__("\n  ".join(lines))


def read_raw_csv(path: str | Path) -> pd.DataFrame:
    """Read a raw CSV as text; empty cells become missing values."""
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    except pd.errors.EmptyDataError as err:
        raise CohortValidationError(
            [Failure(str(path), None, None, None, None, "file is empty: expected a header row")]
        ) from err


def _describe_rule(check: str) -> str:
    known = {
        "field_uniqueness": "must be unique (appears on more than one row)",
        "not_nullable": "must not be empty",
        "column_in_dataframe": "required column is missing from the file",
    }
    if check in known:
        return known[check]
    return check


def _failures_from(err: pa.errors.SchemaErrors, frame: pd.DataFrame, path: str) -> list[Failure]:
    failures = []
    seen_row_rules: set[tuple[int, str]] = set()
    for row in err.failure_cases.itertuples(index=False):
        index = None if pd.isna(row.index) else int(row.index)
        column = None if pd.isna(row.column) else str(row.column)
        value = None if pd.isna(row.failure_case) else str(row.failure_case)
        if row.check == "column_in_dataframe":
            column, value = value, None
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
        line = None if index is None else index + 2
        failures.append(Failure(path, line, respondent, column, value, _describe_rule(row.check)))
    failures.sort(key=lambda f: (f.line or 0, f.column or "", f.rule))
    return failures


def validate_frame(frame: pd.DataFrame, schema: pa.DataFrameSchema, path: str) -> list[Failure]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return _failures_from(err, frame, path)
    return []


def validate_cohort(
    program: dict,
    responses_path: str | Path | None,
    codes_path: str | Path | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a cohort's raw files; return typed responses and codes.

    Either file may be absent (``None``); its result is then an empty table with
    the canonical columns. Raises :class:`CohortValidationError` listing every
    failure in both files.
    """
    failures: list[Failure] = []
    responses = pd.DataFrame(columns=response_columns(program), dtype=str)
    codes = pd.DataFrame(columns=CODES_COLUMNS, dtype=str)
    if responses_path is not None:
        try:
            responses = read_raw_csv(responses_path)
            failures += validate_frame(responses, response_schema(program), str(responses_path))
        except CohortValidationError as err:
            failures += err.failures
    if codes_path is not None:
        try:
            codes = read_raw_csv(codes_path)
            failures += validate_frame(codes, codes_schema(program), str(codes_path))
        except CohortValidationError as err:
            failures += err.failures
    if failures:
        raise CohortValidationError(failures)
    responses = responses[response_columns(program)]
    return to_typed(responses, program), codes[CODES_COLUMNS]


def load_validated(responses_path: str | Path, codes_path: str | Path, program: dict):
    """Read a cohort's validated files back with analysis types."""
    responses = to_typed(read_raw_csv(responses_path), program)
    codes = read_raw_csv(codes_path)
    return responses, codes


def write_failure_report(failures: list[Failure], path: str | Path) -> None:
    report = pd.DataFrame([f.__dict__ for f in failures], columns=FAILURE_COLUMNS)
    report["line"] = report["line"].astype("Int64")
    report.to_csv(path, index=False, lineterminator="\n")


def run(
    program: dict,
    responses_path: str | None,
    codes_path: str | None,
    out_responses: str,
    out_codes: str,
    failures_path: str,
    log=sys.stderr,
) -> None:
    """Validate and write outputs, or write the failure report and exit non-zero."""
    try:
        responses, codes = validate_cohort(program, responses_path, codes_path)
    except CohortValidationError as err:
        write_failure_report(err.failures, failures_path)
        print(f"{err}\nFailure report: {failures_path}", file=log)
        raise SystemExit(f"Validation failed: {err}\nFailure report: {failures_path}") from None
    write_failure_report([], failures_path)
    responses.to_csv(out_responses, index=False, lineterminator="\n")
    codes.to_csv(out_codes, index=False, lineterminator="\n")
    print(
        f"validated {len(responses)} responses and {len(codes)} coded segments", file=log
    )
