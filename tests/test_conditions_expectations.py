"""Sample requests pinned as allowed or denied."""

from __future__ import annotations

import pytest
from private_serverless.conditions import (
    AccessExpectations,
    AccessRequest,
    ConditionError,
    ExpectationError,
    check_expectations,
    hours_between,
    weekdays,
)

WORKING_HOURS = weekdays() & hours_between(9, 18, tz="Europe/Paris")


def sample(time: str, ip: str = "198.51.100.1", user_agent: str = "") -> AccessRequest:
    return AccessRequest.model_validate({"ip": ip, "time": time, "user_agent": user_agent})


def test_consistent_expectations_pass() -> None:
    expectations = AccessExpectations(
        allow=[sample("2026-03-30T09:00:00+02:00"), sample("2026-10-26T17:59:00+01:00")],
        deny=[sample("2026-03-30T08:59:00+02:00"), sample("2026-03-29T12:00:00+02:00")],
    )
    check_expectations(WORKING_HOURS, expectations)
    check_expectations(WORKING_HOURS.to_cel(), expectations)


def test_every_contradiction_is_listed() -> None:
    expectations = AccessExpectations(
        allow=[sample("2026-03-30T09:00:00Z", user_agent="ci")],  # 11:00 in Paris: fine
        deny=[
            sample("2026-03-30T10:00:00+02:00", ip="203.0.113.9"),  # allowed: working hours
            sample("2026-03-30T20:00:00+02:00"),  # denied: fine
        ],
    )
    expectations = expectations.model_copy(
        update={"allow": [*expectations.allow, sample("2026-03-30T07:00:00+02:00")]}
    )
    with pytest.raises(ExpectationError) as caught:
        check_expectations(WORKING_HOURS, expectations)
    message = str(caught.value)
    assert message.splitlines() == [
        "2 sample requests contradict the condition:",
        "  - expected allowed but denied: ip=198.51.100.1, user_agent='', "
        "time=2026-03-30T07:00:00+02:00",
        "  - expected denied but allowed: ip=203.0.113.9, user_agent='', "
        "time=2026-03-30T10:00:00+02:00",
    ]
    assert isinstance(caught.value, ConditionError)


def test_without_a_condition_everything_is_allowed() -> None:
    check_expectations(None, AccessExpectations(allow=[sample("2026-03-29T03:00:00Z")]))
    with pytest.raises(ExpectationError, match="no condition \\(every request is allowed\\)"):
        check_expectations(None, AccessExpectations(deny=[sample("2026-03-29T03:00:00Z")]))


def test_invalid_condition_is_reported_as_such() -> None:
    with pytest.raises(ConditionError, match="unknown function"):
        check_expectations("nope()", AccessExpectations(allow=[sample("2026-03-29T03:00:00Z")]))


def test_expectations_parse_from_plain_data() -> None:
    expectations = AccessExpectations.model_validate(
        {"allow": [{"ip": "2001:db8::1", "time": "2026-03-30T09:00:00Z"}]}
    )
    assert expectations.allow[0].user_agent == ""
    with pytest.raises(ValueError, match="timezone"):
        AccessExpectations.model_validate(
            {"deny": [{"ip": "192.0.2.1", "time": "2026-03-30T09:00"}]}
        )
    with pytest.raises(ValueError, match="ip"):
        AccessExpectations.model_validate(
            {"deny": [{"ip": "192.0.2", "time": "2026-03-30T09:00Z"}]}
        )
