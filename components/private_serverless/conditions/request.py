"""The attributes of one call that Scaleway IAM exposes to a serverless access condition."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

# Scaleway truncates ``request.user_agent`` to this many characters before evaluating the
# condition: https://www.scaleway.com/en/docs/iam/reference-content/understanding-request-level-conditions/
USER_AGENT_MAX_LENGTH = 255


class AccessRequest(BaseModel):
    """A sample call: source address, User-Agent header and time (with a UTC offset).

    ``time`` must be timezone-aware: a naive time is ambiguous and Scaleway evaluates on an
    absolute instant.
    """

    # defer_build: validators are built on first use, not at import (see ServiceArgs).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    ip: IPv4Address | IPv6Address
    user_agent: str = ""
    time: AwareDatetime

    @field_validator("time")
    @classmethod
    def _in_cel_range(cls, value: datetime) -> datetime:
        # CEL timestamps hold years 1 to 9999 in UTC; an offset can push a valid-looking
        # local time (0001-01-01T00:00+01:00) out of that range, where converting overflows.
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ValueError(
                "the time is outside the range CEL timestamps can hold (years 1 to 9999, "
                "counted in UTC after its offset)"
            ) from None
        return value

    @property
    def effective_user_agent(self) -> str:
        """The user agent as the condition sees it, truncated like Scaleway does."""
        return self.user_agent[:USER_AGENT_MAX_LENGTH]

    def describe(self) -> str:
        """A one-line rendering for error messages."""
        return f"ip={self.ip}, user_agent={self.user_agent!r}, time={self.time.isoformat()}"
