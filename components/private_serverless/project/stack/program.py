"""The Pulumi program: a stack's configuration turned into private services.

``pulumi up`` runs :func:`main` (through ``__main__.py``); the offline plan runs the very same
:func:`run` under Pulumi's mock runtime. Configuration is read through ``pulumi.Config`` in
both cases.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.config import is_config_secret
from pydantic import BaseModel, SecretStr, ValidationError

from ...access.service_calls import ServiceCall
from ...core import limits
from ...core.key_suggestions import suggest_key, validation_problems
from ...errors import (
    ConfigurationError,
    PrivateServerlessError,
    Problem,
    hide_on_user_error,
    hiding_keys,
)
from ...policies.waivers import waiver_problems
from ...sensitive.environment import refused_env_name
from ...services.container_args import PrivateContainerArgs
from ...services.function_args import PrivateFunctionArgs
from ...services.private_container import PrivateContainer
from ...services.private_function import PrivateFunction
from ...services.private_namespace import PrivateNamespace
from ...services.private_service import PrivateService
from ...services.service_args import ServiceArgs, check_service_name
from ..pulumi_project import find_project
from .config_model import NamespaceEntry, ServiceEntry, StackConfig
from .references import (
    Reference,
    find_references,
    not_accepted,
    output_stand_in,
    references_refused,
    stand_in,
    substitute,
)
from .references import build_order as reference_order
from .secret_sources import SecretResolver
from .secure_slots import misplaced_secure_values, plain_config_references
from .service_calls import Calls, build_order, env_problems, read_calls
from .service_values import build_dir_problems, resolve_env_settings
from .shared_namespaces import prepare_namespaces, service_namespace, shared_variable_problems

__tracebackhide__ = hide_on_user_error

CONFIG_KEYS = frozenset(StackConfig.model_fields)
# Namespaces of providers and of Pulumi itself, whose keys are theirs to define.
_PROVIDERS = frozenset({"pulumi", "scaleway"})
_PATH_FIELDS = ("source_dir", "zip_file", "build_dir")


@dataclass(frozen=True)
class StackContext:
    """Where the program runs: the stack file named in errors and the paths it resolves."""

    source: str
    project_dir: Path
    environ: Mapping[str, str]
    env_file: Path | None


def stack_file_label(stack: str, project_dir: Path | None = None) -> str:
    """How errors name a stack's configuration file: where the project's ``stackConfigDir``
    puts it, relative to the project folder (``stacks/Pulumi.dev.yaml`` here,
    ``Pulumi.dev.yaml`` in a project without one)."""
    if project_dir is not None:
        try:
            project = find_project(project_dir)
        except PrivateServerlessError:
            pass  # the program's own run reports an unreadable project; the label stays
        else:
            return project.label(project.config_dir / f"Pulumi.{stack}.yaml")
    return f"stacks/Pulumi.{stack}.yaml"


def read_stack_config(source: str) -> StackConfig:
    """Read and check the project's configuration keys, naming ``source`` in every error.

    Besides :data:`CONFIG_KEYS`, the project's namespace may hold the secrets that services
    reference as ``config:KEY`` (``pulumi config set --secret KEY`` puts them there); any other
    key is a mistake, most likely a typo.
    """
    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    config = pulumi.Config()
    for key in sorted(CONFIG_KEYS):
        try:
            value = config.get_object(key)
        except (json.JSONDecodeError, ValueError, pulumi.ConfigTypeError):
            # ConfigTypeError: a key left empty (`policy:` with nothing under it) reaches the
            # program as "", which Pulumi refuses to parse as an object.
            problems.append(Problem(key, "must be a mapping (YAML object)"))
            continue
        if value is not None:
            raw[key] = value
    if "services" not in raw and not problems:
        problems.append(Problem("services", "missing: declare at least one service"))
    parsed: StackConfig | None = None
    if not problems:
        try:
            # Strict, as JSON: a stack file's `true` is no 1 and its "30" no number.
            parsed = StackConfig.model_validate_json(json.dumps(raw), strict=True)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, StackConfig))
    referenced = set() if parsed is None else _referenced_config_keys(parsed)
    project = pulumi.get_project()
    unknown: list[str] = []  # the project's keys that are no setting, shown as refused keys
    for full_key in sorted(_config_keys()):
        namespace, _, key = full_key.partition(":")
        # A secret (secure:) value is one a `config:` reference reads, not a misspelt setting.
        known = key in CONFIG_KEYS or key in referenced or is_config_secret(full_key)
        if namespace != project and key in CONFIG_KEYS and namespace not in _PROVIDERS:
            # Settings are read from the project's namespace only; one elsewhere (other:policy)
            # would otherwise look like it applies, or replace the guardrails somewhere else.
            problems.append(
                Problem(
                    full_key,
                    f"unknown key: {key} is read from the project's namespace only "
                    f"({project}:{key})",
                )
            )
        if namespace == project and not known:
            unknown.append(key)
            meant = suggest_key(key, CONFIG_KEYS)
            allowed = ", ".join(sorted(CONFIG_KEYS))
            problems.append(
                Problem(
                    key,
                    f"unknown key; did you mean {meant}?"
                    if meant is not None
                    else f"unknown key; allowed: {allowed}, and secrets referenced as config:KEY",
                )
            )
    problems.extend(misplaced_secure_values(project, raw))
    if parsed is not None:
        # Unknown rules, and rules this stack's policy makes unwaivable (exit 2).
        problems.extend(waiver_problems(parsed.waivers, parsed.policy))
        references = {
            f"{section}.{key}.secrets.{var}": ref.name
            for section, entries in _secret_holders(parsed)
            for key, entry in entries.items()
            for var, ref in entry.secrets.items()
            if ref.source == "config"
        }
        problems.extend(plain_config_references(project, references, _config_keys()))
    if problems or parsed is None:
        refused = _refused_keys(raw.get("services"), raw.get("namespaces"))
        raise ConfigurationError(source, hiding_keys(problems, [*unknown, *refused]))
    return parsed


def _secret_holders(
    config: StackConfig,
) -> list[tuple[str, Mapping[str, ServiceEntry | NamespaceEntry]]]:
    """The sections whose entries hold secret references: services and shared namespaces."""
    return [("services", config.services), ("namespaces", config.namespaces)]


def _referenced_config_keys(config: StackConfig) -> set[str]:
    return {
        ref.name
        for _, entries in _secret_holders(config)
        for entry in entries.values()
        for ref in entry.secrets.values()
        if ref.source == "config" and ":" not in ref.name
    }


def _config_keys() -> set[str]:
    # pulumi.Config reads known keys only; unknown-key detection needs the whole map, which
    # the language host (or the offline plan) has loaded into the runtime's config.
    keys = set(pulumi.runtime.config.CONFIG.get())
    keys.update(pulumi.runtime.config.get_config_env())
    return keys


def _service_inputs(
    name: str, entry: ServiceEntry, config: StackConfig, context: StackContext
) -> dict[str, Any]:
    """The component arguments for one service: entry, stack defaults and resolved paths."""
    defaults = config.defaults
    values: dict[str, Any] = dict(entry.model_extra or {})
    values.setdefault("region", defaults.region)
    values.setdefault("protect", defaults.protect)
    values.setdefault("dedicated_project", defaults.dedicated_projects)
    tags = values.get("tags", [])
    # Merged only when a list: a string would be spread into letters and anything else would
    # raise TypeError here; left as is, validation reports the key path instead.
    values["tags"] = [*defaults.tags, *tags] if isinstance(tags, list) else tags
    access = values.get("access", {})
    if isinstance(access, dict):
        access = dict(access)
        access.setdefault("key_expires_in_days", defaults.key_expires_in_days)
        access.setdefault("store_key_in_secret_manager", defaults.store_keys_in_secret_manager)
        values["access"] = access
    stack_allowed = sorted(config.policy.allowed_plain_names)
    own = values.get("allowed_plain_names", [])
    if stack_allowed and isinstance(own, list):
        # The stack's allow-list reaches every service's own argument check. Left as is when
        # not a list: validation reports the key path.
        values["allowed_plain_names"] = [*own, *(n for n in stack_allowed if n not in own)]
    for field in _PATH_FIELDS:
        if isinstance(values.get(field), str):
            values[field] = context.project_dir / values[field]
    if entry.kind == "function":
        values.setdefault("build_dir", context.project_dir / ".private-serverless" / "build")
    return values


#: Keys whose value names or identifies something: an empty string there is never meant.
_IDENTIFIER_KEYS = frozenset({"name", "image", "handler", "runtime"})


def _strict_problems(model: type[ServiceArgs], values: dict[str, Any], path: str) -> list[Problem]:
    """What a stack file's service entry gets wrong when read strictly, with key paths.

    A stack file is data: its types are the ones written, so no bool is read as a number
    (``max_scale: true``) and no string as one (``port: "8080"``), as pydantic's strict JSON
    mode has it (strings still read as paths, dates, IP addresses and enum members). Secrets
    are checked by reference here and by value in the second, regular pass. Empty strings are
    refused where a name or ID is expected. The Python API keeps pydantic's usual rules: its
    callers' types are checked by their type checker.
    """
    problems = [
        Problem(f"{path}.{key}", "must not be empty: a name or ID is expected")
        for key, value in values.items()
        if value == "" and (key in _IDENTIFIER_KEYS or key.endswith(("_id", "_name")))
    ]
    as_data = {**values, "secrets": dict.fromkeys(values.get("secrets", {}), "[secret]")}
    try:
        model.model_validate_json(json.dumps(as_data, default=str), strict=True)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, model, prefix=path))
    return problems


def _lax_problems(model: type[ServiceArgs], values: dict[str, Any], path: str) -> list[Problem]:
    """What the component's own validation says of ``values`` (secrets resolved)."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        return validation_problems(exc, model, prefix=path)
    return []


