"""Snakemake script for rule pooled_table: pooled.csv and the forest plots."""

from pathlib import Path

from peermentor.analysis.meta import pool_effects
from peermentor.analysis.precision import with_halving
from peermentor.ingest.config import load_programs
from peermentor.ingest.constructs import load_constructs
from peermentor.publish.compare import read_effects
from peermentor.publish.forest import write_forest_plots
from peermentor.publish.pages import Labels

programs = load_programs(snakemake.input.programs)  # noqa: F821
effects = read_effects(snakemake.input.effects)  # noqa: F821
pooled = pool_effects(effects, method=snakemake.params.method,  # noqa: F821
                      knapp_hartung=snakemake.params.knapp_hartung)  # noqa: F821
pooled = with_halving(pooled, effects)
pooled.to_csv(snakemake.output.pooled, index=False, lineterminator="\n")  # noqa: F821
simulated = any(p.get("simulated") for p in programs.values())
labels = Labels(programs, load_constructs(snakemake.input.constructs))  # noqa: F821
files = write_forest_plots(effects, pooled, snakemake.output.forest,  # noqa: F821
                           simulated, labels)
Path(snakemake.log[0]).write_text(  # noqa: F821
    f"{len(pooled)} pooled rows; {len(files)} forest plot files\n", encoding="utf-8"
)
