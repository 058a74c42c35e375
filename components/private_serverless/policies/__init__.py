"""Security rules for stacks built with this library.

One set of rule functions judges :class:`~private_serverless.inventory.ResourceRecord` objects
and is reused by the offline plan (:func:`evaluate`), the ``audit`` command and the CrossGuard
policy pack (``private_serverless.policies.crossguard``, the only module importing
``pulumi_policy``, so that the plan and the audit work without it).

May import access (call and identity tags), conditions, sensitive and core; never the
components, the plan or the project readers.
"""

from .engine import evaluate
from .findings import ADVISORY, MANDATORY, Finding, Severity
from .kinds import Kind, kind_of
from .rules import PRIVATE_ACCESS_SETS, RULES, RULES_BY_ID, UNKNOWN, Rule
from .settings import PolicySettings
from .weakening import Weakening, weakenings

__all__ = [
    "ADVISORY",
    "MANDATORY",
    "PRIVATE_ACCESS_SETS",
    "RULES",
    "RULES_BY_ID",
    "UNKNOWN",
    "Finding",
    "Kind",
    "PolicySettings",
    "Rule",
    "Severity",
    "Weakening",
    "evaluate",
    "kind_of",
    "weakenings",
]
