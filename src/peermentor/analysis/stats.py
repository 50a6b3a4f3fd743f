"""Per-cohort statistics: small functions from tidy DataFrames to tidy DataFrames.

Every function takes the canonical ``responses`` frame of one cohort (see
``docs/data-contract.md``) and/or its qualitative ``codes``, plus the
programme dict from :func:`peermentor.ingest.config.load_program`, and returns a
long table with exactly the columns :data:`COLUMNS`::

    section, item, option, group, statistic, value

* ``section``: ``participation``, ``qualitative``, or the codebook item's
  ``section`` (``items`` when the codebook gives none);
* ``item``: codebook item id (``participation`` for the participation flow, a
  category id for qualitative codes);
* ``option``: choice code, Likert level or subcategory, ``''`` when not
  applicable;
* ``group``: a role id, ``all`` (every *analysed* role that was asked the
  item) or ``<roleA>_vs_<roleB>`` for the between-role tests of the
  programme's ``comparison`` pair (``roleA`` first);
* ``value``: a float (NaN when undefined, e.g. the SD of one answer).

Descriptives cover analysed roles only (``excluded_roles`` appear in the
participation flow and nowhere else). Between-role tests run only when the
programme declares ``comparison`` and both roles were asked the item. The
maths is done by pingouin, scipy and statsmodels; this module only counts,
selects and reshapes.

>>> import pandas as pd
>>> program = {"roles": {"mentor": "Mentors", "mentee": "Mentees"},
...            "comparison": ["mentor", "mentee"],
...            "codebook": [{"id": "useful", "text": "Useful?", "type": "binary"}]}
>>> responses = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"],
...                           "role": ["mentor", "mentor", "mentee", "mentee"],
...                           "useful": [1, 1, 0, 1]})
>>> out = binary_summary(responses, program)
>>> out.query("group == 'all' and statistic == 'percent'")["value"].tolist()
[75.0]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as sps

from peermentor.analysis import methods
from peermentor.analysis.longitudinal import wave_change
from peermentor.analysis.mannwhitney import DEFAULT_MWU_VARIANT, mwu_p
from peermentor.analysis.measurement import scale_rows
from peermentor.ingest.config import (
    analysed_roles,
    asked_roles,
    cohort_meta,
    item_columns,
    items_of_type,
)

#: Columns of every table returned by this module.
COLUMNS = ["section", "item", "option", "group", "statistic", "value"]
#: Section used when a codebook item has no ``section``.
DEFAULT_SECTION = "items"
#: Group label for all analysed roles together.
ALL = "all"
#: Significant digits kept by :func:`analyse_cohort` (see :func:`round_values`).
SIGNIFICANT_DIGITS = 10

#: Display/sort order of statistics within one (section, item, option, group).
STATISTIC_ORDER = [
    "invited",
    "paired",
    "responded",
    "analysed",
    "excluded",
    "response_rate",
    "n",
    "count",
    "percent",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "omega",
    "n_complete",
    "item_total",
    "mean_rank",
    "share_first",
    "borda_points",
    "borda_rank",
    *(f"ranked_{r}" for r in range(1, 21)),
    "segments",
    "raised",
    "U",
    "rbc",
    "chi2",
    "dof",
    "cramers_v",
    "odds_ratio",
    "odds_ratio_ci_low",
    "odds_ratio_ci_high",
    "risk_ratio",
    "risk_ratio_ci_low",
    "risk_ratio_ci_high",
    "p",
    "p_holm",
]


# --------------------------------------------------------------------------- helpers


def _frame(rows: Iterable[Sequence]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=COLUMNS)
    for col in COLUMNS[:-1]:
        df[col] = df[col].astype(object)
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    return df


def _section(item: dict) -> str:
    return item.get("section") or DEFAULT_SECTION


def _item_roles(item: dict, program: dict) -> list[str]:
    """Analysed roles that were asked ``item``, in display order."""
    asked = asked_roles(program, item)
    return [r for r in analysed_roles(program) if r in asked]


def response_rate_note(program: dict, year: str | int) -> str:
    """Why a cohort has no response rate ("" when it has one or nothing says why).

    >>> response_rate_note({"cohorts": {"2020": {"invited_unknown": "not published"}}}, 2020)
    'Response rate not computable: the number invited is unknown (not published).'
    """
    reason = cohort_meta(program, year).get("invited_unknown")
    return (f"Response rate not computable: the number invited is unknown ({reason.strip()})."
            if reason else "")


def comparison_pair(item: dict | None, program: dict) -> tuple[str, str] | None:
    """The comparison roles if both were asked ``item`` and are analysed."""
    pair = program.get("comparison")
    if not pair or len(pair) != 2:
        return None
    asked = _item_roles(item, program) if item is not None else analysed_roles(program)
    if pair[0] in asked and pair[1] in asked:
        return pair[0], pair[1]
    return None


def _vs(pair: tuple[str, str]) -> str:
    return f"{pair[0]}_vs_{pair[1]}"


def _groups(item: dict, program: dict) -> list[tuple[str, list[str]]]:
    """(group label, roles) for each asked analysed role and for ``all``."""
    roles = _item_roles(item, program)
    if not roles:
        return []
    return [(r, [r]) for r in roles] + [(ALL, roles)]


def _numbers(series: pd.Series) -> pd.Series:
    """Numeric view of a column: NaN for missing (pd.NA, '', None)."""
    return pd.to_numeric(series.astype(object).replace("", np.nan), errors="coerce").astype(
        "float64"
    )


def _code(value) -> str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def _codes(series: pd.Series) -> pd.Series:
    """Choice codes as strings (``None`` for missing); ``2.0`` is read as ``'2'``."""
    return pd.Series([_code(v) for v in series], index=series.index, dtype=object)


def _in_roles(responses: pd.DataFrame, roles: Sequence[str]) -> pd.Series:
    return responses["role"].astype(object).isin(list(roles))


def _percent(count: float, n: float) -> float:
    return 100.0 * count / n if n else float("nan")


def _mwu(x: pd.Series, y: pd.Series, variant: str = DEFAULT_MWU_VARIANT) -> dict | None:
    """Mann-Whitney of two samples (NaN dropped); None when a sample is empty.

    ``U`` of the first sample (scipy), ``rbc`` the rank-biserial correlation
    2U/(n1 n2) - 1 (Wendt 1972, as pingouin.mwu computes it; positive when the first
    sample is higher) and ``p`` under ``variant`` (:data:`MWU_VARIANTS`). The
    asymptotic variants cost O(n log n): nothing here builds an n1 x n2 matrix, as
    pingouin.mwu does, which runs out of memory for whole-school exports.
    """
    x, y = x.dropna().to_numpy(float), y.dropna().to_numpy(float)
    if len(x) == 0 or len(y) == 0:
        return None
    u = float(sps.mannwhitneyu(x, y, method="asymptotic").statistic)
    return {"U": u, "rbc": 2 * u / (len(x) * len(y)) - 1, "p": mwu_p(x, y, variant)}


def _independence(answers: pd.Series, roles: pd.Series, pair: tuple[str, str]) -> dict:
    """Chi-square (pingouin) or, for a 2x2 table, Fisher exact (scipy) of answer by role.

    Categories nobody in the two roles chose are dropped first; fewer than two
    observed categories (or an empty role) gives no test.
    """
    data = pd.DataFrame({"role": roles.astype(object), "answer": answers}).dropna()
    data = data[data["role"].isin(pair)]
    table = pd.crosstab(data["role"], data["answer"])
    if table.shape[0] < 2 or table.shape[1] < 2:
        return {}
    if table.shape == (2, 2):
        res = sps.fisher_exact(table.loc[list(pair)].to_numpy())
        return {"p": float(res.pvalue)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, tests = pg.chi2_independence(data, x="role", y="answer")
    pearson = tests.set_index("test").loc["pearson"]
    return {
        "chi2": float(pearson["chi2"]),
        "dof": float(pearson["dof"]),
        "cramers_v": float(pearson["cramer"]),
        "p": float(pearson["pval"]),
    }


def _continuous_rows(section: str, item_id: str, values: pd.Series, group: str, full: bool):
    x = values.dropna()
    n = len(x)
    rows = [(section, item_id, "", group, "n", n)]
    if n == 0:
        return rows
    rows += [
        (section, item_id, "", group, "mean", x.mean()),
        (section, item_id, "", group, "sd", x.std(ddof=1)),
        (section, item_id, "", group, "median", x.median()),
    ]
    if full:
        rows += [
            (section, item_id, "", group, "q1", x.quantile(0.25)),
            (section, item_id, "", group, "q3", x.quantile(0.75)),
        ]
    return rows


def _choice_rows(item: dict, responses: pd.DataFrame, program: dict, section: str) -> list:
    """Counts and percents per choice, per role and all, and the between-role test."""
    answers = _codes(responses[item["id"]])
    choices = [str(c) for c in item["choices"]]
    rows: list = []
    for group, roles in _groups(item, program):
        sub = answers[_in_roles(responses, roles)].dropna()
        n = len(sub)
        rows.append((section, item["id"], "", group, "n", n))
        for code in choices:
            count = int((sub == code).sum())
            rows.append((section, item["id"], code, group, "count", count))
            rows.append((section, item["id"], code, group, "percent", _percent(count, n)))
    pair = comparison_pair(item, program)
    if pair:
        test = _independence(answers, responses["role"], pair)
        rows += [(section, item["id"], "", _vs(pair), k, v) for k, v in test.items()]
    return rows


# --------------------------------------------------------------------------- analyses


def participation(responses: pd.DataFrame, program: dict, year: str | int) -> pd.DataFrame:
    """Participation flow per role and ``all``: invited, responded, analysed, excluded, rate.

    ``invited`` comes from the cohort's ``invited`` block (role keys; ``total``
    for ``all``, or the sum of the role counts when every role has one) and is
    omitted when unknown, as is ``response_rate`` (percent responded/invited; see
    :func:`response_rate_note` for why it is missing).
    ``paired`` (mentor-mentee matches per role, from the cohort's ``paired`` block) is
    reported as such, never as a number invited. ``analysed`` counts respondents of
    roles not in ``excluded_roles``.

    >>> import pandas as pd
    >>> program = {"roles": {"mentor": "Mentors", "other": "Other"},
    ...            "excluded_roles": ["other"],
    ...            "cohorts": {"2019": {"invited": {"total": 10}}}}
    >>> responses = pd.DataFrame({"respondent_id": ["a", "b", "c"],
    ...                           "role": ["mentor", "mentor", "other"]})
    >>> out = participation(responses, program, 2019).query("group == 'all'")
    >>> dict(zip(out["statistic"], out["value"]))
    {'invited': 10.0, 'responded': 3.0, 'analysed': 2.0, 'excluded': 1.0, 'response_rate': 30.0}
    """
    invited = dict(cohort_meta(program, year).get("invited") or {})
    paired = dict(cohort_meta(program, year).get("paired") or {})
    excluded_roles = set(program.get("excluded_roles", []))
    roles = list(program["roles"])
    if "total" not in invited and roles and all(r in invited for r in roles):
        invited["total"] = sum(invited[r] for r in roles)
    role_col = responses["role"].astype(object)
    rows = []
    for group in [*roles, ALL]:
        if group == ALL:
            responded = len(responses)
            excluded = int(role_col.isin(excluded_roles).sum())
            inv = invited.get("total")
        else:
            responded = int((role_col == group).sum())
            excluded = responded if group in excluded_roles else 0
            inv = invited.get(group)
        if inv is not None:
            rows.append(("participation", "participation", "", group, "invited", inv))
        if group in paired:
            rows.append(("participation", "participation", "", group, "paired", paired[group]))
        rows += [
            ("participation", "participation", "", group, "responded", responded),
            ("participation", "participation", "", group, "analysed", responded - excluded),
            ("participation", "participation", "", group, "excluded", excluded),
        ]
        if inv is not None:
            rate = _percent(responded, inv)
            rows.append(("participation", "participation", "", group, "response_rate", rate))
    return _frame(rows)


def demographics(
    responses: pd.DataFrame, program: dict, mwu_variant: str = DEFAULT_MWU_VARIANT
) -> pd.DataFrame:
    """Demographics by role with balance tests between the ``comparison`` roles.

    Items of section ``demographics``: ``single_choice`` gives ``n`` and per
    choice ``count`` and ``percent`` (of those who answered), tested with
    Fisher exact (2x2 observed table, scipy) or chi-square (pingouin,
    Pearson: ``chi2``, ``dof``, ``cramers_v``, ``p``); ``numeric`` gives
    ``n``, ``mean``, ``sd``, ``median``, tested with Mann-Whitney (``U``, ``rbc``,
    ``p`` under ``mwu_variant``; see :func:`_mwu`). Binary and Likert demographics are handled by
    :func:`binary_summary` and :func:`likert_summary`.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A", "b": "B"}, "comparison": ["a", "b"],
    ...            "codebook": [{"id": "age", "text": "Age", "type": "numeric",
    ...                          "section": "demographics"}]}
    >>> responses = pd.DataFrame({"respondent_id": list("wxyz"), "role": list("aabb"),
    ...                           "age": [20, 22, 30, 32]})
    >>> out = demographics(responses, program)
    >>> out.query("group == 'a_vs_b' and statistic == 'U'")["value"].tolist()
    [0.0]
    """
    rows: list = []
    for item in program.get("codebook", []):
        if item.get("section") != "demographics":
            continue
        if item["type"] == "single_choice":
            rows += _choice_rows(item, responses, program, "demographics")
        elif item["type"] == "numeric":
            values = _numbers(responses[item["id"]])
            for group, roles in _groups(item, program):
                sub = values[_in_roles(responses, roles)]
                rows += _continuous_rows("demographics", item["id"], sub, group, full=False)
            pair = comparison_pair(item, program)
            if pair:
                res = _mwu(values[_in_roles(responses, [pair[0]])],
                           values[_in_roles(responses, [pair[1]])], mwu_variant)
                if res:
                    rows += [("demographics", item["id"], "", _vs(pair), k, v)
                             for k, v in res.items()]
    return _frame(rows)


def likert_summary(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Likert descriptives per item and role (and ``all``).

    ``n``, ``mean``, ``sd`` (ddof=1), ``median``, ``q1``, ``q3`` (pandas
    linear-interpolation quantiles) with ``option=''``, then ``count`` and
    ``percent`` (of ``n``) for every scale level with ``option`` = the level.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A"}, "codebook": [{"id": "q", "text": "Q",
    ...            "type": "likert", "scale": {"min": 1, "max": 3}}]}
    >>> responses = pd.DataFrame({"respondent_id": list("xyz"), "role": list("aaa"),
    ...                           "q": [1, 3, 3]})
    >>> out = likert_summary(responses, program).query("group == 'a'")
    >>> out.query("statistic == 'percent'")["value"].round(2).tolist()
    [33.33, 0.0, 66.67]
    """
    rows: list = []
    for item in items_of_type(program, "likert"):
        section, item_id = _section(item), item["id"]
        values = _numbers(responses[item_id])
        levels = range(int(item["scale"]["min"]), int(item["scale"]["max"]) + 1)
        for group, roles in _groups(item, program):
            sub = values[_in_roles(responses, roles)].dropna()
            rows += _continuous_rows(section, item_id, sub, group, full=True)
            for level in levels:
                count = int((sub == level).sum())
                rows.append((section, item_id, str(level), group, "count", count))
                rows.append((section, item_id, str(level), group, "percent",
                             _percent(count, len(sub))))
    return _frame(rows)


