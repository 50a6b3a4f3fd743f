"""The results site and the cohort reports in a real browser (headless Chromium).

Starting at ``results/site/index.html`` and following every local link, each page must
load from disk with no console error and no request beyond the disk, every local link
and image must resolve, every image must have alt text and every table a header row
and a caption, and no page may show ``nan``, ``None``, a traceback or a cut table. A
screenshot of each page goes to ``results/screenshots/`` of the repository, so a
reviewer can look without a browser. Then the pages are read as an adversary would:
no hidden small count may be worked out from what a page shows.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
import yaml
from cdp import CHROMIUM, Browser
from matplotlib.image import imread

from peermentor.ingest.config import load_program
from peermentor.publish import figures

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)"),
]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "results" / "screenshots"
COHORTS = [("dual-role-group", "2023"), ("tums-dual", "2012"), ("ucsf-obgyn", "2020"),
           ("ulsan-peer", "2019"), ("unc-ssm", "2019")]
SITE_PAGES = ["index.html", "studies.html", "outcomes.html", "themes.html",
              "reproduction.html", "audit.html", "methods.html"]

PAGE = r"""(() => {
  const cells = (row) => Array.from(row.cells).map((c) => c.innerText.trim());
  return {
    text: document.body.innerText,
    images: Array.from(document.images).map((i) => ({
      src: i.getAttribute("src").slice(0, 60), alt: i.getAttribute("alt") || "",
      ok: i.complete && i.naturalWidth > 0})),
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href")),
    ids: Array.from(document.querySelectorAll("[id]")).map((e) => e.id),
    tables: Array.from(document.querySelectorAll("table")).map((t) => {
      let section = "";
      for (let e = t; e && !section; e = e.parentElement) {
        for (let s = e.previousElementSibling; s && !section; s = s.previousElementSibling) {
          const h = s.matches("h1, h2") ? s : s.querySelector("h2");
          if (h) section = h.innerText.replace("¶", "").trim();
        }
      }
      return {
        section: section,
        caption: t.caption ? t.caption.innerText.trim() : "",
        header: t.tHead ? Array.from(t.tHead.rows).map(cells) : [],
        rows: Array.from(t.tBodies).flatMap((b) => Array.from(b.rows).map(cells)),
      };
    }),
  };
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chrome = Browser(tmp_path_factory.mktemp("chromium"))
    yield chrome
    chrome.close()


def _local_target(page: Path, href: str) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme or href.startswith("#"):
        return None
    return (page.parent / unquote(parts.path)).resolve()


@pytest.fixture(scope="module")
def pages(built, browser) -> dict[Path, dict]:
    """Every page reached from the site's index, loaded in Chromium and read back."""
    results = (built / "results").resolve()
    todo, seen = [results / "site/index.html"], {}
    while todo:
        page = todo.pop(0)
        if page in seen:
            continue
        browser.load(page.as_uri())
        found = browser.evaluate(PAGE)
        found["errors"] = browser.errors()
        found["remote"] = [u for u in browser.requests() if not u.startswith(("file:", "data:"))]
        name = str(page.relative_to(results)).replace("/", "_").removesuffix(".html")
        browser.screenshot(SCREENSHOTS / f"{name}.png")
        seen[page] = found
        for href in found["links"]:
            target = _local_target(page, href)
            if target and target.suffix == ".html" and target.is_file():
                todo.append(target)
    return seen


def test_index_reaches_every_page_and_cohort_report(built, pages):
    results = (built / "results").resolve()
    reached = {str(p.relative_to(results)) for p in pages}
    assert {f"site/{p}" for p in SITE_PAGES} <= reached
    assert {f"cohorts/{p}/{y}/report.html" for p, y in COHORTS} <= reached


def test_every_page_loads_clean_from_disk(pages):
    for page, found in pages.items():
        assert found["errors"] == [], page
        assert found["remote"] == [], page  # no server, no network


def test_every_local_link_and_image_resolves(pages):
    for page, found in pages.items():
        for href in found["links"]:
            if href.startswith("#"):
                # as a browser resolves a fragment: as written, then percent-decoded
                assert {href[1:], unquote(href[1:])} & set(found["ids"]), (page, href)
            elif (target := _local_target(page, href)) is not None:
                assert target.exists(), (page, href)
        for image in found["images"]:
            assert image["ok"], (page, image["src"])


def test_every_figure_has_alt_text_and_every_table_a_header_and_caption(pages):
    for page, found in pages.items():
        for image in found["images"]:
            assert image["alt"] and "No description" not in image["alt"], (page, image["src"])
        for table in found["tables"]:
            assert table["header"] and any(table["header"][0]), (page, table["caption"])
            assert table["caption"], (page, table["section"])


def test_no_page_shows_nan_none_a_traceback_or_a_cut_table(pages):
    for page, found in pages.items():
        text = found["text"]
        for word in (r"\bnan\b", r"\bNaN\b", r"\bNone\b", r"Traceback", r"\bundefined\b"):
            assert not re.search(word, text), (page, word)
        for table in found["tables"]:
            assert not any(cell in ("...", "…") for row in table["rows"] for cell in row), page


def test_site_tables_are_whole(built, pages):
    site = (built / "results/site").resolve()
    for name, csv in [("reproduction.html", "reproduction.csv"), ("audit.html", "audit.csv")]:
        (table,) = [t for t in pages[site / name]["tables"]
                    if t["caption"].startswith("Every")]  # not the list of what differs
        assert len(table["rows"]) == len(pd.read_csv(built / "results" / csv))
        assert (site / "data" / csv).read_bytes() == (built / "results" / csv).read_bytes()


def test_developer_text_stays_out_of_the_reports(built, pages):
    for program, year in COHORTS:
        text = pages[(built / f"results/cohorts/{program}/{year}/report.html").resolve()]["text"]
        for developer in ("papermill", "results/manual", "python -m", "config/published",
                          "results/reproduction.csv", "stats.csv"):
            assert developer not in text, (program, developer)


def test_screenshots_are_saved_and_not_blank(pages):
    shots = sorted(SCREENSHOTS.glob("*.png"))
    assert len(shots) >= len(pages)
    pixels = imread(SCREENSHOTS / "site_index.png")
    grey = pixels[..., :3].mean(axis=2)
    assert pixels.shape[1] >= 1280
    assert 0.5 < float(np.mean(grey > 0.95)) < 0.995  # a white page with text on it
    assert float(np.std(pixels[..., :3])) > 0.05


# ---------------------------------------------------------------------------------------
# Can a hidden cell be recovered from what a page shows?
# ---------------------------------------------------------------------------------------

HIDDEN = re.compile(r"^(<\d+|suppressed)")


def _parts(cell: str) -> list[str]:
    """A displayed count cell split into its counts: '9/10 (90%)' -> ['9', '10']."""
    return [p.strip() for p in re.sub(r"\(.*?\)", "", cell).split("/")]


def _number(text: str) -> float | None:
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def recoverable(table: dict, printed: dict[str, set[str]] | None = None) -> list[str]:
    """Hidden cells a reader can work out: from the roles' sum in the "All" column, from
    the answers' sum in a single-choice item, or from a percentage next to a count.

    ``printed`` (row label -> numbers the paper prints for it) exempts a cell worked out
    to a number the paper itself prints there: it is public, and hiding the total too
    would withhold nothing (the policy's ``known`` cells)."""
    printed = printed or {}
    header = table["header"][-1] if table["header"] else []
    found = []
    if "All" in header:
        all_col = header.index("All")
        role_cols = [i for i in range(all_col) if header[i] and header[i] not in (
            "Item", "Option")]
        for row in table["rows"]:
            cells = [row[i] if i < len(row) else "" for i in (*role_cols, all_col)]
            cells = [c for c in cells if c]
            for k in range(max((len(_parts(c)) for c in cells), default=0)):
                parts = [_parts(c)[k] if k < len(_parts(c)) else "" for c in cells]
                hidden = [p for p in parts if HIDDEN.match(p)]
                numbers = [_number(p) for p in parts if not HIDDEN.match(p)]
                if len(hidden) == 1 and len(parts) >= 3 and None not in numbers:
                    value = numbers[-1] - sum(numbers[:-1]) if not HIDDEN.match(
                        parts[-1]) else None
                    if value is not None and f"{value:g}" in printed.get(row[0], set()):
                        continue  # the paper prints it
                    found.append(f"{row[:2]}: a role cell = All - the other roles")
    for row in table["rows"]:
        for cell in row:
            count, *rest = _parts(cell)
            if HIDDEN.match(count) and "%" in cell and re.search(r"\(\s*[1-9][\d.]*%", cell):
                found.append(f"{row[:2]}: a percentage beside a hidden count")
    return found


def test_no_hidden_cell_can_be_recovered_from_the_cohort_reports(built, pages):
    hidden_seen = 0
    for program, year in COHORTS:
        found = pages[(built / f"results/cohorts/{program}/{year}/report.html").resolve()]
        for table in found["tables"]:
            if table["section"].startswith(("Every", "Published values", "Audit")):
                continue  # the paper's own numbers, checked below
            hidden_seen += sum(bool(HIDDEN.match(c)) for row in table["rows"] for c in row)
            assert recoverable(table, _printed(built, program)) == [], (
                program, table["section"])
            if table["section"] in ("Demographics by role", "Single-choice items"):
                assert _single_choice_sums_hold(table) == [], (program, table["section"])
    assert hidden_seen > 50  # the test has something to attack


def _printed(workdir: Path, program: str) -> dict[str, set[str]]:
    """Participation numbers the paper prints: row label ("Responded") -> numbers."""
    path = workdir / f"config/published/{program}.yaml"
    if not path.is_file():
        return {}
    found: dict[str, set[str]] = {}
    for entry in yaml.safe_load(path.read_text())["values"]:
        if not entry.get("item") and re.fullmatch(r"\d+", str(entry.get("printed", ""))):
            found.setdefault(entry["statistic"].capitalize(), set()).add(str(entry["printed"]))
    return found


def _single_choice_sums_hold(table: dict) -> list[str]:
    """Within each item, the answers add up to the '(answered, n)' row: one hidden answer
    with the rest shown would give it away."""
    header = table["header"][-1]
    problems = []
    items: dict[str, list[list[str]]] = {}
    current = None
    for row in table["rows"]:
        if len(row) == len(header) and row[1] == "(answered, n)":
            current = row[0]
        elif len(row) == len(header) - 1 and row[0] == "(answered, n)":
            current = f"item {len(items)}"
            row = ["", *row]
        elif len(row) == len(header) - 1:
            row = ["", *row]
        items.setdefault(current, []).append(row)
    for item, rows in items.items():
        for col in range(2, len(header)):
            column = [r[col] for r in rows if col < len(r)]
            if not column or header[col].startswith("p ("):
                continue
            counts = [_parts(c)[0] for c in column]
            if sum(bool(HIDDEN.match(c)) for c in counts) == 1 and all(
                    HIDDEN.match(c) or _number(c) is not None for c in counts):
                problems.append(f"{item}, {header[col]}")
    return problems


def test_ucsf_report_states_no_count_of_responding_residents(built, pages):
    stats = pd.read_csv(built / "results/cohorts/ucsf-obgyn/2020/stats.csv", dtype=str)
    responded = stats.query("section == 'participation' and statistic == 'responded'")
    residents = int(float(responded.query("group == 'mentor'")["value"].iloc[0]))
    assert residents < 5  # the cell the default rule hides
    text = pages[(built / "results/cohorts/ucsf-obgyn/2020/report.html").resolve()]["text"]
    words = ["four", "4"] if residents == 4 else [str(residents)]
    for word in words:
        assert not re.search(rf"\b{word}\b\W+(?:\w+\W+)?(residents|mentors)\b", text, re.I)
        assert not re.search(rf"\b(residents|mentors)\b\W+(?:\w+\W+){{0,3}}{word}\b", text,
                             re.I)
    # the participation figure draws no bar for it and prints no number for it
    program = load_program(built / "config/programs/ucsf-obgyn.yaml")
    stats = pd.read_csv(built / "results/cohorts/ucsf-obgyn/2020/stats.csv",
                        dtype={"year": str, "option": str}, keep_default_na=False,
                        na_values={"value": [""]})
    ax = figures.participation_chart(stats, program, threshold=5).axes[0]
    heights = [round(p.get_height()) for p in ax.patches]
    labels = [t.get_text() for t in ax.texts]
    assert residents not in heights and str(residents) not in labels
    assert 18 not in heights and "18" not in labels  # 18 - 14 = 4


def test_ulsan_figures_reveal_no_hidden_cell(built):
    program = load_program(built / "config/programs/ulsan-peer.yaml")
    stats = pd.read_csv(built / "results/cohorts/ulsan-peer/2019/stats.csv",
                        dtype={"year": str, "option": str}, keep_default_na=False,
                        na_values={"value": [""]})
    counts = stats[stats["statistic"] == "count"]
    shown_any = False
    for item in program["codebook"]:
        if item["type"] != "multi_choice":
            continue
        fig = figures.multi_choice_bars(stats, item["id"], program, threshold=5)
        if fig is None:
            continue
        ax = fig.axes[0]
        groups = [t.get_text() for t in ax.get_legend().get_texts()]
        for bar_set, label in zip(ax.containers, groups, strict=True):
            role = next(r for r, lab in program["roles"].items() if lab == label)
            widths = [round(b.get_width(), 6) for b in bar_set]
            item_counts = counts[(counts["item"] == item["id"]) & (counts["group"] == role)]
            n = stats.query(f"item == '{item['id']}' and group == '{role}' and "
                            "statistic == 'n' and option == ''")["value"].iloc[0]
            for count in item_counts["value"]:
                if 0 < count < 5:  # hidden in the table: no bar of its width
                    assert round(100 * count / n, 6) not in widths, (item["id"], role)
            shown_any = True
    assert shown_any
    heat = figures.themes_heatmap(stats, program, threshold=5)
    if heat is not None:
        texts = [t.get_text() for t in heat.axes[0].texts]
        assert not set(texts) & {"1", "2", "3", "4"}  # small counts show as "<5"
