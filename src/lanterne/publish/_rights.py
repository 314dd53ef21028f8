"""A licence URI of the profile as the exact rights statement Europeana accepts, or why not.

Europeana compares ``edm:rights`` with its patterns character for character: ``http://``, the
``vocab`` form of rightsstatements.org, a final slash. A profile licence is written as
publishers do (``https://``, ``deed.fr``, ``legalcode``, ``page/InC/1.0/?language=fr``): it is
rewritten to the canonical URI, then checked against the Schematron's own patterns
(``data/crosswalk.toml``, ``[rights]``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from lanterne.publish._crosswalk import table

_CC = re.compile(
    r"^https?://(?:www\.)?creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)"
    r"(?:/([a-z]{2}|scotland|igo))?(?:/(?:deed|legalcode)(?:\.[A-Za-z_-]+)?)?/?$",
    re.IGNORECASE,
)
_RS = re.compile(
    r"^https?://(?:www\.)?rightsstatements\.org/(?:vocab|page)/([A-Za-z-]+)/(\d\.\d)/?(?:\?.*)?$",
    re.IGNORECASE,
)


_RS_CODES = (
    *("NoC-NC", "NoC-OKLR", "NoC-CR", "NoC-US", "InC-OW-EU", "InC-EDU", "InC-NC"),
    *("InC-RUU", "InC", "CNE", "UND", "NKC"),
)


class Rights(NamedTuple):
    uri: str | None
    """The statement to write in ``edm:rights``; ``None`` when there is none."""
    reason: str | None = None
    """Why not, a message id of ``lanterne.messages`` (with ``licence`` as its parameter)."""


@functools.cache
def _accepted() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in table()["rights"]["accepted"]]


@functools.cache
def _refused() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile(r["pattern"], re.IGNORECASE), str(r["reason"]))
        for r in table()["rights"]["refused"]
    ]


def canonical(licence: str) -> str:
    """The canonical form of a Creative Commons or rightsstatements.org URI (else unchanged)."""
    cc = _CC.match(licence.strip())
    if cc:
        kind, code, version, port = cc.groups()
        tail = f"{port.lower()}/" if port else ""
        return f"http://creativecommons.org/{kind.lower()}/{code.lower()}/{version}/{tail}"
    rs = _RS.match(licence.strip())
    if rs:
        code, version = rs.groups()
        return f"http://rightsstatements.org/vocab/{_rs_code(code)}/{version}/"
    return licence.strip()


def _rs_code(code: str) -> str:
    # rightsstatements.org codes are case-sensitive (InC-OW-EU); publishers write them any case.
    known = _RS_CODES
    return next((k for k in known if k.lower() == code.lower()), code)


def is_accepted(uri: str) -> bool:
    """Whether ``uri`` is one of Europeana's rights statements, exactly as written."""
    return any(p.match(uri) for p in _accepted())


def europeana_rights(licence: str | None) -> Rights:
    """The Europeana statement for a profile licence; ``Rights(None, reason)`` when none fits."""
    if not licence:
        return Rights(None, "publish.rights_missing")
    uri = canonical(licence)
    if is_accepted(uri):
        return Rights(uri)
    for pattern, reason in _refused():
        if pattern.match(licence):
            return Rights(None, reason)
    return Rights(None, "publish.rights_not_europeana")
