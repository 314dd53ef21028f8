"""Fuzz targets: one function per entry point that takes bytes from outside, with its invariants.

Each target takes the raw bytes of one input, runs the real code on a real file (a real SQLite
catalogue for the ingest targets), and asserts what must hold for any input:

* no exception but Lanterne's own (``LanterneError``): anything else escapes and is a crash;
* counts add up (read = stored + quarantined, read = used + rejected);
* work and memory bounded by a multiple of the input (``_bounds``).

The same functions serve the hypothesis tests, the atheris runs (``tests/fuzz/run.py``) and the
replay of the corpus in ``make test``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _bounds import bounded

from lanterne.errors import LanterneError

Target = Callable[[bytes], None]
TARGETS: dict[str, Target] = {}


def target(name: str) -> Callable[[Target], Target]:
    def register(fn: Target) -> Target:
        TARGETS[name] = fn
        return fn

    return register


_FOLDER: Path | None = None
COLLECT = True
"""Collect garbage around each input to catch files left open in cycles too; atheris turns it
off (a full collection per input would be most of its time) and relies on reference counts."""


def _folder() -> Path:
    """A scratch folder for this process, emptied of a target's files by the next call."""
    global _FOLDER
    if _FOLDER is None:
        _FOLDER = Path(tempfile.mkdtemp(prefix="lanterne-fuzz-"))
        atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
    return _FOLDER


def _file(name: str, data: bytes) -> Path:
    path = _folder() / name
    path.write_bytes(data)
    return path


def _own_errors_only(run: Callable[[], None]) -> None:
    """Lanterne's own errors are the answer to bad input; anything else is a crash. Nothing may
    be left open either: a file dropped open is the ``ResourceWarning`` its collection raises."""
    if COLLECT:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()  # what an earlier input left, not this one's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with contextlib.suppress(LanterneError):
            run()
        if COLLECT:
            gc.collect()
    left = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not left, f"left open: {left}"


# Readers ------------------------------------------------------------------------------------


@target("csv")
def csv_reader(data: bytes) -> None:
    """The CSV reader, whole and in blocks (as map workers read it): the same items, each byte of
    the file read a bounded number of times."""
    from lanterne.ingest._blocks import following_open, join_open, read_block, split_blocks
    from lanterne.ingest._readers import CsvReader, RawRecord, ReadProblem

    path = _file("fuzz.csv", data)
    lines = data.count(b"\n") + 1

    def run() -> None:
        reader = CsvReader(path)
        whole = list(reader)
        for item in whole:
            assert isinstance(item, RawRecord | ReadProblem)
            assert 2 <= item.line <= lines, (item.line, lines)
            if isinstance(item, RawRecord):
                assert set(item.data) <= set(reader.header)
            elif item.reason == "reason.undecodable":
                # Blamed on a record, the bad bytes must be in it.
                assert "\ufffd" in item.raw, f"line {item.line} undecodable: {item.raw!r}"
        if not reader.splittable:
            return
        again = CsvReader(path, parse=True)
        size = 64
        decoded = 0
        blocks = iter(split_blocks(again, size))
        items: list[Any] = []
        for block in blocks:
            decoded += len(block.data)
            read = read_block(block)
            items.extend(read.items)
            while read.open_at is not None:
                # As the pipeline joins them (``_parallel``): enough blocks at once that a
                # record over many blocks is read a bounded number of times, not once per block.
                following = following_open(block, read.open_at, lambda: next(blocks))
                block = join_open(block, read.open_at, read.open_line, *following)
                decoded += len(block.data)
                read = read_block(block)
                items.extend(read.items)
        assert [(i.line, type(i).__name__) for i in items] == [
            (i.line, type(i).__name__) for i in whole
        ]
        # Each byte may be read once more when its record straddles a cut, not once per block.
        assert decoded <= 3 * len(data) + 4 * size, f"{decoded} bytes read for {len(data)}"

    with bounded(len(data), "csv"):
        _own_errors_only(run)


@target("json")
def json_reader(data: bytes) -> None:
    from lanterne.ingest._json import read_json_items
    from lanterne.ingest._readers import RawRecord, ReadProblem

    path = _file("fuzz.json", data)

    def run() -> None:
        for item in read_json_items(path):
            assert isinstance(item, RawRecord | ReadProblem)
            assert item.line >= 1

    with bounded(len(data), "json"):
        _own_errors_only(run)


