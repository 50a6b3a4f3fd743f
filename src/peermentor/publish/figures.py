"""Deterministic matplotlib figures for one cohort.

Figures are built on plain :class:`matplotlib.figure.Figure` objects with an
Agg canvas (no pyplot state, no seaborn), so they render the same in a
notebook, a Snakemake job or a test, and nothing is left open. Every plotting
function returns the figure, or ``None`` when there is nothing to plot; the
caller saves it with :func:`save_figure`, which writes a PNG without the
``Software`` metadata chunk at a fixed dpi, so identical input gives identical
bytes with the same matplotlib and fonts.

>>> import pandas as pd
>>> stats = pd.DataFrame({"section": ["participation"] * 2, "item": ["participation"] * 2,
...                       "option": ["", ""], "group": ["all", "all"],
...                       "statistic": ["invited", "responded"], "value": [10.0, 7.0]})
>>> participation_chart(stats) is not None
True
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.patches
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from peermentor.ingest.config import analysed_roles, group_label, items_of_type
from peermentor.publish.privacy import LIKERT_PARTS, SUPPRESSED, is_small, shared_view
from peermentor.publish.report import participation_cells

#: Resolution of saved PNGs.
DPI = 150
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "savefig.facecolor": "white",
    "savefig.bbox": None,
    "path.simplify": True,
}


@contextmanager
def _style():
    with matplotlib.rc_context(_RC):
        yield


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def short_label(text: str, width: int = 38, lines: int = 2) -> str:
    """A question's wording for an axis or title: wrapped, at most ``lines`` lines, cut
    at a word with an ellipsis.

    >>> short_label("Did the programme help you adapt to medical school life?", 24)
    'Did the programme help\\nyou adapt to medical…'
    """
    wrapped = textwrap.wrap(" ".join(str(text).split()), width)
    if len(wrapped) > lines:
        last = textwrap.shorten(" ".join(wrapped[lines - 1:]), width - 1, placeholder="")
        wrapped = [*wrapped[:lines - 1], last.rstrip(" ,;:") + "…"]
    return "\n".join(wrapped)


def _item_text(program: dict | None, item_id: str) -> str:
    for item in (program or {}).get("codebook", []):
        if item["id"] == item_id:
            return item.get("text", item_id)
    return item_id


def _level_label(scale: dict, level: int) -> str:
    labels = scale.get("labels") or {}
    text = labels.get(level, labels.get(str(level)))
    return f"{level} {text}" if text else str(level)


def likert_diverging_bars(
    stats: pd.DataFrame, program: dict, threshold: int = 0
) -> Figure | None:
    """Diverging stacked bars of every Likert item by analysed role, neutral centred.

    One bar per item x role (roles that were asked and answered), labelled with the
    question's wording (:func:`short_label`), showing the percent of answers at each
    level (the ``count`` rows of each level in ``stats``, :func:`peermentor.analysis.stats.
    likert_summary`): levels below the scale midpoint extend left of 0, levels above
    extend right, and the middle level of an odd scale straddles 0. Items on different
    scales (1-5, 1-7) get separate panels. ``None`` when there is no Likert answer.

    With a small-cell ``threshold`` the bars show what the disclosure policy shares
    (:func:`peermentor.publish.privacy.share_stats`): where a level was chosen by 1 to
    ``threshold - 1`` people the bar combines the levels below and above the midpoint,
    and if one of those is still small the bar is left out and marked suppressed. A
    group of fewer than ``threshold`` shows its n as the marker.

    >>> from peermentor.analysis.stats import likert_summary
    >>> program = {"roles": {"a": "A"}, "codebook": [{"id": "q", "text": "Q",
    ...            "type": "likert", "scale": {"min": 1, "max": 5}}]}
    >>> answers = pd.DataFrame({"respondent_id": ["x"], "role": ["a"], "q": [3]})
    >>> fig = likert_diverging_bars(likert_summary(answers, program), program)
    >>> [round(float(p.get_x()), 1) for p in fig.axes[0].patches if p.get_width() > 0]
    [-50.0]
    >>> likert_diverging_bars(likert_summary(answers, program), program, 5) is None
    True
    """
    panels = _likert_panels(shared_view(stats, program, threshold), program)
    if not panels or not any(c is not None or p is not None
                             for rows in panels.values() for _, c, p, _ in rows):
        return None
    n_rows = sum(len(rows) for rows in panels.values())
    with _style():
        fig = _figure(8.5, 1.4 + 0.6 * n_rows + 1.0 * len(panels))
        axes = fig.subplots(
            len(panels), 1, squeeze=False,
            height_ratios=[len(r) + 2 for r in panels.values()],
        )[:, 0]
        for ax, ((lo, hi), rows) in zip(axes, panels.items(), strict=True):
            _likert_panel(ax, lo, hi, rows, threshold)
    return fig


def _likert_panels(shared: pd.DataFrame, program: dict) -> dict:
    """Scale (lo, hi) -> one bar per item x role as shared: (label, the count of each
    level or None, the counts below/at/above the midpoint or None, the scale)."""
    panels: dict[tuple[int, int], list[tuple[str, np.ndarray | None, list | None, dict]]] = {}
    for item in items_of_type(program, "likert"):
        scale = item["scale"]
        lo, hi = int(scale["min"]), int(scale["max"])
        rows = shared[(shared["item"] == item["id"]) & (shared["statistic"] == "count")]
        sizes = shared[(shared["item"] == item["id"]) & (shared["statistic"] == "n")
                       & (shared["option"] == "")]
        asked = set(item.get("roles") or program["roles"])
        for role in analysed_roles(program):
            mine = rows[rows["group"] == role].set_index("option")
            size = sizes[sizes["group"] == role]
            if role not in asked or mine.empty or size.empty:
                continue
            n = size.iloc[0]
            if n["shown"] == "" and not n["value"]:
                continue  # nobody in this role answered
            levels = mine["value"].reindex([str(v) for v in range(lo, hi + 1)])
            parts = mine["value"].reindex(list(LIKERT_PARTS))
            counts = None if levels.isna().any() else levels.to_numpy(dtype=float)
            combined = None if parts.isna().any() else list(parts.to_numpy(dtype=float))
            n_text = n["shown"] or f"{n['value']:g}"
            label = f"{short_label(item['text'], 44)}\n({group_label(program, role)}, n={n_text})"
            panels.setdefault((lo, hi), []).append((label, counts, combined, scale))
    return panels


def _likert_panel(ax, lo: int, hi: int, rows: list, threshold: int) -> None:
    """One scale's panel of diverging bars, neutral centred (see likert_diverging_bars)."""
    k = hi - lo + 1
    colours = matplotlib.colormaps["RdBu"](np.linspace(0.08, 0.92, k))
    neg = k // 2  # levels strictly below the midpoint
    if k % 2:
        colours[neg] = (0.85, 0.85, 0.85, 1.0)  # neutral in grey
    ys = np.arange(len(rows))[::-1]
    extent = 50.0
    any_combined = False
    for y, (_label, counts, parts, scale) in zip(ys, rows, strict=True):
        if counts is not None:
            pct = 100 * counts / counts.sum()
            bins = [(j, pct[j], colours[j]) for j in range(k)]
            left = -(sum(pct[:neg]) + (pct[neg] / 2 if k % 2 else 0.0))
        elif parts is not None:
            # each level alone would show a small cell: below / at / above midpoint
            any_combined = True
            share = 100 * np.array(parts) / sum(parts)
            bins = [(None, share[0], colours[0]), (None, share[1], colours[neg]),
                    (None, share[2], colours[-1])]
            left = -(share[0] + share[1] / 2)
        else:
            ax.text(0, y, f"suppressed: fewer than {threshold} in a category",
                    ha="center", va="center", fontsize=7, color="0.35")
            continue
        for j, width, colour in bins:
            ax.barh(y, width, left=left, color=colour, edgecolor="white",
                    linewidth=0.5, height=0.7,
                    hatch="//" if j is None else None,
                    label=_level_label(scale, lo + j) if j is not None
                    and y == ys[0] else None)
            left += width
        extent = max(extent, left, -(left - 100))
    ax.set_yticks(ys, [r[0] for r in rows], fontsize=7)
    lim = min(100.0, 10 * np.ceil(extent / 10))
    ax.set_xlim(-lim, lim)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel("% of respondents (left: below midpoint, right: above)")
    ax.set_title(f"Scale {lo}-{hi}" + (" (hatched: levels combined to hide small "
                                      "cells)" if any_combined else ""), loc="left")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(ncols=k, fontsize=7, loc="upper center",
                  bbox_to_anchor=(0.5, -0.35 if len(rows) < 3 else -0.15),
                  frameon=False)


