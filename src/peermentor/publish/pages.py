"""What the results site's comparison pages say: tables and sentences for a reader.

The comparison CSVs keep ids and full precision (they are the record); these functions
turn their rows into what a programme director or a journal reviewer reads: constructs,
questions and roles by their labels (``config/constructs.yaml`` and the codebooks),
numbers at the precision a reader needs, a sentence per finding, and the methods
(formulas, libraries, test variants) gathered on one page instead of in table cells.
They read tables and return plain dicts for the Jinja templates of
:mod:`peermentor.publish.site`; none computes a statistic.

>>> fmt_ci(1.9273, 0.2260, 19.387)
'1.93 (0.23 to 19.4)'
>>> fmt_ci(-0.2026, -1.1744, 0.7693)
'−0.20 (−1.17 to 0.77)'
>>> fmt_p(0.6502), fmt_p(0.0468), fmt_p(0.00001)
('0.65', '0.047', '<0.001')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd

from peermentor.analysis.methods import ODDS_RATIO_RULE, POOLING_WHY, describe

#: Effect measures as a reader meets them: label, short form, ratio scale, and what the
#: measure is (for the methods page). The first of PRIMARY present is the one plotted
#: and put first; the others are listed beside it.
METRICS = {
    "hedges_g": {
        "label": "Hedges' g", "short": "g", "ratio": False,
        "what": "standardised mean difference: the first role's mean minus the second's, "
                "over their pooled standard deviation, with Hedges' small-sample correction"},
    "rank_biserial": {
        "label": "rank-biserial r", "short": "r", "ratio": False,
        "what": "from the Mann-Whitney U: the probability that a member of the first role "
                "answers higher than a member of the second, minus the probability that "
                "they answer lower (from −1 to 1)"},
    "odds_ratio": {
        "label": "odds ratio", "short": "OR", "ratio": True,
        "what": "the odds of answering yes in the first role divided by the odds in the "
                "second"},
    "risk_ratio": {
        "label": "risk ratio", "short": "RR", "ratio": True,
        "what": "the share answering yes in the first role divided by the share in the "
                "second"},
    "risk_difference": {
        "label": "risk difference", "short": "RD", "ratio": False,
        "what": "the share answering yes in the first role minus the share in the second "
                "(from −1 to 1)"},
}
PRIMARY = ("hedges_g", "odds_ratio")
#: The scales effects are pooled on (``pool_scale`` in effects.csv), in words.
SCALES = {"identity": "measure's own", "log": "log", "atanh": "Fisher z (atanh)"}
MINUS = "\u2212"


# ---------------------------------------------------------------------------------------
# numbers for display
# ---------------------------------------------------------------------------------------

def number(value) -> float | None:
    """A finite float, or None for blanks, markers ("<5", "suppressed") and NaN."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def fmt(value, digits: int = 2) -> str:
    """A number with a true minus sign; text (a marker) as it is.

    >>> fmt(-0.1222), fmt(62.5, 0), fmt("<5")
    ('−0.12', '62', '<5')
    """
    x = number(value)
    if x is None:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
            else str(value)
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def fmt_ratio(value) -> str:
    """A ratio at a precision that grows with its size: 0.23, 1.93, 19.4, 147.

    >>> [fmt_ratio(v) for v in (0.226, 1.927, 19.387, 146.93)]
    ['0.23', '1.93', '19.4', '147']
    """
    x = number(value)
    if x is None:
        return fmt(value)
    return fmt(x, 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2)


def fmt_ci(estimate, low, high, ratio: bool | None = None, digits: int = 2) -> str:
    """``estimate (low to high)``; ratios (or, by default, any interval above 10) at the
    precision of :func:`fmt_ratio`."""
    if ratio is None:
        ratio = any((number(v) or 0) >= 10 for v in (estimate, high))
    show = fmt_ratio if ratio else (lambda v: fmt(v, digits))
    if number(low) is None or number(high) is None:
        return show(estimate)
    return f"{show(estimate)} ({show(low)} to {show(high)})"


def _interval(low, high, ratio: bool) -> str:
    """``low to high`` at the precision of the estimate beside it."""
    return f"{fmt_ci(low, None, None, ratio)} to {fmt_ci(high, None, None, ratio)}"


def fmt_p(value) -> str:
    """A p-value: two decimals, three below 0.1, ``<0.001`` below that."""
    p = number(value)
    if p is None:
        return fmt(value)
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def read_frame(path) -> pd.DataFrame:
    """A CSV as text (blanks stay blank); an empty frame when the run did not write it."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def conform(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with every column a page reads (blank where the CSV has none), so that a
    table from an older run, or without rows, still renders."""
    missing = [c for c in columns if c not in frame.columns]
    return frame.assign(**dict.fromkeys(missing, "")) if missing else frame


