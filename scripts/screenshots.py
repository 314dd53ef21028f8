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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
