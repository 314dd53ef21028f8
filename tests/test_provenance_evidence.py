"""Evidence Lanterne verifies (a C2PA manifest read by ``provenance verify --work`` or the API's
``work`` field), kept on the work apart from its source record: it survives a re-import of the
work from its source, changed or not, decides the label by the rules of docs/provenance.md, is
logged as an update, counts once when verified twice, and goes with a work deleted by ``--sync``.

On both backends (the PostgreSQL one on the tests' own server, tests/pg_server.py), with
c2pa-python's fixtures (../shared/standards/c2pa): C.jpg is an AI image, Valid (its signer is
not trusted) or Trusted with the test trust settings; XCA.jpg has tampered pixels (Invalid).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest

from helpers import lanterne, write_works
from lanterne.catalogue import (
    Catalogue,
    SqliteCatalogue,
    StateFilter,
    StoredWork,
    open_catalogue,
)
from lanterne.catalogue._schema import SCHEMA_VERSION
from lanterne.errors import NotFound
from lanterne.profile import (
    C2paState,
    CreationLabel,
    CreationLabelValue,
    LabelEvidence,
    LabelMethod,
    Provenance,
    Title,
    Work,
    WorkType,
    encode_work,
)
from lanterne.provenance import TrustConfig, attach_evidence, verify_file

C2PA = Path(__file__).resolve().parents[2] / "shared" / "standards" / "c2pa"
FIXTURES = C2PA / "fixtures"
TRUST = C2PA / "trust_config_test_settings.json"
DEMO = Path(__file__).resolve().parents[1] / "src" / "lanterne" / "demo" / "festivals-demo.csv"

pytestmark = pytest.mark.skipif(
    not TRUST.is_file(), reason=f"the C2PA fixtures are not at {C2PA} (../shared/standards/c2pa)"
)

HUMAN, SYNTHETIC = CreationLabelValue.HUMAN, CreationLabelValue.SYNTHETIC
MANIFEST = "contentauth:urn:uuid:c85a2b90-f1a0-4aa4-b17f-f938b475804e"
"""C.jpg's active manifest: the identifier of its evidence, Valid or Trusted."""

BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Catalogue]] = {
    "sqlite": lambda _, tmp: SqliteCatalogue(tmp / "catalogue.sqlite"),
    "postgresql": lambda request, _: open_catalogue(request.getfixturevalue("postgres_url")),
}


@pytest.fixture(params=sorted(BACKENDS))
def catalogue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalogue]:
    db = BACKENDS[request.param](request, tmp_path)
    yield db
    db.close()


def _evidence(image: str, trusted: bool = False) -> LabelEvidence:
    found = verify_file(FIXTURES / image, TrustConfig.load(TRUST) if trusted else None)
    evidence = found.evidence()
    assert evidence is not None, image
    return evidence


@pytest.fixture(scope="module")
def trusted() -> LabelEvidence:
    """C.jpg verified with the test trust anchors: Trusted, synthetic."""
    found = _evidence("C.jpg", trusted=True)
    assert (found.c2pa_state, found.value, found.identifier) == (
        C2paState.TRUSTED,
        SYNTHETIC,
        MANIFEST,
    )
    return found


@pytest.fixture(scope="module")
def valid() -> LabelEvidence:
    """C.jpg verified without anchors: Valid (signer not trusted), synthetic."""
    found = _evidence("C.jpg")
    assert (found.c2pa_state, found.identifier) == (C2paState.VALID, MANIFEST)
    return found


@pytest.fixture(scope="module")
def invalid() -> LabelEvidence:
    """XCA.jpg: tampered pixels, Invalid."""
    found = _evidence("files-for-reading-tests/XCA.jpg")
    assert found.c2pa_state is C2paState.INVALID
    return found


DECLARED = CreationLabel(value=HUMAN, method=LabelMethod.DECLARATION, declared_by="le musée")
"""What the source record says: a human creation, declared by the museum."""


def _work(title: str = "Vue du port", label: CreationLabel | None = DECLARED) -> Work:
    return Work(
        id="musee:1",
        type=WorkType.PHOTOGRAPH,
        titles=[Title(value=title, lang="fr")],
        provenance=Provenance(source="musee", source_id="1"),
        creation_label=label,
    )


