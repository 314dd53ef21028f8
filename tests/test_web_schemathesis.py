"""Schemathesis against the API's own OpenAPI document, in process: generated requests (valid
and invalid) on every operation, checked for server errors and for answers (status, content type,
body, headers) that the document does not describe."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lanterne.web import create_app
from web_helpers import TOKEN, demo_site

OPERATIONS = [
    ("GET", "/api/health"),
    ("GET", "/api/search"),
    ("GET", "/api/works/{work_id}"),
    ("GET", "/api/recommend"),
    ("GET", "/api/diagnosis"),
    ("GET", "/api/audits"),
    ("GET", "/api/audits/{name}"),
    ("GET", "/api/settings"),
    ("PUT", "/api/settings"),
    ("POST", "/api/ingest"),
    ("POST", "/api/provenance/lookup"),
    ("POST", "/api/provenance/register"),
    ("POST", "/api/provenance/verify"),
]


pytestmark = pytest.mark.e2e

IMAGES = {"/api/provenance/lookup", "/api/provenance/register", "/api/provenance/verify"}
"""Operations that take an image: JSON Schema cannot say « the bytes of an image », so random
bytes are schema-valid and rightly refused (400, ``provenance.unreadable_image``)."""

WITHOUT_INPUT = {
    "/api/health",
    "/api/diagnosis",
    "/api/audits",
    "/api/audits/{name}",
    "/api/works/{work_id}",
    "/api/settings",  # GET; its PUT has a body
}
"""Operations whose every request is valid as far as the document says (any string is a name)."""


@pytest.fixture(scope="module")
def api_schema(demo_catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    # A copy: generated writes (settings, imports) must not reach the other tests' catalogue.
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copy(demo_catalogue, folder / "demo.sqlite")
    shutil.copytree(Path(f"{demo_catalogue}.search"), folder / "demo.sqlite.search")
    shutil.copytree(demo_catalogue.parent / "audits", folder / "audits")
    app = create_app(demo_site(folder / "demo.sqlite"))
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def test_every_operation_is_tested(api_schema: Any) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_follows_its_openapi_document(
    api_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    if mode is GenerationMode.NEGATIVE and method == "GET" and path in WITHOUT_INPUT:
        pytest.skip("no parameter or body that could be invalid")

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=25,
        suppress_health_check=list(HealthCheck),
        deadline=None,
        database=None,
    )
    def check(case: Any) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {TOKEN}"},
            excluded_checks=[positive_data_acceptance] if path in IMAGES else [],
        )

    check()
