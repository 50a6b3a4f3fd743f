"""Consistency audit of a paper's published numbers against each other.

Works on the published-values file alone (and, for the bounded SPRITE search, the
codebook's scale): it asks whether the printed numbers can all be true, not whether our
reconstruction reproduces them. One row per check:
``program, source, check, printed, expected, verdict, explanation``.

Checks, all automatic except the last:

* GRIM for every mean with its n; GRIMMER and a bounded SPRITE search for every mean
  with an SD;
* every percentage against its count and denominator (or, with no count printed,
  against every count the denominator allows);
* category counts against their totals, single-choice percentages against 100;
* role sizes against the total, response rates against responded/invited;
* the same quantity printed in two places (text against tables), worded claims
  ("approximately 70%", "p>0.05") against the number they paraphrase, ranges against
  the values they span;
* every printed Mann-Whitney p-value against the p-values attainable, under each
  standard variant, from every integer sample matching the printed means and SDs;
* every claim of no difference against the effect its groups could detect
  (:func:`peermentor.analysis.precision.claim_power_checks`: ``underpowered claim`` when that is
  above Cohen's medium effect);
* ``checks:`` declared in the published-values file, for what numbers cannot show
  (category labels, for instance).

Verdicts: ``consistent``; ``inconsistent`` (the printed numbers cannot all be true);
``questionable`` (they may not be); ``rounding artefact`` (a percentage of several
categories printed as the sum of their printed, rounded percentages, e.g. 32% + 32% =
64% where the count gives 63%: not what the count rounds to, but not a printing error).
Every check that is not consistent carries a one-line ``finding``: the text the
published-values file gives its ``error`` label under ``findings:``, or the check itself
when it has none; checks sharing a finding are one error shown in several places.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import pandas as pd

from peermentor.analysis.precision import UNDERPOWERED_FINDING, claim_power_checks
from peermentor.ingest.config import codebook_items
from peermentor.papers.consistency import (
    MWU_VARIANTS,
    attainable_mwu_p,
    grim,
    grim_percent_counts,
    grimmer,
    printed_decimals,
    round_half_up,
    sprite,
)

AUDIT_COLUMNS = ["program", "source", "check", "printed", "expected", "verdict", "explanation",
                 "finding"]
#: One row per distinct error (see :func:`findings`).
FINDING_COLUMNS = ["program", "finding", "verdict", "places", "checks", "printed",
                   "explanation"]


def _where(entry: dict) -> str:
    parts = [entry.get("item") or ""]
    option = entry.get("option") or " + ".join(entry.get("options", []))
    if option:
        parts.append(option)
    if entry.get("group"):
        parts.append(f"({entry['group']})")
    return " ".join(p for p in parts if p)


def _numeric(entry: dict) -> bool:
    return not entry.get("within") and not entry.get("claim") and entry.get("computable", True)


def _key(entry: dict) -> tuple:
    option = entry.get("option") or tuple(entry.get("options", ()))
    return entry["statistic"], entry.get("item"), option, entry.get("group")


def _scale(program: dict | None, item_id: str | None) -> tuple[int, int] | None:
    scale = codebook_items(program).get(item_id, {}).get("scale")
    return (int(scale["min"]), int(scale["max"])) if scale else None


#: A percentage of several categories printed as the sum of their rounded percentages.
ROUNDING_ARTEFACT = "rounding artefact"
#: One-line texts of the findings the audit labels itself (the files label the others).
BUILT_IN_FINDINGS = {
    UNDERPOWERED_FINDING: "A 'no difference' claim from groups too small to detect a medium "
                          "effect with 80% power: not evidence of no difference.",
}


def _row(program, source, check, printed, expected, consistent, explanation, *entries):
    """One audit row; ``finding`` is, for now, the ``error`` label of the first published
    entry involved that has one (one printing error can fail several checks);
    :func:`audit` turns it into the finding's text."""
    verdict = consistent if isinstance(consistent, str) else (
        "consistent" if consistent else "inconsistent")
    error = next((e["error"] for e in entries if e and e.get("error")), "")
    return [program, source, check, printed, expected, verdict, explanation, error]


