"""``private-serverless plan`` with an injected stack loader: formats, --out, --against, exits."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from private_serverless.cli import app
from private_serverless.errors import ConfigurationError, Problem
from private_serverless.plan import Finding, Plan, stack_plan
from private_serverless.project import pulumi_project as project_module
from typer.testing import CliRunner

from tests.plan_toy import (
    ALL_SECRETS,
    FUNCTION,
    PROJECT,
    STACK,
    TOY_CONFIG,
    TOY_SECRET_KEYS,
    child_urn,
    toy_program,
)

Loaded = tuple[Callable[[], None], dict[str, str], set[str]]

TOY_PROJECT = project_module.PulumiProject(
    file=Path("/toy/Pulumi.yaml"),
    name=PROJECT,
    runtime="python",
    program=Path("/toy"),
    config_dir=Path("/toy/stacks"),
    config_defaults={},
)


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def stacks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Callable[[], None]]]:
    """Programs by stack name, served by a loader injected in place of the project's."""
    programs: dict[str, Callable[[], None]] = {STACK: toy_program()}

    def loader(stack: str, env_file=None) -> Loaded:
        if stack not in programs:
            raise ConfigurationError(f"stacks/Pulumi.{stack}.yaml", [Problem("", "no such stack")])
        # Namespaced keys, as a stack file holds them.
        config = {f"{PROJECT}:{key}": value for key, value in TOY_CONFIG.items()}
        return programs[stack], config, {f"{PROJECT}:{key}" for key in TOY_SECRET_KEYS}

    # The CLI plans the project around the working directory: serve the toy instead.
    monkeypatch.setattr(project_module, "find_project", lambda start=None: TOY_PROJECT)
    monkeypatch.setattr(
        project_module,
        "load_program",
        lambda project, stack, env_file=None: loader(stack, env_file),
    )
    # The toy program is no compliant stack; policy findings have tests of their own.
    monkeypatch.setattr(stack_plan, "default_plan_checks", lambda config, project: ())
    yield programs


def _no_secret(text: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in text


@pytest.mark.usefixtures("stacks")
@pytest.mark.parametrize(
    ("output_format", "marker"),
    [
        ("text", f"{FUNCTION} billing-fn  [protected]"),
        ("markdown", "### Access"),
        ("json", '"stack": "dev"'),
    ],
)
def test_each_format_prints_the_plan(cli: CliRunner, output_format: str, marker: str) -> None:
    result = cli.invoke(app, ["plan", "-s", STACK, "--format", output_format])
    assert result.exit_code == 0, result.output
    assert marker in result.stdout
    _no_secret(result.output)


@pytest.mark.usefixtures("stacks")
def test_json_names_the_project_of_the_configuration(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan", "--stack", STACK, "--format", "json"])
    data = json.loads(result.stdout)
    assert data["project"] == PROJECT
    assert child_urn(FUNCTION, "billing-fn") in {r["urn"] for r in data["resources"]}


@pytest.mark.usefixtures("stacks")
def test_out_writes_the_file_and_nothing_else(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = cli.invoke(app, ["plan", "-s", STACK, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text())["stack"] == STACK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


@pytest.mark.usefixtures("stacks")
def test_out_to_a_missing_directory_fails_cleanly(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "plan.json"
    result = cli.invoke(app, ["plan", "-s", STACK, "--out", str(out)])
    assert result.exit_code == 2
    assert str(out) in result.stderr
    assert not out.parent.exists()


def test_a_failing_program_writes_nothing(
    cli: CliRunner, tmp_path: Path, stacks: dict[str, Callable[[], None]]
) -> None:
    def broken() -> None:
        raise ConfigurationError("PrivateFunction 'billing'", [Problem("privacy", "bad")])

    stacks["broken"] = broken
    out = tmp_path / "plan.json"
    out.write_text("previous")
    result = cli.invoke(app, ["plan", "-s", "broken", "--out", str(out)])
    assert result.exit_code == 2
    assert "PrivateFunction 'billing': privacy: bad" in result.stderr
    assert out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


@pytest.mark.usefixtures("stacks")
def test_an_unknown_stack_exits_2(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan", "-s", "nope"])
    assert result.exit_code == 2
    assert "stacks/Pulumi.nope.yaml" in result.stderr


@pytest.mark.usefixtures("stacks")
@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_against_prints_the_diff(cli: CliRunner, tmp_path: Path, output_format: str) -> None:
    base = tmp_path / "base.json"
    assert (
        cli.invoke(app, ["plan", "-s", STACK, "--format", "json", "--out", str(base)]).exit_code
        == 0
    )
    data = json.loads(base.read_text())
    function = next(r for r in data["resources"] if r["type"] == FUNCTION)
    function["inputs"]["environmentVariables"]["MODE"] = "dev"
    base.write_text(json.dumps(data))

    result = cli.invoke(
        app, ["plan", "-s", STACK, "--format", output_format, "--against", str(base)]
    )
    assert result.exit_code == 0, result.output
    assert "MODE" in result.stdout
    _no_secret(result.output)
    if output_format == "json":
        [changed] = [
            item for item in json.loads(result.stdout)["resources"] if item["op"] != "same"
        ]
        assert changed["op"] == "update"
        assert changed["changes"] == [
            {"path": "environmentVariables.MODE", "kind": "changed", "old": "dev", "new": "prod"}
        ]


@pytest.mark.usefixtures("stacks")
def test_against_an_invalid_file_exits_2_naming_it(cli: CliRunner, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text('{"resources": 1}')
    result = cli.invoke(app, ["plan", "-s", STACK, "--against", str(base)])
    assert result.exit_code == 2
    assert f"error: {base}: not a valid plan" in result.stderr


@pytest.mark.usefixtures("stacks")
def test_a_mandatory_finding_exits_1_after_printing(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(plan: Plan) -> list[Finding]:
        return [
            {
                "rule": "no-public-functions",
                "severity": "mandatory",
                "urn": child_urn(FUNCTION, "billing-fn"),
                "message": "make it private",
            }
        ]

    monkeypatch.setattr(stack_plan, "default_plan_checks", lambda config, project: [check])
    result = cli.invoke(app, ["plan", "-s", STACK])
    assert result.exit_code == 1
    assert "[mandatory] no-public-functions: make it private" in result.stdout
    assert "mandatory finding no-public-functions" in result.stderr


def test_outside_any_pulumi_project_exits_2(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(app, ["plan", "-s", STACK])
    assert result.exit_code == 2
    assert "no Pulumi project here" in result.stderr
    assert "Traceback" not in result.output


def test_stack_is_required(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan"])
    assert result.exit_code == 2


@pytest.mark.usefixtures("stacks")
def test_out_through_a_symlink_writes_the_file_it_leads_to(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plans" / "plan.json"
    target.parent.mkdir()
    target.write_text("previous")
    link = tmp_path / "plan.json"
    link.symlink_to(target)
    result = cli.invoke(app, ["plan", "-s", STACK, "--format", "json", "--out", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert json.loads(target.read_text())["stack"] == STACK
