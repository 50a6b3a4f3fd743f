"""A cohort's report.html does not depend on which reports its thread rendered before.

``peermentor.publish.site.render_notebook`` keeps one HTML exporter per thread (building one
compiles its templates); rendering must still give what a new exporter gives.
"""

from __future__ import annotations

import threading

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from peermentor.publish import site


def _notebook(path, title: str, value: str) -> str:
    developer = new_markdown_cell("Run me by hand: `papermill ...`")
    developer.metadata["tags"] = ["developer"]
    result = new_code_cell("value", execution_count=1, outputs=[new_output(
        "execute_result", data={"text/plain": value}, execution_count=1)])
    nb = new_notebook(cells=[new_markdown_cell(f"# {title}\n\n## Participation"), developer,
                             result])
    nbformat.write(nb, str(path))
    return str(path)


def _render_with_new_exporter(notebook: str, html, site_index: str) -> str:
    site._exporters.__dict__.clear()
    site.render_notebook(notebook, html, site_index=site_index)
    return html.read_text(encoding="utf-8")


def test_reused_exporter_renders_what_a_new_one_renders(tmp_path):
    first = _notebook(tmp_path / "a.ipynb", "Programme A, 2019", "'alpha'")
    second = _notebook(tmp_path / "b.ipynb", "Programme B, 2020", "'beta'")
    expected = {
        "a": _render_with_new_exporter(first, tmp_path / "new-a.html", "../site/index.html"),
        "b": _render_with_new_exporter(second, tmp_path / "new-b.html", ""),
    }
    assert "Programme A, 2019" in expected["a"] and "alpha" in expected["a"]
    assert "../site/index.html" in expected["a"] and "../site/index.html" not in expected["b"]
    assert "Run me by hand" not in expected["a"]  # the developer cell stays out

    def render_in_turn() -> None:  # one worker thread, as under Snakemake
        site._exporters.__dict__.clear()
        for round_ in range(2):
            for name, notebook, index in (("a", first, "../site/index.html"),
                                          ("b", second, "")):
                html = tmp_path / f"reused-{name}{round_}.html"
                site.render_notebook(notebook, html, site_index=index)

    thread = threading.Thread(target=render_in_turn)
    thread.start()
    thread.join()
    for name in ("a", "b"):
        for round_ in range(2):
            reused = (tmp_path / f"reused-{name}{round_}.html").read_text(encoding="utf-8")
            assert reused == expected[name], (name, round_)


def test_the_report_hides_what_the_cells_metadata_say(tmp_path):
    hidden = new_code_cell("secret_code_1 = 1", execution_count=1, outputs=[new_output(
        "execute_result", data={"text/plain": "'shown output'"}, execution_count=1)])
    hidden.metadata.update(tags=["remove-input"], jupyter={"source_hidden": True})
    visible = new_code_cell("visible_code_2 = 2", execution_count=2)
    parameters = new_code_cell("program = 'x'", execution_count=3)
    parameters.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[new_markdown_cell("# Title"), parameters, hidden, visible])
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    site._exporters.__dict__.clear()
    html = site.render_notebook(tmp_path / "n.ipynb", tmp_path / "n.html").read_text()
    assert "shown output" in html and "secret_code_1" not in html
    assert "visible_code_2" in html  # no tag: the code shows (the metadata decides)
    assert "program = " not in html
    assert "<title>Title · cohort report · peermentor</title>" in html
