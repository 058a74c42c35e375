"""Service-to-service calls: what a caller states about each private service it calls.

A caller gets a workload identity of its own (an IAM application, ``<caller>-identity``), never
its ``<caller>-app``: that application's keys belong to the caller's external clients, and
granting it the callee would let every one of them call the callee too. Per call, the identity
gets a policy granting only the callee's permission set on the callee's project (with an
optional condition) and API keys that rotate like the service keys; the caller's function or
container gets the callee's endpoint in a plain variable and the key in a secret one.

The settings are validated before any resource is registered; the component creates the
resources (:meth:`PrivateService._wire_calls`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Protocol, cast, runtime_checkable

import pulumi
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ..core import limits
from ..core.models import ArgsModel
from ..sensitive.environment import EnvName, looks_like_secret_name
from .access_args import CheckedCondition

#: Tag on a caller's identity application: ``<prefix><caller component>``. The access matrix
#: reads it to label the principal "<caller> (service identity)".
IDENTITY_TAG_PREFIX = "private-serverless-identity-of="
#: Tag on a call's policy: ``<prefix><callee component>``. The access matrix reads it to tell
#: the callee the grant was written for from the siblings it reaches by project.
CALLS_TAG_PREFIX = "private-serverless-calls="


@runtime_checkable
class Callee(Protocol):
    """What a call needs of the service it calls: a finished PrivateFunction or
    PrivateContainer has all of it."""

    @property
    def component_name(self) -> str:
        """The callee component's name (``billing``)."""
        ...

    @property
    def kind(self) -> str:
        """``Function`` or ``Container``."""
        ...

    @property
    def permission_set(self) -> str:
        """The permission set that lets a principal call it."""
        ...

    @property
    def endpoint(self) -> pulumi.Output[str]:
        """Its ``https://`` URL."""
        ...

    @property
    def project_id(self) -> pulumi.Output[str]:
        """The project it runs in, on which the grant is written."""
        ...


def env_prefix(callee_name: str) -> str:
    """``billing-eu`` -> ``BILLING_EU``: the callee's name as an environment variable prefix."""
    prefix = re.sub(r"[^A-Za-z0-9]", "_", callee_name).upper()
    return f"_{prefix}" if prefix[:1].isdigit() else prefix


def default_endpoint_env(callee_name: str) -> str:
    """The plain variable holding the callee's endpoint: ``<CALLEE>_URL``."""
    return f"{env_prefix(callee_name)}_URL"


def default_key_env(callee_name: str) -> str:
    """The secret variable holding the identity's key: ``<CALLEE>_AUTH_TOKEN`` (a name the
    secret-name rules classify as a credential; it is sent as header ``X-Auth-Token``)."""
    return f"{env_prefix(callee_name)}_AUTH_TOKEN"


class CallSettings(ArgsModel):
    """How a caller calls one service: everything but the callee itself. A stack file's
    ``calls: {billing: {...}}`` entry."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    condition: CheckedCondition = None
    """CEL condition on the identity's grant (a string or a condition builder), checked like
    ``access.condition``. ``None``: every request carrying the identity's key."""

    endpoint_env: EnvName | None = None
    """Plain environment variable of the caller holding the callee's endpoint; defaults to
    ``<CALLEE>_URL`` (the callee's name upper-cased, other characters as ``_``)."""

    key_env: EnvName | None = None
    """Secret environment variable of the caller holding the identity's key for this callee
    (send it as header ``X-Auth-Token``); defaults to ``<CALLEE>_AUTH_TOKEN``."""

    key_expires_in_days: (
        Annotated[int, Field(ge=limits.KEY_LIFETIME_MIN_DAYS, le=limits.KEY_LIFETIME_MAX_DAYS)]
        | None
    ) = None
    """Lifetime of the call's keys; defaults to the caller's ``access.key_expires_in_days``."""

    key_generation: Annotated[int, Field(ge=0)] = 0
    """Rotation counter of the call's keys, as ``access.key_generation`` (the previous
    generation keeps working until the next rotation)."""

    @property
    def condition_cel(self) -> str | None:
        """The condition as CEL text (a builder given as ``condition`` is rendered by then)."""
        return cast("str | None", self.condition)

    def env_names(self, callee_name: str) -> tuple[str, str]:
        """(endpoint variable, key variable) for a call to ``callee_name``."""
        return (
            self.endpoint_env or default_endpoint_env(callee_name),
            self.key_env or default_key_env(callee_name),
        )


