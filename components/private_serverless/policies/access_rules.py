"""Rules judged on the access matrix and on what a grant lets a principal do to IAM itself.

* ``reach-beyond-intent``: a principal can call a service under a weaker condition than the
  service's own declared access (a sibling's key, in the same project);
* ``group-bypass``: a group an application belongs to grants it more than its own, conditioned,
  rule (policies add up, so the condition restricts nothing);
* ``privilege-escalation``: a grant of a set that can change identities, policies, projects or
  the organization (the catalogue says which): such a principal can grant itself anything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..access.permission_sets import escalates
from ..core.inventory import ResourceRecord
from .access_matrix import (
    ANYONE,
    AccessEntry,
    Principal,
    Service,
    access_matrix,
    declared_accesses,
    implies,
    union,
)
from .findings import MANDATORY, Finding
from .kinds import Kind, kind_of


def is_escalation_set(name: str) -> bool:
    """Whether a permission set can change identities, policies, projects or the organization
    (the catalogue's ``escalates``, access/permission_sets.py): its holder can grant itself
    anything else."""
    return escalates(name)


def _service_label(service: Service) -> str:
    return f"{service.kind} '{service.name}'"


def _condition_text(condition: str | None) -> str:
    return "any request (no condition)" if condition is None else condition


def _owned_services(entries: Sequence[AccessEntry]) -> dict[Principal, list[Service]]:
    """Per principal, the services whose components created its grants (its "own" services)."""
    owned: dict[Principal, list[Service]] = {}
    for entry in entries:
        if any(rule.declares_for(entry.service) for rule in entry.rules):
            owned.setdefault(entry.principal, []).append(entry.service)
    return owned


_CACHE: list[tuple[tuple[ResourceRecord, ...], str | None, list[AccessEntry]]] = []


def cached_matrix(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> list[AccessEntry]:
    """The matrix of ``records``, computed once for the several rules judging the same ones.

    Records are immutable; the same record objects in the same order give the same matrix.
    """
    if _CACHE:
        seen, default, entries = _CACHE[0]
        if (
            default == default_project_id
            and len(seen) == len(records)
            and all(a is b for a, b in zip(seen, records, strict=True))
        ):
            return entries
    entries = access_matrix(records, default_project_id=default_project_id)
    _CACHE[:] = [(tuple(records), default_project_id, entries)]
    return entries


def reach_beyond_intent(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> Iterator[tuple[str, str]]:
    """(service URN, message) for each principal reaching a service beyond its declared access."""
    entries = cached_matrix(records, default_project_id)
    declared = declared_accesses(entries)
    owned_by = _owned_services(entries)
    for entry in entries:
        target = entry.service
        if target.urn not in declared or entry.principal.kind == ANYONE:
            continue  # a public service's "anyone": private-services judges it
        # A caller's identity granted to call this very service (`calls`) is meant to reach
        # it under the call's condition; the siblings it reaches by project are judged.
        meant = [
            rule.condition
            for rule in entry.rules
            if rule.calls is not None and rule.calls == target.name and rule.via_group is None
        ]
        required = union([declared[target.urn], *meant]) if meant else declared[target.urn]
        if implies(entry.condition, required):
            continue
        if any(r.via_group is None for r in entry.rules) and any(r.via_group for r in entry.rules):
            continue  # a group widening the principal's own grant: group-bypass says it
        owned = [s for s in owned_by.get(entry.principal, []) if s != target]
        via = f" (the key of {', '.join(_service_label(s) for s in owned)})" if owned else ""
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
            # A service identity's own grant (`identity.grants`) of a private-access set.
            fix = (
                f"set dedicated_project: true on {target.name}, or give the grant "
                f"(services.{holders[0]}.identity.grants) a condition at least as strict as "
                f"{target.name}'s, or remove the grant."
            )
        if callees:
            # A caller's identity granted to call a sibling of the target (`calls`).
            fix = (
                f"set dedicated_project: true on {', '.join(callees)} so that the call reaches "
                f"it alone, or give the call (calls.{callees[0]}.condition) a condition at "
                f"least as strict as {target.name}'s, or remove the call."
            )
        yield (
            target.urn,
            f"{entry.principal}{via} can call {_service_label(target)} under a weaker condition "
            f"than {target.name}'s own access: it is allowed for "
            f"{_condition_text(entry.condition)}, {target.name} requires "
            f"{_condition_text(required)}. IAM grants {', '.join(sets)} per project, and "
            f"{shared}. Fix: {fix}",
        )


def group_bypass(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> Iterator[tuple[str, str]]:
    """(policy URN, message) where a group's grant weakens an application's own condition."""
    for entry in cached_matrix(records, default_project_id):
        if entry.principal.kind != "application":
            continue
        direct = [rule for rule in entry.rules if rule.via_group is None]
        inherited = [rule for rule in entry.rules if rule.via_group is not None]
        if not direct or not inherited:
            continue
        own = _union([rule.condition for rule in direct])
        if own is None or implies(entry.condition, own):
            continue
        group_rule = next(r for r in inherited if not implies(r.condition, own))
        yield (
            group_rule.policy_urn,
            f"{entry.principal} may call {_service_label(entry.service)} only under its own "
            f"condition ({own}), but group '{group_rule.via_group}', which it belongs to, is "
            f"granted {group_rule.permission_set} by iam-policy '{group_rule.policy}' rule "
            f"#{group_rule.rule} for {_condition_text(group_rule.condition)}; policies add up, "
            "so the application's condition restricts nothing. Remove the application from "
            "the group, or put the condition on the group's rule.",
        )


def _union(conditions: list[str | None]) -> str | None:
    from .access_matrix import union

    return union(conditions)


def escalation_grants(record: ResourceRecord) -> Iterator[tuple[int, list[str]]]:
    """(rule number, escalation sets) for each rule of an IAM policy granting such sets."""
    if kind_of(record.type) is not Kind.POLICY:
        return
    rules: Any = record.inputs.get("rules")
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        return
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, Mapping):
            continue
        names = rule.get("permissionSetNames")
        if not isinstance(names, Sequence) or isinstance(names, str):
            continue
        found = sorted({n for n in names if isinstance(n, str) and is_escalation_set(n)})
        if found:
            yield number, found


def finding(rule: str, urn: str, message: str) -> Finding:
    """A mandatory finding of one of these rules."""
    return Finding(rule=rule, severity=MANDATORY, urn=urn, message=message)
