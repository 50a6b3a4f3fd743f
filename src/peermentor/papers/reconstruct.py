"""Reconstruct respondent-level data from the aggregates a paper publishes.

The bundled studies publish counts, percentages, means and SDs, never answers. This
script turns the ``published`` and ``assumed`` blocks of every programme config with
``reconstructed: true`` into ``data/raw/<program>/<year>/responses.csv`` (and
``codes.csv`` when the config has a ``qualitative`` block). The files it writes are
**reconstructions**, not real data: they reproduce every published count exactly and
every published mean and SD within the paper's rounding, and nothing more.

Run from the repository root::

    python -m peermentor.papers.reconstruct [--programs config/programs] [--out data/raw] \\
        [--published config/published]

Method, per item type (all driven by the YAML; there is no per-study code):

* The target of an item is taken from, in order of precedence, ``by_group`` (counts
  within the respondents who gave each answer to an earlier item), ``by_role`` (the
  published entry of a role, else its assumed entry) and ``overall`` (all respondents
  asked). ``published`` wins over ``assumed``; a finer target must add up to any
  coarser published one.
* ``single_choice``, ``binary``, ``numeric``, ``free_text``: exactly the given counts.
* ``multi_choice``: exact counts per option among ``n`` answerers; respondents outside
  ``n`` get all-empty cells. Options are dealt out, largest count first, to the
  answerers with the fewest ticks so far (ties broken at random, ``max_selected``
  respected); an answerer can end with no tick when the counts force it.
* ``ranking``: every answerer ranks the options in the published group order. This has
  no spread at all and is an artefact of the reconstruction, not a finding.
* ``likert`` with ``n``/``mean``/``sd``: every integer multiset on the scale whose mean
  and SD (ddof=1) round **half-up** to the printed values at the printed number of
  decimals. The comparison is exact (``fractions.Fraction`` against the half-up
  rounding interval ``[x - 0.5e-d, x + 0.5e-d)``), so no floating-point tolerance is
  needed. When the item publishes ``test: {name: mann_whitney, p}``, the pair of
  multisets (one per ``comparison`` role) whose two-sided p-value under the paper's
  declared variant (``mann_whitney: {variant}`` in ``config/published/<program>.yaml``,
  default ``r_correct``; see ``peermentor.analysis.mannwhitney.MWU_VARIANTS``) is closest to the
  printed p is used, ties broken by the lexicographically smallest pair;
  otherwise one candidate is drawn with the seeded generator. ``results/audit.csv``
  lists, per variant, every p-value the matching samples can give.

Who gets which answer is a seeded shuffle. Every item and stratum has its own
``numpy.random.Generator`` seeded with ``[seed, crc32(item id), crc32(stratum)]``, so
editing one item leaves the others' reconstruction unchanged. Output is byte-identical
on rerun: values are written as strings (integers without a decimal point), rows in
respondent order, ``\\n`` line endings, UTF-8.
"""

from __future__ import annotations

import argparse
import csv
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from peermentor.analysis.mannwhitney import DEFAULT_MWU_VARIANT, mwu_p
from peermentor.ingest.config import asked_roles, item_columns, load_program, response_columns
from peermentor.papers.consistency import sprite
from peermentor.papers.published import mwu_variant

Cells = tuple[str, ...]


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------


def id_prefix(program_id: str) -> str:
    """Respondent-id prefix: the first three letters of the programme id, upper case.

    >>> id_prefix("ulsan-peer")
    'ULS'
    """
    return program_id.split("-")[0][:3].upper()


