"""Unit tests of the consumer's program, with private_serverless.testing."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
from private_serverless.errors import MissingProviderOutputError
from private_serverless.testing import (
    CONTAINER,
    FUNCTION,
    POLICY,
    MockedPulumi,
    is_secret,
    mocked_pulumi,
    resolve,
)

from .conftest import CONFIG, PROGRAM


def test_the_function_has_an_endpoint_and_a_secret_key(program: dict[str, Any]) -> None:
    hello = program["hello"]
    assert resolve(hello.endpoint).startswith("https://")
    assert resolve(hello.api_key)  # the mocks' made-up key
    assert is_secret(hello.api_key)


def test_the_container_has_an_endpoint_and_a_secret_key(program: dict[str, Any]) -> None:
    api = program["api"]
    assert resolve(api.endpoint).startswith("https://")
    assert resolve(api.api_key)
    assert is_secret(api.api_key)


def test_both_services_are_private_with_secret_env(
    program: dict[str, Any], mocked: MockedPulumi
) -> None:
    function = mocked.inputs(FUNCTION, "hello-function")
    container = mocked.inputs(CONTAINER, "api-container")
    assert function["privacy"] == container["privacy"] == "private"
    assert function["secretEnvironmentVariables"] == {"DB_PASSWORD": CONFIG["dbPassword"]}
    assert "DB_PASSWORD" not in function["environmentVariables"]
    assert "secretEnvironmentVariables" in mocked.resource(FUNCTION, "hello-function").secret_inputs


def test_the_ci_robot_gets_only_container_access_from_its_address(
    program: dict[str, Any], mocked: MockedPulumi
) -> None:
    grant = mocked.inputs(POLICY, "api-grant-ci")
    assert grant["applicationId"] == CONFIG["ciApplicationId"]
    (rule,) = grant["rules"]
    assert rule["permissionSetNames"] == ["ContainersPrivateAccess"]
    assert rule["condition"] == 'inIpRange(request.ip, "203.0.113.42/32")'


class EchoMocks(pulumi.runtime.Mocks):
    """The mock of Pulumi's testing guide: inputs echoed back, nothing computed."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


def test_an_echo_mock_gets_a_clear_error_naming_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi(EchoMocks(), project="consumer", config=CONFIG):
        program = runpy.run_path(str(PROGRAM))
        with pytest.raises(MissingProviderOutputError, match="no `domain_name` for hello-function"):
            resolve(program["hello"].endpoint)
        with pytest.raises(MissingProviderOutputError, match="no `public_endpoint`"):
            resolve(program["api"].endpoint)
