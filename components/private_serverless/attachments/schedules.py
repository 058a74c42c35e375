"""Cron schedules of a private service: what Scaleway runs, and when that is in a team's zone.

Scaleway runs function CRON triggers in UTC ("uses the UTC time zone", Functions concepts:
https://www.scaleway.com/en/docs/serverless-functions/concepts/#cron-trigger), and the
provider's ``functions.Cron`` takes no time zone. A container's cron is a trigger whose cron
source takes one (``containers.TriggerCronArgs.timezone``, "in tz database format"), so
``schedule_time_zone`` may name another zone on containers only; by default a schedule is
written in UTC on both, so that one ``schedule`` means the same thing. ``time_zone`` states the
zone the team means: the plan shows the next runs in it and warns when a daylight-saving change
moves the local time of the runs (``0 2 * * *`` in UTC is 03:00 in Paris in winter and 04:00 in
summer).

Syntax (Scaleway's cron schedules reference,
https://www.scaleway.com/en/docs/serverless-functions/reference-content/cron-schedules/):
five fields (minute, hour, day of month, month, day of week), each ``*``, numbers, ranges
``a-b``, lists ``a,b`` and steps ``/n``; months and days of the week may be written as
three-letter names (JAN-DEC, SUN-SAT); 0 and 7 both mean Sunday. Extensions some cron
implementations accept (seconds, ``L``, ``W``, ``#``, ``?``, ``H``, ``@daily``) are refused:
Scaleway documents none of them. Ranges and values are checked by ``croniter``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..core.models import ArgsModel
from ..sensitive.credential_keys import credential_header
from ..sensitive.environment import check_plain_document, check_plain_values

#: A name for a schedule or a trigger, used in the child resource's name (``<service>-cron-<key>``)
#: and sent as the trigger's name: lowercase letters, digits and hyphens, like service names.
ROLE_KEY_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"


def _check_role_key(key: str) -> str:
    if not re.match(ROLE_KEY_PATTERN, key):
        raise ValueError(
            "names of schedules and triggers are 1 to 32 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return key


RoleKey = Annotated[str, AfterValidator(_check_role_key)]

_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
_DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
_FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_TOKEN = re.compile(r"^(?:\*|[0-9]{1,2}|[A-Za-z]{3})$")


def check_cron(schedule: str) -> str:
    """Raise ``ValueError`` unless ``schedule`` is a five-field cron Scaleway documents."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(
            f"a schedule has five fields (minute hour day-of-month month day-of-week), "
            f"got {len(fields)}; it runs in UTC"
        )
    for position, field in enumerate(fields):
        names = _MONTHS if position == 3 else _DAYS if position == 4 else set()
        for token in re.split(r"[,/-]", field):
            if not _TOKEN.match(token) or (token.isalpha() and token.lower() not in names):
                allowed = "numbers, *, ranges a-b, lists a,b and steps /n" + (
                    " or three-letter names" if names else ""
                )
                raise ValueError(f"the {_FIELD_NAMES[position]} field allows {allowed}")
    from croniter import croniter  # on first use: `import private_serverless` stays light

    if not croniter.is_valid(schedule):
        raise ValueError(
            "a value is out of range (minute 0-59, hour 0-23, day 1-31, "
            "month 1-12, day of week 0-7)"
        )
    from croniter import CroniterBadDateError

    try:
        croniter(schedule, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterBadDateError:
        # 30 2 (30 February), 31 4,6,9,11: valid fields, no date in any year.
        raise ValueError("the schedule never runs: no date matches its day and month") from None
    return schedule


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    """Raise ``ValueError`` unless ``name`` is an IANA time zone (``Europe/Paris``)."""
    # The list first: ZoneInfo reads a file named after any text (a long one is an OSError).
    if name not in _zone_names() and name != "UTC":
        raise ValueError("not an IANA time zone name (for example Europe/Paris or UTC)")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("not an IANA time zone name (for example Europe/Paris or UTC)") from None
    return name


def _strings_by_path(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` with its path (``args.db.url``, ``args.hosts[0]``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_by_path(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_by_path(item, f"{path}[{index}]")


#: The methods a container trigger sends (``containers.TriggerDestinationConfigArgs``'
#: ``http_method``: "e.g., get, post, put, patch, delete"), lowercase as the provider writes them.
HttpMethod = Literal["get", "post", "put", "patch", "delete"]

# A header name is an HTTP token (RFC 9110 section 5.1 and 5.6.2); its value holds no control
# character (section 5.5), so no line break can smuggle in another header.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")
_HEADER_VALUE = re.compile(r"^[^\x00-\x08\x0a-\x1f\x7f]{0,4096}$")


def _check_header_name(name: str) -> str:
    if not _HEADER_NAME.match(name):
        raise ValueError("a header name is 1 to 256 letters, digits and !#$%&'*+.^_`|~-")
    return name


def _check_header_value(value: str) -> str:
    if not _HEADER_VALUE.match(value):
        raise ValueError("a header value is at most 4096 characters, with no line break")
    return value


HeaderName = Annotated[str, AfterValidator(_check_header_name)]
HeaderValue = Annotated[str, AfterValidator(_check_header_value)]


#: The validation context key of the allow-list a schedule's ``args`` keys are judged with.
ALLOWED_PLAIN_NAMES = "allowed_plain_names"


class ScheduleArgs(ArgsModel):
    """A CRON trigger: the service is invoked on ``schedule`` (UTC) with ``args`` as its event."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )

    schedule: Annotated[str, Field(max_length=256)]
    """Five-field cron expression, in UTC (Scaleway runs schedules in UTC): ``0 2 * * *`` is
    every day at 02:00 UTC."""

    args: dict[str, Any] = Field(default_factory=dict)
    """JSON object sent with each run (the function's event body, the container's request
    body). Never put a credential here: it is stored in clear by Scaleway and in the plan.
    A field whose key names a credential (``password``, ``key``, at any depth) is refused,
    unless the service's ``allowed_plain_names`` names the key (an S3 object ``key``) and the
    schedule is given to the service as a mapping (as a stack file gives it), and never for a
    credential beyond doubt; every string is scanned for credentials either way."""

    time_zone: str | None = None
    """The IANA zone the team thinks in (``Europe/Paris``); by default ``schedule_time_zone``.
    It does not change when Scaleway runs the schedule: the plan shows the next runs in this
    zone and warns when daylight-saving changes move them."""

    schedule_time_zone: str = "UTC"
    """Containers only: the IANA zone ``schedule`` is written in and Scaleway runs it in
    (``Europe/Paris``: ``0 2 * * *`` is 02:00 in Paris, summer and winter). A container
    trigger's cron takes a time zone (the provider's ``containers.TriggerCronArgs.timezone``,
    "in tz database format"); a function's cron takes none (``functions.Cron``: schedule,
    args and name), so function schedules run in UTC and another zone is an error."""

    path: Annotated[str, Field(pattern=r"^/[^\s?#]*$", max_length=1024)] = "/"
    """Containers only: the path the run is sent to."""

    http_method: HttpMethod | None = None
    """Containers only: the HTTP method of each run (``post`` when unset); a function's cron
    has no method."""

    description: Annotated[str, Field(max_length=255)] | None = None
    """Containers only: shown in the Scaleway console (a function's cron has no description)."""

    headers: dict[HeaderName, HeaderValue] | None = None
    """Containers only: extra HTTP headers sent with each run (``containers.TriggerCronArgs``'
    ``headers``). Stored in clear at Scaleway and shown in the plan, like ``args``: no
    credential here (the container checks its callers with IAM, not with a header)."""

    # The allowed_plain_names this schedule's args keys were judged with (its service's).
    _allowed_keys: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("time_zone", "schedule_time_zone")
    @classmethod
    def _check_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_time_zone(value)

    @property
    def shown_time_zone(self) -> str:
        """The zone the plan shows the runs in."""
        return self.time_zone or self.schedule_time_zone

    def container_only_settings(self) -> list[str]:
        """The settings given that only a container's cron takes (a function's has none)."""
        given = []
        if self.schedule_time_zone != "UTC":
            given.append("schedule_time_zone")
        if self.http_method is not None:
            given.append("http_method")
        if self.headers is not None:
            given.append("headers")
        if self.description is not None:
            given.append("description")
        return given

    @model_validator(mode="after")
    def _check_args(self, info: ValidationInfo) -> Self:
        # Keys at any depth: {"db": {"auth": ...}} is as much in clear as a top-level one. The
        # service validating its schedules passes its allowed_plain_names in the context; the
        # instance keeps them, as pydantic runs this again when the service takes it.
        allowed = self._allowed_keys | frozenset((info.context or {}).get(ALLOWED_PLAIN_NAMES, ()))
        check_plain_document(self.args, "args", allowed)
        self._allowed_keys = allowed
        try:
            json.dumps(self.args, allow_nan=False)
        except (TypeError, ValueError):
            raise ValueError(
                "args must be a JSON object (strings, numbers, booleans, null, lists, objects)"
            ) from None
        check_plain_values(dict(_strings_by_path(self.args, "args")), "args")
        headers = self.headers or {}
        credential_headers = sorted(name for name in headers if credential_header(name))
        if credential_headers:
            raise ValueError(
                f"headers: {', '.join(credential_headers)} carries a credential; headers are "
                "stored in clear at Scaleway and shown in the plan: the container's callers are "
                "checked by IAM, and what it needs goes in its secrets"
            )
        check_plain_values({f"headers.{k}": v for k, v in headers.items()}, "headers")
        return self

    def args_json(self) -> str:
        """``args`` as the provider wants them: a JSON string, keys sorted so it is stable."""
        return json.dumps(self.args, sort_keys=True, separators=(",", ":"))


def next_runs(
    schedule: str, zone: str, after: datetime, count: int = 3, schedule_zone: str = "UTC"
) -> list[datetime]:
    """The next ``count`` runs after ``after`` of ``schedule`` (written in ``schedule_zone``),
    as times in ``zone``."""
    from croniter import croniter

    iterator = croniter(schedule, after.astimezone(ZoneInfo(schedule_zone)))
    tz = ZoneInfo(zone)
    return [iterator.get_next(datetime).astimezone(tz) for _ in range(count)]


def dst_shift(schedule: str, zone: str, after: datetime, schedule_zone: str = "UTC") -> str | None:
    """Say how the local time of the runs in ``zone`` moves at the next change, within a year,
    of its offset from ``schedule_zone`` (the zone Scaleway runs the schedule in), or ``None``
    when that difference never changes (then the local time never moves)."""
    tz, runs_in = ZoneInfo(zone), ZoneInfo(schedule_zone)

    def difference(moment: datetime) -> timedelta | None:
        here, there = moment.astimezone(tz).utcoffset(), moment.astimezone(runs_in).utcoffset()
        return None if here is None or there is None else here - there

    start = after.astimezone(UTC)
    before_difference = difference(start)
    change: datetime | None = None
    # Offsets change at most a few times a year; a daily probe finds the day of the next one.
    for day in range(1, 367):
        probe = start + timedelta(days=day)
        if difference(probe) != before_difference:
            change = probe
            break
    if change is None:
        return None
    # Narrow the change down to the minute, so the date shown is the day it happens.
    low, high = change - timedelta(days=1), change
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if difference(middle) != before_difference:
            high = middle
        else:
            low = middle
    change = high
    before = next_runs(schedule, zone, start, 1, schedule_zone)[0]
    after_change = next_runs(schedule, zone, change, 1, schedule_zone)[0]
    return (
        f"Scaleway runs it in {schedule_zone}, so in {zone} it runs at {before:%H:%M} until "
        f"{change.astimezone(tz):%Y-%m-%d}, then at {after_change:%H:%M} (daylight-saving change); "
        f"adjust the {schedule_zone} schedule each season if the local hour matters"
    )


def describe_runs(schedule: str, zone: str, after: datetime, schedule_zone: str = "UTC") -> str:
    """One line for the plan: the next runs in ``zone`` (and in the zone Scaleway runs the
    schedule in when it differs)."""
    runs = next_runs(schedule, zone, after, schedule_zone=schedule_zone)
    runs_in = ZoneInfo(schedule_zone)
    shown = ", ".join(
        f"{run:%Y-%m-%d %H:%M %Z}"
        + ("" if zone == schedule_zone else f" ({run.astimezone(runs_in):%H:%M} {schedule_zone})")
        for run in runs
    )
    return f"next runs: {shown}"
