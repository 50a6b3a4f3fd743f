"""Cross-study tables: study characteristics, harmonised outcomes, theme crosswalk.

Each function takes tidy frames (one per cohort, already validated or computed)
and returns one tidy frame sorted by programme and year.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from peermentor.analysis.methods import pooling_statement
from peermentor.analysis.stats import response_rate_note
from peermentor.ingest.itemtypes import item_type
from peermentor.papers.audit import findings
from peermentor.papers.reproduction import status_line
from peermentor.publish.privacy import (
    DEFAULT_THRESHOLD,
    LABEL_COLUMNS,
    SUPPRESSED,
    rule_text,
    shared_index,
    withhold_comparisons,
)

STUDY_COLUMNS = [
    "program",
    "year",
    "institution",
    "country",
    "design",
    "mentor_level",
    "reconstructed",
    "doi",
    "invited",
    "responded",
    "response_rate",
    "response_rate_note",
    "analysed",
    "excluded",
]


def study_characteristics(stats: pd.DataFrame, programs: dict[str, dict]) -> pd.DataFrame:
    """One row per programme × year with participation counts per role.

    Reads the participation rows of the cohorts' tidy statistics (see
    :func:`peermentor.analysis.stats.participation`), so invited, responded and response
    rate have one definition; the response rate is empty when the number
    invited is unknown.

    >>> from peermentor.analysis.stats import participation
    >>> prog = {"institution": "U", "country": "X", "design": "d",
    ...         "roles": {"mentor": "M", "mentee": "E"},
    ...         "cohorts": {"2024": {"invited": {"mentor": 4, "mentee": 4}}}}
    >>> resp = pd.DataFrame({"role": ["mentor", "mentee", "mentee"]})
    >>> stats = participation(resp, prog, "2024").assign(program="demo", year="2024")
    >>> row = study_characteristics(stats, {"demo": prog}).iloc[0]
    >>> row["responded"], row["invited"], row["response_rate"]
    (np.int64(3), np.int64(8), np.float64(37.5))
    """
    flow = stats[stats["section"] == "participation"]
    rows = []
    for (program_id, year), cohort in flow.groupby(["program", "year"], sort=True):
        program = programs[program_id]
        keys = zip(cohort["group"], cohort["statistic"], strict=True)
        value = dict(zip(keys, cohort["value"], strict=True))
        row = {
            "program": program_id,
            "year": str(year),
            "institution": program.get("institution", ""),
            "country": program.get("country", ""),
            "design": program.get("design", ""),
            "mentor_level": program.get("mentor_level", ""),
            "reconstructed": bool(program.get("reconstructed", False)),
            "doi": program.get("doi", ""),
            "invited": value.get(("all", "invited")),
            "responded": int(value[("all", "responded")]),
            "response_rate": (
                round(value[("all", "response_rate")], 1)
                if ("all", "response_rate") in value else None
            ),
            # why the rate is blank (e.g. UCSF: paired, not invited, counts published)
            "response_rate_note": response_rate_note(program, year),
            "analysed": int(value[("all", "analysed")]),
            "excluded": int(value[("all", "excluded")]),
        }
        for role in program["roles"]:
            row[f"responded_{role}"] = value.get((role, "responded"))
            for statistic in ("invited", "paired"):
                if (role, statistic) in value:
                    row[f"{statistic}_{role}"] = value[(role, statistic)]
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=STUDY_COLUMNS)
    role_columns = sorted(c for c in table.columns if c not in STUDY_COLUMNS)
    table = table[STUDY_COLUMNS + role_columns]
    for col in ["invited", *role_columns]:
        table[col] = table[col].astype("Float64").astype("Int64")
    return table.reset_index(drop=True)


OUTCOME_COLUMNS = [
    "program",
    "year",
    "construct",
    "item",
    "item_type",
    "group",
    "n",
    "count",
    "statistic",
    "pomp",
    "ci_low",
    "ci_high",
    "ci_method",
    "raw_value",
    "raw_statistic",
    "scale",
]

#: ``statistic`` of the level rows: yes/no items and Likert items are never mixed.
PERCENT_POSITIVE = "percent_positive"
MEAN_0_100 = "mean_0_100"


def _level(item: dict, values: pd.Series) -> dict | None:
    """One level row's numbers: Wilson CI of a percentage, t-CI of a 0-100 mean."""
    n = values.get("n")
    if pd.isna(n) or n == 0:
        return None
    n = int(n)
    if item["type"] == "likert":
        mean, sd = values.get("mean"), values.get("sd")
        if pd.isna(mean):
            return None
        lo, hi = item["scale"]["min"], item["scale"]["max"]
        low = high = float("nan")
        if n >= 2 and not pd.isna(sd):
            # t interval of the mean (scipy), then the same linear map to 0-100.
            low, high = sps.t.interval(0.95, n - 1, loc=mean, scale=sd / math.sqrt(n))
        to_pomp = lambda v: 100 * (v - lo) / (hi - lo)  # noqa: E731
        return {"n": n, "count": None, "statistic": MEAN_0_100, "pomp": to_pomp(mean),
                "ci_low": to_pomp(low), "ci_high": to_pomp(high),
                "ci_method": "t interval of the mean (scipy)",
                "raw_value": float(mean), "raw_statistic": "mean", "scale": f"{lo}-{hi}"}
    count = values.get("count")
    if pd.isna(count):
        return None
    low, high = proportion_confint(int(count), n, alpha=0.05, method="wilson")
    return {"n": n, "count": int(count), "statistic": PERCENT_POSITIVE,
            "pomp": 100 * count / n, "ci_low": 100 * low, "ci_high": 100 * high,
            "ci_method": "Wilson score interval (statsmodels)",
            "raw_value": 100 * count / n, "raw_statistic": "percent", "scale": "0/1"}


