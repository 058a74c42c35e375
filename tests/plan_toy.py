"""A toy Pulumi program for the plan-engine tests: real Scaleway resources, a planted secret.

Not a test module: the tests build programs from it inside fixtures, never at import time.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumiverse_scaleway as scw
from private_serverless.plan.mocks import mock_uuid

PROJECT = "toy"
STACK = "dev"

#: Must never appear in any rendering of a plan.
PLANTED_SECRET = "PLANTED-SECRET-123"
PLANTED_CONFIG_SECRET = "PLANTED-CONFIG-SECRET-456"
#: The secret key the mocks give the API key (an output the SDK marks secret).
MOCK_API_SECRET_KEY = mock_uuid("billing-key", "secret-key")

ALL_SECRETS = (PLANTED_SECRET, PLANTED_CONFIG_SECRET, MOCK_API_SECRET_KEY)

FUNCTION = "scaleway:functions/function:Function"
NAMESPACE = "scaleway:functions/namespace:Namespace"
APPLICATION = "scaleway:iam/application:Application"
POLICY = "scaleway:iam/policy:Policy"
API_KEY = "scaleway:iam/apiKey:ApiKey"
COMPONENT = "test:toy:Service"


def urn(qualified_type: str, name: str) -> str:
    """A URN of the toy stack, as the real engine would build it."""
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified_type}::{name}"


STACK_URN = urn("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}")
SERVICE_URN = urn(COMPONENT, "billing")


def child_urn(type_token: str, name: str) -> str:
    """The URN of a resource directly under the ``billing`` component."""
    return urn(f"{COMPONENT}${type_token}", name)


class Service(pulumi.ComponentResource):
    """A private function, its caller application, a policy and an API key."""

    def __init__(self, name: str, mode: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(COMPONENT, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = scw.functions.Namespace(f"{name}-ns", opts=child)
        self.function = scw.functions.Function(
            f"{name}-fn",
            namespace_id=namespace.id,
            runtime="python311",
            handler="handler.handle",
            privacy="private",
            min_scale=0,
            environment_variables={"MODE": mode},
            secret_environment_variables={"API_TOKEN": pulumi.Output.secret(PLANTED_SECRET)},
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        application = scw.iam.Application(f"{name}-caller", opts=child)
        scw.iam.Policy(
            f"{name}-invoke",
            application_id=application.id,
            rules=[
                scw.iam.PolicyRuleArgs(
                    project_ids=[namespace.project_id],
                    permission_set_names=["FunctionsReadOnly"],
                )
            ],
            opts=child,
        )
        self.key = scw.iam.ApiKey(f"{name}-key", application_id=application.id, opts=child)
        self.register_outputs({})


def toy_program(*, mode: str = "prod", extra: bool = False) -> Callable[[], None]:
    """The toy program; ``mode`` changes an input, ``extra`` adds a resource."""

    def program() -> None:
        config = pulumi.Config()
        token = config.require_secret("token")
        settings = config.get_object("settings") or {}
        service = Service("billing", mode)
        if extra:
            scw.iam.Application("auditor", description=str(settings.get("team", "")))
        # A careless log line: the plan must still not show the secret.
        token.apply(lambda value: pulumi.log.warn(f"token in use: {value}"))
        pulumi.export("endpoint", service.function.domain_name)
        pulumi.export("token", pulumi.Output.secret(PLANTED_SECRET))
        pulumi.export("api_secret_key", service.key.secret_key)

    return program


TOY_CONFIG = {"token": PLANTED_CONFIG_SECRET, "settings": '{"team": "payments"}'}
TOY_SECRET_KEYS = {"token"}
