"""Sample values of each request attribute for the meaning analysis (:mod:`.meaning`).

Samples are real values a request can carry: only public source addresses (Scaleway only
reports those), user agents without CR, LF or NUL, instants from now to :data:`HORIZON`. Each
sampler says whether its samples are *complete*: whether every combination of the atoms'
values that a request can produce appears among them.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Final

from .atoms import _atom_program, _descend, _Evaluator, _now, _plain_evaluator, _term, _zone
from .checker import accessor_constraint, re2_compiled
from .request import USER_AGENT_MAX_LENGTH

#: Sample values per variable at most.
MAX_SAMPLES: Final = 4_000
#: Instants sampled at most for the time variable.
MAX_INSTANTS: Final = 40_000
#: How far ahead requests are considered. Keys live at most a year (KEY_LIFETIME_MAX_DAYS) and
#: are rotated; a condition whose time test only changes more than ten years from now (an
#: "expiry" in 9999) changes nothing for any key issued today or in the next nine rotations.
HORIZON: Final = timedelta(days=3653)

# IPv4 addresses Scaleway never reports as a caller (besides the private ones listed by
# validation). For IPv6 only the global unicast space 2000::/3 is a possible source
# (IANA IPv6 address space registry: https://www.iana.org/assignments/ipv6-address-space/).
_NEVER_SEEN: Final = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/3",
        "4000::/2",
        "8000::/1",
    )
)
_GENERIC_ADDRESSES: Final = (
    "1.1.1.1",
    "8.8.8.8",
    "51.15.0.1",
    "192.0.2.1",
    "198.51.100.77",
    "203.0.113.7",
    "2001:4860:4860::8888",
    "2a01:4f8::1",
    "2001:db8::1",
    "2606:4700::1111",
)
# A header value never holds CR, LF or NUL (RFC 9110, section 5.5), so no sample does: with
# one, `matches("^.*$")` would look restrictive although it matches every real user agent.
_GENERIC_USER_AGENTS: Final = (
    "",
    "a",
    "b",
    "\t",
    "\u03a9",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
    "0.0.0.0/0",
    "::/0",
    "x" * USER_AGENT_MAX_LENGTH,
)
_MAX_PERMUTED: Final = 5  # 120 orders at most
_MAX_PAIRED: Final = 12
_STRING_METHODS: Final = frozenset({"contains", "startsWith", "endsWith", "matches"})
#: Accessors that read the calendar date (a cycle of years, not of a week).
_DATE_FIELDS: Final = frozenset({"getDate", "getDayOfMonth", "getMonth", "getDayOfYear"})
#: Accessors that do not depend on the zone (offsets are whole minutes) nor on the others.
_SUB_MINUTE: Final = frozenset({"getSeconds", "getMilliseconds"})
#: Accessors that change only when a local day begins (at midnight, or at an offset change).
_DAY_FIELDS: Final = _DATE_FIELDS | {"getDayOfWeek", "getFullYear"}


def _seen_by_scaleway(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not any(address.version == n.version and address in n for n in _NEVER_SEEN)


def _address_samples(strings: Sequence[str], family: int) -> list[str]:
    """Every range boundary of the condition's networks and of the unseen ones: between two
    consecutive boundaries every ``inIpRange`` atom has one value, so one address each is
    complete for such atoms. Generic and nearby addresses help the other atoms."""
    size = 32 if family == 4 else 128
    boundaries = {0}
    networks = [n for n in _NEVER_SEEN if n.version == family]
    for text in strings:
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            continue
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [
        ipaddress.ip_address(text) for text in _GENERIC_ADDRESSES
    ]
    for network in networks:
        if network.version != family:
            continue
        first = int(network.network_address)
        last = int(network.broadcast_address)
        boundaries |= {first, last + 1}
        middle = first + network.num_addresses // 2
        for value in (first - 1, first, middle, last, last + 1):
            if 0 <= value < 2**size:
                candidates.append(_address(value, family))
    candidates += [_address(value, family) for value in boundaries if value < 2**size]
    unique = dict.fromkeys(candidates)
    return [str(a) for a in unique if a.version == family and _seen_by_scaleway(a)]


def _address(value: int, family: int) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.IPv4Address(value) if family == 4 else ipaddress.IPv6Address(value)


def _regex_samples(pattern: str) -> list[str]:
    """A few strings the RE2 ``pattern`` matches, built from its parse tree (Python's parser
    reads the RE2 subset validation accepts; a string is kept only if RE2 agrees)."""
    import re._parser as sre_parse  # type: ignore[import-not-found]  # no stubs, Python 3.11+

    try:
        parsed = sre_parse.parse(pattern)
    except Exception:
        return []
    compiled = re2_compiled(pattern)
    if compiled is None:
        return []
    found: list[str] = []
    for variant in range(3):
        try:
            text = _generate(parsed, variant, 0)
        except (RecursionError, ValueError, TypeError):
            continue
        if len(text) <= USER_AGENT_MAX_LENGTH and compiled.search(text) is not None:
            found.append(text)
    return found


def _generate(parsed: Any, variant: int, depth: int) -> str:
    if depth > 20:
        raise ValueError("too deep")
    out = []
    for op, argument in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(argument))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_in_char(argument, variant))
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, sub = argument
            count = low if variant == 0 else min(max(low, 1 + variant), high, low + 3)
            out.append("".join(_generate(sub, variant, depth + 1) for _ in range(count)))
        elif name == "SUBPATTERN":
            out.append(_generate(argument[-1], variant, depth + 1))
        elif name == "BRANCH":
            branches = argument[1]
            out.append(_generate(branches[variant % len(branches)], variant, depth + 1))
        elif name in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue  # anchors: the text starts and ends where the search looks
        else:
            raise ValueError(name)
    return "".join(out)


def _in_char(items: Any, variant: int) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    chosen: list[str] = []
    for op, argument in items:
        name = str(op)
        if name == "LITERAL":
            chosen.append(chr(argument))
        elif name == "RANGE":
            chosen.append(chr(argument[0]))
        elif name == "CATEGORY":
            category = str(argument)
            chosen.append({"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " "}.get(category, "a"))
    if negate:
        for candidate in "aZ0 ~-_.":
            if candidate not in chosen:
                return candidate
        raise ValueError("negated class")
    if not chosen:
        raise ValueError("empty class")
    return chosen[variant % len(chosen)]


def _user_agent_samples(strings: Sequence[str], integers: Sequence[int]) -> list[str]:
    samples = list(_GENERIC_USER_AGENTS)
    for text in strings:
        samples += [text, f"a{text}", f"{text}z", f"a{text}z", text[1:], text[:-1]]
        samples += [text.upper(), text.lower()]
        samples += _regex_samples(text)
    # Several predicates on one header (contains("a") && endsWith("b")) hold together only on
    # a string made of their literals: every order of them all, and every pair.
    texts = list(dict.fromkeys(strings))
    if 1 < len(texts) <= _MAX_PERMUTED:
        samples += ["".join(order) for order in itertools.permutations(texts)]
    elif texts:
        samples += ["".join(texts), "".join(reversed(texts))]
    samples += [a + b for a, b in itertools.permutations(texts[:_MAX_PAIRED], 2)]
    if len(texts) <= _MAX_PERMUTED:
        samples += _text_vector_samples(texts)
    lengths = sorted({n for n in integers if 0 <= n <= USER_AGENT_MAX_LENGTH + 1})
    # A header of each length that equals no literal (equalities with length tests).
    sep = _separator(texts)
    for number in lengths:
        sizes = [max(number + delta, 0) for delta in (-1, 0, 1)]
        samples += ["a" * size for size in sizes] + ["b" * size for size in sizes]
        samples += [sep * size for size in sizes] if sep is not None else []
        # ... and with a length test (size(ua) > 10 && contains("x")): pad the literals.
        for text in [*texts[:_MAX_PAIRED], "".join(texts)]:
            samples += [text + "a" * max(size - len(text), 0) for size in sizes]
    # Scaleway truncates the header before the condition sees it.
    return list(
        dict.fromkeys(
            sample[:USER_AGENT_MAX_LENGTH]
            for sample in samples
            if not any(c in sample for c in "\r\n\0")
        )
    )


#: Separators for the text-test samples, the first one that no literal holds is used.
_SEPARATORS: Final = (" ", "~", "#", "|", "\t", "\u00b7", "\u2063")


def _separator(texts: Sequence[str]) -> str | None:
    return next((c for c in _SEPARATORS if not any(c in text for text in texts)), None)


def _text_vector_samples(texts: Sequence[str]) -> list[str]:
    """For text tests (``contains``, ``startsWith``, ``endsWith``, ``==``, ``in``) of the
    literals ``texts``: ``first + sep + middle... + sep + last`` for every first and last
    literal (or none) and every set of literals in between, joined by a separator that no
    literal holds. Any header's vector is among them: take as first the longest literal it
    starts with, as last the longest it ends with, in between every literal it contains; the
    separator creates no other occurrence and never equals a literal."""
    sep = _separator(texts)
    if sep is None:
        return []
    ends = ["", *texts]
    found = []
    for size in range(len(texts) + 1):
        for middle in itertools.combinations(texts, size):
            inner = sep.join(middle)
            for first in ends:
                for last in ends:
                    found.append(f"{first}{sep}{inner}{sep}{last}")
    return found


def text_samples_complete(strings: Sequence[str], *, lengths: bool = False) -> bool:
    """Whether the samples cover every vector of the literals ``strings``. With ``lengths``,
    of equalities and length tests: a header either equals a literal (sampled) or equals
    none, and then a separator repeated to each length boundary and its neighbours gives its
    length tests. Otherwise, of text tests and equalities (:func:`_text_vector_samples`):
    few enough literals and every sample within the header's length."""
    texts = list(dict.fromkeys(strings))
    if _separator(texts) is None:
        return False
    if lengths:
        return True
    if len(texts) > _MAX_PERMUTED:
        return False
    return 2 * sum(len(t) for t in texts) + len(texts) + 2 <= USER_AGENT_MAX_LENGTH


