"""Snakemake script for rule cohort_report: execute the cohort notebook, then its HTML.

papermill and nbconvert run through their APIs in this one process (one Python
start instead of two, one job instead of two): papermill with the options of
``papermill --kernel python3 --cwd . -p ...``, and the shareable HTML report of
peermentor.site.render_notebook (no code, a table of contents, nothing remote).
"""

import logging
import os
import sys

import papermill

from peermentor.site import render_notebook

sm = snakemake  # noqa: F821

# Everything this job prints, the kernel's output and any traceback included, goes to its
# log (as `papermill ... > {log} 2>&1` did).
log = open(sm.log[0], "w", encoding="utf-8")  # open until the process ends
os.dup2(log.fileno(), sys.stdout.fileno())
os.dup2(log.fileno(), sys.stderr.fileno())
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
papermill.execute_notebook(
    sm.input.notebook,
    sm.output.notebook,
    parameters={
        "program": sm.wildcards.program,
        # papermill -p reads "2019" as the integer 2019: kept, so the notebook is unchanged
        "year": int(sm.wildcards.year),
        "responses": sm.input.responses,
        "codes": sm.input.codes,
        "program_config": sm.input.program,
        "stats_path": sm.output.stats,
        "figures_dir": sm.output.figures,
        "published": sm.params.published,
        "waves": sm.params.waves,
        "small_cell_threshold": sm.params.threshold,
    },
    kernel_name="python3",
    cwd=".",
    progress_bar=False,
)

render_notebook(sm.output.notebook, sm.output.html, site_index="../../../site/index.html")
