"""Hypothesis strategies for the boundary's files: real seeds mutated, junk, crafted attacks.

Generated values carry :data:`fuzz.targets.MARKER` so that the targets can tell an echoed
input value from a message of ours; keys never carry it (error messages name key paths).
"""

from __future__ import annotations

import copy
import ipaddress
import json
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from fuzz.seed_files import DOCUMENTS, stack_text
from fuzz.targets import MARKER

_KEYS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "urn",
            "type",
            "inputs",
            "outputs",
            "parent",
            "dependencies",
            "custom",
            "protect",
            "resources",
            "deployment",
            "version",
            "services",
            "endpoint",
            "api_key",
            "findings",
            "waves",
            "stack",
            "project",
            "severity",
            "rule",
            "message",
            "expiresAt",
            "rules",
            "permissionSetNames",
            "condition",
            "privacy",
            "4dabf18193072939515e22adb298388d",
            "plaintext",
            "ciphertext",
            "kind",
            "secrets",
            "env",
            "max_scale",
            "access",
            # Names that are credentials by any reading, names that only describe one, and the
            # settings that weaken the guardrail (issue 23): refused or planned, never echoed.
            "DB_PW",
            "DB_CREDS",
            "AUTH",
            "dbPassword",
            "SECRET_ID",
            "TOKEN_TTL_SECONDS",
            "SORT_KEY",
            "STRIPE_KEY",
            "allowed_plain_names",
            "secret_name_patterns",
            "forbid_weakening",
            "policy",
        ]
    ),
)

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30).map(lambda text: MARKER + text),
    st.sampled_from(
        [
            MARKER,
            "",
            "[secret]",
            "1b47061264138c4ac30d75fd1eb44270",
            "private",
            "public",
            "2026-13-45T99:00:00Z",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
            f"https://user:{MARKER}@example.com/",
            f"https://example.com:{MARKER}/",
            f"http://[{MARKER}]/",
            f"https://example.com/\n{MARKER}",
            "urn:pulumi:dev::p::scaleway:iam/apiKey:ApiKey::k",
            "scaleway:iam/apiKey:ApiKey",
            "scaleway:iam/policy:Policy",
            "scaleway:functions/function:Function",
            "scaleway:containers/container:Container",
            "scaleway:iam/application:Application",
            "FullAccess",
            "AllProductsFullAccess",
            f'inIpRange(request.ip, "{MARKER}")',
            'request.user_agent.matches("(")',
        ]
    ),
)

JUNK = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_KEYS, children, max_size=4)
    ),
    max_leaves=12,
)


def seed(name: str) -> Any:
    """A seed document (``plan.json``, ``export.json``, ``outputs.json``): see seed_files."""
    return DOCUMENTS[name]()


def key_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path inside ``value`` (dict keys and list indexes)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from key_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from key_paths(child, (*prefix, index))


