"""Readable tables for the cohort notebook, reshaped from the tidy ``stats`` table.

Each function takes the tidy statistics of one cohort (see
:func:`peermentor.stats.analyse_cohort`) and the programme dict and returns a
small wide DataFrame meant for display; none computes a statistic.

These tables are meant for sharing, so every count from 1 to ``threshold - 1``
is shown as ``<threshold`` and the percentage computed from it is withheld
(:mod:`peermentor.privacy`); :func:`suppression_note` states the rule for
the line under a table.

>>> import pandas as pd
>>> stats = pd.DataFrame({"section": ["participation"] * 2, "item": ["participation"] * 2,
...     "option": ["", ""], "group": ["all", "all"], "statistic": ["invited", "responded"],
...     "value": [10.0, 7.0]})
>>> participation_table(stats, {"roles": {"mentor": "Mentors"}}).loc["Responded", "All"]
'7'
>>> participation_table(stats.assign(value=[10.0, 3.0]), {"roles": {}}).loc["Responded", "All"]
'<5'
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from peermentor.config import group_label, items_of_type
from peermentor.privacy import DEFAULT_THRESHOLD, SUPPRESSED, is_small, marker, rule_text

PARTICIPATION_ROWS = {
    "invited": "Invited",
    "responded": "Responded",
    "analysed": "Analysed",
    "excluded": "Excluded",
    "response_rate": "Response rate (%)",
}


def _fmt(value: float, digits: int = 1) -> str:
    if pd.isna(value):
        return ""
    if float(value).is_integer() and digits <= 1:
        return f"{int(value)}"
    return f"{value:.{digits}f}"


def _count(value: float, threshold: int) -> str:
    """A count as displayed: the marker when it is small (1 to threshold - 1)."""
    return marker(threshold) if is_small(value, threshold) else _fmt(value)


def suppression_note(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The small-cell rule, in words, for the line under a displayed table."""
    return f"*{rule_text(threshold)}*"


def _p(value: float) -> str:
    if pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _lookup(stats: pd.DataFrame) -> dict:
    keyed = stats.assign(option=stats["option"].fillna("").astype(str))
    return {
        (r.item, r.option, r.group, r.statistic): r.value
        for r in keyed.itertuples(index=False)
    }


def _stat(values: dict, item_id: str, option: str, group: str, statistic: str) -> float:
    return values.get((item_id, option, group, statistic), float("nan"))


def _groups_of(stats: pd.DataFrame, item_id: str, program: dict) -> list[str]:
    present = set(stats.loc[stats["item"] == item_id, "group"])
    order = [*program["roles"], "all"]
    return [g for g in order if g in present]


def _display_frame(rows: list[dict], index: list[str]) -> pd.DataFrame:
    """Rows as a frame indexed by its label columns, with blanks instead of NaN."""
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.fillna("").set_index(index)


def banner(program: dict, year: str | int) -> str:
    """Markdown heading for a cohort report; flags reconstructed or simulated data loudly."""
    lines = [
        f"# {program.get('title', program.get('program', ''))}: {year}",
        "",
        f"**{program.get('institution', '')}**, {program.get('country', '')}. "
        f"Design: {program.get('design', '')}.",
    ]
    if program.get("citation") or program.get("doi"):
        doi = f" doi:{program['doi']}" if program.get("doi") else ""
        lines += ["", f"Source: {program.get('citation', '')}{doi}"]
    if program.get("simulated"):
        lines += ["", "> **Simulated data, not real answers.** This cohort was written by "
                  "`python -m peermentor.simulate` from a model with known true effects."]
    if program.get("reconstructed"):
        lines += [
            "",
            "> **Reconstructed data, not real answers.** The respondent-level data behind "
            "this report were generated from the paper's published aggregates by "
            "`python -m peermentor.reconstruct` (see `data/raw/README.md`). Counts and "
            "percentages the paper prints are reproduced exactly, means and SDs within its "
            "rounding; everything else reflects assumptions, not the study.",
        ]
        if program.get("reconstruction_notes"):
            lines += ["", f"> {program['reconstruction_notes'].strip()}"]
    return "\n".join(lines)