def participation_chart(
    stats: pd.DataFrame, program: dict | None = None, threshold: int = 0
) -> Figure | None:
    """Grouped bars of invited vs responded per role (and all) from participation rows.

    ``stats`` is :func:`peermentor.analysis.stats.participation` or
    :func:`peermentor.analysis.stats.analyse_cohort` output; ``program`` (optional)
    supplies role labels. Roles without a known invited count show only the
    responded bar. ``None`` when there are no participation rows. With a small-cell
    ``threshold`` a count the participation table hides
    (:func:`peermentor.publish.report.participation_cells`) gets no bar, only its marker.

    >>> import pandas as pd
    >>> stats = pd.DataFrame({"section": ["participation"], "item": ["participation"],
    ...                       "option": [""], "group": ["all"], "statistic": ["responded"],
    ...                       "value": [4.0]})
    >>> [float(p.get_height()) for p in participation_chart(stats).axes[0].patches]
    [4.0]
    """
    rows = stats[(stats["section"] == "participation")
                 & stats["statistic"].isin(["invited", "responded"])]
    if rows.empty:
        return None
    table = rows.pivot_table(index="group", columns="statistic", values="value",
                             aggfunc="first", sort=False)
    groups = list(dict.fromkeys(rows["group"]))
    table = table.reindex(groups)
    x = np.arange(len(groups))
    shown = participation_cells(stats, program or {"roles": {}}, threshold)
    visible = [float(table.at[g, stat]) for stat in ("invited", "responded") if stat in table
               for g in groups if not pd.isna(table.at[g, stat])
               and str(shown.get((stat, g), "0")).replace(".", "").isdigit()]
    if not any(visible):  # only hidden counts and zeros: an empty axis says nothing
        return None
    with _style():
        fig = _figure(1.6 + 1.3 * len(groups), 3.2)
        ax = fig.subplots()
        width = 0.38
        for offset, stat, colour in ((-width / 2, "invited", "0.75"),
                                     (width / 2, "responded", "#2b6cb0")):
            if stat not in table:
                continue
            heights = table[stat].to_numpy(dtype=float)
            text = [shown.get((stat, g), "") for g in groups]
            hidden = np.array([bool(t) and not t.replace(".", "").isdigit() for t in text])
            keep = ~np.isnan(heights) & ~hidden
            bars = ax.bar(x[keep] + offset, heights[keep], width, color=colour, label=stat)
            ax.bar_label(bars, fmt="%g", fontsize=7)
            for i in np.flatnonzero(~np.isnan(heights) & hidden):
                ax.text(x[i] + offset, 0, text[i], ha="center", va="bottom", fontsize=7,
                        rotation=90)
        ax.set_xticks(x, [short_label(group_label(program, g), 16) for g in groups])
        # every group keeps its slot, so a marker where no bar is drawn stays inside
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_ylabel("respondents")
        ax.set_title("Participation", loc="left")
        ax.legend(frameon=False)
    return fig


