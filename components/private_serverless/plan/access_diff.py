"""What a change does to access: the edges of the access matrix gained, lost and changed.

A reviewer's first question about a change to private services is "who can now call what, that
could not before?". The base plan's access matrix and the head plan's are compared edge by edge
(principal → service). A service is matched across the two plans by its URN, or by the URN the
resource diff says it had (an alias), so that a service kept through a rename keeps its edges.

A changed condition is judged with the condition analysis (:mod:`..conditions.meaning`), the
one the access rules use: the new condition is **stronger** when every request it allows the
old one allowed too, **weaker** when the other way round, **equivalent** when both hold, and
**not comparable** when neither does or the analysis cannot tell (an invalid condition). A
gained edge without a condition and a weakened (or not comparable) one are *alarms*: the
renderers call them out first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ..policies.access_matrix import AccessEntry

EdgeKind = Literal["gained", "lost", "changed"]
Strength = Literal["weaker", "stronger", "equivalent", "not comparable"]

#: Edges listed one by one in text and Markdown; the JSON format lists them all.
MAX_LISTED = 100


@dataclass(frozen=True)
class AccessChange:
    """One edge of the access matrix that differs between the base and the head plan.

    ``before`` and ``after`` are the effective conditions (None: any request with the key);
    ``strength`` says how the condition moved, for a changed edge only.
    """

    kind: EdgeKind
    principal: str
    service: str
    before: str | None = None
    after: str | None = None
    project_before: str | None = None
    project_after: str | None = None
    strength: Strength | None = None

    @property
    def alarm(self) -> bool:
        """Whether a reviewer must look: access without a condition gained, or a condition
        weakened (a change the analysis cannot compare counts as weakened)."""
        if self.kind == "gained":
            return self.after is None
        return self.kind == "changed" and self.strength in ("weaker", "not comparable")

    @property
    def label(self) -> str:
        """``gained``, ``lost``, ``weakened``, ``strengthened``, ``reworded`` or
        ``changed (not comparable)``: the word the renderers print."""
        if self.kind != "changed":
            return self.kind
        return {
            "weaker": "weakened",
            "stronger": "strengthened",
            "equivalent": "reworded",
            "not comparable": "changed (not comparable)",
        }[self.strength or "not comparable"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        data: dict[str, Any] = {
            "change": self.label,
            "kind": self.kind,
            "principal": self.principal,
            "service": self.service,
            "alarm": self.alarm,
        }
        if self.kind != "gained":
            data["condition_before"] = self.before
            data["project_before"] = self.project_before
        if self.kind != "lost":
            data["condition_after"] = self.after
            data["project_after"] = self.project_after
        if self.strength is not None:
            data["strength"] = self.strength
        return data


@dataclass(frozen=True)
class AccessDiff:
    """Every edge that differs, alarms first, then in matrix order."""

    changes: tuple[AccessChange, ...] = ()

    @property
    def alarms(self) -> tuple[AccessChange, ...]:
        """The edges a reviewer must look at."""
        return tuple(change for change in self.changes if change.alarm)

    def count(self, kind: EdgeKind) -> int:
        """How many edges were gained, lost or changed."""
        return sum(1 for change in self.changes if change.kind == kind)

    def summary(self) -> str:
        """``1 gained, 0 lost, 1 changed (1 to look at)``."""
        alarms = len(self.alarms)
        look = f" ({alarms} to look at)" if alarms else ""
        return (
            f"{self.count('gained')} gained, {self.count('lost')} lost, "
            f"{self.count('changed')} changed{look}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON format's ``access_changes``."""
        return {
            "summary": {
                "gained": self.count("gained"),
                "lost": self.count("lost"),
                "changed": self.count("changed"),
                "alarms": len(self.alarms),
            },
            "edges": [change.to_dict() for change in self.changes],
        }


def diff_access(
    base: Sequence[AccessEntry],
    head: Sequence[AccessEntry],
    renamed: Mapping[str, str] | None = None,
) -> AccessDiff:
    """The edges from ``base`` to ``head``; ``renamed`` maps a base URN to its head URN (the
    resources the diff matched through an alias)."""
    moved = renamed or {}

    def key(entry: AccessEntry, urn: str) -> tuple[str, str, str]:
        return (entry.principal.kind, entry.principal.name, urn)

    before = {key(entry, moved.get(entry.service.urn, entry.service.urn)): entry for entry in base}
    after = {key(entry, entry.service.urn): entry for entry in head}
    changes: list[AccessChange] = []
    for edge, new in after.items():
        old = before.get(edge)
        if old is None:
            changes.append(
                AccessChange(
                    "gained",
                    str(new.principal),
                    _service_label(new),
                    after=new.condition,
                    project_after=new.service.project,
                )
            )
        elif old.condition != new.condition:
            changes.append(
                AccessChange(
                    "changed",
                    str(new.principal),
                    _service_label(new),
                    before=old.condition,
                    after=new.condition,
                    project_before=old.service.project,
                    project_after=new.service.project,
                    strength=compare_conditions(old.condition, new.condition),
                )
            )
    changes += [
        AccessChange(
            "lost",
            str(old.principal),
            _service_label(old),
            before=old.condition,
            project_before=old.service.project,
        )
        for edge, old in before.items()
        if edge not in after
    ]
    # Alarms first (a stable sort keeps the matrix order within each group).
    changes.sort(key=lambda change: not change.alarm)
    return AccessDiff(tuple(changes))


def _service_label(entry: AccessEntry) -> str:
    return f"{entry.service.kind} '{entry.service.name}'"