def participation_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Invited, responded, analysed, excluded and response rate by role."""
    part = stats[stats["section"] == "participation"]
    values = _lookup(part)
    groups = _groups_of(part, "participation", program)
    table = {}
    for group in groups:
        get = partial(_stat, values, "participation", "", group)
        column = {
            label: _count(get(stat), threshold)
            for stat, label in PARTICIPATION_ROWS.items() if stat != "response_rate"
        }
        rate = get("response_rate")
        column[PARTICIPATION_ROWS["response_rate"]] = (
            SUPPRESSED if is_small(get("responded"), threshold) and pd.notna(rate) else _fmt(rate)
        )
        table[group_label(program, group)] = column
    return pd.DataFrame(table).loc[list(PARTICIPATION_ROWS.values())]


def _test_cells(values: dict, item_id: str, vs: str | None, kind: str) -> dict:
    if vs is None:
        return {}
    get = partial(_stat, values, item_id, "", vs)
    if kind == "likert":
        cells = {"U": _fmt(get("U")), "r (rank-biserial)": _fmt(get("rbc"), 2)}
    else:
        cells = {
            "Risk ratio [95% CI]": _ci(get("risk_ratio"), get("risk_ratio_ci_low"),
                                       get("risk_ratio_ci_high")),
            "Odds ratio [95% CI]": _ci(get("odds_ratio"), get("odds_ratio_ci_low"),
                                       get("odds_ratio_ci_high")),
        }
    cells["p"] = _p(get("p"))
    if kind == "likert":
        cells["p (Holm)"] = _p(get("p_holm"))
    return cells


def _ci(est: float, lo: float, hi: float) -> str:
    if pd.isna(est):
        return ""
    return f"{est:.2f} [{lo:.2f}, {hi:.2f}]"


def _vs_group(stats: pd.DataFrame, item_id: str) -> str | None:
    groups = stats.loc[stats["item"] == item_id, "group"]
    found = sorted({g for g in groups if "_vs_" in str(g)})
    return found[0] if found else None


def likert_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per Likert item: mean ± SD (n) and median [IQR] by role, then the role test."""
    values = _lookup(stats)
    rows = []
    for item in items_of_type(program, "likert"):
        row = {"Item": item["text"]}
        for group in _groups_of(stats, item["id"], program):
            get = partial(_stat, values, item["id"], "", group)
            label = group_label(program, group)
            row[f"{label}: mean ± SD (n)"] = (
                f"{get('mean'):.2f} ± {get('sd'):.2f} ({_count(get('n'), threshold)})"
            )
            row[f"{label}: median [IQR]"] = (
                f"{_fmt(get('median'))} [{_fmt(get('q1'))}–{_fmt(get('q3'))}]"
            )
        row.update(_test_cells(values, item["id"], _vs_group(stats, item["id"]), "likert"))
        rows.append(row)
    return _display_frame(rows, ["Item"])


