"""A mock Pulumi engine that records what a real one would receive.

:class:`PlanRecorder` stands in for the resource monitor: it records every registration
(custom and component; the root stack only through its outputs) and the stack outputs, then lets
:class:`pulumi.runtime.mocks.MockMonitor` answer with the provider outputs of the mocks.
:class:`LogRecorder` stands in for the engine's log service and keeps warnings and errors.

Secrets are replaced as soon as a request is read; their clear text is kept in memory only long
enough to redact log messages when the plan is built.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.runtime.mocks import MockEngine, MockMonitor, Mocks
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.settings import get_project, get_stack

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from .model import STACK_TYPE, Diagnostic, Severity
from .secret_digests import plan_key, secret_digest
from .secret_names import secret_map_names, secret_name_digests
from .values import (
    SECRET_SIGNATURE,
    SIGNATURE_KEY,
    protobuf_to_plain,
    redact,
    secret_strings,
    struct_to_plan_value,
)


@dataclass(frozen=True)
class _RawLog:
    severity: Severity
    message: str
    urn: str | None


class PlanRecorder(MockMonitor):
    """A mock resource monitor that records registrations and the stack outputs."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        # The SDK calls the monitor from executor threads.
        self._lock = threading.Lock()
        self._records: list[ResourceRecord] = []
        #: Each recorded URN's aliases, which its children inherit.
        self._aliases: dict[str, tuple[str, ...]] = {}
        self._stack_outputs: dict[str, Any] = {}
        self._secrets: set[str] = set()
        self._digest_key = plan_key()

    # -- what the run produced ---------------------------------------------------------------

    @property
    def records(self) -> list[ResourceRecord]:
        """The registrations, in arrival order."""
        with self._lock:
            return list(self._records)

    @property
    def stack_outputs(self) -> dict[str, Any]:
        """The exported stack outputs, secrets replaced."""
        with self._lock:
            return dict(self._stack_outputs)

    def known_secrets(self) -> frozenset[str]:
        """Every string a secret value seen during the run holds (kept in memory only)."""
        with self._lock:
            return frozenset(self._secrets)

    def redact(self, text: str, extra_secrets: set[str] | None = None) -> str:
        """``text`` without any secret seen during the run (nor ``extra_secrets``)."""
        with self._lock:
            secrets = self._secrets | (extra_secrets or set())
        return redact(text, secrets)

    # -- monitor RPCs --------------------------------------------------------------------------

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """Build URNs as the engine does, so plan URNs match those of a real stack.

        The SDK's mock keeps only the last type of the parent and includes the root stack's
        type; the engine leaves the stack out and chains every ancestor's type.
        """
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{get_stack()}::{get_project()}::{qualified}::{name}"

    def RegisterResource(self, request: Any) -> Any:  # gRPC method name
        """Record the registration, then answer as the mock monitor does."""
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = struct_to_plan_value(request.object, self._collect_secret)
        dependencies = set(request.dependencies)
        property_dependencies = {
            str(key): tuple(sorted(urn for urn in value.urns if urn))
            for key, value in request.propertyDependencies.items()
        }
        for urns in property_dependencies.values():
            dependencies.update(urns)
        dependencies.discard("")
        names = secret_map_names(request.object)
        record = ResourceRecord(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            inputs=inputs,
            # The SDK gathers dependencies in sets: sort them so plans are reproducible.
            dependencies=tuple(sorted(dependencies)),
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            replace_on_changes=tuple(request.replaceOnChanges),
            aliases=tuple(self._alias_urns(request, urn)),
            property_dependencies={k: v for k, v in sorted(property_dependencies.items()) if v},
            secret_digests=self._secret_digests(request.object, inputs, names),
            secret_names=names,
        )
        # The root stack is not a resource of the plan: its only content, the outputs, is
        # recorded separately (see RegisterResourceOutputs).
        if request.type != STACK_TYPE:
            with self._lock:
                self._records.append(record)
                self._aliases[urn] = record.aliases
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        _track_worker_loop()
        _mark_secret_outputs(response.object, request.additionalSecretOutputs)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # gRPC method name
        """Keep the root stack's outputs (``pulumi.export``); components' outputs are not plan."""
        if request.urn.split("::")[2:3] == [STACK_TYPE]:
            outputs = struct_to_plan_value(request.outputs, self._collect_secret)
            with self._lock:
                self._stack_outputs = outputs
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

    def _secret_digests(
        self, struct: Any, inputs: dict[str, Any], names: Mapping[str, Any]
    ) -> dict[str, str]:
        """Keyed digests of the inputs that hold a secret, and of each variable of a secret
        map (``<input>.<name>``); none without a plan key."""
        if self._digest_key is None:
            return {}
        return secret_name_digests(self._digest_key, struct, names) | {
            key: secret_digest(self._digest_key, protobuf_to_plain(struct.fields[key]))
            for key in sorted(inputs)
            if SECRET_PLACEHOLDER in json.dumps(inputs[key])
        }

    def _alias_urns(self, request: Any, urn: str) -> list[str]:
        """The URNs the ``aliases`` option names, resolved as the engine resolves them, then
        those inherited from the parent's aliases (the engine's ``generateAliases``)."""
        own = self._own_alias_urns(request)
        with self._lock:
            parent_aliases = self._aliases.get(request.parent or "", ())
        found = dict.fromkeys(own)
        # A renamed component's children follow it: each alias of the parent gives the child
        # an alias under it, a child name starting with the parent's name getting the parent
        # alias's name instead (pulumi/pulumi pkg/resource/deploy/step_generator.go,
        # inheritedChildAlias; tests/integration/aliases/python/rename_component).
        parent_name = (request.parent or "").rsplit("::", 1)[-1]
        for parent_alias in parent_aliases:
            for child in (urn, *own):
                found.setdefault(_inherited_alias(child, parent_name, parent_alias))
        found.pop(urn, None)
        return list(found)

    def _own_alias_urns(self, request: Any) -> list[str]:
        urns: list[str] = []
        for alias in request.aliases:
            if alias.WhichOneof("alias") == "urn":
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            urn = self.make_urn(parent, spec.type or request.type, spec.name or request.name)
            qualified_type_and_name = urn.split("::", 2)[2]
            stack = spec.stack or get_stack()
            project = spec.project or get_project()
            urns.append(f"urn:pulumi:{stack}::{project}::{qualified_type_and_name}")
        return urns

    def _collect_secret(self, value: Any) -> None:
        found = secret_strings(value)
        with self._lock:
            self._secrets |= found


