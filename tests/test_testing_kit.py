"""The testing kit: mocks answer with real provider outputs; echo mocks get a clear error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
from private_serverless import (
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
)
from private_serverless.errors import MissingProviderOutputError
from private_serverless.plan.mocks import _COMPUTED
from private_serverless.testing import (
    API_KEY,
    FUNCTION,
    MockedPulumi,
    SecretString,
    is_secret,
    mocked_pulumi,
    resolve,
)
from pulumiverse_scaleway import account, containers, functions, iam, secrets

SDK_CLASSES: dict[str, type[pulumi.CustomResource]] = {
    "scaleway:functions/namespace:Namespace": functions.Namespace,
    "scaleway:containers/namespace:Namespace": containers.Namespace,
    "scaleway:functions/function:Function": functions.Function,
    "scaleway:containers/container:Container": containers.Container,
    "scaleway:iam/application:Application": iam.Application,
    "scaleway:iam/apiKey:ApiKey": iam.ApiKey,
    "scaleway:iam/policy:Policy": iam.Policy,
    "scaleway:secrets/secret:Secret": secrets.Secret,
    "scaleway:account/project:Project": account.Project,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("type_token", sorted(SDK_CLASSES))
def test_every_mocked_output_is_a_real_provider_output(type_token: str) -> None:
    assert type_token in _COMPUTED, "a resource type the library uses has no mock outputs"
    state: dict[str, Any] = {}
    _COMPUTED[type_token](
        pulumi.runtime.MockResourceArgs(type_token, "x-role", {}, None, None, True), state
    )  # type: ignore[no-untyped-call]
    properties = {
        name for name, value in vars(SDK_CLASSES[type_token]).items() if isinstance(value, property)
    }
    assert {_snake(key) for key in state} <= properties


def _services(source_dir: Path) -> tuple[PrivateFunction, PrivateContainer]:
    function = PrivateFunction(
        "billing",
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            secrets={"DB_PASSWORD": "planted-value"},
        ),
    )
    container = PrivateContainer("api", PrivateContainerArgs(image="rg.fr-par.scw.cloud/t/api:1"))
    return function, container


def test_the_fixture_resolves_endpoints_and_secret_keys(
    pulumi_mocks: MockedPulumi, source_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    function, container = _services(source_dir)
    for service in (function, container):
        assert resolve(service.endpoint).startswith("https://")
        assert resolve(service.api_key)
        assert is_secret(service.api_key)
    record = pulumi_mocks.resource(FUNCTION, "billing-function")
    assert record.inputs["secretEnvironmentVariables"] == {"DB_PASSWORD": "planted-value"}
    assert "secretEnvironmentVariables" in record.secret_inputs
    assert repr(record.inputs["secretEnvironmentVariables"]) == "{'DB_PASSWORD': [secret]}"
    assert repr(record.outputs["secretEnvironmentVariables"]) == "{'DB_PASSWORD': [secret]}"
    assert type(record.inputs["privacy"]) is str  # a plain input stays a plain string
    assert sorted(r.name for r in pulumi_mocks.resources(API_KEY)) == [
        "api-key-gen0",
        "billing-key-gen0",
    ]
    with pytest.raises(LookupError, match="registered of that type: billing-function"):
        pulumi_mocks.resource(FUNCTION, "nope")


class EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


def test_an_echo_mock_gets_an_error_naming_each_missing_output(
    source_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi(EchoMocks()):
        function, container = _services(source_dir)
        for output, missing in (
            (function.endpoint, "^PrivateFunction 'billing': .* `domain_name` for billing-"),
            (container.endpoint, "^PrivateContainer 'api': .* `public_endpoint` for api-"),
            (function.api_key, "no `secret_key` for billing-key-gen0"),
        ):
            with pytest.raises(MissingProviderOutputError, match=missing):
                resolve(output)


def test_a_resolved_secret_compares_as_its_text_and_shows_as_secret(
    pulumi_mocks: MockedPulumi,
) -> None:
    value = resolve(pulumi.Output.secret({"token": "planted-value", "n": 1}))
    assert value == {"token": "planted-value", "n": 1}
    assert isinstance(value["token"], SecretString)
    assert value["token"].startswith("planted") and f"{value['token']}" == "planted-value"
    assert repr(value) == "{'token': [secret], 'n': 1}"
    assert type(resolve(pulumi.Output.from_input("plain"))) is str


def test_the_runtime_is_reset_after_the_block(source_dir: Path) -> None:
    with mocked_pulumi(project="p1", config={"x": "1"}):
        assert pulumi.get_project() == "p1"
        assert pulumi.Config().get("x") == "1"
    with mocked_pulumi(project="p2"):
        assert pulumi.Config().get("x") is None


def test_without_the_cli_extra_the_command_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['typer'] = None\n"
        "from private_serverless.console import main\nmain()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "plan"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert 'pip install "private-serverless[cli]"' in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_the_library_needs_no_cli_library_and_warns_nothing() -> None:
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "for name in ('typer', 'rich', 'pulumi_policy', 'dotenv', 'click'):\n"
        "    sys.modules[name] = None\n"
        "import private_serverless, private_serverless.testing, private_serverless.conditions\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
