"""Reconciliation: match a spreadsheet's titles, names and places against the catalogue, as
the W3C Reconciliation Service API (0.2 and 1.0-draft) and ``lanterne reconcile`` do.

French-aware forms of titles and names (``_french``), a small documented match model
(``_model``), candidates from the search index (``_service``) and the API's wire formats
(``_protocol``). Above ``search``, ``catalogue`` and ``profile``; below ``web`` and the CLI.
"""

from lanterne.reconcile._french import (
    fold,
    form_similarity,
    name_forms,
    name_similarity,
    roman,
    title_forms,
    words,
)
from lanterne.reconcile._model import Feature, MatchModel, date_closeness
from lanterne.reconcile._protocol import (
    EXTEND_PROPERTIES,
    VERSIONS,
    ExtendQuery,
    Version,
    candidate_02,
    extend_02,
    extend_10,
    manifest,
    propose,
    read_batch_02,
    read_batch_10,
    read_extend,
    results_02,
    results_10,
    suggest_entities,
    suggest_properties,
    suggest_types,
    types,
)
from lanterne.reconcile._service import (
    AGENT_TYPES,
    ANY_WORK,
    PLACE_TYPE,
    PROPERTIES,
    WORK_TYPES,
    Candidate,
    Query,
    Reconciler,
    property_name,
    work_values,
    work_year,
)

__all__ = [
    "AGENT_TYPES",
    "ANY_WORK",
    "EXTEND_PROPERTIES",
    "PLACE_TYPE",
    "PROPERTIES",
    "VERSIONS",
    "WORK_TYPES",
    "Candidate",
    "ExtendQuery",
    "Feature",
    "MatchModel",
    "Query",
    "Reconciler",
    "Version",
    "candidate_02",
    "date_closeness",
    "extend_02",
    "extend_10",
    "fold",
    "form_similarity",
    "manifest",
    "name_forms",
    "name_similarity",
    "property_name",
    "propose",
    "read_batch_02",
    "read_batch_10",
    "read_extend",
    "results_02",
    "results_10",
    "roman",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
    "title_forms",
    "types",
    "words",
    "work_values",
    "work_year",
]
