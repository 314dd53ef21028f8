"""The exposure audit on hand-checked captures, bad input, properties, drift, the simulator."""

from __future__ import annotations

import json
import math
import random
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import lanterne
from lanterne.audit import (
    AuditConfig,
    LanterneHTTP,
    NotLoopback,
    Persona,
    Quotas,
    Weighting,
    check_loopback,
    read_captures,
    run_audit,
    simulate,
    write_jsonl,
)
from lanterne.errors import BadInput

HEADER = (
    "platform,surface,persona,session,timestamp,position,row,column,item,"
    "attr:european,attr:eof,attr:creation"
)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _fixture(tmp_path: Path) -> Path:
    # List A (persona p1): de1 EU, us1, us2 (synthetic). List B (p2): fr1 EU + EOF, de1, us3
    # (creation not given: unknown).
    return _write(
        tmp_path / "c.csv",
        [
            HEADER,
            "vod,home,p1,s1,2026-01-01T10:00,1,,,de1,true,false,human",
            "vod,home,p1,s1,2026-01-01T10:00,2,,,us1,false,false,human",
            "vod,home,p1,s1,2026-01-01T10:00,3,,,us2,false,false,synthetic",
            "vod,home,p2,s2,2026-01-01T11:00,1,,,fr1,true,true,human",
            "vod,home,p2,s2,2026-01-01T11:00,2,,,de1,true,false,human",
            "vod,home,p2,s2,2026-01-01T11:00,3,,,us3,false,false,",
        ],
    )


def test_shares_gini_and_verdicts_by_hand(tmp_path: Path) -> None:
    caps = read_captures([_fixture(tmp_path)])
    assert (caps.read, caps.n_rows, caps.n_lists) == (6, 6, 2)
    uniform = run_audit(caps, AuditConfig(weighting=Weighting(kind="uniform"), resamples=0))
    shares = {s.group: s for s in uniform.shares["all"]}
    # European slots: de1, fr1, de1 = 3 of 6. EOF: fr1 = 1 of 6.
    assert shares["european=true"].exposure.value == pytest.approx(0.5)
    assert shares["eof=true"].exposure.value == pytest.approx(1 / 6)
    assert shares["european-or-eof=true"].exposure.value == pytest.approx(0.5)
    # Log weights 1, 1/log2(3) = 0.63093, 1/2 per list (2.13093):
    #   European = 1 (list A) + 1 + 0.63093 (list B) = 2.63093 of 4.26186 → 0.61732.
    logw = run_audit(caps, AuditConfig(resamples=0))
    share = {s.group: s for s in logw.shares["home"]}["european=true"].exposure.value
    assert share == pytest.approx(2.63093 / 4.26186, abs=1e-5)
    # Exposure per item (uniform): de1 2, the four others 1 → sorted 1, 1, 1, 1, 2, total 6:
    #   Gini = 2·(1 + 2 + 3 + 4 + 10)/(5·6) − 6/5 = 40/30 − 36/30 = 2/15.
    assert uniform.exposure_gini == pytest.approx(2 / 15)
    # Synthetic or unknown creation: us2 (synthetic) + us3 (unknown) = 2 of 6.
    assert uniform.synthetic_or_unknown.value == pytest.approx(2 / 6)
    verdicts = {v.rule: v for v in uniform.verdicts}
    assert verdicts["home-european-or-eof"].verdict == "met"  # 0.5 ≥ 0.5
    strict = run_audit(
        caps, AuditConfig(weighting=Weighting(kind="uniform"), resamples=0, quotas=Quotas(home=0.6))
    )
    assert {v.rule: v for v in strict.verdicts}["home-european-or-eof"].verdict == "not met"
    assert verdicts["catalogue-european"].verdict == "no data"


