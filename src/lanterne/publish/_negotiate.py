"""Choosing a media type from an ``Accept`` header (RFC 9110 §12.5.1), q-values honoured."""

from __future__ import annotations

from collections.abc import Sequence


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """``(type, subtype, q)`` of each media range; a range with a malformed q counts as q=0."""
    out = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        kind, _, sub = media.lower().partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        out.append((kind, sub, q))
    return out


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or ``None`` when it accepts none of them.

    Each offered type takes the q of the most specific range that matches it (``text/turtle``
    before ``text/*`` before ``*/*``); the highest q wins, ties going to the earlier offered
    type. No ``Accept`` (or an empty one) accepts anything: the first offered type.
    """
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges = _ranges(accept)
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int, str] | None = None
    for order, media in enumerate(offered):
        kind, _, sub = media.partition("/")
        matched: tuple[int, float] | None = None
        for r_kind, r_sub, q in ranges:
            if (r_kind, r_sub) == (kind, sub):
                specificity = 2
            elif r_kind == kind and r_sub == "*":
                specificity = 1
            elif (r_kind, r_sub) == ("*", "*"):
                specificity = 0
            else:
                continue
            if matched is None or specificity > matched[0]:
                matched = (specificity, q)
        if matched is None or matched[1] <= 0.0:
            continue
        candidate = (-matched[1], order, media)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def _profile_ranges(accept_profile: str) -> list[tuple[str, float]]:
    """``(URI, q)`` of each profile of an ``Accept-Profile`` header (W3C Content Negotiation by
    Profile, §7.1: ``<URI>;q=…`` separated by commas); anything else in it is ignored, and a
    malformed q counts as 0."""
    out = []
    for part in accept_profile.split(","):
        token, *params = (p.strip() for p in part.split(";"))
        if not (token.startswith("<") and token.endswith(">")) or len(token) < 3:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:
                    q = 0.0
        out.append((token[1:-1], q))
    return out


def choose_profile(accept_profile: str | None, offered: Sequence[str]) -> str | None:
    """The offered profile (a URI) the client prefers, or ``None`` when it accepts none.

    No ``Accept-Profile`` (or one naming no profile at all) leaves the choice to the server:
    the first offered. Otherwise the highest q among the offered profiles it names wins, ties
    going to the earlier offered; naming only profiles not offered (or with q=0) is ``None``.
    """
    if not offered:
        return None
    ranges = _profile_ranges(accept_profile or "")
    if not ranges:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for order, uri in enumerate(offered):
        qs = [q for named, q in ranges if named == uri]
        if not qs or max(qs) <= 0.0:
            continue
        candidate = (-max(qs), order, uri)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]
