"""The simulator on Scaleway's documented examples, at the edges of every bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from private_serverless.conditions import (
    AccessRequest,
    ConditionError,
    evaluate_condition,
    hours_between,
    weekdays,
)

IP_EXAMPLE = 'inIpRange(request.ip, "198.51.100.0/24")'
UA_EXAMPLE = 'request.user_agent.contains("InternalAdminTool/1.0")'
# As the documentation wraps it, over several lines.
HOURS_EXAMPLE = """request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6
&& request.time.getHours("Europe/Paris") >= 9
&& request.time.getHours("Europe/Paris") < 18"""
COMBINED_EXAMPLE = (
    '(inIpRange(request.ip, "203.0.113.42/32") || request.user_agent.contains("TrustedCI"))\n'
    "&& request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6"
)
PARIS_HOURS = (
    'request.time.getHours("Europe/Paris") >= 9 && request.time.getHours("Europe/Paris") < 18'
)

PUBLIC_IP = "192.0.2.10"  # outside every example range
MONDAY_NOON = "2026-03-30T10:00:00Z"


def call(ip: str = PUBLIC_IP, time: str = MONDAY_NOON, user_agent: str = "") -> AccessRequest:
    return AccessRequest(ip=ip, time=datetime.fromisoformat(time), user_agent=user_agent)


def test_calendar_facts_used_below() -> None:
    # getDayOfWeek() counts from 0 = Sunday; these dates anchor the tests that follow.
    assert datetime.fromisoformat("2026-03-29T12:00:00Z").strftime("%A") == "Sunday"
    assert datetime.fromisoformat("2026-03-30T12:00:00Z").strftime("%A") == "Monday"
    assert datetime.fromisoformat("2026-10-25T12:00:00Z").strftime("%A") == "Sunday"
    assert datetime.fromisoformat("2026-03-28T12:00:00Z").strftime("%A") == "Saturday"


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("198.51.100.0", True),
        ("198.51.100.255", True),
        ("198.51.99.255", False),
        ("198.51.101.0", False),
        ("2001:db8::1", False),  # IPv6 is never inside an IPv4 network
    ],
)
def test_ip_example(ip: str, allowed: bool) -> None:
    assert evaluate_condition(IP_EXAMPLE, call(ip=ip)) is allowed


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [("2001:db8:1::", True), ("2001:db8:1:ffff::1", True), ("2001:db8:2::", False)],
)
def test_ipv6_range(ip: str, allowed: bool) -> None:
    condition = 'inIpRange(request.ip, "2001:db8:1::/48")'
    assert evaluate_condition(condition, call(ip=ip)) is allowed


@pytest.mark.parametrize(
    ("user_agent", "allowed"),
    [
        ("InternalAdminTool/1.0", True),
        ("Mozilla/5.0 InternalAdminTool/1.0 (linux)", True),
        ("InternalAdminTool/1.", False),
        ("internaladmintool/1.0", False),  # contains() is case-sensitive
        ("", False),
    ],
)
def test_user_agent_example(user_agent: str, allowed: bool) -> None:
    assert evaluate_condition(UA_EXAMPLE, call(user_agent=user_agent)) is allowed


def test_user_agent_is_truncated_at_255_characters_like_scaleway() -> None:
    condition = 'request.user_agent.endsWith("TAIL")'
    assert evaluate_condition(condition, call(user_agent="x" * 251 + "TAIL"))
    assert not evaluate_condition(condition, call(user_agent="x" * 252 + "TAIL"))


@pytest.mark.parametrize(
    ("time", "allowed"),
    [
        # Monday 2026-03-30, Paris is on summer time (UTC+2).
        ("2026-03-30T06:59:59Z", False),  # 08:59:59 local
        ("2026-03-30T07:00:00Z", True),  # 09:00 local
        ("2026-03-30T15:59:59Z", True),  # 17:59:59 local
        ("2026-03-30T16:00:00Z", False),  # 18:00 local
        # Friday 2026-03-27, still winter time (UTC+1).
        ("2026-03-27T07:59:00Z", False),  # 08:59 local
        ("2026-03-27T08:00:00Z", True),  # 09:00 local
        ("2026-03-27T16:59:00Z", True),  # 17:59 local
        ("2026-03-27T17:00:00Z", False),  # 18:00 local
        # Friday 2026-10-23 summer time, Monday 2026-10-26 winter time again.
        ("2026-10-23T07:00:00Z", True),
        ("2026-10-23T06:59:00Z", False),
        ("2026-10-26T08:00:00Z", True),
        ("2026-10-26T07:59:00Z", False),
        ("2026-10-26T16:59:00Z", True),
        ("2026-10-26T17:00:00Z", False),
        # Weekend days at noon are denied; so is Saturday 2026-03-28 in working hours.
        ("2026-03-28T11:00:00Z", False),
        ("2026-03-29T11:00:00Z", False),
        # The same instant written with a Paris offset.
        ("2026-03-30T09:00:00+02:00", True),
        ("2026-03-30T08:59:00+02:00", False),
    ],
)
def test_working_hours_example(time: str, allowed: bool) -> None:
    assert evaluate_condition(HOURS_EXAMPLE, call(time=time)) is allowed
    # The builder renders the same rule; its Python predicate agrees.
    built = weekdays() & hours_between(9, 18, tz="Europe/Paris")
    assert built.matches(call(time=time)) is allowed


@pytest.mark.parametrize(
    ("time", "allowed"),
    [
        # 2026-03-29: clocks jump from 02:00 to 03:00 at 01:00 UTC.
        ("2026-03-29T06:59:00Z", False),  # 08:59 summer time
        ("2026-03-29T07:00:00Z", True),  # 09:00 summer time
        ("2026-03-29T15:59:00Z", True),  # 17:59
        ("2026-03-29T16:00:00Z", False),  # 18:00
        # 2026-10-25: clocks go back from 03:00 to 02:00 at 01:00 UTC.
        ("2026-10-25T07:59:00Z", False),  # 08:59 winter time
        ("2026-10-25T08:00:00Z", True),  # 09:00 winter time
        ("2026-10-25T16:59:00Z", True),  # 17:59
        ("2026-10-25T17:00:00Z", False),  # 18:00
    ],
)
def test_paris_hours_on_dst_transition_days(time: str, allowed: bool) -> None:
    assert evaluate_condition(PARIS_HOURS, call(time=time)) is allowed


@pytest.mark.parametrize(
    ("time", "hour"),
    [
        ("2026-03-29T00:59:00Z", 1),  # last minute of winter time
        ("2026-03-29T01:00:00Z", 3),  # 02:00 never happens
        ("2026-10-25T00:30:00Z", 2),  # 02:30 summer time
        ("2026-10-25T01:30:00Z", 2),  # 02:30 again, winter time
    ],
)
def test_get_hours_follows_paris_dst(time: str, hour: int) -> None:
    condition = f'request.time.getHours("Europe/Paris") == {hour}'
    assert evaluate_condition(condition, call(time=time))


def test_timestamp_accessors_default_to_utc() -> None:
    # Monday 00:30 in Paris is still Sunday 22:30 in UTC: the day is the UTC day.
    monday_in_paris = call(time="2026-03-30T00:30:00+02:00")
    assert not evaluate_condition("request.time.getDayOfWeek() != 0", monday_in_paris)
    assert evaluate_condition('request.time.getDayOfWeek("Europe/Paris") == 1', monday_in_paris)
    assert evaluate_condition("request.time.getHours() == 22", monday_in_paris)


@pytest.mark.parametrize(
    ("ip", "user_agent", "time", "allowed"),
    [
        ("203.0.113.42", "", MONDAY_NOON, True),
        ("203.0.113.43", "", MONDAY_NOON, False),
        ("192.0.2.1", "GitLab TrustedCI runner", MONDAY_NOON, True),
        ("203.0.113.42", "TrustedCI", "2026-03-29T10:00:00Z", False),  # Sunday
        ("203.0.113.42", "TrustedCI", "2026-03-28T23:59:59Z", False),  # Saturday, last second
        ("203.0.113.42", "", "2026-03-30T00:00:00Z", True),  # Monday, first second (UTC)
        ("203.0.113.42", "", "2026-03-27T23:59:59Z", True),  # Friday, last second
    ],
)
def test_combined_example(ip: str, user_agent: str, time: str, allowed: bool) -> None:
    request = call(ip=ip, user_agent=user_agent, time=time)
    assert evaluate_condition(COMBINED_EXAMPLE, request) is allowed


def test_other_documented_functions() -> None:
    request = call(user_agent="terraform/1.9", time="2026-07-23T10:15:00Z")
    assert evaluate_condition('request.user_agent.startsWith("terraform/")', request)
    assert evaluate_condition('request.user_agent.matches("^terraform/[0-9.]+$")', request)
    assert evaluate_condition("size(request.user_agent) == 13", request)
    assert evaluate_condition("request.time.getDayOfMonth() == 22", request)  # zero-based
    assert evaluate_condition("request.time.getDate() == 23", request)
    assert evaluate_condition("request.time.getMonth() == 6", request)  # zero-based
    assert evaluate_condition("request.time.getFullYear() == 2026", request)
    assert evaluate_condition("request.time.getMinutes() == 15", request)
    assert evaluate_condition('request.time > timestamp("2026-07-01T00:00:00Z")', request)
    assert evaluate_condition("request.time.getDayOfWeek() in [1, 2, 3, 4]", request)


def test_invalid_condition_is_an_error_not_a_denial() -> None:
    with pytest.raises(ConditionError, match=r"unknown attribute 'request\.foo'"):
        evaluate_condition('request.foo == "x"', call())


def test_request_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        AccessRequest(ip="192.0.2.1", time=datetime(2026, 3, 30, 9))


def test_deep_nesting_is_a_condition_error() -> None:
    assert evaluate_condition("(" * 30 + "true" + ")" * 30, call())
    with pytest.raises(ConditionError, match="nested"):
        evaluate_condition("(" * 300 + "true" + ")" * 300, call())


@pytest.mark.parametrize(
    ("expression", "time"),
    [
        ('request.time.getHours("+14:00") == 1', "9999-12-31T23:59:59Z"),
        ('request.time.getFullYear("Pacific/Kiritimati") > 1', "9999-12-31T23:59:59Z"),
        ('request.time.getHours("-12:00") == 1', "0001-01-01T00:00:00Z"),
    ],
)
def test_a_zone_past_the_end_of_cel_range_is_an_error_not_a_crash(
    expression: str, time: str
) -> None:
    request = AccessRequest(ip="198.51.100.7", time=datetime.fromisoformat(time))
    with pytest.raises(ConditionError, match="outside years 1 to 9999"):
        evaluate_condition(expression, request)


def test_an_error_at_the_top_of_the_expression_is_a_condition_error() -> None:
    request = AccessRequest(ip="198.51.100.7", user_agent="", time=datetime.now(UTC))
    with pytest.raises(ConditionError, match="could not be evaluated: inIpRange"):
        evaluate_condition('inIpRange(request.user_agent, "0.0.0.0/0")', request)