def test_catalogue_quota_from_the_platform_catalogue(tmp_path: Path) -> None:
    caps = read_captures([_fixture(tmp_path)])
    catalogue = {
        "de1": {"european": {"true"}, "eof": {"false"}},
        "fr1": {"european": {"true"}, "eof": {"true"}},
        "us1": {"european": {"false"}, "eof": {"false"}},
        "us2": {"european": {"false"}},
        "us3": {"european": {"false"}},
        "it1": {"european": {"true"}},  # offered, never shown
        "es1": {"european": {"true"}},
        "pt1": {"european": {"true"}},
    }
    report = run_audit(caps, AuditConfig(resamples=0), catalogue_items=catalogue)
    shares = {s.group: s for s in report.shares["all"]}
    assert shares["european=true"].catalogue == pytest.approx(5 / 8)
    assert shares["eof=true"].catalogue == pytest.approx(1 / 3)  # known for 3 works
    verdicts = {v.rule: v.verdict for v in report.verdicts}
    assert verdicts["catalogue-european"] == "met" and verdicts["catalogue-eof"] == "not met"
    assert report.coverage == pytest.approx(5 / 8)


def test_bad_rows_are_rejected_with_reasons_and_counts_add_up(tmp_path: Path) -> None:
    csv_file = _write(
        tmp_path / "bad.csv",
        [
            HEADER,
            "vod,home,p1,s1,t1,1,,,a,true,,",
            "vod,home,p1,s1,t1,1,,,b,true,,",  # position taken
            "vod,home,p1,s1,t1,zéro,,,c,true,,",  # not a number
            "vod,home,p1,s1,t1,0,,,c,true,,",  # positions start at 1
            "vod,home,,s1,t1,2,,,c,true,,",  # no persona
            "vod,home,p1,s1,t1,3,,,d,true,,,extra",
        ],
    )
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"platform": "vod"\n[1, 2]\n' + json.dumps({
        "platform": "vod", "surface": "home", "persona": "p1", "session": "s1",
        "timestamp": "t2", "position": 1, "item": "e", "attributes": {"european": "false"},
    }) + "\n", "utf-8")  # fmt: skip
    caps = read_captures([csv_file, jsonl])
    assert caps.read == 9
    assert caps.n_rows == 2
    assert caps.read == caps.n_rows + len(caps.rejected)
    fields = sorted((Path(r.file).name, r.line, r.field) for r in caps.rejected)
    assert fields == [
        ("bad.csv", 3, "position"),
        ("bad.csv", 4, "position"),
        ("bad.csv", 5, "position"),
        ("bad.csv", 6, "persona"),
        ("bad.csv", 7, "(line)"),
        ("bad.jsonl", 1, "(line)"),
        ("bad.jsonl", 2, "(line)"),
    ]
    with pytest.raises(BadInput):
        read_captures([_write(tmp_path / "cols.csv", ["platform,item", "vod,a"])])


def _random_captures(tmp_path: Path, seed: int, lists: int, k: int) -> Path:
    rng = random.Random(seed)
    lines = [HEADER]
    for n in range(lists):
        for p in range(1, k + 1):
            item = f"w{rng.randrange(30)}"
            eu = "true" if int(item[1:]) % 3 == 0 else "false"
            day = f"2026-01-{1 + n % 20:02d}T10:00"
            lines.append(f"vod,home,p{n % 7},s{n},{day},{p},,,{item},{eu},false,human")
    return _write(tmp_path / f"r{seed}.csv", lines)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), lists=st.integers(1, 40), k=st.integers(1, 8))
