"""Typed, immutable building blocks that render Scaleway's documented CEL conditions.

>>> print(weekdays() & hours_between(9, 18, tz="Europe/Paris"))  # doctest: +NORMALIZE_WHITESPACE
request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6 &&
request.time.getHours("Europe/Paris") >= 9 && request.time.getHours("Europe/Paris") < 18

Every block validates its arguments when it is built (strict CIDR networks, IANA time zones,
hour and day ranges), renders with ``to_cel()`` (and ``str()``), combines with ``&``, ``|``
and ``~`` (or :func:`all_of`, :func:`any_of`, :func:`not_`) using only the parentheses CEL's
precedence requires, and answers ``matches(request)`` in plain Python: that predicate is an
independent reference the tests compare with the CEL simulator.
"""

from __future__ import annotations

import ipaddress
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import TypeAlias
from zoneinfo import ZoneInfo

from ..errors import hide_on_user_error
from .checker import known_time_zones, mapped_range_problem
from .errors import ConditionError
from .request import USER_AGENT_MAX_LENGTH, AccessRequest
from .simulator import evaluate_condition
from .validation import validate_condition

__tracebackhide__ = hide_on_user_error

IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The zone Scaleway uses when a timestamp accessor gets no time zone argument.
DEFAULT_ZONE = "UTC"


class Precedence(IntEnum):
    """CEL binding strength of a rendered condition; lower binds looser."""

    OR = 1
    AND = 2
    RELATION = 3
    UNARY = 4
    PRIMARY = 5


class Day(IntEnum):
    """Days as ``request.time.getDayOfWeek()`` numbers them: 0 is Sunday."""

    SUNDAY = 0
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6


WEEKDAYS = frozenset({Day.MONDAY, Day.TUESDAY, Day.WEDNESDAY, Day.THURSDAY, Day.FRIDAY})


class Condition(ABC):
    """A CEL access condition built from typed parts."""

    @property
    @abstractmethod
    def precedence(self) -> Precedence:
        """How tightly the rendered CEL binds, to parenthesise it only where needed."""

    @abstractmethod
    def to_cel(self) -> str:
        """The CEL expression, as Scaleway IAM evaluates it."""

    @abstractmethod
    def matches(self, request: AccessRequest) -> bool:
        """Whether ``request`` satisfies the condition, computed directly in Python."""

    def operand(self, context: Precedence) -> str:
        """This condition rendered inside an operator of precedence ``context``."""
        cel = self.to_cel()
        return f"({cel})" if self.precedence < context else cel

    def __str__(self) -> str:
        return self.to_cel()

    def __and__(self, other: Condition) -> Condition:
        return all_of(self, other)

    def __or__(self, other: Condition) -> Condition:
        return any_of(self, other)

    def __invert__(self) -> Condition:
        return not_(self)


#: What the library accepts wherever a condition is expected: a builder object or raw CEL.
ConditionLike: TypeAlias = Condition | str


def as_cel(condition: ConditionLike) -> str:
    """The CEL text of a builder object or of a raw string (returned unchanged)."""
    return condition if isinstance(condition, str) else condition.to_cel()


# --- leaves -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IpInRange(Condition):
    """``request.ip`` is in one of ``networks`` (rendered as ``inIpRange`` calls joined by ||)."""

    networks: tuple[IPNetwork, ...]

    def __post_init__(self) -> None:
        if not self.networks:
            raise ConditionError("ip_in() needs at least one CIDR network")
        for network in self.networks:
            problem = mapped_range_problem(network)
            if problem is not None:
                raise ConditionError(f"ip_in(): {network} {problem}")

    @property
    def precedence(self) -> Precedence:
        return Precedence.PRIMARY if len(self.networks) == 1 else Precedence.OR

    def to_cel(self) -> str:
        return " || ".join(f'inIpRange(request.ip, "{network}")' for network in self.networks)

    def matches(self, request: AccessRequest) -> bool:
        # ipaddress answers False (not an error) for an IPv4 address in an IPv6 network.
        return any(request.ip in network for network in self.networks)


@dataclass(frozen=True, slots=True)
class UserAgentContains(Condition):
    """``request.user_agent`` contains ``text``."""

    text: str

    @property
    def precedence(self) -> Precedence:
        return Precedence.PRIMARY

    def __post_init__(self) -> None:
        if not self.text:
            raise ConditionError("user_agent_contains() needs a non-empty string")
        if len(self.text) > USER_AGENT_MAX_LENGTH:
            raise ConditionError(
                f"Scaleway truncates request.user_agent at {USER_AGENT_MAX_LENGTH} characters, "
                f"so a {len(self.text)}-character string would never match"
            )

    def to_cel(self) -> str:
        return f"request.user_agent.contains({cel_string(self.text)})"

    def matches(self, request: AccessRequest) -> bool:
        return self.text in request.effective_user_agent


