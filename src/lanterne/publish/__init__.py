"""Publishing: the catalogue's works in the formats aggregators harvest (docs/publishing.md).

Linked data (HTTP URIs, content negotiation), dumps with their DCAT/VoID description and
sitemaps from the change log; the crosswalks to Dublin Core (oai_dc) and EDM (Europeana), both
ways; the OAI-PMH provider (``respond``); ``check`` validates records against the standards' own
files and the profile's SHACL shape (``shacl_check``); works with images have IIIF manifests.
The base URI of entities is a setting. Above ``catalogue`` and ``profile``, below ``web`` and the
CLI.
"""

from lanterne.publish._check import (
    CheckReport,
    WorkCheck,
    check,
)
from lanterne.publish._crosswalk import edm_type, identifier_uri
from lanterne.publish._dc import dc_element, read_dc, work_to_dc
from lanterne.publish._document import work_document, work_page
from lanterne.publish._dump import DumpSummary, SourceFacts, atomic_file, describe, dump
from lanterne.publish._edm import (
    EdmOptions,
    EdmRecord,
    Reason,
    edm_problems,
    edm_record,
    read_edm,
)
from lanterne.publish._entity import (
    Entity,
    entity_document,
    entity_text,
    entity_uri,
    find_entity,
    read_key,
)
from lanterne.publish._formats import (
    EDM_PROFILE,
    FORMATS,
    SCHEMA_PROFILE,
    Format,
    Writer,
    dump_formats,
    negotiated_formats,
    one_work,
    rdfxml_profiles,
)
from lanterne.publish._iiif import (
    MANIFEST_MEDIA_TYPE,
    iiif_manifest,
    manifest_images,
    manifest_uri,
)
from lanterne.publish._negotiate import choose, choose_profile
from lanterne.publish._oai import OaiConfig, OaiError, respond
from lanterne.publish._rights import europeana_rights
from lanterne.publish._shacl import (
    SHAPES_MEDIA_TYPE,
    SHAPES_PATH,
    Violation,
    shacl_check,
    shapes_turtle,
    shapes_uri,
)
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
from lanterne.publish._uris import GLOBAL_SCHEMES, agent_uri, entity_key, place_uri, work_uri
from lanterne.publish._validate import Standards, Validator

__all__ = [
    "EDM_PROFILE",
    "FORMATS",
    "GLOBAL_SCHEMES",
    "LIMIT",
    "MANIFEST_MEDIA_TYPE",
    "SCHEMA_PROFILE",
    "SHAPES_MEDIA_TYPE",
    "SHAPES_PATH",
    "CheckReport",
    "DumpSummary",
    "EdmOptions",
    "EdmRecord",
    "Entity",
    "Format",
    "OaiConfig",
    "OaiError",
    "Reason",
    "SitemapRun",
    "SitemapState",
    "SourceFacts",
    "Standards",
    "TripleWriter",
    "Validator",
    "Violation",
    "WorkCheck",
    "Writer",
    "agent_uri",
    "atomic_file",
    "check",
    "choose",
    "choose_profile",
    "chunk_states",
    "dc_element",
    "describe",
    "dump",
    "dump_formats",
    "edm_problems",
    "edm_record",
    "edm_type",
    "entity_document",
    "entity_key",
    "entity_text",
    "entity_uri",
    "europeana_rights",
    "find_entity",
    "identifier_uri",
    "iiif_manifest",
    "index_url",
    "index_xml",
    "live_lastmod",
    "manifest_images",
    "manifest_uri",
    "negotiated_formats",
    "one_work",
    "place_uri",
    "rdfxml_profiles",
    "read_dc",
    "read_edm",
    "read_key",
    "respond",
    "shacl_check",
    "shapes_turtle",
    "shapes_uri",
    "sitemap_url",
    "update_sitemaps",
    "urlset_xml",
    "work_document",
    "work_page",
    "work_to_dc",
    "work_uri",
]
