"""What ``pulumi up`` would do to a stack planned as ``base`` if it now runs ``head``.

Each resource of either plan gets the operation the engine would give it (pulumi/pulumi
``pkg/resource/deploy/step_generator.go``):

- a head resource is matched to a base one by URN, else by one of its ``aliases``; unmatched, it
  is a **create**; a base resource nothing matches is a **delete**;
- a component resource has no provider: matched, it is **same**;
- a custom resource's new inputs first get the ignored paths (``ignore_changes``) reset to the
  old inputs (``processIgnoreChanges``: the old value where there is one, else the input is
  dropped), also when the resource is then replaced; then the inputs are compared key by key;
- a change of an input the provider marks force-new (:mod:`.force_new`) or that
  ``replace_on_changes`` names is a **replace**, any other change an **update**, none **same**.

A plan shows a value the engine learns only during the deployment as ``[unknown]``. In the head,
such an input is known after all when every resource it comes from (its property dependencies)
is kept (same or update): the engine then reads it from the state, where it equals the old
input. If one of them is created or replaced, the input is unknown to the engine too and counts
as changed; that is how a region change, which replaces a namespace, also replaces the function
in it.

Both plans are secret-free: a secret shows as ``[secret]`` in both. A changed secret value is
seen only through the keyed digests both plans carry when they were made with the same
``PRIVATE_SERVERLESS_PLAN_KEY`` (:mod:`.secret_digests`); otherwise the diff says that secret
values were not compared. Options that are not inputs (``protect``, dependencies) never make an
operation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..errors import hide_on_user_error
from ..policies.kinds import Kind, kind_of
from .access_diff import AccessDiff, access_diff_markdown, access_diff_text, diff_access
from .archive_changes import ArchiveChange, archive_change
from .breaking import BreakingChange, breaking_changes
from .comment_fit import fit_comment
from .echoes import scrub_echoes
from .findings_diff import FindingsDiff, diff_findings, findings_diff_markdown, findings_diff_text
from .force_new import force_new_inputs, kept_when_omitted
from .model import Finding, Plan, short_type
from .output_sources import sources_of
from .render.json import dumps, plan_from_dict, sorted_value
from .render.text import compact
from .secret_digests import PLAN_KEY_VARIABLE
from .values import (
    UNKNOWN_PLACEHOLDER,
    UNKNOWN_SECRET_PLACEHOLDER,
    holds_secret,
    is_unknown,
    secret_strings,
)

__tracebackhide__ = hide_on_user_error

ChangeKind = Literal["added", "removed", "changed"]
Operation = Literal["create", "update", "replace", "delete", "same"]

#: Operations in the order a summary lists them.
OPERATIONS: tuple[Operation, ...] = ("create", "update", "replace", "delete", "same")

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
    """What the engine does to one resource, and the input changes that make it do so.

    ``replace_reasons`` are the changed inputs that force the replacement; ``kept`` the inputs
    the engine takes from the state instead of the program (``ignore_changes``), shown for a
    replacement because the new resource gets those old values.
    """

    urn: str
    type: str
    name: str
    op: Operation
    changes: tuple[ValueChange, ...] = ()
    replace_reasons: tuple[str, ...] = ()
    kept: tuple[ValueChange, ...] = ()
    old_urn: str | None = None
    #: For a deleted project: the kept resources that still live in it (see _stranded).
    strands: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanDiff:
    """The difference from a base plan to a head plan, resource by resource."""

    stack: str
    resources: tuple[ResourceChange, ...] = ()
    outputs: tuple[ValueChange, ...] = ()
    waves: tuple[int, int] = (0, 0)
    base_stack: str = field(default="")
    #: Resources with a secret input the two plans hold no comparable digests for.
    secrets_not_compared: tuple[str, ...] = ()
    #: Who can call what that could not before, and the reverse (shown first).
    access: AccessDiff = field(default_factory=AccessDiff)
    #: Policy findings that appear, are resolved or stay.
    findings: FindingsDiff = field(default_factory=FindingsDiff)
    #: Per function URN whose ``zipHash`` changed, the files its archive gained, lost, changed.
    archives: Mapping[str, ArchiveChange] = field(default_factory=dict)

    @property
    def breaking(self) -> tuple[BreakingChange, ...]:
        """Changes that give clients a new endpoint or invalidate a key they hold."""
        return breaking_changes(self.resources)

    def with_op(self, *operations: Operation) -> tuple[ResourceChange, ...]:
        """The resources the engine gives one of ``operations``, in plan order."""
        return tuple(change for change in self.resources if change.op in operations)

    @property
    def added(self) -> tuple[ResourceChange, ...]:
        """Resources to create."""
        return self.with_op("create")

    @property
    def removed(self) -> tuple[ResourceChange, ...]:
        """Resources to delete."""
        return self.with_op("delete")

    @property
    def changed(self) -> tuple[ResourceChange, ...]:
        """Resources to update or replace."""
        return self.with_op("update", "replace")

    def counts(self) -> dict[Operation, int]:
        """How many resources get each operation."""
        return {op: len(self.with_op(op)) for op in OPERATIONS}

    @property
    def possibly_updated(self) -> tuple[ResourceChange, ...]:
        """Resources kept as they are unless a secret they hold changed: their secret values
        could not be compared (no plan key, or a value unknown until the apply), and the
        engine updates a resource whose secret changed."""
        blind = set(self.secrets_not_compared)
        return tuple(c for c in self.resources if c.op == "same" and c.name in blind)

    @property
    def is_empty(self) -> bool:
        """Whether the engine would change nothing for certain (see :attr:`possibly_updated`:
        a diff can be empty and still not say "no changes")."""
        return not (self.with_op("create", "update", "replace", "delete") or self.outputs)


def diff_plans(base: Plan | Mapping[str, Any], head: Plan | Mapping[str, Any]) -> PlanDiff:
    """What the engine does going from ``base`` to ``head``; dicts are in the plan JSON format."""
    head_plan = (
        head.as_shown() if isinstance(head, Plan) else plan_from_dict(head, source="head plan")
    )
    if isinstance(base, Plan):
        base_plan = base.as_shown()
    else:
        # A plan file does not say the stack's default project (scaleway:projectId); the
        # head's stands for it, so the two access matrices link projects the same way.
        base_plan = plan_from_dict(base, source="base plan")
        base_plan.default_project_id = head_plan.default_project_id
    # The base may hold in clear what the head has as a secret (the change that moves a
    # credential from `env` to `secrets`): every copy of the head's secrets is hidden in it.
    base_plan = replace(
        base_plan,
        resources=list(base_plan.resources),
        findings=list(base_plan.findings),
        diagnostics=list(base_plan.diagnostics),
    )
    scrub_echoes(base_plan, head_plan.scrub)
    base_plan, head_plan = _masked(base_plan, head_plan), _masked(head_plan, base_plan)
    old = base_plan.by_urn()
    matched: set[str] = set()
    ops: dict[str, Operation] = {}
    changes: list[ResourceChange] = []
    blind: list[str] = []
    # Plan order puts dependencies first: their operations are known when a dependent needs them.
    for record in head_plan.resources:
        previous = _match(record, old, matched)
        if previous is None:
            change = ResourceChange(record.urn, record.type, record.name, "create")
        else:
            matched.add(previous.urn)
            change = _compare(previous, record, ops)
            if _secret_inputs(record) - _comparable_secrets(previous, record):
                blind.append(record.name)
        ops[record.urn] = change.op
        changes.append(change)
    changes += [
        ResourceChange(
            record.urn,
            record.type,
            record.name,
            "delete",
            strands=_stranded(record, base_plan.resources, ops),
        )
        for record in base_plan.resources
        if record.urn not in matched
    ]
    renamed = {change.old_urn: change.urn for change in changes if change.old_urn}
    return PlanDiff(
        stack=head_plan.stack,
        base_stack=base_plan.stack,
        resources=tuple(changes),
        outputs=tuple(_output_changes(base_plan, head_plan, ops)),
        waves=(base_plan.waves, head_plan.waves),
        secrets_not_compared=tuple(blind),
        access=diff_access(base_plan.access(), head_plan.access(), renamed),
        findings=diff_findings(base_plan.findings, head_plan.findings, renamed),
        archives={
            change.urn: archive_change(
                base_plan.archives.get(change.old_urn or change.urn),
                head_plan.archives.get(change.urn),
            )
            for change in changes
            if any(item.path == "zipHash" for item in change.changes)
        },
    )


def _masked(plan: Plan, other: Plan) -> Plan:
    """``plan`` with every value that either plan holds as a secret shown as ``[secret]``.

    A base plan file is untrusted input (hand-edited, or made by another version): it may hold
    a value in clear where the head has a secret (a secret input, a secret output), or mark an
    input secret that the head has in clear. The diff prints values of both plans, so each is
    masked by the union of both plans' secrecy; free text of ``plan`` (finding messages) loses
    the strings masked, so a message cannot echo them either.
    """
    twins: dict[str, ResourceRecord] = {}
    for record in other.resources:
        for urn in (*record.aliases, record.urn):
            twins[urn] = record
    masked: set[str] = set()
    resources = []
    for record in plan.resources:
        twin = twins.get(record.urn) or next(
            (twins[urn] for urn in record.aliases if urn in twins), None
        )
        marked = {
            path.split(".", 1)[0]
            for item in (record, twin)
            if item is not None
            for path in (*item.secret_names, *item.secret_digests)
        }
        inputs = {
            key: _mask(
                value, SECRET_PLACEHOLDER if key in marked else _twin_value(twin, key), masked
            )
            for key, value in record.inputs.items()
        }
        resources.append(replace(record, inputs=inputs) if inputs != record.inputs else record)
    outputs = _mask(plan.outputs, other.outputs, masked)
    if not masked:
        return plan
    findings = [
        Finding(**{**finding, "message": _scrub(finding["message"], masked)})
        for finding in plan.findings
    ]
    return replace(plan, resources=resources, outputs=outputs, findings=findings)


def _twin_value(twin: ResourceRecord | None, key: str) -> Any:
    return _ABSENT if twin is None else twin.inputs.get(key, _ABSENT)


def _mask(value: Any, other: Any, masked: set[str]) -> Any:
    """``value`` with each part that ``other`` (the same place in the other plan) holds as a
    secret replaced by ``[secret]``; the strings replaced are added to ``masked``."""
    if other in (SECRET_PLACEHOLDER, UNKNOWN_SECRET_PLACEHOLDER):
        if value in (SECRET_PLACEHOLDER, UNKNOWN_SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER):
            return value
        masked.update(secret_strings(value))
        return SECRET_PLACEHOLDER
    if isinstance(value, Mapping) and isinstance(other, Mapping):
        return {k: _mask(v, other.get(k, _ABSENT), masked) for k, v in value.items()}
    if isinstance(value, list) and isinstance(other, list) and len(value) == len(other):
        return [_mask(v, o, masked) for v, o in zip(value, other, strict=True)]
    if holds_secret(other) and not holds_secret(value) and other is not _ABSENT:
        # Shapes differ (a map against a list, a longer list): the whole value is masked.
        masked.update(secret_strings(value))
        return SECRET_PLACEHOLDER
    return value


def _scrub(text: str, masked: set[str]) -> str:
    for secret in sorted(masked, key=len, reverse=True):
        if len(secret) >= 4:  # shorter strings would mangle words, and say little
            text = text.replace(secret, SECRET_PLACEHOLDER)
    return text


def _stranded(
    deleted: ResourceRecord, base: Iterable[ResourceRecord], ops: Mapping[str, Operation]
) -> tuple[str, ...]:
    """The resources kept by the change whose ``projectId`` came from ``deleted``, a project.

    Turning ``dedicated_project`` off stops sending the namespace's ``projectId``; the
    provider keeps it (optional and computed, :func:`.force_new.kept_when_omitted`), so the
    namespace and what is in it stay in the project the change deletes, and Scaleway refuses
    to delete a project that still holds resources: ``pulumi up`` would fail half-way.
    """
    if kind_of(deleted.type) is not Kind.PROJECT:
        return ()
    return tuple(
        record.name
        for record in base
        if ops.get(record.urn) in ("same", "update")
        and deleted.urn in record.property_dependencies.get("projectId", ())
    )


def _output_changes(base: Plan, head: Plan, ops: Mapping[str, Operation]) -> list[ValueChange]:
    """The stack outputs the engine shows as changing.

    An output is previewed from the resources it is computed from (``head.output_sources``):
    when one of them is created or replaced, its value is new, and an unknown one changes
    even where both plans show it unknown (a replaced function's endpoint, a rotated key);
    when every one is kept as it is (``same``), the engine gives the value in the state, so
    the output does not change whatever the program computes now (a kept key's ``expiresAt``,
    which ``ignore_changes`` keeps); after an update, an unknown value is read from the state.
    An output with no resource behind it (or a base plan that did not record sources) is
    compared by value.
    """
    found: list[ValueChange] = []
    for path, before, after in _output_leaves("", base.outputs, head.outputs):
        if before is _ABSENT:
            found.append(ValueChange(path, "added", new=after))
            continue
        if after is _ABSENT:
            found.append(ValueChange(path, "removed", old=before))
            continue
        sources = sources_of(path, head.output_sources)
        source_ops = {ops.get(urn, "create") for urn in sources or ()}
        if sources is None:
            changed = before != after
        elif source_ops & {"create", "replace"}:
            changed = before != after or _holds_unknown(after)
        elif source_ops <= {"same"}:
            changed = False
        else:
            changed = not _equal(before, after, unknown_matches=True)
        if changed:
            found.append(ValueChange(path, "changed", before, after))
    return found


def _output_leaves(prefix: str, old: Any, new: Any) -> Iterable[tuple[str, Any, Any]]:
    """``(path, old, new)`` for each output value, maps walked into (``_ABSENT`` on a side
    that lacks it)."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(old.keys() | new.keys()):
            path = f"{prefix}.{key}" if prefix else str(key)
            yield from _output_leaves(path, old.get(key, _ABSENT), new.get(key, _ABSENT))
    else:
        yield prefix, old, new


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_holds_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(item) for item in value)
    return is_unknown(value)


