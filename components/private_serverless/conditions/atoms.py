"""How one atom of a condition is read: the request attributes it reads, and its value on
a sample request, in plain Python for the commonest shapes (as CEL defines them) or by CEL's
engine for the rest. The meaning analysis (:mod:`.meaning`) evaluates atoms with these.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from .checker import parse_instant, re2_compiled
from .functions import in_ip_range

_FIXED_OFFSET: Final = re.compile(r"([+-])(\d\d):(\d\d)")


def _trees(node: Any) -> list[Any]:
    return [child for child in node.children if hasattr(child, "data")]


# --- what each atom reads -------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(_trees(current))


def _attributes(atom: Any) -> set[str]:
    found = set()
    for node in _walk(atom):
        if node.data == "member_dot" and len(node.children) == 2:
            receiver, name = node.children
            if any(n.data == "ident" and str(n.children[0]) == "request" for n in _walk(receiver)):
                found.add(str(name))
    return found


def _method_names(atom: Any) -> set[str]:
    return {
        str(node.children[1])
        for node in _walk(atom)
        if node.data == "member_dot_arg" and len(node.children) >= 2
    }


def _literals(atoms: Sequence[Any]) -> tuple[list[str], list[int]]:
    from celpy.evaluation import celstr  # lazy: the engine is heavy

    strings: list[str] = []
    integers: list[int] = []
    for atom in atoms:
        for node in _walk(atom):
            if node.data != "literal":
                continue
            token = node.children[0]
            if token.type in {"STRING_LIT", "MLSTRING_LIT"}:
                strings.append(str(celstr(token)))
            elif token.type == "INT_LIT":
                try:
                    integers.append(int(str(token), 0))
                except ValueError:
                    continue
    return strings, integers


# --- terms: the plain Python reading of the commonest atoms ---------------------------------


def _descend(node: Any) -> Any:
    """The first node under ``node`` that is not a rule wrapping a single sub-tree."""
    while len(node.children) == 1 and hasattr(node.children[0], "data"):
        node = node.children[0]
    return node


def _request_attribute(node: Any) -> str | None:
    """``attr`` if ``node`` is exactly ``request.attr``."""
    if node.data != "member_dot" or len(node.children) != 2:
        return None
    receiver = _descend(node.children[0])
    if receiver.data != "ident" or str(receiver.children[0]) != "request":
        return None
    return str(node.children[1])


def _string_literal(node: Any) -> str | None:
    """The value of a plain (not raw, not bytes) string literal node, else None."""
    from celpy.evaluation import celstr  # lazy: the engine is heavy

    if node.data != "literal" or node.children[0].type != "STRING_LIT":
        return None
    text = str(node.children[0])
    if text[:1] not in {"'", '"'}:
        return None  # r"...", b"...": CEL's engine reads them
    return str(celstr(node.children[0]))


def _int_literal(node: Any) -> int | None:
    if node.data == "literal" and node.children[0].type == "INT_LIT":
        try:
            return int(str(node.children[0]), 0)
        except ValueError:
            return None
    if node.data == "unary" and len(node.children) == 2:
        op, operand = node.children
        if getattr(op, "data", None) == "unary_neg":
            value = _int_literal(_descend(operand))
            return None if value is None else -value
    return None


#: A term: ("attr", name), ("size", name), ("str", text), ("int", n), ("list", values),
#: ("instant", datetime), ("field", method, zone) or None when not read plainly.
_Term = tuple[Any, ...]


def _term(node: Any) -> _Term | None:  # noqa: PLR0911, PLR0912 (one case per shape)
    while node.data != "list_lit" and len(node.children) == 1 and hasattr(node.children[0], "data"):
        node = node.children[0]
    attribute = _request_attribute(node)
    if attribute is not None:
        return ("attr", attribute)
    text = _string_literal(node)
    if text is not None:
        return ("str", text)
    number = _int_literal(node)
    if number is not None:
        return ("int", number)
    if node.data == "list_lit":
        elements = [_term(e) for e in _trees(node.children[0])] if _trees(node) else []
        if all(e is not None and e[0] in {"str", "int"} for e in elements):
            return ("list", tuple(e[1] for e in elements if e is not None))
        return None
    if node.data == "ident_arg" and len(node.children) == 2:
        function = str(node.children[0])
        arguments = [_term(a) for a in _trees(node.children[1])]
        single = arguments[0] if len(arguments) == 1 else None
        if function == "size" and single and single[0] == "attr":
            return ("size", single[1])
        if function == "timestamp" and single and single[0] == "str":
            instant = parse_instant(single[1])
            return None if instant is None else ("instant", instant)
        return None
    if node.data == "member_dot_arg" and len(node.children) >= 2:
        receiver = _term(node.children[0])
        method = str(node.children[1])
        arguments = [_term(a) for a in _trees(node.children[2])] if len(node.children) > 2 else []
        if receiver == ("attr", "user_agent") and method == "size" and not arguments:
            return ("size", "user_agent")
        if receiver == ("attr", "time") and method == "getFullYear" and len(arguments) <= 1:
            if not arguments:
                return ("field", method, None)
            if arguments[0] is not None and arguments[0][0] == "str":
                return ("field", method, arguments[0][1])
    return None


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
_COMPARE: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}

#: One atom as a function of a sample (``ip``, ``user_agent``, ``time``, ``local``).
_Evaluator = Callable[[Mapping[str, Any]], bool]

#: CEL's string methods on the user agent, as Python computes them (on code points, as CEL).
_STRING_TESTS: Final[Mapping[str, Callable[[str, str], bool]]] = {
    "contains": lambda text, literal: literal in text,
    "startsWith": str.startswith,
    "endsWith": str.endswith,
}


def _plain_evaluator(atom: Any) -> _Evaluator | None:
    """The atom computed in plain Python, for the shapes whose CEL meaning is plain:
    ``inIpRange(request.ip, "<subnet>")``, the string methods and (in)equality, ``in`` a
    literal list and ``size()`` comparisons on the user agent, the raw timestamp against a
    ``timestamp("...")`` literal and ``getFullYear(zone)`` against a number. None for any
    other atom (CEL's engine evaluates it)."""
    node = _descend(atom)
    if node.data == "ident_arg" and len(node.children) == 2:
        arguments = [_descend(argument) for argument in _trees(node.children[1])]
        if str(node.children[0]) == "inIpRange" and len(arguments) == 2:
            subnet = _string_literal(arguments[1])
            # The address may be read from the user agent too: the caller picks it, but what
            # the call gives is still plain (an address in the range, else false or an error).
            attribute = _request_attribute(arguments[0])
            if attribute in {"ip", "user_agent"} and subnet is not None:
                try:
                    network = ipaddress.ip_network(subnet, strict=True)
                except ValueError:
                    return None  # CEL's engine says what such a call gives
                return lambda sample: _address_in(sample.get(attribute, ""), network)
    if node.data == "member_dot_arg" and len(node.children) == 3:
        receiver, method, argument_list = node.children
        arguments = [_descend(argument) for argument in _trees(argument_list)]
        if _request_attribute(_descend(receiver)) == "user_agent" and len(arguments) == 1:
            literal = _string_literal(arguments[0])
            test = _STRING_TESTS.get(str(method))
            if test is not None and literal is not None:
                return lambda sample: test(sample.get("user_agent", ""), literal)
            pattern = re2_compiled(literal) if str(method) == "matches" and literal else None
            if pattern is not None:  # matches() is an RE2 search, as cel-python runs it
                return lambda sample: pattern.search(sample.get("user_agent", "")) is not None
    if node.data == "relation" and len(node.children) == 2:
        return _relation_evaluator(node)
    return None


def _user_agent_kind(atom: Any) -> str | None:  # noqa: PLR0911 (one per shape)
    """How a plain user-agent atom reads the header, for the completeness of its samples:
    ``"text"`` (``contains``/``startsWith``/``endsWith`` a literal), ``"equal"`` (``==`` or
    ``!=`` a literal, ``in`` a list of strings), ``"size"`` (its length against numbers),
    ``"order"`` (``<`` and the like against a string), ``"regex"`` (``matches``); None for
    anything else."""
    node = _descend(atom)
    if node.data == "member_dot_arg" and len(node.children) == 3:
        method = str(node.children[1])
        if method == "matches":
            return "regex"
        return "text" if method in _STRING_TESTS else None
    if node.data != "relation" or len(node.children) != 2:
        return None
    op_node, right_node = node.children
    if not hasattr(op_node, "data") or op_node.data not in _RELATIONS or not op_node.children:
        return None
    op = _RELATIONS[op_node.data]
    terms = {_term(op_node.children[0]), _term(right_node)}
    if ("size", "user_agent") in terms:
        return "size"
    if ("attr", "user_agent") not in terms:
        return None
    return "equal" if op in {"==", "!=", "in"} else "order"


def _membership_evaluator(left: _Term, right: _Term) -> _Evaluator | None:
    """``<subject> in [literals]``: the user agent, its size, or a year."""
    if right[0] != "list":
        return None
    values = frozenset(right[1])
    if left == ("attr", "user_agent") and all(isinstance(v, str) for v in values):
        return lambda sample: sample.get("user_agent", "") in values
    if left == ("size", "user_agent") and all(isinstance(v, int) for v in values):
        return lambda sample: len(sample.get("user_agent", "")) in values
    if left[0] == "field" and left[1] == "getFullYear" and _zone(left[2]) is not None:
        zone = left[2]
        return lambda sample: _local(sample, zone).year in values
    return None


def _relation_evaluator(node: Any) -> _Evaluator | None:  # noqa: PLR0911 (one per shape)
    op_node, right_node = node.children
    if not hasattr(op_node, "data") or op_node.data not in _RELATIONS or not op_node.children:
        return None
    op = _RELATIONS[op_node.data]
    left, right = _term(op_node.children[0]), _term(right_node)
    if left is None or right is None:
        return None
    if op == "in":
        return _membership_evaluator(left, right)
    if left[0] in {"str", "int", "instant"}:  # literal OP subject: read it the other way
        left, right, op = right, left, _FLIPPED[op]
    compare = _COMPARE[op]
    if left == ("attr", "user_agent") and right[0] == "str":
        literal = right[1]
        return lambda sample: compare(sample.get("user_agent", ""), literal)
    if left == ("size", "user_agent") and right[0] == "int":
        number = right[1]
        return lambda sample: compare(len(sample.get("user_agent", "")), number)
    if left == ("attr", "time") and right[0] == "instant":
        instant = right[1]
        return lambda sample: compare(sample["time"], instant)
    if left[0] == "field" and left[1] == "getFullYear" and right[0] == "int":
        zone, number = left[2], right[1]
        if _zone(zone) is None:
            return None
        return lambda sample: compare(_local(sample, zone).year, number)
    return None


def _address_in(ip: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """``inIpRange`` as the simulator computes it; an error (no address) denies."""
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:
        return False


def _atom_program(atom: Any) -> Any:
    import celpy  # lazy: the engine is heavy

    return celpy.Environment().program(atom, functions={"inIpRange": in_ip_range})


def _run(program: Any, ip: str = "", user_agent: str = "", time: datetime | None = None) -> bool:
    from celpy import celtypes

    activation = {
        "request": celtypes.MapType(
            {
                celtypes.StringType("ip"): celtypes.StringType(ip),
                celtypes.StringType("user_agent"): celtypes.StringType(user_agent),
                celtypes.StringType("time"): celtypes.TimestampType(time or _now()),
            }
        )
    }
    try:
        result = program.evaluate(activation)
    except Exception:  # an evaluation error denies, as Scaleway does
        return False
    return isinstance(result, celtypes.BoolType) and bool(result)


# --- time zones and fields ------------------------------------------------------------------


@cache
def _zone(name: str | None) -> tzinfo | None:
    """The zone a timestamp accessor reads in: UTC by default, a fixed offset, or IANA."""
    if name is None or name == "UTC":
        return UTC
    fixed = _FIXED_OFFSET.fullmatch(name)
    if fixed:
        sign = -1 if fixed.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(fixed.group(2)), minutes=int(fixed.group(3))))
    try:
        return ZoneInfo(name)
    except (ValueError, OSError):  # zoneinfo refuses it: unknown (validation says so)
        return None


def _local(sample: Mapping[str, Any], zone: str | None) -> datetime:
    cached: dict[str | None, datetime] = sample["local"]
    local = cached.get(zone)
    if local is None:
        tz = _zone(zone)
        assert tz is not None
        local = cached[zone] = sample["time"].astimezone(tz)
    return local


_FIELDS: Final[Mapping[str, Callable[[datetime], int]]] = {
    "getFullYear": lambda d: d.year,
    "getMonth": lambda d: d.month - 1,
    "getDayOfYear": lambda d: d.timetuple().tm_yday - 1,
    "getDayOfMonth": lambda d: d.day - 1,
    "getDate": lambda d: d.day,
    "getDayOfWeek": lambda d: (d.weekday() + 1) % 7,
    "getHours": lambda d: d.hour,
    "getMinutes": lambda d: d.minute,
    "getSeconds": lambda d: d.second,
    "getMilliseconds": lambda d: d.microsecond // 1000,
}


def _now() -> datetime:
    return datetime.now(UTC)
