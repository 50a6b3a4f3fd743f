"""Cohort discovery: every ``<raw_dir>/<program>/<year>/`` with a survey file is a cohort.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "raw/demo/2024").mkdir(parents=True)
>>> _ = (root / "raw/demo/2024/responses.csv").write_text("respondent_id,role\\n")
>>> (root / "programs").mkdir()
>>> _ = (root / "programs/demo.yaml").write_text("program: demo\\n")
>>> [(c.program, c.year) for c in discover_cohorts(root / "raw", root / "programs")]
[('demo', '2024')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

COHORT_FILES = ("responses.csv", "codes.csv")
PROGRAM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
YEAR = re.compile(r"^(19|20)[0-9]{2}$")


class CohortDiscoveryError(ValueError):
    """A folder under the raw data directory cannot be read as a cohort."""


@dataclass(frozen=True, order=True)
class Cohort:
    program: str
    year: str
    has_responses: bool
    has_codes: bool


def discover_cohorts(raw_dir: str | Path, programs_dir: str | Path) -> list[Cohort]:
    """List cohorts, sorted; raise CohortDiscoveryError naming every bad folder."""
    raw_dir, programs_dir = Path(raw_dir), Path(programs_dir)
    problems: list[str] = []
    cohorts: list[Cohort] = []
    if not raw_dir.is_dir():
        raise CohortDiscoveryError(f"raw data folder '{raw_dir}' does not exist")
    for year_dir in sorted(p for p in raw_dir.glob("*/*") if p.is_dir()):
        present = {name: (year_dir / name).is_file() for name in COHORT_FILES}
        if not any(present.values()):
            continue
        program, year = year_dir.parent.name, year_dir.name
        if not PROGRAM_ID.match(program):
            problems.append(
                f"'{year_dir}': programme folder '{program}' is not a valid programme id "
                "(lower-case letters, digits and '-'); rename the folder"
            )
            continue
        if not YEAR.match(year):
            problems.append(
                f"'{year_dir}': folder '{year}' is not a four-digit year; "
                f"move the files to {raw_dir}/{program}/<year>/"
            )
            continue
        if not (programs_dir / f"{program}.yaml").is_file():
            problems.append(
                f"'{year_dir}': programme '{program}' has no config; create "
                f"{programs_dir}/{program}.yaml (see docs/data-contract.md)"
            )
            continue
        cohorts.append(Cohort(program, year, present["responses.csv"], present["codes.csv"]))
    if problems:
        raise CohortDiscoveryError(
            "cannot use these folders as cohorts:\n  " + "\n  ".join(problems)
        )
    return sorted(cohorts)
