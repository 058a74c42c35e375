"""What an unknown key most likely meant: the allowed key it is closest to.

Newcomers write keys as other tools spell them: camelCase as in Pulumi's YAML and the
Serverless Framework's JSON (``memoryLimit``, ``minScale``), or the Serverless Framework's own
names (``timeout``, ``custom_domains``, ``environment``; serverless-scaleway-functions'
configuration, https://github.com/scaleway/serverless-scaleway-functions#readme). An error
that names the field meaning the same (``memory_limit_mb``) teaches the library's spelling.

:func:`validation_problems` is :func:`~private_serverless.errors.problems_from_validation_error`
with these suggestions, for a known model.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import Problem, problems_from_validation_error

#: Names other tools give to a setting, as snake_case, and this library's fields for it. A
#: name maps to the first of its fields that the model at hand has.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # Serverless Framework (serverless-scaleway-functions) and the provider's own inputs.
    "timeout": ("timeout_seconds",),
    "memory": ("memory_limit_mb",),
    "memory_limit": ("memory_limit_mb",),
    "memory_limit_bytes": ("memory_limit_mb",),
    "memory_size": ("memory_limit_mb",),
    "cpu": ("cpu_limit_mvcpu",),
    "cpu_limit": ("cpu_limit_mvcpu",),
    "custom_domains": ("domains", "domain"),
    "custom_domain": ("domain", "domains"),
    "hostname": ("domain", "domains"),
    "environment": ("env",),
    "environment_variables": ("env",),
    "env_vars": ("env",),
    "variables": ("env",),
    "secret": ("secrets",),
    "secret_environment_variables": ("secrets",),
    "secret_env": ("secrets",),
    "events": ("schedules", "queues"),
    "schedule": ("schedules",),
    "crons": ("schedules",),
    "cron": ("schedules",),
    "triggers": ("queues",),
    "trigger": ("queues",),
    "registry_image": ("image",),
    "commands": ("command",),
    "entrypoint": ("command",),
    "health_check": ("liveness_probe",),
    "health_checks": ("liveness_probe",),
    "scaling_options": ("scaling",),
    "http_option": ("https_only",),
    "https_connections_only": ("https_only",),
    "namespace": ("namespace_name", "namespace_id"),
    "project": ("project_id",),
    "local_storage_limit": ("local_storage_limit_mb",),
    "local_storage_limit_bytes": ("local_storage_limit_mb",),
    "ephemeral_storage": ("local_storage_limit_mb",),
    "zip": ("zip_file",),
    "package": ("source_dir", "zip_file"),
    "source": ("source_dir",),
    "src": ("source_dir",),
    "path": ("source_dir",),
    "tz": ("schedule_time_zone", "time_zone"),
    "timezone": ("schedule_time_zone", "time_zone"),
    "input": ("args",),
    "body": ("args",),
    "method": ("http_method",),
    "queue": ("sqs", "queue_url", "queue_name"),
    "url": ("queue_url",),
    "min_instances": ("min_scale",),
    "max_instances": ("max_scale",),
}

#: The units this library's field names end with (``timeout_seconds``, ``memory_limit_mb``).
_UNITS = ("mb", "seconds", "mvcpu", "days", "bytes")

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(key: str) -> str:
    """``memoryLimit`` -> ``memory_limit``; ``max-scale`` -> ``max_scale``; ``HTTPOption`` ->
    ``http_option``."""
    spaced = _CAMEL_BOUNDARY.sub("_", key.strip())
    return re.sub(r"[\s.-]+|_+", "_", spaced).strip("_").lower()


def suggest_key(key: str, allowed: Iterable[str]) -> str | None:
    """The allowed key ``key`` most likely means, or ``None`` when none is close."""
    choices = sorted(set(allowed))
    if not choices or key in choices:
        return None
    snake = snake_case(key)
    if snake in choices:
        return snake
    for meant in SYNONYMS.get(snake, ()):
        if meant in choices:
            return meant
    for unit in _UNITS:
        if f"{snake}_{unit}" in choices:
            return f"{snake}_{unit}"
    for candidate in (snake, key.lower()):
        close = difflib.get_close_matches(candidate, choices, n=1, cutoff=0.75)
        if close:
            return close[0]
    return None


def unknown_key_message(key: str, allowed: Sequence[str] | None) -> str:
    """The text of an unknown-key problem: a suggestion, else the allowed keys."""
    if not allowed:
        return "unknown key (not one of the allowed settings; check the spelling)"
    meant = suggest_key(key, allowed)
    if meant is not None:
        # `events` is both schedules and queues in the Serverless Framework: name each.
        others = [m for m in SYNONYMS.get(snake_case(key), ()) if m in allowed and m != meant]
        return f"unknown key; did you mean {' or '.join([meant, *others])}?"
    return f"unknown key; allowed: {', '.join(sorted(allowed))}"


def _members(annotation: Any) -> list[Any]:
    """The types a value of ``annotation`` may be: ``Annotated`` and unions unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _fields_of(candidate: Any) -> dict[str, Any] | None:
    fields = getattr(candidate, "model_fields", None)
    if isinstance(candidate, type) and isinstance(fields, dict):
        return {name: field.annotation for name, field in fields.items()}
    return None


def allowed_keys(model: Any, location: Sequence[int | str]) -> list[str] | None:
    """The keys the pydantic model found at ``location`` inside ``model`` allows.

    ``location`` is the path of the mapping holding the unknown key (pydantic's ``loc``
    without its last part). Union members pydantic names in a location (``str``,
    ``function-after[...]``) are skipped. ``None`` when no model is there.
    """
    current = _members(model)
    for part in location:
        following: list[Any] = []
        named = [c for c in current if getattr(c, "__name__", None) == part]
        if named:  # pydantic names the union member it tried
            current = named
            continue
        for candidate in current:
            fields = _fields_of(candidate)
            origin = typing.get_origin(candidate)
            arguments = typing.get_args(candidate)
            if fields is not None and isinstance(part, str) and part in fields:
                following.extend(_members(fields[part]))
            elif origin is dict and len(arguments) == 2:
                following.extend(_members(arguments[1]))
            elif origin in (list, tuple, set, frozenset) and arguments and isinstance(part, int):
                following.extend(_members(arguments[0]))
        if not following:
            if isinstance(part, str) and ("[" in part or part in _TYPE_NAMES):
                continue  # a union member's name, not a key
            return None
        current = following
    keys = [name for candidate in current for name in (_fields_of(candidate) or {})]
    return keys or None


_TYPE_NAMES = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})


def validation_problems(exc: object, model: Any, prefix: str = "") -> list[Problem]:
    """The problems of pydantic's ``exc`` for ``model``, an unknown key with its suggestion."""

    def unknown_key(location: Sequence[int | str]) -> str:
        *parent, key = location or ("",)
        return unknown_key_message(str(key), allowed_keys(model, parent))

    return problems_from_validation_error(exc, prefix, unknown_key)