OUTCOME_COLUMNS = ["program", "year", "construct", "item", "item_type", "group", "n",
                   "count", "statistic", "pomp", "ci_low", "ci_high", "ci_method",
                   "raw_value", "raw_statistic", "scale"]
EFFECT_COLUMNS = ["program", "year", "construct", "item", "item_type", "comparison",
                  "role_a", "role_b", "metric", "estimate", "ci_low", "ci_high", "ci_method",
                  "p", "p_method", "pool_scale", "detectable_effect"]
POOLED_COLUMNS = ["construct", "comparison", "metric", "k", "estimate", "ci_low", "ci_high",
                  "pi_low", "pi_high", "tau2", "tau2_at_zero", "i2", "method", "ci_method",
                  "stat", "p", "cohorts_to_halve_ci"]


def cell(text: str, sort=None, href: str = "", css: str = "") -> dict:
    """A table cell for the site's ``data_cell`` macro: its text, the value it sorts by."""
    out = {"text": text}
    if sort is not None and number(sort) is not None:
        out["sort"] = repr(float(sort))
    if href:
        out["href"] = href
    if css:
        out["class"] = css
    return out


def table(id_: str, caption: str, labels: list[str], rows: list[list], csv: str = "",
          methods: str = "", note: str = "", row_classes: list[str] | None = None) -> dict:
    """A table for the site's ``data_table`` macro."""
    return {"id": id_, "caption": caption, "labels": labels, "header": labels, "rows": rows,
            "csv": csv, "methods": methods, "note": note, "row_classes": row_classes or []}


# ---------------------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------------------

def _lower_first(text: str) -> str:
    """'Non-mentors' -> 'non-mentors', but 'OB/GYN residents' stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


class Labels:
    """Reader-facing names of the ids in the comparison tables."""

    def __init__(self, programs: dict[str, dict], constructs: dict | None):
        self.programs = programs
        self.constructs = (constructs or {}).get("constructs", {})

    def construct(self, construct: str) -> str:
        entry = self.constructs.get(construct) or {}
        return entry.get("label") or construct.replace("_", " ").capitalize()

    def definition(self, construct: str) -> str:
        return " ".join(str((self.constructs.get(construct) or {}).get("definition", "")).split())

    def better(self, construct: str) -> str:
        return (self.constructs.get(construct) or {}).get("better", "")

    def order(self, constructs: Iterable[str]) -> list[str]:
        """Constructs in the framework's order, unknown ones after them."""
        known = list(self.constructs)
        return sorted(set(constructs), key=lambda c: (known.index(c) if c in known
                                                      else len(known), c))

    def item(self, program: str, item: str) -> str:
        """A question's wording (or a multi-item scale's text) in a programme's codebook."""
        config = self.programs.get(program) or {}
        for entry in [*config.get("codebook", []), *config.get("scales", [])]:
            if entry["id"] == item:
                return " ".join(str(entry.get("text", item)).split())
        return item.replace("_", " ")

    def role(self, program: str, role: str) -> str:
        roles = (self.programs.get(program) or {}).get("roles", {})
        if role in roles:
            return str(roles[role])
        for other in self.programs.values():  # a role another programme names
            if role in other.get("roles", {}):
                return str(other["roles"][role])
        return role.replace("_", " ").capitalize()

    def roles(self, comparison: str, program: str = "") -> tuple[str, str]:
        """The two roles of ``first_vs_second``, by label (the programme's own, else the
        first programme that has both)."""
        first, _, second = comparison.partition("_vs_")
        if not program:
            program = next((p for p, c in sorted(self.programs.items())
                            if {first, second} <= set(c.get("roles", {}))), "")
        return self.role(program, first), self.role(program, second)

    def comparison(self, comparison: str, program: str = "") -> str:
        """``mentor_vs_non_mentor`` -> ``Mentors vs non-mentors``."""
        first, second = self.roles(comparison, program)
        return f"{first} vs {_lower_first(second)}"

    def metric(self, metric: str) -> str:
        return METRICS.get(metric, {}).get("label", metric.replace("_", " "))

    def cohort(self, program: str, year) -> str:
        return f"{program} {year}"


def _is_ratio(metric: str) -> bool:
    return METRICS.get(metric, {}).get("ratio", metric.endswith("_ratio"))


def _primary(metrics: Iterable[str]) -> list[str]:
    """The metrics to show first and plot: Hedges' g for Likert items, the odds ratio for
    yes/no items; a measure this module does not know stands for itself."""
    metrics = list(dict.fromkeys(metrics))
    chosen = [m for m in PRIMARY if m in metrics]
    return chosen or metrics[:1]


