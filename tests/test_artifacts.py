"""Artifacts as the components and stacks use them: what a function ships, images that redeploy.

Archive internals are in test_archive.py; here: the component's checks (handler file, limits,
build_dir, PORT) and the container digest, through the offline plan and the CLI.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from private_serverless import PrivateContainer, PrivateFunction
from private_serverless.cli import app
from private_serverless.core import limits
from private_serverless.errors import ConfigurationError
from private_serverless.services.container_args import PrivateContainerArgs
from private_serverless.services.function_args import PrivateFunctionArgs, handler_present
from typer.testing import CliRunner

from .conftest import PLANTED_SECRET, only

FUNCTION = "scaleway:functions/function:Function"
CONTAINER = "scaleway:containers/container:Container"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def fn(source_dir: Path, **overrides):
    return {
        "runtime": "python312",
        "handler": "handler.handle",
        "source_dir": source_dir,
        **overrides,
    }


# --- functions ---------------------------------------------------------------------------------


def test_the_plan_sends_the_source_fingerprint_as_zip_hash(plan_of, source_dir):
    plans = [plan_of(lambda: PrivateFunction("fn", fn(source_dir))) for _ in range(2)]
    hashes = {only(plan, FUNCTION).inputs["zipHash"] for plan in plans}
    assert len(hashes) == 1
    (source_dir / "handler.py").write_text("def handle(e, c):\n    return 2\n")
    changed = plan_of(lambda: PrivateFunction("fn", fn(source_dir)))
    assert only(changed, FUNCTION).inputs["zipHash"] not in hashes


def test_a_missing_handler_file_names_the_handler(plan_of, source_dir):
    with pytest.raises(ConfigurationError) as caught:
        plan_of(lambda: PrivateFunction("fn", fn(source_dir, handler="src/main.handle")))
    assert str(caught.value) == (
        "PrivateFunction 'fn': handler: the archive of source_dir has no src/main.py "
        "(excluded, ignored by .scwignore, or misspelt?)"
    )


def test_an_ignored_handler_file_is_missing_too(plan_of, source_dir):
    (source_dir / ".scwignore").write_text("handler.py\n")
    with pytest.raises(ConfigurationError, match="handler: the archive of source_dir has no"):
        plan_of(lambda: PrivateFunction("fn", fn(source_dir)))


@pytest.mark.parametrize(
    ("runtime", "handler", "files", "present"),
    [
        ("python312", "handler.handle", ["handler.py"], True),
        ("python312", "app/handler.handle", ["handler.py"], False),
        ("python312", "app/handler.handle", ["app/handler.py"], True),
        ("node22", "handler.handle", ["handler.mjs"], True),
        ("node22", "handler.handle", ["handler.py"], False),
        ("php84", "web/index.handle", ["web/index.php"], True),
        ("go124", "Handle", ["handler.go"], True),
        ("go124", "fn/Handle", ["handler.go"], False),
        ("go124", "fn/Handle", ["fn/handler.go", "go.mod"], True),
        ("go124", "fn/Handle", ["fn/sub/handler.go"], False),
        ("rust185", "handle", ["handler.rs", "Cargo.toml"], True),
        ("rust185", "handle", ["src/lib.rs"], False),
    ],
)
def test_handler_files_per_runtime_family(runtime, handler, files, present):
    assert handler_present(runtime, handler, frozenset(files)) is present


@pytest.mark.parametrize(
    ("runtime", "handler", "ok"),
    [
        ("python312", "handler.handle", True),
        ("python312", "my_function/handler.handle", True),
        ("python312", "handle", False),
        ("python312", "../handler.handle", False),
        ("python312", "/abs/handler.handle", False),
        ("node22", "handler.$handle", True),
        ("php84", "handler.handle", True),
        ("go124", "Handle", True),
        ("go124", "myFunction/Handle", True),
        ("go124", "handle", False),
        ("go124", "handler.Handle", False),
        ("rust185", "handle", True),
        ("rust185", "my_function/handle", True),
        ("rust185", "handler.handle", False),
    ],
)
def test_handler_format_per_runtime_family(tmp_path, runtime, handler, ok):
    try:
        PrivateFunctionArgs(runtime=runtime, handler=handler, source_dir=tmp_path)
        accepted = True
    except ConfigurationError as exc:
        accepted = False
        assert [problem.path for problem in exc.problems] == ["handler"]
    assert accepted is ok


def test_retired_runtimes_say_why(tmp_path):
    with pytest.raises(ConfigurationError, match="node18 is end of support at Scaleway"):
        PrivateFunctionArgs(runtime="node18", handler="handler.handle", source_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="python39 is deprecated at Scaleway"):
        PrivateFunctionArgs(runtime="python39", handler="handler.handle", source_dir=tmp_path)


def test_port_is_allowed_for_functions_and_reserved_for_containers(tmp_path):
    PrivateFunctionArgs(**fn(tmp_path, env={"PORT": "8080"}))
    for kind in ("env", "secrets"):
        with pytest.raises(ConfigurationError, match="PORT: reserved for containers"):
            PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/api:1", **{kind: {"PORT": "1"}})
    with pytest.raises(ConfigurationError, match="reserved by Scaleway Serverless"):
        PrivateFunctionArgs(**fn(tmp_path, env={"SCW_REGION": "x"}))


def test_a_relative_build_dir_stays_in_the_project(tmp_path, monkeypatch, source_dir):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError) as caught:
        PrivateFunctionArgs(**fn(source_dir, build_dir=Path("../elsewhere")))
    assert [problem.path for problem in caught.value.problems] == ["build_dir"]
    PrivateFunctionArgs(**fn(source_dir, build_dir=Path("out/build")))
    PrivateFunctionArgs(**fn(source_dir, build_dir=tmp_path.parent / "explicit"))


def test_an_over_limit_archive_names_the_service_and_the_size(plan_of, source_dir, monkeypatch):
    monkeypatch.setattr(limits, "FUNCTION_CODE_MAX_BYTES", 50_000)
    (source_dir / "vendor.txt").write_text("x" * 80_000)
    with pytest.raises(ConfigurationError) as caught:
        plan_of(lambda: PrivateFunction("billing", fn(source_dir)))
    assert str(caught.value).startswith(
        "PrivateFunction 'billing': source_dir: the function's code is 0.1 MiB unpacked; "
        "Scaleway Serverless Functions accept at most 0.0 MiB (code size)"
    )


# --- containers --------------------------------------------------------------------------------


def ctr(**overrides):
    return {"image": "rg.fr-par.scw.cloud/team/api:dev", "project_id": None, **overrides}


@pytest.mark.parametrize(
    "args",
    [
        {"image_digest": DIGEST_A},
        {"image": f"rg.fr-par.scw.cloud/team/api:dev@{DIGEST_A}"},
        {"image": f"rg.fr-par.scw.cloud/team/api@{DIGEST_A}", "image_digest": DIGEST_A},
    ],
)
def test_a_digest_plans_as_registry_sha256(plan_of, args):
    plan = plan_of(lambda: PrivateContainer("api", ctr(**args)))
    container = only(plan, CONTAINER)
    assert container.inputs["registrySha256"] == "a" * 64
    assert not [f for f in plan.findings if f.rule == "image-digest"]


def test_a_tag_alone_sends_no_digest(plan_of):
    plan = plan_of(lambda: PrivateContainer("api", ctr()))
    assert "registrySha256" not in only(plan, CONTAINER).inputs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"image_digest": "sha256:abc"}, "image_digest"),
        ({"image_digest": "a" * 64}, "image_digest"),
        ({"image": "rg.fr-par.scw.cloud/team/api@sha256:XYZ"}, "64 lowercase hex"),
        (
            {"image": f"rg.fr-par.scw.cloud/team/api@{DIGEST_A}", "image_digest": DIGEST_B},
            "differs",
        ),
    ],
)
def test_bad_digests_are_refused(args, message):
    with pytest.raises(ConfigurationError, match=message):
        PrivateContainerArgs(**ctr(**args))


# --- a stack, through the CLI ------------------------------------------------------------------

STACK_FILE = """\
config:
  scaleway:region: fr-par
  artifacts:services:
    site:
      kind: function
      runtime: python312
      handler: handler.handle
      source_dir: .
    api:
      kind: container
      image: rg.fr-par.scw.cloud/team/api:dev
      image_digest: env:API_IMAGE_DIGEST
