"""EDM and oai_dc for the five real catalogues of ../shared/data: every EDM record passes the
XSD and Europeana's Schematron or is left out with a reason; every oai_dc record passes its XSD."""

from __future__ import annotations

import itertools
from pathlib import Path

import msgspec
import pytest

from lanterne.catalogue import SqliteCatalogue
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile import Rights, Work
from lanterne.publish import EdmOptions, Standards, Validator, check, edm_record, read_edm

ROOT = Path(__file__).resolve().parents[2] / "shared"
SHARED = ROOT / "data"
STANDARDS = ROOT / "standards"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"real datasets not found at {SHARED}"),
    pytest.mark.skipif(
        not (STANDARDS / "edm").is_dir(), reason=f"standards' files not found at {STANDARDS}"
    ),
]

CATALOGUES = [
    "festivals-france",
    "joconde-costumes",
    "scenes-francophones-events",
    "movielens-latest-small",
    "goodbooks-10k-books",
]
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("publish-five")
    paths = {}
    for name in CATALOGUES:
        path = folder / f"{name}.sqlite"
        with SqliteCatalogue(path) as db:
            ingest(db, SHARED / name, load_mapping_profile(name), IngestOptions(workers=2))
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(Standards.find(STANDARDS))


def _works(path: Path) -> list[Work]:
    with SqliteCatalogue(path) as db:
        return list(db.iter_works())


@pytest.mark.parametrize("rights", ["", CNE])
@pytest.mark.parametrize("name", CATALOGUES)
def test_every_edm_record_is_valid_or_excluded_with_a_reason(
    catalogues: dict[str, Path], validator: Validator, name: str, rights: str
) -> None:
    works = _works(catalogues[name])
    report = check(works, "edm", validator, EdmOptions(rights=rights))
    print(
        f"\n{name} rights={rights or '-'}: {report.total} works, {report.valid} valid, "
        f"{report.excluded} excluded {report.by_reason}, {report.invalid} invalid"
    )
    assert report.total == len(works) > 0
    assert report.valid + report.excluded + report.invalid == report.total
    assert report.invalid == 0, [w for w in report.works if w.status == "invalid"][:3]
    assert all(w.reasons for w in report.works if w.status == "excluded")
    if not rights:
        # No record of the five states the rights of its work: none can go to Europeana.
        assert report.by_reason["publish.rights_missing"] == report.total
    if name == "goodbooks-10k-books" and rights:
        assert report.valid > 0.5 * report.total  # covers with a language, under CNE


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_oai_dc_record_passes_the_oai_dc_xsd(
    catalogues: dict[str, Path], validator: Validator, name: str
) -> None:
    report = check(_works(catalogues[name]), "oai_dc", validator)
    assert report.invalid == 0, [w for w in report.works if w.status == "invalid"][:3]
    assert report.valid == report.total > 0


@pytest.mark.parametrize("name", CATALOGUES)
def test_real_works_given_rights_a_page_and_a_language_make_valid_edm_that_reads_back(
    catalogues: dict[str, Path], validator: Validator, name: str
) -> None:
    # What the real fields (places with museum ids, Wikidata agents, thesaurus terms, odd
    # characters) become once a work has what Europeana asks: each record must pass both files.
    options = EdmOptions(base="https://lanterne.example/")
    written = 0
    for work in itertools.islice(_works(catalogues[name]), 150):
        given = msgspec.structs.replace(
            work,
            rights=Rights(licence="https://creativecommons.org/licenses/by-sa/4.0/"),
            url=work.url or "https://example.org/page",
            in_languages=work.in_languages or ["fr"],
        )
        record = edm_record(given, options)
        if record.xml is None:
            assert [r.key for r in record.reasons] == ["publish.no_edm_type"]
            continue
        written += 1
        assert validator.edm(record.xml) == [], work.id
        back = read_edm(record.xml)
        assert back.id == work.id
        assert [t.value for t in back.titles] == [t.value for t in work.titles]
        assert back.identifiers == work.identifiers
        assert [c.agent.name for c in back.contributors] == [
            c.agent.name for c in work.contributors
        ] or len(back.contributors) < len(work.contributors)  # same agent twice: once in DC
    if name not in ("festivals-france", "scenes-francophones-events"):
        assert written == 150
