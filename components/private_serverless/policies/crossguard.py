"""Adapters from the rules to Pulumi CrossGuard (``pulumi_policy``) policies.

This is the only module importing ``pulumi_policy``: the offline plan and the audit evaluate
the same rules without it. Resource rules become ``ResourceValidationPolicy`` objects judging
the inputs of one resource; stack rules (least privilege, condition bypass) become
``StackValidationPolicy`` objects judging every resource of the stack together.

``pulumi_policy`` hands values the engine does not know yet (preview) as proxies that raise
on access; they are converted to :data:`~private_serverless.policies.rules.UNKNOWN` so that
the rules can skip them instead of failing the whole policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import proxy as _proxy
from pydantic import ValidationError

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..errors import ConfigurationError
from .engine import evaluate
from .findings import ADVISORY, Finding
from .kinds import Kind, kind_of
from .rules import RULES, RULES_BY_ID, UNKNOWN, Context, Rule, default_now
from .settings import PolicySettings
from .waivers import WAIVERS_RULE, Waiver, apply_waivers, read_waivers, service_of, waive

_UNKNOWN_SENTINELS = frozenset(
    {
        _proxy.UNKNOWN_BOOLEAN_VALUE,
        _proxy.UNKNOWN_NUMBER_VALUE,
        _proxy.UNKNOWN_STRING_VALUE,
        _proxy.UNKNOWN_ARRAY_VALUE,
        _proxy.UNKNOWN_ASSET_VALUE,
        _proxy.UNKNOWN_ARCHIVE_VALUE,
        _proxy.UNKNOWN_OBJECT_VALUE,
    }
)

#: Per-policy configuration the pack accepts (``pulumi preview --policy-pack-config``).
CONFIG_SCHEMAS: Mapping[str, PolicyConfigSchema] = {
    "key-expiry": PolicyConfigSchema(
        properties={
            "maxKeyLifetimeDays": {
                "type": "integer",
                "minimum": 1,
                "default": PolicySettings().max_key_lifetime_days,
                "description": "An API key must expire at most this many days from now.",
            }
        }
    ),
    "no-plain-secrets": PolicyConfigSchema(
        properties={
            "allowedPlainNames": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": (
                    "Plain env var names accepted although they look like a credential's (the"
                    " stack's policy.allowed_plain_names); never a credential beyond doubt."
                ),
            },
            "serviceAllowedPlainNames": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "default": {},
                "description": (
                    "The same per service, by component name (services.<name>.allowed_plain_names)."
                ),
            },
            "secretNamePatterns": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "More credential name patterns; they add to the built-in names.",
            },
        }
    ),
    "require-condition": PolicyConfigSchema(
        properties={
            "requireCondition": {
                "type": "boolean",
                "default": PolicySettings().require_condition,
                "description": "Refuse every IAM policy rule without a restricting CEL condition.",
            }
        }
    ),
}


def _get(container: Any, key: Any) -> Any:
    """``container[key]``, or UNKNOWN when pulumi_policy says the value is not known yet."""
    try:
        return container[key]
    except _proxy.UnknownValueError:
        return UNKNOWN


def plain(value: Any) -> Any:
    """A copy of ``value`` made of dicts, lists and scalars, unknowns and secrets replaced.

    Secrets keep no value: a rule must never be able to print one.
    """
    if isinstance(value, Secret):
        return SECRET_PLACEHOLDER
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        return {str(key): plain(_get(value, key)) for key in value}
    if isinstance(value, Sequence):
        return [plain(_get(value, index)) for index in range(len(value))]
    return value


def record_from_resource_args(args: ResourceValidationArgs) -> ResourceRecord:
    """The record a resource rule judges, from a resource validation's arguments (its parent
    too, when the engine gives it: the service a finding is on, for a waiver or a per-service
    allow-list)."""
    parent = getattr(getattr(args, "opts", None), "parent", None)
    return ResourceRecord(
        urn=args.urn,
        type=args.resource_type,
        name=args.name,
        parent=parent if isinstance(parent, str) and parent else None,
        inputs=plain(args.props),
    )


def record_from_policy_resource(resource: PolicyResource) -> ResourceRecord:
    """The record a stack rule judges, from one resource of a stack validation.

    During a preview the ``applicationId`` of a policy whose application is created in the same
    update is unknown; it is replaced by the application's URN (taken from the property's
    dependencies), so that two policies for the same new application still match each other.
    """
    inputs = plain(resource.props)
    if kind_of(resource.resource_type) is Kind.POLICY and inputs.get("applicationId") == UNKNOWN:
        sources = resource.property_dependencies.get("applicationId") or []
        if sources:
            inputs["applicationId"] = sources[0].urn
    parent = resource.parent.urn if resource.parent is not None else None
    return ResourceRecord(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        parent=parent,
        inputs=inputs,
        dependencies=tuple(dep.urn for dep in resource.dependencies),
    )


class PackStack:
    """What the pack knows of the stack it judges: the stack's ``policy`` (the base of every
    policy's settings) and ``waivers``, read from the stack's configuration.

    The engine hands the analyzer the stack's configuration when the preview starts
    (``ConfigureStack``); :func:`listen_for_stack_config` passes it to :meth:`configure`. A
    ``policy`` or ``waivers`` the pack cannot read is reported by the ``waivers`` policy,
    never ignored: a pack that silently dropped a stack's guardrails would pass what the plan
    refuses.
    """

    def __init__(self) -> None:
        self.settings: PolicySettings | None = None
        self.waivers: tuple[Waiver, ...] = ()
        self.problems: tuple[str, ...] = ()

    def configure(self, config: Mapping[str, str], project: str) -> None:
        """Read ``<project>:policy`` and ``<project>:waivers`` (JSON text, as the engine
        passes object values) from the stack's configuration."""
        problems: list[str] = []
        settings: PolicySettings | None = None
        waivers: tuple[Waiver, ...] = ()
        raw_policy = config.get(f"{project}:policy")
        if raw_policy is not None:
            try:
                settings = PolicySettings.model_validate(json.loads(raw_policy))
            except (ValueError, ValidationError):
                problems.append(f"{project}:policy is not a valid policy mapping")
        raw_waivers = config.get(f"{project}:waivers")
        if raw_waivers is not None:
            try:
                waivers = read_waivers(
                    json.loads(raw_waivers), settings or PolicySettings(), f"{project}:waivers"
                )
            except ConfigurationError as exc:
                problems.append(str(exc))
            except ValueError:  # not JSON
                problems.append(f"{project}:waivers is not a list of waivers")
        self.settings, self.waivers, self.problems = settings, waivers, tuple(problems)


