"""The Markdown a pull request shows: JSON blocks that parse, and a diff that fits one comment."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless.plan.comment_fit import COMMENT_BUDGET, fit_comment, size

from .test_stacks import edit_stack, plan, project  # noqa: F401  # the fixture

SERVICES = "private-serverless:services"
_BLOCK = re.compile(r"^(`{3,})json\n(.*?)\n\1$", re.DOTALL | re.MULTILINE)


def _json_blocks(markdown: str) -> list[str]:
    return [match.group(2) for match in _BLOCK.finditer(markdown)]


def _fences_balanced(markdown: str) -> bool:
    fence: str | None = None
    for line in markdown.split("\n"):
        match = re.match(r"^(`{3,})", line)
        if match:
            if fence is None:
                fence = match.group(1)
            elif line.strip() == fence:
                fence = None
    return fence is None


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_json_block_of_a_stack_plan_parses(project, stack):  # noqa: F811
    result = plan("--stack", stack, "--env-file", ".env.example", "--format", "markdown")
    blocks = _json_blocks(result.stdout)
    assert blocks, "the plan folds each resource's inputs in a json block"
    for block in blocks:
        json.loads(block)
    assert "(known after apply)" not in "".join(blocks)
    assert '"[unknown]"' in "".join(blocks)  # what the plan JSON prints


def _rename_and_drop(config: dict[str, Any]) -> None:
    services = config[SERVICES]
    del services["billing"]["access"]
    services["gateway"] = services.pop("api")


def test_every_json_block_of_a_diff_parses_and_fences_balance(project):  # noqa: F811
    base = project / "base.json"
    plan("--stack", "dev", "--env-file", ".env.example", "--format", "json", "--out", str(base))
    edit_stack(project, "dev", _rename_and_drop)
    result = plan(
        "--stack",
        "dev",
        "--env-file",
        ".env.example",
        "--against",
        str(base),
        "--format",
        "markdown",
    )
    markdown = result.stdout
    for block in _json_blocks(markdown):
        json.loads(block)
    assert _fences_balanced(markdown)
    assert markdown.count("<details>") == markdown.count("</details>")
    assert size(markdown) <= COMMENT_BUDGET


def _section(title: str, lines: int, width: int, fenced: bool = False) -> str:
    body = [f"row {n} " + "x" * width for n in range(lines)]
    if fenced:
        body = ["```mermaid", "flowchart LR", *body, "```"]
    return "\n".join([f"### {title}", "", *body])


def test_a_huge_diff_keeps_the_access_changes_and_says_what_was_cut():
    sections = [_section("Access changes", 40, 80, fenced=True), _section("Findings", 10, 60)]
    sections += [_section(f"update: `res-{n}` (`Function`)", 60, 120) for n in range(30)]
    markdown = "## Plan changes: stack `dev`\n\n1 to update\n\n" + "\n\n".join(sections) + "\n"
    assert size(markdown) > COMMENT_BUDGET
    fitted = fit_comment(markdown)
    assert size(fitted) <= COMMENT_BUDGET
    assert fitted.index("### Access changes") < fitted.index("### Findings")
    assert "Cut to fit GitHub's 65,536-character comment limit" in fitted
    assert "res-29" in fitted.split("Cut to fit")[1]  # named among the cut sections
    assert _fences_balanced(fitted)
    assert fitted.count("<details>") == fitted.count("</details>")


def test_a_small_diff_is_unchanged_but_long_sections_fold():
    long = _section("update: `res` (`Function`)", 40, 10)
    markdown = "## t\n\n" + _section("Access changes", 3, 5) + "\n\n" + long + "\n"
    fitted = fit_comment(markdown)
    assert "Cut to fit" not in fitted
    assert "<details>" in fitted.split("### update")[1]
    assert "<details>" not in fitted.split("### update")[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 400), st.integers(0, 400), st.booleans()), min_size=1, max_size=12
    ),
    st.integers(2_000, 70_000),
)
def test_any_diff_fits_any_budget_with_balanced_blocks(shape, budget):
    sections = [
        _section(f"s{n}", lines, width, fenced) for n, (lines, width, fenced) in enumerate(shape)
    ]
    fitted = fit_comment("## t\n\nsummary\n\n" + "\n\n".join(sections) + "\n", budget)
    assert size(fitted) <= budget
    assert _fences_balanced(fitted)
    assert fitted.count("<details>") == fitted.count("</details>")


_NODE = re.compile(r'^  n\d+(\(\["[^"`]*"\]\)|\["[^"`]*"\])$')
_EDGE = re.compile(r'^  n\d+ (==>|-\.->|-->)\|"[^"|`]*"\| n\d+$')
_STYLE = re.compile(r"^  linkStyle \d+ stroke:#d00,stroke-width:3px$")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["gained", "lost", "changed"]),
            st.text(min_size=1, max_size=30),
            st.text(min_size=1, max_size=30),
            st.none() | st.text(max_size=60),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_access_diagram_lines_stay_mermaid_whatever_the_names(edges):
    from private_serverless.plan.access_diff import AccessChange, AccessDiff, access_diff_markdown

    changes = tuple(
        AccessChange(
            kind,
            f"application '{p}'",
            f"function '{s}'",
            before=c,
            after=c,
            strength="not comparable" if kind == "changed" else None,
        )
        for kind, p, s, c in edges
    )
    markdown = access_diff_markdown(AccessDiff(changes))
    block = markdown.split("```mermaid\nflowchart LR\n", 1)[1].split("\n```", 1)[0]
    for line in block.split("\n"):
        assert _NODE.match(line) or _EDGE.match(line) or _STYLE.match(line), line
