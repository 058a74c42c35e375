"""`audit` on an export: group bypasses, escalation grants, expired and expiring keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from private_serverless.audit import audit_export
from private_serverless.policies import PolicySettings

from ._policy_records import (
    BILLING_APP_ID,
    NOW,
    PROJECT,
    compliant_records,
    find,
    replaced,
)
from .test_audit import export_document, invoke, resource, write

GROUP = "scaleway:iam/group:Group"
POLICY = "scaleway:iam/policy:Policy"
FUNCTION = "scaleway:functions/function:Function"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def risky_export(now: datetime) -> dict[str, Any]:
    records = compliant_records()
    records = replaced(records, "billing-caller-key", expiresAt=_iso(now - timedelta(days=3)))
    records = replaced(records, "web-caller-key", expiresAt=_iso(now + timedelta(days=2)))
    app_urn = find(records, "billing-caller").urn
    group = resource(GROUP, "ops", {"name": "ops", "applicationIds": [BILLING_APP_ID]})
    group["dependencies"] = [app_urn]
    open_rule = {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}
    group_policy = resource(POLICY, "ops-access", {"groupId": "ops-id", "rules": [open_rule]})
    group_policy["dependencies"] = [group["urn"]]
    admin = resource(
        POLICY,
        "robot-admin",
        {
            "applicationId": "robot-app",
            "rules": [{"permissionSetNames": ["IAMManager"], "projectIds": [PROJECT]}],
        },
    )
    # Read-only (external) and pending-delete resources are not the stack's to fix.
    external = resource(FUNCTION, "someone-elses", {"privacy": "public"}, external=True)
    doomed = resource(FUNCTION, "old-copy", {"privacy": "public"}, delete=True)
    return export_document(records, [group, group_policy, admin, external, doomed])


def _rules(report_findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(f["rule"], f["name"]) for f in report_findings}


def test_audit_flags_bypass_escalation_and_keys_and_exits_1(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    path = write(tmp_path, risky_export(now))
    result = invoke(str(path), "--format", "json")
    assert result.exit_code == 1, result.output
    found = _rules(json.loads(result.stdout)["findings"])
    assert ("group-bypass", "ops-access") in found
    assert ("privilege-escalation", "robot-admin") in found
    assert ("key-expiry", "billing-caller-key") in found
    assert ("key-expiring-soon", "web-caller-key") in found
    names = {name for _, name in found}
    assert "someone-elses" not in names and "old-copy" not in names
    text = invoke(str(path))
    assert "expired 3 days ago" in text.stdout
    assert "expires in 1 day" in text.stdout or "expires in 2 days" in text.stdout


def test_the_expiry_window_is_an_option(tmp_path: Path) -> None:
    path = write(tmp_path, risky_export(datetime.now(UTC)))
    result = invoke(str(path), "--format", "json", "--expiry-window", "0")
    found = _rules(json.loads(result.stdout)["findings"])
    assert ("key-expiring-soon", "web-caller-key") not in found
    assert ("key-expiry", "billing-caller-key") in found


@pytest.mark.parametrize(("days", "flagged"), [(13, True), (14, True), (15, False)])
def test_window_boundary(tmp_path: Path, days: int, flagged: bool) -> None:
    records = replaced(
        compliant_records(), "web-caller-key", expiresAt=_iso(NOW + timedelta(days=days))
    )
    report = audit_export(write(tmp_path, export_document(records)), PolicySettings(), now=NOW)
    assert (
        ("key-expiring-soon", "web-caller-key") in {(f.rule, f.name) for f in report.findings}
    ) is (flagged)


# --- the default project named by hand, beside other project ids nothing explains -----------


def _sibling_and_outside_grants(outside: int) -> list[Any]:
    """billing (conditioned) and reports (no condition) in the default project, whose id the
    components' policies name by hand; ``outside`` grants written at the stack's top level on
    other projects, whose ids nothing in the export explains either."""
    from dataclasses import replace as copy

    from ._policy_records import APPLICATION, FUNCTION, _service, record

    base = compliant_records()
    function = record(
        FUNCTION,
        "reports",
        {"privacy": "private", "httpOption": "redirected", "namespaceId": "ns-id"},
    )
    reports = _service("Function", "reports", "reports-app-id", "FunctionsPrivateAccess", function)
    records = base + replaced(
        reports,
        "reports-caller-access",
        rules=[{"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}],
    )
    for i in range(outside):
        app = record(APPLICATION, f"ci{i}", {"name": f"ci{i}"})
        rule = {
            "permissionSetNames": ["FunctionsPrivateAccess"],
            "projectIds": [f"3333333{i}-3333-4333-8333-333333333333"],
            "condition": 'inIpRange(request.ip, "203.0.113.0/24")',
        }
        policy = record(POLICY, f"ci{i}-access", {"applicationId": f"ci{i}-id", "rules": [rule]})
        records += [app, copy(policy, dependencies=(app.urn,))]
    return records


@pytest.mark.parametrize("outside", [0, 1, 2, 3])
def test_a_siblings_reach_is_found_however_many_other_projects_are_unexplained(
    tmp_path: Path, outside: int
) -> None:
    """Issue 23: the audit found it only while exactly one project id was unexplained."""
    path = write(tmp_path, export_document(_sibling_and_outside_grants(outside)))
    result = invoke(str(path), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    reach = [f["message"] for f in findings if f["rule"] == "reach-beyond-intent"]
    assert len(reach) == 1 and "'reports-caller'" in reach[0], result.stdout
    assert "can call function 'billing'" in reach[0]
    assert result.exit_code == 1
    # The hand-written grants on other projects reach none of the stack's services.
    assert not any("ci" in f["name"] for f in findings), findings
