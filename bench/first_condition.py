"""What the first access condition costs a process, with and without the parser-table cache.

    python bench/first_condition.py [--runs 7]

Each run is a fresh interpreter that imports the library (not timed), then times the first
``AccessArgs(condition=...)``: importing the CEL engine, building (or loading) the parser
tables, parsing and checking. "cold" disables the cache (PRIVATE_SERVERLESS_CACHE_DIR=""),
as before the cache existed; "cached" runs against a cache one earlier process wrote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

PROBE = """
import time
import private_serverless
from private_serverless import AccessArgs
start = time.perf_counter()
AccessArgs(condition='inIpRange(request.ip, "198.51.100.0/24") && request.time.getHours() < 18')
print(time.perf_counter() - start)
"""


def first_condition_seconds(cache_dir: str, runs: int) -> list[float]:
    env = {**os.environ, "PRIVATE_SERVERLESS_CACHE_DIR": cache_dir}
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    cold = first_condition_seconds("", runs)
    with tempfile.TemporaryDirectory() as folder:
        first_condition_seconds(folder, 1)  # writes the cache
        cached = first_condition_seconds(folder, runs)
    print("| case | median | min | max | runs |\n| --- | ---: | ---: | ---: | ---: |")
    for label, times in (("cold (no cache)", cold), ("cached tables", cached)):
        print(
            f"| {label} | {statistics.median(times) * 1000:.0f} ms | {min(times) * 1000:.0f} ms "
            f"| {max(times) * 1000:.0f} ms | {len(times)} |"
        )


if __name__ == "__main__":
    main()
