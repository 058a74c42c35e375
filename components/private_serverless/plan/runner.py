"""Run a Pulumi program offline, under Pulumi's mock runtime, and return its :class:`Plan`.

The program is the real one: only the engine and the provider are mocked. The program runs the
way the Python language host runs it (``run_in_stack``), so ``pulumi.export`` works and the run
waits for every registration and every ``apply`` before returning. The runtime is reset
afterwards, whatever happened, so that many plans can run in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import resource as runtime_resource
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import Mocks, MockSettings
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.settings import SETTINGS, configure, get_root_resource, reset_options
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from ..core.inventory import ResourceRecord
from ..errors import PrivateServerlessError, hide_on_user_error
from .archive_changes import archive_files
from .collection import collections_at_the_end
from .component_outputs import unsent_component_outputs
from .echoes import long_enough, scrub_records, scrubber
from .graph import canonical_order, count_waves
from .mocks import ScalewayMocks
from .model import Diagnostic, Finding, Plan
from .output_sources import output_sources
from .preview_mocks import InventedValues, PreviewMocks
from .recorder import LogRecorder, PlanRecorder
from .settle import flat_settling
from .unknowns_scan import acyclic_unknowns_scan
from .unread_urns import without_unread_urns
from .values import secret_strings

__tracebackhide__ = hide_on_user_error

Program = Callable[[], None]

#: For a stack name: the program, its configuration (``key`` or ``namespace:key`` → string,
#: structured values as JSON text) and the keys whose values are secret.
StackProgramLoader = Callable[[str], tuple[Program, dict[str, str], set[str]]]

#: A policy check: the findings it has about a plan.
PlanCheck = Callable[[Plan], Iterable[Finding]]

#: The project name used when neither the caller nor the configuration names one.
DEFAULT_PROJECT = "private-serverless"

# Configuration namespaces that belong to providers or Pulumi, never to the project.
_FOREIGN_NAMESPACES = frozenset({"pulumi", "scaleway"})

#: The provider's default project: where a namespace that names no project is created.
_DEFAULT_PROJECT_KEY = "scaleway:projectId"


def run_plan(
    program: Program,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None = None,
    secret_config_keys: Iterable[str] = (),
    preview: bool = True,
) -> Plan:
    """Run ``program`` under mocks and return every registration and the stack outputs.

    Configuration keys without a namespace are put in ``project``'s, as ``pulumi config set``
    does, so ``pulumi.Config()`` in the program finds them.

    With ``preview`` (the default) the program runs once, as ``pulumi preview`` runs it on a
    new stack: every value a provider computes is unknown (:class:`PreviewMocks`), so no
    made-up value reaches a reader, and the policy checks judge what CrossGuard judges in a
    real preview (records are linked through the dependencies the engine records). Without
    it, the program runs as a deployment against mocks that give every computed output a
    made-up value, so that every ``apply`` runs: what unit tests of a program's wiring want.
    A finding that quotes a made-up value is rewritten (:attr:`Plan.describe_invented`).

    Any exception the program raises, in its body or in an ``apply``, is raised again unchanged.
    """
    full_config = {_config_key(project, key): value for key, value in (config or {}).items()}
    secret_keys = sorted({_config_key(project, key) for key in secret_config_keys})
    config_secrets: set[str] = set()
    for key in secret_keys:
        if key in full_config:
            config_secrets |= _config_secret_strings(full_config[key])

    invented = None if preview else InventedValues(ScalewayMocks())
    result = _run_once(
        program,
        PreviewMocks(ScalewayMocks()) if invented is None else invented,
        project=project,
        stack=stack,
        config=full_config,
        secret_keys=secret_keys,
        config_secrets=config_secrets,
        dry_run=preview,
    )
    return Plan(
        stack=stack,
        project=project,
        resources=result.resources,
        outputs=result.outputs,
        waves=count_waves(result.resources),
        diagnostics=result.diagnostics,
        describe_invented=None if invented is None else invented.describe,
        default_project_id=full_config.get(_DEFAULT_PROJECT_KEY) or None,
        archives=archive_files(result.resources),
        output_sources=result.output_sources,
        scrub=result.scrub,
    )


@dataclass(frozen=True)
class _Run:
    resources: list[ResourceRecord]
    outputs: dict[str, Any]
    diagnostics: list[Diagnostic]
    output_sources: dict[str, tuple[str, ...]]
    scrub: Callable[[Any], Any]


def _run_once(
    program: Program,
    mocks: Mocks,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    config_secrets: set[str],
    dry_run: bool,
) -> _Run:
    recorder = PlanRecorder(mocks)
    logs = LogRecorder()
    features = _supported_features(recorder)
    # Start from clean globals even if a previous user of the runtime did not clean up.
    reset_options(project=project, stack=stack, preview=dry_run)
    set_all_config(config, secret_keys)
    configure(
        MockSettings(  # type: ignore[no-untyped-call]  # the SDK's mocks module is untyped
            monitor=recorder,
            monitor_features=features,
            engine=logs,
            project=project,
            stack=stack,
            dry_run=dry_run,
            organization=None,
            callbacks=None,
        )
    )
    try:
        # Like the language host: a root stack resource, the program, then wait for every RPC
        # and pending output. ``set_mocks`` is not used: it would finish the root stack before
        # the program runs, and ``pulumi.export`` would be lost.
        roots: list[object] = []

        def program_in_stack() -> None:
            # The root stack lives in the context of the task that runs the program, not ours:
            # keep a reference to read the exported names once everything has run.
            roots.append(get_root_resource())
            program()

        with (
            _without_stack_traces(),
            unsent_component_outputs(),
            without_unread_urns(resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS in features),
            flat_settling(),
            acyclic_unknowns_scan(),
            collections_at_the_end(),
        ):
            _sync_await(run_in_stack(program_in_stack))
        exported = getattr(roots[0] if roots else None, "outputs", None)
        sources = _sync_await(output_sources(exported)) if isinstance(exported, dict) else {}
    except BaseException as exc:
        cancel_pending_work()
        _redact_message(exc, recorder, config_secrets)
        raise
    finally:
        reset_options()
        set_all_config({}, [])

    # A secret's value copied into a plain value (a program's string, not an Output) is hidden
    # there too; a plain environment variable holding one is then a no-plain-secrets finding.
    scrub = scrubber(long_enough(recorder.known_secrets() | config_secrets))
    return _Run(
        resources=scrub_records(canonical_order(recorder.records), scrub),
        # An output whose value is null is not exported: the engine drops it (issue 24's
        # recordings), so the plan drops it too.
        outputs={
            name: scrub(value)
            for name, value in recorder.stack_outputs.items()
            if value is not None
        },
        diagnostics=logs.diagnostics(recorder, config_secrets),
        output_sources=sources,
        scrub=scrub,
    )


def _redact_message(exc: BaseException, recorder: PlanRecorder, config_secrets: set[str]) -> None:
    """Take the run's secrets out of the message of a library error the program raised (the
    project's program wraps its own exceptions in one, with their text): it is printed."""
    if (
        isinstance(exc, PrivateServerlessError)
        and len(exc.args) == 1
        and isinstance(exc.args[0], str)
    ):
        exc.args = (recorder.redact(exc.args[0], config_secrets),)


