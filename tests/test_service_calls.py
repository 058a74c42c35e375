"""Service-to-service calls: the caller's own identity, its grant on the callee, the variables
the caller gets, the access matrix edge, and the errors (components and stack files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from private_serverless import (
    ConfigurationError,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    ServiceCall,
)
from private_serverless.access.key_rotation import expiry_timestamp
from private_serverless.access.service_calls import (
    CallSettings,
    call_env_problems,
    default_endpoint_env,
    default_key_env,
    env_prefix,
)
from private_serverless.project.stack.service_calls import build_order
from private_serverless.sensitive.environment import looks_like_secret_name
from private_serverless.testing import (
    API_KEY,
    APPLICATION,
    CONTAINER,
    POLICY,
    MockedPulumi,
    resolve,
)

from .test_stacks import edit_stack, plan, project  # noqa: F401 (the fixture, by name)

BILLING_CONDITION = 'inIpRange(request.ip, "198.51.100.0/24")'
CALL_CONDITION = 'request.user_agent.contains("api-internal")'


def _billing(source_dir: Path, **extra: Any) -> PrivateFunction:
    return PrivateFunction(
        "billing",
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            dedicated_project=True,
            access={"condition": BILLING_CONDITION},
            **extra,
        ),
    )


def _worker() -> PrivateContainer:
    return PrivateContainer(
        "worker",
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/t/worker:1", dedicated_project=True),
    )


def _api(*calls: ServiceCall, **extra: Any) -> PrivateContainer:
    return PrivateContainer(
        "api",
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/t/api:1", calls=list(calls), **extra),
    )


@pytest.fixture
def built(
    pulumi_mocks: MockedPulumi, source_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[PrivateFunction, PrivateContainer, PrivateContainer]:
    monkeypatch.chdir(tmp_path)
    billing, worker = _billing(source_dir), _worker()
    api = _api(
        ServiceCall(service=billing, condition=CALL_CONDITION),
        ServiceCall(service=worker, key_generation=1, key_expires_in_days=30, key_env="W_TOKEN"),
        access={"key_expires_in_days": 60},
    )
    return billing, worker, api


def test_the_caller_gets_an_identity_of_its_own_granted_only_each_callee(
    built: tuple[PrivateFunction, PrivateContainer, PrivateContainer], pulumi_mocks: MockedPulumi
) -> None:
    billing, worker, api = built
    assert api.identity is not None
    identity_id = resolve(api.identity.id)
    assert identity_id != resolve(api.application.id)
    apps = {r.name: r.inputs for r in pulumi_mocks.resources(APPLICATION)}
    assert apps["api-identity"]["name"] == "api-dev-identity"
    assert "private-serverless-identity-of=api" in apps["api-identity"]["tags"]

    policies = {r.name: r.inputs for r in pulumi_mocks.resources(POLICY)}
    to_billing, to_worker = policies["api-calls-billing"], policies["api-calls-worker"]
    # Never the caller's own application: its keys belong to the caller's clients.
    assert to_billing["applicationId"] == to_worker["applicationId"] == identity_id
    assert to_billing["rules"] == [
        {
            "permissionSetNames": ["FunctionsPrivateAccess"],
            "projectIds": [resolve(billing.project_id)],
            "condition": CALL_CONDITION,
        }
    ]
    assert to_worker["rules"] == [
        {
            "permissionSetNames": ["ContainersPrivateAccess"],
            "projectIds": [resolve(worker.project_id)],
        }
    ]
    assert resolve(billing.project_id) != resolve(worker.project_id)
    assert "private-serverless-calls=billing" in to_billing["tags"]
    # The caller's own grant is untouched: its clients call the caller, nothing else.
    assert policies["api-policy"]["applicationId"] == resolve(api.application.id)

    keys = {r.name: r.inputs for r in pulumi_mocks.resources(API_KEY)}
    call_keys = {name for name in keys if name.startswith("api-calls-")}
    assert call_keys == {
        "api-calls-billing-key-gen0",
        "api-calls-worker-key-gen1",
        "api-calls-worker-key-gen0",
    }
    for name in call_keys:
        assert keys[name]["applicationId"] == identity_id
        assert "secretId" not in keys[name]  # the caller reads it from its secret variable
    assert keys["api-calls-billing-key-gen0"]["defaultProjectId"] == resolve(billing.project_id)
    assert keys["api-calls-worker-key-gen1"]["defaultProjectId"] == resolve(worker.project_id)
    # The caller's key lifetime unless the call sets its own.
    assert keys["api-calls-billing-key-gen0"]["expiresAt"] == expiry_timestamp(60)
    assert keys["api-calls-worker-key-gen1"]["expiresAt"] == expiry_timestamp(30)


def test_the_endpoint_is_a_plain_variable_and_the_key_only_a_secret_one(
    built: tuple[PrivateFunction, PrivateContainer, PrivateContainer], pulumi_mocks: MockedPulumi
) -> None:
    billing, worker, _ = built
    container = pulumi_mocks.resource(CONTAINER, "api-container")
    env = container.inputs["environmentVariables"]
    assert env == {"BILLING_URL": resolve(billing.endpoint), "WORKER_URL": resolve(worker.endpoint)}
    assert "environmentVariables" not in container.secret_inputs
    secrets = container.inputs["secretEnvironmentVariables"]
    assert "secretEnvironmentVariables" in container.secret_inputs
    key_outputs = {
        r.name: r.outputs["secretKey"] for r in pulumi_mocks.resources(API_KEY) if r.outputs
    }
    assert secrets == {
        "BILLING_AUTH_TOKEN": key_outputs["api-calls-billing-key-gen0"],
        "W_TOKEN": key_outputs["api-calls-worker-key-gen1"],  # the active generation
    }
    assert not set(key_outputs.values()) & set(env.values())


def test_default_variable_names_follow_the_callee_name() -> None:
    assert env_prefix("billing-eu") == "BILLING_EU"
    assert env_prefix("2fa") == "_2FA"  # a variable name cannot start with a digit
    assert default_endpoint_env("billing-eu") == "BILLING_EU_URL"
    assert default_key_env("billing-eu") == "BILLING_EU_AUTH_TOKEN"
    # The key's name is one the secret-name rules call a credential; the URL's is not.
    assert looks_like_secret_name(default_key_env("billing"))
    assert not looks_like_secret_name(default_endpoint_env("billing"))


@given(st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}[a-z0-9]", fullmatch=True))
def test_default_names_are_valid_and_classified_or_refused_with_a_path(callee: str) -> None:
    problems = call_env_problems([(callee, CallSettings())], env=[], secrets=[])
    url, key = default_endpoint_env(callee), default_key_env(callee)
    if not problems:
        # Accepted: a plain name for the endpoint, a credential's name for the key.
        assert not looks_like_secret_name(url) and looks_like_secret_name(key)
        # Clashing with the caller's own variables is refused.
        clash = call_env_problems([(callee, CallSettings())], env=[url], secrets=[key])
        assert {path for path, _ in clash} == {f"{callee}.endpoint_env", f"{callee}.key_env"}
    else:
        # Refused (SCW_* is reserved, or the URL's name looks like a credential's): the
        # problem names the call's field and asks for a name of one's own.
        assert all(path.startswith(f"{callee}.") for path, _ in problems)
        assert all("set " in message for _, message in problems)
        assert url.startswith("SCW_") or looks_like_secret_name(url)


@pytest.mark.parametrize(
    ("extra", "call", "expected"),
    [
        ({"env": {"BILLING_URL": "https://x"}}, {}, "calls.billing.endpoint_env"),
        ({"secrets": {"BILLING_AUTH_TOKEN": "planted-value"}}, {}, "calls.billing.key_env"),
        ({"env": {"MODE": "x"}}, {"key_env": "MODE"}, "calls.billing.key_env"),
        (
            {},
            {"endpoint_env": "BILLING_ENDPOINT", "key_env": "BILLING_ENDPOINT"},
            "calls.billing.key_env",
        ),
    ],
)
def test_a_variable_clash_names_the_key_path_and_never_the_value(
    pulumi_mocks: MockedPulumi,
    source_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: dict[str, Any],
    call: dict[str, Any],
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    billing = _billing(source_dir)
    with pytest.raises(ConfigurationError) as caught:
        _api(ServiceCall(service=billing, **call), **extra)
    message = str(caught.value)
    assert expected in message and "already defined" in message
    assert "planted-value" not in message and "https://x" not in message
    assert not [r for r in pulumi_mocks.registered if r.name.startswith("api")]


GRANT = {"grants": [{"permission_set": "InstancesReadOnly"}]}


@pytest.mark.parametrize(
    ("call", "identity", "expected"),
    [
        ({"key_env": "PORT"}, None, "calls.billing.key_env: PORT is reserved"),
        ({"endpoint_env": "port"}, None, "calls.billing.endpoint_env: port is reserved"),
        ({}, {"access_key_env": "PORT", **GRANT}, "identity.access_key_env: PORT is reserved"),
        ({}, {"project_id_env": "PORT", **GRANT}, "identity.project_id_env: PORT is reserved"),
    ],
)
def test_a_container_refuses_port_as_a_call_or_identity_variable(
    pulumi_mocks: MockedPulumi,
    source_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    call: dict[str, Any],
    identity: dict[str, Any] | None,
    expected: str,
) -> None:
    """Issue 23: Scaleway sets PORT on a container; a call's key_env could still take it."""
    monkeypatch.chdir(tmp_path)
    billing = _billing(source_dir)
    with pytest.raises(ConfigurationError) as caught:
        _api(ServiceCall(service=billing, **call), identity=identity)
    assert expected in str(caught.value)
    assert not [r for r in pulumi_mocks.registered if r.name.startswith("api")]