def _direction(metric: str, first: str, second: str) -> str:
    """'> 0: mentors higher' (or '> 1' for ratios)."""
    return f"{'> 1' if _is_ratio(metric) else '> 0'}: {_lower_first(first)} higher"


# ---------------------------------------------------------------------------------------
# the outcomes page
# ---------------------------------------------------------------------------------------

def _heterogeneity(i2, k: int) -> str:
    value = number(i2)
    if value is None:
        return ""
    if value < 25:
        words = "the cohorts agree within their sampling noise"
    elif value < 50:
        words = "some of the spread between cohorts is real heterogeneity"
    else:
        words = ("the cohorts differ by more than sampling noise explains, so the prediction "
                 "interval, not the confidence interval, is the honest summary")
    if k < 10:
        words += f" (with {k} cohorts, I\u00b2 itself is very uncertain)"
    return f"I\u00b2 = {value:.0f}%: {words}."


def _finding(estimate, low, high, metric: str, first: str, second: str) -> str:
    """In words: which role scored higher, or that the interval includes no difference."""
    null = 1.0 if _is_ratio(metric) else 0.0
    low, high = number(low), number(high)
    a, b = _lower_first(first), _lower_first(second)
    if low is None or high is None:
        return f"{a} compared with {b}"
    if low > null:
        return f"{a} scored higher than {b}"
    if high < null:
        return f"{a} scored lower than {b}"
    return f"no clear difference between {a} and {b}"


def _questions(rows: pd.DataFrame, labels: Labels) -> str:
    texts = list(dict.fromkeys(labels.item(r.program, r.item) for r in rows.itertuples()))
    if len(texts) <= 2:
        return " and ".join(f"\u201c{t}\u201d" for t in texts)
    return f"{len(texts)} questions"


def pooled_sentence(row, rows: pd.DataFrame, labels: Labels) -> str:
    """One pooled construct x comparison x measure in words: k, what was asked, the pooled
    estimate with its CI and prediction interval, and I\u00b2."""
    first, second = labels.roles(row.comparison)
    metric = labels.metric(row.metric)
    programmes = rows["program"].nunique()
    ratio = _is_ratio(row.metric)
    return (
        f"{row.k} cohorts ({programmes} programme{'s' if programmes != 1 else ''}) compared "
        f"{_lower_first(first)} with {_lower_first(second)} on {_questions(rows, labels)}: "
        f"{_finding(row.estimate, row.ci_low, row.ci_high, row.metric, first, second)}. "
        f"Pooled {metric} {fmt_ci(row.estimate, None, None, ratio)} "
        f"(95% CI {_interval(row.ci_low, row.ci_high, ratio)}); in a new cohort it would be "
        f"expected between {fmt_ci(row.pi_low, None, None, ratio)} and "
        f"{fmt_ci(row.pi_high, None, None, ratio)} (95% prediction interval). "
        f"{_heterogeneity(row.i2, int(row.k))}"
    )


def single_sentence(rows: pd.DataFrame, labels: Labels) -> str:
    """A construct x comparison that only one cohort measured: its effects in words."""
    first = rows.iloc[0]
    a, b = labels.roles(first.comparison, first.program)
    cohort = labels.cohort(first.program, first.year)
    parts = []
    for item, group in rows.groupby("item", sort=False):
        main = group[group["metric"].isin(_primary(group["metric"]))].iloc[0]
        ratio = _is_ratio(main.metric)
        p = "" if number(main.get("p")) is None else (
            f", p {fmt_p(main.p)}" if fmt_p(main.p).startswith("<") else f", p = {fmt_p(main.p)}")
        parts.append(
            f"on \u201c{labels.item(main.program, item)}\u201d, "
            f"{_finding(main.estimate, main.ci_low, main.ci_high, main.metric, a, b)}: "
            f"{labels.metric(main.metric)} {fmt_ci(main.estimate, None, None, ratio)} "
            f"(95% CI {_interval(main.ci_low, main.ci_high, ratio)}{p})")
    return (f"Only {cohort} compared {_lower_first(a)} with {_lower_first(b)} on this "
            f"construct, so nothing is pooled: " + "; ".join(parts) + ".")


