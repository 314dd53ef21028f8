"""The image registry: perceptual hashes of works' images, and near-duplicate lookups.

Each registered image keeps its PDQ hash (256 bits, facebook/ThreatExchange, through
``pdqhash``) with PDQ's quality, and a 64-bit pHash (``imagehash``) as a second key. A lookup
answers with the registered images within PDQ Hamming distance 31 (the distance PDQ's
documentation gives to start from), under any of the eight rotations and flips; an image whose
PDQ quality is below 50 (PDQ: « discard hashes with quality ≤ 49 ») gets no decision, and says so.

The index is multi-index hashing (Norouzi, Punjani and Fleet, 2012): the 256 bits are cut into
16 chunks of 16 bits. Two hashes within distance ``r`` differ by at most ``r`` bits in all, so one
chunk at least differs by at most ``r // 16`` bits (pigeonhole: 16 chunks each differing by
``r // 16 + 1`` bits or more would make ``16 * (r // 16 + 1) > r``). For ``r = 31`` that is one
bit: each chunk of the query is looked up as it is and with each of its 16 bits flipped (17
buckets a chunk, 272 in all), and only the hashes found there are compared in full. Measured
against a BK-tree and a brute-force scan in ``benchmarks/provenance.py``.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.catalogue import Catalogue, ImageHash
from lanterne.errors import BadInput, InputNotFound, NotFound
from lanterne.profile import CreationLabelValue

if TYPE_CHECKING:
    from PIL import Image

PDQ_BITS = 256
MAX_DISTANCE = 31
"""PDQ's matching threshold to start from (ThreatExchange ``pdq/README.md``)."""
MIN_QUALITY = 50
"""PDQ's advice: discard hashes of quality 49 or less (flat or tiny images)."""
CHUNKS = 16
CHUNK_BITS = PDQ_BITS // CHUNKS
BATCH = 1_000
"""Images hashed and stored per transaction by ``register``."""

DIHEDRAL = (
    "original",
    "rotate-90",
    "rotate-180",
    "rotate-270",
    "flip-x",
    "flip-y",
    "flip-plus-1",
    "flip-minus-1",
)
"""The transformations ``pdqhash.compute_dihedral`` returns hashes for, in its order."""

Decision = Literal["match", "no_match", "undecided"]

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


class RegistryConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How near is near, and how good a hash must be to decide."""

    max_distance: int = MAX_DISTANCE
    min_quality: int = MIN_QUALITY
    dihedral: bool = True
    """Also look up the query's seven rotations and flips."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_distance < PDQ_BITS:
            raise ValueError("max_distance: 0 to 255")
        if not 0 <= self.min_quality <= 100:
            raise ValueError("min_quality: 0 to 100")


class Fingerprint(msgspec.Struct, frozen=True, kw_only=True):
    """What the registry computes from one image."""

    pdq: bytes
    quality: int
    phash: bytes
    sha256: bytes
    dihedral: list[bytes] = []
    """PDQ hashes of the image's eight rotations and flips (``DIHEDRAL``), the first its own."""


# Images ------------------------------------------------------------------------------------


def _open(data: bytes, name: str) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise BadInput("provenance.unreadable_image", path=name, detail=str(exc)) from None
    return image.convert("RGB")


