"""What every ``lanterne`` command shares: the run's settings and language."""

from __future__ import annotations

import click
import msgspec

from lanterne.messages import Lang
from lanterne.settings import Settings


class _State(msgspec.Struct):
    settings: Settings
    lang: Lang


def _t(lang: Lang, fr: str, en: str) -> str:
    return en if lang == "en" else fr


def _state(ctx: click.Context) -> _State:
    state = ctx.obj
    assert isinstance(state, _State)
    return state
