"""The audit: export reading, the report (one finding per planted problem), rendering, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from private_serverless.audit import (
    AuditError,
    audit_export,
    build_report,
    read_export,
    redact,
    render_json,
    render_text,
)
from private_serverless.cli import app as main_app
from private_serverless.core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from private_serverless.policies import PolicySettings
from typer.testing import CliRunner

from ._policy_records import NOW, ORG, PROJECT, compliant_records, find, replaced

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

PLANTED_PLAIN_VALUE = "hunter2-plain-db-password"
PLANTED_SECRET = "s3cr3t-planted-plaintext-value"
PLANTED_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJwbGFudGVkIjp0cnVlfQ.planted-jwt-signature"


def ciphertext() -> dict[str, str]:
    return {SIG: SECRET_SIG, "ciphertext": "v1:AAAA:planted-ciphertext-blob"}


def plaintext(value: str) -> dict[str, str]:
    return {SIG: SECRET_SIG, "plaintext": json.dumps(value)}


def export_document(
    records: list[ResourceRecord], extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A `pulumi stack export` document holding ``records`` (secrets encrypted)."""

    def encode(value: Any) -> Any:
        if value == SECRET_PLACEHOLDER:
            return ciphertext()
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v) for v in value]
        return value

    resources = [
        {
            "urn": r.urn,
            "custom": r.custom,
            "id": f"fr-par/{r.name}-id" if r.custom else "",
            "type": r.type,
            "inputs": encode(dict(r.inputs)),
            "outputs": encode(dict(r.inputs)),
            **({"parent": r.parent} if r.parent else {}),
            "protect": r.protect,
            "dependencies": list(r.dependencies),
            "propertyDependencies": {},
        }
        for r in records
    ]
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-20T10:00:00Z", "magic": "x", "version": "v3.272.0"},
            "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:planted-salt"}},
            "resources": [*resources, *(extra or [])],
        },
    }


