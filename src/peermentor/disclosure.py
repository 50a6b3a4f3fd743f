"""The pipeline attacks its own outputs: which hidden counts can be worked out?

An attacker who reads everything the pipeline shares knows, for each hidden count
(a cell shown as ``<5``, ``suppressed``, or never printed, like how many chose each
answer of a Likert item), every equation and rounded statistic it enters. This module
enumerates, for each hidden cell, the values consistent with all of it (the attacker's
problem, as sdcTable's ``attack()`` and tau-argus's audit pose it for sums; here also for
percentages, means, SDs and quantiles at their printed precision). A hidden cell with a
single consistent value is *disclosed*.

:func:`likert_feasible` solves it for one group's answers to a Likert item: every
distribution of its ``n`` answers over the scale's levels that reproduces the shown
mean, SD, median and quartiles (and the combined shares a figure draws). The disclosure
policy (:func:`peermentor.privacy.share_stats`) uses it to choose how much of a group's
summary it may show.

>>> facts = {"mean": (4.6, 1), "sd": (0.5, 1)}
>>> feasible = likert_feasible(5, [1, 2, 3, 4, 5], facts)
>>> {level: values for level, values in feasible.items() if len(values) == 1}
{1: [0], 2: [0], 3: [0], 4: [2], 5: [3]}
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from peermentor.privacy import (
    COARSE_COLUMNS,
    DEFAULT_THRESHOLD,
    LABEL_COLUMNS,
    PARTICIPATION_STATISTICS,
    SHARE_STATISTICS,
    SIZE_COLUMNS,
    _kind,
    _printed_decimals,
    _size_key,
    _sums,
    _with_category_totals,
    _with_likert_parts,
    comparison_rule,
    is_cell,
    is_small,
    rule_sentence,
    shared_index,
    with_implied_cells,
    withheld_by_item,
)

#: Above this many candidate distributions a group is not enumerated (nothing is vouched
#: for, so the policy withholds what it cannot check).
MAX_CANDIDATES = 3_000_000
#: Slack on a rounding boundary: a value on the edge of a printed interval stays possible,
#: so that the true data are never ruled out by a floating-point difference.
EPSILON = 1e-9


def number_of_candidates(n: int, k: int) -> int:
    """How many ways ``n`` answers fall on ``k`` levels: C(n + k - 1, k - 1).

    >>> number_of_candidates(10, 5)
    1001
    """
    return math.comb(n + k - 1, k - 1)


def compositions(n: int, k: int) -> np.ndarray:
    """Every way to split ``n`` answers over ``k`` levels, one row each.

    >>> compositions(2, 2).tolist()
    [[0, 2], [1, 1], [2, 0]]
    """
    parts = np.zeros((1, 0), dtype=np.int32)
    left = np.array([n], dtype=np.int32)
    for _ in range(k - 1):
        repeats = left + 1
        starts = np.repeat(np.cumsum(repeats) - repeats, repeats)
        value = (np.arange(int(repeats.sum())) - starts).astype(np.int32)
        parts = np.column_stack([np.repeat(parts, repeats, axis=0), value])
        left = np.repeat(left, repeats) - value
    return np.column_stack([parts, left])


def quantiles(counts: np.ndarray, levels: np.ndarray, p: float) -> np.ndarray:
    """The ``p`` quantile of each row's answers (pandas' linear interpolation).

    >>> quantiles(np.array([[1, 2, 1]]), np.array([1, 2, 3]), 0.25).tolist()
    [1.75]
    """
    n = int(counts[0].sum())
    position = (n - 1) * p
    low = math.floor(position)
    high = min(low + 1, n - 1)
    cumulative = np.cumsum(counts, axis=1)
    at = lambda j: levels[(cumulative <= j).sum(axis=1)]  # noqa: E731
    below, above = at(low).astype(float), at(high).astype(float)
    return below + (position - low) * (above - below)


def _rounds_to(values: np.ndarray, shown: float, decimals: int | None) -> np.ndarray:
    """Which values print as ``shown`` (at ``decimals``; ``None``: equal as stored)."""
    if decimals is None:
        return np.abs(values - shown) <= EPSILON * max(1.0, abs(shown))
    half = 0.5 * 10.0 ** -decimals
    return np.abs(values - shown) <= half + EPSILON


def likert_feasible(n: int, levels: list[int], facts: dict,
                    threshold: int = 0) -> dict[int, list[int]] | None:
    """For each level, every count consistent with ``facts`` about one group's answers.

    ``facts`` (each optional): ``mean``, ``sd`` (SD with ddof 1), ``median``, ``q1``,
    ``q3`` as ``(shown value, decimals)`` (decimals ``None``: exact as stored);
    ``counts``: ``{level: count}`` known exactly; ``parts``: the answers below, at and
    above the midpoint (:func:`peermentor.privacy.likert_parts`), known exactly;
    ``some_small``: at least one level was chosen by 1 to ``threshold - 1`` (what a
    withheld distribution tells); ``parts_small``: at least one of the parts is that small.
    ``None`` when there are too many candidates to enumerate (:data:`MAX_CANDIDATES`).

    >>> likert_feasible(3, [1, 2, 3], {"median": (2, None), "mean": (2.0, 1)})[2]
    [1, 3]
    """
    found = _likert_rows(n, levels, facts, threshold)
    if found is None:
        return None
    return {level: sorted({int(v) for v in found[:, j]}) for j, level in enumerate(levels)}


def _likert_rows(n: int, levels: list[int], facts: dict,
                 threshold: int = 0) -> np.ndarray | None:
    """The distributions consistent with ``facts`` (:func:`likert_feasible`), one row
    each; ``None`` when there are too many to enumerate."""
    k = len(levels)
    if number_of_candidates(n, k) > MAX_CANDIDATES:
        return None
    scale = np.asarray(levels)
    counts = compositions(n, k)
    keep = np.ones(len(counts), dtype=bool)
    if n and ("mean" in facts or "sd" in facts):
        total = counts @ scale
        squares = counts @ (scale ** 2)
        mean = total / n
        if "mean" in facts:
            keep &= _rounds_to(mean, *facts["mean"])
        if "sd" in facts and n > 1:
            variance = np.maximum(squares - total * mean, 0) / (n - 1)
            keep &= _rounds_to(np.sqrt(variance), *facts["sd"])
    for name, p in (("median", 0.5), ("q1", 0.25), ("q3", 0.75)):
        if name in facts and n:
            keep &= _rounds_to(quantiles(counts, scale, p), *facts[name])
    for level, count in (facts.get("counts") or {}).items():
        keep &= counts[:, levels.index(level)] == count
    half = k // 2
    parts = np.column_stack([counts[:, :half].sum(axis=1),
                             counts[:, half] if k % 2 else np.zeros(len(counts), int),
                             counts[:, k - half:].sum(axis=1)])
    if facts.get("parts") is not None:
        keep &= (parts == np.asarray(facts["parts"])).all(axis=1)
    if facts.get("some_small"):
        keep &= ((counts >= 1) & (counts < threshold)).any(axis=1)
    if facts.get("parts_small"):
        keep &= ((parts >= 1) & (parts < threshold)).any(axis=1)
    return counts[keep]


# --------------------------------------------------------------------------------------
# Comparisons: may an effect size of a table with a small cell be shown, rounded?
# --------------------------------------------------------------------------------------

#: Decimals of an effect size, interval bound or pooled-scale value shown for a
#: comparison whose table has a small cell (where the attack allows it at all).
COMPARISON_DECIMALS = 2
#: Most (distribution, distribution) pairs tried while looking for a second table that
#: fits what is shown; beyond it nothing is vouched for (the comparison is withheld).
MAX_PAIRS = 20_000_000


def rounded(value: float, decimals: int = COMPARISON_DECIMALS) -> float:
    """A statistic as a coarsened comparison shows it (NaN stays NaN).

    >>> rounded(1.97403), rounded(float("nan"))
    (1.97, nan)
    """
    return float("nan") if value is None or not math.isfinite(value) else round(value,
                                                                                 decimals)


def binary_statistics(yes_a: int, n_a: int, yes_b: int, n_b: int) -> dict[str, float]:
    """Every statistic the shared outputs compute from a 2x2 table (yes/no by role A, B):
    ``effects.csv``'s rows (:func:`peermentor.effects.binary_effects`: estimate, interval
    and pooled-scale value of the risk difference, risk and odds ratio) and the cohort
    report's ratios with their intervals (statsmodels' ``Table2x2``, as
    :func:`peermentor.stats.binary_summary` computes them).

    >>> round(binary_statistics(38, 42, 22, 48)["risk_ratio:estimate"], 3)
    1.974
    """
    from peermentor import methods  # noqa: PLC0415
    from peermentor.effects import binary_effects  # noqa: PLC0415 (effects imports privacy)

    found = {}
    for row in binary_effects(yes_a, n_a, yes_b, n_b):
        for column in ("estimate", "ci_low", "ci_high", "pool_estimate", "pool_se"):
            found[f"{row['metric']}:{column}"] = float(row[column])
    # the report's ratios, as stats.csv has them (peermentor.stats.binary_summary)
    for metric in ("odds_ratio", "risk_ratio"):
        got = getattr(methods, metric)(yes_a, n_a, yes_b, n_b)
        found[metric] = float(got["estimate"])
        found[f"{metric}_ci_low"], found[f"{metric}_ci_high"] = (float(got["ci_low"]),
                                                                 float(got["ci_high"]))
    return found


def binary_comparison_safe(candidates: list[tuple[int, int]], n_a: int, n_b: int,
                           truth: tuple[int, int], protected: list[int],
                           decimals: int = COMPARISON_DECIMALS) -> bool:
    """Do the table's statistics, rounded to ``decimals``, leave every protected cell two
    or more values? ``candidates``: every ``(yes_a, yes_b)`` consistent with the rest of
    what is shown; ``protected``: the roles (0: A, 1: B) with a small yes or no count.

    >>> grid = [(a, 22) for a in range(38, 42)]  # 1 to 4 of 42 mentors said no
    >>> binary_comparison_safe(grid, 42, 48, (38, 22), [0])
    False
    """
    def signature(yes_a: int, yes_b: int) -> tuple:
        return tuple(rounded(v, decimals) for v in binary_statistics(
            yes_a, n_a, yes_b, n_b).values())

    def quick(yes_a: int, yes_b: int) -> tuple:  # the risk difference first: cheap
        return (rounded(yes_a / n_a - yes_b / n_b, decimals),)

    first = quick(*truth)
    candidates = [c for c in candidates if quick(*c) == first]
    target = signature(*truth)
    fitting = [c for c in candidates
               if all(_same(x, y) for x, y in zip(signature(*c), target, strict=True))]
    return all(len({c[side] for c in fitting}) > 1 for side in protected)


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


def _hedges_g(means: tuple, variances: tuple, n_a: int, n_b: int) -> np.ndarray:
    """Hedges' g from group means and variances (pooled SD; pingouin's small-sample
    correction 1 - 3 / (4 (nA + nB) - 9)), broadcast over arrays."""
    pooled = np.sqrt(((n_a - 1) * variances[0] + (n_b - 1) * variances[1]) / (n_a + n_b - 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (means[0] - means[1]) / pooled
    return d * (1 - 3 / (4 * (n_a + n_b) - 9))


def likert_pair_statistics(a: np.ndarray, b: np.ndarray, levels: list[int]
                           ) -> dict[str, np.ndarray]:
    """Rank-biserial r (2U / nA nB - 1, U of A), its Fisher z, and Hedges' g for every
    pair of candidate distributions (rows of ``a`` by rows of ``b``).

    >>> out = likert_pair_statistics(np.array([[0, 0, 2]]), np.array([[1, 1, 0]]), [1, 2, 3])
    >>> float(out["rbc"][0, 0])
    1.0
    """
    scale = np.asarray(levels, dtype=float)
    n_a, n_b = int(a[0].sum()), int(b[0].sum())
    above = np.sign(scale[:, None] - scale[None, :])
    wins = (above > 0) + 0.5 * (above == 0)
    u = (a @ wins) @ b.T
    rbc = 2 * u / (n_a * n_b) - 1
    moments = []
    for counts, n in ((a, n_a), (b, n_b)):
        mean = counts @ scale / n
        moments.append((mean, (counts @ scale ** 2 - n * mean ** 2) / (n - 1)))
    g = _hedges_g((moments[0][0][:, None], moments[1][0][None, :]),
                  (moments[0][1][:, None], moments[1][1][None, :]), n_a, n_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.arctanh(rbc)
    return {"rbc": rbc, "rbc_z": z, "g": g}


def likert_comparison_safe(a: np.ndarray, b: np.ndarray, levels: list[int],
                           shown: dict[str, float], protected: list[tuple[int, int, int]],
                           sums: list[tuple[int, float]] = (),
                           decimals: int = COMPARISON_DECIMALS) -> bool:
    """Is there, for every protected cell, a second pair of distributions that fits
    everything shown but gives that cell another value?

    ``a``, ``b``: every distribution of each group consistent with its own shown summary
    (:func:`likert_feasible`'s rows, columns = levels then the three parts);
    ``shown``: the comparison's statistics as shown (``rbc``, ``rbc_z``, ``g``, at
    ``decimals``); ``protected``: ``(side, column, true count)``; ``sums``: ``(column,
    total)`` where A's count plus B's is shown (an "All" cell). A witness found is a
    proof; none found within :data:`MAX_PAIRS` pairs counts as disclosed.
    """
    k = len(levels)
    if not len(a) or not len(b) or len(a) * len(b) > MAX_PAIRS:
        return False
    for side, column, truth in protected:
        mine, other = (a, b) if side == 0 else (b, a)
        rows = mine[mine[:, column] != truth]
        step = max(1, 2_000_000 // max(len(other), 1))
        witness = False
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            pair = (chunk, other) if side == 0 else (other, chunk)
            got = likert_pair_statistics(pair[0][:, :k], pair[1][:, :k], levels)
            fits = np.ones(got["rbc"].shape, dtype=bool)
            for name, value in shown.items():
                if value is None or not math.isfinite(value):
                    fits &= ~np.isfinite(got[name])
                else:
                    fits &= np.abs(got[name] - value) <= 0.5 * 10.0 ** -decimals + EPSILON
            for col, total in sums:
                fits &= (pair[0][:, col][:, None] + pair[1][:, col][None, :]) == total
            if fits.any():
                witness = True
                break
        if not witness:
            return False
    return True


# --------------------------------------------------------------------------------------
# The attacker's problem for one table of one cohort, solved by integer programming
# --------------------------------------------------------------------------------------

#: Columns of ``results/logs/disclosure.csv``.
FINDING_COLUMNS = ["output", "program", "year", "item", "option", "group", "statistic",
                   "verdict", "possible", "withheld", "why"]
#: Verdicts: a hidden cell an attacker cannot pin down; one the paper's own printed
#: numbers pin down (not the pipeline's doing); one the shared outputs pin down (the build
#: fails); a shared number the policy should have withheld (the build fails); a value the
#: policy withholds or coarsens (a record of what and why).
PROTECTED, PUBLIC, DISCLOSED, POLICY, WITHHELD = (
    "protected", "public", "disclosed", "policy", "withheld")
#: Bound on a count that nothing shown bounds (the attacker knows counts are finite).
BIG = 10**6
#: Candidate distributions above which a Likert group enters the integer programme by
#: the range of each level instead of one selector per distribution.
MAX_SELECTORS = 5000


def attacker_bound(shown: list[float], cells: dict) -> float:
    """An upper bound on every count that an attacker could set from what is shown alone:
    four times the largest shown count, and 100 more (no table here counts more than that
    many times its largest visible cell). Counts of people are bounded; a tight bound keeps
    the integer programmes fast. Should a true count exceed it (it is not derived from
    them), the bound is dropped, so the attack never rules out the truth."""
    bound = 4 * max(shown or [0]) + 100
    return bound if max(cells.values() or [0]) <= bound else BIG


class Attack:
    """Integer variables (hidden and shown counts), linear facts, and bounds on each.

    The attacker's problem as sdcTable's ``attack()`` and tau-argus's audit pose it: the
    smallest and largest value each hidden cell can take given every equation the shared
    outputs imply, solved exactly with integer programming (SciPy's HiGHS ``milp``).

    >>> attack = Attack()
    >>> a, b, total = attack.var("a"), attack.var("b"), attack.var("total")
    >>> attack.equal({a: 1, b: 1, total: -1}, 0)
    >>> attack.fix(total, 5); attack.between(a, 1, 4)
    >>> attack.range(b)
    (1, 4)
    """

    def __init__(self) -> None:
        self.names: list = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[dict, float, float]] = []

    def var(self, name, lower: float = 0, upper: float = BIG) -> int:
        self.names.append(name)
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.names) - 1

    def between(self, j: int, lower: float, upper: float) -> None:
        self.lower[j] = max(self.lower[j], lower)
        self.upper[j] = min(self.upper[j], upper)

    def fix(self, j: int, value: float) -> None:
        self.between(j, value, value)

    def add(self, coefficients: dict, lower: float, upper: float) -> None:
        self.rows.append((coefficients, lower, upper))

    def equal(self, coefficients: dict, value: float) -> None:
        self.add(coefficients, value, value)

    def outside(self, j: int, low: int, high: int) -> None:
        """The value of ``j`` is not in ``[low, high]`` (0 or at least ``high + 1``)."""
        above = self.var(("above", j), 0, 1)
        top = self.upper[j]
        self.add({j: 1, above: -top}, -np.inf, low - 1)  # j <= low - 1 unless above
        self.add({j: 1, above: -(high + 1)}, 0, np.inf)  # j >= high + 1 if above

    def cap(self, upper: float) -> None:
        """No count exceeds ``upper`` (the largest total shown: counts are of people)."""
        for j, name in enumerate(self.names):
            if not (isinstance(name, tuple) and name and name[0] in ("above",
                                                                     "distribution")):
                self.upper[j] = min(self.upper[j], upper)

    def range(self, j: int) -> tuple[int, int] | None:
        """Smallest and largest value of ``j`` (``None`` if the facts contradict)."""
        from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: PLC0415

        size = len(self.names)
        matrix = np.zeros((len(self.rows), size))
        lower = np.zeros(len(self.rows))
        upper = np.zeros(len(self.rows))
        for r, (coefficients, low, high) in enumerate(self.rows):
            for k, c in coefficients.items():
                matrix[r, k] += c
            lower[r], upper[r] = low, high
        constraints = [LinearConstraint(matrix, lower, upper)] if self.rows else []
        found = []
        for sign in (1, -1):
            objective = np.zeros(size)
            objective[j] = sign
            result = milp(objective, constraints=constraints, integrality=np.ones(size),
                          bounds=Bounds(self.lower, self.upper))
            if result.status != 0:
                return None
            found.append(int(round(result.x[j])))
        return found[0], found[1]


def likert_candidates(n: int, levels: list[int], facts: dict,
                      threshold: int = 0) -> np.ndarray | None:
    """The distributions (one row each) consistent with ``facts`` (see
    :func:`likert_feasible`); ``None`` when there are too many to enumerate."""
    return _likert_rows(n, levels, facts, threshold)


def _decimals_of(text: str) -> int | None:
    """Decimals printed in a number's text (``None`` when it is not a plain number).

    >>> _decimals_of("0.68"), _decimals_of("4"), _decimals_of("n/a")
    (2, 0, None)
    """
    text = str(text).strip()
    try:
        float(text)
    except ValueError:
        return None
    return len(text.split(".", 1)[1]) if "." in text else 0


def _facts(shared: pd.DataFrame, reproduction: pd.DataFrame | None,
           truth: dict | None = None) -> dict:
    """What the shared outputs tell of one cohort, by ``(item, option, group, statistic)``:
    ``[(kind, value, decimals, output)]`` with kind ``value`` (a number, at ``decimals``
    or as stored when ``None``), ``small`` (the marker: 1 to t - 1), ``not small`` (hidden
    to protect another: 0 or t and more) or ``public`` (the paper's printed number)."""
    facts: dict[tuple, list] = {}
    for item, option, group, statistic, value, shown, rule, places in zip(
            shared["item"], shared["option"].fillna("").astype(str), shared["group"],
            shared["statistic"], shared["value"], shared["shown"], shared["rule"],
            shared["decimals"], strict=True):
        key = (item, option, group, statistic)
        if shown == "":
            if pd.notna(value):
                facts.setdefault(key, []).append(
                    ("value", float(value), None if pd.isna(places) else int(places),
                     "shared_stats.csv"))
        elif shown.startswith("<"):
            facts.setdefault(key, []).append(("small", None, None, "shared_stats.csv"))
        elif rule == "complementary":
            facts.setdefault(key, []).append(("not small", None, None, "shared_stats.csv"))
    if reproduction is not None:
        for _, row in reproduction.iterrows():
            item = row["item"] or ("participation" if row["statistic"] in
                                   PARTICIPATION_STATISTICS else "")
            key = (item, row["option"], row["group"], row["statistic"])
            # a printed number about another quantity than the statistic of that name
            # (UNC's "95% of all students" counts the excluded too) says nothing of it
            value = (truth or {}).get(key)
            if value is None or not math.isfinite(value):
                continue
            places = _decimals_of(row["computed"])
            printed = _printed_decimals(str(row["precision"]))
            published = row["status"] in ("reproduced", "assumed") and printed is not None \
                and _decimals_of(row["published"]) is not None
            if published and abs(float(row["published"]) - value) <= 0.5 * 10.0 ** -printed \
                    + 1e-9:
                facts.setdefault(key, []).append(
                    ("public", float(row["published"]), printed, "reproduction.csv"))
                if places is not None and float(row["computed"]) == float(row["published"]):
                    continue  # the paper's own number, printed again
            if places is not None and abs(float(row["computed"]) - value) <= 0.5 * \
                    10.0 ** -places + 1e-9:
                facts.setdefault(key, []).append(
                    ("value", float(row["computed"]), places, "reproduction.csv"))
    return facts


def _truth_cells(rows: pd.DataFrame, kind: str) -> dict:
    """Every count of one table as computed (the cells an attacker is after), with the
    counts the shared tables imply (who said no, the parts a figure draws, totals)."""
    cells = {(o, g, s): float(v) for o, g, s, v in zip(
        rows["option"], rows["group"], rows["statistic"], rows["value"], strict=True)
        if is_cell(s) and "_vs_" not in str(g) and pd.notna(v)}
    return with_implied_cells(cells, kind)


def _percent_facts(attack: Attack, var: dict, facts: dict, item: str, cells: dict,
                   kinds: tuple = ("value", "public")) -> None:
    """A shown percentage (or rate) ties its count to its total: 100 count / total."""
    for (i, option, group, statistic), found in facts.items():
        if i != item:
            continue
        if statistic in SHARE_STATISTICS:
            count, total = (option, group, SHARE_STATISTICS[statistic]), _size_key(
                cells, option, group)
        elif statistic == "response_rate":
            count, total = ("", group, "responded"), ("", group, "invited")
        else:
            continue
        if count not in var or total not in var:
            continue
        for kind, value, places, _ in found:
            if kind not in kinds:
                continue
            slack = 1e-7 if places is None else 0.5 * 10.0 ** -places + 1e-9
            attack.add({var[count]: 100, var[total]: -(value + slack)}, -np.inf, 0)
            attack.add({var[count]: 100, var[total]: -(value - slack)}, 0, np.inf)


def _likert_facts(attack: Attack, var: dict, facts: dict, item: str, group: str,
                  levels: list[int], threshold: int, kinds=("value",)) -> bool:
    """A group's shown mean, SD, median and quartiles: the distributions that fit them,
    one selector each (or the range of each level when there are very many). False when
    they cannot be enumerated (the check then cannot vouch for them)."""
    summary, ours = {}, False
    for statistic in ("mean", "sd", "median", "q1", "q3"):
        for kind, value, places, _ in facts.get((item, "", group, statistic), []):
            if kind in kinds:
                summary[statistic] = (value, places)
                ours |= kind == "value"
    size = [v for kind, v, _, _ in facts.get((item, "", group, "n"), []) if kind == "value"]
    if not summary:
        return True
    if not size:
        # only the paper's numbers, about a group whose size is not shown: they cannot be
        # read without it (and are the paper's to answer for); ours would be a bug
        return not ours
    found = _likert_rows(int(size[0]), levels, summary, threshold)
    if found is None:
        return False
    columns = [var[(str(level), group, "count")] for level in levels]
    if len(found) <= MAX_SELECTORS:
        chosen = [attack.var(("distribution", group, c), 0, 1) for c in range(len(found))]
        attack.equal(dict.fromkeys(chosen, 1), 1)
        for j, column in enumerate(columns):
            attack.equal({column: -1, **{z: int(found[c, j]) for c, z in enumerate(chosen)
                                         if found[c, j]}}, 0)
    else:
        for j, column in enumerate(columns):
            attack.between(column, int(found[:, j].min()), int(found[:, j].max()))
    return True


def _table_attack(kind: str, item: str, cells: dict, facts: dict, threshold: int,
                  codebook: dict, public_only: bool = False) -> tuple[Attack, dict, bool]:
    """The attacker's problem for one table: its counts as variables, the identities
    between them, and every fact the outputs (or, ``public_only``, the paper) give."""
    attack = Attack()
    shown = [f[1] for k in cells for f in facts.get((item, *k), [])
             if f[0] in ("value", "public")]
    var = {key: attack.var(key, 0, attacker_bound(shown, cells)) for key in cells}
    groups = list(dict.fromkeys(g for _, g, _ in cells))
    for total, parts, _ in _sums(kind, cells, groups):
        keys = [total, *parts]
        if all(k in cells for k in keys) and math.isclose(
                cells[total], sum(cells[k] for k in parts)):
            attack.equal({var[total]: -1, **{var[k]: 1 for k in parts}}, 0)
    wanted = ("public",) if public_only else ("value", "public")
    for key, j in var.items():
        for fact, value, _, _ in facts.get((item, *key), []):
            # the paper's numbers read with the group sizes shown (not small: shareable)
            size = public_only and fact == "value" and key[2] in ("n", "responded")
            if fact in wanted or size:
                attack.fix(j, value)
            elif fact == "small" and not public_only:
                attack.between(j, 1, threshold - 1)
            elif fact == "not small" and not public_only:
                attack.outside(j, 1, threshold - 1)
    _percent_facts(attack, var, facts, item, cells, wanted)
    vouched = True
    if kind == "likert":
        scale = codebook[item]["scale"]
        levels = list(range(int(scale["min"]), int(scale["max"]) + 1))
        for group in groups:
            if "_vs_" not in str(group) and all((str(v), group, "count") in var
                                                for v in levels):
                vouched &= _likert_facts(attack, var, facts, item, group, levels, threshold,
                                         wanted)
    return attack, var, vouched


def _possible(found: tuple[int, int]) -> str:
    low, high = found
    return str(low) if low == high else f"{low} to {high}"


def attack_cohort(stats: pd.DataFrame, shared: pd.DataFrame, program: dict,
                  threshold: int = DEFAULT_THRESHOLD,
                  reproduction: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every protected cell of one cohort attacked with everything shared about it.

    ``stats``: the cohort's own statistics (which cells are small: the attacker does not
    have them); ``shared``: its :func:`peermentor.privacy.share_stats` table (what the
    report, figures and comparison tables show); ``reproduction``: its rows of the shared
    ``reproduction.csv`` (computed values, and the paper's printed numbers, which count as
    public). A cell is protected when the policy hid it as small or as part of a small
    group, or when it is a small count the shared cells imply (who said no). Returns one
    finding per protected cell (:data:`FINDING_COLUMNS`): ``protected`` with the values
    still possible, ``public`` when the paper's numbers alone pin it, ``disclosed`` when
    what the pipeline shares pins it, and ``policy`` for a shared statistic of a
    comparison with a hidden cell.
    """
    found = []
    if threshold <= 1:
        return pd.DataFrame(found, columns=FINDING_COLUMNS)
    values = {(i, o, g, s): float(v) for i, o, g, s, v in zip(
        stats["item"], stats["option"].fillna("").astype(str), stats["group"],
        stats["statistic"], stats["value"], strict=True) if pd.notna(v)}
    facts = _facts(shared, reproduction, values)
    codebook = {i["id"]: i for i in program.get("codebook", [])}
    truth = _with_category_totals(stats.assign(option=stats["option"].fillna("").astype(str)),
                                  list(program.get("roles", {})))
    truth = _with_likert_parts(truth, codebook)
    rules = {(i, o, g, s): r for i, o, g, s, r in zip(
        shared["item"], shared["option"].fillna("").astype(str), shared["group"],
        shared["statistic"], shared["rule"], strict=True)}
    cohort = (str(program.get("program", "")), str(stats["year"].iloc[0])
              if "year" in stats and len(stats) else "")
    for (section, item), rows in truth.groupby(["section", "item"], sort=False):
        kind = _kind(section, item, codebook)
        cells = _truth_cells(rows, kind)
        hidden = {k for k in cells if rules.get((item, *k), "") or k[2] in ("no",)
                  and is_small(cells[k], threshold)}
        protected = [k for k in cells if (is_small(cells[k], threshold) and (
            rules.get((item, *k)) in ("small cell", "distribution", "small group", "masked")
            or k[2].startswith("no"))) or rules.get((item, *k)) == "small group"]
        for (i, option, group, statistic), listed in facts.items():
            if i != item or "_vs_" not in str(group) or statistic == "p_holm":
                continue
            a, _, b = str(group).partition("_vs_")
            # a coarsened effect size is shown by the policy only after its own attack
            # on every pair of distributions (peermentor.privacy._likert_ladder)
            coarsened = rules.get((item, option, group, statistic)) == "coarsened"
            if not coarsened and any(kind_ == "value" for kind_, *_ in listed) and any(
                    k[1] in (a, b) for k in hidden):
                found.append([listed[0][3], *cohort, item, option, group, statistic, POLICY,
                              "", "", "a statistic of a comparison whose table has a "
                              "hidden cell is shown"])
        small_groups = {g for (o, g, s), v in cells.items()
                        if o == "" and s in ("n", "responded") and is_small(v, threshold)}
        for (i, option, group, statistic), listed in facts.items():
            if i == item and group in small_groups and not is_cell(statistic) and any(
                    kind_ == "value" for kind_, *_ in listed):
                found.append([listed[0][3], *cohort, item, option, group, statistic, POLICY,
                              "", "", f"a statistic of a group of fewer than {threshold} "
                              "is shown"])
        if not protected:
            continue
        attack, var, vouched = _table_attack(kind, item, cells, facts, threshold, codebook)
        if not vouched:
            found += [["shared_stats.csv", *cohort, item, *k, POLICY, "", "",
                       "summary statistics shown that the check cannot enumerate"]
                      for k in protected]
            continue
        for key in protected:
            bounds = attack.range(var[key])
            if bounds is None:
                found.append(["shared_stats.csv", *cohort, item, *key, POLICY, "", "",
                              "the shared values contradict each other (a check error)"])
                continue
            verdict, why = PROTECTED, "at least two values fit everything shared"
            if bounds[0] == bounds[1]:
                paper, paper_var, _ = _table_attack(kind, item, cells, facts, threshold,
                                                    codebook, public_only=True)
                public = paper.range(paper_var[key])
                if public is not None and public[0] == public[1]:
                    verdict, why = PUBLIC, "the paper's printed numbers alone pin it"
                else:
                    verdict, why = DISCLOSED, "only one value fits everything shared"
            found.append(["shared_stats.csv", *cohort, item, *key, verdict,
                          _possible(bounds), rules.get((item, *key), "") or "implied",
                          why])
    return pd.DataFrame(found, columns=FINDING_COLUMNS)


# --------------------------------------------------------------------------------------
# Every shared output against the policy, then the attack, for a whole run
# --------------------------------------------------------------------------------------


def _number(text) -> float | None:
    """A CSV cell as a number (None: blank, a marker or text)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _shown_value(index: dict, key: tuple) -> tuple[float | None, str]:
    """``(number shown or None, marker or '')`` of one shared statistic."""
    value, shown, _, _ = index.get(key, (float("nan"), "", "", float("nan")))
    return (None if shown or pd.isna(value) else float(value)), shown


def _agrees(csv_value: float, shared_value: float | None, text: str | None = None) -> bool:
    """Is a table's number the shared one, as the table prints it (its decimals)?"""
    if shared_value is None:
        return False
    places = _decimals_of(text) if text is not None else None
    if places is not None and abs(csv_value - shared_value) <= 0.5 * 10.0 ** -places + 1e-9:
        return True
    return math.isclose(csv_value, shared_value, rel_tol=1e-4, abs_tol=1e-4)


def check_tables(tables: dict[str, pd.DataFrame], shared: pd.DataFrame,
                 threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Every number of the comparison tables is one the policy shares, or computed from
    shared numbers only (a percentage's interval from n and its marker, a coarsened mean's
    interval from the rounded mean and SD). ``tables``: file name -> table as read (text).
    Returns ``policy`` findings naming output, cohort, item and column."""
    found = []
    index = shared_index(shared)

    def finding(output, row, item, group, column, why):
        found.append([output, row["program"], str(row["year"]), item, "", group, column,
                      POLICY, str(row[column]), "", why])

    studies = tables.get("studies.csv")
    if studies is not None:
        for _, row in studies.iterrows():
            cohort = (row["program"], str(row["year"]))
            hidden = any(k[:3] == (*cohort, "participation") and v[1]
                         for k, v in index.items())
            for column in studies.columns:
                number = _number(row[column])
                if column in LABEL_COLUMNS or number is None:
                    continue
                statistic, _, role = column.partition("_")
                if column == "response_rate" or statistic not in PARTICIPATION_STATISTICS:
                    statistic, role = (column, "all") if column in PARTICIPATION_STATISTICS \
                        else (None, None)
                if statistic is None:
                    if hidden:
                        finding("studies.csv", row, "participation", "", column,
                                "a number the policy does not know, for a cohort with a "
                                "hidden count")
                    continue
                value, _ = _shown_value(index, (*cohort, "participation", "", role or "all",
                                                statistic))
                if not _agrees(number, value, row[column]):
                    finding("studies.csv", row, "participation", role or "all", column,
                            "shown here but withheld (or different) in the shared statistics")
    outcomes = tables.get("outcomes.csv")
    if outcomes is not None:
        for _, row in outcomes.iterrows():
            key = (row["program"], str(row["year"]), row["item"], "", row["group"])
            n_value, n_shown = _shown_value(index, (*key, "n"))
            binary = row["statistic"] == "percent_positive"
            source = "percent" if binary else "mean"
            shown_value, _ = _shown_value(index, (*key, source))
            for column in ("n", "count", "raw_value"):
                number = _number(row[column])
                if number is None:
                    continue
                reference = {"n": n_value, "count": _shown_value(index, (*key, "count"))[0],
                             "raw_value": shown_value}[column]
                if not _agrees(number, reference, row[column]):
                    finding("outcomes.csv", row, row["item"], row["group"], column,
                            "shown here but withheld (or different) in the shared statistics")
            low, high = _number(row["ci_low"]), _number(row["ci_high"])
            if low is None or high is None:
                continue
            if binary and shown_value is None:
                count_shown = _shown_value(index, (*key, "count"))[1]
                possible = ([c for c in range(1, threshold)] if count_shown.startswith("<")
                            else [c for c in range(max(int(n_value or 0) - threshold + 1, 1),
                                                   int(n_value or 0))])
                expected = None
                if n_value and possible:
                    lows, highs = proportion_confint(possible, int(n_value), alpha=0.05,
                                                     method="wilson")
                    expected = (100 * float(min(lows)), 100 * float(max(highs)))
            elif not binary and shown_value is not None:
                sd, _ = _shown_value(index, (*key, "sd"))
                expected = None
                if sd is not None and n_value and n_value > 1:
                    scale = [float(x) for x in str(row["scale"]).split("-")]
                    half = float(sps.t.ppf(0.975, n_value - 1)) * sd / math.sqrt(n_value)
                    expected = tuple(100 * (v - scale[0]) / (scale[1] - scale[0])
                                     for v in (shown_value - half, shown_value + half))
            else:
                continue  # a shown percentage: its Wilson interval is n and count's
            if expected is None or not (_agrees(low, expected[0]) and _agrees(high,
                                                                                expected[1])):
                finding("outcomes.csv", row, row["item"], row["group"], "ci_low",
                        "an interval not computed from what is shown alone")
    effects = tables.get("effects.csv")
    if effects is not None:
        withheld = withheld_by_item(index)
        for _, row in effects.iterrows():
            cohort = (row["program"], str(row["year"]))
            for column, role in (("n_a", "role_a"), ("n_b", "role_b")):
                number = _number(row[column])
                value, _ = _shown_value(index, (*cohort, row["item"], "", row[role], "n"))
                if number is not None and not _agrees(number, value):
                    finding("effects.csv", row, row["item"], row[role], column,
                            "a group size the shared statistics withhold")
            rule = comparison_rule(withheld, cohort, row["item"], row["role_a"],
                                   row["role_b"])
            if rule:
                sizes = _size_only(row)
                for column in effects.columns:
                    if column in LABEL_COLUMNS or column in ("n_a", "n_b") or _number(
                            row[column]) is None:
                        continue
                    if rule == "coarsened" and column in COARSE_COLUMNS and \
                            _decimals_of(row[column]) <= COMPARISON_DECIMALS:
                        continue  # checked by the attack on the rounded effect sizes
                    if column in sizes and _agrees(_number(row[column]), sizes[column]):
                        continue  # computed from the two group sizes alone
                    finding("effects.csv", row, row["item"], row["comparison"], column,
                            "a statistic of a comparison whose table has a hidden cell")
    themes = tables.get("themes.csv")
    if themes is not None:
        for _, row in themes.iterrows():
            number = _number(row["segments"])
            value, _ = _shown_value(index, (row["program"], str(row["year"]),
                                            row["category"], "", "all", "segments"))
            if number is not None and not _agrees(number, value):
                finding("themes.csv", row, row["category"], "all", "segments",
                        "a total the shared statistics withhold")
    return pd.DataFrame(found, columns=FINDING_COLUMNS)


def withheld_records(shared: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per value the policy withheld or coarsened: what, and why."""
    rows = shared[shared["rule"] != ""]
    records = pd.DataFrame({
        "output": "shared_stats.csv", "program": rows.get("program", ""),
        "year": rows["year"].astype(str) if "year" in rows else "", "item": rows["item"],
        "option": rows["option"], "group": rows["group"], "statistic": rows["statistic"],
        "verdict": WITHHELD, "possible": "",
        "withheld": [f"to {int(d)} decimal(s)" if r == "coarsened" else s
                     for r, s, d in zip(rows["rule"], rows["shown"], rows["decimals"],
                                        strict=True)],
        "why": [rule_sentence(r, threshold) for r in rows["rule"]]})
    return records[FINDING_COLUMNS]


def check_run(results: str | Path, cohorts: list[tuple[str, str]],
              programs: dict[str, dict], threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The disclosure check of a whole run: every cohort's protected cells attacked with
    everything the run shares, and every shared table held against the policy.

    Reads each cohort's ``stats.csv`` (which cells are small) and ``shared_stats.csv``,
    and ``reproduction.csv``, ``comparison/studies.csv``, ``outcomes.csv``,
    ``effects.csv`` and ``themes.csv``. Returns the findings (:data:`FINDING_COLUMNS`),
    sorted; the build fails on any ``disclosed`` or ``policy`` finding
    (:func:`failures`).
    """
    from peermentor.compare import read_stats  # noqa: PLC0415 (compare imports this module)

    results = Path(results)
    read = lambda path: pd.read_csv(path, dtype=str, keep_default_na=False)  # noqa: E731
    tables = {name: read(results / "comparison" / name) for name in
              ("studies.csv", "outcomes.csv", "effects.csv", "themes.csv")
              if (results / "comparison" / name).is_file()}
    reproduction = (read(results / "reproduction.csv")
                    if (results / "reproduction.csv").is_file() else None)
    found, shared_all = [], []
    for program, year in cohorts:
        folder = results / "cohorts" / program / year
        stats = read_stats([folder / "stats.csv"])
        shared = read_stats([folder / "shared_stats.csv"])
        shared_all.append(shared)
        rows = None
        if reproduction is not None:
            rows = reproduction[(reproduction["program"] == program)
                                & (reproduction["year"] == year)]
        found.append(attack_cohort(stats, shared, programs[program], threshold, rows))
        found.append(withheld_records(shared, threshold))
    if shared_all:
        found.append(check_tables(tables, pd.concat(shared_all, ignore_index=True),
                                  threshold))
    table = pd.concat([f for f in found if len(f)], ignore_index=True) if any(
        len(f) for f in found) else pd.DataFrame(columns=FINDING_COLUMNS)
    order = {DISCLOSED: 0, POLICY: 1, PUBLIC: 2, PROTECTED: 3, WITHHELD: 4}
    table = table.assign(_order=table["verdict"].map(order)).sort_values(
        ["_order", "program", "year", "item", "group", "option", "statistic", "output"],
        kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def failures(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that stop the build: a hidden cell pinned, a value the policy withholds
    shown."""
    return findings[findings["verdict"].isin([DISCLOSED, POLICY])]


def describe(row) -> str:
    """One finding in words, naming output and cell."""
    cell = ", ".join(f"{k} {row[k]}" for k in ("option", "group", "statistic") if row[k])
    possible = f" (value {row['possible']})" if row["possible"] else ""
    return (f"{row['output']}: {row['program']} {row['year']}, item {row['item']}, {cell}: "
            f"{row['verdict']}{possible}: {row['why']}")


def summary_line(findings: pd.DataFrame) -> str:
    """One line for the log and the site: how many hidden counts were attacked, and what
    came of it.

    >>> summary_line(pd.DataFrame({"verdict": ["protected", "withheld", "public"]}))[:50]
    '2 hidden counts attacked: 1 protected, 1 pinned by'
    """
    counts = findings["verdict"].value_counts()
    attacked = int(sum(counts.get(v, 0) for v in (PROTECTED, PUBLIC, DISCLOSED)))
    line = (f"{attacked} hidden counts attacked: {counts.get(PROTECTED, 0)} protected, "
            f"{counts.get(PUBLIC, 0)} pinned by the papers' own printed numbers, "
            f"{counts.get(DISCLOSED, 0)} disclosed; {counts.get(WITHHELD, 0)} shared values "
            "withheld or rounded")
    if counts.get(POLICY, 0):
        line += f"; {counts[POLICY]} shown that the policy withholds"
    return line



def pinned_counts(kind: str, cells: dict, state: dict, known: set,
                  rates: list[tuple], threshold: int, protect: set) -> set:
    """The small counts of one table that what is shown pins down (the policy's own
    attack before it publishes a table; :func:`attack_cohort` attacks the result).

    ``cells``: every count, ``(option, group, statistic) -> value``; ``state``: how each
    is shown (``exact``, ``small`` for the marker, ``not small`` for a cell hidden to
    protect another, ``any`` for one hidden without a hint); ``known``: counts the paper
    prints; ``rates``: shown percentages ``(count key, total key, value)``; ``protect``:
    the counts to keep open. A count the paper's numbers and the group sizes alone pin
    is the paper's disclosure and is not returned.

    >>> cells = {("", "a", "n"): 10, ("", "a", "count"): 3, ("", "a", "no"): 7}
    >>> state = {("", "a", "n"): "exact", ("", "a", "count"): "small",
    ...          ("", "a", "no"): "exact"}
    >>> pinned_counts("binary", cells, state, set(), [], 5, {("", "a", "count")})
    {('', 'a', 'count')}
    """
    targets = [k for k in cells if k in protect and k not in known and state[k] != "exact"]
    targets += [k for k in cells if k[2].startswith("no") and is_small(cells[k], threshold)
                and k not in targets]
    if not targets:
        return set()

    top = attacker_bound([v for k, v in cells.items() if state[k] == "exact" or k in known],
                         cells)

    def problem(full: bool) -> tuple[Attack, dict]:
        attack = Attack()
        var = {key: attack.var(key, 0, top) for key in cells}
        groups = list(dict.fromkeys(g for _, g, _ in cells))
        for total, parts, _ in _sums(kind, cells, groups):
            if all(k in cells for k in (total, *parts)) and math.isclose(
                    cells[total], sum(cells[k] for k in parts)):
                attack.equal({var[total]: -1, **{var[k]: 1 for k in parts}}, 0)
        for key, j in var.items():
            if key in known or (state[key] == "exact" and (full or key[2] in (
                    "n", "responded"))):
                attack.fix(j, cells[key])
            elif full and state[key] == "small":
                attack.between(j, 1, threshold - 1)
            elif full and state[key] == "not small":
                attack.outside(j, 1, threshold - 1)
        if full:
            for count, total, value in rates:
                slack = 1e-7
                attack.add({var[count]: 100, var[total]: -(value + slack)}, -np.inf, 0)
                attack.add({var[count]: 100, var[total]: -(value - slack)}, 0, np.inf)
        return attack, var

    attack, var = problem(True)
    found = set()
    paper = None
    for key in targets:
        bounds = attack.range(var[key])
        if bounds is None or bounds[0] != bounds[1]:
            continue
        if paper is None:
            paper = problem(False)
        public = paper[0].range(paper[1][key])
        if public is None or public[0] != public[1]:
            found.add(key)
    return found


def _size_only(row) -> dict[str, float]:
    """The columns of an effects row that the two group sizes alone give (what a test of
    that size can detect), recomputed from the shown sizes."""
    from peermentor.precision import detectable_fields  # noqa: PLC0415

    n_a, n_b = _number(row["n_a"]), _number(row["n_b"])
    if n_a is None or n_b is None:
        return {}
    fields = detectable_fields(row["metric"], int(n_a), int(n_b))
    found = {c: float(fields[c]) for c, when in SIZE_COLUMNS.items()
             if c in fields and (when is None or fields.get(when[0]) == when[1])}
    return {c: v for c, v in found.items() if math.isfinite(v)}
