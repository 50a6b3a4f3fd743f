"""An outsider's attack on what a run shares, written apart from the pipeline's own check.

The outsider reads every shared output of a run (each cohort's ``shared_stats.csv``, which
the report and figures show, ``studies.csv``, ``outcomes.csv``, ``effects.csv``,
``themes.csv`` and ``reproduction.csv``) and, for each table of each cohort, lists by brute
force every table of counts consistent with all of it: the shown counts, the markers
(``<t``: 1 to t - 1; ``suppressed`` beside a complementary rule: not 1 to t - 1), the sums
any survey table obeys (roles add up to "All", answers to the number answering,
responded to analysed plus excluded), percentages, Likert means, SDs, medians and
quartiles at their printed precision, the between-role statistics shown (Fisher and
chi-square p, risk difference, risk and odds ratios, rank-biserial r, Hedges' g) and the
paper's printed numbers. A hidden count is *recovered* when one value fits.

Nothing here calls peermentor's disclosure code: the statistics are recomputed from
scipy, statsmodels and numpy, the candidates enumerated by a search of its own.
The run's ``stats.csv`` (which the outsider does not have) only says which cells are
hidden and small, to score the attack, and that the truth is among the candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

#: Most candidate pairs of Likert distributions compared for one item.
MAX_PAIRS = 30_000_000


def read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def number(text) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def decimals_of(text: str) -> int | None:
    text = str(text)
    if number(text) is None:
        return None
    return len(text.split(".")[1]) if "." in text else 0


def close(candidate: float, shown: float, places: int | None) -> bool:
    """Does ``candidate`` print as ``shown``: at ``places`` decimals, or (None) as a
    10-significant-digit number is stored."""
    if not math.isfinite(candidate):
        return False
    if places is None:
        return math.isclose(candidate, shown, rel_tol=2e-9, abs_tol=1e-12)
    return abs(candidate - shown) <= 0.5 * 10 ** -places + 1e-9


@dataclass
class Cell:
    """What the outputs say about one count."""
    exact: float | None = None
    small: bool = False       # the marker: 1 to t - 1
    not_small: bool = False   # hidden to protect another: 0, or t and more

    def domain(self, upper: int, threshold: int) -> list[int]:
        if self.exact is not None:
            return [int(self.exact)]
        if self.small:
            return list(range(1, min(threshold - 1, upper) + 1))
        if self.not_small:
            return [0, *range(threshold, upper + 1)]
        return list(range(0, upper + 1))


@dataclass
class Problem:
    """Counts (names), what is known of each, sums between them, and checks of the whole."""
    threshold: int
    cells: dict = field(default_factory=dict)
    sums: list = field(default_factory=list)       # (total name, [part names])
    checks: list = field(default_factory=list)     # (cells it reads, function -> bool)
    upper: int = 0
    budget: int = 2_000_000                        # nodes searched before giving up

    def narrowed(self) -> dict | None:
        """Every count's possible values after narrowing by the sums it is in (bounds from
        the other terms), until nothing narrows; None if some count has none left."""
        domains = {k: self.cells[k].domain(self.upper, self.threshold) for k in self.cells}
        changed = True
        while changed:
            changed = False
            for total, parts in self.sums:
                low = {k: min(domains[k]) for k in (total, *parts)}
                high = {k: max(domains[k]) for k in (total, *parts)}
                limits = {total: (sum(low[k] for k in parts), sum(high[k] for k in parts))}
                for k in parts:
                    limits[k] = (low[total] - sum(high[j] for j in parts if j != k),
                                 high[total] - sum(low[j] for j in parts if j != k))
                for k, (a, b) in limits.items():
                    kept = [v for v in domains[k] if a <= v <= b]
                    if not kept:
                        return None
                    if len(kept) < len(domains[k]):
                        domains[k] = kept
                        changed = True
        return domains

    # C901 allowed: one backtracking search with its forward checks; split, its state
    # (domains, order, budget) would travel through every call
    def first(self, domains: dict, budget: int = 2_000_000) -> dict | None | bool:  # noqa: C901
        """One assignment consistent with everything (None: there is none; False: the
        search ran out of ``budget`` nodes first)."""
        names = list(domains)
        nodes = [0]

        def fits(assigned: dict) -> bool:
            for total, parts in self.sums:
                if total in assigned and all(k in assigned for k in parts):
                    if assigned[total] != sum(assigned[k] for k in parts):
                        return False
                elif total in assigned:
                    if sum(assigned[k] for k in parts if k in assigned) + sum(
                            min(domains[k]) for k in parts if k not in assigned) > \
                            assigned[total]:
                        return False
            return True

        def search(assigned: dict):
            nodes[0] += 1
            if nodes[0] > budget:
                return False
            changed = True
            while changed:  # a sum with one unknown term fixes it
                changed = False
                for total, parts in self.sums:
                    missing = [k for k in (total, *parts) if k not in assigned]
                    if len(missing) != 1:
                        continue
                    (k,) = missing
                    value = (sum(assigned[j] for j in parts) if k == total else
                             assigned[total] - sum(assigned[j] for j in parts if j != k))
                    if value not in domains[k]:
                        return None
                    assigned = {**assigned, k: value}
                    changed = True
            if not fits(assigned):
                return None
            # a check runs as soon as the cells it reads are known (not only at the end)
            if not all(c(assigned) for keys, c in self.checks
                       if all(k in assigned for k in keys)):
                return None
            free = [k for k in names if k not in assigned]
            if not free:
                return assigned
            k = min(free, key=lambda key: len(domains[key]))
            for value in domains[k]:
                found = search({**assigned, k: value})
                if found is not None:
                    return found
            return None

        return search({})

    def values(self, target) -> list[int] | None:
        """The target's possible values as far as needed: one (pinned), or two found
        (not pinned); None when the search gives up."""
        domains = self.narrowed()
        if domains is None:
            return []
        found = self.first(domains, self.budget)
        if found is False:
            return None
        if found is None:
            return []
        other = {**domains, target: [v for v in domains[target] if v != found[target]]}
        if not other[target]:
            return [found[target]]
        second = self.first(other, self.budget)
        if second is False:
            return None
        return [found[target]] if second is None else sorted({found[target],
                                                              second[target]})


def cell_from(shown: str, rule: str) -> Cell:
    if shown == "":
        return Cell()
    value = number(shown)
    if value is not None:
        return Cell(exact=value)
    if shown.startswith("<"):
        return Cell(small=True)
    return Cell(not_small=rule == "complementary")


def compositions(n: int, k: int) -> np.ndarray:
    """Every split of n answers over k levels (a search of its own: recursion on the first
    level), one row each."""
    if k == 1:
        return np.array([[n]])
    blocks = [np.column_stack([np.full(len(rest), first), rest])
              for first in range(n + 1) for rest in [compositions(n - first, k - 1)]]
    return np.vstack(blocks)


def quantile_rows(counts: np.ndarray, levels: np.ndarray, p: float) -> np.ndarray:
    """Each row's p-quantile with linear interpolation between order statistics."""
    n = int(counts[0].sum())
    h = (n - 1) * p
    low, high = int(math.floor(h)), min(int(math.floor(h)) + 1, n - 1)
    ends = np.cumsum(counts, axis=1)

    def order_statistic(j):
        return levels[np.argmax(ends > j, axis=1)]

    return order_statistic(low) + (h - low) * (order_statistic(high) - order_statistic(low))


