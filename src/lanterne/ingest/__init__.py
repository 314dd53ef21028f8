"""Ingest: readers, mapping profiles and the pipeline that fills the catalogue."""

from lanterne.ingest._dates import DateParseError, parse_date_fr
from lanterne.ingest._encoding import detect_encoding
from lanterne.ingest._harvest import HarvestOptions, HarvestState, harvest
from lanterne.ingest._mapper import Mapper, RecordProblem
from lanterne.ingest._mapping_profile import (
    MappingProfile,
    bundled_mapping_profiles,
    load_mapping_profile,
    mapping_profile_schema,
)
from lanterne.ingest._pipeline import ingest, resolve_files
from lanterne.ingest._readers import CsvReader, FileLines, ReadProblem
from lanterne.ingest._records import IngestOptions, IngestSummary, ReadLimits

__all__ = [
    "CsvReader",
    "DateParseError",
    "FileLines",
    "HarvestOptions",
    "HarvestState",
    "IngestOptions",
    "IngestSummary",
    "Mapper",
    "MappingProfile",
    "ReadLimits",
    "ReadProblem",
    "RecordProblem",
    "bundled_mapping_profiles",
    "detect_encoding",
    "harvest",
    "ingest",
    "load_mapping_profile",
    "mapping_profile_schema",
    "parse_date_fr",
    "resolve_files",
]
