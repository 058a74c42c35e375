"""A plain value a policy rule calls a secret is not printed where the plan echoes it.

``no-plain-secrets`` shows the settings it flags as ``[secret]`` (:func:`~private_serverless.
policies.rules.redact_plain_secrets`), but a program's string is not an Output: the same token
can also stand in a stack output that exports the variables, in another resource's input (a
description built from it) or in a log message. Those copies are replaced too, by text, as the
offline runner replaces a real secret in log messages. A setting the rule hides whole (a
cron's arguments, a command line) gives every string in it: more than the credential may be
hidden elsewhere until the finding is fixed, never less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

from ..core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from .model import Diagnostic, Finding, Plan
from .values import secret_strings

#: Shortest flagged value replaced by text. A flagged value is a guess (``API_TOKEN=debug`` is
#: flagged by its name): replacing a short one wherever it stands would garble unrelated settings
#: (every ``debug``), and what it would hide is no credential worth the name. Shorter values stay
#: redacted in the setting the rule flagged.
MIN_ECHO_LENGTH = 8


def long_enough(strings: Iterable[str]) -> set[str]:
    """Those of ``strings`` worth replacing by text (:data:`MIN_ECHO_LENGTH`)."""
    return {text for text in strings if len(text) >= MIN_ECHO_LENGTH}


def flagged_strings(before: Sequence[ResourceRecord], after: Sequence[ResourceRecord]) -> set[str]:
    """The strings of every input value ``after`` (the same records, redacted) shows as
    ``[secret]`` where ``before`` held it in clear."""
    found: set[str] = set()
    for old, new in zip(before, after, strict=True):
        if old is not new:
            _collect(old.inputs, new.inputs, found)
    return long_enough(found)


def _collect(old: Any, new: Any, found: set[str]) -> None:
    if new == SECRET_PLACEHOLDER and old != SECRET_PLACEHOLDER:
        found.update(secret_strings(old))
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        for key, value in new.items():
            if key in old:
                _collect(old[key], value, found)


def scrubber(strings: set[str]) -> Callable[[Any], Any]:
    """A function that returns a value (a string, or maps and lists of them) with each of
    ``strings`` replaced by ``[secret]``, a longer one before a part of it."""
    if not strings:
        return _unchanged
    ordered = sorted(strings, key=len, reverse=True)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for text in ordered:
                if text in value:
                    value = value.replace(text, SECRET_PLACEHOLDER)
            return value
        if isinstance(value, Mapping):
            return {key: scrub(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(item) for item in value]
        return value

    return scrub


def _unchanged(value: Any) -> Any:
    return value


def scrub_records(
    records: Sequence[ResourceRecord], scrub: Callable[[Any], Any]
) -> list[ResourceRecord]:
    """``records`` with ``scrub`` (:func:`scrubber`) applied to their inputs."""
    scrubbed = []
    for record in records:
        inputs = scrub(record.inputs)
        scrubbed.append(replace(record, inputs=inputs) if inputs != record.inputs else record)
    return scrubbed


def scrub_echoes(plan: Plan, scrub: Callable[[Any], Any]) -> None:
    """Apply ``scrub`` (:func:`scrubber`) wherever ``plan`` prints text: resource inputs, stack
    outputs, log messages and the findings already made."""
    plan.resources[:] = scrub_records(plan.resources, scrub)
    plan.outputs = scrub(plan.outputs)
    plan.diagnostics[:] = [
        Diagnostic(item.severity, scrub(item.message), item.urn) for item in plan.diagnostics
    ]
    plan.findings[:] = [scrub_finding(finding, scrub) for finding in plan.findings]


def scrub_finding(finding: Finding, scrub: Callable[[Any], Any]) -> Finding:
    """``finding`` with ``scrub`` applied to its message."""
    return cast(Finding, {**finding, "message": scrub(finding["message"])})
