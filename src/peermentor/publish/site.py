"""One browsable static site over a run's results (``results/site/index.html``).

The site is built from whatever the run left where the rules put it (``LAYOUT``): it
reads tables as text and shows them whole (no rounding, no truncation), copies each
table next to its page for download, copies the comparison figures, links every cohort
report, and gives a cohort that failed validation a page saying where each problem is
(not whose answer or what it was: :func:`shareable_failures`). Every asset is local,
so the site opens from disk with no server and no network. Pages are Jinja2 templates
(``templates/site/``); cohort reports are rendered by nbconvert's HTML exporter
with the ``peermentor_report`` template (a table of contents, no remote scripts).

Optional comparison outputs (``effects.csv``, ``pooled.csv``, forest and trend
figures) are shown when present, so the pages fill in as the pipeline grows.

>>> import tempfile, pathlib
>>> results = pathlib.Path(tempfile.mkdtemp())
>>> layout = {name: str(results / name) for name in LAYOUT}  # nothing there yet
>>> status = cohort_status(layout, [("demo", "2024")])
>>> status[0]["status"]
'not built'
>>> pages = build_site(layout, results / "site", [("demo", "2024")], {})
>>> sorted(p.name for p in pages)[:4]
['audit.html', 'index.html', 'methods.html', 'outcomes.html']
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import threading
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

TEMPLATES = Path(__file__).with_name("templates")
#: Software whose versions the landing page states.
SOFTWARE = ["peermentor", "snakemake", "pandas", "scipy", "statsmodels", "pingouin",
            "matplotlib", "nbconvert"]
IMAGE_SUFFIXES = (".png", ".svg")
#: What the site reads, by name. The rules decide where each file is: ``build_site`` and
#: ``cohort_status`` take a mapping of these names to paths (``results_layout()`` in
#: workflow/rules/common.smk, from the rules' outputs and logs), the cohort's files as
#: patterns with ``{program}`` and ``{year}``.
LAYOUT = {
    "report": "a cohort's HTML report",
    "validated": "a cohort's validated answers (there once it validated)",
    "failures": "a cohort's validation failures (CSV)",
    "notebook_log": "the log of a cohort's notebook",
    "imported": "a cohort's imported answers (there once its export was imported)",
    "import_log": "the log of a cohort's import",
    "studies": "study characteristics", "outcomes": "outcomes by construct",
    "effects": "between-role effects", "pooled": "pooled estimates",
    "themes": "theme crosswalk", "trends": "trends over years",
    "reproduction": "the published values beside the pipeline's",
    "audit": "the consistency audit of the published numbers",
    "disclosure": "the disclosure check's verdict (text)",
    "forest": "folder of forest plots",
    "trend_figures": "folder of trend figures",
}
#: A cohort's files in ``LAYOUT`` (patterns).
COHORT_FILES = ("report", "validated", "failures", "notebook_log", "imported", "import_log")
#: The comparison step's tables (names in ``LAYOUT``), offered for download beside the
#: pages as ``data/<name>.csv``.
COMPARISON_CSVS = ("studies", "outcomes", "effects", "pooled", "themes", "trends")

PAGES = {  # file -> (menu label, page title)
    "index.html": ("Overview", "Peer-mentoring survey results"),
    "studies.html": ("Studies", "Study characteristics"),
    "outcomes.html": ("Outcomes", "Outcomes by construct"),
    "themes.html": ("Themes", "Theme crosswalk"),
    "reproduction.html": ("Reproduction", "Reproduction of the published papers"),
    "audit.html": ("Audit", "Consistency audit of the published numbers"),
    "methods.html": ("Methods", "Methods"),
}

#: Pages with a template of their own (the others use page.html.j2).
TEMPLATE_OF = {page: f"{page}.j2" for page in (
    "index.html", "studies.html", "outcomes.html", "reproduction.html", "audit.html",
    "methods.html")}
NOT_SUPPRESSED = (
    "These are the papers' own printed numbers beside the pipeline's value for them, so "
    "small counts are not suppressed here.")


def read_table(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """A CSV as text: its header and rows, every cell exactly as written (empty stays empty).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\\n1,\\n")
    >>> read_table(p)
    (['a', 'b'], [['1', '']])
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return (rows[0], rows[1:]) if rows else ([], [])


def _data_rows(path: Path) -> int:
    return len(read_table(path)[1]) if path.is_file() else 0


