"""The committed cohort notebook is thin: a parameters cell, no outputs, only package calls;
it opens on its results (code collapsed, and hidden in the HTML, by cell metadata) and still
runs top to bottom by hand."""

import json
import shutil
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "cohort.ipynb"
PARAMETERS = {"program", "year", "responses", "codes", "program_config", "stats_path",
              "figures_dir", "published", "small_cell_threshold", "waves"}


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


def test_code_is_collapsed_and_hidden_by_cell_metadata():
    code = [c for c in cells() if c["cell_type"] == "code"]
    assert code and all(c["metadata"].get("jupyter", {}).get("source_hidden") for c in code)
    for cell in code:
        tags = cell["metadata"].get("tags", [])
        assert "remove-input" in tags or tags == ["parameters"], cell["source"][:1]
    (parameters,) = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert parameters["metadata"]["jupyter"] == {"source_hidden": True}


@pytest.mark.pipeline
def test_executed_reports_open_collapsed(built):
    for path in sorted(built.glob("results/cohorts/*/*/report.ipynb")):
        executed = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in executed["cells"] if c["cell_type"] == "code"]
        injected = [c for c in code if "injected-parameters" in c["metadata"].get("tags", [])]
        assert len(injected) == 1, path  # papermill's parameters, collapsed too
        assert all(c["metadata"]["jupyter"]["source_hidden"] for c in code), path


@pytest.mark.pipeline
def test_runs_top_to_bottom_by_hand(built, tmp_path):
    """As a reader would after a first run: the committed notebook with its default
    parameters, every cell in order, no papermill."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(built)}}).execute()
        wrote_stats = (built / "results/manual/ulsan-peer/2019/stats.csv").is_file()
    finally:  # the shared run's results stay as the pipeline wrote them
        shutil.rmtree(built / "results/manual", ignore_errors=True)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert wrote_stats
    shown = "".join(o.get("data", {}).get("text/markdown", "") for c in notebook.cells
                    if c.cell_type == "code" for o in c.outputs)
    assert "## Methods" in shown and "## Participation" in shown
