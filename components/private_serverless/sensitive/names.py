"""Which names hold credentials: environment variables, schedule argument keys, flags.

One classifier for the whole project: the argument models reject these names in plain
``env`` and schedule ``args``, and the policy rules flag them in plain
``environmentVariables``, so the components can never produce what the guardrails forbid.

A name is read as words (``DB_PW``, ``db-pw``, ``dbPw`` and ``DbPW`` are all ``DB PW``). The
last word that says something decides:

- a credential word (``PASSWORD``, ``PW``, ``PWD``, ``SECRET``, ``TOKEN``, ``CREDS``, ``AUTH``,
  ``DSN``, ``KEY``...) makes it a credential: ``DB_PW``, ``DB_CREDS``, ``AUTH``,
  ``SMTP_PASSWORD_PROD``;
- a word that says the value *describes* something (an identifier, a duration, a count, a
  name, a location, a mode: ``ID``, ``TTL``, ``SECONDS``, ``COUNT``, ``NAME``, ``URL``...) makes
  it a setting: ``SECRET_ID``, ``TOKEN_TTL_SECONDS``, ``API_KEY_NAME``, ``KMS_KEY_ID``;
- ``KEY`` after a word that makes it a data key (``SORT_KEY``, ``PRIMARY_KEY``,
  ``CACHE_KEY``, ``PUBLIC_KEY``) is a setting.

Names are only half of the check: every value is still scanned (:mod:`.values`), so a
password under ``PASSWORD_ID`` is still found when it looks like one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..errors import refused_key_shown

# Words that are credentials wherever they stand in a name. Long ones are also found glued to
# other words (DBPASSWORD, SECRETKEY, MYAPIKEY); short ones only as words of their own (PASS
# is in COMPASS, AUTH in AUTHOR).
_GLUED_CREDENTIAL_WORDS: tuple[str, ...] = (
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PASSCODE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "APIKEY",
    "PRIVATEKEY",
    "SECRETKEY",
    "ACCESSKEY",
    "SIGNINGKEY",
    "ENCRYPTIONKEY",
    "AUTHORIZATION",
    "CONNECTIONSTRING",
    "CONNSTRING",
    "CONNSTR",
    "PWD",
)
# Whole words that are credentials. Each is "strong": an allow-list may not name it (see
# :func:`strong_credential_word`).
_CREDENTIAL_WORDS: frozenset[str] = frozenset(
    {
        *_GLUED_CREDENTIAL_WORDS,
        "PASSWORDS",
        "SECRETS",
        "TOKENS",
        "CREDENTIALS",
        "CRED",
        "CREDS",
        "PW",
        "AUTH",
        "BEARER",
        "APIKEYS",
        "DSN",
    }
)
# Abbreviations credentials travel under (SMTP_PASS, GITHUB_PAT, STRIPE_SK) that are also
# ordinary words or initials elsewhere: credentials by default, but an allow-list may say
# otherwise (PASS_THROUGH).
_WEAK_CREDENTIAL_WORDS: frozenset[str] = frozenset({"PASS", "PAT", "SK"})
# Words glued to a credential word that do not make a credential (TOKENIZER_PATH).
_NOT_CREDENTIALS: frozenset[str] = frozenset(
    {
        "TOKENIZER",
        "TOKENIZERS",
        "TOKENIZE",
        "TOKENIZED",
        "TOKENISER",
        "DETOKENIZE",
        "DETOKENIZER",
        "SECRETARY",
        "SECRETARIES",
        "SECRETARIAT",
    }
)
_KEY_WORDS: frozenset[str] = frozenset({"KEY", "KEYS"})
# Before KEY, words that make it a credential beyond doubt (API_KEY, SECRET_KEY): "strong".
# Any other KEY (STRIPE_KEY, S3_KEY, KEY) is a credential that an allow-list may release.
_STRONG_KEY_QUALIFIERS: frozenset[str] = frozenset(
    {
        "API",
        "PRIVATE",
        "SECRET",
        "ACCESS",
        "SIGNING",
        "SIGN",
        "ENCRYPTION",
        "ENCRYPT",
        "DECRYPTION",
        "MASTER",
        "SESSION",
        "HMAC",
        "AUTH",
        "CLIENT",
        "ROOT",
        "ADMIN",
        "SERVICE",
        "SSH",
        "TLS",
        "SSL",
        "JWT",
        "AES",
        "RSA",
        "GPG",
        "PGP",
        "WEBHOOK",
    }
)
# Before KEY, words that make it a key of data, not a credential: database and cache keys,
# message and object keys, keys that are public by definition.
_DATA_KEY_QUALIFIERS: frozenset[str] = frozenset(
    {
        "SORT",
        "PRIMARY",
        "CACHE",
        "PARTITION",
        "FOREIGN",
        "RANGE",
        "ROW",
        "COLUMN",
        "IDEMPOTENCY",
        "DEDUP",
        "DEDUPLICATION",
        "LOOKUP",
        "ROUTING",
        "SHARD",
        "SHARDING",
        "INDEX",
        "UNIQUE",
        "COMPOSITE",
        "NATURAL",
        "SURROGATE",
        "OBJECT",
        "MAP",
        "DICT",
        "JSON",
        "LABEL",
        "TAG",
        "QUERY",
        "SEARCH",
        "CURSOR",
        "PAGE",
        "PAGINATION",
        "LOCK",
        "MUTEX",
        "MESSAGE",
        "EVENT",
        "RECORD",
        "ENTITY",
        "DOCUMENT",
        "CONFIG",
        "SETTING",
        "SETTINGS",
        "TRANSLATION",
        "I18N",
        "PUBLIC",
        "PUBLISHABLE",
        "PUB",
        "HOT",
        "SHORTCUT",
        "KEYBOARD",
        "SORTING",
        "ORDER",
        "CLUSTERING",
        "DISTRIBUTION",
        "GROUPING",
    }
)
# Words that say the value describes something rather than being it: identifiers, durations,
# counts, names, locations, switches and kinds. After a credential word they make a setting.
_DESCRIPTIVE_WORDS: frozenset[str] = frozenset(
    {
        # identifiers and names (of a secret, a key, a user)
        "ID",
        "IDS",
        "UUID",
        "GUID",
        "ARN",
        "URN",
        "REF",
        "REFS",
        "NAME",
        "NAMES",
        "USER",
        "USERNAME",
        "FINGERPRINT",
        # durations and times
        "TTL",
        "TIMEOUT",
        "EXPIRY",
        "EXPIRE",
        "EXPIRES",
        "EXPIRATION",
        "LIFETIME",
        "DURATION",
        "AGE",
        "SECONDS",
        "SECS",
        "SEC",
        "MS",
        "MILLIS",
        "MILLISECONDS",
        "MINUTES",
        "MINS",
        "HOURS",
        "DAYS",
        "WEEKS",
        "INTERVAL",
        "PERIOD",
        "DELAY",
        "ROTATION",
        # counts and sizes
        "COUNT",
        "LENGTH",
        "LEN",
        "SIZE",
        "LIMIT",
        "MAX",
        "MIN",
        "RETRIES",
        "ATTEMPTS",
        "THRESHOLD",
        "BITS",
        # kinds and formats
        "VERSION",
        "TYPE",
        "KIND",
        "ALGORITHM",
        "ALG",
        "ALGO",
        "FORMAT",
        "ISSUER",
        "AUDIENCE",
        "SCOPE",
        "SCOPES",
        "PERMISSIONS",
        # where it is, not what it is
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "HOSTNAME",
        "DOMAIN",
        "PORT",
        "REGION",
        "REALM",
        "FILE",
        "PATH",
        "DIR",
        "DIRECTORY",
        "PREFIX",
        "SUFFIX",
        # switches and modes
        "ENABLED",
        "DISABLED",
        "ENABLE",
        "DISABLE",
        "REQUIRED",
        "MODE",
        "STRATEGY",
        "PROVIDER",
        "METHOD",
        "POLICY",
    }
)
# Before TOKEN(S), words that make it a count of tokens (an LLM's MAX_TOKENS).
COUNT_QUALIFIERS: frozenset[str] = frozenset({"MAX", "MIN", "NUM", "NUMBER", "LIMIT"})

_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
# camelCase and PascalCase boundaries, and letters next to digits (OAUTH2, DB_PW2).
_WORD_BOUNDARY = re.compile(
    r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)


def name_words(name: str) -> list[str]:
    """The words of ``name``, upper-cased: ``dbPw-2`` is ``["DB", "PW", "2"]``."""
    return [
        word.upper()
        for part in _SEPARATORS.split(name)
        for word in _WORD_BOUNDARY.split(part)
        if word
    ]


@dataclass(frozen=True)
class _Word:
    kind: str  # "credential", "descriptive", "key", "data" or "neutral"
    word: str
    strong: bool = False


def _glued(word: str) -> _Word | None:
    """A word with a credential word glued into it (DBPASSWORD, SECRETID), or None."""
    if word in _NOT_CREDENTIALS:
        return None
    best: tuple[int, str] | None = None
    for credential in _GLUED_CREDENTIAL_WORDS:
        at = word.rfind(credential)
        if at >= 0 and (best is None or at + len(credential) > best[0] + len(best[1])):
            best = (at, credential)
    if best is None:
        return None
    at, credential = best
    rest = word[at + len(credential) :]
    if rest in _DESCRIPTIVE_WORDS and not (credential == "ACCESSKEY" and rest == "ID"):
        return _Word("descriptive", rest)
    return _Word("credential", credential, strong=True)


def _classify(words: list[str]) -> list[_Word]:
    classified: list[_Word] = []
    for index, word in enumerate(words):
        before = words[index - 1] if index else ""
        if word in _KEY_WORDS:
            if before in _DATA_KEY_QUALIFIERS:
                classified.append(_Word("data", word))
            else:
                strong = before in _STRONG_KEY_QUALIFIERS
                label = f"{before} {word}" if strong else word
                classified.append(_Word("credential", label, strong=strong))
        elif word in ("TOKEN", "TOKENS") and before in COUNT_QUALIFIERS:
            classified.append(_Word("descriptive", f"{before} {word}"))
        elif word == "ID" and before in _KEY_WORDS and index >= 2 and words[index - 2] == "ACCESS":
            # An access key ID is half of an access key pair (AWS: "you must use both the
            # access key ID and secret access key together"): kept with its secret half.
            classified.append(_Word("credential", "ACCESS KEY ID", strong=True))
        elif word in ("STRING", "STR") and before in ("CONNECTION", "CONN"):
            # A connection string carries the credentials of the connection (Azure, ADO.NET).
            classified.append(_Word("credential", f"{before} {word}", strong=True))
        elif word in _CREDENTIAL_WORDS:
            classified.append(_Word("credential", word, strong=True))
        elif word in _WEAK_CREDENTIAL_WORDS:
            classified.append(_Word("credential", word))
        elif word in _DESCRIPTIVE_WORDS:
            classified.append(_Word("descriptive", word))
        else:
            glued = _glued(word)
            classified.append(glued if glued is not None else _Word("neutral", word))
    return classified


@functools.lru_cache(maxsize=4096)
def _deciding_word(name: str) -> _Word | None:
    """The last word of ``name`` that says credential or setting, or None.

    Cached: a name is judged twice per use (credential, then strong credential), and a
    stack's services share most variable names; names are not secrets."""
    for word in reversed(_classify(name_words(name))):
        if word.kind != "neutral":
            return word
    return None


