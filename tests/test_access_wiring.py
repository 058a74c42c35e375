"""Keys, rotation, Secret Manager storage, project isolation and extra grants."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pulumi
import pytest
from private_serverless import AccessArgs, ConfigurationError, PrivateFunction, PrivateFunctionArgs
from private_serverless.access.key_rotation import live_keys
from private_serverless.core.inventory import SECRET_PLACEHOLDER

from .conftest import by_type, dump, only

API_KEY = "scaleway:iam/apiKey:ApiKey"
POLICY = "scaleway:iam/policy:Policy"


def _function(source_dir, **access):
    return PrivateFunction(
        "billing",
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            access=AccessArgs(**access),
        ),
    )


def _keys(plan):
    return {r.name: r.inputs["description"] for r in by_type(plan, API_KEY)}


def test_key_expires_after_the_configured_lifetime(plan_of, source_dir):
    plan = plan_of(lambda: _function(source_dir, key_expires_in_days=30))
    expires = datetime.strptime(only(plan, API_KEY).inputs["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
    expected = datetime.now(UTC).date() + timedelta(days=30)
    assert expires.date() == expected


@pytest.mark.parametrize("days", [0, 366, -1])
def test_key_lifetime_is_bounded(days):
    with pytest.raises(ConfigurationError, match="key_expires_in_days"):
        AccessArgs(key_expires_in_days=days)


def test_two_rotations_keep_exactly_current_and_previous_key(plan_of, source_dir):
    exported: list[str] = []

    def at(generation):
        def program():
            fn = _function(source_dir, key_generation=generation)
            pulumi.export("api_key", fn.api_key)
            fn.active_key.urn.apply(exported.append)

        return program

    initial = _keys(plan_of(at(0)))
    assert initial == {"billing-key-gen0": "billing caller key, generation 0"}

    first = _keys(plan_of(at(1)))
    assert first == {
        "billing-key-gen0": "billing caller key, generation 0",
        "billing-key-gen1": "billing caller key, generation 1",
    }

    second_plan = plan_of(at(2))
    # Generation 0 is retired; 1 (previous) and 2 (current) remain, each its own resource.
    assert _keys(second_plan) == {
        "billing-key-gen1": "billing caller key, generation 1",
        "billing-key-gen2": "billing caller key, generation 2",
    }
    assert [urn.rsplit("::", 1)[1] for urn in exported] == [
        "billing-key-gen0",
        "billing-key-gen1",
        "billing-key-gen2",
    ]
    assert second_plan.outputs["api_key"] == SECRET_PLACEHOLDER


def test_live_key_model():
    for generation in range(50):
        keys = live_keys(generation)
        assert keys[0].active and keys[0].generation == generation
        assert [key.generation for key in keys[1:]] == ([generation - 1] if generation else [])
        # A new generation never takes the name of a key that is still alive or was alive.
        assert live_keys(generation + 1)[0].role not in {key.role for key in keys}
        # The 0.1 layout alternated slots, so the two live keys never shared one.
        assert len({key.legacy_role for key in keys}) == len(keys)


def test_new_generation_is_a_new_resource_carrying_legacy_slots_over(
    plan_of, source_dir, monkeypatch
):
    # The engine copies ignored inputs from the old state, also on replace: a new generation
    # must be a new resource (a create), so its expiry is counted from its own creation.
    from private_serverless.services import private_service

    seen = {}
    original = private_service.iam.ApiKey

    def recording(name, *args, opts=None, **kwargs):
        seen[name] = opts
        return original(name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(private_service.iam, "ApiKey", recording)
    plan_of(lambda: _function(source_dir, key_generation=3))
    assert set(seen) == {"billing-key-gen3", "billing-key-gen2"}
    for opts in seen.values():
        assert opts.ignore_changes == ["expires_at"]
        assert opts.replace_on_changes == ["description"]
    assert [alias.name for alias in seen["billing-key-gen3"].aliases] == ["billing-key-b"]
    assert [alias.name for alias in seen["billing-key-gen2"].aliases] == ["billing-key-a"]


def test_function_in_an_existing_namespace_needs_its_project(source_dir):
    # The provider fills project_id on a namespace it creates, never on a function: without
    # project_id the policy and the keys would name no project.
    with pytest.raises(ConfigurationError, match="project_id is required with namespace_id"):
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            namespace_id="fr-par/11111111-1111-4111-8111-111111111111",
        )


def test_secret_manager_storage_keeps_the_key_out_of_outputs(plan_of, source_dir):
    def program():
        fn = _function(source_dir, store_key_in_secret_manager=True)
        pulumi.export("api_key", fn.api_key)
        pulumi.export("key_secret_id", fn.key_secret_id)

    plan = plan_of(program)
    secret = only(plan, "scaleway:secrets/secret:Secret")
    key = only(plan, API_KEY)
    assert key.inputs["secretId"]
    assert secret.urn in key.dependencies
    assert "api_key" not in plan.outputs  # null: not exported, as the engine does
    assert re.match(r"^fr-par/[0-9a-f-]{36}$", plan.outputs["key_secret_id"])


def test_dedicated_project_scopes_namespace_and_policy(plan_of, source_dir):
    def program():
        PrivateFunction(
            "billing",
            PrivateFunctionArgs(
                runtime="python312",
                handler="handler.handle",
                source_dir=source_dir,
                dedicated_project=True,
            ),
        )

    plan = plan_of(program)
    project = only(plan, "scaleway:account/project:Project")
    namespace = only(plan, "scaleway:functions/namespace:Namespace")
    policy = only(plan, POLICY)
    assert project.urn in namespace.dependencies and project.urn in policy.dependencies
    assert policy.inputs["rules"][0]["projectIds"] == [namespace.inputs["projectId"]]


def test_dedicated_project_conflicts_with_project_id(source_dir):
    with pytest.raises(ConfigurationError, match="dedicated_project"):
        PrivateFunctionArgs(
            runtime="python312",
            handler="h.h",
            source_dir=source_dir,
            dedicated_project=True,
            project_id="22222222-2222-4222-8222-222222222222",
        )


def test_grant_invoke_adds_a_least_privilege_policy_once_per_application(plan_of, source_dir):
    results = {}

    def program():
        fn = _function(source_dir)
        first = fn.grant_invoke("ci", "app-ci", condition='request.user_agent.contains("CI")')
        again = fn.grant_invoke("ci-again", "app-ci", condition='request.user_agent.contains("CI")')
        results["same"] = first is again
        fn.grant_invoke("reports", "app-reports")

    plan = plan_of(program)
    assert results["same"]
    grants = {r.name: r.inputs for r in by_type(plan, POLICY) if "grant" in r.name}
    assert set(grants) == {"billing-grant-ci", "billing-grant-reports"}
    ci = grants["billing-grant-ci"]
    assert ci["applicationId"] == "app-ci"
    (rule,) = ci["rules"]
    assert rule["permissionSetNames"] == ["FunctionsPrivateAccess"]
    assert rule["projectIds"] and "organizationId" not in rule
    assert rule["condition"] == 'request.user_agent.contains("CI")'
    assert "condition" not in grants["billing-grant-reports"]["rules"][0]


def test_grant_invoke_refuses_conflicts_and_the_own_application(plan_of, source_dir):
    errors = []

    def program():
        fn = _function(source_dir)
        fn.grant_invoke("ci", "app-ci", condition='request.user_agent.contains("CI")')
        for call in (
            lambda: fn.grant_invoke("ci2", "app-ci"),
            lambda: fn.grant_invoke("self", fn.application_id),
            lambda: fn.grant_invoke("Bad Name", "x"),
            lambda: fn.grant_invoke("broken", "y", condition="inIpRange(request.ip, "),
        ):
            with pytest.raises(ConfigurationError) as info:
                call()
            errors.append(str(info.value))

    plan_of(program)
    assert "another condition" in errors[0]
    assert "own application" in errors[1]
    assert "name" in errors[2]
    assert "condition" in errors[3]


def test_condition_builder_object_is_rendered(source_dir):
    class Builder:
        def to_cel(self) -> str:
            return 'request.user_agent.contains("x")'

    assert AccessArgs(condition=Builder()).condition == 'request.user_agent.contains("x")'


def test_malformed_condition_names_the_field_and_position():
    with pytest.raises(ConfigurationError) as info:
        AccessArgs(condition="inIpRange(request.ip, ")
    message = str(info.value)
    assert "condition" in message
    assert re.search(r"line 1, column \d+", message)


def test_plan_dump_never_holds_the_key(plan_of, source_dir):
    plan = plan_of(lambda: pulumi.export("k", _function(source_dir).api_key))
    assert plan.outputs["k"] == SECRET_PLACEHOLDER
    assert "secret-key" not in dump(plan)


def test_expectations_hold_or_the_args_fail():
    condition = (
        'inIpRange(request.ip, "198.51.100.0/24") && request.time.getDayOfWeek() != 0 '
        "&& request.time.getDayOfWeek() != 6"
    )
    ok = AccessArgs(
        condition=condition,
        expect={
            "allow": [{"ip": "198.51.100.7", "time": "2026-11-23T10:00:00+01:00"}],
            "deny": [
                {"ip": "203.0.113.9", "time": "2026-11-23T10:00:00+01:00"},
                {"ip": "198.51.100.7", "time": "2026-11-22T10:00:00+01:00"},  # a Sunday
            ],
        },
    )
    assert ok.expect is not None
    with pytest.raises(ConfigurationError) as info:
        AccessArgs(
            condition=condition,
            expect={"allow": [{"ip": "198.51.100.7", "time": "2026-11-22T10:00:00+01:00"}]},
        )
    assert "expected allowed but denied" in str(info.value) and "198.51.100.7" in str(info.value)


def test_a_deny_expectation_without_condition_fails():
    with pytest.raises(ConfigurationError, match="no condition"):
        AccessArgs(expect={"deny": [{"ip": "203.0.113.9", "time": "2026-11-23T10:00:00Z"}]})


def test_an_open_grant_to_the_component_application_is_a_bypass_in_a_preview(plan_of, source_dir):
    """The plan the CLI makes is a preview: the application's id is unknown there, and the
    bypass is still found through the dependencies the engine records."""
    import pulumiverse_scaleway as scw
    from private_serverless.plan.values import UNKNOWN_PLACEHOLDER
    from private_serverless.policies import evaluate

    def program() -> None:
        function = _function(source_dir, condition='inIpRange(request.ip, "198.51.100.0/24")')
        scw.iam.Policy(
            "billing-open",
            application_id=function.application_id,
            rules=[
                scw.iam.PolicyRuleArgs(
                    permission_set_names=["FunctionsPrivateAccess"],
                    project_ids=[function.project_id],
                )
            ],
        )

    plan = plan_of(program, preview=True)
    policies = {r.name: r for r in by_type(plan, POLICY)}
    assert policies["billing-open"].inputs["applicationId"] == UNKNOWN_PLACEHOLDER
    findings = [f for f in evaluate(plan.resources) if f.rule == "no-condition-bypass"]
    own = next(r for name, r in policies.items() if name != "billing-open")
    assert [f.urn for f in findings] == [own.urn]
    assert "iam-policy 'billing-open'" in findings[0].message
