"""The package's house plan (docs/architecture.md): one subpackage per stage of the data,
and no module imports a later stage or sits in an import cycle.

Read from the source, not by importing it: every ``import``/``from ... import`` of a
``peermentor`` module, at module level or inside a function.
"""

import ast
import graphlib
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "peermentor"
STAGES = ["ingest", "analysis", "papers", "publish", "run"]
#: The commands users type keep their short names (``python -m peermentor.simulate``);
#: each of these modules only calls its stage's ``main``.
COMMANDS = {"peermentor.simulate", "peermentor.scaffold"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Module -> the peermentor modules it imports (a name imported from a package that
    is one of its modules counts as that module)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                if target in modules and target != name and modules[target].name != "__init__.py":
                    graph[name].add(target)
    return graph


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def edges(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in graph.items() for b in targets)


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (the standard library's topological sort finds it), or []."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return error.args[1]
    return []


def test_every_module_belongs_to_a_stage():
    loose = [m for m in imports() if m != "peermentor" and m not in COMMANDS
             and m.split(".")[1] not in STAGES]
    assert loose == []


@pytest.mark.parametrize("earlier", STAGES)
def test_no_stage_imports_a_later_one(earlier):
    graph = imports()
    later = STAGES[STAGES.index(earlier) + 1:]
    back = [(a, b) for a, b in edges(graph) if stage(a) == earlier and stage(b) in later]
    assert back == [], f"{earlier} imports a later stage: {back}"


def test_no_import_cycle():
    assert cycle(imports()) == []


def test_the_check_sees_an_import_back_up(tmp_path, monkeypatch):
    """The graph is read as the tests above assume: a planted import of a later stage
    into an earlier one shows as an edge, and one back again as a cycle."""
    fake = tmp_path / "peermentor"
    for sub in ("ingest", "publish"):
        (fake / sub).mkdir(parents=True)
        (fake / sub / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "publish" / "site.py").write_text(
        "def f():\n    from peermentor.ingest import config\n")
    (fake / "ingest" / "config.py").write_text("from peermentor.publish.site import X\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    graph = imports()
    assert ("peermentor.ingest.config", "peermentor.publish.site") in edges(graph)
    assert set(cycle(graph)) == {"peermentor.ingest.config", "peermentor.publish.site"}


def test_the_item_type_registry_is_the_schema_enum():
    """The programme schema's item types are the registry's (peermentor.ingest.itemtypes),
    in the same order, so neither can gain a type the other does not know."""
    import json

    from peermentor.ingest.itemtypes import ITEM_TYPES

    schema = json.loads((PACKAGE / "ingest/schemas/program.schema.json").read_text())
    enums = [node["enum"] for node in _walk(schema) if isinstance(node, dict)
             and "likert" in node.get("enum", [])]
    assert enums == [list(ITEM_TYPES)]


def _walk(node):
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(
        node, list) else []
    for child in children:
        yield from _walk(child)


def notebook_imports(source: str) -> set[str]:
    """The modules the code cells of a notebook's JSON ``source`` import."""
    import json

    found = set()
    for cell in json.loads(source)["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                found |= {f"{node.module}.{a.name}" for a in node.names}
    return {name for name in found if name.startswith("peermentor")}


def test_the_cohort_notebook_imports_the_report_and_its_figures_only():
    """Its numbers come from one call (report.prepare_cohort), its tables and notes from
    report, its pictures from figures: a change to how a cohort is computed or shared
    happens in the package, where tests see it, not in notebook cells."""
    notebook = (PACKAGE.parents[1] / "notebooks" / "cohort.ipynb").read_text(encoding="utf-8")
    assert notebook_imports(notebook) == {"peermentor.publish.report",
                                          "peermentor.publish.figures"}
    # and the check can fail: a notebook that computes for itself is caught
    planted = notebook.replace("from peermentor.publish import figures, report",
                               "from peermentor.publish import figures, report\\n"
                               "from peermentor.analysis.stats import analyse_cohort")
    assert "peermentor.analysis.stats.analyse_cohort" in notebook_imports(planted)
