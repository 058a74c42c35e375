"""The condition analysis is sound: what it proves, the simulator confirms.

Each kind of condition that restricts nothing in disguise is generated (the same instant split
across zone aliases, fixed offsets equal to named zones, long disjunctions ending in `true`,
ranges the caller picks, unions covering every public address, far-away deadlines, list
conditions), not only the examples of issue 23. The properties:

* "restricts something" comes with a request it refuses: the simulator (cel-python) must
  refuse it too;
* a decided "restricts nothing" means every request of the open family is allowed: the
  simulator must allow generated requests;
* "never true" means no generated request is allowed.
"""

from __future__ import annotations

import ipaddress
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from private_serverless.conditions import AccessRequest, ConditionError, evaluate_condition
from private_serverless.conditions.meaning import Meaning, condition_meaning
from private_serverless.conditions.samples import HORIZON
from private_serverless.conditions.syntax import parse_cel
from private_serverless.conditions.validation import validate_condition
from private_serverless.policies.access_matrix import implies

# Every name tzdata gives to UTC, the offset spellings of it, and no argument at all.
UTC_ALIASES = [
    *("UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal"),
    *("Greenwich", "Etc/Greenwich", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "UCT"),
    *("Etc/UCT", "GMT+0", "GMT-0", "+00:00", "-00:00", None),
]
# Zones without daylight saving time, with the fixed offset they equal all year.
FIXED_ZONES = [
    ("Etc/GMT-1", "+01:00"),
    ("Africa/Lagos", "+01:00"),
    ("Asia/Tokyo", "+09:00"),
    ("Asia/Kolkata", "+05:30"),
    ("Etc/GMT+5", "-05:00"),
    ("Asia/Kathmandu", "+05:45"),
    ("Africa/Abidjan", "+00:00"),
]
# Zones with daylight saving time, with their winter offset: NOT equal to it all year.
DST_ZONES = [
    ("Europe/Paris", "+01:00"),
    ("America/New_York", "-05:00"),
    ("Europe/London", "+00:00"),
    ("Australia/Sydney", "+10:00"),
]

NOW = datetime.now(UTC)
TIMES = st.datetimes(
    min_value=NOW.replace(tzinfo=None),
    max_value=(NOW + timedelta(days=3 * 365)).replace(tzinfo=None),
    timezones=st.just(UTC),
)
PUBLIC_V4 = st.sampled_from(["198.51.100.7", "1.1.1.1", "8.8.4.4", "51.15.22.1", "203.0.113.9"])
PUBLIC_V6 = st.sampled_from(["2001:db8::7", "2a01:4f8::1", "2606:4700::1111", "3fff::1"])
AGENTS = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\0"), max_size=20)


def _hours(zone: str | None) -> str:
    return f'request.time.getHours("{zone}")' if zone is not None else "request.time.getHours()"


def _meaning(expression: str) -> Meaning:
    return condition_meaning(parse_cel(expression))


def _requests(times: list[datetime], family: int | None = None) -> list[AccessRequest]:
    ips = {4: ["198.51.100.7", "8.8.8.8"], 6: ["2a01:4f8::1", "2001:db8::7"]}
    chosen = ips[family] if family else ips[4] + ips[6]
    return [
        AccessRequest(ip=ip, user_agent=agent, time=time)
        for time in times
        for ip in chosen
        for agent in ("", "curl/8.5.0")
    ]


def _caller_picks(expression: str) -> bool:
    from private_serverless.conditions.meaning import _Analysis

    return any(key[0] == "choice" for key in _Analysis(parse_cel(expression)).groups)


def assert_sound(expression: str, requests: list[AccessRequest]) -> Meaning:
    """The analysis' verdicts on ``expression`` hold for the simulator on ``requests``."""
    meaning = _meaning(expression)
    if meaning.can_deny:
        witness = meaning.deny_witness
        assert witness is not None, expression
        assert not evaluate_condition(expression, witness), (expression, witness)
    elif meaning.decided and not _caller_picks(expression):
        # Restricts nothing: every request of the open family is allowed (skipped when the
        # caller picks an atom's outcome through its own header: then it is its choice).
        for request in requests:
            if meaning.open_family is None or request.ip.version == meaning.open_family:
                assert evaluate_condition(expression, request), (expression, request)
    if not meaning.can_allow:
        for request in requests:
            assert not evaluate_condition(expression, request), (expression, request)
    return meaning


# --- the same instant in several spellings --------------------------------------------------


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(UTC_ALIASES),
    st.sampled_from(UTC_ALIASES),
    st.integers(1, 23),
    st.lists(TIMES, min_size=3, max_size=3),
)
def test_an_instant_split_across_utc_aliases_restricts_nothing(
    first: str | None, second: str | None, hour: int, times: list[datetime]
) -> None:
    expression = f"{_hours(first)} < {hour} || {_hours(second)} >= {hour}"
    meaning = assert_sound(expression, _requests(times))
    assert not meaning.can_deny and meaning.decided
    with pytest.raises(ConditionError, match="restricts nothing"):
        validate_condition(expression)
    # Its negation is the contradiction: never true.
    assert not _meaning(f"!({expression})").can_allow


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FIXED_ZONES),
    st.booleans(),
    st.integers(1, 23),
    st.lists(TIMES, min_size=3, max_size=3),
)
def test_a_fixed_offset_equal_to_a_named_zone_is_the_same_clock(
    zones: tuple[str, str], swap: bool, hour: int, times: list[datetime]
) -> None:
    named, offset = reversed(zones) if swap else zones
    expression = f"{_hours(named)} < {hour} || {_hours(offset)} >= {hour}"
    meaning = assert_sound(expression, _requests(times))
    assert not meaning.can_deny and meaning.decided


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DST_ZONES), st.integers(1, 23), st.lists(TIMES, min_size=3, max_size=3))
def test_a_zone_with_daylight_saving_is_not_its_winter_offset(
    zones: tuple[str, str], hour: int, times: list[datetime]
) -> None:
    named, offset = zones
    expression = f"{_hours(named)} < {hour} || {_hours(offset)} >= {hour}"
    # Summer shifts the named zone by an hour: some hour is refused, and the analysis shows it.
    meaning = assert_sound(expression, _requests(times))
    assert meaning.can_deny


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(-14 * 60, 14 * 60),
    st.integers(-14 * 60, 14 * 60),
    st.integers(1, 23),
    st.integers(0, 23),
    st.lists(TIMES, min_size=4, max_size=4),
)
def test_random_fixed_offsets_are_judged_as_the_simulator_evaluates(
    first: int, second: int, hour: int, other: int, times: list[datetime]
) -> None:
    def spelled(minutes: int) -> str:
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    expression = (
        f"{_hours(spelled(first))} < {hour} || {_hours(spelled(second))} >= {hour}"
        f" || {_hours(spelled(second))} == {other}"
    )
    meaning = assert_sound(expression, _requests(times))
    if first == second:
        assert not meaning.can_deny


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(UTC_ALIASES),
    st.sampled_from(UTC_ALIASES),
    st.integers(0, 22),
    st.integers(1, 12),
)
def test_equal_windows_in_different_aliases_imply_each_other(
    first: str | None, second: str | None, start: int, length: int
) -> None:
    end = min(start + length, 24)
    window = "{h} >= {start} && {h} < {end}"
    a = window.format(h=_hours(first), start=start, end=end)
    b = window.format(h=_hours(second), start=start, end=end)
    assert implies(a, b) and implies(b, a)
    if end < 23:  # a narrower window is stronger, never weaker
        wider = window.format(h=_hours(second), start=start, end=end + 1)
        assert implies(a, wider) and not implies(wider, a)


def test_a_dst_zone_window_does_not_imply_its_winter_offset_window() -> None:
    paris = (
        'request.time.getHours("Europe/Paris") >= 9 && request.time.getHours("Europe/Paris") < 18'
    )
    fixed = 'request.time.getHours("+01:00") >= 9 && request.time.getHours("+01:00") < 18'
    assert not implies(paris, fixed) and not implies(fixed, paris)


# --- long disjunctions, past the combination cap --------------------------------------------