def binary_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per yes/no item: count/n (%) by role, then Fisher exact p, risk and odds ratios."""
    values = _lookup(stats)
    rows = []
    for item in items_of_type(program, "binary"):
        row = {"Item": item["text"]}
        for group in _groups_of(stats, item["id"], program):
            get = partial(_stat, values, item["id"], "", group)
            count = get("count")
            percent = "" if is_small(count, threshold) else f" ({_fmt(get('percent'))}%)"
            row[group_label(program, group)] = (
                f"{_count(count, threshold)}/{_count(get('n'), threshold)}{percent}"
            )
        row.update(_test_cells(values, item["id"], _vs_group(stats, item["id"]), "binary"))
        rows.append(row)
    return _display_frame(rows, ["Item"])


def choice_table(
    stats: pd.DataFrame,
    program: dict,
    types=("single_choice",),
    demographics: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Per choice (single or multiple response): count (% of those answering) by role.

    The first row of each item gives the number who answered it in each group.

    ``demographics`` selects the items of section ``demographics`` (True) or
    every other item (False).
    """
    values = _lookup(stats)
    rows = []
    for item in items_of_type(program, *types):
        if (item.get("section") == "demographics") != demographics:
            continue
        groups = _groups_of(stats, item["id"], program)
        answered = {"Item": item["text"], "Option": "(answered, n)"}
        for group in groups:
            n = _stat(values, item["id"], "", group, "n")
            answered[group_label(program, group)] = _count(n, threshold)
        rows.append(answered)
        for code, label in item["choices"].items():
            row = {"Item": item["text"], "Option": label}
            for group in groups:
                get = partial(_stat, values, item["id"], code, group)
                count, pct = get("count"), get("percent")
                hide = pd.isna(pct) or is_small(count, threshold)
                row[group_label(program, group)] = _count(count, threshold) + (
                    "" if hide else f" ({_fmt(pct)}%)"
                )
            rows.append(row)
        vs = _vs_group(stats, item["id"])
        if vs is not None:
            first_row = rows[-len(item["choices"]) - 1]
            first_row[f"p ({group_label(program, vs)})"] = _p(
                values.get((item["id"], "", vs, "p"), float("nan"))
            )
    return _display_frame(rows, ["Item", "Option"])


def numeric_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per numeric item: mean ± SD, median (n) by role, then the Mann-Whitney p."""
    values = _lookup(stats)
    rows = []
    for item in items_of_type(program, "numeric"):
        row = {"Item": item["text"]}
        for group in _groups_of(stats, item["id"], program):
            get = partial(_stat, values, item["id"], "", group)
            row[group_label(program, group)] = (
                f"{get('mean'):.1f} ± {get('sd'):.1f}, median {_fmt(get('median'))} "
                f"(n={_count(get('n'), threshold)})"
            )
        vs = _vs_group(stats, item["id"])
        if vs is not None:
            row[f"p ({group_label(program, vs)})"] = _p(_stat(values, item["id"], "", vs, "p"))
        rows.append(row)
    return _display_frame(rows, ["Item"])


def ranking_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per ranked option: mean rank, share ranked first and Borda position by role.

    The share ranked first is withheld when it stands for 1 to threshold - 1 people.
    """
    values = _lookup(stats)
    rows = []
    for item in items_of_type(program, "ranking"):
        for group in _groups_of(stats, item["id"], program):
            n = _stat(values, item["id"], "", group, "n")
            for code, label in item["choices"].items():
                get = partial(_stat, values, item["id"], code, group)
                first = get("share_first")
                # The share is a count in disguise: n * share / 100 people ranked it first.
                small = pd.notna(first) and is_small(round(first * n / 100), threshold)
                rows.append({
                    "Item": item["text"],
                    "Group": group_label(program, group),
                    "Option": label,
                    "Mean rank": _fmt(get("mean_rank"), 2),
                    "Ranked first (%)": SUPPRESSED if small else _fmt(first),
                    "Borda points": _fmt(get("borda_points")),
                    "Borda position": _fmt(get("borda_rank")),
                })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["Item", "Group", "Borda position"], kind="stable")
    return table.set_index(["Item", "Group", "Option"])


def codes_table(stats: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Which roles raised which qualitative categories and subcategories (✓)."""
    qual = stats[(stats["section"] == "qualitative") & (stats["statistic"] == "raised")]
    if qual.empty:
        return pd.DataFrame()
    labels = {
        c["id"]: c["label"]
        for c in (program.get("qualitative") or {}).get("categories", [])
    }
    qual = qual.assign(option=qual["option"].fillna(""))
    wide = qual.pivot_table(
        index=["item", "option"], columns="group", values="value", aggfunc="first", sort=False
    )
    wide = wide[[r for r in program["roles"] if r in wide.columns]]
    wide = wide.map(lambda v: "✓" if v == 1 else "")
    wide.index = [
        labels.get(cat, cat) if not sub else f"    {sub}" for cat, sub in wide.index
    ]
    wide.columns = [group_label(program, r) for r in wide.columns]
    return wide
