"""JSON Schema of the description profile, generated from the typed models."""

from __future__ import annotations

from typing import Any

import msgspec

from lanterne.profile._model import PROFILE_VERSION, Work

SCHEMA_ID = f"https://w3id.org/lanterne/profile/{PROFILE_VERSION}/work.schema.json"


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a ``Work``, versioned with the profile."""
    schema: dict[str, Any] = msgspec.json.schema(Work)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"Lanterne description profile {PROFILE_VERSION} — Work",
        **schema,
    }
