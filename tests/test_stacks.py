"""The committed stacks and the stack file contract, through the `plan` command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from private_serverless.cli import app
from private_serverless.core.inventory import SECRET_PLACEHOLDER
from typer.testing import CliRunner

from .conftest import PLANTED_SECRET, PLANTED_SECRET_2

ROOT = Path(__file__).resolve().parent.parent
FUNCTION = "scaleway:functions/function:Function"
CONTAINER = "scaleway:containers/container:Container"
IAM = {
    "scaleway:iam/application:Application",
    "scaleway:iam/apiKey:ApiKey",
    "scaleway:iam/policy:Policy",
}
SECRET_VARIABLES = (
    "BILLING_DB_PASSWORD",
    "REPORTS_S3_SECRET_KEY",
    "API_SIGNING_KEY",
    "WORKER_QUEUE_TOKEN",
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project to run `plan` in, with no .env and none of its variables set."""
    for name in ("Pulumi.yaml", "__main__.py", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("stacks", "services"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for variable in SECRET_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def plan(*args: str):
    return CliRunner().invoke(app, ["plan", *args])


def edit_stack(project: Path, stack: str, edit) -> None:
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document["config"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stack_plans_to_private_services_with_iam_access(project, stack):
    result = plan("--stack", stack, "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["stack"] == stack and document["project"] == "private-serverless"
    resources = document["resources"]
    services = [r for r in resources if r["type"] in (FUNCTION, CONTAINER)]
    assert {r["type"] for r in services} == {FUNCTION, CONTAINER}
    assert len(services) >= 2
    for service in services:
        assert service["inputs"]["privacy"] == "private"
        siblings = {r["type"] for r in resources if r["parent"] == service["parent"]}
        assert siblings >= IAM, service["name"]
    assert [f for f in document["findings"] if f["severity"] == "mandatory"] == []
    outputs = document["outputs"]["services"]
    assert set(outputs) == {r["name"] for r in resources if not r["custom"]}


def test_environments_differ_the_way_real_ones_do(project):
    def load(stack):
        result = plan("--stack", stack, "--format", "json", "--env-file", ".env.example")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["resources"]

    dev, prod = load("dev"), load("prod")
    services = [r for r in prod if r["type"] in (FUNCTION, CONTAINER)]
    assert all(r["inputs"]["minScale"] >= 1 for r in services)
    assert all(r["inputs"]["minScale"] == 0 for r in dev if r["type"] in (FUNCTION, CONTAINER))
    assert all(r["protect"] for r in prod if r["type"] == "scaleway:iam/application:Application")
    assert not any(r["protect"] for r in dev)
    prod_keys = [r for r in prod if r["type"] == "scaleway:iam/apiKey:ApiKey"]
    assert all(r["inputs"]["secretId"] for r in prod_keys)
    prod_rules = [
        rule
        for r in prod
        if r["type"] == "scaleway:iam/policy:Policy"
        for rule in r["inputs"]["rules"]
    ]
    assert all(rule.get("condition") for rule in prod_rules)
    assert any(r["type"] == "scaleway:account/project:Project" for r in prod)


def test_missing_secrets_are_listed_all_at_once_and_nothing_runs(project):
    result = plan("--stack", "staging")
    assert result.exit_code == 2
    message = result.output
    assert "stacks/Pulumi.staging.yaml" in message
    for path in (
        "services.billing.secrets.DB_PASSWORD",
        "services.reports.secrets.S3_SECRET_KEY",
        "services.api.secrets.SIGNING_KEY",
        "services.worker.secrets.QUEUE_TOKEN",
    ):
        assert path in message
    assert "Traceback" not in message
    assert not (project / ".private-serverless").exists()  # nothing built, nothing registered


def test_unknown_key_is_named_with_its_path(project):
    edit_stack(
        project, "dev", lambda c: c["private-serverless:services"]["billing"].update(max_scael=3)
    )
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "stacks/Pulumi.dev.yaml" in result.output
    assert "services.billing.max_scael" in result.output and "unknown key" in result.output
    assert "Traceback" not in result.output


def test_wrong_type_is_named_with_its_path(project):
    edit_stack(
        project, "dev", lambda c: c["private-serverless:services"]["api"].update(port="eighty")
    )
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "services.api.port" in result.output and "integer" in result.output


def test_unknown_top_level_key(project):
    edit_stack(project, "dev", lambda c: c.update({"private-serverless:servces": {}}))
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "servces" in result.output and "unknown key" in result.output


def test_a_credential_in_a_probe_path_is_refused_without_echo(project):
    edit_stack(
        project,
        "dev",
        lambda c: c["private-serverless:services"]["api"].update(
            liveness_probe={"http_path": f"/health?token={PLANTED_SECRET}"}
        ),
    )
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "services.api.liveness_probe.http_path" in result.output
    assert "looks like a credential" in result.output
    assert PLANTED_SECRET not in result.output
    assert not (project / ".private-serverless").exists()


def test_secret_by_value_is_refused_without_echo(project):
    edit_stack(
        project,
        "dev",
        lambda c: c["private-serverless:services"]["billing"]["secrets"].update(
            DB_PASSWORD=PLANTED_SECRET
        ),
    )
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "services.billing.secrets.DB_PASSWORD" in result.output
    assert PLANTED_SECRET not in result.output


def test_unknown_stack(project):
    result = plan("--stack", "qa")
    assert result.exit_code == 2
    assert "stacks/Pulumi.qa.yaml" in result.output and "dev, prod, staging" in result.output


def test_planted_secrets_from_env_and_dotenv_appear_in_no_format(project, monkeypatch, tmp_path):
    (project / ".env").write_text(
        f"BILLING_DB_PASSWORD={PLANTED_SECRET}\nREPORTS_S3_SECRET_KEY={PLANTED_SECRET}-dotenv\n"
    )
    monkeypatch.setenv("API_SIGNING_KEY", PLANTED_SECRET_2)
    monkeypatch.setenv("WORKER_QUEUE_TOKEN", f"{PLANTED_SECRET_2}-env")
    base = project / "base.json"
    assert plan("--stack", "dev", "--format", "json", "--out", str(base)).exit_code == 0
    outputs = [base.read_text()]
    for fmt in ("text", "markdown", "json"):
        result = plan("--stack", "staging", "--format", fmt)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        diff = plan("--stack", "staging", "--format", fmt, "--against", str(base))
        assert diff.exit_code == 0, diff.output
        outputs.append(diff.output)
    for text in outputs:
        assert PLANTED_SECRET not in text and PLANTED_SECRET_2 not in text
    assert SECRET_PLACEHOLDER in outputs[0]


@pytest.mark.parametrize(
    ("config_key", "reference"),
    [
        # `pulumi config set --secret billingDbPassword` puts it in the project's namespace.
        ("private-serverless:billingDbPassword", "config:billingDbPassword"),
        ("secrets:billingDbPassword", "config:secrets:billingDbPassword"),
    ],
)
def test_secure_config_values_are_shown_as_secret(project, config_key, reference):
    def use_config_secret(config):
        config[config_key] = {"secure": "v1:AAAABBBBCCCCDDDD"}
        config["private-serverless:services"]["billing"]["secrets"]["DB_PASSWORD"] = reference

    edit_stack(project, "dev", use_config_secret)
    result = plan("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    billing = next(r for r in document["resources"] if r["name"] == "billing-function")
    assert billing["inputs"]["secretEnvironmentVariables"] == SECRET_PLACEHOLDER
    assert "v1:AAAABBBBCCCCDDDD" not in result.stdout


def test_missing_config_secret_is_reported(project):
    edit_stack(
        project,
        "dev",
        lambda c: c["private-serverless:services"]["billing"]["secrets"].update(
            DB_PASSWORD="config:dbPassword"
        ),
    )
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "services.billing.secrets.DB_PASSWORD" in result.output
    assert "pulumi config set --secret dbPassword" in result.output
