"""Snakemake script for rule themes_table."""

from pathlib import Path

import pandas as pd

from peermentor.analysis.stats import read_stats
from peermentor.ingest.config import load_programs, load_themes
from peermentor.publish.compare import share_themes, theme_crosswalk

programs = load_programs(snakemake.input.programs)  # noqa: F821
cohorts = [
    (program, year, pd.read_csv(path, dtype=str))
    for (program, year), path in zip(
        snakemake.params.cohorts, snakemake.input.codes, strict=True  # noqa: F821
    )
]
table = theme_crosswalk(cohorts, programs, load_themes(snakemake.input.framework))  # noqa: F821
unmapped = table.loc[table["theme"] == "unmapped", ["program", "category"]]
shared = read_stats(snakemake.input.shared)  # noqa: F821
table = share_themes(table, shared, snakemake.params.threshold)  # noqa: F821
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(  # noqa: F821
    f"{len(table)} categories; unmapped: {unmapped.to_dict('records')}\n", encoding="utf-8"
)
