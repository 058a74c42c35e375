"""Records resembling what this library's components register, for the policy and audit tests.

Kept out of conftest.py so that other test modules of the project are not affected.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from private_serverless.core.inventory import SECRET_PLACEHOLDER, ResourceRecord

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PROJECT = "11111111-1111-4111-8111-111111111111"
OTHER_PROJECT = "33333333-3333-4333-8333-333333333333"
ORG = "22222222-2222-4222-8222-222222222222"
BILLING_APP_ID = "aaaaaaaa-0000-4000-8000-000000000001"
WEB_APP_ID = "aaaaaaaa-0000-4000-8000-000000000002"
IP_CONDITION = 'inIpRange(request.ip, "198.51.100.0/24")'

STACK_URN = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"

FUNCTION = "scaleway:functions/function:Function"
CONTAINER = "scaleway:containers/container:Container"
FUNCTION_NAMESPACE = "scaleway:functions/namespace:Namespace"
CONTAINER_NAMESPACE = "scaleway:containers/namespace:Namespace"
APPLICATION = "scaleway:iam/application:Application"
API_KEY = "scaleway:iam/apiKey:ApiKey"
POLICY = "scaleway:iam/policy:Policy"


def urn(type_: str, name: str, parent_type: str | None = None) -> str:
    """A URN as the engine builds it (parent type chain + type, then the name)."""
    chain = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:dev::shop::{chain}::{name}"


def record(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    component: str | None = None,
    component_type: str = "private-serverless:index:PrivateFunction",
    dependencies: tuple[str, ...] = (),
) -> ResourceRecord:
    parent = urn(component_type, component) if component else STACK_URN
    return ResourceRecord(
        urn=urn(type_, name, component_type if component else None),
        type=type_,
        name=name,
        parent=parent,
        inputs=inputs or {},
        dependencies=dependencies,
    )


def _service(
    kind: str, name: str, app_id: str, permission_set: str, service: ResourceRecord
) -> list[ResourceRecord]:
    component_type = f"private-serverless:index:Private{kind}"
    component = ResourceRecord(
        urn=urn(component_type, name),
        type=component_type,
        name=name,
        parent=STACK_URN,
        custom=False,
    )
    app = record(
        APPLICATION,
        f"{name}-caller",
        {"name": f"{name}-caller"},
        component=name,
        component_type=component_type,
    )
    key = record(
        API_KEY,
        f"{name}-caller-key",
        {
            "applicationId": app_id,
            "expiresAt": (NOW + timedelta(days=30)).isoformat().replace("+00:00", "Z"),
            "description": "caller key",
        },
        component=name,
        component_type=component_type,
        dependencies=(app.urn,),
    )
    policy = record(
        POLICY,
        f"{name}-caller-access",
        {
            "applicationId": app_id,
            "rules": [
                {
                    "permissionSetNames": [permission_set],
                    "projectIds": [PROJECT],
                    "condition": IP_CONDITION,
                }
            ],
        },
        component=name,
        component_type=component_type,
        dependencies=(app.urn,),
    )
    service = replace(service, parent=component.urn)
    return [component, service, app, key, policy]


def compliant_records() -> list[ResourceRecord]:
    """A stack with one private function and one private container, done right."""
    stack = ResourceRecord(urn=STACK_URN, type="pulumi:pulumi:Stack", name="shop-dev", custom=False)
    fn_ns = record(
        FUNCTION_NAMESPACE,
        "billing-ns",
        {
            "environmentVariables": {"LOG_LEVEL": "info"},
            "secretEnvironmentVariables": {"DB_PASSWORD": SECRET_PLACEHOLDER},
        },
        component="billing",
    )
    function = record(
        FUNCTION,
        "billing",
        {
            "privacy": "private",
            "httpOption": "redirected",
            "namespaceId": "ns-id",
            "environmentVariables": {
                "REGION": "fr-par",
                "PROJECT_ID": PROJECT,
                "BUILD_SHA": "4f1d2c3b5a6e7f8091a2b3c4d5e6f708192a3b4c",
                "DOCS_URL": "https://example.com/docs/billing",
            },
            "secretEnvironmentVariables": {"API_TOKEN": SECRET_PLACEHOLDER},
        },
        component="billing",
    )
    ct_ns = record(
        CONTAINER_NAMESPACE,
        "web-ns",
        {"environmentVariables": {}},
        component="web",
        component_type="private-serverless:index:PrivateContainer",
    )
    container = record(
        CONTAINER,
        "web",
        {
            "privacy": "private",
            "httpsConnectionsOnly": True,
            "environmentVariables": {"PORT": "8080"},
            "secretEnvironmentVariables": {"SESSION_SECRET": SECRET_PLACEHOLDER},
        },
        component="web",
        component_type="private-serverless:index:PrivateContainer",
    )
    return [
        stack,
        fn_ns,
        *_service("Function", "billing", BILLING_APP_ID, "FunctionsPrivateAccess", function),
        ct_ns,
        *_service("Container", "web", WEB_APP_ID, "ContainersPrivateAccess", container),
    ]


def find(records: list[ResourceRecord], name: str) -> ResourceRecord:
    """The custom resource called ``name`` (components share names with their children)."""
    return next(r for r in records if r.name == name and r.custom)


def replaced(records: list[ResourceRecord], name: str, **inputs: Any) -> list[ResourceRecord]:
    """``records`` with the inputs of resource ``name`` updated (None removes an input)."""
    out = []
    for r in records:
        if r.name == name and r.custom:
            merged = {**r.inputs, **inputs}
            out.append(replace(r, inputs={k: v for k, v in merged.items() if v is not None}))
        else:
            out.append(r)
    return out
