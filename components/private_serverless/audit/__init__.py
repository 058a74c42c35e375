"""Audit of deployed stacks from a ``pulumi stack export`` file, with the policy rules.

May import policies, core and below; never the plan or the components.
"""

from .export_reader import AuditError, read_export, records_from_export, redact
from .render import render_json, render_text, to_dict
from .report import AuditReport, audit_export, build_report, migration_steps

__all__ = [
    "AuditError",
    "AuditReport",
    "audit_export",
    "build_report",
    "migration_steps",
    "read_export",
    "records_from_export",
    "redact",
    "render_json",
    "render_text",
    "to_dict",
]
