"""``private-serverless audit FILE``: check a deployed stack from its ``pulumi stack export``.

Exit codes: 0 when nothing is found, 1 when the audit found something, 2 when the file cannot
be audited (one line on stderr naming the file, never a traceback).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..audit import audit_export, render_json, render_text
from ..errors import PrivateServerlessError
from ..policies import PolicySettings
from ..policies.settings import MAX_POLICY_KEY_LIFETIME_DAYS
from .exit_codes import EXIT_INVALID, EXIT_OK, EXIT_VERDICT, contract

EXIT_CLEAN = EXIT_OK
EXIT_FINDINGS = EXIT_VERDICT


class OutputFormat(StrEnum):
    """How the report is printed."""

    text = "text"
    json = "json"


@contract
def audit(
    file: Annotated[
        Path,
        typer.Argument(help="A `pulumi stack export` JSON file.", show_default=False),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Report format.")
    ] = OutputFormat.text,
    max_key_days: Annotated[
        int,
        typer.Option(
            "--max-key-days",
            min=1,
            max=MAX_POLICY_KEY_LIFETIME_DAYS,
            help="Longest accepted API key lifetime.",
        ),
    ] = PolicySettings().max_key_lifetime_days,
    require_condition: Annotated[
        bool,
        typer.Option("--require-condition", help="Report IAM policy rules without a condition."),
    ] = False,
    expiry_window: Annotated[
        int,
        typer.Option(
            "--expiry-window",
            min=0,
            max=365,
            help="Report API keys expiring within this many days (expired ones always).",
        ),
    ] = PolicySettings().expiry_window_days,
) -> None:
    """Audit a deployed stack: public services, plain secrets, JWT tokens, broad IAM policies."""
    settings = PolicySettings(
        max_key_lifetime_days=max_key_days,
        require_condition=require_condition,
        expiry_window_days=expiry_window,
    )
    try:
        report = audit_export(file, settings)
    except PrivateServerlessError as exc:
        # Handled here too, not only in main(): the command may run without main() (tests,
        # embedding), and a bad file must still end in one line and exit code 2.
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    rendered = render_json(report) if output_format is OutputFormat.json else render_text(report)
    typer.echo(rendered, nl=not rendered.endswith("\n"))
    raise typer.Exit(EXIT_CLEAN if report.clean else EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""
    app.command("audit")(audit)