def harmonise_outcomes(stats: pd.DataFrame, programs: dict[str, dict]) -> pd.DataFrame:
    """Level outcomes per cohort x construct x item x role, on a common 0-100 scale.

    Only items mapped to a construct, and only single roles (never ``all``, which
    would pool mentors with non-mentors). Yes/no items give ``percent_positive`` with a
    Wilson 95% CI; Likert items the ``mean_0_100`` (percent of maximum possible,
    ``100 * (mean - min) / (max - min)``, so 1-5 and 1-7 items line up) with the t-CI of
    the mean mapped the same way. The two statistics are kept apart in ``statistic``.

    >>> prog = {"codebook": [{"id": "q", "type": "likert", "construct": "satisfaction",
    ...                       "scale": {"min": 1, "max": 5}}]}
    >>> stats = pd.DataFrame({"program": "p", "year": "2024", "section": "s", "item": "q",
    ...     "option": "", "group": ["a", "a", "a", "all"],
    ...     "statistic": ["mean", "sd", "n", "mean"], "value": [4.0, 1.0, 10, 4.0]})
    >>> row = harmonise_outcomes(stats, {"p": prog}).iloc[0]
    >>> row["group"], row["statistic"], float(row["pomp"]), round(float(row["ci_low"]), 1)
    ('a', 'mean_0_100', 75.0, 57.1)
    """
    rows = []
    stats = stats.copy()
    stats["year"] = stats["year"].astype(str)
    stats["option"] = stats["option"].fillna("")
    stats = stats[(stats["option"] == "") & (stats["group"] != "all")
                  & ~stats["group"].astype(str).str.contains("_vs_")]
    for program_id, program in sorted(programs.items()):
        for item in program.get("codebook", []):
            if not item.get("construct") or item_type(item).effect is None:
                continue
            sel = stats[(stats["program"] == program_id) & (stats["item"] == item["id"])]
            if sel.empty:
                continue
            wide = sel.pivot_table(
                index=["year", "group"], columns="statistic", values="value", aggfunc="first"
            )
            for (year, group), values in wide.iterrows():
                level = _level(item, values)
                if level is None:
                    continue
                rows.append({"program": program_id, "year": year,
                             "construct": item["construct"], "item": item["id"],
                             "item_type": item["type"], "group": group, **level})
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    for col in ("n", "count"):
        table[col] = table[col].astype("Float64").astype("Int64")
    for col in ("pomp", "ci_low", "ci_high", "raw_value"):
        table[col] = table[col].astype(float).round(4)
    return table.sort_values(
        ["construct", "statistic", "program", "year", "item", "group"], kind="stable"
    ).reset_index(drop=True)


THEME_COLUMNS = [
    "program",
    "year",
    "category",
    "category_label",
    "theme",
    "theme_label",
    "roles",
    "segments",
]


