"""A schema.org JSON-LD graph as publishers write it: ``@graph``, nested nodes, ``@id`` links.

Documents are read in compact form with the schema.org context (what websites and Artsdata
publish). Nodes are indexed by ``@id`` across every document given, so an event in one file can
point at an artist in another; a link to a node that no document holds is reported, not fatal
(in linked data it may be an external resource).
"""

from __future__ import annotations

import json
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
    """``{"@id": "…"}``: a link to a node (an ``@id`` that is not a string links to nothing)."""
    return isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str)


MAX_DEPTH = 32
"""Deepest nesting of objects and lists a resolved record may have (``LANTERNE_JSONLD_MAX_DEPTH``).
Real exports nest 4 deep (an event, its place, its address)."""
MAX_NODES = 10_000
"""Most objects and lists a resolved record may hold, shared nodes counted each time they are
reached (``LANTERNE_JSONLD_MAX_NODES``). Real exports hold at most 15."""


class GraphTooLarge(ValueError):
    """A record whose resolved form goes over a bound: ``bound`` is ``depth`` or ``nodes``."""

    def __init__(self, bound: str, limit: int) -> None:
        super().__init__(f"resolved record over its {bound} bound ({limit})")
        self.bound = bound
        self.limit = limit


def top_nodes(document: Any) -> Iterator[dict[str, Any]]:
    """Top-level nodes of a document: a node, a ``@graph``, or a list of either."""
    # A stack, not recursion: a list nested thousands deep must not exhaust Python's stack.
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            graph = item.get("@graph")
            if isinstance(graph, list):
                yield from (n for n in graph if isinstance(n, dict))
            elif isinstance(graph, dict):
                yield graph
            elif "@type" in item or "@id" in item:
                yield item


class _Frame:
    """A container being copied by ``Graph.resolve``: its copy, what is left to read of it."""

    __slots__ = ("height", "items", "keyword", "memo", "node_id", "out", "size", "slot", "where")

    def __init__(
        self,
        value: dict[str, Any] | list[Any],
        node_id: str | None,
        keyword: bool,
        where: str,
        slot: Any = None,
        memo: bool = False,
    ) -> None:
        self.out: dict[str, Any] | list[Any] = {} if isinstance(value, dict) else []
        self.items: Iterator[tuple[Any, Any]] = (
            iter(value.items()) if isinstance(value, dict) else enumerate(value)
        )
        self.node_id = node_id
        """The node's ``@id``: links to it inside it are cycles."""
        self.keyword = keyword
        """Inside a keyword's value (``@list``, ``@context``…): copied, links not followed."""
        self.where = where
        """The property it was read under, for dangling links."""
        self.slot = slot
        """Its key in the parent's copy (``None`` in a list)."""
        self.memo = memo
        """A linked node: its copy is kept for the next link to it."""
        self.size = 1
        self.height = 1


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
        stack = [value]
        while stack:
            value = stack.pop()
            if isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, dict):
                node_id = value.get("@id")
                if isinstance(node_id, str) and not is_reference(value):
                    known = self.nodes.get(node_id)
                    # Several documents may describe the same node; keep the richest description.
                    if known is None or len(value) > len(known):
                        self.nodes[node_id] = value
                stack.extend(item for key, item in value.items() if key not in KEYWORDS)

    def resolve(
        self,
        node: dict[str, Any],
        dangling: list[tuple[str, str]] | None = None,
        max_depth: int = MAX_DEPTH,
        max_nodes: int = MAX_NODES,
    ) -> dict[str, Any]:
        """A copy of ``node`` with every ``{"@id": …}`` link replaced by the node it names.

        A node linked from several places is resolved once and the copy is shared, so a graph
        whose nodes link to the next one twice costs its size, not 2 ** its depth. Links with no
        node stay as they are and are appended to ``dangling`` as (property, id). Cycles stop at
        a node already being resolved. Raises ``GraphTooLarge`` when the resolved tree (shared
        nodes counted each time they are reached, as any reader of it walks them) nests deeper
        than ``max_depth`` objects and lists or holds more than ``max_nodes`` of them.
        """
        memo: dict[str, tuple[Any, int, int]] = {}
        """The copy of each linked node already resolved, with its size and height."""
        if is_reference(node) and node["@id"] in self.nodes:
            node = self.nodes[node["@id"]]
        root = _Frame(node, _own_id(node), False, "")
        active = {root.node_id} if root.node_id is not None else set()
        stack = [root]
        while True:
            frame = stack[-1]
            step = next(frame.items, None)
            if step is None:
                # Copied: hand the copy to the parent.
                stack.pop()
                active.discard(frame.node_id)
                if frame.memo and frame.node_id is not None:
                    memo[frame.node_id] = (frame.out, frame.size, frame.height)
                if not stack:
                    return frame.out  # type: ignore[return-value]
                _attach(stack[-1], frame.slot, frame.out, frame.size, frame.height, max_nodes)
                continue
            key, value = step
            slot = key if isinstance(frame.out, dict) else None
            if not isinstance(value, dict | list):
                _attach(frame, slot, value, 0, 0, max_nodes)
                continue
            keyword = frame.keyword or key in KEYWORDS
            where = key if isinstance(key, str) else frame.where
            linked = False
            if not keyword and isinstance(value, dict) and is_reference(value):
                target_id = value["@id"]
                target = self.nodes.get(target_id) if isinstance(target_id, str) else None
                if target is None or target_id in active:
                    # Dangling (an external resource) or a cycle: the link stays a link.
                    if target is None and dangling is not None:
                        dangling.append((where, str(target_id)))
                    _attach(frame, slot, dict(value), 1, 1, max_nodes)
                    continue
                known = memo.get(target_id)
                if known is not None:
                    copy, size, height = known
                    if len(stack) + height > max_depth:
                        raise GraphTooLarge("depth", max_depth)
                    _attach(frame, slot, copy, size, height, max_nodes)
                    continue
                value, linked = target, True
            if len(stack) >= max_depth:
                raise GraphTooLarge("depth", max_depth)
            node_id = None if keyword else _own_id(value)
            stack.append(_Frame(value, node_id, keyword, where, slot, linked))
            if node_id is not None:
                active.add(node_id)


def shallow_json(value: Any, depth: int = 8) -> str:
    """JSON text of ``value`` with what nests deeper than ``depth`` written ``"…"``.

    For showing a node too deep for ``json.dumps`` or ``str`` (both recurse).
    """
    if depth <= 0 and isinstance(value, dict | list):
        return '"…"'
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k), ensure_ascii=False)}: {shallow_json(v, depth - 1)}"
            for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shallow_json(v, depth - 1) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _own_id(value: dict[str, Any] | list[Any]) -> str | None:
    node_id = value.get("@id") if isinstance(value, dict) else None
    return node_id if isinstance(node_id, str) else None


def _attach(frame: _Frame, slot: Any, value: Any, size: int, height: int, max_nodes: int) -> None:
    if isinstance(frame.out, dict):
        frame.out[slot] = value
    else:
        frame.out.append(value)
    if size:
        frame.size += size
        frame.height = max(frame.height, height + 1)
        if frame.size > max_nodes:
            raise GraphTooLarge("nodes", max_nodes)
