"""TDMRep: the spec's own examples, one reservation per work published four ways that agree
(headers, meta, /.well-known/tdmrep.json, JSON-LD), dumps that honour it, and the simulator
reading it back from a platform with robots.txt.

The spec examples are those of the W3C TDMRep community group final report (2024-05-10),
sections « TDM File on the Origin Server » and « Processing priority »."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from lanterne.catalogue import SqliteCatalogue, open_catalogue
from lanterne.errors import BadInput
from lanterne.ingest import ingest, load_mapping_profile
from lanterne.profile import Work
from lanterne.profile.schemaorg import work_from_jsonld
from lanterne.provenance import (
    TdmValue,
    effective,
    matches,
    parse_rules,
    rule_for,
    rules_json,
    site_rules,
    value_of,
    work_value,
)
from lanterne.publish import dump, work_uri
from lanterne.web import Site, create_app
from web_helpers import Client

RESERVED = TdmValue(reservation=1)
FREE = TdmValue(reservation=0)
POLICY = "https://provider.com/policies/policy.json"

# The spec's examples -----------------------------------------------------------------------

EVERYTHING = b'[{"location": "/", "tdm-reservation": 1}]'
THREE_GROUPS = json.dumps(
    [
        {"location": "/directory-a/", "tdm-reservation": 1},
        {"location": "/directory-b/html/", "tdm-reservation": 1, "tdm-policy": POLICY},
        {"location": "/directory-b/images/*.jpg", "tdm-reservation": 0},
    ]
).encode()


def test_the_opt_out_of_a_whole_server() -> None:
    rules = parse_rules(EVERYTHING)
    for path in ("/", "/index.html", "/a/b/c.pdf", "https://example.com/x?y=1"):
        found = rule_for(rules, path)
        assert found is not None and found.value == RESERVED, path


def test_three_groups_of_files() -> None:
    rules = parse_rules(THREE_GROUPS)
    expected = {
        "/directory-a/report.pdf": RESERVED,
        "/directory-b/html/index.html": TdmValue(reservation=1, policy=POLICY),
        "/directory-b/images/photo.jpg": FREE,
        "/directory-b/images/sub/photo.jpg": FREE,  # « * » spans slashes, as in robots.txt
    }
    for path, value in expected.items():
        found = rule_for(rules, path)
        assert found is not None and found.value == value, path
    # No match: unset, and the spec's matching is case-sensitive.
    for path in ("/directory-b/images/photo.png", "/other.html", "/Directory-a/report.pdf"):
        assert rule_for(rules, path) is None, path


def test_brackets_are_mandatory_even_for_one_rule() -> None:
    with pytest.raises(BadInput):
        parse_rules(b'{"location": "/", "tdm-reservation": 1}')
    with pytest.raises(BadInput):
        parse_rules(b'[{"tdm-reservation": 1}]')  # location is mandatory
    with pytest.raises(BadInput):
        parse_rules(b"[{")


def test_other_values_are_protocol_errors_read_as_unset() -> None:
    for bad in ("2", "yes", "", " ", "01x"):
        assert value_of(bad) is None, bad
    assert value_of(True) is None  # JSON true is not the integer 1
    [rule] = parse_rules(b'[{"location": "/", "tdm-reservation": 2}]')
    assert rule.value is None
    assert value_of(" 1 ") == RESERVED  # header values come with their spaces


def test_the_policy_is_not_read_when_not_reserved() -> None:
    assert value_of(0, POLICY) == FREE
    assert value_of("1", POLICY) == TdmValue(reservation=1, policy=POLICY)


def test_the_end_anchor_and_percent_encoded_special_characters() -> None:
    assert matches("/this/path/exactly$", "/this/path/exactly")
    assert not matches("/this/path/exactly$", "/this/path/exactly/not")
    assert matches("/this/*/then", "/this/any/thing/then/more")
    # « If TDM Agents match special characters verbatim in the URI, they MUST use % encoding ».
    assert matches("/path/foo-%24", "/path/foo-$")
    assert not matches("/path/foo-$", "/path/foo-x")
    # Escapes of unreserved characters are decoded before comparing; reserved ones are not.
    assert matches("/a%7Eb", "/a~b") and matches("/a~b", "/a%7eb")
    assert matches("/w/src%3a1$", "/w/src%3A1")
    assert not matches("/w/src%3A1$", "/w/src:1")


def test_the_first_rule_that_matches_wins() -> None:
    rules = parse_rules(
        b'[{"location": "/a/b/", "tdm-reservation": 0},'
        b' {"location": "/a/", "tdm-reservation": 1, "tdm-policy": "https://p/1"}]'
    )
    assert rule_for(rules, "/a/b/c").value == FREE  # type: ignore[union-attr]
    assert rule_for(rules, "/a/c").value == TdmValue(reservation=1, policy="https://p/1")  # type: ignore[union-attr]


def test_headers_supersede_the_file_and_meta_supersede_headers() -> None:
    assert effective(RESERVED, FREE) == FREE
    assert effective(RESERVED, FREE, RESERVED) == RESERVED
    # An absent value never resets one found before it.
    assert effective(RESERVED, None, None) == RESERVED
    assert effective(None, FREE, None) == FREE
    assert effective(None, None, None) is None


# A catalogue with mixed reservations -------------------------------------------------------

PRESSE = f"""
name = "presse"
version = 1
source = "presse"
[reader]
format = "csv"
[record]
id = "id"
type = "Book"
[defaults]
tdm_reservation = 1
tdm_policy = "{POLICY}"
[[map]]
to = "title"
from = ["titre"]
[[map]]
to = "tdm_reservation"
from = ["tdm"]
"""
MUSEE = """
name = "musee"
version = 1
source = "musee"
[reader]
format = "csv"
[record]
id = "id"
type = "Painting"
[[map]]
to = "title"
from = ["titre"]
[[map]]
to = "tdm_reservation"
from = ["tdm"]
[[map]]
to = "tdm_policy"
from = ["politique"]
"""
LIBRE = PRESSE.replace('"presse"', '"libre"').replace("tdm_reservation = 1", "tdm_reservation = 0")

CSVS = {
    # Reserved by its source, but for one work the publisher freed.
    "presse": "id;titre;tdm\n1;Un;\n2;Deux;\n3;Trois;0\n12;Douze;\n123;Cent vingt-trois;\n",
    # No declaration for the source: each work its own, some none (ids with special characters).
    "musee": (
        "id;titre;tdm;politique\na*b;Étoile;1;https://musee.example/odrl.json\n"
        "x$y;Dollar;0;\nsans;Sans;;\nc d;Espace;1;\n"
    ),
    "libre": "id;titre;tdm\n1;Libre;\n2;Libre aussi;1\n",
}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tdm")
    location = folder / "c.sqlite"
    with open_catalogue(location) as catalogue:
        for name, profile in (("presse", PRESSE), ("musee", MUSEE), ("libre", LIBRE)):
            (folder / f"{name}.toml").write_text(profile, "utf-8")
            (folder / f"{name}.csv").write_text(CSVS[name], "utf-8")
            ingest(
                catalogue,
                folder / f"{name}.csv",
                load_mapping_profile(str(folder / f"{name}.toml")),
            )
    return location


def works_of(location: Path) -> list[Work]:
    with SqliteCatalogue(location) as db:
        return list(db.iter_works())


def test_sources_declare_and_records_override(mixed: Path) -> None:
    values = {w.id: work_value(w) for w in works_of(mixed)}
    with_policy = TdmValue(reservation=1, policy=POLICY)
    assert values == {
        "presse:1": with_policy,
        "presse:2": with_policy,
        "presse:3": FREE,
        "presse:12": with_policy,
        "presse:123": with_policy,
        "musee:a*b": TdmValue(reservation=1, policy="https://musee.example/odrl.json"),
        "musee:x$y": FREE,
        "musee:sans": None,
        "musee:c d": RESERVED,
        "libre:1": FREE,
        "libre:2": RESERVED,
    }
    declared = {w.id: w.tdm.declared_by for w in works_of(mixed) if w.tdm}
    assert set(declared.values()) == {"presse", "musee", "libre"}


def _jsonld_value(doc: dict[str, object]) -> TdmValue | None:
    return work_value(work_from_jsonld(doc))


def test_headers_meta_file_and_jsonld_agree_for_every_work(mixed: Path) -> None:
    from urllib.parse import quote

    client = Client(create_app(Site(mixed)))
    known = client.request("GET", "/.well-known/tdmrep.json")
    assert known.status_code == 200 and known.headers["content-type"] == "application/json"
    rules = parse_rules(known.content)
    checked = 0
    for work in works_of(mixed):
        want = work_value(work)
        escaped, plain = quote(work.id, safe=""), quote(work.id, safe=":")
        page = client.request("GET", f"/oeuvre/{escaped}", headers={"Accept": "text/html"})
        api = client.request("GET", f"/api/works/{escaped}")
        ttl = client.request("GET", f"/oeuvre/{escaped}.ttl")
        head = client.request("HEAD", f"/oeuvre/{escaped}", headers={"Accept": "text/html"})
        head_ttl = client.request("HEAD", f"/oeuvre/{escaped}.ttl")
        answers = (page, api, ttl, head, head_ttl)
        assert {a.status_code for a in answers} == {200}, work.id
        for answer in answers:
            assert (
                value_of(answer.headers.get("tdm-reservation"), answer.headers.get("tdm-policy"))
                == want
            ), work.id
            if want is None:
                assert "tdm-reservation" not in answer.headers
        meta = _meta(page.text)
        assert (value_of(meta["tdm-reservation"], meta.get("tdm-policy")) if meta else None) == want
        assert _jsonld_value(api.json()) == want, work.id
        for path in (
            f"/oeuvre/{escaped}",
            f"/oeuvre/{plain}",
            f"/oeuvre/{escaped}.ttl",
            f"/api/works/{escaped}",
            f"/api/works/{plain}",
        ):
            rule = rule_for(rules, path)
            assert (rule.value if rule else None) == want, (work.id, path)
        checked += 1
    assert checked == 11


def _meta(text: str) -> dict[str, str]:
    from lanterne.audit._rights import _Meta

    parser = _Meta()
    parser.feed(text)
    return parser.found


def test_the_file_lists_exceptions_before_their_source(mixed: Path) -> None:
    rules = site_rules(works_of(mixed), prefixes=("/oeuvre/",))
    locations = [r.location for r in rules]
    # presse's one exception (3) comes first, then the prefix of the source; musee has works
    # with no reservation, so no prefix rule: each work of it that has one is listed.
    assert locations.index("/oeuvre/presse%3A3$") < locations.index("/oeuvre/presse%3A")
    assert not any(
        loc.startswith("/oeuvre/musee%3A") and not loc.endswith("$") for loc in locations
    )
    assert "/oeuvre/musee%3Aa%2Ab$" in locations  # « * » escaped: not a wildcard
    assert "/oeuvre/musee%3Ax%24y$" in locations  # « $ » escaped: not an anchor
    # presse:12's page does not share presse:123's rule, nor the other way round.
    assert rule_for(rules, "/oeuvre/presse%3A12").value.policy == POLICY  # type: ignore[union-attr]
    assert json.loads(rules_json(rules))[0]["location"] == rules[0].location


def test_a_dump_respecting_tdm_leaves_out_exactly_the_reserved_works(
    mixed: Path, tmp_path: Path
) -> None:
    base = "http://example.org/"
    with SqliteCatalogue(mixed) as db:
        everything = dump(db, "nt", tmp_path / "all.nt", base=base)
        kept = dump(db, "nt", tmp_path / "kept.nt", base=base, respect_tdm=True)
    works = works_of(mixed)
    reserved = {w.id for w in works if w.tdm is not None and w.tdm.reserved}
    assert (everything.works, everything.withheld) == (11, 0)
    assert (kept.works, kept.withheld) == (11 - len(reserved), len(reserved))
    graph = Graph().parse(tmp_path / "kept.nt", format="nt")
    subjects = {str(s) for s in graph.subjects()}
    for work in works:
        assert (work_uri(base, work.id) in subjects) == (work.id not in reserved), work.id
    assert URIRef(work_uri(base, "musee:sans")) in set(graph.subjects())  # unset: kept


def test_the_cli_dump_says_how_many_it_left_out(mixed: Path, tmp_path: Path) -> None:
    from helpers import lanterne

    (tmp_path / "c.sqlite").write_bytes(mixed.read_bytes())
    done = lanterne(
        tmp_path, "publish", "dump", "--format", "nt", "-o", str(tmp_path / "d.nt"), "--respect-tdm"
    )
    assert done.returncode == 0, done.stderr
    assert "7 œuvres laissées de côté" in done.stdout


# The simulator reads it back ---------------------------------------------------------------


@pytest.fixture
def server(mixed: Path) -> Iterator[str]:
    import uvicorn

    app = create_app(Site(mixed))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def test_the_simulator_reports_what_robots_and_tdmrep_say(mixed: Path, server: str) -> None:
    from lanterne.audit import LanterneHTTP

    works = works_of(mixed)
    platform = LanterneHTTP(server)
    try:
        found = platform.rights([w.id for w in works] + [works[0].id])  # each work once
    finally:
        platform.close()
    assert found.robots is not None and "Sitemap:" in found.robots
    assert found.tdmrep_rules is not None and found.tdmrep_rules > 0
    assert len(found.items) == 11
    by_id = {w.id: work_value(w) for w in works}
    for item in found.items:
        assert item.status == 200 and item.robots_allowed
        assert item.effective == item.header == item.meta == item.file == by_id[item.item]
    assert (found.reserved, found.not_reserved, found.unset) == (7, 3, 1)
    assert found.robots_refused == 0
