"""The examples of issue 23, each run once through the real command line.

    .venv/bin/python fuzz/crafted_examples.py

Every example is one ``python -m private_serverless ...`` command (plan, plan --against, audit,
condition check) in a temporary project (the library's stack program, containers named by an
image, so no source directory). The script prints a Markdown table: the command, its exit code,
the expected one, the first output line naming the key path or finding, whether the planted
value appears anywhere in stdout or stderr, and the wall time. It exits 1 when a row differs
from what the issue asks (exit code, key path or finding, value echoed, or over 2 s for the
slow list condition). No network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "rg.fr-par.scw.cloud/ns/api:1"
PROJECT = "11111111-1111-4111-8111-111111111111"
OTHER_PROJECT = "33333333-3333-4333-8333-333333333333"
NAMESPACE = "fr-par/44444444-4444-4444-8444-444444444444"
IP = 'inIpRange(request.ip, "198.51.100.0/24")'
# Planted values: random-looking, so that an echo anywhere is unambiguous.
TOKEN = "a1PlantedT0kenQx7Zr9Wm2Kd"
SECRET = "pl4nted-S3cret-Vk82Jq"
PLAIN_LOOKING = "orangejuice42planted"  # no credential by its form: only the name says so
LIST_CONDITION = (
    "request.user_agent in ["
    + ",".join(f'"ua{i:02d}"' for i in range(26))
    + "] || size(request.user_agent) in ["
    + ",".join(str(n) for n in range(100, 200))
    + "]"
)


def _mixed_atom(index: int) -> str:
    kinds = [
        f'inIpRange(request.ip, "198.51.{index % 250}.0/24")',
        f'request.user_agent.contains("client-{index}")',
        f"request.time.getHours() == {index % 24}",
        f'request.time.getMinutes("+05:30") == {index % 60}',
    ]
    return kinds[index % len(kinds)]


# Conjunctions over every variable: one part past the analysis' combination cap, then `true`.
PAST_THE_CAP = " || ".join(
    [
        *("(" + " && ".join(_mixed_atom(4 * i + k) for k in range(4)) + ")" for i in range(11)),
        "true",
    ]
)
RESTRICTS_NOTHING = "restricts nothing"


@dataclass
class Example:
    """One row: what to run, what the issue expects of it."""

    name: str
    command: list[str]
    expected: set[int]
    needle: str  # the key path or finding the output must name
    planted: tuple[str, ...] = ()
    cwd: str = "main"
    timed: bool = False
    prepare: Callable[[Path], None] | None = None
    result: dict[str, Any] = field(default_factory=dict)


# --- the temporary projects ---------------------------------------------------------------


def _project(root: Path, name: str = "private-serverless") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (root / "__main__.py").write_text(
        "from private_serverless.project.stack.program import main\n\nmain()\n"
    )
    (root / ".env").write_text("API_TOKEN_VALUE=example-token-value\n")
    return root


def _stack(root: Path, stack: str, services: dict[str, Any], **config: Any) -> str:
    project = yaml.safe_load((root / "Pulumi.yaml").read_text())["name"]
    body: dict[str, Any] = {"scaleway:region": "fr-par"}
    for key, value in config.items():
        body[key.replace("__", ":")] = value
    if services:
        body[f"{project}:services"] = services
    (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": body}, sort_keys=False))
    return stack


def _container(**extra: Any) -> dict[str, Any]:
    return {"kind": "container", "image": IMAGE, **extra}


def _plan(stack: str, *extra: str) -> list[str]:
    return ["plan", "--stack", stack, *extra]


# --- audit exports ------------------------------------------------------------------------

STACK_URN = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"


def _resource(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    deps: tuple[str, ...] = (),
    parent: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """One resource of an export, a child of the component ``parent`` (type, name) if given."""
    chain = f"{parent[0]}${type_}" if parent else type_
    return {
        "urn": f"urn:pulumi:dev::shop::{chain}::{name}",
        "custom": True,
        "id": f"fr-par/{name}-id",
        "type": type_,
        "inputs": inputs,
        "outputs": inputs,
        "parent": f"urn:pulumi:dev::shop::{parent[0]}::{parent[1]}" if parent else STACK_URN,
        "dependencies": list(deps),
        "propertyDependencies": {},
    }


def _export(resources: list[dict[str, Any]]) -> dict[str, Any]:
    stack = {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}}
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-20T10:00:00Z", "magic": "x", "version": "v3.272.0"},
            "resources": [stack, *resources],
        },
    }


SHARED_NAMESPACE = _resource("scaleway:functions/namespace:Namespace", "shared-ns", {"name": "ns"})


def _service(
    name: str, project: str, condition: str | None, expires: str = "2027-01-15T00:00:00Z"
) -> list[dict[str, Any]]:
    """A PrivateFunction as the component records it: its function in the shared namespace
    (which names no project: the provider's default one), its application, key and policy on
    the functions of ``project``."""
    component_type = "private-serverless:index:PrivateFunction"
    component = {
        "urn": f"urn:pulumi:dev::shop::{component_type}::{name}",
        "custom": False,
        "type": component_type,
        "parent": STACK_URN,
        "inputs": {},
        "outputs": {},
    }
    parent = (component_type, name)
    function = _resource(
        "scaleway:functions/function:Function",
        name,
        {"privacy": "private", "namespaceId": "fr-par/shared-ns-id", "httpOption": "redirected"},
        (SHARED_NAMESPACE["urn"],),
        parent,
    )
    app_id = f"fr-par/{name}-caller-id"
    app = _resource(
        "scaleway:iam/application:Application",
        f"{name}-caller",
        {"name": f"{name}-caller"},
        parent=parent,
    )
    key = _resource(
        "scaleway:iam/apiKey:ApiKey",
        f"{name}-caller-key",
        {"applicationId": app_id, "expiresAt": expires},
        (app["urn"],),
        parent,
    )
    rule: dict[str, Any] = {
        "permissionSetNames": ["FunctionsPrivateAccess"],
        "projectIds": [project],
    }
    if condition is not None:
        rule["condition"] = condition
    policy = _resource(
        "scaleway:iam/policy:Policy",
        f"{name}-caller-access",
        {"applicationId": app_id, "rules": [rule]},
        (app["urn"],),
        parent,
    )
    return [component, function, app, key, policy]


def _outside_grant(name: str, project: str) -> list[dict[str, Any]]:
    """An application and a policy written by hand at the stack's top level, on functions of
    another project: one more project id that nothing in the export explains."""
    app = _resource("scaleway:iam/application:Application", name, {"name": name})
    rule = {"permissionSetNames": ["FunctionsPrivateAccess"], "projectIds": [project]}
    policy = _resource(
        "scaleway:iam/policy:Policy",
        f"{name}-access",
        {"applicationId": f"fr-par/{name}-id", "rules": [{**rule, "condition": IP}]},
        (app["urn"],),
    )
    return [app, policy]


def _write_export(name: str, resources: list[dict[str, Any]]) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / name).write_text(json.dumps(_export(resources), indent=1))

    return write


# --- the examples ---------------------------------------------------------------------------


def examples(main: Path, acme: Path, consumer: Path) -> list[Example]:
    """Every example of the issue, in its order."""
    return [
        *_secrets(main),
        *_against(main),
        *_crashes_and_matrix(main),
        *_conditions_and_guardrails(main, acme, consumer),
    ]


def _secrets(main: Path) -> list[Example]:
    rows: list[Example] = []

    def env_case(name: str, var: str, value: str, planted: str) -> None:
        stack = _stack(main, name.split(maxsplit=1)[0], {"api": _container(env={var: value})})
        rows.append(
            Example(name, _plan(stack), {2}, f"services.api.env: {var}", planted=(planted,))
        )

    # Secrets inside structured plain values, and credential names.
    env_case(
        "otel Authorization=Bearer",
        "OTEL_EXPORTER_OTLP_HEADERS",
        f"x-tenant=acme,Authorization=Bearer {TOKEN}",
        TOKEN,
    )
    env_case(
        "jdbc password= query",
        "DATABASE_URL",
        f"jdbc:postgresql://db.internal:5432/app?user=app&password={SECRET}",
        SECRET,
    )
    env_case(
        "libpq keyword DSN",
        "DATABASE_SETTINGS",
        f"host=db.internal port=5432 dbname=app user=app password={SECRET}",
        SECRET,
    )
    env_case(
        "json password field",
        "APP_CONFIG",
        json.dumps({"db": {"host": "db.internal", "password": SECRET}}),
        SECRET,
    )
    stack = _stack(main, "args", {"api": _container(args=["serve", f"--db-password={SECRET}"])})
    rows.append(
        Example("--db-password= in args", _plan(stack), {2}, "services.api: args[1]", (SECRET,))
    )
    curl = f"curl -fsS -H 'Authorization: Bearer {TOKEN}' https://billing.internal/run"
    stack = _stack(main, "curl", {"api": _container(command=["sh", "-c", curl])})
    rows.append(
        Example("bearer header in curl", _plan(stack), {2}, "services.api: command[2]", (TOKEN,))
    )
    cron = {"nightly": {"schedule": "0 2 * * *", "args": {"report": "daily", "auth": SECRET}}}
    stack = _stack(main, "cron", {"api": _container(schedules=cron)})
    rows.append(
        Example(
            "auth field in cron args",
            _plan(stack),
            {2},
            "services.api.schedules.nightly: args.auth",
            (SECRET,),
        )
    )
    for var in ("DB_PW", "DB_CREDS", "AUTH"):
        env_case(f"{var} name", var, PLAIN_LOOKING, PLAIN_LOOKING)

    return rows


def _against(main: Path) -> list[Example]:
    """plan --against a base file holding values in clear: under the secret input, and as the
    key output (the head rotates the key, so the output changes and is printed)."""
    api = _container(secrets={"API_TOKEN": "env:API_TOKEN_VALUE"})
    _stack(main, "againstbase", {"api": api})
    stack = _stack(main, "against", {"api": {**api, "access": {"key_generation": 1}}})

    def craft_base(root: Path) -> None:
        out = subprocess.run(
            [sys.executable, "-m", "private_serverless", *_plan("againstbase", "--format", "json")],
            cwd=root,
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        base = json.loads(out.replace("againstbase", "against"))
        for resource in base["resources"]:
            if resource["name"] == "api-container":
                resource["inputs"]["secretEnvironmentVariables"] = {"API_TOKEN": SECRET}
        base["outputs"]["api_api_key"] = TOKEN
        base["outputs"]["services"]["api"]["api_key"] = TOKEN
        (root / "base.json").write_text(json.dumps(base))

    return [
        Example(
            "plan --against base with clear values",
            _plan(stack, "--against", "base.json"),
            {0, 1},
            "api_api_key",
            (SECRET, TOKEN),
            prepare=craft_base,
        )
    ]


def _crashes_and_matrix(main: Path) -> list[Example]:
    rows: list[Example] = []
    # Crashes: extreme times, reserved key_env.
    rows.append(
        Example(
            "timestamp past 9999 by its offset",
            ["condition", "check", 'request.time < timestamp("9999-12-31T23:59:59-01:00")'],
            {2},
            "range CEL timestamps can hold",
        )
    )
    rows.append(
        Example(
            "getHours offset +25:00",
            ["condition", "check", 'request.time.getHours("+25:00") < 12'],
            {2},
            "error",
        )
    )
    sample = {
        "condition": 'request.time.getHours("+14:00") < 12',
        "expect": {"allow": [{"ip": "8.8.8.8", "time": "9999-12-31T23:59:59-01:00"}]},
    }
    stack = _stack(main, "sample", {"api": _container(access=sample)})
    rows.append(
        Example("expectation sample past 9999", _plan(stack), {2}, "services.api.access.expect")
    )
    extreme = 'request.time < timestamp("9999-12-31T23:59:59-01:00")'
    rows.append(
        Example(
            "audit: condition past 9999 (a finding)",
            ["audit", "extreme-condition.json", "--max-key-days", "3650"],
            {1},
            "conditions-parse",
            prepare=_write_export(
                "extreme-condition.json",
                [SHARED_NAMESPACE, *_service("billing", PROJECT, extreme)],
            ),
        )
    )
    rows.append(
        Example(
            "audit: key expiry past 9999",
            ["audit", "extreme-key.json"],
            {1, 2},
            "billing-caller-key",
            prepare=_write_export(
                "extreme-key.json",
                [
                    SHARED_NAMESPACE,
                    *_service("billing", PROJECT, IP, expires="9999-12-31T23:59:59-01:00"),
                ],
            ),
        )
    )
    stack = _stack(
        main,
        "keyenv",
        {"billing": _container(), "api": _container(calls={"billing": {"key_env": "PORT"}})},
    )
    rows.append(Example("call key_env: PORT on a container", _plan(stack), {2}, "key_env"))

    # The access matrix.
    given_namespace = _container(
        namespace_id=NAMESPACE, project_id=PROJECT, access={"condition": IP}
    )
    stack = _stack(
        main,
        "nsid",
        {"billing": given_namespace, "reports": _container()},
        scaleway__projectId=PROJECT,
    )
    rows.append(
        Example("namespace_id next to unconditioned key", _plan(stack), {1}, "reach-beyond-intent")
    )
    stack = _stack(
        main,
        "nsidcall",
        {
            "billing": given_namespace,
            "reports": _container(access={"condition": IP}),
            "worker": _container(access={"condition": IP}, calls={"reports": {}}),
        },
        scaleway__projectId=PROJECT,
    )
    rows.append(
        Example("namespace_id reached by a call identity", _plan(stack), {1}, "reach-beyond-intent")
    )
    rows.append(
        Example(
            "audit: two hand-named projects unexplained",
            ["audit", "two-projects.json"],
            {1},
            "reach-beyond-intent",
            prepare=_write_export(
                "two-projects.json",
                [
                    SHARED_NAMESPACE,
                    *_service("billing", PROJECT, IP),
                    *_service("reports", PROJECT, None),
                    *_outside_grant("ci", OTHER_PROJECT),
                ],
            ),
        )
    )

    return rows


def _conditions_and_guardrails(main: Path, acme: Path, consumer: Path) -> list[Example]:
    rows: list[Example] = []
    # Conditions that restrict nothing; equal windows that are no finding.
    for label, condition in (
        (
            "instant split across UTC aliases",
            'request.time.getHours() < 12 || request.time.getHours("Etc/UTC") >= 12',
        ),
        (
            "fixed offset equal to a named zone",
            'request.time.getHours("+01:00") < 12 || request.time.getHours("Africa/Lagos") >= 12',
        ),
        ("past the combination cap, || true", PAST_THE_CAP),
        ("range the caller picks", "inIpRange(request.ip, request.user_agent)"),
        ("IPv6 2000::/3", 'inIpRange(request.ip, "2000::/3")'),
        ("expiry in year 9999", 'request.time < timestamp("9999-12-31T23:59:59Z")'),
    ):
        rows.append(Example(label, ["condition", "check", condition], {2}, RESTRICTS_NOTHING))
    window = 'request.time.getHours("{z}") >= 8 && request.time.getHours("{z}") < 18'
    stack = _stack(
        main,
        "windows",
        {
            "billing": _container(access={"condition": window.format(z="UTC")}),
            "reports": _container(access={"condition": window.format(z="Etc/UTC")}),
        },
    )
    rows.append(Example("equal windows, UTC and Etc/UTC", _plan(stack), {0}, ""))

    # Guardrails.
    _stack(
        acme,
        "dev",
        {"api": _container(env={"STRIPE_KEY": "eu-west-1-publishable"})},
        datadog__apiKey={"secure": "v1:AAAA:datadogplanted"},
        aws__region="eu-west-3",
        acme__policy={"forbid_weakening": True, "allowed_plain_names": ["STRIPE_KEY"]},
    )
    rows.append(
        Example(
            "acme + datadog:apiKey: policy applied",
            _plan("dev"),
            {2},
            "policy.allowed_plain_names",
            cwd="acme",
        )
    )
    (consumer / "__main__.py").write_text(RAW_PROGRAM)
    (consumer / "Pulumi.dev.yaml").write_text(
        "config:\n  acme:policy:\n    secret_name_patterns: []\n"
    )
    (consumer / "Pulumi.allow.yaml").write_text(
        "config:\n  acme:policy:\n    allowed_plain_names: [DB_PASSWORD]\n"
    )
    rows.append(
        Example(
            "secret_name_patterns: [] (own program)",
            _plan("dev"),
            {1},
            "no-plain-secrets",
            (PLAIN_LOOKING,),
            cwd="consumer",
        )
    )
    rows.append(
        Example(
            "allowed_plain_names: [DB_PASSWORD]",
            _plan("allow"),
            {2},
            "policy.allowed_plain_names",
            (PLAIN_LOOKING,),
            cwd="consumer",
        )
    )

    # The slow list condition, through the three commands.
    stack = _stack(main, "lists", {"api": _container(access={"condition": LIST_CONDITION})})
    rows.append(Example("lists (plan)", _plan(stack), {0}, "", timed=True))
    rows.append(
        Example(
            "lists (audit)",
            ["audit", "lists.json", "--max-key-days", "3650"],
            {0},
            "",
            timed=True,
            prepare=_write_export(
                "lists.json", [SHARED_NAMESPACE, *_service("billing", PROJECT, LIST_CONDITION)]
            ),
        )
    )
    rows.append(
        Example(
            "lists (condition check)",
            ["condition", "check", LIST_CONDITION],
            {0},
            "valid",
            timed=True,
        )
    )
    return rows


# A consumer's own program: a raw function with a plain SMTP_PASS and a plain DB_PASSWORD.
RAW_PROGRAM = f"""\
import pulumiverse_scaleway as scw

scw.functions.Function(
    "raw",
    namespace_id="11111111-1111-4111-8111-111111111111",
    runtime="python312",
    handler="handler.handle",
    privacy="private",
    http_option="redirected",
    environment_variables={{"SMTP_PASS": "{PLAIN_LOOKING}", "DB_PASSWORD": "{PLAIN_LOOKING}"}},
)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG")}
    return {**env, "PYTHONPATH": str(ROOT / "components")}


def run(example: Example, dirs: dict[str, Path]) -> None:
    cwd = dirs[example.cwd]
    if example.prepare is not None:
        example.prepare(cwd)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "private_serverless", *example.command],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    named = next((line for line in lines if example.needle and example.needle in line), None)
    if named is None:
        named = (done.stderr.strip().splitlines() or lines or [""])[0]
    echoed = [p for p in example.planted if p in output]
    problems = []
    if done.returncode not in example.expected:
        problems.append("exit code")
    if example.needle and example.needle not in output:
        problems.append("not named")
    if echoed:
        problems.append("value echoed")
    if "Traceback" in output:
        problems.append("traceback")
    if example.timed and seconds >= 2.0:
        problems.append("over 2 s")
    example.result = {
        "code": done.returncode,
        "seconds": seconds,
        "named": named,
        "echoed": echoed,
        "problems": problems,
        "output": output,
    }


