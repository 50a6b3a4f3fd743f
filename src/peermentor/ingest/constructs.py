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

import re
from pathlib import Path

from peermentor.ingest.config import ConfigError, check_against_schema, load_yaml

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
    for item in [*program.get("codebook", []), *program.get("scales", [])]:
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


#: Wording that suggests a construct, for the scaffold's guesses (always marked TODO).
GUESSES = [
    (r"\b(again|recommend|re-?enrol|continue)", "continued_participation"),
    (r"\b(partner|relationship|attitude|my (mentor|mentee))\b", "partner_satisfaction"),
    (r"\b(appropriate|design|structure|format|matching)\b", "programme_design"),
    (r"\b(mentor(ing)? (role|experience)|as a mentor|teaching skills?)\b", "mentor_benefit"),
    (r"\b(as a mentee|helped me|study|academic|adjust)", "mentee_benefit"),
    (r"\b(satisf|worth|valu|useful|overall|recommend)", "programme_value"),
]


def guess_construct(text: str) -> str | None:
    """A construct suggested by an item's wording, or ``None`` (the scaffold marks it TODO).

    >>> guess_construct("Would you take part in the programme again?")
    'continued_participation'
    >>> guess_construct("Overall, how satisfied were you with the programme?")
    'programme_value'
    >>> guess_construct("Date of birth") is None
    True
    """
    for pattern, construct in GUESSES:
        if re.search(pattern, text or "", flags=re.IGNORECASE):
            return construct
    return None


def construct_todo(item: dict) -> list[str]:
    """Set a scaffolded item's ``construct`` (a guess, or empty) and return its TODO note.

    >>> item = {"id": "again", "text": "Would you mentor again?", "type": "binary"}
    >>> note = construct_todo(item)
    >>> item["construct"], note[0].startswith("construct guessed")
    ('continued_participation', True)
    """
    if item.get("type") == "free_text":
        return []
    guess = guess_construct(item.get("text", ""))
    item["construct"] = guess
    if guess:
        return ["construct guessed from the wording: check it against config/constructs.yaml"]
    return ["map to a construct in config/constructs.yaml (construct: <id>), or say in one "
            "line why none fits (no_construct: <reason>)"]
