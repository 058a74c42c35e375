"""The access matrix: who can call what, on plans of the real stacks and on audit records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from private_serverless.audit import build_report
from private_serverless.core.inventory import ResourceRecord
from private_serverless.policies import evaluate
from private_serverless.policies.access_matrix import access_matrix, implies, union

from ._policy_records import (
    APPLICATION,
    BILLING_APP_ID,
    FUNCTION,
    FUNCTION_NAMESPACE,
    IP_CONDITION,
    NOW,
    OTHER_PROJECT,
    POLICY,
    PROJECT,
    compliant_records,
    find,
    record,
)
from .test_stacks import edit_stack, plan, project  # noqa: F401 (the fixture, by name)

GROUP = "scaleway:iam/group:Group"


def _plan_json(stack: str) -> tuple[int, dict[str, Any], str]:
    result = plan("--stack", stack, "--format", "json", "--env-file", ".env.example")
    document = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, document, result.output


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_stack_shows_who_calls_what_and_reaches_only_its_own_service(stack: str) -> None:
    code, document, output = _plan_json(stack)
    assert code == 0, output
    services = {r["parent"].rsplit("::", 1)[-1] for r in document["resources"] if r["custom"]}
    services &= {r["name"] for r in document["resources"] if not r["custom"]}
    pairs = {(e["principal"]["name"], e["service"]["name"]) for e in document["access"]}
    # Each service's own key calls it, no key calls a sibling, and a caller's identity calls
    # exactly the services it declares (dev: reports calls billing).
    calls = {("reports (service identity)", "billing")} if stack == "dev" else set()
    assert pairs == {(f"{name}-{stack}-caller", name) for name in services} | calls
    for entry in document["access"]:
        assert entry["rules"] and entry["rules"][0]["permission_set"].endswith("PrivateAccess")


@pytest.mark.usefixtures("project")
def test_two_services_sharing_a_project_with_different_conditions_fail_the_plan() -> None:
    def share(config: dict[str, Any]) -> None:
        config["private-serverless:services"]["billing"].pop("dedicated_project")

    edit_stack(Path.cwd(), "dev", share)
    code, document, output = _plan_json("dev")
    assert code == 1, output
    (finding,) = [f for f in document["findings"] if f["rule"] == "reach-beyond-intent"]
    message = finding["message"]
    assert "application 'reports-dev-caller'" in message
    assert "function 'reports'" in message and "function 'billing'" in message
    assert "the default project" in message and "dedicated_project" in message
    assert finding["urn"].endswith("::billing-function")
    # The matrix says it too: the reports key calls billing with no condition.
    reach = [e for e in document["access"] if e["principal"]["name"] == "reports-dev-caller"]
    assert {(e["service"]["name"], e["condition"]) for e in reach} == {
        ("billing", None),
        ("reports", None),
    }


@pytest.mark.usefixtures("project")
def test_naming_the_default_project_by_hand_is_still_sharing_it() -> None:
    """billing names by its id the project the provider puts reports in (the stack's
    scaleway:projectId): one project, so reports' unconditioned key calls billing."""
    default = "11111111-2222-3333-4444-555555555555"

    def same_project(config: dict[str, Any]) -> None:
        config["scaleway:projectId"] = default
        billing = config["private-serverless:services"]["billing"]
        billing.pop("dedicated_project")
        billing["project_id"] = default

    edit_stack(Path.cwd(), "dev", same_project)
    code, document, output = _plan_json("dev")
    assert code == 1, output
    (finding,) = [f for f in document["findings"] if f["rule"] == "reach-beyond-intent"]
    assert "application 'reports-dev-caller'" in finding["message"]
    assert finding["urn"].endswith("::billing-function")
    projects = {e["service"]["name"]: e["service"]["project"] for e in document["access"]}
    assert projects["billing"] == projects["reports"] == "the default project"


