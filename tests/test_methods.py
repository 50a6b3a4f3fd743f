"""Every interval and p-value carries the label of the method that produced it.

effects.csv names each row's methods by keys of :data:`peermentor.analysis.methods.P_METHODS` and
:data:`~peermentor.analysis.methods.CI_METHODS`; tests/recompute.py recomputes each p (and each odds
ratio's interval) by the named method from the validated answers. Here: on the bundled
run, on hand-made cohorts, and against a mislabelled row (the test of the test). The
simulated consortium's run is checked in test_simulated_pipeline.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from recompute import P_BY_METHOD, check_effects

from peermentor.analysis import methods
from peermentor.analysis.effects import binary_effects, cohort_effects
from peermentor.analysis.mannwhitney import MWU_VARIANTS
from peermentor.analysis.stats import analyse_cohort
from peermentor.ingest.config import load_programs
from peermentor.publish.compare import read_effects


def test_every_method_label_has_a_recomputation():
    assert set(P_BY_METHOD) == set(methods.P_METHODS)
    assert set(methods.MWU_SHORT) == set(MWU_VARIANTS)


def _cohort(tmp_path, mentors, mentees, item_type="likert"):
    """A one-item cohort: its programme, its validated answers on disk and its stats."""
    item = {"id": "q", "text": "Q", "type": item_type, "construct": "programme_value"}
    if item_type == "likert":
        item["scale"] = {"min": 1, "max": 5}
    program = {"program": "demo", "roles": {"mentor": "Mentors", "mentee": "Mentees"},
               "comparison": ["mentor", "mentee"], "codebook": [item]}
    roles = ["mentor"] * len(mentors) + ["mentee"] * len(mentees)
    answers = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(roles))],
                            "role": roles, "q": [*mentors, *mentees]})
    (tmp_path / "demo").mkdir(exist_ok=True)
    answers.to_csv(tmp_path / "demo/2024.responses.csv", index=False)
    return program, answers


# Tied Likert answers where the variants disagree (the situation of Ulsan's Table 2).
MENTORS = [2, 3, 3, 3, 4, 4, 4, 4, 4, 4]
MENTEES = [3, 3, 3, 4, 4, 4, 4, 4, 5]


@pytest.mark.parametrize("variant", ["r_correct", "textbook_normal_cc", "exact_conditional"])
def test_rank_biserial_p_is_labelled_with_the_variant_that_made_it(tmp_path, variant):
    program, answers = _cohort(tmp_path, MENTORS, MENTEES)
    stats = analyse_cohort(answers, None, program, "2024", mwu_variant=variant)
    effects = cohort_effects(stats, {"demo": program}, {("demo", "2024"): variant})
    row = effects.set_index("metric").loc["rank_biserial"]
    assert row["p_method"] == f"mann_whitney_{variant}"
    checked, problems = check_effects(effects, tmp_path)
    assert checked == 2 and not problems, problems


def test_a_mislabelled_p_is_caught(tmp_path):
    # The re-check's finding: the p of the declared textbook variant under a label of the
    # default (tie- and continuity-corrected) variant. The two differ here ...
    program, answers = _cohort(tmp_path, MENTORS, MENTEES)
    stats = analyse_cohort(answers, None, program, "2024", mwu_variant="textbook_normal_cc")
    wrong = cohort_effects(stats, {"demo": program})  # no variant given: labelled r_correct
    x, y = np.array(MENTORS, float), np.array(MENTEES, float)
    assert not math.isclose(P_BY_METHOD["mann_whitney_textbook_normal_cc"](x, y),
                            P_BY_METHOD["mann_whitney_r_correct"](x, y), rel_tol=1e-3)
    # ... so the check fails the row.
    _, problems = check_effects(wrong, tmp_path)
    assert len(problems) == 1 and "mann_whitney_r_correct" in problems[0]


@pytest.mark.parametrize(("mentors", "mentees", "rule"), [
    ([1] * 8 + [0] * 2, [1] * 3 + [0] * 7, "exact_conditional"),   # expected 4.5 < 5
    ([1] * 80 + [0] * 20, [1] * 30 + [0] * 70, "woolf_log"),
    ([1] * 100, [1] * 50 + [0] * 50, "woolf_log"),                  # zero cell, large table
])
def test_odds_ratio_follows_the_stated_rule_everywhere(tmp_path, mentors, mentees, rule):
    program, answers = _cohort(tmp_path, mentors, mentees, "binary")
    stats = analyse_cohort(answers, None, program, "2024")
    effects = cohort_effects(stats, {"demo": program})
    row = effects.set_index("metric").loc["odds_ratio"]
    assert row["ci_method"] == rule
    assert row["p_method"] == ("fisher_exact" if rule == "exact_conditional"
                               else "wald_log_odds_ratio")
    # stats.csv (the report's yes/no table) shows the very same odds ratio and interval
    tests = stats[stats["group"] == "mentor_vs_mentee"].set_index("statistic")["value"]
    assert (tests["odds_ratio"], tests["odds_ratio_ci_low"], tests["odds_ratio_ci_high"]) == (
        row["estimate"], row["ci_low"], row["ci_high"])
    checked, problems = check_effects(effects, tmp_path)
    assert checked == 3 and not problems, problems


def test_cochran_rule_boundary():
    # 10 vs 10 with 10 yes in all: every expected count is 5.0, so Woolf; one fewer
    # mentor (9 vs 10, 9 yes) puts an expected count below 5: exact.
    assert methods.odds_ratio(5, 10, 5, 10)["ci_method"] == "woolf_log"
    assert methods.odds_ratio(5, 9, 4, 10)["ci_method"] == "exact_conditional"


def test_every_label_is_in_the_vocabulary():
    rows = binary_effects(3, 4, 1, 4) + binary_effects(380, 420, 220, 480)
    assert {r["ci_method"] for r in rows} <= set(methods.CI_METHODS)
    assert {r["p_method"] for r in rows} <= set(methods.P_METHODS)


# Typed from the independent re-check of issue 22 (R wilcox-style textbook formula with
# continuity correction, no tie correction) and the paper's Table 2: 0.68, 0.33, 0.60.
ULSAN_P = {"programme_appropriate": 0.683, "partner_attitude": 0.327,
           "programme_content": 0.596}


@pytest.mark.pipeline
def test_every_p_of_the_bundled_run_is_recomputed_by_its_named_method(built):
    from peermentor.analysis.stats import read_stats
    from peermentor.papers.published import mwu_variant, published_files

    programs = load_programs(sorted((built / "config/programs").glob("*.yaml")))
    # every bundled comparison has a small cell, so the shared effects.csv withholds
    # every p (issue 18's disclosure policy): the p-values are checked as the run
    # computed them before sharing (from each cohort's internal stats.csv, with the
    # variant each paper declares, as rule effects_table does), and effects.csv is
    # checked to show none of them
    shared = read_effects(built / "results/comparison/effects.csv")
    assert shared["p"].isna().all() and shared["note"].str.startswith("withheld").any()
    variants = {key: mwu_variant(path) for key, path in
                published_files(built / "config/published").items()}
    effects = cohort_effects(read_stats(sorted(built.glob("results/cohorts/*/*/stats.csv"))),
                             programs, variants)
    checked, problems = check_effects(effects, built / "results/validated", programs)
    assert not problems, "\n".join(problems)
    assert checked >= 20, checked
    ulsan = effects[(effects["program"] == "ulsan-peer")
                    & (effects["metric"] == "rank_biserial")].set_index("item")
    assert set(ulsan["p_method"]) == {"mann_whitney_textbook_normal_cc"}
    for item, p in ULSAN_P.items():
        assert round(float(ulsan.loc[item, "p"]), 3) == p, item
    assert set(effects["ci_method"]) <= set(methods.CI_METHODS)


def test_readme_names_every_method_key():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    keys = [*methods.CI_METHODS, *(k for k in methods.P_METHODS
                                   if not k.startswith(methods.MWU_PREFIX))]
    assert [k for k in keys if f"`{k}`" not in readme] == []
    assert f"`{methods.MWU_PREFIX}<variant>`" in readme
