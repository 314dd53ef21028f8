"""The outside tester's hostile run, replayed end to end: every attack of the hardening issue
against the real ``lanterne`` command (subprocesses) and a real ``lanterne serve`` on loopback.

Each attack checks what a user would see (no 5xx, no internal error, no traceback, a clear
message) and the store: read = stored + quarantined for every run, and — at the end — every
work that was in the catalogue before the attacks is exactly as it was. The unit tests of each
fix live beside its code (tests/test_web_hardening.py, test_readers.py, test_csv_blocks.py,
test_jsonld_bounds.py, test_url_schemes.py, test_terminal_output.py, test_audit_hostile.py,
test_search_hostile.py, test_catalogue_*): this file is the hostile run as a whole.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers import lanterne

TOKEN = "jeton-hostile-3c9e"
INTERNAL = ("Traceback", "Erreur interne", "Internal error", "unexpected internal")

PROFILE = """
name = "hostile"
version = 1
source = "hostile"
[reader]
format = "csv"
delimiter = ","
[record]
id = "id"
type = "Book"
[defaults]
text_language = "fr"
[[map]]
to = "title"
from = ["title"]
required = true
[[map]]
to = "url"
from = ["url"]
[[map]]
to = "media.image"
from = ["image"]
[[map]]
to = "offer.url"
from = ["offer"]
category = "free"
[[map]]
to = "rights.licence"
from = ["licence"]
"""


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    """No internal error reached the user, whatever the exit code."""
    assert done.returncode != 1, done.stderr
    for needle in INTERNAL:
        assert needle not in done.stderr and needle not in done.stdout, done.stderr


def _summary(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    _clean(done)
    summary: dict[str, Any] = json.loads(done.stdout)
    assert summary["read"] == (
        summary["created"] + summary["updated"] + summary["unchanged"] + summary["quarantined"]
    )
    return summary


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo catalogue, a snapshot of its works, and a real server on it (with a token)."""
    folder = tmp_path_factory.mktemp("hostile")
    done = lanterne(folder, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    (folder / "hostile.toml").write_text(PROFILE, "utf-8")
    before = _works(folder)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{
            k: os.environ[k]
            for k in ("PATH", "PYTHONPATH", "LANTERNE_PURE_PYTHON", "LANTERNE_ENCODER_IDLE")
            if k in os.environ
        },
        "LANG": "C.UTF-8",
        "LANTERNE_CATALOGUE": str(folder / "c.sqlite"),
        "LANTERNE_LOG_DIR": str(folder / "log"),
        "LANTERNE_TOKEN": TOKEN,
        "LANTERNE_UPLOAD_MAX": str(2 * 1024 * 1024),
    }
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "lanterne", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.3)
    try:
        yield {"folder": folder, "base": base, "before": before, "log": folder / "server.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _works(folder: Path) -> dict[str, str]:
    """Every stored work's document, by id (read through the catalogue API)."""
    from lanterne.catalogue import open_catalogue

    with open_catalogue(folder / "c.sqlite") as catalogue:
        return {w.id: json.dumps(_plain(w), sort_keys=True) for w in catalogue.iter_works()}


def _plain(work: Any) -> Any:
    import msgspec

    return msgspec.to_builtins(work)


def _csv(folder: Path, name: str, rows: list[list[str]], raw: bytes | None = None) -> Path:
    import csv
    import io

    path = folder / name
    if raw is not None:
        path.write_bytes(raw)
        return path
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "title", "url", "image", "offer", "licence"])
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return path


def _ingest(site: dict[str, Any], path: Path, *extra: str) -> dict[str, Any]:
    folder = site["folder"]
    done = lanterne(
        folder, "ingest", str(path), "--profile", str(folder / "hostile.toml"), "--json", *extra
    )
    return _summary(done)


def _secured(answer: httpx.Response) -> None:
    assert answer.status_code < 500, answer.text[:500]
    headers = answer.headers
    assert "frame-ancestors" in headers.get("content-security-policy", "")
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy")


# 1, 14, 18a: uploads -------------------------------------------------------------------------


