"""Published values and their reproduction: the paper's number beside the pipeline's.

``config/published/<program>.yaml`` records every number a paper prints about its
participants and survey, once per place it is printed, as printed (errors included);
docs/data-contract.md describes the fields. :func:`reproduce` recomputes each one from
the cohort's validated responses and codes (and, for tests and ratios, from its
``stats.csv``) and says whether the printed number is reproduced at its printed
precision.

Statuses: ``reproduced`` (equal at the printed precision, or inside the interval a
worded claim admits), ``assumed`` (it would be reproduced, but only because the
reconstruction assumed the data behind it to satisfy the printed words: the entry's
``assumed`` says what, and it is no evidence either way), ``differs`` and
``not computable`` (with why).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from peermentor.analysis.mannwhitney import DEFAULT_MWU_VARIANT, MWU_VARIANTS
from peermentor.ingest.config import (
    ConfigError,
    asked_roles,
    check_against_schema,
    codebook_items,
    load_yaml,
)
from peermentor.papers.consistency import printed_decimals, round_half_up

REPRODUCTION_COLUMNS = [
    "program", "year", "source", "statistic", "item", "option", "group",
    "published", "computed", "precision", "status", "note",
]
#: Statistics that are whole numbers and must match exactly.
COUNT_STATISTICS = {"count", "n", "missing", "invited", "paired", "responded", "categories",
                    "subcategories"}
#: Statistics read from the cohort's stats.csv rather than recomputed here.
STATS_STATISTICS = {"risk_ratio", "odds_ratio"}
SIGNIFICANCE = 0.05


def load_published(path: str | Path, program: dict | None = None) -> dict:
    """Read and schema-check one published-values file (and, given its programme
    config, check that every item, option and group it names exists)."""
    data = load_yaml(path)
    check_against_schema(data, "published.schema.json", path)
    if program is not None:
        check_against_program(data, program, path)
    return data


def mwu_variant(published: dict | str | Path | None) -> str:
    """The Mann-Whitney variant a paper declares (``mann_whitney: {variant, why}``), used
    for every p of its cohort; :data:`~peermentor.analysis.mannwhitney.DEFAULT_MWU_VARIANT`
    when there is no published file (``None`` or ``""``) or it declares none.

    >>> mwu_variant({"mann_whitney": {"variant": "spss_exact", "why": "..."}}), mwu_variant("")
    ('spss_exact', 'r_correct')
    """
    if not published:
        return DEFAULT_MWU_VARIANT
    data = published if isinstance(published, dict) else load_yaml(published)
    variant = (data.get("mann_whitney") or {}).get("variant", DEFAULT_MWU_VARIANT)
    if variant not in MWU_VARIANTS:
        raise ConfigError(f"{published if not isinstance(published, dict) else data['program']}"
                          f": mann_whitney variant '{variant}' is none of {list(MWU_VARIANTS)}")
    return variant


def published_files(
    published_dir: str | Path, programs: dict[str, dict] | None = None
) -> dict[tuple[str, str], Path]:
    """``{(program, year): path}`` for every published-values file in a folder.

    Each file is schema-checked, and checked against its programme's codebook when
    ``programs`` (``{program id: config}``) holds that programme.
    """
    found = {}
    for path in sorted(Path(published_dir).glob("*.yaml")):
        data = load_yaml(path)
        check_against_schema(data, "published.schema.json", path)
        if data["program"] in (programs or {}):
            check_against_program(data, programs[data["program"]], path)
        found[(data["program"], str(data["year"]))] = path
    return found


def check_against_program(published: dict, program: dict, path: str | Path) -> None:
    """Raise ConfigError naming the file and entry when a value names an unknown item,
    option or group, so a typo stops the run at parse time instead of mid-way."""
    items = codebook_items(program)
    roles = set(program.get("roles", {}))
    problems = []
    for index, entry in enumerate(published["values"]):
        where = f"values/{index} ({entry.get('source')}, printed {entry.get('printed')!r})"
        for item_id in [entry.get("item"), *entry.get("items", [])]:
            if item_id is not None and item_id not in items:
                problems.append(f"{where}: item '{item_id}' is not in the codebook")
        item = items.get(entry.get("item"), {})
        choices = {str(c) for c in item.get("choices", {})}
        for option in [entry.get("option"), *entry.get("options", [])]:
            if option is not None and choices and str(option) not in choices:
                problems.append(f"{where}: option '{option}' is not a choice of "
                                f"'{entry['item']}' ({', '.join(sorted(choices))})")
        for group in [entry.get("group"), *entry.get("groups", [])]:
            if group is None or group == "all" or "=" in group:
                continue
            unknown = [g for g in group.split("_vs_") if g not in roles]
            if unknown:
                problems.append(f"{where}: group '{group}' names no role of the programme "
                                f"({', '.join(sorted(roles))}, or 'all')")
    texts = published.get("findings") or {}
    for kind in ("values", "checks"):
        for index, entry in enumerate(published.get(kind) or []):
            if entry.get("error") and entry["error"] not in texts:
                problems.append(f"{kind}/{index} ({entry.get('source')}): error label "
                                f"'{entry['error']}' has no one-line text under `findings:`")
    if problems:
        raise ConfigError(f"{path}: does not match programme '{program['program']}':\n  "
                          + "\n  ".join(problems))


# --------------------------------------------------------------------------------------
# computing one value from a cohort's data
# --------------------------------------------------------------------------------------


def _item(program: dict, item_id: str) -> dict:
    try:
        return codebook_items(program)[item_id]
    except KeyError:
        message = f"item '{item_id}' is not in the codebook of '{program['program']}'"
        raise KeyError(message) from None


def _members(responses: pd.DataFrame, program: dict, group: str, item: dict | None):
    """Rows of a group: a role, ``all`` (everyone asked the item) or ``<item>=<code>``."""
    rows = responses
    if item is not None:
        rows = rows[rows["role"].isin(asked_roles(program, item))]
    if group == "all":
        return rows
    if "=" in group:
        other, code = group.split("=", 1)
        return rows[rows[other].astype("string") == code]
    return rows[rows["role"] == group]


def _answered(rows: pd.DataFrame, item: dict) -> pd.DataFrame:
    if item["type"] == "multi_choice":
        cols = [c for c in rows.columns if c.startswith(f"{item['id']}__")]
        return rows[rows[cols].notna().any(axis=1)]
    return rows[rows[item["id"]].notna()]


def _hits(rows: pd.DataFrame, item: dict, options: list[str]) -> int:
    """Answerers who chose any of ``options`` (ticked, for multiple response)."""
    if item["type"] == "multi_choice":
        ticked = rows[[f"{item['id']}__{o}" for o in options]].fillna(0).astype(float)
        return int((ticked.sum(axis=1) > 0).sum())
    if item["type"] == "binary":
        return int((rows[item["id"]].astype(float) == 1).sum())
    values = rows[item["id"]]
    if item["type"] == "numeric":
        return int(values.astype(float).isin([float(o) for o in options]).sum())
    return int(values.astype("string").isin(options).sum())


def _item_values(rows: pd.DataFrame, item: dict) -> pd.Series:
    return rows[item["id"]].dropna().astype(float)


def _from_stats(stats: pd.DataFrame, entry: dict) -> float | None:
    hit = stats[
        (stats["item"] == entry.get("item"))
        & (stats["group"] == entry["group"])
        & (stats["statistic"] == entry["statistic"])
    ]
    return None if hit.empty else float(hit["value"].iloc[0])


def compute_value(
    entry: dict,
    program: dict,
    responses: pd.DataFrame,
    codes: pd.DataFrame,
    stats: pd.DataFrame,
) -> float:
    """The pipeline's value for one published entry (raises ValueError if impossible)."""
    statistic, group = entry["statistic"], entry.get("group")
    if statistic in ("invited", "paired", "responded", "response_rate"):
        return _participation_value(entry, program, responses)
    if statistic in ("categories", "subcategories"):
        column = "category" if statistic == "categories" else ["category", "subcategory"]
        return float(len(codes[column].drop_duplicates()))
    if statistic in STATS_STATISTICS:
        value = _from_stats(stats, entry)
        if value is None:
            raise ValueError(f"stats.csv has no {statistic} for {entry.get('item')} ({group})")
        return value
    if entry.get("items"):  # an aggregate over several items and groups, e.g. a range
        values = {
            (i, g): compute_value({**entry, "item": i, "group": g, "items": None}, program,
                                  responses, codes, stats)
            for i in entry["items"] for g in entry["groups"]
        }
        if entry["aggregate"] == "count_first_higher":  # "mentees higher in three items"
            first, second = entry["groups"]
            return float(sum(values[(i, first)] > values[(i, second)] for i in entry["items"]))
        return float(min(values.values()) if entry["aggregate"] == "min"
                     else max(values.values()))
    item = _item(program, entry["item"])
    if statistic == "p":  # from stats.csv, so the paper's p and the report's are one number
        value = _from_stats(stats, entry)
        if value is None:
            raise ValueError(f"stats.csv has no test of {item['id']} for {group}")
        return value
    return _answer_value(entry, item, _members(responses, program, group, item))


