"""The OAI-PMH data provider harvested by real clients (sickle, oaipmh-scythe) over loopback,
every answer validated by the protocol's own XSD, and the official validator's bad requests
(zimeon/oaipmh-validator ``test_expected_errors``, ``test_expected_v2_errors``, POST) answered
with the codes it expects."""

from __future__ import annotations

import base64
import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from lxml import etree

from lanterne.catalogue import SqliteCatalogue, StateFilter
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.publish import EdmOptions, OaiConfig, Standards, Validator, edm_problems
from lanterne.web import create_app
from lanterne.web._site import Site

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
SCHEMAS = SHARED / "standards" / "oai-pmh" / "schemas"
EDM_XSD = SHARED / "standards" / "edm" / "schema_xsds" / "EDM.xsd"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
RIGHTS = "http://rightsstatements.org/vocab/CNE/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

pytestmark = pytest.mark.skipif(
    not (DATA.is_dir() and SCHEMAS.is_dir() and EDM_XSD.is_file()),
    reason=f"real datasets and the OAI-PMH and EDM schemas not found under {SHARED} (../shared)",
)

CATALOGUES = [
    ("festivals-france", "festivals-france"),
    ("joconde-costumes", "joconde-costumes"),
    ("scenes-francophones-events", "scenes-francophones-events"),
    ("movielens-latest-small", "movielens-latest-small"),
    ("goodbooks-10k-books", "goodbooks-10k-books"),
]


class _LocalXml(etree.Resolver):  # type: ignore[misc]
    """simpledc imports W3C's xml.xsd by its absolute URL: the local copy, offline."""

    def resolve(self, url: str, pubid: str, context: object) -> object:
        if url.endswith("/xml.xsd") and "w3.org" in url:
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


def _strict(*imports: tuple[str, Path]) -> etree.XMLSchema:
    driver = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>' for ns, path in imports
    ) + "</xs:schema>"  # fmt: skip
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalXml())
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser))


