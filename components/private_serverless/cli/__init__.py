"""The ``private-serverless`` command line: a thin layer over the library.

Each sub-command lives in its own module and calls library functions that the tests call
directly. User mistakes end in one message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from ..errors import PrivateServerlessError
from .plan import plan_command

app = typer.Typer(
    name="private-serverless",
    help="Private Scaleway Serverless Functions and Containers: conditions, offline plan, audit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_INVALID = 2


@app.callback()
def _commands() -> None:
    """Private Scaleway Serverless Functions and Containers: conditions, offline plan, audit."""
    # Present so the app stays a group of sub-commands even while it has only one.


app.command("plan")(plan_command)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except PrivateServerlessError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