def cohort_status(layout: dict[str, str], cohorts: list[tuple[str, str]]) -> list[dict]:
    """Where each cohort got to: ``built``, ``failed validation``, ``failed import``, ``not built``.

    A cohort whose validation listed problems has failed, even if a report from an
    earlier run is still on disk; ``report`` and ``log`` are paths as ``layout`` (see
    ``LAYOUT``) names them (empty when there is none).
    """
    out = []
    for program, year in cohorts:
        path = {name: Path(layout[name].format(program=program, year=year))
                for name in COHORT_FILES}
        entry = {"program": program, "year": year, "report": "", "log": "",
                 "problems": _data_rows(path["failures"])}
        if entry["problems"]:
            entry.update(status="failed validation", log=str(path["failures"]))
        elif path["report"].is_file() and path["validated"].is_file():
            entry.update(status="built", report=str(path["report"]))
        elif path["import_log"].is_file() and not path["imported"].is_file():
            entry.update(status="failed import", log=str(path["import_log"]))
        else:
            entry.update(status="not built", log=str(path["notebook_log"])
                         if path["notebook_log"].is_file() else "")
        out.append(entry)
    return out


def reproduction_tally(path: str | Path) -> dict:
    """Counts of published values by status (overall and per programme) and audit verdicts.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("program,status\\na,reproduced\\na,differs\\nb,reproduced\\n")
    >>> reproduction_tally(p)["total"]
    {'differs': 1, 'reproduced': 2}
    """
    path = Path(path)
    if not path.is_file():
        return {}
    header, rows = read_table(path)
    if "status" not in header:
        return {}
    status, program = header.index("status"), header.index("program")
    by_program: dict[str, Counter] = {}
    for row in rows:
        by_program.setdefault(row[program], Counter())[row[status]] += 1
    return {
        "total": dict(sorted(Counter(r[status] for r in rows).items())),
        "by_program": {p: dict(sorted(c.items())) for p, c in sorted(by_program.items())},
        "statuses": sorted({r[status] for r in rows}),
        "n": len(rows),
    }


def _versions() -> dict[str, str]:
    found = {}
    for name in SOFTWARE:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "site"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


#: What a shared failure page leaves out of a validation problem: whose answer it was and
#: what it was. Where it is (file, line, column) and the rule it breaks are enough to fix
#: it; the full report stays in the logs, which are not for sharing.
PRIVATE_FAILURE_COLUMNS = ("respondent_id", "value")


def shareable_failures(header: list[str], rows: list[list[str]]) -> tuple[list, list]:
    """A validation failure report as the site shows it: without the columns
    :data:`PRIVATE_FAILURE_COLUMNS`, and with their values, where a rule's text quotes
    them (a duplicated respondent id), replaced by ``(withheld)``.

    >>> header, rows = shareable_failures(
    ...     ["line", "respondent_id", "column", "value", "rule"],
    ...     [["4", "r17", "respondent_id", "r17", "must be unique: 'r17' is on lines 4 and 9"]])
    >>> header, rows[0][-1]
    (['line', 'column', 'rule'], 'must be unique: (withheld) is on lines 4 and 9')
    """
    private = [i for i, name in enumerate(header) if name in PRIVATE_FAILURE_COLUMNS]
    keep = [i for i in range(len(header)) if i not in private]
    rule = header.index("rule") if "rule" in header else None
    shown = []
    for row in rows:
        row = list(row)
        for i in private:
            if rule is not None and row[i]:
                row[rule] = row[rule].replace(repr(row[i]), "(withheld)")
        shown.append([row[i] for i in keep])
    return [header[i] for i in keep], shown


def _failures_table(source: Path, out: Path, caption: str, name: str) -> dict:
    """A failed cohort's validation problems for its page (:func:`shareable_failures`),
    and as ``out/data/<name>`` for download."""
    header, rows = shareable_failures(*read_table(source))
    target = out / "data" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return {"id": Path(name).stem, "caption": caption, "note": "", "header": header,
            "labels": [], "methods": "", "row_classes": [],
            "rows": rows, "csv": f"data/{name}"}


def _copy_csv(source: str | Path, out: Path, name: str) -> None:
    """A table's CSV, byte for byte, beside the pages for download (``data/<name>.csv``)."""
    if Path(source).is_file():
        (out / "data").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / "data" / f"{name}.csv")


def phone_width(png: Path) -> int | None:
    """The width, in CSS pixels, at which a saved figure stays legible on a phone: about
    85% of its printed size (9-point text at about 10 px; PNGs are saved at 150 dpi)."""
    head = png.read_bytes()[:24] if png.suffix.lower() == ".png" else b""
    if head[12:16] != b"IHDR":
        return None
    return round(int.from_bytes(head[16:20], "big") * 96 / 150 * 0.85)


