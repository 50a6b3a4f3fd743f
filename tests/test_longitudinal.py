"""Change between waves of a longitudinal REDCap export (peermentor.analysis.longitudinal).

Expected values are typed from scipy's documented Wilcoxon example and from hand
calculation (exact binomial and signed-rank distributions), never from our output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from exports import LONGITUDINAL_PROGRAM, redcap_longitudinal_project

from peermentor.analysis.longitudinal import (
    rank_biserial_of_changes,
    signed_rank,
    wave_change,
)
from peermentor.ingest.config import load_program
from peermentor.ingest.importers import import_cohort
from peermentor.ingest.schema import to_typed
from peermentor.publish.report import change_table


def test_signed_rank_reproduces_scipys_documented_example():
    # scipy.stats.wilcoxon docs: differences in height of 15 pairs of plants;
    # W = 24 (ranks of -48 and -67: 10 + 14), exact two-sided p = 0.041259765625.
    d = np.array([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75], float)
    out = signed_rank(np.zeros(15), d)
    assert out["wilcoxon_w"] == 24
    assert out["wilcoxon_p"] == pytest.approx(0.041259765625)
    assert out["rank_biserial"] == pytest.approx((120 - 24 - 24) / 120)  # (W+ - W-) / 120
    low, high = out["rank_biserial_ci_low"], out["rank_biserial_ci_high"]
    assert -1 <= low < 0.6 < high <= 1
    assert signed_rank(np.zeros(15), d) == out  # fixed bootstrap seed: same CI every run


def test_vectorised_rank_biserial_is_pingouins():
    import pingouin as pg

    rng = np.random.default_rng(7)
    for _ in range(6):  # Likert-like changes: ties and zeros
        before, after = rng.integers(1, 6, 12), rng.integers(1, 6, 12)
        if np.all(before == after):
            continue
        expected = pg.wilcoxon(after, before)["RBC"].iloc[0]
        assert rank_biserial_of_changes(after - before) == pytest.approx(expected)
    batch = np.array([[1, 2, -1, 0], [3, -3, 1, 1]])
    assert rank_biserial_of_changes(batch).tolist() == pytest.approx(
        [pg.wilcoxon(row, np.zeros(4))["RBC"].iloc[0] for row in batch])


def test_mcnemar_exact_by_hand():
    # 12 pairs: 2 yes->yes, 1 yes->no, 6 no->yes, 3 no->no. Exact McNemar: binomial on the
    # 7 discordant pairs, p = 2 * P(X <= 1 | 7, 1/2) = 2 * (1 + 7) / 128 = 0.125.
    before = [1, 1, 1] + [0] * 9
    after = [1, 1, 0] + [1] * 6 + [0] * 3
    waves = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(12)] * 2, "role": ["mentee"] * 24,
        "wave": ["pre"] * 12 + ["post"] * 12, "again": before + after})
    program = {"roles": {"mentee": "Mentees"},
               "codebook": [{"id": "again", "text": "Again?", "type": "binary"}],
               "import": {"events": {"a_arm_1": "pre", "b_arm_1": "post"}}}
    out = wave_change(waves, program)
    paired = out[(out["option"] == "") & (out["group"] == "mentee")]
    got = dict(zip(paired["statistic"], paired["value"], strict=True))
    assert got == {"n_pairs": 12, "yes_before": 3, "yes_after": 8, "no_to_yes": 6,
                   "yes_to_no": 1, "mcnemar_p": pytest.approx(0.125)}
    per_wave = out[(out["option"] == "pre") & (out["group"] == "mentee")]
    assert per_wave.set_index("statistic")["value"].to_dict() == {
        "n": 12, "percent_yes": pytest.approx(25.0)}


@pytest.fixture
def imported(tmp_path):
    redcap_longitudinal_project(tmp_path)
    path = tmp_path / "long-prog.yaml"
    path.write_text(yaml.safe_dump(LONGITUDINAL_PROGRAM, sort_keys=False))
    program = load_program(path)
    got = import_cohort(program, "redcap", tmp_path / "redcap.csv",
                        tmp_path / "redcap_dictionary.csv")
    return program, to_typed(got.waves, program)


def value(out, item, group, statistic, option=""):
    rows = out[(out["item"] == item) & (out["group"] == group)
               & (out["statistic"] == statistic) & (out["option"] == option)]
    assert len(rows) == 1, (item, group, statistic, option)
    return rows["value"].iloc[0]


def test_paired_change_per_role_from_the_longitudinal_export(imported):
    program, waves = imported
    out = wave_change(waves, program)
    # mentors answering both waves: records 1 (3 -> 4) and 2 (2 -> 4); record 3 did not
    # finish the end-of-year survey. Two positive differences: exact p = 2 * 1/4.
    assert value(out, "sat", "mentor", "n_pairs") == 2
    assert value(out, "sat", "mentor", "median_before") == 2.5
    assert value(out, "sat", "mentor", "median_after") == 4
    assert value(out, "sat", "mentor", "wilcoxon_p") == pytest.approx(0.5)
    assert value(out, "sat", "mentor", "rank_biserial") == pytest.approx(1.0)
    assert np.isnan(value(out, "sat", "mentor", "rank_biserial_ci_low"))  # < 5 pairs
    # mentees: records 4 (3 -> 5) and 5 (4 -> 3): ranks 2 up, 1 down; r = (2 - 1) / 3
    assert value(out, "sat", "mentee", "wilcoxon_w") == 1
    assert value(out, "sat", "mentee", "wilcoxon_p") == pytest.approx(1.0)
    assert value(out, "sat", "mentee", "rank_biserial") == pytest.approx(1 / 3)
    # yes/no: both mentors went from no to yes; exact McNemar p = 2 * (1/2)^2
    assert value(out, "useful", "mentor", "no_to_yes") == 2
    assert value(out, "useful", "mentor", "mcnemar_p") == pytest.approx(0.5)
    # unpaired view: every mentor of each wave (3 at baseline, 2 at the end of year)
    assert value(out, "sat", "mentor", "n", "baseline") == 3
    assert value(out, "sat", "mentor", "mean", "baseline") == pytest.approx(3.0)
    assert value(out, "sat", "mentor", "mean", "follow_up") == pytest.approx(4.0)
    # U of [4, 4] against [3, 2, 4]: 2 x (1 + 1 + 0.5) = 5; r = 2U / (2 x 3) - 1
    assert value(out, "sat", "mentor", "mwu_u") == 5
    assert value(out, "sat", "mentor", "mwu_rank_biserial") == pytest.approx(2 / 3)
    # the meeting-log summaries are numeric items too: 0 meetings at baseline for 3 and 6
    assert value(out, "meetings", "all", "n", "baseline") == 6


def test_change_table_reads_like_the_report(imported):
    program, waves = imported
    table = change_table(wave_change(waves, program), program, threshold=0)
    row = table[(table["item"] == program["codebook"][0]["text"])
                & (table["group"] == "Mentors")].iloc[0]
    assert row["pairs"] == "2" and row["change"] == "median 2.5 -> 4.0"
    assert row["test"] == "Wilcoxon p = 0.500" and row["rank-biserial r (95% CI)"] == "1.00"
    useful = table[(table["item"] == program["codebook"][1]["text"])
                   & (table["group"] == "Mentors")].iloc[0]
    assert useful["change"] == "0 -> 2 said yes" and useful["test"] == "McNemar p = 0.500"
    shared = change_table(wave_change(waves, program), program, threshold=5)
    assert set(shared["pairs"]) == {"<5"}  # 2 pairs per role, 4 in all
    assert "0 -> 2 said yes" not in shared["change"].tolist()
    # groups of fewer than 5 pairs: no count, median or test of theirs is shown
    assert set(shared["test"]) <= {"McNemar p = suppressed", "Wilcoxon p = suppressed"}
    assert set(shared["rank-biserial r (95% CI)"]) <= {"", "suppressed"}


def test_no_waves_no_rows():
    program = {"roles": {"m": "M"}, "codebook": [{"id": "y", "type": "likert"}]}
    assert wave_change(pd.DataFrame(columns=["respondent_id", "role", "wave", "y"]),
                       program).empty
