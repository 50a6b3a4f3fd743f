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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peermentor.publish.inference import (
    COMPARISON_DECIMALS,
    Attack,
    attacker_bound,
    binary_comparison_safe,
    likert_comparison_safe,
    likert_pair_statistics,
    likert_rows,
    rounded,
)

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


def complementary(values: dict, hidden: set, sums: list[tuple], prefer: str = "total",
                  fixed: frozenset | set = frozenset(),
                  derivable: frozenset | set = frozenset()) -> set:
    """Hide more cells until no hidden cell can be worked out from a sum.

    ``values`` maps a cell key to its count, ``hidden`` holds the keys already
    hidden, and each entry of ``sums`` is ``(total, [parts])`` with
    ``values[total] == sum of values[parts]`` (entries whose cells are missing or
    do not add up are ignored). While a sum has exactly one hidden cell, another is
    hidden: its total (``prefer="total"``; if the total is already hidden, its
    smallest shown part) or its smallest shown part (``prefer="part"``; the total
    when no part is left). A sum given as ``(total, parts, prefer)`` overrides
    ``prefer`` for itself. Cells in ``fixed`` are known anyway (printed elsewhere) and
    are never chosen; a sum whose one hidden cell is in ``derivable`` (a cell never
    printed that may be worked out, such as how many said no) needs nothing more.
    Returns the keys hidden in addition.

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
            hidden_here = [k for k in (total, *parts) if k in hide]
            if len(hidden_here) != 1 or hidden_here[0] in derivable:
                continue
            shown = [k for k in parts if k not in hide and k not in fixed]
            if total not in hide and total not in fixed and (how == "total" or not shown):
                hide.add(total)
            elif shown:
                hide.add(min(shown, key=lambda k: (float(values[k]) == 0, values[k])))
            else:
                continue  # every other cell is known anyway: nothing left to hide
            changed = True
    return hide - set(hidden)


# --------------------------------------------------------------------------------------
# The disclosure policy: which statistic of which group may be shared
# --------------------------------------------------------------------------------------

#: Group of every analysed respondent (the union of the roles).
ALL = "all"
#: Counts of people (or of coded segments): the cells of a cohort's tables.
CELL_STATISTICS = frozenset({
    "invited", "paired", "responded", "analysed", "excluded", "n", "count", "segments",
    "n_pairs", "yes_before", "yes_after", "no_to_yes", "yes_to_no", "n_complete"})
#: Statistics that are a count divided by a group size (they give the count away).
SHARE_STATISTICS = {"percent": "count", "share_first": "ranked_1"}
#: Columns of :func:`share_stats`'s table beyond those of ``stats.csv``.
SHARED_EXTRA = ["shown", "decimals", "rule"]

#: Why a value is withheld, in one sentence each (``{t}``: the threshold, ``{m}``: t - 1).
RULES = {
    "small cell": "a count from 1 to {m} (threshold rule), shown as \"<{t}\"",
    "complementary": "a count or total hidden so that a small count cannot be worked out "
                     "from the cells that add up with it (secondary suppression)",
    "distribution": "the answer counts of a group in which one answer was given by 1 to {m} "
                    "people: the whole distribution is withheld",
    "small group": "a statistic of a group of fewer than {t} people: only its size marker "
                   "is shared",
    "hidden count": "a percentage or rate of a hidden count or of a hidden total",
    "hidden cell": "a statistic of a group whose answers include a count below {t} (a mean, "
                   "SD, median or rank could pin it down)",
    "comparison": "a test or effect size comparing groups whose table has a hidden cell "
                  "(it could pin the hidden cell down)",
    "family": "a multiplicity-adjusted p-value whose family includes a withheld p-value",
    "scale item": "a multi-item scale's statistic of a group whose answers to one of the "
                  "scale's items include a hidden count (the score is made of those answers)",
    "masked": "a count hidden without saying whether it is small, because with a total "
              "printed elsewhere (in the paper) a marker would pin a small count down",
    "coarsened": "a mean or SD of a group whose answers include a count below {t}, or an "
                 "effect size of two groups whose table has one, rounded (means and SDs to "
                 "1 decimal, effect sizes and their intervals to 2, p-values withheld) "
                 "where the disclosure check finds that no small count can then be worked "
                 "out",
}

#: Statistics of a comparison shown, rounded, where its table has a small cell and the
#: attack allows it (the rest, p-values and U included, stay withheld).
COARSE_COMPARISON = frozenset({"rbc", "odds_ratio", "odds_ratio_ci_low",
                               "odds_ratio_ci_high", "risk_ratio", "risk_ratio_ci_low",
                               "risk_ratio_ci_high"})


def rule_sentence(rule: str, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The rule behind a withheld value, in words.

    >>> rule_sentence("small group", 5)
    'a statistic of a group of fewer than 5 people: only its size marker is shared'
    """
    return RULES[rule].format(t=threshold, m=threshold - 1)


def _scale_decisions(out: pd.DataFrame, decided: dict, scales: list[dict]) -> None:
    """Withhold a multi-item scale's statistics (score, reliability, item-total r, the
    score's comparison) for every group with a hidden count in one of the scale's items,
    for ``all`` when any role has one: a score is a sum of those answers, so its mean or
    a correlation could give a withheld answer back."""
    hidden = {(out.at[i, "item"], out.at[i, "group"]) for i in decided
              if is_cell(out.at[i, "statistic"]) and "_vs_" not in str(out.at[i, "group"])}
    for scale in scales:
        groups = {g for item, g in hidden if item in scale.get("items", [])}
        if groups - {ALL}:
            groups.add(ALL)
        if not groups:
            continue
        rows = out.index[out["item"] == scale["id"]]
        for i in rows:
            group, statistic = str(out.at[i, "group"]), out.at[i, "statistic"]
            if i in decided or (statistic == "n" and group in groups):
                continue
            compared = group.split("_vs_", 1) if "_vs_" in group else [group]
            if groups & set(compared):
                decided[i] = (SUPPRESSED, "scale item")


def is_cell(statistic: str) -> bool:
    """Is ``statistic`` a count of people (a cell), e.g. ``n``, ``count``, ``ranked_2``?

    >>> [is_cell(s) for s in ("n", "ranked_2", "mean", "percent")]
    [True, True, False, False]
    """
    return statistic in CELL_STATISTICS or str(statistic).startswith("ranked_")


