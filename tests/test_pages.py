"""The pages a reviewer reads, in headless Chromium: accessible, responsive, printable.

Every page of the results site and one cohort report are loaded at 1280 px (a laptop)
and 390 px (a phone) from the pipeline run of :func:`conftest.built`. On each, axe-core
(npm ``axe-core``, pinned in ``tests/browser/package.json``; installed into the ignored
``tests/browser/node_modules`` by ``npm ci``, which this module runs when npm is there
and ``.ci/run`` runs in CI) is injected over the DevTools protocol and must find no
serious or critical violation. No page may scroll sideways on the phone, every page has
a title of its own, tables sort from the keyboard, and two pages print to clean PDFs
with ``--print-to-pdf``. A screenshot of every page at both widths is written to
``results/screenshots/pages/`` (the session's last lines name the folder).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from cdp import CHROMIUM, Browser, print_to_pdf
from matplotlib.image import imread

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)"),
]

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = ROOT / "tests" / "browser"
AXE = BROWSER_TESTS / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "results" / "screenshots" / "pages"
WIDTHS = (1280, 390)
SITE_PAGES = ["index.html", "studies.html", "outcomes.html", "themes.html",
              "reproduction.html", "audit.html", "methods.html"]
REPORT = "cohorts/ulsan-peer/2019/report.html"
PAGES = [f"site/{p}" for p in SITE_PAGES] + [REPORT]

# preload: false: axe would fetch the style sheets again with XMLHttpRequest, which a page
# opened from disk may not do (the rules that need them do not apply to these pages)
AXE_RUN = """axe.run(document, {resultTypes: ["violations"], preload: false}).then(
  (r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))})))"""
LAYOUT = """({scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth, title: document.title,
  wide: Array.from(document.querySelectorAll("body *")).filter((e) => {
    const r = e.getBoundingClientRect();
    return r.right > document.documentElement.clientWidth + 1 && r.width > 0
      && !e.closest(".scroll, .table-scroll, .figure-scroll");
  }).slice(0, 5).map((e) => e.tagName + "." + e.className)})"""


def axe_source() -> str:
    """axe-core's script, installed with npm from the lockfile if it is not there yet."""
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--prefix", str(BROWSER_TESTS), "--no-audit", "--no-fund"],
                       check=False, capture_output=True, timeout=300)
    if not AXE.is_file():
        reason = "axe-core not installed: run npm ci --prefix tests/browser"
        if os.environ.get("PEERMENTOR_REQUIRE_AXE"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chrome = Browser(tmp_path_factory.mktemp("chromium-pages"))
    yield chrome
    chrome.close()


@pytest.fixture(scope="module")
def visits(built, browser) -> dict[tuple[str, int], dict]:
    """Every page at every width: axe's violations, the layout, the title, a screenshot."""
    axe = axe_source()
    results = (built / "results").resolve()
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    found = {}
    for page in PAGES:
        for width in WIDTHS:
            browser.load((results / page).as_uri(), width=width)
            seen = browser.evaluate(LAYOUT)
            seen["errors"] = browser.errors()
            browser.evaluate(axe + ";0")
            seen["violations"] = browser.evaluate(AXE_RUN)
            name = page.removesuffix(".html").replace("/", "_")
            seen["screenshot"] = browser.screenshot(SHOTS / f"{name}-{width}.png", width=width)
            found[(page, width)] = seen
    return found


def test_axe_finds_no_serious_or_critical_violation(visits):
    serious = {key: [v for v in seen["violations"] if v["impact"] in ("serious", "critical")]
               for key, seen in visits.items()}
    assert {key: v for key, v in serious.items() if v} == {}
    assert {key: seen["errors"] for key, seen in visits.items() if seen["errors"]} == {}


def test_axe_does_run_and_would_report_a_violation(browser, visits, tmp_path):
    # the same check on a page with a known serious violation (an image without alt text)
    # must report it: a silent axe would pass every page
    page = tmp_path / "axe-canary.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
                    '<main><img src="data:image/png;base64,iVBORw0KGgo="></main></body></html>')
    browser.load(page.as_uri())
    browser.evaluate(axe_source() + ";0")
    assert "image-alt" in {v["id"] for v in browser.evaluate(AXE_RUN)}


