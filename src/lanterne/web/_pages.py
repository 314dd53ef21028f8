"""The HTML pages, rendered on the server; htmx (vendored) only refreshes a region in place when
JavaScript runs, and every page works as plain links and forms without it."""

from __future__ import annotations

import gettext
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
import msgspec
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from lanterne import __version__
from lanterne.errors import BadInput, LanterneError, NotFound
from lanterne.profile import Media, Work
from lanterne.publish import entity_document, entity_uri, identifier_uri
from lanterne.recommend import parse_goal
from lanterne.report import N_
from lanterne.search import FACETS
from lanterne.web._api import RecommendResponse, parse_filters, recommend, run_search
from lanterne.web._footprint import MeasuredRoute
from lanterne.web._i18n import LANGS, Lang, negotiate, translations
from lanterne.web._labels import Labeller
from lanterne.web._publish import (
    ENTITY_PAGES,
    EntityKind,
    alternates,
    entity_alternates,
    entity_headers,
    entity_negotiated,
    entity_page,
    find,
    missing,
    negotiated,
    open_data_context,
    page_path,
    tdm_headers,
    variant_headers,
)
from lanterne.web._security import CSRF_COOKIE
from lanterne.web._site import Site

PAGE = 20
"""Search results per page."""
STARTERS = 8
"""Works offered to a visitor who has liked nothing yet."""


def _environment(lang: Lang, texts: gettext.NullTranslations) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lanterne.web", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(texts, newstyle=True)  # type: ignore[attr-defined]
    return env


class Pages:
    """Templates in each language, and what every page needs to render."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.texts = {lang: translations(lang) for lang in LANGS}
        self.envs = {lang: _environment(lang, self.texts[lang]) for lang in LANGS}

    def lang(self, request: Request) -> Lang:
        """French unless the visitor chose English (the switch, or ``?lang=en``): the site
        speaks French first, whatever language the browser prefers."""
        return negotiate(request.query_params.get("lang"), request.cookies.get("lang"), None)

    def render(
        self, request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        lang = self.lang(request)
        env = self.envs[lang]
        cookie = request.state.csrf_cookie
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        html = env.get_template(name).render(
            request=request,
            lang=lang,
            other_lang="en" if lang == "fr" else "fr",
            labels=Labeller(lang, self.texts[lang].gettext),
            csrf=self.site.guard.form_token(cookie),
            here=here,
            version=__version__,
            has_catalogue=self.site.has_catalogue,
            number=lambda n: _number(n, lang),
            percent=lambda x: _percent(x, lang),
            colon="\u00a0: " if lang == "fr" else ": ",
            quote=(lambda t: f"«\u00a0{t}\u00a0»") if lang == "fr" else (lambda t: f"“{t}”"),
            **context,
        )
        return HTMLResponse(html, status_code=status, headers={"Content-Language": lang})

    def error(self, request: Request, exc: LanterneError) -> HTMLResponse:
        """The error page. Messages written for the command line (« lanterne stats ») are said
        to the public in its own words; the API keeps the full message."""
        lang = self.lang(request)
        public = PUBLIC_ERRORS.get(exc.key)
        message = self.texts[lang].gettext(public) if public else exc.message(lang)
        return self.render(
            request,
            "error.html.j2",
            {"status": exc.http_status, "message": message},
            status=exc.http_status,
        )


def embedded_json(value: Any) -> Markup:
    """JSON to place inside an HTML element (``<script type="application/ld+json">``): ``<``,
    ``>``, ``&`` and ``'`` written as ``\\u003c``… so no text in it can end the element or open
    a comment that swallows the page (escaping ``</`` alone let ``<!--<script>`` through).
    Every JSON embedded in a page goes through here."""
    return htmlsafe_json_dumps(value, ensure_ascii=False, indent=1)


PUBLIC_ERRORS: dict[str, str] = {
    "work.not_found": N_(
        "Cette œuvre n'est pas dans le catalogue : elle a pu en être retirée, ou l'adresse est "
        "incomplète. Cherchez-la par son titre."
    ),
    "web.no_catalogue": N_("Ce site ne présente pas encore de catalogue d'œuvres."),
    "entity.not_found": N_(
        "Aucune œuvre de ce catalogue ne nomme cet agent ou ce lieu : l'adresse est incomplète, "
        "ou ses œuvres ont été retirées. Cherchez-le par son nom."
    ),
    "web.audit_not_found": N_(
        "Cet audit n'existe pas ou plus. La liste des audits publiés est sur la page Audits."
    ),
}
"""What a visitor reads for errors whose message speaks to the site's operator."""


def _number(n: float, lang: Lang) -> str:
    text = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _percent(x: float | None, lang: Lang) -> str:
    if x is None:
        return "—"
    text = f"{100 * x:.0f}"
    return f"{text}\u202f%" if lang == "fr" else f"{text}%"