def _kind(section: str, item: str, codebook: dict) -> str:
    if section in ("participation", "qualitative", "change"):
        return section
    return codebook.get(item, {}).get("type", "other")


def _size_key(cells: dict, option: str, group: str):
    """The cell that counts a group (its n) for a row of ``option``."""
    for key in ((option, group, "n"), ("", group, "n"), ("", group, "n_pairs"),
                ("", group, "responded")):
        if key in cells:
            return key
    return None


def _sums(kind: str, cells: dict, groups: list[str]) -> list[tuple]:
    """Which displayed cells add up (total, parts, which to hide first)."""
    roles = [g for g in groups if g != ALL]
    by_stat: dict[tuple, list] = {}
    for option, group, statistic in cells:
        by_stat.setdefault((option, statistic), []).append(group)
    role_sums = [((option, ALL, statistic), [(option, g, statistic) for g in roles
                                             if (option, g, statistic) in cells], "total")
                 for (option, statistic), found in by_stat.items() if ALL in found]
    within = []
    for g in groups:
        if kind == "participation":
            within.append((("", g, "responded"), [("", g, "analysed"), ("", g, "excluded")],
                           "total"))
        elif kind == "single_choice":
            within.append((("", g, "n"), [k for k in cells if k[1] == g and k[2] == "count"],
                           "part"))
        elif kind == "likert":
            levels = [k for k in cells if k[1] == g and k[2] == "count"
                      and k[0] not in LIKERT_PARTS]
            within.append((("", g, "n"), levels, "part"))
            if all((p, g, "count") in cells for p in LIKERT_PARTS):
                half = len(levels) // 2
                within += [((LIKERT_PARTS[0], g, "count"), levels[:half], "part"),
                           ((LIKERT_PARTS[2], g, "count"), levels[len(levels) - half:],
                            "part")]
        elif kind in ("binary", "multi_choice"):
            within += [(("", g, "n"), [k, (k[0], g, "no")], "part")
                       for k in cells if k[1] == g and k[2] == "count"]
        elif kind == "change":
            within += [(("", g, "n_pairs"), [("", g, f"yes_{w}"), ("", g, f"no_{w}")], "part")
                       for w in ("before", "after")]
    if kind == "participation":
        return role_sums + within
    return within + role_sums


#: Options of a Likert item's answers combined below, at and above the scale's midpoint
#: (what a figure draws when a single answer is small).
LIKERT_PARTS = ("below", "middle", "above")


def _distribution(kind: str, key: tuple) -> str | None:
    """Cells never printed as numbers in a table (drawn, or used for other statistics):
    a group's whole set of them (its "distribution") is shared or withheld together."""
    option, _, statistic = key
    if kind == "likert" and statistic == "count":
        return "parts" if option in LIKERT_PARTS else "levels"
    if statistic.startswith("ranked_") or statistic in ("no_to_yes", "yes_to_no"):
        return "ranks"
    if kind == "qualitative" and option != "":
        return "subcategories"
    return None


def likert_parts(counts) -> list[float]:
    """Answers below the scale's midpoint, at it (odd scales; 0 otherwise) and above it.

    >>> likert_parts([1, 2, 3, 4, 5]), likert_parts([1, 2, 3, 4])
    ([3, 3, 9], [3, 0, 7])
    """
    counts = list(counts)
    k = len(counts)
    half = k // 2
    return [sum(counts[:half]), counts[half] if k % 2 else 0, sum(counts[k - half:])]


def with_implied_cells(cells: dict, kind: str) -> dict:
    """Add to ``cells`` (``(option, group, statistic) -> count``) the counts the shown
    ones imply: who said no, who did not tick an option, who said no before and after."""
    for option, group, statistic in list(cells):
        size = _size_key(cells, "", group)
        if statistic == "count" and kind in ("binary", "multi_choice") and size:
            cells[(option, group, "no")] = cells[size] - cells[(option, group, statistic)]
        if kind == "change" and statistic in ("yes_before", "yes_after"):
            cells[(option, group, "no_" + statistic[4:])] = (
                cells.get(("", group, "n_pairs"), float("nan")) - cells[(option, group,
                                                                         statistic)])
    return cells


def _block_decisions(rows: pd.DataFrame, kind: str, threshold: int, pair: tuple | None,
                     public_cells: dict | None = None) -> dict[int, tuple[str, str]]:
    """``{row index: (shown text, rule)}`` for every value of one item withheld
    (``public_cells``: counts the paper prints, ``(option, group, statistic) -> value``)."""
    cells, index = {}, {}
    for i, option, group, statistic, value in zip(
            rows.index, rows["option"], rows["group"], rows["statistic"], rows["value"],
            strict=True):
        if is_cell(statistic) and "_vs_" not in str(group) and pd.notna(value):
            cells[(option, group, statistic)] = float(value)
            index[(option, group, statistic)] = i
    groups = list(dict.fromkeys(g for _, g, _ in cells))  # those shown, not those implied
    with_implied_cells(cells, kind)
    hiding = _Hiding(cells, index, threshold, groups)
    _hide(hiding, rows, kind, public_cells or {})
    decided = _count_labels(hiding)
    return {**decided, **_statistic_labels(hiding, rows, kind, pair, decided)}


@dataclass
class _Hiding:
    """One item's counts (``(option, group, statistic) -> value``, with the counts they
    imply), the rows that show them, and what the policy hides of them and why."""

    cells: dict
    index: dict
    threshold: int
    groups: list
    hidden: set = field(default_factory=set)
    secondary: set = field(default_factory=set)
    distribution: set = field(default_factory=set)
    masked: set = field(default_factory=set)

    def __post_init__(self) -> None:
        cells = self.cells
        self.small = {k for k, v in cells.items() if is_small(v, self.threshold)}
        # a group below the threshold shows nothing but its size marker: its other counts,
        # zeros included (0 of "<5" said yes would say what all of them answered), go too
        self.sizes = {k for k in self.small if k == _size_key(cells, k[0], k[1])}
        self.in_small_group = {k for k in cells if k not in self.sizes
                               and k[2] not in ("invited", "paired")
                               and _size_key(cells, k[0], k[1]) in self.sizes}


