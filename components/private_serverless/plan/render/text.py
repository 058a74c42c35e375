"""The plan as a plain-text tree for the terminal.

Drawn by hand rather than with ``rich``: the output must be the same plain text in a terminal,
a pipe and a CI log, and long input values must never be wrapped or truncated.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ...core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from ..model import STACK_TYPE, Plan, short_type, urn_name, urn_type
from ..secret_names import shown_inputs
from ..values import UNKNOWN_PLACEHOLDER, UNKNOWN_SECRET_PLACEHOLDER
from .json import sorted_value


def render_text(plan: Plan) -> str:
    """The component tree with each resource's inputs and dependencies, then the outputs."""
    plan = plan.as_shown()
    lines = [_headline(plan), "", f"{STACK_TYPE} {plan.project}-{plan.stack}"]
    top = roots(plan)
    for index, root in enumerate(top):
        _render_node(plan, root, lines, prefix="", is_last=index == len(top) - 1)
    lines.append("")
    lines.append("Outputs:" if plan.outputs else "Outputs: (none)")
    lines.extend(f"  {key} = {compact(value)}" for key, value in sorted_value(plan.outputs).items())
    from ...policies.access_matrix import access_text

    lines.append("")
    lines.extend(access_text(plan.access()))
    from ...policies.capabilities import capabilities_text

    can_do = capabilities_text(plan.capabilities())
    if can_do:
        lines += ["", *can_do]
    if plan.weakened:
        lines += ["", "Guardrails weakened:"]
        lines.extend(f"  {item.line()}" for item in plan.weakened)
    if plan.findings:
        lines.append("")
        lines.append("Findings:")
        lines.extend(
            f"  [{finding['severity']}] {finding['rule']}: {finding['message']} "
            f"({urn_name(finding['urn'])})"
            for finding in plan.findings
        )
    if plan.diagnostics:
        lines.append("")
        lines.append("Diagnostics:")
        lines.extend(
            f"  {diagnostic.severity}: {diagnostic.message}"
            + (f" ({urn_name(diagnostic.urn)})" if diagnostic.urn else "")
            for diagnostic in plan.diagnostics
        )
    return "\n".join(lines) + "\n"


def roots(plan: Plan) -> list[ResourceRecord]:
    """The records whose parent is not in the plan: those under the root stack."""
    known = {record.urn for record in plan.resources}
    return [record for record in plan.resources if record.parent not in known]


#: How text and Markdown show a value the engine learns only during the deployment (the JSON
#: format keeps :data:`~private_serverless.plan.values.UNKNOWN_PLACEHOLDER`).
KNOWN_AFTER_APPLY = "(known after apply)"
#: How text and Markdown show a secret the engine learns only during the deployment.
SECRET_KNOWN_AFTER_APPLY = "(secret, known after apply)"


def spell_unknowns(text: str) -> str:
    """JSON text with the unknown placeholders spelled out for a reader."""
    return text.replace(json.dumps(UNKNOWN_PLACEHOLDER), KNOWN_AFTER_APPLY).replace(
        json.dumps(UNKNOWN_SECRET_PLACEHOLDER), SECRET_KNOWN_AFTER_APPLY
    )


def compact(value: Any) -> str:
    """A value on one line: JSON, with the secret placeholder bare and unknowns spelled out."""
    if value == SECRET_PLACEHOLDER:
        return SECRET_PLACEHOLDER
    text = json.dumps(sorted_value(value), ensure_ascii=False, separators=(", ", ": "))
    return spell_unknowns(text)


def _headline(plan: Plan) -> str:
    counts = Counter(record.custom for record in plan.resources)
    return (
        f"Plan for stack {plan.stack} (project {plan.project}): "
        f"{counts[True]} resources, {counts[False]} components, {plan.waves} deploy waves"
    )


def _render_node(
    plan: Plan,
    record: ResourceRecord,
    lines: list[str],
    *,
    prefix: str,
    is_last: bool,
) -> None:
    branch = "└── " if is_last else "├── "
    flags = "  [protected]" if record.protect else ""
    kind = "" if record.custom else " (component)"
    lines.append(f"{prefix}{branch}{record.type} {record.name}{kind}{flags}")

    child_prefix = prefix + ("    " if is_last else "│   ")
    children = plan.children(record.urn)
    # Details sit under the node, with the guide line continuing when children follow.
    detail_prefix = child_prefix + ("│   " if children else "    ")
    for key, value in sorted_value(shown_inputs(record.inputs, record.secret_names)).items():
        lines.append(f"{detail_prefix}{key} = {compact(value)}")
    if record.dependencies:
        names = ", ".join(
            f"{urn_name(urn)} ({short_type(urn_type(urn))})" for urn in record.dependencies
        )
        lines.append(f"{detail_prefix}depends on: {names}")
    for index, child in enumerate(children):
        _render_node(plan, child, lines, prefix=child_prefix, is_last=index == len(children) - 1)