def _mixed_atom(index: int) -> str:
    kinds = [
        f'inIpRange(request.ip, "198.51.{index % 250}.0/24")',
        f'request.user_agent.contains("client-{index}")',
        f"request.time.getHours() == {index % 24}",
        f'request.time.getMinutes("+05:30") == {index % 60}',
    ]
    return kinds[index % len(kinds)]


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 40), st.booleans(), st.lists(TIMES, min_size=2, max_size=2))
def test_a_disjunction_ending_in_true_restricts_nothing_whatever_its_length(
    length: int, entangled: bool, times: list[datetime]
) -> None:
    if entangled:  # conjunctions over every variable: one part, past the cap
        length = min(length, 11)  # Scaleway's 2048 characters
        parts = [
            f"({_mixed_atom(4 * i)} && {_mixed_atom(4 * i + 1)} && {_mixed_atom(4 * i + 2)}"
            f" && {_mixed_atom(4 * i + 3)})"
            for i in range(length)
        ]
    else:
        parts = [_mixed_atom(i) for i in range(length)]
    expression = " || ".join([*parts, "true"])
    meaning = assert_sound(expression, _requests(times))
    assert not meaning.can_deny and meaning.decided
    without = assert_sound(" || ".join(parts), _requests(times))
    assert without.can_deny or not without.decided


# --- ranges the caller picks ----------------------------------------------------------------


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [
            "inIpRange(request.ip, request.user_agent)",
            "!inIpRange(request.ip, request.user_agent)",
            "request.time.getHours(request.user_agent) < 12",
            "request.user_agent == request.ip",
        ]
    ),
    st.sampled_from(["", ' || request.user_agent.contains("x")', " || false"]),
)
def test_a_value_the_caller_picks_restricts_nothing(atom: str, rest: str) -> None:
    meaning = _meaning(f"({atom}){rest}")
    assert not meaning.can_deny
    # ... but next to a range the caller does not pick, the condition does restrict.
    restricted = f'(({atom}){rest}) && inIpRange(request.ip, "198.51.100.0/24")'
    meaning = assert_sound(restricted, [])
    assert meaning.can_deny


# --- address unions covering every public address -------------------------------------------


@st.composite
def partitions(draw: st.DrawFn, root: str, depth: int) -> list[str]:
    """A random partition of ``root`` into CIDR blocks."""
    blocks = [ipaddress.ip_network(root)]
    result = []
    while blocks:
        block = blocks.pop()
        split = block.prefixlen < block.max_prefixlen and draw(st.integers(0, depth)) > 0
        if split and len(result) + len(blocks) < 24:
            blocks.extend(block.subnets(prefixlen_diff=1))
            depth = max(depth - 1, 0)
        else:
            result.append(str(block))
    return result


def _seen_part(network: str) -> bool:
    """Whether ``network`` holds an address Scaleway may see (outside every unseen range)."""
    from private_serverless.conditions.samples import _NEVER_SEEN

    remaining = [ipaddress.ip_network(network)]
    for unseen in _NEVER_SEEN:
        next_remaining = []
        for block in remaining:
            if block.version != unseen.version or not block.overlaps(unseen):
                next_remaining.append(block)
            elif not block.subnet_of(unseen):  # type: ignore[arg-type]
                next_remaining.extend(block.address_exclude(unseen))  # type: ignore[arg-type]
        remaining = next_remaining
    return bool(remaining)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["0.0.0.0/0", "2000::/3", "::/0"]),
    st.data(),
    st.lists(TIMES, min_size=2, max_size=2),
)
def test_unions_covering_every_public_address_restrict_nothing(
    root: str, data: st.DataObject, times: list[datetime]
) -> None:
    blocks = data.draw(partitions(root, 6))
    family = ipaddress.ip_network(root).version
    whole = " || ".join(f'inIpRange(request.ip, "{b}")' for b in blocks)
    meaning = assert_sound(whole, _requests(times))
    assert not meaning.can_deny and meaning.open_family == family
    # Without one block, the union restricts exactly when that block holds a public address.
    hole = data.draw(st.sampled_from(blocks))
    rest = [b for b in blocks if b != hole]
    if not rest:
        return
    partial = " || ".join(f'inIpRange(request.ip, "{b}")' for b in rest)
    meaning = assert_sound(partial, _requests(times))
    # The other family is refused entirely, so the hole decides.
    assert meaning.can_deny == _seen_part(hole), (partial, hole)


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_covering_both_families_restricts_nothing(data: st.DataObject) -> None:
    v4 = data.draw(partitions("0.0.0.0/0", 4))
    v6 = data.draw(partitions("2000::/3", 4))
    blocks = data.draw(st.permutations(v4 + v6))
    meaning = _meaning(" || ".join(f'inIpRange(request.ip, "{b}")' for b in blocks))
    assert not meaning.can_deny and meaning.decided