def read_image(path: Path) -> bytes:
    """An image file's bytes; ``InputNotFound`` or ``BadInput`` naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputNotFound("input.not_found", path=path) from None
    except OSError as exc:
        raise BadInput("provenance.unreadable_image", path=path, detail=exc.strerror) from None


def fingerprint(data: bytes, name: str = "image") -> Fingerprint:
    """PDQ (with quality and the dihedral hashes) and pHash of an image file's bytes.

    ``BadInput`` naming ``name`` when the bytes are not an image Pillow can read.
    """
    import imagehash
    import pdqhash  # type: ignore[import-untyped]  # no type hints shipped

    image = _open(data, name)
    pixels = np.asarray(image)
    hashes, quality = pdqhash.compute_dihedral(pixels)
    packed = [np.packbits(np.asarray(h, dtype=np.uint8)).tobytes() for h in hashes]
    phash = imagehash.phash(image)
    return Fingerprint(
        pdq=packed[0],
        quality=int(quality),
        phash=np.packbits(phash.hash.flatten()).tobytes(),
        sha256=hashlib.sha256(data).digest(),
        dihedral=packed,
    )


def hamming(a: bytes, b: bytes) -> int:
    """Bits that differ between two hashes of the same length."""
    return int.from_bytes(a, "big").__xor__(int.from_bytes(b, "big")).bit_count()


# The index ---------------------------------------------------------------------------------


def as_words(hashes: Sequence[bytes] | bytes) -> U64:
    """PDQ hashes (32 bytes each) as an ``(n, 4)`` array of big-endian 64-bit words."""
    raw = b"".join(hashes) if not isinstance(hashes, bytes) else hashes
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def distances(words: U64, query: U64) -> npt.NDArray[np.int64]:
    """Hamming distance of every row of ``words`` to ``query`` (one row of four words)."""
    found: npt.NDArray[np.int64] = np.bitwise_count(words ^ query).sum(axis=1, dtype=np.int64)
    return found


def brute_force(words: U64, query: U64, radius: int) -> tuple[I64, I64]:
    """Rows within ``radius`` of ``query`` and their distances, by a full scan (the reference
    the index is checked and measured against)."""
    found = distances(words, query)
    rows = np.flatnonzero(found <= radius).astype(np.int64)
    return rows, found[rows]


def _chunks(words: U64) -> npt.NDArray[np.uint16]:
    """The 16 chunks of 16 bits of each hash, as an ``(n, 16)`` array (chunk 0 the high bits)."""
    return words.astype(">u8").view(">u2").astype(np.uint16).reshape(-1, CHUNKS)


class MultiIndex:
    """Multi-index hashing over PDQ hashes: 16 tables of 16-bit chunks, each a counting sort.

    Rows added after the last build wait in a short tail scanned in full, so registering one
    image does not re-sort a million; the tail is folded in when it grows past ``TAIL``.
    """

    TAIL = 4096

    def __init__(self, words: U64 | None = None) -> None:
        self._words: U64 = np.zeros((0, 4), dtype=np.uint64) if words is None else words
        self._built = 0
        self._order: list[I64] = []
        self._starts: list[I64] = []
        self._build()

    def __len__(self) -> int:
        return int(self._words.shape[0])

    @property
    def words(self) -> U64:
        return self._words

    def _build(self) -> None:
        chunks = _chunks(self._words)
        self._order = []
        self._starts = []
        for c in range(CHUNKS):
            column = chunks[:, c]
            self._order.append(np.argsort(column, kind="stable").astype(np.int64))
            counts = np.bincount(column, minlength=1 << CHUNK_BITS)
            self._starts.append(np.concatenate(([0], np.cumsum(counts))).astype(np.int64))
        self._built = len(self)

    def add(self, words: U64) -> None:
        """Append hashes (rows numbered after the existing ones)."""
        self._words = np.concatenate((self._words, words.reshape(-1, 4)))
        if len(self) - self._built > self.TAIL:
            self._build()

    def search(self, query: U64, radius: int) -> tuple[I64, I64]:
        """Rows within ``radius`` of ``query`` and their distances, in row order."""
        query = query.reshape(1, 4)
        per_chunk = radius // CHUNKS
        if per_chunk > 1:
            # Flipping two or more bits of each chunk costs more buckets than a scan saves.
            return brute_force(self._words, query, radius)
        chunks = _chunks(query)[0]
        flips = [0] if per_chunk == 0 else [0, *(1 << b for b in range(CHUNK_BITS))]
        pieces: list[I64] = []
        for c in range(CHUNKS):
            starts, order = self._starts[c], self._order[c]
            for flip in flips:
                value = int(chunks[c]) ^ flip
                lo, hi = starts[value], starts[value + 1]
                if hi > lo:
                    pieces.append(order[lo:hi])
        if self._built < len(self):
            pieces.append(np.arange(self._built, len(self), dtype=np.int64))
        if not pieces:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        candidates = np.unique(np.concatenate(pieces))
        found = distances(self._words[candidates], query)
        keep = found <= radius
        return candidates[keep], found[keep]


# The registry ------------------------------------------------------------------------------


class Match(msgspec.Struct, frozen=True, kw_only=True):
    """A registered image near the one looked up."""

    work_id: str | None
    label: str | None
    file: str
    distance: int
    """PDQ Hamming distance, under ``transform`` of the query."""
    transform: str
    """Which rotation or flip of the query matched (``original``: as it is)."""
    phash_distance: int
    """pHash Hamming distance (of the query as it is), out of 64: the second opinion."""
    quality: int
    registered: int
    """The registered image's id."""


class Lookup(msgspec.Struct, frozen=True, kw_only=True):
    """The answer for one image: matches, none, or no decision (quality too low)."""

    file: str
    decision: Decision
    pdq: str
    quality: int
    phash: str
    max_distance: int
    min_quality: int
    matches: list[Match] = []


class Registered(msgspec.Struct, kw_only=True):
    """What ``register`` did with one file."""

    file: str
    pdq: str
    quality: int
    added: bool
    """False: these bytes were already registered for this work."""
    usable: bool
    """False: quality below the threshold; kept, but it never matches anything."""


