"""Secret-leak harness: plant unique values in every secret source, scan every output surface.

Sources: environment variables and a ``.env`` file (the names of ``.env.example``), a
``secure:`` config value (its ciphertext) referenced with ``config:``, environment variables
that look secret but no stack uses, and a secret pasted by value where a reference belongs.
Surfaces: every plan format, ``--out`` files, diffs (``--against``), stack outputs,
diagnostics, logs, stderr, error messages, ``verify``, ``audit`` and ``condition``.
No planted value, nor its unique tail, may appear anywhere.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from private_serverless.cli import app
from private_serverless.errors import ConfigurationError
from private_serverless.plan.mocks import mock_api_access_key, mock_uuid
from private_serverless.plan.stack_plan import run_stack_plan
from private_serverless.project.stack.offline import load_offline_program
from typer.testing import CliRunner

from tests._policy_records import compliant_records
from tests.conftest import dump
from tests.test_audit import export_document, plaintext
from tests.test_verify import _PrivateHandler, _PublicHandler, _serve

ROOT = Path(__file__).resolve().parent.parent
STACK = "leaks"


def _planted(kind: str, tail: str) -> str:
    return f"PLANTED-{kind}-{tail}"


# Referenced secrets: from the environment, from .env, and a secure: config ciphertext.
ENV_DB_PASSWORD = _planted("env", "a91c04d7e2b3")
DOTENV_S3 = _planted("dotenv", "5be7f1c2903d")
DOTENV_SIGNING = _planted("dotenv", "c4d88e0a17f6")
CIPHERTEXT = "v1:" + _planted("ciphertext", "0f3e9b2d5a71")
# Environment variables that look secret and that no stack reads.
UNUSED_ENV = {
    "SCW_SECRET_KEY": _planted("scw", "7d2c5e90b1a4"),
    "AWS_SECRET_ACCESS_KEY": _planted("aws", "e81b3f6c0d29"),
    "PULUMI_CONFIG_PASSPHRASE": _planted("pass", "29a6d1f7c3e0"),
}
# Pasted by value where a reference belongs; and a value too long for Scaleway.
PASTED = "hunter2-" + _planted("pasted", "b6e02a9d4f18")
LONG_SECRET = _planted("long", "3a7c9e1f5b02") * 300

# Secret values under innocent names, and secure values where no secret belongs (issue 10).
REDIS_PASSWORD = _planted("redis", "d04e7c1a9b36")
URL_WITH_PASSWORD = f"redis://:{REDIS_PASSWORD}@cache.internal:6379/0"
GITHUB_TOKEN = "ghp_PLANTEDgithubtoken8c2f6a0e4d17b9"
MISPLACED_CIPHERTEXT = "v1:" + _planted("misplaced", "71c5a3e9d0b2")
PLAIN_CONFIG_SECRET = _planted("plainconfig", "e5b9014c7a3d")
# The secret the mock provider gives the key of the dev stack's call (reports calls billing):
# the value that flows into reports' secret variable BILLING_AUTH_TOKEN in the deployment run.
CALL_KEY = mock_uuid("reports-calls-billing-key-gen0", "secret-key")
# The key of reports' own identity (identity.grants), in its secret variables.
IDENTITY_SECRET_KEY = mock_uuid("reports-identity-key-gen0", "secret-key")
IDENTITY_ACCESS_KEY = mock_api_access_key("reports-identity-key-gen0")

ALL_PLANTED = [
    REDIS_PASSWORD,
    GITHUB_TOKEN,
    MISPLACED_CIPHERTEXT,
    PLAIN_CONFIG_SECRET,
    CALL_KEY,
    IDENTITY_SECRET_KEY,
    IDENTITY_ACCESS_KEY,
    ENV_DB_PASSWORD,
    DOTENV_S3,
    DOTENV_SIGNING,
    CIPHERTEXT,
    PASTED,
    LONG_SECRET,
    *UNUSED_ENV.values(),
]


def assert_no_leak(*texts: str) -> None:
    """No planted value, nor the unique tail of one (a truncated leak), in any of ``texts``."""
    for text in texts:
        for planted in ALL_PLANTED:
            assert planted not in text
            assert planted[-12:] not in text, f"tail of a planted value in: {text[:500]}"


DEV = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
# billing reads its password from config (secure:) and a token from the environment.
LEAK_STACK = (
    DEV.replace(
        "        DB_PASSWORD: env:BILLING_DB_PASSWORD\n",
        "        DB_PASSWORD: config:dbPassword\n        API_TOKEN: env:BILLING_DB_PASSWORD\n",
        1,
    )
    .replace(
        "      calls:\n        billing: {}\n",
        "      calls:\n        billing: {}\n"
        "      identity:\n        grants:\n          - permission_set: SecretManagerSecretAccess\n",
        1,
    )
    .replace(
        "config:\n", f"config:\n  private-serverless:dbPassword:\n    secure: {CIPHERTEXT}\n", 1
    )
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project copy with the planted stack and .env, as the working directory, env set."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path)
    shutil.copy(ROOT / "__main__.py", tmp_path)  # the program plan runs
    shutil.copytree(ROOT / "services", tmp_path / "services")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / f"Pulumi.{STACK}.yaml").write_text(LEAK_STACK)
    (tmp_path / ".env").write_text(
        f"REPORTS_S3_SECRET_KEY={DOTENV_S3}\nAPI_SIGNING_KEY={DOTENV_SIGNING}\n"
        f"BILLING_DB_PASSWORD=not-this-one-the-environment-wins\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BILLING_DB_PASSWORD", ENV_DB_PASSWORD)
    for name, value in UNUSED_ENV.items():
        monkeypatch.setenv(name, value)
    yield tmp_path


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def _set_stack(project: Path, text: str) -> None:
    (project / "stacks" / f"Pulumi.{STACK}.yaml").write_text(text)


# --- the offline plan --------------------------------------------------------------------


def test_secure_config_reaches_the_program_as_the_placeholder(project: Path) -> None:
    _, config, secret_keys = load_offline_program(STACK)
    assert config["private-serverless:dbPassword"] == "[secret]"
    assert "private-serverless:dbPassword" in secret_keys
    assert_no_leak(json.dumps(config))


def test_plan_stack_outputs_diagnostics_and_logs(
    project: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    plan = run_stack_plan(STACK)
    function = next(
        r
        for r in plan.resources
        if r.type == "scaleway:functions/function:Function" and r.name == "billing-function"
    )
    # The secrets are there, masked: proof the planted values were read, not just absent.
    assert function.inputs["secretEnvironmentVariables"] == "[secret]"
    # The key does not exist before the apply: a secret, and unknown, as the engine has it.
    assert plan.outputs["services"]["billing"]["api_key"] == "[unknown secret]"
    # The call's key went in as a secret variable (its value is scanned for below), and only
    # the endpoint is plain.
    reports = next(r for r in plan.resources if r.name == "reports-function")
    assert reports.inputs["secretEnvironmentVariables"] == "[unknown secret]"
    assert set(reports.inputs["environmentVariables"]) == {
        "BILLING_URL",
        "SERVICE_PROJECT_ID",
        "SERVICE_ORGANIZATION_ID",
    }
    assert any(r.name == "reports-calls-billing-key-gen0" for r in plan.resources)
    assert any(r.name == "reports-identity-key-gen0" for r in plan.resources)
    captured = capfd.readouterr()
    assert_no_leak(
        dump(plan),
        repr(plan.diagnostics),
        repr(plan.findings),
        caplog.text,
        captured.out,
        captured.err,
    )


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_every_plan_format_and_out_file(project: Path, cli: CliRunner, output_format: str) -> None:
    result = cli.invoke(app, ["plan", "--stack", STACK, "--format", output_format])
    assert result.exit_code == 0, result.output
    assert "billing" in result.stdout
    out = project / f"plan.{output_format}"
    written = cli.invoke(
        app, ["plan", "--stack", STACK, "--format", output_format, "--out", str(out)]
    )
    assert written.exit_code == 0, written.output
    assert_no_leak(result.stdout, result.stderr, written.output, out.read_text())


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_diff_against_a_base_plan(project: Path, cli: CliRunner, output_format: str) -> None:
    base = project / "base.json"
    # The base: the same stack with other secret values and one more instance.
    _set_stack(project, LEAK_STACK.replace("max_scale: 2", "max_scale: 3", 1))
    made = cli.invoke(app, ["plan", "--stack", STACK, "--format", "json", "--out", str(base)])
    assert made.exit_code == 0, made.output
    _set_stack(project, LEAK_STACK)
    result = cli.invoke(
        app, ["plan", "--stack", STACK, "--format", output_format, "--against", str(base)]
    )
    assert result.exit_code == 0, result.output
    assert "max" in result.stdout.lower() or "scale" in result.stdout.lower()
    assert_no_leak(base.read_text(), result.stdout, result.stderr)


# --- errors while secrets are set ----------------------------------------------------------


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        # Another key is invalid; every secret resolves.
        ("max_scale: 2", "max_scale: -1", "services.billing.max_scale"),
        # A secret pasted by value instead of a reference.
        ("API_TOKEN: env:BILLING_DB_PASSWORD", f"API_TOKEN: {PASTED}", "by reference"),
        # The pasted secret in plain env, under a credential-looking name.
        (
            "LOG_LEVEL: debug",
            f"LOG_LEVEL: debug\n        ADMIN_PASSWORD: {PASTED}",
            "ADMIN_PASSWORD",
        ),
        # The pasted secret as a kind.
        ("kind: container", f"kind: {PASTED}", "kind"),
        # The pasted secret as a key that is refused: a schedule's name, an environment
        # variable's, a secret's. Errors name key paths, but never a key they refuse.
        (
            "LOG_LEVEL: debug",
            f"LOG_LEVEL: debug\n      schedules:\n        {PASTED}:\n          schedule: 0 2 * * *",
            "schedules.<a refused key>",
        ),
        ("LOG_LEVEL: debug", f"LOG_LEVEL: debug\n        {PASTED}: debug", "env.<a refused key>"),
        (
            "API_TOKEN: env:BILLING_DB_PASSWORD",
            f"{PASTED}: env:BILLING_DB_PASSWORD",
            "secrets.<a refused key>",
        ),
        # ... as a secret's or a variable's name whose reference does not resolve.
        (
            "API_TOKEN: env:BILLING_DB_PASSWORD",
            f"{PASTED}: env:NOT_SET_ANYWHERE",
            "secrets.<a refused key>",
        ),
        (
            "API_TOKEN: env:BILLING_DB_PASSWORD",
            f"{PASTED}: config:nothere",
            "secrets.<a refused key>",
        ),
        (
            "LOG_LEVEL: debug",
            f"LOG_LEVEL: debug\n        {PASTED}: ${{services.nope.endpoint}}",
            "env.<a refused key>",
        ),
        # ... as a service's key holding a duplicate key: the line says where.
        (
            "    billing:\n      kind: function\n",
            f"    {PASTED}:\n      kind: function\n      kind: function\n",
            "duplicate key",
        ),
        # ... as a shared namespace's key.
        (
            "  private-serverless:services:\n",
            f"  private-serverless:namespaces:\n    {PASTED}:\n      kind: function\n"
            "  private-serverless:services:\n",
            "namespaces.<a refused key>: not a valid namespace name",
        ),
        # ... as the key of a service called, and in a list of services called.
        (
            "      calls:\n        billing: {}\n",
            f"      calls:\n        {PASTED}: {{}}\n",
            "calls.<a refused key>: unknown service",
        ),
        (
            "      calls:\n        billing: {}\n",
            f"      calls: [{PASTED}]\n",
            "calls.<a refused key>: unknown service",
        ),
        # ... and as a service's key, refused as its name, or with a kind that does not exist.
        ("    billing:\n", f"    {PASTED}:\n", "services.<a refused key>: not a valid name"),
        (
            "    billing:\n      kind: function",
            f"    {PASTED}:\n      kind: lambda",
            "services.<a refused key>.kind",
        ),
        # The pasted secret where a number belongs, and as a condition.
        ("memory_limit_mb: 128", f"memory_limit_mb: {PASTED}", "memory_limit_mb"),
        (
            'condition: request.user_agent.contains("billing-dev-client")',
            f"condition: {PASTED}",
            "condition",
        ),
        # A YAML error on the line of a secret.
        ("API_TOKEN: env:BILLING_DB_PASSWORD", f"API_TOKEN: [{PASTED}", "invalid YAML"),
        # Secret values under names that look harmless, and secret-looking short names.
        (
            "LOG_LEVEL: debug",
            f"LOG_LEVEL: debug\n        CACHE_URL: {URL_WITH_PASSWORD}",
            "CACHE_URL",
        ),
        ("LOG_LEVEL: debug", f"LOG_LEVEL: debug\n        NOTE: {GITHUB_TOKEN}", "NOTE"),
        ("LOG_LEVEL: debug", f"LOG_LEVEL: debug\n        SMTP_PASS: {PASTED}", "SMTP_PASS"),
        # A secure value in a plain slot: it would be decrypted into a plain input.
        (
            "LOG_LEVEL: debug",
            f"LOG_LEVEL: debug\n      description:\n        secure: {MISPLACED_CIPHERTEXT}",
            "services.billing.description",
        ),
        (
            "LOG_LEVEL: debug",
            f"LOG_LEVEL: debug\n        EXTRA:\n          secure: {MISPLACED_CIPHERTEXT}",
            "services.billing.env.EXTRA",
        ),
        # A duplicate key whose value is the secret.
        (
            "API_TOKEN: env:BILLING_DB_PASSWORD",
            f"API_TOKEN: {PASTED}\n        API_TOKEN: {PASTED}",
            "duplicate key",
        ),
    ],
)
def test_invalid_configuration_errors_never_echo_a_secret(
    project: Path, cli: CliRunner, replace: str, by: str, expected: str
) -> None:
    assert replace in LEAK_STACK
    _set_stack(project, LEAK_STACK.replace(replace, by, 1))
    with pytest.raises(ConfigurationError) as caught:
        run_stack_plan(STACK)
    assert expected in str(caught.value)
    result = cli.invoke(app, ["plan", "--stack", STACK])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert_no_leak(str(caught.value), repr(caught.value.problems), result.output)


def test_a_refused_service_key_that_reads_as_a_name_is_named(project: Path) -> None:
    _set_stack(project, LEAK_STACK.replace("    billing:\n", "    Billing:\n", 1))
    with pytest.raises(ConfigurationError) as caught:
        run_stack_plan(STACK)
    assert "services.Billing: not a valid name" in str(caught.value)
    assert "<a refused key>" not in str(caught.value)


def test_an_over_long_secret_is_refused_by_length_only(
    project: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILLING_DB_PASSWORD", LONG_SECRET)
    with pytest.raises(ConfigurationError) as caught:
        run_stack_plan(STACK)
    assert "API_TOKEN" in str(caught.value) and "characters" in str(caught.value)
    result = cli.invoke(app, ["plan", "--stack", STACK])
    assert result.exit_code == 2
    assert_no_leak(str(caught.value), result.output)


# --- verify, audit, condition ---------------------------------------------------------------


def test_verify_output(project: Path, cli: CliRunner) -> None:
    for private in _serve(_PrivateHandler):
        for public in _serve(_PublicHandler):
            outputs = {
                "services": {
                    "billing": {"endpoint": private, "api_key": ENV_DB_PASSWORD},
                    "leaky": {"endpoint": public, "api_key": DOTENV_S3},
                    "plain": {"endpoint": "http://example.com/", "api_key": DOTENV_SIGNING},
                }
            }
            path = project / "outputs.json"
            path.write_text(json.dumps(outputs))
            invalid = cli.invoke(app, ["verify", "--stack", STACK, "--outputs", str(path)])
            assert invalid.exit_code == 2  # http:// to a remote host
            del outputs["services"]["plain"]
            path.write_text(json.dumps(outputs))
            result = cli.invoke(app, ["verify", "--stack", STACK, "--outputs", str(path)])
            assert result.exit_code == 1  # leaky is public
            path.write_text(json.dumps(outputs)[:-3])  # truncated JSON, keys inside
            broken = cli.invoke(app, ["verify", "--stack", STACK, "--outputs", str(path)])
            assert broken.exit_code == 2
            assert_no_leak(invalid.output, result.output, broken.output)


def _planted_export() -> dict[str, Any]:
    document = export_document(compliant_records())
    function = next(
        r
        for r in document["deployment"]["resources"]
        if r["type"] == "scaleway:functions/function:Function"
    )
    # Plain env holding secrets, and secret env decrypted to plaintext (--show-secrets).
    function["inputs"]["environmentVariables"] = {
        "DB_PASSWORD": ENV_DB_PASSWORD,
        "S3_KEY": plaintext(DOTENV_S3),
    }
    function["inputs"]["secretEnvironmentVariables"] = {"SIGNING_KEY": plaintext(DOTENV_SIGNING)}
    function["outputs"] = {**function["outputs"], **function["inputs"]}
    function["outputs"]["note"] = CIPHERTEXT
    return document


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_audit_output(project: Path, cli: CliRunner, output_format: str) -> None:
    path = project / "export.json"
    path.write_text(json.dumps(_planted_export()))
    result = cli.invoke(app, ["audit", str(path), "--format", output_format])
    assert result.exit_code == 1, result.output
    assert "DB_PASSWORD" in result.stdout  # the finding names the variable, not its value
    assert_no_leak(result.output)


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    "args",
    [
        ["condition", "check", 'inIpRange(request.ip, "198.51.100.0/24")'],
        ["condition", "check", 'request.user_agent.contains("x") &&'],
        ["condition", "eval", "request.ip == request.ip", "--ip", "198.51.100.7"],
        [
            "condition",
            "eval",
            'inIpRange(request.ip, "10.0.0.0/8")',
            "--ip",
            "198.51.100.7",
            "--time",
            "2026-03-30T07:30:00Z",
        ],
    ],
)
def test_condition_commands(cli: CliRunner, args: list[str]) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code in (0, 1, 2)
    assert_no_leak(result.output)


# --- a program registering raw resources: the plan hides what its rules call secret ---------


def _raw_program() -> None:
    import pulumiverse_scaleway as scw

    scw.functions.Function(
        "raw",
        namespace_id="ns-id",
        runtime="python312",
        handler="handler.handle",
        privacy="private",
        http_option="redirected",
        environment_variables={
            "CACHE_URL": URL_WITH_PASSWORD,
            "NOTE": GITHUB_TOKEN,
            "SMTP_PASS": PASTED,
            "LOG_LEVEL": "info",
        },
    )


def test_values_a_rule_calls_secret_are_never_printed() -> None:
    from private_serverless.plan import render_json, render_markdown, render_text

    plan = run_stack_plan(STACK, loader=lambda stack: (_raw_program, {}, set()), project="raw")
    flagged = {f["message"].split("'")[3] for f in plan.findings if f["rule"] == "no-plain-secrets"}
    assert flagged == {"CACHE_URL", "NOTE", "SMTP_PASS"}
    raw = next(r for r in plan.resources if r.name == "raw")
    assert raw.inputs["environmentVariables"]["LOG_LEVEL"] == "info"  # the rest is shown
    assert_no_leak(dump(plan), render_text(plan), render_markdown(plan), render_json(plan))


def _raw_program_echoing() -> None:
    """The raw program, whose program also copies what the rule flags elsewhere: an export of
    the variables, another resource's description, a log message."""
    import pulumi
    import pulumiverse_scaleway as scw

    function = scw.functions.Function(
        "raw",
        namespace_id="ns-id",
        runtime="python312",
        handler="handler.handle",
        privacy="private",
        http_option="redirected",
        environment_variables={"NOTE": GITHUB_TOKEN, "SMTP_PASS": PASTED, "API_TOKEN": "debug"},
        description=f"token {GITHUB_TOKEN}",
    )
    scw.functions.Namespace("ns", description=f"mail {PASTED}; level debug")
    pulumi.export("variables", function.environment_variables)
    pulumi.export("pair", [GITHUB_TOKEN, "debug"])
    pulumi.log.warn(f"configured with {GITHUB_TOKEN}")