def _secret_inputs(record: ResourceRecord) -> set[str]:
    """The inputs holding a secret, known or not: an unknown one has no digest (there is no
    value yet), so a secret inside it is never comparable."""
    return {key for key, value in record.inputs.items() if holds_secret(value)}


def _comparable_secrets(old: ResourceRecord, new: ResourceRecord) -> set[str]:
    return old.secret_digests.keys() & new.secret_digests.keys()


def _match(
    record: ResourceRecord, old: Mapping[str, ResourceRecord], matched: set[str]
) -> ResourceRecord | None:
    for urn in (record.urn, *record.aliases):
        previous = old.get(urn)
        if previous is not None and urn not in matched:
            return previous
    return None


def _compare(
    old: ResourceRecord, new: ResourceRecord, ops: Mapping[str, Operation]
) -> ResourceChange:
    moved = old.urn if old.urn != new.urn else None
    if not new.custom:
        return ResourceChange(new.urn, new.type, new.name, "same", old_urn=moved)
    inputs, kept = _reset_ignored(old.inputs, new.inputs, new.ignore_changes)
    # An optional, computed input no longer sent keeps its value at the provider (force_new).
    omitted_kept = kept_when_omitted(new.type)
    changed_keys = [
        key
        for key in sorted(old.inputs.keys() | inputs.keys())
        if (
            not (key in omitted_kept and key not in inputs)
            and not _same_input(
                old.inputs.get(key, _ABSENT),
                inputs.get(key, _ABSENT),
                new.property_dependencies.get(key, ()),
                ops,
            )
        )
        or _secret_changed(key, old, new)
        or _secret_from_new_resource(key, new, ops)
        or _secret_names_changed(key, old, new)
    ]
    value_changes = tuple(
        item
        for key in changed_keys
        for item in (
            _secret_name_changes(key, old, new, inputs)
            if _names_known(key, old, new)
            else _key_changes(key, old.inputs, inputs)
        )
    )
    if not changed_keys:
        return ResourceChange(new.urn, new.type, new.name, "same", old_urn=moved)
    forcing = force_new_inputs(new.type) | set(new.replace_on_changes)
    reasons = tuple(key for key in changed_keys if key in forcing or "*" in forcing)
    return ResourceChange(
        new.urn,
        new.type,
        new.name,
        "replace" if reasons else "update",
        changes=value_changes,
        replace_reasons=reasons,
        kept=kept if reasons else (),
        old_urn=moved,
    )