def _stored(w: Work) -> StoredWork:
    """As ingest stores it: the source digest stands for the raw record (here, its title)."""
    doc = encode_work(w)
    return StoredWork(
        id=w.id,
        source="musee",
        source_id="1",
        type=w.type.value,
        doc=doc,
        digest=hashlib.blake2b(doc, digest_size=16).digest(),
        source_digest=hashlib.blake2b(w.titles[0].value.encode(), digest_size=16).digest(),
    )


def _store(db: Catalogue, *works: Work, delete: tuple[str, ...] = ()) -> tuple[int, int, int, int]:
    run = db.begin_run("musee", "test", ["x"]).id
    done = db.write_batch(run, [_stored(w) for w in works], delete_ids=delete)
    db.finish_run(run, "completed", {})
    return done.created, done.updated, done.unchanged, done.deleted


def _label(db: Catalogue) -> CreationLabel:
    found = db.get("musee:1")
    assert found is not None and found.creation_label is not None
    return found.creation_label


# The label by the rules -----------------------------------------------------------------------


def test_a_trusted_manifest_kept_on_a_work_outweighs_the_source_declaration(
    catalogue: Catalogue, trusted: LabelEvidence
) -> None:
    _store(catalogue, _work())
    stored = catalogue.add_label_evidence("musee:1", [trusted])
    assert stored is not None and stored == catalogue.get("musee:1")
    label = _label(catalogue)
    # The declaration says human, the Trusted manifest synthetic: the manifest wins, and the
    # disagreement is shown.
    assert (label.value, label.method, label.identifier) == (SYNTHETIC, LabelMethod.C2PA, MANIFEST)
    assert label.conflict is True
    assert [e.method for e in label.evidence] == [LabelMethod.DECLARATION, LabelMethod.C2PA]
    assert catalogue.label_evidence("musee:1") == [trusted]


def test_an_untrusted_manifest_is_outweighed_by_the_declaration_and_shown_as_a_conflict(
    catalogue: Catalogue, valid: LabelEvidence
) -> None:
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [valid])
    label = _label(catalogue)
    assert (label.value, label.method, label.conflict) == (HUMAN, LabelMethod.DECLARATION, True)
    assert valid in label.evidence


def test_an_invalid_manifest_is_kept_shown_and_never_decides(
    catalogue: Catalogue, invalid: LabelEvidence
) -> None:
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [invalid])
    label = _label(catalogue)
    assert (label.value, label.method, label.conflict) == (HUMAN, LabelMethod.DECLARATION, False)
    assert invalid in label.evidence and catalogue.label_evidence("musee:1") == [invalid]
    # Alone, it decides nothing either: the label is unknown.
    _store(catalogue, _work(label=None))
    assert _label(catalogue).value is CreationLabelValue.UNKNOWN


def test_verifying_twice_counts_once_and_a_trusted_reading_replaces_the_valid_one(
    catalogue: Catalogue, valid: LabelEvidence, trusted: LabelEvidence
) -> None:
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [valid])
    logged = catalogue.last_change()
    catalogue.add_label_evidence("musee:1", [valid])
    assert catalogue.label_evidence("musee:1") == [valid]
    assert len(_label(catalogue).evidence) == 2  # the declaration and the manifest, once
    assert catalogue.last_change() == logged  # nothing changed: nothing logged
    # The same manifest verified again with trust anchors: one piece, now Trusted.
    catalogue.add_label_evidence("musee:1", [trusted])
    assert catalogue.label_evidence("musee:1") == [trusted]
    assert _label(catalogue).value is SYNTHETIC and len(_label(catalogue).evidence) == 2


def test_adding_evidence_is_logged_as_an_update_that_a_from_harvest_sees(
    catalogue: Catalogue, trusted: LabelEvidence
) -> None:
    _store(catalogue, _work())
    before = catalogue.last_change()
    catalogue.add_label_evidence("musee:1", [trusted])
    [change] = catalogue.changes(since=before)
    assert change.work_id == "musee:1" and change.kind == "updated"
    assert list(change.fields) == ["creation_label"]
    state = catalogue.work_state("musee:1")
    assert state is not None and state.modified == change.at
    # OAI-PMH ``from`` and the sitemaps select by that time.
    since = catalogue.work_states(where=StateFilter(modified_from=change.at))
    assert [s.id for s in since] == ["musee:1"]
    assert catalogue.integrity_problems() == []  # the work's last change is in the log