def compare_conditions(before: str | None, after: str | None) -> Strength:
    """How the condition moved from ``before`` to ``after`` (None: every request)."""
    narrower = _implies(after, before)  # every request allowed now was allowed before
    wider = _implies(before, after)  # every request allowed before is allowed now
    if narrower is None or wider is None:
        return "not comparable"
    if narrower and wider:
        return "equivalent"
    if narrower:
        return "stronger"
    if wider:
        return "weaker"
    return "not comparable"


@lru_cache(maxsize=1024)
def _implies(stronger: str | None, weaker: str | None) -> bool | None:
    """Whether every request ``stronger`` allows ``weaker`` allows too; None when the
    analysis cannot tell (a condition it cannot read).

    Unlike :func:`..policies.access_matrix.implies`, which answers yes when it cannot tell (a
    rule must not make up a finding), a review must not make up reassurance.
    """
    if weaker is None:
        return True
    from ..conditions.errors import ConditionError
    from ..conditions.meaning import condition_meaning
    from ..conditions.syntax import parse_cel

    try:
        tree = parse_cel(f"({stronger or 'true'}) && !({weaker})")
        return not condition_meaning(tree).can_allow
    except (ConditionError, RecursionError, ValueError, TypeError):
        return None


# -- rendering ------------------------------------------------------------------------------------


def _condition(condition: str | None) -> str:
    return "any request with the key" if condition is None else condition


def _describe(change: AccessChange) -> str:
    if change.kind == "gained":
        return f"{change.principal} -> {change.service}: {_condition(change.after)}"
    if change.kind == "lost":
        return f"{change.principal} -> {change.service} (was {_condition(change.before)})"
    return (
        f"{change.principal} -> {change.service}: {_condition(change.before)} → "
        f"{_condition(change.after)}"
    )


def _alarm_reason(change: AccessChange) -> str:
    if change.kind == "gained":
        return "new access without a condition: any request carrying the key is allowed"
    if change.strength == "not comparable":
        return "the new condition cannot be shown to be as strict as the old one"
    return "the new condition allows requests the old one refused"


def access_diff_text(diff: AccessDiff) -> list[str]:
    """Text lines, alarms marked ``!``."""
    if not diff.changes:
        return ["Access changes: none (the same principals can call the same services)."]
    lines = [f"Access changes (who can call what): {diff.summary()}"]
    for change in diff.changes[:MAX_LISTED]:
        mark = "!" if change.alarm else {"gained": "+", "lost": "-"}.get(change.kind, "~")
        lines.append(f"  {mark} {change.label}: {_describe(change)}")
        if change.alarm:
            lines.append(f"      ! {_alarm_reason(change)}")
    if len(diff.changes) > MAX_LISTED:
        lines.append(
            f"  ... and {len(diff.changes) - MAX_LISTED} more (the JSON format lists them all)"
        )
    return lines


def access_diff_markdown(diff: AccessDiff) -> str:
    """A Markdown section: the alarms called out, a Mermaid graph of the changed edges and a
    table."""
    title = "### Access changes"
    if not diff.changes:
        return f"{title}\n\nNone: the same principals can call the same services."
    lines = [title, "", f"**{diff.summary()}**", ""]
    for change in diff.alarms[:MAX_LISTED]:
        lines.append(f"> [!WARNING]\n> **{change.label}**: {_md(_describe(change))}.")
        lines.append(f"> {_alarm_reason(change)}.")
        lines.append("")
    listed = diff.changes[:MAX_LISTED]
    lines += ["```mermaid", "flowchart LR", *_diagram(listed), "```", ""]
    lines += ["| Change | Principal | Service | Condition before | Condition after |"]
    lines.append("|---|---|---|---|---|")
    for change in listed:
        before = "-" if change.kind == "gained" else _code(_condition(change.before))
        after = "-" if change.kind == "lost" else _code(_condition(change.after))
        mark = "⚠️ " if change.alarm else ""
        lines.append(
            f"| {mark}{change.label} | {_md(change.principal)} | {_md(change.service)} | "
            f"{before} | {after} |"
        )
    if len(diff.changes) > MAX_LISTED:
        lines += ["", f"... and {len(diff.changes) - MAX_LISTED} more (the JSON format lists them)"]
    return "\n".join(lines)


#: Mermaid link styles by change: gained and weakened red and thick, lost dashed.
_ARROWS: Mapping[str, str] = {"gained": "==>", "lost": "-.->", "changed": "-->"}


def _diagram(changes: Iterable[AccessChange]) -> list[str]:
    changes = list(changes)
    nodes = list(dict.fromkeys([c.principal for c in changes] + [c.service for c in changes]))
    ids = {label: f"n{index}" for index, label in enumerate(nodes)}
    principals = {c.principal for c in changes}
    lines = [
        f'  {ids[label]}(["{_mermaid(label)}"])'
        if label in principals
        else f'  {ids[label]}["{_mermaid(label)}"]'
        for label in nodes
    ]
    for number, change in enumerate(changes):
        shown = change.before if change.kind == "lost" else change.after
        text = f"{change.label}: {_condition(shown)}"
        lines.append(
            f'  {ids[change.principal]} {_ARROWS[change.kind]}|"{_mermaid(text)}"| '
            f"{ids[change.service]}"
        )
        if change.alarm:
            lines.append(f"  linkStyle {number} stroke:#d00,stroke-width:3px")
    return lines


def _mermaid(text: str) -> str:
    # Labels are quoted; entity codes keep quotes, brackets and pipes from ending them.
    return (
        " ".join(text.split())  # one line: no CR, tab or other break in a label
        .replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("|", "#124;")
        .replace("`", "#96;")  # a label starting with one would read as Markdown
    )


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    flat = " ".join(text.split()).replace("`", "'").replace("|", "\\|")
    return f"`{flat}`"
