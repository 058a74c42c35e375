"""Credentials in the settings a service keeps in clear beyond its environment variables: what
its schedules send (cron ``args``, a container trigger's cron ``body`` and ``headers``), a
container's command line (``commands``, ``args``) and the paths its health probes request
(``livenessProbe``, ``startupProbe``, the deprecated ``healthChecks``).

Scaleway stores them in clear and the plan shows them, like plain environment variables. The
components refuse a credential there before anything is registered (``ScheduleArgs``,
``PrivateContainerArgs``); these checks let the plan and the policy pack judge any program the
same way, raw resources included, and keep a flagged setting out of the printed plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..sensitive.credential_keys import credential_header
from ..sensitive.environment import command_line_kinds
from ..sensitive.names import strong_credential_name
from ..sensitive.structured import (
    MAX_DEPTH,
    MAX_DOCUMENT_LENGTH,
    Hit,
    scan_document,
    scan_text,
)
from ..sensitive.values import secret_values
from .kinds import Kind, kind_of

#: The document inputs of each kind: (input, key inside it or None, what it is), as the plan
#: records them.
_SLOTS: dict[Kind, tuple[tuple[str, str | None, str], ...]] = {
    Kind.CRON: (("args", None, "a cron's arguments are"),),
    Kind.CONTAINER_TRIGGER: (
        ("cron", "body", "a cron's body is"),
        ("cron", "headers", "a cron's headers are"),
    ),
}
_COMMAND_LINE = "a container's command line is"
#: The command-line inputs of a container (the provider's ``commands`` and ``args``).
_COMMAND_LINES = ("commands", "args")
_PROBE = "a container's health probe path is"
#: The probe inputs of a container whose ``http.path`` is requested (the provider's
#: ``livenessProbe`` and ``startupProbe``); the deprecated ``healthChecks`` list has
#: ``https[].path`` instead.
_PROBES = ("livenessProbe", "startupProbe")
_READ_FROM_SECRETS = "read the credential from the service's secret environment variables instead"


@dataclass(frozen=True)
class SettingHit:
    """A credential found in one clear-text input of a record: where, and what it looks like."""

    slot: str  # ``args``, ``cron.body``, ``cron.headers``, ``commands``
    where: str  # the field's path (``$.db.password``) or word (``[1]``), never the value
    kind: str
    what: str  # what the setting is, for a message: ``a cron's arguments are``
    fix: str = _READ_FROM_SECRETS  # what to do instead, for a message

    @property
    def releasable(self) -> bool:
        """Whether ``allowed_plain_names`` could release it: a document field whose key only
        looks like a credential's (not ``password``, not a credential header)."""
        key = self.where.rsplit(".", 1)[-1]
        return (
            self.where.startswith("$")
            and self.kind == "credential in a document field"
            and not strong_credential_name(key)
        )

    @property
    def place(self) -> str:
        """``args[1]``, ``args $.db.password``, ``cron.body``, ``livenessProbe.http.path``: for
        a finding's message."""
        return (
            f"{self.slot}{self.where}"
            if self.where.startswith(("[", "."))
            else (f"{self.slot} {self.where}".strip())
        )


def _documents(record: ResourceRecord) -> Iterator[tuple[str, Any, str]]:
    kind = kind_of(record.type)
    for name, key, what in _SLOTS.get(kind, ()) if kind is not None else ():
        value = record.inputs.get(name)
        if key is not None:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            yield (name if key is None else f"{name}.{key}"), value, what


def _hits(slot: str, value: Any, allowed: Iterable[str]) -> list[Hit]:
    if isinstance(value, Mapping):
        headers: list[Hit] = []
        if slot.endswith("headers"):
            # These carry a credential whatever their value, and no allow-list releases them
            # (the components refuse them in a schedule's headers). First: they name the field.
            headers = [
                Hit(f"$.{name}", "credential header")
                for name in value
                if credential_header(str(name))
            ]
        return headers + scan_document(value, allowed)
    if not isinstance(value, str):
        return []  # unknown until deployed (a preview), or no document at all
    document = _document_of(value)
    if isinstance(document, Hit):
        return [document]
    if isinstance(document, Mapping | list):
        return scan_document(document, allowed)
    return scan_text(value)  # no JSON document: read as text, as the structured scanners do


