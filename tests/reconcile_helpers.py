"""A small catalogue of French works for the reconciliation tests, and how to store works."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from lanterne.catalogue import Catalogue, StoredWork, open_catalogue
from lanterne.profile import (
    Agent,
    AgentKind,
    Contribution,
    DatePrecision,
    FuzzyDate,
    Identifier,
    IdentifierScheme,
    Place,
    Provenance,
    Role,
    Title,
    Work,
    WorkType,
    encode_work,
)


def store(catalogue: Catalogue, works: Sequence[Work], source: str = "test") -> None:
    """Write ``works`` to the catalogue in one run (what an import would store)."""
    run = catalogue.begin_run(source, "test", [])
    stored = []
    for w in works:
        doc = encode_work(w)
        stored.append(
            StoredWork(
                id=w.id,
                source=w.provenance.source,
                source_id=w.provenance.source_id,
                type=w.type.value,
                doc=doc,
                digest=hashlib.blake2b(doc, digest_size=16).digest(),
            )
        )
    catalogue.write_batch(run.id, stored)
    catalogue.finish_run(run.id, "completed", {})


def work(
    source_id: str,
    title: str,
    kind: WorkType,
    year: int | None = None,
    creators: Sequence[str] = (),
    role: Role = Role.AUTHOR,
    others: Sequence[str] = (),
    place: str | None = None,
    isni: str | None = None,
) -> Work:
    date = (
        FuzzyDate(earliest=f"{year}-01-01", latest=f"{year}-12-31", precision=DatePrecision.YEAR)
        if year
        else None
    )
    return Work(
        id=f"test:{source_id}",
        type=kind,
        titles=[Title(value=title, lang="fr"), *(Title(value=o) for o in others)],
        created=date,
        contributors=[
            Contribution(
                agent=Agent(
                    name=name,
                    kind=AgentKind.PERSON,
                    identifiers=[Identifier(scheme=IdentifierScheme.ISNI, value=isni)]
                    if isni and i == 0
                    else [],
                ),
                role=role,
            )
            for i, name in enumerate(creators)
        ],
        places=[Place(name=place)] if place else [],
        provenance=Provenance(source="test", source_id=source_id),
    )


B, M, F = WorkType.BOOK, WorkType.MOVIE, WorkType.FESTIVAL
WORKS = [
    work(
        "amelie",
        "Le Fabuleux Destin d'Amélie Poulain",
        M,
        2001,
        ["Jean-Pierre Jeunet"],
        Role.DIRECTOR,
        others=["Amélie"],
    ),
    work("miserables-livre", "Les Misérables", B, 1862, ["Victor Hugo"], isni="0000000121200982"),
    work("miserables-film", "Les Misérables", M, 1995, ["Claude Lelouch"], Role.DIRECTOR),
    work("kamouraska", "Kamouraska", B, 1970, ["Anne Hébert"]),
    work("bonheur", "Bonheur d'occasion", B, 1945, ["Gabrielle Roy"]),
    work("rocky2", "Rocky II", M, 1979, ["Sylvester Stallone"], Role.DIRECTOR),
    work("prince", "Le Petit Prince", B, 1943, ["Antoine de Saint-Exupéry"]),
    work("oeuvre", "L'Œuvre au noir", B, 1968, ["Marguerite Yourcenar"]),
    work("avignon", "Festival d'Avignon", F, 1947, place="Avignon"),
    work("starwars", "Star Wars : Un nouvel espoir", M, 1977, ["George Lucas"], Role.DIRECTOR),
]


def build(folder: Path) -> Path:
    """The catalogue of ``WORKS`` in ``folder``, indexed."""
    from lanterne.search import CatalogueIndex

    path = folder / "c.sqlite"
    with open_catalogue(path) as catalogue:
        store(catalogue, WORKS)
        CatalogueIndex(catalogue).update()
    return path
