"""Knobs of the policy rules, shared by the CrossGuard pack, the offline plan and the audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Any longer limit means the same (no date is further than year 9999), and a limit beyond what
#: ``datetime.timedelta`` holds would make the key-expiry check overflow.
MAX_POLICY_KEY_LIFETIME_DAYS = 3_660_000


class PolicySettings(BaseModel):
    """Settings of the rules; the defaults are the project's security baseline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_key_lifetime_days: int = Field(
        default=90,
        ge=1,
        le=MAX_POLICY_KEY_LIFETIME_DAYS,
        description="An API key must expire at most this many days from now.",
    )
    expiry_window_days: int = Field(
        default=14,
        ge=0,
        le=365,
        description="Report API keys that expire within this many days (0: only expired ones).",
    )
    require_condition: bool = Field(
        default=False,
        description="Refuse every IAM policy rule without a condition that restricts something.",
    )
    forbid_public_services: bool = Field(
        default=False,
        description=(
            "Refuse every public service, even one with a public_reason (private-services "
            "becomes mandatory for it)."
        ),
    )
    secret_name_patterns: tuple[str, ...] = Field(
        default=(),
        description=(
            "More shell-style patterns of env var names that must only be secret env vars. They"
            " add to the built-in credential names, never replace them: [] switches nothing off."
        ),
    )
    allowed_plain_names: frozenset[str] = Field(
        default=frozenset(),
        description=(
            "Plain env var names accepted although they look like a credential's (exact,"
            " case-insensitive), for names like STRIPE_KEY that hold no secret. A name that is"
            " a credential beyond doubt (DB_PASSWORD, API_TOKEN, AUTH) is refused."
        ),
    )

    @classmethod
    def from_pack_config(
        cls, config: Mapping[str, Any], base: PolicySettings | None = None
    ) -> PolicySettings:
        """``base`` (default: the defaults) overridden by a CrossGuard policy's config.

        The engine passes each policy its own config section with camelCase keys, so only the
        keys that policy declares appear; unknown keys (``enforcementLevel``...) are ignored.
        """
        values: dict[str, Any] = (base or cls()).model_dump()
        if "maxKeyLifetimeDays" in config:
            values["max_key_lifetime_days"] = config["maxKeyLifetimeDays"]
        if "requireCondition" in config:
            values["require_condition"] = config["requireCondition"]
        return cls.model_validate(values)
