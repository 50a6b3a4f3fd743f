"""Small-cell suppression for tables meant for sharing.

A displayed count from 1 to ``threshold - 1`` could point at a handful of
people, so shared tables show it as ``<threshold`` (for instance ``<5``), and
a percentage computed from it as :data:`SUPPRESSED`. Zeros stay visible
(saying that nobody chose an option identifies nobody), as do counts of
``threshold`` or more. A threshold of 0 or 1 switches suppression off.

A hidden cell must not be recoverable from what is shown beside it: where a
table's cells add up (roles to "all", answers to the number answering, responded
to analysed plus excluded), :func:`complementary` hides further cells until no
sum has exactly one hidden term. The cohort's tidy ``stats.csv`` stays
unsuppressed: it is the analysis record behind the shared tables, kept with the
validated data.

>>> table = pd.DataFrame({"n": [42, 4, 0], "yes": [3, 4, 0], "percent": [7.1, 100.0, None]})
>>> suppress(table, counts=["n", "yes"], derived={"percent": "yes"}, threshold=5)
    n yes     percent
0  42  <5  suppressed
1  <5  <5  suppressed
2   0   0         NaN
"""

from __future__ import annotations

import math

import pandas as pd

#: Default small-cell threshold (``small_cell_threshold`` in ``config/config.yaml``).
DEFAULT_THRESHOLD = 5
#: What a percentage (or other value) computed from a suppressed count shows instead.
SUPPRESSED = "suppressed"


def is_small(count, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True for a count from 1 to ``threshold - 1`` (missing values are not small).

    >>> [is_small(c) for c in (0, 1, 4, 5, float("nan"), None)]
    [False, True, True, False, False, False]
    """
    if count is None or count is pd.NA:
        return False
    count = float(count)
    return not math.isnan(count) and 0 < count < threshold


def marker(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The text shown for a suppressed count, e.g. ``'<5'``."""
    return f"<{threshold}"


def rule_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    """One sentence stating the suppression rule, for the line under a shared table."""
    if threshold <= 1:
        return "Small-cell suppression is off (`small_cell_threshold` below 2)."
    return (
        f"Small cells suppressed: counts from 1 to {threshold - 1} are shown as "
        f"\"{marker(threshold)}\", and percentages computed from them, and any total or "
        f"other cell from which they could be worked out, as \"{SUPPRESSED}\"; zeros are "
        f"shown (threshold {threshold}, the pipeline's `small_cell_threshold` setting)."
    )


def suppress(
    table: pd.DataFrame,
    counts: list[str],
    derived: dict[str, str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Copy of ``table`` with small ``counts`` shown as the marker.

    ``derived`` maps a column (a percentage, say) to the count column it was
    computed from; where that count is small the value becomes :data:`SUPPRESSED`.
    Absent columns are skipped; a column with a suppressed cell becomes text,
    the others keep their type.
    """
    out = table.copy()
    small = {col: out[col].map(lambda v: is_small(v, threshold)).astype(bool)
             for col in counts if col in out}
    replace = [(column, small[source], SUPPRESSED)
               for column, source in (derived or {}).items() if column in out and source in small]
    replace += [(column, mask, marker(threshold)) for column, mask in small.items()]
    for column, mask, text in replace:
        if mask.any():
            out[column] = out[column].astype(object).where(~mask, text)
    return out


def complementary(values: dict, hidden: set, sums: list[tuple], prefer: str = "total") -> set:
    """Hide more cells until no hidden cell can be worked out from a sum.

    ``values`` maps a cell key to its count, ``hidden`` holds the keys already
    hidden, and each entry of ``sums`` is ``(total, [parts])`` with
    ``values[total] == sum of values[parts]`` (entries whose cells are missing or
    do not add up are ignored). While a sum has exactly one hidden cell, another is
    hidden: its total (``prefer="total"``; if the total is already hidden, its
    smallest shown part) or its smallest shown part (``prefer="part"``; the total
    when no part is left). A sum given as ``(total, parts, prefer)`` overrides
    ``prefer`` for itself. Returns the keys hidden in addition.

    >>> values = {"all": 18, "mentee": 14, "mentor": 4}
    >>> complementary(values, {"mentor"}, [("all", ["mentee", "mentor"])])
    {'all'}
    >>> values = {"n": 10, "yes": 9, "no": 1, "all_n": 30, "all_yes": 20}
    >>> sorted(complementary(values, {"no"}, [("n", ["yes", "no"])], prefer="part"))
    ['yes']
    """
    usable = []
    for total, parts, *how in sums:
        cells = [total, *parts]
        if all(k in values and pd.notna(values[k]) for k in cells) and math.isclose(
                float(values[total]), float(sum(values[k] for k in parts))):
            usable.append((total, list(parts), how[0] if how else prefer))
    hide = set(hidden)
    changed = True
    while changed:
        changed = False
        for total, parts, how in usable:
            if sum(k in hide for k in (total, *parts)) != 1:
                continue
            shown = [k for k in parts if k not in hide]
            if total not in hide and (how == "total" or not shown):
                hide.add(total)
            else:
                hide.add(min(shown, key=lambda k: (float(values[k]) == 0, values[k])))
            changed = True
    return hide - set(hidden)
