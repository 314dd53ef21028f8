"""Sitemaps (sitemaps.org 0.9) of the works' pages, from the catalogue's own record of changes.

Works are placed in sitemaps by their position in the catalogue (the order they were first
stored, which never changes): sitemap ``N`` holds the live works of positions
``N·limit + 1 … (N+1)·limit``, so each has at most ``limit`` URLs (50,000 by the protocol), a
new work lands in the last one, and a deleted work leaves its own sitemap and no other. Each URL's
``lastmod`` is the time of the work's last change in the change log: true, never the time the
file was written (search engines ignore a ``lastmod`` that lies).

``update_sitemaps`` writes ``sitemap.xml`` (the index) and ``sitemaps/N.xml`` into a folder and
keeps a small state there (``sitemaps.state.json``: the last change read and each sitemap's
``lastmod``). Run again, it reads the change log from there and rewrites only the sitemaps
whose works changed, then the index. The web server builds the same files from the catalogue
when asked (``index_xml``, ``urlset_xml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import msgspec

from lanterne.catalogue import Catalogue, WorkState
from lanterne.publish._document import work_page
from lanterne.publish._dump import atomic_file

LIMIT = 50_000
"""URLs per sitemap: the protocol's maximum."""
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
STATE = "sitemaps.state.json"
PAGE = 5_000
"""Work states read at a time."""
FULL_AFTER = 100_000
"""Changed works past which rebuilding everything is cheaper than looking each one up."""


class SitemapState(msgspec.Struct, kw_only=True):
    base: str
    limit: int
    last_seq: int = 0
    lastmod: dict[int, str] = {}
    """Sitemap number → its ``lastmod`` (the latest change of its works); only non-empty ones."""


class SitemapRun(msgspec.Struct, kw_only=True):
    written: list[int]
    """Sitemaps written (or rewritten) by this run."""
    removed: list[int]
    """Sitemaps deleted because none of their works is left."""
    sitemaps: int
    urls_changed: int
    full: bool


def sitemap_url(base: str, number: int) -> str:
    return f"{base.rstrip('/')}/sitemaps/{number}.xml"


def index_url(base: str) -> str:
    return f"{base.rstrip('/')}/sitemap.xml"


def urlset_xml(base: str, states: Iterable[WorkState]) -> str:
    """One sitemap: a ``<url>`` per live work of ``states``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for state in states:
        if not state.deleted:
            loc = escape(work_page(base, state.id))
            lines.append(f"<url><loc>{loc}</loc><lastmod>{state.modified}</lastmod></url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def index_xml(base: str, lastmod: dict[int, str]) -> str:
    """The sitemap index: each non-empty sitemap with its ``lastmod``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NAMESPACE}">']
    for number in sorted(lastmod):
        loc = escape(sitemap_url(base, number))
        lines.append(f"<sitemap><loc>{loc}</loc><lastmod>{lastmod[number]}</lastmod></sitemap>")
    lines.append("</sitemapindex>\n")
    return "\n".join(lines)


def chunk_of(position: int, limit: int) -> int:
    return (position - 1) // limit


def chunk_states(catalogue: Catalogue, number: int, limit: int) -> list[WorkState]:
    """The states (deleted ones included) of sitemap ``number``'s positions."""
    first, last = number * limit, (number + 1) * limit
    out: list[WorkState] = []
    after = first
    while after < last:
        batch = catalogue.work_states(after, min(PAGE, last - after))
        out += [s for s in batch if s.position <= last]
        if not batch or batch[-1].position >= last:
            break
        after = batch[-1].position
    return out


def all_chunks(catalogue: Catalogue, limit: int) -> Iterator[tuple[int, list[WorkState]]]:
    """Every sitemap's live work states, in order, one sitemap in memory at a time."""
    current: list[WorkState] = []
    number = -1
    after = 0
    while batch := catalogue.work_states(after, PAGE):
        after = batch[-1].position
        for state in batch:
            k = chunk_of(state.position, limit)
            if k != number:
                if current:
                    yield number, current
                current, number = [], k
            if not state.deleted:
                current.append(state)
    if current:
        yield number, current


