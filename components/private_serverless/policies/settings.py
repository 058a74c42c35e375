"""Knobs of the policy rules, shared by the CrossGuard pack, the offline plan and the audit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..sensitive.environment import AllowedPlainName

#: Any longer limit means the same (no date is further than year 9999), and a limit beyond what
#: ``datetime.timedelta`` holds would make the key-expiry check overflow.
MAX_POLICY_KEY_LIFETIME_DAYS = 3_660_000
#: The baseline a weakening is measured against: the defaults of the settings below.
BASELINE_MAX_KEY_LIFETIME_DAYS = 90
BASELINE_EXPIRY_WINDOW_DAYS = 14


class PolicySettings(BaseModel):
    """Settings of the rules; the defaults are the project's security baseline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # First: the settings below are checked against it, in field order.
    forbid_weakening: bool = Field(
        default=False,
        description=(
            "Refuse every setting that weakens a guardrail below the baseline (allowed plain"
            " names, a key lifetime over 90 days, an expiry window under 14 days)."
        ),
    )
    max_key_lifetime_days: int = Field(
        default=BASELINE_MAX_KEY_LIFETIME_DAYS,
        ge=1,
        le=MAX_POLICY_KEY_LIFETIME_DAYS,
        description="An API key must expire at most this many days from now.",
    )
    expiry_window_days: int = Field(
        default=BASELINE_EXPIRY_WINDOW_DAYS,
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
    allowed_plain_names: frozenset[AllowedPlainName] = Field(
        default=frozenset(),
        description=(
            "Plain env var names accepted although they look like a credential's (exact,"
            " case-insensitive), for names like STRIPE_KEY that hold no secret. A name that is"
            " a credential beyond doubt (DB_PASSWORD, API_TOKEN, AUTH) is refused."
        ),
    )
    service_allowed_plain_names: dict[str, frozenset[AllowedPlainName]] = Field(
        default_factory=dict,
        description=(
            "The same, for one service only, by component name (a service's own"
            " allowed_plain_names; the policy pack reads them from its config)."
        ),
    )

    @field_validator("max_key_lifetime_days")
    @classmethod
    def _no_longer_keys(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("forbid_weakening") and value > BASELINE_MAX_KEY_LIFETIME_DAYS:
            raise ValueError(
                f"over {BASELINE_MAX_KEY_LIFETIME_DAYS} days weakens key-expiry, and "
                "forbid_weakening is set"
            )
        return value

    @field_validator("expiry_window_days")
    @classmethod
    def _no_shorter_window(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("forbid_weakening") and value < BASELINE_EXPIRY_WINDOW_DAYS:
            raise ValueError(
                f"under {BASELINE_EXPIRY_WINDOW_DAYS} days weakens key-expiring-soon, and "
                "forbid_weakening is set"
            )
        return value

    @field_validator("allowed_plain_names", "service_allowed_plain_names")
    @classmethod
    def _no_allowances(cls, value: Any, info: ValidationInfo) -> Any:
        given = any(value.values()) if isinstance(value, dict) else bool(value)
        if info.data.get("forbid_weakening") and given:
            raise ValueError(
                "allowing plain names weakens no-plain-secrets, and forbid_weakening is set: "
                "move the variables to `secrets`"
            )
        return value

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
        if "allowedPlainNames" in config:
            values["allowed_plain_names"] = config["allowedPlainNames"]
        if "serviceAllowedPlainNames" in config:
            values["service_allowed_plain_names"] = config["serviceAllowedPlainNames"]
        if "secretNamePatterns" in config:
            # They add to the built-in names and to the base's patterns, never replace them.
            values["secret_name_patterns"] = (
                *values["secret_name_patterns"],
                *config["secretNamePatterns"],
            )
        return cls.model_validate(values)