def write(tmp_path: Path, document: Any, name: str = "stack.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2))
    return path


def resource(type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::shop::{type_}::{name}",
        "custom": True,
        "id": f"{name}-id",
        "type": type_,
        "inputs": inputs,
        "outputs": {**inputs, **extra.pop("outputs", {})},
        "parent": "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev",
        "dependencies": [],
        **extra,
    }


def planted_export() -> dict[str, Any]:
    rs = compliant_records()
    rs = replaced(rs, "billing", privacy="public")
    rs = replaced(rs, "web", privacy=None)
    rs = replaced(rs, "billing-caller-key", expiresAt=None)
    document = export_document(rs)
    by_name = {r["urn"].rsplit("::", 1)[-1]: r for r in document["deployment"]["resources"]}
    billing = next(
        r
        for r in document["deployment"]["resources"]
        if r["type"] == "scaleway:functions/function:Function"
    )
    billing["inputs"]["environmentVariables"] = {
        "DB_PASSWORD": PLANTED_PLAIN_VALUE,
        "UPSTREAM_URL": plaintext(PLANTED_SECRET),
    }
    billing["inputs"]["secretEnvironmentVariables"] = {"API_TOKEN": plaintext(PLANTED_SECRET)}
    assert by_name["web"]["inputs"].get("privacy") is None
    app_id = by_name["billing-caller-access"]["inputs"]["applicationId"]
    document["deployment"]["resources"] += [
        resource(
            "scaleway:functions/token:Token",
            "billing-jwt",
            {"functionId": "billing-id"},
            outputs={"token": plaintext(PLANTED_TOKEN)},
        ),
        resource(
            "scaleway:index/containerToken:ContainerToken",
            "web-jwt",
            {"containerId": "web-id", "expiresAt": "2027-01-01T00:00:00Z"},
            outputs={"token": ciphertext()},
        ),
        resource(
            "scaleway:iam/policy:Policy",
            "ops-admin",
            {
                "userId": "user-1",
                "rules": [
                    {"permissionSetNames": ["ContainersFullAccess"], "projectIds": [PROJECT]}
                ],
            },
        ),
        resource(
            "scaleway:iam/policy:Policy",
            "org-readers",
            {
                "groupId": "group-1",
                "rules": [{"permissionSetNames": ["FunctionsReadOnly"], "organizationId": ORG}],
            },
        ),
        resource(
            "scaleway:iam/policy:Policy",
            "billing-backdoor",
            {
                "applicationId": app_id,
                "rules": [
                    {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}
                ],
            },
        ),
    ]
    return document


EXPECTED = {
    ("private-services", "billing"),
    ("private-services", "web"),
    ("no-plain-secrets", "billing"),
    ("no-legacy-tokens", "billing-jwt"),
    ("no-legacy-tokens", "web-jwt"),
    ("broad-permission-set", "ops-admin"),  # ContainersFullAccess: broad, cannot escalate
    ("project-scoped-policies", "org-readers"),
    ("no-condition-bypass", "billing-caller-access"),
    ("key-expiry", "billing-caller-key"),
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main_app, ["audit", *args])


# --- export reader ---------------------------------------------------------------------------


def test_reader_builds_records_with_names_and_redacted_secrets(tmp_path: Path) -> None:
    records = read_export(write(tmp_path, planted_export()))
    function = next(r for r in records if r.type == "scaleway:functions/function:Function")
    assert function.name == "billing"
    assert function.inputs["secretEnvironmentVariables"] == {"API_TOKEN": SECRET_PLACEHOLDER}
    assert function.inputs["environmentVariables"]["UPSTREAM_URL"] == SECRET_PLACEHOLDER
    assert function.parent is not None and function.parent.endswith("::billing")
    policy = next(r for r in records if r.name == "billing-caller-access")
    assert policy.dependencies == (find(compliant_records(), "billing-caller").urn,)
    assert PLANTED_SECRET not in repr(records)


def test_redact_handles_both_secret_forms() -> None:
    assert redact({"a": [ciphertext(), plaintext("x")], "b": 1}) == {
        "a": [SECRET_PLACEHOLDER, SECRET_PLACEHOLDER],
        "b": 1,
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a Pulumi stack export"),
        ('{"version": 2, "deployment": {}}', "unsupported export version"),
        ('{"version": 3, "deployment": {"resources": {}}}', "not a list"),
        ('{"version": 3, "deployment": {"resources": [{"urn": "u"}]}}', "no urn or type"),
    ],
)
def test_invalid_exports_are_named_errors(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(AuditError, match=reason) as info:
        read_export(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="cannot read"):
        read_export(tmp_path / "missing.json")


def test_empty_stack_is_clean(tmp_path: Path) -> None:
    path = write(tmp_path, {"version": 3, "deployment": {"manifest": {}, "resources": None}})
    assert audit_export(path).clean


# --- report ----------------------------------------------------------------------------------


def test_each_planted_problem_is_flagged(tmp_path: Path) -> None:
    report = audit_export(write(tmp_path, planted_export()), now=NOW)
    found = {(f.rule, f.name) for f in report.findings}
    assert found >= EXPECTED
    assert not report.clean
    plain = [f for f in report.findings if f.rule == "no-plain-secrets"]
    assert {"DB_PASSWORD", "UPSTREAM_URL"} == {
        name for f in plain for name in ("DB_PASSWORD", "UPSTREAM_URL") if f"'{name}'" in f.message
    }


def test_clean_export_has_no_finding(tmp_path: Path) -> None:
    report = audit_export(write(tmp_path, export_document(compliant_records())), now=NOW)
    assert report.findings == ()
    assert report.migration_steps == ()


def test_a_credential_in_a_deployed_probe_path_is_reported_without_its_value(
    tmp_path: Path,
) -> None:
    probe = {"http": {"path": f"/health?token={PLANTED_PLAIN_VALUE}"}, "interval": "10s"}
    records = replaced(compliant_records(), "web", livenessProbe=probe)
    report = audit_export(write(tmp_path, export_document(records)), now=NOW)
    plain = [f for f in report.findings if f.rule == "no-plain-secrets"]
    assert [(f.name, f.message.split(": ", 1)[1].split(" holds")[0]) for f in plain] == [
        ("web", "livenessProbe.http.path")
    ]
    assert PLANTED_PLAIN_VALUE not in render_text(report)


def test_migration_steps_follow_the_tokens_found() -> None:
    rs = [*compliant_records()]
    report = build_report(rs, now=NOW)
    assert report.migration_steps == ()
    token = ResourceRecord(
        urn="urn:pulumi:dev::shop::scaleway:functions/token:Token::t",
        type="scaleway:functions/token:Token",
        name="t",
    )
    steps = "\n".join(build_report([*rs, token], now=NOW).migration_steps)
    assert "FunctionsPrivateAccess" in steps and "ContainersPrivateAccess" not in steps
    assert "X-Auth-Token" in steps
    assert "per project" in steps


def test_require_condition_and_key_days_are_settings(tmp_path: Path) -> None:
    path = write(tmp_path, export_document(compliant_records()))
    report = audit_export(path, PolicySettings(require_condition=True), now=NOW)
    assert report.clean  # every fixture rule has a condition
    report = audit_export(path, PolicySettings(max_key_lifetime_days=10), now=NOW)
    assert {f.rule for f in report.findings} == {"key-expiry"}


def test_full_access_of_a_stack_application_is_reported_once() -> None:
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[{"permissionSetNames": ["FunctionsFullAccess"], "projectIds": [PROJECT]}],
    )
    rules = [f.rule for f in build_report(rs, now=NOW).findings]
    # More than calling (least-privilege), broad (advisory), but it cannot change identities.
    assert rules.count("least-privilege") == 1
    assert rules.count("broad-permission-set") == 1
    assert "privilege-escalation" not in rules


