"""What ``./run.sh`` prints in its quiet default when something is wrong.

Each test runs the real ``./run.sh`` (``peermentor.progress`` over Snakemake) in a small
copy of the workflow holding only the cohort the test makes, and checks the console:
the file, the line and the cause must be on it, never Snakemake's ``message: None``,
and the closing line points above only when something is there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, USER_PROGRAM, USER_ROWS

from peermentor.progress import Progress

pytestmark = pytest.mark.pipeline

PROGRAM = "user-crlf"


def small_copy(dest: Path) -> Path:
    """The workflow and shared config, run.sh, and one good canonical cohort; no bundled
    study (their notebooks would only slow the failures down)."""
    dest.mkdir(parents=True)
    for name in ["Snakefile", "workflow", "notebooks", "environment.yml", "profiles",
                 "run.sh", "requirements.txt", "pyproject.toml"]:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    (dest / "config/programs").mkdir(parents=True)
    (dest / "config/published").mkdir()
    for name in ["config.yaml", "themes.yaml", "constructs.yaml"]:
        shutil.copy2(ROOT / "config" / name, dest / "config" / name)
    (dest / f"config/programs/{PROGRAM}.yaml").write_text(USER_PROGRAM, encoding="utf-8")
    folder = dest / "data/raw" / PROGRAM / "2024"
    folder.mkdir(parents=True)
    lines = ["respondent_id,role,sat,again", *(",".join(row) for row in USER_ROWS)]
    (folder / "responses.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def run_sh(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VENV": str(Path(sys.prefix))}  # the suite's own .venv
    return subprocess.run(["./run.sh", *args], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=900)


def failed_console(workdir: Path) -> str:
    """The console of a failing ``./run.sh``, checked for what every failure must show."""
    result = run_sh(workdir)
    console = result.stdout + result.stderr
    assert result.returncode != 0, console
    assert "message: None" not in console and "check log file(s)" not in console, console
    assert "Look above for error messages" not in console, console
    last = console.strip().splitlines()[-1]
    assert last.startswith("Failed after") and "the errors are above" in last, console
    return console


@pytest.fixture
def workdir(tmp_path) -> Path:
    return small_copy(tmp_path / "repo")


def test_yaml_unclosed_quote_named_at_its_line(workdir):
    config = workdir / f"config/programs/{PROGRAM}.yaml"
    config.write_text(USER_PROGRAM.replace("title: A user's", 'title: "A user\'s'))
    console = failed_console(workdir)
    assert f"config/programs/{PROGRAM}.yaml, line 2: the quote opened at column 8 is not " \
        "closed" in console, console
    assert "Traceback" not in console and "ScannerError" not in console


def test_yaml_line_without_a_colon_and_a_misspelt_type(workdir):
    config = workdir / f"config/programs/{PROGRAM}.yaml"
    config.write_text(USER_PROGRAM.replace("institution: Test U", "institution Test U"))
    console = failed_console(workdir)
    assert f"{PROGRAM}.yaml, line 3: this line is not 'key: value'" in console, console
    assert "3 | institution Test U" in console
    config.write_text(USER_PROGRAM.replace("type: binary", "type: binery"))
    console = failed_console(workdir)
    assert "line 12, at codebook/1/type: 'binery' is not one of" in console, console


def test_misnamed_file_and_folder_without_config(workdir):
    folder = workdir / "data/raw" / PROGRAM / "2024"
    (folder / "responses.csv").rename(folder / "Responses.CSV")
    console = failed_console(workdir)
    assert f"'data/raw/{PROGRAM}/2024': no survey or codes file (it holds Responses.CSV)" \
        in console and "rename 'Responses.CSV' to 'responses.csv'" in console, console
    (folder / "Responses.CSV").rename(folder / "responses.csv")
    shutil.copytree(folder, workdir / "data/raw/other-prog/2024")
    console = failed_console(workdir)
    assert "'data/raw/other-prog/2024': programme 'other-prog' has no config; create " \
        "config/programs/other-prog.yaml" in console, console


def test_validation_failure_lists_file_line_and_rule(workdir):
    path = workdir / "data/raw" / PROGRAM / "2024/responses.csv"
    path.write_text(path.read_text().replace("USR-03,mentor,3,0", "USR-03,mentor,7,0"))
    console = failed_console(workdir)
    assert f"data/raw/{PROGRAM}/2024/responses.csv, line 4 (data row 3, respondent USR-03), " \
        "column 'sat': value '7' breaks rule: must be a whole number from 1 to 5" in console
    assert re.search(r"Error in rule validate_cohort \(program=user-crlf, year=2024\); "
                     r"log: results/logs/validate/user-crlf/2024\.log", console), console


def test_import_failure_lists_every_problem(workdir):
    folder = workdir / "data/raw" / PROGRAM / "2024"
    (folder / "responses.csv").unlink()
    (folder / "redcap.csv").write_text("record_id,role,sat,again\n1,1,4,1\n2,3,9,1\n")
    (folder / "redcap_dictionary.csv").write_text(
        "Variable / Field Name,Form Name,Field Type,Field Label,"
        "\"Choices, Calculations, OR Slider Labels\"\n"
        "record_id,survey,text,Record ID,\n"
        "role,survey,radio,Role,\"1, Mentor | 2, Mentee\"\n"
        "sat,survey,radio,Satisfied,\"1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5\"\n"
        "again,survey,yesno,Again,\n")
    config = workdir / f"config/programs/{PROGRAM}.yaml"
    config.write_text(config.read_text() + "import:\n  role: {values: {'1': mentor, "
                      "'2': mentee}}\n")
    console = failed_console(workdir)
    assert "Error: Import failed: 2 import problem(s):" in console, console
    assert "redcap.csv, row 3, column 'role': value '3': no entry for this code under " \
        "import.role.values (known: 1, 2)" in console
    assert "redcap.csv, row 3 (respondent 2), column 'sat': value '9'" in console
    assert "Error in rule import_export (program=user-crlf, year=2024); log: " \
        "results/logs/import/user-crlf/2024.log" in console


def test_a_job_error_without_a_message_shows_its_log(tmp_path):
    log = tmp_path / "4.log"
    log.write_text("papermill ran\n\x1b[31mKeyError\x1b[0m: 'sat' in cell 12\n")
    progress = Progress(clock=iter([0.0] * 10).__next__)
    shown = [progress.feed(line) for line in [
        "rule cohort_report:", "    jobid: 4", "    wildcards: program=p, year=2024",
        "CalledProcessError in file \"/x/cohort.smk\", line 30:",
        "Command 'papermill ...' returned non-zero exit status 1.",
        "  File \"/x/cohort.smk\", line 30, in __rule",
        "[Sun Dec  6 04:05:27 2026]", "Error in rule cohort_report:", "    message: None",
        "    jobid: 4", f"    log: {log} (check log file(s) for error details)",
        "Shutting down, this might take some time.",
        "Exiting because a job execution failed. Look above for error messages",
        "WorkflowError:", "At least one job did not complete successfully.",
    ]]
    shown = [s for s in shown if s] + [progress.close()]
    assert shown == [f"Error in rule cohort_report (program=p, year=2024); log: {log}\n"
                     "  papermill ran\n  KeyError: 'sat' in cell 12", None], shown
    assert progress.errors_shown == 1