def _thumbnail(work: Work | None) -> Media | None:
    """A work's first image, if it has one."""
    if work is None:
        return None
    return next((m for m in work.media if m.kind.value == "image"), None)


def _query(**params: Any) -> str:
    """A query string from lists and scalars, skipping empty values."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for v in value if isinstance(value, list | tuple) else [value]:
            if v not in (None, "", []):
                pairs.append((key, str(v)))
    return urlencode(pairs)


def pages_router(site: Site, pages: Pages) -> APIRouter:
    """The public pages: discovering and finding works, the published reports, the language
    switch."""
    router = APIRouter(
        include_in_schema=False, default_response_class=HTMLResponse, route_class=MeasuredRoute
    )
    _discovery_pages(router, site, pages)
    _report_pages(router, site, pages)
    _language_switch(router, site)
    return router


def _discovery_pages(router: APIRouter, site: Site, pages: Pages) -> None:
    @router.get("/")
    def home(
        request: Request,
        aime: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
        curiosite: Annotated[float, Query(ge=0.0, le=1.0)] = 0.3,
    ) -> HTMLResponse:
        """« Découvrir autrement »: lists from the works the visitor liked, a curiosity dial,
        and for every pick why it is there."""
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        site.sync()
        service = site.recommender_service()
        liked = [w for w in dict.fromkeys(aime) if w in service.dataset.item_index][:20]
        options = site.home.options(round(curiosite, 2))
        result = recommend(site, liked, options)
        liked_types = {
            kind
            for w in liked
            for kind in service.attributes(service.dataset.item_index[w]).get("type", [])
        }
        context = {
            "liked": liked,
            "liked_types": liked_types,
            "titles": _titles(service.title, liked, result),
            "curiosity": round(curiosite, 2),
            "result": result,
            "starters": [] if liked else _starters(service.title, service.dataset.items),
            "goals": [parse_goal(g) for g in site.home.goals],
            "like_url": lambda work: "/?" + _query(aime=[*liked, work], curiosite=curiosite),
            "unlike_url": lambda work: (
                "/?" + _query(aime=[w for w in liked if w != work], curiosite=curiosite)
            ),
        }
        return pages.render(request, "home.html.j2", context)

    @router.get("/recherche")
    def search(
        request: Request,
        q: Annotated[str, Query(max_length=500)] = "",
        filtre: Annotated[list[str], Query(max_length=40)] = [],  # noqa: B006
        page: Annotated[int, Query(ge=1, le=500)] = 1,
    ) -> HTMLResponse:
        """Search with facets: a GET form, so every state of the page is a shareable address."""
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        filters = parse_filters(filtre)
        results = run_search(site, q, "hybrid", filters, PAGE, (page - 1) * PAGE)
        chosen = {f"{k}:{v}" for k, vs in filters.items() for v in vs}
        # What tells the hits apart (kind, date, place, source, image): one page of works.
        reader = site.reader()
        works = site.reading(lambda: {h.id: reader.get(h.id) for h in results.hits})
        context = {
            "q": q,
            "results": results,
            "works": works,
            "thumbnail": _thumbnail,
            "chosen": chosen,
            "facet_order": [f for f in FACETS if f in results.facets],
            "page": page,
            "pages": max(1, -(-results.total // PAGE)),
            "page_url": lambda n: "/recherche?" + _query(q=q, filtre=sorted(chosen), page=n),
            "remove_url": lambda f: "/recherche?" + _query(q=q, filtre=sorted(chosen - {f})),
            "snippet": lambda s: Markup(s),
        }
        return pages.render(request, "search.html.j2", context)

    # HEAD too: TDMRep agents read a work's tdm-reservation headers from either.
    @router.api_route("/oeuvre/{work_id:path}", methods=["GET", "HEAD"], response_model=None)
    def work(request: Request, work_id: str) -> Response:
        """A work: what it is, where to see it, its creation label, its JSON-LD, similar works.
        Its RDF formats too, by the ``Accept`` header (``web/_publish.py``)."""
        from lanterne.profile.schemaorg import work_to_jsonld

        rdf = negotiated(request, site, work_id)
        if rdf is not None:
            return rdf
        found = site.reading(lambda: site.reader().get(work_id))
        if found is None:
            raise missing(site, work_id)
        jsonld = embedded_json(work_to_jsonld(found))
        similar = None
        service = site.recommender_service()
        if work_id in service.dataset.item_index:
            # Works like this one: the home's goals would fill half of six places with works
            # chosen for another reason.
            options = msgspec.structs.replace(site.home.options(0.0, k=6), goals=())
            similar = recommend(site, [work_id], options)
        # Similar works of the same kind first; the others are offered as another field, not
        # as « close to » a work they cannot be compared with (combs beside a jazz festival).
        picks = similar.items if similar is not None else []
        kind = found.type.value
        same = [p for p in picks if kind in p.attributes.get("type", ["CreativeWork"])]
        other = [p for p in picks if p not in same]
        tdm = tdm_headers(found)
        context = {
            "work": found,
            "tdm": tdm,
            "jsonld": jsonld,
            "similar": same,
            "elsewhere": other,
            "like_home": "/?" + _query(aime=[work_id]),
            "alternates": alternates(work_id),
            "entity_page": entity_page,
        }
        page = pages.render(request, "work.html.j2", context)
        page.headers.update(variant_headers(work_id))
        page.headers.update(tdm)
        return page

    def entity(kind: EntityKind) -> Callable[[Request, str], Response]:
        def answer(request: Request, key: str) -> Response:
            """An agent or a place: its name, identifiers and the catalogue's works naming it.
            Its RDF formats too, by the ``Accept`` header."""
            rdf = entity_negotiated(request, site, kind, key)
            if rdf is not None:
                return rdf
            found, works, total = find(site, kind, key)
            context = {
                "entity": found,
                "works": works,
                "total": total,
                "alternates": entity_alternates(kind, key),
                "jsonld": embedded_json(entity_document(found, site.base_uri)),
                "uri": entity_uri(site.base_uri, found),
                "search": "/recherche?" + _query(q=found.name) if found.name else None,
                "identifier_uri": identifier_uri,
                "work_path": page_path,
            }
            page = pages.render(request, "entity.html.j2", context)
            page.headers.update(entity_headers(kind, key))
            return page

        return answer

    for kind, path in ENTITY_PAGES.items():
        router.add_api_route(
            path + "{key:path}",
            entity(kind),
            methods=["GET", "HEAD"],
            response_model=None,
            response_class=HTMLResponse,
        )

    @router.get("/donnees-ouvertes")
    def open_data(request: Request) -> HTMLResponse:
        """« Données ouvertes »: the endpoints, dumps, licences, and how to harvest them."""
        return pages.render(request, "open-data.html.j2", open_data_context(site))


def _report_pages(router: APIRouter, site: Site, pages: Pages) -> None:
    @router.get("/diagnostic")
    def diagnosis(request: Request) -> HTMLResponse:
        """The catalogue's discoverability diagnosis, for the organisation that publishes it."""
        from lanterne.diagnose import render_body

        report = site.diagnosis()
        lang = pages.lang(request)
        body = Markup(render_body(report, lang))
        return pages.render(request, "report.html.j2", {"body": body, "kind": "diagnosis"})

    @router.get("/audits")
    def audits(request: Request) -> HTMLResponse:
        return pages.render(request, "audits.html.j2", {"names": site.audit_names()})

    @router.get("/audits/{name}")
    def audit(request: Request, name: str) -> HTMLResponse:
        from lanterne.audit import render_body

        report = site.audit(name)
        body = Markup(render_body(report, pages.lang(request)))
        return pages.render(request, "report.html.j2", {"body": body, "kind": "audit"})


