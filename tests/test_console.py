"""What ``./run.sh`` prints in its quiet default when something is wrong.

Each test runs the real ``./run.sh`` (``peermentor.run.progress`` over Snakemake) in a small
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

from peermentor.ingest import scaffold
from peermentor.run.progress import Progress

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


def failed_console(workdir: Path, *args: str) -> str:
    """The console of a failing ``./run.sh``, checked for what every failure must show."""
    result = run_sh(workdir, *args)
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
    assert re.search(r"Error in rule cohort_report \(program=user-crlf, year=2024\); "
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


def report_text(workdir: Path, program: str, year: str = "2024") -> str:
    """A cohort report's visible text (no markup, styles or scripts)."""
    page = (workdir / f"results/cohorts/{program}/{year}/report.html").read_text()
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_one_respondent_cohort_warns_and_its_report_has_no_nan(workdir):
    path = workdir / "data/raw" / PROGRAM / "2024/responses.csv"
    path.write_text("respondent_id,role,sat,again\nUSR-01,mentor,4,1\n")
    result = run_sh(workdir)
    console = result.stdout + result.stderr
    assert result.returncode == 0, console
    assert f"Warning: {PROGRAM} 2024: fewer than 5 respondents in all (small_cell_threshold)"\
        in console
    assert f"Warning: {PROGRAM} 2024: Mentees: no respondents" in console
    text = report_text(workdir, PROGRAM)
    assert not re.search(r"\b(nan|NaN|None)\b", text), re.findall(r".{60}\bnan\b.{20}", text)
    assert "A small cohort." in text, text
    # one person's mean is their answer: a group below the threshold shows only its size
    # marker (issue 18), never the mean
    assert "4.00" not in text and "SD not computable" not in text, text


def scaffold_into(workdir: Path, program: str, argv: list[str], capsys) -> str:
    """Scaffold a programme config into the copy as the README says; the scaffold's console."""
    assert scaffold.main([*argv, "--program", program]) == 0
    captured = capsys.readouterr()
    (workdir / f"config/programs/{program}.yaml").write_text(captured.out, encoding="utf-8")
    return captured.err


def test_mentors_only_redcap_survey_builds(workdir, capsys):
    folder = workdir / "data/raw/mentors-only/2024"
    folder.mkdir(parents=True)
    (folder / "redcap_dictionary.csv").write_text(
        '"Variable / Field Name","Form Name","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels"\n'
        "record_id,mentor_survey,text,ID,\n"
        'useful,mentor_survey,radio,How useful was mentoring?,"1, Not at all useful | 2, 2 | '
        '3, 3 | 4, 4 | 5, Extremely useful"\n'
        "again,mentor_survey,yesno,Would you mentor again?,\n")
    rows = [f"{i},{1 + i % 5},{i % 2},2" for i in range(1, 13)]
    (folder / "redcap.csv").write_text("record_id,useful,again,mentor_survey_complete\n"
                                       + "\n".join(rows) + "\n")
    shutil.rmtree(workdir / "data/raw" / PROGRAM)
    console = scaffold_into(workdir, "mentors-only", [
        "redcap", str(folder / "redcap_dictionary.csv"), "--export", str(folder / "redcap.csv")],
        capsys)
    assert "every record gets the one role 'respondent'" in console
    result = run_sh(workdir)
    console = result.stdout + result.stderr
    assert result.returncode == 0, console
    assert "[1/1 cohorts] mentors-only 2024 done" in console
    assert "Error" not in console and "no respondents" not in console
    text = report_text(workdir, "mentors-only")
    assert "Respondents" in text and not re.search(r"\bnan\b", text)


def test_all_preview_export_refused_on_the_console(workdir):
    folder = workdir / "data/raw" / PROGRAM / "2024"
    (folder / "responses.csv").unlink()
    (folder / "qualtrics.csv").write_text(
        "StartDate,Status,Finished,ResponseId,DistributionChannel,Q1\n"
        "Start Date,Response Type,Finished,Response ID,Distribution Channel,Satisfied?\n"
        '"{""ImportId"":""startDate""}","{""ImportId"":""status""}",'
        '"{""ImportId"":""finished""}","{""ImportId"":""_recordId""}",'
        '"{""ImportId"":""distributionChannel""}","{""ImportId"":""QID1""}"\n'
        "2024-05-01,Survey Preview,True,R_1,preview,4\n"
        "2024-05-01,Survey Preview,True,R_2,preview,5\n")
    config = workdir / f"config/programs/{PROGRAM}.yaml"
    config.write_text(USER_PROGRAM.replace("  - {id: again", "#").replace(
        "scale: {min: 1, max: 5}}", "scale: {min: 1, max: 5}}\nimport:\n  format: qualtrics\n"
        "  role: {value: mentor}\n  columns: {sat: Q1}\n"))
    console = failed_console(workdir)
    assert f"data/raw/{PROGRAM}/2024/qualtrics.csv: every one of the 2 responses is left out: " \
        "2 survey previews (Status 'Survey Preview', DistributionChannel 'preview')" in console
    assert "write `leave_out: [test, spam, imported]` under import: in " \
        f"config/programs/{PROGRAM}.yaml" \
        in console


#: Real exports that build as scaffolded (tests/fixtures/real), and those refused with why.
BUILDS = ["easyqualtrics-ex", "preserving-survey", "qualtrics-sample", "redcapapi-extdata",
          "redcapapi-offline", "redcapr-clinical-trial-1", "redcapr-longitudinal",
          "redcapr-simple", "redcapr-survey", "redcapr-vignette-repeating"]
REFUSED = {"easyqualtrics-dev": "20 survey previews", "qualtricstools-sample": "5 survey tests"}


def test_real_exports_build_as_scaffolded(workdir, capsys):
    real = ROOT / "tests/fixtures/real"
    shutil.rmtree(workdir / "data/raw" / PROGRAM)
    for name in [*BUILDS, *REFUSED]:
        folder = workdir / "data/raw" / name / "2024"
        shutil.copytree(real / name, folder,
                        ignore=shutil.ignore_patterns("*.md", "*.qsf", "instrument_*"))
        if (folder / "redcap.csv").exists():
            argv = ["redcap", str(folder / "redcap_dictionary.csv"), "--export",
                    str(folder / "redcap.csv")]
        else:
            argv = ["qualtrics", str(folder / "qualtrics.csv")]
        extra = {"preserving-survey": ["--qsf", str(real / name / "survey.qsf")],
                 "redcapapi-offline": ["--event-map",
                                       str(real / name / "instrument_designations.csv")]}
        scaffold_into(workdir, name, [*argv, *extra.get(name, [])], capsys)
    console = failed_console(workdir, "--keep-going")
    for name, why in REFUSED.items():
        assert f"data/raw/{name}/2024/qualtrics.csv: every one of the " in console, console
        assert why in console
    done = re.findall(r"cohorts\] (\S+) 2024 done", console)
    assert sorted(done) == BUILDS, console
    for name in BUILDS:
        assert not re.search(r"\b(nan|NaN)\b", report_text(workdir, name)), name
    # what the imports left out or read differently was said on the console
    assert "Warning: data/raw/redcapr-simple/2024/redcap.csv: row 2 (respondent 1), column " \
        "'height': value '7' is outside 130 to 215" in console
    assert "Warning: data/raw/preserving-survey/2024/qualtrics.csv: left out 2 survey previews" \
        in console
    # and the report flags the values kept outside REDCap's soft range
    assert "Kept outside the expected range" in report_text(workdir, "redcapr-simple")
