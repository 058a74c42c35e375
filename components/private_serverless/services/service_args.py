"""Settings every private service has, whether it is a function or a container."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

import pulumi
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    InstanceOf,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from ..access.access_args import AccessArgs
from ..access.public_access import PUBLIC_REASON_MAX_LENGTH, Privacy
from ..access.service_calls import ServiceCall, check_calls
from ..access.workload_identity import IdentityArgs, identity_env_problems
from ..attachments.custom_domain import CustomDomainArgs
from ..attachments.queue_triggers import QueueTriggerArgs
from ..attachments.schedules import ALLOWED_PLAIN_NAMES, RoleKey, ScheduleArgs
from ..core import limits
from ..core.models import ArgsModel
from ..sensitive.environment import (
    AllowedPlainName,
    EnvName,
    check_env_and_secrets,
    check_plain_document,
    check_plain_env,
)
from .private_namespace import PrivateNamespace
from .variables import (
    NamespaceName,
    PlainValue,
    SecretValue,
    check_project_id,
    secret_outputs,
    value_length_problem,
)

# A Private Network ID as the provider gives it (``scaleway:network/privateNetwork``'s ``id``):
# a UUID, or the regional form ``<region>/<uuid>`` (terraform-provider-scaleway regional IDs,
# internal/locality/regional/ids.go). Private Networks are regional, and a service can only be
# attached to one in its own region (Serverless Containers and Private Networks integration,
# https://www.scaleway.com/en/docs/serverless-containers/reference-content/containers-private-networks/).
PRIVATE_NETWORK_ID_PATTERN = (
    r"^(?:(?P<region>[a-z]{2}-[a-z]{3})/)?"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def _check_private_network_id(value: str) -> str:
    if not re.match(PRIVATE_NETWORK_ID_PATTERN, value):
        raise ValueError(
            "must be a Private Network ID: a UUID or <region>/<uuid> (fr-par/...), as "
            "scaleway:network/privateNetwork's id gives it"
        )
    return value


def _check_namespace_id(value: str) -> str:
    # Namespace IDs take the same regional form as Private Network IDs (see above).
    if not re.match(PRIVATE_NETWORK_ID_PATTERN, value):
        raise ValueError(
            "must be a namespace ID: a UUID or <region>/<uuid> (fr-par/...), as the namespace's "
            "id gives it"
        )
    return value


def _at(key: object, errors: list[ErrorDetails]) -> list[InitErrorDetails]:
    """A schedule's validation errors, located at ``schedules.<key>``."""
    return [
        {
            "type": error["type"],
            "loc": (str(key), *error["loc"]),
            "input": error["input"],
            **({"ctx": error["ctx"]} if "ctx" in error else {}),  # type: ignore[typeddict-item]
        }
        for error in errors
    ]


def _refused_keys(
    key: object, schedule: ScheduleArgs, allowed: list[str]
) -> list[InitErrorDetails]:
    """The problem of a schedule whose args hold a key this service's allow-list does not
    release, at ``schedules.<key>``; none otherwise."""
    try:
        check_plain_document(schedule.args, "args", allowed)
    except ValueError as exc:
        error = PydanticCustomError("value_error", "{reason}", {"reason": str(exc)})
        return [{"type": error, "loc": (str(key),), "input": None}]
    return []


def check_service_name(name: str, pattern: str = limits.FUNCTION_NAME_PATTERN) -> str:
    """Raise ``ValueError`` unless ``name`` matches ``pattern`` (a Scaleway name rule)."""
    if not re.match(pattern, name):
        shortest = 2 if pattern == limits.CONTAINER_NAME_PATTERN else 1
        raise ValueError(
            f"not a valid name: {shortest} to {limits.SERVICE_NAME_MAX_LENGTH} "
            "lowercase letters, digits and hyphens, starting and ending with a letter or digit"
        )
    return name


