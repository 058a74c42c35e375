"""run_plan: every registration recorded, secrets hidden, errors propagated, runtime reset."""

from __future__ import annotations

import pulumi
import pulumiverse_scaleway as scw
import pytest
from private_serverless.core.inventory import SECRET_PLACEHOLDER
from private_serverless.errors import ConfigurationError, Problem
from private_serverless.plan import Plan, render_json, run_plan
from private_serverless.plan.mocks import DEFAULT_PROJECT_ID, mock_resource_id

from tests.plan_toy import (
    API_KEY,
    APPLICATION,
    FUNCTION,
    NAMESPACE,
    PLANTED_CONFIG_SECRET,
    POLICY,
    PROJECT,
    SERVICE_URN,
    STACK,
    STACK_URN,
    TOY_CONFIG,
    TOY_SECRET_KEYS,
    child_urn,
    toy_program,
    urn,
)


@pytest.fixture(scope="module")
def toy_plan() -> Plan:
    """A deployment-style run: every computed output has a made-up value, every apply runs."""
    return run_plan(
        toy_program(),
        project=PROJECT,
        stack=STACK,
        config=TOY_CONFIG,
        secret_config_keys=TOY_SECRET_KEYS,
        preview=False,
    )


def test_every_registration_is_recorded_with_engine_urns(toy_plan: Plan) -> None:
    records = toy_plan.by_urn()
    expected = {
        SERVICE_URN: ("test:toy:Service", STACK_URN, False),
        child_urn(NAMESPACE, "billing-ns"): (NAMESPACE, SERVICE_URN, True),
        child_urn(FUNCTION, "billing-fn"): (FUNCTION, SERVICE_URN, True),
        child_urn(APPLICATION, "billing-caller"): (APPLICATION, SERVICE_URN, True),
        child_urn(POLICY, "billing-invoke"): (POLICY, SERVICE_URN, True),
        child_urn(API_KEY, "billing-key"): (API_KEY, SERVICE_URN, True),
    }
    assert set(records) == set(expected)
    for resource_urn, (type_token, parent, custom) in expected.items():
        record = records[resource_urn]
        assert (record.type, record.parent, record.custom) == (type_token, parent, custom)
        assert record.name == resource_urn.rsplit("::", 1)[-1]


def test_order_puts_parents_and_dependencies_first(toy_plan: Plan) -> None:
    position = {record.urn: index for index, record in enumerate(toy_plan.resources)}
    position[STACK_URN] = -1  # the root stack is not a plan resource, only a parent
    for record in toy_plan.resources:
        for before in (*record.dependencies, *([record.parent] if record.parent else [])):
            assert position[before] < position[record.urn]


def test_protect_flag_is_recorded(toy_plan: Plan) -> None:
    protected = [record.name for record in toy_plan.resources if record.protect]
    assert protected == ["billing-fn"]


def test_inputs_are_camel_case_with_ints_and_secrets_hidden(toy_plan: Plan) -> None:
    records = toy_plan.by_urn()
    function = records[child_urn(FUNCTION, "billing-fn")]
    assert function.inputs == {
        "namespaceId": mock_resource_id(NAMESPACE, "billing-ns"),
        "runtime": "python311",
        "handler": "handler.handle",
        "privacy": "private",
        "minScale": 0,
        "environmentVariables": {"MODE": "prod"},
        "secretEnvironmentVariables": SECRET_PLACEHOLDER,
    }
    assert isinstance(function.inputs["minScale"], int)
    policy = records[child_urn(POLICY, "billing-invoke")]
    assert policy.inputs == {
        "applicationId": mock_resource_id(APPLICATION, "billing-caller"),
        "rules": [
            {"permissionSetNames": ["FunctionsReadOnly"], "projectIds": [DEFAULT_PROJECT_ID]}
        ],
    }


def test_dependencies_include_property_dependencies(toy_plan: Plan) -> None:
    records = toy_plan.by_urn()
    namespace = child_urn(NAMESPACE, "billing-ns")
    application = child_urn(APPLICATION, "billing-caller")
    assert records[child_urn(FUNCTION, "billing-fn")].dependencies == (namespace,)
    assert set(records[child_urn(POLICY, "billing-invoke")].dependencies) == {
        namespace,
        application,
    }
    assert records[child_urn(API_KEY, "billing-key")].dependencies == (application,)
    assert records[namespace].dependencies == ()


def test_stack_outputs_are_recorded_with_secrets_hidden(toy_plan: Plan) -> None:
    assert set(toy_plan.outputs) == {"endpoint", "token", "api_secret_key"}
    assert toy_plan.outputs["endpoint"].endswith(".functions.fnc.fr-par.scw.cloud")
    assert toy_plan.outputs["token"] == SECRET_PLACEHOLDER
    assert toy_plan.outputs["api_secret_key"] == SECRET_PLACEHOLDER


