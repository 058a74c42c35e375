"""Validation of raw CEL condition strings for private Scaleway Serverless Functions/Containers.

A condition is valid when it parses, the type checker (:mod:`.checker`) accepts every attribute,
function and literal in it, and it means something (:mod:`.meaning`): some request can match
it and some cannot. Sources: https://www.scaleway.com/en/docs/iam/reference-content/understanding-request-level-conditions/
and https://www.scaleway.com/en/docs/iam/policies-permissions/cel-conditions-guide/ .
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.limits import CONDITION_MAX_LENGTH
from ..errors import hide_on_user_error
from .checker import Checker, article, position
from .errors import ConditionError, ConditionWarning
from .meaning import condition_meaning
from .samples import HORIZON
from .syntax import parse_cel

__tracebackhide__ = hide_on_user_error


def validate_condition(expression: str, *, whole: bool = True) -> list[ConditionWarning]:
    """Check a CEL access condition; return warnings, raise :class:`ConditionError` if invalid.

    A whole condition must also mean something: one that no request can match, or that every
    request matches, is invalid. ``whole=False`` checks a fragment that will be combined with
    others (``Cel("...")`` in the builder), where only the combination is judged.

    >>> validate_condition('inIpRange(request.ip, "198.51.100.0/24")')
    []
    """
    return analyze_condition(expression, whole=whole)[1]


def analyze_condition(expression: str, *, whole: bool = True) -> tuple[Any, list[ConditionWarning]]:
    """Validate and return cel-python's parse tree with the warnings (used by the simulator)."""
    if not isinstance(expression, str):
        raise ConditionError(f"a condition must be a string, not {type(expression).__name__}")
    if not expression.strip():
        raise ConditionError("the condition is empty; omit it to grant access without one")
    if len(expression.strip()) > CONDITION_MAX_LENGTH:
        raise ConditionError(
            f"Scaleway accepts conditions of at most {CONDITION_MAX_LENGTH} characters "
            f"(this one has {len(expression.strip())})"
        )
    tree = parse_cel(expression)
    checker = Checker()
    result = checker.value(tree)
    if result.type != "bool":
        where = position(tree)
        raise ConditionError(
            f"the condition must be true or false, but it is {article(result.type)}; "
            'compare it, for example request.user_agent.contains("...")',
            line=where.line,
            column=where.column,
        )
    unique = list(dict.fromkeys(checker.warnings))  # de-duplicated, in order
    if whole:
        _require_meaning(tree, unique)
        if "user_agent" in expression and restricts_only_by_user_agent(tree):
            unique.append(ConditionWarning(USER_AGENT_ONLY))
    return tree, unique


#: Why a condition that only the user agent restricts protects little.
USER_AGENT_ONLY = (
    "whatever this condition refuses, a caller gets in by sending the user agent it tests, "
    "from any address, at any time: the user agent is the caller's choice, so a leaked key "
    "works for whoever knows the condition; restrict the address or the time with && too"
)


def restricts_only_by_user_agent(tree: Any) -> bool:
    """Whether the valid condition ``tree`` refuses some request, but none that the caller
    could not get let in by the user agent it sends (its own choice)."""
    return not condition_meaning(tree, user_agent_picked=True).can_deny


def _require_meaning(tree: Any, warnings: Sequence[ConditionWarning]) -> None:
    """Refuse a condition that never allows or never denies: either is a mistake."""
    meaning = condition_meaning(tree)
    if not meaning.can_allow:
        why = f" ({warnings[0]})" if warnings else ""
        raise ConditionError(
            f"the condition is never true{why}: no request can match it, so nobody could call "
            "the service; fix the ranges, or remove the grant"
        )
    if not meaning.can_deny:
        source = f" from any IPv{meaning.open_family} address" if meaning.open_family else ""
        if not meaning.decided:
            raise ConditionError(
                f"the condition restricts nothing as far as the analysis can decide: it finds "
                f"no request{source} that is refused and cannot prove there is none (a regular "
                "expression, or more combinations than it evaluates), and undecidable counts "
                "as restricting nothing; restrict it plainly (a public IP range of the callers, "
                "a time window...) or remove it"
            )
        raise ConditionError(
            f"the condition is true for every request{source}: it restricts nothing (a value "
            "the caller picks, such as a range read from its own header or the second it sends "
            f"at, or a time limit more than {HORIZON.days // 365} years away, counts as no "
            "restriction); restrict it (a "
            "public IP range of the callers, a time window...) or remove it"
        )