def _participation_value(entry: dict, program: dict, responses: pd.DataFrame) -> float:
    """How many were invited or paired (the programme config's counts), responded, and the
    response rate."""
    statistic, group = entry["statistic"], entry.get("group")
    if statistic == "responded":
        return float(len(_members(responses, program, group, None)))
    if statistic == "response_rate":
        invited = _participation_value({**entry, "statistic": "invited"}, program, responses)
        return 100 * len(_members(responses, program, group, None)) / invited
    cohort = program["cohorts"][str(entry["_year"])]
    counts = cohort.get(statistic, {})
    key = "total" if group == "all" else group
    if key not in counts:
        why = cohort.get("invited_unknown") if statistic == "invited" else None
        raise ValueError(f"the number invited is unknown: {why.strip()}" if why else
                         f"no {statistic} count for '{group}' in the programme config")
    return float(counts[key])


def _answer_value(entry: dict, item: dict, rows: pd.DataFrame) -> float:
    """A statistic of one item's answers by one group's ``rows``: missing, n, mean, SD,
    median, count and percent of the entry's options."""
    statistic, group = entry["statistic"], entry.get("group")
    if statistic == "missing":
        return float(len(rows) - len(_answered(rows, item)))
    answered = _answered(rows, item)
    if statistic == "n":
        return float(len(answered))
    if statistic in ("mean", "sd", "median"):
        values = _item_values(answered, item)
        return float({"mean": values.mean(), "sd": values.std(ddof=1),
                      "median": values.median()}[statistic])
    options = entry.get("options") or ([entry["option"]] if "option" in entry else [])
    count = _hits(answered, item, [str(o) for o in options])
    if statistic == "count":
        return float(count)
    if statistic == "percent":
        if len(answered) == 0:
            raise ValueError(f"nobody in '{group}' answered {item['id']}")
        return 100 * count / len(answered)
    raise ValueError(f"unknown statistic '{statistic}'")


