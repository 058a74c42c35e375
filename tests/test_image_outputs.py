"""A container's image built and pushed in the same program: ``image`` and ``image_digest``
take Outputs, keep the dependency, and are held to the string rules once known."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pulumi
import pulumiverse_scaleway as scaleway
import pytest
import yaml
from private_serverless import ConfigurationError, PrivateContainer, PrivateContainerArgs
from private_serverless.cli import app
from private_serverless.errors import InvalidOutputError
from private_serverless.policies import evaluate
from typer.testing import CliRunner

from ._policy_records import NOW

ROOT = Path(__file__).resolve().parents[1]
CONTAINER = "scaleway:containers/container:Container"
DIGEST = "sha256:" + "ab" * 32


def _registry() -> scaleway.registry.Namespace:
    return scaleway.registry.Namespace("builds", name="builds", is_public=False)


def _container(image: pulumi.Input[str], digest: pulumi.Input[str] | None = None) -> None:
    PrivateContainer("api", PrivateContainerArgs(image=image, image_digest=digest, port=8080))


def test_an_image_pushed_in_the_program_is_deployed_and_waited_for(plan_of) -> None:
    def program() -> None:
        registry = _registry()
        _container(registry.endpoint.apply(lambda endpoint: f"{endpoint}/api:1.4.2@{DIGEST}"))

    plan = plan_of(program)
    container = next(r for r in plan.resources if r.type == CONTAINER)
    registry = next(r for r in plan.resources if r.name == "builds")
    assert container.inputs["image"] == f"rg.fr-par.scw.cloud/builds/api:1.4.2@{DIGEST}"
    assert container.inputs["registrySha256"] == DIGEST.removeprefix("sha256:")
    assert registry.urn in container.property_dependencies["image"]


def test_in_a_preview_the_image_is_unknown_and_judged_by_nobody(plan_of) -> None:
    def program() -> None:
        registry = _registry()
        _container(registry.endpoint.apply(lambda endpoint: f"{endpoint}/api:1.4.2"))

    plan = plan_of(program, preview=True)
    container = next(r for r in plan.resources if r.type == CONTAINER)
    assert container.inputs["image"] == "[unknown]"
    assert [f for f in evaluate(plan.resources, now=NOW) if f.rule == "image-digest"] == []


def test_a_digest_output_is_sent_as_registry_sha256(plan_of) -> None:
    def program() -> None:
        _container("rg.fr-par.scw.cloud/builds/api:1.4.2", pulumi.Output.from_input(DIGEST))

    container = next(r for r in plan_of(program).resources if r.type == CONTAINER)
    assert container.inputs["registrySha256"] == DIGEST.removeprefix("sha256:")


@pytest.mark.parametrize(
    ("image", "digest", "field"),
    [
        ("rg.fr-par.scw.cloud/builds/api 1.4", None, "image"),
        ("rg.fr-par.scw.cloud/builds/api@sha256:PLANTED", None, "image"),
        ("", None, "image"),
        ("rg.fr-par.scw.cloud/builds/api:1.4", "sha256:PLANTED", "image_digest"),
    ],
)
def test_an_output_that_gives_no_valid_value_fails_naming_the_field(
    plan_of, image: str, digest: str | None, field: str
) -> None:
    def program() -> None:
        as_output = pulumi.Output.from_input(image)
        _container(
            as_output if field == "image" else image,
            pulumi.Output.from_input(digest) if digest is not None else None,
        )

    with pytest.raises(InvalidOutputError) as caught:
        plan_of(program)
    message = str(caught.value)
    assert f"{field}: the Output gave no valid value" in message
    assert "PLANTED" not in message and "api 1.4" not in message


def test_a_string_image_keeps_its_rules() -> None:
    with pytest.raises(ConfigurationError, match="digest reference ends with @sha256:"):
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/builds/api@sha256:nope", port=8080)
    with pytest.raises(ConfigurationError, match="image_digest differs"):
        PrivateContainerArgs(
            image=f"rg.fr-par.scw.cloud/builds/api@{DIGEST}",
            image_digest="sha256:" + "cd" * 32,
            port=8080,
        )


def test_a_stack_file_image_may_refer_to_another_services_registry(tmp_path, monkeypatch) -> None:
    for name in ("Pulumi.yaml", "__main__.py", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("stacks", "services"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "stacks" / "Pulumi.dev.yaml"
    document = yaml.safe_load(path.read_text())
    services = document["config"]["private-serverless:services"]
    services["builds"] = {
        "kind": "container",
        "image": "rg.fr-par.scw.cloud/private-serverless/builds:dev",
        "port": 8080,
        "registry": {"name": "ps-builds"},
    }
    services["api"]["image"] = "${services.builds.registry_endpoint}/api:dev"
    path.write_text(yaml.safe_dump(document, sort_keys=False))

    result = CliRunner().invoke(
        app, ["plan", "--stack", "dev", "--env-file", ".env.example", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    resources = {r["name"]: r for r in json.loads(result.stdout)["resources"]}
    api = resources["api-container"]
    assert api["inputs"]["image"] == "[unknown]"
    assert resources["builds-registry"]["urn"] in api["property_dependencies"]["image"]


@pytest.mark.parametrize("which", ["image", "digest", "both"])
def test_an_image_and_a_digest_that_disagree_fail_when_either_is_an_output(plan_of, which) -> None:
    image = f"rg.fr-par.scw.cloud/builds/api:1.4@{DIGEST}"
    other = "sha256:" + "cd" * 32

    def program() -> None:
        _container(
            pulumi.Output.from_input(image) if which in ("image", "both") else image,
            pulumi.Output.from_input(other) if which in ("digest", "both") else other,
        )

    with pytest.raises(InvalidOutputError, match=r"image_digest: .*differs from the digest"):
        plan_of(program)


def test_a_string_digest_beside_an_image_output_is_known_in_a_preview(plan_of) -> None:
    def program() -> None:
        registry = _registry()
        _container(registry.endpoint.apply(lambda endpoint: f"{endpoint}/api:1.4.2"), DIGEST)

    container = next(r for r in plan_of(program, preview=True).resources if r.type == CONTAINER)
    assert container.inputs["image"] == "[unknown]"
    assert container.inputs["registrySha256"] == DIGEST.removeprefix("sha256:")
