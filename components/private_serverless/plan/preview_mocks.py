"""Provider answers as ``pulumi preview`` gives them for new resources: computed values unknown.

In a preview the engine asks the provider to plan a create; the provider echoes the inputs and
leaves every value it computes (the id, a domain name, the project a namespace lands in when
none is given) unknown until the resource exists. The offline plan runs as a preview with these
answers, so it shows ``[unknown]`` wherever the engine would, and never a value a mock made up.

The wrapped mocks (by default :class:`~private_serverless.plan.mocks.ScalewayMocks`) still
decide *which* outputs a resource has: every output they add that is not an input becomes
unknown. Unit tests that need concrete outputs use the wrapped mocks directly.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime.rpc import UNKNOWN


class InventedValues(pulumi.runtime.Mocks):
    """Passes registrations to other mocks and remembers the values they made up.

    Used by a deployment-style run (``run_plan(..., preview=False)``, for unit tests of a
    program's wiring): a finding that quotes one of its made-up ids is rewritten with
    :meth:`describe` so the reader sees what the value stands for instead.
    """

    #: Shorter strings (a region, a status) are too common to be recognised in free text.
    MIN_LENGTH = 12

    def __init__(self, inner: pulumi.runtime.Mocks) -> None:
        self._inner = inner
        self._labels: dict[str, str] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, Any]:
        resource_id, state = self._inner.new_resource(args)
        inputs = dict(args.inputs)
        if resource_id:
            self._labels.setdefault(resource_id, f"(id of {args.name}, known after apply)")
        for key, value in dict(state or {}).items():
            if key not in inputs and isinstance(value, str) and len(value) >= self.MIN_LENGTH:
                self._labels.setdefault(value, f"({key} of {args.name}, known after apply)")
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return self._inner.call(args)

    def describe(self, text: str) -> str:
        """``text`` with every made-up value replaced by what it stands for."""
        for value in sorted(self._labels, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self._labels[value])
        return text


class PreviewMocks(pulumi.runtime.Mocks):
    """Mocks that answer a registration the way a provider plans a create in a preview."""

    def __init__(self, computed: pulumi.runtime.Mocks) -> None:
        self._computed = computed

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, Any]:
        _, state = self._computed.new_resource(args)
        inputs = dict(args.inputs)
        planned = {key: inputs.get(key, UNKNOWN) for key in dict(state or {})}
        # An empty id is an unknown one: the SDK resolves `id` as not known during a preview.
        return "", planned

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return self._computed.call(args)
