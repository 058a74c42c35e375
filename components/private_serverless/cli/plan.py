"""``private-serverless plan``: the offline plan of a stack, or its diff against a saved plan.

Exit codes: 0 when done; 2 when the input is invalid (unknown stack, bad configuration, unreadable
base plan); 1 when the plan has a finding of severity ``mandatory`` (printed first, so CI shows
both the plan and why it fails).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.files import write_atomic
from ..core.inert_text import inert
from ..errors import PrivateServerlessError
from .exit_codes import EXIT_INVALID, EXIT_VERDICT, contract

if TYPE_CHECKING:
    from ..plan.model import Plan

EXIT_MANDATORY_FINDINGS = EXIT_VERDICT


class OutputFormat(StrEnum):
    """How the plan (or diff) is written."""

    text = "text"
    markdown = "markdown"
    json = "json"


@contract
def plan_command(
    stack: Annotated[
        str,
        typer.Option(
            "--stack",
            "-s",
            help="The stack to plan: Pulumi.<stack>.yaml in the project's stackConfigDir.",
        ),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text for a terminal, markdown for a PR.")
    ] = OutputFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write to FILE (atomically) instead of stdout."),
    ] = None,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against", dir_okay=False, help="A plan JSON file: show the changes from it."
        ),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            dir_okay=False,
            help="Read env: secrets from this file instead of .env (e.g. .env.example); "
            "named to the program in PRIVATE_SERVERLESS_ENV_FILE.",
        ),
    ] = None,
) -> None:
    """Run the project's program offline (mocked engine and provider) and show what it would do.

    The project is found as the Pulumi CLI finds it: Pulumi.yaml in this folder or a parent.
    """
    try:
        plan, rendered, hazards = _plan_and_render(stack, output_format, against, env_file)
        if out is None:
            typer.echo(rendered, nl=False)
        else:
            write_atomic(out, rendered)
            typer.echo(f"wrote {out}", err=True)
    except PrivateServerlessError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None

    mandatory = [finding for finding in plan.findings if finding["severity"] == "mandatory"]
    if mandatory:
        for finding in mandatory:
            typer.echo(
                inert(
                    f"mandatory finding {finding['rule']} on {finding['urn']}: {finding['message']}"
                ),
                err=True,
            )
        raise typer.Exit(EXIT_MANDATORY_FINDINGS)
    if hazards:
        # A change pulumi up cannot carry out (a project deleted under resources kept in it).
        for hazard in hazards:
            typer.echo(f"blocking change: {hazard}", err=True)
        raise typer.Exit(EXIT_VERDICT)


def _plan_and_render(
    stack: str, output_format: OutputFormat, against: Path | None, env_file: Path | None
) -> tuple[Plan, str, list[str]]:
    """The plan, its rendering, and what in the diff ``pulumi up`` could not carry out."""
    # Imported here: the engine loads Pulumi and the provider SDK (about half a second), which the
    # other commands should not pay for.
    from .. import plan as engine

    # Read the base first: a bad file should fail before the program runs.
    base = engine.load_plan_file(against) if against is not None else None
    if env_file is not None and not env_file.is_file():
        raise PrivateServerlessError(f"--env-file {env_file}: no such file")
    # The project around the working directory (Pulumi.yaml here or in a parent), any Python
    # program; this repository's YAML stacks are one such program.
    from ..plan.stack_plan import plan_project

    plan = plan_project(stack, env_file=env_file)
    if base is None:
        renderers = {
            OutputFormat.text: engine.render_text,
            OutputFormat.markdown: engine.render_markdown,
            OutputFormat.json: engine.render_json,
        }
        return plan, inert(renderers[output_format](plan)), []
    diff = engine.diff_plans(base, plan)
    diff_renderers = {
        OutputFormat.text: engine.render_diff_text,
        OutputFormat.markdown: engine.render_diff_markdown,
        OutputFormat.json: engine.render_diff_json,
    }
    hazards = [change.describe() for change in diff.breaking if change.what == "project"]
    return plan, inert(diff_renderers[output_format](diff)), hazards


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command to ``app``."""
    app.command("plan")(plan_command)
