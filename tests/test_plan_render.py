"""Renderers: every format shows the placeholder and never a secret; JSON is exact and stable."""

from __future__ import annotations

import json

import pytest
from private_serverless.core.inventory import SECRET_PLACEHOLDER
from private_serverless.plan import (
    Plan,
    PlanError,
    plan_from_dict,
    render_json,
    render_markdown,
    render_text,
    run_plan,
)
from private_serverless.plan.render.markdown import access_edges

from tests.plan_toy import (
    ALL_SECRETS,
    API_KEY,
    APPLICATION,
    FUNCTION,
    POLICY,
    PROJECT,
    STACK,
    TOY_CONFIG,
    TOY_SECRET_KEYS,
    child_urn,
    toy_program,
)


@pytest.fixture(scope="module")
def toy_plan() -> Plan:
    plan = run_plan(
        toy_program(),
        project=PROJECT,
        stack=STACK,
        config=TOY_CONFIG,
        secret_config_keys=TOY_SECRET_KEYS,
    )
    plan.findings.append(
        {
            "rule": "private-only",
            "severity": "advisory",
            "urn": child_urn(FUNCTION, "billing-fn"),
            "message": "looks fine",
        }
    )
    return plan


@pytest.mark.parametrize("render", [render_text, render_markdown, render_json])
def test_no_format_shows_a_secret(toy_plan: Plan, render) -> None:
    rendered = render(toy_plan)
    for secret in ALL_SECRETS:
        assert secret not in rendered
    assert SECRET_PLACEHOLDER in rendered


def test_json_has_the_exact_shape(toy_plan: Plan) -> None:
    data = json.loads(render_json(toy_plan))
    assert list(data) == [
        "stack",
        "project",
        "resources",
        "outputs",
        "waves",
        "access",
        "capabilities",
        "weakened",
        "findings",
        "archives",
        "output_sources",
    ]
    assert data["access"] == []  # FunctionsReadOnly calls nothing
    assert (data["stack"], data["project"], data["waves"]) == (STACK, PROJECT, 2)
    for resource in data["resources"]:
        assert list(resource) == [
            "urn",
            "type",
            "name",
            "parent",
            "custom",
            "inputs",
            "dependencies",
            "protect",
            "ignore_changes",
            "replace_on_changes",
            "aliases",
            "property_dependencies",
            "secret_digests",
            "secret_names",
        ]
    assert list(data["findings"][0]) == ["rule", "severity", "urn", "message"]
    function = next(r for r in data["resources"] if r["type"] == FUNCTION)
    assert list(function["inputs"]) == sorted(function["inputs"])
    assert function["inputs"]["minScale"] == 0
    assert render_json(toy_plan).startswith('{\n  "stack": ')


def test_json_round_trips(toy_plan: Plan) -> None:
    text = render_json(toy_plan)
    assert render_json(plan_from_dict(json.loads(text))) == text


def test_invalid_plan_data_is_a_plan_error_without_values() -> None:
    with pytest.raises(PlanError) as raised:
        plan_from_dict({"stack": "dev", "project": 3, "resources": "PLANTED"}, source="x.json")
    message = str(raised.value)
    assert message.startswith("x.json: not a valid plan")
    assert "project" in message
    assert "PLANTED" not in message


def test_text_is_a_plain_tree(toy_plan: Plan) -> None:
    text = render_text(toy_plan)
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[0] == (
        f"Plan for stack {STACK} (project {PROJECT}): 5 resources, 1 components, 2 deploy waves"
    )
    assert lines[2:4] == [
        f"pulumi:pulumi:Stack {PROJECT}-{STACK}",
        "└── test:toy:Service billing (component)",
    ]
    assert f"{FUNCTION} billing-fn  [protected]" in text
    # A secret map shows its variable names, never a value.
    assert f'secretEnvironmentVariables = {{"API_TOKEN": "{SECRET_PLACEHOLDER}"}}' in text
    assert "depends on: billing-ns (Namespace)" in text
    assert f"  token = {SECRET_PLACEHOLDER}" in text
    assert "[advisory] private-only: looks fine (billing-fn)" in text
    assert f"warning: token in use: {SECRET_PLACEHOLDER}" in text


def test_markdown_has_summary_diagram_tables_and_details(toy_plan: Plan) -> None:
    markdown = render_markdown(toy_plan)
    assert markdown.startswith(f"## Offline plan: stack `{STACK}` (project `{PROJECT}`)")
    assert f"| `{FUNCTION}` | 1 |" in markdown
    # The toy's policy grants FunctionsReadOnly, which calls no function: nobody can call it.
    assert "### Access\n\nNo principal can call a service." in markdown
    assert "### `billing` (`test:toy:Service`)" in markdown
    assert "| `billing-fn` | `Function` | `billing-ns (Namespace)` | yes |" in markdown
    # Unknown values keep the plan JSON's spelling inside the json block, and the summary says so.
    assert (
        "<summary>Inputs of <code>billing-fn</code> (&quot;[unknown]&quot;: known after apply)"
        in markdown
    )
    assert "### Findings" in markdown
    assert f"| `token` | `{SECRET_PLACEHOLDER}` |" in markdown


def test_access_edges_go_service_application_grants(toy_plan: Plan) -> None:
    edges = {(source.urn, target.urn) for source, target in access_edges(toy_plan)}
    application = child_urn(APPLICATION, "billing-caller")
    assert edges == {
        (child_urn(FUNCTION, "billing-fn"), application),
        (application, child_urn(POLICY, "billing-invoke")),
        (application, child_urn(API_KEY, "billing-key")),
    }
