"""Audit reports as text (for people) and JSON (for pipelines).

Everything printed comes from findings, which carry names and never values, and from the
report's own wording; nothing is read back from the resources' inputs here.
"""

from __future__ import annotations

import json
from typing import Any

from ..policies import ADVISORY, MANDATORY
from .report import AuditReport


def to_dict(report: AuditReport) -> dict[str, Any]:
    """The JSON document of a report."""
    return {
        "source": report.source,
        "resources": report.resource_count,
        "clean": report.clean,
        "summary": {
            MANDATORY: report.count(MANDATORY),
            ADVISORY: report.count(ADVISORY),
        },
        "settings": {
            "max_key_lifetime_days": report.settings.max_key_lifetime_days,
            "require_condition": report.settings.require_condition,
            "expiry_window_days": report.settings.expiry_window_days,
        },
        "findings": [{**f.to_dict(), "name": f.name} for f in report.findings],
        "migration": list(report.migration_steps),
    }


def render_json(report: AuditReport) -> str:
    """The report as indented JSON."""
    return json.dumps(to_dict(report), indent=2, sort_keys=False)


def render_text(report: AuditReport) -> str:
    """The report as plain text, grouped by section."""
    header = f"Audit of {report.source}: {report.resource_count} resources"
    if report.clean:
        return f"{header}\nNo findings: the stack follows the private-serverless rules.\n"
    lines = [
        header,
        f"{report.count(MANDATORY)} mandatory and {report.count(ADVISORY)} advisory findings.",
    ]
    for title, findings in report.sections():
        lines += ["", f"{title} ({len(findings)})"]
        lines += [f"  - [{f.severity}] {f.rule}: {f.shown_message()}" for f in findings]
    if report.migration_steps:
        lines += ["", "Migrating from JWT tokens to IAM"]
        lines += [f"  {step}" for step in report.migration_steps]
    return "\n".join(lines) + "\n"
