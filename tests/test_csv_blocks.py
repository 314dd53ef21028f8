"""CSV files cut into blocks for the map workers read exactly as in one go."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lanterne.ingest._blocks as blocks_module
import lanterne.ingest._parallel as parallel_module
from lanterne.catalogue import open_catalogue
from lanterne.ingest import IngestOptions, Mapper, ingest, load_mapping_profile
from lanterne.ingest._blocks import BlockRecord, following_open, join_open, read_block, split_blocks
from lanterne.ingest._readers import CsvReader, Item, ReadProblem
from lanterne.ingest._records import CsvBlock, ReadLimits
from lanterne.profile import encode_work

DEMO = resources.files("lanterne.demo").joinpath("festivals-demo.csv")


def block_items(blocks: Iterable[CsvBlock]) -> Iterator[Item]:
    """Every item of one file's blocks, read one after the other as the ingest's flow reads them
    (a block whose last record stays open is read again with the next)."""
    stream = iter(blocks)
    for block in stream:
        read = read_block(block)
        yield from read.items
        while read.open_at is not None:
            following = following_open(block, read.open_at, lambda: next(stream))
            block = join_open(block, read.open_at, read.open_line, *following)
            read = read_block(block)
            yield from read.items


cell = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
# Lines a real export may hold besides records: a stray quote after a quoted field, a quote
# opened and never closed, a quote inside an unquoted field (which fools the cut), the wrong
# width, a blank line.
junk = st.sampled_from(['a;"b" c;d', '"open', 'p;q"r;s', '12" vinyl;x;y', "x;y", "", "; ;"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(
        st.one_of(st.lists(cell, min_size=3, max_size=3), junk, st.just(b"\xff\xfe;x;y")),
        min_size=1,
        max_size=25,
    ),
    terminator=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    size=st.sampled_from([1, 3, 8, 21, 64, 4096]),
    limit=st.sampled_from([1 << 26, 40, 12]),
)
def test_blocks_read_as_the_whole_file(
    tmp_path: Path,
    parts: list[list[str] | str | bytes],
    terminator: str,
    final_newline: bool,
    size: int,
    limit: int,
) -> None:
    """Same items, lines, raw text and fields as ``CsvReader``, whatever the cuts, and
    whatever the bound on a record's size (``limit`` bytes: lines and records over it)."""
    out = io.BytesIO()
    out.write(f"c0;c1;c2{terminator}".encode())
    for part in parts:
        if isinstance(part, list):
            text = io.StringIO()
            csv.writer(text, delimiter=";", lineterminator=terminator).writerow(part)
            out.write(text.getvalue().encode())
        elif isinstance(part, bytes):
            out.write(part + terminator.encode())
        else:
            out.write((part + terminator).encode())
    data = out.getvalue()
    if not final_newline:
        data = data.rstrip(b"\r\n")
    path = tmp_path / "blocks.csv"
    path.write_bytes(data)
    try:
        data.decode()
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "ascii"  # the bad bytes, and every accent, make lines that do not decode

    limits = ReadLimits(max_record_bytes=limit)
    whole = list(CsvReader(path, encoding, ";", limits=limits))
    blocks = list(split_blocks(CsvReader(path, encoding, ";", limits=limits), size))
    if not any(b.cut for b in blocks):
        assert b"".join(b.data for b in blocks) == ([*data.split(b"\n", 1), b""])[1]
    assert [b.final for b in blocks] == [False] * (len(blocks) - 1) + [True]
    assert list(block_items(blocks)) == whole
    # A worker's records decode from their spans to the raw text of the whole-file read.
    for block in blocks:
        read = read_block(block)
        for item, span in zip(read.items, read.spans, strict=True):
            if not isinstance(item, ReadProblem):
                view = BlockRecord(item.file, item.line, block.data, span, encoding)
                assert view.raw == item.raw


def test_a_quote_in_an_unquoted_field_then_a_multiline_field(tmp_path: Path) -> None:
    """The cut after « 12" » is at an even count of quotes but inside « "deux\\nlignes" »."""
    path = tmp_path / "f.csv"
    path.write_text('id;t;u\n1;12" vinyl;a\n2;"deux\nlignes";b\n3;c;d\n', "utf-8")
    blocks = list(split_blocks(CsvReader(path), 30))
    first = read_block(blocks[0])
    assert first.open_at is not None and first.open_line == 3
    assert first.open_at is not None
    joined = join_open(blocks[0], first.open_at, first.open_line, blocks[1])
    assert joined.first_line == 3 and joined.data.startswith(b'2;"deux\n')
    got = list(block_items(blocks))
    assert [(type(i).__name__, i.line) for i in got] == [
        ("RawRecord", 2),
        ("RawRecord", 3),
        ("RawRecord", 5),
    ]
    assert got == list(CsvReader(path))