def _code_problems(
    name: str, model: type[ServiceArgs], values: dict[str, Any], path: str
) -> list[Problem]:
    """What a function's code gets wrong (no handler file in the archive, an unreadable
    source_dir), found before any service is registered: with the other services' problems,
    and before ``pulumi up`` could create the services listed earlier in the file."""
    if model is not PrivateFunctionArgs:
        return []
    try:
        PrivateFunction.check_code(name, PrivateFunctionArgs.model_validate(values))
    except ConfigurationError as exc:
        return [Problem(f"{path}.{p.path}".rstrip("."), p.message) for p in exc.problems]
    return []


def _network_region_problems(values: Mapping[str, Any], path: str) -> list[Problem]:
    """A regional Private Network ID against the provider's region, when the service names
    none (its own region is checked by the args)."""
    network = values.get("private_network_id")
    if values.get("region") is not None or not isinstance(network, str):
        return []
    region = pulumi.Config("scaleway").get("region")
    prefix, slash, _ = network.partition("/")
    if not slash or region is None or prefix == region:
        return []
    return [
        Problem(
            f"{path}.private_network_id",
            "the Private Network is in another region than the service (the stack's "
            "scaleway:region); a service joins a network of its own region",
        )
    ]


def _membership(
    values: dict[str, Any], entry: ServiceEntry, config: StackConfig, path: str
) -> tuple[str | None, list[Problem]]:
    """The shared namespace the service is in (``namespace: <key>``), if any. Such a service
    runs in the namespace's region and project: the stack defaults for those give way."""
    namespace_key, problems = service_namespace(
        values.pop("namespace", None), path, entry.kind, config
    )
    if namespace_key is None:
        return None, problems
    own = entry.model_extra or {}
    namespace = config.namespaces[namespace_key].model_extra or {}
    if "region" not in own:
        values["region"] = namespace.get("region", config.defaults.region)
    if "dedicated_project" in own:
        return namespace_key, []  # an explicit one is refused by the args, naming it
    values["dedicated_project"] = False
    if config.defaults.dedicated_projects:
        return namespace_key, [
            Problem(
                f"{path}.namespace",
                "defaults.dedicated_projects gives each service a project of its own, and the "
                "services of a shared namespace share its project: set dedicated_project: false "
                "on this service to share it, or drop namespace",
            )
        ]
    return namespace_key, []


