"""Resource options given to a component reach its children, as the README says."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumiverse_scaleway as scaleway
import pytest
from private_serverless import PrivateContainer, PrivateContainerArgs
from private_serverless.testing import CONTAINER, POLICY, MockedPulumi, resolve, settle


def test_provider_protect_and_transforms_pass_to_every_child(
    pulumi_mocks: MockedPulumi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    provider = scaleway.Provider("paris", region="fr-par")
    seen: list[str] = []

    # `transformations` run in the SDK, so the mock runtime applies them; engine-side
    # `transforms` are inherited the same way under `pulumi up` but need the real engine.
    def tag(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        seen.append(args.name)
        if args.type_ == CONTAINER:
            return pulumi.ResourceTransformationResult(
                props={**args.props, "description": "via transformation"}, opts=args.opts
            )
        return None

    api = PrivateContainer(
        "api",
        PrivateContainerArgs(
            image="rg.fr-par.scw.cloud/t/api:1", project_id="33333333-3333-4333-8333-333333333333"
        ),
        opts=pulumi.ResourceOptions(providers=[provider], protect=True, transformations=[tag]),
    )
    resolve(api.endpoint)
    settle()
    children = {
        r.name: r
        for r in pulumi_mocks.registered
        if r.type.startswith("scaleway:iam") or r.type.startswith("scaleway:containers")
    }
    assert set(children) >= {
        "api-namespace",
        "api-container",
        "api-app",
        "api-key-gen0",
        "api-policy",
    }
    assert set(seen) >= set(children)
    assert pulumi_mocks.inputs(CONTAINER, "api-container")["description"] == "via transformation"
    provider_urn = resolve(provider.urn)
    for child in (api.container, api.policy, api.application):
        assert child._protect, child._name  # inherited from the component
        assert child._provider is not None and resolve(child._provider.urn) == provider_urn
    assert pulumi_mocks.resource(POLICY, "api-policy").inputs["applicationId"]
