"""``private-serverless verify``: after ``pulumi up``, check each service is really private.

Exit codes: 0 every service refused an anonymous call and accepted its key; 1 a service failed;
2 the outputs cannot be read (one line on stderr, never a traceback). The keys are sent to the
endpoints, never printed.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from ..core.files import OUTPUTS_BOUNDS, parse_json, read_json
from ..errors import ConfigurationError, PrivateServerlessError, Problem
from .exit_codes import EXIT_INVALID, EXIT_OK, EXIT_VERDICT, contract

EXIT_PASSED = EXIT_OK
EXIT_FAILED = EXIT_VERDICT

#: Bounds of --timeout: a socket timeout must fit in a C timeval; ten minutes per call is plenty.
MIN_TIMEOUT_SECONDS = 0.001
MAX_TIMEOUT_SECONDS = 600.0

_STACK_NAME = re.compile(r"^[A-Za-z0-9_./-]{1,200}$")


@contract
def verify_command(
    stack: Annotated[
        str, typer.Option("--stack", "-s", help="The deployed stack whose services to check.")
    ],
    outputs: Annotated[
        Path | None,
        typer.Option(
            "--outputs",
            dir_okay=False,
            help="`pulumi stack output --json --show-secrets` saved to a file; "
            "default: run that command.",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=MIN_TIMEOUT_SECONDS,
            max=MAX_TIMEOUT_SECONDS,
            help="Seconds to wait for each call.",
        ),
    ] = 10.0,
) -> None:
    """Call each service without a key (must be refused) and with its key (must not be)."""
    import os

    from ..verify.deployed_services import render_results, secret_manager_reader, verify_outputs

    if not math.isfinite(timeout):  # click's range check lets NaN through
        raise ConfigurationError("--timeout", [Problem("", "must be a number of seconds")])
    try:
        data, where = _read_outputs(stack, outputs)
        # Keys kept in Secret Manager are read with the SCW_* credentials, then tested.
        reader = secret_manager_reader(os.environ)
        results = verify_outputs(data, timeout=timeout, where=where, key_reader=reader)
    except PrivateServerlessError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(render_results(results), nl=False)
    raise typer.Exit(EXIT_PASSED if all(r.passed for r in results) else EXIT_FAILED)


def _read_outputs(stack: str, outputs: Path | None) -> tuple[Any, str]:
    """The stack outputs as JSON data, and how to name their source in errors."""
    if outputs is not None:
        data = read_json(outputs, what="stack outputs file", bounds=OUTPUTS_BOUNDS)
        return data, str(outputs)
    if not _STACK_NAME.match(stack):
        raise ConfigurationError("--stack", [Problem("", f"{stack!r} is not a stack name")])
    where = f"pulumi stack output --stack {stack}"
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise PrivateServerlessError(
            "the pulumi CLI is not installed (or not on PATH): install it, or save "
            f"`pulumi stack output --json --show-secrets --stack {stack}` to a file and pass "
            "it with --outputs"
        )
    completed = subprocess.run(
        [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        # stderr only: stdout would hold the outputs, keys included, if any was printed.
        last = (completed.stderr.strip().splitlines() or ["no error message"])[-1]
        raise ConfigurationError(
            where, [Problem("", f"failed (exit {completed.returncode}): {last}")]
        )
    return _parse_json(completed.stdout, where), where


def _parse_json(text: str, where: str) -> Any:
    # Position only: the text holds API keys, the decoder's excerpt must not be shown.
    return parse_json(text, where=where, what="stack outputs", bounds=OUTPUTS_BOUNDS)


def register(app: typer.Typer) -> None:
    """Add the ``verify`` command to ``app``."""
    app.command("verify")(verify_command)