def _names_known(key: str, old: ResourceRecord, new: ResourceRecord) -> bool:
    """Whether both plans list the variable names of the secret map under ``key``."""
    return key not in new.ignore_changes and key in old.secret_names and key in new.secret_names


def _secret_names_changed(key: str, old: ResourceRecord, new: ResourceRecord) -> bool:
    """Whether a secret map's variables were added or removed (names are not secret, so this
    is seen without a plan key)."""
    return _names_known(key, old, new) and set(old.secret_names[key]) != set(new.secret_names[key])


def _secret_name_changes(
    key: str, old: ResourceRecord, new: ResourceRecord, inputs: Mapping[str, Any]
) -> list[ValueChange]:
    """A secret map's change as the variables added, removed and (with a plan key) changed,
    each shown as ``[secret]``; the whole input when which variable changed is not known."""
    before, after = set(old.secret_names[key]), set(new.secret_names[key])
    found = [
        ValueChange(f"{key}.{n}", "added", new=SECRET_PLACEHOLDER) for n in sorted(after - before)
    ]
    found += [
        ValueChange(f"{key}.{n}", "removed", old=SECRET_PLACEHOLDER) for n in sorted(before - after)
    ]
    for name in sorted(before & after):
        was = old.secret_digests.get(f"{key}.{name}")
        now = new.secret_digests.get(f"{key}.{name}")
        if was is not None and now is not None and was != now:
            found.append(
                ValueChange(f"{key}.{name}", "changed", SECRET_PLACEHOLDER, SECRET_PLACEHOLDER)
            )
    return found or _key_changes(key, old.inputs, inputs)


