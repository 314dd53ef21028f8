"""Which text encoding a file is in, and whether the one a user declared is right.

Real exports arrive as UTF-8 with one or even two byte-order marks, UTF-8 without one, or
Windows-1252 from spreadsheet software. Detection looks at the start of the file only, so a
1 GB file is not read twice; bytes further on that do not decode are quarantined line by line.

A file is UTF-8 when its sample holds at least as many valid UTF-8 sequences as bytes that are
not (``_is_utf8``): one stray Latin-1 byte in a UTF-8 export spoils the record that holds it, which
is quarantined, never the whole file read again as Windows-1252 (« Les MisÃ©rables » on every
line). Windows-1252 text seldom holds a valid UTF-8 pair (« É » then a no-break space is one),
and then far fewer than bytes that are not.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from lanterne.errors import BadInput

SAMPLE_BYTES = 1 << 20
_BOM = codecs.BOM_UTF8
# UTF-8 multi-byte sequences read as Windows-1252 or Latin-1 give these pairs (« Ã© » for « é »).
_MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_SINGLE_BYTE = {
    "cp1252",
    "windows-1252",
    "latin-1",
    "latin1",
    "iso-8859-1",
    "iso8859-1",
    "iso-8859-15",
    "iso8859-15",
    "cp850",
    "mac-roman",
}


def bom_length(head: bytes) -> int:
    """Length of the leading UTF-8 byte-order marks (some exports write two)."""
    n = 0
    while head.startswith(_BOM, n):
        n += len(_BOM)
    return n


def detect_encoding(path: Path, declared: str | None = None) -> str:
    """The encoding to read ``path`` with; ``BadInput`` when ``declared`` is plainly wrong."""
    with path.open("rb") as f:
        head = f.read(SAMPLE_BYTES)
    complete = len(head) < SAMPLE_BYTES
    body = head[bom_length(head) :]
    if declared is not None and declared.lower() not in ("auto", ""):
        _check_declared(path, body, declared, complete)
        return codecs.lookup(declared).name
    if bom_length(head) or _is_utf8(body, complete):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    guess = _guess_not_utf8(body)
    if guess is None:
        raise BadInput("input.undecodable", path=path)
    return guess


def _guess_not_utf8(body: bytes) -> str | None:
    """The encoding of text that is not UTF-8, or ``None`` when nothing fits."""
    # Francophone exports are Windows-1252 far more often than anything else, and statistical
    # detectors confuse it with its Central-European sibling cp1250 (« à » read as « ŕ »).
    try:
        body.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        return "cp1252"
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    # charset-normalizer often names a Latin-1 sibling; Windows-1252 is its superset in practice.
    return "cp1252" if name in ("latin-1", "iso8859-1", "iso8859-15") else name


def _is_utf8(body: bytes, complete: bool) -> bool:
    """Whether ``body`` is UTF-8, perhaps with a few stray bytes that are not."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if not complete and exc.start >= len(body) - 3:
            return True
        valid, invalid = _utf8_evidence(body, complete)
        return valid >= invalid
    return True


def _utf8_evidence(body: bytes, complete: bool) -> tuple[int, int]:
    """The characters of ``body`` that are valid multi-byte UTF-8, and the runs of bytes that
    are not UTF-8 at all (a character cut at the end of a sample counts as neither)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(body, final=complete)
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    wide = len(text) - len(text.encode("ascii", errors="ignore"))
    return wide - invalid, invalid


def _check_declared(path: Path, body: bytes, declared: str, complete: bool) -> None:
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        raise BadInput("input.undecodable", path=path) from None
    if name.startswith("utf"):
        try:
            body.decode(name)
        except UnicodeDecodeError as exc:
            if name == "utf-8" and _is_utf8(body, complete):
                return  # a few stray bytes: their records are quarantined
            if complete or exc.start < len(body) - 3:
                line = body.count(b"\n", 0, exc.start) + 1
                detected = _guess_not_utf8(body) or "cp1252"
                raise BadInput(
                    "input.encoding_mismatch",
                    path=path,
                    declared=declared,
                    line=line,
                    detail=f"octet 0x{body[exc.start]:02X}",
                    detected=detected,
                ) from None
        return
    if name in _SINGLE_BYTE or declared.lower() in _SINGLE_BYTE:
        text = body.decode(name, errors="replace")
        found = _MOJIBAKE.search(text)
        if found and _is_utf8(body, complete):
            line = text.count("\n", 0, found.start()) + 1
            raise BadInput(
                "input.mojibake", path=path, declared=declared, sample=found.group(), line=line
            )
