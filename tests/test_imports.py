"""Start-up cost: what the many short processes of a run must not import.

Every Snakemake start imports the modules common.smk needs, and every cohort job's
notebook kernel and HTML step import theirs; heavy libraries they do not use cost CPU
seconds per cohort (docs/benchmarks.md). Each check runs in a fresh interpreter.
"""

import subprocess
import sys

import pytest

PARSE_TIME = ("from peermentor.ingest.cohorts import check_import_formats, discover_cohorts; "
              "from peermentor.ingest.config import load_program, load_themes; "
              "from peermentor.ingest.constructs import check_program_constructs, load_constructs; "
              "from peermentor.papers.published import published_files")


def imported(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(*sys.modules)"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("code, absent", [
    (PARSE_TIME, "scipy.stats"),  # workflow/rules/common.smk, at every Snakemake start
    ("from peermentor.publish.site import render_notebook", "pandas"),  # cohort_report's HTML
    ("from peermentor.ingest.validate import load_validated", "pandera"),  # every notebook kernel
])
def test_short_lived_processes_do_not_import_what_they_do_not_use(code, absent):
    assert absent not in imported(code)


def test_validation_still_imports_pandera_when_it_builds_a_schema():
    program = {"roles": {"a": "A"}, "codebook": []}
    assert "pandera" in imported(
        f"from peermentor.ingest.schema import response_schema; response_schema({program!r})")
