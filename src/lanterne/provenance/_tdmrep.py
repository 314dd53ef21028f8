"""TDMRep (W3C community group final report, 2024): the text-and-data-mining reservation of
each work, published where agents look, and read back from a platform the way an agent does.

Two properties: ``tdm-reservation`` (``1`` reserved, the DSM directive's art. 4 opt-out; ``0``
not reserved; any other value is a protocol error, read as unset) and ``tdm-policy`` (the URL
of a policy, not read when the reservation is ``0``, hence never written then). One fact per
work, its profile's ``tdm`` (the source's declaration stamped at import unless the record says
otherwise), published four ways that must agree: HTTP headers, ``<meta>`` of the page,
``/.well-known/tdmrep.json`` and the JSON-LD record.

The file is an array of rules ``{"location", "tdm-reservation", "tdm-policy"?}``; a location is
a robots.txt pattern (``*`` any characters, a final ``$`` the end of the path, otherwise a
prefix), matched case-sensitively after percent-decoding the unreserved characters of both
sides; the first rule that matches is the one used (« the most specific match is the first in
sequence »), and no match means unset. An agent reads the file first, then the headers, then the
page's meta, each later value superseding an earlier one; an absent value resets nothing.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec

from lanterne.errors import BadInput
from lanterne.profile import Work

RESERVATION = "tdm-reservation"
POLICY = "tdm-policy"
WELL_KNOWN = "/.well-known/tdmrep.json"


class TdmValue(msgspec.Struct, frozen=True, kw_only=True):
    """What TDMRep says of one resource: ``reservation`` 1 or 0, and the policy when reserved."""

    reservation: int
    policy: str | None = None


class TdmRule(msgspec.Struct, frozen=True, kw_only=True):
    """One rule of ``tdmrep.json``; ``value`` is ``None`` when its reservation is not 0 or 1."""

    location: str
    value: TdmValue | None

    def to_json(self) -> dict[str, Any]:
        assert self.value is not None  # the rules Lanterne writes always say 0 or 1
        out: dict[str, Any] = {"location": self.location, RESERVATION: self.value.reservation}
        if self.value.policy:
            out[POLICY] = self.value.policy
        return out


def value_of(reservation: object, policy: object = None) -> TdmValue | None:
    """The value of a ``tdm-reservation`` (header text, meta content or JSON number) and its
    policy; ``None`` (unset) for anything but 1 or 0. The policy counts only when reserved."""
    if isinstance(reservation, bool):
        return None  # JSON true is not the integer 1
    text = str(reservation).strip() if isinstance(reservation, (int, str)) else ""
    if text not in ("0", "1"):
        return None
    if text == "0":
        return TdmValue(reservation=0)
    kept = policy.strip() if isinstance(policy, str) and policy.strip() else None
    return TdmValue(reservation=1, policy=kept)


def work_value(work: Work) -> TdmValue | None:
    """The work's reservation as TDMRep says it; ``None`` when neither it nor its source says."""
    if work.tdm is None:
        return None
    return TdmValue(
        reservation=1 if work.tdm.reserved else 0,
        policy=work.tdm.policy if work.tdm.reserved else None,
    )


def http_headers(value: TdmValue | None) -> dict[str, str]:
    """``tdm-reservation`` and ``tdm-policy`` for a response (none when unset)."""
    if value is None:
        return {}
    headers = {RESERVATION: str(value.reservation)}
    if value.policy:
        headers[POLICY] = value.policy
    return headers


def meta_tags(value: TdmValue | None) -> str:
    """The ``<meta>`` elements of a page's head (empty when unset)."""
    return "".join(
        f'<meta name="{name}" content="{html.escape(content)}">'
        for name, content in http_headers(value).items()
    )


# Reading a tdmrep.json ---------------------------------------------------------------------


