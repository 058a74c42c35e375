"""The argument models check Scaleway's limits before anything is registered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateContainerArgs, PrivateFunctionArgs, Probe
from private_serverless.core import limits
from private_serverless.errors import (
    REFUSED_KEY,
    ConfigurationError,
    Problem,
    hiding_keys,
    refused_key_shown,
)
from private_serverless.sensitive.environment import looks_like_secret_name

from .conftest import PLANTED_SECRET

HERE = Path(__file__).parent


def fn_args(**overrides):
    base = {"runtime": "python312", "handler": "handler.handle", "source_dir": HERE}
    base.update(overrides)
    return PrivateFunctionArgs(**base)


def ctr_args(**overrides):
    base = {"image": "rg.fr-par.scw.cloud/ns/api:1"}
    base.update(overrides)
    return PrivateContainerArgs(**base)


def errors_of(exc: ConfigurationError) -> dict[str, str]:
    return {problem.path: problem.message for problem in exc.problems}


# --- names --------------------------------------------------------------------------------
NAME_OK = re.compile(limits.FUNCTION_NAME_PATTERN)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_A. ", max_size=40))
@settings(max_examples=300, deadline=None)
def test_function_name_accepted_iff_scaleway_rule(name):
    expected = (
        1 <= len(name) <= 34
        and all(c.islower() or c.isdigit() or c == "-" for c in name)
        and name[0] != "-"
        and name[-1] != "-"
    )
    try:
        fn_args(name=name)
        accepted = True
    except ConfigurationError as exc:
        accepted = False
        assert "name" in errors_of(exc)
    assert accepted == expected
    assert accepted == bool(NAME_OK.match(name))


def test_container_names_need_two_characters():
    ctr_args(name="ab")
    with pytest.raises(ConfigurationError, match="2 to 34"):
        ctr_args(name="a")


# --- runtime, memory, timeout, scale ----------------------------------------------------------
@pytest.mark.parametrize("runtime", ["python27", "python39", "node18", "go121", "rust179", ""])
def test_unsupported_runtimes_rejected(runtime):
    with pytest.raises(ConfigurationError, match="runtime"):
        fn_args(runtime=runtime)


@given(st.integers(min_value=-10, max_value=10_000))
@settings(max_examples=200, deadline=None)
def test_function_memory_only_in_scaleway_tiers(memory):
    try:
        fn_args(memory_limit_mb=memory)
        accepted = True
    except ConfigurationError:
        accepted = False
    assert accepted == (memory in limits.FUNCTION_MEMORY_TIERS_MB)


@given(st.integers(min_value=-100, max_value=20_000))
@settings(max_examples=200, deadline=None)
def test_timeout_bounds(timeout):
    try:
        fn_args(timeout_seconds=timeout)
        accepted = True
    except ConfigurationError as exc:
        accepted = False
        assert "timeout_seconds" in errors_of(exc)
    assert accepted == (10 <= timeout <= 3600)


@given(st.integers(min_value=-2, max_value=60), st.integers(min_value=-2, max_value=60))
@settings(max_examples=300, deadline=None)
def test_scale_bounds_and_order(min_scale, max_scale):
    try:
        fn_args(min_scale=min_scale, max_scale=max_scale)
        accepted = True
    except ConfigurationError:
        accepted = False
    assert accepted == (0 <= min_scale <= max_scale and 1 <= max_scale <= 50)


def test_min_over_max_is_explained():
    with pytest.raises(ConfigurationError, match=r"min_scale \(3\) exceeds max_scale \(2\)"):
        fn_args(min_scale=3, max_scale=2)


@given(st.integers(min_value=0, max_value=7000), st.integers(min_value=0, max_value=13000))
@settings(max_examples=200, deadline=None)
def test_container_cpu_and_memory_ranges(cpu, memory):
    try:
        ctr_args(cpu_limit_mvcpu=cpu, memory_limit_mb=memory)
        accepted = True
    except ConfigurationError:
        accepted = False
    assert accepted == (70 <= cpu <= 6000 and 128 <= memory <= 12288)


@pytest.mark.parametrize("port", [0, 65536, 8008, 9090])
def test_container_ports(port):
    with pytest.raises(ConfigurationError, match="port"):
        ctr_args(port=port)


def test_container_min_scale_at_most_ten():
    ctr_args(min_scale=10, max_scale=20)
    with pytest.raises(ConfigurationError, match="min_scale is at most 10"):
        ctr_args(min_scale=11, max_scale=20)


def test_probe_threshold_and_timing():
    with pytest.raises(ConfigurationError, match="failure_threshold"):
        Probe(failure_threshold=2)
    with pytest.raises(ConfigurationError, match="interval"):
        Probe(interval_seconds=5, timeout_seconds=6)


# --- environment and secrets ---------------------------------------------------------------
env_names = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,30}\Z")


@given(env_names)
@settings(max_examples=300, deadline=None)
def test_env_names(name):
    # Functions reserve SCW_* only; PORT is the containers' (tests/test_artifacts.py).
    reserved = name.upper().startswith("SCW_")
    secret_like = looks_like_secret_name(name)
    try:
        fn_args(env={name: "v"})
        accepted = True
    except ConfigurationError:
        accepted = False
    assert accepted == (not reserved and not secret_like)
    try:
        fn_args(secrets={name: "v"})
        accepted_as_secret = True
    except ConfigurationError:
        accepted_as_secret = False
    assert accepted_as_secret == (not reserved)


@pytest.mark.parametrize("name", ["1ABC", "A-B", "A B", "", "É"])
def test_invalid_env_names(name):
    with pytest.raises(ConfigurationError, match="env"):
        fn_args(env={name: "v"})


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "api_token",
        "STRIPE_SECRET",
        "SIGNING_KEY",
        "AWS_ACCESS_KEY_ID",
        "GITHUB_TOKEN",
        "PRIVATE_KEY_PEM",
        "SENTRY_DSN",
    ],
)
def test_secret_looking_env_points_to_secrets_without_echoing_the_value(name):
    with pytest.raises(ConfigurationError) as info:
        fn_args(env={name: PLANTED_SECRET})
    message = str(info.value)
    assert name in message and "`secrets`" in message
    assert PLANTED_SECRET not in message
    assert PLANTED_SECRET not in repr(info.value)


def test_same_name_in_env_and_secrets():
    with pytest.raises(ConfigurationError, match="both `env` and `secrets`"):
        fn_args(env={"MODE": "a"}, secrets={"MODE": "b"})


def test_too_many_variables():
    with pytest.raises(ConfigurationError, match="at most 200"):
        fn_args(env={f"V{i}": "x" for i in range(201)})


def test_value_length_limit_never_echoes_the_value():
    value = PLANTED_SECRET * 100
    with pytest.raises(ConfigurationError) as info:
        fn_args(secrets={"BIG": value})
    assert "1000" in str(info.value) and PLANTED_SECRET not in str(info.value)


# Values pasted where a key belongs: refused as keys (upper case, `-`, `+/=`) and shaped like
# tokens (a run of hex digits, base64 padding), never like a name.
pasted_keys = st.from_regex(
    r"Planted-[A-Za-z]{0,6}[a-f][0-9a-f]{1,11}[0-9]{3}[A-Za-z0-9+/=]{0,12}", fullmatch=True
)
# Mistyped names, refused for their capital letter: `Nightly`, `Weekly-2`.
mistyped_names = st.from_regex(r"[A-Z][a-z]{2,10}(?:-[0-9]{1,2})?", fullmatch=True)
KEYED_FIELDS = {
    "schedules": {"schedule": "0 2 * * *"},
    "queues": {
        "sqs": {
            "queue_url": "https://sqs.mnq.fr-par.scaleway.com/project-"
            "11111111-2222-4333-8444-555555555555/jobs"
        }
    },
    "env": "debug",
    "secrets": "from-somewhere",
}


@settings(max_examples=60, deadline=None)
@given(key=pasted_keys, field=st.sampled_from(sorted(KEYED_FIELDS)))
def test_a_refused_key_shaped_like_a_value_is_never_shown(key, field):
    """A value pasted where a key belongs is refused as a key, and the error's key path says
    where without showing it."""
    with pytest.raises(ConfigurationError) as info:
        fn_args(**{field: {key: KEYED_FIELDS[field]}})
    assert f"{field}.<a refused key>" in errors_of(info.value)
    assert key not in str(info.value) and key not in repr(info.value.problems)


@settings(max_examples=30, deadline=None)
@given(key=mistyped_names, field=st.sampled_from(["schedules", "queues"]))
def test_a_refused_key_that_reads_as_a_name_is_named(key, field):
    with pytest.raises(ConfigurationError) as info:
        fn_args(**{field: {key: KEYED_FIELDS[field]}})
    assert "lowercase letters" in errors_of(info.value)[f"{field}.{key}"]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("SCW_REGION", True),
        ("Nightly", True),
        ("k8s", True),
        ("http2-v3", True),
        ("NightlyBackupJob", True),
        ("20261207", True),
        ("PLANTED-env-a91c04d7e2b3", False),  # hex digits
        ("Sk_LiVe_9f8e7d6c5b4a39281706", False),
        ("AKIAIOSFODNN7EXAMPLE", False),  # one word of 20
        ("xKcdQWErtyUI", False),  # case changes
        ("d2f1c8a0-3b4e-4f6a-9c1d-2e3f4a5b6c7d", False),  # a UUID
        ("c2VjcmV0Cg==", False),  # base64
        ("a" * 65, False),
        ("a b", True),  # short: no credential, and hiding it would garble messages
        ("", True),
    ],
)
def test_which_refused_keys_read_as_names(key, shown):
    assert refused_key_shown(key) is shown


def test_hiding_keys_replaces_long_refused_keys_everywhere_and_leaves_short_ones():
    token = "Planted-a91c04d7e2b3"
    problems = [
        Problem(f"services.{token}", "not a valid name"),
        Problem("services.api.calls.x", f"unknown service; services of this stack: {token}"),
        Problem("services.a b", "not a valid name"),
    ]
    assert hiding_keys(problems, [token, "a b"]) == [
        Problem(f"services.{REFUSED_KEY}", "not a valid name"),
        Problem("services.api.calls.x", f"unknown service; services of this stack: {REFUSED_KEY}"),
        Problem("services.a b", "not a valid name"),
    ]


def test_secrets_are_hidden_in_repr():
    args = fn_args(secrets={"DB_PASSWORD": PLANTED_SECRET})
    assert PLANTED_SECRET not in repr(args) and PLANTED_SECRET not in str(args)


# --- code --------------------------------------------------------------------------------------
def test_exactly_one_code_source(tmp_path):
    archive = tmp_path / "code.zip"
    archive.write_bytes(b"PK")
    with pytest.raises(ConfigurationError, match="exactly one"):
        fn_args(zip_file=archive)
    with pytest.raises(ConfigurationError, match="exactly one"):
        PrivateFunctionArgs(runtime="python312", handler="h.h")
    assert PrivateFunctionArgs(runtime="python312", handler="h.h", zip_file=archive).zip_file
