"""What the site publishes for harvesters: entity URIs, the RDF variants of a work's page,
sitemaps, ``robots.txt`` and the « Données ouvertes » page.

The entity URI ``/id/work/ID`` answers 303 to the work's document, its page ``/oeuvre/ID``
(the pattern of ABES IdRef), which serves HTML, JSON-LD, Turtle, N-Triples or RDF/XML by the
``Accept`` header, or one of them by extension (``/oeuvre/ID.ttl``). RDF/XML is the work's
EDM record when EDM can carry it, unless ``Accept-Profile`` asks for schema.org (W3C Content
Negotiation by Profile); every RDF answer says its profile in ``Content-Profile``. A deleted
work answers 410 Gone, an unknown one 404. Sitemaps are built from the catalogue when asked:
nothing to configure, always as fresh as the catalogue (``lanterne publish sitemap`` writes the
same files into a folder for a static server).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from lanterne.errors import Gone, LanterneError, NotAcceptable, NotFound
from lanterne.profile import Identifier, Work
from lanterne.publish import (
    LIMIT,
    SCHEMA_PROFILE,
    EdmOptions,
    Entity,
    Format,
    choose,
    choose_profile,
    chunk_states,
    entity_key,
    entity_text,
    find_entity,
    index_url,
    index_xml,
    live_lastmod,
    negotiated_formats,
    one_work,
    rdfxml_profiles,
    read_key,
    urlset_xml,
    work_uri,
)
from lanterne.web._site import Site

HTML = "text/html"
OFFERED = [HTML, *(f.media_type for f in negotiated_formats())]
"""What a work's page serves, in the order of preference when a client accepts several."""
XML = "application/xml"


def page_path(work_id: str) -> str:
    return "/oeuvre/" + quote(work_id, safe="")


def alternates(work_id: str) -> list[tuple[str, str]]:
    """``(media type, path)`` of each RDF variant of a work's page."""
    return [(f.media_type, f"{page_path(work_id)}.{f.extension}") for f in negotiated_formats()]


def link_header(work_id: str) -> str:
    return ", ".join(
        f'<{path}>; rel="alternate"; type="{media}"' for media, path in alternates(work_id)
    )


def variant_headers(work_id: str) -> dict[str, str]:
    # The page's RDF/XML answer varies by Accept-Profile too (EDM or schema.org).
    return {"Link": link_header(work_id), "Vary": "Accept, Accept-Profile"}


def profile_headers(links: str, profile: str) -> dict[str, str]:
    """The headers that say which profile an RDF answer follows: ``Content-Profile``, and the
    ``Link`` headers ``links`` given the ``rel="profile"``."""
    return {"Link": f'{links}, <{profile}>; rel="profile"', "Content-Profile": f"<{profile}>"}


def edm_options(site: Site) -> EdmOptions:
    """The EDM record's options for this site: its base URI, and the settings ``edm_provider``
    and ``edm_rights`` (as OAI-PMH has them)."""
    from lanterne.settings import text

    return EdmOptions(base=site.base_uri, provider=text("edm_provider"), rights=text("edm_rights"))


def tdm_headers(work: Work) -> dict[str, str]:
    """The work's ``tdm-reservation`` and ``tdm-policy`` (TDMRep), for every answer about it."""
    from lanterne.provenance import http_headers, work_value

    return http_headers(work_value(work))


def missing(site: Site, work_id: str) -> LanterneError:
    """410 for a work the catalogue deleted, 404 for one it never had."""
    state = site.reading(lambda: site.reader().work_state(work_id))
    if state is not None and state.deleted:
        return Gone("work.gone", id=work_id)
    return NotFound("work.not_found", id=work_id)


def negotiated(request: Request, site: Site, work_id: str) -> Response | None:
    """The RDF answer the request asks for, or ``None`` when HTML it is (the page renders)."""
    fmt = _asked_format(request)
    return None if fmt is None else variant(site, work_id, fmt, request)


def _asked_format(request: Request) -> Format | None:
    """The RDF format the request's ``Accept`` chooses, ``None`` for HTML; 406 for neither."""
    chosen = choose(request.headers.get("accept"), OFFERED)
    if chosen is None:
        raise NotAcceptable("publish.not_acceptable", offered=", ".join(OFFERED))
    if chosen == HTML:
        return None
    return next(f for f in negotiated_formats() if f.media_type == chosen)


