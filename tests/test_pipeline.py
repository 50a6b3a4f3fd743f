"""End to end: the whole workflow on a fresh copy of the repository in a temporary folder.

Expected numbers are typed from the papers (see ../shared/seeds/), never read
back from the pipeline's own output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import USER_COHORT, USER_ROWS, fresh_copy, planned_jobs, snakemake

STUDIES = {
    ("unc-ssm", "2019"),
    ("ulsan-peer", "2019"),
    ("ucsf-obgyn", "2020"),
    ("tums-dual", "2012"),
    ("dual-role-group", "2023"),
}
# The session's copy also holds a user's own cohort with CRLF line endings (conftest).
COHORTS = STUDIES | {USER_COHORT}
COMPARISON_RULES = {"studies_table", "outcomes_table", "themes_table", "comparison_summary",
                    "effects_table", "pooled_table", "trends_table", "disclosure_check",
                    "site"}

pytestmark = pytest.mark.pipeline


def stats_of(workdir: Path, program: str, year: str) -> pd.DataFrame:
    return pd.read_csv(
        workdir / f"results/cohorts/{program}/{year}/stats.csv",
        dtype={"year": str, "option": str},
        keep_default_na=False,
        na_values={"value": [""]},
    )


def value(stats: pd.DataFrame, item: str, group: str, statistic: str, option: str = "") -> float:
    rows = stats[
        (stats["item"] == item)
        & (stats["group"] == group)
        & (stats["statistic"] == statistic)
        & (stats["option"] == option)
    ]
    assert len(rows) == 1, f"{item}/{option}/{group}/{statistic}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


def test_every_cohort_has_its_outputs(built):
    for program, year in COHORTS:
        folder = built / "results/cohorts" / program / year
        for name in ["report.ipynb", "report.html", "stats.csv"]:
            assert (folder / name).stat().st_size > 0, folder / name
        assert (folder / "figures").is_dir()
        assert (built / f"results/validated/{program}/{year}.responses.csv").is_file()
    for name in ["studies.csv", "outcomes.csv", "themes.csv", "summary.md"]:
        assert (built / "results/comparison" / name).stat().st_size > 0


def test_user_cohort_with_windows_line_endings_builds(built):
    program, year = USER_COHORT
    stats = stats_of(built, program, year)
    assert value(stats, "sat", "mentor", "n") == 6
    assert value(stats, "sat", "mentor", "mean") == pytest.approx((4 + 5 + 3 + 4 + 5 + 2) / 6)
    assert value(stats, "sat", "mentee", "mean") == pytest.approx((3 + 2 + 4 + 1 + 3) / 5)
    assert len(USER_ROWS) == 12
    studies = pd.read_csv(built / "results/comparison/studies.csv", dtype={"year": str})
    assert (program, year) in set(zip(studies["program"], studies["year"], strict=True))


def test_reports_say_the_data_are_reconstructed(built):
    for program, year in STUDIES:
        html = (built / f"results/cohorts/{program}/{year}/report.html").read_text()
        assert "Reconstructed data, not real answers" in html, program
    assert "Reconstructed data" in (built / "results/comparison/summary.md").read_text()


def test_cohort_report_suppresses_small_counts_and_states_the_rule(built):
    # UCSF: 4 of 20 residents responded, under the default threshold of 5
    html = (built / "results/cohorts/ucsf-obgyn/2020/report.html").read_text()
    # residents responded (1; a group under 5 shows nothing else, so their analysed and
    # excluded show as "suppressed"); the n of the residents' ranking item, by role and
    # all, per option (6). The paper prints "4 residents", so the reproduction table
    # shows it and the pipeline's equal count, as printed.
    assert html.count("<td>&lt;5</td>") == 7
    assert "<td>suppressed</td>" in html  # their response rate, and the 18 (= 14 + 4)
    assert "Small cells suppressed: counts from 1 to 4" in html


def test_summary_tables_have_blanks_not_nan(built):
    import re

    summary = (built / "results/comparison/summary.md").read_text()
    table_lines = [line for line in summary.splitlines() if line.startswith("|")]
    assert table_lines
    assert not [line for line in table_lines if re.search(r"\|\s*nan\s*\|", line)]


def test_three_constructs_span_two_bundled_studies_each_row_with_n_and_a_ci(built):
    outcomes = pd.read_csv(built / "results/comparison/outcomes.csv", dtype=str)
    bundled = outcomes[outcomes["program"].isin({p for p, _ in STUDIES})]
    programs = bundled.groupby("construct")["program"].nunique()
    shared = programs[programs >= 2].index
    assert len(shared) >= 3, programs.to_dict()
    rows = bundled[bundled["construct"].isin(shared)]
    numbers = rows[["n", "ci_low", "ci_high"]].apply(pd.to_numeric, errors="coerce")
    assert numbers["n"].notna().all(), rows[["program", "item", "group", "n"]]
    # an interval goes only with its percentage, where the count was hidden to keep
    # another group's small count hidden (a sum over roles: no interval from the marker
    # alone is sure to cover it), and says so
    no_interval = rows[numbers["ci_low"].isna()]
    assert (no_interval[["pomp", "ci_low", "ci_high"]] == "suppressed").all().all()
    assert no_interval["ci_method"].str.startswith("withheld with the percentage").all()
    assert len(no_interval) < len(rows) / 4, no_interval[["program", "item", "group"]]
    kept = numbers.dropna()
    assert (kept["ci_low"] < kept["ci_high"]).all()
    # the default threshold still withholds some percentages: those rows keep a CI
    withheld = rows[(rows["pomp"] == "suppressed") & numbers["ci_low"].notna()]
    assert len(withheld) and withheld["ci_method"].str.contains("widened").all()


def test_second_run_has_nothing_to_do(built):
    result = snakemake(built)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_studies_table_participation_from_the_papers(built):
    shared = pd.read_csv(built / "results/comparison/studies.csv", dtype=str)
    # UCSF's 4 responding residents fall under the default small-cell threshold of 5
    ucsf_shared = shared.set_index("program").loc["ucsf-obgyn"]
    assert (ucsf_shared["responded_mentor"], ucsf_shared["responded_mentee"]) == ("<5", "14")
    # 18 responded = 14 + 4: the total gives the 4 back, but the paper prints "4
    # residents" itself (a public count: the policy hides nothing more for it); the
    # number invited is unknown, so there is no response rate to hide
    assert ucsf_shared["responded"] == "18"
    assert pd.isna(ucsf_shared["response_rate"])
    assert value(stats_of(built, "ucsf-obgyn", "2020"), "participation", "mentor",
                 "responded") == 4  # the cohort's own stats.csv is not suppressed
    studies = shared.replace(["<5", "suppressed"], None)
    numeric = [c for c in studies.columns if c.startswith(("invited", "responded", "paired"))]
    studies[numeric + ["response_rate", "analysed", "excluded"]] = studies[
        numeric + ["response_rate", "analysed", "excluded"]].apply(pd.to_numeric)
    rows = studies.set_index(["program", "year"])
    # (responded, invited) as the papers print them
    expected = {
        ("unc-ssm", "2019"): (107, 178),  # Abstract: 107 of 178, 60%
        ("ulsan-peer", "2019"): (19, 67),  # Results: 19 of 67 (28.4%)
        ("tums-dual", "2012"): (33, 48),  # 21 of 36 mentees, 12 of 12 mentors
    }
    for key, (responded, invited) in expected.items():
        assert (rows.loc[key, "responded"], rows.loc[key, "invited"]) == (responded, invited)
    assert round(rows.loc[("unc-ssm", "2019"), "response_rate"]) == 60
    assert rows.loc[("ulsan-peer", "2019"), "response_rate"] == pytest.approx(28.4)
    tums = rows.loc[("tums-dual", "2012")]
    assert (tums["responded_mentee"], tums["invited_mentee"]) == (21, 36)
    assert (tums["responded_mentor"], tums["invited_mentor"]) == (12, 12)
    # UCSF: 22 students paired with 20 residents; surveys also went to unpaired ones, how
    # many is not published, so nothing is invited and no rate is computed, with why.
    ucsf = rows.loc[("ucsf-obgyn", "2020")]
    # responded: 18 = 14 + the 4 the paper prints (above); nothing is invited
    assert ucsf["responded"] == 18 and pd.isna(ucsf["invited"])
    assert pd.isna(ucsf["response_rate"]) and "not computable" in ucsf["response_rate_note"]
    assert (ucsf["responded_mentee"], ucsf["paired_mentee"], ucsf["paired_mentor"]) == (
        14, 22, 20)
    assert "invited_mentee" not in rows.columns or pd.isna(ucsf["invited_mentee"])
    ucsf_stats = stats_of(built, "ucsf-obgyn", "2020")
    assert not ucsf_stats["statistic"].isin(["invited", "response_rate"]).any()
    assert value(ucsf_stats, "participation", "mentee", "paired") == 22
    summary = (built / "results/comparison/summary.md").read_text()
    assert "number invited is unknown" in summary
    unc = rows.loc[("unc-ssm", "2019")]
    assert (unc["responded_mentor"], unc["responded_non_mentor"]) == (42, 48)
    assert (unc["responded_excluded"], unc["analysed"], unc["excluded"]) == (17, 90, 17)
    assert rows.loc[("dual-role-group", "2023"), "responded"] == 20


def test_unc_and_ulsan_participation_flow(built):
    unc = stats_of(built, "unc-ssm", "2019")
    assert value(unc, "participation", "all", "invited") == 178
    assert value(unc, "participation", "all", "responded") == 107
    assert value(unc, "participation", "all", "analysed") == 90
    assert value(unc, "participation", "all", "excluded") == 17
    assert value(unc, "participation", "mentor", "responded") == 42
    assert value(unc, "participation", "non_mentor", "responded") == 48
    ulsan = stats_of(built, "ulsan-peer", "2019")
    assert value(ulsan, "participation", "all", "responded") == 19
    assert value(ulsan, "participation", "all", "invited") == 67
    assert round(value(ulsan, "participation", "all", "response_rate"), 1) == 28.4
    # Table 2 header: mentors N=10, mentees N=9
    assert value(ulsan, "participation", "mentor", "responded") == 10
    assert value(ulsan, "participation", "mentee", "responded") == 9


# Ulsan Table 2 (mean±SD by role), typed from the paper.
ULSAN_TABLE_2 = {
    "mentor": [(3.5, 0.7), (3.4, 1.2), (3.6, 0.5)],
    "mentee": [(3.7, 0.9), (3.9, 1.2), (3.8, 1.0)],
}


def test_ulsan_table_2_means_and_sds(built):
    stats = stats_of(built, "ulsan-peer", "2019")
    likert = stats[(stats["statistic"] == "mean") & (stats["group"] == "mentor")]
    items = list(dict.fromkeys(likert["item"]))
    assert len(items) == 3, items
    for role, printed in ULSAN_TABLE_2.items():
        for item, (mean, sd) in zip(items, printed, strict=True):
            assert round(value(stats, item, role, "mean"), 1) == mean, (item, role)
            assert round(value(stats, item, role, "sd"), 1) == sd, (item, role)
        assert {value(stats, item, role, "n") for item in items} == {10 if role == "mentor" else 9}


def _counts_by_label(stats, program_items, group, n_expected):
    """{option label: (count, percent rounded)} for the multi/single choice items given."""
    out = {}
    for item in program_items:
        assert value(stats, item["id"], group, "n") == n_expected, item["id"]
        for code, label in item["choices"].items():
            out[label] = (
                int(value(stats, item["id"], group, "count", code)),
                round(value(stats, item["id"], group, "percent", code)),
            )
    return out


def _ulsan_items(built):
    import yaml

    program = yaml.safe_load((built / "config/programs/ulsan-peer.yaml").read_text())
    return {item["id"]: item for item in program["codebook"]}


def _norm(text: str) -> str:
    """Lower case, en dashes as hyphens: the paper prints '4–5', configs may say '4-5'."""
    return text.lower().replace("–", "-")


def test_ulsan_table_1_counts(built):
    stats = stats_of(built, "ulsan-peer", "2019")
    items = _ulsan_items(built)
    table_1 = [i for i in items.values() if i["id"].startswith("meeting")]
    counts = {label: c for label, (c, _) in _counts_by_label(stats, table_1, "all", 19).items()}
    # Table 1 (N=19): No. of response, typed from the paper, in order
    assert sorted(counts.values(), reverse=True) == sorted(
        [4, 7, 2, 6, 16, 14, 4, 6, 6, 3, 8, 7, 6, 4, 1], reverse=True
    )
    by_words = {
        "Fewer than 3": 4, "4–5": 7, "6–8": 2, "More than 8": 6,
        "face to face": 16, "text message": 14,
        "Less than 1 hour": 4, "Around 1 hour": 6, "Around 2 hours": 6, "Around 3 hours": 3,
        "dormitory": 8, "Lecture room": 7, "Cafe": 6, "Student lounge": 4, "Library": 1,
    }
    for words, expected in by_words.items():
        matches = [c for label, c in counts.items() if _norm(words) in _norm(label)]
        assert matches == [expected], (words, counts)


def test_ulsan_tables_3_and_4_counts(built):
    stats = stats_of(built, "ulsan-peer", "2019")
    items = _ulsan_items(built)
    table_3_mentors = _counts_by_label(stats, [items["purpose_mentor"]], "mentor", 10)
    assert sorted(table_3_mentors.values(), reverse=True) == [(4, 40), (4, 40), (2, 20), (1, 10)]
    # Two mentees did not answer: percentages are of 7
    table_3_mentees = _counts_by_label(stats, [items["purpose_mentee"]], "mentee", 7)
    assert sorted(table_3_mentees.values(), reverse=True) == [(2, 29), (2, 29), (1, 14), (1, 14)]
    role = [i for i in items.values() if i["type"] == "multi_choice" and "role" in i["id"]]
    assert len(role) == 1
    mentors = _counts_by_label(stats, role, "mentor", 10)
    mentees = _counts_by_label(stats, role, "mentee", 9)
    table_4 = {  # label words: (mentors count, %), (mentees count, %)
        "test-taking": ((7, 70), (6, 67)),
        "Facilitator": ((6, 60), (5, 56)),
        "school life": ((3, 30), (1, 11)),
        "Emotional": ((2, 20), (2, 22)),
        "Private tutor": ((1, 10), (2, 22)),
        "study resources": ((1, 10), (0, 0)),
    }
    for words, (mentor_expected, mentee_expected) in table_4.items():
        label = next(lab for lab in mentors if words.lower() in lab.lower())
        assert mentors[label] == mentor_expected, words
        assert mentees[label] == mentee_expected, words


def test_new_cohort_runs_only_its_jobs_and_comparisons(built, tmp_path):
    workdir = tmp_path / "repo"
    shutil.copytree(built, workdir, symlinks=True)
    new = workdir / "data/raw/ulsan-peer/2021"
    new.mkdir()
    shutil.copy2(workdir / "data/raw/ulsan-peer/2019/responses.csv", new / "responses.csv")
    jobs = planned_jobs(workdir)
    cohort_jobs = {(rule, wc) for rule, wc in jobs if rule not in COMPARISON_RULES}
    assert {rule for rule, _ in jobs} - {rule for rule, _ in cohort_jobs} == COMPARISON_RULES
    assert {wc for _, wc in cohort_jobs} == {"program=ulsan-peer, year=2021"}
    # one job per cohort: validation, notebook and HTML
    assert [rule for rule, _ in cohort_jobs] == ["cohort_report"]
    snakemake(workdir)
    studies = pd.read_csv(workdir / "results/comparison/studies.csv", dtype={"year": str})
    assert ("ulsan-peer", "2021") in set(zip(studies["program"], studies["year"], strict=True))
    # a new year of a bundled programme holds real answers: no reconstruction banner
    html = (workdir / "results/cohorts/ulsan-peer/2021/report.html").read_text()
    assert "Reconstructed data" not in html and "RECONSTRUCTION" not in html
    assert "Reconstructed data" in (workdir / "results/cohorts/ulsan-peer/2019/report.html"
                                    ).read_text()
    index = (workdir / "results/site/index.html").read_text()
    assert '<a href="../cohorts/ulsan-peer/2021/report.html">' in index


# A programme with a free-text item, as a survey export might arrive: semicolons, BOM,
# CRLF, Likert answers as labels, an extra column; codes with a quote column.
PRIVATE_PROGRAM = """\
program: private-demo
title: Privacy demo
institution: Demo U
country: Nowhere
design: 1:1 peer mentoring
roles: {mentor: Mentors, mentee: Mentees}
comparison: [mentor, mentee]
cohorts: {"2024": {invited: {mentor: 8, mentee: 8}}}
codebook:
  - {id: sat, text: "Satisfied?", type: likert, construct: programme_value,
     scale: {min: 1, max: 5, labels: {1: Not at all, 3: Neutral, 5: Very high}}}
  - {id: comment, text: "Anything else?", type: free_text}
