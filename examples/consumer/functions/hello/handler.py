from typing import Any


def handle(event: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "body": "hello"}
