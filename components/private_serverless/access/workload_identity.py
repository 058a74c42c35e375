"""What a service may do on Scaleway itself: its workload identity's grants.

A function that reads a secret, writes to Object Storage or starts an Instance calls the
Scaleway API with a key of its own, as Scaleway's page on securing a function says
(/work/shared/reference/scaleway-how-to-secure-a-function.txt). ``identity.grants`` lists what
that key may do: each grant is one permission set (checked against the catalogue,
:mod:`.permission_sets`), where it applies, and an optional condition.

The component gives the service its identity application (``<name>-identity``, the same one
``calls`` uses), one policy with these rules (``<name>-grants``), expiring keys with
generations (``<name>-identity-key-gen<g>``) and the active key in **secret** variables. Names
starting with ``SCW_`` are reserved by the platform ("Reserved environment variables: SCW_*",
https://www.scaleway.com/en/docs/serverless/functions/reference-content/functions-limitations/),
so the defaults are ``SERVICE_ACCESS_KEY`` / ``SERVICE_SECRET_KEY`` (secret) and
``SERVICE_PROJECT_ID`` / ``SERVICE_ORGANIZATION_ID`` (plain).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Self, cast

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from ..core import limits
from ..core.models import ArgsModel
from ..sensitive.environment import EnvName, looks_like_secret_name
from .access_args import CheckedCondition
from .permission_sets import ORGANIZATION, PROJECT, PermissionSet, permission_set

#: Tag on a service's grants policy: ``<prefix><service component>``. The access matrix reads
#: it to tell an identity's grants from the access a service declares for its callers.
GRANTS_TAG_PREFIX = "private-serverless-grants-of="

_PROJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _check_set_name(name: str) -> str:
    permission_set(name)  # UnknownPermissionSetError (a ValueError) with the closest names
    return name


def _check_scope(scope: str) -> str:
    if scope in (PROJECT, ORGANIZATION) or _PROJECT_ID.match(scope):
        return scope
    raise ValueError(
        "must be `project` (the service's own project), `organization`, or a project ID "
        "(a lowercase UUID)"
    )


class GrantArgs(ArgsModel):
    """One thing the service may do: a permission set, where, and under which condition.

    Example: ``GrantArgs(permission_set="SecretManagerSecretAccess")`` (read secret versions
    of the service's own project).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    permission_set: Annotated[str, AfterValidator(_check_set_name)]
    """A Scaleway permission set name (``SecretManagerSecretAccess``, ``InstancesServerStart``,
    ``ObjectStorageObjectsRead``...). An unknown name is an error with the closest ones."""

    scope: Annotated[str, AfterValidator(_check_scope)] = PROJECT
    """``project``: the service's own project (default); a project ID: that project;
    ``organization``: the whole organization, only for organization-scoped sets."""

    condition: CheckedCondition = None
    """CEL condition on the rule (a string or a condition builder), checked like
    ``access.condition``. ``None``: every request carrying the key."""

    @property
    def entry(self) -> PermissionSet:
        """The catalogue's entry for the set."""
        return permission_set(self.permission_set)

    @property
    def condition_cel(self) -> str | None:
        """The condition as CEL text."""
        return cast("str | None", self.condition)

    @model_validator(mode="after")
    def _check_scope_fits(self) -> Self:
        entry = self.entry
        if entry.scope == ORGANIZATION and self.scope != ORGANIZATION:
            raise ValueError(f"scope: {entry.name} is organization-scoped; set scope: organization")
        if entry.scope == PROJECT and self.scope == ORGANIZATION:
            raise ValueError(
                f"scope: {entry.name} is project-scoped; grant it on `project` or a project ID, "
                "never on the whole organization"
            )
        return self


class IdentityArgs(ArgsModel):
    """The service's own identity on Scaleway: what its key may do, and where the service
    finds the key.

    Example: ``IdentityArgs(grants=[GrantArgs(permission_set="SecretManagerSecretAccess")])``.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    grants: Annotated[list[GrantArgs], Field(min_length=1, max_length=limits.MAX_SECRETS)]
    """What the identity may do: one policy rule per grant, in one policy."""

    access_key_env: EnvName = "SERVICE_ACCESS_KEY"
    """Secret variable holding the key's access key (``SCW_*`` is the platform's)."""

    secret_key_env: EnvName = "SERVICE_SECRET_KEY"
    """Secret variable holding the key's secret key."""

    project_id_env: EnvName = "SERVICE_PROJECT_ID"
    """Plain variable holding the service's project ID (the key's default project)."""

    organization_id_env: EnvName = "SERVICE_ORGANIZATION_ID"
    """Plain variable holding the organization ID."""

    key_expires_in_days: (
        Annotated[int, Field(ge=limits.KEY_LIFETIME_MIN_DAYS, le=limits.KEY_LIFETIME_MAX_DAYS)]
        | None
    ) = None
    """Lifetime of the identity's keys; defaults to ``access.key_expires_in_days``."""

    key_generation: Annotated[int, Field(ge=0)] = 0
    """Rotation counter of the identity's keys, as ``access.key_generation``: raising it
    creates a new key; the previous one keeps working until the next rotation."""

    @property
    def plain_names(self) -> tuple[str, str]:
        """(project variable, organization variable)."""
        return self.project_id_env, self.organization_id_env

    @property
    def secret_names(self) -> tuple[str, str]:
        """(access key variable, secret key variable)."""
        return self.access_key_env, self.secret_key_env

    @model_validator(mode="after")
    def _check_names(self) -> Self:
        names = [*self.plain_names, *self.secret_names]
        if len(set(names)) != len(names):
            raise ValueError("the four variable names (*_env) must differ")
        for field, name in zip(
            ("project_id_env", "organization_id_env"), self.plain_names, strict=True
        ):
            if looks_like_secret_name(name):
                raise ValueError(
                    f"{field}: the variable is plain and its name looks like a credential's; "
                    "choose another name"
                )
        return self


def identity_env_problems(identity: IdentityArgs, taken: Iterable[str]) -> list[tuple[str, str]]:
    """(field, message) for each identity variable already defined elsewhere (``env``,
    ``secrets`` or a call's variables)."""
    used = set(taken)
    fields = ("project_id_env", "organization_id_env", "access_key_env", "secret_key_env")
    return [
        (field, f"{getattr(identity, field)} is already defined; set {field} to another name")
        for field in fields
        if getattr(identity, field) in used
    ]
