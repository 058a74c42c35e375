"""Cron schedules (syntax, next runs, daylight-saving shifts) and custom host names."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless.attachments.custom_domain import CustomDomainArgs, check_hostname
from private_serverless.attachments.schedules import (
    ScheduleArgs,
    check_cron,
    describe_runs,
    dst_shift,
    next_runs,
)
from private_serverless.errors import ConfigurationError

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "schedule",
    ["0 2 * * *", "*/5 14-23 * * *", "15,45 12-17 * * WED", "30 9,17 * * MON-FRI", "0 0 1 JAN 7"],
)
def test_documented_forms_are_accepted(schedule):
    assert check_cron(schedule) == schedule


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("0 2 * *", "five fields"),
        ("0 0 2 * * *", "five fields"),  # a seconds field
        ("@daily", "five fields"),
        ("0 2 L * *", "day of month field"),
        ("0 2 * * 1#2", "day of week field"),
        ("H 2 * * *", "minute field"),
        ("0 2 ? * *", "day of month field"),
        ("0 2 * FOO *", "month field"),
        ("0 24 * * *", "out of range"),
        ("0 2 32 * *", "out of range"),
    ],
)
def test_undocumented_or_out_of_range_forms_are_refused(schedule, words):
    with pytest.raises(ValueError, match=words):
        check_cron(schedule)


fields = st.tuples(
    st.integers(0, 59),
    st.integers(0, 23),
    st.integers(1, 28),
    st.integers(1, 12),
    st.integers(0, 7),
)


@settings(max_examples=60)
@given(fields, st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"]))
def test_next_runs_happen_at_the_utc_time_written(values, zone):
    minute, hour, day, month, weekday = values
    schedule = f"{minute} {hour} * * *"
    assert check_cron(f"{minute} {hour} {day} {month} {weekday}")
    runs = next_runs(schedule, zone, NOW, 3)
    assert [run.tzinfo.key for run in runs] == [zone] * 3  # type: ignore[union-attr]
    for run in runs:
        utc = run.astimezone(UTC)
        assert (utc.hour, utc.minute) == (hour, minute)
        assert utc > NOW
    assert [b - a for a, b in itertools.pairwise(runs)] == [runs[1] - runs[0]] * 2


@settings(max_examples=100)
@given(st.text(max_size=40))
def test_any_text_is_accepted_or_refused_with_value_error(text):
    with contextlib.suppress(ValueError):
        check_cron(text)


def test_dst_shift_says_when_and_how_the_local_hour_moves():
    message = dst_shift("0 2 * * *", "Europe/Paris", NOW)
    assert message is not None
    assert "03:00 until 2027-03-28, then at 04:00" in message
    assert dst_shift("0 2 * * *", "UTC", NOW) is None
    assert dst_shift("0 2 * * *", "Asia/Tokyo", NOW) is None  # no daylight saving


def test_describe_runs_shows_the_zone_and_utc():
    text = describe_runs("0 2 * * *", "Europe/Paris", NOW)
    assert text == (
        "next runs: 2026-11-25 03:00 CET (02:00 UTC), 2026-11-26 03:00 CET (02:00 UTC), "
        "2026-11-27 03:00 CET (02:00 UTC)"
    )


def test_credential_looking_args_are_refused_without_their_value():
    with pytest.raises(ConfigurationError) as caught:
        ScheduleArgs(schedule="0 2 * * *", args={"db": {"password": "hunter2-planted"}})
    assert "args.db.password holds what looks like a credential" in str(caught.value)
    assert "hunter2-planted" not in str(caught.value)


def test_an_auth_field_in_args_is_refused_at_any_depth_without_its_value():
    for args in ({"auth": "u:hunter2-planted"}, {"job": [{"client": {"auth": "hunter2-planted"}}]}):
        with pytest.raises(ConfigurationError) as caught:
            ScheduleArgs(schedule="0 2 * * *", args=args)
        assert "looks like a credential" in str(caught.value)
        assert "hunter2-planted" not in str(caught.value)
    # Saying that authentication is on is no credential.
    ScheduleArgs(schedule="0 2 * * *", args={"auth": True, "auth_method": "iam"})


def test_args_must_be_json():
    assert ScheduleArgs(schedule="0 2 * * *", args={"a": [1, None]}).args_json() == '{"a":[1,null]}'
    with pytest.raises(ConfigurationError, match="JSON object"):
        ScheduleArgs(schedule="0 2 * * *", args={"a": float("nan")})
    with pytest.raises(ConfigurationError, match="args"):
        ScheduleArgs(schedule="0 2 * * *", args=["not", "an", "object"])  # type: ignore[arg-type]


label = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?\Z")


@given(st.lists(label, min_size=1, max_size=4), st.from_regex(r"\A[a-z]{2,10}\Z"))
def test_rfc_1123_host_names_are_accepted(labels, tld):
    hostname = ".".join([*labels, tld])
    assert check_hostname(hostname) == hostname


@pytest.mark.parametrize(
    "hostname",
    [
        "localhost",  # one label
        "-a.example.com",
        "a-.example.com",
        "a_b.example.com",
        "A.example.com",
        "a..example.com",
        "a.example.com.",
        "*.example.com",
        "a.example.123",
        "x" * 64 + ".example.com",
        ".".join(["a" * 60] * 5),  # 304 characters
    ],
)
def test_other_names_are_refused(hostname):
    with pytest.raises(ValueError, match="host name"):
        check_hostname(hostname)


def test_record_name_is_relative_to_the_zone():
    args = CustomDomainArgs(hostname="api.eu.example.com", dns_zone="example.com")
    assert args.record_name == "api.eu"
    with pytest.raises(ConfigurationError, match="zone itself"):
        CustomDomainArgs(hostname="example.com", dns_zone="example.com")
    with pytest.raises(ConfigurationError, match="not in dns_zone"):
        CustomDomainArgs(hostname="api.badexample.com", dns_zone="example.com")