class ServiceArgs(ArgsModel):
    """Settings shared by :class:`PrivateFunctionArgs` and :class:`PrivateContainerArgs`."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        hide_input_in_errors=True,
        # Build the validators on first use, not at import: `import private_serverless` should
        # cost little more than the provider SDK (docs/benchmarks.md). Same validation.
        defer_build=True,
    )

    name_pattern: ClassVar[str] = limits.FUNCTION_NAME_PATTERN
    #: The kind of namespace the service can be in (a PrivateNamespace's ``kind``).
    namespace_kind: ClassVar[str] = "function"

    name: str | None = None
    """Name of the function or container at Scaleway; defaults to the component's name."""

    namespace_name: NamespaceName | None = None
    """Name of the namespace the component creates; defaults to ``<name>-ns``."""

    namespace: InstanceOf[PrivateNamespace] | None = None
    """A namespace shared with other services (:class:`PrivateNamespace`, of this service's
    kind): the service gets its variables and secrets, and its project and region. Without it
    (and without ``namespace_id``) the component creates a namespace of its own."""

    namespace_id: (
        Annotated[str, AfterValidator(_check_namespace_id)]
        | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
        | None
    ) = None
    """Use this existing namespace instead of creating one (a UUID or ``<region>/<uuid>``)."""

    project_id: (
        Annotated[str, AfterValidator(check_project_id)]
        | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
        | None
    ) = None
    """Scaleway project; defaults to the provider's project (``SCW_DEFAULT_PROJECT_ID``).
    Required with ``namespace_id``: the IAM policy must name the project, and the provider
    fills no project on a function or container (only on the namespace it creates)."""

    dedicated_project: bool = False
    """Create a Scaleway project for this service alone. IAM access is granted per project, so
    this is the only way a key can call this service and nothing else."""

    region: limits.Region | None = None
    """Region; defaults to the provider's region."""

    description: Annotated[str, Field(max_length=255)] | None = None
    """Free text shown in the Scaleway console."""

    tags: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(default_factory=list)
    """Tags put on the service."""

    allowed_plain_names: frozenset[AllowedPlainName] = Field(default_factory=frozenset)
    """Names of plain ``env`` variables that only look like credentials (``STRIPE_KEY`` holding
    a publishable key, ``PASS_THROUGH``): accepted here and by the plan's and the policy pack's
    ``no-plain-secrets`` for this service, and shown in the plan as a weakened guardrail. Their
    values are still scanned; a credential beyond doubt (``DB_PASSWORD``, ``API_TOKEN``,
    ``AUTH``) cannot be allowed. A stack's ``policy.allowed_plain_names`` adds to it."""

    env: dict[EnvName, PlainValue] = Field(default_factory=dict)
    """Plain environment variables, stored in clear: never put a credential here."""

    secrets: dict[EnvName, SecretValue] = Field(default_factory=dict)
    """Secret environment variables, encrypted at rest and marked secret in Pulumi."""

    min_scale: Annotated[int, Field(ge=0, le=limits.MAX_SCALE_LIMIT)] = 0
    """Instances kept warm; 0 scales to zero (cheapest, with cold starts)."""

    max_scale: Annotated[int, Field(ge=1, le=limits.MAX_SCALE_LIMIT)] = 5
    """Upper bound on instances, which also caps the bill."""

    timeout_seconds: Annotated[
        int, Field(ge=limits.TIMEOUT_MIN_SECONDS, le=limits.TIMEOUT_MAX_SECONDS)
    ] = 300
    """Maximum processing time of one request."""

    https_only: bool = True
    """Redirect plain HTTP to HTTPS so keys never travel in clear."""

    privacy: Privacy = "private"
    """``private`` (the default): only callers with a key get in. ``public``: anyone may call
    the service (a gateway in front of private ones), which needs ``public_reason``; a public
    service gets no caller application, key or policy, and may still ``calls`` private
    services with its own identity."""

    public_reason: Annotated[str, Field(max_length=PUBLIC_REASON_MAX_LENGTH)] | None = Field(
        default=None, validate_default=True
    )
    """Why the service is public (required with ``privacy: public``, refused otherwise). Shown
    in every plan format and the access matrix, and carried by a tag of the function or
    container so that the policy pack and the audit see it too."""

    protect: bool = False
    """Protect the identity resources (IAM application, dedicated project, key secret) against
    deletion, as production stacks should."""

    access: AccessArgs = Field(default_factory=AccessArgs)
    """Who may call the service: condition, key lifetime and rotation."""

    private_network_id: (
        Annotated[str, AfterValidator(_check_private_network_id)]
        | InstanceOf[pulumi.Output]  # type: ignore[type-arg]
        | None
    ) = None
    """Attach the service to this Private Network (a UUID or ``<region>/<uuid>``, in the
    service's region), so it reaches a database or other resources of the VPC. Outbound
    private traffic only: callers still reach the service on its (private, authenticated)
    endpoint. Namespaces created since Scaleway's VPC integration need no setting for it: the
    installed provider has no ``activate_vpc_integration`` input any more."""

    schedules: dict[RoleKey, ScheduleArgs] = Field(default_factory=dict)
    """CRON triggers by name (``nightly``), each a child ``<name>-cron-<key>``."""

    queues: dict[RoleKey, QueueTriggerArgs] = Field(default_factory=dict)
    """Queue triggers by name (``orders``), each a child ``<name>-trigger-<key>``."""

    domain: CustomDomainArgs | None = None
    """A custom hostname, and optionally its CNAME record in a Scaleway-managed zone."""

    domains: Annotated[list[CustomDomainArgs], Field(max_length=limits.CUSTOM_DOMAINS_MAX)] = Field(
        default_factory=list
    )
    """More custom hostnames (each a child ``<name>-domain-<hostname>``, and
    ``<name>-dns-<hostname>`` with a zone); with ``domain``, at most 50 in all (Scaleway's
    limit per function or container). ``endpoint`` is ``domain``'s, else the first one's."""

    calls: list[ServiceCall] = Field(default_factory=list)
    """Private services this one calls. The service gets an identity of its own (an IAM
    application, not the one whose keys its clients hold), granted each callee's permission
    set on the callee's project, and per callee the endpoint in a plain variable
    (``<CALLEE>_URL``) and a key in a secret one (``<CALLEE>_AUTH_TOKEN``)."""

    identity: IdentityArgs | None = None
    """What the service itself may do on Scaleway (read a secret, start an Instance...): its
    workload identity's ``grants``. The service gets an identity application (shared with
    ``calls``), one policy with these rules, expiring keys, and the active key in secret
    variables (``SERVICE_ACCESS_KEY``, ``SERVICE_SECRET_KEY``; project and organization IDs in
    plain ``SERVICE_PROJECT_ID``, ``SERVICE_ORGANIZATION_ID``; each renamable)."""

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        return None if value is None else check_service_name(value, cls.name_pattern)

    @field_validator("public_reason")
    @classmethod
    def _check_public_reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        public = info.data.get("privacy") == "public"
        reason = value.strip() if value is not None else None
        if public and not reason:
            raise ValueError(
                "required with privacy public: say why anyone may call this service (a "
                "reviewer reads it in the plan)"
            )
        if not public and value is not None:
            raise ValueError("only for privacy public; drop it, or set privacy to public")
        return reason

    @field_validator("env", "secrets")
    @classmethod
    def _check_value_length(cls, values: dict[str, Any]) -> dict[str, Any]:
        problem = value_length_problem(values)
        if problem is not None:
            raise ValueError(problem)
        return values

    @field_validator("env")
    @classmethod
    def _check_plain_env(cls, env: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        # allowed_plain_names is declared before env, so it is validated (or failed) first.
        check_plain_env(env, info.data.get("allowed_plain_names", ()))
        return env

    @field_validator("schedules", mode="wrap")
    @classmethod
    def _check_schedules_with_allowed_names(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> dict[str, ScheduleArgs]:
        # A schedule's args keys that only look like a credential's are released by this
        # service's allowed_plain_names (declared before schedules): the schedules given as
        # mappings are validated knowing them (ScheduleArgs reads them from the context).
        allowed = sorted(info.data.get("allowed_plain_names", ()))
        problems: list[InitErrorDetails] = []
        if allowed and isinstance(value, Mapping):
            validated: dict[Any, Any] = {}
            for key, item in value.items():
                if not isinstance(item, Mapping):
                    validated[key] = item
                    continue
                try:
                    context = {ALLOWED_PLAIN_NAMES: allowed}
                    validated[key] = ScheduleArgs.model_validate(item, context=context)
                except ValidationError as exc:
                    # Reported with the others below; the rest are still judged.
                    problems += _at(key, exc.errors(include_url=False))
            value = validated
        schedules: dict[str, ScheduleArgs] = handler(value)
        # Judged again by this service's own list: a schedule validated elsewhere (another
        # service's instance, a caller's context) releases nothing here.
        for key, schedule in schedules.items():
            problems += _refused_keys(key, schedule, allowed)
        if problems:
            raise ValidationError.from_exception_data("ScheduleArgs", problems)
        return schedules

    @model_validator(mode="after")
    def _check_service(self) -> Self:
        if self.min_scale > self.max_scale:
            raise ValueError(f"min_scale ({self.min_scale}) exceeds max_scale ({self.max_scale})")
        check_env_and_secrets(self.env, self.secrets)
        if self.privacy == "public" and (
            self.access.condition is not None or self.access.expect is not None
        ):
            raise ValueError(
                "access: a public service is called without a key, so a condition on its "
                "callers restricts nothing; drop access.condition and access.expect, or make "
                "it private"
            )
        check_calls(self.calls, self.env, self.secrets)
        if self.identity is not None:
            taken = [*self.env, *self.secrets, *(n for c in self.calls for n in c.names)]
            problems = identity_env_problems(self.identity, taken)
            if problems:
                raise ValueError(
                    "; ".join(f"identity.{field}: {message}" for field, message in problems)
                )
        if self.dedicated_project and (
            self.project_id is not None or self.namespace_id is not None
        ):
            raise ValueError(
                "dedicated_project creates its own project and namespace: drop project_id and "
                "namespace_id, or drop dedicated_project"
            )
        if self.namespace_id is not None and self.project_id is None:
            # The policy and the keys must name the project. Only a namespace the provider
            # creates reports one; a function's or container's project_id is never filled.
            raise ValueError("project_id is required with namespace_id: the policy must name it")
        network = self.private_network_id
        if isinstance(network, str) and self.region is not None:
            prefix, slash, _ = network.partition("/")
            if slash and prefix != self.region:
                raise ValueError(
                    "private_network_id: the Private Network is in another region than the "
                    "service; a service joins a network of its own region"
                )
        hostnames = [d.hostname for d in ([self.domain] if self.domain else []) + self.domains]
        if len(hostnames) > limits.CUSTOM_DOMAINS_MAX:
            raise ValueError(
                f"domain and domains: at most {limits.CUSTOM_DOMAINS_MAX} custom domains per "
                f"service (Scaleway's limit), got {len(hostnames)}"
            )
        repeated = sorted({h for h in hostnames if hostnames.count(h) > 1})
        if repeated:
            raise ValueError(f"domains: {', '.join(repeated)} is given twice")
        if self.namespace_id is not None and self.namespace_name is not None:
            raise ValueError(
                "namespace_name names a namespace to create; drop it with namespace_id"
            )
        return self

    @model_validator(mode="after")
    def _check_shared_namespace(self) -> Self:
        shared = self.namespace
        if shared is None:
            return self
        if shared.kind != self.namespace_kind:
            raise ValueError(
                f"namespace: a {self.namespace_kind} needs a {self.namespace_kind} namespace; "
                f"this one is a {shared.kind} namespace (a different Scaleway resource)"
            )
        given = [
            field
            for field in ("namespace_id", "namespace_name", "project_id")
            if getattr(self, field) is not None
        ]
        if self.dedicated_project:
            given.append("dedicated_project")
        if given:
            raise ValueError(
                f"namespace: the shared namespace sets the service's namespace and project; drop "
                f"{', '.join(given)} (set project_id on the namespace)"
            )
        if self.region is not None and shared.args.region not in (None, self.region):
            raise ValueError(
                "namespace: the shared namespace is in another region than the service; a "
                "service runs in its namespace's region"
            )
        check_env_and_secrets(self.env, self.secrets, shared.args.env, shared.args.secrets)
        return self

    def secret_inputs(self) -> dict[str, pulumi.Output[Any]]:
        """The secrets as Pulumi secret outputs, whatever form they were given in."""
        return secret_outputs(self.secrets)
