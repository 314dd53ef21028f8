"""Property-based fuzzing (hypothesis) of every entry point that reads bytes from outside.

The strategies build inputs near the real formats, with the shapes that broke readers before
(a stray Latin-1 byte, a quote left open, a field over many lines, deep nesting, nodes that link
to themselves or to one another many times, the query language's operators, huge positions);
``_targets`` holds the invariants. 50 examples each in ``make test``, ``FUZZ_EXAMPLES`` in
``make fuzz``.
"""

from __future__ import annotations

import json

from _targets import TARGETS
from hypothesis import given, settings
from hypothesis import strategies as st

FUZZ = settings.get_profile("fuzz")

# Pieces ------------------------------------------------------------------------------------

odd_bytes = st.sampled_from(
    [b"\xe9", b"\xff\xfe", b"\xef\xbb\xbf", b"\x00", b"\r", b"\x85", b"\xc3", b"\xe2\x80\xa8"]
)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


def spoiled(parts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """UTF-8 text with, now and then, a byte no decoder expects spliced in."""
    return st.builds(
        lambda chunks: b"".join(chunks),
        st.lists(st.one_of(parts.map(lambda s: s.encode("utf-8")), odd_bytes), max_size=40),
    )


csv_cell = st.one_of(
    text,
    st.sampled_from(['"', '"open', 'a"b', '"quoted"', '"multi\nline"', '"" ', "\r\n", ";", ","]),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    header = delimiter.join(draw(st.sampled_from([["id", "title", "year"], ["id", "title"]])))
    rows = draw(st.lists(st.lists(csv_cell, min_size=1, max_size=4), max_size=15))
    body = newline.join(delimiter.join(row) for row in rows)
    head = draw(st.sampled_from(["", "\ufeff"]))
    data = (head + header + newline + body).encode("utf-8")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(odd_bytes) + data[at:]
    return data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)
records = st.fixed_dictionaries(
    {"id": st.one_of(text, st.integers()), "title": st.one_of(text, json_values)},
    optional={"extra": json_values},
)


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    items = draw(st.lists(st.one_of(records, json_values), max_size=8))
    data = json.dumps(items, ensure_ascii=draw(st.booleans())).encode("utf-8")
    if draw(st.booleans()):  # cut or spoilt somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"", b",", b"]", b"\xe9", b"{"])) + data[at:]
    return data


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = draw(
        st.lists(
            st.one_of(
                st.builds(json.dumps, st.one_of(records, json_values)),
                st.sampled_from(["", "{", "not json", "[1, 2]", '{"a": 1}{"b": 2}']),
            ),
            max_size=10,
        )
    )
    data = "\n".join(lines).encode("utf-8")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(odd_bytes) + data[at:]
    return data


ids = st.sampled_from(["http://x/1", "http://x/2", "http://x/3", "_:b0", "urn:x", ""])
link = st.builds(lambda i: {"@id": i}, ids)
schema_values = st.one_of(
    text,
    st.integers(),
    link,
    st.lists(st.one_of(text, link), max_size=3),
    st.fixed_dictionaries({"@value": text}, optional={"@language": st.sampled_from(["fr", ""])}),
)
properties = st.sampled_from(
    [
        "name",
        "description",
        "location",
        "performer",
        "organizer",
        "startDate",
        "inLanguage",
        "sameAs",
        "address",
        "addressCountry",
        "geo",
        "latitude",
        "offers",
        "price",
        "url",
        "image",
        "subjectOf",
        "workFeatured",
        "superEvent",
        "subEvent",
    ]
)
nodes = st.builds(
    lambda i, t, props: {"@id": i, "@type": t, **props},
    ids,
    st.sampled_from(["Event", "Place", "Person", ["Event", "Festival"], "Thing", 3]),
    st.dictionaries(properties, schema_values, max_size=6),
)


@st.composite
def jsonld_files(draw: st.DrawFn) -> bytes:
    shape = draw(st.sampled_from(["list", "graph", "one"]))
    found = draw(st.lists(nodes, max_size=6))
    document: object = found
    if shape == "graph":
        document = {"@context": "https://schema.org", "@graph": found}
    elif shape == "one" and found:
        document = found[0]
    return json.dumps(document).encode("utf-8")


# Readers ------------------------------------------------------------------------------------


@FUZZ
@given(st.one_of(csv_files(), st.binary(max_size=300)))
def test_fuzz_csv_reader(data: bytes) -> None:
    TARGETS["csv"](data)


@FUZZ
@given(st.one_of(json_files(), spoiled(text)))
def test_fuzz_json_reader(data: bytes) -> None:
    TARGETS["json"](data)


@FUZZ
@given(st.one_of(jsonl_files(), st.binary(max_size=300)))
def test_fuzz_jsonl_reader(data: bytes) -> None:
    TARGETS["jsonl"](data)


@FUZZ
@given(jsonld_files())
def test_fuzz_schemaorg_reader(data: bytes) -> None:
    TARGETS["schemaorg"](data)


@FUZZ
@given(csv_files())
def test_fuzz_ingest_csv(data: bytes) -> None:
    TARGETS["ingest_csv"](data)


@FUZZ
@given(json_files())
def test_fuzz_ingest_json(data: bytes) -> None:
    TARGETS["ingest_json"](data)


@FUZZ
@given(jsonl_files())
def test_fuzz_ingest_jsonl(data: bytes) -> None:
    TARGETS["ingest_jsonl"](data)


@FUZZ
@given(jsonld_files())
def test_fuzz_ingest_jsonld(data: bytes) -> None:
    TARGETS["ingest_jsonld"](data)


# Mapping profiles and settings --------------------------------------------------------------

toml_value = st.one_of(
    st.builds(json.dumps, text),  # a JSON string is a TOML basic string
    st.integers().map(str),
    st.sampled_from(['"("', '"[a-"', '"(?P<x>"', '"*"', "true", "[]", '["a", 1]', "{}"]),
)
rule_keys = st.sampled_from(
    ["to", "from", "const", "split", "pattern", "template", "vocab", "lang", "kind", "join"]
)


@st.composite
def profiles(draw: st.DrawFn) -> bytes:
    fmt = draw(st.sampled_from(['"csv"', '"json"', '"jsonl"', '"jsonld"', '"xml"', "1"]))
    lines = ['name = "p"', "version = 1", 'source = "s"', "[reader]", f"format = {fmt}"]
    lines += ["[record]", f"id = {draw(toml_value)}"]
    for _ in range(draw(st.integers(0, 3))):
        lines.append("[[map]]")
        lines.append('to = "title"')
        lines.append('from = ["t"]')
        for key, value in draw(st.dictionaries(rule_keys, toml_value, max_size=3)).items():
            if key not in ("to", "from"):
                lines.append(f"{key} = {value}")
    if draw(st.booleans()):
        lines.append(f"[vocab.v]\n{json.dumps(draw(text))} = {draw(toml_value)}")
    return "\n".join(lines).encode("utf-8")


@FUZZ
@given(st.one_of(profiles(), spoiled(text)))
def test_fuzz_mapping_profile(data: bytes) -> None:
    TARGETS["profile"](data)


@FUZZ
@given(st.lists(text, max_size=7).map(lambda v: "\x00".join(v).encode("utf-8")))
def test_fuzz_settings(data: bytes) -> None:
    TARGETS["settings"](data)


# Search -------------------------------------------------------------------------------------

query_words = st.one_of(
    st.sampled_from(
        ["AND", "OR", "NOT", "IN", "TO", "and", "hugo", "roman", "théâtre", "*", "+", "-", "(", ")"]
    ),
    st.sampled_from(['"', "'", ":", "title:", "^2", "~1", "[", "]", "{", "}", "\\", "/", "!"]),
    text,
)


@FUZZ
@given(
    st.lists(query_words, max_size=8).map(" ".join),
    st.lists(st.one_of(st.sampled_from(["Book", "FR", "", "*"]), text), max_size=4),
)
def test_fuzz_search_query(query: str, filters: list[str]) -> None:
    TARGETS["search"]("\n".join([query.replace("\n", " "), *filters]).encode("utf-8"))


# Audit captures -----------------------------------------------------------------------------

positions = st.one_of(
    st.integers(1, 30),
    st.integers(),
    st.sampled_from([2**63, 2**64, 10**30, -1, 0]),
    text,
)
capture_rows = st.fixed_dictionaries(
    {
        "platform": st.sampled_from(["p", "q", ""]),
        "surface": st.sampled_from(["home", "search", "x"]),
        "persona": st.sampled_from(["a", "b"]),
        "session": st.sampled_from(["s"]),
        "timestamp": st.sampled_from(["2026-01-01T00:00:00", "t"]),
        "position": positions,
        "item": st.sampled_from(["w1", "w2", "w3"]),
    },
    optional={"row": positions, "column": positions, "attributes": json_values},
)


@FUZZ
@given(st.lists(capture_rows, max_size=8), st.one_of(st.just(b""), odd_bytes))
def test_fuzz_capture_jsonl(rows: list[dict[str, object]], junk: bytes) -> None:
    lines = [json.dumps(r).encode("utf-8") for r in rows]
    TARGETS["capture_jsonl"](b"\n".join(lines) + junk)


@FUZZ
@given(st.lists(capture_rows, max_size=8), st.one_of(st.just(b""), odd_bytes))
def test_fuzz_capture_csv(rows: list[dict[str, object]], junk: bytes) -> None:
    fixed = ["platform", "surface", "persona", "session", "timestamp", "position", "item"]
    lines = [",".join([*fixed, "attr:genre"]).encode()]
    for r in rows:
        cells = [str(r[name]).replace(",", " ").replace("\n", " ") for name in fixed]
        lines.append(",".join([*cells, "drame|comédie"]).encode("utf-8"))
    TARGETS["capture_csv"](b"\n".join(lines) + junk)