def test_a_callee_twice_an_unbuilt_callee_or_a_vacuous_condition_is_refused(
    pulumi_mocks: MockedPulumi, source_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    billing = _billing(source_dir)
    with pytest.raises(ConfigurationError, match=r"calls\.billing: the service is called twice"):
        _api(ServiceCall(service=billing), ServiceCall(service=billing, key_env="OTHER_TOKEN"))
    with pytest.raises(ConfigurationError, match="service: must be a PrivateFunction"):
        ServiceCall(service="billing")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="restricts nothing"):
        ServiceCall(service=billing, condition="true")
    with pytest.raises(ConfigurationError, match="RE2"):
        ServiceCall(service=billing, condition='request.user_agent.matches("(a")')


# --- stack files --------------------------------------------------------------------------


def _plan_json(stack: str) -> tuple[int, dict[str, Any], str]:
    result = plan("--stack", stack, "--format", "json", "--env-file", ".env.example")
    document = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, document, result.output


def _services(config: dict[str, Any]) -> dict[str, Any]:
    services: dict[str, Any] = config["private-serverless:services"]
    return services


@pytest.mark.usefixtures("project")
def test_dev_reports_calls_billing_in_the_plan_and_the_matrix() -> None:
    code, document, output = _plan_json("dev")
    assert code == 0, output
    by_name = {r["name"]: r for r in document["resources"]}
    reports = next(r["urn"] for r in document["resources"] if r["name"] == "reports")
    for child in ("reports-identity", "reports-calls-billing", "reports-calls-billing-key-gen0"):
        assert by_name[child]["parent"] == reports
    function = by_name["reports-function"]["inputs"]
    # The plan shows the preview: the endpoint is not known before billing exists.
    assert function["environmentVariables"] == {"BILLING_URL": "[unknown]"}
    # It holds the call's key, which does not exist yet: a secret, unknown (as the engine has it).
    assert function["secretEnvironmentVariables"] == "[unknown secret]"
    edges = [e for e in document["access"] if e["principal"]["name"].startswith("reports (")]
    assert [(e["principal"]["name"], e["service"]["name"]) for e in edges] == [
        ("reports (service identity)", "billing")
    ]
    assert edges[0]["rules"][0]["calls"] == "billing"
    text = plan("--stack", "dev", "--env-file", ".env.example").output
    assert 'environmentVariables = {"BILLING_URL": (known after apply)}' in text
    assert "application 'reports (service identity)' -> function 'billing'" in text
    assert (
        "Function reports: calls function billing as reports (service identity): endpoint in "
        "BILLING_URL, key in secret BILLING_AUTH_TOKEN" in text
    )


