"""The argument models check Scaleway's limits before anything is registered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateContainerArgs, PrivateFunctionArgs, Probe
from private_serverless.core import limits
from private_serverless.errors import ConfigurationError
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
