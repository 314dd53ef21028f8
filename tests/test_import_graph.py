"""The import graph of ``src/lanterne`` runs one way (../shared/STYLE.md, convention 1).

The graph is read from the source with ``ast``, not by importing: an import inside a function
(often written to hide a cycle) or under ``if TYPE_CHECKING`` counts as much as one at the top
of a module. A module ``lanterne.a.b`` also depends on its packages' ``__init__`` modules, which
Python runs first: an import of ``lanterne.a.b`` from outside ``lanterne.a`` is an edge to
both. Edges from a module to its own packages are left out (Python has started them already),
so that a package re-exporting its own modules is not a cycle with them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.Module, name: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The lanterne modules a module's ``import`` statements name, wherever they stand."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            for alias in node.names:
                # ``from lanterne.recommend import _metrics`` imports a module, not a name.
                if f"{target}.{alias.name}" in known:
                    yield f"{target}.{alias.name}"


def build_graph(root: Path = SRC, package: str = "lanterne") -> Graph:
    """Module → the lanterne modules it imports (the nearest known module of a dotted name)."""
    files = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    known = set(files)
    graph: Graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text("utf-8"), str(path))
        edges: set[str] = set()
        for target in _imported(tree, name, path.name == "__init__.py", known):
            while target and target not in known:
                target = target.rpartition(".")[0]
            # Importing lanterne.x._y from outside lanterne.x runs lanterne.x's __init__ first.
            while target and target != package:
                if target != name and not name.startswith(f"{target}."):
                    edges.add(target)
                target = target.rpartition(".")[0]
        graph[name] = edges
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def forbidden(graph: Graph, importer: str, imported: str) -> list[tuple[str, str]]:
    """Edges from a module of package ``importer`` to one of package ``imported``."""
    return sorted(
        (a, b)
        for a, targets in graph.items()
        if _within(a, importer)
        for b in targets
        if _within(b, imported)
    )


def outside(graph: Graph, package: str, allowed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Edges from a module of ``package`` to a lanterne module outside it (and ``allowed``)."""
    keep = [package, *allowed]
    return sorted(
        (a, b)
        for a, targets in graph.items()
        if _within(a, package)
        for b in targets
        if not any(_within(b, k) for k in keep)
    )


def private_crossings(graph: Graph) -> list[tuple[str, str]]:
    """Edges into another package's private module (``lanterne.x._y`` from outside ``x``)."""
    out = []
    for a, targets in graph.items():
        for b in targets:
            parts = b.split(".")
            private = next((i for i, p in enumerate(parts) if p.startswith("_")), None)
            if private is None or private < 2:
                continue  # lanterne._accel and the like are the whole package's helpers
            owner = ".".join(parts[:private])
            if not _within(a, owner):
                out.append((a, b))
    return sorted(out)


def _private_owner(dotted: str) -> str | None:
    """The package whose private part ``dotted`` names (``lanterne.x`` of ``lanterne.x._y.z``);
    ``None`` when nothing past ``lanterne.`` is private (``lanterne._accel`` is everyone's)."""
    parts = dotted.split(".")
    private = next((i for i, p in enumerate(parts) if p.startswith("_")), None)
    if private is None or private < 2:
        return None
    return ".".join(parts[:private])


