"""The shared construct framework: schema, bundled mappings, and parse-time errors."""

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from peermentor.ingest.config import ConfigError, load_program
from peermentor.ingest.constructs import check_program_constructs, load_constructs
from tests.conftest import ROOT, fresh_copy, snakemake

PROGRAMS = sorted((ROOT / "config/programs").glob("*.yaml"))


@pytest.fixture(scope="module")
def framework():
    return load_constructs(ROOT / "config/constructs.yaml")


def test_every_construct_has_a_definition_and_direction(framework):
    for cid, construct in framework["constructs"].items():
        assert construct["definition"].strip(), cid
        assert construct["better"] in ("higher", "lower"), cid


def test_every_quantitative_bundled_item_is_mapped_or_says_why(framework):
    for path in PROGRAMS:
        program = load_program(path)
        check_program_constructs(program, framework, path)
        for item in program["codebook"]:
            if item["type"] == "free_text":
                continue
            assert bool(item.get("construct")) != bool(item.get("no_construct")), (
                f"{path.name}: {item['id']} needs exactly one of construct / no_construct")
            if item.get("no_construct"):
                assert "\n" not in item["no_construct"].strip(), item["id"]


def test_at_least_three_constructs_span_two_bundled_studies():
    studies = defaultdict(set)
    for path in PROGRAMS:
        for item in load_program(path)["codebook"]:
            if item.get("construct"):
                studies[item["construct"]].add(path.stem)
    shared = {c for c, progs in studies.items() if len(progs) >= 2}
    assert len(shared) >= 3, dict(studies)


def test_unknown_construct_names_file_and_item(framework):
    program = {"codebook": [{"id": "q1", "type": "likert", "construct": "happiness"}]}
    with pytest.raises(ConfigError, match=r"my\.yaml: item 'q1': construct 'happiness'"):
        check_program_constructs(program, framework, "my.yaml")


def test_schema_error_names_the_construct(tmp_path):
    bad = tmp_path / "constructs.yaml"
    bad.write_text(yaml.safe_dump({"constructs": {"value": {"label": "V", "better": "up"}}}))
    with pytest.raises(ConfigError, match="constructs/value"):
        load_constructs(bad)


def test_pipeline_stops_at_parse_time_on_an_unknown_construct(tmp_path):
    work = fresh_copy(tmp_path / "repo")
    path = work / "config/programs/ulsan-peer.yaml"
    text = path.read_text()
    path.write_text(text.replace("construct: partner_satisfaction", "construct: partner_joy"))
    result = snakemake(Path(work), "--dry-run", check=False)
    assert result.returncode != 0
    assert "config/programs/ulsan-peer.yaml: item 'partner_attitude': construct 'partner_joy'" \
        in result.stdout + result.stderr


def test_scaffolded_redcap_programme_gets_a_comparison_construct_todos_and_effects(
        tmp_path, capsys):
    from peermentor.analysis.effects import cohort_effects
    from peermentor.analysis.stats import analyse_cohort
    from peermentor.ingest import scaffold
    from peermentor.ingest.importers import import_export
    from peermentor.ingest.validate import read_raw_csv, validate_cohort
    from tests.exports import redcap_export

    ulsan = load_program(ROOT / "config/programs/ulsan-peer.yaml")
    canonical = read_raw_csv(ROOT / "data/raw/ulsan-peer/2019/responses.csv")
    redcap_export(ulsan, canonical, tmp_path)
    assert scaffold.main(["redcap", str(tmp_path / "redcap_dictionary.csv"),
                          "--program", "my-prog"]) == 0
    path = tmp_path / "my-prog.yaml"
    path.write_text(capsys.readouterr().out)
    text = path.read_text()
    assert "# TODO: the two roles compared" in text
    assert "map to a construct in config/constructs.yaml" in text
    program = load_program(path)
    assert program["comparison"] == ["mentors", "mentees"]
    check_program_constructs(program, load_constructs(ROOT / "config/constructs.yaml"), path)
    # No hand edits: import, validate, analyse, effects.
    table = import_export(program, "redcap", tmp_path / "redcap.csv",
                          tmp_path / "redcap_dictionary.csv")
    table.to_csv(tmp_path / "responses.csv", index=False)
    responses, codes = validate_cohort(program, tmp_path / "responses.csv", None)
    stats = analyse_cohort(responses, codes, program, "2024")
    effects = cohort_effects(stats, {"my-prog": program})
    likert = effects[effects["item"] == "programme_appropriate"]
    assert likert["metric"].tolist() == ["rank_biserial", "hedges_g"]
    assert likert["ci_low"].notna().all() and (likert["comparison"] == "mentors_vs_mentees").all()
    assert set(effects["metric"]) >= {"risk_difference", "risk_ratio", "odds_ratio"}
