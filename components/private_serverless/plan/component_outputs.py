"""The offline run does not send a component's registered outputs: the plan never reads them.

``ComponentResource.register_outputs`` makes the SDK wait for the component's URN and for every
output it lists, serialize them and send them to the engine, one more round trip through the
SDK's worker threads per component. The real engine keeps them in the state; the offline plan
records only the root stack's outputs (``pulumi.export``, :class:`PlanRecorder`), so for a
component that work had no reader. Profiled at 200 services, it was about a tenth of what a
component cost beyond its children (docs/benchmarks.md).

Within :func:`unsent_component_outputs` the root stack's outputs go through the SDK as before;
a component's are dropped. A failed output still fails the run: the SDK tracks every output
until it resolves (or a derived output carries its failure on) and the run waits for all of
them (settle.py). ``pulumi up`` and ``pulumi preview`` still send them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pulumi import resource as sdk_resource
from pulumi.runtime.stack import Stack

#: The SDK function ``ComponentResource.register_outputs`` calls, by its name in the module
#: that calls it. Private to the pinned SDK: if a release renames it, plans stay the same and
#: only cost more.
_SDK_NAME = "register_resource_outputs"


@contextmanager
def unsent_component_outputs() -> Iterator[None]:
    """Within the block, only the root stack registers its outputs with the monitor."""
    sdk_register = getattr(sdk_resource, _SDK_NAME, None)
    if sdk_register is None:
        yield
        return

    def register(resource: Any, outputs: Any) -> None:
        if isinstance(resource, Stack):
            sdk_register(resource, outputs)

    setattr(sdk_resource, _SDK_NAME, register)
    try:
        yield
    finally:
        setattr(sdk_resource, _SDK_NAME, sdk_register)
