"""The catalogue's counts of live works per source, type and territory (``set_values``, schema
version 3), which OAI-PMH's ListSets reads instead of every work: after any mix of creations,
changes, deletions and restorations, they say what a scan of the works says
(``stats()``), and a file written before them gets them when it is next opened."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lanterne.catalogue import SqliteCatalogue, StoredWork
from lanterne.catalogue._schema import SCHEMA_VERSION
from lanterne.profile import (
    Diversity,
    Provenance,
    Territory,
    TerritoryLevel,
    Title,
    Work,
    WorkType,
    encode_work,
)

TERRITORIES = [
    Territory(level=TerritoryLevel.REGION, name="Bretagne", code="FR-BRE"),
    Territory(level=TerritoryLevel.PROVINCE, name="Nouveau-Brunswick", code="CA-NB"),
    Territory(level=TerritoryLevel.REGION, name="Sans code"),  # keyed by its name
    Territory(level=TerritoryLevel.MUNICIPALITY, name="Rennes"),  # not a set
]
TYPES = [WorkType.MOVIE, WorkType.BOOK, WorkType.PAINTING]


def _stored(source: str, key: int, type_: WorkType, places: list[int]) -> StoredWork:
    work = Work(
        id=f"{source}:{key}",
        type=type_,
        titles=[Title(value="Titre", lang="fr")],
        provenance=Provenance(source=source, source_id=str(key)),
        diversity=Diversity(territories=[TERRITORIES[i] for i in places]),
    )
    doc = encode_work(work)
    return StoredWork(
        id=work.id,
        source=source,
        source_id=str(key),
        type=type_.value,
        doc=doc,
        digest=hashlib.blake2b(doc, digest_size=16).digest(),
    )


def _scanned(db: SqliteCatalogue) -> dict[str, list[str]]:
    stats = db.stats()
    return {
        "source": sorted(stats.by_source),
        "type": sorted(stats.by_type),
        "territory": sorted(stats.by_territory),
    }


# One step: store (create, change or restore) or delete the work (source, key).
STEP = st.one_of(
    st.tuples(
        st.just("store"),
        st.sampled_from(["a", "b"]),
        st.integers(0, 4),
        st.sampled_from(TYPES),
        st.lists(st.integers(0, len(TERRITORIES) - 1), max_size=3),
    ),
    st.tuples(st.just("delete"), st.sampled_from(["a", "b"]), st.integers(0, 4)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(STEP, max_size=6), max_size=6))
def test_set_values_say_what_a_scan_of_the_works_says(batches: list[list[tuple]]) -> None:
    with SqliteCatalogue(":memory:") as db:
        run = db.begin_run("a", "p", []).id
        for batch in batches:
            works: dict[str, StoredWork] = {}
            deleted: list[str] = []
            for step in batch:
                if step[0] == "store":
                    w = _stored(step[1], step[2], step[3], step[4])
                    works[w.id] = w
                else:
                    deleted.append(f"{step[1]}:{step[2]}")
            db.write_batch(run, list(works.values()), delete_ids=deleted)
            assert db.set_values() == _scanned(db)


def test_a_type_source_and_territory_a_later_import_brings_are_counted(tmp_path: Path) -> None:
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        run = db.begin_run("a", "p", []).id
        db.write_batch(run, [_stored("a", 1, WorkType.MOVIE, [])])
        assert db.set_values() == {"source": ["a"], "type": ["Movie"], "territory": []}
        later = db.begin_run("b", "p", []).id
        db.write_batch(later, [_stored("b", 1, WorkType.BOOK, [0, 1])])
        assert db.set_values() == {
            "source": ["a", "b"],
            "type": ["Book", "Movie"],
            "territory": ["CA-NB", "FR-BRE"],
        }
        # The only Book leaves Bretagne for a municipality; then the work of a is deleted.
        db.write_batch(later, [_stored("b", 1, WorkType.BOOK, [1, 3])])
        db.write_batch(run, [], delete_ids=["a:1"])
        assert db.set_values() == {"source": ["b"], "type": ["Book"], "territory": ["CA-NB"]}


def test_a_version_2_file_gets_its_set_counts_when_opened(tmp_path: Path) -> None:
    location = tmp_path / "v2.sqlite"
    with SqliteCatalogue(location) as db:
        run = db.begin_run("a", "p", []).id
        db.write_batch(
            run, [_stored("a", 1, WorkType.MOVIE, [0]), _stored("a", 2, WorkType.BOOK, [])]
        )
        db.write_batch(run, [], delete_ids=["a:2"])
        for trigger in ("set_counts_leave", "set_counts_enter", "set_counts_delete"):
            db._db.execute(f"DROP TRIGGER {trigger}")
        db._db.execute("DROP TABLE set_counts")
        db._db.execute("PRAGMA user_version=2")
    with SqliteCatalogue(location, read_only=True) as old:  # not upgraded: scanned
        assert old.set_values() == {"source": ["a"], "type": ["Movie"], "territory": ["FR-BRE"]}
    with SqliteCatalogue(location) as db:
        assert db._scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert db._scalar("SELECT count(*) FROM set_counts WHERE works > 0") == 3
        assert db.set_values() == _scanned(db)