def mapping_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The paths of every mapping (where a key can be added)."""
    if isinstance(value, dict):
        yield prefix
        for key, child in value.items():
            yield from mapping_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from mapping_paths(child, (*prefix, index))


def value_at(document: Any, path: tuple[Any, ...]) -> Any:
    """The value at ``path`` inside ``document``."""
    for part in path:
        document = document[part]
    return document


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to four mutations: a key dropped, added, a value replaced, emptied."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["drop", "replace", "replace", "add", "empty", "root"]))
        if operation == "root":
            return draw(st.one_of(JUNK, st.sampled_from([{}, [], None, {"version": 3}])))
        if operation == "add":
            containers = list(mapping_paths(document))
            if not containers:
                break
            target = value_at(document, draw(st.sampled_from(containers)))
            target[draw(_KEYS)] = draw(JUNK)
            continue
        paths = list(key_paths(document))
        if not paths:
            break
        *parent_path, key = draw(st.sampled_from(paths))
        parent = value_at(document, tuple(parent_path))
        if operation == "drop":
            del parent[key]
        elif operation == "empty":
            parent[key] = draw(st.sampled_from([{}, [], "", None, 0]))
        else:
            parent[key] = draw(JUNK)
    return document


#: Texts no serializer produces: the crafted classes of issue 12, sized to stay fast.
CRAFTED_JSON = [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    "9" * 5000,
    '{"version": 3, "deployment": {"resources": [{"urn": "u", "type": "t", "inputs": '
    + "1" * 4400
    + "}]}}",
    "1e999",
    "-1e999",
    "NaN",
    '{"waves": Infinity}',
    '"\\ud800"',
    '{"\\udfff": 1}',
    "",
    "\ufeff{}",
    "{" * 3,
    '{"a": 1, "a": 2}',
    f'{{"services": {{"s": {{"endpoint": "https://u:{MARKER}@h/", "api_key": "k"}}}}}}',
    f'{{"services": {{"s": {{"endpoint": "https://h:{MARKER}/", "api_key": "k"}}}}}}',
]


def json_texts(base_name: str) -> st.SearchStrategy[bytes]:
    """Bytes of a JSON file for one entry point: mostly its seed mutated, some junk or crafted."""
    base = seed(base_name)
    documents = st.one_of(mutated(base), mutated(base), mutated(base), JUNK)
    as_text = documents.map(lambda document: json.dumps(document, ensure_ascii=False))

    @st.composite
    def edited(draw: st.DrawFn) -> str:
        # Text-level damage a serializer never produces: truncation, a byte inserted.
        text = draw(as_text)
        position = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            return text[:position]
        return (
            text[:position]
            + draw(st.sampled_from(["\x00", "}", '"', "\\", "[", "\ud800"]))
            + (text[position:])
        )

    texts = st.one_of(as_text, as_text, edited(), st.sampled_from(CRAFTED_JSON))
    return texts.map(lambda text: text.encode("utf-8", errors="surrogatepass"))


_STACK_SEED = stack_text()

#: Stack-file texts crafted against the YAML reader: alias bombs, undefined aliases and tags
#: carrying the marker, deep nesting, huge integers, duplicate spellings.
CRAFTED_YAML = [
    "config:\n  a0: &a0 [x,x,x,x,x,x,x,x,x]\n"
    + "".join(f"  a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)),
    "a: &a [*a, *a]\n",
    f"config:\n  p:k: *{MARKER}\n",
    f"config:\n  p:k: !{MARKER} x\n",
    f"config:\n  p:k: !!python/object:{MARKER} {{}}\n",
    "config:\n  p:k: " + "[" * 2000 + "]" * 2000 + "\n",
    "config:\n  p:k: " + "9" * 5000 + "\n",
    "config:\n  services: {}\n  private-serverless:services: {}\n",
    f"config:\n  p:k: '{MARKER}\n",
    f"config:\n  ? [{MARKER}]\n  : 1\n",
    "\x00",
    "--- a\n--- b\n",
    f'config: {{p:k: "\\x{MARKER}"}}\n',
]


@st.composite
def stack_texts(draw: st.DrawFn) -> bytes:
    """A stack file: the dev stack edited line by line, crafted YAML, or junk text."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.sampled_from(CRAFTED_YAML)).encode()
    if choice == 1:
        return draw(st.text(max_size=200)).encode("utf-8", errors="surrogatepass")
    lines = _STACK_SEED.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        line = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["duplicate", "delete", "insert", "replace_value"]))
        if edit == "duplicate":
            lines.insert(line, lines[line])
        elif edit == "delete":
            del lines[line]
        elif edit == "insert":
            lines.insert(line, draw(st.sampled_from(["  ", "    "])) + draw(st.text(max_size=20)))
        else:
            key, _, _ = lines[line].partition(":")
            value = draw(
                st.one_of(
                    st.sampled_from(
                        [
                            "true",
                            '"8080"',
                            "''",
                            "*undefined",
                            "!tag x",
                            "&a x",
                            "[*a]",
                            "1e999",
                            ".nan",
                            "-.inf",
                            "0x7fffffffffffffffff",
                            "{}",
                            "[]",
                            "~",
                            f"{MARKER}",
                            f"'{MARKER}",
                            f"*{MARKER}",
                            f"!{MARKER} x",
                            f"'inIpRange(request.ip, \"{MARKER}\")'",
                            f"{{condition: 'request.user_agent == \"{MARKER}\" && x'}}",
                        ]
                    ),
                    st.text(max_size=15),
                )
            )
            lines[line] = f"{key}: {value}"
        if not lines:
            break
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