def outcomes_page(outcomes: pd.DataFrame, effects: pd.DataFrame, pooled: pd.DataFrame,
                  labels: Labels, forest: dict[str, str], reports: dict[tuple, str],
                  trends: dict[str, str] | None = None) -> dict:
    """Everything ``outcomes.html`` shows: per construct, what was compared and found (a
    sentence, and a forest plot where two or more cohorts were pooled); the effects of
    single cohorts in one table; the pooled table, or why nothing was pooled; how each
    role answered; trends.

    ``forest`` and ``trends`` map a figure's file stem (``construct__comparison__metric``,
    ``program__construct``) to its path in the site; ``reports`` maps
    ``(program, year)`` to the cohort report's link.
    """
    outcomes = conform(outcomes, OUTCOME_COLUMNS)
    effects = conform(effects, EFFECT_COLUMNS)
    pooled = conform(pooled, POOLED_COLUMNS)
    effects = effects[effects["construct"] != ""]
    pooled_index = {(r.construct, r.comparison, r.metric): r
                    for r in pooled.itertuples(index=False)}
    constructs = labels.order([*outcomes["construct"].dropna(), *effects["construct"]])
    sections, single_rows = [], []
    for construct in constructs:
        section = {"id": f"construct-{construct}", "label": labels.construct(construct),
                   "definition": labels.definition(construct),
                   "better": labels.better(construct), "comparisons": []}
        mine = effects[effects["construct"] == construct]
        for comparison, rows in mine.groupby("comparison", sort=True):
            entry = {"label": labels.comparison(comparison), "blocks": []}
            for metric in _primary(rows["metric"]):
                row = pooled_index.get((construct, comparison, metric))
                metric_rows = rows[rows["metric"] == metric]
                if row is None:
                    continue
                block = {"sentence": pooled_sentence(row, metric_rows, labels), "figure": None}
                stem = f"{construct}__{comparison}__{metric}"
                if stem in forest:
                    block["figure"] = {
                        "src": forest[stem],
                        "alt": (f"Forest plot: {labels.metric(metric)} of "
                                f"{entry['label'].lower()} on "
                                f"{section['label'][:1].lower()}{section['label'][1:]}, "
                                f"{len(metric_rows)} cohort rows and the pooled estimate")}
                entry["blocks"].append(block)
            if not entry["blocks"]:
                cohorts = rows[["program", "year"]].drop_duplicates()
                sentence = (single_sentence(rows, labels) if len(cohorts) == 1 else
                            f"{len(cohorts)} cohorts compared these roles, but on different "
                            "measures, so nothing is pooled; each is in the table of effects "
                            "by cohort.")
                entry["blocks"].append({"sentence": sentence, "figure": None})
                single_rows.append(rows)
            section["comparisons"].append(entry)
        levels = outcomes[outcomes["construct"] == construct]
        if mine.empty and not levels.empty:
            cohorts = ", ".join(sorted({labels.cohort(r.program, r.year)
                                        for r in levels.itertuples()}))
            section["comparisons"].append({"label": "", "blocks": [{"figure": None, "sentence": (
                f"Measured in {cohorts}, with no declared comparison of two roles: how each "
                "role answered is in the table below.")}]})
        sections.append(section)
    single = pd.concat(single_rows) if single_rows else effects.iloc[0:0]
    return {
        "sections": sections,
        "effects_table": effects_table(single, labels, reports) if len(single) else None,
        "pooled_table": pooled_table(pooled, labels) if len(pooled) else None,
        "pooled_empty": "" if len(pooled) else nothing_pooled(effects, labels),
        "levels_table": levels_table(outcomes, labels, reports) if len(outcomes) else None,
        "trends": trend_groups(trends or {}, labels),
    }


def trend_groups(trends: dict[str, str], labels: Labels) -> list[dict]:
    """The trend figures (``program__construct``) grouped by construct."""
    groups: dict[str, list[dict]] = {}
    for stem, src in sorted(trends.items()):
        program, _, construct = stem.partition("__")
        label = labels.construct(construct)
        groups.setdefault(construct, []).append({
            "src": src, "caption": f"{program}: {label} by year, with 95% confidence intervals.",
            "alt": f"Trend over years: {label.lower()} in {program}, by question and role"})
    return [{"label": labels.construct(c), "figures": groups[c]}
            for c in labels.order(groups)]


def nothing_pooled(effects: pd.DataFrame, labels: Labels) -> str:
    """Why ``pooled.csv`` is empty, in a sentence or two."""
    rule = ("Pooling needs two or more cohorts that compare the same two roles on the same "
            "construct with the same measure")
    if effects.empty:
        return f"Nothing was pooled: no cohort compared two roles on a construct. {rule}."
    pairs = effects.groupby(["construct", "comparison"])[["program", "year"]].apply(
        lambda rows: len(rows.drop_duplicates()))
    return (f"Nothing was pooled. {rule}; in this run each of the {len(pairs)} construct "
            f"\u00d7 comparison pairs was measured by one cohort (each is named in its "
            "section above). Different comparisons, such as mentors vs mentees and mentors "
            "vs non-mentors, are never pooled together.")


