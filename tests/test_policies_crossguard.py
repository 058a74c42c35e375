"""The same rules through the CrossGuard adapters, with fake validation arguments.

The policies' ``validate`` is called directly with objects shaped like pulumi_policy's
arguments; no PolicyPack is built (that would start a gRPC server that never returns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from private_serverless.core.inventory import ResourceRecord
from private_serverless.policies import RULES, evaluate
from private_serverless.policies.crossguard import build_policies
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from ._policy_records import (
    BILLING_APP_ID,
    IP_CONDITION,
    NOW,
    PROJECT,
    compliant_records,
    find,
    replaced,
)

# The same broken resources as through evaluate().
from .test_policies import BROKEN


@dataclass
class FakeResourceArgs:
    resource_type: str
    props: Mapping[str, Any]
    urn: str
    name: str
    config: Mapping[str, Any] = field(default_factory=dict)

    def get_config(self) -> Mapping[str, Any]:
        return self.config


@dataclass
class FakePolicyResource:
    resource_type: str
    props: Mapping[str, Any]
    urn: str
    name: str
    parent: FakePolicyResource | None = None
    dependencies: list[FakePolicyResource] = field(default_factory=list)
    property_dependencies: dict[str, list[FakePolicyResource]] = field(default_factory=dict)


@dataclass
class FakeStackArgs:
    resources: list[FakePolicyResource]
    config: Mapping[str, Any] = field(default_factory=dict)

    def get_config(self) -> Mapping[str, Any]:
        return self.config


class Violations(list[tuple[str, str | None]]):
    """A report_violation collector."""

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.append((message, urn))


# The clock is pinned so that key-expiry judges the fixture's keys as evaluate(now=NOW) does.
POLICIES = {policy.name: policy for policy in build_policies(clock=lambda: NOW)}


def _props(inputs: Mapping[str, Any]) -> Mapping[str, Any]:
    # What the analyzer hands over: a proxy raising on unknown values.
    return unknown_checking_proxy(dict(inputs))


def run_resource_policy(
    rule_id: str, records: list[ResourceRecord], config: Mapping[str, Any] | None = None
) -> Violations:
    policy = POLICIES[rule_id]
    assert isinstance(policy, ResourceValidationPolicy)
    violations = Violations()
    for r in records:
        args = FakeResourceArgs(r.type, _props(r.inputs), r.urn, r.name, config or {})
        policy.validate(args, violations)
    return violations


def stack_resources(records: list[ResourceRecord]) -> list[FakePolicyResource]:
    by_urn = {r.urn: FakePolicyResource(r.type, _props(r.inputs), r.urn, r.name) for r in records}
    for r in records:
        resource = by_urn[r.urn]
        resource.parent = by_urn.get(r.parent or "")
        resource.dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
    return list(by_urn.values())


def run_stack_policy(
    rule_id: str, records: list[ResourceRecord] | list[FakePolicyResource]
) -> Violations:
    policy = POLICIES[rule_id]
    assert isinstance(policy, StackValidationPolicy)
    resources = [r for r in records if isinstance(r, FakePolicyResource)] or stack_resources(
        [r for r in records if isinstance(r, ResourceRecord)]
    )
    violations = Violations()
    policy.validate(FakeStackArgs(resources), violations)
    return violations


def run(rule_id: str, records: list[ResourceRecord]) -> Violations:
    policy = POLICIES[rule_id]
    if isinstance(policy, StackValidationPolicy):
        return run_stack_policy(rule_id, records)
    return run_resource_policy(rule_id, records)


def test_one_policy_per_rule_with_the_rule_id() -> None:
    # Then the pack's own: findings a stack accepts on purpose, reported as advisory.
    assert list(POLICIES) == [rule.id for rule in RULES] + ["accepted-findings"]
    assert isinstance(POLICIES["least-privilege"], StackValidationPolicy)
    assert isinstance(POLICIES["no-condition-bypass"], StackValidationPolicy)
    assert isinstance(POLICIES["private-services"], ResourceValidationPolicy)
    assert POLICIES["require-condition"].enforcement_level is None  # the pack's: mandatory
    assert isinstance(POLICIES["reach-beyond-intent"], StackValidationPolicy)


@pytest.mark.parametrize("rule_id", [rule.id for rule in RULES])
def test_compliant_stack_passes_every_policy(rule_id: str) -> None:
    assert run(rule_id, compliant_records()) == []


def _broken_cases() -> list[tuple[str, str]]:
    return [(case, BROKEN[case][0]) for case in sorted(BROKEN)]


@pytest.mark.parametrize(("case", "rule_id"), _broken_cases())
def test_each_policy_reports_what_evaluate_reports(case: str, rule_id: str) -> None:
    records = BROKEN[case][1](compliant_records())
    violations = run(rule_id, records)
    expected = [(f.message, f.urn) for f in evaluate(records, now=NOW) if f.rule == rule_id]
    assert violations, case
    assert violations == expected


def test_unknown_values_are_skipped_not_fatal() -> None:
    rs = replaced(
        compliant_records(),
        "web",
        privacy=UNKNOWN_STRING_VALUE,
        httpsConnectionsOnly=UNKNOWN_STRING_VALUE,
    )
    rs = replaced(rs, "billing-caller-key", expiresAt=UNKNOWN_STRING_VALUE)
    for rule_id in ("private-services", "https-only", "key-expiry"):
        assert run(rule_id, rs) == []


def test_key_lifetime_comes_from_the_policy_config() -> None:
    rs = compliant_records()  # keys expire on NOW + 30 days
    key = find(rs, "billing-caller-key")
    assert run_resource_policy("key-expiry", [key], {"maxKeyLifetimeDays": 36500}) == []
    assert run_resource_policy("key-expiry", [key], {"maxKeyLifetimeDays": 1})


def test_require_condition_is_off_unless_configured() -> None:
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[{"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}],
    )
    assert run_resource_policy("require-condition", rs) == []
    assert len(run_resource_policy("require-condition", rs, {"requireCondition": True})) == 1


def test_bypass_is_found_in_preview_when_the_application_id_is_unknown() -> None:
    """A new application has no id yet: its policies are matched through the dependency."""
    rs = compliant_records()
    app = find(rs, "billing-caller")
    resources = stack_resources(rs)
    app_resource = next(r for r in resources if r.urn == app.urn)
    for r in resources:
        if r.name == "billing-caller-access":
            r.props = _props({**find(rs, r.name).inputs, "applicationId": UNKNOWN_STRING_VALUE})
            r.property_dependencies = {"applicationId": [app_resource]}
    open_policy = FakePolicyResource(
        "scaleway:iam/policy:Policy",
        _props(
            {
                "applicationId": UNKNOWN_STRING_VALUE,
                "rules": [
                    {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}
                ],
            }
        ),
        "urn:pulumi:dev::shop::scaleway:iam/policy:Policy::billing-open",
        "billing-open",
        dependencies=[app_resource],
        property_dependencies={"applicationId": [app_resource]},
    )
    violations = run_stack_policy("no-condition-bypass", [*resources, open_policy])
    assert len(violations) == 1
    assert violations[0][1] == find(rs, "billing-caller-access").urn
    # The resource's dependencies alone tell the application too (as in the access matrix).
    open_policy.property_dependencies = {}
    for r in resources:
        r.property_dependencies = {}
    assert len(run_stack_policy("no-condition-bypass", [*resources, open_policy])) == 1
    # Without any dependency there is nothing to match: unknown principals are skipped.
    open_policy.dependencies = []
    for r in resources:
        r.dependencies = []
    assert run_stack_policy("no-condition-bypass", [*resources, open_policy]) == []


def test_known_application_ids_match_across_policies() -> None:
    rs = compliant_records()
    resources = stack_resources(rs)
    other = FakePolicyResource(
        "scaleway:index/iamPolicy:IamPolicy",
        _props(
            {
                "applicationId": BILLING_APP_ID,
                "rules": [
                    {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]},
                    {
                        "permissionSetNames": ["ContainersPrivateAccess"],
                        "projectIds": [PROJECT],
                        "condition": IP_CONDITION,
                    },
                ],
            }
        ),
        "urn:pulumi:dev::shop::scaleway:index/iamPolicy:IamPolicy::legacy-grant",
        "legacy-grant",
    )
    violations = run_stack_policy("no-condition-bypass", [*resources, other])
    assert [urn for _, urn in violations] == [find(rs, "billing-caller-access").urn]
