"""The configuration of a quality rule, kept out of the mypyc-compiled diagnosis modules: a
``msgspec.Struct`` compiled by mypyc loses its class options and ``Annotated`` constraints
(``forbid_unknown_fields``, ``gt=0``), so a zero weight or an unknown field went through."""

from __future__ import annotations

from typing import Annotated

import msgspec


class RuleConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A quality rule's configuration: its weight in the score."""

    weight: Annotated[int, msgspec.Meta(gt=0)]
