"""Small-cell suppression: the rule, its default, and where the threshold is set."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from peermentor.publish.privacy import DEFAULT_THRESHOLD, SUPPRESSED, rule_text, suppress

ROOT = Path(__file__).resolve().parents[1]


def test_default_threshold_is_five_everywhere():
    from snakemake.utils import validate

    assert DEFAULT_THRESHOLD == 5
    assert yaml.safe_load((ROOT / "config/config.yaml").read_text())["small_cell_threshold"] == 5
    config = {"raw_dir": "r", "programs_dir": "p", "themes": "t"}  # key left out
    validate(config, str(ROOT / "workflow/schemas/config.schema.yaml"))
    assert config["small_cell_threshold"] == 5
    notebook = (ROOT / "notebooks/cohort.ipynb").read_text()
    assert '"small_cell_threshold = 5"' in notebook


def test_negative_threshold_is_refused_by_the_config_schema():
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    config = {"raw_dir": "r", "programs_dir": "p", "themes": "t", "small_cell_threshold": -1}
    with pytest.raises(WorkflowError, match="small_cell_threshold"):
        validate(config, str(ROOT / "workflow/schemas/config.schema.yaml"))


def test_counts_below_threshold_hidden_zero_and_threshold_shown():
    table = pd.DataFrame({"count": [0, 1, 4, 5, None], "pct": [0.0, 10.0, 40.0, 50.0, None]})
    shared = suppress(table, ["count"], {"pct": "count"}, threshold=5)
    assert shared["count"].tolist()[:4] == [0, "<5", "<5", 5]
    assert shared["pct"].tolist()[:4] == [0.0, SUPPRESSED, SUPPRESSED, 50.0]
    assert shared["count"].isna().iloc[4]
    assert suppress(table, ["count"], {"pct": "count"}, threshold=0).equals(table)


def test_rule_text_names_marker_zeros_and_setting():
    text = rule_text(10)
    assert '"<10"' in text and "1 to 9" in text and "zeros are shown" in text
    assert "small_cell_threshold" in text
    assert "off" in rule_text(0)