# Re-imports and --sync ------------------------------------------------------------------------


def test_verified_evidence_survives_a_changed_reimport(
    catalogue: Catalogue, trusted: LabelEvidence
) -> None:
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [trusted])
    before = catalogue.last_change()
    # The source changed the title: the record is rewritten from the source, and the kept
    # manifest merged back (it lost it before: the label was the source's alone).
    assert _store(catalogue, _work("Vue du port de Honfleur")) == (0, 1, 0, 0)
    found = catalogue.get("musee:1")
    assert found is not None and found.titles[0].value == "Vue du port de Honfleur"
    label = _label(catalogue)
    assert (label.value, label.conflict) == (SYNTHETIC, True) and trusted in label.evidence
    # The change log says what the source changed, not the label it did not.
    [change] = catalogue.changes(since=before)
    assert list(change.fields) == ["titles"]
    assert catalogue.label_evidence("musee:1") == [trusted]


def test_a_changed_reimport_that_changes_the_declaration_is_decided_again(
    catalogue: Catalogue, valid: LabelEvidence
) -> None:
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [valid])
    assert _label(catalogue).value is HUMAN  # the declaration outweighs a Valid manifest
    _store(catalogue, _work(label=None))  # the source no longer declares anything
    label = _label(catalogue)
    assert (label.value, label.conflict, label.evidence) == (SYNTHETIC, False, [valid])


def test_an_unchanged_reimport_is_skipped_and_keeps_the_evidence(
    catalogue: Catalogue, trusted: LabelEvidence
) -> None:
    first = _stored(_work())
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [trusted])
    # The source digest is still the source record's: ingest finds the record unchanged
    # without mapping it.
    assert catalogue.source_digests(["musee:1"]) == {"musee:1": first.source_digest}
    # Mapped again all the same (``--full``), the same document from the source is unchanged.
    before = catalogue.last_change()
    assert _store(catalogue, _work()) == (0, 0, 1, 0)
    assert catalogue.last_change() == before
    assert _label(catalogue).value is SYNTHETIC and trusted in _label(catalogue).evidence


def test_a_work_deleted_by_sync_loses_its_evidence(
    catalogue: Catalogue, trusted: LabelEvidence
) -> None:
    _store(catalogue, _work())
    catalogue.add_label_evidence("musee:1", [trusted])
    assert _store(catalogue, delete=("musee:1",)) == (0, 0, 0, 1)
    assert catalogue.label_evidence("musee:1") == []
    assert catalogue.add_label_evidence("musee:1", [trusted]) is None  # a deleted work: none
    # Stored again, it is the source's alone: its images are to be verified again.
    assert _store(catalogue, _work()) == (1, 0, 0, 0)
    assert _label(catalogue) == DECLARED


def test_an_unknown_work_is_a_clear_error_and_nothing_is_written(
    catalogue: Catalogue, trusted: LabelEvidence
) -> None:
    assert catalogue.add_label_evidence("musee:404", [trusted]) is None
    with pytest.raises(NotFound) as unknown:
        attach_evidence(catalogue, "musee:404", [trusted])
    assert "« musee:404 »" in unknown.value.message("fr")
    assert "musee:404" in unknown.value.message("en") and "No work" in unknown.value.message("en")
    assert catalogue.label_evidence("musee:404") == [] and catalogue.last_change() == 0


@pytest.mark.parametrize("backend", ["_sqlite", "_postgres"])
def test_a_failure_mid_way_leaves_neither_the_row_nor_the_label(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trusted: LabelEvidence,
) -> None:
    """The evidence row, the work's new label and its change are one transaction: a failure
    (or a kill) after the row is written leaves none of them."""
    import importlib

    db = BACKENDS["sqlite" if backend == "_sqlite" else "postgresql"](request, tmp_path)
    try:
        _store(db, _work())
        before = db.last_change()

        def broken(doc: bytes | str, pieces: object) -> bytes:
            raise RuntimeError("killed after the row was written")

        monkeypatch.setattr(
            importlib.import_module(f"lanterne.catalogue.{backend}"), "with_evidence", broken
        )
        with pytest.raises(RuntimeError):
            db.add_label_evidence("musee:1", [trusted])
        monkeypatch.undo()
        assert db.label_evidence("musee:1") == [] and _label(db) == DECLARED
        assert db.last_change() == before and db.integrity_problems() == []
    finally:
        db.close()