def theme_crosswalk(
    cohorts: list[tuple[str, str, pd.DataFrame]],
    programs: dict[str, dict],
    framework: dict,
) -> pd.DataFrame:
    """Map each study's qualitative categories onto the shared theme framework.

    ``cohorts`` holds ``(program, year, validated_codes)``; ``framework`` is
    ``config/themes.yaml`` (``themes``: id → label; ``mapping``: program →
    category → theme id). Unmapped categories get theme ``unmapped``.
    """
    themes = framework.get("themes", {})
    mapping = framework.get("mapping", {})
    rows = []
    for program_id, year, codes in cohorts:
        if codes.empty:
            continue
        labels = {
            c["id"]: c["label"]
            for c in programs[program_id].get("qualitative", {}).get("categories", [])
        }
        role_order = list(programs[program_id]["roles"])
        for category, segs in codes.groupby("category", sort=True):
            theme = mapping.get(program_id, {}).get(category, "unmapped")
            roles = sorted(segs["role"].unique(), key=role_order.index)
            rows.append(
                {
                    "program": program_id,
                    "year": str(year),
                    "category": category,
                    "category_label": labels.get(category, category),
                    "theme": theme,
                    "theme_label": themes.get(theme, {}).get("label", theme),
                    "roles": ";".join(roles),
                    "segments": len(segs),
                }
            )
    table = pd.DataFrame(rows, columns=THEME_COLUMNS)
    return table.sort_values(["theme", "program", "year", "category"], kind="stable").reset_index(
        drop=True
    )


def _cohort_of(row) -> tuple[str, str]:
    return str(row.get("program", "")), str(row.get("year", ""))


