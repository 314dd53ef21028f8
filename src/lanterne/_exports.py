"""Names a package exports but imports only when first asked for (PEP 562).

A package's ``__init__`` is its face: the other packages import only from it. Some of what it
exports is costly to load (the audit's charts load matplotlib, the diagnosis report jinja2) and
most commands never use it: ``lanterne recommend --help`` must not pay for a report renderer.
Such a package imports those names under ``TYPE_CHECKING`` (for the type checker and the reader)
and lets ``lazy_exports`` import them on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, modules: dict[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: ``modules`` maps a module, relative to
    ``package`` (``"._render"``), to the exported names it defines."""
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module, package), name)

    return __getattr__
