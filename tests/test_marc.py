"""MARC readers and the bundled ``marc21`` and ``unimarc`` profiles on the real records of
../shared/standards/marc (PROVENANCE.md): the fields each profile maps, read by hand from the
records, and bad records quarantined with their byte offset while the file goes on."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pymarc
import pytest

from helpers import lanterne
from lanterne.catalogue import SqliteCatalogue
from lanterne.ingest import IngestOptions, IngestSummary, ingest, load_mapping_profile
from lanterne.ingest._marc import parse_iso2709, read_marc, trim
from lanterne.ingest._readers import RawRecord, ReadProblem
from lanterne.profile import Work

MARC = Path(__file__).resolve().parents[2] / "shared" / "standards" / "marc"

pytestmark = pytest.mark.skipif(
    not MARC.is_dir(), reason=f"the real MARC records are not at {MARC} (../shared/standards)"
)


def _ingest(tmp_path: Path, file: Path, profile: str) -> tuple[IngestSummary, SqliteCatalogue]:
    catalogue = SqliteCatalogue(tmp_path / "c.sqlite")
    summary = ingest(catalogue, file, load_mapping_profile(profile), IngestOptions(workers=0))
    assert summary.read == summary.stored + summary.quarantined
    return summary, catalogue


def _work(catalogue: SqliteCatalogue, work_id: str) -> Work:
    work = catalogue.get(work_id)
    assert work is not None, work_id
    return work


def _people(work: Work) -> list[tuple[str, str]]:
    return [(c.agent.name, c.role.value) for c in work.contributors]


def test_marc21_iso2709_record_maps_title_people_language_date_subject_isbn(
    tmp_path: Path,
) -> None:
    summary, catalogue = _ingest(tmp_path, MARC / "pymarc" / "marc.dat", "marc21")
    assert (summary.read, summary.created, summary.quarantined) == (20, 20, 0)
    # 001 11778504; 245 14 $aThe pragmatic programmer :$bfrom journeyman to master /$c…;
    # 100 1 $aHunt, Andrew,$d1964- ; 700 1 $aThomas, David,$d1956- ; 260 $bAddison-Wesley,
    # $c2000. ; 008/07-10 « 2000 », /35-37 « eng »; 650 $aComputer programming. ; 020 $a020161622X
    work = _work(catalogue, "marc21:11778504")
    assert work.type.value == "Book"  # leader/06-07 « am »
    assert [t.value for t in work.titles] == [
        "The pragmatic programmer : from journeyman to master"
    ]
    assert _people(work) == [
        ("Hunt, Andrew", "author"),  # 100: the main entry, no relator code
        ("Thomas, David", "contributor"),  # 700 without $4 or $e
        ("Addison-Wesley", "publisher"),
    ]
    assert work.in_languages == ["en"]
    assert work.published is not None and work.published.earliest == "2000-01-01"
    assert [s.label for s in work.subjects] == ["Computer programming"]
    assert [(i.scheme.value, i.value) for i in work.identifiers] == [("isbn", "020161622X")]


def test_marc21_isbn_qualifiers_and_several_subjects(tmp_path: Path) -> None:
    _, catalogue = _ingest(tmp_path, MARC / "pymarc" / "diacritic.dat", "marc21")
    # 020 $a9780415782654 (hardback) / $a9780203112021 (ebook); three 650 $a.
    work = _work(catalogue, "marc21:17091269")
    assert [i.value for i in work.identifiers] == ["9780415782654", "9780203112021"]
    assert [s.label for s in work.subjects] == [
        "Social media",
        "User-generated content",
        "Internet",
    ]
    assert work.titles[0].value == "Amateur media : social, cultural and legal perspectives"
    assert _people(work)[0] == ("Hunter, Dan", "contributor")


def test_marcxml_utf8_record(tmp_path: Path) -> None:
    summary, catalogue = _ingest(tmp_path, MARC / "pymarc" / "utf8.xml", "marc21")
    assert summary.created == 1
    work = _work(catalogue, "marc21:ASP925318/clmu")
    assert work.type.value == "MusicRecording"  # leader/06 « j »
    assert [t.value for t in work.titles] == ["Zen Classics", "Wilfried Hiller: Book of Stars"]
    # 008/07-10 is « 9999 » (no year): the year comes from 260 $c « 03 Nov 2008 ».
    assert work.published is not None and work.published.earliest == "2008-01-01"
    summary, _ = _ingest(tmp_path / "batch", MARC / "pymarc" / "batch.xml", "marc21")
    assert (summary.read, summary.created) == (2, 2)


def test_unimarc_record_relator_codes_and_secondary_responsibility(tmp_path: Path) -> None:
    summary, catalogue = _ingest(tmp_path, MARC / "pymarc" / "testunimarc.dat", "unimarc")
    # The file ends with a line break after the record terminator: nothing more is read.
    assert (summary.read, summary.created) == (1, 1)
    # 200 1 $aL'altra faccia della spirale$fIsaac Asimov… ; 700 $aAsimov$b, Isaac$4070 ;
    # 702 $aFruttero$b, Carlo (no code) ; 010 $a88-04-40682-8 ; 101 $aita ; 102 $aIT ;
    # 100 $a19961119d1996… (date 1 at 09-12) ; 210 $cA. Mondadori
    work = _work(catalogue, r"unimarc:IT\ICCU\ANA\0019370")
    assert work.type.value == "Book"  # leader « nam »
    assert [t.value for t in work.titles] == ["L'altra faccia della spirale"]
    assert _people(work) == [
        ("Asimov, Isaac", "author"),  # function code 070
        ("Fruttero, Carlo", "contributor"),
        ("Lucentini, Franco", "contributor"),
        ("Scaglia, Cesare", "contributor"),
        ("A. Mondadori", "publisher"),
    ]
    assert work.in_languages == ["it"]
    assert work.diversity.countries == ["IT"]
    assert work.published is not None and work.published.earliest == "1996-01-01"
    assert [(i.scheme.value, i.value) for i in work.identifiers] == [("isbn", "88-04-40682-8")]


def test_unimarc_function_code_gives_the_role(tmp_path: Path) -> None:
    record = pymarc.Record(force_utf8=True, leader="00000nam a2200000   4500")
    record.add_field(pymarc.Field(tag="001", data="X1"))
    record.add_field(
        pymarc.Field(
            tag="200",
            indicators=pymarc.Indicators("1", " "),
            subfields=[pymarc.Subfield("a", "Les Misérables")],
        )
    )
    for tag, surname, code in [("700", "Hugo", "070"), ("702", "Bayard", "440")]:
        record.add_field(
            pymarc.Field(
                tag=tag,
                indicators=pymarc.Indicators(" ", "1"),
                subfields=[
                    pymarc.Subfield("a", surname),
                    pymarc.Subfield("b", "Émile" if code == "440" else "Victor"),
                    pymarc.Subfield("4", code),
                ],
            )
        )
    path = tmp_path / "one.mrc"
    path.write_bytes(record.as_marc())
    _, catalogue = _ingest(tmp_path, path, "unimarc")
    work = _work(catalogue, "unimarc:X1")
    assert _people(work) == [("Hugo, Victor", "author"), ("Bayard, Émile", "illustrator")]


def test_unimarc_french_serials_of_sciences_po(tmp_path: Path) -> None:
    summary, catalogue = _ingest(tmp_path, MARC / "xbib" / "periouni.mrc", "unimarc")
    # 3,064 records: 56 without a 001 and 11 whose 001 (a SUDOC number) repeats an earlier
    # record's are quarantined; the others are stored.
    assert summary.read == 3064
    assert summary.by_reason == {"reason.missing_id": 56, "reason.duplicate_id": 11}
    assert summary.created == 3064 - 56 - 11
    # 001 039249972 ; 200 $aLes 4 vérités ; 011 $a0151-2439 ; 101 $afre ; 102 $aFR ;
    # 100 $a…a1976… ; 606 $aActualité ; 210 $cLes 4 vérités
    work = _work(catalogue, "unimarc:039249972")
    assert [t.value for t in work.titles] == ["Les 4 vérités"]  # UTF-8, leader/09 blank
    assert work.type.value == "CreativeWork"  # a serial (leader/07 « s »)
    assert [(i.scheme.value, i.value) for i in work.identifiers] == [("issn", "0151-2439")]
    assert work.in_languages == ["fr"]
    assert work.diversity.countries == ["FR"]
    assert work.published is not None and work.published.earliest == "1976-01-01"
    assert [s.label for s in work.subjects] == ["Actualité"]
    assert _people(work) == [("Les 4 vérités", "publisher")]


def test_bad_records_are_quarantined_with_their_byte_offset_and_the_file_goes_on(
    tmp_path: Path,
) -> None:
    summary, catalogue = _ingest(tmp_path, MARC / "pymarc" / "bad_records.mrc", "marc21")
    assert summary.read == 8
    entries = {q.line: q for q in catalogue.quarantine()}
    assert entries[2].reason == "reason.bad_marc"
    assert entries[2].params["offset"] == "127"  # after the first record's 127 bytes
    assert "BaseAddressInvalid" in entries[2].params["detail"]
    assert "RecordDirectoryInvalid" in entries[4].params["detail"]
    assert entries[6].params["offset"] == str(127 * 3 + 128 * 2)
    # Records 1 and 8 are well-formed but have no 001.
    assert entries[1].reason == entries[8].reason == "reason.missing_id"


def test_truncated_and_corrupted_real_records(tmp_path: Path) -> None:
    data = (MARC / "pymarc" / "marc.dat").read_bytes()
    ends = [i + 1 for i, byte in enumerate(data) if byte == 0x1D]
    broken = bytearray(data[: ends[-1] - 40])  # the last record cut short
    # The third record's first directory entry loses a digit of its length (« 00x0… »).
    third = ends[1]
    broken[third + 24 + 5] = ord("x")
    path = tmp_path / "broken.mrc"
    path.write_bytes(bytes(broken))
    items = list(read_marc(path))
    problems = [i for i in items if isinstance(i, ReadProblem)]
    found = [(p.line, p.params["offset"]) for p in problems]
    assert found == [(3, str(third)), (20, str(ends[-2]))]
    assert all(p.reason == "reason.bad_marc" for p in problems)
    assert sum(isinstance(i, RawRecord) for i in items) == 18
    summary, _ = _ingest(tmp_path, path, "marc21")
    assert (summary.read, summary.created, summary.quarantined) == (20, 18, 2)


def test_marc8_record_is_decoded_from_its_leader(tmp_path: Path) -> None:
    # Leader/09 blank: MARC-8, where « é » is the combining acute 0xE2 before the « e ».
    record = pymarc.Record(leader="00000cam  2200000   4500")
    record.add_field(pymarc.Field(tag="001", data="m8"))
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", "Pr#eludes")],
        )
    )
    written = bytes(record.as_marc())  # pymarc writes UTF-8 and flags it: made MARC-8 here
    chunk = written[:9] + b" " + written[10:].replace(b"Pr#", b"Pr\xe2")
    title = parse_iso2709(chunk)["245"]["a"]
    assert unicodedata.normalize("NFC", title) == "Préludes"
    # The same text in UTF-8, flagged in the leader (« a »).
    utf8 = parse_iso2709(_utf8_record())
    assert utf8["245"]["a"] == "Préludes"


def _utf8_record() -> bytes:
    record = pymarc.Record(leader="00000cam a2200000   4500", force_utf8=True)
    record.add_field(pymarc.Field(tag="001", data="u8"))
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", "Préludes")],
        )
    )
    return bytes(record.as_marc())


def test_isbd_punctuation_is_trimmed_from_subfields() -> None:
    assert trim("The pragmatic programmer :") == "The pragmatic programmer"
    assert trim("from journeyman to master /") == "from journeyman to master"
    assert trim("Hunt, Andrew,") == "Hunt, Andrew"
    assert trim(", Isaac") == "Isaac"
    assert trim("Computer programming.") == "Computer programming"
    assert trim("Dumas, Alexandre, 1802-1870.") == "Dumas, Alexandre, 1802-1870"
    assert trim("Tolkien, J. R. R.") == "Tolkien, J. R. R."  # initials keep their period
    assert trim("http://www3.oup.co.uk/tweceb/") == "http://www3.oup.co.uk/tweceb/"
    assert trim("\x88L'\x89altra faccia della spirale") == "L'altra faccia della spirale"


def test_cli_ingests_a_marc_file_with_the_same_counts(tmp_path: Path) -> None:
    done = lanterne(
        tmp_path, "ingest", str(MARC / "pymarc" / "bad_records.mrc"), "--profile", "marc21"
    )
    assert done.returncode == 0, done.stderr
    assert "en quarantaine" in done.stdout
    assert "notice MARC illisible" in done.stdout