def test_log_warnings_are_kept_and_redacted(toy_plan: Plan) -> None:
    messages = [(d.severity, d.message) for d in toy_plan.diagnostics]
    assert messages == [("warning", f"token in use: {SECRET_PLACEHOLDER}")]
    assert all(PLANTED_CONFIG_SECRET not in message for _, message in messages)


def test_structured_config_reaches_the_program() -> None:
    plan = run_plan(
        toy_program(extra=True),
        project=PROJECT,
        stack=STACK,
        config=TOY_CONFIG,
        secret_config_keys=TOY_SECRET_KEYS,
    )
    auditor = plan.by_urn()[urn(APPLICATION, "auditor")]
    assert auditor.parent == STACK_URN
    assert auditor.inputs == {"description": "payments"}


def test_two_runs_in_one_process_give_identical_json(toy_plan: Plan) -> None:
    again = run_plan(
        toy_program(),
        project=PROJECT,
        stack=STACK,
        config=TOY_CONFIG,
        secret_config_keys=TOY_SECRET_KEYS,
        preview=False,
    )
    assert render_json(again) == render_json(toy_plan)


def _problem() -> ConfigurationError:
    return ConfigurationError("PrivateFunction 'billing'", [Problem("privacy", "must be private")])


def test_an_error_in_the_program_propagates_unchanged() -> None:
    error = _problem()

    def program() -> None:
        scw.iam.Application("before-the-error")
        raise error

    with pytest.raises(ConfigurationError) as raised:
        run_plan(program, project=PROJECT, stack=STACK)
    assert raised.value is error
    assert pulumi.runtime.get_root_resource() is None


def test_an_error_in_an_apply_propagates_unchanged() -> None:
    error = _problem()

    def fail(_: object) -> None:
        raise error

    def program() -> None:
        scw.iam.Application("app").id.apply(fail)

    with pytest.raises(ConfigurationError) as raised:
        run_plan(program, project=PROJECT, stack=STACK, preview=False)
    assert raised.value is error


def test_a_preview_runs_the_applies_pulumi_preview_runs() -> None:
    """As in ``pulumi preview`` on a new stack: an apply on a value known only after apply does
    not run; one on an input does, and its error propagates unchanged."""
    error = _problem()
    ran: list[object] = []

    def fail(_: object) -> None:
        raise error

    def on_id() -> None:
        scw.iam.Application("app").id.apply(ran.append)

    plan = run_plan(on_id, project=PROJECT, stack=STACK)
    assert ran == [] and [record.name for record in plan.resources] == ["app"]

    def on_input() -> None:
        scw.iam.Application("app", name="caller").name.apply(fail)

    with pytest.raises(ConfigurationError) as raised:
        run_plan(on_input, project=PROJECT, stack=STACK)
    assert raised.value is error


def test_the_runtime_is_usable_after_a_failed_run() -> None:
    def failing() -> None:
        scw.iam.Application("left-behind").id.apply(lambda _: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        run_plan(failing, project=PROJECT, stack="first", preview=False)

    def program() -> None:
        scw.iam.Application("fresh")

    plan = run_plan(program, project="other", stack="second")
    (fresh,) = plan.resources
    assert fresh.urn == f"urn:pulumi:second::other::{APPLICATION}::fresh"
    assert fresh.parent == "urn:pulumi:second::other::pulumi:pulumi:Stack::other-second"
    assert pulumi.runtime.get_config("toy:token") is None


def test_a_program_without_resources_gives_an_empty_plan() -> None:
    plan = run_plan(lambda: None, project=PROJECT, stack=STACK)
    assert plan.resources == []
    assert plan.outputs == {}
    assert plan.waves == 0


def test_an_export_of_nothing_is_dropped_as_the_engine_drops_it() -> None:
    def program() -> None:
        pulumi.export("absent", None)
        pulumi.export("secret_absent", pulumi.Output.secret(None))
        pulumi.export("present", "yes")

    plan = run_plan(program, project=PROJECT, stack=STACK)
    # A secret stays a secret even when empty: the engine receives it wrapped.
    # A null output is not exported (the engine's preview has none: tests/engine recordings).
    assert plan.outputs == {"secret_absent": SECRET_PLACEHOLDER, "present": "yes"}


def test_log_lines_are_redacted_of_structured_secret_config() -> None:
    def program() -> None:
        password = pulumi.Config().require_secret_object("db")["password"]
        password.apply(lambda value: pulumi.log.warn(f"connecting with {value}"))

    plan = run_plan(
        program,
        project=PROJECT,
        stack=STACK,
        config={"db": '{"password": "PLANTED-DB-789", "port": 5432}'},
        secret_config_keys=["db"],
    )
    assert [d.message for d in plan.diagnostics] == [f"connecting with {SECRET_PLACEHOLDER}"]
