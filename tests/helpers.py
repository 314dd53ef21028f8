"""Helpers shared by test files (tests/ is on the import path, as pytest puts it there)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def lanterne(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``lanterne`` as a user would, on the catalogue ``folder/c.sqlite``, in a clean env."""
    return subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", str(folder / "c.sqlite"), *args],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LANTERNE_LOG_DIR": str(folder / "log"),
            **env,
        },
        check=False,
    )