def multi_choice_bars(stats: pd.DataFrame, item_id: str,
                      program: dict | None = None, threshold: int = 0) -> Figure | None:
    """Horizontal grouped bars: percent of respondents per option and role for one item.

    Uses the ``percent`` rows of ``item_id`` (from
    :func:`peermentor.analysis.stats.multi_choice_summary` or ``analyse_cohort``); role
    groups are shown, ``all`` only when there is no role group. ``program``
    (optional) supplies choice and role labels and the question's wording for the
    title. ``None`` when the item has no percent rows. With a small-cell
    ``threshold`` an option chosen by 1 to ``threshold - 1`` of a role gets no bar,
    only the marker, as in the table.

    >>> import pandas as pd
    >>> stats = pd.DataFrame({"section": ["s"] * 2, "item": ["why"] * 2, "option": ["x", "y"],
    ...                       "group": ["a", "a"], "statistic": ["percent"] * 2,
    ...                       "value": [50.0, 25.0]})
    >>> [float(p.get_width()) for p in multi_choice_bars(stats, "why").axes[0].patches]
    [50.0, 25.0]
    """
    shared = shared_view(stats, program or {"roles": {}}, threshold)
    rows = shared[(shared["item"] == item_id) & (shared["statistic"] == "percent")
                  & (shared["option"].fillna("") != "")]
    groups = [g for g in dict.fromkeys(rows["group"]) if g != "all" and "_vs_" not in g]
    if not groups and "all" in set(rows["group"]):
        groups = ["all"]
    rows = rows[rows["group"].isin(groups)]
    if rows.empty:
        return None
    options = list(dict.fromkeys(rows["option"]))
    choices: dict = {}
    if program:
        for item in program.get("codebook", []):
            if item["id"] == item_id:
                choices = {str(k): v for k, v in (item.get("choices") or {}).items()}
    table = rows.pivot_table(index="option", columns="group", values="value", aggfunc="first",
                             sort=False, dropna=False).reindex(index=options, columns=groups)
    counts = shared[(shared["item"] == item_id) & (shared["statistic"] == "count")]
    marks = counts.pivot_table(index="option", columns="group", values="shown",
                               aggfunc="first", sort=False).reindex(index=options,
                                                                    columns=groups)
    if table.isna().all().all():
        return None  # every bar would show a withheld cell
    y = np.arange(len(options))[::-1]
    height = 0.8 / len(groups)
    colours = matplotlib.colormaps["tab10"](np.arange(len(groups)) % 10)
    with _style():
        fig = _figure(7.0, 1.2 + 0.3 * len(options) * max(1, len(groups)))
        ax = fig.subplots()
        for j, group in enumerate(groups):
            offset = (len(groups) - 1) / 2 * height - j * height
            hidden = table[group].isna().to_numpy()
            widths = table[group].fillna(0).to_numpy(dtype=float)
            ax.barh((y + offset)[~hidden], widths[~hidden], height, color=colours[j],
                    label=group_label(program, group))
            for k in np.flatnonzero(hidden):
                text = marks[group].iloc[k] if isinstance(marks[group].iloc[k], str) else ""
                ax.text(1, y[k] + offset, text or SUPPRESSED, va="center", fontsize=6,
                        color=colours[j])
        ax.set_yticks(y, [short_label(choices.get(o, o), 40) for o in options])
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of respondents who answered the item")
        ax.set_title(short_label(_item_text(program, item_id), 70), loc="left")
        ax.legend(frameon=False, fontsize=7)
    return fig


