"""Large benchmark inputs made of real rows: resample a source CSV (with replacement, seeded).

``write_resampled("festivals", 1_000_000, out)`` writes one million rows drawn from the
« Liste des festivals en France » export (``joconde``: the Joconde costumes extract), keeping
the source's header, delimiter, line ending, byte-order marks and encoding. Each output row gets
a unique id (``Identifiant`` for festivals, ``Numero_inventaire`` for Joconde, rewritten as
``f"{orig}-{i}"``) so the n rows are n distinct records.

The rows come from ``../shared/data`` beside the repository; when that folder is absent, the
bundled demo extracts (same columns, Licence Ouverte) are used instead. Output is streamed:
memory holds the source rows only, whatever ``n``.

    python benchmarks/resample.py festivals 1000000 out.csv [--seed 0] [--source FILE]
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import random
import sys
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DEMO = REPO / "src" / "lanterne" / "demo"


class Kind(NamedTuple):
    shared: Path
    demo: Path
    delimiter: str
    id_column: str


KINDS = {
    "festivals": Kind(
        SHARED / "festivals-france" / "festivals-global-festivals-_-pl.csv",
        DEMO / "festivals-demo.csv",
        ";",
        "Identifiant",
    ),
    "joconde": Kind(
        SHARED / "joconde-costumes" / "BaseJoconde-Costumes-19e-20e.csv",
        DEMO / "joconde-demo.csv",
        ",",
        "Numero_inventaire",
    ),
}

ENCODING = "utf-8"  # both sources are UTF-8 (the festivals export with one or two BOMs)


def source_file(kind: str) -> Path:
    """The real file for ``kind``: the shared data set, else the bundled demo extract."""
    spec = KINDS[kind]
    return spec.shared if spec.shared.is_file() else spec.demo


class _Source(NamedTuple):
    bom: bytes
    newline: str
    header: list[str]
    rows: list[list[str]]


def _read_source(path: Path, delimiter: str) -> _Source:
    data = path.read_bytes()
    bom = b""
    while data.startswith(codecs.BOM_UTF8, len(bom)):
        bom += codecs.BOM_UTF8
    text = data[len(bom) :].decode(ENCODING)
    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header = next(reader)
    width = len(header)
    # Only well-formed rows are resampled: the benchmark measures throughput, not error paths.
    rows = [row for row in reader if len(row) == width]
    if not rows:
        raise ValueError(f"{path}: no data rows")
    return _Source(bom, newline, header, rows)


def write_resampled(
    kind: str, n: int, out: Path, seed: int = 0, source: Path | None = None
) -> Path:
    """Write ``n`` rows resampled (with replacement, ``seed``) from the ``kind`` source to ``out``.

    ``source`` overrides the file the rows are drawn from (it must have the same columns).
    Returns ``out``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}")
    if n < 0:
        raise ValueError("n must be >= 0")
    spec = KINDS[kind]
    src = _read_source(source or source_file(kind), spec.delimiter)
    id_at = src.header.index(spec.id_column)
    rows = src.rows
    count = len(rows)
    rng = random.Random(seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw:
        raw.write(src.bom)
        with io.TextIOWrapper(raw, encoding=ENCODING, newline="", write_through=False) as f:
            writer = csv.writer(f, delimiter=spec.delimiter, lineterminator=src.newline)
            writer.writerow(src.header)
            chunk: list[list[str]] = []
            for i in range(n):
                row = rows[rng.randrange(count)][:]
                row[id_at] = f"{row[id_at]}-{i}"
                chunk.append(row)
                if len(chunk) == 10_000:
                    writer.writerows(chunk)
                    chunk.clear()
            writer.writerows(chunk)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, help="row source (default: shared data, else demo)")
    args = parser.parse_args(argv)
    path = write_resampled(args.kind, args.n, args.out, args.seed, args.source)
    print(f"{path}: {args.n:,} rows from {args.source or source_file(args.kind)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
