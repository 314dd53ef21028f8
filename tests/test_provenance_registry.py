"""The image registry: PDQ against the reference vectors, lookups that survive recompression,
resizing and rotation, no decision on poor hashes, the index against a full scan, and hashes
that survive a SIGKILL mid-registration."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from lanterne.catalogue import SqliteCatalogue
from lanterne.errors import BadInput, NotFound
from lanterne.profile import CreationLabel, CreationLabelValue, Provenance, Title, Work, WorkType
from lanterne.provenance import (
    MultiIndex,
    Registry,
    RegistryConfig,
    as_words,
    brute_force,
    fingerprint,
    hamming,
)

ROOT = Path(__file__).resolve().parents[1]
PDQ = ROOT.parent / "shared" / "standards" / "pdq"
DATA = PDQ / "data"
ORIGINAL = DATA / "bridge-mods" / "aaa-orig.jpg"
TOLERANCE = 16
"""The Python reference's own test tolerance (pdq_test.py); implementations differ by a few bits."""

needs_pdq = pytest.mark.skipif(
    not ORIGINAL.is_file(), reason=f"PDQ reference images not at {PDQ} (../shared/standards)"
)


def _expected_python() -> list[tuple[Path, str]]:
    rows = []
    for line in (PDQ / "expected_python_reference.tsv").read_text("utf-8").splitlines():
        if line.startswith(("#", "path\t")):
            continue
        path, hexed, _present = line.split("\t")
        # dih/bridge-1-original.jpg is the same file as bridge-mods/aaa-orig.jpg (PROVENANCE.md).
        file = ORIGINAL if path.endswith("bridge-1-original.jpg") else DATA / path
        if file.is_file():
            rows.append((file, hexed))
    return rows


