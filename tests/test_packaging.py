"""A components-only install stays light; the command line and its libraries are an extra."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


@pytest.mark.parametrize(
    ("requirements", "constraint"),
    [
        ("requirements.txt", "-c requirements/pulumi-install.txt"),
        ("policy/requirements.txt", "-c ../requirements/pulumi-install.txt"),
    ],
)
def test_what_pulumi_installs_itself_is_held_to_the_lock(
    requirements: str, constraint: str
) -> None:
    # `pulumi install` and the policy pack's first run create their virtualenvs with pip from
    # these files; without the constraints they would resolve the newest versions in range.
    lines = (ROOT / requirements).read_text().splitlines()
    assert constraint in lines
    target = (ROOT / requirements).parent / constraint.split(" ", 1)[1]
    assert target.resolve() == tasks.PULUMI_CONSTRAINTS


def test_the_pulumi_constraints_are_the_test_locks_pins() -> None:
    written = tasks.PULUMI_CONSTRAINTS.read_text()
    assert written == tasks.constraints_of(tasks.LOCKS["test"].read_text()), (
        f"{tasks.PULUMI_CONSTRAINTS.relative_to(ROOT)} is out of date with the lock: run "
        "`python3 tasks.py lock`"
    )
    assert _pins(tasks.PULUMI_CONSTRAINTS) == _pins(tasks.LOCKS["test"])
    assert "--hash" not in written


def test_constraints_keep_versions_and_markers_and_drop_hashes_and_comments() -> None:
    lock = (
        "# header\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "    # via rich\n"
        "pulumi==3.272.0 \\\n"
        "    --hash=sha256:cc\n"
    )
    body = [line for line in tasks.constraints_of(lock).splitlines() if not line.startswith("#")]
    assert body == ["colorama==0.4.6 ; sys_platform == 'win32'", "pulumi==3.272.0"]


def _pins(lock: Path) -> dict[str, str]:
    """``name -> version`` of each ``name==version`` line of a lock file."""
    pins = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize("task", sorted(tasks.LOCKS))
def test_each_tasks_lock_pins_every_requirement_within_its_range(task: str) -> None:
    pins = _pins(tasks.LOCKS[task])
    wanted = list(PROJECT["dependencies"])
    for extra in tasks.EXTRAS[task]:
        wanted += PROJECT["optional-dependencies"][extra]
    stale = []
    for text in wanted:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            stale.append(f"{requirement} (locked: {pinned})")
    assert not stale, (
        f"{tasks.LOCKS[task].relative_to(ROOT)} is out of date with pyproject.toml for "
        f"{stale}: run `python3 tasks.py lock`"
    )


def test_the_plan_lock_pins_what_the_test_lock_pins() -> None:
    plan, test = _pins(tasks.LOCKS["plan"]), _pins(tasks.LOCKS["test"])
    assert plan, "the plan lock pins nothing"
    assert {name: version for name, version in plan.items() if test.get(name) != version} == {}


@pytest.mark.parametrize("task", sorted(tasks.LOCKS))
def test_every_pin_carries_a_hash(task: str) -> None:
    # An install from a lock with hashes fails on any file PyPI did not publish.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", tasks.LOCKS[task].read_text())
    pinned = [block for block in blocks if "==" in block.split("\n", 1)[0]]
    assert pinned
    assert all("--hash=sha256:" in block for block in pinned)


def test_a_failing_uv_hands_the_install_to_pip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[list[str]] = []

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 1)

    monkeypatch.setattr(tasks.subprocess, "run", run)
    monkeypatch.setattr(tasks, "BIN", tmp_path)
    used_pip: list[Path] = []
    monkeypatch.setattr(tasks, "_install_with_pip", used_pip.append)
    monkeypatch.setattr(tasks, "uv", lambda: tmp_path / "uv")
    monkeypatch.setattr(tasks, "STAMP", tmp_path / ".installed")
    tasks.ensure_venv("plan")
    assert calls and calls[0][:2] == [str(tmp_path / "uv"), "venv"]
    assert used_pip == [tasks.LOCKS["plan"]]
