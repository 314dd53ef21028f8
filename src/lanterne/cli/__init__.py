"""The ``lanterne`` command: one module per command group, each imported only when one of its
commands runs (``_main.COMMANDS``), and commands from plug-ins (entry points ``lanterne.cli``).

Exit codes (docs/cli.md): 0 ok, 1 internal error, 2 usage, 3 not found, 4 bad input, 5 bad
profile, 6 catalogue error, 7 records quarantined with ``--strict``, 8 a tool missing or failed,
130 interrupted. Only ``main()`` exits; every error is one line, in French or English.
"""

from lanterne.cli._main import cli, main

__all__ = ["cli", "main"]
