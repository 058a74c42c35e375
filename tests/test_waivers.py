"""Waivers: reviewed exceptions with a reason and an expiry, in the plan, the API and the pack.

Expiry is judged against an injected "today" (``evaluate(today=...)``,
``default_plan_checks(today=...)``, the pack's clock), never the machine's date, except in the
CLI tests, whose dates are decades away from any run.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from private_serverless.errors import ConfigurationError
from private_serverless.plan import Plan, render_json, render_markdown, render_text
from private_serverless.plan.render.json import plan_from_dict
from private_serverless.plan.stack_plan import default_plan_checks
from private_serverless.policies import PolicySettings, evaluate
from private_serverless.policies.crossguard import (
    PackStack,
    build_policies,
    listen_for_stack_config,
)
from private_serverless.policies.waivers import WAIVERS_RULE, Waiver, read_waivers
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from ._policy_records import NOW, compliant_records, find, replaced
from .test_policies_crossguard import (
    FakeResourceArgs,
    FakeStackArgs,
    Violations,
    _props,
    stack_resources,
)
from .test_stacks import ROOT, edit_stack, plan, project  # noqa: F401 (the fixture, by name)

TODAY = NOW.date()
REASON = "reviewed by ops: the legacy client cannot follow a redirect (TICKET-42)"


def _plain_http_web() -> list[Any]:
    """The compliant stack with one mandatory finding: https-only on container 'web'."""
    return replaced(compliant_records(), "web", httpsConnectionsOnly=False)


def _waiver(**fields: Any) -> Waiver:
    values = {"rule": "https-only", "service": "web", "reason": REASON, "expires": "2026-12-31"}
    return Waiver.model_validate({**values, **fields})


# --- the waiver itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ({"rule": "https-only", "service": "web", "expires": "2026-12-31"}, "waivers.0.reason"),
        (
            {"rule": "https-only", "service": "web", "reason": " ", "expires": "2026-12-31"},
            "reason",
        ),
        ({"rule": "https-only", "service": "web", "reason": REASON}, "waivers.0.expires"),
        ({"rule": "https-only", "reason": REASON, "expires": "2026-12-31"}, "exactly one"),
        (
            {
                "rule": "x",
                "service": "a",
                "resource": "b",
                "reason": REASON,
                "expires": "2026-12-31",
            },
            "exactly one",
        ),
    ],
)
def test_a_waiver_needs_a_reason_an_expiry_and_one_target(entry: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        read_waivers([entry], PolicySettings(), "stacks/Pulumi.dev.yaml")
    assert path in str(caught.value)


def test_an_unknown_rule_suggests_the_real_one() -> None:
    entry = {"rule": "https-onyl", "service": "web", "reason": REASON, "expires": "2026-12-31"}
    with pytest.raises(ConfigurationError, match="did you mean https-only"):
        read_waivers([entry], PolicySettings(), "x")


@pytest.mark.parametrize("rule", ["no-plain-secrets", "privilege-escalation", WAIVERS_RULE])
def test_unwaivable_rules_are_a_configuration_error_naming_the_rule(rule: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        evaluate(_plain_http_web(), now=NOW, waivers=[_waiver(rule=rule)])
    assert caught.value.problems[0].path == "waivers[0].rule"
    assert f"{rule} cannot be waived" in str(caught.value)


def test_the_stack_policy_names_the_unwaivable_rules() -> None:
    strict = PolicySettings(unwaivable_rules=frozenset({"https-only"}))
    with pytest.raises(ConfigurationError, match="https-only cannot be waived"):
        evaluate(_plain_http_web(), strict, now=NOW, waivers=[_waiver()])
    # Replacing the default lifts it: a stack may choose to waive no-plain-secrets.
    loose = PolicySettings(unwaivable_rules=frozenset())
    assert evaluate(compliant_records(), loose, now=NOW, waivers=[]) == []


# --- what a waiver does ---------------------------------------------------------------------


def test_a_waived_mandatory_finding_is_advisory_and_keeps_its_message() -> None:
    (plain,) = evaluate(_plain_http_web(), now=NOW)
    (waived,) = evaluate(_plain_http_web(), now=NOW, waivers=[_waiver()])
    assert plain.severity == "mandatory" and waived.severity == "advisory"
    assert (waived.rule, waived.urn, waived.message) == (plain.rule, plain.urn, plain.message)
    assert waived.waiver is not None
    assert (waived.waiver.reason, waived.waiver.expires) == (REASON, "2026-12-31")
    assert waived.to_dict()["waiver"] == {"reason": REASON, "expires": "2026-12-31"}
    assert "waiver" not in plain.to_dict()


@given(offset=st.integers(min_value=-400, max_value=400))
def test_a_waiver_holds_through_its_expiry_day_and_is_a_finding_after(offset: int) -> None:
    today = TODAY + timedelta(days=offset)
    found = evaluate(_plain_http_web(), now=NOW, waivers=[_waiver(expires=TODAY)], today=today)
    https = [f for f in found if f.rule == "https-only"]
    waivers = [f for f in found if f.rule == WAIVERS_RULE]
    if offset <= 0:
        assert [f.severity for f in https] == ["advisory"] and waivers == []
    else:
        assert [f.severity for f in https] == ["mandatory"]
        (expired,) = waivers
        assert expired.severity == "mandatory" and expired.urn == https[0].urn
        assert f"expired on {TODAY.isoformat()}" in expired.message


def test_a_waiver_that_matches_nothing_is_a_finding() -> None:
    found = evaluate(compliant_records(), now=NOW, waivers=[_waiver()])
    (finding,) = found
    assert (finding.rule, finding.severity) == (WAIVERS_RULE, "mandatory")
    assert "matches no finding" in finding.message
    assert finding.urn.endswith("::pulumi:pulumi:Stack::shop-dev")


def test_a_service_waiver_covers_its_resources_only_and_a_resource_waiver_its_name() -> None:
    records = replaced(_plain_http_web(), "billing", httpOption="enabled")
    found = evaluate(records, now=NOW, waivers=[_waiver()])
    by_name = {f.name: f.severity for f in found if f.rule == "https-only"}
    assert by_name == {"billing": "mandatory", "web": "advisory"}
    by_resource = evaluate(records, now=NOW, waivers=[_waiver(service=None, resource="billing")])
    assert {f.name: f.severity for f in by_resource if f.rule == "https-only"} == {
        "billing": "advisory",
        "web": "mandatory",
    }
    by_urn = _waiver(service=None, resource=find(records, "web").urn)
    assert [
        f.severity for f in evaluate(records, now=NOW, waivers=[by_urn]) if f.name == "web"
    ] == ["advisory"]


def test_a_waiver_of_another_rule_waives_nothing() -> None:
    found = evaluate(_plain_http_web(), now=NOW, waivers=[_waiver(rule="image-digest")])
    assert sorted((f.rule, f.severity) for f in found) == [
        ("https-only", "mandatory"),
        (WAIVERS_RULE, "mandatory"),
    ]


# --- the plan's formats ---------------------------------------------------------------------


def _waived_plan(today: date) -> Plan:
    config = {
        "shop:services": "{}",
        "shop:waivers": json.dumps(
            [{"rule": "https-only", "service": "web", "reason": REASON, "expires": "2026-12-31"}]
        ),
    }
    result = Plan(stack="dev", project="shop", resources=_plain_http_web())
    (check,) = default_plan_checks(config, "shop", today=today)
    result.findings.extend(check(result))
    return result


def test_the_plan_shows_a_waived_finding_in_every_format() -> None:
    shown = _waived_plan(TODAY)
    assert not shown.has_mandatory_findings()
    text = render_text(shown)
    assert f"[advisory, waived until 2026-12-31: {REASON}] https-only:" in text
    assert f"| advisory waived until 2026-12-31: {REASON} | `https-only` |" in render_markdown(
        shown
    )
    document = json.loads(render_json(shown))
    (finding,) = document["findings"]
    assert finding["severity"] == "advisory"
    assert finding["waiver"] == {"reason": REASON, "expires": "2026-12-31"}
    # A saved plan keeps the waiver (plan --against reads it back).
    assert plan_from_dict(document).findings[0]["waiver"]["expires"] == "2026-12-31"


def test_the_plan_judges_expiry_against_the_injected_today() -> None:
    late = _waived_plan(date(2027, 1, 1))
    assert late.has_mandatory_findings()
    assert {f["rule"] for f in late.findings} == {"https-only", WAIVERS_RULE}


# --- the CrossGuard pack --------------------------------------------------------------------


def _pack(waivers: list[dict[str, Any]], policy: dict[str, Any] | None = None) -> dict[str, Any]:
    stack = PackStack()
    config = {"shop:waivers": json.dumps(waivers)}
    if policy is not None:
        config["shop:policy"] = json.dumps(policy)
    stack.configure(config, "shop")
    return {p.name: p for p in build_policies(clock=lambda: NOW, stack=stack)} | {"_": stack}


def _run(policies: dict[str, Any], name: str, records: list[Any]) -> Violations:
    policy = policies[name]
    violations = Violations()
    if isinstance(policy, StackValidationPolicy):
        policy.validate(FakeStackArgs(stack_resources(records)), violations)
        return violations
    assert isinstance(policy, ResourceValidationPolicy)
    for r in records:
        args = FakeResourceArgs(r.type, _props(r.inputs), r.urn, r.name)
        args.opts = SimpleNamespace(parent=r.parent)  # type: ignore[attr-defined]
        policy.validate(args, violations)
    return violations


WAIVER_ENTRY = {"rule": "https-only", "service": "web", "reason": REASON, "expires": "2026-12-31"}


def test_the_pack_reports_a_waived_finding_as_advisory_with_its_reason() -> None:
    records = _plain_http_web()
    policies = _pack([WAIVER_ENTRY])
    assert _run(policies, "https-only", records) == []  # not mandatory any more
    (accepted,) = _run(policies, "accepted-findings", records)
    assert accepted[0].startswith("https-only: ")
    assert f"[waived until 2026-12-31: {REASON}]" in accepted[0]
    assert accepted[1] == find(records, "web").urn
    assert _run(policies, WAIVERS_RULE, records) == []
    # Without the waiver the same finding is mandatory, as in the plan.
    assert len(_run(_pack([]), "https-only", records)) == 1


def test_the_pack_reports_expired_and_unmatched_waivers_under_waivers() -> None:
    expired = _pack([{**WAIVER_ENTRY, "expires": "2026-01-01"}])
    records = _plain_http_web()
    assert len(_run(expired, "https-only", records)) == 1
    ((message, _),) = _run(expired, WAIVERS_RULE, records)
    assert "expired on 2026-01-01" in message
    ((unmatched, _),) = _run(_pack([WAIVER_ENTRY]), WAIVERS_RULE, compliant_records())
    assert "matches no finding" in unmatched


def test_the_pack_reads_the_stack_policy_and_refuses_unwaivable_waivers() -> None:
    policies = _pack([WAIVER_ENTRY], {"unwaivable_rules": ["https-only"]})
    stack = policies["_"]
    assert stack.settings is not None and stack.waivers == ()
    ((problem, _),) = _run(policies, WAIVERS_RULE, _plain_http_web())
    assert "https-only cannot be waived" in problem
    public = _pack([], {"forbid_public_services": True})
    assert public["_"].settings.forbid_public_services


def test_the_pack_listens_for_the_stack_configuration() -> None:
    from pulumi_policy import policy as policy_module

    servicer = policy_module._PolicyAnalyzerServicer
    original = servicer.ConfigureStack
    seen: list[Any] = []
    servicer.ConfigureStack = lambda self, request, context: seen.append(request) or "ok"
    try:
        stack = PackStack()
        listen_for_stack_config(stack)
        request = SimpleNamespace(
            config={"shop:waivers": json.dumps([WAIVER_ENTRY]), "shop:other": "1"},
            project="shop",
            tags={},
        )
        assert servicer.ConfigureStack(object(), request, None) == "ok"
    finally:
        servicer.ConfigureStack = original
    assert seen == [request]
    assert [w.rule for w in stack.waivers] == ["https-only"]


# --- stacks through the CLI -----------------------------------------------------------------


def _waive(config: dict[str, Any], **entry: Any) -> None:
    config["private-serverless:waivers"] = [
        {"rule": "https-only", "service": "api", "reason": REASON, "expires": "2099-12-31", **entry}
    ]


def _plain_http_api(config: dict[str, Any]) -> None:
    config["private-serverless:services"]["api"]["https_only"] = False


def test_a_waived_finding_plans_with_exit_0_and_shows_as_waived(project: Path) -> None:  # noqa: F811
    def edit(config: dict[str, Any]) -> None:
        _plain_http_api(config)
        _waive(config)

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    (waived,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "https-only"]
    assert waived["severity"] == "advisory"
    assert waived["waiver"] == {"reason": REASON, "expires": "2099-12-31"}
    for form, marker in (("text", "[advisory, waived until 2099-12-31"), ("markdown", "waived")):
        shown = plan("--stack", "dev", "--format", form, "--env-file", ".env.example")
        assert shown.exit_code == 0 and marker in shown.stdout and REASON in shown.stdout


def test_an_expired_waiver_exits_1(project: Path) -> None:  # noqa: F811
    def edit(config: dict[str, Any]) -> None:
        _plain_http_api(config)
        _waive(config, expires="2001-01-31")

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 1, result.output
    assert "mandatory finding waivers" in result.stderr
    assert "expired on 2001-01-31" in result.stderr
    assert "mandatory finding https-only" in result.stderr


def test_a_waiver_matching_nothing_exits_1(project: Path) -> None:  # noqa: F811
    edit_stack(project, "dev", _waive)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 1, result.output
    assert "matches no finding" in result.stderr


@pytest.mark.parametrize(
    ("stack", "rule"),
    [("dev", "no-plain-secrets"), ("prod", "private-services"), ("prod", "privilege-escalation")],
)
def test_a_waiver_of_an_unwaivable_rule_exits_2_naming_it(
    project: Path,  # noqa: F811
    stack: str,
    rule: str,
) -> None:
    edit_stack(project, stack, lambda config: _waive(config, rule=rule))
    result = plan("--stack", stack, "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert f"stacks/Pulumi.{stack}.yaml" in result.stderr
    assert f"waivers[0].rule: {rule} cannot be waived" in result.stderr
    assert "Traceback" not in result.output


def test_prod_lists_the_unwaivable_rules() -> None:
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    unwaivable = set(document["config"]["private-serverless:policy"]["unwaivable_rules"])
    assert unwaivable >= {"private-services", "no-plain-secrets", "privilege-escalation"}


def test_the_waiver_dates_of_these_tests_are_far_from_today() -> None:
    # The CLI tests use the real date: they hold while 2001 is past and 2099 ahead.
    assert date(2001, 1, 31) < datetime.now(UTC).date() < date(2099, 12, 31)


def test_the_audit_takes_the_same_waivers() -> None:
    from private_serverless.audit.render import render_text as render_audit_text
    from private_serverless.audit.report import build_report

    report = build_report(_plain_http_web(), now=NOW, waivers=[_waiver()])
    assert report.count("mandatory") == 0 and report.count("advisory") == 1
    assert f"[waived until 2026-12-31: {REASON}]" in render_audit_text(report)


def test_a_misspelt_unwaivable_rule_is_an_error_not_a_silent_gap(project: Path) -> None:  # noqa: F811
    def edit(config: dict[str, Any]) -> None:
        config["private-serverless:policy"]["unwaivable_rules"] = ["no-plain-secret"]

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "policy.unwaivable_rules: an entry is no rule id; did you mean no-plain-secrets" in (
        result.stderr
    )
