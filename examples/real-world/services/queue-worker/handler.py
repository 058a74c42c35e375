"""Processes one SQS message per call (the queue trigger POSTs it)."""

from typing import Any


def handle(event: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "body": "processed"}