def _copy_figures(source: str | Path, target: Path) -> dict[str, str]:
    """Every figure of ``source`` (the PNG where there is also an SVG) copied into the
    site: file stem -> path relative to the site."""
    found, source = {}, Path(source)
    if not source.is_dir():
        return found
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        if path.suffix.lower() == ".svg" and path.with_suffix(".png").is_file():
            continue  # one picture per plot: the PNG
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
        found[path.stem] = f"{target.parent.name}/{target.name}/{path.name}"
    return found


def built_at() -> str:
    """When the site is built, as its pages say; ``SOURCE_DATE_EPOCH`` (seconds, the
    reproducible-builds convention) sets it, so that two builds can match byte for byte.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"; built_at()
    '1970-01-01 00:00 UTC'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def build_site(
    layout: dict[str, str],
    out: str | Path,
    cohorts: list[tuple[str, str]],
    programs: dict[str, dict],
    threshold: int = 5,
    partial: bool = False,
    sources: dict[str, str] | None = None,
    constructs: dict | None = None,
) -> list[Path]:
    """Write the site into ``out`` (emptied first) and return the pages written.

    ``layout`` names where each file the site reads is (see ``LAYOUT``); ``cohorts``
    lists every discovered ``(program, year)``, built or not;
    ``programs`` maps programme ids to their configs (titles, institutions).
    ``partial`` marks a site built after a failed run (comparison tables wait for
    every cohort, so those shown may be from an earlier run). ``sources`` names each
    cohort's data files, keyed ``"program/year"``; ``constructs`` is the construct
    framework (``config/constructs.yaml``), whose labels the outcomes page shows.
    """
    # here, not at the top: these import pandas, which every cohort job (cohort_report
    # renders its notebook with this module) would pay for nothing
    from peermentor.analysis.mannwhitney import MWU_VARIANTS
    from peermentor.publish import pages
    from peermentor.publish.privacy import rule_text

    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    for asset in ("site.css", "site.js"):
        shutil.copyfile(TEMPLATES / "site" / asset, out / "assets" / asset)
    env = _environment()
    status = _cohorts(layout, out, cohorts, programs, sources or {})
    failed = [e for e in status if e["status"] != "built"]
    failure_pages = _failure_pages(failed, out)

    disclosure = Path(layout["disclosure"])
    simulated = any(programs.get(p, {}).get("simulated") for p, _ in cohorts)
    common = {"pages": PAGES, "partial": partial, "threshold": threshold,
              "simulated": simulated,
              "built": built_at(),
              "suppression": rule_text(threshold).replace("`", ""),
              "not_suppressed": NOT_SUPPRESSED,
              "withheld": withheld_sentence(threshold),
              "disclosure": disclosure.read_text(encoding="utf-8").strip()
              if disclosure.is_file() else ""}
    for name in (*COMPARISON_CSVS, "reproduction", "audit"):
        _copy_csv(layout[name], out, name)
    frames = {name: pages.read_frame(layout[name]) for name in COMPARISON_CSVS}
    reproduction = pages.read_frame(layout["reproduction"])
    audit = pages.read_frame(layout["audit"])
    labels = pages.Labels(programs, constructs)
    reports = {(e["program"], e["year"]): e["href"] for e in status if e["href"]}
    forest = _copy_figures(layout["forest"], out / "img/forest")
    trends = _copy_figures(layout["trend_figures"], out / "img/trends")
    common["figure_widths"] = {src: phone_width(out / src)
                               for src in [*forest.values(), *trends.values()]}
    audit_context = pages.audit_page(audit)
    contexts = {
        "index.html": {
            "cohorts": status, "failed": failed, "versions": _versions(),
            "cohort_table": _cohort_table(status),
            "tally": (tally := reproduction_tally(layout["reproduction"])),
            "tally_table": _tally_table(tally),
            "audit_tally": reproduction_tally_audit(layout["audit"]),
            "findings": len(audit_context["findings"]) if audit_context else 0,
        },
        "studies.html": pages.studies_page(frames["studies"], labels, reports),
        "outcomes.html": pages.outcomes_page(frames["outcomes"], frames["effects"],
                                             frames["pooled"], labels, forest, reports,
                                             trends),
        "themes.html": {"tables": [pages.themes_table(frames["themes"], labels, reports)]
                        if len(frames["themes"]) else []},
        "reproduction.html": {"repro": pages.reproduction_page(reproduction, labels)},
        "audit.html": {"audit": audit_context},
        "methods.html": {"methods": pages.methods_page(frames["outcomes"], frames["effects"],
                                                       frames["pooled"], labels),
                         "mwu_variants": MWU_VARIANTS},
    }
    written = []
    for page, context in contexts.items():
        template = env.get_template(TEMPLATE_OF.get(page, "page.html.j2"))
        context = {**common, **context, "current": page, "root": ""}
        written.append(_write(out / page, template.render(**context)))
    template = env.get_template("failures.html.j2")
    for name, entry, table in failure_pages:
        written.append(_write(out / name, template.render(
            **common, current="", root="../", entry=entry, tables=[table])))
    return written


def _cohorts(layout: dict[str, str], out: Path, cohorts: list[tuple[str, str]],
             programs: dict[str, dict], sources: dict[str, str]) -> list[dict]:
    """:func:`cohort_status` with what the landing page says of each cohort, and its
    report's and log's links from the site."""
    from peermentor.publish.report import is_reconstructed

    status = cohort_status(layout, cohorts)
    for entry in status:
        program = programs.get(entry["program"], {})
        entry["institution"] = program.get("institution", "")
        entry["reconstructed"] = is_reconstructed(program, entry["year"])
        entry["simulated"] = bool(program.get("simulated"))
        entry["files"] = sources.get(f"{entry['program']}/{entry['year']}", "")
        entry["href"] = os.path.relpath(entry["report"], out) if entry["report"] else ""
        entry["log_href"] = os.path.relpath(entry["log"], out) if entry["log"] else ""
    return status


def _failure_pages(failed: list[dict], out: Path) -> list[tuple[str, dict, dict]]:
    """A page per cohort that failed validation, listing every problem (and the CSV of
    them for download): (page, cohort entry, table)."""
    pages = []
    for entry in failed:
        if entry["status"] != "failed validation":
            continue
        name = f"failures/{entry['program']}-{entry['year']}.html"
        table = _failures_table(
            Path(entry["log"]), out,
            f"Every problem validation found in {entry['program']} {entry['year']}: file, "
            "line, column and the rule it breaks.",
            # named for the cohort: two programmes may fail in the same year
            f"failures-{entry['program']}-{entry['year']}.csv")
        table["csv"] = f"../{table['csv']}"
        entry["failures_page"] = name
        pages.append((name, entry, table))
    return pages


def _cohort_table(status: list[dict]) -> dict:
    """The landing page's table of cohorts: where each got to and its report."""
    rows = []
    for entry in status:
        data = ("simulated" if entry["simulated"] else "reconstructed from the paper"
                if entry["reconstructed"] else "survey answers")
        if entry["href"]:
            report = {"text": "cohort report", "href": entry["href"]}
        elif entry.get("failures_page"):
            problems = entry["problems"]
            report = {"text": f"{problems} problem{'s' if problems != 1 else ''} found",
                      "href": entry["failures_page"]}
        elif entry["log_href"]:
            report = {"text": "log", "href": entry["log_href"]}
        else:
            report = ""
        rows.append([entry["program"], entry["year"], entry["institution"],
                     f"{entry['files']} ({data})" if entry["files"] else "",
                     entry["status"], report])
    return {"id": "cohort-list", "caption": "Every cohort found in the data folder, where it "
            "got to in this run, and its report.", "note": "", "methods": "", "csv": "",
            "labels": ["Programme", "Year", "Institution", "Data", "Status", "Report"],
            "header": [], "rows": rows,
            "row_classes": [f"status-{e['status'].replace(' ', '-')}" for e in status]}


