"""Read a ``pulumi stack export`` file into :class:`ResourceRecord` objects.

The export is the engine's checkpoint (``{"version": 3, "deployment": {"resources": [...]}}``).
Secret values in it are objects tagged with Pulumi's secret signature, holding either a
``ciphertext`` or, with ``--show-secrets``, a ``plaintext``; both are replaced by
:data:`~private_serverless.inventory.SECRET_PLACEHOLDER` before anything else sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.files import EXPORT_BOUNDS, read_json
from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..errors import PrivateServerlessError, hide_on_user_error

__tracebackhide__ = hide_on_user_error

#: Key and value marking a secret in serialized Pulumi properties.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

SUPPORTED_VERSION = 3


class AuditError(PrivateServerlessError):
    """The export file cannot be audited (unreadable, not JSON, not a stack export)."""


def redact(value: Any) -> Any:
    """``value`` with every secret (encrypted or shown in clear) replaced by the placeholder."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return SECRET_PLACEHOLDER
        return {str(key): redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _record(resource: Any, index: int, source: str) -> ResourceRecord:
    where = f"{source}: deployment.resources[{index}]"
    if not isinstance(resource, Mapping):
        raise AuditError(f"{where} is not an object")
    urn, type_ = resource.get("urn"), resource.get("type")
    if not isinstance(urn, str) or not urn or not isinstance(type_, str) or not type_:
        raise AuditError(f"{where} has no urn or type")
    inputs = resource.get("inputs") or {}
    if not isinstance(inputs, Mapping):
        raise AuditError(f"{where}.inputs is not an object")
    if inputs.get(SIG_KEY) == SECRET_SIG:
        # The engine serializes inputs as an object whose values may each be secret, never
        # the object itself as one secret: this export was edited or made by another tool.
        # Auditing it as "inputs unknown" would pass every rule on inputs nobody looked at.
        raise AuditError(
            f"{where}.inputs is one secret value, not an object of inputs; an export written "
            "by `pulumi stack export` keeps each input apart (each may be secret)"
        )
    parent = resource.get("parent")
    dependencies = resource.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise AuditError(f"{where}.dependencies is not a list")
    return ResourceRecord(
        urn=urn,
        type=type_,
        name=_name(urn),
        parent=parent if isinstance(parent, str) and parent else None,
        custom=bool(resource.get("custom", False)),
        inputs=redact(inputs),
        dependencies=tuple(d for d in dependencies if isinstance(d, str)),
        protect=bool(resource.get("protect", False)),
        id=resource.get("id") if isinstance(resource.get("id"), str) else None,
    )


def records_from_export(data: Any, source: str = "export") -> list[ResourceRecord]:
    """The records of an already parsed export; ``source`` names it in error messages."""
    if not isinstance(data, Mapping) or not isinstance(data.get("deployment"), Mapping):
        raise AuditError(
            f"{source}: not a Pulumi stack export (expected an object with a 'deployment'; "
            "create one with `pulumi stack export --file FILE`)"
        )
    version = data.get("version")
    if version != SUPPORTED_VERSION:
        raise AuditError(
            # The version is not echoed: whatever stands there came from the file.
            f"{source}: version: unsupported export version, expected {SUPPORTED_VERSION}"
        )
    resources = data["deployment"].get("resources")
    if resources is None:  # an empty stack exports "resources": null or leaves it out
        resources = []
    if not isinstance(resources, list):
        raise AuditError(f"{source}: deployment.resources is not a list")
    records = [_record(resource, index, source) for index, resource in enumerate(resources)]
    # Resources the stack only reads (external) and old copies waiting for deletion (delete)
    # are not what the stack runs: auditing them would report things nobody can fix here.
    return [
        record
        for record, resource in zip(records, resources, strict=True)
        if not resource.get("external") and not resource.get("delete")
    ]


def read_export(path: Path) -> list[ResourceRecord]:
    """The records of the ``pulumi stack export`` file at ``path``.

    Raises :class:`AuditError`, naming the file, when it cannot be read or is not an export.
    The message never quotes the file's content, which may hold secrets shown in clear.
    """
    data = read_json(path, what="stack export", error=AuditError, bounds=EXPORT_BOUNDS)
    return records_from_export(data, str(path))
