"""The error raised for a condition that Scaleway IAM would reject or that cannot be right."""

from __future__ import annotations


class ConditionError(ValueError):
    """A CEL condition is invalid.

    ``line`` and ``column`` are 1-based and point into the expression when the problem has a
    position (syntax errors, an unknown function, a bad literal).
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.reason = message
        self.line = line
        self.column = column
        where = (
            f" at line {line}, column {column}" if line is not None and column is not None else ""
        )
        super().__init__(f"{message}{where}")
