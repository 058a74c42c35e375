"""Whether a valid condition can ever allow a call, and whether it can ever refuse one.

A condition that is true for every request restricts nothing (``true``, ``x || true``,
``inIpRange(request.ip, "0.0.0.0/0")``, ``request.user_agent.matches(".*")``,
``request.time.getHours() >= 0``); one that is never true locks everybody out (``false``, only
private ranges, contradictory hours). Both are mistakes that look like security.

The condition is cut into a boolean formula over *atoms* (the comparisons and calls between
``&&``, ``||`` and ``!``). Each atom reads one variable: the source address, the user agent, one
timestamp accessor (``getHours("Europe/Paris")``...) or the raw timestamp. For every variable
the atoms are evaluated on sample values (taken from the condition's own literals plus generic
ones) and the distinct truth vectors kept; the formula is then evaluated on every combination.
Variables are independent, so the combinations are exactly what requests can produce, up to
the samples. Where samples cannot prove an atom false or true (a regular expression never
matched by a sample), both outcomes are assumed, so a condition is only declared never-true or
always-true when the samples prove it.

The source address is judged per IP family, as an attacker chooses the family: a condition that
lets every IPv4 address in restricts nothing even though it refuses IPv6. Only public addresses
are sampled, since Scaleway only ever sees public source addresses.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any, Final

from .checker import accessor_constraint, re2_compiled
from .functions import in_ip_range
from .request import USER_AGENT_MAX_LENGTH

#: Combinations of truth vectors evaluated at most; past that the condition is assumed to mean
#: something (no error), which only real conditions far larger than Scaleway's limit reach.
MAX_COMBINATIONS: Final = 50_000

# Addresses Scaleway never reports as a caller (besides the private ones listed by validation).
_NEVER_SEEN: Final = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "fc00::/7",
        "::1/128",
        "::/128",
        "::ffff:0:0/96",
        "fe80::/10",
        "ff00::/8",
    )
)
_GENERIC_ADDRESSES: Final = (
    "1.1.1.1",
    "8.8.8.8",
    "51.15.0.1",
    "192.0.2.1",
    "198.51.100.77",
    "203.0.113.7",
    "2001:4860:4860::8888",
    "2a01:4f8::1",
    "2001:db8::1",
    "2606:4700::1111",
)
# A header value never holds CR, LF or NUL (RFC 9110, section 5.5), so no sample does: with
# one, `matches("^.*$")` would look restrictive although it matches every real user agent.
_GENERIC_USER_AGENTS: Final = (
    "",
    "a",
    "\t",
    "\u03a9",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
    "x" * USER_AGENT_MAX_LENGTH,
)
#: The time given to atoms that do not read it.
_SOME_INSTANT: Final = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
#: The last instant a CEL timestamp can hold.
_LAST_INSTANT: Final = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
_MAX_PERMUTED: Final = 5  # 120 orders at most
_MAX_PAIRED: Final = 12
_STRING_METHODS: Final = frozenset({"contains", "startsWith", "endsWith", "matches"})


@dataclass(frozen=True)
class Meaning:
    """What a condition can do: let some request in, and keep some request out."""

    can_allow: bool
    can_deny: bool
    #: IP family (4 or 6) from which every request is allowed, when that is the reason.
    open_family: int | None = None


# --- the formula ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Atom:
    index: int


@dataclass(frozen=True)
class _Not:
    operand: _Node


@dataclass(frozen=True)
class _All:
    operands: tuple[_Node, ...]


@dataclass(frozen=True)
class _Any:
    operands: tuple[_Node, ...]


@dataclass(frozen=True)
class _Const:
    value: bool


_Node = _Atom | _Not | _All | _Any | _Const

_WRAPPERS: Final = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication"}
    | {"unary", "member", "primary"}
)


def _trees(node: Any) -> list[Any]:
    return [child for child in node.children if hasattr(child, "data")]


class _Builder:
    """Turns cel-python's lark tree into a formula, collecting the atoms' subtrees."""

    def __init__(self) -> None:
        self.atoms: list[Any] = []

    def build(self, node: Any) -> _Node:
        original = node  # cel-python evaluates from a wrapper rule, not from a bare call
        while node.data in _WRAPPERS and len(_trees(node)) == 1 and len(node.children) == 1:
            node = node.children[0]
        if node.data == "paren_expr":
            return self.build(_trees(node)[0])
        if node.data in {"conditionalor", "conditionaland"} and len(node.children) == 2:
            kind = node.data
            operands: list[Any] = []
            current = node
            while current.data == kind and len(current.children) == 2:
                operands.append(current.children[1])
                current = current.children[0]
            operands.append(current)
            built = tuple(self.build(operand) for operand in reversed(operands))
            return _Any(built) if kind == "conditionalor" else _All(built)
        if node.data == "unary" and len(node.children) == 2:
            op, operand = node.children
            if getattr(op, "data", None) == "unary_not":
                return _Not(self.build(operand))
        if node.data == "literal":
            token = node.children[0]
            if token.type == "BOOL_LIT":
                return _Const(str(token) == "true")
        self.atoms.append(original)
        return _Atom(len(self.atoms) - 1)


def _evaluate(node: _Node, values: Sequence[bool]) -> bool:
    if isinstance(node, _Atom):
        return values[node.index]
    if isinstance(node, _Not):
        return not _evaluate(node.operand, values)
    if isinstance(node, _All):
        return all(_evaluate(operand, values) for operand in node.operands)
    if isinstance(node, _Any):
        return any(_evaluate(operand, values) for operand in node.operands)
    return node.value


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


# --- samples ----------------------------------------------------------------------------------


def _seen_by_scaleway(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not any(address.version == n.version and address in n for n in _NEVER_SEEN)


def _address_samples(strings: Sequence[str], family: int) -> list[str]:
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [
        ipaddress.ip_address(text) for text in _GENERIC_ADDRESSES
    ]
    for text in strings:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        first, last = network.network_address, network.broadcast_address
        middle = first + network.num_addresses // 2
        candidates += [first, last, middle]
        for step in (-1, 1):  # just outside the network; does not exist at the address ends
            try:
                candidates.append((first if step < 0 else last) + step)
            except ipaddress.AddressValueError:
                continue
    unique = dict.fromkeys(candidates)
    return [str(a) for a in unique if a.version == family and _seen_by_scaleway(a)]


def _user_agent_samples(strings: Sequence[str], integers: Sequence[int]) -> list[str]:
    samples = list(_GENERIC_USER_AGENTS)
    for text in strings:
        samples += [text, f"a{text}", f"{text}z", f"a{text}z", text[1:], text[:-1]]
        samples += [text.upper(), text.lower()]
    # Several predicates on one header (contains("a") && endsWith("b")) hold together only on
    # a string made of their literals: every order of them all, and every pair.
    texts = list(dict.fromkeys(strings))
    if 1 < len(texts) <= _MAX_PERMUTED:
        samples += ["".join(order) for order in itertools.permutations(texts)]
    elif texts:
        samples += ["".join(texts), "".join(reversed(texts))]
    samples += [a + b for a, b in itertools.permutations(texts[:_MAX_PAIRED], 2)]
    lengths = [n for n in integers if 0 <= n <= USER_AGENT_MAX_LENGTH + 1]
    for number in lengths:
        sizes = [max(number + delta, 0) for delta in (-1, 0, 1)]
        samples += ["a" * size for size in sizes]
        # ... and with a length test (size(ua) > 10 && contains("x")): pad the literals.
        for text in [*texts, "".join(texts)]:
            samples += [text + "a" * max(size - len(text), 0) for size in sizes]
    # Scaleway truncates the header before the condition sees it.
    return list(
        dict.fromkeys(
            sample[:USER_AGENT_MAX_LENGTH]
            for sample in samples
            if not any(c in sample for c in "\r\n\0")
        )
    )


def _time_samples(strings: Sequence[str], now: datetime) -> list[datetime]:
    """Times a request can still come at: now, a second later, the last instant CEL knows,
    and around each of the condition's own instants that is not past. A comparison with a
    past instant is the same for every future request (``request.time > timestamp("2000-...")``
    restricts nothing), one with a future instant is an expiry or a start date."""
    samples = [now, now + timedelta(seconds=1), _LAST_INSTANT]
    for text in strings:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            continue
        if moment.tzinfo is None or moment < now:
            continue
        samples += [moment - timedelta(seconds=1), moment, moment + timedelta(seconds=1)]
    return list(dict.fromkeys(sample for sample in samples if sample >= now))


# --- evaluation -------------------------------------------------------------------------------


#: One atom as a function of a sample request (``ip``, ``user_agent``, ``time``).
_Evaluator = Callable[..., bool]


def _evaluator(atom: Any) -> _Evaluator:
    """How to evaluate ``atom`` on samples: plain Python for the commonest atoms, CEL's own
    engine for the rest. A condition of many ranges or strings is sampled at several values
    per literal, and CEL's engine takes a hundred times longer per evaluation."""
    fast = _plain_evaluator(atom)
    if fast is not None:
        return fast
    program = _atom_program(atom)
    return lambda **sample: _run(program, **sample)


