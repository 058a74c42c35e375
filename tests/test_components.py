"""What the engine receives when the components are used: the acceptance scenario of the core
library, checked resource by resource under Pulumi's mock runtime."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from private_serverless import (
    AccessArgs,
    ConfigurationError,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
)
from private_serverless.core.inventory import SECRET_PLACEHOLDER

from .conftest import PLANTED_SECRET, PLANTED_SECRET_2, by_type, dump, only

FUNCTION = "scaleway:functions/function:Function"
CONTAINER = "scaleway:containers/container:Container"
APPLICATION = "scaleway:iam/application:Application"
API_KEY = "scaleway:iam/apiKey:ApiKey"
POLICY = "scaleway:iam/policy:Policy"
CONDITION = 'inIpRange(request.ip, "198.51.100.0/24")'


def _two_services(source_dir: Path, outputs: dict[str, pulumi.Output[object]]) -> None:
    fn = PrivateFunction(
        "billing",
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            env={"LOG_LEVEL": "info"},
            secrets={"DB_PASSWORD": PLANTED_SECRET},
            access=AccessArgs(condition=CONDITION),
        ),
    )
    api = PrivateContainer(
        "api",
        PrivateContainerArgs(
            image="rg.fr-par.scw.cloud/team/api:1.4.2",
            port=8080,
            secrets={"API_TOKEN": PLANTED_SECRET_2},
        ),
    )
    for name, service in (("billing", fn), ("api", api)):
        outputs[name] = service.endpoint
        pulumi.export(f"{name}_endpoint", service.endpoint)
        pulumi.export(f"{name}_api_key", service.api_key)


@pytest.fixture
def scenario(plan_of, source_dir):
    return plan_of(lambda: _two_services(source_dir, {}))


def test_services_are_private_with_secret_env_marked_secret(scenario):
    function = only(scenario, FUNCTION)
    container = only(scenario, CONTAINER)
    assert function.inputs["privacy"] == "private"
    assert container.inputs["privacy"] == "private"
    assert function.inputs["secretEnvironmentVariables"] == SECRET_PLACEHOLDER
    assert container.inputs["secretEnvironmentVariables"] == SECRET_PLACEHOLDER
    assert function.inputs["environmentVariables"] == {"LOG_LEVEL": "info"}


def test_container_is_https_only(scenario):
    assert only(scenario, CONTAINER).inputs["httpsConnectionsOnly"] is True


def test_one_application_key_and_policy_per_service(scenario):
    for component in ("billing", "api"):
        parent = next(r.urn for r in scenario.resources if r.name == component and not r.custom)
        children = [r for r in scenario.resources if r.parent == parent]
        types = sorted(r.type for r in children if r.type in (APPLICATION, API_KEY, POLICY))
        assert types == sorted([APPLICATION, API_KEY, POLICY]), component
    for key in by_type(scenario, API_KEY):
        assert key.inputs["expiresAt"].endswith("Z")
        assert key.inputs["applicationId"]


def test_policy_rules_grant_exactly_private_access_on_the_project(scenario):
    rules = {r.name: r.inputs["rules"] for r in by_type(scenario, POLICY)}
    assert [rule["permissionSetNames"] for rule in rules["billing-policy"]] == [
        ["FunctionsPrivateAccess"]
    ]
    assert [rule["permissionSetNames"] for rule in rules["api-policy"]] == [
        ["ContainersPrivateAccess"]
    ]
    for policy_rules in rules.values():
        (rule,) = policy_rules
        assert rule["projectIds"] and all(rule["projectIds"])
        assert "organizationId" not in rule
    assert rules["billing-policy"][0]["condition"] == CONDITION
    assert "condition" not in rules["api-policy"][0]


def test_policy_is_for_the_services_own_application(scenario):
    apps = {r.name: r for r in by_type(scenario, APPLICATION)}
    policies = {r.name: r for r in by_type(scenario, POLICY)}
    keys = {r.name: r for r in by_type(scenario, API_KEY)}
    for name in ("billing", "api"):
        app_urn = apps[f"{name}-app"].urn
        assert app_urn in policies[f"{name}-policy"].dependencies
        assert app_urn in keys[f"{name}-key-gen0"].dependencies


def test_every_child_is_parented_to_its_component_and_named_after_it(scenario):
    components = {r.urn: r.name for r in scenario.resources if not r.custom}
    assert sorted(components.values()) == ["api", "billing"]
    for record in scenario.resources:
        if record.custom:
            assert record.parent in components, record.urn
            assert record.name.startswith(components[record.parent] + "-")


def test_component_type_tokens_are_stable(scenario):
    types = {r.name: r.type for r in scenario.resources if not r.custom}
    assert types == {
        "billing": "private-serverless:index:PrivateFunction",
        "api": "private-serverless:index:PrivateContainer",
    }


def test_endpoints_are_https(plan_of, source_dir):
    seen: dict[str, str] = {}

    def program() -> None:
        outputs: dict[str, pulumi.Output[object]] = {}
        _two_services(source_dir, outputs)
        for name, output in outputs.items():
            output.apply(lambda value, name=name: seen.__setitem__(name, value))

    plan_of(program)
    assert set(seen) == {"billing", "api"}
    assert all(url.startswith("https://") for url in seen.values())


def test_no_planted_secret_anywhere(scenario):
    text = dump(scenario)
    assert PLANTED_SECRET not in text
    assert PLANTED_SECRET_2 not in text
    assert scenario.outputs["billing_api_key"] == SECRET_PLACEHOLDER


def test_invalid_args_register_nothing_and_name_component_and_field(plan_of, source_dir):
    raised: list[ConfigurationError] = []

    def program() -> None:
        try:
            PrivateFunction(
                "billing",
                {
                    "runtime": "python27",
                    "handler": "h.handle",
                    "source_dir": str(source_dir),
                    "env": {"DB_PASSWORD": PLANTED_SECRET},
                },
            )
        except ConfigurationError as exc:
            raised.append(exc)

    plan = plan_of(program)
    assert plan.resources == []
    (error,) = raised
    message = str(error)
    assert "PrivateFunction 'billing'" in message
    assert "runtime" in message and "env" in message and "secrets" in message
    assert PLANTED_SECRET not in message


def test_component_name_must_be_a_valid_service_name(plan_of, source_dir):
    with pytest.raises(ConfigurationError, match="name"):
        plan_of(
            lambda: PrivateFunction(
                "Billing_Fn",
                PrivateFunctionArgs(runtime="python312", handler="h.handle", source_dir=source_dir),
            )
        )


def test_unchanged_source_keeps_the_zip_hash(plan_of, source_dir):
    def program() -> None:
        PrivateFunction(
            "billing",
            PrivateFunctionArgs(
                runtime="python312", handler="handler.handle", source_dir=source_dir
            ),
        )

    first = only(plan_of(program), FUNCTION).inputs["zipHash"]
    second = only(plan_of(program), FUNCTION).inputs["zipHash"]
    (source_dir / "handler.py").write_text("def handle(event, context):\n    return {}\n")
    third = only(plan_of(program), FUNCTION).inputs["zipHash"]
    assert first == second != third
