"""Fresh clone to first offline plan, with cold caches, against a bare install of the provider.

    python bench/fresh_clone.py [--repeat 3] [--revision HEAD]

Each run, one after the other:

- **first plan**: ``git clone`` of this repository into a temporary folder, then
  ``python3 tasks.py plan`` there: uv is fetched, ``.venv`` created, the locked requirements of
  planning installed and the dev stack planned;
- **next plan**: the same command again in that clone (everything installed);
- **bare install**: ``python3 -m venv`` plus ``pip install pulumi pulumiverse-scaleway``, the least
  a user of the provider alone waits for.

Every run gets empty pip and uv caches of its own (``PIP_CACHE_DIR``, ``UV_CACHE_DIR``), so
both sides download everything: the figures are cold. The report gives the median of each and
the ratio first plan / bare install (target ≤ 0.6, issue 25).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What a user of the provider alone installs.
BARE = ["pulumi", "pulumiverse-scaleway"]
PLAN = [sys.executable, "tasks.py", "plan", "--format", "json", "--out", "plan.json"]


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _cold_env(folder: Path) -> dict[str, str]:
    """The environment with empty pip and uv caches under ``folder``."""
    for cache in ("pip-cache", "uv-cache"):
        (folder / cache).mkdir()
    return {
        **os.environ,
        "PIP_CACHE_DIR": str(folder / "pip-cache"),
        "UV_CACHE_DIR": str(folder / "uv-cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_ROOT_USER_ACTION": "ignore",
    }


def one_run(revision: str) -> dict[str, float]:
    """Seconds of a first plan, the next plan and a bare install, each with cold caches."""
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        clone = folder / "clone"
        (folder / "ours").mkdir()
        env = _cold_env(folder / "ours")
        start = time.perf_counter()
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", revision], check=True)
        times["clone"] = time.perf_counter() - start
        times["first plan"] = _timed(PLAN, clone, env)
        times["next plan"] = _timed(PLAN, clone, env)
        (folder / "bare").mkdir()
        bare_env = _cold_env(folder / "bare")
        bare = folder / "bare" / "venv"
        times["bare install"] = _timed(
            [sys.executable, "-m", "venv", str(bare)], folder, bare_env
        ) + _timed(
            [
                str(bare / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "pulumi",
                "pulumiverse-scaleway",
            ],
            folder,
            bare_env,
        )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--revision", default="HEAD")
    options = parser.parse_args()
    runs = []
    for index in range(options.repeat):
        runs.append(one_run(options.revision))
        shown = ", ".join(f"{key} {value:.1f} s" for key, value in runs[-1].items())
        print(f"run {index + 1}: {shown}", file=sys.stderr, flush=True)
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"| measure (median of {len(runs)}, cold caches) | seconds |\n| --- | ---: |")
    for key in ("clone", "first plan", "next plan", "bare install"):
        print(f"| {key} | {median[key]:.1f} |")
    ratio = median["first plan"] / median["bare install"]
    print(f"| **first plan / bare install** | **{ratio:.2f}x** (target <= 0.60x) |")


if __name__ == "__main__":
    main()