def _report_link(reports: dict, program: str, year) -> str:
    return reports.get((program, str(year)), "")


def effects_table(effects: pd.DataFrame, labels: Labels, reports: dict) -> dict:
    """One row per cohort and question: the main effect with its CI and p, the others."""
    rows = []
    keys = ["construct", "comparison", "program", "year", "item"]
    for (construct, comparison, program, year, item), group in effects.groupby(
            keys, sort=False):
        main_metric = _primary(group["metric"])[0]
        main = group[group["metric"] == main_metric].iloc[0]
        first, second = labels.roles(comparison, program)
        others = "; ".join(
            f"{METRICS.get(r.metric, {}).get('short', labels.metric(r.metric))} "
            f"{fmt_ci(r.estimate, r.ci_low, r.ci_high, _is_ratio(r.metric))}"
            for r in group.itertuples() if r.metric != main_metric)
        rows.append([
            labels.construct(construct),
            cell(labels.cohort(program, year), href=_report_link(reports, program, year),
                 css="nowrap"),
            labels.item(program, item),
            labels.comparison(comparison, program),
            labels.metric(main_metric),
            cell(fmt_ci(main.estimate, main.ci_low, main.ci_high, _is_ratio(main_metric)),
                 sort=main.estimate, css="nowrap"),
            cell(fmt_p(main.get("p")), sort=main.get("p"), css="num"),
            _direction(main_metric, first, second),
            cell(fmt_ci(main.get("detectable_effect"), None, None, _is_ratio(main_metric)),
                 sort=main.get("detectable_effect"), css="num"),
            others,
        ])
    return table("effects", "Between-role effects of the constructs only one cohort measured, "
                 "one row per cohort and question: the main measure (Hedges' g for Likert "
                 "items, the odds ratio for yes/no items) with its 95% confidence interval "
                 "and p-value, the smallest effect the comparison could detect with 80% "
                 "power (from the group sizes alone, not the result), then the other "
                 "measures.",
                 ["Construct", "Cohort", "Question", "Comparison", "Measure",
                  "Estimate (95% CI)", "p", "Direction", "Detectable (80% power)",
                  "Other measures (95% CI)"],
                 rows, csv="data/effects.csv", methods="methods.html#effects")


def pooled_table(pooled: pd.DataFrame, labels: Labels) -> dict:
    rows = []
    for r in pooled.itertuples(index=False):
        ratio = _is_ratio(r.metric)
        rows.append([
            labels.construct(r.construct), labels.comparison(r.comparison),
            labels.metric(r.metric), cell(str(r.k), sort=r.k, css="num"),
            cell(fmt_ci(r.estimate, r.ci_low, r.ci_high, ratio), sort=r.estimate,
                 css="nowrap"),
            cell(fmt_p(r.p), sort=r.p, css="num"),
            cell(f"{fmt_ci(r.pi_low, None, None, ratio)} to "
                 f"{fmt_ci(r.pi_high, None, None, ratio)}", sort=r.pi_low, css="nowrap"),
            cell(f"{fmt(r.i2, 0)}%", sort=r.i2, css="num"),
            cell(fmt(r.tau2, 3) + (" (at 0)" if str(r.tau2_at_zero) == "True" else ""),
                 sort=r.tau2, css="num"),
            cell(_int_text(getattr(r, "cohorts_to_halve_ci", "")),
                 sort=getattr(r, "cohorts_to_halve_ci", ""), css="num"),
            r.method,
        ])
    return table("pooled", "Random-effects pooled estimates of like outcomes across "
                 "cohorts: the average effect with its 95% confidence interval and the p of "
                 "its z (or Knapp-Hartung t) test, the 95% prediction interval for a new "
                 "cohort, and heterogeneity (I\u00b2, \u03c4\u00b2 on the pooled scale, "
                 "\u201cat 0\u201d where it sits at its boundary), and how many more cohorts "
                 "of the typical size would halve the confidence interval.",
                 ["Construct", "Comparison", "Measure", "k", "Pooled (95% CI)", "p",
                  "95% prediction interval", "I\u00b2", "\u03c4\u00b2",
                  "Cohorts to halve the CI", "Method"],
                 rows, csv="data/pooled.csv", methods="methods.html#pooling")


