"""Cross-study figures: forest plots of per-cohort effects and trends over years.

Both are written as PNG and SVG under stable names for the comparison report and the
browsable site:

* ``forest/<construct>__<comparison>__<metric>.png|.svg``: one row per cohort (estimate
  and 95% CI), and when two or more cohorts were pooled the random-effects diamond
  (95% CI) with the 95% prediction interval as a line through it; above
  ``LABELLED_ROWS`` rows, a caterpillar plot (rows sorted by estimate, unlabelled);
* ``trends/<program>__<construct>.png|.svg``: a programme with two or more years, each
  item and role of the construct by year with its 95% CI.

Figures use the deterministic setup of :mod:`peermentor.publish.figures` (Agg canvas, fixed
style); SVGs carry no date and a fixed hash salt, so identical input gives identical
bytes.

>>> import pandas as pd
>>> effects = pd.DataFrame({"program": ["a", "b"], "year": ["2024", "2024"], "item": "q",
...     "metric": "hedges_g", "estimate": [0.2, 0.4], "ci_low": [-0.1, 0.1],
...     "ci_high": [0.5, 0.7], "direction": "positive = x higher than y"})
>>> forest_plot(effects, None, "value: x vs y") is not None
True
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from peermentor.publish.figures import _figure, _style, save_figure, short_label

METRIC_LABELS = {
    "rank_biserial": "rank-biserial r",
    "hedges_g": "Hedges' g",
    "risk_difference": "risk difference",
    "risk_ratio": "risk ratio",
    "odds_ratio": "odds ratio",
}
RATIOS = frozenset({"risk_ratio", "odds_ratio"})
# Above this many rows a labelled forest plot grows taller than any screen (and takes
# minutes to lay out at consortium scale): the rows become a caterpillar plot of fixed
# height, sorted by estimate, without row labels.
LABELLED_ROWS = 60
CATERPILLAR_HEIGHT = 6.0


def _finite(*values) -> bool:
    return all(v is not None and not pd.isna(v) and math.isfinite(float(v)) for v in values)


def forest_plot(effects: pd.DataFrame, pooled: pd.Series | None, title: str,
                labels=None) -> Figure | None:
    """Forest plot of one construct x comparison x metric.

    ``effects``: the cohorts' rows of ``effects.csv`` (one metric); ``pooled``: the
    matching ``pooled.csv`` row, or ``None`` when fewer than two cohorts were pooled.
    Above ``LABELLED_ROWS`` rows it is a caterpillar plot (:func:`_caterpillar_rows`).
    ``labels`` (:class:`peermentor.publish.pages.Labels`) names rows, roles and the measure as
    a reader knows them; without it, the ids.
    """
    if effects.empty:
        return None
    metric = effects["metric"].iloc[0]
    ratio = metric in RATIOS
    caterpillar = len(effects) > LABELLED_ROWS
    if caterpillar:
        effects = effects.sort_values(["estimate", "program", "year", "item"], kind="stable")
    points = list(zip(effects["estimate"], effects["ci_low"], effects["ci_high"], strict=True))
    # the pooled row sits at y = 0, below a gap that stays in proportion among many rows
    gap = math.ceil(0.1 * len(points)) if caterpillar else 2
    rows = len(points) + (gap if pooled is not None else 0)
    with _style():
        fig = _figure(7.0, CATERPILLAR_HEIGHT if caterpillar else 1.2 + 0.32 * rows)
        ax = fig.add_subplot()
        ys = list(range(rows - 1, rows - 1 - len(points), -1))
        ticks, names = [], []
        if caterpillar:
            _caterpillar_rows(ax, ys, points)
        else:
            notes = (effects["note"].fillna("").astype(str) if "note" in effects
                     else pd.Series("", index=effects.index))
            for y, (est, low, high), note in zip(ys, points, notes, strict=True):
                if _finite(low, high):
                    ax.plot([low, high], [y, y], color="0.2", lw=1.2)
                if _finite(est) and not (ratio and float(est) <= 0):
                    ax.plot([est], [y], "s", color="0.2", ms=5)
                else:  # e.g. an odds ratio when one group all said yes: say so, no mark
                    why = ("; pooled with 0.5 added to each cell" if "0.5 added" in note
                           else "")
                    ax.text(1.0 if ratio else 0.0, y, f"  not estimable (a zero cell){why}"
                            if why else "  not estimable (infinite or zero)",
                            va="center", fontsize=7, color="0.35")
            ticks = list(ys)
            names = _row_names(effects, labels)
        if pooled is not None:
            est, low, high = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
            half_height = 0.15 * gap
            ax.plot([pooled["pi_low"], pooled["pi_high"]], [0, 0], color="tab:blue", lw=1,
                    ls="--", label="95% prediction interval")
            ax.fill([low, est, high, est], [0, half_height, 0, -half_height],
                    color="tab:blue", label="pooled estimate, 95% CI")
            ticks.append(0)
            names.append(f"Pooled ({pooled['method']}, k = {pooled['k']}, "
                         f"I\u00b2 = {pooled['i2']:.0f}%)")
            # sorted rows leave the upper right of a caterpillar plot empty
            ax.legend(loc="upper right" if caterpillar else "lower right", fontsize=7,
                      frameon=False)
        ax.axvline(1.0 if ratio else 0.0, color="0.6", lw=0.8)
        if ratio:
            ax.set_xscale("log")
            plain = FuncFormatter(lambda v, _: f"{v:g}")
            ax.xaxis.set_major_formatter(plain)
            ax.xaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            ax.xaxis.set_minor_formatter(plain)
        ax.set_yticks(ticks, names)
        ax.set_ylim(-1, rows)
        direction = effects["direction"].iloc[0]
        if labels is not None:
            first, _ = labels.roles(effects["comparison"].iloc[0], effects["program"].iloc[0])
            direction = f"{'> 1' if ratio else '> 0'}: {_lower_first(first)} higher"
        ax.set_xlabel(f"{METRIC_LABELS.get(metric, metric)} with 95% CI ({direction})")
        suffix = "" if pooled is not None else " (one cohort: nothing pooled)"
        ax.set_title(title + suffix, loc="left", fontsize=9)
    return fig


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _row_names(effects: pd.DataFrame, labels=None) -> list[str]:
    """A row per cohort: ``program year``, and the question where a cohort has several."""
    several = effects.duplicated(["program", "year"], keep=False)
    names = []
    for row, many in zip(effects.itertuples(), several, strict=True):
        name = f"{row.program} {row.year}"
        if many:
            text = labels.item(row.program, row.item) if labels is not None else row.item
            name += f": {short_label(text, 40, 1)}"
        elif labels is None:
            name += f" ({row.item})"
        names.append(name)
    return names


def _caterpillar_rows(ax, ys: list[int], points: list[tuple]) -> None:
    """Many rows, sorted by estimate, as one line collection and one marker series.

    No row labels: at consortium scale they would not be legible (nor fit a screen),
    and every row is in ``effects.csv``.
    """
    spans = [(y, low, high) for y, (_, low, high) in zip(ys, points, strict=True)
             if _finite(low, high)]
    marks = [(y, est) for y, (est, _, _) in zip(ys, points, strict=True) if _finite(est)]
    if spans:
        ax.hlines([y for y, _, _ in spans], [lo for _, lo, _ in spans],
                  [hi for _, _, hi in spans], color="0.45", lw=0.5)
    if marks:
        ax.plot([e for _, e in marks], [y for y, _ in marks], "s", color="0.2", ms=1.5)
    ax.set_ylabel(f"{len(points)} cohort \u00d7 item rows, sorted by estimate\n"
                  "(each row is in effects.csv)")


def trend_plot(trends: pd.DataFrame, title: str, labels=None) -> Figure | None:
    """One programme x construct over years: each item x role with its 95% CI.

    Percent positive and 0-100 means get separate panels (never one axis). ``labels``
    (:class:`peermentor.publish.pages.Labels`) names questions and roles; without it, the ids.
    """
    if trends.empty:
        return None
    statistics = sorted(trends["statistic"].unique())
    with _style():
        fig = _figure(6.5, 2.6 * len(statistics))
        axes = fig.subplots(len(statistics), 1, squeeze=False)[:, 0]
        years = sorted(trends["year"].astype(str).unique())
        for ax, statistic in zip(axes, statistics, strict=True):
            sub = trends[trends["statistic"] == statistic]
            for (item, group), line in sub.groupby(["item", "group"], sort=True):
                line = line.assign(year=line["year"].astype(str)).sort_values("year")
                x = [years.index(y) for y in line["year"]]
                y = pd.to_numeric(line["pomp"], errors="coerce").to_numpy(dtype=float)
                low = pd.to_numeric(line["ci_low"], errors="coerce").to_numpy(dtype=float)
                high = pd.to_numeric(line["ci_high"], errors="coerce").to_numpy(dtype=float)
                ax.errorbar(x, y, yerr=[np.nan_to_num(y - low), np.nan_to_num(high - y)],
                            marker="o", ms=4, capsize=3, lw=1.2,
                            label=_trend_label(line, item, group, labels))
            ax.set_xticks(range(len(years)), years)
            ax.set_ylim(0, 100)
            ax.set_ylabel("percent positive" if statistic == "percent_positive"
                          else "mean, 0-100")
            ax.legend(fontsize=7, frameon=False, loc="best")
        axes[0].set_title(title, loc="left", fontsize=9)
    return fig


def _trend_label(line: pd.DataFrame, item: str, group: str, labels=None) -> str:
    if labels is None:
        return f"{item} \u00b7 {group}"
    program = line["program"].iloc[0]
    return (f"{short_label(labels.item(program, item), 40, 1)} \u00b7 "
            f"{labels.role(program, group)}")


def save_png_svg(fig: Figure, stem: str | Path) -> list[Path]:
    """Write ``<stem>.png`` (via :func:`peermentor.publish.figures.save_figure`) and
    ``<stem>.svg``."""
    stem = Path(stem)
    png = save_figure(fig, stem.with_suffix(".png"))
    svg = stem.with_suffix(".svg")
    with matplotlib.rc_context({"svg.hashsalt": "peermentor", "svg.fonttype": "none"}):
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None},
                    bbox_inches="tight")
    return [png, svg]


def write_forest_plots(effects: pd.DataFrame, pooled: pd.DataFrame, folder: str | Path,
                       simulated: bool = False, labels=None) -> list[Path]:
    """A forest plot per construct x comparison x metric of ``effects.csv`` (constructs
    only), titled and labelled with ``labels`` (:class:`peermentor.publish.pages.Labels`) when
    given."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    mapped = effects[effects["construct"].fillna("") != ""]
    index = {(r.construct, r.comparison, r.metric): r for r in pooled.itertuples(index=False)}
    for (construct, comparison, metric), group in mapped.groupby(
            ["construct", "comparison", "metric"], sort=True):
        match = index.get((construct, comparison, metric))
        row = pd.Series(match._asdict()) if match is not None else None
        title = (f"{labels.construct(construct)}: {labels.comparison(comparison)}"
                 if labels is not None else f"{construct}: {comparison.replace('_vs_', ' vs ')}")
        if simulated:
            title = "SIMULATED DATA. " + title
        fig = forest_plot(group, row, title, labels)
        if fig is not None:
            written += save_png_svg(fig, folder / f"{construct}__{comparison}__{metric}")
    return written


def write_trend_plots(trends: pd.DataFrame, folder: str | Path,
                      simulated: bool = False, labels=None) -> list[Path]:
    """A trend figure per programme x construct of ``trends`` (labelled with ``labels``,
    a :class:`peermentor.publish.pages.Labels`, when given)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for (program, construct), group in trends.groupby(["program", "construct"], sort=True):
        name = labels.construct(construct) if labels is not None else construct
        title = f"{program}: {name} by year (95% CI)"
        if simulated:
            title = "SIMULATED DATA. " + title
        fig = trend_plot(group, title, labels)
        if fig is not None:
            written += save_png_svg(fig, folder / f"{program}__{construct}")
    return written
