"""The plan as JSON, both ways: the machine-readable format and the base of a plan diff.

The shape is fixed, key order included, so that two plans of the same program are identical byte
for byte::

    {"stack", "project",
     "resources": [{"urn", "type", "name", "parent", "custom", "inputs", "dependencies",
                    "protect", "ignore_changes", "replace_on_changes", "aliases",
                    "property_dependencies", "secret_digests", "secret_names"}],
     "outputs": {...}, "waves": N, "access": [...], "capabilities": [...],
     "weakened": [{"setting", "what", "line"}],
     "findings": [{"rule", "severity", "urn", "message"}],
     "archives": {function urn: {path: "<mode>:<sha256>"}}}

Inputs and outputs are sorted by key at every depth. Diagnostics are not part of the format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ...core.files import PLAN_BOUNDS, read_json
from ...core.inventory import ResourceRecord
from ...errors import hide_on_user_error
from ..errors import PlanError
from ..model import Finding, Plan, WaiverShown

__tracebackhide__ = hide_on_user_error


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain data in the JSON format's key order (the view a reader sees)."""
    plan = plan.as_shown()
    return {
        "stack": plan.stack,
        "project": plan.project,
        "resources": [_record_to_dict(record) for record in plan.resources],
        "outputs": sorted_value(plan.outputs),
        "waves": plan.waves,
        # Who can call what: derived from the resources, so not read back by plan_from_dict.
        "access": _access(plan),
        # What each service can do (its identity): derived from the resources as well.
        "capabilities": [item.to_dict() for item in plan.capabilities()],
        # Settings that weaken a guardrail: names and key paths only.
        "weakened": [{**item.to_dict(), "line": item.line()} for item in plan.weakened],
        "findings": [_finding_to_dict(finding) for finding in plan.findings],
        # The files of each function's archive (path -> mode:sha256), for a later diff.
        "archives": {urn: dict(sorted(files.items())) for urn, files in plan.archives.items()},
        # The resources each output is computed from, for a later diff of the outputs.
        "output_sources": {path: list(urns) for path, urns in sorted(plan.output_sources.items())},
    }


def _finding_to_dict(finding: Finding) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "rule": finding["rule"],
        "severity": finding["severity"],
        "urn": finding["urn"],
        "message": finding["message"],
    }
    if "waiver" in finding:
        shown["waiver"] = dict(finding["waiver"])
    return shown


def _access(plan: Plan) -> list[dict[str, Any]]:
    return [entry.to_dict() for entry in plan.access()]


def render_json(plan: Plan) -> str:
    """The plan as JSON text (indent 2, trailing newline)."""
    return dumps(plan_to_dict(plan))


def dumps(data: Any) -> str:
    """JSON text as every format of this package writes it."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def sorted_value(value: Any) -> Any:
    """``value`` with every mapping's keys sorted, so equal data always prints the same."""
    if isinstance(value, Mapping):
        return {str(key): sorted_value(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [sorted_value(item) for item in value]
    return value


def _record_to_dict(record: ResourceRecord) -> dict[str, Any]:
    return {
        "urn": record.urn,
        "type": record.type,
        "name": record.name,
        "parent": record.parent,
        "custom": record.custom,
        "inputs": sorted_value(record.inputs),
        "dependencies": list(record.dependencies),
        "protect": record.protect,
        "ignore_changes": list(record.ignore_changes),
        "replace_on_changes": list(record.replace_on_changes),
        "aliases": list(record.aliases),
        "property_dependencies": {
            key: list(urns) for key, urns in sorted(record.property_dependencies.items())
        },
        "secret_digests": dict(sorted(record.secret_digests.items())),
        "secret_names": {key: list(names) for key, names in sorted(record.secret_names.items())},
    }


# -- reading -------------------------------------------------------------------------------------


class _ResourceModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    protect: bool
    # Absent from plans written by version 0.1.
    ignore_changes: list[str] = []
    replace_on_changes: list[str] = []
    aliases: list[str] = []
    property_dependencies: dict[str, list[str]] = {}
    secret_digests: dict[str, str] = {}
    secret_names: dict[str, list[str]] = {}


class _FindingModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    rule: str
    severity: str
    urn: str
    message: str
    waiver: _WaiverModel | None = None


class _WaiverModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    reason: str
    expires: str


class _PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    stack: str
    project: str
    resources: list[_ResourceModel]
    outputs: dict[str, Any]
    waves: int
    access: list[Any] = []  # derived from resources; recomputed, never trusted from the file
    capabilities: list[Any] = []  # the same
    weakened: list[Any] = []  # the stack's settings, not the base plan's to decide
    findings: list[_FindingModel]
    # Absent from plans written before archives were listed.
    archives: dict[str, dict[str, str]] = {}
    # Absent from plans written before output sources were recorded.
    output_sources: dict[str, list[str]] = {}


def plan_from_dict(data: Any, *, source: str = "plan JSON") -> Plan:
    """A :class:`Plan` from data in the JSON format; :class:`PlanError` naming ``source`` if not."""
    try:
        model = _PlanModel.model_validate(data)
    except ValidationError as exc:
        # Only locations and reasons: the offending values could be anything, secrets included.
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        ]
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise PlanError(f"{source}: not a valid plan: {shown}") from None
    return Plan(
        stack=model.stack,
        project=model.project,
        resources=[
            ResourceRecord(
                urn=resource.urn,
                type=resource.type,
                name=resource.name,
                parent=resource.parent,
                custom=resource.custom,
                inputs=resource.inputs,
                dependencies=tuple(resource.dependencies),
                protect=resource.protect,
                ignore_changes=tuple(resource.ignore_changes),
                replace_on_changes=tuple(resource.replace_on_changes),
                aliases=tuple(resource.aliases),
                property_dependencies={
                    key: tuple(urns) for key, urns in resource.property_dependencies.items()
                },
                secret_digests=resource.secret_digests,
                secret_names={key: tuple(names) for key, names in resource.secret_names.items()},
            )
            for resource in model.resources
        ],
        outputs=model.outputs,
        waves=model.waves,
        findings=[_finding_from_model(finding) for finding in model.findings],
        archives=model.archives,
        output_sources={path: tuple(urns) for path, urns in model.output_sources.items()},
    )


def _finding_from_model(model: _FindingModel) -> Finding:
    finding = Finding(
        rule=model.rule, severity=model.severity, urn=model.urn, message=model.message
    )
    if model.waiver is not None:
        finding["waiver"] = WaiverShown(reason=model.waiver.reason, expires=model.waiver.expires)
    return finding


def load_plan_file(path: Path) -> Plan:
    """Read a plan JSON file; :class:`PlanError` naming the file if it is missing or invalid."""
    data = read_json(path, what="plan file", error=PlanError, bounds=PLAN_BOUNDS)
    return plan_from_dict(data, source=str(path))
