"""What every ``lanterne`` command shares: the run's settings and language."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click
import msgspec

from lanterne._visible import visible, visible_json
from lanterne.messages import Lang
from lanterne.settings import Settings


class _State(msgspec.Struct):
    settings: Settings
    lang: Lang


def _state(ctx: click.Context) -> _State:
    state = ctx.obj
    assert isinstance(state, _State)
    return state


class Registered(click.Choice[str]):
    """Choices read when first needed (to check a value, or to show help), from where they are
    declared: the component registry, the audit's weightings. Nothing is imported for them when
    the command is not the one run."""

    def __init__(self, read: Callable[[], Sequence[str]]) -> None:
        self._read = read
        self._choices: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._read())
        return self._choices

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        pass  # click.Choice.__init__ assigns the empty tuple; the choices are read on demand


def diversifier_names() -> Sequence[str]:
    from lanterne.recommend import diversifiers

    return diversifiers()


def weighting_names() -> Sequence[str]:
    from lanterne.audit import Weighting

    return Weighting.KINDS


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for every line a command prints: record data in it (titles, raw lines,
    warnings) cannot drive the terminal, its control characters come out as escapes."""
    click.echo(visible(str(message), block=True), err=err, nl=nl)


def echo_json(text: str) -> None:
    """Print JSON text with every character a terminal obeys as a JSON escape (same data)."""
    click.echo(visible_json(text))