@pytest.mark.usefixtures("project")
def test_same_condition_in_one_project_is_deliberate_sharing() -> None:
    def same(config: dict[str, Any]) -> None:
        services = config["private-serverless:services"]
        services["billing"].pop("dedicated_project")
        services["reports"]["access"] = dict(services["billing"]["access"])
        services["reports"].pop("calls")  # its identity's grant is tested on its own

    edit_stack(Path.cwd(), "dev", same)
    code, document, output = _plan_json("dev")
    assert code == 0, output
    assert len([e for e in document["access"] if e["service"]["kind"] == "function"]) == 4


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("billing_zone", "reports_zone", "expected"),
    [
        ("UTC", "Etc/UTC", 0),  # one window in two spellings: deliberate sharing
        ("Zulu", "+00:00", 0),
        ("Africa/Lagos", "+01:00", 0),  # no daylight saving time: the same clock
        ("Europe/Paris", "+01:00", 1),  # Paris is +02:00 in summer: another window
    ],
)
def test_equal_windows_in_zone_aliases_are_not_a_weaker_condition(
    billing_zone: str, reports_zone: str, expected: int
) -> None:
    window = 'request.time.getHours("{z}") >= 8 && request.time.getHours("{z}") < 18'

    def share(config: dict[str, Any]) -> None:
        services = config["private-serverless:services"]
        services["billing"].pop("dedicated_project")
        services["billing"]["access"] = {"condition": window.format(z=billing_zone)}
        services["reports"]["access"] = {"condition": window.format(z=reports_zone)}
        services["reports"].pop("calls")

    edit_stack(Path.cwd(), "dev", share)
    code, document, output = _plan_json("dev")
    assert code == expected, output
    reach = [f for f in document["findings"] if f["rule"] == "reach-beyond-intent"]
    assert bool(reach) == bool(expected), reach


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("foreign", [{}, {"max_key_lifetime_days": 3650}])
def test_a_policy_key_in_another_namespace_is_refused(foreign: Any) -> None:
    def add(config: dict[str, Any]) -> None:
        config["other:policy"] = foreign
        config["private-serverless:defaults"]["key_expires_in_days"] = 365

    edit_stack(Path.cwd(), "prod", add)
    result = plan("--stack", "prod", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "other:policy: unknown key" in result.output
    assert "private-serverless:policy" in result.output


@pytest.mark.usefixtures("project")
def test_markdown_and_text_show_the_matrix() -> None:
    markdown = plan("--stack", "prod", "--format", "markdown", "--env-file", ".env.example")
    assert markdown.exit_code == 0, markdown.output
    assert "```mermaid\nflowchart LR" in markdown.stdout
    assert '-->|"inIpRange(request.ip, #quot;203.0.113.42/32#quot;)' in markdown.stdout
    assert "| application 'worker-prod-caller' | container 'worker' | project 'worker-prod' |" in (
        markdown.stdout
    )
    text = plan("--stack", "prod", "--env-file", ".env.example")
    assert "application 'billing-prod-caller' -> function 'billing' (project 'billing-prod')" in (
        text.stdout
    )


# --- records: groups, escalation, audits -------------------------------------------------


def _group_bypass(condition: str | None) -> list[ResourceRecord]:
    records = compliant_records()
    app = find(records, "billing-caller")
    group = record(GROUP, "ops", {"name": "ops", "applicationIds": [BILLING_APP_ID]})
    group = ResourceRecord(**{**group.__dict__, "dependencies": (app.urn,)})
    rule: dict[str, Any] = {
        "permissionSetNames": ["FunctionsPrivateAccess"],
        "projectIds": [PROJECT],
    }
    if condition is not None:
        rule["condition"] = condition
    policy = record(
        POLICY, "ops-access", {"groupId": "grp", "rules": [rule]}, dependencies=(group.urn,)
    )
    return [*records, group, policy]


def test_a_group_holding_the_application_bypasses_its_condition() -> None:
    records = _group_bypass(None)
    entries = access_matrix(records)
    billing = next(
        e for e in entries if e.principal.name == "billing-caller" and e.service.name == "billing"
    )
    assert billing.condition is None
    assert {rule.via_group for rule in billing.rules} == {None, "ops"}
    group = next(e for e in entries if e.principal.kind == "group")
    assert group.principal.members == ("billing-caller",)
    findings = [f for f in evaluate(records, now=NOW) if f.rule == "group-bypass"]
    assert len(findings) == 1
    assert "group 'ops'" in findings[0].message and "restricts nothing" in findings[0].message


def test_a_group_grant_as_strict_as_the_application_is_no_bypass() -> None:
    records = _group_bypass(IP_CONDITION + ' && request.user_agent.contains("ops")')
    assert [f for f in evaluate(records, now=NOW) if f.rule == "group-bypass"] == []


@pytest.mark.parametrize(
    "permission_set",
    [
        "IAMManager",
        "ProjectManager",
        "OrganizationManager",
        "IAMPolicyManager",
        "IAMApplicationManager",
        "IAMGroupManager",
        "AllProductsFullAccess",
    ],
)
def test_escalation_sets_are_findings_for_any_principal(permission_set: str) -> None:
    policy = record(
        POLICY,
        "admins",
        {
            "userId": "u-1",
            "rules": [{"permissionSetNames": [permission_set], "projectIds": [PROJECT]}],
        },
    )
    report = build_report([*compliant_records(), policy], now=NOW)
    found = {(f.rule, f.name) for f in report.findings}
    assert ("privilege-escalation", "admins") in found
    # AllProductsFullAccess also calls every service, with no condition: beyond their intent.
    assert found - {("privilege-escalation", "admins")} <= {
        ("reach-beyond-intent", "billing"),
        ("reach-beyond-intent", "web"),
    }


def test_matrix_links_by_real_ids_in_an_export() -> None:
    """Audited exports carry real ids and may have no dependencies at all."""
    namespace = ResourceRecord(
        urn="urn:pulumi:p::x::scaleway:functions/namespace:Namespace::ns",
        type=FUNCTION_NAMESPACE,
        name="ns",
        inputs={"projectId": PROJECT},
        id="ns-1",
    )
    function = ResourceRecord(
        urn="urn:pulumi:p::x::scaleway:functions/function:Function::fn",
        type=FUNCTION,
        name="fn",
        inputs={"namespaceId": "ns-1", "name": "fn"},
        id="fn-1",
    )
    app = ResourceRecord(
        urn="urn:pulumi:p::x::scaleway:iam/application:Application::app",
        type=APPLICATION,
        name="app",
        inputs={"name": "robot"},
        id="app-1",
    )
    policy = ResourceRecord(
        urn="urn:pulumi:p::x::scaleway:iam/policy:Policy::pol",
        type=POLICY,
        name="pol",
        inputs={
            "applicationId": "app-1",
            "rules": [{"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}],
        },
        id="pol-1",
    )
    (entry,) = access_matrix([namespace, function, app, policy])
    assert (str(entry.principal), entry.service.name, entry.condition) == (
        "application 'robot'",
        "fn",
        None,
    )
    assert entry.service.project == f"project {PROJECT}"


def test_union_and_implication() -> None:
    office = 'inIpRange(request.ip, "198.51.100.0/24")'
    ci = 'inIpRange(request.ip, "203.0.113.42/32")'
    assert union([office, office]) == office
    assert union([office, None]) is None
    assert union([office, ci]) == f"({office}) || ({ci})"
    assert implies(f'{office} && request.user_agent.contains("x")', office)
    assert not implies(office, f'{office} && request.user_agent.contains("x")')
    assert not implies(None, office)
    assert implies(office, None)
    assert not implies(union([office, ci]), office)


def test_large_matrices_are_listed_in_part_and_drawn_by_project() -> None:
    from private_serverless.policies.access_matrix import (
        MAX_LISTED,
        AccessEntry,
        Principal,
        Service,
        access_markdown,
        access_text,
    )

    services = [
        Service("function", f"fn{i}", "the default project", f"urn:fn{i}", None) for i in range(30)
    ]
    entries = [
        AccessEntry(Principal("application", f"app{p}"), service, None, ())
        for p in range(30)
        for service in services
    ]
    assert len(entries) > MAX_LISTED
    text = access_text(entries)
    assert len(text) == MAX_LISTED + 2
    assert (
        text[-1].strip()
        == f"... and {900 - MAX_LISTED} more entries (the JSON format lists them all)"
    )
    markdown = access_markdown(entries)
    assert markdown.count(" -->|") == 30  # one edge per principal, to the project's functions
    assert 's0["functions in the default project"]' in markdown


# --- records as a preview sees them: ids known only after apply ----------------------------

ACCOUNT_PROJECT = "scaleway:account/project:Project"
UNKNOWN = "[unknown]"


def _preview_records() -> list[ResourceRecord]:
    """Three functions as `pulumi preview` records them on a new stack: one in the provider's
    default project, one in a project of the stack, one in a project named by an unknown id."""
    team = record(ACCOUNT_PROJECT, "team", {"name": "team"})
    namespaces = {
        "a": record(FUNCTION_NAMESPACE, "ns-a", {"name": "ns-a"}),
        "b": record(
            FUNCTION_NAMESPACE,
            "ns-b",
            {"name": "ns-b", "projectId": UNKNOWN},
            dependencies=(team.urn,),
        ),
        "c": record(FUNCTION_NAMESPACE, "ns-c", {"name": "ns-c", "projectId": UNKNOWN}),
    }
    functions = [
        record(FUNCTION, f"fn-{key}", {"namespaceId": UNKNOWN}, dependencies=(namespace.urn,))
        for key, namespace in namespaces.items()
    ]
    apps = {key: record(APPLICATION, f"app-{key}", {"name": f"app-{key}"}) for key in "ab"}

    def grant(key: str, via: ResourceRecord) -> ResourceRecord:
        rule = {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [UNKNOWN]}
        return record(
            POLICY,
            f"policy-{key}",
            {"applicationId": UNKNOWN, "rules": [rule]},
            dependencies=(apps[key].urn, via.urn),
        )

    policies = [grant("a", namespaces["a"]), grant("b", team)]
    return [team, *namespaces.values(), *functions, *apps.values(), *policies]


def test_a_preview_links_unknown_project_ids_through_dependencies() -> None:
    reached = {
        (entry.principal.name, entry.service.name, entry.service.project)
        for entry in access_matrix(_preview_records())
    }
    assert reached == {
        ("app-a", "fn-a", "the default project"),
        ("app-b", "fn-b", "project 'team'"),
    }


def test_the_configured_default_project_is_the_one_a_namespace_names_by_hand() -> None:
    by_hand = record(FUNCTION_NAMESPACE, "ns-d", {"name": "ns-d", "projectId": PROJECT})
    function = record(FUNCTION, "fn-d", {"namespaceId": UNKNOWN}, dependencies=(by_hand.urn,))
    records = [*_preview_records(), by_hand, function]

    def callers_of_fn_d(default_project_id: str | None) -> set[str]:
        entries = access_matrix(records, default_project_id=default_project_id)
        return {e.principal.name for e in entries if e.service.name == "fn-d"}

    assert callers_of_fn_d(None) == set()
    assert callers_of_fn_d(OTHER_PROJECT) == set()
    assert callers_of_fn_d(PROJECT) == {"app-a"}  # the default project's grant reaches it


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("expect", "0001-01-01T00:00:00+01:00"),
        ("expect", "9999-12-31T23:59:59-01:00"),
        ("condition", 'request.time < timestamp("9999-12-31T23:59:59-01:00")'),
    ],
)
def test_extreme_times_are_one_error_with_the_key_path(where: str, value: str) -> None:
    """Times an offset pushes out of CEL's range used to raise OverflowError in the plan."""

    def extreme(config: dict[str, Any]) -> None:
        access = config["private-serverless:services"]["billing"]["access"]
        if where == "expect":
            access["expect"] = {"allow": [{"ip": "198.51.100.7", "time": value}]}
        else:
            access["condition"] = value

    edit_stack(Path.cwd(), "dev", extreme)
    code, _document, output = _plan_json("dev")
    assert code == 2, output
    assert "Traceback" not in output
    assert "services.billing.access" in output
    assert "range CEL timestamps can hold" in output
