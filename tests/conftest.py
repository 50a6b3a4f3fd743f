"""Shared fixtures: a fresh copy of the repository and one full pipeline run per session."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["Snakefile", "workflow", "config", "notebooks", "data", "environment.yml", "profiles"]


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


def fresh_copy(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh copy of the repository after one full pipeline run."""
    workdir = fresh_copy(tmp_path_factory.mktemp("pipeline") / "repo")
    snakemake(workdir)
    return workdir


