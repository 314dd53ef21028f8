"""Crashes the fuzzers found outside the known list, each named after what broke (the inputs
are in ``corpus/`` too, replayed by ``test_fuzz_corpus.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanterne.errors import BadProfile
from lanterne.ingest import Mapper, load_mapping_profile

PROFILE = """name = "p"
version = 1
source = "s"

[reader]
format = "csv"

[record]
id = "id"

[[map]]
to = "title"
from = ["title"]
"""


def test_profile_not_utf8_is_a_bad_profile_not_a_decode_crash(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(PROFILE.replace('"p"', '"café"').encode("latin-1"))
    with pytest.raises(BadProfile) as caught:
        load_mapping_profile(str(path))
    assert "UTF-8" in caught.value.message("en")


def test_profile_bad_pattern_is_a_bad_profile_not_a_regex_crash(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(PROFILE + 'pattern = "(an (unclosed group"\n', "utf-8")
    with pytest.raises(BadProfile) as caught:
        Mapper(load_mapping_profile(str(path)))
    assert "title" in caught.value.message("en")
