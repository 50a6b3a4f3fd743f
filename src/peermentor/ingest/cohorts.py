"""Cohort discovery: every ``<raw_dir>/<program>/<year>/`` with a survey file is a cohort.

A cohort's answers come from exactly one survey file (see :data:`SURVEY_FILES`):
the canonical ``responses.csv``, or a vendor export that the import step maps
onto it (``redcap.csv`` with ``redcap_dictionary.csv``, ``qualtrics.csv``,
``responses.xlsx``). Qualitative studies may also (or only) have ``codes.csv``.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "raw/demo/2024").mkdir(parents=True)
>>> _ = (root / "raw/demo/2024/responses.csv").write_text("respondent_id,role\\n")
>>> (root / "programs").mkdir()
>>> _ = (root / "programs/demo.yaml").write_text("program: demo\\n")
>>> [(c.program, c.year, c.survey_file) for c in discover_cohorts(root / "raw", root / "programs")]
[('demo', '2024', 'responses.csv')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from peermentor.ingest import notices

logger = notices.logger(__name__)

#: Survey file name -> import format (None: already the canonical layout).
SURVEY_FILES: dict[str, str | None] = {
    "responses.csv": None,
    "redcap.csv": "redcap",
    "qualtrics.csv": "qualtrics",
    "responses.xlsx": "xlsx",
}
#: Companion files an export needs next to it.
COMPANION_FILES = {"redcap": ("redcap_dictionary.csv",)}
CODES_FILE = "codes.csv"
#: A programme id: a folder name and a YAML file name (the rules' ``{program}`` too).
PROGRAM_PATTERN = r"[a-z0-9][a-z0-9-]*"
PROGRAM_ID = re.compile(f"^{PROGRAM_PATTERN}$")
#: A cohort's year: a folder name of four digits, kept a string from the folder to the
#: tables (the rules' ``{year}`` wildcard matches the same).
YEAR_PATTERN = r"(19|20)[0-9]{2}"
YEAR = re.compile(f"^{YEAR_PATTERN}$")


class CohortDiscoveryError(ValueError):
    """A folder under the raw data directory cannot be read as a cohort."""


@dataclass(frozen=True, order=True)
class Cohort:
    program: str
    year: str
    survey_file: str | None  # one of SURVEY_FILES, or None (codes only)
    has_codes: bool

    @property
    def has_responses(self) -> bool:
        return self.survey_file is not None

    @property
    def import_format(self) -> str | None:
        """'redcap', 'qualtrics' or 'xlsx' when the answers need importing, else None."""
        return SURVEY_FILES[self.survey_file] if self.survey_file else None

    @property
    def export_files(self) -> dict[str, str]:
        """File names the import step reads: ``export`` and, for REDCap, ``dictionary``."""
        if self.import_format is None:
            return {}
        files = {"export": self.survey_file}
        if self.import_format == "redcap":
            files["dictionary"] = COMPANION_FILES["redcap"][0]
        return files


def check_program_id(name: str) -> str:
    """Return ``name`` if it is a safe programme id (a folder and file name), else raise.

    >>> check_program_id("ulsan-peer")
    'ulsan-peer'
    >>> check_program_id("../etc")
    Traceback (most recent call last):
    ...
    peermentor.ingest.cohorts.CohortDiscoveryError: programme id '../etc' is not safe as a folder \