_compositions = compositions


def compositions(n: int, k: int) -> np.ndarray:  # noqa: F811 (cached)
    key = (n, k)
    if key not in _CACHE:
        _CACHE[key] = _compositions(n, k)
    return _CACHE[key]


_CACHE: dict = {}

COUNTS = {"invited", "paired", "responded", "analysed", "excluded", "n", "count", "segments",
          "n_pairs", "yes_before", "yes_after", "no_to_yes", "yes_to_no"}
PARTS = ("below", "middle", "above")


@dataclass
class Reading:
    """Everything one cohort's shared outputs say, by (item, option, group, statistic)."""
    shown: dict = field(default_factory=dict)       # -> (text, rule, decimals)
    extra: dict = field(default_factory=dict)       # -> [(value, decimals)] other outputs
    public: dict = field(default_factory=dict)      # -> (value, decimals) the paper prints
    effects: dict = field(default_factory=dict)     # (item, metric) -> {column: value}


# C901 allowed: one pass over every shared table a cohort appears in, a branch per table
# and marker, so that what the outsider reads can be checked against the files in one place
def read_cohort(results: Path, program: str, year: str, tables: dict,  # noqa: C901
                truth: dict | None = None) -> Reading:
    """Everything the outputs say of one cohort. A printed number in the reproduction
    table whose note says it is about another quantity than the statistic it is filed
    under (UNC's "95% of all students" counts the excluded too) is not read as that
    statistic: ``truth`` stands in for reading the note (a number that disagrees with it
    at its printed precision is such a case)."""
    found = Reading()
    shared = read_text(results / "cohorts" / program / year / "shared_stats.csv")
    for _, r in shared.iterrows():
        found.shown[(r["item"], r["option"], r["group"], r["statistic"])] = (
            r["shown"] if r["shown"] else r["value"], r["rule"],
            None if r["decimals"] == "" else int(float(r["decimals"])))
    mine = lambda t: t[(t["program"] == program) & (t["year"] == year)]  # noqa: E731
    for _, r in mine(tables["outcomes"]).iterrows():
        source = "percent" if r["statistic"] == "percent_positive" else "mean"
        for column, statistic in (("n", "n"), ("count", "count"), ("raw_value", source)):
            if number(r[column]) is not None:
                found.extra.setdefault((r["item"], "", r["group"], statistic), []).append(
                    (number(r[column]), decimals_of(r[column])))
    for _, r in mine(tables["studies"]).iterrows():
        for column in tables["studies"].columns:
            statistic, _, role = column.partition("_")
            if column == "response_rate":
                statistic, role = column, ""
            if statistic in ("invited", "responded", "analysed", "excluded", "paired",
                             "response_rate") and number(r[column]) is not None:
                found.extra.setdefault(("participation", "", role or "all", statistic),
                                       []).append((number(r[column]), decimals_of(r[column])))
    for _, r in mine(tables["themes"]).iterrows():
        if number(r["segments"]) is not None:
            found.extra.setdefault((r["category"], "", "all", "segments"), []).append(
                (number(r["segments"]), 0))
    for _, r in mine(tables["effects"]).iterrows():
        found.effects[(r["item"], r["metric"])] = {
            c: (number(r[c]), decimals_of(r[c])) for c in
            ("estimate", "ci_low", "ci_high", "p", "pool_estimate", "pool_se")
            if number(r[c]) is not None}
    for _, r in mine(tables["reproduction"]).iterrows():
        item = r["item"] or ("participation" if r["statistic"] in (
            "invited", "responded", "analysed", "excluded", "paired", "response_rate") else "")
        key = (item, r["option"], r["group"], r["statistic"])
        actual = (truth or {}).get(key)
        if actual is None or not math.isfinite(actual):
            continue
        for column in ("computed", "published"):
            printed = number(r[column])
            if printed is not None and abs(printed - actual) > 0.5 * 10 ** -(
                    decimals_of(r[column]) or 0) + 1e-9 and r["precision"] != "exact":
                r = r.copy()
                r[column] = ""
            elif printed is not None and r["precision"] == "exact" and printed != actual:
                r = r.copy()
                r[column] = ""
        if number(r["computed"]) is not None:
            found.extra.setdefault(key, []).append((number(r["computed"]),
                                                    decimals_of(r["computed"])))
        places = (0 if r["precision"] == "exact" else int(r["precision"].split()[0])
                  if r["precision"].split()[:1] and r["precision"].split()[0].isdigit()
                  else None)
        if r["status"] in ("reproduced", "assumed") and places is not None and number(
                r["published"]) is not None:
            found.public[key] = (number(r["published"]), places)
    return found


