"""Which keys *inside* a value name a credential, and which values stand for none.

A structured value (a JSON document, a DSN, a header list, a command line) names what each of
its parts is: ``password=...``, ``"token": ...``, ``--db-password ...``. A part whose key names a
credential is a credential in clear, unless its value is only a reference to one (``$TOKEN``,
``${DB_PASSWORD}``), empty, or a word that switches authentication on or off.

The key words build on detect-secrets' keyword plugin (its deny list), with the words it leaves
out that services use for credentials (``token``, ``auth``, ``creds``, ``pw``...), and on the
project's list of credential-looking environment names.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import pairwise

from .names import COUNT_QUALIFIERS, name_looks_secret

#: Headers that carry credentials whatever their value (RFC 9110 section 11.6, cookies, the
#: X-Auth-Token that Scaleway's private endpoints read).
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-auth-token", "x-api-key"}
)

# Words that name a credential on their own, beyond detect-secrets' deny list.
_CREDENTIAL_WORDS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "pass",
        "pwd",
        "pw",
        "secret",
        "secrets",
        "token",
        "tokens",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "creds",
        "cred",
        "apikey",
        "bearer",
        "privatekey",
        "secretkey",
        "accesskey",
        "sessionkey",
        "cookie",
    }
)
# Two words that name a credential together ("api key", "x-api-key", "client secret").
_CREDENTIAL_PAIRS = frozenset(
    {
        ("api", "key"),
        ("private", "key"),
        ("secret", "key"),
        ("access", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("client", "key"),
        ("master", "key"),
        ("session", "key"),
        ("account", "key"),
        ("service", "key"),
        ("app", "key"),
        ("license", "key"),
    }
)
# A last word that says the part is *about* a credential, not the credential itself:
# --password-file /run/secrets/db, token_ttl=3600, auth_method=iam, secret_name=db.
_ABOUT_WORDS = frozenset(
    {
        "file",
        "files",
        "path",
        "dir",
        "env",
        "var",
        "variable",
        "name",
        "names",
        "id",
        "type",
        "kind",
        "method",
        "mode",
        "scheme",
        "ttl",
        "timeout",
        "expiry",
        "expires",
        "expiration",
        "lifetime",
        "rotation",
        "interval",
        "length",
        "len",
        "size",
        "url",
        "uri",
        "endpoint",
        "host",
        "server",
        "header",
        "field",
        "policy",
        "enabled",
        "disabled",
        "required",
        "min",
        "max",
        "count",
        "provider",
        "realm",
        "format",
        "source",
        "ref",
        "version",
        "hint",
        "prompt",
        "store",
        "manager",
        "arn",
        "hash",
        "algorithm",
        "alg",
        "prefix",
        "location",
    }
)


@cache
def _denylist() -> re.Pattern[str]:
    """detect-secrets' keyword deny list as one pattern, built on the first scan."""
    # Imported here, not at the top: detect_secrets loads requests, a large part of the cost
    # of `import private_serverless`, for a list only a scan needs.
    from detect_secrets.plugins.keyword import DENYLIST

    return re.compile(rf"^(?:{'|'.join(DENYLIST)})$")


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")

#: Values that reference a credential kept elsewhere, or hold none: ``$TOKEN``, ``${DB_PW}``,
#: ``$(cat /run/secrets/db)``, ``{{ .Env.TOKEN }}``, ``%(password)s``, ``%TOKEN%``, ``<password>``.
_REFERENCE = re.compile(
    r"^(?:\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|%\([^)]*\)s"
    r"|%[A-Za-z_][A-Za-z0-9_]*%|<[^<>]*>)$"
)
_MASK = re.compile(r"^[*•xX.#_-]*$")
_NO_CREDENTIAL = frozenset(
    {
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "none",
        "null",
        "nil",
        "disabled",
        "enabled",
        "required",
        "optional",
        "redacted",
        "[redacted]",
        "iam",
        "prefer",
        "require",
    }
)
#: Authentication schemes written before the credential (``Authorization: Bearer <token>``).
AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "negotiate", "apikey", "key"})


def _words(name: str) -> list[str]:
    return [w for w in _SEPARATORS.split(_CAMEL.sub("_", name).lower()) if w]


@lru_cache(maxsize=4096)
def credential_header(name: str) -> bool:
    """True for an HTTP header that carries a credential: one of :data:`CREDENTIAL_HEADERS`
    whatever its value, or a name that says so (``X-Shared-Key``). No allow-list releases it."""
    return name.lower() in CREDENTIAL_HEADERS or credential_key(name)


def credential_key(name: str) -> bool:
    """True when ``name``, a key inside a structured value, names a credential.

    ``password``, ``dbPassword``, ``x-api-key``, ``Authorization``, ``DB_PW``, ``auth``: yes.
    ``password_file``, ``token_ttl``, ``auth_url``, ``secret_name``: no, they describe one.
    """
    words = _words(name)
    if not words or words[-1] in _ABOUT_WORDS:
        return False
    if words[-1] in ("token", "tokens") and words[-2:-1] and words[-2].upper() in COUNT_QUALIFIERS:
        return False  # a count of tokens (an LLM's max_tokens), as for variable names
    denylist = _denylist()
    if any(w in _CREDENTIAL_WORDS or denylist.match(w) for w in words):
        return True
    if any(pair in _CREDENTIAL_PAIRS for pair in pairwise(words)):
        return True
    joined = "_".join(words)
    return bool(denylist.search(joined)) or name_looks_secret(joined) is not None


def holds_no_credential(value: str) -> bool:
    """True for a value that stands for no credential of its own: empty, a reference to one
    kept elsewhere (``$TOKEN``), a mask (``****``) or an on/off word (``auth=none``)."""
    text = value.strip().strip("'\"").strip()
    words = text.split(None, 1)
    if len(words) == 2 and words[0].lower() in AUTH_SCHEMES:
        # "Bearer $TOKEN" is as empty as "$TOKEN"; "Bearer" alone says nothing either.
        text = words[1].strip()
    elif len(words) == 1 and words[0].lower() in AUTH_SCHEMES:
        return True
    return (
        not text
        or bool(_MASK.match(text))
        or bool(_REFERENCE.match(text))
        or text.lower() in _NO_CREDENTIAL
    )
