"""Benchmark the function archive: first build, unchanged and one-file-changed rebuilds, memory.

On a generated source folder shaped like a function with vendored dependencies (default about
50 MB in 1,300 files: Python-like text, which deflate compresses, and random bytes standing
for native libraries and wheels, which it does not), it measures:

* ``first build``: no archive on disk (fingerprint + compression, one read of every file);
* ``unchanged rebuild``: the archive is on disk and the sources are the same (one hash pass);
* ``one file changed``: one text file edited (hash pass, then a full compression);
* ``zip -r -6``: Info-ZIP on the same folder at the same deflate level, for reference
  (skipped, with a note, when ``zip`` is not installed);
* deflate levels 1, 3, 6 and 9 for the first build: time and archive size (how the level in
  ``archive.COMPRESS_LEVEL`` was chosen);
* peak memory of a first build for two source sizes: tracemalloc's peak (every Python and
  zlib allocation) and the growth of the process's peak RSS, each in a fresh process.

Every timed build runs in a fresh subprocess (``--worker``), the clock around the library call
only; the source folder is in the page cache for every variant alike (each is run once
untimed first), and earlier writes are flushed (``sync``) before each timed run, so that no run
pays for the previous one's disk writeback. Wall and CPU time (user + system) are reported:
on a shared machine CPU time is the steadier of the two. Medians of ``--repeat`` runs, the
variants interleaved round by round.

    python bench/archive.py                 # ~50 MB, 1,300 files, 3 repeats; prints markdown
    python bench/archive.py --mb 20 --files 500 --repeat 1     # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT / "components"
if str(COMPONENTS) not in sys.path:
    sys.path.insert(0, str(COMPONENTS))

#: Share of the bytes that are incompressible (vendored native code, wheels, images).
BINARY_SHARE = 0.4
#: Share of the files that are binary: few, large ones, as in real dependency folders.
BINARY_FILES_SHARE = 0.08


# -- the source folder -------------------------------------------------------------------------


def _line_pool(rnd: random.Random) -> list[str]:
    words = [
        "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz_", k=rnd.randint(3, 12)))
        for _ in range(300)
    ]
    templates = (
        "    {a} = {b}({c}, {d}=None)",
        "def {a}({b}, {c}):",
        "        return self.{a}.{b}({c})",
        "    if {a} is not None and {b}:",
        "class {A}({B}):",
        '    """{a} {b} {c} {d} {a}."""',
        "from .{a} import {b}, {c}",
        "        for {a} in {b}.{c}():",
        "    raise {A}Error(f'{a} {b}: {{{c}}}')",
        "        {a}[{b}] = {c} + {d} * 2",
    )
    pool = []
    for _ in range(6000):
        a, b, c, d = rnd.sample(words, 4)
        pool.append(rnd.choice(templates).format(a=a, b=b, c=c, d=d, A=a.title(), B=b.title()))
    return pool


def generate(directory: Path, total_mb: float, files: int, seed: int = 7) -> dict[str, float]:
    """A deterministic source folder: ``files`` files, about ``total_mb`` MB."""
    rnd = random.Random(seed)
    pool = _line_pool(rnd)
    total = int(total_mb * 1_000_000)
    n_binary = max(1, int(files * BINARY_FILES_SHARE))
    n_text = files - n_binary
    binary_bytes = int(total * BINARY_SHARE)
    text_bytes = total - binary_bytes
    (directory / "handler.py").write_text("def handle(event, context):\n    return {}\n")
    for index in range(n_text - 1):
        path = directory / "package" / f"lib{index % 40:02d}" / f"module_{index:04d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        size = int(text_bytes / n_text * rnd.uniform(0.2, 1.8))
        lines: list[str] = []
        length = 0
        while length < size:
            line = rnd.choice(pool)
            lines.append(line)
            length += len(line) + 1
        path.write_text("\n".join(lines) + "\n")
    for index in range(n_binary):
        path = directory / "package" / f"lib{index % 40:02d}" / f"_native_{index:03d}.so"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rnd.randbytes(int(binary_bytes / n_binary * rnd.uniform(0.5, 1.5))))
    sizes = [p.stat().st_size for p in directory.rglob("*") if p.is_file()]
    return {"files": len(sizes), "mb": sum(sizes) / 1_000_000}


# -- measurements (each in a fresh process) ------------------------------------------------------


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def worker(args: argparse.Namespace) -> None:
    from private_serverless.artifacts import archive

    if args.level is not None:
        archive.COMPRESS_LEVEL = args.level  # type: ignore[misc]
    source, destination = Path(args.source), Path(args.destination)
    if args.mode == "memory":
        import tracemalloc

        tracemalloc.start()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    built = archive.build_archive(source, destination)
    elapsed = time.perf_counter() - start
    result: dict[str, Any] = {
        "seconds": elapsed,
        "cpu": _cpu(resource.RUSAGE_SELF) - cpu_before,
        "size": built.size,
        "reused": built.reused,
        "rss_growth_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline,
    }
    if args.mode == "memory":
        result["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
    print(json.dumps(result))


def settle() -> None:
    """Flush earlier writes, so that no run pays for the previous one's disk writeback."""
    os.sync()


