"""A work with images as a IIIF Presentation 3 manifest (``BASE/iiif/ID/manifest``).

One Canvas per image whose size the record gives, the image painted on it whole (the Image
API is not served: the body is the image file itself, its format from the URL's extension).
A Canvas must have a width and a height (Presentation 3, §3 « Canvas »): an image of unknown
size would be drawn stretched to a size made up here, so it is left out, and a work none of
whose images has a size has no manifest. Labels and metadata are language maps: the work's
texts under their own language tag (``none`` when untagged), the names of the fields in French
and English. ``rights`` is given when the licence is a Creative Commons or rightsstatements.org
statement, in the ``http://`` form both IIIF's validator and Europeana require.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from lanterne.profile import FuzzyDate, LangText, Media, MediaKind, Role, TextKind, Work
from lanterne.publish._rights import europeana_rights

IIIF_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MANIFEST_MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'

_FORMATS = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "jp2": "image/jp2",
    "svg": "image/svg+xml",
    "avif": "image/avif",
}

_ROLES: dict[Role, tuple[str, str]] = {
    Role.AUTHOR: ("Auteur", "Author"),
    Role.CREATOR: ("Créateur", "Creator"),
    Role.DIRECTOR: ("Réalisation", "Director"),
    Role.ACTOR: ("Interprète", "Actor"),
    Role.PERFORMER: ("Artiste", "Performer"),
    Role.COMPOSER: ("Composition", "Composer"),
    Role.ILLUSTRATOR: ("Illustration", "Illustrator"),
    Role.TRANSLATOR: ("Traduction", "Translator"),
    Role.EDITOR: ("Édition", "Editor"),
    Role.PUBLISHER: ("Éditeur", "Publisher"),
    Role.PRODUCER: ("Production", "Producer"),
    Role.PRODUCTION_COMPANY: ("Société de production", "Production company"),
    Role.ORGANIZER: ("Organisation", "Organizer"),
    Role.CONTRIBUTOR: ("Contribution", "Contributor"),
}


def manifest_uri(base: str, work_id: str) -> str:
    """The manifest's URI: ``BASE/iiif/ID/manifest``, the id percent-encoded whole."""
    return f"{base.rstrip('/')}/iiif/{quote(work_id, safe='')}/manifest"


def work_page(base: str, work_id: str) -> str:
    """The work's page (``BASE/oeuvre/ID``), the manifest's ``homepage``."""
    return f"{base.rstrip('/')}/oeuvre/{quote(work_id, safe='')}"


def manifest_images(work: Work) -> list[Media]:
    """The images a manifest paints: the work's images whose width and height are known."""
    return [m for m in work.media if m.kind is MediaKind.IMAGE and m.width and m.height and m.url]


def image_format(url: str) -> str:
    """The media type named by the URL's extension (``image/jpeg`` when it names none)."""
    path = urlsplit(url).path
    ext = path.rpartition(".")[2].lower() if "." in path.rpartition("/")[2] else ""
    return _FORMATS.get(ext, "image/jpeg")


def _bilingual(fr: str, en: str) -> dict[str, list[str]]:
    return {"fr": [fr], "en": [en]}


def _language_map(texts: list[LangText]) -> dict[str, list[str]]:
    """Texts under their language tag (``none`` for an untagged one), in the record's order."""
    found: dict[str, list[str]] = {}
    for t in texts:
        value = t.value.strip()
        if value:
            found.setdefault(t.lang or "none", []).append(value)
    return found


def _none(values: list[str]) -> dict[str, list[str]]:
    return {"none": list(dict.fromkeys(v.strip() for v in values if v.strip()))}


def _date(date: FuzzyDate) -> str:
    if date.text and date.text.strip():
        return date.text.strip()
    return date.earliest if date.earliest == date.latest else f"{date.earliest}/{date.latest}"


