"""The OAI-PMH answers and their Dublin Core records are written as text, not as lxml trees
(src/lanterne/publish/_oai.py, ``dc_text``): that text must be exactly what lxml serialises,
escaping and namespace declarations included, for any text a work can hold."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from lanterne.catalogue import SqliteCatalogue, StoredWork
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile import (
    Agent,
    Contribution,
    LangText,
    Provenance,
    Role,
    Term,
    Title,
    Work,
    WorkType,
    encode_work,
)
from lanterne.publish import EdmOptions, OaiConfig, dc_element, respond
from lanterne.publish._dc import dc_text
from lanterne.publish._xml import clean, escape_attribute, escape_text

DEMO = Path(__file__).resolve().parents[1] / "src" / "lanterne" / "demo"
OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
RIGHTS = "http://rightsstatements.org/vocab/CNE/1.0/"
# Every character XML 1.0 holds, those escaping concerns most often.
TEXT = st.text(st.sampled_from("aé&<>\"'\r\n\t ]]>;#é\u0085\u2028🎭") | st.characters())


def _lxml_text(text: str) -> str:
    el = etree.Element("a")
    el.text = text
    return etree.tostring(el, encoding="unicode")[3:-4]


def _lxml_attribute(text: str) -> str:
    el = etree.Element("a")
    el.set("b", text)
    return etree.tostring(el, encoding="unicode")[6:-3]


@given(TEXT)
def test_escaped_text_is_what_lxml_writes(raw: str) -> None:
    text = clean(raw)
    assert escape_text(text) == _lxml_text(text)
    assert (etree.fromstring(f"<a>{escape_text(text)}</a>").text or "") == text


@given(TEXT)
def test_escaped_attribute_is_what_lxml_writes(raw: str) -> None:
    text = clean(raw)
    assert escape_attribute(text) == _lxml_attribute(text)
    assert etree.fromstring(f'<a b="{escape_attribute(text)}"/>').get("b") == text


def _in_answer(element: etree._Element) -> str:
    """``element`` as lxml writes it inside an OAI-PMH answer's root (xsi declared there)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    etree.SubElement(root, f"{{{OAI}}}metadata").append(element)
    text = etree.tostring(root, encoding="unicode")
    return text[text.index("<metadata>") + len("<metadata>") : text.rindex("</metadata>")]


def _work(
    title: str, lang: str | None, description: str, agent: str, subject: str, key: str = "1 & <2>"
) -> Work:
    return Work(
        id=f"src:{key}",
        type=WorkType.BOOK,
        titles=[Title(value=title or "t", lang=lang)],
        descriptions=[LangText(value=description, lang=lang)] if description.strip() else [],
        contributors=[Contribution(agent=Agent(name=agent or "a"), role=Role.AUTHOR)],
        subjects=[Term(label=subject or "s", lang="fr")],
        provenance=Provenance(source="src", source_id=key),
    )


@given(TEXT, st.sampled_from([None, "fr", "fr-CA", "br"]), TEXT, TEXT, TEXT)
def test_dublin_core_text_is_what_lxml_writes_in_an_answer(
    title: str, lang: str | None, description: str, agent: str, subject: str
) -> None:
    work = _work(clean(title).strip(), lang, clean(description), clean(agent), clean(subject))
    assert dc_text(work) == _in_answer(dc_element(work))


def test_dublin_core_text_of_the_demo_works_is_what_lxml_writes(tmp_path: Path) -> None:
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        for name, profile in (("festivals", "festivals-france"), ("joconde", "joconde-costumes")):
            ingest(db, DEMO / f"{name}-demo.csv", load_mapping_profile(profile), IngestOptions())
        works = list(db.iter_works())
    assert len(works) > 20
    for work in works:
        assert dc_text(work, "https://example.org/") == _in_answer(
            dc_element(work, "https://example.org/")
        ), work.id


def _stored(work: Work) -> StoredWork:
    doc = encode_work(work)
    return StoredWork(
        id=work.id,
        source=work.provenance.source,
        source_id=work.provenance.source_id,
        type=work.type.value,
        doc=doc,
        digest=hashlib.blake2b(doc, digest_size=16).digest(),
    )


@pytest.fixture
def nasty(tmp_path: Path) -> Iterator[SqliteCatalogue]:
    """A catalogue of three works with text escaping concerns, one of them deleted."""
    db = SqliteCatalogue(tmp_path / "c.sqlite")
    works = [
        _work(
            "Le « & » <b>\r\nfin", "fr", 'a "quoted"\tdescription ]]>', "Dupont & fils", "x", "0"
        ),
        _work("Deux", None, "", "B", "y", "1"),
        _work("Trois", "br", "", "C", "z", "2"),
    ]
    run = db.begin_run("src", "p", []).id
    db.write_batch(run, [_stored(w) for w in works])
    db.write_batch(run, [], delete_ids=["src:1"])
    yield db
    db.close()


REQUESTS = [
    [("verb", "Identify")],
    [("verb", "ListSets")],
    [("verb", "ListMetadataFormats"), ("identifier", "oai:lanterne.localhost:src:0")],
    [
        ("verb", "GetRecord"),
        ("identifier", "oai:lanterne.localhost:src:0"),
        ("metadataPrefix", "oai_dc"),
    ],
    [
        ("verb", "GetRecord"),
        ("identifier", "oai:lanterne.localhost:src:1"),
        ("metadataPrefix", "oai_dc"),
    ],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")],
    [("verb", "ListRecords"), ("metadataPrefix", "edm")],
    [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")],
    [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "nope:x")],
    [("verb", "Nope"), ("from", "x")],
]


@pytest.mark.parametrize("pairs", REQUESTS, ids=lambda p: "-".join(v for _, v in p))
def test_every_answer_is_what_lxml_writes_of_it(
    nasty: SqliteCatalogue, pairs: list[tuple[str, str]]
) -> None:
    config = OaiConfig(
        repository_name='Lan<te>rne & « co » "x"', page_records=2, page_identifiers=2,
        edm=EdmOptions(rights=RIGHTS),
    )  # fmt: skip
    body = respond(nasty, pairs, config, "http://x/oai?a=1&b=<2>", now=NOW)
    # lxml writes back what it parsed as it was written (declarations where they were): an
    # answer lxml would not write so, a declaration too many or an escape too few, differs.
    again = etree.tostring(etree.fromstring(body), xml_declaration=True, encoding="UTF-8")
    assert body == again
