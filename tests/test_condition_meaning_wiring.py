"""Meaningless conditions stop components and stacks before anything is registered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from private_serverless import AccessArgs
from private_serverless.conditions import ip_in, not_
from private_serverless.errors import ConfigurationError

from .test_stacks import edit_stack, plan, project  # noqa: F401 (the fixture, by name)


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("true", "restricts nothing"),
        ('inIpRange(request.ip, "0.0.0.0/0")', "restricts nothing"),
        ('inIpRange(request.ip, "10.0.0.0/8")', "never true"),
        (not_(ip_in("10.0.0.0/8")), "restricts nothing"),
    ],
)
def test_access_args_refuse_meaningless_conditions(condition: Any, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=reason):
        AccessArgs(condition=condition)


def test_a_restricting_condition_is_accepted() -> None:
    args = AccessArgs(condition=ip_in("198.51.100.0/24") | ip_in("2001:db8::/32"))
    assert args.condition is not None and args.condition_warnings == []


@pytest.mark.usefixtures("project")
def test_stack_with_an_always_true_condition_is_a_configuration_error() -> None:
    def loosen(config: dict[str, Any]) -> None:
        access = config["private-serverless:services"]["billing"]["access"]
        access["condition"] = 'request.user_agent.contains("x") || true'

    edit_stack(Path.cwd(), "dev", loosen)
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2, result.output
    assert "services.billing.access.condition" in result.output
    assert "restricts nothing" in result.output
    assert "Traceback" not in result.output
