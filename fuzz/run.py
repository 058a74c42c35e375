"""Run every entry point of the input boundary on N generated inputs and report the figures.

    .venv/bin/python fuzz/run.py [--count 10000] [--only export,plan,...,condition-stack]

Inputs come from the hypothesis strategies of ``fuzz/strategies.py`` (the ones the test suite
uses). For each entry point: inputs tried, accepted and refused, crashes (anything but a clean
refusal, with the first few kinds), the slowest input, and memory: the peak of Python
allocations during one input (tracemalloc, for the readers alone) and the process's peak RSS.
Prints a Markdown table (docs/fuzzing.md holds the figures of the last full run).
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "components")]

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fuzz import strategies, targets  # noqa: E402


@dataclass
class Figures:
    """What one entry point did over its inputs."""

    name: str
    tried: int = 0
    refused: int = 0
    crashes: collections.Counter[str] = field(default_factory=collections.Counter)
    slowest: float = 0.0
    slowest_size: int = 0
    peak_alloc: int = 0
    largest_input: int = 0
    seconds: float = 0.0


def _run(
    name: str,
    strategy: st.SearchStrategy[bytes],
    target: Callable[[bytes], None],
    count: int,
    trace: bool,
) -> Figures:
    figures = Figures(name)
    refusals = 0
    original = targets._refused

    def counting(exc: Exception) -> None:
        nonlocal refusals
        refusals += 1
        original(exc)  # type: ignore[arg-type]

    targets._refused = counting  # type: ignore[assignment]

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[settings.default.phases[2]],  # generate only: no shrinking, no replay
    )
    @given(strategy)
    def one(data: bytes) -> None:
        figures.tried += 1
        figures.largest_input = max(figures.largest_input, len(data))
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            target(data)
        except Exception as exc:  # counted, not raised: the run goes on
            figures.crashes[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
        finally:
            elapsed = time.perf_counter() - started
            if trace:
                figures.peak_alloc = max(figures.peak_alloc, tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
            if elapsed > figures.slowest:
                figures.slowest, figures.slowest_size = elapsed, len(data)

    started = time.perf_counter()
    try:
        one()
    finally:
        targets._refused = original  # type: ignore[assignment]
    figures.seconds = time.perf_counter() - started
    figures.refused = refusals
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--only",
        default="export,plan,outputs,stack-loader,stack,condition,condition-export,condition-stack",
    )
    args = parser.parse_args()
    project = targets.stack_project(Path(tempfile.mkdtemp(prefix="fuzz-project-")))
    entries: dict[str, tuple[st.SearchStrategy[bytes], Callable[[bytes], None], bool]] = {
        "export": (strategies.json_texts("export.json"), targets.export_target, True),
        "plan": (strategies.json_texts("plan.json"), targets.plan_target, True),
        "outputs": (strategies.json_texts("outputs.json"), targets.outputs_target, True),
        "stack-loader": (strategies.stack_texts(), targets.stack_loader_target, True),
        # The whole offline plan of the stack file: Pulumi's runtime is too heavy to trace.
        "stack": (
            strategies.stack_texts(),
            lambda data: targets.stack_file_target(data, project),
            False,
        ),
        # Issue 23: condition-heavy and list-heavy inputs, through `condition check|eval`, the
        # audit of an export and the whole plan of a stack (sample requests at extreme times).
        "condition": (strategies.condition_bytes(), targets.condition_target, True),
        "condition-export": (strategies.condition_exports(), targets.export_target, True),
        "condition-stack": (
            strategies.condition_stacks(),
            lambda data: targets.stack_file_target(data, project),
            False,
        ),
    }
    print(
        "| entry point | inputs | accepted | refused (exit 2) | crashes | slowest input "
        "| peak allocation per input | largest input | run time |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.only.split(","):
        strategy, target, trace = entries[name]
        f = _run(name, strategy, target, args.count, trace)
        crashes = sum(f.crashes.values())
        alloc = f"{f.peak_alloc / 2**20:.1f} MB" if trace else "n/a"
        print(
            f"| {name} | {f.tried} | {f.tried - f.refused - crashes} | {f.refused} | {crashes} "
            f"| {f.slowest * 1000:.0f} ms ({f.slowest_size} bytes) | {alloc} "
            f"| {f.largest_input} bytes | {f.seconds:.0f} s |",
            flush=True,
        )
        for kind, times in f.crashes.most_common(5):
            print(f"|   crash | {times} times: {kind} |", flush=True)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak RSS of the whole run: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
