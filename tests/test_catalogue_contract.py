"""The ``Catalogue`` contract, run against every backend: the embedded SQLite store and the
PostgreSQL one (on the tests' own server, tests/pg_server.py; skipped, saying why, without one).

A backend must pass these same tests unchanged (add it to ``BACKENDS``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import msgspec.structs
import pytest

from lanterne.catalogue import (
    Catalogue,
    EntityKind,
    ImageHash,
    QuarantineEntry,
    SqliteCatalogue,
    StateFilter,
    StoredWork,
    open_catalogue,
)
from lanterne.catalogue._schema import SCHEMA_VERSION
from lanterne.profile import (
    Agent,
    Contribution,
    Diversity,
    Event,
    Identifier,
    IdentifierScheme,
    Place,
    Provenance,
    Role,
    Territory,
    TerritoryLevel,
    Title,
    Work,
    WorkType,
    encode_work,
)

BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Catalogue]] = {
    "sqlite": lambda _, tmp: SqliteCatalogue(tmp / "catalogue.sqlite"),
    "postgresql": lambda request, _: open_catalogue(request.getfixturevalue("postgres_url")),
}


@pytest.fixture(params=sorted(BACKENDS))
def catalogue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalogue]:
    db = BACKENDS[request.param](request, tmp_path)
    yield db
    db.close()


def work(source_id: str, title: str = "Titre", **extra: object) -> Work:
    return Work(
        id=f"src:{source_id}",
        type=WorkType.MOVIE,
        titles=[Title(value=title, lang="fr")],
        provenance=Provenance(source="src", source_id=source_id),
        **extra,  # type: ignore[arg-type]
    )


def stored(w: Work) -> StoredWork:
    doc = encode_work(w)
    return StoredWork(
        id=w.id,
        source=w.provenance.source,
        source_id=w.provenance.source_id,
        type=w.type.value,
        doc=doc,
        digest=hashlib.blake2b(doc, digest_size=16).digest(),
    )


def problem(line: int, key: str | None = None) -> QuarantineEntry:
    return QuarantineEntry(
        source="src",
        file="f.csv",
        line=line,
        reason="reason.bad_value",
        message="m",
        record_key=key,
        raw="a;b;c",
    )


def test_created_unchanged_updated_with_field_diff(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", ["f.csv"]).id
    first = catalogue.write_batch(run, [stored(work("1")), stored(work("2"))])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)

    again = catalogue.write_batch(run, [stored(work("1")), stored(work("2", "Autre titre"))])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)

    changes = catalogue.changes()
    assert [(c.work_id, c.kind) for c in changes] == [
        ("src:1", "created"),
        ("src:2", "created"),
        ("src:2", "updated"),
    ]
    diff = changes[-1].fields
    assert set(diff) == {"titles"}
    assert diff["titles"] == {
        "old": [{"value": "Titre", "lang": "fr"}],
        "new": [{"value": "Autre titre", "lang": "fr"}],
    }
    assert catalogue.changes(since=changes[1].seq) == changes[2:]
    got = catalogue.get("src:2")
    assert got is not None and got.title == "Autre titre"


def test_delete_is_a_tombstone_and_a_return_is_a_creation(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(work("1")), stored(work("2"))])
    out = catalogue.write_batch(run, [], delete_ids=["src:1", "src:unknown"])
    assert out.deleted == 1
    assert catalogue.get("src:1") is None
    assert catalogue.source_ids("src") == {"src:2"}
    assert catalogue.count() == 1
    back = catalogue.write_batch(run, [stored(work("1"))])
    assert back.created == 1
    assert [c.kind for c in catalogue.changes() if c.work_id == "src:1"] == [
        "created",
        "deleted",
        "created",
    ]


def test_work_states_keep_deleted_works_in_first_stored_order_with_their_last_change(
    catalogue: Catalogue,
) -> None:
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(work("1")), stored(work("2")), stored(work("3"))])
    catalogue.write_batch(run, [stored(work("2", "Autre titre"))], delete_ids=["src:1"])
    last = {c.work_id: c.at for c in catalogue.changes()}

    states = catalogue.work_states()
    assert [(s.id, s.deleted, s.source) for s in states] == [
        ("src:1", True, "src"),
        ("src:2", False, "src"),
        ("src:3", False, "src"),
    ]
    assert {s.id: s.modified for s in states} == last
    positions = [s.position for s in states]
    assert positions == sorted(set(positions))
    # Paging by position; a work stored again keeps its place.
    assert [s.id for s in catalogue.work_states(after=positions[0], limit=1)] == ["src:2"]
    catalogue.write_batch(run, [stored(work("1"))])
    back = catalogue.work_state("src:1")
    assert back is not None and not back.deleted and back.position == positions[0]
    assert catalogue.work_state("src:unknown") is None


def test_work_states_filtered_by_source_type_territory_and_time_keep_deleted_works(
    catalogue: Catalogue,
) -> None:
    breton = Diversity(territories=[Territory(level=TerritoryLevel.REGION, code="FR-BRE")])
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(work("1", diversity=breton)), stored(work("2"))])
    time.sleep(0.002)  # the change log's times have milliseconds: two batches, two times
    catalogue.write_batch(
        run,
        [
            stored(
                msgspec.structs.replace(
                    work("3"),
                    type=WorkType.BOOK,
                    provenance=Provenance(source="other", source_id="3"),
                )
            )
        ],
        delete_ids=["src:1"],
    )
    states = {s.id: s for s in catalogue.work_states()}

    def ids(where: StateFilter) -> list[str]:
        found = [s.id for s in catalogue.work_states(where=where)]
        assert catalogue.count_states(where) == len(found)
        return found

    assert ids(StateFilter(source="src")) == ["src:1", "src:2"]
    assert ids(StateFilter(type="Book")) == ["src:3"]
    # The deleted work is still in its territory: a harvester of the set learns of its deletion.
    assert ids(StateFilter(territory="FR-BRE")) == ["src:1"]
    assert ids(StateFilter(territory="")) == ["src:1"]
    assert ids(StateFilter(territory="CA-NB")) == []
    second = states["src:3"].modified
    assert ids(StateFilter(modified_from=second)) == ["src:1", "src:3"]
    assert ids(StateFilter(modified_before=second)) == ["src:2"]
    assert ids(StateFilter(modified_from=second[:10], source="other")) == ["src:3"]
    first = catalogue.work_states()[0].position
    assert catalogue.count_states(StateFilter(source="src"), after=first) == 1
    assert [s.id for s in catalogue.work_states(after=first, where=StateFilter())] == [
        "src:2",
        "src:3",
    ]


def test_a_failing_batch_leaves_nothing(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(work("1"))])
    before = (catalogue.count(), catalogue.changes(), catalogue.quarantine())
    # The same new id twice in one batch violates the store's uniqueness mid-batch.
    with pytest.raises(Exception):  # noqa: B017 - backend-specific error type
        catalogue.write_batch(run, [stored(work("2")), stored(work("2"))], [problem(3)])
    assert (catalogue.count(), catalogue.changes(), catalogue.quarantine()) == before
    assert catalogue.integrity_problems() == []


def test_quarantine_keeps_raw_and_is_resolved_when_the_record_is_stored(
    catalogue: Catalogue,
) -> None:
    run1 = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run1, [], [problem(7, key="9"), problem(8)])
    entries = catalogue.quarantine()
    assert [(e.line, e.raw, e.record_key) for e in entries] == [
        (7, "a;b;c", "9"),
        (8, "a;b;c", None),
    ]
    assert catalogue.quarantine_counts() == {"reason.bad_value": 2}
    entry = catalogue.quarantine_entry(entries[0].id or 0)
    assert entry is not None and entry.raw == "a;b;c" and entry.run_id == run1
    run2 = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(run2, [stored(work("9"))])
    assert [e.line for e in catalogue.quarantine()] == [8]
    assert len(catalogue.quarantine(include_resolved=True)) == 2
    # Run 2 read f.csv whole and did not quarantine line 8 without id again.
    catalogue.finish_run(run2, "completed", {})
    assert catalogue.quarantine() == []


def test_a_complete_import_of_other_records_leaves_the_unstored_ones_quarantined(
    catalogue: Catalogue,
) -> None:
    """A later import of the same source that never held record 9 does not close its entry."""
    run1 = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(run1, [stored(work("1"))], [problem(2, key="9"), problem(3)])
    catalogue.finish_run(run1, "completed", {})
    run2 = catalogue.begin_run("src", "p", ["update.csv"]).id
    catalogue.write_batch(run2, [stored(work("1", "Autre titre")), stored(work("2"))])
    catalogue.finish_run(run2, "completed", {})
    # Line 3 of f.csv was not read again either: update.csv is another file.
    assert [(e.line, e.record_key) for e in catalogue.quarantine()] == [(2, "9"), (3, None)]


def test_two_runs_at_once_do_not_close_each_others_entries(catalogue: Catalogue) -> None:
    """Both read the same file: each record quarantined once stays open once, whoever ends first."""
    a = catalogue.begin_run("src", "p", ["f.csv"]).id
    b = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(a, [stored(work("1"))], [problem(2, key="9")])
    catalogue.write_batch(b, [stored(work("1"))], [problem(2, key="9")])
    catalogue.write_batch(a, [], [problem(3), problem(4, key="8")])
    catalogue.write_batch(b, [], [problem(3), problem(4, key="8")])
    catalogue.finish_run(a, "completed", {})
    catalogue.finish_run(b, "completed", {})
    open_entries = catalogue.quarantine()
    assert [(e.line, e.record_key, e.run_id) for e in open_entries] == [
        (2, "9", b),
        (3, None, b),
        (4, "8", b),
    ]
    assert catalogue.stats().quarantined == 3


def test_a_record_quarantined_again_supersedes_its_older_entry(catalogue: Catalogue) -> None:
    first = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(first, [], [problem(2, key="9"), problem(3)])
    # Interrupted: nothing but the record itself closes its entry.
    catalogue.finish_run(first, "interrupted", {})
    again = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(again, [], [problem(5, key="9"), problem(3)])
    assert [(e.line, e.run_id) for e in catalogue.quarantine()] == [(5, again), (3, again)]
    closed = [e for e in catalogue.quarantine(include_resolved=True) if e.run_id == first]
    assert [e.resolved for e in closed] == [True, True]


def test_a_record_found_unchanged_resolves_its_entry(catalogue: Catalogue) -> None:
    """Stored, then bad in another file, then read unchanged again: stored since, so closed."""
    run1 = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(run1, [stored(work("9"))])
    run2 = catalogue.begin_run("src", "p", ["g.csv"]).id
    catalogue.write_batch(run2, [], [problem(2, key="9")])
    run3 = catalogue.begin_run("src", "p", ["f.csv"]).id
    out = catalogue.write_batch(run3, [], unchanged=1, unchanged_keys=["9"])
    assert out.unchanged == 1
    assert catalogue.quarantine() == []


def test_an_entry_without_id_outlives_a_complete_run_that_began_before_it(
    catalogue: Catalogue,
) -> None:
    """A run that began before the entry was written may have read the line before it changed."""
    early = catalogue.begin_run("src", "p", ["f.csv"]).id
    late = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(late, [], [problem(3)])
    catalogue.finish_run(early, "completed", {})
    assert [e.run_id for e in catalogue.quarantine()] == [late]


def test_runs_left_running_are_marked_interrupted(catalogue: Catalogue) -> None:
    first = catalogue.begin_run("src", "p", ["a"]).id
    second = catalogue.begin_run("src", "p", ["a"]).id
    catalogue.finish_run(second, "completed", {"read": 3})
    runs = {r.id: r for r in catalogue.runs()}
    assert runs[first].status == "interrupted"
    assert runs[second].status == "completed"
    assert runs[second].summary == {"read": 3}


def test_a_batch_carries_its_runs_checkpoint(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", ["https://example.org/oai"]).id
    catalogue.write_batch(
        run,
        [stored(work("1")), stored(work("2"))],
        run_summary=lambda done: {"created": done.created, "harvest": {"token": "p2"}},
    )
    (found,) = catalogue.runs(source="src")
    assert found.status == "running"
    assert found.summary == {"created": 2, "harvest": {"token": "p2"}}
    catalogue.write_batch(run, [stored(work("2"))])  # no checkpoint: the last one stays
    assert catalogue.runs(source="src")[0].summary == {"created": 2, "harvest": {"token": "p2"}}


def test_runs_of_one_source(catalogue: Catalogue) -> None:
    mine = catalogue.begin_run("mine", "p", ["a"]).id
    catalogue.begin_run("other", "p", ["b"])
    assert [r.id for r in catalogue.runs(source="mine")] == [mine]
    assert len(catalogue.runs()) == 2


def test_stats_count_known_values_only(catalogue: Catalogue) -> None:
    region = Territory(level=TerritoryLevel.REGION, code="FR-BRE", name="Bretagne")
    town = Territory(level=TerritoryLevel.MUNICIPALITY, name="Rennes")
    works = [
        work(
            "1",
            diversity=Diversity(
                countries=["FR"],
                european=True,
                eof=True,
                original_languages=["fr"],
                territories=[region, town],
            ),
        ),
        work("2", diversity=Diversity(countries=["US"], european=False)),
        work(
            "3",
            diversity=Diversity(
                countries=["US", "FR"], european=True, eof=False, original_languages=["en"]
            ),
        ),
        work("4"),
    ]
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(w) for w in works], [problem(1)])
    s = catalogue.stats()
    assert s.works == 4
    assert s.by_type == {"Movie": 4}
    assert s.by_country == {"FR": 2, "US": 2}
    # Territories are counted at region/province level only.
    assert s.by_territory == {"FR-BRE": 1}
    # European known for 3 works, 2 yes: 2/3; EOF known for 2, 1 yes: 1/2.
    assert (s.european_known, s.european_yes) == (3, 2)
    assert s.european_share == pytest.approx(2 / 3)
    assert (s.eof_known, s.eof_yes, s.eof_share) == (2, 1, 0.5)
    # Original language first, else the title's language.
    assert s.by_language == {"fr": 3, "en": 1}
    assert s.quarantined == 1
    assert msgspec.to_builtins(catalogue.stats("other"))["works"] == 0


def test_iter_and_count_by_source(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(work(str(i))) for i in range(5)])
    assert [w.id for w in catalogue.iter_works("src")] == [f"src:{i}" for i in range(5)]
    assert catalogue.count("src") == 5
    assert catalogue.count("nope") == 0
    assert list(catalogue.iter_works("nope")) == []


def test_get_many_gives_the_live_works_asked_for_by_id(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", []).id
    catalogue.write_batch(run, [stored(work(str(i), title=f"T{i}")) for i in range(4)])
    catalogue.write_batch(run, [], delete_ids=["src:2"])
    # Unknown and deleted ids are left out; a repeated id gives its work once; order is free.
    found = catalogue.get_many(["src:3", "src:0", "src:2", "nope", "src:3"])
    assert sorted(found) == ["src:0", "src:3"]
    assert found["src:3"] == catalogue.get("src:3")
    assert found["src:0"].titles[0].value == "T0"
    assert catalogue.get_many([]) == {}


def test_source_digests_and_counted_unchanged(catalogue: Catalogue) -> None:
    run = catalogue.begin_run("src", "p", []).id
    first = msgspec.structs.replace(stored(work("1")), source_digest=b"raw-1")
    catalogue.write_batch(run, [first, stored(work("2"))])
    # Only live works that carry a digest are returned.
    assert catalogue.source_digests(["src:1", "src:2", "src:3"]) == {"src:1": b"raw-1"}
    # The same work from a differently written record keeps its document and gets the new digest.
    restamped = msgspec.structs.replace(stored(work("1")), source_digest=b"raw-1b")
    out = catalogue.write_batch(run, [restamped], unchanged=3)
    assert (out.created, out.updated, out.unchanged) == (0, 0, 4)
    assert catalogue.source_digests(["src:1"]) == {"src:1": b"raw-1b"}
    assert [c.kind for c in catalogue.changes()] == ["created", "created"]
    catalogue.write_batch(run, [], delete_ids=["src:1"])
    assert catalogue.source_digests(["src:1"]) == {}


def test_a_new_catalogue_opened_by_several_processes_at_once_opens_for_each(
    tmp_path: Path,
) -> None:
    """Each opening writes the schema: they must wait their turn, not fail as « locked »."""
    import threading

    location = tmp_path / "new.sqlite"
    count = 8
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            SqliteCatalogue(location).close()
        except BaseException as exc:  # re-raised below
            failures.append(exc)

    for _ in range(30):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{location}{suffix}").unlink(missing_ok=True)
        threads = [threading.Thread(target=open_it) for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert failures == []


def test_a_version_1_file_gets_the_runs_quarantine_mark(tmp_path: Path) -> None:
    """Files written before the mark existed open, and their runs close entries by the new rule."""
    location = tmp_path / "v1.sqlite"
    with SqliteCatalogue(location) as db:
        run = db.begin_run("src", "p", ["f.csv"]).id
        db.write_batch(run, [], [problem(3)])
        db._db.execute("ALTER TABLE runs DROP COLUMN quarantine_mark")
        db._db.execute("PRAGMA user_version=1")
    with SqliteCatalogue(location) as db:
        assert db._scalar("PRAGMA user_version") == SCHEMA_VERSION
        later = db.begin_run("src", "p", ["f.csv"]).id
        db.finish_run(later, "completed", {})
        assert db.quarantine() == []


def duplicate(line: int, key: str) -> QuarantineEntry:
    return msgspec.structs.replace(problem(line, key), reason="reason.duplicate_id")


def test_each_duplicate_of_one_id_stays_its_own_entry_across_two_runs_at_once(
    catalogue: Catalogue,
) -> None:
    """Lines 5 and 9 repeat the id of line 2: two records, two open entries, whoever ends first.

    Known by their id, the second run's line 5 closed the first run's line 9 and the other way
    round (the real festivals export: 9 of 74 open entries lost to two imports at once).
    """
    a = catalogue.begin_run("src", "p", ["f.csv"]).id
    b = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(a, [stored(work("1"))], [duplicate(5, "1")])
    catalogue.write_batch(b, [stored(work("1"))], [duplicate(5, "1")])
    catalogue.write_batch(a, [], [duplicate(9, "1")])
    catalogue.write_batch(b, [], [duplicate(9, "1")])
    catalogue.finish_run(a, "completed", {})
    catalogue.finish_run(b, "completed", {})
    assert [(e.line, e.run_id) for e in catalogue.quarantine()] == [(5, b), (9, b)]
    # Storing the id again stores its first record, not the duplicates.
    c = catalogue.begin_run("src", "p", ["g.csv"]).id
    catalogue.write_batch(c, [stored(work("1"))])
    assert [e.line for e in catalogue.quarantine()] == [5, 9]


def image(n: int, work_id: str | None = "src:1") -> ImageHash:
    return ImageHash(
        pdq=bytes([n]) * 32,
        quality=90,
        phash=bytes([n]) * 8,
        file=f"{n}.jpg",
        sha256=bytes([n]) * 32,
        work_id=work_id,
        label="human",
    )


def test_registered_images_are_stored_once_per_work_and_read_in_pages(
    catalogue: Catalogue,
) -> None:
    ids = catalogue.add_image_hashes([image(1), image(2), image(1), image(1, "src:2")])
    assert ids[2] is None  # same bytes, same work
    assert None not in (ids[0], ids[1], ids[3])
    assert ids[0] < ids[1] < ids[3]  # type: ignore[operator]
    first = catalogue.image_hashes(limit=2)
    rest = catalogue.image_hashes(after=first[-1].id or 0)
    assert [i.file for i in first + rest] == ["1.jpg", "2.jpg", "1.jpg"]
    assert [i.work_id for i in first + rest] == ["src:1", "src:1", "src:2"]
    assert first[0].registered_at is not None and first[0].pdq == bytes([1]) * 32


def test_an_image_breaking_not_null_fails_its_whole_batch_rather_than_vanishing(
    catalogue: Catalogue,
) -> None:
    catalogue.add_image_hashes([image(1)])
    broken = msgspec.structs.replace(image(3), pdq=None)  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017 (the backend's own NOT NULL error)
        catalogue.add_image_hashes([image(2), broken])
    assert [i.file for i in catalogue.image_hashes()] == ["1.jpg"]


def test_set_values_and_last_change_follow_writes_and_deletions(catalogue: Catalogue) -> None:
    # The PostgreSQL catalogue had neither (OAI-PMH's ListSets and read-ahead call them).
    assert catalogue.last_change() == 0
    assert catalogue.set_values() == {"source": [], "type": [], "territory": []}
    region = {"territories": [{"level": "region", "code": "FR-BRE"}]}
    city = {"territories": [{"level": "municipality", "name": "Brest"}]}
    run = catalogue.begin_run("src", "p", ["f.csv"]).id
    catalogue.write_batch(
        run,
        [
            stored(work("1", diversity=msgspec.convert(region, Diversity))),
            stored(work("2", diversity=msgspec.convert(city, Diversity))),
        ],
    )
    assert catalogue.last_change() == len(catalogue.changes())
    assert catalogue.set_values() == {"source": ["src"], "type": ["Movie"], "territory": ["FR-BRE"]}
    before = catalogue.last_change()
    catalogue.write_batch(run, [], delete_ids=["src:1"])
    assert catalogue.last_change() > before
    assert catalogue.set_values()["territory"] == []


def _isni(value: str) -> list[Identifier]:
    return [Identifier(scheme=IdentifierScheme.ISNI, value=value)]


def test_entity_works_were_missing_an_agents_and_a_places_works_are_found_by_identifier(
    catalogue: Catalogue,
) -> None:
    # Works 1 and 3 have the agent ISNI 1 (3 as an event's venue has the place too); work 2 has
    # ISNI 2; work 4 names the same agent without an identifier: a name alone is no identity.
    zola = Agent(name="Émile Zola", identifiers=_isni("1"))
    hall = Place(
        name="Salle", identifiers=[Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q9")]
    )
    run = catalogue.begin_run("src", "p", []).id
    writes = [
        work("1", contributors=[Contribution(agent=zola, role=Role.AUTHOR)], places=[hall]),
        work(
            "2",
            contributors=[
                Contribution(agent=Agent(name="X", identifiers=_isni("2")), role=Role.AUTHOR)
            ],
        ),
        work(
            "3",
            contributors=[Contribution(agent=zola, role=Role.AUTHOR)],
            events=[Event(place=hall)],
        ),
        work("4", contributors=[Contribution(agent=Agent(name="Émile Zola"), role=Role.AUTHOR)]),
    ]
    catalogue.write_batch(run, [stored(w) for w in writes])

    def ids(kind: EntityKind, scheme: str, value: str, limit: int = 100) -> list[str]:
        return [w.id for w in catalogue.entity_works(kind, scheme, value, limit)]

    assert ids("agent", "isni", "1") == ["src:1", "src:3"]
    assert catalogue.count_entity_works("agent", "isni", "1") == 2
    assert ids("agent", "isni", "1", limit=1) == ["src:1"]
    assert ids("place", "wikidata", "Q9") == ["src:1", "src:3"]
    assert ids("agent", "wikidata", "Q9") == [] and ids("place", "isni", "1") == []
    # Work 1 loses its agent; work 3 is deleted, then stored again.
    changed = work("1", places=[hall])
    catalogue.write_batch(run, [stored(changed)], delete_ids=["src:3"])
    assert ids("agent", "isni", "1") == []
    assert catalogue.count_entity_works("agent", "isni", "1") == 0
    assert ids("place", "wikidata", "Q9") == ["src:1"]
    catalogue.write_batch(run, [stored(writes[2])])
    assert ids("agent", "isni", "1") == ["src:3"]
    assert ids("place", "wikidata", "Q9") == ["src:1", "src:3"]


def test_a_version_3_file_gets_its_entity_works_when_opened(tmp_path: Path) -> None:
    location = tmp_path / "v3.sqlite"
    zola = Agent(name="Émile Zola", identifiers=_isni("1"))
    with SqliteCatalogue(location) as db:
        run = db.begin_run("src", "p", []).id
        author = Contribution(agent=zola, role=Role.AUTHOR)
        db.write_batch(run, [stored(work("1", contributors=[author]))])
        db._db.execute("DROP TABLE entity_works")
        db._db.execute("PRAGMA user_version=3")
    with SqliteCatalogue(location) as db:
        assert db._scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert [w.id for w in db.entity_works("agent", "isni", "1")] == ["src:1"]