def test_uploads_without_token_too_big_or_badly_named(site: dict[str, Any]) -> None:
    base = site["base"]
    big = b"id,title\n" + b"x" * (3 * 1024 * 1024)
    anonymous = httpx.post(
        base + "/api/ingest",
        files={"file": ("a.csv", big, "text/csv")},
        data={"profile": "festivals-france"},
    )
    assert anonymous.status_code == 401
    _secured(anonymous)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    oversized = httpx.post(
        base + "/api/ingest",
        headers=bearer,
        files={"file": ("a.csv", big, "text/csv")},
        data={"profile": "festivals-france"},
    )
    assert oversized.status_code == 413 and oversized.json()["error"]
    _secured(oversized)
    for name in ("..", "a/..", "../x.csv", "n" * 300):
        answer = httpx.post(
            base + "/api/ingest",
            headers=bearer,
            files={"file": (name, b"id,title\n1,a\n", "text/csv")},
            data={"profile": "festivals-france"},
        )
        assert answer.status_code == 400, (name, answer.status_code, answer.text[:300])
        _secured(answer)
    # An upload refused on its content names the file as sent, never the server's folder.
    refused = httpx.post(
        base + "/api/ingest",
        headers=bearer,
        files={"file": ("export.csv", b"\x00\x01 nothing useful\n", "text/csv")},
        data={"profile": "festivals-france"},
    )
    assert refused.status_code < 500
    assert "/tmp" not in refused.text and "export.csv" in refused.text


# 2: encoding ---------------------------------------------------------------------------------


def test_stray_latin1_byte_quarantines_its_record_and_keeps_every_accent(
    site: dict[str, Any],
) -> None:
    folder = site["folder"]
    lines = [b"id,title,url,image,offer,licence\n"]
    lines += [f"enc{i},Les Misérables {i},,,,\n".encode() for i in range(50)]
    lines.append(b"enc-bad,Caf\xe9 cr\xe8me,,,,\n")
    summary = _ingest(site, _csv(folder, "stray.csv", [], raw=b"".join(lines)))
    assert (summary["created"], summary["quarantined"]) == (50, 1)
    shown = json.loads(lanterne(folder, "show", "hostile:enc7", "--format", "profile").stdout)
    assert shown["titles"][0]["value"] == "Les Misérables 7"


# 4, 11: JSON-LD graphs and deep JSON ---------------------------------------------------------


def test_exponential_jsonld_and_10000_deep_json_are_quarantined_not_fatal(
    site: dict[str, Any],
) -> None:
    folder = site["folder"]
    nodes = [
        {
            "@id": f"n{i}",
            "@type": "Thing",
            "about": {"@id": f"n{i + 1}"},
            "subjectOf": {"@id": f"n{i + 1}"},
        }
        for i in range(25)
    ]
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@id": "ev1", "@type": "Event", "name": "Graphe", "startDate": "2026-07-14",
             "about": {"@id": "n0"}},
            *nodes,
        ],
    }  # fmt: skip
    (folder / "graph.jsonld").write_text(json.dumps(graph), "utf-8")
    jsonld_profile = (
        'name = "graphe"\nversion = 1\nsource = "hostile"\n[reader]\nformat = "jsonld"\n'
        'types = ["Event"]\n[record]\nid = "@id"\ntype = "Event"\n'
    )
    (folder / "graph.toml").write_text(jsonld_profile, "utf-8")
    started = time.monotonic()
    done = lanterne(
        folder, "ingest", str(folder / "graph.jsonld"), "--profile", str(folder / "graph.toml"),
        "--json",
    )  # fmt: skip
    summary = _summary(done)
    assert summary["quarantined"] >= 1
    assert time.monotonic() - started < 120, "a 2 KB graph must not cost minutes"
    (folder / "deep.json").write_text(
        "[" + json.dumps({"id": "ok", "title": "Fine"}) + ", " + "[" * 10_000 + "]" * 10_000 + "]",
        "utf-8",
    )
    deep_profile = PROFILE.replace('format = "csv"\ndelimiter = ","', 'format = "json"')
    (folder / "deep.toml").write_text(deep_profile, "utf-8")
    done = lanterne(
        folder,
        "ingest",
        str(folder / "deep.json"),
        "--profile",
        str(folder / "deep.toml"),
        "--json",
    )
    summary = _summary(done)
    assert (summary["created"], summary["quarantined"]) == (1, 1)
    runs = json.loads(lanterne(folder, "runs", "--json").stdout)
    assert runs[0]["status"] != "interrupted"


