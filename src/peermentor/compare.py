"""Cross-study tables: study characteristics, harmonised outcomes, theme crosswalk.

Each function takes tidy frames (one per cohort, already validated or computed)
and returns one tidy frame sorted by programme and year.
"""

from __future__ import annotations

import pandas as pd

from peermentor.privacy import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    complementary,
    is_small,
    rule_text,
    suppress,
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
    "analysed",
    "excluded",
]


def read_stats(paths: list[str]) -> pd.DataFrame:
    """Concatenate cohorts' ``stats.csv`` files (empty options stay ``''``)."""
    frames = [
        pd.read_csv(path, dtype={"year": str, "option": str}, keep_default_na=False,
                    na_values={"value": [""]})
        for path in paths
    ]
    return pd.concat(frames, ignore_index=True)


def study_characteristics(stats: pd.DataFrame, programs: dict[str, dict]) -> pd.DataFrame:
    """One row per programme × year with participation counts per role.

    Reads the participation rows of the cohorts' tidy statistics (see
    :func:`peermentor.stats.participation`), so invited, responded and response
    rate have one definition; the response rate is empty when the number
    invited is unknown.

    >>> from peermentor.stats import participation
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
            "analysed": int(value[("all", "analysed")]),
            "excluded": int(value[("all", "excluded")]),
        }
        for role in program["roles"]:
            row[f"responded_{role}"] = value.get((role, "responded"))
            if (role, "invited") in value:
                row[f"invited_{role}"] = value[(role, "invited")]
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
    "raw_value",
    "raw_statistic",
    "scale",
    "pomp",
]


def harmonise_outcomes(stats: pd.DataFrame, programs: dict[str, dict]) -> pd.DataFrame:
    """Outcomes by construct on a common 0–100 scale (percent of maximum possible).

    Likert means become ``100 * (mean - min) / (max - min)``, so 1–5 and 1–7 items
    line up; binary items keep their percent agreeing (``count``: how many said
    yes). ``stats`` is the concatenation of the cohorts' ``stats.csv``.

    >>> prog = {"codebook": [{"id": "q", "type": "likert", "construct": "satisfaction",
    ...                       "scale": {"min": 1, "max": 5}}]}
    >>> stats = pd.DataFrame({"program": ["p", "p"], "year": ["2024", "2024"],
    ...     "section": ["s", "s"], "item": ["q", "q"], "option": ["", ""],
    ...     "group": ["all", "all"], "statistic": ["mean", "n"], "value": [4.0, 10]})
    >>> harmonise_outcomes(stats, {"p": prog})["pomp"].tolist()
    [75.0]
    """
    rows = []
    stats = stats.copy()
    stats["year"] = stats["year"].astype(str)
    stats["option"] = stats["option"].fillna("")
    for program_id, program in sorted(programs.items()):
        for item in program.get("codebook", []):
            if (
                not item.get("construct")
                or item["type"] not in ("likert", "binary")
                or item.get("section") == "demographics"
            ):
                continue
            sel = stats[
                (stats["program"] == program_id)
                & (stats["item"] == item["id"])
                & (stats["option"] == "")
            ]
            if sel.empty:
                continue
            wide = sel.pivot_table(
                index=["year", "group"], columns="statistic", values="value", aggfunc="first"
            )
            for (year, group), values in wide.iterrows():
                if item["type"] == "likert":
                    if pd.isna(values.get("mean")):
                        continue
                    lo, hi = item["scale"]["min"], item["scale"]["max"]
                    raw, stat, scale = values["mean"], "mean", f"{lo}-{hi}"
                    pomp = 100 * (raw - lo) / (hi - lo)
                else:
                    if pd.isna(values.get("percent")):
                        continue
                    raw, stat, scale = values["percent"], "percent", "0/1"
                    pomp = raw
                rows.append(
                    {
                        "program": program_id,
                        "year": year,
                        "construct": item["construct"],
                        "item": item["id"],
                        "item_type": item["type"],
                        "group": group,
                        "n": values.get("n"),
                        "count": values.get("count") if item["type"] == "binary" else None,
                        "raw_value": round(float(raw), 4),
                        "raw_statistic": stat,
                        "scale": scale,
                        "pomp": round(float(pomp), 2),
                    }
                )
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    for col in ("n", "count"):
        table[col] = table[col].astype("Float64").astype("Int64")
    return table.sort_values(
        ["construct", "program", "year", "item", "group"], kind="stable"
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


def share_studies(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``studies.csv`` for sharing: small participation counts suppressed (see privacy).

    >>> row = pd.DataFrame({"responded": [4], "response_rate": [20.0], "responded_mentor": [4]})
    >>> share_studies(row).iloc[0].tolist()
    ['<5', 'suppressed', '<5']
    >>> row = pd.DataFrame({"responded": [18], "response_rate": [42.9],
    ...                     "responded_mentee": [14], "responded_mentor": [4],
    ...                     "responded_non_mentor": [None]})
    >>> [str(v) for v in share_studies(row).iloc[0]]  # 18 - 14 would give the 4 away
    ['suppressed', 'suppressed', '14', '<5', 'None']
    """
    counts = [c for c in table.columns
              if c in ("invited", "responded", "analysed", "excluded")
              or c.startswith(("invited_", "responded_"))]
    out = suppress(table, counts, {"response_rate": "responded"}, threshold)
    # a hidden count must not follow from a total: hide more cells (privacy.complementary)
    for i, row in table.iterrows():
        values = {c: row[c] for c in counts if pd.notna(row[c])}
        # a role this programme does not have is blank, not a part of the sum
        sums = [(total, [c for c in values if c.startswith(f"{total}_")])
                for total in ("invited", "responded")]
        sums += [("responded", ["analysed", "excluded"])]
        small = {c for c in values if is_small(row[c], threshold)}
        for column in complementary(values, small, sums) if threshold > 1 else ():
            out[column] = out[column].astype(object)
            out.at[i, column] = SUPPRESSED
            if column == "responded":
                out["response_rate"] = out["response_rate"].astype(object)
                out.at[i, "response_rate"] = SUPPRESSED
    return out


