"""MARC readers: ISO 2709 and MARCXML files (MARC 21 or UNIMARC) into records the profiles map.

pymarc parses each record; what a field means is the mapping profile's business (``marc21``,
``unimarc``). Each record becomes a dict: ``leader``; each control field under its tag
(``008``: its text, a list when repeated); each subfield of a data field under ``TAG$code``
(``245$a``: every ``$a`` of every 245, in order); and each data field under its tag as the list
of its occurrences, one object per field (``{"ind1", "ind2", "a": [...], "4": [...]}``) for the
mappings that read field by field (``each = "700"``: a name with its relator code).

ISO 2709 records are cut at their record terminator (0x1D), not by the length the leader claims:
a record with a wrong leader or a bad directory is quarantined with its byte offset, and the next
one is read from the next terminator. The character coding is the leader's (position 9, ``a``:
UTF-8, else MARC-8); UNIMARC leaves that position blank, so a record whose bytes are valid UTF-8
is read as UTF-8 (MARC-8 diacritics are never valid UTF-8). A profile may force an encoding.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymarc
from lxml import etree

from lanterne.ingest._readers import KEPT_BYTES, Item, RawRecord, ReadProblem, _check_not_empty
from lanterne.ingest._records import ReadLimits

TERMINATOR = b"\x1d"
MARCXML = "http://www.loc.gov/MARC21/slim"
_BLOCK = 1 << 20
# ISBD punctuation that closes a subfield (« Title / », « Paris : », « Asimov, Isaac, »), and
# the period ending a field, unless it ends an initial or an abbreviation (« J. », « etc. »).
_TRAILING = re.compile(r"\s+[/:;=]$|\s*,$|(?<=[^\W\d_]{3})\.$|(?<=[\d)\]])\.$")
_LEADING = re.compile(r"^\s*[,:;]\s*")


# Non-sorting marks around a leading article (« \x88L'\x89altra faccia »): UNIMARC's NSB/NSE
# and MARC 21's NSB/NSE (C1 controls once decoded), never part of the text.
_NON_SORTING = str.maketrans("", "", "\x88\x89\x98\x9c")


def trim(value: str) -> str:
    """A subfield value without the ISBD punctuation around it, nor non-sorting marks."""
    value = _LEADING.sub("", value.translate(_NON_SORTING).strip())
    return _TRAILING.sub("", value).strip()


def record_fields(record: pymarc.Record) -> dict[str, Any]:
    """The fields of a pymarc record as the mapping profiles read them (see the module doc)."""
    data: dict[str, Any] = {"leader": str(record.leader)}
    for field in record.fields:
        if field.is_control_field():
            # A string (its first occurrence: 001 is the record's id), a list when repeated.
            known = data.get(field.tag)
            if known is None:
                data[field.tag] = field.data or ""
            else:
                data[field.tag] = [*([known] if isinstance(known, str) else known), field.data]
            continue
        occurrence: dict[str, Any] = {"ind1": field.indicator1, "ind2": field.indicator2}
        for sub in field.subfields:
            value = trim(sub.value or "")
            occurrence.setdefault(sub.code, []).append(value)
            data.setdefault(f"{field.tag}${sub.code}", []).append(value)
        data.setdefault(field.tag, []).append(occurrence)
    return data


def read_marc(
    path: Path, encoding: str = "auto", limits: ReadLimits | None = None
) -> Iterator[Item]:
    """The records (or problems) of a MARC file, ISO 2709 or MARCXML (told by its first byte)."""
    _check_not_empty(path)
    with path.open("rb") as f:
        head = f.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return read_marcxml(path)
    return read_iso2709(path, encoding, limits)


def _chunks(path: Path, limit: int) -> Iterator[tuple[int, bytes, bool]]:
    """``(offset, bytes, too_large)`` of each record: the bytes up to its terminator (kept),
    without the line breaks some exports put between records."""
    with path.open("rb") as f:
        buffer = b""
        offset = 0
        skipping = False
        while True:
            block = f.read(_BLOCK)
            buffer += block
            while True:
                end = buffer.find(TERMINATOR)
                if end < 0:
                    break
                chunk, buffer = buffer[: end + 1], buffer[end + 1 :]
                start = offset
                offset += len(chunk)
                if skipping:
                    skipping = False
                    continue
                stripped = chunk.lstrip(b"\r\n")
                yield start + len(chunk) - len(stripped), stripped, False
            if len(buffer) > limit and not skipping:
                # No terminator within what one record may hold: set aside, skipped to the next.
                yield offset, buffer[:KEPT_BYTES], True
                skipping = True
            if skipping:
                offset += len(buffer)
                buffer = b""
            if not block:
                break
        rest = buffer.strip(b"\r\n \x00")
        if rest and not skipping:
            yield offset + buffer.find(rest[:1]), rest, False


def _decode_text(chunk: bytes) -> str:
    return chunk.decode("utf-8", errors="backslashreplace")


def _problem(
    name: str, number: int, offset: int, detail: str, raw: bytes, reason: str = "reason.bad_marc"
) -> ReadProblem:
    params = {"number": str(number), "offset": str(offset), "detail": detail}
    return ReadProblem(name, number, reason, params, _decode_text(raw))


def _utf8(chunk: bytes, encoding: str) -> bool:
    """Whether the record's text is read as UTF-8."""
    if encoding in ("utf-8", "utf8"):
        return True
    if encoding != "auto":
        return False
    if chunk[9:10] == b"a":
        return True
    if chunk.isascii():
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_iso2709(chunk: bytes, encoding: str = "auto") -> pymarc.Record:
    """One ISO 2709 record; raises what pymarc raises on a bad leader, directory or text."""
    utf8 = _utf8(chunk, encoding)
    # pymarc reads « iso8859-1 » as MARC-8; any other codec as itself.
    codec = "iso8859-1" if encoding in ("auto", "marc-8", "marc8") else encoding
    if len(chunk) < 24 or not chunk[:5].isdigit():
        raise pymarc.exceptions.RecordLengthInvalid()
    declared = int(chunk[:5])
    if declared != len(chunk):
        raise ValueError(f"longueur {declared} dans le guide, {len(chunk)} octets lus")
    with warnings.catch_warnings():
        # A subfield code that is not ASCII: pymarc keeps its first byte, and warns.
        warnings.simplefilter("ignore")
        return pymarc.Record(
            chunk,
            to_unicode=True,
            force_utf8=utf8,
            hide_utf8_warnings=True,
            utf8_handling="strict",
            file_encoding=codec,
        )


