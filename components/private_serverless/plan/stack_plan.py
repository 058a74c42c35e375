"""Planning a stack: load its program (the project's stack file, or a loader's), run it under
the offline runner, then apply the policy checks of the stack's ``policy`` setting.

The runner (:mod:`.runner`) is handed a program and knows nothing of projects; this module is
where a project's stack meets it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import cast

from ..policies import PolicySettings, evaluate
from ..policies.rules import redact_plain_secrets
from ..policies.waivers import Waiver, read_waivers
from ..project import pulumi_project
from .model import Finding, Plan
from .runner import PlanCheck, Program, StackProgramLoader, infer_project, run_plan


def run_stack_plan(
    stack: str,
    *,
    loader: StackProgramLoader | None = None,
    project: str | None = None,
    checks: Sequence[PlanCheck] | None = None,
    env_file: Path | None = None,
) -> Plan:
    """Load the program of ``stack``, run it offline and apply the policy checks.

    ``loader`` defaults to :func:`default_stack_loader` (reading secrets from ``env_file``,
    else the project's ``.env``); ``checks`` to :func:`default_plan_checks` for the stack's
    configuration. ``project`` defaults, with the default loader, to the name in the
    ``Pulumi.yaml`` of the working directory; with an injected ``loader``, to the one namespace
    of the configuration keys that is not a provider's, else :data:`DEFAULT_PROJECT`.
    """
    if loader is not None:
        program, config, secret_keys = loader(stack)
    else:
        program, config, secret_keys = default_stack_loader(stack, env_file=env_file)
        # The project's own stacks: its name is the one in Pulumi.yaml, never a guess.
        project = project or _project_from_file()
    plan = run_plan(
        program,
        project=project or infer_project(config),
        stack=stack,
        config=config,
        secret_config_keys=secret_keys,
    )
    for check in default_plan_checks(config) if checks is None else checks:
        plan.findings.extend(check(plan))
    return plan


def default_stack_loader(
    stack: str, *, env_file: Path | None = None
) -> tuple[Program, dict[str, str], set[str]]:
    """The project's loader: the library's stack program on the stack file (offline)."""
    # Deferred: the stack program reads .env files (python-dotenv, the `cli` extra), and the
    # testing kit imports this package in a components-only install.
    from ..project.stack.offline import load_offline_program

    return load_offline_program(stack, env_file=env_file)


def _project_from_file() -> str:
    """The name in ``Pulumi.yaml`` of the current directory (the default loader's project)."""
    return pulumi_project.find_project().name


def default_plan_checks(
    config: Mapping[str, str], *, today: date | None = None
) -> Sequence[PlanCheck]:
    """The policy rules, with the settings of the stack's ``policy`` configuration key and the
    stack's ``waivers`` (expired ones judged against ``today``, default the current date)."""
    settings = PolicySettings()
    # Only the project's own key: a `policy` key in another namespace must never replace the
    # guardrails (the program refuses it as an unknown key, naming the stack file).
    project = infer_project(config)
    value = config.get(f"{project}:policy")
    if value is not None:
        # A bad policy key is reported by the program itself, naming the stack file.
        with contextlib.suppress(ValueError):
            settings = PolicySettings.model_validate(json.loads(value))
    raw_waivers = config.get(f"{project}:waivers")

    def stack_waivers() -> tuple[Waiver, ...]:
        # Read after the program ran: this repository's stack program refuses bad waivers
        # itself, naming the stack file; another program's stack gets the same check here
        # (exit 2, naming the key).
        if raw_waivers is None:
            return ()
        try:
            data = json.loads(raw_waivers)
        except ValueError:
            data = raw_waivers  # not JSON: refused as not a list of waivers
        return read_waivers(data, settings, f"stack configuration {project}:waivers")

    def policy_check(plan: Plan) -> list[Finding]:
        waivers = stack_waivers()
        found = evaluate(
            plan.resources,
            settings,
            default_project_id=plan.default_project_id,
            waivers=waivers,
            today=today,
        )
        findings = [cast(Finding, f.to_dict()) for f in found]
        # Never print a value a rule has just called secret.
        plan.resources[:] = redact_plain_secrets(plan.resources, settings)
        return findings

    return (policy_check,)


def plan_project(
    stack: str,
    *,
    start: Path | None = None,
    env_file: Path | None = None,
    checks: Sequence[PlanCheck] | None = None,
) -> Plan:
    """The offline plan of ``stack`` of the project around ``start`` (the working directory):
    its program under the mock runtime, then the policy checks (the default rules unless
    ``checks`` is given)."""
    project = pulumi_project.find_project(start)
    program, config, secret_keys = pulumi_project.load_program(project, stack, env_file=env_file)

    def loader(_: str) -> tuple[Callable[[], None], dict[str, str], set[str]]:
        return program, config, secret_keys

    return run_stack_plan(stack, loader=loader, project=project.name, checks=checks)
