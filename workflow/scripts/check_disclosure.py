"""Snakemake script for rule disclosure_check (see peermentor.publish.disclosure)."""

from pathlib import Path

from peermentor.ingest.config import load_programs
from peermentor.publish.disclosure import check_run, describe, failures, summary_line

programs = load_programs(snakemake.input.programs)  # noqa: F821
cohorts = [(program, year, stats, shared) for (program, year), stats, shared in zip(
    snakemake.params.cohorts, snakemake.input.stats, snakemake.input.shared,  # noqa: F821
    strict=True)]
findings = check_run(cohorts, snakemake.input.tables, snakemake.input.reproduction,  # noqa: F821
                     programs, snakemake.params.threshold)  # noqa: F821
findings.to_csv(snakemake.log[0], index=False, lineterminator="\n")  # noqa: F821
failed = failures(findings)
if len(failed):
    lines = [describe(row) for _, row in failed.head(20).iterrows()]
    more = f"\n... and {len(failed) - 20} more" if len(failed) > 20 else ""
    raise SystemExit("Disclosure check failed: a shared output gives a hidden count away "
                     f"(every finding: {snakemake.log[0]}):\n" + "\n".join(lines) + more)  # noqa: F821
Path(snakemake.output[0]).write_text(summary_line(findings) + "\n", encoding="utf-8")  # noqa: F821