@dataclass(frozen=True, slots=True)
class DaysOfWeek(Condition):
    """The request happens on one of ``days`` in time zone ``zone``."""

    days: frozenset[Day]
    zone: str = DEFAULT_ZONE

    def __post_init__(self) -> None:
        _check_zone(self.zone)
        if not self.days:
            raise ConditionError("on_days() needs at least one day")
        if len(self.days) == len(Day):
            raise ConditionError("every day of the week matches: omit the day condition")

    @property
    def precedence(self) -> Precedence:
        return Precedence.AND if len(self._excluded()) == 2 else Precedence.RELATION

    def _excluded(self) -> list[Day]:
        return sorted(set(Day) - self.days)

    def to_cel(self) -> str:
        accessor = f"request.time.getDayOfWeek({_zone_argument(self.zone)})"
        days = sorted(self.days)
        excluded = self._excluded()
        if len(days) == 1:
            return f"{accessor} == {days[0].value}"
        # Excluding one or two days reads better, and it is how Scaleway documents weekdays.
        if len(excluded) <= 2:
            return " && ".join(f"{accessor} != {day.value}" for day in excluded)
        return f"{accessor} in [{', '.join(str(day.value) for day in days)}]"

    def matches(self, request: AccessRequest) -> bool:
        # isoweekday() is 1 (Monday) to 7 (Sunday); CEL's getDayOfWeek() is 0 (Sunday) to 6.
        return _local(request.time, self.zone).isoweekday() % 7 in self.days


