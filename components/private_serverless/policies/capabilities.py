"""What each service can do: its workload identity's grants, and the services its key calls.

The access matrix answers "who can call this service"; this answers the other way round, for
the principals that are services' identities (``identity.grants``, ``calls``). IAM attaches
policies to the application, not to a key, so every key of an identity holds all of them: its
grants add up, and a private-access set on a project reaches every private service there.
Computed from records alone, like the matrix, so the plan, the pack and the audit agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..access.permission_sets import PERMISSION_SETS
from ..core.inventory import ResourceRecord
from .access_matrix import AccessEntry, Grant, Principal, access_matrix, grants

_IDENTITY_SUFFIX = " (service identity)"


@dataclass(frozen=True)
class Capability:
    """One permission set a service identity holds, where, and under which condition."""

    permission_set: str
    where: tuple[str, ...]
    """Project labels (as in the access matrix), or ``("the organization",)``."""
    condition: str | None
    policy: str
    rule: int

    @property
    def allows(self) -> str:
        """What the set lets its holder do (the catalogue's words), or that it is unknown."""
        entry = PERMISSION_SETS.get(self.permission_set)
        return entry.allows if entry is not None else "not in Scaleway's permission sets"

    @property
    def escalates(self) -> bool:
        """Whether it can change identities, policies, projects or the organization."""
        entry = PERMISSION_SETS.get(self.permission_set)
        return entry is not None and entry.escalates

    @property
    def reads_secrets(self) -> bool:
        """Whether it reads secret data."""
        entry = PERMISSION_SETS.get(self.permission_set)
        return entry is not None and entry.reads_secrets

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "permission_set": self.permission_set,
            "where": list(self.where),
            "condition": self.condition,
            "allows": self.allows,
            "escalates": self.escalates,
            "reads_secrets": self.reads_secrets,
            "policy": self.policy,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class ServiceCapabilities:
    """A service identity: its grants, and the private services its key can call."""

    principal: Principal
    grants: tuple[Capability, ...]
    calls: tuple[AccessEntry, ...]

    @property
    def service(self) -> str:
        """The service the identity belongs to."""
        return self.principal.name.removesuffix(_IDENTITY_SUFFIX)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the plan's ``capabilities`` entries."""
        return {
            "service": self.service,
            "principal": {"kind": self.principal.kind, "name": self.principal.name},
            "grants": [grant.to_dict() for grant in self.grants],
            "can_call": [
                {
                    "kind": entry.service.kind,
                    "name": entry.service.name,
                    "project": entry.service.project,
                    "condition": entry.condition,
                }
                for entry in self.calls
            ],
        }


def _is_identity(principal: Principal) -> bool:
    return principal.kind == "application" and principal.name.endswith(_IDENTITY_SUFFIX)


def _capability(grant: Grant) -> Capability:
    where = ("the organization",) if grant.organization_wide else tuple(sorted(grant.projects))
    rule = grant.rule
    return Capability(rule.permission_set, where, rule.condition, rule.policy, rule.rule)


def capabilities(
    records: Sequence[ResourceRecord],
    *,
    default_project_id: str | None = None,
    entries: Sequence[AccessEntry] | None = None,
) -> list[ServiceCapabilities]:
    """Per service identity (by name): what it may do and which private services it calls.

    ``entries`` is the access matrix of ``records`` when the caller has it already.
    """
    if entries is None:
        entries = access_matrix(records, default_project_id=default_project_id)
    held: dict[Principal, list[Capability]] = {}
    for grant in grants(records, default_project_id=default_project_id):
        if _is_identity(grant.principal):
            held.setdefault(grant.principal, []).append(_capability(grant))
    calls: dict[Principal, list[AccessEntry]] = {}
    for entry in entries:
        if _is_identity(entry.principal):
            calls.setdefault(entry.principal, []).append(entry)
    principals = sorted(set(held) | set(calls), key=lambda p: p.name)
    return [
        ServiceCapabilities(p, tuple(held.get(p, [])), tuple(calls.get(p, []))) for p in principals
    ]


def relabel(
    found: Sequence[ServiceCapabilities], describe: Callable[[str], str]
) -> list[ServiceCapabilities]:
    """``found`` with project labels passed through ``describe`` (no made-up value shown)."""
    return [
        replace(
            item,
            grants=tuple(
                replace(g, where=tuple(describe(w) for w in g.where)) for g in item.grants
            ),
            calls=tuple(
                replace(e, service=replace(e.service, project=describe(e.service.project)))
                for e in item.calls
            ),
        )
        for item in found
    ]


def _condition_label(condition: str | None) -> str:
    return "any request" if condition is None else condition


def _grant_line(grant: Capability) -> str:
    marks = [
        m
        for m, on in (("ESCALATES", grant.escalates), ("reads secrets", grant.reads_secrets))
        if on
    ]
    mark = f" [{', '.join(marks)}]" if marks else ""
    return (
        f"{grant.permission_set} on {', '.join(grant.where) or 'no project'} "
        f"({_condition_label(grant.condition)}): {grant.allows}{mark}"
    )


def capabilities_text(found: Sequence[ServiceCapabilities]) -> list[str]:
    """What each service can do, as text lines."""
    if not found:
        return []
    lines = ["What each service can do (its identity's grants; every key of it holds them all):"]
    for item in found:
        lines.append(f"  {item.service}:")
        lines += [f"    may use {_grant_line(grant)}" for grant in item.grants]
        lines += [
            f"    can call {e.service.kind} '{e.service.name}' ({e.service.project}): "
            f"{_condition_label(e.condition)}"
            for e in item.calls
        ]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def capabilities_markdown(found: Sequence[ServiceCapabilities]) -> str:
    """What each service can do, as a Markdown section (empty when no service has an
    identity)."""
    if not found:
        return ""
    lines = [
        "### What each service can do",
        "",
        "| Service | Permission set / call | Where | Condition | Allows |",
        "|---|---|---|---|---|",
    ]
    for item in found:
        for grant in item.grants:
            marks = " **escalates**" if grant.escalates else ""
            marks += " (reads secrets)" if grant.reads_secrets else ""
            lines.append(
                f"| {_cell(item.service)} | {_cell(grant.permission_set)}{marks} | "
                f"{_cell(', '.join(grant.where))} | `{_cell(_condition_label(grant.condition))}` "
                f"| {_cell(grant.allows)} |"
            )
        for entry in item.calls:
            lines.append(
                f"| {_cell(item.service)} | "
                f"calls {entry.service.kind} '{_cell(entry.service.name)}' "
                f"| {_cell(entry.service.project)} | `{_cell(_condition_label(entry.condition))}` "
                "| its private endpoint |"
            )
    return "\n".join(lines)
