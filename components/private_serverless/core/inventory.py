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
    #: Options the engine applies when it compares this registration with the resource's state
    #: (top-level input names as the engine receives them, camelCase).
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    #: Other URNs the resource may be known by in the state (``aliases``).
    aliases: tuple[str, ...] = ()
    #: For each input, the resources whose outputs it was computed from.
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: For each input holding a secret, a keyed digest of its value (plan/secret_digests.py),
    #: when the plan was made with a key; never the value.
    secret_digests: Mapping[str, str] = field(default_factory=dict)
    #: For each input whose value is a secret map (secret environment variables), its keys:
    #: names are not secret (plan/secret_names.py). An empty tuple is an empty map.
    secret_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The provider's id, when known for real (an audited export); never a mock's invention.
    id: str | None = None