# --- deadlines ------------------------------------------------------------------------------


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 9999 - NOW.year - 12), st.sampled_from(["<", "<=", ">", ">="]))
def test_a_deadline_past_the_horizon_is_no_restriction(years: int, op: str) -> None:
    moment = datetime(NOW.year + 11 + years, 6, 1, tzinfo=UTC)
    assert moment > NOW + HORIZON
    literal = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    meaning = _meaning(f'request.time {op} timestamp("{literal}")')
    # Before it: always true (restricts nothing); after it: never true (locks everybody out).
    assert (meaning.can_allow, meaning.can_deny) == ((True, False) if "<" in op else (False, True))


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 3000), st.sampled_from(["<", ">="]), st.lists(TIMES, min_size=2, max_size=2))
def test_a_deadline_within_the_horizon_restricts(days: int, op: str, times: list[datetime]) -> None:
    literal = (NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    meaning = assert_sound(f'request.time {op} timestamp("{literal}")', _requests(times))
    assert meaning.can_deny and meaning.can_allow


@pytest.mark.parametrize(
    "literal",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59"],
)
def test_timestamps_outside_cel_range_are_refused_not_crashes(literal: str) -> None:
    with pytest.raises(ConditionError, match="range CEL timestamps can hold"):
        validate_condition(f'request.time < timestamp("{literal}")')


def test_the_last_cel_instant_is_a_valid_but_empty_deadline() -> None:
    for expression in (
        'request.time < timestamp("9999-12-31T23:59:59Z")',
        'request.time > timestamp("9999-12-31T23:59:59Z")',
        'request.time <= timestamp("0001-01-01T00:00:00Z")',
    ):
        meaning = _meaning(expression)
        assert not meaning.can_deny or not meaning.can_allow


# --- lists ----------------------------------------------------------------------------------


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text("abcdefghij-/.0123456789", min_size=1, max_size=12), max_size=30),
    st.lists(st.integers(0, 300), max_size=120),
    st.sampled_from(["||", "&&"]),
    st.lists(AGENTS, min_size=3, max_size=3),
    st.lists(TIMES, min_size=1, max_size=1),
)
def test_list_conditions_are_decided_soundly(
    agents: list[str], sizes: list[int], op: str, headers: list[str], times: list[datetime]
) -> None:
    strings = ", ".join(f'"{a}"' for a in agents)
    numbers = ", ".join(str(n) for n in sizes)
    expression = f"request.user_agent in [{strings}] {op} size(request.user_agent) in [{numbers}]"
    requests = [
        AccessRequest(ip="198.51.100.7", user_agent=h, time=times[0]) for h in [*headers, *agents]
    ]
    meaning = assert_sound(expression, requests)
    # A length outside the list and a text outside the list always exist (255 is the most).
    if op == "||" and set(range(256)) - set(sizes):
        assert meaning.can_deny
    if op == "&&" and not any(len(a) in sizes for a in agents):
        assert not meaning.can_allow


_DAY_ZONES = (
    None,
    "Europe/Paris",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kathmandu",
    "+05:45",
    "-09:30",
)
_DAY_ATOM = st.builds(
    lambda method, zone, op, value: (
        f"request.time.{method}({'' if zone is None else repr(zone).replace(chr(39), chr(34))})"
        f" {op} {value}"
    ),
    st.sampled_from(["getDayOfYear", "getDayOfMonth", "getDate", "getMonth", "getDayOfWeek"]),
    st.sampled_from(_DAY_ZONES),
    st.sampled_from(["==", "<", ">=", "!="]),
    st.integers(0, 31),
)


