"""Pulumi mocks that answer like Scaleway would, deterministically.

The Pulumi program itself is not mocked: these only stand in for the provider, returning the
outputs Scaleway computes (ids, domain names, the project a namespace lands in, an API key's
access key). Every value is derived from the resource name, so the same program gives the same
plan on every machine and two plans can be diffed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pulumi

#: The project the mock provider puts resources in when the program names none, as the real
#: provider does with ``SCW_DEFAULT_PROJECT_ID``.
DEFAULT_PROJECT_ID = "11111111-1111-4111-8111-111111111111"
DEFAULT_ORGANIZATION_ID = "22222222-2222-4222-8222-222222222222"
DEFAULT_REGION = "fr-par"

_NAMESPACE = uuid.UUID("6f1c1f9e-4a8e-4f55-9d36-2b1f0c5d7a10")

State = dict[str, Any]


def mock_uuid(*parts: str) -> str:
    """A stable UUID for a resource: the same parts always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def mock_resource_id(type_token: str, name: str, region: str = DEFAULT_REGION) -> str:
    """The id the mocks give a resource, so that a plan reader can tell what an id refers to."""
    resource_id = mock_uuid(type_token, name)
    if type_token == "scaleway:secrets/secret:Secret":
        # Scaleway prefixes regional secret ids with their region.
        return f"{region}/{resource_id}"
    return resource_id


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:12]


def _default_project_id() -> str:
    # The provider puts what names no project in its default project: the stack's
    # scaleway:projectId when it sets one (then a real id), else an invented one.
    return pulumi.Config("scaleway").get("projectId") or DEFAULT_PROJECT_ID


def _namespace(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    state.setdefault("projectId", _default_project_id())
    region = state.setdefault("region", DEFAULT_REGION)
    state.setdefault("organizationId", DEFAULT_ORGANIZATION_ID)
    state.setdefault("registryNamespaceId", mock_uuid(args.name, "registry"))
    # Scaleway creates a registry namespace per serverless namespace, named after it.
    name = str(state.get("name") or args.name)
    state.setdefault("registryEndpoint", f"rg.{region}.scw.cloud/funcscw{name}")


def _registry(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    region = state.setdefault("region", DEFAULT_REGION)
    state.setdefault("projectId", _default_project_id())
    state.setdefault("organizationId", DEFAULT_ORGANIZATION_ID)
    # Scaleway's registry endpoints read rg.<region>.scw.cloud/<namespace name>.
    state.setdefault("endpoint", f"rg.{region}.scw.cloud/{state.get('name') or args.name}")


def _function(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    region = state.setdefault("region", DEFAULT_REGION)
    name = str(state.get("name") or args.name)
    state["domainName"] = f"{name}-{_short_hash(args.name)}.functions.fnc.{region}.scw.cloud"
    state.setdefault("organizationId", DEFAULT_ORGANIZATION_ID)
    # No projectId: the provider declares it on functions but never sets it (only the
    # namespace reports a project), and code reading it must not pass under mocks.


def _container(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    region = state.setdefault("region", DEFAULT_REGION)
    name = str(state.get("name") or args.name)
    domain = f"{name}-{_short_hash(args.name)}.functions.fnc.{region}.scw.cloud"
    state["domainName"] = domain
    state["publicEndpoint"] = f"https://{domain}"
    state["status"] = "ready"


def _application(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    state.setdefault("organizationId", DEFAULT_ORGANIZATION_ID)
    state.setdefault("editable", True)


def mock_api_access_key(name: str) -> str:
    """The access key the mocks give the API key ``name`` (``SCW`` and 17 characters)."""
    return "SCW" + _short_hash(name, "access").upper()[:17].ljust(17, "X")


def _api_key(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    state["accessKey"] = mock_api_access_key(args.name)
    # With ``secret_id`` the provider writes the secret to Secret Manager and leaves it unset.
    if not state.get("secretId"):
        state["secretKey"] = mock_uuid(args.name, "secret-key")


def _policy(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    state.setdefault("organizationId", DEFAULT_ORGANIZATION_ID)
    state.setdefault("editable", True)


def _secret(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    state.setdefault("region", DEFAULT_REGION)
    state.setdefault("projectId", _default_project_id())
    state.setdefault("status", "ready")


def _project(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    state.setdefault("organizationId", DEFAULT_ORGANIZATION_ID)


def _sqs(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    region = state.setdefault("region", DEFAULT_REGION)
    state.setdefault("projectId", _default_project_id())
    state["endpoint"] = f"https://sqs.mnq.{region}.scaleway.com"


def _sqs_queue(args: pulumi.runtime.MockResourceArgs, state: State) -> None:
    # A queue created by the program itself (its url fed to a trigger): the URL Scaleway gives.
    region = state.setdefault("region", DEFAULT_REGION)
    project = state.setdefault("projectId", _default_project_id())
    name = str(state.get("name") or args.name)
    state["url"] = f"https://sqs.mnq.{region}.scaleway.com/project-{project}/{name}"


_COMPUTED: dict[str, Callable[[pulumi.runtime.MockResourceArgs, State], None]] = {
    "scaleway:functions/namespace:Namespace": _namespace,
    "scaleway:containers/namespace:Namespace": _namespace,
    "scaleway:functions/function:Function": _function,
    "scaleway:containers/container:Container": _container,
    "scaleway:iam/application:Application": _application,
    "scaleway:iam/apiKey:ApiKey": _api_key,
    "scaleway:iam/policy:Policy": _policy,
    "scaleway:secrets/secret:Secret": _secret,
    "scaleway:account/project:Project": _project,
    "scaleway:registry/namespace:Namespace": _registry,
    "scaleway:mnq/sqs:Sqs": _sqs,
    "scaleway:mnq/sqsQueue:SqsQueue": _sqs_queue,
}


class ScalewayMocks(pulumi.runtime.Mocks):
    """Answers resource registrations with the outputs the Scaleway provider would compute."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, State]:
        state: State = dict(args.inputs)
        fill = _COMPUTED.get(args.typ)
        if fill is not None:
            fill(args, state)
        return mock_resource_id(args.typ, args.name, str(state.get("region", ""))), state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        # The components make no provider function calls; answer empty rather than fail.
        return {}, []
