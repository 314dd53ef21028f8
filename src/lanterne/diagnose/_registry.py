"""Extension points of the diagnosis: quality rules and fixes, registered like plugins.

Built-in rules and fixes (``_rules``, ``_fixes``) are registered through these same functions,
so a plugin's rule is scored, reported and documented like a built-in one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lanterne.profile import Work, WorkType

Bilingual = tuple[str, str]
"""A text in French, then in English."""


@dataclass(frozen=True)
class Fix:
    """A change that would raise a record's visibility, applied to a copy to measure its effect.

    ``apply`` returns the record as it would be once fixed, or ``None`` when the fix does not
    apply. Values it fills in are placeholders that only stand for « a value is given »: a fixed
    copy is scored, never stored.
    """

    id: str
    label: Bilingual
    apply: Callable[[Work], Work | None]


@dataclass(frozen=True)
class Rule:
    """A quality rule of Lanterne's discoverability score.

    ``check`` says whether the record passes; ``applies`` whether the rule concerns it at all
    (a rule about places does not judge a record without one). ``weight`` is its share of the
    score among the rules that apply; ``fix`` names the fix that makes it pass.
    """

    id: str
    weight: int
    label: Bilingual
    check: Callable[[Work], bool]
    fix: str
    applies_to: Callable[[Work], bool] | None = None
    types: frozenset[WorkType] | None = None
    """Work types it judges; ``None`` for every type."""
    scope: Bilingual | None = None
    """Which records ``applies_to`` keeps, in words (for the docs and the report)."""

    def applies(self, work: Work) -> bool:
        if self.types is not None and work.type not in self.types:
            return False
        return self.applies_to is None or self.applies_to(work)


_RULES: dict[str, Rule] = {}
_FIXES: dict[str, Fix] = {}


def register_rule(rule: Rule) -> Rule:
    if rule.id in _RULES:
        raise ValueError(f"règle déjà enregistrée : {rule.id}")
    if rule.weight <= 0:
        raise ValueError(f"règle {rule.id} : le poids doit être positif")
    _RULES[rule.id] = rule
    return rule


def register_fix(fix: Fix) -> Fix:
    if fix.id in _FIXES:
        raise ValueError(f"correction déjà enregistrée : {fix.id}")
    _FIXES[fix.id] = fix
    return fix


def rules() -> list[Rule]:
    """Every registered rule, in registration order."""
    return list(_RULES.values())


def fixes() -> list[Fix]:
    """Every registered fix, in registration order."""
    return list(_FIXES.values())


def fix_named(fix_id: str) -> Fix:
    return _FIXES[fix_id]
