"""Which environment variable names hold credentials.

One list for the whole project: the argument models reject these names in plain ``env`` and
the policy rules flag them in plain ``environmentVariables``, so the components can never
produce what the guardrails forbid.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

#: Shell-style patterns, matched case-insensitively against the whole name.
DEFAULT_SECRET_NAME_PATTERNS: tuple[str, ...] = (
    "*PASSWORD*",
    "*PASSWD*",
    "*PASSPHRASE*",
    "*SECRET*",
    "*TOKEN*",
    "*CREDENTIAL*",
    "*PRIVATE_KEY*",
    "*PRIVATEKEY*",
    "*API_KEY*",
    "*APIKEY*",
    "*ACCESS_KEY*",
    "*_KEY",
    "KEY",
    "*_DSN",
    "DSN",
    # Abbreviations credentials travel under (SMTP_PASS, MYSQL_PWD, GITHUB_PAT, STRIPE_SK...).
    "*_PASS",
    "PASS",
    "*_PASS_*",
    "*_PWD",
    "*_PWD_*",
    "*_AUTH",
    "*AUTHORIZATION*",
    "*_PAT",
    "*_SK",
    "*ENCRYPTION_KEY*",
    "*SIGNING_KEY*",
    "*_KEY_B64",
    "*_KEY_BASE64",
    "*_KEY_HEX",
)


def name_looks_secret(
    name: str,
    patterns: Iterable[str] = DEFAULT_SECRET_NAME_PATTERNS,
    allowed: Iterable[str] = (),
) -> str | None:
    """The first pattern ``name`` matches (case-insensitively), unless the name is allowed."""
    upper = name.upper()
    if upper in {a.upper() for a in allowed}:
        return None
    for pattern in patterns:
        if fnmatchcase(upper, pattern.upper()):
            return pattern
    return None
