"""Fuzzing stack files: every mutation of a real stack ends in a plan or a clear error.

The real ``stacks/Pulumi.dev.yaml`` is mutated (keys dropped, unknown keys added, values
replaced by junk of other types, huge numbers, long unicode strings, empty maps, duplicated
keys) and planned in-process. The only acceptable failure is a :class:`ConfigurationError`
naming the stack file; anything else is a bug. A few runs go through the real command in a
subprocess to check exit code 2 and the absence of a traceback.

Example counts come from the hypothesis profile (tests/conftest.py; ``HYPOTHESIS_PROFILE=slow``).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from private_serverless.errors import ConfigurationError
from private_serverless.plan.stack_plan import run_stack_plan
from private_serverless.project.stack.offline import load_offline_program

from fuzz.strategies import key_paths, mapping_paths, value_at

ROOT = Path(__file__).resolve().parent.parent
STACK = "fuzz"
LABEL = f"stacks/Pulumi.{STACK}.yaml"
BASE: dict[str, Any] = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())

# Keys a user might plausibly add or misspell, next to random ones.
_PLAUSIBLE_KEYS = [
    "kind",
    "runtime",
    "handler",
    "image",
    "port",
    "secrets",
    "env",
    "access",
    "condition",
    "name",
    "tags",
    "min_scale",
    "max_scale",
    "memory_limit_mb",
    "services",
    "defaults",
    "policy",
    "sourcedir",
    "Handler",
    "private-serverless:extra",
]


def _huge_string() -> st.SearchStrategy[str]:
    # Built by repetition: drawing 10,000 characters one by one would be slow to generate.
    return st.builds(lambda c, n: c * n, st.characters(), st.integers(256, 20_000))


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    _huge_string(),
    st.sampled_from(["env:BILLING_DB_PASSWORD", "config:missing", "function", "container", ""]),
)
JUNK = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=12), st.sampled_from(_PLAUSIBLE_KEYS)), children, max_size=4
        ),
    ),
    max_leaves=12,
)


@st.composite
def mutated_stacks(draw: st.DrawFn) -> dict[str, Any]:
    """The dev stack with one to four random mutations."""
    document = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["drop", "replace", "add", "empty", "clear_root"]))
        if operation == "add":
            target = value_at(document, draw(st.sampled_from(list(mapping_paths(document)))))
            key = draw(st.one_of(st.sampled_from(_PLAUSIBLE_KEYS), st.text(max_size=30)))
            target[key] = draw(JUNK)
            continue
        if operation == "clear_root":
            document = draw(st.sampled_from([{}, {"config": {}}, {"config": None}, None, []]))
            break
        paths = list(key_paths(document))
        if not paths:
            break
        *parent_path, key = draw(st.sampled_from(paths))
        parent = value_at(document, tuple(parent_path))
        if operation == "drop":
            del parent[key]
        elif operation == "empty":
            parent[key] = {}
        else:
            parent[key] = draw(JUNK)
    return document


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project (Pulumi.yaml, services/, .env.example) to write stacks into."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "Pulumi.yaml", root)
    shutil.copy(ROOT / "__main__.py", root)  # the program plan runs
    shutil.copy(ROOT / ".env.example", root)
    shutil.copytree(ROOT / "services", root / "services")
    (root / "stacks").mkdir()
    return root


def _plan_or_configuration_error(project: Path, text: str | bytes) -> None:
    """Plan the stack written as ``text``; only a ConfigurationError naming it may come out."""
    path = project / LABEL
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    def loader(stack: str) -> Any:
        return load_offline_program(
            stack, project_dir=project, env_file=project / ".env.example", environ={}
        )

    try:
        plan = run_stack_plan(STACK, loader=loader)
    except ConfigurationError as exc:
        assert exc.where == LABEL, str(exc)
        assert exc.problems
        assert "Traceback" not in str(exc)
        return
    assert plan.resources
    assert plan.outputs["services"]  # a valid plan exports its services


@given(document=mutated_stacks())
def test_mutated_stack_plans_or_fails_cleanly(project: Path, document: Any) -> None:
    _plan_or_configuration_error(project, yaml.safe_dump(document, allow_unicode=True))


_DEV_TEXT = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()


@given(
    line=st.integers(0, _DEV_TEXT.count("\n") - 1),
    edit=st.sampled_from(["duplicate", "delete", "insert"]),
    junk=st.text(max_size=20),
)
def test_text_edits_of_the_stack_file_plan_or_fail_cleanly(
    project: Path, line: int, edit: str, junk: str
) -> None:
    # Line-level edits reach what a dumped dict cannot: duplicate keys, broken indentation,
    # YAML tags and anchors typed by hand.
    lines = _DEV_TEXT.split("\n")
    if edit == "duplicate":
        lines.insert(line, lines[line])
    elif edit == "delete":
        del lines[line]
    else:
        lines.insert(line, junk)
    _plan_or_configuration_error(project, "\n".join(lines))


# Regressions: each of these raised something other than ConfigurationError before.
@pytest.mark.parametrize(
    ("replace", "by", "path"),
    [
        ("      max_scale: 2\n", "      max_scale: 2\n      max_scale: 3\n", "max_scale"),
        ("    billing:\n", "    reports:\n      kind: function\n    billing:\n", "reports"),
        ("LOG_LEVEL: debug", "LOG_LEVEL: !!binary aGVsbG8=", "binary"),
        ("LOG_LEVEL: debug", "LOG_LEVEL: !!set {a}", "set"),
        ("max_scale: 2", "max_scale: " + "9" * 5000, "max_scale: an integer beyond 64 bits"),
        ("LOG_LEVEL: debug", "LOG_LEVEL: " + "[" * 3000 + "]" * 3000, "nested"),
        ("LOG_LEVEL: debug", "LOG_LEVEL: " + "[" * 40 + "]" * 40, "nested more than"),
        ("memory_limit_mb: 128", "memory_limit_mb: 128\n      tags: 5", "services.billing.tags"),
        ("memory_limit_mb: 128", "memory_limit_mb: 128\n      tags: abc", "services.billing.tags"),
        ("source_dir: services/billing", "source_dir: " + "é" * 300, "source_dir"),
        (
            "  private-serverless:policy:\n    max_key_lifetime_days: 90\n",
            "  private-serverless:policy:\n",
            "policy: must be a mapping",
        ),
        ("memory_limit_mb: 128", "memory_limit_mb: 128\n      build_dir: /proc/x", "build_dir"),
    ],
)
def test_regressions_are_configuration_errors(
    project: Path, replace: str, by: str, path: str
) -> None:
    assert replace in _DEV_TEXT
    (project / LABEL).write_text(_DEV_TEXT.replace(replace, by, 1), encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        run_stack_plan(
            STACK,
            loader=lambda stack: load_offline_program(
                stack, project_dir=project, env_file=project / ".env.example", environ={}
            ),
        )
    assert caught.value.where == LABEL
    assert path in str(caught.value)


def test_duplicate_key_error_names_the_key_path_and_lines(project: Path) -> None:
    text = _DEV_TEXT.replace("      max_scale: 2\n", "      max_scale: 2\n      max_scale: 3\n", 1)
    (project / LABEL).write_text(text)
    with pytest.raises(ConfigurationError) as caught:
        load_offline_program(STACK, project_dir=project)
    [problem] = caught.value.problems
    assert problem.path == "config.private-serverless:services.billing.max_scale"
    assert "duplicate key" in problem.message and "lines 18 and 19" in problem.message


def test_dates_stay_strings_and_merge_keys_still_work(project: Path) -> None:
    text = _DEV_TEXT.replace("LOG_LEVEL: debug", "LOG_LEVEL: 2024-01-01", 1)
    (project / LABEL).write_text(text)
    _, config, _ = load_offline_program(STACK, project_dir=project)
    assert '"LOG_LEVEL": "2024-01-01"' in config["private-serverless:services"]
    (project / LABEL).write_text(
        "base: &b {a: 1, b: 2}\nconfig:\n  p:x:\n    <<: *b\n    a: 3\n".replace(
            "base", "config"
        ).replace("config: &b", "encryptionsalt: &b", 1)
    )
    _, config, _ = load_offline_program(STACK, project_dir=project)
    assert config["p:x"] == '{"a": 3, "b": 2}'


def test_non_utf8_stack_file(project: Path) -> None:
    (project / LABEL).write_bytes(b"config:\n  p:k: \xff\xfe\n")
    with pytest.raises(ConfigurationError, match="not UTF-8"):
        load_offline_program(STACK, project_dir=project)


# --- the command, in a subprocess: exit code 2, one message, no traceback -------------------


@pytest.mark.parametrize(
    "text",
    [
        _DEV_TEXT.replace("      max_scale: 2\n", "      max_scale: 2\n      max_scale: 3\n", 1),
        _DEV_TEXT.replace("max_scale: 2", "max_scale: " + "9" * 5000, 1),
        _DEV_TEXT.replace("memory_limit_mb: 128", "memory_limit_mb: 128\n      tags: 5", 1),
    ],
    ids=["duplicate-key", "huge-int", "wrong-type"],
)
def test_cli_reports_invalid_stacks_without_traceback(project: Path, text: str) -> None:
    (project / LABEL).write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "private_serverless",
            "plan",
            "--stack",
            STACK,
            "--env-file",
            ".env.example",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert completed.stderr.startswith(f"error: {LABEL}")
