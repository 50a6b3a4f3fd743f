"""The pipeline attacks its own outputs: which hidden counts can be worked out?

An attacker who reads everything the pipeline shares knows, for each hidden count
(a cell shown as ``<5``, ``suppressed``, or never printed, like how many chose each
answer of a Likert item), every equation and rounded statistic it enters. This module
enumerates, for each hidden cell, the values consistent with all of it (the attacker's
problem, as sdcTable's ``attack()`` and tau-argus's audit pose it for sums; here also for
percentages, means, SDs and quantiles at their printed precision). A hidden cell with a
single consistent value is *disclosed*.

The mathematics (the distributions of a Likert group's answers that fit what is shown,
the integer programme for each hidden count) is :mod:`peermentor.publish.inference`'s, which the
disclosure policy (:mod:`peermentor.publish.privacy`) also uses before it shows a number; this
module reads a run's shared tables and sets the problem up for each cohort.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from peermentor.analysis.precision import detectable_fields
from peermentor.analysis.stats import read_stats
from peermentor.publish.inference import (
    COMPARISON_DECIMALS,
    MAX_SELECTORS,
    Attack,
    attacker_bound,
    likert_rows,
)
from peermentor.publish.privacy import (
    COARSE_COLUMNS,
    DEFAULT_THRESHOLD,
    LABEL_COLUMNS,
    PARTICIPATION_STATISTICS,
    SHARE_STATISTICS,
    SIZE_COLUMNS,
    _kind,
    _printed_decimals,
    _size_key,
    _sums,
    _with_category_totals,
    _with_likert_parts,
    comparison_rule,
    is_cell,
    is_small,
    rule_sentence,
    shared_index,
    with_implied_cells,
    withheld_by_item,
)

FINDING_COLUMNS = ["output", "program", "year", "item", "option", "group", "statistic",
                   "verdict", "possible", "withheld", "why"]
#: Verdicts: a hidden cell an attacker cannot pin down; one the paper's own printed
#: numbers pin down (not the pipeline's doing); one the shared outputs pin down (the build
#: fails); a shared number the policy should have withheld (the build fails); a value the
#: policy withholds or coarsens (a record of what and why).
PROTECTED, PUBLIC, DISCLOSED, POLICY, WITHHELD = (
    "protected", "public", "disclosed", "policy", "withheld")
#: Bound on a count that nothing shown bounds (the attacker knows counts are finite).
def _decimals_of(text: str) -> int | None:
    """Decimals printed in a number's text (``None`` when it is not a plain number).

    >>> _decimals_of("0.68"), _decimals_of("4"), _decimals_of("n/a")
    (2, 0, None)
    """
    text = str(text).strip()
    try:
        float(text)
    except ValueError:
        return None
    return len(text.split(".", 1)[1]) if "." in text else 0


def _facts(shared: pd.DataFrame, reproduction: pd.DataFrame | None,
           truth: dict | None = None) -> dict:
    """What the shared outputs tell of one cohort, by ``(item, option, group, statistic)``:
    ``[(kind, value, decimals, output)]`` with kind ``value`` (a number, at ``decimals``
    or as stored when ``None``), ``small`` (the marker: 1 to t - 1), ``not small`` (hidden
    to protect another: 0 or t and more) or ``public`` (the paper's printed number)."""
    facts: dict[tuple, list] = {}
    for item, option, group, statistic, value, shown, rule, places in zip(
            shared["item"], shared["option"].fillna("").astype(str), shared["group"],
            shared["statistic"], shared["value"], shared["shown"], shared["rule"],
            shared["decimals"], strict=True):
        key = (item, option, group, statistic)
        if shown == "":
            if pd.notna(value):
                facts.setdefault(key, []).append(
                    ("value", float(value), None if pd.isna(places) else int(places),
                     "shared_stats.csv"))
        elif shown.startswith("<"):
            facts.setdefault(key, []).append(("small", None, None, "shared_stats.csv"))
        elif rule == "complementary":
            facts.setdefault(key, []).append(("not small", None, None, "shared_stats.csv"))
    if reproduction is not None:
        for _, row in reproduction.iterrows():
            item = row["item"] or ("participation" if row["statistic"] in
                                   PARTICIPATION_STATISTICS else "")
            key = (item, row["option"], row["group"], row["statistic"])
            # a printed number about another quantity than the statistic of that name
            # (UNC's "95% of all students" counts the excluded too) says nothing of it
            value = (truth or {}).get(key)
            if value is None or not math.isfinite(value):
                continue
            places = _decimals_of(row["computed"])
            printed = _printed_decimals(str(row["precision"]))
            published = row["status"] in ("reproduced", "assumed") and printed is not None \
                and _decimals_of(row["published"]) is not None
            if published and abs(float(row["published"]) - value) <= 0.5 * 10.0 ** -printed \
                    + 1e-9:
                facts.setdefault(key, []).append(
                    ("public", float(row["published"]), printed, "reproduction.csv"))
                if places is not None and float(row["computed"]) == float(row["published"]):
                    continue  # the paper's own number, printed again
            if places is not None and abs(float(row["computed"]) - value) <= 0.5 * \
                    10.0 ** -places + 1e-9:
                facts.setdefault(key, []).append(
                    ("value", float(row["computed"]), places, "reproduction.csv"))
    return facts


def _truth_cells(rows: pd.DataFrame, kind: str) -> dict:
    """Every count of one table as computed (the cells an attacker is after), with the
    counts the shared tables imply (who said no, the parts a figure draws, totals)."""
    cells = {(o, g, s): float(v) for o, g, s, v in zip(
        rows["option"], rows["group"], rows["statistic"], rows["value"], strict=True)
        if is_cell(s) and "_vs_" not in str(g) and pd.notna(v)}
    return with_implied_cells(cells, kind)


def _percent_facts(attack: Attack, var: dict, facts: dict, item: str, cells: dict,
                   kinds: tuple = ("value", "public")) -> None:
    """A shown percentage (or rate) ties its count to its total: 100 count / total."""
    for (i, option, group, statistic), found in facts.items():
        if i != item:
            continue
        if statistic in SHARE_STATISTICS:
            count, total = (option, group, SHARE_STATISTICS[statistic]), _size_key(
                cells, option, group)
        elif statistic == "response_rate":
            count, total = ("", group, "responded"), ("", group, "invited")
        else:
            continue
        if count not in var or total not in var:
            continue
        for kind, value, places, _ in found:
            if kind not in kinds:
                continue
            slack = 1e-7 if places is None else 0.5 * 10.0 ** -places + 1e-9
            attack.add({var[count]: 100, var[total]: -(value + slack)}, -np.inf, 0)
            attack.add({var[count]: 100, var[total]: -(value - slack)}, 0, np.inf)


def _likert_facts(attack: Attack, var: dict, facts: dict, item: str, group: str,
                  levels: list[int], threshold: int, kinds=("value",)) -> bool:
    """A group's shown mean, SD, median and quartiles: the distributions that fit them,
    one selector each (or the range of each level when there are very many). False when
    they cannot be enumerated (the check then cannot vouch for them)."""
    summary, ours = {}, False
    for statistic in ("mean", "sd", "median", "q1", "q3"):
        for kind, value, places, _ in facts.get((item, "", group, statistic), []):
            if kind in kinds:
                summary[statistic] = (value, places)
                ours |= kind == "value"
    size = [v for kind, v, _, _ in facts.get((item, "", group, "n"), []) if kind == "value"]
    if not summary:
        return True
    if not size:
        # only the paper's numbers, about a group whose size is not shown: they cannot be
        # read without it (and are the paper's to answer for); ours would be a bug
        return not ours
    found = likert_rows(int(size[0]), levels, summary, threshold)
    if found is None:
        return False
    columns = [var[(str(level), group, "count")] for level in levels]
    if len(found) <= MAX_SELECTORS:
        chosen = [attack.var(("distribution", group, c), 0, 1) for c in range(len(found))]
        attack.equal(dict.fromkeys(chosen, 1), 1)
        for j, column in enumerate(columns):
            attack.equal({column: -1, **{z: int(found[c, j]) for c, z in enumerate(chosen)
                                         if found[c, j]}}, 0)
    else:
        for j, column in enumerate(columns):
            attack.between(column, int(found[:, j].min()), int(found[:, j].max()))
    return True


def _table_attack(kind: str, item: str, cells: dict, facts: dict, threshold: int,
                  codebook: dict, public_only: bool = False) -> tuple[Attack, dict, bool]:
    """The attacker's problem for one table: its counts as variables, the identities
    between them, and every fact the outputs (or, ``public_only``, the paper) give."""
    attack = Attack()
    shown = [f[1] for k in cells for f in facts.get((item, *k), [])
             if f[0] in ("value", "public")]
    var = {key: attack.var(key, 0, attacker_bound(shown, cells)) for key in cells}
    groups = list(dict.fromkeys(g for _, g, _ in cells))
    for total, parts, _ in _sums(kind, cells, groups):
        keys = [total, *parts]
        if all(k in cells for k in keys) and math.isclose(
                cells[total], sum(cells[k] for k in parts)):
            attack.equal({var[total]: -1, **{var[k]: 1 for k in parts}}, 0)
    wanted = ("public",) if public_only else ("value", "public")
    for key, j in var.items():
        for fact, value, _, _ in facts.get((item, *key), []):
            # the paper's numbers read with the group sizes shown (not small: shareable)
            size = public_only and fact == "value" and key[2] in ("n", "responded")
            if fact in wanted or size:
                attack.fix(j, value)
            elif fact == "small" and not public_only:
                attack.between(j, 1, threshold - 1)
            elif fact == "not small" and not public_only:
                attack.outside(j, 1, threshold - 1)
    _percent_facts(attack, var, facts, item, cells, wanted)
    vouched = True
    if kind == "likert":
        scale = codebook[item]["scale"]
        levels = list(range(int(scale["min"]), int(scale["max"]) + 1))
        for group in groups:
            if "_vs_" not in str(group) and all((str(v), group, "count") in var
                                                for v in levels):
                vouched &= _likert_facts(attack, var, facts, item, group, levels, threshold,
                                         wanted)
    return attack, var, vouched


def _possible(found: tuple[int, int]) -> str:
    low, high = found
    return str(low) if low == high else f"{low} to {high}"


def attack_cohort(stats: pd.DataFrame, shared: pd.DataFrame, program: dict,
                  threshold: int = DEFAULT_THRESHOLD,
                  reproduction: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every protected cell of one cohort attacked with everything shared about it.

    ``stats``: the cohort's own statistics (which cells are small: the attacker does not
    have them); ``shared``: its :func:`peermentor.publish.privacy.share_stats` table (what the
    report, figures and comparison tables show); ``reproduction``: its rows of the shared
    ``reproduction.csv`` (computed values, and the paper's printed numbers, which count as
    public). A cell is protected when the policy hid it as small or as part of a small
    group, or when it is a small count the shared cells imply (who said no). Returns one
    finding per protected cell (:data:`FINDING_COLUMNS`): ``protected`` with the values
    still possible, ``public`` when the paper's numbers alone pin it, ``disclosed`` when
    what the pipeline shares pins it, and ``policy`` for a shared statistic of a
    comparison with a hidden cell.
    """
    found = []
    if threshold <= 1:
        return pd.DataFrame(found, columns=FINDING_COLUMNS)
    values = {(i, o, g, s): float(v) for i, o, g, s, v in zip(
        stats["item"], stats["option"].fillna("").astype(str), stats["group"],
        stats["statistic"], stats["value"], strict=True) if pd.notna(v)}
    facts = _facts(shared, reproduction, values)
    codebook = {i["id"]: i for i in program.get("codebook", [])}
    truth = _with_category_totals(stats.assign(option=stats["option"].fillna("").astype(str)),
                                  list(program.get("roles", {})))
    truth = _with_likert_parts(truth, codebook)
    rules = {(i, o, g, s): r for i, o, g, s, r in zip(
        shared["item"], shared["option"].fillna("").astype(str), shared["group"],
        shared["statistic"], shared["rule"], strict=True)}
    cohort = (str(program.get("program", "")), str(stats["year"].iloc[0])
              if "year" in stats and len(stats) else "")
    for (section, item), rows in truth.groupby(["section", "item"], sort=False):
        kind = _kind(section, item, codebook)
        cells = _truth_cells(rows, kind)
        hidden = {k for k in cells if rules.get((item, *k), "") or k[2] in ("no",)
                  and is_small(cells[k], threshold)}
        protected = [k for k in cells if (is_small(cells[k], threshold) and (
            rules.get((item, *k)) in ("small cell", "distribution", "small group", "masked")
            or k[2].startswith("no"))) or rules.get((item, *k)) == "small group"]
        for (i, option, group, statistic), listed in facts.items():
            if i != item or "_vs_" not in str(group) or statistic == "p_holm":
                continue
            a, _, b = str(group).partition("_vs_")
            # a coarsened effect size is shown by the policy only after its own attack
            # on every pair of distributions (peermentor.publish.privacy._likert_ladder)
            coarsened = rules.get((item, option, group, statistic)) == "coarsened"
            if not coarsened and any(kind_ == "value" for kind_, *_ in listed) and any(
                    k[1] in (a, b) for k in hidden):
                found.append([listed[0][3], *cohort, item, option, group, statistic, POLICY,
                              "", "", "a statistic of a comparison whose table has a "
                              "hidden cell is shown"])
        small_groups = {g for (o, g, s), v in cells.items()
                        if o == "" and s in ("n", "responded") and is_small(v, threshold)}
        for (i, option, group, statistic), listed in facts.items():
            if i == item and group in small_groups and not is_cell(statistic) and any(
                    kind_ == "value" for kind_, *_ in listed):
                found.append([listed[0][3], *cohort, item, option, group, statistic, POLICY,
                              "", "", f"a statistic of a group of fewer than {threshold} "
                              "is shown"])
        if not protected:
            continue
        attack, var, vouched = _table_attack(kind, item, cells, facts, threshold, codebook)
        if not vouched:
            found += [["shared_stats.csv", *cohort, item, *k, POLICY, "", "",
                       "summary statistics shown that the check cannot enumerate"]
                      for k in protected]
            continue
        for key in protected:
            bounds = attack.range(var[key])
            if bounds is None:
                found.append(["shared_stats.csv", *cohort, item, *key, POLICY, "", "",
                              "the shared values contradict each other (a check error)"])
                continue
            verdict, why = PROTECTED, "at least two values fit everything shared"
            if bounds[0] == bounds[1]:
                paper, paper_var, _ = _table_attack(kind, item, cells, facts, threshold,
                                                    codebook, public_only=True)
                public = paper.range(paper_var[key])
                if public is not None and public[0] == public[1]:
                    verdict, why = PUBLIC, "the paper's printed numbers alone pin it"
                else:
                    verdict, why = DISCLOSED, "only one value fits everything shared"
            found.append(["shared_stats.csv", *cohort, item, *key, verdict,
                          _possible(bounds), rules.get((item, *key), "") or "implied",
                          why])
    return pd.DataFrame(found, columns=FINDING_COLUMNS)


# --------------------------------------------------------------------------------------
# Every shared output against the policy, then the attack, for a whole run
# --------------------------------------------------------------------------------------


def _number(text) -> float | None:
    """A CSV cell as a number (None: blank, a marker or text)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _shown_value(index: dict, key: tuple) -> tuple[float | None, str]:
    """``(number shown or None, marker or '')`` of one shared statistic."""
    value, shown, _, _ = index.get(key, (float("nan"), "", "", float("nan")))
    return (None if shown or pd.isna(value) else float(value)), shown


def _agrees(csv_value: float, shared_value: float | None, text: str | None = None) -> bool:
    """Is a table's number the shared one, as the table prints it (its decimals)?"""
    if shared_value is None:
        return False
    places = _decimals_of(text) if text is not None else None
    if places is not None and abs(csv_value - shared_value) <= 0.5 * 10.0 ** -places + 1e-9:
        return True
    return math.isclose(csv_value, shared_value, rel_tol=1e-4, abs_tol=1e-4)


def check_tables(tables: dict[str, pd.DataFrame], shared: pd.DataFrame,
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Every number of the comparison tables is one the policy shares, or computed from
    shared numbers only (a percentage's interval from n and its marker, a coarsened mean's
    interval from the rounded mean and SD). ``tables``: file name -> table as read (text).
    Returns ``policy`` findings naming output, cohort, item and column."""
    found = []
    index = shared_index(shared)

    def finding(output, row, item, group, column, why):
        found.append([output, row["program"], str(row["year"]), item, "", group, column,
                      POLICY, str(row[column]), "", why])

    for name, check in TABLE_CHECKS.items():
        if tables.get(name) is not None:
            check(tables[name], index, threshold, finding)
    return pd.DataFrame(found, columns=FINDING_COLUMNS)


def _check_studies(studies: pd.DataFrame, index: dict, threshold: int, finding) -> None:
    """Each participation number of studies.csv is the shared one; a cohort with a
    hidden count shows no number the policy does not know."""
    for _, row in studies.iterrows():
        cohort = (row["program"], str(row["year"]))
        hidden = any(k[:3] == (*cohort, "participation") and v[1] for k, v in index.items())
        for column in studies.columns:
            number = _number(row[column])
            if column in LABEL_COLUMNS or number is None:
                continue
            statistic, _, role = column.partition("_")
            if column == "response_rate" or statistic not in PARTICIPATION_STATISTICS:
                statistic, role = (column, "all") if column in PARTICIPATION_STATISTICS \
                    else (None, None)
            if statistic is None:
                if hidden:
                    finding("studies.csv", row, "participation", "", column,
                            "a number the policy does not know, for a cohort with a "
                            "hidden count")
                continue
            value, _ = _shown_value(index, (*cohort, "participation", "", role or "all",
                                            statistic))
            if not _agrees(number, value, row[column]):
                finding("studies.csv", row, "participation", role or "all", column,
                        "shown here but withheld (or different) in the shared statistics")


def _check_outcomes(outcomes: pd.DataFrame, index: dict, threshold: int, finding) -> None:
    """n, count and value of outcomes.csv are the shared ones, and each interval is
    computed from what is shown alone."""
    for _, row in outcomes.iterrows():
        key = (row["program"], str(row["year"]), row["item"], "", row["group"])
        n_value, _ = _shown_value(index, (*key, "n"))
        binary = row["statistic"] == "percent_positive"
        shown_value, _ = _shown_value(index, (*key, "percent" if binary else "mean"))
        for column in ("n", "count", "raw_value"):
            number = _number(row[column])
            if number is None:
                continue
            reference = {"n": n_value, "count": _shown_value(index, (*key, "count"))[0],
                         "raw_value": shown_value}[column]
            if not _agrees(number, reference, row[column]):
                finding("outcomes.csv", row, row["item"], row["group"], column,
                        "shown here but withheld (or different) in the shared statistics")
        low, high = _number(row["ci_low"]), _number(row["ci_high"])
        if low is None or high is None:
            continue
        if binary == (shown_value is not None):
            continue  # a shown percentage: its Wilson interval is n and count's
        expected = _interval_from_shown(row, index, key, n_value, shown_value, threshold)
        if expected is None or not (_agrees(low, expected[0]) and _agrees(high,
                                                                            expected[1])):
            finding("outcomes.csv", row, row["item"], row["group"], "ci_low",
                    "an interval not computed from what is shown alone")


def _interval_from_shown(row, index: dict, key: tuple, n_value: float | None,
                         shown_value: float | None, threshold: int) -> tuple | None:
    """The 0-100 interval an outcomes row may show where its value is hidden or rounded:
    for a hidden percentage, the Wilson intervals of every count its marker allows,
    joined; for a shown mean, the t-interval from the shown mean and SD. ``None`` where
    what is shown gives none."""
    if shown_value is None:  # a percentage withheld with its count
        count_shown = _shown_value(index, (*key, "count"))[1]
        possible = ([c for c in range(1, threshold)] if count_shown.startswith("<")
                    else [c for c in range(max(int(n_value or 0) - threshold + 1, 1),
                                           int(n_value or 0))])
        if not (n_value and possible):
            return None
        lows, highs = proportion_confint(possible, int(n_value), alpha=0.05,
                                         method="wilson")
        return 100 * float(min(lows)), 100 * float(max(highs))
    sd, _ = _shown_value(index, (*key, "sd"))
    if sd is None or not n_value or n_value <= 1:
        return None
    scale = [float(x) for x in str(row["scale"]).split("-")]
    half = float(sps.t.ppf(0.975, n_value - 1)) * sd / math.sqrt(n_value)
    return tuple(100 * (v - scale[0]) / (scale[1] - scale[0])
                 for v in (shown_value - half, shown_value + half))


def _check_effects(effects: pd.DataFrame, index: dict, threshold: int, finding) -> None:
    """Group sizes of effects.csv are the shared ones; a comparison whose table has a
    hidden cell shows only what its rule allows (rounded effect sizes where coarsened,
    what the two sizes alone give)."""
    withheld = withheld_by_item(index)
    for _, row in effects.iterrows():
        cohort = (row["program"], str(row["year"]))
        for column, role in (("n_a", "role_a"), ("n_b", "role_b")):
            number = _number(row[column])
            value, _ = _shown_value(index, (*cohort, row["item"], "", row[role], "n"))
            if number is not None and not _agrees(number, value):
                finding("effects.csv", row, row["item"], row[role], column,
                        "a group size the shared statistics withhold")
        rule = comparison_rule(withheld, cohort, row["item"], row["role_a"], row["role_b"])
        if not rule:
            continue
        sizes = _size_only(row)
        for column in effects.columns:
            if column in LABEL_COLUMNS or column in ("n_a", "n_b") or _number(
                    row[column]) is None:
                continue
            if rule == "coarsened" and column in COARSE_COLUMNS and \
                    _decimals_of(row[column]) <= COMPARISON_DECIMALS:
                continue  # checked by the attack on the rounded effect sizes
            if column in sizes and _agrees(_number(row[column]), sizes[column]):
                continue  # computed from the two group sizes alone
            finding("effects.csv", row, row["item"], row["comparison"], column,
                    "a statistic of a comparison whose table has a hidden cell")


def _check_themes(themes: pd.DataFrame, index: dict, threshold: int, finding) -> None:
    """Each theme's segment total of themes.csv is the shared one."""
    for _, row in themes.iterrows():
        number = _number(row["segments"])
        value, _ = _shown_value(index, (row["program"], str(row["year"]),
                                        row["category"], "", "all", "segments"))
        if number is not None and not _agrees(number, value):
            finding("themes.csv", row, row["category"], "all", "segments",
                    "a total the shared statistics withhold")


#: The comparison tables :func:`check_tables` reads, each with its check.
TABLE_CHECKS = {"studies.csv": _check_studies, "outcomes.csv": _check_outcomes,
                "effects.csv": _check_effects, "themes.csv": _check_themes}


def withheld_records(shared: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per value the policy withheld or coarsened: what, and why."""
    rows = shared[shared["rule"] != ""]
    records = pd.DataFrame({
        "output": "shared_stats.csv", "program": rows.get("program", ""),
        "year": rows["year"].astype(str) if "year" in rows else "", "item": rows["item"],
        "option": rows["option"], "group": rows["group"], "statistic": rows["statistic"],
        "verdict": WITHHELD, "possible": "",
        "withheld": [f"to {int(d)} decimal(s)" if r == "coarsened" else s
                     for r, s, d in zip(rows["rule"], rows["shown"], rows["decimals"],
                                        strict=True)],
        "why": [rule_sentence(r, threshold) for r in rows["rule"]]})
    return records[FINDING_COLUMNS]


def check_run(cohorts: list[tuple[str, str, str | Path, str | Path]],
              tables: list[str | Path], reproduction: str | Path | None,
              programs: dict[str, dict], threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The disclosure check of a whole run: every cohort's protected cells attacked with
    everything the run shares, and every shared table held against the policy.

    ``cohorts``: ``(program, year, stats.csv, shared_stats.csv)`` of each cohort (which
    cells are small, and what is shared of them); ``tables``: the comparison tables
    shared (``studies.csv``, ``outcomes.csv``, ``effects.csv``, ``themes.csv``, known by
    file name); ``reproduction``: ``reproduction.csv``, or None. Returns the findings
    (:data:`FINDING_COLUMNS`), sorted; the build fails on any ``disclosed`` or ``policy``
    finding (:func:`failures`).
    """
    read = lambda path: pd.read_csv(path, dtype=str, keep_default_na=False)  # noqa: E731
    tables = {Path(path).name: read(path) for path in tables if Path(path).is_file()}
    reproduction = (read(reproduction) if reproduction is not None
                    and Path(reproduction).is_file() else None)
    found, shared_all = [], []
    for program, year, stats_path, shared_path in cohorts:
        stats = read_stats([stats_path])
        shared = read_stats([shared_path])
        shared_all.append(shared)
        rows = None
        if reproduction is not None:
            rows = reproduction[(reproduction["program"] == program)
                                & (reproduction["year"] == year)]
        found.append(attack_cohort(stats, shared, programs[program], threshold, rows))
        found.append(withheld_records(shared, threshold))
    if shared_all:
        found.append(check_tables(tables, pd.concat(shared_all, ignore_index=True),
                                  threshold))
    table = pd.concat([f for f in found if len(f)], ignore_index=True) if any(
        len(f) for f in found) else pd.DataFrame(columns=FINDING_COLUMNS)
    order = {DISCLOSED: 0, POLICY: 1, PUBLIC: 2, PROTECTED: 3, WITHHELD: 4}
    table = table.assign(_order=table["verdict"].map(order)).sort_values(
        ["_order", "program", "year", "item", "group", "option", "statistic", "output"],
        kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def failures(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that stop the build: a hidden cell pinned, a value the policy withholds
    shown."""
    return findings[findings["verdict"].isin([DISCLOSED, POLICY])]


def describe(row) -> str:
    """One finding in words, naming output and cell."""
    cell = ", ".join(f"{k} {row[k]}" for k in ("option", "group", "statistic") if row[k])
    possible = f" (value {row['possible']})" if row["possible"] else ""
    return (f"{row['output']}: {row['program']} {row['year']}, item {row['item']}, {cell}: "
            f"{row['verdict']}{possible}: {row['why']}")


def summary_line(findings: pd.DataFrame) -> str:
    """One line for the log and the site: how many hidden counts were attacked, and what
    came of it.

    >>> summary_line(pd.DataFrame({"verdict": ["protected", "withheld", "public"]}))[:50]
    '2 hidden counts attacked: 1 protected, 1 pinned by'
    """
    counts = findings["verdict"].value_counts()
    attacked = int(sum(counts.get(v, 0) for v in (PROTECTED, PUBLIC, DISCLOSED)))
    line = (f"{attacked} hidden counts attacked: {counts.get(PROTECTED, 0)} protected, "
            f"{counts.get(PUBLIC, 0)} pinned by the papers' own printed numbers, "
            f"{counts.get(DISCLOSED, 0)} disclosed; {counts.get(WITHHELD, 0)} shared values "
            "withheld or rounded")
    if counts.get(POLICY, 0):
        line += f"; {counts[POLICY]} shown that the policy withholds"
    return line



def _size_only(row) -> dict[str, float]:
    """The columns of an effects row that the two group sizes alone give (what a test of
    that size can detect), recomputed from the shown sizes."""
    n_a, n_b = _number(row["n_a"]), _number(row["n_b"])
    if n_a is None or n_b is None:
        return {}
    fields = detectable_fields(row["metric"], int(n_a), int(n_b))
    found = {c: float(fields[c]) for c, when in SIZE_COLUMNS.items()
             if c in fields and (when is None or fields.get(when[0]) == when[1])}
    return {c: v for c, v in found.items() if math.isfinite(v)}