def _hide(hiding: _Hiding, rows: pd.DataFrame, kind: str, public_cells: dict) -> None:
    """Fill ``hiding``: the small counts, the cells that would give them back through a
    sum, a group's whole distribution with any of its cells, and more, step by step,
    until the attack pins no small count."""
    cells, index, threshold = hiding.cells, hiding.index, hiding.threshold
    small, sizes, in_small_group = hiding.small, hiding.sizes, hiding.in_small_group
    groups = hiding.groups
    shown_sets = _sums(kind, cells, groups)
    summed = {k for total, parts, _ in shown_sets for k in (total, *parts)}
    families: dict[tuple, list] = {}
    for key in cells:
        family = _distribution(kind, key)
        if family:
            families.setdefault((key[1], family), []).append(key)
    # what the paper prints is known to everyone: a sum it completes must keep a second
    # hidden cell, and a count it prints is no secret to protect
    known = {k for k in cells if k in public_cells and cells[k] == public_cells[k]}
    unprinted = {k for k in cells if k not in index}

    def settle(forced: set) -> tuple[set, set, set]:
        """Hide cells that add up with a hidden one, and a group's whole distribution with
        any of its cells, until neither hides more (a role's withheld answers must not
        come back as "All" minus the other roles)."""
        hidden = small | in_small_group | forced
        secret = hidden - known
        secondary, distribution = set(forced), set()
        while True:
            # cells never printed (who said no) are unknown to a reader until a sum gives
            # them: hiding one hides nothing, so they are never the cell chosen, and a
            # sum with one among its unknowns needs no more (the attack below checks
            # what sums of sums give)
            more = complementary({k: cells[k] for k in summed if k in cells},
                                 (secret | unprinted) & summed, shown_sets, fixed=known,
                                 derivable=unprinted - secret) - unprinted
            secondary |= more
            hidden |= more
            secret |= more
            spread = {k for keys in families.values() if hidden & set(keys) for k in keys
                      if k not in distribution}
            distribution |= spread
            hidden |= spread
            secret |= spread - known
            if not more and not spread:
                return hidden, secondary, distribution

    # then attack the table as shared, and hide (or unmark) more until no small count is
    # pinned down by the markers, sums, rates and the paper's numbers together
    forced, masked = set(), hiding.masked
    rates = [((o, g, SHARE_STATISTICS[s]), _size_key(cells, o, g), float(v))
             for o, g, s, v in zip(rows["option"], rows["group"], rows["statistic"],
                                   rows["value"], strict=True)
             if s == "percent" and pd.notna(v)]
    for escalation in range(5):
        hidden, secondary, distribution = settle(forced)
        state = {k: ("any" if k in in_small_group or k in distribution or k in masked
                     or k not in index else "small" if k in small else "not small"
                     if k in secondary else "exact") for k in cells}
        shown_rates = [r for r in rates if r[0] in cells and r[1] in cells
                       and r[0] not in hidden and r[1] not in hidden]
        pinned = pinned_counts(kind, cells, state, known, shown_rates, threshold,
                               protect=small | in_small_group)
        if not pinned:
            break
        near = {k for total, parts, _ in shown_sets if {total, *parts} & pinned
                for k in (total, *parts)} - known
        if escalation == 0:  # first drop the hint "not small" of what adds up with it
            masked |= {k for k in near if k in secondary and k not in small}
        elif escalation == 1:  # hide what adds up with a pinned count
            forced |= {k for k in near if k not in hidden and k not in sizes
                       and k[2] not in ("n", "responded", "invited", "paired")}
        elif escalation == 2:  # and say nothing of them: no marker, no "not small"
            masked |= {k for k in near if k in hidden} | pinned
        else:  # every count of the table
            forced |= {k for k in cells if k not in known and k[2] not in (
                "n", "responded", "invited", "paired")}
            masked |= set(cells)
    hiding.hidden, hiding.secondary, hiding.distribution = hidden, secondary, distribution


def _count_labels(hiding: _Hiding) -> dict[int, tuple[str, str]]:
    """``{row index: (shown text, rule)}`` for the hidden counts themselves."""
    decided = {}
    for key, i in hiding.index.items():
        # a withheld distribution shows one word for all its cells: a marker on the small
        # ones would tell an attacker which answers are rare
        if key in hiding.in_small_group:
            decided[i] = (SUPPRESSED, "small group")
        elif key in hiding.masked and key in hiding.hidden:
            decided[i] = (SUPPRESSED, "masked")
        elif key in hiding.distribution:
            decided[i] = (SUPPRESSED, "distribution")
        elif key in hiding.small:
            decided[i] = (marker(hiding.threshold), "small cell")
        elif key in hiding.secondary:
            decided[i] = (SUPPRESSED, "complementary")
    return decided


def _statistic_labels(hiding: _Hiding, rows: pd.DataFrame, kind: str, pair: tuple | None,
                      decided: dict) -> dict[int, tuple[str, str]]:
    """``{row index: (shown text, rule)}`` for the statistics computed from hidden counts
    (shares, rates, a group's summary, a comparison of two groups)."""
    cells, index, small, hidden = hiding.cells, hiding.index, hiding.small, hiding.hidden
    hidden_in = {g: {k for k in hidden if k[1] == g} for g in hiding.groups}
    union = set().union(*hidden_in.values()) if hidden_in else set()
    labels = {}
    for i, option, group, statistic in zip(rows.index, rows["option"], rows["group"],
                                           rows["statistic"], strict=True):
        if i in decided or (option, group, statistic) in index or statistic == "raised":
            continue
        if "_vs_" in str(group):
            a, b = pair if pair else str(group).split("_vs_", 1)
            sizes = [_size_key(cells, option, g) for g in (a, b)]
            if any(k in small for k in sizes):
                labels[i] = (SUPPRESSED, "small group")
            elif hidden_in.get(a) or hidden_in.get(b):
                labels[i] = (SUPPRESSED, "comparison")
            continue
        size = _size_key(cells, option, group)
        if size in small:
            labels[i] = (SUPPRESSED, "small group")
            continue
        source = SHARE_STATISTICS.get(statistic)
        if kind == "participation" and statistic == "response_rate":
            if {("", group, "responded"), ("", group, "invited")} & hidden:
                labels[i] = (SUPPRESSED, "hidden count")
            continue
        if source is not None:
            count = (option, group, source)
            if count in hidden or (size in hidden and cells.get(count) != 0):
                labels[i] = (SUPPRESSED, "hidden count")
            continue
        if hidden_in.get(group) or (group == ALL and union):
            labels[i] = (SUPPRESSED, "hidden cell")
    return labels