# --------------------------------------------------------------------------------------
# comparing and tabulating
# --------------------------------------------------------------------------------------


def precision_of(entry: dict) -> str:
    """How the printed value is compared, in words for the table."""
    if "claim" in entry:
        return f"p >= {SIGNIFICANCE}"
    if entry["statistic"] == "rank_order":
        return "order of mean ranks"
    if entry.get("computable") is False:
        return ""
    if "within" in entry:
        lo, hi = entry["within"]
        return f"within [{lo}, {hi}]"
    if entry["statistic"] in COUNT_STATISTICS or entry.get("aggregate") == "count_first_higher":
        return "exact"
    decimals = printed_decimals(entry["printed"])
    return f"{decimals} decimal{'s' if decimals != 1 else ''}"


def status_of(entry: dict, computed: float) -> str:
    if "claim" in entry:
        return "reproduced" if computed >= SIGNIFICANCE else "differs"
    if "within" in entry:
        lo, hi = entry["within"]
        return "reproduced" if lo <= computed <= hi else "differs"
    if entry["statistic"] in COUNT_STATISTICS or entry.get("aggregate") == "count_first_higher":
        return "reproduced" if computed == int(entry["printed"]) else "differs"
    printed = Decimal(entry["printed"])
    rounded = round_half_up(computed, printed_decimals(entry["printed"]))
    return "reproduced" if rounded == printed else "differs"


