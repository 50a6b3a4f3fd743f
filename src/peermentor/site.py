"""One browsable static site over a run's results (``results/site/index.html``).

The site is built from whatever the run left in ``results/``: it reads tables as
text and shows them whole (no rounding, no truncation), copies each table next to
its page for download, copies the comparison figures, and links every cohort
report and every validation failure report. Every asset is local, so the site
opens from disk with no server and no network. Pages are Jinja2 templates
(``templates/site/``); cohort reports are rendered by nbconvert's HTML exporter
with the ``peermentor_report`` template (a table of contents, no remote scripts).

Optional comparison outputs (``effects.csv``, ``pooled.csv``, forest and trend
figures) are shown when present, so the pages fill in as the pipeline grows.

>>> import tempfile, pathlib
>>> results = pathlib.Path(tempfile.mkdtemp())
>>> status = cohort_status(results, [("demo", "2024")])
>>> status[0]["status"]
'not built'
>>> pages = build_site(results, results / "site", [("demo", "2024")], {})
>>> sorted(p.name for p in pages)[:3]
['audit.html', 'index.html', 'outcomes.html']
"""

from __future__ import annotations

import csv
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

PAGES = {  # file -> (menu label, page title)
    "index.html": ("Overview", "Peer-mentoring survey results"),
    "studies.html": ("Studies", "Study characteristics"),
    "outcomes.html": ("Outcomes", "Outcomes by construct"),
    "themes.html": ("Themes", "Theme crosswalk"),
    "reproduction.html": ("Reproduction", "Reproduction of the published papers"),
    "audit.html": ("Audit", "Consistency audit of the published numbers"),
}

CAPTIONS = {
    "studies.csv": (
        "One row per programme and survey year: institution, design, how many were invited "
        "and responded, the response rate (responded / invited) and the counts by role. "
        "Descriptive only, no test."),
    "outcomes.csv": (
        "Every Likert and yes/no item mapped to a shared construct, by programme, year and "
        "role: n, the item's own statistic (mean on its scale, or percent yes with the count) "
        "and the same on a common 0-100 scale (percent of maximum possible, POMP). "
        "Descriptive only, no test."),
    "effects.csv": (
        "Per-cohort effect sizes with 95% confidence intervals and p-values, one row per "
        "declared role comparison of an outcome; ci_method and p_method name the method of "
        "each. Odds ratios: exact conditional where any expected cell count is below 5, "
        "Woolf otherwise. With the smallest effect each comparison could detect with 80% "
        "power (a property of the group sizes, not of the result)."),
    "pooled.csv": (
        "Random-effects pooled estimates of like outcomes across cohorts, with the z (or t) "
        "test and p of each pooled estimate, heterogeneity (tau squared, flagged in "
        "tau2_at_zero when it sits at 0; I squared), prediction intervals, and how many "
        "more cohorts of the typical size would halve the confidence interval."),
    "themes.csv": (
        "Each study's qualitative categories mapped to the shared theme framework, with the "
        "roles that raised them and the number of coded segments. Descriptive only, no test."),
    "reproduction.csv": (
        "Every number the bundled papers print about their participants and survey, beside "
        "the value the pipeline computes from the validated data, with the precision at which "
        "they are compared and the verdict: reproduced, differs (the note names the audit "
        "check that explains it) or not computable."),
    "audit.csv": (
        "Consistency checks of the papers' printed numbers against each other: GRIM and "
        "GRIMMER/SPRITE for means and SDs, percentages against counts, totals, text against "
        "tables, and each printed Mann-Whitney p-value against the values attainable under "
        "the standard variants of the test."),
}
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