def private_names(root: Path = SRC, package: str = "lanterne") -> list[tuple[str, str]]:
    """What is imported through another package's private part: a name of its private module,
    or a private name (``from lanterne.report import _svg`` in ``lanterne.diagnose``), which
    the graph, made of modules, does not see."""
    out = []
    for path in sorted((root / package).rglob("*.py")):
        name = module_name(path, root)
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = here.split(".")[: len(here.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:
                owner = _private_owner(f"{target}.{alias.name}")
                if owner is not None and not _within(name, owner):
                    out.append((name, f"{target}.{alias.name}"))
    return sorted(out)


# The checks themselves, on a graph small enough to read.

SYNTHETIC: Graph = {
    "lanterne.a": {"lanterne.b"},
    "lanterne.b": {"lanterne.c"},
    "lanterne.c": {"lanterne.a"},
    "lanterne.d": {"lanterne.a"},
    "lanterne.profile._x": {"lanterne.profile._y", "lanterne.errors"},
    "lanterne.profile._y": set(),
    "lanterne.audit": {"lanterne.audit._m"},
    "lanterne.audit._m": {"lanterne.recommend._n", "lanterne.errors"},
    "lanterne.recommend._n": {"lanterne.audit", "lanterne.recommend._o"},
}


def test_checks_find_what_they_look_for_on_a_small_graph() -> None:
    assert cycles(SYNTHETIC) == [
        ["lanterne.a", "lanterne.b", "lanterne.c"],
        ["lanterne.audit", "lanterne.audit._m", "lanterne.recommend._n"],
    ]
    assert forbidden(SYNTHETIC, "lanterne.audit", "lanterne.recommend") == [
        ("lanterne.audit._m", "lanterne.recommend._n")
    ]
    assert outside(SYNTHETIC, "lanterne.profile") == [("lanterne.profile._x", "lanterne.errors")]
    assert private_crossings(SYNTHETIC) == [("lanterne.audit._m", "lanterne.recommend._n")]
    assert cycles({"lanterne.a": {"lanterne.b"}, "lanterne.b": set()}) == []


def test_graph_reads_every_form_of_import(tmp_path: Path) -> None:
    pkg = tmp_path / "lanterne"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from lanterne.sub._a import A\n")
    (pkg / "sub" / "_a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from lanterne.sub import _b\n"
        "A = 1\n"
        "def f():\n    import lanterne.errors\n"
    )
    (pkg / "sub" / "_b.py").write_text("from . import _a\nfrom ..errors import *\n")
    (pkg / "top.py").write_text("from lanterne.sub._a import A\n")
    (pkg / "errors.py").write_text("def f():\n    from lanterne import top\n")
    graph = build_graph(tmp_path)
    assert graph["lanterne.sub._a"] == {"lanterne.sub._b", "lanterne.errors"}
    assert graph["lanterne.sub._b"] == {"lanterne.sub._a", "lanterne.errors"}
    assert graph["lanterne.sub"] == {"lanterne.sub._a"}
    # From outside, importing lanterne.sub._a runs lanterne.sub's __init__ first.
    assert graph["lanterne.top"] == {"lanterne.sub._a", "lanterne.sub"}
    assert cycles(graph) == [
        ["lanterne.errors", "lanterne.sub", "lanterne.sub._a", "lanterne.sub._b", "lanterne.top"]
    ]


def test_private_names_are_found_however_imported(tmp_path: Path) -> None:
    pkg = tmp_path / "lanterne"
    for sub in ("a", "b"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "_accel.py").write_text("")
    (pkg / "a" / "_m.py").write_text("_t = 1\nT = 2\n")
    (pkg / "a" / "_n.py").write_text("from ._m import _t\nfrom lanterne.a._m import _t as t\n")
    (pkg / "b" / "_o.py").write_text(
        "from lanterne.a import _t\n"
        "from ..a._m import T\n"
        "from lanterne import _accel\n"
        "def f():\n    from lanterne.a._m import _t\n"
    )
    assert private_names(tmp_path) == [
        ("lanterne.b._o", "lanterne.a._m.T"),
        ("lanterne.b._o", "lanterne.a._m._t"),
        ("lanterne.b._o", "lanterne.a._t"),
    ]


# The rules, on Lanterne's own source.

GRAPH = build_graph()


def test_the_graph_covers_the_package() -> None:
    assert "lanterne.audit._audit" in GRAPH
    assert "lanterne.recommend._metrics" in GRAPH["lanterne.recommend._eval"]


def test_no_import_cycle() -> None:
    assert cycles(GRAPH) == []


def test_the_audit_does_not_import_what_it_audits() -> None:
    assert forbidden(GRAPH, "lanterne.audit", "lanterne.recommend") == []


def test_the_profile_imports_nothing_else_of_lanterne() -> None:
    assert outside(GRAPH, "lanterne.profile") == []


BOTTOM = ["lanterne.messages", "lanterne.errors", "lanterne.settings", "lanterne.registry"]


def test_publishing_reads_only_the_catalogue_and_the_profile() -> None:
    allowed = ["lanterne.catalogue", "lanterne.profile", *BOTTOM]
    assert outside(GRAPH, "lanterne.publish", allowed) == []


def test_only_the_web_and_the_cli_import_publishing() -> None:
    importers = {
        a.split(".")[1]
        for a, targets in GRAPH.items()
        if not _within(a, "lanterne.publish")
        for b in targets
        if _within(b, "lanterne.publish")
    }
    # The diagnosis too: its target « EDM valid for Europeana » reads the EDM crosswalk's rules;
    # and the harvester, which reads oai_dc and EDM with the same crosswalks, the other way; and
    # the batch jobs, which write their files as dumps are written (complete or not at all).
    assert importers <= {"web", "cli", "diagnose", "ingest", "batch"}


def test_no_package_imports_another_packages_private_module() -> None:
    # A package is used through what its __init__ exports (docs/architecture.md): a reach into
    # another package's private module (lanterne.recommend._service from the web) ties the two
    # to each other's insides.
    assert private_crossings(GRAPH) == []


def test_no_package_imports_another_packages_private_name() -> None:
    # A helper two packages need is a public name of one of them (_data_rows, read by the
    # audit from the profile's codes, went: the audit reads lanterne.report's names instead).
    assert private_names() == []
