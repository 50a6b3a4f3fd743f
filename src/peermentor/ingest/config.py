"""Programme configuration: loading, schema validation and codebook helpers.

A programme lives in ``config/programs/<program>.yaml``. Its codebook is the
single source of truth for the columns of a cohort's ``responses.csv``:

>>> item = {"id": "purpose", "type": "multi_choice", "choices": {"a": "A", "b": "B"}}
>>> item_columns(item)
['purpose__a', 'purpose__b']
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from peermentor.ingest.itemtypes import item_type, types_where

#: JSON schemas for programme configs and the theme framework, shipped with the package.
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

#: Item types whose answers are spread over one column per choice.
EXPANDED_TYPES = types_where(per_choice=True)
#: Separator between an item id and a choice code in expanded columns.
CHOICE_SEP = "__"


class ConfigError(ValueError):
    """A configuration file is missing or breaks its schema."""


@cache
def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    text = path.read_text(encoding="utf-8")
    try:
        # libyaml's safe loader where PyYAML has it: the same data, ~7x faster than the
        # pure-Python one (Snakemake loads every programme config at each start)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        raise ConfigError(yaml_problem(path, text, err)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _open_quote(text: str, before_line: int) -> tuple[int, int] | None:
    """(line, column), 1-based, of a quoted value that runs over a line end before
    ``before_line`` (0-based): an unclosed quote that YAML reads on to the next quote."""
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line >= before_line:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") and \
                    token.end_mark.line > token.start_mark.line:
                found = (token.start_mark.line + 1, token.start_mark.column + 1)
    except yaml.YAMLError as err:  # an unclosed quote at the very end: the scanner's own mark
        mark = getattr(err, "context_mark", None)
        if mark is not None and "quoted scalar" in str(getattr(err, "context", "")):
            found = (mark.line + 1, mark.column + 1)
    return found


def yaml_problem(path: str | Path, text: str, err: yaml.YAMLError) -> str:
    """A YAML syntax error as ``file, line N: what is wrong; how to fix it``, at the line
    where the mistake is (PyYAML names where it noticed, often lines later), with the
    line itself (tests/test_config_errors.py shows each kind).
    """
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None) or ""
    mark = getattr(err, "problem_mark", None)
    start = getattr(err, "context_mark", None)
    lines = text.splitlines()
    line = mark.line + 1 if mark is not None else None
    quote = _open_quote(text, mark.line if mark is not None else len(lines))
    if quote and (line is None or quote[0] < line):
        line, cause = quote[0], (
            f"the quote opened at column {quote[1]} is not closed on its line (YAML reads "
            f"on to line {mark.line + 1 if mark else len(lines)} looking for it); close it "
            "(an apostrophe inside '...' is written '')")
    elif "tab" in problem or "cannot start any token" in problem and mark is not None and \
            mark.column < len(lines[mark.line]) and lines[mark.line][mark.column] == "\t":
        cause = "a tab character: YAML indents with spaces only"
    elif "simple key" in context and start is not None:
        line = start.line + 1
        cause = ("this line is not 'key: value' (a ':' followed by a space is missing) nor a "
                 "list item '- ...'")
    elif "mapping values are not allowed" in problem:
        cause = ("a ': ' inside a value: put the whole value in quotes, e.g. "
                 "text: \"Overall: how useful was it?\"")
    elif "flow" in context and start is not None:
        line = start.line + 1
        cause = ("a '{' or '[' opened on this line is not closed, or a ',' is missing "
                 f"between its entries (YAML noticed on line {mark.line + 1})")
    elif "block" in context:
        above = f" (the block begins on line {start.line + 1})" if start is not None else ""
        cause = (f"this line does not line up with the lines above it{above}: indent it "
                 "with as many spaces as its siblings")
    else:
        cause = f"{context + ': ' if context else ''}{problem}"
    where = f"{path}, line {line}" if line else str(path)
    shown = f"\n  {line:>3} | {lines[line - 1]}" if line and line <= len(lines) else ""
    return f"{where}: {cause}{shown}"


def where_in_yaml(path: str | Path, keys: list) -> str:
    """``file, line N`` of the value at ``keys`` (just ``file`` when it cannot be found)."""
    line = yaml_line(path, keys)
    return f"{path}, line {line}" if line else str(path)


class YamlPlace:
    """``file, line N`` of the value at ``keys``, worked out only when a message shows it.

    Finding a line composes the whole file again in pure Python: done for every codebook
    item of every programme at every Snakemake start, that was most of the start-up
    (about 7 CPU-s for 105 programme configs).
    """

    def __init__(self, path: str | Path, keys: list, then: str = ""):
        self.path, self.keys, self.then = path, keys, then

    def __str__(self) -> str:
        return where_in_yaml(self.path, self.keys) + self.then


def yaml_line(path: str | Path, keys: list) -> int | None:
    """1-based line of the value at ``keys`` (mapping keys, list indexes) in a YAML file.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = path.write_text("a: 1\\nb:\\n  - {id: x}\\n  - id: y\\n    type: z\\n")
    >>> yaml_line(path, ["b", 1, "type"]), yaml_line(path, ["b", 0]), yaml_line(path, ["c"])
    (5, 3, None)
    """
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    found = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(key)]
            if not match:
                return found
            found, node = match[0][0].start_mark.line + 1, match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and \
                key < len(node.value):
            node = node.value[key]
            found = node.start_mark.line + 1
        else:
            return found
    return found if keys else None


def check_against_schema(data: dict, schema_name: str, source: str | Path) -> None:
    """Raise ConfigError naming the file and the key path of the first error."""
    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors[:10]:
            where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
            line = yaml_line(source, list(err.absolute_path)) if Path(source).is_file() else None
            at = f"line {line}, " if line else ""
            lines.append(f"  {at}at {where}: {err.message}")
        raise ConfigError(f"{source}: does not match {schema_name}:\n" + "\n".join(lines))


def load_program(path: str | Path) -> dict:
    """Load and validate a programme config; check the codebook's own consistency."""
    path = Path(path)
    program = load_yaml(path)
    check_against_schema(program, "program.schema.json", path)
    if program["program"] != path.stem:
        raise ConfigError(
            f"{path}: 'program: {program['program']}' must match the file name '{path.stem}'"
        )
    seen: set[str] = set()
    for index, item in enumerate(program.get("codebook", [])):
        at = YamlPlace(path, ["codebook", index])
        if item["id"] in seen:
            raise ConfigError(f"{at}: codebook item id '{item['id']}' appears twice")
        seen.add(item["id"])
        if item_type(item).choices and not item.get("choices"):
            raise ConfigError(f"{at}: item '{item['id']}' ({item['type']}) needs 'choices'")
        if item["type"] == "likert" and "scale" not in item:
            raise ConfigError(f"{at}: likert item '{item['id']}' needs a 'scale'")
        _check_scale_labels(item, at)
    _check_scales(program, path)
    _check_import(program, path)
    return program