def test_copies_of_a_value_a_rule_calls_secret_are_never_printed() -> None:
    from private_serverless.plan import render_json, render_markdown, render_text

    plan = run_stack_plan(
        STACK, loader=lambda stack: (_raw_program_echoing, {}, set()), project="raw"
    )
    assert {f["rule"] for f in plan.findings} >= {"no-plain-secrets"}
    assert_no_leak(dump(plan), render_text(plan), render_markdown(plan), render_json(plan))
    assert GITHUB_TOKEN not in render_text(plan)
    assert plan.outputs["pair"] == ["[secret]", "debug"]
    assert [d.message for d in plan.diagnostics] == ["configured with [secret]"]
    namespace = next(r for r in plan.resources if r.name == "ns")
    # A short flagged value (API_TOKEN=debug) is hidden where it stands only: replacing every
    # `debug` would garble the rest of the plan.
    assert namespace.inputs["description"] == "mail [secret]; level debug"
    raw = next(r for r in plan.resources if r.name == "raw")
    assert raw.inputs["environmentVariables"]["API_TOKEN"] == "[secret]"
    assert raw.inputs["description"] == "token [secret]"


MIRRORED = _planted("mirrored", "d41c7b9e02f5")


def _mirroring_program(*, moved: bool) -> None:
    """A function whose secret's value is also copied into plain values (``moved``: as it is
    after the change that moves GREETING from plain to secret variables)."""
    import pulumi
    import pulumiverse_scaleway as scw

    greeting = f"hello {MIRRORED} world"
    plain = {"MIRROR": MIRRORED, "LOG_LEVEL": "info"} if moved else {"GREETING": greeting}
    secrets = {"DB_PASSWORD": MIRRORED, "GREETING": greeting} if moved else {}
    scw.functions.Function(
        "mirror",
        namespace_id="ns-id",
        runtime="python312",
        handler="handler.handle",
        privacy="private",
        http_option="redirected",
        environment_variables=plain,
        secret_environment_variables={k: pulumi.Output.secret(v) for k, v in secrets.items()},
    )
    if moved:
        pulumi.export("note", f"uses {MIRRORED}")


