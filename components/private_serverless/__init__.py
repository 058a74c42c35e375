"""Private Scaleway Serverless Functions and Containers, with IAM access done right.

from private_serverless import AccessArgs, PrivateFunction, PrivateFunctionArgs
"""

# First: loads the provider SDK without its deprecation warnings (see core/provider_sdk.py).
from .core import provider_sdk  # noqa: F401

# isort: split
from .access.access_args import AccessArgs
from .access.service_calls import CallSettings, ServiceCall
from .access.workload_identity import GrantArgs, IdentityArgs
from .attachments.container_operation import ScalingOption
from .attachments.custom_domain import CustomDomainArgs
from .attachments.queue_triggers import NatsSubject, QueueTriggerArgs, SqsQueue
from .attachments.registry import RegistryArgs
from .attachments.schedules import ScheduleArgs
from .errors import ConfigurationError, PrivateServerlessError, Problem
from .services.container_args import PrivateContainerArgs, Probe
from .services.function_args import PrivateFunctionArgs
from .services.namespace_args import PrivateNamespaceArgs
from .services.private_container import PrivateContainer
from .services.private_function import PrivateFunction
from .services.private_namespace import PrivateNamespace

__all__ = [
    "AccessArgs",
    "CallSettings",
    "ConfigurationError",
    "CustomDomainArgs",
    "GrantArgs",
    "IdentityArgs",
    "NatsSubject",
    "PrivateContainer",
    "PrivateContainerArgs",
    "PrivateFunction",
    "PrivateFunctionArgs",
    "PrivateNamespace",
    "PrivateNamespaceArgs",
    "PrivateServerlessError",
    "Probe",
    "Problem",
    "QueueTriggerArgs",
    "RegistryArgs",
    "ScalingOption",
    "ScheduleArgs",
    "ServiceCall",
    "SqsQueue",
]
