"""What changes between two plans: resources added, removed and changed, outputs changed.

Resources are matched by URN. Inputs are compared key by key, descending into nested mappings
(``rules`` lists are compared whole: their order is meaningful and index paths read badly).
Both plans are secret-free, so a changed secret is not visible: ``[secret]`` equals ``[secret]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..inventory import ResourceRecord
from .model import Plan, short_type
from .render_json import dumps, plan_from_dict, sorted_value
from .render_text import compact

ChangeKind = Literal["added", "removed", "changed"]

_ABSENT = object()


@dataclass(frozen=True)
class ValueChange:
    """One value that differs: ``path`` is dotted (``rules``, ``environmentVariables.MODE``)."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class ResourceChange:
    """A resource present in both plans whose inputs or options differ."""

    urn: str
    type: str
    name: str
    changes: tuple[ValueChange, ...]


@dataclass(frozen=True)
class PlanDiff:
    """The difference from a base plan to a head plan."""

    stack: str
    added: tuple[ResourceRecord, ...] = ()
    removed: tuple[ResourceRecord, ...] = ()
    changed: tuple[ResourceChange, ...] = ()
    outputs: tuple[ValueChange, ...] = ()
    waves: tuple[int, int] = (0, 0)
    base_stack: str = field(default="")

    @property
    def is_empty(self) -> bool:
        """Whether the plans are the same as far as the engine is concerned."""
        return not (self.added or self.removed or self.changed or self.outputs)


def diff_plans(base: Plan | Mapping[str, Any], head: Plan | Mapping[str, Any]) -> PlanDiff:
    """The changes from ``base`` to ``head``; dicts must be in the plan JSON format."""
    base_plan = (
        base.as_shown() if isinstance(base, Plan) else plan_from_dict(base, source="base plan")
    )
    head_plan = (
        head.as_shown() if isinstance(head, Plan) else plan_from_dict(head, source="head plan")
    )
    old = base_plan.by_urn()
    new = head_plan.by_urn()
    changed = []
    for record in head_plan.resources:
        previous = old.get(record.urn)
        if previous is None:
            continue
        changes = _record_changes(previous, record)
        if changes:
            changed.append(ResourceChange(record.urn, record.type, record.name, changes))
    return PlanDiff(
        stack=head_plan.stack,
        base_stack=base_plan.stack,
        added=tuple(record for record in head_plan.resources if record.urn not in old),
        removed=tuple(record for record in base_plan.resources if record.urn not in new),
        changed=tuple(changed),
        outputs=tuple(_value_changes("", base_plan.outputs, head_plan.outputs)),
        waves=(base_plan.waves, head_plan.waves),
    )


def _record_changes(old: ResourceRecord, new: ResourceRecord) -> tuple[ValueChange, ...]:
    changes = _value_changes("", old.inputs, new.inputs)
    # Options that change what the engine does, shown as pseudo-inputs in brackets.
    if old.protect != new.protect:
        changes.append(ValueChange("[protect]", "changed", old.protect, new.protect))
    if old.parent != new.parent:
        changes.append(ValueChange("[parent]", "changed", old.parent, new.parent))
    if tuple(sorted(old.dependencies)) != tuple(sorted(new.dependencies)):
        changes.append(
            ValueChange("[dependencies]", "changed", list(old.dependencies), list(new.dependencies))
        )
    return tuple(changes)


