"""Two key slots per service, so that rotating a key never breaks a caller.

Generation ``g`` lives in slot ``"a"`` when ``g`` is even and ``"b"`` when it is odd. A service at
generation ``g`` keeps the keys of generations ``g`` (active) and ``g - 1`` (still valid, for
callers not yet updated). Raising ``g`` replaces the key in the idle slot, which is the one
two generations old: the new key appears and the oldest one is retired in the same step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

Slot = Literal["a", "b"]


@dataclass(frozen=True)
class KeySlot:
    """One live key: the slot it occupies and the generation it holds."""

    slot: Slot
    generation: int
    active: bool


def slot_of(generation: int) -> Slot:
    """The slot a generation lives in."""
    return "a" if generation % 2 == 0 else "b"


def live_slots(generation: int) -> list[KeySlot]:
    """The keys that exist at ``generation``: the active one first, then the previous one."""
    if generation < 0:
        raise ValueError("key generation must be >= 0")
    slots = [KeySlot(slot_of(generation), generation, active=True)]
    if generation > 0:
        slots.append(KeySlot(slot_of(generation - 1), generation - 1, active=False))
    return slots


def expiry_timestamp(lifetime_days: int, today: date | None = None) -> str:
    """RFC 3339 expiry ``lifetime_days`` after today (UTC midnight), as Scaleway expects."""
    start = today or datetime.now(UTC).date()
    expires = datetime.combine(start + timedelta(days=lifetime_days), time(0, 0), tzinfo=UTC)
    return expires.strftime("%Y-%m-%dT%H:%M:%SZ")
