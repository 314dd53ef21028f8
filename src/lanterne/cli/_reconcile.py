"""``lanterne reconcile FILE.csv --column title``: match a spreadsheet's column against the
catalogue through the same ``Reconciler`` as ``/reconcile``, and write the file back with the
matched ids, names, scores, decisions and the features behind them."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click

from lanterne._csv_cells import neutralise
from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo
from lanterne.cli._footprint import Measured
from lanterne.errors import BadInput, InputNotFound
from lanterne.messages import translate

ADDED = ("id", "name", "score", "match", "features")
"""The columns written after the reconciled one, each named ``COLUMN_…``."""
BATCH = 10


@click.command("reconcile", cls=Measured)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--column", required=True, help="Colonne à réconcilier / column to reconcile.")
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Type schema.org (Book, Movie…), Person, Organization ou Place ; répétable.",
)
@click.option(
    "--property",
    "properties",
    multiple=True,
    metavar="PROPRIÉTÉ=COLONNE",
    help="creator=…, date=… ou place=… : une colonne qui précise la requête ; répétable.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Seulement des candidats du type demandé / only candidates of the type asked.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Où écrire (défaut : FILE lui-même ; « - » : la sortie standard).",
)
@click.pass_context
def reconcile_command(
    ctx: click.Context,
    file: Path,
    column: str,
    types: tuple[str, ...],
    properties: tuple[str, ...],
    strict: bool,
    output: Path | None,
) -> None:
    """Réconcilier une colonne d'un CSV avec le catalogue / reconcile a CSV column."""
    from lanterne.reconcile import PROPERTIES, Query, Reconciler, property_name
    from lanterne.search import CatalogueIndex, DaemonEncoder

    state = _state(ctx)
    if not file.is_file():
        raise InputNotFound("input.not_found", path=file)
    given: dict[str, str] = {}
    for item in properties:
        pid, sep, source = item.partition("=")
        name = property_name(pid)
        if not sep or not source or name is None:
            raise BadInput("reconcile.bad_property", value=item, known=", ".join(PROPERTIES))
        given[name] = source
    text = file.read_text("utf-8-sig")
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    for wanted in (column, *given.values()):
        if wanted not in header:
            raise BadInput(
                "reconcile.no_column", path=file, column=wanted, columns=", ".join(header)
            )
    at = header.index(column)
    sources = {name: header.index(source) for name, source in given.items()}
    added = [f"{column}_{suffix}" for suffix in ADDED]
    kept = [i for i, name in enumerate(header) if name not in added]
    queries = [
        Query(
            text=_cell(row, at),
            types=list(types),
            type_strict="any" if strict else "should",
            limit=5,
            properties={p: [_cell(row, i)] for p, i in sources.items() if _cell(row, i)},
        )
        for row in body
    ]
    with open_catalogue(state.settings.catalogue) as catalogue:
        index = CatalogueIndex(catalogue, encoder=DaemonEncoder())
        try:
            index.update()
        finally:
            index.engine.settle()
        reconciler = Reconciler(index.engine, catalogue.get_many, catalogue.iter_works)
        found = []
        for start in range(0, len(queries), BATCH):
            found.extend(reconciler(queries[start : start + BATCH]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([header[i] for i in kept] + added)
    matched = 0
    for row, query, candidates in zip(body, queries, found, strict=True):
        best = candidates[0] if candidates and query.text.strip() else None
        cells: list[object] = ["", "", "", "", ""]
        if best is not None:
            matched += best.match
            features = ";".join(f"{f.id}={f.value:g}" for f in best.features)
            cells = [best.id, best.name, f"{best.score:g}", str(best.match).lower(), features]
        writer.writerow([_cell(row, i) for i in kept] + [neutralise(c) for c in cells])
    _write(out.getvalue(), output or file)
    echo(
        translate(
            state.lang,
            "{rows} lignes réconciliées, {matched} correspondances sûres (colonne {column}_match).",
            rows=len(body),
            matched=matched,
            column=column,
        ),
        err=True,
    )


def _cell(row: list[str], i: int) -> str:
    return row[i] if i < len(row) else ""


def _delimiter(text: str) -> str:
    """The file's delimiter (« , », « ; » or a tab); its other conventions are the usual ones."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _write(text: str, target: Path) -> None:
    if str(target) == "-":
        sys.stdout.write(text)
        return
    # Written aside then moved in place: a failure never leaves the spreadsheet half written.
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, "utf-8", newline="")
    tmp.replace(target)
