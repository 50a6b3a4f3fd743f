"""Consortia for the benchmarks: N cohorts of one synthetic survey design, or N copies
of the bundled Ulsan and UNC cohorts (real codebooks).

Self-contained (no project code). ``generate`` writes ``config/programs/bench-NNN.yaml``
(ten survey years each) and ``data/raw/bench-NNN/<year>/responses.csv`` with seeded
random answers; ``copies`` writes ``config/programs/copy-NN.yaml`` (the Ulsan or UNC
config under another name, one cohort entry per year, the paper's published values
left out) and copies that study's files (responses and, for Ulsan, its coded segments)
into ``data/raw/copy-NN/<year>/``. Both write into a copy of the repository, for
timing only.

    python benchmarks/cohorts.py WORKDIR N [--respondents 150] [--copies]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import yaml

YEARS_PER_PROGRAM = 10
FIRST_YEAR = 2001
LIKERT = [f"sat{i}" for i in range(1, 6)]
TOPICS = ["study", "career", "wellbeing", "research"]

PROGRAM = """\
# Synthetic programme for benchmarks/ (not a real study).
program: {program}
title: Synthetic benchmark programme {number}
institution: Synthetic University {number}
country: Nowhere
design: 1:1 peer mentoring
roles: {{mentor: Mentors, mentee: Mentees}}
comparison: [mentor, mentee]
cohorts:
{cohorts}
codebook:
  - {{id: gender, text: Gender, type: single_choice, section: demographics,
     no_construct: synthetic demographic,
     choices: {{female: Female, male: Male}}}}
  - {{id: age, text: Age (years), type: numeric, section: demographics,
     no_construct: synthetic demographic,
     min: 18, max: 60}}
{likert}
  - {{id: would_again, text: Would take part again, type: binary, section: outcomes,
     construct: continued_participation}}
  - {{id: topics, text: Topics discussed, type: multi_choice, section: outcomes,
     no_construct: synthetic topics, choices: {{{topics}}}}}
"""
LIKERT_ITEM = """\
  - {{id: {id}, text: Satisfaction item {id}, type: likert, section: outcomes,
     construct: programme_value, scale: {{min: 1, max: 5}}}}"""


def program_yaml(number: int, years: list[int], invited: int) -> str:
    cohorts = "\n".join(
        f'  "{year}": {{invited: {{mentor: {invited}, mentee: {invited}}}}}' for year in years
    )
    return PROGRAM.format(
        program=f"bench-{number:03d}", number=number, cohorts=cohorts,
        likert="\n".join(LIKERT_ITEM.format(id=item) for item in LIKERT),
        topics=", ".join(f"{t}: {t.title()}" for t in TOPICS),
    )


def write_responses(path: Path, respondents: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    header = ["respondent_id", "role", "gender", "age", *LIKERT, "would_again",
              *[f"topics__{t}" for t in TOPICS]]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        roles = rng.choice(["mentor", "mentee"], size=respondents)
        genders = rng.choice(["female", "male"], size=respondents)
        ages = rng.integers(19, 35, size=respondents)
        likert = rng.integers(1, 6, size=(respondents, len(LIKERT)))
        again = rng.integers(0, 2, size=respondents)
        topics = rng.integers(0, 2, size=(respondents, len(TOPICS)))
        for i in range(respondents):
            writer.writerow([f"R{i + 1:07d}", roles[i], genders[i], ages[i], *likert[i],
                             again[i], *topics[i]])


def generate(workdir: Path, n: int, respondents: int = 150) -> list[tuple[str, int]]:
    """Write n synthetic cohorts into workdir; return their (program, year)."""
    made = []
    for number in range((n + YEARS_PER_PROGRAM - 1) // YEARS_PER_PROGRAM):
        years = [FIRST_YEAR + k for k in range(min(YEARS_PER_PROGRAM, n - len(made)))]
        program = f"bench-{number:03d}"
        (workdir / f"config/programs/{program}.yaml").write_text(
            program_yaml(number, years, invited=respondents))
        for year in years:
            write_responses(workdir / f"data/raw/{program}/{year}/responses.csv",
                            respondents, seed=number * 100 + year)
            made.append((program, year))
    return made


#: The bundled cohorts copied by :func:`copies`, in turn: (programme, year).
COPIED_COHORTS = [("ulsan-peer", "2019"), ("unc-ssm", "2019")]
YEARS_PER_COPY = 200  # 1,000 cohorts are five programme copies
FIRST_COPY_YEAR = 1900  # to 2099: the years a cohort folder may have


def copies(workdir: Path, n: int) -> list[tuple[str, int]]:
    """Write n copies of the bundled Ulsan and UNC cohorts; return their (program, year)."""
    made = []
    for number in range((n + YEARS_PER_COPY - 1) // YEARS_PER_COPY):
        source, source_year = COPIED_COHORTS[number % len(COPIED_COHORTS)]
        program = f"copy-{number:02d}"
        config = yaml.safe_load((workdir / f"config/programs/{source}.yaml").read_text())
        entry = {k: v for k, v in config["cohorts"][source_year].items() if k != "published"}
        years = [FIRST_COPY_YEAR + k for k in range(min(YEARS_PER_COPY, n - len(made)))]
        config["program"] = program
        config["cohorts"] = {str(year): entry for year in years}
        (workdir / f"config/programs/{program}.yaml").write_text(
            "# A copy of config/programs/" + source + ".yaml for benchmarks/ (timing only).\n"
            + yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
        files = sorted((workdir / f"data/raw/{source}/{source_year}").glob("*.csv"))
        for year in years:
            folder = workdir / f"data/raw/{program}/{year}"
            folder.mkdir(parents=True, exist_ok=True)
            for path in files:
                (folder / path.name).write_bytes(path.read_bytes())
            made.append((program, year))
    return made


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--respondents", type=int, default=150)
    parser.add_argument("--copies", action="store_true", help="copies of bundled cohorts")
    args = parser.parse_args()
    made = copies(args.workdir, args.n) if args.copies else generate(
        args.workdir, args.n, args.respondents)
    print(len(made), "cohorts written")
