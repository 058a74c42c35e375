"""The validator: what it accepts, what it rejects (with positions), what it warns about."""

from __future__ import annotations

import subprocess
import sys

import pytest
from private_serverless.conditions import ConditionError, ConditionWarning, validate_condition
from private_serverless.conditions.validation import USER_AGENT_ONLY
from private_serverless.errors import PrivateServerlessError

DOCUMENTED = [
    'inIpRange(request.ip, "198.51.100.0/24")',
    "request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6"
    ' && request.time.getHours("Europe/Paris") >= 9'
    ' && request.time.getHours("Europe/Paris") < 18',
    "request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6\n"
    '&& request.time.getHours("Europe/Paris") >= 9\n'
    '&& request.time.getHours("Europe/Paris") < 18',
    '(inIpRange(request.ip, "203.0.113.42/32") || request.user_agent.contains("TrustedCI"))\n'
    "&& request.time.getDayOfWeek() != 0 && request.time.getDayOfWeek() != 6",
]
# Scaleway's examples that only the user agent restricts: valid, with the warning that the
# caller picks its user agent (a leaked key works for whoever knows the condition).
DOCUMENTED_USER_AGENT_ONLY = [
    'request.user_agent.contains("InternalAdminTool/1.0")',
    'request.user_agent.contains("terraform/")',
]


@pytest.mark.parametrize("expression", DOCUMENTED)
def test_documented_examples_are_valid_without_warnings(expression: str) -> None:
    assert validate_condition(expression) == []


def _user_agent_only(expression: str) -> bool:
    return [w.message for w in validate_condition(expression)] == [USER_AGENT_ONLY]


@pytest.mark.parametrize(
    "expression",
    [
        *DOCUMENTED_USER_AGENT_ONLY,
        '!request.user_agent.startsWith("curl/")',
        'request.user_agent.endsWith("bot") && size(request.user_agent) < 100',
        'request.user_agent.matches("^Mozilla/[0-9]")',
        'request.user_agent.matches("\\p{L}")',
        # What the user agent lets in beyond the address range, anyone sending it gets.
        'inIpRange(request.ip, "198.51.100.0/24") || request.user_agent.contains("TrustedCI")',
        'inIpRange(request.ip, "203.0.113.42/32") || request.user_agent != ""',
        'inIpRange(request.ip, "203.0.113.42/32") || inIpRange(request.user_agent, "0.0.0.0/0")',
    ],
)
def test_a_condition_only_the_user_agent_restricts_is_valid_with_a_warning(expression: str) -> None:
    assert _user_agent_only(expression)


@pytest.mark.parametrize(
    "expression",
    [
        'inIpRange(request.ip, "203.0.113.42/32") && request.user_agent.contains("TrustedCI")',
        '(inIpRange(request.ip, "203.0.113.42/32") || request.user_agent.contains("TrustedCI"))'
        " && request.time.getDayOfWeek() != 0",
        'request.user_agent.contains("x") && request.time.getHours("Europe/Paris") >= 9',
    ],
)
def test_the_address_or_the_time_still_restricting_is_no_user_agent_warning(
    expression: str,
) -> None:
    assert validate_condition(expression) == []


@pytest.mark.parametrize(
    "expression",
    [
        "  \n\tinIpRange(request.ip, '2001:db8::/32')  \n",
        'inIpRange(request.ip, "192.0.2.0/24") || inIpRange(request.ip, "203.0.113.0/24")',
        "request.time.getDayOfWeek() in [1, 2, 3]",
        'request.time < timestamp("2027-01-01T00:00:00Z")',
        "request.time.getMinutes() >= 30 // comments are CEL too",
        "9 <= request.time.getHours()",
        'request.ip == "203.0.113.7"',
        'request.time.getHours("+02:00") >= 9 && request.time.getHours("-05:30") < 18',
    ],
)
def test_other_valid_conditions(expression: str) -> None:
    assert validate_condition(expression) == []