_SERVICE_KEY = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _previous_names(
    name: str, previous: list[str], config: StackConfig, path: str, values: dict[str, Any]
) -> list[Problem]:
    """Keep the names at Scaleway of a renamed service (``values``' ``name`` defaults to the
    first previous key: a new name would replace the function or container, its name being
    force-new, and give clients a new endpoint); the problems of ``previous_names``: keys a
    service could have had, each belonging to one service only."""
    if previous:
        values.setdefault("name", previous[0])
    problems = []
    for index, old in enumerate(previous):
        where = f"{path}.previous_names[{index}]"
        if not _SERVICE_KEY.match(old):
            problems.append(
                Problem(where, "must be a service key: lowercase letters, digits and hyphens")
            )
        elif old == name or old in config.services:
            problems.append(
                Problem(where, "names a service of this stack; list only keys no longer in use")
            )
        elif any(
            old in entry.previous_names for other, entry in config.services.items() if other != name
        ):
            problems.append(Problem(where, "is a previous key of another service too"))
        elif old in previous[:index]:
            problems.append(Problem(where, "is listed twice"))
    return problems


def _weakening_problems(entry: ServiceEntry, config: StackConfig, path: str) -> list[Problem]:
    """A service setting that weakens a guardrail, in a stack whose policy forbids it."""
    if config.policy.forbid_weakening and (entry.model_extra or {}).get("allowed_plain_names"):
        return [
            Problem(
                f"{path}.allowed_plain_names",
                "allowing plain names weakens no-plain-secrets, and this stack's "
                "policy.forbid_weakening is set: move the variables to `secrets`",
            )
        ]
    return []