# --- rendering and CLI -----------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_output_never_contains_planted_values(tmp_path: Path, output_format: str) -> None:
    result = invoke(str(write(tmp_path, planted_export())), "--format", output_format)
    assert result.exit_code == 1, result.output
    for planted in (PLANTED_PLAIN_VALUE, PLANTED_SECRET, PLANTED_TOKEN, "planted"):
        assert planted not in result.stdout
        assert planted not in result.stderr
    assert "DB_PASSWORD" in result.stdout


def test_text_report_groups_findings_and_explains_the_migration(tmp_path: Path) -> None:
    report = audit_export(write(tmp_path, planted_export()), now=NOW)
    text = render_text(report)
    for title in (
        "Public functions and containers",
        "Secrets in plain environment variables",
        "Legacy JWT tokens",
        "API keys",
        "IAM policies",
        "Migrating from JWT tokens to IAM",
    ):
        assert title in text
    assert "X-Auth-Token" in text


def test_json_report_is_machine_readable(tmp_path: Path) -> None:
    result = invoke(str(write(tmp_path, planted_export())), "--format", "json")
    document = json.loads(result.stdout)
    assert document["clean"] is False
    assert {(f["rule"], f["name"]) for f in document["findings"]} >= EXPECTED
    assert document["summary"]["mandatory"] == len(
        [f for f in document["findings"] if f["severity"] == "mandatory"]
    )
    assert document["migration"]
    assert json.loads(render_json(build_report([], now=NOW)))["clean"] is True


def test_cli_clean_export_exits_0(tmp_path: Path) -> None:
    # Keys expire 30 days after NOW; a generous limit keeps this independent of the real clock.
    path = write(tmp_path, export_document(compliant_records()))
    result = invoke(str(path), "--max-key-days", "3650")
    assert result.exit_code == 0, result.output
    assert "No findings" in result.stdout


