"""The schema.org vocabulary (release 12.0, shipped as package data) and a strict JSON-LD checker.

The vocabulary file is the official ``schemaorg-current-https.jsonld``; the context file is the
``@context`` that ``https://schema.org`` serves, so documents can be expanded without network.
Names are accepted as ``Movie``, ``schema:Movie``, ``https://schema.org/Movie`` or
``http://schema.org/Movie`` and always returned as local names (``Movie``).

schema.org itself is lenient (``domainIncludes`` is a hint, any value may be text). The checker is
deliberately not: a publisher that writes ``director`` on a ``Book`` gets no rich result and a
confused consumer, so every mismatch is reported.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
from collections.abc import Iterable, Mapping
from importlib import resources

__all__ = [
    "SCHEMA_NAMESPACE",
    "Vocabulary",
    "check_document",
    "local_context",
    "local_name",
    "schema_iri",
]

SCHEMA_NAMESPACE = "https://schema.org/"
"""The namespace the vocabulary file uses; :func:`schema_iri` builds IRIs in it."""

_RELEASE = "12.0"
_PACKAGE = "lanterne.profile.schemaorg"
_VOCABULARY_FILE = "schemaorg-current-https.jsonld.gz"
_CONTEXT_FILE = "schemaorg-context.jsonld.gz"

# The official context maps the ``schema:`` prefix and @vocab to http://, the vocabulary file to
# https://: both are the same terms, and publishers write either.
_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:")
_CONTEXT_IRIS = frozenset(
    {"https://schema.org", "http://schema.org", "https://schema.org/", "http://schema.org/"}
)
# Keys allowed next to the schema.org IRI in an array context: none of them redefines a term, so
# the document still means what the vocabulary says.
_NEUTRAL_CONTEXT_KEYS = frozenset({"@language", "@base", "@version", "@direction"})

_KEYWORDS = frozenset(
    {
        "@id",
        "@type",
        "@value",
        "@language",
        "@context",
        "@graph",
        "@list",
        "@set",
        "@reverse",
        "@index",
        "@direction",
    }
)
# The official context itself declares these aliases, so ``"type": "Movie"`` is a valid @type.
_ALIASES = {"type": "@type", "id": "@id"}

_RDFS_CLASS = "rdfs:Class"
_RDF_PROPERTY = "rdf:Property"
_DATA_TYPE = "schema:DataType"


def local_name(name: str) -> str | None:
    """Return the schema.org local name of a term, or ``None`` if it is not a schema.org term.

    Args:
        name: ``Movie``, ``schema:Movie``, ``https://schema.org/Movie`` or
            ``http://schema.org/Movie``.

    Returns:
        ``"Movie"`` for each of those; ``None`` for another vocabulary's IRI or CURIE.
    """
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if not name or ":" in name or "/" in name or "#" in name:
        return None
    return name


def schema_iri(name: str) -> str:
    """Return the ``https://schema.org/`` IRI of a schema.org term, for an ``@id`` or ``@type``.

    Args:
        name: a local name, CURIE or IRI accepted by :func:`local_name`.

    Raises:
        ValueError: if ``name`` is not a schema.org term.
    """
    local = local_name(name)
    if local is None:
        raise ValueError(f"not a schema.org term: {name!r}")
    return SCHEMA_NAMESPACE + local


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _schema_refs(value: object) -> list[str]:
    """Local names of the schema.org ``{"@id": ...}`` references in a vocabulary field."""
    names: list[str] = []
    for item in _as_list(value):
        if isinstance(item, Mapping):
            ref = item.get("@id")
            if isinstance(ref, str) and ref.startswith("schema:"):
                names.append(ref.removeprefix("schema:"))
    return names


def _node_types(node: Mapping[str, object]) -> list[str]:
    return [t for t in _as_list(node.get("@type")) if isinstance(t, str)]


class Vocabulary:
    """Types, properties and enumeration members of one schema.org release.

    Use :meth:`load` for the shipped release; the constructor is for tests and other releases.
    """

    def __init__(self, graph: Iterable[Mapping[str, object]], version: str) -> None:
        """Index the ``@graph`` of a schema.org vocabulary file (compacted with ``schema:``)."""
        self.version = version
        parents: dict[str, frozenset[str]] = {}
        domains: dict[str, frozenset[str]] = {}
        ranges: dict[str, frozenset[str]] = {}
        superseded: dict[str, str] = {}
        instances: dict[str, frozenset[str]] = {}
        for node in graph:
            node_id = node.get("@id")
            if not isinstance(node_id, str) or not node_id.startswith("schema:"):
                continue
            name = node_id.removeprefix("schema:")
            types = _node_types(node)
            replacement = _schema_refs(node.get("schema:supersededBy"))
            if replacement:
                superseded[name] = replacement[0]
            if _RDFS_CLASS in types or _DATA_TYPE in types:
                parents[name] = frozenset(_schema_refs(node.get("rdfs:subClassOf")))
            elif _RDF_PROPERTY in types:
                domains[name] = frozenset(_schema_refs(node.get("schema:domainIncludes")))
                ranges[name] = frozenset(_schema_refs(node.get("schema:rangeIncludes")))
            else:
                instances[name] = frozenset(
                    t.removeprefix("schema:") for t in types if t.startswith("schema:")
                )
        self._parents = parents
        self._domains = domains
        self._ranges = ranges
        self._superseded = superseded
        self._supertypes = {name: self._closure(name) for name in parents}
        # Only instances of an Enumeration subtype are enumeration members: schema:True and
        # schema:False are instances of the Boolean data type, not of an enumeration.
        self._members = {
            name: types
            for name, types in instances.items()
            if any("Enumeration" in self._supertypes.get(t, ()) for t in types)
        }

    def _closure(self, name: str) -> frozenset[str]:
        seen = {name}
        pending = [name]
        while pending:
            for parent in self._parents.get(pending.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        return frozenset(seen)

    @classmethod
    def load(cls) -> Vocabulary:
        """Return the shipped schema.org release, read once and then cached."""
        return _load_vocabulary()

    def __repr__(self) -> str:
        return (
            f"<Vocabulary schema.org {self.version}: {len(self._parents)} types, "
            f"{len(self._domains)} properties, {len(self._members)} enumeration members>"
        )

    def has_type(self, name: str) -> bool:
        """Whether ``name`` is a schema.org type (data types such as ``Text`` included)."""
        local = local_name(name)
        return local is not None and local in self._parents

    def has_property(self, name: str) -> bool:
        """Whether ``name`` is a schema.org property (superseded ones included)."""
        local = local_name(name)
        return local is not None and local in self._domains

    def is_enumeration_member(self, name: str) -> bool:
        """Whether ``name`` is an enumeration member, such as ``InStock`` or ``EventScheduled``."""
        local = local_name(name)
        return local is not None and local in self._members

    def supertypes(self, name: str) -> frozenset[str]:
        """Return the type and all its ancestors by ``rdfs:subClassOf``; empty if it is unknown."""
        local = local_name(name)
        return self._supertypes.get(local, frozenset()) if local is not None else frozenset()

    def is_subtype(self, name: str, parent: str) -> bool:
        """Whether type ``name`` is ``parent`` or descends from it."""
        parent_local = local_name(parent)
        return parent_local is not None and parent_local in self.supertypes(name)

    def domain_includes(self, prop: str) -> frozenset[str]:
        """Return the types listed in the property's ``schema:domainIncludes``."""
        local = local_name(prop)
        return self._domains.get(local, frozenset()) if local is not None else frozenset()

    def range_includes(self, prop: str) -> frozenset[str]:
        """Return the types listed in the property's ``schema:rangeIncludes``."""
        local = local_name(prop)
        return self._ranges.get(local, frozenset()) if local is not None else frozenset()

    def property_fits(self, prop: str, type_name: str) -> bool:
        """Whether the property's ``domainIncludes`` lists the type or one of its supertypes.

        Super-properties are not consulted: schema.org lists the domain on each property.
        """
        return not self.domain_includes(prop).isdisjoint(self.supertypes(type_name))

    def enumeration_types(self, name: str) -> frozenset[str]:
        """Return the enumerations an enumeration member belongs to; empty for anything else."""
        local = local_name(name)
        return self._members.get(local, frozenset()) if local is not None else frozenset()

    def superseded_by(self, name: str) -> str | None:
        """Return the term that replaces a superseded type, property or member, if any."""
        local = local_name(name)
        return self._superseded.get(local) if local is not None else None