def _check_scales(program: dict, path: Path) -> None:
    """Multi-item scales: Likert items of one response scale, each in at most one scale,
    and the construct on the scale, not on its items (pooling would count them twice)."""
    items = codebook_items(program)
    seen: dict[str, str] = {}
    for index, scale in enumerate(program.get("scales", [])):
        where = YamlPlace(path, ["scales", index], then=f": scale '{scale['id']}'")
        if scale["id"] in items or scale["id"] in seen.values():
            raise ConfigError(f"{where}: the id is already used by an item or another scale")
        for item_id in scale["items"]:
            item = items.get(item_id)
            if item is None:
                raise ConfigError(f"{where}: item '{item_id}' is not in the codebook")
            if item["type"] != "likert":
                raise ConfigError(f"{where}: item '{item_id}' is {item['type']}; a scale "
                                  "groups Likert items")
            if item_id in seen:
                raise ConfigError(f"{where}: item '{item_id}' is already in scale "
                                  f"'{seen[item_id]}'")
            seen[item_id] = scale["id"]
            if item.get("construct"):
                raise ConfigError(
                    f"{where}: item '{item_id}' has construct '{item['construct']}'; the "
                    "scale score is the outcome of its construct, so put `construct:` on "
                    "the scale and remove it from the item (or pooling would count the "
                    "same answers twice)")
        ranges = {(items[i]["scale"]["min"], items[i]["scale"]["max"]) for i in scale["items"]}
        if len(ranges) > 1:
            raise ConfigError(f"{where}: its items have different response scales "
                              f"({sorted(ranges)}); the mean of the items needs one")
        unknown = set(scale.get("reverse") or []) - set(scale["items"])
        if unknown:
            raise ConfigError(f"{where}: reverse-keyed '{sorted(unknown)[0]}' is not one of "
                              "its items")
        if scale.get("min_answered", 1) > len(scale["items"]):
            raise ConfigError(f"{where}: min_answered {scale['min_answered']} is more than "
                              f"its {len(scale['items'])} items")


