"""The ``cohort_report`` job: validate the cohort, execute its notebook with papermill,
then write its HTML.

Called from the rule's ``run:`` block, so with Snakemake's worker threads it runs inside
the Snakemake process: pandas, pandera, papermill and nbconvert are imported once per
run, and the notebook runs on the thread's warm kernel (:mod:`peermentor.run.warmkernel`)
instead of a new kernel per cohort. The notebook, its parameters and the HTML are the
same as ``papermill --kernel python3 -p ...`` followed by
:func:`peermentor.publish.site.render_notebook`. A cohort that fails validation stops before the
notebook, with every problem in the error's message; Snakemake removes the job's outputs.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from pathlib import Path

from peermentor.ingest import notices
from peermentor.ingest.validate import validate_job
from peermentor.publish.site import render_notebook
from peermentor.run import warmkernel

logger = notices.logger(__name__)


def warn_small_groups(responses_path: str, program_path: str, threshold: int,
                      cohort: str) -> None:
    """A console warning (``./run.sh`` shows it) for a cohort or role below the small-cell
    threshold: its report says what it cannot show, the console says so first."""
    import pandas as pd

    from peermentor.ingest.config import load_program
    from peermentor.publish.report import small_groups

    answers = pd.read_csv(responses_path, dtype=str, usecols=["role"])
    with notices.route(console=sys.stderr), notices.about(cohort):
        for note in small_groups(answers, load_program(program_path), threshold):
            logger.warning(note)


def build_cohort(input, output, params, wildcards, log) -> None:
    """The whole job: validated data, then the report (:func:`build_cohort_report`)."""
    validate_job(input, output, log)
    build_cohort_report(input, output, params, wildcards, log.notebook)


def build_cohort_report(input, output, params, wildcards, log_path: str) -> None:
    """Write ``report.ipynb``, ``stats.csv``, ``shared_stats.csv``, ``figures/`` and
    ``report.html`` of a validated cohort.

    The job's log gets what ran and, when the notebook fails, the failing cell's
    traceback (papermill's error names the cell and shows its output). The rule's params
    say where the kernels log (``kernel_logs``) and the report's link to the site
    (``site_index``).
    """
    warn_small_groups(output.responses, input.program, params.threshold,
                      f"{wildcards.program} {wildcards.year}")
    kernel_log = Path(params.kernel_logs) / f"thread-{threading.get_ident()}.log"
    kernel_log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"papermill {input.notebook} -> {output.notebook} on a warm python3 "
                  f"kernel (its own output: {kernel_log})\n")
        log.flush()
        try:
            kernel = warmkernel.execute_notebook(
                input.notebook,
                output.notebook,
                parameters={
                    "program": wildcards.program,
                    "year": wildcards.year,  # a string, as everywhere (a folder name)
                    "responses": output.responses,
                    "codes": output.codes,
                    "program_config": input.program,
                    "stats_path": output.stats,
                    "shared_path": output.shared,
                    "figures_dir": output.figures,
                    "published": input.get("published", ""),
                    "waves": input.get("waves", ""),
                    "small_cell_threshold": params.threshold,
                },
                log_path=str(kernel_log),
            )
            render_notebook(output.notebook, output.html, site_index=params.site_index)
        except BaseException:
            log.write(traceback.format_exc())
            raise
        log.write(f"ran on {kernel}; done in {time.monotonic() - started:.1f} s\n")
