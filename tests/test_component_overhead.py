"""What a component costs in the offline run beyond its children: counted, never timed.

The offline plan records only the root stack's outputs, so it does not send a component's
(plan/component_outputs.py); a component derives each output it exposes with as few pending
outputs as it can (services/outputs.py, ``_derived_provider_output``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from private_serverless import (
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
)
from private_serverless.plan import run_plan
from private_serverless.plan.recorder import PlanRecorder
from pulumi import resource as sdk_resource


def _services(count: int, source_dir: Path) -> None:
    for index in range(count):
        PrivateFunction(
            f"fn-{index}",
            PrivateFunctionArgs(
                runtime="python312", handler="handler.handle", source_dir=source_dir
            ),
        )
        PrivateContainer(
            f"ct-{index}", PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/api:1", port=8080)
        )


def test_only_the_stacks_outputs_are_sent_whatever_the_number_of_components(
    source_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    sent: list[str] = []
    sdk_send = PlanRecorder.RegisterResourceOutputs

    def counting(self: PlanRecorder, request: Any) -> Any:
        sent.append(request.urn)
        return sdk_send(self, request)

    monkeypatch.setattr(PlanRecorder, "RegisterResourceOutputs", counting)

    def program() -> None:
        _services(5, source_dir)
        pulumi.export("answer", 42)

    plan = run_plan(program, project="p", stack="s")
    assert [urn.split("::")[2] for urn in sent] == ["pulumi:pulumi:Stack"]
    assert plan.outputs == {"answer": 42}
    # The components are registered all the same, with their children.
    assert sum(1 for record in plan.resources if not record.custom) == 10


class _Failing(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Failing", name)

        def fail(_: object) -> str:
            raise LookupError("the output this component exposes failed")

        self.broken = pulumi.Output.from_input("x").apply(fail)
        self.register_outputs({"broken": self.broken})


def test_a_components_failed_output_still_fails_the_run() -> None:
    with pytest.raises(LookupError, match="the output this component exposes failed"):
        run_plan(lambda: _Failing("c"), project="p", stack="s")


def test_the_sdks_registration_of_outputs_is_restored_after_a_run() -> None:
    sdk_register = sdk_resource.register_resource_outputs  # type: ignore[attr-defined]
    run_plan(lambda: None, project="p", stack="s")
    with pytest.raises(LookupError):
        run_plan(lambda: _Failing("c"), project="p", stack="s")
    assert sdk_resource.register_resource_outputs is sdk_register  # type: ignore[attr-defined]


def _pending_outputs(variant: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every Output the run creates (each is a task the run settles)."""
    from bench.run import plan_services

    created = 0
    track = pulumi.Output._track

    def counting(self: pulumi.Output[Any]) -> None:
        nonlocal created
        created += 1
        track(self)

    with monkeypatch.context() as patch:
        patch.setattr(pulumi.Output, "_track", counting)
        plan_services(variant, 2, workdir)
    return created


def test_a_component_adds_few_pending_outputs_to_its_childrens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One function and one container, the benchmark's programs (bench/run.py).
    raw = _pending_outputs("raw", tmp_path / "raw", monkeypatch)
    components = _pending_outputs("components", tmp_path / "components", monkeypatch)
    # The SDK no longer derives alias URNs nor a mock URN per registration
    # (plan/unread_urns.py): 440 before, 233 after, most of them now the resources' own
    # outputs (URN, ID, one per property).
    assert raw <= 250
    # A component adds its URN and the secret key's check, and derives its endpoint in one
    # apply where the raw program concatenates: 61 more than raw before, 2 after.
    assert components - raw <= 2 * 3