def cohort_status(results: str | Path, cohorts: list[tuple[str, str]]) -> list[dict]:
    """Where each cohort got to: ``built``, ``failed validation``, ``failed import``, ``not built``.

    A cohort whose validation listed problems has failed, even if a report from an
    earlier run is still on disk; ``report`` and ``log`` are paths relative to
    ``results`` (empty when there is none).
    """
    results = Path(results)
    out = []
    for program, year in cohorts:
        failures = results / "logs/validate" / program / f"{year}.failures.csv"
        report = results / "cohorts" / program / year / "report.html"
        import_log = results / "logs/import" / program / f"{year}.log"
        entry = {"program": program, "year": year, "report": "", "log": "",
                 "problems": _data_rows(failures)}
        if entry["problems"]:
            entry.update(status="failed validation",
                         log=str(failures.relative_to(results)))
        elif report.is_file() and (results / "validated" / program
                                   / f"{year}.responses.csv").is_file():
            entry.update(status="built", report=str(report.relative_to(results)))
        elif import_log.is_file() and not (results / "imported" / program / year
                                           / "responses.csv").is_file():
            entry.update(status="failed import", log=str(import_log.relative_to(results)))
        else:
            notebook_log = results / "logs/cohort" / program / f"{year}.log"
            entry.update(status="not built",
                         log=str(notebook_log.relative_to(results))
                         if notebook_log.is_file() else "")
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


def _table(results: Path, out: Path, relative: str, caption: str, note: str = "") -> dict | None:
    """A table for a page (whole, as text) and its CSV copied to ``out/data/``."""
    source = results / relative
    if not source.is_file():
        return None
    header, rows = read_table(source)
    target = out / "data" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return {"id": source.stem, "caption": caption, "note": note, "header": header,
            "rows": rows, "csv": f"data/{source.name}", "source": relative}


def _column(table: dict, name: str) -> list[str]:
    index = table["header"].index(name) if name in table["header"] else None
    return [row[index] for row in table["rows"]] if index is not None else []


def _name_methods(effects: dict | None, pooled: dict | None) -> None:
    """Say in the captions what effects.csv's method keys mean and which pooling setting
    pooled.csv used, and why (both read from the tables themselves)."""
    # imported here: the site step should not pay for scipy and statsmodels otherwise
    from peermentor.methods import legend, pooling_statement

    if effects:
        effects["note"] = legend(_column(effects, "ci_method"), _column(effects, "p_method"))
    if pooled:
        pooled["note"] = pooling_statement(list(zip(_column(pooled, "method"),
                                                    _column(pooled, "ci_method"),
                                                    strict=True)))


def _figures(results: Path, out: Path, folder: str, kind: str) -> list[dict]:
    """Copy every PNG/SVG of ``results/folder`` into the site; alt text from the file name."""
    source = results / folder
    figures = []
    if not source.is_dir():
        return figures
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        if path.suffix.lower() == ".svg" and path.with_suffix(".png").is_file():
            continue  # one picture per plot: the PNG
        target = out / "img" / folder.rsplit("/", 1)[-1] / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        subject = path.stem.replace("_", " ").replace("-", " ")
        figures.append({"src": str(target.relative_to(out)), "alt": f"{kind}: {subject}",
                        "title": subject[:1].upper() + subject[1:]})
    return figures


