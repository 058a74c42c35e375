"""Errors and warnings about CEL access conditions.

An error means Scaleway IAM would reject the condition or that it cannot be what the author
meant (an unknown attribute, a bad CIDR). A warning means the condition is accepted but is
probably wrong (a private range that Scaleway never sees as ``request.ip``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PrivateServerlessError


def _where(line: int | None, column: int | None) -> str:
    return f" at line {line}, column {column}" if line is not None and column is not None else ""


class ConditionError(PrivateServerlessError, ValueError):
    """A CEL condition is invalid.

    ``line`` and ``column`` are 1-based and point into the expression when the problem has a
    position (syntax errors, an unknown function, a bad literal). It is a
    :class:`PrivateServerlessError` so the CLI reports it without a traceback, and a
    :class:`ValueError` for callers that validate arguments.
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.reason = message
        self.line = line
        self.column = column
        super().__init__(f"{message}{_where(line, column)}")


class ExpectationError(ConditionError):
    """A condition contradicts sample requests that were declared allowed or denied."""


@dataclass(frozen=True)
class ConditionWarning:
    """A valid condition that is probably not what its author meant."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.message}{_where(self.line, self.column)}"
