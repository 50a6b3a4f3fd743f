"""./run.sh as a person uses it: quiet progress, and Ctrl-C during a notebook then ./run.sh."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, fresh_copy, snakemake

from peermentor.run.progress import OUTPUTS, STEPS

pytestmark = pytest.mark.pipeline


def run_sh_copy(dest: Path) -> Path:
    """A fresh copy with run.sh, using this checkout's .venv (same pinned requirements)."""
    workdir = fresh_copy(dest)
    for name in ["run.sh", "requirements.txt", "pyproject.toml"]:
        shutil.copy2(ROOT / name, workdir / name)
    return workdir


def run_sh_env() -> dict[str, str]:
    venv = Path(sys.prefix)  # the suite runs in the venv that ./run.sh made
    return {**os.environ, "VENV": str(venv)}


def test_ctrl_c_during_a_notebook_then_run_sh_finishes(tmp_path):
    workdir = run_sh_copy(tmp_path / "repo")
    child = subprocess.Popen(["./run.sh"], cwd=workdir, env=run_sh_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Wait until a notebook is running (its second cell writes stats.csv; papermill
    # writes report.ipynb only at the end), then press Ctrl-C.
    deadline = time.monotonic() + 600
    while not list(workdir.glob("results/cohorts/*/*/stats.csv")):
        assert child.poll() is None, child.stdout.read()
        assert time.monotonic() < deadline, "no notebook started within 10 minutes"
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    first = child.communicate(timeout=300)[0]
    assert child.returncode != 0, first
    assert "Interrupted" in first and "./run.sh again" in first
    assert not (workdir / "results/comparison/summary.md").exists()

    again = subprocess.run(["./run.sh"], cwd=workdir, env=run_sh_env(),
                           capture_output=True, text=True, timeout=1800)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Resuming an interrupted run" in again.stdout
    assert "Finished in" in again.stdout
    for report in ["report.ipynb", "report.html", "stats.csv"]:
        assert len(list(workdir.glob(f"results/cohorts/*/*/{report}"))) == 5
    assert "Nothing to be done" in snakemake(workdir, "--dry-run").stdout


def test_run_sh_prints_one_line_per_cohort_and_where_outputs_are(built, tmp_path):
    workdir = run_sh_copy(tmp_path / "repo")
    shutil.copytree(built / "results", workdir / "results")
    shutil.copytree(built / ".snakemake", workdir / ".snakemake")
    # Two cohorts to redo: their reports are gone.
    for program, year in [("unc-ssm", "2019"), ("tums-dual", "2012")]:
        shutil.rmtree(workdir / f"results/cohorts/{program}/{year}")
    result = subprocess.run(["./run.sh"], cwd=workdir, env=run_sh_env(),
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    log = re.search(r"full log: (results/logs/snakemake/\S+\.log)", lines[0])
    assert log, lines[0]
    cohort_lines = [line for line in lines if "cohorts]" in line]
    assert len(cohort_lines) == 2, lines
    pattern = (r"\[[12]/2 cohorts\] (unc-ssm 2019|tums-dual 2012) done   "
               r"elapsed \d+:\d\d, about \d+:\d\d left")
    assert all(re.fullmatch(pattern, line) for line in cohort_lines), cohort_lines
    assert lines[-1].startswith("Finished in") and "results/cohorts/" in lines[-1]
    # progress.py names these apart from the rules (it runs before Snakemake reads them)
    for named in re.findall(r"results/[\w<>/.-]+\w", OUTPUTS):
        assert (workdir / named.replace("<program>/<year>", "unc-ssm/2019")).is_file(), named
    # quiet: no job blocks on the screen; all of them in the full log
    assert "rule cohort_report:" not in result.stdout
    # then one line per step after the cohorts, with the time it took, up to the site
    steps = [line for line in lines[1:-1] if "cohorts]" not in line]
    assert all(re.fullmatch(r"\[(comparison|reproduction|site)\] [\w .,-]+ done in "
                            r"\d+:\d\d   elapsed \d+:\d\d", line) for line in steps), steps
    assert steps and steps[-1].startswith("[site] results site done in")
    assert len(lines) <= 4 + len(STEPS), lines
    assert "rule cohort_report:" in (workdir / log.group(1)).read_text()

    again = subprocess.run(["./run.sh"], cwd=workdir, env=run_sh_env(),
                           capture_output=True, text=True, timeout=600)
    assert again.stdout.strip().splitlines()[-1].startswith("Everything is up to date")
    dry = subprocess.run(["./run.sh", "-n"], cwd=workdir, env=run_sh_env(),
                         capture_output=True, text=True, timeout=600)
    assert dry.returncode == 0 and "Nothing to be done" in dry.stdout + dry.stderr