def _with_budget(samples: list[Any], limit: int) -> tuple[list[Any], bool]:
    """At most ``limit`` samples, spread over the list; and whether none was dropped."""
    if len(samples) <= limit:
        return samples, True
    step = len(samples) / limit
    return [samples[int(i * step)] for i in range(limit)], False


# --- the time variable ----------------------------------------------------------------------


@dataclass
class _TimeAtoms:
    """The time atoms, sorted by how they can be sampled."""

    constraints: dict[int, tuple[str, str | None, frozenset[int]]] = field(default_factory=dict)
    plain: dict[int, _Evaluator] = field(default_factory=dict)
    engine: dict[int, Any] = field(default_factory=dict)
    breakpoints: list[datetime] = field(default_factory=list)
    zones: set[str | None] = field(default_factory=set)


def _sort_time_atoms(indices: Sequence[int], atoms: Sequence[Any]) -> _TimeAtoms:
    sorted_atoms = _TimeAtoms()
    for index in indices:
        found = accessor_constraint(atoms[index])
        if found is not None and _zone(found[0].zone) is not None:
            accessor, allowed, _domain = found
            sorted_atoms.constraints[index] = (accessor.method, accessor.zone, allowed)
            sorted_atoms.zones.add(accessor.zone)
            continue
        plain = _plain_evaluator(atoms[index])
        if plain is not None:
            sorted_atoms.plain[index] = plain
            node = _descend(atoms[index])
            sides = [node.children[0].children[0], node.children[1]]
            for term in (_term(side) for side in sides):
                if term and term[0] == "instant":
                    sorted_atoms.breakpoints.append(term[1])
                if term and term[0] == "field":
                    sorted_atoms.zones.add(term[2])
                    sorted_atoms.breakpoints += _year_starts(term[2])
            continue
        sorted_atoms.engine[index] = _atom_program(atoms[index])
    return sorted_atoms


