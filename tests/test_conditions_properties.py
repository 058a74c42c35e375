"""Property tests: builder output always validates, and the CEL simulator agrees with the
builder's plain-Python predicate (``Condition.matches``) on random requests.

The two sides are independent: the simulator runs cel-python on the rendered text (time zones
through pendulum, our inIpRange), ``matches`` uses zoneinfo and ipaddress directly.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from private_serverless.conditions import (
    AccessRequest,
    Condition,
    all_of,
    any_of,
    evaluate_condition,
    hours_between,
    ip_in,
    not_,
    on_days,
    user_agent_contains,
    validate_condition,
    weekdays,
)

# Zones with DST, half-hour offsets and a 30-minute DST shift (Lord Howe).
ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Asia/Kolkata",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
    ]
)
# A small pool so that generated requests often fall inside generated networks.
KNOWN_ADDRESSES = ["198.51.100.7", "203.0.113.42", "192.0.2.200", "2001:db8::1", "2001:db8:1::5"]
ADDRESSES = st.one_of(st.sampled_from(KNOWN_ADDRESSES), st.ip_addresses())
UA_ALPHABET = 'aAbB/ ."\\\n\té'
# A header value never holds a line break (RFC 9110): real user agents have none, though a
# condition's literals may (they test the CEL escaping).
REQUEST_UA_ALPHABET = UA_ALPHABET.replace("\n", "")


@st.composite
def networks(draw: st.DrawFn) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    address = ipaddress.ip_address(draw(ADDRESSES))
    prefix = draw(st.integers(0, address.max_prefixlen))
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    # IPv4-mapped ranges are refused (engines disagree on them): tests/test_conditions_builder.
    assume(not (network.version == 6 and network.subnet_of(ipaddress.ip_network("::ffff:0:0/96"))))
    return network


@st.composite
def hour_windows(draw: st.DrawFn) -> Condition:
    start = draw(st.integers(0, 23))
    end = draw(st.integers(1, 24).filter(lambda end: end % 24 != start))
    return hours_between(start, end, tz=draw(ZONES))


@st.composite
def day_sets(draw: st.DrawFn) -> Condition:
    days = draw(st.sets(st.integers(0, 6), min_size=1, max_size=6))
    return on_days(*days, tz=draw(ZONES))


LEAVES = st.one_of(
    st.lists(networks(), min_size=1, max_size=3).map(lambda nets: ip_in(*nets)),
    st.text(UA_ALPHABET, min_size=1, max_size=4).map(user_agent_contains),
    ZONES.map(weekdays),
    day_sets(),
    hour_windows(),
)
CONDITIONS = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda parts: all_of(*parts)),
        st.lists(children, min_size=1, max_size=3).map(lambda parts: any_of(*parts)),
        children.map(not_),
    ),
    max_leaves=6,
)
USER_AGENTS = st.one_of(
    st.text(REQUEST_UA_ALPHABET, max_size=12),
    # Around Scaleway's 255-character truncation.
    st.tuples(st.integers(245, 260), st.text(REQUEST_UA_ALPHABET, min_size=1, max_size=6)).map(
        lambda pair: "x" * pair[0] + pair[1]
    ),
)
TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)
# Minutes around the 2026 Paris and New York DST transitions, where bugs hide.
TRANSITIONS = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
]
NEAR_TRANSITIONS = st.builds(
    lambda base, minutes: base + timedelta(minutes=minutes),
    st.sampled_from(TRANSITIONS),
    st.integers(-26 * 60, 26 * 60),
)
REQUESTS = st.builds(
    AccessRequest,
    ip=ADDRESSES.map(ipaddress.ip_address),
    user_agent=USER_AGENTS,
    time=st.one_of(TIMES, NEAR_TRANSITIONS),
)


# cel-python raises the recursion limit on its first evaluation; do it before hypothesis
# starts so that it does not warn about a limit changed during a test.
evaluate_condition("true", AccessRequest(ip="192.0.2.1", time=datetime(2026, 1, 1, tzinfo=UTC)))


@settings(deadline=None, max_examples=300)
@given(CONDITIONS)
def test_builder_output_always_validates(condition: Condition) -> None:
    # As a fragment: a random combination may well restrict nothing (judged below).
    validate_condition(condition.to_cel(), whole=False)  # raises on any error


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    from private_serverless.conditions.samples import _seen_by_scaleway

    return _seen_by_scaleway(address)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(CONDITIONS, st.lists(REQUESTS, min_size=10, max_size=10))
def test_never_and_always_true_verdicts_are_sound(
    condition: Condition, requests: list[AccessRequest]
) -> None:
    """A condition declared never true matches no public request; one declared always true
    (for an IP family) matches every request of that family."""
    from private_serverless.conditions.meaning import condition_meaning
    from private_serverless.conditions.syntax import parse_cel

    meaning = condition_meaning(parse_cel(condition.to_cel()))
    event(f"can_allow={meaning.can_allow} can_deny={meaning.can_deny}")
    for request in requests:
        if not _public(request.ip):
            continue
        if not meaning.can_allow:
            assert not condition.matches(request)
        family = meaning.open_family or request.ip.version
        if not meaning.can_deny and request.ip.version == family:
            assert condition.matches(request)


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(CONDITIONS, REQUESTS)
def test_simulator_agrees_with_the_builder_predicate(
    condition: Condition, request: AccessRequest
) -> None:
    expected = condition.matches(request)
    event(f"allowed={expected}")  # shows the balance with --hypothesis-show-statistics
    assert evaluate_condition(condition.to_cel(), request) == expected


@settings(deadline=None, max_examples=200)
@given(st.text(min_size=1, max_size=255), TIMES)
def test_any_user_agent_text_round_trips_through_cel(text: str, time: datetime) -> None:
    # Quotes, backslashes, newlines, control and non-ASCII characters are all escaped right.
    request = AccessRequest(ip="192.0.2.1", user_agent=text, time=time)
    assert evaluate_condition(user_agent_contains(text), request)
    other = AccessRequest(ip="192.0.2.1", user_agent=text[:-1], time=time)
    assert not evaluate_condition(user_agent_contains(text), other)


def _atom_of(expression: str) -> object:
    from private_serverless.conditions.meaning import _Builder
    from private_serverless.conditions.syntax import parse_cel

    builder = _Builder()
    builder.build(parse_cel(expression))
    (atom,) = builder.atoms
    return atom


@settings(deadline=None, max_examples=300)
@given(
    networks(),
    st.text(UA_ALPHABET, min_size=1, max_size=6),
    st.sampled_from(["contains", "startsWith", "endsWith"]),
    ADDRESSES,
    st.text(REQUEST_UA_ALPHABET, max_size=12),
)
def test_plain_python_atoms_agree_with_cel(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
    literal: str,
    method: str,
    ip: str,
    user_agent: str,
) -> None:
    """The meaning analysis evaluates the commonest atoms without CEL's engine: on any sample
    they must give what the engine gives."""
    from private_serverless.conditions.atoms import _atom_program, _plain_evaluator, _run
    from private_serverless.conditions.checker import re2_error

    for expression in (
        ip_in(str(network)).to_cel(),
        user_agent_contains(literal).to_cel().replace(".contains(", f".{method}(", 1),
        # A pattern made of the literal's characters: `.`, `a`, `\\` and `é` are RE2 too.
        user_agent_contains(literal).to_cel().replace(".contains(", ".matches(", 1),
    ):
        atom = _atom_of(expression)
        plain = _plain_evaluator(atom)
        if plain is None:  # only a pattern RE2 refuses is left to the engine
            assert ".matches(" in expression and re2_error(literal) is not None, expression
            continue
        sample = {"ip": ip, "user_agent": user_agent}
        assert plain(sample) == _run(_atom_program(atom), **sample), expression


def test_other_atoms_are_left_to_cel() -> None:
    from private_serverless.conditions.atoms import _plain_evaluator

    for expression in (
        'request.user_agent.matches("(?<=a)b")',  # RE2 refuses it: the engine says what it gives
        'inIpRange("192.0.2.1", "192.0.2.0/24")',
        'request.user_agent.contains(r"a")',
        'request.ip.startsWith("198.")',
    ):
        assert _plain_evaluator(_atom_of(expression)) is None, expression
