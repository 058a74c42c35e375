"""Credentials inside structured plain values: generated credentials embedded in each kind of
structure are found (and located), and ordinary structured values are not flagged."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from private_serverless.sensitive.credential_keys import credential_key, holds_no_credential
from private_serverless.sensitive.structured import Hit, scan_document, scan_text, scan_words
from private_serverless.sensitive.values import value_looks_secret

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LOWER = "abcdefghijklmnopqrstuvwxyz"
ALNUM = LOWER + LOWER.upper() + "0123456789"
# Characters a credential may hold in a URL, a DSN or a flag without quoting.
CREDENTIAL_CHARS = ALNUM + "!*-_.~+"

# A credential: random, never a word that stands for none (``none``, ``$TOKEN``).
credentials = (
    st.text(alphabet=CREDENTIAL_CHARS, min_size=6, max_size=30)
    .filter(lambda v: not holds_no_credential(v) and v[0].isalnum())
    .map(lambda v: v + "9")  # a digit: never mistaken for a word such as "iam" or "optional"
)
tokens = st.text(alphabet=ALNUM, min_size=12, max_size=40).map(lambda v: f"a1{v}")
words = st.text(alphabet=LOWER, min_size=2, max_size=10)
hosts = st.builds(lambda a, b: f"{a}.{b}.internal", words, words)
credential_keys = st.sampled_from(
    [
        "password",
        "Password",
        "pwd",
        "passwd",
        "pass",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "apiKey",
        "api_key",
        "x-api-key",
        "auth",
        "authToken",
        "db_pw",
        "creds",
    ]
)
plain_keys = st.sampled_from(
    ["host", "port", "dbname", "user", "sslmode", "page", "sort", "lang", "region", "limit"]
).filter(lambda k: not credential_key(k))


def kinds(hits: list[Hit]) -> set[str]:
    return {hit.kind for hit in hits}


def assert_found_without_value(hits: list[Hit], secret: str) -> None:
    assert hits, "a planted credential was not found"
    for hit in hits:
        assert secret not in hit.describe()


# --- each kind is found --------------------------------------------------------------------


@SETTINGS
@given(
    scheme=st.sampled_from(["postgres", "postgresql", "mysql", "amqps", "redis", "mongodb+srv"]),
    user=words,
    secret=credentials,
    host=hosts,
)
def test_url_userinfo(scheme: str, user: str, secret: str, host: str) -> None:
    value = f"{scheme}://{user}:{secret}@{host}:5432/app"
    hits = scan_text(value)
    assert_found_without_value(hits, secret)
    assert any(hit.where == "URL password" for hit in hits)


@SETTINGS
@given(key=credential_keys, secret=credentials, host=hosts, user=words, before=st.booleans())
def test_url_query_parameters(key: str, secret: str, host: str, user: str, before: bool) -> None:
    pairs = [f"user={user}", f"{key}={secret}"]
    if before:
        pairs.reverse()
    value = f"jdbc:postgresql://{host}:5432/app?{'&'.join(pairs)}&ssl=true"
    hits = scan_text(value)
    assert_found_without_value(hits, secret)
    assert any(hit.where == f"URL query parameter {key}" for hit in hits)


@SETTINGS
@given(
    secret=credentials,
    host=hosts,
    order=st.permutations(["host", "port", "dbname", "user", "password"]),
    quoted=st.booleans(),
)
def test_libpq_keyword_dsn(secret: str, host: str, order: list[str], quoted: bool) -> None:
    values = {"host": host, "port": "5432", "dbname": "app", "user": "app"}
    values["password"] = f"'{secret} x'" if quoted else secret
    value = " ".join(f"{key}={values[key]}" for key in order)
    hits = scan_text(value)
    assert_found_without_value(hits, secret)
    assert Hit("password= pair", "credential in a key=value pair") in hits


@SETTINGS
@given(
    key=credential_keys,
    secret=credentials,
    path=st.lists(words.filter(lambda w: not credential_key(w)), min_size=0, max_size=4),
    filler=st.dictionaries(words.filter(lambda w: not credential_key(w)), words, max_size=3),
    as_yaml=st.booleans(),
)
def test_json_and_yaml_documents(
    key: str, secret: str, path: list[str], filler: dict[str, str], as_yaml: bool
) -> None:
    document: dict[str, object] = {key: secret}
    for part in reversed(path):
        document = {part: document, **{k: v for k, v in filler.items() if k != part}}
    text = yaml.safe_dump(document, default_flow_style=False) if as_yaml else json.dumps(document)
    for hits in (scan_text(text), scan_document(document)):
        assert_found_without_value(hits, secret)
        # A one-line YAML document is read as a "key: value" pair, with the same key named.
        places = {"$." + ".".join([*path, key]), f"{key}= pair"}
        assert any(hit.where in places for hit in hits), hits


@SETTINGS
@given(
    token=tokens,
    others=st.lists(st.tuples(plain_keys, words), max_size=3),
    scheme=st.sampled_from(["Bearer", "Basic", "Token"]),
    position=st.integers(min_value=0, max_value=3),
    header=st.sampled_from(["Authorization", "authorization", "x-api-key", "X-Auth-Token"]),
)
def test_header_pairs_in_an_otel_headers_list(
    token: str, others: list[tuple[str, str]], scheme: str, position: int, header: str
) -> None:
    pairs = [f"{key}={value}" for key, value in others]
    pairs.insert(min(position, len(pairs)), f"{header}={scheme} {token}")
    hits = scan_text(",".join(pairs))
    assert_found_without_value(hits, token)
    assert Hit(f"{header}= pair", "credential in a key=value pair") in hits


@SETTINGS
@given(user=words, secret=credentials)
def test_basic_authorization_header_line(user: str, secret: str) -> None:
    encoded = base64.b64encode(f"{user}:{secret}".encode()).decode()
    hits = scan_text(f"Authorization: Basic {encoded}")
    assert_found_without_value(hits, encoded)
    assert Hit("Authorization header", "credential in an HTTP header") in hits
    # Without its header name, a Basic credential is still recognised by its form.
    assert Hit("Basic credential", "credential in an HTTP header") in scan_text(f"Basic {encoded}")


@SETTINGS
@given(
    secret=credentials,
    name=st.sampled_from(["password", "db-password", "token", "api-key", "auth-token", "secret"]),
    glued=st.booleans(),
    before=st.lists(st.sampled_from(["--port=8080", "--verbose", "serve", "-v"]), max_size=3),
)
def test_command_line_flags(secret: str, name: str, glued: bool, before: list[str]) -> None:
    argv = [*before, f"--{name}={secret}"] if glued else [*before, f"--{name}", secret]
    for hits in (scan_words(argv), scan_text(" ".join(argv))):
        assert_found_without_value(hits, secret)
        assert Hit(f"--{name}", "credential in a command-line flag") in hits


@SETTINGS
@given(secret=credentials, user=words)
def test_mysql_glued_password(secret: str, user: str) -> None:
    hits = scan_words(["mysqldump", f"-u{user}", f"-p{secret}", "app"])
    assert_found_without_value(hits, secret)
    assert Hit("-p", "credential in a command-line flag") in hits


@SETTINGS
@given(token=tokens, host=hosts, quote=st.sampled_from(["'", '"']))
def test_bearer_header_inside_a_curl_command(token: str, host: str, quote: str) -> None:
    script = f"curl -fsS -H {quote}Authorization: Bearer {token}{quote} https://{host}/run"
    for hits in (scan_text(script), scan_words(["sh", "-c", script])):
        assert_found_without_value(hits, token)
        assert "credential in an HTTP header" in kinds(hits)


@SETTINGS
@given(
    secret=credentials,
    key=st.sampled_from(["auth", "token", "password", "apiKey"]),
    filler=st.dictionaries(words, st.one_of(words, st.integers()), max_size=4),
)
def test_auth_field_in_cron_arguments(secret: str, key: str, filler: dict[str, object]) -> None:
    document = {**{k: v for k, v in filler.items() if not credential_key(k)}, key: secret}
    hits = scan_document(document)
    assert_found_without_value(hits, secret)
    assert Hit(f"$.{key}", "credential in a document field") in hits


@SETTINGS
@given(key=credential_keys, secret=credentials)
def test_value_heuristics_see_structured_credentials(key: str, secret: str) -> None:
    # The shared entry point every plain slot uses reports the place, never the value.
    kind = value_looks_secret(f"https://api.internal/v1?{key}={secret}")
    assert kind is not None and secret not in kind


# --- ordinary values are not flagged --------------------------------------------------------


@SETTINGS
@given(
    host=hosts,
    path=st.lists(words, max_size=4),
    query=st.lists(st.tuples(plain_keys, words), max_size=4),
    scheme=st.sampled_from(["https", "http", "redis", "postgres", "nats"]),
)
def test_urls_without_credentials(
    host: str, path: list[str], query: list[tuple[str, str]], scheme: str
) -> None:
    value = f"{scheme}://{host}:6379/{'/'.join(path)}"
    if query:
        value += "?" + "&".join(f"{k}={v}" for k, v in query)
    assert scan_text(value) == []
    assert value_looks_secret(value) is None


@SETTINGS
@given(uuid=st.uuids(), region=st.sampled_from(["fr-par", "nl-ams", "pl-waw"]), name=words)
def test_ids_uuids_and_arn_like_names(uuid: object, region: str, name: str) -> None:
    for value in (
        str(uuid),
        f"{region}/{uuid}",
        f"arn:scw:iam:{region}:project-{uuid}:application/{name}",
        f"arn:aws:iam::123456789012:role/{name}",
    ):
        assert scan_text(value) == [], value
        assert value_looks_secret(value) is None, value


@SETTINGS
@given(pairs=st.lists(st.tuples(plain_keys, words), min_size=1, max_size=5))
def test_dsns_and_header_lists_without_credentials(pairs: list[tuple[str, str]]) -> None:
    for separator in (" ", ",", ";", "&"):
        value = separator.join(f"{k}={v}" for k, v in pairs)
        assert scan_text(value) == [], value


@SETTINGS
@given(
    name=st.sampled_from(["DB_PASSWORD", "TOKEN", "API_KEY", "auth_token"]),
    form=st.sampled_from(["${{{}}}", "${}", "$({})", "{{{{ .Env.{} }}}}"]),
)
def test_references_to_secrets_kept_elsewhere(name: str, form: str) -> None:
    reference = form.format(name)
    for value in (
        f"password={reference}",
        f"Authorization=Bearer {reference}",
        f"postgres://app:{reference}@db.internal/app",
        f"curl -H 'Authorization: Bearer {reference}' https://api.internal",
    ):
        assert scan_text(value) == [], value
    assert scan_words(["--token", reference, f"--password={reference}"]) == []


@SETTINGS
@given(body=st.text(alphabet=ALNUM + "+/", min_size=40, max_size=200))
def test_public_keys_and_certificates(body: str) -> None:
    for block in ("PUBLIC KEY", "CERTIFICATE"):
        value = f"-----BEGIN {block}-----\n{body}\n-----END {block}-----"
        assert value_looks_secret(value) is None
    assert scan_text(f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{body[:40]} deploy@ci") == []


def test_ordinary_command_lines_and_documents() -> None:
    assert scan_words(["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8080"]) == []
    assert scan_words(["--password-file", "/run/secrets/db", "--token-ttl", "3600"]) == []
    assert scan_words(["redis-server", "-p", "6379"]) == []  # -p is a port there
    assert scan_document({"auth": True, "auth_method": "iam", "token_url": "https://x"}) == []
    assert scan_document({"report": {"format": "csv", "recipients": ["a@b.c"]}}) == []
    assert scan_text('{"level": "debug", "features": ["a", "b"]}') == []
    assert scan_text("Uses Basic authentication and Bearer tokens, see the docs.") == []


def test_documents_that_expand_or_nest_deeply_are_read_safely() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    assert scan_text(laughs + "password: s3cr3t-value\n") != []
    assert scan_text("[" * 5000 + "]" * 5000) == []


# --- every plain slot refuses them, naming the place and never the value ---------------------


def _embedded(kind: str, secret: str) -> str:
    return {
        "otel": f"x-tenant=acme,Authorization=Bearer {secret}",
        "jdbc": f"jdbc:postgresql://db.internal:5432/app?user=app&password={secret}",
        "url": f"postgres://app:{secret}@db.internal:5432/app",
        "dsn": f"host=db.internal port=5432 dbname=app user=app password={secret}",
        "json": json.dumps({"db": {"host": "db.internal", "password": secret}}),
        "curl": f"curl -fsS -H 'Authorization: Bearer {secret}' https://billing.internal/run",
    }[kind]


KINDS = ["otel", "jdbc", "url", "dsn", "json", "curl"]


@SETTINGS
@given(kind=st.sampled_from(KINDS), secret=tokens, service=st.sampled_from(["function", "ctr"]))
def test_plain_env_refuses_each_kind(kind: str, secret: str, service: str) -> None:
    from private_serverless import PrivateContainerArgs, PrivateFunctionArgs
    from private_serverless.errors import ConfigurationError

    env = {"APP_SETTING": _embedded(kind, secret)}
    try:
        if service == "function":
            PrivateFunctionArgs(runtime="python312", handler="h.handle", source_dir=".", env=env)
        else:
            PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/api:1", env=env)
    except ConfigurationError as exc:
        assert "APP_SETTING" in str(exc) and "`secrets`" in str(exc)
        assert secret not in str(exc) and secret not in repr(exc)
    else:
        raise AssertionError(f"{kind} in plain env was accepted")


@SETTINGS
@given(
    kind=st.sampled_from([*KINDS, "flag", "split-flag"]),
    secret=tokens,
    field=st.sampled_from(["command", "args"]),
)
def test_container_command_and_args_refuse_each_kind(kind: str, secret: str, field: str) -> None:
    from private_serverless import PrivateContainerArgs
    from private_serverless.errors import ConfigurationError

    if kind == "flag":
        words = ["serve", f"--db-password={secret}"]
    elif kind == "split-flag":
        words = ["serve", "--token", secret]
    else:
        words = ["sh", "-c", _embedded(kind, secret)]
    try:
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/api:1", **{field: words})
    except ConfigurationError as exc:
        assert field in str(exc) and secret not in str(exc) and secret not in repr(exc)
    else:
        raise AssertionError(f"{kind} in {field} was accepted")


PROBE_PATHS = {
    "query": "/health?{key}={secret}",
    "second query": "/health?verbose=1&{key}={secret}",
    "provider token": "/health/ghp_{secret}{secret}",
}


@SETTINGS
@given(
    shape=st.sampled_from(sorted(PROBE_PATHS)),
    key=st.sampled_from(["token", "access_token", "api_key", "apikey", "password", "secret"]),
    secret=tokens,
    probe=st.sampled_from(["liveness_probe", "startup_probe"]),
)
def test_a_probe_path_refuses_a_credential(shape: str, key: str, secret: str, probe: str) -> None:
    # A probe path is a plain setting, like `env`: the same value heuristics judge it.
    from private_serverless import PrivateContainerArgs
    from private_serverless.errors import ConfigurationError

    path = PROBE_PATHS[shape].format(key=key, secret=secret)
    try:
        PrivateContainerArgs(image="rg.fr-par.scw.cloud/ns/api:1", **{probe: {"http_path": path}})
    except ConfigurationError as exc:
        assert f"{probe}.http_path: http_path holds what looks like a " in str(exc)
        assert secret not in str(exc) and secret not in repr(exc)
    else:
        raise AssertionError(f"{path} in {probe} was accepted")


@pytest.mark.parametrize(
    "path", ["/health", "/healthz?full=1", "/ready?check=db&verbose=true", "/v1/status", "/"]
)
def test_ordinary_probe_paths_pass(path: str) -> None:
    from private_serverless import PrivateContainerArgs

    args = PrivateContainerArgs(
        image="rg.fr-par.scw.cloud/ns/api:1",
        liveness_probe={"http_path": path},
        startup_probe={"http_path": path},
    )
    assert args.liveness_probe is not None and args.liveness_probe.http_path == path


@SETTINGS
@given(kind=st.sampled_from([*KINDS, "auth"]), secret=tokens)
def test_schedule_args_refuse_each_kind(kind: str, secret: str) -> None:
    from private_serverless.attachments.schedules import ScheduleArgs
    from private_serverless.errors import ConfigurationError

    args = {"auth": secret} if kind == "auth" else {"job": {"settings": _embedded(kind, secret)}}
    try:
        ScheduleArgs(schedule="0 2 * * *", args=args)
    except ConfigurationError as exc:
        assert "args." in str(exc) and secret not in str(exc) and secret not in repr(exc)
    else:
        raise AssertionError(f"{kind} in schedule args was accepted")


def test_detect_secrets_loads_on_the_first_scan_not_on_import() -> None:
    # detect_secrets (and the requests it imports) is a large part of the import's cost.
    code = (
        "import sys, private_serverless\n"
        "from private_serverless.sensitive.credential_keys import credential_key\n"
        "from private_serverless.sensitive.detectors import detected_kind\n"
        "assert 'detect_secrets' not in sys.modules and 'requests' not in sys.modules, 'loaded'\n"
        "assert credential_key('dbPassword')\n"
        "assert detected_kind('ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8') == (\n"
        "    'provider token (GitHub)')\n"
        "assert 'detect_secrets' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)