def item_rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one item (and stratum), independent of every other item.

    >>> int(item_rng(1, "a").integers(1000)) == int(item_rng(1, "a").integers(1000))
    True
    """
    return np.random.default_rng([seed, *(zlib.crc32(k.encode("utf-8")) for k in keys)])


def format_number(value: float | int | str) -> str:
    """Fixed text form of a number: integers without a decimal point, else up to 10 digits.

    >>> format_number(26.0), format_number("2"), format_number(2.5)
    ('26', '2', '2.5')
    """
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return format(number, ".10g")


def likert_candidates(
    n: int,
    mean: float,
    sd: float,
    lo: int,
    hi: int,
    mean_decimals: int | None = None,
    sd_decimals: int | None = None,
) -> list[tuple[int, ...]]:
    """All sorted integer multisets on ``lo..hi`` of size ``n`` matching a printed mean±SD.

    See :func:`peermentor.papers.consistency.sprite`.

    >>> likert_candidates(3, 2.0, 1.0, 1, 5)
    [(1, 2, 3)]
    """
    return sprite(n, mean, sd, lo, hi, mean_decimals, sd_decimals)


def closest_pair(
    first: Sequence[tuple[int, ...]],
    second: Sequence[tuple[int, ...]],
    p: float,
    variant: str = DEFAULT_MWU_VARIANT,
) -> tuple[tuple[int, ...], tuple[int, ...], float]:
    """The pair (one multiset from each list) whose Mann-Whitney p is closest to ``p``.

    The p-value is computed under ``variant`` (see
    :data:`peermentor.analysis.mannwhitney.MWU_VARIANTS`). Ties go to the lexicographically
    smallest pair. Returns ``(x, y, p_value)``.

    >>> closest_pair([(1, 2, 3, 4)], [(5, 6, 7, 8), (1, 2, 3, 4)], 1.0)[1]
    (1, 2, 3, 4)
    """
    if not first or not second:
        raise ValueError("no candidate multisets to pair")
    scored = [(abs(mwu_p(x, y, variant) - p), x, y) for x in first for y in second]
    _, x, y = min(scored)
    return x, y, mwu_p(x, y, variant)


def likert_spec_candidates(item: dict, spec: dict, where: str) -> list[tuple[int, ...]]:
    """Candidate multisets for one stratum of a Likert item; raise when there are none."""
    scale = item["scale"]
    if "counts" in spec:
        values = [int(v) for v, k in spec["counts"].items() for _ in range(int(k))]
        return [tuple(sorted(values))]
    cands = likert_candidates(
        int(spec["n"]),
        spec["mean"],
        spec["sd"],
        int(scale["min"]),
        int(scale["max"]),
        spec.get("mean_decimals", spec.get("decimals")),
        spec.get("sd_decimals", spec.get("decimals")),
    )
    if not cands:
        raise ValueError(
            f"{where}: no integer multiset of n={spec['n']} on {scale['min']}..{scale['max']} "
            f"has mean {spec['mean']} and SD {spec['sd']} after half-up rounding"
        )
    return cands


def likert_multisets(
    program: dict,
    item: dict,
    strata: list[tuple[str, np.ndarray, dict]],
    variant: str = DEFAULT_MWU_VARIANT,
) -> dict[str, tuple[int, ...]]:
    """One multiset per stratum of a Likert item (see the module docstring)."""
    where = f"{program['program']}:{item['id']}"
    cands = {key: likert_spec_candidates(item, spec, f"{where}[{key}]") for key, _, spec in strata}
    chosen: dict[str, tuple[int, ...]] = {}
    test = (item.get("published") or {}).get("test") or (item.get("assumed") or {}).get("test")
    if test and test.get("name") == "mann_whitney" and "p" in test:
        first, second = (f"role:{r}" for r in program.get("comparison", []))
        if first not in cands or second not in cands:
            raise ValueError(f"{where}: a Mann-Whitney p needs by_role targets for both roles")
        chosen[first], chosen[second], _ = closest_pair(
            cands[first], cands[second], float(test["p"]), variant
        )
    for key, options in cands.items():
        if key not in chosen:
            rng = item_rng(program["seed"], item["id"], key, "candidate")
            chosen[key] = options[int(rng.integers(len(options)))]
    return chosen


# --------------------------------------------------------------------------------------
# what a report built on a reconstruction must not present as a finding
# --------------------------------------------------------------------------------------

#: Appended to the wording of an item whose reported values rest on assumed data.
ASSUMED_MARK = " [assumed data]"


def assumed_items(program: dict) -> dict[str, str]:
    """``{item id: why}`` for the items of a reconstructed programme whose reported values
    rest on data the reconstruction assumed rather than read from the paper.

    An item is listed when its config has an ``assumed`` block (counts invented to fit
    the paper's words, or a role split the paper does not give), when the paper gives
    only an ``overall`` target for an item several roles answered (who answered what is
    a seeded shuffle), and for rankings (every respondent ranks in the group order).

    >>> program = {"reconstructed": True, "roles": {"a": "A", "b": "B"}, "codebook": [
    ...     {"id": "x", "type": "binary", "assumed": {"note": "Role split not published."}},
    ...     {"id": "y", "type": "binary", "published": {"overall": {"n": 2, "count": 1}}},
    ...     {"id": "z", "type": "binary", "published": {"by_role": {}}}]}
    >>> sorted(assumed_items(program).items())[1]
    ('y', 'role split not published: answers shuffled over all respondents')
    >>> list(assumed_items(program))
    ['x', 'y']
    """
    if not program.get("reconstructed"):
        return {}
    found = {}
    for item in program.get("codebook", []):
        published = item.get("published") or {}
        if item.get("assumed"):
            found[item["id"]] = (item["assumed"].get("note") or "values assumed").strip()
        elif item["type"] == "ranking":
            found[item["id"]] = "individual rankings assumed: everyone ranks in the group order"
        elif ("overall" in published and not {"by_role", "by_group"} & set(published)
              and len(asked_roles(program, item)) > 1):
            found[item["id"]] = ("role split not published: answers shuffled over all "
                                 "respondents")
    return found


def mark_assumed(program: dict) -> dict:
    """A copy of the programme whose items resting on assumed data (see
    :func:`assumed_items`) carry :data:`ASSUMED_MARK` in their wording, so every table
    and figure of the report marks them; ids and data are unchanged.

    >>> program = {"reconstructed": True, "roles": {"a": "A"}, "codebook": [
    ...     {"id": "x", "text": "X?", "type": "ranking"}]}
    >>> mark_assumed(program)["codebook"][0]["text"]
    'X? [assumed data]'
    """
    marked = assumed_items(program)
    codebook = [{**item, "text": item.get("text", item["id"]) + ASSUMED_MARK}
                if item["id"] in marked else item for item in program.get("codebook", [])]
    return {**program, "codebook": codebook}


# --------------------------------------------------------------------------------------
# targets and strata
# --------------------------------------------------------------------------------------


def _block(item: dict, kind: str, source: str) -> dict | None:
    return (item.get(source) or {}).get(kind)


def item_strata(
    program: dict, item: dict, frame: pd.DataFrame
) -> list[tuple[str, np.ndarray, dict]]:
    """``(key, row positions, target)`` per stratum of an item, finest target first.

    Raises when an asked respondent is in no stratum or a target does not fit.
    """
    asked = frame["role"].isin(asked_roles(program, item)).to_numpy()
    where = f"{program['program']}:{item['id']}"
    strata: list[tuple[str, np.ndarray, dict]] = []
    groups = _block(item, "by_group", "published") or _block(item, "by_group", "assumed")
    by_role = {
        **(_block(item, "by_role", "assumed") or {}),
        **(_block(item, "by_role", "published") or {}),
    }
    overall = _block(item, "overall", "published") or _block(item, "overall", "assumed")
    if groups:
        column = frame[groups["item"]].to_numpy()
        for code, spec in groups["groups"].items():
            strata.append((f"group:{code}", np.flatnonzero(asked & (column == str(code))), spec))
    elif by_role:
        for role, spec in by_role.items():
            if role not in asked_roles(program, item):
                raise ValueError(f"{where}: target for role '{role}', who was not asked")
            strata.append((f"role:{role}", np.flatnonzero(frame["role"].to_numpy() == role), spec))
    elif overall:
        strata.append(("overall", np.flatnonzero(asked), overall))
    else:
        return []
    covered = np.zeros(len(frame), dtype=bool)
    for key, rows, spec in strata:
        covered[rows] = True
        if "n" in spec and int(spec["n"]) > len(rows):
            raise ValueError(f"{where}[{key}]: n={spec['n']} but only {len(rows)} respondents")
    if (asked & ~covered).any():
        raise ValueError(f"{where}: some asked respondents have no published/assumed target")
    return strata


# --------------------------------------------------------------------------------------
# answers per item type (one tuple of cells per answerer, before shuffling)
# --------------------------------------------------------------------------------------


def count_cells(item: dict, spec: dict) -> list[Cells]:
    """Answers for single_choice, binary, numeric and free_text targets: exact counts."""
    if item["type"] == "binary":
        n, ones = int(spec["n"]), int(spec["count"])
        return [("1",)] * ones + [("0",)] * (n - ones)
    counts = spec.get("counts") or {}
    if item["type"] == "single_choice":
        unknown = set(map(str, counts)) - set(map(str, item["choices"]))
        if unknown:
            raise ValueError(f"{item['id']}: counts for unknown choices {sorted(unknown)}")
        keys = [code for code in item["choices"] if code in counts]
        text = [str(code) for code in keys]
    elif item["type"] == "numeric":
        keys = sorted(counts, key=float)
        text = [format_number(k) for k in keys]
    else:
        keys = list(counts)
        text = [str(k) for k in keys]
    cells = [(t,) for k, t in zip(keys, text, strict=True) for _ in range(int(counts[k]))]
    if "n" in spec and len(cells) != int(spec["n"]):
        raise ValueError(f"{item['id']}: counts add up to {len(cells)}, not n={spec['n']}")
    return cells


def multi_choice_cells(item: dict, spec: dict, rng: np.random.Generator) -> list[Cells]:
    """Ticks for ``n`` answerers reproducing every option's count exactly.

    Options are dealt largest count first, each to the answerers with the fewest ticks
    so far (random tie-break), never beyond ``max_selected``.

    >>> item = {"id": "m", "choices": {"a": "A", "b": "B"}, "max_selected": 1}
    >>> sorted(multi_choice_cells(item, {"n": 3, "counts": {"a": 2, "b": 1}},
    ...                           np.random.default_rng(0)))
    [('0', '1'), ('1', '0'), ('1', '0')]
    """
    codes = list(item["choices"])
    counts = {str(k): int(v) for k, v in (spec.get("counts") or {}).items()}
    if set(counts) - set(map(str, codes)):
        raise ValueError(f"{item['id']}: counts for unknown choices")
    n = int(spec["n"])
    cap = int(item.get("max_selected", len(codes)))
    ticks = np.zeros((n, len(codes)), dtype=int)
    for j in sorted(range(len(codes)), key=lambda j: (-counts.get(str(codes[j]), 0), j)):
        need = counts.get(str(codes[j]), 0)
        load = ticks.sum(axis=1)
        eligible = np.flatnonzero(load < cap)
        if need > len(eligible):
            raise ValueError(f"{item['id']}: cannot place {need} ticks within max_selected")
        order = eligible[np.lexsort((rng.random(len(eligible)), load[eligible]))]
        ticks[order[:need], j] = 1
    return [tuple(str(v) for v in row) for row in ticks]


def ranking_cells(item: dict, spec: dict, size: int) -> list[Cells]:
    """Every answerer ranks in the published order (an artefact: no spread).

    >>> ranking_cells({"choices": {"a": "A", "b": "B"}}, {"order": ["b", "a"]}, 2)
    [('2', '1'), ('2', '1')]
    """
    order = [str(code) for code in spec["order"]]
    row = tuple(str(order.index(c) + 1) if c in order else "" for c in map(str, item["choices"]))
    return [row] * int(spec.get("n", size))


def scatter(cells: list[Cells], rows: np.ndarray, width: int, rng) -> list[Cells]:
    """Hand answers to a random subset of the stratum; the rest get empty cells."""
    if len(cells) > len(rows):
        raise ValueError(f"{len(cells)} answers for {len(rows)} respondents")
    out: list[Cells] = [("",) * width] * len(rows)
    for position, cell in zip(rng.permutation(len(rows)), cells, strict=False):
        out[position] = cell
    return out


def reconstruct_item(
    program: dict, item: dict, frame: pd.DataFrame, variant: str = DEFAULT_MWU_VARIANT
) -> pd.DataFrame:
    """One item's columns for every respondent (empty strings where not answered)."""
    columns = item_columns(item)
    values = np.full((len(frame), len(columns)), "", dtype=object)
    strata = item_strata(program, item, frame)
    multisets = (likert_multisets(program, item, strata, variant)
                 if item["type"] == "likert" else {})
    for key, rows, spec in strata:
        rng = item_rng(program["seed"], item["id"], key)
        if item["type"] == "likert":
            cells = [(str(v),) for v in multisets[key]]
        elif item["type"] == "multi_choice":
            cells = multi_choice_cells(item, spec, rng)
        elif item["type"] == "ranking":
            cells = ranking_cells(item, spec, len(rows))
        else:
            cells = count_cells(item, spec)
        for row, cell in zip(rows, scatter(cells, rows, len(columns), rng), strict=True):
            values[row] = cell
    return pd.DataFrame(values, columns=columns, index=frame.index)


# --------------------------------------------------------------------------------------
# self-check: the reconstruction reproduces its own targets
# --------------------------------------------------------------------------------------


def _answered(block: pd.DataFrame) -> pd.DataFrame:
    """Rows with at least one non-empty cell."""
    return block[(block != "").any(axis=1)]


def check_target(item: dict, block: pd.DataFrame, spec: dict, where: str) -> None:
    """Raise ValueError when the answers in ``block`` miss a count, mean or SD of ``spec``."""
    answered = _answered(block)
    if "n" in spec and len(answered) != int(spec["n"]):
        raise ValueError(f"{where}: {len(answered)} answered, target n={spec['n']}")
    col = answered.iloc[:, 0] if len(answered.columns) else None
    if item["type"] == "binary" and "count" in spec:
        if int((col == "1").sum()) != int(spec["count"]):
            raise ValueError(f"{where}: count of 1s differs from {spec['count']}")
    elif item["type"] == "multi_choice" and "counts" in spec:
        for code, k in spec["counts"].items():
            got = int((answered[f"{item['id']}__{code}"] == "1").sum())
            if got != int(k):
                raise ValueError(f"{where}: option {code} ticked {got} times, target {k}")
    elif "counts" in spec and item["type"] in ("single_choice", "numeric", "free_text"):
        keys = col.map(format_number) if item["type"] == "numeric" else col
        for code, k in spec["counts"].items():
            key = format_number(code) if item["type"] == "numeric" else str(code)
            if int((keys == key).sum()) != int(k):
                raise ValueError(f"{where}: {code} given {int((keys == key).sum())} times, not {k}")
    elif item["type"] == "likert" and "mean" in spec:
        data = tuple(sorted(int(v) for v in col))
        if data not in likert_spec_candidates(item, spec, where):
            raise ValueError(f"{where}: mean or SD does not round to {spec['mean']}±{spec['sd']}")


def check_reconstruction(program: dict, frame: pd.DataFrame) -> None:
    """Check every target an item was built from, plus any published ``overall``."""
    for item in program.get("codebook", []):
        cols = item_columns(item)
        where = f"{program['program']}:{item['id']}"
        for key, rows, spec in item_strata(program, item, frame):
            check_target(item, frame.iloc[rows][cols], spec, f"{where}[{key}]")
        overall = _block(item, "overall", "published")
        if overall:
            asked = frame["role"].isin(asked_roles(program, item))
            check_target(item, frame.loc[asked, cols], overall, f"{where}[overall]")
        by_role = _block(item, "by_role", "published") or {}
        for role, spec in by_role.items():
            check_target(item, frame.loc[frame["role"] == role, cols], spec, f"{where}[{role}]")


# --------------------------------------------------------------------------------------
# cohorts, codes, files
# --------------------------------------------------------------------------------------


def respondents(program: dict, year: str) -> pd.DataFrame:
    """``respondent_id`` and ``role`` for a cohort, from its published ``responded`` counts.

    Respondents are numbered in role display order: ``ULS-001`` ... ``ULS-019``.
    """
    cohort = program["cohorts"][str(year)]
    responded = cohort["published"]["responded"]
    roles = [role for role in program["roles"] for _ in range(int(responded.get(role, 0)))]
    if "total" in responded and int(responded["total"]) != len(roles):
        raise ValueError(f"{program['program']} {year}: role counts do not add up to the total")
    width = max(3, len(str(len(roles))))
    prefix = id_prefix(program["program"])
    ids = [f"{prefix}-{i:0{width}d}" for i in range(1, len(roles) + 1)]
    return pd.DataFrame({"respondent_id": ids, "role": roles})


def reconstruct_responses(
    program: dict, year: str, variant: str = DEFAULT_MWU_VARIANT
) -> pd.DataFrame:
    """The full ``responses.csv`` table of one cohort, all values as strings; a printed
    Mann-Whitney p is matched under ``variant`` (the paper's declared one)."""
    frame = respondents(program, year)
    for item in program.get("codebook", []):
        block = reconstruct_item(program, item, frame, variant)
        frame = pd.concat([frame, block], axis=1)
    frame = frame[response_columns(program)]
    check_reconstruction(program, frame)
    return frame


CODE_COLUMNS = ["segment_id", "respondent_id", "source", "role", "category", "subcategory"]


def reconstruct_codes(program: dict) -> pd.DataFrame:
    """One row per category x subcategory x role that raised it (no counts are invented).

    Roles follow the programme's display order; ``respondent_id`` is empty because no
    paper links codes to people.
    """
    roles = list(program["roles"])
    prefix = id_prefix(program["program"])
    rows = []
    for category in program.get("qualitative", {}).get("categories", []):
        for sub in category.get("subcategories", []):
            unknown = set(sub["raised_by"]) - set(roles)
            if unknown or "source" not in sub:
                raise ValueError(f"{program['program']}:{category['id']}: bad subcategory {sub}")
            for role in sorted(set(sub["raised_by"]), key=roles.index):
                rows.append(["", "", sub["source"], role, category["id"], sub["label"]])
    width = max(3, len(str(len(rows))))
    for i, row in enumerate(rows, start=1):
        row[0] = f"{prefix}-S{i:0{width}d}"
    return pd.DataFrame(rows, columns=CODE_COLUMNS)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write strings exactly: UTF-8, ``\\n`` line endings, minimal quoting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.astype(str).itertuples(index=False, name=None))


