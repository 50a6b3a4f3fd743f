"""The committed cohort notebook is thin: a parameters cell, no outputs, only package calls."""

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "cohort.ipynb"
PARAMETERS = {"program", "year", "responses", "codes", "program_config", "stats_path",
              "figures_dir", "published", "small_cell_threshold", "waves", "shared_path"}


def cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_committed_without_outputs():
    for cell in cells():
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_has_a_papermill_parameters_cell_with_every_parameter():
    tagged = [c for c in cells() if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    names = {line.split("=")[0].strip() for line in "".join(tagged[0]["source"]).splitlines()}
    assert names == PARAMETERS


def test_imports_only_the_package_and_display_helpers():
    imports = {
        line.strip()
        for c in cells() if c["cell_type"] == "code"
        for line in "".join(c["source"]).splitlines()
        if line.startswith(("import ", "from "))
    }
    modules = {line.split()[1].split(".")[0] for line in imports}
    assert modules == {"pathlib", "IPython", "peermentor"}  # tables come as HTML from report
