"""A service's own identity (``identity.grants``): the catalogue of permission sets, the args,
the resources the component creates, the findings and what the plan says each service can do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from private_serverless import (
    ConfigurationError,
    GrantArgs,
    IdentityArgs,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    ServiceCall,
)
from private_serverless.access.permission_sets import (
    PERMISSION_SETS,
    SOURCE,
    closest_names,
    narrower_sets,
    permission_set,
)
from private_serverless.policies import evaluate
from private_serverless.policies.capabilities import capabilities
from private_serverless.testing import API_KEY, APPLICATION, FUNCTION, POLICY, MockedPulumi, resolve

from .test_stacks import edit_stack, plan, project  # noqa: F401 (the fixture, by name)

PROJECT_B = "11111111-2222-4333-8444-555555555555"


# --- the catalogue ---------------------------------------------------------------------------


def test_every_entry_is_cited_and_scoped() -> None:
    assert len(PERMISSION_SETS) > 100
    for entry in PERMISSION_SETS.values():
        assert entry.source == SOURCE
        assert entry.scope in ("project", "organization")
        assert entry.product and entry.allows


@pytest.mark.parametrize(
    "name",
    [
        "IAMManager",
        "IAMPolicyManager",
        "IAMApplicationManager",
        "IAMGroupManager",
        "IAMUserManager",
        "ProjectManager",
        "OrganizationManager",
        "AllProductsFullAccess",
    ],
)
def test_sets_that_change_identities_projects_or_the_organization_escalate(name: str) -> None:
    assert PERMISSION_SETS[name].escalates


@pytest.mark.parametrize(
    "name",
    [
        "InstancesFullAccess",
        "ObjectStorageFullAccess",
        "SecretManagerSecretAccess",
        "SecretManagerFullAccess",
        "FunctionsFullAccess",
        "IAMReadOnly",
        "FunctionsPrivateAccess",
    ],
)
def test_product_sets_do_not_escalate(name: str) -> None:
    assert not PERMISSION_SETS[name].escalates


def test_broad_sets_name_their_narrower_siblings() -> None:
    assert narrower_sets("InstancesFullAccess") == [
        "InstancesReadOnly",
        "InstancesServerStart",
        "InstancesServerStop",
    ]
    assert "ObjectStorageObjectsRead" in narrower_sets("ObjectStorageFullAccess")
    assert PERMISSION_SETS["InstancesFullAccess"].broad
    assert not PERMISSION_SETS["InstancesServerStart"].broad
    assert not PERMISSION_SETS["AllProductsFullAccess"].broad  # it escalates instead


@given(st.sampled_from(sorted(PERMISSION_SETS)), st.integers(0, 10_000))
def test_a_misspelt_set_suggests_the_real_one(name: str, seed: int) -> None:
    # One character dropped: the real name is among the closest.
    index = seed % len(name)
    typo = name[:index] + name[index + 1 :]
    if typo in PERMISSION_SETS:
        return
    with pytest.raises(ValueError) as raised:
        permission_set(typo)
    assert typo not in str(raised.value).split("closest: ")[0]  # never echoed
    assert name in closest_names(typo, count=5)


# --- args -----------------------------------------------------------------------------------


def _function(source_dir: Path, name: str = "reader", **extra: Any) -> PrivateFunction:
    return PrivateFunction(
        name,
        PrivateFunctionArgs(
            runtime="python312", handler="handler.handle", source_dir=source_dir, **extra
        ),
    )


def test_an_unknown_set_is_a_configuration_error_with_suggestions(source_dir: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        PrivateFunction(
            "reader",
            {
                "runtime": "python312",
                "handler": "handler.handle",
                "source_dir": source_dir,
                "identity": {"grants": [{"permission_set": "SecretManagerSecretRead"}]},
            },
        )
    message = str(raised.value)
    assert "identity.grants.0.permission_set" in message
    assert "SecretManagerSecretAccess" in message
    assert "SecretManagerSecretRead" not in message


def test_scopes_must_fit_the_set() -> None:
    with pytest.raises(ValueError, match="project-scoped"):
        GrantArgs(permission_set="InstancesReadOnly", scope="organization")
    with pytest.raises(ValueError, match="organization-scoped"):
        GrantArgs(permission_set="AuditTrailReadOnly")
    with pytest.raises(ValueError, match="project ID"):
        GrantArgs(permission_set="InstancesReadOnly", scope="my-project")
    assert GrantArgs(permission_set="AuditTrailReadOnly", scope="organization").scope
    assert GrantArgs(permission_set="InstancesReadOnly", scope=PROJECT_B).scope == PROJECT_B


def test_variable_names_are_checked() -> None:
    with pytest.raises(ValueError, match="reserved"):
        IdentityArgs(grants=[GrantArgs(permission_set="InstancesReadOnly")], access_key_env="SCW_X")
    with pytest.raises(ValueError, match="must differ"):
        IdentityArgs(
            grants=[GrantArgs(permission_set="InstancesReadOnly")],
            access_key_env="K",
            secret_key_env="K",
        )
    with pytest.raises(ValueError, match="looks like a credential"):
        IdentityArgs(
            grants=[GrantArgs(permission_set="InstancesReadOnly")], project_id_env="DB_PASSWORD"
        )
    with pytest.raises(ValueError, match="at least 1"):
        IdentityArgs(grants=[])


def test_identity_variables_must_not_clash_with_env(source_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match="SERVICE_PROJECT_ID is already defined"):
        _function(
            source_dir,
            env={"SERVICE_PROJECT_ID": "x"},
            identity={"grants": [{"permission_set": "InstancesReadOnly"}]},
        )


# --- components -----------------------------------------------------------------------------

SECRET_READ = {"grants": [{"permission_set": "SecretManagerSecretAccess"}]}


def test_the_identity_gets_one_policy_keys_and_secret_variables(
    pulumi_mocks: MockedPulumi, source_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    reader = _function(
        source_dir,
        project_id=PROJECT_B,
        identity={
            "grants": [
                {"permission_set": "SecretManagerSecretAccess"},
                {"permission_set": "AuditTrailReadOnly", "scope": "organization"},
                {
                    "permission_set": "ObjectStorageObjectsRead",
                    "scope": "22222222-2222-4333-8444-555555555555",
                    "condition": 'inIpRange(request.ip, "198.51.100.0/24")',
                },
            ],
            "key_generation": 1,
            "secret_key_env": "SCALEWAY_SECRET",
        },
    )
    resolve(reader.endpoint)
    identity = pulumi_mocks.resource(APPLICATION, "reader-identity")
    assert "may use SecretManagerSecretAccess" in identity.inputs["description"]
    policy = pulumi_mocks.resource(POLICY, "reader-grants")
    rules = policy.inputs["rules"]
    assert rules[0] == {
        "permissionSetNames": ["SecretManagerSecretAccess"],
        "projectIds": [PROJECT_B],
    }
    assert rules[1]["permissionSetNames"] == ["AuditTrailReadOnly"] and rules[1]["organizationId"]
    assert "projectIds" not in rules[1]
    assert rules[2]["projectIds"] == ["22222222-2222-4333-8444-555555555555"]
    assert rules[2]["condition"] == 'inIpRange(request.ip, "198.51.100.0/24")'
    assert policy.inputs["applicationId"] == resolve(reader.identity.id)  # type: ignore[union-attr]
    keys = {k.name: k for k in pulumi_mocks.resources(API_KEY) if "identity" in k.name}
    assert set(keys) == {"reader-identity-key-gen1", "reader-identity-key-gen0"}
    assert all(
        k.inputs["expiresAt"] and k.inputs["defaultProjectId"] == PROJECT_B for k in keys.values()
    )
    function = pulumi_mocks.resource(FUNCTION, "reader-function")
    plain = function.inputs["environmentVariables"]
    assert plain["SERVICE_PROJECT_ID"] == PROJECT_B and "SERVICE_ORGANIZATION_ID" in plain
    assert "SERVICE_ACCESS_KEY" not in plain and "SCALEWAY_SECRET" not in plain
    secret = function.inputs["secretEnvironmentVariables"]
    assert "secretEnvironmentVariables" in function.secret_inputs
    active = keys["reader-identity-key-gen1"]
    assert secret["SCALEWAY_SECRET"] == resolve(reader.identity_keys[1].secret_key)
    assert secret["SERVICE_ACCESS_KEY"] == resolve(reader.identity_keys[1].access_key)
    assert active.inputs["applicationId"] == resolve(reader.identity.id)  # type: ignore[union-attr]


def test_calls_and_grants_share_one_identity(
    pulumi_mocks: MockedPulumi, source_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    billing = _function(source_dir, name="billing", dedicated_project=True)
    api = PrivateContainer(
        "api",
        PrivateContainerArgs(
            image="rg.fr-par.scw.cloud/t/api:1",
            calls=[ServiceCall(service=billing)],
            identity=SECRET_READ,
        ),
    )
    resolve(api.endpoint)
    assert [a.name for a in pulumi_mocks.resources(APPLICATION) if "identity" in a.name] == [
        "api-identity"
    ]
    description = pulumi_mocks.resource(APPLICATION, "api-identity").inputs["description"]
    assert "calls billing" in description and "may use SecretManagerSecretAccess" in description


# --- the plan: findings and what each service can do ------------------------------------------


def _plan_of(plan_of: Any, source_dir: Path, **extra: Any) -> Any:
    return plan_of(lambda: _function(source_dir, dedicated_project=True, **extra), preview=True)


def _findings(result: Any) -> list[Any]:
    return evaluate(result.resources, default_project_id=result.default_project_id)


def test_a_secret_reader_plans_clean_and_shows_what_it_can_do(
    plan_of: Any, source_dir: Path
) -> None:
    result = _plan_of(plan_of, source_dir, identity=SECRET_READ)
    assert [f for f in _findings(result) if f.severity == "mandatory"] == []
    (reader,) = result.capabilities()
    assert reader.service == "reader"
    (grant,) = reader.grants
    assert grant.permission_set == "SecretManagerSecretAccess" and grant.reads_secrets
    assert grant.where == ("project 'reader-dev'",)


def test_an_iam_managing_grant_is_privilege_escalation(plan_of: Any, source_dir: Path) -> None:
    result = _plan_of(
        plan_of,
        source_dir,
        identity={"grants": [{"permission_set": "IAMPolicyManager", "scope": "organization"}]},
    )
    found = [f for f in _findings(result) if f.rule == "privilege-escalation"]
    assert len(found) == 1 and found[0].severity == "mandatory"
    assert "IAMPolicyManager" in found[0].message
    assert "change identities, policies, projects or the organization" in found[0].message


def test_a_broad_set_is_advisory_and_names_narrower_ones(plan_of: Any, source_dir: Path) -> None:
    result = _plan_of(
        plan_of, source_dir, identity={"grants": [{"permission_set": "InstancesFullAccess"}]}
    )
    assert [f.rule for f in _findings(result) if f.severity == "mandatory"] == []
    (broad,) = [f for f in _findings(result) if f.rule == "broad-permission-set"]
    assert broad.severity == "advisory"
    assert "InstancesServerStart, InstancesServerStop" in broad.message
    assert "privilege" not in broad.message


def test_a_private_access_grant_reaches_the_project_and_is_judged(
    plan_of: Any, source_dir: Path
) -> None:
    """An identity granted FunctionsPrivateAccess on a shared project reaches every function
    there; a sibling with a condition of its own is then reached beyond its intent."""

    def program() -> None:
        _function(
            source_dir,
            name="guarded",
            project_id=PROJECT_B,
            access={"condition": 'inIpRange(request.ip, "198.51.100.0/24")'},
        )
        _function(
            source_dir,
            name="poller",
            project_id=PROJECT_B,
            identity={"grants": [{"permission_set": "FunctionsPrivateAccess"}]},
        )

    result = plan_of(program, preview=True)
    (poller,) = result.capabilities()
    assert {e.service.name for e in poller.calls} == {"guarded", "poller"}
    beyond = [f for f in _findings(result) if f.rule == "reach-beyond-intent"]
    assert any(
        "poller (service identity)" in f.message and "identity.grants" in f.message for f in beyond
    ), beyond
    # The grant is what poller may do, not access poller declares for its callers.
    assert not any("'poller' under a weaker" in f.message for f in beyond)


def test_unknown_sets_in_records_are_shown_as_such() -> None:
    from private_serverless.core.inventory import ResourceRecord

    app = ResourceRecord(
        urn="urn:a",
        type=APPLICATION,
        name="x-identity",
        inputs={"name": "x", "tags": ["private-serverless-identity-of=x"]},
        id="app-1",
    )
    policy = ResourceRecord(
        urn="urn:p",
        type=POLICY,
        name="x-grants",
        inputs={
            "applicationId": "app-1",
            "rules": [{"permissionSetNames": ["NoSuchSet"], "projectIds": [PROJECT_B]}],
        },
    )
    (found,) = capabilities([app, policy])
    assert found.grants[0].allows == "not in Scaleway's permission sets"
    assert {f.rule for f in evaluate([app, policy])} >= set()


# --- stack files ----------------------------------------------------------------------------


def _with_identities(config: dict[str, Any]) -> None:
    services = config["private-serverless:services"]
    services["reports"]["identity"] = {"grants": [{"permission_set": "SecretManagerSecretAccess"}]}
    services["api"]["identity"] = {
        "grants": [{"permission_set": "ObjectStorageObjectsRead"}],
        "access_key_env": "STORAGE_ACCESS_KEY",
        "secret_key_env": "STORAGE_SECRET_KEY",
    }


def test_a_stack_with_identities_plans_with_exit_0(project: Path) -> None:  # noqa: F811
    edit_stack(project, "dev", _with_identities)
    result = plan("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    names = {r["name"] for r in document["resources"]}
    assert {"reports-grants", "reports-identity-key-gen0", "api-grants", "api-identity"} <= names
    by_service = {c["service"]: c for c in document["capabilities"]}
    reports = {g["permission_set"]: g for g in by_service["reports"]["grants"]}
    # reports calls billing too: the same identity holds both.
    assert set(reports) == {"SecretManagerSecretAccess", "FunctionsPrivateAccess"}
    assert reports["SecretManagerSecretAccess"]["reads_secrets"] is True
    assert [c["name"] for c in by_service["reports"]["can_call"]] == ["billing"]
    assert [g["permission_set"] for g in by_service["api"]["grants"]] == [
        "ObjectStorageObjectsRead"
    ]
    api = next(r for r in document["resources"] if r["name"] == "api-container")
    assert (
        api["inputs"]["secretEnvironmentVariables"] == "[unknown secret]"
    )  # holds its identity key, not created yet
    for form in ("text", "markdown"):
        shown = plan("--stack", "dev", "--format", form, "--env-file", ".env.example")
        assert shown.exit_code == 0 and "ObjectStorageObjectsRead" in shown.stdout


@pytest.mark.parametrize(
    ("grant", "code", "expected"),
    [
        ({"permission_set": "IAMManager", "scope": "organization"}, 1, "IAMManager"),
        ({"permission_set": "InstancesFulAccess"}, 2, "InstancesFullAccess"),
        ({"permission_set": "InstancesFullAccess"}, 0, "InstancesServerStart"),
    ],
)
def test_stack_grants_exit_codes(
    project: Path,  # noqa: F811
    grant: dict[str, str],
    code: int,
    expected: str,
) -> None:
    def edit(config: dict[str, Any]) -> None:
        config["private-serverless:services"]["reports"]["identity"] = {"grants": [grant]}

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == code, result.output
    assert expected in result.output
    if code == 2:
        assert "services.reports.identity.grants.0.permission_set" in result.output
        assert "InstancesFulAccess" not in result.output


def test_the_identity_key_is_in_no_plan_format(plan_of: Any, source_dir: Path) -> None:
    from private_serverless.plan import render_json, render_markdown, render_text
    from private_serverless.plan.mocks import mock_api_access_key, mock_uuid

    result = plan_of(lambda: _function(source_dir, identity=SECRET_READ))
    secret_key = mock_uuid("reader-identity-key-gen0", "secret-key")
    access_key = mock_api_access_key("reader-identity-key-gen0")
    function = next(r for r in result.resources if r.name == "reader-function")
    # The values reach the function (test_the_identity_gets_one_policy_keys_and_secret_variables
    # reads them in clear); the plan keeps only the mask.
    assert function.inputs["secretEnvironmentVariables"] == "[secret]"
    for render in (render_json, render_markdown, render_text):
        shown = render(result)
        assert secret_key not in shown and access_key not in shown
        assert secret_key[-12:] not in shown


def test_an_identity_variable_named_like_a_call_variable_is_exit_2(project: Path) -> None:  # noqa: F811
    def edit(config: dict[str, Any]) -> None:
        config["private-serverless:services"]["reports"]["identity"] = {
            "grants": [{"permission_set": "InstancesReadOnly"}],
            "project_id_env": "BILLING_URL",  # reports calls billing: its endpoint variable
        }

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "services.reports: identity.project_id_env: BILLING_URL is already defined" in (
        result.output
    )
    assert "Traceback" not in result.output


@given(st.sampled_from(sorted(PERMISSION_SETS)))
def test_each_set_is_judged_by_what_it_can_do(name: str) -> None:
    """Over the whole catalogue: escalation is mandatory exactly for the sets that escalate,
    the broad advisory exactly for broad ones, and nothing else is said of the set."""
    from private_serverless.core.inventory import ResourceRecord

    entry = PERMISSION_SETS[name]
    where: dict[str, Any] = (
        {"organizationId": "org-1"}
        if entry.scope == "organization"
        else {"projectIds": [PROJECT_B]}
    )
    policy = ResourceRecord(
        urn="urn:pulumi:dev::t::scaleway:iam/policy:Policy::p",
        type=POLICY,
        name="p",
        inputs={"userId": "u-1", "rules": [{"permissionSetNames": [name], **where}]},
    )
    rules = {f.rule: f for f in evaluate([policy])}
    assert ("privilege-escalation" in rules) is entry.escalates
    assert ("broad-permission-set" in rules) is entry.broad
    assert set(rules) <= {"privilege-escalation", "broad-permission-set"}
    if entry.escalates:
        assert rules["privilege-escalation"].severity == "mandatory"
        assert name in rules["privilege-escalation"].message
    if entry.broad:
        assert rules["broad-permission-set"].severity == "advisory"
        assert all(n in rules["broad-permission-set"].message for n in narrower_sets(name))
