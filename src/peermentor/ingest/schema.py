"""pandera schemas built from a programme's codebook.

Raw CSVs are read as text so that a failure reports the value exactly as it
appears in the file. Each column gets one check that states its rule in
words; :func:`to_typed` then converts the validated text to numbers.

>>> program = {"roles": {"mentor": "Mentors", "mentee": "Mentees"}, "codebook": [
...     {"id": "q1", "text": "Q1", "type": "likert", "scale": {"min": 1, "max": 5}}]}
>>> schema = response_schema(program)
>>> sorted(schema.columns)
['q1', 'respondent_id', 'role']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from peermentor.ingest import notices
from peermentor.ingest.config import item_columns
from peermentor.ingest.itemtypes import item_type

# pandera is imported by the functions that build schemas, not here: reading validated
# files back (every notebook kernel, through to_typed) needs none of its ~0.2 CPU-s.
if TYPE_CHECKING:
    import pandera.pandas as pa

logger = notices.logger(__name__)

CODE_SOURCES = (
    "interview",
    "focus_group",
    "diary",
    "open_ended_survey",
    "interview_and_diary",
)
CODES_COLUMNS = ["segment_id", "respondent_id", "source", "role", "category", "subcategory"]


def _numbers(values: pd.Series) -> pd.Series:
    """``pd.to_numeric(values, errors="coerce")``, parsing each distinct text once.

    A survey column holds a handful of distinct answers, so 1,000,000 rows cost
    pandas' factorize (~0.05 s) instead of a million parses (~0.3 s); same values, dtype,
    index and name.

    >>> _numbers(pd.Series(["1", "2", None, "x", "2"], name="q")).tolist()
    [1.0, 2.0, nan, nan, 2.0]
    """
    codes, distinct = pd.factorize(values)
    if len(distinct) < len(values):
        parsed = pd.to_numeric(pd.Series(distinct, dtype=values.dtype), errors="coerce")
        if isinstance(parsed.dtype, np.dtype):  # nullable Int64/Float64: the plain path
            # take() gives the missing values' code -1 NaN, upcasting integers to float
            # as to_numeric does when a value is missing
            return pd.Series(take(parsed.to_numpy(), codes, allow_fill=True),
                             index=values.index, name=values.name)
    return pd.to_numeric(values, errors="coerce")


def _integer_between(lo: float | None, hi: float | None, what: str) -> pa.Check:
    import pandera.pandas as pa  # lazy: see the note at the imports

    def check(values: pd.Series) -> pd.Series:
        num = _numbers(values)
        ok = num.notna() & (num == num.round())
        if lo is not None:
            ok &= num >= lo
        if hi is not None:
            ok &= num <= hi
        return ok

    return pa.Check(check, error=f"must be {what}")


def _number_between(lo: float | None, hi: float | None) -> pa.Check:
    import pandera.pandas as pa  # lazy: see the note at the imports

    def check(values: pd.Series) -> pd.Series:
        num = _numbers(values)
        ok = num.notna()
        if lo is not None:
            ok &= num >= lo
        if hi is not None:
            ok &= num <= hi
        return ok

    bounds = (
        f" from {lo:g} to {hi:g}"
        if lo is not None and hi is not None
        else (f" of at least {lo:g}" if lo is not None else "")
        + (f" of at most {hi:g}" if hi is not None and lo is None else "")
    )
    return pa.Check(check, error=f"must be a number{bounds}")


def _one_of(allowed: list[str], what: str) -> pa.Check:
    import pandera.pandas as pa  # lazy: see the note at the imports

    return pa.Check.isin(allowed, error=f"must be one of {what}: {', '.join(allowed)}")


def _normalise(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def likert_labels(item: dict) -> dict[str, int]:
    """The item's scale labels, normalised (case, spaces), mapped to their scale points.

    >>> likert_labels({"scale": {"min": 1, "max": 5, "labels": {1: "Not at all", 5: "Very"}}})
    {'not at all': 1, 'very': 5}
    """
    labels = (item.get("scale") or {}).get("labels") or {}
    return {_normalise(text): int(level) for level, text in labels.items()}


def _likert_rule(item: dict) -> str:
    lo, hi = item["scale"]["min"], item["scale"]["max"]
    rule = f"a whole number from {lo} to {hi} (Likert scale)"
    labels = (item.get("scale") or {}).get("labels") or {}
    if labels:
        listed = ", ".join(f"{level} = {text}" for level, text in labels.items())
        return f"{rule} or one of its labels ({listed})"
    return f"{rule}; the codebook gives no labels for it, so text answers cannot be read"


def map_likert_labels(frame: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Replace Likert answers given as the codebook's labels ("Very high") by their numbers.

    Matching ignores case and repeated spaces. Anything else is left as it is,
    for validation to report. Each mapped column is noted in the log (INFO).

    >>> import sys
    >>> from peermentor.ingest import notices
    >>> program = {"codebook": [{"id": "q", "type": "likert",
    ...            "scale": {"min": 1, "max": 5, "labels": {1: "Not at all", 5: "Very high"}}}]}
    >>> frame = pd.DataFrame({"q": ["very  HIGH", "3", None, "Agree"]})
    >>> with notices.route(log=sys.stdout, console=None):
    ...     map_likert_labels(frame, program)["q"].tolist()
    column 'q': read 1 Likert label(s) as numbers: 'very  HIGH' -> 5
    ['5', '3', nan, 'Agree']
    """
    frame = frame.copy()
    for item in program.get("codebook", []):
        labels = likert_labels(item) if item["type"] == "likert" else {}
        if not labels or item["id"] not in frame:
            continue
        column = frame[item["id"]]
        levels = pd.Series(
            [labels.get(_normalise(v)) if isinstance(v, str) else None for v in column],
            index=column.index, dtype=object,
        )
        hit = levels.notna() & _numbers(column).isna()
        if hit.any():
            frame.loc[hit, item["id"]] = levels[hit].astype(int).astype(str)
            seen = dict.fromkeys(zip(column[hit], levels[hit].astype(int), strict=True))
            listed = ", ".join(f"{text!r} -> {level}" for text, level in seen)
            logger.info(f"column '{item['id']}': read {int(hit.sum())} Likert label(s) "
                        f"as numbers: {listed}")
    return frame


