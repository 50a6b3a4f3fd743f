"""Readable tables for the cohort notebook, reshaped from the tidy ``stats`` table.

Each function takes the tidy statistics of one cohort (see
:func:`peermentor.analysis.stats.analyse_cohort`) and the programme dict and returns a
small wide DataFrame meant for display; none computes a statistic. The one module the
cohort notebook imports beside :mod:`peermentor.publish.figures`: its numbers come from
:func:`prepare_cohort` (:mod:`peermentor.publish.cohort`), re-exported here.

These tables are meant for sharing, so every count from 1 to ``threshold - 1``
is shown as ``<threshold`` and the percentage computed from it is withheld
(:mod:`peermentor.publish.privacy`); :func:`suppression_note` states the rule for
the line under a table.

>>> import pandas as pd
>>> stats = pd.DataFrame({"section": ["participation"] * 2, "item": ["participation"] * 2,
...     "option": ["", ""], "group": ["all", "all"], "statistic": ["invited", "responded"],
...     "value": [10.0, 7.0]})
>>> participation_table(stats, {"roles": {"mentor": "Mentors"}}).loc["Responded", "All"]
'7'
>>> participation_table(stats.assign(value=[10.0, 3.0]), {"roles": {}}).loc["Responded", "All"]
'<5'
"""

from __future__ import annotations

import base64
import math
import re
import struct
from functools import partial
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from peermentor.analysis.longitudinal import SECTION
from peermentor.analysis.mannwhitney import mwu_method_statement
from peermentor.analysis.precision import detectable_text
from peermentor.analysis.stats import response_rate_note as response_rate_note
from peermentor.ingest.config import group_label, items_of_type
from peermentor.ingest.itemtypes import ITEM_TYPES
from peermentor.papers.audit import findings
from peermentor.papers.reconstruct import ASSUMED_MARK, assumed_items
from peermentor.publish.cohort import prepare_cohort as prepare_cohort
from peermentor.publish.privacy import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    is_small,
    marker,
    rule_text,
    shared_view,
)

PARTICIPATION_ROWS = {
    "invited": "Invited",
    "responded": "Responded",
    "analysed": "Analysed",
    "excluded": "Excluded",
    "response_rate": "Response rate (%)",
}


def _fmt(value: float, digits: int = 1) -> str:
    if pd.isna(value):
        return ""
    if float(value).is_integer() and digits <= 1:
        return f"{int(value)}"
    return f"{value:.{digits}f}"


