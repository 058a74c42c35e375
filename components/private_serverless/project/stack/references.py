"""References in a stack file: a service's value taken from another service's outputs.

One syntax, Pulumi YAML's ``${resource.property}``, with the section the resource is in::

    env:
      BILLING_URL: ${services.billing.endpoint}
      BILLING_API: ${services.billing.endpoint}/v1       # inside a longer string too
    project_id: ${services.billing.project_id}
    namespace_id: ${services.billing.namespace_id}

What may be referred to (:data:`OUTPUTS`): a service's ``endpoint``, ``namespace_id``,
``project_id`` and ``registry_endpoint`` (a function in a namespace of its own, a container
with ``registry``); a shared namespace's ``id`` and ``project_id``. A reference keeps the
dependency, as an Output passed in Python does: the service is built after the one it refers
to. It is accepted wherever the Python argument takes a ``pulumi.Input[str]`` (plain ``env``
values, ``project_id``, ``namespace_id``, ``private_network_id``, a container's ``image``
(``${services.builds.registry_endpoint}/api:1.4``), a queue's ``sqs.queue_url``
and ``nats.account_id``, ``domain.dns_zone``); elsewhere, and for an unknown service, namespace
or output, a service referring to itself or a cycle, it is an error naming the key path.
Secrets are never references: they come from ``env:`` or ``config:`` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

import pulumi

from ...errors import Problem, refused_key_shown

#: ``${<section>.<key>.<output>}``; the key as stack keys are written.
REFERENCE = re.compile(r"\$\{(?P<section>[^.{}]*)\.(?P<key>[^.{}]*)\.(?P<output>[^.{}]*)\}")
_ANY_REFERENCE = re.compile(r"\$\{[^}]*\}?")

#: What a reference may name, per section.
OUTPUTS: Mapping[str, tuple[str, ...]] = {
    "services": ("endpoint", "namespace_id", "project_id", "registry_endpoint"),
    "namespaces": ("id", "project_id"),
}

#: What stands for a reference while the stack is checked, before anything exists: values the
#: argument checks accept for that output (a URL, an ID), so only the type is judged there.
_STAND_INS: Mapping[str, str] = {
    "endpoint": "https://reference.invalid",
    "registry_endpoint": "rg.fr-par.scw.cloud/reference",
    "namespace_id": "00000000-0000-4000-8000-000000000000",
    "project_id": "00000000-0000-4000-8000-000000000000",
    "id": "00000000-0000-4000-8000-000000000000",
}

#: Where a value may be a reference: the arguments that take a ``pulumi.Input[str]``.
ACCEPTED = (
    "env.<VAR>, project_id, namespace_id, private_network_id, image (containers), "
    "queues.<key>.sqs.queue_url, queues.<key>.nats.account_id, domain.dns_zone"
)


@dataclass(frozen=True)
class Reference:
    """One ``${section.key.output}`` at a key path of a service."""

    path: str
    section: str
    key: str
    output: str

    @property
    def target(self) -> str:
        """The node it depends on: ``services.<key>`` or ``namespaces.<key>``."""
        return f"{self.section}.{self.key}"

    def __str__(self) -> str:
        return f"${{{self.section}.{self.key}.{self.output}}}"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def find_references(
    values: Mapping[str, Any],
    path: str,
    own: str,
    sections: Mapping[str, Mapping[str, object]],
) -> tuple[list[Reference], list[Problem]]:
    """The references in a service's ``values`` (at ``path``, ``services.<own>``) and the
    problems: an unknown section, key or output, a malformed one, the service itself."""
    found: list[Reference] = []
    problems: list[Problem] = []
    for where, text in _strings(values, path):
        if "${" not in text:
            continue
        matches = list(REFERENCE.finditer(text))
        if len(_ANY_REFERENCE.findall(text)) != len(matches):
            problems.append(
                Problem(
                    where,
                    "a reference is written ${services.<key>.<output>} or "
                    "${namespaces.<key>.<output>}",
                )
            )
            continue
        for match in matches:
            ref = Reference(where, match["section"], match["key"], match["output"])
            problem = _reference_problem(ref, own, sections)
            if problem is None:
                found.append(ref)
            else:
                problems.append(Problem(where, problem))
    return found, problems


def references_refused(values: Mapping[str, Any], path: str) -> list[Problem]:
    """A problem for each reference in ``values``, where none is read (a shared namespace:
    it is built before every service)."""
    return [
        Problem(
            where,
            "references are read in services only (a shared namespace is built before "
            "every service)",
        )
        for where, text in _strings(values, path)
        if "${" in text
    ]


def _shown(ref: Reference) -> str:
    """``ref`` as an error may show it: as written when each part reads as a name, else
    pointed at by its key path alone (a value pasted into a reference is not printed)."""
    if all(refused_key_shown(part) for part in (ref.section, ref.key, ref.output)):
        return str(ref)
    return "the reference"


def _reference_problem(
    ref: Reference, own: str, sections: Mapping[str, Mapping[str, object]]
) -> str | None:
    problem = _problem_of(ref, own, sections)
    return None if problem is None else f"{_shown(ref)}: {problem}"


def _problem_of(
    ref: Reference, own: str, sections: Mapping[str, Mapping[str, object]]
) -> str | None:
    if ref.section not in OUTPUTS:
        return "unknown section; a reference names services.<key> or namespaces.<key>"
    entries: Mapping[str, object] = sections.get(ref.section, {})
    if ref.key not in entries:
        known = ", ".join(sorted(entries)) or "none"
        return f"unknown {ref.section[:-1]}; {ref.section} of this stack: {known}"
    if ref.section == "services" and ref.key == own:
        return "a service cannot refer to its own outputs"
    if ref.output not in OUTPUTS[ref.section]:
        allowed = ", ".join(OUTPUTS[ref.section])
        return f"unknown output; a {ref.section[:-1]} offers {allowed}"
    if ref.output == "registry_endpoint" and not _has_registry(entries[ref.key]):
        return (
            "that service has no registry endpoint of its own: a function has its "
            "namespace's (not with namespace or namespace_id), a container one with registry"
        )
    return None


def _has_registry(entry: object) -> bool:
    settings = getattr(entry, "model_extra", None) or {}
    if getattr(entry, "kind", None) == "container":
        return settings.get("registry") is not None
    return settings.get("namespace") is None and settings.get("namespace_id") is None


def substitute(
    values: Mapping[str, Any],
    path: str,
    references: list[Reference],
    resolve: Callable[[Reference], pulumi.Input[str]],
) -> dict[str, Any]:
    """``values`` with each string holding references replaced: by ``resolve(ref)`` when the
    string is one reference, else by the string with each one resolved in it (an Output when
    any resolved value is one)."""
    at = {ref.path for ref in references}

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, str) and where in at:
            return _resolved(value, resolve, where)
        if isinstance(value, Mapping):
            return {key: walk(item, f"{where}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, f"{where}[{index}]") for index, item in enumerate(value)]
        return value

    return {key: walk(item, f"{path}.{key}") for key, item in values.items()}


def _resolved(
    text: str, resolve: Callable[[Reference], pulumi.Input[str]], where: str
) -> pulumi.Input[str]:
    parts: list[pulumi.Input[str]] = []
    last = 0
    for match in REFERENCE.finditer(text):
        if match.start() > last:
            parts.append(text[last : match.start()])
        parts.append(resolve(Reference(where, match["section"], match["key"], match["output"])))
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(part, str) for part in parts):
        return "".join(str(part) for part in parts)
    return pulumi.Output.concat(*parts)


def stand_in(ref: Reference) -> str:
    """A value that stands for ``ref`` while the stack file is checked."""
    return _STAND_INS[ref.output]


def output_stand_in(ref: Reference) -> pulumi.Output[str]:
    """An Output standing for ``ref``: where the argument takes no Output, the check fails
    there as it would on the real value."""
    return pulumi.Output.from_input(_STAND_INS[ref.output])


def not_accepted(problems: list[Problem], references: list[Reference]) -> list[Problem]:
    """``problems`` with those at a reference's key path said in a stack file's terms."""
    at = {ref.path for ref in references}
    return [
        Problem(
            problem.path,
            f"a reference is only accepted where a value may come from another resource: "
            f"{ACCEPTED}",
        )
        if problem.path in at
        else problem
        for problem in problems
    ]


def build_order(
    depends: Mapping[str, Mapping[str, str]], source_order: list[str]
) -> tuple[list[str], list[Problem]]:
    """Services in an order where each comes after those it depends on (by calls or
    references, ``depends[service][other] = key path``), else the stack file's order; or a
    problem naming one key path of a cycle."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for name in source_order:
        sorter.add(name, *depends.get(name, {}))
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle: list[str] = exc.args[1]  # [a, b, ..., a]: each depends on the one before it
        service, other = cycle[1], cycle[0]
        shown = " -> ".join(f"services.{name}" for name in reversed(cycle))
        return [], [
            Problem(
                depends[service][other],
                f"calls and references form a cycle ({shown}): each service needs the "
                "other's outputs before it is built; remove one",
            )
        ]
    order: list[str] = []
    position = {name: index for index, name in enumerate(source_order)}
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order, []
