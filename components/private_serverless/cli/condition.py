"""``private-serverless condition``: check and simulate CEL access conditions.

Exit codes: 0 valid / allowed, 1 denied (``eval`` only), 2 invalid input. User mistakes are
one message on stderr (with a caret under the position when there is one), never a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from ..conditions import AccessRequest, ConditionError, evaluate_condition, validate_condition
from .exit_codes import EXIT_INVALID, EXIT_VERDICT, contract

EXIT_DENIED = EXIT_VERDICT

condition_app = typer.Typer(
    help="Check and simulate CEL access conditions (Scaleway IAM policy rule conditions).",
    no_args_is_help=True,
)

ExpressionArgument = Annotated[
    str,
    typer.Argument(
        help="CEL condition, for example 'inIpRange(request.ip, \"198.51.100.0/24\")'.",
        show_default=False,
    ),
]


@condition_app.command("check")
@contract
def check(expression: ExpressionArgument) -> None:
    """Validate a condition: print "valid" and any warnings, or the error and where it is."""
    try:
        warnings = validate_condition(expression)
    except ConditionError as exc:
        _fail_on_expression(expression, exc)
    typer.echo("valid")
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


@condition_app.command("eval")
@contract
def evaluate(
    expression: ExpressionArgument,
    ip: Annotated[str, typer.Option("--ip", help="Source IP address of the simulated call.")],
    user_agent: Annotated[
        str, typer.Option("--user-agent", help="User-Agent header of the call.")
    ] = "",
    time: Annotated[
        str | None,
        typer.Option(
            "--time",
            help="When the call happens, ISO 8601 with an offset or Z "
            "(2026-03-30T09:00:00+02:00). Default: now.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Simulate one call: print "allowed" (exit 0) or "denied" (exit 1)."""
    try:
        request = AccessRequest(ip=_parse_ip(ip), user_agent=user_agent, time=_parse_time(time))
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) or "request"
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        _fail(f"--{where.replace('_', '-')}: {message}")
    try:
        allowed = evaluate_condition(expression, request)
    except ConditionError as exc:
        _fail_on_expression(expression, exc)
    typer.echo("allowed" if allowed else "denied")
    if not allowed:
        raise typer.Exit(EXIT_DENIED)


def _parse_ip(text: str) -> IPv4Address | IPv6Address:
    try:
        return ip_address(text.strip())
    except ValueError:
        _fail(f"--ip: {text!r} is not an IPv4 or IPv6 address")


def _parse_time(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        _fail(f"--time: {text!r} is not an ISO 8601 date and time, e.g. 2026-03-30T09:00:00Z")
    if moment.tzinfo is None or moment.utcoffset() is None:
        _fail(
            f"--time: {text!r} has no UTC offset; add one (+02:00) or Z for UTC, since "
            "the same wall-clock time is a different instant in each time zone"
        )
    return moment


def _fail_on_expression(expression: str, exc: ConditionError) -> NoReturn:
    lines = [f"error: {exc}"]
    if exc.line is not None and exc.column is not None:
        source_lines = expression.split("\n")
        if 1 <= exc.line <= len(source_lines):
            lines += [f"  {source_lines[exc.line - 1]}", f"  {' ' * (exc.column - 1)}^"]
    typer.echo("\n".join(lines), err=True)
    raise typer.Exit(EXIT_INVALID)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_INVALID)
