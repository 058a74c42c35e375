#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+ and pip.

    python3 tasks.py plan [--stack dev] [plan options...]   offline plan of a stack
    python3 tasks.py test                                   lint, type-check and run the tests
    python3 tasks.py engine                                 build the Pulumi engine (needs Go)

Each task creates ``.venv`` on first use and installs what it needs (and again when
pyproject.toml changes): ``plan`` only the project and its command line (``.[cli]``), ``test``
the dev tools as well. pip's progress is shown: the first run downloads a few hundred MB.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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
        for p in ("components", "tests", "policy", "bench", "examples", "fuzz", "tasks.py")
        if (ROOT / p).exists()
    ]
    _run(BIN / "ruff", "check", *sources)
    _run(BIN / "mypy", "--strict", "components/private_serverless")
    _run(BIN / "python", "-m", "pytest", *args)


ENGINE_DIR = ROOT / "engine"
ENGINE_BIN = ROOT / ".engine" / "bin"
ENGINE_STAMP = ENGINE_BIN / ".built"
#: Pieces of the engine that no Go module reachable here provides. The module proxy this
#: project's machines use answers 403 for every version of these modules (checked 2026-11-24:
#: pulumiverse-scaleway provider and sdk v1.20-v1.60, terraform-provider-scaleway v2.50-v2.75,
#: pulumi-language-python v3.200-v3.274.1), so `pulumi preview` of a Scaleway stack cannot
#: run on these machines. The CLI builds; see README "The real engine".
ENGINE_MISSING = {
    "pulumi-resource-scaleway": "github.com/pulumiverse/pulumi-scaleway/provider",
    "pulumi-language-python": "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3",
}


def _go_module_version(module: str) -> str:
    for line in (ENGINE_DIR / "go.mod").read_text().splitlines():
        words = line.split()
        if module in words:
            return words[words.index(module) + 1]
    raise SystemExit(f"engine/go.mod does not require {module}")


def engine(args: list[str]) -> None:
    """Build the Pulumi CLI from Go modules (reused while engine/go.sum is unchanged)."""
    if shutil.which("go") is None:
        print(
            "error: Go is not installed; install Go 1.26 or later (https://go.dev/doc/install)"
            " to build the Pulumi engine",
            file=sys.stderr,
        )
        sys.exit(2)
    version = _go_module_version("github.com/pulumi/pulumi/pkg/v3")
    wanted = hashlib.sha256((ENGINE_DIR / "go.sum").read_bytes()).hexdigest()
    cli = ENGINE_BIN / "pulumi"
    if not (cli.is_file() and ENGINE_STAMP.is_file() and ENGINE_STAMP.read_text() == wanted):
        print(f"Building the Pulumi CLI {version} (a few minutes the first time) ...", flush=True)
        ENGINE_BIN.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        result = subprocess.run(
            [
                "go",
                "build",
                "-trimpath",
                "-ldflags",
                f"-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version={version}",
                "-o",
                str(cli),
                "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
            ],
            cwd=ENGINE_DIR,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(result.returncode)
        ENGINE_STAMP.write_text(wanted)
        print(f"Built in {time.monotonic() - started:.0f} s.")
    shown = subprocess.run([str(cli), "version"], capture_output=True, text=True, check=False)
    print(f"pulumi {shown.stdout.strip()} at {cli}")
    for binary, module in ENGINE_MISSING.items():
        print(f"{binary}: not built: the Go module proxy serves no version of {module}")
    sys.exit(1)


TASKS = {"plan": plan, "test": test, "engine": engine}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] != "engine":  # the engine needs Go, not the virtualenv
        ensure_venv(EXTRAS[sys.argv[1]])
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
