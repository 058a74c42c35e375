"""Heuristics that tell a secret from an ordinary setting, by name and by value.

Plain ``environmentVariables`` are readable by anyone who can read the function or container
configuration (console, API, Terraform/Pulumi state), so secrets belong in
``secretEnvironmentVariables``. These functions only answer yes/no plus a short *kind* of
match; callers must never print the value they were given.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from typing import Any

from ..core.inventory import SECRET_PLACEHOLDER
from .structured import scan_text

# A private key block; certificates and public keys are public by design.
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----")
# Scaleway access keys: "SCW" followed by 17 upper-case letters or digits.
_SCW_ACCESS_KEY = re.compile(r"\bSCW[A-Z0-9]{17}\b")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# scheme://user:password@host or scheme://:password@host (redis) — credentials in a URL,
# anywhere in the value (a DSN may follow a label). Searched with RE2: Python's engine tries
# the scheme from every letter of a long run of letters, quadratic in the value's length (a
# 200 kB setting took minutes); RE2's time is linear.
_URL_CREDENTIALS = r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:[^/\s@]+@"


@functools.cache
def _url_credentials() -> Any:
    import re2  # google-re2; imported on the first scan, not with the package

    return re2.compile(_URL_CREDENTIALS)


def _has_url_credentials(text: str) -> bool:
    return "://" in text and _url_credentials().search(text) is not None


# An HTTP Authorization header value.
_AUTH_HEADER = re.compile(r"^(?:Bearer|Basic|Token|Digest)\s+[A-Za-z0-9+/=._~\-]{8,}", re.I)
# Prefixes providers put on their tokens so that scanners can find them (GitHub, Slack,
# Stripe, AWS, GitLab, npm, Google, SendGrid, OpenAI-style "sk-").
_TOKEN_PREFIX = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|xapp-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|glpat-[A-Za-z0-9_\-]{20,}|npm_[A-Za-z0-9]{30,}|AIza[0-9A-Za-z_\-]{35}"
    r"|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|sk-[A-Za-z0-9_\-]{20,})"
)
# A Scaleway resource id as the API writes a regional or zonal one: "fr-par/<uuid>".
_LOCALISED_UUID = re.compile(
    r"^[a-z]{2}-[a-z]{3}(?:-[0-9])?/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
    r"-[0-9a-fA-F]{12}$"
)
_JWT = re.compile(r"^eyJ[A-Za-z0-9_\-]+\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$")
# Candidates for the entropy test: one token of base64/url-safe characters. Dots and colons are
# left out on purpose so that host names, URLs and versions never qualify.
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9+/=_\-]+$")

#: Shortest string the entropy test considers: shorter random strings are rarely credentials.
MIN_ENTROPY_LENGTH = 32
#: Bits per character above which a token looks random. Hex strings top out at 4.0 bits, so
#: commit hashes and checksums (common, harmless settings) stay below it; random base64 does not.
ENTROPY_THRESHOLD = 4.2


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value`` (0 for an empty string)."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def value_looks_secret(value: object) -> str | None:
    """What kind of secret ``value`` looks like ("PEM block", "Scaleway access key", "credential
    in a URL (URL query parameter 'password')"...), or None.

    UUIDs alone are not reported: Scaleway secret keys are UUIDs, but so are project and
    resource ids, which are routinely passed as plain settings. See :func:`secret_values` for
    the access key + UUID pair.
    """
    if not isinstance(value, str):
        return None
    if SECRET_PLACEHOLDER in value:
        # A value marked secret in Pulumi but handed to plain env vars, or a copy of a secret's
        # value that the plan hides inside a plain one: Scaleway shows it in clear.
        return "Pulumi secret" if value == SECRET_PLACEHOLDER else "copy of a Pulumi secret"
    stripped = value.strip()
    # Ordered from the most specific pattern to the fuzzy entropy test.
    patterns = (
        (_PEM.search, "PEM block"),
        (_SCW_ACCESS_KEY.search, "Scaleway access key"),
        (_has_url_credentials, "URL with credentials"),
        (_AUTH_HEADER.match, "HTTP credentials (Bearer/Basic)"),
        (_TOKEN_PREFIX.search, "provider token"),
        (_JWT.match, "JWT"),
    )
    for matches, kind in patterns:
        if matches(stripped):
            return kind
    # Credentials inside a structured value (URL, DSN, header list, document, command line),
    # and the shapes detect-secrets knows; the kind says where, never what.
    hits = scan_text(stripped)
    if hits:
        return hits[0].describe()
    if (
        len(stripped) >= MIN_ENTROPY_LENGTH
        and _TOKEN_CHARS.match(stripped)
        and not _UUID.match(stripped)
        and not _LOCALISED_UUID.match(stripped)
        and shannon_entropy(stripped) >= ENTROPY_THRESHOLD
    ):
        return "high-entropy string"
    return None


def secret_values(variables: dict[str, object]) -> dict[str, str]:
    """Names of the variables whose value looks secret, with the kind of match.

    A UUID next to a Scaleway access key in the same set of variables is taken for that key's
    secret key (the pair is how Scaleway credentials travel), although a lone UUID is not.
    """
    found: dict[str, str] = {}
    for name, value in variables.items():
        kind = value_looks_secret(value)
        if kind is not None:
            found[name] = kind
    if "Scaleway access key" in found.values():
        for name, value in variables.items():
            if name not in found and isinstance(value, str) and _UUID.match(value.strip()):
                found[name] = "Scaleway secret key (UUID next to an access key)"
    return found
