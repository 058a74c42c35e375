"""Only inputs that exist, and are not deprecated, in the installed provider SDK are sent.

The SDK's generated ``*Args`` classes are the provider schema: each input is a property whose
getter carries the engine name, and deprecated ones are wrapped by the SDK's ``deprecated``
decorator. Every input of every resource the components register is checked against them.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest
from private_serverless import (
    AccessArgs,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    PrivateNamespace,
    PrivateNamespaceArgs,
    Probe,
    ServiceCall,
)


def schema_of(type_token: str) -> dict[str, bool]:
    """Engine input name -> deprecated?, read from the SDK's Args class for ``type_token``."""
    _, module_and_class = type_token.split(":", 1)
    module_path, class_name = module_and_class.split(":")
    module = importlib.import_module(f"pulumiverse_scaleway.{module_path.split('/')[0]}")
    args_class = getattr(module, f"{class_name}Args")
    schema: dict[str, bool] = {}
    for attribute in vars(args_class).values():
        if isinstance(attribute, property) and attribute.fget is not None:
            getter = attribute.fget
            engine_name = getattr(getter, "_pulumi_name", None)
            inner = getter.__dict__.get("_pulumi_deprecated_callable")
            engine_name = engine_name or getattr(inner, "_pulumi_name", None)
            if engine_name:
                schema[engine_name] = inner is not None
    assert schema, f"no schema found for {type_token}"
    return schema


def nested_schema_of(type_token: str, input_name: str) -> dict[str, bool] | None:
    """The schema of a block input (``sqs`` of a Trigger -> TriggerSqsArgs), if it has one."""
    _, module_and_class = type_token.split(":", 1)
    module_path, class_name = module_and_class.split(":")
    pascal = input_name[0].upper() + input_name[1:]
    for candidate in (pascal, pascal.removesuffix("s")):
        token = f"x:{module_path}:{class_name}{candidate}"
        try:
            return schema_of(token)
        except AttributeError:
            continue
    return None


def test_schema_reader_sees_known_deprecations():
    container = schema_of("scaleway:containers/container:Container")
    assert container["memoryLimitBytes"] is False
    assert container["memoryLimit"] is True
    assert container["registryImage"] is True
    assert nested_schema_of("scaleway:containers/trigger:Trigger", "sqs") == {
        "accessKey": False,
        "endpoint": False,
        "queueUrl": False,
        "secretKey": False,
        "projectId": False,
        "queue": True,
        "region": False,
    }
    assert nested_schema_of("scaleway:functions/trigger:Trigger", "sqs")["namespaceId"] is True


_NETWORK = "fr-par/11111111-2222-4333-8444-555555555555"
_QUEUE_URL = (
    "https://sqs.mnq.fr-par.scaleway.com/project-11111111-2222-4333-8444-555555555555/orders"
)


def _everything(source_dir: Path) -> None:
    (source_dir / "index.js").write_text("export function handler() {}\n")  # the handler's file
    fn = PrivateFunction(
        "fn",
        PrivateFunctionArgs(
            runtime="node22",
            handler="index.handler",
            source_dir=source_dir,
            env={"MODE": "x"},
            secrets={"TOKEN_A": "x"},
            dedicated_project=True,
            access=AccessArgs(
                condition='request.user_agent.contains("CI")',
                key_generation=1,
                store_key_in_secret_manager=True,
            ),
            region="nl-ams",
            tags=["team-a"],
            description="d",
            protect=True,
            private_network_id=_NETWORK.split("/")[1],  # nl-ams: a plain UUID
            sandbox="v2",
            schedules={"nightly": {"schedule": "0 2 * * *", "time_zone": "Europe/Paris"}},
            queues={
                "orders": {"sqs": {"queue_url": _QUEUE_URL}},
                "events": {"nats": {"account_id": _NETWORK, "subject": "a.b"}},
            },
            domain={"hostname": "fn.example.com", "dns_zone": "example.com"},
        ),
    )
    fn.grant_invoke("ci", "00000000-0000-4000-8000-000000000000")
    # Shared namespaces of both kinds, with every input they take, and a service in each.
    for kind in ("function", "container"):
        shared = PrivateNamespace(
            f"shared-{kind}",
            PrivateNamespaceArgs(
                kind=kind,
                name=f"shared-{kind}",
                project_id="11111111-2222-4333-8444-555555555555",
                region="fr-par",
                description="d",
                tags=["team-a"],
                env={"SHARED_MODE": "x"},
                secrets={"SHARED_TOKEN": "x"},
            ),
        )
        if kind == "function":
            PrivateFunction(
                "fn-shared",
                PrivateFunctionArgs(
                    runtime="node22",
                    handler="index.handler",
                    source_dir=source_dir,
                    namespace=shared,
                ),
            )
        else:
            PrivateContainer(
                "ctr-shared",
                PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/img:1", namespace=shared),
            )
    PrivateContainer(
        "ctr",
        PrivateContainerArgs(
            image="rg.fr-par.scw.cloud/ns/img:1",
            image_digest="sha256:" + "0" * 64,  # registrySha256
            port=8443,
            protocol="h2c",
            command=["/app"],
            args=["--serve"],
            env={"MODE": "x"},
            secrets={"TOKEN_B": "y"},
            liveness_probe=Probe(),
            startup_probe=Probe(http_path=None),
            min_scale=1,
            max_scale=3,
            memory_limit_mb=1024,
            cpu_limit_mvcpu=560,
            private_network_id=_NETWORK,
            scaling={"concurrent_requests": 20},
            sandbox="v2",
            local_storage_limit_mb=2000,  # localStorageLimitBytes
            schedules={
                "nightly": {
                    "schedule": "0 2 * * *",
                    "args": {"a": 1},
                    "schedule_time_zone": "Europe/Paris",  # cron.timezone
                    "headers": {"X-Job": "nightly"},  # cron.headers
                    "http_method": "put",  # destinationConfig.httpMethod
                    "description": "nightly run",  # description
                }
            },
            queues={
                "orders": {"sqs": {"queue_url": _QUEUE_URL}, "http_method": "patch"},
                "events": {"nats": {"account_id": _NETWORK, "subject": "a.b"}},
            },
            domain={"hostname": "ctr.example.com", "dns_zone": "example.com"},
            domains=[
                {"hostname": "api.example.com", "dns_zone": "example.com"},
                {"hostname": "api.example.org"},
            ],
            registry={"name": "team-api", "description": "images of ctr"},
            # Its own grants (project, another project, the organization) on the same identity.
            identity={
                "grants": [
                    {"permission_set": "SecretManagerSecretAccess"},
                    {"permission_set": "ObjectStorageObjectsRead", "scope": _NETWORK[7:]},
                    {
                        "permission_set": "AuditTrailReadOnly",
                        "scope": "organization",
                        "condition": 'request.user_agent.contains("ctr")',
                    },
                ],
                "key_generation": 1,
            },
            # Its identity, the call's policy and two key generations.
            calls=[
                ServiceCall(
                    service=fn,
                    condition='request.user_agent.contains("ctr")',
                    key_generation=1,
                    key_expires_in_days=30,
                )
            ],
        ),
    )