def small_groups(answers: pd.DataFrame, program: dict,
                 threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """One sentence per analysed group (the cohort, each role) with fewer respondents
    than the small-cell threshold, saying what its report cannot show and why. A small
    count itself is not printed (the small-cell rule), a zero is.

    >>> program = {"roles": {"mentor": "Mentors", "mentee": "Mentees"}}
    >>> small_groups(pd.DataFrame({"role": ["mentor"]}), program)
    ['fewer than 5 respondents in all (small_cell_threshold): their counts are shown as <5, \
and a standard deviation or a test needs more answers than a group may have', 'Mentees: \
no respondents: nothing is reported for them and no test compares them with another role']
    """
    if threshold <= 1:
        return []
    roles = [r for r in program["roles"] if r not in program.get("excluded_roles", [])]
    counts = answers["role"].value_counts() if "role" in answers else pd.Series(dtype=int)
    total = int(counts.reindex(roles).fillna(0).sum())
    notes = []
    if 0 < total < threshold:
        notes.append(f"fewer than {threshold} respondents in all (small_cell_threshold): their "
                     f"counts are shown as {marker(threshold)}, and a standard deviation or a "
                     "test needs more answers than a group may have")
    for role in roles:
        n = int(counts.get(role, 0))
        label = group_label(program, role)
        if n == 0 and len(roles) > 1:
            notes.append(f"{label}: no respondents: nothing is reported for them and no test "
                         "compares them with another role")
        elif n < threshold and total >= threshold:
            notes.append(f"{label}: fewer than {threshold} respondents: their counts are "
                         f"shown as {marker(threshold)}")
    return notes


def soft_range_note(answers: pd.DataFrame, program: dict,
                    threshold: int = DEFAULT_THRESHOLD) -> str:
    """Numeric answers kept outside an item's soft range (``soft_range: true``), counted per
    item under the small-cell rule (empty when there are none).

    >>> program = {"codebook": [{"id": "height", "text": "Height (cm)", "type": "numeric",
    ...                          "min": 130, "max": 215, "soft_range": True}]}
    >>> soft_range_note(pd.DataFrame({"height": [7.0, 6.0, 170.0]}), program)
    '**Kept outside the expected range** (REDCap lets a user save such a value after a \
warning; they are analysed as given): Height (cm): <5 answers outside 130–215.'
    """
    from peermentor.ingest.schema import soft_range_breaches

    breaches = soft_range_breaches(answers, program)
    if breaches.empty:
        return ""
    texts = {item["id"]: item["text"] for item in program.get("codebook", [])}
    parts = []
    for item_id, rows in breaches.groupby("item", sort=False):
        count = len(rows)
        shown = marker(threshold) if is_small(count, threshold) else str(count)
        lo, hi = rows["min"].iloc[0], rows["max"].iloc[0]
        bounds = f"{_fmt(lo) if not pd.isna(lo) else '…'}–{_fmt(hi) if not pd.isna(hi) else '…'}"
        parts.append(f"{texts.get(item_id, item_id)}: {shown} answers outside {bounds}")
    return ("**Kept outside the expected range** (REDCap lets a user save such a value after "
            "a warning; they are analysed as given): " + "; ".join(parts) + ".")


def small_cohort_note(answers: pd.DataFrame, program: dict,
                      threshold: int = DEFAULT_THRESHOLD) -> str:
    """What a small cohort's report cannot show and why (empty when nothing is small)."""
    notes = small_groups(answers, program, threshold)
    if not notes:
        return ""
    text = "; ".join(notes)
    return (f"**A small cohort.** {text[0].upper()}{text[1:]}. Tables show what the "
            "small-cell rule allows and say in words what cannot be computed.")


def suppression_note(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The small-cell rule, in words, for the line under a displayed table."""
    return f"*{rule_text(threshold)}*"


def _p(value: float) -> str:
    if pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


#: A value that is not in the table at all (not asked, not computed).
_MISSING = (float("nan"), "", float("nan"))


def _lookup(stats: pd.DataFrame) -> dict:
    """``(item, option, group, statistic) -> (value, shown, decimals)``."""
    keyed = stats.assign(option=stats["option"].fillna("").astype(str))
    shown = keyed["shown"] if "shown" in keyed else [""] * len(keyed)
    decimals = keyed["decimals"] if "decimals" in keyed else [float("nan")] * len(keyed)
    return {
        (r.item, r.option, r.group, r.statistic): (r.value, text, places)
        for r, text, places in zip(keyed.itertuples(index=False), shown, decimals,
                                   strict=True)
    }


def _stat(values: dict, item_id: str, option: str, group: str, statistic: str) -> float:
    return values.get((item_id, option, group, statistic), _MISSING)[0]


def _text(values: dict, item_id: str, option: str, group: str, statistic: str,
          digits: int = 1, formatter=None) -> str:
    """A shared value as printed: the marker or ``suppressed`` where withheld, else the
    number at ``digits`` decimals (fewer where the policy coarsened it)."""
    value, shown, decimals = values.get((item_id, option, group, statistic), _MISSING)
    if shown:
        return shown
    if pd.notna(decimals):
        digits = min(digits, int(decimals))
    return (formatter or _fmt)(value, digits)


def _withheld(values: dict, item_id: str, option: str, group: str, statistic: str) -> bool:
    return bool(values.get((item_id, option, group, statistic), _MISSING)[1])


def _groups_of(stats: pd.DataFrame, item_id: str, program: dict) -> list[str]:
    present = set(stats.loc[stats["item"] == item_id, "group"])
    order = [*program["roles"], "all"]
    return [g for g in order if g in present]


def _display_frame(rows: list[dict], index: list[str]) -> pd.DataFrame:
    """Rows as a frame indexed by its label columns, with blanks instead of NaN."""
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.fillna("").set_index(index)


def is_reconstructed(program: dict, year: str | int) -> bool:
    """Are this year's data a reconstruction? Only the years the reconstruction wrote
    (a reconstructed programme's cohorts with published targets), never a year added later.

    >>> program = {"reconstructed": True, "cohorts": {"2019": {"published": {}}, "2024": {}}}
    >>> is_reconstructed(program, 2019), is_reconstructed(program, "2024")
    (True, False)
    """
    cohort = (program.get("cohorts") or {}).get(str(year)) or {}
    return bool(program.get("reconstructed")) and "published" in cohort


def banner(program: dict, year: str | int) -> str:
    """Markdown heading for a cohort report; flags reconstructed or simulated data loudly.

    The reconstruction warning and notes belong to the years that were reconstructed
    (:func:`is_reconstructed`): a new year of a bundled programme holds real answers.
    """
    lines = [
        f"# {program.get('title', program.get('program', ''))}: {year}",
        "",
        f"**{program.get('institution', '')}**, {program.get('country', '')}. "
        f"Design: {program.get('design', '')}.",
    ]
    if program.get("citation") or program.get("doi"):
        doi = f" doi:{program['doi']}" if program.get("doi") else ""
        lines += ["", f"Source: {program.get('citation', '')}{doi}"]
    if program.get("simulated"):
        lines += ["", "> **Simulated data, not real answers.** This cohort was generated by "
                  "peermentor's simulator from a model with known true effects."]
    if is_reconstructed(program, year):
        lines += [
            "",
            "> **Reconstructed data, not real answers.** The respondent-level data behind "
            "this report were generated, deterministically, from the paper's published "
            "aggregates. Counts and percentages the paper prints are reproduced exactly, "
            "means and SDs within its rounding; everything else reflects assumptions, not "
            "the study.",
        ]
        if program.get("reconstruction_notes"):
            lines += ["", f"> {program['reconstruction_notes'].strip()}"]
    return "\n".join(lines)


#: What each table of the cohort report shows and which test, for its caption.
CAPTIONS = {
    "participation": (
        "Invited, responded, analysed and excluded, by role; response rate = responded / "
        "invited. Descriptive, no test."),
    "demographics": (
        "Count (percent of those answering) of each answer, by role; the first row of each "
        "item is the number who answered it. p: Fisher exact test for two answers, otherwise "
        "Pearson chi-square test of independence of role and answer."),
    "numeric": (
        "Mean ± SD and median (n) by role. p: two-sided Mann-Whitney U test between the "
        "roles compared."),
    "likert": (
        "Mean ± SD (n) and median [IQR] by role. U and p: two-sided Mann-Whitney U test "
        "between the roles compared; r: rank-biserial correlation; p (Holm): p adjusted by "
        "Holm's method within the section."),
    "binary": (
        "Number answering yes / number answering (percent yes), by role. p: two-sided Fisher "
        "exact test. Risk ratio with its Katz (log-scale Wald) 95% confidence interval. Odds "
        "ratio: where any expected cell count is below 5, the conditional maximum-likelihood "
        "estimate with its exact conditional 95% interval (as R's fisher.test); otherwise "
        "the sample odds ratio with Woolf's 95% interval. 0.5 is added to every cell of a "
        "table with a zero cell for the large-sample intervals. The same numbers as the "
        "between-role effects table, which names each method."),
    # the same tables when the programme declares no between-role comparison
    "likert_descriptive": "Mean ± SD (n) and median [IQR] by role. Descriptive, no test.",
    "binary_descriptive": (
        "Number answering yes / number answering (percent yes), by role. Descriptive, no "
        "test."),
    "effects": (
        "Between-role effect sizes, each with its 95% confidence interval and p-value and "
        "the direction of a positive estimate; how each interval and p-value is computed "
        "is under Methods, at the end of the report."),
    "scales": (
        "Each multi-item scale (items listed, reverse-keyed ones reversed before scoring) by "
        "role: the score (mean of the answered items) with its n, mean, SD, median and IQR; "
        "Cronbach's alpha with its Feldt 95% CI (pingouin) and McDonald's omega total from a "
        "one-factor minres model (as psych::omega), both on the respondents who answered "
        "every item (n, all items)."),
    "item_total": (
        "Corrected item-total correlation of each item (with the sum of the scale's other "
        "items, reverse-keyed items reversed), by role: a low or negative value marks an "
        "item that does not measure what the others do, or a reverse-keyed item not "
        "declared."),
    "detectable": (
        "The smallest true difference each between-role test would find with 80% power "
        "(two-sided, alpha = 0.05): Cohen's d for Likert items and scales (t-test; for the "
        "Mann-Whitney test at 3/pi of each group's size, read as a rank-biserial r), "
        "Cohen's h for yes/no items (read at the second role's observed share). It depends "
        "on the group sizes alone: it is not the power to detect the difference observed. "
        "The CI half-width is the observed interval's, on the pooled scale (log for "
        "ratios, Fisher z for r)."),
    "change": (
        "Respondents who answered both waves: median before and after with the Wilcoxon "
        "signed-rank test and rank-biserial r (95% CI) for Likert and numeric items, yes "
        "before and after with McNemar's exact test for yes/no items."),
    "single_choice": (
        "Count (percent of those answering) of each answer, by role; the first row of each "
        "item is the number who answered it. p: Fisher exact test for two answers, otherwise "
        "Pearson chi-square test of independence of role and answer."),
    "multi_choice": (
        "Count (percent of the respondents who answered the item) choosing each option, by "
        "role; several options may be chosen, so percentages need not add up to 100. "
        "Descriptive, no test."),
    "ranking": (
        "Per option and role: mean rank (1 = most preferred), percent ranking it first, "
        "Borda points (with k options, rank r earns k - r + 1) and the resulting order. "
        "Descriptive, no test."),
    "qualitative": (
        "✓ where at least one coded segment from that role falls under the category "
        "(bold) or subcategory. Descriptive, no test."),
    "differs": "Published values the pipeline does not reproduce, with the reason.",
    "flagged": (
        "Audit checks that failed: printed numbers that cannot all be true together, and "
        "claims of no difference from groups that could not detect a medium effect "
        "(underpowered claim), with the check and why."),
    "reproduction": (
        "Every number the paper prints, beside the value computed from this cohort's data, "
        "the precision of the comparison and its status."),
    "audit": (
        "Every consistency check of the printed numbers (GRIM and GRIMMER/SPRITE for means "
        "and SDs, percentages against counts, totals, text against tables, attainable "
        "Mann-Whitney p-values) with its verdict."),
}

def methods_html(effect_rows: pd.DataFrame, program: dict, mwu: str = "",
                 threshold: int = DEFAULT_THRESHOLD) -> str:
    """The report's Methods section: how every table's tests, intervals and effect sizes
    are computed (libraries and variants), gathered here instead of in the tables.

    ``effect_rows``: :func:`peermentor.analysis.effects.cohort_effects` of the cohort, whose method
    columns name each measure's interval and p-value; ``mwu``: the Mann-Whitney statement
    of :func:`mwu_statement`.

    >>> rows = pd.DataFrame({"metric": ["hedges_g"], "ci_method": ["hedges_g_t"],
    ...                      "p_method": ["student_t"]})
    >>> html = methods_html(rows, {"codebook": []})
    >>> "<dt>Hedges' g</dt>" in html and "Student's two-sample t-test" in html
    True
    """
    from peermentor.analysis.methods import ODDS_RATIO_RULE, describe
    from peermentor.publish.pages import METRICS

    types = {item["type"] for item in program.get("codebook", [])}
    entries = [("Response rate", "Responded / invited, by role; not computed where the "
                "number invited is unknown.")]
    if types & {"single_choice", "multi_choice"} or any(
            i.get("section") == "demographics" for i in program.get("codebook", [])):
        entries.append(("Single-choice and demographic items", (
            "Counts and percentages of those answering. Between roles: Fisher's exact test "
            "for two answers, otherwise Pearson's chi-square test of independence of role "
            "and answer (scipy.stats). Multiple-response items are described only: several "
            "options may be chosen.")))
    if "numeric" in types:
        entries.append(("Numeric items", "Mean ± SD and median by role; two-sided "
                        "Mann-Whitney U test between the roles compared."))
    if "likert" in types:
        entries.append(("Likert items", (
            "Mean ± SD, median and interquartile range by role; two-sided Mann-Whitney U "
            "test between the roles compared, p-values adjusted by Holm's method within each "
            "codebook section (statsmodels multipletests). " + mwu.replace("`", "")).strip()))
    if "binary" in types:
        entries.append(("Yes/no items", (
            "Number and percent answering yes by role; two-sided Fisher's exact test "
            "between the roles compared (scipy.stats.fisher_exact); risk and odds ratios "
            "with the intervals below.")))
    if "ranking" in types:
        entries.append(("Rankings", "Mean rank, percent ranking an option first, and "
                        "Borda points (with k options, rank r earns k - r + 1)."))
    if program.get("scales"):
        entries.append(("Multi-item scales", CAPTIONS.get("scales", "")))
    known = list(METRICS)
    metrics = sorted(dict.fromkeys(effect_rows.get("metric", pd.Series(dtype=str)).dropna()),
                     key=lambda m: known.index(m) if m in known else len(known))
    for metric in metrics:
        rows = effect_rows[effect_rows["metric"] == metric]
        info = METRICS.get(metric, {})
        what = info.get("what", "")
        parts = [what[:1].upper() + what[1:]]
        if metric == "odds_ratio":
            parts.append(f"Which odds ratio: {ODDS_RATIO_RULE}")
        # each method named by what it is and by its key in effects.csv
        parts += [f"95% confidence interval: {describe(m)} ({m})"
                  for m in dict.fromkeys(rows["ci_method"]) if isinstance(m, str) and m]
        parts += [f"p-value: {describe(m)} ({m})"
                  for m in dict.fromkeys(rows["p_method"]) if isinstance(m, str) and m]
        entries.append((info.get("label", metric.replace("_", " ")),
                        ". ".join(p for p in parts if p) + "."))
    if len(effect_rows) and "detectable" in CAPTIONS:
        entries.append(("What this cohort can detect", CAPTIONS["detectable"]))
    entries.append(("Small cells", rule_text(threshold).replace("`", "")))
    items = "".join(f"<dt>{escape(term, quote=False)}</dt><dd>{escape(text, quote=False)}</dd>"
                    for term, text in entries)
    return f'<section class="methods"><dl>{items}</dl></section>'


def figure_withheld(threshold: int = DEFAULT_THRESHOLD, name: str = "") -> str:
    """What the report says where a figure would show only small cells; ``name`` says
    which figure (its alt text), so that two in a row are told apart.

    >>> figure_withheld(5, "Bar chart: number invited, by role")[:60]
    '*Figure not drawn (bar chart: number invited, by role): ever'
    """
    which = f" ({name[:1].lower()}{name[1:]})" if name else ""
    return (f"*Figure not drawn{which}: every bar would show a group or answer of fewer than "
            f"{threshold} people. The table above gives what can be shared.*")


#: Resolution of the PNGs the report embeds (peermentor.publish.figures.DPI; not imported, so
#: that this module does not pull in matplotlib).
PNG_DPI = 150

#: What an empty section says.
NOT_ASKED = "Not asked in this survey."


def figure_html(path: str | Path, alt: str) -> str:
    """A saved PNG as an ``<img>`` embedded in the page (data URI) with its alt text.

    >>> import tempfile, pathlib
    >>> png = pathlib.Path(tempfile.mkdtemp()) / "f.png"
    >>> _ = png.write_bytes(b"\\x89PNG")
    >>> html = figure_html(png, 'A "chart"')
    >>> html[html.index("<img"):][:58]
    '<img alt="A &quot;chart&quot;" src="data:image/png;base64,'
    """
    raw = Path(path).read_bytes()
    data = base64.b64encode(raw).decode("ascii")
    # On a phone the figure keeps a legible size (--phone-width, about 85% of its printed
    # size: 9-point text at 10 CSS px) and scrolls sideways inside its own region.
    phone = ""
    if raw[12:16] == b"IHDR":
        pixels = struct.unpack(">I", raw[16:20])[0]
        phone = f' style="--phone-width: {round(pixels * 96 / PNG_DPI * 0.85)}px"'
    return (f'<div class="figure-scroll" role="region" tabindex="0" aria-label="{escape(alt)}">'
            f'<img alt="{escape(alt)}"{phone} src="data:image/png;base64,{data}"></div>')


#: Published statistics that are counts of people (small ones are hidden in the report).
COUNT_STATISTICS = ("invited", "responded", "analysed", "excluded", "count", "n")


def suppress_reproduction(
    reproduction: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """The reproduction rows as a cohort report shows them: a published or computed count
    of people from 1 to ``threshold - 1`` becomes the marker, like every other table of
    the report (``results/reproduction.csv`` keeps the printed numbers).

    >>> rows = pd.DataFrame({"statistic": ["responded", "mean"], "published": ["4", "3.2"],
    ...                      "computed": ["4", "3.2"]})
    >>> suppress_reproduction(rows)["computed"].tolist()
    ['<5', '3.2']
    """
    out = reproduction.copy()
    counts = out["statistic"].isin(COUNT_STATISTICS)
    for column in ("published", "computed"):
        small = counts & pd.to_numeric(out[column], errors="coerce").map(
            lambda v: is_small(v, threshold)).astype(bool)
        out[column] = out[column].astype(object).where(~small, marker(threshold))
    return out


def suppress_audit(checks: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The audit rows as a cohort report shows them: a printed, expected, explanation or
    finding text holding a small count (a numerator like ``2/19`` or a term of a sum like
    ``2 + 5 = 7``) is withheld whole, since the rest of the text would give it away.

    >>> rows = pd.DataFrame({"printed": ["2 + 5 = 7", "3.5"], "expected": ["7", "3.5"],
    ...                      "explanation": ["4/19 = 21.05%", "n=10"]})
    >>> suppress_audit(rows).values.tolist()
    [['suppressed', '7', 'suppressed'], ['3.5', '3.5', 'n=10']]
    """
    if threshold <= 1:
        return checks
    small = "|".join(str(i) for i in range(1, threshold))
    pattern = re.compile(rf"(?<![\d.])({small})(?=\s*[/+=])|(?<=[+=]\s)({small})(?![\d.])")
    out = checks.copy()
    for column in ("printed", "expected", "explanation", "finding"):
        if column in out:
            out[column] = out[column].astype(object).map(
                lambda v: SUPPRESSED if isinstance(v, str) and pattern.search(v) else v)
    return out


def table_html(table: pd.DataFrame, caption: str, index: bool = True) -> str:
    """The whole table as HTML (never truncated, blanks for missing) with a caption.

    >>> html = table_html(pd.DataFrame({"a": [1, None]}), "What it shows.", index=False)
    >>> "<caption>What it shows.</caption>" in html, "nan" in html
    (True, False)
    """
    html = table.to_html(index=index, na_rep="", border=0, classes="dataframe",
                         max_rows=None, max_cols=None)
    head, rest = html.split(">", 1)
    return f"{head}>\n  <caption>{escape(caption)}</caption>{rest}"


def participation_cells(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> dict[tuple[str, str], str]:
    """Every participation count and rate as shown, keyed ``(statistic, group)``.

    As the disclosure policy shares them (:func:`peermentor.publish.privacy.share_stats`): small
    counts show as the marker; counts hidden so that a small one cannot be worked out
    (roles add up to "all", responded = analysed + excluded) and rates of hidden counts
    show as :data:`SUPPRESSED`. The table and the chart both use these.

    >>> stats = pd.DataFrame({"section": "participation", "item": "participation",
    ...     "option": "", "group": ["a", "b", "all"], "statistic": "responded",
    ...     "value": [14.0, 4.0, 18.0]})
    >>> cells = participation_cells(stats, {"roles": {"a": "A", "b": "B"}})
    >>> [cells[("responded", g)] for g in ("a", "b", "all")]
    ['14', '<5', 'suppressed']
    """
    shared = shared_view(stats, program, threshold)
    part = shared[shared["section"] == "participation"]
    values = _lookup(part)
    groups = _groups_of(part, "participation", program)
    return {(s, g): _text(values, "participation", "", g, s)
            for s in PARTICIPATION_ROWS for g in groups}


def participation_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Invited, responded, analysed, excluded and response rate by role."""
    cells = participation_cells(stats, program, threshold)
    groups = _groups_of(stats[stats["section"] == "participation"], "participation", program)
    table = {
        group_label(program, group): {label: cells[(stat, group)]
                                      for stat, label in PARTICIPATION_ROWS.items()}
        for group in groups
    }
    return pd.DataFrame(table).loc[list(PARTICIPATION_ROWS.values())]


def _test_cells(values: dict, item: dict, vs: str | None, program: dict) -> dict:
    """An item's between-role test (and effect) cells: Likert U, r, p and Holm's p; yes/no
    risk and odds ratios and Fisher's p; a numeric item's Mann-Whitney p."""
    if vs is None:
        return {}
    text = partial(_text, values, item["id"], "", vs)

    def p(statistic="p"):
        return text(statistic, formatter=lambda v, _: _p(v))

    if item["type"] == "likert":
        return {"U": text("U"), "r (rank-biserial)": text("rbc", 2), "p": p(),
                "p (Holm)": p("p_holm")}
    if item["type"] == "binary":
        return {"Risk ratio [95% CI]": _ci(values, item["id"], vs, "risk_ratio"),
                "Odds ratio [95% CI]": _ci(values, item["id"], vs, "odds_ratio"), "p": p()}
    return {f"p ({group_label(program, vs)})": p()}


def _ci(values: dict, item_id: str, vs: str, statistic: str) -> str:
    keys = (statistic, f"{statistic}_ci_low", f"{statistic}_ci_high")
    if any(_withheld(values, item_id, "", vs, k) for k in keys):
        return SUPPRESSED
    est, lo, hi = (_stat(values, item_id, "", vs, k) for k in keys)
    if pd.isna(est):
        return ""
    return f"{est:.2f} [{lo:.2f}, {hi:.2f}]"


def _vs_group(stats: pd.DataFrame, item_id: str) -> str | None:
    groups = stats.loc[stats["item"] == item_id, "group"]
    found = sorted({g for g in groups if "_vs_" in str(g)})
    return found[0] if found else None


def _mean_sd(values: dict, item_id: str, group: str, digits: int) -> str:
    """``mean ± SD`` as shared (the marker or ``suppressed`` when withheld); what cannot be
    computed said in words, never ``nan``.

    >>> values = {("y", "", "a", "mean"): (4.0, "", float("nan")),
    ...           ("y", "", "a", "sd"): (float("nan"), "", float("nan"))}
    >>> _mean_sd(values, "y", "a", 2), _mean_sd({}, "y", "a", 1)
    ('4.00 (SD not computable)', 'no answers')
    """
    text = partial(_text, values, item_id, "", group,
                   formatter=lambda v, d: "" if pd.isna(v) else f"{v:.{d}f}")
    mean, sd = text("mean", digits), text("sd", digits)
    if not mean and not sd:
        return "no answers"
    if SUPPRESSED in (mean, sd) or not mean:
        return mean or sd
    return f"{mean} ± {sd}" if sd else f"{mean} (SD not computable)"


def _role_table(stats: pd.DataFrame, program: dict, kind: str, threshold: int,
                role_cells) -> pd.DataFrame:
    """One row per item of type ``kind``: ``role_cells(text, label)`` per group (``text``
    reads one of its statistics as shared), then the between-role test's cells."""
    shared = shared_view(stats, program, threshold)
    values = _lookup(shared)
    rows = []
    for item in items_of_type(program, kind):
        row = {"Item": item["text"]}
        for group in _groups_of(shared, item["id"], program):
            text = partial(_text, values, item["id"], "", group)
            row |= role_cells(text, group_label(program, group),
                              partial(_mean_sd, values, item["id"], group))
        row |= _test_cells(values, item, _vs_group(shared, item["id"]), program)
        rows.append(row)
    return _display_frame(rows, ["Item"])


def likert_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per Likert item: mean ± SD (n) and median [IQR] by role, then the role test."""

    def cells(text, label, mean_sd):
        median = text("median")
        return {f"{label}: mean ± SD (n)": f"{mean_sd(2)} ({text('n')})",
                f"{label}: median [IQR]": median if median in ("", SUPPRESSED)
                else f"{median} [{text('q1')}–{text('q3')}]"}

    return _role_table(stats, program, "likert", threshold, cells)


def binary_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per yes/no item: count/n (%) by role, then Fisher exact p, risk and odds ratios."""

    def cells(text, label, _):
        percent = text("percent")
        percent = f" ({percent}%)" if percent and percent != SUPPRESSED else ""
        return {label: f"{text('count')}/{text('n')}{percent}"}

    return _role_table(stats, program, "binary", threshold, cells)


def choice_table(
    stats: pd.DataFrame,
    program: dict,
    types=("single_choice",),
    demographics: bool = False,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Per choice (single or multiple response): count (% of those answering) by role.

    The first row of each item gives the number who answered it in each group.

    ``demographics`` selects the items of section ``demographics`` (True) or
    every other item (False).
    """
    shared = shared_view(stats, program, threshold)
    values = _lookup(shared)
    rows = []
    for item in items_of_type(program, *types):
        if (item.get("section") == "demographics") != demographics:
            continue
        groups = _groups_of(shared, item["id"], program)
        answered = {"Item": item["text"], "Option": "(answered, n)"}
        for group in groups:
            answered[group_label(program, group)] = _text(values, item["id"], "", group, "n")
        rows.append(answered)
        for code, label in item["choices"].items():
            row = {"Item": item["text"], "Option": label}
            for group in groups:
                text = partial(_text, values, item["id"], str(code), group)
                percent = text("percent")
                row[group_label(program, group)] = text("count") + (
                    f" ({percent}%)" if percent and percent != SUPPRESSED else "")
            rows.append(row)
        vs = _vs_group(shared, item["id"])
        if vs is not None:
            answered[f"p ({group_label(program, vs)})"] = _text(
                values, item["id"], "", vs, "p", formatter=lambda v, _: _p(v))
    return _display_frame(rows, ["Item", "Option"])


def numeric_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per numeric item: mean ± SD, median (n) by role, then the Mann-Whitney p."""

    def cells(text, label, mean_sd):
        summary = mean_sd(1)
        if summary != SUPPRESSED:
            summary += f", median {text('median')}"
        return {label: f"{summary} (n={text('n')})"}

    return _role_table(stats, program, "numeric", threshold, cells)


def ranking_table(
    stats: pd.DataFrame, program: dict, threshold: int = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Per ranked option: mean rank, share ranked first and Borda position by role.

    What a small group or a small rank count would give away is withheld by the policy
    (:func:`peermentor.publish.privacy.share_stats`).
    """
    shared = shared_view(stats, program, threshold)
    values = _lookup(shared)
    rows = []
    for item in items_of_type(program, "ranking"):
        for group in _groups_of(shared, item["id"], program):
            for code, label in item["choices"].items():
                text = partial(_text, values, item["id"], str(code), group)
                rows.append({
                    "Item": item["text"],
                    "Group": group_label(program, group),
                    "n": _text(values, item["id"], "", group, "n"),
                    "Option": label,
                    "Mean rank": text("mean_rank", 2),
                    "Ranked first (%)": text("share_first"),
                    "Borda points": text("borda_points"),
                    "Borda position": text("borda_rank"),
                })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["Item", "Group", "Borda position"], kind="stable")
    return table.set_index(["Item", "Group", "Option"])


def codes_table(stats: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Which roles raised which qualitative categories and subcategories (✓)."""
    qual = stats[(stats["section"] == "qualitative") & (stats["statistic"] == "raised")]
    if qual.empty:
        return pd.DataFrame()
    labels = {
        c["id"]: c["label"]
        for c in (program.get("qualitative") or {}).get("categories", [])
    }
    qual = qual.assign(option=qual["option"].fillna(""))
    wide = qual.pivot_table(
        index=["item", "option"], columns="group", values="value", aggfunc="first", sort=False
    )
    wide = wide[[r for r in program["roles"] if r in wide.columns]]
    wide = wide.map(lambda v: "✓" if v == 1 else "")
    wide.index = [
        labels.get(cat, cat) if not sub else f"    {sub}" for cat, sub in wide.index
    ]
    wide.columns = [group_label(program, r) for r in wide.columns]
    return wide


# --------------------------------------------------------------------------------------
# Between-role effects, paired change and scales: the tables of the analyses each
# module computes (peermentor.analysis.effects, .longitudinal, .measurement), as the report
# shows them under the disclosure policy.
# --------------------------------------------------------------------------------------


TEST_NAMES = {
    "likert": "between-role Mann-Whitney U",
    "binary": "Fisher exact; risk and odds ratios with 95% CI",
}
TYPE_TITLES = {"likert": "Likert items", "binary": "Yes/no items"}


def table_heading(stats: pd.DataFrame, program: dict, kind: str) -> tuple[str, str]:
    """Heading of a cohort report's Likert or yes/no table, and a note when it has no test.

    The heading names a test only when the table has one; otherwise the note says what is
    missing and the line of YAML that adds it. For Likert items the heading names the Holm
    family (the Likert items of one codebook section), as
    :func:`peermentor.analysis.stats.likert_tests` adjusts.

    >>> program = {"program": "demo", "roles": {"a": "A", "b": "B"},
    ...            "codebook": [{"id": "q", "type": "likert"}]}
    >>> heading, note = table_heading(pd.DataFrame(columns=["item", "group", "statistic",
    ...                                                     "section"]), program, "likert")
    >>> heading
    'Likert items (no between-role test)'
    >>> print(note)  # doctest: +NORMALIZE_WHITESPACE
    No between-role test: the programme declares no `comparison`. Add the line
    `comparison: [a, b]` to `config/programs/demo.yaml` (first role vs second).
    """
    title = TYPE_TITLES[kind]
    items = [i for i in program.get("codebook", []) if i["type"] == kind]
    if not items:
        return title, ""
    ids = {i["id"] for i in items}
    tests = stats[stats["item"].isin(ids) & stats["group"].astype(str).str.contains("_vs_")]
    if tests.empty:
        roles = list(program.get("roles", {}))
        if not program.get("comparison"):
            if len(roles) < 2:
                why = ("No between-role test: the programme has one role. With a second role "
                       "under `roles:`, add `comparison: [<first>, <second>]`")
            else:
                why = (f"No between-role test: the programme declares no `comparison`. Add "
                       f"the line `comparison: [{roles[0]}, {roles[1]}]`")
            where = f"config/programs/{program.get('program', '<program>')}.yaml"
            return (f"{title} (no between-role test)",
                    f"{why} to `{where}` (first role vs second).")
        a, b = program["comparison"]
        return (f"{title} (no between-role test)",
                f"No between-role test: no {title.lower()[:-1]} was put to both `{a}` and "
                f"`{b}` (item `roles:`), or one of them has no answers.")
    if kind == "likert":
        holm = stats[stats["item"].isin(ids) & (stats["statistic"] == "p_holm")]
        families = "; ".join(f"section '{section}' ({len(rows)} tests)"
                             for section, rows in holm.groupby("section", sort=False))
        return (f"{title} ({TEST_NAMES[kind]}; Holm family: the Likert items of each "
                f"codebook section, {families})"), ""
    return f"{title} ({TEST_NAMES[kind]}; p not adjusted for multiplicity)", ""


def effects_table(effects: pd.DataFrame, program: dict) -> pd.DataFrame:
    """The cohort's between-role effects for its report: one row per item and metric,
    with its 95% CI, p and direction; how each is computed is in the report's Methods
    (:func:`peermentor.publish.report.methods_html`), not in the table.

    ``effects``: the cohort's effects as the disclosure policy shares them
    (``Cohort.effects`` of :func:`prepare_cohort`); a withheld comparison's show as
    ``suppressed``.
    """
    if effects.empty:
        return pd.DataFrame()
    texts = {i["id"]: i.get("text", i["id"]) for i in program.get("codebook", [])}
    texts |= {s["id"]: f"{s.get('text', s['id'])} (scale score)"
              for s in program.get("scales", [])}

    from peermentor.publish.pages import METRICS, fmt_ci, fmt_p

    roles = program.get("roles", {})

    def withheld(row) -> bool:
        return str(getattr(row, "note", "")).startswith("withheld")

    def positive(row) -> str:
        first = roles.get(row.role_a, row.role_a)
        return f"{'> 1' if METRICS.get(row.metric, {}).get('ratio') else '> 0'}: {first} higher"

    shown = pd.DataFrame({
        "Item": [texts.get(i, i) for i in effects["item"]],
        "Effect": [METRICS.get(m, {}).get("label", m.replace("_", " "))
                   for m in effects["metric"]],
        "Estimate (95% CI)": [SUPPRESSED if withheld(r) else
                              fmt_ci(r.estimate, r.ci_low, r.ci_high,
                                     METRICS.get(r.metric, {}).get("ratio"))
                              for r in effects.itertuples()],
        "p": [SUPPRESSED if withheld(r) else fmt_p(r.p) for r in effects.itertuples()],
        "Direction": [positive(r) for r in effects.itertuples()],
    })
    return shown.set_index(["Item", "Effect"])


def change_table(stats: pd.DataFrame, program: dict,
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Display table of the paired change: one row per item and group.

    Likert/numeric: pairs, median before -> after, Wilcoxon p, rank-biserial r (95% CI);
    yes/no: pairs, yes before -> after, McNemar p. Values as the disclosure policy shares
    them (:func:`peermentor.publish.privacy.share_stats`): small counts of pairs shown as
    ``<threshold``, and what they would give away ``suppressed``.
    """
    shared = shared_view(stats, program, threshold)
    change = shared[(shared["section"] == SECTION) & (shared["option"].fillna("") == "")]
    texts = {i["id"]: i.get("text", i["id"]) for i in program.get("codebook", [])}
    labels = {**program.get("roles", {}), "all": "All"}
    rows = []
    for (item, group), part in change.groupby(["item", "group"], sort=False):
        values = dict(zip(part["statistic"], zip(part["value"], part["shown"], strict=True),
                          strict=True))

        def fmt(statistic, digits=2, values=values):
            value, shown = values.get(statistic, (np.nan, ""))
            return shown or ("" if pd.isna(value) else f"{value:.{digits}f}")

        if "mcnemar_p" in values:
            shift = f"{fmt('yes_before', 0)} -> {fmt('yes_after', 0)} said yes"
            test, effect = f"McNemar p = {fmt('mcnemar_p', 3)}", ""
        else:
            shift = f"median {fmt('median_before', 1)} -> {fmt('median_after', 1)}"
            test = (f"Wilcoxon p = {fmt('wilcoxon_p', 3)}" if fmt("wilcoxon_p", 3)
                    else "no change to test")
            effect = fmt("rank_biserial")
            if fmt("rank_biserial_ci_low") and effect != SUPPRESSED:
                effect += (f" ({fmt('rank_biserial_ci_low')} to "
                           f"{fmt('rank_biserial_ci_high')})")
        rows.append({"item": texts.get(item, item), "group": labels.get(group, group),
                     "pairs": fmt("n_pairs", 0), "change": shift, "test": test,
                     "rank-biserial r (95% CI)": effect})
    return pd.DataFrame(rows)


def _scale_num(value: dict, key: tuple, digits: int = 2) -> str:
    """A shared value at ``digits`` decimals, or what the disclosure policy shows instead
    (the marker, ``suppressed``)."""
    v = value.get(key, float("nan"))
    if isinstance(v, str):
        return v
    return "" if pd.isna(v) else f"{v:.{digits}f}"


def _shown_values(stats: pd.DataFrame, program: dict, threshold: int) -> pd.DataFrame:
    """``stats`` under the disclosure policy, with ``value`` holding the shown text of a
    withheld statistic (one table for the report and the site)."""
    shared = shared_view(stats, program, threshold)
    shared = shared.copy()
    shared["value"] = [t if isinstance(t, str) and t else v
                       for v, t in zip(shared["value"], shared["shown"], strict=True)]
    return shared


def _shown_or_text(num: dict, text: str, *keys: str) -> str:
    """``text`` built from ``num[keys]``; what the policy shows instead where one of them
    is withheld (a marker or ``suppressed``, not a number); blank with no value."""
    hidden = [num[k] for k in keys if num[k] and not num[k][-1].isdigit()]
    return hidden[0] if hidden else text if num[keys[0]] else ""


def scale_table(stats: pd.DataFrame, program: dict, threshold: int = 5) -> pd.DataFrame:
    """The cohort report's table of scales: per scale and role the score (n, mean ± SD,
    median [IQR]), alpha [Feldt 95% CI], omega total and the complete respondents, as the
    disclosure policy shares them (:func:`peermentor.publish.privacy.share_stats`: a group of
    fewer than ``threshold`` shows only its size marker)."""
    stats = _shown_values(stats, program, threshold)
    rows = []
    roles = program.get("roles", {})
    for scale in program.get("scales", []):
        block = stats[(stats["item"] == scale["id"]) & (stats["option"].fillna("") == "")]
        value = {(g, s): v for g, s, v in zip(block["group"], block["statistic"],
                                              block["value"], strict=True)}
        reverse = set(scale.get("reverse") or [])
        items = ", ".join(f"{i} (reversed)" if i in reverse else i for i in scale["items"])
        for group in [*roles, "all"]:
            if (group, "n") not in value:
                continue
            num = {s: _scale_num(value, (group, s)) for s in (
                "mean", "sd", "median", "q1", "q3", "alpha", "alpha_ci_low", "alpha_ci_high",
                "omega")}
            show = partial(_shown_or_text, num)
            ci = f" [{num['alpha_ci_low']}, {num['alpha_ci_high']}]" if num["alpha_ci_low"] \
                else ""
            rows.append({
                "Scale": f"{scale.get('text', scale['id'])}: {items}",
                "Role": "All" if group == "all" else roles.get(group, group),
                "n (score)": _scale_num(value, (group, "n"), 0),
                "Mean \u00b1 SD": show(f"{num['mean']} \u00b1 {num['sd']}", "mean", "sd"),
                "Median [IQR]": show(f"{num['median']} [{num['q1']}, {num['q3']}]",
                                     "median", "q1", "q3"),
                "Cronbach's \u03b1 [95% CI]": show(f"{num['alpha']}{ci}", "alpha",
                                                   "alpha_ci_low", "alpha_ci_high"),
                "\u03c9 total": num["omega"],
                "n (all items)": _scale_num(value, (group, "n_complete"), 0),
            })
    return pd.DataFrame(rows).set_index(["Scale", "Role"]) if rows else pd.DataFrame()


def item_total_table(stats: pd.DataFrame, program: dict, threshold: int = 5) -> pd.DataFrame:
    """Corrected item-total correlations per scale item (rows) and role (columns), as the
    disclosure policy shares them."""
    stats = _shown_values(stats, program, threshold)
    rows = []
    roles = program.get("roles", {})
    texts = {i["id"]: i.get("text", i["id"]) for i in program.get("codebook", [])}
    for scale in program.get("scales", []):
        block = stats[(stats["item"] == scale["id"]) & (stats["statistic"] == "item_total")]
        reverse = set(scale.get("reverse") or [])
        for item_id in scale["items"]:
            row = {"Scale": scale.get("text", scale["id"]),
                   "Item": texts.get(item_id, item_id) + (" (reversed)" if item_id in reverse
                                                           else "")}
            for group in [*roles, "all"]:
                hit = block[(block["option"] == item_id) & (block["group"] == group)]
                if len(hit):
                    row["All" if group == "all" else roles.get(group, group)] = _scale_num(
                        {0: hit["value"].iloc[0]}, 0)
            rows.append(row)
    return pd.DataFrame(rows).fillna("").set_index(["Scale", "Item"]) if rows else pd.DataFrame()


# --------------------------------------------------------------------------------------
# The reproduction of the cohort's paper, as the report shows it
# --------------------------------------------------------------------------------------


def reproduction_headline(reproduction: pd.DataFrame, checks: pd.DataFrame) -> str:
    """One Markdown paragraph: how many printed numbers reproduce, what the audit found."""
    counts = reproduction["status"].value_counts()
    flagged = findings(checks)
    failed = int((checks["verdict"] != "consistent").sum())
    return (
        f"**{counts.get('reproduced', 0)} of {len(reproduction)}** published values are "
        f"reproduced at their printed precision, {counts.get('assumed', 0)} match only "
        "because the reconstruction assumed the data behind them (status `assumed`: no "
        f"evidence either way), {counts.get('differs', 0)} differ and "
        f"{counts.get('not computable', 0)} cannot be computed from survey data. The audit "
        f"ran {len(checks)} checks on the printed numbers; {failed} fail, showing "
        f"{len(flagged)} distinct findings: printing errors, and claims of no difference "
        "from groups too small to detect a medium effect (one row each below, with every "
        "place it shows)."
    )


def reproduction_table(reproduction: pd.DataFrame, status: str | None = None) -> pd.DataFrame:
    """Published beside computed, optionally only rows of one status."""
    rows = reproduction if status is None else reproduction[reproduction["status"] == status]
    columns = ["source", "statistic", "item", "option", "group", "published", "computed",
               "precision", "status", "note"]
    return rows[columns].reset_index(drop=True)


def audit_table(checks: pd.DataFrame, flagged: bool = False) -> pd.DataFrame:
    """Every audit check, or (``flagged``) one row per error found, with its places."""
    rows = findings(checks) if flagged else checks
    return rows.drop(columns=["program"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Notes under the report's tables (why a response rate is missing: analysis.stats, as
# studies.csv carries it too): which Mann-Whitney
# variant gave the p-values, what the reconstruction assumed, what the tests can detect
# --------------------------------------------------------------------------------------


def mwu_statement(program: dict, variant: str) -> str:
    """The report's statement of how its Mann-Whitney p-values were computed and which
    way its rank-biserial r points ("" when the programme compares no roles).

    >>> program = {"roles": {"mentor": "Mentors", "mentee": "Mentees"},
    ...            "comparison": ["mentor", "mentee"]}
    >>> "positive when Mentors answer higher" in mwu_statement(program, "r_correct")
    True
    """
    pair = program.get("comparison") or []
    if len(pair) != 2:
        return ""
    roles = program.get("roles", {})
    first, second = (roles.get(r, r) for r in pair)
    return mwu_method_statement(variant, first) + f" Compared with {second}."


def assumed_note(program: dict) -> str:
    """Markdown for the report: which items are marked, and why ("" when none)."""
    marked = assumed_items(program)
    if not marked:
        return ""
    texts = {item["id"]: item.get("text", item["id"]) for item in program.get("codebook", [])}
    lines = [f"Rows marked **{ASSUMED_MARK.strip()}** rest on values the reconstruction "
             "assumed, not on the paper: they reproduce nothing and are not findings."]
    lines += [f"- {texts[i].removesuffix(ASSUMED_MARK)}: {why}" for i, why in marked.items()]
    return "\n".join(lines)


def detectable_table(effects: pd.DataFrame, program: dict, threshold: int = 5) -> pd.DataFrame:
    """The cohort report's "What this cohort can detect": one row per item and metric,
    with the group sizes, the smallest effect detectable and the observed CI half-width.
    Where a group is smaller than ``threshold`` the group size is shown as ``<threshold``
    and the detectable effect, which would give it away, is withheld."""
    if effects.empty:
        return pd.DataFrame()
    texts = {i["id"]: i.get("text", i["id"]) for i in program.get("codebook", [])}
    texts |= {s["id"]: s.get("text", s["id"]) for s in program.get("scales", [])}
    roles = program.get("roles", {})

    def hidden(n) -> bool:
        # a size the disclosure policy shows as a marker arrives as its text
        return isinstance(n, str) or (threshold > 1 and 0 < n < threshold)

    def group(role, n) -> str:
        shown = n if isinstance(n, str) else f"<{threshold}" if hidden(n) else n
        return f"{roles.get(role, role)} {shown}"

    rows = []
    for _, row in effects.iterrows():
        small = hidden(row["n_a"]) or hidden(row["n_b"])
        # a row the disclosure policy withheld (a small cell) keeps what the sizes alone
        # give; what also rests on the answers is blank
        withheld = str(row.get("note", "")).startswith(("withheld", "coarsened"))
        size_only = withheld and pd.notna(row.get("detectable_effect"))
        rows.append({
            "Item": texts.get(row["item"], row["item"]),
            "Effect": row["metric"].replace("_", " "),
            "Groups": f"{group(row['role_a'], row['n_a'])} vs {group(row['role_b'], row['n_b'])}",
            "Detectable with 80% power (two-sided, \u03b1 = 0.05)": (
                "withheld (a group is small)" if small else
                "withheld (a cell is small)" if withheld and not size_only
                else detectable_text(row)),
            "95% CI half-width (pooled scale)": "" if small or withheld else _fmt(
                row["ci_half_width"], 2),
        })
    return pd.DataFrame(rows).set_index(["Item", "Effect"])


def detectable_sentence(effects: pd.DataFrame, program: dict, item_type: str,
                        threshold: int = 5) -> str:
    """One sentence for under a table of tests: what they could detect, and what that is
    not. Empty when the table has no between-role test."""
    rows = effects[effects["item_type"].isin(
        ["likert", "scale"] if item_type == "likert" else [item_type])]
    metric = ITEM_TYPES[item_type].effect
    rows = rows[rows["metric"] == metric]
    if rows.empty:
        return ""
    roles = program.get("roles", {})
    a, b = rows["role_a"].iloc[0], rows["role_b"].iloc[0]
    sizes_shown = rows[["n_a", "n_b"]].apply(pd.to_numeric, errors="coerce")
    if threshold > 1 and (sizes_shown.isna() | ((sizes_shown > 0) & (sizes_shown < threshold))
                          ).any(axis=None):
        return (f"*What these tests can detect is withheld: a group has fewer than "
                f"{threshold} answers, and the detectable effect would give its size away.*")
    known = ~(rows["note"].astype(str).str.startswith(("withheld", "coarsened"))
              & rows["detectable_effect"].isna()) if "note" in rows else None
    if known is not None and not known.any():
        return (f"*What these tests can detect is withheld: each table has an answer given "
                f"by fewer than {threshold}, which it could help pin down.*")
    rows = rows[known] if known is not None else rows
    sizes = sorted({(int(x), int(y)) for x, y in zip(rows["n_a"], rows["n_b"], strict=True)})
    stds = rows["detectable_std"].astype(float)
    if stds.isna().all():
        return (f"*With these groups ({roles.get(a, a)} vs {roles.get(b, b)}) no outcome of "
                "the test can reach p < 0.05: it can detect nothing.*")
    low, high = stds.min(), stds.max()
    size = f"{low:.2f}" if math.isclose(low, high, abs_tol=0.005) else f"{low:.2f} to {high:.2f}"
    counts = "; ".join(f"{x} {roles.get(a, a)} and {y} {roles.get(b, b)}" for x, y in sizes)
    if item_type == "likert":
        what = (f"only for true differences of at least d = {size} (a Mann-Whitney test, "
                f"rank-biserial r \u2265 {rows['detectable_effect'].astype(float).min():.2f})")
    else:
        what = f"only for true differences of at least Cohen's h = {size}"
    return (f"*What these tests can detect: with {counts} answering, a two-sided test at "
            f"\u03b1 = 0.05 has 80% power {what}. Smaller true differences may well go "
            "unnoticed, so \"not significant\" is not evidence of no difference. This "
            "depends on the group sizes alone; it is not the power to detect the "
            "difference observed.*")