def likert_tests(
    responses: pd.DataFrame, program: dict, mwu_variant: str = DEFAULT_MWU_VARIANT
) -> pd.DataFrame:
    """Mann-Whitney U between the ``comparison`` roles for every Likert item.

    ``U`` (of the first role), ``rbc`` (rank-biserial; positive when the first
    role answers higher) and ``p`` under ``mwu_variant`` (the cohort's declared
    variant, default ``r_correct``: R's and SciPy's tie-corrected normal
    approximation with continuity correction; see
    :data:`peermentor.analysis.mannwhitney.MWU_VARIANTS`). ``p_holm`` is the
    Holm-adjusted p (pingouin.multicomp) within the family of the Likert items
    of one codebook section.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A", "b": "B"}, "comparison": ["a", "b"],
    ...            "codebook": [{"id": "q", "text": "Q", "type": "likert",
    ...                          "scale": {"min": 1, "max": 5}}]}
    >>> responses = pd.DataFrame({"respondent_id": list("vwxyz"), "role": list("aabbb"),
    ...                           "q": [5, 4, 1, 2, 2]})
    >>> out = likert_tests(responses, program)
    >>> out.set_index("statistic").loc[["U", "rbc"], "value"].tolist()
    [6.0, 1.0]
    """
    rows: list = []
    families: dict[str, list[tuple[str, str, float]]] = {}
    for item in items_of_type(program, "likert"):
        pair = comparison_pair(item, program)
        if not pair:
            continue
        values = _numbers(responses[item["id"]])
        res = _mwu(values[_in_roles(responses, [pair[0]])],
                   values[_in_roles(responses, [pair[1]])], mwu_variant)
        if not res:
            continue
        section = _section(item)
        rows += [(section, item["id"], "", _vs(pair), k, v) for k, v in res.items()]
        families.setdefault(section, []).append((item["id"], _vs(pair), res["p"]))
    for section, family in families.items():
        _, adjusted = pg.multicomp(np.array([p for *_, p in family], dtype=float),
                                   method="holm")
        rows += [(section, item_id, "", group, "p_holm", float(p_adj))
                 for (item_id, group, _), p_adj in zip(family, adjusted, strict=True)]
    return _frame(rows)


