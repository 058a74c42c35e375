"""The type checker behind condition validation: what a Scaleway serverless condition may say.

The expression is parsed with cel-python's grammar and its lark tree is walked by a small type
checker that allow-lists what Scaleway evaluates for serverless calls:

* attributes ``request.ip`` (string), ``request.user_agent`` (string, truncated at 255
  characters) and ``request.time`` (timestamp); ``resource.*`` and ``session.*`` do not exist
  for serverless calls,
* Scaleway's ``inIpRange(ip, subnet)``, the standard CEL string functions and the timestamp
  accessors (optionally in an IANA time zone, UTC by default),
* operators ``&& || ! == != < <= > >= in``.

Sources: https://www.scaleway.com/en/docs/iam/reference-content/understanding-request-level-conditions/
and https://www.scaleway.com/en/docs/iam/policies-permissions/cel-conditions-guide/ .

Anything else is an error that names what is wrong and where (1-based line and column).
Literal arguments are checked too (CIDR networks, time zones, regular expressions, ranges of
hours and days), and a few valid-but-suspicious shapes produce warnings.
"""

from __future__ import annotations

import difflib
import ipaddress
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final
from zoneinfo import available_timezones

from ..errors import hide_on_user_error
from .errors import ConditionError, ConditionWarning
from .request import USER_AGENT_MAX_LENGTH

__tracebackhide__ = hide_on_user_error

# --- what exists --------------------------------------------------------------------------

#: The attributes a serverless condition can read, with their CEL types.
REQUEST_ATTRIBUTES: Final = {"ip": "string", "user_agent": "string", "time": "timestamp"}

#: Timestamp accessors and the range of values they return (None: unbounded). Ranges follow the
#: CEL specification, which cel-go (Scaleway) and cel-python implement: getMonth,
#: getDayOfMonth and getDayOfYear are zero-based, getDate is one-based, 0 = Sunday.
TIMESTAMP_ACCESSORS: Final[dict[str, tuple[str, range | None]]] = {
    "getFullYear": ("year", None),
    "getMonth": ("month (0 = January)", range(12)),
    "getDayOfYear": ("day of the year (0-based)", range(366)),
    "getDayOfMonth": ("day of the month (0-based)", range(31)),
    "getDate": ("day of the month (1-based)", range(1, 32)),
    "getDayOfWeek": ("day of the week (0 = Sunday)", range(7)),
    "getHours": ("hour", range(24)),
    "getMinutes": ("minute", range(60)),
    "getSeconds": ("second", range(60)),
    "getMilliseconds": ("millisecond", range(1000)),
}
DURATION_ACCESSORS: Final = frozenset({"getHours", "getMinutes", "getSeconds", "getMilliseconds"})
STRING_PREDICATES: Final = frozenset({"contains", "startsWith", "endsWith", "matches"})
GLOBAL_FUNCTIONS: Final = ("inIpRange", "size", "timestamp", "duration")

#: Deepest nesting of operators, calls and parentheses accepted (real conditions use < 10).
MAX_NESTING: Final = 64

_NUMERIC: Final = frozenset({"int", "uint", "double"})
_ORDERED: Final = _NUMERIC | {"string", "bytes", "bool", "timestamp", "duration"}

# Networks whose addresses Scaleway never reports as request.ip (only public addresses are),
# so an inIpRange on one of them never matches. Python's ``is_private`` is not used on purpose:
# it also covers the documentation ranges (192.0.2.0/24, 2001:db8::/32...) that examples use.
_NON_PUBLIC_NETWORKS: Final = tuple(
    (ipaddress.ip_network(cidr), label)
    for cidr, label in (
        ("10.0.0.0/8", "a private (RFC 1918) range"),
        ("172.16.0.0/12", "a private (RFC 1918) range"),
        ("192.168.0.0/16", "a private (RFC 1918) range"),
        ("100.64.0.0/10", "the carrier-grade NAT shared range (RFC 6598)"),
        ("127.0.0.0/8", "the loopback range"),
        ("169.254.0.0/16", "the link-local range"),
        ("fc00::/7", "the unique-local range (RFC 4193)"),
        ("::1/128", "the loopback address"),
        ("fe80::/10", "the link-local range"),
    )
)

#: IPv6 addresses that stand for IPv4 ones (RFC 4291, section 2.5.5.2).
_IPV4_MAPPED: Final = ipaddress.IPv6Network("::ffff:0:0/96")

