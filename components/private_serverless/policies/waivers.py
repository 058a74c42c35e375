"""Waivers: findings a team reviewed and accepted, each with a reason and an expiry date.

A waiver names a rule and the resource (``resource: api-container``) or the service
(``service: api``: every resource of that component) it applies to. A waived finding is still
reported, marked waived with the reason and the expiry, and no longer blocks (a mandatory one
becomes advisory). A waiver that has expired, or that matches no finding, is itself a mandatory
finding of the ``waivers`` rule: an exception nobody re-reviews, or one left behind after the
fix, must not linger. A stack's policy names rules no waiver may touch (``unwaivable_rules``);
waiving one is a configuration error, never a finding.

The same functions serve the offline plan, :func:`~private_serverless.policies.evaluate` (the
Python API) and the CrossGuard pack, which reads the waivers from the stack's configuration.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..core.inventory import ResourceRecord
from ..errors import ConfigurationError, Problem, hide_on_user_error, problems_from_validation_error
from .findings import ADVISORY, MANDATORY, Finding, WaiverNote
from .settings import PolicySettings

__tracebackhide__ = hide_on_user_error

#: The rule of the findings about waivers themselves (expired, matching nothing).
WAIVERS_RULE = "waivers"

_STACK_TYPE = "pulumi:pulumi:Stack"


class Waiver(BaseModel):
    """One reviewed exception: a rule, what it applies to, why, and until when."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    rule: Annotated[str, Field(min_length=1)]
    """The rule id (``image-digest``, ``least-privilege``...)."""

    resource: Annotated[str, Field(min_length=1)] | None = None
    """The resource the finding is on, by name (``api-container``) or URN."""

    service: Annotated[str, Field(min_length=1)] | None = None
    """The service (component name, ``api``): findings on any of its resources."""

    reason: Annotated[str, Field(max_length=500)]
    """Why the finding is accepted (who reviewed it, what makes it safe); required."""

    expires: date
    """The last day the waiver applies (``2027-01-31``); after it, it is a finding itself."""

    @field_validator("reason")
    @classmethod
    def _check_reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("required: say why the finding is accepted")
        return value.strip()

    @model_validator(mode="after")
    def _check_target(self) -> Self:
        if (self.resource is None) == (self.service is None):
            raise ValueError("name exactly one of resource (a resource name) or service")
        return self

    @property
    def target(self) -> str:
        """What the waiver applies to, as messages name it."""
        return f"resource '{self.resource}'" if self.resource else f"service '{self.service}'"

    def covers(self, finding: Finding, service: str | None) -> bool:
        """Whether this waiver applies to ``finding`` (on a resource of ``service``)."""
        if finding.rule != self.rule:
            return False
        if self.resource is not None:
            return self.resource in (finding.urn, finding.name)
        return service is not None and service == self.service


def known_rules() -> list[str]:
    """The rule ids a waiver may name (every rule but ``waivers`` itself)."""
    from .rules import RULES  # rules is the heavier module; imported where needed

    return [rule.id for rule in RULES]


def waiver_problems(
    waivers: Sequence[Waiver], settings: PolicySettings, path: str = "waivers"
) -> list[Problem]:
    """What makes a list of waivers invalid: an unknown rule, or one the policy forbids
    waiving (``policy.unwaivable_rules``; ``waivers`` itself never can be)."""
    rules = known_rules()
    problems = unwaivable_problems(settings)
    for index, waiver in enumerate(waivers):
        where = f"{path}[{index}].rule"
        if waiver.rule == WAIVERS_RULE or waiver.rule in settings.unwaivable_rules:
            problems.append(
                Problem(
                    where,
                    f"{waiver.rule} cannot be waived in this stack (policy.unwaivable_rules): "
                    "fix the finding instead",
                )
            )
        elif waiver.rule not in rules:
            close = difflib.get_close_matches(waiver.rule, rules, n=3)
            hint = (
                f"; did you mean {', '.join(close)}?" if close else f"; rules: {', '.join(rules)}"
            )
            problems.append(Problem(where, f"unknown rule{hint}"))
    return problems


