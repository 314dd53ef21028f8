"""Links a work holds are web links: ``javascript:``, ``data:``, ``file:`` and the like never.

The profile keeps only absolute http(s) URLs in its link fields (work, offer, event, image,
licence, provenance); ingest drops any other value with a warning naming it, through the CSV
mapping and the JSON-LD reader alike; a work read from an older catalogue loses such a link
when it is read, so no page or document shows it.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from lanterne.catalogue import open_catalogue
from lanterne.errors import BadProfile
from lanterne.ingest import ingest, load_mapping_profile
from lanterne.profile import Media, Offer, Work, decode_work, encode_work, url_problem
from lanterne.web import Site, create_app
from web_helpers import Client

ATTACKS = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "//evil.example/x",
    "evil.example/x",
    "https://",
    "https://exa mple.org/",
    "https://example.org/\u202egpj.exe",
]
GOOD = ["https://example.org/a?b=c#d", "http://www.wikidata.org/entity/Q1", "HTTPS://Example.ORG"]


def _work(**fields: Any) -> Work:
    base: dict[str, Any] = {
        "id": "t:1",
        "type": "Book",
        "titles": [{"value": "Titre"}],
        "provenance": {"source": "t", "source_id": "1"},
    }
    return msgspec.convert(base | fields, Work)


@pytest.mark.parametrize("url", ATTACKS)
def test_javascript_and_other_schemes_are_not_links(url: str) -> None:
    assert url_problem(url) is not None
    work = _work(
        url=url,
        offers=[{"category": "ticket", "url": url}],
        media=[{"kind": "image", "url": url, "licence": url}, {"kind": "image", "url": GOOD[0]}],
        rights={"licence": url},
        events=[{"url": url}],
        provenance={"source": "t", "source_id": "1", "url": url, "licence": url},
    )
    assert work.url is None
    assert work.offers == [Offer(category=work.offers[0].category)]
    assert work.media == [Media(kind=work.media[0].kind, url=GOOD[0])]
    assert work.rights is None  # its only member was the link
    assert work.events[0].url is None
    assert work.provenance.url is None and work.provenance.licence is None
    # Written and read back: nothing of the attack survives.
    assert json.dumps(url)[1:-1] not in encode_work(work).decode().replace(GOOD[0], "")


@pytest.mark.parametrize("url", GOOD)
def test_http_and_https_links_are_kept(url: str) -> None:
    assert url_problem(url) is None
    work = _work(url=url, rights={"licence": url}, offers=[{"category": "ticket", "url": url}])
    assert (work.url, work.rights and work.rights.licence, work.offers[0].url) == (url,) * 3


CSV_PROFILE = """\
name = "test-links"
version = 1
source = "test-links"

[reader]
format = "csv"

[record]
id = "id"
type = "Book"

[[map]]
to = "title"
from = ["titre"]
required = true

[[map]]
to = "url"
from = ["site"]

[[map]]
to = "media.image"
from = ["image"]

[[map]]
to = "offer.url"
from = ["offre"]

[[map]]
to = "rights.licence"
from = ["licence"]

[[map]]
to = "event.url"
from = ["seance"]
"""

COLUMNS = ["site", "image", "offre", "licence", "seance"]


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "titre", *COLUMNS], delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _ingest(tmp_path: Path, name: str, text: str, profile: str) -> Any:
    profile_path = tmp_path / "p.toml"
    profile_path.write_text(profile, "utf-8")
    source = tmp_path / name
    source.write_text(text, "utf-8")
    with open_catalogue(tmp_path / "c.sqlite") as catalogue:
        summary = ingest(catalogue, source, load_mapping_profile(str(profile_path)))
        works = {w.id: w for w in catalogue.iter_works()}
    return summary, works


def test_csv_links_with_other_schemes_are_dropped_with_a_warning(tmp_path: Path) -> None:
    bad = dict.fromkeys(COLUMNS, "javascript:alert(1)") | {"image": "data:image/png;base64,AA"}
    good = dict.fromkeys(COLUMNS, "https://example.org/ok")
    rows = [{"id": "1", "titre": "Piégé", **bad}, {"id": "2", "titre": "Sain", **good}]
    summary, works = _ingest(tmp_path, "links.csv", _csv(rows), CSV_PROFILE)
    assert (summary.read, summary.created, summary.quarantined) == (2, 2, 0)
    assert summary.warnings_total == 5  # one per dropped value, none for the good row
    assert all("links.csv:2" in w for w in summary.warnings)
    assert any("javascript:alert(1)" in w and "« site »" in w for w in summary.warnings)
    assert any("data:image/png" in w and "http et https" in w for w in summary.warnings)
    trapped, sound = works["test-links:1"], works["test-links:2"]
    assert trapped.url is None and trapped.media == [] and trapped.rights is None
    assert trapped.offers == [] and trapped.events == []  # a link was all they had
    assert sound.url == "https://example.org/ok" and sound.media[0].url == sound.url
    assert sound.offers[0].url == sound.rights.licence == sound.events[0].url == sound.url  # type: ignore[union-attr]


JSONLD_PROFILE = """\
name = "test-links-ld"
version = 1
source = "test-links-ld"

