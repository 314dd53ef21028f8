"""Frugality benchmark: the estimated energy and carbon of each operation Lanterne offers, on the
demo catalogue, measured by ``lanterne.footprint`` (docs/footprint.md), and what the choices cost
(semantic search on or off, the curiosity dial's re-ranking).

    .venv/bin/python benchmarks/frugality.py [--repeat 200] [--write docs/sobriete.md]

Each operation runs ``--repeat`` times (a diagnosis, an audit and an import run once, on 1,000
records, 1,000 lists and 10,000 records) inside one ``measure()``; the figures are per 1,000
operations. Requests go through the application in process (``httpx.ASGITransport``, the
client's own work included), after one warm-up request each. ``--write`` writes the page
« Sobriété / Frugality » with these figures (``make bench`` regenerates it); nothing is typed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import sys
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
QUERIES = ["jazz", "festival de musique", "costume", "théâtre de rue", "danse", "chanson"]


class Row:
    def __init__(self, name_fr: str, name_en: str, unit: int, run: Callable[[], None]) -> None:
        self.name_fr, self.name_en, self.unit = name_fr, name_en, unit
        self.rate: Rate = _measured(run, unit)
        self.footprint = self.rate.footprint


def _demo(folder: Path) -> Path:
    from lanterne.catalogue import open_catalogue
    from lanterne.ingest import ingest, load_mapping_profile
    from lanterne.search import CatalogueIndex

    path = folder / "demo.sqlite"
    demo = resources.files("lanterne.demo")
    with open_catalogue(path) as catalogue:
        for profile, name in (
            ("festivals-france", "festivals-demo.csv"),
            ("joconde-costumes", "joconde-demo.csv"),
        ):
            with resources.as_file(demo.joinpath(name)) as csv:
                ingest(catalogue, csv, load_mapping_profile(profile))
        CatalogueIndex(catalogue).update()
    return path


def _measured(run: Callable[[], None], operations: int) -> Rate:
    with Energy(operations) as energy:
        run()
    return energy.rate()


def _requests(client: Any, paths: list[str]) -> Callable[[], None]:
    def run() -> None:
        async def go() -> None:
            for path in paths:
                answer = await client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)

        asyncio.run(go())

    return run


def measure_all(repeat: int) -> list[Row]:
    import httpx

    from lanterne.audit import AuditConfig, Captures, Weighting, run_audit, simulate
    from lanterne.catalogue import open_catalogue
    from lanterne.diagnose import build_report
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
    from lanterne.recommend import LanterneLocal, catalogue_service
    from lanterne.web import Site, create_app
    from lanterne.web._demo import personas

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _demo(folder)
        site = Site(path)
        site.recommender_service()
        app = create_app(site)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
        warm = _requests(client, [f"/api/search?q={q}" for q in QUERIES])
        warm()
        # Every query a different one, from the catalogue's titles: the engine remembers the
        # vector of a query it has encoded, and a repeated query would cost a lexical search.
        with open_catalogue(path) as catalogue:
            titles = sorted({w.titles[0].value for w in catalogue.iter_works() if w.titles})
        queries = [quote(titles[i % len(titles)][:60]) for i in range(repeat)]
        hits = asyncio.run(client.get("/api/search?q=festival&limit=50")).json()["hits"]
        works = [h["id"] for h in hits]
        for mode, fr, en in (
            ("lexical", "une recherche lexicale", "a lexical search"),
            ("hybrid", "une recherche hybride (lexicale + sémantique)", "a hybrid search"),
        ):
            paths = [f"/api/search?q={q}&mode={mode}" for q in queries]
            rows.append(Row(fr, en, repeat, _requests(client, paths)))
        for curiosity, fr, en in (
            (
                "0",
                "une liste de 10 recommandations, cadran de curiosité à 0",
                "a list of 10 recommendations, curiosity 0",
            ),
            (
                "0.6",
                "une liste de 10 recommandations, cadran de curiosité à 0,6 (reclassement)",
                "a list of 10 recommendations, curiosity 0.6 (re-ranked)",
            ),
        ):
            paths = [
                f"/api/recommend?history={works[i % len(works)]}&curiosity={curiosity}&k=10"
                for i in range(repeat)
            ]
            _requests(client, paths[:1])()
            rows.append(Row(fr, en, repeat, _requests(client, paths)))
        pages = [f"/oeuvre/{works[i % len(works)]}" for i in range(repeat)]
        _requests(client, pages[:1])()
        rows.append(Row("une page d'œuvre", "a work page", repeat, _requests(client, pages)))

        with open_catalogue(path) as catalogue:
            every = list(catalogue.iter_works())
        thousand = [every[i % len(every)] for i in range(1000)]
        rows.append(
            Row(
                "un diagnostic de 1 000 notices",
                "a diagnosis of 1,000 records",
                1,
                lambda: build_report(iter(thousand), str(path)),
            )
        )

        with open_catalogue(path) as catalogue:
            service = catalogue_service(catalogue)
        people = personas(service)
        captures = Captures()
        platform_ = LanterneLocal(service, k=10, surface="grid", goals=())
        for row, capture in enumerate(simulate(platform_, people, -(-1000 // len(people)))):
            if row == 1000:
                break
            captures.read += 1
            captures.add(capture, "simulation", row + 1)
        config = AuditConfig(weighting=Weighting(kind="grid"), resamples=500)
        rows.append(
            Row(
                "un audit de 1 000 listes (500 rééchantillonnages)",
                "an audit of 1,000 lists (500 resamples)",
                1,
                lambda: run_audit(captures, config),
            )
        )

        books = SHARED / "goodbooks-10k-books" / "books.csv"
        if books.is_file():
            target = folder / "books.sqlite"

            def import_books() -> None:
                with open_catalogue(target) as catalogue:
                    ingest(
                        catalogue,
                        books,
                        load_mapping_profile("goodbooks-10k-books"),
                        IngestOptions(workers=0),
                    )

            rows.append(
                Row(
                    "un import de 10 000 notices",
                    "an import of 10,000 records",
                    1,
                    import_books,
                )
            )
        else:
            print(f"{books} is missing: the import is not measured", file=sys.stderr)
        asyncio.run(client.aclose())
    return rows


def table(rows: list[Row], lang: str) -> str:
    from lanterne.footprint import about

    fr = lang == "fr"
    if fr:
        head = "| opération | temps CPU | Wh par opération | Wh pour 1 000 | g CO₂e pour 1 000 |"
    else:
        head = "| operation | CPU time | Wh per operation | Wh per 1,000 | g CO₂e per 1,000 |"
    lines = [head, "|---|---|---|---|---|"]
    for row in rows:
        usage = row.footprint.usage
        cpu_ms = usage.core_seconds * 1000 / row.unit
        cpu = f"{about(cpu_ms, lang)} ms" if cpu_ms < 1000 else f"{about(cpu_ms / 1000, lang)} s"
        lines.append(
            f"| {row.name_fr if fr else row.name_en} | {cpu} | "
            f"{about(row.footprint.energy_wh / row.unit, lang)} | "
            f"{' | '.join(row.rate.cells(lang))} |"
        )
    return "\n".join(lines)


def _ratio(rows: list[Row], a: int, b: int) -> float:
    return rows[b].rate.wh_per_1000 / rows[a].rate.wh_per_1000


def page(rows: list[Row], repeat: int) -> str:
    from lanterne.footprint import about, configured_grid

    grid = configured_grid()
    when = dt.date.today().isoformat()
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    hybrid = about(_ratio(rows, 0, 1), "fr")
    curious = about(_ratio(rows, 2, 3), "fr")
    return f"""# Sobriété / Frugality

