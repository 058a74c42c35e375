"""Run every entry point of the input boundary on N generated inputs and report the figures.

    .venv/bin/python fuzz/run.py [--count 10000] [--only export,plan,...,condition-stack]
                                 [--keep DIR]

Inputs come from the hypothesis strategies of ``fuzz/strategies.py`` (the ones the test suite
uses). For each entry point: inputs tried, accepted and refused, crashes (anything but a clean
refusal, with the first few kinds), time and memory. Prints a Markdown table (docs/fuzzing.md
holds the figures of the last full run).

Time is measured on every input without tracing (tracemalloc slows allocation-heavy code such
as the CEL engine several times over, so a traced time says little about the 2 s budget). The
first input is reported apart: it pays the imports and the first use of the engines, which
every command pays once (``fuzz/small_stacks.py`` measures that through the real command).
Memory, for the readers alone (the ``stack`` entries run Pulumi's runtime, too heavy to trace):
the peak of Python allocations while an input runs again under tracemalloc, for every
``TRACE_EVERY``-th input and every input that took ``TRACE_SLOWER_THAN`` or more; and the
process's peak RSS over the whole run, which bounds every input's memory from above.
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

#: The promise: every input under 1 KB is answered within 2 s and 100 MB.
SMALL_INPUT_BYTES = 1024
TIME_BUDGET_S = 2.0
MEMORY_BUDGET_BYTES = 100 * 10**6
#: Which inputs run again under tracemalloc.
TRACE_EVERY = 10
TRACE_SLOWER_THAN = 0.25
#: How many inputs under 1 KB over the time budget ``--keep`` writes, per entry point.
KEEP_OVER = 20


@dataclass
class Figures:
    """What one entry point did over its inputs."""

    name: str
    tried: int = 0
    refused: int = 0
    crashes: collections.Counter[str] = field(default_factory=collections.Counter)
    first: float = 0.0
    first_size: int = 0
    slowest: float = 0.0
    slowest_size: int = 0
    slowest_input: bytes = b""
    over_inputs: list[bytes] = field(default_factory=list)
    slowest_small: float = 0.0
    slowest_small_size: int = 0
    small_over_time: int = 0
    traced: int = 0
    peak_alloc: int = 0
    small_over_memory: int = 0
    largest_input: int = 0
    seconds: float = 0.0
    last: float = 0.0

    def record_time(self, data: bytes, elapsed: float) -> None:
        """One input's untraced time; the first input (imports, first use) is kept apart."""
        self.last = elapsed
        small = len(data) < SMALL_INPUT_BYTES
        if self.tried == 1:
            self.first, self.first_size = elapsed, len(data)
            return
        if elapsed > self.slowest:
            self.slowest, self.slowest_size, self.slowest_input = elapsed, len(data), data
        if small and elapsed > self.slowest_small:
            self.slowest_small, self.slowest_small_size = elapsed, len(data)
        if small and elapsed > TIME_BUDGET_S:
            self.small_over_time += 1
            if len(self.over_inputs) < KEEP_OVER:
                self.over_inputs.append(data)

    def record_peak(self, data: bytes, peak: int) -> None:
        """The peak of Python allocations while one input ran again under tracemalloc."""
        self.traced += 1
        self.peak_alloc = max(self.peak_alloc, peak)
        if len(data) < SMALL_INPUT_BYTES and peak > MEMORY_BUDGET_BYTES:
            self.small_over_memory += 1


def _run(
    name: str,
    strategy: st.SearchStrategy[bytes],
    target: Callable[[bytes], None],
    count: int,
    trace: bool,
) -> Figures:
    figures = Figures(name)
    refusals = 0
    counting_on = True
    original = targets._refused

    def counting(exc: Exception) -> None:
        nonlocal refusals
        if counting_on:  # a traced re-run is the same input, not a new refusal
            refusals += 1
        original(exc)  # type: ignore[arg-type]

    targets._refused = counting  # type: ignore[assignment]

    def traced_peak(data: bytes) -> int:
        nonlocal counting_on
        counting_on = False
        tracemalloc.start()
        try:
            target(data)
        except Exception:  # already counted by the timed run
            pass
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            counting_on = True
        return peak

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
        started = time.perf_counter()
        try:
            target(data)
        except Exception as exc:  # counted, not raised: the run goes on
            figures.crashes[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
        figures.record_time(data, time.perf_counter() - started)
        if trace and (figures.tried % TRACE_EVERY == 1 or figures.last >= TRACE_SLOWER_THAN):
            figures.record_peak(data, traced_peak(data))

    started = time.perf_counter()
    try:
        one()
    finally:
        targets._refused = original  # type: ignore[assignment]
    figures.seconds = time.perf_counter() - started
    figures.refused = refusals
    return figures


def _ms(seconds: float, size: int) -> str:
    return f"{seconds * 1000:.0f} ms ({size} bytes)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--only",
        default="export,plan,outputs,stack-loader,stack,condition,condition-export,condition-stack",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="write each entry's slowest input, and its inputs under 1 KB over 2 s, to DIR",
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
        "| entry point | inputs | accepted | refused (exit 2) | crashes | first input "
        "| slowest input | slowest under 1 KB | under 1 KB over 2 s "
        "| peak allocation (traced inputs) | largest input | run time |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.only.split(","):
        strategy, target, trace = entries[name]
        f = _run(name, strategy, target, args.count, trace)
        crashes = sum(f.crashes.values())
        if trace:
            alloc = f"{f.peak_alloc / 10**6:.1f} MB ({f.traced} traced"
            alloc += f", {f.small_over_memory} under 1 KB over 100 MB)"
        else:
            alloc = "n/a"
        print(
            f"| {name} | {f.tried} | {f.tried - f.refused - crashes} | {f.refused} | {crashes} "
            f"| {_ms(f.first, f.first_size)} | {_ms(f.slowest, f.slowest_size)} "
            f"| {_ms(f.slowest_small, f.slowest_small_size)} | {f.small_over_time} "
            f"| {alloc} | {f.largest_input} bytes | {f.seconds:.0f} s |",
            flush=True,
        )
        for kind, times in f.crashes.most_common(5):
            print(f"|   crash | {times} times: {kind} |", flush=True)
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"{name}-slowest.bin").write_bytes(f.slowest_input)
            for number, data in enumerate(f.over_inputs, 1):
                (args.keep / f"{name}-over-2s-{number}.bin").write_bytes(data)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak RSS of the whole run: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