def codebook_items(program: dict) -> dict[str, dict]:
    """The codebook as ``{item id: item}``.

    >>> list(codebook_items({"codebook": [{"id": "a"}, {"id": "b"}]}))
    ['a', 'b']
    """
    return {item["id"]: item for item in (program or {}).get("codebook", [])}


def _check_import(program: dict, path: Path) -> None:
    """Cross-check ``import:`` against the codebook and roles (the JSON schema can't)."""
    spec = program.get("import", {})
    items = codebook_items(program)
    for key in ("columns", "values"):
        for item_id in spec.get(key, {}):
            if item_id not in items:
                raise ConfigError(
                    f"{path}: import.{key}.{item_id}: no codebook item has id '{item_id}'"
                )
    constant = spec.get("role", {}).get("value")
    if constant is not None and constant not in program["roles"]:
        raise ConfigError(
            f"{where_in_yaml(path, ['import', 'role', 'value'])}: import.role.value "
            f"'{constant}' is not a role (roles: {', '.join(program['roles'])})"
        )
    for code, role in spec.get("role", {}).get("values", {}).items():
        if role not in program["roles"]:
            raise ConfigError(
                f"{path}: import.role.values.{code}: '{role}' is not a role "
                f"(roles: {', '.join(program['roles'])})"
            )
    for item_id, columns in spec.get("columns", {}).items():
        if isinstance(columns, dict):
            unknown = set(columns) - set(map(str, items[item_id].get("choices", {})))
            if items[item_id]["type"] not in EXPANDED_TYPES or unknown:
                raise ConfigError(
                    f"{path}: import.columns.{item_id}: a per-choice mapping needs a "
                    f"multi_choice or ranking item and its choice codes (unknown: "
                    f"{', '.join(sorted(unknown)) or 'none'})"
                )
    for item_id, mapping in spec.get("values", {}).items():
        item = items[item_id]
        choices = set(map(str, item.get("choices", {})))
        for code, target in mapping.items():
            targets = target if isinstance(target, list) else [target]
            if isinstance(target, list) and item["type"] != "multi_choice":
                raise ConfigError(
                    f"{path}: import.values.{item_id}.{code}: a list of choices only suits "
                    "multi_choice items"
                )
            bad = [t for t in targets if choices and str(t) not in choices]
            if bad:
                raise ConfigError(
                    f"{path}: import.values.{item_id}.{code}: '{bad[0]}' is not a choice "
                    f"code of the item (choices: {', '.join(sorted(choices))})"
                )


def _check_scale_labels(item: dict, path: YamlPlace) -> None:
    """Likert labels are keyed by scale points, so a text answer can be read as its number."""
    scale = item.get("scale") or {}
    for level in scale.get("labels") or {}:
        if not str(level).lstrip("-").isdigit() or not (
            scale["min"] <= int(level) <= scale["max"]
        ):
            raise ConfigError(
                f"{path}: item '{item['id']}': scale label key {level!r} must be a whole "
                f"number from {scale['min']} to {scale['max']}"
            )