# --- conditions (issue 23): condition-heavy and list-heavy inputs ---------------------------

#: Zone spellings: UTC's aliases, fixed offsets (some equal to named zones), zones with and
#: without daylight saving time, and junk.
_ZONES = [
    *("UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Universal", "GMT0", "Etc/GMT+0", "UCT"),
    *("+00:00", "-00:00", "+01:00", "-05:30", "+14:00", "-12:00", "+05:45", "Etc/GMT-1"),
    *("Africa/Lagos", "Asia/Tokyo", "Asia/Kolkata", "Europe/Paris", "America/New_York"),
    *("Australia/Lord_Howe", "Pacific/Chatham", "Nope/Zone", "+24:00", MARKER),
]
#: Instants around the ends of CEL's range, with offsets that push them out of it.
_INSTANTS = [
    *("9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59+14:00"),
    *("0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00-23:59"),
    *("2030-01-01T00:00:00Z", "2027-06-30T12:00:00+02:00", "2026-13-45T99:00:00Z"),
    *("9999-12-31T23:59:59.999999999Z", "2036-02-29T00:00:00+05:30", "1970-01-01T00:00:00Z"),
]
_ACCESSORS = [
    *("getHours", "getMinutes", "getSeconds", "getMilliseconds", "getDayOfWeek", "getDate"),
    *("getDayOfMonth", "getMonth", "getDayOfYear", "getFullYear"),
]
_NETWORKS = [
    *("0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "198.51.100.0/24", "203.0.113.42/32"),
    *("10.0.0.0/8", "::/0", "2000::/3", "2000::/4", "3000::/4", "2001:db8::/32", "fc00::/7"),
    *("1.2.3.4/33", "198.51.100.1/24", MARKER),
]
_WORDS = st.text("abcxyz-/.0123456789 ", min_size=0, max_size=10)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def _time_atom(draw: st.DrawFn) -> str:
    accessor = draw(st.sampled_from(_ACCESSORS))
    zone = draw(st.one_of(st.none(), st.sampled_from(_ZONES)))
    argument = "" if zone is None else _quoted(zone)
    op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
    if draw(st.integers(0, 4)) == 0:
        values = draw(st.lists(st.integers(-1, 2100), max_size=30))
        return f"request.time.{accessor}({argument}) in [{', '.join(map(str, values))}]"
    if draw(st.integers(0, 3)) == 0:
        instant = draw(st.sampled_from(_INSTANTS))
        return f"request.time {op} timestamp({_quoted(instant)})"
    value = draw(st.one_of(st.integers(0, 59), st.integers(-5, 10000)))
    return f"request.time.{accessor}({argument}) {op} {value}"


@st.composite
def _address_atom(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 5))
    if choice == 0:  # a range the caller picks
        return draw(
            st.sampled_from(
                [
                    "inIpRange(request.ip, request.user_agent)",
                    'inIpRange(request.user_agent, "0.0.0.0/0")',
                    "request.ip == request.user_agent",
                ]
            )
        )
    if choice == 1:  # a random CIDR
        family = draw(st.sampled_from([(32, 4), (128, 6)]))
        prefix = draw(st.integers(0, family[0]))
        value = (
            draw(st.integers(0, 2 ** family[0] - 1)) >> (family[0] - prefix) << (family[0] - prefix)
        )
        address = ipaddress.ip_address(value) if family[1] == 4 else ipaddress.IPv6Address(value)
        return f'inIpRange(request.ip, "{address}/{prefix}")'
    return f"inIpRange(request.ip, {_quoted(draw(st.sampled_from(_NETWORKS)))})"


