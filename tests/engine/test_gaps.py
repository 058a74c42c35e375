"""The gaps the recordings showed between the offline plan and the engine (issue 24), each held
by a test of its own where the recordings cannot hold it (they record no stack outputs)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from private_serverless.plan.diff import (
    PlanDiff,
    diff_plans,
    render_diff_json,
    render_diff_markdown,
    render_diff_text,
)
from private_serverless.plan.render.text import compact
from private_serverless.plan.values import (
    SECRET_SIGNATURE,
    SIGNATURE_KEY,
    UNKNOWN_SECRET_PLACEHOLDER,
    to_plan_value,
)
from pulumi.runtime.rpc import UNKNOWN

from .compare import RECORDINGS
from .conftest import PlanStack, scenario_files


def _secret(value: object) -> dict[str, object]:
    return {SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}


def test_a_secret_unknown_before_the_apply_is_shown_unknown_not_known() -> None:
    assert to_plan_value(_secret(UNKNOWN)) == UNKNOWN_SECRET_PLACEHOLDER
    assert to_plan_value(_secret({"KEY": UNKNOWN, "OTHER": "x"})) == UNKNOWN_SECRET_PLACEHOLDER
    assert to_plan_value(_secret("known")) == "[secret]"
    assert compact({"secretEnvironmentVariables": UNKNOWN_SECRET_PLACEHOLDER}) == (
        '{"secretEnvironmentVariables": (secret, known after apply)}'
    )


def _outputs_diff(plan_stack: PlanStack, name: str) -> PlanDiff:
    base = plan_stack("dev", RECORDINGS / "scenarios" / "base.Pulumi.dev.yaml")
    return diff_plans(base, plan_stack("dev", *scenario_files(name)))


@pytest.mark.parametrize(
    ("scenario", "changing"),
    [
        # A region change replaces billing's namespace and function: a new endpoint.
        ("b-region-billing", {"billing_endpoint", "billing_registry_endpoint"}),
        # The first rotation creates billing-key-gen1, the new active key.
        ("a-rotate-gen1", {"billing_api_key"}),
        # A dedicated project moves reports: new project, namespace, function and key.
        (
            "k-dedicated-reports",
            {
                "reports_project_id",
                "reports_endpoint",
                "reports_api_key",
                "reports_registry_endpoint",
            },
        ),
    ],
)
def test_outputs_that_become_unknown_are_named_as_changing(
    plan_stack: PlanStack, scenario: str, changing: set[str]
) -> None:
    diff = _outputs_diff(plan_stack, scenario)
    service = next(iter(changing)).split("_", 1)[0]
    nested = {f"services.{service}.{name.split('_', 1)[1]}" for name in changing}
    assert {item.path for item in diff.outputs} == changing | nested
    text = render_diff_text(diff)
    assert f"{len(changing | nested)} outputs changed" in text
    for path in changing:
        assert f"~ {path}: a new " in text


def test_a_key_lifetime_change_changes_no_output(plan_stack: PlanStack) -> None:
    # The kept keys keep their expiresAt (ignore_changes): the engine reports no output change.
    diff = _outputs_diff(plan_stack, "x2-key-lifetime")
    assert diff.outputs == ()
    assert diff.with_op("create", "update", "replace", "delete") == ()


def test_null_outputs_are_not_exported(plan_stack: PlanStack) -> None:
    plan = plan_stack("dev", RECORDINGS / "new-stacks" / "Pulumi.dev.yaml")
    assert None not in plan.outputs.values()
    assert "billing_key_secret_id" not in plan.outputs
    # Inside an exported map a null stays (the engine keeps it there).
    assert plan.outputs["services"]["billing"]["key_secret_id"] is None


@pytest.mark.parametrize("render", [render_diff_text, render_diff_markdown, render_diff_json])
def test_a_secret_change_without_a_plan_key_is_never_no_changes(
    plan_stack: PlanStack, render: Callable[[PlanDiff], str]
) -> None:
    # g-secret-billing: only BILLING_DB_PASSWORD changed, in the env file; no plan key.
    diff = _outputs_diff(plan_stack, "g-secret-billing")
    assert diff.is_empty  # nothing certain ...
    assert "billing-function" in {change.name for change in diff.possibly_updated}
    shown = render(diff)
    assert "No changes" not in shown
    assert "rotated-dev-db-password-2" not in shown and "example-dev-db-password" not in shown
    if render is render_diff_json:
        assert "billing-function" in json.loads(shown)["possibly_updated"]
    else:
        assert "may change: secret values not comparable" in shown
        assert "possibly updated: " in shown and "billing-function" in shown


def test_with_a_plan_key_the_same_change_updates_the_function(plan_stack: PlanStack) -> None:
    base = plan_stack("dev", RECORDINGS / "scenarios" / "base.Pulumi.dev.yaml", None, "k")
    diff = diff_plans(base, plan_stack("dev", *scenario_files("g-secret-billing"), "k"))
    assert [(c.name, c.op) for c in diff.with_op("update")] == [("billing-function", "update")]
    assert "billing-function" not in {change.name for change in diff.possibly_updated}
    assert render_diff_text(diff).startswith("Changes to stack dev:")


def test_dedicated_project_off_keeps_everything_and_blocks_on_the_project_it_empties(
    plan_stack: PlanStack,
) -> None:
    # Gap 1 (x4-dedicated-off-billing): the namespace's projectId is optional and computed, so
    # no longer sending it is no change; the engine deletes only billing-project, which still
    # holds billing's namespace: a deletion Scaleway refuses, so the diff says it blocks.
    base = plan_stack("dev", RECORDINGS / "scenarios" / "base.Pulumi.dev.yaml")
    diff = diff_plans(base, plan_stack("dev", *scenario_files("x4-dedicated-off-billing")))
    changed = {change.name: change.op for change in diff.resources if change.op != "same"}
    assert changed == {"billing-project": "delete"}
    (blocking,) = (change for change in diff.breaking if change.what == "project")
    assert blocking.name == "billing-project"
    assert "billing-namespace" in blocking.describe()
    assert "project_id" in blocking.describe()
    for render in (render_diff_text, render_diff_markdown, render_diff_json):
        assert "billing-namespace" in render(diff)
