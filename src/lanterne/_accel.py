"""Optional compiled build of the ingest hot path (mypyc), used only when it matches the sources.

``build()`` (``make accel``, part of the set-up) compiles the modules of ``COMPILED`` with
mypyc (it comes with mypy, a pinned development dependency) into ``build/accel/`` beside
``src/`` and writes a manifest holding a digest of every ``.py`` file of the package. At
import, ``enable()`` checks that digest: the compiled modules are used only if they were made
from exactly the sources present, for this Python; otherwise, or with
``LANTERNE_PURE_PYTHON=1``, everything runs as plain Python, with the same behaviour (the test
suite runs both ways). Editing any source therefore falls back to plain Python until the next
``make`` rebuilds.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

COMPILED = (
    "lanterne.ingest._mapper",
    "lanterne.ingest._transform",
    "lanterne.ingest._dates",
    "lanterne.ingest._readers",
    "lanterne.ingest._json",
    "lanterne.ingest._blocks",
    "lanterne.ingest._pipeline",
    "lanterne.catalogue._sqlite",
    "lanterne.profile._codes",
    "lanterne.diagnose._targets",
    "lanterne.diagnose._registry",
    "lanterne.diagnose._rules",
    "lanterne.diagnose._fixes",
    "lanterne.diagnose._diagnosis",
    "lanterne.publish._ntriples",
    "lanterne.profile.schemaorg._write",
    "lanterne.profile.schemaorg._read",
)
PACKAGE = Path(__file__).resolve().parent
BUILD = PACKAGE.parent.parent / "build" / "accel"
MANIFEST = "manifest.json"
OPT_OUT = "LANTERNE_PURE_PYTHON"

_active: dict[str, Path] = {}


def sources_digest(package: Path = PACKAGE) -> str:
    """Digest of every ``.py`` file of the package, with its relative path."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _platform_tag() -> str:
    return f"{sys.implementation.cache_tag}-{sysconfig.get_platform()}"


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled file of each module the manifest lists, before the ``.py`` file."""

    def __init__(self, modules: dict[str, Path]) -> None:
        self.modules = modules

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        location = self.modules.get(fullname)
        if location is None:
            return None
        return importlib.util.spec_from_file_location(fullname, location)


def enable(build: Path = BUILD) -> bool:
    """Use the compiled modules if a matching build exists; ``False`` when running plain Python."""
    if _active:
        return True
    if os.environ.get(OPT_OUT, "").strip() not in ("", "0"):
        return False
    if not is_current(build):
        return False
    manifest = json.loads((build / MANIFEST).read_text("utf-8"))
    modules = {name: build / file for name, file in manifest["modules"].items()}
    if any(name in sys.modules for name in modules):
        return False  # too late: a plain module is already loaded
    _active.update(modules)
    sys.meta_path.insert(0, _CompiledFinder(modules))
    return True


def compiled_modules() -> list[str]:
    """The modules loaded from the compiled build (empty when running plain Python)."""
    return [
        name
        for name in COMPILED
        if name in _active and getattr(sys.modules.get(name), "__file__", "") == str(_active[name])
    ]


def is_current(build: Path = BUILD) -> bool:
    """Whether ``build`` holds a compiled build made from exactly these sources, for this Python."""
    try:
        manifest = json.loads((build / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    modules = manifest.get("modules") or {}
    return (
        manifest.get("platform") == _platform_tag()
        and manifest.get("sources") == sources_digest()
        and bool(modules)
        and all((build / file).is_file() for file in modules.values())
    )


def build(out: Path = BUILD) -> int:
    """Compile ``COMPILED`` with mypyc into ``out``; 0 when done, 1 when it cannot be done here.

    Nothing is compiled when ``out`` already matches the sources (``is_current``): the digest,
    not file dates, decides, so a deleted or renamed source, which leaves no newer file behind
    for ``make`` to see, still triggers a rebuild.
    """
    if is_current(out):
        return 0
    if importlib.util.find_spec("mypyc") is None:
        print("accélération : mypyc absent, Lanterne tourne en Python pur (plus lent)")
        print("acceleration: mypyc missing, Lanterne runs as plain Python (slower)")
        return 1
    digest = sources_digest()
    with tempfile.TemporaryDirectory(prefix="lanterne-accel-") as tmp:
        root = Path(tmp) / "src"
        shutil.copytree(PACKAGE, root / "lanterne", ignore=shutil.ignore_patterns("__pycache__"))
        # The project's libraries without stubs (lxml among them): a compiled module that
        # imports the package's lxml readers, even through its __init__, still builds.
        (root / "mypy.ini").write_text(_mypy_ini(), "utf-8")
        files = [name.replace(".", "/") + ".py" for name in COMPILED]
        done = subprocess.run(
            [sys.executable, "-m", "mypyc", *files],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            print("accélération : la compilation a échoué, Lanterne tourne en Python pur")
            print("acceleration: compiling failed, Lanterne runs as plain Python")
            return 1
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        built = [p for p in root.rglob(f"*{suffix}") if "build" not in p.relative_to(root).parts]
        if out.exists():
            shutil.rmtree(out)
        modules: dict[str, str] = {}
        for path in built:
            relative = path.relative_to(root)
            name = ".".join((*relative.parent.parts, relative.name[: -len(suffix)]))
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            modules[name] = relative.as_posix()
    manifest = {"platform": _platform_tag(), "sources": digest, "modules": modules}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
    print(f"accélération : {len(modules)} modules compilés dans {out}")
    print(f"acceleration: {len(modules)} modules compiled into {out}")
    return 0


def _mypy_ini() -> str:
    """``mypy.ini`` for the build: the modules ``pyproject.toml`` lets go without stubs."""
    import tomllib

    project = PACKAGE.parents[1] / "pyproject.toml"
    modules: list[str] = []
    if project.is_file():
        config = tomllib.loads(project.read_text("utf-8")).get("tool", {}).get("mypy", {})
        for override in config.get("overrides", []):
            if override.get("ignore_missing_imports"):
                modules += override.get("module", [])
    if not modules:
        return "[mypy]\n"
    return f"[mypy]\n\n[mypy-{','.join(modules)}]\nignore_missing_imports = True\n"