def _scale_as_item(scale: dict, program: dict) -> dict:
    """A scale as the roles see it: put to the roles asked every one of its items."""
    items = {i["id"]: i for i in program.get("codebook", [])}
    asked = [set(asked_roles(program, items[i])) for i in scale["items"]]
    return {"id": scale["id"], "roles": [r for r in program["roles"]
                                         if all(r in a for a in asked)]}


def scale_summary(
    responses: pd.DataFrame, program: dict, mwu_variant: str = DEFAULT_MWU_VARIANT
) -> pd.DataFrame:
    """Multi-item scales (:mod:`peermentor.analysis.measurement`): per role and ``all`` the score's
    ``n``, ``mean``, ``sd``, ``median``, ``q1``, ``q3``, Cronbach's ``alpha`` with
    ``alpha_ci_low``/``alpha_ci_high`` (Feldt), ``omega`` (total), ``n_complete`` and the
    corrected ``item_total`` correlation of each item (``option`` = item id); between the
    ``comparison`` roles the score's Mann-Whitney ``U``, ``rbc`` and ``p``.
    """
    rows = scale_rows(
        responses, program,
        groups=lambda scale: _groups(_scale_as_item(scale, program), program),
        pair=lambda scale: comparison_pair(_scale_as_item(scale, program), program),
        test=lambda x, y: _mwu(x, y, mwu_variant),
    )
    return _frame(rows)


