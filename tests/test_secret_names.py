"""Which names are credentials: generated from the kinds (prefixes, suffixes, case and
separators), not only from examples, in the classifier, the argument check and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from private_serverless import PrivateFunctionArgs
from private_serverless.errors import ConfigurationError
from private_serverless.sensitive.names import (
    credential_word,
    name_looks_secret,
    name_words,
    strong_credential_word,
)

HERE = Path(__file__).parent

# Credentials by any reading: the last word (or pair of words) of the name.
STRONG_CORES = [
    ["PASSWORD"],
    ["PASSWD"],
    ["PASSPHRASE"],
    ["PASSCODE"],
    ["PWD"],
    ["PW"],
    ["SECRET"],
    ["SECRETS"],
    ["TOKEN"],
    ["CRED"],
    ["CREDS"],
    ["CREDENTIAL"],
    ["CREDENTIALS"],
    ["AUTH"],
    ["AUTHORIZATION"],
    ["BEARER"],
    ["APIKEY"],
    ["API", "KEY"],
    ["PRIVATE", "KEY"],
    ["SECRET", "KEY"],
    ["ACCESS", "KEY"],
    ["ACCESS", "KEY", "ID"],
    ["SIGNING", "KEY"],
    ["ENCRYPTION", "KEY"],
    ["MASTER", "KEY"],
    ["SESSION", "KEY"],
    ["DSN"],
    ["CONNECTION", "STRING"],
]
# Credentials by default that an allow-list may release (PASS_THROUGH, an S3 object KEY).
WEAK_CORES = [["KEY"], ["PASS"], ["PAT"], ["SK"]]
# Words that say nothing either way.
PREFIXES = ["", "DB", "MYSQL", "POSTGRES", "APP", "SMTP", "GITHUB", "STRIPE", "BILLING", "X"]
NEUTRAL_SUFFIXES = ["", "PROD", "V2", "2", "B64", "BASE64", "HEX", "PEM", "VALUE", "NEW", "OLD"]
# Words that say the value describes a credential: its identifier, lifetime, count, name...
DESCRIPTIVE_SUFFIXES = [
    ["ID"],
    ["IDS"],
    ["TTL"],
    ["TTL", "SECONDS"],
    ["SECONDS"],
    ["TIMEOUT", "MS"],
    ["EXPIRY", "DAYS"],
    ["COUNT"],
    ["MAX", "LENGTH"],
    ["NAME"],
    ["VERSION"],
    ["URL"],
    ["FILE"],
    ["ENABLED"],
]
DATA_KEY_QUALIFIERS = ["SORT", "PRIMARY", "CACHE", "PARTITION", "IDEMPOTENCY", "PUBLIC", "OBJECT"]


def render(words: list[str], style: str) -> str:
    """``words`` written in one of the ways a name is written in env, args and flags."""
    if style == "upper_snake":
        return "_".join(words)
    if style == "lower_snake":
        return "_".join(words).lower()
    if style == "kebab":
        return "-".join(words).lower()
    if style == "dotted":
        return ".".join(words).lower()
    if style == "camel":
        return words[0].lower() + "".join(w.capitalize() for w in words[1:])
    return "".join(w.capitalize() for w in words)  # Pascal


STYLES = st.sampled_from(["upper_snake", "lower_snake", "kebab", "dotted", "camel", "pascal"])
ENV_STYLES = st.sampled_from(["upper_snake", "lower_snake"])


@st.composite
def named(draw: st.DrawFn, cores: list[list[str]], suffixes: st.SearchStrategy[list[str]]) -> str:
    prefix = draw(st.sampled_from(PREFIXES))
    words = [*([prefix] if prefix else []), *draw(st.sampled_from(cores)), *draw(suffixes)]
    return render(words, draw(STYLES))


neutral_suffix = st.sampled_from(NEUTRAL_SUFFIXES).map(lambda s: [s] if s else [])
descriptive_suffix = st.sampled_from(DESCRIPTIVE_SUFFIXES)


@given(named(STRONG_CORES, neutral_suffix))
@settings(max_examples=400, deadline=None)
def test_credentials_by_any_reading_are_credentials_whatever_the_allow_list(name: str) -> None:
    assert strong_credential_word(name) is not None, name_words(name)
    # An allow-list naming it changes nothing: its value would be stored and printed in clear.
    assert name_looks_secret(name, allowed=[name, name.upper(), name.lower()]) is not None


@given(named(WEAK_CORES, neutral_suffix))
@settings(max_examples=200, deadline=None)
def test_abbreviations_are_credentials_unless_allowed(name: str) -> None:
    assert credential_word(name) is not None, name_words(name)
    assert name_looks_secret(name) is not None
    assert name_looks_secret(name, allowed=[name.swapcase()]) is None


@given(
    named(
        [c for c in STRONG_CORES + WEAK_CORES if c != ["ACCESS", "KEY", "ID"]], descriptive_suffix
    )
)
@settings(max_examples=400, deadline=None)
def test_names_that_describe_a_credential_are_not_credentials(name: str) -> None:
    """SECRET_ID, TOKEN_TTL_SECONDS, API_KEY_NAME, KMS_KEY_ID: identifiers, durations, counts
    and key names, whatever the case and the separators."""
    if name_words(name)[-3:] == ["ACCESS", "KEY", "ID"]:
        return  # half of an access key pair: kept with its secret half
    assert credential_word(name) is None, name_words(name)
    assert name_looks_secret(name) is None


@given(
    st.sampled_from(PREFIXES),
    st.sampled_from(DATA_KEY_QUALIFIERS),
    st.sampled_from([[], *DESCRIPTIVE_SUFFIXES]),
    STYLES,
)
@settings(max_examples=200, deadline=None)
def test_data_keys_are_not_credentials(
    prefix: str, qualifier: str, suffix: list[str], style: str
) -> None:
    words = [*([prefix] if prefix else []), qualifier, "KEY", *suffix]
    assert name_looks_secret(render(words, style)) is None


@given(named(STRONG_CORES, neutral_suffix))
@settings(max_examples=100, deadline=None)
def test_glued_words_are_still_read(name: str) -> None:
    glued = "".join(name_words(name))
    words = name_words(name)
    # Glued words are found for the long credential words only (PASS is in COMPASS).
    if any(w in words for w in ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "PWD")):
        assert credential_word(glued) is not None, glued


@given(named(STRONG_CORES + WEAK_CORES, neutral_suffix), ENV_STYLES)
@settings(max_examples=150, deadline=None)
def test_the_argument_check_refuses_every_credential_name_in_plain_env(
    name: str, style: str
) -> None:
    env_name = render(name_words(name), style)
    with pytest.raises(ConfigurationError) as caught:
        PrivateFunctionArgs(
            runtime="python312",
            handler="handler.handle",
            source_dir=HERE,
            env={env_name: "plain-value-never-echoed"},
        )
    assert env_name in str(caught.value) and "plain-value-never-echoed" not in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        "SORT_KEY",
        "PRIMARY_KEY",
        "CACHE_KEY",
        "TOKEN_TTL_SECONDS",
        "SECRET_ID",
        "API_KEY_NAME",
        "KMS_KEY_ID",
        "SESSION_TTL",
        "MAX_TOKENS",
        "PASSWORD_MIN_LENGTH",
        "JWT_PUBLIC_KEY",
        "AUTH0_DOMAIN",
        "TOKENIZER_PATH",
        "SECRET_NAME",
        "REQUEST_COUNT",
    ],
)
def test_issue_names_plan_as_plain_variables(name: str) -> None:
    PrivateFunctionArgs(
        runtime="python312", handler="handler.handle", source_dir=HERE, env={name: "30"}
    )


@pytest.mark.parametrize(
    "name",
    [
        "DB_PW",
        "DB_CREDS",
        "AUTH",
        "MYSQL_PWD",
        "PASSWD",
        "BASIC_AUTH",
        "APP_PASSPHRASE",
        "JWT_PRIVATE_KEY",
        "APP_SIGNING_KEY",
        "STRIPE_APIKEY",
        "SENTRY_DSN",
        "DB_CONNECTION_STRING",
        "AWS_ACCESS_KEY_ID",
        "GITHUB_PAT",
        "SMTP_PASS",
        "STRIPE_SK",
        "ENCRYPTION_KEY_B64",
    ],
)
def test_credential_names_are_refused_in_plain_env(name: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        PrivateFunctionArgs(
            runtime="python312", handler="handler.handle", source_dir=HERE, env={name: "30"}
        )


def test_extra_patterns_add_names_and_never_remove_built_in_ones() -> None:
    assert name_looks_secret("INTERNAL_CODE", patterns=["*_CODE"]) == "the pattern *_CODE"
    assert name_looks_secret("DB_PASSWORD", patterns=[]) is not None
    assert name_looks_secret("DB_PASSWORD", patterns=["NOTHING"]) is not None


def test_a_cron_argument_secret_id_holding_a_uuid_is_an_identifier() -> None:
    from private_serverless.attachments.schedules import ScheduleArgs

    schedule = ScheduleArgs(
        schedule="0 2 * * *", args={"secret_id": "3f1c2d4e-9a7b-4c1d-8e2f-0a1b2c3d4e5f"}
    )
    assert "secret_id" in schedule.args_json()
    with pytest.raises(ValueError, match=r"args\.secret holds what looks like a credential"):
        ScheduleArgs(schedule="0 2 * * *", args={"secret": "3f1c2d4e"})
