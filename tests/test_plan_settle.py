"""The offline plan settles pending outputs at a cost flat in their number, as the SDK would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pulumi
import pytest
from private_serverless.plan import run_plan
from private_serverless.plan import settle as settle_module
from pulumi.runtime import stack as runtime_stack


def _chained_applies(count: int, depth: int, seen: list[int]) -> None:
    """``count`` independent chains of ``depth`` applies; each step records that it ran."""
    for index in range(count):
        output: pulumi.Output[int] = pulumi.Output.from_input(index)
        for _ in range(depth):
            output = output.apply(lambda value: (seen.append(value), value)[1])
        pulumi.export(f"chain{index}", output)


def test_every_apply_of_every_chain_runs_before_the_plan_returns() -> None:
    seen: list[int] = []
    plan = run_plan(lambda: _chained_applies(50, 4, seen), project="p", stack="s")
    assert sorted(seen) == sorted(list(range(50)) * 4)
    assert plan.outputs == {f"chain{index}": index for index in range(50)}


def _staggered_outputs(count: int) -> None:
    """``count`` outputs that complete one after another, as engine responses arrive."""

    async def after(turns: int) -> int:
        for _ in range(turns):
            await asyncio.sleep(0)
        return turns

    for index in range(count):
        staggered = pulumi.Output.from_input(asyncio.ensure_future(after(index)))
        pulumi.export(f"o{index}", staggered.apply(lambda value: value))


def test_waiting_touches_each_pending_output_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The SDK's wait hands the whole pending set to asyncio.wait each time one output
    # completes: O(N^2) task visits when they complete one by one. Ours: O(N).
    visits = 0
    real_wait = asyncio.wait

    async def counting_wait(tasks: Iterable[Any], **options: Any) -> Any:
        nonlocal visits
        tasks = list(tasks)
        visits += len(tasks)
        return await real_wait(tasks, **options)

    monkeypatch.setattr(settle_module.asyncio, "wait", counting_wait)
    outputs = 400
    plan = run_plan(lambda: _staggered_outputs(outputs), project="p", stack="s")
    assert plan.outputs == {f"o{index}": index for index in range(outputs)}
    assert 0 < visits <= 4 * outputs


def test_an_apply_that_fails_late_is_raised() -> None:
    class Late(Exception):
        pass

    def fail(value: int) -> int:
        if value == 7:
            raise Late("apply 7")
        return value

    def program() -> None:
        for index in range(20):
            pulumi.export(
                f"o{index}", pulumi.Output.from_input(index).apply(lambda v: v).apply(fail)
            )

    with pytest.raises(Late, match="apply 7"):
        run_plan(program, project="p", stack="s")


def test_the_sdks_wait_is_restored_after_a_run_even_a_failed_one() -> None:
    sdk_wait = runtime_stack.wait_for_rpcs

    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_plan(program, project="p", stack="s")
    assert runtime_stack.wait_for_rpcs is sdk_wait
