"""Arguments of :class:`PrivateNamespace`: a namespace several private services share."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..core import limits
from ..core.models import ArgsModel
from ..sensitive.environment import EnvName, check_env_and_secrets, check_plain_env
from .variables import NamespaceName, PlainValue, ProjectIdInput, SecretValue, value_length_problem

NamespaceKind = Literal["function", "container"]


class PrivateNamespaceArgs(ArgsModel):
    """A function or container namespace whose variables and secrets every service in it gets.

    A namespace groups services and their shared settings; it is no access boundary: IAM
    grants access per project, so the keys of one service of the project reach the others,
    whichever namespace they are in (``dedicated_project`` on a service isolates it).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        hide_input_in_errors=True,
        defer_build=True,  # validators built on first use, as ServiceArgs
    )

    kind: NamespaceKind
    """``function`` (a ``scaleway:functions/namespace:Namespace``, for PrivateFunction) or
    ``container`` (a ``scaleway:containers/namespace:Namespace``, for PrivateContainer): two
    different Scaleway resources; a service can only be in a namespace of its own kind."""

    name: NamespaceName | None = None
    """Name of the namespace at Scaleway; defaults to the component's name."""

    project_id: ProjectIdInput | None = None
    """Scaleway project of the namespace and of every service in it; defaults to the
    provider's project. A string or another resource's Output (``project.id``)."""

    region: limits.Region | None = None
    """Region; defaults to the provider's region. The services in it run there too."""

    description: Annotated[str, Field(max_length=255)] | None = None
    """Free text shown in the Scaleway console."""

    tags: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(default_factory=list)
    """Tags put on the namespace."""

    env: dict[EnvName, PlainValue] = Field(default_factory=dict)
    """Plain environment variables every service of the namespace gets, stored in clear."""

    secrets: dict[EnvName, SecretValue] = Field(default_factory=dict)
    """Secret environment variables every service of the namespace gets, set once on the
    namespace, encrypted at rest and marked secret in Pulumi."""

    @field_validator("env", "secrets")
    @classmethod
    def _check_value_length(cls, values: dict[str, Any]) -> dict[str, Any]:
        problem = value_length_problem(values)
        if problem is not None:
            raise ValueError(problem)
        return values

    @field_validator("env")
    @classmethod
    def _check_plain_env(cls, env: dict[str, Any]) -> dict[str, Any]:
        check_plain_env(env)
        return env

    @model_validator(mode="after")
    def _check_namespace(self) -> Self:
        check_env_and_secrets(self.env, self.secrets)
        if self.kind == "container":
            reserved = sorted(
                name
                for name in (*self.env, *self.secrets)
                if name.upper() in limits.CONTAINER_RESERVED_ENV_NAMES
            )
            if reserved:
                raise ValueError(
                    f"{', '.join(reserved)}: reserved for containers (Scaleway sets PORT to "
                    "each container's port)"
                )
        return self
