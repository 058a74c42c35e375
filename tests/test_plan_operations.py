"""`plan --against`: the operation the engine gives each resource, for the changes stacks see.

Each scenario plans the dev stack, edits its file, plans again and diffs the two plans. The
expected operations follow the engine's rules (see private_serverless.plan.diff) and the
provider's force-new inputs (private_serverless.plan.force_new).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from private_serverless.plan.diff import PlanDiff, diff_plans
from private_serverless.plan.stack_plan import run_stack_plan

from .test_stacks import edit_stack, project  # noqa: F401  # the fixture

Edit = Callable[[dict[str, Any]], None]
SERVICES = "private-serverless:services"
DEFAULTS = "private-serverless:defaults"


def _diff(project_dir, edit: Edit, base_edit: Edit | None = None) -> PlanDiff:
    env = project_dir / ".env.example"
    if base_edit is not None:
        edit_stack(project_dir, "dev", base_edit)
    base = run_stack_plan("dev", env_file=env)
    edit_stack(project_dir, "dev", edit)
    return diff_plans(base, run_stack_plan("dev", env_file=env))


def _moving(diff: PlanDiff) -> dict[str, str]:
    """Every resource the engine touches, by name, with its operation."""
    return {change.name: change.op for change in diff.resources if change.op != "same"}


def _billing(edit: Callable[[dict[str, Any]], None]) -> Edit:
    return lambda config: edit(config[SERVICES]["billing"])


def _generation(number: int) -> Edit:
    return _billing(lambda svc: svc["access"].__setitem__("key_generation", number))


def test_first_rotation_creates_the_new_generation(project):  # noqa: F811
    assert _moving(_diff(project, _generation(1))) == {"billing-key-gen1": "create"}


@pytest.mark.parametrize(("before", "after"), [(1, 2), (2, 3)])
def test_later_rotations_create_one_key_and_retire_the_oldest(project, before, after):  # noqa: F811
    diff = _diff(project, _generation(after), base_edit=_generation(before))
    assert _moving(diff) == {
        f"billing-key-gen{after}": "create",
        f"billing-key-gen{before - 1}": "delete",
    }


def test_a_rotated_key_gets_a_fresh_expiry(project):  # noqa: F811
    diff = _diff(project, _generation(2), base_edit=_generation(1))
    [created] = diff.with_op("create")
    assert not created.changes  # a create, not a replacement inheriting ignored inputs
    plan = run_stack_plan("dev", env_file=project / ".env.example")
    [key] = [r for r in plan.resources if r.name == "billing-key-gen2"]
    expected = datetime.now(UTC).date() + timedelta(days=90)
    assert key.inputs["expiresAt"] == f"{expected.isoformat()}T00:00:00Z"


def test_region_change_replaces_what_lives_in_a_region(project):  # noqa: F811
    def move(config: dict[str, Any]) -> None:
        config[DEFAULTS]["region"] = "nl-ams"

    moving = _moving(_diff(project, move))
    for service, kind in (("billing", "function"), ("reports", "function"), ("api", "container")):
        assert moving[f"{service}-namespace"] == "replace"  # region is force-new
        assert moving[f"{service}-{kind}"] == "replace"  # region, and a namespace id unknown
        assert f"{service}-app" not in moving
    # Services in the default project: the keys name the namespace's project, unknown until
    # the new namespace exists, and defaultProjectId is force-new; the policy's rules update.
    for service in ("reports", "api"):
        assert moving[f"{service}-key-gen0"] == "replace"
        assert moving[f"{service}-policy"] == "update"
    # billing has a project of its own, which is not regional: its key and policy stay.
    assert "billing-project" not in moving
    assert "billing-key-gen0" not in moving
    assert "billing-policy" not in moving


def test_replaced_keys_show_the_expiry_they_keep_from_the_state(project):  # noqa: F811
    def move(config: dict[str, Any]) -> None:
        config[DEFAULTS]["region"] = "nl-ams"
        config[DEFAULTS]["key_expires_in_days"] = 30

    diff = _diff(project, move)
    [key] = [change for change in diff.resources if change.name == "reports-key-gen0"]
    assert key.op == "replace"
    assert [item.path for item in key.kept] == ["expiresAt"]


def test_renaming_a_service_deletes_and_creates_everything_it_owns(project):  # noqa: F811
    def rename(config: dict[str, Any]) -> None:
        config[SERVICES]["payments"] = config[SERVICES].pop("billing")
        # reports calls billing: the call follows, under the same variable names.
        config[SERVICES]["reports"]["calls"] = {
            "payments": {"endpoint_env": "BILLING_URL", "key_env": "BILLING_AUTH_TOKEN"}
        }

    moving = _moving(_diff(project, rename))
    assert {name for name, op in moving.items() if op == "delete"} == {
        "billing",
        "billing-project",
        "billing-namespace",
        "billing-function",
        "billing-app",
        "billing-key-gen0",
        "billing-policy",
        # The caller's grant and key for the old callee go with it.
        "reports-calls-billing",
        "reports-calls-billing-key-gen0",
    }
    assert {name for name, op in moving.items() if op == "create"} == {
        "payments",
        "payments-project",
        "payments-namespace",
        "payments-function",
        "payments-app",
        "payments-key-gen0",
        "payments-policy",
        "reports-calls-payments",
        "reports-calls-payments-key-gen0",
    }
    # Same variable names; the values are the new callee's endpoint and key.
    assert moving["reports-function"] == "update"
    # The caller keeps its identity (its description names the callees: updated in place).
    assert moving["reports-identity"] == "update"


@pytest.mark.parametrize(
    ("field", "value"),
    [("runtime", "python313"), ("memory_limit_mb", 256), ("env", {"LOG_LEVEL": "info"})],
)
def test_function_settings_update_in_place(project, field, value):  # noqa: F811
    diff = _diff(project, _billing(lambda svc: svc.__setitem__(field, value)))
    assert _moving(diff) == {"billing-function": "update"}


def test_condition_change_updates_the_policy(project):  # noqa: F811
    condition = 'request.user_agent.contains("billing-dev-client-2")'
    diff = _diff(project, _billing(lambda svc: svc["access"].__setitem__("condition", condition)))
    assert _moving(diff) == {"billing-policy": "update"}


def test_adding_and_removing_a_service(project):  # noqa: F811
    def add(config: dict[str, Any]) -> None:
        config[SERVICES]["extra"] = dict(config[SERVICES]["reports"], secrets={})
        config[SERVICES]["extra"].pop("calls")  # a service like reports, calling nothing

    added = _moving(_diff(project, add))
    assert set(added.values()) == {"create"}
    assert set(added) == {
        "extra",
        "extra-namespace",
        "extra-function",
        "extra-app",
        "extra-key-gen0",
        "extra-policy",
    }

    def remove(config: dict[str, Any]) -> None:
        del config[SERVICES]["extra"]

    removed = _moving(_diff(project, remove))
    assert removed == {name: "delete" for name in added}


def test_dedicated_project_moves_the_service_into_a_new_project(project):  # noqa: F811
    def isolate(config: dict[str, Any]) -> None:
        config[SERVICES]["reports"]["dedicated_project"] = True

    assert _moving(_diff(project, isolate)) == {
        "reports-project": "create",
        "reports-namespace": "replace",  # projectId is force-new
        "reports-function": "replace",  # its namespace is replaced
        "reports-key-gen0": "replace",  # defaultProjectId
        "reports-policy": "update",
    }


def test_secret_manager_storage_replaces_the_keys(project):  # noqa: F811
    def store(config: dict[str, Any]) -> None:
        config[DEFAULTS]["store_keys_in_secret_manager"] = True

    moving = _moving(_diff(project, store))
    for service in ("billing", "reports", "api"):
        assert moving[f"{service}-key-secret"] == "create"
        # A key's secret exists only in the response that creates the key.
        assert moving[f"{service}-key-gen0"] == "replace"
    assert set(moving.values()) == {"create", "replace"}


def test_a_plan_against_itself_changes_nothing(project):  # noqa: F811
    assert _diff(project, lambda config: None).is_empty


def _change_secret(project_dir) -> None:
    env = project_dir / ".env.example"
    env.write_text(
        env.read_text().replace("example-dev-db-password", "example-dev-db-password-rotated")
    )


def test_a_changed_secret_updates_its_function_when_plans_share_a_key(project, monkeypatch):  # noqa: F811
    plan_key = "plan-key-only-this-job-knows"
    monkeypatch.setenv("PRIVATE_SERVERLESS_PLAN_KEY", plan_key)
    diff = _diff(project, lambda config: _change_secret(project))
    assert _moving(diff) == {"billing-function": "update"}
    [change] = diff.with_op("update")
    assert [(item.path, item.old, item.new) for item in change.changes] == [
        # The variable that changed, as the engine's detailedDiff names it
        # (engine-recordings/scenarios/g-secret-billing), never its value.
        ("secretEnvironmentVariables.DB_PASSWORD", "[secret]", "[secret]")
    ]
    # reports' secret variables hold its calls key, unknown until that key exists: nothing
    # to digest, so a secret beside it cannot be compared, key or not.
    assert diff.secrets_not_compared == ("reports-function",)
    from private_serverless.plan.diff import (
        render_diff_json,
        render_diff_markdown,
        render_diff_text,
    )

    for render in (render_diff_text, render_diff_markdown, render_diff_json):
        shown = render(diff)
        assert "example-dev-db-password" not in shown
        assert plan_key not in shown


def test_without_a_plan_key_a_diff_says_secrets_were_not_compared(project, monkeypatch):  # noqa: F811
    monkeypatch.delenv("PRIVATE_SERVERLESS_PLAN_KEY", raising=False)
    diff = _diff(project, lambda config: _change_secret(project))
    assert diff.is_empty
    assert set(diff.secrets_not_compared) == {
        "billing-function",
        "reports-function",
        "api-container",
    }
    from private_serverless.plan.diff import render_diff_text

    assert "Secret values were not compared" in render_diff_text(diff)


def test_plan_json_with_digests_shows_neither_secrets_nor_the_key(project, monkeypatch):  # noqa: F811
    from .test_stacks import plan as run_cli

    plan_key = "plan-key-only-this-job-knows"
    monkeypatch.setenv("PRIVATE_SERVERLESS_PLAN_KEY", plan_key)
    result = run_cli("--stack", "dev", "--format", "json", "--env-file", ".env.example")
    assert result.exit_code == 0, result.output
    for line in (project / ".env.example").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            assert line.split("=", 1)[1] not in result.output
    assert plan_key not in result.output
    assert '"secretEnvironmentVariables": "' in result.output  # a digest is there


@pytest.mark.parametrize("plan_key", [None, "plan-key-only-this-job-knows"])
def test_rotating_a_call_key_updates_the_caller_that_holds_it(project, monkeypatch, plan_key):  # noqa: F811
    """The caller's secret variable takes the new key: unknown in both plans (and digested as
    such), but computed from a key being created, so the engine updates the function."""
    if plan_key is None:
        monkeypatch.delenv("PRIVATE_SERVERLESS_PLAN_KEY", raising=False)
    else:
        monkeypatch.setenv("PRIVATE_SERVERLESS_PLAN_KEY", plan_key)

    def rotate(config: dict[str, Any]) -> None:
        config[SERVICES]["reports"]["calls"] = {"billing": {"key_generation": 1}}

    assert _moving(_diff(project, rotate)) == {
        "reports-calls-billing-key-gen1": "create",
        "reports-function": "update",
    }