def run_worker(
    source: Path, destination: Path, *, level: int | None = None, mode: str = "time"
) -> dict[str, Any]:
    settle()
    command = [sys.executable, __file__, "--worker", mode, str(source), str(destination)]
    if level is not None:
        command += ["--level", str(level)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def fresh(destination: Path) -> None:
    shutil.rmtree(destination.parent, ignore_errors=True)


def time_zip(source: Path, out: Path) -> tuple[float, float] | None:
    """Wall and CPU seconds of ``zip -r -6`` on ``source``; None without ``zip``."""
    if shutil.which("zip") is None:
        return None
    out.unlink(missing_ok=True)
    settle()
    cpu_before = _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["zip", "-r", "-6", "-q", "-X", str(out), "."], cwd=source, check=True)
    return time.perf_counter() - start, _cpu(resource.RUSAGE_CHILDREN) - cpu_before


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench(source: Path, work: Path, repeat: int) -> dict[str, Any]:
    """Wall and CPU seconds (medians) of each kind of build, rounds interleaved."""
    destination = work / "build" / "fn.zip"
    edited = next(iter(sorted((source / "package").rglob("module_*.py"))))
    original = edited.read_bytes()
    # One untimed round: page cache warm for every variant alike.
    fresh(destination)
    run_worker(source, destination)
    time_zip(source, work / "ref.zip")
    runs: dict[str, list[tuple[float, float]]] = {"first": [], "unchanged": [], "changed": []}
    zip_runs: list[tuple[float, float]] = []
    size = 0
    for round_ in range(repeat):
        fresh(destination)
        result = run_worker(source, destination)
        assert not result["reused"]
        runs["first"].append((result["seconds"], result["cpu"]))
        size = result["size"]
        result = run_worker(source, destination)
        assert result["reused"]
        runs["unchanged"].append((result["seconds"], result["cpu"]))
        edited.write_bytes(original + f"# edit {round_}\n".encode())
        result = run_worker(source, destination)
        assert not result["reused"]
        runs["changed"].append((result["seconds"], result["cpu"]))
        edited.write_bytes(original)
        zipped = time_zip(source, work / "ref.zip")
        if zipped is not None:
            zip_runs.append(zipped)
    timing: dict[str, Any] = {
        key: (median([w for w, _ in values]), median([c for _, c in values]))
        for key, values in runs.items()
    }
    timing["zip"] = (
        (median([w for w, _ in zip_runs]), median([c for _, c in zip_runs])) if zip_runs else None
    )
    timing["zip_size"] = (work / "ref.zip").stat().st_size if zip_runs else None
    timing["size"] = size
    return timing


def levels(source: Path, work: Path, repeat: int) -> list[tuple[int, float, float, int]]:
    """First build at each deflate level; rounds interleaved so that load hits all alike."""
    chosen = (1, 3, 6, 9)
    times: dict[int, list[tuple[float, float]]] = {level: [] for level in chosen}
    sizes: dict[int, int] = {}
    for _ in range(repeat):
        for level in chosen:
            destination = work / f"level{level}" / "fn.zip"
            fresh(destination)
            result = run_worker(source, destination, level=level)
            times[level].append((result["seconds"], result["cpu"]))
            sizes[level] = result["size"]
    return [
        (
            level,
            median([w for w, _ in times[level]]),
            median([c for _, c in times[level]]),
            sizes[level],
        )
        for level in chosen
    ]