def test_a_secret_s_value_copied_into_plain_values_is_hidden_and_flagged() -> None:
    from private_serverless.plan import render_json, render_markdown, render_text

    plan = run_stack_plan(
        STACK, loader=lambda stack: (lambda: _mirroring_program(moved=True), {}, set()), project="m"
    )
    mirror = next(r for r in plan.resources if r.name == "mirror")
    assert mirror.inputs["environmentVariables"] == {"MIRROR": "[secret]", "LOG_LEVEL": "info"}
    assert plan.outputs["note"] == "uses [secret]"
    flagged = [f for f in plan.findings if f["rule"] == "no-plain-secrets"]
    assert [f["severity"] for f in flagged] == ["mandatory"] and "'MIRROR'" in flagged[0]["message"]
    assert MIRRORED not in render_text(plan) + render_markdown(plan) + render_json(plan)


def test_a_diff_hides_in_the_base_plan_what_the_head_made_secret() -> None:
    from private_serverless.plan import render_json
    from private_serverless.plan.diff import (
        diff_plans,
        render_diff_json,
        render_diff_markdown,
        render_diff_text,
    )

    def plan(moved: bool):
        program = lambda: _mirroring_program(moved=moved)  # noqa: E731
        return run_stack_plan(STACK, loader=lambda stack: (program, {}, set()), project="m")

    base = json.loads(render_json(plan(moved=False)))
    assert MIRRORED in json.dumps(base)  # the base plan file holds it in clear
    diff = diff_plans(base, plan(moved=True))
    for render in (render_diff_text, render_diff_markdown, render_diff_json):
        assert MIRRORED not in render(diff)
    assert "environmentVariables.GREETING" in render_diff_text(diff)  # still said to change


def test_a_config_reference_to_a_plain_value_is_refused(project: Path, cli: CliRunner) -> None:
    stack = LEAK_STACK.replace(
        "API_TOKEN: env:BILLING_DB_PASSWORD", "API_TOKEN: config:plainOne", 1
    ).replace("config:\n", f"config:\n  private-serverless:plainOne: {PLAIN_CONFIG_SECRET}\n", 1)
    _set_stack(project, stack)
    result = cli.invoke(app, ["plan", "--stack", STACK])
    assert result.exit_code == 2, result.output
    assert "services.billing.secrets.API_TOKEN: config:plainOne points at a plain value" in (
        result.output
    )
    assert_no_leak(result.output)