def _refused_keys(services: object, namespaces: object) -> list[str]:
    """The keys of a stack file's services and namespaces that are refused as names, in file
    order: a service or namespace key that is not a valid name of its kind (when the entry sets
    neither ``name`` nor ``previous_names``, which name it instead), a variable or secret name
    that is not a valid one, and a callee that is no service of the stack. Problems show them
    only as :func:`~private_serverless.errors.hiding_keys` allows."""
    service_keys = set(_entries(services))
    refused: list[str] = []
    for section, pattern in (
        (services, limits.FUNCTION_NAME_PATTERN),
        (namespaces, limits.NAMESPACE_NAME_PATTERN),
    ):
        for key, entry in _entries(section).items():
            settings = _entries(entry)
            named = "name" in settings or bool(settings.get("previous_names"))
            if not named and not re.match(pattern, key):
                refused.append(key)
            for variables in (settings.get("env"), settings.get("secrets")):
                refused.extend(name for name in _entries(variables) if refused_env_name(name))
            calls = settings.get("calls")
            callees = calls if isinstance(calls, list) else list(_entries(calls))
            refused.extend(c for c in callees if isinstance(c, str) and c not in service_keys)
    return refused


def _entries(value: object) -> dict[str, Any]:
    """The string-keyed entries of a mapping or a model (declared settings and extra ones)."""
    if isinstance(value, BaseModel):
        return dict(value)
    if isinstance(value, Mapping):
        return {key: item for key, item in value.items() if isinstance(key, str)}
    return {}


def build_services(config: StackConfig, context: StackContext) -> dict[str, PrivateService]:
    """Validate every service, then create the components; all problems are reported at once."""
    resolver = SecretResolver(context.environ, context.env_file)
    problems: list[Problem] = []
    prepared: dict[str, tuple[type[ServiceArgs], dict[str, Any]]] = {}
    calls: dict[str, Calls] = {}
    namespace_values, namespace_problems = prepare_namespaces(config, resolver)
    problems.extend(namespace_problems)
    problems.extend(_namespace_reference_problems(config))
    memberships: dict[str, str] = {}
    references: dict[str, list[Reference]] = {}
    sections: dict[str, Mapping[str, object]] = {
        "services": config.services,
        "namespaces": config.namespaces,
    }
    for name, entry in config.services.items():
        path = f"services.{name}"
        model: type[ServiceArgs] = (
            PrivateFunctionArgs if entry.kind == "function" else PrivateContainerArgs
        )
        problems.extend(_weakening_problems(entry, config, path))
        raw_build_dir = (entry.model_extra or {}).get("build_dir")
        problems.extend(build_dir_problems(raw_build_dir, context.project_dir, path))
        values = _service_inputs(name, entry, config, context)
        namespace_key, membership_problems = _membership(values, entry, config, path)
        problems.extend(membership_problems)
        if namespace_key is not None:
            memberships[name] = namespace_key
        # Calls name other services: read here, given to the component once those exist.
        calls[name], call_problems = read_calls(
            values.pop("calls", None), f"{path}.calls", name, config.services
        )
        problems.extend(call_problems)
        # References to other services' outputs: checked now, resolved once those exist.
        references[name], reference_problems = find_references(values, path, name, sections)
        problems.extend(reference_problems)
        problems.extend(env_problems(calls[name], values, list(entry.secrets), f"{path}.calls"))
        problems.extend(resolve_env_settings(values, resolver, path))
        values["secrets"], secret_problems = _resolved_secrets(entry, resolver, path)
        problems.extend(secret_problems)
        problems.extend(_previous_names(name, entry.previous_names, config, path, values))
        problems.extend(_entry_problems(name, model, values, references[name], path))
        if namespace_key in namespace_values:
            problems.extend(shared_variable_problems(values, namespace_values[namespace_key], path))
        prepared[name] = (model, values)
    # Reported with the other problems: unknown callees are left out of `calls` already.
    order, cycle = _service_order(calls, references, list(prepared))
    problems.extend(cycle)
    if problems:
        refused = _refused_keys(config.services, config.namespaces)
        raise ConfigurationError(context.source, hiding_keys(problems, refused))

    namespaces = {key: PrivateNamespace(key, values) for key, values in namespace_values.items()}
    services: dict[str, PrivateService] = {}
    for name in order:  # callees first: their endpoints go into their callers' environment
        # A renamed service keeps its resources: the component's aliases, which its children
        # inherit as the engine computes them.
        opts = pulumi.ResourceOptions(
            aliases=[pulumi.Alias(name=old) for old in config.services[name].previous_names]
        )
        model, values = prepared[name]
        values = substitute(
            values,
            f"services.{name}",
            references[name],
            lambda ref: _referred(ref, services, namespaces),
        )
        if name in memberships:
            values["namespace"] = namespaces[memberships[name]]
        values["calls"] = [
            ServiceCall(service=services[callee], **settings.model_dump())
            for callee, settings in calls[name].items()
        ]
        services[name] = _create_service(name, model, values, context.source, opts)
    return {name: services[name] for name in prepared}  # the stack file's order


