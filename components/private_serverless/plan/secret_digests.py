"""Telling that a secret input changed without writing down anything that reveals it.

A plan shows every secret as ``[secret]``, so two plans cannot tell a new database password
from the old one, while ``pulumi up`` would update the function that holds it. With a key in
``PRIVATE_SERVERLESS_PLAN_KEY`` a plan also records, for each input that holds a secret, an
HMAC-SHA256 of its value under that key. Without the key the digest says nothing about the
value (a plain or salted hash of a short password could be guessed offline from a plan posted
in a pull request); a pipeline creates a random key for the job that plans the base and the
head, and nobody keeps it. Without a key no digest is written and a diff says that secret
values were not compared.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

#: The environment variable holding the key; any non-empty string, ideally 32 random bytes.
PLAN_KEY_VARIABLE = "PRIVATE_SERVERLESS_PLAN_KEY"


def plan_key() -> bytes | None:
    """The digest key from the environment, or ``None`` when secrets are not to be compared."""
    value = os.environ.get(PLAN_KEY_VARIABLE, "")
    return value.encode() if value else None


def secret_digest(key: bytes, value: Any) -> str:
    """A digest of a plain (JSON-able) value under ``key``: equal values, equal digests."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()[:32]