def binary_summary(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Binary items: ``count`` of 1s, ``n`` answered and ``percent``, per role and all.

    Between the ``comparison`` roles (A first, B second): Fisher exact ``p``
    (scipy, on the raw counts), ``odds_ratio`` and ``risk_ratio`` (P(yes|A) /
    P(yes|B)) with 95% CIs (``*_ci_low``, ``*_ci_high``) from
    :func:`peermentor.analysis.methods.odds_ratio` and
    :func:`peermentor.analysis.methods.risk_ratio`,
    the numbers ``effects.csv`` shows: the odds ratio is the conditional MLE with its
    exact CI when any expected cell count is below 5, else the sample odds ratio with
    Woolf's CI; the risk ratio has the Katz CI. When any cell of the 2x2 table is zero,
    0.5 is added to *every* cell (Haldane-Anscombe) for the large-sample ratios. Items
    asked of one role only (item ``roles``) get descriptives only.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A", "b": "B"}, "comparison": ["a", "b"],
    ...            "codebook": [{"id": "y", "text": "Y", "type": "binary"}]}
    >>> responses = pd.DataFrame({"respondent_id": list("stuvwxyz"),
    ...                           "role": list("aaaabbbb"), "y": [1, 1, 1, 0, 1, 0, 0, 0]})
    >>> out = binary_summary(responses, program).set_index("statistic")
    >>> out.loc[["odds_ratio", "risk_ratio"], "value"].round(3).tolist()  # exact: R's 6.408309
    [6.408, 3.0]
    """
    rows: list = []
    for item in items_of_type(program, "binary"):
        section, item_id = _section(item), item["id"]
        values = _numbers(responses[item_id])
        tallies = {}
        for group, roles in _groups(item, program):
            sub = values[_in_roles(responses, roles)].dropna()
            n, count = len(sub), int((sub == 1).sum())
            tallies[group] = (count, n)
            rows += [
                (section, item_id, "", group, "count", count),
                (section, item_id, "", group, "n", n),
                (section, item_id, "", group, "percent", _percent(count, n)),
            ]
        pair = comparison_pair(item, program)
        if not pair:
            continue
        (a_yes, a_n), (b_yes, b_n) = tallies[pair[0]], tallies[pair[1]]
        if a_n == 0 or b_n == 0:
            continue
        table = np.array([[a_yes, a_n - a_yes], [b_yes, b_n - b_yes]])
        p = sps.fisher_exact(table).pvalue
        odds = methods.odds_ratio(a_yes, a_n, b_yes, b_n)
        ratio = methods.risk_ratio(a_yes, a_n, b_yes, b_n)
        group = _vs(pair)
        rows += [
            (section, item_id, "", group, "odds_ratio", odds["estimate"]),
            (section, item_id, "", group, "odds_ratio_ci_low", odds["ci_low"]),
            (section, item_id, "", group, "odds_ratio_ci_high", odds["ci_high"]),
            (section, item_id, "", group, "risk_ratio", ratio["estimate"]),
            (section, item_id, "", group, "risk_ratio_ci_low", ratio["ci_low"]),
            (section, item_id, "", group, "risk_ratio_ci_high", ratio["ci_high"]),
            (section, item_id, "", group, "p", p),
        ]
    return _frame(rows)


def choice_summary(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Single-choice items outside ``demographics``: ``n``, per-option ``count``/``percent``.

    Percent is of the respondents of the group who answered the item. Between
    the ``comparison`` roles: Fisher exact ``p`` when the observed table is
    2x2, otherwise Pearson chi-square (pingouin: ``chi2``, ``dof``,
    ``cramers_v``, ``p``); options nobody in either role chose are left out of
    the test table.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A"}, "codebook": [{"id": "c", "text": "C",
    ...            "type": "single_choice", "choices": {"x": "X", "y": "Y"}}]}
    >>> responses = pd.DataFrame({"respondent_id": list("pqr"), "role": list("aaa"),
    ...                           "c": ["x", "y", None]})
    >>> out = choice_summary(responses, program).query("group == 'a'")
    >>> out.query("statistic == 'percent'")["value"].tolist()
    [50.0, 50.0]
    """
    rows: list = []
    for item in items_of_type(program, "single_choice"):
        if item.get("section") == "demographics":
            continue
        rows += _choice_rows(item, responses, program, _section(item))
    return _frame(rows)


