"""A cohort's numbers, computed once and shared under the disclosure policy: what the
cohort report shows.

The cohort notebook makes one call, :func:`prepare_cohort`, before its tables and
figures: it reads the validated data, computes every statistic (``stats.csv``), the
paper's reproduction where one is recorded, the shared view (``shared_stats.csv``) and
the between-role effects as the policy shares them. Everything the notebook then shows
comes from :mod:`peermentor.publish.report` and :mod:`peermentor.publish.figures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from peermentor.analysis.effects import cohort_effects
from peermentor.analysis.longitudinal import load_waves
from peermentor.analysis.stats import analyse_cohort
from peermentor.ingest.config import load_program
from peermentor.ingest.validate import load_validated
from peermentor.papers.published import mwu_variant
from peermentor.papers.reconstruct import mark_assumed
from peermentor.papers.reproduction import cohort_tables
from peermentor.publish.privacy import share_reproduction, share_stats, withhold_comparisons


@dataclass
class Cohort:
    """One cohort's data and numbers, as the report reads them."""

    #: the programme config, the items that rest on assumed data marked
    program: dict
    answers: pd.DataFrame
    #: every wave of a longitudinal export, or None
    waves: pd.DataFrame | None
    #: the Mann-Whitney variant the paper declares (the default without a paper)
    mwu_variant: str
    #: every statistic (``stats.csv``): never shown as it is
    stats: pd.DataFrame
    #: the statistics as the disclosure policy shares them (``shared_stats.csv``)
    shared: pd.DataFrame
    #: every number the published paper prints beside ours, as the policy shares them,
    #: and the audit of the printed numbers; None without a paper
    reproduction: pd.DataFrame | None
    audit: pd.DataFrame | None
    #: between-role effects with what each could detect, as the policy shares them
    effects: pd.DataFrame


def prepare_cohort(program_config: str | Path, responses: str | Path, codes: str | Path,
                   year: str, *, threshold: int, stats_path: str | Path,
                   shared_path: str | Path, published: str | Path = "",
                   waves: str | Path = "") -> Cohort:
    """Read a validated cohort, compute its statistics and share them: writes
    ``stats_path`` and ``shared_path``. ``published``: the paper's values (a programme's
    ``config/published/`` file, or empty); ``waves``: every wave of an imported
    longitudinal export (or empty)."""
    program = mark_assumed(load_program(program_config))
    answers, coded = load_validated(responses, codes, program)
    variant = mwu_variant(published)
    wave_answers = load_waves(waves, program) if waves else None
    stats = analyse_cohort(answers, coded, program, year, mwu_variant=variant,
                           waves=wave_answers)
    _write(stats, stats_path)
    # the paper's printed numbers beside ours; they are public, so the policy counts them
    # as known to anyone reading what we share
    paper = cohort_tables(published, program, answers, coded, stats) if published else None
    shared = share_stats(stats, program, threshold, public=paper[0] if paper else None)
    _write(shared, shared_path)
    effects = withhold_comparisons(
        cohort_effects(stats, {program["program"]: program},
                       {(program["program"], year): variant}),
        shared, threshold)
    reproduction, audit = paper if paper else (None, None)
    if reproduction is not None:
        reproduction = share_reproduction(reproduction, shared, threshold)
    return Cohort(program, answers, wave_answers, variant, stats, shared, reproduction, audit,
                  effects)


def _write(table: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n")
