"""Long commands measure themselves: ``@click.command(..., cls=Measured)``.

A ``Measured`` command runs inside ``lanterne.footprint.measure()``; its footprint goes in the
JSON object it prints (``echo_json`` adds a ``footprint`` member) and, once it is done, one line
on stderr (« ≈ 0,8 Wh · ≈ 0,05 g CO₂e, estimation, réseau FR »), so stdout stays what scripts
read. ``tests/test_footprint_cli.py`` lists every command and fails on one that is neither
measured nor named quick there.
"""

from __future__ import annotations

import json
from typing import Any

import click

from lanterne.settings import interface_language

_METER = "lanterne.footprint.meter"
_SAID = "lanterne.footprint.said"


class Measured(click.Command):
    """A command whose cost is measured and said at its end (stderr) and in its JSON."""

    def invoke(self, ctx: click.Context) -> Any:
        from lanterne.footprint import configured_grid, measure

        configured_grid()  # a bad LANTERNE_FOOTPRINT_GRID is said before the work, not after
        with measure() as meter:
            ctx.meta[_METER] = meter
            try:
                result = super().invoke(ctx)
            except click.exceptions.Exit:
                say_footprint(ctx)  # ctx.exit(code): the work was done
                raise
        say_footprint(ctx)
        return result


def say_footprint(ctx: click.Context) -> None:
    """Print the running command's footprint line on stderr, once (``demo`` says it before it
    starts serving, which lasts until Ctrl-C)."""
    from lanterne.footprint import Meter, footprint_of, line

    meter = ctx.meta.get(_METER)
    if not isinstance(meter, Meter) or ctx.meta.get(_SAID):
        return
    ctx.meta[_SAID] = True
    # The run's language (``ctx.obj`` is ``_common._Invocation``, not imported: ``_common``
    # imports this module).
    lang = interface_language(getattr(ctx.find_root().obj, "lang", None))
    click.echo(line(footprint_of(meter), lang), err=True)


def with_footprint(text: str) -> str:
    """``text``, a JSON document, with the running measured command's footprint as the member
    ``footprint`` when it is an object (a list or no measured command: unchanged)."""
    ctx = click.get_current_context(silent=True)
    meter = ctx.meta.get(_METER) if ctx is not None else None
    if meter is None or not text.lstrip().startswith("{"):
        return text
    import msgspec

    from lanterne.footprint import footprint_of

    data = json.loads(text)
    if not isinstance(data, dict) or "footprint" in data:
        return text
    data["footprint"] = msgspec.to_builtins(footprint_of(meter))
    return json.dumps(data, ensure_ascii=False, indent=2 if "\n" in text.strip() else None)
