"""Key rotation that never breaks a caller: the active key and the previous one both work.

A service at generation ``g`` keeps two API keys: generation ``g`` (active) and ``g - 1``
(still valid, for callers not yet updated). Raising ``g`` creates the key of the new generation
and retires the one two generations old, in the same ``pulumi up``.

Each generation is a resource of its own (``<service>-key-gen<g>``), not a slot that is
reused. The engine copies an ignored input (``ignore_changes``) from the old state even when it
replaces a resource, so a reused slot would give the new key the expiry of the key it
replaces, made two rotations earlier (pulumi/pulumi ``pkg/resource/deploy/step_generator.go``,
``processIgnoreChanges``). A key of a new name is a create: its expiry counts from its own
creation, and ``ignore_changes`` only keeps later runs from moving it.

Version 0.1 kept keys in two slots, ``key-a`` (even generations) and ``key-b`` (odd ones).
:func:`legacy_slot_name` gives the alias that carries such a key over without replacing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class LiveKey:
    """One key that exists at a generation: the generation it holds and whether it is active."""

    generation: int
    active: bool

    @property
    def role(self) -> str:
        """The child-resource role: ``key-gen<g>``."""
        return f"key-gen{self.generation}"

    @property
    def legacy_role(self) -> str:
        """The role the same key had in version 0.1 (``key-a`` or ``key-b``)."""
        return f"key-{legacy_slot_name(self.generation)}"


def legacy_slot_name(generation: int) -> str:
    """The 0.1 slot of a generation: ``"a"`` when even, ``"b"`` when odd."""
    return "a" if generation % 2 == 0 else "b"


def live_keys(generation: int) -> list[LiveKey]:
    """The keys that exist at ``generation``: the active one first, then the previous one."""
    if generation < 0:
        raise ValueError("key generation must be >= 0")
    keys = [LiveKey(generation, active=True)]
    if generation > 0:
        keys.append(LiveKey(generation - 1, active=False))
    return keys


def expiry_timestamp(lifetime_days: int, today: date | None = None) -> str:
    """RFC 3339 expiry ``lifetime_days`` after today (UTC midnight), as Scaleway expects."""
    start = today or datetime.now(UTC).date()
    expires = datetime.combine(start + timedelta(days=lifetime_days), time(0, 0), tzinfo=UTC)
    return expires.strftime("%Y-%m-%dT%H:%M:%SZ")