def _value_changes(
    prefix: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[ValueChange]:
    changes: list[ValueChange] = []
    for key in sorted(old.keys() | new.keys()):
        path = f"{prefix}.{key}" if prefix else str(key)
        before = old.get(key, _ABSENT)
        after = new.get(key, _ABSENT)
        if before is _ABSENT:
            changes.append(ValueChange(path, "added", new=after))
        elif after is _ABSENT:
            changes.append(ValueChange(path, "removed", old=before))
        elif isinstance(before, Mapping) and isinstance(after, Mapping):
            changes.extend(_value_changes(path, before, after))
        elif before != after:
            changes.append(ValueChange(path, "changed", before, after))
    return changes


# -- rendering ------------------------------------------------------------------------------------


def diff_to_dict(diff: PlanDiff) -> dict[str, Any]:
    """The diff as plain data, for JSON."""
    return {
        "stack": diff.stack,
        "base_stack": diff.base_stack,
        "added": [_brief(record) for record in diff.added],
        "removed": [_brief(record) for record in diff.removed],
        "changed": [
            {
                "urn": change.urn,
                "type": change.type,
                "name": change.name,
                "changes": [_change_to_dict(item) for item in change.changes],
            }
            for change in diff.changed
        ],
        "outputs": [_change_to_dict(item) for item in diff.outputs],
        "waves": {"base": diff.waves[0], "head": diff.waves[1]},
    }


def render_diff_json(diff: PlanDiff) -> str:
    """The diff as JSON text."""
    return dumps(diff_to_dict(diff))


def render_diff_text(diff: PlanDiff) -> str:
    """The diff for the terminal: ``+`` added, ``-`` removed, ``~`` changed."""
    if diff.is_empty:
        return f"No changes to stack {diff.stack}.\n"
    lines = [f"Changes to stack {diff.stack}: {_counts(diff)}"]
    lines += [f"+ {record.type} {record.name}" for record in diff.added]
    lines += [f"- {record.type} {record.name}" for record in diff.removed]
    for change in diff.changed:
        lines.append(f"~ {change.type} {change.name}")
        lines += [f"    {_describe(item)}" for item in change.changes]
    if diff.outputs:
        lines.append("Outputs:")
        lines += [f"    {_describe(item)}" for item in diff.outputs]
    return "\n".join(lines) + "\n"


def render_diff_markdown(diff: PlanDiff) -> str:
    """The diff for a pull-request comment."""
    title = f"## Plan changes: stack `{diff.stack}`"
    if diff.is_empty:
        return f"{title}\n\nNo changes.\n"
    lines = [title, "", _counts(diff), ""]
    if diff.added or diff.removed:
        lines += ["| | Resource | Type |", "|---|---|---|"]
        lines += [f"| + | `{r.name}` | `{short_type(r.type)}` |" for r in diff.added]
        lines += [f"| - | `{r.name}` | `{short_type(r.type)}` |" for r in diff.removed]
        lines.append("")
    for change in diff.changed:
        lines += [f"### `{change.name}` (`{short_type(change.type)}`)", ""]
        lines += _change_table(change.changes)
    if diff.outputs:
        lines += ["### Outputs", ""]
        lines += _change_table(diff.outputs, heading="Output")
    return "\n".join(lines).rstrip("\n") + "\n"


def _counts(diff: PlanDiff) -> str:
    waves = (
        f", deploy waves {diff.waves[0]} → {diff.waves[1]}"
        if diff.waves[0] != diff.waves[1]
        else ""
    )
    return (
        f"{len(diff.added)} to add, {len(diff.removed)} to remove, {len(diff.changed)} to change, "
        f"{len(diff.outputs)} outputs changed{waves}"
    )


def _change_table(changes: tuple[ValueChange, ...], heading: str = "Input") -> list[str]:
    lines = [f"| {heading} | Before | After |", "|---|---|---|"]
    for item in changes:
        before = "-" if item.kind == "added" else _md_code(compact(item.old))
        after = "-" if item.kind == "removed" else _md_code(compact(item.new))
        lines.append(f"| {_md_code(item.path)} | {before} | {after} |")
    lines.append("")
    return lines


def _md_code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _describe(item: ValueChange) -> str:
    if item.kind == "added":
        return f"+ {item.path} = {compact(item.new)}"
    if item.kind == "removed":
        return f"- {item.path} (was {compact(item.old)})"
    return f"~ {item.path}: {compact(item.old)} → {compact(item.new)}"


def _brief(record: ResourceRecord) -> dict[str, Any]:
    return {"urn": record.urn, "type": record.type, "name": record.name}


def _change_to_dict(item: ValueChange) -> dict[str, Any]:
    data: dict[str, Any] = {"path": item.path, "kind": item.kind}
    if item.kind != "added":
        data["old"] = sorted_value(item.old)
    if item.kind != "removed":
        data["new"] = sorted_value(item.new)
    return data