def _year_starts(zone: str | None) -> list[datetime]:
    tz = _zone(zone)
    assert tz is not None
    now = _now()
    starts = []
    for year in range(now.year, min(now.year + HORIZON.days // 365 + 2, 9999) + 1):
        starts.append(datetime(year, 1, 1, tzinfo=tz).astimezone(UTC))
    return starts


def _offsets(zones: Sequence[str | None], moment: datetime) -> tuple[int, ...]:
    result = []
    for zone in zones:
        tz = _zone(zone)
        assert tz is not None
        offset = moment.astimezone(tz).utcoffset()
        result.append(int(offset.total_seconds() // 60) if offset is not None else 0)
    return tuple(result)


@lru_cache(maxsize=64)
def _regimes(
    zones: tuple[str | None, ...], start: datetime, hours: int
) -> tuple[tuple[int, ...], frozenset[tuple[int, ...]]]:
    """The hours (from ``start``) where some zone changes its offset, and the offsets seen.
    Stepped by day, then by hour inside a day that changes; cached, as the plan and the
    access matrix judge many conditions over the same zones within one hour."""
    starts = [0]
    previous = _offsets(zones, start)
    seen = {previous}
    for day in range(1, hours // 24 + 1):
        current = _offsets(zones, start + timedelta(days=day))
        if current == previous:
            continue
        before = previous
        for hour in range((day - 1) * 24 + 1, day * 24 + 1):
            now_offsets = _offsets(zones, start + timedelta(hours=hour))
            if now_offsets != before:
                starts.append(hour)
                seen.add(now_offsets)
                before = now_offsets
        previous = current
    return tuple(starts), frozenset(seen)


def _day_starts(zones: tuple[str | None, ...], start: datetime, hours: int) -> list[datetime]:
    """Every instant within ``hours`` of ``start`` at which some zone's local date changes:
    each day at the UTC time of a local midnight for every offset the zones take in that span,
    and around every offset change (a transition happens at a whole local hour, so at one of
    the offsets' minute phases). Between two consecutive instants every date field of every
    zone is constant, so these samples give every combination the hourly grid gives, in about
    a twentieth of the instants."""
    changes: tuple[int, ...]
    if all(isinstance(_zone(z), timezone) for z in zones):
        changes, offsets_seen = (0,), frozenset({_offsets(zones, start)})
    else:
        changes, offsets_seen = _regimes(zones, start, hours)
    offsets = {offset for seen in offsets_seen for offset in seen}
    midnights = sorted({(-offset) % 1440 for offset in offsets})
    phases = sorted({0} | {(-offset) % 60 for offset in offsets})
    day = start.replace(hour=0)
    instants = [
        day + timedelta(days=d, minutes=m) for d in range(hours // 24 + 2) for m in midnights
    ]
    for change in changes:
        for hour in (change - 1, change):
            instants += [start + timedelta(hours=hour, minutes=p) for p in phases]
    limit = start + timedelta(hours=hours)
    return [m for m in instants if start <= m <= limit]


def _time_grid(
    atoms: _TimeAtoms, joint_minutes: bool, now: datetime, end: datetime
) -> tuple[list[datetime], bool]:
    """Instants from ``now`` to ``end`` at which the time atoms take every combination of
    values they can take (when the flag is true): every zone-offset regime of the coming year
    (a regime is a stretch where no zone changes its offset), each for eight days (every day
    of the week in every zone), at every minute where some zone's local hour changes (every
    minute when minutes are read), or every day of four years when a date is read."""
    zones = sorted(atoms.zones, key=str)
    methods = {method for method, _, _ in atoms.constraints.values()}
    complete = not atoms.engine
    instants: list[datetime] = [now, now + timedelta(seconds=1), end]
    second = timedelta(seconds=1)
    # Only a breakpoint inside the horizon cuts it (and its neighbours exist: no overflow).
    breakpoints = [m for m in atoms.breakpoints if now - second <= m <= end]
    for moment in breakpoints:
        instants += [moment - second, moment, moment + second]
    instants = [m for m in instants if now <= m <= end]
    if not atoms.constraints:
        return sorted(set(instants)), complete
    start = now.replace(minute=0, second=0, microsecond=0)
    hours = int((min(end, start + timedelta(days=366)) - start).total_seconds() // 3600)
    fixed = all(isinstance(_zone(z), timezone) for z in zones)
    regime_starts, offsets_seen = (
        ((0,), frozenset({_offsets(zones, start)}))
        if fixed
        else _regimes(tuple(zones), start, hours)
    )
    grid: list[datetime] = []
    if methods & _DATE_FIELDS:
        days = 4 * 366
        span = min(days * 24, int((end - start).total_seconds() // 3600))
        if methods <= _DAY_FIELDS and not atoms.engine:
            # Only the local day is read: it changes at a zone's midnight or offset change.
            grid = _day_starts(tuple(zones), start, span)
            first_hours = []
        else:
            first_hours = list(range(span))
        # A date and a weekday together repeat over 28 years, not 4.
        complete = complete and "getDayOfWeek" not in methods
    else:
        first_hours = sorted(
            {h for s in regime_starts for h in range(s, min(s + 8 * 24 + 1, max(hours, 1)))}
        )
    # The breakpoints of the raw timestamp cut the timeline: sample a week after each.
    for moment in breakpoints:
        if now <= moment <= end:
            base = int((moment - start).total_seconds() // 3600)
            first_hours += range(base, base + 8 * 24 + 1)
    if breakpoints and (not fixed or methods & _DATE_FIELDS):
        complete = False  # the regimes after a far breakpoint are not scanned
    if joint_minutes:
        phases = list(range(60))
    else:
        phases = sorted({0} | {(-offset) % 60 for offsets in offsets_seen for offset in offsets})
    hourly = _hour_phase_grid(start, sorted(set(first_hours)), phases)
    thinned = len(hourly) < len(set(first_hours)) * len(phases)
    grid += hourly
    instants += [m for m in grid if now <= m <= end]
    unique = sorted(set(instants))
    kept, whole = _with_budget(unique, MAX_INSTANTS)
    return kept, complete and whole and not thinned and not (methods & _SUB_MINUTE)


def _hour_phase_grid(
    start: datetime, hours: Sequence[int], phases: Sequence[int]
) -> list[datetime]:
    """Every ``start + hour + phase`` minutes; past the budget, an even spread of
    :data:`MAX_INSTANTS` of them, chosen without building the rest (four years of hours at 60
    minute phases are two million instants: seconds and hundreds of MB for nothing, since the
    budget would cut them anyway)."""
    total = len(hours) * len(phases)
    if total <= MAX_INSTANTS:
        return [start + timedelta(hours=h, minutes=p) for h in hours for p in phases]
    step = total / MAX_INSTANTS
    picked = (int(k * step) for k in range(MAX_INSTANTS))
    return [
        start + timedelta(hours=hours[i // len(phases)], minutes=phases[i % len(phases)])
        for i in picked
    ]


def _zone_whole_hours(zone: str | None) -> bool:
    """Whether the zone is a whole number of hours from UTC all year (so minutes are UTC's)."""
    tz = _zone(zone)
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        return offset is not None and int(offset.total_seconds()) % 3600 == 0
    now = _now()
    return all(
        not (o % 60) for o in _offsets([zone], now) + _offsets([zone], now + timedelta(days=182))
    )
