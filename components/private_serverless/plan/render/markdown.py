"""The plan as Markdown for a pull-request comment.

Summary counts, a Mermaid diagram of who can call what (service → IAM application → policy and
API key), a table per component with the inputs folded away, the outputs and the findings.
Everything comes from the plan, which holds no secret.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable

from ...core.inventory import ResourceRecord
from ..mocks import mock_resource_id
from ..model import Plan, short_type, urn_name, urn_type
from ..secret_names import shown_inputs
from ..values import UNKNOWN_PLACEHOLDER, UNKNOWN_SECRET_PLACEHOLDER
from .json import sorted_value
from .text import compact

SERVICE_TYPES = frozenset(
    {"scaleway:functions/function:Function", "scaleway:containers/container:Container"}
)
APPLICATION_TYPE = "scaleway:iam/application:Application"
GRANT_TYPES = frozenset({"scaleway:iam/policy:Policy", "scaleway:iam/apiKey:ApiKey"})


def render_markdown(plan: Plan) -> str:
    """The whole PR comment."""
    plan = plan.as_shown()
    sections = [
        _summary(plan),
        _access_diagram(plan),
        *_capabilities(plan),
        *_component_sections(plan),
        _outputs(plan),
        _weakened(plan),
        _findings(plan),
        _diagnostics(plan),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def access_edges(plan: Plan) -> list[tuple[ResourceRecord, ResourceRecord]]:
    """Edges of the access diagram, in plan order.

    A service points to the IAM applications of its component (they are its callers); an
    application points to each policy and API key whose ``applicationId`` is its id (the mock id,
    as the plan shows it) or, failing that, that depends on it alone among applications.
    """
    applications = [record for record in plan.resources if record.type == APPLICATION_TYPE]
    by_id = {mock_resource_id(app.type, app.name): app for app in applications}
    by_urn = {app.urn: app for app in applications}
    edges: list[tuple[ResourceRecord, ResourceRecord]] = []
    for record in plan.resources:
        if record.type in SERVICE_TYPES:
            edges.extend(
                (record, app)
                for app in applications
                if app.parent is not None and app.parent == record.parent
            )
        elif record.type in GRANT_TYPES:
            app = by_id.get(str(record.inputs.get("applicationId")))
            if app is None:
                depended = [by_urn[urn] for urn in record.dependencies if urn in by_urn]
                app = depended[0] if len(depended) == 1 else None
            if app is not None:
                edges.append((app, record))
    return edges


# -- sections -------------------------------------------------------------------------------------


def _summary(plan: Plan) -> str:
    customs = [record for record in plan.resources if record.custom]
    components = len(plan.resources) - len(customs)
    counts = Counter(record.type for record in customs)
    lines = [
        f"## Offline plan: stack {_code(plan.stack)} (project {_code(plan.project)})",
        "",
        f"**{len(customs)}** resources in **{components}** components, "
        f"**{plan.waves}** deploy waves, **{len(plan.findings)}** findings.",
    ]
    if counts:
        lines += ["", "| Type | Count |", "|---|---:|"]
        lines += [
            f"| {_code(type_token)} | {counts[type_token]} |" for type_token in sorted(counts)
        ]
    return "\n".join(lines)


def _capabilities(plan: Plan) -> list[str]:
    from ...policies.capabilities import capabilities_markdown

    section = capabilities_markdown(plan.capabilities())
    return [section] if section else []


def _access_diagram(plan: Plan) -> str:
    # Who can call what, computed from the grants (IAM is per project, policies add up).
    from ...policies.access_matrix import access_markdown

    return access_markdown(plan.access())


def _resource_diagram(plan: Plan) -> str:
    """The former per-service picture (service -> application -> grants), kept for reuse."""
    nodes = [
        record
        for record in plan.resources
        if record.type in SERVICE_TYPES | GRANT_TYPES or record.type == APPLICATION_TYPE
    ]
    if not nodes:
        return ""
    ids = {record.urn: f"r{index}" for index, record in enumerate(nodes)}
    lines = ["### Access", "", "```mermaid", "flowchart LR"]
    lines += [
        f'  {ids[record.urn]}["{_mermaid_label(short_type(record.type) + ": " + record.name)}"]'
        for record in nodes
    ]
    lines += [f"  {ids[source.urn]} --> {ids[target.urn]}" for source, target in access_edges(plan)]
    lines.append("```")
    return "\n".join(lines)


def _component_sections(plan: Plan) -> Iterable[str]:
    components = [record for record in plan.resources if not record.custom]
    known = {record.urn for record in components}
    top_level = [r for r in plan.resources if r.custom and r.parent not in known]
    if top_level:
        yield _resource_section("Stack-level resources", top_level)
    for component in components:
        members = [record for record in plan.children(component.urn) if record.custom]
        if members:
            title = f"{_code(component.name)} ({_code(component.type)})"
            yield _resource_section(title, members)


def _resource_section(title: str, members: list[ResourceRecord]) -> str:
    lines = [
        f"### {title}",
        "",
        "| Resource | Type | Depends on | Protected |",
        "|---|---|---|---|",
    ]
    for record in members:
        depends = ", ".join(
            _code(f"{urn_name(urn)} ({short_type(urn_type(urn))})") for urn in record.dependencies
        )
        lines.append(
            f"| {_code(record.name)} | {_code(short_type(record.type))} | {depends or '-'} "
            f"| {'yes' if record.protect else 'no'} |"
        )
    for record in members:
        lines += ["", _details(f"Inputs of <code>{html.escape(record.name)}</code>", record)]
    return "\n".join(lines)


def _details(summary: str, record: ResourceRecord) -> str:
    # A block labelled json must parse as JSON: unknowns stay the plan JSON's "[unknown]"
    # string (text and tables spell them "(known after apply)").
    inputs = shown_inputs(record.inputs, record.secret_names)
    body = json.dumps(sorted_value(inputs), indent=2, ensure_ascii=False)
    if json.dumps(UNKNOWN_PLACEHOLDER) in body:
        summary += f" ({html.escape(json.dumps(UNKNOWN_PLACEHOLDER))}: known after apply)"
    if json.dumps(UNKNOWN_SECRET_PLACEHOLDER) in body:
        summary += (
            f" ({html.escape(json.dumps(UNKNOWN_SECRET_PLACEHOLDER))}: secret, known after apply)"
        )
    fence = _fence(body)
    return "\n".join(
        [
            "<details>",
            f"<summary>{summary}</summary>",
            "",
            f"{fence}json",
            body,
            fence,
            "",
            "</details>",
        ]
    )


def _outputs(plan: Plan) -> str:
    if not plan.outputs:
        return "### Outputs\n\nNone."
    lines = ["### Outputs", "", "| Output | Value |", "|---|---|"]
    lines += [
        f"| {_code(key)} | {_code(compact(value))} |"
        for key, value in sorted_value(plan.outputs).items()
    ]
    return "\n".join(lines)


def _weakened(plan: Plan) -> str:
    if not plan.weakened:
        return ""
    lines = ["### Guardrails weakened", ""]
    lines += [f"- {_cell(item.line())}" for item in plan.weakened]
    return "\n".join(lines)


def _findings(plan: Plan) -> str:
    if not plan.findings:
        return ""
    lines = ["### Findings", "", "| Severity | Rule | Resource | Message |", "|---|---|---|---|"]
    lines += [
        f"| {_cell(finding['severity'])} | {_code(finding['rule'])} | "
        f"{_code(urn_name(finding['urn']))} | {_cell(finding['message'])} |"
        for finding in plan.findings
    ]
    return "\n".join(lines)


def _diagnostics(plan: Plan) -> str:
    if not plan.diagnostics:
        return ""
    lines = ["### Diagnostics", ""]
    lines += [
        f"- **{diagnostic.severity}**: {_cell(diagnostic.message)}"
        for diagnostic in plan.diagnostics
    ]
    return "\n".join(lines)


# -- escaping -------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a table cell: one line, pipes escaped, HTML inert."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _code(text: str) -> str:
    """A code span safe inside a table cell (backticks would end it, pipes the cell)."""
    flat = " ".join(text.split()).replace("`", "'").replace("|", "\\|")
    return f"`{flat}`"


def _fence(body: str) -> str:
    """A code fence longer than any backtick run in ``body``."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _mermaid_label(text: str) -> str:
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )
