"""``private-serverless condition check|eval``: output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from private_serverless.cli import app
from typer.testing import CliRunner

runner = CliRunner()
HOURS = 'request.time.getHours("Europe/Paris") >= 9 && request.time.getHours("Europe/Paris") < 18'


def test_check_valid() -> None:
    result = runner.invoke(app, ["condition", "check", 'inIpRange(request.ip, "198.51.100.0/24")'])
    assert result.exit_code == 0
    assert result.stdout == "valid\n"
    assert result.stderr == ""


def test_check_valid_with_warning() -> None:
    condition = 'inIpRange(request.ip, "10.0.0.0/8") || inIpRange(request.ip, "192.0.2.0/24")'
    result = runner.invoke(app, ["condition", "check", condition])
    assert result.exit_code == 0
    assert result.stdout == "valid\n"
    assert "warning: 10.0.0.0/8 is in a private (RFC 1918) range" in result.stderr


def test_check_invalid_points_at_the_problem() -> None:
    result = runner.invoke(app, ["condition", "check", "request.time.getHours() < 24"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: 24 is not a valid hour: getHours() returns 0 to 23 at line 1, column 27",
        "  request.time.getHours() < 24",
        "                            ^",
    ]


@pytest.mark.parametrize(
    ("time", "output", "code"),
    [
        ("2026-03-29T07:00:00Z", "allowed", 0),  # 09:00 Paris summer time
        ("2026-03-29T06:59:00Z", "denied", 1),
        ("2026-10-25T09:00:00+01:00", "allowed", 0),
        ("2026-10-25T18:00:00+01:00", "denied", 1),
    ],
)
def test_eval_allowed_and_denied(time: str, output: str, code: int) -> None:
    result = runner.invoke(app, ["condition", "eval", HOURS, "--ip", "203.0.113.1", "--time", time])
    assert (result.exit_code, result.stdout) == (code, f"{output}\n")


def test_eval_user_agent_and_ipv6() -> None:
    condition = 'inIpRange(request.ip, "2001:db8::/32") && request.user_agent.contains("CI")'
    args = ["condition", "eval", condition, "--ip", "2001:db8::7", "--time", "2026-01-05T10:00Z"]
    assert runner.invoke(app, [*args, "--user-agent", "TrustedCI/2"]).exit_code == 0
    assert runner.invoke(app, [*args, "--user-agent", "curl"]).exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["unknownFn(1)", "--ip", "192.0.2.1"], "unknown function 'unknownFn'"),
        (["true", "--ip", "192.0.2.999"], "--ip: '192.0.2.999' is not an IPv4 or IPv6 address"),
        (["true", "--ip", "192.0.2.1", "--time", "soon"], "is not an ISO 8601 date and time"),
        (
            ["true", "--ip", "192.0.2.1", "--time", "2026-03-30T09:00:00"],
            "has no UTC offset; add one (+02:00) or Z",
        ),
    ],
)
def test_eval_invalid_input_exits_2_without_traceback(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["condition", "eval", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_eval_defaults_to_now() -> None:
    result = runner.invoke(app, ["condition", "eval", "true", "--ip", "192.0.2.1"])
    assert (result.exit_code, result.stdout) == (0, "allowed\n")


def test_module_entry_point() -> None:
    components = Path(__file__).resolve().parents[1] / "components"
    env = {**os.environ, "PYTHONPATH": str(components), "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "private_serverless", "condition"]
    invalid = subprocess.run(
        [*command, "check", "resource.id == 'x'"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    assert invalid.returncode == 2
    assert "unknown variable 'resource'" in invalid.stderr
    assert "Traceback" not in invalid.stderr
    denied = subprocess.run(
        [*command, "eval", 'inIpRange(request.ip, "198.51.100.0/24")', "--ip", "192.0.2.1"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    assert (denied.returncode, denied.stdout) == (1, "denied\n")


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("true", "restricts nothing"),
        ('request.user_agent.contains("x") || true', "restricts nothing"),
        ('inIpRange(request.ip, "0.0.0.0/0")', "restricts nothing"),
        ('inIpRange(request.ip, "::/0")', "restricts nothing"),
        ('request.user_agent.matches(".*")', "restricts nothing"),
        ("request.time.getHours() >= 0", "restricts nothing"),
        ('inIpRange(request.ip, "10.0.0.0/8") || inIpRange(request.ip, "192.168.0.0/16")', "never"),
        ("false", "never true"),
        ("request.time.getHours() >= 18 && request.time.getHours() < 9", "never true"),
        ('request.user_agent.matches("(?<=a)b")', "invalid regular expression"),
        ('request.user_agent.matches("(a)\\\\1")', "invalid regular expression"),
    ],
)
def test_check_refuses_meaningless_conditions(condition: str, reason: str) -> None:
    result = runner.invoke(app, ["condition", "check", condition])
    assert result.exit_code == 2, result.output
    assert reason in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "condition",
    [
        'request.user_agent.matches("\\\\p{L}") && request.time.getHours() >= 9',
        'request.time.getHours("+02:00") >= 9',
    ],
)
def test_check_accepts_re2_classes_and_fixed_offsets(condition: str) -> None:
    result = runner.invoke(app, ["condition", "check", condition])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_eval_uses_re2_and_fixed_offsets() -> None:
    condition = 'request.user_agent.matches("^\\\\p{L}+$") && request.time.getHours("+02:00") == 10'
    args = ["condition", "eval", condition, "--ip", "192.0.2.1", "--time", "2026-03-02T08:30:00Z"]
    assert runner.invoke(app, [*args, "--user-agent", "été"]).exit_code == 0
    assert runner.invoke(app, [*args, "--user-agent", "ete1"]).exit_code == 1


@pytest.mark.parametrize(
    ("expression", "expected", "message"),
    [
        (
            'request.time.getHours() < 12 || request.time.getHours("Etc/UTC") >= 12',
            2,
            "restricts nothing",
        ),
        ('request.time.getHours("Zulu") >= 8 || request.time.getHours("GMT") < 8', 2, "nothing"),
        ('request.time < timestamp("9999-12-31T23:59:59-01:00")', 2, "range CEL timestamps"),
        ('request.time < timestamp("0001-01-01T00:00:00+01:00")', 2, "range CEL timestamps"),
        ('request.time < timestamp("9999-12-31T23:59:59Z")', 2, "10 years away"),
        ('request.time < timestamp("9999-12-31T23:59:59Z") && true || false', 2, "nothing"),
        ('request.time.getHours("+01:00") < 12 || request.time.getHours("Etc/GMT-1") >= 12', 2, ""),
        (
            'request.time.getHours("+01:00") < 12 || request.time.getHours("Europe/Paris") >= 12',
            0,
            "",
        ),
    ],
)
def test_check_judges_extreme_times_and_zone_aliases(
    expression: str, expected: int, message: str
) -> None:
    result = runner.invoke(app, ["condition", "check", expression])
    assert result.exit_code == expected, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59-23:59"]
)
def test_eval_refuses_a_time_outside_cel_range(time: str) -> None:
    result = runner.invoke(
        app, ["condition", "eval", HOURS, "--ip", "198.51.100.7", "--time", time]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --time: the time is outside the range")
