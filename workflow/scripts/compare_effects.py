"""Snakemake script for rule effects_table."""

from pathlib import Path

from peermentor.compare import read_stats, share_effects
from peermentor.config import load_programs
from peermentor.effects import cohort_effects

programs = load_programs(snakemake.input.programs)  # noqa: F821
table = cohort_effects(read_stats(snakemake.input.stats), programs)  # noqa: F821
shared = read_stats(snakemake.input.shared)  # noqa: F821
table = share_effects(table, shared, snakemake.params.threshold)  # noqa: F821
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(f"{len(table)} effect rows\n", encoding="utf-8")  # noqa: F821
