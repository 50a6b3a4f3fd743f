"""Reproduction and audit tables for cohorts with published values.

Ties :func:`peermentor.papers.published.reproduce` (the paper's number beside ours) to
:func:`peermentor.papers.audit.audit` (the paper's numbers against each other): every value
that ``differs`` gets, in its note, the audit checks that explain it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from peermentor.ingest.config import load_program
from peermentor.ingest.validate import load_validated
from peermentor.papers.audit import AUDIT_COLUMNS, audit
from peermentor.papers.published import REPRODUCTION_COLUMNS, load_published, reproduce


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
