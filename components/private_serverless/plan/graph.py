"""The dependency graph of a plan: canonical order and deployment waves.

``pulumi up`` creates a custom resource once everything it depends on exists. Resources with no
pending dependency go together, so the number of sequential *waves* is the length of the longest
dependency chain among custom resources. Components are never deployed: a dependency on a
component means a dependency on every custom resource under it, and the dependencies of a
component also hold for the resources it parents.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence

from ..core.inventory import ResourceRecord


def canonical_order(records: Iterable[ResourceRecord]) -> list[ResourceRecord]:
    """An order the engine could have received the records in, the same on every run.

    Parents and dependencies come first (the only guarantees real registration gives); among
    resources free to go next, the smallest URN goes first.
    """
    by_urn = {record.urn: record for record in records}
    blockers: dict[str, set[str]] = {urn: set() for urn in by_urn}
    unblocks: dict[str, set[str]] = {urn: set() for urn in by_urn}
    for record in by_urn.values():
        before = set(record.dependencies)
        if record.parent is not None:
            before.add(record.parent)
        for other in before & by_urn.keys():
            if other != record.urn:
                blockers[record.urn].add(other)
                unblocks[other].add(record.urn)

    ready = [urn for urn, pending in blockers.items() if not pending]
    heapq.heapify(ready)
    ordered: list[ResourceRecord] = []
    while ready:
        urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for waiting in unblocks[urn]:
            blockers[waiting].discard(urn)
            if not blockers[waiting]:
                heapq.heappush(ready, waiting)
    # A cycle cannot come from a real program, but a hand-edited plan file could hold one: keep
    # those records rather than lose them.
    placed = {record.urn for record in ordered}
    ordered.extend(by_urn[urn] for urn in sorted(by_urn.keys() - placed))
    return ordered


def resource_waves(records: Sequence[ResourceRecord]) -> dict[str, int]:
    """The deployment wave (1-based) of every custom resource, keyed by URN."""
    by_urn = {record.urn: record for record in records}
    descendants = _custom_descendants(by_urn)
    waves: dict[str, int] = {}
    in_progress: set[str] = set()

    def deploy_dependencies(record: ResourceRecord) -> set[str]:
        # Own dependencies plus those of every ancestor: a component's dependencies gate its
        # children. Each one is expanded to custom resources.
        wanted: set[str] = set(record.dependencies)
        ancestor = by_urn.get(record.parent) if record.parent else None
        while ancestor is not None:
            wanted.update(ancestor.dependencies)
            ancestor = by_urn.get(ancestor.parent) if ancestor.parent else None
        expanded: set[str] = set()
        for urn in wanted:
            target = by_urn.get(urn)
            if target is None:
                continue
            expanded.update({urn} if target.custom else descendants.get(urn, set()))
        expanded.discard(record.urn)
        return expanded

    def wave(urn: str) -> int:
        if urn in waves:
            return waves[urn]
        if urn in in_progress:
            # Only possible with a cycle in a hand-edited plan; break it instead of recursing.
            return 0
        in_progress.add(urn)
        dependencies = deploy_dependencies(by_urn[urn])
        result = 1 + max((wave(dependency) for dependency in dependencies), default=0)
        in_progress.discard(urn)
        waves[urn] = result
        return result

    for record in records:
        if record.custom:
            wave(record.urn)
    return waves


def count_waves(records: Sequence[ResourceRecord]) -> int:
    """How many sequential waves ``pulumi up`` needs to create the custom resources (0 if none)."""
    return max(resource_waves(records).values(), default=0)


def _custom_descendants(by_urn: Mapping[str, ResourceRecord]) -> dict[str, set[str]]:
    """For each resource, the custom resources somewhere below it in the parent tree."""
    result: dict[str, set[str]] = {urn: set() for urn in by_urn}
    for record in by_urn.values():
        if not record.custom:
            continue
        seen: set[str] = set()
        parent = record.parent
        while parent is not None and parent in by_urn and parent not in seen:
            seen.add(parent)
            result[parent].add(record.urn)
            parent = by_urn[parent].parent
    return result
