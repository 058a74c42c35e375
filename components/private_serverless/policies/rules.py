"""The security rules: plain functions over :class:`~private_serverless.inventory.ResourceRecord`.

Each rule has a stable id (used in findings, in the CrossGuard pack and in audit reports) and is
either a *resource* rule, judging one record alone, or a *stack* rule, judging the records
together (least privilege needs the stack's applications; a condition can only be bypassed by
another policy). The same functions run in the offline plan, in CrossGuard and in the audit;
the adapters only turn their inputs into records.

Values the engine cannot know yet (during ``pulumi preview``) arrive as :data:`UNKNOWN`; rules
skip them rather than guess, because the engine runs the policies again with real values
before it changes anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..access.permission_sets import ORGANIZATION, PERMISSION_SETS, narrower_sets
from ..access.public_access import public_reason_of
from ..access.workload_identity import GRANTS_TAG_PREFIX
from ..conditions import ConditionError, validate_condition
from ..conditions.validation import USER_AGENT_ONLY
from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..sensitive.names import name_looks_secret
from ..sensitive.values import secret_values
from .access_matrix import Grant, grants, stored_keys
from .access_rules import escalation_grants, group_bypass, is_escalation_set, reach_beyond_intent
from .findings import ADVISORY, MANDATORY, Finding, Severity
from .kinds import Kind, kind_of
from .plain_settings import redacted_settings, setting_hits
from .settings import PolicySettings
from .weakening import allowed_plain_names_for, component_allowances

#: Stand-in for a value the engine does not know yet (an output of a resource to be created).
UNKNOWN = "[unknown]"

#: The only permission sets an application calling private services needs.
PRIVATE_ACCESS_SETS = frozenset({"FunctionsPrivateAccess", "ContainersPrivateAccess"})

_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Context:
    """What every rule may consult besides the records: the settings, the current time and
    the provider's default project as the stack configures it (``scaleway:projectId``)."""

    settings: PolicySettings
    now: datetime
    default_project_id: str | None = None
    allowances: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The plain names each service component recorded as allowed, by component URN."""


ResourceCheck = Callable[[ResourceRecord, Context], Iterator[Finding]]
StackCheck = Callable[[Sequence[ResourceRecord], Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A rule: its id, severity, one-line description and exactly one check."""

    id: str
    severity: Severity
    description: str
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None

    def enabled(self, settings: PolicySettings) -> bool:
        """Whether the settings ask for this rule (only ``require-condition`` is optional)."""
        return self.id != "require-condition" or settings.require_condition


def is_unknown(value: object) -> bool:
    """Whether ``value`` is not known yet (preview)."""
    return isinstance(value, str) and value == UNKNOWN


def _finding(
    rule: str, record: ResourceRecord, message: str, severity: Severity = MANDATORY
) -> Finding:
    return Finding(rule=rule, severity=severity, urn=record.urn, message=message)


def _label(record: ResourceRecord) -> str:
    kind = kind_of(record.type)
    what = kind.value if kind is not None else record.type
    return f"{what} '{record.name}'"


def _policy_rules(record: ResourceRecord) -> list[Mapping[str, Any]]:
    """The rules of an IAM policy record, skipping anything not shaped like a rule."""
    rules = record.inputs.get("rules")
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        return []
    return [rule if isinstance(rule, Mapping) else {} for rule in rules]


def _str_list(value: object) -> list[str]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [item for item in value if isinstance(item, str)]
    return []


def _condition(rule: Mapping[str, Any]) -> str | None:
    """The rule's condition, or None when it has none (a blank string counts as none)."""
    condition = rule.get("condition")
    if isinstance(condition, str) and condition.strip():
        return condition
    return None


# --- resource rules -------------------------------------------------------------------------


def public_reason(record: ResourceRecord) -> str | None:
    """Why a public function or container is public on purpose (its reason tag), if it is."""
    if kind_of(record.type) not in (Kind.FUNCTION, Kind.CONTAINER):
        return None
    if record.inputs.get("privacy") != "public":
        return None
    return public_reason_of(record.inputs.get("tags"))


