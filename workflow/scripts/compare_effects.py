"""Snakemake script for rule effects_table."""

from pathlib import Path

from peermentor.compare import read_stats, share_effects
from peermentor.config import load_programs
from peermentor.effects import cohort_effects
from peermentor.published import mwu_variant

programs = load_programs(snakemake.input.programs)  # noqa: F821
# The variant each cohort's stats.csv p was computed under, as its notebook chose it.
variants = {(program, year): mwu_variant(path)
            for program, year, path in snakemake.params.published}  # noqa: F821
table = cohort_effects(read_stats(snakemake.input.stats), programs, variants)  # noqa: F821
table = share_effects(table, snakemake.params.threshold)  # noqa: F821
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(f"{len(table)} effect rows\n", encoding="utf-8")  # noqa: F821
