"""XML as the publishing formats need it: namespaces, a safe parser, text XML 1.0 can carry."""

from __future__ import annotations

import re

from lxml import etree

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "wgs84_pos": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    # https: Europeana's SCHEMA.xsd declares schema:digitalSourceType in https://schema.org/.
    "schema": "https://schema.org/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Characters XML 1.0 cannot hold at all (C0 controls but tab and newlines, lone surrogates,
# U+FFFE/U+FFFF): dropped, they carry nothing a reader sees.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def qname(name: str) -> str:
    """``dc:title`` → ``{http://purl.org/dc/elements/1.1/}title``."""
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def prefixed(tag: str) -> str:
    """``{http://purl.org/dc/elements/1.1/}title`` → ``dc:title`` (the tag when unknown)."""
    for prefix, uri in NS.items():
        if tag.startswith("{" + uri + "}"):
            return f"{prefix}:{tag[len(uri) + 2 :]}"
    return tag


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def escape_text(text: str) -> str:
    """``text`` as element content, escaped as libxml2 writes it (``&#13;`` keeps a CR a
    parser would turn into a newline); ``text`` must hold only what XML 1.0 can (``clean``)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


_ATTRIBUTE = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\r": "&#13;",
    "\n": "&#10;",
    "\t": "&#9;",
}
_IN_ATTRIBUTE = re.compile('[&<>"\r\n\t]')


def escape_attribute(text: str) -> str:
    """``text`` as a double-quoted attribute value, escaped as libxml2 writes it (white space
    as character references, which attribute-value normalisation would otherwise flatten)."""
    if _IN_ATTRIBUTE.search(text) is None:
        return text
    return _IN_ATTRIBUTE.sub(lambda m: _ATTRIBUTE[m.group()], text)


def parser() -> etree.XMLParser:
    """A parser that reads no DTD, expands no entity and opens no network connection."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def parse(data: bytes | str) -> etree._Element:
    """The root element of an XML document, read with the safe parser."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return etree.fromstring(raw, parser())


def serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
