"""The input boundary (issue 12): the exit-code contract of every command, bounded reading,
errors that name without echoing, hermetic configuration, strict stack-file types."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from private_serverless.cli import app
from private_serverless.cli.exit_codes import EXIT_INTERNAL, EXIT_INVALID, HELP_TEXT
from private_serverless.core.files import Bounds, parse_json, read_text
from private_serverless.errors import ConfigurationError, PrivateServerlessError
from private_serverless.project.pulumi_project import find_project
from private_serverless.project.stack_yaml import load_stack_yaml
from typer.testing import CliRunner

from fuzz import seed_files

ROOT = Path(__file__).resolve().parent.parent
#: Planted in inputs: must never be printed by an error.
PLANTED = "PLANTED-b0undary-5e1f"
DEV = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project, as the working directory, without PULUMI_CONFIG variables."""
    for name in ("Pulumi.yaml", "__main__.py", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("stacks", "services"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for name in list(os.environ):
        if name.startswith("PULUMI_CONFIG"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _plan(cli: CliRunner, stack: str, *extra: str) -> tuple[int, str]:
    result = cli.invoke(app, ["plan", "-s", stack, "--env-file", ".env.example", *extra])
    return result.exit_code, result.output


# --- one exit-code contract -----------------------------------------------------------------


def _broken_inputs(project: Path) -> dict[str, list[str]]:
    (project / "broken.json").write_text('{"a": [1, 2')
    (project / "stacks" / "Pulumi.broken.yaml").write_text("config: [unclosed\n")
    return {
        "plan": ["plan", "-s", "broken"],
        "plan --against": ["plan", "-s", "dev", "--against", "broken.json"],
        "audit": ["audit", "broken.json"],
        "audit --max-key-days": ["audit", "broken.json", "--max-key-days", "10000000000"],
        "verify --outputs": ["verify", "-s", "dev", "--outputs", "broken.json"],
        "verify --timeout": ["verify", "-s", "dev", "--outputs", "broken.json", "--timeout", "inf"],
        "condition check": ["condition", "check", "request.ip ==="],
        "condition eval": ["condition", "eval", "true", "--ip", "not-an-ip"],
        "unknown command": ["frobnicate"],
    }


def test_every_command_exits_2_on_broken_input(project: Path, cli: CliRunner) -> None:
    for name, argv in _broken_inputs(project).items():
        result = cli.invoke(app, argv)
        assert result.exit_code == EXIT_INVALID, (name, result.output)
        assert "Traceback" not in result.output, name


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["plan", "-s", "dev"], "private_serverless.plan.stack_plan.plan_project"),
        (["audit", "export.json"], "private_serverless.cli.audit.audit_export"),
        (
            ["verify", "-s", "dev", "--outputs", "outputs.json"],
            "private_serverless.verify.deployed_services.parse_outputs",
        ),
        (["condition", "check", "true"], "private_serverless.cli.condition.validate_condition"),
        (
            ["condition", "eval", "true", "--ip", "192.0.2.1"],
            "private_serverless.cli.condition.evaluate_condition",
        ),
    ],
    ids=["plan", "audit", "verify", "condition-check", "condition-eval"],
)
def test_a_bug_is_exit_3_with_no_value_and_no_traceback(
    project: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch, argv: list[str], target: str
) -> None:
    seed_files.write(project)

    def explode(*args: object, **kwargs: object) -> None:
        raise KeyError(PLANTED)

    monkeypatch.setattr(target, explode)
    monkeypatch.delenv("PRIVATE_SERVERLESS_DEBUG", raising=False)
    result = cli.invoke(app, argv)
    assert result.exit_code == EXIT_INTERNAL, result.output
    assert "internal error (KeyError)" in result.output and "report it" in result.output
    assert PLANTED not in result.output
    assert "Traceback" not in result.output

    monkeypatch.setenv("PRIVATE_SERVERLESS_DEBUG", "1")
    debug = cli.invoke(app, argv)
    assert debug.exit_code == EXIT_INTERNAL
    assert "Traceback" in debug.output  # asked for: the developer's view


def test_the_contract_is_in_help_and_readme(cli: CliRunner) -> None:
    result = cli.invoke(app, ["--help"])
    assert "Exit codes: 0 ok" in " ".join(result.output.split())
    assert "3 internal error" in HELP_TEXT
    assert "PRIVATE_SERVERLESS_DEBUG" in (ROOT / "README.md").read_text()


