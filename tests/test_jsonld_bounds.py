"""JSON-LD graphs that would cost more than their size: shared nodes, cycles, deep nesting.

A node reached twice is resolved once and shared; a record whose resolved form goes over the
declared bounds (``LANTERNE_JSONLD_MAX_DEPTH``, ``LANTERNE_JSONLD_MAX_NODES``) is quarantined
with the bound it broke, and the run goes on.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from lanterne.catalogue import open_catalogue
from lanterne.errors import BadSetting
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile.schemaorg import Graph, GraphTooLarge, node_to_fields
from lanterne.settings import Settings

PROFILE = """\
name = "test-graph"
version = 1
source = "test-graph"

[reader]
format = "jsonld"
types = ["Event"]

[record]
id = "@id"
type = "Event"
"""

LEVELS = 25


def _doubling_graph(levels: int) -> list[dict[str, Any]]:
    """Node i links to node i+1 twice: resolved by copying, it is 2**levels nodes."""
    nodes: list[dict[str, Any]] = []
    for i in range(levels):
        node: dict[str, Any] = {"@id": f"n{i}", "@type": "Thing", "name": f"n{i}"}
        if i + 1 < levels:
            node["a"] = {"@id": f"n{i + 1}"}
            node["b"] = {"@id": f"n{i + 1}"}
        nodes.append(node)
    return nodes


def _event(node_id: str, **extra: Any) -> dict[str, Any]:
    return {"@id": node_id, "@type": "Event", "name": f"Spectacle {node_id}", **extra}


def _ingest(tmp_path: Path, documents: list[Any], **options: Any) -> tuple[Any, Any]:
    profile_path = tmp_path / "graph.toml"
    profile_path.write_text(PROFILE, "utf-8")
    source = tmp_path / "events.jsonld"
    source.write_text(json.dumps(documents), "utf-8")
    with open_catalogue(tmp_path / "c.sqlite") as catalogue:
        summary = ingest(
            catalogue, source, load_mapping_profile(str(profile_path)), IngestOptions(**options)
        )
        entries = catalogue.quarantine()
        return summary, entries


def test_doubling_references_are_resolved_once_not_copied_exponentially() -> None:
    nodes = _doubling_graph(LEVELS)
    assert len(json.dumps(nodes)) < 3000  # the 2 KB file of the attack
    graph = Graph([nodes])
    tracemalloc.start()
    try:
        with pytest.raises(GraphTooLarge) as raised:
            graph.resolve(graph.nodes["n0"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raised.value.bound == "nodes"
    assert raised.value.limit == 10_000
    # Copying every path held 531 MB; the memo holds each node once.
    assert peak < 2_000_000


def test_shared_nodes_resolve_to_the_same_content_once() -> None:
    # 2**8 = 256 paths to the last node: within the bounds, read in full.
    graph = Graph([_doubling_graph(8)])
    resolved = graph.resolve(graph.nodes["n0"])
    assert resolved["a"] is resolved["b"]  # one resolution, shared
    assert resolved["a"]["name"] == "n1"
    deepest = resolved
    for i in range(1, 8):
        deepest = deepest["b"]
        assert deepest["@id"] == f"n{i}"
    assert "a" not in deepest and deepest["name"] == "n7"
    # Same content as a plain copy would have: the JSON text of the tree.
    text = json.dumps(resolved)
    assert text.count('"name": "n7"') == 2**7


def test_cycle_of_two_nodes_terminates_with_a_link_back() -> None:
    graph = Graph([[{"@id": "a", "knows": {"@id": "b"}}, {"@id": "b", "knows": {"@id": "a"}}]])
    resolved = graph.resolve(graph.nodes["a"])
    assert resolved["knows"]["@id"] == "b"
    assert resolved["knows"]["knows"] == {"@id": "a"}


def test_a_link_given_alone_resolves_to_its_node() -> None:
    graph = Graph([[_event("e1", location={"@id": "p1"}), {"@id": "p1", "name": "Salle"}]])
    assert graph.resolve({"@id": "e1"})["location"]["name"] == "Salle"


def test_exponential_record_is_quarantined_and_the_run_goes_on(tmp_path: Path) -> None:
    attack = _event("bomb", performer={"@id": "n0"})
    summary, entries = _ingest(tmp_path, [attack, *_doubling_graph(LEVELS), _event("ok")])
    assert (summary.read, summary.created, summary.quarantined) == (2, 1, 1)
    [entry] = entries
    assert entry.reason == "reason.graph_too_large"
    assert entry.params["id"] == "bomb"
    assert entry.params["limit"] == "10\u202f000"
    assert "LANTERNE_JSONLD_MAX_NODES" in entry.message
    assert entry.file.endswith("events.jsonld")


def test_max_nodes_setting_raises_the_bound(tmp_path: Path) -> None:
    attack = _event("bomb", performer={"@id": "n0"})
    summary, _ = _ingest(tmp_path, [attack, *_doubling_graph(12)], jsonld_max_nodes=100_000)
    assert (summary.created, summary.quarantined) == (1, 0)


def _nested(depth: int) -> dict[str, Any]:
    # Built from the inside out: no recursion.
    value: dict[str, Any] = {"name": "fond"}
    for _ in range(depth):
        value = {"@type": "Thing", "about": value}
    return value


@pytest.mark.parametrize("depth", [600, 10_000])
def test_deeply_nested_record_is_quarantined_without_recursion_error(
    tmp_path: Path, depth: int
) -> None:
    # Parsed already (the reader's half of the defence is in the JSON reader): the graph's
    # index and resolution must not recurse on it.
    graph = Graph([[_event("deep", about=_nested(depth)), _event("ok")]])
    with pytest.raises(GraphTooLarge) as raised:
        graph.resolve(graph.nodes["deep"])
    assert (raised.value.bound, raised.value.limit) == ("depth", 32)
    assert graph.resolve(graph.nodes["ok"])["name"] == "Spectacle ok"


def test_deeply_nested_record_in_a_file_is_quarantined(tmp_path: Path) -> None:
    # 50 levels: under the JSON reader's own bound (LANTERNE_MAX_JSON_DEPTH, 64), which
    # quarantines deeper records as reason.too_deep before any graph is built; the graph still
    # bounds the resolved record at 32.
    summary, entries = _ingest(tmp_path, [_event("deep", about=_nested(50)), _event("ok")])
    assert (summary.read, summary.created, summary.quarantined) == (2, 1, 1)
    [entry] = entries
    assert entry.reason == "reason.graph_too_deep"
    assert "LANTERNE_JSONLD_MAX_DEPTH" in entry.message


def test_real_export_is_within_the_bounds() -> None:
    folder = Path(__file__).resolve().parents[2] / "shared" / "data" / "scenes-francophones-events"
    if not folder.is_dir():
        folder = Path("/work/shared/data/scenes-francophones-events")
    if not folder.is_dir():
        pytest.skip("shared data folder absent (scenes-francophones-events)")
    documents = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.jsonld"))]
    graph = Graph(documents)
    events = [n for n in graph.nodes.values() if "Event" in str(n.get("@type", ""))]
    assert len(events) > 1000
    for event in events:
        graph.resolve(event)  # raises GraphTooLarge if a real record were over a bound


def test_bound_setting_that_is_not_a_number_names_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANTERNE_JSONLD_MAX_NODES", "beaucoup")
    with pytest.raises(BadSetting) as raised:
        Settings.load()
    assert "LANTERNE_JSONLD_MAX_NODES" in raised.value.message("fr")
    assert raised.value.exit_code == 2
    monkeypatch.setenv("LANTERNE_JSONLD_MAX_NODES", "20_000")
    assert Settings.load().jsonld_max_nodes == 20_000


def _nested_list(depth: int) -> list[Any]:
    value: list[Any] = ["fond"]
    for _ in range(depth):
        value = [value]
    return value


def test_reader_of_a_deep_node_read_directly_does_not_recurse() -> None:
    # node_to_fields is public: given a node nobody resolved (no bound applied), nesting in a
    # literal, a place list or an identifier must not reach ``str`` or a recursive call.
    deep = _nested_list(10_000)
    node = {
        "@type": "Event",
        "name": [{"@value": deep}, "Titre"],
        "description": deep,
        "location": deep,
        "identifier": {"propertyID": deep, "value": "1"},
        "performer": {"@id": deep},
        "about": {"name": "Sujet", "termCode": deep},
        "url": deep,
        "isAccessibleForFree": deep,
    }
    fields = node_to_fields(node)
    assert fields["titles"] == [{"value": "Titre"}]
    assert "events" not in fields and "contributors" not in fields  # no place, no performer
    assert "url" not in fields and "descriptions" not in fields


def test_a_node_whose_id_is_an_object_is_no_link_not_a_type_error() -> None:
    """``[{"@id": {"@id": "x"}}]`` raised TypeError (unhashable dict) in the graph (found by the
    schema.org fuzz target): an @id that is not a string names no node and links to nothing."""
    document = [{"@id": {"@id": "x"}, "@type": "Event", "name": "Sans identifiant"}]
    graph = Graph([document])
    [node] = document
    assert graph.resolve(node)["name"] == "Sans identifiant"
