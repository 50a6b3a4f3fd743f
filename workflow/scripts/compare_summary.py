"""Snakemake script for rule comparison_summary."""

from pathlib import Path

import pandas as pd

from peermentor.compare import summary_markdown
from peermentor.reproduction import reproduction_markdown

studies = pd.read_csv(snakemake.input.studies, dtype={"year": str})  # noqa: F821
outcomes = pd.read_csv(snakemake.input.outcomes, dtype={"year": str})  # noqa: F821
themes = pd.read_csv(snakemake.input.themes, dtype={"year": str})  # noqa: F821
reproduction = pd.read_csv(  # noqa: F821
    snakemake.input.reproduction, dtype=str, keep_default_na=False  # noqa: F821
)
audit = pd.read_csv(snakemake.input.audit, dtype=str, keep_default_na=False)  # noqa: F821
Path(snakemake.output[0]).write_text(  # noqa: F821
    summary_markdown(studies, outcomes, themes, snakemake.params.threshold)  # noqa: F821
    + "\n"
    + reproduction_markdown(reproduction, audit),
    encoding="utf-8",
)
Path(snakemake.log[0]).write_text("summary written\n", encoding="utf-8")  # noqa: F821