def levels_table(outcomes: pd.DataFrame, labels: Labels, reports: dict) -> dict:
    """How each role answered: percent yes, or the mean on the item's scale and on 0-100
    (two statistics, two columns)."""
    rows = []
    order = {c: i for i, c in enumerate(labels.order(outcomes["construct"]))}
    ordered = outcomes.assign(_o=outcomes["construct"].map(order)).sort_values(
        ["_o", "program", "year", "item", "group"], kind="stable")
    for r in ordered.itertuples(index=False):
        percent = mean = mean_100 = ""
        ci = (f"({fmt(r.ci_low, 0)} to {fmt(r.ci_high, 0)})"
              if number(r.ci_low) is not None and number(r.ci_high) is not None else "")
        if r.statistic == "percent_positive":
            shown = fmt(r.pomp, 0) if number(r.pomp) is not None else str(r.pomp)
            percent = cell(f"{shown}% {ci}".strip() if number(r.pomp) is not None
                           else f"{shown} {ci.replace('(', '(CI ')}".strip(), sort=r.pomp)
        else:
            scale = str(r.scale).replace("-", "\u2013")
            mean = cell(f"{fmt(r.raw_value, 2)} on {scale}", sort=r.raw_value)
            mean_100 = cell(f"{fmt(r.pomp, 0)} {ci}".strip(), sort=r.pomp)
        count = "" if pd.isna(r.count) else str(r.count)
        rows.append([
            labels.construct(r.construct),
            cell(labels.cohort(r.program, r.year),
                 href=_report_link(reports, r.program, r.year), css="nowrap"),
            labels.item(r.program, r.item), labels.role(r.program, r.group),
            cell(fmt(r.n, 0), sort=r.n, css="num"),
            cell(count, sort=number(r.count), css="num"), percent, mean, mean_100])
    return table("outcomes", "How each role answered every item mapped to a construct: for "
                 "yes/no items the number and percent answering yes (Wilson 95% CI); for "
                 "Likert items the mean on the item's scale and on a common 0\u2013100 scale "
                 "(percent of maximum possible, with the t 95% CI), so that scales of "
                 "different lengths line up. Descriptive, no test.",
                 ["Construct", "Cohort", "Question", "Role", "n", "Yes", "% yes (95% CI)",
                  "Mean (scale)", "Mean, 0\u2013100 (95% CI)"],
                 rows, csv="data/outcomes.csv", methods="methods.html#outcomes")


# ---------------------------------------------------------------------------------------
# the methods page
# ---------------------------------------------------------------------------------------