def memory(work: Path, sizes_mb: list[float], files: int) -> list[dict[str, Any]]:
    """Peak memory of a first build for sources of the same file count and different sizes.

    Same count, because the zip format's central directory (one record per file, kept in
    memory until the archive is closed) grows with the number of files, not with their size.
    """
    rows = []
    for mb in sizes_mb:
        source = work / f"mem{mb:g}"
        source.mkdir()
        shape = generate(source, mb, files, seed=11)
        destination = work / f"mem{mb:g}-build" / "fn.zip"
        traced = run_worker(source, destination, mode="memory")
        fresh(destination)
        rss = run_worker(source, destination)
        rows.append(
            {
                "mb": shape["mb"],
                "files": shape["files"],
                "archive": traced["size"],
                "tracemalloc_peak": traced["tracemalloc_peak"],
                "rss_growth_kib": rss["rss_growth_kib"],
            }
        )
        shutil.rmtree(source)
    return rows


def report(
    shape: dict[str, float],
    timing: dict[str, Any],
    level_rows: list[tuple[int, float, float, int]],
    mem_rows: list[dict[str, Any]],
) -> str:
    lines = [
        f"Source folder: {shape['files']:.0f} files, {shape['mb']:.1f} MB "
        f"({BINARY_SHARE:.0%} of the bytes incompressible).",
        "",
        "| build | wall time | CPU time | vs first build (wall / CPU) "
        "| vs `zip -r -6` (wall / CPU) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    first_wall, first_cpu = timing["first"]
    zipped = timing["zip"]
    for label, key in (
        ("first build (no archive on disk)", "first"),
        ("unchanged rebuild (hash pass only)", "unchanged"),
        ("one file changed (hash pass + compression)", "changed"),
    ):
        wall, cpu = timing[key]
        versus_zip = f"{wall / zipped[0]:.2f} / {cpu / zipped[1]:.2f}" if zipped else "n/a"
        lines.append(
            f"| {label} | {wall:.3f} s | {cpu:.3f} s | {wall / first_wall:.1%} / "
            f"{cpu / first_cpu:.1%} | {versus_zip} |"
        )
    if zipped:
        lines.append(
            f"| `zip -r -6 -q -X` (Info-ZIP), same folder | {zipped[0]:.3f} s | "
            f"{zipped[1]:.3f} s | | 1.00 / 1.00 |"
        )
        lines += [
            "",
            f"Archive size: {timing['size'] / 1e6:.2f} MB (ours, level 6), "
            f"{timing['zip_size'] / 1e6:.2f} MB (`zip -r -6`).",
        ]
    else:
        lines += ["", "`zip` is not installed: the comparison with `zip -r -6` was skipped."]
    lines += [
        "",
        "| deflate level | first build, wall | first build, CPU | archive size |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for level, wall, cpu, size in level_rows:
        lines.append(f"| {level} | {wall:.3f} s | {cpu:.3f} s | {size / 1e6:.2f} MB |")
    lines += [
        "",
        "| sources | files | archive | tracemalloc peak | peak RSS growth |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in mem_rows:
        lines.append(
            f"| {row['mb']:.1f} MB | {row['files']} | {row['archive'] / 1e6:.1f} MB | "
            f"{row['tracemalloc_peak'] / 1024:.0f} KiB | {row['rss_growth_kib'] / 1024:.1f} MiB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "SOURCE", "DESTINATION"))
    parser.add_argument("--level", type=int)
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--files", type=int, default=1300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-sizes", default="25,100", help="MB, comma-separated")
    parser.add_argument("--memory-files", type=int, default=325, help="files in each")
    args = parser.parse_args()
    if args.worker:
        args.mode, args.source, args.destination = args.worker
        worker(args)
        return
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as temp:
        work = Path(temp)
        source = work / "src"
        source.mkdir()
        shape = generate(source, args.mb, args.files)
        timing = bench(source, work, args.repeat)
        level_rows = levels(source, work, args.repeat)
        mem_rows = memory(work, [float(s) for s in args.memory_sizes.split(",")], args.memory_files)
    print(report(shape, timing, level_rows, mem_rows))


if __name__ == "__main__":
    main()
