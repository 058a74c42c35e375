"""Shared fixtures: a planted secret, a function source tree, and a runner for programs under
Pulumi's mock runtime (the offline plan engine, the same one `private-serverless plan` uses)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from private_serverless.core.inventory import ResourceRecord
from private_serverless.plan.model import Plan
from private_serverless.plan.runner import run_plan

# Hypothesis profiles, picked with HYPOTHESIS_PROFILE. They set the example count of the tests
# that do not fix their own (the fuzz suites, tests/test_fuzz_*.py): `default` keeps the whole
# suite fast, `slow` runs 10,000 per test (minutes to hours; not in CI).
_FUZZ_SETTINGS = {
    "deadline": None,  # one case runs the whole offline plan; timing varies with the machine
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("default", max_examples=60, **_FUZZ_SETTINGS)
settings.register_profile("slow", max_examples=10_000, **_FUZZ_SETTINGS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PLANTED_SECRET = "PLANTED-s3cr3t-7f3a9c"
PLANTED_SECRET_2 = "PLANTED-tok-51be02"


@pytest.fixture
def source_dir(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "lib").mkdir(parents=True)
    (src / "handler.py").write_text("def handle(event, context):\n    return {'body': 'ok'}\n")
    (src / "lib" / "util.py").write_text("VALUE = 1\n")
    return src


@pytest.fixture
def plan_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Callable[[], None]], Plan]:
    """Run a program under the mock runtime and return what the engine received.

    One deployment-style run (every output has a made-up value), unless ``preview=True`` asks
    for the preview view a plan shows as well (the program then runs twice)."""
    monkeypatch.chdir(tmp_path)  # archives are written relative to the working directory

    def run(program: Callable[[], None], *, preview: bool = False) -> Plan:
        return run_plan(program, project="test", stack="dev", preview=preview)

    return run


def by_type(plan: Plan, type_token: str) -> list[ResourceRecord]:
    return [r for r in plan.resources if r.type == type_token]


def only(plan: Plan, type_token: str) -> ResourceRecord:
    found = by_type(plan, type_token)
    assert len(found) == 1, f"expected one {type_token}, got {[r.name for r in found]}"
    return found[0]


def dump(plan: Plan) -> str:
    """Everything a plan holds, as text, to scan for leaked values."""
    return json.dumps(
        {"resources": [r.__dict__ for r in plan.resources], "outputs": plan.outputs},
        default=str,
    )
