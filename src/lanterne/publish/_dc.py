"""A work as a Dublin Core record (``oai_dc:dc``, OAI-PMH's mandatory format), and back.

Simple Dublin Core has fifteen literal elements and no roles, dates of different kinds or
entities: every work can be written, and reading back gives what DC says (the groups of roles,
one date, literal places). Which field goes to which element is ``data/crosswalk.toml``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from lxml import etree

from lanterne.profile import (
    Agent,
    Contribution,
    LangText,
    Place,
    Rights,
    Role,
    Term,
    Title,
    Work,
    WorkType,
    is_web_url,
)
from lanterne.publish._crosswalk import (
    FIELDS,
    Context,
    Value,
    read_language,
    read_languages,
    rows,
    table,
)
from lanterne.publish._edm import (
    DEFAULT_BASE,
    _provenance,
    identifier_from_text,
    parse_iso_date,
    work_id_from_uri,
)
from lanterne.publish._xml import (
    NS,
    XML_LANG,
    clean,
    escape_attribute,
    escape_text,
    parse,
    prefixed,
    qname,
    serialise,
)

OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


def dc_element(work: Work, base: str = DEFAULT_BASE) -> etree._Element:
    """The ``oai_dc:dc`` element of ``work`` (for an OAI-PMH ``<metadata>``)."""
    ctx = Context(base=base, link=False)
    root = etree.Element(
        qname("oai_dc:dc"), nsmap={"oai_dc": NS["oai_dc"], "dc": NS["dc"], "xsi": NS["xsi"]}
    )
    root.set(qname("xsi:schemaLocation"), f"{NS['oai_dc']} {OAI_DC_SCHEMA}")
    for row in rows("oai_dc"):
        for value in FIELDS[row.field](work, ctx):
            text = clean(value.text or value.resource or "").strip()
            if not text:
                continue
            el = etree.SubElement(root, qname(row.element))
            el.text = text
            if value.lang:
                el.set(XML_LANG, value.lang)
    return root


@functools.cache
def _dc_rows() -> tuple[tuple[Callable[[Work, Context], list[Value]], str, str, str], ...]:
    """Each row's values and its element's tags: ``<dc:x>``, ``<dc:x xml:lang="``, ``</dc:x>``."""
    return tuple(
        (FIELDS[row.field], f"<{row.element}>", f'<{row.element} xml:lang="', f"</{row.element}>")
        for row in rows("oai_dc")
    )


_DC_OPEN = (
    f'<oai_dc:dc xmlns:oai_dc="{NS["oai_dc"]}" xmlns:dc="{NS["dc"]}" '
    f'xsi:schemaLocation="{NS["oai_dc"]} {OAI_DC_SCHEMA}"'
)


def dc_text(work: Work, base: str = DEFAULT_BASE) -> str:
    """The ``oai_dc:dc`` element of ``work`` as XML text, inside a document whose root declares
    the ``xsi`` prefix (an OAI-PMH response): what ``dc_element`` serialises to there, written
    without building a tree (an OAI-PMH page writes thousands)."""
    ctx = Context(base=base, link=False)
    parts = [_DC_OPEN, ">"]
    for values, start, start_lang, end in _dc_rows():
        for value in values(work, ctx):
            text = clean(value.text or value.resource or "").strip()
            if not text:
                continue
            if value.lang:
                lang = escape_attribute(value.lang)
                parts.append(f'{start_lang}{lang}">{escape_text(text)}{end}')
            else:
                parts.append(f"{start}{escape_text(text)}{end}")
    if len(parts) == 2:
        return _DC_OPEN + "/>"
    parts.append("</oai_dc:dc>")
    return "".join(parts)


def work_to_dc(work: Work, base: str = DEFAULT_BASE) -> bytes:
    """The oai_dc record of ``work`` as an XML document."""
    return serialise(dc_element(work, base))


def _work_type(values: list[str]) -> WorkType:
    # DCMI type → the first work type the table maps to it (``Text`` → Book).
    inverse: dict[str, WorkType] = {}
    for name, term in table()["dcmi_type"].items():
        inverse.setdefault(str(term), WorkType(name))
    return next((inverse[v] for v in values if v in inverse), WorkType.CREATIVE_WORK)


def read_dc(data: bytes | str) -> Work:
    """Read an ``oai_dc:dc`` record (or a bare Dublin Core record) into the profile.

    The first ``dc:identifier`` that is a work URI gives the work's id (else the first
    identifier). Raises ``ValueError`` when the document is not XML or has no title.
    """
    try:
        root = parse(data)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    found: dict[str, list[etree._Element]] = {}
    for el in root.iter():
        if isinstance(el.tag, str):
            found.setdefault(prefixed(el.tag), []).append(el)

    def texts(name: str) -> list[tuple[str, str | None]]:
        out = []
        for el in found.get(name, []):
            text = (el.text or "").strip()
            if text:
                out.append((text, read_language(el.get(XML_LANG))))
        return out

    titles = [Title(value=t, lang=lang) for t, lang in texts("dc:title")]
    if not titles:
        raise ValueError("no dc:title")
    raw_ids = [t for t, _ in texts("dc:identifier")]
    uris = [i for i in raw_ids if "/id/work/" in i]
    work_id = work_id_from_uri(uris[0]) if uris else (raw_ids[0] if raw_ids else titles[0].value)
    identifiers = [i for i in (identifier_from_text(t) for t in raw_ids if t not in uris) if i]
    contributors = [
        Contribution(agent=Agent(name=name), role=Role(element.partition(":")[2]))
        for element in ("dc:creator", "dc:contributor", "dc:publisher")
        for name, _ in texts(element)
    ]
    dcmi = set(table()["dcmi_type"].values())
    types = [t for t, _ in texts("dc:type")]
    genres = [Term(label=t, lang=lang) for t, lang in texts("dc:type") if t not in dcmi]
    dates = [d for d in (parse_iso_date(t) for t, _ in texts("dc:date")) if d is not None]
    rights = [t for t, _ in texts("dc:rights")]
    licence = next((r for r in rights if is_web_url(r)), None)
    statements = [r for r in rights if r != licence]
    relation = [t for t, _ in texts("dc:relation") if is_web_url(t)]
    duration = [t for t, _ in texts("dc:format") if t.startswith("PT") and t.endswith("M")]
    minutes = None
    if duration:
        try:
            minutes = float(duration[0][2:-1])
        except ValueError:
            minutes = None
    return Work(
        id=work_id,
        type=_work_type(types),
        titles=titles,
        descriptions=[LangText(value=t, lang=lang) for t, lang in texts("dc:description")],
        in_languages=read_languages([t for t, _ in texts("dc:language")]),
        created=dates[0] if dates else None,
        genres=genres,
        subjects=[Term(label=t, lang=lang) for t, lang in texts("dc:subject")],
        identifiers=list({(i.scheme, i.value): i for i in identifiers}.values()),
        contributors=contributors,
        places=[Place(name=t) for t, _ in texts("dc:coverage")],
        rights=(
            Rights(
                licence=licence,
                statement=statements[0] if statements else None,
                holder=statements[1] if len(statements) > 1 else None,
            )
            if rights
            else None
        ),
        url=relation[0] if relation else None,
        duration_minutes=minutes,
        provenance=_provenance(work_id, None),
    )


__all__ = ["dc_element", "dc_text", "read_dc", "work_to_dc"]
