"""The pages' texts through gettext: French is the source language (msgids are French), English
comes from ``locale/en/LC_MESSAGES/lanterne.po``, read when the application starts (no compiled
``.mo`` file to keep in step with it)."""

from __future__ import annotations

import gettext
import io
from importlib import resources
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DOMAIN = "lanterne"


def translations(lang: Lang) -> gettext.NullTranslations:
    """French as written in the templates; English from the committed catalogue."""
    if lang == "fr":
        return gettext.NullTranslations()
    po = resources.files("lanterne.web").joinpath(f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def negotiate(query: str | None, cookie: str | None, accept: str | None) -> Lang:
    """``?lang=`` beats the cookie the switch sets, which beats the browser; French by default."""
    for value in (query, cookie):
        if value in LANGS:
            return value
    best: tuple[float, Lang] = (0.0, "fr")
    for part in (accept or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        # French wins ties: the site speaks French first.
        if quality > best[0] or (quality == best[0] and primary == "fr"):
            best = (quality, primary)
    return best[1]