#: Inputs of the provider options added for issue 22: (type, input, key of a block or "").
NEW_INPUTS = [
    ("scaleway:functions/function:Function", "sandbox", ""),
    ("scaleway:containers/container:Container", "localStorageLimitBytes", ""),
    ("scaleway:containers/trigger:Trigger", "cron", "timezone"),
    ("scaleway:containers/trigger:Trigger", "cron", "headers"),
    ("scaleway:containers/trigger:Trigger", "description", ""),
    ("scaleway:containers/trigger:Trigger", "destinationConfig", "httpMethod"),
    ("scaleway:registry/namespace:Namespace", "isPublic", ""),
    ("scaleway:registry/namespace:Namespace", "name", ""),
    ("scaleway:registry/namespace:Namespace", "description", ""),
]


def test_every_sent_input_exists_and_is_not_deprecated(plan_of, source_dir):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = plan_of(lambda: _everything(source_dir))
    custom = [r for r in plan.resources if r.custom]
    assert {r.name for r in custom} >= {
        "ctr-identity",
        "ctr-calls-fn",
        "ctr-calls-fn-key-gen1",
        "ctr-calls-fn-key-gen0",
        "ctr-grants",
        "ctr-identity-key-gen1",
        "ctr-identity-key-gen0",
    }
    assert {r.type for r in custom} >= {
        "scaleway:functions/function:Function",
        "scaleway:containers/container:Container",
        "scaleway:functions/namespace:Namespace",
        "scaleway:containers/namespace:Namespace",
        "scaleway:iam/apiKey:ApiKey",
        "scaleway:iam/policy:Policy",
        "scaleway:secrets/secret:Secret",
        "scaleway:account/project:Project",
        "scaleway:functions/cron:Cron",
        "scaleway:functions/trigger:Trigger",
        "scaleway:functions/domain:Domain",
        "scaleway:containers/trigger:Trigger",
        "scaleway:containers/domain:Domain",
        "scaleway:domain/record:Record",
        "scaleway:mnq/sqsCredentials:SqsCredentials",
        "scaleway:mnq/natsCredentials:NatsCredentials",
        "scaleway:registry/namespace:Namespace",
    }
    for shared in ("shared-function-namespace", "shared-container-namespace"):
        (record,) = [r for r in custom if r.name == shared]
        assert set(record.inputs) >= {
            "environmentVariables",
            "secretEnvironmentVariables",
            "projectId",
            "region",
            "tags",
            "description",
            "name",
        }
    nested_checked = 0
    for record in custom:
        schema = schema_of(record.type)
        for name, value in record.inputs.items():
            assert name in schema, f"{record.name}: {name} is not an input of {record.type}"
            assert not schema[name], f"{record.name}: {name} is deprecated"
            # One level down: blocks such as a trigger's sqs or a container's scalingOptions
            # have Args classes of their own (TriggerSqsArgs, ContainerScalingOptionArgs).
            block_schema = nested_schema_of(record.type, name)
            blocks = value if isinstance(value, list) else [value]
            for block in blocks:
                if block_schema is None or not isinstance(block, dict):
                    continue
                nested_checked += 1
                for key in block:
                    where = f"{record.name}: {name}.{key}"
                    assert key in block_schema, f"{where} is not an input"
                    assert not block_schema[key], f"{where} is deprecated"
    assert nested_checked >= 8  # sqs, nats, cron, destinationConfig, scalingOptions, probes...
    # Each option the library added for issue 22 reaches the provider (and so was checked above).
    sent = {
        (record.type, name, key)
        for record in custom
        for name, value in record.inputs.items()
        for key in (value if isinstance(value, dict) else {"": None})
    }
    for expected in NEW_INPUTS:
        assert expected in sent, f"{expected} is never sent"
    deprecations = [
        w
        for w in caught
        if issubclass(w.category, DeprecationWarning) and "pulumiverse_scaleway" in w.filename
    ]
    assert deprecations == []


@pytest.mark.parametrize(
    "token", ["scaleway:functions/token:Token", "scaleway:containers/token:Token"]
)
def test_no_legacy_token_is_ever_registered(plan_of, source_dir, token):
    plan = plan_of(lambda: _everything(source_dir))
    assert all(r.type != token and "Token" not in r.type for r in plan.resources)
