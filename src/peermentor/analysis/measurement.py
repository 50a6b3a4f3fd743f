"""Multi-item scales: scoring, reliability and the scale score as one outcome.

A programme's YAML may group Likert items of one response scale into a scale::

    scales:
      - id: engagement
        text: Engagement with the programme
        items: [eng1, eng2, eng3, eng4]
        reverse: [eng3]          # reverse-keyed: scored min + max - answer
        score: mean              # the scoring rule: mean of the answered items
        min_answered: 3          # fewer answered items: no score (missing)
        construct: programme_design

The scale score enters the cohort's statistics, ``effects.csv`` and pooling as one
outcome of its construct, in place of its items (which then carry no construct of their
own). Per cohort and role, :func:`reliability` gives:

* Cronbach's alpha with its Feldt 95% CI (``pingouin.cronbach_alpha``, listwise:
  respondents who answered every item), as R's ``psych::alpha`` ``raw_alpha`` and
  ``psych::alpha(...)$feldt``;
* McDonald's omega total from a one-factor model, as ``psych::omega(nfactors=1)``:
  ``1 - sum(u2) / sum(R)``, ``R`` the item correlation matrix and ``u2`` the
  uniquenesses of a one-factor minres fit. statsmodels' iterated principal-axis
  factoring (``statsmodels.multivariate.factor.Factor(method="pa")``) converges to the
  minres (unweighted least squares) solution; it agrees with ``psych::fa(fm="minres")``
  to 6 decimals (``tests/test_measurement.py``). factor_analyzer, the usual Python
  choice, fails on scikit-learn 1.8 (``check_array(force_all_finite=...)``);
* corrected item-total correlations (each item against the sum of the others,
  ``psych::alpha``'s ``r.drop``).

>>> import pandas as pd
>>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
...                       "c": [1, 3, 3, 4, 5, 2]})
>>> out = reliability(items)
>>> out[["n", "k"]].iloc[0].tolist(), round(float(out["alpha"].iloc[0]), 3)
([6, 3], 0.932)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
from statsmodels.multivariate.factor import Factor

#: Columns of :func:`reliability`.
RELIABILITY_COLUMNS = ["alpha", "alpha_ci_low", "alpha_ci_high", "omega", "n", "k"]
#: ``stats.csv`` statistics of a scale (besides the score's n, mean, sd, median, q1, q3).
RELIABILITY_STATISTICS = ["alpha", "alpha_ci_low", "alpha_ci_high", "omega", "n_complete",
                          "item_total"]
DEFAULT_SECTION = "scales"


def scale_items(program: dict, scale: dict) -> list[dict]:
    """The codebook items of a scale, in the scale's order."""
    items = {i["id"]: i for i in program.get("codebook", [])}
    return [items[i] for i in scale["items"]]


def scored_items(responses: pd.DataFrame, program: dict, scale: dict) -> pd.DataFrame:
    """Respondents by items, reverse-keyed items scored ``min + max - answer``.

    >>> program = {"codebook": [{"id": "x", "type": "likert", "scale": {"min": 1, "max": 5}},
    ...                         {"id": "y", "type": "likert", "scale": {"min": 1, "max": 5}}]}
    >>> frame = pd.DataFrame({"x": [1, 5], "y": [1, 4]})
    >>> scored_items(frame, program, {"items": ["x", "y"], "reverse": ["y"]}).values.tolist()
    [[1.0, 5.0], [5.0, 2.0]]
    """
    reverse = set(scale.get("reverse") or [])
    columns = {}
    for item in scale_items(program, scale):
        values = pd.to_numeric(responses[item["id"]].astype(object).replace("", np.nan),
                               errors="coerce").astype("float64")
        if item["id"] in reverse:
            values = item["scale"]["min"] + item["scale"]["max"] - values
        columns[item["id"]] = values
    return pd.DataFrame(columns, index=responses.index)


def scale_score(items: pd.DataFrame, scale: dict) -> pd.Series:
    """The scoring rule: mean of the answered items, missing below ``min_answered``
    (default: every item).

    >>> items = pd.DataFrame({"x": [1.0, 2.0, None], "y": [3.0, None, None]})
    >>> scale_score(items, {"items": ["x", "y"], "min_answered": 1}).tolist()
    [2.0, 2.0, nan]
    """
    least = int(scale.get("min_answered") or len(items.columns))
    score = items.mean(axis=1, skipna=True)
    return score.where(items.notna().sum(axis=1) >= least)


