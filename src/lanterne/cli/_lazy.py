"""Command groups that import a command's module only when that command runs, and commands that
come from plug-ins (entry points of the group ``lanterne.cli``).

Click's documented lazy-group pattern ("Lazily Loading Subcommands"): ``lanterne search`` imports
the search commands' module and what it needs, not every command's; ``lanterne --help`` lists each
command from the help text its table entry carries, importing none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cached_property
from gettext import gettext
from importlib.metadata import EntryPoint, entry_points
from typing import Any, NamedTuple

import click

from lanterne.cli._common import echo

PLUGINS = "lanterne.cli"
"""The entry-point group whose entries name click commands (or groups) added to ``lanterne``."""


class Lazy(NamedTuple):
    """A command not imported yet: where it is, and its help text (the command's docstring; a test
    checks that they are the same, so that ``--help`` lists what the command itself says)."""

    target: str
    """``"module:attribute"``"""
    help: str


class LazyGroup(click.Group):
    """A click group whose commands are imported on demand from a name → ``Lazy`` table, with, when
    ``plugins`` names an entry-point group, the commands its entry points name (a built-in command
    keeps its name: a plug-in of the same name is left out, and ``--help`` says so)."""

    def __init__(
        self,
        name: str | None = None,
        *,
        lazy: Mapping[str, Lazy] | None = None,
        plugins: str | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(name, **attrs)
        self.lazy = dict(lazy or {})
        self.plugins = plugins

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy, *self._entry_points})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        known = self.commands.get(cmd_name)
        if known is not None:
            return known
        spec = self.lazy.get(cmd_name)
        if spec is not None:
            return self._add(cmd_name, _imported(spec.target))
        point = self._entry_points.get(cmd_name)
        if point is None:
            return None
        loaded = _plugin(point)
        if isinstance(loaded, str):
            raise click.UsageError(loaded, ctx)
        return self._add(cmd_name, loaded)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own listing, but a command not imported yet is listed from its table entry,
        # and a plug-in that cannot be loaded is named on stderr and left out.
        for name in sorted(set(self._entry_points) & {*self.commands, *self.lazy}):
            echo(_shadowed(self._entry_points[name]), err=True)
        listed: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self._listed(name)
            if command is not None and not command.hidden:
                listed.append((name, command))
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        rows = [(name, command.get_short_help_str(limit)) for name, command in listed]
        with formatter.section(gettext("Commands")):
            formatter.write_dl(rows)

    def _listed(self, name: str) -> click.Command | None:
        known = self.commands.get(name)
        if known is not None:
            return known
        spec = self.lazy.get(name)
        if spec is not None:
            return click.Command(name, help=spec.help)  # stands in for the help listing only
        loaded = _plugin(self._entry_points[name])
        if isinstance(loaded, str):
            echo(loaded, err=True)
            return None
        return self._add(name, loaded)

    def _add(self, name: str, command: click.Command) -> click.Command:
        self.add_command(command, name)
        return command

    @cached_property
    def _entry_points(self) -> dict[str, EntryPoint]:
        """The plug-ins' entry points by name, read once and only when a name is not built in
        (``lanterne search`` never reads the installed distributions' metadata)."""
        found: dict[str, EntryPoint] = {}
        if self.plugins is not None:
            for point in entry_points(group=self.plugins):
                found.setdefault(point.name, point)
        return found


def _imported(target: str) -> click.Command:
    module_name, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command


def _plugin(point: EntryPoint) -> click.Command | str:
    """The plug-in's command, or why it cannot be used (French, then English: said before
    ``--lang`` is read)."""
    try:
        loaded = point.load()
    except Exception as exc:  # a plug-in's bug must not stop the built-in commands
        problem = f"{type(exc).__name__}: {exc}"
    else:
        if isinstance(loaded, click.Command):
            return loaded
        problem = f"{point.value} : {type(loaded).__name__}"
        return (
            f"lanterne : l'extension « {point.name} » ({_origin(point)}) n'est pas une commande "
            f"click ({problem}) ; elle est ignorée. / lanterne: the plug-in « {point.name} » "
            f"({_origin(point)}) is not a click command ({problem}); it is skipped."
        )
    return (
        f"lanterne : l'extension « {point.name} » ({_origin(point)}) n'a pas pu être chargée "
        f"({problem}) ; elle est ignorée. / lanterne: the plug-in « {point.name} » "
        f"({_origin(point)}) could not be loaded ({problem}); it is skipped."
    )


def _shadowed(point: EntryPoint) -> str:
    return (
        f"lanterne : l'extension « {point.name} » ({_origin(point)}) porte le nom d'une commande "
        f"de Lanterne ; elle est ignorée. / lanterne: the plug-in « {point.name} » "
        f"({_origin(point)}) has the name of a Lanterne command; it is skipped."
    )


def _origin(point: EntryPoint) -> str:
    dist = point.dist
    where = f"{dist.name} {dist.version}, " if dist is not None else ""
    return f"{where}{point.name} = {point.value}"
