"""Validation by the standards' own files (../shared/standards): Europeana's EDM XSD and
Schematron, the oai_dc XSD; Metis' example records prove the checker fails when it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanterne.errors import ToolMissing
from lanterne.publish import (
    EdmOptions,
    Standards,
    Validator,
    check,
    edm_record,
    work_to_dc,
)
from test_publish_crosswalk import painting

STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
EXAMPLES = STANDARDS / "edm" / "examples"

pytestmark = pytest.mark.skipif(
    not (STANDARDS / "edm").is_dir(),
    reason=f"standards' files not found at {STANDARDS} (../shared/standards)",
)


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(Standards.find(STANDARDS))


def test_a_lanterne_edm_record_passes_the_xsd_and_the_schematron(validator: Validator) -> None:
    xml = edm_record(painting(), EdmOptions(base="https://lanterne.example/")).xml
    assert xml is not None
    assert validator.edm_xsd(xml) == []
    assert validator.edm_schematron(xml) == []


def test_a_lanterne_oai_dc_record_passes_the_oai_dc_xsd(validator: Validator) -> None:
    assert validator.oai_dc(work_to_dc(painting())) == []


def test_the_oai_dc_xsd_fails_an_element_simple_dc_does_not_have(validator: Validator) -> None:
    bad = work_to_dc(painting()).replace(b"<dc:coverage>", b"<dc:spatial>", 1)
    bad = bad.replace(b"</dc:coverage>", b"</dc:spatial>", 1)
    errors = validator.oai_dc(bad)
    assert len(errors) == 1 and "spatial" in errors[0]


def test_metis_record_that_passes_the_xsd(validator: Validator) -> None:
    # Metis' « valid » example passes the XSD; against today's Schematron it has no title and
    # a rights URI that is not a statement, and the checker says so.
    record = (EXAMPLES / "Item_35834473.xml").read_bytes()
    assert validator.edm_xsd(record) == []
    assert validator.edm_schematron(record) == [
        "Invalid Rights Statements",
        "A ProvidedCHO must have a non empty dc:title or a non empty dc:description",
    ]


def test_metis_records_that_fail_give_europeanas_messages(validator: Validator) -> None:
    wrong = validator.edm((EXAMPLES / "Item_35834473_wrong.xml").read_bytes())
    assert len(wrong) == 1 and "ore/terms/}Proxy': This element is not expected" in wrong[0]
    assert validator.edm((EXAMPLES / "Item_schematron_invalid.xml").read_bytes()) == [
        "An ore:Aggregation must have at least one instance of edm:dataProvider",
        "Invalid Rights Statements",
    ]
    source = validator.edm(
        (EXAMPLES / "edm_external_invalid_schema_digitalSourceType.xml").read_bytes()
    )
    assert len(source) == 1
    assert source[0].startswith("Invalid edm:WebResource/schema:digitalSourceType")
    usage = validator.edm((EXAMPLES / "edm_external_invalid_edm_intendedUsage.xml").read_bytes())
    assert len(usage) == 1 and usage[0].startswith("Invalid edm:WebResource/edm:intendedUsage")


def test_an_https_creative_commons_uri_fails_the_schematron(validator: Validator) -> None:
    # Why the crosswalk rewrites licences: Europeana matches http:// only.
    xml = edm_record(painting(), EdmOptions()).xml or b""
    https = xml.replace(
        b'"http://creativecommons.org/publicdomain/mark/1.0/"',
        b'"https://creativecommons.org/publicdomain/mark/1.0/"',
    )
    assert https != xml
    assert validator.edm(https) == ["Invalid Rights Statements"]


def test_check_counts_add_up_and_name_each_work(validator: Validator) -> None:
    import msgspec

    works = [
        painting(),
        msgspec.structs.replace(painting(), id="joconde:2", rights=None, media=[]),
    ]
    report = check(works, "edm", validator, EdmOptions())
    assert (report.total, report.valid, report.excluded, report.invalid) == (2, 1, 1, 0)
    assert [(w.work_id, w.status) for w in report.works] == [
        ("joconde:M0324:OA 1", "valid"),
        ("joconde:2", "excluded"),
    ]
    assert report.by_reason == {"publish.rights_missing": 1}
    dc = check(works, "oai_dc", validator)
    assert (dc.total, dc.valid) == (2, 2)


def test_a_missing_standards_folder_says_what_is_missing_and_where(tmp_path: Path) -> None:
    with pytest.raises(ToolMissing) as caught:
        Standards.find(tmp_path)
    message = caught.value.message("en")
    assert "edm/schema_xsds/EDM.xsd" in message and str(tmp_path) in message
    assert "--standards" in message
