"""Mapping profiles applied to hand-made records: each transform and target, and derived flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanterne.errors import BadProfile
from lanterne.ingest import Mapper, RecordProblem, bundled_mapping_profiles, load_mapping_profile
from lanterne.ingest._mapper import Mapped
from lanterne.ingest._mapping_profile import MappingProfile
from lanterne.ingest._records import Encoded, Quarantined
from lanterne.ingest._transform import build_work, transform_record
from lanterne.profile import Work, decode_work

PROFILE = """
name = "t"
version = 1
source = "t"
licence = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

[reader]
format = "csv"

[record]
id = "{musee}:{inv}"

[record.type_rule]
to = "type"
from = ["domaine"]
split = ","
vocab = "types"
unmapped = "drop"

[defaults]
text_language = "fr"
territory_country = "FR"

[[map]]
to = "title"
from = ["titre", "denomination"]
required = true

[[map]]
to = "genre"
from = ["genres"]
split = "[,;]"
null_values = ["Non renseigné"]
vocab = "genres"

[[map]]
to = "contributor.creator"
from = ["auteur"]
split = ";"
null_values = ["anonyme"]
strip_roles = true

[[map]]
to = "created"
from = ["date"]

[[map]]
to = "country"
from = ["pays"]
split = ","

[[map]]
to = "original_language"
from = ["langue"]

[[map]]
to = "territory.region"
from = ["region"]

[[map]]
to = "place.geo"
from = ["xy"]
on_error = "skip"

[[map]]
to = "url"
from = ["site"]
pattern = '^(?:https?://)?(\\S+)$'
template = "https://{value}"

[vocab.types]
"peinture" = "Painting"

