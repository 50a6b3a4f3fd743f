"""Snakemake script for rule comparison_summary."""

from pathlib import Path

import pandas as pd

from peermentor.ingest.config import load_programs
from peermentor.publish.compare import read_effects, reproduction_markdown, summary_markdown

inp = snakemake.input  # noqa: F821
studies = pd.read_csv(inp.studies, dtype={"year": str})
outcomes = pd.read_csv(inp.outcomes, dtype={"year": str})
themes = pd.read_csv(inp.themes, dtype={"year": str})
trends = pd.read_csv(inp.trends, dtype={"year": str})
pooled = pd.read_csv(inp.pooled)
reproduction = pd.read_csv(inp.reproduction, dtype=str, keep_default_na=False)
audit = pd.read_csv(inp.audit, dtype=str, keep_default_na=False)
programs = load_programs(inp.programs)
Path(snakemake.output[0]).write_text(  # noqa: F821
    summary_markdown(
        studies, outcomes, themes, snakemake.params.threshold,  # noqa: F821
        effects=read_effects(inp.effects), pooled=pooled, trends=trends,
        forest_files=sorted(str(p) for p in Path(inp.forest).iterdir()),
        trend_files=sorted(str(p) for p in Path(inp.trend_figures).iterdir()),
        simulated=any(p.get("simulated") for p in programs.values()),
    )
    + "\n"
    + reproduction_markdown(reproduction, audit),
    encoding="utf-8",
)
Path(snakemake.log[0]).write_text("summary written\n", encoding="utf-8")  # noqa: F821