def _why(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_iso2709(
    path: Path, encoding: str = "auto", limits: ReadLimits | None = None
) -> Iterator[Item]:
    """The records of an ISO 2709 file; ``line`` is the record's number (from 1)."""
    name = str(path)
    limit = (limits or ReadLimits()).max_record_bytes
    for number, (offset, chunk, too_large) in enumerate(_chunks(path, limit), start=1):
        if too_large:
            params = {"limit": str(limit), "kept": str(KEPT_BYTES)}
            yield ReadProblem(name, number, "reason.too_large", params, _decode_text(chunk))
            continue
        try:
            record = parse_iso2709(chunk, encoding)
        except UnicodeDecodeError as exc:
            if exc.encoding != "utf-8":  # the leader or the directory: ASCII digits only
                yield _problem(name, number, offset, _why(exc), chunk)
                continue
            detail = f"octet 0x{exc.object[exc.start]:02x}"
            yield _problem(name, number, offset, detail, chunk, "reason.bad_marc_text")
            continue
        except Exception as exc:  # pymarc raises its own errors, ValueError and IndexError alike
            yield _problem(name, number, offset, _why(exc), chunk)
            continue
        if not record.fields:
            yield _problem(name, number, offset, "aucun champ", chunk)
            continue
        yield RawRecord(name, number, record_fields(record), _decode_text(chunk))


def _xml_record(element: etree._Element) -> pymarc.Record:
    """A pymarc record from a MARCXML ``record`` element."""
    ns = f"{{{MARCXML}}}"
    record = pymarc.Record()
    leader = element.findtext(f"{ns}leader")
    if leader is not None:
        if len(leader) != 24:
            raise ValueError(f"guide de {len(leader)} caractères au lieu de 24")
        record.leader = pymarc.Leader(leader)
    for child in element:
        if child.tag == f"{ns}controlfield":
            record.fields.append(pymarc.Field(tag=child.get("tag", ""), data=child.text or ""))
        elif child.tag == f"{ns}datafield":
            subfields = [
                pymarc.Subfield(code=s.get("code", ""), value=s.text or "")
                for s in child
                if s.tag == f"{ns}subfield"
            ]
            indicators = pymarc.Indicators(child.get("ind1", " "), child.get("ind2", " "))
            record.fields.append(
                pymarc.Field(tag=child.get("tag", ""), indicators=indicators, subfields=subfields)
            )
    return record


def marcxml_records(root: etree._Element) -> list[etree._Element]:
    """The ``marc:record`` elements at or under ``root`` (a collection, an OAI-PMH payload)."""
    tag = f"{{{MARCXML}}}record"
    return [root] if root.tag == tag else list(root.iter(tag))


def marcxml_fields(element: etree._Element) -> dict[str, Any]:
    """The fields of one MARCXML ``record`` element (``ValueError`` on a bad leader)."""
    return record_fields(_xml_record(element))


def read_marcxml(path: Path) -> Iterator[Item]:
    """The records of a MARCXML file; ``line`` is where each ``record`` element starts.

    Read with a parser that loads no DTD, expands no entity and opens no connection; a file that
    stops being well-formed ends with one problem naming the line.
    """
    name = str(path)
    tag = f"{{{MARCXML}}}record"
    events = etree.iterparse(
        str(path),
        events=("end",),
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _, element in events:
            raw = etree.tostring(element, encoding="unicode")
            line = element.sourceline or 0
            try:
                yield RawRecord(name, line, marcxml_fields(element), raw)
            except Exception as exc:  # a leader or a tag pymarc refuses
                params = {"number": str(line), "offset": "", "detail": _why(exc)}
                yield ReadProblem(name, line, "reason.bad_marcxml", params, raw)
            element.clear()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        params = {"detail": str(exc)}
        yield ReadProblem(name, line, "reason.truncated", params, "")