def test_the_real_process_exits_2_without_traceback(project: Path) -> None:
    (project / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    for argv in (["audit", "deep.json"], ["verify", "-s", "dev", "--outputs", "deep.json"]):
        completed = subprocess.run(
            [sys.executable, "-m", "private_serverless", *argv],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == EXIT_INVALID, completed.stderr
        assert "Traceback" not in completed.stderr
        assert "nested more than" in completed.stderr


# --- bounded reading, errors that name and never echo --------------------------------------

_SMALL = Bounds(max_bytes=300_000, max_depth=4, max_values=50)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 50_000 + "]" * 50_000, "nested more than 4 levels"),
        ("[[[[[[1]]]]]]", "nested more than 4 levels"),
        (f'{{"k": {"7" * 5000}}}', "more than 30 digits"),
        ("[1e999]", "too large"),
        ('{"k": NaN}', "NaN and Infinity"),
        ('{"k": -Infinity}', "NaN and Infinity"),
        ('["\\ud800"]', "not valid Unicode"),
        (json.dumps(list(range(60))), "more than 50 values"),
        ("x" * 300_001, "larger than 292 KB"),
        (f'{{"k": "{PLANTED}"', "invalid JSON at line 1"),
    ],
)
def test_json_outside_the_bounds_is_refused_by_name(text: str, reason: str) -> None:
    with pytest.raises(PrivateServerlessError) as caught:
        parse_json(text, where="f.json", what="plan file", bounds=_SMALL)
    message = str(caught.value)
    assert message.startswith("f.json: ") and reason in message
    assert PLANTED not in message and "7777" not in message


def test_files_are_read_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(PrivateServerlessError, match="larger than 1 KB"):
        read_text(big, what="stack file", max_bytes=1024)
    bad = tmp_path / "bad"
    bad.write_bytes(b"ok \xff")
    with pytest.raises(PrivateServerlessError, match="not UTF-8 text"):
        read_text(bad, what="stack file", max_bytes=1024)