def numeric_summary(
    responses: pd.DataFrame, program: dict, mwu_variant: str = DEFAULT_MWU_VARIANT
) -> pd.DataFrame:
    """Numeric items outside ``demographics``: ``n``, ``mean``, ``sd``, ``median``, ``q1``, ``q3``.

    Between the ``comparison`` roles: Mann-Whitney (``U``, ``rbc``, ``p``; see :func:`_mwu`).

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A"}, "codebook": [{"id": "meetings", "text": "M",
    ...            "type": "numeric", "section": "meetings"}]}
    >>> responses = pd.DataFrame({"respondent_id": list("pqr"), "role": list("aaa"),
    ...                           "meetings": [2, 4, 9]})
    >>> numeric_summary(responses, program).query("statistic == 'median'")["value"].tolist()
    [4.0, 4.0]
    """
    rows: list = []
    for item in items_of_type(program, "numeric"):
        if item.get("section") == "demographics":
            continue
        section, item_id = _section(item), item["id"]
        values = _numbers(responses[item_id])
        for group, roles in _groups(item, program):
            sub = values[_in_roles(responses, roles)]
            rows += _continuous_rows(section, item_id, sub, group, full=True)
        pair = comparison_pair(item, program)
        if pair:
            res = _mwu(values[_in_roles(responses, [pair[0]])],
                       values[_in_roles(responses, [pair[1]])], mwu_variant)
            if res:
                rows += [(section, item_id, "", _vs(pair), k, v) for k, v in res.items()]
    return _frame(rows)