@target("jsonl")
def jsonl_reader(data: bytes) -> None:
    from lanterne.ingest._json import read_json_lines
    from lanterne.ingest._readers import RawRecord, ReadProblem

    path = _file("fuzz.jsonl", data)
    lines = data.count(b"\n") + 1

    def run() -> None:
        seen: list[int] = []
        for item in read_json_lines(path):
            assert isinstance(item, RawRecord | ReadProblem)
            seen.append(item.line)
        assert seen == sorted(set(seen)) and all(1 <= n <= lines for n in seen)

    with bounded(len(data), "jsonl"):
        _own_errors_only(run)


@target("schemaorg")
def schemaorg_reader(data: bytes) -> None:
    """A publisher's schema.org node as the JSON-LD import reads it (graph, links, fields)."""
    from lanterne.profile.schemaorg import Graph, node_to_fields, top_nodes
    from lanterne.profile.schemaorg._graph import GraphTooLarge

    try:
        document = json.loads(data.decode("utf-8", errors="replace"))
    except (json.JSONDecodeError, RecursionError):
        return  # not JSON: the readers' targets cover that

    def run() -> None:
        graph = Graph()
        graph.add(document)
        for node in top_nodes(document):
            dangling: list[tuple[str, str]] = []
            try:
                resolved = graph.resolve(node, dangling)
            except GraphTooLarge:
                # The bound doing its work: the import quarantines that record (the
                # ingest_jsonld target checks it is a quarantine, and counted).
                continue
            fields = node_to_fields(resolved)
            assert isinstance(fields, dict)
            json.dumps(fields, default=str)

    with bounded(len(data), "schemaorg"):
        _own_errors_only(run)


# The whole import: counts that add up in a real catalogue ------------------------------------

_PROFILES = {
    "csv": '[record]\nid = "id"\ntype = "Festival"\n\n[[map]]\nto = "title"\nfrom = ["title"]\n'
    'required = true\n\n[[map]]\nto = "created"\nfrom = ["year"]\n',
    "json": '[record]\nid = "id"\ntype = "Festival"\n\n[[map]]\nto = "title"\nfrom = ["title"]\n'
    "required = true\n",
    "jsonld": '[record]\nid = "@id"\ntype = "Event"\n',
}


LAST_SUMMARY: Any = None
"""The last ingest's summary (the corpus test checks that good seeds are stored)."""


def _ingest(fmt: str, suffix: str, data: bytes) -> None:
    from lanterne.catalogue import open_catalogue
    from lanterne.ingest import ingest, load_mapping_profile

    folder = _folder() / f"ingest-{fmt}"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    source = folder / f"fuzz.{suffix}"
    source.write_bytes(data)
    kind = "json" if fmt == "jsonl" else fmt
    profile_path = folder / "fuzz.toml"
    profile_path.write_text(
        f'name = "fuzz"\nversion = 1\nsource = "fuzz"\n\n[reader]\nformat = "{fmt}"\n\n'
        + _PROFILES[kind],
        "utf-8",
    )
    profile = load_mapping_profile(str(profile_path))
    global LAST_SUMMARY
    LAST_SUMMARY = None
    catalogue = open_catalogue(folder / "c.sqlite")
    try:

        def run() -> None:
            global LAST_SUMMARY
            summary = LAST_SUMMARY = ingest(catalogue, source, profile)
            assert summary.read == summary.stored + summary.quarantined, summary
            assert sum(summary.by_reason.values()) == summary.quarantined, summary
            assert sum(catalogue.quarantine_counts("fuzz").values()) == summary.quarantined
            assert catalogue.count("fuzz") <= summary.stored

        with bounded(len(data), f"ingest {fmt}"):
            _own_errors_only(run)
    finally:
        catalogue.close()


@target("ingest_csv")
def ingest_csv(data: bytes) -> None:
    _ingest("csv", "csv", data)


@target("ingest_json")
def ingest_json(data: bytes) -> None:
    _ingest("json", "json", data)


@target("ingest_jsonl")
def ingest_jsonl(data: bytes) -> None:
    _ingest("jsonl", "jsonl", data)


@target("ingest_jsonld")
def ingest_jsonld(data: bytes) -> None:
    _ingest("jsonld", "jsonld", data)


# Mapping profiles and settings --------------------------------------------------------------


@target("profile")
def mapping_profile(data: bytes) -> None:
    """A profile file given by path, then compiled by the mapper as an import would."""
    from lanterne.ingest import Mapper, load_mapping_profile

    path = _file("fuzz-profile.toml", data)

    def run() -> None:
        profile = load_mapping_profile(str(path))
        Mapper(profile)

    with bounded(len(data), "profile"):
        _own_errors_only(run)