def themes_heatmap(codes_summary_df: pd.DataFrame, program: dict,
                   threshold: int = 0) -> Figure | None:
    """Heatmap of coded segments per role (rows) and category (columns), counts annotated.

    Reads the category-level (``option == ''``) ``segments`` rows of section
    ``qualitative`` (output of :func:`peermentor.analysis.stats.codes_summary` or
    ``analyse_cohort``). Roles follow the programme's display order,
    categories its ``qualitative`` order. ``None`` when no segment was coded. With a
    small-cell ``threshold`` a count from 1 to ``threshold - 1`` is drawn as a hatched
    cell labelled with the marker, its shade not showing the count.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A", "b": "B"},
    ...            "qualitative": {"categories": [{"id": "gain", "label": "Gain"}]}}
    >>> df = pd.DataFrame({"section": ["qualitative"] * 2, "item": ["gain"] * 2,
    ...                    "option": ["", ""], "group": ["a", "b"],
    ...                    "statistic": ["segments"] * 2, "value": [3.0, 0.0]})
    >>> themes_heatmap(df, program).axes[0].images[0].get_array().tolist()
    [[3.0], [0.0]]
    """
    shared = shared_view(codes_summary_df, program, threshold)
    rows = shared[(shared["section"] == "qualitative") & (shared["option"].fillna("") == "")
                  & (shared["statistic"] == "segments") & (shared["group"] != "all")]
    if rows.empty or (rows["value"].fillna(0).sum() == 0 and not rows["shown"].any()):
        return None
    categories_cfg = (program.get("qualitative") or {}).get("categories") or []
    labels = {c["id"]: c.get("label", c["id"]) for c in categories_cfg}
    cats = [c["id"] for c in categories_cfg if c["id"] in set(rows["item"])]
    cats += sorted(set(rows["item"]) - set(cats))
    roles = [r for r in program["roles"] if r in set(rows["group"])]
    matrix = (rows.pivot_table(index="group", columns="item", values="value", aggfunc="first",
                               dropna=False)
              .reindex(index=roles, columns=cats).to_numpy(dtype=float))
    marks = (rows.pivot_table(index="group", columns="item", values="shown", aggfunc="first")
             .reindex(index=roles, columns=cats).fillna("").to_numpy(dtype=object))
    with _style():
        fig = _figure(1.8 + 0.9 * len(cats), 1.2 + 0.5 * len(roles))
        ax = fig.subplots()
        small = marks != ""
        matrix = np.where(small, 0.0, np.nan_to_num(matrix))
        shade = np.ma.masked_array(matrix, mask=small)
        # the colour scale's top must not give away a hidden count either
        top = max([1.0, float(threshold), *matrix[~small].ravel()])
        image = ax.imshow(shade, cmap="Blues", aspect="auto", vmin=0, vmax=top)
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                if small[i, j]:
                    ax.add_patch(matplotlib.patches.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, facecolor="0.9", hatch="//",
                        edgecolor="white"))
                    ax.text(j, i, marks[i, j], ha="center", va="center", fontsize=8)
                    continue
                dark = matrix[i, j] > 0.6 * top
                ax.text(j, i, f"{matrix[i, j]:g}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
        ax.set_xticks(np.arange(len(cats)), [labels.get(c, c) for c in cats],
                      rotation=35, ha="right")
        ax.set_yticks(np.arange(len(roles)), [group_label(program, r) for r in roles])
        ax.spines[:].set_visible(False)
        ax.set_title("Coded segments by role and category", loc="left")
        fig.colorbar(image, ax=ax, shrink=0.8, label="segments")
    return fig


def reproduction_chart(reproduction: pd.DataFrame) -> Figure | None:
    """Published against computed, one dot per printed number, on log axes.

    Dots on the diagonal are reproduced; a dot off it is a printed number the data (and
    the audit) disagree with. Worded claims, values that cannot be computed, zeros (no
    place on a log axis) and hidden small counts are left out; the legend gives each
    status's total and how many of them are plotted, so it agrees with the tables.

    >>> table = pd.DataFrame({"published": ["4", "21", "6"], "computed": ["4", "21.05", "15.8"],
    ...                       "status": ["reproduced", "reproduced", "differs"],
    ...                       "precision": ["exact", "0 decimals", "0 decimals"]})
    >>> reproduction_chart(table) is not None
    True
    """
    published = pd.to_numeric(reproduction["published"], errors="coerce")
    computed = pd.to_numeric(reproduction["computed"], errors="coerce")
    usable = published.gt(0) & computed.gt(0) & ~reproduction["precision"].str.startswith(
        ("within", "p >="))
    if not usable.any():
        return None
    with _style():
        fig = _figure(4.8, 4.2)
        ax = fig.add_subplot()
        lo = min(published[usable].min(), computed[usable].min()) / 1.5
        hi = max(published[usable].max(), computed[usable].max()) * 1.5
        ax.plot([lo, hi], [lo, hi], color="#999999", linewidth=0.8, zorder=1)
        styles = {"reproduced": ("#1b7837", "o"), "differs": ("#b2182b", "X")}
        for status, (colour, symbol) in styles.items():
            rows = usable & reproduction["status"].eq(status)
            if rows.any():
                total = int(reproduction["status"].eq(status).sum())
                shown = int(rows.sum())
                ax.scatter(published[rows], computed[rows], s=28, color=colour,
                           marker=symbol, alpha=0.8, zorder=2,
                           label=f"{status}: {total}" + (
                               f" ({shown} plotted)" if shown != total else ""))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel("Published (as printed)")
        ax.set_ylabel("Computed from the data")
        ax.set_title("Published numbers against the pipeline's", loc="left")
        ax.legend(frameon=False, loc="upper left")
    return fig


def scale_scores(responses: pd.DataFrame, program: dict, threshold: int = 5,
                 shared: pd.DataFrame | None = None) -> Figure | None:
    """Box plots of each multi-item scale's score by role: median and quartiles only, no
    whiskers or single answers (a whisker ends at one person's score). A role with fewer
    than ``threshold`` scores is not drawn (``threshold`` 0 draws all), nor one whose
    quartiles the disclosure policy withholds (``shared``:
    :func:`peermentor.publish.privacy.share_stats`); ``None`` when nothing is left.

    >>> program = {"roles": {"a": "A"}, "codebook": [
    ...     {"id": "x", "type": "likert", "scale": {"min": 1, "max": 5}},
    ...     {"id": "y", "type": "likert", "scale": {"min": 1, "max": 5}}],
    ...     "scales": [{"id": "s", "items": ["x", "y"]}]}
    >>> answers = pd.DataFrame({"role": ["a"] * 6, "x": [1, 2, 3, 4, 5, 3],
    ...                         "y": [2, 2, 3, 5, 4, 3]})
    >>> scale_scores(answers, program) is not None, scale_scores(answers, program, 7)
    (True, None)
    """
    from peermentor.analysis.measurement import scale_score, scored_items

    scales = program.get("scales") or []
    roles = analysed_roles(program)
    withheld = set()
    if shared is not None and "shown" in shared:
        quartiles = shared[shared["statistic"].isin(["median", "q1", "q3"])
                           & shared["shown"].fillna("").astype(bool)]
        withheld = set(zip(quartiles["item"], quartiles["group"], strict=True))
    panels = []
    for scale in scales:
        score = scale_score(scored_items(responses, program, scale), scale)
        groups = [(group_label(program, r), score[responses["role"] == r].dropna().to_numpy())
                  for r in roles if (scale["id"], r) not in withheld]
        groups = [(label, v) for label, v in groups if len(v) and not is_small(len(v), threshold)]
        if groups:
            panels.append((scale, groups))
    if not panels:
        return None
    items = {i["id"]: i for i in program.get("codebook", [])}
    with _style():
        fig = _figure(6.0, 1.2 + 1.1 * len(panels))
        axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
        for ax, (scale, groups) in zip(axes, panels, strict=True):
            ax.boxplot([v for _, v in groups], orientation="horizontal", showfliers=False,
                       whis=0, showcaps=False, widths=0.5,
                       medianprops={"color": "#b2182b"})
            ax.set_yticks(range(1, len(groups) + 1), [label for label, _ in groups])
            first = items[scale["items"][0]]["scale"]
            ax.set_xlim(first["min"] - 0.2, first["max"] + 0.2)
            ax.set_title(short_label(scale.get("text", scale["id"]), 70), loc="left")
        axes[-1].set_xlabel("Scale score (mean of the items, reverse-keyed items reversed)")
    return fig


def save_figure(fig: Figure, path: str | Path, dpi: int = DPI) -> Path:
    """Save ``fig`` as PNG at a fixed dpi without the Software chunk; create parent folders.

    >>> import tempfile, pathlib
    >>> fig = _figure(2, 2)
    >>> out = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "x.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _style():
        # bbox_inches="tight" keeps long rotated labels and titles inside the image.
        fig.savefig(
            path, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight"
        )
    return path


__all__: Sequence[str] = [
    "likert_diverging_bars",
    "participation_chart",
    "multi_choice_bars",
    "themes_heatmap",
    "scale_scores",
    "save_figure",
]