def test_splittable_encodings(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    for encoding, splittable in (
        ("cp1252", True),
        ("utf-8", True),
        ("utf-16", False),  # « \n » is two bytes, one of them maybe inside another character
        ("shift_jis", False),
    ):
        path.write_bytes("id;titre\n1;Été\n".encode(encoding, errors="replace"))
        reader = CsvReader(path, encoding)
        assert reader.splittable is splittable, encoding
        list(reader)  # read to the end, which closes the file


def test_ingest_in_blocks_stores_what_one_process_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled festivals extract with bad lines mixed in, read in blocks of 2 kB by two map
    workers and record by record in one process: the same works, quarantine and counts."""
    lines = DEMO.read_bytes().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    fields = rows[5].decode().rstrip("\r\n").split(";")
    literal = ";".join([f'Disques 12" et {fields[0]}', *fields[1:-3], "FEST_X_1", *fields[-2:]])
    multiline = ";".join([f'"{fields[0]}\r\nsur deux lignes"', *fields[1:-3], "FEST_X_2"])
    multiline += ";" + ";".join(fields[-2:])
    extra = [
        rows[10],  # a duplicate id
        b'Bad "row";x\r\n',  # wrong width
        b'"Jazz" festival;' + b";" * 28 + b"\r\n",  # a stray quote after a quoted field
        literal.encode() + b"\r\n",  # fools the cut: a quote inside an unquoted field …
        multiline.encode() + b"\r\n",  # … then a field over two lines
        b"\xff\xfe;" + b";" * 28 + b"\r\n",  # bytes that do not decode
    ]
    path = tmp_path / "festivals-global-festivals-_-pl.csv"
    path.write_bytes(header + b"".join(rows[:100] + extra + rows[100:]))

    # Here a block is read again with the next one when a cut fell inside a record.
    joins: list[int] = []
    original = parallel_module.map_block
    monkeypatch.setattr(
        parallel_module, "map_block", lambda *args: joins.append(1) or original(*args)
    )
    profile = load_mapping_profile("festivals-france")
    seen = {}
    for workers, size in ((0, 0), (2, 2048), (2, 500), (2, 333)):
        monkeypatch.setattr(blocks_module, "BLOCK_SIZE", size)
        with open_catalogue(tmp_path / f"w{workers}-{size}.sqlite") as catalogue:
            summary = ingest(catalogue, path, profile, IngestOptions(workers=workers))
            works = [encode_work(w) for w in catalogue.iter_works()]
            entries = [catalogue.quarantine_entry(q.id or 0) for q in catalogue.quarantine()]
            problems = [(q.line, q.reason, q.params, q.raw) for q in entries if q is not None]
        seen[size] = (summary.read, summary.created, summary.quarantined, works, problems)
    assert seen[2048] == seen[0] and seen[500] == seen[0] and seen[333] == seen[0]
    assert joins  # the literal quote fooled at least one cut
    read, created, quarantined, works, problems = seen[0]
    assert read == created + quarantined == len(rows) + len(extra)
    assert {reason for _, reason, _, _ in problems} >= {
        "reason.duplicate_id",
        "reason.field_count",
        "reason.bad_row",
        "reason.undecodable",
    }
    assert [raw for _, reason, _, raw in problems if reason == "reason.duplicate_id"] == [
        rows[10].decode()
    ]
    stored = "\n".join(w.decode() for w in works)
    assert "sur deux lignes" in stored and "Disques 12" in stored


_PROFILE = """\
name = "t-blocks"
version = 1
source = "t-blocks"
title = "Blocs"

[reader]
format = "csv"

[record]
id = "id"
type = "Book"

[defaults]
text_language = "fr"

[[map]]
to = "title"
from = ["titre"]
required = true
"""


def test_a_quoted_field_over_many_blocks_is_read_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One quoted field of 3,000 lines across some 70 blocks (of 64 bytes, 512 in the field):
    every byte the parser reads, in the workers' place or again after a cut inside a record,
    is counted.

    Each block once, plus the open record joined with at least as much again each time: at
    most three times the file. Re-reading the field from its start with each following block,
    as before, parsed it about 250 times over (8 MB for 32 kB).
    """
    body = "".join(f"ligne {i}\n" for i in range(3000))
    head = "".join(f"A{i};Titre {i}\n" for i in range(20))
    tail = "".join(f"C{i};Titre {i}\n" for i in range(20))
    path = tmp_path / "long.csv"
    path.write_text(f'id;titre\n{head}B;"{body}"\n{tail}', "utf-8")
    profile_path = tmp_path / "t-blocks.toml"
    profile_path.write_text(_PROFILE, "utf-8")
    profile = load_mapping_profile(str(profile_path))
    reader = CsvReader(path, parse=False)
    blocks = list(split_blocks(reader, 64))
    assert len(blocks) > 50

    parsed: list[int] = []

    def counted(block: CsvBlock, parse: bool = True) -> blocks_module.BlockRead:
        parsed.append(len(block.data))
        return read_block(block, parse)

    monkeypatch.setattr(parallel_module, "read_block", counted)
    stage = parallel_module.Stage(Mapper(profile), b"", None, {str(path): reader.layout})
    got = list(parallel_module.outcomes(stage, iter(blocks), 0))

    lines = [opened[1].line for opened, _ in got]
    assert lines == [*range(2, 22), 22, *range(3023, 3043)]
    titles = [outcome.source_id for _, outcome in got if outcome is not None]
    assert titles == [f"A{i}" for i in range(20)] + ["B"] + [f"C{i}" for i in range(20)]
    size = path.stat().st_size
    assert sum(parsed) <= 3 * size, (sum(parsed), size)