def test_properties(
    tmp_path_factory: pytest.TempPathFactory, seed: int, lists: int, k: int
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    path = _random_captures(folder, seed, lists, k)
    report = run_audit(read_captures([path]), AuditConfig(resamples=50, seed=1))
    shares = {s.group: s for s in report.shares["all"]}
    eu = shares["european=true"].exposure
    assert eu is not None
    assert 0.0 <= eu.low <= eu.value + 1e-12 and eu.value <= eu.high + 1e-12 and eu.high <= 1.0
    assert 0.0 <= report.exposure_gini <= 1.0
    # Shares of a group and its complement sum to 1 (every item's attribute is known).
    complement = (
        run_audit(read_captures([path]), AuditConfig(resamples=0, groups=("european=false",)))
        .shares["all"][0]
        .exposure
    )
    assert complement is not None
    assert eu.value + complement.value == pytest.approx(1.0)
    # Reordering rows (and lists) changes nothing.
    lines = path.read_text("utf-8").splitlines()
    body = lines[1:]
    random.Random(seed).shuffle(body)
    shuffled = _write(folder / "shuffled.csv", [lines[0], *body])
    again = run_audit(read_captures([shuffled]), AuditConfig(resamples=0))
    same = run_audit(read_captures([path]), AuditConfig(resamples=0))
    # (francophone and independent are unknown here: no data, None, in both.)
    assert {s.group: s.exposure and s.exposure.value for s in again.shares["all"]} == {
        s.group: s.exposure and pytest.approx(s.exposure.value) for s in same.shares["all"]
    }
    assert again.exposure_gini == pytest.approx(same.exposure_gini)


def test_drift_against_controls(tmp_path: Path) -> None:
    # 20 treated personas lose one European slot of 10 per session (5 sessions: 50 % → 10 %);
    # 20 controls stay at 50 %. Uniform weights: slope −0.1 per session for the treated.
    lines = [HEADER.replace(",attr:creation", ",group")]
    for p in range(40):
        group = "control" if p < 20 else "treated"
        for s in range(5):
            eu = 5 if group == "control" else 5 - s
            for pos in range(1, 11):
                flag = "true" if pos <= eu else "false"
                stamp = f"2026-01-0{s + 1}T10:00:{p:02d}"
                row = f"{stamp},{pos},,,w{pos}-{flag},{flag},false,{group}"
                lines.append(f"vod,home,p{p},p{p}s{s},{row}")
    caps = read_captures([_write(tmp_path / "drift.csv", lines)])
    report = run_audit(
        caps, AuditConfig(weighting=Weighting(kind="uniform"), resamples=200, permutations=200)
    )
    drift = {d.metric: d for d in report.drift}["european=true"]
    assert drift.slope.value == pytest.approx(-0.1)
    assert drift.control_slope is not None and drift.control_slope.value == pytest.approx(0.0)
    assert drift.p_value is not None and drift.p_value < 0.01
    assert drift.by_session == pytest.approx([0.5, 0.4, 0.3, 0.2, 0.1])
    assert report.unit == "persona"


def test_simulator_refuses_other_hosts() -> None:
    check_loopback("http://127.0.0.1:8000")
    with pytest.raises(NotLoopback):
        check_loopback("http://192.0.2.1:8000")


def _dataset(folder: Path) -> Path:
    rng = np.random.default_rng(1)
    lines = ["user,item"]
    for u in range(300):
        for i in range(200):
            european = i % 4 == 0
            if rng.random() < (0.3 if i % 5 == u % 5 else 0.02) * (0.3 if european else 1):
                lines.append(f"u{u},w{i}")
    (folder / "i.csv").write_text("\n".join(lines) + "\n", "utf-8")
    attrs = ["item,attribute,value"]
    for i in range(200):
        attrs += [f"w{i},genre,g{i % 5}", f"w{i},european,{'true' if i % 4 == 0 else 'false'}"]
        attrs.append(f"w{i},eof,{'true' if i % 8 == 0 else 'false'}")
    (folder / "a.csv").write_text("\n".join(attrs) + "\n", "utf-8")
    config = folder / "c.json"
    config.write_text(json.dumps({
        "name": "t", "interactions": "i.csv", "attributes": "a.csv",
        "models": [{"name": "ease", "model": "ease", "params": {"lambda": 10}}],
    }), "utf-8")  # fmt: skip
    return config


def test_fifty_personas_against_lanterne_with_and_without_goals(tmp_path: Path) -> None:
    import uvicorn

    from lanterne.recommend._service import dataset_service
    from lanterne.web import create_app

    app = create_app(dataset_service(_dataset(tmp_path)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        personas = [
            Persona(
                name=f"p{n}",
                history=[f"w{(n % 5) + 5 * j + 1}" for j in range(3)],
                group="control" if n < 10 else "treated",
                taste={"genre": f"g{n % 5}"},
            )
            for n in range(50)
        ]
        verdicts = {}
        grid = AuditConfig(weighting=Weighting(kind="grid"), resamples=200, quotas=Quotas(home=0.6))
        for label, goals in (("plain", ()), ("goals", ("european=true:0.6",))):
            platform = LanterneHTTP(f"http://127.0.0.1:{port}", goals=goals, surface="grid")
            rows = write_jsonl(
                simulate(platform, personas, sessions=4), tmp_path / f"{label}.jsonl"
            )
            platform.close()
            assert rows == 50 * 4 * 10
            report = run_audit(read_captures([tmp_path / f"{label}.jsonl"]), grid)
            verdicts[label] = {v.rule: v for v in report.verdicts}["home-european-or-eof"]
        assert verdicts["plain"].verdict == "not met"
        assert verdicts["goals"].verdict == "met"
        assert verdicts["goals"].value is not None and verdicts["goals"].value.low >= 0.6
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_cli_audit_formats(tmp_path: Path) -> None:
    path = _fixture(tmp_path)
    done = lanterne(tmp_path, "audit", str(path), "--format", "json", "--resamples", "100")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["lists"] == 2 and report["summary"]["fr"]
    text = lanterne(tmp_path, "--lang", "en", "audit", str(path))
    assert text.returncode == 0 and "European works" in text.stdout
    page = lanterne(
        tmp_path, "audit", str(path), "--format", "html", "-o", str(tmp_path / "a.html")
    )
    assert page.returncode == 0
    content = (tmp_path / "a.html").read_text("utf-8")
    assert content.count("<svg") >= 2 and 'lang="fr"' in content
    schema = json.loads(lanterne(tmp_path, "audit", "--schema").stdout)
    assert "position" in json.dumps(schema)
    missing = lanterne(tmp_path, "audit", str(tmp_path / "none.csv"))
    assert missing.returncode == 3 and "Traceback" not in missing.stderr
    assert not math.isnan(report["exposure_gini"])


def test_gaps_on_the_demo_catalogue(tmp_path: Path) -> None:
    assert lanterne(tmp_path, "demo", "--no-serve").returncode == 0
    found = json.loads(lanterne(tmp_path, "search", "jazz", "--json", "--limit", "5").stdout)
    ids = [h["id"] for h in (found.get("hits") or found.get("results"))]
    platform = _write(tmp_path / "vod.csv", ["item", *ids])
    done = lanterne(tmp_path, "gaps", "--platform", f"vod={platform}", "--json")
    assert done.returncode == 0, done.stderr
    gaps = json.loads(done.stdout)
    # The demo's 644 works carry no online offer: only the 5 listed by the platform are available.
    assert gaps["works"] == 644 and gaps["available"] == 5 and gaps["missing"] == 639
    assert gaps["by_platform"] == {"vod": 5}
    assert sum(gaps["missing_by_type"].values()) == 639
    assert gaps["missing_by_language"].get("fr") == 639
    text = lanterne(tmp_path, "--lang", "en", "gaps")
    assert "Works with no online offer: 644 / 644" in text.stdout


def test_miscalibration_against_the_persona_history(tmp_path: Path) -> None:
    # p1 started from a drama (h1); it was shown one drama and one comedy, uniform weights:
    # p = (comedy 0, drama 1), q = (0.5, 0.5), q̃(drama) = 0.99·0.5 + 0.01·1 = 0.505:
    # KL = ln(1/0.505) = 0.68320.
    path = _write(
        tmp_path / "g.csv",
        [
            "platform,surface,persona,session,timestamp,position,item,attr:genre",
            "vod,home,p1,s1,t1,1,d1,drame",
            "vod,home,p1,s1,t1,2,c1,comédie",
        ],
    )
    report = run_audit(
        read_captures([path]),
        AuditConfig(weighting=Weighting(kind="uniform"), resamples=0),
        catalogue_items={"h1": {"genre": {"drame"}}},
        histories={"p1": ["h1"]},
    )
    assert report.miscalibration is not None
    assert report.miscalibration.value == pytest.approx(math.log(1 / 0.505))
    assert report.intra_list_diversity == pytest.approx(1.0)  # two works, no genre in common


def test_attributes_come_from_the_catalogue_when_the_capture_has_none(tmp_path: Path) -> None:
    assert lanterne(tmp_path, "demo", "--no-serve").returncode == 0
    found = json.loads(lanterne(tmp_path, "search", "festival", "--json", "--limit", "3").stdout)
    ids = [h["id"] for h in (found.get("hits") or found.get("results"))]
    rows = ["platform,surface,persona,session,timestamp,position,item"]
    rows += [f"vod,home,p1,s1,t1,{n + 1},{i}" for n, i in enumerate(ids)]
    path = _write(tmp_path / "ids.csv", rows)
    done = lanterne(tmp_path, "audit", str(path), "--format", "json", "--resamples", "0")
    assert done.returncode == 0, done.stderr
    shares = {s["group"]: s for s in json.loads(done.stdout)["shares"]["all"]}
    # The demo's festivals are French: European, known for every slot.
    assert shares["european=true"]["exposure"]["value"] == pytest.approx(1.0)
    assert shares["european=true"]["known"] == pytest.approx(1.0)


def test_pdf_report(tmp_path: Path) -> None:
    import shutil

    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (make browser installs it)")
    pdf = tmp_path / "a.pdf"
    done = lanterne(tmp_path, "audit", str(_fixture(tmp_path)), "--format", "pdf", "-o", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_genre_entropy_drift(tmp_path: Path) -> None:
    # Each persona sees drama + comedy in session 1 (1 bit), drama only in session 2 (0 bit).
    rows = ["platform,surface,persona,session,timestamp,position,item,attr:genre"]
    for p in range(3):
        rows += [
            f"vod,home,p{p},p{p}a,2026-01-01T10:0{p},1,d1,drame",
            f"vod,home,p{p},p{p}a,2026-01-01T10:0{p},2,c1,comédie",
            f"vod,home,p{p},p{p}b,2026-01-02T10:0{p},1,d1,drame",
            f"vod,home,p{p},p{p}b,2026-01-02T10:0{p},2,d2,drame",
        ]
    report = run_audit(
        read_captures([_write(tmp_path / "e.csv", rows)]),
        AuditConfig(weighting=Weighting(kind="uniform"), resamples=50),
    )
    drift = {d.metric: d for d in report.drift}["genre-entropy"]
    assert drift.by_session == pytest.approx([1.0, 0.0])
    assert drift.slope.value == pytest.approx(-1.0)


def test_committed_capture_schema_is_current() -> None:
    from lanterne.audit import capture_schema

    committed = Path(__file__).resolve().parents[1] / "docs" / "schema" / "capture.schema.json"
    assert json.loads(committed.read_text("utf-8")) == capture_schema(), (
        "run: lanterne audit --schema > docs/schema/capture.schema.json"
    )


def test_cli_platform_catalogue_file(tmp_path: Path) -> None:
    path = _fixture(tmp_path)
    offer = _write(
        tmp_path / "offer.csv",
        ["item,attribute,value", "de1,european,true", "fr1,european,true", "us1,european,false"],
    )
    done = lanterne(
        tmp_path, "audit", str(path), "--platform-catalogue", str(offer), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    shares = {s["group"]: s for s in json.loads(done.stdout)["shares"]["all"]}
    assert shares["european=true"]["catalogue"] == pytest.approx(2 / 3)
    missing = lanterne(
        tmp_path, "audit", str(path), "--platform-catalogue", str(tmp_path / "no.csv")
    )
    assert (
        missing.returncode == 3 and "no.csv" in missing.stderr and "Traceback" not in missing.stderr
    )
