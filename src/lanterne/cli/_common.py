"""What every ``lanterne`` command shares: the run's settings and language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne._visible import visible, visible_json
from lanterne.messages import Lang
from lanterne.settings import Settings


class _Invocation(msgspec.Struct):
    """What every command of one ``lanterne`` run reads (``ctx.obj``): its settings, and the
    language it speaks."""

    settings: Settings
    lang: Lang


def _state(ctx: click.Context) -> _Invocation:
    state = ctx.obj
    assert isinstance(state, _Invocation)
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
    """Print JSON text with every character a terminal obeys as a JSON escape (same data); in a
    measured command, a JSON object gets its ``footprint`` (``cli._footprint``)."""
    from lanterne.cli._footprint import with_footprint

    click.echo(visible_json(with_footprint(text)))


def interaction_data_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--config``, ``--model``, ``--goal-model``: recommend from an evaluation configuration's
    interaction data instead of the catalogue (``recommend`` and ``serve`` alike)."""
    for option in reversed(
        [
            click.option(
                "--config",
                "config",
                type=click.Path(path_type=Path),
                help="Configuration d'évaluation : recommander depuis ses données d'interactions "
                "(sans catalogue) / an evaluation configuration: recommend from its interaction "
                "data (no catalogue).",
            ),
            click.option(
                "--model",
                help="Avec --config : le modèle de la configuration (défaut : ease) "
                "/ with --config: the configuration's model (default: ease).",
            ),
            click.option(
                "--goal-model",
                help="Avec --config : le modèle qui choisit les œuvres des objectifs "
                "/ with --config: the model that chooses the goals' works.",
            ),
        ]
    ):
        command = option(command)
    return command
