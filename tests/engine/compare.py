"""Holding the offline plan to what the real Pulumi engine did (the recordings beside this file).

Two comparisons, both returning one :class:`Difference` per resource and property:

- :func:`compare_new_stack`: a new-stack ``pulumi preview --json`` (``recordings/new-stacks``)
  against the offline plan of the same stack file (the plan JSON format): type, parent,
  inputs, unknowns, dependencies, property dependencies, ``protect``, ``ignoreChanges`` and
  ``replaceOnChanges`` of every resource;
- :func:`compare_operations`: the operations of a scenario preview (``recordings/scenarios``)
  against the diff of ``plan --against`` (the diff JSON format).

What the engine prints differently without meaning anything different is normalised here, and
only that: the bridge's empty ``__defaults`` markers, the engine's unknown sentinel, ``null``
for an option that is not set, the empty property-dependency lists of inputs that have none,
and the order of dependency lists (the SDK gathers them in sets).

A deliberate difference is never absorbed by loosening these rules: it is an entry of
``expected_differences.yaml`` (:func:`load_expected`, :func:`unexplained`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
RECORDINGS = HERE / "recordings"
EXPECTED_FILE = HERE / "expected_differences.yaml"

#: The day the recordings were made (recordings/README.md): key expiries count from it.
RECORDED_ON = date(2026, 12, 3)

#: The engine's unknown value (pulumi/sdk ``resource.Computed``), as the preview JSON prints it.
ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PLAN_UNKNOWN = "[unknown]"
SECRET = "[secret]"
#: How the plan shows a secret whose value is unknown until the apply (plan/values.py).
PLAN_UNKNOWN_SECRET = "[unknown secret]"
STACK_TYPE = "pulumi:pulumi:Stack"

_MISSING = "(absent)"


@dataclass(frozen=True, order=True)
class Difference:
    """One way the plan differs from the engine, for one resource and one property.

    ``property`` is ``op``, ``type``, ``parent``, ``dependencies``, ``protect``,
    ``ignoreChanges``, ``replaceOnChanges``, ``exists``, ``inputs.<path>`` or
    ``propertyDependencies.<input>``; ``resource`` is the resource's logical name.
    """

    recording: str
    resource: str
    property: str
    engine: str
    plan: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What an entry of the expected-differences file names."""
        return (self.recording, self.resource, self.property)

    def __str__(self) -> str:
        return (
            f"{self.recording}: {self.resource}: {self.property}: "
            f"engine {self.engine}, plan {self.plan}"
        )


@dataclass(frozen=True)
class ExpectedDifference:
    """An entry of ``expected_differences.yaml``: a difference made on purpose, and why."""

    recording: str
    resource: str
    property: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.recording, self.resource, self.property)


# -- loading --


def new_stacks() -> list[str]:
    """The stacks with a recorded new-stack preview (``dev``, ``staging``, ``prodnosm``)."""
    folder = RECORDINGS / "new-stacks"
    return sorted(p.name.split(".")[0] for p in folder.glob("*.engine-preview.json"))