def _omega_total(complete: pd.DataFrame) -> float:
    """psych::omega(nfactors=1)'s omega total: 1 - sum(u2) / sum(R), one-factor minres."""
    corr = complete.corr().to_numpy()
    if not np.isfinite(corr).all():
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = Factor(corr=corr, n_factor=1, method="pa", smc=True,
                         nobs=len(complete)).fit(maxiter=10_000, tol=1e-10)
        except (np.linalg.LinAlgError, ValueError):
            return float("nan")
    uniqueness = np.asarray(fit.uniqueness, dtype=float)
    if not np.isfinite(uniqueness).all():
        return float("nan")
    return float(1 - uniqueness.sum() / corr.sum())


def reliability(frame: pd.DataFrame) -> pd.DataFrame:
    """Cronbach's alpha with its Feldt 95% CI and McDonald's omega total of a
    respondents-by-items frame (items already reverse-keyed), on the respondents who
    answered every item: one row ``alpha, alpha_ci_low, alpha_ci_high, omega, n, k``.
    NaN where undefined (fewer than 3 complete respondents, or an item with no spread).
    """
    complete = frame.apply(pd.to_numeric, errors="coerce").dropna(axis=0, how="any")
    n, k = len(complete), frame.shape[1]
    row = dict.fromkeys(RELIABILITY_COLUMNS[:4], float("nan")) | {"n": n, "k": k}
    if n >= 3 and k >= 2 and (complete.std(ddof=1) > 0).all():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alpha, (low, high) = pg.cronbach_alpha(complete.astype(float), ci=0.95)
        row |= {"alpha": float(alpha), "alpha_ci_low": float(low),
                "alpha_ci_high": float(high), "omega": _omega_total(complete)}
    return pd.DataFrame([row], columns=RELIABILITY_COLUMNS)


def item_total(frame: pd.DataFrame) -> pd.Series:
    """Corrected item-total correlations: each item against the sum of the others
    (complete respondents; psych::alpha's ``r.drop``).

    >>> items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4], "c": [2, 1, 4, 3]})
    >>> item_total(items).round(3).tolist()
    [0.99, 0.447, 0.316]
    """
    complete = frame.apply(pd.to_numeric, errors="coerce").dropna(axis=0, how="any")
    total = complete.sum(axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.Series({c: complete[c].corr(total - complete[c]) for c in complete},
                         dtype="float64")


def scale_rows(responses: pd.DataFrame, program: dict, groups, pair, test) -> list[tuple]:
    """``stats.csv`` rows of every scale: per group the score's n, mean, sd, median, q1,
    q3, then alpha (Feldt CI), omega, the complete respondents and the corrected
    item-total correlations (``option`` = item id); the between-role test of the score
    (``test(x, y)``: the cohort's Mann-Whitney) for the comparison ``pair``.

    ``groups(scale)`` gives ``(group, roles)`` pairs; ``pair(scale)`` the compared roles
    or ``None`` (:mod:`peermentor.analysis.stats` passes its own helpers).
    """
    rows: list[tuple] = []
    roles = responses["role"].astype(object)
    for scale in program.get("scales", []):
        section, sid = scale.get("section") or DEFAULT_SECTION, scale["id"]
        items = scored_items(responses, program, scale)
        score = scale_score(items, scale)
        for group, members in groups(scale):
            inside = roles.isin(list(members))
            values = score[inside].dropna()
            rows.append((section, sid, "", group, "n", len(values)))
            if len(values):
                rows += [(section, sid, "", group, s, v) for s, v in (
                    ("mean", values.mean()), ("sd", values.std(ddof=1)),
                    ("median", values.median()), ("q1", values.quantile(0.25)),
                    ("q3", values.quantile(0.75)))]
            rel = reliability(items[inside]).iloc[0]
            rows += [(section, sid, "", group, s, rel[s]) for s in RELIABILITY_COLUMNS[:4]]
            rows.append((section, sid, "", group, "n_complete", rel["n"]))
            if rel["n"] >= 3:
                rows += [(section, sid, item_id, group, "item_total", r)
                         for item_id, r in item_total(items[inside]).items()]
        compared = pair(scale)
        if compared:
            res = test(score[roles == compared[0]], score[roles == compared[1]])
            if res:
                rows += [(section, sid, "", f"{compared[0]}_vs_{compared[1]}", k, v)
                         for k, v in res.items()]
    return rows
