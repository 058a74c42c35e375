"""Keys of a schedule's ``args`` that only look like a credential's, and the allow-list.

A cron's arguments are stored in clear at Scaleway and shown in the plan, so a field whose key
names a credential is refused. Some keys only look like one (an S3 object ``key``): the
service's ``allowed_plain_names`` (the stack's ``policy.allowed_plain_names`` included) releases
them, as it does plain variable names, never a credential beyond doubt, and what a released key
holds is still scanned.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from private_serverless import ConfigurationError, PrivateContainerArgs
from private_serverless.sensitive.credential_keys import credential_key
from private_serverless.sensitive.names import strong_credential_name
from private_serverless.sensitive.structured import scan_document
from pydantic import ValidationError

from .test_stacks import (  # the `project` fixture comes along
    edit_stack,
    plan,
    project,  # noqa: F401
)

IMAGE = "rg.fr-par.scw.cloud/jobs/export:1.0.0"
PLANTED = "postgres://u:PLANTED-pw-7c1e@db.internal/app"


def _args(schedule_args: dict[str, Any], allowed: list[str] | None = None) -> PrivateContainerArgs:
    return PrivateContainerArgs(
        image=IMAGE,
        port=8080,
        schedules={"nightly": {"schedule": "0 2 * * *", "args": schedule_args}},
        allowed_plain_names=allowed or [],
    )


def test_a_key_that_looks_like_a_credentials_is_refused_with_the_way_out() -> None:
    with pytest.raises(ConfigurationError) as caught:
        _args({"bucket": "exports", "key": "daily/report.csv"})
    message = str(caught.value)
    assert "schedules.nightly: args.key holds what looks like a credential" in message
    assert "name the key in `allowed_plain_names`" in message
    assert "daily/report.csv" not in message


@pytest.mark.parametrize("spelling", ["KEY", "key", "Key"])
def test_the_allow_list_releases_it_case_insensitively(spelling: str) -> None:
    args = _args({"bucket": "exports", "key": "daily/report.csv"}, [spelling])
    assert args.schedules["nightly"].args["key"] == "daily/report.csv"


def test_the_allow_list_releases_it_at_any_depth() -> None:
    args = _args({"s3": {"bucket": "exports", "key": "daily/report.csv"}}, ["KEY"])
    assert args.schedules["nightly"].args["s3"]["key"] == "daily/report.csv"


def test_what_a_released_key_holds_is_still_scanned() -> None:
    with pytest.raises(ConfigurationError) as caught:
        _args({"key": PLANTED}, ["KEY"])
    message = str(caught.value)
    assert "args.key holds what looks like a URL with credentials" in message
    assert "PLANTED" not in message


def test_a_credential_beyond_doubt_is_neither_releasable_nor_offered_the_allow_list() -> None:
    with pytest.raises(ConfigurationError) as caught:
        _args({"password": "hunter2-but-longer"}, ["PASSWORD"])
    message = str(caught.value)
    assert "allowed_plain_names.0: PASSWORD is a credential beyond doubt" in message
    assert "schedules.nightly: args.password holds what looks like a credential" in message
    with pytest.raises(ConfigurationError) as caught:
        _args({"password": "hunter2-but-longer"})
    assert "allowed_plain_names" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_count_of_tokens_is_no_credential_but_a_token_is() -> None:
    args = _args({"model": "mistral-small", "max_tokens": 512, "num_tokens": 3})
    assert args.schedules["nightly"].args["max_tokens"] == 512
    with pytest.raises(ConfigurationError, match=r"args\.token holds"):
        _args({"token": "abc-def-ghi"})


_WORDS = ["key", "token", "password", "auth", "page", "max", "s3", "api", "object", "secret"]
_WORDS += ["pass", "Word", "Phrase", "Key", "Pass"]  # camelCase halves (passWord, apiKey)
_KEYS = st.tuples(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3), st.sampled_from(["_", ""])
).map(lambda parts: parts[1].join(parts[0]))


@given(key=_KEYS, allowed=st.lists(_KEYS, max_size=3), value=st.sampled_from(["abc1", 7]))
def test_the_allow_list_releases_exactly_the_named_keys_that_are_not_strong(
    key: str, allowed: list[str], value: object
) -> None:
    flagged = bool(scan_document({key: value}, allowed))
    released = key.upper() in {name.upper() for name in allowed}
    expected = credential_key(key) and not (released and not strong_credential_name(key))
    assert flagged == expected


def test_the_stacks_allow_list_releases_a_cron_key_in_the_plan(project) -> None:  # noqa: F811
    def cron_with_key(config: dict[str, Any]) -> None:
        billing = config["private-serverless:services"]["billing"]
        billing["schedules"] = {
            "export": {"schedule": "0 2 * * *", "args": {"bucket": "b", "key": "exports/"}}
        }

    edit_stack(project, "dev", cron_with_key)
    refused = plan("--stack", "dev", "--env-file", ".env.example")
    assert refused.exit_code == 2, refused.output
    assert "services.billing.schedules.export: args.key holds" in refused.output

    def allow_key(config: dict[str, Any]) -> None:
        config["private-serverless:policy"]["allowed_plain_names"] = ["KEY"]

    edit_stack(project, "dev", allow_key)
    allowed = plan("--stack", "dev", "--env-file", ".env.example")
    assert allowed.exit_code == 0, allowed.output
    assert "guardrail weakened" in allowed.output and "KEY" in allowed.output


@pytest.mark.parametrize(
    "key",
    [
        *("passWord", "dbPassWord", "PASSword", "SECRETkey", "PassPhrase", "PassWorD"),
        *("passPHrase", "apiKEy", "SeCRetKEy", "pass2word"),
    ],
)
def test_a_credential_word_cut_by_its_capitals_is_no_releasable_name(key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        _args({key: "Tr0ub4dor-and-3"}, [key])
    assert "is a credential beyond doubt" in str(caught.value)
    assert "Tr0ub4dor" not in str(caught.value)
    assert scan_document({key: "Tr0ub4dor-and-3"}, [key]) != []


def test_a_schedule_checked_for_one_service_releases_nothing_in_another() -> None:
    first = _args({"bucket": "exports", "key": "daily/report.csv"}, ["KEY"])
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainerArgs(image=IMAGE, port=8080, schedules=dict(first.schedules))
    assert "schedules.nightly: args.key holds what looks like a credential" in str(caught.value)


def test_a_callers_validation_context_releases_nothing() -> None:
    data = {
        "image": IMAGE,
        "port": 8080,
        "schedules": {"nightly": {"schedule": "0 2 * * *", "args": {"key": "daily/"}}},
    }
    with pytest.raises(ValidationError) as caught:
        PrivateContainerArgs.model_validate(data, context={"allowed_plain_names": ["KEY"]})
    assert "args.key holds what looks like a credential" in str(caught.value)


def _refusal(schedules: dict[str, Any], allowed: list[str]) -> str:
    """The error of a container with these schedules and allow-list."""
    with pytest.raises(ConfigurationError) as caught:
        PrivateContainerArgs(
            image=IMAGE, port=8080, allowed_plain_names=allowed, schedules=schedules
        )
    return str(caught.value)


BAD_SCHEDULE = {"schedule": "0 2 * * *", "args": {"password": "one-planted"}}


def test_every_refused_schedule_is_reported_with_an_allow_list_too() -> None:
    message = _refusal(
        {"a": BAD_SCHEDULE, "b": {"schedule": "0 3 * * *", "args": {"token": "two-planted"}}},
        ["KEY"],
    )
    assert "schedules.a: args.password" in message and "schedules.b: args.token" in message
    assert "planted" not in message


def test_a_document_nested_too_deeply_to_be_judged_is_refused() -> None:
    document: dict[str, Any] = {"password": "deep-planted-value"}
    for _ in range(40):
        document = {"level": document}
    with pytest.raises(ConfigurationError) as caught:
        _args(document)
    assert "nested deeper than 32 levels, not judged" in str(caught.value)
    assert "deep-planted" not in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        *("API_KEY_ID", "API_KEY_NAME", "apiKeyId", "tokenTtlSeconds", "passWordLength"),
        *("STRIPE_KEY", "SORT_KEY", "CACHE_KEY", "SECRET_ID", "MAX_TOKENS", "CONN_STRATEGY"),
        "PW_DIR",
    ],
)
def test_names_that_only_describe_a_credential_stay_allowable(name: str) -> None:
    # The allow-list is how a sound design keeps such a name plain: refusing it is a defect.
    args = _args({"report": "daily"}, [name])
    assert name in args.allowed_plain_names


def test_a_structure_too_deep_under_a_credential_key_is_refused_not_crashed_on() -> None:
    deep: Any = ""
    for _ in range(900):
        deep = [deep]
    with pytest.raises(ConfigurationError) as caught:
        _args({"token": deep})
    assert "args.token holds what looks like a credential" in str(caught.value)


def test_a_reused_schedule_and_a_bad_one_are_both_reported() -> None:
    first = _args({"bucket": "exports", "key": "daily/"}, ["KEY"])
    message = _refusal({"a": BAD_SCHEDULE, "b": first.schedules["nightly"]}, ["STRIPE_KEY"])
    assert "schedules.a: args.password" in message and "schedules.b: args.key" in message