class ServiceCall(CallSettings):
    """A call from the service being built to an existing private service.

    Example: ``PrivateContainerArgs(..., calls=[ServiceCall(service=billing)])``.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        arbitrary_types_allowed=True,
        defer_build=True,
    )

    service: Callee
    """The PrivateFunction or PrivateContainer to call (built before the caller)."""

    @field_validator("service", mode="before")
    @classmethod
    def _check_service(cls, value: Any) -> Any:
        if not isinstance(value, Callee):
            raise ValueError(
                "must be a PrivateFunction or PrivateContainer that is already built (the "
                "caller's environment needs its endpoint)"
            )
        return value

    @property
    def callee_name(self) -> str:
        """The callee component's name."""
        return self.service.component_name

    @property
    def names(self) -> tuple[str, str]:
        """(endpoint variable, key variable) of this call."""
        return self.env_names(self.callee_name)


# defer_build: the validator is built on first use; building it at import would also make
# pydantic look up its plugins (a scan of every installed distribution's entry points).
_ENV_NAME: TypeAdapter[str] = TypeAdapter(EnvName, config=ConfigDict(defer_build=True))


def call_env_problems(
    calls: Iterable[tuple[str, CallSettings]],
    env: Iterable[str],
    secrets: Iterable[str],
) -> list[tuple[str, str]]:
    """(key path below the call, message) for each variable a call would add that is not a
    valid name or clashes with the caller's ``env``, ``secrets`` or another call's variable.

    ``calls`` are (callee name, settings) pairs. Messages name variables, never values.
    """
    taken: dict[str, str] = {name: "`env`" for name in env}
    taken.update({name: "`secrets`" for name in secrets})
    problems: list[tuple[str, str]] = []
    for callee, settings in calls:
        for field, name in zip(
            ("endpoint_env", "key_env"), settings.env_names(callee), strict=True
        ):
            if getattr(settings, field) is None:
                try:
                    _ENV_NAME.validate_python(name)
                except ValidationError as exc:
                    message = exc.errors()[0]["msg"].removeprefix("Value error, ")
                    problems.append((f"{callee}.{field}", f"the default {message}; set {field}"))
                    continue
            if field == "endpoint_env" and looks_like_secret_name(name):
                # Plain variables never carry credential-looking names (the plain-env rule).
                problems.append(
                    (
                        f"{callee}.{field}",
                        f"{name} looks like a credential's name, and the endpoint is a plain "
                        "variable; set endpoint_env to another name",
                    )
                )
                continue
            if name in taken:
                problems.append(
                    (
                        f"{callee}.{field}",
                        f"{name} is already defined in {taken[name]}; set {field} to another name",
                    )
                )
            else:
                taken[name] = f"the call to {callee}"
    return problems


def check_calls(
    calls: Sequence[ServiceCall], env: Mapping[str, object], secrets: Mapping[str, object]
) -> None:
    """Raise ``ValueError`` for a callee given twice or a variable clash (see
    :func:`call_env_problems`); paths are ``calls.<callee>.<field>``."""
    seen: set[int] = set()
    for call in calls:
        if id(call.service) in seen:
            raise ValueError(f"calls.{call.callee_name}: the service is called twice; merge them")
        seen.add(id(call.service))
        if getattr(call.service, "public_reason", None) is not None:
            # A key for it would grant its project's private access: the siblings, not it.
            raise ValueError(
                f"calls.{call.callee_name}: the service is public; call its endpoint without "
                "a key (calls are for private services)"
            )
    problems = call_env_problems(((c.callee_name, c) for c in calls), env, secrets)
    if problems:
        raise ValueError("; ".join(f"calls.{path}: {message}" for path, message in problems))
    if (
        len(env) + len(calls) > limits.MAX_ENV_VARS
        or len(secrets) + len(calls) > limits.MAX_SECRETS
    ):
        raise ValueError(
            f"calls: each call adds a variable and a secret; at most {limits.MAX_ENV_VARS} "
            f"variables and {limits.MAX_SECRETS} secrets per service"
        )