def _entry_problems(
    name: str,
    model: type[ServiceArgs],
    values: dict[str, Any],
    references: list[Reference],
    path: str,
) -> list[Problem]:
    """What a service entry gets wrong: its name, read strictly, then the component's checks.

    A reference stands for a value of its output's form (a URL, an ID) in the strict pass,
    and for an Output in the component's: a setting that takes no Output refuses it there, as
    it would refuse the real one.
    """
    problems: list[Problem] = []
    if "name" not in values:
        try:
            check_service_name(name, model.name_pattern)
        except ValueError as exc:
            problems.append(Problem(path, f"{exc} (the service key is its name; or set name)"))
    as_text = substitute(values, path, references, stand_in)
    as_output = substitute(values, path, references, output_stand_in)
    return problems + (
        _strict_problems(model, as_text, path)
        or not_accepted(_lax_problems(model, as_output, path), references)
        or _network_region_problems(as_output, path)
        or _code_problems(name, model, as_text, path)
    )


def _namespace_reference_problems(config: StackConfig) -> list[Problem]:
    return [
        problem
        for key, entry in config.namespaces.items()
        for problem in references_refused(entry.model_extra or {}, f"namespaces.{key}")
    ]


def _service_order(
    calls: Mapping[str, Calls], references: Mapping[str, list[Reference]], source: list[str]
) -> tuple[list[str], list[Problem]]:
    """The order services are built in: callees and services referred to first. A cycle of
    calls is told as such; one that a reference closes names that reference."""
    order, cycle = build_order(calls, source)
    if cycle:
        return order, cycle
    return reference_order(_dependencies(calls, references), source)


def _dependencies(
    calls: Mapping[str, Calls], references: Mapping[str, list[Reference]]
) -> dict[str, dict[str, str]]:
    """Per service, the services it needs built first (callees, services it refers to), with
    the key path that says so."""
    depends: dict[str, dict[str, str]] = {}
    for name, callees in calls.items():
        depends[name] = {callee: f"services.{name}.calls.{callee}" for callee in callees}
        for ref in references.get(name, []):
            if ref.section == "services":
                depends[name].setdefault(ref.key, ref.path)
    return depends


def _referred(
    ref: Reference,
    services: Mapping[str, PrivateService],
    namespaces: Mapping[str, PrivateNamespace],
) -> pulumi.Input[str]:
    """The Output a checked reference names (its service or namespace exists by now)."""
    if ref.section == "namespaces":
        namespace = namespaces[ref.key]
        return namespace.namespace_id if ref.output == "id" else namespace.project_id
    service = services[ref.key]
    value: pulumi.Output[str] | None = {
        "endpoint": service.endpoint,
        "namespace_id": service.namespace_id,
        "project_id": service.project_id,
        "registry_endpoint": service.registry_endpoint,
    }[ref.output]
    assert value is not None  # find_references refuses a registry endpoint a service lacks
    return value


