"""The OAI-PMH harvester against an independent server (pyoai's ``oaipmh.server`` under wsgiref,
serving records built here) and against Lanterne's own ``/oai`` (uvicorn), over loopback: all
records, deletions as tombstones, incremental harvests, resumption after a SIGKILL mid-harvest;
retries, bounds, hostile XML, and the real responses of ../shared/standards/oai-pmh."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.parse
import warnings
import wsgiref.simple_server
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from lxml import etree

from lanterne.catalogue import SqliteCatalogue
from lanterne.errors import HarvestFailed
from lanterne.ingest import HarvestOptions, harvest, ingest, load_mapping_profile
from lanterne.ingest._oai_client import Unreadable, parse_answer
from lanterne.profile import work_id
from lanterne.settings import HarvestLimits

ROOT = Path(__file__).resolve().parents[1]
RESPONSES = ROOT.parent / "shared" / "standards" / "oai-pmh" / "responses"
MARC = ROOT.parent / "shared" / "standards" / "marc"
FAST = HarvestLimits(retries_max=3, backoff_ms=1, timeout_max=10)
OAI = "http://www.openarchives.org/OAI/2.0/"


# An independent server: pyoai's ------------------------------------------------------------


class Item:
    def __init__(self, number: int, title: str, deleted: bool = False) -> None:
        self.identifier = f"oai:test.example:{number}"
        self.title = title
        self.deleted = deleted
        self.stamp = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=number)


class Repository:
    """The IBatchingOAI interface pyoai's ``BatchingServer`` pages."""

    def __init__(self, items: list[Item], url: str) -> None:
        self.items = items
        self.url = url

    def identify(self) -> Any:
        from oaipmh import common

        return common.Identify(
            repositoryName="Dépôt d'essai",
            baseURL=self.url,
            protocolVersion="2.0",
            adminEmails=["admin@test.example"],
            earliestDatestamp=dt.datetime(2024, 1, 1),
            deletedRecord="persistent",
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI + "oai_dc/")]

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: dt.datetime | None = None,
        until: dt.datetime | None = None,
        cursor: int = 0,
        batch_size: int = 10,
    ) -> list[tuple[Any, Any, None]]:
        from oaipmh import common, error

        chosen = [i for i in self.items if from_ is None or i.stamp >= from_]
        if not chosen:
            raise error.NoRecordsMatchError("rien")
        out = []
        for i in chosen[cursor : cursor + batch_size]:
            header = common.Header(None, i.identifier, i.stamp, [], i.deleted)
            fields = {
                "title": [i.title],
                "creator": ["Roy, Gabrielle"],
                "language": ["fr"],
                "date": ["1945"],
                "type": ["Text"],
            }
            metadata = None if i.deleted else common.Metadata(None, fields)
            out.append((header, metadata, None))
        return out


