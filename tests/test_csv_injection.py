"""CSV files Lanterne writes never hand a spreadsheet a formula (OWASP « CSV Injection »)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanterne._csv_cells import CsvWriter, neutralise, restore
from lanterne.profile import Provenance, Term, Title, Work, WorkType
from lanterne.recommend._content import read_titles
from lanterne.recommend._data import load_dataset
from lanterne.recommend._export import convert_movielens, write_attributes, write_titles

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]
RUNNABLE = tuple("=+-@\t\r")


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _runs(cell: str) -> bool:
    """What a spreadsheet would run: a cell that begins with a formula character."""
    return cell.startswith(RUNNABLE) and cell.lstrip("+-").replace(".", "", 1).isdigit() is False


def test_formula_cells_get_a_quote_and_numbers_stay_numbers() -> None:
    assert neutralise('=HYPERLINK("http://x","click")') == '\'=HYPERLINK("http://x","click")'
    assert neutralise("+cmd") == "'+cmd"
    assert neutralise("-2+3") == "'-2+3"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx" and neutralise("\rx") == "'\rx"
    # Plain numbers are data, not formulas: ratings, coordinates, years stay as written.
    assert [neutralise(n) for n in ("-2", "+33", "-1.5e3", "4.0", "-.5")] == [
        "-2",
        "+33",
        "-1.5e3",
        "4.0",
        "-.5",
    ]
    assert neutralise(-2) == -2 and neutralise("Toy Story") == "Toy Story"
    # One more quote before quotes that hide a formula character, so restore is exact.
    assert neutralise("'=x") == "''=x" and restore("''=x") == "'=x"
    assert neutralise("'ok") == "'ok" and restore("'ok") == "'ok"


@given(st.text(max_size=20))
def test_restore_gives_back_every_neutralised_cell(text: str) -> None:
    written = neutralise(text)
    assert isinstance(written, str)
    assert restore(written) == text
    if written.startswith(RUNNABLE):
        assert float(written) == float(text)  # only plain numbers are left unquoted


def _works() -> list[Work]:
    return [
        Work(
            id=f"src:{i}",
            type=WorkType.MOVIE,
            titles=[Title(value=payload, lang="fr")],
            genres=[Term(label=payload)],
            provenance=Provenance(source="src", source_id=f"{i}"),
        )
        for i, payload in enumerate(PAYLOADS)
    ]


def test_titles_csv_neutralises_formula_titles_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "titles.csv"
    write_titles(_works(), path)
    rows = _cells(path)[1:]
    assert [r[1] for r in rows] == ["'" + p for p in PAYLOADS]
    assert not any(_runs(cell) for row in rows for cell in row)
    assert list(read_titles(path).values()) == PAYLOADS


def test_attributes_csv_neutralises_formula_values_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "item-attributes.csv"
    write_attributes(_works(), path)
    rows = _cells(path)[1:]
    genres = [r[2] for r in rows if r[1] == "genre"]
    assert genres == ["'" + p for p in PAYLOADS]
    assert not any(_runs(cell) for row in rows for cell in row)
    interactions = tmp_path / "interactions.csv"
    interactions.write_text("user,item\nu,0\n", "utf-8")
    ds = load_dataset(interactions, path)
    assert sorted(ds.attributes.values("genre")) == sorted(PAYLOADS)


def test_csv_writer_neutralises_every_cell_of_a_row(tmp_path: Path) -> None:
    path = tmp_path / "any.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        CsvWriter(f).writerows([PAYLOADS, ["-2", "4.0", 7]])
    rows = _cells(path)
    assert rows[0] == ["'" + p for p in PAYLOADS]
    assert rows[1] == ["-2", "4.0", "7"]


@pytest.mark.skipif(
    not (SHARED / "movielens-latest-small-wikidata").is_dir(),
    reason=f"MovieLens Wikidata links not found at {SHARED} (../shared/data)",
)
def test_movielens_conversion_neutralises_ratings_titles_and_attributes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(
        SHARED / "movielens-latest-small-wikidata", data / "movielens-latest-small-wikidata"
    )
    ml = data / "movielens-latest-small"
    ml.mkdir()
    shutil.copy(SHARED / "movielens-latest-small" / "links.csv", ml / "links.csv")
    with (ml / "movies.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["movieId", "title", "genres"])
        w.writerow(["1", '=HYPERLINK("http://x","click") (1995)', "Comedy"])
        w.writerow(["2", "@SUM(1+1) (1995)", "Drama"])
    with (ml / "ratings.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["userId", "movieId", "rating", "timestamp"])
        w.writerow(["=1+1", "1", "-2+3", "964982703"])
        w.writerow(["7", "2", "4.0", "964982703"])
    out = tmp_path / "out"
    convert_movielens(data, out)
    interactions = _cells(out / "interactions.csv")
    assert interactions[1] == ["'=1+1", "1", "'-2+3", "964982703"]
    assert interactions[2] == ["7", "2", "4.0", "964982703"]
    titles = _cells(out / "titles.csv")[1:]
    assert titles and all(t[1].startswith("'") for t in titles), titles
    for name in ("interactions.csv", "titles.csv", "item-attributes.csv"):
        assert not any(_runs(c) for row in _cells(out / name) for c in row), name
