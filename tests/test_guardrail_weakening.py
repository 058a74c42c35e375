"""Deliberate exceptions and the settings that weaken a guardrail: allowed plain names in the
argument check, the plan and the CrossGuard pack alike; every weakening shown; refused where
the stack's policy forbids it; the project name read from Pulumi.yaml only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateFunctionArgs
from private_serverless.errors import ConfigurationError
from private_serverless.policies import PolicySettings, evaluate, weakenings
from pydantic import ValidationError

from ._policy_records import NOW, compliant_records, replaced
from .test_policies_crossguard import run_resource_policy
from .test_secret_names import STRONG_CORES, neutral_suffix, render

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent
VALUE = "eu-west-1-publishable"


def fn(**overrides: object) -> PrivateFunctionArgs:
    base: dict[str, object] = {
        "runtime": "python312",
        "handler": "handler.handle",
        "source_dir": HERE,
    }
    base.update(overrides)
    return PrivateFunctionArgs(**base)  # type: ignore[arg-type]


# --- the argument check -------------------------------------------------------------------


def test_a_service_allow_list_makes_a_name_pass_the_argument_check() -> None:
    with pytest.raises(ConfigurationError, match="STRIPE_KEY"):
        fn(env={"STRIPE_KEY": VALUE})
    args = fn(env={"STRIPE_KEY": VALUE}, allowed_plain_names={"stripe_key"})
    assert args.env == {"STRIPE_KEY": VALUE}


def test_an_allowed_name_keeps_its_value_scanned() -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    with pytest.raises(ConfigurationError) as caught:
        fn(env={"STRIPE_KEY": token}, allowed_plain_names={"STRIPE_KEY"})
    assert "provider token" in str(caught.value) and token not in str(caught.value)


@given(st.sampled_from(STRONG_CORES), st.sampled_from(["", "DB", "APP"]), neutral_suffix)
@settings(max_examples=100, deadline=None)
def test_no_allow_list_can_name_a_credential_beyond_doubt(
    core: list[str], prefix: str, suffix: list[str]
) -> None:
    name = render([*([prefix] if prefix else []), *core, *suffix], "upper_snake")
    with pytest.raises(ConfigurationError) as caught:
        fn(allowed_plain_names={name})
    assert "allowed_plain_names" in str(caught.value) and "beyond doubt" in str(caught.value)
    with pytest.raises(ValidationError, match="beyond doubt"):
        PolicySettings(allowed_plain_names=frozenset({name}))
    with pytest.raises(ValidationError, match="beyond doubt"):
        PolicySettings(service_allowed_plain_names={"billing": frozenset({name})})


# --- the rule: per stack, per service, recorded by the component, in the pack --------------


def _with_env(env: dict[str, str]) -> list:  # type: ignore[type-arg]
    return replaced(compliant_records(), "billing", environmentVariables=env)


def test_the_rule_accepts_a_stack_wide_and_a_per_service_allow_list() -> None:
    records = _with_env({"STRIPE_KEY": VALUE})
    assert [f.rule for f in evaluate(records, now=NOW)] == ["no-plain-secrets"]
    stack_wide = PolicySettings(allowed_plain_names=frozenset({"STRIPE_KEY"}))
    assert evaluate(records, stack_wide, now=NOW) == []
    service = next(r for r in records if r.custom and r.name == "billing").parent
    assert service is not None
    per_service = PolicySettings(
        service_allowed_plain_names={service.rsplit("::", 1)[-1]: frozenset({"stripe_key"})}
    )
    assert evaluate(records, per_service, now=NOW) == []
    other = PolicySettings(service_allowed_plain_names={"someone-else": frozenset({"STRIPE_KEY"})})
    assert [f.rule for f in evaluate(records, other, now=NOW)] == ["no-plain-secrets"]


def test_the_pack_reads_the_same_allow_lists_from_its_config() -> None:
    records = _with_env({"STRIPE_KEY": VALUE})
    function = next(r for r in records if r.custom and r.name == "billing")
    assert run_resource_policy("no-plain-secrets", [function])
    assert (
        run_resource_policy("no-plain-secrets", [function], {"allowedPlainNames": ["STRIPE_KEY"]})
        == []
    )
    # Patterns from the pack's config add names; they never empty the built-in ones.
    assert run_resource_policy("no-plain-secrets", [function], {"secretNamePatterns": []}), (
        "an empty list of patterns switched the rule off"
    )


# --- weakenings, shown and refused ---------------------------------------------------------


def test_every_weakening_is_listed_with_its_key_path_and_never_a_value() -> None:
    lines = [
        w.line()
        for w in weakenings(
            PolicySettings(
                max_key_lifetime_days=400,
                expiry_window_days=3,
                allowed_plain_names=frozenset({"STRIPE_KEY"}),
                service_allowed_plain_names={"billing": frozenset({"PASS_THROUGH"})},
            )
        )
    ]
    assert lines == [
        "guardrail weakened by policy.max_key_lifetime_days: key-expiry accepts keys living up "
        "to 400 days (baseline 90)",
        "guardrail weakened by policy.expiry_window_days: key-expiring-soon warns 3 days ahead "
        "(baseline 14)",
        "guardrail weakened by policy.allowed_plain_names: no-plain-secrets accepts plain "
        "STRIPE_KEY in every service (values still scanned)",
        "guardrail weakened by services.billing.allowed_plain_names: no-plain-secrets accepts "
        "plain PASS_THROUGH (values still scanned)",
    ]
    assert weakenings(PolicySettings(secret_name_patterns=("*_CODE",))) == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("allowed_plain_names", ["STRIPE_KEY"]),
        ("service_allowed_plain_names", {"billing": ["STRIPE_KEY"]}),
        ("max_key_lifetime_days", 120),
        ("expiry_window_days", 7),
    ],
)
def test_forbid_weakening_refuses_each_weakening_naming_its_key(
    setting: str, value: object
) -> None:
    PolicySettings.model_validate({setting: value})
    with pytest.raises(ValidationError) as caught:
        PolicySettings.model_validate({"forbid_weakening": True, setting: value})
    assert [e["loc"] for e in caught.value.errors()] == [(setting,)]
    assert "forbid_weakening" in str(caught.value)


# --- through the command line, on a stack file ---------------------------------------------

SERVICE = """\
  {project}:services:
    billing:
      kind: function
      runtime: python312
      handler: handler.handle
      source_dir: src
      env:
        {env}
{extra}"""


def _stack_project(
    root: Path,
    *,
    project: str = "private-serverless",
    policy: str = "",
    env: str = "LOG_LEVEL: info",
    extra: str = "",
    other_config: str = "",
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
    (root / "__main__.py").write_text(
        "from private_serverless.project.stack.program import main\n\nmain()\n"
    )
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "handler.py").write_text("def handle(event, context):\n    return {}\n")
    (root / ".env").write_text("")
    body = "config:\n  scaleway:region: fr-par\n" + other_config
    if policy:
        body += f"  {project}:policy:\n{policy}"
    body += SERVICE.format(project=project, env=env, extra=extra)
    (root / "Pulumi.dev.yaml").write_text(body)
    return root


def _plan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    return subprocess.run(
        [sys.executable, "-m", "private_serverless", "plan", "--stack", "dev", *args],
        cwd=root,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


ISSUE_NAMES = {
    "SORT_KEY": "created_at",
    "CACHE_KEY": "v3",
    "PRIMARY_KEY": "id",
    "TOKEN_TTL_SECONDS": "3600",
    "SECRET_ID": "3f1c2d4e-9a7b-4c1d-8e2f-0a1b2c3d4e5f",
    "API_KEY_NAME": "billing",
    "KMS_KEY_ID": "3f1c2d4e-9a7b-4c1d-8e2f-0a1b2c3d4e5f",
}


def test_the_issue_names_plan_as_plain_variables(tmp_path: Path) -> None:
    env = "\n        ".join(f"{k}: {json.dumps(v)}" for k, v in ISSUE_NAMES.items())
    root = _stack_project(tmp_path / "p", env=env)
    result = _plan(root, "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    function = next(r for r in plan["resources"] if r["name"] == "billing-function")
    assert function["inputs"]["environmentVariables"] == ISSUE_NAMES


def test_an_allow_list_works_in_the_argument_check_and_the_plan_per_stack_and_service(
    tmp_path: Path,
) -> None:
    refused = _plan(_stack_project(tmp_path / "refused", env=f"STRIPE_KEY: {VALUE}"))
    assert refused.returncode == 2 and "services.billing.env" in refused.stderr
    per_stack = _stack_project(
        tmp_path / "stack",
        env=f"STRIPE_KEY: {VALUE}",
        policy="    allowed_plain_names: [STRIPE_KEY]\n",
    )
    per_service = _stack_project(
        tmp_path / "service",
        env=f"STRIPE_KEY: {VALUE}",
        extra="      allowed_plain_names: [STRIPE_KEY]\n",
    )
    for root, setting in (
        (per_stack, "policy.allowed_plain_names"),
        (per_service, "services.billing.allowed_plain_names"),
    ):
        for fmt in ("text", "markdown", "json"):
            result = _plan(root, "--format", fmt)
            assert result.returncode == 0, result.stdout + result.stderr
            line = f"guardrail weakened by {setting}: no-plain-secrets accepts plain STRIPE_KEY"
            assert line in result.stdout


def test_a_stack_that_forbids_weakening_refuses_each_allow_list(tmp_path: Path) -> None:
    policy = "    forbid_weakening: true\n"
    cases = {
        "policy.allowed_plain_names": _stack_project(
            tmp_path / "stack", policy=policy + "    allowed_plain_names: [STRIPE_KEY]\n"
        ),
        "services.billing.allowed_plain_names": _stack_project(
            tmp_path / "service", policy=policy, extra="      allowed_plain_names: [STRIPE_KEY]\n"
        ),
        "policy.max_key_lifetime_days": _stack_project(
            tmp_path / "keys", policy=policy + "    max_key_lifetime_days: 365\n"
        ),
    }
    for path, root in cases.items():
        result = _plan(root)
        assert result.returncode == 2, result.stdout + result.stderr
        assert path in result.stderr and "forbid_weakening" in result.stderr
        assert "Traceback" not in result.stderr


def test_an_allow_list_naming_a_credential_is_refused_and_the_value_never_printed(
    tmp_path: Path,
) -> None:
    planted = "planted-db-password-4c1d8e2f"
    root = _stack_project(
        tmp_path / "p",
        env=f"DB_PASSWORD: {planted}",
        policy="    allowed_plain_names: [DB_PASSWORD]\n",
    )
    result = _plan(root)
    assert result.returncode == 2
    assert "policy.allowed_plain_names" in result.stderr and "beyond doubt" in result.stderr
    assert planted not in result.stdout + result.stderr


RAW_PROGRAM = """\
import pulumiverse_scaleway as scw

