"""Instructions per service, components against raw: the benchmark's repeatable figure.

Wall and CPU time on a shared 2-core machine move by 5 to 10 % from one run of
``bench/run.py`` to the next, more than the margin of the per-service target. valgrind's
callgrind counts the instructions a process executes instead, which the rest of the machine
does not move: repeated runs agree within about 0.1 % (temporary paths and the like differ;
the hash seed is fixed). This script runs ``bench/run.py``'s worker (the same programs under
the same runner) under callgrind at two sizes per variant and reports the instructions per
service *between* them. The difference cancels what does not grow with N
(interpreter start, imports, writing the function source), so the figure is the cost of one
more service.

Instructions are not time: a cache miss costs more than an addition, and a program whose heap
is larger misses more. Read this beside the timed figures, not instead of them.

    python bench/instructions.py                   # N = 50 and 150: about 2 minutes on 2 cores
    python bench/instructions.py --sizes 150,1000  # the cost per service at scale: ~10 minutes
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `bench` is this checkout's

from bench.run import VARIANTS, Variant, worker_env  # noqa: E402

RUN = ROOT / "bench" / "run.py"
#: What callgrind prints on stderr when the program ends: ``==123== Collected : 4805602828``.
_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def collected_instructions(valgrind_stderr: str) -> int:
    """The instruction count callgrind reports for the (single) process it ran."""
    counts = _COLLECTED.findall(valgrind_stderr)
    if len(counts) != 1:
        raise ValueError(f"expected one callgrind total, found {len(counts)}")
    return int(counts[0])


def per_service(counts: dict[int, int]) -> float:
    """Instructions per service between the smallest and the largest size measured."""
    small, large = min(counts), max(counts)
    if small == large:
        raise ValueError("two different sizes are needed")
    return (counts[large] - counts[small]) / (large - small)


def count(variant: Variant, n: int) -> int:
    """Instructions of one worker run of ``variant`` for ``n`` services, under callgrind."""
    workdir = Path(tempfile.mkdtemp(prefix=f"instructions-{variant}-{n}-"))
    try:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                str(RUN),
                "--worker",
                "scale",
                variant,
                str(n),
                str(workdir),
            ],
            cwd=workdir,
            env={**worker_env(), "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{variant} N={n} failed under callgrind:\n{result.stderr[-2000:]}")
        return collected_instructions(result.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(counts: dict[Variant, dict[int, int]]) -> str:
    """The markdown table: each variant's counts, instructions per service, the ratio."""
    sizes = sorted(next(iter(counts.values())))
    header = " | ".join(f"N = {n}" for n in sizes)
    lines = [
        f"| variant | {header} | per service (N = {sizes[0]} to {sizes[-1]}) |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " | ---: |",
    ]
    for variant in VARIANTS:
        cells = " | ".join(f"{counts[variant][n] / 1e9:.3f} G" for n in sizes)
        lines.append(f"| {variant} | {cells} | {per_service(counts[variant]) / 1e6:.2f} M |")
    ratio = per_service(counts["components"]) / per_service(counts["raw"])
    lines.append(f"| **ratio** | {' | '.join('' for _ in sizes)} | **{ratio:.3f}** |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="50,150", help="two sizes, comma-separated (default: 50,150)"
    )
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(part) for part in args.sizes.split(",")})
    except ValueError:
        sizes = []
    if len(sizes) != 2 or sizes[0] < 1:
        parser.error("--sizes takes two different positive sizes, comma-separated")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    jobs = [(variant, n) for variant in VARIANTS for n in sizes]
    # Instruction counts do not depend on what else runs: measure side by side.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = dict(zip(jobs, pool.map(lambda job: count(*job), jobs), strict=True))
    counts = {variant: {n: results[(variant, n)] for n in sizes} for variant in VARIANTS}
    print(report(counts))


if __name__ == "__main__":
    main()