def live_lastmod(catalogue: Catalogue, limit: int) -> dict[int, str]:
    """Each non-empty sitemap's ``lastmod``, computed from the catalogue."""
    return {k: max(s.modified for s in states) for k, states in all_chunks(catalogue, limit)}


def _last_seq(catalogue: Catalogue, since: int) -> tuple[int, set[str], bool]:
    """The last change's sequence number past ``since``, the works changed, and whether there
    were too many to look up one by one."""
    changed: set[str] = set()
    too_many = False
    while batch := catalogue.changes(since, 10_000):
        since = batch[-1].seq
        if not too_many:
            changed.update(c.work_id for c in batch)
            if len(changed) > FULL_AFTER:
                too_many, changed = True, set()
    return since, changed, too_many


def _read_state(folder: Path, base: str, limit: int) -> SitemapState | None:
    path = folder / STATE
    if not path.is_file():
        return None
    try:
        state = msgspec.json.decode(path.read_bytes(), type=SitemapState)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None  # a damaged state: everything is written again, which is always right
    return state if (state.base, state.limit) == (base, limit) else None


def update_sitemaps(
    catalogue: Catalogue, folder: Path, base: str, limit: int = LIMIT
) -> SitemapRun:
    """Bring the sitemaps of ``folder`` up to date with the catalogue (see the module)."""
    if not 1 <= limit <= LIMIT:
        raise ValueError(f"limit {limit}: 1…{LIMIT}")
    sitemaps = folder / "sitemaps"
    sitemaps.mkdir(parents=True, exist_ok=True)
    previous = _read_state(folder, base, limit)
    since = previous.last_seq if previous else 0
    last_seq, changed, too_many = _last_seq(catalogue, since)
    written: list[int] = []
    removed: list[int] = []
    if previous is None or too_many:
        state = SitemapState(base=base, limit=limit, last_seq=last_seq)
        for number, states in all_chunks(catalogue, limit):
            _write(sitemaps / f"{number}.xml", urlset_xml(base, states))
            state.lastmod[number] = max(s.modified for s in states)
            written.append(number)
        # Files of sitemaps left empty (a state lost or of other settings: every file).
        old = set(previous.lastmod) if previous else set(_numbers(sitemaps))
        for number in sorted(old - set(state.lastmod)):
            (sitemaps / f"{number}.xml").unlink(missing_ok=True)
            removed.append(number)
        full = True
    else:
        state = msgspec.structs.replace(previous, last_seq=last_seq, lastmod=dict(previous.lastmod))
        touched = set()
        for work_id in changed:
            found = catalogue.work_state(work_id)
            if found is not None:
                touched.add(chunk_of(found.position, limit))
        for number in sorted(touched):
            live = [s for s in chunk_states(catalogue, number, limit) if not s.deleted]
            if live:
                _write(sitemaps / f"{number}.xml", urlset_xml(base, live))
                state.lastmod[number] = max(s.modified for s in live)
                written.append(number)
            elif number in state.lastmod:
                (sitemaps / f"{number}.xml").unlink(missing_ok=True)
                del state.lastmod[number]
                removed.append(number)
        full = False
    if full or written or removed or not (folder / "sitemap.xml").is_file():
        _write(folder / "sitemap.xml", index_xml(base, state.lastmod))
    _write(folder / STATE, msgspec.json.encode(state).decode())
    return SitemapRun(
        written=written,
        removed=removed,
        sitemaps=len(state.lastmod),
        urls_changed=len(changed),
        full=full,
    )


def _numbers(folder: Path) -> Iterator[int]:
    for path in folder.glob("*.xml"):
        if path.stem.isdigit():
            yield int(path.stem)


def _write(path: Path, text: str) -> None:
    with atomic_file(path) as out:
        out.write(text.encode("utf-8"))
