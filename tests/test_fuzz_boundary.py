"""Fuzzing every file the tools take: exports, plan files, outputs files and stack files.

Each generated file goes through the same code as its command (``fuzz/targets.py``): the only
acceptable ends are success and a ``PrivateServerlessError`` (exit 2) whose message quotes no
generated value. Inputs are real seeds mutated, junk JSON/YAML, and the crafted classes of
issue 12 (deep nesting, huge numbers, NaN, lone surrogates, alias bombs, secrets in URLs, alias
and tag names). Example counts come from the hypothesis profile (tests/conftest.py): `default`
keeps the suite fast, `slow` runs 10,000 per entry point; ``python fuzz/run.py`` measures them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from fuzz import strategies
from fuzz.targets import (
    export_target,
    outputs_target,
    plan_target,
    stack_file_target,
    stack_loader_target,
    stack_project,
)


@given(data=strategies.json_texts("export.json"))
def test_exports_are_audited_or_refused_cleanly(data: bytes) -> None:
    export_target(data)


@given(data=strategies.json_texts("plan.json"))
def test_plan_files_are_diffed_or_refused_cleanly(data: bytes) -> None:
    plan_target(data)


@given(data=strategies.json_texts("outputs.json"))
def test_outputs_files_are_verified_or_refused_cleanly(data: bytes) -> None:
    outputs_target(data)


@given(data=strategies.stack_texts())
def test_stack_file_texts_are_read_or_refused_cleanly(data: bytes) -> None:
    stack_loader_target(data)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stack_project(tmp_path_factory.mktemp("project"))


@given(data=strategies.stack_texts())
def test_stack_files_are_planned_or_refused_cleanly(project: Path, data: bytes) -> None:
    stack_file_target(data, project)


@pytest.mark.parametrize("text", strategies.CRAFTED_JSON, ids=range(len(strategies.CRAFTED_JSON)))
def test_crafted_json_in_every_reader(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    export_target(data)
    plan_target(data)
    outputs_target(data)


@pytest.mark.parametrize("text", strategies.CRAFTED_YAML, ids=range(len(strategies.CRAFTED_YAML)))
def test_crafted_yaml_stack_files(project: Path, text: str) -> None:
    stack_loader_target(text.encode())
    stack_file_target(text.encode(), project)