def _values(reading: Reading, key: tuple) -> list[tuple[float, int | None]]:
    """Every number shown for ``key``: (value, decimals), from any output, and the paper's."""
    out = []
    text, _, places = reading.shown.get(key, ("", "", None))
    if number(text) is not None:
        out.append((number(text), places))
    out += reading.extra.get(key, [])
    if key in reading.public:
        out.append(reading.public[key])
    return out


def _two_by_two(ya: int, na: int, yb: int, nb: int) -> dict:
    """The between-role statistics of a 2x2 table as the outputs report them (issue 22's
    rules), from scipy and statsmodels directly: Fisher's p; the odds ratio conditional
    (exact) where an expected count is below 5, else the sample odds ratio; the risk
    ratio with 0.5 added to every cell of a table with a zero (Haldane-Anscombe), Katz
    interval; the risk difference with the Newcombe interval. A statistic the pipeline
    computes another way is left out (fewer facts: a weaker attack, never a wrong one)."""
    from statsmodels.stats import proportion
    from statsmodels.stats.contingency_tables import Table2x2

    table = np.array([[ya, na - ya], [yb, nb - yb]])
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    out = {"p": sps.fisher_exact(table).pvalue,
           "risk_difference:estimate": ya / na - yb / nb}
    if not (rows == 0).any() and not (cols == 0).any():
        expected = np.outer(rows, cols) / table.sum()
        if (expected < 5).any():
            odds = sps.contingency.odds_ratio(table, kind="conditional").statistic
        else:
            odds = (ya * (nb - yb)) / ((na - ya) * yb) if (table > 0).all() else None
        if odds is not None:
            out |= {"odds_ratio:estimate": odds, "odds_ratio": odds}
    if (table > 0).all():
        shifted = Table2x2(table.astype(float), shift_zeros=False)
        out |= {"risk_ratio": shifted.riskratio, "risk_ratio:estimate": shifted.riskratio}
        low, high = shifted.riskratio_confint()
        out |= {"risk_ratio_ci_low": low, "risk_ratio_ci_high": high}
    try:
        low, high = proportion.confint_proportions_2indep(ya, na, yb, nb, method="newcomb")
        out |= {"risk_difference:ci_low": low, "risk_difference:ci_high": high}
    except (ValueError, ZeroDivisionError):
        pass
    return out


