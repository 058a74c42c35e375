"""CEL conditions for Scaleway IAM policy rules: validation (and, later, builder and simulator)."""

from .errors import ConditionError
from .validation import validate_condition

__all__ = ["ConditionError", "validate_condition"]