def _inherited_alias(child_urn: str, parent_name: str, parent_alias: str) -> str:
    """``child_urn`` as it reads under its parent's alias ``parent_alias``."""
    _, qualified, name = child_urn.rsplit("::", 2)
    child_type = qualified.rsplit("$", 1)[-1]
    alias_prefix, alias_qualified, alias_name = parent_alias.rsplit("::", 2)
    if parent_name and name.startswith(parent_name):
        name = alias_name + name[len(parent_name) :]
    return f"{alias_prefix}::{alias_qualified}${child_type}::{name}"


def _mark_secret_outputs(state: Any, names: Iterable[str]) -> None:
    """Wrap the outputs named in ``additionalSecretOutputs`` as secrets, as the engine does.

    The SDK's mock monitor skips this, so an output the provider schema marks secret (an API
    key's ``secretKey``) would come back in clear and could end up in the plan's outputs.
    """
    for name in names:
        if name not in state.fields:
            continue
        value = state.fields[name]
        wrapped = type(value)()
        wrapped.struct_value.fields[SIGNATURE_KEY].string_value = SECRET_SIGNATURE
        wrapped.struct_value.fields["value"].CopyFrom(value)
        state.fields[name].CopyFrom(wrapped)


class LogRecorder(MockEngine):
    """A mock engine log service that keeps infos, warnings and errors instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logger=None)
        self._lock = threading.Lock()
        self._logs: list[_RawLog] = []

    def Log(self, request: Any) -> None:  # gRPC method name
        """Keep infos, warnings and errors; drop debug, which is progress chatter."""
        severity: Severity
        if request.severity == engine_pb2.INFO:
            # Components log info only for what a reader of the plan needs (a schedule's next
            # runs, which queue feeds a service); the SDK itself logs none under the mocks.
            severity = "info"
        elif request.severity == engine_pb2.WARNING:
            severity = "warning"
        elif request.severity == engine_pb2.ERROR:
            severity = "error"
        else:
            return
        # Not forwarded to the logger: a message may hold a secret until it is redacted.
        with self._lock:
            self._logs.append(_RawLog(severity, str(request.message), request.urn or None))

    def diagnostics(self, recorder: PlanRecorder, extra_secrets: set[str]) -> list[Diagnostic]:
        """The kept messages, every secret known to ``recorder`` or given redacted."""
        with self._lock:
            logs = list(self._logs)
        return [
            Diagnostic(log.severity, recorder.redact(log.message, extra_secrets), log.urn)
            for log in logs
        ]


# The SDK's mock monitor gives each worker thread an event loop of its own and never closes it.
# Left to the garbage collector at interpreter exit, such a loop may close after its selector
# and print "Exception ignored ... Invalid file descriptor". Close them first, at exit.
_WORKER_LOOPS: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def _track_worker_loop() -> None:
    if threading.current_thread() is threading.main_thread():
        return
    with contextlib.suppress(RuntimeError):
        _WORKER_LOOPS.add(asyncio.get_event_loop())


@atexit.register
def _close_worker_loops() -> None:
    for loop in list(_WORKER_LOOPS):
        if not loop.is_running() and not loop.is_closed():
            loop.close()