def _expanded(responses: pd.DataFrame, item: dict) -> pd.DataFrame:
    cols = item_columns(item)
    block = pd.DataFrame({c: _numbers(responses[c]) for c in cols}, index=responses.index)
    block.columns = [str(code) for code in item["choices"]]
    return block


def multi_choice_summary(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Multiple-response items: percent of *respondents* per option, per role and all.

    ``n`` counts the group's respondents who answered the item (any non-empty
    cell among its ``<id>__<code>`` columns); ``count`` is how many of them
    ticked the option and ``percent`` = 100 * count / n. Percents therefore
    need not sum to 100.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A"}, "codebook": [{"id": "why", "text": "Why",
    ...            "type": "multi_choice", "choices": {"x": "X", "y": "Y"}}]}
    >>> responses = pd.DataFrame({"respondent_id": list("pqr"), "role": list("aaa"),
    ...                           "why__x": [1, 1, None], "why__y": [1, 0, None]})
    >>> out = multi_choice_summary(responses, program).query("group == 'a'")
    >>> dict(zip(out["option"] + ":" + out["statistic"], out["value"]))["y:percent"]
    50.0
    """
    rows: list = []
    for item in items_of_type(program, "multi_choice"):
        section, item_id = _section(item), item["id"]
        block = _expanded(responses, item)
        answered = block.notna().any(axis=1)
        for group, roles in _groups(item, program):
            sub = block[_in_roles(responses, roles) & answered]
            n = len(sub)
            rows.append((section, item_id, "", group, "n", n))
            for code in block.columns:
                count = int((sub[code] == 1).sum())
                rows.append((section, item_id, code, group, "count", count))
                rows.append((section, item_id, code, group, "percent", _percent(count, n)))
    return _frame(rows)


def ranking_summary(responses: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Ranking items: per option and group ``mean_rank``, ``share_first``, Borda points and order.

    ``n`` (option ``''``) counts respondents who ranked anything. With k
    choices, rank r earns k - r + 1 Borda points (unranked options earn 0);
    ``borda_points`` is their sum and ``borda_rank`` the option's place by
    points (1 = most preferred; ties share the best place, scipy
    ``rankdata(method='min')``). ``mean_rank`` is over respondents who ranked
    the option; ``share_first`` is the percent of the ``n`` who ranked it 1st;
    ``ranked_<r>`` counts the respondents who ranked it r-th (the cells the other
    statistics are computed from, which :mod:`peermentor.publish.privacy` protects).

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A"}, "codebook": [{"id": "pref", "text": "P",
    ...            "type": "ranking", "choices": {"x": "X", "y": "Y"}}]}
    >>> responses = pd.DataFrame({"respondent_id": list("pq"), "role": list("aa"),
    ...                           "pref__x": [2, 2], "pref__y": [1, 1]})
    >>> out = ranking_summary(responses, program).query("group == 'a'")
    >>> out.query("statistic == 'borda_rank'").set_index("option")["value"].to_dict()
    {'x': 2.0, 'y': 1.0}
    """
    rows: list = []
    for item in items_of_type(program, "ranking"):
        section, item_id = _section(item), item["id"]
        block = _expanded(responses, item)
        k = block.shape[1]
        answered = block.notna().any(axis=1)
        for group, roles in _groups(item, program):
            sub = block[_in_roles(responses, roles) & answered]
            n = len(sub)
            rows.append((section, item_id, "", group, "n", n))
            points = (k - sub + 1).sum(axis=0, skipna=True)
            order = sps.rankdata(-points.to_numpy(dtype=float), method="min")
            for code, place in zip(block.columns, order, strict=True):
                ranks = sub[code].dropna()
                mean_rank = ranks.mean() if len(ranks) else float("nan")
                first = _percent(int((ranks == 1).sum()), n)
                rows += [
                    (section, item_id, code, group, "mean_rank", mean_rank),
                    (section, item_id, code, group, "share_first", first),
                    (section, item_id, code, group, "borda_points", points[code]),
                    (section, item_id, code, group, "borda_rank", place if n else np.nan),
                ]
                # the cells behind the mean rank and the points (for disclosure control)
                rows += [(section, item_id, code, group, f"ranked_{r}", int((ranks == r).sum()))
                         for r in range(1, k + 1)]
    return _frame(rows)


