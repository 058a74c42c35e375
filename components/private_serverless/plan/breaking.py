"""Breaking changes: what a change does to the clients of a stack's services.

A client holds two things: an endpoint (a function's or container's URL, or a custom domain's
hostname) and an API key. A change breaks it when the engine replaces or deletes the resource
behind one of them: a replaced function or container gets a new endpoint (Scaleway derives the
URL from the new resource), a deleted one stops answering, a replaced or deleted domain unbinds
the hostname, and a replaced or deleted API key is refused from then on. Key rotation retires
the oldest generation on purpose; it is still listed, since a client that has not moved to the
newer key breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..policies.kinds import Kind, kind_of


class _Change(Protocol):
    """What the resource diff says of one resource (:class:`.diff.ResourceChange`)."""

    @property
    def urn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def op(self) -> str: ...
    @property
    def strands(self) -> tuple[str, ...]: ...


_DOMAIN_TYPES = frozenset(
    {
        "scaleway:functions/domain:Domain",
        "scaleway:index/functionDomain:FunctionDomain",
        "scaleway:containers/domain:Domain",
        "scaleway:index/containerDomain:ContainerDomain",
    }
)

#: What each operation does to a client, by what the resource is to it.
_CONSEQUENCES: Mapping[tuple[str, str], str] = {
    ("endpoint", "replace"): "replaced: a new endpoint, clients must use its new URL",
    ("endpoint", "delete"): "deleted: its endpoint stops answering",
    ("domain", "replace"): "replaced: the hostname is unbound until the new binding is ready",
    ("domain", "delete"): "deleted: the hostname no longer reaches the service",
    ("key", "replace"): "replaced: clients holding the old key are refused",
    ("key", "delete"): "deleted: clients holding this key are refused",
}


@dataclass(frozen=True)
class BreakingChange:
    """A resource whose replacement or deletion breaks a client."""

    urn: str
    name: str
    type: str
    op: str
    what: str
    consequence: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "type": self.type,
            "op": self.op,
            "holds": self.what,
            "consequence": self.consequence,
        }

    def describe(self) -> str:
        """``container 'api-container' replaced: a new endpoint, ...``."""
        return f"{_NOUNS[self.what]} '{self.name}' {self.consequence}"


_NOUNS: Mapping[str, str] = {
    "endpoint": "service",
    "domain": "domain",
    "key": "API key",
    "project": "project",
}


def _client_holds(type_token: str) -> str | None:
    kind = kind_of(type_token)
    if kind in (Kind.FUNCTION, Kind.CONTAINER):
        return "endpoint"
    if kind is Kind.API_KEY:
        return "key"
    if type_token in _DOMAIN_TYPES:
        return "domain"
    return None


def breaking_changes(changes: Iterable[_Change]) -> tuple[BreakingChange, ...]:
    """The changes that give clients a new endpoint or invalidate a key, in plan order."""
    found = []
    for change in changes:
        if change.strands:
            # Not a client's loss but a failed deployment: see diff._stranded.
            found.append(
                BreakingChange(
                    change.urn,
                    change.name,
                    change.type,
                    change.op,
                    "project",
                    "deleted while this change keeps "
                    f"{', '.join(change.strands)} in it: Scaleway refuses to delete a project "
                    "that still holds resources, so pulumi up fails half-way. To keep the "
                    "service where it is, set its project_id to this project's id when turning "
                    "dedicated_project off; to move it, give it a new name (a new namespace).",
                )
            )
            continue
        what = _client_holds(change.type)
        if what is None or change.op not in ("replace", "delete"):
            continue
        found.append(
            BreakingChange(
                change.urn,
                change.name,
                change.type,
                change.op,
                what,
                _CONSEQUENCES[(what, change.op)],
            )
        )
    return tuple(found)


def endpoint_outputs(
    changes: Iterable[_Change], base: Mapping[str, Any], head: Mapping[str, Any]
) -> list[str]:
    """Stack outputs holding the endpoint of a replaced function or container, as the stack
    program exports them (``<service>_endpoint``, ``services.<service>.endpoint``), that both
    plans show as the same unknown: the engine gets a new endpoint there all the same. A
    service's children are named ``<service>-<role>``."""
    found = []
    for change in changes:
        if change.op != "replace" or _client_holds(change.type) != "endpoint":
            continue
        service = change.name.rsplit("-", 1)[0]
        flat = f"{service.replace('-', '_')}_endpoint"
        if _same_unknown(base.get(flat), head.get(flat)):
            found.append(flat)
        old, new = _nested(base, service), _nested(head, service)
        if _same_unknown(old.get("endpoint"), new.get("endpoint")):
            found.append(f"services.{service}.endpoint")
    return found


def _nested(outputs: Mapping[str, Any], service: str) -> Mapping[str, Any]:
    services = outputs.get("services")
    entry = services.get(service) if isinstance(services, Mapping) else None
    return entry if isinstance(entry, Mapping) else {}


def _same_unknown(old: Any, new: Any) -> bool:
    return bool(old == new == "[unknown]")  # values.UNKNOWN_PLACEHOLDER
