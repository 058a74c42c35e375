"""`plan --against` as a review: access changes first, findings, breaking changes.

Stack scenarios edit a copy of the project's stack files and diff the CLI's plans, as a pull
request's CI does; program scenarios use the components directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateFunction, PrivateFunctionArgs
from private_serverless.plan import (
    diff_plans,
    render_diff_json,
    render_diff_markdown,
    render_diff_text,
)
from private_serverless.plan.access_diff import compare_conditions

from .test_stacks import edit_stack, plan, project  # noqa: F401  # the fixture

SERVICES = "private-serverless:services"
OFFICE = 'inIpRange(request.ip, "198.51.100.0/24")'


def _against(project_dir: Path, stack: str, edit: Any, fmt: str) -> tuple[int, str]:
    base = project_dir / "base.json"
    made = plan(
        "--stack", stack, "--env-file", ".env.example", "--format", "json", "--out", str(base)
    )
    assert made.exit_code in (0, 1), made.output
    edit_stack(project_dir, stack, edit)
    result = plan(
        "--stack", stack, "--env-file", ".env.example", "--against", str(base), "--format", fmt
    )
    return result.exit_code, result.stdout


def _drop_reports_condition(config: dict[str, Any]) -> None:
    del config[SERVICES]["reports"]["access"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_dropping_a_condition_shows_the_edge_weakened_first_with_its_finding(project, fmt):  # noqa: F811
    code, out = _against(project, "prod", _drop_reports_condition, fmt)
    assert code == 1  # prod requires a condition: the new finding is mandatory
    if fmt == "json":
        data = json.loads(out)
        assert list(data)[2] == "access_changes"  # after stack and base_stack
        edges = data["access_changes"]["edges"]
        assert [(e["change"], e["service"], e["alarm"]) for e in edges] == [
            ("weakened", "function 'reports'", True)
        ]
        assert edges[0]["condition_after"] is None
        assert OFFICE in edges[0]["condition_before"]
        new = data["findings_changes"]["appeared"]
        assert [(f["rule"], f["severity"]) for f in new] == [("require-condition", "mandatory")]
        return
    assert "weakened" in out
    # First: before any resource, finding or breaking-change section.
    weakened = out.index("weakened")
    for later in ("require-condition", "reports-policy", "Resources"):
        assert weakened < out.index(later)
    assert "require-condition" in out
    if fmt == "markdown":
        assert out.index("### Access changes") < out.index("### Findings")
        assert "> [!WARNING]" in out


def test_a_reworded_condition_of_the_same_meaning_is_not_an_alarm(project):  # noqa: F811
    def edit(config: dict[str, Any]) -> None:
        access = config[SERVICES]["api"]["access"]
        access["condition"] = f"({access['condition']})"

    code, out = _against(project, "staging", edit, "json")
    assert code == 0
    edges = json.loads(out)["access_changes"]["edges"]
    assert [(e["change"], e["alarm"]) for e in edges] == [("reworded", False)]


def test_a_tightened_condition_is_strengthened(project):  # noqa: F811
    def edit(config: dict[str, Any]) -> None:
        config[SERVICES]["api"]["access"]["condition"] = 'inIpRange(request.ip, "198.51.100.0/25")'

    _, out = _against(project, "staging", edit, "json")
    edges = json.loads(out)["access_changes"]["edges"]
    assert [(e["change"], e["alarm"]) for e in edges] == [("strengthened", False)]


def test_removing_a_service_loses_its_edges(project):  # noqa: F811
    _, out = _against(project, "dev", lambda config: config[SERVICES].pop("api"), "json")
    edges = json.loads(out)["access_changes"]["edges"]
    assert edges and all(e["change"] == "lost" for e in edges)
    assert {e["service"] for e in edges} == {"container 'api'"}


def test_a_rename_is_breaking_and_changes_the_endpoint_output(project):  # noqa: F811
    def rename(config: dict[str, Any]) -> None:
        services = config[SERVICES]
        config[SERVICES] = {("gateway" if k == "api" else k): v for k, v in services.items()}

    _, out = _against(project, "dev", rename, "json")
    data = json.loads(out)
    breaking = {(b["name"], b["op"]) for b in data["breaking"]}
    assert ("api-container", "delete") in breaking
    assert ("api-key-gen0", "delete") in breaking
    assert data["breaking_count"] == len(data["breaking"])
    outputs = {o["path"]: o["kind"] for o in data["outputs"]}
    assert outputs["api_endpoint"] == "removed"
    assert outputs["gateway_endpoint"] == "added"
    assert data["outputs_changed"] == len(data["outputs"])
    flagged = {r["name"] for r in data["resources"] if r["breaking"]}
    assert {"api-container", "api-key-gen0"} <= flagged


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_breaking_changes_are_in_the_summary_and_marked(project, fmt):  # noqa: F811
    def rename(config: dict[str, Any]) -> None:
        config[SERVICES]["gateway"] = config[SERVICES].pop("api")

    _, out = _against(project, "dev", rename, fmt)
    summary = out.splitlines()[0 if fmt == "text" else 2]
    assert re.search(r"\b[1-9]\d* breaking\b", summary), summary
    assert "BREAKING" in out
    assert "api-container" in out[: out.index("Resources")]


def _function(source_dir: Path) -> PrivateFunction:
    return PrivateFunction(
        "billing",
        PrivateFunctionArgs(runtime="python312", handler="handler.handle", source_dir=source_dir),
    )


def test_a_grant_invoke_caller_is_one_gained_edge(plan_of, source_dir):
    base = plan_of(lambda: _function(source_dir), preview=True)

    def with_ci() -> None:
        _function(source_dir).grant_invoke("ci", "11111111-1111-4111-8111-111111111111")

    diff = diff_plans(base, plan_of(with_ci, preview=True))
    assert [(c.kind, c.service, c.after, c.alarm) for c in diff.access.changes] == [
        ("gained", "function 'billing'", None, True)
    ]
    assert "gained" in render_diff_text(diff).split("Resources:")[0]
    markdown = render_diff_markdown(diff)
    assert "```mermaid" in markdown.split("### Resources")[0]
    data = json.loads(render_diff_json(diff))
    assert data["access_changes"]["summary"] == {"gained": 1, "lost": 0, "changed": 0, "alarms": 1}


def test_a_conditioned_gained_edge_is_not_an_alarm(plan_of, source_dir):
    base = plan_of(lambda: _function(source_dir), preview=True)

    def with_ci() -> None:
        _function(source_dir).grant_invoke(
            "ci", "11111111-1111-4111-8111-111111111111", condition=OFFICE
        )

    diff = diff_plans(base, plan_of(with_ci, preview=True))
    assert [(c.kind, c.after, c.alarm) for c in diff.access.changes] == [("gained", OFFICE, False)]


def test_no_change_has_no_access_change(plan_of, source_dir):
    base = plan_of(lambda: _function(source_dir), preview=True)
    diff = diff_plans(base, plan_of(lambda: _function(source_dir), preview=True))
    assert diff.access.changes == ()
    assert "Access changes: none" in render_diff_text(diff)


# -- the condition comparison ---------------------------------------------------------------------

_ATOMS = [
    OFFICE,
    'inIpRange(request.ip, "198.51.100.0/25")',
    'request.user_agent.contains("CI")',
    "request.time.getDayOfWeek() != 0",
    'request.time.getHours("Europe/Paris") >= 9',
]


def test_comparisons():
    assert compare_conditions(OFFICE, None) == "weaker"
    assert compare_conditions(None, OFFICE) == "stronger"
    assert compare_conditions(OFFICE, f"{OFFICE} && {_ATOMS[2]}") == "stronger"
    assert compare_conditions(OFFICE, f"{OFFICE} || {_ATOMS[2]}") == "weaker"
    assert compare_conditions(OFFICE, f"({OFFICE})") == "equivalent"
    assert compare_conditions(OFFICE, _ATOMS[2]) == "not comparable"
    assert compare_conditions(OFFICE, "this is not CEL (") == "not comparable"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_ATOMS), st.sampled_from(_ATOMS))
def test_adding_a_conjunct_never_weakens_and_a_disjunct_never_strengthens(a: str, b: str):
    assert compare_conditions(a, f"({a}) && ({b})") in ("stronger", "equivalent")
    assert compare_conditions(a, f"({a}) || ({b})") in ("weaker", "equivalent")
    # Reversed: the same relation seen from the other side.
    assert compare_conditions(f"({a}) && ({b})", a) in ("weaker", "equivalent")


# -- archive changes ------------------------------------------------------------------------------


def _plan_json(project_dir: Path, name: str) -> Path:
    out = project_dir / name
    made = plan(
        "--stack", "dev", "--env-file", ".env.example", "--format", "json", "--out", str(out)
    )
    assert made.exit_code == 0, made.output
    return out


def test_a_changed_handler_file_shows_in_the_archive_changes(project):  # noqa: F811
    base = _plan_json(project, "base.json")
    handler = project / "services" / "billing" / "handler.py"
    handler.write_text(handler.read_text() + "\n# a change\n")
    (project / "services" / "billing" / "helpers.py").write_text("X = 1\n")
    result = plan("--stack", "dev", "--env-file", ".env.example", "--against", str(base))
    assert "archive files: 1 added, 0 removed, 1 changed" in result.stdout
    assert "      ~ handler.py" in result.stdout
    assert "      + helpers.py" in result.stdout
    data = json.loads(
        plan(
            "--stack",
            "dev",
            "--env-file",
            ".env.example",
            "--against",
            str(base),
            "--format",
            "json",
        ).stdout
    )
    billing = next(r for r in data["resources"] if r["name"] == "billing-function")
    assert billing["archive_changes"] == {
        "known": True,
        "added": ["helpers.py"],
        "removed": [],
        "changed": ["handler.py"],
    }
    markdown = plan(
        "--stack",
        "dev",
        "--env-file",
        ".env.example",
        "--against",
        str(base),
        "--format",
        "markdown",
    ).stdout
    assert "- `~ handler.py`" in markdown


def test_archive_changes_are_bounded_and_never_show_contents(project):  # noqa: F811
    base = _plan_json(project, "base.json")
    folder = project / "services" / "billing"
    for number in range(30):
        (folder / f"mod_{number:02}.py").write_text(f"SECRET_LOOKING_CONTENT_{number} = 1\n")
    result = plan("--stack", "dev", "--env-file", ".env.example", "--against", str(base))
    assert "archive files: 30 added, 0 removed, 0 changed" in result.stdout
    assert "+ ... and 10 more" in result.stdout
    assert "SECRET_LOOKING_CONTENT" not in result.stdout


def test_a_plan_without_file_lists_says_the_files_are_unknown(project):  # noqa: F811
    base = _plan_json(project, "base.json")
    data = json.loads(base.read_text())
    data.pop("archives")  # as a plan made before archives were listed
    base.write_text(json.dumps(data))
    handler = project / "services" / "billing" / "handler.py"
    handler.write_text(handler.read_text() + "\n# a change\n")
    result = plan("--stack", "dev", "--env-file", ".env.example", "--against", str(base))
    assert "archive files: files not known" in result.stdout


# -- renames that keep their resources ------------------------------------------------------------


def _rename_api(config: dict[str, Any], **extra: Any) -> None:
    services = config[SERVICES]
    config[SERVICES] = {
        ("gateway" if key == "api" else key): ({**value, **extra} if key == "api" else value)
        for key, value in services.items()
    }


def test_previous_names_keep_a_renamed_service_and_its_clients(project):  # noqa: F811
    code, out = _against(project, "dev", lambda c: _rename_api(c, previous_names=["api"]), "json")
    assert code == 0
    data = json.loads(out)
    assert data["breaking"] == []
    ops = {r["name"]: r["op"] for r in data["resources"]}
    assert "create" not in ops.values() and "delete" not in ops.values()
    assert ops["gateway-container"] == "same"  # still named "api" at Scaleway
    assert ops["gateway-key-gen0"] == "same"
    assert data["access_changes"]["edges"] == []
    outputs = {o["path"]: o["kind"] for o in data["outputs"]}
    assert outputs["gateway_endpoint"] == "added" and outputs["api_endpoint"] == "removed"


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        (["billing"], "names a service of this stack"),
        (["Not A Key"], "must be a service key"),
        (["old", "old"], "is listed twice"),
    ],
)
def test_previous_names_that_cannot_be_are_refused_with_the_key_path(project, previous, message):  # noqa: F811
    edit_stack(project, "dev", lambda c: _rename_api(c, previous_names=previous))
    result = plan("--stack", "dev", "--env-file", ".env.example")
    assert result.exit_code == 2
    assert "services.gateway.previous_names[" in result.output
    assert message in result.output


def test_a_python_rename_with_an_alias_keeps_every_child(plan_of, source_dir):
    import pulumi

    base = plan_of(lambda: _function(source_dir), preview=True)

    def renamed() -> None:
        PrivateFunction(
            "invoicing",
            PrivateFunctionArgs(
                runtime="python312",
                handler="handler.handle",
                source_dir=source_dir,
                name="billing",
            ),
            opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="billing")]),
        )

    diff = diff_plans(base, plan_of(renamed, preview=True))
    assert {c.op for c in diff.resources} <= {"same", "update"}
    assert diff.breaking == ()
    assert all(c.old_urn for c in diff.resources)  # every child matched through an alias


# -- secret maps: names, never values -------------------------------------------------------------


def _rename_secret(config: dict[str, Any]) -> None:
    secrets = config[SERVICES]["billing"]["secrets"]
    secrets["DB_PASS"] = secrets.pop("DB_PASSWORD")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_a_secret_rename_shows_both_names_and_no_value(project, fmt):  # noqa: F811
    _, out = _against(project, "dev", _rename_secret, fmt)
    assert "secretEnvironmentVariables.DB_PASS" in out
    assert "secretEnvironmentVariables.DB_PASSWORD" in out
    env = (project / ".env.example").read_text()
    for line in env.splitlines():
        if "=" in line and not line.startswith("#"):
            value = line.split("=", 1)[1].strip().strip("'\"")
            if len(value) >= 6:
                assert value not in out
    if fmt == "json":
        billing = next(r for r in json.loads(out)["resources"] if r["name"] == "billing-function")
        assert [(c["path"], c["kind"]) for c in billing["changes"]] == [
            ("secretEnvironmentVariables.DB_PASS", "added"),
            ("secretEnvironmentVariables.DB_PASSWORD", "removed"),
        ]


def test_an_empty_secret_map_shows_as_empty(plan_of, source_dir):
    from private_serverless.plan import render_markdown, render_text

    shown = plan_of(lambda: _function(source_dir), preview=True)
    assert "secretEnvironmentVariables = {}" in render_text(shown)
    assert '"secretEnvironmentVariables": {}' in render_markdown(shown)


def test_the_first_secret_of_a_service_is_one_variable_added(plan_of, source_dir):
    base = plan_of(lambda: _function(source_dir), preview=True)

    def with_secret() -> None:
        PrivateFunction(
            "billing",
            PrivateFunctionArgs(
                runtime="python312",
                handler="handler.handle",
                source_dir=source_dir,
                secrets={"DB_PASSWORD": "PLANTED-review-secret"},
            ),
        )

    diff = diff_plans(base, plan_of(with_secret, preview=True))
    text = render_diff_text(diff)
    assert "+ secretEnvironmentVariables.DB_PASSWORD = [secret]" in text
    assert "PLANTED-review-secret" not in text + render_diff_markdown(diff) + render_diff_json(diff)


def test_a_replaced_service_changes_its_endpoint_output(project):  # noqa: F811
    def dedicate(config: dict[str, Any]) -> None:
        config[SERVICES]["reports"]["dedicated_project"] = True

    _, out = _against(project, "dev", dedicate, "json")
    data = json.loads(out)
    assert ("reports-function", "replace") in {(b["name"], b["op"]) for b in data["breaking"]}
    changed = {o["path"] for o in data["outputs"] if o["kind"] == "changed"}
    assert {"reports_endpoint", "services.reports.endpoint"} <= changed
    assert data["outputs_changed"] >= 2
