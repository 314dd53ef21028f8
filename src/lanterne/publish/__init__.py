"""Publishing: the catalogue's works in the formats aggregators harvest (docs/publishing.md).

The crosswalks to Dublin Core (oai_dc) and EDM (Europeana), both ways, with the base URI of
entities a setting; ``check`` validates the records against the standards' own files and the
profile's SHACL shape (``shacl_check``); works with images have IIIF manifests (``iiif_manifest``).
"""

from lanterne.publish._check import (
    CheckReport,
    WorkCheck,
    check,
)
from lanterne.publish._crosswalk import edm_type
from lanterne.publish._dc import dc_element, read_dc, work_to_dc
from lanterne.publish._edm import (
    EdmOptions,
    EdmRecord,
    Reason,
    edm_problems,
    edm_record,
    read_edm,
)
from lanterne.publish._iiif import (
    MANIFEST_MEDIA_TYPE,
    iiif_manifest,
    manifest_images,
    manifest_uri,
)
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
from lanterne.publish._uris import agent_uri, place_uri, work_uri
from lanterne.publish._validate import Standards, Validator

__all__ = [
    "MANIFEST_MEDIA_TYPE",
    "SHAPES_MEDIA_TYPE",
    "SHAPES_PATH",
    "CheckReport",
    "EdmOptions",
    "EdmRecord",
    "OaiConfig",
    "OaiError",
    "Reason",
    "Standards",
    "Validator",
    "Violation",
    "WorkCheck",
    "agent_uri",
    "check",
    "dc_element",
    "edm_problems",
    "edm_record",
    "edm_type",
    "europeana_rights",
    "iiif_manifest",
    "manifest_images",
    "manifest_uri",
    "place_uri",
    "read_dc",
    "read_edm",
    "respond",
    "shacl_check",
    "shapes_turtle",
    "shapes_uri",
    "work_to_dc",
    "work_uri",
]