_SETTING_NAMES = ("catalogue", "lang", "log_dir", "chromium", "token", "audits", "pure_python")


def _values(data: bytes) -> Iterator[str]:
    """Up to one value per setting: the input cut at NUL bytes (which no environment holds)."""
    for part in data.decode("utf-8", errors="replace").split("\x00")[: len(_SETTING_NAMES)]:
        yield part.replace("\x00", "")


@target("settings")
def settings_load(data: bytes) -> None:
    """Settings from the environment (odd values first) then from the command line."""
    from lanterne.settings import SETTINGS, Settings

    values = list(_values(data))
    saved = {s.env: os.environ.get(s.env) for s in SETTINGS}
    try:
        for s, value in zip(SETTINGS, values, strict=False):
            if s.name == "pure_python":
                continue  # read when Lanterne loads, not by ``load``
            os.environ[s.env] = value

        def run() -> None:
            loaded = Settings.load()
            token = os.environ.get("LANTERNE_TOKEN", "")
            shown = repr(loaded)
            others = " ".join(str(v) for v in (loaded.catalogue, loaded.lang))
            if len(token) >= 4 and token not in others and token not in "Settings(***)":
                assert token not in shown, "the token reached a repr"
            loaded.audits_folder  # noqa: B018 — computed from the values, must not fail
            Settings.load(**dict(zip(("catalogue", "lang"), values[::-1], strict=False)))

        with bounded(len(data), "settings"):
            _own_errors_only(run)
    finally:
        for env, value in saved.items():
            if value is None:
                os.environ.pop(env, None)
            else:
                os.environ[env] = value


# Search -------------------------------------------------------------------------------------

_ENGINE: Any = None


def _engine() -> Any:
    """One small lexical index per process (building one per input would be all the work)."""
    global _ENGINE
    if _ENGINE is None:
        from lanterne.search import Doc, SearchEngine

        _ENGINE = SearchEngine(semantic=False)
        _ENGINE.upsert(
            [
                Doc(
                    id="a",
                    title="Les Misérables",
                    text="roman de Victor Hugo, Paris, AND OR NOT",
                    contributors="Victor Hugo",
                    facets={"type": ["Book"], "country": ["FR"]},
                ),
                Doc(
                    id="b",
                    title="Le Festival d'Avignon",
                    text="théâtre en plein air IN TO",
                    subjects="théâtre",
                    facets={"type": ["Festival"], "country": ["FR"]},
                ),
                Doc(
                    id="c",
                    title="Kamouraska",
                    text="roman québécois d'Anne Hébert",
                    contributors="Anne Hébert",
                    facets={"type": ["Book"], "country": ["CA"]},
                ),
            ]
        )
    return _ENGINE


@target("search")
def search_query(data: bytes) -> None:
    """A visitor's query text (the first line) and facet filter values (the others)."""
    engine = _engine()
    text = data.decode("utf-8", errors="replace")
    query, _, rest = text.partition("\n")
    values = [v for v in rest.split("\n") if v][:4]
    filters = {"type": values[:2], "country": values[2:]} if values else None

    def run() -> None:
        for mode in ("lexical", "hybrid"):
            results = engine.search(query, mode=mode, filters=filters, limit=5)
            assert len(results.hits) <= 5
            assert results.total >= len(results.hits)
            assert {h.id for h in results.hits} <= {"a", "b", "c"}

    with bounded(len(data), "search"):
        _own_errors_only(run)


# Audit captures -----------------------------------------------------------------------------


def _captures(suffix: str, data: bytes) -> None:
    from lanterne.audit._capture import read_captures

    path = _file(f"fuzz-captures{suffix}", data)

    def run() -> None:
        captures = read_captures([path])
        assert captures.read == captures.n_rows + len(captures.rejected), (
            captures.read,
            captures.n_rows,
            len(captures.rejected),
        )
        arrays = captures.arrays()
        assert len(arrays["position"]) == captures.n_rows
        assert all(p >= 1 for p in arrays["position"])

    with bounded(len(data), "captures"):
        _own_errors_only(run)


@target("capture_csv")
def capture_csv(data: bytes) -> None:
    _captures(".csv", data)


@target("capture_jsonl")
def capture_jsonl(data: bytes) -> None:
    _captures(".jsonl", data)