@st.composite
def _agent_atom(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 5))
    if choice == 0:  # list-heavy
        words = draw(st.lists(_WORDS, max_size=40))
        return f"request.user_agent in [{', '.join(map(_quoted, words))}]"
    if choice == 1:
        sizes = draw(st.lists(st.integers(-1, 300), max_size=120))
        return f"size(request.user_agent) in [{', '.join(map(str, sizes))}]"
    if choice == 2:
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"size(request.user_agent) {op} {draw(st.integers(-1, 300))}"
    method = draw(st.sampled_from(["contains", "startsWith", "endsWith", "matches"]))
    literal = draw(
        st.one_of(_WORDS, st.sampled_from([".*", "^$", "a{3}", "(a|b)+", "[^x]", "(", MARKER]))
    )
    return f"request.user_agent.{method}({_quoted(literal)})"


def _atoms() -> st.SearchStrategy[str]:
    return st.one_of(
        _time_atom(),
        _address_atom(),
        _agent_atom(),
        st.sampled_from(
            ["true", "false", "1 == 1", '"a" < "b"', 'duration("9999999h") > duration("1s")']
        ),
    )


@st.composite
def condition_texts(draw: st.DrawFn) -> str:
    """A CEL condition: atoms of every kind combined, long disjunctions ending in `true`, the
    same instant split across zone aliases, unions of ranges, lists of up to 120 values."""
    shape = draw(st.integers(0, 5))
    if shape == 0:  # the same instant split across two spellings of a zone
        zones = draw(st.lists(st.sampled_from(_ZONES), min_size=2, max_size=2))
        hour = draw(st.integers(0, 24))
        return (
            f"request.time.getHours({_quoted(zones[0])}) < {hour} || "
            f"request.time.getHours({_quoted(zones[1])}) >= {hour}"
        )
    if shape == 1:  # a long disjunction, past the combination cap, ending in true or not
        parts = draw(st.lists(st.tuples(_address_atom(), _agent_atom(), _time_atom()), max_size=12))
        tail = draw(st.sampled_from([" || true", "", " && false", " || !false"]))
        return " || ".join(f"({a} && {b} && {c})" for a, b, c in parts) + tail if parts else "true"
    if shape == 2:  # a union of ranges
        return " || ".join(draw(st.lists(_address_atom(), min_size=1, max_size=20)))

    def combined(depth: int) -> st.SearchStrategy[str]:
        if depth == 0:
            return _atoms()
        inner = combined(depth - 1)
        return st.one_of(
            inner,
            st.tuples(inner, st.sampled_from([" && ", " || "]), inner).map("".join),
            inner.map(lambda text: f"!({text})"),
            inner.map(lambda text: f"({text})"),
        )

    return draw(combined(3))


def condition_bytes() -> st.SearchStrategy[bytes]:
    return condition_texts().map(lambda text: text.encode("utf-8", errors="surrogatepass"))


@st.composite
def condition_exports(draw: st.DrawFn) -> bytes:
    """The seed export with a generated condition on every policy rule."""
    document = copy.deepcopy(seed("export.json"))
    for resource in document["deployment"]["resources"]:
        if resource.get("type") != "scaleway:iam/policy:Policy":
            continue
        for part in ("inputs", "outputs"):
            for rule in resource.get(part, {}).get("rules", []):
                rule["condition"] = draw(condition_texts())
    return json.dumps(document, ensure_ascii=False).encode("utf-8", errors="surrogatepass")


@st.composite
def condition_stacks(draw: st.DrawFn) -> bytes:
    """A stack of two services in one project with generated conditions and sample requests
    at extreme times (plus a list-heavy condition under 1 KB)."""
    conditions = [draw(condition_texts()) for _ in range(2)]
    instants = draw(st.lists(st.sampled_from(_INSTANTS), min_size=1, max_size=3))
    samples = ", ".join(f"{{ip: 198.51.100.7, time: {_quoted(i)}}}" for i in instants)
    services = "".join(
        f"    s{index}:\n"
        "      kind: function\n"
        "      runtime: python312\n"
        "      handler: handler.handle\n"
        "      source_dir: services/billing\n"
        "      access:\n"
        f"        condition: {json.dumps(condition)}\n"
        f"        expect: {{allow: [{samples}]}}\n"
        for index, condition in enumerate(conditions)
    )
    text = f"config:\n  scaleway:region: fr-par\n  private-serverless:services:\n{services}"
    return text.encode("utf-8", errors="surrogatepass")
