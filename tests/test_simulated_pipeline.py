"""End to end on a simulated consortium: pooled rows, forest plots, trends, "simulated".

A small consortium (2 programmes x 2 years) keeps this test to about a minute; the
README records a run on 20 x 3 (PEERMENTOR_SIM_PROGRAMS / PEERMENTOR_SIM_YEARS set the
size here too).
"""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import fresh_copy, snakemake
from recompute import check_effects

from peermentor.ingest.config import load_programs
from peermentor.ingest.simulate import write_consortium
from peermentor.publish.compare import read_effects

pytestmark = pytest.mark.pipeline

PROGRAMS = int(os.environ.get("PEERMENTOR_SIM_PROGRAMS", "2"))
YEARS = int(os.environ.get("PEERMENTOR_SIM_YEARS", "2"))


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    workdir = fresh_copy(tmp_path_factory.mktemp("simulated") / "repo")
    shutil.rmtree(workdir / "data/raw")
    write_consortium(workdir / "sim", PROGRAMS, YEARS, seed=1, repo=workdir)
    config = workdir / "sim/config.yaml"
    config.write_text(config.read_text().replace(str(workdir) + "/", ""))
    snakemake(workdir, "--configfile", "sim/config.yaml")
    return workdir


def test_pooled_rows_for_every_construct_metric(simulated):
    pooled = pd.read_csv(simulated / "results/comparison/pooled.csv")
    cohorts = PROGRAMS * YEARS
    assert {"programme_value", "partner_satisfaction", "continued_participation"} <= set(
        pooled["construct"])
    # the 4-item scale is one outcome of its construct (its items carry none); the
    # disclosure policy withholds it where a role gave one of its items' answers fewer
    # than 5 times (issue 18's "scale item" rule), and it pools where 2 cohorts share it
    effects = pd.read_csv(simulated / "results/comparison/effects.csv")
    design = effects[effects["construct"] == "programme_design"]
    assert set(design["item"]) == {"design"}
    withheld = design["estimate"].isna()
    assert design.loc[withheld, "note"].str.contains("multi-item scale").all()
    assert ("programme_design" in set(pooled["construct"])) == bool(
        ((~withheld).groupby(design["metric"]).sum() >= 2).any())
    assert set(pooled["metric"]) == {"rank_biserial", "hedges_g", "risk_difference",
                                     "risk_ratio", "odds_ratio"}
    assert (pooled["method"] == "REML").all()
    # every cohort whose comparison is shared is pooled, and no other (a yes/no table with
    # a small cell keeps no ratio: its cohort is left out of that pool)
    effects = pd.read_csv(simulated / "results/comparison/effects.csv")
    shared = effects[effects["estimate"].notna() & effects["construct"].notna()]
    counts = shared.groupby(["construct", "metric"]).size()
    assert (pooled.set_index(["construct", "metric"])["k"] == counts.reindex(
        pooled.set_index(["construct", "metric"]).index)).all()
    assert (pooled["k"] >= 2).all() and (pooled["k"] <= cohorts).all()
    assert (pooled["pi_low"] <= pooled["ci_low"]).all()
    assert (pooled["ci_low"] <= pooled["estimate"]).all()
    assert set(pooled["comparison"]) == {"mentor_vs_mentee"}


def test_pooled_rows_give_the_test_of_the_pooled_estimate(simulated):
    pooled = pd.read_csv(simulated / "results/comparison/pooled.csv")
    assert pooled["p"].between(0, 1).all() and pooled["stat"].notna().all()
    assert (pooled["ci_method"] == "z").all()  # config: knapp_hartung: false
    assert set(pooled["tau2_at_zero"]) <= {True, False}
    assert (pooled.loc[pooled["tau2_at_zero"], "tau2"] == 0).all()


