"""``python3 tasks.py plan``: the defaults it adds never override what the user gave."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import tasks


def _planned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]) -> list[str]:
    """The arguments ``tasks.plan(args)`` hands to ``private-serverless plan``."""
    calls: list[list[str]] = []

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(tasks.subprocess, "run", run)
    monkeypatch.setattr(tasks, "BIN", tmp_path)
    tasks.plan(args)
    assert len(calls) == 1
    assert calls[0][:2] == [str(tmp_path / "private-serverless"), "plan"]
    return calls[0][2:]


def test_without_options_the_dev_stack_and_the_example_secrets_are_planned(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert _planned(monkeypatch, tmp_path, []) == [
        "--stack",
        "dev",
        "--env-file",
        ".env.example",
    ]


@pytest.mark.parametrize(
    "given", [["--env-file", ".env"], ["--env-file=.env"], ["--format", "json", "--env-file=.env"]]
)
def test_an_env_file_given_in_either_form_is_the_only_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, given: list[str]
) -> None:
    planned = _planned(monkeypatch, tmp_path, given)
    assert ".env.example" not in planned
    assert planned == ["--stack", "dev", *given]


@pytest.mark.parametrize(
    "given", [["--stack", "prod"], ["--stack=prod"], ["-s", "prod"], ["-sprod"]]
)
def test_a_stack_given_in_any_form_is_the_only_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, given: list[str]
) -> None:
    assert _planned(monkeypatch, tmp_path, given) == [*given, "--env-file", ".env.example"]
