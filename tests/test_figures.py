"""Figures: geometry checked against hand-computed percentages, stable PNG bytes."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from peermentor.analysis import stats
from peermentor.publish import figures, forest

PROGRAM = {
    "program": "demo",
    "roles": {"mentor": "Mentors", "mentee": "Mentees"},
    "comparison": ["mentor", "mentee"],
    "cohorts": {"2020": {"invited": {"mentor": 10, "mentee": 12, "total": 22}}},
    "codebook": [
        {"id": "q1", "text": "Q1", "type": "likert", "scale": {"min": 1, "max": 5}},
        {"id": "q2", "text": "Q2", "type": "likert", "scale": {"min": 1, "max": 4},
         "roles": ["mentee"]},
        {"id": "why", "text": "Why", "type": "multi_choice",
         "choices": {"x": "Reason X", "y": "Reason Y"}},
    ],
    "qualitative": {"categories": [{"id": "gain", "label": "Gains"},
                                   {"id": "loss", "label": "Losses"}]},
}


def responses() -> pd.DataFrame:
    return pd.DataFrame({
        "respondent_id": ["a", "b", "c", "d", "e", "f"],
        "role": ["mentor", "mentor", "mentee", "mentee", "mentee", "mentee"],
        "q1": [1, 5, 3, 4, 4, 2],
        "q2": [None, None, 1, 2, 3, 4],
        "why__x": [1, 1, 1, 0, None, 0],
        "why__y": [0, 1, 0, 0, None, 1],
    })


def bars(ax) -> list[tuple[float, float, float]]:
    """(y, left, width) of every drawn bar with a non-zero width."""
    return [(round(float(p.get_y() + p.get_height() / 2), 6), round(float(p.get_x()), 6),
             round(float(p.get_width()), 6)) for p in ax.patches if p.get_width() > 0]


def likert(answers: pd.DataFrame, program: dict = PROGRAM) -> pd.DataFrame:
    return stats.likert_summary(answers, program)


def test_likert_bars_centre_the_neutral_level():
    fig = figures.likert_diverging_bars(likert(responses()), PROGRAM)
    assert isinstance(fig, Figure)
    five, four = fig.axes  # one panel per scale
    labels = [t.get_text() for t in five.get_yticklabels()]
    assert labels == ["Q1\n(Mentors, n=2)", "Q1\n(Mentees, n=4)"]  # wording, not id
    got = bars(five)
    # mentors (top row, y=1): level 1 50 % entirely left of 0, level 5 50 % right of 0
    assert (1.0, -50.0, 50.0) in got and (1.0, 0.0, 50.0) in got
    # mentees (y=0): 2, 3, 4, 4 -> 25 % at 2, 25 % at 3 (neutral: -12.5..12.5), 50 % at 4
    assert (0.0, -37.5, 25.0) in got
    assert (0.0, -12.5, 25.0) in got
    assert (0.0, 12.5, 50.0) in got
    assert len(five.patches) == 2 * 5  # one segment per level, zero-width included
    # even scale (1-4): no neutral, levels 1-2 left, 3-4 right; asked of mentees only
    assert [t.get_text() for t in four.get_yticklabels()] == ["Q2\n(Mentees, n=4)"]
    assert sorted(bars(four)) == [(0.0, -50.0, 25.0), (0.0, -25.0, 25.0), (0.0, 0.0, 25.0),
                                  (0.0, 25.0, 25.0)]


def test_likert_bars_none_without_answers():
    empty = responses().assign(q1=None, q2=None)
    assert figures.likert_diverging_bars(likert(empty), PROGRAM) is None
    assert figures.likert_diverging_bars(likert(responses()), {**PROGRAM, "codebook": []}
                                         ) is None


def test_likert_bars_combine_levels_around_a_small_answer_or_leave_the_bar_out():
    # 20 mentors: 2 answered 1 (a small cell), 3 answered 2, 5 answered 3, 10 answered 5;
    # 20 mentees: 1 answered 3, the rest 4 and 5: a combined part is still small
    answers = pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(40)], "role": ["mentor"] * 20 + ["mentee"] * 20,
        "q1": [1] * 2 + [2] * 3 + [3] * 5 + [5] * 10 + [3] + [4] * 9 + [5] * 10})
    program = {**PROGRAM, "codebook": PROGRAM["codebook"][:1]}
    fig = figures.likert_diverging_bars(likert(answers, program), program, threshold=5)
    (ax,) = fig.axes
    # mentors (top row): below the midpoint 5 of 20 (25%), at it 5 (25%), above 10 (50%):
    # -25 - 12.5 = -37.5 to the left, never one level alone
    assert bars(ax) == [(1.0, -37.5, 25.0), (1.0, -12.5, 25.0), (1.0, 12.5, 50.0)]
    assert "suppressed: fewer than 5 in a category" in [t.get_text() for t in ax.texts]
    assert "combined" in ax.get_title(loc="left")


def test_participation_chart_heights_from_stats():
    part = stats.participation(responses(), PROGRAM, 2020)
    fig = figures.participation_chart(part, PROGRAM)
    ax = fig.axes[0]
    heights = [float(p.get_height()) for p in ax.patches]
    assert heights == [10.0, 12.0, 22.0, 2.0, 4.0, 6.0]  # invited bars, then responded
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Mentors", "Mentees", "All"]
    assert figures.participation_chart(part.iloc[0:0]) is None


def test_multi_choice_bars_show_percent_of_respondents():
    summary = stats.multi_choice_summary(responses(), PROGRAM)
    fig = figures.multi_choice_bars(summary, "why", PROGRAM)
    widths = [round(float(p.get_width()), 6) for p in fig.axes[0].patches]
    # mentors: x 2/2, y 1/2; mentees answered 3 of 4: x 1/3, y 1/3
    assert widths == [100.0, 50.0, pytest.approx(100 / 3), pytest.approx(100 / 3)]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Reason X", "Reason Y"]
    assert figures.multi_choice_bars(summary, "nope", PROGRAM) is None


def test_themes_heatmap_matrix_roles_by_categories():
    codes = pd.DataFrame({"segment_id": ["1", "2", "3"], "respondent_id": ["", "", ""],
                          "source": ["interview"] * 3, "role": ["mentee", "mentee", "mentor"],
                          "category": ["gain", "gain", "loss"], "subcategory": ["", "", ""]})
    fig = figures.themes_heatmap(stats.codes_summary(codes, PROGRAM), PROGRAM)
    ax = fig.axes[0]
    assert ax.images[0].get_array().tolist() == [[0.0, 1.0], [2.0, 0.0]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Gains", "Losses"]
    assert figures.themes_heatmap(stats.codes_summary(None, PROGRAM), PROGRAM) is None


def test_saved_png_is_byte_stable_and_carries_no_software_stamp(tmp_path):
    def build(path):
        summary = stats.analyse_cohort(responses(), None, PROGRAM, 2020)
        figures.save_figure(figures.likert_diverging_bars(summary, PROGRAM), path / "l.png")
        figures.save_figure(figures.participation_chart(summary, PROGRAM), path / "p.png")
        figures.save_figure(figures.multi_choice_bars(summary, "why", PROGRAM), path / "m.png")

    build(tmp_path / "one")
    build(tmp_path / "two")
    for name in ("l.png", "p.png", "m.png"):
        first = (tmp_path / "one" / name).read_bytes()
        assert first[:8] == b"\x89PNG\r\n\x1a\n"
        assert first == (tmp_path / "two" / name).read_bytes()
        assert b"Software" not in first and b"matplotlib" not in first.lower()


def forest_effects(k: int) -> pd.DataFrame:
    """k cohort rows of one metric, estimates in a scrambled order (0.01 * (7j mod k))."""
    estimates = [0.01 * ((7 * j) % k) for j in range(k)]
    return pd.DataFrame({
        "program": [f"p{j:04d}" for j in range(k)], "year": "2024", "item": "q1",
        "metric": "hedges_g", "estimate": estimates,
        "ci_low": [e - 0.2 for e in estimates], "ci_high": [e + 0.2 for e in estimates],
        "direction": "positive = mentor higher than mentee"})


POOLED = pd.Series({"estimate": 0.3, "ci_low": 0.25, "ci_high": 0.35, "pi_low": 0.1,
                    "pi_high": 0.5, "method": "REML", "k": 1000, "i2": 12.0})


def test_forest_plot_labels_every_row_up_to_the_limit():
    fig = forest.forest_plot(forest_effects(forest.LABELLED_ROWS), POOLED, "value")
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == forest.LABELLED_ROWS + 1
    assert labels[0] == "p0000 2024 (q1)" and labels[-1].startswith("Pooled (REML, k = 1000")
    assert fig.get_size_inches()[1] == pytest.approx(1.2 + 0.32 * (forest.LABELLED_ROWS + 2))


def test_many_rows_become_a_caterpillar_plot_of_fixed_size_sorted_by_estimate(tmp_path):
    fig = forest.forest_plot(forest_effects(1000), POOLED, "value")
    (ax,) = fig.axes
    assert fig.get_size_inches()[1] == forest.CATERPILLAR_HEIGHT
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Pooled (REML, k = 1000, I\u00b2 = 12%)"]
    assert ax.get_ylabel().startswith("1000 cohort \u00d7 item rows, sorted by estimate")
    (markers,) = [line for line in ax.get_lines() if line.get_marker() == "s"]
    order = sorted(zip(markers.get_ydata(), markers.get_xdata(), strict=True), reverse=True)
    estimates = [x for _, x in order]  # from the top row down
    assert estimates == sorted(estimates) and len(estimates) == 1000
    png = forest.save_png_svg(fig, tmp_path / "many")[0]
    width, height = int.from_bytes(png.read_bytes()[16:20]), int.from_bytes(
        png.read_bytes()[20:24])
    assert height < 1500 and width < 1500  # a screen's worth, not 1000 rows x 0.32 in
