"""Reproduction and audit tables for cohorts with published values.

Ties :func:`peermentor.published.reproduce` (the paper's number beside ours) to
:func:`peermentor.audit.audit` (the paper's numbers against each other): every value
that ``differs`` gets, in its note, the audit checks that explain it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peermentor.audit import AUDIT_COLUMNS, audit, findings
from peermentor.compare import markdown_table
from peermentor.config import load_program
from peermentor.published import REPRODUCTION_COLUMNS, load_published, reproduce
from peermentor.validate import load_validated


def _mentions(check_row, row) -> bool:
    """Does an audit check concern this reproduction row (same place, same quantity)?"""
    if row["source"] not in check_row["source"].split(" vs "):
        return False
    item = row["item"]
    if item and ";" not in item:
        return item in check_row["check"]
    if row["group"].startswith(("min over", "max over")):
        return check_row["check"].startswith("range end")
    return row["statistic"] in check_row["check"] and f"({row['group']})" in check_row["check"]


def explain(reproduction: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """Add to the note of every differing value the failed audit checks about it."""
    failed = checks[checks["verdict"] != "consistent"]
    out = reproduction.copy()
    for i, row in out[out["status"] == "differs"].iterrows():
        hits = list(dict.fromkeys(c["check"] for _, c in failed.iterrows()
                                  if c["program"] == row["program"] and _mentions(c, row)))
        if hits:
            note = "; ".join(filter(None, [row["note"], "audit: " + " | ".join(hits)]))
            out.at[i, "note"] = note
    return out


def cohort_tables(
    published_path: str | Path,
    program: dict,
    responses: pd.DataFrame,
    codes: pd.DataFrame,
    stats: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(reproduction, audit)`` of one cohort."""
    published = load_published(published_path, program)
    checks = audit(published, program)
    return explain(reproduce(published, program, responses, codes, stats), checks), checks


def build_tables(
    cohorts: list[tuple[str, str, str, str, str]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reproduction and audit of every cohort with published values, stacked; each cohort
    is ``(published file, programme config, validated responses, validated codes,
    stats.csv)``."""
    reproduction, checks = [], []
    for path, program_path, responses_path, codes_path, stats_path in cohorts:
        program = load_program(program_path)
        responses, codes = load_validated(responses_path, codes_path, program)
        stats = pd.read_csv(stats_path, dtype={"year": str, "option": str})
        one, two = cohort_tables(path, program, responses, codes, stats)
        reproduction.append(one)
        checks.append(two)
    return (
        pd.concat(reproduction, ignore_index=True) if reproduction
        else pd.DataFrame(columns=REPRODUCTION_COLUMNS),
        pd.concat(checks, ignore_index=True) if checks
        else pd.DataFrame(columns=AUDIT_COLUMNS),
    )


def status_line(reproduction: pd.DataFrame, checks: pd.DataFrame) -> str:
    """``205 published values: 11 differs, 8 not computable, 186 reproduced; ...``"""
    def counts(series):
        return ", ".join(f"{n} {k}" for k, n in series.value_counts().sort_index().items())

    return (f"{len(reproduction)} published values: {counts(reproduction['status'])}; "
            f"{len(checks)} audit checks: {counts(checks['verdict'])}")


def reproduction_markdown(reproduction: pd.DataFrame, checks: pd.DataFrame) -> str:
    """The summary's section: status counts, what differs and why, the audit's findings."""
    parts = ["## Reproduction of the published papers", ""]
    if reproduction.empty:
        return "\n".join(parts + ["No cohort has published values.", ""])
    tally = (reproduction.groupby(["program", "status"]).size().unstack(fill_value=0)
             .reset_index())
    tally.columns.name = None
    parts += [
        "Every number the papers print about their participants and survey "
        "(`config/published/`), recomputed from the validated data "
        "(`results/reproduction.csv`; " + status_line(reproduction, checks) + "). "
        "`assumed` values match only because the reconstruction assumed the data behind "
        "them (the note says what): they are no evidence either way.",
        "",
        markdown_table(tally),
        "",
        "### Published values that differ",
        "",
        markdown_table(reproduction.loc[reproduction["status"] == "differs",
                                   ["program", "source", "statistic", "item", "option",
                                    "group", "published", "computed", "note"]]),
        "",
        "### Audit: published numbers that cannot all be true, and underpowered claims",
        "",
        "One row per error, with every place it shows and the checks it fails "
        "(`results/audit.csv` has every check; its `finding` column groups them). An "
        "`underpowered claim` is a claim of no difference whose groups could not detect "
        "Cohen's medium effect with 80% power: not an error in the numbers, but no "
        "evidence of no difference either.",
        "",
        markdown_table(findings(checks)),
        "",
        "<details><summary>Every published value</summary>",
        "",
        markdown_table(reproduction.drop(columns=["year"])),
        "",
        "</details>",
        "",
        "<details><summary>Every audit check</summary>",
        "",
        markdown_table(checks),
        "",
        "</details>",
        "",
    ]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# display helpers for the cohort notebook
# --------------------------------------------------------------------------------------


def headline(reproduction: pd.DataFrame, checks: pd.DataFrame) -> str:
    """One Markdown paragraph: how many printed numbers reproduce, what the audit found."""
    counts = reproduction["status"].value_counts()
    flagged = findings(checks)
    failed = int((checks["verdict"] != "consistent").sum())
    return (
        f"**{counts.get('reproduced', 0)} of {len(reproduction)}** published values are "
        f"reproduced at their printed precision, {counts.get('assumed', 0)} match only "
        "because the reconstruction assumed the data behind them (status `assumed`: no "
        f"evidence either way), {counts.get('differs', 0)} differ and "
        f"{counts.get('not computable', 0)} cannot be computed from survey data. The audit "
        f"ran {len(checks)} checks on the printed numbers; {failed} fail, showing "
        f"{len(flagged)} distinct findings: printing errors, and claims of no difference "
        "from groups too small to detect a medium effect (one row each below, with every "
        "place it shows)."
    )


def reproduction_table(reproduction: pd.DataFrame, status: str | None = None) -> pd.DataFrame:
    """Published beside computed, optionally only rows of one status."""
    rows = reproduction if status is None else reproduction[reproduction["status"] == status]
    columns = ["source", "statistic", "item", "option", "group", "published", "computed",
               "precision", "status", "note"]
    return rows[columns].reset_index(drop=True)


def audit_table(checks: pd.DataFrame, flagged: bool = False) -> pd.DataFrame:
    """Every audit check, or (``flagged``) one row per error found, with its places."""
    rows = findings(checks) if flagged else checks
    return rows.drop(columns=["program"]).reset_index(drop=True)
