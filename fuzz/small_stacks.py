"""Time and memory of ``private-serverless plan`` on crafted stack files under 1 KB.

    .venv/bin/python fuzz/small_stacks.py [--random 200]

Each file runs the real command in its own process (``python -m private_serverless plan``),
measured from outside: wall time and the child's peak RSS (``wait4``). The crafted files are
the attacks of issue 12 (alias bombs, cyclic aliases, deep nesting, huge numbers, as many
services as fit in 1 KB); ``--random N`` adds N generated files under 1 KB from the fuzzing
strategies. The target: accepted or refused within 2 s and 100 MB, exit code 0, 1 or 2.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "components")]

from fuzz.targets import stack_project  # noqa: E402


def _bomb(levels: int, width: int) -> str:
    lines = ["config:", f"  p:a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"  p:a{i}: &a{i} [{','.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _services(count: int, defaults: str = "") -> str:
    entries = "".join(f"    s{i}: {{kind: container, image: r/i:1}}\n" for i in range(count))
    return "config:\n" + defaults + "  private-serverless:services:\n" + entries


_HEAVY_DEFAULTS = (
    "  private-serverless:defaults: {dedicated_projects: true, "
    "store_keys_in_secret_manager: true, protect: true}\n"
)


def _conditioned(conditions: list[str]) -> str:
    """Services in one project, each with its own condition: every pair is compared."""
    entries = "".join(
        f"    c{i}: {{kind: container, image: r/i:1, access: {{condition: '{condition}'}}}}\n"
        for i, condition in enumerate(conditions)
    )
    return "config:\n  private-serverless:services:\n" + entries


def _ranges(first: int, count: int) -> str:
    return " || ".join(f'inIpRange(request.ip,"{first + i}.{i}.0.0/16")' for i in range(count))


def _functions(count: int) -> str:
    entry = (
        "kind: function, runtime: python312, handler: handler.handle, source_dir: services/billing"
    )
    entries = "".join(f"    f{i}: {{{entry}}}\n" for i in range(count))
    return "config:\n  private-serverless:services:\n" + entries


def _aliased_services(count: int) -> str:
    copies = "".join(f"    s{i}: *s\n" for i in range(1, count))
    return (
        "config:\n  private-serverless:services:\n    s0: &s {kind: container, image: r/i:1}\n"
        + (copies)
    )


def _fill(text: str, budget: int = 1023) -> str:
    return text if len(text) <= budget else text[:budget]


CRAFTED: dict[str, str] = {
    "alias bomb 9^9": _bomb(9, 9),
    "alias bomb 2^60 (merge keys)": "config:\n  p:a0: &a0 {x: 1}\n"
    + "".join(
        f"  p:a{i}: &a{i} {{l: *a{i - 1}, r: *a{i - 1}, <<: *a{i - 1}}}\n" for i in range(1, 20)
    ),
    "alias bomb as a service": _bomb(6, 9)
    + "  private-serverless:services:\n    b: {kind: function, env: *a5}\n",
    "cyclic alias": "config:\n  p:k: &a [*a, *a]\n",
    "deep flow nesting": _fill("config:\n  p:k: " + "[" * 1000),
    "deep block nesting": "config:\n" + "".join(" " * (i + 2) + f"k{i}:\n" for i in range(38)),
    "huge integer": _fill("config:\n  p:k: " + "9" * 2000),
    "long key": _fill("config:\n  " + "k" * 2000 + ": 1"),
    "undefined alias": "config:\n  p:k: *undefined\n",
    "unknown tag": "config:\n  p:k: !secret x\n",
    "services that fit in 1 KB": _services(23),
    "services that fit in 1 KB, 7 resources each": _services(20, _HEAVY_DEFAULTS),
    "services copied with aliases": _aliased_services(80),
    "functions that fit in 1 KB": _functions(9),
    "10 services, 10 hour conditions": _conditioned(
        [f'request.time.getHours("UTC")>{i}' for i in range(10)]
    ),
    "3 services, 6 IP ranges each": _conditioned([_ranges(11 * i + 1, 6) for i in range(3)]),
    "2 services, 8 regular expressions each": _conditioned(
        [" || ".join(f'request.user_agent.matches("^a{{{k}}}(b|c)*$")' for k in range(1, 9))] * 2
    ),
    "4 services, addresses, agents, days and hours": _conditioned(
        [
            f'(inIpRange(request.ip,"8.{i}.0.0/16") || request.user_agent.contains("x")) && '
            '(request.time.getDayOfWeek() == 1 || request.time.getHours("Europe/Paris") < 9)'
            for i in range(4)
        ]
    ),
    # Issue 23: lists, zone aliases, extreme times, ranges the caller picks.
    "1 service, 26 agents or 100 lengths": _conditioned(
        [
            "request.user_agent in ["
            + ",".join(f'"ua{i:02d}"' for i in range(26))
            + "] || size(request.user_agent) in ["
            + ",".join(str(n) for n in range(100, 200))
            + "]"
        ]
    ),
    "instant split across UTC aliases": _conditioned(
        ['request.time.getHours() < 12 || request.time.getHours("Etc/UTC") >= 12']
    ),
    "equal windows in 4 UTC aliases": _conditioned(
        [
            f'request.time.getHours("{z}") >= 8 && request.time.getHours("{z}") < 18'
            for z in ("UTC", "Etc/UTC", "Zulu", "+00:00")
        ]
    ),
    "expiry in 9999 and offsets out of range": _conditioned(
        [
            'inIpRange(request.ip,"8.0.0.0/8") && request.time < timestamp("9999-12-31T23:59:59Z")',
            'request.time < timestamp("9999-12-31T23:59:59-01:00")',
        ]
    ),
    "sample request at the end of CEL time": "config:\n  private-serverless:services:\n"
    "    c: {kind: container, image: r/i:1, access: {condition: "
    "'request.time.getHours(\"+14:00\") < 12', expect: {allow: [{ip: 8.8.8.8, "
    "time: '9999-12-31T23:59:59Z'}]}}}\n",
    "range from the caller's header": _conditioned(["inIpRange(request.ip, request.user_agent)"]),
    "IPv6 global unicast in 2 blocks": _conditioned(
        [" || ".join(f'inIpRange(request.ip,"{b}::/4")' for b in ("2000", "3000"))]
    ),
}


def run(project: Path, text: str) -> tuple[int, float, float, str]:
    """Exit code, seconds, peak RSS (MiB) and last stderr line of one plan of ``text``."""
    (project / "stacks" / "Pulumi.small.yaml").write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "private_serverless", "plan", "-s", "small", "--format", "json"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    last = (stderr.strip().splitlines() or [""])[-1]
    return process.returncode, elapsed, usage.ru_maxrss / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--random", type=int, default=0, help="generated files to add")
    args = parser.parse_args()
    project = stack_project(Path(tempfile.mkdtemp(prefix="small-stacks-")))
    cases = dict(CRAFTED)
    if args.random:
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        from fuzz.strategies import condition_stacks, stack_texts

        @settings(
            max_examples=args.random * 3,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.one_of(stack_texts(), condition_stacks()))
        def collect(data: bytes) -> None:
            text = data.decode("utf-8", errors="replace")
            if len(data) < 1024 and len(cases) < len(CRAFTED) + args.random:
                cases[f"generated {len(cases) - len(CRAFTED) + 1}"] = text

        collect()
    print("| stack file (< 1 KB) | bytes | exit | wall time | peak RSS | message |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    worst_time = worst_rss = 0.0
    slowest = ""
    codes: dict[int, int] = {}
    for name, text in cases.items():
        assert len(text.encode()) < 1024, name
        code, seconds, rss, last = run(project, text)
        if seconds > worst_time:
            slowest = f"{name} ({len(text.encode())} bytes, exit {code})"
        worst_time, worst_rss = max(worst_time, seconds), max(worst_rss, rss)
        codes[code] = codes.get(code, 0) + 1
        if not name.startswith("generated"):
            message = last.replace("|", "\\|")[:90]
            print(
                f"| {name} | {len(text.encode())} | {code} | {seconds:.2f} s | {rss:.0f} MiB "
                f"| {message} |",
                flush=True,
            )
    print(
        f"\n{len(cases)} files; exit codes {dict(sorted(codes.items()))}; "
        f"slowest {worst_time:.2f} s ({slowest}); largest peak RSS {worst_rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
