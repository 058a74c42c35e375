"""A components-only install stays light; the command line and its libraries are an extra."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import tasks

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower()
        for requirement in requirements
    }


def test_the_base_install_has_no_cli_policy_or_terminal_library() -> None:
    assert not _names(PROJECT["dependencies"]) & {
        "typer",
        "rich",
        "click",
        "pulumi-policy",
        "python-dotenv",
    }


def test_the_extras_hold_them() -> None:
    extras = PROJECT["optional-dependencies"]
    assert {"typer", "rich", "python-dotenv"} <= _names(extras["cli"])
    assert "pulumi-policy" in _names(extras["policy"])
    assert {"zizmor", "check-jsonschema"} <= _names(extras["dev"])


def test_the_console_script_survives_a_missing_extra() -> None:
    assert PROJECT["scripts"]["private-serverless"] == "private_serverless.console:main"


def test_planning_installs_no_test_tools() -> None:
    assert tasks.EXTRAS["plan"] == ("cli",)
    assert set(tasks.EXTRAS["test"]) >= {"cli", "policy", "dev"}


def test_the_pulumi_program_of_this_repo_installs_the_cli_extra() -> None:
    # `pulumi install` reads requirements.txt; the YAML stack program needs python-dotenv.
    assert "-e .[cli]" in (ROOT / "requirements.txt").read_text().splitlines()
