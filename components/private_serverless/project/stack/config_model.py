"""The shape of a stack's configuration (``stacks/Pulumi.<stack>.yaml``).

Each service entry is checked in two steps: here, its kind and secret references; then, with
its secrets resolved and the stack defaults applied, by the component's own argument model
(:class:`PrivateFunctionArgs` or :class:`PrivateContainerArgs`), so that a stack file and a
program calling the components directly obey exactly the same rules.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...core import limits
from ...policies.settings import PolicySettings
from .secret_sources import SecretReference

_STRICT = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class StackDefaults(BaseModel):
    """Settings applied to every service of the stack unless the service sets them."""

    model_config = _STRICT

    region: limits.Region | None = None
    """Region of every service (the provider's region when unset)."""

    protect: bool = False
    """Protect identity resources (IAM applications, projects, key secrets) from deletion."""

    tags: list[str] = Field(default_factory=list)
    """Tags added to every service's resources."""

    key_expires_in_days: Annotated[
        int, Field(ge=limits.KEY_LIFETIME_MIN_DAYS, le=limits.KEY_LIFETIME_MAX_DAYS)
    ] = 90
    """Lifetime of API keys."""

    store_keys_in_secret_manager: bool = False
    """Keep API key secrets in Secret Manager instead of the Pulumi state."""

    dedicated_projects: bool = False
    """Give each service its own Scaleway project (per-service IAM isolation)."""


class ServiceEntry(BaseModel):
    """One service: its kind and secret references; every other key goes to the component."""

    model_config = ConfigDict(frozen=True, extra="allow", hide_input_in_errors=True)

    kind: Literal["function", "container"]
    """``function`` (a PrivateFunction) or ``container`` (a PrivateContainer)."""

    secrets: dict[str, SecretReference] = Field(default_factory=dict)
    """Secret environment variables by reference: ``env:NAME`` or ``config:key``."""

    previous_names: list[str] = Field(default_factory=list, max_length=16)
    """Keys this service had in the stack file before a rename, newest first: its resources
    are kept (Pulumi aliases; the children follow the component) and its names at Scaleway
    stay those of the first previous key unless ``name`` is set, so no endpoint or key is
    replaced."""


class NamespaceEntry(BaseModel):
    """A shared namespace: its kind and secret references; every other key goes to the
    component (:class:`PrivateNamespaceArgs`: env, name, project_id, region, description,
    tags). Services join it with ``namespace: <key>``."""

    model_config = ConfigDict(frozen=True, extra="allow", hide_input_in_errors=True)

    kind: Literal["function", "container"]
    """``function`` (for functions) or ``container`` (for containers): two Scaleway resources."""

    secrets: dict[str, SecretReference] = Field(default_factory=dict)
    """Secret environment variables every service of the namespace gets, by reference."""


class StackConfig(BaseModel):
    """Everything under the project's namespace in a stack file."""

    model_config = _STRICT

    services: Annotated[dict[str, ServiceEntry], Field(min_length=1)]
    """The private services of this stack, by component name."""

    namespaces: dict[str, NamespaceEntry] = Field(default_factory=dict)
    """Namespaces several services share (``namespace: <key>`` on a service), by component name."""

    defaults: StackDefaults = Field(default_factory=StackDefaults)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    """Guardrails the offline plan and the policy pack enforce on this stack."""
