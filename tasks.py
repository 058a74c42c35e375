#!/usr/bin/env python3
"""Project tasks that need nothing but Python 3.11+ and pip.

    python3 tasks.py plan [--stack dev] [plan options...]   offline plan of a stack
    python3 tasks.py test                                   lint, type-check and run the tests
    python3 tasks.py engine                                 build the Pulumi engine (needs Go)
    python3 tasks.py install                                only create .venv for planning
    python3 tasks.py lock                                   regenerate requirements/*.txt

Each task creates ``.venv`` on first use and installs what it needs (and again when
pyproject.toml or the lock files change): ``plan`` only the project and its command line
(``.[cli]``), ``test`` the dev tools as well. The versions come from the lock files in
``requirements/`` (pinned, with hashes), so every machine and CI install the same ones. The
installer is uv, fetched once from PyPI at a pinned version into ``.tools/``; where that is not
possible, pip installs the very same pins.
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
#: The lock file of each task's extras (``python3 tasks.py lock`` writes them).
LOCKS = {"plan": ROOT / "requirements" / "plan.txt", "test": ROOT / "requirements" / "test.txt"}
#: The test lock's pins (a superset of the plan lock's) without hashes, for what Pulumi installs
#: itself: the program's virtualenv (requirements.txt) and the policy pack's
#: (policy/requirements.txt). Both install this repository editable, which pip cannot do while
#: checking hashes, so they take the locked versions from here as constraints.
PULUMI_CONSTRAINTS = ROOT / "requirements" / "pulumi-install.txt"
#: The installer's pinned version; bump it deliberately (a new uv can resolve differently).
UV_VERSION = "0.13.9"
UV_HOME = ROOT / ".tools" / f"uv-{UV_VERSION}"
UV = UV_HOME / "bin" / ("uv.exe" if os.name == "nt" else "uv")


def _run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, check=False, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def _installed() -> set[str]:
    """The install stamps recorded in .venv: ``<inputs hash>:<task>`` per installed task."""
    return set(STAMP.read_text().split()) if STAMP.is_file() else set()


def _inputs_hash() -> str:
    """What an install depends on: pyproject.toml and the lock files."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for lock in LOCKS.values():
        digest.update(lock.read_bytes() if lock.is_file() else b"")
    return digest.hexdigest()


def uv() -> Path | None:
    """The pinned uv, installed from PyPI into .tools/ on first use; None if that fails."""
    if UV.is_file():
        return UV
    print(f"Fetching uv {UV_VERSION} from PyPI into .tools/ ...", flush=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--target",
            str(UV_HOME),
            f"uv=={UV_VERSION}",
        ],
        cwd=ROOT,
        check=False,
        env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"},
    )
    if result.returncode != 0 or not UV.is_file():
        shutil.rmtree(UV_HOME, ignore_errors=True)
        print("uv could not be installed; installing with pip instead.", flush=True)
        return None
    return UV


def _install_with_uv(installer: Path, lock: Path) -> bool:
    """Install ``lock`` and the project with uv; False if uv failed (pip then takes over)."""
    env = dict(os.environ)
    # pip may be told of a private CA (PIP_CERT); uv reads the same bundle from SSL_CERT_FILE.
    if "PIP_CERT" in env and "SSL_CERT_FILE" not in env:
        env["SSL_CERT_FILE"] = env["PIP_CERT"]
    python = BIN / "python"
    steps: list[tuple[str | Path, ...]] = [
        ("pip", "install", "--python", python, "--require-hashes", "-r", lock),
        ("pip", "install", "--python", python, "--no-deps", "-e", "."),
    ]
    if not python.exists():
        # --seed puts pip in .venv too: `pulumi install` (toolchain pip) runs it.
        steps.insert(0, ("venv", "--quiet", "--seed", "--python", sys.executable, VENV))
    for step in steps:
        command = [str(installer), *map(str, step)]
        if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode:
            print("uv failed; installing with pip instead.", flush=True)
            return False
    return True


def _install_with_pip(lock: Path) -> None:
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = (BIN / "python", "-m", "pip", "install", "--disable-pip-version-check")
    _run(*pip, "--require-hashes", "-r", lock)
    _run(*pip, "--no-deps", "-e", ".")


