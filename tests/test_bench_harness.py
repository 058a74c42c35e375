"""The benchmark compares like with like (``bench/run.py``; nothing here is timed).

Both variants of the benchmark program must register the same custom resources with the same
inputs, dependencies and options; the components add exactly one registration each, their own.
Otherwise the ratios it reports would compare different work.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from private_serverless.core.inventory import ResourceRecord
from private_serverless.plan.model import Plan, urn_name

from bench.run import (
    COMPONENT_REGISTRATIONS_PER_SERVICE,
    CUSTOM_PER_SERVICE,
    plan_services,
    rotated,
)

N = 2  # one function, one container


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Plan]:
    return {
        variant: plan_services(variant, N, Path(tmp_path_factory.mktemp(variant)))
        for variant in ("raw", "components")
    }


def _custom_by_name(plan: Plan) -> dict[str, ResourceRecord]:
    return {record.name: record for record in plan.custom_resources()}


def test_same_custom_resource_types_and_counts(plans: dict[str, Plan]) -> None:
    raw, components = plans["raw"], plans["components"]
    raw_types = Counter(record.type for record in raw.custom_resources())
    assert raw_types == Counter(record.type for record in components.custom_resources())
    assert sum(raw_types.values()) == N * CUSTOM_PER_SERVICE
    assert raw_types["scaleway:functions/function:Function"] == N // 2
    assert raw_types["scaleway:containers/container:Container"] == N // 2


def test_counts_differ_by_exactly_the_component_registrations(plans: dict[str, Plan]) -> None:
    raw, components = plans["raw"], plans["components"]
    assert len(components.resources) - len(raw.resources) == N * COMPONENT_REGISTRATIONS_PER_SERVICE
    extra = [record for record in components.resources if not record.custom]
    assert sorted(record.type for record in extra) == [
        "private-serverless:index:PrivateContainer",
        "private-serverless:index:PrivateFunction",
    ]
    assert all(record.custom for record in raw.resources)


def test_every_custom_resource_has_the_same_inputs_dependencies_and_options(
    plans: dict[str, Plan],
) -> None:
    raw, components = _custom_by_name(plans["raw"]), _custom_by_name(plans["components"])
    assert raw.keys() == components.keys()
    for name, record in raw.items():
        other = components[name]
        assert (record.type, record.inputs, record.protect) == (
            other.type,
            other.inputs,
            other.protect,
        ), name
        # URNs differ (a component's children carry its type); the resources they name do not.
        assert sorted(map(urn_name, record.dependencies)) == sorted(
            map(urn_name, other.dependencies)
        ), name


def test_same_deploy_waves(plans: dict[str, Plan]) -> None:
    assert plans["raw"].waves == plans["components"].waves == 2


@pytest.mark.parametrize("count", [1, 2, 4])
def test_each_variant_runs_once_in_every_position_over_as_many_rounds(count: int) -> None:
    # Otherwise a machine that slows down during the benchmark biases the ratios.
    items = [f"variant-{index}" for index in range(count)]
    rounds = [rotated(items, attempt) for attempt in range(count)]
    assert all(sorted(order) == items for order in rounds)
    for position in range(count):
        assert sorted(order[position] for order in rounds) == items
    assert rotated(items, count) == rounds[0]
