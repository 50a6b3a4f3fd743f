"""Qualtrics: the export's three header rows, its legacy format, and which responses
are previews, tests, spam or imported (left out unless the programme keeps them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from peermentor.ingest import notices
from peermentor.ingest.importers.readers import (
    _fail,
    _read_csv_export,
)

logger = notices.logger(__name__)

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
    path: str | Path,
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
    table = _read_csv_export(path, extra_header_rows=2, unique_header=False)
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
        logger.warning(f"column name '{column}' appears {len(ids)} times (side-by-side "
                       f"question): read as {', '.join(ids)}, its ImportIds")
    frame = table.frame.set_axis(renamed, axis=1)
    texts = dict(zip(renamed, head[0], strict=True))
    ids = dict(zip(renamed, import_ids, strict=True))
    text_iq = [c for c in renamed if TEXT_IQ.search(c)]
    if text_iq:
        logger.warning(f"{len(text_iq)} Text iQ column(s) not answers, left out: "
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


def _qualtrics_rows(frame: pd.DataFrame, spec: dict, path: str,
                    where_: str = "import.leave_out") -> pd.DataFrame:
    """The rows of a Qualtrics export that are responses: previews, test responses, spam
    and imports (``import.leave_out``, default :data:`DEFAULT_LEAVE_OUT`) left out, counted in
    a warning; an export holding nothing else is refused, naming what it holds."""
    leave_out = [str(k) for k in spec.get("leave_out", DEFAULT_LEAVE_OUT)]
    kinds = response_kinds(frame)
    out = kinds.isin(leave_out)
    kept_unusual = ~out & kinds.isin(["imported", "unknown"])
    if kept_unusual.any():
        logger.warning(f"kept {_kind_counts(frame, kinds, kept_unusual)}: import.leave_out "
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
        logger.warning(f"left out {_kind_counts(frame, kinds, out)} (import.leave_out: "
                       f"{', '.join(leave_out)})")
    return frame[~out]