def _means(values, program_id, program):
    rows = []
    by_key = {(e["source"], e.get("item"), e.get("group")): e for e in values
              if e["statistic"] == "sd" and _numeric(e)}
    for e in values:
        if e["statistic"] != "mean" or not _numeric(e) or "denominator" not in e:
            continue
        n, where = e["denominator"], _where(e)
        ok = grim(e["printed"], n)
        rows.append(_row(program_id, e["source"], f"GRIM: mean of {where}", e["printed"],
                         f"a total T with T/{n} rounding to {e['printed']}", ok,
                         f"n={n}" + ("" if ok else "; no whole-number total gives this mean"),
                         e))
        sd = by_key.get((e["source"], e.get("item"), e.get("group")))
        if sd is None:
            continue
        ok = grimmer(e["printed"], sd["printed"], n)
        scale = _scale(program, e.get("item"))
        detail = f"n={n}, mean {e['printed']}, SD {sd['printed']}"
        if scale:
            found = sprite(n, e["printed"], sd["printed"], *scale)
            detail += f"; {len(found)} samples on {scale[0]}..{scale[1]} match (SPRITE)"
            ok = ok and bool(found)
        rows.append(_row(program_id, e["source"], f"GRIMMER/SPRITE: mean±SD of {where}",
                         f"{e['printed']}±{sd['printed']}", "integer data with this mean and SD",
                         ok, detail, e, sd))
    return rows


def _counts_index(values):
    """Printed counts by (item, option, group), preferring table sources."""
    index: dict[tuple, dict] = {}
    for e in sorted(values, key=lambda e: not e["source"].startswith("Table")):
        if e["statistic"] == "count" and _numeric(e):
            index.setdefault((e.get("item"), e.get("option"), e.get("group")), e)
    return index


def _rounded_parts(values, parts, entry) -> list[dict] | None:
    """The printed percentages of the categories summed in ``entry`` (one per count in
    ``parts``, printed where the count is), or None when one is missing."""
    found = []
    for part in parts:
        match = next((x for x in values if x["statistic"] == "percent" and _numeric(x)
                      and x["source"] == part["source"]
                      and (x.get("item"), x.get("option"), x.get("group"))
                      == (part.get("item"), part.get("option"), part.get("group"))), None)
        if match is None:
            return None
        found.append(match)
    return found


def _percents(values, program_id):
    rows, counts = [], _counts_index(values)
    for e in values:
        if e["statistic"] != "percent" or "denominator" not in e or not e.get("computable", 1):
            continue
        n, where = e["denominator"], _where(e)
        options = e.get("options") or [e.get("option")]
        parts = [counts.get((e.get("item"), o, e.get("group"))) for o in options]
        if all(parts):
            total = sum(int(p["printed"]) for p in parts)
            share = 100 * total / n
            if e.get("within"):
                lo, hi = e["within"]
                ok, expected = lo <= share <= hi, f"{total}/{n} = {share:.1f}%"
                why = f"worded value admits [{lo}, {hi}]"
            else:
                rounded = round_half_up(share, printed_decimals(e["printed"]))
                ok, expected = rounded == Decimal(e["printed"]), f"{total}/{n} = {rounded}%"
                why = f"counts from {parts[0]['source']}; {total}/{n} = {share:.2f}%"
                if not ok:
                    why += f", which rounds to {rounded}, not {e['printed']}"
                    shares = _rounded_parts(values, parts, e) if len(parts) > 1 else None
                    if shares and sum(Decimal(x["printed"]) for x in shares) == Decimal(
                            e["printed"]):
                        ok = ROUNDING_ARTEFACT
                        why += (f"; {e['printed']} = "
                                + " + ".join(x["printed"] for x in shares)
                                + f", the sum of the rounded percentages {shares[0]['source']} "
                                "prints for these categories: a rounding artefact, not a "
                                "printing error")
            rows.append(_row(program_id, e["source"], f"percentage vs count: {where}",
                             f"{e['printed']}%", expected, ok, why, e, *parts))
        elif _numeric(e):
            found = grim_percent_counts(e["printed"], n)
            rows.append(_row(program_id, e["source"], f"percentage vs denominator: {where}",
                             f"{e['printed']}%", f"counts giving it of {n}: {found or 'none'}",
                             bool(found), f"no count is printed; n={n}", e))
    return rows


