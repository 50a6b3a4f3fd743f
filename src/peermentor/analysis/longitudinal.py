"""Change between survey waves (pre/post designs): paired within person, and unpaired.

A longitudinal REDCap export (``import.events``) gives, besides the cohort's
responses, a long table of every wave: ``respondent_id, role, wave``, then the
codebook's columns. For each role and each Likert or numeric item, respondents who
answered in the first and the last wave are compared with the Wilcoxon
signed-rank test (scipy; exact for small samples without ties, as R) and the
matched-pairs rank-biserial correlation (as pingouin computes it) with a
percentile bootstrap 95% CI (scipy.stats.bootstrap, fixed seed); yes/no items
with McNemar's exact test (statsmodels). The unpaired view (every respondent of
each wave, whoever answered the other) adds n, mean and median per wave and the
Mann-Whitney U test between waves (pingouin).

Rows are tidy, as in ``stats.csv``: section ``change``; ``option`` empty for
the paired statistics and the wave id for the per-wave ones.

>>> waves = pd.DataFrame({"respondent_id": ["a", "b", "a", "b"],
...     "role": ["m"] * 4, "wave": ["pre", "pre", "post", "post"], "y": [0, 0, 1, 0]})
>>> program = {"roles": {"m": "M"}, "codebook": [{"id": "y", "type": "binary"}],
...            "import": {"events": {"e1": "pre", "e2": "post"}}}
>>> out = wave_change(waves, program)
>>> out.query("option == '' and group == 'm'")[["statistic", "value"]].values.tolist()
[['n_pairs', 2.0], ['yes_before', 0.0], ['yes_after', 1.0], ['no_to_yes', 1.0], \
['yes_to_no', 0.0], ['mcnemar_p', 1.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar

from peermentor.ingest.config import analysed_roles
from peermentor.ingest.itemtypes import item_type
from peermentor.ingest.schema import to_typed
from peermentor.ingest.validate import read_raw_csv

SECTION = "change"
COLUMNS = ["section", "item", "option", "group", "statistic", "value"]
#: Bootstrap CIs of the rank-biserial correlation need a few pairs to mean anything.
MIN_PAIRS_FOR_CI = 5
BOOTSTRAP = {"n_resamples": 2000, "method": "percentile", "confidence_level": 0.95}
SEED = 20240601  # a fresh generator per CI: the same table on every run


def wave_order(program: dict, waves: pd.DataFrame | None = None) -> list[str]:
    """Waves in time order: as ``import.events`` declares them (present ones only).

    >>> wave_order({"import": {"events": {"b_arm_1": "pre", "e_arm_1": "post"}}})
    ['pre', 'post']
    """
    order = list(dict.fromkeys(program.get("import", {}).get("events", {}).values()))
    if waves is not None:
        present = set(waves["wave"])
        order = [w for w in order if w in present]
    return order


def load_waves(path: str, program: dict) -> pd.DataFrame:
    """The importer's ``waves.csv`` with analysis types (empty without waves)."""
    frame = read_raw_csv(path, require_rows=False)
    if frame.empty:
        return frame
    return to_typed(frame, program)


def paired(waves: pd.DataFrame, item: str, before: str, after: str) -> pd.DataFrame:
    """One row per respondent who answered ``item`` in both waves: role, before, after."""
    wide = waves.pivot_table(index=["respondent_id", "role"], columns="wave", values=item,
                             aggfunc="first", observed=True)
    if before not in wide or after not in wide:
        return pd.DataFrame(columns=["respondent_id", "role", "before", "after"])
    wide = wide[[before, after]].dropna().reset_index()
    return wide.set_axis(["respondent_id", "role", "before", "after"], axis=1)


