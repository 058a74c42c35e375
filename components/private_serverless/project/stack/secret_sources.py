"""Where a stack's secrets come from, and resolving them without ever printing one.

A stack file names a source for each secret, never the value:

- ``config:KEY``: Pulumi secret configuration (``pulumi config set --secret KEY``);
- ``env:NAME``: the environment variable ``NAME``, else the line ``NAME=...`` of the ``.env``
  file (read with python-dotenv; ``.env`` is git-ignored, ``.env.example`` shows its shape).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pulumi
from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import BeforeValidator, SecretStr

from ...core.files import ENV_FILE_BOUNDS, read_text
from ...errors import PrivateServerlessError, refused_key_shown

_REFERENCE = re.compile(r"^(?P<source>config|env):(?P<name>[A-Za-z_][A-Za-z0-9_.:-]{0,127})$")


@dataclass(frozen=True)
class SecretRef:
    """A reference to a secret: its source and the name it has there."""

    source: Literal["config", "env"]
    name: str

    def __str__(self) -> str:
        return f"{self.source}:{self.name}"

    def describe(self) -> str:
        """Where a user should put the value, for error messages."""
        if not refused_key_shown(self.name):
            # A name shaped like a token: the value itself, pasted after env: or config:.
            where = "Pulumi secret config" if self.source == "config" else "environment variable"
            return f"the {where} it names is not set (is the name a value pasted there?)"
        if self.source == "config":
            return (
                f"Pulumi secret config {self.name!r} is not set "
                f"(pulumi config set --secret {self.name} ...)"
            )
        return f"environment variable {self.name} is not set (nor in the .env file)"


def _parse(value: object) -> SecretRef:
    if isinstance(value, SecretRef):
        return value
    if isinstance(value, str):
        match = _REFERENCE.match(value)
        if match:
            return SecretRef(match["source"], match["name"])  # type: ignore[arg-type]
    # Never echo the value: a user may have pasted the secret itself here.
    raise ValueError(
        "a secret is given by reference, never by value: 'env:VARIABLE' (environment or .env) "
        "or 'config:key' (pulumi config set --secret key ...)"
    )


SecretReference = Annotated[SecretRef, BeforeValidator(_parse)]


class _EnvFileError(PrivateServerlessError):
    """The ``.env`` file cannot be read (too large, not UTF-8, unreadable)."""


class SecretResolver:
    """Looks secrets up in Pulumi config, the environment and a ``.env`` file."""

    def __init__(self, environ: Mapping[str, str], env_file: Path | None) -> None:
        self._environ = environ
        self._dotenv: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            # Bounded, like every file the tools read; the error names the file, never a line.
            text = read_text(
                env_file, what=".env file", max_bytes=ENV_FILE_BOUNDS.max_bytes, error=_EnvFileError
            )
            # A line python-dotenv cannot read is skipped with a log line naming no file: here
            # it is one error naming the file and the line (never its text, it may be a value).
            unread = [b.original.line for b in parse_stream(io.StringIO(text)) if b.error]
            if unread:
                lines = ", ".join(map(str, unread[:5])) + (", ..." if len(unread) > 5 else "")
                raise _EnvFileError(
                    f"{env_file}: line {lines}: not a NAME=value line python-dotenv can read "
                    "(a quote left open, a name with spaces?)"
                )
            values = dotenv_values(stream=io.StringIO(text))
            if len(values) > ENV_FILE_BOUNDS.max_values:
                raise _EnvFileError(
                    f"{env_file}: more than {ENV_FILE_BOUNDS.max_values} variables in the .env file"
                )
            self._dotenv = {k: v for k, v in values.items() if v is not None}

    def resolve(self, ref: SecretRef) -> SecretStr | pulumi.Output[str] | None:
        """The secret's value (a Pulumi secret for config), or ``None`` when it is missing."""
        if ref.source == "config":
            namespace, _, key = ref.name.rpartition(":")
            return pulumi.Config(namespace or None).get_secret(key)
        value = self._environ.get(ref.name)
        if value is None:
            value = self._dotenv.get(ref.name)
        return SecretStr(value) if value else None
