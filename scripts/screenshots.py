"""Screenshots for the docs, drawn by headless Chromium from real data (``make screenshots``).

    .venv/bin/python scripts/screenshots.py [--shared ../shared/data] [--out docs/screenshots]

Ingests the five catalogues of ../shared/data into a scratch catalogue, writes the diagnosis
report (French) and takes a full-page screenshot of it. Without ../shared/data it uses the
bundled demo catalogue instead and says so.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from lanterne.catalogue import open_catalogue
from lanterne.diagnose._render import render_html, screenshot
from lanterne.diagnose._report import build_report
from lanterne.ingest import IngestOptions, bundled_mapping_profiles, ingest, load_mapping_profile

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lanterne-shots-") as tmp:
        catalogue = open_catalogue(Path(tmp) / "c.sqlite")
        try:
            if args.shared.is_dir():
                for name in bundled_mapping_profiles():  # one per catalogue of ../shared/data
                    if not (args.shared / name).exists():  # format profiles: marc21, oai-dc…
                        continue
                    ingest(
                        catalogue, args.shared / name, load_mapping_profile(name), IngestOptions()
                    )
            else:
                print(f"{args.shared} absent: the bundled demo catalogue is used", file=sys.stderr)
                demo = ROOT / "src" / "lanterne" / "demo"
                ingest(
                    catalogue, demo / "festivals-demo.csv", load_mapping_profile("festivals-france")
                )
                ingest(
                    catalogue, demo / "joconde-demo.csv", load_mapping_profile("joconde-costumes")
                )
            report = build_report(catalogue.iter_works(), "lanterne.sqlite")
        finally:
            catalogue.close()
        for lang, suffix in (("fr", ""), ("en", "-en")):
            page = Path(tmp) / f"diagnostic{suffix}.html"
            page.write_text(render_html(report, lang), "utf-8")
            out = args.out / f"diagnosis-report{suffix}.png"
            screenshot(page, out, 1280, 4300)
            print(f"{out} ({report.records} records)")
        audit_page = Path(tmp) / "audit.html"
        if audit_report(args.shared, audit_page):
            out = args.out / "audit-report.png"
            screenshot(audit_page, out, 1280, 2300)
            print(out)
        for out in web_pages(Path(tmp) / "web", args.out):
            print(out)
    return 0


def web_pages(folder: Path, out: Path) -> list[Path]:
    """The web interface on the bundled demo catalogue (as ``make demo`` serves it), in
    Playwright-driven headless Chromium: home with likes and the dial, search with a facet, a
    work, an audit."""
    import socket
    import threading
    import time

    import uvicorn
    from playwright.sync_api import sync_playwright

    from lanterne.diagnose._render import CHROMIUM_FLAGS, chromium
    from lanterne.recommend._service import catalogue_service
    from lanterne.search._works import CatalogueIndex
    from lanterne.web import Site, create_app
    from lanterne.web._demo import DEMO_HOME, write_demo_audits

    folder.mkdir(parents=True)
    path = folder / "demo.sqlite"
    demo = ROOT / "src" / "lanterne" / "demo"
    with open_catalogue(path) as catalogue:
        ingest(catalogue, demo / "festivals-demo.csv", load_mapping_profile("festivals-france"))
        ingest(catalogue, demo / "joconde-demo.csv", load_mapping_profile("joconde-costumes"))
        CatalogueIndex(catalogue).update()
        write_demo_audits(catalogue_service(catalogue), folder / "audits")
    # A write token, so that the verify page shows its form.
    site = Site(path, audits=folder / "audits", home=DEMO_HOME, token="jeton-capture")
    site.recommender_service()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(site), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    shots = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
            )
            tab = browser.new_page(viewport={"width": 1280, "height": 1100})
            tab.goto(f"{base}/recherche?q=jazz")
            work = tab.locator("ol.hits h3 a").first.get_attribute("href") or ""
            liked = work.removeprefix("/oeuvre/")
            pages = (
                ("web-home", f"/?aime={liked}&curiosite=0.6", False),
                ("web-search", "/recherche?q=musique&filtre=territory%3AFR-BRE", False),
                ("web-work", work, True),
                ("web-audit", "/audits/accueil-avec-objectifs", False),
            )
            # Each page in French, then in English (``lang=en``, as the language switch asks).
            for stem, address, full in pages + tuple(
                (f"{stem}-en", address + ("&" if "?" in address else "?") + "lang=en", full)
                for stem, address, full in pages
            ):
                name = f"{stem}.png"
                tab.goto(base + address)
                if stem.startswith("web-home"):
                    tab.locator("#propositions").scroll_into_view_if_needed()
                    tab.evaluate("window.scrollTo(0, 330)")
                target = out / name
                tab.screenshot(path=str(target), full_page=full)
                shots.append(target)
            shots.extend(_exchange_pages(tab, base, work, out))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return shots


def _exchange_pages(tab: Any, base: str, work: str, out: Path) -> list[Path]:
    """The open-data page, a place's page (from the work's first place link), the verify page
    and its result on c2pa-python's fixture C.jpg (when ../shared holds it)."""
    shots = []
    tab.goto(base + work)
    place = tab.locator('a[href^="/lieu/"]').first
    pages = [("web-open-data", "/donnees-ouvertes"), ("web-verify", "/provenance/verifier")]
    if place.count():
        pages.append(("web-place", place.get_attribute("href") or ""))
    for stem, address in pages:
        tab.goto(base + address)
        target = out / f"{stem}.png"
        tab.screenshot(path=str(target), full_page=True)
        shots.append(target)
    fixture = ROOT.parent / "shared" / "standards" / "c2pa" / "fixtures" / "C.jpg"
    if fixture.is_file():
        tab.goto(base + "/provenance/verifier")
        tab.set_input_files("#image", str(fixture))
        tab.fill("#jeton", "jeton-capture")
        with tab.expect_navigation():
            tab.click("form.upload button[type=submit]")
        target = out / "web-verify-result.png"
        tab.screenshot(path=str(target), full_page=True)
        shots.append(target)
    return shots


