"""Readers on hand-made files: encodings, delimiters, quoted newlines, line numbers, raw text."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanterne.errors import BadInput, InputNotFound
from lanterne.ingest._encoding import detect_encoding
from lanterne.ingest._json import read_json_items, read_json_lines
from lanterne.ingest._readers import CsvReader, RawRecord, ReadProblem
from lanterne.ingest._records import ReadLimits

BOM = b"\xef\xbb\xbf"


def records(reader: CsvReader) -> list[RawRecord | ReadProblem]:
    return list(reader)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("é;à\n".encode(), "utf-8"),
        (BOM + "é;à\n".encode(), "utf-8"),
        (BOM + BOM + "é;à\n".encode(), "utf-8"),  # the real festivals export has two BOMs
        ("Théâtre;Musée d'Orsay;Noël à l'Opéra\n".encode("cp1252") * 20, "cp1252"),
        (b"plain ascii\n", "utf-8"),
    ],
)
def test_encoding_detection(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == expected


def test_double_bom_header_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(BOM + BOM + b"Nom;Ville\r\nA;B\r\n")
    reader = CsvReader(path)
    assert reader.header == ["Nom", "Ville"]
    assert reader.delimiter == ";"
    [rec] = records(reader)
    assert isinstance(rec, RawRecord) and rec.data == {"Nom": "A", "Ville": "B"} and rec.line == 2


def test_cp1252_is_read_with_accents(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("titre;lieu\nThéâtre;Orléans\n".encode("cp1252") * 1)
    reader = CsvReader(path, "cp1252")
    [rec] = records(reader)
    assert isinstance(rec, RawRecord) and rec.data == {"titre": "Théâtre", "lieu": "Orléans"}


def test_quoted_newlines_keep_line_numbers_and_raw(tmp_path: Path) -> None:
    text = 'id,texte\n1,"deux\nlignes"\n2,simple\n3,"a, b"\n'
    path = tmp_path / "f.csv"
    path.write_text(text, "utf-8")
    got = records(CsvReader(path))
    assert [(r.line, r.data["texte"]) for r in got if isinstance(r, RawRecord)] == [
        (2, "deux\nlignes"),
        (4, "simple"),
        (5, "a, b"),
    ]
    assert [r.raw for r in got] == ['1,"deux\nlignes"\n', "2,simple\n", '3,"a, b"\n']


@pytest.mark.parametrize(
    ("header", "delimiter"), [("a;b;c", ";"), ("a,b,c", ","), ("a\tb\tc", "\t"), ("a|b|c", "|")]
)
def test_delimiter_sniffing(tmp_path: Path, header: str, delimiter: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(header + "\n" + "1" + delimiter + "2" + delimiter + "3\n", "utf-8")
    reader = CsvReader(path)
    assert reader.delimiter == delimiter
    [rec] = records(reader)
    assert isinstance(rec, RawRecord) and rec.data == {"a": "1", "b": "2", "c": "3"}


def test_blank_lines_are_not_records(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a;b\n1;2\n\n3;4\n\n", "utf-8")
    assert [r.line for r in records(CsvReader(path))] == [2, 4]


def test_bad_bytes_after_the_sample_spoil_one_record_only(tmp_path: Path) -> None:
    # Detection reads the first MiB; a stray Windows-1252 byte further on is one bad record.
    good = "".join(f"{i};Théâtre numéro {i}\n" for i in range(60_000)).encode()
    path = tmp_path / "f.csv"
    path.write_bytes(b"id;titre\n" + good + b"bad;caf\xe9\n" + b"last;fin\n")
    assert len(good) > (1 << 20)
    got = records(CsvReader(path))
    problems = [r for r in got if isinstance(r, ReadProblem)]
    assert len(got) == 60_002
    assert [(p.reason, p.line) for p in problems] == [("reason.undecodable", 60_002)]
    assert "caf" in problems[0].raw
    assert isinstance(got[-1], RawRecord) and got[-1].data == {"id": "last", "titre": "fin"}


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound):
        CsvReader(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(BadInput) as info:
        CsvReader(empty)
    assert info.value.key == "input.empty"
    only_bom = tmp_path / "bom.csv"
    only_bom.write_bytes(BOM + b"\r\n")
    with pytest.raises(BadInput):
        CsvReader(only_bom)


def test_json_array_items_and_a_break_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('[\n {"id": 1},\n {"id": 2},\n {"id": 3, "t": "cass', "utf-8")
    got = list(read_json_items(path))
    assert [(r.line, r.data) for r in got if isinstance(r, RawRecord)] == [
        (2, {"id": 1}),
        (3, {"id": 2}),
    ]
    [broken] = [r for r in got if isinstance(r, ReadProblem)]
    assert broken.reason == "reason.bad_json" and broken.line == 4
    assert broken.raw == '{"id": 3, "t": "cass'  # nothing lost


def test_json_lines_bad_line_and_non_objects(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"id": 1}\n{"id": 2,\n\n[1, 2]\n{"id": 4}\n', "utf-8")
    got = list(read_json_lines(path))
    assert [(type(r).__name__, r.line) for r in got] == [
        ("RawRecord", 1),
        ("ReadProblem", 2),
        ("ReadProblem", 4),
        ("RawRecord", 5),
    ]
    assert isinstance(got[2], ReadProblem) and got[2].reason == "reason.not_object"


def test_json_records_path(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"data": {"items": [{"id": 1}, {"id": 2}]}}), "utf-8")
    assert [
        r.data for r in read_json_items(path, records_path="data.items") if isinstance(r, RawRecord)
    ] == [
        {"id": 1},
        {"id": 2},
    ]


cell = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=30
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=20),
    delimiter=st.sampled_from(";,\t"),
)
def test_csv_round_trip(tmp_path: Path, rows: list[list[str]], delimiter: str) -> None:
    """Whatever csv.writer writes, the reader gives back, row for row, with the raw text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    header = [f"c{i}" for i in range(3)]
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "rt.csv"
    path.write_text(buffer.getvalue(), "utf-8")
    got = records(CsvReader(path, "utf-8", delimiter))
    assert all(isinstance(r, RawRecord) for r in got)
    assert [list(r.data.values()) for r in got if isinstance(r, RawRecord)] == rows
    assert "".join(r.raw for r in got) in buffer.getvalue()