def test_cli_options_reach_the_rules(tmp_path: Path) -> None:
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[{"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}],
    )
    path = write(tmp_path, export_document(rs))
    assert invoke(str(path), "--max-key-days", "3650").exit_code == 0
    result = invoke(str(path), "--max-key-days", "3650", "--require-condition")
    assert result.exit_code == 1
    assert "require-condition" in result.stdout


@pytest.mark.parametrize("content", [None, "{oops", '{"version": 3}'])
def test_cli_invalid_file_exits_2_without_traceback(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "export.json"
    if content is not None:
        path.write_text(content)
    result = invoke(str(path))
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


def test_audit_is_registered_on_the_main_app() -> None:
    names = [command.name for command in main_app.registered_commands]
    assert "audit" in names


def test_console_entry_point_exit_codes(tmp_path: Path) -> None:
    """Through `python -m private_serverless`, as a pipeline runs it."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "components")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "private_serverless", "audit", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    clean = write(tmp_path, export_document(compliant_records()), "clean.json")
    assert run(str(clean), "--max-key-days", "3650").returncode == 0
    planted = run(str(write(tmp_path, planted_export(), "planted.json")))
    assert planted.returncode == 1
    assert PLANTED_SECRET not in planted.stdout and PLANTED_PLAIN_VALUE not in planted.stdout
    missing = run(str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert "missing.json" in missing.stderr and "Traceback" not in missing.stderr


_LIST_CONDITION = (
    "request.user_agent in ["
    + ", ".join(f'"agent-{i:02d}"' for i in range(26))
    + "] || size(request.user_agent) in ["
    + ", ".join(str(n) for n in range(100, 200))
    + "]"
)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # The same instant split across two names of UTC: restricts nothing.
        ('request.time.getHours() < 12 || request.time.getHours("Etc/UTC") >= 12', 1),
        # Outside CEL's timestamp range once the offset is applied (an OverflowError before).
        ('request.time < timestamp("9999-12-31T23:59:59-01:00")', 1),
        ('request.time > timestamp("0001-01-01T00:00:00+01:00")', 1),
        # An "expiry" in 9999 is no restriction (beyond the analysis' horizon).
        ('request.time < timestamp("9999-12-31T23:59:59Z")', 1),
        ('inIpRange(request.ip, "198.51.100.0/24") || inIpRange(request.ip, "2000::/3")', 1),
        ("inIpRange(request.ip, request.user_agent)", 1),
        (_LIST_CONDITION, 0),  # valid, and answered without the old 30-100 s blow-up
    ],
)
def test_cli_judges_conditions_without_crashing(
    tmp_path: Path, condition: str, expected: int
) -> None:
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[
            {
                "permissionSetNames": ["FunctionsPrivateAccess"],
                "projectIds": [PROJECT],
                "condition": condition,
            }
        ],
    )
    result = invoke(str(write(tmp_path, export_document(rs))), "--max-key-days", "3650")
    assert result.exit_code == expected, result.output
    assert "Traceback" not in result.output
    if expected:
        assert "conditions-parse" in result.stdout


@pytest.mark.parametrize("secret", [ciphertext(), plaintext(PLANTED_SECRET)])
def test_inputs_that_are_one_whole_secret_are_refused_naming_the_resource(
    tmp_path: Path, secret: dict[str, str]
) -> None:
    # The engine never writes inputs so; read as unknown, every rule on inputs would pass.
    document = export_document(compliant_records())
    document["deployment"]["resources"][1]["inputs"] = secret
    path = write(tmp_path, document)
    with pytest.raises(AuditError, match=r"deployment\.resources\[1\]\.inputs is one secret"):
        read_export(path)
    result = invoke(str(path), "--max-key-days", "3650")
    assert result.exit_code == 2, result.output
    assert "deployment.resources[1].inputs" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert PLANTED_SECRET not in result.output + result.stderr
    assert "planted-ciphertext" not in result.output + result.stderr
