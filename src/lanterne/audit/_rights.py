"""What a crawled platform says about crawling and mining its works: ``robots.txt`` and TDMRep.

The simulator reads them as a TDM agent would (W3C TDMRep, « Processing priority »): the file
``/.well-known/tdmrep.json`` first, then the ``tdm-reservation`` / ``tdm-policy`` headers of each
work's page, then its ``<meta>`` elements, each later value superseding an earlier one; and
``robots.txt`` for whether a crawler may fetch the page at all. Requests stay on the platform's
loopback client, bounded like the personas' own.
"""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib import robotparser
from urllib.parse import quote

import msgspec

from lanterne.errors import BadInput
from lanterne.provenance import (
    WELL_KNOWN,
    TdmRule,
    TdmValue,
    effective,
    parse_rules,
    rule_for,
    value_of,
)

if TYPE_CHECKING:
    import httpx

AGENT = "lanterne-audit"
"""The user agent the simulator names itself by in ``robots.txt`` rules."""


class ItemRights(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    path: str
    robots_allowed: bool
    status: int
    file: TdmValue | None = None
    header: TdmValue | None = None
    meta: TdmValue | None = None
    effective: TdmValue | None = None
    """What an agent ends with (file < header < meta)."""


class PlatformRights(msgspec.Struct, kw_only=True):
    """``robots.txt`` and TDMRep of one platform, and what they say of the works visited."""

    platform: str
    robots: str | None
    """The ``robots.txt`` text (``None``: not found)."""
    tdmrep_rules: int | None
    """Rules of ``/.well-known/tdmrep.json`` (``None``: not found)."""
    tdmrep_problem: str | None = None
    items: list[ItemRights] = []
    reserved: int = 0
    not_reserved: int = 0
    unset: int = 0
    robots_refused: int = 0


class _Meta(HTMLParser):
    """The ``tdm-reservation`` and ``tdm-policy`` meta elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = dict(attrs)
        name = (values.get("name") or "").strip().lower()
        if name in ("tdm-reservation", "tdm-policy") and name not in self.found:
            self.found[name] = values.get("content") or ""


def _value(found: dict[str, str] | httpx.Headers) -> TdmValue | None:
    reservation = found.get("tdm-reservation")
    return None if reservation is None else value_of(reservation, found.get("tdm-policy"))


def work_path(item: str) -> str:
    """Where Lanterne serves a work's page."""
    return "/oeuvre/" + quote(item, safe="")


def read_rights(
    client: httpx.Client, platform: str, items: Sequence[str], *, max_items: int = 50
) -> PlatformRights:
    """``robots.txt``, ``tdmrep.json`` and each work's page (the first ``max_items`` of
    ``items``, each once) of the platform behind ``client``."""
    robots_text = _get_text(client, "/robots.txt")
    robots = robotparser.RobotFileParser()
    robots.parse((robots_text or "").splitlines())
    rules: list[TdmRule] = []
    answer = PlatformRights(platform=platform, robots=robots_text, tdmrep_rules=None)
    found = client.get(WELL_KNOWN)
    if found.status_code == 200:
        try:
            rules = parse_rules(found.content, WELL_KNOWN)
            answer.tdmrep_rules = len(rules)
        except BadInput as exc:
            answer.tdmrep_problem = exc.message("en")
    for item in list(dict.fromkeys(items))[:max_items]:
        path = work_path(item)
        allowed = robots_text is None or robots.can_fetch(AGENT, path)
        rule = rule_for(rules, path)
        from_file = rule.value if rule is not None else None
        page = client.get(path, headers={"Accept": "text/html"})
        meta = _Meta()
        if page.status_code == 200 and "html" in page.headers.get("content-type", ""):
            meta.feed(page.text)
        header, in_page = _value(page.headers), _value(meta.found)
        final = effective(from_file, header, in_page)
        answer.items.append(
            ItemRights(
                item=item,
                path=path,
                robots_allowed=allowed,
                status=page.status_code,
                file=from_file,
                header=header,
                meta=in_page,
                effective=final,
            )
        )
        if final is None:
            answer.unset += 1
        elif final.reservation == 1:
            answer.reserved += 1
        else:
            answer.not_reserved += 1
        answer.robots_refused += not allowed
    return answer


def _get_text(client: httpx.Client, path: str) -> str | None:
    response = client.get(path)
    return response.text if response.status_code == 200 else None
