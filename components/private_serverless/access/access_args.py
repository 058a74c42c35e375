"""Who may call a private service: the IAM side both components share."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated, Any, Self, TypeAlias, cast

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from ..conditions.expectations import AccessExpectations
from ..core import limits
from ..core.models import ArgsModel

if TYPE_CHECKING:
    from ..conditions.builder import Condition

    # What callers may pass: CEL text or a condition builder (``ip_in(...) & weekdays()``).
    # Validation renders a builder to its text, which is all the runtime type below knows.
    ConditionInput: TypeAlias = str | Condition
else:
    ConditionInput = str

# The condition checker (CEL grammar, time zones, networks) is imported by the validators
# below, on the first condition only: most services have none, and importing the package
# should cost little more than importing the provider SDK it wraps.


def render_condition(value: Any) -> Any:
    """A condition builder rendered to its CEL text; a raw string (or anything else) as given."""
    to_cel = getattr(value, "to_cel", None)
    return to_cel() if callable(to_cel) else value


def check_condition(value: str | None) -> str | None:
    """A condition as the grant will carry it (stripped), once parsed and checked: valid CEL,
    meaningful (neither always nor never true), within Scaleway's length limit. ``ValueError``
    with the reason otherwise."""
    if value is None:
        return None
    from ..conditions import ConditionError

    value = value.strip()
    try:
        _condition_warnings(value)  # also enforces Scaleway's length limit
    except ConditionError as exc:
        raise ValueError(str(exc)) from None
    return value


@functools.lru_cache(maxsize=256)
def _condition_warnings(condition: str) -> tuple[str, ...]:
    # Parsing is the expensive part of a condition; stacks repeat the same few conditions, and
    # each is needed twice (validation, then the component's warnings).
    from ..conditions import validate_condition

    return tuple(str(warning) for warning in validate_condition(condition))


#: A condition setting (``access.condition``, a call's ``condition``): a builder is rendered to
#: its CEL text, then the text is checked (:func:`check_condition`) and stored stripped.
CheckedCondition: TypeAlias = Annotated[
    ConditionInput | None, BeforeValidator(render_condition), AfterValidator(check_condition)
]


class AccessArgs(ArgsModel):
    """How callers reach a private service.

    The component creates an IAM application and an API key for it, and one IAM policy rule
    granting only ``FunctionsPrivateAccess`` (or ``ContainersPrivateAccess``) on the service's
    project, restricted by ``condition`` when one is given.
    """

    # defer_build: validators are built on first use, not at import (see ServiceArgs).
    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    condition: CheckedCondition = None
    """CEL condition on the policy rule, for example ``inIpRange(request.ip, "198.51.100.0/24")``,
    or a condition builder (``ip_in("198.51.100.0/24") & weekdays()``), rendered to CEL.

    Checked with a real CEL parser when the args are built. ``None`` grants access to every
    request that carries the key."""

    key_expires_in_days: Annotated[
        int, Field(ge=limits.KEY_LIFETIME_MIN_DAYS, le=limits.KEY_LIFETIME_MAX_DAYS)
    ] = 90
    """Lifetime of each API key, counted from its creation. Keys never live forever."""

    key_generation: Annotated[int, Field(ge=0)] = 0
    """Rotation counter. Raising it by one creates a new key in the idle slot and makes it the
    active one; the previous key keeps working until the next rotation retires it."""

    store_key_in_secret_manager: bool = False
    """Write the key's secret to Scaleway Secret Manager (``secret_id``) instead of the Pulumi
    state. The ``api_key`` output is then empty and ``key_secret_id`` names the secret."""

    expect: AccessExpectations | None = None
    """Sample requests (``ip``, ``user_agent``, ``time``) the condition must ``allow`` and
    ``deny``: unit tests for the access rule, checked with the simulator before anything is
    deployed."""

    @property
    def condition_cel(self) -> str | None:
        """The condition as CEL text (a builder given as ``condition`` is rendered by then)."""
        return cast("str | None", self.condition)

    @property
    def condition_warnings(self) -> list[str]:
        """What is valid but almost surely wrong in the condition (empty when none)."""
        cel = self.condition_cel
        return [] if cel is None else list(_condition_warnings(cel))

    @model_validator(mode="after")
    def _check_expectations(self) -> Self:
        if self.expect is not None:
            from ..conditions import ConditionError, check_expectations

            try:
                check_expectations(self.condition_cel, self.expect)
            except ConditionError as exc:
                raise ValueError(str(exc)) from None
        return self
