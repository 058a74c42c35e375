"""Deploy waves and canonical order, on records and on real programs."""

from __future__ import annotations

import random
from collections.abc import Callable

import pulumi
import pulumiverse_scaleway as scw
from private_serverless.core.inventory import ResourceRecord
from private_serverless.plan import run_plan
from private_serverless.plan.graph import canonical_order, count_waves, resource_waves

STACK = "urn:s"


def record(urn: str, *deps: str, parent: str | None = STACK, custom: bool = True) -> ResourceRecord:
    return ResourceRecord(
        urn=urn, type="t", name=urn, parent=parent, custom=custom, dependencies=deps
    )


def stack_record() -> ResourceRecord:
    return record(STACK, parent=None, custom=False)


def test_a_chain_needs_one_wave_per_link() -> None:
    records = [stack_record(), record("a"), record("b", "a"), record("c", "b")]
    assert resource_waves(records) == {"a": 1, "b": 2, "c": 3}
    assert count_waves(records) == 3


def test_independent_resources_deploy_in_one_wave() -> None:
    assert count_waves([stack_record(), record("a"), record("b"), record("c")]) == 1


def test_no_custom_resource_means_no_wave() -> None:
    assert count_waves([stack_record()]) == 0


def test_a_dependency_on_a_component_waits_for_everything_under_it() -> None:
    records = [
        stack_record(),
        record("comp", custom=False),
        record("inner-a", parent="comp"),
        record("inner-b", "inner-a", parent="comp"),
        record("outside", "comp"),
    ]
    assert resource_waves(records)["outside"] == 3


def test_a_component_dependency_gates_its_children() -> None:
    records = [
        stack_record(),
        record("first"),
        record("comp", "first", custom=False),
        record("child", parent="comp"),
        record("grandchild-comp", parent="comp", custom=False),
        record("grandchild", parent="grandchild-comp"),
    ]
    waves = resource_waves(records)
    assert waves["child"] == 2
    assert waves["grandchild"] == 2


def test_a_cycle_in_a_hand_edited_plan_does_not_hang() -> None:
    records = [stack_record(), record("a", "b"), record("b", "a")]
    assert count_waves(records) == 2
    assert {r.urn for r in canonical_order(records)} == {STACK, "a", "b"}


def test_canonical_order_ignores_arrival_order() -> None:
    records = [stack_record(), record("b"), record("a"), record("c", "b"), record("d", "a")]
    expected = [r.urn for r in canonical_order(records)]
    assert expected == [STACK, "a", "b", "c", "d"]
    for seed in range(5):
        shuffled = list(records)
        random.Random(seed).shuffle(shuffled)
        assert [r.urn for r in canonical_order(shuffled)] == expected


def _plan_waves(program: Callable[[], None]) -> int:
    return run_plan(program, project="waves", stack="dev").waves


def test_waves_of_a_program_chain() -> None:
    def program() -> None:
        a = scw.iam.Application("a")
        b = scw.iam.Application("b", description=a.id)
        scw.iam.Application("c", opts=pulumi.ResourceOptions(depends_on=[b]))

    assert _plan_waves(program) == 3


def test_waves_of_independent_program_resources() -> None:
    def program() -> None:
        for name in ("a", "b", "c"):
            scw.iam.Application(name)

    assert _plan_waves(program) == 1


def test_waves_through_a_component_dependency() -> None:
    class Pair(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:waves:Pair", name)
            first = scw.iam.Application(f"{name}-1", opts=pulumi.ResourceOptions(parent=self))
            scw.iam.Application(
                f"{name}-2", description=first.id, opts=pulumi.ResourceOptions(parent=self)
            )
            self.register_outputs({})

    def program() -> None:
        pair = Pair("pair")
        scw.iam.Application("after", opts=pulumi.ResourceOptions(depends_on=[pair]))

    assert _plan_waves(program) == 3
