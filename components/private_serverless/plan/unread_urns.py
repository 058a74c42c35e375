"""URNs the SDK derives for every resource, and the offline run's monitor never reads.

For each registration the Python SDK builds two chains of pending outputs nobody in the
offline run consumes:

- every alias in ``opts.aliases`` is turned into a URN (``collapse_alias_to_urn``: about a
  dozen outputs), kept for children to inherit when the monitor takes URNs only. The recording
  monitor takes alias specs (``RESOURCE_MONITOR_FEATURE_ALIAS_SPECS``, as the engine does), so
  the SDK sends the aliases as given and the children's are derived by the monitor
  (:class:`PlanRecorder`). The provider SDK gives nearly every resource a type alias.
- ``create_urn`` of the resource itself (about seven outputs), awaited before the request is
  sent, whose value is used only when there is no monitor at all.

Profiled at 200 services they were a third of the outputs of a run (docs/benchmarks.md). Within
:func:`without_unread_urns` the first is skipped and the second computed at once when its parts
are plain strings (always so for a registration), with the same value. The request the monitor
receives is unchanged. The hooks are private to the pinned SDK: if a release renames them,
plans stay the same and only cost more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi import resource as sdk_resource
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime.settings import get_project, get_stack

_ALIAS_URNS = "collapse_alias_to_urn"
_CREATE_URN = "create_urn"


@contextmanager
def without_unread_urns(monitor_takes_alias_specs: bool) -> Iterator[None]:
    """Within the block, no alias URNs for a monitor that takes alias specs, and a resource's
    own URN computed without pending work when its parts are known."""
    collapse = getattr(sdk_resource, _ALIAS_URNS, None)
    create_urn = getattr(runtime_resource, _CREATE_URN, None)
    if collapse is None or create_urn is None:
        yield
        return

    def alias_as_given(alias: Any, *_: Any) -> Any:
        # Resource._aliases: read only to derive children's aliases for a monitor without
        # alias specs (pulumi.runtime.resource.all_aliases).
        return alias

    def known_urn(
        name: Any, type_: Any, parent: Any = None, project: Any = None, stack: Any = None
    ) -> Any:
        if not (isinstance(name, str) and isinstance(type_, str)):
            return create_urn(name, type_, parent, project, stack)
        if parent is None:
            # The SDK's own formula (pulumi.runtime.resource.create_urn), without the outputs.
            stack = get_stack() if stack is None else stack
            project = get_project() if project is None else project
            prefix = f"urn:pulumi:{stack}::{project}::"
        elif isinstance(parent, str):
            prefix = parent[0 : parent.rfind("::")] + "$"
        else:
            return create_urn(name, type_, parent, project, stack)
        return pulumi.Output.from_input(prefix + type_ + "::" + name)

    if monitor_takes_alias_specs:
        setattr(sdk_resource, _ALIAS_URNS, alias_as_given)
    setattr(runtime_resource, _CREATE_URN, known_urn)
    try:
        yield
    finally:
        setattr(sdk_resource, _ALIAS_URNS, collapse)
        setattr(runtime_resource, _CREATE_URN, create_urn)
