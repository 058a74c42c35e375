"""A key that validation refuses is shown in errors only when it reads as a name: a value pasted
where a key belongs (a token as a schedule or variable name) is never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateFunctionArgs
from private_serverless.errors import (
    REFUSED_KEY,
    ConfigurationError,
    Problem,
    hiding_keys,
    refused_key_labels,
    refused_key_shown,
)

HERE = Path(__file__).parent

# Values pasted where a key belongs: refused as keys (a capital letter, `-`, `+/=`) and shaped
# like tokens (letters and digits in turn, base64 padding), never like a name.
pasted_keys = st.from_regex(
    r"Planted-[a-f0-9]{0,6}[a-f][0-9][a-f][0-9][a-f0-9]{0,10}[A-Za-z0-9+/=]{0,8}", fullmatch=True
)
# Mistyped names, refused for their capital letter, long enough for the word rule to decide.
mistyped_names = st.from_regex(r"[A-Z][a-z]{7,14}(?:-[0-9]{1,2})?", fullmatch=True)
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


def fn_args(**overrides: object) -> PrivateFunctionArgs:
    base: dict[str, object] = {"runtime": "python312", "handler": "handler.handle"}
    return PrivateFunctionArgs(**base, source_dir=HERE, **overrides)  # type: ignore[arg-type]


def paths(exc: ConfigurationError) -> list[str]:
    return [problem.path for problem in exc.problems]


@settings(max_examples=60, deadline=None)
@given(key=pasted_keys, field=st.sampled_from(sorted(KEYED_FIELDS)))
def test_a_refused_key_shaped_like_a_value_is_never_shown(key: str, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        fn_args(**{field: {key: KEYED_FIELDS[field]}})
    assert f"{field}.{REFUSED_KEY}" in paths(info.value)
    assert key not in str(info.value) and key not in repr(info.value.problems)


@settings(max_examples=30, deadline=None)
@given(key=mistyped_names, field=st.sampled_from(["schedules", "queues"]))
def test_a_refused_key_that_reads_as_a_name_is_named(key: str, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        fn_args(**{field: {key: KEYED_FIELDS[field]}})
    assert f"{field}.{key}" in paths(info.value)


def test_several_refused_keys_are_numbered_so_each_problem_points_at_one() -> None:
    first, second = "Planted-a1b2c3d4", "Planted-e5f6a7b8"
    with pytest.raises(ConfigurationError) as info:
        fn_args(schedules={first: {"schedule": "0 2 * * *"}, second: {"schedule": "bad"}})
    found = paths(info.value)
    assert "schedules.<refused key 1>" in found
    assert "schedules.<refused key 2>" in found
    assert "schedules.<refused key 2>.schedule" in found
    assert first not in str(info.value) and second not in str(info.value)


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("SCW_REGION", True),
        ("Nightly", True),
        ("k8s", True),
        ("http2-v3", True),
        ("NightlyBackupJob", True),
        ("Nightly2024", True),
        ("Backup_Q3_2024x", True),
        ("20261207", True),
        ("a b", True),  # short: hiding it would garble the messages that contain it
        ("", True),
        ("PLANTED-env-a91c04d7e2b3", False),  # letters and digits in turn
        ("Sk_LiVe_9f8e7d6c5b4a39281706", False),
        ("AKIA2E3FK7QW9XPLM4RT", False),
        ("xKcdQWErtyUI", False),  # camel humps
        ("d2f1c8a0-3b4e-4f6a-9c1d-2e3f4a5b6c7d", False),  # a UUID
        ("c2VjcmV0Cg==", False),  # base64
        ("MY VAR NAME", False),  # no name holds a space
        ("a" * 25, False),  # a word longer than any name's
        ("a" * 65, False),
    ],
)
def test_which_refused_keys_read_as_names(key: str, shown: bool) -> None:
    assert refused_key_shown(key) is shown


def test_one_hidden_key_is_a_refused_key_several_are_numbered_in_input_order() -> None:
    assert refused_key_labels(["Nightly", "Planted-a1b2c3d4"]) == {"Planted-a1b2c3d4": REFUSED_KEY}
    assert refused_key_labels(["Planted-e5f6a7b8", "Nightly", "Planted-a1b2c3d4"]) == {
        "Planted-e5f6a7b8": "<refused key 1>",
        "Planted-a1b2c3d4": "<refused key 2>",
    }
    assert refused_key_labels(["Nightly", "k8s"]) == {}


def test_hiding_keys_replaces_whole_keys_only_in_paths_and_messages() -> None:
    token = "Planted-a91c04d7e2b3"
    # A hidden key inside a longer key that is shown: the longer one stays whole.
    inside = "report2024q1-"
    problems = [
        Problem(f"services.{token}", "not a valid name"),
        Problem("services.api.calls.x", f"unknown service; services of this stack: {token}"),
        Problem("services.a b", "not a valid name"),
        Problem(f"services.{inside}", f"services of this stack: {inside}, {inside}eu"),
    ]
    assert hiding_keys(problems, [token, "a b", inside]) == [
        Problem("services.<refused key 1>", "not a valid name"),
        Problem("services.api.calls.x", "unknown service; services of this stack: <refused key 1>"),
        Problem("services.a b", "not a valid name"),
        Problem("services.<refused key 2>", f"services of this stack: <refused key 2>, {inside}eu"),
    ]


# Valid variable names that are tokens pasted as names: flagged for their credential word, or
# shaped like a token after a plain prefix.
token_named_credentials = st.from_regex(
    r"(?:API_TOKEN|SECRET)_[A-F0-9]{0,6}[A-F][0-9][A-F][0-9][A-F0-9]{4,16}", fullmatch=True
)
token_named_settings = st.from_regex(
    r"CFG_[a-f0-9]{0,6}[a-f][0-9][a-f][0-9][a-f0-9]{4,16}", fullmatch=True
)
# What the value heuristics take for a provider token (a GitHub personal access token's shape).
PROVIDER_TOKEN = "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a"


@settings(max_examples=40, deadline=None)
@given(name=token_named_credentials)
def test_a_credential_named_by_a_token_is_pointed_at_not_shown(name: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        fn_args(env={name: "debug", "DB_PASSWORD": "debug"})
    message = str(info.value)
    assert "looks like a credential" in message
    assert "DB_PASSWORD" in message  # a name that reads as one is still named
    assert REFUSED_KEY in message
    assert name not in message and name not in repr(info.value.problems)


@settings(max_examples=40, deadline=None)
@given(name=token_named_settings)
def test_a_credential_value_under_a_token_shaped_name_names_neither(name: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        fn_args(env={name: PROVIDER_TOKEN})
    message = str(info.value)
    assert f"{REFUSED_KEY} holds what looks like a" in message
    assert name not in message and PROVIDER_TOKEN not in message


def test_an_allow_list_entry_shaped_like_a_token_is_pointed_at_by_its_place() -> None:
    entry = "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a_PASSWORD"
    with pytest.raises(ConfigurationError) as info:
        fn_args(allowed_plain_names=["DB_HOST", entry])
    assert paths(info.value) == ["allowed_plain_names.1"]
    assert "the entry is a credential beyond doubt" in str(info.value)
    assert entry not in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        fn_args(allowed_plain_names=["DB_PASSWORD"])
    assert "DB_PASSWORD is a credential beyond doubt" in str(info.value)
