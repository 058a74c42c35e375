"""Billing function: answers only IAM-authenticated calls (the platform checks X-Auth-Token)."""

import json
import os


def handle(event, context):
    # DB_PASSWORD is a secret environment variable: encrypted at rest, never logged.
    configured = bool(os.environ.get("DB_PASSWORD"))
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"service": "billing", "database_configured": configured}),
    }