def test_no_page_scrolls_sideways_on_a_phone(visits):
    for page in PAGES:
        seen = visits[(page, 390)]
        assert seen["scrollWidth"] <= seen["clientWidth"], (page, seen["wide"])
        assert seen["clientWidth"] == 390


def test_every_page_has_a_title_of_its_own(visits, built, browser):
    titles = {page: visits[(page, 1280)]["title"] for page in PAGES}
    results = (built / "results").resolve()
    for report in sorted(results.glob("cohorts/*/*/report.html")):
        browser.load(report.as_uri())
        titles[str(report.relative_to(results))] = browser.evaluate("document.title")
    assert len(set(titles.values())) == len(titles), titles
    assert all(t.strip() and "Notebook" not in t for t in titles.values()), titles
    assert titles[REPORT].startswith("Voluntary peer-mentoring program")


OUTCOMES = """(() => ({
  text: document.querySelector("main").innerText,
  figures: Array.from(document.querySelectorAll("main figure")).map((f) => ({
    caption: f.querySelector("figcaption").innerText,
    src: f.querySelector("img").getAttribute("src")})),
  roles: Array.from(document.querySelectorAll("#t-outcomes tbody tr")).map(
    (r) => r.cells[3].innerText),
}))()"""


def ids_shown(text: str, workdir: Path) -> set[str]:
    """Construct, comparison, role and question ids of a run found in a page's text."""
    constructs = yaml.safe_load((workdir / "config/constructs.yaml").read_text())
    ids = set(constructs["constructs"])
    for path in (workdir / "config/programs").glob("*.yaml"):
        program = yaml.safe_load(path.read_text())
        roles = list(program.get("roles", {}))
        # role ids that are not plain words (mentor, mentee are also English words)
        ids |= {r for r in roles if "_" in r}
        ids |= {f"{a}_vs_{b}" for a in roles for b in roles if a != b}
        ids |= {i["id"] for i in program.get("codebook", []) if "_" in i["id"]}
    return {i for i in ids if re.search(rf"\b{re.escape(i)}\b", text)}


def test_outcomes_page_reads_like_a_results_section(built, browser):
    browser.load((built / "results/site/outcomes.html").resolve().as_uri())
    page = browser.evaluate(OUTCOMES)
    # a forest plot only where two or more cohorts were pooled: the bundled studies share
    # no comparison, and only the test's own cohort (user-crlf 2024) pools with Ulsan's
    pooled = pd.read_csv(built / "results/comparison/pooled.csv")
    pooled = pooled[pooled["metric"].isin(["hedges_g", "odds_ratio"]) & (pooled["k"] >= 2)]
    assert sorted(Path(f["src"]).stem for f in page["figures"]) == sorted(
        f"{r.construct}__{r.comparison}__{r.metric}" for r in pooled.itertuples())
    # the test's own cohort (user-crlf 2024) would pool with Ulsan's on programme_value,
    # but Ulsan's 9 mentees leave small answer counts behind its effects there, which the
    # disclosure policy withholds (issue 18): nothing is pooled, so no forest plot
    effects = pd.read_csv(built / "results/comparison/effects.csv", dtype=str,
                          keep_default_na=False)
    ulsan = effects[(effects["program"] == "ulsan-peer")
                    & (effects["construct"] == "programme_value")]
    assert len(ulsan) and (ulsan["estimate"] == "").all()
    assert ulsan["note"].str.startswith("withheld").all()
    assert pooled.empty and not page["figures"]
    for figure in page["figures"]:
        assert figure["caption"].startswith("2 cohorts (2 programmes) compared mentors with "
                                            "mentees on")
    assert "one cohort: nothing pooled" not in page["text"]
    assert "Only unc-ssm 2019 compared mentors with non-mentors" in page["text"]
    assert ids_shown(page["text"], built) == set()
    assert set(page["roles"]) >= {"Mentors", "Mentees", "Non-mentors"}
    # numbers at the precision a reader needs; the CSV keeps full precision
    # (every bundled effect has a small cell behind it, so the full-precision number
    # checked is what each comparison could detect, computed from the group sizes alone)
    assert effects["detectable_std"].str.contains(r"\.\d{8,}").any()
    assert not re.search(r"\d\.\d{5,}", page["text"])
    # the ids checked for are really there to be found
    assert "programme_value" in ids_shown("programme_value", built)


