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

from lanterne.catalogue import open_catalogue
from lanterne.diagnose._render import render_html, screenshot
from lanterne.diagnose._report import build_report
from lanterne.ingest import IngestOptions, bundled_profiles, ingest, load_profile

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
                for name in bundled_profiles():  # one per catalogue of ../shared/data
                    ingest(catalogue, args.shared / name, load_profile(name), IngestOptions())
            else:
                print(f"{args.shared} absent: the bundled demo catalogue is used", file=sys.stderr)
                demo = ROOT / "src" / "lanterne" / "demo"
                ingest(catalogue, demo / "festivals-demo.csv", load_profile("festivals-france"))
                ingest(catalogue, demo / "joconde-demo.csv", load_profile("joconde-costumes"))
            report = build_report(catalogue.iter_works(), "lanterne.sqlite")
        finally:
            catalogue.close()
        page = Path(tmp) / "diagnostic.html"
        page.write_text(render_html(report, "fr"), "utf-8")
        out = args.out / "diagnosis-report.png"
        screenshot(page, out, 1280, 3200)
        print(f"{out} ({report.records} records)")
        audit_page = Path(tmp) / "audit.html"
        if audit_report(args.shared, audit_page):
            out = args.out / "audit-report.png"
            screenshot(audit_page, out, 1280, 2300)
            print(out)
    return 0


def audit_report(shared: Path, page: Path) -> bool:
    """50 MovieLens users as personas browse Lanterne's EASE home grid (no goals) for 5
    sessions; the audit of what they were shown, in French."""
    import json

    from lanterne.audit import AuditConfig, LanterneLocal, Persona, Weighting, run_audit, simulate
    from lanterne.audit._capture import Captures
    from lanterne.audit._render import render_html as render_audit
    from lanterne.recommend._export import convert_movielens
    from lanterne.recommend._service import dataset_source

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
    source = dataset_source(config)
    personas = []
    for n, user in enumerate(source.dataset.users[:50]):
        history = [source.dataset.items[i] for i in source.history_of(user)[:5]]
        personas.append(
            Persona(name=f"u{user}", history=history, group="control" if n < 10 else "treated")
        )
    captures = Captures()
    for row, capture in enumerate(simulate(LanterneLocal(source), personas, sessions=5)):
        captures.read += 1
        captures.add(capture, "simulation", row + 1)
    report = run_audit(captures, AuditConfig(weighting=Weighting(kind="grid")))
    page.write_text(render_audit(report, "fr"), "utf-8")
    return True


if __name__ == "__main__":
    raise SystemExit(main())