class PyoaiServer:
    """pyoai's server on a wsgiref loopback port, in a thread; logs the requests it gets and can
    hold one (``hold_at``: the n-th ListRecords waits until ``release``)."""

    def __init__(self, items: list[Item], page: int = 3) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # pyoai imports ``cgi``
            from oaipmh import metadata, server
        # pyoai 2.5 decodes its tokens with ``cgi.parse_qs``, gone since Python 3.8: the function
        # it meant, so its resumption tokens work.
        server.cgi = types.SimpleNamespace(parse_qs=urllib.parse.parse_qs)
        registry = metadata.MetadataRegistry()
        registry.registerWriter("oai_dc", server.oai_dc_writer)
        self.repository = Repository(items, "")
        self.server = server.BatchingServer(self.repository, registry, resumption_batch_size=page)
        self.requests: list[dict[str, str]] = []
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.fail: list[int] = []
        """HTTP statuses to answer before serving (one per request)."""
        self.httpd = wsgiref.simple_server.make_server(
            "127.0.0.1", 0, self.app, handler_class=_Quiet
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/oai"
        self.repository.url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def app(self, environ: dict[str, Any], start: Callable[..., Any]) -> list[bytes]:
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        self.requests.append(query)
        if self.fail:
            status = self.fail.pop(0)
            start(f"{status} Unavailable", [("Retry-After", "0")])
            return [b""]
        listed = [r for r in self.requests if r.get("verb") == "ListRecords"]
        if query.get("verb") == "ListRecords" and len(listed) == self.hold_at:
            self.held.set()
            self.release.wait(30)
        body = self.server.handleRequest(query)
        start("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body if isinstance(body, bytes) else body.encode("utf-8")]

    def listed(self) -> list[dict[str, str]]:
        return [r for r in self.requests if r.get("verb") == "ListRecords"]

    def __enter__(self) -> PyoaiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _items(count: int, deleted: tuple[int, ...] = ()) -> list[Item]:
    return [Item(n, f"Bonheur d'occasion, tome {n}", n in deleted) for n in range(1, count + 1)]


def _harvest(
    catalogue: SqliteCatalogue, url: str, prefix: str = "oai_dc", profile: str = "oai-dc", **kw: Any
) -> Any:
    options = HarvestOptions(limits=kw.pop("limits", FAST), **kw)
    return harvest(catalogue, url, prefix, load_mapping_profile(profile), options)


def test_harvest_from_pyoai_all_pages_deletions_and_incremental(tmp_path: Path) -> None:
    items = _items(8, deleted=(8,))
    with PyoaiServer(items, page=3) as server, SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        summary, state = _harvest(cat, server.url)
        # 8 records on 3 pages (3 + 3 + 2); 7 live, 1 listed deleted (never stored here).
        assert (state.pages, summary.read, summary.created, state.tombstones) == (3, 7, 7, 1)
        assert summary.read == summary.stored + summary.quarantined
        assert (state.granularity, state.deleted_record) == ("YYYY-MM-DDThh:mm:ssZ", "persistent")
        assert server.requests[0]["verb"] == "Identify"
        work = cat.get(work_id("oai", "oai:test.example:3"))
        assert work is not None
        assert work.titles[0].value == "Bonheur d'occasion, tome 3"
        assert [(c.agent.name, c.role.value) for c in work.contributors] == [
            ("Roy, Gabrielle", "creator")
        ]
        assert work.in_languages == ["fr"]
        assert work.provenance.source_id == "oai:test.example:3"
        # The repository deletes record 2 and changes record 5 after the first harvest.
        items[1].deleted = True
        items[4].title = "Bonheur d'occasion, tome cinq"
        for item in (items[1], items[4]):
            item.stamp = dt.datetime(2030, 1, 1)
        server.requests.clear()
        summary, state = _harvest(cat, server.url)
        # Incremental: from the first harvest's first answer date; only the two changed records.
        assert server.listed()[0]["from"] == state.from_
        assert (summary.read, summary.updated, summary.deleted) == (1, 1, 1)
        assert cat.get(work_id("oai", "oai:test.example:2")) is None
        gone = cat.work_state(work_id("oai", "oai:test.example:2"))
        assert gone is not None and gone.deleted
        assert [c.kind for c in cat.changes(limit=100)].count("deleted") == 1
        assert cat.count("oai") == 6


def test_resumes_after_sigkill_mid_harvest(tmp_path: Path) -> None:
    with PyoaiServer(_items(10, deleted=(4,)), page=3) as server:
        server.hold_at = 3  # the third page waits: pages 1 and 2 are committed by then
        env = {k: v for k, v in os.environ.items() if k != "LANTERNE_CATALOGUE"}
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lanterne",
                "--catalogue",
                str(tmp_path / "c.sqlite"),
                "harvest",
                server.url,
                "--profile",
                "oai-dc",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.held.wait(60), "the harvest never asked for its third page"
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
        assert child.returncode == -signal.SIGKILL
        server.release.set()
        third = server.listed()[2]["resumptionToken"]
        with SqliteCatalogue(tmp_path / "c.sqlite") as cat:
            (killed,) = cat.runs(source="oai")
            assert killed.status == "running"  # nobody finished it: it was killed
            assert killed.summary["harvest"]["token"] == third  # type: ignore[index]
            assert killed.summary["read"] == 5  # pages 1 and 2: six records, one deleted
            server.requests.clear()
            server.hold_at = None
            summary, state = _harvest(cat, server.url)
            # On from the third page, not from the start.
            assert state.resumed
            assert server.listed()[0] == {"verb": "ListRecords", "resumptionToken": third}
            # Pages 3 and 4 (records 7 to 10), numbered on from the killed run's two.
            assert (state.pages, summary.read) == (4, 4)
            assert cat.count("oai") == 9
            runs = cat.runs(source="oai")
            assert [r.status for r in runs] == ["completed", "interrupted"]


def test_a_harvest_stopped_by_its_bound_resumes_where_it_stopped(tmp_path: Path) -> None:
    with PyoaiServer(_items(8), page=3) as server, SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        bounded = HarvestLimits(requests_max=3, retries_max=0, backoff_ms=1)
        with pytest.raises(HarvestFailed) as stopped:
            _harvest(cat, server.url, limits=bounded)  # Identify and two pages, then the bound
        assert stopped.value.key == "harvest.bounded"
        (run,) = cat.runs(source="oai")
        assert run.status == "interrupted" and run.summary["read"] == 6
        assert cat.count("oai") == 6
        summary, state = _harvest(cat, server.url)
        assert state.resumed and (state.pages, summary.read) == (3, 2)
        assert cat.count("oai") == 8


def test_an_expired_token_restarts_the_list(tmp_path: Path) -> None:
    with PyoaiServer(_items(4), page=2) as server, SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        run = cat.begin_run("oai", "oai-dc", [server.url]).id
        state = {"url": server.url, "prefix": "oai_dc", "set": None, "token": "stale", "pages": 1}
        cat.finish_run(run, "interrupted", {"harvest": state})
        summary, done = _harvest(cat, server.url)
        assert [r.get("resumptionToken") for r in server.listed()][:2] == ["stale", None]
        assert summary.created == 4 and not done.resumed


def test_retries_on_503_and_network_errors_then_bounds(tmp_path: Path) -> None:
    with PyoaiServer(_items(4), page=2) as server, SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        server.fail = [503, 503]
        summary, state = _harvest(cat, server.url)
        assert state.retries == 2 and summary.created == 4
        # A server that answers only 503: the retries run out, and it says so.
        server.fail = [503] * 10
        with pytest.raises(HarvestFailed) as failed:
            _harvest(cat, server.url, full=True)
        assert failed.value.key == "harvest.unreachable"
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, content=_identify() if "Identify" in str(request.url) else b"")

    with SqliteCatalogue(tmp_path / "d.sqlite") as cat, pytest.raises(HarvestFailed) as bounded:
        limits = HarvestLimits(requests_max=2, retries_max=3, backoff_ms=1)
        profile = load_mapping_profile("oai-dc")
        harvest(
            cat,
            "http://127.0.0.1:9/oai",
            "oai_dc",
            profile,
            HarvestOptions(limits=limits),
            transport=httpx.MockTransport(flaky),
        )
    # A connection refused, then Identify: the third request is over the bound of two.
    assert bounded.value.key == "harvest.bounded"
    assert "LANTERNE_HARVEST_REQUESTS_MAX" in bounded.value.message("fr")


def _identify() -> bytes:
    return f"""<?xml version="1.0"?><OAI-PMH xmlns="{OAI}"><responseDate>2026-01-01T00:00:00Z</responseDate>
<request verb="Identify">http://127.0.0.1:9/oai</request><Identify><repositoryName>R</repositoryName>
<baseURL>http://127.0.0.1:9/oai</baseURL><protocolVersion>2.0</protocolVersion>
<adminEmail>a@b.c</adminEmail><earliestDatestamp>2020-01-01</earliestDatestamp>
<deletedRecord>transient</deletedRecord><granularity>YYYY-MM-DD</granularity></Identify></OAI-PMH>""".encode()  # noqa: E501


def _dc_record(number: int, title: str) -> str:
    return (
        f"<record><header><identifier>oai:x:{number}</identifier>"
        "<datestamp>2026-01-01</datestamp></header><metadata>"
        f'<oai_dc:dc xmlns:oai_dc="{OAI}oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{title}</dc:title></oai_dc:dc></metadata></record>"
    )


def _pages(pages: dict[str, bytes]) -> httpx.MockTransport:
    """Answers by request: Identify, then the ListRecords page its token names (``""``: first)."""

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if params.get("verb") == "Identify":
            return httpx.Response(200, content=_identify())
        return httpx.Response(200, content=pages[params.get("resumptionToken", "")])

    return httpx.MockTransport(answer)


def _list(records: str, token: str = "", doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<OAI-PMH xmlns="{OAI}">'
        "<responseDate>2026-01-01T00:00:00Z</responseDate><request>x</request>"
        f"<ListRecords>{records}<resumptionToken>{token}</resumptionToken></ListRecords>"
        "</OAI-PMH>"
    ).encode()


def test_xml_bomb_and_external_entity_are_quarantined_and_the_harvest_goes_on(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE")
    doctype = (
        '<!DOCTYPE OAI-PMH [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        f'<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'
    )
    records = _dc_record(1, "&d;&d;&d;") + _dc_record(2, "&secret;") + _dc_record(3, "Kamouraska")
    transport = _pages({"": _list(records, doctype=doctype)})
    with SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        profile = load_mapping_profile("oai-dc")
        options = HarvestOptions(limits=FAST)
        summary, _ = harvest(cat, "http://x.test/oai", "oai_dc", profile, options, transport)
        assert (summary.read, summary.created, summary.quarantined) == (3, 1, 2)
        entries = {q.record_key: q for q in cat.quarantine()}
        assert set(entries) == {"oai:x:1", "oai:x:2"}
        assert "entité XML non développée (&d;)" in entries["oai:x:1"].message
        assert all("MOT-DE-PASSE" not in q.raw for q in entries.values())
        assert "aaaaaaaaaa" * 10 not in entries["oai:x:1"].raw  # never expanded
        assert [t.value for w in cat.iter_works() for t in w.titles] == ["Kamouraska"]


def test_a_page_that_is_not_xml_is_quarantined_and_its_token_followed(tmp_path: Path) -> None:
    broken = _list(_dc_record(2, "Maria Chapdelaine"), token="p3").replace(b"</header>", b"")
    pages = {
        "": _list(_dc_record(1, "Les Anciens Canadiens"), token="p2"),
        "p2": broken,
        "p3": _list(_dc_record(3, "Trente arpents")),
    }
    with SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        profile = load_mapping_profile("oai-dc")
        summary, state = harvest(
            cat, "http://x.test/oai", "oai_dc", profile, HarvestOptions(limits=FAST), _pages(pages)
        )
        assert (state.pages, summary.created, summary.quarantined) == (3, 2, 1)
        (entry,) = cat.quarantine()
        assert entry.line == 2 and entry.params["id"] == "page 2"


def test_marcxml_records_through_the_marc21_profile(tmp_path: Path) -> None:
    if not MARC.is_dir():
        pytest.skip(f"the MARC records are not at {MARC}")
    collection = etree.parse(str(MARC / "pymarc" / "utf8.xml")).getroot()
    record = etree.tostring(collection[0], encoding="unicode")  # one marc:record
    item = (
        "<record><header><identifier>oai:lib:42</identifier><datestamp>2026-01-01</datestamp>"
        f"</header><metadata>{record}</metadata></record>"
    )
    with SqliteCatalogue(tmp_path / "c.sqlite") as cat:
        profile = load_mapping_profile("marc21")
        summary, _ = harvest(
            cat, "http://x.test/oai", "marcxml", profile, HarvestOptions(limits=FAST),
            _pages({"": _list(item)}),
        )  # fmt: skip
        assert summary.created == 1
        work = cat.get(work_id("marc21", "oai:lib:42"))
        assert work is not None and work.titles[0].value == "Zen Classics"
        with pytest.raises(Exception, match="oai_dc"):
            _harvest(cat, "http://x.test/oai", "oai_dc", "marc21")


# Lanterne's own provider -----------------------------------------------------------------


@contextlib.contextmanager
def _lanterne_oai(catalogue: Path, **env: str) -> Iterator[str]:
    import uvicorn

    from lanterne.web import create_app
    from lanterne.web._site import Site

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
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/oai"
    finally:
        running.should_exit = True
        thread.join(10)


CSV = """id;titre;auteur;langue;annee;page
1;Les Belles-sœurs;Michel Tremblay;fr;1968;https://quebec.example/1
2;Kamouraska;Anne Hébert;fr;1970;https://quebec.example/2
3;Bonheur d'occasion;Gabrielle Roy;fr;1945;https://quebec.example/3
4;Agaguk;Yves Thériault;fr;1958;https://quebec.example/4
5;Les Fous de Bassan;Anne Hébert;fr;1982;https://quebec.example/5
"""
PROFILE = """name = "quebec"
version = 1
source = "quebec"
licence = "https://creativecommons.org/licenses/by/4.0/"
[reader]
format = "csv"
[record]
id = "id"
type = "Book"
[[map]]
to = "title"
from = ["titre"]
lang = "fr"
[[map]]
to = "contributor.author"
from = ["auteur"]
[[map]]
to = "in_language"
from = ["langue"]
[[map]]
to = "created"
from = ["annee"]
[[map]]
to = "url"
from = ["page"]
[[map]]
to = "rights.licence"
const = "https://creativecommons.org/licenses/by/4.0/"
"""


def test_harvest_lanterne_own_oai_in_oai_dc_and_edm_with_deletions(tmp_path: Path) -> None:
    (tmp_path / "books.csv").write_text(CSV, "utf-8")
    (tmp_path / "quebec.toml").write_text(PROFILE, "utf-8")
    published = tmp_path / "published.sqlite"
    with SqliteCatalogue(published) as source:
        ingest(source, tmp_path / "books.csv", load_mapping_profile(str(tmp_path / "quebec.toml")))
    with (
        _lanterne_oai(published, oai_records_page_max="2") as url,
        SqliteCatalogue(tmp_path / "c.sqlite") as cat,
    ):
        summary, state = _harvest(cat, url)
        assert (state.pages, summary.created, state.deleted_record) == (3, 5, "persistent")
        (hebert,) = [w for w in cat.iter_works() if w.titles[0].value == "Kamouraska"]
        assert [c.agent.name for c in hebert.contributors] == ["Anne Hébert"]
        assert hebert.created is not None and hebert.created.earliest == "1970-01-01"
        # The source deletes a work: the next harvest, incremental, makes it a tombstone here.
        with SqliteCatalogue(published) as source:
            run = source.begin_run("quebec", "quebec", []).id
            source.write_batch(run, [], delete_ids=["quebec:2"])
            source.finish_run(run, "completed", {})
        summary, state = _harvest(cat, url)
        assert state.from_ and (summary.deleted, state.tombstones) == (1, 1)
        assert cat.count("oai") == 4
        assert cat.get(hebert.id) is None
        # EDM, through the EDM crosswalk read back: the four live works.
        summary, state = _harvest(cat, url, prefix="edm", profile="oai-edm")
        assert summary.created == 4 and state.tombstones == 1
        edm = sorted(t.value for w in cat.iter_works("edm") for t in w.titles)
        assert edm == ["Agaguk", "Bonheur d'occasion", "Les Belles-sœurs", "Les Fous de Bassan"]
        # One set, into a source of its own; an empty set is no record, not an error.
        summary, state = _harvest(cat, url, set="source:quebec", source="byset")
        assert (summary.created, state.set) == (4, "source:quebec")
        assert all(w.provenance.source == "byset" for w in cat.iter_works("byset"))
        summary, state = _harvest(cat, url, set="type:Movie", source="films")
        assert (summary.read, state.done) == (0, True)


# The real responses ----------------------------------------------------------------------


needs_responses = pytest.mark.skipif(
    not RESPONSES.is_dir(), reason=f"the captured OAI-PMH responses are not at {RESPONSES}"
)


@needs_responses
@pytest.mark.parametrize(
    ("file", "records", "deleted", "token", "error"),
    [
        ("pyoai-erasmus-dspace/fake1/00005.xml", None, 0, None, ""),
        ("pyoai-erasmus-dspace/fake2/00002.xml", None, 2, None, ""),
        ("pyoai-erasmus-dspace/fake2/00000.xml", 1, 1, None, ""),
        ("pyoai-erasmus-dspace/fake1/00004.xml", 1, 0, None, ""),
        ("sickle-sample-data/ListRecords.xml", None, 1, "ListRecords2.xml", ""),
        ("sickle-sample-data/GetRecord_utf8test.xml", 1, 0, None, ""),
        ("metis-harvesting/deletedOaiRecord.xml", 1, 1, None, ""),
        ("metis-harvesting/sampleOaiRecord.xml", 1, 0, None, ""),
        ("sickle-sample-data/badResumptionToken.xml", 0, 0, None, "badResumptionToken"),
        ("sickle-sample-data/noRecordsMatch.xml", 0, 0, None, "noRecordsMatch"),
        ("sickle-sample-data/cannotDisseminateFormat.xml", 0, 0, None, "cannotDisseminateFormat"),
    ],
)
def test_real_captured_responses_parse(
    file: str, records: int | None, deleted: int, token: str | None, error: str
) -> None:
    answer = parse_answer((RESPONSES / file).read_bytes())
    assert answer.error == error
    assert answer.response_date
    if records is not None:
        assert len(answer.records) == records
    assert sum(r.deleted for r in answer.records) == deleted
    assert answer.token == token
    for record in answer.records:
        assert record.identifier and not record.problem
        assert record.deleted == (record.payload is None)


@needs_responses
def test_the_real_listrecords_pages_read_into_the_profile() -> None:
    from lanterne.ingest._harvest import _native

    answer = parse_answer((RESPONSES / "pyoai-erasmus-dspace/fake2/00002.xml").read_bytes())
    live = [r for r in answer.records if not r.deleted]
    read = [_native("oai_dc", r.payload)["@work"] for r in live]
    assert len(read) == len(answer.records) - 2 and all(w["titles"] for w in read)


@needs_responses
def test_a_response_that_is_not_well_formed_is_unreadable() -> None:
    with pytest.raises(Unreadable):
        parse_answer((RESPONSES / "pyoai-erasmus-dspace/fake3/00001.xml").read_bytes())


@needs_responses
def test_zenodo_cassettes_parse_whatever_their_status() -> None:
    seen: dict[str, int] = {}
    for cassette in sorted((RESPONSES / "oaipmh-scythe-cassettes").glob("*.yaml")):
        for interaction in yaml.safe_load(cassette.read_text("utf-8"))["interactions"]:
            found = interaction["response"]["body"]
            body = found.get("content", found.get("string", ""))
            data = body.encode("utf-8") if isinstance(body, str) else body
            try:
                answer = parse_answer(data)
            except Unreadable:
                seen["unreadable"] = seen.get("unreadable", 0) + 1
                continue
            key = answer.error or ("records" if answer.records else "other")
            seen[key] = seen.get(key, 0) + 1
            if answer.records:
                assert all(r.identifier for r in answer.records)
    # Zenodo's OAI errors come with HTTP 422, and parse as errors all the same.
    assert {"records", "badArgument", "idDoesNotExist"} <= set(seen)
