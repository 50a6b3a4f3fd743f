"""Snakemake script for rule validate_cohort (see peermentor.validate)."""

from peermentor.config import load_program
from peermentor.validate import run

with open(snakemake.log.log, "w", encoding="utf-8") as log:  # noqa: F821
    run(
        program=load_program(snakemake.input.program),  # noqa: F821
        responses_path=snakemake.input.get("responses"),  # noqa: F821
        codes_path=snakemake.input.get("codes"),  # noqa: F821
        out_responses=snakemake.output.responses,  # noqa: F821
        out_codes=snakemake.output.codes,  # noqa: F821
        failures_path=snakemake.log.failures,  # noqa: F821
        log=log,
    )
