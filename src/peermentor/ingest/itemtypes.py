"""The codebook's item types, and what each one is: one registry.

What a module needs to know about an item's type (does the codebook list its choices,
does ``responses.csv`` hold one column per choice, are its answers whole-number codes,
does an export give one answer code that ``import.values`` may map, which between-role
effect size the comparison layer computes, does a second wave give a paired change) is a
property here, not a list of type names typed where it is used. The programme schema's
``type`` enum is this registry's keys (``tests/test_architecture.py`` holds them
together).

>>> ITEM_TYPES["ranking"].per_choice, ITEM_TYPES["numeric"].coded
(True, False)
>>> sorted(types_where(per_choice=True))
['multi_choice', 'ranking']
>>> ITEM_TYPES["binary"].effect, ITEM_TYPES["numeric"].effect
('risk_difference', None)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemType:
    name: str
    #: the codebook lists its ``choices`` (code -> label)
    choices: bool
    #: ``responses.csv`` holds one column per choice (``<item>__<code>``)
    per_choice: bool
    #: its answers are whole-number codes (scale points, 0/1, ticks, ranks)
    coded: bool
    #: an export gives one answer code per respondent, which ``import.values`` (or the
    #: labels of a "Use choice text" export) may map onto the codebook's codes
    one_code: bool
    #: the between-role effect size (with its CI) the comparison layer computes, pools
    #: and plots: ``rank_biserial`` for ordinal answers, ``risk_difference`` for yes/no
    effect: str | None = None
    #: answered in two waves, it gives a paired change (Wilcoxon signed-rank or McNemar)
    paired: bool = False


ITEM_TYPES: dict[str, ItemType] = {t.name: t for t in (
    ItemType("likert", choices=False, per_choice=False, coded=True, one_code=True,
             effect="rank_biserial", paired=True),
    ItemType("binary", choices=False, per_choice=False, coded=True, one_code=True,
             effect="risk_difference", paired=True),
    ItemType("single_choice", choices=True, per_choice=False, coded=False, one_code=True),
    ItemType("multi_choice", choices=True, per_choice=True, coded=True, one_code=False),
    ItemType("ranking", choices=True, per_choice=True, coded=True, one_code=False),
    ItemType("numeric", choices=False, per_choice=False, coded=False, one_code=False,
             paired=True),
    ItemType("free_text", choices=False, per_choice=False, coded=False, one_code=False),
)}


def item_type(item: dict) -> ItemType:
    """The registry entry of a codebook item."""
    return ITEM_TYPES[item["type"]]


def types_where(**properties) -> frozenset[str]:
    """The type names whose properties are all as given."""
    return frozenset(name for name, kind in ITEM_TYPES.items()
                     if all(getattr(kind, p) == v for p, v in properties.items()))
