"""Planning a stack: load its program (the project's stack file, or a loader's), run it under
the offline runner, then apply the policy checks of the stack's ``policy`` setting.

The runner (:mod:`.runner`) is handed a program and knows nothing of projects; this module is
where a project's stack meets it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import cast

from pydantic import ValidationError

from ..errors import ConfigurationError, Problem, hide_on_user_error, problems_from_validation_error
from ..policies import PolicySettings, evaluate, weakenings
from ..policies.rules import redact_plain_secrets
from ..policies.waivers import Waiver, read_waivers
from ..policies.weakening import component_allowances
from ..project import pulumi_project
from .echoes import flagged_strings, scrub_echoes, scrub_finding, scrubber
from .model import Finding, Plan, urn_name
from .runner import PlanCheck, Program, StackProgramLoader, infer_project, run_plan

__tracebackhide__ = hide_on_user_error


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
    # One name for the run and for the policy key: the one given (Pulumi.yaml's, for a
    # project), guessed from the configuration only for an injected loader that names none.
    project = project or infer_project(config)
    plan = run_plan(
        program,
        project=project,
        stack=stack,
        config=config,
        secret_config_keys=secret_keys,
    )
    for check in default_plan_checks(config, project) if checks is None else checks:
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
    config: Mapping[str, str], project: str, *, today: date | None = None
) -> Sequence[PlanCheck]:
    """The policy rules, with the settings of the stack's ``<project>:policy`` key and the
    stack's ``<project>:waivers`` (expired ones judged against ``today``, default the current
    date).

    ``project`` is the project's name as ``Pulumi.yaml`` gives it: a third-party key
    (``datadog:apiKey``, ``aws:region``) never changes which key holds the settings.
    """

    def policy_check(plan: Plan) -> list[Finding]:
        settings = stack_policy_settings(config, project, plan.stack)
        allowances = component_allowances(plan.resources)
        if settings.forbid_weakening and allowances:
            raise ConfigurationError(
                f"Pulumi.{plan.stack}.yaml",
                [
                    Problem(
                        f"services.{urn_name(urn)}.allowed_plain_names",
                        "allowing plain names weakens no-plain-secrets, and this stack's "
                        "policy.forbid_weakening is set: move the variables to `secrets`",
                    )
                    for urn in sorted(allowances)
                ],
            )
        plan.weakened[:] = weakenings(settings, plan.resources)
        found = evaluate(
            plan.resources,
            settings,
            default_project_id=plan.default_project_id,
            waivers=stack_waivers(config, project, plan.stack, settings),
            today=today,
        )
        findings = [cast(Finding, f.to_dict()) for f in found]
        # Never print a value a rule has just called secret, nor a copy of it elsewhere.
        before = list(plan.resources)
        plan.resources[:] = redact_plain_secrets(plan.resources, settings)
        echoes = flagged_strings(before, plan.resources)
        if not echoes:
            return findings
        scrub = scrubber(echoes)
        scrub_echoes(plan, scrub)
        earlier = plan.scrub
        plan.scrub = lambda value: scrub(earlier(value))
        return [scrub_finding(finding, scrub) for finding in findings]

    return (policy_check,)


def stack_waivers(
    config: Mapping[str, str], project: str, stack: str, settings: PolicySettings
) -> tuple[Waiver, ...]:
    """The stack's ``<project>:waivers``, checked against ``settings`` (none without the key).

    Read after the program ran: this repository's stack program refuses bad waivers itself;
    another program's stack gets the same check here (exit 2, naming the file and key).
    """
    value = config.get(f"{project}:waivers")
    if value is None:
        return ()
    try:
        data = json.loads(value)
    except ValueError:
        data = value  # not JSON: refused as not a list of waivers
    return read_waivers(data, settings, f"Pulumi.{stack}.yaml")


def stack_policy_settings(config: Mapping[str, str], project: str, stack: str) -> PolicySettings:
    """The settings of the stack's ``<project>:policy`` key (the defaults without one).

    Only the project's own key: a ``policy`` key in another namespace must never replace the
    guardrails (the repository's stack program refuses it as an unknown key). A consumer's
    program need not read the key itself: a bad one is an error here, never ignored.
    """
    value = config.get(f"{project}:policy")
    if value is None:
        return PolicySettings()
    where = f"Pulumi.{stack}.yaml"
    try:
        return PolicySettings.model_validate(json.loads(value))
    except ValidationError as exc:
        raise ConfigurationError(
            where, problems_from_validation_error(exc, prefix="policy")
        ) from None
    except ValueError:
        raise ConfigurationError(
            where, [Problem("policy", "must be a mapping (YAML object)")]
        ) from None


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
