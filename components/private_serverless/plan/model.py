"""The offline plan: what ``pulumi up`` would send the engine for one stack.

A :class:`Plan` holds no secret: records are built from sanitised inputs (see
:mod:`private_serverless.plan.values`) and diagnostics are redacted before they get here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from ..core.inventory import ResourceRecord

if TYPE_CHECKING:
    from ..policies.access_matrix import AccessEntry
    from ..policies.capabilities import ServiceCapabilities
    from ..policies.weakening import Weakening

#: The type token of the root stack resource every program registers first.
STACK_TYPE = "pulumi:pulumi:Stack"

#: The severity of a finding that must block the change (the CLI exits 1).
MANDATORY = "mandatory"


class Finding(TypedDict):
    """One policy finding about the plan; the policy rules (another module) produce them."""

    rule: str
    severity: str
    urn: str
    message: str
    #: Set when a stack's waiver covers the finding (then advisory): its reason and expiry.
    waiver: NotRequired[WaiverShown]


class WaiverShown(TypedDict):
    """Why a finding is waived, and the last day the waiver applies (ISO date)."""

    reason: str
    expires: str


def waived_label(finding: Finding) -> str:
    """``waived until <date>: <reason>`` for a waived finding, else empty (text, Markdown)."""
    waiver = finding.get("waiver")
    return f"waived until {waiver['expires']}: {waiver['reason']}" if waiver else ""


Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Diagnostic:
    """A note, warning or error the program logged through ``pulumi.log`` (already redacted)."""

    severity: Severity
    message: str
    urn: str | None = None


@dataclass
class Plan:
    """Every registration of one run of a program, with the stack outputs.

    The root stack resource is not in ``resources`` (its outputs are ``outputs``); resources
    created at the top of the program have its URN as ``parent``, as in a stack export.

    ``resources`` come in a canonical registration order (parents and dependencies first, ties
    broken by URN): the real arrival order depends on thread scheduling, and a plan must be the
    same on every run to be diffed. ``waves`` is the number of sequential deployment waves the
    custom resources need (see :mod:`private_serverless.plan.graph`). ``findings`` is filled by
    the policy checks after the run; ``diagnostics`` is not part of the JSON format.

    A plan made as a preview (what the CLI makes) has every value a provider computes unknown
    (``[unknown]``), as ``pulumi preview`` shows it on a new stack. A plan made as a deployment
    (unit tests of a program's wiring) has made-up values instead; ``describe_invented`` then
    rewrites one quoted in free text, so that the renderers never show it as if it were real.
    """

    stack: str
    project: str
    resources: list[ResourceRecord] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    waves: int = 0
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    describe_invented: Callable[[str], str] | None = field(default=None, repr=False)
    """Rewrites a made-up value of ``resources`` found in free text (a finding's message)."""
    shown_access: list[AccessEntry] | None = field(default=None, repr=False)
    """Who can call what, kept when :meth:`as_shown` made this plan."""
    shown_capabilities: list[ServiceCapabilities] | None = field(default=None, repr=False)
    """What each service can do, kept when :meth:`as_shown` made this plan."""
    weakened: list[Weakening] = field(default_factory=list)
    """The settings that weaken a guardrail (filled with the findings; names, never values)."""
    default_project_id: str | None = field(default=None, repr=False)
    """The provider's default project as the stack configures it (``scaleway:projectId``):
    a preview leaves unknown the project of a namespace that names none."""
    archives: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    """Per function URN, the files of its archive (``<mode>:<sha256>`` by path), read from
    the archive's manifest: what a diff lists as files added, removed and changed."""
    output_sources: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    """Per stack output (dotted path), the URNs of the resources it is computed from
    (:mod:`.output_sources`): what a diff reads to tell whether the engine changes it."""
    scrub: Callable[[Any], Any] = field(default=lambda value: value, repr=False, compare=False)
    """Hides, in a value or text, every copy of the run's secrets (:mod:`.echoes`): what a
    diff applies to the base plan, which may hold one in clear. In memory only, never written."""

    def access(self) -> list[AccessEntry]:
        """Who can call what (the access matrix), project labels free of made-up values."""
        if self.shown_access is not None:
            return self.shown_access
        from ..policies.access_matrix import access_matrix

        describe = self.describe_invented or (lambda text: text)
        return [
            replace(entry, service=replace(entry.service, project=describe(entry.service.project)))
            for entry in access_matrix(self.resources, default_project_id=self.default_project_id)
        ]

    def capabilities(self) -> list[ServiceCapabilities]:
        """What each service can do (its identity's grants and calls), project labels free of
        made-up values."""
        if self.shown_capabilities is not None:
            return self.shown_capabilities
        from ..policies.capabilities import capabilities, relabel

        found = capabilities(self.resources, default_project_id=self.default_project_id)
        return relabel(found, self.describe_invented or (lambda text: text))

    def as_shown(self) -> Plan:
        """The plan a reader sees: findings and diagnostics free of made-up values."""
        if self.describe_invented is None:
            return self
        describe = self.describe_invented
        return Plan(
            stack=self.stack,
            project=self.project,
            resources=self.resources,
            outputs=self.outputs,
            waves=self.waves,
            findings=[
                Finding(**{**finding, "message": describe(finding["message"])})
                for finding in self.findings
            ],
            diagnostics=[
                Diagnostic(item.severity, describe(item.message), item.urn)
                for item in self.diagnostics
            ],
            shown_access=self.access(),
            shown_capabilities=self.capabilities(),
            weakened=self.weakened,
            default_project_id=self.default_project_id,
            archives=self.archives,
            output_sources=self.output_sources,
            scrub=self.scrub,
        )

    def by_urn(self) -> dict[str, ResourceRecord]:
        """The resources keyed by URN."""
        return {record.urn: record for record in self.resources}

    def custom_resources(self) -> Iterator[ResourceRecord]:
        """The resources a provider creates (components are only groupings)."""
        return (record for record in self.resources if record.custom)

    def children(self, parent_urn: str | None) -> list[ResourceRecord]:
        """The direct children of ``parent_urn`` (``None``: the roots), in plan order."""
        return [record for record in self.resources if record.parent == parent_urn]

    def has_mandatory_findings(self) -> bool:
        """Whether a finding must block the change."""
        return any(finding["severity"] == MANDATORY for finding in self.findings)


def short_type(type_token: str) -> str:
    """``scaleway:functions/function:Function`` → ``Function``: the readable part of a type."""
    return type_token.rsplit(":", 1)[-1]


def urn_name(urn: str) -> str:
    """The logical name at the end of a URN."""
    return urn.rsplit("::", 1)[-1]


def urn_type(urn: str) -> str:
    """The resource type of a URN (the last element of its qualified type)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""
