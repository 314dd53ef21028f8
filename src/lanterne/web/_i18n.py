"""The language of a page: which one the visitor asked for. The texts themselves go through the
one gettext catalogue of ``lanterne.report`` (French msgids, English from its ``.po``)."""

from __future__ import annotations

from lanterne.report import DOMAIN, LANGS, Lang, translations

__all__ = ["DOMAIN", "LANGS", "Lang", "negotiate", "translations"]


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
