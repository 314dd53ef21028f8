"""Mapping profiles: how one catalogue's fields become the description profile, written as data.

A profile is a TOML file (see docs/profiles.md): which files to read and how, the record id,
``[[map]]`` field mappings (source field → profile field, with transforms), ``[[join]]`` lookups
in other files, ``[vocab.NAME]`` tables of controlled terms and ``[defaults]`` the source declares
for every record. Bundled profiles live in ``lanterne/ingest/profiles``.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from lanterne.errors import BadProfile
from lanterne.messages import say
from lanterne.profile import Role, url_problem

Format = Literal["csv", "json", "jsonl", "jsonld", "marc", "oai_dc", "edm"]
OnError = Literal["quarantine", "skip"]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1, pattern=r"\S")]
SourceName = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Prefix of every work id (source:id): letters, digits, . _ -, at most 64.",
    ),
]


class Join(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Rows of another file attached to each record by a shared key."""

    name: NonEmpty
    file: NonEmpty
    on: NonEmpty
    """Column of the main record holding the key."""
    key: str | None = None
    """Column of the join file holding the key (default: same name as ``on``)."""
    lookup: Join | None = None
    """A second join applied to each joined row (e.g. director QID → director name)."""


class FieldMapping(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One ``[[map]]`` field mapping: the values of ``from`` (or ``const``) go to field ``to``."""

    to: NonEmpty
    from_: list[NonEmpty] = msgspec.field(default_factory=list, name="from")
    const: str | None = None
    required: bool = False
    on_error: OnError = "quarantine"
    split: str | None = None
    null_values: list[str] = []
    vocab: str | None = None
    unmapped: Literal["keep", "drop", "error"] = "keep"
    pattern: str | None = None
    template: str | None = None
    lang: str | None = None
    vocabulary: str | None = None
    id_from: list[str] = []
    id_scheme: str | None = None
    kind: str | None = None
    country: str | None = None
    strip_roles: bool = False
    category: str | None = None
    join: str | None = None
    """Separator used to join several ``from`` values into one text."""
    json: str | None = None
    """Read each cell as JSON and take the values at this dotted path inside it (``""``: the
    value itself); lists are followed element by element (``iso_3166_1`` takes that key of every
    object of a list). For exports whose CSV cells hold JSON lists."""
    lang_from: str | None = None
    """A field of the same record holding the language of this mapping's texts (e.g. an original
    title's ``original_language``); ``lang`` (or the source's ``text_language``) when empty."""
    sentence_case: list[str] = []
    """Fields among ``from`` that the source writes in Title Case (Joconde's denominations,
    « Bouton De Vêtement »): their values are put in French sentence case (« Bouton de
    vêtement »); acronyms and words with inner capitals keep theirs."""
    each: str | None = None
    """Apply the mapping to each object of the list at this field, one by one (a MARC field's
    occurrences, ``each = "700"``): ``from``, ``id_from`` and ``role_from`` then name keys of
    that object (``a``, ``4``), so a name keeps its own relator code."""
    role_from: list[str] = []
    """Contributors: keys whose first value found in the ``roles`` table gives the role (a MARC
    relator code ``4`` or term ``e``); the target's role when none is."""
    roles: str | None = None
    """The ``[vocab.NAME]`` table of role codes and terms → roles (``aut`` → ``author``)."""
    unmatched: Literal["error", "drop"] = "error"
    """A value ``pattern`` does not match: the record's value is invalid (``error``), or that value
    alone is left out (``drop``: a 035 holds an ARK among other numbers)."""