name: use lower-case letters, digits and '-', starting with a letter or digit
    """
    if not PROGRAM_ID.match(name):
        raise CohortDiscoveryError(
            f"programme id {name!r} is not safe as a folder name: use lower-case letters, "
            "digits and '-', starting with a letter or digit"
        )
    return name


def _survey_file(year_dir: Path, problems: list[str]) -> str | None:
    """The one survey file of a cohort folder; record a problem for zero-or-ambiguous."""
    found = [name for name in SURVEY_FILES if (year_dir / name).is_file()]
    if len(found) > 1:
        problems.append(
            f"'{year_dir}': more than one survey file ({', '.join(found)}); keep exactly one "
            "(the others can live outside data/raw)"
        )
        return None
    if not found:
        return None
    missing = [
        name
        for name in COMPANION_FILES.get(SURVEY_FILES[found[0]] or "", ())
        if not (year_dir / name).is_file()
    ]
    if missing:
        problems.append(
            f"'{year_dir}': {found[0]} needs {', '.join(missing)} next to it "
            "(REDCap: Project Setup > Data Dictionary > Download)"
        )
        return None
    return found[0]


def _accepted_names() -> str:
    return ", ".join([*SURVEY_FILES, *COMPANION_FILES["redcap"], CODES_FILE])


def _unrecognised(year_dir: Path) -> list[str]:
    """Names in a cohort folder the pipeline will not read (hidden and lock files aside)."""
    known = {*SURVEY_FILES, *COMPANION_FILES["redcap"], CODES_FILE}
    return sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in year_dir.iterdir()
        if p.name not in known and not p.name.startswith((".", "~$"))
    )


def _rename_hint(names: list[str]) -> str:
    """'; rename X to y' for names that differ from an accepted name only in case."""
    accepted = {n.lower(): n for n in (*SURVEY_FILES, *COMPANION_FILES["redcap"], CODES_FILE)}
    hints = [f"rename '{n}' to '{accepted[n.lower()]}'" for n in names if n.lower() in accepted]
    return f"; {', '.join(hints)}" if hints else ""


def discover_cohorts(
    raw_dir: str | Path, programs_dir: str | Path, only: set[tuple[str, str]] | None = None,
) -> list[Cohort]:
    """List cohorts, sorted; raise CohortDiscoveryError naming every bad folder.

    Nothing is skipped silently: a file in a cohort folder that the pipeline does not
    read is logged (a warning naming it and the accepted names), and a
    year folder holding nothing usable (empty, or only such files) is an error.
    ``only`` (``{(program, year)}``) looks at those folders and no other: a cluster job
    step that runs given cohorts need not list every cohort of a consortium.
    """
    raw_dir, programs_dir = Path(raw_dir), Path(programs_dir)
    problems: list[str] = []
    cohorts: list[Cohort] = []
    if not raw_dir.is_dir():
        raise CohortDiscoveryError(f"raw data folder '{raw_dir}' does not exist")
    known = (*SURVEY_FILES, *COMPANION_FILES["redcap"], CODES_FILE)
    folders = (raw_dir.glob("*/*") if only is None
               else (raw_dir / program / year for program, year in only))
    for year_dir in sorted(p for p in folders if p.is_dir()):
        program, year = year_dir.parent.name, year_dir.name
        unrecognised = _unrecognised(year_dir)
        if not any((year_dir / name).is_file() for name in known):
            found = f"it holds {', '.join(unrecognised)}" if unrecognised else "it is empty"
            message = (f"'{year_dir}': no survey or codes file ({found}); the accepted names "
                       f"are {_accepted_names()}{_rename_hint(unrecognised)}")
            # A year folder is meant as a cohort; another folder (notes/, old/) may be not.
            if YEAR.match(year):
                problems.append(message)
            else:
                logger.warning(message)
            continue
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
        n_problems = len(problems)
        survey_file = _survey_file(year_dir, problems)
        has_codes = (year_dir / CODES_FILE).is_file()
        if len(problems) > n_problems:
            continue
        if survey_file is None and not has_codes:
            problems.append(
                f"'{year_dir}': no survey file; expected one of {', '.join(SURVEY_FILES)}"
                f"{_rename_hint(unrecognised)}"
            )
            continue
        if unrecognised:
            logger.warning(
                f"'{year_dir}': not read: {', '.join(unrecognised)} (the accepted names are "
                f"{_accepted_names()}{_rename_hint(unrecognised)})"
            )
        cohorts.append(Cohort(program, year, survey_file, has_codes))
    if problems:
        raise CohortDiscoveryError(
            "cannot use these folders as cohorts:\n  " + "\n  ".join(problems)
        )
    return sorted(cohorts)


def check_import_formats(cohorts: list[Cohort], programs: dict[str, dict], programs_dir) -> None:
    """Raise if a programme's ``import.format`` disagrees with the export file found."""
    problems = []
    for cohort in cohorts:
        declared = programs[cohort.program].get("import", {}).get("format")
        if cohort.import_format and declared and declared != cohort.import_format:
            problems.append(
                f"{Path(programs_dir) / cohort.program}.yaml: import.format is {declared}, but "
                f"{cohort.program}/{cohort.year}/ holds {cohort.survey_file}"
            )
    if problems:
        raise CohortDiscoveryError("\n  ".join(["export and config disagree:", *problems]))
