"""The simulated consortium: deterministic, marked simulated, drawn as written.

The calibration of the pooled intervals on consortia drawn from it is test_coverage.py.
"""

import filecmp

import pandas as pd
import yaml

from peermentor import simulate


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
        assert all(item["construct"] for item in config["codebook"])
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
