"""The builder renders Scaleway's documented CEL byte for byte and rejects bad arguments."""

from __future__ import annotations

import ipaddress
from dataclasses import FrozenInstanceError
from datetime import datetime

import pytest
from private_serverless.conditions import (
    AccessRequest,
    Cel,
    ConditionError,
    Day,
    all_of,
    any_of,
    as_cel,
    hours_between,
    ip_in,
    not_,
    on_days,
    user_agent_contains,
    validate_condition,
    weekdays,
)


def test_documented_examples_render_exactly() -> None:
    assert str(ip_in("198.51.100.0/24")) == 'inIpRange(request.ip, "198.51.100.0/24")'
    assert (
        user_agent_contains("InternalAdminTool/1.0").to_cel()
        == 'request.user_agent.contains("InternalAdminTool/1.0")'
    )
    assert weekdays().to_cel() == (
        "request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6"
    )
    assert hours_between(9, 18, tz="Europe/Paris").to_cel() == (
        'request.time.getHours("Europe/Paris") >= 9 && request.time.getHours("Europe/Paris") < 18'
    )
    assert (weekdays() & hours_between(9, 18, tz="Europe/Paris")).to_cel() == (
        "request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6"
        ' && request.time.getHours("Europe/Paris") >= 9'
        ' && request.time.getHours("Europe/Paris") < 18'
    )
    combined = (ip_in("203.0.113.42/32") | user_agent_contains("TrustedCI")) & weekdays()
    assert combined.to_cel() == (
        '(inIpRange(request.ip, "203.0.113.42/32") || request.user_agent.contains("TrustedCI"))'
        " && request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6"
    )


def test_several_networks_render_as_a_disjunction_ipv4_and_ipv6() -> None:
    condition = ip_in("198.51.100.0/24", ipaddress.ip_network("2001:db8::/32"))
    assert condition.to_cel() == (
        'inIpRange(request.ip, "198.51.100.0/24") || inIpRange(request.ip, "2001:db8::/32")'
    )
    # Inside a conjunction the disjunction needs parentheses; alone it does not.
    assert (condition & weekdays()).to_cel().startswith("(inIpRange")
    assert ip_in("198.51.100.0/24", "198.51.100.0/24").networks == (
        ipaddress.ip_network("198.51.100.0/24"),
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (~ip_in("198.51.100.0/24"), '!inIpRange(request.ip, "198.51.100.0/24")'),
        (
            not_(weekdays()),
            "!(request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6)",
        ),
        (~~user_agent_contains("x"), 'request.user_agent.contains("x")'),
        (on_days(Day.SUNDAY), "request.time.getDayOfWeek() == 0"),
        (~on_days(0), "!(request.time.getDayOfWeek() == 0)"),
        (on_days(0, 6, tz="Europe/Paris"), 'request.time.getDayOfWeek("Europe/Paris") in [0, 6]'),
        (on_days(1, 2, 3, 4, 5, 6), "request.time.getDayOfWeek() != 0"),
        (
            weekdays(tz="Europe/Paris"),
            'request.time.getDayOfWeek("Europe/Paris") != 0 && '
            'request.time.getDayOfWeek("Europe/Paris") != 6',
        ),
        (hours_between(0, 6), "request.time.getHours() < 6"),
        (hours_between(20, 24), "request.time.getHours() >= 20"),
        (
            hours_between(22, 6) & weekdays(),
            "(request.time.getHours() >= 22 || request.time.getHours() < 6)"
            " && request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6",
        ),
        (
            any_of(weekdays(), hours_between(22, 6)),
            "request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6"
            " || request.time.getHours() >= 22 || request.time.getHours() < 6",
        ),
        (
            all_of(ip_in("192.0.2.0/24"), all_of(weekdays(), user_agent_contains("a"))),
            'inIpRange(request.ip, "192.0.2.0/24") && request.time.getDayOfWeek() != 0 && '
            'request.time.getDayOfWeek() != 6 && request.user_agent.contains("a")',
        ),
        (
            user_agent_contains("x") & Cel("request.time.getMinutes() < 30 || true"),
            'request.user_agent.contains("x") && (request.time.getMinutes() < 30 || true)',
        ),
        (user_agent_contains('say "hi"\\\n'), r'request.user_agent.contains("say \"hi\"\\\n")'),
    ],
)
def test_minimal_parentheses(condition: object, expected: str) -> None:
    assert str(condition) == expected
    validate_condition(expected, whole=False)  # some examples restrict nothing on purpose


def test_conditions_are_immutable_and_comparable() -> None:
    condition = ip_in("198.51.100.0/24")
    with pytest.raises(FrozenInstanceError):
        condition.networks = ()  # type: ignore[misc]
    assert condition == ip_in("198.51.100.0/24")
    assert hash(weekdays()) == hash(weekdays())


def test_as_cel_accepts_strings_and_builders() -> None:
    assert as_cel("true") == "true"
    assert as_cel(weekdays()) == weekdays().to_cel()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (ip_in, "at least one"),
        (lambda: ip_in("10.0.0.300/8"), "not a CIDR network"),
        (lambda: ip_in("198.51.100.7/24"), "has host bits set"),
        (lambda: ip_in("not an ip"), "not a CIDR network"),
        (lambda: ip_in("::ffff:198.51.100.0/120"), "IPv4-mapped IPv6 range"),
        (lambda: user_agent_contains(""), "non-empty"),
        (lambda: user_agent_contains("x" * 256), "truncates request.user_agent at 255"),
        (on_days, "at least one day"),
        (lambda: on_days(7), "not a day from 0"),
        (lambda: on_days(True), "not a day from 0"),
        (lambda: on_days(0, 1, 2, 3, 4, 5, 6), "every day"),
        (lambda: weekdays(tz="Mars/Olympus"), 'unknown time zone "Mars/Olympus"'),
        (lambda: hours_between(9, 25), "end must be an hour from 1 to 24"),
        (lambda: hours_between(24, 3), "start must be an hour from 0 to 23"),
        (lambda: hours_between(-1, 3), "start must be"),
        (lambda: hours_between(9, 9), "start and end must differ"),
        (lambda: hours_between(0, 24), "start and end must differ"),
        (lambda: hours_between(9, 18, tz="Paris"), "unknown time zone"),
        (all_of, "at least one condition"),
        (lambda: all_of("true"), "wrap raw CEL in Cel"),  # type: ignore[arg-type]
        (lambda: Cel("request.foo"), "unknown attribute"),
    ],
)
def test_bad_arguments_raise_condition_error(build: object, message: str) -> None:
    with pytest.raises(ConditionError, match=message.replace("(", r"\(")):
        build()  # type: ignore[operator]


def test_single_part_combinators_return_the_part() -> None:
    assert all_of(weekdays()) == weekdays()
    assert any_of(weekdays()) == weekdays()


def test_matches_is_a_plain_python_predicate() -> None:
    at = datetime.fromisoformat
    request = AccessRequest(ip="2001:db8::5", user_agent="TrustedCI", time=at("2026-03-29T23:30Z"))
    assert ip_in("2001:db8::/32").matches(request)
    assert not ip_in("198.51.100.0/24").matches(request)  # IPv6 address, IPv4 network
    assert user_agent_contains("CI").matches(request)
    assert not weekdays().matches(request)  # Sunday in UTC...
    assert weekdays(tz="Europe/Paris").matches(request)  # ...Monday 01:30 in Paris
    assert hours_between(22, 6).matches(request)
    assert Cel("request.time.getHours() == 23").matches(request)
