"""Publishing: the catalogue as linked data (HTTP URIs, content negotiation), dumps with their
DCAT/VoID description, and sitemaps from the change log. Above ``catalogue`` and ``profile``,
below ``web`` and the CLI (docs/publishing.md)."""

from lanterne.publish._document import GLOBAL_SCHEMES, entity_key, work_document, work_page
from lanterne.publish._dump import DumpSummary, SourceFacts, atomic_file, describe, dump
from lanterne.publish._formats import FORMATS, Format, Writer, dump_formats, one_work
from lanterne.publish._negotiate import choose
from lanterne.publish._sitemap import (
    LIMIT,
    SitemapRun,
    SitemapState,
    chunk_states,
    index_url,
    index_xml,
    live_lastmod,
    sitemap_url,
    update_sitemaps,
    urlset_xml,
)
from lanterne.publish._triples import TripleWriter
from lanterne.publish._uris import agent_uri, place_uri, work_uri

__all__ = [
    "FORMATS",
    "GLOBAL_SCHEMES",
    "LIMIT",
    "DumpSummary",
    "Format",
    "SitemapRun",
    "SitemapState",
    "SourceFacts",
    "TripleWriter",
    "Writer",
    "agent_uri",
    "atomic_file",
    "choose",
    "chunk_states",
    "describe",
    "dump",
    "dump_formats",
    "entity_key",
    "index_url",
    "index_xml",
    "live_lastmod",
    "one_work",
    "place_uri",
    "sitemap_url",
    "update_sitemaps",
    "urlset_xml",
    "work_document",
    "work_page",
    "work_uri",
]
