"""Item attributes from a Lanterne catalogue, and the MovieLens + Wikidata conversion.

The attributes of a work are those its description profile already carries (see
docs/profile.md): ``european``, ``eof``, ``country`` (ISO 3166), ``language`` (original, BCP 47),
``territory``, ``genre``, ``type``, ``creation`` (the creation label, when there is one). So
the European flag of an evaluation is exactly the one the catalogue, the diagnosis and the audit
use (docs/european-works.md).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec

from lanterne._csv_cells import CsvWriter
from lanterne.catalogue import open_catalogue
from lanterne.errors import InputNotFound
from lanterne.profile import Work


class ConversionSummary(msgspec.Struct, kw_only=True):
    interactions: int
    users: int
    items: int
    attribute_rows: int
    quarantined: int


def work_attributes(work: Work) -> Iterator[tuple[str, str]]:
    d = work.diversity
    if d.european is not None:
        yield "european", "true" if d.european else "false"
    if d.eof is not None:
        yield "eof", "true" if d.eof else "false"
    for country in d.countries:
        yield "country", country
    for language in d.original_languages:
        yield "language", language
    for territory in d.territories:
        if territory.code:
            yield "territory", territory.code
    for genre in work.genres:
        yield "genre", genre.label
    yield "type", str(work.type)
    # A goal ``creation=human`` and the audit's share of synthetic or unknown creation read the
    # catalogue's labels (a work without one is unknown to both).
    if work.creation_label is not None:
        yield "creation", work.creation_label.value.value


def write_attributes(works: Iterable[Work], path: Path, *, by: str = "source_id") -> int:
    """``item,attribute,value`` rows; items named by their source id (``by="source_id"``) or
    their Lanterne id (``by="id"``)."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = CsvWriter(handle)
        writer.writerow(["item", "attribute", "value"])
        for work in works:
            item = work.provenance.source_id if by == "source_id" else work.id
            for attribute, value in work_attributes(work):
                writer.writerow([item, attribute, value])
                rows += 1
    return rows


def write_titles(works: Iterable[Work], path: Path, *, by: str = "source_id") -> None:
    """``item,title``: what a list shows and what content similarity reads."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = CsvWriter(handle)
        writer.writerow(["item", "title"])
        for work in works:
            writer.writerow(
                [work.provenance.source_id if by == "source_id" else work.id, work.title]
            )


def convert_movielens(data: Path, out: Path) -> ConversionSummary:
    """``data`` holds ``movielens-latest-small`` and ``movielens-latest-small-wikidata`` (as in
    ../shared/data). Writes ``interactions.csv`` (every rating, kept as an implicit positive)
    and ``item-attributes.csv`` (from the movies ingested with the bundled profile)."""
    from lanterne.ingest import ingest, load_mapping_profile

    ml = data / "movielens-latest-small"
    ratings = ml / "ratings.csv"
    if not ratings.is_file():
        raise InputNotFound("input.not_found", path=ratings)
    out.mkdir(parents=True, exist_ok=True)
    users: set[str] = set()
    count = 0
    with (
        ratings.open(encoding="utf-8", newline="") as src,
        (out / "interactions.csv").open("w", encoding="utf-8", newline="") as dst,
    ):
        writer = CsvWriter(dst)
        writer.writerow(["user", "item", "rating", "timestamp"])
        for row in csv.DictReader(src):
            writer.writerow([row["userId"], row["movieId"], row["rating"], row["timestamp"]])
            users.add(row["userId"])
            count += 1
    with tempfile.TemporaryDirectory() as tmp:
        with open_catalogue(Path(tmp) / "movielens.sqlite") as catalogue:
            summary = ingest(catalogue, ml, load_mapping_profile("movielens-latest-small"))
            works = list(catalogue.iter_works("movielens"))
        rows = write_attributes(works, out / "item-attributes.csv")
        write_titles(works, out / "titles.csv")
    return ConversionSummary(
        interactions=count,
        users=len(users),
        items=len(works),
        attribute_rows=rows,
        quarantined=summary.quarantined,
    )
