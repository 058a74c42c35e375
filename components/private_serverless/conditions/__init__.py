"""CEL access conditions for Scaleway IAM policy rules on private serverless resources.

Build them (:func:`ip_in`, :func:`user_agent_contains`, :func:`weekdays`, :func:`on_days`,
:func:`hours_between`, combined with ``&``, ``|``, ``~``), validate raw CEL
(:func:`validate_condition`), simulate a call (:func:`evaluate_condition`) and pin intent with
sample requests (:func:`check_expectations`). Importing this package does not load the CEL
engine; validating or evaluating does.

May import core only; access, policies and the components import it.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .builder import (
        AllOf,
        AnyOf,
        Cel,
        Condition,
        ConditionLike,
        Day,
        DaysOfWeek,
        HoursBetween,
        IpInRange,
        Not,
        UserAgentContains,
        all_of,
        any_of,
        as_cel,
        hours_between,
        ip_in,
        not_,
        on_days,
        user_agent_contains,
        weekdays,
    )
    from .errors import ConditionError, ConditionWarning, ExpectationError
    from .expectations import AccessExpectations, check_expectations
    from .request import AccessRequest
    from .simulator import evaluate_condition
    from .validation import validate_condition

# Loaded on first use (PEP 562): the builder, validator and simulator cost ~50 ms to import,
# which every program importing the components would otherwise pay, condition or not.
_WHERE = {
    **dict.fromkeys(
        [
            "AllOf",
            "AnyOf",
            "Cel",
            "Condition",
            "ConditionLike",
            "Day",
            "DaysOfWeek",
            "HoursBetween",
            "IpInRange",
            "Not",
            "UserAgentContains",
            "all_of",
            "any_of",
            "as_cel",
            "hours_between",
            "ip_in",
            "not_",
            "on_days",
            "user_agent_contains",
            "weekdays",
        ],
        "builder",
    ),
    **dict.fromkeys(["ConditionError", "ConditionWarning", "ExpectationError"], "errors"),
    **dict.fromkeys(["AccessExpectations", "check_expectations"], "expectations"),
    "AccessRequest": "request",
    "evaluate_condition": "simulator",
    "validate_condition": "validation",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AccessExpectations",
    "AccessRequest",
    "AllOf",
    "AnyOf",
    "Cel",
    "Condition",
    "ConditionError",
    "ConditionLike",
    "ConditionWarning",
    "Day",
    "DaysOfWeek",
    "ExpectationError",
    "HoursBetween",
    "IpInRange",
    "Not",
    "UserAgentContains",
    "all_of",
    "any_of",
    "as_cel",
    "check_expectations",
    "evaluate_condition",
    "hours_between",
    "ip_in",
    "not_",
    "on_days",
    "user_agent_contains",
    "validate_condition",
    "weekdays",
]