def _tally_table(tally: dict) -> dict:
    """Published values by programme and status, for the landing page."""
    statuses = tally.get("statuses", [])
    return {"id": "tally", "caption": "Published values by programme and status.",
            "note": "", "methods": "", "csv": "", "labels": ["Programme", *statuses],
            "header": [], "row_classes": [],
            "rows": [[program, *(counts.get(s, 0) for s in statuses)]
                     for program, counts in tally.get("by_program", {}).items()]}


def reproduction_tally_audit(path: str | Path) -> dict:
    """Audit checks by verdict (``{}`` when there is no audit table)."""
    path = Path(path)
    if not path.is_file():
        return {}
    header, rows = read_table(path)
    verdict = header.index("verdict")
    return dict(sorted(Counter(r[verdict] for r in rows).items()))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


HEADING = re.compile(r'<h([12]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
TOC_MARK = "<!-- peermentor:toc -->"


def table_of_contents(html: str) -> str:
    """A nested list linking every level-1 and level-2 heading of an exported notebook.

    >>> toc = table_of_contents('<h2 id="A-b">A b<a class="anchor-link" href="#A-b">x</a></h2>')
    >>> toc[toc.index("<ul>"):]
    '<ul><li class="toc-h2"><a href="#A-b">A b</a></li></ul></nav>'
    """
    items = [f'<li class="toc-h{level}"><a href="#{anchor}">{re.sub("<[^>]+>", "", text)}'
             "</a></li>" for level, anchor, text in HEADING.findall(html)]
    return ('<nav class="toc" aria-label="Contents"><h2>Contents</h2><ul>' + "".join(items)
            + "</ul></nav>")


_exporters = threading.local()
#: Cells a cohort report leaves out whole (by tag): how to run the notebook by hand, and
#: the parameters (no output; papermill's own cell repeats them).
REMOVED_CELLS = {"developer", "parameters", "injected-parameters"}


def _report_exporter() -> HTMLExporter:
    """This thread's exporter of cohort reports. Built once per thread, not per report:
    building one compiles its Jinja templates again (about 0.06 CPU-s a cohort)."""
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        exporter = _exporters.html = HTMLExporter(
            template_name="peermentor_report", extra_template_basedirs=[str(TEMPLATES)],
            exclude_input_prompt=True, exclude_output_prompt=True)
        # The notebook says what the report hides, in its cells' metadata: code tagged
        # "remove-input" (every code cell of notebooks/cohort.ipynb, which JupyterLab also
        # shows collapsed) shows only its output; cells tagged "developer" (how to run the
        # notebook by hand) and the parameter cells (papermill's "parameters" and
        # "injected-parameters") stay out.
        exporter.register_preprocessor(TagRemovePreprocessor(
            remove_cell_tags=REMOVED_CELLS, remove_input_tags={"remove-input"}, enabled=True),
            enabled=True)
    return exporter


def report_title(notebook) -> str:
    """The page title of a cohort report: its first level-1 heading (the banner's programme
    title and year), so that every report's title differs.

    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> cell = new_code_cell(outputs=[new_output("display_data",
    ...     data={"text/markdown": "# Peer mentoring at X: 2019\\n\\nmore"})])
    >>> report_title(new_notebook(cells=[cell]))
    'Peer mentoring at X: 2019 · cohort report'
    """
    for cell in notebook.cells:
        if "developer" in cell.get("metadata", {}).get("tags", []):
            continue  # how to run the notebook by hand, not part of the report
        sources = [cell.source] if cell.cell_type == "markdown" else [
            output.get("data", {}).get("text/markdown", "") for output in cell.get("outputs", [])]
        for text in sources:
            if heading := re.search(r"^# (.+)$", text, re.M):
                return f"{heading.group(1).strip()} · cohort report"
    return "Cohort report"


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)


