"""diff_plans: added, removed and changed resources and outputs, secret-free in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


# --- an untrusted base file: what is secret in either plan is secret in the diff -------------

_SECRET_MARKS = (SECRET_PLACEHOLDER, "[unknown secret]")


def _secret_places(value: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The paths below ``value`` (a plan's inputs or outputs) that hold a secret mark."""
    if value in _SECRET_MARKS:
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _secret_places(item, (*path, key))]
    return []


def _plant(document: dict[str, object], path: tuple[str, ...], value: object) -> None:
    for key in path[:-1]:
        child = document.get(key)
        if not isinstance(child, dict):
            child = document[key] = {}
        document = child
    document[path[-1]] = value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    token=st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ23456789", min_size=10, max_size=24).map(
        lambda t: f"clear-{t}"
    ),
    shape=st.sampled_from(["string", "map", "list"]),
    picks=st.data(),
)
def test_a_base_file_holding_clear_values_under_secrets_never_gets_them_echoed(
    base: Plan, head: Plan, token: str, shape: str, picks: st.DataObject
) -> None:
    """Issue 23: a base plan holding a value in clear under a secret input of the head, or as
    a secret output, got it printed in the diff."""
    head_data = plan_to_dict(head)
    places = [
        ("resource", r["urn"], p)
        for r in head_data["resources"]
        for p in _secret_places(r["inputs"])
    ] + [("output", "", p) for p in _secret_places(head_data["outputs"])]
    chosen = picks.draw(st.lists(st.sampled_from(places), min_size=1, unique=True))
    clear: object = {"string": token, "map": {"API_TOKEN": token}, "list": [token, "x"]}[shape]
    data = plan_to_dict(base)
    by_urn = {r["urn"]: r for r in data["resources"]}
    for where, urn_, path in chosen:
        if where == "output":
            _plant(data["outputs"], path, clear)
        elif urn_ in by_urn:
            _plant(by_urn[urn_]["inputs"], path, clear)
    # A resolved finding of the base quoting the value: free text is masked too.
    data["findings"] = [
        {**data["findings"][0], "message": f"planted {token} in a message"}
        for _ in data["findings"][:1]
    ]
    diff = diff_plans(data, head)
    for render in (render_diff_text, render_diff_markdown, render_diff_json):
        assert token not in render(diff)


def test_an_input_the_base_marks_secret_is_masked_in_both_plans(base: Plan) -> None:
    data = plan_to_dict(base)
    function = next(r for r in data["resources"] if r["type"] == FUNCTION)
    function["inputs"]["environmentVariables"] = SECRET_PLACEHOLDER
    diff = diff_plans(data, base)
    shown = render_diff_text(diff)
    head_env = next(r for r in base.resources if r.type == FUNCTION).inputs["environmentVariables"]
    for value in head_env.values():
        assert f'"{value}"' not in shown