def listen_for_stack_config(stack: PackStack) -> None:
    """Have the analyzer hand the stack's configuration to ``stack`` when a preview starts.

    pulumi_policy's analyzer keeps only the stack's tags from ``ConfigureStack``; its request
    also carries the configuration (``config``, ``project``), which this wraps the method to
    read. Call it once, before building the ``PolicyPack`` (policy/__main__.py does).
    """
    from pulumi_policy import policy as _policy_module

    servicer: Any = _policy_module._PolicyAnalyzerServicer
    original = servicer.ConfigureStack

    def configure_stack(self: Any, request: Any, context: Any) -> Any:
        stack.configure(dict(request.config), str(request.project))
        return original(self, request, context)

    servicer.ConfigureStack = configure_stack


def _settings(config: Mapping[str, Any], base: PolicySettings) -> PolicySettings:
    return PolicySettings.from_pack_config(config, base)


Clock = Callable[[], datetime]


def _base(stack: PackStack, base: PolicySettings) -> PolicySettings:
    return stack.settings if stack.settings is not None else base


def _resource_validation(rule: Rule, base: PolicySettings, clock: Clock, stack: PackStack) -> Any:
    check = rule.resource_check
    assert check is not None

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings(args.get_config(), _base(stack, base))
        if not rule.enabled(settings):
            return
        now = clock()
        ctx = Context(settings=settings, now=now)
        record = record_from_resource_args(args)
        for found in check(record, ctx):
            finding = waive(found, service_of(record), stack.waivers, now.date())
            if finding.severity == rule.severity:  # the others: accepted-findings
                report_violation(finding.shown_message(), finding.urn)

    return validate


def _stack_validation(rule: Rule, base: PolicySettings, clock: Clock, stack: PackStack) -> Any:
    check = rule.stack_check
    assert check is not None

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings(args.get_config(), _base(stack, base))
        if not rule.enabled(settings):
            return
        now = clock()
        ctx = Context(settings=settings, now=now)
        records = [record_from_policy_resource(resource) for resource in args.resources]
        by_urn = {record.urn: record for record in records}
        for found in check(records, ctx):
            service = service_of(by_urn.get(found.urn))
            finding = waive(found, service, stack.waivers, now.date())
            if finding.severity == rule.severity:  # the others: accepted-findings
                report_violation(finding.shown_message(), finding.urn)

    return validate


