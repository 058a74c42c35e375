"""The :class:`PrivateContainer` component."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumiverse_scaleway import containers, registry

from ..core import limits
from ..errors import hide_on_user_error
from .attachments import Target, attach, has_custom_domain
from .container_args import PrivateContainerArgs, Probe
from .outputs import as_output
from .private_service import PrivateService, coerce_args, namespace_name_for

__tracebackhide__ = hide_on_user_error

TYPE_TOKEN = "private-serverless:index:PrivateContainer"


def _probe(probe: Probe | None, kind: type[Any], http_kind: type[Any]) -> Any:
    if probe is None:
        return None
    return kind(
        failure_threshold=probe.failure_threshold,
        interval=f"{probe.interval_seconds}s",
        timeout=f"{probe.timeout_seconds}s",
        http=http_kind(path=probe.http_path) if probe.http_path is not None else None,
        tcp=True if probe.http_path is None else None,
    )


def _https(endpoint: str) -> str:
    return (
        endpoint
        if endpoint.startswith("https://")
        else "https://" + endpoint.removeprefix("http://")
    )


def _host(endpoint: str) -> str:
    return endpoint.split("://", 1)[-1].rstrip("/")


class PrivateContainer(PrivateService):
    """A Scaleway Serverless Container that only IAM-authenticated callers can reach.

    Creates (under this component): a container namespace unless ``namespace_id`` is given, the
    container with ``privacy = "private"`` (the provider would default to public) and HTTPS-only
    connections, its plain and secret environment variables, an IAM application, its API
    key(s) with an expiry, and an IAM policy granting that application only
    ``ContainersPrivateAccess`` on the container's project, with the optional condition.

    Example::

        api = PrivateContainer("api", PrivateContainerArgs(
            image="rg.fr-par.scw.cloud/team/api:1.4.2", port=8080,
            secrets={"DATABASE_URL": config.require_secret("databaseUrl")},
        ))
    """

    permission_set = limits.CONTAINERS_PRIVATE_ACCESS
    kind = "Container"

    namespace: containers.Namespace | None
    container: containers.Container
    registry: registry.Namespace | None
    """The Container Registry namespace of ``registry``, if asked for."""

    def __init__(
        self,
        name: str,
        args: PrivateContainerArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = coerce_args(PrivateContainerArgs, "PrivateContainer", name, args)
        service_name = args.name or name
        namespace_name = namespace_name_for("PrivateContainer", name, args)

        super().__init__(TYPE_TOKEN, name, opts, args)

        project_id = self._project_for(service_name, args)

        call_endpoints, call_keys = self._wire_calls(service_name, args)

        self.namespace, namespace_id = self._namespace(
            containers.Namespace, namespace_name, service_name, args, project_id
        )
        self.namespace_id = as_output(namespace_id)
        service_project = self._service_project(project_id)
        identity_env, identity_secrets = self._wire_identity(service_name, args, service_project)
        self.registry = None
        if args.registry is not None:
            self.registry = registry.Namespace(
                self._child("registry"),
                name=args.registry.name,
                description=args.registry.description,
                # Never public: anyone could pull the images (code and configuration).
                is_public=False,
                project_id=service_project,
                region=args.region,
                opts=self._opts(),
            )

        image = args.checked_image
        self.container = containers.Container(
            self._child("container"),
            name=service_name,
            namespace_id=namespace_id,
            description=args.description,
            # Always explicit: the provider's default privacy for containers is public.
            privacy=args.privacy,
            image=image,
            # Any string; a new one redeploys. The digest makes a new push under the same tag
            # a change of the container's inputs.
            registry_sha256=args.registry_sha256(image),
            port=args.port,
            protocol=args.protocol,
            cpu_limit=args.cpu_limit_mvcpu,
            memory_limit_bytes=args.memory_limit_mb * limits.BYTES_PER_MB,
            local_storage_limit_bytes=(
                args.local_storage_limit_mb * limits.BYTES_PER_MB
                if args.local_storage_limit_mb is not None
                else None
            ),
            timeout=args.timeout_seconds,
            min_scale=args.min_scale,
            max_scale=args.max_scale,
            https_connections_only=args.https_only,
            environment_variables={**args.env, **call_endpoints, **identity_env},
            secret_environment_variables={
                **args.secret_inputs(),
                **call_keys,
                **identity_secrets,
            },
            commands=args.command,
            args=args.args,
            liveness_probe=_probe(
                args.liveness_probe,
                containers.ContainerLivenessProbeArgs,
                containers.ContainerLivenessProbeHttpArgs,
            ),
            startup_probe=_probe(
                args.startup_probe,
                containers.ContainerStartupProbeArgs,
                containers.ContainerStartupProbeHttpArgs,
            ),
            private_network_id=args.private_network_id,
            sandbox=args.sandbox,
            scaling_options=(
                [
                    containers.ContainerScalingOptionArgs(
                        concurrent_requests_threshold=args.scaling.concurrent_requests,
                        cpu_usage_threshold=args.scaling.cpu_percent,
                        memory_usage_threshold=args.scaling.memory_percent,
                    )
                ]
                if args.scaling is not None
                else None
            ),
            region=args.region,
            tags=self._service_tags(args),
            opts=self._opts(),
        )

        if project_id is None:
            # The provider picked the project; read it back from the namespace we created.
            assert self.namespace is not None  # PrivateContainerArgs requires project_id otherwise
            project_id = self.namespace.project_id
        self._wire_access(service_name, args, project_id)
        public_endpoint = self.container.public_endpoint
        custom_endpoint = attach(
            Target(
                self,
                name,
                "Container",
                self.container.id,
                # domain_name is deprecated on containers; the endpoint holds the same host.
                # Derived (and checked) in one apply, and only where a custom domain needs it.
                self._derived_provider_output(
                    public_endpoint, "container", "public_endpoint", _host
                )
                if has_custom_domain(args)
                else None,
                args.tags,
            ),
            args,
        )
        self._finish(
            custom_endpoint
            or self._derived_provider_output(
                public_endpoint, "container", "public_endpoint", _https
            ),
            self.registry.endpoint if self.registry is not None else None,
        )
