"""The simulated consortium: deterministic, marked simulated, drawn as written.

The calibration of the pooled intervals on consortia drawn from it is test_coverage.py.
"""

import filecmp

import numpy as np
import pandas as pd
import pytest
import yaml

from peermentor.analysis.effects import likert_effects
from peermentor.analysis.measurement import reliability, scale_score, scored_items
from peermentor.ingest import simulate


def test_same_arguments_write_identical_files(tmp_path):
    first = simulate.write_consortium(tmp_path / "a", 3, 2, seed=7)
    simulate.write_consortium(tmp_path / "b", 3, 2, seed=7)
    for path in first:
        if path.name in ("config.yaml", "README.md"):
            continue  # these name their own folder
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert filecmp.cmp(path, twin, shallow=False), path


def test_adding_programmes_and_years_leaves_the_others_unchanged():
    _, small, _ = simulate.simulate_consortium(2, 1, seed=3)
    _, large, _ = simulate.simulate_consortium(4, 3, seed=3)
    for key, frame in small.items():
        pd.testing.assert_frame_equal(frame, large[key])


def test_every_programme_says_simulated_and_maps_to_constructs(tmp_path):
    simulate.write_consortium(tmp_path, 2, 2, seed=1)
    for path in (tmp_path / "programs").glob("*.yaml"):
        assert "SIMULATED" in path.read_text()
        config = yaml.safe_load(path.read_text())
        assert config["simulated"] is True and config["comparison"] == ["mentor", "mentee"]
        scaled = {i for scale in config["scales"] for i in scale["items"]}
        assert all(item["construct"] for item in config["codebook"] if item["id"] not in scaled)
        assert all(scale["construct"] for scale in config["scales"])
    assert "not real data" in (tmp_path / "README.md").read_text()


def test_default_output_is_not_data_raw(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    simulate.main(["--programs", "1", "--years", "1"])
    assert (tmp_path / "results/simulated/raw/sim-01/2021/responses.csv").is_file()
    assert not (tmp_path / "data").exists()


def test_respondent_ids_are_unique():
    _, cohorts, _ = simulate.simulate_consortium(2, 2, seed=1)
    for frame in cohorts.values():
        assert frame["respondent_id"].is_unique


def test_cohort_answers_are_the_cohorts_written():
    # What the coverage test draws is what the consortium holds for that year.
    _, cohorts, _ = simulate.simulate_consortium(3, 2, seed=5)
    for year_index, year in enumerate(("2021", "2022")):
        for p, drawn in enumerate(simulate.cohort_answers(3, seed=5, year_index=year_index),
                                  start=1):
            frame = cohorts[(f"sim-{p:02d}", year)]
            for role, items in drawn.items():
                rows = frame[frame["role"] == role]
                for item, values in items.items():
                    assert rows[item].tolist() == list(values), (p, year, role, item)


def _scale_effect(frame: pd.DataFrame, program: dict) -> tuple[float, float]:
    """Hedges' g of the scored scale, mentors vs mentees, as the pipeline computes it."""
    scale = program["scales"][0]
    score = scale_score(scored_items(frame, program, scale), scale)
    mentor, mentee = (score[frame["role"] == r].dropna() for r in ("mentor", "mentee"))
    g = likert_effects({"mean_a": mentor.mean(), "sd_a": mentor.std(ddof=1),
                        "mean_b": mentee.mean(), "sd_b": mentee.std(ddof=1)},
                       len(mentor), len(mentee))[-1]
    return g["pool_estimate"], g["pool_se"]


def test_scale_truth_is_what_large_samples_give():
    # the exact bivariate-normal values against one big seeded cohort of each role
    rng = np.random.default_rng(11)
    program = simulate.program_config("sim-01", [2021], {2021: {}})
    big = simulate._draw_scale(11, 1, 2021, 0, simulate.SCALE_SMD,
                               {"mentor": 200_000, "mentee": 200_000})
    frame = pd.concat([pd.DataFrame({"role": role, **drawn}) for role, drawn in big.items()],
                      ignore_index=True)
    items = scored_items(frame, program, program["scales"][0])
    truth = simulate.scale_truth(simulate.SCALE_SMD)
    mentees = items[frame["role"] == "mentee"].sample(20_000, random_state=rng.integers(1e9))
    assert reliability(mentees).iloc[0]["alpha"] == pytest.approx(truth["alpha"], abs=0.01)
    g, _ = _scale_effect(frame, program)
    assert g == pytest.approx(truth["smd"], abs=0.01)  # SE of g here is 0.003
