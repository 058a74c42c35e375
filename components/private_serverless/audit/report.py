"""The audit of a deployed stack: the policy findings plus checks only an audit needs.

The policy rules judge what this library creates. An audit looks at a whole existing stack,
possibly written by hand before the library existed, so it adds:

* migration steps from the legacy JWT tokens to IAM when such tokens are found.

Organization-wide scopes and missing conditions (``--require-condition``) are already reported
for every policy by the rules themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.inventory import ResourceRecord
from ..policies import (
    ADVISORY,
    MANDATORY,
    Finding,
    Kind,
    PolicySettings,
    evaluate,
    kind_of,
)
from ..policies.kinds import is_container_token
from ..policies.waivers import Waiver
from .export_reader import read_export

#: Report sections, in display order, and the rules whose findings they gather.
SECTIONS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Public functions and containers", frozenset({"private-services"})),
    ("Plain HTTP", frozenset({"https-only"})),
    ("Secrets in plain environment variables", frozenset({"no-plain-secrets"})),
    ("Legacy JWT tokens", frozenset({"no-legacy-tokens"})),
    ("API keys", frozenset({"key-expiry", "key-expiring-soon"})),
    (
        "IAM policies",
        frozenset(
            {
                "project-scoped-policies",
                "least-privilege",
                "privilege-escalation",
                "group-bypass",
                "reach-beyond-intent",
                "no-condition-bypass",
                "conditions-parse",
                "require-condition",
            }
        ),
    ),
)


@dataclass(frozen=True)
class AuditReport:
    """What an audit found in one stack export."""

    source: str
    resource_count: int
    findings: tuple[Finding, ...]
    #: Steps from legacy JWT tokens to IAM; empty when the stack has no such token.
    migration_steps: tuple[str, ...] = ()
    settings: PolicySettings = field(default_factory=PolicySettings)

    @property
    def clean(self) -> bool:
        """Whether nothing at all was found."""
        return not self.findings

    def count(self, severity: str) -> int:
        """How many findings have ``severity`` ("mandatory" or "advisory")."""
        return sum(1 for finding in self.findings if finding.severity == severity)

    def sections(self) -> Iterator[tuple[str, list[Finding]]]:
        """The non-empty report sections with their findings, in display order."""
        placed: set[int] = set()
        for title, rules in SECTIONS:
            items = [f for f in self.findings if f.rule in rules]
            placed.update(id(f) for f in items)
            if items:
                yield title, items
        others = [f for f in self.findings if id(f) not in placed]
        if others:
            yield "Other", others


def migration_steps(tokens: Sequence[ResourceRecord]) -> tuple[str, ...]:
    """How to replace the given legacy JWT tokens with IAM (empty for no token)."""
    if not tokens:
        return ()
    sets = []
    if any(not is_container_token(t.type) for t in tokens):
        sets.append("FunctionsPrivateAccess")
    if any(is_container_token(t.type) for t in tokens):
        sets.append("ContainersPrivateAccess")
    granted = " / ".join(sets)
    return (
        "1. For each caller, create an IAM application, an API key for it (with an expiry) and "
        f"a policy granting {granted} on the project; this library's PrivateFunction / "
        "PrivateContainer components create all three.",
        "2. Switch the callers from the JWT to the X-Auth-Token header carrying the API key's "
        "secret key.",
        "3. Delete the JWT token resources, which revokes them.",
        "Note: IAM grants access per project, where a JWT was scoped to one namespace or "
        "service; to keep that granularity, put services with different callers in separate "
        "projects.",
    )


def build_report(
    records: Sequence[ResourceRecord],
    settings: PolicySettings | None = None,
    now: datetime | None = None,
    source: str = "stack",
    waivers: Sequence[Waiver] = (),
) -> AuditReport:
    """Audit ``records``: the policy findings (``waivers`` marking those a team accepted),
    FullAccess grants, and migration steps."""
    settings = settings or PolicySettings()
    findings = evaluate(records, settings, now, waivers=waivers)
    tokens = [r for r in records if kind_of(r.type) is Kind.LEGACY_TOKEN]
    severity_order = {MANDATORY: 0, ADVISORY: 1}
    # Stable: within a severity, findings keep the rule order of evaluate().
    findings.sort(key=lambda f: severity_order[f.severity])
    return AuditReport(
        source=source,
        resource_count=len(records),
        findings=tuple(findings),
        migration_steps=migration_steps(tokens),
        settings=settings,
    )


def audit_export(
    path: Path, settings: PolicySettings | None = None, now: datetime | None = None
) -> AuditReport:
    """Read the ``pulumi stack export`` file at ``path`` and audit it."""
    return build_report(read_export(path), settings, now, source=str(path))
