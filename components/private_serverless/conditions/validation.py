"""Validation of raw CEL condition strings with a real CEL parser (cel-python)."""

from __future__ import annotations

from .errors import ConditionError


def validate_condition(expression: str) -> list[str]:
    """Check ``expression`` and return warnings; raise :class:`ConditionError` if it is invalid."""
    if not expression.strip():
        raise ConditionError("the condition is empty; omit it to grant access without one")
    # Imported here: the CEL engine costs ~100 ms to import and most programs never need it.
    import celpy
    from celpy.celparser import CELParseError

    try:
        celpy.Environment().compile(expression)
    except CELParseError as exc:
        line = getattr(exc, "line", None)
        column = getattr(exc, "column", None)
        raise ConditionError(
            "invalid CEL syntax",
            line=line,
            column=column + 1 if isinstance(column, int) else None,
        ) from None
    return []
