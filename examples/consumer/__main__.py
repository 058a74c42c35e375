"""The consumer's Pulumi program: a private function and a private container."""

from pathlib import Path

import pulumi
from private_serverless import (
    AccessArgs,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
)
from private_serverless.conditions import hours_between, ip_in, weekdays

config = pulumi.Config()
HERE = Path(__file__).parent

hello = PrivateFunction(
    "hello",
    PrivateFunctionArgs(
        runtime="python312",
        handler="handler.handle",
        source_dir=HERE / "functions" / "hello",
        env={"LOG_LEVEL": "info"},
        secrets={"DB_PASSWORD": config.require_secret("dbPassword")},
        access=AccessArgs(
            condition=ip_in(config.require("officeCidr")) & weekdays() & hours_between(8, 19),
            key_expires_in_days=30,
        ),
    ),
)

api = PrivateContainer(
    "api",
    PrivateContainerArgs(
        image="rg.fr-par.scw.cloud/consumer/api:1.0.0",
        port=8080,
        secrets={"SIGNING_KEY": config.require_secret("signingKey")},
    ),
)

# The CI robot may call the API too, from its egress address only.
api.grant_invoke("ci", config.require("ciApplicationId"), condition=ip_in("203.0.113.42/32"))

pulumi.export("hello_endpoint", hello.endpoint)
pulumi.export("hello_api_key", hello.api_key)
pulumi.export("api_endpoint", api.endpoint)
pulumi.export("api_api_key", api.api_key)
