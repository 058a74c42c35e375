"""The grouped access matrix judges as the pairwise one does, on random small stacks.

The rules ``reach-beyond-intent`` and ``group-bypass`` judge one cell of the matrix (a
principal and the services of one kind and project, reached through the same rules) at a time
instead of every principal and service pair. The references below are the pairwise
definitions: the matrix built pair by pair from the grants, and each rule judged entry by
entry. A grouping that lost (or invented) a finding, or changed one's message or order, fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless.access.service_calls import CALLS_TAG_PREFIX, IDENTITY_TAG_PREFIX
from private_serverless.access.workload_identity import GRANTS_TAG_PREFIX
from private_serverless.core.inventory import ResourceRecord
from private_serverless.policies.access_matrix import (
    ANYONE,
    INVOKE_SETS,
    AccessEntry,
    Grant,
    Principal,
    Service,
    access_matrix,
    declared_accesses,
    grants,
    implies,
    services,
    union,
)
from private_serverless.policies.access_rules import group_bypass, reach_beyond_intent
from private_serverless.policies.kinds import Kind

STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
PROJECTS = (
    "11111111-1111-4111-8111-111111111111",
    "33333333-3333-4333-8333-333333333333",
    "44444444-4444-4444-8444-444444444444",
)
ORG = "22222222-2222-4222-8222-222222222222"
CONDITIONS = (
    None,
    'inIpRange(request.ip, "198.51.100.0/24")',
    'inIpRange(request.ip, "198.51.100.0/24") && request.user_agent.contains("ops")',
    'inIpRange(request.ip, "203.0.113.0/24")',
)
SETS = (
    "FunctionsPrivateAccess",
    "ContainersPrivateAccess",
    "FunctionsFullAccess",
    "AllProductsFullAccess",
)
NAMES = ("api", "billing", "cart", "docs", "edge", "feed")


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::shop::{type_}::{name}"


@st.composite
def stacks(draw: st.DrawFn) -> list[ResourceRecord]:
    """A stack export (real ids, no dependencies): services in a few projects, each with its
    caller application and policy, some callers' identities calling a service by name, some
    identities granted a set of their own, groups holding applications."""
    records = [ResourceRecord(urn=STACK, type="pulumi:pulumi:Stack", name="s", custom=False)]
    count = draw(st.integers(1, len(NAMES)))
    apps: list[str] = []

    def policy(name: str, principal: dict[str, str], parent: str | None, tags: list[str]) -> None:
        rules = []
        for _ in range(draw(st.integers(1, 2))):
            rule: dict[str, Any] = {"permissionSetNames": [draw(st.sampled_from(SETS))]}
            if draw(st.integers(0, 5)) == 0:
                rule["organizationId"] = ORG
            else:
                rule["projectIds"] = draw(
                    st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=2, unique=True)
                )
            condition = draw(st.sampled_from(CONDITIONS))
            if condition is not None:
                rule["condition"] = condition
            rules.append(rule)
        records.append(
            ResourceRecord(
                urn=_urn("scaleway:iam/policy:Policy", name),
                type="scaleway:iam/policy:Policy",
                name=name,
                parent=parent or STACK,
                inputs={**principal, "name": name, "rules": rules, "tags": tags},
                id=f"pol-{name}",
            )
        )

    for number, name in enumerate(NAMES[:count]):
        kind = draw(st.sampled_from(("Function", "Container")))
        component_type = f"private-serverless:index:Private{kind}"
        component = _urn(component_type, name)
        records.append(ResourceRecord(urn=component, type=component_type, name=name, custom=False))
        lower = kind.lower()
        namespace_type = f"scaleway:{lower}s/namespace:Namespace"
        records.append(
            ResourceRecord(
                urn=_urn(namespace_type, f"{name}-ns"),
                type=namespace_type,
                name=f"{name}-ns",
                parent=component,
                inputs={"projectId": draw(st.sampled_from(PROJECTS))},
                id=f"ns-{name}",
            )
        )
        service_type = f"scaleway:{lower}s/{lower}:{kind}"
        privacy = draw(st.sampled_from(("private", "private", "public")))
        records.append(
            ResourceRecord(
                urn=_urn(service_type, name),
                type=service_type,
                name=name,
                parent=component,
                inputs={"namespaceId": f"ns-{name}", "name": name, "privacy": privacy},
                id=f"svc-{name}",
            )
        )
        app_id = f"app-{number}"
        apps.append(app_id)
        records.append(
            ResourceRecord(
                urn=_urn("scaleway:iam/application:Application", f"{name}-caller"),
                type="scaleway:iam/application:Application",
                name=f"{name}-caller",
                parent=component,
                inputs={"name": f"{name}-caller"},
                id=app_id,
            )
        )
        # Most services declare their callers' access; some declare none.
        if draw(st.integers(0, 4)) > 0:
            policy(f"{name}-caller-access", {"applicationId": app_id}, component, [])
        if draw(st.booleans()):
            # The service's own identity: calls a service by name, or holds a grant.
            identity_id = f"idn-{number}"
            records.append(
                ResourceRecord(
                    urn=_urn("scaleway:iam/application:Application", f"{name}-identity"),
                    type="scaleway:iam/application:Application",
                    name=f"{name}-identity",
                    parent=component,
                    inputs={
                        "name": f"{name}-identity",
                        "tags": [f"{IDENTITY_TAG_PREFIX}{name}"],
                    },
                    id=identity_id,
                )
            )
            apps.append(identity_id)
            tag = (
                f"{CALLS_TAG_PREFIX}{draw(st.sampled_from(NAMES[:count]))}"
                if draw(st.integers(0, 3)) > 0
                else f"{GRANTS_TAG_PREFIX}{name}"
            )
            policy(f"{name}-identity-access", {"applicationId": identity_id}, component, [tag])
    for number in range(draw(st.integers(0, 2))):
        members = draw(st.lists(st.sampled_from(apps), min_size=1, max_size=3, unique=True))
        records.append(
            ResourceRecord(
                urn=_urn("scaleway:iam/group:Group", f"group-{number}"),
                type="scaleway:iam/group:Group",
                name=f"group-{number}",
                inputs={"name": f"group-{number}", "applicationIds": members},
                id=f"grp-{number}",
            )
        )
        policy(f"group-{number}-access", {"groupId": f"grp-{number}"}, None, [])
    return records


# --- the pairwise references ----------------------------------------------------------------


def _reaches(grant: Grant, service: Service) -> bool:
    sets = INVOKE_SETS[Kind(service.kind)]
    kind_ok = grant.rule.permission_set in sets or grant.rule.permission_set == (
        "AllProductsFullAccess"
    )
    return kind_ok and (grant.organization_wide or service.project in grant.projects)


def pairwise_matrix(records: Sequence[ResourceRecord]) -> list[AccessEntry]:
    """Every principal against every service, each grant checked for each pair."""
    found = services(records)
    every = grants(records)
    by_principal: dict[Principal, list[Grant]] = {}
    for grant in every:
        by_principal.setdefault(grant.principal, []).append(grant)
    # A member gets its groups' grants after its own.
    for grant in every:
        for member in grant.principal.members:
            if not member.startswith("user "):
                inherited = Grant(
                    Principal("application", member),
                    grant.projects,
                    grant.organization_wide,
                    replace(grant.rule, via_group=grant.principal.name),
                )
                by_principal.setdefault(inherited.principal, []).append(inherited)
    ordered = sorted(found, key=lambda s: (s.name, s.kind))
    entries = [
        AccessEntry(Principal(ANYONE, ANYONE), service, None, ())
        for service in ordered
        if service.public
    ]
    for principal in sorted(by_principal, key=lambda p: (p.kind, p.name)):
        for service in ordered:
            rules = tuple(g.rule for g in by_principal[principal] if _reaches(g, service))
            if rules:
                condition = union(rule.condition for rule in rules)
                entries.append(AccessEntry(principal, service, condition, rules))
    return entries


def _label(service: Service) -> str:
    return f"{service.kind} '{service.name}'"


def _text(condition: str | None) -> str:
    return "any request (no condition)" if condition is None else condition


def pairwise_reach(entries: Sequence[AccessEntry]) -> Iterator[tuple[str, str]]:
    """reach-beyond-intent judged entry by entry (the definition before the grouping)."""
    declared = declared_accesses(entries)
    owned_by: dict[Principal, list[Service]] = {}
    for entry in entries:
        if any(rule.declares_for(entry.service) for rule in entry.rules):
            owned_by.setdefault(entry.principal, []).append(entry.service)
    for entry in entries:
        target = entry.service
        if target.urn not in declared or entry.principal.kind == ANYONE:
            continue
        meant = [
            rule.condition
            for rule in entry.rules
            if rule.calls is not None and rule.calls == target.name and rule.via_group is None
        ]
        required = union([declared[target.urn], *meant]) if meant else declared[target.urn]
        if implies(entry.condition, required):
            continue
        if any(r.via_group is None for r in entry.rules) and any(r.via_group for r in entry.rules):
            continue
        owned = [s for s in owned_by.get(entry.principal, []) if s != target]
        via = f" (the key of {', '.join(_label(s) for s in owned)})" if owned else ""
        sets = sorted({rule.permission_set for rule in entry.rules})
        siblings = " and ".join([f"'{s.name}'" for s in owned[:1]] + [f"'{target.name}'"])
        shared = f"{siblings} share {target.project}" if owned else f"it covers {target.project}"
        callees = sorted({rule.calls for rule in entry.rules if rule.calls is not None})
        fix = (
            f"set dedicated_project: true on {target.name} (one more project to manage), or "
            "give the services of the project the same condition, or remove the grant."
        )
        holders = sorted({rule.grants_of for rule in entry.rules if rule.grants_of is not None})
        if holders and not callees:
            fix = (
                f"set dedicated_project: true on {target.name}, or give the grant "
                f"(services.{holders[0]}.identity.grants) a condition at least as strict as "
                f"{target.name}'s, or remove the grant."
            )
        if callees:
            fix = (
                f"set dedicated_project: true on {', '.join(callees)} so that the call reaches "
                f"it alone, or give the call (calls.{callees[0]}.condition) a condition at "
                f"least as strict as {target.name}'s, or remove the call."
            )
        yield (
            target.urn,
            f"{entry.principal}{via} can call {_label(target)} under a weaker condition "
            f"than {target.name}'s own access: it is allowed for "
            f"{_text(entry.condition)}, {target.name} requires "
            f"{_text(required)}. IAM grants {', '.join(sets)} per project, and "
            f"{shared}. Fix: {fix}",
        )


def pairwise_bypass(entries: Sequence[AccessEntry]) -> Iterator[tuple[str, str]]:
    """group-bypass judged entry by entry."""
    for entry in entries:
        if entry.principal.kind != "application":
            continue
        direct = [rule for rule in entry.rules if rule.via_group is None]
        inherited = [rule for rule in entry.rules if rule.via_group is not None]
        if not direct or not inherited:
            continue
        own = union([rule.condition for rule in direct])
        if own is None or implies(entry.condition, own):
            continue
        group_rule = next(r for r in inherited if not implies(r.condition, own))
        yield (
            group_rule.policy_urn,
            f"{entry.principal} may call {_label(entry.service)} only under its own "
            f"condition ({own}), but group '{group_rule.via_group}', which it belongs to, is "
            f"granted {group_rule.permission_set} by iam-policy '{group_rule.policy}' rule "
            f"#{group_rule.rule} for {_text(group_rule.condition)}; policies add up, "
            "so the application's condition restricts nothing. Remove the application from "
            "the group, or put the condition on the group's rule.",
        )


# --- the properties -------------------------------------------------------------------------


@given(stacks())
def test_the_matrix_is_every_pair_the_grants_reach(records: list[ResourceRecord]) -> None:
    grouped = access_matrix(records)
    pairwise = pairwise_matrix(records)
    assert [(e.principal, e.service) for e in grouped] == [
        (e.principal, e.service) for e in pairwise
    ]
    assert grouped == pairwise


# More examples than the suite's default: a call by name that changes a verdict (the callee
# reached under the call's condition) needs several things drawn together.
@settings(max_examples=300)
@given(stacks())
def test_grouped_rules_find_what_the_pairwise_rules_find(records: list[ResourceRecord]) -> None:
    entries = access_matrix(records)
    assert list(reach_beyond_intent(records)) == list(pairwise_reach(entries))
    assert list(group_bypass(records)) == list(pairwise_bypass(entries))


def test_the_generator_makes_findings_of_both_rules() -> None:
    """The properties above compare something: the stacks they draw do have findings."""
    seen = {"reach": 0, "bypass": 0}

    @given(stacks())
    def count(records: list[ResourceRecord]) -> None:
        seen["reach"] += bool(list(reach_beyond_intent(records)))
        seen["bypass"] += bool(list(group_bypass(records)))

    count()
    assert seen["reach"] > 0 and seen["bypass"] > 0