#: What a Likert item whose answers include a small count may show, most first: each
#: step (the roles' summary statistics, and whether the between-role effect size is
#: shown) is tried against the attack (:mod:`peermentor.publish.inference`) and the first that
#: leaves every small count two or more values is shown (means and SDs to 1 decimal,
#: the effect size to 2). The effect size comes before the quartiles: it is what a
#: comparison across programmes pools.
_SUMMARY = ("mean", "sd", "median", "q1", "q3")
LIKERT_LADDER = ((_SUMMARY, True), (("mean", "sd"), True), (("mean",), True), ((), True),
                 (_SUMMARY, False), (("mean", "sd"), False), (("mean",), False))
#: Decimals of a coarsened mean or SD.
COARSE_DECIMALS = 1


def share_stats(stats: pd.DataFrame, program: dict,
                threshold: int = DEFAULT_THRESHOLD,
                public: pd.DataFrame | None = None) -> pd.DataFrame:
    """One cohort's tidy statistics as they may be shared: the disclosure policy.

    Every shared output (the cohort report and its figures, the comparison tables, the
    summary and the site) is made from this table, so one policy decides for all. Each
    row keeps its keys; ``value`` is blank where the value is withheld, ``shown`` says
    what is shown instead (the marker ``<t`` or :data:`SUPPRESSED`), ``rule`` names the
    rule (:data:`RULES`) and ``decimals`` the precision it may be printed at (blank:
    as stored). The rules, with the row semantics they rest on (which group a statistic
    describes, which cells it is computed from):

    * a count (:func:`is_cell`) from 1 to ``threshold - 1`` is hidden (threshold rule);
    * counts that add up with a hidden one (roles to ``all``, answers to ``n``, yes + no
      to ``n``, responded to analysed + excluded) are hidden until no sum has exactly one
      hidden term (:func:`complementary`); answer counts never printed as numbers (Likert
      levels, rank positions) are withheld for the whole group when one is small;
    * a group of fewer than ``threshold`` gets nothing but its size marker (its other
      counts, zeros included, show as :data:`SUPPRESSED`);
    * a percentage or rate is withheld with its count (or total, unless the count is 0);
    * any other statistic of a group (mean, SD, median, quartiles, ranks) is withheld when
      a cell of that group is hidden, and for ``all`` when a cell of any role is;
    * a comparison between groups (a test, an effect size and its interval) is withheld
      when a cell of either group is hidden; a Holm-adjusted p with any p of its family.

    Statistics the policy does not know are statistics of their group or comparison,
    so they are withheld by the same rules: nothing new is shared by default.

    One exception is tried before withholding: the mean, SD, median and quartiles of a
    role's answers to a Likert item when one answer is small. The policy attacks them
    (:func:`peermentor.publish.inference.likert_feasible`) and shows the most it can without
    pinning a small count (:data:`LIKERT_LADDER`: means and SDs to 1 decimal). ``public``
    (the paper's printed numbers, reproduction rows) counts as known to the attacker; a
    count the paper already pins down is the paper's disclosure, not the pipeline's.

    >>> stats = pd.DataFrame({"section": "s", "item": "y", "option": "",
    ...     "group": ["a", "a", "a", "b", "b", "b", "a_vs_b"],
    ...     "statistic": ["n", "count", "percent", "n", "count", "percent", "p"],
    ...     "value": [10, 8, 80.0, 9, 3, 33.3, 0.07]})
    >>> program = {"roles": {"a": "A", "b": "B"}, "comparison": ["a", "b"],
    ...            "codebook": [{"id": "y", "type": "binary"}]}
    >>> shared = share_stats(stats, program)
    >>> shared[["group", "statistic", "value", "shown", "rule"]].values.tolist()[3:]
    [['b', 'n', 9.0, '', ''], ['b', 'count', nan, '<5', 'small cell'], \
['b', 'percent', nan, 'suppressed', 'hidden count'], \
['a_vs_b', 'p', nan, 'suppressed', 'comparison']]
    """
    out = stats.reset_index(drop=True).copy()
    out["option"] = out["option"].fillna("").astype(str)
    out["shown"] = ""
    out["decimals"] = float("nan")
    out["rule"] = ""
    if threshold <= 1 or out.empty:
        return out
    out = _with_category_totals(out, list(program.get("roles", {})))
    codebook = {i["id"]: i for i in program.get("codebook", [])}
    out = _with_likert_parts(out, codebook)
    pair = tuple(program["comparison"]) if len(program.get("comparison") or []) == 2 else None
    decided: dict[int, tuple[str, str]] = {}
    printed = _printed_counts(public)
    for (section, item), rows in out.groupby(["section", "item"], sort=False):
        decided |= _block_decisions(rows, _kind(section, item, codebook), threshold, pair,
                                    printed.get(item))
    # Holm: every adjusted p of a family is computed from all of its p-values
    held = {out.at[i, "section"] for i in decided if out.at[i, "statistic"] == "p"
            and codebook.get(out.at[i, "item"], {}).get("type") == "likert"}
    for i in out.index[(out["statistic"] == "p_holm") & out["section"].isin(held)]:
        decided.setdefault(i, (SUPPRESSED, "family"))
    _likert_ladder(out, decided, codebook, threshold, public, pair)
    if pair:
        _coarsened_comparisons(out, decided, codebook, threshold, pair)
    _scale_decisions(out, decided, program.get("scales") or [])
    for i, (text, rule) in decided.items():
        out.at[i, "value"] = float("nan")
        out.at[i, "shown"] = text
        out.at[i, "rule"] = rule
    return out