def check_private_services(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """Functions and containers must be private; an unset container privacy means public.

    A service public on purpose (a reason given with ``public_reason``) is an advisory finding
    that shows the reason, unless the stack's policy forbids public services."""
    kind = kind_of(record.type)
    if kind not in (Kind.FUNCTION, Kind.CONTAINER):
        return
    privacy = record.inputs.get("privacy")
    if is_unknown(privacy) or privacy == "private":
        return
    reason = public_reason(record)
    if reason is not None:
        if ctx.settings.forbid_public_services or ctx.settings.forbid_weakening:
            # A public_reason weakens private-services: forbid_weakening forbids it too.
            setting = (
                "forbid_public_services"
                if ctx.settings.forbid_public_services
                else "forbid_weakening"
            )
            yield _finding(
                "private-services",
                record,
                f"{_label(record)} is public on purpose ({reason}), but the stack's policy "
                f"forbids public services ({setting}): make it private, or plan it "
                "in a stack that allows public services.",
            )
            return
        yield _finding(
            "private-services",
            record,
            f"{_label(record)} is public on purpose: {reason}. Anyone may call it without a "
            "key; keep what it does to what the public may do.",
            ADVISORY,
        )
        return
    if privacy is None and kind is Kind.CONTAINER:
        state = "has no privacy set, and the provider makes such containers public"
    elif privacy is None:
        state = "has no privacy set"
    else:
        state = f"is {privacy!s}"
    yield _finding(
        "private-services",
        record,
        f"{_label(record)} {state}: set privacy to 'private' and grant callers access with an "
        "IAM application, API key and policy (or, public on purpose, give a public_reason).",
    )


def check_no_plain_secrets(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """No secret-looking names or values in plain ``environmentVariables``, nor credentials in
    the other settings kept in clear: what a cron sends, a container's command line and probe
    paths."""
    allowed = allowed_plain_names_for(record, ctx.settings, ctx.allowances)
    for hit in setting_hits(record, allowed):
        yield _finding(
            "no-plain-secrets",
            record,
            f"{_label(record)}: {hit.place} holds what looks like a {hit.kind}; "
            f"{hit.what} stored in clear and shown in the plan: {hit.fix}"
            + (
                " (or name a key that only looks like a credential's in allowed_plain_names)."
                if hit.releasable
                else "."
            ),
        )
    if kind_of(record.type) not in (Kind.FUNCTION, Kind.CONTAINER, Kind.NAMESPACE):
        return
    variables = record.inputs.get("environmentVariables")
    if not isinstance(variables, Mapping):
        return
    plain = {str(name): value for name, value in variables.items()}
    by_value = secret_values(plain)
    settings = ctx.settings
    allowed = allowed_plain_names_for(record, settings, ctx.allowances)
    for name in sorted(plain):
        pattern = name_looks_secret(name, settings.secret_name_patterns, allowed)
        if pattern is not None:
            why = f"has a secret-looking name ({pattern})"
        elif name in by_value:
            # Only the kind of match is named: the value itself may be the secret.
            why = f"holds what looks like a {by_value[name]}"
        else:
            continue
        yield _finding(
            "no-plain-secrets",
            record,
            f"{_label(record)}: plain environment variable '{name}' {why}; plain variables are "
            "readable with the resource's configuration, move it to secretEnvironmentVariables.",
        )


def _flagged_variables(
    record: ResourceRecord, settings: PolicySettings, allowances: Mapping[str, frozenset[str]]
) -> list[str]:
    """Names of the plain variables of ``record`` that no-plain-secrets calls secret."""
    if kind_of(record.type) not in (Kind.FUNCTION, Kind.CONTAINER, Kind.NAMESPACE):
        return []
    variables = record.inputs.get("environmentVariables")
    if not isinstance(variables, Mapping):
        return []
    plain = {str(name): value for name, value in variables.items()}
    by_value = secret_values(plain)
    allowed = allowed_plain_names_for(record, settings, allowances)
    return [
        name
        for name in plain
        if name in by_value or name_looks_secret(name, settings.secret_name_patterns, allowed)
    ]


def redact_plain_secrets(
    records: Sequence[ResourceRecord], settings: PolicySettings
) -> list[ResourceRecord]:
    """``records`` with every plain variable the rule calls secret shown as ``[secret]``, and
    every cron document it flags.

    A plan is printed (pull requests, CI logs): a value a rule has just called a secret must not
    be printed with it. Run the rules first, on the real values, then this.
    """
    redacted = []
    allowances = component_allowances(records)
    for record in records:
        allowed = allowed_plain_names_for(record, settings, allowances)
        slots = [hit.slot for hit in setting_hits(record, allowed)]
        names = _flagged_variables(record, settings, allowances)
        if not names and not slots:
            redacted.append(record)
            continue
        inputs = redacted_settings(record.inputs, slots)
        if names:
            variables = dict(record.inputs["environmentVariables"])
            variables.update(dict.fromkeys(names, SECRET_PLACEHOLDER))
            inputs["environmentVariables"] = variables
        redacted.append(replace(record, inputs=inputs))
    return redacted


def check_https_only(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """Functions and containers must refuse plain HTTP (redirect it to HTTPS).

    What it protects is the callers' X-Auth-Token: a service public on purpose is called
    without one, so plain HTTP there is advisory (its users' traffic is still readable)."""
    kind = kind_of(record.type)
    if public_reason(record) is not None:
        yield from _public_plain_http(record)
        return
    if kind is Kind.FUNCTION:
        # Functions only have httpOption; unset means "enabled" (plain HTTP served).
        option = record.inputs.get("httpOption")
        if option == "redirected" or is_unknown(option):
            return
        yield _finding(
            "https-only",
            record,
            f"{_label(record)} accepts plain HTTP, which would carry the X-Auth-Token header in "
            "clear: set httpOption to 'redirected'.",
        )
        return
    if kind is not Kind.CONTAINER:
        return
    https_only = record.inputs.get("httpsConnectionsOnly")
    # httpOption is the deprecated spelling of the same switch; "redirected" is equally safe.
    http_option = record.inputs.get("httpOption")
    if https_only is True or http_option == "redirected":
        return
    if is_unknown(https_only) or is_unknown(http_option):
        return
    yield _finding(
        "https-only",
        record,
        f"{_label(record)} accepts plain HTTP, which would carry the X-Auth-Token header in "
        "clear: set httpsConnectionsOnly to true.",
    )


def _accepts_plain_http(record: ResourceRecord) -> bool:
    if kind_of(record.type) is Kind.FUNCTION:
        option = record.inputs.get("httpOption")
        return option != "redirected" and not is_unknown(option)
    https_only = record.inputs.get("httpsConnectionsOnly")
    http_option = record.inputs.get("httpOption")
    if https_only is True or http_option == "redirected":
        return False
    return not (is_unknown(https_only) or is_unknown(http_option))


def _public_plain_http(record: ResourceRecord) -> Iterator[Finding]:
    if not _accepts_plain_http(record):
        return
    yield _finding(
        "https-only",
        record,
        f"{_label(record)} is public and accepts plain HTTP: no key of its callers travels "
        "in clear, but what its users send and receive does; redirect HTTP to HTTPS "
        "(https_only) unless a client cannot use HTTPS.",
        ADVISORY,
    )


def _parse_instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    # A date without an offset is read as UTC, as Scaleway does.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def check_key_expiry(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """Every API key expires, at most ``max_key_lifetime_days`` from now."""
    if kind_of(record.type) is not Kind.API_KEY:
        return
    limit = ctx.settings.max_key_lifetime_days
    expires_at = record.inputs.get("expiresAt")
    if is_unknown(expires_at):
        return
    if not isinstance(expires_at, str) or not expires_at.strip():
        yield _finding(
            "key-expiry",
            record,
            f"{_label(record)} never expires: set expiresAt at most {limit} days ahead so that "
            "a leaked key stops working.",
        )
        return
    instant = _parse_instant(expires_at)
    if instant is None:
        yield _finding(
            "key-expiry",
            record,
            f"{_label(record)}: expiresAt '{expires_at}' is not an ISO-8601 date and time.",
        )
        return
    now = ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=UTC)
    if instant <= now:
        ago = (now - instant).days
        when = "today" if ago == 0 else f"{ago} day{'s' if ago != 1 else ''} ago"
        yield _finding(
            "key-expiry",
            record,
            f"{_label(record)} expired {when} ({expires_at}): its callers are refused; rotate "
            "it (raise key_generation) and hand the new key to the callers.",
        )
        return
    if instant - now > timedelta(days=limit):
        days = (instant - now).days
        yield _finding(
            "key-expiry",
            record,
            f"{_label(record)} expires in {days} days ({expires_at}), more than the {limit} "
            "allowed: shorten expiresAt and rotate the key.",
        )


def check_key_expiring_soon(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """(Advisory) API keys that expire within ``expiry_window_days``: rotate them in time."""
    if kind_of(record.type) is not Kind.API_KEY:
        return
    expires_at = record.inputs.get("expiresAt")
    if not isinstance(expires_at, str) or is_unknown(expires_at):
        return
    instant = _parse_instant(expires_at)
    now = ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=UTC)
    window = timedelta(days=ctx.settings.expiry_window_days)
    if instant is None or instant <= now or instant - now > window:
        return  # invalid or already expired: key-expiry reports it
    days = math.ceil((instant - now) / timedelta(days=1))  # 1 day 23 h left: "in 2 days"
    when = f"in {days} day{'s' if days != 1 else ''}"
    yield _finding(
        "key-expiring-soon",
        record,
        f"{_label(record)} expires {when} ({expires_at}), within the "
        f"{ctx.settings.expiry_window_days}-day window: rotate it (raise key_generation) before "
        "its callers are refused.",
        ADVISORY,
    )


def check_project_scoped(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """Policy rules name projects and never the whole organization."""
    if kind_of(record.type) is not Kind.POLICY:
        return
    for index, rule in enumerate(_policy_rules(record), start=1):
        sets = _str_list(rule.get("permissionSetNames"))
        if sets and all(
            name in PERMISSION_SETS and PERMISSION_SETS[name].scope == ORGANIZATION for name in sets
        ):
            continue  # organization-scoped sets are granted on the organization, or not at all
        if rule.get("organizationId"):
            yield _finding(
                "project-scoped-policies",
                record,
                f"{_label(record)} rule #{index} is organization-wide (organizationId): it "
                "grants its permission sets in every project; name projectIds instead.",
            )
        elif not is_unknown(rule.get("projectIds")) and not _str_list(rule.get("projectIds")):
            yield _finding(
                "project-scoped-policies",
                record,
                f"{_label(record)} rule #{index} names no projectIds: scope it to the projects "
                "of the services it grants access to.",
            )


def check_conditions_parse(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """Every condition of a policy rule is valid CEL that Scaleway IAM accepts."""
    if kind_of(record.type) is not Kind.POLICY:
        return
    for index, rule in enumerate(_policy_rules(record), start=1):
        condition = rule.get("condition")
        if not isinstance(condition, str) or is_unknown(condition):
            continue
        try:
            validate_condition(condition)
        except ConditionError as exc:
            yield _finding(
                "conditions-parse",
                record,
                f"{_label(record)} rule #{index} has an invalid condition: {exc}",
            )


def check_no_legacy_tokens(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """No deprecated JWT token resources: IAM API keys replace them."""
    if kind_of(record.type) is not Kind.LEGACY_TOKEN:
        return
    yield _finding(
        "no-legacy-tokens",
        record,
        f"legacy JWT token '{record.name}' ({record.type}) is deprecated: grant access with an "
        "IAM application, API key and policy, switch callers to the X-Auth-Token header, then "
        "delete the token.",
    )


def check_require_condition(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """Every policy rule carries a condition that restricts something (when required)."""
    if kind_of(record.type) is not Kind.POLICY:
        return
    for index, rule in enumerate(_policy_rules(record), start=1):
        condition = _condition(rule)
        if is_unknown(rule.get("condition")):
            continue
        if condition is not None:
            try:
                warnings = validate_condition(condition)
            except ConditionError:
                # Invalid, never true or restricting nothing: not a condition that counts.
                what = "a condition that does not restrict anything valid"
            else:
                if not any(warning.message == USER_AGENT_ONLY for warning in warnings):
                    continue
                # The caller sends the user agent it likes: a key holder passes such a test.
                what = "a condition that only the user agent restricts (the caller's choice)"
        else:
            what = "no condition"
        yield _finding(
            "require-condition",
            record,
            f"{_label(record)} rule #{index} has {what}, and the stack requires one: restrict "
            "it, for example to the callers' IP range with inIpRange(request.ip, ...).",
        )


def check_image_digest(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """A container image given by tag alone does not redeploy when the tag moves."""
    if kind_of(record.type) is not Kind.CONTAINER:
        return
    image = record.inputs.get("image")
    digest = record.inputs.get("registrySha256")
    if not isinstance(image, str) or is_unknown(image) or is_unknown(digest):
        return
    if digest or "@sha256:" in image:
        return
    yield _finding(
        "image-digest",
        record,
        f"{_label(record)}: its image is named by a tag only; pushing a new image under the "
        "same tag changes no input, so the container is not redeployed. Pass the digest "
        "docker push printed (image_digest, or image ...@sha256:...).",
        ADVISORY,
    )


# --- stack rules ----------------------------------------------------------------------------


def _is_root(urn: str | None, by_urn: Mapping[str, ResourceRecord]) -> bool:
    if urn is None:
        return True
    parent = by_urn.get(urn)
    if parent is not None:
        return parent.type == _STACK_TYPE
    return f"::{_STACK_TYPE}::" in urn


def stack_application_policies(records: Sequence[ResourceRecord]) -> list[ResourceRecord]:
    """The IAM policies that grant access to an application created in the same stack.

    The application's id is an output, so a record cannot be matched by value; instead a policy
    belongs to a stack application when it depends on it (the engine records that dependency
    when ``applicationId`` comes from the application) or when both were created by the same
    component (how this library's components lay them out).
    """
    by_urn = {record.urn: record for record in records}
    applications = [r for r in records if kind_of(r.type) is Kind.APPLICATION]
    app_urns = {app.urn for app in applications}
    app_parents = {app.parent for app in applications if not _is_root(app.parent, by_urn)}
    selected = []
    for record in records:
        if kind_of(record.type) is not Kind.POLICY or not record.inputs.get("applicationId"):
            continue
        if app_urns.intersection(record.dependencies) or (
            record.parent in app_parents and record.parent is not None
        ):
            selected.append(record)
    return selected


def check_least_privilege(records: Sequence[ResourceRecord], ctx: Context) -> Iterator[Finding]:
    """A stack application's policy only grants the private-access permission sets; a
    service identity's declared grants (``identity.grants``) are judged by what they can do
    (``privilege-escalation``, ``broad-permission-set``)."""
    for record in stack_application_policies(records):
        if _is_identity_grants(record):
            continue
        for index, rule in enumerate(_policy_rules(record), start=1):
            extra = sorted(set(_str_list(rule.get("permissionSetNames"))) - PRIVATE_ACCESS_SETS)
            # Escalation sets (FullAccess, IAMManager...) have a rule of their own.
            extra = [name for name in extra if not is_escalation_set(name)]
            if not extra:
                continue
            note = ""
            yield _finding(
                "least-privilege",
                record,
                f"{_label(record)} rule #{index} grants {', '.join(extra)} to an application that "
                f"only needs to call private services{note}: keep FunctionsPrivateAccess / "
                "ContainersPrivateAccess only.",
            )


def _is_identity_grants(record: ResourceRecord) -> bool:
    """Whether the policy holds a service identity's declared grants (``<name>-grants``)."""
    return any(tag.startswith(GRANTS_TAG_PREFIX) for tag in _str_list(record.inputs.get("tags")))


def _overlap(restricted: Grant, open_grant: Grant) -> str | None:
    """Where an unconditioned grant covers a conditioned one ("project X", "the organization")."""
    if open_grant.organization_wide:
        return "the organization"
    if restricted.organization_wide and open_grant.projects:
        return sorted(open_grant.projects)[0]
    common = restricted.projects & open_grant.projects
    return sorted(common)[0] if common else None


def check_no_condition_bypass(records: Sequence[ResourceRecord], ctx: Context) -> Iterator[Finding]:
    """A conditioned grant must not be duplicated by an unconditioned one.

    Scaleway IAM adds policies up: if one rule grants FunctionsPrivateAccess in a project only
    from an IP range and another grants it there without a condition, the principal has it
    unconditionally and the condition protects nothing. Principals and projects are linked as
    the access matrix links them, so ids a preview does not know yet still match.
    """
    by_urn = {record.urn: record for record in records}
    all_grants = grants(records, default_project_id=ctx.default_project_id)
    open_grants = [g for g in all_grants if g.rule.condition is None]
    reported: set[tuple[str, int, str]] = set()
    for restricted in (g for g in all_grants if g.rule.condition is not None):
        for open_grant in open_grants:
            if (open_grant.principal, open_grant.rule.permission_set) != (
                restricted.principal,
                restricted.rule.permission_set,
            ):
                continue
            where = _overlap(restricted, open_grant)
            rule = restricted.rule
            key = (rule.policy_urn, rule.rule, rule.permission_set)
            if where is None or key in reported or rule.policy_urn not in by_urn:
                continue
            reported.add(key)
            record = by_urn[rule.policy_urn]
            same = open_grant.rule.policy_urn == rule.policy_urn
            other = "the same policy" if same else f"iam-policy '{open_grant.rule.policy}'"
            yield _finding(
                "no-condition-bypass",
                record,
                f"{_label(record)} rule #{rule.rule} grants {rule.permission_set} to "
                f"{restricted.principal} with a condition, but {other} rule "
                f"#{open_grant.rule.rule} grants it in {where} without one; IAM policies add "
                "up, so the condition restricts nothing. Put the condition on every grant or "
                "remove the unconditioned one.",
            )


def check_privilege_escalation(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """No principal is granted a set that can change identities, policies, projects or the
    organization (the catalogue's ``escalates``)."""
    for index, sets in escalation_grants(record):
        what = "; ".join(f"{name}: {PERMISSION_SETS[name].allows}" for name in sets)
        yield _finding(
            "privilege-escalation",
            record,
            f"{_label(record)} rule #{index} grants {', '.join(sets)} ({what}): whoever holds "
            "it can change identities, policies, projects or the organization, and so grant "
            "itself any other access. Grant the product sets the principal uses instead "
            "(FunctionsPrivateAccess / ContainersPrivateAccess to call private services).",
        )


def check_broad_permission_set(record: ResourceRecord, ctx: Context) -> Iterator[Finding]:
    """(Advisory) A product's full access, where narrower sets of the product exist."""
    if kind_of(record.type) is not Kind.POLICY:
        return
    for index, rule in enumerate(_policy_rules(record), start=1):
        for name in sorted(set(_str_list(rule.get("permissionSetNames")))):
            entry = PERMISSION_SETS.get(name)
            if entry is None or not entry.broad:
                continue
            yield _finding(
                "broad-permission-set",
                record,
                f"{_label(record)} rule #{index} grants {name} ({entry.allows}); it cannot "
                f"change identities or policies, but {entry.product} has narrower sets: "
                f"{', '.join(narrower_sets(name))}. Grant only those the principal uses.",
                ADVISORY,
            )


def check_reach_beyond_intent(records: Sequence[ResourceRecord], ctx: Context) -> Iterator[Finding]:
    """No principal calls a service under a weaker condition than the service declares."""
    for urn, message in reach_beyond_intent(records, ctx.default_project_id):
        yield Finding(rule="reach-beyond-intent", severity=MANDATORY, urn=urn, message=message)


def check_key_secret_reach(records: Sequence[ResourceRecord], ctx: Context) -> Iterator[Finding]:
    """No principal reads, through Secret Manager, the stored API key of a service it was not
    granted: secret access is per project, so a grant to read secrets where the components
    keep a service's callers' key (``store_keys_in_secret_manager``) is a way to call it."""
    keys = stored_keys(records, default_project_id=ctx.default_project_id)
    if not keys:
        return
    by_urn = {record.urn: record for record in records}
    for grant in grants(records, default_project_id=ctx.default_project_id):
        entry = PERMISSION_SETS.get(grant.rule.permission_set)
        record = by_urn.get(grant.rule.policy_urn)
        if entry is None or not entry.reads_secrets or record is None:
            continue
        for key in keys:
            own = grant.principal.name == f"{key.service.name} (service identity)"
            if own or not (grant.organization_wide or key.project in grant.projects):
                continue
            where = "the organization" if grant.organization_wide else key.project
            yield _finding(
                "key-secret-reach",
                record,
                f"{_label(record)} rule #{grant.rule.rule} grants {grant.rule.permission_set} "
                f"to {grant.principal} in {where}, where the API key of the callers of "
                f"{key.service.kind} '{key.service.name}' is stored: whoever holds it reads "
                f"that key and calls '{key.service.name}'. Keep the key in another project "
                f"(dedicated_project on '{key.service.name}') or grant the secret access where "
                "no caller key is stored.",
            )


def check_group_bypass(records: Sequence[ResourceRecord], ctx: Context) -> Iterator[Finding]:
    """No group grants an application more than its own conditioned rule."""
    for urn, message in group_bypass(records, ctx.default_project_id):
        yield Finding(rule="group-bypass", severity=MANDATORY, urn=urn, message=message)


RULES: tuple[Rule, ...] = (
    Rule(
        "private-services",
        MANDATORY,
        "Functions and containers are private.",
        resource_check=check_private_services,
    ),
    Rule(
        "no-plain-secrets",
        MANDATORY,
        "No secret-looking names or values in plain environment variables, nor credentials "
        "in cron arguments or a container's command line.",
        resource_check=check_no_plain_secrets,
    ),
    Rule(
        "https-only",
        MANDATORY,
        "Functions and containers only accept HTTPS connections.",
        resource_check=check_https_only,
    ),
    Rule(
        "key-expiry",
        MANDATORY,
        "API keys expire within the allowed lifetime.",
        resource_check=check_key_expiry,
    ),
    Rule(
        "key-expiring-soon",
        ADVISORY,
        "API keys do not expire within the expiry window unnoticed.",
        resource_check=check_key_expiring_soon,
    ),
    Rule(
        "project-scoped-policies",
        MANDATORY,
        "IAM policy rules are scoped to projects, never to the organization.",
        resource_check=check_project_scoped,
    ),
    Rule(
        "least-privilege",
        MANDATORY,
        "Policies of the stack's applications only grant private-access permission sets.",
        stack_check=check_least_privilege,
    ),
    Rule(
        "conditions-parse",
        MANDATORY,
        "IAM policy conditions are valid CEL.",
        resource_check=check_conditions_parse,
    ),
    Rule(
        "no-legacy-tokens",
        MANDATORY,
        "No deprecated JWT tokens for functions or containers.",
        resource_check=check_no_legacy_tokens,
    ),
    Rule(
        "no-condition-bypass",
        MANDATORY,
        "No unconditioned grant duplicates a conditioned one.",
        stack_check=check_no_condition_bypass,
    ),
    Rule(
        "privilege-escalation",
        MANDATORY,
        "No grant of a permission set that can change identities, policies, projects or the "
        "organization.",
        resource_check=check_privilege_escalation,
    ),
    Rule(
        "reach-beyond-intent",
        MANDATORY,
        "No principal reaches a service under a weaker condition than the service declares.",
        stack_check=check_reach_beyond_intent,
    ),
    Rule(
        "group-bypass",
        MANDATORY,
        "No group grants an application more than its own conditioned rule.",
        stack_check=check_group_bypass,
    ),
    Rule(
        "require-condition",
        MANDATORY,
        "IAM policy rules carry a condition that restricts something (when required).",
        resource_check=check_require_condition,
    ),
    Rule(
        "image-digest",
        ADVISORY,
        "Container images are pinned by digest, so a new push redeploys.",
        resource_check=check_image_digest,
    ),
    Rule(
        "broad-permission-set",
        ADVISORY,
        "A product's full access is granted only where no narrower set of the product fits.",
        resource_check=check_broad_permission_set,
    ),
    Rule(
        "key-secret-reach",
        MANDATORY,
        "No principal can read, in Secret Manager, the stored API key of a service it may not "
        "call.",
        stack_check=check_key_secret_reach,
    ),
)

RULES_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}


def default_now() -> datetime:
    """The current time in UTC (rules compare against aware datetimes)."""
    return datetime.now(UTC)