def unwaivable_problems(settings: PolicySettings) -> list[Problem]:
    """Unknown rule ids in ``policy.unwaivable_rules``: a misspelt one would protect nothing."""
    rules = known_rules()
    problems = []
    for name in sorted(settings.unwaivable_rules - {*rules, WAIVERS_RULE}):
        close = difflib.get_close_matches(name, rules, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; rules: {', '.join(rules)}"
        problems.append(Problem("policy.unwaivable_rules", f"an entry is no rule id{hint}"))
    return problems


def read_waivers(value: Any, settings: PolicySettings, where: str) -> tuple[Waiver, ...]:
    """Waivers from plain data (a stack file's ``waivers`` list, JSON-like), checked; one
    :class:`ConfigurationError` naming ``where`` and every key path otherwise."""
    try:
        waivers = _WAIVER_LIST.model_validate({"waivers": value}).waivers
    except ValidationError as exc:
        raise ConfigurationError(where, problems_from_validation_error(exc)) from None
    problems = waiver_problems(waivers, settings)
    if problems:
        raise ConfigurationError(where, problems)
    return tuple(waivers)


class _WaiverList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    waivers: list[Waiver]


_WAIVER_LIST = _WaiverList


def _stack_urn(records: Iterable[ResourceRecord]) -> str:
    """The stack's own URN, built from any record's (the waivers findings are about the
    stack configuration, not one resource)."""
    for record in records:
        parts = record.urn.split("::")
        if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
            stack = parts[0].removeprefix("urn:pulumi:")
            project = parts[1]
            return f"urn:pulumi:{stack}::{project}::{_STACK_TYPE}::{project}-{stack}"
    return f"::{_STACK_TYPE}::stack"


def service_of(record: ResourceRecord | None) -> str | None:
    """The component (service) name of ``record``, if it has one."""
    parent = record.parent if record is not None else None
    if not parent or f"::{_STACK_TYPE}::" in parent:
        return None
    return parent.rsplit("::", 1)[-1]


def waive(finding: Finding, service: str | None, waivers: Sequence[Waiver], today: date) -> Finding:
    """``finding`` marked waived (advisory) by the first current waiver covering it, if any."""
    for waiver in waivers:
        if waiver.expires >= today and waiver.covers(finding, service):
            note = WaiverNote(reason=waiver.reason, expires=waiver.expires.isoformat())
            return replace(finding, severity=ADVISORY, waiver=note)
    return finding


def apply_waivers(
    findings: Sequence[Finding],
    records: Sequence[ResourceRecord],
    waivers: Sequence[Waiver],
    today: date,
) -> list[Finding]:
    """``findings`` with each one a current waiver covers marked waived (a mandatory one
    becomes advisory), then a ``waivers`` finding per expired waiver and per waiver that
    matches nothing. A waiver is current through its ``expires`` day."""
    by_urn = {record.urn: record for record in records}
    used: set[int] = set()
    expired_hits: dict[int, list[Finding]] = {}
    result = []
    for finding in findings:
        service = service_of(by_urn.get(finding.urn))
        for index, waiver in enumerate(waivers):
            if waiver.covers(finding, service):
                if waiver.expires >= today:
                    used.add(index)
                else:
                    expired_hits.setdefault(index, []).append(finding)
        result.append(waive(finding, service, waivers, today))
    stack_urn = _stack_urn(records)
    for index, waiver in enumerate(waivers):
        label = f"waiver #{index + 1} ({waiver.rule} on {waiver.target})"
        if waiver.expires < today:
            hits = expired_hits.get(index, [])
            urn = hits[0].urn if hits else stack_urn
            result.append(
                Finding(
                    WAIVERS_RULE,
                    MANDATORY,
                    urn,
                    f"{label} expired on {waiver.expires.isoformat()}"
                    + (f" and no longer waives {len(hits)} finding(s)" if hits else "")
                    + ": review it, then fix the finding or renew the waiver with a new expires.",
                )
            )
        elif index not in used:
            result.append(
                Finding(
                    WAIVERS_RULE,
                    MANDATORY,
                    stack_urn,
                    f"{label} matches no finding: remove it (was the finding fixed, or is the "
                    "rule or the resource name misspelt?).",
                )
            )
    return result


def waivers_from_config(
    config: Mapping[str, Any], settings: PolicySettings, where: str
) -> tuple[Waiver, ...]:
    """The ``waivers`` of a stack's configuration mapping (its value already parsed), or none."""
    value = config.get("waivers")
    return () if value is None else read_waivers(value, settings, where)


__all__ = [
    "WAIVERS_RULE",
    "Waiver",
    "apply_waivers",
    "read_waivers",
    "service_of",
    "unwaivable_problems",
    "waive",
    "waiver_problems",
    "waivers_from_config",
]
