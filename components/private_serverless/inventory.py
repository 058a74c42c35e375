"""A resource as the Pulumi engine sees it: the common currency of plan, policies and audit.

The offline plan records one per registration, the audit reads them from a ``pulumi stack
export`` file, and the policy rules judge them. Inputs are keyed by the provider's input names
as the engine receives them (camelCase, for example ``secretEnvironmentVariables``); every secret
value is replaced by :data:`SECRET_PLACEHOLDER` before a record is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class ResourceRecord:
    """One registered resource (custom or component)."""

    urn: str
    type: str
    name: str
    parent: str | None = None
    custom: bool = True
    inputs: Mapping[str, Any] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    protect: bool = False
    #: The provider's id, when known for real (an audited export); never a mock's invention.
    id: str | None = None