def _read_gzipped_json(filename: str) -> object:
    resource = resources.files(_PACKAGE).joinpath("data", filename)
    with resource.open("rb") as raw, gzip.GzipFile(fileobj=raw) as unzipped:
        return json.load(unzipped)


@functools.cache
def _load_vocabulary() -> Vocabulary:
    document = _read_gzipped_json(_VOCABULARY_FILE)
    graph = document.get("@graph") if isinstance(document, dict) else None
    if not isinstance(graph, list):
        raise ValueError(f"{_VOCABULARY_FILE}: no @graph array")
    return Vocabulary((node for node in graph if isinstance(node, dict)), _RELEASE)


@functools.cache
def _shipped_context() -> dict[str, object]:
    document = _read_gzipped_json(_CONTEXT_FILE)
    context = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise ValueError(f"{_CONTEXT_FILE}: no @context object")
    return context


def local_context() -> dict[str, object]:
    """Return the schema.org JSON-LD ``@context`` object, for expanding documents offline.

    Put it in place of ``"https://schema.org"`` before handing a document to rdflib or pyld.
    Each call returns a fresh copy, so callers may modify it.
    """
    return copy.deepcopy(_shipped_context())


def check_document(doc: Mapping[str, object], vocabulary: Vocabulary | None = None) -> list[str]:
    """Check that a compact schema.org JSON-LD document uses only terms that exist and fit.

    Every node (an object with ``@type``, at any depth, in ``@graph`` or in arrays) must have
    schema.org types, and each of its properties must exist and list one of those types (or a
    supertype) in its ``domainIncludes``. Objects without ``@type`` are reported unless they are
    value objects (``@value``) or bare references (``{"@id": ...}``). Values of properties
    whose range is an enumeration, written as schema.org IRIs, must be members of it. Superseded
    terms are reported with their replacement.

    Args:
        doc: the document, with ``@context`` ``"https://schema.org"`` (or ``http``, trailing
            slash, an array adding only ``@language``, or :func:`local_context`).
        vocabulary: the release to check against; the shipped one by default.

    Returns:
        Problems as ``"<JSON path>: <message>"``; empty if the document is valid.
    """
    checker = _Checker(vocabulary if vocabulary is not None else Vocabulary.load())
    checker.check_root(doc)
    return checker.problems


