"""A stack file's ``namespaces:``: namespaces several services share, read and checked.

```yaml
private-serverless:namespaces:
  jobs:
    kind: function
    env: {LOG_LEVEL: info}
    secrets: {DB_PASSWORD: env:JOBS_DB_PASSWORD}
private-serverless:services:
  ingest: {kind: function, namespace: jobs, ...}
```

Each entry becomes a :class:`PrivateNamespace` named by its key, checked like a service (strict
types, secrets by reference only, the same variable rules); a service joins one with
``namespace: <key>``, and only a namespace of its own kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr, ValidationError

from ...core.key_suggestions import validation_problems
from ...errors import Problem
from ...sensitive.environment import check_env_and_secrets
from ...services.namespace_args import PrivateNamespaceArgs
from ...services.variables import check_namespace_name
from .config_model import StackConfig
from .secret_sources import SecretResolver

#: A namespace's values that name or identify something: an empty string there is a mistake.
_IDENTIFIER_KEYS = frozenset({"name", "project_id"})


def prepare_namespaces(
    config: StackConfig, resolver: SecretResolver
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """The arguments of each shared namespace (stack defaults applied, secrets resolved) and
    the problems found, with key paths ``namespaces.<key>...``."""
    prepared: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    defaults = config.defaults
    for key, entry in config.namespaces.items():
        path = f"namespaces.{key}"
        values: dict[str, Any] = {**(entry.model_extra or {}), "kind": entry.kind}
        values.setdefault("region", defaults.region)
        tags = values.get("tags", [])
        values["tags"] = [*defaults.tags, *tags] if isinstance(tags, list) else tags
        problems.extend(
            Problem(f"{path}.{name}", "must not be empty: a name or ID is expected")
            for name in _IDENTIFIER_KEYS
            if values.get(name) == ""
        )
        if "name" not in values:
            try:
                check_namespace_name(key)
            except ValueError as exc:
                problems.append(Problem(path, f"{exc} (the key is its name; or set name)"))
        try:
            # Strict, as JSON: a stack file's types are the ones written; secrets by reference.
            as_data = {**values, "secrets": dict.fromkeys(entry.secrets, "[secret]")}
            PrivateNamespaceArgs.model_validate_json(json.dumps(as_data), strict=True)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, PrivateNamespaceArgs, prefix=path))
            continue
        secrets: dict[str, Any] = {}
        for variable, ref in entry.secrets.items():
            value = resolver.resolve(ref)
            if value is None:
                problems.append(Problem(f"{path}.secrets.{variable}", ref.describe()))
                value = SecretStr("missing")  # keeps checking the rest of the entry
            secrets[variable] = value
        values["secrets"] = secrets
        try:
            PrivateNamespaceArgs.model_validate(values)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, PrivateNamespaceArgs, prefix=path))
            continue
        prepared[key] = values
    return prepared, problems


def service_namespace(
    raw: object, path: str, kind: str, config: StackConfig
) -> tuple[str | None, list[Problem]]:
    """The key of the shared namespace a service names (``services.<name>.namespace``), or a
    problem: not a key of ``namespaces``, or a namespace of the other kind."""
    if raw is None:
        return None, []
    where = f"{path}.namespace"
    known = ", ".join(sorted(config.namespaces)) or "none"
    if not isinstance(raw, str) or raw not in config.namespaces:
        return None, [
            Problem(where, f"must name a key of namespaces; namespaces of this stack: {known}")
        ]
    namespace_kind = config.namespaces[raw].kind
    if namespace_kind != kind:
        return None, [
            Problem(
                where,
                f"a {kind} cannot be in a {namespace_kind} namespace (a different Scaleway "
                f"resource); name a {kind} namespace",
            )
        ]
    return raw, []


def shared_variable_problems(
    values: Mapping[str, Any], namespace: Mapping[str, Any], path: str
) -> list[Problem]:
    """The service's variables against its namespace's: Scaleway counts them together."""
    env, secrets = values.get("env", {}), values.get("secrets", {})
    if not isinstance(env, dict) or not isinstance(secrets, dict):
        return []  # the service's own validation names what is wrong
    try:
        check_env_and_secrets(env, secrets, namespace.get("env", {}), namespace["secrets"])
    except ValueError as exc:
        return [Problem(path, str(exc))]
    return []
