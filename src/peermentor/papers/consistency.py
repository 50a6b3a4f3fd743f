"""Consistency checks on published aggregates: GRIM, GRIMMER, SPRITE, test p-values.

A paper prints rounded numbers. These functions ask whether integer data could have
produced them: GRIM (Brown & Heathers 2017) for a mean or a percentage and its n,
GRIMMER (Anaya 2016; Allard 2018) for a mean, SD and n, and SPRITE-style exhaustive
enumeration (Heathers et al. 2018) of every bounded integer sample that matches all
three. For a printed Mann-Whitney p-value it lists the p-values attainable from those
samples under each way researchers' software computes the test
(:data:`peermentor.analysis.mannwhitney.MWU_VARIANTS`: R, SPSS, SAS, Stata, StatXact/coin, SciPy
and the textbook formula, each with its own ties, continuity and two-sided rule).

All rounding is **half-up** at the printed number of decimals and all comparisons are
exact (:class:`fractions.Fraction`), so no floating-point tolerance is involved. No
maintained Python library implements GRIMMER or SPRITE (the reference implementations
are R's ``scrutiny`` and ``rsprite2``), hence this small module.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from peermentor.analysis.mannwhitney import MWU_VARIANTS, mwu_p


def printed_decimals(value: float | int | str, explicit: int | None = None) -> int:
    """Number of decimals a value was printed with (``explicit`` wins).

    YAML turns ``3.50`` into ``3.5``; give the printed text as a string, or
    ``decimals:`` in the config, when trailing zeros matter.

    >>> printed_decimals(0.7), printed_decimals(1.0), printed_decimals(4), printed_decimals("0.60")
    (1, 1, 0, 2)
    """
    if explicit is not None:
        return int(explicit)
    text = value if isinstance(value, str) else repr(value)
    exponent = Decimal(text).as_tuple().exponent
    return max(0, -int(exponent))


def half_up_interval(value: float | int | str, decimals: int) -> tuple[Fraction, Fraction]:
    """Exact interval ``[lo, hi)`` of the numbers that round half-up to ``value``.

    >>> half_up_interval(3.5, 1)
    (Fraction(69, 20), Fraction(71, 20))
    """
    centre = Fraction(Decimal(value if isinstance(value, str) else repr(value)))
    half = Fraction(1, 2 * 10**decimals)
    return centre - half, centre + half


def round_half_up(value: float, decimals: int) -> Decimal:
    """Round as a reader does (half-up), from the shortest repr of the float.

    >>> str(round_half_up(0.675, 2)), str(round_half_up(15.789, 0)), str(round_half_up(2.5, 0))
    ('0.68', '16', '3')
    """
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


# --------------------------------------------------------------------------------------
# GRIM and GRIMMER
# --------------------------------------------------------------------------------------


def grim_totals(mean: float | str, n: int, decimals: int | None = None) -> list[int]:
    """Integer totals ``T`` whose mean ``T/n`` rounds half-up to the printed mean.

    >>> grim_totals("5.19", 28)   # Brown & Heathers' example: no total fits
    []
    >>> grim_totals("3.5", 10)
    [35]
    """
    lo, hi = half_up_interval(mean, printed_decimals(mean, decimals))
    first = math.ceil(lo * n)
    return [t for t in range(first, math.floor(hi * n) + 1) if lo <= Fraction(t, n) < hi]


def grim(mean: float | str, n: int, decimals: int | None = None) -> bool:
    """True when some integer data of size ``n`` has a mean printing as ``mean``.

    >>> grim("5.19", 28), grim("5.18", 28)
    (False, True)
    """
    return bool(grim_totals(mean, n, decimals))


def grim_percent_counts(percent: float | str, n: int, decimals: int | None = None) -> list[int]:
    """Counts ``k`` (0..n) whose percentage ``100 k / n`` rounds half-up to ``percent``.

    >>> grim_percent_counts("95", 107), grim_percent_counts("95", 90)
    ([102], [])
    """
    lo, hi = half_up_interval(percent, printed_decimals(percent, decimals))
    return [k for k in range(n + 1) if lo <= Fraction(100 * k, n) < hi]


def grimmer(
    mean: float | str,
    sd: float | str,
    n: int,
    mean_decimals: int | None = None,
    sd_decimals: int | None = None,
) -> bool:
    """True when integer data of size ``n`` can have the printed mean and SD (ddof=1).

    For each GRIM-consistent total ``T`` the sum of squares ``Q`` must be an integer
    with the parity of ``T`` (``Q - T = sum x(x-1)`` is even) and a variance
    ``(nQ - T^2) / (n(n-1))`` inside the SD's rounding interval (Allard's analytic
    GRIMMER, without scale bounds; :func:`sprite` adds the bounds).

    >>> grimmer("3.5", "0.7", 10), grimmer("3.5", "0.6", 10)
    (True, False)
    """
    if n < 2:
        return False
    s_lo, s_hi = half_up_interval(sd, printed_decimals(sd, sd_decimals))
    v_lo, v_hi = max(s_lo, Fraction(0)) ** 2, s_hi**2
    for total in grim_totals(mean, n, mean_decimals):
        q_lo = (v_lo * n * (n - 1) + total * total) / n
        q_hi = (v_hi * n * (n - 1) + total * total) / n
        for q in range(math.ceil(q_lo), math.ceil(q_hi)):
            if (q - total) % 2 == 0 and q >= total * total / n:
                return True
    return False


# --------------------------------------------------------------------------------------
# SPRITE: every bounded integer sample with a printed n, mean and SD
# --------------------------------------------------------------------------------------


def sprite(
    n: int,
    mean: float | str,
    sd: float | str,
    lo: int,
    hi: int,
    mean_decimals: int | None = None,
    sd_decimals: int | None = None,
) -> list[tuple[int, ...]]:
    """All sorted integer samples on ``lo..hi`` of size ``n`` matching a printed mean±SD.

    Exhaustive (every multiset is visited once), which is exact and fast for the
    survey sizes here: ``C(n + hi - lo, hi - lo)`` multisets, 1,001 for n=10 on 1..5.
    Returned in lexicographic order.

    >>> sprite(3, 2.0, 1.0, 1, 5)
    [(1, 2, 3)]
    >>> sprite(10, "3.5", "0.6", 1, 5)
    []
    """
    m_lo, m_hi = half_up_interval(mean, printed_decimals(mean, mean_decimals))
    s_lo, s_hi = half_up_interval(sd, printed_decimals(sd, sd_decimals))
    v_lo, v_hi = max(s_lo, Fraction(0)) ** 2, s_hi**2
    found = []
    for combo in itertools.combinations_with_replacement(range(lo, hi + 1), n):
        total = sum(combo)
        if not m_lo <= Fraction(total, n) < m_hi:
            continue
        if n < 2:
            variance = Fraction(0)
        else:
            squares = sum(v * v for v in combo)
            variance = Fraction(n * squares - total * total, n * (n - 1))
        if v_lo <= variance < v_hi:
            found.append(combo)
    return found


# --------------------------------------------------------------------------------------
# Mann-Whitney p-values as researchers' software computes them
# --------------------------------------------------------------------------------------

def attainable_mwu_p(
    first: Sequence[Sequence[int]],
    second: Sequence[Sequence[int]],
    decimals: int = 2,
    variants: Sequence[str] = tuple(MWU_VARIANTS),
) -> dict[str, dict[str, tuple[tuple[int, ...], tuple[int, ...]]]]:
    """Printed p-values attainable from any pair of samples, per variant.

    Returns ``{variant: {printed p: first pair (x, y) that gives it}}`` with p rounded
    half-up to ``decimals``; pairs are visited in lexicographic order.

    >>> out = attainable_mwu_p([(1, 2, 3, 4)], [(5, 6, 7, 8)], variants=["spss_exact"])
    >>> out["spss_exact"]
    {'0.03': ((1, 2, 3, 4), (5, 6, 7, 8))}
    """
    found: dict[str, dict[str, tuple]] = {v: {} for v in variants}
    for x in first:
        for y in second:
            for variant in variants:
                printed = str(round_half_up(mwu_p(x, y, variant), decimals))
                found[variant].setdefault(printed, (tuple(x), tuple(y)))
    return {v: dict(sorted(found[v].items())) for v in variants}
