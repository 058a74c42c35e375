"""diff_plans: added, removed and changed resources and outputs, secret-free in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from private_serverless.core.inventory import SECRET_PLACEHOLDER
from private_serverless.errors import PrivateServerlessError
from private_serverless.plan import (
    Plan,
    PlanError,
    ValueChange,
    diff_plans,
    load_plan_file,
    plan_to_dict,
    render_diff_json,
    render_diff_markdown,
    render_diff_text,
    run_plan,
)

from tests.plan_toy import (
    ALL_SECRETS,
    APPLICATION,
    FUNCTION,
    PROJECT,
    STACK,
    TOY_CONFIG,
    TOY_SECRET_KEYS,
    child_urn,
    toy_program,
    urn,
)


def _plan(**options: object) -> Plan:
    return run_plan(
        toy_program(**options),  # type: ignore[arg-type]
        project=PROJECT,
        stack=STACK,
        config=TOY_CONFIG,
        secret_config_keys=TOY_SECRET_KEYS,
    )


@pytest.fixture(scope="module")
def base() -> Plan:
    return _plan()


@pytest.fixture(scope="module")
def head() -> Plan:
    return _plan(mode="staging", extra=True)


def test_identical_plans_have_no_changes(base: Plan) -> None:
    diff = diff_plans(base, _plan())
    assert diff.is_empty
    # Without a plan key its secrets cannot be compared: never "No changes" then.
    assert diff.possibly_updated
    assert render_diff_text(diff).startswith(f"Stack {STACK} may change: secret values")


def test_added_changed_and_removed_resources(base: Plan, head: Plan) -> None:
    diff = diff_plans(base, head)
    assert [r.urn for r in diff.added] == [urn(APPLICATION, "auditor")]
    assert diff.removed == ()
    assert [(c.urn, c.changes) for c in diff.changed] == [
        (
            child_urn(FUNCTION, "billing-fn"),
            (ValueChange("environmentVariables.MODE", "changed", "prod", "staging"),),
        )
    ]
    reverse = diff_plans(head, base)
    assert [r.urn for r in reverse.removed] == [urn(APPLICATION, "auditor")]


def test_input_and_output_changes_but_not_options(base: Plan) -> None:
    data = plan_to_dict(base)
    function = next(r for r in data["resources"] if r["type"] == FUNCTION)
    function["protect"] = False  # an option, not an input: the engine updates nothing for it
    del function["inputs"]["privacy"]
    data["outputs"]["endpoint"] = "old.example"
    diff = diff_plans(data, base)
    [change] = diff.changed
    assert change.op == "update"
    assert change.changes == (ValueChange("privacy", "added", None, "private"),)
    # The endpoint comes from the function, which is updated, not replaced: the engine reads
    # it from the state, whatever the base plan said.
    assert diff.outputs == ()
    data["outputs"]["plain"] = "gone"  # an output no resource is behind, compared by value
    assert [(c.path, c.kind) for c in diff_plans(data, base).outputs] == [("plain", "removed")]
    function["inputs"]["privacy"] = "private"
    assert diff_plans(data, base).with_op("update") == ()


def test_a_dict_that_is_not_a_plan_is_rejected(base: Plan) -> None:
    with pytest.raises(PrivateServerlessError, match="base plan: not a valid plan"):
        diff_plans({"stack": "dev"}, base)


@pytest.mark.parametrize("render", [render_diff_text, render_diff_markdown, render_diff_json])
def test_diff_formats_show_no_secret(base: Plan, head: Plan, render) -> None:
    data = plan_to_dict(head)
    # A secret input that appears in the head must be shown as the placeholder.
    function = next(r for r in data["resources"] if r["type"] == FUNCTION)
    del function["inputs"]["secretEnvironmentVariables"]
    rendered = render(diff_plans(data, head))
    for secret in ALL_SECRETS:
        assert secret not in rendered
    assert SECRET_PLACEHOLDER in rendered


def test_diff_renderings(base: Plan, head: Plan) -> None:
    diff = diff_plans(base, head)
    text = render_diff_text(diff)
    assert f"+ create {APPLICATION} auditor" in text
    assert f"~ update {FUNCTION} billing-fn" in text
    assert '~ environmentVariables.MODE: "prod" → "staging"' in text
    markdown = render_diff_markdown(diff)
    assert "| create | `auditor` | `Application` |  |" in markdown
    assert "| update | `billing-fn` | `Function` | `environmentVariables` |" in markdown
    assert '| `environmentVariables.MODE` | `"prod"` | `"staging"` |' in markdown
    data = json.loads(render_diff_json(diff))
    ops = {item["name"]: item["op"] for item in data["resources"]}
    assert ops["auditor"] == "create"
    assert ops["billing-fn"] == "update"
    assert set(ops.values()) == {"create", "update", "same"}
    assert data["summary"] == {"create": 1, "update": 1, "replace": 0, "delete": 0, "same": 5}
    [function] = [item for item in data["resources"] if item["name"] == "billing-fn"]
    assert function["changes"] == [
        {"path": "environmentVariables.MODE", "kind": "changed", "old": "prod", "new": "staging"}
    ]


def test_loading_a_plan_file(tmp_path: Path, base: Plan) -> None:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(plan_to_dict(base)))
    assert diff_plans(load_plan_file(path), base).is_empty


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"stack": "dev"}', "not a valid plan"),
        ("[]", "not a valid plan"),
        (None, "cannot read the plan file"),
    ],
)
def test_a_bad_plan_file_is_an_error_naming_it(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    path = tmp_path / "base.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(PlanError) as raised:
        load_plan_file(path)
    assert str(raised.value).startswith(str(path))
    assert reason in str(raised.value)
