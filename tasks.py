#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+ and pip.

    python3 tasks.py plan [--stack dev] [plan options...]   offline plan of a stack
    python3 tasks.py test                                   lint, type-check and run the tests

Each task creates ``.venv`` on first use and installs what it needs (and again when
pyproject.toml changes): ``plan`` only the project and its command line (``.[cli]``), ``test``
the dev tools as well. pip's progress is shown: the first run downloads a few hundred MB.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"

#: The extras each task needs: planning needs no test tools.
EXTRAS = {"plan": ("cli",), "test": ("cli", "policy", "dev")}


def _run(*command: str | Path) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def _installed() -> set[str]:
    """The install stamps recorded in .venv: ``<pyproject hash>:<extra>`` per installed extra."""
    return set(STAMP.read_text().split()) if STAMP.is_file() else set()


def ensure_venv(extras: tuple[str, ...] = EXTRAS["test"]) -> None:
    """Create the virtualenv and install the project with ``extras``, unless already done."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamps = {f"{wanted}:{extra}" for extra in extras}
    installed = _installed()
    if stamps <= installed:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(
        f"Installing the project with [{','.join(extras)}] into .venv (first run: a minute or "
        "two; pip lists each step) ...",
        flush=True,
    )
    started = time.monotonic()
    _run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--progress-bar",
        "on",
        "-e",
        f".[{','.join(extras)}]",
    )
    # Stamps of another pyproject.toml are stale; those of other extras of this one still hold.
    kept = {stamp for stamp in installed if stamp.startswith(f"{wanted}:")}
    STAMP.write_text("\n".join(sorted(kept | stamps)) + "\n")
    print(f"Installed in {time.monotonic() - started:.0f} s.", flush=True)


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
        for p in ("components", "tests", "policy", "bench", "examples", "tasks.py")
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
    ensure_venv(EXTRAS[sys.argv[1]])
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