def variant(site: Site, work_id: str, fmt: Format, request: Request | None = None) -> Response:
    """The work in ``fmt``; in RDF/XML, in the profile ``Accept-Profile`` asks for among those
    the work can have (EDM first), 406 when it asks only for one the work cannot have."""
    found: Work | None = site.reading(lambda: site.reader().get(work_id))
    if found is None:
        raise missing(site, work_id)
    profile, options = SCHEMA_PROFILE, None
    if fmt.name == "rdf":
        options = edm_options(site)
        offered, _ = rdfxml_profiles(found, options)
        asked = request.headers.get("accept-profile") if request is not None else None
        chosen = choose_profile(asked, offered)
        if chosen is None:
            raise NotAcceptable(
                "publish.profile_not_acceptable", offered=", ".join(f"<{p}>" for p in offered)
            )
        profile = chosen
    body = one_work(fmt, found, site.base_uri, profile, options)
    return Response(
        body,
        media_type=fmt.media_type,
        headers={
            **variant_headers(work_id),
            **profile_headers(link_header(work_id), profile),
            **tdm_headers(found),
            "Content-Location": f"{page_path(work_id)}.{fmt.extension}",
        },
    )


EntityKind = Literal["agent", "place"]
ENTITY_PAGES: dict[EntityKind, str] = {"agent": "/agent/", "place": "/lieu/"}
"""Where the document of an agent or a place is (its URI ``/id/agent/KEY`` leads there)."""
ENTITY_WORKS = 50
"""Works an agent's or a place's page lists (and reads to describe it); the count is whole."""


def entity_path(kind: EntityKind, key: str) -> str:
    return ENTITY_PAGES[kind] + quote(key, safe="")


def entity_page(kind: EntityKind, identifiers: list[Identifier]) -> str | None:
    """The page of an agent or a place the published graph names by a URI, else ``None``."""
    key = entity_key((i.scheme.value, i.value) for i in identifiers)
    return None if key is None else entity_path(kind, key)


def entity_alternates(kind: EntityKind, key: str) -> list[tuple[str, str]]:
    return [(f.media_type, f"{entity_path(kind, key)}.{f.extension}") for f in negotiated_formats()]


def entity_headers(kind: EntityKind, key: str) -> dict[str, str]:
    links = ", ".join(
        f'<{path}>; rel="alternate"; type="{media}"' for media, path in entity_alternates(kind, key)
    )
    return {"Link": links, "Vary": "Accept"}


def find(site: Site, kind: EntityKind, key: str) -> tuple[Entity, list[Work], int]:
    """The agent or place ``key``, the first works naming it and how many do; 404 when none
    does (or no published URI is keyed so)."""
    pair = read_key(key)
    if pair is None:
        raise NotFound("entity.not_found", id=key)
    scheme, value = pair

    def read() -> tuple[list[Work], int]:
        reader = site.reader()
        works = reader.entity_works(kind, scheme, value, ENTITY_WORKS)
        return works, reader.count_entity_works(kind, scheme, value) if works else 0

    works, total = site.reading(read)
    entity = find_entity(kind, key, works)
    if entity is None:
        raise NotFound("entity.not_found", id=key)
    return entity, works, total


def entity_negotiated(request: Request, site: Site, kind: EntityKind, key: str) -> Response | None:
    """The RDF answer an agent's or a place's page is asked for, or ``None`` for HTML."""
    fmt = _asked_format(request)
    return None if fmt is None else entity_variant(site, kind, key, fmt)


def entity_variant(site: Site, kind: EntityKind, key: str, fmt: Format) -> Response:
    entity, _, _ = find(site, kind, key)
    return Response(
        entity_text(fmt.name, entity, site.base_uri),
        media_type=fmt.media_type,
        headers={
            **entity_headers(kind, key),
            **profile_headers(entity_headers(kind, key)["Link"], SCHEMA_PROFILE),
            "Content-Location": f"{entity_path(kind, key)}.{fmt.extension}",
        },
    )