def _item_column_checks(item: dict) -> dict[str, pa.Column]:
    import pandera.pandas as pa  # lazy: see the note at the imports

    kind = item["type"]
    nullable = not item.get("required", False)
    if kind == "likert":
        lo, hi = item["scale"]["min"], item["scale"]["max"]
        check = _integer_between(lo, hi, _likert_rule(item))
        return {item["id"]: pa.Column(str, check, nullable=nullable)}
    if kind == "binary":
        return {item["id"]: pa.Column(str, _one_of(["0", "1"], "binary codes"), nullable=nullable)}
    if kind == "single_choice":
        # Name each code's label too: an export with labels instead of codes is a common slip.
        codes = [f"{code} ({label})" for code, label in item["choices"].items()]
        check = pa.Check.isin(
            [str(c) for c in item["choices"]],
            error=f"must be one of the item's choice codes: {', '.join(codes)}",
        )
        return {item["id"]: pa.Column(str, check, nullable=nullable)}
    if kind == "numeric":
        if item.get("soft_range"):  # kept when outside; listed by soft_range_breaches
            check = _number_between(None, None)
        else:
            check = _number_between(item.get("min"), item.get("max"))
        return {item["id"]: pa.Column(str, check, nullable=nullable)}
    if kind == "free_text":
        return {item["id"]: pa.Column(str, nullable=True)}
    columns = item_columns(item)
    if kind == "multi_choice":
        check = _one_of(["0", "1"], "ticked (1) / not ticked (0)")
    else:  # ranking
        check = _integer_between(1, len(columns), f"a rank from 1 to {len(columns)}")
    return {col: pa.Column(str, check, nullable=True) for col in columns}


def _row_checks(program: dict) -> list[pa.Check]:
    """Rules that involve several columns of one row (one failure per row)."""
    import pandera.pandas as pa  # lazy: see the note at the imports

    checks = []
    for item in program.get("codebook", []):
        if not item_type(item).per_choice:
            continue
        cols = item_columns(item)
        name = item["id"]

        def all_or_none(df: pd.DataFrame, cols: list[str] = cols) -> pd.Series:
            answered = df[cols].notna()
            return answered.all(axis=1) | ~answered.any(axis=1)

        checks.append(
            pa.Check(
                all_or_none,
                error=f"item '{name}': fill every one of {', '.join(cols)} or none of them",
            )
        )
        if item["type"] == "ranking":

            def distinct_ranks(df: pd.DataFrame, cols: list[str] = cols) -> pd.Series:
                ranks = df[cols].apply(_numbers)
                return ranks.nunique(axis=1) == ranks.notna().sum(axis=1)

            rule = f"item '{name}': ranks in {', '.join(cols)} must be distinct"
            checks.append(pa.Check(distinct_ranks, error=rule))
        if item.get("max_selected"):
            limit = item["max_selected"]

            def at_most(df: pd.DataFrame, cols: list[str] = cols, limit: int = limit) -> pd.Series:
                return df[cols].apply(_numbers).fillna(0).sum(axis=1) <= limit

            rule = f"item '{name}': at most {limit} of {', '.join(cols)} ticked"
            checks.append(pa.Check(at_most, error=rule))
    return checks


