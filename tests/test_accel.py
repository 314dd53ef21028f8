"""The optional compiled build is used only when it was made from exactly the present sources."""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lanterne import _accel


def _fake_build(tmp_path: Path, sources: str) -> Path:
    build = tmp_path / "accel"
    (build / "lanterne" / "ingest").mkdir(parents=True)
    so = build / "lanterne" / "ingest" / "_nothing.so"
    so.write_bytes(b"not a library")
    manifest = {
        "platform": _accel._platform_tag(),
        "sources": sources,
        "modules": {"lanterne.ingest._nothing": "lanterne/ingest/_nothing.so"},
    }
    (build / _accel.MANIFEST).write_text(json.dumps(manifest), "utf-8")
    return build


def test_a_build_from_other_sources_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _fake_build(tmp_path, sources="0" * 64)
    monkeypatch.setattr(_accel, "_active", {})
    monkeypatch.delenv(_accel.OPT_OUT, raising=False)
    before = list(sys.meta_path)
    assert _accel.enable(build) is False
    assert sys.meta_path == before


def test_a_build_for_another_python_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _fake_build(tmp_path, sources=_accel.sources_digest())
    manifest = json.loads((build / _accel.MANIFEST).read_text("utf-8"))
    manifest["platform"] = "cpython-39-elsewhere"
    (build / _accel.MANIFEST).write_text(json.dumps(manifest), "utf-8")
    monkeypatch.setattr(_accel, "_active", {})
    monkeypatch.delenv(_accel.OPT_OUT, raising=False)
    assert _accel.enable(build) is False


def test_the_opt_out_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = _fake_build(tmp_path, sources=_accel.sources_digest())
    monkeypatch.setattr(_accel, "_active", {})
    monkeypatch.setenv(_accel.OPT_OUT, "1")
    before = list(sys.meta_path)
    assert _accel.enable(build) is False
    assert sys.meta_path == before


