"""Reading an export file as text, and the problems an import reports.

Every cell is read as the text the file holds (no type guessing), so that a problem can
name the file, its row (the header is row 1), the column and the value as written.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from peermentor.ingest.validate import (
    CohortValidationError,
    Failure,
    RawTable,
    read_raw_table,
    where,
)

#: Data rows start on this row of the file (1-based): after the header, and for
#: Qualtrics after its question-text and ImportId rows.
FIRST_DATA_ROW = {"redcap": 2, "qualtrics": 4, "xlsx": 2}


DEFAULT_ID_COLUMN = {"qualtrics": "ResponseId", "xlsx": "respondent_id"}  # redcap: 1st column


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
    place with :func:`peermentor.ingest.validate.where` and are raised in the same
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


def _read_csv_export(path: str | Path, extra_header_rows: int = 0,
                     unique_header: bool = True) -> RawTable:
    """Read a CSV export through the canonical reader (see peermentor.ingest.validate).

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
    return table


def read_text_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV export as text (empty cells missing), indexed by file row number."""
    return _read_csv_export(path).frame


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


def _number_text(value: float) -> str:
    """A number as the canonical files write it: 3, 2.5 (no float noise).

    >>> _number_text(3.0), _number_text(0.1 + 0.2), _number_text(12.25)
    ('3', '0.3', '12.25')
    """
    value = round(float(value), 9)
    return str(int(value)) if value == int(value) else repr(value)


def _as_written(table: pd.DataFrame) -> pd.DataFrame:
    """The table as validation will read it back from CSV (same text, same dtypes)."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    buffer.seek(0)
    text = pd.read_csv(buffer, dtype=str, keep_default_na=False, na_values=[""])
    text.index = table.index
    return text


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
