"""Snakemake script for rule studies_table."""

from pathlib import Path

import pandas as pd

from peermentor.compare import study_characteristics
from peermentor.config import load_program

programs = {Path(p).stem: load_program(p) for p in snakemake.input.programs}  # noqa: F821
cohorts = [
    (program, year, pd.read_csv(path, dtype={"role": str}))
    for (program, year), path in zip(
        snakemake.params.cohorts, snakemake.input.responses, strict=True  # noqa: F821
    )
]
table = study_characteristics(cohorts, programs)
table.to_csv(snakemake.output[0], index=False, lineterminator="\n")  # noqa: F821
Path(snakemake.log[0]).write_text(f"{len(table)} cohorts\n", encoding="utf-8")  # noqa: F821
