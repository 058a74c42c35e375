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

import ipaddress
from typing import Any

from .builder import ConditionLike, as_cel
from .errors import ConditionError
from .request import AccessRequest
from .validation import analyze_condition


def evaluate_condition(expression: ConditionLike, request: AccessRequest) -> bool:
    """Whether Scaleway would let ``request`` through a rule restricted by ``expression``."""
    import celpy  # lazy: the CEL engine is heavy and most imports never evaluate
    from celpy import celtypes

    text = as_cel(expression)
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
    try:
        result = program.evaluate(activation)
    except RecursionError:
        # cel-python evaluates recursively, a few frames per grammar rule.
        raise ConditionError("the condition is nested too deeply to evaluate") from None
    if isinstance(result, celtypes.BoolType):
        return bool(result)
    # A validated condition is boolean; anything else is an evaluation error (CELEvalError),
    # e.g. a regular expression RE2 accepts but Python's re engine does not.
    reason = str(result)
    raise ConditionError(f"the condition could not be evaluated: {reason}")


def in_ip_range(ip: Any, subnet: Any) -> Any:
    """Scaleway's ``inIpRange(ip, subnet)``: the address is inside the network."""
    from celpy import celtypes

    try:
        address = ipaddress.ip_address(str(ip))
        network = ipaddress.ip_network(str(subnet), strict=True)
    except ValueError as exc:
        # Returning (not raising) the error lets CEL's && and || absorb it like any other.
        from celpy.evaluation import CELEvalError

        return CELEvalError(f"inIpRange: {exc}")
    # An IPv4 address is never in an IPv6 network and vice versa; ipaddress answers False.
    return celtypes.BoolType(address in network)
