"""Labelled reconciliation sets built from ../shared/data, as messy as real spreadsheets, for
``benchmarks/reconcile.py``. Nothing here is written to the repository: the sets are built in
memory from the shared files each run (their licences forbid committing them).

Each set is a catalogue (works described one way) and queries (the same works written as a
spreadsheet writes them), each query labelled with the work it must match, or ``None`` when
its work was held out of the catalogue (10 % of the works, chosen by a hash of their id): a
service must then match nothing.

``goodbooks``
    goodbooks-10k ``books.csv``. Catalogue: the book's *original* title (``original_title``,
    else the display title without its series suffix), its authors as written (« Suzanne
    Collins »), its year. Query: the *display* title with its series suffix (« The Hunger Games
    (The Hunger Games, #1) »), the first author written « Nom, Prénom » (« Collins, Suzanne »),
    and the year.
``movielens``
    ml-latest-small ``movies.csv`` + the Wikidata facts of the same films. Catalogue: the title
    in reading order (« The Usual Suspects », « Le Fabuleux destin d'Amélie Poulain » with the
    English one beside it), Wikidata's year (which differs from MovieLens' by one now and then)
    and directors. Query: the MovieLens form, inverted and in French when it has one
    (« Fabuleux destin d'Amélie Poulain, Le (2001) »), the first director « Nom, Prénom ».

The rules that make one side from the other are plain string rules written here (moving a
trailing article, dropping a series suffix); they are not Lanterne's matching code.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from lanterne.profile import (
    Agent,
    Contribution,
    DatePrecision,
    FuzzyDate,
    Provenance,
    Role,
    Title,
    Work,
    WorkType,
)


class Labelled(NamedTuple):
    query: str
    properties: dict[str, list[str]]
    type: str
    expected: str | None
    side: str
    """``train`` or ``test``: the threshold is chosen on ``train`` only."""


class LabelledSet(NamedTuple):
    name: str
    works: list[Work]
    queries: list[Labelled]


_SERIES = re.compile(r"\s*\([^()]*#\s*\d+(?:\.\d+)?\)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(.*), (The|A|An|Le|La|Les|L'|Il|El|Der|Die|Das)$")
_ML = re.compile(
    r"^(?P<title>.*?)(?: \((?P<alt>(?!\d{4}\))[^()]*)\))?(?: \((?P<year>\d{4})\))?\s*$"
)


def _bucket(key: str) -> int:
    return hashlib.blake2b(key.encode(), digest_size=2).digest()[0] % 100


def _side(key: str) -> str:
    return "train" if _bucket("side:" + key) < 50 else "test"


def _held_out(key: str) -> bool:
    return _bucket("held:" + key) < 10


def _year(value: str) -> FuzzyDate | None:
    digits = value.split(".")[0].strip().lstrip("-")
    if not digits.isdigit() or len(digits) != 4:
        return None
    return FuzzyDate(
        earliest=f"{digits}-01-01", latest=f"{digits}-12-31", precision=DatePrecision.YEAR
    )


def _inverted(name: str) -> str:
    """« Suzanne Collins » → « Collins, Suzanne » (the last word first)."""
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def _reading_order(title: str) -> str:
    """« Usual Suspects, The » → « The Usual Suspects »."""
    found = _TRAILING_ARTICLE.match(title.strip())
    if not found:
        return title.strip()
    article = found.group(2)
    return f"{article}{'' if article.endswith(chr(39)) else ' '}{found.group(1)}"


def _work(
    source: str,
    key: str,
    kind: WorkType,
    titles: list[str],
    year: str,
    people: list[str],
    role: Role,
) -> Work:
    return Work(
        id=f"{source}:{key}",
        type=kind,
        titles=[Title(value=t) for t in dict.fromkeys(t for t in titles if t.strip())],
        created=_year(year),
        contributors=[
            Contribution(agent=Agent(name=p.strip()), role=role) for p in people if p.strip()
        ],
        provenance=Provenance(source=source, source_id=key),
    )


def goodbooks(shared: Path) -> LabelledSet:
    works, queries = [], []
    with (shared / "goodbooks-10k-books" / "books.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = row["book_id"]
            display = row["title"].strip()
            original = row["original_title"].strip() or _SERIES.sub("", display)
            authors = [a for a in row["authors"].split(",") if a.strip()]
            year = row["original_publication_year"]
            work = _work("goodbooks", key, WorkType.BOOK, [original], year, authors, Role.AUTHOR)
            properties = {"creator": [_inverted(authors[0].strip())]} if authors else {}
            if _year(year):
                properties["date"] = [year.split(".")[0]]
            held = _held_out(key)
            if not held:
                works.append(work)
            queries.append(
                Labelled(display, properties, "Book", None if held else work.id, _side(key))
            )
    return LabelledSet("goodbooks", works, queries)


def movielens(shared: Path) -> LabelledSet:
    wikidata = shared / "movielens-latest-small-wikidata"
    names = {r["wikidataURI"]: r["name"] for r in _rows(wikidata / "directors.csv")}
    directors: dict[str, list[str]] = defaultdict(list)
    for r in _rows(wikidata / "directed_by.csv"):
        if r["director"] in names:
            directors[r["movieId"]].append(names[r["director"]])
    years = {r["movieId"]: r["year"] for r in _rows(wikidata / "movies_with_wikidata_values.csv")}
    works, queries = [], []
    for row in _rows(shared / "movielens-latest-small" / "movies.csv"):
        key = row["movieId"]
        found = _ML.match(row["title"].strip())
        if not found:
            continue
        title, alternative, ml_year = found["title"], found["alt"], found["year"] or ""
        catalogued = [_reading_order(title)]
        if alternative and not alternative.startswith("a.k.a."):
            catalogued.insert(0, _reading_order(alternative))
        people = directors.get(key, [])
        work = _work(
            "movielens", key, WorkType.MOVIE, catalogued, years.get(key, ""), people, Role.DIRECTOR
        )
        # The spreadsheet's form: MovieLens' own, the French (alternative) title when it has one.
        asked = alternative if alternative and not alternative.startswith("a.k.a.") else title
        asked = f"{asked} ({ml_year})" if ml_year else asked
        properties = {"creator": [_inverted(people[0])]} if people else {}
        held = _held_out(key)
        if not held:
            works.append(work)
        queries.append(Labelled(asked, properties, "Movie", None if held else work.id, _side(key)))
    return LabelledSet("movielens", works, queries)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def labelled_sets(shared: Path) -> list[LabelledSet]:
    return [goodbooks(shared), movielens(shared)]
