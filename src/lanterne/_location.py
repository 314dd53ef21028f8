"""Where a catalogue is: a SQLite file, or a PostgreSQL server's URL; and where its own local
files (search index, audits, web settings) go."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
"""What names a PostgreSQL catalogue (libpq's two URL schemes)."""


def is_server(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL server's database rather than a file."""
    return isinstance(location, str) and location.startswith(SCHEMES)


def without_password(url: str) -> str:
    """``url`` with its password (if any) left out: what messages and logs may show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def database_name(url: str) -> str:
    """The database a URL names (``postgresql://h/lanterne`` → ``lanterne``); libpq's default,
    the user's name, is not guessed: ``postgres`` when the URL has none."""
    name = unquote(urlsplit(url).path.lstrip("/"))
    return name or "postgres"


def display_name(location: str | Path) -> str:
    """The catalogue's short name: its file's name, or its database's."""
    if is_server(location):
        return database_name(str(location))
    return Path(location).name


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def beside(location: str | Path, suffix: str) -> Path:
    """Where a catalogue's local file or folder ending in ``suffix`` lives: beside its file
    (``catalogue.sqlite.search``), or for a server's catalogue, under ``var/`` of the working
    folder, named by host, port and database (``var/postgresql-127.0.0.1-5432-lanterne.search``):
    each node keeps its own."""
    if not is_server(location):
        return Path(f"{location}{suffix}")
    parts = urlsplit(str(location))
    host = parts.hostname or "local"
    try:
        port = str(parts.port or 5432)
    except ValueError:
        port = "5432"
    name = _UNSAFE.sub("_", f"postgresql-{host}-{port}-{database_name(str(location))}")
    return Path("var") / f"{name}{suffix}"
