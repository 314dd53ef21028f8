"""Re-imports: records whose raw text and mapping are unchanged are not mapped again."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import msgspec
import pytest

import lanterne.ingest._parallel as parallel
from lanterne.catalogue import SqliteCatalogue
from lanterne.ingest import IngestOptions, IngestSummary, Mapper, ingest, load_profile
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
        calls.append(str(outcome[1]))
        return outcome

    monkeypatch.setattr(parallel, "transform_record", counting)
    return calls


def run(
    db: SqliteCatalogue, path: Path, profile: str = "festivals-france", **options: bool
) -> IngestSummary:
    return ingest(db, path, load_profile(profile), IngestOptions(workers=0, **options))


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
    bundled = load_profile("festivals-france")
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
    profile = load_profile("festivals-france")
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
    bundled = load_profile("festivals-france")
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
