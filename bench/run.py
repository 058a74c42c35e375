"""Benchmark the components against the same resources declared with raw provider calls.

One run measures, for N services (half functions, half containers):

* ``components``: N ``PrivateFunction`` / ``PrivateContainer`` components;
* ``raw``: the very same custom resources (namespace, function or container with
  ``privacy=private`` and a secret environment variable, IAM application, expiring API key,
  IAM policy with the same rule) declared with ``pulumiverse_scaleway`` directly, the archive
  zipped by the same code, the same outputs derived.

Both run under the offline plan's mock runtime (:func:`run_plan`), so the harness cost is the
same and only what the program does differs. ``tests/test_bench_harness.py`` checks that both
variants register the same custom resources with the same inputs.

It also measures the import time of ``private_serverless`` against the provider modules it
uses, and the offline plan of a generated stack file of many services.

Every measurement runs in a fresh subprocess (``--worker``), so that one run's garbage, caches
and memory high-water mark do not leak into the next, and a run is what ``pulumi up`` does: a
fresh process running the program once. Imports happen before the clock starts (they are
measured separately). Memory is the growth of the process's peak RSS (``ru_maxrss``) during the
run, over the peak after imports: tracemalloc would slow the run it measures several times.

    python bench/run.py                       # sizes 1,10,100,1000; writes docs/benchmarks.*
    python bench/run.py --sizes 1,10,100 --repeat 3
    python bench/run.py --quick               # a smoke run in well under a minute
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS = ROOT / "components"
if str(COMPONENTS) not in sys.path:
    # The library under test is this checkout's, installed or not.
    sys.path.insert(0, str(COMPONENTS))

if TYPE_CHECKING:
    from private_serverless.plan.model import Plan

Variant = str
T = TypeVar("T")
VARIANTS: tuple[Variant, ...] = ("raw", "components")

# -- what every service looks like ---------------------------------------------------------------

PROJECT = "bench"
STACK = "bench"
REGION = "fr-par"
TAGS = ("bench",)
RUNTIME = "python312"
HANDLER = "handler.handle"
IMAGE = "rg.fr-par.scw.cloud/bench/api:1.0.0"
PORT = 8080
ENV = {"LOG_LEVEL": "info"}
SECRET_NAME = "DB_PASSWORD"
SECRET_VALUE = "bench-not-a-real-secret"
#: Files of the function source directory every function zips.
FUNCTION_SOURCE = {
    "handler.py": "def handle(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n",
    "lib/util.py": "VALUE = 1\n",
}

#: Registrations per service that the raw variant has too (namespace, function or container,
#: application, key, policy); the components add one: the component itself.
CUSTOM_PER_SERVICE = 5
COMPONENT_REGISTRATIONS_PER_SERVICE = 1


def service_name(index: int) -> str:
    """Even indexes are functions, odd ones containers: half and half."""
    return f"fn-{index:04d}" if is_function(index) else f"ct-{index:04d}"


def is_function(index: int) -> bool:
    return index % 2 == 0


def write_function_source(directory: Path) -> Path:
    """Write the function code once; every function of both variants zips this directory."""
    for relative, text in FUNCTION_SOURCE.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


# -- the two programs ----------------------------------------------------------------------------


def components_program(n: int, source_dir: Path, build_dir: Path) -> Callable[[], None]:
    """N services through the components, as a user would write them."""
    from private_serverless import (
        PrivateContainer,
        PrivateContainerArgs,
        PrivateFunction,
        PrivateFunctionArgs,
    )

    def program() -> None:
        for index in range(n):
            name = service_name(index)
            if is_function(index):
                PrivateFunction(
                    name,
                    PrivateFunctionArgs(
                        runtime=RUNTIME,
                        handler=HANDLER,
                        source_dir=source_dir,
                        build_dir=build_dir,
                        region=REGION,
                        tags=list(TAGS),
                        env=dict(ENV),
                        secrets={SECRET_NAME: SECRET_VALUE},
                    ),
                )
            else:
                PrivateContainer(
                    name,
                    PrivateContainerArgs(
                        image=IMAGE,
                        port=PORT,
                        region=REGION,
                        tags=list(TAGS),
                        env=dict(ENV),
                        secrets={SECRET_NAME: SECRET_VALUE},
                    ),
                )

    return program


def raw_program(n: int, source_dir: Path, build_dir: Path) -> Callable[[], None]:
    """The same resources with raw provider calls, inputs spelled out as the components do.

    The values are those the components compute from their defaults (memory, scaling, timeout,
    key expiry, names, descriptions): the smoke test compares every input of both variants.
    """
    import pulumi
    from private_serverless.access.key_rotation import expiry_timestamp
    from private_serverless.artifacts.archive import build_archive
    from private_serverless.core import limits
    from pulumiverse_scaleway import containers, functions, iam

    def portable(path: Path) -> str:
        # What PrivateFunction does: a path relative to the working directory when inside it.
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return str(path)

    def access(name: str, kind: str, permission_set: str, project_id: Any) -> pulumi.Output[Any]:
        application = iam.Application(
            f"{name}-app",
            name=f"{name}-{pulumi.get_stack()}-caller"[:64],
            description=f"Calls the private {kind} {name}.",
            tags=list(TAGS),
        )
        key = iam.ApiKey(
            f"{name}-key-gen0",
            application_id=application.id,
            description=f"{name} caller key, generation 0",
            default_project_id=project_id,
            expires_at=expiry_timestamp(90),
            opts=pulumi.ResourceOptions(
                ignore_changes=["expires_at"], replace_on_changes=["description"]
            ),
        )
        iam.Policy(
            f"{name}-policy",
            name=f"{name}-policy",
            description=f"Lets the callers of {name} invoke it.",
            application_id=application.id,
            rules=[
                iam.PolicyRuleArgs(permission_set_names=[permission_set], project_ids=[project_id])
            ],
        )
        return pulumi.Output.secret(key.secret_key)

    def function(name: str) -> None:
        archive = build_archive(source_dir, build_dir / f"{name}.zip")
        namespace = functions.Namespace(
            f"{name}-namespace",
            name=f"{name}-ns",
            description=f"Namespace of the private function {name}.",
            region=REGION,
            tags=list(TAGS),
        )
        created = functions.Function(
            f"{name}-function",
            name=name,
            namespace_id=namespace.id,
            privacy="private",
            runtime=RUNTIME,
            handler=HANDLER,
            memory_limit=256,
            timeout=300,
            min_scale=0,
            max_scale=5,
            http_option="redirected",
            environment_variables=dict(ENV),
            secret_environment_variables={SECRET_NAME: pulumi.Output.secret(SECRET_VALUE)},
            zip_file=portable(archive.path),
            zip_hash=archive.zip_hash,
            deploy=True,
            region=REGION,
            tags=list(TAGS),
        )
        access(name, "function", limits.FUNCTIONS_PRIVATE_ACCESS, namespace.project_id)
        # The outputs a user exports; the components derive the same ones.
        pulumi.Output.concat("https://", created.domain_name)

    def container(name: str) -> None:
        namespace = containers.Namespace(
            f"{name}-namespace",
            name=f"{name}-ns",
            description=f"Namespace of the private container {name}.",
            region=REGION,
            tags=list(TAGS),
        )
        created = containers.Container(
            f"{name}-container",
            name=name,
            namespace_id=namespace.id,
            privacy="private",
            image=IMAGE,
            port=PORT,
            protocol="http1",
            cpu_limit=140,
            memory_limit_bytes=256 * limits.BYTES_PER_MB,
            timeout=300,
            min_scale=0,
            max_scale=5,
            https_connections_only=True,
            environment_variables=dict(ENV),
            secret_environment_variables={SECRET_NAME: pulumi.Output.secret(SECRET_VALUE)},
            region=REGION,
            tags=list(TAGS),
        )
        access(name, "container", limits.CONTAINERS_PRIVATE_ACCESS, namespace.project_id)
        created.public_endpoint.apply(lambda url: "https://" + url.removeprefix("https://"))

    def program() -> None:
        for index in range(n):
            name = service_name(index)
            if is_function(index):
                function(name)
            else:
                container(name)

    return program


PROGRAMS: dict[Variant, Callable[[int, Path, Path], Callable[[], None]]] = {
    "raw": raw_program,
    "components": components_program,
}


def plan_services(variant: Variant, n: int, workdir: Path) -> Plan:
    """Run one variant's program for ``n`` services under the mock runtime (untimed helper).

    Archives go to an emptied ``workdir/build``, so every run zips and writes them as a first
    deployment from a clean checkout would.
    """
    from private_serverless.plan.runner import run_plan

    source_dir = write_function_source(workdir / "src")
    build_dir = _fresh_build_dir(workdir)
    with _cwd(workdir):
        return run_plan(PROGRAMS[variant](n, source_dir, build_dir), project=PROJECT, stack=STACK)


def _fresh_build_dir(workdir: Path) -> Path:
    # The same relative path for both variants (it is an input: zipFile), empty as on a clean
    # checkout, so every run zips and writes its archives.
    build_dir = workdir / "build"
    shutil.rmtree(build_dir, ignore_errors=True)
    return build_dir


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    # Archive paths are recorded relative to the working directory, as under `pulumi up`.
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


# -- one measurement (in a worker subprocess) ----------------------------------------------------


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _import_everything() -> None:
    """What both variants need, imported before the clock starts so only the run is timed."""
    import private_serverless
    import private_serverless.access.key_rotation
    import private_serverless.artifacts.archive
    import private_serverless.plan.runner  # noqa: F401
    import pulumi  # noqa: F401
    from pulumiverse_scaleway import containers, functions, iam  # noqa: F401


def worker_scale(variant: Variant, n: int, workdir: Path) -> dict[str, Any]:
    """Time one run of one variant for ``n`` services; the process is fresh."""
    from private_serverless.plan.runner import run_plan

    _import_everything()
    source_dir = write_function_source(workdir / "src")
    build_dir = _fresh_build_dir(workdir)
    program = PROGRAMS[variant](n, source_dir, build_dir)
    rss_before = _peak_rss_mib()
    with _cwd(workdir):
        start, cpu_start = time.perf_counter(), time.process_time()
        plan = run_plan(program, project=PROJECT, stack=STACK)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "resources": len(plan.resources),
        "custom_resources": sum(1 for _ in plan.custom_resources()),
        "waves": plan.waves,
        "peak_rss_mib": _peak_rss_mib(),
        "rss_growth_mib": _peak_rss_mib() - rss_before,
    }


def write_stack_project(directory: Path, n: int) -> Path:
    """A project directory with a ``bench`` stack file of ``n`` services, half and half."""
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    write_function_source(directory / "src")
    (directory / "Pulumi.yaml").write_text(
        "name: private-serverless\nruntime: python\nstackConfigDir: stacks\n", encoding="utf-8"
    )
    services: dict[str, dict[str, Any]] = {}
    for index in range(n):
        common: dict[str, Any] = {
            "env": dict(ENV),
            "secrets": {SECRET_NAME: "env:BENCH_DB_PASSWORD"},
        }
        if is_function(index):
            entry = {"kind": "function", "runtime": RUNTIME, "handler": HANDLER}
            entry["source_dir"] = "src"
        else:
            entry = {"kind": "container", "image": IMAGE, "port": PORT}
        services[service_name(index)] = entry | common
    document = {
        "config": {
            "scaleway:region": REGION,
            "private-serverless:defaults": {"region": REGION, "tags": list(TAGS)},
            "private-serverless:services": services,
        }
    }
    stacks = directory / "stacks"
    stacks.mkdir(exist_ok=True)
    (stacks / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return directory


def _time_stack_plan(
    stack: str, project_dir: Path, env_file: Path, environ: dict[str, str]
) -> dict[str, Any]:
    """Time the offline plan of ``stack`` in ``project_dir``: load the file, run, policy checks."""
    from private_serverless.plan.stack_plan import run_stack_plan
    from private_serverless.project.stack import load_offline_program

    _import_everything()
    import private_serverless.policies  # noqa: F401  # imported by the CLI before it plans

    def loader(name: str) -> tuple[Callable[[], None], dict[str, str], set[str]]:
        return load_offline_program(
            name, project_dir=project_dir, env_file=env_file, environ=environ
        )

    rss_before = _peak_rss_mib()
    with _cwd(project_dir):
        start = time.perf_counter()
        plan = run_stack_plan(stack, loader=loader)
        wall = time.perf_counter() - start
    return {
        "wall_s": wall,
        "resources": len(plan.resources),
        "custom_resources": sum(1 for _ in plan.custom_resources()),
        "waves": plan.waves,
        "findings": len(plan.findings),
        "peak_rss_mib": _peak_rss_mib(),
        "rss_growth_mib": _peak_rss_mib() - rss_before,
    }


def worker_stack_plan(project_dir: Path) -> dict[str, Any]:
    """The generated stack; its secret comes from the environment (the project has no .env)."""
    return _time_stack_plan(
        STACK, project_dir, project_dir / ".env", {"BENCH_DB_PASSWORD": SECRET_VALUE}
    )


#: The stacks this repository ships, planned as `tasks.py plan --stack S` plans them.
SHIPPED_STACKS = ("dev", "staging", "prod")


def worker_shipped_stack(stack: str) -> dict[str, Any]:
    """One of this repository's stacks, with ``.env.example``."""
    return _time_stack_plan(stack, ROOT, ROOT / ".env.example", {})


