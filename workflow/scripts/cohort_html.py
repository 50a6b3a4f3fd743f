"""Snakemake script for rule cohort_html (see peermentor.site.render_notebook)."""

from pathlib import Path

from peermentor.site import render_notebook

html = render_notebook(
    snakemake.input[0],  # noqa: F821
    snakemake.output[0],  # noqa: F821
    site_index="../../../site/index.html",
)
Path(snakemake.log[0]).write_text(f"{html}\n", encoding="utf-8")  # noqa: F821