def infer_project(config: Mapping[str, str]) -> str:
    """The project a configuration belongs to: its only non-provider key namespace."""
    namespaces = {
        key.split(":", 1)[0]
        for key in config
        if ":" in key and key.split(":", 1)[0] not in _FOREIGN_NAMESPACES
    }
    return namespaces.pop() if len(namespaces) == 1 else DEFAULT_PROJECT


def _supported_features(recorder: PlanRecorder) -> set[int]:
    info = recorder.GetDeploymentInfo(None)  # type: ignore[no-untyped-call]
    return set(info.supportedFeatures)


def _config_secret_strings(value: str) -> set[str]:
    """A secret config value and, for structured (JSON) values, every string inside it."""
    found = secret_strings(value)
    with contextlib.suppress(ValueError):
        found |= secret_strings(json.loads(value))
    return found


def _config_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


@contextlib.contextmanager
def _without_stack_traces() -> Iterator[None]:
    """Registrations without the stack trace of the code that made each resource.

    For every resource the SDK walks the Python stack and reads the source of each file on it
    (``traceback.extract_stack``), so that the engine can point at the line. The recording
    monitor has no use for it, and on a dense stack it costs a tenth of the run and 3 MB
    (issue 12's budget: 2 s and 100 MB for any stack file under 1 KB). The hook is private to
    the pinned SDK: if a release renames it, plans stay the same and only cost more.
    """
    original = getattr(runtime_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    runtime_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        runtime_resource._get_stack_trace = original


def cancel_pending_work() -> None:
    """Cancel the registrations and applies a failed program left behind.

    Otherwise they would stay on the event loop and run during the next plan, against a
    monitor that no longer records anything.
    """
    pending = [
        task
        for task in [*SETTINGS.outputs, *SETTINGS.rpc_manager.rpcs]
        if isinstance(task, asyncio.Future) and not task.done()
    ]
    for task in pending:
        task.cancel()
    if pending:
        _sync_await(asyncio.gather(*pending, return_exceptions=True))
