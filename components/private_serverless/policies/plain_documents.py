"""Credentials in the documents a service's schedules send in clear: cron ``args``, a container
trigger's cron ``body`` and ``headers``.

Scaleway stores them in clear and the plan shows them, like plain environment variables. The
components refuse a credential there before anything is registered (``ScheduleArgs``); these
checks let the plan and the policy pack judge any program's crons the same way, raw resources
included, and keep a flagged document out of the printed plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..sensitive.structured import Hit, scan_document, scan_text
from .kinds import Kind, kind_of

#: The document inputs of each kind: (input, key inside it or None), as the plan records them.
_SLOTS: dict[Kind, tuple[tuple[str, str | None], ...]] = {
    Kind.CRON: (("args", None),),
    Kind.CONTAINER_TRIGGER: (("cron", "body"), ("cron", "headers")),
}


@dataclass(frozen=True)
class DocumentHit:
    """A credential found in one document input of a record: where, and what it looks like."""

    slot: str  # ``args``, ``cron.body``, ``cron.headers``
    where: str  # the field's path inside it (``$.db.password``), never the value
    kind: str


def _documents(record: ResourceRecord) -> Iterator[tuple[str, Any]]:
    kind = kind_of(record.type)
    for name, key in _SLOTS.get(kind, ()) if kind is not None else ():
        value = record.inputs.get(name)
        if key is not None:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            yield (name if key is None else f"{name}.{key}"), value


def _hits(value: Any, allowed: Iterable[str]) -> list[Hit]:
    if isinstance(value, Mapping):
        return scan_document(value, allowed)
    if not isinstance(value, str):
        return []  # unknown until deployed (a preview), or no document at all
    try:
        document = json.loads(value)
    except ValueError:
        return scan_text(value)
    if isinstance(document, Mapping | list):
        return scan_document(document, allowed)
    return scan_text(value)


def document_hits(record: ResourceRecord, allowed: Iterable[str] = ()) -> list[DocumentHit]:
    """Every credential in ``record``'s cron documents; ``allowed`` (the service's
    ``allowed_plain_names``) releases keys that only look like a credential's."""
    allowed = tuple(allowed)
    found: dict[tuple[str, str], DocumentHit] = {}
    for slot, value in _documents(record):
        for hit in _hits(value, allowed):
            # One per field: a URL with credentials is also a password inside that URL.
            field = hit.where.split(" ", 1)[0] if hit.where.startswith("$") else ""
            found.setdefault((slot, field), DocumentHit(slot, field, hit.kind))
    return list(found.values())


def redacted_documents(record: ResourceRecord, slots: Iterable[str]) -> dict[str, Any]:
    """``record``'s inputs with each of ``slots`` (``args``, ``cron.body``...) shown as
    ``[secret]``: a document a rule flagged is not printed, whichever of its parts it was."""
    inputs = dict(record.inputs)
    for slot in set(slots):
        name, _, key = slot.partition(".")
        if not key:
            inputs[name] = SECRET_PLACEHOLDER
        elif isinstance(inputs.get(name), Mapping):
            inputs[name] = {**inputs[name], key: SECRET_PLACEHOLDER}
    return inputs
