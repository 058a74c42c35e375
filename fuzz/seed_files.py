"""The seed files the fuzzers mutate, made from the project itself so that they never go stale.

The plan is the offline plan of the dev stack (with the example secrets), rendered by the
current code; the export and the outputs are built from it the way Pulumi would write them.

    .venv/bin/python fuzz/seed_files.py DIRECTORY   # writes stack.yaml, plan.json, export.json,
                                                    # outputs.json (an atheris corpus, say)
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "components")]

#: Pulumi's marker of a secret value in a stack export.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def stack_text() -> str:
    """The dev stack file."""
    return (ROOT / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8")


@cache
def plan_document() -> dict[str, Any]:
    """The JSON plan of the dev stack, as ``private-serverless plan --format json`` writes it."""
    from private_serverless.plan import render_json, run_stack_plan
    from private_serverless.project.stack.offline import load_offline_program

    plan = run_stack_plan(
        "dev",
        loader=lambda stack: load_offline_program(
            stack, project_dir=ROOT, env_file=ROOT / ".env.example", environ={}
        ),
    )
    document: dict[str, Any] = json.loads(render_json(plan))
    return document


def _encrypted(value: Any) -> Any:
    if value == "[secret]":
        return {SIG_KEY: SECRET_SIG, "ciphertext": "v1:AAAA:seed"}
    if isinstance(value, dict):
        return {key: _encrypted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encrypted(item) for item in value]
    return value


def export_document() -> dict[str, Any]:
    """A ``pulumi stack export`` of the dev stack's plan (secrets encrypted)."""
    resources = [
        {
            "urn": r["urn"],
            "custom": r["custom"],
            "id": f"{r['name']}-id" if r["custom"] else "",
            "type": r["type"],
            "inputs": _encrypted(r["inputs"]),
            "outputs": _encrypted(r["inputs"]),
            **({"parent": r["parent"]} if r.get("parent") else {}),
            "protect": r["protect"],
            "dependencies": r["dependencies"],
        }
        for r in plan_document()["resources"]
    ]
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-20T10:00:00Z", "magic": "seed", "version": "v3.200.0"},
            "resources": resources,
        },
    }


def outputs_document() -> dict[str, Any]:
    """``pulumi stack output --json --show-secrets`` of the dev stack, with made-up values."""
    services = plan_document()["outputs"]["services"]
    return {
        "services": {
            name: {
                "kind": "function",
                "endpoint": f"https://{name}.functions.fnc.fr-par.scw.cloud",
                "api_key": "seed-key-not-a-secret",
                "application_id": "app",
                "policy_id": "policy",
                "project_id": "project",
                "key_secret_id": None,
            }
            for name in services
        }
    }


DOCUMENTS = {
    "plan.json": plan_document,
    "export.json": export_document,
    "outputs.json": outputs_document,
}


def write(directory: Path) -> None:
    """Write every seed file into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "stack.yaml").write_text(stack_text(), encoding="utf-8")
    for name, document in DOCUMENTS.items():
        (directory / name).write_text(json.dumps(document(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
