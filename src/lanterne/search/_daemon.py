"""The embedding model kept loaded between CLI searches, by a small process of the user's own.

Loading the model is most of a new query's time at ``lanterne search`` (0.5–0.9 s of ~1.1 s on a
5,000-work catalogue, docs/search.md). The first search that needs it loads it itself, as before,
and starts this process beside it; the next searches send their query text over a Unix socket
and get its vector back in milliseconds. It is the pattern of mypy's ``dmypy`` and Gradle's
daemon, cut to one job:

- one process per user and model, its socket in a folder only that user may enter
  (``$XDG_RUNTIME_DIR``, else the temporary folder, ``lanterne-UID/``, mode 0700);
- it leaves by itself once no query came for ``LANTERNE_ENCODER_IDLE`` seconds (0: never
  started, every search loads the model itself);
- anything wrong with it (absent, busy, stale socket, a reply of the wrong size) and the search
  loads the model in its own process: the daemon only ever saves time.

The protocol: a 4-byte big-endian length and that many bytes of UTF-8 JSON (a list of texts);
the reply, the same length prefix and ``len(texts) × DIMENSIONS`` float32 numbers. A length of 0
asks the daemon to leave.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lanterne.search._encoder import DIMENSIONS, MODEL, Encoder

CONNECT_TIMEOUT = 0.2
"""Seconds a search waits to reach the daemon before it loads the model itself."""
REPLY_TIMEOUT = 10.0
"""Seconds a search waits for the vectors of a connected daemon."""
MAX_REQUEST = 1 << 20
"""Most bytes of one request (the texts of one query, bounded long before this)."""


def idle_seconds() -> int:
    """``LANTERNE_ENCODER_IDLE``: how long the daemon waits for a query before leaving."""
    from lanterne.settings import whole

    return whole("encoder_idle")


def socket_path() -> Path:
    """Where this user's daemon for this model listens (the folder is made, mode 0700)."""
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    folder = base / f"lanterne-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        # Someone else's folder, or one others may enter: never talk to a socket there.
        raise PermissionError(f"{folder}: not private to this user")
    tag = hashlib.blake2b(MODEL.encode(), digest_size=6).hexdigest()
    return folder / f"encoder-{tag}.sock"


def _send(conn: socket.socket, payload: bytes) -> None:
    conn.sendall(struct.pack(">I", len(payload)) + payload)


def _receive(conn: socket.socket, limit: int) -> bytes | None:
    head = _exactly(conn, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">I", head)
    if size > limit:
        return None
    return _exactly(conn, size) if size else b""


def _exactly(conn: socket.socket, size: int) -> bytes | None:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = conn.recv(min(left, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def remote_encode(texts: Sequence[str], path: Path | None = None) -> npt.NDArray[np.float32] | None:
    """The vectors of ``texts`` from a running daemon, or ``None`` when none answers well."""
    try:
        where = path or socket_path()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT)
            conn.connect(str(where))
            conn.settimeout(REPLY_TIMEOUT)
            _send(conn, json.dumps(list(texts), ensure_ascii=False).encode())
            reply = _receive(conn, 4 * DIMENSIONS * len(texts))
    except (OSError, ValueError):
        return None
    if reply is None or len(reply) != 4 * DIMENSIONS * len(texts):
        return None
    return np.frombuffer(reply, dtype=np.float32).reshape(len(texts), DIMENSIONS).copy()


def is_running(path: Path | None = None) -> bool:
    """Whether a daemon answers at ``path`` (by default this user's)."""
    return remote_encode(["-"], path) is not None


def start(path: Path | None = None) -> bool:
    """Start the daemon in the background unless the setting says never; True if started."""
    if idle_seconds() <= 0:
        return False
    try:
        where = path or socket_path()
    except OSError:
        return False
    # posix_spawn, not Popen: the daemon outlives this process, which never waits for it (a
    # Popen object would warn that its child still runs); setsid: not killed with the terminal.
    devnull = os.devnull
    os.posix_spawn(
        sys.executable,
        [sys.executable, "-m", "lanterne.search._daemon", str(where), str(idle_seconds())],
        os.environ,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
        ],
        setsid=True,
    )
    return True


def stop(path: Path | None = None) -> bool:
    """Ask the daemon at ``path`` to leave; True if one was asked."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT)
            conn.connect(str(path or socket_path()))
            _send(conn, b"")
            conn.settimeout(REPLY_TIMEOUT)
            _receive(conn, 0)
    except OSError:
        return False
    return True


class DaemonEncoder(Encoder):
    """An encoder that asks this user's daemon for a query's vector, and when none answers loads
    the model itself and starts one for the searches that follow. Many texts at once (an index
    being built) are always encoded here, on every thread."""

    QUERY_TEXTS = 8

    def __init__(self, threads: int = 2) -> None:
        super().__init__(threads)
        # LANTERNE_ENCODER_IDLE=0: no daemon is started, nor asked (each search loads the model).
        self._started = idle_seconds() <= 0
        self.remote = 0
        """Texts the daemon encoded (for tests and ``--json`` timings)."""

    def preload(self) -> None:
        if self._session is None and (self._started or not is_running()):
            super().preload()

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if len(texts) <= self.QUERY_TEXTS and not self._started:
            if self._session is None:
                found = remote_encode(texts)
                if found is not None:
                    self.remote += len(texts)
                    return found
                self._started = start()
            elif not is_running():  # the model was loaded here to build the index
                self._started = start()
        return super().encode(texts)


def serve(path: Path, idle: float) -> None:
    """Load the model, then answer on ``path`` until ``idle`` seconds pass without a query."""
    # Stopped by a signal (kill, a logout), it leaves as when idle: its socket file removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    encoder = Encoder(threads=1)
    encoder.encode(["-"])  # loaded before the socket exists: a client never waits for it
    listener = _bind(path)
    if listener is None:
        return  # another daemon took the place first
    listener.settimeout(1.0)
    last = time.monotonic()
    try:
        while time.monotonic() - last < idle:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            last = time.monotonic()
            with conn:
                if not _answer(conn, encoder):
                    return
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            if path.stat().st_ino == _bound_inode.get(str(path)):
                path.unlink()


_bound_inode: dict[str, int] = {}


def _bind(path: Path) -> socket.socket | None:
    """Listen on ``path``; a socket file nobody answers on (a daemon killed) is replaced."""
    if path.exists():
        if is_running(path):
            return None
        with contextlib.suppress(OSError):
            path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
    except OSError:
        listener.close()
        return None
    path.chmod(0o600)
    listener.listen(8)
    _bound_inode[str(path)] = path.stat().st_ino
    return listener


def _answer(conn: socket.socket, encoder: Encoder) -> bool:
    """Answer one request; False when it asks the daemon to leave."""
    conn.settimeout(REPLY_TIMEOUT)
    try:
        request = _receive(conn, MAX_REQUEST)
        if request == b"":
            _send(conn, b"")
            return False
        if request is None:
            return True
        texts = json.loads(request)
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return True
        _send(conn, encoder.encode(texts).astype(np.float32).tobytes())
    except (OSError, ValueError):
        pass  # a client gone or a request that is not one: the next may be fine
    return True


if __name__ == "__main__":  # pragma: no cover - the process start() launches
    serve(Path(sys.argv[1]), float(sys.argv[2]))
