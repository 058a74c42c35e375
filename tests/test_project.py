"""Planning any Pulumi Python program: the project found like the Pulumi CLI finds it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from private_serverless.cli import app
from private_serverless.errors import ConfigurationError
from private_serverless.plan.stack_plan import plan_project
from private_serverless.project.pulumi_project import (
    ProgramError,
    find_project,
    load_program,
    read_stack_config,
)
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "consumer"

PROGRAM = """\
import pulumi
config = pulumi.Config()
pulumi.export("greeting", config.require("greeting"))
pulumi.export("token", config.require_secret("token"))
"""


def _project(root: Path, project_yaml: str, stack_yaml: str, *, config_dir: str = ".") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(project_yaml)
    (root / config_dir).mkdir(parents=True, exist_ok=True)
    (root / config_dir / "Pulumi.dev.yaml").write_text(stack_yaml)
    return root


def test_found_from_a_subfolder_following_main_and_stack_config_dir(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "repo",
        "name: demo\nruntime: python\nmain: infra/\nstackConfigDir: config\n",
        "config:\n  demo:greeting: hi\n  demo:token:\n    secure: v1:abc:def\n",
        config_dir="config",
    )
    (root / "infra").mkdir()
    (root / "infra" / "__main__.py").write_text(PROGRAM)
    deep = root / "infra" / "a" / "b"
    deep.mkdir(parents=True)
    project = find_project(deep)
    assert (project.name, project.program, project.config_dir) == (
        "demo",
        root / "infra",
        root / "config",
    )
    plan = plan_project("dev", start=deep, checks=())
    assert plan.project == "demo"
    assert plan.outputs["greeting"] == "hi"
    assert plan.outputs["token"] == "[secret]"


def test_pulumi_yml_and_project_config_defaults(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yml").write_text(
        "name: demo\nruntime:\n  name: python\nconfig:\n  greeting:\n    default: hello\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:token:\n    secure: x\n")
    config, secret_keys = read_stack_config(find_project(tmp_path), "dev")
    assert config == {"demo:greeting": "hello", "demo:token": "[secret]"}
    assert secret_keys == {"demo:token"}


@pytest.mark.parametrize(
    ("project_yaml", "message"),
    [
        ("name: demo\nruntime: nodejs\n", "runtime: only python programs"),
        ("runtime: python\n", "name: required"),
        ("name: demo\nruntime: python\nmian: src\n", "mian: unknown top-level key"),
        ("name: demo\nname: again\nruntime: python\n", "name: duplicate key"),
    ],
)
def test_a_bad_project_file_is_one_clear_error(
    tmp_path: Path, project_yaml: str, message: str
) -> None:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    with pytest.raises(ConfigurationError, match=message) as info:
        find_project(tmp_path)
    assert info.value.where == "Pulumi.yaml"


def test_an_unknown_stack_lists_the_known_ones(tmp_path: Path) -> None:
    _project(tmp_path, "name: demo\nruntime: python\n", "config: {}\n")
    with pytest.raises(
        ConfigurationError, match=r"Pulumi.prod.yaml: no such stack file \(stacks: dev\)"
    ):
        read_stack_config(find_project(tmp_path), "prod")


def _unsearchable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """``folder`` as a user without its search permission sees it (chmod 000, not root)."""
    real_stat = Path.stat

    def stat(self: Path, **kwargs: bool) -> os.stat_result:
        if self.parent == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)


def test_an_unreadable_stack_folder_is_an_input_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path,
        "name: demo\nruntime: python\nstackConfigDir: stacks\n",
        "config: {}\n",
        config_dir="stacks",
    )
    (root / "__main__.py").write_text(PROGRAM)
    _unsearchable(monkeypatch, root / "stacks")
    with pytest.raises(ConfigurationError, match=r"^stacks: cannot read this folder .*denied"):
        read_stack_config(find_project(root), "dev")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["plan", "--stack", "dev"])
    assert result.exit_code == 2, result.output
    assert "stacks: cannot read this folder" in result.stderr
    assert "internal error" not in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads a chmod 000 folder"
)
def test_a_chmod_000_stack_folder_is_an_input_error(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "name: demo\nruntime: python\nstackConfigDir: stacks\n",
        "config: {}\n",
        config_dir="stacks",
    )
    (root / "stacks").chmod(0)
    try:
        with pytest.raises(ConfigurationError, match=r"^stacks: cannot read this folder"):
            read_stack_config(find_project(root), "dev")
    finally:
        (root / "stacks").chmod(0o755)


@pytest.mark.parametrize("kind", ["folder", "named pipe (FIFO)"])
def test_a_stack_file_that_is_not_a_file_says_what_it_is(tmp_path: Path, kind: str) -> None:
    _project(tmp_path, "name: demo\nruntime: python\n", "config: {}\n")
    where = tmp_path / "Pulumi.prod.yaml"
    if kind == "folder":
        where.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(where)
    with pytest.raises(ConfigurationError) as info:
        read_stack_config(find_project(tmp_path), "prod")  # a FIFO opened would block
    assert str(info.value) == (
        f"Pulumi.prod.yaml: is a {kind}, not a file: a stack file is a YAML file"
    )


def test_a_program_exception_names_the_program_without_leaking_config(tmp_path: Path) -> None:
    _project(tmp_path, "name: demo\nruntime: python\n", "config:\n  demo:token:\n    secure: x\n")
    (tmp_path / "__main__.py").write_text("raise KeyError('oops')\n")
    program, _, _ = load_program(find_project(tmp_path), "dev")
    with pytest.raises(ProgramError, match=r"__main__.py: the program raised KeyError"):
        program()


def test_the_program_s_own_modules_do_not_leak_into_the_next_plan(tmp_path: Path) -> None:
    for name, value in (("one", "1"), ("two", "2")):
        root = _project(tmp_path / name, f"name: {name}\nruntime: python\n", "config: {}\n")
        (root / "helper.py").write_text(f"VALUE = {value!r}\n")
        (root / "__main__.py").write_text(
            "import pulumi, helper\npulumi.export('value', helper.VALUE)\n"
        )
        assert plan_project("dev", start=root, checks=()).outputs["value"] == value


@pytest.mark.parametrize("where", [EXAMPLE, EXAMPLE / "functions" / "hello"])
def test_the_example_consumer_plans_from_its_root_and_a_subfolder(
    where: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(where)
    result = CliRunner().invoke(app, ["plan", "--stack", "dev", "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["project"] == "consumer"
    types = {r["name"]: r["type"] for r in plan["resources"]}
    assert types["hello-function"] == "scaleway:functions/function:Function"
    assert types["api-container"] == "scaleway:containers/container:Container"
    assert types["api-grant-ci"] == "scaleway:iam/policy:Policy"
    # The keys and the endpoint do not exist before the apply: unknown, as the preview has them
    # (the keys secret as well).
    assert plan["outputs"]["hello_api_key"] == plan["outputs"]["api_api_key"] == "[unknown secret]"
    assert plan["outputs"]["api_endpoint"] == "[unknown]"
    # secure: values reach the program as [secret], never as their ciphertext
    assert "v1:Zm9v" not in result.output


def test_the_example_consumer_s_own_tests_pass() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:hypothesispytest"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


def test_this_repository_s_stacks_export_one_output_per_service() -> None:
    plan = plan_project("prod", start=ROOT, env_file=ROOT / ".env.example", checks=())
    services = plan.outputs["services"]
    for name, entry in services.items():
        prefix = name.replace("-", "_")
        assert plan.outputs[f"{prefix}_endpoint"] == entry["endpoint"]
        if entry["api_key"] is not None:
            assert plan.outputs[f"{prefix}_api_key"] == "[secret]"


@pytest.mark.parametrize(
    ("project_file", "label"),
    [
        ("name: acme\nruntime: python\n", "Pulumi.dev.yaml"),
        ("name: acme\nruntime: python\nstackConfigDir: envs\n", "envs/Pulumi.dev.yaml"),
        (None, "stacks/Pulumi.dev.yaml"),
    ],
)
def test_errors_name_the_stack_file_where_the_project_keeps_it(
    tmp_path: Path, project_file: str | None, label: str
) -> None:
    """A project without ``stackConfigDir`` keeps its stack files next to Pulumi.yaml: errors
    must not send the user to a stacks/ folder that does not exist."""
    from private_serverless.project.stack.program import stack_file_label

    folder = tmp_path / "project"
    folder.mkdir()
    if project_file is not None:
        (folder / "Pulumi.yaml").write_text(project_file)
    assert stack_file_label("dev", folder) == label


def test_a_program_exception_quoting_a_secret_of_the_run_is_printed_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = "PLANTED-program-" + "4be1c9d07a36"
    _project(tmp_path, "name: demo\nruntime: python\n", "config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi, pulumiverse_scaleway as scw\n"
        f"token = {planted!r}\n"
        "scw.functions.Function('f', namespace_id='ns', runtime='python312', handler='h.h',\n"
        "    privacy='private',\n"
        "    secret_environment_variables={'TOKEN': pulumi.Output.secret(token)})\n"
        "raise ValueError(f'could not use {token}')\n"
    )
    with pytest.raises(ProgramError) as info:
        plan_project("dev", start=tmp_path, checks=())
    assert "the program raised ValueError: could not use [secret]" in str(info.value)
    assert planted not in str(info.value)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["plan", "--stack", "dev"])
    assert result.exit_code == 2 and planted not in result.output, result.output


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        # The program's own mistake, or a provider SDK refusing what the program gave it.
        ("raise ValueError('oops')\n", 2, "the program raised ValueError: oops"),
        (
            "import pulumiverse_scaleway as scw\n"
            "scw.functions.Function('f', namespace_id='ns', runtime='python312', handler='h')\n",
            2,
            "the program raised TypeError: Missing required property 'privacy'",
        ),
        # The library failing at its own work (here: handed None where it iterates keys).
        (
            "from private_serverless.errors import refused_key_labels\nrefused_key_labels(None)\n",
            3,
            "internal error (TypeError)",
        ),
    ],
)
def test_a_failure_is_the_program_s_or_the_library_s_by_where_it_happened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, code: int, words: str
) -> None:
    _project(tmp_path, "name: demo\nruntime: python\n", "config: {}\n")
    (tmp_path / "__main__.py").write_text(body)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["plan", "--stack", "dev"])
    assert result.exit_code == code, result.output
    assert words in result.output
