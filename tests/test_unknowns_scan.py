"""The offline run's search for unknowns answers as the SDK's does, and leaves no garbage cycle.

``plan/unknowns_scan.py`` replaces ``pulumi.runtime.rpc.contains_unknowns`` during a run, because
the SDK's version leaves a reference cycle per call for the collector to free.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from hypothesis import given
from hypothesis import strategies as st
from private_serverless.plan import run_plan
from private_serverless.plan.unknowns_scan import acyclic_unknowns_scan, contains_unknowns
from pulumi.output import Unknown
from pulumi.runtime import rpc

SDK_CONTAINS_UNKNOWNS = rpc.contains_unknowns

_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=5),
    st.just(Unknown()),
    st.tuples(st.integers()),  # neither a dict nor a list: not looked into, by either
)
_values = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=25,
)


@given(_values)
def test_the_same_answer_as_the_sdk(value: Any) -> None:
    assert contains_unknowns(value) == SDK_CONTAINS_UNKNOWNS(value)


def test_an_unknown_inside_a_tuple_or_a_dict_key_is_not_looked_for_by_either() -> None:
    for value in ((Unknown(),), {Unknown(): 1}, [(Unknown(),)]):
        assert contains_unknowns(value) is SDK_CONTAINS_UNKNOWNS(value) is False


def test_a_value_that_contains_itself_ends() -> None:
    looped: list[Any] = [1, {"a": 2}]
    looped.append(looped)
    assert contains_unknowns(looped) is SDK_CONTAINS_UNKNOWNS(looped) is False
    looped[1]["b"] = Unknown()
    assert contains_unknowns(looped) is SDK_CONTAINS_UNKNOWNS(looped) is True


def test_the_same_object_twice_is_looked_at_once_and_still_found() -> None:
    shared = {"x": Unknown()}
    assert contains_unknowns([shared, shared, [shared]]) is True


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cyclic_garbage_of(scan: Any, calls: int) -> int:
    gc.collect()
    for index in range(calls):
        scan({"value": [index, {"nested": "text"}]})
    return gc.collect()


@pytest.mark.usefixtures("collector_off")
def test_no_garbage_cycle_per_call_where_the_sdk_leaves_one() -> None:
    assert _cyclic_garbage_of(SDK_CONTAINS_UNKNOWNS, 100) >= 100
    assert _cyclic_garbage_of(contains_unknowns, 100) == 0


def test_the_sdk_uses_it_during_a_run_and_its_own_again_after() -> None:
    during: list[Any] = []

    def program() -> None:
        during.append(rpc.contains_unknowns)
        pulumi.export("answer", 42)

    plan = run_plan(program, project="p", stack="s")
    assert during == [contains_unknowns]
    assert plan.outputs == {"answer": 42}
    assert rpc.contains_unknowns is SDK_CONTAINS_UNKNOWNS
    with acyclic_unknowns_scan():
        assert rpc.contains_unknowns is contains_unknowns
    assert rpc.contains_unknowns is SDK_CONTAINS_UNKNOWNS


def test_a_failed_run_puts_the_sdks_back() -> None:
    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_plan(program, project="p", stack="s")
    assert rpc.contains_unknowns is SDK_CONTAINS_UNKNOWNS
