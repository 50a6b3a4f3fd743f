"""The shared construct framework (``config/constructs.yaml``) and programmes' mapping to it.

Each construct has a label, a definition and the direction of "better". A programme's
codebook item names its construct with ``construct: <id>`` or says in one line why it
measures none (``no_construct: <reason>``). Checked at parse time:

>>> framework = {"constructs": {"programme_value": {"label": "V", "definition": "d",
...                                                  "better": "higher"}}}
>>> program = {"codebook": [{"id": "q", "type": "likert", "construct": "value"}]}
>>> try:
...     check_program_constructs(program, framework, "config/programs/demo.yaml")
... except ValueError as err:
...     print(err)
config/programs/demo.yaml: item 'q': construct 'value' is not in config/constructs.yaml \
(known: programme_value)
"""

from __future__ import annotations

from pathlib import Path

from peermentor.config import ConfigError, check_against_schema, load_yaml

#: Where the pipeline looks for the framework unless config/config.yaml says otherwise.
DEFAULT_PATH = "config/constructs.yaml"


def load_constructs(path: str | Path = DEFAULT_PATH) -> dict:
    """Load ``config/constructs.yaml`` and check it against its JSON schema."""
    framework = load_yaml(path)
    check_against_schema(framework, "constructs.schema.json", path)
    return framework


def check_program_constructs(
    program: dict, framework: dict, source: str | Path, framework_path: str | Path = DEFAULT_PATH
) -> None:
    """Every ``construct:`` of a programme's codebook names a construct of the framework.

    An empty ``construct:`` (a scaffold's TODO) is allowed: the item is simply not
    mapped yet. An item may not have both ``construct`` and ``no_construct``.
    """
    known = framework["constructs"]
    for item in program.get("codebook", []):
        construct = item.get("construct")
        if construct and item.get("no_construct"):
            raise ConfigError(
                f"{source}: item '{item['id']}': has both construct '{construct}' and "
                "no_construct; keep one"
            )
        if construct and construct not in known:
            raise ConfigError(
                f"{source}: item '{item['id']}': construct '{construct}' is not in "
                f"{framework_path} (known: {', '.join(known)})"
            )


def construct_of(item: dict) -> str:
    """The item's construct id, ``''`` when it has none.

    >>> construct_of({"construct": None}), construct_of({"construct": "programme_value"})
    ('', 'programme_value')
    """
    return item.get("construct") or ""
