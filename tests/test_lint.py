"""The codebase stays clean: ruff and snakemake --lint report nothing."""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import fresh_copy

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakemake_lint_is_clean(tmp_path):
    snakemake = shutil.which("snakemake") or str(Path(sys.executable).with_name("snakemake"))
    # On a copy: the workflow is linted, not whatever a user keeps in data/raw.
    result = subprocess.run(
        [snakemake, "--lint"], cwd=fresh_copy(tmp_path / "repo"), capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Lints for" not in output, output
