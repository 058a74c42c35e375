"""Provider options a user sets: what each sends, that an unset one sends nothing, and the
errors where Scaleway (or the provider) takes no such setting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pulumi
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from private_serverless import (
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    ScheduleArgs,
)
from private_serverless.attachments.schedules import dst_shift, next_runs
from private_serverless.core import limits
from private_serverless.errors import ConfigurationError
from private_serverless.plan.values import UNKNOWN_PLACEHOLDER

from .conftest import by_type, only
from .test_stacks import (  # the `project` fixture comes along
    edit_stack,
    plan,
    project,  # noqa: F401
)

TRIGGER_C = "scaleway:containers/trigger:Trigger"
CONTAINER = "scaleway:containers/container:Container"
FUNCTION = "scaleway:functions/function:Function"
IMAGE = "rg.fr-par.scw.cloud/team/worker:1.0"
QUEUE_URL = (
    "https://sqs.mnq.fr-par.scaleway.com/project-11111111-2222-4333-8444-555555555555/orders"
)


def _trigger(plan, name):
    return next(r for r in by_type(plan, TRIGGER_C) if r.name == name)


# --- container cron: time zone, headers, method ------------------------------------------------


def test_a_container_cron_in_europe_paris_is_sent_with_that_time_zone(plan_of):
    plan = plan_of(
        lambda: PrivateContainer(
            "worker",
            {
                "image": IMAGE,
                "schedules": {
                    "nightly": {"schedule": "0 2 * * *", "schedule_time_zone": "Europe/Paris"}
                },
            },
        ),
        preview=True,
    )
    cron = _trigger(plan, "worker-cron-nightly").inputs["cron"]
    assert cron == {"schedule": "0 2 * * *", "timezone": "Europe/Paris", "body": "{}"}
    notes = [d.message for d in plan.diagnostics if d.severity == "info"]
    # Shown in the zone it runs in (the default time_zone): 02:00 in Paris all year, so no
    # daylight-saving warning.
    assert any("schedule nightly (0 2 * * *, Europe/Paris)" in m and "02:00 CE" in m for m in notes)
    assert not any("nightly" in d.message for d in plan.diagnostics if d.severity == "warning")


def test_a_container_cron_sends_its_headers_and_method(plan_of):
    plan = plan_of(
        lambda: PrivateContainer(
            "worker",
            {
                "image": IMAGE,
                "schedules": {
                    "sync": {
                        "schedule": "*/15 * * * *",
                        "path": "/sync",
                        "http_method": "put",
                        "headers": {"X-Job": "sync", "Content-Type": "application/json"},
                        "args": {"full": False},
                        "description": "every quarter hour",
                    }
                },
            },
        )
    )
    trigger = _trigger(plan, "worker-cron-sync")
    assert trigger.inputs["cron"] == {
        "schedule": "*/15 * * * *",
        "timezone": "UTC",
        "body": '{"full":false}',
        "headers": {"X-Job": "sync", "Content-Type": "application/json"},
    }
    assert trigger.inputs["destinationConfig"] == {"httpMethod": "put", "httpPath": "/sync"}
    assert trigger.inputs["description"] == "every quarter hour"


def test_a_container_queue_trigger_sends_its_method(plan_of):
    plan = plan_of(
        lambda: PrivateContainer(
            "worker",
            {
                "image": IMAGE,
                "queues": {"orders": {"sqs": {"queue_url": QUEUE_URL}, "http_method": "patch"}},
            },
        )
    )
    destination = _trigger(plan, "worker-trigger-orders").inputs["destinationConfig"]
    assert destination == {"httpMethod": "patch", "httpPath": "/"}


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("schedule_time_zone", "Europe/Paris"),
        ("http_method", "get"),
        ("headers", {"X-Job": "a"}),
        ("description", "nightly"),
    ],
)
def test_a_function_cron_refuses_what_functions_cron_cannot_send(source_dir, setting, value):
    # functions.Cron takes schedule, args and name: no time zone, method or header.
    with pytest.raises(ConfigurationError) as caught:
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            schedules={"nightly": {"schedule": "0 2 * * *", setting: value}},
        )
    message = str(caught.value)
    assert f"schedules.nightly: {setting}: containers only" in message
    assert "runs in UTC" in message


def test_a_function_queue_trigger_refuses_a_method(source_dir):
    with pytest.raises(ConfigurationError, match=r"queues\.orders\.http_method: containers only"):
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=source_dir,
            queues={"orders": {"sqs": {"queue_url": QUEUE_URL}, "http_method": "put"}},
        )


@pytest.mark.parametrize(
    "name", ["Authorization", "X-Auth-Token", "cookie", "X-Api-Key", "X-Db-Password"]
)
def test_a_credential_header_is_refused_without_its_value(name):
    with pytest.raises(ConfigurationError) as caught:
        ScheduleArgs(schedule="0 2 * * *", headers={name: "planted-header-value"})
    assert "carries a credential" in str(caught.value)
    assert "planted-header-value" not in str(caught.value)


@pytest.mark.parametrize(
    "headers",
    [{"Bad Name": "x"}, {"": "x"}, {"X-A": "line\r\nX-Injected: 1"}, {"X-A": "x" * 4097}],
)
def test_a_malformed_header_is_refused(headers):
    with pytest.raises(ConfigurationError, match="headers"):
        ScheduleArgs(schedule="0 2 * * *", headers=headers)


def test_a_credential_value_in_a_header_is_refused():
    with pytest.raises(ConfigurationError) as caught:
        ScheduleArgs(schedule="0 2 * * *", headers={"X-Trace": "Bearer abcdefghijklmnopqrstu"})
    assert "Bearer abcdefghijklmnopqrstu" not in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Sydney", "UTC"]),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
)
# Written times that clocks skip on one of the next days (spring forward).
@example("America/New_York", 2, 1, datetime(2027, 3, 12))
@example("Europe/Paris", 2, 30, datetime(2027, 3, 27))
@example("Australia/Sydney", 2, 59, datetime(2027, 10, 1))
def test_a_schedule_run_in_its_own_zone_never_moves_there(zone, hour, minute, after):
    schedule = f"{minute} {hour} * * *"
    moment = after.replace(tzinfo=UTC)
    assert dst_shift(schedule, zone, moment, schedule_zone=zone) is None
    runs = next_runs(schedule, zone, moment, 3, schedule_zone=zone)
    for run in runs:
        written = run.replace(hour=hour, minute=minute, tzinfo=None)
        if _exists(written, zone):
            assert (run.hour, run.minute) == (hour, minute)
        else:
            # Clocks went forward over the written time that day: the run is just after the
            # gap (an hour in these zones), as cron runs what the change skipped.
            assert written < run.replace(tzinfo=None) <= written + timedelta(hours=1)
    assert runs == sorted(runs) and all(run > moment for run in runs)


def _exists(wall: datetime, zone: str) -> bool:
    """Whether the wall-clock time ``wall`` happens in ``zone`` (not in a spring-forward gap)."""
    placed = wall.replace(tzinfo=ZoneInfo(zone))
    return placed.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == wall


def test_a_utc_schedule_shown_in_paris_still_warns_of_daylight_saving():
    winter = datetime(2026, 1, 10, tzinfo=UTC)
    assert "daylight-saving" in (dst_shift("0 2 * * *", "Europe/Paris", winter) or "")


# --- function sandbox, container local storage --------------------------------------------------


def test_a_function_sandbox_is_sent_and_an_unset_one_is_not(plan_of, source_dir):
    def program():
        base = {"runtime": "python312", "handler": "handler.handle", "source_dir": source_dir}
        PrivateFunction("a", {**base, "sandbox": "v2"})
        PrivateFunction("b", base)

    plan = plan_of(program)
    sent = {r.name: r.inputs.get("sandbox") for r in by_type(plan, FUNCTION)}
    assert sent == {"a-function": "v2", "b-function": None}


def test_a_function_sandbox_is_v1_or_v2(source_dir):
    with pytest.raises(ConfigurationError, match="sandbox"):
        PrivateFunctionArgs(
            runtime="python312", handler="handler.handle", source_dir=source_dir, sandbox="v3"
        )


def test_container_local_storage_is_sent_in_bytes_and_unset_sends_nothing(plan_of):
    def program():
        PrivateContainer("big", {"image": IMAGE, "local_storage_limit_mb": 2000})
        PrivateContainer("small", {"image": IMAGE})

    plan = plan_of(program)
    containers = {r.name: r.inputs for r in by_type(plan, CONTAINER)}
    assert containers["big-container"]["localStorageLimitBytes"] == 2000 * limits.BYTES_PER_MB
    assert "localStorageLimitBytes" not in containers["small-container"]
    assert "localStorageLimit" not in containers["big-container"]  # the deprecated MB input


@pytest.mark.parametrize("value", [0, limits.CONTAINER_LOCAL_STORAGE_MAX_MB + 1])
def test_container_local_storage_stays_within_scaleway_limits(value):
    with pytest.raises(ConfigurationError, match="local_storage_limit_mb"):
        PrivateContainerArgs(image=IMAGE, local_storage_limit_mb=value)


def test_unset_options_send_nothing_new(plan_of):
    plan = plan_of(
        lambda: PrivateContainer(
            "worker", {"image": IMAGE, "schedules": {"n": {"schedule": "0 2 * * *"}}}
        )
    )
    cron = _trigger(plan, "worker-cron-n")
    assert cron.inputs["cron"] == {"schedule": "0 2 * * *", "timezone": "UTC", "body": "{}"}
    assert cron.inputs["destinationConfig"] == {"httpMethod": "post", "httpPath": "/"}
    assert "sandbox" not in only(plan, CONTAINER).inputs
    assert "description" not in cron.inputs


# --- several custom domains ---------------------------------------------------------------------

DOMAIN_F = "scaleway:functions/domain:Domain"
RECORD = "scaleway:domain/record:Record"


def test_several_domains_each_get_a_binding_and_the_single_form_keeps_its_names(
    plan_of, source_dir
):
    def program():
        PrivateFunction(
            "billing",
            {
                "runtime": "python312",
                "handler": "handler.handle",
                "source_dir": source_dir,
                "domain": {"hostname": "billing.example.com", "dns_zone": "example.com"},
                "domains": [
                    {"hostname": "pay.example.com", "dns_zone": "example.com"},
                    {"hostname": "billing.example.org"},
                ],
            },
        )

    plan = plan_of(program, preview=True)
    bindings = {r.name: r.inputs["hostname"] for r in by_type(plan, DOMAIN_F)}
    assert bindings == {
        "billing-domain": "billing.example.com",
        "billing-domain-pay.example.com": "pay.example.com",
        "billing-domain-billing.example.org": "billing.example.org",
    }
    records = {r.name: r.inputs["name"] for r in by_type(plan, RECORD)}
    assert records == {"billing-dns": "billing", "billing-dns-pay.example.com": "pay"}
    # Each binding waits for its own record (Scaleway checks the CNAME when adding it).
    pay = next(r for r in by_type(plan, DOMAIN_F) if r.name == "billing-domain-pay.example.com")
    record = next(r for r in by_type(plan, RECORD) if r.name == "billing-dns-pay.example.com")
    assert record.urn in pay.dependencies


def test_domains_alone_give_the_endpoint_of_the_first(plan_of):
    def program():
        api = PrivateContainer(
            "api",
            {
                "image": IMAGE,
                "domains": [{"hostname": "a.example.com"}, {"hostname": "b.example.com"}],
            },
        )
        pulumi.export("endpoint", api.endpoint)

    plan = plan_of(program)
    assert plan.outputs["endpoint"] == "https://a.example.com"


def test_a_hostname_given_twice_is_refused():
    with pytest.raises(ConfigurationError, match="given twice"):
        PrivateContainerArgs(
            image=IMAGE,
            domain={"hostname": "a.example.com"},
            domains=[{"hostname": "a.example.com"}],
        )


def test_more_than_fifty_domains_are_refused():
    many = [{"hostname": f"h{i}.example.com"} for i in range(limits.CUSTOM_DOMAINS_MAX)]
    PrivateContainerArgs(image=IMAGE, domains=many)  # 50: Scaleway's limit, accepted
    with pytest.raises(ConfigurationError, match="at most 50 custom domains"):
        PrivateContainerArgs(image=IMAGE, domain={"hostname": "x.example.com"}, domains=many)


# --- where a pipeline pushes ---------------------------------------------------------------------

REGISTRY = "scaleway:registry/namespace:Namespace"


def test_a_container_registry_is_private_and_its_endpoint_an_output(plan_of):
    def program():
        api = PrivateContainer("api", {"image": IMAGE, "registry": {"name": "team-api"}})
        plain = PrivateContainer("plain", {"image": IMAGE})
        assert plain.registry_endpoint is None  # no registry asked for, none invented
        pulumi.export("registry", api.registry_endpoint)

    plan = plan_of(program)
    registry = only(plan, REGISTRY)
    assert registry.name == "api-registry"
    assert registry.inputs["isPublic"] is False
    assert registry.inputs["name"] == "team-api"
    assert plan.outputs["registry"] == "rg.fr-par.scw.cloud/team-api"


@pytest.mark.parametrize("name", ["Team", "a..b", "-a", "a-", "a b", "x" * 64])
def test_a_registry_name_must_be_an_image_path_component(name):
    with pytest.raises(ConfigurationError, match=r"registry\.name"):
        PrivateContainerArgs(image=IMAGE, registry={"name": name})


def test_a_function_reports_its_namespace_registry(plan_of, source_dir):
    def program():
        fn = PrivateFunction(
            "billing",
            {"runtime": "python312", "handler": "handler.handle", "source_dir": source_dir},
        )
        pulumi.export("registry", fn.registry_endpoint)

    plan = plan_of(program)
    assert plan.outputs["registry"].startswith("rg.fr-par.scw.cloud/")


# --- the same from a stack file -----------------------------------------------------------------


def test_a_stack_file_sets_the_options_and_outputs_the_registry(project):  # noqa: F811
    def edit(config):
        api = config["private-serverless:services"]["api"]
        api["registry"] = {"name": "team-api"}
        api["local_storage_limit_mb"] = 1000
        api["domains"] = [{"hostname": "api.example.com"}]
        api["schedules"] = {
            "nightly": {"schedule": "0 2 * * *", "schedule_time_zone": "Europe/Paris"}
        }

    edit_stack(project, "dev", edit)
    result = plan("--stack", "dev", "--env-file", ".env.example", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    resources = {r["name"]: r for r in document["resources"]}
    assert resources["api-cron-nightly"]["inputs"]["cron"]["timezone"] == "Europe/Paris"
    assert resources["api-registry"]["inputs"]["isPublic"] is False
    assert resources["api-domain-api.example.com"]["inputs"]["hostname"] == "api.example.com"
    # Known after the registry exists: a preview says so rather than invent an address.
    assert document["outputs"]["api_registry_endpoint"] == UNKNOWN_PLACEHOLDER
