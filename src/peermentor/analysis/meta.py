"""Random-effects meta-analysis of per-cohort effects, as metafor's ``rma()`` reports it.

:func:`pool` takes one row per cohort (``estimate``, ``se``) and returns one tidy row:
the pooled estimate with its standard error, its test (``stat``: z, or t under
Knapp-Hartung, and ``p``) and 95% confidence interval, the 95% prediction interval, the
between-cohort variance ``tau2`` (``tau2_at_zero`` says when it sits at its boundary 0:
no heterogeneity beyond sampling error was estimated, so the random-effects answer is
the fixed-effect one), ``i2`` (percent), Cochran's ``q`` with its p-value, ``k`` and the
method. PyMARE fits the model (REML, as metafor's default, or DerSimonian-Laird).

The Knapp-Hartung choice is explicit in every call, ours and PyMARE's: PyMARE made
Knapp-Hartung the default of its estimators in 0.0.11 (its PR 139), metafor's default
is the z test, so a default would mean different intervals in different releases.
``knapp_hartung=False`` is metafor's ``test="z"`` (PyMARE's
``small_sample_correction="wald"``); ``True`` is metafor's ``test="knha"``, the
Hartung-Knapp-Sidik-Jonkman standard error with t on k - 1 degrees of freedom
(PyMARE's ``"knapp-hartung"``, not its ``"knapp-hartung-conservative"``).

Two quantities PyMARE does not report are taken as metafor defines them (Viechtbauer
2010, J Stat Softw 36(3); Higgins & Thompson 2002):

* ``i2 = 100 * tau2 / (tau2 + s2)`` with the "typical" within-cohort variance
  ``s2 = (k - 1) * sum(w) / (sum(w)**2 - sum(w**2))``, ``w = 1 / se**2``. For DL this
  equals the Q-based ``(Q - df) / Q``; for REML it is what metafor prints.
* the prediction interval ``estimate +/- crit * sqrt(se**2 + tau2)``, ``crit`` the normal
  quantile (metafor's ``predict()`` with ``test="z"``) or the t quantile on k - 1 df
  under Knapp-Hartung (``test="knha"``).

>>> import pandas as pd
>>> frame = pd.DataFrame({"estimate": [0.2, 0.5, 0.35], "se": [0.1, 0.12, 0.15]})
>>> row = pool(frame, knapp_hartung=False).iloc[0]
>>> int(row["k"]), row["method"], bool(row["ci_low"] < row["estimate"] < row["ci_high"])
(3, 'REML', True)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pymare import Dataset
from pymare.estimators import DerSimonianLaird, VarianceBasedLikelihoodEstimator
from scipy import stats as sps

from peermentor.analysis.stats import round_values

#: Columns of the frame :func:`pool` returns, in order.
POOLED_COLUMNS = [
    "k",
    "estimate",
    "se",
    "stat",
    "p",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "tau2",
    "tau2_at_zero",
    "i2",
    "q",
    "q_df",
    "q_p",
    "method",
    "ci_method",
]

METHODS = {"reml": "REML", "dl": "DL"}


def _estimator(method: str, knapp_hartung: bool):
    # Always named: PyMARE's own default changed from "wald" to "knapp-hartung" in 0.0.11.
    correction = "knapp-hartung" if knapp_hartung else "wald"
    if method == "reml":
        return VarianceBasedLikelihoodEstimator(method="REML", small_sample_correction=correction)
    return DerSimonianLaird(small_sample_correction=correction)


def pool(
    frame: pd.DataFrame,
    method: str = "reml",
    *,
    knapp_hartung: bool,
    level: float = 0.95,
) -> pd.DataFrame:
    """Pool per-cohort effects with a random-effects model; one tidy row.

    ``frame`` has one row per cohort with ``estimate`` and ``se`` (the standard error,
    on the scale that is pooled: log for ratios, Fisher z for correlations). ``method``
    is ``"reml"`` (default, as metafor) or ``"dl"`` (DerSimonian-Laird);
    ``knapp_hartung`` (required: no default, see the module notes) ``True`` gives the
    Hartung-Knapp-Sidik-Jonkman standard error with t intervals and test on k - 1
    degrees of freedom, ``False`` the z test and interval. Needs k >= 2 finite estimates
    with positive standard errors.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"estimate": [0.0, 0.0], "se": [0.1, 0.1]})
    >>> row = pool(frame, method="dl", knapp_hartung=False).iloc[0]
    >>> int(row["k"]), float(row["estimate"]), float(row["tau2"]), row["ci_method"]
    (2, 0.0, 0.0, 'z')
    >>> bool(row["tau2_at_zero"]), float(row["stat"]), float(row["p"])
    (True, 0.0, 1.0)
    """
    if not isinstance(knapp_hartung, bool):
        raise ValueError(f"pool: knapp_hartung must be True or False, not {knapp_hartung!r}")
    key = str(method).lower()
    if key not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    for col in ("estimate", "se"):
        if col not in frame.columns:
            raise ValueError(f"pool: frame needs columns 'estimate' and 'se' (missing '{col}')")
    y = frame["estimate"].to_numpy(dtype=float)
    se = frame["se"].to_numpy(dtype=float)
    bad = ~np.isfinite(y) | ~np.isfinite(se) | (se <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"pool: row {row} has estimate {y[row]!r} and se {se[row]!r}; every row needs a "
            "finite estimate and a positive standard error"
        )
    k = len(y)
    if k < 2:
        raise ValueError(f"pool: needs at least 2 cohorts, got {k}")
    v = se**2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = _estimator(key, knapp_hartung).fit_dataset(Dataset(y=y, v=v)).summary()
        fe = fit.get_fe_stats(alpha=1 - level)
        het = fit.get_heterogeneity_stats()
    estimate = float(np.ravel(fe["est"])[0])
    pooled_se = float(np.ravel(fe["se"])[0])
    tau2 = float(np.ravel(fit.tau2)[0])
    # z, or t on k - 1 df under Knapp-Hartung (PyMARE's "z" there is a z-equivalent);
    # PyMARE's p is referred to the matching distribution.
    stat = estimate / pooled_se if pooled_se > 0 else float("nan")
    q = float(np.ravel(het["Q"])[0])
    w = 1.0 / v
    typical = (k - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())
    i2 = 100.0 * tau2 / (tau2 + typical)
    if knapp_hartung:
        crit = float(sps.t.ppf(1 - (1 - level) / 2, k - 1))
    else:
        crit = float(sps.norm.ppf(1 - (1 - level) / 2))
    half_pi = crit * np.sqrt(pooled_se**2 + tau2)
    row = {
        "k": k,
        "estimate": estimate,
        "se": pooled_se,
        "stat": stat,
        "p": float(np.ravel(fe["p"])[0]),
        "ci_low": float(np.ravel(fe["ci_l"])[0]),
        "ci_high": float(np.ravel(fe["ci_u"])[0]),
        "pi_low": estimate - half_pi,
        "pi_high": estimate + half_pi,
        "tau2": tau2,
        "tau2_at_zero": tau2 <= 0.0,
        "i2": i2,
        "q": q,
        "q_df": k - 1,
        "q_p": float(np.ravel(het["p(Q)"])[0]),
        "method": METHODS[key],
        "ci_method": f"knapp-hartung t(df={k - 1})" if knapp_hartung else "z",
    }
    return pd.DataFrame([row], columns=POOLED_COLUMNS)


#: Columns of ``pooled.csv`` (:func:`pool_effects`).
POOLED_TABLE_COLUMNS = ["construct", "comparison", "metric", "scale", "k", "cohorts",
                        *POOLED_COLUMNS[1:], "note"]

#: Note of a pooled row whose tau2 sits at its boundary.
TAU2_AT_ZERO = ("tau2 at its boundary 0: no heterogeneity beyond sampling error estimated; "
                "the CI is the fixed-effect one and the PI equals it")

#: Back-transformation from the pooled scale to the metric's own scale.
INVERSE = {"identity": lambda v: v, "log": np.exp, "atanh": np.tanh}


def pool_effects(
    effects: pd.DataFrame, method: str = "reml", *, knapp_hartung: bool
) -> pd.DataFrame:
    """``pooled.csv``: one random-effects row per construct x comparison x metric, k >= 2.

    ``effects`` is ``effects.csv`` (:func:`peermentor.analysis.effects.cohort_effects`). Only like
    with like: never across comparisons (mentors vs mentees with mentors vs
    non-mentors) or metrics. Rows without a construct or without a finite pooled-scale
    SE are left out; a cohort with several items of one construct contributes its first
    (codebook order), so cohorts stay independent. ``estimate``, the CI and the PI are
    back on the metric's scale (ratios exponentiated, r from Fisher z); ``se`` and
    ``tau2`` stay on the pooled scale named in ``scale``, as do ``stat`` and ``p`` (the
    test of no effect: 0 on that scale, 1 for a ratio). ``knapp_hartung`` as in
    :func:`pool`, required.

    >>> effects = pd.DataFrame({"program": ["a", "b"], "year": ["2024", "2024"],
    ...     "construct": "v", "comparison": "x_vs_y", "metric": "risk_ratio",
    ...     "pool_scale": "log", "pool_estimate": [0.0, 0.0], "pool_se": [0.2, 0.2]})
    >>> row = pool_effects(effects, knapp_hartung=False).iloc[0]
    >>> int(row["k"]), float(row["estimate"]), row["cohorts"]
    (2, 1.0, 'a 2024; b 2024')
    """
    usable = effects[
        (effects["construct"].fillna("") != "")
        & np.isfinite(pd.to_numeric(effects["pool_se"], errors="coerce"))
        & (pd.to_numeric(effects["pool_se"], errors="coerce") > 0)
        & np.isfinite(pd.to_numeric(effects["pool_estimate"], errors="coerce"))
    ]
    rows = []
    keys = ["construct", "comparison", "metric"]
    for (construct, comparison, metric), group in usable.groupby(keys, sort=True):
        first = group.drop_duplicates(["program", "year"], keep="first")
        dropped = len(group) - len(first)
        if len(first) < 2:
            continue
        scale = first["pool_scale"].iloc[0]
        frame = pd.DataFrame({"estimate": first["pool_estimate"].astype(float).to_numpy(),
                              "se": first["pool_se"].astype(float).to_numpy()})
        fit = pool(frame, method=method, knapp_hartung=knapp_hartung).iloc[0]
        back = INVERSE[scale]
        row = {
            "construct": construct, "comparison": comparison, "metric": metric,
            "scale": scale, "k": int(fit["k"]),
            "cohorts": "; ".join(f"{p} {y}" for p, y in zip(first["program"], first["year"],
                                                            strict=True)),
            **{col: float(back(fit[col])) for col in
               ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")},
            **{col: fit[col] for col in ("se", "stat", "p", "tau2", "tau2_at_zero", "i2", "q",
                                         "q_df", "q_p", "method", "ci_method")},
            "note": "; ".join(filter(None, [
                (f"{dropped} further item(s) of the construct in the same cohorts left out "
                 "(one effect per cohort)") if dropped else "",
                TAU2_AT_ZERO if fit["tau2_at_zero"] else ""])),
        }
        rows.append(row)
    table = pd.DataFrame(rows, columns=POOLED_TABLE_COLUMNS)
    for col in ("estimate", "se", "stat", "p", "ci_low", "ci_high", "pi_low", "pi_high",
                "tau2", "i2", "q", "q_p"):
        table[col] = round_values(table[col].astype(float))
    table["k"] = table["k"].astype("Int64")
    table["q_df"] = table["q_df"].astype("Int64")
    return table
