"""The schema.org vocabulary shipped with Lanterne, and a checker for schema.org JSON-LD."""

from lanterne.profile.schemaorg._graph import (
    MAX_DEPTH,
    MAX_NODES,
    Graph,
    GraphTooLarge,
    shallow_json,
    top_nodes,
    types_of,
)
from lanterne.profile.schemaorg._read import node_to_fields, work_from_jsonld
from lanterne.profile.schemaorg._vocabulary import (
    SCHEMA_NAMESPACE,
    Vocabulary,
    check_document,
    local_context,
    local_name,
    schema_iri,
)
from lanterne.profile.schemaorg._write import work_to_jsonld

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "SCHEMA_NAMESPACE",
    "Graph",
    "GraphTooLarge",
    "Vocabulary",
    "check_document",
    "local_context",
    "local_name",
    "node_to_fields",
    "schema_iri",
    "shallow_json",
    "top_nodes",
    "types_of",
    "work_from_jsonld",
    "work_to_jsonld",
]
