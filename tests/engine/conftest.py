"""Planning the recorded stack files offline, as the CLI does, in a copy of the project.

The key expiries count from the day of the recordings (``compare.RECORDED_ON``), so that a
new key's ``expiresAt`` can be compared with the engine's. Plans are cached for the session:
most scenarios share one base.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from private_serverless.access import key_rotation
from private_serverless.plan.model import Plan
from private_serverless.plan.secret_digests import PLAN_KEY_VARIABLE
from private_serverless.plan.stack_plan import run_stack_plan

from ..test_stacks import ROOT, SECRET_VARIABLES
from .compare import RECORDED_ON, RECORDINGS

#: A plan key for both plans of a scenario, as a pipeline sets one for the job: without it the
#: plan cannot see that a secret changed (the g-secret-billing scenario).
TEST_PLAN_KEY = "engine-recordings-test-key"

PlanStack = Callable[..., Plan]


class _RecordingDay(datetime):
    """``datetime`` whose ``now`` is the recording day (only the date part is read)."""

    @classmethod
    def now(cls, tz: Any = None) -> _RecordingDay:
        return cls(RECORDED_ON.year, RECORDED_ON.month, RECORDED_ON.day, 12, tzinfo=tz or UTC)


@pytest.fixture(scope="session")
def plan_stack(tmp_path_factory: pytest.TempPathFactory) -> PlanStack:
    """``plan_stack(stack, stack_file, env_file=None, plan_key=None)``: the offline plan of a
    stack file (env file default: the project's ``.env.example``)."""
    project = tmp_path_factory.mktemp("engine-project")
    for name in ("Pulumi.yaml", "__main__.py", ".env.example"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "services", project / "services")
    (project / "stacks").mkdir()
    cache: dict[tuple[str, str, str, str | None], Plan] = {}

    def plan(
        stack: str, stack_file: Path, env_file: Path | None = None, plan_key: str | None = None
    ) -> Plan:
        env = env_file or project / ".env.example"
        key = (stack, stack_file.read_text(), env.read_text(), plan_key)
        if key not in cache:
            shutil.copy(stack_file, project / "stacks" / f"Pulumi.{stack}.yaml")
            # Only while planning: a session fixture's patches would leak into other tests.
            with pytest.MonkeyPatch.context() as patch, contextlib.chdir(project):
                for variable in SECRET_VARIABLES:
                    patch.delenv(variable, raising=False)
                if plan_key is None:
                    patch.delenv(PLAN_KEY_VARIABLE, raising=False)
                else:
                    patch.setenv(PLAN_KEY_VARIABLE, plan_key)
                patch.setattr(key_rotation, "datetime", _RecordingDay)
                cache[key] = run_stack_plan(stack, env_file=env)
        return cache[key]

    return plan


def scenario_files(name: str) -> tuple[Path, Path | None]:
    """A scenario's changed stack file and its ``env`` file (``None``: the example one)."""
    folder = RECORDINGS / "scenarios" / name
    env = folder / "env"
    return folder / "Pulumi.dev.yaml", env if env.exists() else None
