"""Settings that weaken a guardrail: which ones a stack or program uses, and the plain names a
service is allowed.

Every weakening is shown in every plan format as ``guardrail weakened by <setting>: <what>``
(names only: a weakening never carries a value), and a stack whose policy sets
``forbid_weakening`` refuses them (:class:`~.settings.PolicySettings` and the stack program).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..access.public_access import public_reason_of
from ..core.inventory import ResourceRecord
from ..sensitive.names import allowed_names
from .kinds import Kind, kind_of
from .settings import (
    BASELINE_EXPIRY_WINDOW_DAYS,
    BASELINE_MAX_KEY_LIFETIME_DAYS,
    PolicySettings,
)

#: The input a service component records its own ``allowed_plain_names`` under.
ALLOWED_PLAIN_NAMES_INPUT = "allowedPlainNames"


@dataclass(frozen=True)
class Weakening:
    """One setting that weakens a guardrail: its key path and what it lets through."""

    setting: str
    what: str

    def line(self) -> str:
        """How every plan format shows it."""
        return f"guardrail weakened by {self.setting}: {self.what}"

    def to_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"setting": self.setting, "what": self.what}


def component_allowances(records: Sequence[ResourceRecord]) -> dict[str, frozenset[str]]:
    """The plain names each service component was allowed, by component URN."""
    found: dict[str, frozenset[str]] = {}
    for record in records:
        if record.custom:
            continue
        names = record.inputs.get(ALLOWED_PLAIN_NAMES_INPUT)
        if isinstance(names, list | tuple) and names:
            found[record.urn] = allowed_names(str(name) for name in names)
    return found


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def allowed_plain_names_for(
    record: ResourceRecord,
    settings: PolicySettings,
    allowances: Mapping[str, frozenset[str]],
) -> frozenset[str]:
    """The plain names ``record`` (a function, container or namespace) may hold: the stack's,
    its service's by name in the settings, and what its component recorded."""
    parent = record.parent
    service = (
        settings.service_allowed_plain_names.get(_urn_name(parent), frozenset())
        if parent is not None
        else frozenset()
    )
    recorded = allowances.get(parent, frozenset()) if parent is not None else frozenset()
    return allowed_names(settings.allowed_plain_names, service, recorded)


def weakenings(settings: PolicySettings, records: Sequence[ResourceRecord] = ()) -> list[Weakening]:
    """Every setting in ``settings`` and ``records`` that weakens a guardrail, in a stable
    order (the stack's policy first, then services by name)."""
    found: list[Weakening] = []
    if settings.max_key_lifetime_days > BASELINE_MAX_KEY_LIFETIME_DAYS:
        found.append(
            Weakening(
                "policy.max_key_lifetime_days",
                f"key-expiry accepts keys living up to {settings.max_key_lifetime_days} days "
                f"(baseline {BASELINE_MAX_KEY_LIFETIME_DAYS})",
            )
        )
    if settings.expiry_window_days < BASELINE_EXPIRY_WINDOW_DAYS:
        found.append(
            Weakening(
                "policy.expiry_window_days",
                f"key-expiring-soon warns {settings.expiry_window_days} days ahead "
                f"(baseline {BASELINE_EXPIRY_WINDOW_DAYS})",
            )
        )
    if settings.allowed_plain_names:
        found.append(
            Weakening(
                "policy.allowed_plain_names",
                "no-plain-secrets accepts plain "
                + ", ".join(sorted(allowed_names(settings.allowed_plain_names)))
                + " in every service (values still scanned)",
            )
        )
    by_service: dict[str, set[str]] = {}
    for service, names in settings.service_allowed_plain_names.items():
        by_service.setdefault(service, set()).update(allowed_names(names))
    for urn, names in component_allowances(records).items():
        by_service.setdefault(_urn_name(urn), set()).update(names)
    stack_wide = allowed_names(settings.allowed_plain_names)
    public: dict[str, str] = {}
    for record in records:
        kind = kind_of(record.type)
        if (
            kind in (Kind.FUNCTION, Kind.CONTAINER)
            and record.inputs.get("privacy") == "public"
            and public_reason_of(record.inputs.get("tags")) is not None
        ):
            service = _urn_name(record.parent) if record.parent else record.name
            public[service] = f"{kind.value} '{record.name}'"
    for service in sorted(by_service):
        # The stack's own list reaches every service's argument check; shown once, above.
        own = by_service[service] - stack_wide
        if own:
            found.append(
                Weakening(
                    f"services.{service}.allowed_plain_names",
                    "no-plain-secrets accepts plain "
                    + ", ".join(sorted(own))
                    + " (values still scanned)",
                )
            )
    for service in sorted(public):
        found.append(
            Weakening(
                f"services.{service}.public_reason",
                f"private-services is advisory for {public[service]}: anyone may call it "
                "without a key (public on purpose)",
            )
        )
    return found