def share_outcomes(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``outcomes.csv`` for sharing: small ``n`` and yes-counts suppressed, and the
    percentages (``raw_value``, ``pomp``) of a binary item whose yes-count is small;
    then, so that no hidden count follows from the others (yes + no = n, roles add up
    to "all"), further counts and their percentages as ``suppressed``.

    >>> rows = pd.DataFrame({"program": "p", "year": "2019", "item": "q",
    ...     "group": ["all", "mentor"], "n": [42, 42], "count": [41, 41],
    ...     "raw_value": [97.6, 97.6], "pomp": [97.6, 97.6]})
    >>> share_outcomes(rows)[["count", "pomp"]].values.tolist()  # 41 of 42: 1 said no
    [['suppressed', 'suppressed'], ['suppressed', 'suppressed']]
    """
    derived = {"raw_value": "count", "pomp": "count"}
    out = suppress(table, ["n", "count"], derived, threshold)
    if threshold <= 1 or table.empty:
        return out
    # complementary: per item, yes + no = n within a role, and roles add up to "all"
    for _, block in table.groupby(["program", "year", "item"], sort=False):
        values = {}
        for _, row in block.iterrows():
            values |= {("n", row["group"]): row["n"]}
            if pd.notna(row.get("count")):
                values |= {("count", row["group"]): row["count"],
                           ("no", row["group"]): row["n"] - row["count"]}
        roles = [g for g in block["group"] if g != "all"]
        sums = [(("n", g), [("count", g), ("no", g)], "part") for g in block["group"]]
        sums += [((k, "all"), [(k, g) for g in roles], "total") for k in ("count", "n", "no")]
        small = {k for k, v in values.items() if is_small(v, threshold)}
        extra = complementary(values, small, sums)
        for i, row in block.iterrows():
            group = row["group"]
            hide = [c for c in ("n", "count") if (c, group) in extra]
            if ("count", group) in extra or ("n", group) in extra and row.get("count") != 0:
                hide += ["raw_value", "pomp"]  # a percentage gives its count or n away
            for column in hide:
                out[column] = out[column].astype(object)
                out.at[i, column] = SUPPRESSED
    return out


def share_themes(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``themes.csv`` for sharing: small numbers of coded segments suppressed."""
    return suppress(table, ["segments"], threshold=threshold)


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


def summary_markdown(
    studies: pd.DataFrame,
    outcomes: pd.DataFrame,
    themes: pd.DataFrame,
    threshold: int | None = None,
) -> str:
    """A readable Markdown summary of the three comparison tables.

    ``threshold``: the small-cell threshold the (already suppressed) tables were
    shared with; its rule is stated under the tables that show numbers.
    """
    rule = [] if threshold is None else [rule_text(threshold), ""]
    parts = ["# Cross-study comparison", ""]
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
                  "response_rate"]
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
    parts += ["## Outcomes by construct (0–100, percent of maximum possible)", ""]
    if outcomes.empty:
        parts += ["No harmonised outcomes.", ""]
    else:
        wide = outcomes.pivot_table(
            index=["construct", "program", "year", "item"],
            columns="group",
            values="pomp",
            aggfunc="first",
        ).reset_index()
        wide.columns.name = None
        parts += [markdown_table(wide, floatfmt=".1f"), "", *rule]
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
