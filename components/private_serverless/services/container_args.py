"""Arguments of :class:`PrivateContainer`."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Literal, Self

import pulumi
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    InstanceOf,
    field_validator,
    model_validator,
)

from ..attachments.container_operation import Sandbox, ScalingOption
from ..attachments.registry import RegistryArgs
from ..core import limits
from ..core.models import ArgsModel
from ..errors import InvalidOutputError, hide_on_user_error
from ..sensitive.environment import check_plain_command, check_plain_values
from .service_args import ServiceArgs

__tracebackhide__ = hide_on_user_error


class Probe(ArgsModel):
    """A health probe: an HTTP GET on ``http_path``, or a TCP connection when it is ``None``."""

    # defer_build: validators are built on first use, not at import (see ServiceArgs).
    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    http_path: (
        Annotated[str, Field(pattern=r"^/\S*$", max_length=limits.PROBE_PATH_MAX_LENGTH)] | None
    ) = "/health"
    """Path probed over HTTP; ``None`` probes the port over TCP."""

    interval_seconds: Annotated[int, Field(ge=1, le=3600)] = 10
    """Time between two probes."""

    timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 5
    """How long one probe may take."""

    failure_threshold: Annotated[
        int,
        Field(ge=limits.PROBE_FAILURE_THRESHOLD_MIN, le=limits.PROBE_FAILURE_THRESHOLD_MAX),
    ] = 3
    """Consecutive failures before the instance is considered unhealthy."""

    @model_validator(mode="after")
    def _check_timing(self) -> Self:
        if self.timeout_seconds > self.interval_seconds:
            raise ValueError("timeout_seconds must not exceed interval_seconds")
        return self

    @field_validator("http_path")
    @classmethod
    def _check_plain_path(cls, path: str | None) -> str | None:
        # The path is a plain setting like `env` (stored in clear, planned, logged by the
        # platform): `/health?token=...` is refused as `env` refuses the same value.
        if path is not None:
            check_plain_values(
                {"http_path": path},
                "http_path",
                # A probe cannot send a secret (no variable reaches it): there is no other place.
                fix="a probe sends no secret: probe a path that needs no credential",
            )
        return path


def _check_image_digest_suffix(image: str) -> str:
    _, at, suffix = image.rpartition("@")
    if at and not re.match(limits.IMAGE_DIGEST_PATTERN, suffix):
        raise ValueError("a digest reference ends with @sha256: and 64 lowercase hex digits")
    return image


# Image addresses are at most 255 characters (Containers API v1 validation rules).
ImageAddress = Annotated[
    str,
    Field(min_length=1, max_length=255, pattern=r"^\S+$"),
    AfterValidator(_check_image_digest_suffix),
]
ImageDigest = Annotated[str, Field(pattern=limits.IMAGE_DIGEST_PATTERN)]


def _valid_image(value: str) -> bool:
    if not 1 <= len(value) <= 255 or not re.match(r"^\S+$", value):
        return False
    _, at, suffix = value.rpartition("@")
    return not at or bool(re.match(limits.IMAGE_DIGEST_PATTERN, suffix))


_RULES = {
    "image": (
        _valid_image,
        "an image address of 1 to 255 characters without spaces; a digest reference ends "
        "with @sha256: and 64 lowercase hex digits",
    ),
    "image_digest": (
        lambda value: bool(re.match(limits.IMAGE_DIGEST_PATTERN, value)),
        "sha256: and 64 lowercase hex digits",
    ),
}


def _checked(field: str, value: object) -> str:
    """An Output's value, known at last (``pulumi up``), held to the field's rules; the error
    names the field, never the value."""
    valid, rule = _RULES[field]
    if not isinstance(value, str) or not valid(value):
        raise InvalidOutputError(
            "PrivateContainerArgs", field, f"the Output gave no valid value: {rule}"
        )
    return value


def _agreed(image: str, digest: object) -> str:
    """The hex digits of ``digest`` (an Output's, checked), once it agrees with the digest
    ``image`` names, if it names one."""
    known = _checked("image_digest", digest)
    _check_agreement(image, known)
    return _hex(known)


def _check_agreement(image: str, digest: str) -> None:
    _, at, suffix = image.rpartition("@")
    if at and suffix != digest:
        raise InvalidOutputError(
            "PrivateContainerArgs",
            "image_digest",
            "differs from the digest in image; give the digest once",
        )


def _checked_image(image: object, digest: object) -> str:
    known = _checked("image", image)
    if isinstance(digest, str):
        _check_agreement(known, digest)
    return known


def _hex(digest: str) -> str:
    return digest.removeprefix("sha256:")


def _suffix_hex(image: str) -> str | None:
    _, at, digest = image.rpartition("@")
    return _hex(digest) if at and re.match(limits.IMAGE_DIGEST_PATTERN, digest) else None


class PrivateContainerArgs(ServiceArgs):
    """A private Scaleway Serverless Container: its image, port, resources, probes and access."""

    name_pattern: ClassVar[str] = limits.CONTAINER_NAME_PATTERN
    namespace_kind: ClassVar[str] = "container"

    image: ImageAddress | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
    """Image address, for example ``rg.fr-par.scw.cloud/my-namespace/api:1.4.2``: a string,
    or the Output of an image built and pushed in the same program (``docker_build.Image``'s
    ``ref``), which keeps the container's dependency on the push. An Output's address is
    checked when it is known. In a stack file, a reference to another service's registry
    (``${services.builds.registry_endpoint}/api:1.4.2``) is one."""

    image_digest: ImageDigest | InstanceOf[pulumi.Output] | None = None  # type: ignore[type-arg]
    """Digest of the image to deploy (``sha256:`` and 64 hex digits), as ``docker push``
    prints it; or put it in ``image`` (``...:1.4@sha256:...``). Sent as ``registry_sha256``,
    so a new image pushed under the same tag redeploys the container. In a stack file,
    ``image_digest: env:API_IMAGE_DIGEST`` reads it from the environment (a CI pipeline sets
    it after the push); in Python it may be the Output of the push (``docker_build.Image``'s
    ``digest``)."""

    port: Annotated[int, Field(ge=limits.PORT_MIN, le=limits.PORT_MAX)] = 8080
    """Port the container listens on (Scaleway sets ``PORT`` to it)."""

    memory_limit_mb: Annotated[
        int, Field(ge=limits.CONTAINER_MEMORY_MIN_MB, le=limits.CONTAINER_MEMORY_MAX_MB)
    ] = 256
    """Memory per instance in MB (Scaleway's own default is 2048; start small, raise it)."""

    cpu_limit_mvcpu: Annotated[
        int, Field(ge=limits.CONTAINER_CPU_MIN_MVCPU, le=limits.CONTAINER_CPU_MAX_MVCPU)
    ] = 140
    """vCPU per instance in thousandths (1000 = one vCPU)."""

    local_storage_limit_mb: (
        Annotated[
            int,
            Field(
                ge=limits.CONTAINER_LOCAL_STORAGE_MIN_MB, le=limits.CONTAINER_LOCAL_STORAGE_MAX_MB
            ),
        ]
        | None
    ) = None
    """Temporary disk of an instance in MB (sent as ``local_storage_limit_bytes``); Scaleway's
    default when unset. What is written there is lost when the instance stops."""

    protocol: Literal["http1", "h2c"] = "http1"
    """``h2c`` for HTTP/2 over cleartext inside the platform (gRPC)."""

    command: list[str] | None = None
    """Overrides the image's entry point."""

    args: list[str] | None = None
    """Overrides the image's default arguments."""

    liveness_probe: Probe | None = None
    """Restart an instance when this probe fails."""

    startup_probe: Probe | None = None
    """Wait for this probe before sending traffic to a new instance."""

    scaling: ScalingOption | None = None
    """When to add instances: concurrent requests, CPU or memory usage (exactly one); Scaleway
    scales on 80 concurrent requests when unset."""

    registry: RegistryArgs | None = None
    """Create a private Container Registry namespace for the images (``<name>-registry``); its
    endpoint is the component's ``registry_endpoint`` and the stack output
    ``<service>_registry_endpoint``, where a pipeline pushes. Scaleway creates none with a
    containers namespace any more."""

    sandbox: Sandbox | None = None
    """Execution environment, ``v1`` or ``v2``; Scaleway's default when unset."""

    def registry_sha256(self, image: pulumi.Input[str]) -> pulumi.Input[str | None]:
        """What the container's ``registry_sha256`` gets, for ``image`` (:attr:`checked_image`):
        the digest's hex digits, from ``image_digest`` or the ``@sha256:`` suffix of the
        image, checked once known (and, both given, that they agree)."""
        digest = self.image_digest
        if digest is None:
            if isinstance(image, pulumi.Output):
                return image.apply(_suffix_hex)
            return _suffix_hex(str(image))
        if isinstance(digest, str):
            # Known in a preview too; that it agrees with an Output image is checked in
            # checked_image, with strings by the arguments' own check.
            return _hex(digest)
        return pulumi.Output.all(image, digest).apply(lambda known: _agreed(*known))

    @property
    def checked_image(self) -> pulumi.Input[str]:
        """``image``, an Output's checked once known (the same rules as a string's)."""
        image, digest = self.image, self.image_digest
        if isinstance(image, pulumi.Output):
            return image.apply(lambda known: _checked_image(known, digest))
        return image

    @model_validator(mode="after")
    def _check_image(self) -> Self:
        if isinstance(self.image, str):
            _check_image_digest_suffix(self.image)
            _, at, suffix = self.image.rpartition("@")
            if at and isinstance(self.image_digest, str) and suffix != self.image_digest:
                raise ValueError(
                    "image_digest differs from the digest in image; give the digest once"
                )
        reserved = sorted(
            name
            for name in (*self.env, *self.secrets)
            if name.upper() in limits.CONTAINER_RESERVED_ENV_NAMES
        )
        if reserved:
            raise ValueError(
                f"{', '.join(reserved)}: reserved for containers (Scaleway sets PORT to the "
                "container's port; read it instead)"
            )
        # The variables calls and the identity add are the container's too: PORT among them
        # would be overwritten by Scaleway (or override the port the container listens on).
        added = [
            (f"calls.{call.callee_name}.{field}", name)
            for call in self.calls
            for field, name in zip(("endpoint_env", "key_env"), call.names, strict=True)
        ]
        if self.identity is not None:
            fields = ("project_id_env", "organization_id_env", "access_key_env", "secret_key_env")
            added += [(f"identity.{field}", getattr(self.identity, field)) for field in fields]
        for path, name in added:
            if name.upper() in limits.CONTAINER_RESERVED_ENV_NAMES:
                field = path.rsplit(".", 1)[-1]
                raise ValueError(
                    f"{path}: {name} is reserved for containers (Scaleway sets PORT to the "
                    f"container's port); set {field} to another name"
                )
        for field in ("command", "args"):
            check_plain_command(getattr(self, field) or [], field)
        return self

    @model_validator(mode="after")
    def _check_resources(self) -> Self:
        if self.port in limits.RESERVED_PORTS:
            raise ValueError(
                f"port {self.port} is used by the Scaleway platform; avoid "
                f"{', '.join(map(str, sorted(limits.RESERVED_PORTS)))}"
            )
        for key, queue in self.queues.items():
            if queue.nats is not None and queue.nats.account_region is None and not self.region:
                raise ValueError(
                    f"queues.{key}.nats: set region (or the service's region): a container "
                    "trigger names the NATS server of the account's region"
                )
        if self.min_scale > limits.CONTAINER_MIN_SCALE_LIMIT:
            raise ValueError(
                f"min_scale is at most {limits.CONTAINER_MIN_SCALE_LIMIT} for containers"
            )
        return self
