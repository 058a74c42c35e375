"""What a plan shows is what `pulumi preview` knows on a new stack: no value the mocks made up."""

from __future__ import annotations

import json
import re

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from private_serverless.plan import render_json, render_markdown, render_text, run_plan
from private_serverless.plan.mocks import (
    DEFAULT_ORGANIZATION_ID,
    DEFAULT_PROJECT_ID,
    ScalewayMocks,
    mock_resource_id,
)
from private_serverless.plan.render.text import KNOWN_AFTER_APPLY
from private_serverless.plan.values import UNKNOWN_PLACEHOLDER

from .test_stacks import plan, project  # noqa: F401  # the fixture and the CLI helper

FORMATS = ("text", "markdown", "json")


def _invented_values(records) -> set[str]:
    """Every value the deployment-style mocks give a resource that is not one of its inputs."""
    mocks = ScalewayMocks()
    found = {DEFAULT_PROJECT_ID, DEFAULT_ORGANIZATION_ID}
    for record in records:
        if not record.custom:
            continue
        found.add(mock_resource_id(record.type, record.name, record.inputs.get("region", "")))

        args = pulumi.runtime.MockResourceArgs(
            typ=record.type,
            name=record.name,
            inputs=dict(record.inputs),
            provider="",
            resource_id="",
        )
        _, state = mocks.new_resource(args)
        for key, value in state.items():
            if key not in record.inputs and isinstance(value, str) and len(value) >= 12:
                found.add(value)
    return found


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_no_made_up_value_in_any_format(project, stack):  # noqa: F811
    from private_serverless.plan.stack_plan import run_stack_plan

    planned = run_stack_plan(stack, env_file=project / ".env.example")
    invented = _invented_values(planned.resources)
    assert invented  # the mocks do make values up: the check below means something
    for output_format in FORMATS:
        result = plan("--stack", stack, "--format", output_format, "--env-file", ".env.example")
        assert result.exit_code == 0, result.output
        leaked = sorted(value for value in invented if value in result.output)
        assert leaked == [], f"{output_format}: made-up values shown: {leaked}"


