"""Re-imports: records whose raw text and mapping are unchanged are not mapped again."""

from __future__ import annotations

import csv
import shutil
import threading
import uuid
from collections import Counter
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lanterne.ingest._parallel as parallel
from lanterne.catalogue import SqliteCatalogue
from lanterne.ingest import IngestOptions, IngestSummary, Mapper, ingest, load_mapping_profile
from lanterne.ingest._transform import Outcome
from lanterne.profile import encode_work

DEMO = Path(__file__).resolve().parents[1] / "src" / "lanterne" / "demo" / "festivals-demo.csv"


@pytest.fixture
def mapped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids of the records the pipeline maps (serial mode maps in this process)."""
    calls: list[str] = []
    real = parallel.transform_record

    def counting(
        mapper: Mapper, kind: str, data: dict[str, object], source_id: str | None = None
    ) -> Outcome:
        outcome = real(mapper, kind, data, source_id)
        calls.append(str(outcome.source_id))
        return outcome

    monkeypatch.setattr(parallel, "transform_record", counting)
    return calls


def run(
    db: SqliteCatalogue, path: Path, profile: str = "festivals-france", **options: bool
) -> IngestSummary:
    return ingest(db, path, load_mapping_profile(profile), IngestOptions(workers=0, **options))


def test_unchanged_records_are_not_mapped_again(tmp_path: Path, mapped: list[str]) -> None:
    data = tmp_path / "festivals.csv"
    shutil.copy(DEMO, data)
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        first = run(db, data)
        assert len(mapped) == first.read
        mapped.clear()

        second = run(db, data)
        assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
        # Only the records that were quarantined the first time are mapped again.
        assert len(mapped) == first.quarantined
        mapped.clear()

        forced = run(db, data, remap=True)
        assert len(mapped) == forced.read and forced.unchanged == first.created


def test_an_edited_record_is_mapped_and_updated(tmp_path: Path, mapped: list[str]) -> None:
    data = tmp_path / "festivals.csv"
    lines = DEMO.read_text("utf-8-sig").splitlines(keepends=True)
    data.write_text("".join(lines), "utf-8")
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        first = run(db, data)
        mapped.clear()
        target = lines[1].split(";")
        target[0] = target[0] + " (édition spéciale)"
        lines[1] = ";".join(target)
        data.write_text("".join(lines), "utf-8")
        second = run(db, data)
        assert second.updated == 1
        assert len(mapped) == 1 + first.quarantined
        [change] = [c for c in db.changes() if c.kind == "updated"]
        assert set(change.fields) == {"titles"}


def test_a_changed_profile_maps_everything_again(tmp_path: Path, mapped: list[str]) -> None:
    data = tmp_path / "festivals.csv"
    shutil.copy(DEMO, data)
    bundled = load_mapping_profile("festivals-france")
    edited = tmp_path / "festivals.toml"
    edited.write_text(bundled.text + "\n# a comment changes the profile's text\n", "utf-8")
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        first = run(db, data)
        mapped.clear()
        again = run(db, data, profile=str(edited))
        assert len(mapped) == again.read
        # Same mapping, so the works themselves are unchanged.
        assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
        mapped.clear()
        run(db, data, profile=str(edited))
        assert len(mapped) == first.quarantined


def _mapped_in_any_process(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Count mappings in a file: forked map workers inherit the patch, and files cross processes."""
    real = parallel.transform_record

    def counting(
        mapper: Mapper, kind: str, data: dict[str, object], source_id: str | None = None
    ) -> Outcome:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{source_id}\n")
        return real(mapper, kind, data, source_id)

    monkeypatch.setattr(parallel, "transform_record", counting)


def test_map_workers_skip_unchanged_records_through_their_own_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "mapped.txt"
    _mapped_in_any_process(monkeypatch, log)
    data = tmp_path / "festivals.csv"
    shutil.copy(DEMO, data)
    profile = load_mapping_profile("festivals-france")
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        first = ingest(db, data, profile, IngestOptions(workers=2))
        assert len(log.read_text("utf-8").splitlines()) == first.read
        log.unlink()
        second = ingest(db, data, profile, IngestOptions(workers=2))
        assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
        # Only the records quarantined the first time were mapped again, in the workers.
        assert len(log.read_text("utf-8").splitlines()) == first.quarantined


