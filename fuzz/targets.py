"""One function per entry point of the input boundary, taking the raw bytes of a file.

Each runs what the command runs on that file (reading, checking, the work, the rendering) and
returns normally when the file was accepted or refused with a :class:`PrivateServerlessError`
(exit 0/1 or 2). Anything else escapes, which the callers (hypothesis suites in
``tests/test_fuzz_boundary.py``, the atheris harness ``fuzz/atheris_targets.py``, the counting
driver ``fuzz/run.py``) report as a crash. An error message quoting :data:`MARKER` (planted in
values, never in keys) is an input value echoed, and fails with ``AssertionError``.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from private_serverless.audit import build_report, records_from_export
from private_serverless.audit import render_json as audit_json
from private_serverless.audit import render_text as audit_text
from private_serverless.core.files import EXPORT_BOUNDS, OUTPUTS_BOUNDS, PLAN_BOUNDS, parse_json
from private_serverless.errors import PrivateServerlessError

#: Planted in generated values: no error message may contain it.
MARKER = "ECHO-MARKER-7c1d"

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
FUZZ_STACK = "fuzz"


def _refused(exc: PrivateServerlessError) -> None:
    message = str(exc)
    assert MARKER not in message, "an error message echoes an input value"
    assert "Traceback" not in message


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # the readers refuse it before parsing (files.read_text)


def export_target(data: bytes) -> None:
    """``private-serverless audit FILE``: read, audit and render an export."""
    text = _text(data)
    if text is None:
        return
    try:
        document = parse_json(text, where="export.json", what="stack export", bounds=EXPORT_BOUNDS)
        report = build_report(records_from_export(document, "export.json"), now=NOW)
    except PrivateServerlessError as exc:
        _refused(exc)
        return
    audit_text(report)
    json.loads(audit_json(report))


@cache
def _base_plan() -> object:
    from private_serverless.plan import plan_from_dict

    from fuzz.seed_files import plan_document

    return plan_from_dict(plan_document())


def plan_target(data: bytes) -> None:
    """``private-serverless plan --against FILE``: read a plan file, diff against it, render."""
    from private_serverless.plan import (
        diff_plans,
        plan_from_dict,
        render_diff_json,
        render_diff_markdown,
        render_diff_text,
    )
    from private_serverless.plan.errors import PlanError

    text = _text(data)
    if text is None:
        return
    try:
        document = parse_json(
            text, where="base.json", what="plan file", bounds=PLAN_BOUNDS, error=PlanError
        )
        base = plan_from_dict(document, source="base.json")
    except PrivateServerlessError as exc:
        _refused(exc)
        return
    diff = diff_plans(base, _base_plan())  # type: ignore[arg-type]
    render_diff_text(diff)
    render_diff_markdown(diff)
    json.loads(render_diff_json(diff))


def _no_network(request: urllib.request.Request, timeout: float) -> int:
    # Answers like a private endpoint, without a socket: the fuzzing checks parsing and
    # judgement, the HTTP client has tests of its own against a local server.
    return 200 if request.get_header("X-auth-token") else 401


def outputs_target(data: bytes) -> None:
    """``private-serverless verify --outputs FILE``: read the outputs, check, render."""
    from private_serverless.verify.deployed_services import render_results, verify_outputs

    text = _text(data)
    if text is None:
        return
    try:
        document = parse_json(
            text, where="outputs.json", what="stack outputs file", bounds=OUTPUTS_BOUNDS
        )
        results = verify_outputs(document, timeout=1.0, opener=_no_network, where="outputs.json")
    except PrivateServerlessError as exc:
        _refused(exc)
        return
    render_results(results)


def stack_project(directory: Path) -> Path:
    """A copy of the project (Pulumi.yaml, __main__.py, services/, .env.example) to write
    stacks into."""
    shutil.copy(ROOT / "Pulumi.yaml", directory)
    shutil.copy(ROOT / "__main__.py", directory)
    shutil.copy(ROOT / ".env.example", directory)
    shutil.copytree(ROOT / "services", directory / "services", dirs_exist_ok=True)
    (directory / "stacks").mkdir(exist_ok=True)
    return directory


def stack_file_target(data: bytes, project: Path) -> None:
    """``private-serverless plan --stack fuzz``: the stack file written as ``data``, planned."""
    from private_serverless.plan.stack_plan import run_stack_plan
    from private_serverless.project.stack.offline import load_offline_program

    (project / "stacks" / f"Pulumi.{FUZZ_STACK}.yaml").write_bytes(data)
    try:
        run_stack_plan(
            FUZZ_STACK,
            loader=lambda stack: load_offline_program(
                stack, project_dir=project, env_file=project / ".env.example", environ={}
            ),
        )
    except PrivateServerlessError as exc:
        _refused(exc)


def stack_loader_target(data: bytes) -> None:
    """The stack file reader alone (parse, bounds, duplicates), without running the program."""
    from private_serverless.project.stack_yaml import load_stack_yaml

    text = _text(data)
    if text is None:
        return
    try:
        load_stack_yaml(text, "stacks/Pulumi.fuzz.yaml", project="private-serverless")
    except PrivateServerlessError as exc:
        _refused(exc)


#: Sample requests the condition target simulates: now, and both ends of CEL's range.
_SAMPLE_TIMES = (
    NOW,
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
)
_REFERENCE = 'inIpRange(request.ip, "198.51.100.0/24")'


def condition_target(data: bytes) -> None:
    """``private-serverless condition check|eval`` and what the plan and the audit do with a
    condition: validate it, simulate it at both ends of CEL's time range, compare it with
    another (the access matrix). Condition errors quote the expression on purpose (the CLI
    points a caret at it), so only a traceback is a failure here, not the marker."""
    from private_serverless.conditions import (
        AccessRequest,
        ConditionError,
        evaluate_condition,
        validate_condition,
    )
    from private_serverless.policies.access_matrix import implies

    text = _text(data)
    if text is None:
        return
    try:
        validate_condition(text)
    except ConditionError as exc:
        assert "Traceback" not in str(exc)
    for time in _SAMPLE_TIMES:
        for ip in ("198.51.100.7", "2001:db8::7"):
            request = AccessRequest(ip=ip, user_agent=MARKER, time=time)
            try:
                evaluate_condition(text, request)
            except ConditionError as exc:
                assert "Traceback" not in str(exc)
    implies(text, _REFERENCE)
    implies(_REFERENCE, text)