_PROVIDER_IMPORTS = (
    "import pulumi\nfrom pulumiverse_scaleway import account, containers, functions, iam, secrets\n"
)
#: What each import measurement imports: the library; the provider modules it uses; and two
#: references, not targets: those plus pydantic's ``BaseModel`` (which alone does not load
#: ``pydantic.fields``, ``pydantic.types`` or ``annotated_types``), and those plus the least any
#: pydantic argument model costs, one model with one ``Field`` defined (its schema deferred, as
#: the library's are). The second is the floor of a library whose arguments are pydantic models.
IMPORTS = {
    "components": "import private_serverless",
    "raw": _PROVIDER_IMPORTS,
    "raw+pydantic": _PROVIDER_IMPORTS + "from pydantic import BaseModel",
    "raw+pydantic-model": _PROVIDER_IMPORTS + "from pydantic import BaseModel, ConfigDict, Field\n"
    "class Args(BaseModel):\n"
    "    model_config = ConfigDict(defer_build=True)\n"
    "    value: int = Field(1, description='one field')\n",
}
IMPORT_VARIANTS: tuple[Variant, ...] = ("raw", "raw+pydantic", "raw+pydantic-model", "components")

# Run with `python -c`, not through this script, so that nothing this script imports (json,
# dataclasses, subprocess...) is already loaded when the clock starts.
_IMPORT_SNIPPET = """import time
start = time.perf_counter()
exec({statement!r}, {{}})
print('{{"wall_s": %r}}' % (time.perf_counter() - start))
"""


