"""What every ``lanterne`` command shares: the run's settings and language."""

from __future__ import annotations

import click
import msgspec

from lanterne._visible import visible, visible_json
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


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for every line a command prints: record data in it (titles, raw lines,
    warnings) cannot drive the terminal, its control characters come out as escapes."""
    click.echo(visible(str(message), block=True), err=err, nl=nl)


def echo_json(text: str) -> None:
    """Print JSON text with every character a terminal obeys as a JSON escape (same data)."""
    click.echo(visible_json(text))
