"""The offline plan against what the real Pulumi engine did with the same stack files.

See recordings/README.md for how and on which versions they were made, compare.py for what
is compared, and expected_differences.yaml for the differences made on purpose.
"""

from __future__ import annotations

import pytest
from private_serverless.plan.diff import diff_plans, diff_to_dict
from private_serverless.plan.render.json import plan_to_dict

from .compare import (
    RECORDINGS,
    compare_new_stack,
    compare_operations,
    load_expected,
    new_stacks,
    read_json,
    report,
    scenario_base,
    scenarios,
    unexplained,
)
from .conftest import TEST_PLAN_KEY, PlanStack, scenario_files

EXPECTED = load_expected()


@pytest.mark.parametrize("stack", new_stacks())
def test_new_stack_plan_equals_the_engine_preview(plan_stack: PlanStack, stack: str) -> None:
    folder = RECORDINGS / "new-stacks"
    recording = f"new-stacks/{stack}"
    plan = plan_stack(stack, folder / f"Pulumi.{stack}.yaml")
    engine = read_json(folder / f"{stack}.engine-preview.json")
    found = compare_new_stack(recording, engine, plan_to_dict(plan))
    differences, stale = unexplained(found, EXPECTED, recording)
    if differences or stale:
        pytest.fail(report(recording, differences, stale), pytrace=False)


def _scenario_diff(plan_stack: PlanStack, name: str) -> dict:
    base_name = scenario_base(name)
    if base_name is None:
        base = plan_stack(
            "dev", RECORDINGS / "scenarios" / "base.Pulumi.dev.yaml", None, TEST_PLAN_KEY
        )
    else:
        base = plan_stack("dev", *scenario_files(base_name), TEST_PLAN_KEY)
    head = plan_stack("dev", *scenario_files(name), TEST_PLAN_KEY)
    return diff_to_dict(diff_plans(base, head))


@pytest.mark.parametrize("name", scenarios())
def test_plan_against_gives_the_engine_operations(plan_stack: PlanStack, name: str) -> None:
    recording = f"scenarios/{name}"
    engine = read_json(RECORDINGS / "scenarios" / name / "engine-preview.json")
    found = compare_operations(recording, engine, _scenario_diff(plan_stack, name))
    differences, stale = unexplained(found, EXPECTED, recording)
    if differences or stale:
        pytest.fail(report(recording, differences, stale), pytrace=False)


def test_every_expected_difference_names_a_recording() -> None:
    known = {f"new-stacks/{s}" for s in new_stacks()} | {f"scenarios/{s}" for s in scenarios()}
    assert not [e for e in EXPECTED if e.recording not in known]