def _totals(values, program_id, program):
    rows = []
    items = codebook_items(program)
    groups: dict[tuple, list] = defaultdict(list)
    for e in values:
        if e["statistic"] in ("count", "percent") and e.get("option") and _numeric(e):
            groups[(e["source"], e["item"], e.get("group"), e["statistic"],
                    e.get("denominator"))].append(e)
    # counts that break down a printed n are checked against it by _breakdowns
    broken_down = {(e["source"], e.get("item"), e.get("group"), int(e["printed"]))
                   for e in values if e["statistic"] == "n" and e.get("breakdown")}
    for (source, item_id, group, statistic, n), entries in groups.items():
        if statistic == "count" and (source, item_id, group, n) in broken_down:
            continue
        item = items.get(item_id, {})
        total = sum(Decimal(e["printed"]) for e in entries)
        covers_all = set(item.get("choices", {})) <= {e["option"] for e in entries}
        where = f"{item_id} ({group})"
        listed = " + ".join(e["printed"] for e in entries)
        if statistic == "count" and n and item.get("type") == "single_choice" and covers_all:
            rows.append(_row(program_id, source, f"category counts vs total: {where}",
                             f"{listed} = {total}", str(n), total == n,
                             "single choice: the categories must add up to n", *entries))
        elif statistic == "count" and n and item.get("type") == "single_choice" and total > n:
            rows.append(_row(program_id, source, f"category counts vs total: {where}",
                             f"{listed} = {total}", f"at most {n}", False,
                             "the categories of one group cannot add up to more than its n",
                             *entries))
        elif statistic == "count" and n and item.get("type") == "multi_choice":
            most = item.get("max_selected", len(item.get("choices", {})))
            if total < n:
                verdict, why = "questionable", (
                    f"{total} ticks over {n} answerers: at least {n - int(total)} answered "
                    "without ticking anything")
            else:
                verdict = "consistent" if total <= most * n else "inconsistent"
                why = f"multiple response, at most {most} each: between {n} and {most * n}"
            rows.append(_row(program_id, source, f"ticks vs answerers: {where}",
                             f"{listed} = {total}", f"{n} to {most * n}", verdict, why,
                             *entries))
        elif statistic == "percent" and item.get("type") == "single_choice" and covers_all:
            slack = Decimal(len(entries)) / 2 / 10 ** printed_decimals(entries[0]["printed"])
            ok = abs(total - 100) <= slack
            rows.append(_row(program_id, source, f"percentages add to 100: {where}",
                             f"{listed} = {total}", f"100 ± {slack} (rounding)", ok,
                             "single-choice percentages of one group must add to about 100",
                             *entries))
    return rows


