"""Each package's face, its ``__init__``: every name it exports is there, and the costly ones
(a report renderer) load when first asked for, not with the package (docs/architecture.md)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lanterne._exports import lazy_exports

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGES = sorted(
    ".".join(p.parent.relative_to(SRC).parts) for p in (SRC / "lanterne").rglob("__init__.py")
)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_is_there(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in getattr(module, "__all__", ()) if not hasattr(module, name)]
    assert missing == []


def test_an_unknown_name_is_an_attribute_error() -> None:
    # hasattr() and ``from x import y`` rely on AttributeError for a name that is not there.
    getattr_ = lazy_exports("lanterne.audit", {"._render": ("render_html",)})
    with pytest.raises(AttributeError, match="render_pdf"):
        getattr_("render_pdf")


_LOADED = """
import json, sys
import lanterne.audit, lanterne.diagnose, lanterne.recommend
before = sorted(sys.modules)
from lanterne.audit import render_html
from lanterne.diagnose import write_pdf
print(json.dumps([before, sorted(sys.modules), render_html.__module__, write_pdf.__module__]))
"""


def test_report_renderers_load_when_first_used() -> None:
    # Every command's --help reads the audit's weightings: exporting the audit's renderer
    # eagerly would load matplotlib there, the diagnosis renderer jinja2; the recommender's
    # service would load the catalogue with the models.
    env = {k: os.environ[k] for k in ("PYTHONPATH", "LANTERNE_PURE_PYTHON") if k in os.environ}
    done = subprocess.run(
        [sys.executable, "-c", _LOADED],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env},
    )
    before, after, audit_module, diagnose_module = json.loads(done.stdout)
    for heavy in (
        "matplotlib",
        "jinja2",
        "lanterne.audit._gaps",
        "lanterne.audit._render",
        "lanterne.catalogue",
    ):
        assert heavy not in before
    assert {"matplotlib", "jinja2", "lanterne.audit._render"} <= set(after)
    assert audit_module == "lanterne.audit._render"
    assert diagnose_module == "lanterne.diagnose._render"