def test_map_workers_parse_each_file_with_its_own_columns(tmp_path: Path) -> None:
    """Two files of one source with their columns in different orders: workers parse each right."""
    lines = DEMO.read_text("utf-8-sig").splitlines(keepends=True)
    rows = list(csv.reader(lines, delimiter=";"))
    folder = tmp_path / "export"
    folder.mkdir()
    half = len(rows) // 2
    with (folder / "a.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\n").writerows(rows[:half])
    with (folder / "b.csv").open("w", encoding="utf-8", newline="") as f:
        reversed_rows = [list(reversed(row)) for row in [rows[0], *rows[half:]]]
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(reversed_rows)
    bundled = load_mapping_profile("festivals-france")
    profile = msgspec.structs.replace(
        bundled, reader=msgspec.structs.replace(bundled.reader, files=["a.csv", "b.csv"])
    )
    docs = []
    for workers in (0, 2):
        with SqliteCatalogue(tmp_path / f"c{workers}.sqlite") as db:
            summary = ingest(db, folder, profile, IngestOptions(workers=workers))
            assert summary.read == len(rows) - 1
            docs.append({w.id: encode_work(w) for w in db.iter_works()})
    assert docs[0] == docs[1]
    assert len(docs[0]) > 0.9 * (len(rows) - 1)


def test_sync_deletes_only_the_works_missing_from_a_full_export(tmp_path: Path) -> None:
    lines = DEMO.read_text("utf-8-sig").splitlines(keepends=True)
    data = tmp_path / "festivals.csv"
    data.write_text("".join(lines), "utf-8")
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        first = run(db, data)
        before = db.count()
        assert before == first.created
        # The export loses one stored festival (its line) and nothing else.
        stored = {w.provenance.source_id for w in db.iter_works()}
        dropped = next(i for i, line in enumerate(lines[1:], 1) if _id_of(line) in stored)
        data.write_text("".join(lines[:dropped] + lines[dropped + 1 :]), "utf-8")
        synced = run(db, data, sync=True)
        assert synced.deleted == 1
        assert db.count() == before - 1
        deleted = [c for c in db.changes() if c.kind == "deleted"]
        assert [c.work_id for c in deleted] == [f"festivals-france:{_id_of(lines[dropped])}"]
        again = run(db, data, sync=True)
        assert again.deleted == 0 and db.count() == before - 1


def _id_of(line: str) -> str:
    header = DEMO.read_text("utf-8-sig").splitlines()[0].split(";")
    return line.split(";")[header.index("Identifiant")]


def _open_identities(db: SqliteCatalogue, source: str) -> list[tuple[str, ...]]:
    """What each open quarantine entry stands for: its record id, else (no id, or an id that
    another record holds) its file and line."""
    entries = db.quarantine(source, limit=1_000_000)
    return sorted(
        ("id", e.record_key)
        if e.record_key is not None and e.reason != "reason.duplicate_id"
        else ("at", e.file, str(e.line))
        for e in entries
    )


def _copies(out: Path, count: int) -> Path:
    """``count`` copies of the demo extract's rows, each copy's ids suffixed (``-k``)."""
    lines = DEMO.read_text("utf-8-sig").splitlines(keepends=True)
    rows = list(csv.reader(lines, delimiter=";"))
    at = rows[0].index("Identifiant")
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\n")
        writer.writerow(rows[0])
        for k in range(count):
            for row in rows[1:]:
                copy = row[:]
                if len(copy) > at and copy[at].strip():
                    copy[at] = f"{copy[at].strip()}-{k}"
                writer.writerow(copy)
    return out


def _interleaved_imports(
    location: Path, data: Path, count: int, batch_size: int, remap: bool = True
) -> None:
    """``count`` imports of ``data`` at once, each in its own thread with its own connection.

    They take turns every 1,000 records read (the pipeline's progress calls), so their batches
    interleave the same way on every run, and each one's last batch is written before any
    finishes: the case where two imports started together each closed the other's entries.
    """
    turn = threading.Condition()
    state = {"turn": 0, "done": set()}
    failures: list[BaseException] = []

    def wait_for(me: int) -> None:
        with turn:
            turn.wait_for(lambda: state["turn"] == me, timeout=600)

    def pass_turn(me: int) -> None:
        with turn:
            waiting = [i for i in range(count) if i not in state["done"] and i != me]
            state["turn"] = waiting[0] if waiting else me
            turn.notify_all()

    def one(me: int) -> None:
        try:
            with SqliteCatalogue(location) as db:
                wait_for(me)

                def progress(_read: int) -> None:
                    pass_turn(me)
                    wait_for(me)

                ingest(
                    db,
                    data,
                    load_mapping_profile("festivals-france"),
                    IngestOptions(workers=0, batch_size=batch_size, remap=remap),
                    progress=progress,
                )
        except BaseException as exc:  # re-raised in the test's thread
            failures.append(exc)
        finally:
            with turn:
                state["done"].add(me)  # type: ignore[attr-defined]
            pass_turn(me)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not failures, failures