class Defaults(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Facts the source declares for all its records (documented in the profile)."""

    text_language: str | None = None
    in_languages: list[str] = []
    original_languages: list[str] = []
    countries: list[str] = []
    licence: str | None = None
    creation_label: str | None = None
    territory_country: str | None = None
    tdm_reservation: Literal[0, 1] | None = None
    """TDMRep's ``tdm-reservation`` of every record without its own: 1 reserves text and data
    mining (the DSM directive's art. 4 opt-out), 0 does not."""
    tdm_policy: str | None = None
    """TDMRep's ``tdm-policy``: the URL of the source's ODRL policy (read only when reserved)."""


class Reader(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    format: Format
    files: list[str] = []
    encoding: str = "auto"
    delimiter: str = "auto"
    records_path: str = ""
    types: list[str] = []
    """JSON-LD: schema.org types of the nodes that are works (others are linked entities)."""
    context_files: list[str] = []
    """JSON-LD: more files whose nodes links may point to (artists, places…)."""


class Record(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: NonEmpty
    """A field name, or a template such as ``{Code_Museofile}:{Numero_inventaire}``."""
    type: str | None = None
    type_rule: FieldMapping | None = None


class MappingProfile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: NonEmpty
    version: Annotated[int, msgspec.Meta(ge=1)]
    source: SourceName
    title: str = ""
    description: str = ""
    licence: str | None = None
    attribution: str | None = None
    reader: Reader
    record: Record
    map: list[FieldMapping] = []
    join: list[Join] = []
    vocab: dict[str, dict[str, str]] = {}
    defaults: Defaults = msgspec.field(default_factory=Defaults)
    path: str = ""
    text: str = ""
    """The profile's TOML as read: part of what decides whether a record must be mapped again."""

    def source_columns(self) -> set[str]:
        """Columns the mappings read from the main file (joins and ``@`` references excluded)."""
        columns = {
            c
            for r in self.map
            for c in ((r.each,) if r.each else (*r.from_, *r.id_from))
            if not c.startswith("@")
        }
        if self.record.type_rule:
            columns.update(c for c in self.record.type_rule.from_ if not c.startswith("@"))
        return columns


def mapping_profile_schema() -> dict[str, Any]:
    """The JSON Schema of a mapping profile (its TOML read as data), docs/schema/."""
    schema: dict[str, Any] = msgspec.json.schema(MappingProfile)
    definitions = schema.get("$defs", {})
    # Filled in by load_mapping_profile, never written in a profile.
    for internal in ("path", "text"):
        definitions.get("MappingProfile", {}).get("properties", {}).pop(internal, None)
    return schema


def bundled_mapping_profiles() -> list[str]:
    folder = resources.files("lanterne.ingest").joinpath("profiles")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_mapping_profile(name_or_path: str) -> MappingProfile:
    """A bundled profile by name, or a profile file by path. Raises ``BadProfile``."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.exists():
        where = str(path)
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            detail = f"pas en UTF-8 (octet 0x{exc.object[exc.start]:02x} à la position {exc.start})"
            raise BadProfile("profile.invalid", path=where, detail=detail) from None
    elif path.suffix == ".toml" or len(path.parts) > 1:
        known = ", ".join(bundled_mapping_profiles())
        raise BadProfile("profile.file_not_found", path=path, known=known)
    else:
        resource = resources.files("lanterne.ingest").joinpath("profiles", f"{name_or_path}.toml")
        if not resource.is_file():
            raise BadProfile(
                "profile.not_found", name=name_or_path, known=", ".join(bundled_mapping_profiles())
            )
        text = resource.read_text("utf-8")
        where = f"{name_or_path}.toml"
    try:
        data = tomllib.loads(text)
        profile = msgspec.convert(data, MappingProfile)
    except tomllib.TOMLDecodeError as exc:
        raise BadProfile("profile.invalid", path=where, detail=str(exc)) from None
    except msgspec.ValidationError as exc:
        detail = str(exc)
        if detail.endswith("`$.source`"):
            detail += (
                " — « source » : le préfixe des identifiants des œuvres, non vide ; lettres, "
                'chiffres, . _ - (64 au plus), par exemple source = "mon-musee" / the prefix of '
                "work ids, not empty: letters, digits, . _ - (at most 64)"
            )
        raise BadProfile("profile.invalid", path=where, detail=detail) from None
    for mapping in profile.map:
        if mapping.vocab and mapping.vocab not in profile.vocab:
            raise BadProfile(
                "profile.invalid",
                path=where,
                detail=f"table [vocab.{mapping.vocab}] absente (règle {mapping.to})",
            )
        if mapping.roles and mapping.roles not in profile.vocab:
            raise BadProfile(
                "profile.invalid",
                path=where,
                detail=f"table [vocab.{mapping.roles}] absente (règle {mapping.to})",
            )
        if mapping.roles:
            allowed = {r.value for r in Role}
            wrong = sorted(set(profile.vocab[mapping.roles].values()) - allowed)
            if wrong:
                detail = (
                    f"rôles inconnus dans [vocab.{mapping.roles}] : {', '.join(wrong)} "
                    f"(rôles possibles : {', '.join(sorted(allowed))})"
                )
                raise BadProfile("profile.invalid", path=where, detail=detail)
        if not mapping.from_ and mapping.const is None:
            raise BadProfile(
                "profile.invalid",
                path=where,
                detail=f"règle {mapping.to} sans « from » ni « const »",
            )
    for name, link in (
        ("licence", profile.licence),
        ("defaults.licence", profile.defaults.licence),
        ("defaults.tdm_policy", profile.defaults.tdm_policy),
    ):
        problem = url_problem(link) if link is not None else None
        if problem is not None:
            # Every work of the source would carry it: refused here rather than dropped per work.
            why = say(problem[0], "fr", detail=problem[1])
            raise BadProfile("profile.invalid", path=where, detail=f"{name} « {link} » : {why}")
    type_rule = [profile.record.type_rule] if profile.record.type_rule else []
    for mapping in [*profile.map, *type_rule]:
        # The mapper compiles each pattern; a bad one is the profile's fault, said before reading.
        try:
            re.compile(mapping.pattern or "")
        except re.error as exc:
            detail = f"motif invalide (règle {mapping.to}) : {exc}"
            raise BadProfile("profile.invalid", path=where, detail=detail) from None
    profile.path = where
    profile.text = text
    return profile
