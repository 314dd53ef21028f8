"""Cells of the CSV files Lanterne writes, safe to open in a spreadsheet (no formula injection).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and some
also after a leading tab or carriage return: a catalogue title ``=HYPERLINK("http://x","clic")``
exported as it is becomes a live link, or worse, when a person opens the file. Following OWASP
(« CSV Injection »), such a cell is written with a single quote before it, which spreadsheets
show as text and do not run. Every CSV writer in Lanterne goes through ``CsvWriter``.

Two choices, both so that data stay data:

- a cell that is a plain number (``-2``, ``+33``, ``-1.5e3``) is left as it is: a number is not a
  formula, and ``'-2`` would turn ratings and coordinates into text. ``-2+3`` is not a plain
  number and is quoted;
- a cell whose leading quotes are followed by one of those characters gets one more quote, so
  ``restore`` gives back exactly what was written: Lanterne reads its own exports (titles,
  attributes) through it and sees the original value.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

_TRIGGERS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: object) -> object:
    """``cell`` as it should be written: with a leading ``'`` if a spreadsheet would run it."""
    if not isinstance(cell, str):
        return cell  # numbers, None: the csv module writes them as data
    first = cell.lstrip("'")[:1]
    if first in _TRIGGERS and first and _NUMBER.fullmatch(cell) is None:
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The value ``neutralise`` was given, from the text it wrote."""
    if cell.startswith("'") and cell.lstrip("'")[:1] in _TRIGGERS and cell.lstrip("'"):
        return cell[1:]
    return cell


class CsvWriter:
    """``csv.writer`` whose every cell goes through ``neutralise`` (the header too)."""

    def __init__(self, handle: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