class Schemas:
    """The published OAI-PMH.xsd (strict on metadata and descriptions) with the schemas of the
    payloads it carries (PROVENANCE.md's recipe): oai_dc and oai-identifier, or EDM. Two sets,
    since simpledc and EDM each define the dc: namespace and one schema cannot hold both."""

    def __init__(self) -> None:
        oai = ("http://www.openarchives.org/OAI/2.0/", SCHEMAS / "OAI-PMH.xsd")
        self.dc = _strict(
            oai,
            ("http://www.openarchives.org/OAI/2.0/oai_dc/", SCHEMAS / "oai_dc.xsd"),
            ("http://www.openarchives.org/OAI/2.0/oai-identifier", SCHEMAS / "oai-identifier.xsd"),
        )
        self.edm = _strict(oai, ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", EDM_XSD))
        self.error_log = self.dc.error_log

    def validate(self, doc: etree._Element) -> bool:
        edm = doc.find(f".//{{{RDF}}}RDF") is not None
        schema = self.edm if edm else self.dc
        self.error_log = schema.error_log
        return bool(schema.validate(doc))


@pytest.fixture(scope="module")
def schema() -> Schemas:
    return Schemas()


def _valid(schema: Schemas, body: bytes) -> etree._Element:
    doc = etree.fromstring(body)
    assert schema.validate(doc), schema.error_log.last_error
    return doc


@contextlib.contextmanager
def _server(catalogue: Path, **env: str) -> Iterator[str]:
    """``create_app`` on a real uvicorn server on a free loopback port, with settings ``env``
    (read when the app is made); stopped on leaving."""
    import uvicorn

    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(f"LANTERNE_{name.upper()}", value)
        app = create_app(Site(catalogue))
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
        yield f"http://127.0.0.1:{port}/oai"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def _checked_sickle(url: str, schema: Schemas, seen: list[int]) -> Any:
    """sickle, every answer of its harvest validated by the strict schema (``seen`` counts)."""
    from sickle import Sickle

    class Checked(Sickle):  # type: ignore[misc]
        def harvest(self, **kwargs: Any) -> Any:
            response = super().harvest(**kwargs)
            _valid(schema, response.http_response.content)
            seen.append(1)
            return response

    return Checked(url, max_retries=0)


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One catalogue holding the five real catalogues of ../shared/data."""
    path = tmp_path_factory.mktemp("oai") / "c.sqlite"
    with SqliteCatalogue(path) as db:
        for folder, profile in CATALOGUES:
            ingest(db, DATA / folder, load_mapping_profile(profile), IngestOptions(workers=2))
    return path


@pytest.fixture(scope="module")
def five_url(five: Path) -> Iterator[str]:
    with _server(five, edm_rights=RIGHTS, oai_records_page_max="200") as url:
        yield url


def test_sickle_harvests_every_work_of_every_source_in_oai_dc_and_edm(
    five: Path, five_url: str, schema: Schemas
) -> None:
    from sickle.oaiexceptions import NoRecordsMatch

    seen: list[int] = []
    sickle = _checked_sickle(five_url, schema, seen)
    options = EdmOptions(rights=RIGHTS)
    config = OaiConfig.from_settings()
    sources = {s.setSpec for s in sickle.ListSets() if s.setSpec.startswith("source:")}
    with SqliteCatalogue(five, read_only=True) as db:
        assert sources == {f"source:{s}" for s in db.stats().by_source}
        edm_total = 0
        for spec in sorted(sources):
            works = list(db.iter_works(spec.partition(":")[2]))
            dc = {
                r.header.identifier for r in sickle.ListRecords(metadataPrefix="oai_dc", set=spec)
            }
            assert dc == {config.identifier(w.id) for w in works}, spec
            expressible = {config.identifier(w.id) for w in works if not edm_problems(w, options)}
            edm_total += len(expressible)
            if not expressible:  # a source EDM cannot carry (festivals: events are no EDM type)
                with pytest.raises(NoRecordsMatch):
                    list(sickle.ListIdentifiers(metadataPrefix="edm", set=spec))
                continue
            edm = list(sickle.ListRecords(metadataPrefix="edm", set=spec))
            assert {r.header.identifier for r in edm} == expressible, spec
            # Metis' rule: one element under <metadata>, the rdf:RDF.
            assert all(len(r.xml.find(f"{OAI}metadata")) == 1 for r in edm)
        assert edm_total > 1000  # the books EDM can carry (with a language and a page)
    assert len(seen) > 100  # every one of those pages was validated


def test_types_and_territories_sets_hold_what_the_catalogue_says(
    five: Path, five_url: str, schema: Schemas
) -> None:
    from oaipmh_scythe import Scythe

    seen: list[int] = []
    sickle = _checked_sickle(five_url, schema, seen)
    with SqliteCatalogue(five, read_only=True) as db, Scythe(five_url) as scythe:
        stats = db.stats()
        for spec, where in (
            ("type:Movie", StateFilter(type="Movie")),
            ("territory:CA-NB", StateFilter(territory="CA-NB")),
            ("territory:FR-BRE", StateFilter(territory="FR-BRE")),
        ):
            wanted = db.count_states(where)
            assert wanted > 0
            headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set=spec))
            assert len(headers) == wanted, spec
            assert all(spec in h.setSpecs for h in headers)
            # A second client agrees.
            assert (
                sum(1 for _ in scythe.list_identifiers(metadata_prefix="oai_dc", set_=spec))
                == wanted
            )
        assert stats.by_territory["CA-NB"] == db.count_states(StateFilter(territory="CA-NB"))
        all_headers = sum(1 for _ in scythe.list_identifiers(metadata_prefix="oai_dc"))
        assert all_headers == db.count()


def test_edm_records_pass_europeanas_xsd_and_schematron(five: Path, five_url: str) -> None:
    validator = Validator(Standards.find())
    response = httpx.get(
        five_url, params={"verb": "ListRecords", "metadataPrefix": "edm", "set": "type:Book"}
    )
    doc = etree.fromstring(response.content)
    records = doc.findall(f"{OAI}ListRecords/{OAI}record")
    assert len(records) == 200  # a full page
    for record in records[::20]:
        rdf = record.find(f"{OAI}metadata")[0]  # type: ignore[index]
        assert validator.edm(etree.tostring(rdf)) == []


def _error_codes(response: httpx.Response, schema: Schemas) -> list[str]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    doc = _valid(schema, response.content)
    return [e.get("code", "") for e in doc.iter(f"{OAI}error")]


def test_the_validators_bad_requests_each_get_the_expected_error(
    five: Path, five_url: str, schema: Schemas
) -> None:
    config = OaiConfig.from_settings()
    with SqliteCatalogue(five, read_only=True) as db:
        record_id = config.identifier(db.work_states(limit=1)[0].id)
        earliest = db.changes(0, 1)[0].at
    too_early = f"{int(earliest[:4]) - 1}{earliest[4:10]}"
    # zimeon/oaipmh-validator, test_expected_errors: (query, the codes it accepts).
    lr = "verb=ListRecords&metadataPrefix=oai_dc"
    nowhere = "identifier=oai:lanterne.localhost:nowhere:1"
    requests = [
        ("junk", {"badVerb"}),
        ("verb=junk", {"badVerb"}),
        ("verb=GetRecord&metadataPrefix=oai_dc", {"badArgument"}),
        (f"verb=GetRecord&identifier={record_id}", {"badArgument"}),
        ('verb=GetRecord&identifier=invalid"id&metadataPrefix=oai_dc',
         {"badArgument", "idDoesNotExist"}),
        ("verb=ListIdentifiers&until=junk", {"badArgument"}),
        ("verb=ListIdentifiers&from=junk", {"badArgument"}),
        ("verb=ListIdentifiers&resumptionToken=junk&until=2000-02-05", {"badArgument"}),
        (f"{lr}&from=junk", {"badArgument"}),
        ("verb=ListRecords&resumptionToken=junk", {"badResumptionToken"}),
        (f"{lr}&resumptionToken=junk&until=1990-01-10", {"badArgument"}),
        (f"{lr}&until=junk", {"badArgument"}),
        ("verb=ListRecords", {"badArgument"}),
        # test_expected_v2_errors
        (f"{lr}&from=2002-02-05&until=2002-02-06T05:35:00Z", {"badArgument"}),
        (f"{lr}&until={too_early}", {"noRecordsMatch"}),
        # The rest of section 3.6.
        ("verb=Identify&verb=Identify", {"badVerb"}),
        ("", {"badVerb"}),
        ("verb=Identify&set=source", {"badArgument"}),
        (f"{lr}&metadataPrefix=edm", {"badArgument"}),
        (f"{lr}&from=2024-02-30", {"badArgument"}),
        (f"{lr}&from=2024-02-02&until=2024-02-01", {"badArgument"}),
        (f"{lr}&set=a%20b", {"badArgument"}),
        ("verb=ListRecords&metadataPrefix=marc21", {"cannotDisseminateFormat"}),
        (f"verb=GetRecord&identifier={record_id}&metadataPrefix=marc21",
         {"cannotDisseminateFormat"}),
        (f"verb=GetRecord&{nowhere}&metadataPrefix=oai_dc", {"idDoesNotExist"}),
        (f"verb=ListMetadataFormats&{nowhere}", {"idDoesNotExist"}),
        (f"{lr}&set=source:nowhere", {"noRecordsMatch"}),
        (f"{lr}&from=2999-01-01", {"noRecordsMatch"}),
        ("verb=ListSets&resumptionToken=junk", {"badResumptionToken"}),
        (f"{lr}&from=2024-01-01%00", {"badArgument"}),
    ]  # fmt: skip
    for query, accepted in requests:
        codes = _error_codes(httpx.get(f"{five_url}?{query}"), schema)
        assert set(codes) & accepted, (query, codes)
        # The POST variant of every request answers the same.
        posted = httpx.post(
            five_url,
            content=query.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert _error_codes(posted, schema) == codes, query


def test_nothing_invalid_is_echoed_in_the_request_element(five_url: str, schema: Schemas) -> None:
    bad = httpx.get(
        five_url, params={"verb": "GetRecord", "identifier": 'x"<y', "metadataPrefix": "oai_dc"}
    )
    doc = _valid(schema, bad.content)
    request = doc.find(f"{OAI}request")
    assert request is not None and "identifier" not in request.attrib
    assert request.attrib == {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
    assert request.text == five_url
    # After badArgument, the base URL alone.
    wrong = httpx.get(
        five_url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "junk"}
    )
    request = _valid(schema, wrong.content).find(f"{OAI}request")
    assert request is not None and request.attrib == {}


def test_tampered_and_foreign_tokens_are_bad_resumption_tokens(
    five_url: str, schema: Schemas
) -> None:
    first = httpx.get(five_url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = _valid(schema, first.content).findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    assert token
    payload, _, digest = token.partition(".")
    fields = msgspec.json.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields[6] = 0  # the position reached: back to the start, under the old digest
    forged = base64.urlsafe_b64encode(msgspec.json.encode(fields)).rstrip(b"=").decode()
    forged += "." + digest
    for bad in (forged, token[:-2], token + "x", "x" + token, "...", token.replace(".", "")):
        answer = httpx.get(five_url, params={"verb": "ListIdentifiers", "resumptionToken": bad})
        assert _error_codes(answer, schema) == ["badResumptionToken"], bad
    # A ListIdentifiers token is not a ListRecords one.
    other = httpx.get(five_url, params={"verb": "ListRecords", "resumptionToken": token})
    assert _error_codes(other, schema) == ["badResumptionToken"]
    # The good one goes on, again and again (idempotent).
    again = [
        httpx.get(five_url, params={"verb": "ListIdentifiers", "resumptionToken": token})
        for _ in range(2)
    ]
    assert (
        again[0].content.split(b"</responseDate>")[1]
        == again[1].content.split(b"</responseDate>")[1]
    )


def test_identify_and_metadata_formats(five: Path, five_url: str, schema: Schemas) -> None:
    from sickle import Sickle

    harvester = Sickle(five_url)
    identify = harvester.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.baseURL == five_url
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    with SqliteCatalogue(five, read_only=True) as db:
        assert identify.earliestDatestamp == db.changes(0, 1)[0].at[:19] + "Z"
        festival = next(iter(db.iter_works("festivals-france")))
        book = next(
            w for w in db.iter_works("goodbooks") if not edm_problems(w, EdmOptions(rights=RIGHTS))
        )
    _valid(schema, httpx.post(five_url, data={"verb": "Identify"}).content)
    assert {f.metadataPrefix for f in harvester.ListMetadataFormats()} == {"oai_dc", "edm"}
    config = OaiConfig.from_settings()
    # A festival cannot be an EDM record: only oai_dc for it, and GetRecord says so.
    formats = harvester.ListMetadataFormats(identifier=config.identifier(festival.id))
    assert [f.metadataPrefix for f in formats] == ["oai_dc"]
    refused = httpx.get(
        five_url,
        params={
            "verb": "GetRecord",
            "metadataPrefix": "edm",
            "identifier": config.identifier(festival.id),
        },
    )
    assert _error_codes(refused, schema) == ["cannotDisseminateFormat"]
    record = harvester.GetRecord(identifier=config.identifier(book.id), metadataPrefix="edm")
    assert record.header.identifier == config.identifier(book.id)
    posted = httpx.post(
        five_url,
        data={
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": config.identifier(festival.id),
        },
    )
    assert festival.title in _valid(schema, posted.content).findtext(
        ".//{http://purl.org/dc/elements/1.1/}title", ""
    )


def _export(lines: list[str], path: Path) -> None:
    path.write_text("".join(lines), "utf-8")


def test_incremental_harvest_after_a_sync_gives_the_deleted_and_the_changed(
    tmp_path: Path, schema: Schemas
) -> None:
    """A real export cut to 40 festivals, harvested with 7 records a page; then a smaller export
    (two festivals gone, one renamed) imported with --sync: a harvest ``from`` the first one's
    responseDate gives exactly those three, the two as deleted, GetRecord too."""

    source = DATA / "festivals-france" / "festivals-global-festivals-_-pl.csv"
    lines = source.read_text("utf-8-sig").splitlines(keepends=True)[:41]
    export = tmp_path / "festivals.csv"
    _export(lines, export)
    profile = load_mapping_profile("festivals-france")
    catalogue = tmp_path / "c.sqlite"
    with SqliteCatalogue(catalogue) as db:
        ingest(db, export, profile, IngestOptions(workers=0))
        ids = [s.id for s in db.work_states()]
    time.sleep(1.1)  # datestamps have seconds: the import's second is over
    with _server(catalogue, oai_records_page_max="7", oai_identifiers_page_max="5") as url:
        seen: list[int] = []
        sickle = _checked_sickle(url, schema, seen)
        identify = httpx.get(url, params={"verb": "Identify"})
        started = _valid(schema, identify.content).findtext(f"{OAI}responseDate")
        assert started
        first = list(sickle.ListRecords(metadataPrefix="oai_dc"))
        config = OaiConfig.from_settings()
        assert [r.header.identifier for r in first] == [config.identifier(i) for i in ids]
        assert len(seen) == (len(ids) + 6) // 7  # every page validated
        tokens = httpx.get(url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        first_page = etree.fromstring(tokens.content)
        resumption = first_page.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        assert resumption is not None
        assert (
            resumption.get("completeListSize") == str(len(ids)) and resumption.get("cursor") == "0"
        )

        renamed = lines[1].split(";")
        renamed[0] = "Festival Zyxwvutsrqp"
        _export([lines[0], ";".join(renamed), *lines[4:]], export)  # lines 2 and 3 gone
        with SqliteCatalogue(catalogue) as db:
            done = ingest(db, export, profile, IngestOptions(workers=0, sync=True))
            assert (done.deleted, done.updated) == (2, 1)
            gone = {s.id for s in db.work_states() if s.deleted}
            changed = {c.work_id for c in db.changes() if c.kind == "updated"}
        later = list(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": started}))
        assert {r.header.identifier for r in later if r.header.deleted} == {
            config.identifier(i) for i in gone
        }
        assert {r.header.identifier for r in later if not r.header.deleted} == {
            config.identifier(i) for i in changed
        }
        kept = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
        assert len(kept) == len(ids) - 2
        # Persistent deletion: GetRecord of a deleted work is its header, status="deleted".
        deleted = httpx.get(
            url,
            params={
                "verb": "GetRecord",
                "metadataPrefix": "edm",
                "identifier": config.identifier(sorted(gone)[0]),
            },
        )
        doc = _valid(schema, deleted.content)
        header = doc.find(f"{OAI}GetRecord/{OAI}record/{OAI}header")
        assert header is not None and header.get("status") == "deleted"
        assert doc.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata") is None
        # The last page: an empty token with the list's size and cursor.
        pages = 0
        token: str | None = None
        while True:
            params = (
                {"verb": "ListIdentifiers", "resumptionToken": token}
                if token
                else {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
            )
            page = _valid(schema, httpx.get(url, params=params).content)
            pages += 1
            resumption = page.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
            assert resumption is not None
            token = resumption.text
            if not token:
                break
        assert pages == (len(ids) + 4) // 5
        assert resumption.get("completeListSize") == str(len(ids))
        assert resumption.get("cursor") == str((pages - 1) * 5)


def test_a_token_survives_a_restart_and_a_concurrent_import(
    tmp_path: Path, schema: Schemas
) -> None:
    source = DATA / "festivals-france" / "festivals-global-festivals-_-pl.csv"
    lines = source.read_text("utf-8-sig").splitlines(keepends=True)
    export = tmp_path / "festivals.csv"
    _export(lines[:31], export)
    profile = load_mapping_profile("festivals-france")
    catalogue = tmp_path / "c.sqlite"
    with SqliteCatalogue(catalogue) as db:
        ingest(db, export, profile, IngestOptions(workers=0))
        before = [s.id for s in db.work_states()]
    time.sleep(0.01)
    with _server(catalogue, oai_identifiers_page_max="10", oai_secret="s3cret") as url:
        page = _valid(
            schema,
            httpx.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content,
        )
        token = page.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
        assert token
    _export(lines[:61], export)  # 30 more festivals meanwhile
    with SqliteCatalogue(catalogue) as db:
        ingest(db, export, profile, IngestOptions(workers=0))
    with _server(catalogue, oai_identifiers_page_max="10", oai_secret="s3cret") as url:
        seen: list[int] = []
        rest: list[str] = []
        while token:
            page = _valid(
                schema,
                httpx.get(
                    url, params={"verb": "ListIdentifiers", "resumptionToken": token}
                ).content,
            )
            seen.append(1)
            rest += [h.text or "" for h in page.iter(f"{OAI}identifier")]
            token = page.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
        config = OaiConfig.from_settings()
        # The list stays the catalogue as it was: the new works wait for the next harvest.
        assert rest == [config.identifier(i) for i in before[10:]]
    with _server(catalogue, oai_identifiers_page_max="10", oai_secret="other") as url:
        page = _valid(
            schema,
            httpx.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content,
        )
        token = page.findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
    with _server(catalogue, oai_identifiers_page_max="10", oai_secret="s3cret") as url:
        answer = httpx.get(url, params={"verb": "ListIdentifiers", "resumptionToken": token})
        assert _error_codes(answer, schema) == ["badResumptionToken"]  # another key's token


def test_an_empty_catalogue_has_no_sets_and_no_records(tmp_path: Path, schema: Schemas) -> None:
    catalogue = tmp_path / "c.sqlite"
    SqliteCatalogue(catalogue).close()
    with _server(catalogue) as url:
        assert _error_codes(httpx.get(url, params={"verb": "ListSets"}), schema) == [
            "noSetHierarchy"
        ]
        listed = httpx.get(url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        assert _error_codes(listed, schema) == ["noRecordsMatch"]
        with_set = httpx.get(
            url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "type"}
        )
        assert _error_codes(with_set, schema) == ["noSetHierarchy"]
        identify = _valid(schema, httpx.get(url, params={"verb": "Identify"}).content)
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", identify.findtext(f".//{OAI}earliestDatestamp", "")
        )


def test_settings_name_the_repository(tmp_path: Path, schema: Schemas) -> None:
    catalogue = tmp_path / "fonds.sqlite"
    SqliteCatalogue(catalogue).close()
    env = {
        "oai_repository_name": "Fonds « Été »",
        "oai_admin_email": "oai@exemple.fr",
        "base_uri": "https://data.exemple.fr/",
    }
    with _server(catalogue, **env) as url:
        doc = _valid(schema, httpx.get(url, params={"verb": "Identify"}).content)
    assert doc.findtext(f".//{OAI}repositoryName") == "Fonds « Été »"
    assert doc.findtext(f".//{OAI}adminEmail") == "oai@exemple.fr"
    ident = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    assert doc.findtext(f".//{ident}repositoryIdentifier") == "data.exemple.fr"
    with _server(catalogue) as url:
        doc = _valid(schema, httpx.get(url, params={"verb": "Identify"}).content)
    assert doc.findtext(f".//{OAI}repositoryName") == "Lanterne — fonds"


def _set_specs(url: str, schema: Schemas) -> list[str]:
    doc = _valid(schema, httpx.get(url, params={"verb": "ListSets"}).content)
    return [s.text or "" for s in doc.iter(f"{OAI}setSpec")]


def _scanned_specs(catalogue: Path) -> list[str]:
    """The setSpecs ListSets must give, from a scan of every work (``stats``)."""
    with SqliteCatalogue(catalogue, read_only=True) as db:
        stats = db.stats()
    specs = ["source", "type", "territory"]
    specs += [f"source:{s}" for s in sorted(stats.by_source)]
    specs += [f"type:{t}" for t in sorted(stats.by_type)]
    specs += [
        f"territory:{c}" for c in sorted(stats.by_territory) if re.fullmatch(r"[A-Z]{2}-\w+", c)
    ]
    return specs


def test_list_sets_after_an_import_adds_a_source_a_type_and_a_territory(
    tmp_path: Path, schema: Schemas
) -> None:
    """ListSets reads the counts the catalogue keeps as it stores works (no scan of every work):
    a later import's new source, types and territories are listed by the server already running,
    as a scan would list them."""
    catalogue = tmp_path / "c.sqlite"
    festivals = tmp_path / "festivals.csv"
    source = DATA / "festivals-france" / "festivals-global-festivals-_-pl.csv"
    _export(source.read_text("utf-8-sig").splitlines(keepends=True)[:31], festivals)
    with SqliteCatalogue(catalogue) as db:
        ingest(db, festivals, load_mapping_profile("festivals-france"), IngestOptions(workers=0))
    with _server(catalogue) as url:
        before = _set_specs(url, schema)
        assert before == _scanned_specs(catalogue)
        with SqliteCatalogue(catalogue) as db:
            ingest(
                db,
                DATA / "scenes-francophones-events",
                load_mapping_profile("scenes-francophones-events"),
                IngestOptions(workers=0),
            )
        after = _set_specs(url, schema)
    assert after == _scanned_specs(catalogue)
    new = set(after) - set(before)
    assert {s.split(":")[0] for s in new} >= {"source", "type", "territory"}, new


def _without_date(body: bytes) -> bytes:
    return re.sub(rb"<responseDate>[^<]*</responseDate>", b"", body, count=1)


def test_pages_written_ahead_are_the_answers_written_on_demand(five: Path, five_url: str) -> None:
    """The server writes the next page of a list while the harvester reads the last one: what it
    serves is byte for byte what ``respond`` writes for that token (but the responseDate)."""
    from lanterne.publish import respond

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANTERNE_EDM_RIGHTS", RIGHTS)
        patch.setenv("LANTERNE_OAI_RECORDS_PAGE_MAX", "200")
        config = OaiConfig.from_settings(five.stem)
    params = {"verb": "ListRecords", "metadataPrefix": "edm"}
    pages = 0
    with SqliteCatalogue(five, read_only=True) as db:
        while pages < 6:
            served = httpx.get(five_url, params=params, timeout=120).content
            if "resumptionToken" in params:  # the first page's token holds the time it began
                written = respond(db, list(params.items()), config, five_url)
                assert _without_date(served) == _without_date(written)
            pages += 1
            token = re.search(rb"<resumptionToken[^>]*>([^<]+)<", served)
            if token is None:
                break
            params = {"verb": "ListRecords", "resumptionToken": token.group(1).decode()}
            time.sleep(0.05)  # the harvester reads the page: the next one is written meanwhile
    assert pages == 6


def test_a_page_written_ahead_is_not_served_once_an_import_changed_the_catalogue(
    tmp_path: Path, schema: Schemas
) -> None:
    """Page 2 was written ahead when page 1 went out; then an import deleted three of its works:
    page 2 must leave them out (changed after the list began), as a page written then would."""
    source = DATA / "festivals-france" / "festivals-global-festivals-_-pl.csv"
    lines = source.read_text("utf-8-sig").splitlines(keepends=True)
    export = tmp_path / "festivals.csv"
    _export(lines[:31], export)
    profile = load_mapping_profile("festivals-france")
    catalogue = tmp_path / "c.sqlite"
    with SqliteCatalogue(catalogue) as db:
        ingest(db, export, profile, IngestOptions(workers=0))
        ids = [s.id for s in db.work_states()]
    time.sleep(0.01)
    with _server(catalogue, oai_identifiers_page_max="10") as url:
        first = httpx.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
        token = _valid(schema, first.content).findtext(f"{OAI}ListIdentifiers/{OAI}resumptionToken")
        assert token
        time.sleep(0.5)  # page 2 is written ahead meanwhile
        _export([*lines[:11], *lines[14:31]], export)  # the works of page 2's first 3 lines gone
        with SqliteCatalogue(catalogue) as db:
            assert ingest(db, export, profile, IngestOptions(workers=0, sync=True)).deleted == 3
        second = httpx.get(url, params={"verb": "ListIdentifiers", "resumptionToken": token})
        page = _valid(schema, second.content)
    config = OaiConfig.from_settings()
    got = [h.text for h in page.iter(f"{OAI}identifier")]
    assert got == [config.identifier(i) for i in ids[13:23]]  # a full page of 10 still