def _short(command: list[str], limit: int = 60) -> str:
    words = [w if len(w) <= 40 else w[:37] + "..." for w in command]
    text = " ".join(f"'{w}'" if " " in w else w for w in words)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cell(text: str, limit: int = 110) -> str:
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="crafted-examples-"))
    dirs = {
        "main": _project(base / "main"),
        "acme": _project(base / "acme", "acme"),
        "consumer": _project(base / "consumer", "acme"),
    }
    rows = examples(dirs["main"], dirs["acme"], dirs["consumer"])
    print(
        f"Project directories under {base}; load average {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} cores)\n"
    )
    print(
        "| example | command (python -m private_serverless ...) | exit | expected "
        "| key path or finding (first line) | planted value echoed? | wall time | verdict |"
    )
    print("| --- | --- | ---: | --- | --- | --- | ---: | --- |")
    failed = 0
    for example in rows:
        run(example, dirs)
        r = example.result
        expected = " or ".join(str(c) for c in sorted(example.expected))
        echoed = (
            "yes: " + ", ".join(r["echoed"])
            if r["echoed"]
            else ("no" if example.planted else "n/a")
        )
        verdict = "ok" if not r["problems"] else "DIFFERS: " + ", ".join(r["problems"])
        failed += bool(r["problems"])
        print(
            f"| {example.name} | {_cell(_short(example.command), 70)} | {r['code']} | {expected} "
            f"| {_cell(r['named'])} | {echoed} | {r['seconds']:.2f} s | {verdict} |",
            flush=True,
        )
    print(f"\n{len(rows)} examples, {failed} differing; load average now {os.getloadavg()[0]:.2f}")
    for example in rows:
        if example.result["problems"]:
            print(f"\n### {example.name}: {', '.join(example.result['problems'])}\n")
            print("```")
            print("$ python -m private_serverless " + " ".join(example.command))
            print(example.result["output"].strip()[:3000])
            print("```")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