#: The first and last instants a CEL timestamp can hold (the CEL specification: years 1 to
#: 9999 in UTC, https://github.com/google/cel-spec/blob/master/doc/langdef.md#overflow).
FIRST_INSTANT: Final = datetime(1, 1, 1, tzinfo=UTC)
LAST_INSTANT: Final = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)

_DURATION_PATTERN: Final = re.compile(r"-?(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+")

# --- the checker's values -------------------------------------------------------------------

_NO_LITERAL: Final = object()


@dataclass(frozen=True)
class _Accessor:
    """``request.time.<method>(<zone>)``: the things a range constraint can be about."""

    method: str
    zone: str | None

    def __str__(self) -> str:
        zone = "" if self.zone is None else f'"{self.zone}"'
        return f"request.time.{self.method}({zone})"


@dataclass(frozen=True)
class _Constraint:
    """The values an accessor may take for one comparison to hold (e.g. hour >= 18)."""

    accessor: _Accessor
    allowed: frozenset[int]
    text: str


@dataclass(frozen=True)
class _Typed:
    """What the checker knows about a sub-expression."""

    type: str
    element: str | None = None  # element type of a list
    literal: Any = _NO_LITERAL  # Python value of a constant
    attribute: str | None = None  # "request.ip" etc. when the node is exactly that attribute
    accessor: _Accessor | None = None  # when the node is request.time.getX(zone)
    accessor_range: range | None = None
    constraints: tuple[_Constraint, ...] = ()  # all must hold for this (bool) node to be true
    never: bool = False  # already known never to be true (and already warned about)


@dataclass(frozen=True)
class _Position:
    line: int | None
    column: int | None


def accessor_constraint(atom: Any) -> tuple[_Accessor, frozenset[int], range] | None:
    """For a lone comparison of a timestamp accessor with numbers: (accessor, values, domain).

    ``request.time.getHours("Europe/Paris") >= 9`` gives the hours 9..23 out of 0..23; any other
    expression gives None. Used to reason about time windows without sampling instants.
    """
    typed = Checker().value(atom)
    if len(typed.constraints) != 1:
        return None
    (constraint,) = typed.constraints
    domain = TIMESTAMP_ACCESSORS[constraint.accessor.method][1]
    if domain is None:
        return None
    return constraint.accessor, constraint.allowed, domain


# --- the tree walk ------------------------------------------------------------------------


def position(node: Any) -> _Position:
    """1-based position of a lark Tree or Token (lark counts columns from 1)."""
    if hasattr(node, "meta"):
        meta = node.meta
        return _Position(getattr(meta, "line", None), getattr(meta, "column", None))
    return _Position(getattr(node, "line", None), getattr(node, "column", None))


def _error(node: Any, message: str) -> ConditionError:
    where = position(node)
    return ConditionError(message, line=where.line, column=where.column)


def _children_trees(node: Any) -> list[Any]:
    """The sub-trees of a lark node, without its tokens (tokens are strings, without .data)."""
    return [child for child in node.children if hasattr(child, "data")]


def article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