SORT_STATE = """(() => {
  const table = document.querySelector("table.sortable");
  const headers = Array.from(table.tHead.rows[0].cells);
  const index = headers.findIndex((th) => th.contains(document.activeElement));
  return {
    headers: headers.length,
    buttons: table.querySelectorAll("thead th > button.sort").length,
    focused: document.activeElement.tagName + "." + document.activeElement.className,
    index: index,
    sort: index < 0 ? null : headers[index].getAttribute("aria-sort"),
    others: headers.filter((th, i) => i !== index).map((th) => th.getAttribute("aria-sort")),
    column: index < 0 ? [] : Array.from(table.tBodies[0].rows).map(
      (r) => r.cells[index].dataset.sort ?? r.cells[index].textContent.trim()),
  };
})()"""


def test_tables_sort_from_the_keyboard(built, browser):
    studies = (built / "results/site/studies.html").resolve()
    browser.load(studies.as_uri())
    state = browser.evaluate(SORT_STATE)
    assert state["buttons"] == state["headers"] >= 3  # every header is a button
    for _ in range(60):  # Tab from the top of the page to the table's first header
        browser.press("Tab", "Tab", 9)
        state = browser.evaluate(SORT_STATE)
        if state["index"] == 0:
            break
    assert state["focused"] == "BUTTON.sort" and state["index"] == 0, state
    assert state["sort"] == "none"
    browser.press("Enter", "Enter", 13)
    ascending = browser.evaluate(SORT_STATE)
    assert ascending["sort"] == "ascending" and set(ascending["others"]) == {"none"}
    assert ascending["column"] == sorted(ascending["column"], key=str.casefold)
    browser.press(" ", "Space", 32)
    descending = browser.evaluate(SORT_STATE)
    assert descending["sort"] == "descending"
    assert descending["column"] == ascending["column"][::-1]


def test_screenshots_of_every_page_at_both_widths(visits):
    for (page, width), seen in visits.items():
        pixels = imread(seen["screenshot"])
        assert pixels.shape[1] == width, page
        grey = pixels[..., :3].mean(axis=2)
        assert 0.4 < float(np.mean(grey > 0.95)) < 0.995, (page, width)  # text on white
    assert len(list(SHOTS.glob("*.png"))) == len(PAGES) * len(WIDTHS)


# ---------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------

def _pdf_text(pdf: Path) -> tuple[int, str, list[float]]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    widths = [float(page.mediabox.width) for page in reader.pages]
    return len(reader.pages), text, widths


@pytest.mark.parametrize("page", ["site/studies.html", REPORT])
def test_pages_print_to_clean_pdfs(built, tmp_path, page):
    source = (built / "results" / page).resolve()
    pdf = print_to_pdf(source.as_uri(), tmp_path / "page.pdf", tmp_path / "profile")
    pages, text, widths = _pdf_text(pdf)
    flat = " ".join(text.split())
    assert pages >= 1 and len(set(widths)) == 1
    # no navigation or table controls on paper
    assert "Filter rows" not in flat and "All results" not in flat
    assert not re.search(r"Overview\s+Studies\s+Outcomes", flat)
    if page == REPORT:
        assert pages >= 5
        assert "Voluntary peer-mentoring program" in flat and "Participation" in flat
        assert "Reproduction of the published paper" in flat
    else:
        # every column of the wide table is on paper, not cut off at the right margin
        assert "Study characteristics" in flat
        header = visible_headers(built / "results/site/studies.html")
        missing = [h for h in header if " ".join(h.split()) not in flat]
        assert missing == [], missing


def visible_headers(html: Path) -> list[str]:
    found = re.findall(r'<button type="button" class="sort">(.*?)</button>',
                       html.read_text(encoding="utf-8"))
    assert found
    return found
