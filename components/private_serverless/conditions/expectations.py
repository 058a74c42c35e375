"""Sample requests that a condition must allow or deny, checked with the simulator.

They document intent next to the condition and catch the classic mistakes (UTC instead of
local hours, a /24 that should have been a /32) before a deployment does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ..errors import hide_on_user_error
from .errors import ExpectationError
from .request import AccessRequest

if TYPE_CHECKING:
    from .builder import ConditionLike

__tracebackhide__ = hide_on_user_error


class AccessExpectations(BaseModel):
    """Requests that must be allowed and requests that must be denied."""

    # defer_build: validators are built on first use, not at import (see ServiceArgs).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    allow: list[AccessRequest] = Field(default_factory=list)
    deny: list[AccessRequest] = Field(default_factory=list)


def check_expectations(condition: ConditionLike | None, expectations: AccessExpectations) -> None:
    """Raise :class:`ExpectationError` listing every sample the condition contradicts.

    Without a condition every request that carries a valid key is allowed, so any ``deny``
    sample is a contradiction. An invalid condition raises :class:`ConditionError`.
    """

    # The simulator loads the CEL engine: only when there are samples to check.
    from .simulator import evaluate_condition

    def allowed(request: AccessRequest) -> bool:
        return True if condition is None else evaluate_condition(condition, request)

    mistakes = [
        f"expected allowed but denied: {request.describe()}"
        for request in expectations.allow
        if not allowed(request)
    ]
    mistakes += [
        f"expected denied but allowed: {request.describe()}"
        for request in expectations.deny
        if allowed(request)
    ]
    if mistakes:
        subject = (
            "no condition (every request is allowed)" if condition is None else "the condition"
        )
        count = f"{len(mistakes)} sample request{'s' if len(mistakes) > 1 else ''}"
        lines = [f"{count} contradict{'s' if len(mistakes) == 1 else ''} {subject}:"]
        lines += [f"  - {mistake}" for mistake in mistakes]
        raise ExpectationError("\n".join(lines))