def test_the_digest_covers_every_source_file(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n", "utf-8")
    (package / "sub" / "b.py").write_text("B = 2\n", "utf-8")
    first = _accel.sources_digest(package)
    (package / "sub" / "b.py").write_text("B = 3\n", "utf-8")
    assert _accel.sources_digest(package) != first


@pytest.mark.skipif(
    not (_accel.BUILD / _accel.MANIFEST).is_file(),
    reason="no compiled build here (make accel needs mypyc and a C compiler)",
)
def test_a_matching_build_replaces_the_hot_path_modules() -> None:
    manifest = json.loads((_accel.BUILD / _accel.MANIFEST).read_text("utf-8"))
    if manifest["sources"] != _accel.sources_digest():
        pytest.skip("the compiled build is older than the sources: run make accel")
    env = {k: v for k, v in os.environ.items() if k != _accel.OPT_OUT}
    code = (
        "import lanterne.ingest, lanterne.catalogue, lanterne.profile, lanterne.diagnose\n"
        "import lanterne.publish._ntriples  # the dump's hot path\n"
        "lanterne.diagnose.rules()  # the rules and fixes load from the registry when asked for\n"
        "from lanterne._accel import compiled_modules\n"
        "print(','.join(compiled_modules()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().split(",") == list(_accel.COMPILED)


def test_a_matching_build_is_found_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = _fake_build(tmp_path, sources=_accel.sources_digest())
    monkeypatch.setattr(_accel, "_active", {})
    monkeypatch.delenv(_accel.OPT_OUT, raising=False)
    before = list(sys.meta_path)
    try:
        assert _accel.enable(build) is True
        finder = sys.meta_path[0]
        assert finder not in before
        spec = finder.find_spec("lanterne.ingest._nothing", None)
        assert spec is not None and spec.origin == str(build / "lanterne/ingest/_nothing.so")
        assert finder.find_spec("lanterne.ingest._mapper", None) is None  # not in this build
    finally:
        sys.meta_path[:] = before


def _rebound_exception_names(source: str) -> list[str]:
    """Names one function binds in ``except ... as NAME`` clauses of different types."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        types: dict[str, set[str]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.ExceptHandler) and node.name and node.type is not None:
                types.setdefault(node.name, set()).add(ast.unparse(node.type))
        found += [f"{function.name}: {name}" for name, kinds in types.items() if len(kinds) > 1]
    return found


def test_compiled_modules_never_rebind_an_exception_name_to_another_type() -> None:
    # mypyc gives a local one type from its first binding: `except RecordTooLarge as exc` then
    # `except csv.Error as exc` in one function raised « RecordTooLarge object expected; got
    # _csv.Error » in the compiled reader only, on every CSV with a stray quote.
    package = Path(_accel.__file__).resolve().parent
    rebound = {
        name: found
        for name in _accel.COMPILED
        if (
            found := _rebound_exception_names(
                (package.parent / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
            )
        )
    }
    assert rebound == {}
    assert _rebound_exception_names(
        "def f():\n try: pass\n except KeyError as e: pass\n except OSError as e: pass\n"
    ) == ["f: e"]


def test_the_plain_python_run_loads_every_compiled_module() -> None:
    # `make unit-pure` runs only PURE_TESTS: together they must import every module mypyc
    # compiles, or one would go unchecked as the plain Python that runs without a compiler.
    root = Path(__file__).resolve().parents[1]
    makefile = (root / "Makefile").read_text("utf-8").replace("\\\n", " ")
    line = next(x for x in makefile.splitlines() if x.startswith("PURE_TESTS ="))
    files = line.split("=", 1)[1].split()
    assert files and all((root / f).is_file() for f in files), files
    script = (
        "import importlib.util, json, sys\n"
        "for i, f in enumerate(sys.argv[1:]):\n"
        "    spec = importlib.util.spec_from_file_location(f'pure_{i}', f)\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        # the rules and fixes load when the diagnosis tests first ask the registry for them
        "from lanterne import registry\n"
        "registry.components('quality_rule'), registry.components('fix')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('lanterne'))))\n"
    )
    env = {
        **os.environ,
        "LANTERNE_PURE_PYTHON": "1",
        "PYTHONPATH": os.pathsep.join(
            [str(root / "tests"), str(root / "tests" / "fuzz"), str(root / "src")]
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *files],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert set(_accel.COMPILED) - loaded == set()


_STRUCT_OPTIONS = (
    "frozen",
    "kw_only",
    "gc",
    "forbid_unknown_fields",
    "omit_defaults",
    "array_like",
)


def _declared_structs(source: str) -> dict[str, dict[str, object]]:
    """The msgspec Structs a module declares, with the options its class line gives."""
    found: dict[str, dict[str, object]] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(ast.unparse(b) in ("msgspec.Struct", "Struct") for b in node.bases):
            continue
        found[node.name] = {
            k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg in _STRUCT_OPTIONS
        }
    return found


def test_no_compiled_module_declares_a_struct_with_class_options() -> None:
    # mypyc drops the keywords of a class line (python/mypy#21938): compiled, `frozen=True`,
    # `kw_only=True` and `gc=False` of 17 Structs were silently lost (a frozen link record
    # could be changed, a kw_only option built positionally). Such Structs live in modules
    # mypyc does not compile (ingest/_records.py, diagnose/_results.py).
    package = Path(_accel.__file__).resolve().parent
    with_options = {
        f"{name}.{cls}": options
        for name in _accel.COMPILED
        for cls, options in _declared_structs(
            (package.parent / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        ).items()
        if options
    }
    assert with_options == {}
    assert _declared_structs("class A(msgspec.Struct, frozen=True):\n x: int\n") == {
        "A": {"frozen": True}
    }


@pytest.mark.parametrize("module", ["lanterne.ingest._records", "lanterne.diagnose._results"])
def test_structs_moved_out_of_compiled_modules_keep_their_options(module: str) -> None:
    import importlib

    assert module not in _accel.COMPILED
    loaded = importlib.import_module(module)
    source = Path(loaded.__file__ or "").read_text(encoding="utf-8")
    declared = _declared_structs(source)
    lost = []
    for cls_name, options in declared.items():
        cls = getattr(loaded, cls_name)
        for option, value in options.items():
            if option == "kw_only":  # not in the config: the constructor says it
                parameters = inspect.signature(cls).parameters.values()
                actual = all(p.kind is p.KEYWORD_ONLY for p in parameters)
            else:
                actual = getattr(cls.__struct_config__, option)
            if actual != value:
                lost.append(f"{cls_name}.{option}")
    assert len(declared) >= 8
    assert lost == []


def test_make_accel_rebuilds_after_a_source_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make accel`` once said « nothing to be done » after a rename: the deleted file left no
    newer date behind, the digest no longer matched, and everything ran as plain Python."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text("utf-8")
    rule = makefile.split("\naccel:", 1)[1].split("\n\n", 1)[0]
    assert "build()" in rule, "the accel rule must ask build(), which compares digests"
    assert "$(SOURCES)" not in rule and "manifest.json" not in rule.split("\n", 1)[0]
    calls: list[object] = []
    monkeypatch.setattr(_accel.subprocess, "run", lambda *a, **k: calls.append(a) or None)
    current = _fake_build(tmp_path, _accel.sources_digest())
    assert _accel.is_current(current)
    assert _accel.build(current) == 0 and calls == [], "a current build is not compiled again"
    stale = _fake_build(tmp_path / "stale", "digest of sources one of which is gone")
    assert not _accel.is_current(stale)
    monkeypatch.setattr(_accel.importlib.util, "find_spec", lambda name: None)
    assert _accel.build(stale) == 1, "a stale build goes on to compile (here: mypyc absent)"
