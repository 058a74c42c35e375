"""Load a stack for the offline plan: its file, as the Pulumi CLI would hand it to the program.

The Pulumi CLI decrypts ``secure:`` values before the program sees them; offline there is no
key to decrypt with, so such values reach the program as ``[secret]`` and are marked secret,
which is all the plan shows of any secret anyway.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigurationError, Problem
from ..inventory import SECRET_PLACEHOLDER
from .program import StackContext, run, stack_file_label

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def project_name(project_dir: Path) -> str:
    """The project's name from ``Pulumi.yaml``."""
    path = project_dir / "Pulumi.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            str(path), [Problem("", f"cannot read the project file: {exc}")]
        ) from None
    name = document.get("name") if isinstance(document, dict) else None
    if not isinstance(name, str):
        raise ConfigurationError("Pulumi.yaml", [Problem("name", "missing project name")])
    return name


def available_stacks(project_dir: Path) -> list[str]:
    """Stacks that have a configuration file under ``stacks/``."""
    return sorted(
        p.name[len("Pulumi.") : -len(".yaml")]
        for p in (project_dir / "stacks").glob("Pulumi.*.yaml")
    )


def _config_value(value: Any) -> tuple[str, bool]:
    """A stack-file value as the Pulumi runtime receives it: a string, and whether secret."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict | list):
        secret = _contains_secure(value)
        return json.dumps(_mask_secure(value)), secret
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    return ("" if value is None else str(value)), False


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _mask_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _mask_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_secure(v) for v in value]
    return value


def read_stack_file(project_dir: Path, stack: str, project: str) -> tuple[dict[str, str], set[str]]:
    """The configuration map and its secret keys, read from ``stacks/Pulumi.<stack>.yaml``."""
    label = stack_file_label(stack)
    path = project_dir / label
    if not path.is_file():
        known = ", ".join(available_stacks(project_dir)) or "none"
        raise ConfigurationError(label, [Problem("", f"no such stack file (stacks: {known})")])
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigurationError(label, [Problem("", f"invalid YAML{where}")]) from None
    if not isinstance(document, dict):
        raise ConfigurationError(label, [Problem("", "must be a mapping with a `config` key")])
    unknown = sorted(
        set(document)
        - {"config", "encryptionsalt", "secretsprovider", "encryptedkey", "environment"}
    )
    if unknown:
        raise ConfigurationError(label, [Problem(key, "unknown top-level key") for key in unknown])
    raw_config = document.get("config") or {}
    if not isinstance(raw_config, dict):
        raise ConfigurationError(label, [Problem("config", "must be a mapping")])
    config: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in raw_config.items():
        full_key = key if ":" in str(key) else f"{project}:{key}"
        config[full_key], secret = _config_value(value)
        if secret:
            secret_keys.add(full_key)
    return config, secret_keys


def load_offline_program(
    stack: str,
    *,
    project_dir: Path | None = None,
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Callable[[], None], dict[str, str], set[str]]:
    """The program, configuration and secret keys of ``stack``, for the offline plan.

    ``env_file`` defaults to the project's ``.env``; the quick start passes ``.env.example``.
    """
    if not _STACK_NAME.match(stack):
        raise ConfigurationError("--stack", [Problem("", f"{stack!r} is not a stack name")])
    root = (project_dir or Path.cwd()).resolve()
    project = project_name(root)
    config, secret_keys = read_stack_file(root, stack, project)
    context = StackContext(
        source=stack_file_label(stack),
        project_dir=root,
        environ=dict(os.environ if environ is None else environ),
        env_file=env_file if env_file is not None else root / ".env",
    )

    def program() -> None:
        run(context)

    return program, config, secret_keys
