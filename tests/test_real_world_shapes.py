"""The shapes of Scaleway's public serverless examples, written as stack files a user would write.

examples/real-world/Pulumi.shapes.yaml holds one service per shape; these tests plan it through
the `plan` command, as a user runs it, and check what each shape needs from the library.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from private_serverless.cli import app
from typer.testing import CliRunner

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "real-world"
#: The stand-in secret of the example's .env.example, replaced by a value planted here.
PLANTED = "planted-real-world-secret-5e1f9a"
FUNCTION = "scaleway:functions/function:Function"
POLICY = "scaleway:iam/policy:Policy"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "real-world")
    (tmp_path / "real-world" / ".env").write_text(f"EXPORT_S3_SECRET_KEY={PLANTED}\n")
    monkeypatch.delenv("EXPORT_S3_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path / "real-world")
    return tmp_path / "real-world"


def _plan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plan", "--stack", "shapes", *args])
    return result.exit_code, result.output


@pytest.fixture
def planned(project: Path) -> dict[str, Any]:
    code, output = _plan("--format", "json")
    assert code == 0, output
    document: dict[str, Any] = json.loads(output)
    return document


def _resource(plan: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    matches = [r for r in plan["resources"] if r["type"] == type_ and r["name"] == name]
    assert len(matches) == 1, f"{type_} {name}: {len(matches)} found"
    return matches[0]


def _grants(plan: dict[str, Any], service: str) -> set[str]:
    rules = _resource(plan, POLICY, f"{service}-grants")["inputs"]["rules"]
    return {name for rule in rules for name in rule["permissionSetNames"]}


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_every_shape_plans_with_exit_0_and_no_secret_in_clear(
    project: Path, output_format: str
) -> None:
    code, output = _plan("--format", output_format)
    assert code == 0, output
    assert PLANTED not in output


def test_the_secret_reader_gets_a_key_of_its_own_that_may_read_secrets_only(
    planned: dict[str, Any],
) -> None:
    assert _grants(planned, "secret-reader") == {"SecretManagerSecretAccess"}
    function = _resource(planned, FUNCTION, "secret-reader-function")
    # The key reaches the function through its secret variables only (a secret map, shown as
    # [secret]); the plain ones hold the secret's ID and the project, never the key.
    key_urn = _resource(planned, "scaleway:iam/apiKey:ApiKey", "secret-reader-identity-key-gen0")
    assert key_urn["urn"] in function["property_dependencies"]["secretEnvironmentVariables"]
    assert key_urn["urn"] not in function["property_dependencies"]["environmentVariables"]
    plain = function["inputs"]["environmentVariables"]
    assert plain["DATABASE_SECRET_ID"].count("-") == 4
    assert not {"SERVICE_ACCESS_KEY", "SERVICE_SECRET_KEY"} & set(plain)


def test_the_instance_toggler_may_start_and_stop_servers_on_a_schedule(
    planned: dict[str, Any],
) -> None:
    assert _grants(planned, "instance-toggler") == {"InstancesServerStart", "InstancesServerStop"}
    crons = [r for r in planned["resources"] if r["name"].startswith("instance-toggler-cron-")]
    assert sorted(json.loads(r["inputs"]["args"])["action"] for r in crons) == ["start", "stop"]


def test_the_cron_job_sends_identifiers_and_settings_in_plain(planned: dict[str, Any]) -> None:
    function = _resource(planned, FUNCTION, "nightly-export-function")["inputs"]
    assert {"SORT_KEY", "CACHE_KEY", "TOKEN_TTL_SECONDS"} <= set(function["environmentVariables"])
    assert "S3_SECRET_KEY" not in function["environmentVariables"]
    (cron,) = (r for r in planned["resources"] if r["name"] == "nightly-export-cron-nightly")
    assert "secret_id" in json.loads(cron["inputs"]["args"])


def test_the_queue_worker_is_fed_by_its_queue(planned: dict[str, Any]) -> None:
    triggers = [r for r in planned["resources"] if r["name"].startswith("queue-worker-trigger")]
    assert triggers, "no trigger for the queue worker"
    assert "orders" in json.dumps(triggers[0]["inputs"])


def test_the_public_gateway_is_public_on_purpose_and_calls_private_services(
    planned: dict[str, Any],
) -> None:
    container = _resource(planned, "scaleway:containers/container:Container", "gateway-container")
    assert container["inputs"]["privacy"] == "public"
    for callee in ("secret-reader", "queue-worker"):
        assert _resource(planned, "scaleway:iam/apiKey:ApiKey", f"gateway-calls-{callee}-key-gen0")
    assert any(
        entry["principal"]["kind"] == "anyone" and entry["service"]["name"] == "gateway"
        for entry in planned["access"]
    )
    (public,) = (f for f in planned["findings"] if f["urn"] == container["urn"])
    assert (public["rule"], public["severity"]) == ("private-services", "advisory")


def test_a_stack_that_forbids_public_services_refuses_the_gateway(project: Path) -> None:
    stack = project / "Pulumi.shapes.yaml"
    stack.write_text(
        stack.read_text().replace(
            "  real-world:services:\n",
            "  real-world:policy:\n    forbid_public_services: true\n  real-world:services:\n",
        )
    )
    code, output = _plan()
    assert code == 1, output
    assert "private-services" in output and "gateway" in output