def publish_router(site: Site) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/id/work/{work_id:path}")
    def entity(work_id: str) -> Response:
        """The work as a thing (not a document): 303 to the document that describes it."""
        state = site.reading(lambda: site.reader().work_state(work_id))
        if state is None:
            raise NotFound("work.not_found", id=work_id)
        return RedirectResponse(page_path(work_id), status_code=303, headers={"Vary": "Accept"})

    def thing(kind: EntityKind) -> Callable[[str], Response]:
        def answer(key: str) -> Response:
            """The agent or place as a thing: 303 to the document that describes it."""
            find(site, kind, key)
            path = entity_path(kind, key)
            return RedirectResponse(path, status_code=303, headers={"Vary": "Accept"})

        return answer

    def entity_explicit(kind: EntityKind, fmt: Format) -> Callable[[str], Response]:
        def answer(key: str) -> Response:
            return entity_variant(site, kind, key, fmt)

        return answer

    for kind, page in ENTITY_PAGES.items():
        router.add_api_route(f"/id/{kind}/{{key:path}}", thing(kind), methods=["GET", "HEAD"])
        for fmt in negotiated_formats():
            router.add_api_route(
                f"{page}{{key:path}}.{fmt.extension}",
                entity_explicit(kind, fmt),
                methods=["GET", "HEAD"],
            )

    def explicit(fmt: Format) -> Callable[[Request, str], Response]:
        # A closure, not a default argument: FastAPI would read ``fmt`` as a parameter.
        def answer(request: Request, work_id: str) -> Response:
            return variant(site, work_id, fmt, request)

        return answer

    for fmt in negotiated_formats():
        router.add_api_route(
            f"/oeuvre/{{work_id:path}}.{fmt.extension}", explicit(fmt), methods=["GET", "HEAD"]
        )

    @router.get("/.well-known/tdmrep.json")
    def tdmrep() -> Response:
        """TDMRep's file on the origin server: the works' reservations as location rules."""
        body = site.reading(site.tdmrep_json) if site.has_catalogue else b"[]"
        return Response(body, media_type="application/json")

    @router.get("/robots.txt", response_class=PlainTextResponse)
    def robots() -> PlainTextResponse:
        text = f"User-agent: *\nAllow: /\n\nSitemap: {index_url(site.base_uri)}\n"
        return PlainTextResponse(text)

    @router.get("/sitemap.xml")
    def sitemap_index() -> Response:
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        lastmod = site.reading(lambda: live_lastmod(site.reader(), LIMIT))
        return Response(index_xml(site.base_uri, lastmod), media_type=XML)

    @router.get("/sitemaps/{number}.xml")
    def sitemap(request: Request, number: int) -> Response:
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        states = (
            site.reading(lambda: chunk_states(site.reader(), number, LIMIT)) if number >= 0 else []
        )
        live = [s for s in states if not s.deleted]
        if not live:
            raise NotFound("web.page_not_found", path=request.url.path)
        return Response(urlset_xml(site.base_uri, live), media_type=XML)

    return router


def open_data_context(site: Site) -> dict[str, object]:
    """What the « Données ouvertes » page lists: formats, an example work, sources' licences."""
    sources: list[dict[str, object]] = []
    example: str | None = None
    if site.has_catalogue:
        reader = site.reader()

        def read() -> tuple[list[dict[str, object]], str | None]:
            found = []
            first = None
            for name in sorted({r.source for r in reader.runs(limit=1000)}):
                count = reader.count(name)
                if not count:
                    continue
                one = next(iter(reader.iter_works(name)), None)
                if one is not None and first is None:
                    first = one.id
                found.append(
                    {
                        "name": name,
                        "count": count,
                        "licence": one.provenance.licence if one else None,
                        "attribution": one.provenance.attribution if one else None,
                    }
                )
            return found, first

        sources, example = site.reading(read)
    return {
        "formats": [(f, f.dump) for f in negotiated_formats()],
        "base": site.base_uri.rstrip("/"),
        "example": example,
        "example_uri": work_uri(site.base_uri, example) if example else None,
        "example_page": page_path(example) if example else None,
        "sources": sources,
    }