def _secret_changed(key: str, old: ResourceRecord, new: ResourceRecord) -> bool:
    """Whether both plans hold a digest of the secret under ``key`` and the digests differ
    (an ignored input keeps its old value, so it never counts)."""
    if key in new.ignore_changes:
        return False
    before, after = old.secret_digests.get(key), new.secret_digests.get(key)
    return before is not None and after is not None and before != after


def _secret_from_new_resource(key: str, new: ResourceRecord, ops: Mapping[str, Operation]) -> bool:
    """Whether the secret under ``key`` is computed from a resource created or replaced by this
    change (a rotated key in a caller's secret variable): unknown until it exists, so the
    engine sees a new value, although both plans show ``[secret]`` and digest the unknown."""
    if key in new.ignore_changes or SECRET_PLACEHOLDER not in repr(new.inputs.get(key)):
        return False
    return any(
        ops.get(urn) in ("create", "replace") for urn in new.property_dependencies.get(key, ())
    )


def _key_changes(key: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[ValueChange]:
    """The changes under one input; an unknown that equals an old unknown is still a change
    when its sources are replaced, and shows as one."""
    found = _value_changes(
        "", {key: old[key]} if key in old else {}, {key: new[key]} if key in new else {}
    )
    return found or [ValueChange(key, "changed", old.get(key), new.get(key))]


def _reset_ignored(
    old: Mapping[str, Any], new: Mapping[str, Any], ignored: Iterable[str]
) -> tuple[dict[str, Any], tuple[ValueChange, ...]]:
    """The new inputs with each ignored top-level path set to its old value (dropped when the
    old inputs lack it), as the engine does before diffing, and what that overrode."""
    inputs = dict(new)
    kept: list[ValueChange] = []
    for path in ignored:
        key = path.split(".", 1)[0].split("[", 1)[0]
        if key in old:
            if key in inputs and inputs[key] != old[key]:
                kept.append(ValueChange(key, "changed", inputs[key], old[key]))
            inputs[key] = old[key]
        else:
            inputs.pop(key, None)
    return inputs, tuple(kept)


def _same_input(old: Any, new: Any, sources: Iterable[str], ops: Mapping[str, Operation]) -> bool:
    """Whether the engine sees no change, reading an unknown head value from the state when
    every resource it comes from is kept."""
    if old is _ABSENT or new is _ABSENT:
        return old is new
    kept = all(ops.get(urn) in ("same", "update") for urn in sources)
    return _equal(old, new, unknown_matches=kept)


def _equal(old: Any, new: Any, *, unknown_matches: bool) -> bool:
    if is_unknown(new):
        return unknown_matches
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return old.keys() == new.keys() and all(
            _equal(old[key], new[key], unknown_matches=unknown_matches) for key in new
        )
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(
            _equal(a, b, unknown_matches=unknown_matches) for a, b in zip(old, new, strict=True)
        )
    return bool(old == new)


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

#: How the text format marks each operation (Pulumi's own symbols).
_SYMBOLS: Mapping[Operation, str] = {
    "create": "+",
    "update": "~",
    "replace": "+-",
    "delete": "-",
    "same": " ",
}


def diff_to_dict(diff: PlanDiff) -> dict[str, Any]:
    """The diff as plain data, for JSON: what it does to access first, then every resource
    with its ``op``."""
    breaking = diff.breaking
    return {
        "stack": diff.stack,
        "base_stack": diff.base_stack,
        "access_changes": diff.access.to_dict(),
        "breaking": [item.to_dict() for item in breaking],
        "findings_changes": diff.findings.to_dict(),
        "summary": dict(diff.counts()),
        "outputs_changed": len(diff.outputs),
        "breaking_count": len(breaking),
        "resources": [
            _resource_to_dict(change, breaking, diff.archives.get(change.urn))
            for change in diff.resources
        ],
        "outputs": [_change_to_dict(item) for item in diff.outputs],
        "waves": {"base": diff.waves[0], "head": diff.waves[1]},
        "secrets_not_compared": list(diff.secrets_not_compared),
        # Kept unless a secret they hold changed (the engine would then update them).
        "possibly_updated": [change.name for change in diff.possibly_updated],
    }


def render_diff_json(diff: PlanDiff) -> str:
    """The diff as JSON text."""
    return dumps(diff_to_dict(diff))


def render_diff_text(diff: PlanDiff) -> str:
    """The diff for the terminal: access changes first, then breaking changes and findings,
    then one line a resource that changes: ``+`` create, ``~`` update, ``+-`` replace, ``-``
    delete (as ``pulumi preview`` marks them)."""
    review = [*access_diff_text(diff.access), *_breaking_text(diff)]
    review += findings_diff_text(diff.findings)
    if diff.is_empty and not diff.possibly_updated:
        note = f"\n{_secrets_note(diff)}" if diff.secrets_not_compared else ""
        return f"No changes to stack {diff.stack}.{note}\n" + "\n".join(review) + "\n"
    lines = [_headline(diff), *review, "Resources:"]
    breaking = {item.urn for item in diff.breaking}
    for change in diff.resources:
        if change.op == "same":
            continue
        mark = "  BREAKING" if change.urn in breaking else ""
        lines.append(
            f"{_SYMBOLS[change.op]} {change.op} {change.type} {change.name}{_moved(change)}{mark}"
        )
        if change.replace_reasons:
            lines.append(f"    replaced because of: {', '.join(change.replace_reasons)}")
        lines += [f"    {_describe(item)}" for item in change.changes]
        lines += [f"    {_describe_kept(item)}" for item in change.kept]
        archive = diff.archives.get(change.urn)
        if archive is not None:
            lines.append(f"    archive files: {archive.summary()}")
            lines += [f"      {line}" for line in archive.lines()]
    lines += [
        f"~? possibly update {change.type} {change.name} (if one of its secrets changed)"
        for change in diff.possibly_updated
    ]
    if diff.outputs:
        lines.append("Outputs:")
        lines += [f"    {_describe(item)}" for item in diff.outputs]
    if diff.secrets_not_compared:
        lines.append(_secrets_note(diff))
    return "\n".join(lines) + "\n"


def _breaking_text(diff: PlanDiff) -> list[str]:
    breaking = diff.breaking
    if not breaking:
        return []
    lines = [f"BREAKING: {len(breaking)} changes break clients (a new endpoint or a key refused):"]
    lines += [f"  ! {item.describe()}" for item in breaking]
    return lines


def _breaking_markdown(diff: PlanDiff) -> str:
    breaking = diff.breaking
    if not breaking:
        return ""
    lines = [
        "### BREAKING changes",
        "",
        f"**{len(breaking)}** changes break clients: they get a new endpoint or a key they hold "
        "is refused.",
        "",
    ]
    lines += [f"- **BREAKING** {_md_text(item.describe())}" for item in breaking]
    return "\n".join(lines)


def _md_text(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_diff_markdown(diff: PlanDiff) -> str:
    """The diff for a pull-request comment: access changes first (with a Mermaid graph of the
    changed edges), breaking changes, findings, then the resources."""
    title = f"## Plan changes: stack `{diff.stack}`"
    review = [
        access_diff_markdown(diff.access),
        _breaking_markdown(diff),
        findings_diff_markdown(diff.findings),
    ]
    sections = "\n\n".join(section for section in review if section)
    if diff.is_empty and not diff.possibly_updated:
        note = f"\n> {_secrets_note(diff)}\n" if diff.secrets_not_compared else ""
        return fit_comment(f"{title}\n\nNo changes.\n{note}\n{sections}\n")
    summary = _may_change(diff) if diff.is_empty else _counts(diff)
    lines = [title, "", summary, "", sections, "", "### Resources", ""]
    moving = [change for change in diff.resources if change.op != "same"]
    breaking = {item.urn for item in diff.breaking}
    lines += ["| Operation | Resource | Type | Why |", "|---|---|---|---|"]
    lines += [
        f"| {change.op}{' **BREAKING**' if change.urn in breaking else ''} | "
        f"`{change.name}`{_moved(change)} | `{short_type(change.type)}` | {_why(change)} |"
        for change in moving
    ]
    lines += [
        f"| possibly update | `{change.name}` | `{short_type(change.type)}` | "
        "secret values not compared |"
        for change in diff.possibly_updated
    ]
    lines.append("")
    for change in moving:
        if not (change.changes or change.kept):
            continue
        lines += [f"### {change.op}: `{change.name}` (`{short_type(change.type)}`)", ""]
        lines += _change_table(change.changes + change.kept)
        archive = diff.archives.get(change.urn)
        if archive is not None:
            lines += [f"Archive files: {archive.summary()}", ""]
            lines += [f"- `{_md_text(line)}`" for line in archive.lines()]
            lines.append("")
    if diff.outputs:
        lines += ["### Outputs", ""]
        lines += _change_table(diff.outputs, heading="Output")
    if diff.secrets_not_compared:
        lines += [f"> {_secrets_note(diff)}", ""]
    # One pull-request comment: long sections folded, and cut if need be, with a note.
    return fit_comment("\n".join(lines).rstrip("\n") + "\n")


def _headline(diff: PlanDiff) -> str:
    if diff.is_empty:
        return _may_change(diff)
    return f"Changes to stack {diff.stack}: {_counts(diff)}"


def _may_change(diff: PlanDiff) -> str:
    """The summary of a diff whose only possible changes are secrets it could not compare: never
    "No changes", since the engine updates a resource whose secret changed."""
    names = ", ".join(change.name for change in diff.possibly_updated)
    return (
        f"Stack {diff.stack} may change: secret values not comparable (without "
        f"{PLAN_KEY_VARIABLE}, or unknown until the apply); possibly updated: {names}; "
        "nothing else changes."
    )


def _secrets_note(diff: PlanDiff) -> str:
    return (
        f"Secret values were not compared for {', '.join(diff.secrets_not_compared)}: make both "
        f"plans with the same {PLAN_KEY_VARIABLE} to see a changed secret."
    )


def _counts(diff: PlanDiff) -> str:
    counts = diff.counts()
    waves = (
        f", deploy waves {diff.waves[0]} → {diff.waves[1]}"
        if diff.waves[0] != diff.waves[1]
        else ""
    )
    return (
        f"{counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete, "
        f"{counts['same']} unchanged{_possibly(diff)}, {len(diff.outputs)} outputs changed, "
        f"{len(diff.breaking)} breaking{waves}"
    )


def _possibly(diff: PlanDiff) -> str:
    count = len(diff.possibly_updated)
    return f" ({count} possibly updated: secrets not compared)" if count else ""


def _moved(change: ResourceChange) -> str:
    return f" (was {change.old_urn.rsplit('::', 1)[-1]})" if change.old_urn else ""


def _why(change: ResourceChange) -> str:
    if change.replace_reasons:
        return "changes " + ", ".join(f"`{key}`" for key in change.replace_reasons)
    if change.changes:
        return ", ".join(sorted({f"`{item.path.split('.', 1)[0]}`" for item in change.changes}))
    return ""


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
    if compact(item.old) == compact(item.new):
        # Unknown in both plans, new all the same (its resource is created or replaced).
        return f"~ {item.path}: a new {compact(item.new)}"
    return f"~ {item.path}: {compact(item.old)} → {compact(item.new)}"


def _describe_kept(item: ValueChange) -> str:
    return (
        f"! {item.path}: the program sets {compact(item.old)}, but ignore_changes keeps "
        f"{compact(item.new)} from the replaced resource"
    )


def _resource_to_dict(
    change: ResourceChange,
    breaking: tuple[BreakingChange, ...] = (),
    archive: ArchiveChange | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "urn": change.urn,
        "type": change.type,
        "name": change.name,
        "op": change.op,
        "breaking": any(item.urn == change.urn for item in breaking),
    }
    if change.old_urn:
        data["old_urn"] = change.old_urn
    if change.replace_reasons:
        data["replace_reasons"] = list(change.replace_reasons)
    if change.changes:
        data["changes"] = [_change_to_dict(item) for item in change.changes]
    if change.kept:
        data["kept_from_state"] = [_change_to_dict(item) for item in change.kept]
    if archive is not None:
        data["archive_changes"] = archive.to_dict()
    return data


def _change_to_dict(item: ValueChange) -> dict[str, Any]:
    data: dict[str, Any] = {"path": item.path, "kind": item.kind}
    if item.kind != "added":
        data["old"] = sorted_value(item.old)
    if item.kind != "removed":
        data["new"] = sorted_value(item.new)
    return data