def credential_word(name: str) -> str | None:
    """The word that makes ``name`` a credential by the built-in rules (``PASSWORD``,
    ``API KEY``), or None when the name does not say it is one."""
    word = _deciding_word(name)
    return word.word if word is not None and word.kind == "credential" else None


def strong_credential_word(name: str) -> str | None:
    """The word that makes ``name`` a credential beyond doubt (``DB_PASSWORD``, ``AUTH``,
    ``DB_CREDS``, ``SIGNING_KEY``), or None. No allow-list may release such a name: what it
    holds would be planned, stored and printed in clear."""
    word = _deciding_word(name)
    return word.word if word is not None and word.kind == "credential" and word.strong else None


def _cut_credential_word(name: str) -> str | None:
    """A credential word beyond doubt that the capitals or digits of ``name`` cut into pieces
    (``passWord``, ``PassWorD``, ``SECRETkey``, ``pass2word``), or None. Each part between
    separators whose case changes inside it (or that mixes letters and digits) is judged as
    one glued word, unless the words already say what the value is (``tokenTtlSeconds``, a
    duration; ``apiKeyId``, an identifier); ``API_KEY_ID`` is read by the word rules alone."""
    decided = _deciding_word(name)
    if decided is not None and decided.kind in ("descriptive", "data"):
        return None
    for part in _SEPARATORS.split(name):
        letters = re.sub(r"[^A-Za-z]", "", part)
        if letters == part and part in (part.upper(), part.lower()):
            continue  # one word as written: the word rules read it
        word = strong_credential_word(letters.upper())
        if word is not None:
            return word
    return None


def strong_credential_word_of(name: str) -> str | None:
    """The word that makes ``name`` a credential beyond doubt, read as words (``DB_PASSWORD``)
    or as a word its capitals cut (``passWord``); None when there is none."""
    return strong_credential_word(name) or _cut_credential_word(name)


def strong_credential_name(name: str) -> bool:
    """Whether ``name`` is a credential beyond doubt (:func:`strong_credential_word_of`)."""
    return strong_credential_word_of(name) is not None


def name_looks_secret(
    name: str,
    patterns: Iterable[str] = (),
    allowed: Iterable[str] = (),
) -> str | None:
    """Why ``name`` looks like a credential's, or None.

    The built-in rules always apply; ``patterns`` (shell-style, case-insensitive, whole name)
    only add names. ``allowed`` (exact names, case-insensitive) releases a name the built-in
    rules or ``patterns`` flag, except a strong credential name (:func:`strong_credential_word_of`),
    which stays a credential whatever the list says.
    """
    strong = strong_credential_word_of(name)
    if strong is not None:
        return f"the word {strong}"
    upper = name.upper()
    if upper in {a.upper() for a in allowed}:
        return None
    word = credential_word(name)
    if word is not None:
        return f"the word {word}"
    for pattern in patterns:
        if fnmatchcase(upper, pattern.upper()):
            return f"the pattern {pattern}"
    return None


def check_allowed_plain_name(name: str) -> str:
    """Raise ``ValueError`` when an allow-list entry names a credential beyond doubt.

    Allowing ``DB_PASSWORD`` in plain variables would store, plan and print its value in
    clear; such an entry is refused rather than silently kept redacted. The message names the
    entry (a name, never a value).
    """
    if not name or len(name) > 256:
        raise ValueError("allowed plain names are 1 to 256 characters")
    word = strong_credential_word_of(name)
    if word is not None:
        # An entry shaped like a token (one pasted here by mistake) is pointed at, not shown.
        entry = name if refused_key_shown(name) else "the entry"
        raise ValueError(
            f"{entry} is a credential beyond doubt (the word {word}): no allow-list makes it "
            "plain; keep it in `secrets`"
        )
    return name


def allowed_names(*lists: Iterable[str]) -> frozenset[str]:
    """The union of allow-lists, upper-cased (entries match case-insensitively)."""
    return frozenset(name.upper() for names in lists for name in names)
