"""Schedules, queue triggers, custom domains, private networks and container operation settings:
what the components register under the mock runtime, and the errors bad values give."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
from private_serverless import (
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
)
from private_serverless.errors import ConfigurationError
from private_serverless.plan.values import UNKNOWN_PLACEHOLDER, UNKNOWN_SECRET_PLACEHOLDER

from .conftest import by_type, only
from .test_stacks import (  # the `project` fixture comes along
    edit_stack,
    plan,
    project,  # noqa: F401
)

PROJECT = "11111111-2222-4333-8444-555555555555"
NETWORK = f"fr-par/{PROJECT.replace('1111', 'aaaa')}"
QUEUE_URL = f"https://sqs.mnq.fr-par.scaleway.com/project-{PROJECT}/orders"
NATS_ACCOUNT = f"fr-par/{PROJECT.replace('2222', 'bbbb')}"

CRON_F = "scaleway:functions/cron:Cron"
TRIGGER_F = "scaleway:functions/trigger:Trigger"
DOMAIN_F = "scaleway:functions/domain:Domain"
TRIGGER_C = "scaleway:containers/trigger:Trigger"
DOMAIN_C = "scaleway:containers/domain:Domain"
RECORD = "scaleway:domain/record:Record"
SQS_CREDENTIALS = "scaleway:mnq/sqsCredentials:SqsCredentials"
NATS_CREDENTIALS = "scaleway:mnq/natsCredentials:NatsCredentials"


def _function_args(source_dir: Path, **extra: object) -> dict[str, object]:
    return {
        "runtime": "python312",
        "handler": "handler.handle",
        "source_dir": source_dir,
        **extra,
    }


def _everything(source_dir: Path) -> None:
    billing = PrivateFunction(
        "billing",
        _function_args(
            source_dir,
            private_network_id=NETWORK,
            schedules={
                "nightly": {
                    "schedule": "0 2 * * *",
                    "time_zone": "Europe/Paris",
                    "args": {"report": "daily", "days": 1},
                }
            },
            queues={"orders": {"sqs": {"queue_url": QUEUE_URL}}},
            domain={"hostname": "billing.example.com", "dns_zone": "example.com"},
        ),
    )
    worker = PrivateContainer(
        "worker",
        {
            "image": "rg.fr-par.scw.cloud/team/worker:1.0",
            "region": "fr-par",
            "private_network_id": NETWORK,
            "schedules": {"cleanup": {"schedule": "30 1 * * MON-FRI", "path": "/cleanup"}},
            "queues": {
                "orders": {"sqs": {"queue_url": QUEUE_URL}, "path": "/orders"},
                "events": {"nats": {"account_id": NATS_ACCOUNT, "subject": "orders.created"}},
            },
            "domain": {"hostname": "worker.example.com"},
            "scaling": {"cpu_percent": 70},
            "sandbox": "v2",
        },
    )
    pulumi.export("billing", billing.endpoint)
    pulumi.export("worker", worker.endpoint)


@pytest.fixture
def everything(plan_of, source_dir):
    return plan_of(lambda: _everything(source_dir), preview=True)


def _component_urn(plan, name):
    return next(r.urn for r in plan.resources if not r.custom and r.name == name)


def test_children_are_named_by_role_and_parented_to_their_service(everything):
    billing, worker = _component_urn(everything, "billing"), _component_urn(everything, "worker")
    expected = {
        ("billing-cron-nightly", CRON_F): billing,
        ("billing-trigger-orders", TRIGGER_F): billing,
        ("billing-dns", RECORD): billing,
        ("billing-domain", DOMAIN_F): billing,
        ("worker-cron-cleanup", TRIGGER_C): worker,
        ("worker-trigger-orders", TRIGGER_C): worker,
        ("worker-trigger-orders-credentials", SQS_CREDENTIALS): worker,
        ("worker-trigger-events", TRIGGER_C): worker,
        ("worker-trigger-events-credentials", NATS_CREDENTIALS): worker,
        ("worker-domain", DOMAIN_C): worker,
    }
    found = {
        (r.name, r.type): r.parent for r in everything.resources if (r.name, r.type) in expected
    }
    assert found == expected
    # No DNS record without a zone, and never the deprecated containers.Cron.
    assert [r.name for r in by_type(everything, RECORD)] == ["billing-dns"]
    assert by_type(everything, "scaleway:containers/cron:Cron") == []


def test_function_schedule_is_sent_in_utc_with_json_args(everything):
    cron = only(everything, CRON_F)
    function = only(everything, "scaleway:functions/function:Function")
    assert cron.inputs["schedule"] == "0 2 * * *"
    assert json.loads(cron.inputs["args"]) == {"report": "daily", "days": 1}
    assert function.urn in cron.property_dependencies["functionId"]


def test_container_schedule_is_a_cron_trigger_in_utc(everything):
    trigger = next(r for r in by_type(everything, TRIGGER_C) if r.name == "worker-cron-cleanup")
    assert trigger.inputs["cron"] == {
        "schedule": "30 1 * * MON-FRI",
        "timezone": "UTC",
        "body": "{}",
    }
    assert trigger.inputs["destinationConfig"] == {"httpMethod": "post", "httpPath": "/cleanup"}


def test_function_queue_trigger_names_the_queue_and_creates_no_credential(everything):
    trigger = only(everything, TRIGGER_F)
    assert trigger.inputs["sqs"] == {"queue": "orders", "projectId": PROJECT, "region": "fr-par"}
    billing = _component_urn(everything, "billing")
    assert not [r for r in everything.resources if r.parent == billing and "mnq" in r.type]


def test_container_sqs_trigger_gets_receive_only_credentials_as_secrets(everything):
    credentials = only(everything, SQS_CREDENTIALS)
    assert credentials.inputs["permissions"] == {
        "canReceive": True,
        "canPublish": False,
        "canManage": False,
    }
    assert credentials.inputs["projectId"] == PROJECT
    trigger = next(r for r in by_type(everything, TRIGGER_C) if r.name == "worker-trigger-orders")
    sqs = trigger.inputs["sqs"]
    # The credentials do not exist before the apply: secret, and unknown, as the engine has them.
    assert sqs["accessKey"] == sqs["secretKey"] == UNKNOWN_SECRET_PLACEHOLDER
    assert sqs["queueUrl"] == QUEUE_URL and sqs["endpoint"] == "https://sqs.mnq.fr-par.scaleway.com"
    assert "queue" not in sqs  # deprecated in the provider: queue_url names the queue
    assert credentials.urn in trigger.property_dependencies["sqs"]


def test_container_nats_trigger_gets_the_account_file_as_a_secret(everything):
    trigger = next(r for r in by_type(everything, TRIGGER_C) if r.name == "worker-trigger-events")
    nats = trigger.inputs["nats"]
    assert nats["credentialsFileContent"] == UNKNOWN_SECRET_PLACEHOLDER
    assert nats["serverUrls"] == ["nats://nats.mnq.fr-par.scaleway.com:4222"]
    assert nats["subject"] == "orders.created"


def test_dns_record_comes_before_the_domain_and_points_at_the_service(
    everything, plan_of, source_dir
):
    record, domain = only(everything, RECORD), only(everything, DOMAIN_F)
    assert record.inputs["type"] == "CNAME" and record.inputs["name"] == "billing"
    assert record.inputs["dnsZone"] == "example.com"
    # The service's own host name exists only after apply: a preview cannot know it.
    assert record.inputs["data"] == UNKNOWN_PLACEHOLDER
    deployed = only(plan_of(lambda: _everything(source_dir)), RECORD)
    assert deployed.inputs["data"].endswith(".")  # fully qualified
    assert record.urn in domain.dependencies
    assert domain.inputs["hostname"] == "billing.example.com"


def test_endpoint_prefers_the_custom_domain(everything):
    assert everything.outputs["billing"] == "https://billing.example.com"
    assert everything.outputs["worker"] == "https://worker.example.com"


def test_private_network_scaling_and_sandbox_are_sent(everything):
    function = only(everything, "scaleway:functions/function:Function")
    container = only(everything, "scaleway:containers/container:Container")
    assert function.inputs["privateNetworkId"] == NETWORK
    assert container.inputs["privateNetworkId"] == NETWORK
    assert container.inputs["scalingOptions"] == [{"cpuUsageThreshold": 70}]
    assert container.inputs["sandbox"] == "v2"


def test_plan_notes_next_runs_dst_shift_and_which_queue_feeds_which_service(everything):
    messages = [(d.severity, d.message) for d in everything.diagnostics]
    notes = [m for s, m in messages if s == "info"]
    assert any(
        m.startswith("Function billing: schedule nightly (0 2 * * *, UTC) next runs:")
        and "(02:00 UTC)" in m
        and ("03:00 CET" in m or "04:00 CEST" in m)
        for m in notes
    )
    assert "Function billing: trigger orders: SQS queue orders" in "\n".join(notes)
    assert "Container worker: trigger events: NATS subject orders.created feeds" in "\n".join(notes)
    warnings = [m for s, m in messages if s == "warning"]
    assert any("schedule nightly" in m and "daylight-saving" in m for m in warnings)
    # The container's schedule is in UTC (the default zone): no shift to warn about.
    assert not any("schedule cleanup" in m for m in warnings)


def test_no_attachments_register_nothing(plan_of, source_dir):
    """Without attachments nothing new is registered (no empty triggers or domains)."""
    plan = plan_of(lambda: PrivateFunction("plain", _function_args(source_dir)))
    assert {r.type for r in plan.resources}.isdisjoint(
        {CRON_F, TRIGGER_F, DOMAIN_F, RECORD, SQS_CREDENTIALS}
    )
    assert "privateNetworkId" not in only(plan, "scaleway:functions/function:Function").inputs


@pytest.mark.parametrize(
    ("extra", "path", "words"),
    [
        (
            {"schedules": {"nightly": {"schedule": "0 2 * *"}}},
            "schedules.nightly.schedule",
            "five fields",
        ),
        (
            {"schedules": {"nightly": {"schedule": "61 2 * * *"}}},
            "schedules.nightly.schedule",
            "out of range",
        ),
        (
            {"schedules": {"n": {"schedule": "0 2 * * *", "time_zone": "Mars/Olympus"}}},
            "schedules.n.time_zone",
            "IANA",
        ),
        (
            # Longer than a file name may be: no zone file is ever looked for.
            {"schedules": {"n": {"schedule": "0 2 * * *", "time_zone": "Europe/" + "x" * 300}}},
            "schedules.n.time_zone",
            "IANA",
        ),
        (
            {"schedules": {"n": {"schedule": "0 2 * * *", "schedule_time_zone": "../" * 90}}},
            "schedules.n.schedule_time_zone",
            "IANA",
        ),
        (
            {"schedules": {"Nightly": {"schedule": "0 2 * * *"}}},
            "schedules.Nightly",
            "lowercase letters",
        ),
        ({"domain": {"hostname": "-bad-.example.com"}}, "domain.hostname", "host name"),
        (
            {"domain": {"hostname": "a.example.org", "dns_zone": "example.com"}},
            "domain",
            "not in dns_zone",
        ),
        ({"private_network_id": "pn-123"}, "private_network_id", "<region>/<uuid>"),
        ({"queues": {"q": {}}}, "queues.q", "exactly one source"),
        (
            {"queues": {"q": {"sqs": {"queue_url": "https://example.com/orders"}}}},
            "queues.q.sqs.queue_url",
            "Scaleway Queues URL",
        ),
    ],
)
def test_bad_values_name_the_component_and_key_path(plan_of, source_dir, extra, path, words):
    with pytest.raises(ConfigurationError) as caught:
        PrivateFunction("billing", _function_args(source_dir, **extra))
    message = str(caught.value)
    assert message.startswith("PrivateFunction 'billing': ")
    assert f"{path}:" in message or f"{path}." in message, message
    assert words in message, message


def test_private_network_in_another_region_is_refused(source_dir):
    with pytest.raises(
        ConfigurationError, match="private_network_id: the Private Network is in another region"
    ):
        PrivateFunction(
            "billing", _function_args(source_dir, region="nl-ams", private_network_id=NETWORK)
        )


@pytest.mark.parametrize(
    ("scaling", "words"),
    [
        ({}, "exactly one"),
        ({"cpu_percent": 70, "memory_percent": 70}, "exactly one"),
        ({"concurrent_requests": 81}, "less than or equal to 80"),
        ({"memory_percent": 0}, "greater than or equal to 1"),
    ],
)
def test_scaling_needs_exactly_one_rule_within_scaleway_limits(scaling, words):
    with pytest.raises(ConfigurationError, match=words) as caught:
        PrivateContainer("api", {"image": "rg.fr-par.scw.cloud/t/a:1", "scaling": scaling})
    assert "scaling" in str(caught.value)


def test_sandbox_is_v1_or_v2():
    with pytest.raises(ConfigurationError, match="sandbox"):
        PrivateContainer("api", {"image": "x/y:1", "sandbox": "v3"})
    assert PrivateContainerArgs(image="x/y:1").sandbox is None  # Scaleway's default


def test_container_nats_trigger_needs_a_region():
    account = NATS_ACCOUNT.split("/", 1)[1]
    with pytest.raises(ConfigurationError, match=r"queues\.events\.nats: set region"):
        PrivateContainer(
            "worker",
            {
                "image": "x/y:1",
                "queues": {"events": {"nats": {"account_id": account, "subject": "a"}}},
            },
        )
    # A function trigger names the account only: no region needed.
    PrivateFunctionArgs.model_validate(
        {
            "runtime": "python312",
            "handler": "handler.handle",
            "zip_file": None,
            "source_dir": Path("."),
            "queues": {"events": {"nats": {"account_id": account, "subject": "a"}}},
        }
    )


def test_stack_file_error_names_the_file_and_key_path(project):  # noqa: F811
    def bad(config):
        config["private-serverless:services"]["billing"]["schedules"] = {
            "nightly": {"schedule": "0 25 * * *"}
        }
        config["private-serverless:services"]["billing"]["domain"] = {
            "hostname": "bad_host.example.com"
        }
        config["private-serverless:services"]["billing"]["private_network_id"] = "not-an-id"

    edit_stack(project, "dev", bad)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "stacks/Pulumi.dev.yaml" in result.output
    for path in (
        "services.billing.schedules.nightly.schedule",
        "services.billing.domain.hostname",
        "services.billing.private_network_id",
    ):
        assert path in result.output, result.output
    assert "bad_host" not in result.output and "not-an-id" not in result.output
    assert "Traceback" not in result.output


def test_a_stack_with_every_attachment_plans_them_under_the_service(project):  # noqa: F811
    def attach_all(config):
        billing = config["private-serverless:services"]["billing"]
        billing["schedules"] = {"nightly": {"schedule": "0 2 * * *", "time_zone": "Europe/Paris"}}
        billing["queues"] = {"orders": {"sqs": {"queue_url": QUEUE_URL}}}
        billing["domain"] = {"hostname": "billing.example.com", "dns_zone": "example.com"}
        billing["private_network_id"] = NETWORK

    edit_stack(project, "dev", attach_all)
    result = plan("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    resources = json.loads(result.stdout)["resources"]
    component = next(r["urn"] for r in resources if r["name"] == "billing" and not r["custom"])
    children = {r["name"]: r for r in resources if r["parent"] == component}
    assert children["billing-cron-nightly"]["type"] == CRON_F
    assert children["billing-trigger-orders"]["type"] == TRIGGER_F
    assert children["billing-dns"]["type"] == RECORD
    assert children["billing-domain"]["type"] == DOMAIN_F
    assert children["billing-function"]["inputs"]["privateNetworkId"] == NETWORK
    assert json.loads(result.stdout)["outputs"]["services"]["billing"]["endpoint"] == (
        "https://billing.example.com"
    )


def test_a_value_that_may_be_an_output_fails_with_one_problem(project):  # noqa: F811
    """A field typed `str | Output` reports its own rule once, not pydantic's union members."""

    def bad(config):
        config["private-serverless:services"]["billing"]["private_network_id"] = "not-an-id"

    edit_stack(project, "dev", bad)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if "private_network_id" in line]
    assert len(lines) == 1, result.output
    assert "services.billing.private_network_id: must be a Private Network ID" in lines[0]
    for noise in ("function-after", "json-or-python", "isinstance", "Output"):
        assert noise not in result.output


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        (
            "schedules",
            {"n": {"schedule": "0 5 * * *", "args": {"db": "postgres://u:PLANTED-pw@h/db"}}},
            "services.api.schedules.n: args.db holds what looks like a URL with credentials",
        ),
        (
            "schedules",
            {"n": {"schedule": "0 5 * * *", "args": {"h": ["Bearer PLANTED-abcdefghijkl"]}}},
            "args.h[0] holds what looks like a HTTP credentials",
        ),
        (
            "args",
            ["--db", "postgres://u:PLANTED-pw@h/db"],
            "services.api: args[1] holds what looks like a URL with credentials",
        ),
        (
            "schedules",
            {"n": {"schedule": "0 5 30 2 *"}},
            "services.api.schedules.n.schedule: the schedule never runs",
        ),
        ("env", {"A": 5}, "services.api.env.A: Input should be a valid string\n"),
        (
            "project_id",
            "11111111-2222-3333-4444-55555555555A",
            "services.api.project_id: must be a project ID: a lowercase UUID",
        ),
        (
            "project_id",
            " 11111111-2222-3333-4444-555555555555",
            "services.api.project_id: must be a project ID",
        ),
        (
            "namespace_id",
            "fr-par/not-a-uuid",
            "services.api.namespace_id: must be a namespace ID",
        ),
    ],
    ids=[
        "schedule-args-url",
        "schedule-args-bearer",
        "container-args",
        "cron-never",
        "env-int",
        "project-upper",
        "project-space",
        "namespace-id",
    ],
)
def test_values_stored_in_clear_and_never_firing_crons_are_refused(
    project,  # noqa: F811
    setting,
    value,
    expected,
):
    services = "private-serverless:services"
    edit_stack(project, "dev", lambda config: config[services]["api"].__setitem__(setting, value))
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert result.output.count("\n") == 1  # one problem, one line
    assert "PLANTED" not in result.output and "Traceback" not in result.output


def test_a_network_of_another_region_than_the_stacks_is_refused(project):  # noqa: F811
    """No region on the service: the provider's (scaleway:region) is the one to match."""
    network = "nl-ams/0f5e8c1e-5e6b-4c6e-9f3a-2d7c1b9a8e4f"

    def attach(config):
        config["private-serverless:defaults"].pop("region", None)
        config["scaleway:region"] = "fr-par"
        config["private-serverless:services"]["api"]["private_network_id"] = network

    edit_stack(project, "dev", attach)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "services.api.private_network_id: the Private Network is in another region" in (
        result.output
    )
    assert network not in result.output
