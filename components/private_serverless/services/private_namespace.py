"""The :class:`PrivateNamespace` component: one namespace several private services share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumiverse_scaleway import containers, functions
from pydantic import ValidationError

from ..core import limits
from ..errors import ConfigurationError, Problem, hide_on_user_error, problems_from_validation_error
from .namespace_args import NamespaceKind, PrivateNamespaceArgs
from .outputs import as_output
from .variables import secret_outputs

__tracebackhide__ = hide_on_user_error

TYPE_TOKEN = "private-serverless:index:PrivateNamespace"


class PrivateNamespace(pulumi.ComponentResource):
    """A Scaleway function or container namespace shared by several private services.

    Creates (under this component) ``<name>-namespace``: a ``functions.Namespace`` or a
    ``containers.Namespace`` (``kind``), with the shared plain and secret variables; the
    secrets are set on the namespace only, once, not on each service. Pass the component as
    ``namespace=`` to :class:`PrivateFunction` or :class:`PrivateContainer` of the same kind.
    Access is unchanged: each service keeps its own IAM application, keys and policy, and IAM
    grants access per project, not per namespace.

    Example::

        jobs = PrivateNamespace("jobs", PrivateNamespaceArgs(
            kind="function", secrets={"DB_PASSWORD": config.require_secret("dbPassword")},
        ))
        PrivateFunction("ingest", PrivateFunctionArgs(..., namespace=jobs))
        PrivateFunction("report", PrivateFunctionArgs(..., namespace=jobs))
    """

    kind: NamespaceKind
    args: PrivateNamespaceArgs
    namespace: functions.Namespace | containers.Namespace
    namespace_id: pulumi.Output[str]
    """The namespace's id (``<name>-namespace``'s ``id``)."""
    project_id: pulumi.Output[str]
    """The project of the namespace and of every service in it."""

    def __init__(
        self,
        name: str,
        args: PrivateNamespaceArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        where = f"PrivateNamespace {name!r}"
        if isinstance(args, PrivateNamespaceArgs):
            validated = args
        elif isinstance(args, Mapping):
            try:
                validated = PrivateNamespaceArgs.model_validate(args)
            except ValidationError as exc:
                raise ConfigurationError(where, problems_from_validation_error(exc)) from None
        else:
            raise ConfigurationError(
                where,
                [
                    Problem(
                        "args",
                        f"expected PrivateNamespaceArgs or a mapping, got {type(args).__name__}",
                    )
                ],
            )
        namespace_name = validated.name or name
        if not re.match(limits.NAMESPACE_NAME_PATTERN, namespace_name):
            raise ConfigurationError(
                where,
                [
                    Problem(
                        "name",
                        "the component name is not a valid namespace name (2 to 34 lowercase "
                        "letters, digits and hyphens, starting with a letter); set args.name",
                    )
                ],
            )

        super().__init__(TYPE_TOKEN, name, None, opts)
        self.kind = validated.kind
        self.args = validated
        namespace_type = (
            functions.Namespace if validated.kind == "function" else containers.Namespace
        )
        self.namespace = namespace_type(
            f"{name}-namespace",
            name=namespace_name,
            description=validated.description or f"Namespace shared by private {validated.kind}s.",
            project_id=validated.project_id,
            region=validated.region,
            tags=list(validated.tags),
            environment_variables=dict(validated.env) or None,
            secret_environment_variables=secret_outputs(validated.secrets) or None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.namespace_id = self.namespace.id
        self.project_id = as_output(
            validated.project_id if validated.project_id is not None else self.namespace.project_id
        )
        self.register_outputs({"namespace_id": self.namespace_id, "project_id": self.project_id})
