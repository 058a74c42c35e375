"""How the project's YAML files are read: bounded, strict, and in linear time.

Stack files (``Pulumi.<stack>.yaml``) and the project file (``Pulumi.yaml``) are parsed by
:func:`load_stack_yaml`. PyYAML alone keeps the last of two equal keys, expands aliases without
limit and quotes input tokens in its errors; here each of those is refused or cut, so a file is
accepted or refused quickly and no message echoes a value written in it.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from typing import Any

import yaml

from ..core.files import STACK_FILE_BOUNDS, Bounds
from ..errors import ConfigurationError, Problem, hide_on_user_error, refused_key_shown

__tracebackhide__ = hide_on_user_error

#: Deeper than this, a stack file is junk, not configuration; refusing it early keeps every
#: later recursive step (JSON encoding, validation) far from Python's recursion limit.
MAX_NESTING = STACK_FILE_BOUNDS.max_depth


#: The tags YAML 1.2's core schema resolves plain scalars to (besides ``str``).
_NULL, _BOOL = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_STR, _MERGE = "tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"
#: A plain scalar that YAML 1.1 readers and YAML 1.2 readers read as different values.
_AMBIGUOUS = "tag:private-serverless,2025:yaml-1.1-or-1.2"

# The YAML 1.2 core schema (yaml.org/spec/1.2.2, 10.3.2), which the Go yaml library (go-yaml
# v3) implements apart from the forms refused below; PyYAML implements YAML 1.1, where `on`,
# `yes` and `no` are booleans, `12:30` is the integer 750 and `017` is 15.
_CORE_NULL = re.compile(r"null|Null|NULL|~|")
_CORE_TRUE = re.compile(r"true|True|TRUE")
_CORE_FALSE = re.compile(r"false|False|FALSE")
_CORE_DECIMAL = re.compile(r"[-+]?[0-9]+")
_CORE_OCTAL = re.compile(r"0o[0-7]+")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_CORE_INFINITY = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_CORE_NAN = re.compile(r"\.(?:nan|NaN|NAN)")

# Plain scalars whose reading depends on the reader, refused so that the plan and `pulumi up`
# cannot silently differ: YAML 1.1 readers (PyYAML, go-yaml v2) take the first three for
# booleans; go-yaml v3 still reads `017` as octal 15 (1.2: 17) and strips `_` from numbers,
# and Go's integer syntax takes `0b101`, `0X1F`, `-0x1f` for numbers (1.2: strings).
# (`y` and `n` are YAML 1.1 booleans too, but PyYAML never read them so and a single letter is
# a fair name: a schedule `n`; they stay strings.)
_YAML11_BOOLEAN = re.compile(r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_GO_PREFIXED = re.compile(r"(?:[-+]0[xX]|0X)[0-9a-fA-F]+|(?:[-+]0[oO]|0O)[0-7]+|[-+]?0[bB][01]+")
#: What Go reads as a number once go-yaml v3 has removed the underscores.
_GO_NUMBER = re.compile(
    r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
)
#: Integers Go holds (int64 or uint64); beyond them go-yaml reads a float or a string.
_GO_INT_RANGE = range(-(2**63), 2**64)


def _ambiguous(value: str) -> str | None:
    """Why YAML 1.1 and 1.2 readers read the plain scalar ``value`` differently, if they do."""
    if _YAML11_BOOLEAN.fullmatch(value):
        return (
            "an unquoted yes/no/on/off is a boolean to YAML 1.1 readers and a string to "
            "YAML 1.2 ones: quote it, or write true or false"
        )
    if any(pattern.fullmatch(value) for pattern in (_CORE_DECIMAL, _CORE_OCTAL, _CORE_HEX)):
        if not _fits_64_bits(value):
            return (
                "an integer beyond 64 bits is an integer to YAML 1.2 and a float or a string "
                "to the Go yaml library: quote it"
            )
    elif _CORE_FLOAT.fullmatch(value) and math.isinf(float(value)):
        return "a number beyond a float's range: quote it"
    with_underscores = "_" in value and value[:1] in "+-0123456789"
    if (
        _LEADING_ZERO.fullmatch(value)
        or _GO_PREFIXED.fullmatch(value)
        or (with_underscores and _GO_NUMBER.fullmatch(value.replace("_", "")))
    ):
        return (
            "a number written with a leading zero, an underscore, 0b, 0X or 0O, or a sign "
            "before 0x/0o is read differently by YAML 1.1 and 1.2 readers: write it as 17, "
            "0o17 or 0x1f, or quote it"
        )
    return None


def _fits_64_bits(value: str) -> bool:
    """Whether a YAML 1.2 integer (decimal, ``0o`` or ``0x``) fits Go's int64 or uint64."""
    if len(value) > 30:  # longer is beyond 64 bits in any base, and int() may refuse it
        return False
    base, digits = {"0o": (8, value[2:]), "0x": (16, value[2:])}.get(value[:2], (10, value))
    return int(digits, base) in _GO_INT_RANGE


