"""Hostile captures and hostile addresses: bounded cost, rows set aside, clear refusals."""

from __future__ import annotations

import codecs
import csv
import io
import json
import socket
import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lanterne as lanterne_package
from helpers import lanterne
from lanterne.audit import (
    AuditConfig,
    LanterneHTTP,
    NotLoopback,
    check_loopback,
    read_captures,
    run_audit,
)
from lanterne.errors import BadSetting, ExitCode, LanterneError

# The command runs the code under test, not whichever Lanterne the virtualenv installed.
SOURCE = {"PYTHONPATH": str(Path(lanterne_package.__file__).resolve().parents[1])}

HEADER = "platform,surface,persona,session,timestamp,position,row,column,item,attr:european"


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    return path


def _row(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "platform": "vod",
        "surface": "home",
        "persona": "p1",
        "session": "s1",
        "timestamp": "2026-01-01T10:00",
        "position": 1,
        "item": "a",
    }
    return base | fields


def _jsonl(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _rejected(caps: Any) -> list[tuple[int, str]]:
    return sorted((r.line, r.field) for r in caps.rejected)


# 9. Integer fields bounded by a declared setting --------------------------------------------


def test_position_of_five_million_is_rejected_naming_the_setting(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "c.csv",
        ["vod,home,p1,s1,t1,1,,,a,true", "vod,home,p1,s1,t1,5000000,,,b,false"],
    )
    caps = read_captures([path])
    assert (caps.read, caps.n_rows, _rejected(caps)) == (2, 1, [(3, "position")])
    (rejected,) = caps.rejected
    assert rejected.file == str(path)
    assert "LANTERNE_AUDIT_MAX_POSITION" in rejected.reason and "10000" in rejected.reason
    # The report's share by position runs to the last position used, not to 5,000,000.
    tracemalloc.start()
    report = run_audit(caps, AuditConfig(resamples=10))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(report.by_position["european=true"]) == 1
    assert peak < 50 * 2**20, f"{peak} bytes for two rows"


def test_positions_beyond_int64_and_rows_of_ten_to_the_twenty_are_rejected_not_overflow(
    tmp_path: Path,
) -> None:
    csv_file = _csv(
        tmp_path / "c.csv",
        [
            "vod,home,p1,s1,t1,1,,,a,true",
            f"vod,home,p1,s1,t1,{2**63},,,b,true",
            f"vod,home,p1,s1,t1,2,{10**20},,c,true",
            f"vod,home,p1,s1,t1,3,1,{10**20},d,true",
            f"vod,home,p1,s1,t1,{'9' * 5000},,,e,true",
            "vod,home,p1,s1,t1,-3,,,f,true",
        ],
    )
    jsonl = _jsonl(
        tmp_path / "c.jsonl",
        [
            _row(position=2**63),
            _row(position=2, row=10**20),
            '{"platform": "vod", "surface": "home", "persona": "p", "session": "s", '
            '"timestamp": "t", "position": Infinity, "item": "x"}',
            _row(position=True),
            _row(position=3.5),
            _row(position=4, column=-(2**70)),
            _row(position=5),
            json.dumps(_row(position=6))[:-1] + ', "row": ' + "9" * 5000 + "}",
        ],
    )
    caps = read_captures([csv_file, jsonl])
    assert caps.read == 14 and caps.n_rows == 2
    assert caps.read == caps.n_rows + len(caps.rejected)
    fields = sorted((Path(r.file).suffix, r.line, r.field) for r in caps.rejected)
    assert fields == [
        (".csv", 3, "position"),
        (".csv", 4, "row"),
        (".csv", 5, "column"),
        (".csv", 6, "position"),
        (".csv", 7, "position"),
        (".jsonl", 1, "position"),
        (".jsonl", 2, "row"),
        (".jsonl", 3, "position"),
        (".jsonl", 4, "position"),
        (".jsonl", 5, "position"),
        (".jsonl", 6, "column"),
        (".jsonl", 8, "row"),
    ]
    report = run_audit(caps, AuditConfig(resamples=0))
    assert report.counts["rows_used"] == 2


def test_max_position_is_a_setting_and_bounds_a_list_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lanterne.audit._capture import CaptureLimits

    rows = [f"vod,home,p1,s1,t1,{p},,,w{p},true" for p in range(1, 8)]
    path = _csv(tmp_path / "c.csv", rows)
    monkeypatch.setenv("LANTERNE_AUDIT_MAX_POSITION", "5")
    caps = read_captures([path])
    # Positions are unique in a list and at most 5: a list holds at most 5 rows.
    assert (caps.read, caps.n_rows) == (7, 5)
    assert _rejected(caps) == [(7, "position"), (8, "position")]
    assert CaptureLimits.load().max_position == 5
    monkeypatch.setenv("LANTERNE_AUDIT_MAX_POSITION", "lots")
    with pytest.raises(BadSetting) as caught:
        read_captures([path])
    assert "LANTERNE_AUDIT_MAX_POSITION" in caught.value.message("en")
    monkeypatch.delenv("LANTERNE_AUDIT_MAX_POSITION")
    assert CaptureLimits.load().max_position == 10_000


def test_cli_audit_of_huge_positions_reports_the_rejected_rows(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "c.csv",
        ["vod,home,p1,s1,t1,1,,,a,true", f"vod,home,p1,s1,t1,{2**63},,,b,false"],
    )
    done = lanterne(tmp_path, "--lang", "en", "audit", str(path), "--format", "json", **SOURCE)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["rows_rejected"] == 1
    assert f"{path}:3 [position]" in done.stderr and "LANTERNE_AUDIT_MAX_POSITION" in done.stderr


def _peak_reading(path: Path) -> int:
    tracemalloc.start()
    read_captures([path]).arrays()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_many_distinct_personas_and_lists_cost_memory_in_proportion(tmp_path: Path) -> None:
    def write(n: int) -> Path:
        rows = [f"vod,home,p{i},s{i},t{i},{p},,,w{i % 97},true" for i in range(n) for p in (1, 2)]
        return _csv(tmp_path / f"c{n}.csv", rows)

    small, large = _peak_reading(write(2_000)), _peak_reading(write(8_000))
    # Four times the lists (each its own persona and session): about four times the memory.
    assert large < 6 * small, (small, large)


# 10. Encodings and depth: the ingest's decoding rules, a bad row set aside --------------------


def test_latin1_capture_csv_is_read_not_an_internal_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    text = (
        HEADER + ",title\n" + "vod,home,pé,s1,t1,1,,,a,true,Amélie\nvod,home,pé,s1,t1,2,,,b,,Noël\n"
    )
    path.write_bytes(text.encode("latin-1"))
    caps = read_captures([path])
    assert (caps.read, caps.n_rows, caps.rejected) == (2, 2, [])
    assert caps.personas == ["pé"] and caps.titles == {"a": "Amélie", "b": "Noël"}


def test_utf16_json_lines_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    lines = [json.dumps(_row(position=p, item=f"œuvre{p}"), ensure_ascii=False) for p in (1, 2)]
    path.write_bytes(codecs.BOM_UTF16_LE + ("\n".join(lines) + "\n").encode("utf-16-le"))
    caps = read_captures([path])
    assert (caps.read, caps.n_rows, caps.rejected) == (2, 2, [])
    assert caps.items == ["œuvre1", "œuvre2"]


def test_undecodable_bytes_reject_their_row_only(tmp_path: Path) -> None:
    good = [json.dumps(_row(position=p)).encode() for p in (1, 3)]
    bad = json.dumps(_row(position=2)).encode().replace(b'"a"', b'"\xff\xfe"')
    path = tmp_path / "c.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b"\n".join([good[0], bad, good[1]]) + b"\n")
    csv_path = tmp_path / "c.csv"
    rows = [b"vod,home,p1,s1,t1,1,,,a,true", b"vod,home,p1,s1,t1,2,,,\xff,true"]
    csv_path.write_bytes(codecs.BOM_UTF8 + HEADER.encode() + b"\n" + b"\n".join(rows) + b"\n")
    caps = read_captures([path, csv_path])
    assert (caps.read, caps.n_rows) == (5, 3)
    assert sorted((Path(r.file).suffix, r.line, r.field) for r in caps.rejected) == [
        (".csv", 3, "(line)"),
        (".jsonl", 2, "(line)"),
    ]
    assert all("utf-8" in r.reason for r in caps.rejected)


def test_json_line_nested_100000_deep_is_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    deep = '{"platform": ' + "[" * 100_000 + "]" * 100_000 + "}"
    attrs = json.dumps(_row(position=3))[:-1] + ', "attributes": {"a": ' + "[" * 500
    attrs += "]" * 500 + "}}"
    path = _jsonl(
        tmp_path / "c.jsonl",
        [
            _row(position=1),
            deep,
            _row(position=2),
            attrs,
            "[" * 100_000,
            _row(position=4, title="{[" * 1000),
        ],
    )
    caps = read_captures([path])
    # Brackets inside a string are text: the last row is used.
    assert (caps.read, caps.n_rows) == (6, 3)
    assert _rejected(caps) == [(2, "(line)"), (4, "(line)"), (5, "(line)")]
    assert all("deep" in r.reason for r in caps.rejected)


# Property: whatever the rows, Lanterne's errors only, and the counts add up ------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = ("platform", "surface", "persona", "session", "timestamp", "position", "item")
_field_value = (
    st.text(max_size=6)
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from(["1", "2", "10000", "10001", " 3 ", "0", "1e3", "١"])
    | _json
)
_good = {
    "platform": st.just("vod"),
    "surface": st.sampled_from(["home", "search"]),
    "persona": st.sampled_from(["p1", "p2", "é"]),
    "session": st.sampled_from(["s1", "s2"]),
    "timestamp": st.sampled_from(["t1", "t2"]),
    "position": st.integers(1, 12),
    "item": st.sampled_from(["a", "b", "c"]),
    "row": st.integers(1, 3),
    "column": st.integers(1, 3),
    "group": st.sampled_from(["control", "treated"]),
    "title": st.text(max_size=5),
    "attributes": st.dictionaries(st.sampled_from(["european", "genre"]), st.text(max_size=3)),
    "extra": _json,
}
# Each field present or not, mostly good, sometimes anything at all.
_rows = st.fixed_dictionaries(
    {}, optional={name: good | good | _field_value for name, good in _good.items()}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_rows | _json, max_size=12), as_csv=st.booleans())
