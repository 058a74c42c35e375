"""A testing kit for programs that use the components: Pulumi's mock runtime, set up right.

A mock written the way Pulumi's testing guide shows (inputs echoed as outputs) lacks what the
Scaleway provider computes (a function's ``domain_name``, a container's ``public_endpoint``, an
API key's ``secret_key``), and the components need those; :class:`ScalewayMocks` returns them,
deterministically. :func:`mocked_pulumi` (or the ``pulumi_mocks`` pytest fixture, registered
automatically when the library is installed) sets the mock runtime up, records every
registration, and resets the runtime afterwards::

    from private_serverless.testing import FUNCTION, MockedPulumi, resolve

    def test_billing_is_private(pulumi_mocks: MockedPulumi) -> None:
        import infra                      # the module that builds the components
        assert resolve(infra.billing.endpoint).startswith("https://")
        assert pulumi_mocks.resource(FUNCTION, "billing-function").inputs["privacy"] == "private"

Values come from the mocks, not Scaleway: ids, domain names and keys are made up (stable for a
given resource name), good for asserting wiring, never for anything real.

May import the plan (its runner and mocks) and below; nothing in the library imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Awaitable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import pulumi
from pulumi.runtime.config import set_all_config
from pulumi.runtime.settings import SETTINGS, reset_options
from pulumi.runtime.sync_await import _sync_await

from ..core.inventory import SECRET_PLACEHOLDER
from ..errors import PrivateServerlessError, hide_on_user_error
from ..plan.mocks import ScalewayMocks
from ..plan.runner import cancel_pending_work
from ..plan.values import SECRET_SIGNATURE, SIGNATURE_KEY

__tracebackhide__ = hide_on_user_error

__all__ = [
    "API_KEY",
    "APPLICATION",
    "CONTAINER",
    "CONTAINER_NAMESPACE",
    "FUNCTION",
    "FUNCTION_NAMESPACE",
    "POLICY",
    "PRIVATE_CONTAINER",
    "PRIVATE_FUNCTION",
    "PRIVATE_NAMESPACE",
    "PROJECT",
    "SECRET",
    "MockedPulumi",
    "RegisteredResource",
    "ScalewayMocks",
    "SecretString",
    "is_secret",
    "mocked_pulumi",
    "resolve",
    "settle",
]

T = TypeVar("T")

#: Type tokens of what the components register, to find resources by type.
FUNCTION_NAMESPACE = "scaleway:functions/namespace:Namespace"
FUNCTION = "scaleway:functions/function:Function"
CONTAINER_NAMESPACE = "scaleway:containers/namespace:Namespace"
CONTAINER = "scaleway:containers/container:Container"
APPLICATION = "scaleway:iam/application:Application"
API_KEY = "scaleway:iam/apiKey:ApiKey"
POLICY = "scaleway:iam/policy:Policy"
SECRET = "scaleway:secrets/secret:Secret"
PROJECT = "scaleway:account/project:Project"
PRIVATE_FUNCTION = "private-serverless:index:PrivateFunction"
PRIVATE_CONTAINER = "private-serverless:index:PrivateContainer"
PRIVATE_NAMESPACE = "private-serverless:index:PrivateNamespace"


class SecretString(str):
    """The text of a secret, as the kit gives it (:attr:`RegisteredResource.inputs`,
    :func:`resolve`): it compares, hashes and formats as the plain string, but its ``repr`` is
    ``[secret]``, so that pytest's assertion messages, which quote values by ``repr``, do not
    print it. What is derived from it (``str(value)``, a slice, ``value.split()``) is a plain
    string again."""

    __slots__ = ()

    def __repr__(self) -> str:
        return SECRET_PLACEHOLDER


@dataclass(frozen=True)
class RegisteredResource:
    """One resource the program registered, as the engine received it."""

    type: str
    """The type token, for example :data:`FUNCTION`."""
    name: str
    """The resource name (the components name children ``<component>-<role>``)."""
    inputs: Mapping[str, Any]
    """Inputs keyed by the provider's names as the engine receives them (camelCase:
    ``secretEnvironmentVariables``); secret values are here as the provider gets them, so a
    test can check them (:attr:`secret_inputs` says which were secret), their text as
    :class:`SecretString` (shown ``[secret]``)."""
    secret_inputs: frozenset[str] = frozenset()
    """The inputs whose value was (or held) a Pulumi secret."""
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """What the mocks answered: the inputs plus the outputs the provider computes (secrets
    unwrapped as in :attr:`inputs`)."""
    id: str | None = None
    """The id the mocks gave it (``None`` for component resources)."""


class _RecordingMocks(pulumi.runtime.Mocks):
    """Any mocks, with every registration remembered (the test's own mocks answer)."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        self.mocks = mocks
        self.registered: list[RegisteredResource] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, Any]:
        resource_id, state = self.mocks.new_resource(args)
        self.registered.append(
            RegisteredResource(
                type=args.typ,
                name=args.name,
                inputs={key: _unwrap(value) for key, value in args.inputs.items()},
                secret_inputs=frozenset(k for k, v in args.inputs.items() if _holds_secret(v)),
                outputs={key: _unwrap(value) for key, value in (state or {}).items()},
                id=resource_id,
            )
        )
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return self.mocks.call(args)


