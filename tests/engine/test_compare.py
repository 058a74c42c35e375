"""The recording comparison catches a one-sided change: one input or one operation changed in
a copy of the recording only, or in a copy of the plan only, is reported by resource and
property; an expected difference that no longer differs is reported as stale."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from private_serverless.plan.diff import diff_plans, diff_to_dict
from private_serverless.plan.render.json import plan_to_dict

from .compare import (
    RECORDINGS,
    Difference,
    ExpectedDifference,
    compare_new_stack,
    compare_operations,
    read_json,
    report,
    unexplained,
)
from .conftest import TEST_PLAN_KEY, PlanStack, scenario_files

RECORDING = "new-stacks/dev"
FUNCTION_URN = (
    "urn:pulumi:dev::private-serverless::private-serverless:index:PrivateFunction"
    "$scaleway:functions/function:Function::billing-function"
)


@pytest.fixture(scope="module")
def dev(plan_stack: PlanStack) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dev recording and the plan of its stack file, which agree."""
    folder = RECORDINGS / "new-stacks"
    plan = plan_to_dict(plan_stack("dev", folder / "Pulumi.dev.yaml"))
    engine = read_json(folder / "dev.engine-preview.json")
    assert compare_new_stack(RECORDING, engine, plan) == []
    return engine, plan


def _resource(document: dict[str, Any], urn: str) -> dict[str, Any]:
    [found] = [item for item in document["resources"] if item["urn"] == urn]
    return found


def _new_differences(engine: dict[str, Any], plan: dict[str, Any]) -> list[Difference]:
    return [
        d for d in compare_new_stack(RECORDING, engine, plan) if d.resource != "reports-function"
    ]


@pytest.mark.parametrize("side", ["engine", "plan"])
def test_one_input_changed_on_one_side_is_reported(dev, side: str) -> None:
    engine, plan = copy.deepcopy(dev)
    target = engine if side == "engine" else plan
    _resource(target, FUNCTION_URN)["inputs"]["memoryLimit"] = 4096
    [difference] = _new_differences(engine, plan)
    assert difference.key == (RECORDING, "billing-function", "inputs.memoryLimit")
    assert ("4096" in difference.engine) == (side == "engine")
    assert ("4096" in difference.plan) == (side == "plan")
    assert "billing-function: inputs.memoryLimit: engine" in report(RECORDING, [difference])


@pytest.mark.parametrize("side", ["engine", "plan"])
def test_one_nested_input_or_option_changed_on_one_side_is_reported(dev, side: str) -> None:
    engine, plan = copy.deepcopy(dev)
    target = engine if side == "engine" else plan
    resource = _resource(target, FUNCTION_URN)
    resource["inputs"]["environmentVariables"]["LOG_LEVEL"] = "trace"
    resource["ignoreChanges" if side == "engine" else "ignore_changes"] = ["runtime"]
    found = {d.property for d in _new_differences(engine, plan)}
    assert found == {"inputs.environmentVariables.LOG_LEVEL", "ignoreChanges"}


def test_a_resource_on_one_side_only_is_reported(dev) -> None:
    engine, plan = copy.deepcopy(dev)
    plan["resources"] = [r for r in plan["resources"] if r["urn"] != FUNCTION_URN]
    [difference] = _new_differences(engine, plan)
    assert (difference.property, difference.engine, difference.plan) == ("exists", "yes", "no")


@pytest.fixture(scope="module")
def region_change(plan_stack: PlanStack) -> tuple[dict[str, Any], dict[str, Any]]:
    """The b-region-billing recording and the diff of ``plan --against``, which agree."""
    base = plan_stack("dev", RECORDINGS / "scenarios" / "base.Pulumi.dev.yaml", None, TEST_PLAN_KEY)
    head = plan_stack("dev", *scenario_files("b-region-billing"), TEST_PLAN_KEY)
    engine = read_json(RECORDINGS / "scenarios" / "b-region-billing" / "engine-preview.json")
    diff = diff_to_dict(diff_plans(base, head))
    assert compare_operations("b", engine, diff) == []
    return engine, diff


def test_one_operation_changed_in_the_recording_only_is_reported(region_change) -> None:
    engine, diff = copy.deepcopy(region_change)
    [step] = [s for s in engine["steps"] if s["urn"] == FUNCTION_URN]
    step["op"] = "update"
    assert compare_operations("b", engine, diff) == [
        Difference("b", "billing-function", "op", "update", "replace")
    ]


def test_one_operation_changed_in_the_plan_only_is_reported(region_change) -> None:
    engine, diff = copy.deepcopy(region_change)
    # A resource the recording does not list is `same` to the engine.
    [app] = [r for r in diff["resources"] if r["name"] == "billing-app"]
    app["op"] = "update"
    assert compare_operations("b", engine, diff) == [
        Difference("b", "billing-app", "op", "same", "update")
    ]


def test_expected_entries_explain_differences_and_stale_ones_are_reported() -> None:
    found = [Difference("r", "billing-function", "op", "same", "replace")]
    explained = ExpectedDifference("r", "billing-function", "op", "on purpose")
    stale = ExpectedDifference("r", "billing-app", "op", "fixed since")
    other = ExpectedDifference("other", "billing-app", "op", "another recording")
    assert unexplained(found, [explained, stale, other], "r") == ([], [stale])
    assert unexplained(found, [], "r") == (found, [])
    assert "Stale entries" in report("r", [], [stale])