# C901 allowed: a branch per kind of table (the README's list of the attacker's equations)
def count_problem(kind: str, item: str, reading: Reading, keys: list[tuple], roles: list[str],  # noqa: C901, E501
                  threshold: int, upper: int, pair: tuple | None) -> Problem:
    """The attacker's problem for a table of counts (participation, choices, yes/no,
    multiple response, coded segments)."""
    problem = Problem(threshold=threshold, upper=upper)
    for key in keys:
        text, rule, _ = reading.shown.get((item, *key), ("", "", None))
        cell = cell_from(text, rule)
        for value, _ in _values(reading, (item, *key)):
            cell = Cell(exact=value)
        problem.cells[key] = cell
    groups = [*roles, "all"]
    present = lambda o, g, s: (o, g, s) in problem.cells  # noqa: E731
    if kind in ("binary", "multi_choice"):
        for o, g, s in list(problem.cells):
            if s == "count" and present("", g, "n"):
                problem.cells[(o, g, "no")] = Cell()
                problem.sums.append((("", g, "n"), [(o, g, "count"), (o, g, "no")]))
    for o, _, s in {(o, None, s) for o, g, s in problem.cells}:
        if present(o, "all", s):
            parts = [(o, g, s) for g in roles if present(o, g, s)]
            if parts:
                problem.sums.append(((o, "all", s), parts))
    for g in groups:
        if kind == "participation" and present("", g, "responded"):
            problem.sums.append((("", g, "responded"), [("", g, "analysed"),
                                                         ("", g, "excluded")]))
        if kind == "single_choice" and present("", g, "n"):
            problem.sums.append((("", g, "n"), [(o, gg, s) for o, gg, s in problem.cells
                                                if gg == g and s == "count"]))
    # percentages and rates
    for (i, o, g, s) in {*reading.shown, *reading.extra, *reading.public}:
        if i != item or s not in ("percent", "response_rate"):
            continue
        count, total = (((o, g, "count"), ("", g, "n")) if s == "percent"
                        else (("", g, "responded"), ("", g, "invited")))
        for value, places in _values(reading, (i, o, g, s)):
            if count in problem.cells and total in problem.cells:
                problem.checks.append((
                    (count, total), lambda a, c=count, t=total, v=value, d=places:
                    a[t] == 0 or close(100 * a[c] / a[t], v, d)))
    # between-role statistics of a yes/no item
    if kind == "binary" and pair and all(present("", g, s) for g in pair
                                         for s in ("n", "count")):
        vs = f"{pair[0]}_vs_{pair[1]}"
        shown = {s: v for (i, o, g, s), _ in reading.shown.items() if i == item and g == vs
                 for v in _values(reading, (i, o, g, s))}
        for (i, metric), columns in reading.effects.items():
            if i == item:
                shown |= {f"{metric}:{c}": v for c, v in columns.items()
                          if c in ("estimate", "ci_low", "ci_high")}
        if shown:
            a, b = pair

            def fits(x, shown=shown, a=a, b=b):
                if min(x[("", a, "n")], x[("", b, "n")]) == 0:
                    return False
                got = _two_by_two(int(x[("", a, "count")]), int(x[("", a, "n")]),
                                  int(x[("", b, "count")]), int(x[("", b, "n")]))
                return all(name not in got or close(got[name], v, d)
                           for name, (v, d) in shown.items())
            problem.checks.append(([("", g, s) for g in pair for s in ("n", "count")],
                                   fits))
    # the test of a categorical item
    if kind == "single_choice" and pair:
        vs = f"{pair[0]}_vs_{pair[1]}"
        p = _values(reading, (item, "", vs, "p"))
        if p:
            a, b = pair

            def test(x, p=p[0], a=a, b=b):
                options = sorted({o for o, g, s in x if s == "count" and g in (a, b)})
                table = np.array([[x[(o, g, "count")] for o in options] for g in (a, b)])
                table = table[:, table.sum(axis=0) > 0]
                if table.shape[1] < 2:
                    return False
                got = (sps.fisher_exact(table).pvalue if table.shape == (2, 2) else
                       sps.chi2_contingency(table, correction=False).pvalue)
                return close(got, *p)
            problem.checks.append(([k for k in problem.cells if k[2] == "count"
                                    and k[1] in (a, b)], test))
    return problem


