"""Field-level differences between two versions of a work, for the change log."""

from __future__ import annotations

from typing import Any


def field_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, object]:
    """Top-level fields whose value changed, each as ``{"old": …, "new": …}``.

    A field absent on one side is reported with ``None`` there. Top level is the granularity a
    cataloguer thinks in (« le titre a changé »); the full values let anyone replay the history.
    """
    changed: dict[str, object] = {}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before != after:
            changed[key] = {"old": before, "new": after}
    return changed
