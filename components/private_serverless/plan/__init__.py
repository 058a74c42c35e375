"""The offline plan: the real Pulumi program run under Pulumi's mock runtime.

``run_plan`` runs a program and returns a :class:`Plan` (every registration, the stack outputs,
the deploy waves); the ``render_*`` functions show it; ``diff_plans`` compares two.

May import project (the stack program, through :mod:`.stack_plan`), policies and below;
the runner itself is handed a program and imports no project code.
"""

from .diff import (
    PlanDiff,
    ResourceChange,
    ValueChange,
    diff_plans,
    render_diff_json,
    render_diff_markdown,
    render_diff_text,
)
from .errors import PlanError
from .model import Diagnostic, Finding, Plan
from .render.json import load_plan_file, plan_from_dict, plan_to_dict, render_json
from .render.markdown import render_markdown
from .render.text import render_text
from .runner import PlanCheck, StackProgramLoader, run_plan
from .stack_plan import plan_project, run_stack_plan

__all__ = [
    "Diagnostic",
    "Finding",
    "Plan",
    "PlanCheck",
    "PlanDiff",
    "PlanError",
    "ResourceChange",
    "StackProgramLoader",
    "ValueChange",
    "diff_plans",
    "load_plan_file",
    "plan_from_dict",
    "plan_project",
    "plan_to_dict",
    "render_diff_json",
    "render_diff_markdown",
    "render_diff_text",
    "render_json",
    "render_markdown",
    "render_text",
    "run_plan",
    "run_stack_plan",
]
