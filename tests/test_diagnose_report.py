"""The catalogue report: hand-checked counts, JSON, HTML, the CLI, and real headless Chromium."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from helpers import lanterne
from lanterne.diagnose._render import chromium, render_html, screenshot, write_pdf
from lanterne.diagnose._report import CatalogueReport, build_report
from lanterne.profile import Work

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def make(number: int, **fields: Any) -> Work:
    base: dict[str, Any] = {
        "id": f"t:{number}",
        "type": "Painting",
        "titles": [{"value": f"Œuvre {number}", "lang": "fr"}],
        "provenance": {"source": "musée", "source_id": str(number)},
    }
    base.update(fields)
    return msgspec.convert(base, Work)


def three() -> list[Work]:
    image = {"kind": "image", "url": "https://x/a.jpg", "width": 1200, "height": 800}
    return [
        make(1),
        make(2, rights={"licence": CC_BY}, media=[image]),
        make(
            3,
            type="Festival",
            provenance={"source": "festivals", "source_id": "3"},
            events=[{"start": "2026-07-14T20:00:00+02:00"}],
        ),
    ]


def test_report_counts_add_up_on_a_hand_checked_catalogue() -> None:
    report = build_report(three(), "/somewhere/c.sqlite")
    assert report.records == 3
    # Scores, from the rules that apply (docs/diagnosis.md):
    # 1: title_fr only, of title_fr 10, texts_tagged 8, description 10, description_fr 5,
    #    work_identifier 10, licence 8, image 8, dates 8, offer 8 = 75 → 18 / 75 → 24.
    # 2: + licence 8 + image 8 + image_size 4 (now applies) → 38 / 79 → 48.
    # 3: title, tagged, dates → 26 / 75 → 35.
    assert sorted(report.score_histogram[i] for i in (2, 3, 4)) == [1, 1, 1]
    assert sum(report.score_histogram) == 3
    assert report.score_mean == round((24 + 48 + 35) / 3, 1)
    # Europeana takes no events: content tier n/a for the festival; the bare painting is 0, the
    # one with a 0.96 MP CC BY image is 4.
    assert report.content_tiers == {"0": 1, "4": 1, "n/a": 1}
    assert report.rich_results["Event"].total == 1
    assert report.rich_results["Event"].eligible == 0  # no place
    assert report.artsdata.total == 1 and report.artsdata.eligible == 0
    assert set(report.by_source) == {"musée", "festivals"}
    assert report.by_source["musée"].records == 2
    assert report.by_type["Festival"].records == 1
    # Every record lacks an offer with a link: the fix lifts all three.
    offer = next(f for f in report.top_fixes if f.fix == "add_offer")
    assert offer.records == 3
    assert sum(report.failed_rules.values()) >= 3
    assert [line.work_id for line in report.worst] == ["t:1", "t:3", "t:2"]
    # JSON round trip: the report is data.
    again = msgspec.json.decode(msgspec.json.encode(report), type=CatalogueReport)
    assert again == report


def test_html_report_in_both_languages() -> None:
    report = build_report(three(), "/somewhere/c.sqlite")
    fr = render_html(report, "fr")
    assert '<html lang="fr">' in fr and "Diagnostic de découvrabilité" in fr
    assert "/somewhere" not in fr  # the page names the file, not the machine's folders
    assert fr.count("<svg") == 5 and fr.count('role="img"') == 5
    assert fr.count("<table>") >= 8  # every chart's figures are also in a table
    en = render_html(report, "en")
    assert '<html lang="en">' in en and "The ten fixes that lift the most records" in en
    assert "ajoutez" not in en


def test_breakdown_rows_are_named_not_coded() -> None:
    # The tables by type and territory showed the stored codes: « CreativeWork », « FR-PAC ».
    region = {"territories": [{"level": "region", "code": "FR-PAC"}]}
    works = [
        *three(),
        make(4, type="CreativeWork", diversity=region),
        make(5, diversity={"countries": ["BE"]}),
    ]
    report = build_report(works, "c.sqlite")
    assert set(report.by_territory) == {"FR-PAC", "BE", "?"}
    fr = render_html(report, "fr")
    rows = [html.unescape(r.split("</th>")[0]) for r in fr.split('<th scope="row">')[1:]]
    assert {"Peinture", "Festival", "Œuvre ou objet"} <= set(rows)
    assert "Provence-Alpes-Côte d'Azur (FR-PAC)" in rows and "Territoire non renseigné" in rows
    assert "Belgique (BE)" in rows
    assert "CreativeWork" not in rows and "Painting" not in rows
    en = render_html(report, "en")
    rows = [html.unescape(r.split("</th>")[0]) for r in en.split('<th scope="row">')[1:]]
    assert {"Painting", "Work or object", "No territory given", "Belgium (BE)"} <= set(rows)


requires_chromium = pytest.mark.skipif(
    chromium() is None, reason="Debian's chromium is not installed (make test installs it)"
)


@requires_chromium
def test_chromium_renders_the_report_to_png_and_pdf(tmp_path: Path) -> None:
    report = build_report(three(), "c.sqlite")
    page = tmp_path / "report.html"
    page.write_text(render_html(report), "utf-8")
    png = tmp_path / "report.png"
    screenshot(page, png, 1000, 1400)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a drawn page, not a blank one
    pdf = tmp_path / "report.pdf"
    write_pdf(page.read_text("utf-8"), pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("diag")
    done = lanterne(tmp, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    return tmp


def test_cli_text_json_html_and_one_work(demo: Path) -> None:
    text = lanterne(demo, "diagnose")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Notices : ")
    assert "Corrections les plus utiles" in text.stdout
    english = lanterne(demo, "--lang", "en", "diagnose")
    assert english.stdout.startswith("Records: ")

    done = lanterne(demo, "diagnose", "--format", "json", "--source", "joconde")
    report = json.loads(done.stdout)
    stats = json.loads(lanterne(demo, "stats", "--json", "--source", "joconde").stdout)
    assert report["records"] == stats["works"]
    assert sum(report["score_histogram"]) == report["records"]
    assert set(report["by_source"]) == {"joconde"}

    out = demo / "r.html"
    html = lanterne(demo, "diagnose", "--format", "html", "-o", str(out))
    assert html.returncode == 0 and out.is_file() and str(out) in html.stdout

    worst = report["worst"][0]["work_id"]
    one = lanterne(demo, "diagnose", "--work", worst)
    assert one.returncode == 0 and "meilleure action" in one.stdout
    as_json = json.loads(lanterne(demo, "diagnose", "--work", worst, "--format", "json").stdout)
    assert as_json["work_id"] == worst and as_json["next_action"]["fix"]


def test_cli_errors_say_what_to_do(demo: Path, tmp_path: Path) -> None:
    empty = lanterne(tmp_path, "diagnose")
    assert empty.returncode == 3
    assert "Importez d'abord un catalogue" in empty.stderr and "Traceback" not in empty.stderr
    missing = lanterne(demo, "diagnose", "--work", "nope:1")
    assert missing.returncode == 3
    no_browser = lanterne(
        demo,
        "diagnose",
        "--format",
        "pdf",
        "-o",
        str(tmp_path / "r.pdf"),
        LANTERNE_CHROMIUM="/nonexistent",
    )
    assert no_browser.returncode == 8
    assert "Chromium" in no_browser.stderr and "Traceback" not in no_browser.stderr


@requires_chromium
def test_cli_pdf(demo: Path) -> None:
    out = demo / "r.pdf"
    done = lanterne(demo, "diagnose", "--format", "pdf", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_html_report_shows_the_edm_target_it_computes() -> None:
    # The report counted « EDM valide pour Europeana » in its data but showed it nowhere.
    report = build_report(three(), "c.sqlite")
    edm = report.europeana_edm
    assert edm.total == 2  # Europeana takes no events: the festival is not concerned
    fr = render_html(report, "fr")
    row = fr.split("Notice EDM valide pour Europeana (XSD et Schematron)</td>")[1].split("</tr>")[0]
    assert f'<td class="n">{edm.eligible}</td><td class="n">{edm.total}</td>' in row
    assert "EDM valide pour Europeana<strong>" in fr
    en = render_html(report, "en")
    assert "EDM record valid for Europeana (XSD and Schematron)</td>" in en
