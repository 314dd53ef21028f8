"""OpenRefine itself (Debian's ``openrefine``, run headless) reconciles a CSV column against a
running ``lanterne serve``, through OpenRefine's own HTTP API: it creates a project from an
upload, runs its ``reconcile`` operation with a property column, and its rows come back matched.
The test starts both servers on free loopback ports and removes everything afterwards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconcile_helpers import build

OPENREFINE = shutil.which("openrefine")
if OPENREFINE is None and os.environ.get("CI") == "true":
    # In CI `make test` installs it (make openrefine): a test that cannot run is a failed run.
    raise RuntimeError("CI=true but Debian's openrefine is not installed (make openrefine)")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(OPENREFINE is None, reason="Debian's openrefine is not installed"),
]

SHEET = (
    "titre,auteur\n"
    '"Misérables, Les","Hugo, Victor"\n'
    '"Fabuleux destin d\'Amélie Poulain, Le",Jeunet\n'
    'KAMOURASKA,"HÉBERT, Anne"\n'
    "Bonheur d’occasion,Gabrielle Roy\n"
    "Œuvre au noir (L'),Yourcenar\n"
    "Un titre que personne n'a écrit,\n"
)
EXPECTED = {
    "Misérables, Les": "test:miserables-livre",  # not the film: the author tells them apart
    "Fabuleux destin d'Amélie Poulain, Le": "test:amelie",
    "KAMOURASKA": "test:kamouraska",
    "Bonheur d’occasion": "test:bonheur",
    "Œuvre au noir (L')": "test:oeuvre",
    "Un titre que personne n'a écrit": None,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} ended with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


def _stop(process: subprocess.Popen[bytes]) -> None:
    # Each server leads its own process group (OpenRefine's shell script starts a JVM).
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    catalogue = build(tmp_path / "lanterne")
    work = tmp_path / "openrefine"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "HOME")}
    env |= {
        "LANG": "C.UTF-8",
        "LANTERNE_LOG_DIR": str(tmp_path / "log"),
        "LANTERNE_ENCODER_IDLE": "0",
        "LANTERNE_PURE_PYTHON": os.environ.get("LANTERNE_PURE_PYTHON", ""),
    }
    lanterne_port, refine_port = _free_port(), _free_port()
    started: list[subprocess.Popen[bytes]] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    with (logs / "serve.log").open("wb") as serve_log, (logs / "openrefine.log").open("wb") as log:
        yield from _run(catalogue, work, env, lanterne_port, refine_port, serve_log, log, started)
    shutil.rmtree(tmp_path, ignore_errors=True)


def _run(
    catalogue: Path,
    work: Path,
    env: dict[str, str],
    lanterne_port: int,
    refine_port: int,
    serve_log: Any,
    log: Any,
    started: list[subprocess.Popen[bytes]],
) -> Iterator[tuple[str, str]]:
    try:
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lanterne",
                "--catalogue",
                str(catalogue),
                "serve",
                "--port",
                str(lanterne_port),
            ],
            env=env,
            stdout=serve_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(serve)
        refine = subprocess.Popen(
            [
                str(OPENREFINE),
                "-i",
                "127.0.0.1",
                "-p",
                str(refine_port),
                "-d",
                str(work),
                "-x",
                "refine.headless=true",
            ],
            env=env | {"HOME": str(work)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=work,
        )
        started.append(refine)
        lanterne_url = f"http://127.0.0.1:{lanterne_port}"
        refine_url = f"http://127.0.0.1:{refine_port}"
        _wait(lanterne_url + "/reconcile", serve, 120)
        _wait(refine_url + "/command/core/get-version", refine, 180)
        yield lanterne_url + "/reconcile", refine_url
    finally:
        for process in reversed(started):
            _stop(process)


def test_openrefine_reconciles_a_column_against_lanterne_serve(
    servers: tuple[str, str],
) -> None:
    service, refine = servers
    with httpx.Client(base_url=refine, timeout=60) as client:
        _reconcile_in_openrefine(client, service)


def _reconcile_in_openrefine(client: httpx.Client, service: str) -> None:

    def token() -> str:
        answer: str = client.get("/command/core/get-csrf-token").json()["token"]
        return answer

    options = {
        "separator": ",",
        "headerLines": 1,
        "ignoreLines": -1,
        "skipDataLines": 0,
        "limit": -1,
        "guessCellValueTypes": False,
        "processQuotes": True,
        "storeBlankCellsAsNulls": True,
        "encoding": "UTF-8",
    }
    created = client.post(
        "/command/core/create-project-from-upload",
        params={"csrf_token": token()},
        data={"project-name": "lanterne", "format": "text/line-based/*sv"}
        | {"options": json.dumps(options)},
        files={"project-file": ("feuille.csv", SHEET.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert created.status_code == 302, created.text
    project = created.headers["location"].split("project=")[1]
    manifest = httpx.get(service).json()
    config = {
        "mode": "standard-service",
        "service": service,
        "identifierSpace": manifest["identifierSpace"],
        "schemaSpace": manifest["schemaSpace"],
        "type": {"id": "CreativeWork", "name": "Œuvre"},
        "autoMatch": True,
        "columnDetails": [{"column": "auteur", "propertyName": "creator", "propertyID": "creator"}],
        "limit": 0,
    }
    started = client.post(
        "/command/core/reconcile",
        params={"project": project, "csrf_token": token()},
        data={
            "columnName": "titre",
            "config": json.dumps(config),
            "engine": json.dumps({"facets": [], "mode": "row-based"}),
        },
    )
    assert started.status_code == 200 and "error" not in started.text, started.text
    deadline = time.monotonic() + 120
    while client.get("/command/core/get-processes", params={"project": project}).json()[
        "processes"
    ]:
        assert time.monotonic() < deadline, "OpenRefine's reconciliation did not end"
        time.sleep(0.5)
    rows: dict[str, Any] = client.get(
        "/command/core/get-rows", params={"project": project, "start": 0, "limit": 50}
    ).json()
    recons = rows["pool"]["recons"]
    got: dict[str, str | None] = {}
    for row in rows["rows"]:
        cell = row["cells"][0]
        recon = recons[cell["r"]]
        got[cell["v"]] = recon["m"]["id"] if recon["j"] == "matched" else None
    assert got == EXPECTED
    client.post("/command/core/delete-project", params={"project": project, "csrf_token": token()})