def reconstruct_program(
    program: dict, out: Path, published: Path | None = None
) -> list[Path]:
    """Write every cohort of one reconstructed programme; return the files written.

    ``published`` is the programme's ``config/published/`` folder: its file declares
    the Mann-Whitney variant under which a printed p is matched.
    """
    written = []
    for year in sorted(program["cohorts"]):
        folder = out / program["program"] / year
        path = None if published is None else Path(published) / f"{program['program']}.yaml"
        variant = mwu_variant(path if path is not None and path.exists() else None)
        write_csv(reconstruct_responses(program, year, variant), folder / "responses.csv")
        written.append(folder / "responses.csv")
        if program.get("qualitative", {}).get("categories"):
            write_csv(reconstruct_codes(program), folder / "codes.csv")
            written.append(folder / "codes.csv")
    return written


def reconstruct_all(programs: Path, out: Path, published: Path | None = None) -> list[Path]:
    """Reconstruct every config in ``programs`` with ``reconstructed: true``.

    Configs for real programmes (``reconstructed`` false or absent) are never touched.
    """
    written: list[Path] = []
    for path in sorted(Path(programs).glob("*.yaml")):
        program = load_program(path)
        if program.get("reconstructed"):
            written.extend(reconstruct_program(program, Path(out), published))
    return written


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry point (``python -m peermentor.papers.reconstruct``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=Path, default=Path("config/programs"))
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    parser.add_argument("--published", type=Path, default=Path("config/published"))
    args = parser.parse_args(None if argv is None else list(argv))
    for path in reconstruct_all(args.programs, args.out, args.published):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
