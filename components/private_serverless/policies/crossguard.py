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

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from .findings import ADVISORY
from .kinds import Kind, kind_of
from .rules import RULES, UNKNOWN, Context, Rule, default_now
from .settings import PolicySettings

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
    """The record a resource rule judges, from a resource validation's arguments."""
    # The parent tells which service a function belongs to (its per-service allow-list).
    parent = getattr(getattr(args, "opts", None), "parent", None)
    return ResourceRecord(
        urn=args.urn,
        type=args.resource_type,
        name=args.name,
        parent=parent or None,
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


def _settings(config: Mapping[str, Any], base: PolicySettings) -> PolicySettings:
    return PolicySettings.from_pack_config(config, base)


Clock = Callable[[], datetime]


def _resource_validation(rule: Rule, base: PolicySettings, clock: Clock) -> Any:
    check = rule.resource_check
    assert check is not None

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings(args.get_config(), base)
        if not rule.enabled(settings):
            return
        ctx = Context(settings=settings, now=clock())
        for finding in check(record_from_resource_args(args), ctx):
            if finding.severity == rule.severity:  # the others: accepted-findings
                report_violation(finding.message, finding.urn)

    return validate


def _stack_validation(rule: Rule, base: PolicySettings, clock: Clock) -> Any:
    check = rule.stack_check
    assert check is not None

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings(args.get_config(), base)
        if not rule.enabled(settings):
            return
        ctx = Context(settings=settings, now=clock())
        records = [record_from_policy_resource(resource) for resource in args.resources]
        for finding in check(records, ctx):
            if finding.severity == rule.severity:  # the others: accepted-findings
                report_violation(finding.message, finding.urn)

    return validate


#: The pack's policy for the findings a stack accepts on purpose, reported as advisory.
ACCEPTED_FINDINGS = "accepted-findings"


def _accepted_validation(base: PolicySettings, clock: Clock) -> Any:
    """Findings of a mandatory rule that a stack accepts (a public service's public_reason):
    a policy's enforcement level is fixed, so they are reported here, advisory, under their
    rule's id, as the offline plan shows them."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        records = [record_from_policy_resource(resource) for resource in args.resources]
        settings = _settings(args.get_config(), base)
        ctx = Context(settings=settings, now=clock())
        for rule in RULES:
            if rule.severity == ADVISORY or not rule.enabled(settings):
                continue
            found = (
                [f for record in records for f in rule.resource_check(record, ctx)]
                if rule.resource_check is not None
                else list(rule.stack_check(records, ctx))
                if rule.stack_check is not None
                else []
            )
            for finding in found:
                if finding.severity == ADVISORY:
                    report_violation(f"{finding.rule}: {finding.message}", finding.urn)

    return validate


def build_policy(rule: Rule, base: PolicySettings | None = None, clock: Clock = default_now) -> Any:
    """The CrossGuard policy of one rule, named by the rule id.

    ``base`` gives the settings the pack starts from; each policy's config overrides them.
    ``clock`` tells key-expiry the time (tests pin it). Advisory rules get an advisory
    enforcement level; mandatory ones inherit the pack's.
    """
    settings = base or PolicySettings()
    advisory = rule.severity == ADVISORY
    common: dict[str, Any] = {
        "name": rule.id,
        "description": rule.description,
        "enforcement_level": EnforcementLevel.ADVISORY if advisory else None,
        "config_schema": CONFIG_SCHEMAS.get(rule.id),
        "severity": Severity.LOW if advisory else Severity.HIGH,
    }
    if rule.resource_check is not None:
        validate = _resource_validation(rule, settings, clock)
        return ResourceValidationPolicy(validate=validate, **common)
    return StackValidationPolicy(validate=_stack_validation(rule, settings, clock), **common)


def build_policies(base: PolicySettings | None = None, clock: Clock = default_now) -> list[Any]:
    """One CrossGuard policy per rule, in rule order, then ``accepted-findings`` (advisory):
    pass them to ``PolicyPack``."""
    settings = base or PolicySettings()
    accepted = StackValidationPolicy(
        name=ACCEPTED_FINDINGS,
        description="Findings the stack accepts on purpose (a public service's public_reason), "
        "shown as advisory under their rule's id.",
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        validate=_accepted_validation(settings, clock),
    )
    return [*(build_policy(rule, base, clock) for rule in RULES), accepted]
