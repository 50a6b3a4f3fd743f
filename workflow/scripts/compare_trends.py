"""Snakemake script for rule trends_table: trends.csv and one figure per programme x construct."""

from pathlib import Path

import pandas as pd

from peermentor.ingest.config import load_programs
from peermentor.ingest.constructs import load_constructs
from peermentor.publish.compare import trend_table
from peermentor.publish.forest import write_trend_plots
from peermentor.publish.pages import Labels

programs = load_programs(snakemake.input.programs)  # noqa: F821
outcomes = pd.read_csv(snakemake.input.outcomes, dtype={"year": str})  # noqa: F821
trends = trend_table(outcomes)
trends.to_csv(snakemake.output.trends, index=False, lineterminator="\n")  # noqa: F821
simulated = any(p.get("simulated") for p in programs.values())
labels = Labels(programs, load_constructs(snakemake.input.constructs))  # noqa: F821
files = write_trend_plots(trends, snakemake.output.figures, simulated, labels)  # noqa: F821
Path(snakemake.log[0]).write_text(  # noqa: F821
    f"{len(trends)} trend rows; {len(files)} figure files\n", encoding="utf-8"
)