def _scrolling_tables(body: str) -> str:
    """Each table of a report inside a region of its own that scrolls sideways and takes
    keyboard focus (so the page never scrolls sideways, and a keyboard can reach what a
    wide table hides), named by the table's caption."""
    count = iter(range(1, 10**6))

    def wrap(match: re.Match) -> str:
        caption = _CAPTION.search(match.group(0))
        text = re.sub(r"<[^>]+>|\s+", " ", caption.group(1)).strip() if caption else ""
        # numbered: two tables may share a caption, and landmarks need distinct names
        label = f"Table {next(count)}" + (f": {text[:100]}" if text else "")
        return (f'<div class="table-scroll" role="region" tabindex="0" '
                f'aria-label="{label.replace(chr(34), "&quot;")}">{match.group(0)}</div>')
    return _TABLE.sub(wrap, body)


def render_notebook(notebook: str | Path, html: str | Path, site_index: str = "") -> Path:
    """An executed notebook as a shareable HTML report: no code, a table of contents,
    figures embedded, and no script or font fetched from the network.

    ``site_index`` (a relative link) adds a link back to the site's landing page.
    """
    executed = nbformat.read(str(notebook), as_version=4)
    executed.metadata["title"] = f"{report_title(executed)} · peermentor"
    body, _ = _report_exporter().from_notebook_node(executed, resources={"site_index": site_index})
    body = _scrolling_tables(body.replace(TOC_MARK, table_of_contents(body), 1))
    return _write(Path(html), body)


def withheld_sentence(threshold: int) -> str:
    """What the shared pages withhold and why, in words a reader understands.

    >>> withheld_sentence(5)[:60]
    'Counts from 1 to 4 are shown as "<5", and a group of fewer t'
    """
    return (f"Counts from 1 to {threshold - 1} are shown as \"<{threshold}\", and a group of "
            f"fewer than {threshold} shows only its size: a total, percentage, mean, test or "
            "effect size from which such a count could be worked out is withheld "
            "(\"suppressed\", or blank with the reason in the table's note) or rounded "
            "(means and SDs to 1 decimal, effect sizes to 2) as far as that keeps it hidden.")
