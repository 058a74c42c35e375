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
from dataclasses import dataclass
from typing import Any

from ..access.permission_sets import escalates
from ..core.inventory import ResourceRecord
from .access_matrix import (
    AccessCell,
    AccessCells,
    AccessEntry,
    GrantRule,
    Principal,
    Service,
    access_cells,
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


_CACHE: list[tuple[tuple[ResourceRecord, ...], str | None, AccessCells]] = []


def cached_cells(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> AccessCells:
    """The grouped matrix of ``records``, computed once for the several rules judging the
    same ones.

    Records are immutable; the same record objects in the same order give the same matrix.
    """
    if _CACHE:
        seen, default, cells = _CACHE[0]
        if (
            default == default_project_id
            and len(seen) == len(records)
            and all(a is b for a, b in zip(seen, records, strict=True))
        ):
            return cells
    cells = access_cells(records, default_project_id=default_project_id)
    _CACHE[:] = [(tuple(records), default_project_id, cells)]
    return cells


def cached_matrix(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> list[AccessEntry]:
    """The matrix of ``records``, one entry per principal and service (from the cache)."""
    return cached_cells(records, default_project_id).entries()


def _declaring(rule: GrantRule) -> bool:
    """Whether ``rule`` declares access for the service its policy's component owns (see
    :meth:`GrantRule.declares_for`), whichever service that is."""
    return rule.via_group is None and rule.calls is None and rule.grants_of is None


@dataclass
class _Place:
    """The services of one kind and project, indexed the ways the rules look them up."""

    by_component: dict[str, list[Service]]
    by_name: dict[str, list[Service]]


def _places(matrix: AccessCells) -> dict[tuple[str, str], _Place]:
    places: dict[tuple[str, str], _Place] = {}
    for cell in matrix.cells:
        if cell.place in places:
            continue
        place = places[cell.place] = _Place({}, {})
        for service in cell.services:
            if service.component is not None:
                place.by_component.setdefault(service.component, []).append(service)
            place.by_name.setdefault(service.name, []).append(service)
    return places


def _owned_by_cell(cell: AccessCell, place: _Place) -> list[tuple[Service, GrantRule]]:
    """(service, rule) for each rule of ``cell`` declaring access for a service of the cell,
    in rule order: a service's own grants, wherever its key reaches."""
    return [
        (service, rule)
        for rule in cell.rules
        if _declaring(rule) and rule.policy_parent is not None
        for service in place.by_component.get(rule.policy_parent, [])
    ]


def _declared(
    matrix: AccessCells, places: Mapping[tuple[str, str], _Place]
) -> tuple[dict[str, str | None], dict[Principal, list[Service]]]:
    """Per service URN, the condition its component declares (as
    :func:`~.access_matrix.declared_accesses` finds it on the entries); per principal, the
    services whose components created its grants (its "own" services), in matrix order."""
    own: dict[str, list[str | None]] = {}
    owned: dict[Principal, dict[str, Service]] = {}
    for cell in matrix.cells:
        for service, rule in _owned_by_cell(cell, places[cell.place]):
            own.setdefault(service.urn, []).append(rule.condition)
            owned.setdefault(cell.principal, {})[service.urn] = service
    owned_by = {
        principal: sorted(found.values(), key=lambda s: matrix.position[s.urn])
        for principal, found in owned.items()
    }
    return {urn: union(conditions) for urn, conditions in own.items()}, owned_by


def reach_beyond_intent(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> Iterator[tuple[str, str]]:
    """(service URN, message) for each principal reaching a service beyond its declared access.

    Judged per cell of the matrix: its services that declare the same condition and that
    none of its rules calls by name are judged once, together; a finding is still one per
    principal and service.
    """
    matrix = cached_cells(records, default_project_id)
    places = _places(matrix)
    declared, owned_by = _declared(matrix, places)
    # Per place, its services that declare access, by the condition they declare: alike
    # for this rule unless a cell's rules call one of them by name.
    alike: dict[tuple[str, str], dict[str | None, list[Service]]] = {}
    for cell in matrix.cells:
        if cell.place not in alike:
            by_condition = alike[cell.place] = {}
            for service in cell.services:
                if service.urn in declared:
                    by_condition.setdefault(declared[service.urn], []).append(service)
    found: list[tuple[int, int, str, str]] = []
    for cell in matrix.cells:
        if any(r.via_group is None for r in cell.rules) and any(r.via_group for r in cell.rules):
            continue  # a group widening the principal's own grant: group-bypass says it
        called = {r.calls for r in cell.rules if r.calls is not None and r.via_group is None}
        callees = [
            service
            for name in sorted(called)
            for service in places[cell.place].by_name.get(name, [])
            if service.urn in declared
        ]
        for service in callees:
            # A caller's identity granted to call this very service (`calls`) is meant to
            # reach it under the call's condition; the siblings it reaches by project are
            # judged.
            meant = [
                rule.condition
                for rule in cell.rules
                if rule.calls == service.name and rule.via_group is None
            ]
            if not implies(cell.condition, union([declared[service.urn], *meant])):
                found.append(
                    _reach_finding(
                        matrix, cell, service, declared=declared, owned_by=owned_by, meant=meant
                    )
                )
        skip = {service.urn for service in callees}
        for required, targets in alike[cell.place].items():
            if implies(cell.condition, required):
                continue
            found += [
                _reach_finding(matrix, cell, target, declared=declared, owned_by=owned_by, meant=[])
                for target in targets
                if target.urn not in skip
            ]
    found.sort(key=lambda item: (item[0], item[1]))
    for _, _, urn, message in found:
        yield urn, message


def _reach_finding(
    matrix: AccessCells,
    cell: AccessCell,
    target: Service,
    *,
    declared: Mapping[str, str | None],
    owned_by: Mapping[Principal, list[Service]],
    meant: list[str | None],
) -> tuple[int, int, str, str]:
    """(principal rank, service position, service URN, message) of one reach-beyond-intent."""
    required = union([declared[target.urn], *meant]) if meant else declared[target.urn]
    owned = [s for s in owned_by.get(cell.principal, []) if s != target]
    via = f" (the key of {', '.join(_service_label(s) for s in owned)})" if owned else ""
    sets = sorted({rule.permission_set for rule in cell.rules})
    siblings = " and ".join([f"'{s.name}'" for s in owned[:1]] + [f"'{target.name}'"])
    shared = f"{siblings} share {target.project}" if owned else f"it covers {target.project}"
    callees = sorted({rule.calls for rule in cell.rules if rule.calls is not None})
    fix = (
        f"set dedicated_project: true on {target.name} (one more project to manage), or "
        "give the services of the project the same condition, or remove the grant."
    )
    holders = sorted({rule.grants_of for rule in cell.rules if rule.grants_of is not None})
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
    message = (
        f"{cell.principal}{via} can call {_service_label(target)} under a weaker condition "
        f"than {target.name}'s own access: it is allowed for "
        f"{_condition_text(cell.condition)}, {target.name} requires "
        f"{_condition_text(required)}. IAM grants {', '.join(sets)} per project, and "
        f"{shared}. Fix: {fix}"
    )
    return cell.rank, matrix.position[target.urn], target.urn, message


def group_bypass(
    records: Sequence[ResourceRecord], default_project_id: str | None = None
) -> Iterator[tuple[str, str]]:
    """(policy URN, message) where a group's grant weakens an application's own condition.

    Judged once per cell of the matrix (the same rules reach each of its services); the
    findings are one per application and service.
    """
    matrix = cached_cells(records, default_project_id)
    found: list[tuple[int, int, str, str]] = []
    for cell in matrix.cells:
        if cell.principal.kind != "application":
            continue
        direct = [rule for rule in cell.rules if rule.via_group is None]
        inherited = [rule for rule in cell.rules if rule.via_group is not None]
        if not direct or not inherited:
            continue
        own = union([rule.condition for rule in direct])
        if own is None or implies(cell.condition, own):
            continue
        group_rule = next(r for r in inherited if not implies(r.condition, own))
        found += [
            (
                cell.rank,
                matrix.position[service.urn],
                group_rule.policy_urn,
                f"{cell.principal} may call {_service_label(service)} only under its own "
                f"condition ({own}), but group '{group_rule.via_group}', which it belongs to, "
                f"is granted {group_rule.permission_set} by iam-policy '{group_rule.policy}' "
                f"rule #{group_rule.rule} for {_condition_text(group_rule.condition)}; "
                "policies add up, so the application's condition restricts nothing. Remove "
                "the application from the group, or put the condition on the group's rule.",
            )
            for service in cell.services
        ]
    found.sort(key=lambda item: (item[0], item[1]))
    for _, _, urn, message in found:
        yield urn, message


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