def _language_switch(router: APIRouter, site: Site) -> None:
    @router.post("/langue")
    def switch_language(
        request: Request,
        lang: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        suite: Annotated[str, Form()] = "/",
    ) -> Response:
        """The language switch: a form (works without JavaScript), CSRF-checked."""
        site.guard.check_form(request.cookies.get(CSRF_COOKIE), csrf)
        if lang not in LANGS:
            raise BadInput("web.bad_setting", detail=f"lang « {lang} »")
        # Only a path on this site: an open redirect would let a link send visitors elsewhere.
        target = suite if suite.startswith("/") and not suite.startswith("//") else "/"
        target = _without_lang(target)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
        return response


def _titles(
    title: Callable[[str], str], liked: list[str], result: RecommendResponse
) -> dict[str, str]:
    """The titles the home page names: the liked works, and those a pick is explained by or
    replaced."""
    titles = {w: title(w) for w in liked}
    for pick in result.items:
        if pick.explanation is not None:
            for b in pick.explanation.because:
                titles.setdefault(b.item, title(b.item))
            if pick.explanation.replaced:
                titles.setdefault(pick.explanation.replaced, title(pick.explanation.replaced))
    return titles


def _starters(title: Callable[[str], str], items: Sequence[str]) -> list[tuple[str, str]]:
    """Works spread over the catalogue, offered to a visitor who has liked nothing yet."""
    step = max(1, len(items) // STARTERS)
    return [(items[i], title(items[i])) for i in range(0, len(items), step)][:STARTERS]


def _without_lang(path: str) -> str:
    """Drop a ``lang=`` parameter, which would otherwise beat the cookie just set."""
    base, _, query = path.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("lang=")]
    return base + ("?" + "&".join(kept) if kept else "")


def static_files() -> str:
    return str(resources.files("lanterne.web").joinpath("static"))