def _create_service(
    name: str,
    model: type[ServiceArgs],
    values: dict[str, Any],
    source: str,
    opts: pulumi.ResourceOptions,
) -> PrivateService:
    """The component of one service, its values complete (calls and namespace included)."""
    try:
        # With its calls now: what only the callees' variables reveal (an identity variable
        # named like a call's) is reported as the first pass reports problems.
        args = model.model_validate(values)
    except ValidationError as exc:
        raise ConfigurationError(
            source, validation_problems(exc, model, prefix=f"services.{name}")
        ) from None
    try:
        if isinstance(args, PrivateFunctionArgs):
            return PrivateFunction(name, args, opts)
        assert isinstance(args, PrivateContainerArgs)
        return PrivateContainer(name, args, opts)
    except ConfigurationError as exc:
        # What only building finds (an unreadable source_dir): name the stack file and the
        # service's key path, like the validation errors above.
        raise ConfigurationError(
            source,
            [Problem(f"services.{name}.{p.path}".rstrip("."), p.message) for p in exc.problems],
        ) from None


def _resolved_secrets(
    entry: ServiceEntry, resolver: SecretResolver, path: str
) -> tuple[dict[str, Any], list[Problem]]:
    """The service's secrets by value, and a problem for each one that is not set."""
    secrets: dict[str, Any] = {}
    problems: list[Problem] = []
    for variable, ref in entry.secrets.items():
        value = resolver.resolve(ref)
        if value is None:
            problems.append(Problem(f"{path}.secrets.{variable}", ref.describe()))
            value = SecretStr("missing")  # keeps checking the rest of the entry
        secrets[variable] = value
    return secrets, problems


def export_services(services: Mapping[str, PrivateService]) -> None:
    """Stack outputs, one entry per service; ``verify`` reads them back."""
    pulumi.export(
        "services",
        {
            name: {
                "kind": service.kind.lower(),
                "endpoint": service.endpoint,
                "api_key": service.api_key,
                "application_id": service.application_id,
                "policy_id": service.policy_id,
                "project_id": service.project_id,
                "key_secret_id": service.key_secret_id,
                "key_expires_at": service.key_expires_at,
                # Only where there is one, so a stack without registries outputs what it did.
                **(
                    {"registry_endpoint": service.registry_endpoint}
                    if service.registry_endpoint is not None
                    else {}
                ),
                # Only on a public service: verify then expects it to answer without a key.
                **({"privacy": "public"} if service.public_reason is not None else {}),
            }
            for name, service in services.items()
        },
    )
    # One output per service and value too, as Pulumi users expect
    # (`pulumi stack output billing_endpoint`); the key stays a secret.
    for name, service in services.items():
        prefix = name.replace("-", "_")
        pulumi.export(f"{prefix}_endpoint", service.endpoint)
        pulumi.export(f"{prefix}_api_key", pulumi.Output.secret(service.api_key))
        pulumi.export(f"{prefix}_application_id", service.application_id)
        pulumi.export(f"{prefix}_policy_id", service.policy_id)
        pulumi.export(f"{prefix}_project_id", service.project_id)
        pulumi.export(f"{prefix}_key_secret_id", service.key_secret_id)
        if service.registry_endpoint is not None:
            pulumi.export(f"{prefix}_registry_endpoint", service.registry_endpoint)


def run(context: StackContext) -> dict[str, PrivateService]:
    """The whole program: read the configuration, build the services, export their outputs."""
    config = read_stack_config(context.source)
    services = build_services(config, context)
    export_services(services)
    return services


def main() -> None:
    """Entry point of ``pulumi up`` / ``pulumi preview`` (see ``__main__.py``)."""
    project_dir = Path.cwd()
    # `private-serverless plan --env-file F` names the dotenv file through the environment
    # (private_serverless.project.ENV_FILE_VARIABLE), for it runs this very entry point.
    env_file = os.environ.get("PRIVATE_SERVERLESS_ENV_FILE")
    context = StackContext(
        source=stack_file_label(pulumi.get_stack(), project_dir),
        project_dir=project_dir,
        environ=os.environ,
        env_file=Path(env_file) if env_file else project_dir / ".env",
    )
    try:
        run(context)
    except PrivateServerlessError as exc:
        # A user mistake: one message, no Python traceback in the Pulumi output.
        raise pulumi.RunError(str(exc)) from None
