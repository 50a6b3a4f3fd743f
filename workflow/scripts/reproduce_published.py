"""Snakemake script for rule reproduction_tables."""

from pathlib import Path

from peermentor.analysis.stats import read_stats
from peermentor.papers.reproduction import build_tables, status_line
from peermentor.publish.privacy import share_reproduction

inputs = snakemake.input  # noqa: F821
cohorts = [(published, program, responses, codes, stats) for (_, _, published, program),
           responses, codes, stats in zip(snakemake.params.cohorts, inputs.responses,  # noqa: F821
                                          inputs.codes, inputs.stats, strict=True)]
reproduction, audit = build_tables(cohorts)
if snakemake.input.shared:  # noqa: F821
    # the pipeline's computed values only where they say nothing the policy withholds
    reproduction = share_reproduction(reproduction, read_stats(snakemake.input.shared),  # noqa: F821
                                      snakemake.params.threshold)  # noqa: F821
reproduction.to_csv(snakemake.output.reproduction, index=False, lineterminator="\n")  # noqa: F821
audit.to_csv(snakemake.output.audit, index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(status_line(reproduction, audit) + "\n")  # noqa: F821