@dataclass
class Checker:
    """Walks cel-python's lark tree, computing a type for each node and collecting warnings."""

    warnings: list[ConditionWarning] = field(default_factory=list)
    depth: int = 0

    def warn(self, node: Any, message: str) -> None:
        where = position(node)
        self.warnings.append(ConditionWarning(message, line=where.line, column=where.column))

    # Dispatch. Most grammar rules have a one-child form that just passes through.

    def value(self, node: Any) -> _Typed:
        """Type of ``node``, which must be a value (not the bare ``request`` object)."""
        typed = self.node(node)
        if typed.type == "request":
            raise _error(node, "'request' must be followed by .ip, .user_agent or .time")
        return typed

    def node(self, node: Any) -> _Typed:
        # Skip wrapper rules in a loop, not by recursion: each parenthesis costs ten of them.
        while node.data in _PASS_THROUGH and len(node.children) == 1:
            children = _children_trees(node)
            if len(children) != 1:
                break
            node = children[0]
        handler: Callable[[Any], _Typed] | None = getattr(self, f"rule_{node.data}", None)
        if handler is None:  # a construct this checker does not allow-list
            raise _error(node, f"unsupported CEL construct ({node.data}) in an access condition")
        # A fixed limit, so that the answer does not depend on the interpreter's recursion limit
        # (cel-python raises it when it first evaluates).
        if self.depth >= MAX_NESTING:
            raise _error(node, f"the condition is nested more than {MAX_NESTING} levels deep")
        self.depth += 1
        try:
            return handler(node)
        finally:
            self.depth -= 1

    # Logical operators.

    def rule_expr(self, node: Any) -> _Typed:
        raise _error(node, "the conditional operator '? :' is not supported; use && and ||")

    def rule_conditionalor(self, node: Any) -> _Typed:
        # a || b || c is left-nested; walk the chain in a loop so long chains stay shallow.
        current = node
        while current.data == "conditionalor" and len(current.children) == 2:
            left, right = current.children
            self._expect_bool(right, "||")
            current = left
        self._expect_bool(current, "||")
        return _Typed("bool")

    def rule_conditionaland(self, node: Any) -> _Typed:
        # a && b && c is left-nested; flatten it to judge the whole conjunction once.
        operands: list[Any] = []
        current = node
        while current.data == "conditionaland" and len(current.children) == 2:
            left, right = current.children
            operands.append(right)
            current = left
        operands.append(current)
        operands.reverse()
        typed = [self._expect_bool(operand, "&&") for operand in operands]
        constraints = tuple(c for t in typed for c in t.constraints)
        never = any(t.never for t in typed)
        if not never:
            never = self._check_satisfiable(node, constraints)
        return _Typed("bool", constraints=constraints, never=never)

    def _check_satisfiable(self, node: Any, constraints: Sequence[_Constraint]) -> bool:
        by_accessor: dict[_Accessor, list[_Constraint]] = {}
        for constraint in constraints:
            by_accessor.setdefault(constraint.accessor, []).append(constraint)
        for accessor, group in by_accessor.items():
            allowed = frozenset.intersection(*(c.allowed for c in group))
            if not allowed:
                tests = " and ".join(c.text for c in group)
                self.warn(
                    node,
                    f"{accessor} cannot be {tests} at the same time: this part of the "
                    "condition is never true",
                )
                return True
        return False

    def rule_unary(self, node: Any) -> _Typed:
        op, operand = node.children
        if op.data == "unary_not":
            self._expect_bool(operand, "!")
            return _Typed("bool")
        typed = self.value(operand)  # unary minus
        if typed.type not in {"int", "double"}:
            raise _error(node, f"'-' needs a number, not {article(typed.type)}")
        literal = -typed.literal if typed.literal is not _NO_LITERAL else _NO_LITERAL
        return _Typed(typed.type, literal=literal)

    def _expect_bool(self, node: Any, operator_text: str) -> _Typed:
        typed = self.value(node)
        if typed.type != "bool":
            raise _error(
                node, f"'{operator_text}' needs true/false operands, not {article(typed.type)}"
            )
        return typed

    # Comparisons.

    def rule_relation(self, node: Any) -> _Typed:
        op_node, right_node = node.children
        left_node = op_node.children[0]
        op = _RELATIONS[op_node.data]
        left = self.value(left_node)
        right = self.value(right_node)
        if op == "in":
            return self._membership(node, right_node, left, right)
        if not _comparable(left.type, right.type):
            raise _error(
                op_node,
                f"cannot compare {article(left.type)} with {article(right.type)} using '{op}'",
            )
        if op not in {"==", "!="} and left.type not in _ORDERED:
            raise _error(op_node, f"'{op}' cannot order {left.type} values")
        self._warn_long_user_agent(node, left, right)
        self._warn_long_user_agent(node, right, left)
        # accessor OP literal, or literal OP accessor (flip the operator to read it left to right)
        if left.accessor is not None and isinstance(right.literal, int):
            return self._range_constraint(right_node, left, op, right.literal)
        if right.accessor is not None and isinstance(left.literal, int):
            return self._range_constraint(left_node, right, _FLIPPED[op], left.literal)
        return _Typed("bool")

    def _membership(self, node: Any, right_node: Any, left: _Typed, right: _Typed) -> _Typed:
        if right.type != "list":
            raise _error(node, f"'in' needs a list on its right, not {article(right.type)}")
        if right.element is not None and not _comparable(left.type, right.element):
            raise _error(
                node, f"cannot look for {article(left.type)} in a list of {right.element} values"
            )
        if left.accessor is not None and isinstance(right.literal, list):
            values = [v for v in right.literal if isinstance(v, int)]
            for value in values:
                self._check_range(right_node, left, value)
            assert left.accessor_range is not None
            allowed = frozenset(values) & frozenset(left.accessor_range)
            text = "in [" + ", ".join(map(str, values)) + "]"
            constraint = _Constraint(left.accessor, allowed, text)
            never = self._never(right_node, allowed, constraint)
            return _Typed("bool", constraints=(constraint,), never=never)
        return _Typed("bool")

    def _range_constraint(self, literal_node: Any, accessor: _Typed, op: str, value: int) -> _Typed:
        self._check_range(literal_node, accessor, value)
        assert accessor.accessor is not None and accessor.accessor_range is not None
        compare = _OPERATORS[op]
        allowed = frozenset(v for v in accessor.accessor_range if compare(v, value))
        constraint = _Constraint(accessor.accessor, allowed, f"{op} {value}")
        return _Typed(
            "bool", constraints=(constraint,), never=self._never(literal_node, allowed, constraint)
        )

    def _never(self, node: Any, allowed: frozenset[int], constraint: _Constraint) -> bool:
        """Warn about a lone comparison that no value satisfies (``getHours() > 23``)."""
        if allowed:
            return False
        self.warn(
            node, f"{constraint.accessor} is never {constraint.text}: this comparison is never true"
        )
        return True

    def _check_range(self, node: Any, accessor: _Typed, value: int) -> None:
        assert accessor.accessor is not None
        what, valid = TIMESTAMP_ACCESSORS[accessor.accessor.method]
        if valid is not None and value not in valid:
            raise _error(
                node,
                f"{value} is not a valid {what}: {accessor.accessor.method}() returns "
                f"{valid.start} to {valid.stop - 1}",
            )

    def _warn_long_user_agent(self, node: Any, subject: _Typed, other: _Typed) -> None:
        if (
            subject.attribute == "request.user_agent"
            and isinstance(other.literal, str)
            and len(other.literal) > USER_AGENT_MAX_LENGTH
        ):
            self.warn(
                node,
                f"request.user_agent is truncated at {USER_AGENT_MAX_LENGTH} characters, so it "
                f"never equals this {len(other.literal)}-character string",
            )

    # Member access and calls.

    def rule_member_dot(self, node: Any) -> _Typed:
        receiver_node, name = node.children
        receiver = self.node(receiver_node)
        if receiver.type != "request":
            raise _error(name, f"unknown field '.{name}' on {article(receiver.type)}")
        if str(name) not in REQUEST_ATTRIBUTES:
            suggestion = _did_you_mean(str(name), REQUEST_ATTRIBUTES)
            raise _error(
                name,
                f"unknown attribute 'request.{name}'{suggestion}; serverless conditions can "
                "read request.ip, request.user_agent and request.time",
            )
        return _Typed(REQUEST_ATTRIBUTES[str(name)], attribute=f"request.{name}")

    def rule_member_dot_arg(self, node: Any) -> _Typed:
        receiver_node, name, *rest = node.children
        method = str(name)
        receiver = self.value(receiver_node)
        argument_nodes = _children_trees(rest[0]) if rest else []
        arguments = [self.value(argument) for argument in argument_nodes]
        if receiver.type == "string":
            return self._string_method(node, name, receiver, argument_nodes, arguments)
        if receiver.type == "timestamp" and method in TIMESTAMP_ACCESSORS:
            self._arity(name, f"{method}()", arguments, 0, 1, expects="an optional time zone")
            zone: str | None = None
            if arguments:
                self._expect_type(argument_nodes[0], arguments[0], "string", f"{method}()", 1)
                if isinstance(arguments[0].literal, str):
                    zone = _check_zone(argument_nodes[0], arguments[0].literal)
                    # getHours("UTC") and getHours() read the same value.
                    zone = None if zone == "UTC" else zone
            _, valid = TIMESTAMP_ACCESSORS[method]
            is_request_time = receiver.attribute == "request.time"
            known_zone = not arguments or isinstance(arguments[0].literal, str)
            accessor = _Accessor(method, zone) if is_request_time and known_zone and valid else None
            return _Typed("int", accessor=accessor, accessor_range=valid)
        if receiver.type == "duration" and method in DURATION_ACCESSORS:
            self._arity(name, f"{method}()", arguments, 0, 0, expects="no arguments on a duration")
            return _Typed("int")
        if receiver.type in {"list", "bytes"} and method == "size":
            self._arity(name, "size()", arguments, 0, 0, expects="no arguments")
            return _Typed("int")
        allowed = _methods_of(receiver.type)
        hint = f"; {receiver.type} methods are: {', '.join(allowed)}" if allowed else ""
        raise _error(name, f"unknown method '{method}' on {article(receiver.type)}{hint}")

    def _string_method(
        self,
        node: Any,
        name: Any,
        receiver: _Typed,
        argument_nodes: list[Any],
        arguments: list[_Typed],
    ) -> _Typed:
        method = str(name)
        if method == "size":
            self._arity(name, "size()", arguments, 0, 0, expects="no arguments")
            return _Typed("int")
        if method not in STRING_PREDICATES:
            raise _error(
                name,
                f"unknown method '{method}' on a string; string methods are: "
                f"{', '.join(_methods_of('string'))}",
            )
        self._arity(name, f"{method}()", arguments, 1, 1, expects="one string")
        self._expect_type(argument_nodes[0], arguments[0], "string", f"{method}()", 1)
        literal = arguments[0].literal
        if method == "matches" and isinstance(literal, str):
            # Scaleway's CEL (cel-go) compiles patterns with RE2, and so does cel-python: no
            # look-around or back-references, but Unicode classes like \p{L}.
            reason = re2_error(literal)
            if reason is not None:
                raise _error(argument_nodes[0], f"invalid regular expression (RE2): {reason}")
        elif (
            receiver.attribute == "request.user_agent"
            and isinstance(literal, str)
            and len(literal) > USER_AGENT_MAX_LENGTH
        ):
            self.warn(
                node,
                f"request.user_agent is truncated at {USER_AGENT_MAX_LENGTH} characters, so "
                f"{method}() with a {len(literal)}-character string never matches",
            )
        return _Typed("bool")

    def rule_ident_arg(self, node: Any) -> _Typed:
        name, *rest = node.children
        function = str(name)
        argument_nodes = _children_trees(rest[0]) if rest else []
        if function not in GLOBAL_FUNCTIONS:
            suggestion = _did_you_mean(function, GLOBAL_FUNCTIONS)
            raise _error(
                name,
                f"unknown function '{function}'{suggestion}; functions available in access "
                f"conditions are {', '.join(GLOBAL_FUNCTIONS)} and the string and timestamp "
                "methods",
            )
        arguments = [self.value(argument) for argument in argument_nodes]
        if function == "inIpRange":
            self._arity(name, "inIpRange()", arguments, 2, 2, expects="an IP address and a subnet")
            for index, (argument_node, argument) in enumerate(
                zip(argument_nodes, arguments, strict=True), start=1
            ):
                self._expect_type(argument_node, argument, "string", "inIpRange()", index)
            if isinstance(arguments[0].literal, str):
                _check_address(argument_nodes[0], arguments[0].literal)
            if isinstance(arguments[1].literal, str):
                network = _check_network(argument_nodes[1], arguments[1].literal)
                self._warn_non_public(argument_nodes[1], network)
            return _Typed("bool")
        if function == "size":
            self._arity(name, "size()", arguments, 1, 1, expects="one string or list")
            if arguments[0].type not in {"string", "bytes", "list"}:
                raise _error(
                    argument_nodes[0],
                    f"size() needs a string or a list, not {article(arguments[0].type)}",
                )
            return _Typed("int")
        # timestamp("...") and duration("...") conversions
        self._arity(name, f"{function}()", arguments, 1, 1, expects="one string")
        self._expect_type(argument_nodes[0], arguments[0], "string", f"{function}()", 1)
        if isinstance(arguments[0].literal, str):
            checker = _check_timestamp if function == "timestamp" else _check_duration
            checker(argument_nodes[0], arguments[0].literal)
        return _Typed(function)

    def _warn_non_public(
        self, node: Any, network: ipaddress.IPv4Network | ipaddress.IPv6Network
    ) -> None:
        for non_public, label in _NON_PUBLIC_NETWORKS:
            # subnet_of() needs two networks of one version; the first test guarantees it.
            if network.version == non_public.version and network.subnet_of(non_public):  # type: ignore[arg-type]
                self.warn(
                    node,
                    f"{network} is in {label}; Scaleway only sees public source addresses as "
                    "request.ip, so this range never matches",
                )
                return

    def _arity(
        self,
        name: Any,
        what: str,
        arguments: Sequence[_Typed],
        low: int,
        high: int,
        *,
        expects: str,
    ) -> None:
        if not low <= len(arguments) <= high:
            raise _error(name, f"{what} takes {expects}, got {len(arguments)} argument(s)")

    def _expect_type(
        self, node: Any, argument: _Typed, expected: str, what: str, index: int
    ) -> None:
        if argument.type != expected:
            raise _error(
                node,
                f"argument {index} of {what} must be a {expected}, not {article(argument.type)}",
            )

    # Constructs that CEL has but access conditions do not need.

    def rule_addition(self, node: Any) -> _Typed:
        raise _arithmetic_error(node)

    def rule_multiplication(self, node: Any) -> _Typed:
        raise _arithmetic_error(node)

    def rule_member_index(self, node: Any) -> _Typed:
        raise _error(node, "index expressions ([...]) are not supported in access conditions")

    def rule_member_object(self, node: Any) -> _Typed:
        raise _error(node, "message constructions ({...}) are not supported in access conditions")

    def rule_map_lit(self, node: Any) -> _Typed:
        raise _error(node, "map literals are not supported in access conditions")

    def rule_dot_ident(self, node: Any) -> _Typed:
        raise _error(node, "leading-dot names are not supported in access conditions")

    def rule_dot_ident_arg(self, node: Any) -> _Typed:
        raise _error(node, "leading-dot function calls are not supported in access conditions")

    # Primaries.

    def rule_ident(self, node: Any) -> _Typed:
        (name,) = node.children
        if str(name) == "request":
            return _Typed("request")
        raise _error(
            name,
            f"unknown variable '{name}'; serverless conditions can only read request.ip, "
            "request.user_agent and request.time",
        )

    def rule_paren_expr(self, node: Any) -> _Typed:
        (inner,) = _children_trees(node)
        return self.value(inner)

    def rule_list_lit(self, node: Any) -> _Typed:
        element_nodes = _children_trees(node.children[0]) if node.children else []
        elements = [self.value(element) for element in element_nodes]
        element_type: str | None = None
        for element_node, element in zip(element_nodes, elements, strict=True):
            if element_type is None:
                element_type = element.type
            elif not _comparable(element_type, element.type):
                raise _error(
                    element_node,
                    f"list elements must have one type: {article(element.type)} follows "
                    f"{article(element_type)}",
                )
        literal: Any = _NO_LITERAL
        if all(element.literal is not _NO_LITERAL for element in elements):
            literal = [element.literal for element in elements]
        return _Typed("list", element=element_type, literal=literal)

    def rule_literal(self, node: Any) -> _Typed:
        (token,) = node.children
        kind = token.type
        text = str(token)
        if kind == "INT_LIT":
            return _Typed("int", literal=_parse_int(text))
        if kind == "UINT_LIT":
            return _Typed("uint", literal=_parse_int(text[:-1]))
        if kind == "FLOAT_LIT":
            return _Typed("double", literal=float(text))
        if kind in {"STRING_LIT", "MLSTRING_LIT"}:
            from celpy.evaluation import celstr  # lazy: the engine is heavy

            return _Typed("string", literal=str(celstr(token)))
        # BOOL_LIT, NULL_LIT, BYTES_LIT
        literals: dict[str, _Typed] = {
            "BOOL_LIT": _Typed("bool", literal=text == "true"),
            "NULL_LIT": _Typed("null", literal=None),
        }
        return literals.get(kind, _Typed("bytes"))


