"""Every error a person can meet is a ``lanterne.errors`` type that declares its exit code and
HTTP status, and every message it is raised with is written in French and English."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import string
from pathlib import Path

import pytest

import lanterne
from lanterne import errors
from lanterne.errors import ExitCode, LanterneError
from lanterne.messages import MESSAGES, translations

SRC = Path(lanterne.__file__).resolve().parent
SOURCE = "\n".join(p.read_text("utf-8") for p in sorted(SRC.rglob("*.py")))


def _every_module() -> None:
    for info in pkgutil.walk_packages(lanterne.__path__, "lanterne."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def _subclasses(cls: type[LanterneError]) -> list[type[LanterneError]]:
    found: list[type[LanterneError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


_every_module()
ERRORS = [LanterneError, *_subclasses(LanterneError)]
EXIT_CODES = {v for k, v in vars(ExitCode).items() if k.isupper()}


def _keys(cls: type[LanterneError]) -> set[str]:
    """The message keys ``cls`` is raised with in the code (a literal first argument), and those
    its own ``__init__`` gives."""
    keys = set(re.findall(rf"\b{cls.__name__}\(\s*\"([a-z_]+\.[a-z0-9_.]+|[a-z_]+)\"", SOURCE))
    if "__init__" in vars(cls):
        keys |= set(re.findall(r"\"([a-z_]+\.[a-z0-9_.]+)\"", inspect.getsource(cls)))
    return keys


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_error_class_is_defined_in_lanterne_errors() -> None:
    elsewhere = {
        f"{c.__module__}.{c.__qualname__}" for c in ERRORS if c.__module__ != errors.__name__
    }
    assert elsewhere == set(), "define them in lanterne/errors.py"


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_declares_its_exit_code_and_http_status(cls: type[LanterneError]) -> None:
    assert cls.exit_code in EXIT_CODES and cls.exit_code != ExitCode.OK
    assert isinstance(cls.http_status, int) and 400 <= cls.http_status <= 599


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_every_error_is_raised_with_messages_in_french_and_english(
    cls: type[LanterneError],
) -> None:
    keys = _keys(cls)
    assert keys, f"{cls.__name__} is never raised with a message key"
    for key in sorted(keys):
        assert key in MESSAGES, f"{cls.__name__}: no message « {key} » in lanterne/messages.py"
        fr = MESSAGES[key]
        en = translations("en").gettext(fr)
        assert fr.strip() and en.strip(), key
        assert _fields(fr) == _fields(en), f"{key}: French and English fill different fields"


def test_the_key_scan_sees_the_errors_raised_in_the_code() -> None:
    """The scan above must find what the code raises, or the test could not fail."""
    assert "setting.not_positive" in _keys(errors.BadSetting)
    assert "web.http" in _keys(errors.HttpRefused)
    assert "recommend.bad_config" in _keys(errors.BadInput)
