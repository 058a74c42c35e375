"""An offline run collects no garbage as it goes, and all of it once, at the end.

Automatic collections during a run walk the run's objects over and over, and a full one walks
a heap that grows with every resource, once per few dozen resources: O(N²) in the stack's size
(plan/collection.py). These tests count collections, they never time anything.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from private_serverless.plan import run_plan
from private_serverless.plan.collection import collections_at_the_end


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self, size: int = 0) -> None:
        self.me = self
        # Tracked objects that live as long as the cycle: they fill the older generations.
        self.payload = [[] for _ in range(size)]


@pytest.fixture
def collections_by_generation() -> Iterator[dict[int, int]]:
    counts = {0: 0, 1: 0, 2: 0}

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            counts[info["generation"]] += 1

    gc.callbacks.append(count)
    try:
        yield counts
    finally:
        gc.callbacks.remove(count)


def _many_resources(count: int, keep: list[weakref.ref[_Cycle]]) -> None:
    for index in range(count):
        resource = pulumi.CustomResource("test:index:Thing", f"thing-{index}", {"n": index})
        cycle = _Cycle(size=500)
        keep.append(weakref.ref(cycle))
        # Long-lived garbage: the cycle lives as long as the apply is pending.
        resource.urn.apply(lambda urn, cycle=cycle: (cycle, urn)[1])


def test_a_run_does_one_collection_whatever_its_size(
    collections_by_generation: dict[int, int],
) -> None:
    # Plain Python would run thousands of young collections here, and a full one every few
    # dozen resources.
    freed: list[weakref.ref[_Cycle]] = []
    thresholds = gc.get_threshold()
    during: list[dict[int, int]] = []
    state: list[tuple[bool, int]] = []

    def program() -> None:
        during.append(dict(collections_by_generation))
        _many_resources(300, freed)
        during.append(dict(collections_by_generation))
        state.append((gc.isenabled(), gc.get_freeze_count()))

    run_plan(program, project="p", stack="s")
    # No collection during the run, the collector is off and the heap from before is frozen.
    assert during[0] == during[1]
    assert not state[0][0]
    assert state[0][1] > 0
    assert collections_by_generation[2] == 1
    # The final collection freed the run's cyclic garbage, and the settings are back.
    assert all(ref() is None for ref in freed)
    assert gc.isenabled()
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0


def test_a_failed_run_restores_the_collector() -> None:
    thresholds = gc.get_threshold()

    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_plan(program, project="p", stack="s")
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def _in_generation_2(thing: object) -> bool:
    return any(candidate is thing for candidate in gc.get_objects(generation=2))


def test_what_existed_before_the_run_is_not_walked_and_is_thawed_after() -> None:
    before = _Cycle()
    gc.collect()  # now in generation 2
    assert _in_generation_2(before)
    with collections_at_the_end():
        # Frozen (the permanent generation): no collection inside the block walks it.
        assert not _in_generation_2(before)
    assert _in_generation_2(before)
    assert gc.get_freeze_count() == 0


def test_a_caller_who_froze_the_heap_keeps_it_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collections_at_the_end():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_disabled_collector_stays_disabled_and_collects_nothing(
    collections_by_generation: dict[int, int],
) -> None:
    gc.disable()
    try:
        with collections_at_the_end():
            pass
        assert not gc.isenabled()
        assert collections_by_generation == {0: 0, 1: 0, 2: 0}
    finally:
        gc.enable()
