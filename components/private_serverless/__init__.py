"""Private Scaleway Serverless Functions and Containers, with IAM access done right.

from private_serverless import AccessArgs, PrivateFunction, PrivateFunctionArgs
"""

# First: loads the provider SDK without its deprecation warnings (see _provider).
from . import _provider  # noqa: F401
from .access import AccessArgs
from .container_args import PrivateContainerArgs, Probe
from .container_operation import ScalingOption
from .custom_domain import CustomDomainArgs
from .errors import ConfigurationError, PrivateServerlessError, Problem
from .function_args import PrivateFunctionArgs
from .private_container import PrivateContainer
from .private_function import PrivateFunction
from .queue_triggers import NatsSubject, QueueTriggerArgs, SqsQueue
from .schedules import ScheduleArgs
from .service_calls import CallSettings, ServiceCall

__all__ = [
    "AccessArgs",
    "CallSettings",
    "ConfigurationError",
    "CustomDomainArgs",
    "NatsSubject",
    "PrivateContainer",
    "PrivateContainerArgs",
    "PrivateFunction",
    "PrivateFunctionArgs",
    "PrivateServerlessError",
    "Probe",
    "Problem",
    "QueueTriggerArgs",
    "ScalingOption",
    "ScheduleArgs",
    "ServiceCall",
    "SqsQueue",
]
