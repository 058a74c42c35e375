"""Where a ``secure:`` value may sit in a stack file, and what ``config:`` may point at.

A secret belongs in a top-level key of its own (``pulumi config set --secret KEY``), read by a
service through ``secrets: {VAR: config:KEY}``, which becomes a *secret* environment variable.
Anywhere else (a description, a tag, plain ``env``), a real run would decrypt it into a plain
input, stored and shown in clear: that is refused, naming the key path. And a ``config:``
reference must point at a secure value, or the "secret" was committed in clear.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi.runtime.config import is_config_secret

from ...core.inventory import SECRET_PLACEHOLDER
from ...errors import Problem

_HINT = (
    "a secure value is only accepted as a top-level key of its own, read through "
    "services.<name>.secrets.<VAR>: config:KEY"
)


def _placeholders(value: Any, path: str) -> Iterator[str]:
    """Key paths in ``value`` holding a secure value (shown as the placeholder offline)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _placeholders(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _placeholders(item, f"{path}[{index}]")
    elif value == SECRET_PLACEHOLDER:
        yield path


def misplaced_secure_values(project: str, raw: Mapping[str, Any]) -> list[Problem]:
    """Problems for secure values inside the settings keys (``services``, ``defaults``...).

    Offline, nested secure values arrive as placeholders, so the exact path is named; in a real
    run Pulumi decrypts them but still marks the whole key secret, so the key is named.
    """
    problems: list[Problem] = []
    for key, value in raw.items():
        paths = list(_placeholders(value, key))
        problems.extend(Problem(path, _HINT) for path in paths)
        if not paths and is_config_secret(f"{project}:{key}"):
            problems.append(Problem(key, f"holds a secure value somewhere: {_HINT}"))
    return problems


def plain_config_references(
    project: str, references: Mapping[str, str], config_keys: set[str]
) -> list[Problem]:
    """Problems for ``config:`` references (path -> key) that point at a plain value."""
    problems = []
    for path, name in sorted(references.items()):
        full_key = name if ":" in name else f"{project}:{name}"
        if full_key in config_keys and not is_config_secret(full_key):
            problems.append(
                Problem(
                    path,
                    f"config:{name} points at a plain value, committed in clear: set it with "
                    f"`pulumi config set --secret {name} ...` and rotate it",
                )
            )
    return problems
