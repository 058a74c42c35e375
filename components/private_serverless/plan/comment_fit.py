"""A Markdown diff that fits in one pull-request comment.

GitHub refuses a comment body over 65,536 characters: the REST API answers 422 "Body is too long
(maximum is 65536 characters)" (https://github.com/danger/danger/issues/424, the error as
GitHub's API returns it; https://github.com/trstringer/manual-approval/issues/89). The size is
counted here in UTF-8 bytes, which is never less than the characters, so the bound holds
however GitHub counts (https://github.com/dead-claudia/github-limits/pull/13 measured comments
counted in bytes).

The diff's sections are ``### `` headings. Long sections are folded into ``<details>``; when the
whole is still too long, sections are cut from the end (the resources and outputs come last,
the access changes, breaking changes and findings first) and the comment says which were cut
and where the full diff is. A section too long on its own is cut at a line, with its open code
fence and ``<details>`` closed.
"""

from __future__ import annotations

import re
from typing import Final

#: GitHub's limit on a comment body.
GITHUB_COMMENT_LIMIT: Final = 65_536
#: What the diff may take of one comment: the workflow adds a marker line and a heading.
COMMENT_BUDGET: Final = GITHUB_COMMENT_LIMIT - 1_536
#: Sections longer than this many lines are folded into <details>.
FOLD_LINES: Final = 25
#: Sections never folded: a reviewer reads them first.
_OPEN = ("### Access changes", "### BREAKING", "### Findings")

_FENCE = re.compile(r"^(`{3,})")


def size(text: str) -> int:
    """The size GitHub's limit is checked against here (UTF-8 bytes)."""
    return len(text.encode("utf-8"))


def fit_comment(markdown: str, budget: int = COMMENT_BUDGET) -> str:
    """``markdown`` folded, and cut if need be, to at most ``budget`` bytes."""
    head, sections = _split(markdown)
    sections = [_fold(section) for section in sections]
    whole = _join(head, sections)
    if size(whole) <= budget:
        return whole
    kept = list(sections)
    cut: list[str] = []
    while kept:
        note = _note(cut)
        if size(_join(head, kept) + note) <= budget:
            return _join(head, kept) + note
        cut.insert(0, _title(kept.pop()))
    # Even the first section does not fit alone: keep what fits of it.
    note = _note(cut)
    room = budget - size(head) - size(note) - 200
    first = _truncate(sections[0], room) if sections else ""
    return _join(head, [first]) + note


def _split(markdown: str) -> tuple[str, list[str]]:
    """The text before the first ``### `` heading, and each section (outside code fences)."""
    head: list[str] = []
    sections: list[list[str]] = []
    fence: str | None = None
    for line in markdown.rstrip("\n").split("\n"):
        match = _FENCE.match(line)
        if match:
            fence = match.group(1) if fence is None else (None if line.strip() == fence else fence)
        if fence is None and line.startswith("### ") and not match:
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            head.append(line)
    return "\n".join(head), ["\n".join(lines).rstrip("\n") for lines in sections]


def _join(head: str, sections: list[str]) -> str:
    return "\n\n".join([head.rstrip("\n"), *sections]).rstrip("\n") + "\n"


def _title(section: str) -> str:
    return section.split("\n", 1)[0].removeprefix("### ").strip()


def _fold(section: str) -> str:
    """A long section under its heading, folded into <details> (the review sections stay
    open: they are what a reviewer reads first)."""
    lines = section.split("\n")
    if len(lines) <= FOLD_LINES or section.startswith(_OPEN) or "<details>" in section:
        return section
    body = "\n".join(lines[1:]).strip("\n")
    summary = f"{len(lines) - 1} lines"
    return "\n".join(
        [lines[0], "", "<details>", f"<summary>{summary}</summary>", "", body, "", "</details>"]
    )


def _note(cut: list[str]) -> str:
    if not cut:
        return ""
    return (
        f"\n> **Cut to fit GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit**: "
        f"{len(cut)} sections ({', '.join(cut)}). The full diff: `private-serverless plan "
        "--against BASE.json` (text or `--format json`), and the job summary.\n"
    )


def _truncate(section: str, room: int) -> str:
    """The lines of ``section`` that fit in ``room`` bytes, open fences and details closed."""
    kept: list[str] = []
    used = 0
    fence: str | None = None
    details = 0
    for line in section.split("\n"):
        if used + size(line) + 1 > room:
            break
        kept.append(line)
        used += size(line) + 1
        match = _FENCE.match(line)
        if match:
            fence = match.group(1) if fence is None else (None if line.strip() == fence else fence)
        details += line.count("<details>") - line.count("</details>")
    if fence is not None:
        kept.append(fence)
    kept += ["", "(this section was cut here to fit)"]
    kept += ["</details>"] * max(details, 0)
    return "\n".join(kept)
