"""User-facing errors.

Every exception defined here carries a message that is safe to print: it names *where* the
problem is (component, stack file, key path, field) and *what is allowed*, and never echoes a
secret value. The CLI turns them into one line on stderr and exit code 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class PrivateServerlessError(Exception):
    """Base class of the errors a user can cause and fix (bad input, missing secret)."""


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is (a dotted key path) and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigurationError(PrivateServerlessError, ValueError):
    """Invalid arguments or configuration, reported all at once.

    ``where`` names the component (``PrivateFunction 'billing'``) or the stack file
    (``stacks/Pulumi.dev.yaml``); each problem names its key path.
    """

    def __init__(self, where: str, problems: Sequence[Problem]) -> None:
        self.where = where
        self.problems = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"{self.where}: {self.problems[0]}"
        lines = [f"{self.where}: {len(self.problems)} problems"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)


def problems_from_validation_error(exc: object, prefix: str = "") -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into problems, without echoing any input value.

    pydantic's own message quotes the offending input, which may be a secret; this keeps only
    the location and the reason.
    """
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [Problem(prefix, str(exc))]
    problems = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        parts = [prefix] if prefix else []
        parts.extend(str(part) for part in error["loc"])
        message = error["msg"]
        # Our own validators raise ValueError; pydantic prefixes those. The prefix is noise.
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (not one of the allowed settings; check the spelling)"
        problems.append(Problem(".".join(parts), message))
    return problems


class MissingProviderOutputError(PrivateServerlessError):
    """The provider (or a test's mock of it) returned no value for an output a component needs.

    Scaleway always computes these (a function's ``domain_name``, a container's
    ``public_endpoint``); a mock that echoes inputs as outputs does not, and gets this error
    naming the output instead of an ``AttributeError`` deep inside the component.
    """

    def __init__(self, component: str, resource: str, output: str) -> None:
        self.component = component
        self.resource = resource
        self.output = output
        super().__init__(
            f"{component}: the provider returned no `{output}` for {resource}. Scaleway always "
            "computes it; a test mock must return it too (private_serverless.testing."
            "ScalewayMocks does, a mock that echoes inputs does not)"
        )
