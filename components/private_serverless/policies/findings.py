"""What a rule reports: one :class:`Finding` per problem on one resource.

A finding's message is printed by the CLI, shown by ``pulumi preview`` and written to JSON
reports, so it names variables, permission sets and inputs but never carries a value: an env var
value or a key may be the very secret the rule is complaining about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["mandatory", "advisory"]

MANDATORY: Severity = "mandatory"
ADVISORY: Severity = "advisory"


@dataclass(frozen=True)
class WaiverNote:
    """Why a finding is waived and until when (a stack's ``waivers``; policies/waivers.py)."""

    reason: str
    expires: str  # ISO date, the last day the waiver applies


@dataclass(frozen=True)
class Finding:
    """One rule broken by one resource.

    ``rule`` is the stable rule id (``private-services``...), ``urn`` the offending resource
    (for cross-resource rules, the resource the fix belongs to), ``message`` says what is wrong
    and how to fix it, without any secret or plain value.
    """

    rule: str
    severity: Severity
    urn: str
    message: str
    #: Set when a waiver covers the finding: it is then advisory, and shown as waived.
    waiver: WaiverNote | None = None

    @property
    def name(self) -> str:
        """The resource name: the last segment of the URN."""
        return self.urn.rsplit("::", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the audit's JSON output uses it); ``waiver`` only when set."""
        data = asdict(self)
        if self.waiver is None:
            del data["waiver"]
        return data

    def shown_message(self) -> str:
        """The message, with the waiver's reason and expiry when waived (CrossGuard, text)."""
        if self.waiver is None:
            return self.message
        return f"{self.message} [waived until {self.waiver.expires}: {self.waiver.reason}]"
