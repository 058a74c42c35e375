"""What a service's or a namespace's settings may hold: plain values, secrets, project IDs.

Shared by the service args (:mod:`.service_args`) and the namespace args
(:mod:`.namespace_args`), so that a variable or a project ID obeys the same rules wherever it
is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import pulumi
from pydantic import AfterValidator, InstanceOf, SecretStr

from ..core import limits

#: A Scaleway project ID: a UUID, written in lowercase as the console and API give it. IAM
#: policies and this library compare project IDs as text, so another spelling of the same
#: project (upper case, spaces) would read as a different project.
PROJECT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def check_project_id(value: str) -> str:
    """Raise ``ValueError`` unless ``value`` is a project ID as Scaleway writes it."""
    if not re.match(PROJECT_ID_PATTERN, value):
        raise ValueError("must be a project ID: a lowercase UUID, as the Scaleway console shows it")
    return value


#: A project ID, or an Output of one (another resource's ``project_id``), keeping the dependency.
ProjectIdInput: TypeAlias = (
    Annotated[str, AfterValidator(check_project_id)] | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
)


def check_namespace_name(name: str) -> str:
    """Raise ``ValueError`` unless ``name`` is a namespace name Scaleway accepts."""
    if not re.match(limits.NAMESPACE_NAME_PATTERN, name):
        raise ValueError(
            f"not a valid namespace name: 2 to {limits.SERVICE_NAME_MAX_LENGTH} "
            "lowercase letters, digits and hyphens, starting with a letter and ending with a "
            "letter or digit"
        )
    return name


NamespaceName = Annotated[str, AfterValidator(check_namespace_name)]

PlainValue = str | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
if TYPE_CHECKING:
    # What callers may pass: a plain string too. Validation turns it into a SecretStr (never
    # shown in a repr or an error), which is what the runtime type below says.
    SecretValue: TypeAlias = str | SecretStr | pulumi.Output[Any]
else:
    SecretValue = SecretStr | InstanceOf[pulumi.Output]
"""A secret: a string (wrapped as a Pulumi secret by the component) or a Pulumi ``Output``."""


def value_length_problem(values: Mapping[str, Any]) -> str | None:
    """The first variable whose known value is too long for Scaleway, as a message; only
    values known now can be checked (Outputs are checked by Scaleway at deploy time)."""
    for key, value in values.items():
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str) and len(raw) > limits.ENV_VALUE_MAX_LENGTH:
            return (
                f"{key}: values are at most {limits.ENV_VALUE_MAX_LENGTH} characters "
                f"(got {len(raw)}); keep a larger value in Secret Manager and read it at "
                "run time (identity.grants SecretManagerSecretAccess), or ship it as a file "
                "in the code"
            )
    return None


def secret_outputs(secrets: Mapping[str, Any]) -> dict[str, pulumi.Output[Any]]:
    """``secrets`` as Pulumi secret outputs, whatever form they were given in."""
    result: dict[str, pulumi.Output[Any]] = {}
    for key, value in secrets.items():
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        result[key] = pulumi.Output.secret(raw)
    return result