def ensure_venv(task: str = "test") -> None:
    """Create the virtualenv and install ``task``'s locked requirements, unless already done."""
    wanted = _inputs_hash()
    stamp = f"{wanted}:{task}"
    installed = _installed()
    if stamp in installed:
        return
    lock = LOCKS[task]
    print(
        f"Installing the project with [{','.join(EXTRAS[task])}] into .venv from "
        f"{lock.relative_to(ROOT)} ...",
        flush=True,
    )
    started = time.monotonic()
    installer = uv()
    if installer is None or not _install_with_uv(installer, lock):
        _install_with_pip(lock)
    # Stamps of other inputs are stale; those of another task with these inputs still hold.
    kept = {entry for entry in installed if entry.startswith(f"{wanted}:")}
    STAMP.write_text("\n".join(sorted(kept | {stamp})) + "\n")
    print(f"Installed in {time.monotonic() - started:.0f} s.", flush=True)


def install(args: list[str]) -> None:
    """Nothing beyond ``.venv`` with planning's locked requirements (e.g. before ``pulumi up``)."""


def lock(args: list[str]) -> None:
    """Regenerate the lock files from pyproject.toml (needs PyPI); ``--upgrade`` to move pins."""
    installer = uv()
    if installer is None:
        sys.exit("error: uv is needed to regenerate the lock files")
    LOCKS["test"].parent.mkdir(exist_ok=True)
    common = ["pip", "compile", "--quiet", "--universal", "--python-version", "3.11"]
    common += ["--generate-hashes", "--no-header", *args]
    # The test lock first; the plan lock is constrained to it so both pin the same versions.
    for task, constraints in (("test", ()), ("plan", ("-c", LOCKS["test"]))):
        extras = [item for extra in EXTRAS[task] for item in ("--extra", extra)]
        out = LOCKS[task]
        _run(installer, *common, *constraints, *extras, "pyproject.toml", "-o", out)
        header = (
            f"# The pinned requirements of `tasks.py {task}` ([{','.join(EXTRAS[task])}]): "
            "generated by `python3 tasks.py lock` from pyproject.toml; do not edit.\n"
        )
        out.write_text(header + out.read_text())
        print(f"wrote {out.relative_to(ROOT)}")
    PULUMI_CONSTRAINTS.write_text(constraints_of(LOCKS["test"].read_text()))
    print(f"wrote {PULUMI_CONSTRAINTS.relative_to(ROOT)}")


def constraints_of(lock_text: str) -> str:
    """The ``name==version [; marker]`` lines of a hashed lock file, as a constraints file."""
    pins = [
        line.rstrip(" \\")
        for line in lock_text.splitlines()
        if line[:1].isalnum() and "==" in line.split(" ", 1)[0]
    ]
    header = (
        "# The versions of requirements/test.txt without their hashes: the constraints of what\n"
        "# Pulumi installs (requirements.txt, policy/requirements.txt), which install this\n"
        "# repository editable and so cannot check hashes. Generated by `python3 tasks.py lock`;\n"
        "# do not edit.\n"
    )
    return header + "\n".join(pins) + "\n"


def _given(args: list[str], long: str, short: str | None = None) -> bool:
    """Whether the command line sets the option ``long`` (or ``short``) in any form the CLI
    accepts: ``--name VALUE``, ``--name=VALUE``, ``-s VALUE``, ``-sVALUE``."""
    for arg in args:
        if arg == long or arg.startswith(f"{long}="):
            return True
        if short is not None and arg.startswith(short) and not arg.startswith("--"):
            return True
    return False


def plan(args: list[str]) -> None:
    """Offline plan; the dev stack with the example secrets of .env.example by default."""
    if not _given(args, "--stack", "-s"):
        args = ["--stack", "dev", *args]
    # A default added beside the user's own --env-file=FILE would be the one the CLI uses
    # (the last wins): the example secrets, silently.
    if not _given(args, "--env-file"):
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


TASKS = {"plan": plan, "test": test, "engine": engine, "install": install, "lock": lock}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] in (*EXTRAS, "install"):  # the engine needs Go, the lock only uv
        ensure_venv("test" if sys.argv[1] == "test" else "plan")
    TASKS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