[vocab.genres]
"theatre" = "Théâtre"
"danse" = ""
"""


@pytest.fixture
def mapper(tmp_path: Path) -> Mapper:
    path = tmp_path / "t.toml"
    path.write_text(PROFILE, "utf-8")
    return Mapper(load_mapping_profile(str(path)))


def row(**values: str) -> dict[str, str]:
    base = {
        "musee": "M0001",
        "inv": "42",
        "domaine": "costume,peinture",
        "titre": "",
        "denomination": "Robe",
        "genres": "theatre; danse,Non renseigné,Opéra",
        "auteur": "anonyme;WORTH Charles (couturier)",
        "date": "2e moitié XIXe siècle",
        "pays": "France,Belgique",
        "langue": "fre",
        "region": "Provence-Alpes-Côte d'Azur",
        "xy": "43.3, 5.4",
        "site": "www.exemple.fr",
    }
    base.update(values)
    return base


def build(mapper: Mapper, record: dict[str, Any]) -> Work:
    outcome = transform_record(mapper, "record", record)
    assert isinstance(outcome, Encoded), outcome
    return decode_work(outcome.doc)


def test_every_transform(mapper: Mapper) -> None:
    w = build(mapper, row())
    assert w.id == "t:M0001:42"
    # The first domain found in the type table decides: « peinture » → Painting.
    assert w.type.value == "Painting"
    # Empty title column: the next source field gives the title, tagged with the default language.
    assert [(t.value, t.lang) for t in w.titles] == [("Robe", "fr")]
    # « theatre » mapped, « danse » mapped to nothing (dropped), null value skipped, « Opéra » kept.
    assert [g.label for g in w.genres] == ["Théâtre", "Opéra"]
    # « anonyme » is a null value; the role in parentheses becomes the note.
    assert [(c.agent.name, c.note) for c in w.contributors] == [("WORTH Charles", "couturier")]
    assert w.created is not None
    assert (w.created.earliest, w.created.latest) == ("1851-01-01", "1900-12-31")
    assert w.diversity.countries == ["FR", "BE"]
    assert w.diversity.european is True
    # « fre » normalised to BCP 47 « fr »: an original French-language work.
    assert w.diversity.original_languages == ["fr"]
    assert w.diversity.eof is True
    assert [(t.code, t.name) for t in w.diversity.territories] == [
        ("FR-PAC", "Provence-Alpes-Côte d'Azur")
    ]
    assert w.places[0].geo is not None and (w.places[0].geo.lat, w.places[0].geo.lon) == (43.3, 5.4)
    assert w.url == "https://www.exemple.fr"
    assert w.provenance.licence == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def test_regional_language_counts_as_eof_and_english_does_not(mapper: Mapper) -> None:
    assert build(mapper, row(langue="br")).diversity.eof is True  # Breton: décret 90-66 art. 5
    assert build(mapper, row(langue="eng")).diversity.eof is False
    assert build(mapper, row(langue="")).diversity.eof is None  # unknown, never « no »


def test_european_flag_from_countries(mapper: Mapper) -> None:
    assert build(mapper, row(pays="United States of America")).diversity.european is False
    assert build(mapper, row(pays="États-Unis,Allemagne")).diversity.european is True
    assert build(mapper, row(pays="")).diversity.european is None


def test_unknown_type_falls_back_to_creative_work(mapper: Mapper) -> None:
    assert build(mapper, row(domaine="ethnologie")).type.value == "CreativeWork"


@pytest.mark.parametrize(
    ("values", "reason", "field"),
    [
        ({"inv": " "}, "reason.missing_id", "inv"),
        ({"titre": "", "denomination": ""}, "reason.missing_required", "titre,denomination"),
        ({"date": "un jour peut-être"}, "reason.bad_value", "date"),
        ({"pays": "Atlantide"}, "reason.bad_value", "pays"),
        ({"region": "Gondor"}, "reason.bad_value", "region"),
        ({"langue": "zzzz"}, "reason.bad_value", "langue"),
        ({"titre": "x" * 100_001}, "reason.too_long", "titre,denomination"),
    ],
)
def test_problems_name_their_field(
    mapper: Mapper, values: dict[str, str], reason: str, field: str
) -> None:
    outcome = transform_record(mapper, "record", row(**values))
    assert isinstance(outcome, Quarantined)
    assert outcome.reason == reason
    assert outcome.params["field"] == field


def test_skip_on_error_drops_only_that_value(mapper: Mapper) -> None:
    w = build(mapper, row(xy="pas de coordonnées"))
    assert w.places == [] or w.places[0].geo is None


def test_unknown_target_is_a_profile_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(PROFILE.replace('to = "url"', 'to = "urll"'), "utf-8")
    with pytest.raises(BadProfile) as info:
        Mapper(load_mapping_profile(str(path)))
    assert "urll" in info.value.message("fr")


def test_profile_errors_say_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(PROFILE.replace('vocab = "genres"', 'vocab = "absent"'), "utf-8")
    with pytest.raises(BadProfile, match="absent"):
        load_mapping_profile(str(path))
    path.write_text("name = ", "utf-8")
    with pytest.raises(BadProfile):
        load_mapping_profile(str(path))
    with pytest.raises(BadProfile) as info:
        load_mapping_profile("pas-un-profil")
    assert "festivals-france" in info.value.message("fr")


@pytest.mark.parametrize("name", bundled_mapping_profiles())
def test_bundled_profiles_compile(name: str) -> None:
    profile: MappingProfile = load_mapping_profile(name)
    Mapper(profile)
    assert profile.source and profile.version >= 1


def test_joins_with_lookup(tmp_path: Path) -> None:
    (tmp_path / "movies.csv").write_text(
        "movieId,title\n1,La Haine (1995)\n2,Heat (1995)\n", "utf-8"
    )
    (tmp_path / "countries.csv").write_text(
        ",movieId,country\n0,1,Q142\n1,2,Q30\n2,1,Q31\n", "utf-8"
    )
    (tmp_path / "directed.csv").write_text(",movieId,director\n0,1,Q1\n", "utf-8")
    (tmp_path / "directors.csv").write_text(",wikidataURI,name\n0,Q1,Mathieu Kassovitz\n", "utf-8")
    profile = load_mapping_profile("movielens-latest-small")
    profile.join = [j for j in profile.join if j.name in ("countries", "directors")]
    profile.join[0].file = "countries.csv"
    profile.join[1].file = "directed.csv"
    assert profile.join[1].lookup is not None
    profile.join[1].lookup.file = "directors.csv"
    profile.map = [
        r
        for r in profile.map
        if not r.from_ or not r.from_[0].startswith(("@links", "@wikidata", "@facts", "@companies"))
    ]
    from lanterne.ingest._pipeline import _load_join

    mapper = Mapper(profile)
    for join in profile.join:
        mapper.joins[join.name] = _load_join(tmp_path, join, profile)
    haine = build(mapper, {"movieId": "1", "title": "La Haine (1995)", "genres": "Drama"})
    assert haine.title == "La Haine"
    assert haine.published is not None and haine.published.earliest == "1995-01-01"
    assert haine.diversity.countries == ["FR", "BE"]
    assert haine.diversity.european is True
    [director] = haine.contributors
    assert director.agent.name == "Mathieu Kassovitz"
    assert [(i.scheme.value, i.value) for i in director.agent.identifiers] == [("wikidata", "Q1")]
    heat = build(mapper, {"movieId": "2", "title": "Heat (1995)", "genres": "Crime"})
    assert heat.diversity.european is False and heat.contributors == []


def test_build_requires_a_title() -> None:
    profile = load_mapping_profile("festivals-france")
    with pytest.raises(RecordProblem):
        build_work(Mapped({"type": "Festival"}), profile, "x")


def _fresh(tmp_path: Path) -> Mapper:
    path = tmp_path / "fresh.toml"
    path.write_text(PROFILE, "utf-8")
    return Mapper(load_mapping_profile(str(path)))


genre_cells = st.lists(
    st.sampled_from(["theatre", "danse", "Opéra", "Non renseigné", " ", "", "jazz, rock"]),
    max_size=4,
).map(lambda parts: ";".join(parts))
site_cells = st.sampled_from(["www.exemple.fr", "http://a.fr", "deux mots", "", "https://b.org"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(genre_cells, site_cells), min_size=1, max_size=12))
def test_memoised_columns_map_as_a_fresh_mapper_does(
    tmp_path: Path, cells: list[tuple[str, str]]
) -> None:
    """The cleaned values a mapper keeps per raw value never change what a record becomes.

    One mapper sees every record in turn (its memo fills up); each record is also mapped by a
    mapper that has seen nothing. Outcomes are equal, failures included (« deux mots » does not
    match the URL pattern, every time).
    """
    shared = _fresh(tmp_path)
    for genres, site in cells:
        record = row(genres=genres, site=site)
        assert transform_record(shared, "record", dict(record)) == transform_record(
            _fresh(tmp_path), "record", dict(record)
        )