# Rules that only wrap a single child when they have one child.
_PASS_THROUGH: Final = frozenset(
    {
        "expr",
        "conditionalor",
        "conditionaland",
        "relation",
        "addition",
        "multiplication",
        "unary",
        "member",
        "primary",
    }
)

_RELATIONS: Final = {
    "relation_lt": "<",
    "relation_le": "<=",
    "relation_gt": ">",
    "relation_ge": ">=",
    "relation_eq": "==",
    "relation_ne": "!=",
    "relation_in": "in",
}
_FLIPPED: Final = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_OPERATORS: Final[dict[str, Callable[[int, int], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


# --- literal checks -----------------------------------------------------------------------


def _arithmetic_error(node: Any) -> ConditionError:
    symbol = {
        "addition_add": "+",
        "addition_sub": "-",
        "multiplication_mul": "*",
        "multiplication_div": "/",
        "multiplication_mod": "%",
    }.get(node.children[0].data, "?")
    return _error(
        node, f"arithmetic ('{symbol}') is not supported in access conditions; compare values"
    )


def _comparable(left: str, right: str) -> bool:
    return left == right or (left in _NUMERIC and right in _NUMERIC)


def _methods_of(type_name: str) -> list[str]:
    if type_name == "string":
        return sorted(STRING_PREDICATES | {"size"})
    if type_name == "timestamp":
        return sorted(TIMESTAMP_ACCESSORS)
    if type_name == "duration":
        return sorted(DURATION_ACCESSORS)
    if type_name in {"list", "bytes"}:
        return ["size"]
    return []


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _parse_int(text: str) -> int:
    negative = text.startswith("-")
    digits = text.lstrip("-")
    value = int(digits, 16) if digits.lower().startswith("0x") else int(digits, 10)
    return -value if negative else value


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA time zone names accepted in conditions (scanned once: it takes a few ms)."""
    return frozenset(available_timezones())


@cache
def _re2_options() -> Any:
    import re2  # google-re2, the engine cel-python evaluates matches() with

    options = re2.Options()
    options.log_errors = False  # RE2 logs the pattern to stderr otherwise
    return options


def re2_compiled(pattern: str) -> Any | None:
    """``pattern`` compiled by RE2 as ``matches()`` runs it, or None when RE2 refuses it."""
    import re2

    try:
        return re2.compile(pattern, _re2_options())
    except re2.error:
        return None


def re2_error(pattern: str) -> str | None:
    """Why RE2 refuses ``pattern`` (None when it compiles), without echoing the pattern."""
    import re2

    try:
        re2.compile(pattern, _re2_options())
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        return text.split(":", 1)[0]
    return None


# A fixed UTC offset, which the CEL specification accepts besides IANA names.
_FIXED_OFFSET: Final = re.compile(r"[+-](?:[01]\d|2[0-3]):[0-5]\d")


def _check_zone(node: Any, zone: str) -> str:
    if _FIXED_OFFSET.fullmatch(zone):
        return zone
    if zone not in known_time_zones():
        close = difflib.get_close_matches(zone, sorted(known_time_zones()), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ' such as "Europe/Paris"'
        raise _error(
            node,
            f'unknown time zone "{zone}": use an IANA time zone name{hint} or a fixed offset '
            'such as "+02:00"',
        )
    return zone


def _check_address(node: Any, text: str) -> None:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise _error(node, f'"{text}" is not a valid IP address') from None


def _check_network(node: Any, text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise _error(node, f'"{text}" is not a valid CIDR network ({exc})') from None
        raise _error(node, f'"{text}" has host bits set; did you mean "{loose}"?') from None
    problem = mapped_range_problem(network)
    if problem is not None:
        raise _error(node, f'"{text}" {problem}')
    return network


def mapped_range_problem(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str | None:
    """Why ``network`` cannot be a condition's range, when it is an IPv4-mapped IPv6 one.

    Which IPv4 callers such a range holds depends on the engine: Go's ``net.IPNet`` (a Go
    service such as Scaleway's may use it) reads ``::ffff:0.0.0.0/96`` as every IPv4 address,
    Go's ``netip`` and Python's ``ipaddress`` as none. Undecidable, so refused.
    """
    if not isinstance(network, ipaddress.IPv6Network) or not network.subnet_of(_IPV4_MAPPED):
        return None
    first = network.network_address.ipv4_mapped
    return (
        "is an IPv4-mapped IPv6 range: engines disagree on which IPv4 callers it holds (every "
        f'one, or none); write the IPv4 range itself ("{first}/{network.prefixlen - 96}")'
    )


def parse_instant(text: str) -> datetime | None:
    """An RFC 3339 timestamp as an aware UTC instant inside CEL's range, else None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    try:
        instant = moment.astimezone(UTC)
    except OverflowError:  # the offset moves it before year 1 or after year 9999
        return None
    if not FIRST_INSTANT <= instant <= LAST_INSTANT:
        return None
    return instant


def _check_timestamp(node: Any, text: str) -> None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _error(node, f'"{text}" is not an RFC 3339 timestamp such as "2026-01-31T18:00:00Z"')
    if parse_instant(text) is None:
        raise _error(
            node,
            "the timestamp is outside the range CEL timestamps can hold (years 1 to 9999, "
            "counted in UTC after its offset)",
        )


def _check_duration(node: Any, text: str) -> None:
    if not _DURATION_PATTERN.fullmatch(text):
        raise _error(node, f'"{text}" is not a duration such as "90s" or "1h30m"')