def likert_candidates(reading: Reading, item: str, group: str, levels: list[int],
                      threshold: int) -> np.ndarray | None:
    """Every distribution of one group's answers consistent with what is shown of that
    group (columns: levels, then below / middle / above the midpoint)."""
    size = _values(reading, (item, "", group, "n"))
    k = len(levels)
    if not size:
        text, _, _ = reading.shown.get((item, "", group, "n"), ("", "", None))
        if not text.startswith("<"):
            return None
        # a group below the threshold: every size the marker allows
        found = [likert_candidates(Reading(shown={**reading.shown, (item, "", group, "n"): (
            str(n), "", None)}, extra=reading.extra, public=reading.public), item, group,
            levels, threshold) for n in range(1, threshold)]
        return np.vstack([f for f in found if f is not None and len(f)] or
                         [np.zeros((0, k + 3), dtype=int)])
    n = int(size[0][0])
    if math.comb(n + k - 1, k - 1) > 3_000_000:
        return None
    scale = np.array(levels, dtype=float)
    rows = compositions(n, k)
    half = k // 2
    parts = np.column_stack([rows[:, :half].sum(axis=1),
                             rows[:, half] if k % 2 else np.zeros(len(rows), int),
                             rows[:, k - half:].sum(axis=1)])
    table = np.column_stack([rows, parts])
    keep = np.ones(len(rows), dtype=bool)
    for column, option in enumerate([str(v) for v in levels] + list(PARTS)):
        text, rule, _ = reading.shown.get((item, option, group, "count"), ("", "", None))
        cell = cell_from(text, rule)
        values = _values(reading, (item, option, group, "count"))
        if values:
            keep &= table[:, column] == values[0][0]
        elif cell.small:
            keep &= (table[:, column] >= 1) & (table[:, column] < threshold)
        elif cell.not_small:
            keep &= (table[:, column] == 0) | (table[:, column] >= threshold)
    if n:
        total, squares = rows @ scale, rows @ scale ** 2
        mean = total / n
        sd = np.sqrt(np.maximum(squares - n * mean ** 2, 0) / max(n - 1, 1))
        got = {"mean": mean, "sd": sd, "median": quantile_rows(rows, scale, 0.5),
               "q1": quantile_rows(rows, scale, 0.25), "q3": quantile_rows(rows, scale, 0.75)}
        for statistic, values in got.items():
            for value, places in _values(reading, (item, "", group, statistic)):
                half_unit = 1e-8 * max(1, abs(value)) if places is None else (
                    0.5 * 10 ** -places + 1e-9)
                keep &= np.abs(values - value) <= half_unit
    return table[keep]


