"""The rules through evaluate(): each fails on a resource that breaks it, passes when compliant."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from private_serverless.core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from private_serverless.policies import RULES, UNKNOWN, Finding, PolicySettings, evaluate
from private_serverless.sensitive.values import value_looks_secret

from ._policy_records import (
    BILLING_APP_ID,
    CONTAINER,
    FUNCTION,
    IP_CONDITION,
    NOW,
    ORG,
    OTHER_PROJECT,
    POLICY,
    PROJECT,
    compliant_records,
    find,
    record,
    replaced,
)

Records = list[ResourceRecord]
ROOT = Path(__file__).resolve().parent.parent

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
ACCESS_KEY = "SCWX3Y4Z5A6B7C8D9E0F"
SECRET_KEY = "6f0c9b1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e"
DB_URL = "postgres://billing:hunter2-s3cret@db.internal:5432/billing"
RANDOM = "Zx8kP2vQ9mN4rT7wY1bC6dF3gH5jK0lAq"


def rules_of(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


def mandatory(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "mandatory"]


def test_compliant_stack_has_no_finding() -> None:
    assert evaluate(compliant_records(), now=NOW) == []


def test_compliant_stack_has_no_mandatory_finding_even_when_conditions_are_required() -> None:
    findings = evaluate(compliant_records(), PolicySettings(require_condition=True), now=NOW)
    assert mandatory(findings) == []


def test_rule_ids_are_stable() -> None:
    assert [rule.id for rule in RULES] == [
        "private-services",
        "no-plain-secrets",
        "https-only",
        "key-expiry",
        "key-expiring-soon",
        "project-scoped-policies",
        "least-privilege",
        "conditions-parse",
        "no-legacy-tokens",
        "no-condition-bypass",
        "privilege-escalation",
        "reach-beyond-intent",
        "group-bypass",
        "require-condition",
        "image-digest",
        "broad-permission-set",
        "key-secret-reach",
    ]


def _extra_policy(records: Records, name: str, rule: dict[str, object], **extra: object) -> Records:
    app = find(records, "billing-caller")
    policy = record(
        POLICY,
        name,
        {"applicationId": BILLING_APP_ID, "rules": [rule], **extra},
        component="billing",
        dependencies=(app.urn,),
    )
    return [*records, policy]


def _legacy(type_: str) -> Callable[[Records], Records]:
    return lambda rs: [*rs, record(type_, "old-token", {"functionId": "fn-id"})]


def _as_alias(name: str, alias: str, **inputs: object) -> Callable[[Records], Records]:
    def mutate(rs: Records) -> Records:
        rs = replaced(rs, name, **inputs)
        return [replace(r, type=alias) if r.name == name and r.custom else r for r in rs]

    return mutate


def _group(records: Records) -> Records:
    app = find(records, "billing-caller")
    group = record(
        "scaleway:iam/group:Group",
        "ops",
        {"name": "ops", "applicationIds": [BILLING_APP_ID]},
        dependencies=(app.urn,),
    )
    rule = {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}
    policy = record(
        POLICY, "ops-access", {"groupId": "grp", "rules": [rule]}, dependencies=(group.urn,)
    )
    return [*records, group, policy]


BROKEN: dict[str, tuple[str, Callable[[Records], Records]]] = {
    "public function": ("private-services", lambda rs: replaced(rs, "billing", privacy="public")),
    "function without privacy": (
        "private-services",
        lambda rs: replaced(rs, "billing", privacy=None),
    ),
    "container without privacy (provider default is public)": (
        "private-services",
        lambda rs: replaced(rs, "web", privacy=None),
    ),
    "public function through the deprecated alias": (
        "private-services",
        _as_alias("billing", "scaleway:index/function:Function", privacy="public"),
    ),
    "public container through the deprecated alias": (
        "private-services",
        _as_alias("web", "scaleway:index/container:Container", privacy="public"),
    ),
    "plain DB_PASSWORD": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing", environmentVariables={"DB_PASSWORD": "x"}),
    ),
    "plain lower-case api_token": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "web", environmentVariables={"api_token": "x"}),
    ),
    "plain *_KEY": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing", environmentVariables={"STRIPE_KEY": "x"}),
    ),
    "plain credentials file name": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing", environmentVariables={"GCP_CREDENTIALS": "x"}),
    ),
    "PEM block in a namespace variable": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing-ns", environmentVariables={"CERT": PEM}),
    ),
    "PEM block in an aliased container namespace": (
        "no-plain-secrets",
        _as_alias(
            "web-ns",
            "scaleway:index/containerNamespace:ContainerNamespace",
            environmentVariables={"TLS": PEM},
        ),
    ),
    "Scaleway access key and secret key": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "web", environmentVariables={"A": ACCESS_KEY, "B": SECRET_KEY}),
    ),
    "database URL with a password": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing", environmentVariables={"DATABASE_URL": DB_URL}),
    ),
    "high-entropy string": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing", environmentVariables={"STRIPE": RANDOM}),
    ),
    "Pulumi secret in plain variables": (
        "no-plain-secrets",
        lambda rs: replaced(rs, "billing", environmentVariables={"UPSTREAM": SECRET_PLACEHOLDER}),
    ),
    "container accepting HTTP": (
        "https-only",
        lambda rs: replaced(rs, "web", httpsConnectionsOnly=False),
    ),
    "container without httpsConnectionsOnly": (
        "https-only",
        lambda rs: replaced(rs, "web", httpsConnectionsOnly=None),
    ),
    "key without expiry": (
        "key-expiry",
        lambda rs: replaced(rs, "billing-caller-key", expiresAt=None),
    ),
    "key expiring in a year": (
        "key-expiry",
        lambda rs: replaced(
            rs, "billing-caller-key", expiresAt=(NOW + timedelta(days=365)).isoformat()
        ),
    ),
    "key with a garbled expiry": (
        "key-expiry",
        lambda rs: replaced(rs, "billing-caller-key", expiresAt="next tuesday"),
    ),
    "aliased key without expiry": (
        "key-expiry",
        _as_alias("web-caller-key", "scaleway:index/iamApiKey:IamApiKey", expiresAt=None),
    ),
    "organization-wide policy rule": (
        "project-scoped-policies",
        lambda rs: replaced(
            rs,
            "billing-caller-access",
            rules=[{"permissionSetNames": ["FunctionsPrivateAccess"], "organizationId": ORG}],
        ),
    ),
    "policy rule without projects": (
        "project-scoped-policies",
        lambda rs: replaced(
            rs, "billing-caller-access", rules=[{"permissionSetNames": ["FunctionsPrivateAccess"]}]
        ),
    ),
    "FullAccess for the function's application: more than calling, not escalation": (
        "least-privilege",
        lambda rs: replaced(
            rs,
            "billing-caller-access",
            rules=[{"permissionSetNames": ["FunctionsFullAccess"], "projectIds": [PROJECT]}],
        ),
    ),
    "IAM policy manager for the function's application": (
        "privilege-escalation",
        lambda rs: replaced(
            rs,
            "billing-caller-access",
            rules=[{"permissionSetNames": ["IAMPolicyManager"], "organizationId": "org-1"}],
        ),
    ),
    "extra permission set for the container's application (aliased policy)": (
        "least-privilege",
        _as_alias(
            "web-caller-access",
            "scaleway:index/iamPolicy:IamPolicy",
            rules=[
                {
                    "permissionSetNames": ["ContainersPrivateAccess", "ObjectStorageReadOnly"],
                    "projectIds": [PROJECT],
                    "condition": IP_CONDITION,
                }
            ],
        ),
    ),
    "invalid condition": (
        "conditions-parse",
        lambda rs: replaced(
            rs,
            "billing-caller-access",
            rules=[
                {
                    "permissionSetNames": ["FunctionsPrivateAccess"],
                    "projectIds": [PROJECT],
                    "condition": "inIpRange(request.ip,",
                }
            ],
        ),
    ),
    "function token": ("no-legacy-tokens", _legacy("scaleway:functions/token:Token")),
    "container token": ("no-legacy-tokens", _legacy("scaleway:containers/token:Token")),
    "deprecated function token": (
        "no-legacy-tokens",
        _legacy("scaleway:index/functionToken:FunctionToken"),
    ),
    "deprecated container token": (
        "no-legacy-tokens",
        _legacy("scaleway:index/containerToken:ContainerToken"),
    ),
    "unconditioned duplicate in another policy": (
        "no-condition-bypass",
        lambda rs: _extra_policy(
            rs,
            "billing-open",
            {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]},
        ),
    ),
    "unconditioned duplicate in the same policy": (
        "no-condition-bypass",
        lambda rs: replaced(
            rs,
            "billing-caller-access",
            rules=[
                {
                    "permissionSetNames": ["FunctionsPrivateAccess"],
                    "projectIds": [PROJECT],
                    "condition": IP_CONDITION,
                },
                {
                    "permissionSetNames": ["FunctionsPrivateAccess"],
                    "projectIds": [OTHER_PROJECT, PROJECT],
                },
            ],
        ),
    ),
    "function accepts plain HTTP (httpOption unset)": (
        "https-only",
        lambda rs: replaced(rs, "billing", httpOption=None),
    ),
    "expired key": (
        "key-expiry",
        lambda rs: replaced(
            rs, "billing-caller-key", expiresAt=(NOW - timedelta(days=3)).isoformat()
        ),
    ),
    "IAMManager for a user": (
        "privilege-escalation",
        lambda rs: [
            *rs,
            record(
                POLICY,
                "admins",
                {
                    "userId": "user-1",
                    "rules": [{"permissionSetNames": ["IAMManager"], "projectIds": [PROJECT]}],
                },
            ),
        ],
    ),
    "sibling key reaches a conditioned container": (
        "reach-beyond-intent",
        lambda rs: _extra_policy(
            rs,
            "billing-ct",
            {"permissionSetNames": ["ContainersPrivateAccess"], "projectIds": [PROJECT]},
        ),
    ),
    "group holding the application, unconditioned": ("group-bypass", _group),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_rule_fails_on_a_resource_that_breaks_it(case: str) -> None:
    rule_id, mutate = BROKEN[case]
    findings = evaluate(mutate(compliant_records()), now=NOW)
    assert rule_id in rules_of(findings), findings
    assert all(f.severity == "mandatory" for f in findings if f.rule == rule_id)


@pytest.mark.parametrize(
    "case",
    [
        "HTTP redirected through the deprecated httpOption",
        "unconditioned grant in another project",
        "key expiring exactly at the limit",
    ],
)
def test_near_misses_pass(case: str) -> None:
    rs = compliant_records()
    if case == "HTTP redirected through the deprecated httpOption":
        rs = replaced(rs, "web", httpsConnectionsOnly=None, httpOption="redirected")
    elif case == "unconditioned grant in another project":
        rs = _extra_policy(
            rs,
            "billing-other",
            {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [OTHER_PROJECT]},
        )
    elif case == "FullAccess for an application from outside the stack":
        rs = [
            *rs,
            record(
                POLICY,
                "ops",
                {
                    "applicationId": "external-app",
                    "rules": [
                        {"permissionSetNames": ["FunctionsFullAccess"], "projectIds": [PROJECT]}
                    ],
                },
            ),
        ]
    elif case == "key expiring exactly at the limit":
        rs = replaced(rs, "billing-caller-key", expiresAt=(NOW + timedelta(days=90)).isoformat())
    assert evaluate(rs, now=NOW) == []


def test_organization_wide_unconditioned_grant_bypasses_project_condition() -> None:
    rs = _extra_policy(
        compliant_records(),
        "billing-org",
        {"permissionSetNames": ["FunctionsPrivateAccess"], "organizationId": ORG},
    )
    findings = [f for f in evaluate(rs, now=NOW) if f.rule == "no-condition-bypass"]
    assert len(findings) == 1
    assert findings[0].urn == find(rs, "billing-caller-access").urn
    assert "the organization" in findings[0].message


def test_max_key_lifetime_is_a_setting() -> None:
    rs = compliant_records()  # keys expire 30 days ahead
    assert "key-expiry" in rules_of(evaluate(rs, PolicySettings(max_key_lifetime_days=7), now=NOW))
    assert evaluate(rs, PolicySettings(max_key_lifetime_days=30), now=NOW) == []


def test_naive_now_is_read_as_utc() -> None:
    assert evaluate(compliant_records(), now=NOW.replace(tzinfo=None)) == []


def test_require_condition_is_mandatory_when_on_and_off_by_default() -> None:
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[{"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [PROJECT]}],
    )
    assert evaluate(rs, now=NOW) == []
    findings = evaluate(rs, PolicySettings(require_condition=True), now=NOW)
    assert [(f.rule, f.severity) for f in findings] == [("require-condition", "mandatory")]


@pytest.mark.parametrize(
    "condition", ["true", 'inIpRange(request.ip, "0.0.0.0/0")', 'request.user_agent.matches(".*")']
)
def test_require_condition_counts_only_restricting_conditions(condition: str) -> None:
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[
            {
                "permissionSetNames": ["FunctionsPrivateAccess"],
                "projectIds": [PROJECT],
                "condition": condition,
            }
        ],
    )
    findings = evaluate(rs, PolicySettings(require_condition=True), now=NOW)
    assert ("require-condition", "mandatory") in [(f.rule, f.severity) for f in findings]
    assert "does not restrict" in next(f.message for f in findings if f.rule == "require-condition")


def test_allowed_plain_names_silence_the_name_check() -> None:
    rs = replaced(compliant_records(), "billing", environmentVariables={"STRIPE_KEY": "eu-1"})
    assert "no-plain-secrets" in rules_of(evaluate(rs, now=NOW))
    settings = PolicySettings(allowed_plain_names=frozenset({"stripe_key"}))
    assert evaluate(rs, settings, now=NOW) == []


def test_names_that_describe_a_credential_are_plain_settings() -> None:
    env = {"TOKEN_TTL": "3600", "SECRET_ID": "3f1c2d4e-0000-4000-8000-000000000000"}
    rs = replaced(compliant_records(), "billing", environmentVariables=env)
    assert evaluate(rs, now=NOW) == []


def test_messages_name_variables_but_never_values() -> None:
    env = {
        "DB_PASSWORD": "hunter2-plain-value",
        "CERT": PEM,
        "A": ACCESS_KEY,
        "B": SECRET_KEY,
        "DATABASE_URL": DB_URL,
        "STRIPE": RANDOM,
    }
    findings = evaluate(replaced(compliant_records(), "billing", environmentVariables=env), now=NOW)
    messages = [f.message for f in findings if f.rule == "no-plain-secrets"]
    assert len(messages) == len(env)
    text = "\n".join(messages)
    for name, value in env.items():
        assert f"'{name}'" in text
        for fragment in (value, value[:12], "hunter2"):
            assert fragment not in text


def test_every_resource_finding_points_at_its_resource() -> None:
    rs = replaced(compliant_records(), "billing", privacy="public")
    (finding,) = evaluate(rs, now=NOW)
    function = next(r for r in rs if r.type == FUNCTION)
    assert finding.urn == function.urn
    assert finding.name == "billing"
    assert finding.to_dict()["rule"] == "private-services"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("info", None),
        ("https://example.com/a/b/c", None),
        ("redis://cache:6379/0", None),
        ("11111111-1111-4111-8111-111111111111", None),
        ("4f1d2c3b5a6e7f8091a2b3c4d5e6f708192a3b4c", None),  # a commit hash is not a secret
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "JWT"),
        (PEM, "PEM block"),
        (DB_URL, "URL with credentials"),
        (ACCESS_KEY, "Scaleway access key"),
        (RANDOM, "high-entropy string"),
    ],
)
def test_value_heuristics(value: str, kind: str | None) -> None:
    assert value_looks_secret(value) == kind


def test_alias_types_cover_functions_and_containers() -> None:
    # Guard against a typo in the alias table: every alias must be judged like the real type.
    for real, alias in (
        (FUNCTION, "scaleway:index/function:Function"),
        (CONTAINER, "scaleway:index/container:Container"),
    ):
        rec = record(alias, "x", {"privacy": "public", "httpsConnectionsOnly": True})
        real_rec = replace(rec, type=real)
        assert rules_of(evaluate([rec], now=NOW)) == rules_of(evaluate([real_rec], now=NOW))


def test_rules_and_audit_do_not_need_pulumi_policy() -> None:
    # The plan and the audit run where pulumi_policy may be absent: only crossguard.py imports it.
    code = (
        "import sys, private_serverless.policies, private_serverless.policies.engine\n"
        "import importlib.util\n"
        "if importlib.util.find_spec('private_serverless.audit'):\n"
        "    import private_serverless.audit\n"
        "assert 'pulumi_policy' not in sys.modules, 'pulumi_policy imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr


def test_policy_pack_program_only_builds_the_pack() -> None:
    # Never import policy/__main__.py: building a PolicyPack serves gRPC forever. Read it instead.
    root = ROOT / "policy"
    tree = ast.parse((root / "__main__.py").read_text())
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    # The stack's configuration (policy, waivers) is listened for first, then the pack built.
    assert [ast.unparse(c.value) for c in calls[:-1]] == ["listen_for_stack_config(stack)"]
    call = calls[-1].value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    assert call.func.id == "PolicyPack"
    keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
    assert keywords["name"] == "'private-serverless'"
    assert keywords["enforcement_level"] == "EnforcementLevel.MANDATORY"
    assert keywords["policies"] == "build_policies(stack=stack)"
    assert "runtime" in (root / "PulumiPolicy.yaml").read_text()
    assert "pulumi-policy" in (root / "requirements.txt").read_text()


def test_image_digest_is_advisory_and_only_for_tag_only_images() -> None:
    tagged = replaced(compliant_records(), "web", image="rg.fr-par.scw.cloud/team/web:dev")
    findings = evaluate(tagged, now=NOW)
    assert [(f.rule, f.severity, f.name) for f in findings] == [("image-digest", "advisory", "web")]
    assert "rg.fr-par" not in findings[0].message  # names the container, not the image
    digest = "0" * 64
    pinned = replaced(tagged, "web", registrySha256=digest)
    assert evaluate(pinned, now=NOW) == []
    by_reference = replaced(
        compliant_records(), "web", image=f"rg.fr-par.scw.cloud/team/web:dev@sha256:{digest}"
    )
    assert evaluate(by_reference, now=NOW) == []
    unknown = replaced(tagged, "web", registrySha256=UNKNOWN)
    assert evaluate(unknown, now=NOW) == []


def test_other_permission_set_unconditioned_is_no_bypass_but_reaches_the_sibling() -> None:
    """ContainersPrivateAccess for billing's key is no bypass of billing's own (functions)
    condition, but it lets that key call the web container without web's condition."""
    rs = _extra_policy(
        compliant_records(),
        "billing-ct",
        {"permissionSetNames": ["ContainersPrivateAccess"], "projectIds": [PROJECT]},
    )
    findings = evaluate(rs, now=NOW)
    assert [(f.rule, f.name) for f in findings] == [("reach-beyond-intent", "web")]
    assert "application 'billing-caller'" in findings[0].message


@pytest.mark.parametrize(
    ("condition", "counts"),
    [
        ('request.user_agent.contains("TrustedCI")', False),
        (
            'inIpRange(request.ip, "198.51.100.0/24") || request.user_agent.contains("TrustedCI")',
            False,
        ),
        (
            'inIpRange(request.ip, "198.51.100.0/24") && request.user_agent.contains("TrustedCI")',
            True,
        ),
        ('request.user_agent.contains("TrustedCI") && request.time.getDayOfWeek() != 0', True),
    ],
)
def test_require_condition_does_not_count_what_only_the_user_agent_restricts(
    condition: str, counts: bool
) -> None:
    """The caller sends the user agent it likes: a key holder who knows the condition passes."""
    rs = replaced(
        compliant_records(),
        "billing-caller-access",
        rules=[
            {
                "permissionSetNames": ["FunctionsPrivateAccess"],
                "projectIds": [PROJECT],
                "condition": condition,
            }
        ],
    )
    findings = [
        f
        for f in evaluate(rs, PolicySettings(require_condition=True), now=NOW)
        if f.rule == "require-condition"
    ]
    assert (findings == []) is counts
    if not counts:
        assert "only the user agent restricts (the caller's choice)" in findings[0].message