<!-- Écrit par benchmarks/frugality.py (make bench) ; ne pas modifier à la main. / Written by
benchmarks/frugality.py (make bench); do not edit by hand. -->

Ce que coûte chaque opération de Lanterne sur le catalogue de démonstration, **estimé** par le
modèle de docs/footprint.md (temps CPU × 4 W par cœur, mémoire × 0,375 W par Gio ; réseau
{grid.code}, {about(grid.g_co2e_per_kwh, "fr")} g CO₂e/kWh, {grid.year}). Mesuré le {when}
({machine}) : chaque requête {repeat} fois par l'application en processus, après une requête
de chauffe (les recherches sur {repeat} titres différents du catalogue : le moteur garde le
vecteur d'une requête déjà encodée) ; le diagnostic, l'audit et l'import une fois. / What each
operation costs on the demo catalogue, estimated by the model of docs/footprint.md.

{table(rows, "fr")}

Ce que coûtent les choix : une recherche hybride coûte **{hybrid} fois** une recherche lexicale
(l'encodage de la requête par le modèle multilingue) ; le reclassement du cadran de curiosité
(0,6 contre 0) multiplie le coût d'une liste par **{curious}**.

{table(rows, "en")}

What the choices cost: a hybrid search costs **{about(_ratio(rows, 0, 1), "en")}×** a lexical
one (encoding the query); the curiosity dial's re-ranking (0.6 against 0) multiplies the cost of
a list by **{about(_ratio(rows, 2, 3), "en")}**.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    rows = measure_all(args.repeat)
    print(table(rows, "en"))
    if args.write:
        args.write.write_text(page(rows, args.repeat), "utf-8")
        print(f"written: {args.write}")


if __name__ == "__main__":
    main()
