"""Findings in a diff: the policy findings a change brings, resolves and keeps.

A finding is matched across the two plans by its rule, its resource (the URN the resource diff
says it had, for a resource kept through an alias) and its message; one left over is still
matched by rule and resource alone (its message quoting a renamed resource, say), pair by pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import MANDATORY, Finding, urn_name

#: Findings listed one by one per group in text and Markdown; the JSON format lists them all.
MAX_LISTED = 50


@dataclass(frozen=True)
class FindingsDiff:
    """Findings of the head plan that the base did not have, those it resolves, and the rest."""

    appeared: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    kept: tuple[Finding, ...] = ()

    def summary(self) -> str:
        """``1 new (1 mandatory), 0 resolved, 2 unchanged``."""
        mandatory = sum(1 for f in self.appeared if f["severity"] == MANDATORY)
        strict = f" ({mandatory} mandatory)" if mandatory else ""
        return (
            f"{len(self.appeared)} new{strict}, {len(self.resolved)} resolved, "
            f"{len(self.kept)} unchanged"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON format's ``findings_changes``."""
        return {
            "appeared": [dict(f) for f in self.appeared],
            "resolved": [dict(f) for f in self.resolved],
            "unchanged": [dict(f) for f in self.kept],
        }


def diff_findings(
    base: Sequence[Finding], head: Sequence[Finding], renamed: Mapping[str, str] | None = None
) -> FindingsDiff:
    """Compare the findings; ``renamed`` maps a base URN to its head URN."""
    moved = renamed or {}

    def key(finding: Finding, urn: str) -> tuple[str, str, str]:
        return (finding["rule"], urn, finding["message"])

    before = {key(f, moved.get(f["urn"], f["urn"])): f for f in base}
    after = {key(f, f["urn"]): f for f in head}
    # Mandatory first: they block the change.
    order = sorted(head, key=lambda f: f["severity"] != MANDATORY)
    appeared = [f for f in order if key(f, f["urn"]) not in before]
    resolved = [f for k, f in before.items() if k not in after]
    kept = [f for f in order if key(f, f["urn"]) in before]
    # The same rule on the same resource with another message (a renamed resource it
    # quotes): the same finding, kept with its new message.
    for finding in list(appeared):
        match = next(
            (
                old
                for old in resolved
                if old["rule"] == finding["rule"]
                and moved.get(old["urn"], old["urn"]) == finding["urn"]
            ),
            None,
        )
        if match is not None:
            appeared.remove(finding)
            resolved.remove(match)
            kept.append(finding)
    return FindingsDiff(tuple(appeared), tuple(resolved), tuple(kept))


def _line(finding: Finding) -> str:
    return (
        f"[{finding['severity']}] {finding['rule']}: {finding['message']} "
        f"({urn_name(finding['urn'])})"
    )


def findings_diff_text(diff: FindingsDiff) -> list[str]:
    """Text lines: new findings ``+``, resolved ``-``, unchanged as a count with the list."""
    if not (diff.appeared or diff.resolved or diff.kept):
        return ["Findings: none before or after."]
    lines = [f"Findings: {diff.summary()}"]
    for mark, group in (("+", diff.appeared), ("-", diff.resolved), ("=", diff.kept)):
        lines += [f"  {mark} {_line(f)}" for f in group[:MAX_LISTED]]
        if len(group) > MAX_LISTED:
            lines.append(f"  {mark} ... and {len(group) - MAX_LISTED} more")
    return lines


def findings_diff_markdown(diff: FindingsDiff) -> str:
    """A Markdown section: a table of new and resolved findings, the unchanged folded."""
    title = "### Findings"
    if not (diff.appeared or diff.resolved or diff.kept):
        return f"{title}\n\nNone before or after."
    lines = [title, "", f"**{diff.summary()}**", ""]
    shown = [("new", f) for f in diff.appeared[:MAX_LISTED]]
    shown += [("resolved", f) for f in diff.resolved[:MAX_LISTED]]
    if shown:
        lines += _table(shown)
    if diff.kept:
        lines += ["<details>", f"<summary>{len(diff.kept)} unchanged</summary>", ""]
        lines += _table([("unchanged", f) for f in diff.kept[:MAX_LISTED]])
        lines += ["</details>", ""]
    hidden = sum(max(0, len(g) - MAX_LISTED) for g in (diff.appeared, diff.resolved, diff.kept))
    if hidden:
        lines += [f"... and {hidden} more (the JSON format lists them all)", ""]
    return "\n".join(lines).rstrip("\n")


def _table(rows: list[tuple[str, Finding]]) -> list[str]:
    lines = ["| | Severity | Rule | Resource | Message |", "|---|---|---|---|---|"]
    lines += [
        f"| {state} | {_cell(f['severity'])} | `{_cell(f['rule'])}` | "
        f"`{_cell(urn_name(f['urn']))}` | {_cell(f['message'])} |"
        for state, f in rows
    ]
    lines.append("")
    return lines


def _cell(text: str) -> str:
    return (
        " ".join(text.split())
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("`", "'")
    )