def _core_value(tag: str, value: str) -> Any:
    """The value of a scalar tagged ``tag`` (bool, int, float or null) as YAML 1.2's core schema
    reads it; ValueError when the text is not one the schema gives that tag."""
    if tag == _NULL and _CORE_NULL.fullmatch(value):
        return None
    if tag == _BOOL and (_CORE_TRUE.fullmatch(value) or _CORE_FALSE.fullmatch(value)):
        return value[0] in "tT"
    if tag == _INT:
        for pattern, base, skip in (
            (_CORE_DECIMAL, 10, 0),
            (_CORE_OCTAL, 8, 2),
            (_CORE_HEX, 16, 2),
        ):
            if pattern.fullmatch(value):
                if not _fits_64_bits(value):
                    raise ValueError("an integer beyond 64 bits: quote it")
                return int(value[skip:], base)
    if tag == _FLOAT:
        if _CORE_INFINITY.fullmatch(value):
            return -math.inf if value[0] == "-" else math.inf
        if _CORE_NAN.fullmatch(value):
            return math.nan
        if _CORE_FLOAT.fullmatch(value):
            return float(value)
    raise ValueError(f"not a YAML 1.2 {tag.rsplit(':', 1)[-1]}")


class _StackLoader(yaml.SafeLoader):
    """YAML as a stack file should be read: plain JSON-like data, every mistake a YAMLError.

    Unlike ``yaml.safe_load``: plain scalars resolve as YAML 1.2's core schema says, not as
    YAML 1.1 (``on`` and ``12:30`` are strings, ``0o17`` is 15), and the few that YAML 1.1 and
    1.2 readers read differently are refused (:func:`_ambiguous`); a date stays the string it
    was written as (Pulumi hands the program strings); ``!!binary`` and ``!!set`` are refused
    (they have no JSON form).
    """

    # PyYAML's class-level table of YAML 1.1 resolvers, emptied: resolve() decides instead.
    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}  # noqa: RUF012

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:  # plain: neither quoted nor tagged
            if value == "<<":
                return _MERGE
            if _ambiguous(value) is not None:
                return _AMBIGUOUS
            for tag in (_NULL, _BOOL, _INT, _FLOAT):
                with contextlib.suppress(ValueError):
                    _core_value(tag, value)
                    return tag
            return _STR
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]

    def _core_scalar(self, node: yaml.ScalarNode) -> Any:
        text = self.construct_scalar(node)
        try:
            # `!!int 017` too is 17 to YAML 1.2 and 15 to go-yaml.
            reason = _ambiguous(text)
            if reason is not None:
                raise ValueError(reason)
            return _core_value(node.tag, text)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None

    def _as_string(self, node: yaml.ScalarNode) -> str:
        return self.construct_scalar(node)

    def _refuse(self, node: yaml.Node) -> None:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.tag} values are not supported in a stack file", node.start_mark
        )


