"""A work as an EDM record for Europeana (``rdf:RDF``), and an EDM record read back as a work.

One record holds exactly one ``edm:ProvidedCHO`` (the work, at its URI), its ``edm:WebResource``
media, the contextual entities of what it links to by an identifier (``edm:Agent``,
``edm:Place``, ``skos:Concept``) and one ``ore:Aggregation`` saying who provides it, where it is
shown and under which rights. Which field goes to which element is the table of
``data/crosswalk.toml``. A work EDM cannot carry as Europeana requires is never written:
``edm_record`` gives the reasons instead (``edm_problems``, the Python form of the Schematron's
rules that a work can break; the element-level ones the writer never breaks).
"""

from __future__ import annotations

import calendar
import contextlib
import re
from urllib.parse import unquote

import msgspec
from lxml import etree

from lanterne.messages import Lang, say
from lanterne.profile import (
    Agent,
    Contribution,
    CreationLabel,
    CreationLabelValue,
    DatePrecision,
    FuzzyDate,
    GeoPoint,
    Identifier,
    IdentifierScheme,
    LangText,
    Media,
    MediaKind,
    Place,
    Provenance,
    Rights,
    Role,
    Term,
    TextKind,
    Title,
    Work,
    WorkType,
)
from lanterne.publish._crosswalk import (
    FIELDS,
    SCHEMA,
    Context,
    Value,
    digital_source_type,
    edm_type,
    entity_key,
    identifier_from_uri,
    identifier_uri,
    media_role,
    place_key,
    place_name,
    read_languages,
    rows,
    term_uri,
)
from lanterne.publish._iiif import manifest_images, manifest_uri
from lanterne.publish._rights import canonical, europeana_rights
from lanterne.publish._uris import agent_uri, place_uri, work_uri
from lanterne.publish._xml import NS, XML_LANG, clean, parse, prefixed, qname, serialise

DEFAULT_BASE = "http://localhost:8000/"