scw.functions.Function(
    "raw",
    namespace_id="11111111-1111-4111-8111-111111111111",
    runtime="python312",
    handler="handler.handle",
    privacy="private",
    http_option="redirected",
    environment_variables={{"{name}": "{value}"}},
)
"""


def test_empty_secret_name_patterns_switch_nothing_off(tmp_path: Path) -> None:
    """A consumer's own program that ignores the settings: the plan still reads them."""
    planted = "planted-smtp-pass-0a1b2c3d"
    root = tmp_path / "consumer"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: acme\nruntime: python\n")
    (root / "__main__.py").write_text(RAW_PROGRAM.format(name="SMTP_PASS", value=planted))
    (root / "Pulumi.dev.yaml").write_text("config:\n  acme:policy:\n    secret_name_patterns: []\n")
    for fmt in ("text", "markdown", "json"):
        result = _plan(root, "--format", fmt)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "no-plain-secrets" in result.stdout and "SMTP_PASS" in result.stdout
        assert planted not in result.stdout + result.stderr


def test_the_project_name_comes_from_pulumi_yaml_whatever_other_namespaces_say(
    tmp_path: Path,
) -> None:
    """`datadog:apiKey` and `aws:region` beside the project's keys: the policy still applies."""
    other = (
        "  datadog:apiKey:\n    secure: v1:AAAA:datadogplanted\n"
        "  datadog:site: datadoghq.eu\n  aws:region: eu-west-3\n"
    )
    root = _stack_project(
        tmp_path / "acme",
        project="acme",
        policy="    forbid_weakening: true\n    allowed_plain_names: [STRIPE_KEY]\n",
        env=f"STRIPE_KEY: {VALUE}",
        other_config=other,
    )
    result = _plan(root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "policy.allowed_plain_names" in result.stderr
    # And the settings reach the plan's rules, not only the program.
    (root / "Pulumi.dev.yaml").write_text(
        (root / "Pulumi.dev.yaml").read_text().replace("    forbid_weakening: true\n", "")
    )
    shown = _plan(root)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "guardrail weakened by policy.allowed_plain_names" in shown.stdout


def test_a_consumer_program_gets_its_policy_despite_third_party_keys(tmp_path: Path) -> None:
    root = tmp_path / "consumer"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: acme\nruntime: python\n")
    (root / "__main__.py").write_text(RAW_PROGRAM.format(name="SMTP_PASS", value="relay"))
    stack = (
        "config:\n  datadog:apiKey:\n    secure: v1:AAAA:datadogplanted\n"
        "  aws:region: eu-west-3\n  acme:policy:\n    allowed_plain_names: [SMTP_PASS]\n"
    )
    (root / "Pulumi.dev.yaml").write_text(stack)
    result = _plan(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "guardrail weakened by policy.allowed_plain_names" in result.stdout
    (root / "Pulumi.dev.yaml").write_text(stack + "    forbid_weakening: true\n")
    refused = _plan(root)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "policy.allowed_plain_names" in refused.stderr


def test_a_public_service_on_purpose_is_a_weakening_that_forbid_weakening_refuses() -> None:
    from private_serverless.access.public_access import public_reason_tag

    records = replaced(
        compliant_records(),
        "billing",
        privacy="public",
        tags=[public_reason_tag("a CORS proxy in front of private services")],
    )
    lines = [w.line() for w in weakenings(PolicySettings(), records)]
    assert lines == [
        "guardrail weakened by services.billing.public_reason: private-services is advisory for "
        "function 'billing': anyone may call it without a key (public on purpose)"
    ]
    advisory = [(f.rule, f.severity) for f in evaluate(records, now=NOW)]
    assert ("private-services", "advisory") in advisory
    forbidden = evaluate(records, PolicySettings(forbid_weakening=True), now=NOW)
    assert any(
        f.rule == "private-services"
        and f.severity == "mandatory"
        and "forbid_weakening" in f.message
        for f in forbidden
    )