[reader]
format = "jsonld"
types = ["Event"]

[record]
id = "@id"
type = "Event"
"""


def test_jsonld_links_with_other_schemes_are_dropped_with_a_warning(tmp_path: Path) -> None:
    event = {
        "@context": "https://schema.org",
        "@id": "https://example.org/e1",
        "@type": "Event",
        "name": "Piège",
        "url": " JaVaScRiPt:alert(1)",
        "image": [
            "data:text/html,<script>alert(1)</script>",
            {
                "@type": "ImageObject",
                "contentUrl": "https://example.org/i.jpg",
                "license": "file:///etc/passwd",
            },
        ],
        "license": "vbscript:msgbox(1)",
        "offers": {"@type": "Offer", "url": "java\tscript:alert(1)", "price": "0"},
    }
    summary, works = _ingest(tmp_path, "e.jsonld", json.dumps([event]), JSONLD_PROFILE)
    assert (summary.read, summary.created, summary.quarantined) == (1, 1, 0)
    assert summary.warnings_total == 5
    [work] = works.values()
    assert work.url is None and work.rights is None
    assert [(m.url, m.licence) for m in work.media] == [("https://example.org/i.jpg", None)]
    assert [(o.url, o.price) for o in work.offers] == [(None, 0)]
    assert any("vbscript" in w for w in summary.warnings)


def test_a_link_dropped_by_the_jsonld_reader_and_a_rule_is_warned_once(tmp_path: Path) -> None:
    """The node's own reading and a ``[[map]]`` rule over the same property drop the same link:
    one warning, the reader's first, then the rule's other ones."""
    rules = '[[map]]\nfrom = ["url"]\nto = "url"\n\n[[map]]\nfrom = ["sameAs"]\nto = "media.page"\n'
    event = {
        "@context": "https://schema.org",
        "@id": "https://example.org/e1",
        "@type": "Event",
        "name": "Piège",
        "url": "javascript:alert(1)",
        "sameAs": "ftp://example.org/page",
    }
    summary, works = _ingest(tmp_path, "e.jsonld", json.dumps([event]), JSONLD_PROFILE + rules)
    assert (summary.read, summary.created, summary.quarantined) == (1, 1, 0)
    assert summary.warnings_total == 2
    assert "javascript:alert(1)" in summary.warnings[0] and "ftp:" in summary.warnings[1]
    [work] = works.values()
    assert work.url is None and work.media == []


def test_old_catalogue_link_is_not_rendered_as_href(tmp_path: Path) -> None:
    good = dict.fromkeys(COLUMNS, "https://example.org/ok")
    _ingest(tmp_path, "links.csv", _csv([{"id": "1", "titre": "Ancien", **good}]), CSV_PROFILE)
    # A catalogue written before links were checked: its document holds javascript: links.
    db = sqlite3.connect(tmp_path / "c.sqlite")
    [(doc,)] = db.execute("SELECT doc FROM works").fetchall()
    text = doc.decode() if isinstance(doc, bytes) else doc
    old = text.replace("https://example.org/ok", "javascript:alert(1)")
    db.execute("UPDATE works SET doc=?", (old.encode() if isinstance(doc, bytes) else old,))
    db.commit()
    db.close()
    assert "javascript:" not in encode_work(decode_work(old)).decode()
    client = Client(create_app(Site(tmp_path / "c.sqlite")))
    page = client.get("/oeuvre/test-links:1")
    assert page.status_code == 200 and "Ancien" in page.text
    assert "javascript:" not in page.text
    assert "javascript:" not in client.get("/api/works/test-links:1").text


def test_profile_whose_licence_is_a_javascript_link_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        CSV_PROFILE.replace(
            'source = "test-links"', 'source = "test-links"\nlicence = "javascript:alert(1)"'
        ),
        "utf-8",
    )
    with pytest.raises(BadProfile) as raised:
        load_mapping_profile(str(path))
    assert "javascript:alert(1)" in raised.value.message("fr")
    assert "http et https" in raised.value.message("fr")
