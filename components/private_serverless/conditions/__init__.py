"""CEL access conditions for Scaleway IAM policy rules on private serverless resources."""

from .errors import ConditionError, ConditionWarning, ExpectationError
from .validation import validate_condition

__all__ = ["ConditionError", "ConditionWarning", "ExpectationError", "validate_condition"]
