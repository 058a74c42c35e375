"""The SDK's search for unknown values, without a reference cycle per call.

``pulumi.runtime.rpc.contains_unknowns`` defines a recursive closure on every call: the
function refers to itself through its cell, so each call leaves a reference cycle (a function,
its cell, its annotations, the set of ids it has seen) that only the cyclic collector frees.
The SDK calls it for every output it resolves and every value it serializes: at 1000 services,
about 100 calls per service, nearly half of the 1.3 million objects the run's final collection
had to free, and the collection's time with them (docs/benchmarks.md).

Within :func:`acyclic_unknowns_scan` the SDK calls :func:`contains_unknowns` instead: the same
answer (an unknown anywhere in the value, its dicts' values and its lists' items, each object
looked at once), found with a loop. The hook is private to the pinned SDK: if a release renames
it, plans stay the same and only cost more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pulumi.runtime import known_types, rpc

_HOOK = "contains_unknowns"


def contains_unknowns(value: Any) -> bool:
    """Whether ``value`` holds an unknown, as ``pulumi.runtime.rpc.contains_unknowns`` says."""
    seen: set[int] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if known_types.is_unknown(item):
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@contextmanager
def acyclic_unknowns_scan() -> Iterator[None]:
    """Within the block, the SDK looks for unknowns with :func:`contains_unknowns`."""
    original = getattr(rpc, _HOOK, None)
    if original is None:
        yield
        return
    setattr(rpc, _HOOK, contains_unknowns)
    try:
        yield
    finally:
        setattr(rpc, _HOOK, original)