def _participation(values, program_id, program):
    rows = []
    by_source: dict[str, dict] = defaultdict(dict)
    for e in values:
        if e["statistic"] in ("responded", "invited") and _numeric(e):
            by_source[e["source"]][(e["statistic"], e["group"])] = int(e["printed"])
    roles = list((program or {}).get("roles", {}))
    for source, seen in by_source.items():
        for statistic in ("responded", "invited"):
            parts = [seen.get((statistic, r)) for r in roles]
            if (statistic, "all") in seen and all(p is not None for p in parts):
                total = seen[(statistic, "all")]
                rows.append(_row(program_id, source, f"{statistic} by role vs total",
                                 " + ".join(map(str, parts)) + f" = {sum(parts)}", str(total),
                                 sum(parts) == total, "every respondent has one role"))
    for e in values:
        if e["statistic"] != "response_rate":
            continue
        responded = next((int(x["printed"]) for x in values if x["statistic"] == "responded"
                          and x.get("group") == e["group"] and x["source"] == e["source"]), None)
        responded = responded or next((int(x["printed"]) for x in values
                                       if x["statistic"] == "responded"
                                       and x.get("group") == e["group"]), None)
        if responded is None:
            continue
        rate = 100 * responded / e["denominator"]
        rounded = round_half_up(rate, printed_decimals(e["printed"]))
        rows.append(_row(program_id, e["source"], f"response rate ({e['group']})",
                         f"{e['printed']}%", f"{responded}/{e['denominator']} = {rounded}%",
                         rounded == Decimal(e["printed"]), f"{rate:.2f}% before rounding", e))
    return rows


def _same_quantity(values, program_id):
    """The same quantity printed in two places, or a worded claim against its number."""
    rows = []
    by_key: dict[tuple, list] = defaultdict(list)
    for e in values:
        if e.get("computable", True) and not e.get("items"):
            by_key[_key(e)].append(e)
    for entries in by_key.values():
        for a, b in itertools.combinations(entries, 2):
            if a["source"] == b["source"] and a["printed"] == b["printed"]:
                continue
            if not _numeric(a) and not _numeric(b):
                continue
            where = _where(a)
            if _numeric(a) and _numeric(b):
                # Compare at the coarser of the two printed precisions (31.6 vs 32).
                places = min(printed_decimals(a["printed"]), printed_decimals(b["printed"]))
                ok = (round_half_up(float(a["printed"]), places)
                      == round_half_up(float(b["printed"]), places))
                why = (f"{a['source']} prints {a['printed']}, {b['source']} prints "
                       f"{b['printed']}" + ("" if ok else ": the two places disagree"))
                notes = "; ".join(e["note"] for e in (a, b) if e.get("note"))
                rows.append(_row(program_id, f"{a['source']} vs {b['source']}",
                                 f"same {a['statistic']} printed twice: {where}", a["printed"],
                                 b["printed"], ok, f"{why} ({notes})" if notes else why, a, b))
                continue
            worded, exact = (a, b) if not _numeric(a) else (b, a)
            value = float(exact["printed"])
            if worded.get("claim") == "not_significant":
                ok, expected = value >= 0.05, f"p = {exact['printed']}"
            else:
                lo, hi = worded["within"]
                ok, expected = lo <= value <= hi, f"{exact['printed']} in [{lo}, {hi}]"
            rows.append(_row(program_id, f"{worded['source']} vs {exact['source']}",
                             f"worded value vs number: {where}", worded["printed"], expected,
                             ok, worded.get("note", ""), worded, exact))
    return rows


def _breakdowns(values, program_id):
    """Counts listed as the breakdown of a printed n ("Among ten mentees, six ..., two
    ... and one ...") must add up to it (the entry of the n says ``breakdown: true``)."""
    rows = []
    for e in values:
        if e["statistic"] != "n" or not e.get("breakdown") or not _numeric(e):
            continue
        n = int(e["printed"])
        parts = [x for x in values if x["statistic"] == "count" and _numeric(x)
                 and (x["source"], x.get("item"), x.get("group"), x.get("denominator"))
                 == (e["source"], e.get("item"), e.get("group"), n)]
        if not parts:
            continue
        total = sum(int(x["printed"]) for x in parts)
        rows.append(_row(program_id, e["source"], f"listed counts vs their n: {_where(e)}",
                         " + ".join(x["printed"] for x in parts) + f" = {total}", str(n),
                         total == n, e.get("note", "") or "the listed counts break down n",
                         e, *parts))
    return rows