#: CEL's string methods on the user agent, as Python computes them (on code points, as CEL).
_STRING_TESTS: Final[Mapping[str, Callable[[str, str], bool]]] = {
    "contains": lambda text, literal: literal in text,
    "startsWith": str.startswith,
    "endsWith": str.endswith,
}


def _plain_evaluator(atom: Any) -> _Evaluator | None:
    """For ``inIpRange(request.ip, "<subnet>")`` and ``request.user_agent.<contains|startsWith|
    endsWith|matches>("<text>")`` exactly, the same test in plain Python (RE2 for
    ``matches``); None for any other atom."""
    node = _descend(atom)
    if node.data == "ident_arg" and len(node.children) == 2:
        arguments = [_descend(argument) for argument in _trees(node.children[1])]
        if str(node.children[0]) == "inIpRange" and len(arguments) == 2:
            subnet = _string_literal(arguments[1])
            if _request_attribute(arguments[0]) == "ip" and subnet is not None:
                try:
                    network = ipaddress.ip_network(subnet, strict=True)
                except ValueError:
                    return None  # CEL's engine says what such a call gives
                return lambda ip="", **_: _address_in(ip, network)
    if node.data == "member_dot_arg" and len(node.children) == 3:
        receiver, method, argument_list = node.children
        arguments = [_descend(argument) for argument in _trees(argument_list)]
        if _request_attribute(_descend(receiver)) == "user_agent" and len(arguments) == 1:
            literal = _string_literal(arguments[0])
            test = _STRING_TESTS.get(str(method))
            if test is not None and literal is not None:
                return lambda user_agent="", **_: test(user_agent, literal)
            pattern = re2_compiled(literal) if str(method) == "matches" and literal else None
            if pattern is not None:  # matches() is an RE2 search, as cel-python runs it
                return lambda user_agent="", **_: pattern.search(user_agent) is not None
    return None


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


