"""The fixed fields of a capture row and the check of its positions, shared by the row readers
(``_capture``) and the columnar Parquet reader (``_parquet``)."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from lanterne.settings import load_into, setting

_FIXED = ("platform", "surface", "persona", "session", "timestamp", "position", "item")
_WHOLE = re.compile(r"[+-]?[0-9]+")
"""A whole number as CSV writes it."""
_DIGITS = 18
"""More digits than this is beyond any bound (and is never converted: a million digits would
cost seconds)."""


class CaptureLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Bounds of a capture row (the declared setting ``audit_max_position``)."""

    max_position: int
    """Highest position, row and column: it bounds the length of a list too, positions being
    unique in a list."""

    @classmethod
    def load(cls) -> CaptureLimits:
        """The environment's value, else the declared default."""
        return load_into(cls, {}, prefix="audit_")


def _whole(name: str, value: Any, limits: CaptureLimits) -> int | tuple[str, str]:
    """``value`` as a whole number from 1 to the bound, or the field and reason to reject it."""
    if isinstance(value, str):
        text = value.strip()
        number = None
        if _WHOLE.fullmatch(text):
            digits = text.lstrip("+-").lstrip("0")
            number = (
                int(text) if len(digits) <= _DIGITS else (-1 if text[0] == "-" else 10**_DIGITS)
            )
        shown = text[:40] + ("…" if len(text) > 40 else "")
    elif isinstance(value, int) and not isinstance(value, bool):
        number, shown = value, str(value) if abs(value) < 10**40 else "a number of 40+ digits"
    elif isinstance(value, float) and value.is_integer():
        number, shown = int(value), repr(value)
    else:
        number, shown = None, json.dumps(value)[:40] if _plain(value) else type(value).__name__
    if number is None:
        return name, f"« {shown} » is not a whole number"
    if number < 1:
        return name, f"{shown}: positions, rows and columns start at 1"
    if number > limits.max_position:
        env = setting("audit_max_position").env
        return name, (
            f"{shown} is above the highest position allowed, {limits.max_position}"
            f" (setting {env}): check the export, or raise {env}"
        )
    return number


def _plain(value: Any) -> bool:
    return isinstance(value, float | bool) or value is None