def _ranges(values, program_id):
    rows = []
    for e in values:
        if not e.get("items"):
            continue
        spanned = [Decimal(x["printed"]) for x in values
                   if x["statistic"] == e["statistic"] and x.get("item") in e["items"]
                   and x.get("group") in e["groups"] and _numeric(x)
                   and x["source"].startswith("Table")]
        if not spanned:
            continue
        if e["aggregate"] == "count_first_higher":
            rows.append(_first_higher(values, program_id, e))
            continue
        expected = min(spanned) if e["aggregate"] == "min" else max(spanned)
        rows.append(_row(program_id, e["source"],
                         f"range end ({e['aggregate']}) of {e['statistic']}s",
                         e["printed"], str(expected), Decimal(e["printed"]) == expected,
                         f"{e['aggregate']} of the {len(spanned)} table values "
                         f"({', '.join(map(str, spanned))})", e))
    return rows


def _first_higher(values, program_id, e):
    """"Mentees higher in three items": count the items whose table value is higher for
    the first of ``groups`` than for the second."""
    first, second = e["groups"]
    table = {(x.get("item"), x.get("group")): Decimal(x["printed"]) for x in values
             if x["statistic"] == e["statistic"] and _numeric(x)
             and x["source"].startswith("Table")}
    pairs = [(i, table.get((i, first)), table.get((i, second))) for i in e["items"]]
    higher = sum(1 for _, a, b in pairs if a is not None and b is not None and a > b)
    return _row(program_id, e["source"], f"{first} higher than {second}: count of items",
                e["printed"], str(higher), int(e["printed"]) == higher,
                "; ".join(f"{i}: {a} vs {b}" for i, a, b in pairs), e)


def _pair_text(pair) -> str:
    return " vs ".join("(" + ",".join(map(str, sample)) + ")" for sample in pair)


def _p_values(values, program_id, program, declared):
    """Every printed Mann-Whitney p against what every variant attains from the data
    that match the printed means and SDs; then one variant for all of them."""
    rows, verdicts = [], []
    table = {(e["source"], e.get("item"), e.get("group"), e["statistic"]): e
             for e in values if _numeric(e)}
    for e in values:
        if e["statistic"] != "p" or not _numeric(e) or "_vs_" not in e.get("group", ""):
            continue
        first, second = e["group"].split("_vs_")
        specs = [(table.get((e["source"], e["item"], g, "mean")),
                  table.get((e["source"], e["item"], g, "sd"))) for g in (first, second)]
        scale = _scale(program, e["item"])
        if not scale or not all(m and s and "denominator" in m for m, s in specs):
            continue
        samples = [sprite(m["denominator"], m["printed"], s["printed"], *scale) for m, s in specs]
        attainable = attainable_mwu_p(*samples, decimals=printed_decimals(e["printed"]))
        hits = {v: attainable[v][e["printed"]] for v in MWU_VARIANTS
                if e["printed"] in attainable[v]}
        verdicts.append((e, hits))
        listing = "; ".join(f"{v}: {', '.join(attainable[v])}" for v in MWU_VARIANTS)
        pairs = (f"{len(samples[0]) * len(samples[1])} pairs of samples ({len(samples[0])} x "
                 f"{len(samples[1])}) match the printed means and SDs")
        if hits:
            why = "attained under " + "; ".join(
                f"{v} by {first} vs {second} = {_pair_text(pair)}" for v, pair in hits.items())
            if declared and declared not in hits:
                why += f"; not under the declared variant {declared}"
        else:
            why = (f"no sample matching the printed means and SDs gives this p under any of "
                   f"the {len(MWU_VARIANTS)} variants")
        rows.append(_row(program_id, e["source"], f"Mann-Whitney p attainable: {e['item']}",
                         e["printed"], listing, bool(hits), f"{why}; {pairs}", e))
    if len(verdicts) > 1:
        common = [v for v in MWU_VARIANTS if all(v in hits for _, hits in verdicts)]
        printed = ", ".join(e["printed"] for e, _ in verdicts)
        why = (f"variants that attain all: {', '.join(common) or 'none'}; "
               + "; ".join(f"{e['printed']}: {', '.join(h) or 'none'}" for e, h in verdicts))
        if declared:
            why += (f"; declared variant {declared} "
                    + ("attains all" if declared in common else "does not attain all"))
        rows.append(_row(program_id, verdicts[0][0]["source"],
                         f"one Mann-Whitney variant for every printed p (of {len(MWU_VARIANTS)})",
                         printed, "a variant under which all are attainable", bool(common), why))
    return rows


