"""The package's layers (docs/architecture.md): imports go downward only, and no module cycles.

The contracts live in pyproject.toml ([tool.importlinter]); these tests run it on the package as
it is, and on a copy with one upward import added, to show the contract can fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "components" / "private_serverless"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(components: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=cwd,
        env={"PYTHONPATH": str(components), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_contract_holds(tmp_path: Path) -> None:
    result = _lint_imports(ROOT / "components", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("core/limits.py", "from private_serverless.plan import model"),
        ("project/stack_yaml.py", "from private_serverless.plan import runner"),
        ("services/function_args.py", "from private_serverless.policies import rules"),
        ("conditions/request.py", "from private_serverless.conditions import builder"),
        ("plan/values.py", "from private_serverless.plan import recorder"),
    ],
    ids=[
        "core-imports-plan",
        "project-imports-plan",
        "services-import-policies",
        "cycle-in-conditions",
        "cycle-in-plan",
    ],
)
def test_an_upward_import_or_a_cycle_breaks_a_contract(
    tmp_path: Path, module: str, upward: str
) -> None:
    copy = tmp_path / "components"
    shutil.copytree(
        PACKAGE, copy / "private_serverless", ignore=shutil.ignore_patterns("__pycache__")
    )
    target = copy / "private_serverless" / module
    target.write_text(target.read_text() + f"\n{upward}  # noqa\n")
    result = _lint_imports(copy, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout


def test_the_contract_names_every_top_level_folder() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    contract = contracts["layers"]
    layered = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == layered
    # Top-level modules: the public API and the entry points only.
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == {"__init__.py", "__main__.py", "errors.py", "console.py"}