def _all_findings(
    records: list[ResourceRecord], settings: PolicySettings, now: datetime, stack: PackStack
) -> list[Finding]:
    """Every rule's findings on the stack's records, waivers applied (as the plan has them)."""
    return apply_waivers(evaluate(records, settings, now), records, stack.waivers, now.date())


#: The pack's policy for the findings a stack accepts on purpose, reported as advisory.
ACCEPTED_FINDINGS = "accepted-findings"


def _accepted_validation(base: PolicySettings, clock: Clock, stack: PackStack) -> Any:
    """Findings of a mandatory rule that the stack accepts (a public service's public_reason,
    a waiver): a policy's enforcement level is fixed, so they are reported here, advisory,
    under their rule's id, as the offline plan shows them."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        records = [record_from_policy_resource(resource) for resource in args.resources]
        settings = _settings(args.get_config(), _base(stack, base))
        for finding in _all_findings(records, settings, clock(), stack):
            rule = RULES_BY_ID.get(finding.rule)
            if rule is not None and rule.severity != ADVISORY and finding.severity == ADVISORY:
                report_violation(f"{finding.rule}: {finding.shown_message()}", finding.urn)

    return validate


def _waivers_validation(base: PolicySettings, clock: Clock, stack: PackStack) -> Any:
    """The stack's waivers themselves: expired, matching nothing, or unreadable."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for problem in stack.problems:
            report_violation(f"stack configuration: {problem}", None)
        if not stack.waivers:
            return
        records = [record_from_policy_resource(resource) for resource in args.resources]
        settings = _settings(args.get_config(), _base(stack, base))
        for finding in _all_findings(records, settings, clock(), stack):
            if finding.rule == WAIVERS_RULE:
                report_violation(finding.message, finding.urn)

    return validate


def build_policy(
    rule: Rule,
    base: PolicySettings | None = None,
    clock: Clock = default_now,
    stack: PackStack | None = None,
) -> Any:
    """The CrossGuard policy of one rule, named by the rule id.

    ``base`` gives the settings the pack starts from, unless ``stack`` has the stack's own
    ``policy``; each policy's config overrides them. ``stack``'s waivers mark the findings
    they cover (a waived mandatory finding goes to ``accepted-findings``). ``clock`` tells
    key-expiry and the waivers the time (tests pin it). Advisory rules get an advisory
    enforcement level; mandatory ones inherit the pack's.
    """
    settings = base or PolicySettings()
    known = stack or PackStack()
    advisory = rule.severity == ADVISORY
    common: dict[str, Any] = {
        "name": rule.id,
        "description": rule.description,
        "enforcement_level": EnforcementLevel.ADVISORY if advisory else None,
        "config_schema": CONFIG_SCHEMAS.get(rule.id),
        "severity": Severity.LOW if advisory else Severity.HIGH,
    }
    if rule.resource_check is not None:
        validate = _resource_validation(rule, settings, clock, known)
        return ResourceValidationPolicy(validate=validate, **common)
    validate = _stack_validation(rule, settings, clock, known)
    return StackValidationPolicy(validate=validate, **common)


def build_policies(
    base: PolicySettings | None = None,
    clock: Clock = default_now,
    stack: PackStack | None = None,
) -> list[Any]:
    """One CrossGuard policy per rule, in rule order, then ``accepted-findings`` (advisory)
    and ``waivers`` (mandatory): pass them to ``PolicyPack``.

    ``stack`` is what the pack learns of the stack (its ``policy`` and ``waivers``); pass the
    same object to :func:`listen_for_stack_config`.
    """
    settings = base or PolicySettings()
    known = stack or PackStack()
    accepted = StackValidationPolicy(
        name=ACCEPTED_FINDINGS,
        description="Findings the stack accepts on purpose (a public service's public_reason, "
        "a waiver with its reason and expiry), shown as advisory under their rule's id.",
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        validate=_accepted_validation(settings, clock, known),
    )
    waivers = StackValidationPolicy(
        name=WAIVERS_RULE,
        description="Every waiver of the stack is current and matches a finding.",
        severity=Severity.HIGH,
        validate=_waivers_validation(settings, clock, known),
    )
    return [*(build_policy(rule, base, clock, known) for rule in RULES), accepted, waivers]
