"""User-facing errors.

Every exception defined here carries a message that is safe to print: it names *where* the
problem is (component, stack file, key path, field) and *what is allowed*, and never echoes a
secret value. The CLI turns them into one line on stderr and exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass


class PrivateServerlessError(Exception):
    """Base class of the errors a user can cause and fix (bad input, missing secret)."""


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is (a dotted key path) and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigurationError(PrivateServerlessError, ValueError):
    """Invalid arguments or configuration, reported all at once.

    ``where`` names the component (``PrivateFunction 'billing'``) or the stack file
    (``stacks/Pulumi.dev.yaml``); each problem names its key path.
    """

    def __init__(self, where: str, problems: Sequence[Problem]) -> None:
        self.where = where
        self.problems = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"{self.where}: {self.problems[0]}"
        lines = [f"{self.where}: {len(self.problems)} problems"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)


#: Text a message quotes: 'x' or "x".
_QUOTED = re.compile(r"'([^'\n]{1,200})'|\"([^\"\n]{1,200})\"")


def _strings_in(value: object, found: list[str], budget: int = 200) -> list[str]:
    """The strings in ``value`` (the input of one validation error), keys included."""
    pending = [value]
    while pending and len(found) < budget:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return found


def without_input(message: str, value: object) -> str:
    """``message`` with any quoted text taken from ``value`` replaced by ``(the value)``.

    Validators (ours and the libraries') quote what they refuse: an invalid name, a CIDR
    inside a condition. That text may be a secret pasted in the wrong place, so what a message
    quotes from the input is cut, whatever validator wrote it; the key path says where it is.
    """
    strings = [text for text in _strings_in(value, []) if text]
    if not strings:
        return message

    def replace(match: re.Match[str]) -> str:
        quoted = match[1] if match[1] is not None else match[2]
        return "(the value)" if any(quoted in text for text in strings) else match[0]

    return _QUOTED.sub(replace, message)


def problems_from_validation_error(
    exc: object,
    prefix: str = "",
    unknown_key: Callable[[Sequence[int | str]], str] | None = None,
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into problems, without echoing any input value.

    pydantic's own message quotes the offending input, which may be a secret; this keeps only
    the location and the reason. ``unknown_key`` gives the text of an unknown key from its
    location (core.key_suggestions.validation_problems passes one that suggests a field).
    """
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [Problem(prefix, str(exc))]
    errors = exc.errors(include_url=False, include_input=True, include_context=False)
    # A mapping's key that its validator refused is that error's input, and may be a value
    # pasted in the wrong place: no location shows it unless refused_key_shown says it may
    # (pydantic ends such a location with "[key]", after the key itself).
    refused = frozenset(
        tuple(e["loc"][:-1]) for e in errors if len(e["loc"]) >= 2 and e["loc"][-1] == _KEY_MARK
    )
    # Where a value may also be an Output, pydantic names the other member too (`env.A.str`).
    output_locs = {
        _location(prefix, e["loc"], refused) for e in errors if e["type"] in _OUTPUT_MEMBER
    }
    located = []
    for error in errors:
        where = _location(prefix, error["loc"], refused)
        parent, _, member = where.rpartition(".")
        if parent in output_locs and _TYPE_MEMBER.match(member):
            where = parent
        located.append((where, error))
    # A value that may also be a Pulumi Output fails both members of the union; the Output
    # member's complaint ("an instance of Output", impossible from a file) is noise there.
    informative = {where for where, error in located if error["type"] not in _OUTPUT_MEMBER}
    problems: list[Problem] = []
    for where, error in located:
        if error["type"] in _OUTPUT_MEMBER and where in informative:
            continue
        message = error["msg"]
        # Our own validators raise ValueError; pydantic prefixes those. The prefix is noise.
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        message = without_input(message, error.get("input"))
        if error["type"] == "missing":
            message = "missing: this setting is required"
        if error["type"] == "extra_forbidden":
            message = (
                "unknown key (not one of the allowed settings; check the spelling)"
                if unknown_key is None
                else unknown_key(error["loc"])
            )
        problem = Problem(where, message)
        if problem not in problems:
            problems.append(problem)
    return problems


#: pydantic's errors for the ``InstanceOf[pulumi.Output]`` member of a union.
_OUTPUT_MEMBER = frozenset({"is_instance_of", "needs_python_object"})
#: How pydantic names the member of a union in an error's location: ``function-after[...]``,
#: ``json-or-python[...]``, ``is-instance[Output]``. Not a key the user wrote.
_UNION_MEMBER = re.compile(r"^[a-z]+(?:-[a-z]+)*\[.*\]$")


#: A union member named by its type, as in ``env.A.str``.
_TYPE_MEMBER = re.compile(r"^(?:str|constrained-str|int|float|bool|none|list\[.*\]|dict\[.*\])$")


#: The last part of the location of an error about a mapping's key, not about its value.
_KEY_MARK = "[key]"
#: What a location shows in place of a refused key that may be a value.
REFUSED_KEY = "<a refused key>"
#: A key as people write names: at most 64 characters, words joined by ``_``, ``-`` or ``.``.
_NAME_SHAPE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_WORD_SEPARATOR = re.compile(r"[_.\-]")
_LOWER_TO_UPPER = re.compile(r"[a-z][A-Z]")
_SHORTEST_HIDDEN_KEY = 8


def refused_key_shown(key: str) -> bool:
    """Whether an error may show a key that was refused: a key shorter than 8 characters
    (no credential is that short, and hiding one would garble the messages it occurs in), or
    one that reads as a mistyped name (``Nightly``, ``SCW_REGION``, ``k8s``) rather than as a
    value pasted in its place: every word at most 16 characters, with at most two digits (or a
    number) and at most two camel-case humps. Tokens, hashes and ids mix more digits or more
    case changes into longer runs (``a91c04d7e2b3``, ``9f8e7d6c``, ``QWErtyUI``)."""
    if len(key) < _SHORTEST_HIDDEN_KEY:
        return True
    if not _NAME_SHAPE.fullmatch(key):
        return False
    for word in _WORD_SEPARATOR.split(key):
        digits = sum(char.isdigit() for char in word)
        if len(word) > 16 or (digits > 2 and not word.isdigit()):
            return False
        if len(_LOWER_TO_UPPER.findall(word)) > 2:
            return False
    return True


def hiding_keys(problems: Sequence[Problem], keys: Sequence[str]) -> list[Problem]:
    """``problems`` with each of ``keys`` that :func:`refused_key_shown` does not let show (the
    caller's refused keys) replaced by :data:`REFUSED_KEY`, in key paths and in messages."""
    hidden = {key for key in keys if not refused_key_shown(key)}
    ordered = sorted(hidden, key=len, reverse=True)  # a key inside a longer one: longer first

    def hide(text: str) -> str:
        for key in ordered:
            text = text.replace(key, REFUSED_KEY)
        return text

    if not ordered:
        return list(problems)
    return [Problem(hide(problem.path), hide(problem.message)) for problem in problems]


def _location(
    prefix: str, loc: tuple[int | str, ...], refused: frozenset[tuple[int | str, ...]]
) -> str:
    parts = [prefix] if prefix else []
    for depth, part in enumerate(loc, start=1):
        if loc[:depth] in refused and not refused_key_shown(str(part)):
            parts.append(REFUSED_KEY)
        elif part != _KEY_MARK and not _UNION_MEMBER.match(str(part)):
            parts.append(str(part))
    return ".".join(parts)


class InvalidOutputError(PrivateServerlessError):
    """An Output given to an argument gave, once known (``pulumi up``), a value the argument
    does not accept. Not a ``ValueError``: the SDK would bury it under its own messages about
    serializing the input. The message names the field and the rule, never the value."""

    def __init__(self, where: str, field: str, problem: str) -> None:
        self.where = where
        self.field = field
        super().__init__(f"{where}: {field}: {problem}")


class MissingProviderOutputError(PrivateServerlessError):
    """The provider (or a test's mock of it) returned no value for an output a component needs.

    Scaleway always computes these (a function's ``domain_name``, a container's
    ``public_endpoint``); a mock that echoes inputs as outputs does not, and gets this error
    naming the output instead of an ``AttributeError`` deep inside the component.
    """

    def __init__(self, component: str, resource: str, output: str) -> None:
        self.component = component
        self.resource = resource
        self.output = output
        super().__init__(
            f"{component}: the provider returned no `{output}` for {resource}. Scaleway always "
            "computes it; a test mock must return it too (private_serverless.testing."
            "ScalewayMocks does, a mock that echoes inputs does not)"
        )