# Schema --------------------------------------------------------------------------------------


def test_a_version_4_file_gets_its_label_evidence_table_when_opened(
    tmp_path: Path, trusted: LabelEvidence
) -> None:
    location = tmp_path / "v4.sqlite"
    with SqliteCatalogue(location) as db:
        _store(db, _work())
        db._db.execute("DROP TABLE label_evidence")
        db._db.execute("PRAGMA user_version=4")
    with SqliteCatalogue(location, read_only=True) as old:
        assert old.label_evidence("musee:1") == []  # read as it is: nothing kept yet
    with SqliteCatalogue(location) as db:
        assert db._scalar("PRAGMA user_version") == SCHEMA_VERSION == 5
        assert db.label_evidence("musee:1") == []
        db.add_label_evidence("musee:1", [trusted])
        assert db.label_evidence("musee:1") == [trusted]


def test_postgresql_migration_5_adds_the_table_to_a_version_4_database(
    postgres_empty_url: str, trusted: LabelEvidence
) -> None:
    import psycopg

    from lanterne.catalogue import migrate_catalogue
    from lanterne.catalogue._pg_schema import MIGRATIONS
    from lanterne.catalogue._pg_schema import SCHEMA_VERSION as PG_VERSION

    assert PG_VERSION == 5
    with psycopg.connect(postgres_empty_url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at text NOT NULL)"
        )
        for version, sql in MIGRATIONS[:4]:
            con.execute(sql.encode())
            con.execute("INSERT INTO schema_version VALUES (%s, 'then')", (version,))
        doc = encode_work(_work()).decode()
        con.execute(
            "INSERT INTO works (id, source, source_id, type, doc, digest, created_at, "
            "updated_at, batch_id) VALUES ('musee:1', 'musee', '1', 'Photograph', %s, '\\x00', "
            "'t', 't', 'b')",
            (doc,),
        )
    assert (migrate_catalogue(postgres_empty_url).before, PG_VERSION) == (4, 5)
    with open_catalogue(postgres_empty_url) as db:
        db.add_label_evidence("musee:1", [trusted])
        assert db.label_evidence("musee:1") == [trusted] and _label(db).value is SYNTHETIC


# The command line, on a real import -----------------------------------------------------------


def _first_id(path: Path) -> str:
    with open_catalogue(path) as db:
        return next(db.iter_works()).id


def test_verify_with_work_keeps_the_evidence_through_reimports_and_sync(tmp_path: Path) -> None:
    data = tmp_path / "festivals.csv"
    shutil.copy(DEMO, data)
    imported = lanterne(tmp_path, "ingest", str(data), "--profile", "festivals-france")
    assert imported.returncode == 0, imported.stderr
    work_id = _first_id(tmp_path / "c.sqlite")
    trust = ("--trust", str(TRUST))

    done = lanterne(
        tmp_path, "provenance", "verify", str(FIXTURES / "C.jpg"), "--work", work_id, *trust
    )
    assert done.returncode == 0, done.stderr
    assert f"Preuve gardée pour l'œuvre {work_id}. Son étiquette : contenu généré par IA." in (
        done.stdout
    )
    assert "Image signée, certificat vérifié (C2PA Test Signing Cert)." in done.stdout

    # Unchanged re-import: nothing mapped again, nothing rewritten, the label kept.
    again = lanterne(tmp_path, "ingest", str(data), "--profile", "festivals-france", "--json")
    assert json.loads(again.stdout)["updated"] == 0
    with open_catalogue(tmp_path / "c.sqlite") as db:
        assert _label_of(db, work_id).value is SYNTHETIC

    # The record changed at its source: rewritten from it, the manifest merged back.
    text = data.read_text("utf-8-sig")
    lines = text.splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if work_id.split(":")[1] in line)
    lines[row] = lines[row].replace(";", " (édition spéciale);", 1)
    data.write_text("".join(lines), "utf-8")
    changed = lanterne(tmp_path, "ingest", str(data), "--profile", "festivals-france", "--json")
    assert json.loads(changed.stdout)["updated"] == 1, changed.stdout
    with open_catalogue(tmp_path / "c.sqlite") as db:
        found = db.get(work_id)
        assert found is not None and "(édition spéciale)" in found.titles[0].value
        assert _label_of(db, work_id).value is SYNTHETIC

    # A complete export without it (--sync): deleted, and its evidence with it.
    del lines[row]
    data.write_text("".join(lines), "utf-8")
    synced = lanterne(
        tmp_path, "ingest", str(data), "--profile", "festivals-france", "--sync", "--json"
    )
    assert json.loads(synced.stdout)["deleted"] == 1, synced.stdout
    with open_catalogue(tmp_path / "c.sqlite") as db:
        assert db.label_evidence(work_id) == []


