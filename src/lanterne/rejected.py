"""A row of an input file that was not used, and why.

Every reader of user files keeps these instead of dropping rows silently: the recommender's
interaction data and the audit's captures alike. The record lives below both so that the audit
reads its captures without importing the recommender it audits.
"""

from __future__ import annotations

import msgspec


class Rejected(msgspec.Struct, frozen=True):
    """One row that was not used, and why."""

    file: str
    line: int
    field: str
    reason: str