def likert_pairs(a: np.ndarray, b: np.ndarray, levels: list[int], shown: dict,
                 totals: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """Index pairs (i in a, j in b) consistent with the between-role statistics shown
    (rank-biserial r from scipy's Mann-Whitney U, Hedges' g with its small-sample factor)
    and with the "All" counts (``totals``: column -> count)."""
    k = len(levels)
    if len(a) * len(b) > MAX_PAIRS:
        return None
    scale = np.array(levels, dtype=float)
    n_a, n_b = int(a[0, :k].sum()), int(b[0, :k].sum())
    found_i, found_j = [], []
    step = max(1, 3_000_000 // max(len(b), 1))
    for start in range(0, len(a), step):
        chunk = a[start:start + step]
        # U of A: pairs (x in A, y in B) with x > y, ties counting one half
        below_b = np.cumsum(b[:, :k], axis=1) - b[:, :k]   # answers of B below each level
        u = chunk[:, :k] @ below_b.T.astype(float) + 0.5 * (chunk[:, :k] @ b[:, :k].T)
        fits = np.ones(u.shape, dtype=bool)
        r = 2 * u / (n_a * n_b) - 1
        mean_a, mean_b = chunk[:, :k] @ scale / n_a, b[:, :k] @ scale / n_b
        var_a = (chunk[:, :k] @ scale ** 2 - n_a * mean_a ** 2) / (n_a - 1)
        var_b = (b[:, :k] @ scale ** 2 - n_b * mean_b ** 2) / (n_b - 1)
        pooled = np.sqrt(((n_a - 1) * var_a[:, None] + (n_b - 1) * var_b[None, :])
                         / (n_a + n_b - 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            g = (mean_a[:, None] - mean_b[None, :]) / pooled * (1 - 3 / (4 * (n_a + n_b) - 9))
            z = np.arctanh(r)
        got = {"rbc": r, "rbc_z": z, "g": g}
        for name, (value, places) in shown.items():
            fits &= np.abs(got[name] - value) <= 0.5 * 10 ** -places + 1e-9
        for column, total in totals.items():
            fits &= (chunk[:, column][:, None] + b[:, column][None, :]) == total
        i, j = np.nonzero(fits)
        found_i.append(i + start)
        found_j.append(j)
    return np.concatenate(found_i), np.concatenate(found_j)


@dataclass
class Outcome:
    """One hidden small count and what the attack made of it."""
    program: str
    year: str
    item: str
    cell: tuple
    truth: int
    possible: list[int] | None   # None: too many candidates to list
    public: bool = False         # the paper's printed numbers alone pin it

    @property
    def recovered(self) -> bool:
        """Pinned by what the pipeline shares (not by the paper alone)."""
        return (not self.public and self.possible is not None
                and len(self.possible) == 1)


# C901 allowed: the outsider's whole plan (cohorts, items, kinds of table) in one place
def attack_run(results: Path, programs: dict[str, dict], threshold: int,  # noqa: C901
               budget: int = 2_000_000) -> list[Outcome]:
    """Attack every hidden small count of every cohort of a run (``budget``: nodes the
    search of one count's values may visit before it gives up: ``possible`` None)."""
    results = Path(results)
    tables = {name: read_text(results / "comparison" / f"{name}.csv")
              for name in ("studies", "outcomes", "effects", "themes")}
    tables["reproduction"] = read_text(results / "reproduction.csv")
    outcomes: list[Outcome] = []
    for folder in sorted((results / "cohorts").glob("*/*")):
        program, year = folder.parent.name, folder.name
        if program not in programs or not (folder / "shared_stats.csv").is_file():
            continue
        config = programs[program]
        roles = list(config["roles"])
        pair = tuple(config["comparison"]) if len(config.get("comparison") or []) == 2 else None
        codebook = {i["id"]: i for i in config.get("codebook", [])}
        truth = pd.read_csv(folder / "stats.csv", dtype={"year": str, "option": str},
                            keep_default_na=False, na_values={"value": [""]})
        reading = read_cohort(results, program, year, tables, {
            (i, o, g, s): v for i, o, g, s, v in zip(truth["item"], truth["option"],
                                                      truth["group"], truth["statistic"],
                                                      truth["value"], strict=True)})
        exact = [number(t) for t, _, _ in reading.shown.values() if number(t) is not None]
        # counts of people: at most a few times the largest one shown (never below a
        # true count: that would rule the truth out, which the scoring below asserts)
        upper = 4 * int(max([x for x in exact if x == int(x)] or [0])) + 100
        for (section, item), rows in truth.groupby(["section", "item"], sort=False):
            kind = (section if section in ("participation", "qualitative")
                    else codebook.get(item, {}).get("type", "other"))
            cells = {(o, g, s): v for o, g, s, v in zip(rows["option"], rows["group"],
                                                        rows["statistic"], rows["value"],
                                                        strict=True)
                     if s in COUNTS and "_vs_" not in g and pd.notna(v)
                     and not (kind == "qualitative" and o != "")}
            if kind == "qualitative":
                for o in {o for o, g, s in cells}:
                    cells[(o, "all", "segments")] = sum(
                        v for (oo, g, s), v in cells.items() if oo == o and g != "all")
            if kind in ("likert", "ranking", "change", "other"):
                if kind == "likert":
                    outcomes += _attack_likert(program, year, item, codebook[item], reading,
                                               truth=rows, roles=roles, pair=pair,
                                               threshold=threshold)
                continue
            problem = count_problem(kind, item, reading, list(cells), roles, threshold, upper,
                                    pair)
            targets = {k: v for k, v in cells.items()
                       if 0 < v < threshold and _hidden(reading, item, k)}
            if kind in ("binary", "multi_choice"):
                for o, g, s in list(cells):
                    size = cells.get(("", g, "n"))
                    if s == "count" and size is not None and 0 < size - cells[(o, g, s)] \
                            < threshold:
                        targets[(o, g, "no")] = size - cells[(o, g, s)]
            if not targets:
                continue
            paper = None
            for key, value in targets.items():
                problem.budget = budget
                possible = problem.values(key)
                # one value found: it must be the truth (else the outputs contradict each
                # other); two found: the count is open (the search stops at two)
                if possible is not None and len(possible) <= 1:
                    assert int(value) in possible, (program, year, item, key, possible)
                if possible is not None and len(possible) == 1:
                    if paper is None:  # what the paper and the group sizes alone pin
                        public = Reading(shown={k: v for k, v in reading.shown.items()
                                                if k[3] in ("n", "responded")
                                                and number(v[0]) is not None},
                                         public=reading.public)
                        paper = count_problem(kind, item, public, list(cells), roles,
                                              threshold, upper, None)
                    alone = paper.values(key)
                    if alone is not None and len(alone) == 1:
                        outcomes.append(Outcome(program, year, item, key, int(value),
                                                possible, public=True))
                        continue
                outcomes.append(Outcome(program, year, item, key, int(value), possible))
    return outcomes


def _hidden(reading: Reading, item: str, key: tuple) -> bool:
    text, _, _ = reading.shown.get((item, *key), ("", "", None))
    return number(text) is None


# C901 allowed: the Likert attack's steps (each role's candidates, the pair, the paper's
# numbers alone) kept together, as the outsider is kept free of the pipeline's helpers
def _attack_likert(program, year, item, config, reading, truth, roles, pair, threshold):  # noqa: C901
    scale = config["scale"]
    levels = list(range(int(scale["min"]), int(scale["max"]) + 1))
    keys = [str(v) for v in levels] + list(PARTS)
    counts = {(o, g): v for o, g, s, v in zip(truth["option"], truth["group"],
                                              truth["statistic"], truth["value"], strict=True)
              if s == "count"}
    found = []
    candidates = {g: likert_candidates(reading, item, g, levels, threshold) for g in roles
                  if any(g == gg for _, gg in counts)}
    targets = {}
    for g in candidates:
        true = [int(counts.get((str(v), g), 0)) for v in levels]
        half = len(levels) // 2
        true += [sum(true[:half]), true[half] if len(levels) % 2 else 0,
                 sum(true[len(levels) - half:])]
        for c, value in enumerate(true):
            if 0 < value < threshold and _hidden(reading, item, (keys[c], g, "count")):
                targets[(g, c)] = value
    joint = None
    if pair and all(g in candidates and candidates[g] is not None for g in pair):
        vs = f"{pair[0]}_vs_{pair[1]}"
        shown = {}
        for value, places in _values(reading, (item, "", vs, "rbc")):
            shown["rbc"] = (value, places if places is not None else 9)
        for (i, metric), columns in reading.effects.items():
            if i != item:
                continue
            name = {"rank_biserial": "rbc", "hedges_g": "g"}.get(metric)
            if name and "estimate" in columns:
                value, places = columns["estimate"]
                shown.setdefault(name, (value, places))
            if metric == "rank_biserial" and "pool_estimate" in columns:
                shown["rbc_z"] = columns["pool_estimate"]
        others = [g for g in roles if g not in pair and g in candidates]
        totals = {} if others else {
            c: v[0][0] for c, k in enumerate(keys)
            for v in [_values(reading, (item, k, "all", "count"))] if v}
        if shown or totals:
            joint = likert_pairs(candidates[pair[0]], candidates[pair[1]], levels, shown,
                                 totals)
    for (g, c), value in targets.items():
        rows = candidates.get(g)
        if rows is None:
            possible = None
        elif joint is not None and g in pair:
            index = joint[0] if g == pair[0] else joint[1]
            possible = sorted({int(v) for v in rows[np.unique(index), c]})
        else:
            possible = sorted({int(v) for v in rows[:, c]})
        public = False
        if possible is not None:
            assert value in possible, (program, year, item, g, keys[c], possible)
            if len(possible) == 1:  # does the paper alone (with the sizes) pin it?
                paper = likert_candidates(Reading(
                    shown={k: v for k, v in reading.shown.items() if k[3] == "n"
                           and number(v[0]) is not None}, public=reading.public),
                    item, g, levels, threshold)
                public = paper is not None and len({int(v) for v in paper[:, c]}) == 1
        found.append(Outcome(program, year, item, (keys[c], g, "count"), value, possible,
                             public))
    return found
