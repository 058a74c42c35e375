"""Whether a valid condition can ever allow a call, and whether it can ever refuse one.

A condition that is true for every request restricts nothing (``true``, ``x || true``,
``inIpRange(request.ip, "0.0.0.0/0")``, ``request.user_agent.matches(".*")``,
``request.time.getHours() >= 0``); one that is never true locks everybody out (``false``, only
private ranges, contradictory hours). Both are mistakes that look like security.

The condition is cut into a boolean formula over *atoms* (the comparisons and calls between
``&&``, ``||`` and ``!``). Each atom reads one *variable*: the source address, the user agent,
or the time (every timestamp accessor in every zone and every comparison of the raw timestamp
read one instant, so ``getHours()`` and ``getHours("Etc/UTC")`` are judged together). Each
variable is evaluated on real sample values (addresses cut at every range boundary, strings
built from the condition's literals, instants on a grid that follows every zone's offsets
from now on) and the distinct truth vectors kept. The formula is then decided part by part:
parts over disjoint variables are independent, so only parts that share a variable are
enumerated together.

Soundness, the rule behind every answer: "can refuse" is only said with a concrete request
that is refused (:attr:`Meaning.deny_witness`); "never true" and "never false" are only said
when the samples of every variable involved are complete. Where the analysis cannot decide
(samples that cannot be complete, such as a regular expression, or more combinations than it
evaluates), the condition counts as restricting nothing and as possibly allowing.

What the caller controls is judged as the caller would choose it:

* the IP family (a condition that lets every IPv4 address in restricts nothing);
* any atom that reads two request attributes (``inIpRange(request.ip, request.user_agent)``:
  the caller sends the range in its own header, so it picks the outcome);
* the seconds and milliseconds of the time (``getSeconds() != 7``): a refused caller sends
  the request again a second later.

Only public addresses are sampled, as Scaleway only ever sees public source addresses (for
IPv6 the global unicast space 2000::/3, the only one IANA allocates), and only instants from
now to :data:`HORIZON`: a deadline further away restricts nothing within any key's life.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any, Final

from .atoms import (
    _FIELDS,
    _atom_program,
    _attributes,
    _Evaluator,
    _literals,
    _local,
    _now,
    _plain_evaluator,
    _run,
    _trees,
    _user_agent_kind,
)
from .checker import LAST_INSTANT
from .request import AccessRequest
from .samples import (
    HORIZON,
    MAX_SAMPLES,
    _address_samples,
    _sort_time_atoms,
    _time_grid,
    _user_agent_samples,
    _with_budget,
    _zone_whole_hours,
    text_samples_complete,
)

#: Evaluations of one part of the formula at most (combinations of truth vectors times the
#: caller's choices); past that the part is sampled and, unless the samples decide it,
#: undecidable (so restricting nothing).
MAX_COMBINATIONS: Final = 20_000
#: Evaluations by CEL's engine (the slow path, 0.1 to 1 ms each) per analysis at most: a plan
#: analyses one condition several times, and each input must be answered within 2 s.
MAX_ENGINE_EVALUATIONS: Final = 1_000
#: Outcomes the caller picks among in one part of the formula at most: 2**MAX_CHOICES (eight
#: atoms that read two request attributes, or the distinct outcomes of the seconds read).
MAX_CHOICES: Final = 8
#: Time fields the caller picks by sending again: nothing it refuses outlasts a retry.
_CALLER_PICKED: Final = frozenset({"getSeconds", "getMilliseconds"})


@dataclass(frozen=True)
class Meaning:
    """What a condition can do: let some request in, and keep some request out."""

    #: False only when proven that no request matches.
    can_allow: bool
    #: True only when a request is proven refused, whatever the caller chooses.
    can_deny: bool
    #: IP family (4 or 6) from which every request may be allowed, when that is the reason.
    open_family: int | None = None
    #: False when the analysis could not decide whether the condition refuses anything (it
    #: then counts as restricting nothing).
    decided: bool = True
    #: A request the condition refuses (proof of ``can_deny``), when there is one.
    deny_witness: AccessRequest | None = None


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


def _atoms_in(node: _Node) -> Iterator[int]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, _Atom):
            yield current.index
        elif isinstance(current, _Not):
            stack.append(current.operand)
        elif isinstance(current, _All | _Any):
            stack.extend(current.operands)


# --- variables and samples ------------------------------------------------------------------


@dataclass
class _Variable:
    """One thing a request varies in, with the atoms that read it.

    ``vectors`` maps each truth vector (one value per atom) that real samples produce to the
    first such sample; ``complete`` says whether every vector a request can produce is there.
    """

    key: tuple[Any, ...]
    atoms: list[int]
    vectors: dict[tuple[bool, ...], dict[str, Any]]
    complete: bool
    choice: bool = False  # an atom whose outcome the caller picks


# --- building the variables -----------------------------------------------------------------


class _Analysis:
    def __init__(self, tree: Any, *, user_agent_picked: bool = False) -> None:
        self.user_agent_picked = user_agent_picked
        builder = _Builder()
        self.formula = builder.build(tree)
        self.atoms = builder.atoms
        self.strings, self.integers = _literals(self.atoms)
        self.engine_budget = MAX_ENGINE_EVALUATIONS
        self.groups: dict[tuple[Any, ...], list[int]] = {}
        for index, atom in enumerate(self.atoms):
            attributes = _attributes(atom)
            key: tuple[Any, ...]
            if not attributes:
                key = ("constant", index)
            elif len(attributes) > 1:
                key = ("choice", index)  # the caller picks what the atom gives
            else:
                key = (next(iter(attributes)),)
            self.groups.setdefault(key, []).append(index)
        self.now = _now()
        self.end = min(self.now + HORIZON, LAST_INSTANT)
        self._time: list[_Variable] | None = None

    def variables(self, family: int) -> list[_Variable]:
        found: list[_Variable] = []
        for key, indices in self.groups.items():
            kind = key[0]
            if kind == "choice":
                found.append(_Variable(key, indices, {(True,): {}, (False,): {}}, True, True))
            elif kind == "constant":
                found.append(self._sampled(key, indices, [{}], True))
            elif kind == "ip":
                samples = [{"ip": a} for a in _address_samples(self.strings, family)]
                found.append(self._sampled(key, indices, samples, True))
            elif kind == "user_agent":
                agents = _user_agent_samples(self.strings, self.integers)
                agents += _address_samples(self.strings, 4)[:20]
                agents += _address_samples(self.strings, 6)[:20]
                samples = [{"user_agent": a} for a in dict.fromkeys(agents)]
                variable = self._sampled(key, indices, samples, self._agents_complete(indices))
                variable.choice = self.user_agent_picked
                found.append(variable)
            else:
                if self._time is None:
                    self._time = self._time_variables(key, indices)
                found += self._time
        return found

    def _agents_complete(self, indices: Sequence[int]) -> bool:
        """Whether the user-agent samples give every vector the atoms can take. Proven for
        two mixes (:func:`.samples._user_agent_samples` says why): text tests and equalities
        of at most ``_MAX_PERMUTED`` literals; equalities and length tests. Regular
        expressions, string order and other mixes are sampled for witnesses but never proven
        complete: undecided, not "impossible"."""
        kinds: set[str | None] = set()
        for index in indices:
            if _plain_evaluator(self.atoms[index]) is None:
                return False
            kinds.add(_user_agent_kind(self.atoms[index]))
        if kinds <= {"equal", "size"}:
            return "equal" not in kinds or text_samples_complete(self.strings, lengths=True)
        if kinds <= {"equal", "text"}:
            return text_samples_complete(self.strings)
        return False

    def _sampled(
        self,
        key: tuple[Any, ...],
        indices: Sequence[int],
        samples: list[dict[str, Any]],
        complete: bool,
    ) -> _Variable:
        evaluators: list[_Evaluator] = []
        engine = 0
        for index in indices:
            plain = _plain_evaluator(self.atoms[index])
            if plain is None:
                engine += 1
                evaluators.append(_engine_evaluator(_atom_program(self.atoms[index])))
            else:
                evaluators.append(plain)
        samples, whole = _with_budget(samples, MAX_SAMPLES)
        if engine:
            allowed = max(self.engine_budget // engine, 1)
            samples, whole_engine = _with_budget(samples, allowed)
            whole = whole and whole_engine
            self.engine_budget = max(self.engine_budget - engine * len(samples), 0)
        vectors: dict[tuple[bool, ...], dict[str, Any]] = {}
        for sample in samples:
            vector = tuple(evaluate(sample) for evaluate in evaluators)
            vectors.setdefault(vector, sample)
        return _Variable(key, list(indices), vectors, complete and whole)

    def _time_variables(  # noqa: PLR0912 (split, then sample the rest jointly)
        self, key: tuple[Any, ...], indices: Sequence[int]
    ) -> list[_Variable]:
        sorted_atoms = _sort_time_atoms(indices, self.atoms)
        found: list[_Variable] = []
        zones_whole_hours = all(_zone_whole_hours(z) for z in sorted_atoms.zones)
        # Seconds and milliseconds are the caller's pick: a refused request is sent again a
        # few seconds later, so they are judged alone, as choices (always: a raw timestamp
        # comparison does not move within the seconds a retry takes). Minutes, when every
        # zone is whole hours away from UTC, do not depend on the zone nor on the other
        # fields: judged alone over their values, unless a raw comparison ties them.
        separate = set(_CALLER_PICKED)
        if zones_whole_hours and not (sorted_atoms.plain or sorted_atoms.engine):
            separate.add("getMinutes")
        for method in sorted(separate):
            members = [i for i, (m, _, _) in sorted_atoms.constraints.items() if m == method]
            if not members:
                continue
            domain = range(1000) if method == "getMilliseconds" else range(60)
            vectors: dict[tuple[bool, ...], dict[str, Any]] = {}
            for value in domain:
                vector = tuple(value in sorted_atoms.constraints[i][2] for i in members)
                vectors.setdefault(vector, {method: value})
            found.append(_Variable((method,), members, vectors, True, method in _CALLER_PICKED))
            for index in members:
                del sorted_atoms.constraints[index]
        split = {i for variable in found for i in variable.atoms}
        rest = [i for i in indices if i not in split]
        if not rest:
            return found
        joint_minutes = "getMinutes" in {m for m, _, _ in sorted_atoms.constraints.values()}
        instants, complete = _time_grid(sorted_atoms, joint_minutes, self.now, self.end)
        evaluators: list[_Evaluator] = []
        engine_indices = [i for i in rest if i in sorted_atoms.engine]
        if engine_indices:
            allowed = max(self.engine_budget // len(engine_indices), 1)
            instants, whole = _with_budget(instants, allowed)
            complete = complete and whole
            self.engine_budget = max(self.engine_budget - len(engine_indices) * len(instants), 0)
        for index in rest:
            if index in sorted_atoms.constraints:
                method, zone, allowed_values = sorted_atoms.constraints[index]
                evaluators.append(_field_evaluator(method, zone, allowed_values))
            elif index in sorted_atoms.plain:
                evaluators.append(sorted_atoms.plain[index])
            else:
                evaluators.append(_engine_evaluator(sorted_atoms.engine[index]))
        vectors = {}
        for instant in instants:
            sample: dict[str, Any] = {"time": instant, "local": {}}
            vector = tuple(evaluate(sample) for evaluate in evaluators)
            if vector not in vectors:
                vectors[vector] = {"time": instant}
        found.append(_Variable(key, rest, vectors, complete))
        return found


def _engine_evaluator(program: Any) -> _Evaluator:
    def evaluate(sample: Mapping[str, Any]) -> bool:
        values = {k: sample[k] for k in ("ip", "user_agent", "time") if k in sample}
        return _run(program, **values)

    return evaluate


def _field_evaluator(method: str, zone: str | None, allowed: frozenset[int]) -> _Evaluator:
    read = _FIELDS[method]

    def evaluate(sample: Mapping[str, Any]) -> bool:
        return read(_local(sample, zone)) in allowed

    return evaluate


# --- deciding -------------------------------------------------------------------------------

#: Three-valued: True (proven, with a witness), False (proven impossible), None (undecided).
_Tri = bool | None
_Witness = dict[tuple[Any, ...], dict[str, Any]]


@dataclass
class _Verdict:
    """Of one part of the formula: can it be true / false for some request and some choice
    of the caller (``true``, ``false``), and is there a request for which it is true / false
    whatever the caller chooses (``forced_true``, ``forced_false``, with a witness)."""

    true: _Tri
    false: _Tri
    forced_true: _Tri
    forced_false: _Tri
    true_witness: _Witness | None = None
    false_witness: _Witness | None = None


def _tri_any(values: Sequence[_Tri]) -> _Tri:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _tri_all(values: Sequence[_Tri]) -> _Tri:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _merge(witnesses: Sequence[_Witness | None]) -> _Witness:
    merged: _Witness = {}
    for witness in witnesses:
        merged.update(witness or {})
    return merged


class _Decider:
    def __init__(self, variables: Sequence[_Variable], atom_count: int) -> None:
        self.variable_of: dict[int, _Variable] = {}
        for variable in variables:
            for index in variable.atoms:
                self.variable_of[index] = variable
        self.atom_count = atom_count

    def decide(self, node: _Node) -> _Verdict:
        if isinstance(node, _Const):
            v = node.value
            return _Verdict(v, not v, v, not v, {} if v else None, None if v else {})
        if isinstance(node, _Not):
            inner = self.decide(node.operand)
            return _Verdict(
                inner.false,
                inner.true,
                inner.forced_false,
                inner.forced_true,
                inner.false_witness,
                inner.true_witness,
            )
        if isinstance(node, _Atom):
            return self._atom(node.index)
        assert isinstance(node, _All | _Any)
        parts = self._components(node)
        verdicts = [
            self.decide(members[0]) if len(members) == 1 else self._enumerate(node, members)
            for members in parts
        ]
        if isinstance(node, _Any):
            true = _tri_any([v.true for v in verdicts])
            false = _tri_all([v.false for v in verdicts])
            forced_true = _tri_any([v.forced_true for v in verdicts])
            forced_false = _tri_all([v.forced_false for v in verdicts])
            true_witness = next((v.true_witness for v in verdicts if v.forced_true), None)
            false_witness = _merge([v.false_witness for v in verdicts]) if forced_false else None
        else:
            true = _tri_all([v.true for v in verdicts])
            false = _tri_any([v.false for v in verdicts])
            forced_true = _tri_all([v.forced_true for v in verdicts])
            forced_false = _tri_any([v.forced_false for v in verdicts])
            true_witness = _merge([v.true_witness for v in verdicts]) if forced_true else None
            false_witness = next((v.false_witness for v in verdicts if v.forced_false), None)
        return _Verdict(true, false, forced_true, forced_false, true_witness, false_witness)

    def _atom(self, index: int) -> _Verdict:
        variable = self.variable_of[index]
        position = variable.atoms.index(index)
        if variable.choice:
            # The caller picks the vector: possible if one gives it, forced if all do (proven
            # only when every vector is known; an unsampled pick could give the other).
            outcomes = {vector[position] for vector in variable.vectors}
            unknown: _Tri = False if variable.complete else None
            forced_true = True if outcomes == {True} and variable.complete else unknown
            forced_false = True if outcomes == {False} and variable.complete else unknown
            return _Verdict(
                True if True in outcomes else unknown,
                True if False in outcomes else unknown,
                False if False in outcomes else forced_true,
                False if True in outcomes else forced_false,
                {} if forced_true else None,
                {} if forced_false else None,
            )
        true_sample = next((s for v, s in variable.vectors.items() if v[position]), None)
        false_sample = next((s for v, s in variable.vectors.items() if not v[position]), None)
        absent: _Tri = False if variable.complete else None
        true: _Tri = True if true_sample is not None else absent
        false: _Tri = True if false_sample is not None else absent
        return _Verdict(
            true,
            false,
            true,
            false,
            None if true_sample is None else {variable.key: true_sample},
            None if false_sample is None else {variable.key: false_sample},
        )

    def _variables(self, node: _Node) -> set[tuple[Any, ...]]:
        return {self.variable_of[i].key for i in _atoms_in(node)}

    def _components(self, node: _All | _Any) -> list[list[_Node]]:
        """The operands grouped so that no two groups read a common variable."""
        groups: list[tuple[set[tuple[Any, ...]], list[_Node]]] = []
        for operand in node.operands:
            keys = self._variables(operand)
            merged_keys, merged = set(keys), [operand]
            remaining = []
            for group_keys, members in groups:
                if group_keys & merged_keys:
                    merged_keys |= group_keys
                    merged = members + merged
                else:
                    remaining.append((group_keys, members))
            groups = [*remaining, (merged_keys, merged)]
        return [members for _, members in groups]

    def _enumerate(  # noqa: PLR0912 (one loop over the combinations)
        self, node: _All | _Any, members: list[_Node]
    ) -> _Verdict:
        """Every combination of the shared variables' vectors (sampled past the cap)."""
        sub: _Node = _Any(tuple(members)) if isinstance(node, _Any) else _All(tuple(members))
        indices = sorted(set().union(*(set(_atoms_in(m)) for m in members)))
        variables: dict[tuple[Any, ...], _Variable] = {}
        for index in indices:
            variables.setdefault(self.variable_of[index].key, self.variable_of[index])
        chosen = [v for v in variables.values() if v.choice]
        sampled = [v for v in variables.values() if not v.choice]
        # Each variable's vectors reduced to the atoms of this part (fewer distinct ones).
        options = [_reduced(variable, indices) for variable in sampled]
        picks_of = [_reduced(variable, indices) for variable in chosen]
        choice_count = reduce(lambda acc, o: acc * len(o), picks_of, 1)
        if choice_count > 2**MAX_CHOICES:
            return _Verdict(None, None, None, None)
        total = reduce(lambda acc, o: acc * len(o), options, 1) * choice_count
        complete = all(v.complete for v in sampled) and total <= MAX_COMBINATIONS
        # A request refused (or let in) whatever the caller picks is proven only when every
        # pick is known.
        picks_known = all(v.complete for v in chosen)
        combinations: Iterator[tuple[Any, ...]]
        if total <= MAX_COMBINATIONS:
            combinations = itertools.product(*options)
        else:
            generator = random.Random(0)  # deterministic: one answer per condition
            count = max(MAX_COMBINATIONS // choice_count, 1)
            combinations = (tuple(generator.choice(o) for o in options) for _ in range(count))
        values = [False] * self.atom_count
        found_true = found_false = False
        true_witness: _Witness | None = None
        false_witness: _Witness | None = None
        for combination in combinations:
            for atoms, vector, _ in combination:
                for index, value in zip(atoms, vector, strict=True):
                    values[index] = value
            outcomes = set()
            for picks in itertools.product(*picks_of):
                for atoms, vector, _ in picks:
                    for index, value in zip(atoms, vector, strict=True):
                        values[index] = value
                outcomes.add(_evaluate(sub, values))
            witness = {v.key: s for v, (_, _, s) in zip(sampled, combination, strict=True)}
            if outcomes == {True} and true_witness is None and picks_known:
                true_witness = witness
            if outcomes == {False} and false_witness is None and picks_known:
                false_witness = witness
            found_true = found_true or True in outcomes
            found_false = found_false or False in outcomes
            if true_witness is not None and false_witness is not None:
                break
        absent: _Tri = False if complete and picks_known else None
        return _Verdict(
            True if found_true else absent,
            True if found_false else absent,
            True if true_witness is not None else absent,
            True if false_witness is not None else absent,
            true_witness,
            false_witness,
        )


_Option = tuple[tuple[int, ...], tuple[bool, ...], dict[str, Any]]


def _reduced(variable: _Variable, indices: Sequence[int]) -> list[_Option]:
    """``variable``'s distinct vectors over the atoms of ``indices`` only, each with a sample
    that gives it."""
    positions = [p for p, i in enumerate(variable.atoms) if i in indices]
    reduced: dict[tuple[bool, ...], dict[str, Any]] = {}
    for vector, sample in variable.vectors.items():
        reduced.setdefault(tuple(vector[p] for p in positions), sample)
    atoms = tuple(variable.atoms[p] for p in positions)
    return [(atoms, vector, sample) for vector, sample in reduced.items()]


def _request(witness: _Witness, family: int, now: datetime) -> AccessRequest:
    ip = "198.51.100.1" if family == 4 else "2001:db8::1"
    user_agent = ""
    time = now
    replace: dict[str, int] = {}
    for key, sample in witness.items():
        if "ip" in sample:
            ip = sample["ip"]
        if "user_agent" in sample:
            user_agent = sample["user_agent"]
        if "time" in sample:
            time = sample["time"]
        for method, part in (("getSeconds", "second"), ("getMinutes", "minute")):
            if method in sample:
                replace[part] = sample[method]
        if "getMilliseconds" in sample:
            replace["microsecond"] = sample["getMilliseconds"] * 1000
        del key
    if replace:
        time = time.replace(**replace)  # type: ignore[arg-type]
        if time < now:
            time += timedelta(hours=1)
    return AccessRequest(ip=ip, user_agent=user_agent, time=time)


def condition_meaning(tree: Any, *, user_agent_picked: bool = False) -> Meaning:
    """Whether the validated condition ``tree`` can allow some request and deny some request.

    ``user_agent_picked`` judges the user agent as the caller's choice, as a key holder who
    knows the condition sends what it tests: then only what the address and the time
    restrict counts."""
    analysis = _Analysis(tree, user_agent_picked=user_agent_picked)
    uses_ip = ("ip",) in analysis.groups
    families = (4, 6) if uses_ip else (4,)
    can_allow = False
    open_family: int | None = None
    decided = True
    witness: AccessRequest | None = None
    for family in families:
        decider = _Decider(analysis.variables(family), len(analysis.atoms))
        verdict = decider.decide(analysis.formula)
        can_allow = can_allow or verdict.true is not False
        if verdict.forced_false is not True:
            if open_family is None:
                open_family = family
                decided = verdict.forced_false is False
        elif witness is None and verdict.false_witness is not None:
            witness = _request(verdict.false_witness, family, analysis.now)
    can_deny = open_family is None
    return Meaning(
        can_allow,
        can_deny,
        open_family if uses_ip else None,
        decided,
        witness if can_deny else None,
    )
