"""What a private function and a private container have in common: callers and their access.

:class:`PrivateService` is the base of both components. It validates arguments before anything
is registered, creates the IAM application, its API keys (two rotation slots) and the policy
that grants the service's private-access permission set on its project, and offers
:meth:`PrivateService.grant_invoke` for further callers. A service that calls others (``calls``,
service_calls.py) also gets an identity of its own, with a policy and keys per callee.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import pulumi
from pulumiverse_scaleway import account, iam
from pulumiverse_scaleway import secrets as scw_secrets
from pydantic import ValidationError

from ..access.access_args import AccessArgs, ConditionInput
from ..access.key_rotation import expiry_timestamp, live_keys
from ..access.permission_sets import ORGANIZATION, PROJECT
from ..access.public_access import public_reason_tag
from ..access.service_calls import CALLS_TAG_PREFIX, IDENTITY_TAG_PREFIX, ServiceCall
from ..access.workload_identity import GRANTS_TAG_PREFIX
from ..core import limits
from ..core.key_suggestions import validation_problems
from ..errors import (
    ConfigurationError,
    MissingProviderOutputError,
    Problem,
    hide_on_user_error,
    problems_from_validation_error,
)
from .outputs import as_output
from .service_args import ServiceArgs, check_service_name

__tracebackhide__ = hide_on_user_error

ArgsT = TypeVar("ArgsT", bound=ServiceArgs)
T = TypeVar("T")
U = TypeVar("U")

_GRANT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def _same(value: T) -> T:
    return value


def coerce_args(model: type[ArgsT], kind: str, name: str, args: ArgsT | Mapping[str, Any]) -> ArgsT:
    """Validate ``args`` (a model or a plain mapping) and the component name, or raise one
    :class:`ConfigurationError` naming the component and every faulty field."""
    where = f"{kind} {name!r}"
    if isinstance(args, model):
        validated = args
    elif isinstance(args, Mapping):
        try:
            validated = model.model_validate(args)
        except ValidationError as exc:
            raise ConfigurationError(where, validation_problems(exc, model)) from None
    else:
        raise ConfigurationError(
            where,
            [Problem("args", f"expected {model.__name__} or a mapping, got {type(args).__name__}")],
        )
    shared = validated.namespace
    if shared is not None and validated.region is None and shared.args.region is not None:
        # A service runs in its namespace's region; the provider's default could differ.
        validated = validated.model_copy(update={"region": shared.args.region})
    if validated.name is None:
        try:
            check_service_name(name, model.name_pattern)
        except ValueError as exc:
            raise ConfigurationError(
                where,
                [Problem("name", f"{exc} (the component name is the default; set args.name)")],
            ) from None
    return validated


def namespace_name_for(kind: str, name: str, args: ServiceArgs) -> str:
    """The namespace name to create: ``args.namespace_name`` or ``<service>-ns``, checked."""
    if args.namespace_name is not None:
        return args.namespace_name
    if args.namespace is not None:
        return ""  # shared: the component creates none
    service_name = args.name or name
    default = service_name[: limits.SERVICE_NAME_MAX_LENGTH - 3].rstrip("-") + "-ns"
    if args.namespace_id is None and not re.match(limits.NAMESPACE_NAME_PATTERN, default):
        raise ConfigurationError(
            f"{kind} {name!r}",
            [
                Problem(
                    "namespace_name",
                    f"the default {default!r} is not a valid namespace name (it must "
                    "start with a letter); set namespace_name",
                )
            ],
        )
    return default


class PrivateService(pulumi.ComponentResource):
    """Base of :class:`PrivateFunction` and :class:`PrivateContainer`; not used directly."""

    #: The one permission set callers get: FunctionsPrivateAccess or ContainersPrivateAccess.
    permission_set: ClassVar[str]
    kind: ClassVar[str]

    endpoint: pulumi.Output[str]
    """The ``https://`` URL of the private endpoint; call it with header ``X-Auth-Token``."""
    api_key: pulumi.Output[str | None]
    """Secret key of the active API key (a Pulumi secret); empty with Secret Manager storage."""
    application_id: pulumi.Output[str]
    """The IAM application that owns the service's keys."""
    policy_id: pulumi.Output[str]
    """The IAM policy granting the application access."""
    project_id: pulumi.Output[str]
    """The Scaleway project holding the service (IAM access is granted on it)."""
    namespace_id: pulumi.Output[str]
    """The namespace the service is in: its own, a shared one, or the one given by id."""
    key_secret_id: pulumi.Output[str | None]
    """Secret Manager secret that holds the key, when ``store_key_in_secret_manager`` is on."""
    key_expires_at: pulumi.Output[str | None]
    """When the active API key stops working (RFC 3339): its ``expires_at``, as stored."""
    registry_endpoint: pulumi.Output[str] | None
    """Where a pipeline pushes images (``rg.<region>.scw.cloud/<namespace>``): a function's
    namespace registry, or the registry a container's ``registry`` creates; ``None`` when
    there is none (a container without ``registry``, an existing ``namespace_id``)."""

    application: iam.Application | None
    """The callers' IAM application (None on a public service: it is called without a key)."""
    api_keys: dict[int, iam.ApiKey]
    """Live keys by generation (the active one and the previous one); the active one is
    :attr:`active_key`. Empty on a public service."""
    active_key: iam.ApiKey | None
    policy: iam.Policy | None
    public_reason: str | None
    """Why the service is public (``privacy: public``); None for a private service."""
    key_secret: scw_secrets.Secret | None
    project: account.Project | None
    identity: iam.Application | None
    """The service's own workload identity, when it calls other services (``calls``)."""
    call_policies: dict[str, iam.Policy]
    """The identity's policy per callee component name."""
    grants_policy: iam.Policy | None
    """The identity's own grants (``identity.grants``), when it has some."""
    identity_keys: dict[int, iam.ApiKey]
    """The identity's keys by generation (``identity``); the service holds the active one."""

    def __init__(
        self,
        type_token: str,
        name: str,
        opts: pulumi.ResourceOptions | None = None,
        args: ServiceArgs | None = None,
    ) -> None:
        # The component's own inputs record the exceptions it was given, so that the plan, the
        # audit and the weakened-guardrail lines see them (names only, never a value).
        allowed = sorted(args.allowed_plain_names) if args is not None else []
        props = {"allowedPlainNames": allowed} if allowed else None
        super().__init__(type_token, name, props, opts)
        self._name = name
        self._access: AccessArgs | None = None
        self._grants: list[tuple[pulumi.Input[str], str | None, iam.Policy]] = []
        self.application = None
        self.api_keys = {}
        self.active_key = None
        self.policy = None
        self.public_reason = None
        self.project = None
        self.key_secret = None
        self.identity = None
        self.call_policies = {}
        self.grants_policy = None
        self.identity_keys = {}

    @property
    def component_name(self) -> str:
        """The component's name, prefix of its children's names."""
        return self._name

    # -- children ------------------------------------------------------------------------
    def _child(self, role: str) -> str:
        return f"{self._name}-{role}"

    def _opts(self, *, protect: bool = False, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, protect=protect or None, **kwargs)

    @staticmethod
    def _service_tags(args: ServiceArgs) -> list[str]:
        """Tags of the function or container: the user's, and a public service's reason."""
        if args.privacy == "public" and args.public_reason is not None:
            return [*args.tags, public_reason_tag(args.public_reason)]
        return list(args.tags)

    def _create_dedicated_project(self, service_name: str, args: ServiceArgs) -> pulumi.Output[str]:
        self.project = account.Project(
            self._child("project"),
            name=f"{service_name}-{pulumi.get_stack()}"[:64],
            description=f"Isolates the {args.privacy} {self.kind.lower()} {service_name}: keys "
            "of this project reach nothing else.",
            opts=self._opts(protect=args.protect),
        )
        return self.project.id

    def _project_for(self, service_name: str, args: ServiceArgs) -> pulumi.Input[str] | None:
        """The project the service goes in: a dedicated one, the given one, or the default."""
        if args.dedicated_project:
            return self._create_dedicated_project(service_name, args)
        if args.namespace is not None:
            return args.namespace.project_id
        return args.project_id

    def _service_project(self, project_id: pulumi.Input[str] | None) -> pulumi.Input[str]:
        """The service's project: the one given (or created), else the one the provider gave
        the namespace this component created (the args require project_id otherwise)."""
        if project_id is not None:
            return project_id
        namespace = getattr(self, "namespace", None)
        assert namespace is not None
        return namespace.project_id  # type: ignore[no-any-return]

    def _namespace(
        self,
        namespace_type: Callable[..., Any],
        namespace_name: str,
        service_name: str,
        args: ServiceArgs,
        project_id: pulumi.Input[str] | None,
    ) -> tuple[Any, pulumi.Input[str]]:
        """The namespace to deploy into: ``(created namespace, id)`` or ``(None, given id)``."""
        if args.namespace is not None:
            return None, args.namespace.namespace_id
        if args.namespace_id is not None:
            return None, args.namespace_id
        namespace = namespace_type(
            self._child("namespace"),
            name=namespace_name,
            description=f"Namespace of the {args.privacy} {self.kind.lower()} {service_name}.",
            project_id=project_id,
            region=args.region,
            tags=list(args.tags),
            opts=self._opts(),
        )
        return namespace, namespace.id

    def _wire_access(
        self, service_name: str, args: ServiceArgs, project_id: pulumi.Input[str]
    ) -> None:
        """Create the application, its keys and the policy; log the condition's warnings.

        A public service gets none of them: it is called without a key, and a key granted its
        project's private access would only reach the private services next to it."""
        access = args.access
        self._access = access
        self.project_id = as_output(project_id)
        if args.privacy == "public":
            self.public_reason = args.public_reason
            pulumi.log.info(
                f"{self.kind} {self._name}: public on purpose, anyone may call it without a "
                f"key: {args.public_reason}",
                resource=self,
            )
            none: pulumi.Output[Any] = pulumi.Output.from_input(None)
            self.application_id = self.policy_id = none
            self.api_key = self.key_secret_id = self.key_expires_at = none
            return
        for warning in access.condition_warnings:
            pulumi.log.warn(f"{self.kind} {self._name}: condition: {warning}", resource=self)

        self.application = application = iam.Application(
            self._child("app"),
            name=f"{service_name}-{pulumi.get_stack()}-caller"[:64],
            description=f"Calls the private {self.kind.lower()} {service_name}.",
            tags=list(args.tags),
            opts=self._opts(protect=args.protect),
        )
        if access.store_key_in_secret_manager:
            self.key_secret = scw_secrets.Secret(
                self._child("key-secret"),
                name=f"{service_name}-api-key",
                path=f"/private-serverless/{pulumi.get_stack()}",
                description=f"API key of the callers of {service_name}; newest version is active.",
                project_id=project_id,
                region=args.region,
                tags=list(args.tags),
                opts=self._opts(protect=args.protect),
            )
        secret_id = self.key_secret.id if self.key_secret is not None else None

        expires_at = expiry_timestamp(access.key_expires_in_days)
        application = self.application
        self.api_keys = {}
        active_key: iam.ApiKey | None = None
        for live in live_keys(access.key_generation):
            self.api_keys[live.generation] = key = iam.ApiKey(
                self._child(live.role),
                application_id=application.id,
                description=f"{service_name} caller key, generation {live.generation}",
                default_project_id=project_id,
                expires_at=expires_at,
                secret_id=secret_id,
                opts=self._opts(
                    # A generation is created once, with an expiry counted from that day; later
                    # runs must not move it (ignore_changes). A new generation is a new resource,
                    # never a replacement, so it cannot inherit an old expiry (key_rotation.py).
                    ignore_changes=["expires_at"],
                    # A key whose generation changes under the same name is a new secret.
                    replace_on_changes=["description"],
                    # Carries a key of version 0.1's two-slot layout over without replacing it.
                    aliases=[pulumi.Alias(name=self._child(live.legacy_role))],
                ),
            )
            if live.active:
                active_key = key
        assert active_key is not None
        self.active_key = active_key

        self.policy = policy = self._create_policy(
            self._child("policy"),
            application.id,
            access.condition_cel,
            project_id,
            description=f"Lets the callers of {service_name} invoke it.",
        )
        self.application_id = application.id
        self.policy_id = policy.id
        # The key's own attribute: the expiry it was created with (kept by ignore_changes).
        self.key_expires_at = active_key.expires_at
        if secret_id is None:
            # Unknown in a preview, so only a value a provider (or mock) really left empty fails.
            active = live_keys(access.key_generation)[0]
            self.api_key = pulumi.Output.secret(
                self._provider_output(active_key.secret_key, active.role, "secret_key")
            )
            self.key_secret_id = pulumi.Output.from_input(None)
        else:
            self.api_key = pulumi.Output.from_input(None)
            self.key_secret_id = as_output(secret_id)

    def _wire_calls(
        self, service_name: str, args: ServiceArgs
    ) -> tuple[dict[str, pulumi.Output[str]], dict[str, pulumi.Output[str]]]:
        """Create the identity, and per call its policy and keys; return the variables the
        service gets: (plain endpoints, secret keys) by variable name."""
        endpoints: dict[str, pulumi.Output[str]] = {}
        keys: dict[str, pulumi.Output[str]] = {}
        if not args.calls:
            return endpoints, keys
        self._ensure_identity(service_name, args)
        for call in args.calls:
            endpoint_env, key_env = call.names
            # The plan's note: which service this one calls, and where it finds the way in.
            pulumi.log.info(
                f"{self.kind} {self._name}: calls {call.service.kind.lower()} "
                f"{call.callee_name} as {self._name} (service identity): endpoint in "
                f"{endpoint_env}, key in secret {key_env} (header X-Auth-Token)",
                resource=self,
            )
            endpoints[endpoint_env] = call.service.endpoint
            keys[key_env] = self._wire_call(service_name, args, call)
        return endpoints, keys

    def _ensure_identity(self, service_name: str, args: ServiceArgs) -> iam.Application:
        """The service's workload identity, created on first use (``calls`` and ``identity``
        share it: policies add up per application, so two would only hide what it can do)."""
        if self.identity is not None:
            return self.identity
        what = [f"calls {', '.join(call.callee_name for call in args.calls)}"] if args.calls else []
        if args.identity is not None:
            sets = ", ".join(dict.fromkeys(g.permission_set for g in args.identity.grants))
            what.append(f"may use {sets}")
        # Its own application: the keys of `<name>-app` belong to this service's clients, and
        # a grant to it would give each of them what the service may do.
        self.identity = iam.Application(
            self._child("identity"),
            name=f"{service_name}-{pulumi.get_stack()}-identity"[:64],
            description=f"Workload identity of the {args.privacy} {self.kind.lower()} "
            f"{service_name}; "
            f"{'; '.join(what)}.",
            tags=[*args.tags, f"{IDENTITY_TAG_PREFIX}{self._name}"],
            opts=self._opts(protect=args.protect),
        )
        return self.identity

    def _wire_identity(
        self, service_name: str, args: ServiceArgs, project_id: pulumi.Input[str]
    ) -> tuple[dict[str, pulumi.Output[str]], dict[str, pulumi.Output[str]]]:
        """The identity's grants policy and keys (``identity``); return the variables the
        service gets: (plain project and organization IDs, secret access and secret keys)."""
        spec = args.identity
        if spec is None:
            return {}, {}
        identity = self._ensure_identity(service_name, args)
        rules = []
        for grant in spec.grants:
            entry = grant.entry
            if grant.condition_cel is not None:
                for warning in AccessArgs(condition=grant.condition_cel).condition_warnings:
                    pulumi.log.warn(
                        f"{self.kind} {self._name}: identity.grants ({entry.name}).condition: "
                        f"{warning}",
                        resource=self,
                    )
            if grant.scope == ORGANIZATION:
                where = "the organization"
                rule = iam.PolicyRuleArgs(
                    permission_set_names=[entry.name],
                    organization_id=identity.organization_id,
                    condition=grant.condition_cel,
                )
            else:
                where = "its project" if grant.scope == PROJECT else f"project {grant.scope}"
                rule = iam.PolicyRuleArgs(
                    permission_set_names=[entry.name],
                    project_ids=[project_id if grant.scope == PROJECT else grant.scope],
                    condition=grant.condition_cel,
                )
            rules.append(rule)
            # The plan's note: what the service may do, in Scaleway's words.
            reads = " (reads secret data)" if entry.reads_secrets else ""
            pulumi.log.info(
                f"{self.kind} {self._name}: its identity may use {entry.name} on {where}"
                f"{reads}: {entry.allows}",
                resource=self,
            )
        self.grants_policy = iam.Policy(
            self._child("grants"),
            name=self._child("grants")[:64],
            description=f"What the {args.privacy} {self.kind.lower()} {service_name} may do "
            "itself.",
            application_id=identity.id,
            rules=rules,
            tags=[*args.tags, f"{GRANTS_TAG_PREFIX}{self._name}"],
            opts=self._opts(),
        )
        lifetime = spec.key_expires_in_days or args.access.key_expires_in_days
        expires_at = expiry_timestamp(lifetime)
        self.identity_keys = {}
        active: iam.ApiKey | None = None
        for live in live_keys(spec.key_generation):
            role = f"identity-{live.role}"
            self.identity_keys[live.generation] = key = iam.ApiKey(
                self._child(role),
                application_id=identity.id,
                description=f"{service_name} workload identity, generation {live.generation}",
                default_project_id=project_id,
                expires_at=expires_at,
                # Never in Secret Manager: the service reads it from its secret variables.
                opts=self._opts(ignore_changes=["expires_at"], replace_on_changes=["description"]),
            )
            if live.active:
                active = key
                active_role = role
        assert active is not None
        plain: dict[str, pulumi.Output[str]] = {
            spec.project_id_env: as_output(project_id),
            spec.organization_id_env: identity.organization_id,
        }
        access_key: pulumi.Output[str] = self._provider_output(
            active.access_key, active_role, "access_key"
        )
        secret_key: pulumi.Output[str] = self._provider_output(
            active.secret_key, active_role, "secret_key"
        )
        secret: dict[str, pulumi.Output[str]] = {
            spec.access_key_env: pulumi.Output.secret(access_key),
            spec.secret_key_env: pulumi.Output.secret(secret_key),
        }
        return plain, secret

    def _wire_call(
        self, service_name: str, args: ServiceArgs, call: ServiceCall
    ) -> pulumi.Output[str]:
        """The policy and keys of one call; the active key's secret."""
        assert self.identity is not None
        callee = call.service
        role = f"calls-{call.callee_name}"
        condition = call.condition_cel
        if condition is not None:
            from ..access.access_args import AccessArgs

            for warning in AccessArgs(condition=condition).condition_warnings:
                pulumi.log.warn(
                    f"{self.kind} {self._name}: calls.{call.callee_name}.condition: {warning}",
                    resource=self,
                )
        self.call_policies[call.callee_name] = iam.Policy(
            self._child(role),
            name=self._child(role)[:64],
            description=f"Lets {service_name} call the private {callee.kind.lower()}s of "
            f"{call.callee_name}'s project.",
            application_id=self.identity.id,
            rules=[
                iam.PolicyRuleArgs(
                    # Only the callee's set, on the callee's project: never organization-wide.
                    permission_set_names=[callee.permission_set],
                    project_ids=[callee.project_id],
                    condition=condition,
                )
            ],
            tags=[*args.tags, f"{CALLS_TAG_PREFIX}{call.callee_name}"],
            opts=self._opts(),
        )
        lifetime = call.key_expires_in_days or args.access.key_expires_in_days
        expires_at = expiry_timestamp(lifetime)
        active_secret: pulumi.Output[str] | None = None
        for live in live_keys(call.key_generation):
            key_role = f"{role}-{live.role}"
            key = iam.ApiKey(
                self._child(key_role),
                application_id=self.identity.id,
                description=f"{service_name} calls {call.callee_name}, generation "
                f"{live.generation}",
                default_project_id=callee.project_id,
                expires_at=expires_at,
                # Never in Secret Manager: the service reads it from its secret variable.
                opts=self._opts(
                    ignore_changes=["expires_at"],
                    replace_on_changes=["description"],
                ),
            )
            if live.active:
                active_secret = self._provider_output(key.secret_key, key_role, "secret_key")
        assert active_secret is not None
        return pulumi.Output.secret(active_secret)

    def _create_policy(
        self,
        resource_name: str,
        application_id: pulumi.Input[str],
        condition: str | None,
        project_id: pulumi.Input[str],
        *,
        description: str,
    ) -> iam.Policy:
        return iam.Policy(
            resource_name,
            name=resource_name[:64],
            description=description,
            application_id=application_id,
            rules=[
                iam.PolicyRuleArgs(
                    permission_set_names=[self.permission_set],
                    # Never organization_id: the grant stays inside the service's project.
                    project_ids=[project_id],
                    condition=condition,
                )
            ],
            opts=self._opts(),
        )

    def _provider_output(
        self, output: pulumi.Output[T | None], role: str, output_name: str
    ) -> pulumi.Output[T]:
        """``output`` of the ``<name>-<role>`` child, or a :class:`MissingProviderOutputError`
        naming it when the provider (or a test's mock) left it empty."""
        return self._derived_provider_output(output, role, output_name, _same)

    def _derived_provider_output(
        self,
        output: pulumi.Output[T | None],
        role: str,
        output_name: str,
        derive: Callable[[T], U],
    ) -> pulumi.Output[U]:
        """``derive`` of :meth:`_provider_output`, in the same apply: one pending output per
        derived value instead of two."""

        def check(value: T | None) -> U:
            if value is None or value == "":
                raise MissingProviderOutputError(
                    f"{type(self).__name__} {self._name!r}", self._child(role), output_name
                )
            return derive(value)

        return output.apply(check)

    def _finish(
        self, endpoint: pulumi.Output[str], registry_endpoint: pulumi.Output[str] | None = None
    ) -> None:
        self.endpoint = endpoint
        self.registry_endpoint = registry_endpoint
        registry = {} if registry_endpoint is None else {"registry_endpoint": registry_endpoint}
        self.register_outputs(
            {
                **registry,
                "endpoint": self.endpoint,
                "api_key": self.api_key,
                "application_id": self.application_id,
                "policy_id": self.policy_id,
                "project_id": self.project_id,
                "key_secret_id": self.key_secret_id,
                "key_expires_at": self.key_expires_at,
            }
        )

    # -- extra callers -------------------------------------------------------------------
    def grant_invoke(
        self,
        name: str,
        application_id: pulumi.Input[str],
        condition: ConditionInput | None = None,
    ) -> iam.Policy:
        """Let another existing IAM application (a CI robot, another service) call this service.

        Adds a policy granting that application only this service's private-access permission
        set on the service's project, with an optional CEL ``condition`` (a string or a
        condition builder). Calling it again for the same application returns the same policy.

        IAM access is per project: the grant reaches every private
        function (or container) in this service's project, not this one alone. Use
        ``dedicated_project=True`` on the service when that is too wide.
        """
        where = f"{self.kind} {self._name!r}: grant_invoke({name!r})"
        if self.application is None:
            raise ConfigurationError(
                where,
                [
                    Problem(
                        "privacy",
                        "the service is public: anyone may call it without a key, so there "
                        "is no access to grant",
                    )
                ],
            )
        if not _GRANT_NAME.match(name):
            raise ConfigurationError(
                where, [Problem("name", "use 1 to 64 lowercase letters, digits and hyphens")]
            )
        try:
            rendered = AccessArgs.model_validate({"condition": condition}).condition_cel
        except ValidationError as exc:
            raise ConfigurationError(where, problems_from_validation_error(exc)) from None
        if application_id is self.application_id or application_id is self.application.id:
            raise ConfigurationError(
                where,
                [
                    Problem(
                        "application_id",
                        "this is the service's own application; it already has access "
                        "(a second, unconditioned grant would bypass its condition)",
                    )
                ],
            )
        for granted_to, granted_condition, policy in self._grants:
            same = granted_to is application_id or (
                isinstance(application_id, str) and granted_to == application_id
            )
            if same:
                if granted_condition != rendered:
                    raise ConfigurationError(
                        where,
                        [
                            Problem(
                                "condition",
                                "this application was already granted with another "
                                "condition; IAM grants add up, so the looser one would win",
                            )
                        ],
                    )
                return policy
        policy = self._create_policy(
            self._child(f"grant-{name}"),
            application_id,
            rendered,
            self.project_id,
            description=f"Lets {name} invoke the private {self.kind.lower()}s of this project.",
        )
        self._grants.append((application_id, rendered, policy))
        return policy