def codes_summary(codes: pd.DataFrame | None, program: dict) -> pd.DataFrame:
    """Qualitative codes: which roles raised which categories (section ``qualitative``).

    One block per category (``item`` = category id, ``option=''``) and per
    subcategory (``option`` = subcategory label), for every programme role:
    ``segments`` (coded segments) and ``raised`` (1 if any, else 0).
    Categories and subcategories listed under ``qualitative`` appear even with
    no segments; ones found only in ``codes`` follow, sorted.

    >>> import pandas as pd
    >>> program = {"roles": {"a": "A", "b": "B"},
    ...            "qualitative": {"categories": [{"id": "gain", "label": "Gain"}]}}
    >>> codes = pd.DataFrame({"segment_id": ["1", "2"], "respondent_id": ["", ""],
    ...                       "source": ["interview"] * 2, "role": ["a", "a"],
    ...                       "category": ["gain", "gain"], "subcategory": ["", ""]})
    >>> out = codes_summary(codes, program).query("statistic == 'raised'")
    >>> dict(zip(out["group"], out["value"]))
    {'a': 1.0, 'b': 0.0}
    """
    categories = (program.get("qualitative") or {}).get("categories") or []
    if codes is None:
        codes = pd.DataFrame(columns=["role", "category", "subcategory"])
    roles = list(program["roles"])
    data = pd.DataFrame(
        {
            "role": _codes(codes["role"]) if len(codes) else pd.Series(dtype=object),
            "category": _codes(codes["category"]) if len(codes) else pd.Series(dtype=object),
            "subcategory": (
                _codes(codes["subcategory"])
                if len(codes) and "subcategory" in codes
                else pd.Series([None] * len(codes), dtype=object)
            ),
        }
    )
    if not categories and data.empty:
        return _frame([])
    data = data[data["role"].isin(roles)]
    known = [c["id"] for c in categories]
    extra = sorted(set(data["category"].dropna()) - set(known))
    subs_of = {c["id"]: [s["label"] for s in c.get("subcategories", [])] for c in categories}
    rows: list = []
    for cat in known + extra:
        in_cat = data[data["category"] == cat]
        listed = subs_of.get(cat, [])
        found = sorted(set(in_cat["subcategory"].dropna()) - set(listed))
        for option in ["", *listed, *found]:
            seg = in_cat if option == "" else in_cat[in_cat["subcategory"] == option]
            for role in roles:
                count = int((seg["role"] == role).sum())
                rows.append(("qualitative", cat, option, role, "segments", count))
                rows.append(("qualitative", cat, option, role, "raised", int(count > 0)))
    return _frame(rows)


# --------------------------------------------------------------------------- assembly


def round_values(values: pd.Series, digits: int = SIGNIFICANT_DIGITS) -> pd.Series:
    """Round floats to ``digits`` significant digits (NaN stays NaN, -0.0 becomes 0.0).

    Keeps CSV output byte-stable across platforms and library versions that
    differ only in the last bits of a float.

    >>> round_values(pd.Series([2 / 7, -0.0, 1234567.123456789])).tolist()
    [0.2857142857, 0.0, 1234567.123]
    """

    def one(v: float) -> float:
        if not math.isfinite(v):
            return v
        return float(f"{v:.{digits}g}") + 0.0

    return values.astype("float64").map(one).astype("float64")


def _rank_map(keys: Sequence) -> dict:
    return {k: i for i, k in enumerate(dict.fromkeys(keys))}


