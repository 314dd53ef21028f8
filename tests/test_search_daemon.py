"""The embedding daemon: the model kept loaded between CLI searches, and every way it can be
absent or wrong leaving the search to load the model itself, with the same vectors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from lanterne.search import Encoder
from lanterne.search import _daemon as daemon

TEXTS = ["Les Misérables", "un festival de jazz à Montréal"]


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder for this test's daemon, which is stopped at the end."""
    folder = tmp_path / "run"
    folder.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("LANTERNE_ENCODER_IDLE", "60")
    yield folder
    daemon.stop()


def _wait_until_running(seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if daemon.is_running():
            return
        time.sleep(0.2)
    raise AssertionError("the daemon did not come up")


def test_the_daemon_gives_the_vectors_the_model_gives_here(runtime: Path) -> None:
    assert daemon.start()
    _wait_until_running()
    remote = daemon.remote_encode(TEXTS)
    assert remote is not None
    assert np.array_equal(remote, Encoder().encode(TEXTS))
    assert daemon.socket_path().stat().st_mode & 0o777 == 0o600
    assert daemon.socket_path().parent.stat().st_mode & 0o777 == 0o700


def test_a_search_asks_a_running_daemon_and_never_loads_the_model(runtime: Path) -> None:
    assert daemon.start()
    _wait_until_running()
    encoder = daemon.DaemonEncoder()
    encoder.preload()  # a daemon answers: nothing to load
    vectors = encoder.encode(TEXTS[:1])
    assert encoder.remote == 1
    assert encoder._session is None and encoder._preloader is None
    assert np.array_equal(vectors, Encoder().encode(TEXTS[:1]))


def test_without_a_daemon_the_search_loads_the_model_and_starts_one(runtime: Path) -> None:
    encoder = daemon.DaemonEncoder()
    vectors = encoder.encode(TEXTS)
    assert encoder.remote == 0 and encoder._session is not None
    assert np.array_equal(vectors, Encoder().encode(TEXTS))
    _wait_until_running()  # started for the searches that follow


def test_many_texts_are_encoded_here_even_with_a_daemon(runtime: Path) -> None:
    assert daemon.start()
    _wait_until_running()
    encoder = daemon.DaemonEncoder()
    encoder.encode(["œuvre"] * (daemon.DaemonEncoder.QUERY_TEXTS + 1))
    assert encoder.remote == 0 and encoder._session is not None


def test_a_stale_socket_of_a_killed_daemon_is_replaced(runtime: Path) -> None:
    path = daemon.socket_path()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays, nobody listens: a daemon killed with -9
    assert path.exists() and not daemon.is_running()
    assert daemon.DaemonEncoder().encode(TEXTS[:1]).shape == (1, 512)
    _wait_until_running()


def test_a_folder_others_may_enter_is_never_used(runtime: Path) -> None:
    folder = runtime / f"lanterne-{os.getuid()}"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(PermissionError):
        daemon.socket_path()
    encoder = daemon.DaemonEncoder()
    assert encoder.encode(TEXTS[:1]).shape == (1, 512)
    assert encoder.remote == 0
    assert not daemon.start()
    assert list(folder.iterdir()) == []


def test_a_request_that_is_not_one_leaves_the_daemon_serving(runtime: Path) -> None:
    assert daemon.start()
    _wait_until_running()
    for junk in [b"\x00\x00\x00\x05{oops", b"\x00\x00\x00\x02{}", b"\xff\xff\xff\xff"]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(str(daemon.socket_path()))
            conn.sendall(junk)
            conn.shutdown(socket.SHUT_WR)
            assert conn.recv(16) == b""  # no answer to a non-request
    assert daemon.remote_encode(TEXTS) is not None


def test_the_daemon_leaves_when_idle_and_removes_its_socket(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERNE_ENCODER_IDLE", "2")
    assert daemon.start()
    _wait_until_running()
    deadline = time.monotonic() + 30
    while daemon.socket_path().exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not daemon.socket_path().exists()
    assert not daemon.is_running()


def test_idle_zero_never_starts_a_daemon(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERNE_ENCODER_IDLE", "0")
    assert not daemon.start()
    encoder = daemon.DaemonEncoder()
    encoder.encode(TEXTS[:1])
    time.sleep(0.5)
    assert not daemon.is_running()


def test_idle_zero_never_asks_a_running_daemon(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The benchmark's « without the daemon » side was served by the daemon still running.
    assert daemon.start()
    _wait_until_running()
    monkeypatch.setenv("LANTERNE_ENCODER_IDLE", "0")
    encoder = daemon.DaemonEncoder()
    encoder.preload()
    encoder.encode(TEXTS[:1])
    assert encoder.remote == 0 and encoder._session is not None


def test_two_cli_searches_the_second_served_by_the_daemon(runtime: Path, tmp_path: Path) -> None:
    catalogue = tmp_path / "c.sqlite"
    demo = Path(__file__).parents[1] / "src" / "lanterne" / "demo" / "festivals-demo.csv"
    env = {**os.environ, "LANTERNE_CATALOGUE": str(catalogue)}
    lanterne = [sys.executable, "-m", "lanterne"]
    subprocess.run(
        [*lanterne, "ingest", str(demo), "--profile", "festivals-france"],
        env=env,
        check=True,
        capture_output=True,
    )
    asked = [*lanterne, "search", "festival de musique en Bretagne", "--json"]
    first = subprocess.run(asked, env=env, check=True, capture_output=True, text=True)
    _wait_until_running()
    second = subprocess.run(
        [*lanterne, "search", "théâtre pour enfants", "--json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    # The vector the daemon gave is remembered beside the index: forget it, so that the same
    # search without a daemon computes its own.
    (Path(str(catalogue) + ".search") / "queries.sqlite").unlink()
    again = subprocess.run(
        [*lanterne, "search", "théâtre pour enfants", "--json"],
        env={**env, "LANTERNE_ENCODER_IDLE": "0", "XDG_RUNTIME_DIR": str(tmp_path / "none")},
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(first.stdout)["total"] > 0
    # The daemon's vector and the process's own give the same answer.
    assert json.loads(second.stdout) == json.loads(again.stdout)


def test_a_daemon_killed_by_sigterm_removes_its_socket(runtime: Path) -> None:
    import signal

    assert daemon.start()
    _wait_until_running()
    pid = next(
        int(proc.name)
        for proc in Path("/proc").iterdir()
        if proc.name.isdigit() and str(daemon.socket_path()).encode() in _cmdline(proc)
    )
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while daemon.socket_path().exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not daemon.socket_path().exists()


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""