def _metadata(work: Work) -> list[dict[str, Any]]:
    entries: list[tuple[tuple[str, str], dict[str, list[str]]]] = []
    others = [t for t in work.titles if t.kind is not TextKind.TITLE]
    if others:
        entries.append((("Autre titre", "Other title"), _language_map(list(others))))
    for role, label in _ROLES.items():
        names = [c.agent.name for c in work.contributors if c.role is role]
        if names:
            entries.append((label, _none(names)))
    if work.created is not None:
        entries.append((("Création", "Created"), _none([_date(work.created)])))
    if work.published is not None:
        entries.append((("Publication", "Published"), _none([_date(work.published)])))
    starts = [e.start for e in work.events if e.start]
    if starts:
        entries.append((("Date", "Date"), _none(starts)))
    if work.in_languages:
        entries.append((("Langue", "Language"), _none(work.in_languages)))
    for terms, label in ((work.genres, ("Genre", "Genre")), (work.subjects, ("Sujet", "Subject"))):
        if terms:
            texts = [LangText(value=t.label, lang=t.lang) for t in terms]
            entries.append((label, _language_map(texts)))
    places = [p.name for p in work.places if p.name]
    places += [e.place.name for e in work.events if e.place is not None and e.place.name]
    if places:
        entries.append((("Lieu", "Place"), _none(places)))
    if work.identifiers:
        ids = [f"{i.scheme.value}:{i.value}" for i in work.identifiers]
        entries.append((("Identifiant", "Identifier"), _none(ids)))
    entries.append((("Type", "Type"), _none([work.type.value])))
    return [
        {"label": _bilingual(*label), "value": value}
        for label, value in entries
        if any(value.values())
    ]


def _licence(work: Work, images: list[Media]) -> str | None:
    if work.rights is not None and work.rights.licence:
        return work.rights.licence
    return images[0].licence if images and images[0].licence else None


def _rights(licence: str | None) -> str | None:
    """The licence as IIIF's ``rights`` accepts it (http CC or rightsstatements.org), or None."""
    uri = europeana_rights(licence).uri
    if uri and re.match(r"http://(creativecommons\.org|rightsstatements\.org)/", uri):
        return uri
    return None


def iiif_manifest(work: Work, base: str) -> dict[str, Any]:
    """The IIIF Presentation 3 manifest of ``work`` (JSON, ready to serve).

    Raises:
        ValueError: the work has no image of known size (``manifest_images`` is empty).
    """
    images = manifest_images(work)
    if not images:
        raise ValueError(f"{work.id}: no image of known size")
    manifest_id = manifest_uri(base, work.id)
    root = manifest_id.rpartition("/")[0]
    titles = [t for t in work.titles if t.kind is TextKind.TITLE] or list(work.titles)
    label = _language_map(list(titles)) or _none([work.title])
    page = work_page(base, work.id)
    site = base.rstrip("/") + "/"
    attribution = (work.provenance.attribution or "").strip() or work.provenance.source
    manifest: dict[str, Any] = {
        "@context": IIIF_CONTEXT,
        "id": manifest_id,
        "type": "Manifest",
        "label": label,
        "metadata": _metadata(work),
    }
    summary = _language_map(work.descriptions)
    if summary:
        manifest["summary"] = summary
    rights = _rights(_licence(work, images))
    if rights:
        manifest["rights"] = rights
    manifest["requiredStatement"] = {
        "label": _bilingual("Attribution", "Attribution"),
        "value": _bilingual(f"Fourni par {attribution}", f"Provided by {attribution}"),
    }
    manifest["provider"] = [
        {
            "id": site,
            "type": "Agent",
            "label": _bilingual(
                "Lanterne — découvrabilité des œuvres francophones",
                "Lanterne — discoverability of French-language works",
            ),
            "homepage": [
                {
                    "id": site,
                    "type": "Text",
                    "label": _bilingual("Lanterne", "Lanterne"),
                    "format": "text/html",
                }
            ],
        }
    ]
    manifest["homepage"] = [
        {"id": page, "type": "Text", "label": label, "format": "text/html", "language": ["fr"]}
    ]
    first = images[0]
    manifest["thumbnail"] = [
        {
            "id": first.url,
            "type": "Image",
            "format": image_format(first.url),
            "width": first.width,
            "height": first.height,
        }
    ]
    manifest["items"] = [_canvas(root, n, media) for n, media in enumerate(images, 1)]
    return manifest


def _canvas(root: str, n: int, media: Media) -> dict[str, Any]:
    canvas_id = f"{root}/canvas/{n}"
    canvas: dict[str, Any] = {
        "id": canvas_id,
        "type": "Canvas",
        "width": media.width,
        "height": media.height,
    }
    if media.caption and media.caption.strip():
        canvas["label"] = _none([media.caption])
    canvas["items"] = [
        {
            "id": f"{root}/page/{n}",
            "type": "AnnotationPage",
            "items": [
                {
                    "id": f"{root}/annotation/{n}",
                    "type": "Annotation",
                    "motivation": "painting",
                    "body": {
                        "id": media.url,
                        "type": "Image",
                        "format": image_format(media.url),
                        "width": media.width,
                        "height": media.height,
                    },
                    "target": canvas_id,
                }
            ],
        }
    ]
    return canvas


__all__ = [
    "IIIF_CONTEXT",
    "MANIFEST_MEDIA_TYPE",
    "iiif_manifest",
    "image_format",
    "manifest_images",
    "manifest_uri",
    "work_page",
]
