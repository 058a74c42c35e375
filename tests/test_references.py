"""References: a string input may come from another resource, and the dependency is kept.

In Python, a queue's URL, a NATS account, a DNS zone, a project or namespace ID take a
``pulumi.Input[str]``; in a stack file a value may be ``${services.<key>.<output>}``. An
unknown reference, a cycle or a reference where no Output is accepted is an exit-2 error
naming the key path.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pulumi
import pulumiverse_scaleway as scaleway
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import (
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
)
from private_serverless.cli import app
from private_serverless.project.stack.references import Reference, substitute
from typer.testing import CliRunner

from .conftest import only

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "scaleway:mnq/sqsQueue:SqsQueue"
FUNCTION_TRIGGER = "scaleway:functions/trigger:Trigger"
CONTAINER_TRIGGER = "scaleway:containers/trigger:Trigger"


def _queue() -> scaleway.mnq.SqsQueue:
    sqs = scaleway.mnq.Sqs("sqs")
    admin = scaleway.mnq.SqsCredentials(
        "admin",
        permissions=scaleway.mnq.SqsCredentialsPermissionsArgs(can_manage=True),
        opts=pulumi.ResourceOptions(depends_on=[sqs]),
    )
    return scaleway.mnq.SqsQueue(
        "orders",
        name="orders",
        sqs_endpoint=sqs.endpoint,
        access_key=admin.access_key,
        secret_key=admin.secret_key,
    )


def _queue_program(source_dir: Path):
    def program() -> None:
        queue = _queue()
        feed = {"orders": {"sqs": {"queue_url": queue.url}}}
        PrivateFunction(
            "worker",
            PrivateFunctionArgs(
                runtime="python312",
                handler="handler.handle",
                source_dir=source_dir,
                queues=feed,
            ),
        )
        PrivateContainer(
            "box", PrivateContainerArgs(image="rg.fr-par.scw.cloud/t/box:1", queues=feed)
        )

    return program


@pytest.mark.parametrize("preview", [True, False])
def test_a_queue_created_in_the_program_feeds_a_trigger_that_depends_on_it(
    plan_of, source_dir, preview
):
    """Acceptance: the URL Output of an SQS queue passed to `queues` keeps the dependency."""
    plan = plan_of(_queue_program(source_dir), preview=preview)
    queue = only(plan, QUEUE)
    triggers = [r for r in plan.resources if r.type in (FUNCTION_TRIGGER, CONTAINER_TRIGGER)]
    assert {r.name for r in triggers} == {"worker-trigger-orders", "box-trigger-orders"}
    for trigger in triggers:
        assert queue.urn in trigger.dependencies, trigger.name
        assert queue.urn in trigger.property_dependencies["sqs"], trigger.name
    credentials = next(r for r in plan.resources if r.name == "box-trigger-orders-credentials")
    assert queue.urn in credentials.dependencies
    function_trigger = next(r for r in triggers if r.type == FUNCTION_TRIGGER)
    if preview:
        # Known once the queue exists, as pulumi preview shows it on a new stack.
        assert function_trigger.inputs["sqs"]["queue"] == "[unknown]"
    else:
        # The mocks' queue URL, taken apart as a string's would be.
        assert function_trigger.inputs["sqs"]["queue"] == "orders"
        assert function_trigger.inputs["sqs"]["region"] == "fr-par"


def test_a_nats_account_output_keeps_the_dependency(plan_of):
    def program() -> None:
        account = scaleway.mnq.NatsAccount("events", name="events")
        PrivateContainer(
            "box",
            PrivateContainerArgs(
                image="rg.fr-par.scw.cloud/t/box:1",
                region="fr-par",
                queues={"events": {"nats": {"account_id": account.id, "subject": "a.b"}}},
            ),
        )

    plan = plan_of(program, preview=True)
    account = only(plan, "scaleway:mnq/natsAccount:NatsAccount")
    for name in ("box-trigger-events", "box-trigger-events-credentials"):
        record = next(r for r in plan.resources if r.name == name)
        assert account.urn in record.dependencies, name


def test_a_dns_zone_output_gives_the_record_its_name(plan_of, source_dir):
    def program() -> None:
        zone = pulumi.Output.from_input("example.com")
        PrivateFunction(
            "fn",
            PrivateFunctionArgs(
                runtime="python312",
                handler="handler.handle",
                source_dir=source_dir,
                domain={"hostname": "fn.api.example.com", "dns_zone": zone},
            ),
        )

    plan = plan_of(program)
    record = only(plan, "scaleway:domain/record:Record")
    assert record.inputs["name"] == "fn.api"
    assert record.inputs["dnsZone"] == "example.com"


# --- stack files ----------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name in ("Pulumi.yaml", "__main__.py", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("stacks", "services"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit_dev(project: Path, edit) -> None:
    path = project / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document["config"]["private-serverless:services"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def _plan(*args: str):
    return CliRunner().invoke(app, ["plan", "--stack", "dev", "--env-file", ".env.example", *args])


def test_a_service_referring_to_another_services_endpoint_plans(project):
    """Acceptance: a stack file refers to another service's endpoint and plans."""

    def edit(services):
        services["api"]["env"]["BILLING_API"] = "${services.billing.endpoint}/v1"
        services["api"]["env"]["BILLING_PROJECT"] = "${services.billing.project_id}"

    _edit_dev(project, edit)
    result = _plan("--format", "json")
    assert result.exit_code == 0, result.output
    resources = {r["name"]: r for r in json.loads(result.stdout)["resources"]}
    api = resources["api-container"]
    assert api["inputs"]["environmentVariables"]["BILLING_API"] == "[unknown]"
    assert api["inputs"]["environmentVariables"]["LOG_LEVEL"] == "debug"
    # The container waits for billing's function (its endpoint) and project.
    variables = api["property_dependencies"]["environmentVariables"]
    assert resources["billing-function"]["urn"] in variables
    assert resources["billing-project"]["urn"] in variables


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (
            lambda s: s["api"]["env"].update(X="${services.nope.endpoint}"),
            "services.api.env.X",
            "unknown service; services of this stack: api, billing, reports",
        ),
        (
            lambda s: s["api"]["env"].update(X="${services.billing.url}"),
            "services.api.env.X",
            "unknown output; a service offers endpoint, namespace_id, project_id",
        ),
        (
            lambda s: s["api"]["env"].update(X="${services.api.endpoint}"),
            "services.api.env.X",
            "cannot refer to its own outputs",
        ),
        (
            lambda s: s["api"]["env"].update(X="${services.billing}"),
            "services.api.env.X",
            "a reference is written ${services.<key>.<output>}",
        ),
        (
            lambda s: s["api"].update(description="${services.billing.endpoint}"),
            "services.api.description",
            "only accepted where a value may come from another resource",
        ),
        (
            lambda s: (
                s["reports"].setdefault("env", {}).update(X="${services.api.registry_endpoint}")
            ),
            "services.reports.env.X",
            "no registry endpoint",
        ),
        (
            lambda s: (
                s["api"]["env"].update(R="${services.reports.endpoint}"),
                s["billing"]["env"].update(A="${services.api.endpoint}"),
            ),
            "services.",
            "form a cycle (services.billing -> services.api -> services.reports",
        ),
        (
            # reports calls billing; billing referring to reports closes a cycle.
            lambda s: s["billing"]["env"].update(A="${services.reports.endpoint}"),
            "services.",
            "calls and references form a cycle",
        ),
    ],
)
def test_a_bad_reference_is_an_exit_2_error_naming_the_key_path(project, edit, path, words):
    _edit_dev(project, edit)
    result = _plan()
    assert result.exit_code == 2, result.output
    assert "stacks/Pulumi.dev.yaml" in result.output
    assert path in result.output and words in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "reference",
    [
        "${services.Planted-a91c04d7e2b3.endpoint}",  # a token where the key belongs
        "${services.billing.c2VjcmV0Cg==}",  # and where the output does
        "${Planted-5be7f1c2903d.billing.endpoint}",
    ],
)
def test_a_reference_holding_a_pasted_value_is_pointed_at_not_shown(project, reference):
    _edit_dev(project, lambda s: s["api"]["env"].update(X=reference))
    result = _plan()
    assert result.exit_code == 2, result.output
    assert "services.api.env.X: the reference: unknown" in result.output, result.output
    planted = reference[2:-1].split(".")
    assert not [part for part in planted if len(part) > 8 and part in result.output]