def build_site(
    results: str | Path,
    out: str | Path,
    cohorts: list[tuple[str, str]],
    programs: dict[str, dict],
    threshold: int = 5,
    partial: bool = False,
    sources: dict[str, str] | None = None,
) -> list[Path]:
    """Write the site into ``out`` (emptied first) and return the pages written.

    ``cohorts`` lists every discovered ``(program, year)``, built or not;
    ``programs`` maps programme ids to their configs (titles, institutions).
    ``partial`` marks a site built after a failed run (comparison tables wait for
    every cohort, so those shown may be from an earlier run). ``sources`` names each
    cohort's data files, keyed ``"program/year"``.
    """
    # here, not at the top: peermentor.report imports pandas, which every cohort job
    # (cohort_report renders its notebook with this module) would pay for nothing
    from peermentor.report import is_reconstructed

    results, out = Path(results), Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    for asset in ("site.css", "site.js"):
        shutil.copyfile(TEMPLATES / "site" / asset, out / "assets" / asset)
    env = _environment()
    status = cohort_status(results, cohorts)
    for entry in status:
        program = programs.get(entry["program"], {})
        entry["institution"] = program.get("institution", "")
        entry["reconstructed"] = is_reconstructed(program, entry["year"])
        entry["files"] = (sources or {}).get(f"{entry['program']}/{entry['year']}", "")
        entry["href"] = f"../{entry['report']}" if entry["report"] else ""
        entry["log_href"] = f"../{entry['log']}" if entry["log"] else ""
    failed = [e for e in status if e["status"] != "built"]
    failure_pages = []
    for entry in failed:
        if entry["status"] != "failed validation":
            continue
        name = f"failures/{entry['program']}-{entry['year']}.html"
        table = _table(results, out, entry["log"],
                       f"Every problem validation found in {entry['program']} "
                       f"{entry['year']}: file, line, respondent, column, value and the rule "
                       "it breaks.")
        table["csv"] = f"../{table['csv']}"
        entry["failures_page"] = name
        failure_pages.append((name, entry, table))

    common = {"pages": PAGES, "partial": partial, "threshold": threshold,
              "built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    tables = {name: _table(results, out, f"comparison/{name}", CAPTIONS[name])
              for name in ("studies.csv", "outcomes.csv", "effects.csv", "pooled.csv",
                           "themes.csv")}
    _name_methods(tables["effects.csv"], tables["pooled.csv"])
    reproduction = _table(results, out, "reproduction.csv", CAPTIONS["reproduction.csv"],
                          NOT_SUPPRESSED)
    audit = _table(results, out, "audit.csv", CAPTIONS["audit.csv"])
    contexts = {
        "index.html": {
            "cohorts": status, "failed": failed, "versions": _versions(),
            "tally": reproduction_tally(results / "reproduction.csv"),
            "audit_tally": reproduction_tally_audit(results / "audit.csv"),
        },
        "studies.html": {"tables": [tables["studies.csv"]], "figures": []},
        "outcomes.html": {
            "tables": [tables[n] for n in ("outcomes.csv", "effects.csv", "pooled.csv")],
            "figures": _figures(results, out, "comparison/forest", "Forest plot"),
            "trends": _figures(results, out, "comparison/trends", "Trend over years"),
        },
        "themes.html": {"tables": [tables["themes.csv"]], "figures": []},
        "reproduction.html": {"tables": [reproduction], "figures": []},
        "audit.html": {"tables": [audit], "figures": []},
    }
    written = []
    for page, context in contexts.items():
        template = env.get_template("index.html.j2" if page == "index.html" else "page.html.j2")
        context = {**common, **context, "current": page, "root": ""}
        if "tables" in context:
            context["tables"] = [t for t in context["tables"] if t]
        written.append(_write(out / page, template.render(**context)))
    template = env.get_template("failures.html.j2")
    for name, entry, table in failure_pages:
        written.append(_write(out / name, template.render(
            **common, current="", root="../", entry=entry, tables=[table])))
    return written


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


def _report_exporter() -> HTMLExporter:
    """This thread's exporter of cohort reports. Built once per thread, not per report:
    building one compiles its Jinja templates again (about 0.06 CPU-s a cohort)."""
    exporter = getattr(_exporters, "html", None)
    if exporter is None:
        exporter = _exporters.html = HTMLExporter(
            template_name="peermentor_report", extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
        # cells tagged "developer" (how to run the notebook by hand) stay out of the report
        exporter.register_preprocessor(
            TagRemovePreprocessor(remove_cell_tags={"developer"}, enabled=True), enabled=True)
    return exporter


def render_notebook(notebook: str | Path, html: str | Path, site_index: str = "") -> Path:
    """An executed notebook as a shareable HTML report: no code, a table of contents,
    figures embedded, and no script or font fetched from the network.

    ``site_index`` (a relative link) adds a link back to the site's landing page.
    """
    executed = nbformat.read(str(notebook), as_version=4)
    body, _ = _report_exporter().from_notebook_node(executed, resources={"site_index": site_index})
    body = body.replace(TOC_MARK, table_of_contents(body), 1)
    return _write(Path(html), body)