def test_every_p_is_recomputed_by_its_named_method(simulated):
    effects = read_effects(simulated / "results/comparison/effects.csv")
    programs = load_programs(sorted((simulated / "sim/programs").glob("*.yaml")))
    checked, problems = check_effects(effects, simulated / "results/validated", programs)
    assert not problems, "\n".join(problems)
    # (6 Likert items + the 4-item scale's score) x 2 metrics + 3 for the yes/no item
    assert len(effects) == PROGRAMS * YEARS * 17
    assert (effects["item_type"] == "scale").sum() == PROGRAMS * YEARS * 2
    assert checked == pd.to_numeric(effects["p"], errors="coerce").notna().sum() > 0
    assert set(effects.loc[effects["metric"] == "rank_biserial", "p_method"]) == {
        "mann_whitney_r_correct"}  # no paper, so the default variant


def test_forest_and_trend_figures_with_stable_names(simulated):
    forest = simulated / "results/comparison/forest"
    for stem in ["continued_participation__mentor_vs_mentee__odds_ratio",
                 "programme_value__mentor_vs_mentee__hedges_g"]:
        assert (forest / f"{stem}.png").stat().st_size > 0
        assert "SIMULATED DATA" in (forest / f"{stem}.svg").read_text()
    trends = simulated / "results/comparison/trends"
    assert len(list(trends.glob("*.png"))) == PROGRAMS * 3
    assert (trends / "sim-01__programme_value.svg").is_file()
    table = pd.read_csv(simulated / "results/comparison/trends.csv", dtype={"year": str})
    assert table["year"].nunique() == YEARS
    # an interval wherever the statistic and what it needs are shared; otherwise why not
    shown = pd.to_numeric(table["pomp"], errors="coerce").notna()
    explained = table["ci_method"].str.contains("withheld|widened")
    assert (table["ci_low"].notna() | ~shown | explained).all()


def test_every_report_says_simulated(simulated):
    summary = (simulated / "results/comparison/summary.md").read_text()
    assert "Simulated data" in summary and "## Pooled estimates" in summary
    assert "![programme_value__mentor_vs_mentee__hedges_g](forest/" in summary
    for html in (simulated / "results/cohorts").glob("*/*/report.html"):
        assert "Simulated data, not real answers" in html.read_text()


def test_figures_are_byte_identical_on_rerun(simulated, tmp_path):
    workdir = tmp_path / "repo"
    shutil.copytree(simulated, workdir, symlinks=True)
    first = {p.relative_to(workdir): p.read_bytes()
             for p in (workdir / "results/comparison").rglob("*") if p.is_file()}
    snakemake(workdir, "--configfile", "sim/config.yaml", "--forcerun", "pooled_table",
              "trends_table", "effects_table")
    for rel, content in first.items():
        assert (workdir / rel).read_bytes() == content, rel


def test_site_shows_each_pooled_forest_plot_with_a_sentence(simulated):
    import re

    html = (simulated / "results/site/outcomes.html").read_text()
    figures = re.findall(r'<figure>\s*<div[^>]*>\s*<img src="(img/forest/[^"]+)"[^>]*>\s*'
                         r'</div>\s*<figcaption>(.*?)</figcaption>', html, re.S)
    pooled = pd.read_csv(simulated / "results/comparison/pooled.csv")
    primary = pooled[pooled["metric"].isin(["hedges_g", "odds_ratio"])]
    assert len(figures) == len(primary) >= 3  # one per construct x comparison, k >= 2
    # k: the cohorts pooled, those whose comparison the disclosure policy shares (issue 18)
    by_figure = {f"{r.construct}__{r.comparison}__{r.metric}": r for r in primary.itertuples()}
    for src, caption in figures:
        assert src.startswith("img/forest/") and (simulated / "results/site" / src).is_file()
        row = by_figure[src.rsplit("/", 1)[-1].rsplit(".", 1)[0]]
        programmes = len({c.rsplit(" ", 1)[0] for c in row.cohorts.split("; ")})
        assert 2 <= row.k <= PROGRAMS * YEARS
        assert caption.startswith(f"{row.k} cohorts ({programmes} programmes) compared "
                                  "mentors with mentees on"), caption
        assert "(95% prediction interval)" in caption and "I\u00b2 = " in caption
    assert len(re.findall(r'<img src="img/trends/', html)) == PROGRAMS * 3  # trends, too
    assert "programme_value" not in re.sub(r'(id|href|src)="[^"]*"', "", html)