def share_studies(table: pd.DataFrame, shared: pd.DataFrame,
                  threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``studies.csv`` for sharing: each participation count as the disclosure policy
    shares it (``shared``: the cohorts' :func:`peermentor.publish.privacy.share_stats`), so a small
    count shows as ``<5`` and a count it could be worked out from as ``suppressed``.

    Column semantics: ``invited``, ``responded``, ``analysed``, ``excluded`` and
    ``response_rate`` describe all respondents; ``<statistic>_<role>`` one role. Any other
    column that is not a label is withheld for a cohort with a hidden count.

    >>> from peermentor.publish.privacy import share_stats
    >>> from peermentor.analysis.stats import participation
    >>> program = {"roles": {"mentee": "E", "mentor": "M"}}
    >>> flow = participation(pd.DataFrame({"role": ["mentee"] * 14 + ["mentor"] * 4}),
    ...                      program, "2020").assign(program="p", year="2020")
    >>> table = study_characteristics(flow, {"p": program})
    >>> shared = share_studies(table, share_stats(flow, program))
    >>> [str(shared.iloc[0][c]) for c in ("responded", "responded_mentee", "responded_mentor")]
    ['suppressed', '14', '<5']
    """
    out = table.copy()
    if threshold <= 1 or out.empty:
        return out
    index = shared_index(shared)
    hidden = {k[:2] for k, v in index.items() if k[2] == "participation" and v[1]}
    statistics = ("invited", "responded", "analysed", "excluded", "response_rate", "paired")
    for column in out.columns:
        if column in LABEL_COLUMNS:
            continue
        statistic, _, role = column.partition("_")
        if column == "response_rate" or statistic not in statistics:
            statistic, role = (column, "all") if column in statistics else (None, None)
        role = role or "all"
        for i, row in table.iterrows():
            cohort = _cohort_of(row)
            if statistic is None:
                shown = SUPPRESSED if cohort in hidden and pd.notna(row[column]) else ""
            else:
                shown = index.get((*cohort, "participation", "", role, statistic),
                                  (None, "", "", None))[1]
            if shown:
                out[column] = out[column].astype(object)
                out.at[i, column] = shown
    return out


def share_outcomes(table: pd.DataFrame, shared: pd.DataFrame,
                   threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``outcomes.csv`` for sharing: each row's ``n``, yes-``count``, percentage and mean as
    the disclosure policy shares them (``shared``: the cohorts'
    :func:`peermentor.publish.privacy.share_stats`).

    Where a percentage is withheld its row keeps an interval that gives nothing away
    (:func:`_hidden_count_interval`); where the policy rounded a mean and SD, the 0-100
    mean and its t-interval are computed from the rounded values (``ci_method`` says so);
    where a mean is withheld, so are its 0-100 value and interval. Any other column that
    is not a label is withheld with the row's statistic.

    >>> from peermentor.publish.privacy import share_stats
    >>> rows = pd.DataFrame({"program": "p", "year": "2019", "section": "s", "item": "q",
    ...     "option": "", "group": "mentor", "statistic": ["n", "count", "percent"],
    ...     "value": [42, 41, 97.6]})
    >>> program = {"roles": {"mentor": "M"}, "codebook": [{"id": "q", "type": "binary",
    ...                                                    "construct": "c"}]}
    >>> table = harmonise_outcomes(rows, {"p": program})
    >>> shared = share_outcomes(table, share_stats(rows, program))  # 1 said no
    >>> shared[["count", "raw_value", "pomp"]].values.tolist()
    [['suppressed', 'suppressed', 'suppressed']]

    Such a row keeps an interval that gives nothing away: the marker says 38 to 41 of 42
    said yes, and the interval spans the Wilson intervals of all four.

    >>> shared[["ci_low", "ci_high"]].values.tolist()
    [[77.9349, 99.5785]]
    """
    out = table.copy()
    if threshold <= 1 or out.empty:
        return out
    index = shared_index(shared)
    statistics = ["pomp", "ci_low", "ci_high", "raw_value"]
    extra = [c for c in out.columns
             if c not in LABEL_COLUMNS and c not in ("n", "count", *statistics)]
    for column in ["n", "count", *statistics, *extra]:
        out[column] = out[column].astype(object)
    items = {(r["program"], r["item"]): r["item_type"] for _, r in table.iterrows()}
    for i, row in table.iterrows():
        key = (*_cohort_of(row), row["item"], "")
        get = lambda statistic, group=row["group"], key=key: index.get(  # noqa: E731
            (*key, group, statistic), (float("nan"), "", "", float("nan")))
        n_shown = get("n")[1]
        if n_shown:
            out.at[i, "n"] = n_shown
        if items[(row["program"], row["item"])] == "binary":
            withheld = _share_percentage(out, i, row, get, statistics, threshold)
        else:
            withheld = _share_mean(out, i, row, get, statistics)
        if withheld:
            for column in extra:
                out.at[i, column] = float("nan")
    return out


def _share_percentage(out: pd.DataFrame, i, row, get, statistics: list[str],
                      threshold: int) -> str:
    """Row ``i`` of a yes/no item as shared: its count as shown and, where the percentage
    is withheld, its statistics withheld and an interval that gives nothing away. Returns
    how the percentage is shown where withheld, else ''."""
    n_value, n_shown, _, _ = get("n")
    count_shown = get("count")[1]
    if count_shown:
        out.at[i, "count"] = count_shown
    withheld = get("percent")[1]
    if withheld:
        for column in statistics:
            out.at[i, column] = SUPPRESSED
        if not n_shown:
            interval = _hidden_count_interval(int(n_value), count_shown, row, threshold)
            if interval:
                out.at[i, "ci_low"], out.at[i, "ci_high"] = interval
                out.at[i, "ci_method"] = WIDENED_WILSON
            else:
                out.at[i, "ci_method"] = WITHHELD_INTERVAL
    return withheld


def _share_mean(out: pd.DataFrame, i, row, get, statistics: list[str]) -> str:
    """Row ``i`` of a scored item as shared: withheld with its mean, or recomputed from
    the mean and SD as the policy rounded them. Returns how the mean is shown where
    withheld, else ''."""
    n_value = get("n")[0]
    (mean, withheld, _, places), (sd, _, _, _) = get("mean"), get("sd")
    if withheld:
        for column in statistics:
            out.at[i, column] = SUPPRESSED
    elif pd.notna(places):  # rounded by the policy: recompute from what is shown
        low, high = row["scale"].split("-")
        item = {"type": "likert", "scale": {"min": float(low), "max": float(high)}}
        level = _level(item, pd.Series({"n": n_value, "mean": mean, "sd": sd}))
        for column in statistics:
            out.at[i, column] = round(float(level[column]), 4)
        out.at[i, "ci_method"] = (
            f"{level['ci_method']}, from the mean and SD rounded to {int(places)} "
            "decimal(s)" if pd.notna(sd) else
            f"no interval: the SD is withheld (disclosure control); the mean is "
            f"rounded to {int(places)} decimal(s)")
    return withheld


#: ci_method of an outcome row whose percentage is withheld but whose interval is shown.
WIDENED_WILSON = ("Wilson score interval (statsmodels), widened to cover every count the "
                  "suppression could hide (conservative; the percentage is withheld)")


#: ci_method of an outcome row whose interval is withheld with its percentage.
WITHHELD_INTERVAL = ("withheld with the percentage: the count is hidden so that another "
                     "group's small count stays hidden, and no interval from what is shown "
                     "is sure to cover it")


def _hidden_count_interval(n: int, marker_text: str, row, threshold: int):
    """The interval of a row whose yes-count is hidden, from what is shown alone.

    The marker says which counts are possible: ``<t`` stands for 1 to t - 1 yes; a count
    shown as :data:`SUPPRESSED` is hidden because 1 to t - 1 said no (n - t + 1 to n - 1
    said yes). The union of their Wilson intervals is a function of ``n`` and the marker,
    so it reveals nothing new, and it contains the interval of the true count, so it
    covers at least as often (95%). ``None`` when the count was hidden for another reason
    (a sum over roles), so that no interval could be vouched for.
    """
    if marker_text == SUPPRESSED:
        possible = [c for c in range(max(n - threshold + 1, 1), n) if c >= 0]
    elif marker_text:
        possible = [c for c in range(1, threshold) if c <= n]
    else:
        return None
    true = row.get("count")
    if not possible or pd.isna(true) or int(true) not in possible:
        return None
    low, high = proportion_confint(possible, n, alpha=0.05, method="wilson")
    return round(100 * float(min(low)), 4), round(100 * float(max(high)), 4)


def share_effects(table: pd.DataFrame, shared: pd.DataFrame,
                  threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``effects.csv`` for sharing: group sizes as the policy shares them, and every
    statistic of a comparison whose table has a hidden cell withheld, with why in
    ``note`` (:func:`peermentor.publish.privacy.withhold_comparisons`)."""
    return withhold_comparisons(table, shared, threshold)


#: Text columns of effects.csv (empty, never NaN, when blank).
EFFECT_TEXT = ["construct", "comparison", "ci_method", "p_method", "direction",
               "detectable_scale", "note"]


def read_effects(path) -> pd.DataFrame:
    """Read ``effects.csv`` back: years as text, blank text cells as ``''``."""
    table = pd.read_csv(path, dtype={"year": str, **{c: str for c in EFFECT_TEXT}})
    for col in EFFECT_TEXT:
        table[col] = table[col].fillna("")
    return table


def share_themes(table: pd.DataFrame, shared: pd.DataFrame,
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``themes.csv`` for sharing: each category's coded segments over all roles as the
    policy shares them (a small number as ``<5``, one that would give a role's hidden
    count away from the per-role counts of the cohort report as ``suppressed``)."""
    out = table.copy()
    if threshold <= 1 or out.empty:
        return out
    index = shared_index(shared)
    out["segments"] = out["segments"].astype(object)
    for i, row in table.iterrows():
        shown = index.get((*_cohort_of(row), row["category"], "", "all", "segments"),
                          (None, "", "", None))[1]
        if shown:
            out.at[i, "segments"] = shown
    return out


def markdown_table(table: pd.DataFrame, **options) -> str:
    """A Markdown table with blank cells, not 'nan', where a value is missing."""
    cells = table.astype(object)
    if "floatfmt" in options:
        # tabulate leaves a column with any text (a suppression marker) unformatted,
        # so format its numbers here.
        fmt = options["floatfmt"]
        cells = cells.map(lambda v: format(v, fmt) if isinstance(v, float) else v)
    # Blank, not 'nan': object dtype, as map may infer a string dtype whose NA is NaN.
    cells = cells.astype(object).where(table.notna(), None)
    return cells.to_markdown(index=False, missingval="", **options)


def _with_ci(est, low, high, digits: int = 2) -> str:
    """``est [low, high]`` as text; a suppression marker or blank passes through.

    A withheld estimate keeps its (widened) interval when it has one.

    >>> _with_ci("50.0", 23.66, "76.34", 1), _with_ci("suppressed", "suppressed", "x")
    ('50.0 [23.7, 76.3]', 'suppressed')
    >>> _with_ci("suppressed", 77.93, 99.58, 1)
    'suppressed [77.9, 99.6]'
    """
    marker = est if isinstance(est, str) else ""
    est, low, high = (pd.to_numeric(v, errors="coerce") if isinstance(v, str) else v
                      for v in (est, low, high))
    has_ci = not (low is None or high is None or pd.isna(low) or pd.isna(high))
    if (est is None or pd.isna(est)) and marker and has_ci:
        return f"{marker} [{low:.{digits}f}, {high:.{digits}f}]"
    if est is None or pd.isna(est):
        return marker
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return f"{est:.{digits}f}"
    return f"{est:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def _outcome_tables(outcomes: pd.DataFrame, rule: list[str]) -> list[str]:
    parts = ["## Outcomes by construct", "",
             "One row per cohort, construct, item and role (never all roles together). "
             "Percentages of yes/no items and 0-100 means of Likert items are different "
             "statistics and are kept in separate tables.", ""]
    if outcomes.empty:
        return parts + ["No item of any cohort is mapped to a construct.", ""]
    titles = {
        PERCENT_POSITIVE: "### Percent positive (yes/no items), 95% Wilson CI",
        MEAN_0_100: "### Mean on 0-100 (Likert items: percent of maximum possible), 95% t-CI",
    }
    for statistic, title in titles.items():
        sub = outcomes[outcomes["statistic"] == statistic]
        if sub.empty:
            continue
        table = pd.DataFrame({
            "construct": sub["construct"], "program": sub["program"], "year": sub["year"],
            "item": sub["item"], "role": sub["group"], "n": sub["n"],
            "value [95% CI]": [_with_ci(e, lo, hi, 1) for e, lo, hi in
                               zip(sub["pomp"], sub["ci_low"], sub["ci_high"], strict=True)],
        })
        widened = sub["ci_method"].eq(WIDENED_WILSON).any() if "ci_method" in sub else False
        note = (["Where a percentage is suppressed, its interval is widened to cover every "
                 "count the marker could stand for, so it reveals nothing the marker does "
                 "not (conservative).", ""] if widened else [])
        parts += [title, "", markdown_table(table), "", *note, *rule]
    return parts


#: Above this many rows summary.md points to effects.csv instead of listing them.
MAX_EFFECT_ROWS = 60


def _effect_section(effects: pd.DataFrame) -> list[str]:
    parts = ["## Between-role effects", "",
             "Per cohort, item and declared comparison (`comparison:` in the programme's "
             "YAML), with 95% CIs: rank-biserial r and Hedges' g for Likert items; risk "
             "difference, risk ratio and odds ratio for yes/no items. Which method gives "
             "each interval and p-value is in `effects.csv` (`ci_method`, `p_method`; the "
             "keys are explained in the README); odds ratios are exact conditional (with "
             "Fisher's p) where any expected cell count is below 5, otherwise the sample "
             "odds ratio with Woolf's interval and Wald p. No p-value here is adjusted for "
             "multiplicity.", ""]
    if effects.empty:
        return parts + ["No cohort declares a between-role comparison that its Likert or "
                        "yes/no items were put to. Add `comparison: [<role>, <role>]` to "
                        "the programme's YAML.", ""]
    if len(effects) > MAX_EFFECT_ROWS:
        return parts + [f"{len(effects)} rows: see `effects.csv`.", ""]
    table = pd.DataFrame({
        "construct": effects["construct"], "program": effects["program"],
        "year": effects["year"], "item": effects["item"],
        "comparison": effects["comparison"].str.replace("_vs_", " vs ", regex=False),
        "metric": effects["metric"],
        "estimate [95% CI]": [_with_ci(e, lo, hi) for e, lo, hi in
                              zip(effects["estimate"], effects["ci_low"], effects["ci_high"],
                                  strict=True)],
        "p": [f"{p:.3g}" if pd.notna(p) else "" for p in effects["p"]],
    })
    if "detectable_std" in effects:
        table["detectable (80% power)"] = [
            std if isinstance(std, str) else "" if pd.isna(std) else f"{scale} {std:.2f}"
            for scale, std in zip(effects["detectable_scale"], effects["detectable_std"],
                                  strict=True)]
    return parts + [markdown_table(table), "",
                    "Direction: differences are positive, ratios above 1, when the "
                    "first-named role is higher. Detectable: the smallest true difference "
                    "(Cohen's d, or h for yes/no items) the comparison would find with 80% "
                    "power at alpha = 0.05, from the group sizes alone; it is not the power "
                    "to detect the difference observed.", ""]


def _pooled_section(pooled: pd.DataFrame, forest_files: list[str]) -> list[str]:
    parts = ["## Pooled estimates (random effects)", "",
             "Per construct, comparison and metric with two or more cohorts; comparisons "
             "(e.g. mentors vs mentees and mentors vs non-mentors) and metrics are never "
             "pooled together. The prediction interval is where the effect of a new "
             "cohort is expected to fall; I\u00b2 is the share of the spread between cohorts "
             "that is not sampling error.", ""]
    if pooled.empty:
        parts += ["Nothing pooled: no construct x comparison x metric has two or more "
                  "cohorts. (The bundled studies compare different roles, Ulsan mentors "
                  "with mentees and UNC mentors with non-mentors, and each has one year; "
                  "`python -m peermentor.simulate` writes a consortium that pools.)", ""]
    else:
        table = pd.DataFrame({
            "construct": pooled["construct"],
            "comparison": pooled["comparison"].str.replace("_vs_", " vs ", regex=False),
            "metric": pooled["metric"], "k": pooled["k"],
            "estimate [95% CI]": [_with_ci(e, lo, hi) for e, lo, hi in
                                  zip(pooled["estimate"], pooled["ci_low"], pooled["ci_high"],
                                      strict=True)],
            "95% PI": [f"[{lo:.2f}, {hi:.2f}]" for lo, hi in
                       zip(pooled["pi_low"], pooled["pi_high"], strict=True)],
            "tau2": [f"{v:.3f}" for v in pooled["tau2"]],
            "I2 %": [f"{v:.0f}" for v in pooled["i2"]],
            "Q (p)": [f"{q:.2f} ({p:.3g})" for q, p in zip(pooled["q"], pooled["q_p"],
                                                          strict=True)],
            "z or t (p)": [f"{z:.2f} ({p:.3g})" for z, p in zip(pooled["stat"], pooled["p"],
                                                                strict=True)],
            "method": pooled["method"] + ", " + pooled["ci_method"],
        })
        if "cohorts_to_halve_ci" in pooled:
            table["more cohorts to halve the CI"] = pooled["cohorts_to_halve_ci"]
        zero = pooled["tau2_at_zero"].astype(str).str.lower().eq("true")
        at_zero = ([f"tau2 sits at its boundary 0 in {int(zero.sum())} row(s) "
                    "(`tau2_at_zero` in `pooled.csv`): no heterogeneity beyond sampling error "
                    "was estimated, so their CI is the fixed-effect one.", ""]
                   if zero.any() else [])
        parts += [markdown_table(table), "", *at_zero,
                  pooling_statement(list(zip(pooled["method"], pooled["ci_method"],
                                             strict=True))), ""]
        if "cohorts_to_halve_ci" in pooled:
            parts += ["More cohorts to halve the CI: how many more cohorts of the typical "
                      "size (the median within-cohort variance; `typical_n` in "
                      "`pooled.csv`) would halve the CI's width, with \u03c4\u00b2 held at "
                      "its estimate.", ""]
    pngs = [f for f in forest_files if f.endswith(".png")]
    if pngs:
        parts += ["### Forest plots", "",
                  "Each row is a cohort's effect with its 95% CI; the diamond is the pooled "
                  "estimate and its 95% CI, the dashed line the 95% prediction interval. A "
                  "plot with one cohort pools nothing. SVG versions sit beside the PNGs.", ""]
        parts += [f"![{Path(f).stem}](forest/{Path(f).name})" for f in pngs] + [""]
    return parts


def _trend_section(trends: pd.DataFrame, trend_files: list[str]) -> list[str]:
    parts = ["## Trends over years", ""]
    if trends.empty:
        return parts + ["No programme has two or more years of data.", ""]
    table = pd.DataFrame({
        "program": trends["program"], "construct": trends["construct"],
        "item": trends["item"], "role": trends["group"], "statistic": trends["statistic"],
        "year": trends["year"], "n": trends["n"],
        "value [95% CI]": [_with_ci(e, lo, hi, 1) for e, lo, hi in
                           zip(trends["pomp"], trends["ci_low"], trends["ci_high"],
                               strict=True)],
    })
    if len(table) > MAX_EFFECT_ROWS:
        parts += [f"{len(table)} rows: see `trends.csv`.", ""]
    else:
        parts += [markdown_table(table), ""]
    pngs = [f for f in trend_files if f.endswith(".png")]
    parts += [f"![{Path(f).stem}](trends/{Path(f).name})" for f in pngs] + [""]
    return parts


def summary_markdown(
    studies: pd.DataFrame,
    outcomes: pd.DataFrame,
    themes: pd.DataFrame,
    threshold: int | None = None,
    *,
    effects: pd.DataFrame | None = None,
    pooled: pd.DataFrame | None = None,
    trends: pd.DataFrame | None = None,
    forest_files: list[str] = (),
    trend_files: list[str] = (),
    simulated: bool = False,
) -> str:
    """A readable Markdown summary of the comparison tables and figures.

    ``threshold``: the small-cell threshold the (already suppressed) tables were
    shared with; its rule is stated under the tables that show numbers. ``effects``,
    ``pooled`` and ``trends`` add their sections, with the figures named in
    ``forest_files`` and ``trend_files`` (paths under ``forest/`` and ``trends/``).
    """
    rule = [] if threshold is None else [rule_text(threshold), ""]
    parts = ["# Cross-study comparison", ""]
    if simulated:
        parts += [
            "> **Simulated data.** These cohorts are synthetic, written by "
            "`python -m peermentor.simulate` with known true effects to show pooling and "
            "trends; they are not anyone's answers.",
            "",
        ]
    if studies["reconstructed"].any():
        recon = ", ".join(studies.loc[studies["reconstructed"], "program"].unique())
        parts += [
            f"> **Reconstructed data.** The respondent-level data of {recon} are "
            "reconstructions generated from the papers' published aggregates, not real "
            "answers (see `data/raw/README.md`).",
            "",
        ]
    # Design and role counts stay in studies.csv: too wide for a readable table.
    study_cols = ["program", "year", "institution", "country", "invited", "responded",
                  "response_rate", "response_rate_note"]
    parts += [
        "## Studies",
        "",
        markdown_table(studies[study_cols]),
        "",
        "Response rate: percent of those invited; blank where the paper gives no number "
        "invited. Counts per role and study designs: `studies.csv`.",
        "",
        *rule,
    ]
    parts += _outcome_tables(outcomes, rule)
    if effects is not None:
        parts += _effect_section(effects)
    if pooled is not None:
        parts += _pooled_section(pooled, list(forest_files))
    if trends is not None:
        parts += _trend_section(trends, list(trend_files))
    parts += ["## Themes across studies", ""]
    if themes.empty:
        parts += ["No qualitative codes.", ""]
    else:
        by_theme = (
            themes.assign(study=themes["program"] + " " + themes["year"])
            .groupby(["theme", "theme_label"], sort=True)
            .agg(studies=("study", lambda s: ", ".join(sorted(set(s)))),
                 categories=("category_label", lambda s: "; ".join(s)))
            .reset_index()
        )
        parts += [markdown_table(by_theme), ""]
    return "\n".join(parts)


def reproduction_markdown(reproduction: pd.DataFrame, checks: pd.DataFrame) -> str:
    """The summary's section: status counts, what differs and why, the audit's findings."""
    parts = ["## Reproduction of the published papers", ""]
    if reproduction.empty:
        return "\n".join(parts + ["No cohort has published values.", ""])
    tally = (reproduction.groupby(["program", "status"]).size().unstack(fill_value=0)
             .reset_index())
    tally.columns.name = None
    parts += [
        "Every number the papers print about their participants and survey "
        "(`config/published/`), recomputed from the validated data "
        "(`results/reproduction.csv`; " + status_line(reproduction, checks) + "). "
        "`assumed` values match only because the reconstruction assumed the data behind "
        "them (the note says what): they are no evidence either way.",
        "",
        markdown_table(tally),
        "",
        "### Published values that differ",
        "",
        markdown_table(reproduction.loc[reproduction["status"] == "differs",
                                   ["program", "source", "statistic", "item", "option",
                                    "group", "published", "computed", "note"]]),
        "",
        "### Audit: published numbers that cannot all be true, and underpowered claims",
        "",
        "One row per error, with every place it shows and the checks it fails "
        "(`results/audit.csv` has every check; its `finding` column groups them). An "
        "`underpowered claim` is a claim of no difference whose groups could not detect "
        "Cohen's medium effect with 80% power: not an error in the numbers, but no "
        "evidence of no difference either.",
        "",
        markdown_table(findings(checks)),
        "",
        "<details><summary>Every published value</summary>",
        "",
        markdown_table(reproduction.drop(columns=["year"])),
        "",
        "</details>",
        "",
        "<details><summary>Every audit check</summary>",
        "",
        markdown_table(checks),
        "",
        "</details>",
        "",
    ]
    return "\n".join(parts)


def trend_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The outcome rows of programmes with two or more years (``trends.csv``).

    >>> outcomes = pd.DataFrame({"program": ["a", "a", "b"], "year": ["2023", "2024", "2024"],
    ...                          "construct": "v", "item": "q", "group": "mentor"})
    >>> trend_table(outcomes)["program"].tolist()
    ['a', 'a']
    """
    years = outcomes.groupby("program")["year"].nunique()
    keep = years[years >= 2].index
    return outcomes[outcomes["program"].isin(keep)].sort_values(
        ["program", "construct", "item", "group", "year"], kind="stable").reset_index(drop=True)