def audit_report(shared: Path, page: Path) -> bool:
    """50 MovieLens users as personas browse Lanterne's EASE home grid (no goals) for 5
    sessions; the audit of what they were shown, in French."""
    import json

    from lanterne.audit import AuditConfig, Persona, Weighting, run_audit, simulate
    from lanterne.audit._capture import Captures
    from lanterne.audit._render import render_html as render_audit
    from lanterne.recommend import LanterneLocal
    from lanterne.recommend._export import convert_movielens
    from lanterne.recommend._service import dataset_service

    if not (shared / "movielens-latest-small").is_dir():
        print("MovieLens absent: no audit screenshot", file=sys.stderr)
        return False
    data = page.parent / "ml"
    convert_movielens(shared, data)
    config = data / "config.json"
    config.write_text(
        json.dumps(
            {
                "name": "ml",
                "interactions": "interactions.csv",
                "attributes": "item-attributes.csv",
                "titles": "titles.csv",
                "models": [{"name": "ease", "model": "ease", "params": {"lambda": 300}}],
            }
        ),
        "utf-8",
    )
    service = dataset_service(config)
    personas = []
    for n, user in enumerate(service.dataset.users[:50]):
        history = [service.dataset.items[i] for i in service.history_of(user)[:5]]
        personas.append(
            Persona(name=f"u{user}", history=history, group="control" if n < 10 else "treated")
        )
    captures = Captures()
    for row, capture in enumerate(simulate(LanterneLocal(service), personas, sessions=5)):
        captures.read += 1
        captures.add(capture, "simulation", row + 1)
    report = run_audit(captures, AuditConfig(weighting=Weighting(kind="grid")))
    page.write_text(render_audit(report, "fr"), "utf-8")
    return True


if __name__ == "__main__":
    raise SystemExit(main())