def _descend(node: Any) -> Any:
    """The first node under ``node`` that is not a rule wrapping a single sub-tree."""
    while len(node.children) == 1 and hasattr(node.children[0], "data"):
        node = node.children[0]
    return node


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
                celtypes.StringType("time"): celtypes.TimestampType(time or _SOME_INSTANT),
            }
        )
    }
    try:
        result = program.evaluate(activation)
    except Exception:  # an evaluation error denies, as Scaleway does
        return False
    return isinstance(result, celtypes.BoolType) and bool(result)


@dataclass
class _Variable:
    """One thing a request varies in, with the atoms that read it and their truth vectors."""

    atoms: list[int]
    vectors: set[tuple[bool, ...]]


def _vectors(
    evaluators: Sequence[_Evaluator],
    samples: Sequence[Mapping[str, Any]],
    uncertain: Sequence[bool],
) -> set[tuple[bool, ...]]:
    vectors = {tuple(evaluate(**sample) for evaluate in evaluators) for sample in samples}
    # An atom no sample made true may still be true for a value the samples missed (a regular
    # expression): assume it can be, so that "never true" is only said when proven.
    for position, doubtful in enumerate(uncertain):
        if doubtful and not any(vector[position] for vector in vectors):
            vectors |= {(*v[:position], True, *v[position + 1 :]) for v in vectors}
    return vectors or {tuple(False for _ in evaluators)}