class IndexState:
    """The in-memory index of a registry and the stored rows it holds, shareable between the
    ``Registry`` objects of several threads (a server's requests, each with its connection)."""

    def __init__(self) -> None:
        self.rows: list[ImageHash] = []
        self.index = MultiIndex()
        self.last = 0
        self.lock = threading.Lock()


class Registry:
    """The registry of one catalogue, with its index built on first use.

    The hashes live in the catalogue's own SQLite file (``image_hashes``, created by its schema
    upgrade); the index is held in memory (``state``, which a server shares between requests)
    and catches up with the store before each lookup.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        config: RegistryConfig | None = None,
        state: IndexState | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.config = config or RegistryConfig()
        self.state = state or IndexState()

    def index(self) -> tuple[MultiIndex, list[ImageHash]]:
        """The index of the usable registered hashes, brought up to date with the store, and
        the rows its row numbers stand for."""
        state = self.state
        with state.lock:
            fresh: list[ImageHash] = []
            while True:
                page = self.catalogue.image_hashes(after=state.last, limit=50_000)
                if not page:
                    break
                state.last = page[-1].id or state.last
                fresh.extend(i for i in page if i.quality >= self.config.min_quality)
            if fresh:
                state.rows.extend(fresh)
                state.index.add(as_words([i.pdq for i in fresh]))
            return state.index, state.rows

    def register(
        self,
        images: Sequence[tuple[str, bytes | Path]],
        *,
        work_id: str | None = None,
        label: str | None = None,
    ) -> list[Registered]:
        """Hash and store ``(name, bytes or file)`` images, ``BATCH`` per transaction: a crash
        leaves the batches stored before it whole, and nothing of the one under way. Files are
        read a batch at a time.

        ``work_id`` must be a work of the catalogue (``NotFound`` otherwise); without ``label``
        the images carry the work's creation label, if it has one.
        """
        if label is not None and label not in set(CreationLabelValue):
            raise BadInput("provenance.bad_label", label=label, known=", ".join(CreationLabelValue))
        if work_id is not None:
            work = self.catalogue.get(work_id)
            if work is None:
                raise NotFound("work.not_found", id=work_id)
            if label is None and work.creation_label is not None:
                label = work.creation_label.value.value
        done: list[Registered] = []
        for start in range(0, len(images), BATCH):
            batch = images[start : start + BATCH]
            prints = [
                fingerprint(data if isinstance(data, bytes) else read_image(data), name)
                for name, data in batch
            ]
            rows = [
                ImageHash(
                    pdq=p.pdq,
                    quality=p.quality,
                    phash=p.phash,
                    file=Path(name).name,
                    sha256=p.sha256,
                    work_id=work_id,
                    label=label,
                )
                for (name, _), p in zip(batch, prints, strict=True)
            ]
            ids = self.catalogue.add_image_hashes(rows)
            done.extend(
                Registered(
                    file=r.file,
                    pdq=r.pdq.hex(),
                    quality=r.quality,
                    added=i is not None,
                    usable=r.quality >= self.config.min_quality,
                )
                for r, i in zip(rows, ids, strict=True)
            )
        return done

    def lookup(self, data: bytes, name: str = "image") -> Lookup:
        """The registered images near ``data``'s image, or why there is no decision."""
        found = fingerprint(data, name)
        config = self.config
        answer = Lookup(
            file=Path(name).name,
            decision="undecided",
            pdq=found.pdq.hex(),
            quality=found.quality,
            phash=found.phash.hex(),
            max_distance=config.max_distance,
            min_quality=config.min_quality,
        )
        if found.quality < config.min_quality:
            return answer
        index, stored = self.index()
        best: dict[int, tuple[int, str]] = {}
        queries = found.dihedral if config.dihedral else [found.pdq]
        for transform, pdq in zip(DIHEDRAL, queries, strict=False):
            rows, dists = index.search(as_words(pdq), config.max_distance)
            for row, dist in zip(rows.tolist(), dists.tolist(), strict=True):
                if row not in best or dist < best[row][0]:
                    best[row] = (int(dist), transform)
        matches = [
            Match(
                work_id=stored[row].work_id,
                label=stored[row].label,
                file=stored[row].file,
                distance=dist,
                transform=transform,
                phash_distance=hamming(found.phash, stored[row].phash),
                quality=stored[row].quality,
                registered=stored[row].id or 0,
            )
            for row, (dist, transform) in best.items()
        ]
        matches.sort(key=lambda m: (m.distance, m.phash_distance, m.registered))
        return msgspec.structs.replace(
            answer, decision="match" if matches else "no_match", matches=matches
        )