def _label_of(db: Catalogue, work_id: str) -> CreationLabel:
    found = db.get(work_id)
    assert found is not None and found.creation_label is not None
    return found.creation_label


def test_verify_with_work_without_a_manifest_keeps_nothing_and_says_so(tmp_path: Path) -> None:
    path = write_works(tmp_path / "c.sqlite", [_work()])
    said = lanterne(
        tmp_path,
        "--lang",
        "en",
        "provenance",
        "verify",
        str(FIXTURES / "A.jpg"),
        "--work",
        "musee:1",
    )
    assert said.returncode == 0, said.stderr
    assert "No manifest read: nothing is kept for the work musee:1." in said.stdout
    with open_catalogue(path) as db:
        assert db.label_evidence("musee:1") == [] and _label(db) == DECLARED
    unknown = lanterne(
        tmp_path, "provenance", "verify", str(FIXTURES / "C.jpg"), "--work", "musee:404"
    )
    assert unknown.returncode == 3 and "Aucune œuvre d'identifiant « musee:404 »" in unknown.stderr


def test_verify_with_work_keeps_an_invalid_manifest_and_says_it_does_not_count(
    tmp_path: Path,
) -> None:
    path = write_works(tmp_path / "c.sqlite", [_work()])
    image = FIXTURES / "files-for-reading-tests" / "XCA.jpg"
    said = lanterne(tmp_path, "provenance", "verify", str(image), "--work", "musee:1", "--json")
    assert said.returncode == 4  # Invalid, as without --work; the evidence is kept all the same
    data = json.loads(said.stdout)
    assert data["work"]["stored"] is True
    assert data["work"]["creation_label"]["value"] == "human"
    with open_catalogue(path) as db:
        [kept] = db.label_evidence("musee:1")
        assert kept.c2pa_state is C2paState.INVALID


# The API and the work page --------------------------------------------------------------------


def test_the_api_keeps_the_evidence_on_a_work_and_the_work_page_says_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lanterne.web import Site, create_app
    from web_helpers import TOKEN, Client

    monkeypatch.setenv("LANTERNE_C2PA_TRUST", str(TRUST))
    path = write_works(tmp_path / "c.sqlite", [_work()])
    client = Client(create_app(Site(path, token=TOKEN)))
    image = (FIXTURES / "C.jpg").read_bytes()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    done = client.post(
        "/api/provenance/verify",
        files={"file": ("C.jpg", image, "image/jpeg")},
        data={"work": "musee:1"},
        headers=auth,
    )
    assert done.status_code == 200, done.text
    answer = done.json()
    assert answer["state"] == "Trusted" and answer["work"]["stored"] is True
    label = msgspec.convert(answer["work"]["creation_label"], CreationLabel)
    assert (label.value, label.conflict) == (SYNTHETIC, True)
    page = client.get("/oeuvre/musee:1").text
    assert "(preuves discordantes)" in page
    assert "Image signée, certificat vérifié (C2PA Test Signing Cert)" in page
    assert "déclarée création humaine par le musée" in page
    unknown = client.post(
        "/api/provenance/verify",
        files={"file": ("C.jpg", image, "image/jpeg")},
        data={"work": "musee:404"},
        headers=auth,
    )
    assert unknown.status_code == 404
    anonymous = client.post(
        "/api/provenance/verify",
        files={"file": ("C.jpg", image, "image/jpeg")},
        data={"work": "musee:1"},
    )
    assert anonymous.status_code == 401
    with open_catalogue(path) as db:
        assert len(db.label_evidence("musee:1")) == 1
