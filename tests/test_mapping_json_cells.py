"""Exports whose CSV cells hold JSON (Kaggle's TMDB layout and many open-data exports): a rule
reads its cell as JSON and follows a path into it; a text's language can come from another
column of the same record. tests/data/tmdb-style holds a four-film file in that layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import lanterne
from lanterne.catalogue import open_catalogue
from lanterne.ingest import ingest, load_mapping_profile

DATA = Path(__file__).parent / "data" / "tmdb-style"


@pytest.fixture()
def catalogue_path(tmp_path: Path) -> Path:
    path = tmp_path / "c.sqlite"
    with open_catalogue(path) as catalogue:
        summary = ingest(catalogue, DATA, load_mapping_profile(str(DATA / "tmdb.toml")))
    assert (summary.read, summary.created, summary.quarantined) == (4, 4, 0)
    return path


def test_json_lists_in_csv_cells_give_countries_languages_genres_and_companies(
    catalogue_path: Path,
) -> None:
    with open_catalogue(catalogue_path) as catalogue:
        amelie = catalogue.get("tmdb:194")
        drive = catalogue.get("tmdb:1018")
        choristes = catalogue.get("tmdb:8392")
    assert amelie is not None and drive is not None and choristes is not None
    assert amelie.diversity.countries == ["FR", "DE"]
    assert amelie.in_languages == ["fr"]
    assert [g.label for g in amelie.genres] == ["Comedy", "Romance"]
    assert [c.agent.name for c in amelie.contributors] == ["UGC Images", "Victoires Productions"]
    assert drive.in_languages == ["en", "es"]
    assert drive.diversity.countries == ["FR", "US"]
    # « Path\\u00e9 » in the file: the JSON escape is decoded, the accent intact.
    assert "Pathé Image" in [c.agent.name for c in drive.contributors]
    # Empty JSON lists give nothing, not an error.
    assert choristes.genres == [] and choristes.diversity.countries == []


def test_original_title_language_taken_from_another_column(catalogue_path: Path) -> None:
    with open_catalogue(catalogue_path) as catalogue:
        howl = catalogue.get("tmdb:4935")
        amelie = catalogue.get("tmdb:194")
    assert howl is not None and amelie is not None
    original = {t.kind: t for t in howl.titles}["original"]
    assert (original.value, original.lang) == ("ハウルの動く城", "ja")
    assert {t.kind: t for t in amelie.titles}["original"].lang == "fr"
    # The plain title keeps the source's declared language.
    assert [t.lang for t in howl.titles if t.kind != original.kind] == ["en"]


def test_a_cell_that_is_not_json_is_quarantined_with_its_line(tmp_path: Path) -> None:
    rows = (DATA / "tmdb_5000_movies.csv").read_text("utf-8").splitlines()
    header = rows[0].split(",")
    broken = rows[1].replace('[{""id"": 35', "[{id: 35", 1)
    (tmp_path / "tmdb_5000_movies.csv").write_text(
        "\n".join([rows[0], broken, *rows[2:]]) + "\n", "utf-8"
    )
    assert "genres" in header
    done = lanterne(
        tmp_path, "ingest", str(tmp_path), "--profile", str(DATA / "tmdb.toml"), "--json"
    )
    summary = json.loads(done.stdout)
    assert (summary["read"], summary["created"], summary["quarantined"]) == (4, 3, 1)
    entry = json.loads(lanterne(tmp_path, "quarantine", "list", "--json").stdout)[0]
    assert entry["line"] == 2 and "JSON" in json.dumps(entry["params"], ensure_ascii=False)
