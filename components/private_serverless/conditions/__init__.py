"""CEL access conditions for Scaleway IAM policy rules on private serverless resources.

Build them (:func:`ip_in`, :func:`user_agent_contains`, :func:`weekdays`, :func:`on_days`,
:func:`hours_between`, combined with ``&``, ``|``, ``~``), validate raw CEL
(:func:`validate_condition`), simulate a call (:func:`evaluate_condition`) and pin intent with
sample requests (:func:`check_expectations`). Importing this package does not load the CEL
engine; validating or evaluating does.
"""

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