def condition_meaning(tree: Any) -> Meaning:
    """Whether the validated condition ``tree`` can allow some request and deny some request."""
    builder = _Builder()
    formula = builder.build(tree)
    atoms = builder.atoms
    strings, integers = _literals(atoms)
    groups: dict[Any, list[int]] = {}
    for index, atom in enumerate(atoms):
        attributes = _attributes(atom)
        key: Any
        if not attributes:
            key = ("constant", index)
        elif len(attributes) > 1:
            key = ("free", index)
        elif attributes == {"time"}:
            constraint = accessor_constraint(atom)
            key = ("accessor", constraint[0]) if constraint is not None else ("time",)
        else:
            key = (next(iter(attributes)),)
        groups.setdefault(key, []).append(index)

    uses_ip = any(key == ("ip",) for key in groups)
    families = (4, 6) if uses_ip else (4,)
    outcomes: dict[int, tuple[bool, bool]] = {}
    for family in families:
        variables = [
            _Variable(indices, _group_vectors(key, indices, atoms, strings, integers, family))
            for key, indices in groups.items()
        ]
        outcomes[family] = _outcomes(formula, len(atoms), variables)
    can_allow = any(allow for allow, _ in outcomes.values())
    open_family = next((f for f, (_, deny) in outcomes.items() if not deny), None)
    return Meaning(can_allow, open_family is None, open_family if uses_ip else None)


def _group_vectors(  # noqa: PLR0917 (private helper, called once)
    key: tuple[Any, ...],
    indices: list[int],
    atoms: Sequence[Any],
    strings: Sequence[str],
    integers: Sequence[int],
    family: int,
) -> set[tuple[bool, ...]]:
    kind = key[0]
    if kind == "free":
        return {(True,), (False,)}
    if kind == "accessor":
        allowed_sets = []
        domain: range | None = None
        for index in indices:
            found = accessor_constraint(atoms[index])
            assert found is not None
            _, allowed, domain = found
            allowed_sets.append(allowed)
        assert domain is not None
        return {tuple(value in allowed for allowed in allowed_sets) for value in domain}
    evaluators = [_evaluator(atoms[index]) for index in indices]
    samples: list[dict[str, Any]]
    uncertain = [False] * len(indices)
    if kind == "constant":
        samples = [{}]
    elif kind == "ip":
        samples = [{"ip": address} for address in _address_samples(strings, family)]
        uncertain = [bool(_method_names(atoms[i]) & _STRING_METHODS) for i in indices]
    elif kind == "user_agent":
        samples = [{"user_agent": agent} for agent in _user_agent_samples(strings, integers)]
        uncertain = ["matches" in _method_names(atoms[i]) for i in indices]
    else:  # the raw timestamp: requests come from now on, and only those times count
        samples = [{"time": moment} for moment in _time_samples(strings, datetime.now(UTC))]
    return _vectors(evaluators, samples, uncertain)


def _outcomes(formula: _Node, atom_count: int, variables: Sequence[_Variable]) -> tuple[bool, bool]:
    """(can allow, can deny) over every combination of the variables' truth vectors."""
    total = reduce(lambda acc, variable: acc * len(variable.vectors), variables, 1)
    if total > MAX_COMBINATIONS:
        return True, True
    can_allow = can_deny = False
    choices = [sorted(variable.vectors) for variable in variables]
    values = [False] * atom_count
    for combination in itertools.product(*choices):
        for variable, vector in zip(variables, combination, strict=True):
            for index, value in zip(variable.atoms, vector, strict=True):
                values[index] = value
        if _evaluate(formula, values):
            can_allow = True
        else:
            can_deny = True
        if can_allow and can_deny:
            break
    return can_allow, can_deny
