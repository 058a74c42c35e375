"""Public on purpose: ``privacy: public`` with a mandatory ``public_reason``.

A gateway in front of private services is a sound design: it is an advisory finding showing its
reason in every plan format and as "anyone" in the access matrix, unless the stack's policy
forbids public services; it calls private services with its own identity.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateContainer, PrivateContainerArgs, PrivateFunction
from private_serverless.access.public_access import (
    PUBLIC_REASON_MAX_LENGTH,
    public_reason_of,
    public_reason_tag,
)
from private_serverless.errors import ConfigurationError
from private_serverless.policies import PolicySettings, evaluate
from private_serverless.policies.access_matrix import access_matrix

from ._policy_records import NOW, compliant_records, find, replaced
from .test_policies_crossguard import POLICIES, run_resource_policy, run_stack_policy
from .test_stacks import ROOT, edit_stack, plan, project  # noqa: F401 (the fixture, by name)

REASON = "CORS front of the shop; forwards to billing and api"
GATEWAY = {
    "kind": "container",
    "image": "rg.fr-par.scw.cloud/team/gateway:1.0.0",
    "port": 8080,
    "privacy": "public",
    "public_reason": REASON,
    "calls": {"billing": {}, "api": {}},
}


def _with_gateway(config: dict[str, Any], **changes: Any) -> None:
    config["private-serverless:services"]["gateway"] = {**GATEWAY, **changes}


# --- arguments ------------------------------------------------------------------------------


def _gateway_args(**extra: Any) -> dict[str, Any]:
    return {"image": "rg.fr-par.scw.cloud/team/gateway:1.0.0", "privacy": "public", **extra}


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_public_without_a_reason_names_public_reason(reason: str | None) -> None:
    extra = {} if reason is None else {"public_reason": reason}
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainer("gateway", _gateway_args(**extra))
    assert [p.path for p in caught.value.problems] == ["public_reason"]
    assert "required with privacy public" in str(caught.value)


def test_a_reason_on_a_private_service_is_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/a/b:1", public_reason="why not")
    assert "public_reason" in str(caught.value) and "only for privacy public" in str(caught.value)


def test_a_reason_longer_than_its_tag_allows_is_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainer(
            "gateway", _gateway_args(public_reason="x" * (PUBLIC_REASON_MAX_LENGTH + 1))
        )
    assert [p.path for p in caught.value.problems] == ["public_reason"]


def test_a_caller_condition_on_a_public_service_is_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainer(
            "gateway",
            _gateway_args(public_reason=REASON, access={"condition": 'request.ip == "1.2.3.4"'}),
        )
    assert "access.condition" in str(caught.value)


@given(st.text(min_size=1, max_size=PUBLIC_REASON_MAX_LENGTH).filter(lambda t: t.strip()))
def test_the_reason_tag_round_trips(reason: str) -> None:
    assert public_reason_of(["env-dev", public_reason_tag(reason)]) == reason.strip()
    assert public_reason_of([public_reason_tag(reason), public_reason_tag(reason + "!")]) is None


# --- resources ------------------------------------------------------------------------------


def test_a_public_service_has_no_caller_key_and_calls_private_ones(
    plan_of: Any, source_dir: Path
) -> None:
    def program() -> None:
        billing = PrivateFunction(
            "billing",
            {"runtime": "python312", "handler": "handler.handle", "source_dir": source_dir},
        )
        gateway = PrivateContainer(
            "gateway", _gateway_args(public_reason=REASON, calls=[{"service": billing}])
        )
        assert gateway.application is None and gateway.policy is None and not gateway.api_keys
        with pytest.raises(ConfigurationError, match="public"):
            gateway.grant_invoke("ci", "aaaaaaaa-0000-4000-8000-000000000009")

    result = plan_of(program)
    names = {r.name for r in result.resources}
    assert {"gateway-identity", "gateway-calls-billing", "gateway-calls-billing-key-gen0"} <= names
    assert not {"gateway-app", "gateway-policy", "gateway-key-gen0"} & names
    container = next(r for r in result.resources if r.name == "gateway-container")
    assert container.inputs["privacy"] == "public"
    assert public_reason_tag(REASON) in container.inputs["tags"]
    assert "BILLING_URL" in container.inputs["environmentVariables"]
    private = next(r for r in result.resources if r.name == "billing-function")
    assert private.inputs["privacy"] == "private"


# --- rules ----------------------------------------------------------------------------------


def _public_billing(reason: str | None = REASON, **inputs: Any) -> list[Any]:
    tags = [public_reason_tag(reason)] if reason is not None else []
    return replaced(compliant_records(), "billing", privacy="public", tags=tags, **inputs)


@settings(max_examples=40)
@given(
    reason=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
    ).filter(lambda t: t.strip() == t and t),
    forbid=st.booleans(),
)
def test_public_on_purpose_is_advisory_unless_the_stack_forbids_it(
    reason: str, forbid: bool
) -> None:
    found = [
        f
        for f in evaluate(
            _public_billing(reason), PolicySettings(forbid_public_services=forbid), now=NOW
        )
        if f.rule == "private-services"
    ]
    (finding,) = found
    assert reason in finding.message
    assert finding.severity == ("mandatory" if forbid else "advisory")
    if forbid:
        assert "forbid_public_services" in finding.message


def test_public_without_a_reason_tag_stays_mandatory() -> None:
    (finding,) = [
        f for f in evaluate(_public_billing(None), now=NOW) if f.rule == "private-services"
    ]
    assert finding.severity == "mandatory" and "public_reason" in finding.message


def test_plain_http_is_advisory_on_a_public_service_and_mandatory_on_a_private_one() -> None:
    public = [
        f
        for f in evaluate(_public_billing(httpOption="enabled"), now=NOW)
        if f.rule == "https-only"
    ]
    private = [
        f
        for f in evaluate(replaced(compliant_records(), "billing", httpOption="enabled"), now=NOW)
        if f.rule == "https-only"
    ]
    assert [f.severity for f in public] == ["advisory"]
    assert "no key of its callers travels in clear" in public[0].message
    assert [f.severity for f in private] == ["mandatory"]


def test_the_matrix_shows_anyone_with_the_reason() -> None:
    entries = access_matrix(_public_billing())
    anyone = [e for e in entries if e.principal.kind == "anyone"]
    assert [(str(e.principal), e.service.name) for e in anyone] == [("anyone", "billing")]
    assert anyone[0].to_dict()["public_reason"] == REASON
    assert all(e.to_dict().get("public_reason") is None for e in entries if e not in anyone)


def test_crossguard_reports_the_advisory_under_accepted_findings() -> None:
    records = _public_billing()
    billing = find(records, "billing")
    assert run_resource_policy("private-services", [billing]) == []
    accepted = run_stack_policy("accepted-findings", records)
    assert [(m.split(":")[0], urn) for m, urn in accepted] == [("private-services", billing.urn)]
    assert REASON in accepted[0][0]
    assert POLICIES["accepted-findings"].enforcement_level.value == "advisory"


# --- stacks ---------------------------------------------------------------------------------


def test_a_public_gateway_calling_two_private_services_plans_with_exit_0_in_dev(
    project: Path,  # noqa: F811
) -> None:
    edit_stack(project, "dev", _with_gateway)
    result = plan("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    (finding,) = [f for f in document["findings"] if f["rule"] == "private-services"]
    assert finding["severity"] == "advisory" and REASON in finding["message"]
    anyone = [e for e in document["access"] if e["principal"]["kind"] == "anyone"]
    assert [(e["service"]["name"], e["public_reason"]) for e in anyone] == [("gateway", REASON)]
    identity = [e for e in document["access"] if e["principal"]["name"].startswith("gateway (")]
    assert {e["service"]["name"] for e in identity} >= {"billing", "api"}
    for form in ("text", "markdown"):
        shown = plan("--stack", "dev", "--format", form, "--env-file", ".env.example")
        assert shown.exit_code == 0, shown.output
        assert REASON in shown.stdout and "anyone" in shown.stdout


def test_the_same_gateway_exits_1_where_the_policy_forbids_public_services(
    project: Path,  # noqa: F811
) -> None:
    def edit(config: dict[str, Any]) -> None:
        _with_gateway(config)
        config["private-serverless:policy"]["forbid_public_services"] = True

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 1, result.output
    assert "mandatory finding private-services" in result.stderr
    assert "forbid_public_services" in result.stderr


def test_prod_forbids_public_services() -> None:
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    assert document["config"]["private-serverless:policy"]["forbid_public_services"] is True


def test_a_public_service_without_a_reason_in_a_stack_is_exit_2_naming_the_key(
    project: Path,  # noqa: F811
) -> None:
    edit_stack(project, "dev", lambda config: _with_gateway(config, public_reason=None))
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "stacks/Pulumi.dev.yaml" in result.stderr
    assert "services.gateway.public_reason" in result.stderr
