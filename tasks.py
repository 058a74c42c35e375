#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+ and pip.

    python3 tasks.py plan [--stack dev] [plan options...]   offline plan of a stack
    python3 tasks.py test                                   lint, type-check and run the tests

Each task creates ``.venv`` and installs the project with its dev tools on first use (and again
when pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _run(*command: str | Path) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv() -> None:
    """Create the virtualenv and install the project, unless it is already up to date."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing the project and its dev tools into .venv ...", flush=True)
    _run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        ".[dev]",
    )
    STAMP.write_text(wanted)


def plan(args: list[str]) -> None:
    """Offline plan; the dev stack with the example secrets of .env.example by default."""
    if "--stack" not in args and "-s" not in args:
        args = ["--stack", "dev", *args]
    if "--env-file" not in args:
        args = [*args, "--env-file", ".env.example"]
    _run(BIN / "private-serverless", "plan", *args)


def test(args: list[str]) -> None:
    """Lint, type-check the library, then run the test suite."""
    sources = [
        p
        for p in ("components", "tests", "policy", "bench", "fuzz", "tasks.py")
        if (ROOT / p).exists()
    ]
    _run(BIN / "ruff", "check", *sources)
    _run(BIN / "mypy", "--strict", "components/private_serverless")
    _run(BIN / "python", "-m", "pytest", *args)


TASKS = {"plan": plan, "test": test}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    ensure_venv()
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