def _document_of(text: str) -> Any:
    """The JSON ``text`` holds; None when it holds none (or is too long to be parsed); a hit
    when it is nested too deeply to be parsed at all (not judged, so refused)."""
    if len(text) > MAX_DOCUMENT_LENGTH:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
    except RecursionError:
        return Hit("", f"document nested deeper than {MAX_DEPTH} levels, not judged")


def _command_hits(words: list[object]) -> list[Hit]:
    """A command line judged as the container's argument check judges it; a word that is no
    string (a raw program's number) as its text, at its own index."""
    texts = ["" if word is None else str(word) for word in words]
    return [Hit(place, kind) for place, kind in command_line_kinds(texts).items()]


def _probe_paths(inputs: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Each probe path of a container's ``inputs``: (slot, where inside it, path)."""
    for name in _PROBES:
        probe = inputs.get(name)
        http = probe.get("http") if isinstance(probe, Mapping) else None
        path = http.get("path") if isinstance(http, Mapping) else None
        if isinstance(path, str):
            yield f"{name}.http", ".path", path
    checks = inputs.get("healthChecks")
    for i, check in enumerate(checks if isinstance(checks, list) else []):
        https = check.get("https") if isinstance(check, Mapping) else None
        for j, http in enumerate(https if isinstance(https, list) else []):
            path = http.get("path") if isinstance(http, Mapping) else None
            if isinstance(path, str):
                yield "healthChecks", f"[{i}].https[{j}].path", path


def _probe_hits(inputs: Mapping[str, Any]) -> Iterator[SettingHit]:
    """Credentials in probe paths, judged as the components' ``Probe`` judges ``http_path``."""
    paths = list(_probe_paths(inputs))
    found = secret_values({str(i): path for i, (_, _, path) in enumerate(paths)})
    for i, (slot, where, _) in enumerate(paths):
        if str(i) in found:
            fix = "a probe sends no secret: probe a path that needs no credential"
            yield SettingHit(slot, where, found[str(i)], _PROBE, fix)


def setting_hits(record: ResourceRecord, allowed: Iterable[str] = ()) -> list[SettingHit]:
    """Every credential in ``record``'s clear-text settings beyond its environment variables;
    ``allowed`` (the service's ``allowed_plain_names``) releases document keys that only look
    like a credential's."""
    allowed = tuple(allowed)
    found: dict[tuple[str, str], SettingHit] = {}
    if kind_of(record.type) is Kind.CONTAINER:
        for slot in _COMMAND_LINES:
            words = record.inputs.get(slot)
            if isinstance(words, list):
                for hit in _command_hits(words):
                    found_hit = SettingHit(slot, hit.where, hit.kind, _COMMAND_LINE)
                    found.setdefault((slot, hit.where), found_hit)
        for probe_hit in _probe_hits(record.inputs):
            found.setdefault((probe_hit.slot, probe_hit.where), probe_hit)
    for slot, value, what in _documents(record):
        for hit in _hits(slot, value, allowed):
            # One per field: a URL with credentials is also a password inside that URL.
            field = hit.where.split(" ", 1)[0] if hit.where.startswith("$") else ""
            found.setdefault((slot, field), SettingHit(slot, field, hit.kind, what))
    return list(found.values())


def redacted_settings(inputs: Mapping[str, Any], slots: Iterable[str]) -> dict[str, Any]:
    """``inputs`` with each of ``slots`` (``args``, ``cron.body``...) shown as ``[secret]``: a
    setting a rule flagged is not printed, whichever of its parts it was."""
    inputs = dict(inputs)
    for slot in set(slots):
        name, _, key = slot.partition(".")
        if not key:
            inputs[name] = SECRET_PLACEHOLDER
        elif isinstance(inputs.get(name), Mapping):
            inputs[name] = {**inputs[name], key: SECRET_PLACEHOLDER}
    return inputs