def audit(published: dict, program: dict | None = None) -> pd.DataFrame:
    """Every consistency check of one published-values file, one row each; ``finding``
    names the printing error a failed check belongs to (see :func:`findings`)."""
    program_id = published["program"]
    values = [{**e, "printed": str(e["printed"])} for e in published["values"]]
    rows = (
        _means(values, program_id, program)
        + _percents(values, program_id)
        + _totals(values, program_id, program)
        + _participation(values, program_id, program)
        + _same_quantity(values, program_id)
        + _breakdowns(values, program_id)
        + _ranges(values, program_id)
        + _p_values(values, program_id, program,
                    (published.get("mann_whitney") or {}).get("variant"))
        + claim_power_checks(published, program)
    )
    for c in published.get("checks", []):
        rows.append(_row(program_id, c["source"], c["check"], c["printed"], c["expected"],
                         c["verdict"], c["explanation"], c))
    table = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    texts = {**BUILT_IN_FINDINGS, **(published.get("findings") or {})}
    labels = {e["error"] for e in [*published["values"], *published.get("checks", [])]
              if e.get("error")}
    unknown = sorted(labels - set(texts))
    if unknown:
        raise ValueError(f"{program_id}: error label(s) {unknown} have no one-line text under "
                         "`findings:` in the published-values file")
    failed = table["verdict"] != "consistent"
    table["finding"] = [
        (texts.get(label, label) if label else check) if bad else ""
        for label, check, bad in zip(table["finding"], table["check"], failed, strict=True)]
    return table


_SEVERITY = {"inconsistent": 0, "questionable": 1, ROUNDING_ARTEFACT: 2}


def findings(checks: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct error: the failed checks (not ``consistent``) grouped by their
    ``finding`` (the ``error`` label in the published-values file; a check without one
    is its own finding), with every place it shows.

    >>> checks = pd.DataFrame([
    ...     ["p", "Results 1 vs Table 2", "same n", "10", "9", "inconsistent", "why", "swap"],
    ...     ["p", "Results 1 vs Table 4", "same n", "10", "9", "inconsistent", "why", "swap"],
    ...     ["p", "Table 1", "GRIM", "3.5", "x", "consistent", "", ""]], columns=AUDIT_COLUMNS)
    >>> findings(checks)[["finding", "places"]].values.tolist()
    [['swap', 'Results 1 vs Table 2; Results 1 vs Table 4']]
    """
    failed = checks[checks["verdict"] != "consistent"].copy()
    if failed.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    failed["finding"] = failed["finding"].where(failed["finding"].fillna("") != "",
                                                failed["check"])
    rows = []
    for (program, finding), group in failed.groupby(["program", "finding"], sort=False):
        rows.append([
            program, finding,
            min(group["verdict"], key=lambda v: _SEVERITY.get(v, 3)),
            "; ".join(dict.fromkeys(group["source"])),
            " | ".join(dict.fromkeys(group["check"])),
            "; ".join(dict.fromkeys(group["printed"])),
            max(group["explanation"], key=len),
        ])
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
