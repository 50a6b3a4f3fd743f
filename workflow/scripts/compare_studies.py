"""Snakemake script for rule studies_table."""

from pathlib import Path

from peermentor.analysis.stats import read_stats
from peermentor.ingest.config import load_programs
from peermentor.publish.compare import share_studies, study_characteristics

programs = load_programs(snakemake.input.programs)  # noqa: F821
table = study_characteristics(read_stats(snakemake.input.stats), programs)  # noqa: F821
shared = read_stats(snakemake.input.shared)  # noqa: F821
table = share_studies(table, shared, snakemake.params.threshold)  # noqa: F821
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(f"{len(table)} cohorts\n", encoding="utf-8")  # noqa: F821
