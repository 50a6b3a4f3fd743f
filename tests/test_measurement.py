"""Multi-item scales: reliability against R's psych, scoring, the config contract, and
the scale score as one outcome of its construct (stats, effects, pooling, the report).

Reference values computed with R 4 and psych 2.2.9 (Debian r-cran-psych) on the data
typed below, the calls beside them; they agree to 3 decimals.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import fresh_copy, snakemake

from peermentor.analysis.effects import cohort_effects
from peermentor.analysis.measurement import item_total, reliability, scale_score, scored_items
from peermentor.analysis.meta import pool_effects
from peermentor.analysis.stats import analyse_cohort
from peermentor.ingest.config import ConfigError, load_program

#: 24 respondents x 4 items (1-5), i3 worded the other way (reverse-keyed), as answered.
ANSWERS = [[3, 3, 2, 2], [5, 4, 2, 4], [2, 2, 4, 2], [5, 5, 2, 5], [2, 4, 3, 2], [3, 2, 3, 2],
           [3, 3, 4, 2], [2, 1, 4, 3], [2, 2, 3, 2], [4, 3, 3, 1], [4, 3, 2, 2], [3, 3, 2, 4],
           [2, 1, 4, 2], [1, 2, 4, 3], [4, 4, 1, 4], [3, 3, 2, 3], [5, 5, 1, 5], [5, 5, 2, 4],
           [2, 2, 5, 2], [5, 4, 1, 4], [3, 3, 3, 4], [3, 3, 3, 3], [1, 2, 3, 2], [3, 2, 3, 3]]
# In R, with x the matrix above (columns i1..i4):
#   k <- x; k[, "i3"] <- 6 - k[, "i3"]
#   a <- psych::alpha(k); a$total$raw_alpha; a$item.stats$r.drop; a$feldt
#   psych::omega(k, nfactors=1)$omega.tot
R_FOUR = {"alpha": 0.8992731049, "low": 0.8122779, "high": 0.9518753,
          "omega": 0.9021372302,
          "r_drop": [0.8163181193, 0.8366477571, 0.7882294889, 0.6726058085]}
# the same on k[, 1:3]
R_THREE = {"alpha": 0.905372191, "low": 0.8134786, "high": 0.9560087,
           "omega": 0.9075397827, "r_drop": [0.8325622962, 0.8303809719, 0.7831663350]}

LIKERT = {"min": 1, "max": 5}


def _program(n_items: int = 4) -> dict:
    return {
        "program": "scaled", "roles": {"mentor": "Mentors", "mentee": "Mentees"},
        "comparison": ["mentor", "mentee"],
        "codebook": [{"id": f"i{j}", "text": f"Item {j}", "type": "likert",
                      "section": "design", "scale": dict(LIKERT)}
                     for j in range(1, n_items + 1)],
        "scales": [{"id": "design", "text": "Design", "items": [f"i{j}" for j in
                                                                range(1, n_items + 1)],
                    "reverse": ["i3"], "score": "mean", "min_answered": 2,
                    "construct": "programme_design"}],
    }


def _responses(n_items: int = 4) -> pd.DataFrame:
    frame = pd.DataFrame([row[:n_items] for row in ANSWERS],
                         columns=[f"i{j}" for j in range(1, n_items + 1)])
    frame.insert(0, "role", ["mentor", "mentee"] * 12)
    frame.insert(0, "respondent_id", [f"R{i:02d}" for i in range(24)])
    return frame


@pytest.mark.parametrize(("n_items", "ref"), [(4, R_FOUR), (3, R_THREE)])
def test_reliability_agrees_with_psych(n_items, ref):
    program = _program(n_items)
    items = scored_items(_responses(n_items), program, program["scales"][0])
    row = reliability(items).iloc[0]
    assert (row["n"], row["k"]) == (24, n_items)
    assert round(row["alpha"], 3) == round(ref["alpha"], 3)
    assert round(row["alpha_ci_low"], 3) == round(ref["low"], 3)
    assert round(row["alpha_ci_high"], 3) == round(ref["high"], 3)
    assert round(row["omega"], 3) == round(ref["omega"], 3)
    assert item_total(items).round(3).tolist() == [round(r, 3) for r in ref["r_drop"]]


def test_reverse_keying_matters():
    # left as answered, i3 pulls against the others: alpha collapses and its r.drop is < 0
    raw = _responses().drop(columns=["respondent_id", "role"]).astype(float)
    assert reliability(raw).iloc[0]["alpha"] < 0.5
    assert item_total(raw)["i3"] < 0


def test_reliability_is_on_complete_respondents_and_nan_when_undefined():
    program = _program()
    items = scored_items(_responses(), program, program["scales"][0])
    with_gap = pd.concat([items, pd.DataFrame({"i1": [5.0], "i2": [np.nan], "i3": [1.0],
                                               "i4": [2.0]})], ignore_index=True)
    pd.testing.assert_frame_equal(reliability(with_gap), reliability(items))
    flat = pd.DataFrame({"a": [3, 3, 3], "b": [1, 2, 3]})
    assert reliability(flat)[["alpha", "omega"]].isna().all(axis=None)


def test_score_is_the_mean_of_answered_items_with_a_minimum():
    items = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [3.0, np.nan, np.nan],
                          "c": [5.0, 4.0, 3.0]})
    assert scale_score(items, {"min_answered": 2}).tolist()[:2] == [3.0, 3.0]
    assert np.isnan(scale_score(items, {"min_answered": 2}).iloc[2])
    assert scale_score(items, {}).isna().tolist() == [False, True, True]


def _write(tmp_path: Path, program: dict) -> Path:
    path = tmp_path / f"{program['program']}.yaml"
    base = {"title": "T", "institution": "I", "country": "C", "design": "D",
            "cohorts": {"2024": {}}}
    path.write_text(yaml.safe_dump({**base, **program}, sort_keys=False))
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p["scales"][0]["items"].append("nope"), "item 'nope' is not in the codebook"),
    (lambda p: p["codebook"][0].update(construct="programme_value"),
     "put `construct:` on the scale"),
    (lambda p: p["scales"][0].update(reverse=["i9"]), "reverse-keyed 'i9' is not one of"),
    (lambda p: p["scales"][0].update(min_answered=7), "min_answered 7 is more than"),
    (lambda p: p["codebook"][1]["scale"].update(max=7), "different response scales"),
    (lambda p: p["scales"][0].update(score="sum"), "does not match program.schema.json"),
])
def test_config_contract(tmp_path, change, message):
    program = _program()
    load_program(_write(tmp_path, program))  # the declaration as documented is accepted
    change(program)
    with pytest.raises(ConfigError, match=message):
        load_program(_write(tmp_path, program))


def test_scale_in_stats_and_as_one_outcome_in_effects_and_pooling():
    program = _program(3)
    stats = analyse_cohort(_responses(3), None, program, 2024)
    scale = stats[stats["item"] == "design"]
    got = {(g, s, o): v for g, s, o, v in zip(scale["group"], scale["statistic"],
                                              scale["option"], scale["value"], strict=True)}
    assert got[("all", "alpha", "")] == pytest.approx(R_THREE["alpha"], abs=5e-4)
    assert got[("all", "omega", "")] == pytest.approx(R_THREE["omega"], abs=5e-4)
    assert got[("all", "item_total", "i1")] == pytest.approx(R_THREE["r_drop"][0], abs=5e-4)
    assert {("mentor", "alpha", ""), ("mentee", "alpha", ""), ("mentor_vs_mentee", "p", "")
            } <= set(got)
    effects = cohort_effects(stats, {"scaled": program})
    design = effects[effects["item"] == "design"]
    assert set(design["item_type"]) == {"scale"}
    assert set(design["construct"]) == {"programme_design"}
    assert set(design["metric"]) == {"rank_biserial", "hedges_g"}
    assert design["detectable_std"].notna().all()
    # the items carry no construct: only the score is pooled
    assert (effects.loc[effects["item"] != "design", "construct"] == "").all()
    second = stats.assign(program="other")
    both = cohort_effects(pd.concat([stats, second]), {"scaled": program,
                                                       "other": {**program,
                                                                 "program": "other"}})
    pooled = pool_effects(both, knapp_hartung=False)
    assert set(pooled["construct"]) == {"programme_design"}
    assert (pooled["k"] == 2).all()


def test_scale_statistics_under_the_disclosure_policy():
    """A scale keeps every statistic where no answer to its items is hidden; a role with a
    small answer count on one item keeps no scale statistic (its score is a sum of the
    answers) and the comparison goes; a role of 3 shows only its size marker."""
    from peermentor.publish.privacy import share_stats
    from peermentor.publish.report import item_total_table, scale_table

    program = _program(3)
    answers = _responses(3)
    # every answer given by 0 or 5+ people in each role
    mentor = answers["role"] == "mentor"
    answers.loc[mentor, "i1"] = [2] * 6 + [4] * 6
    answers.loc[mentor, "i2"] = [2] * 5 + [4] * 7
    answers.loc[mentor, "i3"] = [4] * 5 + [2] * 7
    answers.loc[~mentor, ["i1", "i2", "i3"]] = [[2, 2, 4]] * 6 + [[3, 3, 3]] * 6
    stats = analyse_cohort(answers, None, program, 2024)
    table = scale_table(stats, program, 5)
    assert table["Mean ± SD"].str.match(r"\d\.\d\d ± \d\.\d\d").all(), table
    assert table["Cronbach's α [95% CI]"].str.match(r"−?-?\d").all(), table
    shared = share_stats(stats, program, 5)
    vs = shared[(shared["item"] == "design") & (shared["group"] == "mentor_vs_mentee")]
    assert len(vs) and (vs["rule"] == "").all() and vs["value"].notna().all()

    # mentees: 3 answer i1 with a 1 (a small count)
    answers.loc[~mentor, ["i1", "i2", "i3"]] = [[1, 2, 4]] * 3 + [[3, 3, 3]] * 9
    stats = analyse_cohort(answers, None, program, 2024)
    mentees = scale_table(stats, program, 5).xs("Mentees", level="Role").iloc[0]
    assert mentees["Mean ± SD"] == mentees["Cronbach's α [95% CI]"] == "suppressed"
    assert mentees["Median [IQR]"] == "suppressed" and mentees["n (score)"] == "12"
    shared = share_stats(stats, program, 5)
    vs = shared[(shared["item"] == "design") & (shared["group"] == "mentor_vs_mentee")]
    assert len(vs) and vs["value"].isna().all() and (vs["rule"] == "scale item").all()
    assert (item_total_table(shared, program)["Mentees"] == "suppressed").all()

    # a role of 3: nothing but its size marker
    few = _responses(3)
    few = few[(few["role"] == "mentor") | (few.index >= 18)]
    row = scale_table(analyse_cohort(few, None, program, 2024), program, 5).xs(
        "Mentees", level="Role").iloc[0]
    assert row["n (score)"] == "<5"
    assert set(row.drop(["n (score)"])) <= {"suppressed", ""}


@pytest.mark.pipeline
def test_a_cohort_with_a_three_item_scale_end_to_end(tmp_path_factory):
    """A programme with a 3-item scale (one reverse-keyed) and two years: alpha, omega and
    item-total correlations in its reports, the score in effects.csv and pooled.csv."""
    workdir = fresh_copy(tmp_path_factory.mktemp("scales") / "repo")
    shutil.rmtree(workdir / "data/raw")
    program = {**_program(3), "program": "scaled", "title": "A programme with a scale",
               "institution": "Test U", "country": "Nowhere", "design": "1:1",
               "cohorts": {"2023": {}, "2024": {}}}
    (workdir / "mine/programs").mkdir(parents=True)
    (workdir / "mine/published").mkdir()
    (workdir / "mine/programs/scaled.yaml").write_text(yaml.safe_dump(program))
    # each answer given by 0 or 5+ people of a role (and of all), so that the disclosure
    # policy (threshold 5) withholds none of the scale's statistics
    mentee = {"i1": [3] * 5 + [2] * 5, "i2": [3, 3, 2, 2, 2, 3, 3, 3, 2, 2],
              "i3": [4, 3, 3, 4, 4, 3, 4, 3, 4, 3]}
    mentor = {"2023": {"i1": [4] * 5 + [2] * 5, "i2": [4, 4, 4, 3, 3, 4, 4, 3, 3, 3],
                       "i3": [2, 2, 4, 2, 4, 4, 2, 4, 2, 4]},
              "2024": {"i1": [5] * 5 + [3] * 5, "i2": [4, 4, 3, 4, 3, 4, 3, 4, 3, 3],
                       "i3": [2, 4, 2, 2, 4, 2, 4, 4, 2, 4]}}
    for year in ("2023", "2024"):
        folder = workdir / "mine/raw/scaled" / year
        folder.mkdir(parents=True)
        frame = pd.concat([pd.DataFrame(mentor[year]).assign(role="mentor"),
                           pd.DataFrame(mentee).assign(role="mentee")], ignore_index=True)
        frame = frame[["role", "i1", "i2", "i3"]]
        frame.insert(0, "respondent_id", [f"S{year}-{i:02d}" for i in range(len(frame))])
        frame.to_csv(folder / "responses.csv", index=False)
    settings = {"raw_dir": "mine/raw", "programs_dir": "mine/programs",
                "themes": "config/themes.yaml", "constructs": "config/constructs.yaml",
                "published_dir": "mine/published", "small_cell_threshold": 5,
                "pooling": {"method": "reml", "knapp_hartung": False}}
    (workdir / "mine/config.yaml").write_text(yaml.safe_dump(settings))
    snakemake(workdir, "--configfile", "mine/config.yaml")
    html = (workdir / "results/cohorts/scaled/2024/report.html").read_text()
    for text in ("Multi-item scales", "Cronbach", "total", "Corrected item-total",
                 "Item 3 (reversed)"):
        assert text in html, text
    effects = pd.read_csv(workdir / "results/comparison/effects.csv", dtype={"year": str})
    scale = effects[effects["item"] == "design"]
    assert set(scale["year"]) == {"2023", "2024"} and set(scale["item_type"]) == {"scale"}
    pooled = pd.read_csv(workdir / "results/comparison/pooled.csv")
    row = pooled[(pooled["construct"] == "programme_design")
                 & (pooled["metric"] == "hedges_g")].iloc[0]
    assert row["k"] == 2 and row["cohorts"] == "scaled 2023; scaled 2024"
