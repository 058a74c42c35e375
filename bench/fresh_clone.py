"""Time from a fresh clone to the first offline plan: ``git clone`` then ``python3 tasks.py plan``.

    python bench/fresh_clone.py [REV ...]      (default: HEAD)

Each revision is cloned from this repository into a temporary folder and planned there, from
nothing: the virtualenv is created and what ``tasks.py plan`` installs is installed. pip's
download cache is the machine's (warm after the first run), so the figure is the install and
the plan, not the network.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = [sys.executable, "tasks.py", "plan", "--format", "json", "--out", "plan.json"]


def time_to_first_plan(revision: str) -> tuple[float, float]:
    """Seconds to the first plan of a fresh clone of ``revision``, and to the next one."""
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", revision], check=True)
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(PLAN, cwd=clone, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        return times[0], times[1]


def main() -> None:
    print("| revision | clone to first plan | next plan |\n| --- | ---: | ---: |")
    for revision in sys.argv[1:] or ["HEAD"]:
        first, second = time_to_first_plan(revision)
        print(f"| {revision} | {first:.1f} s | {second:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
