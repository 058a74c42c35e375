"""User-facing errors.

Every exception defined here carries a message that is safe to print: it names *where* the
problem is (component, stack file, key path, field) and *what is allowed*, and never echoes a
secret value. The CLI turns them into one line on stderr and exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


class PrivateServerlessError(Exception):
    """Base class of the errors a user can cause and fix (bad input, missing secret)."""


def hide_on_user_error(excinfo: object) -> bool:
    """pytest's ``__tracebackhide__`` of the modules a user error passes through: hide their
    frames from its traceback, keep them for any other exception (a bug, to debug).

    pytest's long tracebacks print each frame's arguments, and the library's hold what the user
    gave (a component's args, secrets included); the error's message already says what to fix.
    ``excinfo`` is pytest's ``ExceptionInfo`` of the exception shown (or ``None``).
    """
    return isinstance(getattr(excinfo, "value", None), PrivateServerlessError)


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


#: Text a message quotes: 'x' or "x", however long.
_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"")
#: pydantic's error types whose message a validator wrote (ours, or a library's inside it):
#: those quote what they refuse. pydantic's own messages never hold the input, and the text
#: they quote is what is allowed ("Input should be 'function' or 'container'"), kept even
#: when the input holds it ("functions").
_VALIDATOR_MESSAGES = frozenset({"value_error", "assertion_error"})


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


def without_input(message: str, value: object, *, quoted: bool = True) -> str:
    """``message`` with any quoted text taken from ``value`` replaced by ``(the value)``.

    Validators (ours and the libraries') quote what they refuse: an invalid name, a CIDR
    inside a condition. That text may be a secret pasted in the wrong place, so what a message
    quotes from the input is cut (unless ``quoted`` is false: a message pydantic wrote, which
    quotes only what is allowed), whatever validator wrote it; the key path says where it is.
    """
    strings = [text for text in _strings_in(value, []) if text]
    if not strings:
        return message

    def replace(match: re.Match[str]) -> str:
        text = match[1] if match[1] is not None else match[2]
        return "(the value)" if any(text in string for string in strings) else match[0]

    return _QUOTED.sub(replace, message) if quoted else message


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
    # pasted in the wrong place: locations show it only as refused_key_shown allows (pydantic ends
    # such a location with "[key]", after the key itself; errors come in input order).
    refused = [tuple(e["loc"][:-1]) for e in errors if e["loc"][-1:] == (_KEY_MARK,)]
    # An unknown key ends its own location: it may be such a value too, unless it is made of
    # letters only, as a setting's name written another way is (keyExpiresInDays).
    refused += [
        tuple(e["loc"])
        for e in errors
        if e["type"] == "extra_forbidden" and e["loc"] and not _letters_only(str(e["loc"][-1]))
    ]
    labels = refused_key_labels(str(loc[-1]) for loc in refused if loc)
    hidden = {loc: labels[str(loc[-1])] for loc in refused if loc and str(loc[-1]) in labels}
    # Where a value may also be an Output, pydantic names the other member too (`env.A.str`).
    output_locs = {
        _location(prefix, e["loc"], hidden) for e in errors if e["type"] in _OUTPUT_MEMBER
    }
    located = []
    for error in errors:
        where = _location(prefix, error["loc"], hidden)
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
        message = without_input(
            message, error.get("input"), quoted=error["type"] in _VALIDATOR_MESSAGES
        )
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


# --- refused keys ---------------------------------------------------------------------------
# Errors name key paths, and a key is usually a name. A key that is refused (not a valid
# schedule, variable, service or namespace name) may instead be a value pasted in the wrong
# place: a token where a variable name belongs. Such a key is shown only when it reads as a
# mistyped name; otherwise errors say `<a refused key>` (numbered when a problem list refuses
# several, so that each problem still points at one of them). The rule is by shape, so it cannot
# tell a password that reads as a word (`hunter2`) or a passphrase of words from a name: those
# are shown, as any name is.

#: What an error shows in place of the one refused key it cannot show.
REFUSED_KEY = "<a refused key>"
#: A key as people write names: at most 64 characters, words joined by ``_``, ``-``, ``.``
#: or ``:`` (Pulumi's ``project:key``).
_NAME_SHAPE = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_WORD_SEPARATOR = re.compile(r"[_.:\-]")
#: Where a word turns from letters to digits or back (``k8s``: two), or grows a camel hump.
# Lookaheads, so that overlapping turns (``a1b``) count twice.
_LETTER_DIGIT_TURN = re.compile(r"(?=[A-Za-z][0-9]|[0-9][A-Za-z])")
_HUMP = re.compile(r"(?=[a-z][A-Z])")
#: Shorter keys are shown whatever their shape: replacing one would garble the messages that
#: happen to contain it, and a credential worth the name is longer.
_SHORTEST_HIDDEN = 4
#: The longest word, letter/digit turns and humps of a word that reads as a name.
_LONGEST_WORD = 24
_MOST_TURNS = 2
_MOST_HUMPS = 2


def refused_key_shown(key: str) -> bool:
    """Whether an error may show a refused key: it is short, or every word of it reads as a
    word of a name (``Nightly``, ``SCW_REGION``, ``k8s``, ``Backup2024``): at most 24
    characters, at most two turns between letters and digits, at most two camel humps.
    Tokens, hashes and ids turn more often (``a91c04d7e2b3``), hump more (``xKcdQWErtyUI``)
    or hold other characters (``c2VjcmV0Cg==``)."""
    if len(key) < _SHORTEST_HIDDEN:
        return True
    if not _NAME_SHAPE.fullmatch(key):
        return False
    return all(
        len(word) <= _LONGEST_WORD
        and len(_LETTER_DIGIT_TURN.findall(word)) <= _MOST_TURNS
        and len(_HUMP.findall(word)) <= _MOST_HUMPS
        for word in _WORD_SEPARATOR.split(key)
    )


#: A setting's name in any spelling: words of letters (camelCase, snake_case, kebab-case).
_LETTER_WORDS = re.compile(r"[A-Za-z]+(?:[_\-][A-Za-z]+)*")


def _letters_only(key: str) -> bool:
    """Whether ``key`` is made of letters only, each camel hump or separated word a word's
    length: what a misspelt setting name looks like, where tokens hold digits."""
    return (
        len(key) <= 64
        and bool(_LETTER_WORDS.fullmatch(key))
        and all(len(word) <= _LONGEST_WORD for word in re.split(r"[_\-]|(?<=[a-z])(?=[A-Z])", key))
    )


def refused_key_labels(keys: Iterable[str]) -> dict[str, str]:
    """What errors show for each of ``keys`` (refused, in the order the input has them) that
    :func:`refused_key_shown` does not let show: :data:`REFUSED_KEY` for one, numbered labels
    (``<refused key 1>``, ``<refused key 2>``) for several."""
    hidden = [key for key in dict.fromkeys(keys) if not refused_key_shown(key)]
    if len(hidden) == 1:
        return {hidden[0]: REFUSED_KEY}
    return {key: f"<refused key {index}>" for index, key in enumerate(hidden, start=1)}


#: The last part of the location of an error about a mapping's key, not about its value.
_KEY_MARK = "[key]"
#: Characters of a key: a hidden key is replaced where it stands whole, not inside another.
_KEY_CHARS = "A-Za-z0-9_\\-"


def hiding_keys(problems: Sequence[Problem], keys: Sequence[str]) -> list[Problem]:
    """``problems`` with each of ``keys`` (the caller's refused keys, in input order) that an
    error may not show replaced by its label (:func:`refused_key_labels`), wherever it stands
    whole in a key path or a message."""
    labels = refused_key_labels(keys)
    if not labels:
        return list(problems)
    # Longest first, so that a key inside a longer one does not cut it.
    ordered = sorted(labels, key=len, reverse=True)
    pattern = re.compile(
        f"(?<![{_KEY_CHARS}])(?:{'|'.join(map(re.escape, ordered))})(?![{_KEY_CHARS}])"
    )

    def hide(text: str) -> str:
        return pattern.sub(lambda match: labels[match[0]], text)

    return [Problem(hide(problem.path), hide(problem.message)) for problem in problems]


def _location(
    prefix: str, loc: tuple[int | str, ...], hidden: Mapping[tuple[int | str, ...], str]
) -> str:
    parts = [prefix] if prefix else []
    for depth, part in enumerate(loc, start=1):
        label = hidden.get(loc[:depth])
        if label is not None:
            parts.append(label)
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
