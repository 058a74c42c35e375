"""The ``private-serverless`` command line: a thin layer over the library.

Each sub-command lives in its own module and calls library functions that the tests call
directly. Every command follows one exit-code contract (:mod:`.exit_codes`): 0 ok, 1 a verdict,
2 invalid input, 3 internal error; never a traceback unless asked for.

The top layer: it may import every other folder, and nothing imports it.
"""

from __future__ import annotations

import sys

import typer

from ..errors import PrivateServerlessError
from .condition import condition_app
from .exit_codes import EXIT_INVALID, HELP_TEXT, internal_error

app = typer.Typer(
    name="private-serverless",
    help=(
        "Private Scaleway Serverless Functions and Containers: conditions, offline plan, "
        "audit, verify.\n\n" + HELP_TEXT
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.add_typer(condition_app, name="condition")


@app.callback()
def _root() -> None:
    # An explicit callback keeps sub-commands as sub-commands: without one, Typer runs an app
    # that has a single command as that command, and `private-serverless audit FILE` breaks.
    pass


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except PrivateServerlessError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # outside any command (option parsing): still the contract
        sys.exit(internal_error(exc).exit_code)


# Sub-commands register themselves on the app defined above.
from .audit import register as _register_audit  # noqa: E402
from .plan import register as _register_plan  # noqa: E402
from .verify import register as _register_verify  # noqa: E402

_register_audit(app)
_register_plan(app)
_register_verify(app)