def response_schema(program: dict) -> pa.DataFrameSchema:
    """Schema of a cohort's ``responses.csv`` (as text), built from the codebook."""
    import pandera.pandas as pa  # lazy: see the note at the imports

    roles = [str(r) for r in program["roles"]]
    columns = {
        "respondent_id": pa.Column(str, unique=True, nullable=False),
        "role": pa.Column(str, _one_of(roles, "the programme's roles"), nullable=False),
    }
    for item in program.get("codebook", []):
        columns.update(_item_column_checks(item))
    return pa.DataFrameSchema(
        columns,
        checks=_row_checks(program),
        strict=False,
        name=f"{program.get('program', 'programme')} responses",
    )


def codes_schema(program: dict) -> pa.DataFrameSchema:
    """Schema of a cohort's ``codes.csv`` (qualitative coded segments)."""
    import pandera.pandas as pa  # lazy: see the note at the imports

    categories = program.get("qualitative", {}).get("categories", [])
    category_ids = [c["id"] for c in categories]
    subcats = {c["id"]: {s["label"] for s in c.get("subcategories", [])} for c in categories}

    def known_subcategory(df: pd.DataFrame) -> pd.Series:
        return pd.Series(
            [
                pd.isna(sub) or sub in subcats.get(cat, set())
                for cat, sub in zip(df["category"], df["subcategory"], strict=True)
            ],
            index=df.index,
        )

    return pa.DataFrameSchema(
        {
            "segment_id": pa.Column(str, unique=True, nullable=False),
            "respondent_id": pa.Column(str, nullable=True),
            "source": pa.Column(str, _one_of(list(CODE_SOURCES), "the code sources")),
            "role": pa.Column(str, _one_of(list(program["roles"]), "the programme's roles")),
            "category": pa.Column(
                str, _one_of(category_ids, "the programme's qualitative categories")
            ),
            "subcategory": pa.Column(str, nullable=True),
        },
        checks=[
            pa.Check(
                known_subcategory,
                error="subcategory must be one listed under its category in the programme config",
            )
        ],
        strict=False,
        name=f"{program.get('program', 'programme')} codes",
    )


def soft_range_breaches(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Answers outside the soft range of a numeric item (``soft_range: true``: REDCap lets
    a user save such a value after a warning), kept in the data: one row per answer,
    columns ``item, row, value, min, max`` (``row``: the frame's index).

    >>> program = {"codebook": [{"id": "height", "text": "Height", "type": "numeric",
    ...                          "min": 130, "max": 215, "soft_range": True}]}
    >>> soft_range_breaches(pd.DataFrame({"height": ["7", "170", None]}), program)
         item  row value  min  max
    0  height    0     7  130  215
    """
    rows = []
    for item in program.get("codebook", []):
        if item["type"] != "numeric" or not item.get("soft_range") or item["id"] not in \
                responses:
            continue
        values = _numbers(responses[item["id"]])
        outside = pd.Series(False, index=responses.index)
        if item.get("min") is not None:
            outside |= values < item["min"]
        if item.get("max") is not None:
            outside |= values > item["max"]
        rows += [{"item": item["id"], "row": row, "value": str(responses.at[row, item["id"]]),
                  "min": item.get("min"), "max": item.get("max")}
                 for row in responses.index[outside.fillna(False)]]
    return pd.DataFrame(rows, columns=["item", "row", "value", "min", "max"])


def to_typed(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Convert validated text columns to analysis types (nullable numbers, strings)."""
    typed = responses.copy()
    for item in program.get("codebook", []):
        cols = item_columns(item)
        if item_type(item).coded:
            for col in cols:
                typed[col] = _numbers(typed[col]).astype("Int64")
        elif item["type"] == "numeric":
            typed[item["id"]] = _numbers(typed[item["id"]]).astype("Float64")
    return typed
