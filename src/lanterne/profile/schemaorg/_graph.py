"""A schema.org JSON-LD graph as publishers write it: ``@graph``, nested nodes, ``@id`` links.

Documents are read in compact form with the schema.org context (what websites and Artsdata
publish). Nodes are indexed by ``@id`` across every document given, so an event in one file can
point at an artist in another; a link to a node that no document holds is reported, not fatal
(in linked data it may be an external resource).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

KEYWORDS = frozenset(
    {"@id", "@type", "@context", "@graph", "@value", "@language", "@list", "@reverse"}
)
_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:")


def local_name(value: str) -> str:
    """``https://schema.org/Event`` or ``schema:Event`` → ``Event``."""
    for prefix in _PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def types_of(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type", [])
    return [local_name(t) for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)]


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"@id"}


def top_nodes(document: Any) -> Iterator[dict[str, Any]]:
    """Top-level nodes of a document: a node, a ``@graph``, or a list of either."""
    if isinstance(document, list):
        for item in document:
            yield from top_nodes(item)
    elif isinstance(document, dict):
        graph = document.get("@graph")
        if isinstance(graph, list):
            yield from (n for n in graph if isinstance(n, dict))
        elif isinstance(graph, dict):
            yield graph
        elif "@type" in document or "@id" in document:
            yield document


class Graph:
    """Index of every node with an ``@id`` (top-level or nested) in the given documents."""

    def __init__(self, documents: Iterable[Any] = ()) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        for document in documents:
            self.add(document)

    def add(self, document: Any) -> None:
        for node in top_nodes(document):
            self._index(node)

    def _index(self, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self._index(item)
        elif isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and not is_reference(value):
                known = self.nodes.get(node_id)
                # Several documents may describe the same node; keep the richest description.
                if known is None or len(value) > len(known):
                    self.nodes[node_id] = value
            for key, item in value.items():
                if key not in KEYWORDS:
                    self._index(item)

    def resolve(
        self, node: dict[str, Any], dangling: list[tuple[str, str]] | None = None
    ) -> dict[str, Any]:
        """A copy of ``node`` with every ``{"@id": …}`` link replaced by the node it names.

        Links with no node stay as they are and are appended to ``dangling`` as (property, id).
        Cycles stop at a node already being resolved.
        """
        return self._resolve(node, dangling, frozenset(), "")  # type: ignore[no-any-return]

    def _resolve(
        self, value: Any, dangling: list[tuple[str, str]] | None, seen: frozenset[str], where: str
    ) -> Any:
        if isinstance(value, list):
            return [self._resolve(v, dangling, seen, where) for v in value]
        if not isinstance(value, dict):
            return value
        if is_reference(value):
            target = self.nodes.get(value["@id"])
            if target is None:
                if dangling is not None:
                    dangling.append((where, value["@id"]))
                return value
            if value["@id"] in seen:
                return value
            value = target
        node_id = value.get("@id")
        inner = seen | {node_id} if isinstance(node_id, str) else seen
        return {
            k: (v if k in KEYWORDS else self._resolve(v, dangling, inner, k))
            for k, v in value.items()
        }