def load_programs(paths, cache: str | Path | None = None) -> dict[str, dict]:
    """Programme configs keyed by programme id (the file name).

    With ``cache`` (a file the pipeline owns, e.g. under ``.snakemake/``), a config whose
    file has the same size and modification time as when it last loaded and checked
    cleanly is taken from the cache instead of being read and checked again: Snakemake
    loads every programme config at each start, and at 1,000 programmes reading and
    schema-checking them was most of the parsing (docs/benchmarks.md). The cache is
    dropped whole when the checks themselves change (this module or a schema). A config
    that fails is never cached, so its error shows at every start.

    >>> import tempfile, shutil
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = shutil.copy(Path(__file__).parents[3] / "config/programs/unc-ssm.yaml", folder)
    >>> first = load_programs([folder / "unc-ssm.yaml"], cache=folder / "cache.pickle")
    >>> again = load_programs([folder / "unc-ssm.yaml"], cache=folder / "cache.pickle")
    >>> again == first == {"unc-ssm": load_program(folder / "unc-ssm.yaml")}
    True
    """
    if cache is None:
        return {Path(path).stem: load_program(path) for path in paths}
    cache = Path(cache)
    stamp = _checks_stamp()
    try:
        with open(cache, "rb") as handle:
            stored = pickle.load(handle)
        if stored.get("stamp") != stamp:
            stored = {}
    except (OSError, pickle.PickleError, EOFError, AttributeError, TypeError):
        stored = {}
    known = stored.get("programs", {})
    programs, fresh, changed = {}, {}, False
    for path in paths:
        state = os.stat(path)
        key = (str(path), state.st_mtime_ns, state.st_size)
        if key in known:
            programs[Path(path).stem] = fresh[key] = known[key]
        else:
            programs[Path(path).stem] = fresh[key] = load_program(path)
            changed = True
    if changed or len(fresh) != len(known):
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with open(partial, "wb") as handle:
            pickle.dump({"stamp": stamp, "programs": fresh}, handle,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, cache)  # two runs at once: each writes a whole file
    return programs


def _checks_stamp() -> str:
    """A digest of what checks a programme config: this module and the schemas."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for schema in sorted(SCHEMA_DIR.glob("*.json")):
        digest.update(schema.read_bytes())
    return digest.hexdigest()


def asked_roles(program: dict, item: dict) -> list[str]:
    """Roles an item was put to, in display order (all roles when the item does not say)."""
    asked = set(item.get("roles") or program["roles"])
    return [role for role in program["roles"] if role in asked]


def item_columns(item: dict) -> list[str]:
    """Columns that hold one codebook item's answers in ``responses.csv``."""
    if item["type"] in EXPANDED_TYPES:
        return [f"{item['id']}{CHOICE_SEP}{code}" for code in item["choices"]]
    return [item["id"]]


def response_columns(program: dict) -> list[str]:
    """All columns of a canonical ``responses.csv``, in order."""
    cols = ["respondent_id", "role"]
    for item in program.get("codebook", []):
        cols.extend(item_columns(item))
    return cols


def group_label(program: dict | None, group: str) -> str:
    """Display label of a stats group: a role's label, 'All', or 'A vs B'.

    >>> group_label({"roles": {"mentor": "Mentors", "mentee": "Mentees"}}, "mentor_vs_mentee")
    'Mentors vs Mentees'
    """
    if group == "all":
        return "All"
    if "_vs_" in group:
        first, second = group.split("_vs_", 1)
        return f"{group_label(program, first)} vs {group_label(program, second)}"
    return str((program or {}).get("roles", {}).get(group, group))


def analysed_roles(program: dict) -> list[str]:
    excluded = set(program.get("excluded_roles", []))
    return [r for r in program["roles"] if r not in excluded]


def items_of_type(program: dict, *types: str) -> list[dict]:
    return [item for item in program.get("codebook", []) if item["type"] in types]


def cohort_meta(program: dict, year: str | int) -> dict[str, Any]:
    """The cohort block for one year; an empty one for an unlisted year."""
    return dict(program.get("cohorts", {}).get(str(year), {}))


def load_themes(path: str | Path) -> dict:
    """Load the shared theme framework; every mapped theme must be defined."""
    framework = load_yaml(path)
    check_against_schema(framework, "themes.schema.json", path)
    for program, categories in framework["mapping"].items():
        for category, theme in categories.items():
            if theme not in framework["themes"]:
                raise ConfigError(
                    f"{path}: mapping {program}:{category} -> '{theme}' names no theme "
                    f"under 'themes' (known: {', '.join(framework['themes'])})"
                )
    return framework