for _tag in (_NULL, _BOOL, _INT, _FLOAT):
    _StackLoader.add_constructor(_tag, _StackLoader._core_scalar)
_StackLoader.add_constructor("tag:yaml.org,2002:timestamp", _StackLoader._as_string)
_StackLoader.add_constructor("tag:yaml.org,2002:binary", _StackLoader._refuse)
_StackLoader.add_constructor("tag:yaml.org,2002:set", _StackLoader._refuse)
_StackLoader.add_constructor(_AMBIGUOUS, _StackLoader._refuse)  # reported earlier, with a path


def load_stack_yaml(
    text: str, label: str, *, bounds: Bounds = STACK_FILE_BOUNDS, project: str | None = None
) -> Any:
    """Parse a stack file, refusing duplicate keys and junk; errors name ``label``.

    PyYAML keeps the last of two equal keys without a word, so a service declared twice, or a
    setting written twice, would silently lose one; here it is an error naming the key path.
    With ``project``, two keys of ``config`` naming the same setting in two spellings
    (``services`` and ``<project>:services``) are such duplicates too.

    Aliases are resolved in linear time: the node tree is walked once with every alias
    expanded, and more than ``bounds.max_values`` nodes (a "billion laughs" document) stop the
    walk, before anything is constructed. Messages carry positions and key paths, never a
    token of the text (an undefined alias or tag name is often a secret pasted in a wrong place).
    """
    if len(text) > bounds.max_bytes:
        raise ConfigurationError(
            label, [Problem("", f"larger than {bounds.max_bytes} bytes, the most accepted")]
        )
    loader: _StackLoader | None = None
    try:
        _check_token_depth(text, label, bounds.max_depth)
        loader = _StackLoader(text)  # checks the characters already: inside the try
        node = loader.get_single_node()
        if node is None:
            return None
        references = _check_expansion(node, label, bounds)
        problems = _check_nodes(node, "", 0, bounds.max_depth)
        if project is not None and not problems:
            problems = _check_config_spellings(node, project) or _check_service_entries(
                node, project, references
            )
        if problems:
            raise ConfigurationError(label, _at_most(problems, _MAX_PROBLEMS))
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        reason = f": {_without_tokens(problem)}" if problem else ""
        raise ConfigurationError(label, [Problem("", f"invalid YAML{where}{reason}")]) from None
    except RecursionError:
        raise ConfigurationError(label, [Problem("", "invalid YAML: nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()


_OPENING = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _check_token_depth(text: str, label: str, max_depth: int) -> None:
    """Refuse deep nesting from the tokens, before PyYAML's recursive parser sees it.

    The scanner is iterative and linear; the parser and composer recurse once per level, so
    ``[[[[...`` in a few KB would otherwise run into Python's recursion limit, slowly.
    Indentless sequences (``- x`` under a key) open no token: the bound is checked again on
    the composed nodes, where it is exact.
    """
    scanner = _StackLoader(text)
    depth = 0
    try:
        while scanner.check_token():
            token = scanner.get_token()  # type: ignore[no-untyped-call]
            if isinstance(token, _OPENING):
                depth += 1
                if depth > max_depth + 1:  # +1: the document's own top-level mapping
                    line = token.start_mark.line + 1
                    raise ConfigurationError(
                        label,
                        [Problem("", f"nested more than {max_depth} levels deep (line {line})")],
                    )
            elif isinstance(token, _CLOSING):
                depth -= 1
    finally:
        scanner.dispose()


#: PyYAML quotes the offending token (an alias or tag name, a character) in its messages.
_QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|'.*|".*""")
#: Quoted text that is PyYAML's own vocabulary, not the input: ``':'``, ``'<block end>'``.
_GRAMMAR = re.compile(r"""^['"](?:[^\w\s'"]{1,3}|<[a-z ]{1,30}>)['"]$""")


def _without_tokens(problem: str) -> str:
    """A PyYAML problem without the input text it quotes: the reason, not the input."""
    kept = _QUOTED.sub(lambda m: m[0] if _GRAMMAR.match(m[0]) else "", str(problem))
    return " ".join(kept.split())[:200]


#: A file with thousands of mistakes is reported by its first ones.
_MAX_PROBLEMS = 20


def _at_most(problems: list[Problem], count: int) -> list[Problem]:
    if len(problems) <= count:
        return problems
    return [*problems[:count], Problem("", f"and {len(problems) - count} more problems")]


class _Expansion(Exception):
    """The node graph is too large, too deep or cyclic once aliases are expanded."""


def _check_expansion(root: yaml.Node, label: str, bounds: Bounds) -> dict[int, int]:
    """Refuse a document whose aliases expand beyond ``bounds``, in time linear in its nodes.

    An alias is a second reference to a node, so the composed document is a graph, and the
    expanded tree can be exponentially larger (a "billion laughs" file). Each distinct node is
    measured once (expanded size and height, memoized), so this costs one pass over the nodes
    as written, and the walks after it never see more than ``bounds.max_values`` nodes.
    Returns how many times each node (by ``id``) is referenced: more than once means aliased.
    """
    measured: dict[int, tuple[int, int]] = {}
    references: dict[int, int] = {}
    active: set[int] = set()

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        references[id(node)] = references.get(id(node), 0) + 1
        known = measured.get(id(node))
        if known is not None:
            if depth + known[1] > bounds.max_depth:
                raise _Expansion(f"nested more than {bounds.max_depth} levels deep")
            return known
        if id(node) in active:
            raise _Expansion("a YAML alias refers to a collection that contains it")
        if depth > bounds.max_depth:
            raise _Expansion(f"nested more than {bounds.max_depth} levels deep")
        active.add(id(node))
        size, height = 1, 0
        for child in _children(node):
            child_size, child_height = measure(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > bounds.max_values:
                raise _Expansion(
                    f"more than {bounds.max_values} values once YAML aliases are expanded "
                    "(aliases nested in aliases grow exponentially); write the values out"
                )
        active.discard(id(node))
        measured[id(node)] = (size, height)
        return size, height

    try:
        measure(root, 0)
    except _Expansion as exc:
        raise ConfigurationError(label, [Problem("", str(exc))]) from None
    return references


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_nodes(node: yaml.Node, path: str, depth: int, max_depth: int) -> list[Problem]:
    """Duplicate keys, scalars read differently by YAML 1.1 and 1.2, and excessive nesting
    under ``node``, with their key paths."""
    if depth > max_depth:
        return [Problem(path, f"nested more than {max_depth} levels deep")]
    if isinstance(node, yaml.ScalarNode) and node.tag == _AMBIGUOUS:
        return [Problem(path, _ambiguous(node.value) or "ambiguous scalar")]
    if isinstance(node, yaml.MappingNode):
        return _check_mapping(node, path, depth, max_depth)
    problems: list[Problem] = []
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_check_nodes(item, f"{path}[{index}]", depth + 1, max_depth))
    return problems


def _check_mapping(node: yaml.MappingNode, path: str, depth: int, max_depth: int) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, Any], int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            # `<<: *anchor` overriding keys is what merge keys are for; its nodes still count.
            problems.extend(_check_nodes(value_node, path, depth + 1, max_depth))
            continue
        line = key_node.start_mark.line + 1
        # A key that does not read as a name may be a value pasted in its place: its line
        # says where it is (errors.refused_key_shown).
        whole = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
        shown = _key_text(key_node) if refused_key_shown(whole) else f"<key on line {line}>"
        child = f"{path}.{shown}" if path else shown
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _AMBIGUOUS:
            problems.append(Problem(child, _ambiguous(key_node.value) or "ambiguous scalar"))
        elif isinstance(key_node, yaml.ScalarNode):
            identities = _key_identities(key_node)
            first = next((seen[identity] for identity in identities if identity in seen), None)
            if first is not None:
                problems.append(
                    Problem(
                        child,
                        f"duplicate key (lines {first} and {line}); "
                        "YAML would silently keep only the last one",
                    )
                )
            else:
                seen.update(dict.fromkeys(identities, line))
        else:
            problems.append(Problem(child, "a key must be a plain string, not a structure"))
        problems.extend(_check_nodes(value_node, child, depth + 1, max_depth))
    return problems


def _key_identities(key_node: yaml.ScalarNode) -> tuple[tuple[str, Any], ...]:
    """What makes two keys one once resolved (YAML 1.2): ``true`` and ``True`` are one key.

    Two identities: the value (Python's dict makes one key of ``1``, ``1.0`` and ``true``) and
    the text a JSON object gives it (the program reads structured settings as JSON, where the
    key ``true`` and the string ``"true"`` are one)."""
    text = str(key_node.value)
    if key_node.tag == _STR:
        return (("value", text), ("json", text))
    try:
        value = _core_value(key_node.tag, text)
    except ValueError:  # refused when the document is constructed
        return (("tagged", (key_node.tag, text)),)
    return (("value", value), ("json", json.dumps(value)))


#: Key paths name keys, but a pasted blob as a key should not fill the terminal.
_MAX_KEY_IN_PATH = 64


def _key_text(key_node: yaml.Node) -> str:
    if not isinstance(key_node, yaml.ScalarNode):
        return "?"
    text = str(key_node.value)
    return text if len(text) <= _MAX_KEY_IN_PATH else text[:_MAX_KEY_IN_PATH] + "..."


def _value_of(node: yaml.Node, *keys: str) -> yaml.Node | None:
    """The value of the first of ``keys`` in the mapping ``node``, if there is one."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (
            value
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and key.value in keys
        ),
        None,
    )


def _check_service_entries(
    root: yaml.Node, project: str, references: dict[int, int]
) -> list[Problem]:
    """Service entries must be written out, not copied with an alias or a merge key.

    A copy silently makes two services of one entry, and lets a few bytes declare hundreds
    of services, each costing the plan real time and memory (a 1 KB stack file of aliases
    ran for 6 s and 140 MB). Aliases inside an entry (a shared ``env`` map) stay allowed;
    settings shared by every service go in ``defaults``.
    """
    config = _value_of(root, "config")
    services = None if config is None else _value_of(config, "services", f"{project}:services")
    if not isinstance(services, yaml.MappingNode):
        return []
    problems: list[Problem] = []
    for key_node, entry in services.value:
        merged = isinstance(entry, yaml.MappingNode) and any(
            key.tag == "tag:yaml.org,2002:merge" for key, _ in entry.value
        )
        if merged or references.get(id(entry), 0) > 1:
            problems.append(
                Problem(
                    f"services.{_key_text(key_node)}",
                    "a service entry is written out, not copied with a YAML alias (*name) or "
                    "merge key (<<); put settings shared by every service in `defaults`",
                )
            )
    return problems


def _check_config_spellings(root: yaml.Node, project: str) -> list[Problem]:
    """Keys of ``config`` that name one setting twice: ``key`` and ``<project>:key``."""
    config = _value_of(root, "config")
    if not isinstance(config, yaml.MappingNode):
        return []
    seen: dict[str, tuple[str, int]] = {}
    problems: list[Problem] = []
    for key_node, _ in config.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        written = str(key_node.value)
        full = written if ":" in written else f"{project}:{written}"
        line = key_node.start_mark.line + 1
        if full in seen:
            first, first_line = seen[full]
            problems.append(
                Problem(
                    f"config.{_key_text(key_node)}",
                    f"the same setting as `{first}` (lines {first_line} and {line}); "
                    "keep one of the two",
                )
            )
        else:
            seen[full] = (written, line)
    return problems