# 5, 17: search strings and terminal escapes --------------------------------------------------


HOSTILE_QUERIES = ["AND", "or", "NOT", "in", "a NOT", "' OR 1=1 --", 'titre:"x', "(((", "*", "\\"]


def test_query_syntax_is_data_on_the_api_the_page_and_the_command(site: dict[str, Any]) -> None:
    base, folder = site["base"], site["folder"]
    for q in HOSTILE_QUERIES:
        for path in ("/api/search", "/recherche"):
            answer = httpx.get(base + path, params={"q": q})
            _secured(answer)
        done = lanterne(folder, "search", q, "--json")
        _clean(done)
        assert done.returncode == 0, (q, done.stderr)


def test_escape_sequences_in_titles_never_reach_the_terminal(site: dict[str, Any]) -> None:
    folder = site["folder"]
    title = "Titre \x1b]0;pwned\x07 \x1b[2J effacé \u202eevil"
    _ingest(site, _csv(folder, "escapes.csv", [["esc1", title, "", "", "", ""]]))
    raw = subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", str(folder / "c.sqlite"), "search",
         "effacé", "--mode", "lexical"],
        capture_output=True,
        env={**os.environ, "LANTERNE_LOG_DIR": str(folder / "log")},
        check=False,
    )  # fmt: skip
    assert raw.returncode == 0
    assert b"\x1b" not in raw.stdout and b"\x07" not in raw.stdout
    assert "\u202e".encode() not in raw.stdout


# 6, 12: what pages render --------------------------------------------------------------------


def test_hostile_titles_and_links_on_the_work_page(site: dict[str, Any]) -> None:
    folder, base = site["folder"], site["base"]
    summary = _ingest(
        site,
        _csv(
            folder,
            "links.csv",
            [
                [
                    "page1",
                    "Fin <!--<script> & </script> début",
                    "javascript:alert(1)",
                    "data:text/html,x",
                    " JaVaScRiPt:alert(2)",
                    "vbscript:x",
                ],
            ],
        ),
    )
    assert summary["created"] == 1
    # The server brings its index up to date from the change log on its own.
    deadline = time.monotonic() + 120
    while True:
        page = httpx.get(base + "/oeuvre/hostile:page1")
        if page.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert page.status_code == 200
    _secured(page)
    text = page.text
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert f'href="{scheme}' not in text.lower() and f'src="{scheme}' not in text.lower()
    start = text.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    embedded = json.loads(text[start : text.index("</script>", start)])
    name = embedded["name"]
    assert (name["@value"] if isinstance(name, dict) else name) == (
        "Fin <!--<script> & </script> début"
    )
    assert "</footer>" in text[start:], "the rest of the page was blanked"


# 7: a quoted field over many lines -----------------------------------------------------------


