"""Snakemake script for rule site (see peermentor.publish.site)."""

from pathlib import Path

from peermentor.ingest.config import load_program
from peermentor.ingest.constructs import load_constructs
from peermentor.publish.site import build_site

programs = {Path(p).stem: load_program(p) for p in snakemake.input.programs}  # noqa: F821
pages = build_site(
    snakemake.params.layout,  # noqa: F821
    snakemake.output[0],  # noqa: F821
    [tuple(c) for c in snakemake.params.cohorts],  # noqa: F821
    programs,
    snakemake.params.threshold,  # noqa: F821
    sources=snakemake.params.sources,  # noqa: F821
    constructs=load_constructs(snakemake.input.constructs),  # noqa: F821
)
Path(snakemake.log[0]).write_text(  # noqa: F821
    "".join(f"{page}\n" for page in pages), encoding="utf-8"
)