def test_arbitrary_rows_raise_only_lanterne_errors_and_counts_add_up(
    tmp_path_factory: pytest.TempPathFactory, rows: list[Any], as_csv: bool
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    if as_csv:
        header = [*_FIELDS, "row", "column", "title", "attr:genre"]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for r in rows:
            cells = r if isinstance(r, dict) else {}
            writer.writerow(
                [
                    v if isinstance(v, str) else json.dumps(v)
                    for v in (cells.get(h, "") for h in header)
                ]
            )
        lines = [buffer.getvalue()]
        path = folder / "rows.csv"
        path.write_text(lines[0], "utf-8", newline="")
    else:
        path = folder / "rows.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    try:
        caps = read_captures([path])
    except LanterneError:
        return
    assert caps.read == caps.n_rows + len(caps.rejected)
    for r in caps.rejected:
        assert r.file == str(path) and r.line >= 1 and r.field and r.reason
    a = caps.arrays()
    assert all(1 <= p <= 10_000 for p in a["position"].tolist())
    assert all(0 <= v <= 10_000 for v in a["row"].tolist() + a["column"].tolist())


# 18c and 18d. The simulator stays on loopback ------------------------------------------------


def test_simulate_to_a_non_loopback_address_is_a_clear_refusal(tmp_path: Path) -> None:
    personas = tmp_path / "personas.json"
    personas.write_text('[{"name": "p1", "history": ["w1"]}]', "utf-8")
    for lang, words in (("fr", "boucle locale"), ("en", "loopback")):
        done = lanterne(
            tmp_path,
            "--lang",
            lang,
            "simulate",
            "--url",
            "http://192.0.2.1:8000",
            "--personas",
            str(personas),
            "-o",
            str(tmp_path / "out.jsonl"),
            **SOURCE,
        )
        assert done.returncode == ExitCode.USAGE, done.stderr
        assert words in done.stderr and "192.0.2.1" in done.stderr
        assert "intern" not in done.stderr.lower() and "Traceback" not in done.stderr
    assert not (tmp_path / "out.jsonl").exists()
    with pytest.raises(NotLoopback) as caught:
        check_loopback("http://192.0.2.1:8000")
    assert isinstance(caught.value, LanterneError)
    assert "loopback" in caught.value.message("en") and "locale" in caught.value.message("fr")


def test_simulate_to_a_stopped_server_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    platform = LanterneHTTP(f"http://127.0.0.1:{port}")
    with pytest.raises(LanterneError) as caught:
        platform.home(["w1"])
    platform.close()
    assert f"127.0.0.1:{port}" in caught.value.message("en")


class _Recorder(BaseHTTPRequestHandler):
    hosts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hosts.append(self.headers.get("Host", ""))
        body = json.dumps({"items": [{"item": "w1", "position": 1}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[tuple[int, list[str]]]:
    hosts: ClassVar[list[str]] = []
    handler = type("Handler", (_Recorder,), {"hosts": hosts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hosts
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_dns_rebinding_after_the_loopback_check_still_connects_to_loopback(
    monkeypatch: pytest.MonkeyPatch, loopback_server: tuple[int, list[str]]
) -> None:
    port, hosts = loopback_server
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        # A name whose first answer is loopback and every later one is not.
        if host != "rebind.test":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        if len(lookups) > 1:
            return real_getaddrinfo("192.0.2.1", *args, **kwargs)
        # ::1 first, as many machines answer for localhost; nothing listens there.
        return real_getaddrinfo("::1", *args, **kwargs) + real_getaddrinfo(
            "127.0.0.1", *args, **kwargs
        )

    elsewhere: list[Any] = []
    real_connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> None:
        # Safety net: the test itself must never send anything off this machine.
        if isinstance(address, tuple) and not str(address[0]).startswith(("127.", "::1")):
            elsewhere.append(address)
            raise ConnectionRefusedError(f"test refuses {address}")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    platform = LanterneHTTP(f"http://rebind.test:{port}")
    shown = [platform.home(["w1"]) for _ in range(3)]
    platform.close()
    assert [s[0].item for s in shown] == ["w1"] * 3
    assert elsewhere == []
    assert lookups == ["rebind.test"]  # resolved once, when checked
    assert hosts == [f"rebind.test:{port}"] * 3  # the server still sees the name asked for


def test_personas_with_a_field_nested_100000_deep_is_bad_input_not_an_internal_error(
    tmp_path: Path,
) -> None:
    personas = tmp_path / "personas.json"
    personas.write_text(
        '[{"name": "p1", "history": ["a"], "notes": ' + "[" * 100_000 + "]" * 100_000 + "}]",
        "utf-8",
    )
    path = _csv(tmp_path / "c.csv", ["vod,home,p1,s1,t1,1,,,a,true"])
    for args in (
        ("audit", str(path), "--personas", str(personas)),
        ("simulate", "--url", "http://127.0.0.1:9", "--personas", str(personas), "-o", "x.jsonl"),
    ):
        done = lanterne(tmp_path, "--lang", "en", *args, **SOURCE)
        assert done.returncode == ExitCode.BAD_INPUT, done.stderr
        assert str(personas) in done.stderr and "nested too deep" in done.stderr


def test_simulate_into_a_missing_folder_is_a_clear_error(
    tmp_path: Path, loopback_server: tuple[int, list[str]]
) -> None:
    port, hosts = loopback_server
    personas = tmp_path / "personas.json"
    personas.write_text('[{"name": "p1", "history": ["w1"]}]', "utf-8")
    target = tmp_path / "missing" / "out.jsonl"
    args = ("--url", f"http://127.0.0.1:{port}", "--personas", str(personas), "-o", str(target))
    done = lanterne(tmp_path, "--lang", "en", "simulate", *args, **SOURCE)
    assert done.returncode == ExitCode.BAD_INPUT, done.stderr
    assert str(target) in done.stderr and "folder exists" in done.stderr
    assert hosts == []  # refused before any request


def test_simulate_rights_into_a_missing_folder_is_refused_before_any_request(
    tmp_path: Path, loopback_server: tuple[int, list[str]]
) -> None:
    port, hosts = loopback_server
    personas = tmp_path / "personas.json"
    personas.write_text('[{"name": "p1", "history": ["w1"]}]', "utf-8")
    rights = tmp_path / "missing" / "rights.json"
    args = ("--url", f"http://127.0.0.1:{port}", "--personas", str(personas))
    args += ("-o", str(tmp_path / "out.jsonl"), "--rights", str(rights))
    done = lanterne(tmp_path, "--lang", "en", "simulate", *args, **SOURCE)
    assert done.returncode == ExitCode.BAD_INPUT, done.stderr
    assert str(rights) in done.stderr
    assert hosts == []


def test_utf16_json_line_with_a_line_separator_in_a_title_stays_one_row(tmp_path: Path) -> None:
    # U+2028 and U+0085 are text inside a JSON string; only "\n" ends a line.
    rows = [_row(position=1, title="un\u2028deux"), _row(position=2, title="trois\x85quatre")]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path = tmp_path / "c.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    caps = read_captures([path])
    assert (caps.read, caps.n_rows, caps.rejected) == (2, 2, [])
    assert caps.titles == {"a": "un\u2028deux"}  # the first title of a work is kept
