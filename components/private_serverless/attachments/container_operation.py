"""How a private container scales and where it runs: scaling rule and sandbox.

Scaling (scaleway-sdk-go api/container/v1beta1, ``ContainerScalingOption``: "Precisely one of
ConcurrentRequestsThreshold, CPUUsageThreshold, MemoryUsageThreshold must be set"; the CPU and
memory thresholds are "the percentage of ... usage above which the container will be scaled
up"). Concurrent requests per instance are at most 80 (Containers limitations, "Concurrency:
Max 80, Container Instance",
https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-limitations/).
Autoscaling is "based on exactly one" of the three (Containers autoscaling reference,
https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-autoscaling/).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from ..core.models import ArgsModel

CONCURRENCY_MAX = 80
Percent = Annotated[int, Field(ge=1, le=100)]

#: Execution environments (``ContainerSandbox`` in the same API; ``unknown_sandbox`` is the
#: API's "not set" value, not a choice): v1 is the legacy sandbox, v2 the newer one with faster
#: cold starts. https://www.scaleway.com/en/docs/serverless-containers/concepts/#sandbox
Sandbox = Literal["v1", "v2"]


class ScalingOption(ArgsModel):
    """When Scaleway adds an instance: exactly one threshold."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    concurrent_requests: Annotated[int, Field(ge=1, le=CONCURRENCY_MAX)] | None = None
    """Requests one instance handles at once before another starts (Scaleway's default is 80)."""

    cpu_percent: Percent | None = None
    """CPU usage of an instance, in percent, above which another starts."""

    memory_percent: Percent | None = None
    """Memory usage of an instance, in percent, above which another starts."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [
            v
            for v in (self.concurrent_requests, self.cpu_percent, self.memory_percent)
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of concurrent_requests, cpu_percent or memory_percent "
                "(Scaleway scales on one rule)"
            )
        return self