def _distinct(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame:
        return []
    return [str(v) for v in dict.fromkeys(frame[column].dropna()) if str(v).strip()]


def methods_page(outcomes: pd.DataFrame, effects: pd.DataFrame, pooled: pd.DataFrame,
                 labels: Labels) -> dict:
    """The methods behind the comparison tables, from the method columns of the CSVs (so
    the page says what this run used)."""
    outcomes = conform(outcomes, OUTCOME_COLUMNS)
    effects = conform(effects, EFFECT_COLUMNS)
    pooled = conform(pooled, POOLED_COLUMNS)
    statistics = {"percent_positive": "Percent answering yes",
                  "mean_0_100": "Mean on a 0\u2013100 scale"}
    outcome_methods = [
        {"label": statistics.get(s, s.replace("_", " ")),
         "methods": _distinct(outcomes[outcomes["statistic"] == s], "ci_method")}
        for s in dict.fromkeys(outcomes["statistic"]) if s]
    measures = []
    known = list(METRICS)
    present = dict.fromkeys(m for m in effects["metric"] if m)
    for metric in sorted(present, key=lambda m: known.index(m) if m in known else len(known)):
        rows = effects[effects["metric"] == metric]
        measures.append({
            "id": f"metric-{metric}", "label": labels.metric(metric),
            "what": METRICS.get(metric, {}).get("what", ""),
            "ci": [_named(k) for k in _distinct(rows, "ci_method")],
            "p": [_named(k) for k in _distinct(rows, "p_method")],
            "rule": ODDS_RATIO_RULE if metric == "odds_ratio" else "",
            "scale": [SCALES.get(v, v) for v in _distinct(rows, "pool_scale")]})
    return {"outcome_methods": outcome_methods, "measures": measures,
            "pooling": {"methods": _distinct(pooled, "method"),
                        "ci": _distinct(pooled, "ci_method"), "why": POOLING_WHY}}


def _named(key: str) -> str:
    """A method key of effects.csv as the methods page shows it: what it is, then the key."""
    text = describe(key)
    return f"{text} ({key})" if text != key else key


def plain(text: str) -> str:
    """Ids in a free text (``snake_case`` words) as words."""
    return re.sub(r"\b([a-z]+)_([a-z_]+)\b", lambda m: m.group(0).replace("_", " "), text)


# ---------------------------------------------------------------------------------------
# studies, themes, reproduction and audit pages
# ---------------------------------------------------------------------------------------

def _get(row: dict, key: str) -> str:
    value = row.get(key, "")
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else str(value)


def _roles_text(row: dict, prefix: str, program: str, labels: Labels) -> str:
    """'Mentors 10, Mentees 9' from the ``<prefix>_<role>`` columns of a studies row."""
    roles = [k[len(prefix) + 1:] for k in row if k.startswith(prefix + "_")]
    order = list((labels.programs.get(program) or {}).get("roles", {}))
    roles.sort(key=lambda r: order.index(r) if r in order else len(order))
    return ", ".join(f"{labels.role(program, role)} {_int_text(_get(row, f'{prefix}_{role}'))}"
                     for role in roles if _get(row, f"{prefix}_{role}") != "")


def _int_text(value: str) -> str:
    return fmt(value, 0) if number(value) is not None else value


def studies_page(studies: pd.DataFrame, labels: Labels, reports: dict) -> dict:
    """A table of what a reader compares first, and a card per study with the rest."""
    if studies.empty:
        return {"study_table": None, "cards": []}
    rows, cards = [], []
    for row in studies.to_dict("records"):
        program, year = _get(row, "program"), _get(row, "year")
        config = labels.programs.get(program, {})
        anchor = f"study-{program}-{year}"
        data = ("simulated" if config.get("simulated") else
                "reconstructed" if _get(row, "reconstructed").lower() == "true"
                else "survey answers")
        rate = _get(row, "response_rate")
        rows.append([
            cell(program, href=f"#{anchor}"), year, _get(row, "country"), data,
            cell(_int_text(_get(row, "invited")), sort=_get(row, "invited"), css="num"),
            cell(_int_text(_get(row, "responded")), sort=_get(row, "responded"), css="num"),
            cell(f"{fmt(rate, 0)}%" if number(rate) is not None else rate, sort=rate,
                 css="num"),
            cell(_int_text(_get(row, "analysed")), sort=_get(row, "analysed"), css="num"),
            _roles_text(row, "responded", program, labels),
            cell("report", href=_report_link(reports, program, year)),
        ])
        details = [
            ("Institution", _get(row, "institution")),
            ("Design", _get(row, "design")),
            ("Mentors", _get(row, "mentor_level")),
            ("Data", {"reconstructed": "reconstructed from the paper's published "
                      "aggregates, not the respondents' answers",
                      "simulated": "simulated, not real answers"}.get(data, data)),
            ("Invited by role", _roles_text(row, "invited", program, labels)),
            ("Paired by role", _roles_text(row, "paired", program, labels)),
            ("Responded by role", _roles_text(row, "responded", program, labels)),
            ("Excluded", _int_text(_get(row, "excluded"))),
            ("Response rate", _get(row, "response_rate_note")),
        ]
        cards.append({
            "id": anchor, "title": config.get("title", program), "cohort": f"{program} {year}",
            "doi": _get(row, "doi"), "report": _report_link(reports, program, year),
            "details": [(k, v) for k, v in details if v and v != "0" or k == "Excluded" and v],
        })
    return {
        "study_table": table("studies", "One row per programme and survey year: country, where "
                       "the data come from, how many were invited, responded and were "
                       "analysed, the response rate (responded / invited) and who responded. "
                       "Each programme name leads to its details below. Descriptive only, "
                       "no test.",
                       ["Programme", "Year", "Country", "Data", "Invited", "Responded",
                        "Response rate", "Analysed", "Respondents by role", "Report"],
                       rows, csv="data/studies.csv"),
        "cards": cards,
    }


def themes_table(themes: pd.DataFrame, labels: Labels, reports: dict) -> dict:
    """The theme crosswalk: shared theme, cohort, the study's own category, roles."""
    rows = []
    for row in themes.to_dict("records"):
        program, year = _get(row, "program"), _get(row, "year")
        roles = ", ".join(labels.role(program, r) for r in _get(row, "roles").split(";") if r)
        rows.append([
            _get(row, "theme_label") or plain(_get(row, "theme")),
            cell(labels.cohort(program, year), href=_report_link(reports, program, year)),
            _get(row, "category_label") or plain(_get(row, "category")),
            roles, cell(_get(row, "segments"), sort=_get(row, "segments"), css="num")])
    rows.sort(key=lambda r: (r[0], r[1]["text"]))
    return table("themes", "Each study's qualitative categories mapped to the shared theme "
                 "framework, with the roles that raised them and the number of coded "
                 "segments. Descriptive only, no test.",
                 ["Shared theme", "Cohort", "The study's category", "Raised by",
                  "Coded segments"], rows, csv="data/themes.csv")


def _what(row: dict, labels: Labels) -> str:
    """A reproduction row's quantity in words: statistic, question, answer, group."""
    program = _get(row, "program")
    parts = [_get(row, "statistic").replace("_", " ")]
    items = [i.strip() for i in _get(row, "item").split(";") if i.strip()]
    for item in items:
        parts.append(labels.item(program, item))
    option = _get(row, "option")
    if option:
        choices = {}
        for entry in (labels.programs.get(program) or {}).get("codebook", []):
            if entry["id"] in items:
                choices.update({str(k): str(v) for k, v in (entry.get("choices") or {}).items()})
        parts.append(" + ".join(choices.get(o, o.replace("_", " ")) for o in option.split(";")))
    group = _get(row, "group")
    if group and group != "all":
        parts.append(labels.role(program, group) if re.fullmatch(r"[a-z_]+", group)
                     else plain(group))
    return " \u00b7 ".join(p for p in parts if p)


def _computed(row: dict) -> str:
    """The computed value at two decimals more than the precision it is compared at."""
    value, precision = _get(row, "computed"), _get(row, "precision")
    x = number(value)
    if x is None or float(x).is_integer():
        return value
    match = re.match(r"(\d+) decimal", precision)
    digits = int(match.group(1)) + 2 if match else 2
    return fmt(x, min(digits, 4))


STATUS_ORDER = {"differs": 0, "assumed": 1, "not computable": 2, "reproduced": 3}


def reproduction_page(frame: pd.DataFrame, labels: Labels) -> dict | None:
    """The tally, the values that differ, then every value (differing ones first)."""
    if frame.empty:
        return None
    reproduction = frame.to_dict("records")

    def rows_of(selected):
        return [[
            _get(r, "program"), _get(r, "source"), _what(r, labels),
            _get(r, "published"), cell(_computed(r), sort=_get(r, "computed")),
            _get(r, "status"), _get(r, "precision"), plain(_get(r, "note"))]
            for r in selected]

    labels_ = ["Programme", "Where printed", "What", "Published", "Computed", "Status",
               "Compared at", "Note"]
    ordered = sorted(reproduction, key=lambda r: STATUS_ORDER.get(_get(r, "status"), 4))
    differs = [r for r in ordered if _get(r, "status") == "differs"]
    counts = {}
    for r in reproduction:
        counts[_get(r, "status")] = counts.get(_get(r, "status"), 0) + 1
    return {
        "counts": dict(sorted(counts.items(), key=lambda kv: STATUS_ORDER.get(kv[0], 4))),
        "n": len(reproduction),
        "differs": table("differs", "Published values the pipeline does not reproduce, "
                         "with the audit check that explains each.", labels_,
                         rows_of(differs)) if differs else None,
        "table": table("reproduction", "Every number the bundled papers print about their "
                       "participants and survey, beside the value the pipeline computes from "
                       "the validated data, the precision at which the two are compared, and "
                       "the verdict; values that differ first.", labels_, rows_of(ordered),
                       csv="data/reproduction.csv", methods="methods.html#reproduction",
                       row_classes=["flagged" if _get(r, "status") == "differs" else ""
                                    for r in ordered]),
    }


def audit_page(checks: pd.DataFrame) -> dict | None:
    """The findings, one each (what is printed, why it cannot be true, which checks show
    it), then every check, failed ones first."""
    from peermentor.papers.audit import AUDIT_COLUMNS, findings

    if checks.empty:
        return None
    checks = conform(checks, AUDIT_COLUMNS)

    found = []
    for r in findings(checks).itertuples(index=False):
        title = r.finding if " " in str(r.finding) else ""
        found.append({
            "program": r.program, "title": plain(title), "places": r.places,
            "printed": r.printed,
            "explanation": plain(r.explanation[:1].upper() + r.explanation[1:]),
            "checks": [plain(c) for c in str(r.checks).split(" | ")], "verdict": r.verdict})
    order = checks.assign(_ok=(checks["verdict"] == "consistent")).sort_values(
        ["_ok", "program"], kind="stable")
    rows = [[r.program, r.verdict, r.source, plain(r.check), r.printed, r.expected,
             plain(r.explanation)] for r in order.itertuples(index=False)]
    return {
        "findings": found,
        "failed": int((checks["verdict"] != "consistent").sum()),
        "n": len(checks),
        "table": table("audit", "Every consistency check of the papers' printed numbers "
                       "against each other, the ones that fail first: GRIM and GRIMMER/SPRITE "
                       "for means and SDs, percentages against counts, totals, text against "
                       "tables, and each printed Mann-Whitney p-value against the values "
                       "attainable under the standard variants of the test.",
                       ["Programme", "Verdict", "Where printed", "Check", "Printed",
                        "Expected", "Explanation"], rows, csv="data/audit.csv",
                       methods="methods.html#audit",
                       row_classes=["" if ok else "flagged" for ok in order["_ok"]]),
    }