def shared_view(stats: pd.DataFrame, program: dict,
                threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``stats`` under the disclosure policy (:func:`share_stats`); a table that is
    already shared (it has a ``shown`` column) is returned as it is, so a cohort's
    policy, attack included, runs once however many tables and figures read it."""
    if "shown" in stats.columns:
        return stats
    return share_stats(stats, program, threshold)


def _row_at(rows: pd.DataFrame) -> dict:
    """``(option, group, statistic) -> row index`` of one item's rows."""
    return {(o, g, s): i for i, o, g, s in zip(rows.index, rows["option"], rows["group"],
                                               rows["statistic"], strict=True)}


def _public_facts(public: pd.DataFrame | None, item: str, group: str) -> dict:
    """What the paper prints about one group's answers to one item, as attack facts."""
    facts: dict = {}
    if public is None or public.empty:
        return facts
    rows = public[(public["item"] == item) & (public["group"] == group)
                  & public["status"].isin(["reproduced", "assumed"])]
    for _, row in rows.iterrows():
        places = _printed_decimals(str(row["precision"]))
        value = pd.to_numeric(row["published"], errors="coerce")
        if places is None or pd.isna(value):
            continue
        if row["statistic"] in ("mean", "sd", "median", "q1", "q3"):
            facts[row["statistic"]] = (float(value), places)
        elif row["statistic"] == "count" and str(row["option"]).lstrip("-").isdigit():
            facts.setdefault("counts", {})[int(row["option"])] = int(value)
    return facts


def _likert_ladder(out: pd.DataFrame, decided: dict, codebook: dict, threshold: int,
                   public: pd.DataFrame | None, pair: tuple | None) -> None:
    """Show the most of a Likert item's role summaries (and its between-role effect size)
    that pins no small answer count: the first step of :data:`LIKERT_LADDER` that the
    attack (:mod:`peermentor.publish.inference`) passes."""

    for item_id, item in codebook.items():
        if item.get("type") != "likert":
            continue
        rows = out[out["item"] == item_id]
        at = _row_at(rows)
        roles = [g for g in dict.fromkeys(rows["group"]) if g != ALL and "_vs_" not in str(g)]
        held = {g: [s for s in LIKERT_LADDER[0][0] if decided.get(
            at.get(("", g, s)), ("", ""))[1] == "hidden cell"] for g in roles}
        ladder = [g for g in roles if held[g]]
        vs = f"{pair[0]}_vs_{pair[1]}" if pair else ""
        effect = [at[("", vs, s)] for s in COARSE_COMPARISON if ("", vs, s) in at
                  and decided.get(at[("", vs, s)], ("", ""))[1] == "comparison"]
        if not ladder and not effect:
            continue
        scale = item["scale"]
        levels = list(range(int(scale["min"]), int(scale["max"]) + 1))
        keys = [str(v) for v in levels] + list(LIKERT_PARTS)
        truth = {g: [int(out.at[at[(k, g, "count")], "value"]) for k in keys]
                 for g in roles if all((k, g, "count") in at for k in keys)}
        protected = {g: _open_cells(out, at, item, g, decided, threshold, public)
                     for g in ladder}
        # with the effect size the roles are decided together; without it, each alone
        trials = [(step, True, ladder) for step, with_effect in LIKERT_LADDER if with_effect
                  and effect]
        trials += [(step, False, [g]) for g in ladder for step, with_effect in LIKERT_LADDER
                   if not with_effect]
        done: set = set()
        for step, with_effect, ladder in trials:
            if done & set(ladder) or (with_effect and done):
                continue
            groups = [*ladder, *(g for g in pair or () if with_effect and g not in ladder)]
            candidates = {g: _group_candidates(out, at, item, g, decided, threshold, public,
                                               step if g in ladder else None)
                          for g in groups}
            if any(c is None for c in candidates.values()):
                continue
            if not all(len({int(r[c]) for r in candidates[g]}) > 1
                       for g in ladder for c in protected[g]):
                continue
            if with_effect:
                a, b = pair
                if a not in truth or b not in truth:
                    continue
                got = likert_pair_statistics(np.array([truth[a][:len(levels)]]),
                                             np.array([truth[b][:len(levels)]]), levels)
                shown = {name: rounded(float(got[name][0, 0])) for name in ("rbc", "rbc_z",
                                                                            "g")}
                sums = [] if [g for g in roles if g not in pair] else [
                    (c, int(out.at[at[(k, ALL, "count")], "value"]))
                    for c, k in enumerate(keys)
                    if (k, ALL, "count") in at and at[(k, ALL, "count")] not in decided]
                cells = [(side, c, truth[g][c]) for side, g in enumerate(pair)
                         for c in range(len(keys)) if is_small(truth[g][c], threshold)]
                if not likert_comparison_safe(candidates[a], candidates[b], levels, shown,
                                              cells, sums):
                    continue
                for i in effect:
                    del decided[i]
                    out.at[i, "value"] = rounded(float(out.at[i, "value"]))
                    out.at[i, "decimals"] = float(COMPARISON_DECIMALS)
                    out.at[i, "rule"] = "coarsened"
            for g in ladder:
                for statistic in step:
                    i = at[("", g, statistic)]
                    del decided[i]
                    if statistic in ("mean", "sd"):
                        out.at[i, "value"] = round(float(out.at[i, "value"]), COARSE_DECIMALS)
                        out.at[i, "decimals"] = float(COARSE_DECIMALS)
                        out.at[i, "rule"] = "coarsened"
            done |= set(ladder) | ({"effect"} if with_effect else set())


def _open_cells(out: pd.DataFrame, at: dict, item: dict, group: str, decided: dict,
                threshold: int, public: pd.DataFrame | None) -> list[int]:
    """Columns (levels, then parts) of a group's small answer counts that the paper's own
    numbers and the shared cells leave open: the ones the policy must keep open."""
    scale = item["scale"]
    levels = list(range(int(scale["min"]), int(scale["max"]) + 1))
    keys = [str(v) for v in levels] + list(LIKERT_PARTS)
    baseline = _group_candidates(out, at, item, group, decided, threshold, public, ())
    open_ = []
    for c, k in enumerate(keys):
        i = at.get((k, group, "count"))
        if i is not None and is_small(out.at[i, "value"], threshold) and (
                baseline is None or len({int(r[c]) for r in baseline}) > 1):
            open_.append(c)
    return open_
def _with_category_totals(stats: pd.DataFrame, roles: list[str]) -> pd.DataFrame:
    """Add each qualitative category's segments over all roles (``group == 'all'``): the
    comparison's theme table shows them."""
    rows = stats[(stats["section"] == "qualitative") & (stats["statistic"] == "segments")
                 & (stats["option"] == "") & stats["group"].isin(roles)]
    if rows.empty:
        return stats
    totals = (rows.groupby(["program", "year", "section", "item"] if "program" in rows
                           else ["section", "item"], sort=False)["value"].sum().reset_index())
    totals = totals.assign(option="", group=ALL, statistic="segments", shown="",
                           decimals=float("nan"), rule="")
    return pd.concat([stats, totals[stats.columns]], ignore_index=True)


def _with_likert_parts(stats: pd.DataFrame, codebook: dict) -> pd.DataFrame:
    """Add each Likert group's answers combined below, at and above the midpoint
    (options :data:`LIKERT_PARTS`): a figure may draw them where one answer is small."""
    likert = [i for i, item in codebook.items() if item.get("type") == "likert"]
    rows = stats[stats["item"].isin(likert) & (stats["statistic"] == "count")
                 & ~stats["group"].astype(str).str.contains("_vs_")]
    if rows.empty:
        return stats
    added = []
    for (item, _), block in rows.groupby(["item", "group"], sort=False):
        scale = codebook[item]["scale"]
        levels = [str(v) for v in range(int(scale["min"]), int(scale["max"]) + 1)]
        counts = block.set_index("option")["value"].reindex(levels).fillna(0)
        template = block.iloc[0]
        for option, value in zip(LIKERT_PARTS, likert_parts(counts), strict=True):
            added.append({**template.to_dict(), "option": option, "value": float(value)})
    return pd.concat([stats, pd.DataFrame(added, columns=stats.columns)], ignore_index=True)


# --------------------------------------------------------------------------------------
# Tables made from many cohorts: the policy applied by row and column semantics
# --------------------------------------------------------------------------------------

#: Columns that say what a row is about or how it was computed: never a number made from
#: the answers. Every other column of a shared table is a statistic of the row's group or
#: comparison, withheld with it (so a column added later is withheld by default).
LABEL_COLUMNS = frozenset({
    "program", "year", "construct", "item", "item_type", "comparison", "role_a", "role_b",
    "metric", "ci_method", "p_method", "direction", "pool_scale", "note", "group",
    "statistic", "raw_statistic", "scale", "section", "option", "category",
    "category_label", "theme", "theme_label", "roles", "institution", "country", "design",
    "mentor_level", "reconstructed", "doi", "response_rate_note", "detectable_scale"})


def shared_index(shared: pd.DataFrame) -> dict:
    """``(program, year, item, option, group, statistic) -> (value, shown, rule, decimals)``
    for the shared statistics of one or more cohorts."""
    programs = shared["program"] if "program" in shared else [""] * len(shared)
    years = shared["year"].astype(str) if "year" in shared else [""] * len(shared)
    return {(p, y, i, o, g, s): (v, t, r, d) for p, y, i, o, g, s, v, t, r, d in zip(
        programs, years, shared["item"], shared["option"].fillna("").astype(str),
        shared["group"], shared["statistic"], shared["value"], shared["shown"],
        shared["rule"], shared["decimals"], strict=True)}


def withheld_by_item(index: dict) -> dict:
    """``(program, year, item) -> [(option, group, statistic, rule)]`` of withheld values."""
    found: dict[tuple, list] = {}
    for (p, y, i, o, g, s), (_, _, rule, _) in index.items():
        if rule:
            found.setdefault((p, y, i), []).append((o, g, s, rule))
    return found


def comparison_rule(withheld: dict, cohort: tuple, item: str, a: str, b: str) -> str:
    """Why the comparison of groups ``a`` and ``b`` on ``item`` is withheld ('' if not):
    the rule of its withheld statistics, else that of a hidden cell of either group
    (``withheld``: :func:`withheld_by_item`)."""
    vs, rules = f"{a}_vs_{b}", []
    listed = withheld.get((*cohort, item), [])
    if any(g == vs and rule == "coarsened" for _, g, _, rule in listed):
        return "coarsened"
    for _, g, s, rule in listed:
        if g == vs and s != "p_holm":
            return rule
        if g in (a, b):
            rules.append("small group" if s == "n" and rule == "small cell" else rule)
    if "small group" in rules:
        return "small group"
    return "comparison" if rules else ""


#: Columns of an effects table kept, rounded, for a comparison the policy coarsened.
COARSE_COLUMNS = ("estimate", "ci_low", "ci_high", "pool_estimate", "pool_se")
#: Columns computed from the two group sizes alone (what a test of that size can detect:
#: :mod:`peermentor.analysis.precision`): shared wherever both sizes are, whatever the cells. The
#: detectable effect on a yes/no metric also uses a role's share, so it counts only on
#: the standardised-difference scale ``d``.
SIZE_COLUMNS = {"detectable_std": None, "detectable_effect": ("detectable_scale", "d")}


def _rounded(value) -> float:

    return rounded(float(value)) if pd.notna(value) else float("nan")


def withhold_comparisons(table: pd.DataFrame, shared: pd.DataFrame,
                         threshold: int = DEFAULT_THRESHOLD,
                         sizes: dict[str, str] | None = None) -> pd.DataFrame:
    """Rows that compare two groups (``role_a``, ``role_b`` on ``item``), under the policy.

    A row whose comparison is withheld (:func:`comparison_rule`) keeps its labels
    (:data:`LABEL_COLUMNS`) and its group sizes as shared (``sizes``: column -> column
    naming the role); every other column is blanked, whatever it holds, and ``note`` says
    why. Rows of comparisons with no hidden cell are unchanged.

    >>> stats = pd.DataFrame({"program": "p", "year": "2024", "section": "s", "item": "y",
    ...     "option": "", "group": ["a", "a", "b", "b"], "statistic": ["n", "count"] * 2,
    ...     "value": [10, 8, 9, 3]})
    >>> program = {"roles": {"a": "A", "b": "B"}, "codebook": [{"id": "y", "type": "binary"}]}
    >>> effects = pd.DataFrame({"program": "p", "year": "2024", "item": "y", "role_a": "a",
    ...     "role_b": "b", "n_a": [10], "n_b": [9], "metric": "risk_ratio", "estimate": 2.4,
    ...     "new_column": 0.5, "note": ""})
    >>> out = withhold_comparisons(effects, share_stats(stats, program))
    >>> out[["n_a", "estimate", "new_column"]].values.tolist()
    [[10, nan, nan]]
    >>> out["note"].iloc[0][:58]
    'withheld: a test or effect size comparing groups whose tab'
    """
    sizes = sizes or {"n_a": "role_a", "n_b": "role_b"}
    out = table.copy()
    if threshold <= 1 or out.empty:
        return out
    index = shared_index(shared)
    withheld = withheld_by_item(index)
    blank = [c for c in out.columns if c not in LABEL_COLUMNS and c not in sizes]
    for column in [*blank, *sizes]:
        out[column] = out[column].astype(object)
    if "note" not in out:
        out["note"] = ""
    for i, row in table.iterrows():
        cohort = (str(row.get("program", "")), str(row.get("year", "")))
        sizes_shown = True
        for column, role in sizes.items():
            _, shown, _, _ = index.get((*cohort, row["item"], "", row[role], "n"),
                                       (None, "", "", None))
            if shown:
                out.at[i, column] = shown
                sizes_shown = False
        rule = comparison_rule(withheld, cohort, row["item"], row["role_a"], row["role_b"])
        # what the sizes alone give goes with a withheld size (small, or hidden so that a
        # small count cannot be worked out): a detectable d is a function of the two sizes
        keep = [c for c, when in SIZE_COLUMNS.items() if c in out and sizes_shown
                and rule != "small group" and (when is None or row.get(when[0]) == when[1])]
        if rule == "coarsened":
            for column in blank:
                if column not in keep:
                    out.at[i, column] = (_rounded(row[column]) if column in COARSE_COLUMNS
                                         else float("nan"))
            out.at[i, "note"] = f"coarsened: {rule_sentence(rule, threshold)}"
        elif rule:
            for column in blank:
                if column not in keep:
                    out.at[i, column] = float("nan")
            out.at[i, "note"] = f"withheld: {rule_sentence(rule, threshold)}"
    return out


#: Participation statistics: a reproduction row without an item is about the cohort.
PARTICIPATION_STATISTICS = ("invited", "paired", "responded", "analysed", "excluded",
                            "response_rate")


def _printed_decimals(precision: str) -> int | None:
    """Decimals of a printed number's precision (``exact``: 0 for a whole number).

    >>> [_printed_decimals(p) for p in ("exact", "1 decimal", "2 decimals", "p >= 0.05")]
    [0, 1, 2, None]
    """
    if precision == "exact":
        return 0
    head = precision.split(" ")
    if len(head) == 2 and head[0].isdigit() and head[1].startswith("decimal"):
        return int(head[0])
    return None


def share_reproduction(reproduction: pd.DataFrame, shared: pd.DataFrame,
                       threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Reproduction rows for sharing: the paper's number as printed, the pipeline's
    computed value only where it says nothing the paper and the shared statistics do not.

    ``published`` is the paper's own printed number and stays as printed. ``computed`` is
    kept as it is where the same statistic is shared with the same value (``shared``: the
    cohorts' :func:`share_stats`); otherwise, where it reproduces the printed number, it is
    shown at the printed precision (the paper's number again); otherwise it is withheld
    (:data:`SUPPRESSED`): a computed count, p-value or ratio the policy withholds elsewhere
    is not printed here either.

    >>> stats = pd.DataFrame({"program": "p", "year": "2020", "section": "participation",
    ...     "item": "participation", "option": "", "group": ["a", "b", "all"],
    ...     "statistic": "responded", "value": [14.0, 4.0, 18.0]})
    >>> shared = share_stats(stats, {"roles": {"a": "A", "b": "B"}})
    >>> rows = pd.DataFrame({"program": "p", "year": "2020", "statistic": "responded",
    ...     "item": "", "option": "", "group": ["b", "all", "a"],
    ...     "published": ["4", "", "14"], "computed": ["4", "18", "14"],
    ...     "precision": ["exact", "", "exact"],
    ...     "status": ["reproduced", "not published", "reproduced"]})
    >>> share_reproduction(rows, shared)["computed"].tolist()
    ['4', 'suppressed', '14']
    """
    out = reproduction.copy()
    if threshold <= 1 or out.empty:
        return out
    index = shared_index(shared)
    out["computed"] = out["computed"].astype(object)
    for i, row in reproduction.iterrows():
        text = row["computed"]
        if not isinstance(text, str) or text == "":
            continue
        item = row["item"] or ("participation" if row["statistic"] in
                               PARTICIPATION_STATISTICS else "")
        key = (str(row["program"]), str(row["year"]), item, row["option"], row["group"],
               row["statistic"])
        value, shown, _, decimals = index.get(key, (float("nan"), "", "", float("nan")))
        number = pd.to_numeric(text, errors="coerce")
        if (not shown and pd.notna(value) and pd.notna(number) and pd.isna(decimals)
                and math.isclose(float(number), float(value), rel_tol=1e-5, abs_tol=1e-9)):
            continue  # the shared statistics show this very number
        places = _printed_decimals(row["precision"])
        if row["status"] == "reproduced" and places is not None and pd.notna(number):
            out.at[i, "computed"] = f"{float(number):.{places}f}"
        else:
            out.at[i, "computed"] = SUPPRESSED
    return out


def _group_candidates(out: pd.DataFrame, at: dict, item: dict, group: str, decided: dict,
                      threshold: int, public: pd.DataFrame | None,
                      step: tuple | None = None):
    """Every distribution (levels, then the three parts) of one group's answers that fits
    what is shared about the group (``step``: the summary statistics a ladder step would
    show, coarsened; ``None``: those the table shows now); ``None`` when it cannot be
    enumerated."""

    scale = item["scale"]
    levels = list(range(int(scale["min"]), int(scale["max"]) + 1))
    get = lambda o, s: at.get((o, group, s))  # noqa: E731
    size = get("", "n")
    if size is None or size in decided:
        return None
    facts = _public_facts(public, item["id"], group)
    cells = [get(str(v), "count") for v in levels]
    if None in cells:
        return None
    if all(i not in decided for i in cells):
        facts["counts"] = {v: int(out.at[i, "value"]) for v, i in zip(levels, cells,
                                                                        strict=True)}
    else:
        # the marker says a count is small; "suppressed" (secondary) says nothing
        small = lambda ids: any(decided.get(i, ("", ""))[1] == "small cell"  # noqa: E731
                                for i in ids)
        facts["some_small"] = small(cells)
        parts = [get(p, "count") for p in LIKERT_PARTS]
        if None not in parts and all(i not in decided for i in parts):
            facts["parts"] = [int(out.at[i, "value"]) for i in parts]
        else:
            facts["parts_small"] = small(i for i in parts if i is not None)
    for statistic in ("mean", "sd", "median", "q1", "q3"):
        i = get("", statistic)
        if i is None or pd.isna(out.at[i, "value"]):
            continue
        if step is not None and statistic in step:
            coarse = statistic in ("mean", "sd")
            facts[statistic] = (round(float(out.at[i, "value"]), COARSE_DECIMALS)
                                if coarse else float(out.at[i, "value"]),
                                COARSE_DECIMALS if coarse else None)
        elif step is None and i not in decided:
            places = out.at[i, "decimals"]
            facts[statistic] = (float(out.at[i, "value"]),
                                None if pd.isna(places) else int(places))
    rows = likert_rows(int(out.at[size, "value"]), levels, facts, threshold)
    if rows is None:
        return None
    return np.column_stack([rows, np.array([likert_parts(r) for r in rows]).reshape(-1, 3)])


def _coarsened_comparisons(out: pd.DataFrame, decided: dict, codebook: dict, threshold: int,
                           pair: tuple) -> None:
    """Show the ratios (rounded) of a yes/no comparison whose table has a small cell,
    where the attack finds every small cell still open (:mod:`peermentor.publish.inference`).
    With both groups' sizes and one group's count shown, a 2x2 table has one free count,
    so this is rare: most such ratios pin it, at any useful precision."""

    a, b = pair
    vs = f"{a}_vs_{b}"
    for item_id, item in codebook.items():
        if item.get("type") != "binary":
            continue
        rows = out[out["item"] == item_id]
        at = _row_at(rows)
        held = {s: i for (o, g, s), i in at.items() if g == vs and s in COARSE_COMPARISON
                and decided.get(i, ("", ""))[1] == "comparison"}
        if not held:
            continue
        value = lambda o, g, s, at=at: float(out.at[at[(o, g, s)], "value"])  # noqa: E731
        sizes = [at.get(("", g, "n")) for g in (a, b)]
        if None in sizes or any(i in decided for i in sizes):
            continue
        n_a, n_b = (int(value("", g, "n")) for g in (a, b))
        truth = tuple(int(value("", g, "count")) for g in (a, b))
        domains = []
        for g, n in ((a, n_a), (b, n_b)):
            i = at[("", g, "count")]
            rule = decided.get(i, ("", ""))[1]
            domains.append([int(out.at[i, "value"])] if not rule else
                           list(range(1, min(threshold, n + 1))) if rule == "small cell"
                           else [0, *range(threshold, n + 1)])
        grid = [(x, y) for x in domains[0] for y in domains[1]]
        total = at.get(("", ALL, "count"))
        others = [g for (o, g, s) in at if s == "count" and o == "" and g not in
                  (a, b, ALL) and "_vs_" not in str(g)]
        if total is not None and total not in decided and not others:
            grid = [(x, y) for x, y in grid if x + y == int(out.at[total, "value"])]
        protected = [side for side, (g, n) in enumerate(((a, n_a), (b, n_b)))
                     if is_small(truth[side], threshold) or is_small(n - truth[side],
                                                                     threshold)]
        if binary_comparison_safe(grid, n_a, n_b, truth, protected):
            for i in held.values():
                del decided[i]
                out.at[i, "value"] = rounded(float(out.at[i, "value"]))
                out.at[i, "decimals"] = float(COMPARISON_DECIMALS)
                out.at[i, "rule"] = "coarsened"


def _printed_counts(public: pd.DataFrame | None) -> dict[str, dict]:
    """Counts the paper prints exactly: ``item -> {(option, group, statistic): value}``."""
    found: dict[str, dict] = {}
    if public is None or public.empty:
        return found
    for _, row in public.iterrows():
        if row["status"] not in ("reproduced", "assumed") or row["precision"] != "exact":
            continue
        value = pd.to_numeric(row["published"], errors="coerce")
        if pd.isna(value) or not is_cell(row["statistic"]):
            continue
        item = row["item"] or ("participation" if row["statistic"] in
                               PARTICIPATION_STATISTICS else "")
        found.setdefault(item, {})[(row["option"], row["group"], row["statistic"])] = float(
            value)
    return found


def pinned_counts(kind: str, cells: dict, state: dict, known: set,
                  rates: list[tuple], threshold: int, protect: set) -> set:
    """The small counts of one table that what is shown pins down (the policy's own
    attack before it publishes a table; :func:`peermentor.publish.disclosure.attack_cohort` attacks
    the result).

    ``cells``: every count, ``(option, group, statistic) -> value``; ``state``: how each
    is shown (``exact``, ``small`` for the marker, ``not small`` for a cell hidden to
    protect another, ``any`` for one hidden without a hint); ``known``: counts the paper
    prints; ``rates``: shown percentages ``(count key, total key, value)``; ``protect``:
    the counts to keep open. A count the paper's numbers and the group sizes alone pin
    is the paper's disclosure and is not returned.

    >>> cells = {("", "a", "n"): 10, ("", "a", "count"): 3, ("", "a", "no"): 7}
    >>> state = {("", "a", "n"): "exact", ("", "a", "count"): "small",
    ...          ("", "a", "no"): "exact"}
    >>> pinned_counts("binary", cells, state, set(), [], 5, {("", "a", "count")})
    {('', 'a', 'count')}
    """
    targets = [k for k in cells if k in protect and k not in known and state[k] != "exact"]
    targets += [k for k in cells if k[2].startswith("no") and is_small(cells[k], threshold)
                and k not in targets]
    if not targets:
        return set()

    top = attacker_bound([v for k, v in cells.items() if state[k] == "exact" or k in known],
                         cells)

    def problem(full: bool) -> tuple[Attack, dict]:
        attack = Attack()
        var = {key: attack.var(key, 0, top) for key in cells}
        groups = list(dict.fromkeys(g for _, g, _ in cells))
        for total, parts, _ in _sums(kind, cells, groups):
            if all(k in cells for k in (total, *parts)) and math.isclose(
                    cells[total], sum(cells[k] for k in parts)):
                attack.equal({var[total]: -1, **{var[k]: 1 for k in parts}}, 0)
        for key, j in var.items():
            if key in known or (state[key] == "exact" and (full or key[2] in (
                    "n", "responded"))):
                attack.fix(j, cells[key])
            elif full and state[key] == "small":
                attack.between(j, 1, threshold - 1)
            elif full and state[key] == "not small":
                attack.outside(j, 1, threshold - 1)
        if full:
            for count, total, value in rates:
                slack = 1e-7
                attack.add({var[count]: 100, var[total]: -(value + slack)}, -np.inf, 0)
                attack.add({var[count]: 100, var[total]: -(value - slack)}, 0, np.inf)
        return attack, var

    attack, var = problem(True)
    found = set()
    paper = None
    for key in targets:
        bounds = attack.range(var[key])
        if bounds is None or bounds[0] != bounds[1]:
            continue
        if paper is None:
            paper = problem(False)
        public = paper[0].range(paper[1][key])
        if public is None or public[0] != public[1]:
            found.add(key)
    return found