@settings(deadline=None, max_examples=15, suppress_health_check=list(HealthCheck))
@given(
    atoms=st.lists(_DAY_ATOM, min_size=1, max_size=3),
    joins=st.lists(st.sampled_from(["&&", "||"]), max_size=2),
)
def test_the_day_grid_finds_what_the_hourly_grid_finds(atoms: list[str], joins: list[str]) -> None:
    """Date-only conditions are sampled at the local day starts only: the verdict must be the
    one the hourly grid (every hour, every offset's minute phase, over four years, never cut
    by the instant budget) gives, including for zones a day apart and zones with half-hour and
    45-minute offsets."""
    from hypothesis import reject
    from private_serverless.conditions import samples
    from private_serverless.conditions.validation import analyze_condition

    ops = (joins + ["&&"] * len(atoms))[: len(atoms) - 1]
    joined = zip(ops, atoms[1:], strict=True)
    expression = atoms[0] + "".join(f" {op} {atom}" for op, atom in joined)
    try:
        tree, _ = analyze_condition(expression, whole=False)  # never-true ones included
    except ConditionError:
        reject()  # a value out of an accessor's range
    reduced = condition_meaning(tree)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(samples, "_DAY_FIELDS", frozenset())  # back to the hourly grid
        patch.setattr(samples, "MAX_INSTANTS", 10**6)  # all of it
        hourly = condition_meaning(tree)
    assert (reduced.can_allow, reduced.can_deny, reduced.decided) == (
        hourly.can_allow,
        hourly.can_deny,
        hourly.decided,
    )


_TEXT_TESTS = {
    "contains": lambda text, literal: literal in text,
    "startsWith": str.startswith,
    "endsWith": str.endswith,
    "==": str.__eq__,
}
_HEADERS = [
    "".join(letters) for size in range(8) for letters in itertools.product("abc", repeat=size)
]


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.text("ab", min_size=1, max_size=3), min_size=1, max_size=5, unique=True),
    st.data(),
)
def test_text_test_samples_give_every_vector_a_header_can_give(
    literals: list[str], data: st.DataObject
) -> None:
    """Where the user-agent samples claim completeness for text tests, every truth vector
    that some real header (here every string over a, b and c up to 7 characters) gives is
    among the samples' vectors: overlapping literals, one inside another, the same literal at
    both ends. A missed vector would let the analysis prove an implication that is false."""
    from private_serverless.conditions.samples import _user_agent_samples, text_samples_complete

    tests = data.draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(_TEXT_TESTS)), st.sampled_from(literals)),
            min_size=1,
            max_size=6,
        )
    )
    assert text_samples_complete(literals)

    def vector(header: str) -> tuple[bool, ...]:
        return tuple(_TEXT_TESTS[method](header, literal) for method, literal in tests)

    sampled = {vector(header) for header in _user_agent_samples(literals, [])}
    missed = {vector(header) for header in _HEADERS} - sampled
    assert not missed


@settings(deadline=None, max_examples=40)
@given(
    st.lists(st.text("ab", min_size=1, max_size=3), min_size=2, max_size=4, unique=True),
    st.data(),
)
def test_text_conditions_proven_never_true_allow_no_header(
    literals: list[str], data: st.DataObject
) -> None:
    """The same through the whole analysis: a condition of text tests that the analysis
    proves never true (what `implies` relies on) allows no header."""
    methods = ["contains", "startsWith", "endsWith"]
    atoms = data.draw(
        st.lists(
            st.tuples(st.sampled_from(methods), st.sampled_from(literals), st.booleans()),
            min_size=2,
            max_size=5,
        )
    )
    expression = " && ".join(
        f'{"!" if negated else ""}request.user_agent.{method}("{literal}")'
        for method, literal, negated in atoms
    )
    meaning = condition_meaning(parse_cel(expression))
    if not meaning.can_allow:
        for header in _HEADERS:
            allowed = all(
                _TEXT_TESTS[method](header, literal) != negated
                for method, literal, negated in atoms
            )
            assert not allowed, header


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.text("ab", max_size=3), min_size=1, max_size=8, unique=True),
    st.lists(st.integers(0, 8), min_size=1, max_size=4),
    st.data(),
)
def test_equality_and_length_samples_give_every_vector_a_header_can_give(
    literals: list[str], numbers: list[int], data: st.DataObject
) -> None:
    """Equalities (`==`, `in` a list) with length tests: claimed complete, so every vector a
    real header gives must be sampled, also when every short string of a letter is listed."""
    from private_serverless.conditions.samples import _user_agent_samples, text_samples_complete

    comparisons = {"==": int.__eq__, "<": int.__lt__, ">=": int.__ge__}
    tests = data.draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("equal"), st.sampled_from(literals)),
                st.tuples(st.sampled_from(sorted(comparisons)), st.sampled_from(numbers)),
            ),
            min_size=1,
            max_size=6,
        )
    )
    assert text_samples_complete(literals, lengths=True)

    def vector(header: str) -> tuple[bool, ...]:
        return tuple(
            header == value if kind == "equal" else comparisons[kind](len(header), value)
            for kind, value in tests
        )

    sampled = {vector(header) for header in _user_agent_samples(literals, numbers)}
    assert not {vector(header) for header in _HEADERS} - sampled