def _sort(stats: pd.DataFrame, program: dict) -> pd.DataFrame:
    codebook = program.get("codebook", [])
    categories = (program.get("qualitative") or {}).get("categories") or []
    sections = _rank_map(
        ["participation", "demographics", *[_section(i) for i in codebook],
         *[s.get("section") or "scales" for s in program.get("scales", [])], "qualitative"]
    )
    items = _rank_map(["participation", *[i["id"] for i in codebook],
                       *[s["id"] for s in program.get("scales", [])],
                       *[c["id"] for c in categories]])
    groups = _rank_map([*program["roles"], ALL])
    options: dict[str, dict] = {}
    for item in codebook:
        keys: list[str] = [""]
        if item["type"] == "likert":
            keys += [str(v) for v in range(int(item["scale"]["min"]),
                                           int(item["scale"]["max"]) + 1)]
        keys += [str(c) for c in item.get("choices") or {}]
        options[item["id"]] = _rank_map(keys)
    for cat in categories:
        options[cat["id"]] = _rank_map(["", *[s["label"] for s in cat.get("subcategories", [])]])
    statistics = _rank_map(STATISTIC_ORDER)
    big = 10**9
    keyed = stats.assign(
        _s=stats["section"].map(lambda v: sections.get(v, big)),
        _i=stats["item"].map(lambda v: items.get(v, big)),
        _g=stats["group"].map(lambda v: groups.get(v, big)),
        _o=[options.get(i, {"": 0}).get(o, big) for i, o in zip(stats["item"], stats["option"],
                                                                 strict=True)],
        _t=stats["statistic"].map(lambda v: statistics.get(v, big)),
    )
    keys = ["_s", "section", "_i", "item", "_g", "group", "_o", "option", "_t", "statistic"]
    keyed = keyed.sort_values(keys, kind="mergesort")
    return keyed[stats.columns].reset_index(drop=True)


def analyse_cohort(
    responses: pd.DataFrame,
    codes: pd.DataFrame | None,
    program: dict,
    year: str | int,
    mwu_variant: str = DEFAULT_MWU_VARIANT,
    waves: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All analyses of one cohort in one tidy table with leading ``program`` and ``year``.

    ``waves`` (a longitudinal export's every wave) adds the change between waves
    (:func:`peermentor.analysis.longitudinal.wave_change`, section ``change``).

    Concatenates :func:`participation`, :func:`demographics`,
    :func:`likert_summary`, :func:`likert_tests`, :func:`scale_summary`,
    :func:`binary_summary`,
    :func:`choice_summary`, :func:`numeric_summary`,
    :func:`multi_choice_summary`, :func:`ranking_summary` and
    :func:`codes_summary`. Values are rounded to :data:`SIGNIFICANT_DIGITS`
    (10) significant digits so that ``to_csv(index=False)`` is byte-identical
    across runs. Rows are sorted by section (participation, demographics,
    codebook sections in order of first appearance, qualitative), item
    (codebook order, then qualitative category order), group (roles in
    display order, ``all``, then between-role comparisons), option (``''``,
    then scale levels / choices / subcategories in codebook order) and
    statistic (:data:`STATISTIC_ORDER`); anything unlisted follows,
    alphabetically.

    >>> import pandas as pd
    >>> program = {"program": "demo", "roles": {"a": "A"},
    ...            "codebook": [{"id": "y", "text": "Y", "type": "binary"}]}
    >>> responses = pd.DataFrame({"respondent_id": list("pq"), "role": list("aa"),
    ...                           "y": [1, 0]})
    >>> out = analyse_cohort(responses, None, program, 2020)
    >>> list(out.columns)
    ['program', 'year', 'section', 'item', 'option', 'group', 'statistic', 'value']
    """
    parts = [
        participation(responses, program, year),
        demographics(responses, program, mwu_variant),
        likert_summary(responses, program),
        likert_tests(responses, program, mwu_variant),
        scale_summary(responses, program, mwu_variant),
        binary_summary(responses, program),
        choice_summary(responses, program),
        numeric_summary(responses, program, mwu_variant),
        multi_choice_summary(responses, program),
        ranking_summary(responses, program),
        codes_summary(codes, program),
    ]
    if waves is not None and len(waves):
        parts.append(wave_change(waves, program))
    stats = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else _frame([])
    stats["value"] = round_values(stats["value"])
    stats = _sort(stats, program)
    stats.insert(0, "year", str(year))
    stats.insert(0, "program", program.get("program", ""))
    return stats


def read_stats(paths: list[str]) -> pd.DataFrame:
    """Concatenate cohorts' ``stats.csv`` (or ``shared_stats.csv``) files (empty options,
    markers and rules stay ``''``)."""
    frames = [
        pd.read_csv(path, dtype={"year": str, "option": str}, keep_default_na=False,
                    na_values={"value": [""], "decimals": [""]})
        for path in paths
    ]
    return pd.concat(frames, ignore_index=True)