any_cell = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(any_cell, min_size=3, max_size=3), min_size=1, max_size=15),
    junk=st.lists(st.sampled_from(['a;"b" c;d', '"open', "x;y", 'p;q"r;s', ""]), max_size=4),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_records_sent_as_raw_text_parse_back_to_the_same_fields(
    tmp_path: Path, rows: list[list[str]], junk: list[str], terminator: str
) -> None:
    """Map workers get raw text and ``layout.parse`` it: the same fields as parsing in place.

    Cells hold quotes, carriage returns and Unicode line separators; stray lines are mixed in so
    the reader resynchronises; every record the reader accepts must parse back identically.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator=terminator)
    writer.writerow(["c0", "c1", "c2"])
    writer.writerows(rows)
    text = buffer.getvalue() + terminator.join(junk)
    path = tmp_path / "raw.csv"
    path.write_text(text, "utf-8", newline="")
    parsed = records(CsvReader(path, "utf-8", ";"))
    reader = CsvReader(path, "utf-8", ";", parse=False)
    unparsed = records(reader)
    assert [(type(a), a.line, a.raw) for a in parsed] == [
        (type(b), b.line, b.raw) for b in unparsed
    ]
    for a, b in zip(parsed, unparsed, strict=True):
        if isinstance(a, RawRecord):
            assert isinstance(b, RawRecord) and b.data == {}
            assert reader.layout.parse_many([b.raw]) == [a.data]
    # A worker parses a whole chunk with one parser: records parse one after the other as alone.
    raws = [b.raw for b in unparsed if isinstance(b, RawRecord)]
    assert reader.layout.parse_many(raws) == [a.data for a in parsed if isinstance(a, RawRecord)]


def test_a_stray_quote_spoils_one_record_only(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        'id;titre;lieu\n1;"Festival" de jazz;Nantes\n2;"ok";Brest\n3;"multi\nligne";Pau\n', "utf-8"
    )
    got = records(CsvReader(path))
    assert [(type(r).__name__, r.line) for r in got] == [
        ("ReadProblem", 2),
        ("RawRecord", 3),
        ("RawRecord", 4),
    ]
    assert isinstance(got[0], ReadProblem) and got[0].reason == "reason.bad_row"
    assert got[0].raw == '1;"Festival" de jazz;Nantes\n'
    assert isinstance(got[2], RawRecord) and got[2].data["titre"] == "multi\nligne"


def test_an_undecodable_line_inside_a_bad_row_spoils_that_row_only(tmp_path: Path) -> None:
    """The bad bytes of line 3 belong to the bad row that starts on line 2, not to line 5."""
    path = tmp_path / "f.csv"
    path.write_bytes(b'c0;c1;c2\n"open\n\xff\xfe;x;y\n"x";"y";"z"\n"x";"y";"z"\n')
    got = records(CsvReader(path, "ascii", ";"))
    assert [(type(r).__name__, r.line) for r in got] == [("ReadProblem", 2), ("RawRecord", 5)]
    assert isinstance(got[0], ReadProblem) and got[0].reason == "reason.bad_row"
    assert isinstance(got[1], RawRecord) and got[1].data == {"c0": "x", "c1": "y", "c2": "z"}


# A UTF-8 file with one stray Latin-1 byte ------------------------------------------------------

GOOD_TITLES = ["Les Misérables", "Notre-Dame de Paris", "Théâtre à l'italienne"]
STRAY = b"caf\xe9 Procope"  # « café » in Latin-1, in a file otherwise UTF-8


def test_stray_latin1_byte_is_quarantined_not_redecoded(tmp_path: Path) -> None:
    """Read as UTF-8: the good rows keep every accent, the bad row alone is quarantined.

    The file was decoded as Windows-1252 as a whole: « Les MisÃ©rables », nothing quarantined.
    """
    rows = [f"{i};{t}\n".encode() for i, t in enumerate(GOOD_TITLES, start=1)]
    path = tmp_path / "f.csv"
    path.write_bytes(b"id;titre\n" + rows[0] + rows[1] + b"9;" + STRAY + b"\n" + rows[2])
    assert detect_encoding(path) == "utf-8"
    for declared in (None, "utf-8"):
        got = records(CsvReader(path, declared))
        assert [(type(r).__name__, r.line) for r in got] == [
            ("RawRecord", 2),
            ("RawRecord", 3),
            ("ReadProblem", 4),
            ("RawRecord", 5),
        ]
        titles = [r.data["titre"] for r in got if isinstance(r, RawRecord)]
        assert titles == GOOD_TITLES
        [bad] = [r for r in got if isinstance(r, ReadProblem)]
        assert bad.reason == "reason.undecodable" and bad.file == str(path)
        assert bad.raw == "9;caf\ufffd Procope\n"


def test_stray_latin1_byte_in_json_is_quarantined_not_redecoded(tmp_path: Path) -> None:
    items = [
        json.dumps({"id": i, "titre": t}, ensure_ascii=False).encode()
        for i, t in enumerate(GOOD_TITLES, start=1)
    ]
    stray = b'{"id": 9, "titre": "' + STRAY + b'"}'
    array = tmp_path / "f.json"
    array.write_bytes(b"[\n" + b",\n".join([items[0], items[1], stray, items[2]]) + b"\n]\n")
    lines = tmp_path / "f.jsonl"
    lines.write_bytes(b"\n".join([items[0], items[1], stray, items[2]]) + b"\n")
    for path, got, bad_line in (
        (array, list(read_json_items(array)), 4),
        (lines, list(read_json_lines(lines)), 3),
    ):
        assert detect_encoding(path) == "utf-8"
        titles = [r.data["titre"] for r in got if isinstance(r, RawRecord)]
        assert titles == GOOD_TITLES
        [bad] = [r for r in got if isinstance(r, ReadProblem)]
        assert (bad.reason, bad.file, bad.line) == ("reason.undecodable", str(path), bad_line)
        assert "caf\ufffd Procope" in bad.raw
        assert len(got) == 4


def test_cp1252_with_a_pair_that_looks_like_utf8_is_still_cp1252(tmp_path: Path) -> None:
    """« CAFÉ » then a no-break space is C9 A0, valid UTF-8 (« ɠ »); every other accent is
    not: the file is Windows-1252 and read as such, whole."""
    text = "id;titre\n1;CAFÉ\xa0: été à Orléans\n2;Noël à l'Opéra\n"
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("cp1252"))
    assert detect_encoding(path) == "cp1252"
    got = records(CsvReader(path))
    assert [r.data["titre"] for r in got if isinstance(r, RawRecord)] == [
        "CAFÉ\xa0: été à Orléans",
        "Noël à l'Opéra",
    ]


def test_an_undecodable_header_does_not_spoil_the_first_record(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"id;titre;d\xe9but\n" + "1;Les Misérables;1862\n".encode() * 3)
    got = records(CsvReader(path))
    assert [type(r).__name__ for r in got] == ["RawRecord"] * 3


def test_bare_carriage_return_in_the_header_is_bad_input_not_a_csv_error(tmp_path: Path) -> None:
    """``id;ti\rtle`` raised _csv.Error out of the reader (found by the CSV fuzz target)."""
    path = tmp_path / "f.csv"
    path.write_bytes(b"id;ti\rtle\n1;2\n")
    with pytest.raises(BadInput) as raised:
        CsvReader(path)
    assert raised.value.key == "input.bad_header" and "f.csv" in raised.value.message("en")


# Records nested too deep ------------------------------------------------------------------------


def nested(depth: int) -> str:
    """An object whose value nests arrays until ``depth`` levels in all (the object is 1)."""
    return '{"id": "deep", "v": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_json_nested_10000_deep_is_quarantined_not_a_recursion_error(tmp_path: Path) -> None:
    """The parser's RecursionError ended the run (« interrupted », nothing read): now that
    record is one problem and the records after it are read."""
    path = tmp_path / "f.json"
    path.write_text(
        '[\n{"id": 1},\n' + nested(10_000) + ',\n{"id": 3, "t": "[{"},\n' + nested(600) + "\n]",
        "utf-8",
    )
    got = list(read_json_items(path))
    assert [(type(r).__name__, r.line) for r in got] == [
        ("RawRecord", 2),
        ("ReadProblem", 3),
        ("RawRecord", 4),
        ("ReadProblem", 5),
    ]
    deep, deeper = [r for r in got if isinstance(r, ReadProblem)]
    assert deep.reason == deeper.reason == "reason.too_deep"
    assert deep.params == {"limit": "64"}
    assert deep.raw == nested(10_000) and deeper.raw == nested(600)


def test_a_json_file_that_is_one_array_nested_10000_deep_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("[" * 10_000 + "]" * 10_000, "utf-8")
    [problem] = list(read_json_items(path))
    assert isinstance(problem, ReadProblem) and problem.reason == "reason.too_deep"
    assert (problem.file, problem.line) == (str(path), 1)
    for text in ('{"data": ' + nested(10_000) + "}", '{"data": [' + nested(600) + "]}"):
        path.write_text(text, "utf-8")
        [problem] = list(read_json_items(path, records_path="data"))
        assert isinstance(problem, ReadProblem) and problem.reason == "reason.too_deep"


def test_json_lines_nested_too_deep_spoil_their_line_only(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    lines = ['{"id": 1}', nested(10_000), nested(65), nested(64), '{"id": 5}']
    path.write_text("\n".join(lines) + "\n", "utf-8")
    got = list(read_json_lines(path))
    assert [(type(r).__name__, r.line) for r in got] == [
        ("RawRecord", 1),
        ("ReadProblem", 2),
        ("ReadProblem", 3),
        ("RawRecord", 4),
        ("RawRecord", 5),
    ]
    got = list(read_json_lines(path, limits=ReadLimits(max_json_depth=65)))
    assert [type(r).__name__ for r in got] == ["RawRecord", "ReadProblem", *["RawRecord"] * 3]


def test_a_short_row_with_a_line_break_inside_quotes_is_quarantined_not_a_crash(
    tmp_path: Path,
) -> None:
    """The hint that looks for another delimiter parsed the raw text again, where « \\r\\n »
    inside quotes is an error: csv.Error escaped the reader and ended the run."""
    path = tmp_path / "f.csv"
    path.write_bytes(b'a;b;c\r\n1;"deux\r\nlignes"\r\n2;x;y\r\n')
    got = records(CsvReader(path))
    assert [(type(r).__name__, r.line) for r in got] == [("ReadProblem", 2), ("RawRecord", 4)]
    assert isinstance(got[0], ReadProblem) and got[0].reason == "reason.field_count"


# Records larger than a record may be ------------------------------------------------------------


def test_a_line_longer_than_a_record_may_be_is_quarantined_not_held(tmp_path: Path) -> None:
    """A CSV line of 300 kB under a bound of 100 kB: its first 64 KiB are kept in quarantine,
    the rest is skipped without being read whole, and the reading goes on with the next line.
    Without a bound a 200 MB field took 1.4 GB of memory and 200 MB of quarantine."""
    limits = ReadLimits(max_record_bytes=100_000)
    long_line = "2;" + "x" * 300_000 + "\n"
    path = tmp_path / "f.csv"
    path.write_text("id;titre\n1;Les Misérables\n" + long_line + "3;Notre-Dame\n", "utf-8")
    got = records(CsvReader(path, limits=limits))
    assert [(type(r).__name__, r.line) for r in got] == [
        ("RawRecord", 2),
        ("ReadProblem", 3),
        ("RawRecord", 4),
    ]
    problem = got[1]
    assert isinstance(problem, ReadProblem) and problem.reason == "reason.too_large"
    assert problem.raw == long_line[: 64 * 1024]
    assert problem.params == {"limit": "100000", "kept": "65536"}
    # A record over many lines, each short, is bounded too.
    many = '2;"' + "ligne\n" * 20_000 + '"\n'
    path.write_text("id;titre\n1;Un\n" + many + "3;Trois\n", "utf-8")
    got = records(CsvReader(path, limits=limits))
    assert [(type(r).__name__, r.reason if isinstance(r, ReadProblem) else "") for r in got][
        :2
    ] == [
        ("RawRecord", ""),
        ("ReadProblem", "reason.too_large"),
    ]
    assert isinstance(got[-1], RawRecord) and got[-1].data == {"id": "3", "titre": "Trois"}


def test_json_records_larger_than_a_record_may_be_are_quarantined(tmp_path: Path) -> None:
    limits = ReadLimits(max_record_bytes=100_000)
    big = json.dumps({"id": 2, "t": "x" * 300_000})
    lines = tmp_path / "f.jsonl"
    lines.write_text(f'{{"id": 1}}\n{big}\n{{"id": 3}}\n', "utf-8")
    array = tmp_path / "f.json"
    array.write_text(f'[\n{{"id": 1}},\n{big},\n{{"id": 3}}\n]', "utf-8")
    for got in (
        list(read_json_lines(lines, limits=limits)),
        list(read_json_items(array, limits=limits)),
    ):
        assert [type(r).__name__ for r in got] == ["RawRecord", "ReadProblem", "RawRecord"]
        assert isinstance(got[1], ReadProblem) and got[1].reason == "reason.too_large"
        assert got[1].raw == big[: 64 * 1024]


def test_nul_bytes_in_csv_are_read_as_characters(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'id;titre\n1;Nul\x00titre\n"2\x00";"a\x00\nb"\n3;Trois\n')
    got = records(CsvReader(path))
    assert [r.data for r in got if isinstance(r, RawRecord)] == [
        {"id": "1", "titre": "Nul\x00titre"},
        {"id": "2\x00", "titre": "a\x00\nb"},
        {"id": "3", "titre": "Trois"},
    ]


# UTF-16 ----------------------------------------------------------------------------------------


def _utf16_rows() -> str:
    return "id;titre\n1;Les Misérables\n2;Notre-Dame de Paris\n3;Théâtre\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_truncated_code_unit_quarantines_that_record_only(
    tmp_path: Path, codec: str
) -> None:
    # Found by atheris: the whole file was decoded at once and UnicodeDecodeError escaped.
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    good = _utf16_rows().encode(codec)
    lone = "\ud800".encode(codec, "surrogatepass")  # a high surrogate with no low one
    path = tmp_path / "f.csv"
    path.write_bytes(bom + good + "4;".encode(codec) + lone + "\n".encode(codec) + b"\x00")
    got = records(CsvReader(path))
    assert [(type(r).__name__, r.line) for r in got] == [
        ("RawRecord", 2),
        ("RawRecord", 3),
        ("RawRecord", 4),
        ("ReadProblem", 5),
        ("ReadProblem", 6),
    ]
    titles = [r.data["titre"] for r in got if isinstance(r, RawRecord)]
    assert titles == ["Les Misérables", "Notre-Dame de Paris", "Théâtre"]
    assert all(r.reason == "reason.undecodable" for r in got if isinstance(r, ReadProblem))


def test_a_bad_last_row_of_a_utf16_file_does_not_peek_at_a_closed_file(tmp_path: Path) -> None:
    # Found by atheris: « ValueError: peek of closed file » for a short row on the last line.
    path = tmp_path / "f.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "id;titre;année\n1;a".encode("utf-16-le"))
    got = records(CsvReader(path))
    assert [(type(r).__name__, r.line) for r in got] == [("ReadProblem", 2)]
    assert isinstance(got[0], ReadProblem)
    assert "tronqué" in got[0].params.get("hint", ""), got[0]


def test_utf16_keeps_line_breaks_that_are_not_newlines_inside_a_field(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    text = 'id;titre\n1;"un\u2028deux\x0ctrois"\n2;"quatre\ncinq"\n'
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    got = records(CsvReader(path))
    assert [r.data["titre"] for r in got if isinstance(r, RawRecord)] == [
        "un\u2028deux\x0ctrois",
        "quatre\ncinq",
    ]
    assert [r.line for r in got] == [2, 3]
