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
    above the midpoint (:func:`peermentor.privacy.likert_parts`), known exactly;
    ``some_small``: at least one level was chosen by 1 to ``threshold - 1`` (what a
    withheld distribution tells); ``parts_small``: at least one of the parts is that small.
    ``None`` when there are too many candidates to enumerate (:data:`MAX_CANDIDATES`).

    >>> likert_feasible(3, [1, 2, 3], {"median": (2, None), "mean": (2.0, 1)})[2]
    [1, 3]
    """
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
    found = counts[keep]
    return {level: sorted({int(v) for v in found[:, j]}) for j, level in enumerate(levels)}