def parse_rules(data: bytes, name: str = WELL_KNOWN) -> list[TdmRule]:
    """The rules of a ``tdmrep.json``, in order. ``BadInput`` naming ``name`` when it is not
    a JSON array of objects each with a ``location`` (brackets are mandatory, even for one
    rule); a rule whose reservation is not 0 or 1 is kept, as unset."""
    try:
        found = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BadInput("provenance.bad_tdmrep", path=name, detail=str(exc)) from None
    if not isinstance(found, list):
        raise BadInput("provenance.bad_tdmrep", path=name, detail="not an array")
    rules = []
    for i, rule in enumerate(found):
        if not isinstance(rule, dict) or not isinstance(rule.get("location"), str):
            raise BadInput("provenance.bad_tdmrep", path=name, detail=f"rule {i}: no location")
        rules.append(
            TdmRule(
                location=rule["location"], value=value_of(rule.get(RESERVATION), rule.get(POLICY))
            )
        )
    return rules


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _normalise(path: str) -> str:
    """Percent-escapes of unreserved characters decoded, the others' hex in capitals (RFC 3986
    § 6.2.2): ``/a%7Eb`` and ``/a~b`` compare equal, ``%3a`` and ``%3A`` too, ``%3A`` and ``:``
    do not."""

    def one(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else "%" + m.group(1).upper()

    return _ESCAPE.sub(one, path)


@functools.lru_cache(maxsize=4096)
def _pattern(location: str) -> re.Pattern[str]:
    anchored = location.endswith("$")
    body = _normalise(location[:-1] if anchored else location)
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)


def matches(location: str, path: str) -> bool:
    """Whether the rule's ``location`` pattern matches ``path`` (its query included, if any).

    A ``$`` or ``*`` in the path is compared as its escape: a pattern names them ``%24`` and
    ``%2A``, its own ``$`` and ``*`` being operators.
    """
    literal = _normalise(path).replace("$", "%24").replace("*", "%2A")
    return _pattern(location).match(literal) is not None


def rule_for(rules: Sequence[TdmRule], url: str) -> TdmRule | None:
    """The rule that applies to ``url`` (a path or a whole URL): the first that matches."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return next((r for r in rules if matches(r.location, path)), None)


def effective(*layers: TdmValue | None) -> TdmValue | None:
    """What an agent ends with: each layer (file, then headers, then meta) supersedes the ones
    before it, and an absent one supersedes nothing."""
    found = None
    for layer in layers:
        if layer is not None:
            found = layer
    return found


# Writing the site's tdmrep.json ------------------------------------------------------------


def path_forms(work_id: str) -> list[str]:
    """The two ways a work id appears in a path: fully escaped (the site's own links) and with
    its colons as they are (typed by hand, ``/oeuvre/musee:12``); a pattern's ``*`` and ``$``
    are escaped in both."""
    escaped = quote(work_id, safe="")
    plain = quote(work_id, safe=":")
    return [escaped] if plain == escaped else [escaped, plain]


def site_rules(
    works: Iterable[Work],
    prefixes: Sequence[str],
    extensions: Sequence[str] = (),
) -> list[TdmRule]:
    """The rules of the site's ``tdmrep.json`` for the works under each of ``prefixes``
    (``/oeuvre/``: the page at ``/oeuvre/ID``, its variants at ``/oeuvre/ID.EXT``).

    One prefix rule per source whose works all have a reservation (the most common value), and
    before them, exact rules for each work that differs from its source's: every work gets from
    the file what its headers say, and a work with no reservation matches no rule.
    """
    by_source: dict[str, list[tuple[str, TdmValue | None]]] = {}
    for work in works:
        by_source.setdefault(work.provenance.source, []).append((work.id, work_value(work)))
    exact: list[TdmRule] = []
    broad: list[TdmRule] = []
    for source in sorted(by_source):
        values = by_source[source]
        counts = Counter(v for _, v in values)
        common: TdmValue | None = None
        if None not in counts:
            # The most common value (ties: reserved first, then by policy, for a stable file).
            common = max(
                (v for v in counts if v is not None),
                key=lambda v: (counts[v], v.reservation, v.policy or ""),
            )
        for work_id, value in values:
            if value is None or value == common:
                continue
            for prefix in prefixes:
                for form in path_forms(work_id):
                    for tail in ("", *(f".{e}" for e in extensions)):
                        exact.append(TdmRule(location=f"{prefix}{form}{tail}$", value=value))
        if common is not None:
            for prefix in prefixes:
                for form in path_forms(f"{source}:"):
                    broad.append(TdmRule(location=f"{prefix}{form}", value=common))
    return exact + broad


def rules_json(rules: Sequence[TdmRule]) -> bytes:
    """``tdmrep.json``: the array of rules (``[]`` when nothing is reserved or declared)."""
    return json.dumps([r.to_json() for r in rules], ensure_ascii=False, indent=1).encode()