@pytest.mark.parametrize(
    ("expression", "message", "line", "column"),
    [
        ("request.ip ==", "ends too early", 1, 14),
        ('request.ip == "a" b', "unexpected 'b'", 1, 19),
        ("request.ip\n  && #", "unexpected character '#'", 2, 6),
        ('request.foo == "x"', "unknown attribute 'request.foo'", 1, 9),
        ('request.usr_agent.contains("x")', "did you mean 'user_agent'", 1, 9),
        ("unknownFn(1)", "unknown function 'unknownFn'", 1, 1),
        ('resource.id == "x"', "unknown variable 'resource'", 1, 1),
        ('session.user == "x"', "unknown variable 'session'", 1, 1),
        ('inIpRange(request.ip, "10.0.0.300/8")', '"10.0.0.300/8" is not a valid CIDR', 1, 23),
        ('inIpRange(request.ip, "198.51.100.7/24")', 'did you mean "198.51.100.0/24"', 1, 23),
        # IPv4-mapped ranges: every IPv4 caller for Go's net.IPNet, none for netip or Python.
        (
            'inIpRange(request.ip, "::ffff:0.0.0.0/96")',
            "IPv4-mapped IPv6 range: engines disagree on which IPv4 callers it holds (every one, "
            'or none); write the IPv4 range itself ("0.0.0.0/0")',
            1,
            23,
        ),
        ('inIpRange(request.ip, "::ffff:c633:6400/120")', '("198.51.100.0/24")', 1, 23),
        ('inIpRange(request.ip, "::ffff:203.0.113.7/128")', '("203.0.113.7/32")', 1, 23),
        ('inIpRange("1.2.3", "198.51.100.0/24")', "not a valid IP address", 1, 11),
        ("inIpRange(request.ip)", "inIpRange() takes an IP address and a subnet", 1, 1),
        ("inIpRange(request.ip, 24)", "argument 2 of inIpRange() must be a string", 1, 23),
        (
            'request.time.getHours("Europe/Pariss") >= 9',
            'unknown time zone "Europe/Pariss"',
            1,
            23,
        ),
        ('request.time.getHours("+25:00") >= 9', "IANA time zone name", 1, 23),
        ("request.time.getHours() < 24", "24 is not a valid hour", 1, 27),
        ('request.time.getHours("UTC") == -1', "-1 is not a valid hour", 1, 33),
        ("request.time.getDayOfWeek() != 7", "7 is not a valid day of the week", 1, 32),
        ("7 == request.time.getDayOfWeek()", "7 is not a valid day of the week", 1, 1),
        ("request.time.getDayOfWeek() in [1, 7]", "7 is not a valid day", 1, 32),
        ("request.time.getHours(1, 2) == 3", "takes an optional time zone, got 2", 1, 14),
        ("request.ip", "must be true or false, but it is a string", 1, 1),
        ("1 + 2", "arithmetic ('+') is not supported", 1, 1),
        ("request.time.getHours()", "must be true or false, but it is an int", 1, 1),
        ("request", "'request' must be followed by .ip, .user_agent or .time", 1, 1),
        ("request.ip == 3", "cannot compare a string with an int", 1, 1),
        ("request.ip.getHours() == 3", "unknown method 'getHours' on a string", 1, 12),
        ("request.user_agent.contains(1)", "argument 1 of contains() must be a string", 1, 29),
        ('request.user_agent.matches("(")', "invalid regular expression", 1, 28),
        ("request.time > 3", "cannot compare a timestamp with an int", 1, 1),
        ('request.time > timestamp("2026-01-01")', "not an RFC 3339 timestamp", 1, 26),
        ("true ? true : false", "'? :' is not supported", 1, 1),
        ("request.ip && true", "'&&' needs true/false operands, not a string", 1, 1),
        ('request.user_agent[0] == "a"', "index expressions", 1, 1),
        ('{"a": 1}.size() == 1', "map literals", 1, 1),
        ("has(request.ip)", "unknown function 'has'", 1, 1),
    ],
)
def test_invalid_conditions_say_what_and_where(
    expression: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(ConditionError) as caught:
        validate_condition(expression)
    error = caught.value
    assert message in error.reason
    assert (error.line, error.column) == (line, column)
    assert str(error).endswith(f"at line {line}, column {column}")


@pytest.mark.parametrize("expression", ["", "   \n  "])
def test_empty_condition_is_rejected(expression: str) -> None:
    with pytest.raises(ConditionError, match="empty"):
        validate_condition(expression)


def test_condition_error_is_a_user_error_and_a_value_error() -> None:
    with pytest.raises(ConditionError) as caught:
        validate_condition("unknownFn(1)")
    assert isinstance(caught.value, PrivateServerlessError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("network", "kind"),
    [
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("172.16.5.0/24", "private (RFC 1918)"),
        ("192.168.1.0/24", "private (RFC 1918)"),
        ("127.0.0.1/32", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("100.64.0.0/16", "carrier-grade NAT"),
        ("fd12:3456::/32", "unique-local"),
        ("fc00::/7", "unique-local"),
        ("::1/128", "loopback"),
        ("fe80::/64", "link-local"),
    ],
)
def test_non_public_ranges_warn(network: str, kind: str) -> None:
    # Alone, such a range is an error (never true); next to a public one, a warning.
    warnings = validate_condition(
        f'inIpRange(request.ip, "{network}") || inIpRange(request.ip, "198.51.100.0/24")'
    )
    assert len(warnings) == 1
    assert kind in warnings[0].message
    assert "only sees public source addresses" in warnings[0].message
    assert (warnings[0].line, warnings[0].column) == (1, 23)


@pytest.mark.parametrize(
    "network",
    ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24", "2001:db8::/32"],
)
def test_documentation_and_public_ranges_do_not_warn(network: str) -> None:
    assert validate_condition(f'inIpRange(request.ip, "{network}")') == []


def test_long_user_agent_literal_warns() -> None:
    fits = "a" * 255
    too_long = "a" * 256
    assert _user_agent_only(f'request.user_agent.contains("{fits}")')  # no truncation warning
    for method in ("contains", "startsWith", "endsWith"):
        (warning,) = [
            w
            for w in validate_condition(
                f'request.user_agent.{method}("{too_long}") || request.ip == "203.0.113.7"'
            )
            if w.message != USER_AGENT_ONLY
        ]
        assert "truncated at 255 characters" in warning.message
        assert f"{method}() with a 256-character string" in warning.message
    (warning,) = [
        w
        for w in validate_condition(
            f'request.user_agent == "{too_long}" || request.ip == "203.0.113.7"'
        )
        if w.message != USER_AGENT_ONLY
    ]
    assert "never equals" in warning.message


@pytest.mark.parametrize(
    "expression",
    [
        'request.time.getHours("Europe/Paris") >= 18 && request.time.getHours("Europe/Paris") < 9',
        'request.time.getHours() > 17 && request.ip == "203.0.113.1"'
        " && request.time.getHours() <= 8",
        "(request.time.getDayOfWeek() == 0 && request.time.getDayOfWeek() == 6)"
        ' || request.user_agent.endsWith("ci") && request.ip == "203.0.113.9"',
        "request.time.getDayOfWeek() in [0, 6] && request.time.getDayOfWeek() in [1, 2]",
    ],
)
def test_impossible_windows_warn(expression: str) -> None:
    # A part that is never true is a warning; the whole condition never true is an error.
    (warning,) = validate_condition(f'({expression}) || request.ip == "203.0.113.7"')
    assert "never true" in warning.message


def test_impossible_window_warning_names_the_accessor_and_tests() -> None:
    (warning,) = validate_condition(
        'request.time.getHours("Europe/Paris") >= 18\n&& request.time.getHours("Europe/Paris") < 9'
        '\n|| request.ip == "203.0.113.7"'
    )
    assert warning == ConditionWarning(
        'request.time.getHours("Europe/Paris") cannot be >= 18 and < 9 at the same time: '
        "this part of the condition is never true",
        line=1,
        column=1,
    )


@pytest.mark.parametrize(
    "expression",
    [
        # Different zones of one instant: Paris 18:00-23:59 is 16:00-22:59 UTC.
        'request.time.getHours("Europe/Paris") >= 18 && request.time.getHours() < 23',
        # Different accessors do not constrain each other.
        "request.time.getHours() >= 18 && request.time.getMinutes() < 9",
        # A disjunction is an overnight window, not a contradiction.
        "request.time.getHours() >= 18 || request.time.getHours() < 9",
        # A negated contradiction is always true, not never true.
        "!(request.time.getHours() >= 9 && request.time.getHours() < 18)",
    ],
)
def test_satisfiable_windows_do_not_warn(expression: str) -> None:
    assert validate_condition(expression) == []


def test_lone_comparison_that_never_holds_warns() -> None:
    (warning,) = validate_condition('request.time.getHours() > 23 || request.ip == "192.0.2.7"')
    assert warning.message == "request.time.getHours() is never > 23: this comparison is never true"


def test_importing_the_package_does_not_load_the_cel_engine() -> None:
    code = (
        "import sys, private_serverless, private_serverless.conditions;"
        "assert 'celpy' not in sys.modules and 'lark' not in sys.modules, 'loaded'"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)


def test_utc_zone_and_default_zone_are_the_same_accessor() -> None:
    (warning,) = validate_condition(
        'request.time.getHours() >= 18 && request.time.getHours("UTC") < 9'
        ' || request.ip == "192.0.2.7"'
    )
    assert "never true" in warning.message


def test_too_long_condition_is_rejected() -> None:
    long = " || ".join(['request.user_agent.contains("abcdefghij")'] * 60)
    with pytest.raises(ConditionError, match="at most 2048 characters"):
        validate_condition(long)


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    ip = 'request.ip == "192.0.2.7"'
    assert validate_condition("(" * 40 + ip + ")" * 40) == []
    for depth in (70, 800):
        with pytest.raises(ConditionError, match="nested more than 64 levels deep"):
            validate_condition("(" * depth + ip + ")" * depth)
    # Long flat chains are not nesting (judged as fragments: a chain of true restricts nothing).
    assert validate_condition(" || ".join(["true"] * 200), whole=False) == []
    assert validate_condition(" && ".join(["true"] * 200), whole=False) == []


ALWAYS_TRUE = [
    "true",
    'request.user_agent.contains("x") || true',
    'inIpRange(request.ip, "0.0.0.0/0")',
    'inIpRange(request.ip, "::/0")',
    'inIpRange(request.ip, "198.51.100.0/24") || inIpRange(request.ip, "::/0")',
    'inIpRange(request.ip, "0.0.0.0/1") || inIpRange(request.ip, "128.0.0.0/1")',
    '!inIpRange(request.ip, "10.0.0.0/8")',
    'request.user_agent.matches(".*")',
    'request.user_agent.matches("")',
    'request.user_agent.startsWith("")',
    "request.time.getHours() >= 0",
    'request.time.getHours("Europe/Paris") < 9 || request.time.getHours("Europe/Paris") >= 9',
    "request.time.getDayOfWeek() in [0, 1, 2, 3, 4, 5, 6]",
    "!(request.time.getHours() >= 9 && request.time.getHours() < 9)",
    # A user agent never holds a line break (RFC 9110), so ^.*$ matches every one of them.
    'request.user_agent.matches("^.*$")',
    # Requests come from now on: a comparison with a past instant is the same for all.
    'request.time > timestamp("2000-01-01T00:00:00Z")',
    'request.time >= timestamp("2020-01-01T00:00:00Z") || request.user_agent.contains("x")',
    # The caller picks the second it sends at: it sends again a second later.
    "request.time.getSeconds() < 30",
    'inIpRange(request.ip, "198.51.100.0/24") || request.time.getSeconds() != 7',
    "request.time.getHours() >= 9 || request.time.getMilliseconds() > 0",
    'request.time < timestamp("2031-01-01T00:00:00Z") || request.time.getSeconds() != 7',
]
NEVER_TRUE = [
    "false",
    'inIpRange(request.ip, "10.0.0.0/8")',
    'inIpRange(request.ip, "10.0.0.0/8") || inIpRange(request.ip, "fd00::/8")',
    'request.ip == "192.168.1.1"',
    "request.time.getHours() >= 18 && request.time.getHours() < 9",
    'request.user_agent.contains("abc") && !request.user_agent.contains("b")',
    "!true",
    f'request.user_agent == "{"a" * 256}"',
    'request.time < timestamp("2020-01-01T00:00:00Z")',
]


@pytest.mark.parametrize(
    "expression",
    [
        'request.time < timestamp("2031-01-01T00:00:00Z")',  # an expiry date
        'request.time > timestamp("2031-01-01T00:00:00Z")',  # a start date
        'request.user_agent.matches("^curl/.*$") && inIpRange(request.ip, "198.51.100.0/24")',
        # The seconds restrict nothing, but what they are AND-ed with still does.
        'inIpRange(request.ip, "198.51.100.0/24") && request.time.getSeconds() < 30',
    ],
)
def test_time_windows_and_anchored_patterns_restrict(expression: str) -> None:
    assert validate_condition(expression) == []


@pytest.mark.parametrize("expression", ALWAYS_TRUE)
def test_conditions_that_restrict_nothing_are_errors(expression: str) -> None:
    with pytest.raises(ConditionError, match="restricts nothing"):
        validate_condition(expression)
    # As a fragment to combine with others, it is fine.
    validate_condition(expression, whole=False)


@pytest.mark.parametrize("expression", NEVER_TRUE)
def test_conditions_that_never_match_are_errors(expression: str) -> None:
    with pytest.raises(ConditionError, match="never true"):
        validate_condition(expression)


def test_ipv4_only_wildcard_names_the_family() -> None:
    with pytest.raises(ConditionError, match="from any IPv4 address"):
        validate_condition('inIpRange(request.ip, "0.0.0.0/0")')


@pytest.mark.parametrize("pattern", ["(?<=a)b", "(a)\\\\1", "(?=x)", "a{2,1}", "(?P<n>a)(?P=n)"])
def test_patterns_re2_refuses_are_errors(pattern: str) -> None:
    with pytest.raises(ConditionError, match="invalid regular expression"):
        validate_condition(f'request.user_agent.matches("{pattern}")')


@pytest.mark.parametrize("zone", ["+02:00", "-05:30", "+00:00", "-23:59"])
def test_fixed_offset_zones_are_accepted(zone: str) -> None:
    assert validate_condition(f'request.time.getHours("{zone}") >= 9') == []


@pytest.mark.parametrize("zone", ["+24:00", "02:00", "+2:00", "+02:60", "UTC+2"])
def test_malformed_offsets_are_refused(zone: str) -> None:
    with pytest.raises(ConditionError, match="unknown time zone"):
        validate_condition(f'request.time.getHours("{zone}") >= 9')
