"""Validation by the standards' own files: Europeana's EDM XSD and Schematron, the oai_dc XSD.

The files are not shipped with Lanterne (their licence is unclear, ../shared/standards/*/
PROVENANCE.md): ``Standards.find`` takes their folder from ``--standards``, then
``LANTERNE_STANDARDS``, then ``../shared/standards`` beside the source checkout, and says which
file is missing. Nothing is fetched: the XSDs import each other by relative path, and the one
absolute import (``xml.xsd`` from W3C, in simpledc) is resolved to the local copy.
"""

from __future__ import annotations

import functools
from pathlib import Path

import msgspec
from lxml import etree

from lanterne.errors import ToolMissing
from lanterne.publish._xml import parse

_FILES = {
    "edm_xsd": "edm/schema_xsds/EDM.xsd",
    "schematron": "edm/schema_xsds/schematron/schematron.xsl",
    "oai_dc_xsd": "oai-pmh/schemas/oai_dc.xsd",
    "xml_xsd": "oai-pmh/schemas/xml.xsd",
}
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def _checkout_standards() -> Path:
    # src/lanterne/publish/_validate.py → the checkout's parent holds shared/standards.
    return Path(__file__).resolve().parents[4] / "shared" / "standards"


class Standards(msgspec.Struct, frozen=True):
    """The folder holding the standards' files (``edm/``, ``oai-pmh/``)."""

    root: Path

    def path(self, name: str) -> Path:
        return self.root / _FILES[name]

    def missing(self) -> list[str]:
        return [rel for name, rel in _FILES.items() if not self.path(name).is_file()]

    @classmethod
    def find(cls, given: Path | None = None) -> Standards:
        """The standards folder: ``given``, else ``LANTERNE_STANDARDS``, else the checkout's.

        Raises:
            ToolMissing: a file is missing (named in the message, with where to give the folder).
        """
        from lanterne.settings import path as setting_path

        root = given or setting_path("standards") or _checkout_standards()
        found = cls(root)
        missing = found.missing()
        if missing:
            raise ToolMissing("publish.no_standards", missing=", ".join(missing), path=root)
        return found


class _LocalXml(etree.Resolver):  # type: ignore[misc]
    """``http://www.w3.org/2001/03/xml.xsd`` (imported by simpledc) → the local copy."""

    def __init__(self, local: Path) -> None:
        super().__init__()
        self.local = local

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url.endswith("/xml.xsd") and "w3.org" in system_url:
            return self.resolve_filename(str(self.local), context)
        return None


def _schema(path: Path, xml_xsd: Path | None = None) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if xml_xsd is not None:
        parser.resolvers.add(_LocalXml(xml_xsd))
    return etree.XMLSchema(etree.parse(str(path), parser))


class Validator:
    """The EDM XSD, Europeana's Schematron and the oai_dc XSD, each loaded once when first used."""

    def __init__(self, standards: Standards) -> None:
        self.standards = standards

    @functools.cached_property
    def _edm_schema(self) -> etree.XMLSchema:
        return _schema(self.standards.path("edm_xsd"))

    @functools.cached_property
    def _oai_dc_schema(self) -> etree.XMLSchema:
        return _schema(self.standards.path("oai_dc_xsd"), self.standards.path("xml_xsd"))

    @functools.cached_property
    def _schematron(self) -> tuple[object, object]:
        from saxonche import PySaxonProcessor

        processor = PySaxonProcessor(license=False)
        compiler = processor.new_xslt30_processor()
        stylesheet = str(self.standards.path("schematron"))
        return processor, compiler.compile_stylesheet(stylesheet_file=stylesheet)

    def edm_xsd(self, record: bytes) -> list[str]:
        """The EDM XSD's errors for ``record`` (empty: valid)."""
        return _xsd_errors(self._edm_schema, record)

    def edm_schematron(self, record: bytes) -> list[str]:
        """The messages of Europeana's Schematron rules ``record`` fails (empty: none)."""
        processor, executable = self._schematron
        node = processor.parse_xml(xml_text=record.decode("utf-8"))  # type: ignore[attr-defined]
        report = executable.transform_to_string(xdm_node=node)  # type: ignore[attr-defined]
        svrl = parse(str(report))
        messages = []
        for failed in svrl.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
            text = failed.find(f"{_SVRL}text")
            words = " ".join((text.text if text is not None else "").split())
            messages.append(words or str(failed.get("test")))
        return messages

    def edm(self, record: bytes) -> list[str]:
        """XSD errors, then, for a record the XSD accepts, the Schematron's (empty: valid)."""
        return self.edm_xsd(record) or self.edm_schematron(record)

    def oai_dc(self, record: bytes) -> list[str]:
        """The oai_dc XSD's errors for ``record`` (empty: valid)."""
        return _xsd_errors(self._oai_dc_schema, record)


def _xsd_errors(schema: etree.XMLSchema, record: bytes) -> list[str]:
    try:
        doc = parse(record)
    except etree.XMLSyntaxError as exc:
        return [f"XML: {exc}"]
    if schema.validate(doc):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]


__all__ = ["Standards", "Validator"]