@settings(deadline=None, max_examples=40, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(["0.0.0.0/0", "198.51.100.0/24", "2000::/3", "::/0", "10.0.0.0/8"]),
    st.lists(st.integers(2025, 2040), min_size=1, max_size=4),
    st.sampled_from([None, "Europe/Paris", "-12:00", "Pacific/Kiritimati"]),
    st.sampled_from(["||", "&&"]),
    st.lists(
        st.sampled_from(["198.51.100.9", "2a01:4f8::1", "10.1.2.3", "curl/8", ""]),
        min_size=2,
        max_size=4,
    ),
    st.lists(TIMES, min_size=2, max_size=2),
)
def test_addresses_read_from_the_header_and_year_lists_are_judged_as_cel_runs_them(
    subnet: str,
    years: list[int],
    zone: str | None,
    op: str,
    agents: list[str],
    times: list[datetime],
) -> None:
    """`inIpRange(request.user_agent, ...)` and `getFullYear() in [...]` are evaluated in
    plain Python by the analysis (CEL's engine took up to 2 s on such conditions): its
    verdicts must be the simulator's, which runs cel-python."""
    year = "request.time.getFullYear()" if zone is None else f'request.time.getFullYear("{zone}")'
    expression = (
        f'inIpRange(request.user_agent, "{subnet}") {op} {year} in [{", ".join(map(str, years))}]'
    )
    requests = [
        AccessRequest(ip="198.51.100.7", user_agent=agent, time=time)
        for agent in agents
        for time in times
    ]

    def allowed(request: AccessRequest) -> bool:
        try:
            return evaluate_condition(expression, request)
        except ConditionError:  # an error at the top (no address in the header) denies
            return False

    meaning = _meaning(expression)
    if meaning.can_deny:
        assert meaning.deny_witness is not None
        assert not allowed(meaning.deny_witness)
    elif meaning.decided:
        assert all(allowed(request) for request in requests)
    if not meaning.can_allow:
        assert not any(allowed(request) for request in requests)


def test_a_grid_past_the_budget_is_spread_without_being_built() -> None:
    """Four years of hours at 60 minute phases (two million instants, seconds and hundreds of
    MB) are thinned to the budget, evenly from the first hour to the last, and the analysis
    of such a condition is marked incomplete rather than judged on a cut grid."""
    from private_serverless.conditions import samples

    start = NOW.replace(minute=0, second=0, microsecond=0)
    hours, phases = list(range(4 * 366 * 24)), list(range(60))
    grid = samples._hour_phase_grid(start, hours, phases)
    assert len(grid) == samples.MAX_INSTANTS
    assert grid[0] == start
    assert grid[-1] >= start + timedelta(hours=hours[-1] - 1)
    assert len({m.minute for m in grid}) == 60
    expression = (
        "request.time.getMonth() == 10 && request.time.getMinutes() <= 15 && "
        'request.time.getFullYear("-12:00") <= 2503'
    )
    meaning = condition_meaning(parse_cel(expression))
    assert meaning.can_allow and meaning.can_deny  # witnesses still found on the spread
