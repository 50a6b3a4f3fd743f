"""Snakemake script for rule outcomes_table."""

from pathlib import Path

import pandas as pd

from peermentor.compare import harmonise_outcomes
from peermentor.config import load_program

programs = {Path(p).stem: load_program(p) for p in snakemake.input.programs}  # noqa: F821
stats = pd.concat(
    [
        pd.read_csv(p, dtype={"year": str, "option": str}, keep_default_na=False,
                    na_values={"value": [""]})
        for p in snakemake.input.stats  # noqa: F821
    ],
    ignore_index=True,
)
table = harmonise_outcomes(stats, programs)
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(f"{len(table)} outcome rows\n", encoding="utf-8")  # noqa: F821