def test_a_reference_to_a_missing_service_is_named_with_the_other_problems(project):
    def edit(services):
        services["api"]["env"]["X"] = "${services.gone.endpoint}"
        services["billing"]["max_scale"] = "many"

    _edit_dev(project, edit)
    result = _plan()
    assert result.exit_code == 2
    assert "services.api.env.X" in result.output and "services.billing.max_scale" in result.output


def test_references_in_a_shared_namespace_are_refused(project):
    path = project / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["private-serverless:namespaces"] = {
        "jobs": {"kind": "function", "env": {"URL": "${services.billing.endpoint}"}}
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = _plan()
    assert result.exit_code == 2
    assert "namespaces.jobs.env.URL" in result.output and "services only" in result.output


_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="${}", blacklist_categories=("Cs",)), max_size=20
)


@settings(max_examples=60, deadline=None)
@given(prefix=_TEXT, suffix=_TEXT, key=st.sampled_from(["billing", "api", "a-b"]))
def test_a_reference_inside_a_string_is_replaced_in_place(prefix, suffix, key):
    text = f"{prefix}${{services.{key}.endpoint}}{suffix}"
    ref = Reference("services.x.env.A", "services", key, "endpoint")
    resolved = substitute(
        {"env": {"A": text, "B": text}},
        "services.x",
        [ref],
        lambda found: f"https://{found.key}.example",
    )
    assert resolved["env"]["A"] == f"{prefix}https://{key}.example{suffix}"
    assert resolved["env"]["B"] == text  # only the key paths found are replaced
