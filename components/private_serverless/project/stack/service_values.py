"""Service settings a stack file gives indirectly: from the environment, or as project paths.

- ``image_digest: env:API_IMAGE_DIGEST`` reads the container's image digest from the
  environment variable (else the ``.env`` file), like ``env:`` secrets, so that a CI pipeline
  passes the digest ``docker push`` printed without editing the stack file.
- ``build_dir`` is relative to the project and must stay inside it; an absolute path is an
  explicit choice and is kept.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ...errors import Problem
from .secret_sources import SecretRef, SecretResolver

#: Settings that may be written ``env:NAME``.
ENV_SETTINGS = ("image_digest",)
_ENV_REFERENCE = re.compile(r"^env:(?P<name>[A-Za-z_][A-Za-z0-9_]{0,127})$")


def resolve_env_settings(
    values: dict[str, Any], resolver: SecretResolver, path: str
) -> list[Problem]:
    """Replace ``env:NAME`` settings in ``values`` by their value; problems for missing ones."""
    problems: list[Problem] = []
    for setting in ENV_SETTINGS:
        raw = values.get(setting)
        match = _ENV_REFERENCE.match(raw) if isinstance(raw, str) else None
        if match is None:
            continue
        ref = SecretRef("env", match["name"])
        value = resolver.resolve(ref)
        if value is None:
            problems.append(Problem(f"{path}.{setting}", ref.describe()))
            values.pop(setting)
        else:
            values[setting] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return problems


def build_dir_problems(raw: object, project_dir: Path, path: str) -> list[Problem]:
    """A relative ``build_dir`` from the stack file must resolve inside the project."""
    if not isinstance(raw, str) or Path(raw).is_absolute():
        return []
    project = project_dir.resolve()
    if (project / raw).resolve().is_relative_to(project):
        return []
    return [
        Problem(
            f"{path}.build_dir",
            "must stay inside the project (no ..); give an absolute path to build elsewhere",
        )
    ]