def scenarios() -> list[str]:
    """The recorded change scenarios, by folder name."""
    folder = RECORDINGS / "scenarios"
    return sorted(p.parent.name for p in folder.glob("*/engine-preview.json"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def scenario_base(name: str) -> str | None:
    """The scenario whose changed stack is the base of ``name``; ``None``: the base stack file."""
    base = read_json(RECORDINGS / "scenarios" / name / "engine-preview.json")["base_stack"]
    # Either the base stack file or another scenario's changed one ("a-rotate-gen1/Pulumi...").
    return None if base == "base.Pulumi.dev.yaml" else Path(base).parent.name


def load_expected(path: Path = EXPECTED_FILE) -> list[ExpectedDifference]:
    """The entries of the expected-differences file; a malformed entry is an error naming it."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries: list[ExpectedDifference] = []
    for number, item in enumerate(document.get("differences") or [], start=1):
        fields = ("recording", "resource", "property", "reason")
        if not isinstance(item, dict) or set(item) != set(fields):
            raise ValueError(f"{path.name}: entry {number} needs exactly the keys {fields}")
        if not all(isinstance(item[name], str) and item[name].strip() for name in fields):
            raise ValueError(f"{path.name}: entry {number}: every key needs a non-empty text")
        entries.append(ExpectedDifference(**{name: item[name] for name in fields}))
    return entries


# -- comparing a new stack --


def compare_new_stack(
    recording: str, engine: Mapping[str, Any], plan: Mapping[str, Any]
) -> list[Difference]:
    """Every difference between a recorded new-stack preview and the plan JSON of that stack."""
    engine_resources = {
        item["urn"]: item for item in engine["resources"] if item["type"] != STACK_TYPE
    }
    plan_resources = {item["urn"]: item for item in plan["resources"]}
    found: list[Difference] = []
    for urn in sorted(engine_resources.keys() | plan_resources.keys()):
        name = urn.rsplit("::", 1)[-1]
        recorded, planned = engine_resources.get(urn), plan_resources.get(urn)
        if recorded is None or planned is None:
            found.append(
                Difference(
                    recording,
                    name,
                    "exists",
                    "yes" if recorded else "no",
                    "yes" if planned else "no",
                )
            )
            continue
        found += _compare_resource(recording, name, recorded, planned)
    return found


def _compare_resource(
    recording: str,
    name: str,
    engine: Mapping[str, Any],
    plan: Mapping[str, Any],
) -> list[Difference]:
    def differ(prop: str, engine_value: Any, plan_value: Any) -> Difference:
        return Difference(recording, name, prop, _show(engine_value), _show(plan_value))

    found: list[Difference] = []
    pairs: list[tuple[str, Any, Any]] = [
        ("type", engine["type"], plan["type"]),
        ("parent", engine.get("parent"), plan.get("parent")),
        ("custom", bool(engine.get("custom")), bool(plan.get("custom"))),
        ("protect", bool(engine.get("protect")), bool(plan.get("protect"))),
        ("dependencies", _urn_set(engine.get("dependencies")), _urn_set(plan["dependencies"])),
        (
            "ignoreChanges",
            sorted(engine.get("ignoreChanges") or []),
            sorted(plan["ignore_changes"]),
        ),
        (
            "replaceOnChanges",
            sorted(engine.get("replaceOnChanges") or []),
            sorted(plan["replace_on_changes"]),
        ),
    ]
    found += [differ(prop, a, b) for prop, a, b in pairs if a != b]
    # By logical name, as a reader would look them up; inputs without any are not listed.
    engine_deps = {
        key: _urn_set(urns) for key, urns in (engine.get("propertyDependencies") or {}).items()
    }
    plan_deps = {key: _urn_set(urns) for key, urns in plan["property_dependencies"].items()}
    engine_deps = {key: names for key, names in engine_deps.items() if names}
    plan_deps = {key: names for key, names in plan_deps.items() if names}
    for key in sorted(engine_deps.keys() | plan_deps.keys()):
        if engine_deps.get(key) != plan_deps.get(key):
            found.append(
                differ(f"propertyDependencies.{key}", engine_deps.get(key), plan_deps.get(key))
            )
    if engine.get("custom"):
        engine_inputs = unknown_secrets(engine_values(engine.get("inputs") or {}), engine_deps)
        found += [
            differ(path, a, b)
            for path, a, b in _value_differences("inputs", engine_inputs, plan["inputs"])
        ]
    return found


def engine_values(value: Any) -> Any:
    """Engine values as the plan writes them: the bridge's empty ``__defaults`` markers dropped
    (a non-empty one means the provider added a default: kept, so that it shows), the unknown
    sentinel as ``[unknown]``."""
    if isinstance(value, Mapping):
        return {
            key: engine_values(item)
            for key, item in value.items()
            if not (key == "__defaults" and item == [])
        }
    if isinstance(value, list):
        return [engine_values(item) for item in value]
    return PLAN_UNKNOWN if value == ENGINE_UNKNOWN else value


def unknown_secrets(inputs: Mapping[str, Any], sources: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's inputs with each secret it computes from other resources as
    ``[unknown secret]``.

    The preview JSON masks a secret whole, known or not, as ``[secret]``. A secret in an input
    with property dependencies is computed from resources of the stack; in a new stack's
    preview they are all being created, and the components put only what the provider computes
    (an API key's secret, queue credentials) in secrets, so the engine holds it unknown. A
    secret in an input without property dependencies comes from the configuration: known.
    """
    return {
        key: _secrets_unknown(value) if sources.get(key) else value for key, value in inputs.items()
    }


def _secrets_unknown(value: Any) -> Any:
    if value == SECRET:
        return PLAN_UNKNOWN_SECRET
    if isinstance(value, Mapping):
        return {key: _secrets_unknown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_secrets_unknown(item) for item in value]
    return value


def _value_differences(path: str, engine: Any, plan: Any) -> Iterable[tuple[str, Any, Any]]:
    if isinstance(engine, Mapping) and isinstance(plan, Mapping):
        for key in sorted(engine.keys() | plan.keys()):
            yield from _value_differences(
                f"{path}.{key}", engine.get(key, _MISSING), plan.get(key, _MISSING)
            )
    elif (
        isinstance(engine, list)
        and isinstance(plan, list)
        and len(engine) == len(plan)
        and not all(isinstance(item, str | int | float | bool) for item in engine + plan)
    ):
        for index, (a, b) in enumerate(zip(engine, plan, strict=True)):
            yield from _value_differences(f"{path}[{index}]", a, b)
    elif engine != plan:
        # A secret's engine placeholder never equals a clear value: the plan keeps none either.
        yield (path, engine, plan)


def _urn_set(urns: Iterable[str] | None) -> list[str]:
    return sorted({urn.rsplit("::", 1)[-1] for urn in urns or ()})


# -- comparing the operations of a scenario --


def compare_operations(
    recording: str, engine: Mapping[str, Any], diff: Mapping[str, Any]
) -> list[Difference]:
    """Every resource whose operation in the diff JSON of ``plan --against`` is not the one the
    engine recorded (a resource the recording does not list is ``same``)."""
    engine_ops = {step["urn"]: step["op"] for step in engine["steps"] if step["type"] != STACK_TYPE}
    plan_ops = {item["urn"]: item["op"] for item in diff["resources"]}
    found: list[Difference] = []
    for urn in sorted(engine_ops.keys() | plan_ops.keys()):
        name = urn.rsplit("::", 1)[-1]
        engine_op = engine_ops.get(urn, "same")
        plan_op = plan_ops.get(urn, _MISSING)
        if engine_op != plan_op:
            found.append(Difference(recording, name, "op", engine_op, plan_op))
    return found


# -- expected differences --


def unexplained(
    found: Iterable[Difference], expected: Iterable[ExpectedDifference], recording: str
) -> tuple[list[Difference], list[ExpectedDifference]]:
    """The differences of ``recording`` no entry explains, and its entries that explain none
    (stale: the plan agrees with the engine there now, so the entry must go)."""
    found = list(found)
    mine = [entry for entry in expected if entry.recording == recording]
    keys = {entry.key for entry in mine}
    seen = {item.key for item in found}
    return (
        [item for item in found if item.key not in keys],
        [entry for entry in mine if entry.key not in seen],
    )


def report(
    recording: str, differences: Iterable[Difference], stale: Iterable[ExpectedDifference] = ()
) -> str:
    """One readable message: each unexplained difference, then each stale entry."""
    lines = [f"The offline plan differs from the engine's recording {recording}:"]
    lines += [
        f"  {item.resource}: {item.property}: engine {item.engine}, plan {item.plan}"
        for item in sorted(differences)
    ]
    stale = list(stale)
    if stale:
        lines.append(
            f"Stale entries in {EXPECTED_FILE.name} (the plan now agrees there; remove them):"
        )
        lines += [f"  {entry.resource}: {entry.property} ({entry.reason})" for entry in stale]
    return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value if value == _MISSING else json.dumps(value)
    return json.dumps(value, sort_keys=True)
