"""Starts or stops an Instance, as Scaleway's instance-scheduler example does."""

import json
import os
from typing import Any

from scaleway import Client
from scaleway.instance.v1 import InstanceV1API, ServerAction


def handle(event: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    args = json.loads(event.get("body") or "{}")
    client = Client(
        access_key=os.environ["SERVICE_ACCESS_KEY"],
        secret_key=os.environ["SERVICE_SECRET_KEY"],
        default_project_id=os.environ["SERVICE_PROJECT_ID"],
        default_zone=os.environ["INSTANCE_ZONE"],
    )
    action = ServerAction.POWERON if args["action"] == "start" else ServerAction.POWEROFF
    InstanceV1API(client).server_action(server_id=args["server_id"], action=action)
    return {"statusCode": 200}