def rank_biserial_of_changes(changes: np.ndarray, axis: int = -1) -> np.ndarray:
    """pingouin's matched-pairs rank-biserial (Kerby 2014) of after - before, vectorised
    over ``axis`` so that scipy's bootstrap can resample it quickly: zeros dropped,
    |changes| ranked (ties averaged), (rank sum up - rank sum down) / rank sum.
    tests/test_longitudinal.py checks it against ``pingouin.wilcoxon``'s RBC.
    """
    changes = np.moveaxis(np.asarray(changes, float), axis, -1)
    ranks = sps.rankdata(np.where(changes == 0, np.nan, np.abs(changes)), axis=-1,
                         nan_policy="omit")
    signed = np.nansum(np.sign(changes) * ranks, axis=-1)
    total = np.nansum(ranks, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return signed / total


def signed_rank(before: np.ndarray, after: np.ndarray) -> dict[str, float]:
    """Wilcoxon signed-rank of after vs before, rank-biserial r (positive: higher after).

    The r equals ``pingouin.wilcoxon``'s RBC (computed vectorised, for the bootstrap).

    >>> d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    >>> out = signed_rank(np.zeros(15), np.array(d, float))
    >>> out["wilcoxon_w"], round(out["wilcoxon_p"], 6), round(out["rank_biserial"], 12)
    (24.0, 0.04126, 0.6)
    """
    out = {"wilcoxon_w": np.nan, "wilcoxon_p": np.nan, "rank_biserial": np.nan,
           "rank_biserial_ci_low": np.nan, "rank_biserial_ci_high": np.nan}
    if len(before) == 0 or np.all(after == before):
        return out  # no pair, or nobody changed: nothing to test
    changes = after - before
    nonzero = np.abs(changes[changes != 0])
    # As R's wilcox.test: exact without ties or zeros (n < 50), else the normal
    # approximation with continuity correction (scipy's exact-with-ties is a slow
    # permutation, and not what researchers' software reports).
    exact = len(nonzero) == len(changes) and len(set(nonzero)) == len(nonzero) and \
        len(changes) < 50
    test = sps.wilcoxon(after, before, method="exact" if exact else "approx",
                        correction=not exact, zero_method="wilcox")
    out.update(wilcoxon_w=float(test.statistic), wilcoxon_p=float(test.pvalue),
               rank_biserial=float(rank_biserial_of_changes(changes)))
    if len(before) >= MIN_PAIRS_FOR_CI:
        ci = sps.bootstrap((after - before,), rank_biserial_of_changes, vectorized=True,
                           rng=np.random.default_rng(SEED), **BOOTSTRAP).confidence_interval
        out.update(rank_biserial_ci_low=float(ci.low), rank_biserial_ci_high=float(ci.high))
    return out


def _paired_rows(pairs: pd.DataFrame, item: dict, group: str) -> list[tuple]:
    before = pairs["before"].to_numpy(float)
    after = pairs["after"].to_numpy(float)
    rows = [("n_pairs", len(pairs))]
    if item["type"] == "binary":
        table = pd.crosstab(pd.Categorical(before, [0.0, 1.0]), pd.Categorical(after, [0.0, 1.0]),
                            dropna=False).to_numpy()
        rows += [("yes_before", before.sum()), ("yes_after", after.sum()),
                 ("no_to_yes", table[0, 1]), ("yes_to_no", table[1, 0]),
                 ("mcnemar_p", mcnemar(table, exact=True).pvalue if len(pairs) else np.nan)]
    else:
        rows += [("median_before", np.median(before) if len(pairs) else np.nan),
                 ("median_after", np.median(after) if len(pairs) else np.nan),
                 ("median_change", np.median(after - before) if len(pairs) else np.nan),
                 *signed_rank(before, after).items()]
    return [(SECTION, item["id"], "", group, name, value) for name, value in rows]


def _unpaired_rows(waves: pd.DataFrame, item: dict, group: str, order: list[str]):
    rows = []
    answers = {w: waves.loc[waves["wave"] == w, item["id"]].dropna().astype(float)
               for w in order}
    for wave, values in answers.items():
        rows += [(SECTION, item["id"], wave, group, "n", len(values))]
        if item["type"] == "binary":
            rows += [(SECTION, item["id"], wave, group, "percent_yes",
                      100 * values.mean() if len(values) else np.nan)]
        else:
            rows += [(SECTION, item["id"], wave, group, name, value) for name, value in
                     (("mean", values.mean()), ("median", values.median()))]
    first, last = answers[order[0]], answers[order[-1]]
    if item["type"] != "binary" and len(first) and len(last) and len(order) > 1:
        test = pg.mwu(last, first)  # positive rank-biserial: higher in the last wave
        rows += [(SECTION, item["id"], "", group, name, float(test[column].iloc[0]))
                 for name, column in (("mwu_u", "U_val"), ("mwu_p", "p_val"),
                                      ("mwu_rank_biserial", "RBC"))]
    return rows


def wave_change(waves: pd.DataFrame, program: dict) -> pd.DataFrame:
    """Change from the first to the last wave, per role and for everyone (``all``)."""
    order = wave_order(program, waves) if len(waves) else []
    if len(order) < 2:
        return pd.DataFrame(columns=COLUMNS)
    before, after = order[0], order[-1]
    rows = []
    roles = analysed_roles(program)
    waves = waves[waves["role"].isin(roles)]
    groups = [*[(role, waves[waves["role"] == role]) for role in roles], ("all", waves)]
    for item in program.get("codebook", []):
        if not item_type(item).paired:
            continue
        for group, part in groups:
            if part.empty:
                continue
            rows += _paired_rows(paired(part, item["id"], before, after), item, group)
            rows += _unpaired_rows(part, item, group, order)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["value"] = out["value"].astype(float)
    return out
