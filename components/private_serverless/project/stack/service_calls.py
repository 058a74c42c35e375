"""A stack file's ``calls:`` key: which services a service calls, read and ordered.

``calls`` is a list of service names (``calls: [billing]``) or a mapping of names to the call's
settings (``calls: {billing: {condition: ...}}``, :class:`CallSettings`). A callee is built
before its callers (its endpoint goes into their environment), so the program creates the
services in dependency order; an unknown callee, a service calling itself or a cycle is a
configuration error naming ``services.<caller>.calls.<callee>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import ValidationError

from ...access.service_calls import CallSettings, call_env_problems
from ...errors import Problem
from ...errors import problems_from_validation_error as _problems

Calls = dict[str, CallSettings]


def read_calls(
    raw: object, path: str, caller: str, services: Mapping[str, object]
) -> tuple[Calls, list[Problem]]:
    """The calls of service ``caller`` (at key path ``path``, ``services.<caller>.calls``),
    checked strictly like the rest of a stack file, and the problems found."""
    if raw is None:
        return {}, []
    if isinstance(raw, list):
        if not all(isinstance(name, str) for name in raw):
            return {}, [Problem(path, "must be a list of service names or a mapping")]
        if len(set(raw)) != len(raw):
            return {}, [Problem(path, "a service is listed twice")]
        entries: dict[str, Any] = dict.fromkeys(raw)
    elif isinstance(raw, dict):
        entries = raw
    else:
        return {}, [Problem(path, "must be a list of service names or a mapping")]
    calls: Calls = {}
    problems: list[Problem] = []
    for callee, settings in entries.items():
        where = f"{path}.{callee}"
        if callee == caller:
            problems.append(Problem(where, "a service cannot call itself"))
            continue
        if callee not in services:
            known = ", ".join(sorted(name for name in services if name != caller)) or "none"
            problems.append(Problem(where, f"unknown service; services of this stack: {known}"))
            continue
        try:
            # Strict, as JSON: a stack file's types are the ones written.
            calls[callee] = CallSettings.model_validate_json(
                json.dumps({} if settings is None else settings, default=str), strict=True
            )
        except ValidationError as exc:
            problems.extend(_problems(exc, prefix=where))
    return calls, problems


def env_problems(
    calls: Calls, values: Mapping[str, Any], secrets: list[str], path: str
) -> list[Problem]:
    """Variables the calls would add that clash with the service's ``env`` or ``secrets``."""
    env = values.get("env")
    names = list(env) if isinstance(env, dict) else []
    return [
        Problem(f"{path}.{where}", message)
        for where, message in call_env_problems(calls.items(), names, secrets)
    ]


def build_order(
    calls: Mapping[str, Calls], source_order: list[str]
) -> tuple[list[str], list[Problem]]:
    """The services, callees before callers (else in the stack file's order), or a problem
    naming one call of a cycle."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for name in source_order:
        sorter.add(name, *calls.get(name, {}))
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle: list[str] = exc.args[1]  # [a, b, ..., a]: each calls the one before it
        caller, callee = cycle[1], cycle[0]
        shown = " -> ".join(reversed(cycle))
        return [], [
            Problem(
                f"services.{caller}.calls.{callee}",
                f"calls form a cycle ({shown}): each service needs the other's endpoint before "
                "it is built; remove one call",
            )
        ]
    order: list[str] = []
    position = {name: index for index, name in enumerate(source_order)}
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order, []
