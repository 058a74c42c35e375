"""The exit-code contract of every ``private-serverless`` command, and the wrapper enforcing it.

- ``0`` OK: the plan ran, nothing found, allowed, every service passed;
- ``1`` a verdict: a mandatory finding, an audit finding, a denied call, a failed check;
- ``2`` invalid input: a bad file, option or configuration (one message naming where, never a
  value from the input);
- ``3`` internal error: a bug in this tool. One short line saying so and where to report it,
  never the exception's message (it may quote the input); the traceback only when
  ``PRIVATE_SERVERLESS_DEBUG=1`` is set.

Every command is wrapped by :func:`contract`, so a command cannot end any other way.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from typer.exceptions import Abort, TyperException

from ..errors import PrivateServerlessError

EXIT_OK = 0
EXIT_VERDICT = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3

#: Set to ``1`` to see the traceback of an internal error.
DEBUG_VARIABLE = "PRIVATE_SERVERLESS_DEBUG"

REPORT_TO = "https://github.com/<your-org>/private-serverless/issues"

#: The contract as shown in ``--help`` and the README.
HELP_TEXT = (
    "Exit codes: 0 ok; 1 a verdict (finding, denied, failed check); 2 invalid input; "
    f"3 internal error (a bug: please report it; set {DEBUG_VARIABLE}=1 for the traceback)."
)

P = ParamSpec("P")
R = TypeVar("R")


def fail_invalid(exc: PrivateServerlessError) -> typer.Exit:
    """Print ``exc`` (a user mistake, safe to print) and return the exit to raise."""
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(EXIT_INVALID)


def internal_error(exc: BaseException) -> typer.Exit:
    """Report a bug without its message (which may quote the input) and return the exit."""
    if os.environ.get(DEBUG_VARIABLE) == "1":
        traceback.print_exception(exc, file=sys.stderr)
    typer.echo(
        f"internal error ({type(exc).__name__}): this is a bug in private-serverless, not in "
        f"your input; please report it at {REPORT_TO} with the command you ran (not your "
        f"files). Set {DEBUG_VARIABLE}=1 to see the traceback.",
        err=True,
    )
    return typer.Exit(EXIT_INTERNAL)


def contract(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that it ends in 0, 1, 2 or 3 as documented above, nothing else."""

    @functools.wraps(command)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, Abort, TyperException):
            raise  # Typer's own exits and usage errors (exit 2) already follow the contract
        except PrivateServerlessError as exc:
            raise fail_invalid(exc) from None
        except Exception as exc:  # the contract: anything else is a bug, reported as one
            raise internal_error(exc) from None

    return wrapped
