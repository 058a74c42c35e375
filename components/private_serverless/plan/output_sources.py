"""Which resources each stack output comes from, so that a diff can tell what the engine does
to an output.

The engine previews an output from the resources it is computed from: one that is kept
(``same``) gives the value in the state, whatever the program computes again (the kept key's
``expiresAt``, which ``ignore_changes`` keeps); one that is created or replaced gives a value
unknown until the apply, which the engine shows as changing even where both offline plans show
``[unknown]``. The stack outputs the engine receives carry no dependencies, so they are read
here from the SDK's own outputs, which know the resources they were computed from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi


async def output_sources(outputs: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """For each exported output, by dotted path (``billing_endpoint``,
    ``services.billing.endpoint``), the URNs of the resources it is computed from; a path
    with no resource behind it (a plain value) is left out."""
    found: dict[str, tuple[str, ...]] = {}
    for name, value in outputs.items():
        await _visit(str(name), value, found)
    return found


async def _visit(path: str, value: Any, found: dict[str, tuple[str, ...]]) -> None:
    if isinstance(value, pulumi.Output):
        urns = sorted({await resource.urn.future() or "" for resource in await value.resources()})
        if any(urns):
            found[path] = tuple(urn for urn in urns if urn)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            await _visit(f"{path}.{key}", item, found)
    elif isinstance(value, list | tuple):
        # An output list is compared whole: its sources are those of every item.
        inner: dict[str, tuple[str, ...]] = {}
        for index, item in enumerate(value):
            await _visit(f"{path}[{index}]", item, inner)
        urns = sorted({urn for item in inner.values() for urn in item})
        if urns:
            found[path] = tuple(urns)


def sources_of(path: str, sources: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The sources of the output at ``path``, or of the nearest enclosing output that has
    some (``services.billing`` exported as one output); ``None`` when none is recorded."""
    while True:
        if path in sources:
            return sources[path]
        if "." not in path:
            return None
        path = path.rsplit(".", 1)[0]
