"""Snakemake script for rule effects_table."""

from pathlib import Path

from peermentor.analysis.effects import cohort_effects
from peermentor.analysis.stats import read_stats
from peermentor.ingest.config import load_programs
from peermentor.papers.published import mwu_variant
from peermentor.publish.compare import share_effects

programs = load_programs(snakemake.input.programs)  # noqa: F821
# The variant each cohort's stats.csv p was computed under, as its notebook chose it.
variants = {(program, year): mwu_variant(path)
            for program, year, path in snakemake.params.published}  # noqa: F821
table = cohort_effects(read_stats(snakemake.input.stats), programs, variants)  # noqa: F821
shared = read_stats(snakemake.input.shared)  # noqa: F821
table = share_effects(table, shared, snakemake.params.threshold)  # noqa: F821
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(f"{len(table)} effect rows\n", encoding="utf-8")  # noqa: F821
