"""Exposure goals and the prominence of each slot on a surface."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import ClassVar

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.audit import Weighting
from lanterne.errors import BadGoal

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


class Goal(msgspec.Struct, frozen=True, kw_only=True):
    """Works matching every ``conditions`` (attribute, value) pair must take at least ``share`` of
    the list's prominence-weighted slots, and at least ``min_items`` slots."""

    conditions: tuple[tuple[str, str], ...]
    share: float = 0.0
    min_items: int = 0

    def __post_init__(self) -> None:
        if not self.conditions:
            raise ValueError("a goal needs at least one condition")
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"share {self.share} is not within [0, 1]")
        if self.min_items < 0:
            raise ValueError("min_items cannot be negative")

    @property
    def name(self) -> str:
        return "&".join(f"{a}={v}" for a, v in self.conditions)


_GOAL = re.compile(r"^(?P<conds>[^:]+):(?P<target>\d+(?:\.\d+)?%?|#\d+)$")


Condition = tuple[str, str]
"""An attribute and the value a work must have (``creation``, ``human``)."""


def _conditions(text: str, whole: str, code: str) -> tuple[Condition, ...]:
    conditions = []
    for part in text.split("&"):
        attribute, sep, value = part.partition("=")
        if not sep or not attribute.strip() or not value.strip():
            raise BadGoal(code, goal=whole)
        conditions.append((attribute.strip(), value.strip()))
    return tuple(conditions)


def parse_only(text: str) -> tuple[Condition, ...]:
    """A hard filter: ``creation=human``, ``language=fr&country=CA`` — every work of the list
    has each of these (unlike a goal, which asks for a share of the list)."""
    if ":" in text or not text.strip():
        raise BadGoal("recommend.bad_only", goal=text)
    return _conditions(text.strip(), text, "recommend.bad_only")


def only_mask(
    only: tuple[Condition, ...], n_items: int, attribute_mask: Callable[[str, str], Bools]
) -> Bools:
    """The works that pass every condition of ``only`` (all of them when it is empty)."""
    mask = np.ones(n_items, dtype=np.bool_)
    for attribute, value in only:
        mask &= attribute_mask(attribute, value)
    return mask


def parse_goal(text: str) -> Goal:
    """``european=true:0.6``, ``country=FR:20%``, ``territory=CA-QC&new=true:#1`` (one slot)."""
    match = _GOAL.match(text.strip())
    if match is None:
        raise BadGoal("recommend.bad_goal", goal=text)
    conditions = _conditions(match["conds"], text, "recommend.bad_goal")
    target = match["target"]
    try:
        if target.startswith("#"):
            return Goal(conditions=tuple(conditions), min_items=int(target[1:]))
        share = float(target.rstrip("%")) / (100.0 if target.endswith("%") else 1.0)
        return Goal(conditions=tuple(conditions), share=share)
    except ValueError:
        raise BadGoal("recommend.bad_goal", goal=text) from None


SURFACES = Weighting.KINDS
_DEFAULT = Weighting()


class Surface(msgspec.Struct, frozen=True, kw_only=True):
    """Where a list is shown, and so how prominent each slot is: the audit's weighting
    (``lanterne.audit.Weighting``) of a list of slots, ``columns`` to a row on a grid.

    ``uniform``: every slot counts the same (a share of slots); ``log``: 1 / log2(rank + 1), as in
    DCG; ``rbp``: patience^(rank − 1) (rank-biased precision); ``grid``: rows of ``columns``
    slots, row r and column c weighing row_decay^r × column_decay^c (a home screen)."""

    KINDS: ClassVar[tuple[str, ...]] = Weighting.KINDS

    kind: str = "uniform"
    patience: float = _DEFAULT.patience
    columns: int = 5
    row_decay: float = _DEFAULT.row_decay
    column_decay: float = _DEFAULT.column_decay

    @property
    def weighting(self) -> Weighting:
        return Weighting(
            kind=self.kind,
            patience=self.patience,
            row_decay=self.row_decay,
            column_decay=self.column_decay,
        )

    def weights(self, k: int) -> Floats:
        """Slot weights, most prominent first (slots are numbered in that order)."""
        if self.kind not in SURFACES:
            raise ValueError(f"unknown surface « {self.kind} »: {', '.join(SURFACES)}")
        return self.weighting.slot_weights(k, self.columns)

    def grid_positions(self, k: int) -> list[tuple[int, int]]:
        """For a grid, the (row, column) of each slot in prominence order."""
        return self.weighting.grid_cells(k, self.columns)


def goal_masks(goals: tuple[Goal, ...], attribute_mask: Callable[[str, str], Bools]) -> Bools:
    """Goals × items membership; ``attribute_mask(attribute, value)`` gives one condition."""
    rows: list[Bools] = []
    for goal in goals:
        mask: Bools | None = None
        for attribute, value in goal.conditions:
            m = attribute_mask(attribute, value)
            mask = m.copy() if mask is None else mask & m
        assert mask is not None
        rows.append(mask)
    if not rows:
        return np.zeros((0, 0), dtype=np.bool_)
    return np.stack(rows).astype(np.bool_)


def required(goals: tuple[Goal, ...], weights: Floats) -> tuple[Floats, npt.NDArray[np.int64]]:
    """Weighted coverage and slot counts each goal needs on a list with these slot weights. A
    tiny tolerance keeps 0.6 × 10 slots from failing on floating-point noise."""
    total = float(weights.sum())
    need = np.array([g.share * total - 1e-9 * total for g in goals], dtype=np.float64)
    counts = np.array([g.min_items for g in goals], dtype=np.int64)
    return need, counts


def slots_for(share: float, k: int) -> int:
    """Slots a uniform share needs on a list of k (for messages)."""
    return math.ceil(share * k - 1e-9)