def _assert_runs_add_up(db: SqliteCatalogue) -> None:
    for r in db.runs(limit=1000):
        s = r.summary
        assert s["read"] == s["created"] + s["updated"] + s["unchanged"] + s["quarantined"]
        batches = db._db.execute(
            "SELECT coalesce(sum(created + updated + unchanged), 0), "
            "coalesce(sum(quarantined), 0) FROM batches "
            "WHERE run_id=?",
            (r.id,),
        ).fetchone()
        assert batches == (s["created"] + s["updated"] + s["unchanged"], s["quarantined"])


def test_two_concurrent_imports_leave_every_unstored_record_open(tmp_path: Path) -> None:
    data = _copies(tmp_path / "festivals.csv", 6)
    with SqliteCatalogue(tmp_path / "alone.sqlite") as alone:
        once = run(alone, data)
        expected = _open_identities(alone, once.source)
    assert once.quarantined > 0 and len(expected) == once.quarantined
    location = tmp_path / "c.sqlite"
    _interleaved_imports(location, data, 2, batch_size=100)
    with SqliteCatalogue(location) as db:
        runs = db.runs()
        assert len(runs) == 2 and {r.status for r in runs} == {"completed"}
        # The imports did overlap: each started before the other finished.
        a, b = runs
        assert a.started_at < str(b.finished_at) and b.started_at < str(a.finished_at)
        assert _open_identities(db, once.source) == expected
        assert db.stats(once.source).quarantined == once.quarantined
        _assert_runs_add_up(db)


# Hypothesis: any sequence of imports of one source, some of them two at once. ------------------

_ROWS = list(csv.reader(DEMO.read_text("utf-8-sig").splitlines(), delimiter=";"))
_HEADER, _GOOD = _ROWS[0], [r for r in _ROWS[1:21] if r[17].isdigit()][:8]
_ID, _YEAR = _HEADER.index("Identifiant"), _HEADER.index("Année de création du festival")
# What a variant does with each of the rows: leave it out, keep it, break its year (quarantined
# with its id), blank its id (quarantined with no id), or write it two or three times (duplicates).
_STATES = ("absent", "good", "bad", "no_id", "twice", "thrice")


def _write_variant(path: Path, states: tuple[str, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\n")
        writer.writerow(_HEADER)
        for row, state in zip(_GOOD, states, strict=True):
            row = row[:]
            if state == "bad":
                row[_YEAR] = "9ème"
            elif state == "no_id":
                row[_ID] = ""
            times = {"absent": 0, "twice": 2, "thrice": 3}.get(state, 1)
            writer.writerows([row] * times)


def _outcome_alone(tmp: Path, data: Path) -> tuple[set[tuple[str, ...]], Counter[tuple[str, ...]]]:
    """Record ids stored, and identities quarantined, by one import of ``data`` into a new store."""
    location = tmp / f"alone-{uuid.uuid4().hex}.sqlite"
    with SqliteCatalogue(location) as alone:
        summary = run(alone, data)
        stored = {("id", w.provenance.source_id) for w in alone.iter_works()}
        quarantined = Counter(_open_identities(alone, summary.source))
    location.unlink()
    return stored, quarantined


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.tuples(*[st.sampled_from(_STATES)] * len(_GOOD)),
            st.sampled_from([1, 1, 2]),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_open_quarantine_is_what_was_quarantined_and_not_stored_since(
    tmp_path: Path, steps: list[tuple[tuple[str, ...], int, bool]]
) -> None:
    """After each import (alone, or two at once), counts add up per run, and the open entries are
    exactly one per record quarantined and not stored since (a record with no id: its line,
    read again by every import of the same file)."""
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    data, location = folder / "festivals.csv", folder / "c.sqlite"
    expected: Counter[tuple[str, ...]] = Counter()
    for states, at_once, remap in steps:
        _write_variant(data, states)
        stored, quarantined = _outcome_alone(folder, data)
        touched = stored | set(quarantined)
        # Every import reads the whole (same) file: entries with no id are all read again.
        expected = Counter({k: n for k, n in expected.items() if k not in touched and k[0] == "id"})
        expected.update(quarantined)
        if at_once == 1:
            with SqliteCatalogue(location) as db:
                ingest(
                    db, data, load_mapping_profile("festivals-france"), IngestOptions(remap=remap)
                )
        else:
            _interleaved_imports(location, data, 2, batch_size=3, remap=remap)
        with SqliteCatalogue(location) as db:
            _assert_runs_add_up(db)
            assert Counter(_open_identities(db, "festivals-france")) == expected
            assert db.integrity_problems() == []
