"""Every extension point of Lanterne, in one place: the kinds of component a plug-in may add.

A component is a typed configuration (a ``msgspec.Struct`` that round-trips to JSON, so a run
can be reproduced from its report) and one call, ``build(config, ...)``, that makes the working
object. Each kind says what ``build`` is given and what it returns:

``model``
    ``build(config, ModelInputs) -> Model``: a recommendation model (``fit``, ``score``,
    ``neighbours``, ``state``, ``restore``: ``lanterne.recommend.Model``). Its configuration is
    the ``params`` of a model in an evaluation configuration (numbers, strings or booleans).
``diversifier``
    ``build(config, ItemSpace, curiosity) -> reranker``: the curiosity step of a recommender
    (``rerank(items, utility, k, history) -> Order``), with the dial at ``curiosity`` in (0, 1].
``fusion``
    ``build(config) -> fuse``: merges a lexical and a semantic ranking of search hits, each a list
    of ``(key, score)`` best first, into one list of ``(key, score)`` best first.
``quality_rule``
    ``build(config) -> Rule``: a rule of the discoverability score (``lanterne.diagnose.Rule``).
``fix``
    ``build(config) -> Fix``: a fix a rule names (``lanterne.diagnose.Fix``).
``detector``
    ``build(config) -> Detector``: says how an image or a text was made
    (``lanterne.provenance.Detector``: ``name``, ``version``, ``inputs``, ``detect(item)`` → a
    label and a score 0–1, or ``None``).

Built-in components are registered exactly as a plug-in's are: the modules of ``BUILTINS``, then
every entry point of the group ``lanterne.components``, each a module with a
``register(registry)`` function (or that function itself), called once, when a component is
first asked for. Nothing registers itself by being imported.

A plug-in declares, in its ``pyproject.toml``::

    [project.entry-points."lanterne.components"]
    my_models = "my_package.lanterne_components"

and ``my_package/lanterne_components.py`` holds ``def register(registry): registry.add(...)``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Literal, get_args

import msgspec

from lanterne.errors import BadInput

Kind = Literal["model", "diversifier", "fusion", "quality_rule", "fix", "detector"]
KINDS: tuple[Kind, ...] = get_args(Kind)

ENTRY_POINTS = "lanterne.components"
"""The entry-point group a plug-in package declares its components in."""

BUILTINS: dict[Kind, tuple[str, ...]] = {
    "model": ("lanterne.recommend._components",),
    "diversifier": ("lanterne.recommend._components",),
    "fusion": ("lanterne.search._fusion",),
    "quality_rule": ("lanterne.diagnose._rules",),
    "fix": ("lanterne.diagnose._fixes",),
    # The image registry's detector module (``lanterne.provenance._registry``) joins this tuple.
    "detector": ("lanterne.provenance._detectors",),
}
"""The modules holding the built-in components of each kind, registered like a plug-in's
(Datasette's ``DEFAULT_PLUGINS``); a kind's modules are imported when it is first asked for (a
diagnosis does not load the recommender's numpy models)."""

Bilingual = tuple[str, str]


class NoConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The configuration of a component that takes no parameter."""


@dataclass(frozen=True)
class Component:
    """One registered component: its kind, its name, its configuration type and its call.

    ``default`` is the configuration used when none is given (the configuration type's own
    defaults when ``None``); ``needs`` names inputs the caller must compute for it (a model
    with ``"embeddings"`` is given the items' text vectors in ``ModelInputs``)."""

    kind: Kind
    name: str
    config: type[msgspec.Struct]
    build: Callable[..., Any]
    summary: Bilingual = ("", "")
    default: msgspec.Struct | None = None
    needs: frozenset[str] = field(default_factory=frozenset)

    def default_config(self) -> msgspec.Struct:
        return self.default if self.default is not None else self.config()

    def validate(self, data: Mapping[str, Any] | None) -> msgspec.Struct:
        """The configuration from its JSON form, over the defaults; ``BadInput`` naming the
        field when a value is refused."""
        merged = {**msgspec.to_builtins(self.default_config()), **(data or {})}
        try:
            return msgspec.convert(merged, self.config, strict=False)
        except msgspec.ValidationError as exc:
            raise BadInput(
                "registry.bad_config", kind=self.kind, name=self.name, detail=str(exc)
            ) from None


class Registry:
    """The registered components of each kind: the built-ins first, then the plug-ins', each in
    registration order. Filled on demand: a kind's built-in modules when the kind is first
    asked for (or added to), the entry points when any kind is first asked for."""

    def __init__(
        self,
        builtins: Mapping[Kind, tuple[str, ...]] = BUILTINS,
        *,
        plugins: bool = True,
    ) -> None:
        self._components: dict[Kind, dict[str, Component]] = {kind: {} for kind in KINDS}
        self._builtins = builtins
        self._plugins = plugins
        self._imported: set[str] = set()
        self._lock = threading.RLock()
        self.sources: list[str] = []
        """The modules and entry points registered, in order."""

    def _load_builtins(self, kind: Kind) -> None:
        for module in self._builtins.get(kind, ()):
            if module not in self._imported:
                self._imported.add(module)  # first: its hook adds components of this kind
                self.register_module(module, importlib.import_module(module))

    def _load_plugins(self) -> None:
        if not self._plugins:
            return
        self._plugins = False
        for point in entry_points(group=ENTRY_POINTS):
            self.register_module(f"{point.name} = {point.value}", point.load())

    def _ready(self, kind: Kind) -> dict[str, Component]:
        if kind not in self._components:
            raise ValueError(f"unknown component kind « {kind} »: {', '.join(KINDS)}")
        with self._lock:
            self._load_builtins(kind)
            self._load_plugins()
        return self._components[kind]

    def add(self, component: Component) -> Component:
        """Register ``component`` (after the built-ins of its kind: a name is taken once)."""
        if component.kind not in self._components:
            raise ValueError(f"unknown component kind « {component.kind} »: {', '.join(KINDS)}")
        with self._lock:
            self._load_builtins(component.kind)
            found = self._components[component.kind]
            if component.name in found:
                raise ValueError(f"{component.kind} « {component.name} » is already registered")
            found[component.name] = component
        return component

    def names(self, kind: Kind) -> tuple[str, ...]:
        return tuple(self._ready(kind))

    def components(self, kind: Kind) -> list[Component]:
        return list(self._ready(kind).values())

    def get(self, kind: Kind, name: str) -> Component:
        found = self._ready(kind).get(name)
        if found is None:
            raise BadInput(
                "registry.unknown",
                kind=kind,
                name=name,
                allowed=", ".join(self._components[kind]) or "—",
            )
        return found

    def register_module(self, source: str, target: object) -> None:
        """Call ``target.register(self)`` (a module) or ``target(self)`` (the function)."""
        hook = getattr(target, "register", target)
        if not callable(hook):
            raise TypeError(f"{source}: no register(registry) function")
        with self._lock:
            hook(self)
            self.sources.append(source)


_registry = Registry()


def load() -> Registry:
    """Lanterne's registry (built-ins and plug-ins are loaded as kinds are asked for)."""
    return _registry


def names(kind: Kind) -> tuple[str, ...]:
    """The names of every registered component of ``kind`` (for a CLI option's choices)."""
    return _registry.names(kind)


def get(kind: Kind, name: str) -> Component:
    """The component of ``kind`` named ``name``; ``BadInput`` listing the allowed names."""
    return _registry.get(kind, name)


def components(kind: Kind) -> list[Component]:
    return _registry.components(kind)