qualitative:
  categories: [{id: support, label: Support}]
"""
PRIVATE_IDS = [f"PRV-{i:03d}" for i in range(1, 13)]
PRIVATE_TEXT = [f"My mentor Alex Example {i} was great" for i in range(1, 13)]
PRIVATE_QUOTES = ["QUOTE said in confidence number one", "QUOTE said in confidence two"]


def _write_private_cohort(workdir: Path) -> None:
    import csv

    (workdir / "config/programs/private-demo.yaml").write_text(PRIVATE_PROGRAM)
    folder = workdir / "data/raw/private-demo/2024"
    folder.mkdir(parents=True)
    answers = ["Very high", "4", "Neutral", "2", "5", "not at all"] * 2
    with (folder / "responses.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(["respondent_id", "role", "sat", "comment", "email"])
        for i, (rid, text) in enumerate(zip(PRIVATE_IDS, PRIVATE_TEXT, strict=True)):
            role = "mentor" if i < 6 else "mentee"
            writer.writerow([rid, role, answers[i], text, f"{rid.lower()}@example.org"])
    (folder / "codes.csv").write_text(
        "segment_id,respondent_id,source,role,category,subcategory,quote\n"
        f"S1,{PRIVATE_IDS[0]},interview,mentor,support,,{PRIVATE_QUOTES[0]}\n"
        f"S2,{PRIVATE_IDS[7]},interview,mentee,support,,{PRIVATE_QUOTES[1]}\n"
    )


def test_bad_cohorts_fail_clearly_and_others_still_build(built, tmp_path):
    workdir = tmp_path / "repo"
    shutil.copytree(built, workdir, symlinks=True)
    _write_private_cohort(workdir)  # the good one: messy but valid
    source = (workdir / "data/raw/ulsan-peer/2019/responses.csv").read_text().splitlines()
    header = source[0].split(",")
    column = next(i["id"] for i in _ulsan_items(workdir).values() if i["type"] == "likert")
    row = source[4].split(",")  # line 5 of the file
    row[header.index(column)] = "7"
    bad = {  # year: file content
        "2022": "\n".join([*source[:4], ",".join(row), *source[5:]]) + "\n",
        "2023": "\n".join(source[:3]) + "\n" + source[3].replace("mentor", "mentor,extra") + "\n",
    }
    for year, text in bad.items():
        (workdir / f"data/raw/ulsan-peer/{year}").mkdir()
        (workdir / f"data/raw/ulsan-peer/{year}/responses.csv").write_text(text)
    latin = workdir / "data/raw/ulsan-peer/2024"
    latin.mkdir()
    (latin / "responses.csv").write_bytes(
        ("\n".join(source[:6]).replace("female", "femme, née") + "\n").encode("cp1252"))
    raw_before = {p: p.read_bytes() for p in (workdir / "data/raw").rglob("*") if p.is_file()}

    result = snakemake(workdir, "--keep-going", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "data/raw/ulsan-peer/2022/responses.csv" in output
    assert "line 5" in output and f"column '{column}'" in output and "'7'" in output
    report = pd.read_csv(workdir / "results/logs/validate/ulsan-peer/2022.failures.csv")
    assert report[["line", "column", "value"]].values.tolist() == [[5, column, 7]]
    ragged = pd.read_csv(workdir / "results/logs/validate/ulsan-peer/2023.failures.csv")
    assert ragged[["file", "line", "row"]].values.tolist() == [
        ["data/raw/ulsan-peer/2023/responses.csv", 4, 3]]
    assert f"has {len(header) + 1} fields but the header has {len(header)}" in ragged["rule"][0]
    assert "data/raw/ulsan-peer/2024/responses.csv, line 3: value '0xE9'" in output
    assert "save the file as UTF-8" in output
    for year in bad.keys() | {"2024"}:  # no half-made results for a failed cohort
        assert not (workdir / f"results/validated/ulsan-peer/{year}.responses.csv").exists()
        assert not (workdir / f"results/cohorts/ulsan-peer/{year}").exists()
    # the good new cohort still built, with the label answers read as numbers
    assert (workdir / "results/cohorts/private-demo/2024/report.html").is_file()
    # the site is still written, listing every failed cohort with its failure report
    index = (workdir / "results/site/index.html").read_text()
    assert "This run did not finish" in index
    for year in bad:
        assert f'href="failures/ulsan-peer-{year}.html"' in index
        assert (workdir / f"results/site/failures/ulsan-peer-{year}.html").is_file()
    assert "ulsan-peer</td><td>2024</td>" in index.replace("\n", "")
    # ... whose pages say where each problem is, not whose answer or what it was
    failed_ids = sorted(set(report["respondent_id"].dropna().astype(str)))
    assert failed_ids and leaks(workdir, failed_ids) == []
    assert '<a href="../cohorts/private-demo/2024/report.html">' in index
    stats = stats_of(workdir, "private-demo", "2024")
    assert value(stats, "sat", "all", "mean") == pytest.approx((5 + 4 + 3 + 2 + 5 + 1) / 6)
    log = (workdir / "results/logs/validate/private-demo/2024.log").read_text()
    assert "separated by semicolons" in log and "'email'" in log and "'quote'" in log
    # raw data untouched
    after = {p: p.read_bytes() for p in (workdir / "data/raw").rglob("*") if p.is_file()}
    assert after == raw_before
    # identifiers and free text stay out of everything the cohort and comparison share
    private = PRIVATE_IDS + PRIVATE_TEXT + PRIVATE_QUOTES + ["@example.org"]
    assert leaks(workdir, private) == []


def test_changing_the_threshold_rebuilds_every_shared_table(built):
    import re

    out = snakemake(built, "--dry-run", "--config", "small_cell_threshold=0").stdout
    rules = re.findall(r"^(?:local)?rule (\w+):", out, flags=re.MULTILINE)
    # (the reproduction tables follow, as they read the rebuilt stats.csv)
    assert set(rules) - {"all"} == COMPARISON_RULES | {"cohort_report", "reproduction_tables"}
    assert rules.count("cohort_report") == len(COHORTS)


def respondent_ids(workdir: Path) -> set[str]:
    ids = set()
    for name in ["responses.csv", "codes.csv"]:
        for path in (workdir / "data/raw").glob(f"*/*/{name}"):
            column = pd.read_csv(path, dtype=str)["respondent_id"].dropna()
            ids |= set(column)
    return ids


def leaks(workdir: Path, secrets) -> list[tuple[str, str]]:
    """(file, secret) for every shared output that contains a secret."""
    shared = [p for p in (workdir / "results/comparison").rglob("*") if p.is_file()]
    shared += list((workdir / "results").glob("*.csv"))  # reproduction, audit
    shared += list((workdir / "results/cohorts").glob("*/*/stats.csv"))
    shared += list((workdir / "results/cohorts").glob("*/*/report.*"))  # .html, .ipynb
    shared += [p for p in (workdir / "results/site").rglob("*")
               if p.suffix in (".html", ".csv")]
    found = []
    for path in sorted(shared):
        if path.suffix == ".png":  # figures: their text is in the SVG twin
            continue
        text = path.read_text(encoding="utf-8")
        found += [(str(path.relative_to(workdir)), s) for s in secrets if s in text]
    return found


def test_no_respondent_id_leaves_the_validated_data(built):
    ids = respondent_ids(built)
    assert len(ids) > 150  # every bundled respondent (and the scan is not vacuous)
    assert leaks(built, ids) == []
    # the scan does find an id where there is one
    assert leaks(built, ["unc-ssm"]) != []


def test_stats_are_deterministic(built, tmp_path):
    workdir = tmp_path / "repo"
    shutil.copytree(built, workdir, symlinks=True)
    first = {
        p.relative_to(workdir): p.read_bytes()
        for pattern in ["results/cohorts/*/*/stats.csv", "results/comparison/*.csv",
                        "results/comparison/summary.md", "results/*.csv"]
        for p in workdir.glob(pattern)
    }
    assert Path("results/reproduction.csv") in first and Path("results/audit.csv") in first
    snakemake(workdir, "--forceall")
    for rel, content in first.items():
        assert (workdir / rel).read_bytes() == content, rel


@pytest.mark.parametrize(
    ("folder", "words"),
    [
        ("ulsan-peer/spring", "'spring' is not a four-digit year"),
        ("harvard-peer/2024", "programme 'harvard-peer' has no config"),
    ],
)
def test_bad_cohort_folder_stops_the_run_with_what_to_do(tmp_path, folder, words):
    workdir = fresh_copy(tmp_path / "repo")
    (workdir / "data/raw" / folder).mkdir(parents=True)
    shutil.copy2(
        workdir / "data/raw/ulsan-peer/2019/responses.csv",
        workdir / "data/raw" / folder / "responses.csv",
    )
    result = snakemake(workdir, "--dry-run", check=False)
    assert result.returncode != 0
    assert words in result.stdout + result.stderr


def test_snakemake_report_bundles_notebooks_and_tables(built, tmp_path):
    import zipfile

    archive = tmp_path / "report.zip"
    snakemake(built, "--report", str(archive))
    names = [n.rsplit("/", 1)[-1] for n in zipfile.ZipFile(archive).namelist()]
    # Snakemake stores each result under a hashed folder, keeping its file name
    assert names.count("report.html") == len(COHORTS) + 1  # + the report's own index
    for table in ["studies.csv", "outcomes.csv", "themes.csv", "summary.md"]:
        assert table in names
