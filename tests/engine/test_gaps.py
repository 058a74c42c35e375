"""The gaps the recordings showed between the offline plan and the engine (issue 24), each held
by a test of its own where the recordings cannot hold it (they record no stack outputs)."""

from __future__ import annotations

from private_serverless.plan.render.text import compact
from private_serverless.plan.values import (
    SECRET_SIGNATURE,
    SIGNATURE_KEY,
    UNKNOWN_SECRET_PLACEHOLDER,
    to_plan_value,
)
from pulumi.runtime.rpc import UNKNOWN


def _secret(value: object) -> dict[str, object]:
    return {SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}


def test_a_secret_unknown_before_the_apply_is_shown_unknown_not_known() -> None:
    assert to_plan_value(_secret(UNKNOWN)) == UNKNOWN_SECRET_PLACEHOLDER
    assert to_plan_value(_secret({"KEY": UNKNOWN, "OTHER": "x"})) == UNKNOWN_SECRET_PLACEHOLDER
    assert to_plan_value(_secret("known")) == "[secret]"
    assert compact({"secretEnvironmentVariables": UNKNOWN_SECRET_PLACEHOLDER}) == (
        '{"secretEnvironmentVariables": (secret, known after apply)}'
    )