def test_quoted_field_over_many_lines_reads_in_linear_time(site: dict[str, Any]) -> None:
    folder = site["folder"]
    long = "\n".join(f"ligne {i} d'une description sans fin" for i in range(120_000))
    path = _csv(
        folder,
        "long.csv",
        [["long1", "Long", "", "", "", ""], ["long2", long[:50], "", "", "", ""]],
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'long3,"{long}",,,,\n')
    started = time.monotonic()
    summary = _ingest(site, path, "--workers", "2")
    # The 4.4 MB title is read whole, then refused as longer than a text may be.
    assert (summary["read"], summary["created"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.too_long": 1}
    # About 5 MB: minutes meant a re-read per block (a guard, not a measurement).
    assert time.monotonic() - started < 240


# 9, 10: captures -----------------------------------------------------------------------------


def test_hostile_captures_reject_their_rows_and_keep_the_rest(site: dict[str, Any]) -> None:
    folder = site["folder"]
    good = {
        "platform": "p", "surface": "home", "persona": "a", "session": "s1",
        "timestamp": "2026-01-01T00:00:00+00:00", "item": "festivals-france:FEST_37011_550",
    }  # fmt: skip
    rows = [
        {**good, "position": 1},
        {**good, "position": 5_000_000},
        {**good, "position": 2**63},
        {**good, "position": 2, "row": 10**20},
        {**good, "position": 3},
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n"
    (folder / "caps.jsonl").write_text(text, "utf-8")
    (folder / "caps16.jsonl").write_bytes(
        "\n".join(json.dumps({**good, "position": i}, ensure_ascii=False) for i in (1, 2)).encode(
            "utf-16"
        )
    )
    latin = "platform,surface,persona,session,timestamp,item,position,title\n"
    latin += "p,home,b,s1,2026-01-01T00:00:00+00:00,festivals-france:FEST_37011_550,1,Télé\n"
    (folder / "caps.csv").write_bytes(latin.encode("latin-1"))
    started = time.monotonic()
    done = lanterne(
        folder, "audit", str(folder / "caps.jsonl"), str(folder / "caps16.jsonl"),
        str(folder / "caps.csv"), "--format", "json", "--resamples", "20",
    )  # fmt: skip
    _clean(done)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert time.monotonic() - started < 120
    assert len(done.stdout) < 5_000_000, "a position of 5,000,000 must not size the report"
    counts = report.get("captures") or report.get("input") or {}
    text_report = json.dumps(report)
    assert (
        "LANTERNE_AUDIT_MAX_POSITION" in done.stderr or "LANTERNE_AUDIT_MAX_POSITION" in text_report
    )
    if counts:
        assert counts["read"] == counts["used"] + counts["rejected"]


# 13: a 500 still carries the security headers ------------------------------------------------


def test_server_error_answer_carries_the_security_headers(tmp_path: Path) -> None:
    from lanterne.web import Site, create_app
    from web_helpers import Client

    (tmp_path / "folder.sqlite").mkdir()  # a catalogue path that is a folder: SQLite cannot open it
    client = Client(create_app(Site(tmp_path / "folder.sqlite", token=TOKEN)))
    answer = client.get("/api/search?q=jazz")
    assert answer.status_code >= 500
    assert "frame-ancestors" in answer.headers.get("content-security-policy", "")
    assert answer.headers.get("x-content-type-options") == "nosniff"
    assert str(tmp_path) not in answer.text


# 18c: the simulator off loopback -------------------------------------------------------------


def test_simulate_off_loopback_is_a_clear_refusal(site: dict[str, Any]) -> None:
    folder = site["folder"]
    (folder / "personas.json").write_text('[{"name": "a", "history": []}]', "utf-8")
    done = lanterne(
        folder, "simulate", "--url", "http://192.0.2.1:8000", "--personas",
        str(folder / "personas.json"), "-o", str(folder / "out.jsonl"),
    )  # fmt: skip
    _clean(done)
    assert done.returncode == 2 and "192.0.2.1" in done.stderr


# At the end: nothing silently changed --------------------------------------------------------


def test_zz_no_stored_work_changed_and_every_run_adds_up(site: dict[str, Any]) -> None:
    folder = site["folder"]
    after = _works(folder)
    before = site["before"]
    changed = [i for i, doc in before.items() if after.get(i) != doc]
    assert changed == [], f"{len(changed)} works changed silently, e.g. {changed[:3]}"
    added = set(after) - set(before)
    assert all(i.startswith("hostile:") for i in added), sorted(added)[:5]
    for run in json.loads(lanterne(folder, "runs", "--json", "--limit", "100").stdout):
        if run["status"] == "completed":
            n = run["summary"]
            assert n["read"] == n["created"] + n["updated"] + n["unchanged"] + n["quarantined"], run
    log = site["log"].read_text("utf-8", "replace")
    assert "Traceback" not in log, log[-3000:]