@dataclass(frozen=True, slots=True)
class HoursBetween(Condition):
    """The local hour in ``zone`` is in ``[start, end)``; a window past midnight wraps."""

    start: int
    end: int
    zone: str = DEFAULT_ZONE

    def __post_init__(self) -> None:
        _check_zone(self.zone)
        for name, value, valid in (
            ("start", self.start, range(24)),
            ("end", self.end, range(1, 25)),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value not in valid:
                raise ConditionError(
                    f"hours_between() {name} must be an hour from {valid.start} to "
                    f"{valid.stop - 1}, got {value!r}"
                )
        if self.start == self.end % 24:
            raise ConditionError(
                f"hours_between({self.start}, {self.end}) covers no hour or every hour; "
                "start and end must differ"
            )

    @property
    def precedence(self) -> Precedence:
        if self.start == 0 or self.end == 24:
            return Precedence.RELATION
        return Precedence.AND if self.start < self.end else Precedence.OR

    def to_cel(self) -> str:
        hours = f"request.time.getHours({_zone_argument(self.zone)})"
        if self.start == 0:
            return f"{hours} < {self.end}"
        if self.end == 24:
            return f"{hours} >= {self.start}"
        joiner = " && " if self.start < self.end else " || "  # "||" for 22 -> 6
        return f"{hours} >= {self.start}{joiner}{hours} < {self.end}"

    def matches(self, request: AccessRequest) -> bool:
        hour = _local(request.time, self.zone).hour
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


@dataclass(frozen=True, slots=True)
class Cel(Condition):
    """A raw CEL expression, validated, to combine with builder objects.

    Its ``matches`` uses the CEL simulator (there is no independent Python form).
    """

    expression: str

    @property
    def precedence(self) -> Precedence:  # unknown: always parenthesised
        return Precedence.OR

    def __post_init__(self) -> None:
        validate_condition(self.expression, whole=False)  # the combination is judged whole

    def to_cel(self) -> str:
        return self.expression.strip()

    def matches(self, request: AccessRequest) -> bool:
        return evaluate_condition(self.expression, request)


# --- combinators ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllOf(Condition):
    """Every part holds (``&&``)."""

    parts: tuple[Condition, ...]

    @property
    def precedence(self) -> Precedence:
        return Precedence.AND

    def to_cel(self) -> str:
        # && is associative: nested conjunctions need no parentheses, disjunctions do.
        return " && ".join(part.operand(Precedence.AND) for part in self.parts)

    def matches(self, request: AccessRequest) -> bool:
        return all(part.matches(request) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf(Condition):
    """At least one part holds (``||``)."""

    parts: tuple[Condition, ...]

    @property
    def precedence(self) -> Precedence:
        return Precedence.OR

    def to_cel(self) -> str:
        return " || ".join(part.operand(Precedence.OR) for part in self.parts)

    def matches(self, request: AccessRequest) -> bool:
        return any(part.matches(request) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """The part does not hold (``!``)."""

    part: Condition

    @property
    def precedence(self) -> Precedence:
        return Precedence.UNARY

    def to_cel(self) -> str:
        return f"!{self.part.operand(Precedence.UNARY)}"

    def matches(self, request: AccessRequest) -> bool:
        return not self.part.matches(request)


# --- public constructors ----------------------------------------------------------------------


def ip_in(*networks: str | IPNetwork) -> IpInRange:
    """Allow source addresses in any of ``networks`` (CIDR strings or ``ipaddress`` networks).

    Networks must be exact (``198.51.100.0/24``, not ``198.51.100.7/24``); IPv4 and IPv6 mix.
    """
    parsed: list[IPNetwork] = []
    for network in networks:
        if isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network):
            parsed.append(network)
            continue
        try:
            parsed.append(ipaddress.ip_network(network, strict=True))
        except (ValueError, TypeError) as exc:
            raise ConditionError(f"ip_in(): {network!r} is not a CIDR network ({exc})") from None
    return IpInRange(tuple(dict.fromkeys(parsed)))


def user_agent_contains(text: str) -> UserAgentContains:
    """Allow requests whose User-Agent header contains ``text`` (case-sensitive)."""
    return UserAgentContains(text)


def on_days(*days: int | Day, tz: str = DEFAULT_ZONE) -> DaysOfWeek:
    """Allow requests made on ``days`` (0 = Sunday ... 6 = Saturday, or :class:`Day`) in ``tz``."""
    checked: set[Day] = set()
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or day not in range(7):
            raise ConditionError(f"on_days(): {day!r} is not a day from 0 (Sunday) to 6 (Saturday)")
        checked.add(Day(day))
    return DaysOfWeek(frozenset(checked), tz)


def weekdays(tz: str = DEFAULT_ZONE) -> DaysOfWeek:
    """Monday to Friday; renders ``request.time.getDayOfWeek() != 0 && ... != 6``."""
    return DaysOfWeek(WEEKDAYS, tz)


def hours_between(start: int, end: int, tz: str = DEFAULT_ZONE) -> HoursBetween:
    """From ``start`` o'clock (included) to ``end`` o'clock (excluded), local time in ``tz``.

    ``hours_between(9, 18, tz="Europe/Paris")`` is 09:00 to 17:59 in Paris, summer and winter.
    ``end`` may be 24; a window with ``start > end`` wraps past midnight (``22, 6``).
    """
    return HoursBetween(start, end, tz)


def all_of(*conditions: Condition) -> Condition:
    """Every condition holds. Nested conjunctions are flattened."""
    parts = _flatten(conditions, AllOf, "all_of")
    return parts[0] if len(parts) == 1 else AllOf(parts)


def any_of(*conditions: Condition) -> Condition:
    """At least one condition holds. Nested disjunctions are flattened."""
    parts = _flatten(conditions, AnyOf, "any_of")
    return parts[0] if len(parts) == 1 else AnyOf(parts)


def not_(condition: Condition) -> Condition:
    """The condition does not hold (double negations cancel out)."""
    _check_condition(condition, "not_")
    return condition.part if isinstance(condition, Not) else Not(condition)


# --- helpers ------------------------------------------------------------------------------


def cel_string(text: str) -> str:
    """``text`` as a double-quoted CEL string literal."""
    escaped: list[str] = []
    for char in text:
        if char in {'"', "\\"}:
            escaped.append("\\" + char)
        elif char == "\n":
            escaped.append("\\n")
        elif char == "\t":
            escaped.append("\\t")
        elif char == "\r":
            escaped.append("\\r")
        elif not char.isprintable():
            # \u and \U escapes are standard CEL and keep the literal on one line.
            code = ord(char)
            escaped.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _flatten(
    conditions: Iterable[Condition], kind: type[AllOf] | type[AnyOf], name: str
) -> tuple[Condition, ...]:
    parts: list[Condition] = []
    for condition in conditions:
        _check_condition(condition, name)
        parts.extend(condition.parts if isinstance(condition, kind) else (condition,))
    if not parts:
        raise ConditionError(f"{name}() needs at least one condition")
    return tuple(parts)


def _check_condition(condition: object, name: str) -> None:
    if not isinstance(condition, Condition):
        raise ConditionError(
            f"{name}() combines builder conditions, not {type(condition).__name__}; "
            "wrap raw CEL in Cel(...)"
        )


def _check_zone(zone: str) -> None:
    if zone not in known_time_zones():
        raise ConditionError(f'unknown time zone "{zone}": use an IANA name such as "Europe/Paris"')


def _zone_argument(zone: str) -> str:
    # Scaleway's accessors default to UTC, so the shortest faithful form omits it.
    return "" if zone == DEFAULT_ZONE else cel_string(zone)


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))
