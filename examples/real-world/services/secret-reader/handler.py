"""Reads a secret version from Secret Manager with the function's own key (SERVICE_*)."""

import os
from typing import Any

from scaleway import Client
from scaleway.secret.v1beta1 import SecretV1Beta1API


def handle(event: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    client = Client(
        access_key=os.environ["SERVICE_ACCESS_KEY"],
        secret_key=os.environ["SERVICE_SECRET_KEY"],
        default_project_id=os.environ["SERVICE_PROJECT_ID"],
        default_region="fr-par",
    )
    version = SecretV1Beta1API(client).access_secret_version(
        secret_id=os.environ["DATABASE_SECRET_ID"], revision="latest_enabled"
    )
    return {"statusCode": 200, "body": f"read {len(version.data)} bytes"}