def _expected_wasm() -> list[tuple[Path, str]]:
    rows = []
    with (PDQ / "PDQMD5TestData.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            file = DATA / row["FilePath"].split("/data/", 1)[-1]
            if len(row["Hash"]) == 64 and file.is_file():  # the TMK lines are video MD5s
                rows.append((file, row["Hash"]))
    return rows


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def work(source_id: str, label: CreationLabelValue | None = None) -> Work:
    return Work(
        id=f"musee:{source_id}",
        type=WorkType.PAINTING,
        titles=[Title(value=f"Œuvre {source_id}", lang="fr")],
        creation_label=CreationLabel(value=label) if label else None,
        provenance=Provenance(source="musee", source_id=source_id),
    )


def catalogue_with(tmp_path: Path, *works: Work) -> SqliteCatalogue:
    import hashlib

    from lanterne.catalogue import StoredWork
    from lanterne.profile import encode_work

    db = SqliteCatalogue(tmp_path / "c.sqlite")
    run = db.begin_run("musee", "p", [])
    stored = []
    for w in works:
        doc = encode_work(w)
        stored.append(
            StoredWork(
                id=w.id,
                source="musee",
                source_id=w.provenance.source_id,
                type=w.type.value,
                doc=doc,
                digest=hashlib.blake2b(doc, digest_size=16).digest(),
            )
        )
    db.write_batch(run.id, stored)
    return db


# PDQ against the reference ---------------------------------------------------------------


@needs_pdq
@pytest.mark.parametrize(
    ("file", "expected"),
    _expected_python() if ORIGINAL.is_file() else [],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_pdq_is_within_the_reference_tolerance_of_the_python_reference(
    file: Path, expected: str
) -> None:
    found = fingerprint(file.read_bytes(), file.name)
    assert hamming(found.pdq, bytes.fromhex(expected)) <= TOLERANCE


@needs_pdq
@pytest.mark.parametrize(
    ("file", "expected"),
    _expected_wasm() if ORIGINAL.is_file() else [],
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_pdq_is_within_the_reference_tolerance_of_the_wasm_vectors(
    file: Path, expected: str
) -> None:
    found = fingerprint(file.read_bytes(), file.name)
    assert hamming(found.pdq, bytes.fromhex(expected)) <= TOLERANCE


@needs_pdq
def test_every_reference_file_was_compared() -> None:
    # 17 of the 19 Python vectors have their image here (b.jpg, c.png left out), 9 of the
    # WASM file's 16 image lines.
    assert len(_expected_python()) == 17
    assert len(_expected_wasm()) == 9


@needs_pdq
def test_the_dihedral_hashes_of_the_original_land_near_each_rotated_file() -> None:
    original = fingerprint(ORIGINAL.read_bytes())
    for file in sorted((DATA / "reg-test-input" / "dih").glob("bridge-*.jpg")):
        rotated = fingerprint(file.read_bytes()).pdq
        assert min(hamming(rotated, d) for d in original.dihedral) <= TOLERANCE, file.name
        # As it is, a rotation is far from the original: the dihedral hashes are what finds it.
        assert hamming(rotated, original.pdq) > 31, file.name


# Lookups ---------------------------------------------------------------------------------


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    db = catalogue_with(tmp_path, work("1", CreationLabelValue.HUMAN), work("2"))
    return Registry(db)


@needs_pdq
def test_recompressed_and_resized_copies_find_the_original(registry: Registry) -> None:
    registry.register([(ORIGINAL.name, ORIGINAL.read_bytes())], work_id="musee:1")
    image = Image.open(ORIGINAL).convert("RGB")
    copies = {
        "jpeg-20": jpeg(image, 20),
        "half": jpeg(image.resize((image.width // 2, image.height // 2)), 75),
        "thumbnail-160": jpeg(image.resize((160, 160 * image.height // image.width)), 60),
    }
    for name, data in copies.items():
        found = registry.lookup(data, name)
        assert found.decision == "match", name
        best = found.matches[0]
        assert (best.work_id, best.label, best.transform) == ("musee:1", "human", "original")
        assert best.distance <= 31
        assert best.phash_distance <= 10, name  # the second key agrees


@needs_pdq
def test_the_modified_bridges_find_the_original(registry: Registry) -> None:
    registry.register([(ORIGINAL.name, ORIGINAL.read_bytes())], work_id="musee:1")
    for file in sorted((DATA / "bridge-mods").glob("*.jpg")):
        assert registry.lookup(file.read_bytes(), file.name).decision == "match", file.name


@needs_pdq
def test_a_rotated_copy_is_found_with_the_rotation_it_took(registry: Registry) -> None:
    registry.register([(ORIGINAL.name, ORIGINAL.read_bytes())], work_id="musee:1")
    rotated = DATA / "reg-test-input" / "dih" / "bridge-2-rotate-90.jpg"
    found = registry.lookup(rotated.read_bytes(), rotated.name)
    assert found.decision == "match"
    assert found.matches[0].transform != "original"
    as_is = Registry(registry.catalogue, RegistryConfig(dihedral=False))
    assert as_is.lookup(rotated.read_bytes()).decision == "no_match"


@needs_pdq
def test_a_different_image_is_not_matched(registry: Registry) -> None:
    registry.register([(ORIGINAL.name, ORIGINAL.read_bytes())], work_id="musee:1")
    for name in ("misc-images/wee.jpg", "reg-test-input/labelme-subset/q1050.jpg"):
        found = registry.lookup((DATA / name).read_bytes(), name)
        assert (found.decision, found.matches) == ("no_match", []), name


@needs_pdq
def test_a_hash_of_too_low_quality_decides_nothing_and_says_so(registry: Registry) -> None:
    small = DATA / "misc-images" / "small.jpg"  # quality 0: a flat gradient
    registry.register([(ORIGINAL.name, ORIGINAL.read_bytes())], work_id="musee:1")
    found = registry.lookup(small.read_bytes(), small.name)
    assert found.quality < found.min_quality == 50
    assert (found.decision, found.matches) == ("undecided", [])
    # Registered, it is kept but never matched: not even by itself.
    [done] = registry.register([(small.name, small.read_bytes())], work_id="musee:2")
    assert (done.added, done.usable) == (True, False)
    assert registry.lookup(small.read_bytes()).decision == "undecided"


def test_the_same_bytes_for_the_same_work_are_registered_once(
    registry: Registry, tmp_path: Path
) -> None:
    data = jpeg(noise(1), 90)
    first = registry.register([("a.jpg", data)], work_id="musee:1")
    again = registry.register([("b.jpg", data)], work_id="musee:1")
    other = registry.register([("a.jpg", data)], work_id="musee:2")
    assert [r.added for r in (*first, *again, *other)] == [True, False, True]
    assert len(registry.catalogue.image_hashes()) == 2


def test_the_label_comes_from_the_work_unless_given(registry: Registry) -> None:
    registry.register([("a.jpg", jpeg(noise(2), 90))], work_id="musee:1")
    registry.register([("b.jpg", jpeg(noise(3), 90))], work_id="musee:1", label="synthetic")
    labels = [i.label for i in registry.catalogue.image_hashes()]
    assert labels == ["human", "synthetic"]


def test_bad_input_is_said_not_raised_raw(registry: Registry) -> None:
    with pytest.raises(BadInput) as bad:
        registry.register([("broken.jpg", b"\xff\xd8\xff not a jpeg")])
    assert "broken.jpg" in bad.value.message("fr")
    with pytest.raises(BadInput):
        registry.lookup(b"", "empty.png")
    with pytest.raises(NotFound):
        registry.register([("a.jpg", jpeg(noise(4), 90))], work_id="musee:nope")
    with pytest.raises(BadInput):
        registry.register([("a.jpg", jpeg(noise(4), 90))], label="robot")
    assert registry.catalogue.image_hashes() == []


def noise(seed: int, size: int = 64) -> Image.Image:
    """A random image, smoothed so that its PDQ quality is high and its hash its own."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((size, size), Image.Resampling.BICUBIC)


# The index against a full scan -----------------------------------------------------------


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 3000),
    flips=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    radius=st.integers(0, 40),
)
def test_the_index_finds_exactly_what_a_full_scan_finds(
    seed: int, n: int, flips: list[int], radius: int
) -> None:
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 2**64, (n, 4), dtype=np.uint64)
    index = MultiIndex(words[: n // 2])
    index.add(words[n // 2 :])  # some rows in the tail, unsorted
    for k in flips:
        # Near copies of a stored hash (k bits flipped) and of nothing at all.
        base = words[rng.integers(0, n)] if n else rng.integers(0, 2**64, 4, dtype=np.uint64)
        bits = np.unpackbits(base.astype(">u8").view(np.uint8))
        bits[rng.choice(256, k, replace=False)] ^= 1
        query = np.packbits(bits).view(">u8").astype(np.uint64)
        rows, dists = index.search(query, radius)
        want_rows, want_dists = brute_force(words, query.reshape(1, 4), radius)
        assert rows.tolist() == want_rows.tolist()
        assert dists.tolist() == want_dists.tolist()


def test_words_keep_the_hash_bits_in_order() -> None:
    one = bytes([0x80] + [0] * 31)
    assert as_words([one]).tolist() == [[1 << 63, 0, 0, 0]]
    assert hamming(one, bytes(32)) == 1


# A crash mid-registration ----------------------------------------------------------------

CHILD = """
import sys
from pathlib import Path
from lanterne.catalogue import SqliteCatalogue
from lanterne.provenance import _registry
_registry.BATCH = 5
files = sorted(Path(sys.argv[2]).glob("*.png"))
db = SqliteCatalogue(sys.argv[1])
_registry.Registry(db).register([(f.name, f.read_bytes()) for f in files])
"""


def test_a_sigkill_mid_registration_leaves_whole_batches_and_intact_hashes(
    tmp_path: Path,
) -> None:
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3000):
        noise(i, 32).save(images / f"{i:05}.png")
    location = tmp_path / "c.sqlite"
    SqliteCatalogue(location).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(location), str(images)], env=env)

    def stored() -> int:
        con = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=10)
        try:
            return int(con.execute("SELECT count(*) FROM image_hashes").fetchone()[0])
        finally:
            con.close()

    deadline = time.monotonic() + 120
    while stored() < 20 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert child.poll() is None, "the registration ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with SqliteCatalogue(location) as db:
        assert db.integrity_problems() == []
        rows = db.image_hashes(limit=10_000)
        assert 20 <= len(rows) < 3000
        assert len(rows) % 5 == 0  # whole batches only
        for row in rows:
            again = fingerprint((images / row.file).read_bytes())
            assert (row.pdq, row.phash, row.quality) == (again.pdq, again.phash, again.quality)
        # Registering again adds exactly what the killed run had not stored.
        files = sorted(images.glob("*.png"))
        done = Registry(db).register([(f.name, f.read_bytes()) for f in files])
        assert sum(r.added for r in done) == 3000 - len(rows)


# The command line and the API ----------------------------------------------------------------


@needs_pdq
def test_cli_register_then_lookup(tmp_path: Path) -> None:
    from helpers import lanterne

    catalogue_with(tmp_path, work("1", CreationLabelValue.HUMAN)).close()
    done = lanterne(tmp_path, "provenance", "register", str(ORIGINAL), "--work", "musee:1")
    assert done.returncode == 0, done.stderr
    assert "inscrite" in done.stdout
    copy = tmp_path / "copie.jpg"
    copy.write_bytes(jpeg(Image.open(ORIGINAL).convert("RGB").resize((320, 240)), 40))
    found = lanterne(tmp_path, "provenance", "lookup", str(copy), "--json")
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert answer["decision"] == "match"
    assert (answer["matches"][0]["work_id"], answer["matches"][0]["label"]) == ("musee:1", "human")
    other = lanterne(
        tmp_path, "--lang", "en", "provenance", "lookup", str(DATA / "misc-images" / "wee.jpg")
    )
    assert other.returncode == 3 and "No registered image" in other.stdout
    flat = lanterne(tmp_path, "provenance", "lookup", str(DATA / "misc-images" / "small.jpg"))
    assert flat.returncode == 4 and "Pas de décision" in flat.stdout
    missing = lanterne(tmp_path, "provenance", "lookup", str(tmp_path / "absent.jpg"))
    assert missing.returncode == 3 and "absent.jpg" in missing.stderr
    # A missing file among several: nothing is registered, not even the files before it.
    typo = lanterne(
        tmp_path, "provenance", "register", str(copy), str(tmp_path / "absent.jpg"), "--json"
    )
    assert typo.returncode == 3 and "absent.jpg" in typo.stderr
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        assert len(db.image_hashes()) == 1


@needs_pdq
def test_api_register_needs_the_token_and_lookup_finds_the_work(tmp_path: Path) -> None:
    from lanterne.web import Site, create_app
    from web_helpers import TOKEN, Client

    catalogue_with(tmp_path, work("1", CreationLabelValue.HUMAN)).close()
    client = Client(create_app(Site(tmp_path / "c.sqlite", token=TOKEN)))
    image = {"image": ("pont.jpg", ORIGINAL.read_bytes(), "image/jpeg")}
    refused = client.request(
        "POST", "/api/provenance/register", files=image, data={"work": "musee:1"}
    )
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "web.token_missing"
    wrong = client.request(
        "POST", "/api/provenance/register", files=image, headers={"Authorization": "Bearer x"}
    )
    assert wrong.status_code == 403
    done = client.request(
        "POST",
        "/api/provenance/register",
        files=image,
        data={"work": "musee:1"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert done.status_code == 200, done.text
    assert done.json()[0]["added"] is True
    copy = jpeg(Image.open(ORIGINAL).convert("RGB").resize((400, 300)), 50)
    found = client.request(
        "POST", "/api/provenance/lookup", files={"image": ("copie.jpg", copy, "image/jpeg")}
    )
    assert found.status_code == 200, found.text
    assert found.json()["decision"] == "match"
    assert found.json()["matches"][0]["work_id"] == "musee:1"
    broken = client.request(
        "POST", "/api/provenance/lookup", files={"image": ("x.jpg", b"nope", "image/jpeg")}
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "provenance.unreadable_image"
    unknown = client.request(
        "POST",
        "/api/provenance/register",
        files=image,
        data={"work": "musee:404"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert unknown.status_code == 404


@needs_pdq
def test_api_register_refuses_an_empty_label(tmp_path: Path) -> None:
    # An empty ``label`` field was read as « no label » and the image registered with the work's:
    # schemathesis sent it as a value outside the documented enum and got a 200.
    from lanterne.web import Site, create_app
    from web_helpers import TOKEN, Client

    catalogue_with(tmp_path, work("1", CreationLabelValue.HUMAN)).close()
    client = Client(create_app(Site(tmp_path / "c.sqlite", token=TOKEN)))
    answer = client.request(
        "POST",
        "/api/provenance/register",
        files={"image": ("pont.jpg", ORIGINAL.read_bytes(), "image/jpeg")},
        data={"work": "musee:1", "label": ""},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "provenance.bad_label"
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        assert db.image_hashes() == []


def test_every_name_the_package_exports_resolves() -> None:
    # read_image was once listed under the TDMRep module too: the lazy table sent it there.
    import lanterne.provenance as provenance

    for name in provenance.__all__:
        assert getattr(provenance, name) is not None, name