def _alias_bomb(levels: int) -> str:
    lines = ["config:", "  p:a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  p:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_before_it_expands() -> None:
    text = _alias_bomb(10)  # 9**10 values once expanded, in well under 1 KB
    assert len(text) < 1024
    with pytest.raises(ConfigurationError, match="aliases are expanded"):
        load_stack_yaml(text, "stacks/Pulumi.x.yaml")


def test_aliases_that_expand_little_still_work() -> None:
    document = load_stack_yaml(_alias_bomb(3), "stacks/Pulumi.x.yaml")
    assert len(document["config"]["p:a2"]) == 9 and len(document["config"]["p:a2"][0]) == 9


@pytest.mark.parametrize(
    "text",
    [
        f"config:\n  p:k: *{PLANTED}\n",
        f"config:\n  p:k: !{PLANTED} x\n",
        f"config:\n  p:k: !!python/name:{PLANTED} x\n",
        f'config:\n  p:k: "\\q{PLANTED}"\n',
        f"config:\n  p:k: '{PLANTED}\n",
        f"config:\n  ? [{PLANTED}]\n  : 1\n",
    ],
    ids=["undefined-alias", "tag", "python-tag", "escape", "unterminated", "complex-key"],
)
def test_yaml_errors_never_quote_the_text(text: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_stack_yaml(text, "stacks/Pulumi.x.yaml")
    assert PLANTED not in str(caught.value)
    assert str(caught.value).startswith("stacks/Pulumi.x.yaml: ")


def test_pulumi_yaml_errors_never_quote_the_line(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(f'name: shop\nruntime: "{PLANTED}\n')
    with pytest.raises(ConfigurationError) as caught:
        find_project(tmp_path)
    assert PLANTED not in str(caught.value) and "Pulumi.yaml" in str(caught.value)
    (tmp_path / "Pulumi.yaml").write_text(f"name: '{PLANTED} with spaces'\n")
    with pytest.raises(ConfigurationError, match="name: required") as caught:
        find_project(tmp_path)
    assert PLANTED not in str(caught.value)
    (tmp_path / "Pulumi.yaml").write_text("name: shop\n" + "#" * 70_000)
    with pytest.raises(ConfigurationError, match="larger than"):
        find_project(tmp_path)


def test_oversized_env_file_is_refused(project: Path, cli: CliRunner) -> None:
    (project / "big.env").write_text("A=1\n" * 300_000)
    code, output = _plan(cli, "dev", "--env-file", "big.env")
    assert code == EXIT_INVALID and "larger than 1 MB" in output


def test_verify_never_prints_credentials_of_a_url(project: Path, cli: CliRunner) -> None:
    for endpoint in (f"https://user:{PLANTED}@example.com/", f"https://example.com:{PLANTED}/"):
        outputs = {"services": {"s": {"endpoint": endpoint, "api_key": "k"}}}
        (project / "outputs.json").write_text(json.dumps(outputs))
        result = cli.invoke(app, ["verify", "-s", "dev", "--outputs", "outputs.json"])
        assert result.exit_code == EXIT_INVALID, result.output
        assert "services.s.endpoint" in result.output and PLANTED not in result.output


@pytest.mark.parametrize("timeout", ["inf", "nan", "-1", "0", "1e308"])
def test_verify_timeout_outside_what_a_socket_holds(
    project: Path, cli: CliRunner, timeout: str
) -> None:
    seed_files.write(project)
    result = cli.invoke(
        app, ["verify", "-s", "dev", "--outputs", "outputs.json", "--timeout", timeout]
    )
    assert result.exit_code == EXIT_INVALID, result.output


def test_key_lifetime_limits_beyond_datetime_are_refused(project: Path, cli: CliRunner) -> None:
    seed_files.write(project)
    result = cli.invoke(app, ["audit", "export.json", "--max-key-days", str(10**12)])
    assert result.exit_code == EXIT_INVALID
    stack = project / "stacks" / "Pulumi.dev.yaml"
    stack.write_text(DEV.replace("max_key_lifetime_days: 90", f"max_key_lifetime_days: {10**12}"))
    code, output = _plan(cli, "dev")
    assert code == EXIT_INVALID and "policy.max_key_lifetime_days" in output


def test_export_fields_of_the_wrong_type(project: Path, cli: CliRunner) -> None:
    export = seed_files.export_document()
    export["deployment"]["resources"][1]["dependencies"] = 5
    export["version"] = PLANTED
    (project / "export.json").write_text(json.dumps(export))
    result = cli.invoke(app, ["audit", "export.json"])
    assert result.exit_code == EXIT_INVALID and PLANTED not in result.output
    export["version"] = 3
    (project / "export.json").write_text(json.dumps(export))
    result = cli.invoke(app, ["audit", "export.json"])
    assert result.exit_code == EXIT_INVALID
    assert "deployment.resources[1].dependencies is not a list" in result.output


# --- hermetic configuration ----------------------------------------------------------------


def test_pulumi_config_in_the_environment_is_ignored(
    project: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, clean = _plan(cli, "dev", "--format", "json")
    assert code == 0
    monkeypatch.setenv(
        "PULUMI_CONFIG",
        json.dumps(
            {
                "private-serverless:bogus": "1",
                "private-serverless:defaults": json.dumps({"region": "pl-waw"}),
            }
        ),
    )
    monkeypatch.setenv("PULUMI_CONFIG_PRIVATE_SERVERLESS_POLICY", "not json")
    code, with_env = _plan(cli, "dev", "--format", "json")
    assert code == 0, with_env
    assert with_env == clean
    assert os.environ["PULUMI_CONFIG_PRIVATE_SERVERLESS_POLICY"] == "not json"  # restored


def test_a_project_named_otherwise_with_a_third_party_key_plans(
    project: Path, cli: CliRunner
) -> None:
    project_file = project / "Pulumi.yaml"
    project_file.write_text(
        project_file.read_text().replace("name: private-serverless", "name: shop", 1)
    )
    text = DEV.replace("private-serverless:", "shop:").replace(
        "config:\n", "config:\n  datadog:apiUrl: https://api.datadoghq.eu\n", 1
    )
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    code, output = _plan(cli, "dev", "--format", "json")
    assert code == 0, output
    plan = json.loads(output)
    assert plan["project"] == "shop" and plan["outputs"]["services"]


def test_a_setting_given_in_two_spellings_is_an_error_naming_both_lines(
    project: Path, cli: CliRunner
) -> None:
    text = DEV + "  services:\n    other:\n      kind: container\n"
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    code, output = _plan(cli, "dev")
    assert code == EXIT_INVALID
    services_line = DEV.split("\n").index("  private-serverless:services:") + 1
    last_line = text.count("\n") - 2
    expected = (
        "config.services: the same setting as `private-serverless:services` "
        f"(lines {services_line} and {last_line})"
    )
    assert expected in output, output


# --- strict types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replace", "by", "path"),
    [
        ("max_scale: 2", "max_scale: true", "services.billing.max_scale"),
        ("max_scale: 2", 'max_scale: "2"', "services.billing.max_scale"),
        ("memory_limit_mb: 128", 'memory_limit_mb: "128"', "services.billing.memory_limit_mb"),
        ("memory_limit_mb: 128", "memory_limit_mb: true", "services.billing.memory_limit_mb"),
        (
            "max_key_lifetime_days: 90",
            'max_key_lifetime_days: "90"',
            "policy.max_key_lifetime_days",
        ),
        (
            "max_key_lifetime_days: 90",
            "max_key_lifetime_days: 90\n    require_condition: 0",
            "policy.require_condition",
        ),
        ("port: 8080", 'port: "8080"', "services.api.port"),
        (
            "memory_limit_mb: 128",
            "memory_limit_mb: 128\n      project_id: ''",
            "services.billing.project_id",
        ),
        ("memory_limit_mb: 128", "memory_limit_mb: 128\n      name: ''", "services.billing.name"),
        (
            "max_scale: 1",
            'max_scale: 1\n      access: {key_expires_in_days: "30"}',
            "services.reports.access.key_expires_in_days",
        ),
    ],
)
def test_stack_files_are_read_strictly(
    project: Path, cli: CliRunner, replace: str, by: str, path: str
) -> None:
    assert replace in DEV, replace
    (project / "stacks" / "Pulumi.dev.yaml").write_text(DEV.replace(replace, by, 1))
    code, output = _plan(cli, "dev")
    assert code == EXIT_INVALID, output
    assert path in output


def test_strict_defaults(project: Path, cli: CliRunner) -> None:
    defaults = DEV.replace("key_expires_in_days: 90", 'key_expires_in_days: "30"', 1)
    assert defaults != DEV
    (project / "stacks" / "Pulumi.dev.yaml").write_text(defaults)
    code, output = _plan(cli, "dev")
    assert code == EXIT_INVALID and "defaults.key_expires_in_days" in output


def test_service_entries_are_not_copied_with_aliases() -> None:
    copies = "".join(f"    s{i}: *s\n" for i in range(1, 80))
    text = (
        "config:\n  private-serverless:services:\n    s0: &s {kind: container, image: r/i:1}\n"
        + copies
    )
    assert len(text) < 1024  # 80 services, 400 resources to plan, in under 1 KB
    with pytest.raises(ConfigurationError, match=r"services\.s1: a service entry is written out"):
        load_stack_yaml(text, "stacks/Pulumi.x.yaml", project="private-serverless")
    merged = "config:\n  services:\n    a: &s {kind: container}\n    b: {<<: *s, image: r/i:2}\n"
    with pytest.raises(ConfigurationError, match=r"services\.b: a service entry is written out"):
        load_stack_yaml(merged, "stacks/Pulumi.x.yaml", project="private-serverless")
    shared_env = (
        "config:\n  services:\n    a: {kind: container, env: &e {A: '1'}}\n"
        "    b: {kind: container, env: *e}\n"
    )
    document = load_stack_yaml(shared_env, "stacks/Pulumi.x.yaml", project="private-serverless")
    assert document["config"]["services"]["b"]["env"] == {"A": "1"}


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        (f"namespace_name: {PLANTED}", "services.billing.namespace_name"),
        (f"access: {{condition: 'inIpRange(request.ip, \"{PLANTED}\")'}}", "access.condition"),
        (f"env: {{'{PLANTED}': x}}", "services.billing.env"),
    ],
    ids=["name", "cidr-in-condition", "env-name"],
)
def test_validator_messages_never_quote_the_value(
    project: Path, cli: CliRunner, entry: str, path: str
) -> None:
    # The reports service (no access, no namespace_name of its own yet).
    text = DEV.replace("max_scale: 1", f"max_scale: 1\n      {entry}", 1)
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    code, output = _plan(cli, "dev")
    assert code == EXIT_INVALID and path.replace("billing", "reports") in output, output
    assert PLANTED not in output.replace(f"env.{PLANTED}", "")  # a key path names the key
    assert PLANTED.lower() not in output