def _is_secret_value(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE


def _unwrap(value: Any, secret: bool = False) -> Any:
    """``value`` with the engine's secret wrappers replaced by the values they hold, the text
    in a secret as :class:`SecretString` (keys are names, left plain)."""
    if _is_secret_value(value):
        return _unwrap(value.get("value"), secret=True)
    if isinstance(value, dict):
        return {key: _unwrap(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_unwrap(item, secret) for item in value]
    if secret and isinstance(value, str):
        return SecretString(value)
    return value


def _holds_secret(value: Any) -> bool:
    if _is_secret_value(value):
        return True
    if isinstance(value, dict):
        return any(_holds_secret(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_secret(item) for item in value)
    return False


class MockedPulumi:
    """The mock runtime of one test: what was registered, found by type and name."""

    def __init__(self, recording: _RecordingMocks) -> None:
        self._recording = recording

    @property
    def mocks(self) -> pulumi.runtime.Mocks:
        """The mocks answering the registrations."""
        return self._recording.mocks

    @property
    def registered(self) -> list[RegisteredResource]:
        """Every custom resource registered so far, in order."""
        return list(self._recording.registered)

    def resources(
        self, type_: str | None = None, name: str | None = None
    ) -> list[RegisteredResource]:
        """The registered resources of type ``type_`` and/or named ``name``.

        Registration is asynchronous: this waits for the pending registrations first.
        """
        settle()
        return [
            resource
            for resource in self.registered
            if (type_ is None or resource.type == type_) and (name is None or resource.name == name)
        ]

    def resource(self, type_: str, name: str) -> RegisteredResource:
        """The one resource of type ``type_`` named ``name``; ``LookupError`` naming the
        resources of that type otherwise."""
        found = self.resources(type_, name)
        if len(found) != 1:
            names = sorted(resource.name for resource in self.resources(type_))
            raise LookupError(
                f"expected one {type_} named {name!r}, found {len(found)}; "
                f"registered of that type: {', '.join(names) or 'none'}"
            )
        return found[0]

    def inputs(self, type_: str, name: str) -> Mapping[str, Any]:
        """The inputs of the one resource of type ``type_`` named ``name``."""
        return self.resource(type_, name).inputs


def resolve(output: pulumi.Output[T]) -> T:
    """The value of ``output`` once the mock runtime has computed it.

    An exception raised while computing it (in the component or an ``apply``) is raised here.
    The text of a secret output comes as :class:`SecretString`.
    """
    value = _awaited(output.future())
    return cast(T, _unwrap(value, secret=True) if is_secret(output) else value)


def is_secret(output: pulumi.Output[Any]) -> bool:
    """Whether ``output`` is a Pulumi secret (kept encrypted in the state, masked in logs)."""
    secret: bool = _awaited(output.is_secret())
    return secret


def _awaited(awaitable: Awaitable[T]) -> T:
    try:
        return _sync_await(awaitable)
    except PrivateServerlessError as error:
        # A user error needs only its message: drop the SDK's and asyncio's frames, whose
        # locals (shown by pytest -l) hold the values the apply was given.
        raise error.with_traceback(None) from error.__cause__


def settle() -> None:
    """Wait until every pending registration and ``apply`` of the mock runtime has run."""
    pending = [
        task
        for task in [*SETTINGS.outputs, *SETTINGS.rpc_manager.rpcs]
        if isinstance(task, asyncio.Future) and not task.done()
    ]
    if pending:
        _sync_await(asyncio.gather(*pending, return_exceptions=True))


@contextlib.contextmanager
def mocked_pulumi(
    mocks: pulumi.runtime.Mocks | None = None,
    *,
    project: str = "test",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    preview: bool = False,
) -> Iterator[MockedPulumi]:
    """Run the body under Pulumi's mock runtime (default: :class:`ScalewayMocks`), recording
    every registration, then reset the runtime.

    ``config`` keys without a namespace go in ``project``'s, as ``pulumi config set`` does.
    ``preview=True`` runs as ``pulumi preview`` would (unknown outputs stay unknown).
    """
    full_config = {
        key if ":" in key else f"{project}:{key}": value for key, value in (config or {}).items()
    }
    reset_options(project=project, stack=stack, preview=preview)
    set_all_config(full_config, [])
    with warnings.catch_warnings():
        # The provider SDK announces its deprecated index/* aliases on import; not the test's.
        warnings.filterwarnings("ignore", r"scaleway\.index/.* has been deprecated")
        recording = _RecordingMocks(mocks if mocks is not None else ScalewayMocks())
        pulumi.runtime.set_mocks(
            recording,
            project=project,
            stack=stack,
            preview=preview,
        )
    try:
        yield MockedPulumi(recording)
    finally:
        cancel_pending_work()
        reset_options()
        set_all_config({}, [])
