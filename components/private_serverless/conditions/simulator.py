"""Evaluate a condition against a sample request the way Scaleway IAM does, offline.

The expression is validated first (an invalid one raises :class:`ConditionError`), then
evaluated by cel-python on the validated tree. cel-python's timestamp accessors already follow
the CEL specification Scaleway uses: ``getDayOfWeek()`` counts from 0 = Sunday, and a time
zone argument is an IANA name resolved with its daylight saving rules (through ``pendulum``,
checked against ``zoneinfo`` by the tests), UTC when absent. Scaleway's own ``inIpRange`` is
provided here with :mod:`ipaddress`, and ``request.user_agent`` is truncated to 255
characters first, as Scaleway does.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import hide_on_user_error
from .errors import ConditionError
from .functions import in_ip_range
from .request import AccessRequest
from .validation import analyze_condition

__tracebackhide__ = hide_on_user_error


class RendersCel(Protocol):
    """A builder condition (:mod:`.builder`, which sits above this module): it renders its CEL."""

    def to_cel(self) -> str: ...


def evaluate_condition(expression: str | RendersCel, request: AccessRequest) -> bool:
    """Whether Scaleway would let ``request`` through a rule restricted by ``expression``."""
    import celpy  # lazy: the CEL engine is heavy and most imports never evaluate
    from celpy import celtypes

    # A builder object renders itself; this module stays below the builder, which uses it.
    text = expression if isinstance(expression, str) else expression.to_cel()
    # Simulating tells what happens, even for a condition too loose or too strict to deploy.
    tree, _warnings = analyze_condition(text, whole=False)
    program = celpy.Environment().program(tree, functions={"inIpRange": in_ip_range})
    activation = {
        "request": celtypes.MapType(
            {
                celtypes.StringType("ip"): celtypes.StringType(str(request.ip)),
                celtypes.StringType("user_agent"): celtypes.StringType(
                    request.effective_user_agent
                ),
                celtypes.StringType("time"): celtypes.TimestampType(request.time),
            }
        )
    }
    from celpy.evaluation import CELEvalError

    try:
        result: Any = program.evaluate(activation)
    except CELEvalError as exc:
        # cel-python raises (rather than returns) an error that reaches the top of the
        # expression, e.g. inIpRange(request.user_agent, ...) on a header that is no address.
        result = exc
    except RecursionError:
        # cel-python evaluates recursively, a few frames per grammar rule.
        raise ConditionError("the condition is nested too deeply to evaluate") from None
    except OverflowError:
        # cel-python converts to the accessor's zone with Python's datetime, which stops at
        # years 1 and 9999: an instant at either end of CEL's range, read in a zone that moves
        # it past the end (9999-12-31T23:59Z in "+14:00"), cannot be evaluated here.
        raise ConditionError(
            "the condition could not be evaluated: at this time a timestamp accessor's zone "
            "moves the date outside years 1 to 9999; pick a sample time further from the ends "
            "of CEL's range"
        ) from None
    if isinstance(result, celtypes.BoolType):
        return bool(result)
    # A validated condition is boolean; anything else is an evaluation error (CELEvalError),
    # e.g. a regular expression RE2 accepts but Python's re engine does not.
    reason = (
        str(result.args[0]) if isinstance(result, CELEvalError) and result.args else str(result)
    )
    raise ConditionError(f"the condition could not be evaluated: {reason}")