def import_command(variant: Variant) -> list[str]:
    """The fresh-process command that times one import of ``variant``."""
    return [sys.executable, "-c", _IMPORT_SNIPPET.format(statement=IMPORTS[variant])]


# -- orchestration -------------------------------------------------------------------------------


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    # The library of this checkout, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COMPONENTS), env.get("PYTHONPATH")]))
    # Measured as a user's runs are: bytecode written on the first (untimed) run, then read.
    # With PYTHONDONTWRITEBYTECODE set, every timed import would compile every module again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run_worker(args: Sequence[str], *, cwd: Path) -> dict[str, Any]:
    return _run([sys.executable, str(Path(__file__).resolve()), "--worker", *args], cwd=cwd)


def _run(command: Sequence[str], *, cwd: Path) -> dict[str, Any]:
    """Run a measurement in a fresh process; it prints its result as JSON on its last line."""
    result = subprocess.run(
        command, cwd=cwd, env=worker_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"measurement {command[1:]} failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@dataclass
class Row:
    """The median of repeated measurements of one thing."""

    section: str  # "scale", "import", "shipped" or "stack-plan"
    variant: Variant
    n: int | None
    repeats: int
    wall_s: float
    wall_s_min: float
    wall_s_max: float
    resources: int | None = None
    custom_resources: int | None = None
    waves: int | None = None
    rss_growth_mib: float | None = None
    peak_rss_mib: float | None = None
    cpu_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_service_ms(self) -> float | None:
        return None if not self.n else self.wall_s / self.n * 1000

    @property
    def per_resource_ms(self) -> float | None:
        return None if not self.resources else self.wall_s / self.resources * 1000

    @property
    def cpu_per_service_ms(self) -> float | None:
        return None if not self.n or self.cpu_s is None else self.cpu_s / self.n * 1000


def _summarise(section: str, variant: Variant, n: int | None, samples: list[dict[str, Any]]) -> Row:
    walls = [sample["wall_s"] for sample in samples]
    first = samples[0]
    for key in ("resources", "custom_resources", "waves"):
        # The program is deterministic: a count that changes between runs is a harness bug.
        values = {sample.get(key) for sample in samples}
        if len(values) > 1:
            raise RuntimeError(f"{section} {variant} n={n}: {key} varies between runs: {values}")

    def median_of(key: str) -> float | None:
        values = [sample[key] for sample in samples if key in sample]
        return statistics.median(values) if values else None

    return Row(
        section=section,
        variant=variant,
        n=n,
        repeats=len(samples),
        wall_s=statistics.median(walls),
        wall_s_min=min(walls),
        wall_s_max=max(walls),
        resources=first.get("resources"),
        custom_resources=first.get("custom_resources"),
        waves=first.get("waves"),
        rss_growth_mib=median_of("rss_growth_mib"),
        peak_rss_mib=median_of("peak_rss_mib"),
        cpu_s=median_of("cpu_s"),
        extra={key: first[key] for key in ("findings",) if key in first},
    )


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rotated(items: Sequence[T], attempt: int) -> list[T]:
    """``items`` in the order of round ``attempt``: each round starts one further along, so that
    over ``len(items)`` rounds every item runs once in every position. A fixed order would put
    one variant always after the other, and a machine that slows down (or speeds up) during
    the benchmark would bias their ratio."""
    shift = attempt % len(items)
    return [*items[shift:], *items[:shift]]


def measure_scale(
    sizes: Sequence[int], repeat: int, max_repeat_large: int, workdir: Path
) -> list[Row]:
    """Every size and both variants in every round, the sizes and the variants each round in
    another order (:func:`rotated`), so that a machine that drifts during the benchmark biases
    neither the ratio of the variants nor the cost per service against N."""
    samples: dict[tuple[int, Variant], list[dict[str, Any]]] = {
        (n, variant): [] for n in sizes for variant in VARIANTS
    }

    def repeats_of(n: int) -> int:
        return repeat if n < 1000 else min(repeat, max_repeat_large)

    for attempt in range(repeat):
        due = [n for n in sizes if attempt < repeats_of(n)]
        for n in rotated(due, attempt):
            for variant in rotated(VARIANTS, attempt):
                run_dir = Path(tempfile.mkdtemp(prefix=f"{variant}-{n}-", dir=workdir))
                sample = _run_worker(["scale", variant, str(n), str(run_dir)], cwd=run_dir)
                samples[(n, variant)].append(sample)
                shutil.rmtree(run_dir, ignore_errors=True)
                _log(
                    f"  N={n:<5} {variant:<10} run {attempt + 1}/{repeats_of(n)}: "
                    f"{sample['wall_s']:.3f} s, {sample['resources']} resources"
                )
    return [
        _summarise("scale", variant, n, samples[(n, variant)])
        for n in sizes
        for variant in VARIANTS
    ]


def measure_imports(repeat: int, workdir: Path) -> list[Row]:
    """Import time of the library and of the provider modules, alternating, fresh processes."""
    samples: dict[Variant, list[dict[str, Any]]] = {variant: [] for variant in IMPORT_VARIANTS}
    # One untimed round first: the first import after a checkout compiles bytecode.
    for variant in IMPORT_VARIANTS:
        _run(import_command(variant), cwd=workdir)
    for attempt in range(repeat):
        for variant in rotated(IMPORT_VARIANTS, attempt):
            samples[variant].append(_run(import_command(variant), cwd=workdir))
    rows = [_summarise("import", variant, None, samples[variant]) for variant in IMPORT_VARIANTS]
    for row in rows:
        _log(f"  import {row.variant:<12} {row.wall_s * 1000:.0f} ms (median of {row.repeats})")
    return rows


def measure_stack_plan(n: int, repeat: int, workdir: Path) -> Row:
    """The offline plan of a generated stack file of ``n`` services."""
    project_dir = write_stack_project(workdir / f"stack-{n}", n)
    samples = []
    for attempt in range(repeat):
        shutil.rmtree(project_dir / ".private-serverless", ignore_errors=True)
        sample = _run_worker(["stack-plan", str(project_dir)], cwd=project_dir)
        samples.append(sample)
        _log(f"  stack plan N={n} run {attempt + 1}/{repeat}: {sample['wall_s']:.3f} s")
    return _summarise("stack-plan", "components", n, samples)


def measure_shipped_stacks(repeat: int, workdir: Path) -> list[Row]:
    """The offline plan of each shipped stack, stacks alternating."""
    samples: dict[str, list[dict[str, Any]]] = {stack: [] for stack in SHIPPED_STACKS}
    for _ in range(repeat):
        for stack in SHIPPED_STACKS:
            samples[stack].append(_run_worker(["shipped", stack], cwd=workdir))
    rows = [_summarise("shipped", stack, None, samples[stack]) for stack in SHIPPED_STACKS]
    for row in rows:
        _log(f"  stack {row.variant:<8} {_seconds(row.wall_s)} (median of {row.repeats})")
    return rows


# -- reporting -----------------------------------------------------------------------------------

CSV_FIELDS = (
    "section",
    "variant",
    "n",
    "repeats",
    "wall_s",
    "wall_s_min",
    "wall_s_max",
    "resources",
    "custom_resources",
    "per_service_ms",
    "per_resource_ms",
    "waves",
    "rss_growth_mib",
    "peak_rss_mib",
    "cpu_s",
    "cpu_per_service_ms",
)


def write_csv(rows: Sequence[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            values = asdict(row) | {
                "per_service_ms": row.per_service_ms,
                "per_resource_ms": row.per_resource_ms,
                "cpu_per_service_ms": row.cpu_per_service_ms,
            }
            writer.writerow({key: _csv_value(values.get(key)) for key in CSV_FIELDS})


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else value


def _by(rows: Sequence[Row], section: str) -> dict[tuple[Variant, int | None], Row]:
    return {(row.variant, row.n): row for row in rows if row.section == section}


def markdown_table(rows: Sequence[Row]) -> str:
    """The table for the README: per size, both variants and their ratios."""
    scale = _by(rows, "scale")
    sizes = sorted({n for (_, n) in scale if n is not None})
    lines = [
        "| N services | variant | resources | wall time | per service | per resource "
        "| CPU per service | peak RSS growth | deploy waves |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in sizes:
        raw, comp = scale[("raw", n)], scale[("components", n)]
        for row in (raw, comp):
            lines.append(
                f"| {n} | {row.variant} | {row.resources} | {_seconds(row.wall_s)} "
                f"| {row.per_service_ms:.2f} ms | {row.per_resource_ms:.3f} ms "
                f"| {_ms(row.cpu_per_service_ms)} | {row.rss_growth_mib:.1f} MiB | {row.waves} |"
            )
        lines.append(
            f"| {n} | **ratio** | | **{comp.wall_s / raw.wall_s:.2f}** "
            f"| **{_ratio(comp.per_service_ms, raw.per_service_ms)}** "
            f"| **{_ratio(comp.per_resource_ms, raw.per_resource_ms)}** "
            f"| {_ratio(comp.cpu_per_service_ms, raw.cpu_per_service_ms)} "
            f"| {_ratio(comp.rss_growth_mib, raw.rss_growth_mib)} | |"
        )
    if 100 in sizes and len(sizes) > 1:
        # Per-service cost against N: flat is the target (issue 25: N = 1000 <= 1.15 x N = 100).
        lines += [
            "",
            "| N services | raw per service | vs N = 100 | components per service | vs N = 100 |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        base_raw = scale[("raw", 100)].per_service_ms
        base_comp = scale[("components", 100)].per_service_ms
        for n in sizes:
            raw, comp = scale[("raw", n)], scale[("components", n)]
            lines.append(
                f"| {n} | {raw.per_service_ms:.2f} ms | {_ratio(raw.per_service_ms, base_raw)} "
                f"| {comp.per_service_ms:.2f} ms | {_ratio(comp.per_service_ms, base_comp)} |"
            )
    imports = _by(rows, "import")
    if imports:
        raw_import, comp_import = imports[("raw", None)], imports[("components", None)]
        lines += [
            "",
            "| import (fresh process, median) | time | vs provider |",
            "| --- | ---: | ---: |",
            "| `pulumi` + `pulumiverse_scaleway` account, containers, functions, iam, secrets "
            f"| {raw_import.wall_s * 1000:.0f} ms | 1.00 |",
        ]
        for variant, label in (
            ("raw+pydantic", "the same + `from pydantic import BaseModel` (reference)"),
            ("raw+pydantic-model", "the same + one pydantic model with one `Field` (the floor)"),
        ):
            reference = imports.get((variant, None))
            if reference is not None:
                lines.append(
                    f"| {label} | {reference.wall_s * 1000:.0f} ms "
                    f"| {reference.wall_s / raw_import.wall_s:.2f} |"
                )
        lines.append(
            f"| `private_serverless` | {comp_import.wall_s * 1000:.0f} ms "
            f"| **{comp_import.wall_s / raw_import.wall_s:.2f}** |"
        )
    shipped = [row for row in rows if row.section == "shipped"]
    if shipped:
        lines += [
            "",
            "| shipped stack (offline plan, median) | resources | wall time | per resource |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {row.variant} | {row.resources} | {_seconds(row.wall_s)} "
            f"| {row.per_resource_ms:.1f} ms |"
            for row in shipped
        ]
    stack = [row for row in rows if row.section == "stack-plan"]
    for row in stack:
        lines += [
            "",
            f"Offline plan of a generated stack file of {row.n} services (load the file, run, "
            f"policy checks): **{_seconds(row.wall_s)}** (median of {row.repeats}), "
            f"{row.resources} resources, {row.waves} deploy waves, "
            f"peak RSS growth {row.rss_growth_mib:.0f} MiB.",
        ]
    return "\n".join(lines)


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "n/a"
    return f"{value / base:.2f}"


def plot(rows: Sequence[Row], path: Path) -> bool:
    """Wall time against N, log-log, both variants; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        _log("matplotlib is not installed (pip install -e '.[bench]'): no plot written")
        return False
    scale = _by(rows, "scale")
    sizes = sorted({n for (_, n) in scale if n is not None})
    figure, axes = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    for variant, marker in (("raw", "s"), ("components", "o")):
        times = [scale[(variant, n)].wall_s for n in sizes]
        axes.plot(sizes, times, marker=marker, label=variant)
    if len(sizes) > 1:
        # A linear-growth guide through the raw variant's largest point.
        anchor = scale[("raw", sizes[-1])].wall_s / sizes[-1]
        axes.plot(sizes, [anchor * n for n in sizes], "k:", linewidth=0.8, label="linear")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("services (half functions, half containers)")
    axes.set_ylabel("wall time of the offline plan run (s)")
    axes.set_title("private-serverless components vs raw provider calls")
    axes.grid(True, which="both", linewidth=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Software": None})  # no version stamp: stable diffs
    plt.close(figure)
    return True


# -- command line --------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 1,10,100")
    return sizes


def _worker_main(argv: Sequence[str]) -> None:
    kind, *rest = argv
    if kind == "scale":
        variant, n, workdir = rest
        result = worker_scale(variant, int(n), Path(workdir))
    elif kind == "stack-plan":
        result = worker_stack_plan(Path(rest[0]))
    elif kind == "shipped":
        result = worker_shipped_stack(rest[0])
    else:
        raise SystemExit(f"unknown worker {kind!r}")
    print(json.dumps(result))


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        _worker_main(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[1, 10, 100, 1000],
        help="numbers of services (default 1,10,100,1000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per size and variant; the median is reported (default 3)",
    )
    parser.add_argument(
        "--repeat-large",
        type=int,
        default=3,
        help="at most this many runs for N >= 1000, which take ~20 s each (default 3)",
    )
    parser.add_argument(
        "--import-repeat", type=int, default=7, help="fresh-process imports per variant (default 7)"
    )
    parser.add_argument(
        "--stack-services",
        type=int,
        default=1000,
        help="services in the generated stack file; 0 skips it (default 1000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: sizes 1,10,100, one run each, 100-service stack",
    )
    parser.add_argument("--csv", type=Path, default=ROOT / "docs" / "benchmarks.csv")
    parser.add_argument("--png", type=Path, default=ROOT / "docs" / "benchmarks.png")
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="print the table only; do not write the CSV and the plot",
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.sizes = [1, 10, 100]
        options.repeat = 1
        options.import_repeat = 3
        options.stack_services = 100

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="private-serverless-bench-") as temp:
        workdir = Path(temp)
        _log("import time:")
        rows = measure_imports(options.import_repeat, workdir)
        _log("scaling:")
        rows += measure_scale(options.sizes, options.repeat, options.repeat_large, workdir)
        _log("shipped stacks:")
        rows += measure_shipped_stacks(options.repeat, workdir)
        if options.stack_services > 0:
            _log("stack file plan:")
            stack_repeat = (
                options.repeat
                if options.stack_services < 1000
                else min(options.repeat, options.repeat_large)
            )
            rows.append(measure_stack_plan(options.stack_services, stack_repeat, workdir))
    table = markdown_table(rows)
    print(table)
    if not options.no_write:
        write_csv(rows, options.csv)
        _log(f"wrote {options.csv}")
        if plot(rows, options.png):
            _log(f"wrote {options.png}")
    _log(f"benchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
