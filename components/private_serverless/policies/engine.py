"""Run every rule over a set of records: the entry point of the plan and the audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ..core.inventory import ResourceRecord
from ..errors import ConfigurationError, hide_on_user_error
from .findings import Finding
from .rules import RULES, Context, default_now
from .settings import PolicySettings
from .waivers import Waiver, apply_waivers, waiver_problems
from .weakening import component_allowances

__tracebackhide__ = hide_on_user_error

_DEFAULT_SETTINGS = PolicySettings()


def evaluate(
    resources: Sequence[ResourceRecord],
    settings: PolicySettings = _DEFAULT_SETTINGS,
    now: datetime | None = None,
    *,
    default_project_id: str | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> list[Finding]:
    """All findings of the rules on ``resources``, in rule order then resource order.

    ``now`` defaults to the current time; pass one to make key-expiry results reproducible.
    ``default_project_id`` is the stack's ``scaleway:projectId``, when known (see
    :func:`~private_serverless.policies.access_matrix.access_matrix`).

    ``waivers`` (see :mod:`~private_serverless.policies.waivers`) mark the findings they cover
    waived, and add a ``waivers`` finding per expired waiver or waiver matching nothing;
    ``today`` (default: ``now``'s date) decides which have expired. A waiver of a rule the
    settings make unwaivable raises :class:`ConfigurationError` naming the rule.
    """
    problems = waiver_problems(waivers, settings)
    if problems:
        raise ConfigurationError("waivers", problems)
    ctx = Context(
        settings=settings,
        now=now if now is not None else default_now(),
        default_project_id=default_project_id,
        allowances=component_allowances(resources),
    )
    findings: list[Finding] = []
    for rule in RULES:
        if not rule.enabled(settings):
            continue
        if rule.resource_check is not None:
            for record in resources:
                findings.extend(rule.resource_check(record, ctx))
        if rule.stack_check is not None:
            findings.extend(rule.stack_check(resources, ctx))
    if not waivers:
        return findings
    return apply_waivers(findings, resources, waivers, today or ctx.now.date())