def _quote_all(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in sorted(names))


class _Checker:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.problems: list[str] = []

    def report(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def check_root(self, doc: Mapping[str, object]) -> None:
        if not isinstance(doc, Mapping):
            self.report("$", "document is not a JSON object")
            return
        if "@context" not in doc:
            self.report("$", "no @context; expected 'https://schema.org'")
        keys = {_ALIASES.get(key, key) for key in doc}
        if "@type" in keys:
            self.check_node(doc, "$")
        elif "@graph" in keys and keys <= {"@context", "@graph", "@id"}:
            self.check_keywords(doc, "$")
        else:
            self.report("$", "node without @type")
            self.check_node(doc, "$")

    def check_context(self, context: object, path: str) -> None:
        if isinstance(context, str):
            if context not in _CONTEXT_IRIS:
                self.report(
                    path, f"unsupported @context {context!r}; expected 'https://schema.org'"
                )
            return
        if isinstance(context, list):
            iris = [item for item in context if isinstance(item, str)]
            others = [item for item in context if not isinstance(item, str)]
            neutral = all(
                isinstance(item, dict) and item.keys() <= _NEUTRAL_CONTEXT_KEYS for item in others
            )
            if iris and all(iri in _CONTEXT_IRIS for iri in iris) and neutral:
                return
        elif context == _shipped_context():
            return
        self.report(
            path,
            "unsupported @context; expected 'https://schema.org', optionally in an array with "
            "objects holding only @language, @base, @version or @direction",
        )

    def check_keywords(self, obj: Mapping[str, object], path: str) -> None:
        """Check the @context and descend into the @graph of an object, if it has them."""
        if "@context" in obj:
            self.check_context(obj["@context"], f"{path}.@context")
        if "@graph" in obj:
            self.check_value(obj["@graph"], f"{path}.@graph", None)

    def node_types(self, node: Mapping[str, object], path: str) -> list[str]:
        """Return the node's known types (local names), reporting unknown and superseded ones."""
        key = "@type" if "@type" in node else "type"
        raw = node.get(key)
        if raw is None:
            return []
        type_path = f"{path}.{key}"
        raw_list = _as_list(raw)
        if not raw_list:
            self.report(type_path, "empty @type")
            return []
        known: list[str] = []
        for index, item in enumerate(raw_list):
            item_path = type_path if isinstance(raw, str) else f"{type_path}[{index}]"
            if not isinstance(item, str):
                self.report(item_path, f"@type must be a string, not {type(item).__name__}")
                continue
            local = local_name(item)
            if local is None or not self.vocabulary.has_type(local):
                self.report(item_path, f"unknown schema.org type '{item}'")
                continue
            replacement = self.vocabulary.superseded_by(local)
            if replacement is not None:
                self.report(item_path, f"type '{local}' is superseded by '{replacement}'")
            known.append(local)
        return known

    def check_node(self, node: Mapping[str, object], path: str) -> None:
        types = self.node_types(node, path)
        self.check_keywords(node, path)
        for key, value in node.items():
            keyword = _ALIASES.get(key, key)
            if keyword in _KEYWORDS:
                if keyword == "@reverse":
                    self.check_reverse(value, f"{path}.{key}")
                elif keyword in {"@list", "@set", "@value", "@language"}:
                    self.report(f"{path}.{key}", f"{keyword} is not allowed in a node")
                continue
            value_path = f"{path}.{key}"
            if key.startswith("@"):
                self.report(value_path, f"unknown JSON-LD keyword '{key}'")
                continue
            prop = self.check_property(key, value_path)
            # With no known type there is nothing to fit against; the type is already reported.
            if (
                prop is not None
                and types
                and not any(self.vocabulary.property_fits(prop, t) for t in types)
            ):
                target = f"type '{types[0]}'" if len(types) == 1 else f"types {_quote_all(types)}"
                self.report(value_path, f"property '{prop}' does not apply to {target}")
            self.check_value(value, value_path, prop)

    def check_property(self, key: str, path: str) -> str | None:
        """Return the property's local name if it exists, reporting unknown and superseded ones."""
        prop = local_name(key)
        if prop is None or not self.vocabulary.has_property(prop):
            self.report(path, f"unknown schema.org property '{key}'")
            return None
        replacement = self.vocabulary.superseded_by(prop)
        if replacement is not None:
            self.report(path, f"property '{prop}' is superseded by '{replacement}'")
        return prop

    def check_reverse(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            self.report(path, "@reverse must be an object")
            return
        for key, targets in value.items():
            target_path = f"{path}.{key}"
            prop = self.check_property(key, target_path)
            if prop is None:
                self.check_value(targets, target_path, None)
                continue
            # In a reverse property the nested node is the subject, so it is the one that must
            # be in the domain.
            for index, target in enumerate(_as_list(targets)):
                item_path = (
                    target_path if not isinstance(targets, list) else f"{target_path}[{index}]"
                )
                if isinstance(target, Mapping):
                    self.check_reverse_fit(target, item_path, prop)
            self.check_value(targets, target_path, None)

    def check_reverse_fit(self, target: Mapping[str, object], path: str, prop: str) -> None:
        raw = target.get("@type", target.get("type"))
        names = [local_name(t) for t in _as_list(raw) if isinstance(t, str)]
        types = [t for t in names if t is not None and self.vocabulary.has_type(t)]
        if types and not any(self.vocabulary.property_fits(prop, t) for t in types):
            target_types = _quote_all(types)
            self.report(path, f"property '{prop}' does not apply to {target_types} (@reverse)")

    def check_value(self, value: object, path: str, prop: str | None) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.check_value(item, f"{path}[{index}]", prop)
        elif isinstance(value, str):
            if prop is not None:
                self.check_enumeration_value(value, path, prop)
        elif isinstance(value, Mapping):
            self.check_object(value, path, prop)

    def check_object(self, obj: Mapping[str, object], path: str, prop: str | None) -> None:
        keys = {_ALIASES.get(key, key) for key in obj}
        if "@value" in keys:
            return  # A value object: a literal, possibly language-tagged or typed.
        if "@list" in keys or "@set" in keys:
            container = "@list" if "@list" in obj else "@set"
            self.check_value(obj[container], f"{path}.{container}", prop)
        elif "@type" in keys:
            self.check_node(obj, path)
        elif keys == {"@id"}:
            reference = obj.get("@id", obj.get("id"))
            if isinstance(reference, str) and prop is not None:
                self.check_enumeration_value(reference, path, prop)
        elif keys <= {"@graph", "@id", "@context", "@index"} and "@graph" in keys:
            self.check_keywords(obj, path)
        else:
            self.report(path, "node without @type")
            self.check_node(obj, path)

    def check_enumeration_value(self, value: str, path: str, prop: str) -> None:
        vocabulary = self.vocabulary
        enumerations = [
            r for r in vocabulary.range_includes(prop) if vocabulary.is_subtype(r, "Enumeration")
        ]
        if not enumerations or not value.startswith(_PREFIXES):
            return
        member = local_name(value)
        if member is None or not vocabulary.is_enumeration_member(member):
            self.report(path, f"'{value}' is not a schema.org enumeration member")
            return
        replacement = vocabulary.superseded_by(member)
        if replacement is not None:
            self.report(path, f"enumeration member '{member}' is superseded by '{replacement}'")
        member_types = vocabulary.enumeration_types(member)
        if not any(vocabulary.is_subtype(t, r) for t in member_types for r in enumerations):
            expected = " or ".join(sorted(enumerations))
            self.report(path, f"'{member}' is not a member of {expected} (range of '{prop}')")