def test_unknowns_are_spelled_out_in_text_and_markdown_and_marked_in_json(project):  # noqa: F811
    as_json = plan("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    data = json.loads(as_json.output)
    functions = [r for r in data["resources"] if r["type"].endswith("function:Function")]
    assert functions and all(f["inputs"]["namespaceId"] == UNKNOWN_PLACEHOLDER for f in functions)
    assert data["outputs"]["services"]["billing"]["endpoint"] == UNKNOWN_PLACEHOLDER
    for output_format in ("text", "markdown"):
        shown = plan("--stack", "dev", "--format", output_format, "--env-file", ".env.example")
        assert KNOWN_AFTER_APPLY in shown.output
        # Markdown's json blocks must parse as JSON: there, and in the summary line that
        # explains it, unknowns keep the plan JSON's spelling; nowhere else.
        outside = re.sub(r"<summary>.*?</summary>|```json\n.*?\n```", "", shown.output, flags=re.S)
        assert UNKNOWN_PLACEHOLDER not in outside


def test_a_plan_is_a_preview_and_only_a_deployment_run_makes_values_up():
    import pulumiverse_scaleway as scw

    def program() -> None:
        namespace = scw.functions.Namespace("ns")
        scw.functions.Function(
            "fn", namespace_id=namespace.id, privacy="private", runtime="go124", handler="Handle"
        )

    shown = run_plan(program, project="p", stack="s")
    deployed = run_plan(program, project="p", stack="s", preview=False)
    [fn] = [r for r in deployed.resources if r.name == "fn"]
    [shown_fn] = [r for r in shown.resources if r.name == "fn"]
    # The deployment run links the function to a made-up namespace id; the preview cannot.
    assert fn.inputs["namespaceId"] == mock_resource_id(
        "scaleway:functions/namespace:Namespace", "ns"
    )
    assert shown_fn.inputs["namespaceId"] == UNKNOWN_PLACEHOLDER
    for render in (render_text, render_markdown, render_json):
        assert fn.inputs["namespaceId"] not in render(shown)


def test_a_finding_quoting_a_made_up_id_is_rewritten():
    import pulumiverse_scaleway as scw
    from private_serverless.plan.model import Finding

    def program() -> None:
        scw.functions.Namespace("ns")

    made = run_plan(program, project="p", stack="s", preview=False)
    [namespace] = made.resources
    project_id = DEFAULT_PROJECT_ID
    made.findings.append(
        Finding(rule="r", severity="advisory", urn=namespace.urn, message=f"in {project_id}")
    )
    shown = render_text(made)
    assert project_id not in shown
    assert "projectId of ns, known after apply" in shown


# --- the policies judge the preview as they would judge the deployment ----------------------

_PROJECTS = ("aaaaaaaa-1111-4111-8111-111111111111", "bbbbbbbb-2222-4222-8222-222222222222")
_CONDITIONS = (
    None,
    'inIpRange(request.ip, "198.51.100.0/24")',
    'request.user_agent.contains("ci")',
    'inIpRange(request.ip, "198.51.100.0/24") && request.user_agent.contains("ci")',
)


@st.composite
def _stack_texts(draw: st.DrawFn) -> str:
    """A valid stack: services in the default project, a dedicated one or one named by hand
    (possibly the configured default), with conditions, Secret Manager keys and calls."""
    names = [f"s{index}" for index in range(draw(st.integers(1, 4)))]
    services: dict[str, dict[str, object]] = {}
    for name in names:
        service: dict[str, object] = (
            {"kind": "container", "image": "rg.fr-par.scw.cloud/team/app:1"}
            if draw(st.booleans())
            else {
                "kind": "function",
                "runtime": "python312",
                "handler": "handler.handle",
                "source_dir": "services/billing",
            }
        )
        place = draw(st.sampled_from(["default", "dedicated", *_PROJECTS]))
        if place == "dedicated":
            service["dedicated_project"] = True
        elif place != "default":
            service["project_id"] = place
        access: dict[str, object] = {}
        condition = draw(st.sampled_from(_CONDITIONS))
        if condition is not None:
            access["condition"] = condition
        if draw(st.booleans()):
            access["store_key_in_secret_manager"] = True
        if access:
            service["access"] = access
        callees = [other for other in names if other > name and draw(st.booleans())]
        if callees:
            service["calls"] = {
                callee: {"condition": _CONDITIONS[1]} if draw(st.booleans()) else {}
                for callee in callees
            }
        services[name] = service
    config: dict[str, object] = {
        "scaleway:region": "fr-par",
        "private-serverless:services": services,
    }
    if draw(st.booleans()):
        config["scaleway:projectId"] = _PROJECTS[0]
    return json.dumps({"config": config})


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=_stack_texts())
def test_findings_and_access_of_the_preview_are_those_of_the_deployment(project, text):  # noqa: F811
    """The plan judges the preview, where ids and projects are unknown; linked through the
    engine's dependencies and the stack's scaleway:projectId, it must find what a run with
    every value known finds. (250 generated stacks agreed when this was written.)"""
    from private_serverless.policies import evaluate
    from private_serverless.policies.access_matrix import access_matrix
    from private_serverless.project.stack.offline import load_offline_program

    (project / "stacks" / "Pulumi.views.yaml").write_text(text)
    views = []
    for preview in (False, True):
        program, config, secret_keys = load_offline_program(
            "views", project_dir=project, env_file=project / ".env.example", environ={}
        )
        views.append(
            run_plan(
                program,
                project="private-serverless",
                stack="views",
                config=config,
                secret_config_keys=secret_keys,
                preview=preview,
            )
        )
    default = config.get("scaleway:projectId")

    def judged(plan):
        findings = {(f.rule, f.urn) for f in evaluate(plan.resources, default_project_id=default)}
        access = {
            (str(e.principal), e.service.name, e.service.project, e.condition)
            for e in access_matrix(plan.resources, default_project_id=default)
        }
        return findings, access

    deployed, previewed = (judged(plan) for plan in views)
    assert previewed == deployed
