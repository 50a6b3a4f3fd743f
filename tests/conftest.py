"""Shared fixtures: a fresh copy of the repository and one full pipeline run per session.

The copy holds the bundled (reconstructed) studies only, whatever else a user has put
in data/raw or config/, plus one user-style cohort with Windows line endings
(:data:`USER_COHORT`), so the pipeline tests never assume exactly the five studies.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["Snakefile", "workflow", "notebooks", "environment.yml", "profiles"]
SCREENSHOTS = ROOT / "results" / "screenshots"


def pytest_sessionstart(session):
    session.config._peermentor_started = time.time()


def pytest_terminal_summary(terminalreporter, config):
    """Name the folder of the browser tests' screenshots, when this session wrote any."""
    started = getattr(config, "_peermentor_started", 0)
    shots = [p for p in SCREENSHOTS.rglob("*.png") if p.stat().st_mtime >= started]
    if shots:
        terminalreporter.write_line(f"{len(shots)} screenshots of the pages: {SCREENSHOTS}/")


def bundled_cohorts(root: Path = ROOT) -> dict[str, list[str]]:
    """Programme -> survey years of the bundled studies (configs with ``reconstructed: true``).

    Only these are copied into test folders; a user's own programmes and cohorts in
    config/ and data/raw/ are left where they are.
    """
    found = {}
    for path in sorted((root / "config/programs").glob("*.yaml")):
        program = yaml.safe_load(path.read_text(encoding="utf-8"))
        if program.get("reconstructed"):
            found[program["program"]] = sorted(program["cohorts"])
    return found


BUNDLED = bundled_cohorts()

# A user's own programme as one arrives from a spreadsheet: CRLF line endings, a BOM.
USER_COHORT = ("user-crlf", "2024")
USER_PROGRAM = """\
program: user-crlf
title: A user's own cohort (test fixture)
institution: Test U
country: Nowhere
design: 1:1 peer mentoring
roles: {mentor: Mentors, mentee: Mentees}
comparison: [mentor, mentee]
cohorts: {"2024": {invited: {mentor: 8, mentee: 8}}}
codebook:
  - {id: sat, text: "Satisfied?", type: likert, construct: programme_value,
     scale: {min: 1, max: 5}}
  - {id: again, text: "Would you take part again?", type: binary}
"""
#: (respondent id, role, sat, again); mentors' sat mean (4+5+3+4+5+2)/6 = 23/6.
USER_ROWS = [
    ("USR-01", "mentor", "4", "1"), ("USR-02", "mentor", "5", "1"),
    ("USR-03", "mentor", "3", "0"), ("USR-04", "mentor", "4", "1"),
    ("USR-05", "mentor", "5", "1"), ("USR-06", "mentor", "2", ""),
    ("USR-07", "mentee", "3", "1"), ("USR-08", "mentee", "2", "0"),
    ("USR-09", "mentee", "4", "0"), ("USR-10", "mentee", "1", "0"),
    ("USR-11", "mentee", "3", "1"), ("USR-12", "mentee", "", "1"),
]


def add_user_cohort(workdir: Path) -> Path:
    """Write :data:`USER_COHORT` (config and a CRLF, BOM responses.csv) into a copy."""
    program, year = USER_COHORT
    (workdir / f"config/programs/{program}.yaml").write_text(USER_PROGRAM, encoding="utf-8")
    folder = workdir / "data/raw" / program / year
    folder.mkdir(parents=True)
    lines = ["respondent_id,role,sat,again", *(",".join(row) for row in USER_ROWS)]
    (folder / "responses.csv").write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    return folder


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = shutil.which("snakemake") or str(Path(sys.executable).with_name("snakemake"))
    result = subprocess.run(
        [exe, "--cores", "2", *args], cwd=workdir, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stderr[-6000:]}")
    return result


def planned_jobs(workdir: Path) -> set[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run would execute."""
    out = snakemake(workdir, "--dry-run").stdout
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        match = re.match(r"(?:local)?rule (\w+):", block.strip())
        if not match or match.group(1) == "all":
            continue
        wildcards = re.search(r"wildcards: (.*)", block)
        jobs.add((match.group(1), wildcards.group(1).strip() if wildcards else ""))
    return jobs


def _users_programmes(folder: str, names: list[str]) -> list[str]:
    """copytree filter: per-programme files of programmes that are not bundled."""
    if Path(folder).name not in ("programs", "published"):
        return []
    return [n for n in names if n.endswith(".yaml") and n.removesuffix(".yaml") not in BUNDLED]


def fresh_copy(dest: Path) -> Path:
    """The workflow, config and bundled data in ``dest``; nothing a user added to data/raw."""
    dest.mkdir(parents=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    shutil.copytree(ROOT / "config", dest / "config", ignore=_users_programmes)
    raw = dest / "data/raw"
    raw.mkdir(parents=True)
    shutil.copy2(ROOT / "data/raw/README.md", raw / "README.md")
    for program, years in BUNDLED.items():
        for year in years:
            shutil.copytree(ROOT / "data/raw" / program / year, raw / program / year)
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh copy of the repository, plus :data:`USER_COHORT`, after one full pipeline run."""
    workdir = fresh_copy(tmp_path_factory.mktemp("pipeline") / "repo")
    add_user_cohort(workdir)
    snakemake(workdir)
    return workdir


