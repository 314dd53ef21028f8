"""Mapping profiles: how one catalogue's fields become the description profile, written as data.

A profile is a TOML file (see docs/profiles.md): which files to read and how, the record id,
``[[map]]`` rules (source field → profile field, with transforms), ``[[join]]`` lookups in other
files, ``[vocab.NAME]`` tables of controlled terms and ``[defaults]`` the source declares for
every record. Bundled profiles live in ``lanterne/ingest/profiles``.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

import msgspec

from lanterne.errors import BadProfile

Format = Literal["csv", "json", "jsonl", "jsonld"]
OnError = Literal["quarantine", "skip"]


class Join(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Rows of another file attached to each record by a shared key."""

    name: str
    file: str
    on: str
    """Column of the main record holding the key."""
    key: str | None = None
    """Column of the join file holding the key (default: same name as ``on``)."""
    lookup: Join | None = None
    """A second join applied to each joined row (e.g. director QID → director name)."""


class Rule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One ``[[map]]`` rule: values from ``from`` (or ``const``) go to the profile field ``to``."""

    to: str
    from_: list[str] = msgspec.field(default_factory=list, name="from")
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


class Defaults(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Facts the source declares for all its records (documented in the profile)."""

    text_language: str | None = None
    in_languages: list[str] = []
    original_languages: list[str] = []
    countries: list[str] = []
    licence: str | None = None
    creation_label: str | None = None
    territory_country: str | None = None


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
    id: str
    """A field name, or a template such as ``{Code_Museofile}:{Numero_inventaire}``."""
    type: str | None = None
    type_rule: Rule | None = None


class MappingProfile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    version: int
    source: str
    title: str = ""
    description: str = ""
    licence: str | None = None
    attribution: str | None = None
    reader: Reader
    record: Record
    map: list[Rule] = []
    join: list[Join] = []
    vocab: dict[str, dict[str, str]] = {}
    defaults: Defaults = msgspec.field(default_factory=Defaults)
    path: str = ""
    text: str = ""
    """The profile's TOML as read: part of what decides whether a record must be mapped again."""

    def source_columns(self) -> set[str]:
        """Columns the rules read from the main file (joins and ``@`` references excluded)."""
        columns = {c for r in self.map for c in (*r.from_, *r.id_from) if not c.startswith("@")}
        if self.record.type_rule:
            columns.update(c for c in self.record.type_rule.from_ if not c.startswith("@"))
        return columns


def bundled_profiles() -> list[str]:
    folder = resources.files("lanterne.ingest").joinpath("profiles")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_profile(name_or_path: str) -> MappingProfile:
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
        known = ", ".join(bundled_profiles())
        raise BadProfile("profile.file_not_found", path=path, known=known)
    else:
        resource = resources.files("lanterne.ingest").joinpath("profiles", f"{name_or_path}.toml")
        if not resource.is_file():
            raise BadProfile(
                "profile.not_found", name=name_or_path, known=", ".join(bundled_profiles())
            )
        text = resource.read_text("utf-8")
        where = f"{name_or_path}.toml"
    try:
        data = tomllib.loads(text)
        profile = msgspec.convert(data, MappingProfile)
    except tomllib.TOMLDecodeError as exc:
        raise BadProfile("profile.invalid", path=where, detail=str(exc)) from None
    except msgspec.ValidationError as exc:
        raise BadProfile("profile.invalid", path=where, detail=str(exc)) from None
    for rule in profile.map:
        if rule.vocab and rule.vocab not in profile.vocab:
            raise BadProfile(
                "profile.invalid",
                path=where,
                detail=f"table [vocab.{rule.vocab}] absente (règle {rule.to})",
            )
        if not rule.from_ and rule.const is None:
            raise BadProfile(
                "profile.invalid", path=where, detail=f"règle {rule.to} sans « from » ni « const »"
            )
    type_rule = [profile.record.type_rule] if profile.record.type_rule else []
    for rule in [*profile.map, *type_rule]:
        # The mapper compiles each pattern; a bad one is the profile's fault, said before reading.
        try:
            re.compile(rule.pattern or "")
        except re.error as exc:
            detail = f"motif invalide (règle {rule.to}) : {exc}"
            raise BadProfile("profile.invalid", path=where, detail=detail) from None
    profile.path = where
    profile.text = text
    return profile
