"""Cross-study tables from small hand-made cohorts (expected values worked out by hand)."""

import pandas as pd
import pytest

from peermentor.compare import (
    harmonise_outcomes,
    study_characteristics,
    summary_markdown,
    theme_crosswalk,
)
from peermentor.stats import participation

FIVE = {"id": "sat", "type": "likert", "construct": "satisfaction", "scale": {"min": 1, "max": 5}}
SEVEN = {"id": "happy", "type": "likert", "construct": "satisfaction",
         "scale": {"min": 1, "max": 7}}
PROGRAMS = {
    "alpha": {"institution": "A U", "country": "X", "design": "1:1",
              "roles": {"mentor": "M", "mentee": "E", "excluded": "Ex"},
              "excluded_roles": ["excluded"],
              "cohorts": {"2021": {"invited": {"total": 20}}},
              "codebook": [FIVE],
              "qualitative": {"categories": [{"id": "gains", "label": "Gains"},
                                             {"id": "odd", "label": "Odd one"}]}},
    "beta": {"institution": "B U", "country": "Y", "design": "group",
             "roles": {"mentor": "M", "mentee": "E"},
             "cohorts": {"2022": {"invited": {"mentor": 5, "mentee": 10}}},
             "codebook": [SEVEN]},
}


def test_study_characteristics_counts_rates_and_roles():
    alpha = pd.DataFrame({"role": ["mentor"] * 3 + ["mentee"] * 4 + ["excluded"]})
    beta = pd.DataFrame({"role": ["mentor"] * 5 + ["mentee"] * 1})
    stats = pd.concat([
        participation(beta, PROGRAMS["beta"], "2022").assign(program="beta", year="2022"),
        participation(alpha, PROGRAMS["alpha"], "2021").assign(program="alpha", year="2021"),
    ])
    table = study_characteristics(stats, PROGRAMS).set_index("program")
    assert list(table.index) == ["alpha", "beta"]  # sorted
    assert table.loc["alpha", ["invited", "responded", "analysed", "excluded"]].tolist() == [
        20, 8, 7, 1]
    assert table.loc["alpha", "response_rate"] == 40.0
    assert table.loc["beta", "invited"] == 15  # summed over roles
    assert table.loc["beta", "response_rate"] == 40.0
    assert table.loc["beta", "invited_mentee"] == 10 and table.loc["beta", "responded_mentee"] == 1
    assert pd.isna(table.loc["beta", "responded_excluded"])


def _stats(program, year, item, mean, n, group="all"):
    return pd.DataFrame({"program": program, "year": year, "section": "s", "item": item,
                         "option": "", "group": group, "statistic": ["mean", "n"],
                         "value": [mean, n]})


def test_outcomes_put_1_to_5_and_1_to_7_on_one_scale():
    stats = pd.concat([_stats("alpha", "2021", "sat", 4.0, 10),
                       _stats("beta", "2022", "happy", 5.5, 6)])
    table = harmonise_outcomes(stats, PROGRAMS)
    assert table["construct"].unique().tolist() == ["satisfaction"]
    pomp = dict(zip(table["program"], table["pomp"], strict=True))
    assert pomp == {"alpha": pytest.approx(75.0), "beta": pytest.approx(75.0)}
    assert table["scale"].tolist() == ["1-5", "1-7"]


def test_theme_crosswalk_maps_and_flags_unmapped():
    codes = pd.DataFrame({"category": ["gains", "gains", "odd"],
                          "role": ["mentee", "mentor", "mentor"]})
    framework = {"themes": {"benefit": {"label": "Benefits"}},
                 "mapping": {"alpha": {"gains": "benefit"}}}
    table = theme_crosswalk([("alpha", "2021", codes)], PROGRAMS, framework)
    rows = table.set_index("category")
    assert rows.loc["gains", ["theme", "theme_label", "roles", "segments"]].tolist() == [
        "benefit", "Benefits", "mentor;mentee", 2]
    assert rows.loc["odd", "theme"] == "unmapped"


def test_summary_has_three_sections_and_no_nan():
    beta = {**PROGRAMS["beta"], "cohorts": {}, "reconstructed": True}
    flow = participation(pd.DataFrame({"role": ["mentor"]}), beta, "2022")
    studies = study_characteristics(flow.assign(program="beta", year="2022"), {"beta": beta})
    outcomes = harmonise_outcomes(
        pd.concat([_stats("beta", "2022", "happy", 4.0, 1, "mentor")]), PROGRAMS
    )
    text = summary_markdown(studies, outcomes, theme_crosswalk([], PROGRAMS, {}))
    for heading in ["## Studies", "## Outcomes by construct", "## Themes across studies"]:
        assert heading in text
    assert "Reconstructed data" in text
    assert "nan" not in text.lower().replace("nance", "")
