"""Command groups that import a command's module only when that command runs.

Click's documented lazy-group pattern ("Lazily Loading Subcommands"): ``lanterne search`` imports
the search commands' module and what it needs, not every command's; ``lanterne --help`` lists each
command from the help text its table entry carries, importing none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from gettext import gettext
from typing import Any, NamedTuple

import click


class Lazy(NamedTuple):
    """A command not imported yet: where it is, and its help text (the command's docstring; a test
    checks that they are the same, so that ``--help`` lists what the command itself says)."""

    target: str
    """``"module:attribute"``"""
    help: str


class LazyGroup(click.Group):
    """A click group whose commands are imported on demand from a name → ``Lazy`` table."""

    def __init__(
        self, name: str | None = None, *, lazy: Mapping[str, Lazy] | None = None, **attrs: Any
    ) -> None:
        super().__init__(name, **attrs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        known = self.commands.get(cmd_name)
        if known is not None:
            return known
        spec = self.lazy.get(cmd_name)
        if spec is None:
            return None
        return self._add(cmd_name, _imported(spec.target))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own listing, but a command not imported yet is listed from its table entry.
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
        if spec is None:
            return None
        return click.Command(name, help=spec.help)  # stands in for the help listing only

    def _add(self, name: str, command: click.Command) -> click.Command:
        self.add_command(command, name)
        return command


def _imported(target: str) -> click.Command:
    module_name, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command