class EdmOptions(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What an EDM record takes besides the work (the settings ``base_uri``, ``edm_provider``,
    ``edm_rights``)."""

    base: str = DEFAULT_BASE
    """Base URI of the work, agent and place URIs."""
    provider: str = ""
    """``edm:provider``, the organisation that delivers the records to Europeana; empty: each
    record's data provider delivers it itself."""
    rights: str = ""
    """The rights statement of works whose record states none; empty: they are left out."""


class Reason(msgspec.Struct, frozen=True, kw_only=True):
    """Why a work is left out of a format: a message id of ``lanterne.messages`` and its
    parameters."""

    key: str
    params: dict[str, str] = {}

    def message(self, lang: Lang = "fr") -> str:
        return say(self.key, lang, **self.params)


class EdmRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The EDM record of one work, or the reasons it has none."""

    work_id: str
    xml: bytes | None
    reasons: list[Reason] = []


_TYPE_OF_MEDIA = {"image": "IMAGE", "video": "VIDEO", "audio": "SOUND", "text": "TEXT"}
_MEDIA_OF_TYPE = {v: k for k, v in _TYPE_OF_MEDIA.items()}
_TYPE_OF_EDM = {
    "TEXT": WorkType.BOOK,
    "VIDEO": WorkType.MOVIE,
    "SOUND": WorkType.MUSIC_RECORDING,
    "IMAGE": WorkType.VISUAL_ARTWORK,
}


def _shown(work: Work) -> tuple[list[Media], str | None]:
    """The media Europeana shows (first: ``isShownBy``) and the page (``isShownAt``)."""
    files = [m for m in work.media if media_role(m.kind.value) == "shown_by"]
    pages = [m.url for m in work.media if media_role(m.kind.value) == "shown_at"]
    return files, work.url or (pages[0] if pages else None)


def _licence(work: Work, files: list[Media], options: EdmOptions) -> str | None:
    if work.rights is not None and work.rights.licence:
        return work.rights.licence
    if files and files[0].licence:
        return files[0].licence  # the rights of the object Europeana shows
    return options.rights or None


def _data_provider(work: Work) -> str:
    return (work.provenance.attribution or "").strip() or work.provenance.source


def edm_problems(work: Work, options: EdmOptions | None = None) -> list[Reason]:
    """Why ``work`` cannot be an EDM record Europeana accepts (empty: it can).

    The Schematron's rules a work can break: an edm:type, dc:language for TEXT, a title or
    description, a subject, type or place, a page or medium, rights among Europeana's
    statements, and a digital source type among the three it accepts.
    """
    options = options or EdmOptions()
    reasons: list[Reason] = []
    kind = edm_type(work.type)
    if kind is None:
        reasons.append(Reason(key="publish.no_edm_type", params={"type": work.type.value}))
    if kind == "TEXT" and not work.in_languages:
        reasons.append(Reason(key="publish.no_language"))
    texts = [t.value for t in work.titles] + [d.value for d in work.descriptions]
    if not any(clean(t).strip() for t in texts):
        reasons.append(Reason(key="publish.no_title"))
    files, page = _shown(work)
    if not files and not page:
        reasons.append(Reason(key="publish.no_link"))
    licence = _licence(work, files, options)
    rights = europeana_rights(licence)
    if rights.uri is None and rights.reason is not None:
        reasons.append(Reason(key=rights.reason, params={"licence": licence or ""}))
    label = work.creation_label.value.value if work.creation_label else None
    if digital_source_type(label) == "exclude":
        reasons.append(Reason(key="publish.ai_media", params={"label": label or ""}))
    return reasons


def edm_record(work: Work, options: EdmOptions | None = None) -> EdmRecord:
    """The EDM record of ``work``, or why Europeana could not take it (``xml`` is ``None``)."""
    options = options or EdmOptions()
    reasons = edm_problems(work, options)
    if reasons:
        return EdmRecord(work_id=work.id, xml=None, reasons=reasons)
    return EdmRecord(work_id=work.id, xml=serialise(_rdf(work, options)))


def _add(parent: etree._Element, name: str, value: Value) -> etree._Element:
    el = etree.SubElement(parent, qname(name))
    if value.resource is not None:
        el.set(qname("rdf:resource"), value.resource)
    elif value.text is not None:
        el.text = clean(value.text)
        if value.lang:
            el.set(XML_LANG, value.lang)
    return el


def _rdf(work: Work, options: EdmOptions) -> etree._Element:
    base = options.base
    ctx = Context(base=base, link=True)
    root = etree.Element(qname("rdf:RDF"), nsmap={k: v for k, v in NS.items() if k != "oai_dc"})
    uri = work_uri(base, work.id)
    cho = etree.SubElement(root, qname("edm:ProvidedCHO"))
    cho.set(qname("rdf:about"), uri)
    for row in rows("edm"):
        for value in FIELDS[row.field](work, ctx):
            if value.text is None or clean(value.text).strip():
                _add(cho, row.element, value)
    _add(cho, "edm:type", Value(edm_type(work.type)))
    for same in _same_as(work.identifiers):
        _add(cho, "owl:sameAs", Value(None, same))
    files, page = _shown(work)
    label = work.creation_label.value.value if work.creation_label else None
    source_type = digital_source_type(label)
    # Europeana's IIIF rule: the web resource a manifest paints is dcterms:isReferencedBy it.
    painted = {m.url for m in manifest_images(work)}
    manifest = manifest_uri(base, work.id)
    for media in files:
        _web_resource(root, media, source_type, manifest if media.url in painted else None)
    _entities(root, work, base)
    _aggregation(root, work, options, uri, files, page)
    return root


def _same_as(identifiers: list[Identifier]) -> list[str]:
    found = [identifier_uri(i.scheme.value, i.value) for i in identifiers]
    return list(dict.fromkeys(u for u in found if u))


def _web_resource(
    root: etree._Element, media: Media, source_type: str, manifest: str | None = None
) -> None:
    res = etree.SubElement(root, qname("edm:WebResource"))
    res.set(qname("rdf:about"), media.url)
    if media.caption and clean(media.caption).strip():
        _add(res, "dc:description", Value(media.caption))
    rights = europeana_rights(media.licence) if media.licence else None
    if rights is not None and rights.uri:
        _add(res, "edm:rights", Value(None, rights.uri))
    if manifest is not None:
        _add(res, "dcterms:isReferencedBy", Value(None, manifest))
    _add(res, "edm:type", Value(_TYPE_OF_MEDIA[media.kind.value]))
    if source_type:
        _add(res, "schema:digitalSourceType", Value(None, source_type))


def _entities(root: etree._Element, work: Work, base: str) -> None:
    done: set[str] = set()
    for c in work.contributors:
        key = entity_key(c.agent.identifiers)
        if key is None or key in done:
            continue
        done.add(key)
        agent = etree.SubElement(root, qname("edm:Agent"))
        agent.set(qname("rdf:about"), agent_uri(base, key))
        _add(agent, "skos:prefLabel", Value(c.agent.name))
        for same in _same_as(c.agent.identifiers):
            _add(agent, "owl:sameAs", Value(None, same))
    for p in work.places:
        key = place_key(p)
        if key is None or key in done:
            continue
        done.add(key)
        place = etree.SubElement(root, qname("edm:Place"))
        place.set(qname("rdf:about"), place_uri(base, key))
        if p.geo is not None:
            _add(place, "wgs84_pos:lat", Value(repr(p.geo.lat)))
            _add(place, "wgs84_pos:long", Value(repr(p.geo.lon)))
        name = place_name(p)
        if name:
            _add(place, "skos:prefLabel", Value(name))
        for same in _same_as(p.identifiers):
            _add(place, "owl:sameAs", Value(None, same))
    for term in (*work.subjects, *work.genres):
        concept_uri = term_uri(term)
        if concept_uri is None or concept_uri in done:
            continue
        done.add(concept_uri)
        concept = etree.SubElement(root, qname("skos:Concept"))
        concept.set(qname("rdf:about"), concept_uri)
        _add(concept, "skos:prefLabel", Value(term.label, None, term.lang))
        if term.vocabulary and re.match(r"https?://", term.vocabulary):
            _add(concept, "skos:inScheme", Value(None, term.vocabulary))


def _aggregation(
    root: etree._Element,
    work: Work,
    options: EdmOptions,
    uri: str,
    files: list[Media],
    page: str | None,
) -> None:
    agg = etree.SubElement(root, qname("ore:Aggregation"))
    agg.set(qname("rdf:about"), uri + "#aggregation")
    _add(agg, "edm:aggregatedCHO", Value(None, uri))
    provider = clean(_data_provider(work)).strip()
    _add(agg, "edm:dataProvider", Value(provider))
    for media in files[1:]:
        _add(agg, "edm:hasView", Value(None, media.url))
    if page:
        _add(agg, "edm:isShownAt", Value(None, page))
    if files:
        _add(agg, "edm:isShownBy", Value(None, files[0].url))
    _add(agg, "edm:provider", Value(clean(options.provider).strip() or provider))
    rights = europeana_rights(_licence(work, files, options))
    _add(agg, "edm:rights", Value(None, rights.uri))


# Reading back -------------------------------------------------------------------------------

_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_iso_date(text: str) -> FuzzyDate | None:
    """A date written by ``iso_date`` (``1850``, ``1850-03``, ``1850-03-02``, ``1801/1825``)."""
    text = text.strip()
    if "/" in text:
        start, _, end = text.partition("/")
        a, b = _bounds(start), _bounds(end)
        if a is None or b is None:
            return None
        return _fuzzy(a[0], b[1], DatePrecision.RANGE)
    found = _bounds(text)
    if found is None:
        return None
    precision = {4: DatePrecision.YEAR, 7: DatePrecision.MONTH}.get(
        len(text.lstrip("-")), DatePrecision.DAY
    )
    return _fuzzy(found[0], found[1], precision)


def _fuzzy(earliest: str, latest: str, precision: DatePrecision) -> FuzzyDate | None:
    try:
        return FuzzyDate(earliest=earliest, latest=latest, precision=precision)
    except (ValueError, msgspec.ValidationError):
        return None


def _bounds(text: str) -> tuple[str, str] | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    if day:
        return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
    if month:
        last = calendar.monthrange(abs(int(year)) or 2000, int(month))[1]
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def work_id_from_uri(uri: str) -> str:
    """The work id in a work URI (``…/id/work/ID``); the URI itself otherwise."""
    _head, sep, tail = uri.partition("/id/work/")
    return unquote(tail) if sep and tail else uri


def _provenance(work_id: str, attribution: str | None) -> Provenance:
    source, sep, source_id = work_id.partition(":")
    if not sep or not source or not source_id:
        source, source_id = "edm", work_id
    return Provenance(source=source, source_id=source_id, attribution=attribution or None)


def identifier_from_text(text: str) -> Identifier | None:
    """``isbn:2070360024`` → an identifier of a scheme the profile knows (else ``None``)."""
    scheme, sep, value = text.strip().partition(":")
    if not sep or not value.strip():
        return None
    try:
        return Identifier(scheme=IdentifierScheme(scheme), value=value)
    except ValueError:
        return None


def _key_identifier(uri: str, marker: str) -> Identifier | None:
    _head, sep, tail = uri.partition(marker)
    return identifier_from_text(unquote(tail)) if sep else None


def _text(el: etree._Element) -> str:
    return (el.text or "").strip()


def _lang(el: etree._Element) -> str | None:
    return el.get(XML_LANG) or None


def _resource(el: etree._Element) -> str | None:
    found = el.get(qname("rdf:resource"))
    return str(found) if found is not None else None


def _about(el: etree._Element) -> str:
    return el.get(qname("rdf:about")) or ""


def _identifiers(entity: etree._Element, uri: str, marker: str) -> list[Identifier]:
    found: list[Identifier] = []
    key = _key_identifier(uri, marker)
    if key is not None:
        found.append(key)
    for same in entity.findall(qname("owl:sameAs")):
        resource = _resource(same)
        if resource:
            scheme, value = identifier_from_uri(resource)
            found.append(Identifier(scheme=IdentifierScheme(scheme), value=value))
    return list({(i.scheme, i.value): i for i in found}.values())


def read_edm(data: bytes | str) -> Work:
    """Read an EDM record (one ``edm:ProvidedCHO``) into the profile: what EDM can carry.

    Raises:
        ValueError: the document is not XML, or holds no ``edm:ProvidedCHO`` with a title.
    """
    try:
        root = parse(data)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    cho = root.find(qname("edm:ProvidedCHO"))
    if cho is None:
        raise ValueError("no edm:ProvidedCHO")
    by_about = {_about(el): el for el in root if _about(el)}
    agg = root.find(qname("ore:Aggregation"))
    fields: dict[str, object] = {}
    titles: list[Title] = []
    descriptions: list[LangText] = []
    contributors: list[Contribution] = []
    subjects: list[Term] = []
    genres: list[Term] = []
    identifiers: list[Identifier] = []
    languages: list[str] = []
    places: list[Place] = []
    statements: list[str] = []
    work_type: WorkType | None = None
    for el in cho:
        if not isinstance(el.tag, str):
            continue  # a comment
        name = prefixed(el.tag)
        text, lang, resource = _text(el), _lang(el), _resource(el)
        if name == "dc:title" and text:
            titles.append(Title(value=text, lang=lang))
        elif name == "dcterms:alternative" and text:
            titles.append(Title(value=text, lang=lang, kind=TextKind.ALTERNATIVE_TITLE))
        elif name == "dc:description" and text:
            descriptions.append(LangText(value=text, lang=lang))
        elif name in ("dc:creator", "dc:contributor", "dc:publisher"):
            agent = _read_agent(text, resource, by_about)
            if agent is not None:
                role = Role(name.partition(":")[2])
                contributors.append(Contribution(agent=agent, role=role))
        elif name in ("dc:subject", "dc:type"):
            if name == "dc:type" and resource and resource.startswith(SCHEMA):
                with contextlib.suppress(ValueError):
                    work_type = WorkType(resource[len(SCHEMA) :])
                continue
            term = _read_term(text, lang, resource, by_about)
            if term is not None:
                (subjects if name == "dc:subject" else genres).append(term)
        elif name == "dc:identifier" and text:
            identifier = identifier_from_text(text)
            if identifier is not None:
                identifiers.append(identifier)
        elif name == "owl:sameAs" and resource:
            scheme, value = identifier_from_uri(resource)
            identifiers.append(Identifier(scheme=IdentifierScheme(scheme), value=value))
        elif name == "dc:language" and text:
            languages.append(text)
        elif name == "dc:rights" and text:
            statements.append(text)
        elif name in ("dcterms:created", "dcterms:issued") and text:
            date = parse_iso_date(text)
            if date is not None:
                fields["created" if name == "dcterms:created" else "published"] = date
        elif name == "dcterms:extent" and text:
            minutes = re.fullmatch(r"PT(\d+(?:\.\d+)?)M", text)
            if minutes:
                fields["duration_minutes"] = float(minutes.group(1))
        elif name == "dcterms:spatial":
            place = _read_place(text, resource, by_about)
            if place is not None:
                places.append(place)
        elif name == "edm:type" and work_type is None:
            work_type = _TYPE_OF_EDM.get(text)
    if not titles:
        raise ValueError("no dc:title")
    work_id = work_id_from_uri(_about(cho))
    attribution = None
    licence = None
    media: list[Media] = []
    label: CreationLabel | None = None
    if agg is not None:
        data_provider = agg.find(qname("edm:dataProvider"))
        attribution = _text(data_provider) if data_provider is not None else None
        shown_at = agg.find(qname("edm:isShownAt"))
        if shown_at is not None and _resource(shown_at):
            fields["url"] = _resource(shown_at)
        rights = agg.find(qname("edm:rights"))
        licence = _resource(rights) if rights is not None else None
        for tag in ("edm:isShownBy", "edm:hasView"):
            for shown in agg.findall(qname(tag)):
                url = _resource(shown)
                if url:
                    medium, found_label = _read_media(url, by_about.get(url))
                    media.append(medium)
                    label = label or found_label
    dedup = list({(i.scheme, i.value): i for i in identifiers}.values())
    rights_value = None
    if licence or statements:
        rights_value = Rights(
            licence=licence,
            statement=statements[0] if statements else None,
            holder=statements[1] if len(statements) > 1 else None,
        )
    return Work(
        id=work_id,
        type=work_type or WorkType.CREATIVE_WORK,
        titles=titles,
        descriptions=descriptions,
        in_languages=read_languages(languages),
        genres=genres,
        subjects=subjects,
        identifiers=dedup,
        contributors=contributors,
        places=places,
        media=media,
        rights=rights_value,
        creation_label=label,
        provenance=_provenance(work_id, attribution),
        **fields,  # type: ignore[arg-type]
    )


def _read_agent(
    text: str, resource: str | None, by_about: dict[str, etree._Element]
) -> Agent | None:
    if resource:
        entity = by_about.get(resource)
        label = entity.find(qname("skos:prefLabel")) if entity is not None else None
        name = _text(label) if label is not None else resource
        ids = _identifiers(entity, resource, "/id/agent/") if entity is not None else []
        return Agent(name=name or resource, identifiers=ids)
    return Agent(name=text) if text else None


def _read_term(
    text: str, lang: str | None, resource: str | None, by_about: dict[str, etree._Element]
) -> Term | None:
    if resource:
        entity = by_about.get(resource)
        if entity is None:
            return Term(label=resource, term_id=resource)
        label = entity.find(qname("skos:prefLabel"))
        scheme = entity.find(qname("skos:inScheme"))
        return Term(
            label=_text(label) if label is not None and _text(label) else resource,
            lang=_lang(label) if label is not None else None,
            vocabulary=_resource(scheme) if scheme is not None else None,
            term_id=resource,
        )
    return Term(label=text, lang=lang) if text else None


def _read_place(
    text: str, resource: str | None, by_about: dict[str, etree._Element]
) -> Place | None:
    if resource:
        entity = by_about.get(resource)
        if entity is None:
            return Place(
                name=resource, identifiers=[Identifier(scheme=IdentifierScheme.URI, value=resource)]
            )
        label = entity.find(qname("skos:prefLabel"))
        lat = entity.find(qname("wgs84_pos:lat"))
        lon = entity.find(qname("wgs84_pos:long"))
        geo = None
        if lat is not None and lon is not None:
            try:
                geo = GeoPoint(lat=float(_text(lat)), lon=float(_text(lon)))
            except (ValueError, msgspec.ValidationError):
                geo = None
        return Place(
            name=_text(label) if label is not None and _text(label) else None,
            geo=geo,
            identifiers=_identifiers(entity, resource, "/id/place/"),
        )
    return Place(name=text) if text else None


def _read_media(url: str, resource: etree._Element | None) -> tuple[Media, CreationLabel | None]:
    kind, licence, caption, label = MediaKind.IMAGE, None, None, None
    if resource is not None:
        edm_kind = resource.find(qname("edm:type"))
        if edm_kind is not None:
            kind = MediaKind(_MEDIA_OF_TYPE.get(_text(edm_kind), "image"))
        rights = resource.find(qname("edm:rights"))
        licence = _resource(rights) if rights is not None else None
        description = resource.find(qname("dc:description"))
        caption = _text(description) if description is not None else None
        source = resource.find(qname("schema:digitalSourceType"))
        if source is not None and _resource(source) == digital_source_type("human"):
            label = CreationLabel(value=CreationLabelValue.HUMAN)
    return Media(kind=kind, url=url, licence=licence, caption=caption or None), label


__all__ = [
    "EdmOptions",
    "EdmRecord",
    "Reason",
    "canonical",
    "edm_problems",
    "edm_record",
    "read_edm",
]
