"""The CI workflows are held to the project's bar: zizmor and the workflow schema, offline."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


def _tool(name: str) -> str | None:
    # The dev extra installs both next to this interpreter; else anywhere on PATH.
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def test_there_are_workflows() -> None:
    assert FILES


@pytest.mark.skipif(_tool("zizmor") is None, reason="zizmor is not installed (dev extra)")
def test_zizmor_finds_nothing_high_or_medium() -> None:
    result = subprocess.run(
        [
            str(_tool("zizmor")),
            "--offline",
            "--format",
            "json",
            "--min-severity",
            "medium",
            str(WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    summary = [
        (f["ident"], f["determinations"]["severity"], f["locations"][0]["symbolic"]["key"])
        for f in findings
    ]
    assert findings == [], summary


@pytest.mark.skipif(
    _tool("check-jsonschema") is None, reason="check-jsonschema is not installed (dev extra)"
)
def test_workflows_match_the_github_workflow_schema() -> None:
    # The schema ships with check-jsonschema (vendored): no network.
    result = subprocess.run(
        [
            str(_tool("check-jsonschema")),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, FILES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version_noted(path: Path) -> None:
    for action, rest in _USES.findall(path.read_text(encoding="utf-8")):
        if action.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.search(r"#\s*v\d", rest), f"{action}: note the version in a comment"


def test_the_plan_job_posts_or_updates_one_comment_per_stack() -> None:
    workflow = (WORKFLOWS / "ci.yml").read_text()
    # A marker per stack finds the stack's own comment again; PATCH updates it, POST creates it.
    assert '"<!-- private-serverless-plan:$stack -->"' in workflow
    assert 'startswith(\\"$marker\\")' in workflow
    assert "-X PATCH" in workflow and "-X POST" in workflow
    # The comment is the diff (access changes first), which fits one comment by itself.
    assert 'cat "diff-$stack.md" >> "comment-$stack.md"' in workflow