"""


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: artifacts\nruntime: python\nstackConfigDir: stacks\n")
    # The program `plan` runs: this repository's stack program.
    (root / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (root / "stacks" / "Pulumi.dev.yaml").write_text(STACK_FILE)
    (root / "handler.py").write_text("def handle(event, context):\n    return {}\n")
    (root / ".env").write_text(f"SITE_TOKEN={PLANTED_SECRET}\n")
    monkeypatch.chdir(root)
    return root


def plan_json(digest: str | None, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    if digest is None:
        monkeypatch.delenv("API_IMAGE_DIGEST", raising=False)
    else:
        monkeypatch.setenv("API_IMAGE_DIGEST", digest)
    result = CliRunner().invoke(app, ["plan", "--stack", "dev", "--format", "json"])
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes else "")


def test_changing_only_the_digest_changes_only_registry_sha256(project, monkeypatch):
    runs = []
    for digest in (DIGEST_A, DIGEST_B):
        code, out = plan_json(digest, monkeypatch)
        assert code == 0, out
        runs.append({r["urn"]: r for r in json.loads(out)["resources"]})
    first, second = runs
    assert first.keys() == second.keys()
    changed = {
        (urn, key)
        for urn in first
        for key in set(first[urn].get("inputs", {})) | set(second[urn].get("inputs", {}))
        if first[urn].get("inputs", {}).get(key) != second[urn].get("inputs", {}).get(key)
    }
    (container_urn,) = [urn for urn in first if urn.endswith(f"{CONTAINER}::api-container")]
    assert changed == {(container_urn, "registrySha256")}
    assert first[container_urn]["inputs"]["registrySha256"] == "a" * 64
    assert second[container_urn]["inputs"]["registrySha256"] == "b" * 64
    assert {k: v for k, v in first.items() if k != container_urn} == {
        k: v for k, v in second.items() if k != container_urn
    }


def test_source_dir_dot_ships_no_dotenv_and_no_earlier_build(project, monkeypatch):
    for _ in range(2):  # the second run finds the first run's build folder in source_dir
        code, out = plan_json(DIGEST_A, monkeypatch)
        assert code == 0, out
    archive = project / ".private-serverless" / "build" / "site.zip"
    with zipfile.ZipFile(archive) as zipped:
        # What the user asked for (the whole folder), minus .env and the build folder.
        assert zipped.namelist() == [
            "Pulumi.yaml",
            "__main__.py",
            "handler.py",
            "stacks/Pulumi.dev.yaml",
        ]
    assert PLANTED_SECRET.encode() not in archive.read_bytes()
    assert PLANTED_SECRET not in out


def test_a_missing_digest_variable_is_one_clear_error(project, monkeypatch):
    code, out = plan_json(None, monkeypatch)
    assert code == 2
    assert (
        "stacks/Pulumi.dev.yaml: services.api.image_digest: environment variable "
        "API_IMAGE_DIGEST is not set (nor in the .env file)"
    ) in out


def test_a_stack_build_dir_leaving_the_project_is_refused(project, monkeypatch):
    text = STACK_FILE.replace(
        "      source_dir: .\n", "      source_dir: .\n      build_dir: ../out\n"
    )
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    code, out = plan_json(DIGEST_A, monkeypatch)
    assert code == 2
    assert "services.site.build_dir: must stay inside the project" in out
    assert not (project.parent / "out").exists()


def test_a_tag_without_digest_is_an_advisory_finding(project, monkeypatch):
    text = STACK_FILE.replace("      image_digest: env:API_IMAGE_DIGEST\n", "")
    (project / "stacks" / "Pulumi.dev.yaml").write_text(text)
    code, out = plan_json(None, monkeypatch)
    assert code == 0, out  # advisory: the plan still passes
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings if f["rule"] == "image-digest"] == [
        ("image-digest", "advisory")
    ]
