"""Shared namespaces: PrivateNamespace in Python, ``namespaces:`` in a stack file.

Two services in one namespace get one namespace resource holding the shared variables and
secrets (the secret is set there only), keep their own private endpoint and IAM access, and
are checked on the sum of their own and the namespace's variables, as Scaleway counts them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import (
    ConfigurationError,
    PrivateContainer,
    PrivateContainerArgs,
    PrivateFunction,
    PrivateFunctionArgs,
    PrivateNamespace,
    PrivateNamespaceArgs,
)
from private_serverless.cli import app
from private_serverless.core import limits
from private_serverless.project.stack.offline import load_offline_program
from private_serverless.testing import (
    CONTAINER_NAMESPACE,
    FUNCTION,
    FUNCTION_NAMESPACE,
    mocked_pulumi,
    settle,
)
from typer.testing import CliRunner

from .conftest import PLANTED_SECRET, by_type, dump

ROOT = Path(__file__).resolve().parent.parent


def _function(source_dir: Path, namespace: PrivateNamespace | None = None, **extra: object):
    return PrivateFunctionArgs(
        runtime="python312",
        handler="handler.handle",
        source_dir=source_dir,
        namespace=namespace,
        **extra,  # type: ignore[arg-type]
    )


# --- Python -----------------------------------------------------------------------------------


def test_two_functions_share_one_namespace_and_its_secret(source_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi() as pulumi_mocks:
        jobs = PrivateNamespace(
            "jobs",
            PrivateNamespaceArgs(
                kind="function", env={"LOG_LEVEL": "info"}, secrets={"DB_PASSWORD": PLANTED_SECRET}
            ),
        )
        a = PrivateFunction("a", _function(source_dir, jobs, secrets={"OWN_TOKEN": "x"}))
        b = PrivateFunction("b", _function(source_dir, jobs))
        settle()
        namespaces = pulumi_mocks.resources(FUNCTION_NAMESPACE)
        assert [r.name for r in namespaces] == ["jobs-namespace"]
        shared = namespaces[0]
        assert shared.inputs["secretEnvironmentVariables"] == {"DB_PASSWORD": PLANTED_SECRET}
        assert "secretEnvironmentVariables" in shared.secret_inputs
        assert shared.inputs["environmentVariables"] == {"LOG_LEVEL": "info"}
        for name, own in (("a", {"OWN_TOKEN": "x"}), ("b", {})):
            function = pulumi_mocks.resource(FUNCTION, f"{name}-function")
            assert function.inputs["privacy"] == "private"
            assert function.inputs["namespaceId"] == shared.id
            assert function.inputs.get("secretEnvironmentVariables", {}) == own
        # Each keeps its own caller application, key and policy.
        assert {r.name for r in pulumi_mocks.resources("scaleway:iam/policy:Policy")} == {
            "a-policy",
            "b-policy",
        }
        assert a.namespace is None and b.namespace is None
        assert pulumi_mocks.resource("scaleway:iam/policy:Policy", "a-policy").inputs["rules"][0][
            "projectIds"
        ] == [shared.outputs["projectId"]]


def test_plan_never_shows_the_shared_secret(plan_of, source_dir):
    def program() -> None:
        jobs = PrivateNamespace(
            "jobs", PrivateNamespaceArgs(kind="function", secrets={"DB_PASSWORD": PLANTED_SECRET})
        )
        PrivateFunction("a", _function(source_dir, jobs))
        PrivateFunction("b", _function(source_dir, jobs))

    plan = plan_of(program, preview=True)
    assert len(by_type(plan, FUNCTION_NAMESPACE)) == 1
    assert PLANTED_SECRET not in dump(plan)
    notes = [entry.service.shared_namespace for entry in plan.access()]
    assert notes and set(notes) == {"namespace 'jobs'"}


def test_a_function_cannot_be_in_a_container_namespace(source_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi():
        boxes = PrivateNamespace("boxes", PrivateNamespaceArgs(kind="container"))
        settle()
        with pytest.raises(ConfigurationError) as caught:
            _function(source_dir, boxes)
    assert "namespace" in str(caught.value) and "container namespace" in str(caught.value)


def test_a_container_namespace_is_a_containers_namespace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi() as pulumi_mocks:
        boxes = PrivateNamespace("boxes", PrivateNamespaceArgs(kind="container", region="nl-ams"))
        api = PrivateContainer(
            "api", PrivateContainerArgs(image="rg.nl-ams.scw.cloud/t/api:1", namespace=boxes)
        )
        settle()
        assert [r.name for r in pulumi_mocks.resources(CONTAINER_NAMESPACE)] == ["boxes-namespace"]
        container = pulumi_mocks.resource(
            "scaleway:containers/container:Container", "api-container"
        )
        assert container.inputs["region"] == "nl-ams"  # the namespace's region
        assert api.namespace is None


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"project_id": "11111111-2222-4333-8444-555555555555"}, "project_id"),
        ({"namespace_name": "mine"}, "namespace_name"),
        ({"dedicated_project": True}, "dedicated_project"),
        ({"region": "pl-waw"}, "region"),
    ],
)
def test_settings_the_shared_namespace_decides_are_refused(
    source_dir, tmp_path, monkeypatch, extra, named
):
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi():
        jobs = PrivateNamespace("jobs", PrivateNamespaceArgs(kind="function", region="fr-par"))
        settle()
        with pytest.raises(ConfigurationError) as caught:
            _function(source_dir, jobs, **extra)
    assert "namespace" in str(caught.value) and (named in str(caught.value) or named == "region")


def test_a_secret_in_the_namespace_is_no_plain_variable_in_the_service(
    source_dir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    with mocked_pulumi():
        jobs = PrivateNamespace(
            "jobs", PrivateNamespaceArgs(kind="function", secrets={"DB_HOST_X": PLANTED_SECRET})
        )
        settle()
        with pytest.raises(ConfigurationError) as caught:
            _function(source_dir, jobs, env={"DB_HOST_X": "db.internal"})
    assert "DB_HOST_X" in str(caught.value) and PLANTED_SECRET not in str(caught.value)


def test_namespace_secrets_follow_the_service_rules():
    with pytest.raises(ConfigurationError) as caught:
        PrivateNamespaceArgs(kind="function", env={"DB_PASSWORD": PLANTED_SECRET})
    assert "secrets" in str(caught.value) and PLANTED_SECRET not in str(caught.value)
    with pytest.raises(ConfigurationError):
        PrivateNamespaceArgs(kind="container", env={"PORT": "8080"})
    with pytest.raises(ConfigurationError):
        PrivateNamespaceArgs(kind="function", secrets={"SCW_TOKEN": "x"})


_SUMS = st.integers(min_value=0, max_value=limits.MAX_ENV_VARS + 5)


@settings(max_examples=25, deadline=None)
@given(namespace_count=_SUMS, service_count=_SUMS, secrets=st.booleans())
def test_counts_are_checked_on_the_sum_of_service_and_namespace(
    tmp_path_factory, namespace_count, service_count, secrets
):
    """Scaleway counts a function's variables with its namespace's ("Function + Namespace")."""
    source_dir = tmp_path_factory.mktemp("src")
    (source_dir / "handler.py").write_text("def handle(event, context): ...\n")
    field = "secrets" if secrets else "env"
    limit = limits.MAX_SECRETS if secrets else limits.MAX_ENV_VARS
    shared = {f"NS_{i}": "v" for i in range(namespace_count)}
    own = {f"OWN_{i}": "v" for i in range(service_count)}
    with mocked_pulumi():
        if namespace_count > limit:
            with pytest.raises(ConfigurationError):
                PrivateNamespaceArgs(kind="function", **{field: shared})
            return
        jobs = PrivateNamespace("jobs", PrivateNamespaceArgs(kind="function", **{field: shared}))
        settle()  # the namespace's registration, before the runtime is reset
        if namespace_count + service_count > limit:
            with pytest.raises(ConfigurationError) as caught:
                _function(source_dir, jobs, build_dir=source_dir / "b", **{field: own})
            what = "secrets" if secrets else "environment variables"
            # Over the limit on its own, the service is refused before the sum is counted.
            counted = service_count if service_count > limit else namespace_count + service_count
            assert f"{counted} {what}" in str(caught.value)
        else:
            _function(source_dir, jobs, build_dir=source_dir / "b", **{field: own})


# --- stack file -------------------------------------------------------------------------------

_SHARED_STACK = {
    "config": {
        "scaleway:region": "fr-par",
        "private-serverless:defaults": {"region": "fr-par", "tags": ["env-ns"]},
        "private-serverless:namespaces": {
            "jobs": {
                "kind": "function",
                "env": {"LOG_LEVEL": "info"},
                "secrets": {"DB_PASSWORD": "env:JOBS_DB_PASSWORD"},
            }
        },
        "private-serverless:services": {
            name: {
                "kind": "function",
                "namespace": "jobs",
                "runtime": "python312",
                "handler": "handler.handle",
                "source_dir": "services/billing",
            }
            for name in ("ingest", "report")
        },
    }
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "services", tmp_path / "services")
    (tmp_path / "stacks").mkdir()
    (tmp_path / ".env").write_text(f"JOBS_DB_PASSWORD={PLANTED_SECRET}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(project: Path, document: dict, stack: str = "ns") -> None:
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))


def _plan(*args: str):
    return CliRunner().invoke(app, ["plan", "--stack", "ns", *args])


def test_stack_with_two_functions_in_one_namespace_sharing_a_secret_plans(project):
    """Acceptance: one namespace, the secret only on it, each function private."""
    _write(project, _SHARED_STACK)
    result = _plan("--format", "json")
    assert result.exit_code == 0, result.output
    assert PLANTED_SECRET not in result.output
    document = json.loads(result.stdout)
    resources = document["resources"]
    namespaces = [r for r in resources if r["type"] == FUNCTION_NAMESPACE]
    assert [r["name"] for r in namespaces] == ["jobs-namespace"]
    functions = [r for r in resources if r["type"] == FUNCTION]
    assert len(functions) == 2
    for function in functions:
        assert function["inputs"]["privacy"] == "private"
        assert function["property_dependencies"]["namespaceId"] == [namespaces[0]["urn"]]
    assert [f for f in document["findings"] if f["severity"] == "mandatory"] == []
    shared = {entry["service"]["shared_namespace"] for entry in document["access"]}
    assert shared == {"namespace 'jobs'"}
    text = _plan()
    assert "share namespace 'jobs'" in text.output and "per project" in text.output

    # Where the secret went: run the same program under the testing kit, values in clear.
    program, config, _ = load_offline_program("ns", project_dir=project)
    with mocked_pulumi(project="private-serverless", stack="ns", config=config) as pulumi_mocks:
        program()
        settle()
        namespace = pulumi_mocks.resource(FUNCTION_NAMESPACE, "jobs-namespace")
        assert namespace.inputs["secretEnvironmentVariables"] == {"DB_PASSWORD": PLANTED_SECRET}
        assert namespace.inputs["tags"] == ["env-ns"]
        for function in pulumi_mocks.resources(FUNCTION):
            assert "DB_PASSWORD" not in function.inputs.get("secretEnvironmentVariables", {})


def test_stack_limits_are_checked_on_the_sum(project):
    document = json.loads(json.dumps(_SHARED_STACK))
    config = document["config"]
    config["private-serverless:namespaces"]["jobs"]["env"] = {
        f"NS_{i}": "v" for i in range(limits.MAX_ENV_VARS - 1)
    }
    config["private-serverless:services"]["report"]["env"] = {"OWN_A": "v", "OWN_B": "v"}
    _write(project, document)
    result = _plan()
    assert result.exit_code == 2, result.output
    assert "services.report" in result.output
    assert f"got {limits.MAX_ENV_VARS + 1} environment variables" in result.output
    assert "services.ingest" not in result.output  # 199 + 0 fits


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (
            lambda c: c["private-serverless:namespaces"]["jobs"].update(kind="container"),
            "services.ingest.namespace",
            "a function cannot be in a container namespace",
        ),
        (
            lambda c: c["private-serverless:services"]["ingest"].update(namespace="nope"),
            "services.ingest.namespace",
            "namespaces of this stack: jobs",
        ),
        (
            lambda c: c["private-serverless:namespaces"]["jobs"]["secrets"].update(
                API_TOKEN=PLANTED_SECRET
            ),
            "namespaces.jobs.secrets.API_TOKEN",
            "by reference",
        ),
        (
            lambda c: c["private-serverless:namespaces"]["jobs"]["env"].update(API_TOKEN="x"),
            "namespaces.jobs.env",
            "move it to `secrets`",
        ),
        (
            lambda c: c["private-serverless:namespaces"]["jobs"].update(colour="blue"),
            "namespaces.jobs.colour",
            "unknown key",
        ),
        (
            lambda c: c["private-serverless:defaults"].update(dedicated_projects=True),
            "services.ingest.namespace",
            "dedicated_project: false",
        ),
    ],
)
def test_stack_namespace_mistakes_name_the_key_path(project, edit, path, words):
    document = json.loads(json.dumps(_SHARED_STACK))
    edit(document["config"])
    _write(project, document)
    result = _plan()
    assert result.exit_code == 2, result.output
    assert path in result.output and words in result.output, result.output
    assert PLANTED_SECRET not in result.output and "Traceback" not in result.output


def test_missing_namespace_secret_is_named(project):
    (project / ".env").write_text("")
    _write(project, _SHARED_STACK)
    result = _plan()
    assert result.exit_code == 2
    assert "namespaces.jobs.secrets.DB_PASSWORD" in result.output
