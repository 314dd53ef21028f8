"""Mapping profiles are checked when they are loaded, against a documented schema
(docs/schema/mapping-profile.schema.json), with errors that say what to fix."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from helpers import lanterne
from lanterne.errors import BadProfile
from lanterne.ingest import bundled_mapping_profiles, load_mapping_profile, mapping_profile_schema

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "schema" / "mapping-profile.schema.json"

PROFILE = """
name = "essai"
version = 1
source = {source}
[reader]
format = "csv"
[record]
id = "id"
type = "Book"
[[map]]
to = "title"
from = ["titre"]
"""


def _write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(PROFILE.format(source=source), "utf-8")
    return path


def test_committed_mapping_profile_schema_is_current() -> None:
    assert json.loads(SCHEMA.read_text("utf-8")) == mapping_profile_schema(), (
        "run: lanterne profiles --schema > docs/schema/mapping-profile.schema.json"
    )


@pytest.mark.parametrize("name", bundled_mapping_profiles())
def test_every_bundled_profile_validates_against_the_committed_schema(name: str) -> None:
    text = resources.files("lanterne.ingest").joinpath("profiles", f"{name}.toml").read_text()
    jsonschema.validate(tomllib.loads(text), json.loads(SCHEMA.read_text("utf-8")))


@pytest.mark.parametrize(
    "source", ['""', '"   "', '"a:b"', '"mon musée"', '"-x"', '"' + "a" * 65 + '"']
)
def test_empty_or_malformed_source_is_a_bad_profile_not_a_quarantine(
    tmp_path: Path, source: str
) -> None:
    """``source = ""`` was accepted: every record went to quarantine as « notice invalide »
    and the import exited 0."""
    with pytest.raises(BadProfile) as raised:
        load_mapping_profile(str(_write(tmp_path, source)))
    assert "source" in raised.value.message("fr") and "source" in raised.value.message("en")


def test_empty_source_through_the_cli_exits_5_and_stores_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("titre;id\nA;1\nB;2\n", "utf-8")
    done = lanterne(
        tmp_path, "ingest", str(tmp_path / "a.csv"), "--profile", str(_write(tmp_path, '""'))
    )
    assert done.returncode == 5, done.stdout + done.stderr
    assert "« source »" in done.stderr and "Traceback" not in done.stderr
    stats = json.loads(lanterne(tmp_path, "stats", "--json").stdout)
    assert stats["works"] == 0 and stats["quarantined"] == 0


def test_a_valid_source_still_loads(tmp_path: Path) -> None:
    assert (
        load_mapping_profile(str(_write(tmp_path, '"mon-musee.v2_1"'))).source == "mon-musee.v2_1"
    )