def _ratio_note(entry: dict, stats: pd.DataFrame) -> str:
    """Risk ratio with its CI, and the odds ratio, so both readings are on the table."""
    def get(statistic):
        return _from_stats(stats, {**entry, "statistic": statistic})

    rr, lo, hi, odds = (get(s) for s in ("risk_ratio", "risk_ratio_ci_low",
                                          "risk_ratio_ci_high", "odds_ratio"))
    if None in (rr, lo, hi, odds):
        return ""
    return f"RR {rr:.2f} (95% CI {lo:.2f}-{hi:.2f}); the odds ratio would be {odds:.2f}"


def rank_order(stats: pd.DataFrame, entry: dict) -> str:
    """Options of a ranking item in order of mean rank (stats.csv), most preferred first,
    as ``"a > b > c"`` (``=`` joins tied options).

    >>> stats = pd.DataFrame({"item": ["q"] * 3, "group": ["g"] * 3, "option": list("abc"),
    ...                       "statistic": ["mean_rank"] * 3, "value": [2.0, 1.0, 2.0]})
    >>> rank_order(stats, {"item": "q", "group": "g"})
    'b > a = c'
    """
    rows = stats[(stats["item"] == entry["item"]) & (stats["group"] == entry["group"])
                 & (stats["statistic"] == "mean_rank")]
    parts: list[list[str]] = []
    last = None
    for option, value in sorted(zip(rows["option"], rows["value"], strict=True),
                                key=lambda pair: pair[1]):
        if value == last:
            parts[-1].append(str(option))
        else:
            parts.append([str(option)])
        last = value
    return " > ".join(" = ".join(tied) for tied in parts)


def _format(value: float) -> str:
    return format(float(np.float64(value)), ".6g")


def reproduce(
    published: dict,
    program: dict,
    responses: pd.DataFrame,
    codes: pd.DataFrame,
    stats: pd.DataFrame,
) -> pd.DataFrame:
    """One row per published value: printed, computed, precision, status and note."""
    year = str(published["year"])
    variant = mwu_variant(published)
    rows = []
    for entry in published["values"]:
        entry = {**entry, "_year": year, "printed": str(entry["printed"])}
        notes = [entry.get("note", "")]
        if entry.get("computable") is False:
            computed, status = "", "not computable"
            notes.append(entry["why"])
        elif entry["statistic"] == "rank_order":
            computed = rank_order(stats, entry)
            status = "reproduced" if computed == entry["printed"] else "differs"
            if entry.get("assumed") and status == "reproduced":
                status = "assumed"
                notes.append(f"assumed: {entry['assumed']}")
        else:
            try:
                value = compute_value(entry, program, responses, codes, stats)
            except ValueError as err:  # e.g. no invited count, nobody answered
                computed, status = "", "not computable"
                notes.append(str(err))
            else:
                computed, status = _format(value), status_of(entry, value)
                if entry.get("assumed") and status == "reproduced":
                    status = "assumed"  # circular: the data were built to satisfy it
                    notes.append(f"assumed: {entry['assumed']}")
        if status != "not computable":
            if entry["statistic"] in ("risk_ratio", "odds_ratio"):
                notes.append(_ratio_note(entry, stats))
            if entry["statistic"] == "p" and "_vs_" in entry.get("group", ""):
                notes.append(f"Mann-Whitney variant: {variant}, as in the cohort report")
        item = entry.get("item") or "; ".join(entry.get("items", []))
        option = entry.get("option") or " + ".join(map(str, entry.get("options", [])))
        group = entry.get("group") if "groups" not in entry else (
            f"{entry['aggregate']} over {', '.join(entry['groups'])}")
        rows.append([
            published["program"], year, entry["source"], entry["statistic"], item,
            str(option), group, entry["printed"], computed, precision_of(entry), status,
            "; ".join(n for n in notes if n),
        ])
    return pd.DataFrame(rows, columns=REPRODUCTION_COLUMNS)