@pytest.mark.usefixtures("project")
def test_the_edge_carries_the_call_condition_and_list_form_works() -> None:
    def conditioned(config: dict[str, Any]) -> None:
        _services(config)["reports"]["calls"] = {"billing": {"condition": CALL_CONDITION}}

    edit_stack(Path.cwd(), "dev", conditioned)
    code, document, output = _plan_json("dev")
    assert code == 0, output
    edge = next(e for e in document["access"] if e["principal"]["name"].startswith("reports ("))
    assert edge["condition"] == CALL_CONDITION
    markdown = plan("--stack", "dev", "--env-file", ".env.example", "--format", "markdown")
    assert "reports (service identity)" in markdown.output and "api-internal" in markdown.output

    edit_stack(Path.cwd(), "dev", lambda c: _services(c)["reports"].update(calls=["billing"]))
    code, document, output = _plan_json("dev")
    assert code == 0, output
    assert any(r["name"] == "reports-calls-billing" for r in document["resources"])


@pytest.mark.usefixtures("project")
def test_an_identity_reaching_siblings_of_its_callee_is_a_finding() -> None:
    # billing back in the default project, next to reports, both with the same condition
    # (deliberate sharing): the identity's unconditioned grant on billing reaches reports too.
    def shared(config: dict[str, Any]) -> None:
        services = _services(config)
        services["billing"].pop("dedicated_project")
        services["billing"]["access"] = {"condition": BILLING_CONDITION}
        services["reports"]["access"] = {"condition": BILLING_CONDITION}

    edit_stack(Path.cwd(), "dev", shared)
    code, document, output = _plan_json("dev")
    assert code == 1, output
    messages = [
        f["message"]
        for f in document["findings"]
        if f["rule"] == "reach-beyond-intent" and "service identity" in f["message"]
    ]
    assert len(messages) == 1
    assert "'reports (service identity)' can call function 'reports'" in messages[0]
    assert "calls.billing.condition" in messages[0]

    # A call condition as strict as the siblings' own is no reach beyond intent.
    def strict(config: dict[str, Any]) -> None:
        _services(config)["reports"]["calls"] = {"billing": {"condition": BILLING_CONDITION}}

    edit_stack(Path.cwd(), "dev", strict)
    code, document, output = _plan_json("dev")
    assert code == 0, output
    assert not [f for f in document["findings"] if "service identity" in f["message"]]


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("calls_of", "path", "words"),
    [
        ({"reports": {"nope": {}}}, "services.reports.calls.nope", "unknown service"),
        ({"reports": ["reports"]}, "services.reports.calls.reports", "cannot call itself"),
        (
            {"reports": {"billing": {"endpoint_env": "LOG_LEVEL"}}},
            "services.reports.calls.billing.endpoint_env",
            "already defined in `env`",
        ),
        (
            {"reports": {"billing": {}}},
            "services.reports.calls.billing.key_env",
            "already defined in `secrets`",
        ),
        (
            {"reports": {"billing": {"key_generation": "1"}}},
            "services.reports.calls.billing.key_generation",
            "integer",
        ),
        ({"reports": {"billing": {"conditon": "x"}}}, "services.reports.calls.billing", "conditon"),
        # Issue 23: a container's call variable named PORT planned (Scaleway sets PORT).
        ({"api": {"billing": {"key_env": "PORT"}}}, "calls.billing.key_env", "reserved"),
        ({"reports": "billing"}, "services.reports.calls", "list of service names"),
        ({"reports": {"billing": False}}, "services.reports.calls.billing", "object"),
    ],
)
def test_call_errors_name_the_stack_file_and_key_path(
    calls_of: dict[str, Any], path: str, words: str
) -> None:
    def edit(config: dict[str, Any]) -> None:
        services = _services(config)
        services["reports"]["env"] = {"LOG_LEVEL": "debug"}
        if path == "services.reports.calls.billing.key_env":
            services["reports"]["secrets"]["BILLING_AUTH_TOKEN"] = "env:REPORTS_S3_SECRET_KEY"
        for caller, calls in calls_of.items():
            services[caller]["calls"] = calls

    edit_stack(Path.cwd(), "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "stacks/Pulumi.dev.yaml" in result.output
    assert path in result.output and words in result.output
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("project")
def test_a_cycle_names_one_call_of_it() -> None:
    def cycle(config: dict[str, Any]) -> None:
        services = _services(config)
        services["reports"]["calls"] = ["billing"]
        services["billing"]["calls"] = ["api"]
        services["api"]["calls"] = ["reports"]

    edit_stack(Path.cwd(), "dev", cycle)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    calls = {("reports", "billing"), ("billing", "api"), ("api", "reports")}
    named = [pair for pair in calls if f"services.{pair[0]}.calls.{pair[1]}" in result.output]
    assert len(named) == 1, result.output
    assert "cycle" in result.output and "Traceback" not in result.output


@pytest.mark.usefixtures("project")
def test_callees_are_built_first_whatever_the_file_order() -> None:
    # api (listed last) is called by billing (listed first): api must exist before billing.
    edit_stack(Path.cwd(), "dev", lambda c: _services(c)["billing"].update(calls=["api"]))
    code, document, output = _plan_json("dev")
    assert code == 0, output  # billing's environment needed api's endpoint: api came first
    function = next(r for r in document["resources"] if r["name"] == "billing-function")
    assert function["inputs"]["environmentVariables"]["API_URL"] == "[unknown]"


def test_build_order_puts_callees_first_and_keeps_the_file_order_otherwise() -> None:
    settings = CallSettings()
    order, problems = build_order(
        {"billing": {"api": settings}, "api": {"worker": settings}},
        ["billing", "reports", "api", "worker"],
    )
    assert problems == []
    assert order == ["reports", "worker", "api", "billing"]
    order, problems = build_order({}, ["b", "a", "c"])
    assert order == ["b", "a", "c"] and problems == []


@pytest.mark.usefixtures("project")
def test_prod_requires_a_condition_on_a_call_too() -> None:
    edit_stack(Path.cwd(), "prod", lambda c: _services(c)["api"].update(calls=["billing"]))
    code, document, output = _plan_json("prod")
    assert code == 1, output
    rules = {(f["rule"], f["urn"].rsplit("::", 1)[-1]) for f in document["findings"]}
    assert ("require-condition", "api-calls-billing") in rules

    def conditioned(config: dict[str, Any]) -> None:
        _services(config)["api"]["calls"] = {"billing": {"condition": BILLING_CONDITION}}

    edit_stack(Path.cwd(), "prod", conditioned)
    code, document, output = _plan_json("prod")
    assert code == 0, output
    edge = next(e for e in document["access"] if e["principal"]["name"] == "api (service identity)")
    assert (edge["service"]["name"], edge["condition"]) == ("billing", BILLING_CONDITION)
