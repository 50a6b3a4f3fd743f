"""What an outsider can solve for: the counts consistent with numbers shown rounded.

The mathematics of the attacker's problem, apart from any table of the pipeline's: every
distribution of a group's Likert answers that reproduces a shown mean, SD, median and
quartiles at their printed precision (:func:`likert_feasible`), the between-group
statistics a pair of such distributions gives (:func:`likert_pair_statistics`), whether
a rounded yes/no or Likert comparison leaves every small count open, and an integer
programme for the smallest and largest value of each hidden count (:class:`Attack`,
SciPy's HiGHS ``milp``). The disclosure policy (:mod:`peermentor.publish.privacy`) uses it
before it shows a number; the check of a whole run (:mod:`peermentor.publish.disclosure`) uses
it on what was shown.

>>> facts = {"mean": (4.6, 1), "sd": (0.5, 1)}
>>> feasible = likert_feasible(5, [1, 2, 3, 4, 5], facts)
>>> {level: values for level, values in feasible.items() if len(values) == 1}
{1: [0], 2: [0], 3: [0], 4: [2], 5: [3]}
"""

from __future__ import annotations

import math

import numpy as np

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
    above the midpoint (:func:`peermentor.publish.privacy.likert_parts`), known exactly;
    ``some_small``: at least one level was chosen by 1 to ``threshold - 1`` (what a
    withheld distribution tells); ``parts_small``: at least one of the parts is that small.
    ``None`` when there are too many candidates to enumerate (:data:`MAX_CANDIDATES`).

    >>> likert_feasible(3, [1, 2, 3], {"median": (2, None), "mean": (2.0, 1)})[2]
    [1, 3]
    """
    found = likert_rows(n, levels, facts, threshold)
    if found is None:
        return None
    return {level: sorted({int(v) for v in found[:, j]}) for j, level in enumerate(levels)}


def likert_rows(n: int, levels: list[int], facts: dict,
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
    ``effects.csv``'s rows (:func:`peermentor.analysis.effects.binary_effects`: estimate, interval
    and pooled-scale value of the risk difference, risk and odds ratio) and the cohort
    report's ratios with their intervals (statsmodels' ``Table2x2``, as
    :func:`peermentor.analysis.stats.binary_summary` computes them).

    >>> round(binary_statistics(38, 42, 22, 48)["risk_ratio:estimate"], 3)
    1.974
    """
    # imported here: only a yes/no comparison needs them (and pingouin, which they import)
    from peermentor.analysis import methods  # noqa: PLC0415
    from peermentor.analysis.effects import binary_effects  # noqa: PLC0415

    found = {}
    for row in binary_effects(yes_a, n_a, yes_b, n_b):
        for column in ("estimate", "ci_low", "ci_high", "pool_estimate", "pool_se"):
            found[f"{row['metric']}:{column}"] = float(row[column])
    # the report's ratios, as stats.csv has them (peermentor.analysis.stats.binary_summary)
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
    return likert_rows(n, levels, facts, threshold)
