"""Snakemake script for rule import_export (see peermentor.importers)."""

from peermentor.config import load_program
from peermentor.importers import run

with open(snakemake.log[0], "w", encoding="utf-8") as log:  # noqa: F821
    run(
        program=load_program(snakemake.input.program),  # noqa: F821
        fmt=snakemake.params.format,  # noqa: F821
        export=snakemake.input.export,  # noqa: F821
        dictionary=snakemake.input.get("dictionary"),  # noqa: F821
        out=snakemake.output.responses,  # noqa: F821
        log=log,
        waves_out=snakemake.output.waves,  # noqa: F821
        instances_out=snakemake.output.instances,  # noqa: F821
        year=snakemake.wildcards.year,  # noqa: F821
    )
